"""The register's rules: reporting, qualifying, the clocks per role, late notifications, Art. 34,
closing, who sees what, and the deadlines a reminder engine can read."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.incidents import followup, notifications, queries, service
from app.incidents.models import Incident
from app.ledger.models import LedgerEntry
from tests.factories import make_firm, make_user

from .conftest import AWARE, CPH, make_breach, submit


def actions(session, incident):
    return list(session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.entity_type == "incident", LedgerEntry.entity_id == str(incident.id))
        .order_by(LedgerEntry.seq)))


def test_anyone_but_viewers_and_external_auditors_may_report(db_session):
    when = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first of two
    for role in ("control_owner", "internal_auditor", "coordinator", "admin"):
        incident = service.report_incident(db_session, make_user(db_session, role=role),
                                           service.IncidentReport("Lost badge", "Gone.", when),
                                           tz=CPH)
        assert incident.status == "reported" and incident.detected_on == date(2026, 10, 25)
        assert actions(db_session, incident) == ["incident.reported"]
    for role in ("viewer", "external_auditor"):
        with pytest.raises(Forbidden):
            service.report_incident(db_session, make_user(db_session, role=role),
                                    service.IncidentReport("Lost badge", "Gone.", when), tz=CPH)


@pytest.mark.parametrize(("title", "detected", "field"), [
    ("", datetime(2026, 1, 1, tzinfo=UTC), "title"),
    ("Lost", None, "detected_at"),
    ("Lost", datetime(2099, 1, 1, tzinfo=UTC), "detected_at"),
    ("Lost", datetime(1980, 1, 1, tzinfo=UTC), "detected_at"),
    ("Lost", datetime(2026, 1, 1), "detected_at"),
])
def test_a_bad_report_names_its_field_and_leaves_no_trace(db_session, title, detected, field):
    owner = make_user(db_session, role="control_owner")
    with pytest.raises(Invalid) as error:
        service.report_incident(db_session, owner, service.IncidentReport(
            title, "Gone.", detected), tz=CPH, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert error.value.field == field
    assert db_session.scalar(select(Incident.id)) is None


def test_qualifying_records_who_decided_and_starts_the_clock(db_session, coordinator):
    owner = make_user(db_session, role="control_owner")
    incident = service.report_incident(db_session, owner, service.IncidentReport(
        "Mail to wrong person", "Sent salary file.", AWARE - timedelta(hours=2)), tz=CPH)
    assert incident.clocks() == []
    service.update_incident(db_session, coordinator, incident, service.IncidentDetails(
        title=incident.title, description=incident.description,
        detected_at=incident.detected_at, became_aware_at=AWARE, personal_data=True,
        personal_data_breach=True, breach_reason="Salaries of named staff disclosed."),
        incident.version, tz=CPH, now=AWARE + timedelta(hours=1))
    assert incident.status == "investigating"
    assert incident.breach_decided_by_id == coordinator.id
    assert incident.breach_decided_at == AWARE + timedelta(hours=1)
    (recipient, clock), = incident.clocks()
    assert recipient is None and clock.due == datetime(2026, 3, 31, 19, 0, tzinfo=UTC)
    assert actions(db_session, incident) == ["incident.reported", "incident.qualified"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"became_aware_at": None}, "became_aware_at"),
    ({"personal_data": False}, "personal_data_breach"),
    ({"became_aware_at": AWARE - timedelta(hours=5)}, "became_aware_at"),
    ({"occurred_at": AWARE}, "occurred_at"),
    ({"role": "owner"}, "role"),
    ({"controller_notice_hours": 0}, "controller_notice_hours"),
    ({"category": "microdata"}, "microdata_users"),
    ({"controls": ["nope:X.1"]}, "controls"),
])
def test_qualifying_refuses_inconsistent_records(db_session, coordinator, changes, field):
    incident = make_breach(db_session, coordinator)
    values = dict(title="Breach", description="x", detected_at=AWARE - timedelta(hours=1),
                  became_aware_at=AWARE, personal_data=True, personal_data_breach=True)
    values.update(changes)
    with pytest.raises(Invalid) as error:
        service.update_incident(db_session, coordinator, incident,
                                service.IncidentDetails(**values), incident.version, tz=CPH)
    assert error.value.field == field


def test_authority_notification_after_72_hours_needs_reasons(db_session, coordinator):
    incident = make_breach(db_session, coordinator)
    due = datetime(2026, 3, 31, 19, 0, tzinfo=UTC)  # 72 h across the spring change: 21:00 CEST
    with pytest.raises(Invalid) as error:
        submit(db_session, coordinator, incident, "authority", due + timedelta(minutes=1))
    assert error.value.field == "delay_reason_en"
    assert "0 h 1 min after the deadline" in error.value.message
    assert incident.submissions == [] and incident.authority_notified_at is None

    submit(db_session, coordinator, incident, "authority", due + timedelta(minutes=1),
           delay_reason_da="Logfilerne kom først efter weekenden.")
    assert incident.authority_notified_at == due + timedelta(minutes=1)
    assert incident.authority_clock().state(due + timedelta(days=5)) == "late"
    # A later phase needs no reasons, and a supplement cannot come first.
    submit(db_session, coordinator, incident, "authority", due + timedelta(days=2),
           phase="supplementary")
    assert actions(db_session, incident)[-2:] == ["incident.notified",
                                                  "incident.submission_added"]


def test_notification_on_the_deadline_is_in_time(db_session, coordinator):
    incident = make_breach(db_session, coordinator)
    submit(db_session, coordinator, incident, "authority",
           datetime(2026, 3, 31, 19, 0, tzinfo=UTC))
    assert incident.authority_clock().state(datetime(2026, 4, 9, tzinfo=UTC)) == "met"


def test_processor_clocks_per_controller_24_and_36_hours(db_session, coordinator):
    aware = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)  # 20:00 CEST, before the autumn change
    incident = make_breach(db_session, coordinator, role="processor", aware=aware, hours=36,
                           controllers=[("Region Nordjylland", 24), ("Aalborg Kommune", None)])
    assert incident.authority_clock() is None
    dues = {c.name: clock.due for c, clock in incident.controller_clocks()}
    assert dues == {"Region Nordjylland": datetime(2026, 10, 25, 18, 0, tzinfo=UTC),
                    "Aalborg Kommune": datetime(2026, 10, 26, 6, 0, tzinfo=UTC)}
    region, kommune = incident.controllers
    with pytest.raises(Invalid) as error:
        submit(db_session, coordinator, incident, "authority", aware + timedelta(hours=2))
    assert error.value.field == "recipient"
    submit(db_session, coordinator, incident, str(region.id), aware + timedelta(hours=20))
    with pytest.raises(Invalid) as error:
        submit(db_session, coordinator, incident, str(kommune.id), aware + timedelta(hours=37))
    assert error.value.field == "delay_reason_en"
    submit(db_session, coordinator, incident, str(kommune.id), aware + timedelta(hours=30))
    assert all(not clock.is_running for _c, clock in incident.controller_clocks())


def test_processor_without_listed_controllers_runs_the_default_clock(db_session, coordinator):
    incident = make_breach(db_session, coordinator, role="processor")
    (controller, clock), = incident.controller_clocks()
    assert controller is None and clock.hours == 24
    with pytest.raises(Invalid) as error:
        submit(db_session, coordinator, incident, "1", AWARE + timedelta(hours=1))
    assert error.value.field == "recipient"


def test_moving_awareness_cannot_make_a_recorded_notification_late(db_session, coordinator):
    incident = make_breach(db_session, coordinator)
    submit(db_session, coordinator, incident, "authority", AWARE + timedelta(hours=70))
    with pytest.raises(Invalid) as error:
        service.update_incident(db_session, coordinator, incident, service.IncidentDetails(
            title="Breach", description="x", detected_at=AWARE - timedelta(hours=5),
            became_aware_at=AWARE - timedelta(hours=3), personal_data=True,
            personal_data_breach=True), incident.version, tz=CPH)
    assert error.value.field == "became_aware_at"
    assert db_session.get(Incident, incident.id).became_aware_at == AWARE


def test_closing_needs_a_complete_record(db_session, coordinator):
    incident = make_breach(db_session, coordinator)
    with pytest.raises(Conflict) as error:
        followup.close_incident(db_session, coordinator, incident, incident.version,
                               today=date(2026, 4, 10))
    assert error.value.missing == [
        "the date the chair of the security committee was informed", "the root cause",
        "the notification of the breach", "the decision whether to inform the data subjects"]
    followup.record_chair_informed(db_session, coordinator, incident, date(2026, 3, 29), None,
                                  incident.version, today=date(2026, 4, 10))
    submit(db_session, coordinator, incident, "authority", AWARE + timedelta(hours=30))
    with pytest.raises(Invalid) as error:
        notifications.decide_subjects(db_session, coordinator, incident, "inform", None, None,
                                      None, incident.version)
    assert error.value.field == "reason_en"
    notifications.decide_subjects(db_session, coordinator, incident, "inform", "High risk.",
                                  None, AWARE + timedelta(days=2), incident.version)
    details = service.IncidentDetails(
        title="Breach", description="x", detected_at=incident.detected_at,
        became_aware_at=AWARE, personal_data=True, personal_data_breach=True,
        breach_reason="Named data.", root_cause="Autocomplete.")
    service.update_incident(db_session, coordinator, incident, details, incident.version, tz=CPH)
    followup.close_incident(db_session, coordinator, incident, incident.version,
                           today=date(2026, 4, 10))
    assert incident.status == "closed" and incident.closed_on == date(2026, 4, 10)
    with pytest.raises(Conflict):
        service.update_incident(db_session, coordinator, incident, details, incident.version,
                                tz=CPH)
    followup.reopen_incident(db_session, coordinator, incident, "New facts.", incident.version)
    assert incident.status == "investigating" and incident.closed_on is None


def test_a_stale_form_is_refused(db_session, coordinator):
    incident = make_breach(db_session, coordinator)
    with pytest.raises(Conflict):
        followup.record_chair_informed(db_session, coordinator, incident, date(2026, 3, 29),
                                      None, incident.version - 1, today=date(2026, 4, 1))


def test_who_sees_which_incidents(db_session, coordinator):
    from app.audits.models import Engagement, EngagementMember

    owner, other = make_user(db_session, role="control_owner"), make_user(
        db_session, role="control_owner")
    mine = service.report_incident(db_session, owner, service.IncidentReport(
        "Mine", "x", datetime(2025, 6, 1, tzinfo=UTC)), tz=CPH)
    service.report_incident(db_session, other, service.IncidentReport(
        "Theirs", "x", datetime(2026, 6, 1, tzinfo=UTC)), tz=CPH)
    external = make_user(db_session, role="external_auditor")
    engagement = Engagement(name="2025", kind="isae3000_type2", period_start=date(2025, 1, 1),
                            period_end=date(2025, 12, 31),
                            firm_id=make_firm(db_session, external).id)
    db_session.add(engagement)
    db_session.flush()
    db_session.add(EngagementMember(engagement_id=engagement.id, user_id=external.id,
                                    role="external"))
    db_session.flush()
    everything = queries.IncidentFilter()
    assert [i.title for i in queries.list_incidents(db_session, owner, everything)[0]] == ["Mine"]
    assert [i.title for i in queries.list_incidents(db_session, external, everything)[0]] == [
        "Mine"]
    assert queries.list_incidents(db_session, coordinator, everything)[1] == 2
    theirs = db_session.scalar(select(Incident).where(Incident.title == "Theirs"))
    for actor in (owner, external):
        with pytest.raises(NotFound):
            queries.get_incident(db_session, actor, theirs.id)
    assert queries.get_incident(db_session, external, mine.id) is mine


def test_open_deadlines_for_a_reminder_engine(db_session, coordinator):
    aware = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 on New Year's Eve
    notified = make_breach(db_session, coordinator, title="Done", aware=aware)
    submit(db_session, coordinator, notified, "authority", aware + timedelta(hours=5))
    running = make_breach(db_session, coordinator, title="Running", aware=aware)
    make_breach(db_session, coordinator, title="Processor", role="processor", aware=aware,
                controllers=[("A", 24), ("B", 36)])
    make_breach(db_session, coordinator, title="No breach", aware=aware, breach=False)
    deadlines = queries.open_deadlines(db_session, aware + timedelta(hours=30))
    assert [(d.title, d.recipient, d.due, d.kind) for d in deadlines] == [
        ("Processor", "A", datetime(2027, 1, 1, 22, 30, tzinfo=UTC), "breach.controller"),
        ("Processor", "B", datetime(2027, 1, 2, 10, 30, tzinfo=UTC), "breach.controller"),
        ("Running", None, datetime(2027, 1, 3, 22, 30, tzinfo=UTC), "breach.authority")]
    assert deadlines[-1].values == {"incident_id": running.id}
    assert coordinator.id in deadlines[0].responsible_user_ids
