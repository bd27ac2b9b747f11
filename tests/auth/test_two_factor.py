"""Two-factor sign-in: enrolment, the code step, recovery codes, the role policy and resets."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from app.auth import two_factor
from app.auth.models import RecoveryCode, User
from app.auth.secret_box import seal, unseal
from app.db import utcnow
from app.ledger.models import LedgerEntry
from tests.factories import SYSTEM, TEST_PASSWORD, make_user


def _enrol(client) -> tuple[str, list[str]]:
    """Enrol through the pages; returns the secret and the recovery codes shown."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(utcnow() + timedelta(seconds=30 * steps_ahead))


def _password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})


def test_enrolment_shows_an_svg_qr_code_and_ten_recovery_codes_once(client, login_as,
                                                                    db_session):
    user = login_as("coordinator")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert '<svg' in page and "style=" not in page[page.index("<svg"):page.index("</svg>")]
    secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db_session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed, not kept as shown
    assert user.two_factor_enabled and unseal(user.totp_secret) == secret
    assert secret not in user.totp_secret  # encrypted at rest, under a key outside the database
    assert b'data-testid="recovery-codes"' not in client.get("/account/two-factor").data


def test_a_wrong_confirmation_code_enrols_nothing(client, login_as, db_session):
    user = login_as("viewer")
    client.get("/account/two-factor")
    response = client.post("/account/two-factor", data={"code": "000000"})
    assert response.status_code == 422
    assert b"That code does not match." in response.data
    assert not user.two_factor_enabled


def test_sign_in_asks_for_the_code_after_the_password(app, client, db_session):
    user = make_user(db_session)
    _password_step(client, user)
    secret, _codes = _enrol(client)
    client.post("/logout")
    response = _password_step(client, user)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401 and b"That code is not valid." in wrong.data
    response = client.post("/login/code", data={"code": _code(secret, 1)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_is_good_only_once(client, db_session):
    user = make_user(db_session)
    _password_step(client, user)
    secret, _codes = _enrol(client)  # uses the current step
    client.post("/logout")
    _password_step(client, user)
    assert client.post("/login/code", data={"code": _code(secret)}).status_code == 401


def test_a_recovery_code_signs_in_once(client, db_session):
    user = make_user(db_session)
    _password_step(client, user)
    _secret, codes = _enrol(client)
    client.post("/logout")
    _password_step(client, user)
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    client.post("/logout")
    _password_step(client, user)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 401
    actions = db_session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.entity_id == str(user.id), LedgerEntry.entity_type == "user")).all()
    assert "user.recovery_code_used" in actions


def test_a_secret_sealed_under_another_key_accepts_no_code(client, db_session):
    # The database restored beside another ledger key: the authenticator's codes no longer
    # open it, the user is not locked out of a recovery code, and nothing crashes.
    user = make_user(db_session)
    _password_step(client, user)
    secret, codes = _enrol(client)
    client.post("/logout")
    user.totp_secret = seal(secret, key="another-ledger-key-" + "1" * 32)
    db_session.commit()
    assert unseal(user.totp_secret) is None
    _password_step(client, user)
    assert client.post("/login/code", data={"code": _code(secret, 1)}).status_code == 401
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302


def test_code_guessing_is_throttled(client, db_session):
    user = make_user(db_session)
    _password_step(client, user)
    secret, _codes = _enrol(client)
    client.post("/logout")
    _password_step(client, user)
    answers = [client.post("/login/code", data={"code": f"{n:06d}"}).status_code
               for n in range(7)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]
    assert client.post("/login/code", data={"code": _code(secret, 1)}).status_code == 429


def test_the_password_step_alone_expires(client, db_session):
    user = make_user(db_session)
    _password_step(client, user)
    secret, _codes = _enrol(client)
    client.post("/logout")
    _password_step(client, user)
    with client.session_transaction() as session:
        session["pending_sign_in"]["until"] = 0
    response = client.post("/login/code", data={"code": _code(secret, 1)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_required_role_is_led_to_enrol_at_next_sign_in(client, login_as, db_session):
    two_factor.set_two_factor_policy(db_session, SYSTEM, {"internal_auditor"})
    user = make_user(db_session, role="internal_auditor")
    response = _password_step(client, user)
    assert response.headers["Location"] == "/account/two-factor"
    assert client.get("/").headers["Location"] == "/account/two-factor"
    assert client.get("/api/v1/me").status_code == 401  # the API never uses the cookie
    _enrol(client)
    assert client.get("/").status_code == 200
    # Required: it cannot be turned off.
    response = client.post("/account/two-factor/disable", data={"tf-password": TEST_PASSWORD})
    assert response.status_code == 422
    assert b"Your role requires two-factor sign-in" in response.data
    assert user.two_factor_enabled


def test_other_roles_are_not_asked(client, db_session):
    two_factor.set_two_factor_policy(db_session, SYSTEM, {"admin"})
    user = make_user(db_session, role="viewer")
    assert _password_step(client, user).headers["Location"] == "/"


def test_admins_set_the_policy_on_the_security_page(client, login_as, db_session):
    login_as("admin")
    response = client.post("/admin/security", data={"roles": ["admin", "external_auditor"]})
    assert response.status_code == 302
    assert two_factor.required_roles(db_session) == {"admin", "external_auditor"}
    page = client.get("/admin/security").get_data(as_text=True)
    assert 'value="admin" checked' in page and 'value="viewer" checked' not in page
    entry = db_session.scalars(select(LedgerEntry).where(
        LedgerEntry.action == "policy.two_factor_set")).one()
    assert '"required":["admin","external_auditor"]' in entry.changes


def test_an_admin_resets_a_lost_device(app, client, login_as, db_session):
    user = make_user(db_session, role="control_owner")
    owner_browser = app.test_client()
    _password_step(owner_browser, user)
    _enrol(owner_browser)
    login_as("admin")
    response = client.post(f"/admin/users/{user.id}/two-factor/reset")
    assert response.status_code == 302
    db_session.refresh(user)
    assert not user.two_factor_enabled and user.totp_secret is None
    assert db_session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)
                              ).all() == []
    assert owner_browser.get("/").status_code == 302  # signed out everywhere
    assert db_session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.action == "user.two_factor_reset")).all() == ["user.two_factor_reset"]
    assert _password_step(owner_browser, user).headers["Location"] == "/"


def test_a_user_renews_recovery_codes_and_turns_two_factor_off(client, db_session):
    user = make_user(db_session)
    _password_step(client, user)
    _secret, old_codes = _enrol(client)
    wrong = client.post("/account/two-factor/recovery-codes", data={"tf-password": "nope"})
    assert wrong.status_code == 422 and b"The password is not correct." in wrong.data
    response = client.post("/account/two-factor/recovery-codes",
                           data={"tf-password": TEST_PASSWORD})
    new_codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    response = client.post("/account/two-factor/disable", data={"tf-password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not db_session.get(User, user.id).two_factor_enabled


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_only_admins_reach_the_security_page_and_resets(client, login_as, db_session, role):
    login_as(role)
    assert client.get("/admin/security").status_code == 403
    assert client.post("/admin/users/1/two-factor/reset").status_code == 403
