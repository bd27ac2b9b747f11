"""Saved filters on the controls, SoA and evidence lists: private, ledgered, only filters."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.ledger.models import LedgerEntry
from app.saved_filters.models import SavedFilter
from tests.factories import TEST_PASSWORD, make_user


def _chips(page: str) -> dict[str, str]:
    return {name: href.replace("&amp;", "&") for href, name in re.findall(
        r'<a href="([^"]+)" data-testid="saved-filter">([^<]+)</a>', page)}


@pytest.mark.parametrize(("url", "list_url", "query"), [
    ("/controls/", "/controls/", "catalogue=iso27001-2022&status=implemented"),
    ("/soa/", "/soa/", "catalogue=iso27001-2022&status=planned&applicable=yes"),
    ("/evidence/", "/evidence/", "q=minutes&kind=file&freshness=expired"),
])
def test_save_apply_and_remove_a_filter(client, login_as, db_session, loaded_catalogue, url,
                                        list_url, query):
    login_as("coordinator")
    fields = dict(pair.split("=") for pair in query.split("&"))
    list_name = list_url.strip("/").split("/")[0]
    list_name = {"controls": "controls", "soa": "soa", "evidence": "evidence"}[list_name]
    response = client.post(f"/filters/{list_name}", data={
        **fields, "page": "3", "evil": "x", "name": "  My   view "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{list_url}?{query}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filter “My view” saved." in page
    assert _chips(page) == {"My view": f"{list_url}?{query}"}  # no page, nothing foreign
    assert client.get(f"{list_url}?{query}").status_code == 200
    saved = db_session.scalar(select(SavedFilter))
    response = client.post(f"/filters/{saved.id}/remove")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filter “My view” removed." in page and _chips(page) == {}
    actions = db_session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.entity_type == "saved_filter")).all()
    assert actions == ["saved_filter.saved", "saved_filter.removed"]


def test_saved_filters_are_private(client, login_as, db_session, loaded_catalogue):
    other = make_user(db_session, role="coordinator")
    client.post("/login", data={"email": other.email, "password": TEST_PASSWORD})
    client.post("/filters/soa", data={"status": "planned", "name": "Theirs"})
    theirs = db_session.scalar(select(SavedFilter))
    client.post("/logout")
    login_as("viewer")
    assert _chips(client.get("/soa/").get_data(as_text=True)) == {}
    assert client.post(f"/filters/{theirs.id}/remove").status_code == 404
    assert db_session.get(SavedFilter, theirs.id) is not None


def test_same_name_replaces_and_empty_filters_are_refused(client, login_as, db_session,
                                                          loaded_catalogue):
    login_as("coordinator")
    client.post("/filters/soa", data={"status": "planned", "name": "Work"})
    client.post("/filters/soa", data={"status": "partial", "name": "work"})
    assert db_session.scalars(select(SavedFilter.query)).all() == ["status=partial"]
    response = client.post("/filters/soa", data={"name": "Nothing"})
    assert "Choose some filters first" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert client.post("/filters/nosuchlist", data={"name": "x", "q": "y"}).status_code == 404
