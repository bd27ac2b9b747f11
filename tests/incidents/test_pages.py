"""Incident pages: the register in a fixed number of queries, the report form, the edit form
with stored values, a late notification refused at its field, the PDF, the dashboard tile."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.db import utcnow
from app.incidents import service
from app.incidents.models import Incident

from .conftest import AWARE, CPH, make_breach


def page_queries(client, count_queries, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_the_register_costs_the_same_for_ten_times_the_rows(client, db_session, login_as,
                                                            count_queries):
    coordinator = login_as("coordinator")
    for n in range(3):
        make_breach(db_session, coordinator, title=f"Breach {n}", role="processor",
                    controllers=[("A", 24), ("B", 36)])
    now = utcnow()
    make_breach(db_session, coordinator, title="Running", aware=now - timedelta(hours=1), now=now)
    pages = ("/incidents/?sort=severity", "/incidents/?status=open&breach=yes", "/")
    small = [page_queries(client, count_queries, url) for url in pages]
    for n in range(36):  # 4 incidents, then 40
        make_breach(db_session, coordinator, title=f"More {n}",
                    role="processor" if n % 2 else "controller",
                    controllers=[("A", 24)] if n % 2 else (),
                    aware=now - timedelta(hours=n + 2), now=now)
    assert [page_queries(client, count_queries, url) for url in pages] == small


def test_empty_register_and_filters(client, db_session, login_as):
    login_as("viewer")
    page = client.get("/incidents/").get_data(as_text=True)
    assert "No incidents are registered yet." in page and "Report an incident" not in page
    assert "No incidents match these filters." in client.get(
        "/incidents/?q=zzz").get_data(as_text=True)


def test_report_form_keeps_input_and_shows_the_error_at_the_field(client, db_session, login_as):
    login_as("control_owner")
    answer = client.post("/incidents/report", data={
        "title": "", "description": "Badge lost near the canteen",
        "detected_at": "2026-03-29T02:30"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Say in a few words what happened." in page
    assert "Badge lost near the canteen" in page
    assert db_session.query(Incident).count() == 0
    done = client.post("/incidents/report", data={
        "title": "Badge lost", "description": "Near the canteen",
        "detected_at": "2026-03-29T02:30", "personal_data": ""})
    assert done.status_code == 302
    incident = db_session.query(Incident).one()
    # 02:30 does not exist on 29 March: read with the winter offset, shown as 03:30 CEST.
    assert incident.detected_at.isoformat() == "2026-03-29T01:30:00+00:00"
    assert "2026-03-29 03:30 CEST" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_viewers_may_not_report(client, login_as):
    login_as("viewer")
    assert client.get("/incidents/report").status_code == 403


def test_edit_form_opens_with_the_stored_values(client, db_session, login_as):
    coordinator = login_as("coordinator")
    incident = make_breach(db_session, coordinator, role="processor", hours=36)
    page = client.get(f"/incidents/{incident.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-28T20:00"' in page  # became aware, local wall time
    assert 'value="36"' in page
    assert '<option selected value="processor">' in page
    assert "Identifiable data reached a stranger." in page


def test_a_late_notification_without_reasons_is_refused_at_the_field(client, db_session,
                                                                     login_as):
    coordinator = login_as("coordinator")
    incident = make_breach(db_session, coordinator)
    answer = client.post(f"/incidents/{incident.id}/submissions", data={
        "recipient": "authority", "submitted_at": "2026-04-01T09:00", "phase": "initial",
        "reference": "2026-431-0001", "version": incident.version})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Give the reasons for the delay (GDPR Art. 33(1))." in page
    assert 'value="2026-431-0001"' in page
    assert incident.submissions == []
    answer = client.post(f"/incidents/{incident.id}/submissions", data={
        "recipient": "authority", "submitted_at": "2026-04-01T09:00", "phase": "initial",
        "delay_reason_en": "The logs came after the weekend.", "version": incident.version})
    assert answer.status_code == 302
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "notified 12 h 0 min late" in page and "The logs came after the weekend." in page


def test_running_clock_on_page_fragment_and_dashboard(client, db_session, login_as):
    coordinator = login_as("coordinator")
    now = utcnow()
    incident = make_breach(db_session, coordinator, aware=now - timedelta(hours=60, seconds=30),
                           now=now)
    fragment = client.get(f"/incidents/{incident.id}/clocks").get_data(as_text=True)
    assert "11 h 59 min left" in fragment and "clock-urgent" in fragment
    dashboard = client.get("/").get_data(as_text=True)
    assert "Breach clocks" in dashboard and "11 h 59 min left" in dashboard
    assert 'data-refresh="/incidents/clocks"' in dashboard


def test_danish_pages(client, db_session, login_as):
    coordinator = login_as("coordinator")
    make_breach(db_session, coordinator)
    client.post("/language", data={"language": "da", "next": "/incidents/"})
    page = client.get("/incidents/").get_data(as_text=True)
    assert "Hændelser" in page and "Brud på persondatasikkerheden" in page


@pytest.mark.parametrize(("lang", "words"), [
    ("da", ("Anmeldelse af brud på persondatasikkerheden til Datatilsynet",
            "Begrundelse for forsinkelsen", "2026-03-31 21:00 CEST")),
    ("en", ("Notification of a personal data breach to the supervisory authority",
            "Reasons for the delay", "2026-03-31 21:00 CEST")),
])
def test_notification_pdf_is_deterministic_and_in_the_language(client, db_session, login_as,
                                                               lang, words):
    coordinator = login_as("coordinator")
    incident = make_breach(db_session, coordinator)
    from .conftest import submit

    submit(db_session, coordinator, incident, "authority", AWARE + timedelta(hours=75),
           delay_reason_en="The logs came late.", delay_reason_da="Loggen kom sent.")
    first = client.get(f"/incidents/{incident.id}/notification.pdf?lang={lang}")
    second = client.get(f"/incidents/{incident.id}/notification.pdf?lang={lang}")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(first.data)).pages)
    text = " ".join(text.split())
    for word in words:
        assert word in text
    assert client.get(f"/incidents/{incident.id}/notification.pdf?lang=fr").status_code == 404


def test_control_owner_sees_only_what_they_reported(client, db_session, login_as):
    other = make_breach(db_session, login_as("coordinator"))
    client.post("/logout")
    owner = login_as("control_owner")
    mine = service.report_incident(db_session, owner, service.IncidentReport(
        "Mine", "x", AWARE), tz=CPH)
    assert client.get(f"/incidents/{other.id}").status_code == 404
    assert client.get(f"/incidents/{mine.id}").status_code == 200
    assert client.get(f"/incidents/{mine.id}/edit").status_code == 403


def test_control_page_lists_linked_incidents(client, db_session, login_as, loaded_catalogue):
    coordinator = login_as("coordinator")
    incident = make_breach(db_session, coordinator, title="Phishing")
    service.update_incident(db_session, coordinator, incident, service.IncidentDetails(
        title="Phishing", description="x", detected_at=incident.detected_at,
        became_aware_at=AWARE, personal_data=True, personal_data_breach=True,
        controls=["iso27001-2022:A.6.3"]), incident.version, tz=CPH)
    page = client.get("/controls/iso27001-2022:A.6.3").get_data(as_text=True)
    assert 'data-testid="incidents-section"' in page and "Phishing" in page
    assert 'data-testid="incidents-section"' not in client.get(
        "/controls/iso27001-2022:A.6.4").get_data(as_text=True)


def test_an_incident_page_costs_the_same_for_ten_times_the_follow_up(client, db_session,
                                                                      login_as, count_queries):
    from datetime import date

    from app.incidents import followup, notifications

    from .conftest import submit

    coordinator = login_as("coordinator")
    incident = make_breach(db_session, coordinator, role="processor",
                           controllers=[("A", 24)])

    def grow(n):
        for i in range(n):
            followup.add_action(db_session, coordinator, incident, followup.ActionDetails(
                f"Action {i}", owner_id=coordinator.id), incident.version,
                today=date(2026, 4, 1))
            notifications.add_controller(db_session, coordinator, incident, f"C{n}-{i}", 24,
                                   incident.version)
            submit(db_session, coordinator, incident, str(incident.controllers[-1].id),
                   AWARE + timedelta(hours=2))

    grow(1)
    url = f"/incidents/{incident.id}"
    small = page_queries(client, count_queries, url)
    grow(9)
    assert page_queries(client, count_queries, url) == small


@pytest.mark.parametrize(("role", "list_page", "report", "edit"), [
    ("admin", 200, 200, 200), ("coordinator", 200, 200, 200),
    ("control_owner", 200, 200, 403), ("internal_auditor", 200, 200, 403),
    ("external_auditor", 200, 403, 403), ("viewer", 200, 403, 403),
])
def test_what_each_role_may_do(client, db_session, login_as, role, list_page, report, edit):
    from tests.factories import make_user

    incident = make_breach(db_session, make_user(db_session, role="coordinator"))
    login_as(role)
    assert client.get("/incidents/").status_code == list_page
    assert client.get("/incidents/report").status_code == report
    assert client.get(f"/incidents/{incident.id}/edit").status_code == edit
    seen = client.get(f"/incidents/{incident.id}").status_code
    # Control owners see what they reported; external auditors what their engagements cover.
    assert seen == (404 if role in ("control_owner", "external_auditor") else 200)
