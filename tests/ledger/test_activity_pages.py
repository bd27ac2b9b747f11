"""The dashboard's recent activity and the ledger page say what happened in words, in the
reader's language, with links; the feed stays with the roles that read the ledger, and the
pages cost the same queries however many entries they show."""

from __future__ import annotations

import itertools

import pytest

from app.ledger import service as ledger
from tests.factories import SYSTEM, make_user


def append(session, actor, action, entity_type, entity_id, changes=None):
    """One ledger entry, as a service writes it."""
    return ledger.append(session, actor, action, None, changes or {}, entity_type=entity_type,
                         entity_id=str(entity_id))


@pytest.fixture
def activity(db_session):
    """A control owner's upload and a coordinator's evidence request in the ledger."""
    mette = make_user(db_session, role="control_owner", name="Mette Hansen")
    append(db_session, mette, "evidence.uploaded", "evidence", 7, {
        "title": "Access review Q3", "controls": ["iso27001-2022:A.5.15"], "kind": "file"})
    append(db_session, SYSTEM, "evidence_request.created", "evidence_request", 2, {
        "control": "iso27001-2022:A.8.15", "assignee": mette.email, "due_on": "2026-11-25"})
    db_session.commit()
    return mette


def test_the_dashboard_says_what_happened_in_words(client, login_as, activity):
    coordinator = login_as("coordinator", name="Signe Holm")
    page = client.get("/").get_data(as_text=True)
    feed = page.split('data-testid="recent-activity"')[1].split("</section>")[0]
    assert ('Mette Hansen uploaded <a href="/evidence/7">evidence “Access review Q3”</a> for '
            "A.5.15") in feed
    assert ('Kontrol asked Mette Hansen for evidence for <a href="/controls/iso27001-2022:A.8.15">'
            "A.8.15</a> by 2026-11-25") in feed
    assert "Signe Holm signed in" in feed
    for code in ("evidence.uploaded", "evidence_request.created", "auth.login",
                 f"user {coordinator.id}"):
        assert code not in feed


def test_the_dashboard_says_it_in_danish(client, login_as, activity):
    login_as("coordinator", name="Signe Holm")
    client.post("/language", data={"language": "da", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    feed = page.split('data-testid="recent-activity"')[1].split("</section>")[0]
    assert "Seneste aktivitet" in feed
    assert ('Mette Hansen uploadede <a href="/evidence/7">dokumentationen “Access review Q3”</a> '
            "til A.5.15") in feed
    assert "Kontrol bad Mette Hansen om dokumentation for" in feed
    assert "Signe Holm skiftede brugerfladen til dansk" in feed
    assert "Signe Holm loggede ind" in feed
    assert " uploaded " not in feed and " signed in" not in feed and "evidence.uploaded" not in feed


@pytest.mark.parametrize("role", ["control_owner", "external_auditor", "viewer"])
def test_the_feed_stays_with_the_roles_that_read_the_ledger(client, login_as, activity, role):
    login_as(role)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="recent-activity"' not in page
    assert "Access review Q3" not in page and "Mette Hansen" not in page


def test_the_ledger_page_keeps_the_raw_code_under_each_sentence(client, login_as, activity):
    login_as("internal_auditor", name="Ida Winther")
    page = client.get("/ledger/?action=evidence.uploaded").get_data(as_text=True)
    assert ('Mette Hansen uploaded <a href="/evidence/7">evidence “Access review Q3”</a> for '
            "A.5.15") in page
    assert (f'<code class="raw" title="As recorded in the ledger: action, entity, actor">'
            f"evidence.uploaded · evidence 7 · {activity.email}</code>") in page


# One of each kind of thing whose name is looked up, and people named by e-mail.
MIXED = [
    ("evidence.updated", "evidence", {"title": ["a", "b"]}),
    ("deviation.responded", "deviation", {"root_cause": [None, "x"]}),
    ("test.planned", "control_test", {"planned_size": [4, 5]}),
    ("sample.expanded", "sample", {"size": 30}),
    ("population.imported", "population", {"rows": 12}),
    ("user.updated", "user", {"role": ["viewer", "coordinator"]}),
    ("evidence_request.created", "evidence_request", {"control": "x:A.1",
                                                      "assignee": "someone@example.org"}),
    ("incident.closed", "incident", {"closed_on": "2026-01-02"}),
    ("duty.completed", "duty", {"due_on": "2026-01-01"}),
    ("subprocessor_objection.recorded", "subprocessor_objection", {"notice": 3}),
    ("bundle.built", "export_bundle", {"files": 3}),
    ("firm.member_added", "audit_firm_member", {"firm": "R&P", "user": "a@example.org"}),
    ("widget.frobbed", "widget", {}),
]


def _fill(session, count: int, kinds: list) -> None:
    people = [make_user(session, role="coordinator") for _ in range(3)]
    for number, (action, kind, changes) in zip(range(count), itertools.cycle(kinds)):
        append(session, people[number % 3], action, kind, number + 1, changes)
    session.commit()


# The ledger page shows 50 entries (all kinds, each of them several times); the dashboard 8.
@pytest.mark.parametrize("url,kinds", [("/ledger/", MIXED), ("/", MIXED[:2])])
def test_the_pages_cost_the_same_queries_for_ten_times_the_entries(
        client, login_as, db_session, count_queries, url, kinds):
    login_as("admin")
    _fill(db_session, len(kinds), kinds)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _fill(db_session, len(kinds) * 9, kinds)
    with count_queries() as large:
        page = client.get(url)
        assert page.status_code == 200
    assert len(large) == len(small), (len(small), len(large))
    assert page.get_data(as_text=True).count("Coordinator") >= 8
