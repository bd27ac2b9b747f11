"""`flask ledger verify` and `flask ledger anchor`: check the chain, and write its head down."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..db import utcnow
from ..extensions import db
from . import service
from .anchor import format_anchor, parse_anchors

ledger_cli = AppGroup("ledger", help="Inspect the tamper-evident activity log.")


@ledger_cli.command("verify")
@click.option("--anchor", "anchor_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file holding anchor lines (from `flask ledger anchor`, a bundle's "
                   "MANIFEST.sha256, an e-mail); the chain must still contain each. Repeatable.")
def verify_command(anchor_files: tuple[Path, ...]) -> None:
    """Verify the whole chain; exits 1 and names the first broken entry when it fails."""
    anchors = []
    for path in anchor_files:
        found = parse_anchors(path.read_text(encoding="utf-8", errors="replace"))
        if not found:
            raise click.UsageError(f"{path} holds no line starting 'kontrol-ledger-anchor'.")
        anchors.extend(found)
    result = service.verify(db.session, anchors)
    if not result.ok:
        click.echo(f"Ledger BROKEN at entry {result.first_bad_seq}: {result.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"Ledger intact: {result.entries} entries verified.")
    if result.legacy:
        click.echo(f"Entries 1–{result.legacy} were written before the chain was keyed and are "
                   f"checked with plain SHA-256; entry {result.legacy + 1} seals them.")
    if anchors:
        click.echo(f"All {len(anchors)} anchors (up to entry {max(a.seq for a in anchors)}) "
                   "are in the chain.")


@ledger_cli.command("anchor")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the anchor line to this file (replacing it).")
def anchor_command(out: Path | None) -> None:
    """Print the chain's head (sequence number and hash) as an anchor line to keep elsewhere."""
    line = format_anchor(service.current_anchor(db.session), utcnow())
    if out is not None:
        out.write_text(line + "\n", encoding="utf-8")
    click.echo(line)
