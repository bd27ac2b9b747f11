"""Table rows as portable JSON values and back, by column type (SQLAlchemy types only).

Every value round-trips exactly: instants as ISO 8601 with their offset (UTC), dates and times
as ISO text, decimals as text, binary as base64, intervals as [days, seconds, microseconds].
A JSON column's value is wrapped in a one-element list, so SQL NULL (`null`) stays distinct
from a stored JSON null (`[null]`).
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


def kind_of(type_: sa.types.TypeEngine) -> str:
    """The portable kind of a column type: json, binary, datetime, date, … or str."""
    if isinstance(type_, sa.Interval):  # a TypeDecorator over DateTime on most databases
        return "interval"
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for cls, kind in ((sa.JSON, "json"), (sa.LargeBinary, "binary"), (sa.DateTime, "datetime"),
                      (sa.Date, "date"), (sa.Time, "time"),
                      (sa.Float, "float"), (sa.Numeric, "decimal"), (sa.Boolean, "bool"),
                      (sa.Integer, "int"), (sa.Uuid, "uuid")):
        if isinstance(type_, cls):
            return kind
    return "str"


def encode(kind: str, value):
    """A column value as a JSON value."""
    if value is None:
        return None
    if kind == "json":
        return [value]
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "interval":
        return [value.days, value.seconds, value.microseconds]
    if kind in ("decimal", "uuid"):
        return str(value)
    return value


def decode(kind: str, value):
    """A JSON value back as the column's Python value (JSON nulls as `sa.JSON.NULL`)."""
    if value is None:
        return None
    if kind == "json":
        (inner,) = value
        return sa.JSON.NULL if inner is None else inner
    if kind == "binary":
        return base64.b64decode(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "interval":
        return timedelta(days=value[0], seconds=value[1], microseconds=value[2])
    if kind == "decimal":
        return Decimal(value)
    if kind == "uuid":
        return uuid.UUID(value)
    return value


def insert_statement(table: sa.Table) -> sa.Insert:
    """An INSERT taking one parameter per column, where None in a JSON column is SQL NULL."""
    params = {}
    for column in table.columns:
        type_ = sa.JSON(none_as_null=True) if kind_of(column.type) == "json" else column.type
        params[column.name] = sa.bindparam(column.name, type_=type_)
    return sa.insert(table).values(params)


def select_statement(table: sa.Table) -> sa.Select:
    """Every row in primary-key order, plus a NULL test per JSON column (see the docstring)."""
    extra = [column.is_(None).label(f"_null_{column.name}") for column in table.columns
             if kind_of(column.type) == "json"]
    order = list(table.primary_key.columns) or list(table.columns)
    return sa.select(*table.columns, *extra).order_by(*order)


def encode_row(table: sa.Table, kinds: list[str], row) -> list:
    """A selected row (see `select_statement`) as a list of JSON values."""
    mapping = row._mapping
    values = []
    for column, kind in zip(table.columns, kinds, strict=True):
        value = mapping[column]
        if kind == "json":
            values.append(None if mapping[f"_null_{column.name}"] else [value])
        else:
            values.append(encode(kind, value))
    return values
