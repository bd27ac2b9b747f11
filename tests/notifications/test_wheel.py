"""The annual wheel: duties, their recurrence, completion with evidence, the next occurrence."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.catalogue.service import assign_owner
from app.errors import Forbidden, Invalid
from app.evidence.models import Evidence
from app.notifications import wheel
from app.notifications.models import Duty, DutyCompletion
from app.notifications.wheel import Completion
from tests.factories import SYSTEM, make_user
from tests.notifications.conftest import make_duty

TODAY = date(2026, 6, 1)


def own(session, user, *controls):
    for control in controls:
        assign_owner(session, SYSTEM, control, user.id, control.version)


def upload(name="pentest-report.pdf"):
    return wheel.Upload(io.BytesIO(b"%PDF-1.4 report"), name, "application/pdf")


def test_completing_a_duty_schedules_the_next_occurrence(db_session, owner, controls, settings):
    duty = make_duty(db_session, owner, date(2026, 3, 31), rule="FREQ=YEARLY;BYMONTH=3;"
                     "BYMONTHDAY=31", controls=[controls["W.1"], controls["W.2"]])
    own(db_session, owner, controls["W.1"], controls["W.2"])
    assert duty.next_due_on == date(2026, 3, 31)
    done = wheel.complete_duty(db_session, owner, duty, Completion(
        due_on=date(2026, 3, 31), completed_on=date(2026, 4, 2), note="Decided in the board.",
        upload=upload()), settings, TODAY)
    assert duty.next_due_on == date(2027, 3, 31)
    evidence = db_session.get(Evidence, done.evidence_id)
    assert [c.key for c in evidence.controls] == ["wheelcat:W.1", "wheelcat:W.2"]
    assert evidence.versions[0].filename == "pentest-report.pdf"
    assert done.completed_by_id == owner.id and done.due_on == date(2026, 3, 31)


def test_an_existing_evidence_item_may_serve(db_session, coordinator, owner, settings):
    duty = make_duty(db_session, owner, date(2026, 5, 1), rule="FREQ=MONTHLY")
    item = Evidence(kind="note", title="Campaign", period_start=TODAY, period_end=TODAY)
    db_session.add(item)
    db_session.commit()
    wheel.complete_duty(db_session, coordinator, duty, Completion(
        due_on=date(2026, 5, 1), completed_on=TODAY, evidence_id=item.id), settings, TODAY)
    assert duty.next_due_on == date(2026, 6, 1)


@pytest.mark.parametrize("change, field", [
    ({"upload": None}, "file"),
    ({"evidence_id": 999_999, "upload": None}, "evidence_id"),
    ({"completed_on": date(2026, 6, 2)}, "completed_on"),
    ({"completed_on": None}, "completed_on"),
    ({"due_on": date(2025, 3, 31)}, "due_on"),
    ({"note": "x" * 5001}, "note")])
def test_bad_completions_name_their_field_and_leave_no_trace(db_session, owner, controls,
                                                             settings, change, field):
    duty = make_duty(db_session, owner, date(2026, 3, 31), controls=[controls["W.1"]])
    own(db_session, owner, controls["W.1"])
    values = {"due_on": date(2026, 3, 31), "completed_on": date(2026, 4, 1),
              "upload": upload(), **change}
    with pytest.raises(Invalid) as raised:
        wheel.complete_duty(db_session, owner, duty, Completion(**values), settings, TODAY)
    assert raised.value.field == field
    assert db_session.scalar(select(func.count(DutyCompletion.id))) == 0
    assert db_session.scalar(select(func.count(Evidence.id))) == 0
    assert duty.next_due_on == date(2026, 3, 31)


def test_a_control_owner_completes_only_their_own_duties(db_session, owner, controls, settings):
    theirs = make_duty(db_session, make_user(db_session, role="control_owner"),
                       date(2026, 3, 31), controls=[controls["W.1"]])
    with pytest.raises(Forbidden):
        wheel.complete_duty(db_session, owner, theirs, Completion(
            due_on=date(2026, 3, 31), completed_on=TODAY, upload=upload()), settings, TODAY)
    viewer = make_user(db_session, role="viewer")
    with pytest.raises(Forbidden):
        wheel.complete_duty(db_session, viewer, theirs, Completion(
            due_on=date(2026, 3, 31), completed_on=TODAY, upload=upload()), settings, TODAY)


@pytest.mark.parametrize("rule, field", [("FREQ=HOURLY", "rrule"), ("", "rrule"),
                                         ("RRULE:FREQ=WEEKLY;BYDAY=ZZ", "rrule")])
def test_a_bad_rule_is_refused_at_its_field(db_session, owner, rule, field):
    with pytest.raises(Invalid) as raised:
        make_duty(db_session, owner, date(2026, 1, 1), rule=rule)
    assert raised.value.field == field
    assert db_session.scalar(select(func.count(Duty.id))) == 0


def test_changing_the_rule_reschedules_after_the_last_completion(db_session, owner, settings):
    duty = make_duty(db_session, owner, date(2026, 1, 15), rule="FREQ=MONTHLY")
    item = Evidence(kind="note", title="x", period_start=TODAY, period_end=TODAY)
    db_session.add(item)
    db_session.commit()
    wheel.complete_duty(db_session, owner, duty, Completion(
        due_on=date(2026, 1, 15), completed_on=date(2026, 1, 15), evidence_id=item.id),
        settings, TODAY)
    wheel.update_duty(db_session, SYSTEM, duty, wheel.DutyDetails(
        title_en=duty.title_en, title_da=duty.title_da, rrule="FREQ=YEARLY;BYMONTH=9",
        starts_on=duty.starts_on, owner_id=owner.id), duty.version)
    assert duty.next_due_on == date(2026, 9, 15)


def test_the_wheel_colours_each_occurrence(db_session, owner, settings):
    from datetime import UTC, datetime

    from app.notifications.deadlines import Policy
    from tests.notifications.conftest import CPH

    duty = make_duty(db_session, owner, date(2026, 2, 28), rule="FREQ=YEARLY;BYMONTH=2,9;"
                     "BYMONTHDAY=28")
    item = Evidence(kind="note", title="x", period_start=TODAY, period_end=TODAY)
    db_session.add(item)
    db_session.commit()
    wheel.complete_duty(db_session, owner, duty, Completion(
        due_on=date(2026, 2, 28), completed_on=date(2026, 2, 27), evidence_id=item.id),
        settings, TODAY)
    now = datetime(2026, 9, 10, 9, tzinfo=UTC)
    result = wheel.year_wheel(db_session, owner, 2026, now, CPH, Policy())
    assert [(o.due_on, o.state) for o in result.occurrences] == [
        (date(2026, 2, 28), "done"), (date(2026, 9, 28), "due_soon")]
    picture = wheel.layout(result, date(2026, 9, 10))
    assert len(picture["months"]) == 12 and len(picture["dots"]) == 2
    february, september = (dot["xy"] for dot in picture["dots"])
    assert february[0] > picture["centre"] and september[0] < picture["centre"]


def test_the_duty_form_opens_with_the_stored_values(client, db_session, login_as, controls):
    coordinator = login_as("coordinator")
    duty = make_duty(db_session, coordinator, date(2026, 3, 31), controls=[controls["W.3"]],
                     rule="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31", title="SoA review")
    page = client.get(f"/wheel/duties/{duty.id}/edit").get_data(as_text=True)
    assert 'value="SoA review"' in page and 'value="2026-03-31"' in page
    assert 'value="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31"' in page
    assert 'selected value="wheelcat:W.3"' in page or 'value="wheelcat:W.3" selected' in page
    bad = client.post(f"/wheel/duties/{duty.id}/edit", data={
        "title_en": "SoA review", "title_da": "Gennemgang", "rrule": "FREQ=SECONDLY",
        "starts_on": "2026-03-31", "owner_id": coordinator.id, "version": duty.version})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "recurs daily at most" in text and 'value="FREQ=SECONDLY"' in text


def test_completing_through_the_page(client, db_session, login_as, controls):
    owner = login_as("control_owner")
    own(db_session, owner, controls["W.1"])
    duty = make_duty(db_session, owner, date(2026, 3, 31), controls=[controls["W.1"]],
                     rule="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31")
    response = client.post(f"/wheel/duties/{duty.id}/complete", data={
        "due_on": "2026-03-31", "completed_on": "2026-04-01", "note": "Done.",
        "file": (io.BytesIO(b"minutes"), "minutes.txt")}, content_type="multipart/form-data",
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "the next occurrence is 2027-03-31" in text
    assert "Penetration test (2026-03-31)" in text and "Done." in text
    assert 'data-testid="next-due">2027-03-31' in text
