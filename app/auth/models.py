"""User accounts, their sign-in sessions and second factor, API tokens and the security log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ..extensions import db


class User(VersionedMixin, TimestampMixin, db.Model):
    """A person who signs in; holds exactly one role."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (TOTP, RFC 6238). The secret must be readable to check codes, so it is
    # stored as is; the recovery codes are stored hashed (RecoveryCode).
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # secret_box.seal
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second time step whose code was accepted: a code is good once.
    totp_last_step: Mapped[int | None] = mapped_column()

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", order_by="ApiToken.created_at.desc()"
    )

    # The server-side sign-in this request runs under (set by the user loader, not a column).
    sign_in = None
    # Its token as the cookie holds it, which Flask-Login stores as the "alternative id".
    sign_in_token = None

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in or use tokens."""
        return self.active

    @property
    def is_authenticated(self) -> bool:
        """A loaded user is always authenticated (Flask-Login protocol)."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous (Flask-Login protocol)."""
        return False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and remember-me cookie: the sign-in's token.

        Not the user id: a cookie then names one server-side sign-in (UserSession), which
        logout, a password change or an admin reset end, so a copied cookie stops working.
        """
        if not self.sign_in_token:
            raise RuntimeError("sign users in through auth.sessions.start_session")
        return self.sign_in_token

    @property
    def two_factor_enabled(self) -> bool:
        """Whether sign-in asks for a code from an authenticator app."""
        return self.totp_enabled_at is not None

    @property
    def label(self) -> str:
        """How the ledger and pages name this actor."""
        return self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        """Revoked tokens authenticate nobody."""
        return self.revoked_at is not None


class UserSession(db.Model):
    """One sign-in on one browser; the cookie holds a random token, the table its SHA-256.

    Deleting the row ends the sign-in wherever its cookies went (logout, password change,
    admin reset). `expires_at` bounds it however often the cookie is refreshed.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    # Set when the user's role requires two-factor sign-in and they have not enrolled yet.
    must_enrol: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code for signing in without the authenticator; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RolePolicy(db.Model):
    """Per-role security settings chosen by an administrator: two-factor sign-in required."""

    __tablename__ = "role_policy"

    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    two_factor_required: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SecurityEvent(db.Model):
    """The security log: failed sign-ins and codes, kept for throttling and review, then pruned.

    Not the ledger: anyone on the network can cause these rows, so they must be deletable
    (retention, KONTROL_SECURITY_LOG_DAYS) and must not grow the hash chain.
    """

    __tablename__ = "security_event"
    __table_args__ = (
        Index("ix_security_event_email_at", "email", "at"),
        Index("ix_security_event_remote_addr_at", "remote_addr", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64))
    # Whether the event still counts towards throttling; a successful sign-in clears it.
    counted: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[str | None] = mapped_column(Text)
