"""The evidence API: a script pushes a file with metadata, lists evidence, downloads it."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from app.auth import service as accounts
from app.evidence import service
from app.evidence.models import Evidence
from tests.evidence.support import details, post_multipart, stored_files, upload
from tests.factories import SYSTEM, make_user

METADATA = {"title": "Weekly access review export", "controls": ["testcat:C.1", "testcat:C.2"],
            "period_start": "2026-03-02", "period_end": "2026-03-08",
            "valid_until": "2026-06-30", "tags": ["ci", "weekly"]}


def bearer(session, user) -> dict:
    _row, token = accounts.create_token(session, SYSTEM, user, "pipeline")
    return {"Authorization": f"Bearer {token}"}


def push(client, headers, data=b"user,group\nanna,FINANCE\n", metadata=None, name="export.csv",
         as_file_part=False):
    text = json.dumps(METADATA if metadata is None else metadata)
    fields, files = {}, {"file": (data, name, "text/csv")}
    if as_file_part:
        files["metadata"] = (text.encode(), "metadata.json", "application/json")
    else:
        fields["metadata"] = text
    return post_multipart(client, "/api/v1/evidence", fields, files, headers=headers)


def test_pipeline_pushes_evidence(client, db_session, owner, controls, evidence_dir):
    data = b"user,group\nanna,FINANCE\n"
    response = push(client, bearer(db_session, owner), data)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["controls"] == ["testcat:C.1", "testcat:C.2"] and body["filename"] == "export.csv"
    evidence = db_session.get(Evidence, body["id"])
    assert (evidence.title, evidence.owner_id, evidence.tags) == (
        "Weekly access review export", owner.id, ["ci", "weekly"])
    assert response.headers["Location"].endswith(f"/api/v1/evidence/{evidence.id}/download")


def test_metadata_may_come_as_a_json_file_part(client, db_session, owner, controls):
    response = push(client, bearer(db_session, owner), as_file_part=True)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(("metadata", "field", "detail"), [
    ({**METADATA, "controls": ["testcat:NOPE"]}, "controls", "No control with key testcat:NOPE."),
    ({**METADATA, "period_end": "2026-03-01"}, "period_end", "The period ends before it starts."),
    ({**METADATA, "period_start": "31/12/2026"}, "period_start", "is not a date"),
    ({k: v for k, v in METADATA.items() if k != "period_start"}, "period_start", "Give"),
    ({**METADATA, "controls": "testcat:C.1"}, None, None),  # a single key as text is fine
    ({**METADATA, "controls": [1]}, "controls", "list of control keys"),
    ([1, 2], "metadata", "JSON object"),
    ({**METADATA, "tags": 5}, "tags", "Give tags as a list"),
    ({**METADATA, "tags": ["x" * 41]}, "tags", "Give tags as a list"),
    ({**METADATA, "period_start": "0001-01-01"}, "period_start", "between 1990-01-01"),
    ({**METADATA, "valid_until": "9999-12-31"}, "valid_until", "between 1990-01-01"),
    ({**METADATA, "title": "nul\u0000byte"}, "title", "NUL"),
    ({**METADATA, "owner": "me"}, "owner", "Extra inputs are not permitted"),
    ({**METADATA, "period_end": ""}, None, None),  # empty means a single date, as before
])
def test_bad_metadata_is_a_422_problem_naming_the_field(client, db_session, coordinator,
                                                        controls, evidence_dir, metadata,
                                                        field, detail):
    response = push(client, bearer(db_session, coordinator), metadata=metadata)
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 422
    assert response.json["field"] == field and detail in response.json["detail"]
    assert db_session.scalar(select(func.count(Evidence.id))) == 0
    assert stored_files(evidence_dir) == []


def test_missing_parts_and_bad_json(client, db_session, coordinator, controls):
    headers = bearer(db_session, coordinator)
    response = post_multipart(client, "/api/v1/evidence", {"metadata": json.dumps(METADATA)},
                              headers=headers)
    assert response.status_code == 422 and response.json["field"] == "file"
    response = post_multipart(client, "/api/v1/evidence", {}, {"file": (b"x", "x.txt", None)},
                              headers=headers)
    assert response.status_code == 422 and response.json["field"] == "metadata"
    response = post_multipart(client, "/api/v1/evidence", {"metadata": "{not json"},
                              {"file": (b"x", "x.txt", None)}, headers=headers)
    assert response.status_code == 422 and "not valid JSON" in response.json["detail"]


def test_empty_and_oversize_files(app, client, db_session, coordinator, controls, evidence_dir):
    headers = bearer(db_session, coordinator)
    response = push(client, headers, b"")
    assert response.status_code == 422 and response.json["field"] == "file"
    assert response.json["detail"] == "file: The file is empty."  # as every 422 names its field
    previous = app.config["KONTROL_MAX_UPLOAD_MB"], app.config["MAX_CONTENT_LENGTH"]
    app.config["KONTROL_MAX_UPLOAD_MB"], app.config["MAX_CONTENT_LENGTH"] = 1, 2 << 20
    try:
        over_limit = push(client, headers, b"x" * (1536 * 1024))
        over_body = push(client, headers, b"x" * (3 << 20))
    finally:
        app.config["KONTROL_MAX_UPLOAD_MB"], app.config["MAX_CONTENT_LENGTH"] = previous
    assert over_limit.status_code == 422
    assert over_limit.json["detail"] == "file: The file is larger than the limit of 1 MB."
    assert over_body.status_code == 413 and over_body.is_json
    assert over_body.json["detail"] == "The file is larger than the limit of 1 MB."
    assert stored_files(evidence_dir) == []


@pytest.mark.parametrize(("role", "status"), [
    ("coordinator", 201), ("control_owner", 403), ("internal_auditor", 403),
    ("external_auditor", 403), ("viewer", 403)])
def test_who_may_push(client, db_session, controls, role, status):
    response = push(client, bearer(db_session, make_user(db_session, role=role)))
    assert response.status_code == status
    assert response.is_json


def test_list_and_download(client, db_session, settings, coordinator, controls):
    data = b"scan report"
    pushed = service.add_file_evidence(db_session, coordinator, settings,
                                       details(controls=["testcat:C.2"]), upload(data))
    service.add_link_evidence(db_session, coordinator, details(title="Wiki"),
                              "https://wiki.example.org/x")
    headers = bearer(db_session, make_user(db_session, role="internal_auditor"))
    listing = client.get("/api/v1/evidence?control=testcat:C.2", headers=headers).json
    assert listing["total"] == 1
    item = listing["items"][0]
    assert (item["id"], item["sha256"], item["freshness"]) == (
        pushed.id, hashlib.sha256(data).hexdigest(), "current")
    assert item["versions"][0]["download"].endswith(f"/evidence/{pushed.id}/download?version=1")
    assert client.get("/api/v1/evidence", headers=headers).json["total"] == 2
    response = client.get(f"/api/v1/evidence/{pushed.id}/download", headers=headers,
                          buffered=True)
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_control_and_evidence_are_404(client, db_session, coordinator, controls):
    headers = bearer(db_session, coordinator)
    response = client.get("/api/v1/evidence?control=testcat:NOPE", headers=headers)
    assert response.status_code == 404 and "testcat:NOPE" in response.json["detail"]
    assert client.get("/api/v1/evidence/999999/download", headers=headers).status_code == 404


def test_tampered_download_is_a_json_integrity_error(client, db_session, settings, coordinator,
                                                     controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"genuine"))
    path = settings.store.path_for(evidence.current_version.sha256)
    path.chmod(0o640)
    path.write_bytes(b"altered")
    response = client.get(f"/api/v1/evidence/{evidence.id}/download",
                          headers=bearer(db_session, coordinator))
    assert response.status_code == 500 and response.is_json
    assert "no longer matches the SHA-256" in response.json["detail"]
    assert b"altered" not in response.data


def test_the_session_cookie_does_not_work_for_the_api(client, login_as, controls):
    login_as("admin")
    assert client.get("/api/v1/evidence").status_code == 401
