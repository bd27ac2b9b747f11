"""The demo organisation (Nordlys Statistik) in the test's transaction; sign-ins as its people."""

from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD, make_user

DEMO_EMAILS = {
    "coordinator": "coordinator@nordlys.example",
    "control_owner": "owner@nordlys.example",
    "internal_auditor": "auditor@nordlys.example",
    "external_auditor": "external@revision.example",
    "viewer": "viewer@nordlys.example",
}


@pytest.fixture
def demo(db_session):
    """The catalogue and every domain's demo data, as `flask setup` seeds a new database;
    returns the demo people by role (an administrator added)."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.demo import seed_demo, setup_steps

    for step in setup_steps():
        step(db_session)
    seed_demo(db_session, TEST_PASSWORD)
    people = {role: db_session.scalar(select(User).where(User.email == email))
              for role, email in DEMO_EMAILS.items()}
    people["admin"] = make_user(db_session, role="admin", name="Anne Admin")
    return people


@pytest.fixture
def sign_in(client):
    """Sign `user` in through the login form (signing out whoever was signed in)."""

    def as_user(user):
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return user

    return as_user
