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
from ..errors import Invalid, NotFound
from ..evidence.storage import EvidenceStore, sanitise_filename
from ..extensions import db
from ..ledger.service import append
from .models import ControlTest, Population
from .sampling import population_fingerprint
from .service import require_fieldwork

IMPORTER = SystemActor("system:population-import")
PROGRESS_EVERY = 25_000
PREVIEW_ROWS = 10
SOURCES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def clean_cells(cells) -> list[str]:
    """Cell texts, stripped; dates as ISO dates, empty cells as ''."""
    return [value.strip() if type(value) is str else _cell(value) for value in cells]


def canonical_row(cells) -> str:
    """One row as compact JSON of its cell texts: what fingerprints and samples refer to."""
    return _ENCODE(clean_cells(cells))


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
    body = "\n".join(["item", *lines]).encode("utf-8")
    blob = store.store(io.BytesIO(body), len(body))
    return _start(session, actor, test, "csv", "population-list.csv", blob.sha256, blob.size,
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
    """The background job: read the stored file once, streaming, and record what it holds."""
    session = db.session
    population = session.get(Population, population_id)
    if population is None or population.status != "importing":
        return
    store = EvidenceStore(store_root)
    count, preview, columns = 0, [], []
    rows = read_rows(store, population)
    try:
        columns = [_cell(c) for c in next(rows, [])]
        if not columns:
            raise Invalid("file", "The file is empty.")

        def counted() -> Iterator[str]:
            nonlocal count
            for cells in rows:
                cleaned = clean_cells(cells)
                if not any(cleaned):
                    continue  # blank lines are not items
                text = _ENCODE(cleaned)
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
    except (Invalid, ValueError, csv.Error, UnicodeDecodeError, OSError) as error:
        rows.close()
        session.rollback()
        population = session.get(Population, population_id)
        population.status = "failed"
        population.error = _explain(error, count)
        append(session, IMPORTER, "population.failed", population, {"error": population.error})
        session.commit()
        return
    population.status, population.row_count, population.rows_read = "ready", count, count
    population.fingerprint, population.columns, population.preview = fingerprint, columns, preview
    append(session, IMPORTER, "population.imported", population,
           {"rows": count, "fingerprint": fingerprint, "file_sha256": population.file_sha256})
    session.commit()


def _explain(error: Exception, count: int) -> str:
    where = f" (after row {count})" if count else ""
    if isinstance(error, UnicodeDecodeError):
        return f"The file is not UTF-8 text{where}. Save it as CSV UTF-8 or XLSX."
    if isinstance(error, Invalid):
        return error.message
    return f"The file could not be read{where}: {error}"


def read_rows(store: EvidenceStore, population: Population) -> Iterator[list]:
    """Every row of the stored file (header first), streamed; verifies the file's hash first.

    Use it with contextlib.closing so the file is closed when reading stops early.
    """
    handle = store.open_verified(population.file_sha256, population.file_size)
    try:
        yield from (_xlsx_rows(handle) if population.source == "xlsx" else _csv_rows(handle))
    finally:
        handle.close()


def _csv_rows(handle) -> Iterator[list]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    head = text.read(64 * 1024)
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    text.seek(0)
    try:
        yield from csv.reader(text, dialect)
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
                    yield _ENCODE(cleaned)

        fingerprint = population_fingerprint(texts())
    return fingerprint, count


def population_files(session: Session):
    """(sha256, size) of every stored population file, for `flask evidence verify`."""
    return session.execute(select(Population.file_sha256, Population.file_size)).all()


def get_population(session: Session, population_id: int) -> Population:
    """A population or NotFound (access is checked through its test's engagement)."""
    population = session.scalar(select(Population).where(Population.id == population_id))
    if population is None:
        raise NotFound("No such population.")
    return population
