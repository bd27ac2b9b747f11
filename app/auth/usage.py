"""Recording when an API token was last used, outside the request's own transaction.

A GET must not write in its transaction: on SQLite a reading transaction that then writes fails
with "database is locked" as soon as another writer committed in between, and on PostgreSQL it
would queue behind row locks. Usage is bookkeeping, so it is written at most every few minutes
per token, in a short transaction of its own that waits briefly for a lock and gives up silently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, update
from sqlalchemy.exc import DBAPIError

from ..db import writing
from .models import ApiToken

EVERY = timedelta(minutes=5)
LOCK_WAIT_MS = 200
log = logging.getLogger(__name__)


def record_token_use(session, row: ApiToken, now: datetime) -> None:
    """Note that `row` was used at `now`, unless it was noted recently; never raises."""
    if row.last_used_at is not None and now - row.last_used_at < EVERY:
        return
    try:
        with writing(), _own_transaction(session.get_bind()) as connection:
            connection.execute(
                update(ApiToken).where(ApiToken.id == row.id,
                                       or_(ApiToken.last_used_at.is_(None),
                                           ApiToken.last_used_at < now - EVERY))
                .values(last_used_at=now))
    except DBAPIError as error:  # a lock held by someone else: skip this time
        log.info("token %s use not recorded: %s", row.id, error.orig)


@contextmanager
def _own_transaction(bind) -> Iterator[Connection]:
    """A transaction apart from the session's, waiting at most LOCK_WAIT_MS for a lock."""
    if isinstance(bind, Connection):  # tests bind the session to one connection: a savepoint
        with bind.begin_nested():
            yield bind
        return
    with bind.connect() as connection:
        dialect = connection.dialect.name
        raw = connection.connection.dbapi_connection
        if dialect == "sqlite":
            raw.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        try:
            with connection.begin():  # BEGIN IMMEDIATE on SQLite: the caller declared writing()
                if dialect == "postgresql":
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                yield connection
        finally:
            if dialect == "sqlite":
                raw.execute("PRAGMA busy_timeout=30000")
