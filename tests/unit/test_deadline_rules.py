"""The deadline engine's pure rules: states, thresholds, recurrence; across DST changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.evidence.rules import Freshness, item_freshness
from app.governance.rules import DueState, due_state
from app.notifications import recurrence
from app.notifications.deadlines import (
    Deadline,
    Policy,
    Selection,
    State,
    date_state,
    due_day,
    end_of_day,
    make_policy,
    parse_threshold,
    reached,
    select,
    state,
)

CPH = ZoneInfo("Europe/Copenhagen")


def deadline(due_at, kind="document_review", **extra):
    return Deadline(kind, "thing", extra.pop("object_id", 1), "Thing", due_at,
                    extra.pop("responsible", (1,)), "x.y", {}, **extra)


def test_date_state_boundaries():
    today = date(2026, 6, 1)
    assert date_state(date(2026, 5, 31), today, 30) == State.OVERDUE
    assert date_state(today, today, 30) == State.DUE_SOON
    assert date_state(date(2026, 7, 1), today, 30) == State.DUE_SOON
    assert date_state(date(2026, 7, 2), today, 30) == State.UPCOMING


@pytest.mark.parametrize("valid_until, expected", [
    (None, Freshness.CURRENT), (date(2026, 5, 31), Freshness.EXPIRED),
    (date(2026, 6, 1), Freshness.EXPIRING), (date(2026, 7, 1), Freshness.EXPIRING),
    (date(2026, 7, 2), Freshness.CURRENT)])
def test_evidence_freshness_is_the_engine_rule(valid_until, expected):
    today = date(2026, 6, 1)
    assert item_freshness(valid_until, today, 30) == expected
    if valid_until:  # the deadline of that item, judged at noon, says the same
        item = deadline(end_of_day(valid_until, CPH), "evidence_expiry")
        now = datetime(2026, 6, 1, 12, tzinfo=CPH)
        mapped = {State.DUE_SOON: Freshness.EXPIRING, State.OVERDUE: Freshness.EXPIRED,
                  State.UPCOMING: Freshness.CURRENT}
        assert mapped[state(item, now, 30, CPH)] == expected


def test_governance_due_state_is_the_engine_rule():
    today = date(2026, 6, 1)
    assert due_state(date(2026, 5, 31), today, 30) == DueState.OVERDUE
    assert due_state(date(2026, 6, 20), today, 30) == DueState.DUE_SOON
    assert due_state(date(2026, 9, 1), today, 30) == DueState.LATER


def test_a_date_deadline_is_overdue_from_local_midnight_after_its_day():
    due = end_of_day(date(2026, 3, 29), CPH)  # the spring change is that night
    assert due == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # 00:00 CEST is 22:00 UTC
    assert due_day(due, CPH) == date(2026, 3, 29)
    item = deadline(due)
    assert state(item, due - timedelta(seconds=1), 30, CPH) == State.DUE_SOON
    assert state(item, due, 30, CPH) == State.OVERDUE


def test_breach_thresholds_count_elapsed_hours_across_the_autumn_change():
    aware = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    item = deadline(aware + timedelta(hours=72), "breach.authority", starts_at=aware)
    policy = Policy()
    at = {t.name: t.reached_at(item, CPH) for t in policy.thresholds("breach.authority")}
    assert at == {"50%": aware + timedelta(hours=36), "24h": aware + timedelta(hours=48),
                  "4h": aware + timedelta(hours=68), "overdue": aware + timedelta(hours=72)}
    assert reached(item, policy, aware + timedelta(hours=35), CPH) is None
    assert reached(item, policy, aware + timedelta(hours=36), CPH).name == "50%"
    assert reached(item, policy, aware + timedelta(hours=70), CPH).name == "4h"
    assert reached(item, policy, aware + timedelta(hours=99), CPH).name == "overdue"


def test_only_the_latest_threshold_reached_is_notified_and_none_when_done():
    due = end_of_day(date(2026, 6, 30), CPH)
    item = deadline(due)
    policy = Policy()
    assert reached(item, policy, datetime(2026, 5, 30, 23, 59, tzinfo=CPH), CPH) is None
    assert reached(item, policy, datetime(2026, 5, 31, 0, 0, tzinfo=CPH), CPH).name == "30d"
    assert reached(item, policy, datetime(2026, 6, 23, 9, tzinfo=CPH), CPH).name == "7d"
    assert reached(item, policy, datetime(2026, 6, 30, 9, tzinfo=CPH), CPH).name == "due"
    assert reached(item, policy, datetime(2026, 7, 2, tzinfo=CPH), CPH).name == "overdue"
    done = deadline(due, done_at=datetime(2026, 6, 1, tzinfo=UTC))
    assert reached(done, policy, datetime(2026, 7, 2, tzinfo=CPH), CPH) is None
    assert state(done, datetime(2026, 7, 2, tzinfo=CPH), 30, CPH) == State.DONE


def test_thresholds_are_configurable_per_kind_and_bounded():
    policy = make_policy({"finding_response": ["14d", "due", "overdue"]})
    assert [t.name for t in policy.thresholds("finding_response")] == ["14d", "due", "overdue"]
    assert policy.window_days("finding_response") == 14
    assert policy.window_days("annual_duty") == 30
    assert policy.window_days("breach.controller") == 7
    for bad in ("0d", "400d", "100%", "soon", "-3h", "1000h"):
        with pytest.raises(ValueError):
            parse_threshold(bad)
    with pytest.raises(ValueError, match="finding_response"):
        make_policy({"finding_response": []})


def test_keys_are_stable_and_tell_deadlines_apart():
    due = datetime(2026, 6, 1, 10, tzinfo=UTC)
    assert deadline(due).key == deadline(due.astimezone(CPH)).key
    assert deadline(due).key != deadline(due + timedelta(days=365)).key
    a = deadline(due, "breach.controller", qualifier="Region A")
    b = deadline(due, "breach.controller", qualifier="Region B")
    assert a.key != b.key and len(a.key) <= 160


def test_select_filters_by_kind_owner_and_state_soonest_first():
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    items = [deadline(now - timedelta(days=2), object_id=1, responsible=(1,)),
             deadline(now + timedelta(days=3), "annual_duty", object_id=2, responsible=(2,)),
             deadline(now + timedelta(days=90), object_id=3, responsible=(1, 2)),
             deadline(now - timedelta(days=9), object_id=4, done_at=now)]
    policy = Policy()
    everything = select(items, Selection(), policy, now, CPH)
    assert [(d.object_id, s) for d, s in everything] == [
        (1, State.OVERDUE), (2, State.DUE_SOON), (3, State.UPCOMING)]
    assert [d.object_id for d, _ in select(items, Selection(owner_id=2), policy, now, CPH)] \
        == [2, 3]
    assert [d.object_id for d, _ in select(items, Selection(kind="annual_duty"), policy, now,
                                           CPH)] == [2]
    assert [d.object_id for d, _ in select(items, Selection(state="done"), policy, now,
                                           CPH)] == [4]


def test_state_refuses_naive_instants():
    with pytest.raises(ValueError):
        deadline(datetime(2026, 6, 1))
    with pytest.raises(ValueError):
        state(deadline(datetime(2026, 6, 1, tzinfo=UTC)), datetime(2026, 6, 1), 30, CPH)


def test_recurrence_yearly_in_march_and_quarterly():
    rule = "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31"
    assert recurrence.next_occurrence(rule, date(2025, 1, 1)) == date(2025, 3, 31)
    assert recurrence.next_occurrence(rule, date(2025, 1, 1), date(2025, 3, 31)) == \
        date(2026, 3, 31)
    quarterly = "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15"
    assert recurrence.occurrences_in(quarterly, date(2026, 1, 1), date(2026, 1, 1),
                                     date(2026, 12, 31)) == [
        date(2026, 1, 15), date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15)]
    assert recurrence.next_occurrence("FREQ=YEARLY;COUNT=1", date(2026, 5, 1),
                                      date(2026, 5, 1)) is None


@pytest.mark.parametrize("rule", ["", "FREQ=HOURLY", "FREQ=MINUTELY", "nonsense",
                                  "FREQ=YEARLY;INTERVAL=500", "DTSTART:20260101\nFREQ=DAILY",
                                  "FREQ=DAILY;" + "BYMONTH=1;" * 60])
def test_recurrence_refuses_rules_it_cannot_bound(rule):
    with pytest.raises(recurrence.RuleError):
        recurrence.parse(rule, date(2026, 1, 1))
