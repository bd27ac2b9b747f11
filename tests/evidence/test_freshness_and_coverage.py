"""Freshness per control on a date, and the coverage matrix controls × months."""

from __future__ import annotations

from datetime import date

import pytest

from app.evidence import evidence_requests, queries, service
from app.evidence.rules import Freshness
from tests.evidence.support import details

ON = date(2026, 6, 15)


def add(session, actor, key, start, end=None, valid_until=None, title="Evidence"):
    return service.add_note_evidence(session, actor, details(
        title=title, controls=[key], period_start=start, period_end=end or start,
        valid_until=valid_until, description="Seen."))


def freshness_of(session, actor, controls, **kwargs):
    ids = [c.id for c in controls.values()]
    states = queries.control_freshness(session, actor, ids, on=ON, warning_days=30, **kwargs)
    return {code: states[c.id] for code, c in controls.items()}


def test_control_freshness_rules(db_session, coordinator, controls):
    add(db_session, coordinator, "testcat:C.1", date(2026, 3, 1))  # no expiry: current
    add(db_session, coordinator, "testcat:C.2", date(2026, 3, 1), valid_until=date(2026, 7, 15))
    add(db_session, coordinator, "testcat:C.3", date(2026, 3, 1), valid_until=date(2026, 6, 14))
    add(db_session, coordinator, "testcat:C.4", date(2025, 3, 1))  # last year only: missing
    assert freshness_of(db_session, coordinator, controls) == {
        "C.1": Freshness.CURRENT, "C.2": Freshness.EXPIRING, "C.3": Freshness.EXPIRED,
        "C.4": Freshness.MISSING, "O.1": Freshness.MISSING}


def test_the_freshest_item_counts(db_session, coordinator, controls):
    add(db_session, coordinator, "testcat:C.1", date(2026, 1, 1), valid_until=date(2026, 2, 1))
    add(db_session, coordinator, "testcat:C.1", date(2026, 2, 1), valid_until=date(2026, 7, 1))
    assert freshness_of(db_session, coordinator, controls)["C.1"] == Freshness.EXPIRING
    add(db_session, coordinator, "testcat:C.1", date(2026, 5, 1), valid_until=date(2027, 5, 1))
    assert freshness_of(db_session, coordinator, controls)["C.1"] == Freshness.CURRENT


def test_evidence_overlapping_the_period_counts(db_session, coordinator, controls):
    add(db_session, coordinator, "testcat:C.1", date(2025, 12, 1), date(2026, 1, 31))
    assert freshness_of(db_session, coordinator, controls)["C.1"] == Freshness.CURRENT
    states = freshness_of(db_session, coordinator, controls,
                          period=(date(2026, 4, 1), date(2026, 6, 30)))
    assert states["C.1"] == Freshness.MISSING


@pytest.mark.parametrize(("valid_until", "expected"), [
    (date(2026, 6, 14), "expired"), (date(2026, 6, 15), "expiring"),
    (date(2026, 7, 15), "expiring"), (date(2026, 7, 16), "current"), (None, "current")])
def test_expiry_boundaries_in_the_list_filter(db_session, coordinator, controls, valid_until,
                                              expected):
    add(db_session, coordinator, "testcat:C.1", date(2026, 1, 1), valid_until=valid_until)
    for state in ("current", "expiring", "expired"):
        items, total = queries.list_evidence(
            db_session, coordinator, queries.EvidenceFilter(freshness=state), today=ON,
            warning_days=30)
        assert total == (1 if state == expected else 0), state


def test_the_warning_window_is_configurable(db_session, coordinator, controls):
    add(db_session, coordinator, "testcat:C.1", date(2026, 1, 1), valid_until=date(2026, 8, 1))
    states = queries.control_freshness(db_session, coordinator, [controls["C.1"].id], on=ON,
                                       warning_days=60)
    assert states[controls["C.1"].id] == Freshness.EXPIRING


def test_coverage_counts_evidence_per_control_and_month(db_session, coordinator, controls):
    add(db_session, coordinator, "testcat:C.1", date(2026, 1, 10))
    add(db_session, coordinator, "testcat:C.1", date(2026, 1, 1), date(2026, 3, 31))
    add(db_session, coordinator, "testcat:C.2", date(2025, 11, 1), date(2026, 2, 1))
    add(db_session, coordinator, "testcat:C.3", date(2027, 1, 1))  # outside the period
    add(db_session, coordinator, "othercat:O.1", date(2026, 4, 30))
    result = queries.coverage(db_session, coordinator, date(2026, 1, 1), date(2026, 12, 1))
    assert result.months == [date(2026, m, 1) for m in range(1, 13)]
    rows = {row.control.code: row.counts for row in result.rows}
    assert rows["C.1"] == [2, 1, 1] + [0] * 9
    assert rows["C.2"] == [1, 1] + [0] * 10
    assert rows["C.3"] == rows["C.4"] == [0] * 12
    assert rows["O.1"] == [0, 0, 0, 1] + [0] * 8
    assert result.covered == 3 and result.max_count == 2


def test_coverage_filters_by_catalogue(db_session, coordinator, controls):
    add(db_session, coordinator, "othercat:O.1", date(2026, 4, 30))
    result = queries.coverage(db_session, coordinator, date(2026, 1, 1), date(2026, 6, 1),
                              catalogue="testcat")
    assert [row.control.code for row in result.rows] == ["C.1", "C.2", "C.3", "C.4"]
    assert result.covered == 0


def test_coverage_period_is_checked(db_session, coordinator, controls):
    with pytest.raises(Exception, match="ends before it starts"):
        queries.coverage(db_session, coordinator, date(2026, 5, 1), date(2026, 4, 1))
    with pytest.raises(Exception, match="at most 36 months"):
        queries.coverage(db_session, coordinator, date(2020, 1, 1), date(2026, 1, 1))


def test_retired_and_requested_controls_are_kept_by_catalogue_reloads(db_session, coordinator,
                                                                       controls, owner):
    add(db_session, coordinator, "testcat:C.1", date(2026, 1, 1))
    evidence_requests.create_request(db_session, coordinator, "testcat:C.2", assignee_id=None,
                           due_on=ON, description="Please.", today=ON)
    ids = [c.id for c in controls.values()]
    assert queries.controls_with_evidence(db_session, ids) == {controls["C.1"].id,
                                                               controls["C.2"].id}
