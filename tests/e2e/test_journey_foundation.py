"""Journey: sign in, see the dashboard, switch to Danish, sign out."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_sign_in_dashboard_danish_sign_out(fresh_app, page):
    with fresh_app.app_context():
        user = make_user(db.session, role="coordinator", name="Signe Holm")
        email = user.email
        db.session.remove()

    page.goto("/")
    assert "/login" in page.url
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong e-mail address or password.")).to_be_visible()

    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Welcome, Signe Holm")).to_be_visible()

    page.get_by_test_id("lang-da").click()
    page.get_by_role("heading", name="Velkommen, Signe Holm").wait_for()
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_test_id("logout").inner_text() == "Log ud"

    page.get_by_test_id("logout").click()
    page.get_by_text("Du er logget ud.").wait_for()
    assert "/login" in page.url
    page.goto("/")
    assert "/login" in page.url
