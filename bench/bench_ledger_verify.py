"""Benchmark: `flask ledger verify` over a 1,000,000-entry keyed ledger on SQLite.

Builds the chain straight into a migrated SQLite database (HMAC-SHA256 under a bench key, the
same canonical text the app writes), then verifies it in a child process so the figures are
the verifier's alone: wall time, entries per second and the child's peak memory (max RSS,
VmHWM of the whole process: interpreter, Flask app and all). Target (issue 9): ≤ 5 s and ≤ 150 MiB.
Run: .venv/bin/python bench/bench_ledger_verify.py [entries]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.db import UTCDateTime  # noqa: E402
from app.extensions import db  # noqa: E402
from app.ledger.chain import KEYED, canonical_json, digest, entry_text  # noqa: E402

KEY = "bench-ledger-key-" + "0" * 32
TARGET_SECONDS, TARGET_MIB = 5.0, 150
ENTRY = sa.table("ledger_entry", sa.column("at", UTCDateTime()), *(sa.column(name) for name in (
    "seq", "actor_id", "actor", "action", "entity_type", "entity_id", "changes", "prev_hash",
    "hash", "algorithm")))
HEAD = sa.table("ledger_head", sa.column("id"), sa.column("seq"), sa.column("hash"))


def _app(folder: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                       "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                       "KONTROL_LEDGER_KEY": KEY})


def build(folder: str, entries: int) -> float:
    """A migrated database holding a valid keyed chain of `entries`; returns seconds taken."""
    started = time.perf_counter()
    app = _app(folder)
    key, prev, start = KEY.encode(), "0" * 64, datetime(2025, 1, 1, tzinfo=UTC)
    actions = ("evidence.uploaded", "sample.item_result", "deviation.updated", "soa.updated")
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            batch = []
            for seq in range(1, entries + 1):
                row = {"seq": seq, "at": start + timedelta(seconds=seq), "actor_id": seq % 17,
                       "actor": f"user{seq % 17}@nordlys.example", "action": actions[seq % 4],
                       "entity_type": "evidence", "entity_id": str(seq // 3),
                       "changes": canonical_json({"title": f"Access review week {seq % 52}",
                                                  "period": ["2025-01-06", "2025-01-12"],
                                                  "sha256": f"{seq:064x}"}),
                       "prev_hash": prev, "algorithm": KEYED}
                row["hash"] = prev = digest(entry_text(**{k: v for k, v in row.items()
                                                          if k != "algorithm"}), KEYED, key)
                batch.append(row)
                if len(batch) == 50_000:
                    connection.execute(ENTRY.insert(), batch)
                    batch = []
            if batch:
                connection.execute(ENTRY.insert(), batch)
            connection.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=entries,
                                                                          hash=prev))
        with db.engine.connect() as connection:  # as a ledger written over time would be
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return time.perf_counter() - started


def verify_child(folder: str) -> None:
    """In the child: verify once, print the figures as JSON."""
    from app.ledger import service

    app = _app(folder)
    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        result = service.verify(db.session)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps({"ok": result.ok, "entries": result.entries, "seconds": elapsed, "cpu": cpu,
                      "peak_mib": peak, "problem": result.problem}))


def main(entries: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        built = build(folder, entries)
        size = os.path.getsize(f"{folder}/bench.db")
        child = subprocess.run([sys.executable, __file__, "--verify", folder], check=True,
                               capture_output=True, text=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    met = figures["seconds"] <= TARGET_SECONDS and figures["peak_mib"] <= TARGET_MIB
    print(f"ledger: {entries:,} keyed entries, {size / 2**20:.0f} MiB SQLite (built in "
          f"{built:.0f} s)")
    print(f"verify: {'intact' if figures['ok'] else 'BROKEN: ' + str(figures['problem'])}, "
          f"{figures['seconds']:.2f} s ({figures['entries'] / figures['seconds']:,.0f} "
          f"entries/s; {figures['cpu']:.2f} s of CPU, so on a busy machine the wall time is "
          f"longer), peak memory (max RSS of the verifying process) {figures['peak_mib']:.0f} MiB")
    print(f"target ≤ {TARGET_SECONDS:g} s and ≤ {TARGET_MIB} MiB: {'met' if met else 'NOT met'}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--verify":
        verify_child(sys.argv[2])
    else:
        raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
