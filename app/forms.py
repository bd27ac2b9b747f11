"""Small glue between domain errors and WTForms, shared by every domain's views."""

from __future__ import annotations

import re

from flask import flash

from .errors import DomainError, Invalid
from .routing import MAX_ID

_ID_TEXT = re.compile(r"[0-9]{1,10}")


def put_error(form, error: DomainError) -> None:
    """Show a service's error on the form field it names, or as a message above the form."""
    field = getattr(form, error.field, None) if isinstance(error, Invalid) and error.field else None
    if field is not None:
        field.errors = [*getattr(field, "errors", []), error.message]
    else:
        flash(error.message, "error")


def optional_id(value) -> int | None:
    """Coerce for id fields (selects, checkboxes, hidden ids): None when empty, else an id.

    Anything that is not an id a database can hold raises ValueError, which WTForms turns into
    the field's error, so no query ever sees a number the id columns cannot hold.
    """
    if value in (None, "", "None"):
        return None
    text = str(value).strip()
    if not _ID_TEXT.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise ValueError("not an id")
    return int(text)
