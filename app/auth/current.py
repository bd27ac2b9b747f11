"""Who is acting in this request: the signed-in user, or the API token's user under /api."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_login import current_user

from ..extensions import login_manager


def is_api_request() -> bool:
    """API requests authenticate with bearer tokens only, never with the session cookie."""
    return request.path.startswith("/api/")


def current_actor():
    """The acting user, or None when nobody is authenticated for this request."""
    if is_api_request():
        return g.get("api_user")
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def unauthenticated():
    """401 JSON for the API; a redirect to the login page for everything else."""
    if is_api_request():
        response = jsonify(
            {"status": 401, "title": "Unauthorized",
             "detail": "Send a valid personal API token as 'Authorization: Bearer <token>'."}
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="kontrol"'
        return response
    return login_manager.unauthorized()
