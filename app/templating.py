"""Template globals and filters: the current actor, permission checks, local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Flask, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, ngettext
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

    app.jinja_env.globals["calendar_date"] = date  # e.g. calendar_date(year, 12, 31)|localdate
    app.jinja_env.filters.update(localdate=local_date, localtime=local_time, number=number,
                                 percent=percent, filesize=filesize)


# One date format per language, on every page: ISO in English (auditors compare dates across
# documents from many countries), the Danish numeric date in Danish. "short", "medium" and
# "long" all mean it; any other pattern (a month label such as "MMM yy") is used as given.
DATE_PATTERNS = {"da": "dd.MM.yyyy", "en": "yyyy-MM-dd"}
TIME_PATTERNS = {"da": "dd.MM.yyyy HH.mm", "en": "yyyy-MM-dd HH:mm"}
NAMED_FORMATS = {None, "short", "medium", "long", "full"}


def _language() -> str:
    return "da" if str(get_locale()).startswith("da") else "en"


def local_date(value, fmt: str | None = "short") -> str:
    """A date (or the date of an instant) in the user's language; "" for None."""
    if not value:
        return ""
    return format_date(value, DATE_PATTERNS[_language()] if fmt in NAMED_FORMATS else fmt)


def local_time(value, fmt: str | None = "short") -> str:
    """An instant in the configured time zone, in the user's language; "" for None."""
    if not value:
        return ""
    return format_datetime(value, TIME_PATTERNS[_language()] if fmt in NAMED_FORMATS else fmt)


def number(value, digits: int | None = None) -> str:
    """A number with the user's separators ("1.234,5" in Danish); `digits` fixes decimals."""
    if value is None:
        return "—"
    if digits is None:
        return format_decimal(value)
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""))


def percent(fraction, digits: int = 1) -> str:
    """A fraction (0.084) as a percentage in the user's style ("8,4 %" in Danish)."""
    if fraction is None:
        return "—"
    return f"{number(Decimal(str(fraction)) * 100, digits)}\u00a0%"


def filesize(size: int | None) -> str:
    """A file size in bytes, kB, MB or GB (powers of 1,000), with the user's separators."""
    if size is None:
        return "—"
    if size < 1000:
        return ngettext("%(size)s byte", "%(size)s bytes", size, size=number(size))
    for unit in ("kB", "MB", "GB", "TB"):
        size /= 1000
        if size < 1000 or unit == "TB":
            return f"{number(size, 1)}\u00a0{unit}"
    raise AssertionError("unreachable")
