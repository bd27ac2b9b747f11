"""How deadlines read to people: a due instant, a threshold, in the interface language."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from ..time import zone
from .deadlines import whole_day


def due_text(due_at) -> str:
    """A due instant for people: the day for a deadline at the end of a day, else day and time."""
    day = whole_day(due_at, zone(current_app))
    return format_date(day, "yyyy-MM-dd") if day else format_datetime(due_at, "yyyy-MM-dd HH:mm")


def threshold_text(threshold: str) -> str:
    """What a threshold means, translated: "due in 30 days", "overdue", "half the time gone"."""
    if threshold == "overdue":
        return _("overdue")
    if threshold == "due":
        return _("due today")
    amount = int(threshold[:-1])
    if threshold.endswith("d"):
        return _("due within %(num)d days", num=amount)
    if threshold.endswith("h"):
        return _("at most %(num)d hours left", num=amount)
    return _("%(num)d %% of the time gone", num=amount)
