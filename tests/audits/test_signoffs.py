"""Who performs and who reviews a test; sign-offs; locks on concluded tests and in review;
evaluating every sample; the report's coverage wording."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audits import conclusions, samples, service
from app.audits.models import ItemResult
from app.errors import Conflict, Forbidden, Invalid
from app.ledger.models import LedgerEntry
from app.reports.assurance import coverage_text, result_text
from tests.audits.conftest import csv_population, find_test


@pytest.fixture
def leavers(engagement):
    return find_test(engagement, "isae3000-gdpr:C.5")


def _results(db_session, actor, sample, deviating=()):
    for position, item in enumerate(sample.items):
        samples.record_result(
            db_session, actor, item,
            ItemResult.DEVIATION if position in deviating else ItemResult.NO_DEVIATION,
            "Laptop returned late" if position in deviating else None, None, item.version)


def _actions(db_session) -> list[str]:
    return list(db_session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.seq)))


def test_the_firms_auditor_performs_concludes_and_raises_a_finding(db_session, people,
                                                                   leavers, store):
    from app.audits.deviations import can_view_deviation, raise_deviation

    senior = people["senior"]
    population = csv_population(db_session, senior, leavers, store, 40)
    sample = samples.draw_sample(db_session, senior, leavers, population, store, 10)
    _results(db_session, senior, sample)
    conclusions.conclude_test(db_session, senior, leavers, judgement=None,
                              version=leavers.version)
    assert leavers.concluded_by_id == senior.id
    finding = raise_deviation(db_session, senior, None, "Late laptop", "One laptop late.",
                              "minor", None, None, test=leavers)
    assert can_view_deviation(senior, finding)
    assert not can_view_deviation(people["stranger"], finding)
    assert not can_view_deviation(people["colleague"], finding)  # same firm, not on it


@pytest.mark.parametrize("who", ["colleague", "stranger"])
def test_auditors_not_on_the_engagement_cannot_work_on_it(db_session, people, leavers, store,
                                                          who):
    from app.errors import NotFound

    with pytest.raises((Forbidden, NotFound)):
        csv_population(db_session, people[who], leavers, store, 5)


def test_review_is_by_the_firm_and_never_the_preparer(db_session, people, leavers):
    conclusions.conclude_test(db_session, people["senior"], leavers, judgement=None,
                              version=leavers.version)
    with pytest.raises(Forbidden, match="preparer"):
        conclusions.review_test(db_session, people["senior"], leavers, leavers.version)
    with pytest.raises(Forbidden, match="engagement.s firm"):
        conclusions.review_test(db_session, people["auditor"], leavers, leavers.version)
    conclusions.review_test(db_session, people["external"], leavers, leavers.version)
    assert leavers.reviewed_by_id == people["external"].id and leavers.reviewed_at
    assert _actions(db_session)[-2:] == ["test.concluded", "test.reviewed"]


def test_a_change_after_review_clears_it_and_reopening_needs_a_reason(db_session, people,
                                                                      leavers):
    conclusions.conclude_test(db_session, people["auditor"], leavers, judgement=None,
                              version=leavers.version)  # internal audit's pre-audit
    conclusions.review_test(db_session, people["senior"], leavers, leavers.version)
    conclusions.update_test_texts(db_session, people["senior"], leavers, conclusions.TestTexts(
        test_performed_da="Gennemgået fratrædelsesproceduren."), leavers.version)
    assert leavers.reviewed_at is None and leavers.is_concluded
    with pytest.raises(Invalid) as caught:
        conclusions.reopen_test(db_session, people["senior"], leavers, " ", leavers.version)
    assert caught.value.field == "reason" and leavers.is_concluded
    conclusions.reopen_test(db_session, people["senior"], leavers, "New leaver list",
                            leavers.version)
    entry = db_session.scalars(select(LedgerEntry).where(
        LedgerEntry.action == "test.reopened")).one()
    assert "New leaver list" in entry.changes and not leavers.is_concluded


def test_a_concluded_test_is_locked_against_populations_draws_and_results(
        db_session, people, leavers, store):
    senior = people["senior"]
    population = csv_population(db_session, senior, leavers, store, 40)
    sample = samples.draw_sample(db_session, senior, leavers, population, store, 5)
    _results(db_session, senior, sample)
    conclusions.conclude_test(db_session, senior, leavers, judgement=None,
                              version=leavers.version)
    with pytest.raises(Conflict, match="concluded"):
        csv_population(db_session, senior, leavers, store, 10)
    with pytest.raises(Conflict, match="concluded"):
        samples.expand_sample(db_session, senior, sample, 2, store)
    item = sample.items[0]
    with pytest.raises(Conflict, match="concluded"):
        samples.record_result(db_session, senior, item, "deviation", "x", None, item.version)


def test_in_review_the_fieldwork_is_locked(db_session, people, engagement, leavers, store):
    senior = people["senior"]
    service.set_engagement_status(db_session, senior, engagement, "review", engagement.version)
    with pytest.raises(Conflict, match="in review"):
        csv_population(db_session, senior, leavers, store, 10)
    service.set_engagement_status(db_session, senior, engagement, "fieldwork",
                                  engagement.version, "More leavers found")
    assert csv_population(db_session, senior, leavers, store, 10).is_ready


def test_an_unused_population_can_be_removed_and_expansion_needs_no_deviation(
        db_session, people, leavers, store):
    senior = people["senior"]
    unused = csv_population(db_session, senior, leavers, store, 12, name="wrong.csv")
    samples.remove_population(db_session, senior, unused)
    assert leavers.populations == [] and _actions(db_session)[-1] == "population.removed"
    population = csv_population(db_session, senior, leavers, store, 30)
    sample = samples.draw_sample(db_session, senior, leavers, population, store, 5)
    with pytest.raises(Conflict, match="drawn from this population"):
        samples.remove_population(db_session, senior, population)
    samples.expand_sample(db_session, senior, sample, 5, store)  # no deviation needed
    assert sample.size == 10
    with pytest.raises(Invalid, match="between 1 and 20"):
        samples.expand_sample(db_session, senior, sample, 21, store)


def test_not_material_without_reliance_needs_a_justification(db_session, people, leavers,
                                                              store):
    senior = people["senior"]
    population = csv_population(db_session, senior, leavers, store, 31)
    sample = samples.draw_sample(db_session, senior, leavers, population, store, 25)
    _results(db_session, senior, sample, deviating=(4,))
    evaluation = conclusions.evaluation(leavers)
    assert (str(evaluation.upper_limit), evaluation.supports_reliance) == ("0.147", False)
    assert evaluation.extend_by is None  # 31 items with one deviation cannot get below 10 %
    texts = conclusions.TestTexts(result_text_en="One laptop returned late.",
                                  result_text_da="Én computer afleveret for sent.")
    with pytest.raises(Invalid) as caught:
        conclusions.conclude_test(db_session, senior, leavers, judgement="not_material",
                                  texts=texts, version=leavers.version)
    assert caught.value.field == "justification" and "14.7%" in caught.value.message
    assert leavers.result_text_en is None  # a refused conclusion leaves no trace
    conclusions.conclude_test(db_session, senior, leavers, judgement="not_material",
                              texts=texts, justification="Access was closed on time.",
                              version=leavers.version)
    assert leavers.judgement_justification == "Access was closed on time."


def test_a_large_population_suggests_how_far_to_extend(db_session, people, leavers, store):
    senior = people["senior"]
    population = csv_population(db_session, senior, leavers, store, 400)
    sample = samples.draw_sample(db_session, senior, leavers, population, store, 25)
    _results(db_session, senior, sample, deviating=(2,))
    assert conclusions.evaluation(leavers).extend_by == 13  # 38 items: UDL 9.9 % ≤ 10 %


def test_coverage_is_worded_as_the_report_prints_it(db_session, people, engagement, store):
    senior = people["senior"]
    cases = {"isae3000-gdpr:C.5": (83, 25), "isae3000-gdpr:C.3": (38, 38),
             "isae3000-gdpr:B.6": (1, 1)}
    for key, (rows, size) in cases.items():
        test = find_test(engagement, key)
        population = csv_population(db_session, senior, test, store, rows)
        samples.draw_sample(db_session, senior, test, population, store, size)
    assert coverage_text(find_test(engagement, "isae3000-gdpr:C.5"), "da") == \
        "Stikprøve: 25 af 83"
    assert coverage_text(find_test(engagement, "isae3000-gdpr:C.5"), "en") == "Sample: 25 of 83"
    assert coverage_text(find_test(engagement, "isae3000-gdpr:C.3"), "da") == \
        "Hele populationen (38)"
    assert coverage_text(find_test(engagement, "isae3000-gdpr:B.6"), "en") == \
        "Inspected the one occurrence in the period"
    assert "1 af 1" not in coverage_text(find_test(engagement, "isae3000-gdpr:B.6"), "da")
    none = find_test(engagement, "isae3000-gdpr:A.3")
    samples.record_no_occurrences(db_session, senior, none, "The register is empty.",
                                  none.version)
    conclusions.conclude_test(db_session, senior, none, judgement=None, version=none.version)
    assert coverage_text(none, "da") == "Ingen forekomster i perioden"
    assert result_text(none, "en").startswith("There were no occurrences in the period")


def test_the_test_page_shows_sign_offs_and_the_evaluation(client, db_session, people, leavers,
                                                          store):
    senior = people["senior"]
    population = csv_population(db_session, senior, leavers, store, 31)
    sample = samples.draw_sample(db_session, senior, leavers, population, store, 25)
    _results(db_session, senior, sample, deviating=(4,))
    client.post("/login", data={"email": senior.email, "password": "correct horse battery"})
    page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert "Upper deviation limit 14.7 % against a tolerable rate of 10.0 %" in page
    assert "reliance not supported" in page and 'data-testid="expand"' in page
    assert "Why the deviations are not material" in page
