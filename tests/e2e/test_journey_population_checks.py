"""Journey: an auditor uploads a broken population file and is told the line at fault, then a
file with a repeated row and sees the warning, on a phone-width screen, in Danish too."""

import pytest
from playwright.sync_api import expect

from app.audits import service
from app.auth.actors import CLI
from app.catalogue.sync import load_catalogues
from app.extensions import db
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser

BROKEN = b'employee,last_day\nE1,2025-01-31\nE2,"2025-02-28\nE3,2025-03-31\n'
REPEATED = b"employee,last_day\nE1,2025-01-31\nE2,2025-02-28\nE1,2025-01-31\n"


def test_population_problems_are_explained(fresh_app, page):
    from datetime import date

    with fresh_app.app_context():
        load_catalogues(db.session, CLI)
        auditor = make_user(db.session, role="internal_auditor", name="Ida Winther")
        engagement = service.create_engagement(db.session, auditor, service.EngagementPlan(
            name="Leavers 2025", kind="internal", period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31), control_keys=["isae3000-gdpr:C.5"],
            team_ids=[auditor.id]))
        email, test_id = auditor.email, engagement.tests[0].id
        db.session.remove()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/audits/tests/{test_id}")

    def upload(name: str, body: bytes) -> None:
        page.get_by_label("CSV or XLSX file").set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": body}])
        page.get_by_role("button", name="Upload population").click()
        page.wait_for_load_state()

    upload("leavers.csv", BROKEN)
    refusal = page.get_by_text("Line 3: a quoted value is never closed, so every row after it "
                               "would run into one. Close the quote or remove it. (The row runs "
                               "from line 3 to line 4.) The file was not kept.")
    refusal.wait_for()
    expect(refusal).to_be_visible()

    upload("leavers-fixed.csv", REPEATED)
    warning = page.get_by_test_id("population-warning")
    warning.wait_for()
    assert "1 row repeats an earlier row exactly." in warning.inner_text()
    assert "line 4 repeats line 2" in warning.inner_text()
    box = warning.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # readable on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    lang = page.get_by_test_id("lang-da")
    if not lang.is_visible():  # on a phone the header may fold it into the menu
        page.locator("details.menu summary, .nav-toggle").first.click()
    lang.click()
    page.wait_for_load_state()
    page.goto(f"/audits/tests/{test_id}")
    warning = page.get_by_test_id("population-warning")
    assert "række 4 gentager række 2" in warning.inner_text()
    refusal = page.get_by_text("Linje 3: en værdi i anførselstegn bliver aldrig afsluttet")
    expect(refusal).to_be_visible()
