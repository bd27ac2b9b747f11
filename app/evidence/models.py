"""Evidence items, their file versions, their links to controls, and evidence requests."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
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

if TYPE_CHECKING:  # the audits package builds on evidence; the relationship is by name
    from ..audits.models import Engagement


class EvidenceKind(enum.StrEnum):
    """What an evidence item holds: an uploaded file, a link, or a written note."""

    FILE = "file"
    LINK = "link"
    NOTE = "note"


class RequestStatus(enum.StrEnum):
    """Where an evidence request stands."""

    OPEN = "open"
    ANSWERED = "answered"
    CANCELLED = "cancelled"


evidence_control = Table(
    "evidence_control",
    db.metadata,
    Column("evidence_id", ForeignKey("evidence.id"), primary_key=True),
    Column("control_id", ForeignKey("control.id"), primary_key=True, index=True),
)


class Evidence(VersionedMixin, TimestampMixin, db.Model):
    """One piece of evidence for one or more controls, speaking for a date or a period.

    The period (`period_start`..`period_end`, equal for a single date) is what the evidence
    covers, distinct from `created_at`, when it was added. A link keeps its `url` and a note its
    text in `description` here; a file's bytes live in `versions`, newest first.
    """

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_created_at", "created_at"),
        # Covers the coverage and freshness aggregates: each linked item's period is read from
        # this small index instead of the wide table row (about 3x faster on 50,000 items).
        Index("ix_evidence_id_period", "id", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    # Control lives in the catalogue package, which knows nothing of evidence: one-sided.
    controls: Mapped[list[Control]] = relationship(
        secondary=evidence_control, order_by="Control.key")
    versions: Mapped[list[EvidenceVersion]] = relationship(
        back_populates="evidence", order_by="EvidenceVersion.number.desc()",
        cascade="all, delete-orphan")

    @property
    def current_version(self) -> EvidenceVersion | None:
        """The newest file version (None for links and notes)."""
        return self.versions[0] if self.versions else None

    @property
    def is_single_date(self) -> bool:
        """The evidence speaks for one day rather than a period."""
        return self.period_start == self.period_end


class EvidenceVersion(db.Model):
    """One uploaded file of an evidence item: who, when, and the SHA-256 of its bytes."""

    __tablename__ = "evidence_version"
    __table_args__ = (UniqueConstraint("evidence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()


class EvidenceRequest(VersionedMixin, TimestampMixin, db.Model):
    """A coordinator or auditor asks a control's owner for evidence by a due date.

    A request made within an engagement belongs to it: the engagement's PBC list ("provided by
    client"), which its auditors manage and read, with the evidence delivered.
    """

    __tablename__ = "evidence_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value, index=True)
    answered_by_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagement.id"), index=True)

    control: Mapped[Control] = relationship()
    engagement: Mapped[Engagement | None] = relationship("Engagement")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    answered_by_evidence: Mapped[Evidence | None] = relationship()

    @property
    def is_open(self) -> bool:
        """Neither answered nor cancelled."""
        return self.status == RequestStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date."""
        return self.is_open and self.due_on < today
