"""The governance API: documents and reviews, the gate's 409 with missing steps, risks,
dispensations with the emergency report deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.api import openapi
from app.auth import service as accounts
from tests.factories import SYSTEM
from tests.governance.builders import fill


def bearer(session, user) -> dict:
    _row, token = accounts.create_token(session, SYSTEM, user, "t")
    return {"Authorization": f"Bearer {token}"}


def test_documents_and_reviews(client, db_session, controls, coordinator, owner):
    headers = bearer(db_session, coordinator)
    created = client.post("/api/v1/documents", headers=headers, json={
        "title": "IT contingency plan", "kind": "plan", "owner": owner.email,
        "approving_body": "security_committee", "review_interval_months": 12,
        "controls": ["iso27001-2022:A.5.1"], "approved_on": "2025-01-31"})
    assert created.status_code == 201, created.json
    assert created.json["next_review_due"] == "2026-01-31"
    document_id = created.json["id"]
    review = client.post(f"/api/v1/documents/{document_id}/reviews", headers=headers, json={
        "reviewed_on": "2025-12-20", "outcome": "no_change", "approved_by": "Committee chair",
        "approved_on": "2026-01-31"})
    assert review.status_code == 201, review.json
    assert review.json["next_review_due"] == "2027-01-31"
    shown = client.get(f"/api/v1/documents/{document_id}", headers=headers).json
    assert shown["next_review_due"] == "2027-01-31"
    assert shown["reviews"][0]["approval_body"] == "security_committee"
    listing = client.get("/api/v1/documents?due_before=2027-02-01", headers=headers).json
    assert [d["id"] for d in listing["items"]] == [document_id]
    assert client.get("/api/v1/documents?due_before=2027-01-31", headers=headers
                      ).json["total"] == 0
    bad = client.post("/api/v1/documents", headers=headers, json={
        "title": "X", "kind": "policy", "owner": owner.email,
        "approving_body": "security_committee", "controls": ["iso27001-2022:A.5.1"]})
    assert bad.status_code == 422 and bad.json["field"] == "approving_body"
    unknown = client.post("/api/v1/documents", headers=headers, json={
        "title": "X", "kind": "plan", "owner": "nobody@example.org",
        "approving_body": "security_committee", "controls": ["iso27001-2022:A.5.1"]})
    assert unknown.status_code == 422 and unknown.json["field"] == "owner"


def test_gate_answers_409_with_the_missing_steps(client, db_session, controls, coordinator):
    headers = bearer(db_session, coordinator)
    created = client.post("/api/v1/technology-adoptions", headers=headers, json={
        "title": "AI assistant", "categories": ["ai_solution"], "personal_data": True,
        "owner": coordinator.email})
    assert created.status_code == 201 and created.json["status"] == "draft"
    refused = client.post(f"/api/v1/technology-adoptions/{created.json['id']}/status",
                          headers=headers, json={"status": "in_use"})
    assert refused.status_code == 409
    assert refused.json["missing"] == ["risk_assessment", "dpia", "management_presentation",
                                       "management_approval"]
    assert refused.json["status"] == 409 and refused.json["detail"]


def test_risks_and_dispensations(client, db_session, settings, controls, coordinator, owner):
    fill(db_session, settings, coordinator, owner, 2)
    headers = bearer(db_session, coordinator)
    risks = client.get("/api/v1/risks?acceptance=expired", headers=headers).json
    assert risks["total"] == 2 and risks["items"][0]["acceptance_expired"] is True
    decided = datetime(2026, 3, 27, 22, 30, tzinfo=UTC)
    emergency = client.post("/api/v1/dispensations", headers=headers, json={
        "requirement": "iso27001-2022:A.5.8", "reason": "Outage",
        "compensating_measures": "Monitored", "emergency": True,
        "decided_at": "2026-03-27T23:30:00+01:00"})
    assert emergency.status_code == 201, emergency.json
    due = datetime.fromisoformat(emergency.json["report_due"])
    assert due.utcoffset() is not None and due == decided + timedelta(days=3)
    assert emergency.json["report_due"].endswith("+02:00")  # shown in Copenhagen summer time
    naive = client.post("/api/v1/dispensations", headers=headers, json={
        "requirement": "iso27001-2022:A.5.8", "reason": "x", "compensating_measures": "y",
        "emergency": True, "decided_at": "2026-03-27T23:30:00"})
    assert naive.status_code == 422 and naive.json["field"] == "decided_at"
    request = client.post("/api/v1/dispensations", headers=headers, json={
        "requirement": "iso27001-2022:A.5.8", "reason": "x", "compensating_measures": "y",
        "valid_until": (date.today() + timedelta(days=90)).isoformat()})
    assert request.status_code == 201 and request.json["report_due"] is None
    expired = client.get("/api/v1/dispensations?expired=1", headers=headers).json
    assert expired["items"] and all(d["expired"] for d in expired["items"])
    everything = client.get("/api/v1/dispensations", headers=headers).json
    assert everything["total"] > expired["total"]


def test_viewers_read_but_do_not_write(client, db_session, controls):
    from tests.factories import make_user

    viewer = make_user(db_session, role="viewer")
    headers = bearer(db_session, viewer)
    assert client.get("/api/v1/risks", headers=headers).status_code == 200
    assert client.post("/api/v1/dispensations", headers=headers, json={}).status_code == 403


def test_operations_are_in_the_document():
    paths = openapi.build("test")["paths"]
    status = paths["/technology-adoptions/{adoption_id}/status"]["post"]["responses"]
    assert status["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GateProblem"}
    for path in ("/documents", "/documents/{document_id}", "/documents/{document_id}/reviews",
                 "/technology-adoptions", "/risks", "/dispensations"):
        assert path in paths
