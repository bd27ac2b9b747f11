"""Journey: an internal auditor plans an internal audit, samples a population, records the
whole sample's results on one page (a deviation saved row by row, evidence on an item, the rest
marked), concludes, raises a finding, and downloads the internal audit report (which never
calls itself independent) — at desktop and phone sizes."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.auth.actors import CLI
from app.catalogue.models import Control
from app.catalogue.service import assign_owner
from app.catalogue.sync import load_catalogues
from app.evidence.service import EvidenceDetails, add_note_evidence
from app.extensions import db
from tests.e2e.conftest import JOURNEY_SIZES, VIEWPORTS
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser
LEAVERS = "isae3000-gdpr:C.5"


def _seed(app) -> str:
    """The catalogue, the auditor, Mads owning the leavers' control, and a leaver ticket."""
    with app.app_context():
        load_catalogues(db.session, CLI)
        auditor = make_user(db.session, role="internal_auditor", name="Ida Winther")
        owner = make_user(db.session, role="control_owner", name="Mads Krogh")
        control = db.session.query(Control).filter_by(key=LEAVERS).one()
        assign_owner(db.session, CLI, control, owner.id, control.version)
        add_note_evidence(db.session, CLI, EvidenceDetails(
            title="Leaver ticket 2025-0412", controls=[LEAVERS], period_start=date(2025, 4, 12),
            description="The account of leaver E004 was closed on the last day."))
        email = auditor.email
        db.session.remove()
    return email


@pytest.mark.parametrize("viewport", JOURNEY_SIZES)
def test_engagement_to_finding(fresh_app, page, step, viewport):
    email = _seed(fresh_app)

    with step("sign in"):
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")

    with step("plan the engagement"):
        page.goto("/audits/")
        page.get_by_role("link", name="New engagement").click()
        page.get_by_label("Name", exact=True).fill("Internal supervision 2025")
        page.get_by_label("Kind").select_option("internal")
        page.get_by_label("First day of the period").fill("2025-01-01")
        page.get_by_label("Last day of the period, or the date (type 1)").fill("2025-12-31")
        page.get_by_label("ISAE 3000 GDPR assurance (data processor)").check()
        page.get_by_role("button", name="Create engagement").click()
        page.get_by_text("Engagement created").wait_for()

    with step("enter the population"):
        page.get_by_role("link", name="Revoking rights and returning assets on leaving").click()
        page.get_by_label("Items, one per line").fill(
            "\n".join(f"Leaver E{n:03d}" for n in range(1, 21)))
        page.get_by_role("button", name="Use this list").click()
        page.get_by_text("Population recorded.").wait_for()
        page.get_by_text("20 items").wait_for()

    with step("draw the sample"):
        page.get_by_label("Sample size", exact=True).fill("4")
        page.get_by_role("button", name="Draw sample").click()
        page.get_by_text("Sample drawn: 4 items.").wait_for()

    with step("record a deviation on its row, without a reload"):
        page.get_by_test_id("record-results").click()
        rows = page.locator("tr[data-item]")
        expect(rows).to_have_count(4)
        second = rows.nth(1)
        second.get_by_label("Result of item").select_option("deviation")
        second.get_by_label("Note on item").fill("Access removed 9 days late")
        second.get_by_label("Note on item").press("Enter")  # saves the row, stays on the page
        second.locator("[data-row-status]").get_by_text("saved: Deviation.").wait_for()
        assert "1 of 4 items recorded, 1 with a deviation." in page.get_by_test_id(
            "results-progress").inner_text()

    with step("attach evidence to an item and mark the rest"):
        first = rows.nth(0)
        first.get_by_label("Evidence for item").select_option(label="#1 Leaver ticket 2025-0412")
        first.get_by_label("Result of item").select_option("no_deviation")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("mark-rest").click()
        page.get_by_text("1 result saved.").wait_for()
        assert "2 items not yet tested were recorded as no deviation." in page.locator(
            ".flashes").inner_text()
        assert "4 of 4 items recorded, 1 with a deviation." in page.get_by_test_id(
            "results-progress").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport][
            "width"]

    with step("conclude the test"):
        page.get_by_role("link", name="Back to the test to conclude").click()
        expect(page.get_by_role("link", name="#1 Leaver ticket 2025-0412")).to_be_visible()
        page.get_by_role("radio", name="not material").check()
        page.get_by_label("Why the deviations are not material").fill(
            "The account was disabled in the HR system on the last day; only the directory "
            "lagged.")
        page.get_by_label("Deviations found (English)").fill(
            "For one leaver, access was removed 9 days late.")
        page.get_by_label("Management's comment (English)").fill(
            "The HR system now notifies IT.")
        page.get_by_role("button", name="Conclude").click()
        page.get_by_text("Test concluded.").wait_for()
        expect(page.get_by_text("Deviations, not material").first).to_be_visible()
        assert page.get_by_test_id("record-results").count() == 0  # the fieldwork is locked

    with step("raise the finding"):
        page.get_by_role("link", name="Raise a finding").click()
        page.get_by_label("Title").fill("Leavers' access removed late")
        page.get_by_label("Description").fill("1 of 4 sampled leavers kept access 9 days.")
        page.get_by_label("Severity").select_option("minor")
        page.get_by_label("Remediation owner").select_option(label="Mads Krogh")
        page.get_by_role("button", name="Raise the finding").click()
        page.get_by_role("heading", name="Leavers' access removed late").wait_for()

    with step("download the internal audit report"):
        page.goto("/audits/")
        page.get_by_role("link", name="Internal supervision 2025").click()
        assert page.get_by_text("Independent auditor's report").count() == 0
        page.locator("details.menu summary").click()
        assert page.get_by_test_id("isae-en").count() == 0
        with page.expect_download() as download:
            page.get_by_role("link", name="English (PDF)").click()
        assert download.value.suggested_filename.startswith("internal-audit-")

    with step("nothing scrolls sideways"):
        page.wait_for_load_state()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], width
