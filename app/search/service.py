"""Global search across the registers, through each domain's own list and read rules.

Every kind is searched by the function its own list page uses (with its permission check and,
for external auditors, the engagement scope of `app/auth/scope.py`), so search shows nothing
the lists would not. Each kind costs a fixed number of queries (a count and one page of
`LIMIT` hits), whatever the data holds; a kind the actor may not read is not asked at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from ..auth.permissions import Permission, can

LIMIT = 8  # hits shown per kind; the kind's list holds the rest
MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    """One result: what it is called, a line of detail, and where it lives."""

    title: str
    detail: str
    endpoint: str
    args: dict


@dataclass
class Group:
    """The hits of one kind, how many there are in all, and the list that holds them all."""

    kind: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    more_endpoint: str | None = None
    more_args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What the domains' list functions need beside the words."""

    today: date
    lang: str
    evidence_warning_days: int = 30
    review_warning_days: int = 30


def search(session: Session, actor, text: str, context: Context) -> list[Group]:
    """The kinds `actor` may read that match `text`, in a fixed order; empty kinds left out."""
    text = " ".join((text or "").replace("\x00", "").split())[:MAX_QUERY]
    if not text:
        return []
    groups = []
    for kind, permission, find in SEARCHES:
        if can(actor, permission):
            group = find(session, actor, text, context)
            group.kind = kind
            if group.total:
                groups.append(group)
    return groups


def _controls(session, actor, text, context) -> Group:
    from ..catalogue.service import ControlFilter, find_controls, list_controls

    exact = find_controls(session, text)
    controls, total = list_controls(session, ControlFilter(q=text), per_page=LIMIT)
    ordered = list(dict.fromkeys([*exact, *controls]))[:LIMIT]
    total = max(total, len(ordered))
    return Group("", [Hit(f"{c.code} {c.text('title', context.lang)}",
                          c.catalogue.text("title", context.lang), "catalogue.show_control",
                          {"key": c.key}) for c in ordered], total,
                 "catalogue.list_controls", {"q": text})


def _evidence(session, actor, text, context) -> Group:
    from ..evidence import queries

    items, total = queries.list_evidence(
        session, actor, queries.EvidenceFilter(q=text), today=context.today,
        warning_days=context.evidence_warning_days, per_page=LIMIT)
    return Group("", [Hit(e.title, ", ".join(c.code for c in e.controls),
                          "evidence.show_evidence", {"evidence_id": e.id}) for e in items],
                 total, "evidence.list_evidence", {"q": text})


def _findings(session, actor, text, context) -> Group:
    from ..audits import deviations

    items, total = deviations.list_deviations(
        session, actor, deviations.DeviationFilter(q=text), today=context.today,
        per_page=LIMIT)
    return Group("", [Hit(d.title, d.control.code if d.control else "",
                          "deviations.show_deviation", {"deviation_id": d.id}) for d in items],
                 total, "deviations.list_deviations", {"q": text})


def _engagements(session, actor, text, context) -> Group:
    from ..audits import service as audits

    words = text.casefold()
    matching = [e for e in audits.list_engagements(session, actor)
                if words in f"{e.name} {e.description or ''}".casefold()]
    return Group("", [Hit(e.name, f"{e.period_start:%Y}–{e.period_end:%Y}",
                          "audits.show_engagement", {"engagement_id": e.id})
                      for e in matching[:LIMIT]], len(matching), "audits.list_engagements", {})


def _documents(session, actor, text, context) -> Group:
    from ..governance import documents
    from ..governance.common import Page

    items, total = documents.list_documents(
        session, actor, documents.DocumentFilter(q=text), Page(per_page=LIMIT),
        today=context.today, warning_days=context.review_warning_days)
    return Group("", [Hit(d.title, d.owner.name if d.owner else "", "governance.show_document",
                          {"document_id": d.id}) for d in items],
                 total, "governance.list_documents", {"q": text})


def _subprocessors(session, actor, text, context) -> Group:
    from ..vendors import queries

    items, total = queries.list_subprocessors(
        session, actor, queries.RegisterFilter(q=text), today=context.today, per_page=LIMIT)
    return Group("", [Hit(sp.name, sp.registration_number or "", "vendors.show_subprocessor",
                          {"subprocessor_id": sp.id}) for sp in items],
                 total, "vendors.list_subprocessors", {"q": text})


def _incidents(session, actor, text, context) -> Group:
    from ..incidents import queries

    items, total = queries.list_incidents(session, actor, queries.IncidentFilter(q=text),
                                          per_page=LIMIT)
    return Group("", [Hit(i.title, f"#{i.id}", "incidents.show_incident",
                          {"incident_id": i.id}) for i in items],
                 total, "incidents.list_incidents", {"q": text})


SearchFunction = Callable[[Session, object, str, Context], Group]
# (kind, what reading it takes, how to search it), in the order results are shown.
SEARCHES: list[tuple[str, Permission, SearchFunction]] = [
    ("controls", Permission.VIEW_CATALOGUE, _controls),
    ("evidence", Permission.VIEW_EVIDENCE, _evidence),
    ("findings", Permission.VIEW_DEVIATIONS, _findings),
    ("engagements", Permission.VIEW_AUDITS, _engagements),
    ("documents", Permission.VIEW_GOVERNANCE, _documents),
    ("subprocessors", Permission.VIEW_SUBPROCESSORS, _subprocessors),
    ("incidents", Permission.VIEW_INCIDENTS, _incidents),
]
