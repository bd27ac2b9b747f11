"""Tables of the deadline engine: annual-wheel duties, notifications, preferences, feeds, lease."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..catalogue.models import Control
from ..db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ..extensions import db

duty_control = Table(
    "duty_control",
    db.metadata,
    Column("duty_id", ForeignKey("duty.id", ondelete="CASCADE"), primary_key=True),
    Column("control_id", ForeignKey("control.id"), primary_key=True, index=True),
)


class Duty(VersionedMixin, TimestampMixin, db.Model):
    """A recurring duty of the ISMS year (årshjul): an owner, an RFC 5545 rule, controls.

    `next_due_on` is the occurrence now open; completing it moves it to the rule's next one
    (None once the rule has no more).
    """

    __tablename__ = "duty"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_da: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_da: Mapped[str | None] = mapped_column(Text)
    rrule: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    controls: Mapped[list[Control]] = relationship(secondary=duty_control,
                                                   order_by="Control.key")
    completions: Mapped[list[DutyCompletion]] = relationship(
        back_populates="duty", order_by="DutyCompletion.due_on.desc()",
        cascade="all, delete-orphan")

    def text(self, name: str, language: str) -> str | None:
        """A bilingual field in `language`, falling back to English."""
        value = getattr(self, f"{name}_{'da' if language == 'da' else 'en'}")
        return value or getattr(self, f"{name}_en")

    @property
    def responsible_id(self) -> int | None:
        """Who answers for the duty: its owner, else whoever recorded it."""
        return self.owner_id or self.created_by_id


class DutyCompletion(db.Model):
    """One occurrence of a duty, done: when, by whom, with which evidence."""

    __tablename__ = "duty_completion"
    __table_args__ = (UniqueConstraint("duty_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duty.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    note: Mapped[str | None] = mapped_column(Text)

    duty: Mapped[Duty] = relationship(back_populates="completions")
    completed_by: Mapped[User | None] = relationship()


class EmailStatus(enum.StrEnum):
    """Where a notification's e-mail stands."""

    NONE = "none"  # not wanted by e-mail (or no mail server)
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; the in-app notification stays


class Notification(db.Model):
    """One reminder to one person about one deadline at one threshold.

    The unique constraint on (deadline, threshold, recipient) makes notifying idempotent:
    a second scanner, a restart or a rerun can only ever find the row already there.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("deadline_key", "threshold", "user_id"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
        Index("ix_notification_email_status", "email_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    deadline_key: Mapped[str] = mapped_column(String(160))
    threshold: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    title_da: Mapped[str | None] = mapped_column(String(300))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    endpoint: Mapped[str] = mapped_column(String(80))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[str] = mapped_column(String(8), default=EmailStatus.NONE.value,
                                              server_default="none")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    email_next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()

    def title_in(self, language: str) -> str:
        """The object's title in `language` where it has one."""
        return self.title_da if language == "da" and self.title_da else self.title


class Digest(enum.StrEnum):
    """How often reminders go out by e-mail."""

    IMMEDIATE = "immediate"  # one digest after each scan that found something
    DAILY = "daily"  # at most one digest a day


class NotificationPreference(db.Model):
    """A user's choice of which kinds reach them by e-mail, and how often."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    email_kinds: Mapped[list] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(16), default=Digest.IMMEDIATE.value)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarFeed(db.Model):
    """A user's secret calendar address: the token's SHA-256, and the nonce it is made from.

    The token is HMAC(SECRET_KEY, user and nonce), so the page can show the address again
    while the database alone reveals nothing that opens it. Revoking deletes the row.
    """

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         unique=True)
    nonce: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class SchedulerLease(db.Model):
    """Who may scan now: one row per job, held until `expires_at` and renewed by its holder."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
