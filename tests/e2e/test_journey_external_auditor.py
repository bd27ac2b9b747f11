"""Journey: the audit firm's senior auditor performs and concludes a test of their ISAE 3000
engagement; the engagement partner reviews it, signs the auditor's report and issues it; the
issued PDF is the one downloaded afterwards. Internal audit sees no way to sign."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from app.audits import conclusions, service
from app.auth.actors import CLI
from app.catalogue.sync import load_catalogues
from app.extensions import db
from app.firms import service as firms
from app.reports import service as reports
from app.reports import signing
from tests.e2e.daily import sign_in, sign_out
from tests.factories import make_user
from tests.reports.conftest import PROFILE

pytestmark = pytest.mark.browser
LEAVERS = "isae3000-gdpr:C.5"


def _seed(app) -> dict:
    """A firm, its partner and senior auditor, an internal auditor, and an ISAE engagement
    whose every test but C.5 is concluded and reviewed; management has signed."""
    with app.app_context():
        session = db.session
        load_catalogues(session, CLI)
        reports.update_profile(session, CLI, PROFILE, 0)
        people = {"partner": make_user(session, "external_auditor", name="Lene Partner"),
                  "senior": make_user(session, "external_auditor", name="Peter Senior"),
                  "stranger": make_user(session, "external_auditor", name="Other Firm"),
                  "internal": make_user(session, "internal_auditor", name="Ida Winther"),
                  "coordinator": make_user(session, "coordinator", name="Signe Holm")}
        firm = firms.save_firm(session, CLI, None, firms.FirmDetails(
            "Revision & Partnere, Statsautoriseret Revisionspartnerselskab", "39874512",
            "Havnegade 12, 8000 Aarhus C", "Aarhus"))
        firms.add_member(session, CLI, firm, people["partner"].id, "mne45871")
        firms.add_member(session, CLI, firm, people["senior"].id, None)
        engagement = service.create_engagement(session, people["internal"],
                                               service.EngagementPlan(
            name="ISAE 3000 GDPR 2025", kind="isae3000_type2", period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31), catalogues=["isae3000-gdpr"],
            excluded_groups={"isae3000-gdpr:G": "Nothing goes to third countries."},
            team_ids=[people["internal"].id], firm_id=firm.id,
            partner_id=people["partner"].id, external_ids=[people["senior"].id]))
        signing.save_exclusion_reason(session, people["senior"], engagement,
                                      engagement.exclusions[0].id,
                                      "Nothing goes to third countries.",
                                      "Intet overføres til tredjelande.")
        for test in engagement.tests:
            if test.control.key != LEAVERS:
                conclusions.conclude_test(session, people["senior"], test, judgement=None,
                                          version=test.version)
                conclusions.review_test(session, people["partner"], test, test.version)
        signing.sign_statement(session, people["coordinator"], engagement,
                               signing.StatementSignature(
                                   "Åse Østergaard", "Chief Executive Officer",
                                   "administrerende direktør", "Vejle", date.today()),
                               date.today())
        found = {role: user.email for role, user in people.items()}
        found["engagement"] = engagement.id
        db.session.remove()
    return found


def test_external_auditor_performs_concludes_and_the_partner_signs_and_issues(fresh_app, page):
    seeded = _seed(fresh_app)

    # The firm's senior auditor sees exactly this engagement and performs the leaver test.
    sign_in(page, seeded["senior"])
    page.get_by_role("link", name="Audits").click()
    assert page.locator("table a strong").all_inner_texts() == ["ISAE 3000 GDPR 2025"]
    page.get_by_role("link", name="ISAE 3000 GDPR 2025").click()
    page.get_by_role("link", name="Revoking rights and returning assets on leaving").click()
    page.get_by_label("Items, one per line").fill(
        "\n".join(f"Leaver E{n:03d}" for n in range(1, 32)))
    page.get_by_role("button", name="Use this list").click()
    page.get_by_text("31 items").wait_for()
    # Event-driven: 31 leavers are sized as the nearest frequency row, not a flat 25-60.
    assert "31 occurrences in the period" in page.get_by_test_id("sizing").inner_text()
    page.get_by_role("button", name="Draw sample").click()
    page.get_by_text("Sample drawn: 6 items.").wait_for()
    page.get_by_test_id("record-results").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("mark-rest").click()
    page.get_by_text("6 items not yet tested were recorded as no deviation.").wait_for()
    page.get_by_role("link", name="Back to the test to conclude").click()
    page.get_by_role("button", name="Conclude").click()
    page.get_by_text("Test concluded.").wait_for()
    assert "Peter Senior" in page.get_by_test_id("signoffs").inner_text()
    # The preparer is not offered the review; the fieldwork is locked.
    assert page.get_by_role("button", name="Sign off as reviewer").count() == 0
    assert page.get_by_role("button", name="Draw sample").count() == 0
    sign_out(page)

    # Internal audit may look, but has no way to sign the auditor's report.
    sign_in(page, seeded["internal"])
    page.goto(f"/reports/engagements/{seeded['engagement']}")
    assert page.get_by_role("button", name="Sign the auditor's report").count() == 0
    sign_out(page)

    # The partner reviews, moves the engagement to review, signs and issues.
    sign_in(page, seeded["partner"])
    page.goto("/audits/")
    page.get_by_role("link", name="ISAE 3000 GDPR 2025").click()
    page.get_by_role("link", name="Revoking rights and returning assets on leaving").click()
    page.get_by_role("button", name="Sign off as reviewer").click()
    page.get_by_text("Review signed off.").wait_for()
    assert "Lene Partner" in page.get_by_test_id("signoffs").inner_text()
    page.get_by_role("link", name="ISAE 3000 GDPR 2025").click()
    page.get_by_role("button", name="Review").click()
    page.get_by_text("The engagement is now in review.").wait_for()
    page.get_by_test_id("report-page").click()
    missing = page.get_by_test_id("missing").inner_text()
    assert "not signed by the engagement partner" in missing
    page.get_by_role("button", name="Sign the auditor's report").click()
    page.get_by_text("The auditor's report is signed.").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Issue the report").click()
    page.get_by_text("The report is issued").wait_for()
    sha = page.get_by_test_id("sha-da").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("pdf-da").click()
    with open(download.value.path(), "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == sha
    sign_out(page)

    # An auditor of another firm sees none of it.
    sign_in(page, seeded["stranger"])
    page.goto("/audits/")
    assert page.locator("table a strong").count() == 0
    assert page.goto(f"/audits/{seeded['engagement']}").status == 404
