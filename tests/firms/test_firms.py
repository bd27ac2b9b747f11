"""Audit firms: the administrator records them and their members; engagements name them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Invalid
from app.firms import service as firms
from app.firms.models import AuditFirm
from tests.factories import SYSTEM, make_user


def _firm(db_session, **changes):
    details = {"name": "Revision A/S", "cvr": "33 77 12 31", "address": "Vej 1, 8000 Aarhus C",
               "city": "Aarhus", **changes}
    return firms.save_firm(db_session, SYSTEM, None, firms.FirmDetails(**details))


def test_a_firm_keeps_its_cvr_as_eight_digits_and_prints_it_in_pairs(db_session):
    firm = _firm(db_session)
    assert firm.cvr == "33771231" and firm.cvr_display == "33 77 12 31"


@pytest.mark.parametrize("changes,field", [
    ({"cvr": "1234"}, "cvr"), ({"name": " "}, "name"), ({"city": ""}, "city"),
    ({"address": ""}, "address")])
def test_a_firm_needs_its_details(db_session, changes, field):
    with pytest.raises(Invalid) as caught:
        _firm(db_session, **changes)
    assert caught.value.field == field
    assert db_session.scalar(select(AuditFirm.id)) is None


def test_members_are_external_auditors_of_one_firm_with_mne_numbers(db_session):
    firm, other = _firm(db_session), _firm(db_session, name="Anden Revision", cvr="11223344")
    partner = make_user(db_session, "external_auditor")
    member = firms.add_member(db_session, SYSTEM, firm, partner.id, "MNE 26801")
    assert member.mne == "mne26801" and member.is_state_authorised
    with pytest.raises(Invalid, match="already belongs to Revision A/S"):
        firms.add_member(db_session, SYSTEM, other, partner.id, None)
    with pytest.raises(Invalid, match="not an external auditor"):
        firms.add_member(db_session, SYSTEM, firm, make_user(db_session, "internal_auditor").id,
                         None)
    with pytest.raises(Invalid) as caught:
        firms.add_member(db_session, SYSTEM, firm, make_user(db_session, "external_auditor").id,
                         "26-801")
    assert caught.value.field == "mne"


def test_the_firm_pages_are_for_administrators(client, login_as, db_session):
    login_as("admin")
    response = client.post("/firms/", data={"name": "Revision B", "cvr": "12345678",
                                            "address": "Gade 2", "city": "Odense"})
    assert response.status_code == 302
    firm = db_session.scalar(select(AuditFirm).where(AuditFirm.name == "Revision B"))
    auditor = make_user(db_session, "external_auditor", name="Karl Revisor")
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "Karl Revisor" in page  # offered as a member
    client.post(f"/firms/{firm.id}/members", data={"user_id": auditor.id, "mne": "mne12345"})
    assert "mne12345" in client.get(f"/firms/{firm.id}").get_data(as_text=True)
    bad = client.post("/firms/", data={"name": "X", "cvr": "12", "address": "a", "city": "b"})
    assert bad.status_code == 422 and "eight digits" in bad.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "internal_auditor", "external_auditor",
                                  "viewer", "control_owner"])
def test_other_roles_do_not_manage_firms(client, login_as, role):
    login_as(role)
    assert client.get("/firms/").status_code == 403


def test_an_isae_engagement_is_planned_with_its_firm_in_the_form(client, login_as, db_session,
                                                                 loaded_catalogue):
    firm = _firm(db_session)
    partner = make_user(db_session, "external_auditor", name="Lene Partner")
    firms.add_member(db_session, SYSTEM, firm, partner.id, "mne45871")
    login_as("internal_auditor")
    form = client.get("/audits/new").get_data(as_text=True)
    assert "Lene Partner (Revision A/S, mne45871)" in form
    response = client.post("/audits/new", data={
        "name": "ISAE 3000 GDPR 2025", "kind": "isae3000_type2", "period_start": "2025-01-01",
        "period_end": "2025-12-31", "catalogues": "isae3000-gdpr", "firm_id": firm.id,
        "partner_id": partner.id})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lene Partner" in page and "Revision A/S" in page
    missing = client.post("/audits/new", data={
        "name": "No firm", "kind": "isae3000_type2", "period_start": "2025-01-01",
        "period_end": "2025-12-31", "catalogues": "isae3000-gdpr"})
    assert missing.status_code == 422
    assert "Choose the audit firm" in missing.get_data(as_text=True)
