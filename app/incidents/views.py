"""Incident pages: the register, the report form, an incident, its edit form, the notification.

Also the printable notification and the live clock fragments.

The forms posted from an incident's page are in `action_views.py` (same blueprint).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from .. import params
from ..auth.current import current_actor
from ..auth.permissions import Permission, can, requires
from ..db import utcnow
from ..errors import DomainError
from ..extensions import db
from ..forms import put_error
from ..time import local_today
from . import display, followup, notifications, queries, service
from .forms import (
    CATEGORY_LABELS,
    PHASE_LABELS,
    ROLE_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    SUBJECTS_LABELS,
    ActionForm,
    ChairForm,
    CloseForm,
    ContentForm,
    ControllerForm,
    IncidentForm,
    OutageReportForm,
    ReopenForm,
    ReportForm,
    SubjectsForm,
    SubmissionForm,
)
from .models import AUTHORITY

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
LABELS = {"severity": SEVERITY_LABELS, "category": CATEGORY_LABELS, "status": STATUS_LABELS,
          "role": ROLE_LABELS, "phase": PHASE_LABELS, "subjects": SUBJECTS_LABELS}


@bp.app_template_filter("zoned")
def zoned_filter(value) -> str:
    """An instant in the configured zone, the zone's abbreviation named."""
    return display.zoned(value)



def show_error(form, error: DomainError) -> None:
    """Put a service error, translated, on the field it names, or flash it."""
    template = getattr(error, "template", None)
    if template:
        params = dict(getattr(error, "params", {}))
        if "missing" in params and hasattr(error, "missing"):
            params["missing"] = "; ".join(_(item) for item in error.missing)
        error.message = _(template, **params)
    put_error(form, error)


def people_choices(first_label: str) -> list:
    """An owner/decider select: a first empty option, then the organisation's people."""
    return [SelectChoice("", first_label)] + [
        SelectChoice(u.id, u.name) for u in queries.people(db.session)]


def control_choices() -> dict:
    """Controls grouped by catalogue, for the linked-controls select."""
    from ..audits.deviations import raisable_controls

    lang, grouped = str(get_locale()), {}
    for control in raisable_controls(db.session):
        grouped.setdefault(control.catalogue.text("title", lang), []).append(
            (control.key, f"{control.code} — {control.text('title', lang)}"))
    return grouped


def _filters() -> queries.IncidentFilter:
    args = request.args
    sort = args.get("sort") if args.get("sort") in queries.SORTS else "detected_desc"
    return queries.IncidentFilter(
        q=(args.get("q") or "").strip()[:200] or None, status=args.get("status") or None,
        breach=args.get("breach") if args.get("breach") in queries.BREACH_FILTERS else None,
        role=args.get("role") or None, severity=args.get("severity") or None, sort=sort)


# --- the register --------------------------------------------------------------------------

@bp.get("/")
@requires(Permission.VIEW_INCIDENTS)
def list_incidents():
    """The incident register: filtered, sorted, searched and paged, with running clocks."""
    page, filters, now = params.page_number(request.args), _filters(), utcnow()
    items, total = queries.list_incidents(db.session, current_actor(), filters, page=page)
    return render_template("incidents/list.html", items=items, total=total, page=page,
                           per_page=queries.PER_PAGE, filters=filters, labels=LABELS,
                           clocks={i.id: display.incident_clocks(i, now) for i in items})


@bp.route("/report", methods=["GET", "POST"])
@requires(Permission.REPORT_INCIDENT)
def report_incident():
    """The short report: what happened and when it was noticed."""
    form = ReportForm()
    if request.method == "GET":
        form.detected_at.data = display.local_input(utcnow()).replace(second=0, microsecond=0)
    if form.validate_on_submit():
        try:
            incident = service.report_incident(db.session, current_actor(), service.IncidentReport(
                title=form.title.data, description=form.description.data,
                detected_at=display.from_input(form.detected_at.data),
                personal_data=form.personal_data.data), tz=display.zone())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Incident reported. The information-security coordinator has been given "
                    "it to qualify."), "success")
            return redirect(url_for("incidents.show_incident", incident_id=incident.id))
    return render_template("incidents/report.html", form=form), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:incident_id>")
@requires(Permission.VIEW_INCIDENTS)
def show_incident(incident_id: int):
    """One incident: its clocks, the record, the notification and the follow-up."""
    return detail(queries.get_incident(db.session, current_actor(), incident_id))


