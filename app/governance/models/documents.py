"""Governing documents (policy, guidelines, procedures, plans), their versions and reviews."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...catalogue.models import Control
from ...db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ...evidence.models import Evidence
from ...extensions import db


class DocumentKind(enum.StrEnum):
    """What kind of governing document it is (policy §8)."""

    POLICY = "policy"
    GUIDELINE = "guideline"
    PROCEDURE = "procedure"
    PLAN = "plan"


class DocumentStatus(enum.StrEnum):
    """In force, or withdrawn by a review."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ReviewKind(enum.StrEnum):
    """A regular review, or top management's annual decision on the security level (§9)."""

    REVIEW = "review"
    SECURITY_LEVEL = "security_level"


class Outcome(enum.StrEnum):
    """What a review concluded."""

    NO_CHANGE = "no_change"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"


class VersionStatus(enum.StrEnum):
    """A version's place in the document's life."""

    PROPOSED = "proposed"
    CURRENT = "current"
    SUPERSEDED = "superseded"


document_control = Table(
    "governing_document_control",
    db.metadata,
    Column("document_id", ForeignKey("governing_document.id"), primary_key=True),
    Column("control_id", ForeignKey("control.id"), primary_key=True, index=True),
)


class GoverningDocument(VersionedMixin, TimestampMixin, db.Model):
    """A policy, guideline, procedure or plan with its owner, approver and review cycle.

    `next_review_due` is kept with every approved review (approval date + interval, end of
    month clamped); `security_level_due` likewise for the policy's security-level decision.
    `effective_from` .. `withdrawn_on` is the period the document was in force (external
    auditors see it when that touches their engagement's period).
    """

    __tablename__ = "governing_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    approving_body: Mapped[str] = mapped_column(String(24))
    review_interval_months: Mapped[int] = mapped_column(Integer, default=12)
    in_handbook: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.ACTIVE.value,
                                        index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    last_approved_on: Mapped[date | None] = mapped_column(Date)
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    security_level_due: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    controls: Mapped[list[Control]] = relationship(secondary=document_control,
                                                   order_by="Control.key")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number.desc()",
        cascade="all, delete-orphan")
    reviews: Mapped[list[DocumentReview]] = relationship(
        back_populates="document",
        order_by="(DocumentReview.reviewed_on.desc(), DocumentReview.id.desc())",
        cascade="all, delete-orphan")

    @property
    def current_version(self) -> DocumentVersion | None:
        """The version in force."""
        return next((v for v in self.versions if v.status == VersionStatus.CURRENT), None)

    @property
    def latest_review(self) -> DocumentReview | None:
        """The most recent regular review."""
        return next((r for r in self.reviews if r.kind == ReviewKind.REVIEW), None)


class DocumentVersion(db.Model):
    """One version of a document; its file is an evidence item (SHA-256 checked on download)."""

    __tablename__ = "governing_document_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("governing_document.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    change: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.PROPOSED.value)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    effective_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[GoverningDocument] = relationship(back_populates="versions")
    evidence: Mapped[Evidence] = relationship()
    created_by: Mapped[User | None] = relationship()


class DocumentReview(db.Model):
    """A review of a document and, once given, its approval (body, by whom, when, minutes)."""

    __tablename__ = "document_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("governing_document.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=ReviewKind.REVIEW.value)
    reviewed_on: Mapped[date] = mapped_column(Date, index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("governing_document_version.id"))
    approval_body: Mapped[str | None] = mapped_column(String(24))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[date | None] = mapped_column(Date)
    minutes_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[GoverningDocument] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    version: Mapped[DocumentVersion | None] = relationship(foreign_keys=[version_id])
    minutes: Mapped[Evidence | None] = relationship()

    @property
    def is_approved(self) -> bool:
        """An approval has been recorded."""
        return self.approved_on is not None
