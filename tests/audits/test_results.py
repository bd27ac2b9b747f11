"""Recording results for a whole sample on one page: all at once, row by row, "the rest",
evidence per item, locks and sign-offs, and a page whose queries do not grow with the sample."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audits import conclusions, results, samples
from app.audits.models import SampleItem
from app.errors import Conflict
from app.evidence.service import EvidenceDetails, add_note_evidence
from app.ledger.models import LedgerEntry
from tests.audits.conftest import csv_population, find_test
from tests.factories import SYSTEM, TEST_PASSWORD


@pytest.fixture
def leavers(engagement):
    return find_test(engagement, "isae3000-gdpr:C.5")


@pytest.fixture
def sample(db_session, people, leavers, store):
    population = csv_population(db_session, people["senior"], leavers, store, 40)
    return samples.draw_sample(db_session, people["senior"], leavers, population, store, 6)


def _sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def _form(sample, **rows) -> dict:
    """Every row as the page posts it; `rows` maps a position to (result, note, evidence)."""
    data = {}
    for position, item in enumerate(sample.items):
        result, note, evidence = rows.get(f"r{position}", (item.result, item.note or "", ""))
        data.update({f"i{item.id}-result": result, f"i{item.id}-note": note,
                     f"i{item.id}-evidence_id": str(evidence), f"i{item.id}-version":
                     str(item.version)})
    return data


def _results_of(db_session, sample) -> list[str]:
    return list(db_session.scalars(select(SampleItem.result).where(
        SampleItem.sample_id == sample.id).order_by(SampleItem.population_index)))


def _ledgered(db_session) -> int:
    return db_session.scalar(select(func.count(LedgerEntry.seq)).where(
        LedgerEntry.action == "sample.item_result"))


def _note(db_session, key, title="Leaver ticket", on=date(2025, 3, 1)):
    return add_note_evidence(db_session, SYSTEM, EvidenceDetails(
        title=title, controls=[key], period_start=on, description="Ticket closed the account."))


def test_the_whole_sample_is_saved_in_one_post(client, db_session, people, leavers, sample):
    _sign_in(client, people["senior"])
    page = client.get(f"/audits/tests/{leavers.id}/results").get_data(as_text=True)
    assert page.count('class="result-pending') == 6 and 'name="rest"' in page
    rows = {f"r{n}": ("no_deviation", "", "") for n in range(6)}
    rows["r2"] = ("deviation", "Access removed 9 days late", "")
    response = client.post(f"/audits/tests/{leavers.id}/results", data=_form(sample, **rows),
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "6 results saved. 1 of them is a deviation." in text
    assert _results_of(db_session, sample) == ["no_deviation"] * 2 + ["deviation"] + \
        ["no_deviation"] * 3
    assert _ledgered(db_session) == 6
    # Posting the same page again changes nothing, and says so.
    again = client.post(f"/audits/tests/{leavers.id}/results", data=_form(sample),
                        follow_redirects=True)
    assert "Nothing changed: no result was saved." in again.get_data(as_text=True)
    assert _ledgered(db_session) == 6


def test_mark_the_rest_as_no_deviation(client, db_session, people, leavers, sample):
    ticket = _note(db_session, leavers.control.key, "Leaver ticket E00012")
    _sign_in(client, people["senior"])
    data = _form(sample, r0=("deviation", "Laptop returned late", ""),
                 r1=("pending", "Ticket checked", ticket.id))
    data["rest"] = "1"
    text = client.post(f"/audits/tests/{leavers.id}/results", data=data,
                       follow_redirects=True).get_data(as_text=True)
    assert "1 result saved. 1 of them is a deviation." in text
    assert "5 items not yet tested were recorded as no deviation." in text
    assert _results_of(db_session, sample) == ["deviation"] + ["no_deviation"] * 5
    # An item marked with the rest keeps the note and evidence entered for it.
    assert (sample.items[1].note, sample.items[1].evidence_id) == ("Ticket checked", ticket.id)
    assert conclusions.evaluation(leavers) is not None  # every item has a result now


def test_one_wrong_row_saves_nothing_and_keeps_every_input(client, db_session, people,
                                                           leavers, sample):
    _sign_in(client, people["senior"])
    rows = {"r0": ("no_deviation", "Checked against HR", ""), "r1": ("deviation", "", ""),
            "r3": ("not_applicable", "", "")}
    response = client.post(f"/audits/tests/{leavers.id}/results", data=_form(sample, **rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved: 2 row(s) need attention." in page
    row1 = page[page.index(f'id="item-{sample.items[1].id}"'):
                page.index(f'id="item-{sample.items[2].id}"')]
    assert "Describe the deviation." in row1 and 'aria-invalid="true"' in row1
    assert '<option selected value="deviation">' in row1
    assert "Say why the item is not applicable." in page
    assert 'value="Checked against HR"' in page  # the good row's input is kept too
    assert _results_of(db_session, sample) == ["pending"] * 6 and _ledgered(db_session) == 0


def test_a_row_saved_alone_answers_json(client, db_session, people, leavers, sample):
    _sign_in(client, people["senior"])
    item = sample.items[4]
    data = {f"i{item.id}-result": "deviation", f"i{item.id}-note": "",
            f"i{item.id}-evidence_id": "", f"i{item.id}-version": str(item.version)}
    headers = {"Accept": "application/json"}
    refused = client.post(f"/audits/items/{item.id}", data=data, headers=headers)
    assert refused.status_code == 422
    assert refused.json == {"ok": False, "message": "Describe the deviation.",
                            "errors": {"note": "Describe the deviation."}}
    data[f"i{item.id}-note"] = "Access kept 3 days"
    answer = client.post(f"/audits/items/{item.id}", data=data, headers=headers).json
    number = item.population_index + 1
    assert answer["ok"] and answer["message"] == f"Item {number} saved: Deviation."
    assert answer["item"] == {"id": item.id, "version": item.version, "result": "deviation"}
    assert answer["counts"] == {"sampled": 6, "pending": 5, "deviations": 1, "recorded": 1}
    # The version the page holds is now stale: a second writer is told, not overwritten.
    stale = client.post(f"/audits/items/{item.id}", data=data, headers=headers)
    assert stale.status_code == 409 and "Someone else recorded" in stale.json["message"]


def test_a_changed_row_with_a_stale_version_is_refused_in_a_batch(client, db_session, people,
                                                                  leavers, sample):
    _sign_in(client, people["senior"])
    page_data = _form(sample, r0=("no_deviation", "", ""), r1=("no_deviation", "", ""))
    first = sample.items[0]
    samples.record_result(db_session, people["auditor"], first, "deviation", "late", None,
                          first.version)  # someone else, after the page was opened
    response = client.post(f"/audits/tests/{leavers.id}/results", data=page_data)
    assert response.status_code == 422
    assert "Someone else recorded a result for this item." in response.get_data(as_text=True)
    assert _results_of(db_session, sample)[:2] == ["deviation", "pending"]


def test_items_are_supported_only_by_readable_evidence_about_the_control(
        client, db_session, people, leavers, sample, engagement):
    own = _note(db_session, leavers.control.key, "Leaver ticket E00012")
    other = _note(db_session, "iso27001-2022:A.5.15", "Access policy")
    # About the control, but long before the period: the firm's auditor may not read it.
    old = _note(db_session, leavers.control.key, "Leaver ticket 2019", on=date(2019, 5, 1))
    _sign_in(client, people["senior"])
    page = client.get(f"/audits/tests/{leavers.id}/results").get_data(as_text=True)
    assert f"#{own.id} Leaver ticket E00012" in page
    assert "Access policy" not in page and "Leaver ticket 2019" not in page
    for evidence, message in ((other, f"Evidence #{other.id} is not about control C.5"),
                              (old, f"There is no evidence #{old.id}."),
                              ("abc", "There is no evidence #abc.")):
        evidence_id = getattr(evidence, "id", evidence)
        response = client.post(f"/audits/tests/{leavers.id}/results", data=_form(
            sample, r0=("no_deviation", "", evidence_id)))
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    client.post(f"/audits/tests/{leavers.id}/results",
                data=_form(sample, r0=("no_deviation", "", own.id)))
    assert sample.items[0].evidence_id == own.id
    test_page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert f'href="/evidence/{own.id}"' in test_page  # the test page links the item's evidence


def test_results_follow_the_locks_and_a_reopened_review_is_cleared(client, db_session, people,
                                                                   leavers, sample):
    senior, partner = people["senior"], people["external"]
    results.record_results(db_session, senior, leavers, [], rest_no_deviation=True)
    conclusions.conclude_test(db_session, senior, leavers, judgement=None,
                              version=leavers.version)
    conclusions.review_test(db_session, partner, leavers, leavers.version)
    _sign_in(client, senior)
    page = client.get(f"/audits/tests/{leavers.id}/results").get_data(as_text=True)
    assert "The test is concluded: its fieldwork is locked." in page
    assert 'name="rest"' not in page and "<select" not in page
    refused = client.post(f"/audits/tests/{leavers.id}/results",
                          data=_form(sample, r0=("deviation", "late", "")))
    assert refused.status_code == 409 and _results_of(db_session, sample)[0] == "no_deviation"
    reopened = client.post(f"/audits/tests/{leavers.id}/reopen", data={
        "reason": "A leaver was missed", "version": leavers.version}, follow_redirects=True)
    assert "The test is reopened; the review by Lene Partner is cleared." in \
        reopened.get_data(as_text=True)
    assert leavers.reviewed_at is None
    saved = client.post(f"/audits/tests/{leavers.id}/results",
                        data=_form(sample, r0=("deviation", "Laptop returned late", "")),
                        follow_redirects=True)
    assert "1 result saved. 1 of them is a deviation." in saved.get_data(as_text=True)
    with pytest.raises(Conflict):  # the engagement in review locks it again
        db_session.refresh(leavers.engagement)
        leavers.engagement.status = "review"
        results.record_results(db_session, senior, leavers, [], rest_no_deviation=True)


def test_only_the_engagements_auditors_record_results(client, db_session, people, leavers,
                                                      sample):
    _sign_in(client, people["stranger"])
    assert client.get(f"/audits/tests/{leavers.id}/results").status_code == 404
    assert client.post(f"/audits/tests/{leavers.id}/results",
                       data=_form(sample)).status_code == 404


def test_the_page_works_without_script_and_has_no_inline_script(client, people, leavers,
                                                                sample):
    _sign_in(client, people["senior"])
    page = client.get(f"/audits/tests/{leavers.id}/results").get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "/static/js/results.js" in page
    form = re.search(r'<form method="post" action="([^"]+)" class="results-form"', page)
    assert form.group(1) == f"/audits/tests/{leavers.id}/results"
    assert page.count('class="row-save" hidden') == 6  # per-row saving only with the script


def test_the_results_page_takes_the_same_queries_for_6_or_60_items(
        client, db_session, people, engagement, store, count_queries):
    small, large = find_test(engagement, "isae3000-gdpr:C.5"), find_test(
        engagement, "isae3000-gdpr:B.13")
    for test, size in ((small, 6), (large, 60)):
        population = csv_population(db_session, people["senior"], test, store, 200)
        drawn = samples.draw_sample(db_session, people["senior"], test, population, store,
                                    size)
        evidence = _note(db_session, test.control.key)
        results.record_results(db_session, people["senior"], test, [results.ResultRow(
            item.id, "no_deviation", None, evidence.id, item.version)
            for item in drawn.items[::2]])
    _sign_in(client, people["senior"])
    counted = []
    for test in (small, large):
        db_session.expire_all()
        with count_queries() as statements:
            response = client.get(f"/audits/tests/{test.id}/results")
        assert response.status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1], counted