def detail(incident, status: int = 200, **bound):
    """Render an incident's page with its forms (stored values, or `bound` ones that failed)."""
    actor, now = current_actor(), utcnow()
    manage = can(actor, Permission.MANAGE_INCIDENTS) and not incident.is_closed
    forms = {}
    if manage:
        forms = {"controller_form": ControllerForm(formdata=None, version=incident.version),
                 "chair_form": ChairForm(formdata=None, version=incident.version,
                                         informed_on=incident.chair_informed_on or local_today(),
                                         informed_by_id=incident.chair_informed_by_id),
                 "action_form": ActionForm(formdata=None, version=incident.version),
                 "close_form": CloseForm(formdata=None, version=incident.version)}
        if incident.is_breach:
            forms["submission_form"] = SubmissionForm(
                formdata=None, version=incident.version,
                submitted_at=display.local_input(now).replace(second=0, microsecond=0))
            forms["subjects_form"] = SubjectsForm(
                formdata=None, version=incident.version, decision=incident.subjects_decision,
                reason_en=incident.subjects_reason_en, reason_da=incident.subjects_reason_da,
                informed_at=display.local_input(incident.subjects_informed_at))
        if incident.major_outage:
            forms["outage_form"] = OutageReportForm(formdata=None, version=incident.version)
    elif can(actor, Permission.MANAGE_INCIDENTS):
        forms["reopen_form"] = ReopenForm(formdata=None, version=incident.version)
    edited = bound.pop("edited_action", None)
    forms.update(bound)
    choices = _choices() if manage or edited else None
    if "chair_form" in forms:
        forms["chair_form"].informed_by_id.choices = [
            SelectChoice("", _("Me")), *choices["people"][1:]]
    if "action_form" in forms:
        _action_choices(forms["action_form"], choices)
    if "submission_form" in forms:
        forms["submission_form"].recipient.choices = recipient_choices(incident)
    return render_template(
        "incidents/show.html", incident=incident, labels=LABELS, now=now,
        clocks=display.incident_clocks(incident, now), manage=manage,
        missing=followup.missing_for_close(incident) if not incident.is_closed else [],
        firsts={key: s.id for key, s in notifications.first_submissions(incident).items()},
        report=_management_report(incident),
        history=queries.incident_history(db.session, incident, display.zone()),
        action_forms=_edit_action_forms(incident, manage, choices, edited), **forms), status


def _choices() -> dict:
    """The people and findings the page's selects offer, read once (two queries)."""
    return {"people": people_choices(_("Nobody yet")),
            "findings": [SelectChoice("", _("None"))] + [
                SelectChoice(d.id, f"#{d.id} {d.title}")
                for d in queries.finding_choices(db.session)]}


def _action_choices(form, choices: dict) -> None:
    form.owner_id.choices = choices["people"]
    form.deviation_id.choices = choices["findings"]


def _edit_action_forms(incident, manage: bool, choices: dict | None, edited=None) -> dict:
    if not manage or not incident.actions:
        return {}
    result = {}
    for action in incident.actions:
        form = edited[1] if edited and edited[0] == action.id else ActionForm(
            formdata=None, obj=action, version=incident.version, prefix=f"a{action.id}")
        _action_choices(form, choices)
        result[action.id] = form
    return result


def recipient_choices(incident) -> list:
    """Who a submission can go to: the authority (controller role) or a listed controller."""
    if incident.is_controller:
        return [SelectChoice(AUTHORITY, _("Datatilsynet (supervisory authority)"))]
    return [SelectChoice(str(c.id), c.name) for c in incident.controllers]


def _management_report(incident):
    if incident.management_report_id is None:
        return None
    from ..evidence.models import Evidence

    return db.session.get(Evidence, incident.management_report_id)


@bp.get("/<int:incident_id>/clocks")
@requires(Permission.VIEW_INCIDENTS)
def incident_clock_fragment(incident_id: int):
    """The incident's countdowns as an HTML fragment, for the page to refresh itself."""
    incident = queries.get_incident(db.session, current_actor(), incident_id)
    return render_template("incidents/_clocks.html", clocks=display.incident_clocks(
        incident, utcnow()), incident=incident)


