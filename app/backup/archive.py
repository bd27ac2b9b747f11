"""`flask backup`: one consistent snapshot of the database and the evidence store in a tar file.

The tables are read in one read-only transaction (REPEATABLE READ on PostgreSQL, one read
transaction on SQLite in WAL mode), so the snapshot is consistent while the app keeps running;
nothing is locked against writers. The archive holds:

    backup.json                 format, schema revision, row counts, ledger head, created at
    tables/NNN-<table>.jsonl    one per table in dependency order: a header line naming the
                                columns, then one JSON array per row in primary-key order
    evidence/ab/abcdef…         every file of the evidence store (named by its SHA-256)
    MANIFEST.sha256             "<sha256>  <name>" for every other member (sha256sum -c works)

Tables are generic over the SQLAlchemy metadata, so new tables need no change here. Everything
is streamed: a table goes through a temporary file, evidence files straight into the archive;
the archive is written under a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import _write_intent, utcnow
from ..evidence.storage import EvidenceStore
from . import rows

FORMAT = 1
MANIFEST = "MANIFEST.sha256"
HEADER = "backup.json"
_CHUNK = 1 << 20
_KEY_CHECK = b"kontrol backup: ledger key check"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BackupSummary:
    """What a backup wrote."""

    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    revision: str


def ledger_key_check(key: str | bytes | None) -> str | None:
    """A short check value of the ledger key (the key itself never goes into a backup)."""
    if not key:
        return None
    raw = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(raw, _KEY_CHECK, hashlib.sha256).hexdigest()[:16]


def table_member(position: int, table: sa.Table) -> str:
    """The archive name of a table's rows."""
    return f"tables/{position:03d}-{table.name}.jsonl"


@contextmanager
def snapshot(engine: sa.Engine):
    """A connection in one read-only transaction that sees a single consistent state."""
    token = _write_intent.set(False)  # SQLite: a deferred BEGIN, never a write lock
    try:
        connection = engine.connect()
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            with connection.begin() as transaction:
                if engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield connection
                transaction.rollback()
        finally:
            connection.close()
    finally:
        _write_intent.reset(token)


class _Archive:
    """A tar file being written, with the SHA-256 of every member for the manifest."""

    def __init__(self, path: Path, mtime: int):
        self.tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)
        self.manifest: list[tuple[str, str]] = []
        self.mtime = mtime
        self.bytes = 0

    def add(self, name: str, handle, size: int, expected_sha256: str | None = None) -> str:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, self.mtime, 0o440
        reader = _HashingReader(handle)
        self.tar.addfile(info, reader)
        digest = reader.digest.hexdigest()
        if reader.size != size or (expected_sha256 and digest != expected_sha256):
            raise BackupError(f"{name} changed while it was being backed up (found {digest}, "
                              f"{reader.size} bytes): run `flask evidence verify`")
        self.manifest.append((digest, name))
        self.bytes += size
        return digest

    def add_bytes(self, name: str, data: bytes) -> None:
        import io

        self.add(name, io.BytesIO(data), len(data))

    def close(self) -> None:
        lines = "".join(f"{digest}  {name}\n" for digest, name in self.manifest)
        self.add_bytes(MANIFEST, lines.encode("utf-8"))
        self.tar.close()


class _HashingReader:
    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


class BackupError(Exception):
    """The backup could not be made; the message says why. No partial archive is left."""


def write_backup(engine: sa.Engine, metadata: sa.MetaData, evidence_root: str | Path,
                 out: str | Path, *, ledger_key: str | bytes | None = None,
                 file_sources=(), progress: Progress = lambda message: None) -> BackupSummary:
    """Write the snapshot to `out` (refused if it exists); returns what was written.

    `file_sources` are the evidence domain's STORED_FILE_SOURCES: every file the snapshot's
    rows refer to must be in the store, or the backup fails rather than leave one out.
    """
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; choose another name or remove it first")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    store = EvidenceStore(evidence_root)
    created = utcnow()
    archive = _Archive(partial, int(created.timestamp()))
    try:
        with snapshot(engine) as connection:
            summary = _write_snapshot(archive, connection, metadata, store, created,
                                      ledger_key, file_sources, progress)
        archive.close()
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except BaseException:
        archive.tar.close()
        partial.unlink(missing_ok=True)
        raise
    tables, total, files, revision = summary
    return BackupSummary(out, tables, total, files, archive.bytes, revision)


def _write_snapshot(archive: _Archive, connection, metadata: sa.MetaData, store: EvidenceStore,
                    created, ledger_key, file_sources, progress: Progress):
    revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    counts, total = {}, 0
    for position, table in enumerate(metadata.sorted_tables, 1):
        counts[table.name] = _write_table(archive, connection, table, position)
        total += counts[table.name]
        progress(f"table {table.name}: {counts[table.name]} rows")
    head = connection.execute(sa.text("SELECT seq, hash FROM ledger_head WHERE id = 1")).first()
    with Session(bind=connection) as session:
        referenced = {sha for source in file_sources for sha, _ in source(session)}
    files = _write_evidence(archive, store, referenced, progress)
    header = {
        "format": FORMAT, "application": "kontrol", "created_at": created.isoformat(),
        "dialect": connection.dialect.name, "revision": revision,
        "tables": [{"name": t.name, "member": table_member(i, t), "rows": counts[t.name]}
                   for i, t in enumerate(metadata.sorted_tables, 1)],
        "ledger_head": {"seq": head.seq, "hash": head.hash} if head else None,
        "ledger_key_check": ledger_key_check(ledger_key),
        "evidence_files": files,
    }
    archive.add_bytes(HEADER, json.dumps(header, indent=2, ensure_ascii=False).encode("utf-8"))
    return len(counts), total, files, revision


def _write_table(archive: _Archive, connection, table: sa.Table, position: int) -> int:
    kinds = [rows.kind_of(column.type) for column in table.columns]
    count = 0
    with tempfile.TemporaryFile() as spool:
        header = {"table": table.name, "columns": [c.name for c in table.columns],
                  "kinds": kinds}
        spool.write(_line(header))
        result = connection.execution_options(yield_per=2000).execute(
            rows.select_statement(table))
        for row in result:
            spool.write(_line(rows.encode_row(table, kinds, row)))
            count += 1
        size = spool.tell()
        spool.seek(0)
        archive.add(table_member(position, table), spool, size)
    return count


def _line(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _write_evidence(archive: _Archive, store: EvidenceStore, referenced: set[str],
                    progress: Progress) -> int:
    on_disk = list(store.iter_blobs())
    missing = sorted(referenced.difference(on_disk))
    if missing:
        raise BackupError(f"{len(missing)} evidence file(s) the database refers to are missing "
                          f"from {store.root} (first: {missing[0]}); run `flask evidence "
                          "verify`, nothing was written")
    for number, sha256 in enumerate(on_disk, 1):
        path = store.path_for(sha256)
        with open(path, "rb") as handle:
            archive.add(f"evidence/{sha256[:2]}/{sha256}", handle,
                        os.fstat(handle.fileno()).st_size, expected_sha256=sha256)
        if number % 500 == 0 or number == len(on_disk):
            progress(f"evidence: {number} of {len(on_disk)} files")
    return len(on_disk)
