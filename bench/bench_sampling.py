"""Benchmark: the sampling calculator's worst plans (target: every request within 100 ms).

Prints, for the hardest plans the bounds allow (expected just below tolerable, so the search
runs to its cap) and for the plan that used to take ~30 s of CPU (tolerable=1e-300): the time
of the pure calculation and of a whole GET /api/v1/sampling/plan and /audits/sampling request.
Run: .venv/bin/python bench/bench_sampling.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.audits import sampling  # noqa: E402
from app.auth import service as accounts  # noqa: E402
from app.auth.actors import CLI  # noqa: E402
from app.extensions import db  # noqa: E402

PLANS = [(risk, t, e) for risk in ("0.05", "0.10") for t, e in (
    ("0.005", "0.0049"), ("0.0073", "0.0071"), ("0.5", "0.4999"), ("0.5", "0.49"),
    ("0.3", "0.29"), ("0.05", "0.01"), ("1e-300", "0"))]
LIMIT_MS = 100


def _best_of(call, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _plan(risk, tolerable, expected):
    try:
        n, k = sampling.attribute_sample_size(risk, tolerable, expected)
        sampling.upper_deviation_limit(n, k, risk)
    except sampling.Invalid:
        pass


def main() -> int:
    """Time each plan three ways; exit 1 if any request takes more than LIMIT_MS."""
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            user = accounts.create_user(db.session, CLI, "bench@example.org", "Bench",
                                        "internal_auditor", "correct horse battery",
                                        accounts.PasswordPolicy(hash_method="pbkdf2:sha256:1000"))
            _row, token = accounts.create_token(db.session, CLI, user, "bench")
        api, page = app.test_client(), app.test_client()
        signed_in = page.post("/login", data={"email": "bench@example.org",
                                              "password": "correct horse battery"})
        assert signed_in.status_code == 302, signed_in.status_code
        headers = {"Authorization": f"Bearer {token}"}
        print(f"{'risk':>5} {'tolerable':>9} {'expected':>9} {'pure ms':>8} {'API ms':>7} "
              f"{'page ms':>8}  answer")
        for risk, tolerable, expected in PLANS:
            query = {"risk": risk, "tolerable": tolerable, "expected": expected}
            pure = _best_of(partial(_plan, risk, tolerable, expected))
            answer = api.get("/api/v1/sampling/plan", query_string=query, headers=headers)
            api_ms = _best_of(partial(api.get, "/api/v1/sampling/plan", query_string=query,
                                      headers=headers))
            assert page.get("/audits/sampling", query_string=query).status_code == 200
            page_ms = _best_of(partial(page.get, "/audits/sampling", query_string=query))
            worst = max(worst, api_ms, page_ms)
            shown = (f"n={answer.json['sample_size']}" if answer.status_code == 200
                     else f"{answer.status_code} {answer.json['field']}")
            print(f"{risk:>5} {tolerable:>9} {expected:>9} {pure:8.1f} {api_ms:7.1f} "
                  f"{page_ms:8.1f}  {shown}")
    print(f"slowest request: {worst:.1f} ms (limit {LIMIT_MS} ms)")
    return 0 if worst <= LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
