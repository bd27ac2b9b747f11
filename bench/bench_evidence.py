"""Benchmark: evidence upload throughput and memory, and coverage with 50,000 evidence items.

1. A 50 MB file streamed through `add_file_evidence` (hashing, temp file, fsync, rename, row,
   ledger): throughput in MB/s and the peak Python memory (tracemalloc) while it runs; then the
   re-hash a download does.
2. 50,000 evidence items (bulk-inserted) over the shipped catalogues: the coverage query for a
   year, and the coverage, evidence list and dashboard pages through the test client.
Run: .venv/bin/python bench/bench_evidence.py (about 20 s)
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth import service as accounts  # noqa: E402
from app.auth.actors import CLI  # noqa: E402
from app.catalogue.models import Control  # noqa: E402
from app.catalogue.sync import load_catalogues  # noqa: E402
from app.evidence import queries, service  # noqa: E402
from app.evidence.models import Evidence, evidence_control  # noqa: E402
from app.evidence.views import settings  # noqa: E402
from app.extensions import db  # noqa: E402

MB = 1 << 20
UPLOAD_MB = 50
ITEMS = 50_000
PASSWORD = "bench password 1"


class GeneratedStream:
    """A read-only stream of `size` bytes made on the fly: nothing is held in memory."""

    def __init__(self, size: int, seed: int):
        self.left = size
        self.block = bytes((seed + i) % 251 for i in range(64 * 1024))

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = (self.block * (size // len(self.block) + 1))[:size]
        self.left -= size
        return data


def upload_figures(app, coordinator) -> None:
    config = settings(app)
    details = service.EvidenceDetails(title="Large export", controls=["iso27001-2022:A.8.15"],
                                      period_start=date(2026, 1, 1))

    def upload(seed: int):
        stream = GeneratedStream(UPLOAD_MB * MB, seed)
        return service.add_file_evidence(db.session, coordinator, config, details,
                                         service.Upload(stream, "export.csv", "text/csv"))

    timings = []
    for seed in (1, 2, 3):
        started = time.perf_counter()
        evidence = upload(seed)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(f"upload {UPLOAD_MB} MB through the service: {UPLOAD_MB / best:.0f} MB/s "
          f"(best of 3, median {UPLOAD_MB / statistics.median(timings):.0f} MB/s)")
    tracemalloc.start()
    upload(4)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python memory during a {UPLOAD_MB} MB upload: {peak / MB:.1f} MB "
          "(1 MB read chunks; the file is never held whole)")
    started = time.perf_counter()
    _version, handle = service.open_download(db.session, coordinator, config, evidence)
    handle.close()
    elapsed = time.perf_counter() - started
    print(f"download integrity check (re-hash {UPLOAD_MB} MB): {UPLOAD_MB / elapsed:.0f} MB/s")


def bulk_evidence(control_ids: list[int], owner_id: int) -> None:
    rng = random.Random(4)
    now = datetime.now(UTC)
    rows, links = [], []
    first_id = (db.session.scalar(select(func.max(Evidence.id))) or 0) + 1
    for number in range(first_id, first_id + ITEMS):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(730))
        end = start + timedelta(days=rng.choice((0, 0, 6, 30, 91)))
        valid = end + timedelta(days=rng.randrange(30, 500)) if rng.random() < 0.3 else None
        rows.append({"id": number, "kind": "note", "title": f"Evidence {number}",
                     "description": "Generated for the benchmark.", "period_start": start,
                     "period_end": end, "valid_until": valid, "tags": ["bench"],
                     "owner_id": owner_id, "created_by_id": owner_id, "created_at": now,
                     "updated_at": now, "version": 1})
        for control_id in rng.sample(control_ids, rng.choice((1, 1, 2))):
            links.append({"evidence_id": number, "control_id": control_id})
    started = time.perf_counter()
    for first in range(0, len(rows), 10_000):
        db.session.execute(insert(Evidence), rows[first:first + 10_000])
    db.session.execute(insert(evidence_control), links)
    db.session.commit()
    print(f"bulk insert of {ITEMS:,} evidence items and {len(links):,} control links: "
          f"{time.perf_counter() - started:.1f} s")


def timed(label: str, action, runs: int = 5) -> None:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    print(f"{label}: median {statistics.median(timings) * 1000:.0f} ms "
          f"(min {min(timings) * 1000:.0f} ms)")


def coverage_figures(app, coordinator) -> None:
    control_ids = list(db.session.scalars(select(Control.id)))
    bulk_evidence(control_ids, coordinator.id)
    year = (date(2026, 1, 1), date(2026, 12, 1))
    result = queries.coverage(db.session, coordinator, *year)
    cells = sum(sum(row.counts) for row in result.rows)
    print(f"coverage 2026: {len(result.rows)} controls x 12 months, {cells:,} item-months")
    timed("coverage query (all catalogues, 12 months)",
          lambda: queries.coverage(db.session, coordinator, *year))
    client = app.test_client()
    response = client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    assert response.status_code == 302
    for label, url in (
            ("coverage page, all 154 controls", "/evidence/coverage?from=2026-01&to=2026-12"),
            ("coverage page, one catalogue", "/evidence/coverage?catalogue=iso27001-2022"),
            ("evidence list page (50 of 50,000)", "/evidence/"),
            ("evidence list filtered by control", "/evidence/?control=iso27001-2022:A.8.15"),
            ("dashboard (freshness of every control)", "/")):
        timed(label, lambda url=url: client.get(url).close())


def main() -> None:
    """Print upload and coverage figures; builds its own temporary SQLite database."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder, "TESTING": True,
                          "WTF_CSRF_ENABLED": False,
                          "KONTROL_EVIDENCE_DIR": f"{folder}/evidence"})
        with app.app_context():
            upgrade()
            load_catalogues(db.session, CLI)
            coordinator = accounts.create_user(
                db.session, CLI, "bench@example.org", "Bench", "coordinator", PASSWORD,
                accounts.PasswordPolicy(hash_method="pbkdf2:sha256:1000"))
            upload_figures(app, coordinator)
            coverage_figures(app, coordinator)
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
