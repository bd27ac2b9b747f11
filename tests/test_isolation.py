"""Proves the per-test rollback isolation works on the database under test."""

from sqlalchemy import func, select

from app.auth.models import User
from app.ledger.models import LedgerEntry
from tests.factories import make_user

MARKER = "isolation-probe@example.org"


def test_a_commit_inside_a_test_is_visible_within_it(db_session):
    make_user(db_session, email=MARKER)  # the service commits
    db_session.expire_all()
    assert db_session.scalar(select(User).where(User.email == MARKER)) is not None


def test_the_previous_tests_commit_left_no_trace(db_session):
    assert db_session.scalar(select(User).where(User.email == MARKER)) is None
    assert db_session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.changes.contains(MARKER))
    ) == 0
