"""The PBC list: the firm's auditors ask for evidence within their engagement, the control
owner delivers, the auditor reads what was delivered; the export is the page, cell by cell."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audits import pbc, service
from app.catalogue.service import assign_owner
from app.errors import Forbidden, Invalid, NotFound
from app.evidence import service as evidence
from app.evidence.models import EvidenceRequest
from app.ledger.models import LedgerEntry
from app.reports.spreadsheet import is_formula_like
from tests.audits.conftest import find_test
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

LEAVERS = "isae3000-gdpr:C.5"


@pytest.fixture
def owner(db_session, engagement):
    """Mads owns the leavers' control (C.5) of the engagement."""
    user = make_user(db_session, role="control_owner", name="Mads Krogh")
    control = find_test(engagement, LEAVERS).control
    assign_owner(db_session, SYSTEM, control, user.id, control.version)
    return user


def _sign_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def _ask(client, engagement, **fields):
    data = {"control": LEAVERS, "assignee_id": "", "due_on": (date.today() + timedelta(
        days=14)).isoformat(), "description": "The leaver list for 2025 from the HR system."}
    data.update(fields)
    return client.post(f"/audits/{engagement.id}/pbc", data=data)


def _deliver(db_session, app, owner, request, title="HR leaver list 2025", on=date(2024, 12, 1)):
    settings = evidence.EvidenceSettings(
        store=evidence.EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"]))
    return evidence.add_file_evidence(
        db_session, owner, settings, evidence.EvidenceDetails(
            title=title, controls=[LEAVERS], period_start=on, request_id=request.id),
        evidence.Upload(io.BytesIO(b"employee;last_day\nE1;2025-03-01\n"), "leavers.csv",
                        "text/csv"))


def test_the_firms_auditor_asks_the_owner_delivers_and_the_auditor_reads_it(
        app, client, db_session, people, engagement, owner):
    senior = people["senior"]
    _sign_in(client, senior)
    page = client.get(f"/audits/{engagement.id}/pbc").get_data(as_text=True)
    assert "Ask for evidence" in page and "Nothing has been asked for" in page
    response = _ask(client, engagement)
    assert response.status_code == 302
    made = db_session.scalar(select(EvidenceRequest))
    assert (made.engagement_id, made.assignee_id, made.requested_by_id) == (
        engagement.id, owner.id, senior.id)
    page = client.get(f"/audits/{engagement.id}/pbc").get_data(as_text=True)
    assert f"Request #{made.id} sent to Mads Krogh" in page
    assert 'data-state="open"' in page and "The leaver list for 2025" in page

    # The owner finds it among their requests, with the engagement it is for, and answers.
    _sign_in(client, owner)
    mine = client.get("/evidence/requests").get_data(as_text=True)
    assert "PBC list of ISAE 3000 GDPR 2025" in mine
    # Dated before the period: outside the auditor's usual scope, but delivered for their list.
    delivered = _deliver(db_session, app, owner, made)
    assert made.status == "answered" and made.answered_by_evidence_id == delivered.id

    _sign_in(client, senior)
    page = client.get(f"/audits/{engagement.id}/pbc").get_data(as_text=True)
    assert 'data-state="delivered"' in page and f"#{delivered.id} HR leaver list 2025" in page
    assert client.get(f"/evidence/{delivered.id}").status_code == 200
    download = client.get(f"/evidence/{delivered.id}/versions/1/download", buffered=True)
    assert download.status_code == 200 and download.data.startswith(b"employee;last_day")
    assert db_session.scalar(select(LedgerEntry.changes).where(
        LedgerEntry.action == "evidence_request.created")).find(f'"engagement":{engagement.id}') \
        >= 0


def test_auditors_of_other_engagements_neither_see_nor_ask(client, db_session, people,
                                                           engagement, owner):
    made = pbc.request_evidence(db_session, people["senior"], engagement, LEAVERS,
                                assignee_id=None, due_on=date.today() + timedelta(days=3),
                                description="Leaver list", today=date.today())
    for who in ("stranger", "colleague"):
        _sign_in(client, people[who])
        assert client.get(f"/audits/{engagement.id}/pbc").status_code == 404
        assert _ask(client, engagement).status_code == 404
        assert client.get(f"/reports/engagements/{engagement.id}/pbc.xlsx").status_code == 404
        with pytest.raises(NotFound):
            pbc.withdraw(db_session, people[who], engagement, made.id)
    # Their control pages do not show what another firm asked for.
    control_page = client.get(f"/controls/{LEAVERS}").get_data(as_text=True)
    assert "Leaver list" not in control_page
    _sign_in(client, people["senior"])
    assert "Leaver list" in client.get(f"/controls/{LEAVERS}").get_data(as_text=True)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"control": "iso27001-2022:A.5.15"}, "control", "Choose a control tested in this engagement."),
    ({"control": "isae3000-gdpr:G.1"}, "control", "Choose a control tested in this engagement."),
    ({"due_on": "2020-01-01"}, "due_on", "The due date is in the past."),
    ({"due_on": ""}, "due_on", "Give a due date."),
    ({"due_on": "2999-01-01"}, "due_on", "Give a due date before 2101."),
    ({"description": "  "}, "description", "Say what evidence you need."),
])
def test_a_bad_request_is_refused_at_its_field_and_keeps_the_input(
        client, db_session, people, engagement, owner, fields, field, message):
    _sign_in(client, people["senior"])
    response = _ask(client, engagement, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    start = page.index(f'id="{field}"')
    assert message in page[start:page.index("</div>", start)]
    assert "The leaver list for 2025" in page or field == "description"
    assert db_session.scalar(select(EvidenceRequest)) is None


def test_the_list_closes_when_the_engagement_is_issued(db_session, people, engagement, owner):
    engagement.status = "issued"
    db_session.flush()
    with pytest.raises(Forbidden, match="issued"):
        pbc.request_evidence(db_session, people["senior"], engagement, LEAVERS,
                             assignee_id=None, due_on=date.today(), description="x",
                             today=date.today())


def test_coordinators_and_viewers_read_the_list_but_do_not_ask(client, db_session, people,
                                                               engagement, owner):
    coordinator = make_user(db_session, role="coordinator")
    with pytest.raises(Forbidden):
        pbc.request_evidence(db_session, coordinator, engagement, LEAVERS, assignee_id=None,
                             due_on=date.today(), description="x", today=date.today())
    made = pbc.request_evidence(db_session, people["auditor"], engagement, LEAVERS,
                                assignee_id=None, due_on=date.today() + timedelta(days=1),
                                description="Leaver list", today=date.today())
    _sign_in(client, coordinator)
    page = client.get(f"/audits/{engagement.id}/pbc").get_data(as_text=True)
    assert "Leaver list" in page and "Ask for evidence" not in page
    assert f'href="/evidence/new/file?request={made.id}"' in page  # the coordinator answers
    assert _ask(client, engagement).status_code == 403


def test_the_auditor_withdraws_an_open_request(client, db_session, people, engagement, owner):
    made = pbc.request_evidence(db_session, people["senior"], engagement, LEAVERS,
                                assignee_id=None, due_on=date.today() + timedelta(days=1),
                                description="Leaver list", today=date.today())
    _sign_in(client, people["external"])  # the partner, on the same engagement
    page = client.post(f"/audits/{engagement.id}/pbc/{made.id}/withdraw",
                       follow_redirects=True).get_data(as_text=True)
    assert f"Request #{made.id} withdrawn." in page and 'data-state="cancelled"' in page
    again = client.post(f"/audits/{engagement.id}/pbc/{made.id}/withdraw",
                        follow_redirects=True).get_data(as_text=True)
    assert f"Request #{made.id} is no longer open." in again
    with pytest.raises(Invalid):
        pbc.request_evidence(db_session, people["senior"], engagement, LEAVERS,
                             assignee_id=make_user(db_session, role="viewer").id,
                             due_on=date.today(), description="x", today=date.today())


def _cells(page: str) -> list[list[str]]:
    """The PBC table's rows as text, cell by cell."""
    body = page[page.index('data-testid="pbc"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr id=\"request-\d+\".*?</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                     for c in cells])
    return rows


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_export_is_the_page_cell_by_cell(app, client, db_session, people, engagement,
                                             owner, lang):
    senior, today = people["senior"], date.today()
    hostile = '=HYPERLINK("http://evil.example","x")'
    asked = [pbc.request_evidence(db_session, senior, engagement, LEAVERS, assignee_id=None,
                                  due_on=today + timedelta(days=n), description=text,
                                  today=today)
             for n, text in ((5, "Leaver list"), (1, hostile), (9, "Access reviews"))]
    delivered = _deliver(db_session, app, owner, asked[2], title="+Access review 2025")
    pbc.withdraw(db_session, senior, engagement, asked[0].id)
    overdue = asked[1]
    overdue.due_on = today - timedelta(days=2)  # the date passed while it stayed open
    db_session.flush()
    _sign_in(client, senior)
    client.post("/language", data={"language": lang, "next": "/"})
    page = client.get(f"/audits/{engagement.id}/pbc").get_data(as_text=True)
    shown = _cells(page)
    response = client.get(f"/reports/engagements/{engagement.id}/pbc.xlsx?lang={lang}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    exported = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert [row[0] for row in exported] == [int(r[0]) for r in shown] == [
        overdue.id, asked[2].id, asked[0].id]  # open first, then delivered, then withdrawn
    states = {"en": ["Overdue", "Delivered", "Withdrawn"],
              "da": ["Overskredet", "Leveret", "Trukket tilbage"]}[lang]
    for page_row, row, state in zip(shown, exported, states, strict=True):
        assert page_row[1].startswith(row[1] + " " + row[2])  # code and title
        assert page_row[2] == row[3]  # what is needed, the hostile text unchanged
        assert page_row[3].startswith(row[4])  # asked of
        assert page_row[4] == row[7].strftime({"en": "%Y-%m-%d", "da": "%d.%m.%Y"}[lang])  # due
        assert page_row[5].startswith(state) and row[8] == state
        assert page_row[6] == (row[10] or "—")
    assert exported[1][11] == delivered.current_version.sha256
    assert exported[0][3] == hostile and exported[1][10].startswith(f"#{delivered.id} +Access")
    formulas = [c.coordinate for r in sheet.iter_rows() for c in r
                if isinstance(c.value, str) and is_formula_like(c.value)
                and not c.quotePrefix]
    assert formulas == [] and sheet.cell(row=5, column=4).data_type == "s"


def test_the_pbc_page_takes_the_same_queries_for_3_or_30_requests(
        client, db_session, people, engagement, owner, count_queries):
    other = service.create_engagement(db_session, people["auditor"], service.EngagementPlan(
        name="ISAE 3000 GDPR 2026", kind="isae3000_type2", period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), control_keys=[LEAVERS], team_ids=[people["auditor"].id],
        firm_id=people["firm"].id, partner_id=people["external"].id))
    for target, count in ((engagement, 3), (other, 30)):
        for n in range(count):
            pbc.request_evidence(db_session, people["auditor"], target, LEAVERS,
                                 assignee_id=None, due_on=date.today() + timedelta(days=n),
                                 description=f"Item {n}", today=date.today())
    _sign_in(client, people["auditor"])
    counted = []
    for target in (engagement, other):
        db_session.expire_all()
        with count_queries() as statements:
            assert client.get(f"/audits/{target.id}/pbc").status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1], counted
