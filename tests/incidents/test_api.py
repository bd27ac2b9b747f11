"""The incidents API: offsets required (400 otherwise), deadlines in the configured zone."""

from app.auth import service as accounts
from tests.factories import SYSTEM, make_user


def bearer(db_session, role="coordinator"):
    user = make_user(db_session, role=role)
    _row, token = accounts.create_token(db_session, SYSTEM, user, "t")
    return {"Authorization": f"Bearer {token}"}


def test_register_a_breach_and_read_its_deadline_in_the_zone(client, db_session):
    headers = bearer(db_session)
    answer = client.post("/api/v1/incidents", headers=headers, json={
        "title": "Salary file to wrong recipient",
        "became_aware_at": "2026-03-28T20:00:00+01:00",
        "personal_data_breach": True, "role": "controller"})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["became_aware_at"] == "2026-03-28T20:00:00+01:00"
    # 72 elapsed hours across the spring change: the wall clock shows 21:00 summer time.
    assert body["authority_deadline"] == "2026-03-31T21:00:00+02:00"
    assert body["controller_deadline"] is None and body["status"] == "investigating"
    assert answer.headers["Location"].endswith(f"/api/v1/incidents/{body['id']}")
    assert client.get(f"/api/v1/incidents/{body['id']}", headers=headers).json == body
    listing = client.get("/api/v1/incidents?breach=yes", headers=headers).json
    assert listing["total"] == 1 and listing["items"][0]["id"] == body["id"]


def test_processor_hours_give_the_controller_deadline(client, db_session):
    headers = bearer(db_session)
    body = client.post("/api/v1/incidents", headers=headers, json={
        "title": "Share readable by all", "became_aware_at": "2025-12-31T22:30:00Z",
        "personal_data_breach": True, "role": "processor", "controller_notice_hours": 36,
    }).json
    assert body["authority_deadline"] is None
    assert body["controller_deadline"] == "2026-01-02T11:30:00+01:00"
    two = client.post("/api/v1/incidents", headers=headers, json={
        "title": "Two controllers", "became_aware_at": "2025-12-31T23:30:00+01:00",
        "personal_data_breach": True, "role": "processor",
        "controllers": [{"name": "Region", "notice_hours": 24}, {"name": "Kommune"}]}).json
    assert two["controller_deadline"] == "2026-01-01T23:30:00+01:00"
    assert [(c["name"], c["notice_hours"], c["deadline"]) for c in two["controllers"]] == [
        ("Region", 24, "2026-01-01T23:30:00+01:00"), ("Kommune", 24, "2026-01-01T23:30:00+01:00")]


def test_a_timestamp_without_offset_is_a_400_with_a_message(client, db_session):
    headers = bearer(db_session)
    answer = client.post("/api/v1/incidents", headers=headers, json={
        "title": "x", "became_aware_at": "2026-03-29T02:30:00", "personal_data_breach": True,
        "role": "controller"})
    assert answer.status_code == 400
    assert answer.json["field"] == "became_aware_at"
    assert "has no UTC offset" in answer.json["detail"]
    assert client.get("/api/v1/incidents", headers=headers).json["total"] == 0
    wrong = client.post("/api/v1/incidents", headers=headers, json={
        "title": "x", "became_aware_at": "yesterday", "personal_data_breach": True,
        "role": "controller"})
    assert wrong.status_code == 422 and wrong.json["field"] == "became_aware_at"
    future = client.post("/api/v1/incidents", headers=headers, json={
        "title": "x", "became_aware_at": "2099-01-01T00:00:00Z", "personal_data_breach": True,
        "role": "controller"})
    assert future.status_code == 422 and future.json["field"] == "became_aware_at"


def test_permissions_and_the_document(client, db_session):
    owner = bearer(db_session, "control_owner")
    assert client.post("/api/v1/incidents", headers=owner, json={}).status_code == 403
    assert client.get("/api/v1/incidents/999", headers=owner).status_code == 404
    document = client.get("/api/v1/openapi.json", headers=owner).json
    post = document["paths"]["/incidents"]["post"]
    assert {"201", "400", "401", "403", "415", "422"} <= set(post["responses"])
    schema = document["components"]["schemas"]["IncidentIn"]
    assert set(schema["required"]) == {"title", "became_aware_at", "personal_data_breach",
                                       "role"}


def test_odd_input_is_a_422_never_a_500(client, db_session):
    headers = bearer(db_session)
    base = {"title": "x", "became_aware_at": "2026-03-28T20:00:00+01:00",
            "personal_data_breach": True, "role": "controller"}
    for change, field in (({"became_aware_at": "0001-01-01T00:00:00+01:00"}, "became_aware_at"),
                          ({"became_aware_at": "1700000000"}, "became_aware_at"),
                          ({"became_aware_at": 1700000000}, "became_aware_at"),
                          ({"title": "a\x00b"}, "title"),
                          ({"breach_reason": "\ud800"}, "breach_reason"),
                          ({"controllers": [{"name": "A"}]}, "controllers"),
                          ({"detected_at": "2026-03-29T20:00:00+01:00"}, "became_aware_at")):
        answer = client.post("/api/v1/incidents", headers=headers, json={**base, **change})
        assert answer.status_code == 422, (change, answer.json)
        assert answer.json["field"] == field, (change, answer.json)
    search = client.get("/api/v1/incidents?q=%00", headers=headers)  # one rule app-wide:
    assert search.status_code == 422 and search.json["field"] == "q"  # NUL is refused


def test_a_control_owner_reports_and_the_coordinator_sees_it_to_qualify(client, db_session):
    owner = bearer(db_session, "control_owner")
    answer = client.post("/api/v1/incidents/reports", headers=owner, json={
        "title": "Laptop left on the train", "description": "Encrypted; noticed at 08:10.",
        "detected_at": "2026-10-25T08:10:00+01:00", "personal_data": True})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["status"] == "reported" and body["personal_data_breach"] is None
    assert body["detected_at"] == "2026-10-25T08:10:00+01:00"
    assert body["authority_deadline"] is None  # no clock before the breach decision
    # The reporter reads what they reported; the coordinator finds it among the undecided.
    assert client.get(answer.headers["Location"], headers=owner).json == body
    coordinator = bearer(db_session)
    undecided = client.get("/api/v1/incidents?breach=undecided", headers=coordinator).json
    assert [item["title"] for item in undecided["items"]] == ["Laptop left on the train"]

    no_offset = client.post("/api/v1/incidents/reports", headers=owner, json={
        "title": "x", "description": "y", "detected_at": "2026-10-25T08:10:00"})
    assert no_offset.status_code == 400 and no_offset.json["field"] == "detected_at"
    viewer = bearer(db_session, "viewer")
    assert client.post("/api/v1/incidents/reports", headers=viewer, json={
        "title": "x", "description": "y", "detected_at": "2026-10-25T08:10:00Z"}
    ).status_code == 403
    assert client.get("/api/v1/incidents", headers=coordinator).json["total"] == 1
