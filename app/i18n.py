"""Language and time-zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, request, session


def select_locale() -> str:
    """The user's choice (session), else the browser's preference, else English."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    """Everyone sees instants in the configured zone."""
    return current_app.config["KONTROL_TIMEZONE"]
