"""Dispensations and emergency deviations (policy §13).

A dispensation is requested in writing from the chair of the security committee, naming the
requirement (a control or a governing document), why it cannot be met and the compensating
measures. Each decision (approved or rejected, validity, conditions) is a row of its own: a
renewal is a new decision and the history stays. An emergency deviation is decided on the spot
and must be reported to the chair within `KONTROL_EMERGENCY_REPORT_DAYS` (default 3) × 24
hours of the instant it was decided (`rules.report_due`); missing that is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth import scope
from ..auth.permissions import Permission, require
from ..catalogue.models import Control
from ..db import utcnow
from ..errors import Conflict, NotFound
from ..ledger.service import append
from . import rules
from .common import (
    MAX_NAME,
    MAX_TITLE,
    N_,
    Page,
    choice,
    day,
    fresh,
    invalid,
    paged,
    person,
    text,
    unit_of_work,
)
from .models.dispensations import Dispensation, DispensationDecision
from .models.documents import GoverningDocument

CHAIR = "Chair of the security committee"
SORTS = {"requested": Dispensation.requested_on, "valid_until": Dispensation.valid_until,
         "status": Dispensation.status, "title": Dispensation.title,
         "report_due": Dispensation.report_due_at}


@dataclass(frozen=True)
class DispensationDetails:
    """A request, or an emergency deviation decided on the spot."""

    requirement: str | None  # a control key, or document:<id>
    reason: str
    compensating_measures: str
    title: str | None = None
    requested_by_id: int | None = None
    addressed_to: str | None = None
    desired_until: date | None = None
    emergency: bool = False
    decided_at: datetime | None = None
    decided_by: str | None = None  # who decided on the spot


def _requirement(session: Session, value: str | None):
    value = (value or "").strip()
    if not value:
        raise invalid("requirement", N_("Name the requirement: a control key or a governing "
                                        "document."))
    if value.startswith("document:"):
        number = value.removeprefix("document:")
        document = session.get(GoverningDocument, int(number)) if number.isdigit() and (
            len(number) < 10 and int(number) < 2**31) else None
        if document is None:
            raise invalid("requirement", N_("No governing document %(ref)s."), ref=value)
        return None, document
    control = session.scalar(select(Control).where(Control.key == value))
    if control is None or control.retired_at is not None:
        raise invalid("requirement", N_("No control with key %(keys)s."), keys=value)
    return control, None


def _check(session: Session, actor, details: DispensationDetails, today: date,
           report_days: int) -> dict:
    control, document = _requirement(session, details.requirement)
    values = {
        "control_id": control.id if control else None,
        "document_id": document.id if document else None,
        "reason": text(details.reason, "reason", required=N_("Say why the requirement cannot "
                                                             "be met.")),
        "compensating_measures": text(details.compensating_measures, "compensating_measures",
                                      required=N_("Describe the compensating measures.")),
        "addressed_to": text(details.addressed_to, "addressed_to", limit=MAX_NAME,
                             single_line=True) or CHAIR,
        "desired_until": day(details.desired_until, "valid_until"),
        "emergency": bool(details.emergency),
    }
    default_title = f"{control.code} {control.title_en}" if control else document.title
    values["title"] = text(details.title, "title", limit=MAX_TITLE, single_line=True) or (
        default_title[:MAX_TITLE])
    requester = person(session, details.requested_by_id, "requested_by_id", required=False)
    values["requested_by_id"] = requester.id if requester else getattr(actor, "id", None)
    if details.emergency:
        decided_at = details.decided_at
        if decided_at is None:
            raise invalid("decided_at", N_("Give the date and time the deviation was decided."))
        if decided_at.tzinfo is None:
            raise invalid("decided_at", N_("Give the time with its UTC offset."))
        if decided_at > utcnow() or not rules.in_bounds(decided_at.date()):
            raise invalid("decided_at", N_("The deviation cannot be decided in the future."))
        values.update(
            decided_at=decided_at,
            decided_on_the_spot_by=text(details.decided_by, "decided_by", limit=MAX_NAME,
                                        single_line=True, required=N_("Give who decided.")),
            report_due_at=rules.report_due(decided_at, report_days),
            requested_on=decided_at.date(), status="emergency",
            valid_from=decided_at.date(), valid_until=values["desired_until"])
    else:
        values.update(requested_on=today, status="requested")
    if values["desired_until"] is not None and values["desired_until"] < values["requested_on"]:
        raise invalid("valid_until", N_("The validity ends before the request."))
    return values


def request_dispensation(session: Session, actor, details: DispensationDetails, *,
                         today: date, report_days: int = rules.DEFAULT_EMERGENCY_REPORT_DAYS
                         ) -> Dispensation:
    """Record a written request, or an emergency deviation with its report deadline."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    values = _check(session, actor, details, today, report_days)
    dispensation = Dispensation(**values)
    with unit_of_work(session):
        session.add(dispensation)
        append(session, actor, "dispensation.emergency" if details.emergency
               else "dispensation.requested", dispensation, values)
    return dispensation


