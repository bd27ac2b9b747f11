"""Catalogue API: /api/v1/catalogues, /api/v1/controls, /api/v1/controls/{key}."""

from __future__ import annotations

from datetime import date

from pydantic import Field, RootModel

from ..api.spec import ApiModel, QueryModel, operation
from ..api.views import bp
from ..auth.permissions import Permission
from ..extensions import db
from . import service
from .models import CatalogueKind, ImplementationStatus


class GroupOut(ApiModel):
    """A group of controls (a theme or an objective)."""

    id: str
    title: str
    title_da: str | None


class CatalogueOut(ApiModel):
    """A loaded catalogue with its groups and number of controls."""

    id: str = Field(description="The catalogue's slug, e.g. isae3000-gdpr")
    kind: CatalogueKind
    version: str | None
    title: str
    title_da: str | None
    controls: int
    groups: list[GroupOut]


class CatalogueList(RootModel[list[CatalogueOut]]):
    """Every loaded catalogue."""


class ControlSummary(ApiModel):
    """The fields every control listing carries."""

    key: str = Field(description="Stable key <catalogue>:<control id>",
                     examples=["iso27001-2022:A.5.1"])
    id: str = Field(description="The control id as the catalogue shows it, e.g. A.5.1")
    catalogue: str
    group: str
    title: str
    title_da: str | None
    frequency: str | None
    retired: bool

    @classmethod
    def of(cls, control) -> ControlSummary:
        """The summary of `control`."""
        return cls(**_summary(control))


def _summary(control) -> dict:
    return {"key": control.key, "id": control.code, "catalogue": control.catalogue.slug,
            "group": control.group.code, "title": control.title_en,
            "title_da": control.title_da, "frequency": control.frequency,
            "retired": control.is_retired}


class ControlList(RootModel[list[ControlSummary]]):
    """Controls in catalogue order."""


class TypicalEvidence(ApiModel):
    """One kind of evidence a control typically has, in both languages."""

    en: str
    da: str | None = None


class SoaOut(ApiModel):
    """The organisation's Statement of Applicability decision for a control."""

    applicable: bool | None
    justification: str | None
    status: ImplementationStatus | None
    last_reviewed_on: date | None
    version: int


class ControlDetail(ControlSummary):
    """One control with its texts, mappings (both directions), owner and SoA entry."""

    description: str | None
    description_da: str | None
    test_procedure: str | None
    test_procedure_da: str | None
    typical_evidence: list[TypicalEvidence]
    mappings: list[str] = Field(description="Keys of the controls mapped to this one")
    owner: str | None = Field(description="The owner's e-mail address")
    soa: SoaOut | None = Field(description="None for assurance activities, which have none")


class ControlQuery(QueryModel):
    """Filters of the control list."""

    catalogue: str | None = Field(None, max_length=64,
                                  description="catalogue id, e.g. isae3000-gdpr")
    group: str | None = Field(None, max_length=32, description="group id, e.g. B")
    q: str | None = Field(None, max_length=200,
                          description="search in ids, titles and descriptions")
    retired: bool = Field(False, description="true (or 1) to include retired controls")


@operation(bp, "GET", "/catalogues", Permission.VIEW_CATALOGUE, tag="catalogue",
           summary="Loaded catalogues with groups and control counts",
           responses={200: CatalogueList})
def list_catalogues():
    """Every loaded catalogue with its groups and number of controls."""
    counts = service.control_counts(db.session)
    return CatalogueList([CatalogueOut(
        id=c.slug, kind=c.kind, version=c.version, title=c.title_en, title_da=c.title_da,
        controls=counts.get(c.id, 0),
        groups=[GroupOut(id=g.code, title=g.title_en, title_da=g.title_da) for g in c.groups],
    ) for c in service.list_catalogues(db.session)])


@operation(bp, "GET", "/controls", Permission.VIEW_CATALOGUE, tag="catalogue",
           summary="Controls (filter by catalogue, group, search)", query=ControlQuery,
           responses={200: ControlList})
def list_controls(query: ControlQuery):
    """Controls, optionally of one catalogue and group, or matching a search."""
    filters = service.ControlFilter(
        catalogue=query.catalogue or None, group=query.group or None,
        q=(query.q or "").strip() or None, include_retired=query.retired)
    controls, _total = service.list_controls(db.session, filters, per_page=None)
    return ControlList([ControlSummary.of(c) for c in controls])


@operation(bp, "GET", "/controls/<key>", Permission.VIEW_CATALOGUE, tag="catalogue",
           summary="One control with mappings and SoA entry", responses={200: ControlDetail},
           errors=(404,))
def show_control(key: str):
    """One control with its texts, mappings (both directions), owner and SoA entry."""
    control = service.get_control(db.session, key)
    entry = control.soa_entry
    return ControlDetail(
        **_summary(control),
        description=control.description_en, description_da=control.description_da,
        test_procedure=control.test_procedure_en, test_procedure_da=control.test_procedure_da,
        typical_evidence=[TypicalEvidence(en=item["en"], da=item.get("da"))
                          for item in control.typical_evidence or []],
        mappings=[c.key for c in service.mapped_controls(control)],
        owner=control.owner.email if control.owner else None,
        soa=None if entry is None else SoaOut(
            applicable=entry.applicable, justification=entry.justification,
            status=entry.status, last_reviewed_on=entry.last_reviewed_on,
            version=entry.version))
