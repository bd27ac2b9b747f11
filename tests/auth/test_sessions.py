"""Sign-ins live on the server: logout, password changes and resets end them (issue 9, item 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.auth import service as accounts
from app.auth.models import UserSession
from app.db import utcnow
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

NEW_PASSWORD = "violet tram umbrella"


def _sign_in(client, user, remember: bool = False):
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def _signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def _copy(app, client, name: str):
    """A second browser holding a copy of `client`'s cookie `name` (nothing else)."""
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, client, db_session):
    _sign_in(client, make_user(db_session))
    copy = _copy(app, client, "session")
    assert _signed_in(copy)
    client.post("/logout")
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_a_remember_me_cookie_copied_before_logout_is_refused_after_it(app, client, db_session):
    _sign_in(client, make_user(db_session), remember=True)
    copy = _copy(app, client, "remember_token")
    assert _signed_in(copy)  # the remember-me cookie alone signs a new browser in
    client.post("/logout")
    assert client.get_cookie("remember_token") is None
    assert not _signed_in(copy)


def test_changing_the_password_ends_every_other_sign_in(app, client, db_session):
    user = make_user(db_session)
    other_browser, remembered = app.test_client(), app.test_client()
    _sign_in(other_browser, user)
    _sign_in(remembered, user, remember=True)
    remember_copy = _copy(app, remembered, "remember_token")
    _sign_in(client, user)
    response = client.post("/account", data={
        "pw-current_password": TEST_PASSWORD, "pw-password": NEW_PASSWORD,
        "pw-confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client)  # the browser that changed it stays signed in
    assert not _signed_in(other_browser)
    assert not _signed_in(remembered)
    assert not _signed_in(remember_copy)


def test_an_admin_password_reset_ends_every_sign_in(app, client, runner, db_session):
    user = make_user(db_session)
    _sign_in(client, user, remember=True)
    result = runner.invoke(args=["users", "set-password", user.email, "--password",
                                 NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not _signed_in(client)
    assert db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_remember_me_lasts_at_most_thirty_days(app, client, db_session):
    user = make_user(db_session)
    _sign_in(client, user, remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie.expires is not None
    assert cookie.expires - utcnow() <= timedelta(days=30, minutes=1)
    row = db_session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.remember and row.expires_at - row.created_at == timedelta(days=30)
    # Thirty days on, the row has expired: neither cookie works any more.
    copy = _copy(app, client, "remember_token")
    db_session.execute(update(UserSession).where(UserSession.id == row.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_remember_me_cannot_be_configured_beyond_thirty_days():
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "KONTROL_REMEMBER_DAYS": 365})
    assert app.config["KONTROL_REMEMBER_DAYS"] == 30
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def test_a_sign_in_without_remember_me_ends_after_its_lifetime(client, db_session):
    user = make_user(db_session)
    _sign_in(client, user)
    row = db_session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert not row.remember and row.expires_at - row.created_at == timedelta(hours=12)
    db_session.execute(update(UserSession).where(UserSession.id == row.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert not _signed_in(client)


def test_deactivating_an_account_ends_its_sign_ins(client, db_session):
    user = make_user(db_session)
    _sign_in(client, user)
    accounts.update_user(db_session, SYSTEM, user, name=user.name, role=user.role, active=False,
                         version=user.version)
    assert not _signed_in(client)


def test_sign_out_everywhere_else(app, client, db_session):
    user = make_user(db_session)
    other = app.test_client()
    _sign_in(other, user)
    _sign_in(client, user)
    page = client.get("/account")
    assert b"This browser" in page.data
    response = client.post("/account/sign-ins/end-others")
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)


def test_the_cookie_names_a_sign_in_not_the_user(client, db_session):
    user = make_user(db_session)
    _sign_in(client, user)
    with client.session_transaction() as session:
        assert session["_user_id"] != str(user.id)
        assert len(session["_user_id"]) >= 40


@pytest.mark.parametrize("forged", ["1", "", "x" * 500])
def test_a_forged_session_id_signs_nobody_in(client, db_session, forged):
    make_user(db_session)
    with client.session_transaction() as session:
        session["_user_id"] = forged
        session["_fresh"] = True
    assert not _signed_in(client)
