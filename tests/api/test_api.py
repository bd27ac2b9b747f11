"""Personal API tokens: created once, stored hashed, revocable; /me and the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import service as accounts
from app.auth.models import ApiToken
from tests.factories import SYSTEM, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_token_created_in_the_ui_is_shown_once_and_works(client, login_as, db_session):
    user = login_as("internal_auditor")
    client.post("/account/tokens", data={"tok-name": "CI pipeline"})
    page = client.get("/account").get_data(as_text=True)
    token = page.split('<code class="token">')[1].split("</code>")[0].strip()
    assert token.startswith("kt_")
    assert token not in client.get("/account").get_data(as_text=True)  # only once
    stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != token and token not in stored.token_hash
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json["email"] == user.email and me.json["role"] == "internal_auditor"


def test_revoked_and_unknown_tokens_are_refused(client, db_session):
    user = make_user(db_session)
    row, token = accounts.create_token(db_session, SYSTEM, user, "script")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    accounts.revoke_token(db_session, SYSTEM, row.id)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer("kt_made_up")).status_code == 401


def test_cli_token_is_printed_once(runner, client, db_session):
    user = make_user(db_session)
    result = runner.invoke(args=["tokens", "create", user.email, "--name", "nightly export"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert client.get("/api/v1/me", headers=bearer(token)).json["email"] == user.email


def test_openapi_documents_every_api_route(app, client, db_session):
    user = make_user(db_session)
    _row, token = accounts.create_token(db_session, SYSTEM, user, "docs")
    document = client.get("/api/v1/openapi.json", headers=bearer(token)).json
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        path = rule.rule.removeprefix("/api/v1")
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", f"{{{argument}}}")
            path = path.replace(f"<int:{argument}>", f"{{{argument}}}")
            path = path.replace(f"<path:{argument}>", f"{{{argument}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


def test_unknown_api_path_is_json(client, db_session):
    user = make_user(db_session)
    _row, token = accounts.create_token(db_session, SYSTEM, user, "x")
    response = client.get("/api/v1/nothing-here", headers=bearer(token))
    assert response.status_code == 404
    assert response.is_json and response.json["status"] == 404
