"""Incident fixtures: breaches made through the services, at pinned instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.incidents import notifications, service
from tests.factories import make_user

CPH = ZoneInfo("Europe/Copenhagen")
# Awareness the evening before the spring change: 72 h later the wall clock shows one hour more.
AWARE = datetime(2026, 3, 28, 19, 0, tzinfo=UTC)  # 20:00 CET


@pytest.fixture
def coordinator(db_session):
    return make_user(db_session, role="coordinator")


def make_breach(session, actor, *, role="controller", aware=AWARE, hours=None, title="Breach",
                controllers=(), breach=True, now=None):
    """A registered incident; a breach unless `breach` is False."""
    return service.register_incident(session, actor, service.IncidentDetails(
        title=title, description="What happened.", detected_at=aware - timedelta(hours=1),
        became_aware_at=aware, personal_data=True, personal_data_breach=breach, role=role,
        controller_notice_hours=hours, breach_reason="Identifiable data reached a stranger."),
        controllers, tz=CPH, now=now or aware + timedelta(days=400))


def submit(session, actor, incident, recipient, at, **extra):
    return notifications.record_submission(session, actor, incident,
                                           notifications.SubmissionDetails(
                                               recipient=recipient, submitted_at=at, **extra),
                                           incident.version, now=at + timedelta(minutes=1))
