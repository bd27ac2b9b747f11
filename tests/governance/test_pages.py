"""Governance pages: they render in both languages, keep a fixed number of queries, show
errors at their fields, open edit forms with stored values, and respect external scope."""

from __future__ import annotations

from flask_babel import refresh
from sqlalchemy import select

from app.governance.models import (
    Dispensation,
    GoverningDocument,
    Risk,
    RiskAssessment,
    TechnologyAdoption,
)
from tests.evidence.support import sign_in
from tests.governance.builders import fill


def first(session, model):
    return session.scalar(select(model.id).order_by(model.id))


def urls(session) -> list[str]:
    return ["/governance/documents", "/governance/documents/due",
            f"/governance/documents/{first(session, GoverningDocument)}",
            "/governance/assessments",
            f"/governance/assessments/{first(session, RiskAssessment)}",
            "/governance/risks", f"/governance/risks/{first(session, Risk)}",
            "/governance/technology",
            f"/governance/technology/{first(session, TechnologyAdoption)}",
            "/governance/dispensations",
            f"/governance/dispensations/{first(session, Dispensation)}",
            "/controls/iso27001-2022:A.5.8", "/soa/", "/"]


def test_pages_render_in_english_and_danish(client, db_session, settings, controls, coordinator,
                                            owner):
    fill(db_session, settings, coordinator, owner, 2)
    sign_in(client, coordinator)
    for url in urls(db_session):
        response = client.get(url)
        assert response.status_code == 200, url
    client.post("/language", data={"language": "da", "next": "/"})
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    for url in urls(db_session):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="da">' in response.get_data(as_text=True), url
    page = client.get("/governance/documents").get_data(as_text=True)
    assert "Styrende dokumenter" in page


def test_pages_keep_a_fixed_number_of_queries(client, db_session, settings, controls,
                                              coordinator, owner, count_queries):
    fill(db_session, settings, coordinator, owner, 2)
    sign_in(client, coordinator)
    client.get("/")  # the signed-in user is loaded again after the builders' commits
    few = {}
    for url in urls(db_session):
        with count_queries() as statements:
            assert client.get(url).status_code == 200, url
        few[url] = len(statements)
    fill(db_session, settings, coordinator, owner, 18, start=2)
    client.get("/")
    for url in urls(db_session):
        with count_queries() as statements:
            assert client.get(url).status_code == 200, url
        assert len(statements) == few[url], (url, few[url], len(statements))
