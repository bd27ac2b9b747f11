"""XLSX builders (openpyxl): plain rows in, workbook bytes out; no database, no Flask.

Every cell is written through `spreadsheet.put_text`, so text never becomes a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .spreadsheet import finish_table, put_text

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class SoARow:
    """One line of the Statement of Applicability."""

    catalogue: str
    group: str
    control_id: str
    title: str
    applicable: str
    justification: str
    status: str
    owner: str
    last_reviewed: date | None
    notes: str = ""  # dispensations in force, one a line


SOA_HEADINGS = {
    "en": ("Catalogue", "Theme", "Control", "Title", "Applicable", "Justification",
           "Implementation status", "Owner", "Last reviewed", "Dispensations"),
    "da": ("Katalog", "Tema", "Kontrol", "Titel", "Relevant", "Begrundelse",
           "Implementeringsstatus", "Ejer", "Senest gennemgået", "Dispensationer"),
}
SOA_WIDTHS = (18, 28, 10, 50, 12, 60, 20, 24, 14, 50)


def soa_workbook(rows: Sequence[SoARow], lang: str, organisation: str,
                 generated_at: datetime) -> bytes:
    """The Statement of Applicability as a workbook a certification body can read."""
    lang = "da" if lang.startswith("da") else "en"
    book = Workbook()
    sheet = book.active
    sheet.title = "SoA"
    title = ("Anvendelseserklæring (Statement of Applicability)" if lang == "da"
             else "Statement of Applicability")
    put_text(sheet["A1"], f"{title} — {organisation}").font = Font(bold=True, size=14)
    stamp = "Udtrukket" if lang == "da" else "Generated"
    put_text(sheet["A2"], f"{stamp} {generated_at:%Y-%m-%d %H:%M %Z}".strip())
    for column, heading in enumerate(SOA_HEADINGS[lang], start=1):
        cell = put_text(sheet.cell(row=4, column=column), heading)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(rows, start=5):
        values = (row.catalogue, row.group, row.control_id, row.title, row.applicable,
                  row.justification, row.status, row.owner, row.last_reviewed, row.notes)
        for column, value in enumerate(values, start=1):
            put_text(sheet.cell(row=number, column=column), value)
    for line in sheet.iter_rows(min_row=5):
        for cell in line:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        line[8].number_format = "yyyy-mm-dd"
    return finish_table(book, sheet, SOA_WIDTHS, freeze="A5", generated_at=generated_at)
