"""Sign-in throttling and the security log (issue 9, item 9)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from app.auth import login
from app.auth.models import SecurityEvent
from app.db import utcnow
from app.ledger.models import LedgerEntry
from tests.factories import FAST_HASH, TEST_PASSWORD, make_user

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _post(client, email, password, environ):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base=environ)


def _age_events(db_session, seconds: int) -> None:
    """Move every logged failure `seconds` into the past (instead of sleeping)."""
    for event in db_session.scalars(select(SecurityEvent)):
        event.at -= timedelta(seconds=seconds)
    db_session.flush()


def test_an_unknown_address_costs_a_password_hash_like_a_known_one(db_session, monkeypatch):
    checked = []
    real = login.check_password_hash
    monkeypatch.setattr(login, "check_password_hash",
                        lambda stored, password: checked.append(stored) or real(stored, password))
    user = make_user(db_session)
    assert login.check_password(db_session, user.email, "wrong", "192.0.2.1", FAST_HASH) is None
    assert login.check_password(db_session, "ghost@example.org", "wrong", "192.0.2.1",
                                FAST_HASH) is None
    assert len(checked) == 2
    assert checked[1].startswith("pbkdf2:sha256:1000$")  # the configured method, a real hash


def test_one_attacker_cannot_lock_the_owner_out(client, db_session):
    user = make_user(db_session, role="admin")
    answers = [_post(client, user.email, "guess", ATTACKER).status_code for _ in range(8)]
    assert answers == [401] * 5 + [429] * 3
    assert _post(client, user.email, TEST_PASSWORD, OWNER).status_code == 302


def test_many_attackers_only_slow_the_owner_down(client, db_session):
    user = make_user(db_session, role="admin")
    for number in range(12):
        _post(client, user.email, "guess", {"REMOTE_ADDR": f"203.0.113.{number}"})
    # The owner, elsewhere, waits at most the account rule's short back-off ...
    blocked = _post(client, user.email, TEST_PASSWORD, OWNER)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) <= 120
    _age_events(db_session, 121)
    # ... and then signs in.
    assert _post(client, user.email, TEST_PASSWORD, OWNER).status_code == 302


def test_the_back_off_doubles_and_then_lets_the_client_try_again(client, db_session):
    user = make_user(db_session)
    for _ in range(5):
        assert _post(client, user.email, "guess", ATTACKER).status_code == 401
    assert _post(client, user.email, "guess", ATTACKER).headers["Retry-After"] == "30"
    _age_events(db_session, 31)
    assert _post(client, user.email, "guess", ATTACKER).status_code == 401  # the 6th failure
    assert _post(client, user.email, "guess", ATTACKER).headers["Retry-After"] == "60"
    _age_events(db_session, 61)
    assert _post(client, user.email, TEST_PASSWORD, ATTACKER).status_code == 302


def test_spraying_many_accounts_from_one_client_is_throttled(client, db_session):
    answers = [_post(client, f"person{number}@example.org", "Summer2024!", ATTACKER).status_code
               for number in range(25)]
    assert answers[:20] == [401] * 20
    assert set(answers[20:]) == {429}
    user = make_user(db_session)
    assert _post(client, user.email, TEST_PASSWORD, OWNER).status_code == 302  # others unaffected


def test_failures_go_to_the_security_log_not_the_ledger(client, db_session):
    user = make_user(db_session)
    ledger_before = db_session.scalar(select(func.count()).select_from(LedgerEntry))
    _post(client, user.email, "guess", ATTACKER)
    _post(client, "ghost@example.org", "guess", ATTACKER)
    assert db_session.scalar(select(func.count()).select_from(LedgerEntry)) == ledger_before
    events = db_session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
    assert [(e.kind, e.email, e.remote_addr) for e in events] == [
        ("password_failed", user.email, "203.0.113.9"),
        ("password_failed", "ghost@example.org", "203.0.113.9")]
    _post(client, user.email, TEST_PASSWORD, OWNER)
    actions = db_session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.seq > ledger_before)).all()
    assert actions == ["auth.login"]  # a successful sign-in is an auditable act


def test_the_security_log_keeps_entries_for_the_retention_period(app, client, db_session):
    _post(client, "old@example.org", "guess", ATTACKER)
    db_session.execute(update(SecurityEvent).values(at=utcnow() - timedelta(days=91)))
    _post(client, "recent@example.org", "guess", ATTACKER)
    assert db_session.scalars(select(SecurityEvent.email)).all() == ["recent@example.org"]


def test_a_successful_sign_in_clears_the_account_count(client, db_session):
    user = make_user(db_session)
    for _ in range(4):
        _post(client, user.email, "guess", OWNER)
    assert _post(client, user.email, TEST_PASSWORD, OWNER).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert _post(client, user.email, "typo", OWNER).status_code == 401
    assert _post(client, user.email, TEST_PASSWORD, OWNER).status_code == 302


def test_admins_see_the_security_log(client, login_as, db_session):
    _post(client, "ghost@example.org", "guess", ATTACKER)
    login_as("admin")
    page = client.get("/admin/security")
    assert page.status_code == 200
    assert b"ghost@example.org" in page.data and b"203.0.113.9" in page.data


def test_the_security_page_issues_a_fixed_number_of_queries(client, login_as, db_session,
                                                            count_queries):
    login_as("admin")

    def queries_with(failures: int) -> int:
        for number in range(failures):
            db_session.add(SecurityEvent(kind="password_failed", email=f"p{number}@example.org",
                                         remote_addr="192.0.2.1", at=utcnow()))
        db_session.flush()
        client.get("/admin/security")
        with count_queries() as statements:
            assert client.get("/admin/security").status_code == 200
        return len(statements)

    assert queries_with(5) == queries_with(50)
