"""Signing in and out, throttling, account administration, own password, language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import service as accounts
from app.auth.login import check_password
from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid
from app.ledger.models import LedgerEntry
from tests.factories import FAST_HASH, SYSTEM, TEST_PASSWORD, make_user


def test_sign_in_and_out(client, db_session):
    user = make_user(db_session, role="coordinator")
    response = client.post("/login", data={"email": user.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    page = client.get("/")
    assert f"Welcome, {user.name}".encode() in page.data
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_gets_a_clear_message_and_no_enumeration(client, db_session):
    user = make_user(db_session)
    wrong_password = client.post("/login", data={"email": user.email, "password": "nope"})
    no_account = client.post("/login", data={"email": "ghost@example.org", "password": "nope"})
    assert wrong_password.status_code == no_account.status_code == 401
    assert b"Wrong e-mail address or password." in wrong_password.data
    assert b"Wrong e-mail address or password." in no_account.data


def test_one_client_guessing_one_account_must_wait_even_with_the_right_password(client,
                                                                               db_session):
    user = make_user(db_session)
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed attempts. Try again in 30 seconds." in response.data
    assert response.headers["Retry-After"] == "30"
    ghost = [client.post("/login", data={"email": "ghost@example.org", "password": "x"})
             for _ in range(6)][-1]
    assert ghost.status_code == 429  # unknown addresses are throttled the same way


def test_deactivated_user_cannot_sign_in(client, db_session):
    user = make_user(db_session)
    accounts.update_user(db_session, SYSTEM, user, name=user.name, role=user.role, active=False,
                         version=user.version)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 401


def test_admin_creates_and_edits_a_user(client, login_as, db_session):
    login_as("admin")
    response = client.post("/admin/users", data={
        "email": "new.person@example.org", "name": "New Person", "role": "internal_auditor",
        "password": "a long enough password"})
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role == "internal_auditor"
    response = client.post(f"/admin/users/{user.id}", data={
        "name": "Renamed", "role": "viewer", "active": "", "version": user.version})
    assert response.status_code == 302
    db_session.refresh(user)
    assert (user.name, user.role, user.active) == ("Renamed", "viewer", False)


def test_duplicate_email_is_refused_on_the_field(client, login_as):
    admin = login_as("admin")
    response = client.post("/admin/users", data={
        "email": admin.email, "name": "Twin", "role": "viewer", "password": "another password"})
    assert response.status_code == 422
    assert b"already exists" in response.data


def test_stale_edit_is_refused(db_session):
    user = make_user(db_session)
    stale = user.version
    accounts.update_user(db_session, SYSTEM, user, name="First", role="viewer", active=True,
                         version=stale)
    with pytest.raises(Conflict):
        accounts.update_user(db_session, SYSTEM, user, name="Second", role="viewer", active=True,
                             version=stale)
    assert user.name == "First"


def test_admin_cannot_lock_themselves_out(db_session):
    admin = make_user(db_session, role="admin")
    with pytest.raises(Invalid):
        accounts.update_user(db_session, admin, admin, name=admin.name, role="viewer",
                             active=True, version=admin.version)


@pytest.mark.parametrize("role", ["coordinator", "control_owner", "internal_auditor",
                                  "external_auditor", "viewer"])
def test_only_admins_manage_users(client, login_as, role):
    login_as(role)
    assert client.get("/admin/users").status_code == 403
    response = client.post("/admin/users", data={
        "email": "x@example.org", "name": "X", "role": "admin", "password": "0123456789"})
    assert response.status_code == 403


def test_service_refuses_non_admin(db_session):
    viewer = make_user(db_session)
    with pytest.raises(Forbidden):
        accounts.create_user(db_session, viewer, "y@example.org", "Y", "admin", "0123456789",
                             FAST_HASH)


def test_user_changes_own_password(client, login_as, db_session):
    user = login_as("viewer")
    response = client.post("/account", data={
        "pw-current_password": "wrong", "pw-password": "brand new password",
        "pw-confirm": "brand new password"})
    assert b"The current password is not correct." in response.data
    response = client.post("/account", data={
        "pw-current_password": TEST_PASSWORD, "pw-password": "brand new password",
        "pw-confirm": "brand new password"})
    assert response.status_code == 302
    client.post("/logout")
    ok = client.post("/login", data={"email": user.email, "password": "brand new password"})
    assert ok.status_code == 302


def test_switching_language_translates_the_interface(client, login_as, db_session):
    user = login_as("viewer")
    client.post("/language", data={"language": "da", "next": "/"})
    page = client.get("/")
    assert b"Velkommen" in page.data
    assert user.language == "da"


def test_browser_language_is_the_default(client):
    page = client.get("/login", headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    assert b"Log ind" in page.data


def test_every_account_change_is_in_the_ledger(db_session):
    user = make_user(db_session)
    accounts.update_user(db_session, SYSTEM, user, name="Changed", role="viewer", active=True,
                         version=user.version)
    actions = db_session.scalars(
        select(LedgerEntry.action).where(LedgerEntry.entity_type == "user",
                                         LedgerEntry.entity_id == str(user.id))
        .order_by(LedgerEntry.seq)).all()
    assert actions == ["user.created", "user.updated"]


def test_cli_creates_user_with_generated_password(runner, db_session):
    result = runner.invoke(args=["users", "create", "cli.person@example.org", "--role",
                                 "coordinator", "--password", ""])
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output
    password = result.output.split("Password: ")[1].strip()
    user = accounts.find_user(db_session, "cli.person@example.org")
    assert check_password(db_session, user.email, password, None, FAST_HASH) == user


def test_cli_reports_bad_input_in_one_line(runner, db_session):
    result = runner.invoke(args=["users", "create", "not-an-address", "--role", "viewer",
                                 "--password", "0123456789ab"])
    assert result.exit_code != 0
    assert "Enter an e-mail address" in result.output


def test_cli_sets_password(runner, db_session):
    user = make_user(db_session)
    result = runner.invoke(args=["users", "set-password", user.email, "--password",
                                 "set by the operator"])
    assert result.exit_code == 0, result.output
    assert check_password(db_session, user.email, "set by the operator", None, FAST_HASH) == user
