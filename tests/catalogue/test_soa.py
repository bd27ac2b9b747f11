"""Editing the Statement of Applicability, its rules, permissions, ledger and XLSX export."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.catalogue.models import Control
from app.catalogue.service import update_soa_entry
from app.errors import Conflict, Forbidden, Invalid
from app.ledger.models import LedgerEntry
from tests.factories import SYSTEM, make_user


def _entry(session, key="iso27001-2022:A.7.5"):
    return session.scalar(select(Control).where(Control.key == key)).soa_entry


def test_coordinator_records_a_decision_in_the_ui(client, login_as, db_session, loaded_catalogue):
    login_as("coordinator")
    owner = make_user(db_session, role="control_owner", name="Mads Krogh")
    entry = _entry(db_session)
    response = client.post(f"/soa/{entry.id}", data={
        "applicable": "yes", "justification": "Server room in a basement.",
        "status": "partial", "owner_id": owner.id, "last_reviewed_on": "2026-01-15",
        "version": entry.version})
    assert response.status_code == 302
    page = client.get("/controls/iso27001-2022:A.7.5").get_data(as_text=True)
    assert "Partially implemented" in page and "Server room in a basement." in page
    assert "Mads Krogh" in page
    entry = _entry(db_session)
    assert (entry.applicable, entry.status, entry.control.owner_id) == (True, "partial", owner.id)
    ledger = db_session.scalars(select(LedgerEntry).where(LedgerEntry.action == "soa.updated")
                                ).one()
    assert "iso27001-2022:A.7.5" in ledger.changes


def test_not_applicable_needs_a_justification(client, login_as, db_session, loaded_catalogue):
    login_as("coordinator")
    entry = _entry(db_session)
    response = client.post(f"/soa/{entry.id}", data={
        "applicable": "no", "justification": "  ", "status": "", "owner_id": "",
        "version": entry.version})
    assert response.status_code == 422
    assert "Say why the control is not applicable." in response.get_data(as_text=True)
    assert _entry(db_session).applicable is None  # nothing written


def test_not_applicable_clears_the_status(db_session, loaded_catalogue):
    entry = _entry(db_session)
    update_soa_entry(db_session, SYSTEM, entry, applicable=False, justification="No premises.",
                     status="implemented", owner_id=None, last_reviewed_on=None,
                     version=entry.version)
    assert entry.status is None


def test_review_dates_are_judged_by_the_local_date_not_the_servers(
        db_session, loaded_catalogue, monkeypatch):
    # 23:30 UTC on 30 November is already 1 December in Copenhagen: a coordinator there who
    # records today's review is not told the date is in the future.
    monkeypatch.setattr("app.time.utcnow", lambda: datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    entry = _entry(db_session)
    update_soa_entry(db_session, SYSTEM, entry, applicable=True, justification=None,
                     status="implemented", owner_id=None, last_reviewed_on=date(2026, 12, 1),
                     version=entry.version)
    assert entry.last_reviewed_on == date(2026, 12, 1)
    with pytest.raises(Invalid, match="cannot be in the future"):
        update_soa_entry(db_session, SYSTEM, entry, applicable=True, justification=None,
                         status="implemented", owner_id=None,
                         last_reviewed_on=date(2026, 12, 2), version=entry.version)


def test_two_editors_never_overwrite_each_other(client, login_as, db_session, loaded_catalogue):
    login_as("coordinator")
    entry = _entry(db_session)
    stale = entry.version
    update_soa_entry(db_session, SYSTEM, entry, applicable=True, justification=None,
                     status="planned", owner_id=None, last_reviewed_on=None, version=stale)
    response = client.post(f"/soa/{entry.id}", data={
        "applicable": "yes", "status": "implemented", "version": stale})
    assert "Someone else changed this entry" in response.get_data(as_text=True)
    assert _entry(db_session).status == "planned"
    with pytest.raises(Conflict):
        update_soa_entry(db_session, SYSTEM, entry, applicable=True, justification=None,
                         status="implemented", owner_id=None, last_reviewed_on=None,
                         version=stale)


def test_status_needs_a_decision_first(db_session, loaded_catalogue):
    entry = _entry(db_session)
    with pytest.raises(Invalid) as caught:
        update_soa_entry(db_session, SYSTEM, entry, applicable=None, justification=None,
                         status="implemented", owner_id=None, last_reviewed_on=None,
                         version=entry.version)
    assert caught.value.field == "applicable"


def test_viewer_cannot_owner_assignment_or_soa(db_session, loaded_catalogue):
    viewer = make_user(db_session, role="viewer")
    with pytest.raises(Forbidden):
        update_soa_entry(db_session, viewer, _entry(db_session), applicable=True,
                         justification=None, status=None, owner_id=None, last_reviewed_on=None,
                         version=1)


@pytest.mark.parametrize("role,edit,view", [
    ("admin", 200, 200), ("coordinator", 200, 200), ("control_owner", 403, 200),
    ("internal_auditor", 403, 200), ("external_auditor", 403, 200), ("viewer", 403, 200)])
def test_soa_permissions(client, login_as, db_session, loaded_catalogue, role, edit, view):
    login_as(role)
    entry = _entry(db_session)
    assert client.get("/soa/").status_code == view
    assert client.get(f"/soa/{entry.id}").status_code == edit
    page = client.get("/controls/iso27001-2022:A.7.5").get_data(as_text=True)
    assert ("Edit SoA entry" in page) == (edit == 200)


def test_soa_filters(client, login_as, db_session, loaded_catalogue):
    login_as("viewer")
    entry = _entry(db_session)
    update_soa_entry(db_session, SYSTEM, entry, applicable=False, justification="No premises.",
                     status=None, owner_id=None, last_reviewed_on=None, version=entry.version)
    page = client.get("/soa/?applicable=no").get_data(as_text=True)
    assert "A.7.5" in page and "A.5.1<" not in page
    page = client.get("/soa/?catalogue=soa-extensions&q=dominance").get_data(as_text=True)
    assert "X.2" in page and "A.7.5" not in page


def test_xlsx_export_lists_every_decision(client, login_as, db_session, loaded_catalogue):
    login_as("external_auditor")
    entry = _entry(db_session)
    update_soa_entry(db_session, SYSTEM, entry, applicable=False,
                     justification="No premises in exposed areas.", status=None, owner_id=None,
                     last_reviewed_on=None, version=entry.version)
    response = client.get("/soa/export.xlsx?catalogue=iso27001-2022")
    assert response.status_code == 200
    assert "attachment;" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 93
    by_id = {row[2]: row for row in rows}
    assert by_id["A.7.5"][4:6] == ("No", "No premises in exposed areas.")
    assert by_id["A.5.1"][4] == "Not decided"
    assert sheet["A4"].value == "Catalogue"


def test_xlsx_export_in_danish(client, login_as, db_session, loaded_catalogue):
    login_as("coordinator")
    client.post("/language", data={"language": "da"})
    sheet = load_workbook(io.BytesIO(client.get("/soa/export.xlsx").data)).active
    assert sheet["A4"].value == "Katalog"
    titles = {row[2]: row[3] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert titles["A.5.1"] == "Politikker for informationssikkerhed"


def test_owner_assignment_on_the_control_page(client, login_as, db_session, loaded_catalogue):
    login_as("coordinator")
    owner = make_user(db_session, role="control_owner", name="Ida Owner")
    control = db_session.scalar(select(Control).where(Control.key == "isae3000-gdpr:B.9"))
    response = client.post("/controls/isae3000-gdpr:B.9/owner",
                           data={"owner_id": owner.id, "version": control.version})
    assert response.status_code == 302
    assert "Ida Owner" in client.get("/controls/isae3000-gdpr:B.9").get_data(as_text=True)
    viewer_only = make_user(db_session, role="viewer")
    response = client.post("/controls/isae3000-gdpr:B.9/owner",
                           data={"owner_id": viewer_only.id, "version": control.version})
    assert "Choose an active user who may own controls." in client.get(
        "/controls/isae3000-gdpr:B.9").get_data(as_text=True)
