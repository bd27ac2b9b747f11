"""Follow-up pages on the vendors blueprint: statements, follow-ups, change notices, objections."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..extensions import db
from ..time import local_today
from . import follow_up, notices, queries
from .checks import require_follow_up
from .forms import (
    SPARE_OBSERVATION_ROWS,
    FollowUpForm,
    NoticeForm,
    ObjectionForm,
    StatementForm,
    choices,
)
from .models import ChangeNotice, FollowUp, Objection
from .views import bp, context, handle, upload

RECORD = Permission.RECORD_SUBPROCESSOR_FOLLOW_UP


def _subprocessor(subprocessor_id: int):
    require_follow_up(db.session, current_actor())
    return queries.get_subprocessor(db.session, current_actor(), subprocessor_id,
                                    today=local_today()).subprocessor


def _back(sp_id: int, anchor: str):
    return lambda _row: url_for("vendors.show_subprocessor", subprocessor_id=sp_id,
                                _anchor=anchor)


# -- statements -----------------------------------------------------------------------------

def _statement_details(form) -> follow_up.StatementDetails:
    rows = [follow_up.ObservationDetails(
        description=row.description.data, significance=row.significance.data or None,
        comment=row.comment.data, remediation_due=row.remediation_due.data)
        for row in (entry.form for entry in form.observations)
        if (row.description.data or "").strip() or row.significance.data
        or (row.comment.data or "").strip() or row.remediation_due.data]
    return follow_up.StatementDetails(
        year=form.year.data, received_on=form.received_on.data, opinion=form.opinion.data,
        observations=rows, no_observations=form.no_observations.data,
        statement_type=form.statement_type.data or None, period_start=form.period_start.data,
        period_end=form.period_end.data)


def _spare_rows(form) -> None:
    if not form.is_submitted():
        for _index in range(SPARE_OBSERVATION_ROWS):
            form.observations.append_entry()


@bp.route("/<int:subprocessor_id>/statements/new", methods=["GET", "POST"])
@requires(RECORD)
def record_statement(subprocessor_id: int):
    """Record a year's auditor's statement with its observations and file."""
    sp = _subprocessor(subprocessor_id)
    form = StatementForm(year=_year_arg(sp))
    _spare_rows(form)
    return handle(form, lambda: follow_up.record_statement(
        db.session, current_actor(), sp, _statement_details(form), context(),
        upload(form.file.data)), _("Statement recorded."), _back(sp.id, "statements"),
        "vendors/statement.html", sp=sp, statement=None)


def _year_arg(sp) -> int | None:
    from flask import request

    year = request.args.get("year", type=int)
    return year if year and sp.start_date.year <= year <= 2100 else None


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
@requires(RECORD)
def edit_statement(statement_id: int):
    """Correct a statement; the form opens with its stored values and observations."""
    require_follow_up(db.session, current_actor())
    statement = queries.get_statement(db.session, current_actor(), statement_id)
    form = StatementForm(data={
        name: getattr(statement, name) for name in (
            "year", "received_on", "statement_type", "period_start", "period_end", "opinion",
            "no_observations", "version")} | {"observations": [
        {"description": o.description, "significance": o.significance, "comment": o.comment,
         "remediation_due": o.remediation_due} for o in statement.observations]})
    _spare_rows(form)
    return handle(form, lambda: follow_up.update_statement(
        db.session, current_actor(), statement, _statement_details(form),
        int(form.version.data or 0), context(), upload(form.file.data)),
        _("Statement saved."), _back(statement.subprocessor_id, "statements"),
        "vendors/statement.html", sp=statement.subprocessor, statement=statement)


# -- follow-ups -----------------------------------------------------------------------------

def _follow_up_form(**data) -> FollowUpForm:
    form = FollowUpForm(data=data or None)
    form.performed_by_id.choices = choices(
        [(u.id, u.name) for u in queries.possible_performers(db.session)], _("Me"))
    return form


def _follow_up_details(form) -> follow_up.FollowUpDetails:
    return follow_up.FollowUpDetails(
        kind=form.kind.data or None, performed_on=form.performed_on.data,
        conclusion=form.conclusion.data, performed_by_id=form.performed_by_id.data,
        controllers_informed_on=form.controllers_informed_on.data)


@bp.route("/<int:subprocessor_id>/follow-ups/new", methods=["GET", "POST"])
@requires(RECORD)
def record_follow_up(subprocessor_id: int):
    """Record an inspection, meeting, questionnaire or statement review."""
    sp = _subprocessor(subprocessor_id)
    form = _follow_up_form()
    return handle(form, lambda: follow_up.record_follow_up(
        db.session, current_actor(), sp, _follow_up_details(form), context(),
        upload(form.file.data)), _("Follow-up recorded."), _back(sp.id, "follow-ups"),
        "vendors/follow_up.html", sp=sp, follow_up=None)


@bp.route("/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
@requires(RECORD)
def edit_follow_up(follow_up_id: int):
    """Correct a follow-up; the form opens with its stored values."""
    require_follow_up(db.session, current_actor())
    row = queries.get_child(db.session, current_actor(), FollowUp, follow_up_id,
                            "No such follow-up.")
    form = _follow_up_form(**{name: getattr(row, name) for name in (
        "kind", "performed_on", "performed_by_id", "conclusion", "controllers_informed_on",
        "version")})
    return handle(form, lambda: follow_up.update_follow_up(
        db.session, current_actor(), row, _follow_up_details(form),
        int(form.version.data or 0), context(), upload(form.file.data)),
        _("Follow-up saved."), _back(row.subprocessor_id, "follow-ups"),
        "vendors/follow_up.html", sp=row.subprocessor, follow_up=row)


# -- change notices and objections ----------------------------------------------------------

def _notice_form(sp, **data) -> NoticeForm:
    form = NoticeForm(data=data or None)
    form.replaces_id.choices = choices(
        [(other.id, other.name) for other in queries.other_subprocessors(db.session, sp.id)],
        "—")
    return form


def _notice_details(form) -> notices.NoticeDetails:
    return notices.NoticeDetails(
        kind=form.kind.data, notified_on=form.notified_on.data,
        effective_on=form.effective_on.data, controllers=form.controllers.data,
        replaces_id=form.replaces_id.data, note=form.note.data)


@bp.route("/<int:subprocessor_id>/changes/new", methods=["GET", "POST"])
@requires(RECORD)
def record_change(subprocessor_id: int):
    """Record a change notice given to the controllers."""
    sp = _subprocessor(subprocessor_id)
    form = _notice_form(sp)
    return handle(form, lambda: notices.record_change(
        db.session, current_actor(), sp, _notice_details(form), context()),
        _("Change notice recorded."), _back(sp.id, "notices"), "vendors/notice.html",
        sp=sp, notice=None)


@bp.route("/changes/<int:notice_id>/edit", methods=["GET", "POST"])
@requires(RECORD)
def edit_change(notice_id: int):
    """Correct a change notice; the form opens with its stored values."""
    require_follow_up(db.session, current_actor())
    notice = queries.get_child(db.session, current_actor(), ChangeNotice, notice_id,
                               "No such change notice.")
    form = _notice_form(notice.subprocessor, **{name: getattr(notice, name) for name in (
        "kind", "replaces_id", "notified_on", "effective_on", "note", "version")},
        controllers="\n".join(notice.controllers or []))
    return handle(form, lambda: notices.update_change(
        db.session, current_actor(), notice, _notice_details(form),
        int(form.version.data or 0), context()), _("Change notice saved."),
        _back(notice.subprocessor_id, "notices"), "vendors/notice.html",
        sp=notice.subprocessor, notice=notice)


def _objection_details(form) -> notices.ObjectionDetails:
    return notices.ObjectionDetails(
        controller=form.controller.data, received_on=form.received_on.data,
        reason=form.reason.data, outcome=form.outcome.data or "pending",
        outcome_note=form.outcome_note.data, decided_on=form.decided_on.data)


@bp.route("/changes/<int:notice_id>/objections/new", methods=["GET", "POST"])
@requires(RECORD)
def record_objection(notice_id: int):
    """Record a controller's objection to a change notice."""
    require_follow_up(db.session, current_actor())
    notice = queries.get_child(db.session, current_actor(), ChangeNotice, notice_id,
                               "No such change notice.")
    form = ObjectionForm(outcome="pending")
    return handle(form, lambda: notices.record_objection(
        db.session, current_actor(), notice, _objection_details(form), context()),
        _("Objection recorded."), _back(notice.subprocessor_id, "notices"),
        "vendors/objection.html", sp=notice.subprocessor, notice=notice, objection=None)


@bp.route("/objections/<int:objection_id>/edit", methods=["GET", "POST"])
@requires(RECORD)
def edit_objection(objection_id: int):
    """Record the outcome of an objection, or correct it."""
    require_follow_up(db.session, current_actor())
    objection = queries.get_child(db.session, current_actor(), Objection, objection_id,
                                  "No such objection.")
    form = ObjectionForm(data={name: getattr(objection, name) for name in (
        "controller", "received_on", "reason", "outcome", "decided_on", "outcome_note",
        "version")})
    return handle(form, lambda: notices.update_objection(
        db.session, current_actor(), objection, _objection_details(form),
        int(form.version.data or 0), context()), _("Objection saved."),
        _back(objection.notice.subprocessor_id, "notices"), "vendors/objection.html",
        sp=objection.notice.subprocessor, notice=objection.notice, objection=objection)
