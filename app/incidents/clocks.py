"""Breach notification clocks: pure deadline arithmetic, no Flask, no database.

GDPR Art. 33(1) gives a controller 72 hours from becoming aware of a personal-data breach to
notify the supervisory authority; Art. 33(2) has a processor notify each controller within the
hours its data processing agreement sets. Both are *elapsed* hours: the arithmetic is done on
UTC instants, so a clock that crosses a daylight-saving change or New Year is still exactly N
hours long. Local time is only for showing, and always names its zone.

Every function takes the instant it needs (`now` included) as an argument, so tests can pin
any moment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

AUTHORITY_HOURS = 72
DEFAULT_CONTROLLER_HOURS = 24
MIN_NOTICE_HOURS, MAX_NOTICE_HOURS = 1, 720  # an agreement between one hour and 30 days


class ClockState(enum.StrEnum):
    """How a clock stands at an instant; the colour of the countdown follows it."""

    RUNNING = "running"  # more than half the time left
    DUE_SOON = "due_soon"  # between a sixth and a half left
    URGENT = "urgent"  # less than a sixth left
    OVERDUE = "overdue"  # the deadline has passed and nothing has been sent
    MET = "met"  # notified by the deadline
    LATE = "late"  # notified after the deadline


def require_aware(instant: datetime, name: str = "instant") -> datetime:
    """`instant` as aware UTC; a naive datetime is an error (it names no moment)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} has no UTC offset, so it names no single moment")
    return instant.astimezone(UTC)


def deadline(became_aware_at: datetime, hours: int) -> datetime:
    """The instant `hours` elapsed hours after `became_aware_at`, in UTC."""
    if not MIN_NOTICE_HOURS <= hours <= MAX_NOTICE_HOURS:
        raise ValueError(f"notice hours must be between {MIN_NOTICE_HOURS} and "
                         f"{MAX_NOTICE_HOURS}, not {hours}")
    return require_aware(became_aware_at, "became_aware_at") + timedelta(hours=hours)


def authority_deadline(became_aware_at: datetime) -> datetime:
    """A controller's deadline for notifying the supervisory authority (72 hours)."""
    return deadline(became_aware_at, AUTHORITY_HOURS)


def elapsed_hours(start: datetime, end: datetime) -> float:
    """Hours elapsed between two instants (negative when `end` is before `start`)."""
    return (require_aware(end, "end") - require_aware(start, "start")).total_seconds() / 3600


def is_late(due: datetime, at: datetime) -> bool:
    """Whether something done at `at` missed the deadline `due` (on the second is in time)."""
    return require_aware(at, "at") > require_aware(due, "due")


@dataclass(frozen=True)
class Clock:
    """One notification clock: started when the organisation became aware, `hours` long."""

    started_at: datetime
    hours: int
    done_at: datetime | None = None

    @property
    def due(self) -> datetime:
        """The deadline, in UTC."""
        return deadline(self.started_at, self.hours)

    def remaining(self, now: datetime) -> timedelta:
        """Time left at `now` (negative once the deadline has passed)."""
        return self.due - require_aware(now, "now")

    def state(self, now: datetime) -> ClockState:
        """Where the clock stands at `now`."""
        if self.done_at is not None:
            return ClockState.LATE if is_late(self.due, self.done_at) else ClockState.MET
        left = self.remaining(now)
        if left < timedelta(0):
            return ClockState.OVERDUE
        total = timedelta(hours=self.hours)
        if left > total / 2:
            return ClockState.RUNNING
        return ClockState.DUE_SOON if left > total / 6 else ClockState.URGENT

    @property
    def is_running(self) -> bool:
        """Nothing has been sent yet."""
        return self.done_at is None


def split(span: timedelta) -> tuple[bool, int, int]:
    """(past, whole hours, minutes) of a span, rounded down to the minute.

    A countdown shows "71 h 59 min" one second after the start, never "72 h 0 min".
    """
    seconds = int(span.total_seconds())
    past = seconds < 0
    minutes = abs(seconds) // 60
    return past, minutes // 60, minutes % 60


def in_zone(instant: datetime, zone: ZoneInfo) -> datetime:
    """An instant in the display zone."""
    return require_aware(instant).astimezone(zone)


def zone_abbreviation(instant: datetime, zone: ZoneInfo) -> str:
    """The zone's short name in force at `instant`, e.g. CET or CEST for Europe/Copenhagen."""
    return in_zone(instant, zone).tzname() or zone.key


def format_instant(instant: datetime, zone: ZoneInfo) -> str:
    """'2026-03-31 11:00 CEST': local wall time with the abbreviation in force then."""
    local = in_zone(instant, zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_abbreviation(instant, zone)}"


def parse_local(value: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time typed in the display zone, as an aware UTC instant.

    In the hour that repeats when clocks go back, the first occurrence (summer time) is taken;
    a time in the hour skipped when clocks go forward is read with the offset before the jump.
    """
    if value.tzinfo is not None:
        return require_aware(value)
    return value.replace(tzinfo=zone, fold=0).astimezone(UTC)
