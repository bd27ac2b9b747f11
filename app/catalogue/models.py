"""Catalogues, their groups and controls, mappings between controls, and SoA entries."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import TimestampMixin, UTCDateTime, VersionedMixin
from ..extensions import db


class CatalogueKind(enum.StrEnum):
    """What a catalogue is for: SoA controls (standard, extension) or assurance activities."""

    STANDARD = "standard"
    EXTENSION = "extension"
    ASSURANCE = "assurance"


class ImplementationStatus(enum.StrEnum):
    """How far an applicable control is implemented."""

    PLANNED = "planned"
    PARTIAL = "partial"
    IMPLEMENTED = "implemented"


class Bilingual:
    """Models with `<field>_en` / `<field>_da` columns: `text("title", "da")` falls back to en."""

    def text(self, field: str, lang: str | None = "en") -> str | None:
        """The field in `lang`, falling back to English."""
        if lang and str(lang).startswith("da"):
            value = getattr(self, f"{field}_da", None)
            if value:
                return value
        return getattr(self, f"{field}_en")


class Catalogue(Bilingual, db.Model):
    """One loaded catalogue file, e.g. iso27001-2022."""

    __tablename__ = "catalogue"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[str | None] = mapped_column(String(32))
    title_en: Mapped[str] = mapped_column(String(300))
    title_da: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_da: Mapped[str | None] = mapped_column(Text)
    source_path: Mapped[str | None] = mapped_column(String(500))
    loaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set for catalogues imported from a CISO Assistant library: where they came from.
    library_urn: Mapped[str | None] = mapped_column(String(255), unique=True)
    provider: Mapped[str | None] = mapped_column(String(200))
    copyright: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(String(200))

    groups: Mapped[list[ControlGroup]] = relationship(
        back_populates="catalogue", order_by="ControlGroup.position",
        cascade="all, delete-orphan")
    controls: Mapped[list[Control]] = relationship(
        back_populates="catalogue", order_by="Control.position")

    @property
    def has_soa(self) -> bool:
        """Standard and extension catalogues make up the Statement of Applicability."""
        return self.kind in (CatalogueKind.STANDARD, CatalogueKind.EXTENSION)


class ControlGroup(Bilingual, db.Model):
    """A theme (Annex A 5–8) or control objective (ISAE A–I) within a catalogue."""

    __tablename__ = "control_group"
    __table_args__ = (UniqueConstraint("catalogue_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogue.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("control_group.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title_en: Mapped[str] = mapped_column(String(300))
    title_da: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_da: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    catalogue: Mapped[Catalogue] = relationship(back_populates="groups")
    parent: Mapped[ControlGroup | None] = relationship(remote_side=[id])

    @property
    def depth(self) -> int:
        """0 for a top-level group (parents come from the identity map once loaded)."""
        depth, group = 0, self
        while group.parent_id is not None and depth < 50:
            group, depth = group.parent, depth + 1
        return depth


class Control(Bilingual, VersionedMixin, db.Model):
    """A control or control activity; `key` (`<catalogue>:<id>`) is its stable identity."""

    __tablename__ = "control"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogue.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("control_group.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title_en: Mapped[str] = mapped_column(String(500))
    title_da: Mapped[str | None] = mapped_column(String(500))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_da: Mapped[str | None] = mapped_column(Text)
    test_procedure_en: Mapped[str | None] = mapped_column(Text)
    test_procedure_da: Mapped[str | None] = mapped_column(Text)
    test_performed_en: Mapped[str | None] = mapped_column(Text)  # past tense, for section 4
    test_performed_da: Mapped[str | None] = mapped_column(Text)
    frequency: Mapped[str | None] = mapped_column(String(32))
    typical_evidence: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    urn: Mapped[str | None] = mapped_column(String(255))  # from a CISO Assistant library

    catalogue: Mapped[Catalogue] = relationship(back_populates="controls")
    group: Mapped[ControlGroup] = relationship()
    owner: Mapped[User | None] = relationship()  # noqa: F821 - resolved by the registry
    soa_entry: Mapped[SoAEntry | None] = relationship(back_populates="control")
    outgoing: Mapped[list[ControlMapping]] = relationship(
        foreign_keys="ControlMapping.source_id", back_populates="source",
        cascade="all, delete-orphan")
    incoming: Mapped[list[ControlMapping]] = relationship(
        foreign_keys="ControlMapping.target_id", back_populates="target",
        cascade="all, delete-orphan")

    @property
    def is_retired(self) -> bool:
        """Gone from its catalogue file but kept because something refers to it."""
        return self.retired_at is not None

    def evidence_texts(self, lang: str) -> list[str]:
        """The typical evidence, in `lang`."""
        key = "da" if str(lang).startswith("da") else "en"
        return [item.get(key) or item["en"] for item in self.typical_evidence or []]


class ControlMapping(db.Model):
    """A relation between two controls.

    Written in the source control's catalogue file (`mapping_set` None), or imported from a
    CISO Assistant mapping set (its urn in `mapping_set`, with the relation and rationale).
    """

    __tablename__ = "control_mapping"
    __table_args__ = (UniqueConstraint("source_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    mapping_set: Mapped[str | None] = mapped_column(String(255), index=True)
    relation: Mapped[str | None] = mapped_column(String(16))  # equal, subset, superset, …
    rationale: Mapped[str | None] = mapped_column(String(200))

    source: Mapped[Control] = relationship(foreign_keys=[source_id], back_populates="outgoing")
    target: Mapped[Control] = relationship(foreign_keys=[target_id], back_populates="incoming")


class SoAEntry(VersionedMixin, TimestampMixin, db.Model):
    """The organisation's Statement-of-Applicability decision for one control."""

    __tablename__ = "soa_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), unique=True)
    applicable: Mapped[bool | None] = mapped_column()
    justification: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(16))
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)

    control: Mapped[Control] = relationship(back_populates="soa_entry")

    @property
    def is_decided(self) -> bool:
        """Whether applicability has been decided."""
        return self.applicable is not None


from ..auth.models import User  # noqa: E402  (for the owner relationship's annotation)
