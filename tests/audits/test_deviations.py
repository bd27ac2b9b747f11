"""Findings: raising, management's response, closing with evidence, who may do what, the list
and its filters, and the sections on the control page and the dashboard."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audits import deviations as service
from app.audits.models import ControlTest, Deviation, Engagement
from app.catalogue.models import Control
from app.errors import Conflict, Forbidden, Invalid
from app.evidence.service import EvidenceDetails, add_note_evidence
from app.ledger.models import LedgerEntry
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

KEY = "iso27001-2022:A.5.15"
LATER = date.today() + timedelta(days=60)
ROLES = ["admin", "coordinator", "control_owner", "internal_auditor", "external_auditor",
         "viewer"]


def _control(session, key: str = KEY) -> Control:
    return session.scalar(select(Control).where(Control.key == key))


def _raise(session, actor, control, **fields) -> Deviation:
    values = {"title": "Leavers kept access", "description": "3 of 25 leavers kept VPN access.",
              "severity": "minor", "owner_id": None, "due_on": LATER}
    values.update(fields)
    return service.raise_deviation(session, actor, control, **values)


def _evidence(session, control):
    return add_note_evidence(session, SYSTEM, EvidenceDetails(
        title="Access review after fix", controls=[control.key],
        period_start=date.today(), description="All leavers removed; script now runs daily."))


def _actions(session, deviation) -> list[str]:
    return list(session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.entity_type == "deviation", LedgerEntry.entity_id == str(deviation.id))
        .order_by(LedgerEntry.seq)))


@pytest.fixture
def owner(db_session):
    """A control owner who will own the remediation."""
    return make_user(db_session, role="control_owner", name="Mads Krogh")


@pytest.fixture
def auditor(db_session):
    """An internal auditor, who raises and manages findings."""
    return make_user(db_session, role="internal_auditor", name="Ida Auditor")


def _issued_engagement(session, control, status="issued"):
    engagement = Engagement(name="ISAE 3000 2025", kind="isae3000_type2",
                            period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                            status=status)
    test = ControlTest(engagement=engagement, control=control)
    session.add_all([engagement, test])
    session.flush()
    return engagement, test


# --- the life of a finding ------------------------------------------------------------------

def test_raise_respond_close_leaves_ledger_entries_in_order(db_session, loaded_catalogue, owner,
                                                             auditor):
    control = _control(db_session)
    deviation = _raise(db_session, auditor, control, owner_id=owner.id, severity="material")
    assert (deviation.status, deviation.raised_by_id, deviation.owner_id) == (
        "open", auditor.id, owner.id)
    service.respond_to_deviation(db_session, owner, deviation, "Script failed silently.",
                                 "Alerting added; HR list reconciled weekly.", deviation.version)
    assert deviation.status == "in_progress"
    evidence = _evidence(db_session, control)
    service.close_deviation(db_session, auditor, deviation, evidence.id, "Verified in May.",
                            deviation.version)
    assert (deviation.status, deviation.closing_evidence_id) == ("closed", evidence.id)
    assert deviation.closed_at is not None
    assert _actions(db_session, deviation) == [
        "deviation.raised", "deviation.responded", "deviation.closed"]
    closed = db_session.scalar(select(LedgerEntry).where(LedgerEntry.action == "deviation.closed"))
    assert json.loads(closed.changes)["note"] == "Verified in May."


def test_the_journey_in_the_browser(client, login_as, db_session, loaded_catalogue, auditor):
    owner = login_as("control_owner")
    control = _control(db_session)
    deviation = _raise(db_session, auditor, control, owner_id=owner.id)
    page = client.get(f"/deviations/{deviation.id}").get_data(as_text=True)
    assert "Leavers kept access" in page and "Write the response" in page
    response = client.post(f"/deviations/{deviation.id}/respond", data={
        "root_cause": "Script failed silently.", "management_response": "Alerting added.",
        "version": deviation.version})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    evidence = _evidence(db_session, control)
    page = client.get(f"/deviations/{deviation.id}").get_data(as_text=True)
    assert 'data-testid="close-form"' not in page  # the owner shows the fix; others close
    client.post("/logout")
    login_as("internal_auditor")
    page = client.get(f"/deviations/{deviation.id}").get_data(as_text=True)
    assert 'data-testid="close-form"' in page
    response = client.post(f"/deviations/{deviation.id}/close", data={
        "evidence_id": evidence.id, "note": "Checked.", "version": deviation.version})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(f"/deviations/{deviation.id}").get_data(as_text=True)
    assert "Alerting added." in page and "Access review after fix" in page
    assert f"closed it with evidence #{evidence.id}" in page


def test_raising_from_the_control_page(client, login_as, db_session, loaded_catalogue, owner):
    login_as("coordinator")
    page = client.get(f"/controls/{KEY}").get_data(as_text=True)
    assert 'data-testid="deviations-section"' in page
    assert f"/deviations/new?control={KEY}" in page
    form = client.get(f"/deviations/new?control={KEY}").get_data(as_text=True)
    assert f'<option selected value="{KEY}">' in form
    response = client.post("/deviations/new", data={
        "control": KEY, "title": "No log review", "description": "Logs not reviewed in Q2.",
        "severity": "observation", "owner_id": owner.id, "due_on": LATER.isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(f"/controls/{KEY}").get_data(as_text=True)
    assert "No log review" in page and "Observation" in page


def test_raising_needs_title_description_and_severity(client, login_as, db_session,
                                                      loaded_catalogue):
    login_as("internal_auditor")
    response = client.post("/deviations/new", data={"control": KEY, "title": " ",
                                                     "description": "x", "severity": "minor"})
    assert response.status_code == 422
    assert "Give the finding a title." in response.get_data(as_text=True)
    control = _control(db_session)
    with pytest.raises(Invalid) as caught:
        _raise(db_session, SYSTEM, control, description="  ")
    assert caught.value.field == "description"
    with pytest.raises(Invalid) as caught:
        _raise(db_session, SYSTEM, control, severity="catastrophic")
    assert caught.value.field == "severity"
    assert db_session.scalar(select(Deviation)) is None


def test_due_date_may_not_be_in_the_past(db_session, loaded_catalogue):
    with pytest.raises(Invalid) as caught:
        _raise(db_session, SYSTEM, _control(db_session), due_on=date.today() - timedelta(days=1))
    assert caught.value.field == "due_on"


@pytest.mark.parametrize("role", ["viewer", "internal_auditor", "external_auditor"])
def test_remediation_owner_must_be_owner_coordinator_or_admin(db_session, loaded_catalogue, role):
    someone = make_user(db_session, role=role)
    with pytest.raises(Invalid) as caught:
        _raise(db_session, SYSTEM, _control(db_session), owner_id=someone.id)
    assert caught.value.field == "owner_id"


def test_reopening_a_closed_finding(db_session, loaded_catalogue, owner, auditor):
    control = _control(db_session)
    deviation = _raise(db_session, auditor, control, owner_id=owner.id)
    service.respond_to_deviation(db_session, owner, deviation, None, "Fixing.",
                                 deviation.version)
    service.close_deviation(db_session, auditor, deviation, _evidence(db_session, control).id,
                            None, deviation.version)
    with pytest.raises(Forbidden):
        service.reopen_deviation(db_session, owner, deviation, "Not fixed.", deviation.version)
    with pytest.raises(Invalid):
        service.reopen_deviation(db_session, auditor, deviation, " ", deviation.version)
    service.reopen_deviation(db_session, auditor, deviation, "Access came back.",
                             deviation.version)
    assert (deviation.status, deviation.closing_evidence_id) == ("in_progress", None)
    assert _actions(db_session, deviation)[-1] == "deviation.reopened"


# --- who may do what ------------------------------------------------------------------------

def test_control_owner_cannot_respond_to_someone_elses_finding(client, login_as, db_session,
                                                               loaded_catalogue, owner, auditor):
    deviation = _raise(db_session, auditor, _control(db_session), owner_id=owner.id)
    other = make_user(db_session, role="control_owner")
    with pytest.raises(Forbidden):
        service.respond_to_deviation(db_session, other, deviation, None, "Mine now.",
                                     deviation.version)
    login_as("control_owner")
    response = client.post(f"/deviations/{deviation.id}/respond", data={
        "management_response": "Mine now.", "version": deviation.version})
    assert response.status_code == 403
    assert client.get(f"/deviations/{deviation.id}").status_code == 403
    assert db_session.get(Deviation, deviation.id).management_response is None


def test_owner_of_the_control_may_respond(db_session, loaded_catalogue, owner, auditor):
    control = _control(db_session)
    control.owner_id = owner.id
    deviation = _raise(db_session, auditor, control)
    service.respond_to_deviation(db_session, owner, deviation, None, "We will fix it.",
                                 deviation.version)
    assert deviation.management_response == "We will fix it."


def test_auditors_do_not_write_managements_response(db_session, loaded_catalogue, auditor):
    deviation = _raise(db_session, auditor, _control(db_session))
    with pytest.raises(Forbidden):
        service.respond_to_deviation(db_session, auditor, deviation, None, "x",
                                     deviation.version)


def test_closing_needs_existing_evidence(client, login_as, db_session, loaded_catalogue, auditor):
    deviation = _raise(db_session, auditor, _control(db_session))
    for evidence_id in (None, 0, 987654):
        with pytest.raises(Invalid) as caught:
            service.close_deviation(db_session, auditor, deviation, evidence_id, "Done.",
                                    deviation.version)
        assert caught.value.field == "evidence_id"
    login_as("coordinator")
    response = client.post(f"/deviations/{deviation.id}/close", data={
        "evidence_id": "", "note": "Done.", "version": deviation.version})
    assert response.status_code == 422
    assert "Choose the evidence that shows the finding is remediated." in response.get_data(
        as_text=True)
    assert db_session.get(Deviation, deviation.id).status == "open"


def test_closing_needs_evidence_about_the_findings_control(client, login_as, db_session,
                                                          loaded_catalogue, auditor):
    control = _control(db_session)
    deviation = _raise(db_session, auditor, control)
    unrelated = _evidence(db_session, _control(db_session, "iso27001-2022:A.8.13"))
    for evidence_id in (unrelated.id, 2**63, -1):
        with pytest.raises(Invalid) as caught:
            service.close_deviation(db_session, auditor, deviation, evidence_id, "Done.",
                                    deviation.version)
        assert caught.value.field == "evidence_id"
    login_as("coordinator")
    for evidence_id in (unrelated.id, 987654):  # a forged choice, an id that does not exist
        response = client.post(f"/deviations/{deviation.id}/close", data={
            "evidence_id": evidence_id, "note": "Done.", "version": deviation.version})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        field = page[page.index('name="evidence_id"') - 2000:page.index('name="evidence_id"')
                     + 3000]
        assert (f"Evidence #{unrelated.id} is not about control A.5.15" in field
                if evidence_id == unrelated.id else "There is no evidence #987654." in field)
    assert db_session.get(Deviation, deviation.id).status == "open"
    service.close_deviation(db_session, auditor, deviation, _evidence(db_session, control).id,
                            "Done.", deviation.version)
    assert deviation.status == "closed"


def test_only_managers_close_and_never_the_remediation_owner(db_session, loaded_catalogue,
                                                             owner, auditor):
    control = _control(db_session)
    control.owner_id = owner.id  # owning the control is not owning the remediation
    deviation = _raise(db_session, auditor, control)
    with pytest.raises(Forbidden):
        service.close_deviation(db_session, owner, deviation, _evidence(db_session, control).id,
                                None, deviation.version)
    deviation.owner_id = owner.id  # owning the remediation does not let one close it either
    with pytest.raises(Forbidden):
        service.close_deviation(db_session, owner, deviation, _evidence(db_session, control).id,
                                None, deviation.version)
    coordinator = make_user(db_session, role="coordinator")
    deviation.owner_id = coordinator.id  # nor a manager who owns the remediation
    with pytest.raises(Forbidden):
        service.close_deviation(db_session, coordinator, deviation,
                                _evidence(db_session, control).id, None, deviation.version)


def test_a_stale_edit_conflicts(client, login_as, db_session, loaded_catalogue, auditor):
    deviation = _raise(db_session, auditor, _control(db_session))
    stale = deviation.version
    service.update_deviation(db_session, auditor, deviation, "Leavers kept access (VPN)",
                             deviation.description, "material", None, LATER, stale)
    with pytest.raises(Conflict):
        service.update_deviation(db_session, auditor, deviation, "Other", "Other", "minor", None,
                                 LATER, stale)
    login_as("coordinator")
    response = client.post(f"/deviations/{deviation.id}/edit", data={
        "title": "Other", "description": "Other", "severity": "minor", "version": stale})
    assert response.status_code == 422
    assert "Someone else changed this finding" in response.get_data(as_text=True)
    assert db_session.get(Deviation, deviation.id).severity == "material"
    assert _actions(db_session, deviation) == ["deviation.raised", "deviation.updated"]


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_list(client, login_as, loaded_catalogue, role):
    login_as(role)
    assert client.get("/deviations/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_who_may_raise(client, login_as, loaded_catalogue, role):
    login_as(role)
    expected = 200 if role in ("admin", "coordinator", "internal_auditor") else 403
    assert client.get(f"/deviations/new?control={KEY}").status_code == expected
    if expected == 403:
        assert client.post("/deviations/new", data={"control": KEY}).status_code == 403


def test_viewers_read_without_forms(client, login_as, db_session, loaded_catalogue, auditor):
    deviation = _raise(db_session, auditor, _control(db_session))
    login_as("viewer")
    page = client.get(f"/deviations/{deviation.id}").get_data(as_text=True)
    assert "Leavers kept access" in page
    assert "<form method=\"post\" action=\"/deviations/" not in page
    assert client.post(f"/deviations/{deviation.id}/close", data={
        "evidence_id": "1", "version": deviation.version}).status_code == 403


# --- engagements ----------------------------------------------------------------------------

def test_raising_on_an_issued_engagement_is_refused(db_session, loaded_catalogue, auditor):
    control = _control(db_session)
    engagement, test = _issued_engagement(db_session, control)
    with pytest.raises(Conflict):
        _raise(db_session, auditor, None, test=test)
    with pytest.raises(Conflict):
        _raise(db_session, auditor, control, engagement=engagement)


def test_issued_engagements_findings_are_still_answered_and_closed(db_session, loaded_catalogue,
                                                                    owner, auditor):
    control = _control(db_session)
    engagement, test = _issued_engagement(db_session, control, status="review")
    deviation = _raise(db_session, auditor, None, test=test, owner_id=owner.id)
    assert (deviation.engagement_id, deviation.control_id) == (engagement.id, control.id)
    engagement.status = "issued"
    db_session.flush()
    service.respond_to_deviation(db_session, owner, deviation, None, "Fixing.",
                                 deviation.version)
    service.close_deviation(db_session, auditor, deviation, _evidence(db_session, control).id,
                            None, deviation.version)
    assert deviation.status == "closed"


def test_a_test_of_another_engagement_or_control_is_refused(db_session, loaded_catalogue,
                                                            auditor):
    control = _control(db_session)
    first, test = _issued_engagement(db_session, control, status="fieldwork")
    second, _other = _issued_engagement(db_session, _control(db_session, "iso27001-2022:A.8.15"),
                                        status="fieldwork")
    with pytest.raises(Invalid):
        _raise(db_session, auditor, None, engagement=second, test=test)
    with pytest.raises(Invalid):
        _raise(db_session, auditor, _control(db_session, "iso27001-2022:A.8.15"), test=test)


def test_finding_from_a_test_links_back(client, login_as, db_session, loaded_catalogue, auditor):
    control = _control(db_session)
    engagement, test = _issued_engagement(db_session, control, status="fieldwork")
    login_as("internal_auditor")
    form = client.get(f"/deviations/new?test={test.id}").get_data(as_text=True)
    assert "ISAE 3000 2025" in form
    response = client.post("/deviations/new", data={
        "test_id": test.id, "title": "Late removal", "description": "Removed after 9 days.",
        "severity": "minor"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ISAE 3000 2025" in page
    if "audits.show_test" in client.application.view_functions:
        with client.application.test_request_context():
            assert url_for("audits.show_test", test_id=test.id) in page


# --- the list -------------------------------------------------------------------------------

def _findings(session, owner, other):
    control = _control(session)
    past = {"today": date(2020, 1, 1), "due_on": date(2020, 2, 1)}
    return {
        "late": _raise(session, SYSTEM, control, title="Late", owner_id=owner.id, **past),
        "material": _raise(session, SYSTEM, control, title="Serious", severity="material",
                           owner_id=other.id),
        "observation": _raise(session, SYSTEM, control, title="Remark",
                              severity="observation", owner_id=owner.id),
    }


@pytest.mark.parametrize("query,titles", [
    ("overdue=1", {"Late"}),
    ("severity=material", {"Serious"}),
    ("severity=observation", {"Remark"}),
    ("mine=1", {"Late", "Remark"}),
    ("status=unresolved&mine=1&severity=minor", {"Late"}),
    ("", {"Late", "Serious", "Remark"}),
])
def test_list_filters(client, db_session, loaded_catalogue, query, titles):
    owner = make_user(db_session, role="coordinator")
    other = make_user(db_session, role="coordinator")
    _findings(db_session, owner, other)
    client.post("/login", data={"email": owner.email, "password": TEST_PASSWORD})
    page = client.get(f"/deviations/?{query}").get_data(as_text=True)
    shown = {t for t in ("Late", "Serious", "Remark") if f">{t}</a>" in page}
    assert shown == titles
    if "overdue" in query:
        assert 'data-testid="overdue"' in page


def test_control_owners_see_only_their_findings(db_session, loaded_catalogue, owner):
    other = make_user(db_session, role="control_owner")
    _findings(db_session, owner, other)
    control = make_user(db_session, role="control_owner")
    items, total = service.list_deviations(db_session, owner, service.DeviationFilter(),
                                           today=date.today())
    assert {d.title for d in items} == {"Late", "Remark"} and total == 2
    assert service.list_deviations(db_session, control, service.DeviationFilter(),
                                   today=date.today())[1] == 0
    viewer = make_user(db_session, role="viewer")
    assert service.list_deviations(db_session, viewer, service.DeviationFilter(),
                                   today=date.today())[1] == 3


def test_list_page_runs_a_fixed_number_of_queries(client, login_as, db_session, loaded_catalogue,
                                                  count_queries):
    owner = make_user(db_session, role="control_owner")
    keys = ["iso27001-2022:A.5.15", "iso27001-2022:A.8.15", "iso27001-2022:A.7.5"]
    login_as("coordinator")
    client.get("/deviations/")  # warm up
    counts = {}
    for total in (2, 20):
        for number in range(len(counts) and 2, total):
            _raise(db_session, SYSTEM, _control(db_session, keys[number % 3]),
                   title=f"Finding {number}", owner_id=owner.id if number % 2 else None)
        with count_queries() as statements:
            page = client.get("/deviations/").get_data(as_text=True)
        assert f"Finding {total - 1}" in page
        counts[total] = len(statements)
    assert counts[2] == counts[20], counts


# --- dashboard ------------------------------------------------------------------------------

def test_dashboard_counts_and_card(client, login_as, db_session, loaded_catalogue):
    owner = login_as("control_owner")
    other = make_user(db_session, role="coordinator")
    _findings(db_session, owner, other)
    counts = service.deviation_counts(db_session, owner, today=date.today())
    assert counts.by_severity == {"observation": 1, "minor": 1, "material": 0}
    assert (counts.total, counts.overdue, counts.awaiting_me) == (2, 1, 2)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="deviations-dashboard"' in page
    assert "findings awaiting your response" in page
