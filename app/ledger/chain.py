"""Pure hash-chain rules: the canonical text of an entry and how its digest is computed.

Every entry's canonical text is the same JSON object (sorted keys, no insignificant white space,
UTF-8 kept) of its fields, the previous entry's digest included. Entries written since migration
0007 are sealed with HMAC-SHA256 under the ledger key, which is kept outside the database
(`KONTROL_LEDGER_KEY` or `instance/ledger_key`): whoever can write to the database but does not
hold the key cannot recompute a valid chain. Entries written before that are plain SHA-256
(`LEGACY`); they are still checked, and the first keyed entry, whose HMAC covers the last plain
digest, seals them against later rewriting.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

LEGACY = "sha256"  # entries written before the chain was keyed (migration 0007)
KEYED = "hmac-sha256"
ALGORITHMS = (LEGACY, KEYED)

_BLOCK = 64  # SHA-256's block size, for HMAC's key padding
_quote = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) uses


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


def instant_text(at: datetime | str) -> str:
    """An instant as the chain spells it: ISO 8601 in UTC with microseconds, like `_default`.

    Also takes the text SQLite returns for a stored UTC instant ('YYYY-MM-DD HH:MM:SS.ffffff',
    SQLAlchemy's storage format), which verify reads unparsed: parsing a million datetimes
    only to print them again costs seconds.
    """
    if isinstance(at, str):
        if len(at) == 26 and at[10] == " " and at[19] == ".":
            return f"{at[:10]}T{at[11:]}+00:00"
        at = datetime.fromisoformat(at).replace(tzinfo=UTC)  # any other spelling: parse it
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def entry_text(seq: int, at: datetime | str, actor_id: int | None, actor: str, action: str,
               entity_type: str, entity_id: str, changes: str, prev_hash: str) -> bytes:
    """The canonical text of an entry, as UTF-8 bytes.

    Byte for byte `canonical_json` of the entry's fields (a test pins that), written out by
    hand because verifying a million entries spends most of its time here otherwise.
    """
    if at.__class__ is str and len(at) == 26 and at[10] == " " and at[19] == ".":
        at = f"{at[:10]}T{at[11:]}+00:00"  # instant_text's fast path, without the call
    else:
        at = instant_text(at)
    return (
        f'{{"action":{_quote(action)},"actor":{_quote(actor)},'
        f'"actor_id":{"null" if actor_id is None else actor_id},'
        f'"at":"{at}",'
        f'"changes":{_quote(changes)},"entity_id":{_quote(entity_id)},'
        f'"entity_type":{_quote(entity_type)},"prev_hash":{_quote(prev_hash)},'
        f'"seq":{seq}}}'
    ).encode()


def sealer(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 under `key` as a function of the text (hex digest), for hashing many texts.

    RFC 2104 with the padded keys hashed once, so each text costs two SHA-256 copies instead
    of a key schedule; a test checks it against `hmac`.
    """
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))

    def seal(text: bytes) -> str:
        first = inner.copy()
        first.update(text)
        second = outer.copy()
        second.update(first.digest())
        return second.hexdigest()

    return seal


def digest(text: bytes, algorithm: str, key: bytes | None) -> str:
    """The hex digest of an entry's text: HMAC-SHA256 under `key`, or plain SHA-256 (legacy)."""
    if algorithm == KEYED:
        if not key:
            raise ValueError("the ledger key is needed to seal or check a keyed entry")
        return hmac.digest(key, text, "sha256").hex()
    if algorithm == LEGACY:
        return hashlib.sha256(text).hexdigest()
    raise ValueError(f"unknown ledger algorithm {algorithm!r}")


def entry_hash(seq: int, at: datetime, actor_id: int | None, actor: str, action: str,
               entity_type: str, entity_id: str, changes: str, prev_hash: str,
               key: bytes | None = None) -> str:
    """An entry's digest: HMAC-SHA256 under `key` when given, plain SHA-256 (legacy) otherwise."""
    text = entry_text(seq, at, actor_id, actor, action, entity_type, entity_id, changes,
                      prev_hash)
    return digest(text, KEYED if key is not None else LEGACY, key)
