"""Signing in: the password step, the second-factor step, throttling and the security log.

Failures go to the security log (SecurityEvent), never to the ledger: they are caused by anyone
on the network, so they are pruned after the retention period. A successful sign-in is an
auditable act and is appended to the ledger. Nothing here updates the user row through the ORM
(whose version column would make two simultaneous sign-ins of one account collide): the
last-sign-in time and the last accepted code step are written with plain UPDATE statements.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Forbidden
from ..ledger.service import append
from . import throttle
from .models import RecoveryCode, SecurityEvent, User
from .secret_box import unseal
from .sessions import SessionSettings, add_session

# Rows read to decide throttling; more than the rules can ever need inside one window.
_THROTTLE_ROWS = 500


@dataclass(frozen=True)
class PasswordPolicy:
    """How passwords are hashed (tests use a fast method), guessing throttled and failures kept."""

    hash_method: str = "scrypt"
    limits: throttle.Limits = field(default_factory=throttle.Limits)
    sessions: SessionSettings = field(default_factory=SessionSettings)
    security_log_days: int = 90


DEFAULT_POLICY = PasswordPolicy()


class LoginThrottled(Forbidden):
    """Too many recent failures from this client or for this account; retry after `wait`."""

    status_code = 429

    def __init__(self, wait: timedelta):
        self.wait = wait
        seconds = max(1, int(wait.total_seconds() + 0.999))
        super().__init__(f"Too many failed attempts. Try again in {seconds} seconds.")
        self.seconds = seconds


def normalise_email(email: str | None) -> str:
    """The address as accounts store it (trimmed, lower case), bounded in length."""
    return (email or "").strip().lower()[:254]


def _address(remote_addr: str | None) -> str:
    return (remote_addr or "-")[:64]


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password: checking it costs what checking a real one costs."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def check_throttle(session: Session, policy: PasswordPolicy, email: str, remote_addr: str,
                   now: datetime) -> None:
    """Raise LoginThrottled when any back-off rule still holds for this account and client."""
    since = now - policy.limits.window
    rows = session.execute(
        select(SecurityEvent.at, SecurityEvent.email, SecurityEvent.remote_addr)
        .where(SecurityEvent.counted.is_(True), SecurityEvent.at >= since,
               or_(SecurityEvent.email == email, SecurityEvent.remote_addr == remote_addr))
        .order_by(SecurityEvent.at.desc()).limit(_THROTTLE_ROWS)
    ).all()
    failures = [throttle.Failure(at, row_email, address) for at, row_email, address in rows]
    wait = throttle.wait_for(policy.limits, failures, email, remote_addr, now)
    if wait > timedelta(0):
        raise LoginThrottled(wait)


def record_failure(session: Session, policy: PasswordPolicy, kind: str, email: str,
                   remote_addr: str, now: datetime, detail: str | None = None) -> None:
    """Write a failed attempt to the security log and drop entries past retention; commits."""
    session.add(SecurityEvent(at=now, kind=kind, email=email, remote_addr=remote_addr,
                              detail=detail))
    cutoff = now - timedelta(days=max(1, policy.security_log_days))
    session.execute(delete(SecurityEvent).where(SecurityEvent.at < cutoff))
    session.commit()


def check_password(session: Session, email: str, password: str, remote_addr: str | None,
                   policy: PasswordPolicy = DEFAULT_POLICY) -> User | None:
    """The first step of signing in: the account whose password this is, or None.

    Unknown, deactivated and known addresses take the same time (a password hash is checked in
    every case) and get the same answer. Raises LoginThrottled while a back-off rule holds.
    """
    email, address, now = normalise_email(email), _address(remote_addr), utcnow()
    check_throttle(session, policy, email, address, now)
    user = session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None else _dummy_hash(policy.hash_method)
    matches = check_password_hash(stored, password or "")
    if user is None or not matches or not user.active:
        record_failure(session, policy, "password_failed", email, address, now)
        return None
    return user


def totp_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step (±1 for clock drift) whose code is `code`, if not used before."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(
                totp.generate_otp(step), code):
            return step
    return None


def hash_recovery_code(code: str) -> str:
    """Recovery codes carry about 80 random bits, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def normalise_code(code: str | None) -> str:
    """Codes may be typed with spaces, hyphens or capitals."""
    return "".join(char for char in (code or "").lower() if char.isalnum())[:32]


def check_code(session: Session, user_id: int, code: str, remote_addr: str | None,
               policy: PasswordPolicy = DEFAULT_POLICY) -> User | None:
    """The second step: a code from the authenticator app or an unused recovery code.

    Each accepted code is used up (a TOTP step or a recovery code counts once, even against a
    simultaneous request). Failures are logged and throttled like passwords.
    """
    user = session.get(User, user_id)
    if user is None or not user.active or not user.two_factor_enabled:
        session.rollback()
        return None
    address, now, code = _address(remote_addr), utcnow(), normalise_code(code)
    check_throttle(session, policy, user.email, address, now)
    if len(code) == 6 and code.isdigit():
        secret = unseal(user.totp_secret)
        step = totp_step(secret, code, user.totp_last_step, now) if secret else None
        if step is not None and session.execute(
                update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None),
                                                           User.totp_last_step < step))
                .values(totp_last_step=step)).rowcount == 1:
            session.commit()
            return user
    elif code:
        used = session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                       RecoveryCode.code_hash == hash_recovery_code(code),
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=now)).rowcount
        if used == 1:
            append(session, user, "user.recovery_code_used", user, {"ip": address})
            session.commit()
            return user
    session.rollback()
    record_failure(session, policy, "code_failed", user.email, address, now)
    return None


def complete_sign_in(session: Session, user: User, *, remember: bool, must_enrol: bool,
                     remote_addr: str | None, user_agent: str | None,
                     policy: PasswordPolicy = DEFAULT_POLICY) -> str:
    """Start the server-side sign-in after every factor passed; returns the cookie token.

    Clears the account's counted failures, records the time (a plain UPDATE, so simultaneous
    sign-ins never collide on the row version) and appends `auth.login` to the ledger.
    """
    now, address = utcnow(), _address(remote_addr)
    token = add_session(session, user, remember=remember, must_enrol=must_enrol,
                        remote_addr=remote_addr, user_agent=user_agent,
                        settings=policy.sessions, now=now)
    session.execute(update(SecurityEvent).where(SecurityEvent.email == user.email,
                                                SecurityEvent.counted.is_(True))
                    .values(counted=False))
    session.execute(update(User).where(User.id == user.id).values(last_login_at=now)
                    .execution_options(synchronize_session=False))
    append(session, user, "auth.login", None, {"ip": address, "remember": remember},
           entity_type="user", entity_id=str(user.id))
    session.commit()
    return token


def list_security_events(session: Session, limit: int = 200) -> list[SecurityEvent]:
    """The latest security-log entries, newest first."""
    return list(session.scalars(select(SecurityEvent).order_by(SecurityEvent.at.desc(),
                                                               SecurityEvent.id.desc())
                                .limit(max(1, min(limit, 1000)))))
