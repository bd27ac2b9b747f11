"""`flask governance deadlines`: the open governance deadlines, overdue first."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import utcnow
from ..extensions import db
from ..time import zone
from .deadlines import open_deadlines

governance_cli = AppGroup("governance", help="Governance registers: reviews, risks, "
                                             "dispensations.")


@governance_cli.command("deadlines")
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 3660),
              help="How far ahead to look.")
def deadlines_command(days: int) -> None:
    """List reviews, acceptances, dispensations and emergency reports due (overdue first)."""
    tz = zone(current_app)
    now = utcnow()
    items = open_deadlines(db.session, now.astimezone(tz).date(), tz, horizon_days=days)
    for item in items:
        flag = "OVERDUE" if item.overdue(now) else "due"
        click.echo(f"{flag:8} {item.due_at.astimezone(tz):%Y-%m-%d %H:%M}  {item.kind:20} "
                   f"{item.object_type}#{item.object_id}  {item.title}")
    click.echo(f"{len(items)} open governance deadline(s) within {days} days.")