@bp.get("/clocks")
@requires(Permission.VIEW_INCIDENTS)
def dashboard_clock_fragment():
    """The dashboard tile's running clocks as an HTML fragment."""
    return render_template("incidents/_running.html",
                           section=dashboard_context(db.session, current_actor()))


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_INCIDENTS)
def update_incident(incident_id: int):
    """Qualify or edit an incident; the form opens with the stored values."""
    incident = queries.get_incident(db.session, current_actor(), incident_id)
    if incident.is_closed:
        return _closed(incident)
    form = IncidentForm(obj=incident, controls=[c.key for c in incident.controls])
    if request.method == "GET":
        for name in ("occurred_at", "detected_at", "became_aware_at"):
            getattr(form, name).data = display.local_input(getattr(incident, name))
    form.breach_decided_by_id.choices = people_choices(_("Me"))
    form.controls.choices = control_choices()
    if form.validate_on_submit():
        try:
            service.update_incident(db.session, current_actor(), incident,
                                    _details(form), _version(form), tz=display.zone())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Incident saved."), "success")
            return redirect(url_for("incidents.show_incident", incident_id=incident.id))
    return render_template("incidents/edit.html", incident=incident, form=form), (
        422 if request.method == "POST" else 200)


def _closed(incident):
    """A closed incident's edit pages send the user back to it, saying why."""
    flash(_("This incident is closed. Reopen it first."), "error")
    return redirect(url_for("incidents.show_incident", incident_id=incident.id))


def _version(form) -> int | None:
    value = str(form.version.data or "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _details(form) -> service.IncidentDetails:
    values = {name: getattr(form, name).data for name in service.detail_fields()
              if hasattr(form, name)}
    for name in ("occurred_at", "detected_at", "became_aware_at"):
        values[name] = display.from_input(values[name])
    values["role"] = values["role"] or "controller"
    values["controls"] = values["controls"] or []
    return service.IncidentDetails(**values)


@bp.route("/<int:incident_id>/notification", methods=["GET", "POST"])
@requires(Permission.MANAGE_INCIDENTS)
def edit_content(incident_id: int):
    """What the notification says (Art. 33(3)), in English and Danish side by side."""
    incident = queries.get_incident(db.session, current_actor(), incident_id)
    if incident.is_closed:
        return _closed(incident)
    form = ContentForm(obj=incident)
    if form.validate_on_submit():
        content = notifications.NotificationContent(**{
            name: getattr(form, name).data for name in
            notifications.NotificationContent.__dataclass_fields__})
        try:
            notifications.save_content(db.session, current_actor(), incident, content,
                                       _version(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Notification content saved."), "success")
            return redirect(url_for("incidents.show_incident", incident_id=incident.id,
                                    _anchor="notification"))
    return render_template("incidents/content.html", incident=incident, form=form), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:incident_id>/notification.pdf")
@requires(Permission.VIEW_INCIDENTS)
def notification_pdf(incident_id: int):
    """The notification as a PDF in Danish or English (?lang=da|en), for submission."""
    from . import printing

    lang = request.args.get("lang") or str(get_locale())
    if lang not in ("da", "en"):
        abort(404)
    incident = queries.get_incident(db.session, current_actor(), incident_id)
    if not incident.is_breach:
        abort(404)
    pdf = printing.notification_pdf(db.session, incident, lang, display.zone(), local_today())
    name = f"incident-{incident.id}-notification-{lang}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


# --- hooks into shared pages ---------------------------------------------------------------

def dashboard_context(session, actor) -> dict:
    """What the dashboard tile shows (four queries)."""
    summary = queries.dashboard_summary(session, actor)
    now = utcnow()
    running = [{"incident": item.incident, "view": display.clock_view(
        item.clock, item.controller.name if item.controller else (
            _("Datatilsynet") if item.incident.is_controller else _("The controllers")), now)}
        for item in summary.running]
    return {"template": "incidents/_dashboard.html", "summary": summary, "running": running,
            "manage": can(actor, Permission.MANAGE_INCIDENTS),
            "report": can(actor, Permission.REPORT_INCIDENT)}


def control_section(session, actor, control) -> dict | None:
    """The control page's incidents: the newest linked to the control."""
    if not can(actor, Permission.VIEW_INCIDENTS):
        return None
    incidents = queries.control_incidents(session, actor, control)
    if not incidents:
        return None
    return {"template": "incidents/_control_section.html", "incidents": incidents,
            "labels": LABELS}


def dashboard_section(session, actor, overview) -> None:
    """The dashboard tile: running breach clocks, and what waits for the coordinator."""
    if can(actor, Permission.VIEW_INCIDENTS):
        overview.sections["incidents"] = dashboard_context(session, actor)
