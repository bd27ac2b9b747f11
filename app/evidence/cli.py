"""`flask evidence verify`: re-hash every stored file and compare the store with the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import service
from .views import settings

evidence_cli = AppGroup("evidence", help="Check the evidence store.")


@evidence_cli.command("verify")
def verify_command() -> None:
    """List missing, changed, orphaned and stale temp files; exit 1 unless the store is intact.

    Stale temp files are listed but do not fail the check: an upload may be in progress.
    """
    store = settings(current_app).store
    report = service.verify_store(db.session, store)
    for label, hashes in (("MISSING", report.missing), ("CHANGED", report.changed),
                          ("ORPHANED", report.orphaned)):
        for sha256 in hashes:
            click.echo(f"{label:9} {store.path_for(sha256)}", err=True)
    for name in report.stale_temp:
        click.echo(f"STALE     {store.temp_dir / name} (an upload that never finished, or one "
                   "in progress)", err=True)
    summary = (f"{report.checked} file(s) checked in {store.root}: {len(report.missing)} missing, "
               f"{len(report.changed)} changed, {len(report.orphaned)} orphaned, "
               f"{len(report.stale_temp)} stale temp.")
    if report.ok:
        click.echo(f"Evidence store intact. {summary}")
        return
    click.echo(f"Evidence store has PROBLEMS. {summary}", err=True)
    raise SystemExit(1)
