"""Sub-processors, transfers, auditor's statements, follow-ups, change notices, objections."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..catalogue.models import Bilingual
from ..db import TimestampMixin, VersionedMixin
from ..evidence.models import Evidence
from ..extensions import db
from . import rules


class Status(enum.StrEnum):
    """Where a sub-processor stands: proposed (under notice), in use, or no longer used."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class Approval(enum.StrEnum):
    """How the controllers approved the sub-processor (GDPR Art. 28(2))."""

    GENERAL = "general"
    SPECIFIC = "specific"


class Risk(enum.StrEnum):
    """The risk rating that decides how the sub-processor is followed up."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Basis(enum.StrEnum):
    """Transfer bases of GDPR Chapter V."""

    ADEQUACY = "adequacy"  # Art. 45
    SCC = "scc"  # Art. 46(2)(c)
    BCR = "bcr"  # Art. 47
    DEROGATION = "derogation"  # Art. 49


class StatementType(enum.StrEnum):
    """The standard a sub-processor's auditor's statement is given under."""

    ISAE3000 = "isae3000"
    ISAE3402 = "isae3402"
    SOC2 = "soc2"
    SOC1 = "soc1"
    ISO27001 = "iso27001"
    OTHER = "other"


class Opinion(enum.StrEnum):
    """The auditor's opinion in the statement."""

    UNQUALIFIED = "unqualified"
    QUALIFIED = "qualified"


class Significance(enum.StrEnum):
    """How much an observation in a statement matters."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FollowUpKind(enum.StrEnum):
    """Ways of following up a sub-processor (activity F.6)."""

    INSPECTION = "inspection"
    MEETING = "meeting"
    QUESTIONNAIRE = "questionnaire"
    STATEMENT_REVIEW = "statement_review"


class ChangeKind(enum.StrEnum):
    """What a change notice announces."""

    ADD = "add"
    REPLACE = "replace"


class Outcome(enum.StrEnum):
    """What became of a controller's objection."""

    PENDING = "pending"
    WITHDRAWN = "withdrawn"  # the controller withdrew it
    CHANGE_DROPPED = "change_dropped"  # the change was not made (for this controller)
    REJECTED = "rejected"  # no reasonable, concrete grounds
    DATA_WITHDRAWN = "data_withdrawn"  # the controller took its data elsewhere


class SubProcessor(Bilingual, VersionedMixin, TimestampMixin, db.Model):
    """One entry of the list of sub-processors (activities F.2 and F.5).

    `next_statement_due` and `next_follow_up_due` are derived (rules.py) and refreshed by the
    service on every write that affects them, so lists can filter and sort by them in SQL.
    """

    __tablename__ = "subprocessor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    registration_number: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str] = mapped_column(String(2))  # where it is established
    countries: Mapped[list] = mapped_column(JSON, default=list)  # where it processes
    processing_en: Mapped[str] = mapped_column(Text)
    processing_da: Mapped[str] = mapped_column(Text)
    data_categories: Mapped[list] = mapped_column(JSON, default=list)
    approval: Mapped[str] = mapped_column(String(16))
    controllers: Mapped[list] = mapped_column(JSON, default=list)  # who approved it
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    contact: Mapped[str | None] = mapped_column(String(300))
    risk_rating: Mapped[str] = mapped_column(String(8))
    next_statement_due: Mapped[date | None] = mapped_column(Date, index=True)
    next_follow_up_due: Mapped[date | None] = mapped_column(Date, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    transfers: Mapped[list[Transfer]] = relationship(
        back_populates="subprocessor", order_by="Transfer.country",
        cascade="all, delete-orphan")
    statements: Mapped[list[AuditorStatement]] = relationship(
        back_populates="subprocessor", order_by="AuditorStatement.year.desc()")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="subprocessor",
        order_by="(FollowUp.performed_on.desc(), FollowUp.id.desc())")
    notices: Mapped[list[ChangeNotice]] = relationship(
        back_populates="subprocessor", foreign_keys="ChangeNotice.subprocessor_id",
        order_by="(ChangeNotice.notified_on.desc(), ChangeNotice.id.desc())")

    def statement_overdue(self, today: date) -> bool:
        """A year's statement is past its due date and not received."""
        return self.next_statement_due is not None and self.next_statement_due < today

    def follow_up_overdue(self, today: date) -> bool:
        """The follow-up the risk rating calls for is past due."""
        return self.next_follow_up_due is not None and self.next_follow_up_due < today

    def is_overdue(self, today: date) -> bool:
        """Something is past due: a statement or a follow-up."""
        return self.statement_overdue(today) or self.follow_up_overdue(today)

    def missing_years(self, today: date) -> list[int]:
        """Years whose statement is past due and missing (needs `statements` loaded)."""
        return rules.missing_statement_years(self.start_date, self.end_date,
                                             [s.year for s in self.statements], today)


