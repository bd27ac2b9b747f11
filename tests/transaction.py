"""The suite's isolation: db.session on one connection inside a transaction that is rolled back.

Flask-SQLAlchemy 3 ignores a session-level bind, so the app's engine entry is swapped for the
connection; with join_transaction_mode="create_savepoint" every commit only releases a
SAVEPOINT. On SQLite this relies on app/db.py turning off pysqlite's legacy transaction
handling.
"""

from __future__ import annotations

from contextlib import contextmanager

from app.extensions import db


@contextmanager
def rolled_back(app):
    """Yield the connection whose outer transaction holds everything written until the end."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        db.session.remove()
        try:
            yield connection
        finally:
            db.session.remove()
            engines[None] = engine
            if transaction.is_active:
                transaction.rollback()
            connection.close()
