"""Governing documents: the register, its filters and due lists, and the reads pages need.

The policy (§5, §15) wants the information security policy approved by top management and
reviewed at least yearly: a policy must have top management as its approving body and an
interval of at most 12 months. The next review is due the last approval plus the interval
(`rules.next_review_due`, end of month clamped); versions and reviews are in `reviews.py`.
The version in force at registration is stored through the evidence service (so it is
re-hashed on every download); everything is validated before that file is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth import scope
from ..auth.people import active_users
from ..auth.permissions import Permission, require
from ..catalogue.models import Control
from ..errors import NotFound
from ..ledger.service import append
from . import rules
from .common import (
    MAX_TITLE,
    N_,
    Page,
    Settings,
    Upload,
    choice,
    controls,
    day,
    fresh,
    invalid,
    paged,
    person,
    stored_minutes,
    text,
    unit_of_work,
    version_label,
)
from .models.documents import (
    DocumentKind,
    DocumentReview,
    DocumentStatus,
    DocumentVersion,
    GoverningDocument,
    VersionStatus,
    document_control,
)

SORTS = {"title": GoverningDocument.title, "kind": GoverningDocument.kind,
         "due": GoverningDocument.next_review_due, "updated": GoverningDocument.updated_at}


@dataclass(frozen=True)
class DocumentDetails:
    """What is said about a document, by a form or an API client."""

    title: str
    kind: str
    owner_id: int | None
    approving_body: str
    review_interval_months: int | None = rules.DEFAULT_INTERVAL_MONTHS
    controls: Sequence[str] | str = ()
    description: str | None = None
    in_handbook: bool = True
    approved_on: date | None = None  # when the version in force was last approved


# -- checks -----------------------------------------------------------------------------------

def _check_document(session: Session, details: DocumentDetails, today: date,
                    existing: GoverningDocument | None = None) -> dict:
    title = text(details.title, "title", required=N_("Give the document a title."),
                 limit=MAX_TITLE, single_line=True)
    kind = choice(details.kind, "kind", DocumentKind, N_("Choose policy, guideline, procedure "
                                                        "or plan."))
    body = choice(details.approving_body, "approving_body", rules.Body,
                  N_("Choose who approves the document."))
    if kind == DocumentKind.POLICY and body != rules.Body.TOP_MANAGEMENT:
        raise invalid("approving_body", N_("The information security policy is approved by top "
                                           "management."))
    interval = details.review_interval_months or rules.DEFAULT_INTERVAL_MONTHS
    if not 1 <= interval <= rules.MAX_INTERVAL_MONTHS:
        raise invalid("review_interval_months", N_("Give an interval of 1 to %(max)d months."),
                      max=rules.MAX_INTERVAL_MONTHS)
    if kind == DocumentKind.POLICY and interval > 12:
        raise invalid("review_interval_months", N_("The policy is reviewed at least once a "
                                                   "year: at most 12 months."))
    owner = person(session, details.owner_id, "owner_id")
    linked = controls(session, details.controls, required=True,
                      keep=existing.controls if existing else ())
    approved_on = day(details.approved_on, "approved_on", not_after=today)
    return {"title": title, "kind": kind, "approving_body": body,
            "review_interval_months": interval, "owner_id": owner.id, "controls": linked,
            "description": text(details.description, "description"),
            "in_handbook": bool(details.in_handbook), "approved_on": approved_on}


# -- writing ----------------------------------------------------------------------------------

def create_document(session: Session, actor, settings: Settings, details: DocumentDetails, *,
                    today: date, upload: Upload | None = None, label: str | None = None
                    ) -> GoverningDocument:
    """Register a document; with a file, its version in force is stored as evidence.

    The next review is due the interval after the last approval (default: today).
    """
    require(actor, Permission.MANAGE_GOVERNANCE)
    values = _check_document(session, details, today)
    label = version_label(label) if upload is not None else None
    start = values.pop("approved_on") or today
    evidence = stored_minutes(session, actor, settings, upload, f"{values['title']} {label}",
                              start, [c.key for c in values["controls"]])
    document = GoverningDocument(
        **values, effective_from=start,
        last_approved_on=details.approved_on,
        next_review_due=rules.next_review_due(start, values["review_interval_months"]),
        security_level_due=rules.add_months(start, 12) if values["kind"] == "policy" else None,
        created_by_id=getattr(actor, "id", None))
    if evidence is not None:
        document.versions.append(DocumentVersion(
            number=1, label=label, change=rules.Change.INITIAL.value, evidence=evidence,
            status=VersionStatus.CURRENT.value, effective_on=start,
            created_by_id=getattr(actor, "id", None)))
    with unit_of_work(session):
        session.add(document)
        append(session, actor, "document.created", document, {
            "title": document.title, "kind": document.kind, "owner": document.owner_id,
            "approving_body": document.approving_body,
            "interval": document.review_interval_months,
            "controls": [c.key for c in document.controls],
            "next_review_due": document.next_review_due,
            "version": evidence.id if evidence is not None else None})
    return document


def update_document(session: Session, actor, document: GoverningDocument,
                    details: DocumentDetails, version: int, *, today: date) -> GoverningDocument:
    """Change what is said about a document; a new interval moves the next due date."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(document, version)
    values = _check_document(session, details, today, existing=document)
    values.pop("approved_on")
    linked = values.pop("controls")
    changes = {name: [getattr(document, name), value] for name, value in values.items()
               if getattr(document, name) != value}
    before, after = [c.key for c in document.controls], [c.key for c in linked]
    if sorted(before) != sorted(after):
        changes["controls"] = [before, after]
    if not changes:
        return document
    with unit_of_work(session):
        for name, value in values.items():
            setattr(document, name, value)
        document.controls = linked
        if "review_interval_months" in changes and document.status == DocumentStatus.ACTIVE:
            document.next_review_due = rules.next_review_due(
                document.last_approved_on or document.effective_from,
                document.review_interval_months)
            changes["next_review_due"] = document.next_review_due
        append(session, actor, "document.updated", document, changes)
    return document


