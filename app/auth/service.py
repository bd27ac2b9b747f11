"""Accounts and tokens: the only code that writes users and API tokens (signing in: login.py)."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Conflict, Invalid, NotFound
from ..ledger.service import append
from . import passwords
from .login import DEFAULT_POLICY, PasswordPolicy
from .models import ApiToken, User
from .permissions import Permission, Role, require
from .sessions import drop_sessions
from .usage import record_token_use

__all__ = ["PasswordPolicy"]  # re-exported: callers build one policy for the whole module

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
TOKEN_PREFIX = "kt_"
LANGUAGES = ("en", "da")


N_ = passwords.N_


def invalid(field_name: str | None, template: str, **params) -> Invalid:
    """An `Invalid` whose English message is `template % params`, translated on display."""
    error = Invalid(field_name, template % params if params else template)
    error.template, error.params = template, params
    return error


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


def _check_password(password: str, *personal: str) -> str:
    """Refuse short, common and guessable passwords, saying why (see passwords.py)."""
    problem = passwords.weakness(password or "", personal)
    if problem is not None:
        template, params = problem
        raise invalid("password", template, **params)
    return password


def generate_password() -> str:
    """A random password for a new account, readable enough to type once."""
    return secrets.token_urlsafe(12)


def create_user(session: Session, actor, email: str, name: str, role: str, password: str,
                policy: PasswordPolicy = DEFAULT_POLICY) -> User:
    """Create an active account; the e-mail address must be unused."""
    require(actor, Permission.MANAGE_USERS)
    email = _normalise_email(email)
    name = (name or "").strip() or email.split("@")[0]
    _check_role(role)
    _check_password(password, email, name)
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
                 policy: PasswordPolicy = DEFAULT_POLICY) -> None:
    """Set a password: users change their own (knowing the current one); admins anyone's.

    Every other sign-in of the account ends, remember-me cookies included: after a change only
    the browser that made it stays signed in; after an admin reset, none.
    """
    own = getattr(actor, "id", None) == user.id
    if own:
        if current_password is None or not check_password_hash(user.password_hash,
                                                               current_password):
            raise invalid("current_password", N_("The current password is not correct."))
    else:
        require(actor, Permission.MANAGE_USERS)
    _check_password(new_password, user.email, user.name)
    user.password_hash = generate_password_hash(new_password, method=policy.hash_method)
    ended = drop_sessions(session, user, keep=getattr(actor, "sign_in", None) if own else None)
    append(session, actor, "user.password_set", user, {"by_self": own, "sessions_ended": ended})
    session.commit()


def end_other_sessions(session: Session, actor: User) -> int:
    """Sign the user out everywhere but here; returns how many sign-ins ended."""
    require(actor, Permission.SIGNED_IN)
    ended = drop_sessions(session, actor, keep=actor.sign_in)
    if ended:
        append(session, actor, "user.sessions_ended", actor, {"sessions_ended": ended})
    session.commit()
    return ended


def set_language(session: Session, actor, language: str) -> None:
    """Remember a signed-in user's language choice."""
    if language not in LANGUAGES:
        raise Invalid("language", "Choose English (en) or Danish (da).")
    if isinstance(actor, User) and actor.language != language:
        append(session, actor, "user.language_set", actor, {"language": language})
        actor.language = language
        session.commit()


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
    record_token_use(session, row, utcnow())
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
