"""The scheduler: APScheduler 3.x wired to the deadline jobs. Never started by create_app().

`make run` starts it inside the development server's process (`flask scheduler serve`); in a
deployment with several web workers one `flask scheduler run` process does it, and
`flask scheduler run --once` scans once and exits (for cron or a test). A database lease keeps
scanning single even if two schedulers are started by mistake: each scan first takes or renews
the lease, and skips while another holder's lease runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .db import utcnow, writing

JOB_ID = "deadline-scan"


@dataclass(frozen=True)
class ScanReport:
    """One scheduled scan: whether it ran (held the lease) and what it did."""

    ran: bool
    deadlines: int = 0
    created: int = 0
    digests: int = 0
    failed_digests: int = 0


def run_scan(app: Flask, holder: str, now: datetime | None = None) -> ScanReport:
    """Take the lease, scan every provider's deadlines, send e-mail digests; one session."""
    from .extensions import db
    from .notifications import jobs
    from .notifications.mail import mail_enabled, smtp_sender
    from .notifications.service import make_policy
    from .time import zone

    now = now or utcnow()
    lease_seconds = 2 * 60 * int(app.config["KONTROL_SCAN_MINUTES"]) + 60
    with app.app_context(), writing():
        session = db.session
        try:
            if not jobs.acquire_lease(session, holder, now, lease_seconds):
                return ScanReport(False)
            mail = mail_enabled(app)
            scan = jobs.scan_deadlines(session, now, policy=make_policy(app.config),
                                       zone=zone(app), mail=mail)
            sent = jobs.scan_mail(session, now, send=smtp_sender(app)) if mail else None
            return ScanReport(True, scan.deadlines, scan.created,
                              sent.sent if sent else 0, sent.failed if sent else 0)
        finally:
            session.remove()


def _scheduled_scan(app: Flask, holder: str) -> None:
    try:
        report = run_scan(app, holder)
    except Exception:  # noqa: BLE001 - log and try again at the next interval
        app.logger.exception("deadline scan failed")
        return
    if report.ran and (report.created or report.digests or report.failed_digests):
        app.logger.info("deadline scan: %d notifications, %d digests sent, %d failed",
                        report.created, report.digests, report.failed_digests)


def build_scheduler(app: Flask, holder: str, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with the deadline scan every KONTROL_SCAN_MINUTES, the first one at once."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=UTC)
    scheduler.add_job(_scheduled_scan, "interval", args=(app, holder), id=JOB_ID,
                      minutes=int(app.config["KONTROL_SCAN_MINUTES"]),
                      next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
    return scheduler