# -- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentFilter:
    """Filters of the document list and the API; all optional."""

    kind: str | None = None
    body: str | None = None
    status: str | None = None
    due: str | None = None  # overdue, due_soon
    due_before: date | None = None
    owner_id: int | None = None
    control: str | None = None
    q: str | None = None


def _scoped(session: Session, actor):
    periods = scope.engagement_periods(session, actor)
    return periods, select(GoverningDocument).where(scope.in_periods(
        periods, GoverningDocument.effective_from, GoverningDocument.withdrawn_on))


def list_documents(session: Session, actor, filters: DocumentFilter, page: Page, *,
                   today: date, warning_days: int) -> tuple[list[GoverningDocument], int]:
    """One page of documents the actor may see, and how many match: a fixed number of queries."""
    require(actor, Permission.VIEW_GOVERNANCE)
    _periods, query = _scoped(session, actor)
    due = GoverningDocument.next_review_due
    if filters.kind:
        query = query.where(GoverningDocument.kind == filters.kind)
    if filters.body:
        query = query.where(GoverningDocument.approving_body == filters.body)
    if filters.status:
        query = query.where(GoverningDocument.status == filters.status)
    if filters.owner_id:
        query = query.where(GoverningDocument.owner_id == filters.owner_id)
    if filters.due == "overdue":
        query = query.where(due < today)
    elif filters.due == "due_soon":
        query = query.where(due >= today, due <= today + timedelta(days=warning_days))
    if filters.due_before:
        query = query.where(due < filters.due_before)
    if filters.control:
        query = query.where(GoverningDocument.id.in_(
            select(document_control.c.document_id).join(
                Control, Control.id == document_control.c.control_id)
            .where(Control.key == filters.control)))
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(or_(GoverningDocument.title.ilike(pattern),
                                GoverningDocument.description.ilike(pattern)))
    column = SORTS.get(page.sort or "due", GoverningDocument.next_review_due)
    order = [column.desc() if page.descending else column.asc(), GoverningDocument.id]
    if column is due:
        order.insert(0, due.is_(None))  # withdrawn documents (no due date) last
    return paged(session, query.options(
        joinedload(GoverningDocument.owner),
        selectinload(GoverningDocument.controls).joinedload(Control.catalogue),
        selectinload(GoverningDocument.reviews),
        selectinload(GoverningDocument.versions)), page, order)


def get_document(session: Session, actor, document_id: int) -> GoverningDocument:
    """One document with its controls, versions (and their evidence) and reviews."""
    require(actor, Permission.VIEW_GOVERNANCE)
    periods, query = _scoped(session, actor)
    document = session.scalar(query.where(GoverningDocument.id == document_id).options(
        joinedload(GoverningDocument.owner), joinedload(GoverningDocument.created_by),
        selectinload(GoverningDocument.controls).joinedload(Control.catalogue),
        selectinload(GoverningDocument.versions).joinedload(DocumentVersion.evidence),
        selectinload(GoverningDocument.reviews).options(
            joinedload(DocumentReview.reviewer), joinedload(DocumentReview.minutes),
            joinedload(DocumentReview.version))))
    if document is None:
        raise NotFound("No such document.")
    return document


@dataclass(frozen=True)
class DueItem:
    """A document whose review (or security-level decision) is due soon or overdue."""

    document: GoverningDocument
    kind: str  # review or security_level
    due_on: date
    state: rules.DueState


def due_items(session: Session, actor, *, today: date, warning_days: int) -> list[DueItem]:
    """Reviews and security-level decisions overdue or due within `warning_days`, earliest first."""
    require(actor, Permission.VIEW_GOVERNANCE)
    _periods, query = _scoped(session, actor)
    horizon = today + timedelta(days=warning_days)
    documents = session.scalars(query.where(
        GoverningDocument.status == DocumentStatus.ACTIVE,
        or_(GoverningDocument.next_review_due <= horizon,
            GoverningDocument.security_level_due <= horizon)).options(
        joinedload(GoverningDocument.owner)))
    items = []
    for document in documents:
        for kind, due in (("review", document.next_review_due),
                          ("security_level", document.security_level_due)):
            state = rules.due_state(due, today, warning_days)
            if state in (rules.DueState.OVERDUE, rules.DueState.DUE_SOON):
                items.append(DueItem(document, kind, due, state))
    return sorted(items, key=lambda item: (item.due_on, item.document.title))


def documents_for_control(session: Session, actor, control_id: int) -> list[GoverningDocument]:
    """Documents linked to a control, with their reviews (the latest shows on its page)."""
    require(actor, Permission.VIEW_GOVERNANCE)
    _periods, query = _scoped(session, actor)
    return list(session.scalars(query.where(GoverningDocument.id.in_(
        select(document_control.c.document_id).where(
            document_control.c.control_id == control_id))).options(
        joinedload(GoverningDocument.owner),
        selectinload(GoverningDocument.reviews).joinedload(DocumentReview.minutes))
        .order_by(GoverningDocument.title)))


def possible_owners(session: Session) -> list:
    """Active users who may own register entries, by name."""
    from .common import OWNER_ROLES

    return active_users(session, OWNER_ROLES)
