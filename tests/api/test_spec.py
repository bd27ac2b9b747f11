"""The typed API layer: models parse input and shape output, and the document follows them."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Blueprint, g
from pydantic import Field, field_validator

from app.api import openapi, spec
from app.auth import service as accounts
from app.auth.permissions import Permission
from app.extensions import db
from tests.factories import SYSTEM, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class ThingIn(spec.ApiModel):
    """A thing to create."""

    title: str = Field(min_length=1, max_length=20)
    due_on: date
    tags: list[str] = []


class ThingOut(spec.ApiModel):
    """A created thing."""

    id: int
    title: str
    due_on: date


class ThingQuery(spec.QueryModel):
    """Filters."""

    tag: list[str] = []
    page: int = Field(1, ge=1, le=1000)


@pytest.fixture
def registered(app):
    """The real app, built first: its operations register on import, before a swap."""
    return app


@pytest.fixture
def thing_api(registered, fresh_database_url, tmp_path, monkeypatch):
    """An app with one extra typed blueprint under /api/v1/things (removed afterwards)."""
    monkeypatch.setattr(spec, "OPERATIONS", list(spec.OPERATIONS))
    bp = Blueprint("things", __name__, url_prefix="/api/v1/things")

    @bp.before_request
    def authenticate():
        from app.auth.service import user_for_token

        token = g.get("test_token_header", "")
        g.api_user = user_for_token(db.session, token)

    @spec.operation(bp, "POST", "/<int:thing_id>", Permission.MANAGE_USERS, summary="Make",
                    tag="things", body=ThingIn, responses={201: ThingOut}, errors=(409,))
    def make_thing(thing_id: int, body: ThingIn):
        return ThingOut(id=thing_id, title=body.title, due_on=body.due_on), 201, {"X-Seen": "1"}

    @spec.operation(bp, "GET", "", Permission.SIGNED_IN, summary="List", tag="things",
                    query=ThingQuery, responses={200: ThingQuery})
    def list_things(query: ThingQuery):
        return query

    from tests.conftest import migrate_fresh

    app = migrate_fresh(fresh_database_url, tmp_path)
    app.register_blueprint(bp)
    from app.extensions import csrf

    csrf.exempt(bp)

    @app.before_request
    def keep_header():
        from flask import request

        g.test_token_header = request.headers.get("Authorization", "").removeprefix("Bearer ")

    with app.app_context():
        user = make_user(db.session, role="admin")
        viewer = make_user(db.session, role="viewer")
        _row, token = accounts.create_token(db.session, SYSTEM, user, "t")
        _row, viewer_token = accounts.create_token(db.session, SYSTEM, viewer, "v")
        yield app.test_client(), token, viewer_token
        db.session.remove()
        db.engine.dispose()


@pytest.mark.fresh_db
def test_body_is_parsed_and_the_response_shaped_by_the_models(thing_api):
    client, token, viewer_token = thing_api
    ok = client.post("/api/v1/things/7", json={"title": "Policy", "due_on": "2026-03-31"},
                     headers=bearer(token))
    assert ok.status_code == 201 and ok.headers["X-Seen"] == "1"
    assert ok.json == {"id": 7, "title": "Policy", "due_on": "2026-03-31"}

    bad = client.post("/api/v1/things/7", json={"title": "", "due_on": "31-03-2026"},
                      headers=bearer(token))
    assert bad.status_code == 422
    assert bad.json["field"] == "title"
    assert {e["field"] for e in bad.json["errors"]} == {"title", "due_on"}

    extra = client.post("/api/v1/things/7", json={"title": "x", "due_on": "2026-01-01",
                                                   "owner": "me"}, headers=bearer(token))
    assert extra.status_code == 422 and extra.json["field"] == "owner"

    form = client.post("/api/v1/things/7", data={"title": "x"}, headers=bearer(token))
    assert form.status_code == 415

    huge = client.post(f"/api/v1/things/{2**63}", json={"title": "x", "due_on": "2026-01-01"},
                       headers=bearer(token))
    assert huge.status_code == 422 and huge.json["field"] == "thing_id"

    # Permission comes before parsing: no 422 leaks to someone who may not call it at all.
    assert client.post("/api/v1/things/7", json={}, headers=bearer(viewer_token)
                       ).status_code == 403
    assert client.post("/api/v1/things/7", json={}).status_code == 401


@pytest.mark.fresh_db
def test_query_lists_and_bounds(thing_api):
    client, token, _viewer = thing_api
    answer = client.get("/api/v1/things?tag=a&tag=b&page=3&utm=x", headers=bearer(token))
    assert answer.json == {"tag": ["a", "b"], "page": 3}
    assert client.get("/api/v1/things?page=0", headers=bearer(token)).status_code == 422


@pytest.mark.fresh_db
def test_document_is_generated_from_the_models(thing_api):
    client, token, _viewer = thing_api
    document = openapi.build("test")
    post = document["paths"]["/things/{thing_id}"]["post"]
    assert post["parameters"][0]["schema"]["maximum"] == spec.MAX_ID
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ThingIn"}
    assert set(post["responses"]) == {"201", "401", "403", "409", "415", "422"}
    thing_in = document["components"]["schemas"]["ThingIn"]
    assert thing_in["required"] == ["title", "due_on"]
    assert thing_in["additionalProperties"] is False
    listing = document["paths"]["/things"]["get"]
    tag = next(p for p in listing["parameters"] if p["name"] == "tag")
    assert tag["schema"]["type"] == "array" and tag["explode"] is True
    assert "403" not in listing["responses"]  # every role may list


def test_me_is_typed(client, db_session):
    user = make_user(db_session)
    _row, token = accounts.create_token(db_session, SYSTEM, user, "me")
    assert client.get("/api/v1/me", headers=bearer(token)).json == {
        "id": user.id, "email": user.email, "name": user.name, "role": "viewer",
        "language": user.language, "calendar_url": None}
    document = client.get("/api/v1/openapi.json", headers=bearer(token)).json
    schema = document["paths"]["/me"]["get"]["responses"]["200"]["content"]
    assert schema["application/json"]["schema"] == {"$ref": "#/components/schemas/Me"}
    assert set(document["components"]["schemas"]["Me"]["required"]) == {
        "id", "email", "name", "role", "language"}


def test_405_names_the_allowed_methods(client, db_session):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405 and response.headers["Allow"]
    assert "GET" in response.headers["Allow"]


class PartIn(spec.ApiModel):
    """The JSON part of an upload."""

    title: str = Field(min_length=1, max_length=20)
    on: spec.IsoDate
    until: spec.OptionalIsoDate = None

    @field_validator("title")
    @classmethod
    def _no_shouting(cls, value):
        if value.isupper():
            raise ValueError("Write the title in ordinary letters.")
        return value


@pytest.fixture
def upload_api(registered, fresh_database_url, tmp_path, monkeypatch):
    """An app with a typed multipart operation under /api/v1/parts (removed afterwards)."""
    monkeypatch.setattr(spec, "OPERATIONS", list(spec.OPERATIONS))
    bp = Blueprint("parts", __name__, url_prefix="/api/v1/parts")

    @bp.before_request
    def authenticate():
        from flask import request

        from app.auth.service import user_for_token

        header = request.headers.get("Authorization", "").removeprefix("Bearer ")
        g.api_user = user_for_token(db.session, header)

    body = spec.RequestBody({"multipart/form-data": {"schema": {
        "type": "object", "required": ["meta"],
        "properties": {"file": {"type": "string", "format": "binary"}, "meta": PartIn}}}})

    @spec.operation(bp, "POST", "", Permission.SIGNED_IN, summary="Upload", tag="parts",
                    body=body, responses={201: ThingOut})
    def upload_part():
        part = spec.json_part("meta", PartIn, "Send a 'meta' part holding a JSON object.")
        return ThingOut(id=1, title=part.title, due_on=part.on), 201

    from app.extensions import csrf
    from tests.conftest import migrate_fresh

    app = migrate_fresh(fresh_database_url, tmp_path)
    app.register_blueprint(bp)
    csrf.exempt(bp)
    with app.app_context():
        user = make_user(db.session, role="viewer")
        _row, token = accounts.create_token(db.session, SYSTEM, user, "t")
        yield app.test_client(), token
        db.session.remove()
        db.engine.dispose()


@pytest.mark.fresh_db
def test_json_parts_are_parsed_by_their_model_and_named_in_errors(upload_api):
    import json

    client, token = upload_api

    def post(meta):
        data = {"meta": meta if isinstance(meta, str) else json.dumps(meta)}
        return client.post("/api/v1/parts", data=data, headers=bearer(token))

    ok = post({"title": "Policy", "on": "2026-03-31", "until": ""})
    assert ok.status_code == 201 and ok.json["due_on"] == "2026-03-31"
    cases = [
        ({"title": "POLICY", "on": "2026-03-31"}, "title", "Write the title in ordinary"),
        ({"title": "Policy"}, "on", "Give a value for on."),
        ({"title": "Policy", "on": "31/03/2026"}, "on", "is not a date"),
        ({"title": "Policy", "on": "1989-12-31"}, "on", "between 1990-01-01 and 2100-12-31"),
        ({"title": "Policy", "on": 20260331}, "on", "Give a date such as"),
        ({"title": "Po\u0000licy", "on": "2026-03-31"}, "title", "NUL"),
        ({"title": "Po\ud800licy", "on": "2026-03-31"}, "title", "surrogates"),
        ("[1, 2]", "meta", "JSON object"),
        ("{nope", "meta", "not valid JSON"),
    ]
    for meta, field, words in cases:
        response = post(meta)
        assert response.status_code == 422, meta
        assert response.json["field"] == field and words in response.json["detail"], (
            meta, response.json)
    missing = client.post("/api/v1/parts", data={}, headers=bearer(token))
    assert missing.status_code == 422 and missing.json["field"] == "meta"


@pytest.mark.fresh_db
def test_models_named_in_a_request_body_are_referenced_in_the_document(upload_api):
    document = openapi.build("test")
    content = document["paths"]["/parts"]["post"]["requestBody"]["content"]
    meta = content["multipart/form-data"]["schema"]["properties"]["meta"]
    assert meta == {"$ref": "#/components/schemas/PartIn"}
    part = document["components"]["schemas"]["PartIn"]
    assert part["required"] == ["title", "on"] and part["properties"]["on"]["format"] == "date"
    assert {"type": "null"} in part["properties"]["until"]["anyOf"]


@pytest.mark.fresh_db
def test_ids_beyond_the_database_are_refused_before_the_view(thing_api):
    client, token, _viewer = thing_api
    for number in (spec.MAX_ID + 1, 2**63, 10**25, 0):
        response = client.post(f"/api/v1/things/{number}",
                               json={"title": "x", "due_on": "2026-01-01"}, headers=bearer(token))
        assert response.status_code == 422 and response.json["field"] == "thing_id", number
    at_most = client.post(f"/api/v1/things/{spec.MAX_ID}",
                          json={"title": "x", "due_on": "2026-01-01"}, headers=bearer(token))
    assert at_most.status_code == 201


@pytest.mark.fresh_db
def test_text_no_database_stores_is_refused_in_queries(thing_api):
    client, token, _viewer = thing_api
    response = client.get("/api/v1/things?tag=a%00b", headers=bearer(token))
    assert response.status_code == 422 and response.json["field"] == "tag"


class FlagIn(spec.ApiModel):
    """A body with a boolean and a number, which pydantic alone would coerce."""

    on: bool
    count: int = Field(0, ge=0, le=10)
    label: str | None = None


def test_json_bodies_must_have_the_types_their_schema_names():
    assert spec.parse(FlagIn, {"on": True, "count": 3.0}, from_json=True).count == 3
    for data, field in (({"on": 0}, "on"), ({"on": "true"}, "on"), ({"on": True, "count": "7"},
                        "count"), ({"on": True, "count": True}, "count"),
                        ({"on": True, "label": 5}, "label")):
        with pytest.raises(spec.ApiInvalid) as caught:
            spec.parse(FlagIn, data, from_json=True)
        assert caught.value.field == field, data
    assert spec.parse(FlagIn, {"on": "true", "count": "7"}).count == 7  # query strings are text


class SinceQuery(spec.QueryModel):
    """A date filter, as a list endpoint takes it."""

    since: date | None = None


def test_dates_must_be_written_as_dates_in_queries_and_bodies():
    assert spec.parse(SinceQuery, {"since": "2026-03-31"}).since == date(2026, 3, 31)
    for value in ("0", "1700000000", "31/03/2026"):
        with pytest.raises(spec.ApiInvalid) as caught:
            spec.parse(SinceQuery, {"since": value})
        assert caught.value.field == "since", value
    with pytest.raises(spec.ApiInvalid) as caught:
        spec.parse(ThingIn, {"title": "x", "due_on": "0"}, from_json=True)
    assert caught.value.field == "due_on"
