"""`flask backup` and `flask restore`: thin shells over archive.py and restore.py."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


def _ledger_key():
    return current_app.config.get("KONTROL_LEDGER_KEY")


def head_revision() -> str | None:
    """The newest migration this code knows."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write (a .tar file; refused if it exists).")
def backup_command(out: Path) -> None:
    """Write a consistent snapshot of the database and the evidence files to one tar file.

    Safe while Kontrol runs: the tables are read in one read-only transaction. The ledger key
    (instance/ledger_key or KONTROL_LEDGER_KEY) is NOT in the backup: keep it with it.
    """
    from ..evidence.service import STORED_FILE_SOURCES
    from .archive import BackupError, write_backup

    started = time.perf_counter()
    try:
        summary = write_backup(db.engine, db.metadata, current_app.config["KONTROL_EVIDENCE_DIR"],
                               out, ledger_key=_ledger_key(), file_sources=STORED_FILE_SOURCES,
                               progress=_progress)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {summary.path}: {summary.tables} tables, {summary.rows} rows, "
               f"{summary.files} evidence files, {summary.bytes:,} bytes, schema revision "
               f"{summary.revision}, in {time.perf_counter() - started:.1f} s.")
    click.echo("Keep the ledger key (instance/ledger_key or KONTROL_LEDGER_KEY) with it: the "
               "ledger cannot be verified without it.")


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive: Path) -> None:
    """Restore a backup into an empty database and an empty evidence directory, then verify.

    The archive is checked against its manifest first; a damaged archive, or a database or
    evidence directory that is not empty, is refused before anything is written.
    """
    from flask_migrate import upgrade

    from .restore import (
        RestoreRefused,
        check_archive,
        check_target,
        restore_backup,
        verify_restored,
    )

    evidence_root = current_app.config["KONTROL_EVIDENCE_DIR"]
    started = time.perf_counter()
    try:
        backup = check_archive(archive, _progress)
        blank = check_target(db.engine, db.metadata, evidence_root, backup, head_revision())
        revision = backup.header["revision"]
        restored = restore_backup(db.engine, db.metadata, evidence_root, backup,
                                  create_schema=(lambda: upgrade(revision=revision)) if blank
                                  else None, progress=_progress)
    except RestoreRefused as error:
        raise click.ClickException(f"Restore refused: {error}") from None
    except SQLAlchemyError as error:
        raise click.ClickException(f"Restore failed and was rolled back (no rows and no "
                                   f"evidence files were kept): {error.orig or error}") from None
    click.echo(f"Restored {restored.rows} rows in {restored.tables} tables and {restored.files} "
               f"evidence files from {archive} in {time.perf_counter() - started:.1f} s.")
    db.session.remove()
    verification = verify_restored(db.session, backup, evidence_root, _ledger_key())
    for line in verification.lines:
        click.echo(line)
    if not verification.ok:
        raise SystemExit(1)
