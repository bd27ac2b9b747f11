"""Fixtures: the app on a migrated database, per-test rollback isolation, clients and logins.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Each test
runs inside one outer transaction that is rolled back afterwards; services' commits only
release SAVEPOINTs (see `db_session`). Tests that need real commits (a live server, concurrent
writers) use `fresh_database_url`, a database of their own.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests import factories
from tests.transaction import rolled_back

TEST_PASSWORD = factories.TEST_PASSWORD

# The tests' own "today" (date.today()) is the app's (today in KONTROL_TIMEZONE), so that a run
# between midnight in Copenhagen and midnight UTC agrees with the dates the app shows and checks.
os.environ["TZ"] = "Europe/Copenhagen"
time.tzset()


def pytest_collection_modifyitems(config, items):
    """Markup-only walks (axe-core, phone widths, Danish text) run once, on SQLite.

    What they check is rendered by templates and CSS whatever the database; the journeys and
    page tests still run on both. CI runs the suite on SQLite and on PostgreSQL, so they run.
    """
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="markup-only check: runs in the SQLite run")
    for item in items:
        if item.get_closest_marker("markup"):
            item.add_marker(skip)


def _base_config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "INSTANCE_PATH": str(instance),
        "KONTROL_EVIDENCE_DIR": str(instance / "evidence"),
        "KONTROL_SYNC_JOBS": True,
        "KONTROL_STRICT_READS": True,  # a GET that writes fails (app/db.py)
    }


def reset_database(url: str) -> None:
    """Drop every table (and Alembic's version table) so migrations start from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        else:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
    engine.dispose()


def migrate_fresh(url: str, instance: Path):
    """A new app whose database at `url` has been emptied and migrated to head."""
    reset_database(url)
    app = create_app(_base_config(url, instance))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """TEST_DATABASE_URL (PostgreSQL in CI) or a SQLite file of this run's own."""
    return os.environ.get("TEST_DATABASE_URL") or (
        "sqlite:///" + str(tmp_path_factory.mktemp("db") / "kontrol-test.db"))


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, on a database migrated once for the whole run."""
    app = migrate_fresh(database_url, tmp_path_factory.mktemp("instance"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app):
    """db.session inside an outer transaction rolled back after the test (tests/transaction.py)."""
    with rolled_back(app):
        yield db.session


@pytest.fixture
def client(app, db_session):
    """A test client sharing the test's transaction."""
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    """A CLI runner sharing the test's transaction."""
    return app.test_cli_runner()


@pytest.fixture
def login_as(client, db_session):
    """Sign a new user of `role` in through the login form; returns the user."""

    def sign_in(role: str = "viewer", **fields):
        user = factories.make_user(db_session, role=role, **fields)
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return sign_in


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """A database of the test's own, migrated to head, for tests that really commit.

    SQLite: a new file. PostgreSQL: a new schema in the test database, selected through
    the connection's search_path; dropped afterwards.
    """
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "fresh.db")
        return
    schema = "fresh_" + uuid.uuid4().hex[:10]
    separator = "&" if "?" in database_url else "?"
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture
def fresh_app(fresh_database_url, tmp_path):
    """An app on its own freshly migrated database; its commits are real."""
    app = migrate_fresh(fresh_database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def loaded_catalogue(db_session):
    """The shipped catalogues (controls/) loaded into the test's transaction."""
    from app.catalogue.sync import load_catalogues

    return load_catalogues(db_session, factories.SYSTEM)


@pytest.fixture
def count_queries(db_session):
    """Count SQL statements run inside a block: `with count_queries() as counter: …`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        connection = db_session.connection()
        sa.event.listen(connection, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(connection, "before_cursor_execute", record)

    return counting
