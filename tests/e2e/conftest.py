"""Browser fixtures: Debian's Chromium driven by Playwright against a live server.

Where Chromium is missing the browser tests skip with a message, except under CI (CI=true or
KONTROL_REQUIRE_BROWSER=1), where a missing browser fails the run.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("KONTROL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# Window sizes a journey runs at: `@pytest.mark.parametrize("viewport", VIEWPORTS)`.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# The journeys' sizes: the phone run checks layout, so it runs with the markup checks (SQLite).
JOURNEY_SIZES = [pytest.param("desktop", id="desktop"),
                 pytest.param("phone", id="phone", marks=pytest.mark.markup)]


def _browser_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get(
        "KONTROL_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if _browser_required():
            pytest.fail(message + "; browser tests are mandatory in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _buffered(app):
    """The app with every response read and closed before the server writes it.

    Werkzeug's development server closes a response (an open static file) only after draining
    the socket, and a browser that drops the connection first (navigating on) makes that drain
    raise: the file is left to the garbage collector, a ResourceWarning that fails the suite.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture
def live_server(fresh_app):
    """The app served on a free loopback port, with CSRF on as in production."""
    fresh_app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, _buffered(fresh_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def viewport() -> str:
    """The window size of `page` (a key of VIEWPORTS); journeys parametrize it."""
    return "desktop"


def _expected_answer(response) -> bool:
    """A page, or the page script's row save refused with 409/422: answers, not failures."""
    kind = response.request.resource_type
    return kind == "document" or (kind == "fetch" and response.status in (409, 422))


@pytest.fixture
def page(browser, live_server, viewport):
    """A new browser page in a fresh context (English browser), failing on console errors."""
    context = browser.new_context(locale="en-GB", base_url=live_server,
                                  viewport=VIEWPORTS[viewport])
    page = context.new_page()
    errors: list[str] = []
    # Pages answer failed forms with 4xx on purpose; a failing asset or script is an error.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not _expected_answer(response) else None)
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def step(page, tmp_path):
    """Name the steps of a journey: `with step("draw the sample"): …`.

    When a step fails, a full-page screenshot of that moment is saved under the test's tmp dir
    (screenshots/NN-step-name.png) and its path printed, then the failure goes on as it was.
    """
    folder, numbers = tmp_path / "screenshots", itertools.count(1)

    @contextmanager
    def run(name: str):
        number = next(numbers)
        try:
            yield
        except BaseException:
            folder.mkdir(exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
            path = folder / f"{number:02d}-{slug}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as problem:  # noqa: BLE001 - the step's own failure matters more
                print(f"step {number} ({name}) failed; no screenshot: {problem}")
            else:
                print(f"step {number} ({name}) failed; screenshot: {path}")
            raise

    return run
