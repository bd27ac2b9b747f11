"""The register as an XLSX workbook: plain rows in, bytes out (no Flask, no database).

Built with the reports package's XLSX styles; every text cell is written as text, so a name
such as "=HYPERLINK(…)" typed into the register stays text in the auditor's spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..reports.spreadsheet import finish_table, put_text
from ..reports.xlsx import HEADER_FILL, HEADER_FONT
from . import countries

TOP = Alignment(vertical="top", wrap_text=True)

WORDS = {
    "en": {
        "title": "Sub-processors", "generated": "Generated", "sheet": "Sub-processors",
        "headings": ("Name", "Registration number", "Address", "Established in",
                     "Countries of processing", "Description of the processing",
                     "Categories of personal data", "Approval", "Approved by", "Start", "End",
                     "Status", "Contact", "Risk rating", "Transfers to third countries",
                     "Next statement due", "Next follow-up due", "Overdue"),
        "status": {"proposed": "Proposed", "active": "Active", "ended": "Ended"},
        "approval": {"general": "General", "specific": "Specific"},
        "risk": {"low": "Low", "medium": "Medium", "high": "High"},
        "basis": {"adequacy": "adequacy decision", "scc": "SCC", "bcr": "BCR",
                  "derogation": "derogation (Art. 49)"},
        "no_tia": "no transfer impact assessment", "statement": "statement",
        "follow_up": "follow-up", "all": "All controllers",
    },
    "da": {
        "title": "Underdatabehandlere", "generated": "Udtrukket", "sheet": "Underdatabehandlere",
        "headings": ("Navn", "Registreringsnummer", "Adresse", "Etableret i",
                     "Behandlingslande", "Beskrivelse af behandlingen",
                     "Kategorier af personoplysninger", "Godkendelse", "Godkendt af", "Start",
                     "Slut", "Status", "Kontakt", "Risikovurdering",
                     "Overførsler til tredjelande", "Næste erklæring senest",
                     "Næste opfølgning senest", "Overskredet"),
        "status": {"proposed": "Foreslået", "active": "Aktiv", "ended": "Ophørt"},
        "approval": {"general": "Generel", "specific": "Specifik"},
        "risk": {"low": "Lav", "medium": "Middel", "high": "Høj"},
        "basis": {"adequacy": "tilstrækkelighedsafgørelse", "scc": "standardkontraktbestemmelser",
                  "bcr": "BCR", "derogation": "undtagelse (art. 49)"},
        "no_tia": "ingen konsekvensanalyse af overførslen", "statement": "erklæring",
        "follow_up": "opfølgning", "all": "Alle dataansvarlige",
    },
}
WIDTHS = (28, 18, 30, 16, 22, 60, 34, 12, 30, 12, 12, 10, 26, 10, 44, 14, 14, 20)
DATE_COLUMNS = (10, 11, 16, 17)


@dataclass(frozen=True)
class RegisterRow:
    """One sub-processor, already worded in the workbook's language (dates as dates)."""

    name: str
    registration_number: str
    address: str
    country: str
    countries: str
    processing: str
    data_categories: str
    approval: str
    controllers: str
    start_date: date
    end_date: date | None
    status: str
    contact: str
    risk: str
    transfers: str
    next_statement_due: date | None
    next_follow_up_due: date | None
    overdue: str


def rows_for_export(items: Sequence, lang: str, today: date) -> list[RegisterRow]:
    """RegisterRows from SubProcessor objects (with transfers loaded), in `lang`."""
    lang = "da" if str(lang).startswith("da") else "en"
    words = WORDS[lang]
    rows = []
    for sp in items:
        transfers = "; ".join(
            f"{countries.name(t.country, lang)}: {words['basis'][t.basis]}"
            + (f" {t.scc_version}" if t.scc_version else "")
            + (f" ({words['no_tia']})" if t.needs_tia and not t.tia_evidence_id else "")
            for t in sp.transfers)
        overdue = [words[kind] for kind, late in (("statement", sp.statement_overdue(today)),
                                                  ("follow_up", sp.follow_up_overdue(today)))
                   if late]
        rows.append(RegisterRow(
            name=sp.name, registration_number=sp.registration_number, address=sp.address or "",
            country=countries.name(sp.country, lang),
            countries=", ".join(countries.name(c, lang) for c in sp.countries),
            processing=sp.text("processing", lang) or "",
            data_categories="\n".join(sp.data_categories or []),
            approval=words["approval"][sp.approval],
            controllers="\n".join(sp.controllers or []) or words["all"],
            start_date=sp.start_date, end_date=sp.end_date, status=words["status"][sp.status],
            contact=sp.contact or "", risk=words["risk"][sp.risk_rating], transfers=transfers,
            next_statement_due=sp.next_statement_due, next_follow_up_due=sp.next_follow_up_due,
            overdue=", ".join(overdue)))
    return rows


def _put(sheet, row: int, column: int, value):
    """Write a cell through the reports' one escaping: text never read as a formula."""
    cell = put_text(sheet.cell(row=row, column=column), value)
    cell.alignment = TOP
    return cell


def register_workbook(rows: Sequence[RegisterRow], lang: str, generated_at: datetime) -> bytes:
    """The register as a workbook: a title, the time it was made, one row per sub-processor."""
    lang = "da" if str(lang).startswith("da") else "en"
    words = WORDS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet"]
    _put(sheet, 1, 1, words["title"]).font = Font(bold=True, size=14)
    _put(sheet, 2, 1, f"{words['generated']} {generated_at:%Y-%m-%d %H:%M %Z}".strip())
    for column, heading in enumerate(words["headings"], start=1):
        cell = _put(sheet, 4, column, heading)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for index, row in enumerate(rows, start=5):
        for column, value in enumerate(vars(row).values(), start=1):
            cell = _put(sheet, index, column, value)
            if column in DATE_COLUMNS:
                cell.number_format = "yyyy-mm-dd"
    return finish_table(book, sheet, WIDTHS, freeze="B5", generated_at=generated_at)
