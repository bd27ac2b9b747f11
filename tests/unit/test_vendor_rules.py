"""The sub-processor date rules and the country data, without the app."""

from datetime import date

import pytest

from app.vendors import countries, rules


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2024, 1, 30), 1, date(2024, 2, 29)),
    (date(2025, 3, 31), 1, date(2025, 4, 30)),
    (date(2025, 12, 31), 1, date(2026, 1, 31)),  # across the year
    (date(2025, 12, 15), 1, date(2026, 1, 15)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
])
def test_add_months_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(("notified", "deadline"), [
    (date(2025, 1, 31), date(2025, 2, 28)),
    (date(2024, 1, 31), date(2024, 2, 29)),
    (date(2025, 8, 31), date(2025, 9, 30)),
    (date(2025, 12, 31), date(2026, 1, 31)),
    (date(2025, 2, 28), date(2025, 3, 28)),
    (date(2024, 2, 29), date(2024, 3, 29)),
])
def test_objection_deadline_is_one_month_after_receipt(notified, deadline):
    assert rules.objection_deadline(notified) == deadline


@pytest.mark.parametrize(("notified", "effective", "days", "short"), [
    (date(2025, 1, 31), date(2025, 3, 2), 30, False),  # across a 28-day February
    (date(2025, 1, 31), date(2025, 3, 1), 29, True),
    (date(2024, 1, 31), date(2024, 3, 1), 30, False),  # leap February has one day more
    (date(2024, 2, 1), date(2024, 3, 2), 30, False),
    (date(2023, 2, 1), date(2023, 3, 2), 29, True),
    (date(2025, 12, 15), date(2026, 1, 14), 30, False),  # across the year
    (date(2025, 11, 20), date(2025, 12, 10), 20, True),
    (date(2025, 5, 1), date(2025, 5, 1), 0, True),
])
def test_thirty_days_notice(notified, effective, days, short):
    assert rules.notice_days(notified, effective) == days
    assert rules.is_short_notice(notified, effective) is short


def test_statement_for_a_year_is_due_31_december_of_the_next():
    assert rules.statement_due(2024) == date(2025, 12, 31)
    assert rules.statement_due(2099) == date(2100, 12, 31)
    assert not rules.is_late(2024, date(2025, 12, 31))
    assert rules.is_late(2024, date(2026, 1, 1))


def test_next_statement_due_is_for_the_earliest_year_without_one():
    start = date(2023, 7, 1)
    assert rules.next_statement_due(start, None, []) == date(2024, 12, 31)
    assert rules.next_statement_due(start, None, [2023]) == date(2025, 12, 31)
    assert rules.next_statement_due(start, None, [2023, 2024, 2025]) == date(2027, 12, 31)
    # a gap counts: the missing 2024 is due first even though 2025 is in
    assert rules.next_statement_due(start, None, [2023, 2025]) == date(2025, 12, 31)
    # processing ended in 2024: nothing more once 2023 and 2024 are in
    assert rules.next_statement_due(start, date(2024, 3, 31), [2023]) == date(2025, 12, 31)
    assert rules.next_statement_due(start, date(2024, 3, 31), [2023, 2024]) is None


def test_missing_statements_are_the_past_due_years_without_one():
    start = date(2022, 5, 1)
    assert rules.missing_statement_years(start, None, [2023], date(2025, 6, 1)) == [2022]
    # 2024 becomes missing the day after 31 December 2025
    assert rules.missing_statement_years(start, None, [2022, 2023], date(2025, 12, 31)) == []
    assert rules.missing_statement_years(start, None, [2022, 2023], date(2026, 1, 1)) == [2024]
    # ended processing: no statements after the last year of processing
    assert rules.missing_statement_years(start, date(2022, 12, 1), [], date(2030, 1, 1)) == [
        2022]


def test_processing_years():
    assert list(rules.processing_years(date(2023, 12, 31), None, until=2025)) == [
        2023, 2024, 2025]
    assert list(rules.processing_years(date(2023, 1, 1), date(2023, 6, 1))) == [2023]
    assert list(rules.processing_years(date(2027, 1, 1), None, until=2026)) == []  # not yet


def test_follow_up_due_by_risk_rating():
    policy = rules.DEFAULT_FOLLOW_UP
    start = date(2024, 2, 29)
    assert rules.next_follow_up_due(start, None, policy["high"], []) == date(2025, 2, 28)
    done = [("questionnaire", date(2025, 3, 1)), ("inspection", date(2024, 11, 30))]
    # high risk: a questionnaire does not count, the inspection does
    assert rules.next_follow_up_due(start, None, policy["high"], done) == date(2025, 11, 30)
    # medium: the later questionnaire counts
    assert rules.next_follow_up_due(start, None, policy["medium"], done) == date(2026, 3, 1)
    # ended processing: nothing more falls due after the end
    assert rules.next_follow_up_due(start, date(2025, 6, 30), policy["medium"], done) is None


def test_follow_up_policy_is_configurable_and_checked():
    policy = rules.follow_up_policy({"low": {"months": 24}})
    assert policy["low"].months == 24 and policy["high"] == rules.DEFAULT_FOLLOW_UP["high"]
    with pytest.raises(ValueError, match="unknown risk rating"):
        rules.follow_up_policy({"critical": {}})
    with pytest.raises(ValueError, match="kinds"):
        rules.follow_up_policy({"high": {"kinds": ["coffee"]}})
    with pytest.raises(ValueError, match="months"):
        rules.follow_up_policy({"high": {"months": 0}})


def test_country_data_has_the_eea_and_dated_adequacy_decisions():
    data = countries.data()
    eea = {c.code for c in data.countries.values() if c.in_eea}
    assert len(eea) == 30 and {"DK", "IE", "NO", "IS", "LI"} <= eea and "GB" not in eea
    assert data.checked_on and data.sources["adequacy"]
    us = countries.get("US")
    assert us.adequacy.adopted_on == date(2023, 7, 10) and us.adequacy.scope("en")
    assert countries.get("GB").adequacy.in_force(date(2026, 6, 1))
    assert not countries.get("CN").adequacy
    assert countries.third_countries(["DK", "US", "NO", "IN"]) == ["US", "IN"]
    assert countries.name("DE", "da") == "Tyskland"
    assert not data.scc_versions["2010/87/EU"].valid_on(date(2023, 1, 1))
    assert data.scc_versions["2021/914-m3"].valid_on(date(2030, 1, 1))


def test_country_data_refuses_a_malformed_file():
    with pytest.raises(ValueError, match="repeated"):
        countries.parse({"checked_on": date(2026, 1, 1), "sources": {}, "scc_versions": [],
                         "countries": [{"code": "DK", "area": "eu", "en": "x", "da": "x"},
                                       {"code": "DK", "area": "eu", "en": "x", "da": "x"}]})
    with pytest.raises(ValueError, match="unlisted"):
        countries.parse({"checked_on": date(2026, 1, 1), "sources": {}, "scc_versions": [],
                         "countries": [],
                         "adequacy": [{"code": "XX", "decision": "d",
                                       "adopted_on": date(2020, 1, 1)}]})
