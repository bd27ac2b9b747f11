"""The forms posted from an incident's page.

Controllers, notifications, Art. 34, the chair, the outage report, corrective actions,
closing and reopening.

Each parses its form, calls one service and redirects; a refused write re-renders the page
with the error at its field and the input kept (422).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import DomainError
from ..evidence import service as evidence_service
from ..extensions import db
from ..time import local_today
from . import display, followup, notifications, queries
from .forms import (
    ActionForm,
    ChairForm,
    CloseForm,
    ControllerForm,
    OutageReportForm,
    RemoveControllerForm,
    ReopenForm,
    SubjectsForm,
    SubmissionForm,
)
from .views import _version, bp, detail, show_error


def _incident(incident_id: int):
    return queries.get_incident(db.session, current_actor(), incident_id)


def _done(incident, message: str, anchor: str):
    flash(message, "success")
    return redirect(url_for("incidents.show_incident", incident_id=incident.id, _anchor=anchor))


def _refused(incident, form_name: str, form, error: DomainError | None = None):
    if error is not None:
        show_error(form, error)
    db.session.expire_all()
    return detail(queries.get_incident(db.session, current_actor(), incident.id), 422,
                  **{form_name: form})


@bp.post("/<int:incident_id>/controllers")
@requires(Permission.MANAGE_INCIDENTS)
def add_controller(incident_id: int):
    """List a controller we notify as processor, with its agreed hours."""
    incident, form = _incident(incident_id), ControllerForm()
    if form.validate_on_submit():
        try:
            notifications.add_controller(db.session, current_actor(), incident, form.name.data,
                                   form.notice_hours.data, _version(form))
        except DomainError as error:
            return _refused(incident, "controller_form", form, error)
        return _done(incident, _("Controller added."), "clocks")
    return _refused(incident, "controller_form", form)


@bp.post("/<int:incident_id>/controllers/<int:controller_id>/remove")
@requires(Permission.MANAGE_INCIDENTS)
def remove_controller(incident_id: int, controller_id: int):
    """Take a controller off the list."""
    incident, form = _incident(incident_id), RemoveControllerForm()
    try:
        notifications.remove_controller(db.session, current_actor(), incident, controller_id,
                                  _version(form))
    except DomainError as error:
        return _refused(incident, "controller_form", ControllerForm(formdata=None,
                        version=incident.version), error)
    return _done(incident, _("Controller removed."), "clocks")


@bp.post("/<int:incident_id>/submissions")
@requires(Permission.MANAGE_INCIDENTS)
def record_submission(incident_id: int):
    """Record a notification, or a later phase of it."""
    incident, form = _incident(incident_id), SubmissionForm()
    form.recipient.choices = []
    if form.validate_on_submit():
        try:
            notifications.record_submission(
                db.session, current_actor(), incident, notifications.SubmissionDetails(
                    recipient=form.recipient.data or "",
                    submitted_at=display.from_input(form.submitted_at.data),
                    phase=form.phase.data, reference=form.reference.data,
                    summary=form.summary.data, delay_reason_en=form.delay_reason_en.data,
                    delay_reason_da=form.delay_reason_da.data), _version(form))
        except DomainError as error:
            return _refused(incident, "submission_form", form, error)
        return _done(incident, _("Notification recorded."), "submissions")
    return _refused(incident, "submission_form", form)


@bp.post("/<int:incident_id>/subjects")
@requires(Permission.MANAGE_INCIDENTS)
def decide_subjects(incident_id: int):
    """Art. 34: whether, why and when the data subjects are informed."""
    incident, form = _incident(incident_id), SubjectsForm()
    if form.validate_on_submit():
        try:
            notifications.decide_subjects(
                db.session, current_actor(), incident, form.decision.data, form.reason_en.data,
                form.reason_da.data, display.from_input(form.informed_at.data), _version(form))
        except DomainError as error:
            return _refused(incident, "subjects_form", form, error)
        return _done(incident, _("Decision about the data subjects saved."), "subjects")
    return _refused(incident, "subjects_form", form)


@bp.post("/<int:incident_id>/chair")
@requires(Permission.MANAGE_INCIDENTS)
def record_chair(incident_id: int):
    """Record when the chair of the security committee was informed, and by whom."""
    incident, form = _incident(incident_id), ChairForm()
    if form.validate_on_submit():
        try:
            followup.record_chair_informed(db.session, current_actor(), incident,
                                          form.informed_on.data, form.informed_by_id.data,
                                          _version(form), today=local_today())
        except DomainError as error:
            return _refused(incident, "chair_form", form, error)
        return _done(incident, _("Chair informed: recorded."), "record")
    return _refused(incident, "chair_form", form)


@bp.post("/<int:incident_id>/outage-report")
@requires(Permission.MANAGE_INCIDENTS)
def attach_report(incident_id: int):
    """Keep IT's report to top management on a major outage as evidence."""
    from ..evidence.views import settings

    incident, form = _incident(incident_id), OutageReportForm()
    if form.validate_on_submit():
        storage = form.file.data
        upload = evidence_service.Upload(storage.stream, storage.filename, storage.mimetype) \
            if storage is not None and getattr(storage, "filename", "") else None
        try:
            followup.attach_management_report(
                db.session, current_actor(), incident, followup.OutageReport(
                    form.reported_on.data, form.consequences.data, form.causes.data,
                    form.solutions.data, upload), settings(current_app), _version(form),
                today=local_today())
        except DomainError as error:
            return _refused(incident, "outage_form", form, error)
        return _done(incident, _("Report to top management kept as evidence."), "followup")
    return _refused(incident, "outage_form", form)


