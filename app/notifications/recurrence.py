"""Recurrence of annual-wheel duties: RFC 5545 RRULEs on dates, pure (dateutil's rrulestr).

A rule is the RRULE value alone ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31"); the duty's start
date is its DTSTART. Rules are bounded before use: no more often than daily, occurrences
between 1990 and 2100, so a rule cannot make the wheel or a scan loop without end.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

FIRST, LAST = date(1990, 1, 1), date(2100, 12, 31)
MAX_RULE = 300
ALLOWED_FREQUENCIES = (YEARLY, MONTHLY, WEEKLY, DAILY)
#: Occurrences the wheel shows for one duty in one year at most (a daily rule fills the year).
MAX_PER_YEAR = 366

EXAMPLES = ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
            "FREQ=YEARLY;BYMONTH=2,9;BYMONTHDAY=28")


class RuleError(ValueError):
    """A rule that cannot be used, with a message for people."""


def parse(rule: str, starts_on: date) -> rrule:
    """The rule as a dateutil rrule starting on `starts_on`; RuleError says what is wrong."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:].strip()
    if not text:
        raise RuleError("Give a recurrence rule, e.g. FREQ=YEARLY;BYMONTH=3.")
    if len(text) > MAX_RULE or "\n" in text or "\r" in text:
        raise RuleError(f"Keep the rule on one line of at most {MAX_RULE} characters.")
    if not FIRST <= starts_on <= LAST:
        raise RuleError("Give a start date between 1990 and 2100.")
    if "DTSTART" in text.upper():
        raise RuleError("Give the start date in its own field, not in the rule.")
    try:
        parsed = rrulestr(text, dtstart=datetime.combine(starts_on, time()), forceset=False)
    except (ValueError, TypeError, OverflowError) as error:
        raise RuleError(f"Not an RFC 5545 recurrence rule: {error}") from None
    if not isinstance(parsed, rrule):
        raise RuleError("Give one RRULE.")
    if parsed._freq not in ALLOWED_FREQUENCIES:
        raise RuleError("Use a rule that recurs daily at most (YEARLY, MONTHLY, WEEKLY, DAILY).")
    if parsed._interval > 100:
        raise RuleError("Keep INTERVAL at 100 or less.")
    return parsed


def _day(value: datetime | None) -> date | None:
    if value is None or value.date() > LAST:
        return None
    return value.date()


def next_occurrence(rule: str, starts_on: date, after: date | None = None) -> date | None:
    """The first occurrence on or after `starts_on` that is later than `after` (None: ended)."""
    parsed = parse(rule, starts_on)
    if after is None:
        return _day(parsed.after(datetime.combine(starts_on, time()), inc=True))
    if after >= LAST:
        return None
    return _day(parsed.after(datetime.combine(max(after, starts_on - timedelta(days=1)),
                                              time()), inc=False))


def occurrences_in(rule: str, starts_on: date, first: date, last: date) -> list[date]:
    """Occurrences from `first` to `last` (both included), at most MAX_PER_YEAR."""
    parsed = parse(rule, starts_on)
    found = []
    for value in parsed.xafter(datetime.combine(max(first, starts_on), time()), inc=True,
                               count=MAX_PER_YEAR):
        if value.date() > last:
            break
        found.append(value.date())
    return found


def describe(rule: str, starts_on: date, count: int = 3) -> list[date]:
    """The next `count` occurrences from the start (for the form's preview)."""
    parsed = parse(rule, starts_on)
    return [value.date() for value in parsed.xafter(datetime.combine(starts_on, time()),
                                                    inc=True, count=count)]
