"""Benchmark: validating and loading the three shipped catalogues (target: well under 1 s).

Prints the parse time, the first load into an empty database, and the idempotent re-load.
Run: .venv/bin/python bench/bench_catalogue.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.actors import CLI  # noqa: E402
from app.catalogue.schema import load_paths  # noqa: E402
from app.catalogue.sync import DEFAULT_DIRECTORY, load_catalogues  # noqa: E402
from app.extensions import db  # noqa: E402


def main() -> None:
    """Time parse, first load and re-load; print one line each."""
    parse = []
    for _ in range(5):
        started = time.perf_counter()
        definitions, errors = load_paths([DEFAULT_DIRECTORY])
        parse.append(time.perf_counter() - started)
    assert not errors
    controls = sum(len(d.controls) for d in definitions)
    print(f"parse+validate {len(definitions)} catalogues, {controls} controls: "
          f"median {statistics.median(parse) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            load_catalogues(db.session, CLI)
            first = time.perf_counter() - started
            started = time.perf_counter()
            results = load_catalogues(db.session, CLI)
            again = time.perf_counter() - started
            assert not any(r.any for r in results)
            db.engine.dispose()
    print(f"first load into an empty SQLite database: {first * 1000:.0f} ms")
    print(f"re-load, nothing changed: {again * 1000:.0f} ms")


if __name__ == "__main__":
    main()
