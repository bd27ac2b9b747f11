"""The PBC list as a workbook: plain rows in, XLSX bytes out; no database, no Flask.

Every cell is written through `spreadsheet.put_text`, so a request's text never becomes a
formula in the auditor's spreadsheet. The rows are the page's rows, in the page's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .spreadsheet import finish_table, put_text
from .xlsx import HEADER_FILL, HEADER_FONT


@dataclass(frozen=True)
class PbcRow:
    """One request on the list, as the page shows it."""

    number: int
    control: str
    control_title: str
    description: str
    asked_of: str
    asked_by: str
    asked_on: date
    due_on: date
    state: str  # open, overdue, delivered, cancelled
    delivered_on: date | None
    evidence: str  # "#12 Title", or empty
    sha256: str  # of the evidence's current file version, or empty


HEADINGS = {
    "en": ("No.", "Control", "Control title", "What is needed", "Asked of", "Asked by",
           "Asked on", "Due", "State", "Delivered on", "Evidence delivered", "SHA-256"),
    "da": ("Nr.", "Kontrol", "Kontroltitel", "Hvad der er brug for", "Sendt til", "Sendt af",
           "Sendt den", "Frist", "Status", "Leveret den", "Leveret dokumentation", "SHA-256"),
}
STATES = {
    "en": {"open": "Open", "overdue": "Overdue", "delivered": "Delivered",
           "cancelled": "Withdrawn"},
    "da": {"open": "Åben", "overdue": "Overskredet", "delivered": "Leveret",
           "cancelled": "Trukket tilbage"},
}
TITLES = {"en": "PBC list", "da": "PBC-liste"}
WIDTHS = (7, 12, 40, 60, 22, 22, 12, 12, 14, 12, 40, 66)
DATE_COLUMNS = (6, 7, 9)  # zero-based: asked on, due, delivered on


def pbc_workbook(rows: Sequence[PbcRow], lang: str, engagement: str, organisation: str,
                 generated_at: datetime) -> bytes:
    """The engagement's PBC list in `lang` (da or en)."""
    lang = "da" if lang.startswith("da") else "en"
    book = Workbook()
    sheet = book.active
    sheet.title = TITLES[lang]
    put_text(sheet["A1"], f"{TITLES[lang]} — {engagement}").font = Font(bold=True, size=14)
    stamp = "Udtrukket" if lang == "da" else "Generated"
    put_text(sheet["A2"], f"{organisation} · {stamp} {generated_at:%Y-%m-%d %H:%M}")
    for column, heading in enumerate(HEADINGS[lang], start=1):
        cell = put_text(sheet.cell(row=4, column=column), heading)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for number, row in enumerate(rows, start=5):
        values = (row.number, row.control, row.control_title, row.description, row.asked_of,
                  row.asked_by, row.asked_on, row.due_on, STATES[lang][row.state],
                  row.delivered_on, row.evidence, row.sha256)
        for column, value in enumerate(values, start=1):
            cell = put_text(sheet.cell(row=number, column=column), value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if column - 1 in DATE_COLUMNS:
                cell.number_format = "yyyy-mm-dd"
    return finish_table(book, sheet, WIDTHS, freeze="A5", generated_at=generated_at)
