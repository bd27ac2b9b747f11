"""API blueprint: token authentication for every request, /me and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from ..auth.permissions import Permission, requires
from ..auth.service import user_for_token
from ..extensions import db
from . import openapi
from .spec import ApiModel, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate_bearer() -> None:
    """Resolve 'Authorization: Bearer <token>' to a user; cookies are ignored under /api."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    g.api_user = user_for_token(db.session, token.strip()) if scheme.lower() == "bearer" else None


class Me(ApiModel):
    """The user the token belongs to."""

    id: int
    email: str
    name: str
    role: str
    language: str | None
    calendar_url: str | None = None  # the secret calendar feed, if the user made one


@operation(bp, "GET", "/me", Permission.SIGNED_IN, summary="The user the token belongs to",
           tag="account", responses={200: Me})
def me():
    """The token's user."""
    from ..notifications.views import calendar_url

    user = g.api_user
    return Me(id=user.id, email=user.email, name=user.name, role=user.role,
              language=user.language, calendar_url=calendar_url(user))


@bp.get("/openapi.json")
@requires(Permission.SIGNED_IN)
def openapi_document():
    """The OpenAPI document describing every endpoint of this API."""
    from importlib.metadata import version

    return jsonify(openapi.build(version("kontrol")))