def _action_details(form) -> followup.ActionDetails:
    return followup.ActionDetails(description=form.description.data,
                                  owner_id=form.owner_id.data, due_on=form.due_on.data,
                                  done_on=form.done_on.data, deviation_id=form.deviation_id.data)


@bp.post("/<int:incident_id>/actions")
@requires(Permission.MANAGE_INCIDENTS)
def add_action(incident_id: int):
    """Add a corrective action."""
    incident, form = _incident(incident_id), ActionForm()
    if form.validate_on_submit():
        try:
            followup.add_action(db.session, current_actor(), incident, _action_details(form),
                                _version(form), today=local_today())
        except DomainError as error:
            return _refused(incident, "action_form", form, error)
        return _done(incident, _("Corrective action added."), "followup")
    return _refused(incident, "action_form", form)


@bp.post("/<int:incident_id>/actions/<int:action_id>")
@requires(Permission.MANAGE_INCIDENTS)
def update_action(incident_id: int, action_id: int):
    """Change a corrective action, or mark it done."""
    incident, form = _incident(incident_id), ActionForm(prefix=f"a{action_id}")
    if form.validate_on_submit():
        try:
            followup.update_action(db.session, current_actor(), incident, action_id,
                                   _action_details(form), _version(form), today=local_today())
        except DomainError as error:
            show_error(form, error)
        else:
            return _done(incident, _("Corrective action saved."), "followup")
    db.session.expire_all()
    return detail(_incident(incident_id), 422, edited_action=(action_id, form))


@bp.post("/<int:incident_id>/close")
@requires(Permission.MANAGE_INCIDENTS)
def close_incident(incident_id: int):
    """Close the incident once its record is complete."""
    incident, form = _incident(incident_id), CloseForm()
    try:
        followup.close_incident(db.session, current_actor(), incident, _version(form),
                               today=local_today())
    except DomainError as error:
        return _refused(incident, "close_form", form, error)
    return _done(incident, _("Incident closed."), "record")


@bp.post("/<int:incident_id>/reopen")
@requires(Permission.MANAGE_INCIDENTS)
def reopen_incident(incident_id: int):
    """Reopen a closed incident, saying why."""
    incident, form = _incident(incident_id), ReopenForm()
    try:
        followup.reopen_incident(db.session, current_actor(), incident, form.reason.data,
                                _version(form))
    except DomainError as error:
        return _refused(incident, "reopen_form", form, error)
    return _done(incident, _("Incident reopened."), "record")
