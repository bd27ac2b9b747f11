"""Appending to the ledger, verifying the chain, and reading it back with filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import utcnow
from .chain import canonical_json, entry_hash
from .models import GENESIS_HASH, LedgerEntry, LedgerHead


def append(session: Session, actor, action: str, entity, changes: dict | None = None,
           *, entity_type: str | None = None, entity_id: str | None = None) -> LedgerEntry:
    """Append one entry in the caller's transaction; flushes, never commits.

    `entity` is a model instance (its table name and primary key are recorded) or None with
    explicit `entity_type` and `entity_id`. The head row is locked (SELECT … FOR UPDATE on
    PostgreSQL; SQLite serialises writers itself) so concurrent appends form one chain.
    """
    if entity is not None:
        session.flush()
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id or str(_primary_key(entity))
    head = session.scalars(
        select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        head = LedgerHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
    at = utcnow()
    actor_id = getattr(actor, "id", None)
    actor_label = getattr(actor, "label", None) or "anonymous"
    changes_text = canonical_json(changes or {})
    seq = head.seq + 1
    digest = entry_hash(seq, at, actor_id, actor_label, action, entity_type, str(entity_id),
                        changes_text, head.hash)
    entry = LedgerEntry(seq=seq, at=at, actor_id=actor_id, actor=actor_label, action=action,
                        entity_type=entity_type, entity_id=str(entity_id), changes=changes_text,
                        prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.flush()
    return entry


def _primary_key(entity) -> object:
    identity = entity.__mapper__.primary_key_from_instance(entity)
    return identity[0] if len(identity) == 1 else "/".join(map(str, identity))


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain; `problem` names the first entry that does not fit."""

    entries: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order and report the first edited, removed or inserted entry."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(LedgerEntry).where(LedgerEntry.seq > last_seq)
            .order_by(LedgerEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(count, False, row.seq,
                                    f"entry {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != prev_hash:
                return VerifyResult(count, False, row.seq,
                                    f"entry {row.seq} does not follow entry {row.seq - 1} "
                                    "(an entry was removed or inserted)")
            recomputed = entry_hash(row.seq, row.at, row.actor_id, row.actor, row.action,
                                    row.entity_type, row.entity_id, row.changes, row.prev_hash)
            if recomputed != row.hash:
                return VerifyResult(count, False, row.seq,
                                    f"entry {row.seq} was altered after it was written")
            prev_hash, expected_seq, count = row.hash, expected_seq + 1, count + 1
            last_seq = row.seq
        session.expunge_all()
    head = session.get(LedgerHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq > count:
        return VerifyResult(count, False, count + 1,
                            f"the chain ends at entry {count} but the head records entry "
                            f"{head_seq} (entries were removed from the end)")
    if head_seq < count:
        return VerifyResult(count, False, head_seq + 1,
                            f"entry {head_seq + 1} was added outside the ledger "
                            f"(the head records entry {head_seq})")
    if head_hash != prev_hash:
        return VerifyResult(count, False, count, f"entry {count} does not match the head")
    return VerifyResult(count, True)


@dataclass(frozen=True)
class LedgerFilter:
    """Filters for the ledger page; all optional."""

    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    since: date | None = None
    until: date | None = None


def list_entries(session: Session, filters: LedgerFilter, tz, page: int = 1, per_page: int = 50):
    """One page of entries, newest first, plus the total count, for the given filters."""
    query = select(LedgerEntry)
    if filters.actor:
        query = query.where(LedgerEntry.actor.ilike(f"%{filters.actor}%"))
    if filters.action:
        query = query.where(LedgerEntry.action == filters.action)
    if filters.entity_type:
        query = query.where(LedgerEntry.entity_type == filters.entity_type)
    if filters.entity_id:
        query = query.where(LedgerEntry.entity_id == filters.entity_id)
    if filters.since:
        query = query.where(LedgerEntry.at >= datetime.combine(filters.since, time(), tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), tz)
        query = query.where(LedgerEntry.at < end)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    entries = session.scalars(
        query.order_by(LedgerEntry.seq.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return entries, total


def known_actions(session: Session) -> list[str]:
    """Distinct action names, for the filter's choices."""
    return list(session.scalars(select(LedgerEntry.action).distinct().order_by(LedgerEntry.action)))
