"""Domain exceptions raised by services, and the HTTP error handlers that render them.

Services raise these; views turn `Invalid` into a field error and let the others become
403/404/409 pages (or JSON problems under /api). Pure modules may raise them too: this module
imports Flask lazily, only inside `register_error_handlers`.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base for every error a service raises on purpose."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object asked for does not exist (or the actor may not know it exists)."""

    status_code = 404


class Forbidden(DomainError):
    """The actor lacks the permission for this operation on this object."""

    status_code = 403


class Invalid(DomainError):
    """Input failed validation; `field` names the form field or JSON member at fault."""

    status_code = 422

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it (pages translate it on display)."""
    return message


def invalid(field: str | None, template: str, **params) -> Invalid:
    """An `Invalid` whose English message is `template % params`, translatable where shown.

    Pure modules and the API use the English message; pages translate `template` with `params`
    (the error handlers do it for error pages, `localised` in views for form fields).
    """
    error = Invalid(field, template % params if params else template)
    error.template, error.params = template, params
    return error


class Conflict(DomainError):
    """The write clashes with the current state (a stale version, a duplicate, a locked record)."""

    status_code = 409


class IntegrityError(DomainError):
    """Stored bytes or ledger rows no longer match what was recorded."""

    status_code = 500


def register_error_handlers(app) -> None:
    """Render domain errors and HTTP errors as pages or, under /api, as JSON problems."""
    from flask import jsonify, render_template, request
    from werkzeug.exceptions import HTTPException

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def render(status: int, title: str, message: str | None, error: Exception | None = None):
        if wants_json():
            body = {"status": status, "title": title, "detail": message or title}
            if isinstance(error, Invalid) or hasattr(error, "errors"):
                body["field"] = getattr(error, "field", None)
                body["errors"] = getattr(error, "errors", None) or [
                    {"field": body["field"], "message": error.message}]
            return jsonify(body), status
        if isinstance(error, Invalid):  # pages speak the user's language; the API English
            from flask_babel import gettext

            title = gettext("Invalid input")
            if getattr(error, "template", None):
                text = gettext(error.template, **error.params)
                message = f"{error.field}: {text}" if error.field else text
        template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
        return render_template(template, status=status, title=title, message=message), status

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        from .extensions import db

        db.session.rollback()
        return render(error.status_code, type(error).__name__, str(error), error)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        from .routing import OutOfRange

        code = error.code or 500
        if isinstance(error, OutOfRange) and wants_json():
            # The API documents its path bounds: a value outside them is invalid input.
            return render(422, "Invalid input", error.message, error)
        # Werkzeug's stock descriptions are for developers; the pages say it plainly.
        detail = None if code in (403, 404, 500) else (error.description or "")
        response, status = render(code, error.name, detail)
        if code == 405 and getattr(error, "valid_methods", None):
            headers = {"Allow": ", ".join(sorted(error.valid_methods))}
            return response, status, headers
        return response, status

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        from .extensions import db

        app.logger.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return render(500, "Internal Server Error", None)
