"""Evidence requests: asking, 'my requests', answering by adding evidence, cancelling."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid
from app.evidence import evidence_requests, queries, service
from app.evidence.models import EvidenceRequest
from app.ledger.models import LedgerEntry
from tests.evidence.support import details, sign_in, upload
from tests.factories import make_user

TODAY = date(2026, 6, 15)


def ask(session, actor, key="testcat:C.1", due=TODAY + timedelta(days=7), **fields):
    return evidence_requests.create_request(
        session, actor, key, assignee_id=fields.get("assignee_id"), due_on=due,
        description=fields.get("description", "Q2 review"), today=TODAY)


def test_request_goes_to_the_control_owner(db_session, coordinator, owner, controls):
    request = ask(db_session, coordinator)
    assert (request.assignee_id, request.status, request.requested_by_id) == (
        owner.id, "open", coordinator.id)
    mine = queries.list_requests(db_session, owner, "assigned")
    assert [r.id for r in mine] == [request.id]
    assert [r.id for r in queries.list_requests(db_session, coordinator, "raised")] == [
        request.id]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"key": "testcat:NOPE"}, "control", "No control with key testcat:NOPE."),
    ({"key": "testcat:C.3"}, "assignee_id", "The control has no owner"),
    ({"due": TODAY - timedelta(days=1)}, "due_on", "The due date is in the past."),
    ({"due": None}, "due_on", "Give a due date."),
    ({"description": " "}, "description", "Say what evidence you need."),
])
def test_bad_requests_get_clear_messages(db_session, coordinator, owner, controls, fields,
                                         field, message):
    with pytest.raises(Invalid) as excinfo:
        ask(db_session, coordinator, **fields)
    assert excinfo.value.field == field and message in excinfo.value.message


def test_only_someone_who_may_add_the_evidence_can_be_asked(db_session, coordinator, owner,
                                                            controls):
    viewer = make_user(db_session, role="viewer")
    with pytest.raises(Invalid, match="cannot add evidence to this control"):
        ask(db_session, coordinator, key="testcat:C.3", assignee_id=owner.id)
    with pytest.raises(Invalid, match="cannot add evidence"):
        ask(db_session, coordinator, assignee_id=viewer.id)
    assert ask(db_session, coordinator, key="testcat:C.3", assignee_id=coordinator.id)


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("coordinator", True), ("internal_auditor", True),
    ("control_owner", False), ("external_auditor", False), ("viewer", False)])
def test_who_may_ask(db_session, owner, controls, role, allowed):
    actor = make_user(db_session, role=role)
    if allowed:
        assert ask(db_session, actor).id
    else:
        with pytest.raises(Forbidden):
            ask(db_session, actor)


def test_answering_by_uploading_closes_the_request(db_session, settings, coordinator, owner,
                                                   controls):
    request = ask(db_session, coordinator)
    evidence = service.add_file_evidence(db_session, owner, settings,
                                         details(request_id=request.id), upload())
    assert request.status == "answered"
    assert request.answered_by_evidence_id == evidence.id and request.answered_at is not None
    assert queries.list_requests(db_session, owner, "assigned") == []
    assert [r.id for r in queries.list_requests(db_session, owner, "assigned",
                                                include_closed=True)] == [request.id]
    actions = db_session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.entity_type == "evidence_request")).all()
    assert actions == ["evidence_request.created", "evidence_request.answered"]
    with pytest.raises(Conflict, match="already answered"):
        service.add_note_evidence(db_session, owner, details(request_id=request.id,
                                                             description="again"))


def test_the_answer_must_cover_the_requested_control(db_session, settings, coordinator, owner,
                                                     controls):
    request = ask(db_session, coordinator)
    with pytest.raises(Invalid, match="must include control testcat:C.1"):
        service.add_note_evidence(db_session, owner, details(
            controls=["testcat:C.2"], request_id=request.id, description="x"))
    assert request.status == "open"


def test_someone_else_cannot_answer(db_session, coordinator, owner, controls):
    request = ask(db_session, coordinator)
    other_owner = make_user(db_session, role="control_owner")
    with pytest.raises(Forbidden):
        service.add_note_evidence(db_session, other_owner, details(
            request_id=request.id, description="x"))


def test_cancel(db_session, coordinator, owner, controls):
    request = ask(db_session, coordinator)
    auditor = make_user(db_session, role="internal_auditor")
    with pytest.raises(Forbidden):
        evidence_requests.cancel_request(db_session, auditor, request.id)
    evidence_requests.cancel_request(db_session, coordinator, request.id)
    assert request.status == "cancelled"
    with pytest.raises(Conflict):
        evidence_requests.cancel_request(db_session, coordinator, request.id)


def test_overdue_requests_are_counted(db_session, coordinator, owner, controls):
    late = ask(db_session, coordinator)
    ask(db_session, coordinator, key="testcat:C.2", due=TODAY + timedelta(days=30))
    later = TODAY + timedelta(days=10)
    assert late.is_overdue(later)
    summary = queries.summary(db_session, owner, today=later, warning_days=30)
    assert (summary.my_open, summary.my_overdue, summary.overdue_all) == (2, 1, None)
    summary = queries.summary(db_session, coordinator, today=later, warning_days=30)
    assert (summary.my_open, summary.overdue_all) == (0, 1)


def test_requests_flow_in_the_ui(client, db_session, coordinator, owner, controls):
    sign_in(client, coordinator)
    page = client.get("/evidence/requests/new?control=testcat:C.1").get_data(as_text=True)
    assert 'selected value="testcat:C.1"' in page
    due = (date.today() + timedelta(days=3)).isoformat()
    response = client.post("/evidence/requests/new", data={
        "control": "testcat:C.1", "assignee_id": "", "due_on": due,
        "description": "Upload the Q2 access review."})
    assert response.status_code == 302
    request = db_session.scalar(select(EvidenceRequest))
    assert request.assignee_id == owner.id
    client.post("/logout")

    sign_in(client, owner)
    page = client.get("/evidence/requests").get_data(as_text=True)
    assert "Upload the Q2 access review." in page and "Answer" in page
    form = client.get(f"/evidence/new/file?request={request.id}").get_data(as_text=True)
    assert "Answering request" in form and 'selected value="testcat:C.1"' in form
    response = client.post(f"/evidence/new/file?request={request.id}", data={
        "title": "Q2 access review", "controls": ["testcat:C.1"], "period_start": "2026-04-01",
        "period_end": "2026-06-30", "request_id": str(request.id),
        "file": (upload().stream, "q2.csv", "text/csv")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db_session.refresh(request)
    assert request.status == "answered"
    assert "No requests here." in client.get("/evidence/requests").get_data(as_text=True)


def test_overdue_request_shows_on_the_dashboard_and_the_list(client, db_session, coordinator,
                                                              owner, controls):
    evidence_requests.create_request(db_session, coordinator, "testcat:C.1", assignee_id=None,
                           due_on=date.today() - timedelta(days=2),
                           today=date.today() - timedelta(days=9), description="Late one")
    sign_in(client, owner)
    page = client.get("/evidence/requests").get_data(as_text=True)
    assert "Overdue" in page
    dashboard = client.get("/").get_data(as_text=True)
    assert 'data-testid="evidence-dashboard"' in dashboard and "1 overdue" in dashboard


def test_cancel_in_the_ui(client, db_session, coordinator, owner, controls):
    request = ask(db_session, coordinator)
    sign_in(client, coordinator)
    response = client.post(f"/evidence/requests/{request.id}/cancel")
    assert response.status_code == 302
    db_session.refresh(request)
    assert request.status == "cancelled"


def test_viewer_cannot_open_the_request_form(client, login_as, controls):
    login_as("viewer")
    assert client.get("/evidence/requests/new").status_code == 403
    assert client.get("/evidence/requests").status_code == 200
    assert client.get("/evidence/requests?scope=all").status_code == 200  # falls back to mine
