"""Engagements: planning and scope, who sees what, status and issuing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.audits import conclusions, service
from app.audits.models import Engagement
from app.errors import Conflict, Invalid, NotFound
from tests.audits.conftest import find_test
from tests.factories import make_user


def test_creating_an_engagement_proposes_a_test_per_activity(db_session, engagement):
    codes = sorted(t.control.code for t in engagement.tests)
    assert len(codes) == 42  # 45 activities less G.1-G.3, declared not relevant
    assert not any(code.startswith("G.") for code in codes)
    b9 = find_test(engagement, "isae3000-gdpr:B.9")
    assert b9.frequency == "daily" and b9.planned_size == 30
    assert b9.procedure.startswith("Inspect the logging procedure")
    assert b9.test_performed_en.startswith("Inspected the logging procedure")
    assert b9.test_performed_da.startswith("Gennemgået proceduren for logning")
    assert engagement.exclusions[0].reason_en == "Nothing is transferred to third countries."
    assert engagement.firm.name.startswith("Revision & Partnere")
    assert engagement.partner.name == "Lene Partner"


def test_engagement_form_in_the_browser_flow(client, login_as, db_session, loaded_catalogue):
    login_as("internal_auditor")
    response = client.post("/audits/new", data={
        "name": "ISO 27001 internal audit Q1", "kind": "iso27001_internal",
        "period_start": "2026-01-01", "period_end": "2026-03-31",
        "controls": "iso27001-2022:A.5.15, iso27001-2022:A.8.15"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A.5.15" in page and "A.8.15" in page and "Planning" in page


@pytest.mark.parametrize("field,data,message", [
    ("period_end", {"period_start": "2025-12-31", "period_end": "2025-01-01"},
     "The period ends before it starts."),
    ("catalogues", {"period_start": "2025-01-01", "period_end": "2025-12-31"},
     "Choose at least one catalogue or control"),
    ("controls", {"period_start": "2025-01-01", "period_end": "2025-12-31",
                  "controls": "iso27001-2022:A.99.1"}, "Unknown control: iso27001-2022:A.99.1"),
])
def test_bad_plans_are_explained_and_nothing_is_created(client, login_as, db_session,
                                                        loaded_catalogue, field, data, message):
    login_as("internal_auditor")
    response = client.post("/audits/new", data={"name": "X", "kind": "internal", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(Engagement.id)) is None


def test_type1_speaks_for_a_date(db_session, loaded_catalogue, people):
    engagement = service.create_engagement(db_session, people["auditor"], service.EngagementPlan(
        name="Type 1", kind="isae3000_type1", period_start=date(2025, 1, 1),
        period_end=date(2025, 9, 30), catalogues=["isae3000-gdpr"], firm_id=people["firm"].id,
        partner_id=people["external"].id))
    assert engagement.period_start is None and engagement.covers_from == date(2025, 9, 30)


@pytest.mark.parametrize("changes,field,message", [
    ({"firm_id": None}, "firm_id", "Choose the audit firm"),
    ({"partner_id": None}, "partner_id", "Choose the engagement partner"),
    ({"partner_id": "senior"}, "partner_id", "with an MNE number"),
    ({"external_ids": ["stranger"]}, "externals", "Only auditors of Revision & Partnere"),
    ({"kind": "internal"}, "firm_id", "Only ISAE 3000 engagements have an audit firm"),
])
def test_isae_engagements_belong_to_a_firm_with_a_partner(db_session, loaded_catalogue, people,
                                                          changes, field, message):
    values = {"firm_id": people["firm"].id, "partner_id": people["external"].id,
              "external_ids": [people["senior"].id]}
    for key, value in changes.items():
        values[key] = ([people[v].id for v in value] if isinstance(value, list)
                       else people[value].id if isinstance(value, str) and key != "kind"
                       else value)
    kind = changes.get("kind", "isae3000_type2")
    values.pop("kind", None)
    with pytest.raises(Invalid) as caught:
        service.create_engagement(db_session, people["auditor"], service.EngagementPlan(
            name="X", kind=kind, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
            catalogues=["isae3000-gdpr"], **values))
    assert caught.value.field == field and message in caught.value.message


def test_external_auditors_see_exactly_their_firms_engagements_they_are_on(
        client, db_session, engagement, people):
    internal = service.create_engagement(db_session, people["auditor"], service.EngagementPlan(
        name="Internal only", kind="internal", period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30), control_keys=["iso27001-2022:A.5.1"]))
    without = service.create_engagement(db_session, people["auditor"], service.EngagementPlan(
        name="Same firm, other team", kind="isae3000_type2", period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31), control_keys=["isae3000-gdpr:A.1"],
        firm_id=people["firm"].id, partner_id=people["external"].id))
    for who, visible in (("senior", {"ISAE 3000 GDPR 2025"}),
                         ("external", {"ISAE 3000 GDPR 2025", "Same firm, other team"}),
                         ("colleague", set()), ("stranger", set())):
        assert {e.name for e in service.list_engagements(db_session, people[who])} == visible
    client.post("/login", data={"email": people["senior"].email,
                                "password": "correct horse battery"})
    listing = client.get("/audits/").get_data(as_text=True)
    assert "ISAE 3000 GDPR 2025" in listing and "Internal only" not in listing
    assert client.get(f"/audits/{engagement.id}").status_code == 200
    assert client.get(f"/audits/{internal.id}").status_code == 404
    assert client.get(f"/audits/{without.id}").status_code == 404
    test = find_test(engagement, "isae3000-gdpr:B.9")
    assert client.get(f"/audits/tests/{test.id}").status_code == 200
    # They may comment.
    client.post(f"/audits/{engagement.id}/comments", data={"body": "Please add the Q4 log."})
    assert "Please add the Q4 log." in client.get(f"/audits/{engagement.id}").get_data(
        as_text=True)


def test_an_auditor_taken_out_of_the_firm_sees_nothing_more(db_session, engagement, people):
    from app.firms import service as firms
    from tests.factories import SYSTEM

    member = next(m for m in people["firm"].members if m.user_id == people["senior"].id)
    firms.remove_member(db_session, SYSTEM, member)
    with pytest.raises(NotFound):
        service.get_engagement(db_session, people["senior"], engagement.id)
    assert service.list_engagements(db_session, people["senior"]) == []


def test_external_auditor_of_another_firm_sees_nothing(db_session, engagement, people):
    with pytest.raises(NotFound):
        service.get_engagement(db_session, people["stranger"], engagement.id)
    assert service.list_engagements(db_session, people["stranger"]) == []


@pytest.mark.parametrize("role,view,create", [
    ("admin", 200, 200), ("internal_auditor", 200, 200), ("coordinator", 200, 403),
    ("viewer", 200, 403), ("control_owner", 403, 403), ("external_auditor", 200, 403)])
def test_audit_pages_per_role(client, login_as, role, view, create):
    login_as(role)
    assert client.get("/audits/").status_code == view
    assert client.get("/audits/new").status_code == create


def test_an_internal_engagement_issues_when_every_test_is_concluded_then_freezes(
        db_session, loaded_catalogue, people):
    auditor = people["auditor"]
    engagement = service.create_engagement(db_session, auditor, service.EngagementPlan(
        name="Internal supervision", kind="internal", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), control_keys=["isae3000-gdpr:A.1", "isae3000-gdpr:A.2"]))
    with pytest.raises(Invalid) as caught:
        service.set_engagement_status(db_session, auditor, engagement, "issued",
                                      engagement.version)
    assert "2 test(s) are not concluded" in caught.value.message
    for test in engagement.tests:
        conclusions.conclude_test(db_session, auditor, test, judgement=None,
                                  version=test.version)
    service.set_engagement_status(db_session, auditor, engagement, "issued", engagement.version)
    assert engagement.is_issued and engagement.issued_at is not None
    test = engagement.tests[0]
    with pytest.raises(Conflict):
        conclusions.reopen_test(db_session, auditor, test, "late evidence", test.version)


def test_an_isae_engagement_is_not_issued_through_its_status(db_session, engagement, people):
    with pytest.raises(Invalid) as caught:
        service.set_engagement_status(db_session, people["senior"], engagement, "issued",
                                      engagement.version)
    assert "report page" in caught.value.message and not engagement.is_issued


def test_going_back_from_review_needs_a_reason_in_the_ledger(db_session, engagement, people):
    from app.ledger.models import LedgerEntry

    senior = people["senior"]
    service.set_engagement_status(db_session, senior, engagement, "review", engagement.version)
    with pytest.raises(Invalid) as caught:
        service.set_engagement_status(db_session, senior, engagement, "fieldwork",
                                      engagement.version)
    assert caught.value.field == "reason" and engagement.status == "review"
    service.set_engagement_status(db_session, senior, engagement, "fieldwork",
                                  engagement.version, "Management sent the Q4 leaver list.")
    entry = db_session.scalars(select(LedgerEntry).where(
        LedgerEntry.action == "engagement.status").order_by(LedgerEntry.seq.desc())).first()
    assert "Management sent the Q4 leaver list." in entry.changes


def test_engagement_page_query_count_is_constant(client, login_as, db_session, loaded_catalogue,
                                                 count_queries):
    auditor = login_as("internal_auditor")
    small = service.create_engagement(db_session, auditor, service.EngagementPlan(
        name="Small", kind="internal", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), control_keys=["isae3000-gdpr:A.1"]))
    large = service.create_engagement(db_session, auditor, service.EngagementPlan(
        name="Large", kind="internal", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), catalogues=["isae3000-gdpr", "iso27001-2022"],
        team_ids=[auditor.id, make_user(db_session, "internal_auditor").id]))
    client.get("/")  # the signed-in user is loaded once per session; not what we count
    with count_queries() as few:
        client.get(f"/audits/{small.id}")
    with count_queries() as many:
        client.get(f"/audits/{large.id}")
    assert len(many) == len(few)


def test_api_lists_engagements_and_tests(client, db_session, engagement, people):
    from app.auth import service as accounts

    _row, token = accounts.create_token(db_session, people["external"], people["external"], "x")
    headers = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/v1/engagements", headers=headers).json
    assert [e["name"] for e in listing] == ["ISAE 3000 GDPR 2025"]
    assert listing[0]["tests"] == 42 and listing[0]["concluded"] == 0
    tests = client.get(f"/api/v1/engagements/{engagement.id}/tests", headers=headers).json
    assert {t["control"] for t in tests["tests"]} >= {"isae3000-gdpr:A.1", "isae3000-gdpr:I.4"}
    plan = client.get("/api/v1/sampling/plan?risk=0.05&tolerable=0.05&expected=0.01",
                      headers=headers).json
    assert (plan["sample_size"], plan["tolerable_deviations"]) == (93, 1)
    bad = client.get("/api/v1/sampling/plan?risk=0.2&tolerable=0.05", headers=headers)
    assert bad.status_code == 422 and "risk" in bad.json["detail"]
