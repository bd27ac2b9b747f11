"""The sub-processor API as a client script uses it."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth import service as accounts
from tests.factories import SYSTEM, make_user

BODY = {"name": "HelpDesk Cloud Inc.", "registration_number": "EIN 12-3456789",
        "country": "US", "countries": ["US"], "processing_da": "Supporthenvendelser.",
        "processing_en": "Support tickets.", "data_categories": ["Names", "Ticket text"],
        "approval": "general", "risk_rating": "high", "start_date": "2024-03-01"}


@pytest.fixture
def api(client, db_session):
    """A client calling the API with a coordinator's token (and a viewer's)."""

    def token(role):
        _row, secret = accounts.create_token(db_session, SYSTEM, make_user(db_session, role=role),
                                             "api")
        return {"Authorization": f"Bearer {secret}"}

    return client, token("coordinator"), token("viewer")


def test_register_refuses_a_third_country_without_basis(api):
    client, coordinator, _viewer = api
    refused = client.post("/api/v1/subprocessors", json=BODY, headers=coordinator)
    assert refused.status_code == 422 and refused.json["field"] == "transfer_basis"
    created = client.post("/api/v1/subprocessors", json={
        **BODY, "transfer_basis": "scc", "scc_version": "2021/914-m3"}, headers=coordinator)
    assert created.status_code == 201
    body = created.json
    assert body["id"] and body["transfers"][0]["basis"] == "scc"
    assert body["next_statement_due"] == "2025-12-31"


def test_statements_and_next_statement_due(api):
    client, coordinator, viewer = api
    sp_id = client.post("/api/v1/subprocessors", json={
        **BODY, "country": "DK", "countries": ["DK"]}, headers=coordinator).json["id"]
    url = f"/api/v1/subprocessors/{sp_id}/statements"
    first = client.post(url, json={"year": 2024, "received_on": "2026-01-04",
                                   "opinion": "unqualified", "observations": []},
                        headers=coordinator)
    assert first.status_code == 201, first.json
    assert first.json["no_observations"] and first.json["late"]
    assert first.json["due_on"] == "2025-12-31"
    assert first.json["next_statement_due"] == "2026-12-31"
    second = client.post(url, json={"year": 2025, "received_on": "2026-05-01",
                                    "opinion": "qualified", "observations": [
                                        {"description": "Backups untested",
                                         "significance": "high",
                                         "remediation_due": "2026-09-30"}]},
                         headers=coordinator)
    assert second.status_code == 201 and not second.json["late"]
    assert second.json["observations"][0]["significance"] == "high"
    duplicate = client.post(url, json={"year": 2024, "received_on": "2025-06-01",
                                       "opinion": "unqualified", "observations": []},
                            headers=coordinator)
    assert duplicate.status_code == 422 and duplicate.json["field"] == "year"
    future = client.post(url, json={"year": 2026, "received_on": "2099-06-01",
                                    "opinion": "unqualified", "observations": []},
                         headers=coordinator)
    assert future.status_code == 422 and future.json["field"] == "received_on"
    shown = client.get(f"/api/v1/subprocessors/{sp_id}", headers=viewer).json
    assert shown["next_statement_due"] == "2027-12-31"
    assert client.post(url, json={}, headers=viewer).status_code == 403
    assert client.get("/api/v1/subprocessors/999999", headers=viewer).status_code == 404


def test_change_notice_answers_with_the_derived_dates(api):
    client, coordinator, _viewer = api
    sp_id = client.post("/api/v1/subprocessors", json={
        **BODY, "country": "DK", "countries": ["DK"], "status": "proposed"},
        headers=coordinator).json["id"]
    url = f"/api/v1/subprocessors/{sp_id}/changes"
    answer = client.post(url, json={"kind": "add", "notified_on": "2024-01-31",
                                    "effective_on": "2024-02-20"}, headers=coordinator)
    assert answer.status_code == 201
    assert answer.json["notice_days"] == 20 and answer.json["short_notice"] is True
    assert answer.json["objection_deadline"] == "2024-02-29"
    enough = client.post(url, json={"kind": "replace", "notified_on": "2025-01-31",
                                    "effective_on": "2025-03-02"}, headers=coordinator).json
    assert (enough["notice_days"], enough["short_notice"]) == (30, False)
    assert enough["objection_deadline"] == "2025-02-28"
    backwards = client.post(url, json={"kind": "add", "notified_on": "2025-03-01",
                                       "effective_on": "2025-02-01"}, headers=coordinator)
    assert backwards.status_code == 422 and backwards.json["field"] == "effective_on"
    assert client.post(url, json={"kind": "move", "notified_on": "2025-03-01",
                                  "effective_on": "2025-04-01"},
                       headers=coordinator).json["field"] == "kind"


def test_list_filters_by_status_and_overdue(api):
    client, coordinator, viewer = api
    for name, status, start in (("Old", "active", "2020-01-01"),
                                ("Planned", "proposed", "2099-01-01")):
        client.post("/api/v1/subprocessors", json={
            **BODY, "name": name, "status": status, "start_date": start, "country": "DK",
            "countries": ["DK"]}, headers=coordinator)
    names = lambda query: [i["name"] for i in client.get(  # noqa: E731
        f"/api/v1/subprocessors{query}", headers=viewer).json["items"]]
    assert names("") == ["Old", "Planned"]
    assert names("?status=proposed") == ["Planned"]
    assert names("?overdue=true") == ["Old"]
    assert client.get("/api/v1/subprocessors?per_page=500", headers=viewer).status_code == 422


def test_the_operations_are_in_the_openapi_document(api):
    client, _coordinator, viewer = api
    document = client.get("/api/v1/openapi.json", headers=viewer).json
    assert set(document["paths"]["/subprocessors"]) == {"get", "post"}
    post = document["paths"]["/subprocessors/{subprocessor_id}/changes"]["post"]
    assert {"201", "404", "422"} <= set(post["responses"])
    change = document["components"]["schemas"]["ChangeOut"]["properties"]
    assert {"notice_days", "short_notice", "objection_deadline"} <= set(change)
    assert date.fromisoformat("2024-02-29")  # the schema speaks ISO dates


def test_control_characters_are_refused_not_stored(api):
    client, coordinator, viewer = api
    answer = client.post("/api/v1/subprocessors", json={
        **BODY, "name": "Bad\x00Name", "country": "DK", "countries": ["DK"]},
        headers=coordinator)
    assert answer.status_code == 422 and answer.json["field"] == "name"
    search = client.get("/api/v1/subprocessors?q=a%00b", headers=viewer)  # one rule app-wide:
    assert search.status_code == 422 and search.json["field"] == "q"  # NUL is refused, not run
