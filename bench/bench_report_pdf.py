"""Bench: build the full 45-activity ISAE 3000 report PDF (da and en) and print median times.

Run from the repository root: `.venv/bin/python bench/bench_report_pdf.py [--runs 5]`.
The target (issue 6) is well under a second per report.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader  # noqa: E402

from app.reports.pdf import build_isae_report  # noqa: E402
from tests.unit.report_fixtures import sample_report  # noqa: E402


def bench(lang: str, runs: int) -> tuple[float, int, int]:
    """Median milliseconds over `runs` builds (after one warm-up), page count and size."""
    report = sample_report(lang, draft=True)
    build_isae_report(report)  # warm-up: font files parsed once per process
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        data = build_isae_report(report)
        times.append((time.perf_counter() - start) * 1000)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    return statistics.median(times), pages, len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    activities = sum(len(o.tests) for o in sample_report("da").objectives)
    print(f"ISAE 3000 report PDF, {activities} activities, {args.runs} runs each")
    for lang in ("da", "en"):
        median, pages, size = bench(lang, args.runs)
        print(f"  {lang}: median {median:6.1f} ms  {pages} pages  {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
