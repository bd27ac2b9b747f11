"""Rates as people type them (5 %, 5%, 0,05) in the calculator, the test plan and the API;
bad rates are refused at their field with the input kept, and never cost more than a bound."""

from __future__ import annotations

import re

import pytest

from app.audits import sampling
from app.auth import service as accounts
from tests.audits.conftest import find_test
from tests.factories import SYSTEM, make_user


def _plan_form(test, **fields) -> dict:
    return {"methods": ["inspection"], "procedure": "Inspect the leaver tickets.",
            "frequency": "event-driven", "risk_level": "moderate", "sizing_method": "attribute",
            "risk": "0.05", "tolerable_rate": "0.05", "expected_rate": "0",
            "version": test.version, **fields}


def _field_error(page: str, field: str) -> str:
    """The error text shown under the field `field`, or ''."""
    block = re.search(rf'<div class="field has-error">\s*<label for="{field}".*?</div>', page,
                      re.S)
    if block is None:
        return ""
    return " ".join(re.findall(r'<p class="error" role="alert">(.*?)</p>', block.group(0)))


@pytest.mark.parametrize(("tolerable", "expected", "size"), [
    ("5%", "1 %", 93), ("5 %", "0,01", 93), ("0,05", "0.01", 93), ("0.05", "1%", 93)])
def test_plan_accepts_percent_and_both_decimal_separators(client, login_as, db_session,
                                                          engagement, tolerable, expected,
                                                          size):
    login_as("internal_auditor")
    test = find_test(engagement, "isae3000-gdpr:C.5")
    response = client.post(f"/audits/tests/{test.id}/plan", data=_plan_form(
        test, tolerable_rate=tolerable, expected_rate=expected))
    assert response.status_code == 302
    db_session.refresh(test)
    assert (test.planned_size, test.tolerable_rate, test.expected_rate) == (size, "0.05", "0.01")


@pytest.mark.parametrize(("field", "value", "words"), [
    ("tolerable_rate", "five", "is not a number"),
    ("tolerable_rate", "1e-300", "is not a number"),
    ("tolerable_rate", "60 %", "between 0.5 % and 50 %"),
    ("tolerable_rate", "5.125 %", "at most 4 decimals"),
    ("expected_rate", "6 %", "below the tolerable rate"),
    ("expected_rate", "4.9 %", "would exceed 5000 items"),
])
def test_a_bad_rate_stays_at_its_field_with_the_method_kept(client, login_as, db_session,
                                                           engagement, field, value, words):
    login_as("internal_auditor")
    test = find_test(engagement, "isae3000-gdpr:C.5")
    before = (test.sizing_method, test.planned_size, test.version)
    response = client.post(f"/audits/tests/{test.id}/plan",
                           data=_plan_form(test, **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in _field_error(page, field)
    assert f'value="{value}"' in page  # the input is kept as typed
    assert re.search(r'<input[^>]*checked[^>]*value="attribute"|'
                     r'<input[^>]*value="attribute"[^>]*checked', page)
    assert re.search(r"<details\s+open>", page)  # the statistical section stays open
    db_session.refresh(test)
    assert (test.sizing_method, test.planned_size, test.version) == before


def test_rate_errors_are_danish_in_the_danish_interface(client, login_as, engagement):
    user = login_as("internal_auditor")
    client.post("/language", data={"language": "da"})
    test = find_test(engagement, "isae3000-gdpr:C.5")
    page = client.post(f"/audits/tests/{test.id}/plan",
                       data=_plan_form(test, tolerable_rate="60 %")).get_data(as_text=True)
    assert user and "mellem 0,5 % og 50 %" in _field_error(page, "tolerable_rate")


@pytest.mark.parametrize(("query", "size"), [
    ("risk=0.10&tolerable=5%25&expected=0", 45), ("risk=0.10&tolerable=5+%25&expected=0", 45),
    ("risk=0.10&tolerable=0%2C05&expected=0", 45), ("risk=0.05&tolerable=5%25&expected=1%25", 93)])
def test_calculator_accepts_percent_and_decimal_comma(client, login_as, query, size):
    login_as("viewer")
    page = client.get(f"/audits/sampling?{query}").get_data(as_text=True)
    assert f"n = {size}" in page


def test_calculator_error_is_at_its_field_and_keeps_the_input(client, login_as):
    login_as("external_auditor")
    response = client.get("/audits/sampling?risk=0.05&tolerable=1e-300&expected=0")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is not a number" in _field_error(page, "tolerable")
    assert 'value="1e-300"' in page and "n = " not in page
    page = client.get("/audits/sampling?risk=0.10&tolerable=5%25&expected=6%25").get_data(
        as_text=True)
    assert "below the tolerable rate" in _field_error(page, "expected")
    assert 'value="6%"' in page and '<option selected value="0.10">' in page


def test_api_reads_rates_as_people_write_them(client, db_session):
    user = make_user(db_session, role="external_auditor")
    _row, token = accounts.create_token(db_session, SYSTEM, user, "plan")
    headers = {"Authorization": f"Bearer {token}"}
    plan = client.get("/api/v1/sampling/plan?risk=0.05&tolerable=5%25&expected=0%2C01",
                      headers=headers).json
    assert plan == {"risk": "0.05", "tolerable": "0.05", "expected": "0.01",
                    "sample_size": 93, "tolerable_deviations": 1,
                    "upper_deviation_limit": "0.050"}
    for query, field in (("tolerable=1e-300", "tolerable"), ("tolerable=0.001", "tolerable"),
                         ("tolerable=0.05&expected=0.049", "expected"),
                         ("tolerable=0.05&expected=abc", "expected")):
        bad = client.get(f"/api/v1/sampling/plan?risk=0.05&{query}", headers=headers)
        assert bad.status_code == 422 and bad.json["field"] == field, (query, bad.json)


def test_the_worst_plan_a_request_can_ask_for_is_bounded(client, db_session, monkeypatch):
    """Count the work of every calculation the request makes (timings: bench/bench_sampling)."""
    spent = []
    real_size, real_limit = sampling.attribute_sample_size, sampling.upper_deviation_limit

    def counted_size(*args):
        work = sampling.Work()
        spent.append(work)
        return real_size(*args, work=work)

    def counted_limit(*args):
        work = sampling.Work()
        spent.append(work)
        return real_limit(*args, work=work)

    monkeypatch.setattr(sampling, "attribute_sample_size", counted_size)
    monkeypatch.setattr(sampling, "upper_deviation_limit", counted_limit)
    user = make_user(db_session, role="viewer")
    _row, token = accounts.create_token(db_session, SYSTEM, user, "plan")
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/sampling/plan?risk=0.10&tolerable=0.5&expected=0.49",
                        headers=headers)
    assert answer.json["sample_size"] == 4251
    assert sum(w.steps for w in spent) <= 2 * sampling.MAX_STATISTICAL_SAMPLE
    assert sum(w.exact for w in spent) == 0
    spent.clear()
    refused = client.get("/api/v1/sampling/plan?risk=0.05&tolerable=1e-300", headers=headers)
    assert refused.status_code == 422 and spent == []  # refused before any arithmetic
