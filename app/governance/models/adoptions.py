"""Adoptions of new technology and the steps of the gate before use (policy §10)."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...db import TimestampMixin, VersionedMixin
from ...evidence.models import Evidence
from ...extensions import db
from .. import rules
from .risks import RiskAssessment


class Category(enum.StrEnum):
    """The kinds of new technology the policy names."""

    CLOUD_SERVICE = "cloud_service"
    AI_SOLUTION = "ai_solution"
    INTERNET_SERVICE = "internet_service"
    DATA_SHARING = "data_sharing"
    NEW_METHOD = "new_method"


class TechnologyAdoption(VersionedMixin, TimestampMixin, db.Model):
    """New technology on its way to use: each step of the gate is recorded here."""

    __tablename__ = "technology_adoption"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=rules.AdoptionStatus.DRAFT.value,
                                        index=True)
    started_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    risk_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessment.id"))
    impact_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessment.id"))
    impact_summary: Mapped[str | None] = mapped_column(Text)
    presented_on: Mapped[date | None] = mapped_column(Date)
    minutes_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_notes: Mapped[str | None] = mapped_column(Text)
    in_use_from: Mapped[date | None] = mapped_column(Date)

    owner: Mapped[User] = relationship()
    risk_assessment: Mapped[RiskAssessment | None] = relationship(
        foreign_keys=[risk_assessment_id])
    impact_assessment: Mapped[RiskAssessment | None] = relationship(
        foreign_keys=[impact_assessment_id])
    minutes: Mapped[Evidence | None] = relationship()

    @property
    def facts(self) -> rules.GateFacts:
        """What has been recorded, for the gate's rules."""
        return rules.GateFacts(
            personal_data=self.personal_data,
            risk_assessment=self.risk_assessment_id is not None,
            impact_analysis=self.impact_assessment_id is not None or bool(self.impact_summary),
            dpia=self.impact_assessment is not None and self.impact_assessment.kind == "dpia",
            presented=self.presented_on is not None and self.minutes_evidence_id is not None,
            decision=self.decision)
