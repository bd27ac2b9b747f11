"""`flask ledger verify`: walk the hash chain and name the first entry that does not fit."""

import click
from flask.cli import AppGroup

from ..extensions import db
from . import service

ledger_cli = AppGroup("ledger", help="Inspect the tamper-evident activity log.")


@ledger_cli.command("verify")
def verify_command() -> None:
    """Verify the whole chain; exits 1 and names the first broken entry when it fails."""
    result = service.verify(db.session)
    if result.ok:
        click.echo(f"Ledger intact: {result.entries} entries verified.")
        return
    click.echo(f"Ledger BROKEN at entry {result.first_bad_seq}: {result.problem}", err=True)
    raise SystemExit(1)
