"""Pure governance rules: review due dates, risk levels, the technology gate, dispensation clocks.

No Flask and no database here (STYLE habit 8): time comes in as `today` or `now`, so every rule
is tested in milliseconds, and the deadline engine of issue 14 can call the same functions.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from ..notifications.deadlines import State, date_state

DEFAULT_INTERVAL_MONTHS = 12
MAX_INTERVAL_MONTHS = 60
MIN_SCALE, MAX_SCALE, DEFAULT_SCALE = 3, 10, 5
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


class Body(enum.StrEnum):
    """Who approves a governing document (policy §5, §8, §15), from the highest."""

    TOP_MANAGEMENT = "top_management"
    SECURITY_COMMITTEE = "security_committee"
    IT_SECURITY_GROUP = "it_security_group"


BODY_RANK = {Body.TOP_MANAGEMENT: 3, Body.SECURITY_COMMITTEE: 2, Body.IT_SECURITY_GROUP: 1}


def outranks(body: str, required: str) -> bool:
    """Whether an approval by `body` is at least as high as one by `required`."""
    return BODY_RANK[Body(body)] >= BODY_RANK[Body(required)]


# -- review due dates -------------------------------------------------------------------------

def add_months(start: date, months: int) -> date:
    """`start` plus whole calendar months; a day past the target month's end clamps to its end.

    31 January + 1 month is 28 February (29 in a leap year); 29 February + 12 months is
    28 February of the next year.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_review_due(approved_on: date, interval_months: int) -> date:
    """The next review is due `interval_months` after the last approval."""
    if not 1 <= interval_months <= MAX_INTERVAL_MONTHS:
        raise ValueError(f"review interval {interval_months} outside 1–{MAX_INTERVAL_MONTHS}")
    return add_months(approved_on, interval_months)


class DueState(enum.StrEnum):
    """Where a date-based deadline stands on a day."""

    NONE = "none"  # nothing due (withdrawn, or no date)
    LATER = "later"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def due_state(due_on: date | None, today: date, warning_days: int) -> DueState:
    """Overdue after `due_on`; due soon from `warning_days` before it until the day itself.

    The deadline engine's rule (`notifications.deadlines.date_state`), so the register, the
    dashboard and `/deadlines` agree.
    """
    if due_on is None:
        return DueState.NONE
    return {State.OVERDUE: DueState.OVERDUE, State.DUE_SOON: DueState.DUE_SOON}.get(
        date_state(due_on, today, warning_days), DueState.LATER)


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The instant a date-based deadline passes: the start of the next day in `zone`."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def in_bounds(value: date | None) -> bool:
    """Dates the registers accept: 1990 to 2100."""
    return value is None or EARLIEST <= value <= LATEST


# -- handbook changes -------------------------------------------------------------------------

class Change(enum.StrEnum):
    """How big a new version of a document is (policy §15)."""

    INITIAL = "initial"
    MAJOR = "major"
    MINOR = "minor"


def approval_needed(kind: str, change: str) -> Body | None:
    """The body that must approve a version before it becomes current, or None.

    The information security policy: top management (§5, §15). A major change to the rest of
    the handbook: the security committee, before it takes effect (§15). Minor changes and the
    registration of the version already in force need no prior approval.
    """
    if change == Change.INITIAL:
        return None
    if kind == "policy":
        return Body.TOP_MANAGEMENT
    if change == Change.MAJOR:
        return Body.SECURITY_COMMITTEE
    return None


# -- risks ------------------------------------------------------------------------------------

