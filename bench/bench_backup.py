"""Benchmark: `flask backup` and `flask restore` of the demo ×10.

The demo organisation is seeded, then every table except the ledger is copied nine times
(ids offset, unique texts suffixed) and every evidence file version copied nine times with its
bytes changed (population files are shared), so rows are ten times the demo's; the ledger
grows by nine times its demo length through real appends, so its chain stays verifiable.
Then: a backup, a restore into a new SQLite database, and (when BENCH_POSTGRES_URL names an
empty PostgreSQL database) into PostgreSQL, each timed, with the restore's own verification.
Run: .venv/bin/python bench/bench_backup.py (about a minute)
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.actors import CLI  # noqa: E402
from app.backup.archive import write_backup  # noqa: E402
from app.backup.cli import head_revision  # noqa: E402
from app.backup.restore import (  # noqa: E402
    check_archive,
    check_target,
    restore_backup,
    verify_restored,
)
from app.demo import seed_demo, setup_steps  # noqa: E402
from app.evidence.service import STORED_FILE_SOURCES  # noqa: E402
from app.evidence.storage import EvidenceStore  # noqa: E402
from app.extensions import db  # noqa: E402
from app.ledger.service import append  # noqa: E402

TIMES = 10
OFFSET = 10_000_000
SKIP = {"ledger_entry", "ledger_head"}


def _unique_strings(table: sa.Table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint):
            names |= {c.name for c in constraint.columns}
    names |= {c.name for index in table.indexes if index.unique for c in index.columns}
    return {name for name in names
            if isinstance(table.c[name].type, sa.String) and not table.c[name].foreign_keys}


def _suffixed(value: str, k: int, length: int | None) -> str:
    suffix = f"~{k}"
    return (value[: length - len(suffix)] if length else value) + suffix


def multiply(app) -> None:
    """Copy the demo's rows and files nine times (see the module docstring)."""
    store = EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])
    with db.engine.begin() as connection:
        originals = {t.name: [dict(r._mapping) for r in connection.execute(sa.select(t))]
                     for t in db.metadata.sorted_tables if t.name not in SKIP}
        for k in range(1, TIMES):
            for table in db.metadata.sorted_tables:
                if table.name in SKIP or not originals[table.name]:
                    continue
                strings = _unique_strings(table)
                copies = []
                for row in originals[table.name]:
                    copy = dict(row)
                    for column in table.columns:
                        value = copy[column.name]
                        if value is None:
                            continue
                        if isinstance(column.type, sa.Integer) and (
                                column.primary_key or column.foreign_keys):
                            copy[column.name] = value + k * OFFSET
                        elif column.name in strings:
                            copy[column.name] = _suffixed(value, k, column.type.length)
                    if table.name == "evidence_version":
                        with store.open_verified(row["sha256"]) as handle:
                            data = handle.read() + f"\ncopy {k}".encode()
                        blob = store.store(io.BytesIO(data), len(data))
                        copy["sha256"], copy["size"] = blob.sha256, blob.size
                    copies.append(copy)
                connection.execute(sa.insert(table), copies)
    entries = db.session.scalar(sa.text("SELECT COUNT(*) FROM ledger_entry"))
    for number in range(entries * (TIMES - 1)):
        append(db.session, CLI, "bench.copied", None, {"n": number},
               entity_type="bench", entity_id=str(number))
        if number % 1000 == 999:
            db.session.commit()
    db.session.commit()


def _restore(url: str, archive: Path, folder: Path, ledger_key: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KONTROL_EVIDENCE_DIR":
                      str(folder / f"evidence-{sa.make_url(url).get_backend_name()}"),
                      "INSTANCE_PATH": str(folder / "target"), "KONTROL_LEDGER_KEY": ledger_key})
    with app.app_context():
        started = time.perf_counter()
        backup = check_archive(archive)
        checked = time.perf_counter()
        blank = check_target(db.engine, db.metadata, app.config["KONTROL_EVIDENCE_DIR"],
                             backup, head_revision())
        restored = restore_backup(db.engine, db.metadata, app.config["KONTROL_EVIDENCE_DIR"],
                                  backup, create_schema=upgrade if blank else None)
        written = time.perf_counter()
        verification = verify_restored(db.session, backup, app.config["KONTROL_EVIDENCE_DIR"],
                                       app.config.get("KONTROL_LEDGER_KEY"))
        done = time.perf_counter()
        name = db.engine.dialect.name
        print(f"restore into {name}: {done - started:.1f} s (manifest check "
              f"{checked - started:.1f} s, schema and {restored.rows:,} rows and "
              f"{restored.files} files {written - checked:.1f} s, verification "
              f"{done - written:.1f} s); verification {'OK' if verification.ok else 'FAILED'}")
        for line in verification.lines:
            print(f"  {line}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    """Seed, multiply, back up, restore; print the figures."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/source.db",
                          "INSTANCE_PATH": str(folder / "source"),
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "KONTROL_SYNC_JOBS": True})
        with app.app_context():
            upgrade()
            for step in setup_steps():
                step(db.session)
            seed_demo(db.session, "bench demo password 1")
            multiply(app)
            archive = folder / "demo-x10.tar"
            started = time.perf_counter()
            key = app.config["KONTROL_LEDGER_KEY"]  # moved with the backup, as the README says
            summary = write_backup(db.engine, db.metadata, app.config["KONTROL_EVIDENCE_DIR"],
                                   archive, ledger_key=key, file_sources=STORED_FILE_SOURCES)
            elapsed = time.perf_counter() - started
            print(f"backup of the demo x{TIMES} (SQLite): {elapsed:.1f} s for {summary.rows:,} "
                  f"rows in {summary.tables} tables and {summary.files} files, "
                  f"{summary.bytes / (1 << 20):.1f} MB")
            db.session.remove()
            db.engine.dispose()
        _restore(f"sqlite:///{folder}/target.db", archive, folder, key)
        if os.environ.get("BENCH_POSTGRES_URL"):
            _restore(os.environ["BENCH_POSTGRES_URL"], archive, folder, key)
        else:
            print("restore into PostgreSQL: set BENCH_POSTGRES_URL to an empty database")


if __name__ == "__main__":
    main()
