"""Object scope: what an external auditor may see, decided here once for every domain.

External auditors act only inside the engagements they are assigned to. For the registers
(governing documents, risks, dispensations, sub-processors, incidents…) that means: entries
whose dates touch the period of one of those engagements (a type 1 engagement: its date).
Every other role's scope is the whole register (their permissions decide the rest).

Use `engagement_periods(session, actor)` once per request, then `in_periods(...)` to narrow a
query and `touches(...)` to check one object, so a list and a detail page can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session

from .permissions import Role


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end]."""

    start: date
    end: date


def is_external(actor) -> bool:
    """Whether `actor` is an external auditor (and so sees only their engagements' scope)."""
    return getattr(actor, "role", None) == Role.EXTERNAL_AUDITOR.value


def engagement_ids(actor):
    """SQL: the ids of the engagements `actor` may see as external auditor.

    Those of their firm they are assigned to: the rule is `audits.access`'s, so registers and
    engagements can never disagree.
    """
    from ..audits.access import visible_engagement_ids

    return visible_engagement_ids(actor)


def engagement_periods(session: Session, actor) -> list[Period] | None:
    """The periods `actor` may see, or None for "everything" (every role but external auditors).

    A type 1 engagement covers one date: its period is that single day.
    """
    if not is_external(actor):
        return None
    from ..audits.models import Engagement

    rows = session.execute(select(Engagement.kind, Engagement.period_start, Engagement.period_end)
                           .where(Engagement.id.in_(engagement_ids(actor)))).all()
    periods = []
    for kind, start, end in rows:
        first = end if kind == "isae3000_type1" or start is None else start
        periods.append(Period(first, end))
    return periods


def in_periods(periods: Sequence[Period] | None, start_column, end_column=None):
    """SQL condition: the row's [start, end] dates overlap one of `periods`.

    `end_column` may be None (a single date, or an open-ended row whose end is NULL is treated
    as still running). With `periods` None (not an external auditor) the condition is true.
    """
    if periods is None:
        return true()
    if not periods:
        return false()
    clauses = []
    for period in periods:
        if end_column is None:
            clauses.append(and_(start_column >= period.start, start_column <= period.end))
        else:
            clauses.append(and_(start_column <= period.end,
                                or_(end_column.is_(None), end_column >= period.start)))
    return or_(*clauses)


def touches(periods: Sequence[Period] | None, start: date | None, end: date | None = None,
            *, open_ended: bool = False) -> bool:
    """Python twin of `in_periods` for one object.

    With `open_ended`, a missing `end` means the object is still running; otherwise a missing
    `end` means the object is the single date `start`.
    """
    if periods is None:
        return True
    if start is None:
        return False
    last = end if end is not None else (date.max if open_ended else start)
    return any(start <= period.end and last >= period.start for period in periods)
