"""Governance rules without the app: due dates, levels, the gate and dispensation clocks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.governance import rules
from app.governance.rules import AdoptionStatus, GateFacts, Step


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2028, 2, 29), 48, date(2032, 2, 29)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 5, 1), 12, date(2027, 5, 1)),
    (date(2099, 12, 31), 12, date(2100, 12, 31)),
    (date(2100, 1, 31), 1, date(2100, 2, 28)),  # 2100 is not a leap year
])
def test_adding_months_clamps_to_the_month_end(start, months, expected):
    assert rules.add_months(start, months) == expected


def test_next_review_is_the_approval_plus_the_interval():
    assert rules.next_review_due(date(2026, 1, 31), 12) == date(2027, 1, 31)
    assert rules.next_review_due(date(2024, 2, 29), 12) == date(2025, 2, 28)
    with pytest.raises(ValueError):
        rules.next_review_due(date(2026, 1, 1), 0)


@pytest.mark.parametrize(("due", "state"), [
    (None, "none"), (date(2026, 5, 31), "overdue"), (date(2026, 6, 1), "due_soon"),
    (date(2026, 7, 1), "due_soon"), (date(2026, 7, 2), "later")])
def test_due_state(due, state):
    assert rules.due_state(due, date(2026, 6, 1), 30) == state


def test_end_of_day_is_midnight_local():
    moment = rules.end_of_day(date(2026, 3, 28), ZoneInfo("Europe/Copenhagen"))
    assert moment.astimezone(UTC) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def test_which_changes_need_approval_first():
    assert rules.approval_needed("policy", "minor") == "top_management"
    assert rules.approval_needed("guideline", "major") == "security_committee"
    assert rules.approval_needed("procedure", "minor") is None
    assert rules.approval_needed("policy", "initial") is None
    assert rules.outranks("top_management", "security_committee")
    assert not rules.outranks("it_security_group", "security_committee")


@pytest.mark.parametrize(("likelihood", "consequence", "scale", "band"), [
    (1, 4, 5, "low"), (1, 5, 5, "medium"), (3, 3, 5, "medium"), (2, 5, 5, "high"),
    (4, 4, 5, "high"), (4, 5, 5, "critical"), (5, 5, 5, "critical"), (None, 3, 5, None),
    (1, 1, 3, "low"), (3, 3, 3, "critical")])
def test_levels_are_bands_of_the_scale(likelihood, consequence, scale, band):
    assert rules.level(likelihood, consequence, scale) == band


def test_acceptance_expires_after_its_last_day():
    assert not rules.acceptance_expired(date(2026, 6, 1), date(2026, 6, 1))
    assert rules.acceptance_expired(date(2026, 6, 1), date(2026, 6, 2))
    assert not rules.acceptance_expired(None, date(2026, 6, 2))


def facts(**changes) -> GateFacts:
    values = {"personal_data": False, "risk_assessment": False, "impact_analysis": False,
              "dpia": False, "presented": False, "decision": None}
    values.update(changes)
    return GateFacts(**values)


def test_the_gate_names_every_missing_step_in_order():
    assert rules.missing_steps(facts(), "in_use") == [
        Step.RISK_ASSESSMENT, Step.IMPACT_ANALYSIS, Step.MANAGEMENT_PRESENTATION,
        Step.MANAGEMENT_APPROVAL]
    assert rules.missing_steps(facts(personal_data=True, risk_assessment=True,
                                     impact_analysis=True), "in_use") == [
        Step.DPIA, Step.MANAGEMENT_PRESENTATION, Step.MANAGEMENT_APPROVAL]
    done = facts(personal_data=True, risk_assessment=True, dpia=True, presented=True,
                 decision="approved")
    assert rules.missing_steps(done, "in_use") == []
    assert rules.missing_steps(facts(risk_assessment=True, impact_analysis=True,
                                     presented=True, decision="rejected"), "in_use") == [
        Step.MANAGEMENT_APPROVAL]


def test_reached_status_follows_the_recorded_steps():
    assert rules.reached_status(facts()) == AdoptionStatus.DRAFT
    assert rules.reached_status(facts(risk_assessment=True)) == AdoptionStatus.RISK_ASSESSED
    # Presented without an impact analysis is not "presented": the order is enforced.
    assert rules.reached_status(facts(risk_assessment=True, presented=True)) == (
        AdoptionStatus.RISK_ASSESSED)
    assert rules.reached_status(facts(risk_assessment=True, impact_analysis=True,
                                      presented=True, decision="approved")) == (
        AdoptionStatus.APPROVED)
    assert rules.reached_status(facts(presented=True, decision="rejected")) == (
        AdoptionStatus.REJECTED)


def test_emergency_report_deadline_counts_elapsed_hours_across_dst():
    decided = datetime(2026, 3, 27, 22, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))
    due = rules.report_due(decided, 3)
    assert due - decided == timedelta(hours=72)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 20, 30, tzinfo=UTC)
    assert not rules.report_late(due, None, due)
    assert rules.report_late(due, None, due + timedelta(seconds=1))
    assert rules.report_late(due, due + timedelta(minutes=1), due)
    assert not rules.report_late(due, due - timedelta(hours=1), due + timedelta(days=9))
    with pytest.raises(ValueError):
        rules.report_due(datetime(2026, 1, 1), 3)


def test_dispensation_activity_and_expiry():
    today = date(2026, 6, 1)
    assert rules.is_active("approved", date(2026, 1, 1), date(2026, 6, 1), today)
    assert not rules.is_active("approved", date(2026, 1, 1), date(2026, 5, 31), today)
    assert not rules.is_active("approved", date(2026, 6, 2), None, today)
    assert not rules.is_active("rejected", None, None, today)
    assert not rules.is_active("requested", None, None, today)
    assert rules.is_expired("approved", date(2026, 5, 31), today)
    assert not rules.is_expired("approved", date(2026, 6, 1), today)
    assert not rules.is_expired("rejected", date(2026, 5, 31), today)
