"""Small glue between domain errors and WTForms, shared by every domain's views."""

from __future__ import annotations

from flask import flash

from .errors import DomainError, Invalid


def put_error(form, error: DomainError) -> None:
    """Show a service's error on the form field it names, or as a message above the form."""
    field = getattr(form, error.field, None) if isinstance(error, Invalid) and error.field else None
    if field is not None:
        field.errors = [*getattr(field, "errors", []), error.message]
    else:
        flash(error.message, "error")
