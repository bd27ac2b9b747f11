"""Accounts and tokens: the only code that writes users, API tokens and login attempts."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..ledger.service import append
from .models import ApiToken, LoginAttempt, User
from .permissions import Permission, Role, require

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "kt_"
LANGUAGES = ("en", "da")


@dataclass(frozen=True)
class PasswordPolicy:
    """How passwords are hashed (tests use a fast method) and how guessing is throttled."""

    hash_method: str = "scrypt"
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise Invalid("email", "Enter an e-mail address such as name@example.org.")
    return email


def _check_role(role: str) -> str:
    if role not in {r.value for r in Role}:
        allowed = ", ".join(r.value for r in Role)
        raise Invalid("role", f"Unknown role '{role}'. Choose one of: {allowed}.")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def generate_password() -> str:
    """A random password for a new account, readable enough to type once."""
    return secrets.token_urlsafe(12)


def create_user(session: Session, actor, email: str, name: str, role: str, password: str,
                policy: PasswordPolicy = PasswordPolicy()) -> User:
    """Create an active account; the e-mail address must be unused."""
    require(actor, Permission.MANAGE_USERS)
    email = _normalise_email(email)
    name = (name or "").strip() or email.split("@")[0]
    _check_role(role)
    _check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Invalid("email", f"An account for {email} already exists.")
    user = User(email=email, name=name, role=role,
                password_hash=generate_password_hash(password, method=policy.hash_method))
    session.add(user)
    append(session, actor, "user.created", user, {"email": email, "name": name, "role": role})
    session.commit()
    return user


def update_user(session: Session, actor, user: User, *, name: str, role: str, active: bool,
                version: int) -> User:
    """Change a user's name, role or active flag; refuses a stale form and self-lockout."""
    require(actor, Permission.MANAGE_USERS)
    if version != user.version:
        raise Conflict("Someone else changed this account since you opened it. Reload and retry.")
    _check_role(role)
    if getattr(actor, "id", None) == user.id and (not active or role != Role.ADMIN):
        raise Invalid("role", "You cannot remove your own administrator access.")
    changes = {}
    for field, value in (("name", (name or "").strip() or user.name), ("role", role),
                         ("active", bool(active))):
        if getattr(user, field) != value:
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
    if changes:
        append(session, actor, "user.updated", user, changes)
    session.commit()
    return user


def set_password(session: Session, actor, user: User, new_password: str,
                 current_password: str | None = None,
                 policy: PasswordPolicy = PasswordPolicy()) -> None:
    """Set a password: users change their own (knowing the current one); admins anyone's."""
    own = getattr(actor, "id", None) == user.id
    if own:
        if current_password is None or not check_password_hash(user.password_hash,
                                                               current_password):
            raise Invalid("current_password", "The current password is not correct.")
    else:
        require(actor, Permission.MANAGE_USERS)
    _check_password(new_password)
    user.password_hash = generate_password_hash(new_password, method=policy.hash_method)
    append(session, actor, "user.password_set", user, {"by_self": own})
    session.commit()


def set_language(session: Session, actor, language: str) -> None:
    """Remember a signed-in user's language choice."""
    if language not in LANGUAGES:
        raise Invalid("language", "Choose English (en) or Danish (da).")
    if isinstance(actor, User) and actor.language != language:
        append(session, actor, "user.language_set", actor, {"language": language})
        actor.language = language
        session.commit()


class LoginThrottled(Forbidden):
    """Too many failed sign-ins for this address; the message says when to retry."""


def authenticate(session: Session, email: str, password: str, remote_addr: str | None,
                 policy: PasswordPolicy = PasswordPolicy()) -> User | None:
    """Check a sign-in; returns the user, or None for a wrong address or password.

    The same answer is given whether or not the address has an account (no enumeration).
    After `policy.max_failures` failures within `policy.window` the address is refused until
    the oldest failure leaves the window, even with the right password.
    """
    email = (email or "").strip().lower()
    now = utcnow()
    since = now - policy.window
    failures = session.scalars(
        select(LoginAttempt.at).where(LoginAttempt.email == email, LoginAttempt.at >= since)
        .order_by(LoginAttempt.at)
    ).all()
    if len(failures) >= policy.max_failures:
        wait = failures[-policy.max_failures] + policy.window - now
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise LoginThrottled(
            f"Too many failed sign-in attempts. Try again in {minutes} minutes."
        )
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        session.add(LoginAttempt(email=email[:254], remote_addr=remote_addr, at=now))
        append(session, None, "auth.login_failed", None, {"email": email, "ip": remote_addr},
               entity_type="user", entity_id=str(user.id) if user else "-")
        session.commit()
        return None
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    user.last_login_at = now
    append(session, user, "auth.login", user, {"ip": remote_addr})
    session.commit()
    return user


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`; returns the row and the token, shown once."""
    require(actor, Permission.MANAGE_API_TOKENS)
    if getattr(actor, "id", None) != user.id:
        require(actor, Permission.MANAGE_USERS)
    name = (name or "").strip()
    if not name:
        raise Invalid("name", "Give the token a name, e.g. 'CI pipeline'.")
    if len(name) > 100:
        raise Invalid("name", "Keep the name under 100 characters.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, prefix=token[:10], token_hash=hash_token(token))
    session.add(row)
    append(session, actor, "token.created", row, {"user": user.email, "name": name})
    session.commit()
    return row, token


def revoke_token(session: Session, actor, token_id: int) -> ApiToken:
    """Revoke a token; its owner or an admin may."""
    row = session.get(ApiToken, token_id)
    if row is None or (getattr(actor, "id", None) != row.user_id
                       and Role(actor.role) != Role.ADMIN):
        raise NotFound("No such token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        append(session, actor, "token.revoked", row, {"name": row.name})
    session.commit()
    return row


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None; records when it was last used."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now  # bookkeeping, not an auditable change: no ledger entry
        session.commit()
    return row.user


def get_user(session: Session, user_id: int) -> User:
    """Load a user or raise NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_user(session: Session, email: str) -> User:
    """Load a user by e-mail address or raise NotFound."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"No account for {email}.")
    return user


def list_users(session: Session) -> list[User]:
    """Every account, by e-mail address."""
    return list(session.scalars(select(User).order_by(User.email)))


def count_users(session: Session) -> int:
    """How many accounts exist (zero means a brand-new installation)."""
    return session.scalar(select(func.count(User.id)))
