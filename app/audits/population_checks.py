"""What a population file must be before its rows become the items a sample is drawn from.

Read while the file is imported, row by row, with the physical line (CSV) or sheet row (XLSX)
each row came from. A row that would silently change the items is refused with its line: a
NUL byte (binary or UTF-16 data), a row with more or fewer values than the header has columns
(a missing delimiter, or an unbalanced quote that swallowed the rows after it). What only the
auditor can judge is imported with a warning: rows identical to an earlier row (one item
listed twice, or two items that look alike?) and rows whose quoted value spans several lines.
Duplicates are found in a temporary SQLite file, so memory stays flat however long the file.
Pure: no Flask, no application database.
"""

from __future__ import annotations

import hashlib
import sqlite3

MAX_LISTED = 20  # lines named per warning; the count says how many there are in all


class Refused(ValueError):
    """The file cannot be imported as it is; `line` is where the problem is (1-based)."""

    def __init__(self, line: int, problem: str):
        super().__init__(f"Line {line}: {problem}")
        self.line, self.problem = line, problem


# csv.Error texts (strict mode), as a person who made the file would understand them.
CSV_ERRORS = {
    "unexpected end of data": "a quoted value is never closed, so every row after it would "
                              "run into one. Close the quote or remove it.",
    "expected after": "a quote ends in the middle of a value. Inside a quoted value, write a "
                      "quote as two quotes (\"\").",
}


def explain_csv_error(first_line: int, line: int, error: Exception) -> Refused:
    """A `Refused` for an error the strict CSV reader raised in a row.

    The row began at `first_line` and had reached `line` when the reader gave up.
    """
    text = str(error)
    problem = next((meaning for key, meaning in CSV_ERRORS.items() if key in text),
                   f"the line cannot be read as CSV ({text}).")
    if line > first_line:
        problem += f" (The row runs from line {first_line} to line {line}.)"
    return Refused(first_line, problem)


def header_width(cells) -> int:
    """The number of columns a header names: up to its last non-empty cell."""
    width = len(cells)
    while width and (cells[width - 1] is None or str(cells[width - 1]).strip() == ""):
        width -= 1
    return width


NUL_PROBLEM = ("it holds a NUL byte, so this is not a text file (UTF-16 or binary?). Save it "
               "as CSV UTF-8 or XLSX.")


def check_header(cells: list[str]) -> None:
    """Refuse a header (line 1) holding a NUL byte, like any row."""
    if any("\x00" in cell for cell in cells):
        raise Refused(1, NUL_PROBLEM)


class RowChecks:
    """Checks each data row of one import; collects the warnings; close() when done."""

    def __init__(self, columns: int, ragged_short: bool):
        """Check rows against a header of `columns` columns.

        `ragged_short`: also refuse rows with fewer values (CSV, where a missing value is a
        missing delimiter; an XLSX row simply ends early).
        """
        self.columns, self.ragged_short = columns, ragged_short
        self.multiline: list[list[int]] = []
        self.multiline_count = 0
        self._seen = sqlite3.connect("")  # a private temporary file, deleted on close
        self._seen.execute("CREATE TABLE row_hash (digest BLOB, line INTEGER)")
        self._batch: list[tuple[bytes, int]] = []

    def check(self, first_line: int, last_line: int, cells: list[str], text: str) -> None:
        """Refuse or note one row; `cells` are its cleaned texts, `text` its canonical form."""
        if any("\x00" in cell for cell in cells):
            raise Refused(first_line, NUL_PROBLEM)
        width = header_width(cells)
        short = self.ragged_short and len(cells) < self.columns
        if width > self.columns or short:
            values = len(cells) if short else width
            raise Refused(first_line, f"the row has {values} values but the header has "
                                      f"{self.columns} columns (a missing or extra delimiter, "
                                      "or an unbalanced quote?).")
        if last_line > first_line:
            self.multiline_count += 1
            if len(self.multiline) < MAX_LISTED:
                self.multiline.append([first_line, last_line])
        self._batch.append((hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest(),
                            first_line))
        if len(self._batch) >= 10_000:
            self._flush()

    def _flush(self) -> None:
        self._seen.executemany("INSERT INTO row_hash VALUES (?, ?)", self._batch)
        self._batch = []

    def warnings(self) -> list[dict]:
        """What the auditor must decide, as {"code", "count", "lines"} dicts (may be empty).

        `duplicates` lines are [line, first line it repeats]; `multiline` lines are
        [first, last] physical lines of one row.
        """
        self._flush()
        found = []
        repeated = self._seen.execute(
            "SELECT COUNT(*) - COUNT(DISTINCT digest) FROM row_hash").fetchone()[0]
        if repeated:
            pairs = self._seen.execute(
                "SELECT row_hash.line, first.line FROM row_hash JOIN ("
                " SELECT digest, MIN(line) AS line FROM row_hash GROUP BY digest"
                " HAVING COUNT(*) > 1) AS first ON first.digest = row_hash.digest"
                " WHERE row_hash.line > first.line ORDER BY row_hash.line LIMIT ?",
                (MAX_LISTED,)).fetchall()
            found.append({"code": "duplicates", "count": repeated,
                          "lines": [list(pair) for pair in pairs]})
        if self.multiline_count:
            found.append({"code": "multiline", "count": self.multiline_count,
                          "lines": self.multiline})
        return found

    def close(self) -> None:
        """Drop the temporary file."""
        self._seen.close()
