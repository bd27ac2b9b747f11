"""Risk assessments and their risks (policy §10)."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...catalogue.models import Control
from ...db import TimestampMixin, VersionedMixin
from ...extensions import db
from .. import rules


class AssessmentKind(enum.StrEnum):
    """Why an assessment was made."""

    PERIODIC = "periodic"
    CHANGE = "change"
    NEW_TECHNOLOGY = "new_technology"
    CLOUD = "cloud"
    AI = "ai"
    SUB_PROCESSOR = "sub_processor"
    DPIA = "dpia"


class AssessmentStatus(enum.StrEnum):
    """Where an assessment stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Topic(enum.StrEnum):
    """What every assessment must consider (policy §10)."""

    GDPR = "gdpr"
    TECHNICAL_DEBT = "technical_debt"
    BREACHES = "breaches"
    VULNERABILITIES = "vulnerabilities"
    LOGGING = "logging"
    NEW_TECHNOLOGY = "new_technology"


class Treatment(enum.StrEnum):
    """How a risk is treated."""

    REDUCE = "reduce"
    ACCEPT = "accept"
    TRANSFER = "transfer"
    AVOID = "avoid"


risk_control = Table(
    "risk_control",
    db.metadata,
    Column("risk_id", ForeignKey("risk.id"), primary_key=True),
    Column("control_id", ForeignKey("control.id"), primary_key=True, index=True),
)


class RiskAssessment(VersionedMixin, TimestampMixin, db.Model):
    """An assessment on a `scale` × `scale` matrix, kept with the scale it was made on."""

    __tablename__ = "risk_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=AssessmentStatus.IN_PROGRESS.value)
    scale: Mapped[int] = mapped_column(Integer, default=rules.DEFAULT_SCALE)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    risks: Mapped[list[Risk]] = relationship(back_populates="assessment",
                                             order_by="Risk.id", cascade="all, delete-orphan")


class Risk(VersionedMixin, TimestampMixin, db.Model):
    """A threat exploiting a vulnerability, rated before and after treatment."""

    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("risk_assessment.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    threat: Mapped[str] = mapped_column(Text)
    vulnerability: Mapped[str | None] = mapped_column(Text)
    assets: Mapped[str | None] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    consequence: Mapped[int] = mapped_column(Integer)
    inherent_score: Mapped[int] = mapped_column(Integer, index=True)
    treatment: Mapped[str] = mapped_column(String(16), index=True)
    treatment_plan: Mapped[str | None] = mapped_column(Text)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_consequence: Mapped[int | None] = mapped_column(Integer)
    residual_score: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    accepted_until: Mapped[date | None] = mapped_column(Date, index=True)

    assessment: Mapped[RiskAssessment] = relationship(back_populates="risks")
    owner: Mapped[User | None] = relationship()
    controls: Mapped[list[Control]] = relationship(secondary=risk_control,
                                                   order_by="Control.key")

    @property
    def inherent_level(self) -> rules.Level | None:
        """The band before treatment."""
        return rules.level(self.likelihood, self.consequence, self.assessment.scale)

    @property
    def residual_level(self) -> rules.Level | None:
        """The band after treatment (None until rated)."""
        return rules.level(self.residual_likelihood, self.residual_consequence,
                           self.assessment.scale)

    @property
    def is_accepted(self) -> bool:
        """An acceptance is on record."""
        return self.accepted_on is not None
