"""Journey: a scan reminds a control owner of two annual-wheel duties; the bell shows them, she
opens one and marks the other read; the wheel and /deadlines in Danish at phone width."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from app.scheduler import run_scan
from tests.factories import TEST_PASSWORD, make_user
from tests.notifications.conftest import CPH, make_duty

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_scan_reaches_the_bell_and_is_opened_and_read(fresh_app, page, tmp_path):
    today = utcnow().astimezone(CPH).date()
    with fresh_app.app_context():
        owner = make_user(db.session, role="control_owner", name="Mads Krogh")
        email = owner.email
        make_duty(db.session, owner, today + timedelta(days=3), title="Penetration test",
                  title_da="Penetrationstest")
        make_duty(db.session, owner, today - timedelta(days=2), title="Contingency test",
                  title_da="Test af beredskabsplanen")
        db.session.remove()
    assert run_scan(fresh_app, "journey").created == 2

    sign_in(page, email)
    assert page.get_by_test_id("bell-count").inner_text() == "2"
    page.get_by_test_id("bell").click()
    page.wait_for_url("**/notifications")
    items = page.get_by_test_id("notification")
    assert items.count() == 2
    contingency = items.filter(has_text="Contingency test")
    assert "overdue" in contingency.inner_text()
    contingency.get_by_test_id("open-notification").click()
    page.wait_for_url("**/wheel/duties/*")
    expect(page.get_by_role("heading", name="Contingency test")).to_be_visible()
    assert page.get_by_test_id("bell-count").inner_text() == "1"

    page.get_by_test_id("bell").click()
    page.get_by_test_id("notification").filter(has_text="Penetration test").get_by_test_id(
        "mark-read").click()
    page.get_by_text("Marked as read.").wait_for()
    assert page.get_by_test_id("bell-count").count() == 0

    # The wheel, the list and the notifications in Danish, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_test_id("lang-da").click()
    page.goto("/wheel")
    expect(page.get_by_role("heading", name=f"Årshjul {today.year}")).to_be_visible()
    assert page.get_by_test_id("wheel").locator("circle.wh-dot").count() >= 2
    assert no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "wheel-da-390.png"), full_page=True)
    page.goto("/deadlines")
    assert "Test af beredskabsplanen" in page.get_by_test_id("deadlines").inner_text()
    assert "Overskredet" in page.get_by_test_id("deadlines").inner_text()
    page.goto("/notifications")
    assert "Penetrationstest" in page.get_by_test_id("notifications").inner_text()
    assert no_sideways_scroll(page)
