"""Walks the URL map: every route declares a permission, denies anonymous users, and every
state-changing form route refuses a request without a CSRF token."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from app.auth.permissions import PUBLIC_ENDPOINTS

SAMPLE_VALUES = {"int": "1", "string": "x", "path": "x/y", "default": "x"}


def _url(rule: Rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument].__class__.__name__.lower()
        value = "1" if "integer" in converter else "x"
        url = url.replace(f"<{argument}>", value)
        for kind in SAMPLE_VALUES:
            url = url.replace(f"<{kind}:{argument}>", value)
    return url


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def test_every_route_declares_a_permission(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not hasattr(app.view_functions[rule.endpoint], "required_permission")
    ]
    assert undeclared == []


def test_only_login_static_and_health_are_public(app):
    public = sorted(
        rule.endpoint for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "required_permission", "x") is None
    )
    assert public == ["auth.login", "auth.login_code", "health", "notifications.calendar_feed"]


def test_every_endpoint_denies_an_anonymous_user(app, client):
    checked = 0
    for rule in _rules(app):
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
                assert response.is_json
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/login" in response.headers["Location"], (method, url)
            checked += 1
    assert checked >= 10


def test_every_state_changing_form_route_requires_a_csrf_token(app, client, login_as):
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        rules = [rule for rule in app.url_map.iter_rules() if not rule.rule.startswith("/api/")
                 and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}]
        assert rules
        for rule in rules:
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                response = client.open(_url(rule), method=method, data={"x": "1"})
                assert response.status_code == 400, (method, rule.rule, response.status_code)
                assert b"security token" in response.data
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_api_ignores_the_session_cookie(client, login_as):
    login_as("admin")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Bearer" in response.json["detail"]


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_security_headers(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(client, login_as):
    login_as("viewer")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_templates_contain_no_inline_script(app):
    from pathlib import Path

    offenders = []
    for template in Path(app.template_folder).rglob("*.html"):
        text = template.read_text()
        if "<script>" in text or " onclick=" in text or " onchange=" in text or "<style>" in text:
            offenders.append(template.name)
    assert offenders == []


def test_unknown_page_is_a_clean_404(client, login_as):
    login_as("viewer")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is nothing at this address." in response.data
    assert b"Traceback" not in response.data


def test_unexpected_error_shows_no_internals(app, client, login_as, monkeypatch):
    login_as("viewer")
    from app.dashboard import service

    def explode(*args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "overview", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert b"secret internals" not in response.data
    assert b"Something went wrong on our side" in response.data
