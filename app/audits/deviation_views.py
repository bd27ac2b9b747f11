"""Finding pages, and the findings sections of the control page and the dashboard.

The list, a finding with its history, raising, editing, management's response, closing with
evidence and reopening.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from .. import params
from ..auth.current import current_actor
from ..auth.permissions import Permission, can, requires
from ..errors import Conflict, DomainError, Invalid
from ..extensions import db
from ..forms import put_error
from ..time import local_today, zone
from . import deviations as service
from .deviation_forms import (
    SEVERITY_LABELS,
    CloseForm,
    EditDeviationForm,
    RaiseDeviationForm,
    ReopenForm,
    RespondForm,
)
from .models import DeviationStatus

bp = Blueprint("deviations", __name__, url_prefix="/deviations")



def endpoint_url(endpoint: str, **values) -> str | None:
    """The URL of `endpoint`, or None while that page does not exist (built alongside)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def show_error(form, error: DomainError) -> None:
    """Put a service error, translated, on the field it names, or flash it."""
    template = getattr(error, "template", None)
    if template:
        error.message = _(template, **error.params)
    put_error(form, error)


def _owner_choices() -> list:
    return [SelectChoice("", _("Nobody yet"))] + [
        SelectChoice(u.id, u.name) for u in service.possible_owners(db.session)]


def _control_choices() -> dict:
    lang = str(get_locale())
    grouped: dict = {"": [("", "—")]}
    for control in service.raisable_controls(db.session):
        label = f"{control.code} — {control.text('title', lang)}"
        grouped.setdefault(control.catalogue.text("title", lang), []).append((control.key, label))
    return grouped


def _filters() -> service.DeviationFilter:
    args = request.args
    return service.DeviationFilter(
        status=args.get("status") or None, severity=args.get("severity") or None,
        control=(args.get("control") or "").strip() or None,
        engagement_id=params.optional_id(args, "engagement"), mine=args.get("mine") == "1",
        overdue=args.get("overdue") == "1", q=(args.get("q") or "").strip()[:200] or None)


# --- pages ----------------------------------------------------------------------------------

@bp.get("/")
@requires(Permission.VIEW_DEVIATIONS)
def list_deviations():
    """Findings the actor may see, filtered and paged, newest first."""
    page, filters = params.page_number(request.args), _filters()
    items, total = service.list_deviations(db.session, current_actor(), filters,
                                           today=local_today(), page=page)
    return render_template("deviations/list.html", items=items, total=total, page=page,
                           per_page=50, filters=filters, today=local_today(),
                           severities=SEVERITY_LABELS,
                           engagements=service.engagement_choices(db.session, current_actor()))


@bp.get("/<int:deviation_id>")
@requires(Permission.VIEW_DEVIATIONS)
def show_deviation(deviation_id: int):
    """One finding: what was found, management's response, closure, and its history."""
    return _detail(service.get_deviation(db.session, current_actor(), deviation_id))


def _detail(deviation, status: int = 200, **bound):
    actor, closed = current_actor(), deviation.status == DeviationStatus.CLOSED
    forms = {
        "respond_form": RespondForm(formdata=None, obj=deviation)
        if service.can_respond(actor, deviation) and not closed else None,
        "close_form": CloseForm(formdata=None, version=deviation.version)
        if service.can_close(actor, deviation) and not closed else None,
        "reopen_form": ReopenForm(formdata=None, version=deviation.version)
        if can(actor, Permission.MANAGE_DEVIATIONS) and closed else None,
    }
    forms.update(bound)
    if forms["close_form"] is not None:
        forms["close_form"].evidence_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(e.id, f"#{e.id} {e.title} ({e.period_end:%Y-%m-%d})")
            for e in service.evidence_choices(db.session, deviation.control)]
    visible = service.engagement_visible(actor, deviation.engagement)
    evidence = service.closing_evidence(db.session, deviation)
    return render_template(
        "deviations/show.html", deviation=deviation, today=local_today(),
        history=service.deviation_history(db.session, deviation, zone(current_app)),
        severities=SEVERITY_LABELS, closing_evidence=evidence,
        evidence_url=endpoint_url("evidence.show_evidence", evidence_id=evidence.id)
        if evidence else None,
        add_evidence_url=endpoint_url("evidence.add_evidence", kind="file",
                                      control=deviation.control.key),
        engagement_url=endpoint_url("audits.show_engagement",
                                    engagement_id=deviation.engagement_id) if visible else None,
        test_url=endpoint_url("audits.show_test", test_id=deviation.test_id)
        if visible and deviation.test_id else None,
        can_edit=can(actor, Permission.MANAGE_DEVIATIONS) and not closed, **forms), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.RAISE_DEVIATIONS)
def raise_deviation():
    """Raise a finding on a control (prefilled with ?control=key), or from a test (?test=id)."""
    test_id = params.optional_id(request.args, "test") or params.optional_id(request.form,
                                                                             "test_id")
    test = service.get_test(db.session, current_actor(), test_id) if test_id else None
    if not service.can_raise(current_actor(), test.engagement if test else None):
        abort(403)
    form = RaiseDeviationForm(control=test.control.key if test else request.args.get("control"),
                              test_id=test.id if test else "")
    form.control.choices = _control_choices()
    form.owner_id.choices = _owner_choices()
    if form.validate_on_submit():
        try:
            control = None if test else service.get_control(db.session, form.control.data)
            deviation = service.raise_deviation(
                db.session, current_actor(), control, form.title.data, form.description.data,
                form.severity.data, form.owner_id.data, form.due_on.data, test=test,
                today=local_today())
        except (Invalid, Conflict) as error:
            show_error(form, error)
        else:
            flash(_("Finding raised."), "success")
            return redirect(url_for("deviations.show_deviation", deviation_id=deviation.id))
    return render_template("deviations/raise.html", form=form, test=test), (
        422 if request.method == "POST" else 200)


