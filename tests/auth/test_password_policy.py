"""Common and guessable passwords are refused, with the reason at the field (issue 9, item 13)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import service as accounts
from app.auth.models import User
from app.errors import Invalid
from tests.factories import FAST_HASH, SYSTEM, TEST_PASSWORD


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password12", "0123456789"])
def test_the_service_refuses_guessable_passwords(db_session, password):
    with pytest.raises(Invalid) as caught:
        accounts.create_user(db_session, SYSTEM, "p@example.org", "P", "viewer", password,
                             FAST_HASH)
    assert caught.value.field == "password"


def test_the_new_account_form_shows_the_reason_at_the_field(client, login_as, db_session):
    login_as("admin")
    response = client.post("/admin/users", data={
        "email": "weak@example.org", "name": "Weak", "role": "viewer", "password": "password12"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('id="password"'):]
    assert "This is too close to a commonly used password." in field[:1000]
    assert db_session.scalar(select(User).where(User.email == "weak@example.org")) is None


def test_the_reason_is_in_danish_too(client, login_as, db_session):
    login_as("admin")
    client.post("/language", data={"language": "da", "next": "/"})
    response = client.post("/admin/users", data={
        "email": "weak@example.org", "name": "Weak", "role": "viewer", "password": "aaaaaaaaaa"})
    assert response.status_code == 422
    assert "Gentagne tegn eller ord er lette at gætte." in response.get_data(as_text=True)


def test_a_password_with_the_own_name_is_refused(client, login_as):
    login_as("admin")
    response = client.post("/admin/users", data={
        "email": "karen.juhl@example.org", "name": "Karen Juhl", "role": "viewer",
        "password": "karenjuhl2024"})
    assert response.status_code == 422
    assert b"Do not build the password from your name or e-mail address." in response.data


def test_changing_the_own_password_to_a_guessable_one_is_refused(client, login_as):
    login_as("viewer")
    response = client.post("/account", data={
        "pw-current_password": TEST_PASSWORD, "pw-password": "qwertyuiop",
        "pw-confirm": "qwertyuiop"})
    assert response.status_code == 422
    assert b"This is one of the most common passwords." in response.data


def test_the_cli_refuses_a_guessable_password_in_one_line(runner, db_session):
    result = runner.invoke(args=["users", "create", "cli@example.org", "--role", "viewer",
                                 "--password", "password12"])
    assert result.exit_code != 0
    assert "Error: password: This is too close to a commonly used password." in result.output


def test_flask_setup_still_works_with_its_generated_password(runner, db_session, monkeypatch):
    monkeypatch.delenv("KONTROL_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("KONTROL_DEMO", "0")
    if accounts.count_users(db_session):
        pytest.skip("the database already has accounts")
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "Password (shown once):" in result.output


def test_the_new_account_form_defaults_to_the_least_privileged_role(client, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    role_select = page[page.index('name="role"'):page.index("</select>", page.index('name="role"'))]
    assert '<option selected value="viewer">' in role_select
    assert role_select.count("selected") == 1


def test_flask_setup_refuses_a_guessable_admin_password_in_one_line(runner, db_session,
                                                                   monkeypatch):
    monkeypatch.setenv("KONTROL_ADMIN_PASSWORD", "password12")
    monkeypatch.setenv("KONTROL_DEMO", "0")
    if accounts.count_users(db_session):
        pytest.skip("the database already has accounts")
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: KONTROL_ADMIN_EMAIL/PASSWORD: password: This is too close to a commonly used "
        "password.")
