"""The risk register as an XLSX workbook: plain rows in, workbook bytes out (openpyxl).

Same header style as the SoA export (`xlsx.HEADER_FILL`, `HEADER_FONT`). Every cell goes
through `spreadsheet.put_text`: text from users stays text, never a formula ("=HYPERLINK(…)"
in a threat stays a string). No Flask and no database (STYLE habit 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .spreadsheet import finish_table, put_text
from .xlsx import HEADER_FILL, HEADER_FONT

LEVEL_FILLS = {"low": "C6E3D2", "medium": "FFF1B8", "high": "F9C98B", "critical": "E8918A"}
LEVEL_WORDS = {"da": {"low": "Lav", "medium": "Middel", "high": "Høj", "critical": "Kritisk"},
               "en": {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}}
HEADINGS = {
    "en": ("Assessment", "Assessed on", "Risk #", "Risk", "Threat", "Vulnerability",
           "Assets or processing", "Likelihood", "Consequence", "Inherent level", "Treatment",
           "Treatment plan", "Controls", "Residual likelihood", "Residual consequence",
           "Residual level", "Owner", "Treatment due", "Accepted by", "Accepted until",
           "Acceptance expired"),
    "da": ("Risikovurdering", "Vurderet den", "Risiko nr.", "Risiko", "Trussel", "Sårbarhed",
           "Aktiver eller behandling", "Sandsynlighed", "Konsekvens", "Iboende niveau",
           "Håndtering", "Håndteringsplan", "Kontroller", "Restsandsynlighed",
           "Restkonsekvens", "Restniveau", "Ejer", "Håndtering senest", "Accepteret af",
           "Accepteret til", "Accept udløbet"),
}
WIDTHS = (28, 12, 8, 32, 40, 32, 28, 11, 11, 12, 12, 36, 20, 11, 11, 12, 20, 12, 20, 12, 10)
DATE_COLUMNS = (2, 18, 20)
LEVEL_COLUMNS = (10, 16)


@dataclass(frozen=True)
class RiskRow:
    """One risk as the register shows it (words already in the export's language)."""

    assessment: str
    assessed_on: date
    risk_id: int
    title: str
    threat: str
    vulnerability: str
    assets: str
    likelihood: int
    consequence: int
    inherent_level: str  # low, medium, high, critical
    treatment: str
    treatment_plan: str
    controls: str
    residual_likelihood: int | None
    residual_consequence: int | None
    residual_level: str  # "" when not rated
    owner: str
    due_on: date | None
    accepted_by: str
    accepted_until: date | None
    acceptance_expired: bool


def risk_register_workbook(rows: Sequence[RiskRow], lang: str, organisation: str,
                           generated_at: datetime) -> bytes:
    """The risk register, one risk a line, levels coloured like the heat map."""
    lang = "da" if lang.startswith("da") else "en"
    yes, no = ("Ja", "Nej") if lang == "da" else ("Yes", "No")
    levels = LEVEL_WORDS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = "Risici" if lang == "da" else "Risks"
    title = "Risikoregister" if lang == "da" else "Risk register"
    put_text(sheet["A1"], f"{title} — {organisation}").font = Font(bold=True, size=14)
    stamp = "Udtrukket" if lang == "da" else "Generated"
    put_text(sheet["A2"], f"{stamp} {generated_at:%Y-%m-%d %H:%M %Z}".strip())
    for column, heading in enumerate(HEADINGS[lang], start=1):
        cell = put_text(sheet.cell(row=4, column=column), heading)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(rows, start=5):
        values = (row.assessment, row.assessed_on, row.risk_id, row.title, row.threat,
                  row.vulnerability, row.assets, row.likelihood, row.consequence,
                  levels.get(row.inherent_level, ""), row.treatment, row.treatment_plan,
                  row.controls, row.residual_likelihood, row.residual_consequence,
                  levels.get(row.residual_level, ""), row.owner, row.due_on, row.accepted_by,
                  row.accepted_until, (yes if row.acceptance_expired else no)
                  if row.accepted_until else "")
        for column, value in enumerate(values, start=1):
            cell = put_text(sheet.cell(row=number, column=column), value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if column in DATE_COLUMNS:
                cell.number_format = "yyyy-mm-dd"
        for column, level in zip(LEVEL_COLUMNS, (row.inherent_level, row.residual_level),
                                 strict=True):
            if level in LEVEL_FILLS:
                sheet.cell(row=number, column=column).fill = PatternFill(
                    "solid", fgColor=LEVEL_FILLS[level])
    return finish_table(book, sheet, WIDTHS, freeze="A5", generated_at=generated_at)
