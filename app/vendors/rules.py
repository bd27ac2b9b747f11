"""Date rules for sub-processors: statements due, follow-ups, change notices. Pure: no Flask, no DB.

Sources (`/work/shared/reference/isae3000-gdpr-report-vejle-rejser-2022-da.txt`, section 3):
- the sub-processor's auditor's statement for a year is due by 31 December of the following year;
- adding or replacing a generally approved sub-processor is notified at least 30 days before it
  takes effect, and the controller may object within one month of receiving the notice.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

#: A change notice must reach the controllers at least this many days before the change.
MINIMUM_NOTICE_DAYS = 30
#: The controller may object within this many months of receiving the notice.
OBJECTION_MONTHS = 1
#: Every date the register accepts lies in these years (bounds input before arithmetic).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the end of a shorter month.

    31 January + 1 month is 28 February (29 in a leap year); 29 February + 12 months is
    28 February.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def statement_due(year: int) -> date:
    """When the auditor's statement covering `year` is due: 31 December of the following year."""
    return date(year + 1, 12, 31)


def processing_years(start: date, end: date | None, until: int | None = None) -> range:
    """The calendar years in which processing took place: from `start`'s year to `end`'s.

    With no `end` (still running) the range is open; `until` caps it (e.g. the current year).
    """
    last = end.year if end is not None else (until if until is not None else LAST_YEAR)
    return range(start.year, max(start.year, last) + 1) if last >= start.year else range(0)


def next_statement_due(start: date, end: date | None, received_years: Iterable[int]) -> date | None:
    """31 December of the year after the earliest year of processing without a statement.

    None when every year of a finished processing has its statement.
    """
    received = set(received_years)
    year = start.year
    while year in received:
        year += 1
    if end is not None and year > end.year:
        return None
    return statement_due(year)


def missing_statement_years(start: date, end: date | None, received_years: Iterable[int],
                            today: date) -> list[int]:
    """Years of processing whose statement is past due and not received, oldest first."""
    received = set(received_years)
    return [year for year in processing_years(start, end, until=today.year)
            if year not in received and statement_due(year) < today]


def is_late(year: int, received_on: date) -> bool:
    """Whether a statement for `year` arrived after its due date."""
    return received_on > statement_due(year)


def notice_days(notified_on: date, effective_on: date) -> int:
    """Calendar days between the notice and the change taking effect."""
    return (effective_on - notified_on).days


def is_short_notice(notified_on: date, effective_on: date,
                    minimum: int = MINIMUM_NOTICE_DAYS) -> bool:
    """Whether the controllers got fewer than `minimum` (30) days' notice."""
    return notice_days(notified_on, effective_on) < minimum


def objection_deadline(received_on: date) -> date:
    """The last day a controller may object: one month after receiving the notice."""
    return add_months(received_on, OBJECTION_MONTHS)


# -- follow-ups by risk rating ---------------------------------------------------------------

@dataclass(frozen=True)
class FollowUpRule:
    """What follow-up a risk rating calls for: which kinds count, and how often (months)."""

    kinds: tuple[str, ...]
    months: int


#: Default policy (configurable as KONTROL_SUBPROCESSOR_FOLLOW_UP): high risk needs a yearly
#: inspection or meeting, medium a yearly questionnaire, low only the review of the statement.
#: A more thorough kind always counts for a lower rating.
DEFAULT_FOLLOW_UP: Mapping[str, FollowUpRule] = {
    "high": FollowUpRule(("inspection", "meeting"), 12),
    "medium": FollowUpRule(("inspection", "meeting", "questionnaire"), 12),
    "low": FollowUpRule(("inspection", "meeting", "questionnaire", "statement_review"), 12),
}


def follow_up_policy(config: Mapping | None) -> dict[str, FollowUpRule]:
    """The policy from configuration: {rating: {"kinds": [...], "months": n}}, over defaults.

    Raises ValueError naming the rating when the configuration is malformed, so a typo stops
    the start instead of silently changing when follow-ups fall due.
    """
    policy = dict(DEFAULT_FOLLOW_UP)
    for rating, value in (config or {}).items():
        if rating not in DEFAULT_FOLLOW_UP:
            raise ValueError(f"follow-up policy: unknown risk rating {rating!r}")
        kinds = tuple(value.get("kinds", policy[rating].kinds))
        months = value.get("months", policy[rating].months)
        known = set(DEFAULT_FOLLOW_UP["low"].kinds)
        if not kinds or not set(kinds) <= known:
            raise ValueError(f"follow-up policy for {rating!r}: kinds must be among "
                             f"{sorted(known)}")
        if not isinstance(months, int) or not 1 <= months <= 60:
            raise ValueError(f"follow-up policy for {rating!r}: months must be 1 to 60")
        policy[rating] = FollowUpRule(kinds, months)
    return policy


def next_follow_up_due(start: date, end: date | None, rule: FollowUpRule,
                       performed: Iterable[tuple[str, date]]) -> date | None:
    """When the next follow-up is due: the rule's interval after the last one that counts.

    `performed` is (kind, performed_on) of every follow-up recorded. Before the first one,
    the interval runs from the start of processing. Once processing has ended, only a
    follow-up that fell due while it ran is still owed (None otherwise).
    """
    counted = [on for kind, on in performed if kind in rule.kinds]
    due = add_months(max(counted) if counted else start, rule.months)
    if end is not None and due > end:
        return None
    return due
