"""`flask restore`: a backup into an empty database (SQLite or PostgreSQL) and evidence store.

Order, so that a refused or failed restore leaves no trace:
1. the archive is checked against its MANIFEST.sha256 (every member, every byte) and its
   schema revision against this code's;
2. the targets are checked: the database has no tables, or only empty ones at the backup's
   revision; the evidence directory is empty;
3. a blank database gets the schema (the migrations, up to the backup's revision);
4. the evidence files are written (hashed again on the way in), then every row is inserted
   in one transaction, in dependency order; PostgreSQL's sequences are moved past the
   restored ids. If anything fails the transaction is rolled back and the files removed;
5. the ledger chain and the evidence store are verified, and the ledger head compared with
   the one recorded in the backup.
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..db import writing
from ..evidence.storage import EvidenceStore
from . import rows
from .archive import FORMAT, HEADER, MANIFEST, Progress, ledger_key_check

_NAMES = re.compile(r"backup\.json|MANIFEST\.sha256|tables/\d{3}-[A-Za-z0-9_]+\.jsonl"
                    r"|evidence/([0-9a-f]{2})/\1[0-9a-f]{62}")
_BATCH = 1000


class RestoreRefused(Exception):
    """The archive or the target is not fit for a restore; nothing was written."""


@dataclass(frozen=True)
class Backup:
    """A checked archive: its header and members."""

    path: Path
    header: dict
    members: dict[str, tarfile.TarInfo]


def check_archive(path: str | Path, progress: Progress = lambda message: None) -> Backup:
    """Check every member against MANIFEST.sha256; raise RestoreRefused on any mismatch."""
    path = Path(path)
    try:
        tar = tarfile.open(path, "r:")
    except (OSError, tarfile.TarError) as exc:
        raise RestoreRefused(f"{path} is not a readable tar archive: {exc}") from None
    with tar:
        members = {}
        for member in tar.getmembers():
            if not member.isfile() or not _NAMES.fullmatch(member.name):
                raise RestoreRefused(f"{path}: unexpected member '{member.name}'; this is not a "
                                     "Kontrol backup")
            members[member.name] = member
        if MANIFEST not in members or HEADER not in members:
            raise RestoreRefused(f"{path} has no {MANIFEST} or {HEADER}; this is not a "
                                 "complete Kontrol backup")
        listed = _manifest(tar.extractfile(members[MANIFEST]).read(), path)
        unlisted = sorted(set(members) - set(listed) - {MANIFEST})
        absent = sorted(set(listed) - set(members))
        if unlisted or absent:
            raise RestoreRefused(f"{path}: the manifest does not match the archive (not listed: "
                                 f"{unlisted[:3]}, missing: {absent[:3]}); nothing was restored")
        for number, (name, expected) in enumerate(listed.items(), 1):
            digest = hashlib.sha256()
            handle = tar.extractfile(members[name])
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
            if digest.hexdigest() != expected:
                raise RestoreRefused(f"{path}: {name} does not match its SHA-256 in the "
                                     "manifest; the backup is damaged or was altered, nothing "
                                     "was restored")
            if number % 500 == 0:
                progress(f"checked {number} of {len(listed)} members")
        header = json.loads(tar.extractfile(members[HEADER]).read())
    if header.get("format") != FORMAT or header.get("application") != "kontrol":
        raise RestoreRefused(f"{path}: backup format {header.get('format')} is not one this "
                             f"Kontrol reads (format {FORMAT})")
    progress(f"manifest checked: {len(listed)} members intact")
    return Backup(path, header, members)


def _manifest(data: bytes, path: Path) -> dict[str, str]:
    listed = {}
    for line in data.decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not name:
            raise RestoreRefused(f"{path}: {MANIFEST} has a malformed line: {line[:80]!r}")
        listed[name] = digest
    return listed


def check_target(engine: sa.Engine, metadata: sa.MetaData, evidence_root: str | Path,
                 backup: Backup, head_revision: str | None) -> bool:
    """Refuse unless both targets are empty; return True when the schema must be created."""
    revision = backup.header["revision"]
    if revision != head_revision:
        raise RestoreRefused(f"the backup is at schema revision {revision} and this Kontrol at "
                             f"{head_revision}; restore it with the Kontrol version that made "
                             "it, then upgrade (`flask db upgrade`) and back up again")
    in_backup = {table["name"] for table in backup.header["tables"]}
    known = set(metadata.tables)
    if in_backup != known:
        raise RestoreRefused(f"the backup's tables do not match this Kontrol's (only in the "
                             f"backup: {sorted(in_backup - known)}, only here: "
                             f"{sorted(known - in_backup)})")
    root = Path(evidence_root)
    if root.exists() and any(p.is_file() for p in root.rglob("*")):
        raise RestoreRefused(f"the evidence directory {root} is not empty; restore into an "
                             "empty directory (set KONTROL_EVIDENCE_DIR or move the files away)")
    existing = set(sa.inspect(engine).get_table_names())
    if not existing:
        return True
    with engine.connect() as connection:
        current = (connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                   if "alembic_version" in existing else None)
        if current != revision:
            raise RestoreRefused(f"the database is not empty: it has tables at schema revision "
                                 f"{current}; restore into an empty database")
        for table in metadata.sorted_tables:
            count = connection.scalar(sa.select(sa.func.count()).select_from(table))
            if count and not _seeded(connection, table):
                raise RestoreRefused(f"the database is not empty: table {table.name} has "
                                     f"{count} row(s); restore into an empty database")
    return False


def _seeded(connection, table: sa.Table) -> bool:
    """Whether a table holds only what the migrations put there (the ledger's genesis head)."""
    if table.name != "ledger_head":
        return False
    return connection.execute(sa.text("SELECT COUNT(*) FROM ledger_head WHERE seq <> 0")
                              ).scalar() == 0


@dataclass(frozen=True)
class Restored:
    """What a restore wrote."""

    tables: int
    rows: int
    files: int


def restore_backup(engine: sa.Engine, metadata: sa.MetaData, evidence_root: str | Path,
                   backup: Backup, *, create_schema: Callable[[], None] | None,
                   progress: Progress = lambda message: None) -> Restored:
    """Write the evidence files, then every row in one transaction (see the module docstring).

    `create_schema` runs first when the database is blank (check_target said so).
    """
    if create_schema is not None:
        progress(f"creating the schema (revision {backup.header['revision']})")
        create_schema()
    store = EvidenceStore(evidence_root)
    created: list[str] = []
    try:
        with tarfile.open(backup.path, "r:") as tar:
            files = _write_files(tar, backup, store, created, progress)
            total = 0
            with writing(), engine.connect() as connection, connection.begin():
                for table in reversed(metadata.sorted_tables):  # what the migrations seeded
                    connection.execute(sa.delete(table))
                for table in metadata.sorted_tables:
                    total += _insert_table(connection, tar, backup, table, progress)
                if engine.dialect.name == "postgresql":
                    _reset_sequences(connection, metadata)
    except BaseException:
        for sha256 in created:
            store.remove_orphan(sha256)
        for folder in sorted(Path(evidence_root).glob("*"), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    return Restored(len(metadata.tables), total, files)


def _write_files(tar, backup: Backup, store: EvidenceStore, created: list[str],
                 progress: Progress) -> int:
    names = sorted(name for name in backup.members if name.startswith("evidence/"))
    for number, name in enumerate(names, 1):
        member = backup.members[name]
        blob = store.store(tar.extractfile(member), max_bytes=max(member.size, 1))
        if blob.created:
            created.append(blob.sha256)
        if blob.sha256 != name.rsplit("/", 1)[1]:
            raise RestoreRefused(f"{name} does not hold the file its name says")
        if number % 500 == 0 or number == len(names):
            progress(f"evidence: {number} of {len(names)} files")
    return len(names)


def _lines(tar, member: tarfile.TarInfo) -> Iterator[list]:
    handle = tar.extractfile(member)
    for line in handle:
        yield json.loads(line)


def _insert_table(connection, tar, backup: Backup, table: sa.Table, progress: Progress) -> int:
    entry = next(t for t in backup.header["tables"] if t["name"] == table.name)
    lines = _lines(tar, backup.members[entry["member"]])
    header = next(lines)
    columns = header["columns"]
    if set(columns) != {c.name for c in table.columns}:
        raise RestoreRefused(f"table {table.name}: the backup's columns {columns} do not match "
                             "this Kontrol's")
    kinds = {c.name: rows.kind_of(c.type) for c in table.columns}
    records = ({name: rows.decode(kinds[name], value) for name, value in zip(
        columns, values, strict=True)} for values in lines)
    parents = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if parents:  # a row must follow the row it refers to in its own table
        records = _parents_first(list(records), table, parents)
    statement = rows.insert_statement(table)
    count, batch = 0, []
    for record in records:
        batch.append(record)
        if len(batch) == _BATCH:
            connection.execute(statement, batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(statement, batch)
        count += len(batch)
    if count != entry["rows"]:
        raise RestoreRefused(f"table {table.name}: {count} rows read, the backup says "
                             f"{entry['rows']}")
    progress(f"table {table.name}: {count} rows")
    return count


def _parents_first(records: list[dict], table: sa.Table, parents: list[str]) -> list[dict]:
    (key,) = [c.name for c in table.primary_key.columns]
    done, ordered, waiting = set(), [], records
    while waiting:
        ready = [r for r in waiting if all(r[p] is None or r[p] in done for p in parents)]
        if not ready:
            raise RestoreRefused(f"table {table.name}: rows refer to each other in a loop")
        ordered.extend(ready)
        done.update(r[key] for r in ready)
        waiting = [r for r in waiting if r[key] not in done]
    return ordered


def _reset_sequences(connection, metadata: sa.MetaData) -> None:
    """Move each serial/identity sequence past the highest restored id."""
    quote = connection.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if rows.kind_of(column.type) != "int":
                continue
            sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": quote(table.name), "c": column.name}).scalar()
            if sequence:
                connection.execute(sa.text(
                    f"SELECT setval(:s, COALESCE((SELECT MAX({quote(column.name)}) FROM "
                    f"{quote(table.name)}), 0) + 1, false)"), {"s": sequence})


@dataclass(frozen=True)
class Verification:
    """The checks after a restore, as lines to print, and whether all passed."""

    lines: tuple[str, ...]
    ok: bool


def verify_restored(session, backup: Backup, evidence_root, ledger_key) -> Verification:
    """Verify the ledger chain and the evidence store; compare head and key with the backup's.

    The chain is verified with `ledger_key` (the app's key when None).
    """
    from ..evidence.service import verify_store
    from ..ledger import service as ledger

    lines, ok = [], True
    key_check = backup.header.get("ledger_key_check")
    key_differs = key_check is not None and key_check != ledger_key_check(ledger_key)
    if key_differs:
        lines.append("LEDGER KEY: this installation's ledger key is not the one the backup was "
                     "made with (instance/ledger_key was probably created afresh here). Copy "
                     "instance/ledger_key from the old installation, or set KONTROL_LEDGER_KEY "
                     "to its value, then run `flask ledger verify`.")
    if ledger_key:
        raw = ledger_key.encode("utf-8") if isinstance(ledger_key, str) else ledger_key
        result = ledger.verify(session, key=raw)
    else:
        result = ledger.verify(session)
    if result.ok:
        lines.append(f"Ledger intact: {result.entries} entries verified.")
    else:
        ok = False
        reason = " (expected with the wrong ledger key, see above)" if key_differs else ""
        lines.append(f"Ledger BROKEN at entry {result.first_bad_seq}: {result.problem}{reason}")
    head = session.execute(sa.text("SELECT seq, hash FROM ledger_head WHERE id = 1")).first()
    recorded = backup.header.get("ledger_head")
    restored_head = {"seq": head.seq, "hash": head.hash} if head else None
    if restored_head != recorded:
        ok = False
        lines.append(f"Ledger head DIFFERS from the backup's: {restored_head} != {recorded}")
    elif recorded:
        lines.append(f"Ledger head matches the backup: entry {recorded['seq']}, "
                     f"{recorded['hash'][:16]}…")
    report = verify_store(session, EvidenceStore(evidence_root))
    state = "intact" if not (report.missing or report.changed) else "has PROBLEMS"
    ok = ok and not (report.missing or report.changed)
    lines.append(f"Evidence store {state}: {report.checked} file(s) re-hashed, "
                 f"{len(report.missing)} missing, {len(report.changed)} changed, "
                 f"{len(report.orphaned)} not referred to by any record.")
    return Verification(tuple(lines), ok and not key_differs)
