"""Pages and API: /deadlines, the bell, the notification list, preferences, the wheel."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth import service as accounts
from app.db import utcnow
from app.evidence.models import Evidence
from app.notifications import jobs
from app.notifications.deadlines import Policy
from app.notifications.models import DutyCompletion, Notification
from tests.factories import SYSTEM, make_user
from tests.notifications.conftest import CPH, make_duty


def today() -> date:
    return utcnow().astimezone(CPH).date()


def notify(db_session):
    return jobs.scan_deadlines(db_session, utcnow(), policy=Policy(), zone=CPH)


def test_deadlines_default_to_mine_except_for_the_coordinator(client, db_session, login_as):
    owner = login_as("control_owner")
    other = make_user(db_session, role="control_owner")
    make_duty(db_session, owner, today() + timedelta(days=3), title="My pen test")
    make_duty(db_session, other, today() - timedelta(days=3), title="Their SoA review")
    page = client.get("/deadlines").get_data(as_text=True)
    assert "My pen test" in page and "Their SoA review" not in page
    # A control owner cannot look at someone else's list by asking for it.
    assert "Their SoA review" not in client.get(f"/deadlines?owner={other.id}").get_data(
        as_text=True)
    client.post("/logout")
    login_as("coordinator")
    page = client.get("/deadlines").get_data(as_text=True)
    assert "My pen test" in page and "Their SoA review" in page
    overdue = client.get("/deadlines?state=overdue").get_data(as_text=True)
    assert "Their SoA review" in overdue and "My pen test" not in overdue
    mine = client.get(f"/deadlines?owner={owner.id}&kind=annual_duty").get_data(as_text=True)
    assert "My pen test" in mine and "Their SoA review" not in mine


def test_a_bad_filter_says_what_is_wrong(client, db_session, login_as):
    login_as("coordinator")
    response = client.get("/deadlines?kind=nonsense&state=later")
    assert response.status_code == 422
    assert b"Choose a kind from the list." in response.data


def test_deadlines_and_the_wheel_keep_a_constant_query_count(client, db_session, login_as,
                                                             count_queries, controls):
    owner = login_as("coordinator")

    def grow(n, start):
        for i in range(start, start + n):
            duty = make_duty(db_session, owner, today() - timedelta(days=40 + i),
                             title=f"Duty {i}", rule="FREQ=MONTHLY", controls=[controls["W.1"]])
            expiring = Evidence(kind="note", title=f"Note {i}", period_start=today(),
                                period_end=today(), valid_until=today() + timedelta(days=i),
                                owner_id=owner.id, controls=[controls["W.2"]])
            db_session.add(expiring)
            db_session.flush()
            db_session.add(DutyCompletion(duty=duty, due_on=duty.next_due_on,
                                          completed_on=today(), evidence_id=expiring.id))
        db_session.commit()

    def counted(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    grow(3, 0)
    small = counted("/deadlines"), counted("/wheel"), counted("/deadlines?state=done")
    grow(27, 3)
    large = counted("/deadlines"), counted("/wheel"), counted("/deadlines?state=done")
    assert small == large
    assert b"Duty 29" in client.get("/wheel").data


def test_the_bell_counts_unread_and_the_list_opens_and_marks_read(client, db_session, login_as):
    owner = login_as("control_owner")
    make_duty(db_session, owner, today() + timedelta(days=2), title="Pen test")
    make_duty(db_session, owner, today() - timedelta(days=2), title="Contingency test")
    assert notify(db_session).created == 2
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="bell-count">2<' in page
    rows = list(db_session.scalars(select(Notification).order_by(Notification.id)))
    listing = client.get("/notifications").get_data(as_text=True)
    assert listing.index("Contingency test") >= 0 and "overdue" in listing
    opened = client.post(f"/notifications/{rows[0].id}/open")
    assert opened.status_code == 302 and "/wheel/duties/" in opened.headers["Location"]
    assert 'data-testid="bell-count">1<' in client.get("/").get_data(as_text=True)
    client.post(f"/notifications/{rows[1].id}/read")
    assert 'data-testid="bell-count"' not in client.get("/").get_data(as_text=True)


def test_someone_elses_notification_is_not_found(client, db_session, login_as):
    other = make_user(db_session, role="control_owner")
    make_duty(db_session, other, today(), title="Theirs")
    notify(db_session)
    row = db_session.scalar(select(Notification))
    login_as("coordinator")
    assert client.post(f"/notifications/{row.id}/open").status_code == 404
    assert db_session.get(Notification, row.id).read_at is None


def test_preferences_are_saved_and_bad_ones_refused(client, db_session, login_as):
    login_as("control_owner")
    response = client.post("/notifications/preferences", data={
        "email_kinds": ["annual_duty", "evidence_expiry"], "digest": "daily"},
        follow_redirects=True)
    assert "Your e-mail preferences are saved." in response.get_data(as_text=True)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="daily"', page)
    assert re.search(r'<input checked[^>]*value="annual_duty"', page)
    assert not re.search(r'<input checked[^>]*value="breach.authority"', page)
    bad = client.post("/notifications/preferences", data={"email_kinds": ["nonsense"],
                                                           "digest": "daily"})
    assert bad.status_code == 422 and b"Unknown kind: nonsense." in bad.data


@pytest.fixture
def token(db_session):
    def make(user):
        return accounts.create_token(db_session, SYSTEM, user, "script")[1]
    return make


def test_api_lists_notifications_newest_first_and_marks_one_read(client, db_session, token):
    owner = make_user(db_session, role="control_owner")
    other = make_user(db_session, role="control_owner")
    make_duty(db_session, owner, today() - timedelta(days=1), title="Older")
    make_duty(db_session, other, today(), title="Not mine")
    jobs.scan_deadlines(db_session, utcnow() - timedelta(minutes=1), policy=Policy(), zone=CPH)
    make_duty(db_session, owner, today() + timedelta(days=1), title="Newer")
    notify(db_session)
    headers = {"Authorization": f"Bearer {token(owner)}"}
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert [i["title"] for i in body["items"]] == ["Newer", "Older"]
    assert body["unread"] == 2 and body["items"][0]["url"].startswith("/wheel/duties/")
    first = body["items"][0]["id"]
    read = client.post(f"/api/v1/notifications/{first}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert client.get("/api/v1/notifications?unread=1", headers=headers).get_json()[
        "total"] == 1
    theirs = db_session.scalar(select(Notification).where(Notification.user_id == other.id))
    assert client.post(f"/api/v1/notifications/{theirs.id}/read",
                       headers=headers).status_code == 404


def test_me_gives_the_calendar_url_once_made(app, client, db_session, token):
    from app.notifications import service

    user = make_user(db_session, role="viewer")
    headers = {"Authorization": f"Bearer {token(user)}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["calendar_url"] is None
    feed = service.create_calendar_feed(db_session, user, app.config["SECRET_KEY"])
    url = client.get("/api/v1/me", headers=headers).get_json()["calendar_url"]
    assert url.endswith(service.calendar_token(feed, app.config["SECRET_KEY"]) + ".ics")
    assert client.get(url.removeprefix("http://localhost")).status_code == 200


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_pages_render_in_both_languages(client, db_session, login_as, controls, language):
    user = login_as("coordinator")
    client.post("/language", data={"language": language})
    duty = make_duty(db_session, user, today(), controls=[controls["W.1"]],
                     title="SoA review", title_da="Gennemgang af anvendelseserklæringen")
    notify(db_session)
    words = {"en": ("Annual wheel", "Deadlines", "Notifications", "SoA review"),
             "da": ("Årshjul", "Frister", "Notifikationer", "Gennemgang af anvendelseserk")}
    for url in ("/wheel", "/deadlines", "/notifications", f"/wheel/duties/{duty.id}",
                "/wheel/duties/new", "/notifications/preferences"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/wheel").get_data(as_text=True) + client.get("/deadlines").get_data(
        as_text=True) + client.get("/notifications").get_data(as_text=True)
    for word in words[language]:
        assert word in page, (language, word)


def test_the_dashboard_counts_what_the_evidence_list_shows(client, db_session, login_as,
                                                           controls):
    """Issue 15 item 7: one definition of expiring and expired, used by both."""
    owner = login_as("coordinator")
    for title, days, code in (("Current", 200, None), ("Expiring", 10, "W.1"),
                              ("Expired", -3, "W.2"), ("Today", 0, "W.3")):
        db_session.add(Evidence(kind="note", title=title, period_start=today(),
                                period_end=today(), valid_until=today() + timedelta(days=days),
                                owner_id=owner.id, controls=[controls[code]] if code else []))
    db_session.commit()
    dashboard = client.get("/").get_data(as_text=True)
    for state, expected in (("expiring", 2), ("expired", 1)):
        listed = client.get(f"/evidence/?freshness={state}").get_data(as_text=True)
        assert listed.count('href="/evidence/') - listed.count('href="/evidence/new') >= expected
        link = f'href="/evidence/?freshness={state}"><strong class="figure-sm">{expected}<'
        assert link in dashboard, state
    deadlines = client.get("/deadlines?kind=evidence_expiry").get_data(as_text=True)
    assert deadlines.count('data-state="due_soon"') == 2
    assert deadlines.count('data-state="overdue"') == 1
    # Renewing the expired item (newer evidence for its control, valid longer) meets that
    # deadline: /deadlines calls it done, while the list still shows the old item as expired.
    db_session.add(Evidence(kind="note", title="Renewed", period_start=today(),
                            period_end=today(), valid_until=today() + timedelta(days=365),
                            owner_id=owner.id, controls=[controls["W.2"]]))
    db_session.commit()
    assert 'data-state="overdue"' not in client.get("/deadlines?kind=evidence_expiry").get_data(
        as_text=True)
    assert "Expired" in client.get("/deadlines?kind=evidence_expiry&state=done").get_data(
        as_text=True)
