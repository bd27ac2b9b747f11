"""Security incidents and personal-data breaches: the register, controllers, submissions, actions.

Every incident is registered, notified or not (GDPR Art. 33(5)). Instants are UTC
(`UTCDateTime`); `detected_on` and `closed_on` are the local dates the external auditors'
scope is decided on (`app/auth/scope.py`). Texts that reach the printed notification are kept
per language (`<field>_en`, `<field>_da`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audits.models import Deviation
from ..auth.models import User
from ..catalogue.models import Control
from ..db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ..extensions import db
from . import clocks


class Severity(enum.StrEnum):
    """How serious the incident is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Category(enum.StrEnum):
    """What the incident hit: confidentiality, integrity or availability; or a microdata rule."""

    CONFIDENTIALITY = "confidentiality"
    INTEGRITY = "integrity"
    AVAILABILITY = "availability"
    MICRODATA = "microdata"  # a breach of the microdata scheme's confidentiality rules


class Role(enum.StrEnum):
    """Our role in the processing the incident touches."""

    CONTROLLER = "controller"
    PROCESSOR = "processor"


class Status(enum.StrEnum):
    """Reported by anyone, qualified by the coordinator, closed when the record is complete."""

    REPORTED = "reported"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class SubjectsDecision(enum.StrEnum):
    """Art. 34: whether the data subjects are to be told."""

    PENDING = "pending"
    INFORM = "inform"
    NOT_REQUIRED = "not_required"


class Phase(enum.StrEnum):
    """Art. 33(4): information may be provided in phases."""

    INITIAL = "initial"
    SUPPLEMENTARY = "supplementary"
    FINAL = "final"


AUTHORITY = "authority"  # a submission's recipient: the supervisory authority

incident_control = Table(
    "incident_control", db.metadata,
    Column("incident_id", ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True),
    Column("control_id", ForeignKey("control.id"), primary_key=True, index=True),
)


