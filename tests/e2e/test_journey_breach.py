"""Journey: a control owner reports an incident; the coordinator qualifies it as a breach and
watches its 72-hour countdown on the incident and the dashboard, refreshed by the page itself,
in English and Danish and at phone width."""

from datetime import timedelta

import pytest

from app.db import utcnow
from app.extensions import db
from app.incidents.display import local_input
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_record_a_breach_and_watch_its_countdown(fresh_app, page):
    fresh_app.config["KONTROL_CLOCK_REFRESH_SECONDS"] = 5
    with fresh_app.app_context():
        coordinator = make_user(db.session, role="coordinator", name="Signe Holm")
        owner = make_user(db.session, role="control_owner", name="Mads Krogh")
        emails = coordinator.email, owner.email
        noticed = local_input(utcnow() - timedelta(hours=3))
        aware = local_input(utcnow() - timedelta(hours=2))
        late = local_input(utcnow() + timedelta(hours=80))
        db.session.remove()

    sign_in(page, emails[1])
    page.get_by_role("link", name="Incidents").click()
    page.get_by_role("link", name="Report an incident").first.click()
    page.get_by_label("What happened?").fill("Survey answers shown to the wrong respondent")
    page.get_by_label("Details").fill("A respondent saw someone else's saved answers.")
    page.get_by_label("When was it noticed?").fill(f"{noticed:%Y-%m-%dT%H:%M}")
    page.get_by_label("Are personal data involved?").select_option(label="Yes")
    page.get_by_role("button", name="Report", exact=True).click()
    page.get_by_text("Incident reported.").wait_for()
    url = page.url
    page.get_by_test_id("logout").click()

    sign_in(page, emails[0])
    page.goto(url)
    page.get_by_role("link", name="Qualify").click()
    page.get_by_label("Personal-data breach?").select_option(label="Yes")
    page.get_by_label("Became aware at").fill(f"{aware:%Y-%m-%dT%H:%M}")
    page.get_by_label("Why", exact=True).fill("Answers identify the respondent.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Incident saved.").wait_for()
    countdown = page.get_by_test_id("clocks").get_by_test_id("countdown")
    assert "Datatilsynet" in countdown.inner_text()
    assert "h" in countdown.inner_text() and "left" in countdown.inner_text()
    assert countdown.get_attribute("data-state") == "running"
    # The page refreshes the countdown from the server, without inline script.
    with page.expect_response(lambda r: r.url.endswith("/clocks") and r.status == 200):
        pass
    assert "left" in page.get_by_test_id("clocks").get_by_test_id("countdown").inner_text()

    # A submission cannot be dated in the future; the error stays at the field.
    page.get_by_label("Sent at").fill(f"{late:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Record the submission").click()
    page.get_by_text("This time lies in the future.").wait_for()

    page.goto("/")
    tile = page.get_by_test_id("incidents-dashboard")
    assert "Survey answers shown to the wrong respondent" in tile.inner_text()
    assert tile.get_by_test_id("countdown").get_attribute("data-state") == "running"
    with page.expect_response(lambda r: r.url.endswith("/incidents/clocks")):
        pass

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the incident page scrolls sideways at 390 px ({width} px)"
    page.get_by_test_id("lang-da").click()
    assert "tilbage" in page.get_by_test_id("clocks").get_by_test_id("countdown").inner_text()
