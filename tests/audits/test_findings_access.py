"""External auditors read the findings of their engagements, and nothing else: from the test
page, from their menu and the engagement page, with the evidence that closed them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.audits import access, deviations, service
from app.evidence.service import EvidenceDetails, add_note_evidence
from tests.audits.conftest import find_test
from tests.factories import SYSTEM, TEST_PASSWORD, make_firm, make_user

LEAVERS = "isae3000-gdpr:C.5"


def _sign_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def findings(db_session, people, engagement):
    """A finding from the engagement's C.5 test, one raised on its own, and one from an
    engagement of another firm."""
    ours = deviations.raise_deviation(
        db_session, people["senior"], None, "Laptop returned late",
        "One laptop came back three weeks late.", "minor", None, None,
        test=find_test(engagement, LEAVERS))
    standalone = deviations.raise_deviation(
        db_session, make_user(db_session, role="coordinator"),
        find_test(engagement, LEAVERS).control, "Standalone finding", "Not from an audit.",
        "observation", None, None)
    elsewhere = make_user(db_session, role="external_auditor")
    firm = make_firm(db_session, elsewhere)
    theirs_engagement = service.create_engagement(db_session, people["auditor"],
                                                  service.EngagementPlan(
        name="Audit of another firm", kind="isae3000_type2", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), control_keys=[LEAVERS], firm_id=firm.id,
        partner_id=elsewhere.id))
    theirs = deviations.raise_deviation(
        db_session, elsewhere, None, "Finding of another firm", "Not yours.", "minor", None, None,
        test=theirs_engagement.tests[0])
    return {"ours": ours, "standalone": standalone, "theirs": theirs,
            "other_engagement": theirs_engagement}


def test_the_rule_is_decided_in_access(people, findings):
    senior, stranger = people["senior"], people["stranger"]
    assert access.can_view_finding(senior, findings["ours"])
    assert not access.can_view_finding(senior, findings["standalone"])
    assert not access.can_view_finding(senior, findings["theirs"])
    assert not access.can_view_finding(stranger, findings["ours"])
    assert deviations.can_view_deviation is access.can_view_finding


def test_the_test_pages_finding_link_opens_the_finding(client, people, engagement, findings):
    _sign_in(client, people["senior"])
    test_page = client.get(f"/audits/tests/{find_test(engagement, LEAVERS).id}")
    link = f'href="/deviations/{findings["ours"].id}"'
    assert link in test_page.get_data(as_text=True)
    finding = client.get(f"/deviations/{findings['ours'].id}")
    assert finding.status_code == 200
    assert "Laptop returned late" in finding.get_data(as_text=True)
    for other in ("standalone", "theirs"):
        assert client.get(f"/deviations/{findings[other].id}").status_code == 403


def test_their_menu_and_engagement_lead_to_their_findings_only(client, people, engagement,
                                                               findings):
    _sign_in(client, people["senior"])
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<nav class="mainnav".*href="/deviations/".*</nav>', home, re.S)
    listed = client.get("/deviations/").get_data(as_text=True)
    assert "Laptop returned late" in listed
    assert "Standalone finding" not in listed and "Finding of another firm" not in listed
    assert "Audit of another firm" not in listed  # the engagement filter offers only theirs
    assert f'<option value="{engagement.id}"' in listed
    page = client.get(f"/audits/{engagement.id}").get_data(as_text=True)
    assert f'href="/deviations/?engagement={engagement.id}"' in page
    assert f'href="/audits/{engagement.id}/pbc"' in page
    filtered = client.get(f"/deviations/?engagement={findings['other_engagement'].id}")
    assert "Finding of another firm" not in filtered.get_data(as_text=True)


def test_the_evidence_that_closed_their_finding_is_readable(client, db_session, people,
                                                            engagement, findings):
    finding = findings["ours"]
    # Remediated after the period: outside the auditor's period, but it closed their finding.
    proof = add_note_evidence(db_session, SYSTEM, EvidenceDetails(
        title="Laptop return procedure 2026", controls=[LEAVERS],
        period_start=date(2026, 2, 1), description="HR and IT now collect laptops."))
    unrelated = add_note_evidence(db_session, SYSTEM, EvidenceDetails(
        title="Unrelated 2026 note", controls=[LEAVERS], period_start=date(2026, 2, 1),
        description="Not part of the engagement."))
    deviations.close_deviation(db_session, people["auditor"], finding, proof.id, None,
                               finding.version)
    _sign_in(client, people["senior"])
    page = client.get(f"/deviations/{finding.id}").get_data(as_text=True)
    assert f'href="/evidence/{proof.id}"' in page
    assert client.get(f"/evidence/{proof.id}").status_code == 200
    assert client.get(f"/evidence/{unrelated.id}").status_code == 404
    _sign_in(client, people["stranger"])
    assert client.get(f"/evidence/{proof.id}").status_code == 404
