"""Global search: by code or words, grouped by kind, only what the user may read, fixed cost."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.audits.models import Deviation
from app.incidents.models import Incident
from tests.html import visible_text


def _groups(client, text: str) -> dict[str, str]:
    page = client.get("/search", query_string={"q": text})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = {}
    for part in html.split('data-testid="search-')[1:]:
        kind = part.split('"')[0]
        found[kind] = visible_text(part.split("</section>")[0].split(">", 1)[1])
    return found


def test_a_control_code_finds_the_control_first(client, demo, sign_in):
    sign_in(demo["coordinator"])
    groups = _groups(client, "A.5.15")
    assert next(iter(groups)) == "controls"
    assert groups["controls"].split("›")[0].strip().startswith("Controls")
    page = client.get("/search?q=A.5.15").get_data(as_text=True)
    assert 'href="/controls/iso27001-2022:A.5.15"' in page
    assert "A.5.15 Access control" in visible_text(page)


def test_words_find_every_kind_the_role_may_read(client, db_session, demo, sign_in):
    deviation = db_session.scalars(select(Deviation)).first()
    incident = db_session.scalars(select(Incident)).first()
    sign_in(demo["coordinator"])
    assert "findings" in _groups(client, deviation.title[:20])
    assert "incidents" in _groups(client, incident.title[:20])
    assert "subprocessors" in _groups(client, "Nordic Hosting")
    assert "documents" in _groups(client, "policy")
    assert "evidence" in _groups(client, "minutes")
    assert "engagements" in _groups(client, "ISAE 3000 GDPR 2025")


def test_external_auditors_find_only_what_their_lists_show(client, db_session, demo,
                                                           sign_in):
    sign_in(demo["external_auditor"])
    for text, listing, prefix in (("a", "/deviations/?q=a", "/deviations/"),
                                  ("a", "/subprocessors/?q=a&per_page=100", "/subprocessors/"),
                                  ("a", "/incidents/?q=a", "/incidents/"),
                                  ("a", "/governance/documents?q=a", "/governance/documents/")):
        found = set(re.findall(rf'href="({re.escape(prefix)}\d+)"',
                               client.get("/search", query_string={"q": text}).get_data(
                                   as_text=True)))
        listed = set(re.findall(rf'href="({re.escape(prefix)}\d+)"',
                                client.get(listing).get_data(as_text=True)))
        assert found <= listed, (prefix, found - listed)


def test_control_owners_find_only_the_incidents_they_reported(client, db_session, demo,
                                                              sign_in):
    owner = demo["control_owner"]
    others = db_session.scalars(select(Incident).where(
        (Incident.reported_by_id != owner.id) | Incident.reported_by_id.is_(None))).all()
    assert others
    sign_in(owner)
    for incident in others:
        page = client.get("/search", query_string={"q": incident.title}).get_data(as_text=True)
        assert f'href="/incidents/{incident.id}"' not in page


def test_nothing_found_says_so(client, demo, sign_in):
    sign_in(demo["viewer"])
    page = client.get("/search?q=zzzqqq").get_data(as_text=True)
    assert 'data-testid="search-empty"' in page


def test_search_costs_the_same_queries_whatever_the_data(client, db_session, demo, sign_in,
                                                         count_queries):
    from app.evidence import service as evidence

    sign_in(demo["coordinator"])
    client.get("/search?q=minutes")

    def cost() -> int:
        with count_queries() as statements:
            assert client.get("/search?q=minutes").status_code == 200
        return len(statements)

    def add(count: int) -> None:
        for number in range(count):
            evidence.add_note_evidence(db_session, demo["coordinator"], evidence.EvidenceDetails(
                title=f"Minutes extra {number}", controls=["iso27001-2022:A.5.1"],
                period_start=date(2026, 1, 1), description="Approved."))

    add(4)
    before = cost()
    add(40)  # ten times as many matches
    assert cost() == before
