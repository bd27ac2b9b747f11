"""Declarative base, the UTC instant column type, mixins and engine settings for all models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model: one metadata with a constraint naming convention (for Alembic)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@contextmanager
def committed(session, conflict: Callable[[], Exception]) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back.

    A concurrent edit caught by optimistic locking (StaleDataError) becomes `conflict()`, the
    domain's own message for it; any other error propagates after the rollback.
    """
    try:
        yield
        session.commit()
    except StaleDataError:
        session.rollback()
        raise conflict() from None
    except BaseException:
        session.rollback()
        raise


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An instant: accepts only aware datetimes, stores UTC, always returns aware UTC.

    SQLite has no time zones, so values come back naive; they are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        """Convert to UTC (naive on SQLite); refuse naive input."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC instant column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    """`created_at` and `updated_at` instants maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: the ORM bumps `version` on every UPDATE and refuses stale writes."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - declared_attr receives the class
        return {"version_id_col": cls.version}


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Turn on foreign keys and WAL, and hand transaction control to SQLAlchemy.

    pysqlite's legacy transaction handling breaks SAVEPOINT (used for test isolation and
    nested units of work); with isolation_level None we emit BEGIN ourselves (see below).
    """
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Set while a unit of work that will write is running (a POST request, a CLI command, a job).
_write_intent: ContextVar[bool] = ContextVar("kontrol_write_intent", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Declare that transactions begun inside will write.

    On SQLite a deferred transaction that reads and then writes fails at once ("database is
    locked") when another writer committed in between; declaring the intent makes it begin
    with BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout instead. Readers are
    never blocked (WAL). PostgreSQL ignores this: row locks do the work there.
    """
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def refuse_writes_in_reads(engine: Engine) -> None:
    """Make an INSERT/UPDATE/DELETE during a GET or HEAD request an error, unless declared.

    Reads must not write in their transaction (issue 9: "database is locked" on SQLite). A read
    request may still write on purpose in a transaction of its own begun inside `writing()`
    (recording an integrity failure, an API token's last use). The test suite turns this on
    (KONTROL_STRICT_READS), so a read path that starts writing fails its tests, not under load.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _check(conn, cursor, statement, parameters, context, executemany) -> None:
        from flask import has_request_context, request

        if (has_request_context() and request.method in ("GET", "HEAD")
                and not _write_intent.get()
                and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")):
            raise RuntimeError(f"{request.method} {request.path} writes: {statement[:80]}")
