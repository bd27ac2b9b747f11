"""Breach clocks are elapsed hours: across both 2026 daylight-saving changes in
Europe/Copenhagen, across New Year, for the authority's 72 hours and a processor's 24 and 36."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.incidents import clocks
from app.incidents.clocks import Clock, ClockState

CPH = ZoneInfo("Europe/Copenhagen")
CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))


@pytest.mark.parametrize(("aware", "hours", "due_utc", "shown"), [
    # Spring forward, Sunday 29 March 2026 02:00 CET -> 03:00 CEST (01:00 UTC).
    (datetime(2026, 3, 28, 10, 0, tzinfo=CET), 72,
     datetime(2026, 3, 31, 9, 0, tzinfo=UTC), "2026-03-31 11:00 CEST"),
    (datetime(2026, 3, 29, 1, 59, tzinfo=CET), 72,
     datetime(2026, 4, 1, 0, 59, tzinfo=UTC), "2026-04-01 02:59 CEST"),
    (datetime(2026, 3, 29, 3, 0, tzinfo=CEST), 72,
     datetime(2026, 4, 1, 1, 0, tzinfo=UTC), "2026-04-01 03:00 CEST"),
    (datetime(2026, 3, 28, 20, 0, tzinfo=CET), 24,
     datetime(2026, 3, 29, 19, 0, tzinfo=UTC), "2026-03-29 21:00 CEST"),
    (datetime(2026, 3, 28, 20, 0, tzinfo=CET), 36,
     datetime(2026, 3, 30, 7, 0, tzinfo=UTC), "2026-03-30 09:00 CEST"),
    # Fall back, Sunday 25 October 2026 03:00 CEST -> 02:00 CET (01:00 UTC); 02:30 happens twice.
    (datetime(2026, 10, 23, 12, 0, tzinfo=CEST), 72,
     datetime(2026, 10, 26, 10, 0, tzinfo=UTC), "2026-10-26 11:00 CET"),
    (datetime(2026, 10, 25, 2, 30, tzinfo=CEST), 72,
     datetime(2026, 10, 28, 0, 30, tzinfo=UTC), "2026-10-28 01:30 CET"),
    (datetime(2026, 10, 25, 2, 30, tzinfo=CET), 72,
     datetime(2026, 10, 28, 1, 30, tzinfo=UTC), "2026-10-28 02:30 CET"),
    (datetime(2026, 10, 24, 20, 0, tzinfo=CEST), 24,
     datetime(2026, 10, 25, 18, 0, tzinfo=UTC), "2026-10-25 19:00 CET"),
    (datetime(2026, 10, 24, 20, 0, tzinfo=CEST), 36,
     datetime(2026, 10, 26, 6, 0, tzinfo=UTC), "2026-10-26 07:00 CET"),
    # New Year's Eve: the clock runs on into the next year.
    (datetime(2026, 12, 31, 23, 30, tzinfo=CET), 72,
     datetime(2027, 1, 3, 22, 30, tzinfo=UTC), "2027-01-03 23:30 CET"),
    (datetime(2026, 12, 31, 20, 0, tzinfo=CET), 24,
     datetime(2027, 1, 1, 19, 0, tzinfo=UTC), "2027-01-01 20:00 CET"),
    (datetime(2026, 12, 31, 20, 0, tzinfo=CET), 36,
     datetime(2027, 1, 2, 7, 0, tzinfo=UTC), "2027-01-02 08:00 CET"),
])
def test_deadline_is_elapsed_hours_shown_in_the_zone_in_force(aware, hours, due_utc, shown):
    due = clocks.deadline(aware, hours)
    assert due == due_utc and due.tzinfo == UTC
    assert clocks.elapsed_hours(aware, due) == hours
    assert clocks.format_instant(due, CPH) == shown


def test_authority_deadline_is_72_hours():
    aware = datetime(2026, 3, 28, 10, 0, tzinfo=CET)
    assert clocks.authority_deadline(aware) == clocks.deadline(aware, 72)


def test_wall_clock_day_across_the_changes_is_not_24_elapsed_hours():
    assert clocks.elapsed_hours(datetime(2026, 3, 29, 0, 0, tzinfo=CET),
                                datetime(2026, 3, 30, 0, 0, tzinfo=CEST)) == 23
    assert clocks.elapsed_hours(datetime(2026, 10, 25, 0, 0, tzinfo=CEST),
                                datetime(2026, 10, 26, 0, 0, tzinfo=CET)) == 25


def test_local_input_in_the_repeated_and_the_skipped_hour():
    # 02:30 on 25 October happens twice: the first (summer time) is taken.
    assert clocks.parse_local(datetime(2026, 10, 25, 2, 30), CPH) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC)
    # 02:30 on 29 March never happens on the wall clock: read with the offset before the jump.
    assert clocks.parse_local(datetime(2026, 3, 29, 2, 30), CPH) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC)
    assert clocks.parse_local(datetime(2026, 12, 31, 23, 59), CPH) == datetime(
        2026, 12, 31, 22, 59, tzinfo=UTC)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        clocks.deadline(datetime(2026, 3, 28, 10, 0), 72)
    with pytest.raises(ValueError, match="no UTC offset"):
        Clock(datetime(2026, 3, 28, 10, 0, tzinfo=UTC), 72).state(datetime(2026, 3, 29))


@pytest.mark.parametrize("hours", [0, 721, -24])
def test_notice_hours_are_bounded(hours):
    with pytest.raises(ValueError, match="between 1 and 720"):
        clocks.deadline(datetime(2026, 1, 1, tzinfo=UTC), hours)


@pytest.mark.parametrize(("hours", "after", "state"), [
    (72, timedelta(hours=35, minutes=59), ClockState.RUNNING),
    (72, timedelta(hours=36), ClockState.DUE_SOON),
    (72, timedelta(hours=59, minutes=59), ClockState.DUE_SOON),
    (72, timedelta(hours=60, minutes=1), ClockState.URGENT),
    (72, timedelta(hours=72), ClockState.URGENT),
    (72, timedelta(hours=72, seconds=1), ClockState.OVERDUE),
    (24, timedelta(hours=11), ClockState.RUNNING),
    (24, timedelta(hours=21), ClockState.URGENT),
    (36, timedelta(hours=36, minutes=1), ClockState.OVERDUE),
])
def test_state_follows_the_time_left(hours, after, state):
    # Started the evening before the spring change, so each clock crosses it.
    start = datetime(2026, 3, 28, 22, 0, tzinfo=CET)
    assert Clock(start, hours).state(start + after) == state


def test_notified_on_the_deadline_is_in_time_one_second_later_is_late():
    start = datetime(2026, 10, 24, 9, 0, tzinfo=CEST)
    due = clocks.authority_deadline(start)
    later = due + timedelta(days=30)
    assert Clock(start, 72, done_at=due).state(later) == ClockState.MET
    assert Clock(start, 72, done_at=due + timedelta(seconds=1)).state(later) == ClockState.LATE
    assert clocks.is_late(due, due + timedelta(seconds=1))
    assert not clocks.is_late(due, due)


def test_countdown_parts_round_down_to_the_minute():
    start = datetime(2026, 12, 31, 23, 30, tzinfo=CET)
    clock = Clock(start, 72)
    assert clocks.split(clock.remaining(start + timedelta(seconds=1))) == (False, 71, 59)
    assert clocks.split(clock.remaining(start + timedelta(hours=73, minutes=5))) == (True, 1, 5)
