"""Upgrading a database whose ledger was written with plain SHA-256 (before migration 0007):
the old entries keep verifying with the algorithm they were written with, one keyed entry seals
them, and rewriting them afterwards (or having cut them back before) is reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.db import UTCDateTime
from app.extensions import db
from app.ledger import service as ledger
from app.ledger.chain import canonical_json, entry_hash
from app.ledger.models import LedgerEntry
from tests.conftest import _base_config, reset_database
from tests.factories import SYSTEM

pytestmark = pytest.mark.fresh_db

HEAD = sa.table("ledger_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
ENTRY = sa.table("ledger_entry", sa.column("at", UTCDateTime()), *(sa.column(name) for name in (
    "seq", "actor_id", "actor", "action", "entity_type", "entity_id", "changes", "prev_hash",
    "hash")))


def _legacy_app(url, instance, entries=5, head=None):
    """An app whose database was at 0005 holding a plain SHA-256 chain (as wave 1 wrote it),
    then upgraded. `head` overrides the head row (seq, hash) as it stood before the upgrade."""
    reset_database(url)
    app = create_app(_base_config(url, instance))
    with app.app_context():
        upgrade(revision="0005")
        prev, start, rows = "0" * 64, datetime(2025, 6, 1, tzinfo=UTC), []
        for seq in range(1, entries + 1):
            row = {"seq": seq, "at": start + timedelta(minutes=seq), "actor_id": None,
                   "actor": "system:wave1", "action": "old.event", "entity_type": "probe",
                   "entity_id": str(seq), "changes": canonical_json({"n": seq}),
                   "prev_hash": prev}
            row["hash"] = prev = entry_hash(**row)
            rows.append(row)
        seq, digest = head or (entries, prev)
        with db.engine.begin() as connection:
            connection.execute(ENTRY.insert(), rows)
            connection.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=seq, hash=digest))
        upgrade()
    return app


@pytest.fixture
def legacy_app(fresh_database_url, tmp_path):
    app = _legacy_app(fresh_database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_an_upgraded_ledger_verifies_with_its_plain_entries_sealed(legacy_app):
    with legacy_app.app_context():
        result = ledger.verify(db.session)
        assert result.ok, result.problem
        assert (result.entries, result.legacy) == (6, 5)
        seal = db.session.get(LedgerEntry, 6)
        assert (seal.action, seal.algorithm) == ("ledger.keyed", "hmac-sha256")
        ledger.append(db.session, SYSTEM, "new.event", None, {}, entity_type="probe",
                      entity_id="x")
        db.session.commit()
        assert ledger.verify(db.session).ok


def test_cli_says_which_entries_are_plain(legacy_app):
    output = legacy_app.test_cli_runner().invoke(args=["ledger", "verify"]).output
    assert "6 entries verified" in output
    assert "Entries 1–5 were written before the chain was keyed" in output


def test_plain_entries_rewritten_after_the_upgrade_fail_verify(legacy_app):
    with legacy_app.app_context():
        rows = db.session.execute(sa.select(LedgerEntry.__table__).where(LedgerEntry.seq <= 5)
                                  .order_by(LedgerEntry.seq)).all()
        prev = "0" * 64
        for row in rows:  # edit entry 3 and recompute the plain chain up to the seal
            changes = '{"n":999}' if row.seq == 3 else row.changes
            digest = entry_hash(row.seq, row.at, row.actor_id, row.actor, row.action,
                                row.entity_type, row.entity_id, changes, prev)
            db.session.execute(sa.update(LedgerEntry).where(LedgerEntry.seq == row.seq)
                               .values(changes=changes, prev_hash=f"t{row.seq}",
                                       hash=f"u{row.seq}"))
            db.session.execute(sa.update(LedgerEntry).where(LedgerEntry.seq == row.seq)
                               .values(prev_hash=prev, hash=digest))
            prev = digest
        result = ledger.verify(db.session)
        assert not result.ok and result.first_bad_seq == 6
        db.session.rollback()


def test_a_plain_chain_cut_back_before_the_upgrade_is_reported(fresh_database_url, tmp_path):
    # Before the upgrade someone deleted entries 4 and 5 but left the head on entry 5.
    app = _legacy_app(fresh_database_url, tmp_path / "instance", entries=3, head=(5, "f" * 64))
    with app.app_context():
        result = ledger.verify(db.session)
        assert not result.ok and result.first_bad_seq == 4
        assert "cut back or rewritten before the upgrade" in result.problem
        db.session.remove()
        db.engine.dispose()
