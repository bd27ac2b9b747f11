"""Forms offer each role what it should do, and start from the safe choice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalogue.models import Control
from app.catalogue.service import assign_owner
from app.errors import Invalid
from tests.factories import SYSTEM, make_user
from tests.html import forms, shown_value


def test_new_account_starts_as_a_viewer(client, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    create = next(form for form in forms(page) if "email" in form and "role" in form)
    assert shown_value(create["role"]) == "viewer"


def test_internal_auditors_are_not_offered_as_control_owners(client, login_as, db_session,
                                                              loaded_catalogue):
    auditor = make_user(db_session, role="internal_auditor", name="Ida Auditor")
    owner = make_user(db_session, role="control_owner", name="Mads Krogh")
    login_as("coordinator")
    control = db_session.scalar(select(Control).where(Control.key == "iso27001-2022:A.5.15"))
    for url in ("/controls/iso27001-2022:A.5.15", f"/soa/{control.soa_entry.id}"):
        page = client.get(url).get_data(as_text=True)
        owners = next(form["owner_id"] for form in forms(page) if "owner_id" in form)
        assert str(owner.id) in owners.options and str(auditor.id) not in owners.options, url
    with pytest.raises(Invalid):
        assign_owner(db_session, SYSTEM, control, auditor.id, control.version)


def test_the_planning_auditor_is_ticked_in_the_team(client, login_as, db_session,
                                                    loaded_catalogue):
    colleague = make_user(db_session, role="internal_auditor", name="Bo Colleague")
    me = login_as("internal_auditor")
    page = client.get("/audits/new").get_data(as_text=True)
    team = next(form["team"] for form in forms(page) if "team" in form)
    assert team.selected == [str(me.id)] and str(colleague.id) in team.options
