"""Bounded parsing of what people type into addresses and date fields: pages, ids, dates, months.

Every list page reads its `page`, its id filters and its date filters through these functions,
so no number or date reaches arithmetic or a query unbounded: a page number above MAX_PAGE, an
id above what a database holds or a date outside 1990–2100 is `Invalid`, which the error
handlers turn into a 422 page (or JSON problem) that says which parameter is wrong and why.
A parameter that is absent or empty gives the default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from .errors import N_, invalid
from .routing import MAX_ID

#: The dates Kontrol accepts anywhere (evidence periods, filters, due dates).
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)
#: No list has more pages than this; a larger page number is a typo or a probe.
MAX_PAGE = 100_000

_DIGITS = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _text(args: Mapping, name: str) -> str:
    return (args.get(name) or "").strip()


def whole_number(value: str, name: str, minimum: int, maximum: int) -> int:
    """`value` as an int within [minimum, maximum], or Invalid naming `name`."""
    text = str(value).strip()
    number = int(text) if _DIGITS.fullmatch(text) else None
    if number is None or not minimum <= number <= maximum:
        raise invalid(name, N_("Give a whole number from %(minimum)d to %(maximum)d."),
                      minimum=minimum, maximum=maximum)
    return number


def page_number(args: Mapping, name: str = "page") -> int:
    """The page a list shows: 1 by default, at most MAX_PAGE."""
    text = _text(args, name)
    return whole_number(text, name, 1, MAX_PAGE) if text else 1


def optional_id(args: Mapping, name: str) -> int | None:
    """An id filter (`?engagement=12`): None when absent, Invalid when not a possible id."""
    text = _text(args, name)
    return whole_number(text, name, 1, MAX_ID) if text else None


def in_range(value: date, name: str) -> date:
    """`value` when it lies between EARLIEST and LATEST, else Invalid naming `name`."""
    if not EARLIEST <= value <= LATEST:
        raise invalid(name, N_("Use a date between %(first)s and %(last)s."),
                      first=EARLIEST.isoformat(), last=LATEST.isoformat())
    return value


def parse_date(value: str, name: str) -> date:
    """An ISO date (2026-03-31) within the accepted range, or Invalid naming `name`."""
    text = str(value).strip()
    match = _ISO_DATE.fullmatch(text)
    try:
        parsed = date(*map(int, match.groups())) if match else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise invalid(name, N_("“%(value)s” is not a date; use the form 2026-03-31."),
                      value=text[:40])
    return in_range(parsed, name)


def parse_month(value: str, name: str) -> date:
    """A month (2026-03) as its first day, within the accepted range, or Invalid."""
    text = str(value).strip()
    match = _ISO_MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise invalid(name, N_("“%(value)s” is not a month; use the form 2026-03."),
                      value=text[:40])
    return in_range(date(int(match.group(1)), int(match.group(2)), 1), name)


def optional_date(args: Mapping, name: str) -> date | None:
    """A date filter: None when absent or empty."""
    text = _text(args, name)
    return parse_date(text, name) if text else None


def optional_month(args: Mapping, name: str) -> date | None:
    """A month filter: None when absent or empty."""
    text = _text(args, name)
    return parse_month(text, name) if text else None
