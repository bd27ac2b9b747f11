"""Real threads on a database of their own: simultaneous sign-ins and API reads never fail
because of each other (issue 9, items 7 and 8)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.auth import service as accounts
from app.auth.models import ApiToken, UserSession
from app.db import utcnow
from app.extensions import db
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

pytestmark = pytest.mark.fresh_db


def test_simultaneous_sign_ins_to_one_account_all_succeed(fresh_app):
    with fresh_app.app_context():
        email = make_user(db.session, role="coordinator").email
        db.session.remove()
    barrier = threading.Barrier(6)

    def sign_in_five_times(_worker: int) -> list[int]:
        client = fresh_app.test_client()
        barrier.wait()
        codes = []
        for _ in range(5):
            codes.append(client.post("/login", data={"email": email,
                                                     "password": TEST_PASSWORD}).status_code)
            client.post("/logout")
        return codes

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [code for codes in pool.map(sign_in_five_times, range(6)) for code in codes]
    assert results == [302] * 30
    with fresh_app.app_context():
        assert db.session.scalars(select(UserSession)).all() == []  # every logout ended its own


def _hold_write_lock(app, token_id: int):
    """Another connection holding the write lock (SQLite) or the token's row (PostgreSQL)."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        connection.exec_driver_sql("UPDATE api_token SET name = name WHERE id = ?", (token_id,))
    else:
        connection.execute(sa.text("SELECT id FROM api_token WHERE id = :id FOR UPDATE"),
                           {"id": token_id})
    return engine, connection


def test_an_api_read_answers_while_another_writer_holds_the_lock(fresh_app):
    with fresh_app.app_context():
        user = make_user(db.session, role="viewer")
        row, token = accounts.create_token(db.session, SYSTEM, user, "probe")
        token_id = row.id
        db.session.remove()
    engine, connection = _hold_write_lock(fresh_app, token_id)
    outcome = {}

    def read():
        started = time.monotonic()
        response = fresh_app.test_client().get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        outcome.update(status=response.status_code, seconds=time.monotonic() - started)

    thread = threading.Thread(target=read)
    try:
        thread.start()
        thread.join(timeout=5)
        finished = not thread.is_alive()
    finally:
        connection.rollback()
        connection.close()
        thread.join()
        engine.dispose()
    assert finished, "the read waited for the writer"
    assert outcome["status"] == 200
    assert outcome["seconds"] < 2
    # With the lock gone, usage is recorded, at most once per five minutes.
    client = fresh_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with fresh_app.app_context():
        first = db.session.get(ApiToken, token_id).last_used_at
        db.session.remove()
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with fresh_app.app_context():
        assert db.session.get(ApiToken, token_id).last_used_at == first


def test_a_read_request_that_writes_in_its_transaction_fails_the_suite(app, db_session):
    """The guard every test runs under (KONTROL_STRICT_READS): GETs may only read, unless a
    write is declared with writing() in a transaction of its own."""
    from app.db import writing

    with app.test_request_context("/api/v1/me", method="GET"):
        with pytest.raises(RuntimeError, match="GET /api/v1/me writes: UPDATE api_token"):
            db_session.execute(sa.text("UPDATE api_token SET name = name"))
        db_session.rollback()
        with writing():
            db_session.execute(sa.text("UPDATE api_token SET name = name"))
