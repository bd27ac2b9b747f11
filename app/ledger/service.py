"""Appending to the ledger, verifying the chain (optionally against anchors), reading it back.

Appends seal each entry with HMAC-SHA256 under the ledger key from the app's configuration
(`KONTROL_LEDGER_KEY`, or `instance/ledger_key`), never stored in the database. Verification
reads plain column tuples in batches (no ORM objects): a million entries take a few seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import String, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from ..db import utcnow
from .anchor import Anchor
from .chain import KEYED, LEGACY, canonical_json, digest, entry_text, sealer
from .models import GENESIS_HASH, LedgerEntry, LedgerHead


def ledger_key() -> bytes:
    """The key the chain is sealed with, from the running app's configuration."""
    return current_app.config["KONTROL_LEDGER_KEY"].encode("utf-8")


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
    text = entry_text(seq, at, actor_id, actor_label, action, entity_type, str(entity_id),
                      changes_text, head.hash)
    entry = LedgerEntry(seq=seq, at=at, actor_id=actor_id, actor=actor_label, action=action,
                        entity_type=entity_type, entity_id=str(entity_id), changes=changes_text,
                        prev_hash=head.hash, hash=digest(text, KEYED, ledger_key()),
                        algorithm=KEYED)
    session.add(entry)
    head.seq, head.hash = seq, entry.hash
    session.flush()
    return entry


def _primary_key(entity) -> object:
    identity = entity.__mapper__.primary_key_from_instance(entity)
    return identity[0] if len(identity) == 1 else "/".join(map(str, identity))


