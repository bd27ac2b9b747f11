"""Journey: an internal auditor plans an internal audit, samples a population, records a
deviation, concludes, raises a finding, and downloads the internal audit report (which never
calls itself independent)."""

import pytest

from app.auth.actors import CLI
from app.catalogue.sync import load_catalogues
from app.extensions import db
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_engagement_to_finding(fresh_app, page):
    with fresh_app.app_context():
        load_catalogues(db.session, CLI)
        auditor = make_user(db.session, role="internal_auditor", name="Ida Winther")
        make_user(db.session, role="control_owner", name="Mads Krogh")
        email = auditor.email
        db.session.remove()

    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Audits").click()
    page.get_by_role("link", name="New engagement").click()
    page.get_by_label("Name", exact=True).fill("Internal supervision 2025")
    page.get_by_label("Kind").select_option("internal")
    page.get_by_label("First day of the period").fill("2025-01-01")
    page.get_by_label("Last day of the period, or the date (type 1)").fill("2025-12-31")
    page.get_by_label("ISAE 3000 GDPR assurance (data processor)").check()
    page.get_by_role("button", name="Create engagement").click()
    page.get_by_text("Engagement created").wait_for()

    page.get_by_role("link", name="Revoking rights and returning assets on leaving").click()
    page.get_by_label("Items, one per line").fill(
        "\n".join(f"Leaver E{n:03d}" for n in range(1, 21)))
    page.get_by_role("button", name="Use this list").click()
    page.get_by_text("20 items").wait_for()
    page.get_by_label("Sample size", exact=True).fill("4")
    page.get_by_role("button", name="Draw sample").click()
    page.get_by_text("Sample drawn: 4 items.").wait_for()
    rows = page.locator("form.item-form")
    assert rows.count() == 4

    for index in range(4):
        form = page.locator("form.item-form").nth(index)
        if index == 1:
            form.get_by_label("Result").select_option("deviation")
            form.get_by_label("Note").fill("Access removed 9 days late")
        else:
            form.get_by_label("Result").select_option("no_deviation")
        form.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
    assert "1 deviations" in page.content() or "1 deviation" in page.content()

    page.get_by_role("radio", name="not material").check()
    page.get_by_label("Why the deviations are not material").fill(
        "The account was disabled in the HR system on the last day; only the directory lagged.")
    page.get_by_label("Deviations found (English)").fill(
        "For one leaver, access was removed 9 days late.")
    page.get_by_label("Management's comment (English)").fill("The HR system now notifies IT.")
    page.get_by_role("button", name="Conclude").click()
    page.get_by_text("Test concluded.").wait_for()
    assert page.get_by_text("Deviations, not material").first.is_visible()

    page.get_by_role("link", name="Raise a finding").click()
    page.get_by_label("Title").fill("Leavers' access removed late")
    page.get_by_label("Description").fill("1 of 4 sampled leavers kept access 9 days.")
    page.get_by_label("Severity").select_option("minor")
    page.get_by_label("Remediation owner").select_option(label="Mads Krogh")
    page.get_by_role("button", name="Raise the finding").click()
    page.get_by_role("heading", name="Leavers' access removed late").wait_for()

    page.goto("/audits/")
    page.get_by_role("link", name="Internal supervision 2025").click()
    assert page.get_by_text("Independent auditor's report").count() == 0
    page.locator("details.menu summary").click()
    assert page.get_by_test_id("isae-en").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="English (PDF)").click()
    assert download.value.suggested_filename.startswith("internal-audit-")