class Incident(VersionedMixin, TimestampMixin, db.Model):
    """One security incident; a personal-data breach when the coordinator decides so."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.REPORTED.value, index=True)
    severity: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(16))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    detected_on: Mapped[date] = mapped_column(Date, index=True)  # local date, for scope
    became_aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data: Mapped[bool | None] = mapped_column(Boolean)
    personal_data_breach: Mapped[bool | None] = mapped_column(Boolean)  # None: not decided
    breach_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    breach_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breach_reason: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default=Role.CONTROLLER.value,
                                      server_default=Role.CONTROLLER.value)
    controller_notice_hours: Mapped[int] = mapped_column(
        Integer, default=clocks.DEFAULT_CONTROLLER_HOURS,
        server_default=str(clocks.DEFAULT_CONTROLLER_HOURS))
    affected_systems: Mapped[str | None] = mapped_column(Text)
    affected_processing: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    microdata_users: Mapped[str | None] = mapped_column(Text)  # names and user ids
    microdata_project: Mapped[str | None] = mapped_column(String(100))
    # Policy §14: the chair of the security committee is told of every incident.
    chair_informed_on: Mapped[date | None] = mapped_column(Date)
    chair_informed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Policy §14: a major outage gets IT's report to top management, kept as evidence.
    major_outage: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    management_report_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    # Art. 33(3) content of the notification.
    nature_en: Mapped[str | None] = mapped_column(Text)
    nature_da: Mapped[str | None] = mapped_column(Text)
    subject_categories_en: Mapped[str | None] = mapped_column(Text)
    subject_categories_da: Mapped[str | None] = mapped_column(Text)
    subjects_approx: Mapped[int | None] = mapped_column(Integer)
    record_categories_en: Mapped[str | None] = mapped_column(Text)
    record_categories_da: Mapped[str | None] = mapped_column(Text)
    records_approx: Mapped[int | None] = mapped_column(Integer)
    contact_point: Mapped[str | None] = mapped_column(Text)
    consequences_en: Mapped[str | None] = mapped_column(Text)
    consequences_da: Mapped[str | None] = mapped_column(Text)
    measures_en: Mapped[str | None] = mapped_column(Text)
    measures_da: Mapped[str | None] = mapped_column(Text)
    # First submission to the authority (denormalised from the submissions, for the clocks).
    authority_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Art. 34: informing the data subjects.
    subjects_decision: Mapped[str] = mapped_column(
        String(16), default=SubjectsDecision.PENDING.value,
        server_default=SubjectsDecision.PENDING.value)
    subjects_reason_en: Mapped[str | None] = mapped_column(Text)
    subjects_reason_da: Mapped[str | None] = mapped_column(Text)
    subjects_informed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)

    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    breach_decided_by: Mapped[User | None] = relationship(foreign_keys=[breach_decided_by_id])
    chair_informed_by: Mapped[User | None] = relationship(foreign_keys=[chair_informed_by_id])
    controls: Mapped[list[Control]] = relationship(secondary=incident_control,
                                                   order_by=Control.key)
    controllers: Mapped[list[IncidentController]] = relationship(
        back_populates="incident", cascade="all, delete-orphan",
        order_by="IncidentController.id")
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="incident", cascade="all, delete-orphan",
        order_by="[Submission.submitted_at, Submission.id]")
    actions: Mapped[list[CorrectiveAction]] = relationship(
        back_populates="incident", cascade="all, delete-orphan",
        order_by="CorrectiveAction.id")

    def text(self, field: str, lang: str | None) -> str:
        """A bilingual field in `lang`, falling back to the other language."""
        first, second = ("da", "en") if lang and str(lang).startswith("da") else ("en", "da")
        return getattr(self, f"{field}_{first}") or getattr(self, f"{field}_{second}") or ""

    @property
    def is_closed(self) -> bool:
        """Closed incidents are read-only until reopened."""
        return self.status == Status.CLOSED

    @property
    def is_breach(self) -> bool:
        """Decided to be a personal-data breach."""
        return bool(self.personal_data_breach)

    @property
    def is_controller(self) -> bool:
        """We are the controller (so we notify the authority)."""
        return self.role == Role.CONTROLLER

    def authority_clock(self) -> clocks.Clock | None:
        """The 72-hour clock to the authority, for a breach where we are the controller."""
        if not (self.is_breach and self.is_controller and self.became_aware_at):
            return None
        return clocks.Clock(self.became_aware_at, clocks.AUTHORITY_HOURS,
                            self.authority_notified_at)

    def controller_clocks(self) -> list[tuple[IncidentController | None, clocks.Clock]]:
        """A processor's clocks: one per listed controller, or the default one if none is."""
        if not (self.is_breach and not self.is_controller and self.became_aware_at):
            return []
        if not self.controllers:
            return [(None, clocks.Clock(self.became_aware_at, self.controller_notice_hours))]
        return [(c, clocks.Clock(self.became_aware_at, c.notice_hours, c.notified_at))
                for c in self.controllers]

    def clocks(self) -> list[tuple[IncidentController | None, clocks.Clock]]:
        """Every notification clock of the incident (None stands for the authority)."""
        authority = self.authority_clock()
        return [(None, authority)] if authority else self.controller_clocks()


class IncidentController(db.Model):
    """A controller we process for (we are processor), with the notice hours agreed with it."""

    __tablename__ = "incident_controller"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(200))
    notice_hours: Mapped[int] = mapped_column(Integer,
                                              default=clocks.DEFAULT_CONTROLLER_HOURS)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first submission

    incident: Mapped[Incident] = relationship(back_populates="controllers")


class Submission(db.Model):
    """One dated submission of the notification (Art. 33(4)), to the authority or a controller."""

    __tablename__ = "incident_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"),
                                             index=True)
    controller_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident_controller.id", ondelete="CASCADE"))  # None: the authority
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)
    delay_reason_en: Mapped[str | None] = mapped_column(Text)  # Art. 33(1), when late
    delay_reason_da: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="submissions")
    controller: Mapped[IncidentController | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    def text(self, field: str, lang: str | None) -> str:
        """A bilingual field in `lang`, falling back to the other language."""
        first, second = ("da", "en") if lang and str(lang).startswith("da") else ("en", "da")
        return getattr(self, f"{field}_{first}") or getattr(self, f"{field}_{second}") or ""


class CorrectiveAction(db.Model):
    """Something done so it does not happen again; linked to a finding where one is raised."""

    __tablename__ = "incident_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"),
                                             index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    deviation_id: Mapped[int | None] = mapped_column(ForeignKey("deviation.id"), index=True)

    incident: Mapped[Incident] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()
    deviation: Mapped[Deviation | None] = relationship()
