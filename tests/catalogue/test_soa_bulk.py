"""Bulk SoA edits: tick rows, set status, owner or review date; ledgered per row; all or nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.catalogue.models import Control
from app.catalogue.service import update_soa_entry
from app.ledger.models import LedgerEntry
from tests.factories import SYSTEM, make_user
from tests.html import forms

KEYS = ("iso27001-2022:A.5.1", "iso27001-2022:A.5.2", "iso27001-2022:A.5.3")


def _entries(session, keys=KEYS):
    return [session.scalar(select(Control).where(Control.key == key)).soa_entry for key in keys]


def _decide(session, entries, applicable=True):
    for entry in entries:
        update_soa_entry(session, SYSTEM, entry, applicable=applicable,
                         justification=None if applicable else "No premises.", status=None,
                         owner_id=None, last_reviewed_on=None, version=entry.version)


def _ledger_count(session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.action == "soa.updated"))


def _tick(entries, **values):
    data = {"entry": [e.id for e in entries], "next": "/soa/?catalogue=iso27001-2022", **values}
    data.update({f"version-{e.id}": e.version for e in entries})
    return data


def test_ticked_rows_get_status_owner_and_date_with_a_ledger_entry_each(
        client, login_as, db_session, loaded_catalogue):
    entries = _entries(db_session)
    _decide(db_session, entries)
    owner = make_user(db_session, role="control_owner", name="Mads Krogh")
    login_as("coordinator")
    page = client.get("/soa/?catalogue=iso27001-2022").get_data(as_text=True)
    bulk = next(form for form in forms(page) if "last_reviewed_on" in form and "csrf_token"
                in form and "owner_id" in form)
    assert "" in bulk["status"].options and str(owner.id) in bulk["owner_id"].options
    before = _ledger_count(db_session)
    response = client.post("/soa/bulk", data=_tick(
        entries, status="implemented", owner_id=owner.id, last_reviewed_on="2026-01-15"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/soa/?catalogue=iso27001-2022")
    assert "3 SoA entries updated." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    for entry in _entries(db_session):
        assert (entry.status, entry.control.owner_id, entry.last_reviewed_on) == (
            "implemented", owner.id, date(2026, 1, 15))
    assert _ledger_count(db_session) == before + 3


def test_a_stale_row_refuses_the_whole_edit(client, login_as, db_session, loaded_catalogue):
    entries = _entries(db_session)
    _decide(db_session, entries)
    login_as("coordinator")
    data = _tick(entries, status="planned")
    stale = entries[1]
    update_soa_entry(db_session, SYSTEM, stale, applicable=True, justification="Changed.",
                     status="partial", owner_id=None, last_reviewed_on=None,
                     version=stale.version)  # someone else saves A.5.2 meanwhile
    before = _ledger_count(db_session)
    response = client.post("/soa/bulk", data=data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed A.5.2" in page
    assert [e.status for e in _entries(db_session)] == [None, "partial", None]
    assert _ledger_count(db_session) == before


def test_a_status_for_a_control_not_applicable_is_refused_by_name(client, login_as, db_session,
                                                                   loaded_catalogue):
    entries = _entries(db_session)
    _decide(db_session, entries[:2])
    _decide(db_session, entries[2:], applicable=False)
    login_as("coordinator")
    response = client.post("/soa/bulk", data=_tick(entries, status="implemented"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "leave out A.5.3" in page
    assert [e.status for e in _entries(db_session)] == [None, None, None]
    # A review date fits every decided row, applicable or not.
    client.post("/soa/bulk", data=_tick(_entries(db_session), last_reviewed_on="2026-02-01"))
    assert {e.last_reviewed_on for e in _entries(db_session)} == {date(2026, 2, 1)}


def test_only_soa_editors_see_and_use_the_bulk_edit(client, login_as, db_session,
                                                    loaded_catalogue):
    entries = _entries(db_session)
    login_as("viewer")
    page = client.get("/soa/").get_data(as_text=True)
    assert 'data-testid="soa-bulk"' not in page and 'name="entry"' not in page
    assert client.post("/soa/bulk", data=_tick(entries, status="planned")).status_code == 403