@bp.route("/<int:deviation_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_DEVIATIONS)
def update_deviation(deviation_id: int):
    """Change a finding's text, severity, remediation owner or due date."""
    deviation = service.get_deviation(db.session, current_actor(), deviation_id)
    form = EditDeviationForm(obj=deviation)
    form.owner_id.choices = _owner_choices()
    if form.validate_on_submit():
        try:
            service.update_deviation(
                db.session, current_actor(), deviation, form.title.data, form.description.data,
                form.severity.data, form.owner_id.data, form.due_on.data,
                int(form.version.data or 0), today=local_today())
        except (Invalid, Conflict) as error:
            show_error(form, error)
        else:
            flash(_("Finding saved."), "success")
            return redirect(url_for("deviations.show_deviation", deviation_id=deviation.id))
    return render_template("deviations/edit.html", deviation=deviation, form=form), (
        422 if request.method == "POST" else 200)


@bp.post("/<int:deviation_id>/respond")
@requires(Permission.RESPOND_DEVIATION)
def respond(deviation_id: int):
    """Management's response (control owners: findings they own or on controls they own)."""
    deviation = service.get_deviation(db.session, current_actor(), deviation_id)
    form = RespondForm()
    if form.validate_on_submit():
        try:
            service.respond_to_deviation(db.session, current_actor(), deviation,
                                         form.root_cause.data, form.management_response.data,
                                         int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            show_error(form, error)
        else:
            flash(_("Response saved."), "success")
            return redirect(url_for("deviations.show_deviation", deviation_id=deviation.id))
    return _detail(deviation, 422, respond_form=form)


# Remediation owners close their own findings, so the route asks only for VIEW_DEVIATIONS and
# the service decides (MANAGE_DEVIATIONS, or the finding's owner).
@bp.post("/<int:deviation_id>/close")
@requires(Permission.VIEW_DEVIATIONS)
def close_deviation(deviation_id: int):
    """Close a finding with the evidence that it is remediated."""
    deviation = service.get_deviation(db.session, current_actor(), deviation_id)
    form = CloseForm()
    form.evidence_id.choices = []
    if form.validate_on_submit():
        try:
            service.close_deviation(db.session, current_actor(), deviation,
                                    form.evidence_id.data, form.note.data,
                                    int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            show_error(form, error)
        else:
            flash(_("Finding closed."), "success")
            return redirect(url_for("deviations.show_deviation", deviation_id=deviation.id))
    return _detail(deviation, 422, close_form=form)


@bp.post("/<int:deviation_id>/reopen")
@requires(Permission.MANAGE_DEVIATIONS)
def reopen_deviation(deviation_id: int):
    """Reopen a closed finding, saying why."""
    deviation = service.get_deviation(db.session, current_actor(), deviation_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            service.reopen_deviation(db.session, current_actor(), deviation, form.reason.data,
                                     int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            show_error(form, error)
        else:
            flash(_("Finding reopened."), "success")
            return redirect(url_for("deviations.show_deviation", deviation_id=deviation.id))
    return _detail(deviation, 422, reopen_form=form)


# --- sections on other pages ----------------------------------------------------------------

def control_section(session, actor, control) -> dict | None:
    """The control page's findings: unresolved ones, most severe first, and a way to raise."""
    if not can(actor, Permission.VIEW_DEVIATIONS):
        return None
    return {"template": "catalogue/_control_deviations.html", "control": control,
            "deviations": service.control_deviations(session, actor, control),
            "today": local_today(), "severities": SEVERITY_LABELS,
            "can_raise": can(actor, Permission.MANAGE_DEVIATIONS) and control.retired_at is None}


def dashboard_section(session, actor, overview) -> None:
    """The dashboard's findings card: unresolved by severity, overdue, awaiting my response."""
    if not can(actor, Permission.VIEW_DEVIATIONS):
        return
    counts = service.deviation_counts(session, actor, today=local_today())
    if counts.total or can(actor, Permission.MANAGE_DEVIATIONS):
        overview.sections["deviations"] = {
            "template": "dashboard/_deviations.html", "counts": counts,
            "severities": SEVERITY_LABELS,
            "responds": can(actor, Permission.RESPOND_DEVIATION)}


def register() -> None:
    """Add the findings to the navigation, the control page and the dashboard (idempotent)."""
    from flask_babel import lazy_gettext as _l

    from ..catalogue.views import CONTROL_SECTIONS
    from ..dashboard.service import CONTRIBUTORS
    from ..templating import NAVIGATION, NavItem

    for registry, hook in ((CONTROL_SECTIONS, control_section),
                           (CONTRIBUTORS, dashboard_section)):
        if hook not in registry:
            registry.append(hook)
    from ..notifications.providers import register_provider
    from . import deadline_provider

    register_provider(deadline_provider.finding_deadlines, deadline_provider.kinds())
    if not any(item.endpoint == "deviations.list_deviations" for item in NAVIGATION):
        NAVIGATION.append(NavItem(_l("Findings"), "deviations.list_deviations",
                                  Permission.VIEW_DEVIATIONS, "/deviations"))


register()
