"""Benchmark: workpapers XLSX against the ISAE 3000 report PDF, both from the database.

Seeds the demo organisation into a new SQLite database (the ISAE 3000 engagement: 45
activities, each with a population and a sample), then times, end to end, gathering the data
and building the file: the ISAE report PDF (en) and the workpapers XLSX (en). Prints the median
of the runs, the SQL statements each issues, and the ratio. Target (issue 9): workpapers in a
fixed number of queries and at most 2x the PDF's time.
Run: .venv/bin/python bench/bench_workpapers.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.audits.models import Engagement, EngagementKind  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.db import utcnow  # noqa: E402
from app.demo import seed_demo, setup_steps  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports import service  # noqa: E402
from app.reports.pdf import build_isae_report  # noqa: E402
from app.reports.workpapers import build_workpapers  # noqa: E402


def isae_pdf(actor, engagement) -> bytes:
    """What the ISAE report download does."""
    report = service.isae_report(db.session, actor, engagement, "en", "Kontrol", date.today())
    return build_isae_report(report)


def workpapers_xlsx(actor, engagement) -> bytes:
    """What the workpapers download does."""
    tests = service.workpapers(db.session, actor, engagement, "en")
    return build_workpapers(engagement.name, f"{engagement.period_start} – "
                            f"{engagement.period_end}", "en", tests, utcnow())


def measure(function, actor, engagement, runs: int) -> tuple[float, int, int]:
    """Median milliseconds (after a warm-up), statements per run, and size in bytes."""
    statements = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    function(actor, engagement)  # warm-up: fonts, templates, caches
    times = []
    for _ in range(runs):
        db.session.expire_all()
        statements.clear()
        start = time.perf_counter()
        data = function(actor, engagement)
        times.append((time.perf_counter() - start) * 1000)
    count = len(statements)
    sa.event.remove(db.engine, "before_cursor_execute", record)
    return statistics.median(times), count, len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "KONTROL_EVIDENCE_DIR": f"{folder}/evidence",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            upgrade()
            for step in setup_steps():
                step(db.session)
            seed_demo(db.session, "bench-password-1")
            engagement = db.session.scalar(select(Engagement).where(
                Engagement.kind == EngagementKind.ISAE3000_TYPE2))
            actor = db.session.scalar(select(User).where(User.email == "auditor@nordlys.example"))
            tests = len(engagement.tests)
            pdf = measure(isae_pdf, actor, engagement, args.runs)
            xlsx = measure(workpapers_xlsx, actor, engagement, args.runs)
            db.engine.dispose()
    print(f"demo engagement: {tests} tests with populations and samples, {args.runs} runs each, "
          "data gathered from SQLite and file built")
    print(f"  ISAE 3000 report PDF (en): median {pdf[0]:7.1f} ms  {pdf[1]:3d} queries  "
          f"{pdf[2] / 1024:.0f} KiB")
    print(f"  workpapers XLSX (en):      median {xlsx[0]:7.1f} ms  {xlsx[1]:3d} queries  "
          f"{xlsx[2] / 1024:.0f} KiB")
    ratio = xlsx[0] / pdf[0]
    print(f"  workpapers / PDF: {ratio:.2f}x (target ≤ 2x: {'met' if ratio <= 2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
