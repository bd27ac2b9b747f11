"""What the OSCAL exports read, as plain data: the only module here that touches the models.

Each function loads what one document needs in a fixed number of queries. When the audit or
evidence models change, only these functions need to follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ...audits import service as audits
from ...audits.models import Deviation
from ...catalogue.models import Catalogue, Control, ControlGroup, SoAEntry
from ...errors import NotFound
from ...evidence.models import Evidence
from ...evidence.models import evidence_control as link
from ...evidence.service import readable_evidence
from ..models import IssuedReport, ObjectiveOpinion


@dataclass(frozen=True)
class GroupData:
    """A catalogue group, with its parent's code."""

    code: str
    parent: str | None
    title: str
    title_da: str | None
    description: str | None


@dataclass(frozen=True)
class ControlData:
    """A control as the exports show it."""

    key: str
    code: str
    group: str
    title: str
    title_da: str | None
    description: str | None
    retired: bool


@dataclass(frozen=True)
class CatalogueData:
    """A catalogue with its groups and controls in order."""

    slug: str
    kind: str
    title: str
    version: str | None
    loaded_at: datetime | None
    library_urn: str | None
    provider: str | None
    copyright: str | None
    licence: str | None
    groups: tuple[GroupData, ...]
    controls: tuple[ControlData, ...]

    @property
    def own_texts(self) -> bool:
        """Descriptions are exported only for catalogues written for Kontrol (YAML files)."""
        return self.library_urn is None


def catalogue(session: Session, slug: str) -> CatalogueData:
    """One catalogue by its id, or NotFound."""
    found = session.scalar(select(Catalogue).where(Catalogue.slug == slug).options(
        selectinload(Catalogue.groups), selectinload(Catalogue.controls)))
    if found is None:
        raise NotFound(f"No catalogue '{slug}'.")
    by_id = {group.id: group for group in found.groups}
    groups = tuple(GroupData(g.code, by_id[g.parent_id].code if g.parent_id else None,
                             g.title_en, g.title_da, g.description_en) for g in found.groups)
    controls = tuple(ControlData(c.key, c.code, by_id[c.group_id].code, c.title_en, c.title_da,
                                 c.description_en, c.retired_at is not None)
                     for c in found.controls)
    return CatalogueData(found.slug, found.kind, found.title_en, found.version, found.loaded_at,
                         found.library_urn, found.provider, found.copyright, found.licence,
                         groups, controls)


@dataclass(frozen=True)
class EvidenceFile:
    """One stored file version of an evidence item."""

    number: int
    sha256: str
    size: int
    filename: str
    content_type: str


@dataclass(frozen=True)
class EvidenceData:
    """An evidence item: a file (with versions), a link or a note."""

    id: int
    kind: str
    title: str
    description: str | None
    url: str | None
    period_start: date
    period_end: date
    files: tuple[EvidenceFile, ...]


@dataclass(frozen=True)
class SoARow:
    """One control of the Statement of Applicability and what hangs on it."""

    catalogue: str
    control: ControlData
    applicable: bool | None
    justification: str | None
    status: str | None
    owner: str | None
    reviewed_on: date | None
    changed_at: datetime | None
    evidence_ids: tuple[int, ...]


@dataclass(frozen=True)
class SoAData:
    """The SoA rows, the evidence they cite and the catalogues they come from."""

    rows: tuple[SoARow, ...]
    evidence: dict[int, EvidenceData]
    catalogues: tuple[str, ...]


def _evidence(session: Session, actor, evidence_ids) -> dict[int, EvidenceData]:
    items = session.scalars(readable_evidence(select(Evidence), actor).where(
        Evidence.id.in_(list(evidence_ids))).options(selectinload(Evidence.versions))
        .order_by(Evidence.id))
    return {e.id: EvidenceData(
        e.id, e.kind, e.title, e.description, e.url, e.period_start, e.period_end,
        tuple(EvidenceFile(v.number, v.sha256, v.size, v.filename, v.content_type)
              for v in sorted(e.versions, key=lambda v: v.number))) for e in items}


def soa(session: Session, actor) -> SoAData:
    """Every active control of the standard and extension catalogues with its SoA entry."""
    controls = list(session.scalars(
        select(Control).join(SoAEntry, SoAEntry.control_id == Control.id)
        .join(Catalogue, Control.catalogue_id == Catalogue.id)
        .join(ControlGroup, Control.group_id == ControlGroup.id)
        .where(Control.retired_at.is_(None))
        .options(joinedload(Control.soa_entry), joinedload(Control.owner),
                 joinedload(Control.group), joinedload(Control.catalogue))
        .order_by(Catalogue.slug, ControlGroup.position, Control.position)).unique())
    links: dict[int, list[int]] = {}
    for control_id, evidence_id in session.execute(
            select(link.c.control_id, link.c.evidence_id).where(
                link.c.control_id.in_([c.id for c in controls]))
            .order_by(link.c.evidence_id)):
        links.setdefault(control_id, []).append(evidence_id)
    evidence = _evidence(session, actor, {e for ids in links.values() for e in ids})
    rows = tuple(SoARow(
        c.catalogue.slug,
        ControlData(c.key, c.code, c.group.code, c.title_en, c.title_da, c.description_en,
                    False),
        c.soa_entry.applicable, c.soa_entry.justification, c.soa_entry.status,
        c.owner.name if c.owner else None, c.soa_entry.last_reviewed_on,
        c.soa_entry.updated_at, tuple(e for e in links.get(c.id, ()) if e in evidence))
        for c in controls)
    return SoAData(rows, evidence, tuple(sorted({row.catalogue for row in rows})))


