"""The demo organisation (Nordlys Statistik), seeded once for this folder, and its people.

Seeding the demo takes a while, so it is seeded once inside an outer transaction on one
connection (`demo_database`), and each test runs inside a SAVEPOINT of that transaction that
is rolled back afterwards (`db_session` here overrides the suite's own): services' commits
only release inner SAVEPOINTs, as everywhere in the suite, so no test sees another's writes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import TEST_PASSWORD, make_user
from tests.transaction import rolled_back

DEMO_EMAILS = {
    "coordinator": "coordinator@nordlys.example",
    "control_owner": "owner@nordlys.example",
    "internal_auditor": "auditor@nordlys.example",
    "external_auditor": "external@revision.example",
    "viewer": "viewer@nordlys.example",
}


@pytest.fixture(scope="package")
def demo_database(app):
    """One connection holding the seeded demo in a transaction that is never committed."""
    from app.demo import seed_demo, setup_steps

    with rolled_back(app) as connection:
        for step in setup_steps():
            step(db.session)
        seed_demo(db.session, TEST_PASSWORD)
        make_user(db.session, role="admin", name="Anne Admin", email="admin@nordlys.example")
        db.session.remove()
        yield connection


@pytest.fixture
def db_session(app, demo_database):
    """db.session inside a SAVEPOINT of the module's demo transaction, rolled back after."""
    with app.app_context():
        savepoint = demo_database.begin_nested()
        db.session.remove()
        try:
            yield db.session
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()


@pytest.fixture
def demo(db_session):
    """The demo people by role, and an administrator."""
    from app.auth.models import User

    people = {role: db_session.scalar(select(User).where(User.email == email))
              for role, email in DEMO_EMAILS.items()}
    people["admin"] = db_session.scalar(select(User).where(User.email == "admin@nordlys.example"))
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
