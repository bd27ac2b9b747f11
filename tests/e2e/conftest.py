"""Browser fixtures: Debian's Chromium driven by Playwright against a live server.

Where Chromium is missing the browser tests skip with a message, except under CI (CI=true or
KONTROL_REQUIRE_BROWSER=1), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("KONTROL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


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


@pytest.fixture
def live_server(fresh_app):
    """The app served on a free loopback port, with CSRF on as in production."""
    fresh_app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, fresh_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_server):
    """A new browser page in a fresh context (English browser), failing on console errors."""
    context = browser.new_context(locale="en-GB", base_url=live_server)
    page = context.new_page()
    errors: list[str] = []
    # Pages answer failed forms with 4xx on purpose; a failing asset or script is an error.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None)
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"
