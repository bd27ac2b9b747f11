"""`flask scheduler run [--once]` and `flask scheduler serve`: the deadline scanner's processes."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("scheduler")
def scheduler_cli() -> None:
    """Scan deadlines and send reminders."""


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Scan once and exit.")
@with_appcontext
def run_command(once: bool) -> None:
    """Run the scheduler alone (beside gunicorn's workers); with --once, scan once and exit."""
    from ..notifications.jobs import holder_name, release_lease
    from ..scheduler import build_scheduler, run_scan

    app = current_app._get_current_object()
    holder = holder_name()
    if once:
        try:
            report = run_scan(app, holder)
        finally:
            _release(app, holder, release_lease)
        if not report.ran:
            raise click.ClickException("Another scheduler holds the lease; nothing scanned.")
        click.echo(f"Scanned {report.deadlines} deadlines: {report.created} new notifications, "
                   f"{report.digests} e-mail digests sent, {report.failed_digests} failed.")
        return
    click.echo(f"Scheduler running: scanning every {app.config['KONTROL_SCAN_MINUTES']} "
               "minutes (Ctrl+C to stop).")
    scheduler = build_scheduler(app, holder, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        _release(app, holder, release_lease)


@scheduler_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """The development server with the scheduler in its process (what `make run` starts)."""
    from werkzeug.serving import run_simple

    from ..notifications.jobs import holder_name, release_lease
    from ..scheduler import build_scheduler

    app = current_app._get_current_object()
    holder = holder_name()
    scheduler = build_scheduler(app, holder)
    scheduler.start()
    click.echo(f"Scheduler started: scanning deadlines every {app.config['KONTROL_SCAN_MINUTES']}"
               " minutes.")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)
        _release(app, holder, release_lease)


def _release(app, holder: str, release) -> None:
    from ..db import writing
    from ..extensions import db

    with app.app_context(), writing():
        release(db.session, holder)
        db.session.remove()
