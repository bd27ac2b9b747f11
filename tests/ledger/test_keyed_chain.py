"""The keyed chain: entries sealed with HMAC under a key outside the database, so a chain edited
and recomputed (with plain SHA-256 or a wrong key) fails verify; anchors catch a chain cut back
with its head moved, even by someone holding the key."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from app import create_app
from app.ledger import service as ledger
from app.ledger.anchor import Anchor, format_anchor, parse_anchors
from app.ledger.chain import KEYED, LEGACY, canonical_json, entry_hash, entry_text
from app.ledger.models import LedgerEntry, LedgerHead
from tests.factories import SYSTEM

WRONG_KEY = b"k" * 64


def _chain(session, count=6):
    for number in range(count):
        ledger.append(session, SYSTEM, "test.event", None, {"n": number, "text": "æ\"\\\n"},
                      entity_type="probe", entity_id=str(number))
    session.commit()
    return session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()


def _rehash_from(session, start_seq, *, key, algorithm=KEYED, edit=None):
    """What an attacker with write access does: edit one entry, recompute every hash after it
    and move the head, so the chain is internally consistent again."""
    rows = session.execute(select(LedgerEntry.__table__).order_by(LedgerEntry.seq)).all()
    prev = "0" * 64
    for row in rows:
        values = dict(row._mapping)
        if row.seq < start_seq:
            prev = row.hash
            continue
        if row.seq == start_seq and edit:
            values.update(edit)
        values["prev_hash"] = prev
        values["hash"] = entry_hash(values["seq"], values["at"], values["actor_id"],
                                    values["actor"], values["action"], values["entity_type"],
                                    values["entity_id"], values["changes"], prev, key=key)
        values["algorithm"] = algorithm
        # prev_hash and hash are unique: clear this row's first so the swap never collides.
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == row.seq)
                        .values(prev_hash=f"tmp{row.seq}", hash=f"tmp-{row.seq}"))
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == row.seq).values(
            changes=values["changes"], actor=values["actor"], prev_hash=values["prev_hash"],
            hash=values["hash"], algorithm=algorithm))
        prev = values["hash"]
    session.execute(update(LedgerHead).where(LedgerHead.id == 1)
                    .values(seq=rows[-1].seq, hash=prev))
    session.expunge_all()


@pytest.mark.parametrize("value", [
    "plain", "æøå ÆØÅ", 'quote " and \\ backslash', "line\nbreak\ttab\r", "\x00\x1f control",
    "\u2028\u2029 separators", "emoji 🔐", "",
])
def test_entry_text_is_the_canonical_json(value):
    at = datetime(2026, 3, 29, 1, 30, 5, 123, tzinfo=UTC)
    for actor_id in (None, 7):
        fields = {"seq": 12, "at": at, "actor_id": actor_id, "actor": value, "action": value,
                  "entity_type": value, "entity_id": value, "changes": value,
                  "prev_hash": "a" * 64}
        assert entry_text(**fields) == canonical_json(fields).encode("utf-8")


def test_entries_are_sealed_with_hmac_under_the_ledger_key(db_session):
    entry = _chain(db_session, 1)[0]
    text = entry_text(entry.seq, entry.at, entry.actor_id, entry.actor, entry.action,
                      entry.entity_type, entry.entity_id, entry.changes, entry.prev_hash)
    assert entry.algorithm == KEYED
    assert entry.hash == hmac.new(ledger.ledger_key(), text, hashlib.sha256).hexdigest()
    assert entry.hash != hashlib.sha256(text).hexdigest()


@pytest.mark.parametrize("how", ["plain sha256, marked legacy", "plain sha256, marked keyed",
                                 "wrong key"])
def test_an_edited_and_rehashed_chain_fails_verify(db_session, how):
    entries = _chain(db_session)
    target = entries[2].seq
    key, algorithm = {"plain sha256, marked legacy": (None, LEGACY),
                      "plain sha256, marked keyed": (None, KEYED),
                      "wrong key": (WRONG_KEY, KEYED)}[how]
    _rehash_from(db_session, target, key=key, algorithm=algorithm,
                 edit={"changes": '{"n":999}'})
    result = ledger.verify(db_session)
    assert not result.ok
    assert result.first_bad_seq == target


def test_a_chain_recomputed_entirely_as_legacy_fails_verify(db_session):
    _chain(db_session)
    _rehash_from(db_session, 1, key=None, algorithm=LEGACY, edit={"actor": "mallory"})
    result = ledger.verify(db_session)
    assert not result.ok
    assert "no entry is sealed with the ledger key" in result.problem


def test_verify_with_another_key_names_the_key(db_session):
    _chain(db_session, 2)
    result = ledger.verify(db_session, key=WRONG_KEY)
    assert not result.ok and result.first_bad_seq == 1
    assert "not the ledger key" in result.problem


def test_a_truncated_chain_with_its_head_moved_back_fails_verify_with_an_anchor(db_session):
    entries = _chain(db_session)
    anchor = ledger.current_anchor(db_session)
    assert anchor == Anchor(entries[-1].seq, entries[-1].hash)
    keep = entries[-3]
    db_session.execute(delete(LedgerEntry).where(LedgerEntry.seq > keep.seq))
    db_session.execute(update(LedgerHead).values(seq=keep.seq, hash=keep.hash))
    # Without an anchor a cut-back chain is indistinguishable from a shorter one …
    assert ledger.verify(db_session).ok
    # … with one, it is not.
    result = ledger.verify(db_session, [anchor])
    assert not result.ok
    assert f"an anchor records entry {anchor.seq}" in result.problem


def test_a_chain_rewritten_with_the_key_fails_verify_with_an_anchor(db_session):
    entries = _chain(db_session)
    anchor = ledger.current_anchor(db_session)
    _rehash_from(db_session, entries[1].seq, key=ledger.ledger_key(),
                 edit={"changes": '{"n":999}'})
    assert ledger.verify(db_session).ok  # whoever holds the key can recompute the chain …
    result = ledger.verify(db_session, [anchor])
    assert not result.ok and result.first_bad_seq == anchor.seq  # … but not the anchor
    assert "does not match the anchor" in result.problem


def test_anchors_of_a_growing_chain_still_verify(db_session):
    _chain(db_session, 2)
    early = ledger.current_anchor(db_session)
    _chain(db_session, 3)
    result = ledger.verify(db_session, [early, ledger.current_anchor(db_session)])
    assert result.ok and result.anchors == 2


def test_anchor_lines_are_found_anywhere_in_a_file():
    anchor = Anchor(42, "ab" * 32)
    line = format_anchor(anchor, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert line == f"kontrol-ledger-anchor seq=42 hash={'ab' * 32} at=2026-01-02T03:04:05Z"
    other = format_anchor(Anchor(1, "c" * 64), datetime.now(UTC))
    text = f"Subject: ledger anchor\n\n> {line}\nsha  file\n# {other}\n"
    assert parse_anchors(text) == [anchor, Anchor(1, "c" * 64)]
    assert parse_anchors("kontrol-ledger-anchor seq=1 hash=short") == []


def test_cli_anchor_and_verify_with_anchor(runner, db_session, tmp_path):
    entries = _chain(db_session)
    out = tmp_path / "anchor.txt"
    printed = runner.invoke(args=["ledger", "anchor", "--out", str(out)])
    assert printed.exit_code == 0
    assert f"seq={entries[-1].seq} hash={entries[-1].hash}" in printed.output
    assert out.read_text().strip() == printed.output.strip()
    ok = runner.invoke(args=["ledger", "verify", "--anchor", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "anchors" in ok.output

    keep = entries[-2]
    db_session.execute(delete(LedgerEntry).where(LedgerEntry.seq > keep.seq))
    db_session.execute(update(LedgerHead).values(seq=keep.seq, hash=keep.hash))
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    broken = runner.invoke(args=["ledger", "verify", "--anchor", str(out)])
    assert broken.exit_code == 1
    assert "removed from the end" in broken.output

    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n")
    refused = runner.invoke(args=["ledger", "verify", "--anchor", str(empty)])
    assert refused.exit_code == 2 and "holds no line" in refused.output


def test_the_ledger_key_is_generated_into_the_instance_folder(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})
    path = tmp_path / "ledger_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert app.config["KONTROL_LEDGER_KEY"] == path.read_text().strip()
    again = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                        "INSTANCE_PATH": str(tmp_path)})
    assert again.config["KONTROL_LEDGER_KEY"] == app.config["KONTROL_LEDGER_KEY"]


def test_the_ledger_key_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KONTROL_LEDGER_KEY", "e" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})
    assert app.config["KONTROL_LEDGER_KEY"] == "e" * 40
    assert not (tmp_path / "ledger_key").exists()
    monkeypatch.setenv("KONTROL_LEDGER_KEY", "short")
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                    "INSTANCE_PATH": str(tmp_path)})
