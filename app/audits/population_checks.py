"""What a population file must be before its rows become the items a sample is drawn from.

Read while the file is imported, row by row, with the physical line (CSV) or sheet row (XLSX)
each row came from. A row that would silently change the items is refused with its line: a
NUL byte (binary or UTF-16 data), a row with more or fewer values than the header has columns
(a missing delimiter, or an unbalanced quote that swallowed the rows after it). What only the
auditor can judge is imported with a warning: rows identical to an earlier row (one item
listed twice, or two items that look alike?) and rows whose quoted value spans several lines.
Duplicates are found with a fixed-size bit filter in memory and the rows' hashes spooled to a
temporary file, so memory stays flat however long the file. Pure: no Flask, no database.
"""

from __future__ import annotations

import struct
import tempfile
from hashlib import blake2b

MAX_LISTED = 20  # lines named per warning; the count says how many there are in all


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction; the test page translates it with its parameters."""
    return message


# Why a file is refused, by reason code: English templates, translated on the test page.
REASONS = {
    "unclosed_quote": N_("a quoted value is never closed, so every row after it would run into "
                         "one. Close the quote or remove it."),
    "quote_in_value": N_("a quote ends in the middle of a value. Inside a quoted value, write a "
                         "quote as two quotes (\"\")."),
    "unreadable": N_("the line cannot be read as CSV (%(error)s)."),
    "nul": N_("it holds a NUL byte, so this is not a text file (UTF-16 or binary?). Save it as "
              "CSV UTF-8 or XLSX."),
    "ragged": N_("the row has %(values)s values but the header has %(columns)s columns (a "
                 "missing or extra delimiter, or an unbalanced quote?)."),
    "not_utf8": N_("the file is not UTF-8 text. Save it as CSV UTF-8 or XLSX."),
}
LINE = N_("Line %(line)s:")
SPAN = N_("(The row runs from line %(first)s to line %(last)s.)")


class Refused(ValueError):
    """The file cannot be imported as it is: `reason` (a REASONS code) at `line` (1-based)."""

    def __init__(self, line: int, reason: str, last_line: int | None = None, **params):
        self.line, self.reason, self.last_line, self.params = line, reason, last_line, params
        message = f"{LINE % {'line': line}} {REASONS[reason] % params}"
        if last_line and last_line > line:
            message += " " + SPAN % {"first": line, "last": last_line}
        super().__init__(message)

    def detail(self) -> dict:
        """What the test page needs to say it in the reader's language."""
        return {"code": "refused", "reason": self.reason, "line": self.line,
                "last": self.last_line, "params": self.params}


def explain_csv_error(first_line: int, line: int, error: Exception) -> Refused:
    """A `Refused` for an error the strict CSV reader raised in a row.

    The row began at `first_line` and had reached `line` when the reader gave up.
    """
    text = str(error)
    if "unexpected end of data" in text:
        return Refused(first_line, "unclosed_quote", line)
    if "expected after" in text:
        return Refused(first_line, "quote_in_value", line)
    return Refused(first_line, "unreadable", line, error=text)


def header_width(cells) -> int:
    """The number of columns a header names: up to its last non-empty cell."""
    width = len(cells)
    while width and (cells[width - 1] is None or str(cells[width - 1]).strip() == ""):
        width -= 1
    return width


def check_header(cells: list[str]) -> None:
    """Refuse a header (line 1) holding a NUL byte, like any row."""
    if any("\x00" in cell for cell in cells):
        raise Refused(1, "nul")


class DuplicateRows:
    """Finds rows identical to an earlier row, with bounded memory.

    Each row's 16-byte BLAKE2b hash and line go to a temporary file; a bit filter of fixed size
    marks the hashes seen, and a row whose bit is already set becomes a candidate. Only when
    there are candidates is the file read back, keeping the candidates' lines: true repeats,
    and the few false candidates the filter lets through fall out there.
    """

    BITS = 1 << 27  # 16 MiB: for a million rows fewer than 1 % of rows are false candidates
    RECORD = struct.Struct("<16sI")

    def __init__(self):
        self._bits = bytearray(self.BITS >> 3)
        self._spool = tempfile.TemporaryFile()
        self._candidates: set[bytes] = set()

    def add(self, text: str, line: int) -> None:
        """Note one row's canonical text and the line it starts on."""
        digest = blake2b(text.encode("utf-8"), digest_size=16).digest()
        position = int.from_bytes(digest[:4], "little") & (self.BITS - 1)
        index, bit = position >> 3, 1 << (position & 7)
        if self._bits[index] & bit:
            self._candidates.add(digest)
        else:
            self._bits[index] |= bit
        self._spool.write(self.RECORD.pack(digest, line))

    def repeats(self, limit: int) -> tuple[int, list[list[int]]]:
        """How many rows repeat an earlier one, and up to `limit` [line, first line] pairs."""
        if not self._candidates:
            return 0, []
        self._spool.seek(0)
        first: dict[bytes, int] = {}
        count, pairs = 0, []
        while chunk := self._spool.read(self.RECORD.size * 65536):
            for digest, line in self.RECORD.iter_unpack(chunk):
                if digest not in self._candidates:
                    continue
                if digest in first:
                    count += 1
                    if len(pairs) < limit:
                        pairs.append([line, first[digest]])
                else:
                    first[digest] = line
        return count, pairs

    def close(self) -> None:
        """Drop the temporary file."""
        self._spool.close()


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
        self._duplicates = DuplicateRows()

    def check(self, first_line: int, last_line: int, cells: list[str], text: str) -> None:
        """Refuse or note one row; `cells` are its cleaned texts, `text` its canonical JSON.

        Called for every row of files of a million rows: the common case costs a few
        comparisons and a hash.
        """
        if "\\u0000" in text and any("\x00" in cell for cell in cells):  # JSON escapes NUL
            raise Refused(first_line, "nul")
        count = len(cells)
        if count != self.columns:
            width = header_width(cells) if count > self.columns else count
            if width > self.columns or (self.ragged_short and count < self.columns):
                raise Refused(first_line, "ragged", values=width, columns=self.columns)
        if last_line > first_line:
            self.multiline_count += 1
            if len(self.multiline) < MAX_LISTED:
                self.multiline.append([first_line, last_line])
        self._duplicates.add(text, first_line)

    def warnings(self) -> list[dict]:
        """What the auditor must decide, as {"code", "count", "lines"} dicts (may be empty).

        `duplicates` lines are [line, first line it repeats]; `multiline` lines are
        [first, last] physical lines of one row.
        """
        found = []
        repeated, pairs = self._duplicates.repeats(MAX_LISTED)
        if repeated:
            found.append({"code": "duplicates", "count": repeated, "lines": pairs})
        if self.multiline_count:
            found.append({"code": "multiline", "count": self.multiline_count,
                          "lines": self.multiline})
        return found

    def close(self) -> None:
        """Drop the temporary file."""
        self._duplicates.close()
