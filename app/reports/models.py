"""The organisation profile that fills report texts, and auditor export bundles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audits.models import Engagement
from ..db import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from ..extensions import db


class OrganisationProfile(VersionedMixin, TimestampMixin, db.Model):
    """One row (id 1): who the organisation is and what it does, for report texts."""

    __tablename__ = "organisation_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    registration_no: Mapped[str | None] = mapped_column(String(32))  # CVR
    service_en: Mapped[str | None] = mapped_column(String(300))
    service_da: Mapped[str | None] = mapped_column(String(300))
    processing_en: Mapped[str | None] = mapped_column(Text)
    processing_da: Mapped[str | None] = mapped_column(Text)
    sub_processors: Mapped[str | None] = mapped_column(Text)  # one per line
    complementary_controls_en: Mapped[str | None] = mapped_column(Text)  # one per line
    complementary_controls_da: Mapped[str | None] = mapped_column(Text)
    auditor_firm: Mapped[str | None] = mapped_column(String(200))
    signatory: Mapped[str | None] = mapped_column(String(200))

    def text(self, field: str, lang: str) -> str:
        """A bilingual field in `lang`, falling back to English."""
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
