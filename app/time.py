"""Display time: instants are stored in UTC and shown in the configured zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def zone(app) -> ZoneInfo:
    """The configured display zone (KONTROL_TIMEZONE, default Europe/Copenhagen)."""
    return ZoneInfo(app.config["KONTROL_TIMEZONE"])


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware instant converted to the display zone."""
    return value.astimezone(tz) if value is not None else None
