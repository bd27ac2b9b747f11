"""Workpapers as an XLSX workbook: plain test data in, workbook bytes out (openpyxl).

An overview sheet, then one sheet per control objective or theme holding, per test, the
population (file, SHA-256, rows, fingerprint), the seed and the sampled items, so an external
auditor can re-draw the sample and re-perform the test. No Flask and no database (habit 8).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .spreadsheet import put_text
from .xlsx import HEADER_FILL, HEADER_FONT

BLOCK_FILL = PatternFill("solid", fgColor="DCE6F1")
LABEL_FONT = Font(bold=True, color="1F3864")
TOP = Alignment(vertical="top", wrap_text=True)

WORDS = {
    "en": {
        "overview": "Overview", "title": "Workpapers", "engagement": "Engagement",
        "period": "Period", "generated": "Generated", "redraw": "Re-draw",
        "note": "Kontrol's select_sample(population_rows, sample_size, seed) — HMAC-SHA256 "
                "Fisher–Yates; see the seed per test. It returns 0-based positions; "
                "\"# in population\" below is that position + 1 (the first data row is 1).",
        "columns": ("Group", "Control", "Title", "Sample size", "Deviations", "Conclusion",
                    "Result"),
        "fields": ("Methods", "Procedure", "Frequency", "Sizing", "Planned size",
                   "Population file", "Population SHA-256", "Population rows",
                   "Population fingerprint", "Seed", "Sample size", "Conclusion", "Result",
                   "Management comment", "Test performed (report)", "Evaluation",
                   "Justification / note", "Prepared by", "Reviewed by"),
        "items": ("# in population", "Row", "Round", "Result", "Note"),
        "no_items": "No items sampled.", "no_tests": "No tests.",
        "conclusion": {"open": "Not concluded", "no_deviations": "No deviations",
                       "not_material": "Deviations, not material",
                       "material": "Material deviations"},
        "result": {"pending": "Pending", "no_deviation": "No deviation",
                   "deviation": "Deviation", "not_applicable": "Not applicable"},
    },
    "da": {
        "overview": "Oversigt", "title": "Arbejdspapirer", "engagement": "Opgave",
        "period": "Periode", "generated": "Dannet", "redraw": "Genudtræk",
        "note": "Kontrols select_sample(population_rows, sample_size, seed) — HMAC-SHA256 "
                "Fisher–Yates; se seed for hver test. Den giver 0-baserede positioner; "
                "\"Nr. i population\" nedenfor er positionen + 1 (første datarække er 1).",
        "columns": ("Gruppe", "Kontrol", "Titel", "Stikprøvestørrelse", "Afvigelser",
                    "Konklusion", "Resultat"),
        "fields": ("Metoder", "Testhandling", "Frekvens", "Stikprøvemetode",
                   "Planlagt størrelse", "Populationsfil", "Population SHA-256",
                   "Rækker i population", "Populationens fingeraftryk", "Seed",
                   "Stikprøvestørrelse", "Konklusion", "Resultat", "Ledelsens kommentar",
                   "Udført test (erklæring)", "Evaluering", "Begrundelse / note",
                   "Udarbejdet af", "Gennemgået af"),
        "items": ("Nr. i population", "Række", "Runde", "Resultat", "Note"),
        "no_items": "Ingen udtrukne elementer.", "no_tests": "Ingen test.",
        "conclusion": {"open": "Ikke afsluttet", "no_deviations": "Ingen afvigelser",
                       "not_material": "Afvigelser, ikke væsentlige",
                       "material": "Væsentlige afvigelser"},
        "result": {"pending": "Afventer", "no_deviation": "Ingen afvigelse",
                   "deviation": "Afvigelse", "not_applicable": "Ikke relevant"},
    },
}
OVERVIEW_WIDTHS = (16, 14, 48, 18, 12, 24, 60)
GROUP_WIDTHS = (26, 70, 10, 18, 50)


@dataclass(frozen=True)
class WorkpaperItem:
    """A sampled item; `index` is its 1-based position in the population.

    `result` is the code pending / no_deviation / deviation / not_applicable.
    """

    index: int
    row: str
    round: int
    result: str
    note: str


@dataclass(frozen=True)
class WorkpaperTest:
    """One test with its population, seed and sampled items.

    `conclusion` is the code open / no_deviations / not_material / material; the other texts are
    printed as given.
    """

    group_code: str
    group_title: str
    control_id: str
    title: str
    methods: str
    procedure: str
    frequency: str
    sizing: str
    planned_size: int | None
    population_file: str
    population_sha256: str
    population_rows: int | None
    population_fingerprint: str
    seed: str
    sample_size: int | None
    conclusion: str
    result: str
    management_comment: str
    items: tuple[WorkpaperItem, ...]
    test_performed: str = ""
    evaluation: str = ""  # upper deviation limit against the tolerable rate
    justification: str = ""  # why not material although reliance is not supported
    prepared: str = ""  # who concluded, when
    reviewed: str = ""  # who reviewed, when

    @property
    def deviations(self) -> int:
        """How many sampled items were found to deviate."""
        return sum(item.result == "deviation" for item in self.items)


def sheet_title(code: str, taken: set[str]) -> str:
    """`code` as a valid, unused sheet name: none of [ ] : * ? / or backslash, 31 chars at most.

    `taken` holds the names already used, compared case-insensitively as Excel does.
    """
    base = re.sub(r"[\[\]:*?/\\]", "-", code).strip().strip("'")[:31] or "-"
    if base.lower() == "history":  # reserved by Excel
        base = "History-"
    name, number = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({number})"
        name, number = base[:31 - len(suffix)] + suffix, number + 1
    taken.add(name)
    return name


def build_workpapers(engagement: str, period: str, lang: str, tests: Sequence[WorkpaperTest],
                     generated_at: datetime) -> bytes:
    """The workpapers as XLSX bytes; the same input always gives the same bytes.

    Tests appear in the order given; each group gets a sheet named after its code, in order of
    first appearance.
    """
    words = WORDS["da" if lang.startswith("da") else "en"]
    book = Workbook()
    overview = book.active
    overview.title = words["overview"]
    taken = {overview.title}
    groups: dict[str, Worksheet] = {}
    anchors: list[str] = []
    for test in tests:
        sheet = groups.get(test.group_code)
        if sheet is None:
            sheet = groups[test.group_code] = book.create_sheet(sheet_title(test.group_code, taken))
            _put(sheet, 1, 1, f"{test.group_code} — {test.group_title}").font = Font(bold=True,
                                                                                   size=13)
            _widths(sheet, GROUP_WIDTHS)
            sheet.freeze_panes = "A2"
        anchors.append(f"{quote_sheetname(sheet.title)}!A{sheet.max_row + 2}")
        _test_block(sheet, test, words)
    _overview(overview, engagement, period, generated_at, tests, anchors, words)
    return workbook_bytes(book, generated_at)


def _put(sheet: Worksheet, row: int, column: int, value):
    """Write `value` through `put_text`: a population row like "=HYPERLINK(...)" stays text."""
    cell = put_text(sheet.cell(row=row, column=column), value)
    cell.alignment = TOP
    return cell


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _header(sheet: Worksheet, row: int, headings: Sequence[str]) -> None:
    for column, text in enumerate(headings, start=1):
        cell = _put(sheet, row, column, text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT


def _overview(sheet: Worksheet, engagement: str, period: str, generated_at: datetime,
              tests: Sequence[WorkpaperTest], anchors: list[str], words: dict) -> None:
    _put(sheet, 1, 1, f"{words['title']} — {engagement}").font = Font(bold=True, size=14)
    facts = ((words["engagement"], engagement), (words["period"], period),
             (words["generated"], f"{generated_at:%Y-%m-%d %H:%M} {generated_at.tzname() or ''}"
              .strip()), (words["redraw"], words["note"]))
    for row, (label, value) in enumerate(facts, start=2):
        _put(sheet, row, 1, label).font = LABEL_FONT
        _put(sheet, row, 2, value)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
    sheet.row_dimensions[5].height = 45  # the re-draw note wraps; merged cells do not auto-fit
    _header(sheet, 7, words["columns"])
    for row, (test, anchor) in enumerate(zip(tests, anchors, strict=True), start=8):
        values = (test.group_code, test.control_id, test.title, test.sample_size,
                  test.deviations, words["conclusion"].get(test.conclusion, test.conclusion),
                  test.result)
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        link = sheet.cell(row=row, column=2)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=anchor)
        link.font = Font(color="0563C1", underline="single")
    if not tests:
        _put(sheet, 8, 1, words["no_tests"])
    _widths(sheet, OVERVIEW_WIDTHS)
    sheet.freeze_panes = "A8"
    sheet.auto_filter.ref = f"A7:G{max(7, 7 + len(tests))}"


def _test_block(sheet: Worksheet, test: WorkpaperTest, words: dict) -> None:
    row = sheet.max_row + 2
    for column in range(1, len(GROUP_WIDTHS) + 1):
        _put(sheet, row, column, None).fill = BLOCK_FILL
    _put(sheet, row, 1, test.control_id).font = Font(bold=True, size=12)
    _put(sheet, row, 2, test.title).font = Font(bold=True, size=12)
    values = (test.methods, test.procedure, test.frequency, test.sizing, test.planned_size,
              test.population_file, test.population_sha256, test.population_rows,
              test.population_fingerprint, test.seed, test.sample_size,
              words["conclusion"].get(test.conclusion, test.conclusion), test.result,
              test.management_comment, test.test_performed, test.evaluation,
              test.justification, test.prepared, test.reviewed)
    for offset, (label, value) in enumerate(zip(words["fields"], values, strict=True), start=1):
        _put(sheet, row + offset, 1, label).font = LABEL_FONT
        cell = _put(sheet, row + offset, 2, value)
        cell.alignment = Alignment(vertical="top", horizontal="left", wrap_text=True)
    row += len(values) + 2
    _header(sheet, row, words["items"])
    for offset, item in enumerate(test.items, start=1):
        values = (item.index, item.row, item.round,
                  words["result"].get(item.result, item.result), item.note)
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, row + offset, column, value)
            if column in (1, 3):
                cell.alignment = Alignment(vertical="top", horizontal="left")
    if not test.items:
        _put(sheet, row + 1, 1, words["no_items"]).font = Font(italic=True)


def workbook_bytes(book: Workbook, generated_at: datetime) -> bytes:
    """Save `book` with every timestamp taken from `generated_at`, so equal input gives equal bytes.

    openpyxl's own save stamps the document and each zip entry with the current time.
    """
    moment = generated_at.astimezone(UTC) if generated_at.tzinfo else generated_at
    moment = moment.replace(tzinfo=None, microsecond=0)
    book.properties.creator = "Kontrol"
    book.properties.created = book.properties.modified = moment
    buffer = io.BytesIO()
    archive = _StampedZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = max(moment, datetime(1980, 1, 1)).timetuple()[:6]
    ExcelWriter(book, archive).save()
    return buffer.getvalue()


class _StampedZip(zipfile.ZipFile):
    """A zip archive whose entries carry a fixed timestamp instead of the time of writing."""

    stamp: tuple[int, ...] = (1980, 1, 1, 0, 0, 0)

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        """Write one entry, dated `stamp`."""
        if isinstance(name, str):
            info = zipfile.ZipInfo(name, date_time=self.stamp)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            name = info
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """Add a file written elsewhere (openpyxl spools worksheets to disk), dated `stamp`."""
        with open(filename, "rb") as source:
            self.writestr(arcname or str(filename), source.read(), compress_type, compresslevel)
