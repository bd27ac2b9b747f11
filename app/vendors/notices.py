"""Change notices to the controllers (activity F.3) and their objections.

Adding or replacing a generally approved sub-processor is notified at least 30 days before it
takes effect; a notice with less is recorded and flagged, not refused (what happened is what
the auditor must see). The controller may object within one month of receipt (rules.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..auth.models import User
from ..ledger.service import append
from .checks import (
    MAX_NAME,
    N_,
    VendorContext,
    check_version,
    choice,
    day,
    invalid,
    items,
    not_future,
    optional_text,
    require_follow_up,
    text,
    unit_of_work,
)
from .models import ChangeKind, ChangeNotice, Objection, Outcome, SubProcessor


@dataclass(frozen=True)
class NoticeDetails:
    """What a change notice says."""

    kind: str | None
    notified_on: date | None
    effective_on: date | None
    controllers: Sequence[str] | str = ()  # empty: the sub-processor's controllers
    replaces_id: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ObjectionDetails:
    """A controller's objection and, once decided, its outcome."""

    controller: str | None
    received_on: date | None
    reason: str | None
    outcome: str = Outcome.PENDING.value
    outcome_note: str | None = None
    decided_on: date | None = None


def _check_notice(session: Session, sp: SubProcessor, details: NoticeDetails,
                  today: date) -> dict:
    kind = choice("kind", details.kind, ChangeKind, N_("Choose whether the notice adds a "
                                                       "sub-processor or replaces one."))
    notified = not_future("notified_on", day("notified_on", details.notified_on, N_(
        "Give the date the controllers were notified.")), today)
    effective = day("effective_on", details.effective_on,
                    N_("Give the date the change takes effect."))
    if effective < notified:
        raise invalid("effective_on", N_("The change cannot take effect before the notice "
                                         "was given."))
    replaces_id = details.replaces_id or None
    if kind == ChangeKind.ADD:
        replaces_id = None
    elif replaces_id is not None:
        other = session.get(SubProcessor, replaces_id)
        if other is None or other.id == sp.id:
            raise invalid("replaces_id", N_("Choose the sub-processor that is replaced."))
    controllers = items("controllers", details.controllers) or list(sp.controllers or [])
    return {"kind": kind, "notified_on": notified, "effective_on": effective,
            "replaces_id": replaces_id, "controllers": controllers,
            "note": optional_text("note", details.note)}


def record_change(session: Session, actor, sp: SubProcessor, details: NoticeDetails,
                  ctx: VendorContext) -> ChangeNotice:
    """Record that the controllers were notified of adding or replacing a sub-processor."""
    require_follow_up(session, actor)
    values = _check_notice(session, sp, details, ctx.today)
    notice = ChangeNotice(**values, created_by_id=actor.id if isinstance(actor, User) else None)
    with unit_of_work(session):
        sp.notices.append(notice)
        session.flush()
        append(session, actor, "subprocessor_change.notified", notice, {
            "subprocessor": sp.id, **values, "notice_days": notice.notice_days,
            "short_notice": notice.short_notice,
            "objection_deadline": notice.objection_deadline})
    return notice


def update_change(session: Session, actor, notice: ChangeNotice, details: NoticeDetails,
                  version: int, ctx: VendorContext) -> ChangeNotice:
    """Correct a recorded change notice."""
    require_follow_up(session, actor)
    check_version(notice, version, "notice")
    values = _check_notice(session, notice.subprocessor, details, ctx.today)
    if any(o.received_on < values["notified_on"] for o in notice.objections):
        raise invalid("notified_on", N_("An objection was received before this date."))
    changes = {k: [getattr(notice, k), v] for k, v in values.items() if getattr(notice, k) != v}
    if not changes:
        return notice
    with unit_of_work(session, "notice"):
        for name, value in values.items():
            setattr(notice, name, value)
        append(session, actor, "subprocessor_change.updated", notice, {
            "subprocessor": notice.subprocessor_id, **changes,
            "short_notice": notice.short_notice})
    return notice


def _check_objection(notice: ChangeNotice, details: ObjectionDetails, today: date) -> dict:
    received = not_future("received_on", day("received_on", details.received_on, N_(
        "Give the date the objection was received.")), today)
    if received < notice.notified_on:
        raise invalid("received_on", N_("The objection cannot arrive before the notice was "
                                        "given."))
    outcome = choice("outcome", details.outcome or Outcome.PENDING.value, Outcome,
                     N_("Choose the outcome."))
    decided = day("decided_on", details.decided_on)
    if outcome != Outcome.PENDING:
        if decided is None:
            raise invalid("decided_on", N_("Give the date the outcome was decided."))
        not_future("decided_on", decided, today)
        if decided < received:
            raise invalid("decided_on", N_("The outcome cannot be decided before the objection "
                                           "was received."))
    else:
        decided = None
    return {"controller": text("controller", details.controller,
                               N_("Name the controller that objects."), MAX_NAME),
            "received_on": received,
            "reason": text("reason", details.reason, N_("Give the controller's grounds.")),
            "outcome": outcome, "outcome_note": optional_text("outcome_note",
                                                              details.outcome_note),
            "decided_on": decided}


def record_objection(session: Session, actor, notice: ChangeNotice, details: ObjectionDetails,
                     ctx: VendorContext) -> Objection:
    """Record a controller's objection to a change notice."""
    require_follow_up(session, actor)
    values = _check_objection(notice, details, ctx.today)
    objection = Objection(**values)
    with unit_of_work(session):
        notice.objections.append(objection)
        session.flush()
        append(session, actor, "subprocessor_objection.recorded", objection, {
            "notice": notice.id, **values, "late": objection.is_late})
    return objection


def update_objection(session: Session, actor, objection: Objection, details: ObjectionDetails,
                     version: int, ctx: VendorContext) -> Objection:
    """Record the outcome of an objection, or correct it."""
    require_follow_up(session, actor)
    check_version(objection, version, "objection")
    values = _check_objection(objection.notice, details, ctx.today)
    changes = {k: [getattr(objection, k), v] for k, v in values.items()
               if getattr(objection, k) != v}
    if not changes:
        return objection
    with unit_of_work(session, "objection"):
        for name, value in values.items():
            setattr(objection, name, value)
        append(session, actor, "subprocessor_objection.updated", objection,
               {"notice": objection.notice_id, **changes})
    return objection