def update_dispensation(session: Session, actor, dispensation: Dispensation,
                        details: DispensationDetails, version: int, *, today: date,
                        report_days: int = rules.DEFAULT_EMERGENCY_REPORT_DAYS) -> Dispensation:
    """Correct a request before its first decision (an emergency keeps its instant)."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(dispensation, version)
    if dispensation.decisions:
        raise Conflict("A decision has been made; record a new decision instead of editing "
                       "the request.")
    if bool(details.emergency) != dispensation.emergency:
        raise invalid("emergency", N_("A request cannot become an emergency deviation or the "
                                      "other way round; register a new one."))
    values = _check(session, actor, details, dispensation.requested_on, report_days)
    values.pop("requested_on")
    changes = {k: [getattr(dispensation, k), v] for k, v in values.items()
               if getattr(dispensation, k) != v}
    if changes:
        with unit_of_work(session):
            for name, value in values.items():
                setattr(dispensation, name, value)
            append(session, actor, "dispensation.updated", dispensation, changes)
    return dispensation


def decide(session: Session, actor, dispensation: Dispensation, *, outcome: str,
           decided_by: str | None, decided_on: date | None, valid_from: date | None,
           valid_until: date | None, conditions: str | None, today: date,
           version: int | None = None) -> DispensationDecision:
    """Record the chair's decision; a decision after an earlier approval is a renewal."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(dispensation, version)
    outcome = choice(outcome, "outcome", ("approved", "rejected"),
                     N_("Choose approved or rejected."))
    decided_by = text(decided_by, "decided_by", required=N_("Give who decided."),
                      limit=MAX_NAME, single_line=True)
    decided_on = day(decided_on, "decided_on", required=N_("Give the date of the decision."),
                     not_after=today)
    if decided_on < dispensation.requested_on:
        raise invalid("decided_on", N_("The decision cannot come before the request."))
    valid_from = day(valid_from, "valid_from") or decided_on
    valid_until = day(valid_until, "valid_until")
    if outcome == "approved":
        if valid_until is None:
            raise invalid("valid_until", N_("A dispensation is granted for a limited time: give "
                                            "the last day it is valid."))
        if valid_until < valid_from:
            raise invalid("valid_until", N_("The validity ends before it starts."))
    renewal = any(d.outcome == "approved" for d in dispensation.decisions)
    row = DispensationDecision(outcome=outcome, renewal=renewal, decided_by=decided_by,
                               decided_on=decided_on,
                               valid_from=valid_from if outcome == "approved" else None,
                               valid_until=valid_until if outcome == "approved" else None,
                               conditions=text(conditions, "conditions"),
                               recorded_by_id=getattr(actor, "id", None))
    with unit_of_work(session):
        dispensation.decisions.insert(0, row)
        dispensation.status = outcome
        dispensation.valid_from, dispensation.valid_until = row.valid_from, row.valid_until
        dispensation.conditions = row.conditions
        dispensation.updated_at = utcnow()
        session.flush()
        append(session, actor, "dispensation.renewed" if renewal else "dispensation.decided",
               dispensation, {"decision": row.id, "outcome": outcome, "by": decided_by,
                              "on": decided_on, "valid": [row.valid_from, row.valid_until],
                              "conditions": row.conditions})
    return row


