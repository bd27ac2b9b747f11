"""E-mail digests: one message per recipient and scan, plain text and HTML, in their language.

Sent over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD,
MAIL_DEFAULT_SENDER). Links point at KONTROL_BASE_URL, since a scheduler has no request to
take the host from.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from ..auth.models import User
from .display import due_text, threshold_text
from .models import Notification
from .providers import kind_label

TIMEOUT_SECONDS = 20


def mail_enabled(app: Flask) -> bool:
    """Whether e-mail is configured (MAIL_SERVER set)."""
    return bool(app.config.get("MAIL_SERVER"))


def external_url(app: Flask, endpoint: str, values: dict) -> str:
    """An absolute address under KONTROL_BASE_URL, built without a request."""
    base = urlsplit(app.config.get("KONTROL_BASE_URL") or "http://127.0.0.1:5000")
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/",
                               url_scheme=base.scheme or "http")
    try:
        return adapter.build(endpoint, dict(values), force_external=True)
    except Exception:  # noqa: BLE001 - a link to an endpoint that no longer exists
        return adapter.build("notifications.list_notifications", {}, force_external=True)


def language_of(app: Flask, user: User) -> str:
    """The user's language, else the app's default."""
    languages = app.config.get("LANGUAGES", ("en", "da"))
    return user.language if user.language in languages else app.config["BABEL_DEFAULT_LOCALE"]


def build_digest(app: Flask, user: User, notifications: list[Notification]) -> EmailMessage:
    """The digest for `user`: subject, plain text and HTML, all in the user's language."""
    language = language_of(app, user)
    with force_locale(language):
        items = [{"kind": str(kind_label(n.kind)), "title": n.title_in(language),
                  "threshold": threshold_text(n.threshold),
                  "due": due_text(n.due_at),
                  "url": external_url(app, n.endpoint, n.values)} for n in notifications]
        context = {"user": user, "items": items,
                   "list_url": external_url(app, "notifications.list_notifications", {}),
                   "preferences_url": external_url(app, "notifications.preferences", {}),
                   "organisation": app.config.get("KONTROL_ORGANISATION", "Kontrol")}
        subject = _("Kontrol: %(count)d deadline reminders", count=len(items)) if len(
            items) != 1 else _("Kontrol: %(kind)s – %(title)s", kind=items[0]["kind"],
                               title=items[0]["title"])
        plain = app.jinja_env.get_template("notifications/digest.txt").render(**context)
        html = app.jinja_env.get_template("notifications/digest.html").render(**context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = app.config.get("MAIL_DEFAULT_SENDER") or "kontrol@localhost"
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="kontrol")
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the body: set_content clears Content-*
    return message


def smtp_sender(app: Flask) -> Callable[[User, list[Notification]], None]:
    """A `send(user, notifications)` that builds the digest and hands it to the SMTP server."""
    config = app.config

    def send(user: User, notifications: list[Notification]) -> None:
        message = build_digest(app, user, notifications)
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                          timeout=TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)

    return send
