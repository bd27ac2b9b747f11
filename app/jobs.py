"""Background work inside the web process: long imports and bundle builds never block a request.

A job runs in a daemon thread with its own application context and database session; it records
its progress in its own rows (committed as it goes) so any process can show a progress bar. With
KONTROL_SYNC_JOBS (tests), or outside a request (CLI), the job runs inline instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, current_app, has_request_context

from .db import writing


def start(function: Callable[..., None], *args) -> None:
    """Run `function(*args)` in the background of a web request.

    Outside a request (CLI, other jobs) and under KONTROL_SYNC_JOBS (tests) it runs inline.
    """
    app: Flask = current_app._get_current_object()
    if app.config.get("KONTROL_SYNC_JOBS") or not has_request_context():
        function(*args)
        return
    thread = threading.Thread(target=_run, args=(app, function, args), daemon=True,
                              name=f"kontrol-job-{function.__name__}")
    thread.start()


def _run(app: Flask, function: Callable[..., None], args: tuple) -> None:
    from .extensions import db

    with app.app_context(), writing():
        try:
            function(*args)
        except Exception:  # noqa: BLE001 - a job records its own failure; log anything else
            app.logger.exception("background job %s failed", function.__name__)
        finally:
            db.session.remove()
