"""Server-side sign-ins: the only code that starts, finds and ends a UserSession.

The Flask session cookie and Flask-Login's remember-me cookie both carry a random token (the
"alternative id"); the table keeps its SHA-256 with an absolute expiry. A cookie is honoured only
while its row exists and has not expired, so logout, a password change, an admin reset and the
remember-me limit hold even against a copied cookie. Loading a sign-in only reads.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import User, UserSession

MAX_REMEMBER = timedelta(days=30)


@dataclass(frozen=True)
class SessionSettings:
    """How long a sign-in lasts at most: without and with "keep me signed in"."""

    lifetime: timedelta = timedelta(hours=12)
    remember_lifetime: timedelta = MAX_REMEMBER

    def expiry(self, remember: bool, now: datetime) -> datetime:
        """When a sign-in started at `now` ends, whatever the cookies say."""
        return now + (min(self.remember_lifetime, MAX_REMEMBER) if remember else self.lifetime)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_session(session: Session, user: User, *, remember: bool, must_enrol: bool,
                remote_addr: str | None, user_agent: str | None, settings: SessionSettings,
                now: datetime) -> str:
    """Add a sign-in for `user` (flush only) and return its token; drops expired sign-ins."""
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_hash=_hash(token), remember=remember,
                      must_enrol=must_enrol, created_at=now,
                      expires_at=settings.expiry(remember, now),
                      remote_addr=(remote_addr or "")[:64] or None,
                      user_agent=(user_agent or "")[:200] or None)
    session.add(row)
    session.flush()
    user.sign_in, user.sign_in_token = row, token
    return token


def load_session(session: Session, token: str) -> User | None:
    """The active user signed in under `token`, with `sign_in` set; None when it has ended."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(
        select(UserSession).join(UserSession.user)
        .where(UserSession.token_hash == _hash(token), UserSession.expires_at > utcnow(),
               User.active.is_(True))
    )
    if row is None:
        return None
    user = row.user
    user.sign_in, user.sign_in_token = row, token
    return user


def end_session(session: Session, actor) -> None:
    """Sign out: the current sign-in ends on the server, whatever copies of its cookie exist."""
    row = getattr(actor, "sign_in", None)
    if row is not None:
        session.execute(delete(UserSession).where(UserSession.id == row.id))
        session.commit()


def drop_sessions(session: Session, user: User, keep: UserSession | None = None) -> int:
    """End every sign-in of `user` except `keep` (flush only); returns how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    return session.execute(statement).rowcount or 0


def list_sessions(session: Session, user: User) -> list[UserSession]:
    """The user's current sign-ins, newest first."""
    return list(session.scalars(
        select(UserSession).where(UserSession.user_id == user.id,
                                  UserSession.expires_at > utcnow())
        .order_by(UserSession.created_at.desc())))
