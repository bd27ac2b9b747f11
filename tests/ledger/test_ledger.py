"""The hash-chained ledger: appends chain, verify names the first edited, removed or inserted
entry, the page filters, and concurrent writers still form one chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text, update

from app.db import writing
from app.extensions import db
from app.ledger import service as ledger
from app.ledger.chain import canonical_json, entry_hash
from app.ledger.models import LedgerEntry, LedgerHead
from tests.factories import SYSTEM, make_user


def _chain(session, count=4):
    for number in range(count):
        ledger.append(session, SYSTEM, "test.event", None, {"n": number},
                      entity_type="probe", entity_id=str(number))
    session.commit()
    return session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()


def test_entries_chain_to_each_other(db_session):
    entries = _chain(db_session)
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.hash
        assert entry.seq == previous.seq + 1
    assert ledger.verify(db_session).ok


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "æø"}) == '{"a":"æø","b":1}'


def test_verify_names_an_edited_entry(db_session):
    entries = _chain(db_session)
    target = entries[-2]
    db_session.execute(update(LedgerEntry).where(LedgerEntry.seq == target.seq)
                       .values(changes='{"n":999}'))
    result = ledger.verify(db_session)
    assert not result.ok and result.first_bad_seq == target.seq
    assert "altered" in result.problem


def test_verify_names_a_removed_entry(db_session):
    entries = _chain(db_session)
    target = entries[-2]
    db_session.execute(delete(LedgerEntry).where(LedgerEntry.seq == target.seq))
    result = ledger.verify(db_session)
    assert not result.ok and result.first_bad_seq == target.seq + 1
    assert f"entry {target.seq} is missing" in result.problem


def test_verify_names_an_inserted_entry(db_session):
    entries = _chain(db_session)
    last = entries[-1]
    # A forged row with a correct-looking hash, appended without moving the head.
    seq, at = last.seq + 1, last.at
    # Even sealed with the right key, an entry the head does not record is noticed.
    forged = entry_hash(seq, at, None, "mallory", "forged", "x", "1", "{}", last.hash,
                        key=ledger.ledger_key())
    db_session.add(LedgerEntry(seq=seq, at=at, actor="mallory", action="forged",
                               entity_type="x", entity_id="1", changes="{}",
                               prev_hash=last.hash, hash=forged))
    db_session.flush()
    result = ledger.verify(db_session)
    assert not result.ok and result.first_bad_seq == seq
    assert "added outside the ledger" in result.problem


def test_verify_names_an_entry_inserted_in_the_middle(db_session):
    entries = _chain(db_session, 3)
    seq, at, prev_hash = entries[2].seq, entries[2].at, entries[1].hash
    # Shift the last entry up, re-point it, and put a forged one in its place.
    db_session.execute(update(LedgerEntry).where(LedgerEntry.seq == seq)
                       .values(seq=seq + 1, prev_hash="f" * 64))
    db_session.expunge_all()
    db_session.add(LedgerEntry(seq=seq, at=at, actor="mallory", action="forged",
                               entity_type="x", entity_id="1", changes="{}",
                               prev_hash=prev_hash, hash="f" * 64))
    db_session.flush()
    result = ledger.verify(db_session)
    assert not result.ok and result.first_bad_seq == seq


def test_verify_notices_a_truncated_tail(db_session):
    entries = _chain(db_session)
    db_session.execute(delete(LedgerEntry).where(LedgerEntry.seq == entries[-1].seq))
    result = ledger.verify(db_session)
    assert not result.ok and "removed from the end" in result.problem


def test_cli_verify_exit_codes(runner, db_session):
    entries = _chain(db_session)
    ok = runner.invoke(args=["ledger", "verify"])
    assert ok.exit_code == 0 and "Ledger intact" in ok.output
    db_session.execute(update(LedgerEntry).where(LedgerEntry.seq == entries[0].seq)
                       .values(actor="someone else"))
    broken = runner.invoke(args=["ledger", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at entry {entries[0].seq}" in broken.output


def test_ledger_page_filters(client, login_as, db_session):
    login_as("internal_auditor")
    _chain(db_session)
    page = client.get("/ledger/?action=test.event&entity_id=2").get_data(as_text=True)
    assert "1 entry" in page
    assert "test.event" in page


@pytest.mark.parametrize("role,status", [("admin", 200), ("coordinator", 200),
                                         ("internal_auditor", 200), ("control_owner", 403),
                                         ("external_auditor", 403), ("viewer", 403)])
def test_ledger_page_permissions(client, login_as, role, status):
    login_as(role)
    assert client.get("/ledger/").status_code == status


def test_concurrent_appends_form_one_chain(fresh_app):
    with fresh_app.app_context():
        make_user(db.session, role="admin")  # something to chain after
        db.session.remove()

    errors = []

    def writer(number):
        with fresh_app.app_context(), writing():
            try:
                for index in range(10):
                    ledger.append(db.session, SYSTEM, "test.concurrent", None,
                                  {"writer": number, "i": index}, entity_type="probe",
                                  entity_id=f"{number}-{index}")
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with fresh_app.app_context():
        result = ledger.verify(db.session)
        assert result.ok, result.problem
        assert db.session.get(LedgerHead, 1).seq == result.entries == 1 + 40
        assert db.session.execute(text("SELECT 1")).scalar() == 1
