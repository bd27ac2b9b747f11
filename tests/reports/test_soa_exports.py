"""The SoA an auditor receives (XLSX and PDF) says what the SoA page says, cell by cell."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.catalogue.models import Control
from app.catalogue.service import assign_owner, update_soa_entry
from app.reports import service as reports
from tests.factories import SYSTEM, make_user
from tests.html import table_rows, visible_text
from tests.reports.test_reports import pdf_text

ORGANISATION = "Søhøj Data A/S"


@pytest.fixture
def decided(db_session, loaded_catalogue):
    """Annex A with every kind of decision: statuses, not applicable, undecided, owners, dates."""
    owner = make_user(db_session, role="control_owner", name="Mads Krogh")
    controls = db_session.scalars(select(Control).where(
        Control.key.like("iso27001-2022:%")).order_by(Control.id)).all()
    statuses = ["implemented", "implemented", "partial", "planned", None]
    for number, control in enumerate(controls):
        entry = control.soa_entry
        if number % 11 == 10:
            continue  # not decided
        applicable = number % 7 != 6
        update_soa_entry(
            db_session, SYSTEM, entry, applicable=applicable,
            justification=f"Reason {number}" if number % 3 or not applicable else "",
            status=statuses[number % 5] if applicable else None,
            owner_id=None, last_reviewed_on=date(2026, 1, 1 + number % 28) if number % 2 else None,
            version=entry.version)
        if number % 4 == 0:
            assign_owner(db_session, SYSTEM, control, owner.id, control.version)
    reports.update_profile(db_session, SYSTEM, {"name": ORGANISATION}, 0)
    return controls


def _page_rows(client, query: str) -> list[list[str]]:
    html = client.get(f"/soa/?{query}").get_data(as_text=True)
    rows = table_rows(html, "soa")
    assert rows[0][:6] == ["Control", "Title", "Applicable / status", "Justification", "Owner",
                           "Last reviewed"]
    return [row[:6] for row in rows[1:]]


def _status_shown(applicable: str, status: str) -> str:
    if applicable == "No":
        return "Not applicable"
    if applicable == "Not decided":
        return "Not decided"
    return status or "Applicable"


def test_soa_xlsx_matches_the_page_cell_by_cell(client, login_as, decided):
    login_as("viewer")
    page = _page_rows(client, "catalogue=iso27001-2022")
    assert len(page) == 93
    sheet = load_workbook(io.BytesIO(client.get("/soa/export.xlsx?catalogue=iso27001-2022").data)
                          ).active
    assert sheet["A1"].value == f"Statement of Applicability — {ORGANISATION}"
    exported = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(exported) == len(page)
    for shown, row in zip(page, exported, strict=True):
        (_catalogue, _group, code, title, applicable, justification, status, owner, reviewed,
         _notes) = row
        assert [code, title, _status_shown(applicable, status or ""), justification or "",
                owner or "—", reviewed.date().isoformat() if reviewed else "—"] == shown
    statuses = {row[6] for row in exported}
    assert {"Implemented", "Partially implemented", "Planned"} <= statuses


def test_soa_pdf_matches_the_page_cell_by_cell(client, login_as, decided):
    login_as("viewer")
    html = client.get("/soa/").get_data(as_text=True)
    page = _page_rows(client, "catalogue=iso27001-2022")
    text = pdf_text(client.get("/reports/soa.pdf?lang=en&catalogue=iso27001-2022").data)
    assert ORGANISATION in text
    for code, title, status, justification, owner, reviewed in page:
        applicable = {"Not applicable": "No", "Not decided": "Not decided"}.get(status, "Yes")
        pdf_status = "" if status in ("Not applicable", "Not decided", "Applicable") else status
        cells = [code, title, applicable, pdf_status, justification, owner.strip("—"),
                 reviewed.strip("—")]
        expected = " ".join(cell or "–" for cell in cells)  # the PDF marks an empty cell "–"
        assert expected in text, f"{code}: {expected!r} is not in the PDF"
    # The PDF's summary counts the same statuses as the page's summary bar.
    shown = visible_text(html)
    implemented = int(shown.split(" implemented")[0].split()[-1])
    assert implemented > 0
    assert f"({implemented} implemented," in text


def test_soa_exports_in_danish_keep_the_status(client, login_as, decided):
    login_as("viewer")
    client.post("/language", data={"language": "da"})
    sheet = load_workbook(io.BytesIO(client.get("/soa/export.xlsx?catalogue=iso27001-2022").data)
                          ).active
    assert sheet["A1"].value.endswith(ORGANISATION)
    statuses = {row[6] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert {"Implementeret", "Delvist implementeret", "Planlagt"} <= statuses
    text = pdf_text(client.get("/reports/soa.pdf?lang=da&catalogue=iso27001-2022").data)
    assert " implementeret, " in text and "0 implementeret" not in text


def test_risk_register_xlsx_names_the_organisation(client, login_as, db_session):
    reports.update_profile(db_session, SYSTEM, {"name": ORGANISATION}, 0)
    login_as("coordinator")
    sheet = load_workbook(io.BytesIO(client.get("/governance/risks/export.xlsx").data)).active
    assert sheet["A1"].value.endswith(f"— {ORGANISATION}")
