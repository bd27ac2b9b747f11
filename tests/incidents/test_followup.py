"""Follow-up: the outage report kept as evidence, corrective actions linked to findings, and the
demo organisation's six incidents."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.audits.deviations import raise_deviation
from app.catalogue.models import Control
from app.errors import Conflict, Invalid
from app.evidence import service as evidence_service
from app.evidence.models import Evidence
from app.evidence.views import settings
from app.incidents import followup, queries, service
from app.incidents.models import Incident

from .conftest import CPH, make_breach


def outage(session, coordinator):
    incident = make_breach(session, coordinator, breach=False, title="Statistics bank down")
    return service.update_incident(session, coordinator, incident, service.IncidentDetails(
        title=incident.title, description="Down for two hours.",
        detected_at=incident.detected_at, personal_data=False, personal_data_breach=False,
        major_outage=True, category="availability", controls=["iso27001-2022:A.5.30"]),
        incident.version, tz=CPH)


def report(upload=None, reported_on=date(2026, 3, 30)):
    return followup.OutageReport(reported_on, "Two hours offline.", "Expired certificate.",
                                 "Expiry monitored.", upload)


def test_outage_report_is_kept_as_evidence_on_the_linked_controls(app, db_session, coordinator,
                                                                  loaded_catalogue):
    with app.test_request_context(method="POST"):
        incident = outage(db_session, coordinator)
        with pytest.raises(Invalid) as error:
            followup.attach_management_report(
                db_session, coordinator, incident, report(reported_on=None),
                settings(current_app), incident.version, today=date(2026, 4, 1))
        assert error.value.field == "reported_on"
        assert db_session.scalar(select(Evidence.id)) is None
        upload = evidence_service.Upload(io.BytesIO(b"%PDF-1.4 report"), "report.pdf",
                                         "application/pdf")
        followup.attach_management_report(db_session, coordinator, incident, report(upload),
                                           settings(current_app), incident.version,
                                           today=date(2026, 4, 1))
    evidence = db_session.get(Evidence, incident.management_report_id)
    assert evidence.kind == "file" and evidence.period_start == date(2026, 3, 30)
    assert [c.key for c in evidence.controls] == ["iso27001-2022:A.5.30"]
    assert "Consequences\nTwo hours offline." in evidence.description
    assert "the report to top management on the outage" not in followup.missing_for_close(
        incident)


def test_only_a_major_outage_gets_the_report(app, db_session, coordinator):
    incident = make_breach(db_session, coordinator)
    with app.test_request_context(method="POST"), pytest.raises(Conflict):
        followup.attach_management_report(db_session, coordinator, incident, report(),
                                          settings(current_app), incident.version,
                                          today=date(2026, 4, 1))


def test_corrective_action_linked_to_a_finding(db_session, coordinator, loaded_catalogue):
    incident = make_breach(db_session, coordinator)
    control = db_session.scalar(select(Control).where(Control.key == "iso27001-2022:A.6.3"))
    finding = raise_deviation(db_session, coordinator, control, "No phishing training",
                              "Found in the incident.", "minor", None, None)
    action = followup.add_action(db_session, coordinator, incident, followup.ActionDetails(
        "Train all staff.", deviation_id=finding.id), incident.version,
        today=date(2026, 4, 1))
    assert action.deviation is finding
    with pytest.raises(Invalid) as error:
        followup.update_action(db_session, coordinator, incident, action.id,
                               followup.ActionDetails("Train.", deviation_id=99999),
                               incident.version, today=date(2026, 4, 1))
    assert error.value.field == "deviation_id"
    followup.update_action(db_session, coordinator, incident, action.id, followup.ActionDetails(
        "Train all staff.", deviation_id=finding.id, done_on=date(2026, 3, 31)),
        incident.version, today=date(2026, 4, 1))
    assert action.done_on == date(2026, 3, 31)


def test_demo_has_six_incidents_and_one_running_clock(app, db_session, loaded_catalogue,
                                                      tmp_path):
    from app.demo import seed_demo

    app.config["KONTROL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    with app.test_request_context(method="POST"):
        seed_demo(db_session, "demo password 123")
        assert seed_demo(db_session, "demo password 123").count(
            "Six incidents, one breach clock running") == 0
    incidents = {i.title: i for i in db_session.scalars(select(Incident))}
    assert len(incidents) == 6
    laptop = incidents["Laptop left on the train"]
    assert laptop.personal_data_breach is False and laptop.status == "closed"
    email = incidents["E-mail with a salary file sent to the wrong recipient"]
    assert email.authority_notified_at - email.became_aware_at == timedelta(hours=30)
    phishing = incidents["Mailbox taken over after a phishing e-mail"]
    first = min(phishing.submissions, key=lambda s: s.submitted_at)
    assert first.delay_reason_en and phishing.authority_clock().state(
        datetime.now(UTC)) == "late"
    processor = incidents["Misconfigured export share at the data centre"]
    assert [(c.name, c.notice_hours, c.notified_at is not None)
            for c in processor.controllers] == [("Region Nordjylland", 24, True),
                                                ("Aalborg Kommune", 36, True)]
    outage_incident = incidents["Statistics bank unavailable for two hours"]
    assert outage_incident.major_outage and outage_incident.management_report_id
    running = queries.open_deadlines(db_session, datetime.now(UTC))
    assert [d.title for d in running] == ["Survey answers visible to other respondents"]