@dataclass(frozen=True)
class SampleData:
    """A drawn sample: how it was drawn and what each item showed."""

    id: int
    seed: str
    population_fingerprint: str
    population_size: int
    size: int
    drawn_at: datetime
    items: tuple[tuple[int, str, str | None, int | None], ...]  # index, result, note, evidence


@dataclass(frozen=True)
class TestData:
    """One control test of an engagement."""

    id: int
    control: ControlData
    catalogue: str
    methods: tuple[str, ...]
    procedure: str | None  # the test as performed where recorded, else as planned
    conclusion: str
    result_text: str | None
    management_comment: str | None
    concluded_at: datetime | None
    updated_at: datetime
    samples: tuple[SampleData, ...]
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class DeviationData:
    """A finding raised in the engagement."""

    id: int
    test_id: int | None
    control_key: str
    title: str
    description: str
    severity: str
    status: str
    management_response: str | None
    created_at: datetime


@dataclass(frozen=True)
class OpinionData:
    """A control objective the auditor judged not achieved, with the reason."""

    group: str
    achieved: bool
    criterion: str
    reason: str | None


@dataclass(frozen=True)
class IssuedFile:
    """A report PDF frozen at issue (kept in the evidence store)."""

    lang: str
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True)
class EngagementData:
    """An engagement with its tests and findings."""

    id: int
    name: str
    kind: str
    status: str
    description: str | None
    covers_from: date
    covers_to: date
    updated_at: datetime
    issued_at: datetime | None
    team: tuple[str, ...]
    tests: tuple[TestData, ...]
    deviations: tuple[DeviationData, ...]
    evidence: dict[int, EvidenceData] = field(default_factory=dict)
    opinions: tuple[OpinionData, ...] = ()
    issued: tuple[IssuedFile, ...] = ()


def engagement(session: Session, actor, engagement_id: int) -> EngagementData:
    """An engagement the actor may see (NotFound or Forbidden otherwise)."""
    found = audits.get_engagement(session, actor, engagement_id)
    tests = audits.engagement_tests(session, found)
    deviations = list(session.scalars(
        select(Deviation).where(Deviation.engagement_id == found.id)
        .options(joinedload(Deviation.control)).order_by(Deviation.id)))
    evidence_ids = {item.evidence_id for test in tests for sample in test.samples
                    for item in sample.items if item.evidence_id}
    evidence = _evidence(session, actor, evidence_ids)
    opinions = session.scalars(select(ObjectiveOpinion).where(
        ObjectiveOpinion.engagement_id == found.id).options(joinedload(ObjectiveOpinion.group))
        .order_by(ObjectiveOpinion.id)).all()
    issued = session.scalars(select(IssuedReport).where(
        IssuedReport.engagement_id == found.id).order_by(IssuedReport.lang)).all()
    latest = session.scalar(select(func.max(Deviation.updated_at)).where(
        Deviation.engagement_id == found.id))
    changed = max([found.updated_at, latest or found.updated_at,
                   *(test.updated_at for test in tests)])
    return EngagementData(
        found.id, found.name, found.kind, found.status, found.description,
        found.covers_from, found.period_end, changed, found.issued_at,
        tuple(sorted(m.user.name for m in found.members)),
        tuple(TestData(
            t.id, _control(t.control), t.control.catalogue.slug, tuple(t.methods or ()),
            t.test_performed_en or t.procedure, t.conclusion, t.result_text_en,
            t.management_comment_en, t.concluded_at, t.updated_at,
            tuple(SampleData(s.id, s.seed, s.population_fingerprint, s.population_size, s.size,
                             s.created_at,
                             tuple((i.population_index, i.result, i.note,
                                    i.evidence_id if i.evidence_id in evidence else None)
                                   for i in s.items)) for s in t.samples),
            t.reviewed_at)
            for t in tests),
        tuple(DeviationData(d.id, d.test_id, d.control.key, d.title, d.description, d.severity,
                            d.status, d.management_response, d.created_at)
              for d in deviations),
        evidence,
        tuple(OpinionData(o.group.code, o.achieved, o.criterion, o.reason_en)
              for o in opinions),
        tuple(IssuedFile(r.lang, r.filename, r.sha256, r.size) for r in issued))


def _control(control: Control) -> ControlData:
    return ControlData(control.key, control.code, control.group.code, control.title_en,
                       control.title_da, control.description_en, control.retired_at is not None)
