"""Ledger entries and the single head row that serialises appends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime
from ..extensions import db
from .chain import KEYED, LEGACY

GENESIS_HASH = "0" * 64


class LedgerEntry(db.Model):
    """One appended fact: who did what to which entity, chained to the previous entry's hash.

    `hash` is the HMAC-SHA256, under the ledger key, of the entry's canonical text, which
    includes `prev_hash` (see chain.py).
    """

    __tablename__ = "ledger_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[str] = mapped_column(String(128))
    changes: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # How `hash` was computed: KEYED (HMAC under the ledger key) for every entry written since
    # migration 0007; rows from before carry LEGACY (plain SHA-256), the server default.
    algorithm: Mapped[str] = mapped_column(String(16), default=KEYED, server_default=LEGACY)


class LedgerHead(db.Model):
    """Exactly one row (id 1): the last sequence number and hash; locked on every append."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
