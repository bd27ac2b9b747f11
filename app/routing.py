"""Bounded URL values: an id in an address is never larger than a database id can be.

`register(app)` makes the bounded converter the app's `int` converter, so every `<int:…_id>`
route refuses 0 and anything above MAX_ID before the view runs: no query ever sees a number
the database cannot hold (SQLite raises OverflowError above 2^63, PostgreSQL an out-of-range
error above 2^31 for its INTEGER columns; both were 500s). A refused value is a 404 page ("no
such thing can exist") and, under /api, a 422 problem naming the path parameter, as its OpenAPI
schema bounds it. It also refuses text no column can store (NUL, lone surrogates) in the
address, the query and forms, with a 422 naming the parameter.
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Rule

#: The largest id a path or query may carry: ids are INTEGER columns, 32-bit signed on PostgreSQL
#: (tests/test_routing.py checks that every primary key can hold it).
MAX_ID = 2**31 - 1


class OutOfRange(NotFound):
    """A number in the address outside the range its route accepts."""

    def __init__(self, field: str, minimum: int, maximum: int):
        self.field = field
        self.message = f"{field} must be a whole number from {minimum} to {maximum}."
        self.errors = [{"field": field, "message": self.message}]
        super().__init__(self.message)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:name>`: digits only, from 1 (or `min`) to MAX_ID (or `max`)."""

    regex = r"[0-9]{1,30}"  # longer is no id at all (and int() refuses over 4300 digits)

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)
        self.variable_name = "id"

    def to_python(self, value: str) -> int:
        """The number, or OutOfRange (a routing error the error handlers render)."""
        number = int(value)
        if not self.min <= number <= self.max:
            raise OutOfRange(self.variable_name, self.min, self.max)
        return number


class NamedConverterRule(Rule):
    """A rule whose converters know the name of the value they convert (for messages)."""

    def get_converter(self, variable_name, converter_name, args, kwargs):
        """The converter, told which path parameter it serves."""
        converter = super().get_converter(variable_name, converter_name, args, kwargs)
        converter.variable_name = variable_name
        return converter


def unstorable(text: str) -> bool:
    """Whether `text` holds what no database text column takes: NUL, or a lone surrogate."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


#: Parameters that never reach a column or a query: `next` goes only through the one redirect
#: helper, which refuses odd targets itself (and a sign-in must not fail over a crafted link).
NEVER_STORED = frozenset({"next"})


def refuse_unstorable_text() -> None:
    """Refuse a request whose address, query or form carries text no column can store.

    PostgreSQL refuses NUL in text and neither driver encodes a lone surrogate, so without this
    such a value is a 500 wherever it reaches a query. It becomes a 422 naming the parameter.
    """
    from flask import request

    from .errors import N_, invalid

    sources = [request.view_args or {}, request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for source in sources:
        items = source.items(multi=True) if hasattr(source, "getlist") else source.items()
        for name, value in items:
            name = name if isinstance(name, str) else ""  # a multipart part may have none
            if name in NEVER_STORED:
                continue
            if isinstance(value, str) and (unstorable(value) or unstorable(name)):
                raise invalid(name if name and not unstorable(name) else None,
                              N_("Text may not contain NUL characters or unpaired surrogates."))


def register(app) -> None:
    """Install the bounded `int` converter (call before any route is added) and the text guard."""
    app.url_rule_class = NamedConverterRule
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_unstorable_text)
