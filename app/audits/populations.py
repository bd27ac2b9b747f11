"""Populations: a CSV, XLSX or typed list, kept as evidence, imported in the background.

The file is stored content-addressed first (streamed, size-limited, hashed); a background job
then reads it once, streaming, to count rows, take the header and a preview, and fingerprint the
rows (SHA-256 over each row's canonical JSON, in order), updating its progress as it goes. Memory
stays bounded whatever the size. Rows are never copied into the database: sampled items read
their rows back from the stored file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import jobs
from ..auth.actors import SystemActor
from ..errors import IntegrityError, Invalid, NotFound
from ..evidence.storage import EvidenceStore, sanitise_filename
from ..extensions import db
from ..ledger.service import append
from .models import ControlTest, Population
from .population_checks import (
    Refused,
    RowChecks,
    check_header,
    explain_csv_error,
    header_width,
)
from .sampling import population_fingerprint
from .service import require_fieldwork

IMPORTER = SystemActor("system:population-import")
PROGRESS_EVERY = 25_000
PREVIEW_ROWS = 10
SOURCES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


_QUOTE = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) uses


def _encode(cells: list[str]) -> str:
    """Compact JSON of a list of cell texts (`clean_cells` output), at C speed.

    Byte for byte what json.dumps(cells, ensure_ascii=False, separators=(",", ":")) gives:
    row fingerprints stored before depend on it (a test pins that).
    """
    return "[" + ",".join(map(_QUOTE, cells)) + "]"


def clean_cells(cells) -> list[str]:
    """Cell texts, stripped; dates as ISO dates, empty cells as ''."""
    return [value.strip() if type(value) is str else _cell(value) for value in cells]


def canonical_row(cells) -> str:
    """One row as compact JSON of its cell texts: what fingerprints and samples refer to."""
    return _encode(clean_cells(cells))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def upload_population(session: Session, actor, test: ControlTest, stream, filename: str,
                      store: EvidenceStore, max_bytes: int) -> Population:
    """Store an uploaded CSV/XLSX and start importing it in the background."""
    require_fieldwork(actor, test)
    name = sanitise_filename(filename or "", fallback="population")
    source = SOURCES.get(Path(name).suffix.lower())
    if source is None:
        raise Invalid("file", "Upload the population as CSV or XLSX (.csv, .tsv, .txt, .xlsx).")
    blob = store.store(stream, max_bytes)
    return _start(session, actor, test, source, name, blob.sha256, blob.size, store)


def enter_population(session: Session, actor, test: ControlTest, text: str,
                     store: EvidenceStore) -> Population:
    """A population typed as a list, one item per line (kept as a file like an upload)."""
    require_fieldwork(actor, test)
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise Invalid("items", "Enter the items, one per line.")
    # Every line quoted, so an item holding a comma or a quote stays one item.
    body = "\n".join('"' + line.replace('"', '""') + '"' for line in ["item", *lines])
    data = body.encode("utf-8")
    blob = store.store(io.BytesIO(data), len(data))
    return _start(session, actor, test, "list", "population-list.csv", blob.sha256, blob.size,
                  store)


def _start(session, actor, test, source, name, sha256, size, store) -> Population:
    population = Population(test=test, source=source, filename=name, file_sha256=sha256,
                            file_size=size, status="importing",
                            created_by_id=getattr(actor, "id", None))
    session.add(population)
    append(session, actor, "population.uploaded", population,
           {"test": test.id, "file": name, "sha256": sha256, "size": size})
    session.commit()
    jobs.start(import_population, population.id, str(store.root))
    return population


def import_population(population_id: int, store_root: str) -> None:
    """The background job: read the stored file once, streaming, and record what it holds.

    Rows are checked as they are read (population_checks): a file that would change the items
    silently is refused with the line at fault, and its stored file removed; duplicates and
    multi-line rows are imported with a warning the test page shows.
    """
    session = db.session
    population = session.get(Population, population_id)
    if population is None or population.status != "importing":
        return
    store = EvidenceStore(store_root)
    count, preview, columns, checks = 0, [], [], None
    rows = _numbered_rows(store, population, strict=True)
    try:
        header = next(rows, (0, 0, []))[2]
        columns = [_cell(c) for c in header[:header_width(header) or len(header)]]
        if not columns:
            raise Invalid("file", "The file is empty.")
        check_header(columns)
        checks = RowChecks(len(columns), ragged_short=population.source != "xlsx")

        def counted() -> Iterator[str]:
            nonlocal count
            for first_line, last_line, cells in rows:
                cleaned = clean_cells(cells)
                if not any(cleaned):
                    continue  # blank lines are not items
                text = _encode(cleaned)
                checks.check(first_line, last_line, cleaned, text)
                if len(preview) < PREVIEW_ROWS:
                    preview.append(json.loads(text))
                count += 1
                if count % PROGRESS_EVERY == 0:
                    population.rows_read = count
                    session.commit()
                yield text

        fingerprint = population_fingerprint(counted())
        if count == 0:
            raise Invalid("file", "The file has a header but no rows.")
        warnings = checks.warnings()
    except (Invalid, ValueError, csv.Error, UnicodeDecodeError, OSError, NotFound,
            IntegrityError) as error:
        rows.close()
        session.rollback()
        if isinstance(error, UnicodeDecodeError):
            line = _first_line_not_utf8(store, population)
            error = Refused(line, "not_utf8") if line else error
        _refuse(session, store, population_id, _explain(error, count),
                [error.detail()] if isinstance(error, Refused) else None)
        return
    finally:
        if checks is not None:
            checks.close()
    population.status, population.row_count, population.rows_read = "ready", count, count
    population.fingerprint, population.columns, population.preview = fingerprint, columns, preview
    population.warnings = warnings or None
    append(session, IMPORTER, "population.imported", population,
           {"rows": count, "fingerprint": fingerprint, "file_sha256": population.file_sha256,
            "warnings": [{"code": w["code"], "count": w["count"]} for w in warnings]})
    session.commit()


def _refuse(session: Session, store: EvidenceStore, population_id: int, reason: str,
            detail: list | None) -> None:
    """Record the failed import, then remove its stored file unless something else uses it."""
    population = session.get(Population, population_id)
    population.status, population.error, population.warnings = "failed", reason, detail
    append(session, IMPORTER, "population.failed", population, {"error": reason})
    session.commit()
    sha256 = population.file_sha256
    used = session.scalar(select(Population.id).where(
        Population.file_sha256 == sha256, Population.status != "failed").limit(1))
    if used is None and not _evidence_uses(session, sha256):
        store.remove_orphan(sha256)


def _evidence_uses(session: Session, sha256: str) -> bool:
    from ..evidence.models import EvidenceVersion

    return session.scalar(select(EvidenceVersion.id).where(EvidenceVersion.sha256 == sha256)
                          .limit(1)) is not None


def _explain(error: Exception, count: int) -> str:
    where = f" (after row {count})" if count else ""
    if isinstance(error, UnicodeDecodeError):
        return f"The file is not UTF-8 text{where}. Save it as CSV UTF-8 or XLSX."
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, Invalid | NotFound | IntegrityError):
        return error.message
    return f"The file could not be read{where}: {error}"


def _first_line_not_utf8(store: EvidenceStore, population) -> int | None:
    """The first line that is not UTF-8, read again line by line (only when import failed)."""
    try:
        with store.open_verified(population.file_sha256, population.file_size) as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except (NotFound, IntegrityError, OSError):
        return None
    return None


def read_rows(store: EvidenceStore, population: Population) -> Iterator[list]:
    """Every row of the stored file (header first), streamed; verifies the file's hash first.

    Use it with contextlib.closing so the file is closed when reading stops early.
    """
    rows = _numbered_rows(store, population)
    try:
        for _first, _last, cells in rows:
            yield cells
    finally:
        rows.close()


def _numbered_rows(store: EvidenceStore, population: Population,
                   strict: bool = False) -> Iterator[tuple[int, int, list]]:
    """(first line, last line, cells) of every row; `strict` refuses malformed CSV quoting.

    A file that imported under `strict` reads the same without it, so re-reading (samples,
    re-performance) never depends on the checks.
    """
    handle = store.open_verified(population.file_sha256, population.file_size)
    try:
        if population.source == "xlsx":
            for number, row in enumerate(_xlsx_rows(handle), start=1):
                yield number, number, row
        else:
            yield from _csv_rows(handle, strict, sniff=population.source != "list")
    finally:
        handle.close()


def _csv_rows(handle, strict: bool, sniff: bool) -> Iterator[tuple[int, int, list]]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    form = {}
    if sniff:
        # Only the delimiter is guessed. Quoting is always the standard one ("" inside a quoted
        # value): the sniffer's guess at it can turn an unbalanced quote into merged rows.
        head = text.read(64 * 1024)
        try:
            guessed = csv.Sniffer().sniff(head, delimiters=",;\t|")
            form = {"delimiter": guessed.delimiter,
                    "skipinitialspace": guessed.skipinitialspace}
        except csv.Error:
            pass
        text.seek(0)
    reader = csv.reader(text, csv.excel, strict=strict, **form)
    last = 0
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise explain_csv_error(last + 1, reader.line_num, error) from error
            yield last + 1, reader.line_num, cells
            last = reader.line_num
    finally:
        text.close()


def _xlsx_rows(handle) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ValueError(f"not a readable XLSX workbook ({type(error).__name__})") from error
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def rows_at(store: EvidenceStore, population: Population, indices) -> dict[int, list]:
    """The rows at the given 0-based item indices (header and blank lines not counted)."""
    wanted, found, index = set(indices), {}, -1
    with closing(read_rows(store, population)) as rows:
        next(rows, None)
        for cells in rows:
            cleaned = clean_cells(cells)
            if not any(cleaned):
                continue
            index += 1
            if index in wanted:
                found[index] = cleaned
                if len(found) == len(wanted):
                    break
    return found


def current_fingerprint(store: EvidenceStore, population: Population) -> tuple[str, int]:
    """Re-read the stored file and fingerprint it again (for re-performance)."""
    count = 0
    with closing(read_rows(store, population)) as rows:
        next(rows, None)

        def texts():
            nonlocal count
            for cells in rows:
                cleaned = clean_cells(cells)
                if any(cleaned):
                    count += 1
                    yield _encode(cleaned)

        fingerprint = population_fingerprint(texts())
    return fingerprint, count


def population_files(session: Session):
    """(sha256, size) of every kept population file, for `flask evidence verify`.

    A failed import keeps no file (see `_refuse`).
    """
    return session.execute(select(Population.file_sha256, Population.file_size)
                           .where(Population.status != "failed")).all()


def get_population(session: Session, population_id: int) -> Population:
    """A population or NotFound (access is checked through its test's engagement)."""
    population = session.scalar(select(Population).where(Population.id == population_id))
    if population is None:
        raise NotFound("No such population.")
    return population
