"""`flask report …`: write reports to files from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..audits import service as audits
from ..auth.actors import CLI
from ..errors import DomainError
from ..extensions import db
from ..time import local_today
from . import service

report_cli = AppGroup("report", help="Write reports (PDF/XLSX) to files.")
engagements_cli = AppGroup("engagements", help="Issue ISAE 3000 reports.")


@report_cli.command("isae3000")
@click.option("--engagement", "engagement_id", type=int, required=True)
@click.option("--lang", type=click.Choice(["da", "en"]), default="da")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def isae3000_command(engagement_id: int, lang: str, out: Path) -> None:
    """The ISAE 3000 report of an engagement as PDF: the issued PDF, or a draft rendered now."""
    from .pdf import build_isae_report
    from .signing import issued_pdf

    try:
        engagement = audits.get_engagement(db.session, CLI, engagement_id)
        if engagement.is_issued and engagement.is_assurance:
            data, row = issued_pdf(db.session, engagement, lang, _store())
            out.write_bytes(data)
            click.echo(f"Wrote {out} ({len(data):,} bytes, issued, SHA-256 {row.sha256})")
            return
        report = service.isae_report(db.session, CLI, engagement, lang,
                                     current_app.config["KONTROL_ORGANISATION"], local_today())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    data = build_isae_report(report)
    out.write_bytes(data)
    state = "DRAFT" if report.draft else "final"
    click.echo(f"Wrote {out} ({len(data):,} bytes, {state}, {len(report.objectives)} "
               "objectives)")


def _store():
    from ..evidence.storage import EvidenceStore

    return EvidenceStore(current_app.config["KONTROL_EVIDENCE_DIR"])


@engagements_cli.command("issue")
@click.argument("engagement_id", type=int)
@click.option("--lang", "langs", type=click.Choice(["da", "en"]), multiple=True,
              help="Languages to issue (default: both).")
def issue_command(engagement_id: int, langs: tuple[str, ...]) -> None:
    """Issue an ISAE 3000 report; if anything is missing, list it and exit non-zero."""
    from .signing import NotReady, issue_engagement

    try:
        engagement = audits.get_engagement(db.session, CLI, engagement_id)
        issued = issue_engagement(db.session, CLI, engagement, _store(),
                                  current_app.config["KONTROL_ORGANISATION"],
                                  langs or ("da", "en"))
    except NotReady as error:
        click.echo(f"Engagement {engagement_id} cannot be issued yet:", err=True)
        for item in error.missing:
            click.echo(f"  - {item.message}", err=True)
        raise SystemExit(1) from error
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    for row in issued:
        click.echo(f"Issued {row.filename} ({row.size:,} bytes) SHA-256 {row.sha256}")


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
