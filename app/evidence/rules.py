"""Pure evidence rules: freshness on a day, month ranges, tags and safe content types.

No Flask and no database here, so these are tested in milliseconds.
"""

from __future__ import annotations

import enum
import mimetypes
import re
from collections.abc import Iterable
from datetime import date, timedelta

from ..notifications.deadlines import State, date_state

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_COVERAGE_MONTHS = 36
OCTET_STREAM = "application/octet-stream"
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
# Types a browser might render or run if it ever opened them: always served as bytes.
_ACTIVE_MARKERS = ("html", "xml", "svg", "script", "css", "xsl", "wasm", "x-sh",
                   "x-msdownload", "mpegurl", "cache-manifest", "multipart")


class Freshness(enum.StrEnum):
    """How current evidence is on a day; `missing` applies to a control, never to an item."""

    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"


def item_freshness(valid_until: date | None, on: date, warning_days: int) -> Freshness:
    """One item: valid through `valid_until` inclusive; expiring within `warning_days` of `on`.

    The deadline engine's rule (`notifications.deadlines.date_state`): expiring is its "due
    soon", expired its "overdue", so this list, the dashboard and `/deadlines` agree.
    """
    if valid_until is None:
        return Freshness.CURRENT
    state = date_state(valid_until, on, warning_days)
    return {State.DUE_SOON: Freshness.EXPIRING, State.OVERDUE: Freshness.EXPIRED}.get(
        state, Freshness.CURRENT)


def best_freshness(states: Iterable[Freshness]) -> Freshness:
    """A control is as fresh as its freshest item; with no item for the period it is missing."""
    order = (Freshness.CURRENT, Freshness.EXPIRING, Freshness.EXPIRED)
    present = set(states)
    return next((state for state in order if state in present), Freshness.MISSING)


def year_period(on: date) -> tuple[date, date]:
    """The calendar year containing `on`: the default period evidence is matched against."""
    return date(on.year, 1, 1), date(on.year, 12, 31)


def month_start(value: date) -> date:
    """The first day of `value`'s month."""
    return value.replace(day=1)


def month_end(value: date) -> date:
    """The last day of `value`'s month."""
    following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
    return following - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from `first`'s month to `last`'s month, both included."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = month_end(current) + timedelta(days=1)
    return months


def parse_tags(value: str | Iterable[str] | None) -> list[str]:
    """Tags from 'a, b' or a list: trimmed, inner spaces collapsed, duplicates dropped."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split())
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags


def stored_content_type(declared: str | None, filename: str) -> str:
    """The content type to record: the declared one when well-formed, else a guess by name."""
    value = (declared or "").split(";")[0].strip().lower()
    if not _CONTENT_TYPE.fullmatch(value) or value == OCTET_STREAM:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        value = guessed.lower() if guessed else OCTET_STREAM
    return value


def served_content_type(stored: str) -> str:
    """The type a download is sent with: the stored one, unless a browser could render it."""
    if any(marker in stored for marker in _ACTIVE_MARKERS):
        return OCTET_STREAM
    return stored
