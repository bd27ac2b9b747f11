"""`flask report …`: write reports to files from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..audits import service as audits
from ..auth.actors import CLI
from ..errors import DomainError
from ..extensions import db
from . import service

report_cli = AppGroup("report", help="Write reports (PDF/XLSX) to files.")


@report_cli.command("isae3000")
@click.option("--engagement", "engagement_id", type=int, required=True)
@click.option("--lang", type=click.Choice(["da", "en"]), default="da")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def isae3000_command(engagement_id: int, lang: str, out: Path) -> None:
    """The ISAE 3000 report of an engagement as PDF (a draft until it is issued)."""
    from .pdf import build_isae_report

    try:
        engagement = audits.get_engagement(db.session, CLI, engagement_id)
        report = service.isae_report(db.session, CLI, engagement, lang,
                                     current_app.config["KONTROL_ORGANISATION"], date.today())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    data = build_isae_report(report)
    out.write_bytes(data)
    state = "DRAFT" if report.draft else "final"
    click.echo(f"Wrote {out} ({len(data):,} bytes, {state}, {len(report.objectives)} "
               "objectives)")


@report_cli.command("soa")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def soa_command(lang: str, out: Path) -> None:
    """The Statement of Applicability as PDF or XLSX (by the file's ending)."""
    from ..catalogue.service import ControlFilter
    from ..db import utcnow
    from ..time import zone
    from .soa_pdf import build_soa_pdf
    from .xlsx import soa_workbook

    rows = service.soa_rows(db.session, ControlFilter(soa_only=True), lang)
    now = utcnow().astimezone(zone(current_app))
    name = service.get_profile(db.session, current_app.config["KONTROL_ORGANISATION"]).name
    data = (soa_workbook(rows, lang, name, now) if out.suffix.lower() == ".xlsx"
            else build_soa_pdf(rows, lang, name, now))
    out.write_bytes(data)
    click.echo(f"Wrote {out} ({len(rows)} controls)")
