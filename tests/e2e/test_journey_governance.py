"""Journey: a coordinator takes an AI solution through the new-technology gate.

"Take into use" is refused with the missing steps; the risk assessment, the DPIA, the
presentation to top management (with minutes) and the approval are recorded; only then does
the technology go into use. Also checks the registers at phone width and in Danish.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.catalogue.sync import load_catalogues
from app.extensions import db
from app.governance import risks
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_ai_adoption_through_the_gate(fresh_app, page, tmp_path):
    fresh_app.config["KONTROL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    today = date.today()
    with fresh_app.app_context():
        load_catalogues(db.session, SYSTEM)
        coordinator = make_user(db.session, role="coordinator", name="Signe Holm")
        ids = {}
        for kind, title in (("ai", "Risk assessment: AI coding"), ("dpia", "DPIA: AI coding")):
            ids[kind] = risks.create_assessment(db.session, coordinator, risks.AssessmentDetails(
                title=title, kind=kind, owner_id=coordinator.id, assessed_on=today,
                topics=["gdpr", "new_technology"]), today=today).id
        email = coordinator.email
        db.session.remove()

    sign_in(page, email)
    page.get_by_role("link", name="Governance").click()
    page.get_by_role("link", name="New technology").click()
    page.get_by_role("link", name="Register new technology").first.click()
    page.get_by_label("Technology").fill("AI assistant for occupation coding")
    page.get_by_label("AI solution").check()
    page.get_by_label("Personal data will be processed").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_text("registered as a draft").wait_for()
    assert "Draft" in page.get_by_test_id("adoption-status").inner_text()

    page.get_by_role("button", name="Take into use").click()
    refusal = page.locator(".flash-error")
    refusal.wait_for()
    text = refusal.inner_text()
    for missing in ("a risk assessment", "a DPIA", "the presentation to top management",
                    "top management's approval"):
        assert missing in text

    step = page.get_by_test_id("step-risk")
    step.get_by_label("Risk assessment").select_option(str(ids["ai"]))
    step.get_by_role("button", name="Link").click()
    page.get_by_text("Step recorded. Status: Risk assessed.").wait_for()

    step = page.get_by_test_id("step-impact")
    step.get_by_label("Impact analysis (DPIA)").select_option(str(ids["ai"]))
    step.get_by_role("button", name="Record").click()
    assert "choose a DPIA" in page.get_by_test_id("step-impact").inner_text()
    step = page.get_by_test_id("step-impact")
    step.get_by_label("Impact analysis (DPIA)").select_option(str(ids["dpia"]))
    step.get_by_role("button", name="Record").click()
    page.get_by_text("Status: Impact analysed.").wait_for()

    step = page.get_by_test_id("step-presentation")
    step.get_by_label("Presented on").fill(today.isoformat())
    step.get_by_label("Minutes").set_input_files(files=[{
        "name": "minutes.txt", "mimeType": "text/plain",
        "buffer": b"Item 4: AI assistant presented to top management."}])
    step.get_by_role("button", name="Record").click()
    page.get_by_text("Status: Presented to top management.").wait_for()

    step = page.get_by_test_id("step-decision")
    step.get_by_label("Decision", exact=True).select_option("approved")
    step.get_by_label("Decided by").fill("Top management")
    step.get_by_role("button", name="Record").click()
    page.get_by_text("Status: Approved.").wait_for()

    page.get_by_role("button", name="Take into use").click()
    page.get_by_text("The technology is now in use.").wait_for()
    assert "In use" in page.get_by_test_id("adoption-status").inner_text()
    minutes = page.get_by_test_id("step-presentation").get_by_role("link", name="Minutes")
    minutes.click()
    expect(page.get_by_test_id("versions").get_by_text("minutes.txt")).to_be_visible()

    # The registers at phone width, and in Danish.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/governance/technology", "/governance/risks", "/governance/documents",
                "/governance/dispensations"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
    page.get_by_test_id("lang-da").click()
    page.goto("/governance/technology")
    expect(page.get_by_role("heading", name="Ny teknologi")).to_be_visible()
    assert "I brug" in page.get_by_test_id("adoption-list").inner_text()
