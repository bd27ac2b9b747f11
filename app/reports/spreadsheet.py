"""Cells for every spreadsheet export (XLSX and CSV): text stays text, never a live formula.

Text from users (titles, justifications, population rows) can begin with `=`, `+`, `-`, `@`,
a tab or a carriage return; a spreadsheet opening the export would run it as a formula
("formula injection"). Every export writes its cells through this module: `put_text` for
openpyxl cells (stored as a text cell with Excel's quote prefix, so the text shows unchanged
and stays text even when edited) and `csv_bytes` for CSV (formula-like text gets a leading
apostrophe, the usual defence, since CSV has no cell types). A test walks the exports with
hostile text, and another keeps `csv.writer` and openpyxl cell writes inside this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What makes a spreadsheet read a cell as a formula (OWASP's list), also after leading spaces.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take `text` for a formula."""
    return text.startswith(FORMULA_STARTS) or text.lstrip(" \u00a0").startswith(FORMULA_STARTS)


def inert(value):
    """`value` for a CSV cell: formula-like text gets a leading apostrophe; the rest unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A UTF-8 CSV of `header` and `rows`, every text cell passed through `inert`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([inert(value) for value in header])
    for row in rows:
        writer.writerow([inert(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def put_text(cell, value):
    """Write `value` into an openpyxl cell and return the cell.

    Text is cleaned of characters XML cannot hold and stored as a text cell, never a formula;
    formula-like text also carries the quote prefix, so editing it in Excel keeps it text.
    Numbers, dates and None are written as they are.
    """
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def finish_table(book, sheet, widths: Sequence[float], *, freeze: str, generated_at) -> bytes:
    """Finish a list export and return its bytes: the tail every list export shares.

    Column widths, frozen headings and a filter over the table (headings on row 4), the
    workbook's creator and time.
    """
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A4:{get_column_letter(len(widths))}{max(4, sheet.max_row)}"
    book.properties.creator = "Kontrol"
    book.properties.created = book.properties.modified = generated_at.replace(tzinfo=None)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
