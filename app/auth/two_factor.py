"""Two-factor sign-in: enrolling an authenticator, recovery codes, the per-role policy, resets.

TOTP (RFC 6238, 30-second steps, 6 digits) as every authenticator app speaks it. A user enrols
by scanning a QR code (an SVG drawn here, no third party sees the secret) and confirming one
code; the secret is stored encrypted under a key outside the database (`secret_box`). They
then get ten single-use recovery codes, shown once and stored as SHA-256. A user who
loses the device signs in with a recovery code, or an administrator resets their second factor
(ledgered, and every sign-in of that account ends). API tokens are not affected: a token is a
credential of its own, created by a signed-in user and revocable.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from ..db import utcnow
from ..errors import Invalid
from ..ledger.service import append
from .login import hash_recovery_code, normalise_code, totp_step
from .models import RecoveryCode, RolePolicy, User, UserSession
from .passwords import N_
from .permissions import Permission, Role, require
from .secret_box import seal
from .service import invalid
from .sessions import drop_sessions

RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_CODE_LENGTH = 16  # 16 of 31 symbols: about 79 random bits


def new_secret() -> str:
    """A fresh TOTP secret (160 random bits, base32)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no script, no style attribute: fits the CSP)."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR", dark="#000",
                                                  light="#fff")


def _new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _CODE_LENGTH, 4)))
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(raw),
                                 created_at=now))
    return codes


def enable_two_factor(session: Session, actor: User, secret: str, code: str) -> list[str]:
    """Turn on two-factor sign-in once `code` proves the app holds `secret`.

    Returns the ten recovery codes, to be shown once. The current sign-in stops asking the
    user to enrol.
    """
    require(actor, Permission.SIGNED_IN)
    if actor.two_factor_enabled:
        raise invalid("code", N_("Two-factor sign-in is already on."))
    now = utcnow()
    step = totp_step(secret, normalise_code(code), None, now) if secret else None
    if step is None:
        raise invalid("code", N_("That code does not match. Check the time on your phone and "
                                  "type the code the app shows now."))
    actor.totp_secret, actor.totp_enabled_at, actor.totp_last_step = seal(secret), now, step
    codes = _new_recovery_codes(session, actor, now)
    if actor.sign_in is not None:
        session.execute(update(UserSession).where(UserSession.id == actor.sign_in.id)
                        .values(must_enrol=False))
    append(session, actor, "user.two_factor_enabled", actor, {})
    session.commit()
    return codes


def _check_own_password(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise invalid("password", N_("The password is not correct."))


def regenerate_recovery_codes(session: Session, actor: User, password: str) -> list[str]:
    """Replace the user's recovery codes with ten new ones (the old ones stop working)."""
    require(actor, Permission.SIGNED_IN)
    if not actor.two_factor_enabled:
        raise invalid("password", N_("Turn on two-factor sign-in first."))
    _check_own_password(actor, password)
    codes = _new_recovery_codes(session, actor, utcnow())
    append(session, actor, "user.recovery_codes_renewed", actor, {})
    session.commit()
    return codes


def disable_two_factor(session: Session, actor: User, password: str) -> None:
    """A user turns off their own second factor, unless their role requires it."""
    require(actor, Permission.SIGNED_IN)
    if two_factor_required(session, actor.role):
        raise invalid("password", N_("Your role requires two-factor sign-in, so it cannot be "
                                      "turned off."))
    _check_own_password(actor, password)
    _clear(session, actor)
    append(session, actor, "user.two_factor_disabled", actor, {})
    session.commit()


def reset_two_factor(session: Session, actor, user: User) -> None:
    """An administrator clears a user's second factor (lost phone) and ends their sign-ins.

    The user signs in with their password next and, when their role requires it, enrols a new
    authenticator straight away.
    """
    require(actor, Permission.MANAGE_USERS)
    if not user.two_factor_enabled:
        raise invalid("two_factor", N_("This account has no second factor to reset."))
    _clear(session, user)
    ended = drop_sessions(session, user)
    append(session, actor, "user.two_factor_reset", user, {"sessions_ended": ended})
    session.commit()


def _clear(session: Session, user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def recovery_codes_left(session: Session, user: User) -> int:
    """How many unused recovery codes the user has."""
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def required_roles(session: Session) -> set[str]:
    """The roles whose users must sign in with two factors."""
    return set(session.scalars(select(RolePolicy.role)
                               .where(RolePolicy.two_factor_required.is_(True))))


def two_factor_required(session: Session, role: str) -> bool:
    """Whether users of `role` must sign in with two factors."""
    return bool(session.scalar(select(RolePolicy.two_factor_required)
                               .where(RolePolicy.role == role)))


def set_two_factor_policy(session: Session, actor, roles: set[str]) -> None:
    """Require two-factor sign-in for exactly `roles`; users enrol at their next sign-in."""
    require(actor, Permission.MANAGE_USERS)
    known = {role.value for role in Role}
    unknown = set(roles) - known
    if unknown:
        raise Invalid("roles", f"Unknown role: {', '.join(sorted(unknown))}.")
    before = required_roles(session)
    if before == set(roles):
        return
    existing = {row.role: row for row in session.scalars(select(RolePolicy))}
    for role in known:
        row = existing.get(role) or RolePolicy(role=role)
        row.two_factor_required = role in roles
        session.add(row)
    append(session, actor, "policy.two_factor_set", None,
           {"required": sorted(roles), "before": sorted(before)},
           entity_type="role_policy", entity_id="two_factor")
    session.commit()
