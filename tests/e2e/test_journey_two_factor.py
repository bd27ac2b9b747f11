"""Journey: set up two-factor sign-in on a phone-sized screen, sign out, sign in with a code,
then with a recovery code; an old copy of the session cookie no longer works."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.e2e.daily import sign_in, sign_out
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_two_factor_enrolment_and_sign_in(fresh_app, page, browser, live_server):
    with fresh_app.app_context():
        email = make_user(db.session, role="coordinator", name="Signe Holm").email
        db.session.remove()
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, email, wait=False)
    page.wait_for_url("**/")
    stolen = [c for c in page.context.cookies() if c["name"] == "session"]
    page.goto("/account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code does not match.")).to_be_visible()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved the codes").click()
    assert "Recovery codes left: 10 of 10" in page.get_by_test_id("two-factor-state").inner_text()

    sign_out(page)
    page.get_by_text("You are signed out.").wait_for()

    # The session cookie copied before signing out opens nothing.
    thief = browser.new_context(base_url=live_server)
    thief.add_cookies(stolen)
    thief_page = thief.new_page()
    thief_page.goto("/")
    assert "/login" in thief_page.url
    thief.close()

    sign_in(page, email, wait=False)
    page.wait_for_url("**/login/code")
    totp = pyotp.TOTP(secret)
    if time.time() % 30 > 27:
        time.sleep(3.5)  # not at a step's edge: the code below must still be the next one
    # Enrolment used this step's code, and each code counts once: the app's next code is fine.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Welcome, Signe Holm")).to_be_visible()

    page.get_by_test_id("lang-da").click()
    page.get_by_role("heading", name="Velkommen, Signe Holm").wait_for()
    sign_out(page)
    page.get_by_text("Du er logget ud.").wait_for()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/login/code")
    expect(page.get_by_role("heading", name="Totrinslogin")).to_be_visible()
    page.get_by_label("Kode").fill(codes[0])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")
    page.goto("/account")
    assert "9 af 10" in page.get_by_test_id("two-factor-state").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the account page is {width}px wide on a 390px screen"
