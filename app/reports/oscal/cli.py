"""`flask oscal export …`: write OSCAL JSON documents to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ...auth.actors import CLI
from ...errors import DomainError
from ...extensions import db
from . import service

oscal_cli = AppGroup("oscal", help="Export OSCAL (JSON) documents.")
export_cli = AppGroup("export", help="Write one OSCAL document to a file.")
oscal_cli.add_command(export_cli)
OUT = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)


def _write(build: Callable[[], dict], out: Path) -> None:
    try:
        document = build()
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    data = service.dumps(document)
    out.write_bytes(data)
    (model,) = document
    click.echo(f"Wrote {out}: OSCAL {model}, {len(data):,} bytes")


@export_cli.command("catalog")
@click.option("--catalogue", "slug", required=True, help="The catalogue id, e.g. iso27001-2022.")
@OUT
def catalog_command(slug: str, out: Path) -> None:
    """A Kontrol catalogue as an OSCAL catalog."""
    _write(lambda: service.export_catalog(db.session, CLI, slug), out)


@export_cli.command("ssp")
@OUT
def ssp_command(out: Path) -> None:
    """The Statement of Applicability as an OSCAL system security plan."""
    _write(lambda: service.export_ssp(db.session, CLI,
                                      current_app.config["KONTROL_ORGANISATION"]), out)


@export_cli.command("assessment-results")
@click.option("--engagement", "engagement_id", type=int, required=True)
@OUT
def results_command(engagement_id: int, out: Path) -> None:
    """An engagement as OSCAL assessment results (its assessment plan embedded)."""
    _write(lambda: service.export_assessment_results(db.session, CLI, engagement_id), out)


@export_cli.command("assessment-plan")
@click.option("--engagement", "engagement_id", type=int, required=True)
@OUT
def plan_command(engagement_id: int, out: Path) -> None:
    """An engagement's OSCAL assessment plan."""
    _write(lambda: service.export_assessment_plan(db.session, CLI, engagement_id), out)