class Transfer(VersionedMixin, TimestampMixin, db.Model):
    """A transfer of personal data to a third country and its basis (objective G)."""

    __tablename__ = "subprocessor_transfer"
    __table_args__ = (UniqueConstraint("subprocessor_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    recipient: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(16))
    scc_version: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    tia_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))

    subprocessor: Mapped[SubProcessor] = relationship(back_populates="transfers")
    tia_evidence: Mapped[Evidence | None] = relationship()

    @property
    def needs_tia(self) -> bool:
        """SCCs and BCRs need a transfer impact assessment (CJEU C-311/18, Schrems II)."""
        return self.basis in (Basis.SCC, Basis.BCR)


class AuditorStatement(VersionedMixin, TimestampMixin, db.Model):
    """The sub-processor's auditor's statement for one year of processing."""

    __tablename__ = "subprocessor_statement"
    __table_args__ = (UniqueConstraint("subprocessor_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    received_on: Mapped[date] = mapped_column(Date)
    statement_type: Mapped[str | None] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    opinion: Mapped[str] = mapped_column(String(16))
    no_observations: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    subprocessor: Mapped[SubProcessor] = relationship(back_populates="statements")
    observations: Mapped[list[StatementObservation]] = relationship(
        back_populates="statement", order_by="StatementObservation.position",
        cascade="all, delete-orphan")
    evidence: Mapped[Evidence | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def due_on(self) -> date:
        """When it was due: 31 December of the following year."""
        return rules.statement_due(self.year)

    @property
    def is_late(self) -> bool:
        """Received after it was due."""
        return rules.is_late(self.year, self.received_on)


class StatementObservation(db.Model):
    """An observation listed with a statement, with the sub-processor's comment and deadline."""

    __tablename__ = "subprocessor_observation"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("subprocessor_statement.id"),
                                              index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    significance: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    remediation_due: Mapped[date | None] = mapped_column(Date)

    statement: Mapped[AuditorStatement] = relationship(back_populates="observations")


class FollowUp(VersionedMixin, TimestampMixin, db.Model):
    """An inspection, meeting, questionnaire or statement review of a sub-processor (F.6)."""

    __tablename__ = "subprocessor_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    performed_on: Mapped[date] = mapped_column(Date)
    performed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    conclusion: Mapped[str] = mapped_column(Text)
    controllers_informed_on: Mapped[date | None] = mapped_column(Date)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    subprocessor: Mapped[SubProcessor] = relationship(back_populates="follow_ups")
    performed_by: Mapped[User | None] = relationship(foreign_keys=[performed_by_id])
    evidence: Mapped[Evidence | None] = relationship()


class ChangeNotice(VersionedMixin, TimestampMixin, db.Model):
    """A notice to the controllers that a sub-processor is added or replaces another (F.3)."""

    __tablename__ = "subprocessor_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("subprocessor.id"))
    notified_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date] = mapped_column(Date)
    controllers: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    subprocessor: Mapped[SubProcessor] = relationship(back_populates="notices",
                                                      foreign_keys=[subprocessor_id])
    replaces: Mapped[SubProcessor | None] = relationship(foreign_keys=[replaces_id])
    objections: Mapped[list[Objection]] = relationship(
        back_populates="notice", order_by="(Objection.received_on, Objection.id)")

    @property
    def notice_days(self) -> int:
        """Days between notice and effect."""
        return rules.notice_days(self.notified_on, self.effective_on)

    @property
    def short_notice(self) -> bool:
        """Fewer than 30 days' notice."""
        return rules.is_short_notice(self.notified_on, self.effective_on)

    @property
    def objection_deadline(self) -> date:
        """One month after the notice was received."""
        return rules.objection_deadline(self.notified_on)


class Objection(VersionedMixin, TimestampMixin, db.Model):
    """A controller's objection to a change notice, and what became of it."""

    __tablename__ = "subprocessor_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("subprocessor_change.id"), index=True)
    controller: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(24), default=Outcome.PENDING.value,
                                         server_default=Outcome.PENDING.value)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)

    notice: Mapped[ChangeNotice] = relationship(back_populates="objections")

    @property
    def is_late(self) -> bool:
        """Received after the objection deadline."""
        return self.received_on > self.notice.objection_deadline

