"""Benchmark: importing a 1,000,000-row population CSV with bounded memory.

Prints the upload (store) time, the import time (count, preview, fingerprint, row checks),
rows per second, and how much the process's peak memory grew during the import (it stays flat
whatever the file size: the file is streamed, never held; the duplicate search keeps a 16 MiB
bit filter and spools row hashes to a temporary file).
Run: .venv/bin/python bench/bench_population_import.py [rows]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.audits import populations, samples, service  # noqa: E402
from app.auth.actors import CLI  # noqa: E402
from app.catalogue.sync import load_catalogues  # noqa: E402
from app.evidence.storage import EvidenceStore  # noqa: E402
from app.extensions import db  # noqa: E402


def write_csv(path: Path, rows: int) -> int:
    """A change log of `rows` lines; returns its size in bytes."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("change_id,date,system,requested_by,approved_by\n")
        for number in range(rows):
            handle.write(f"CHG-{number:07d},2025-{number % 12 + 1:02d}-{number % 28 + 1:02d},"
                         f"system-{number % 40},user{number % 500},approver{number % 20}\n")
    return path.stat().st_size


def main(rows: int = 1_000_000) -> None:
    """Build the file, upload it, import it, draw a sample; print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        source = folder_path / "changes.csv"
        size = write_csv(source, rows)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "KONTROL_EVIDENCE_DIR": f"{folder}/evidence"})
        with app.app_context():
            upgrade()
            load_catalogues(db.session, CLI)
            engagement = service.create_engagement(db.session, CLI, service.EngagementPlan(
                name="Bench", kind="internal", period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31), control_keys=["isae3000-gdpr:B.12"]))
            test = engagement.tests[0]
            store = EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            with source.open("rb") as stream:
                population = populations.upload_population(db.session, CLI, test, stream,
                                                           source.name, store, size + 1)
            elapsed = time.perf_counter() - started
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            assert population.status == "ready", population.error
            assert population.row_count == rows
            started = time.perf_counter()
            sample = samples.draw_sample(db.session, CLI, test, population, store, 60)
            draw = time.perf_counter() - started
            sample_size = sample.size
            db.engine.dispose()
    print(f"population: {rows:,} rows, {size / 2**20:.1f} MiB CSV")
    print(f"upload + import (store, count, preview, fingerprint, checks): {elapsed:.1f} s "
          f"({rows / elapsed:,.0f} rows/s)")
    print(f"peak process memory (max RSS) before the import {rss_before / 1024:.0f} MiB, "
          f"after {rss_after / 1024:.0f} MiB: growth {(rss_after - rss_before) / 1024:.0f} MiB "
          f"for a {size / 2**20:.0f} MiB file")
    print(f"draw a sample of {sample_size} (re-reads the file for the rows): {draw:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
