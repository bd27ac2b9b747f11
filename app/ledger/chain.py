"""Pure hash-chain rules: the canonical form of an entry and how its hash is computed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum


def _default(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot put {type(value).__name__} in the ledger")


def canonical_json(value) -> str:
    """JSON with sorted keys, no insignificant white space, UTF-8 kept: one text per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default)


def entry_hash(seq: int, at: datetime, actor_id: int | None, actor: str, action: str,
               entity_type: str, entity_id: str, changes: str, prev_hash: str) -> str:
    """SHA-256 over every field of an entry, the previous hash included."""
    body = canonical_json({
        "seq": seq, "at": at, "actor_id": actor_id, "actor": actor, "action": action,
        "entity_type": entity_type, "entity_id": entity_id, "changes": changes,
        "prev_hash": prev_hash,
    })
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
