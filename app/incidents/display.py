"""How clocks and instants look on a page: countdown wording, colour, local time with its zone.

Used by the views and the dashboard tile; no queries, no writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from . import clocks
from .clocks import ClockState

# CSS class of the countdown per state: green, amber, red, dark red, done.
STATE_CLASS = {
    ClockState.RUNNING: "clock-ok", ClockState.DUE_SOON: "clock-warn",
    ClockState.URGENT: "clock-urgent", ClockState.OVERDUE: "clock-overdue",
    ClockState.MET: "clock-met", ClockState.LATE: "clock-late",
}


def zone() -> ZoneInfo:
    """The configured display zone."""
    return ZoneInfo(current_app.config["KONTROL_TIMEZONE"])


def zoned(value: datetime | None) -> str:
    """An instant in the configured zone, e.g. '2026-03-31 11:00 CEST' ('' for None).

    Written in the page's date style, with the zone's abbreviation in force then.
    """
    from ..templating import local_time

    return f"{local_time(value)} {clocks.zone_abbreviation(value, zone())}" if value else ""


def local_input(value: datetime | None) -> datetime | None:
    """A stored instant as the naive wall time a `datetime-local` input shows."""
    return clocks.in_zone(value, zone()).replace(tzinfo=None) if value else None


def from_input(value: datetime | None) -> datetime | None:
    """A `datetime-local` value (wall time in the configured zone) as an aware UTC instant.

    A year far outside any sensible range is passed on as UTC, for the service to refuse by
    its bounds (converting it could overflow).
    """
    if value is None:
        return None
    if not 1900 <= value.year <= 2200:
        return value.replace(tzinfo=UTC)
    return clocks.parse_local(value, zone())


@dataclass(frozen=True)
class ClockView:
    """One countdown as the page shows it."""

    recipient: str
    hours: int
    due: datetime
    due_text: str
    state: str
    css: str
    text: str
    done_at: datetime | None
    elapsed: int | None = None  # whole hours since the clock started, while it runs


def _span(past: bool, hours: int, minutes: int) -> str:
    if past:
        return _("%(hours)d h %(minutes)d min overdue", hours=hours, minutes=minutes)
    return _("%(hours)d h %(minutes)d min left", hours=hours, minutes=minutes)


def clock_view(clock: clocks.Clock, recipient: str, now: datetime) -> ClockView:
    """The countdown (or the outcome, once notified) of `clock` at `now`."""
    state = clock.state(now)
    if clock.done_at is not None:
        past, hours, minutes = clocks.split(clock.done_at - clock.due)
        text = (_("notified %(hours)d h %(minutes)d min late", hours=hours, minutes=minutes)
                if state == ClockState.LATE else _("notified in time"))
    else:
        text = _span(*clocks.split(clock.remaining(now)))
    elapsed = None if clock.done_at else int(clocks.elapsed_hours(clock.started_at, now))
    return ClockView(recipient=recipient, hours=clock.hours, due=clock.due,
                     due_text=zoned(clock.due), state=state.value, css=STATE_CLASS[state],
                     text=text, done_at=clock.done_at, elapsed=elapsed)


def incident_clocks(incident, now: datetime) -> list[ClockView]:
    """Every clock of an incident, labelled by recipient."""
    return [clock_view(clock, controller.name if controller else (
        _("Datatilsynet (supervisory authority)") if incident.is_controller
        else _("The controllers")), now) for controller, clock in incident.clocks()]
