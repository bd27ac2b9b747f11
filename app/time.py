"""Display time: instants are stored in UTC and shown in the configured zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from .db import utcnow


def zone(app) -> ZoneInfo:
    """The configured display zone (KONTROL_TIMEZONE, default Europe/Copenhagen)."""
    return ZoneInfo(app.config["KONTROL_TIMEZONE"])


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware instant converted to the display zone."""
    return value.astimezone(tz) if value is not None else None


def local_today(app=None) -> date:
    """Today's date in the configured zone, not the server's.

    Between midnight in Copenhagen and midnight UTC (one or two hours) a server on UTC still
    says yesterday.
    """
    return utcnow().astimezone(zone(app or current_app)).date()
