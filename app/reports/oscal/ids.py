"""Stable identifiers and the pieces every OSCAL document shares (pure)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

OSCAL_VERSION = "1.2.1"  # what compliance-trestle 5.2.0 validates against
NS = "https://kontrol.example/ns/oscal"  # our namespace for props OSCAL does not define
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kontrol.example/oscal")
_NOT_TOKEN = re.compile(r"[^\w.\-]", re.UNICODE)


def stable_uuid(*parts: object) -> str:
    """A UUID derived from what it names, so exports of the same data diff cleanly."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(map(str, parts))))


def token(value: str) -> str:
    """An OSCAL token (a letter or '_' first; letters, digits, '.', '-', '_' after)."""
    text = _NOT_TOKEN.sub("_", value.strip()).lower()
    return text if text[:1].isalpha() or text[:1] == "_" else f"_{text}"


def instant(value: datetime | None) -> str:
    """An OSCAL date-time with its offset (UTC)."""
    value = value or datetime(1970, 1, 1, tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def one_line(value: str | None) -> str | None:
    """Prop values are single-line strings without surrounding space."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def prop(name: str, value, *, ns: str | None = NS, cls: str | None = None) -> dict | None:
    """A property, or None when there is no value."""
    value = one_line(value)
    if value is None:
        return None
    result = {"name": name, "value": value}
    if ns:
        result["ns"] = ns
    if cls:
        result["class"] = cls
    return result


def props(*items: dict | None) -> list[dict]:
    """The properties that have values."""
    return [item for item in items if item]


def metadata(title: str, last_modified: datetime | None, version: str, **extra) -> dict:
    """The metadata block: title, last-modified (from the data, not the clock), versions."""
    block = {"title": title, "last-modified": instant(last_modified), "version": version,
             "oscal-version": OSCAL_VERSION}
    block.update({key.replace("_", "-"): value for key, value in extra.items() if value})
    return block


def compact(value):
    """Drop empty lists, dicts and None values, recursively (OSCAL forbids empty arrays)."""
    if isinstance(value, dict):
        cleaned = {key: compact(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items()
                if item not in (None, [], {}) or key == "include-all"}  # {} means "all" there
    if isinstance(value, list):
        cleaned = [compact(item) for item in value]
        return [item for item in cleaned if item not in (None, [], {})]
    return value
