"""`flask subprocessors deadlines` and `flask subprocessors refresh`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..auth.actors import CLI
from ..db import writing
from ..extensions import db
from ..time import local_today
from . import queries, service
from .checks import VendorContext

subprocessors_cli = AppGroup("subprocessors", help="The sub-processor register.")



def _context() -> VendorContext:
    from .views import policy

    return VendorContext(today=local_today(), policy=policy(current_app))


@subprocessors_cli.command("deadlines")
def deadlines_command() -> None:
    """List the register's open deadlines (statements, follow-ups, objection windows)."""
    today = local_today()
    for deadline in queries.open_deadlines(db.session, today):
        flag = "  (overdue)" if deadline.due_on < today else ""
        click.echo(f"{deadline.due_on.isoformat()}  {deadline.kind:24} {deadline.label}{flag}")


@subprocessors_cli.command("refresh")
def refresh_command() -> None:
    """Recompute every next statement and follow-up date (after changing the policy)."""
    with writing():
        changed = service.refresh_all_due_dates(db.session, CLI, _context())
    click.echo(f"Due dates refreshed; {changed} sub-processor(s) changed.")


def refresh_on_setup(session) -> None:
    """`flask setup` step: bring stored due dates in line with the configured policy."""
    changed = service.refresh_all_due_dates(session, CLI, _context())
    if changed:
        click.echo(f"Sub-processor due dates refreshed for {changed} entries.")
