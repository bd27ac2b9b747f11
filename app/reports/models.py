"""The organisation profile that fills report texts, and auditor export bundles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audits.models import Engagement
from ..auth.models import User
from ..catalogue.models import ControlGroup
from ..db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ..extensions import db


class OrganisationProfile(VersionedMixin, TimestampMixin, db.Model):
    """One row (id 1): who the organisation is and what it does, for report texts."""

    __tablename__ = "organisation_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    registration_no: Mapped[str | None] = mapped_column(String(32))  # CVR
    city: Mapped[str | None] = mapped_column(String(100))  # where management signs
    service_en: Mapped[str | None] = mapped_column(String(300))
    service_da: Mapped[str | None] = mapped_column(String(300))
    processing_en: Mapped[str | None] = mapped_column(Text)
    processing_da: Mapped[str | None] = mapped_column(Text)
    sub_processors: Mapped[str | None] = mapped_column(Text)  # unused: the register lists them
    complementary_controls_en: Mapped[str | None] = mapped_column(Text)  # one per line
    complementary_controls_da: Mapped[str | None] = mapped_column(Text)
    # Who signs management's statement by default.
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_title_en: Mapped[str | None] = mapped_column(String(200))
    signatory_title_da: Mapped[str | None] = mapped_column(String(200))

    def text(self, field: str, lang: str) -> str:
        """A bilingual field in `lang`, falling back to English (for pages, not reports)."""
        if lang.startswith("da") and getattr(self, f"{field}_da", None):
            return getattr(self, f"{field}_da")
        return getattr(self, f"{field}_en") or ""

    @staticmethod
    def lines(text: str | None) -> tuple[str, ...]:
        """The non-empty lines of a one-per-line field."""
        return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class ExportBundle(db.Model):
    """A ZIP for the external auditor: report, workpapers, evidence index, manifest."""

    __tablename__ = "export_bundle"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lang: Mapped[str] = mapped_column(String(2))
    include_files: Mapped[bool] = mapped_column(Boolean, default=False)
    # queued, building, ready or failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    step: Mapped[str | None] = mapped_column(String(200))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    engagement: Mapped[Engagement] = relationship()

    @property
    def percent(self) -> int:
        """Progress for the bar."""
        return 100 if self.status == "ready" else int(100 * self.done / self.total) \
            if self.total else 0


class ReportText(VersionedMixin, TimestampMixin, db.Model):
    """A section of management's statement or the auditor's report, as edited, per language.

    Sections without a row print their default, worded from the engagement, profile and firm.
    """

    __tablename__ = "report_text"
    __table_args__ = (UniqueConstraint("engagement_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    text_en: Mapped[str | None] = mapped_column(Text)
    text_da: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class SignatureParty:
    """Who signs: the data processor's management (section 1) or the auditor (section 2)."""

    MANAGEMENT = "management"
    AUDITOR = "auditor"


class ReportSignature(TimestampMixin, db.Model):
    """A signature on the report: name, title per language, place and date."""

    __tablename__ = "report_signature"
    __table_args__ = (UniqueConstraint("engagement_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_da: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    recorded_by: Mapped[User | None] = relationship()


class ObjectiveOpinion(VersionedMixin, TimestampMixin, db.Model):
    """The auditor's judgement that a control objective was not achieved, and why.

    A test concluded material makes its objective not achieved without a row; the row lets the
    auditor mark one not achieved on other grounds, choose the criterion it affects, and word
    the deviation for the basis of the qualified opinion.
    """

    __tablename__ = "objective_opinion"
    __table_args__ = (UniqueConstraint("engagement_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("control_group.id"))
    achieved: Mapped[bool] = mapped_column(Boolean, default=True)
    criterion: Mapped[str] = mapped_column(String(1), default="c")  # b: design, c: operation
    reason_en: Mapped[str | None] = mapped_column(Text)
    reason_da: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    group: Mapped[ControlGroup] = relationship()


class IssuedReport(db.Model):
    """The PDF rendered once at issue, kept in the evidence store; downloads serve these bytes."""

    __tablename__ = "issued_report"
    __table_args__ = (UniqueConstraint("engagement_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