def current_anchor(session: Session) -> Anchor:
    """The chain's head as an anchor: the last sequence number and its hash."""
    head = session.execute(select(LedgerHead.seq, LedgerHead.hash)
                           .where(LedgerHead.id == 1)).one_or_none()
    return Anchor(head.seq, head.hash) if head else Anchor(0, GENESIS_HASH)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain; `problem` names the first entry that does not fit.

    `legacy` counts the entries at the start of the chain written before it was keyed
    (plain SHA-256, sealed by the first keyed entry); `anchors` how many anchors were checked.
    """

    entries: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str | None = None
    legacy: int = 0
    anchors: int = 0


# `at` is read as the driver returns it: on SQLite the stored text, spelt canonically by
# `instant_text` without building a datetime (a third of the time for a million entries).
_COLUMNS = (LedgerEntry.seq, type_coerce(LedgerEntry.at, String), LedgerEntry.actor_id,
            LedgerEntry.actor, LedgerEntry.action, LedgerEntry.entity_type,
            LedgerEntry.entity_id, LedgerEntry.changes, LedgerEntry.prev_hash, LedgerEntry.hash,
            LedgerEntry.algorithm)


def verify(session: Session, anchors: Iterable[Anchor] = (), batch: int = 5_000,
           key: bytes | None = None) -> VerifyResult:
    """Walk the chain in order and report the first edited, removed or inserted entry.

    Every entry must follow the one before it and match its digest; plain SHA-256 entries
    (written before keying) may only open the chain, and a chain holding entries must hold a
    keyed one, so nobody without the key can rewrite it, not even as "legacy". Each anchor must
    still be in the chain (same sequence number, same hash): a chain rewritten or cut back to
    before an anchor fails even when whoever did it held the key.

    Rows are read as plain tuples, `batch` at a time by sequence number (no ORM objects, memory
    bounded by the batch).
    """
    seal = sealer(ledger_key() if key is None else key)
    expected = {anchor.seq: anchor.hash for anchor in anchors}
    expected_seq, prev_hash, legacy, keyed = 1, GENESIS_HASH, 0, False
    connection = session.connection()
    query = select(*_COLUMNS).where(LedgerEntry.seq >= bindparam("start")) \
        .order_by(LedgerEntry.seq).limit(batch)

    def broken(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(expected_seq - 1, False, seq, problem, legacy, len(expected))

    while True:
        rows = _plain_rows(connection, query, {"start": expected_seq})
        if not rows:
            break
        for (seq, at, actor_id, actor, action, entity_type, entity_id, changes, prev,
             stored, algorithm) in rows:
            if seq != expected_seq:
                return broken(seq, f"entry {expected_seq} is missing (next is {seq})")
            if prev != prev_hash:
                return broken(seq, f"entry {seq} does not follow entry {seq - 1} "
                                   "(an entry was removed or inserted)")
            text = entry_text(seq, at, actor_id, actor, action, entity_type, entity_id,
                              changes, prev)
            if algorithm == KEYED:
                if seal(text) != stored:
                    return broken(seq, f"entry {seq} does not match its seal: it was altered "
                                       "after it was written, or this is not the ledger key "
                                       "it was sealed with")
                if legacy and not keyed:
                    problem = _seal_problem(seq, action, changes, legacy, prev)
                    if problem:
                        return broken(seq, problem)
                keyed = True
            elif algorithm == LEGACY and not keyed:
                if digest(text, LEGACY, None) != stored:
                    return broken(seq, f"entry {seq} was altered after it was written")
                legacy += 1
            else:
                return broken(seq, f"entry {seq} is not sealed with the ledger key "
                                   f"({algorithm}) although entries before it are: it was "
                                   "rewritten")
            if expected and expected.get(seq, stored) != stored:
                return broken(seq, f"entry {seq} does not match the anchor (anchor "
                                   f"{expected[seq][:12]}…, chain {stored[:12]}…): the chain "
                                   "was rewritten up to there")
            prev_hash, expected_seq = stored, seq + 1
    count = expected_seq - 1
    if count and not keyed:
        return broken(1, "no entry is sealed with the ledger key: the chain was recomputed "
                         "without it (or the database is not upgraded: run flask db upgrade)")
    beyond = [seq for seq in expected if seq > count]
    if beyond:
        return broken(count + 1, f"the chain ends at entry {count} but an anchor records entry "
                                 f"{max(beyond)} (entries were removed from the end)")
    if expected.get(0, GENESIS_HASH) != GENESIS_HASH:
        return broken(0, "the anchor for the empty chain is not the genesis hash")
    head = current_anchor(session)
    if head.seq > count:
        return broken(count + 1, f"the chain ends at entry {count} but the head records entry "
                                 f"{head.seq} (entries were removed from the end)")
    if head.seq < count:
        return broken(head.seq + 1, f"entry {head.seq + 1} was added outside the ledger "
                                    f"(the head records entry {head.seq})")
    if head.hash != prev_hash:
        return broken(count, f"entry {count} does not match the head")
    return VerifyResult(count, True, legacy=legacy, anchors=len(expected))


def _plain_rows(connection, query, parameters: dict) -> list[tuple]:
    """The rows of a Core query as the driver's own tuples.

    SQLAlchemy's Row objects cost about as much as everything else in the walk together, and
    the ledger's columns need no result processing (`at` is read as the driver returns it).
    """
    result = connection.execute(query, parameters)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _seal_problem(seq: int, action: str, changes: str, legacy: int, prev: str) -> str | None:
    """Check the entry migration 0007 wrote after the plain SHA-256 entries it sealed.

    It records the head as it stood before keying; a chain cut back or rewritten before the
    upgrade shows here, since the head no longer matches the entries it sealed.
    """
    if action != "ledger.keyed":
        return (f"entry {seq} is the first keyed entry but not the seal of the "
                f"{legacy} plain SHA-256 entries before it")
    head = json.loads(changes).get("sealed_head") or {}
    if head != {"seq": legacy, "hash": prev}:
        return (f"when the chain was keyed (entry {seq}) its head recorded entry "
                f"{head.get('seq')}, but the chain before it holds {legacy} entries ending in "
                f"{prev[:12]}…: it had been cut back or rewritten before the upgrade")
    return None


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