class Level(enum.StrEnum):
    """A risk's level band."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


def score(likelihood: int, consequence: int) -> int:
    """Likelihood × consequence."""
    return likelihood * consequence


def level(likelihood: int | None, consequence: int | None, scale: int) -> Level | None:
    """The band of a score on a `scale` × `scale` matrix (None when unrated).

    Bands are fractions of the largest score, so a 5 × 5 matrix gives low 1–4, medium 5–9,
    high 10–16, critical 20–25, and other scales keep the same proportions.
    """
    if likelihood is None or consequence is None:
        return None
    ratio = score(likelihood, consequence) / (scale * scale)
    if ratio <= 0.16:
        return Level.LOW
    if ratio <= 0.36:
        return Level.MEDIUM
    if ratio <= 0.64:
        return Level.HIGH
    return Level.CRITICAL


def acceptance_expired(accepted_until: date | None, today: date) -> bool:
    """An acceptance holds through `accepted_until`; after that it must be renewed."""
    return accepted_until is not None and accepted_until < today


# -- the new-technology gate (policy §10) -------------------------------------------------------

class Step(enum.StrEnum):
    """The steps before new technology may be taken into use, in order."""

    RISK_ASSESSMENT = "risk_assessment"
    IMPACT_ANALYSIS = "impact_analysis"
    DPIA = "dpia"
    MANAGEMENT_PRESENTATION = "management_presentation"
    MANAGEMENT_APPROVAL = "management_approval"


class AdoptionStatus(enum.StrEnum):
    """Where an adoption stands on its way through the gate."""

    DRAFT = "draft"
    RISK_ASSESSED = "risk_assessed"
    IMPACT_ANALYSED = "impact_analysed"
    PRESENTED = "presented"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_USE = "in_use"


@dataclass(frozen=True)
class GateFacts:
    """What has been recorded for an adoption."""

    personal_data: bool
    risk_assessment: bool
    impact_analysis: bool  # any impact analysis (an assessment or a written analysis)
    dpia: bool  # a DPIA assessment is linked
    presented: bool  # presentation date and minutes
    decision: str | None  # "approved", "rejected" or None


REQUIRES: dict[AdoptionStatus, tuple[Step, ...]] = {
    AdoptionStatus.DRAFT: (),
    AdoptionStatus.RISK_ASSESSED: (Step.RISK_ASSESSMENT,),
    AdoptionStatus.IMPACT_ANALYSED: (Step.RISK_ASSESSMENT, Step.IMPACT_ANALYSIS),
    AdoptionStatus.PRESENTED: (Step.RISK_ASSESSMENT, Step.IMPACT_ANALYSIS,
                               Step.MANAGEMENT_PRESENTATION),
    AdoptionStatus.APPROVED: (Step.RISK_ASSESSMENT, Step.IMPACT_ANALYSIS,
                              Step.MANAGEMENT_PRESENTATION, Step.MANAGEMENT_APPROVAL),
    AdoptionStatus.REJECTED: (Step.MANAGEMENT_PRESENTATION,),
    AdoptionStatus.IN_USE: (Step.RISK_ASSESSMENT, Step.IMPACT_ANALYSIS,
                            Step.MANAGEMENT_PRESENTATION, Step.MANAGEMENT_APPROVAL),
}


def _present(step: Step, facts: GateFacts) -> bool:
    if step == Step.RISK_ASSESSMENT:
        return facts.risk_assessment
    if step == Step.IMPACT_ANALYSIS:
        return facts.dpia if facts.personal_data else facts.impact_analysis or facts.dpia
    if step == Step.MANAGEMENT_PRESENTATION:
        return facts.presented
    return facts.decision == "approved"


def missing_steps(facts: GateFacts, target: str) -> list[Step]:
    """The steps that must exist before an adoption may move to `target`, in order.

    With personal data the impact analysis must be a DPIA, and is named `dpia` when missing.
    """
    missing = []
    for step in REQUIRES[AdoptionStatus(target)]:
        if not _present(step, facts):
            missing.append(Step.DPIA if step == Step.IMPACT_ANALYSIS and facts.personal_data
                           else step)
    return missing


def reached_status(facts: GateFacts) -> AdoptionStatus:
    """The furthest status short of "in use" that the recorded steps support."""
    if facts.decision == "rejected" and facts.presented:
        return AdoptionStatus.REJECTED
    for status in (AdoptionStatus.APPROVED, AdoptionStatus.PRESENTED,
                   AdoptionStatus.IMPACT_ANALYSED, AdoptionStatus.RISK_ASSESSED):
        if not missing_steps(facts, status):
            return status
    return AdoptionStatus.DRAFT


# -- dispensations and emergency deviations (policy §13) --------------------------------------

DEFAULT_EMERGENCY_REPORT_DAYS = 3


def report_due(decided_at: datetime, days: int) -> datetime:
    """An emergency deviation must reach the chair within `days` × 24 elapsed hours."""
    if decided_at.tzinfo is None:
        raise ValueError("decided_at must be an aware instant")
    return decided_at + timedelta(days=days)


def report_late(report_due_at: datetime | None, reported_at: datetime | None,
                now: datetime) -> bool:
    """Not reported by the deadline: still unreported after it, or reported after it."""
    if report_due_at is None:
        return False
    return reported_at > report_due_at if reported_at is not None else now > report_due_at


def is_active(status: str, valid_from: date | None, valid_until: date | None,
              today: date) -> bool:
    """An approved dispensation (or an emergency deviation not rejected) in force on `today`."""
    if status not in ("approved", "emergency"):
        return False
    if valid_from is not None and valid_from > today:
        return False
    return valid_until is None or valid_until >= today


def is_expired(status: str, valid_until: date | None, today: date) -> bool:
    """Its validity has run out (it may be renewed by a new decision)."""
    return status in ("approved", "emergency") and valid_until is not None and (
        valid_until < today)


