"""E-mail digests to a real SMTP server (aiosmtpd) on a free local port."""

from __future__ import annotations

import email
import socket
from datetime import date, timedelta
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.notifications import jobs, service
from app.notifications.deadlines import Policy
from app.notifications.mail import smtp_sender
from app.notifications.models import EmailStatus, Notification
from tests.factories import make_user
from tests.notifications.conftest import CPH, NOW, make_duty


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email_policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    before = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield inbox
    app.config.update(before)
    controller.stop()


def scan(session, app, now=NOW):
    jobs.scan_deadlines(session, now, policy=Policy(), zone=CPH, mail=True)
    return jobs.scan_mail(session, now, send=smtp_sender(app))


def test_one_digest_per_recipient_in_their_language(app, db_session, smtp):
    danish = make_user(db_session, role="control_owner", name="Mads Krogh")
    danish.language = "da"
    english = make_user(db_session, role="control_owner", name="Ann Lee")
    db_session.commit()
    make_duty(db_session, danish, date(2026, 6, 5), title="Penetration test",
              title_da="Penetrationstest")
    make_duty(db_session, danish, date(2026, 5, 20), title="SoA review",
              title_da="Gennemgang af anvendelseserklæringen")
    make_duty(db_session, english, date(2026, 6, 3), title="Contingency test")
    result = scan(db_session, app)
    assert (result.sent, result.failed, result.notifications) == (2, 0, 3)
    by_recipient = {m["To"]: m for m in smtp.messages}
    assert set(by_recipient) == {danish.email, english.email}
    mail = by_recipient[danish.email]
    assert mail["Content-Language"] == "da"
    assert "2 påmindelser om frister" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Penetrationstest" in body and "Gennemgang af anvendelseserklæringen" in body
        assert "overskredet" in body and "/wheel/duties/" in body
    assert "Hej Mads Krogh" in text
    assert "Contingency test" in by_recipient[english.email]["Subject"]
    assert {n.email_status for n in db_session.scalars(select(Notification))} == {"sent"}
    # A second scan sends nothing more.
    assert scan(db_session, app, NOW + timedelta(minutes=5)).sent == 0
    assert len(smtp.messages) == 2


def test_kinds_not_wanted_by_mail_stay_in_app_only(app, db_session, smtp):
    person = make_user(db_session, role="control_owner")
    service.save_preferences(db_session, person, ["evidence_expiry"], "immediate")
    make_duty(db_session, person, date(2026, 6, 5))
    assert scan(db_session, app).sent == 0
    assert smtp.messages == []
    row = db_session.scalar(select(Notification))
    assert row.email_status == EmailStatus.NONE and row.read_at is None


def test_a_daily_digest_waits_a_day(app, db_session, smtp):
    person = make_user(db_session, role="control_owner")
    service.save_preferences(db_session, person, ["annual_duty"], "daily")
    make_duty(db_session, person, date(2026, 6, 5), title="First")
    assert scan(db_session, app).sent == 1
    make_duty(db_session, person, date(2026, 6, 6), title="Second")
    assert scan(db_session, app, NOW + timedelta(hours=2)).sent == 0
    assert scan(db_session, app, NOW + timedelta(hours=24)).sent == 1
    assert "Second" in smtp.messages[-1]["Subject"]


def test_a_failed_send_is_retried_and_never_loses_the_notification(app, db_session):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    try:
        person = make_user(db_session, role="control_owner")
        make_duty(db_session, person, date(2026, 6, 5))
        first = scan(db_session, app)
        assert (first.sent, first.failed) == (0, 1)
        row = db_session.scalar(select(Notification))
        assert row.email_status == EmailStatus.PENDING and row.email_attempts == 1
        assert row.email_next_try_at == NOW + timedelta(minutes=5)
        assert service.unread_count(db_session, person.id) == 1
        # Not retried before its time; retried after; given up after the last attempt.
        assert jobs.scan_mail(db_session, NOW + timedelta(minutes=1),
                              send=smtp_sender(app)).failed == 0
        moment = NOW
        for _ in range(jobs.MAX_ATTEMPTS - 1):
            moment += timedelta(hours=5)
            jobs.scan_mail(db_session, moment, send=smtp_sender(app))
        db_session.refresh(row)
        assert row.email_status == EmailStatus.FAILED and row.email_error
        assert service.unread_count(db_session, person.id) == 1
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
