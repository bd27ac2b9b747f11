"""Scanning deadlines into notifications: thresholds, recipients, idempotence, the lease."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from app.db import writing
from app.extensions import db
from app.notifications import jobs
from app.notifications.deadlines import Policy
from app.notifications.models import Notification
from app.scheduler import run_scan
from tests.factories import make_user
from tests.incidents.conftest import AWARE, make_breach
from tests.notifications.conftest import CPH, NOW, make_duty


def notifications(session):
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_a_scan_twice_notifies_each_person_once(db_session, owner, policy):
    make_duty(db_session, owner, date(2026, 6, 5))  # due in four days: the 7-day reminder
    first = jobs.scan_deadlines(db_session, NOW, policy=policy, zone=CPH)
    second = jobs.scan_deadlines(db_session, NOW + timedelta(minutes=5), policy=policy, zone=CPH)
    rows = notifications(db_session)
    assert (first.created, second.created, second.skipped) == (1, 0, 1)
    assert [(n.user_id, n.threshold, n.kind) for n in rows] == [(owner.id, "7d", "annual_duty")]


def test_each_threshold_notifies_once_as_the_deadline_nears(db_session, owner, policy):
    make_duty(db_session, owner, date(2026, 6, 30))
    for day in (date(2026, 5, 20), date(2026, 5, 31), date(2026, 6, 10), date(2026, 6, 23),
                date(2026, 6, 30), date(2026, 7, 1), date(2026, 7, 9)):
        moment = NOW.replace(year=day.year, month=day.month, day=day.day)
        jobs.scan_deadlines(db_session, moment, policy=policy, zone=CPH)
    assert [n.threshold for n in notifications(db_session)] == ["30d", "7d", "due", "overdue"]


def test_thresholds_follow_the_configured_policy(db_session, owner):
    make_duty(db_session, owner, date(2026, 6, 20))
    policy = jobs.rules.make_policy({"annual_duty": ["14d", "overdue"]})
    jobs.scan_deadlines(db_session, NOW, policy=policy, zone=CPH)  # 19 days before
    assert notifications(db_session) == []
    jobs.scan_deadlines(db_session, NOW + timedelta(days=5), policy=policy, zone=CPH)
    assert [n.threshold for n in notifications(db_session)] == ["14d"]


def test_breach_clocks_reach_the_reporter_and_every_coordinator(db_session, policy):
    reporter = make_user(db_session, role="coordinator")
    other = make_user(db_session, role="coordinator")
    make_user(db_session, role="control_owner")
    incident = make_breach(db_session, reporter, now=AWARE + timedelta(hours=1))
    jobs.scan_deadlines(db_session, AWARE + timedelta(hours=37), policy=policy, zone=CPH)
    jobs.scan_deadlines(db_session, AWARE + timedelta(hours=50), policy=policy, zone=CPH)
    rows = notifications(db_session)
    assert sorted((n.user_id, n.threshold) for n in rows) == sorted(
        [(reporter.id, "50%"), (other.id, "50%"), (reporter.id, "24h"), (other.id, "24h")])
    assert {n.object_id for n in rows} == {incident.id}
    assert rows[0].due_at == AWARE + timedelta(hours=72)


def test_inactive_people_and_done_deadlines_are_not_notified(db_session, owner, policy):
    make_duty(db_session, owner, date(2026, 6, 3))
    owner.active = False
    db_session.commit()
    assert jobs.scan_deadlines(db_session, NOW, policy=policy, zone=CPH).created == 0


def _count(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count(Notification.id)))
        finally:
            db.session.remove()


def test_two_scanners_at_once_notify_each_person_once(fresh_app):
    with fresh_app.app_context():
        people = [make_user(db.session, role="control_owner") for _ in range(3)]
        for index, person in enumerate(people):
            for offset in range(4):
                make_duty(db.session, person, date(2026, 6, 2 + offset),
                          title=f"Duty {index}.{offset}")
        db.session.remove()
    start, errors = threading.Barrier(2), []

    def scan():
        try:
            with fresh_app.app_context(), writing():
                start.wait(timeout=10)
                jobs.scan_deadlines(db.session, NOW, policy=Policy(), zone=CPH)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            with fresh_app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _count(fresh_app) == 12


def test_the_lease_lets_one_scheduler_scan_at_a_time(fresh_app):
    with fresh_app.app_context():
        make_duty(db.session, make_user(db.session, role="control_owner"), date(2026, 6, 3))
        db.session.remove()
    start, reports = threading.Barrier(2), []

    def scan(holder):
        start.wait(timeout=10)
        reports.append(run_scan(fresh_app, holder, NOW))

    threads = [threading.Thread(target=scan, args=(f"scheduler-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.ran for r in reports) == [False, True]
    assert _count(fresh_app) == 1
    # A third scheduler waits while the lease runs and takes it once it has expired.
    assert run_scan(fresh_app, "someone-else", NOW + timedelta(minutes=1)).ran is False
    assert run_scan(fresh_app, "someone-else", NOW + timedelta(hours=1)).ran is True


def test_scheduler_run_once_scans_and_exits(fresh_app):
    with fresh_app.app_context():
        make_duty(db.session, make_user(db.session, role="control_owner"), date.today())
        db.session.remove()
    result = fresh_app.test_cli_runner().invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 new notifications" in result.output
    again = fresh_app.test_cli_runner().invoke(args=["scheduler", "run", "--once"])
    assert "0 new notifications" in again.output  # the lease was released on exit
