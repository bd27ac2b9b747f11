"""Validation shared by the incident services: texts, instants, dates, numbers, errors.

Messages meant for people are built with `invalid(field, N_("… %(x)s"), x=…)`: the English text
is the message (the API and CLI show it); views translate the template with its parameters.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from . import clocks

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_SHORT = 200
MAX_APPROX = 1_000_000_000  # approximate numbers of data subjects or records
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
CLOCK_SKEW = timedelta(minutes=5)  # an instant "now" on a slightly fast clock is not future


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it (views translate it on display)."""
    return message


def error(kind: type[DomainError], template: str, field_name: str | None = None,
          **params) -> DomainError:
    """A domain error whose English message is `template % params`, kept translatable."""
    message = template % params if params else template
    made = kind(field_name, message) if issubclass(kind, Invalid) else kind(message)
    made.template, made.params = template, params
    return made


def invalid(field_name: str | None, template: str, **params) -> DomainError:
    """An `Invalid` on `field_name`."""
    return error(Invalid, template, field_name, **params)


def forbidden(template: str) -> DomainError:
    """A `Forbidden` with a translatable message."""
    return error(Forbidden, template)


def not_found() -> DomainError:
    """The one answer for an incident that does not exist or may not be seen."""
    return error(NotFound, N_("No such incident."))


def conflict(template: str, **params) -> DomainError:
    """A `Conflict` with a translatable message."""
    return error(Conflict, template, **params)


def _printable(value: str | None, name: str) -> str:
    """The text, refused when it holds a NUL or a lone surrogate (no column can store them)."""
    if value:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise invalid(name, N_("Remove the control characters from this text.")) from None
        if "\x00" in value:
            raise invalid(name, N_("Remove the control characters from this text."))
    return value or ""


def text(value: str | None, name: str, required: str | None = None,
         limit: int = MAX_TEXT) -> str | None:
    """Stripped text or None; `required` is the message when it must be given."""
    cleaned = _printable(value, name).strip()
    if not cleaned:
        if required:
            raise invalid(name, required)
        return None
    if len(cleaned) > limit:
        raise invalid(name, N_("Keep this under %(max)d characters."), max=limit)
    return cleaned


def title(value: str | None) -> str:
    """A one-line title."""
    cleaned = " ".join(_printable(value, "title").split())
    if not cleaned:
        raise invalid("title", N_("Say in a few words what happened."))
    if len(cleaned) > MAX_TITLE:
        raise invalid("title", N_("Keep the title under %(max)d characters."), max=MAX_TITLE)
    return cleaned


def instant(value: datetime | None, name: str, now: datetime, *,
            required: str | None = None) -> datetime | None:
    """An aware instant between 1990 and 2100 and not in the future, or None."""
    if value is None:
        if required:
            raise invalid(name, required)
        return None
    try:
        value = clocks.require_aware(value, name)
    except OverflowError:
        raise invalid(name, N_("Give a time between 1990 and 2100.")) from None
    except ValueError:
        raise invalid(name, N_("Give the time with its UTC offset, e.g. "
                               "2026-03-29T09:30:00+02:00.")) from None
    if not EARLIEST <= value.date() <= LATEST:
        raise invalid(name, N_("Give a time between 1990 and 2100."))
    if value > now + CLOCK_SKEW:
        raise invalid(name, N_("This time lies in the future."))
    return value


def day(value: date | None, name: str, today: date, *, required: str | None = None,
        not_before: date | None = None) -> date | None:
    """A date between 1990 and today (and not before `not_before`), or None."""
    if value is None:
        if required:
            raise invalid(name, required)
        return None
    if not EARLIEST <= value <= LATEST:
        raise invalid(name, N_("Give a date between 1990 and 2100."))
    if value > today:
        raise invalid(name, N_("This date lies in the future."))
    if not_before is not None and value < not_before:
        raise invalid(name, N_("This date is before the incident was detected."))
    return value


def approx(value: int | None, name: str) -> int | None:
    """An approximate count: a whole number from 0 to a billion, or None."""
    if value is None:
        return None
    if not 0 <= value <= MAX_APPROX:
        raise invalid(name, N_("Give a whole number from 0 to %(max)s."), max=f"{MAX_APPROX:,}")
    return value


def notice_hours(value: int | None, name: str) -> int:
    """Agreed notice hours, 1 to 720; 24 when not given."""
    if value is None:
        return clocks.DEFAULT_CONTROLLER_HOURS
    if not clocks.MIN_NOTICE_HOURS <= value <= clocks.MAX_NOTICE_HOURS:
        raise invalid(name, N_("Give the agreed hours as a whole number from %(low)d to "
                               "%(high)d."), low=clocks.MIN_NOTICE_HOURS,
                      high=clocks.MAX_NOTICE_HOURS)
    return value


def version(current: int, given: int | None) -> None:
    """Refuse a write based on an out-of-date page."""
    if given != current:
        raise conflict(N_("Someone else changed this incident since you opened it. Reload "
                          "the page to see their change, then try again."))


def open_for_changes(incident) -> None:
    """Closed incidents are changed only after reopening."""
    if incident.is_closed:
        raise conflict(N_("This incident is closed. Reopen it first."))

