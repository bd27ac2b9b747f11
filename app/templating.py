"""Template globals and filters: the current actor, permission checks, local time."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from .auth.current import current_actor
from .auth.permissions import Permission, can


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation, shown to actors holding `permission`."""

    label: object
    endpoint: str
    permission: Permission
    prefix: str


# Domains append their entries in the order they should appear.
NAVIGATION: list[NavItem] = [
    NavItem(_l("Overview"), "dashboard.index", Permission.SIGNED_IN, "/dashboard"),
]
TRAILING_NAVIGATION: list[NavItem] = [
    NavItem(_l("Ledger"), "ledger.index", Permission.VIEW_LEDGER, "/ledger"),
    NavItem(_l("Users"), "auth.list_users", Permission.MANAGE_USERS, "/admin"),
]


def navigation(actor) -> list[dict]:
    """The navigation entries `actor` may use."""
    return [
        {"label": item.label, "url": url_for(item.endpoint), "prefix": item.prefix}
        for item in (*NAVIGATION, *TRAILING_NAVIGATION) if can(actor, item.permission)
    ]


def role_label(role: str):
    """The translated name of a role."""
    from .auth.forms import ROLE_LABELS
    from .auth.permissions import Role

    return ROLE_LABELS.get(Role(role), role) if role in Role._value2member_map_ else role


def organisation_name(app: Flask) -> str:
    """The organisation's name from its profile (one query), else KONTROL_ORGANISATION."""
    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import db
    from .reports.models import OrganisationProfile

    try:
        profile = db.session.get(OrganisationProfile, 1)
    except SQLAlchemyError:  # an error page must render even when the database does not
        db.session.rollback()
        profile = None
    return profile.name if profile else app.config["KONTROL_ORGANISATION"]


def register(app: Flask) -> None:
    """Install the helpers templates use; they format, they never query."""

    @app.context_processor
    def inject() -> dict:
        actor = current_actor()
        return {
            "actor": actor,
            "may": lambda permission, obj=None: can(actor, Permission(permission), obj),
            "locale": str(get_locale()),
            "organisation": organisation_name(app),
            "navigation": navigation,
            "role_label": role_label,
            "endpoints": app.view_functions,
        }

    # "short" is ISO-like in every language: audit work compares dates across documents.
    app.jinja_env.filters["localtime"] = lambda value, fmt="medium": (
        format_datetime(value, "yyyy-MM-dd HH:mm" if fmt == "short" else fmt) if value else "")
    app.jinja_env.filters["localdate"] = lambda value, fmt="medium": (
        format_date(value, "yyyy-MM-dd" if fmt == "short" else fmt) if value else "")
