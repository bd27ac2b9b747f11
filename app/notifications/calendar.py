"""The calendar feed: a user's deadlines as iCalendar (RFC 5545), built with `icalendar`.

One event per open deadline the user answers for: a stable UID (the deadline's key), the due
instant in UTC as DTSTART, a link back as URL, and for breach clocks alarms 24 and 4 hours
before. Plain data in, bytes out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from .deadlines import BREACH_KINDS, Deadline

BREACH_ALARMS = (timedelta(hours=24), timedelta(hours=4))


def build_calendar(deadlines: Iterable[Deadline], *, now: datetime, name: str, language: str,
                   link: Callable[[Deadline], str], label: Callable[[str], str]) -> bytes:
    """The feed's bytes: `link(deadline)` gives its address, `label(kind)` its kind's name."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kontrol//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = now.astimezone(UTC)
    for deadline in deadlines:
        url = link(deadline)
        kind = label(deadline.kind)
        event = Event()
        event.add("uid", f"{deadline.key}@kontrol")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due_at.astimezone(UTC))
        event.add("summary", f"{kind}: {deadline.title_in(language)}")
        event.add("description", f"{kind}\n{url}")
        event.add("url", url)
        event.add("categories", [deadline.kind])
        if deadline.kind in BREACH_KINDS:
            for before in BREACH_ALARMS:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"{kind}: {deadline.title_in(language)}")
                alarm.add("trigger", -before)
                event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
