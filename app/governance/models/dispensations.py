"""Dispensations from a requirement and emergency deviations, with every decision (§13)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...catalogue.models import Control
from ...db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ...extensions import db
from .documents import GoverningDocument


class Dispensation(VersionedMixin, TimestampMixin, db.Model):
    """A request to deviate from a control or a document, or an emergency deviation.

    `status` and the validity are the latest decision's (requested until one is made; an
    emergency deviation is "emergency" from the moment it was decided until the chair decides).
    Earlier decisions stay in `decisions`: a renewal is a new decision.
    """

    __tablename__ = "dispensation"

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int | None] = mapped_column(ForeignKey("control.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("governing_document.id"),
                                                    index=True)
    title: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    compensating_measures: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    addressed_to: Mapped[str] = mapped_column(String(200))
    requested_on: Mapped[date] = mapped_column(Date, index=True)
    desired_until: Mapped[date | None] = mapped_column(Date)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_on_the_spot_by: Mapped[str | None] = mapped_column(String(200))
    report_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    conditions: Mapped[str | None] = mapped_column(Text)

    control: Mapped[Control | None] = relationship()
    document: Mapped[GoverningDocument | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
    decisions: Mapped[list[DispensationDecision]] = relationship(
        back_populates="dispensation",
        order_by="(DispensationDecision.decided_on.desc(), DispensationDecision.id.desc())",
        cascade="all, delete-orphan")

    @property
    def requirement(self) -> str:
        """The control key or `document:<id>` the dispensation is from."""
        if self.control is not None:
            return self.control.key
        return f"document:{self.document_id}"


class DispensationDecision(db.Model):
    """The chair's decision on a dispensation: approved or rejected, validity and conditions."""

    __tablename__ = "dispensation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispensation_id: Mapped[int] = mapped_column(ForeignKey("dispensation.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    renewal: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dispensation: Mapped[Dispensation] = relationship(back_populates="decisions")
    recorded_by: Mapped[User | None] = relationship()
