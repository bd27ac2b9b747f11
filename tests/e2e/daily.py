"""Helpers for the daily-use browser tests: the demo on a live server, signed-in browser
contexts at desktop or phone size, a screenshot of the step that failed, axe-core.

Screenshots go to $KONTROL_ARTIFACTS (default: test-artifacts/ in the working tree), one
folder per test: the failing step's page, and every page that broke a phone-width check.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

from app.extensions import db
from tests.factories import TEST_PASSWORD, make_user

ARTIFACTS = Path(os.environ.get("KONTROL_ARTIFACTS", "test-artifacts"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DEMO = {
    "coordinator": "coordinator@nordlys.example",
    "control_owner": "owner@nordlys.example",
    "internal_auditor": "auditor@nordlys.example",
    "external_auditor": "external@revision.example",
    "viewer": "viewer@nordlys.example",
    "admin": "admin@nordlys.example",
}


def seed_demo(app) -> None:
    """The Nordlys Statistik demo, as `flask setup` seeds a new database, and an admin."""
    from app.demo import seed_demo as seed
    from app.demo import setup_steps

    with app.app_context():
        for step in setup_steps():
            step(db.session)
        seed(db.session, TEST_PASSWORD)
        make_user(db.session, role="admin", name="Anne Admin", email=DEMO["admin"])
        db.session.remove()


def sign_in(page, email: str, *, wait: bool = True) -> None:
    """Sign in through the login form as a person would (then on the overview, unless told
    not to wait, e.g. when a second step follows)."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if wait:
        page.wait_for_url("**/")


def sign_out(page) -> None:
    """Sign out from the header (on a phone the button is behind the menu button)."""
    menu = page.get_by_test_id("menu-button")
    if menu.is_visible():
        menu.click()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login**")


def slug(text: str) -> str:
    """A file-name-safe version of `text`."""
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-")[:60] or "page"


class Browser:
    """A signed-in browser context of one demo person, failing on console errors."""

    def __init__(self, browser, base_url: str, role: str, *, viewport=DESKTOP,
                 locale: str = "en-GB", name: str = "test"):
        self.role = role
        self.context = browser.new_context(base_url=base_url, viewport=viewport,
                                           locale=locale, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda msg: self.errors.append(msg.text) if (
            msg.type == "error" and not msg.text.startswith("Failed to load resource"))
            else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.folder = ARTIFACTS / slug(name) / f"{role}-{viewport['width']}-{locale}"
        self.number = 0

    def sign_in(self) -> None:
        """Through the login form, as a person would."""
        page = self.page
        page.goto("/login")
        page.locator("input[name=email]").fill(DEMO[self.role])
        page.locator("input[name=password]").fill(TEST_PASSWORD)
        page.locator("form button[type=submit], form button:not([type])").first.click()
        page.wait_for_url(re.compile(r".*/$"))

    def screenshot(self, title: str) -> Path:
        """A full-page screenshot of what is shown now."""
        self.number += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.number:02d}-{slug(title)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    @contextmanager
    def step(self, title: str):
        """One step of a journey: on failure its page is saved as a screenshot."""
        try:
            yield self.page
        except BaseException:
            path = self.screenshot(f"FAILED {title}")
            print(f"screenshot of the failed step {title!r}: {path}")
            raise

    def close(self) -> None:
        """Close the context; console errors fail the test."""
        self.context.close()
        assert self.errors == [], f"browser console errors for {self.role}: {self.errors}"


def nav_links(page) -> list[str]:
    """The main navigation's links (paths), in order."""
    return page.eval_on_selector_all(
        ".mainnav a", "links => links.map(a => new URL(a.href).pathname + new URL(a.href).search)")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth")


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of the given impact on the current page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str)
                        else str(node["target"][0]) for node in v["nodes"][:3])
            for v in results.response["violations"] if v.get("impact") in impacts]
