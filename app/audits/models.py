"""Engagements, their team and scope, control tests, populations, samples and deviations."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..catalogue.models import Bilingual, Control, ControlGroup
from ..db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ..extensions import db
from ..firms.models import AuditFirm


class EngagementKind(enum.StrEnum):
    """What kind of engagement: internal audit, or an ISAE 3000 report of type 1 or 2."""

    INTERNAL = "internal"
    ISO27001_INTERNAL = "iso27001_internal"
    ISAE3000_TYPE1 = "isae3000_type1"
    ISAE3000_TYPE2 = "isae3000_type2"


ASSURANCE_KINDS = ("isae3000_type1", "isae3000_type2")


class EngagementStatus(enum.StrEnum):
    """Where the engagement stands; in review the fieldwork is locked, issued is read-only."""

    PLANNING = "planning"
    FIELDWORK = "fieldwork"
    REVIEW = "review"
    ISSUED = "issued"


class MemberRole(enum.StrEnum):
    """An engagement member: the client's audit team, or an auditor of the engagement's firm."""

    TEAM = "team"
    EXTERNAL = "external"


class TestMethod(enum.StrEnum):
    """How a control is tested (ISAE: forespurgt, inspiceret, observeret, genudført)."""

    INQUIRY = "inquiry"
    INSPECTION = "inspection"
    OBSERVATION = "observation"
    REPERFORMANCE = "reperformance"


class SizingMethod(enum.StrEnum):
    """How the sample size was set."""

    FREQUENCY = "frequency"
    ATTRIBUTE = "attribute"


class Conclusion(enum.StrEnum):
    """A test's conclusion; derived from the item results plus the auditor's judgement."""

    OPEN = "open"
    NO_DEVIATIONS = "no_deviations"
    NOT_MATERIAL = "not_material"
    MATERIAL = "material"


class ItemResult(enum.StrEnum):
    """The result for one sampled item."""

    PENDING = "pending"
    NO_DEVIATION = "no_deviation"
    DEVIATION = "deviation"
    NOT_APPLICABLE = "not_applicable"


class Severity(enum.StrEnum):
    """How serious a deviation (finding) is."""

    OBSERVATION = "observation"
    MINOR = "minor"
    MATERIAL = "material"


class DeviationStatus(enum.StrEnum):
    """A finding is open until closed with evidence of remediation."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Engagement(VersionedMixin, TimestampMixin, db.Model):
    """An audit over a period (or at a date, for ISAE type 1) and a scope of controls."""

    __tablename__ = "engagement"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=EngagementStatus.PLANNING.value)
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # ISAE 3000 engagements belong to an audit firm; its partner signs the auditor's report.
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("audit_firm.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    members: Mapped[list[EngagementMember]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan")
    exclusions: Mapped[list[ObjectiveExclusion]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan")
    tests: Mapped[list[ControlTest]] = relationship(back_populates="engagement")
    firm: Mapped[AuditFirm | None] = relationship()
    partner: Mapped[User | None] = relationship(foreign_keys=[partner_id])

    @property
    def is_issued(self) -> bool:
        """Issued engagements are read-only."""
        return self.status == EngagementStatus.ISSUED

    @property
    def is_assurance(self) -> bool:
        """An ISAE 3000 engagement: the firm's auditors perform it and sign its report."""
        return self.kind in ASSURANCE_KINDS

    @property
    def fieldwork_locked(self) -> bool:
        """In review or issued: no new populations, draws or results."""
        return self.status in (EngagementStatus.REVIEW, EngagementStatus.ISSUED)

    @property
    def is_point_in_time(self) -> bool:
        """ISAE 3000 type 1 speaks for one date, not a period."""
        return self.kind == EngagementKind.ISAE3000_TYPE1

    @property
    def covers_from(self) -> date:
        """First day the engagement covers (the date itself for type 1)."""
        return self.period_end if self.is_point_in_time else (self.period_start or self.period_end)


class EngagementMember(db.Model):
    """A user on an engagement: team member, or external auditor who may read it."""

    __tablename__ = "engagement_member"
    __table_args__ = (UniqueConstraint("engagement_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    engagement: Mapped[Engagement] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class ObjectiveExclusion(Bilingual, db.Model):
    """A control objective (catalogue group) declared not relevant, with the reason."""

    __tablename__ = "objective_exclusion"
    __table_args__ = (UniqueConstraint("engagement_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("control_group.id"))
    reason_en: Mapped[str | None] = mapped_column(Text)
    reason_da: Mapped[str | None] = mapped_column(Text)

    engagement: Mapped[Engagement] = relationship(back_populates="exclusions")
    group: Mapped[ControlGroup] = relationship()


class ControlTest(Bilingual, VersionedMixin, TimestampMixin, db.Model):
    """The test of one control activity within an engagement."""

    __tablename__ = "control_test"
    __table_args__ = (UniqueConstraint("engagement_id", "control_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    methods: Mapped[list] = mapped_column(JSON, default=list)
    procedure: Mapped[str | None] = mapped_column(Text)  # the planning instruction (workpapers)
    # What the report's test column prints: the test as performed, in the past tense.
    test_performed_en: Mapped[str | None] = mapped_column(Text)
    test_performed_da: Mapped[str | None] = mapped_column(Text)
    frequency: Mapped[str | None] = mapped_column(String(32))
    risk_level: Mapped[str] = mapped_column(String(16), default="moderate")
    sizing_method: Mapped[str] = mapped_column(String(16), default=SizingMethod.FREQUENCY.value)
    risk: Mapped[str | None] = mapped_column(String(8))  # risk of overreliance, e.g. "0.05"
    tolerable_rate: Mapped[str | None] = mapped_column(String(8))
    expected_rate: Mapped[str | None] = mapped_column(String(8))
    planned_size: Mapped[int | None] = mapped_column(Integer)
    size_override_reason: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str] = mapped_column(String(16), default=Conclusion.OPEN.value)
    # The deviations found, as the report states them, and management's comment on them.
    result_text_en: Mapped[str | None] = mapped_column(Text)
    result_text_da: Mapped[str | None] = mapped_column(Text)
    management_comment_en: Mapped[str | None] = mapped_column(Text)
    management_comment_da: Mapped[str | None] = mapped_column(Text)
    # Why deviations are not material although the sample does not support reliance.
    judgement_justification: Mapped[str | None] = mapped_column(Text)
    # How the auditor established that the control did not operate in the period (no sample).
    no_occurrences_note: Mapped[str | None] = mapped_column(Text)
    # Sign-offs: the preparer concludes, a reviewer (the firm, for ISAE) reviews.
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    engagement: Mapped[Engagement] = relationship(back_populates="tests")
    control: Mapped[Control] = relationship()
    populations: Mapped[list[Population]] = relationship(
        back_populates="test", order_by="Population.id")
    samples: Mapped[list[Sample]] = relationship(back_populates="test", order_by="Sample.id")
    concluded_by: Mapped[User | None] = relationship(foreign_keys=[concluded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def is_concluded(self) -> bool:
        """A concluded test has its final result text."""
        return self.conclusion != Conclusion.OPEN

    @property
    def is_reviewed(self) -> bool:
        """Concluded and signed off by a reviewer."""
        return self.is_concluded and self.reviewed_at is not None

    @property
    def no_occurrences(self) -> bool:
        """The control did not operate in the period, so there was nothing to sample."""
        return self.no_occurrences_note is not None

    @property
    def has_deviations(self) -> bool:
        """Concluded with deviations (material or not)."""
        return self.conclusion in (Conclusion.NOT_MATERIAL, Conclusion.MATERIAL)


class Population(TimestampMixin, db.Model):
    """The items a control operated on (imported file or typed list), kept as evidence."""

    __tablename__ = "population"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("control_test.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))  # csv, xlsx or list
    filename: Mapped[str | None] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="importing")  # importing/ready/failed
    error: Mapped[str | None] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    row_count: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    columns: Mapped[list] = mapped_column(JSON, default=list)
    preview: Mapped[list] = mapped_column(JSON, default=list)
    # What the import's checks found (population_checks): for an imported file, what the auditor
    # must judge ({"code": "duplicates" | "multiline", "count", "lines"}); for a refused one,
    # why ({"code": "refused", "reason", "line", "last", "params"}). None when nothing.
    warnings: Mapped[list | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    test: Mapped[ControlTest] = relationship(back_populates="populations")

    @property
    def is_ready(self) -> bool:
        """Imported completely; can be sampled."""
        return self.status == "ready"

    @property
    def refusal(self) -> dict | None:
        """Why the import was refused, with the English templates the page translates."""
        from .population_checks import LINE, REASONS, SPAN

        found = next((w for w in self.warnings or () if w.get("code") == "refused"), None)
        if found is None or found.get("reason") not in REASONS:
            return None
        return {**found, "line_text": LINE, "reason_text": REASONS[found["reason"]],
                "span_text": SPAN if (found.get("last") or 0) > found["line"] else None}


class Sample(TimestampMixin, db.Model):
    """A reproducible selection from a population: the seed and fingerprint re-draw it."""

    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("control_test.id"), index=True)
    population_id: Mapped[int] = mapped_column(ForeignKey("population.id"))
    seed: Mapped[str] = mapped_column(String(64))
    population_fingerprint: Mapped[str] = mapped_column(String(64))
    population_size: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    test: Mapped[ControlTest] = relationship(back_populates="samples")
    population: Mapped[Population] = relationship()
    items: Mapped[list[SampleItem]] = relationship(
        back_populates="sample", order_by="SampleItem.population_index",
        cascade="all, delete-orphan")


class SampleItem(VersionedMixin, db.Model):
    """One selected item and what the auditor found."""

    __tablename__ = "sample_item"
    __table_args__ = (UniqueConstraint("sample_id", "population_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("sample.id"), index=True)
    population_index: Mapped[int] = mapped_column(Integer)
    row: Mapped[list] = mapped_column(JSON, default=list)
    round: Mapped[int] = mapped_column(Integer, default=1)  # 2+ for items added on expansion
    result: Mapped[str] = mapped_column(String(16), default=ItemResult.PENDING.value)
    note: Mapped[str | None] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(Integer, index=True)
    tested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sample: Mapped[Sample] = relationship(back_populates="items")


class Deviation(VersionedMixin, TimestampMixin, db.Model):
    """A finding: from a test, or raised on its own; open until closed with evidence."""

    __tablename__ = "deviation"

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagement.id"), index=True)
    test_id: Mapped[int | None] = mapped_column(ForeignKey("control_test.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    root_cause: Mapped[str | None] = mapped_column(Text)
    management_response: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DeviationStatus.OPEN.value)
    closing_evidence_id: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    control: Mapped[Control] = relationship()
    engagement: Mapped[Engagement | None] = relationship()
    test: Mapped[ControlTest | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])

    def is_overdue(self, today: date) -> bool:
        """Open past its due date."""
        return self.status != DeviationStatus.CLOSED and self.due_on is not None \
            and self.due_on < today


class EngagementComment(db.Model):
    """A remark on an engagement or one of its tests (external auditors comment, never edit)."""

    __tablename__ = "engagement_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    test_id: Mapped[int | None] = mapped_column(ForeignKey("control_test.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()



