"""`flask incidents deadlines`: every breach clock still running, soonest first."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import utcnow
from ..extensions import db
from . import clocks, queries
from .display import zone

incidents_cli = AppGroup("incidents", help="The incident register and its breach clocks.")


@incidents_cli.command("deadlines")
def deadlines_command() -> None:
    """List open breach notification deadlines; exit 1 when one has passed."""
    now, tz = utcnow(), zone()
    items = queries.open_deadlines(db.session, now)
    overdue = 0
    for item in items:
        past, hours, minutes = clocks.split(item.due - now)
        overdue += past
        state = f"{hours} h {minutes} min {'OVERDUE' if past else 'left'}"
        click.echo(f"#{item.incident_id:<5} {clocks.format_instant(item.due, tz):22} {state:22} "
                   f"{item.recipient or 'authority'} · {item.title}")
    click.echo(f"{len(items)} open breach deadline(s), {overdue} overdue "
               f"({current_app.config['KONTROL_TIMEZONE']}).")
    if overdue:
        raise SystemExit(1)
