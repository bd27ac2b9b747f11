"""`committed`, the unit of work every domain's services share: a stale write (someone saved
the row since it was read) becomes the domain's Conflict and leaves no trace; any other error
rolls everything back and propagates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.db import committed
from app.errors import Conflict
from tests.factories import make_user


def _stale(db_session, user):
    """Someone else saves the row: its version moves on underneath this session's copy."""
    db_session.execute(sa.update(User.__table__).where(User.__table__.c.id == user.id)
                       .values(version=User.__table__.c.version + 1))


def test_a_stale_write_is_the_domains_conflict_and_writes_nothing(db_session):
    user = make_user(db_session, name="Signe Holm")
    _stale(db_session, user)
    with pytest.raises(Conflict, match="Someone else changed this account"):
        with committed(db_session, lambda: Conflict("Someone else changed this account.")):
            user.name = "Changed"
            db_session.add(User(email="new@nordlys.example", name="New", role="viewer",
                                password_hash="x"))
    assert db_session.scalar(sa.select(User.name).where(User.id == user.id)) == "Signe Holm"
    assert db_session.scalar(sa.select(User.id).where(User.email == "new@nordlys.example")) \
        is None


def test_another_error_rolls_back_and_propagates(db_session):
    with pytest.raises(ZeroDivisionError):
        with committed(db_session, lambda: Conflict("unused")):
            db_session.add(User(email="half@nordlys.example", name="Half", role="viewer",
                                password_hash="x"))
            db_session.flush()
            1 / 0  # noqa: B018
    assert db_session.scalar(sa.select(User.id).where(User.email == "half@nordlys.example")) \
        is None


def test_the_block_is_committed(db_session):
    with committed(db_session, lambda: Conflict("unused")):
        db_session.add(User(email="whole@nordlys.example", name="Whole", role="viewer",
                            password_hash="x"))
    db_session.rollback()  # only what was not committed would go
    assert db_session.scalar(sa.select(User.id).where(User.email == "whole@nordlys.example"))
