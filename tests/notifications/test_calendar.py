"""The calendar feed: a secret address, the user's deadlines at their exact instant."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from app.notifications import service
from tests.factories import make_user
from tests.incidents.conftest import AWARE, make_breach
from tests.notifications.conftest import make_duty


def feed_path(app, db_session, user) -> str:
    feed = service.create_calendar_feed(db_session, user, app.config["SECRET_KEY"])
    return "/calendar/" + service.calendar_token(feed, app.config["SECRET_KEY"]) + ".ics"


def events(response) -> dict:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_a_breach_deadline_is_in_the_feed_at_the_exact_instant(app, client, db_session):
    reporter = make_user(db_session, role="coordinator")
    make_breach(db_session, reporter, title="Survey answers shown to a stranger",
                now=AWARE + timedelta(hours=1))
    path = feed_path(app, db_session, reporter)
    found = events(client.get(path))  # no session cookie: the token is the key
    event = found["Breach: notify Datatilsynet: Survey answers shown to a stranger"]
    assert event.decoded("dtstart") == AWARE + timedelta(hours=72)
    assert event.to_ical().decode().count("DTSTART:20260331T190000Z") == 1
    assert "/incidents/" in str(event["url"])
    assert [a.decoded("trigger") for a in event.walk("VALARM")] == [
        -timedelta(hours=24), -timedelta(hours=4)]
    # The UID is stable from one fetch to the next.
    again = events(client.get(path))
    assert str(again[str(event["summary"])]["uid"]) == str(event["uid"])


def test_the_feed_holds_only_the_users_own_deadlines_in_their_language(app, client, db_session):
    mine = make_user(db_session, role="control_owner")
    mine.language = "da"
    other = make_user(db_session, role="control_owner")
    make_duty(db_session, mine, date(2026, 9, 1), title="Contingency test",
              title_da="Test af beredskabsplanen")
    make_duty(db_session, other, date(2026, 9, 1), title="Someone else's duty")
    found = events(client.get(feed_path(app, db_session, mine)))
    assert list(found) == ["Opgave i årshjulet: Test af beredskabsplanen"]


def test_the_token_grants_nothing_else(app, client, db_session):
    user = make_user(db_session, role="coordinator")
    path = feed_path(app, db_session, user)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    for url in ("/deadlines", "/notifications", f"/deadlines?token={token}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    other = token[:-1] + ("1" if token.endswith("0") else "0")  # one character changed
    assert client.get(path.replace(token, other)).status_code == 404
    assert client.get("/calendar/kcal_nothing.ics").status_code == 404


def test_a_revoked_or_renewed_address_stops_working(app, client, db_session):
    user = make_user(db_session, role="coordinator")
    old = feed_path(app, db_session, user)
    new = feed_path(app, db_session, user)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert service.revoke_calendar_feed(db_session, user)
    assert client.get(new).status_code == 404
    assert service.calendar_feed(db_session, user.id) is None


def test_the_address_is_stored_hashed_and_shown_on_the_account_page(app, client, db_session,
                                                                    login_as):
    user = login_as("control_owner")
    assert b"Create a calendar address" in client.get("/account").data
    response = client.post("/account/calendar", follow_redirects=True)
    feed = service.calendar_feed(db_session, user.id)
    token = service.calendar_token(feed, app.config["SECRET_KEY"])
    assert token.encode() in response.data
    assert token not in (feed.token_hash, feed.nonce)
    assert client.get("/account").data.count(token.encode()) == 1
    client.post("/account/calendar/revoke")
    assert token.encode() not in client.get("/account").data
