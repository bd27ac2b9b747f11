"""Deadline math, pure: the common shape, its state on an instant, and notification thresholds.

No Flask and no database: `now` and the display zone come in as arguments, so every rule is
tested in milliseconds and across daylight-saving changes. This is the one definition of "due
soon", "overdue" and "done" in Kontrol: the evidence list's expiring/expired, the governance
review states, the dashboard tiles and `/deadlines` all use `date_state` or `state` below.

A date-based deadline (a review due on a day) is due at the end of that day in the display
zone: `due_at` is the start of the next day. Its "due day" is the day before `due_at`.
Thresholds say when a reminder goes out: "30d" (from the start of the 30th day before the due
day), "due" (the due day begins), "24h" (24 elapsed hours before the instant), "50%" (half the
time from `starts_at` to `due_at` has elapsed) and "overdue" (the instant has passed).
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

#: Breach notification clocks (app/incidents): hours, not days, and every coordinator is told.
BREACH_KINDS = frozenset({"breach.authority", "breach.controller"})
DEFAULT_THRESHOLDS = ("30d", "7d", "due", "overdue")
BREACH_THRESHOLDS = ("50%", "24h", "4h", "overdue")
#: "Due soon" window of kinds whose thresholds name no days (breach clocks run 72 hours at most).
DEFAULT_WINDOW_DAYS = 7
_THRESHOLD = re.compile(r"(?P<n>\d{1,3})(?P<unit>[dh%])|due|overdue")
_ONE_MICROSECOND = timedelta(microseconds=1)


class State(enum.StrEnum):
    """Where a deadline stands at an instant."""

    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True, eq=False)
class Deadline:
    """One deadline in the common shape every domain's provider yields.

    `responsible` are user ids; `endpoint` and `values` build the link back to the object;
    `qualifier` tells apart deadlines of one object and kind (a breach's controllers);
    `starts_at` is when the clock started (for "50 %" thresholds); `done_at` is set for a
    deadline met recently (providers that know it report it, for the "done" filter).
    """

    kind: str
    object_type: str
    object_id: int
    title: str
    due_at: datetime
    responsible: tuple[int, ...]
    endpoint: str
    values: Mapping = field(default_factory=dict)
    qualifier: str = ""
    starts_at: datetime | None = None
    done_at: datetime | None = None
    title_da: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.due_at, "due_at")

    @property
    def key(self) -> str:
        """A stable identity: kind, object, qualifier and due instant (at most 160 characters).

        A deadline met and due again (the next review) gets a new key, so its reminders start
        afresh; the calendar feed uses it as the event's UID.
        """
        due = self.due_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        key = f"{self.kind[:40]}:{self.object_type[:40]}:{self.object_id}:{due}"
        if self.qualifier:
            key += ":" + hashlib.sha256(self.qualifier.encode()).hexdigest()[:12]
        return key

    def title_in(self, language: str) -> str:
        """The title in `language` where the domain keeps one, else the stored title."""
        return self.title_da if language == "da" and self.title_da else self.title


def require_aware(value: datetime, name: str) -> None:
    """Refuse a naive datetime: every instant here is absolute."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The instant a deadline on `day` passes: the start of the next day in `zone`, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """The first instant of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def due_day(due_at: datetime, zone: tzinfo) -> date:
    """The local day a deadline falls on: the day of the last instant before `due_at`."""
    return (due_at - _ONE_MICROSECOND).astimezone(zone).date()


def whole_day(due_at: datetime, zone: tzinfo) -> date | None:
    """The due day of a deadline that falls at the end of a day (local midnight), else None.

    Such a deadline is shown as its day ("2026-09-30"), not as the next day's 00:00.
    """
    local = due_at.astimezone(zone)
    return due_day(due_at, zone) if local.time() == time(0) else None


def date_state(due_on: date, today: date, window_days: int) -> State:
    """A date-based deadline on `today`: overdue, due soon, or upcoming.

    Overdue after `due_on`; due soon from `window_days` before it through the day itself.
    """
    if due_on < today:
        return State.OVERDUE
    if due_on <= today + timedelta(days=window_days):
        return State.DUE_SOON
    return State.UPCOMING


def state(deadline: Deadline, now: datetime, window_days: int, zone: tzinfo) -> State:
    """Where `deadline` stands at `now`: done, overdue (at the instant), due soon or upcoming."""
    require_aware(now, "now")
    if deadline.done_at is not None:
        return State.DONE
    if now >= deadline.due_at:
        return State.OVERDUE
    return date_state(due_day(deadline.due_at, zone), now.astimezone(zone).date(), window_days)


# -- thresholds -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Threshold:
    """A moment before or at a deadline when its people are reminded; `name` as configured."""

    name: str

    @property
    def days(self) -> int | None:
        """N for an "Nd" threshold, else None."""
        return int(self.name[:-1]) if self.name.endswith("d") else None

    def reached_at(self, deadline: Deadline, zone: tzinfo) -> datetime | None:
        """The instant this threshold is reached for `deadline` (None: does not apply)."""
        name = self.name
        if name == "overdue":
            return deadline.due_at
        if name == "due":
            return start_of_day(due_day(deadline.due_at, zone), zone)
        amount = int(name[:-1])
        if name.endswith("d"):
            return start_of_day(due_day(deadline.due_at, zone) - timedelta(days=amount), zone)
        if name.endswith("h"):
            return deadline.due_at - timedelta(hours=amount)
        if deadline.starts_at is None or deadline.starts_at >= deadline.due_at:
            return None
        return deadline.starts_at + (deadline.due_at - deadline.starts_at) * amount / 100


def parse_threshold(text: str) -> Threshold:
    """A threshold from "30d", "7d", "24h", "50%", "due" or "overdue"; ValueError otherwise."""
    value = str(text).strip().lower()
    match = _THRESHOLD.fullmatch(value)
    if not match:
        raise ValueError(f"threshold {text!r}: use Nd, Nh, N%, 'due' or 'overdue'")
    if match.group("n") is not None:
        amount, unit = int(match.group("n")), match.group("unit")
        limit = {"d": 366, "h": 720, "%": 99}[unit]
        if not 1 <= amount <= limit:
            raise ValueError(f"threshold {text!r}: {unit} must be 1 to {limit}")
    return Threshold(value)


@dataclass(frozen=True)
class Policy:
    """Thresholds per kind (with defaults for ordinary and breach deadlines)."""

    by_kind: Mapping[str, tuple[Threshold, ...]] = field(default_factory=dict)
    default: tuple[Threshold, ...] = tuple(Threshold(n) for n in DEFAULT_THRESHOLDS)
    breach: tuple[Threshold, ...] = tuple(Threshold(n) for n in BREACH_THRESHOLDS)

    def thresholds(self, kind: str) -> tuple[Threshold, ...]:
        """The thresholds of `kind`."""
        if kind in self.by_kind:
            return self.by_kind[kind]
        return self.breach if kind in BREACH_KINDS else self.default

    def window_days(self, kind: str) -> int:
        """How many days before its due day a deadline of `kind` counts as due soon.

        The earliest "Nd" threshold of the kind (30 by default), so the first reminder and
        the "due soon" state begin on the same day.
        """
        days = [t.days for t in self.thresholds(kind) if t.days is not None]
        return max(days) if days else DEFAULT_WINDOW_DAYS


def make_policy(configured: Mapping[str, Iterable[str]] | None) -> Policy:
    """A policy from {kind: ["30d", "7d", "due", "overdue"], …}; ValueError naming the kind."""
    by_kind = {}
    for kind, names in (configured or {}).items():
        try:
            thresholds = tuple(parse_threshold(name) for name in names)
        except ValueError as error:
            raise ValueError(f"deadline thresholds for {kind!r}: {error}") from None
        if not thresholds:
            raise ValueError(f"deadline thresholds for {kind!r}: give at least one")
        by_kind[str(kind)] = thresholds
    return Policy(by_kind=by_kind)


def reached(deadline: Deadline, policy: Policy, now: datetime, zone: tzinfo) -> Threshold | None:
    """The latest threshold of `deadline` reached at `now` (None: none yet, or done).

    Only the latest is notified: a deadline first seen when already overdue sends "overdue",
    not every reminder it missed on the way.
    """
    require_aware(now, "now")
    if deadline.done_at is not None:
        return None
    passed = [(at, t) for t in policy.thresholds(deadline.kind)
              if (at := t.reached_at(deadline, zone)) is not None and at <= now]
    return max(passed, key=lambda pair: pair[0])[1] if passed else None


# -- choosing what a list shows ---------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """What `/deadlines` shows: a kind, a responsible user, a state; all optional."""

    kind: str | None = None
    owner_id: int | None = None
    state: str | None = None  # a State value, or None for every open one


def select(deadlines: Iterable[Deadline], selection: Selection, policy: Policy,
           now: datetime, zone: tzinfo) -> list[tuple[Deadline, State]]:
    """The deadlines matching `selection` with their states, soonest first.

    Without a state filter, done deadlines are left out (the list is of what is due).
    """
    chosen = []
    for deadline in deadlines:
        if selection.kind and deadline.kind != selection.kind:
            continue
        if selection.owner_id is not None and selection.owner_id not in deadline.responsible:
            continue
        current = state(deadline, now, policy.window_days(deadline.kind), zone)
        if selection.state:
            if current != selection.state:
                continue
        elif current == State.DONE:
            continue
        chosen.append((deadline, current))
    order = {State.OVERDUE: 0, State.DUE_SOON: 1, State.UPCOMING: 2, State.DONE: 3}
    return sorted(chosen, key=lambda pair: (order[pair[1]], pair[0].due_at, pair[0].kind,
                                            pair[0].object_id))