def record_report(session: Session, actor, dispensation: Dispensation, *,
                  reported_at: datetime | None, version: int | None = None) -> Dispensation:
    """Record when an emergency deviation was reported to the chair (late is flagged)."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(dispensation, version)
    if not dispensation.emergency:
        raise Conflict("Only emergency deviations are reported afterwards.")
    if dispensation.reported_at is not None:
        raise Conflict("The report to the chair is already recorded.")
    if reported_at is None or reported_at.tzinfo is None:
        raise invalid("reported_at", N_("Give the date and time of the report."))
    if reported_at > utcnow():
        raise invalid("reported_at", N_("The report cannot be in the future."))
    if reported_at < dispensation.decided_at:
        raise invalid("reported_at", N_("The report cannot come before the deviation was "
                                        "decided."))
    late = rules.report_late(dispensation.report_due_at, reported_at, reported_at)
    with unit_of_work(session):
        dispensation.reported_at = reported_at
        dispensation.updated_at = utcnow()
        append(session, actor, "dispensation.reported", dispensation, {
            "reported_at": reported_at, "due": dispensation.report_due_at, "late": late})
    return dispensation


# -- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DispensationFilter:
    """Filters of the list and the API."""

    state: str | None = None  # active, expired, requested, rejected
    emergency: bool | None = None
    late: bool = False  # emergency deviations not reported in time
    control: str | None = None
    q: str | None = None


def _scoped(session: Session, actor):
    periods = scope.engagement_periods(session, actor)
    return select(Dispensation).where(scope.in_periods(
        periods, Dispensation.requested_on, Dispensation.valid_until))


def _granted():
    return Dispensation.status.in_(["approved", "emergency"])


def _late(now: datetime):
    return and_(Dispensation.emergency, or_(
        and_(Dispensation.reported_at.is_(None), Dispensation.report_due_at < now),
        Dispensation.reported_at > Dispensation.report_due_at))


def _filtered(query, filters: DispensationFilter, today: date, now: datetime):
    if filters.state == "active":
        query = query.where(_granted(), or_(Dispensation.valid_from.is_(None),
                                            Dispensation.valid_from <= today),
                            or_(Dispensation.valid_until.is_(None),
                                Dispensation.valid_until >= today))
    elif filters.state == "expired":
        query = query.where(_granted(), Dispensation.valid_until < today)
    elif filters.state in ("requested", "rejected"):
        query = query.where(Dispensation.status == filters.state)
    if filters.emergency is not None:
        query = query.where(Dispensation.emergency == filters.emergency)
    if filters.late:
        query = query.where(_late(now))
    if filters.control:
        query = query.where(Dispensation.control_id.in_(
            select(Control.id).where(Control.key == filters.control)))
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(or_(Dispensation.title.ilike(pattern),
                                Dispensation.reason.ilike(pattern),
                                Dispensation.compensating_measures.ilike(pattern)))
    return query


def list_dispensations(session: Session, actor, filters: DispensationFilter, page: Page, *,
                       today: date, now: datetime) -> tuple[list[Dispensation], int]:
    """One page of dispensations and deviations: a fixed number of queries."""
    require(actor, Permission.VIEW_GOVERNANCE)
    query = _filtered(_scoped(session, actor), filters, today, now)
    column = SORTS.get(page.sort or "requested", Dispensation.requested_on)
    descending = page.descending if page.sort else True
    return paged(session, query.options(
        joinedload(Dispensation.control).joinedload(Control.catalogue),
        joinedload(Dispensation.document), joinedload(Dispensation.requested_by),
        selectinload(Dispensation.decisions)), page,
        [column.is_(None), column.desc() if descending else column.asc(),
         Dispensation.id.desc()])


def get_dispensation(session: Session, actor, dispensation_id: int) -> Dispensation:
    """One dispensation with its decisions, newest first."""
    require(actor, Permission.VIEW_GOVERNANCE)
    dispensation = session.scalar(_scoped(session, actor).where(
        Dispensation.id == dispensation_id).options(
        joinedload(Dispensation.control).joinedload(Control.catalogue),
        joinedload(Dispensation.document), joinedload(Dispensation.requested_by),
        selectinload(Dispensation.decisions).joinedload(DispensationDecision.recorded_by)))
    if dispensation is None:
        raise NotFound("No such dispensation.")
    return dispensation


def active_for_controls(session: Session, actor, control_ids: list[int] | None, *,
                        today: date) -> dict[int, list[Dispensation]]:
    """Dispensations in force on `today`, by control id: one query."""
    query = _filtered(_scoped(session, actor), DispensationFilter(state="active"), today,
                      utcnow())
    if control_ids is not None:
        if not control_ids:
            return {}
        query = query.where(Dispensation.control_id.in_(control_ids))
    result: dict[int, list[Dispensation]] = {}
    for row in session.scalars(query.where(Dispensation.control_id.is_not(None)).order_by(
            Dispensation.valid_until, Dispensation.id)):
        result.setdefault(row.control_id, []).append(row)
    return result


@dataclass(frozen=True)
class DispensationSummary:
    """Dashboard figures."""

    active: int
    expired: int
    requested: int
    late_reports: int


def summary(session: Session, actor, *, today: date, now: datetime) -> DispensationSummary:
    """Dispensation figures for the dashboard: one query."""
    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    granted = _granted()
    query = _scoped(session, actor).with_only_columns(
        count(and_(granted, or_(Dispensation.valid_from.is_(None),
                                Dispensation.valid_from <= today),
                   or_(Dispensation.valid_until.is_(None), Dispensation.valid_until >= today))),
        count(and_(granted, Dispensation.valid_until < today)),
        count(Dispensation.status == "requested"), count(_late(now)))
    active, expired, requested, late = session.execute(query).one()
    return DispensationSummary(int(active or 0), int(expired or 0), int(requested or 0),
                               int(late or 0))
