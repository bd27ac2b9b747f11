"""Pages of dispensations and emergency deviations: list, detail, request, decide, report."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..db import utcnow
from ..errors import DomainError
from ..extensions import db
from . import dispensations as service
from . import documents
from .common import Page
from .forms import DecisionForm, DispensationForm, ReportForm
from .views import (
    bp,
    failed,
    form_version,
    local_moment,
    local_today,
    localised,
    owner_choices,
    page_args,
    settings,
    text_arg,
)
from .views import control_choices as _control_choices

STATES = ("active", "expired", "requested", "rejected")


def _requirement_choices() -> dict:
    choices = {"": [("", "—")], **_control_choices()}
    docs = documents.list_documents(db.session, current_actor(), documents.DocumentFilter(),
                                    Page(per_page=500), today=local_today(),
                                    warning_days=0)[0]
    if docs:
        choices[_("Governing documents")] = [(f"document:{d.id}", d.title) for d in docs]
    return choices


def _form(dispensation=None) -> DispensationForm:
    data = None
    if request.method == "GET":
        if dispensation is None:
            data = {"emergency": "1" if request.args.get("emergency") == "1" else "",
                    "requirement": request.args.get("requirement") or "",
                    "requested_by_id": current_actor().id}
        else:
            decided = dispensation.decided_at.astimezone(settings().zone).replace(
                tzinfo=None) if dispensation.decided_at else None
            data = {"requirement": dispensation.requirement, "title": dispensation.title,
                    "reason": dispensation.reason,
                    "compensating_measures": dispensation.compensating_measures,
                    "requested_by_id": dispensation.requested_by_id,
                    "addressed_to": dispensation.addressed_to,
                    "valid_until": dispensation.desired_until,
                    "emergency": "1" if dispensation.emergency else "", "decided_at": decided,
                    "decided_by": dispensation.decided_on_the_spot_by,
                    "version": dispensation.version}
    form = DispensationForm(data=data)
    form.requirement.choices = _requirement_choices()
    form.requested_by_id.choices = owner_choices("—")
    return form


def _details(form) -> service.DispensationDetails:
    return service.DispensationDetails(
        requirement=form.requirement.data, reason=form.reason.data,
        compensating_measures=form.compensating_measures.data, title=form.title.data,
        requested_by_id=form.requested_by_id.data, addressed_to=form.addressed_to.data,
        desired_until=form.valid_until.data, emergency=form.emergency.data == "1",
        decided_at=local_moment(form.decided_at.data), decided_by=form.decided_by.data)


@bp.get("/dispensations")
@requires(Permission.VIEW_GOVERNANCE)
def list_dispensations():
    """Dispensations and emergency deviations, filtered, sorted and paged."""
    kind = text_arg("kind", ("request", "emergency"))
    filters = service.DispensationFilter(
        state=text_arg("state", STATES), emergency=None if kind is None else kind == "emergency",
        late=request.args.get("late") == "1", control=text_arg("control"), q=text_arg("q"))
    page = page_args(service.SORTS)
    now = utcnow()
    items, total = service.list_dispensations(db.session, current_actor(), filters, page,
                                              today=local_today(), now=now)
    return render_template("governance/dispensations.html", items=items, total=total,
                           page=page, filters=filters, kind=kind, states=STATES,
                           today=local_today(), now=now)


@bp.route("/dispensations/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def create_dispensation():
    """Record a request for dispensation, or an emergency deviation decided on the spot."""
    form = _form()
    if form.validate_on_submit():
        try:
            item = service.request_dispensation(
                db.session, current_actor(), _details(form), today=local_today(),
                report_days=settings().emergency_report_days)
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Emergency deviation recorded; report it to the chair.") if item.emergency
                  else _("Request for dispensation recorded."), "success")
            return redirect(url_for("governance.show_dispensation", dispensation_id=item.id))
    return render_template("governance/dispensation_form.html", form=form, dispensation=None,
                           report_days=settings().emergency_report_days), (
        422 if request.method == "POST" else 200)


@bp.route("/dispensations/<int:dispensation_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def edit_dispensation(dispensation_id: int):
    """Correct a request before it is decided."""
    item = service.get_dispensation(db.session, current_actor(), dispensation_id)
    if item.decisions:  # the service refuses the edit: say so before the user types
        flash(_("A decision has been made; record a new decision instead of editing the "
                "request."), "error")
        return redirect(url_for("governance.show_dispensation", dispensation_id=item.id))
    form = _form(item)
    if form.validate_on_submit():
        try:
            service.update_dispensation(db.session, current_actor(), item, _details(form),
                                        form_version(form) or 0, today=local_today(),
                                        report_days=settings().emergency_report_days)
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Dispensation saved."), "success")
            return redirect(url_for("governance.show_dispensation", dispensation_id=item.id))
    return render_template("governance/dispensation_form.html", form=form, dispensation=item,
                           report_days=settings().emergency_report_days), (
        422 if request.method == "POST" else 200)


def _render(item, decision=None, report=None, status: int = 200):
    if decision is None:
        decision = DecisionForm(formdata=None, data={
            "version": item.version, "decided_on": local_today(),
            "valid_until": item.desired_until if not item.decisions and item.desired_until
            and item.desired_until >= local_today() else None, "outcome": "approved"})
    if report is None:
        report = ReportForm(formdata=None, data={"version": item.version})
    return render_template("governance/dispensation.html", item=item, decision=decision,
                           report=report, today=local_today(), now=utcnow(),
                           locale_name=str(get_locale())), status


@bp.get("/dispensations/<int:dispensation_id>")
@requires(Permission.VIEW_GOVERNANCE)
def show_dispensation(dispensation_id: int):
    """One dispensation with every decision, newest first."""
    return _render(service.get_dispensation(db.session, current_actor(), dispensation_id))


@bp.post("/dispensations/<int:dispensation_id>/decisions")
@requires(Permission.MANAGE_GOVERNANCE)
def decide(dispensation_id: int):
    """Record the chair's decision; after an approval, a renewal."""
    item = service.get_dispensation(db.session, current_actor(), dispensation_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            service.decide(db.session, current_actor(), item, outcome=form.outcome.data,
                           decided_by=form.decided_by.data, decided_on=form.decided_on.data,
                           valid_from=form.valid_from.data, valid_until=form.valid_until.data,
                           conditions=form.conditions.data, today=local_today(),
                           version=form_version(form))
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Decision recorded."), "success")
            return redirect(url_for("governance.show_dispensation",
                                    dispensation_id=dispensation_id))
    item = service.get_dispensation(db.session, current_actor(), dispensation_id)
    return _render(item, decision=form, status=422)


@bp.post("/dispensations/<int:dispensation_id>/report")
@requires(Permission.MANAGE_GOVERNANCE)
def record_report(dispensation_id: int):
    """Record when an emergency deviation was reported to the chair."""
    item = service.get_dispensation(db.session, current_actor(), dispensation_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            service.record_report(db.session, current_actor(), item,
                                  reported_at=local_moment(form.reported_at.data),
                                  version=form_version(form))
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Report to the chair recorded."), "success")
            return redirect(url_for("governance.show_dispensation",
                                    dispensation_id=dispensation_id))
    else:
        flash(localised(service.invalid("reported_at", service.N_(
            "Give the date and time of the report."))), "error")
    item = service.get_dispensation(db.session, current_actor(), dispensation_id)
    return _render(item, report=form, status=422)
