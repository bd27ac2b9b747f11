"""Governing documents: the register, versions kept as evidence, reviews and approvals.

The rules of the policy (§5, §8, §15): the information security policy is approved by top
management and reviewed at least yearly; a major change to the handbook needs the security
committee's approval before the new version becomes current; top management's yearly decision
on the security level is a review of its own kind. The next review is due the approval date
plus the interval (`rules.next_review_due`, end of month clamped).

Files (a version, the minutes of an approval) are stored through the evidence service, so
they are evidence of the document's controls and re-hashed on every download. That service
commits its own unit of work, so everything is validated first and a refused write stores
nothing; only a database failure between the two commits could leave an evidence item behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth import scope
from ..auth.permissions import Permission, can, require
from ..catalogue.models import Control
from ..db import utcnow
from ..errors import Conflict, Forbidden, NotFound
from ..ledger.service import append
from . import rules
from .common import (
    MAX_NAME,
    MAX_TITLE,
    N_,
    Page,
    Settings,
    Upload,
    choice,
    conflict,
    controls,
    day,
    fresh,
    invalid,
    paged,
    person,
    stored_minutes,
    text,
    unit_of_work,
    visible,
)
from .models.documents import (
    DocumentKind,
    DocumentReview,
    DocumentStatus,
    DocumentVersion,
    GoverningDocument,
    Outcome,
    ReviewKind,
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


@dataclass(frozen=True)
class ReviewDetails:
    """A review and, optionally, its approval."""

    reviewed_on: date | None
    outcome: str
    kind: str = ReviewKind.REVIEW.value
    reviewer_id: int | None = None
    notes: str | None = None
    version_id: int | None = None
    approval_body: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None


@dataclass
class _Approval:
    body: str
    by: str
    on: date


# -- permissions ------------------------------------------------------------------------------

def can_review(actor, document: GoverningDocument) -> bool:
    """Coordinators and admins review any document; control owners the documents they own."""
    if can(actor, Permission.MANAGE_GOVERNANCE):
        return True
    return can(actor, Permission.REVIEW_DOCUMENTS) and document.owner_id == getattr(
        actor, "id", None)


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


def _version_label(label: str | None) -> str:
    return text(label, "label", required=N_("Give the version a label, e.g. 7.0."), limit=40,
                single_line=True)


def _approval(details: ReviewDetails, reviewed_on: date, today: date) -> _Approval | None:
    given = [details.approval_body, (details.approved_by or "").strip(), details.approved_on]
    if not any(given):
        return None
    body = choice(details.approval_body, "approval_body", rules.Body,
                  N_("Choose the body that approved."))
    by = text(details.approved_by, "approved_by", required=N_("Give who approved."),
              limit=MAX_NAME, single_line=True)
    on = day(details.approved_on, "approved_on", required=N_("Give the date of the approval."),
             not_after=today)
    if on < reviewed_on:
        raise invalid("approved_on", N_("The approval cannot come before the review."))
    return _Approval(body, by, on)


# -- writing ----------------------------------------------------------------------------------

def create_document(session: Session, actor, settings: Settings, details: DocumentDetails, *,
                    today: date, upload: Upload | None = None, label: str | None = None
                    ) -> GoverningDocument:
    """Register a document; with a file, its version in force is stored as evidence.

    The next review is due the interval after the last approval (default: today).
    """
    require(actor, Permission.MANAGE_GOVERNANCE)
    values = _check_document(session, details, today)
    label = _version_label(label) if upload is not None else None
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


def add_version(session: Session, actor, settings: Settings, document: GoverningDocument,
                upload: Upload | None, *, label: str | None, change: str,
                summary: str | None, today: date) -> DocumentVersion:
    """Store a proposed new version as evidence; it becomes current by `make_current`."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    if document.status != DocumentStatus.ACTIVE:
        raise Conflict("The document is withdrawn; it takes no new versions.")
    label = _version_label(label)
    change = choice(change, "change", (rules.Change.MAJOR, rules.Change.MINOR),
                    N_("Say whether the change is major or minor."))
    summary = text(summary, "summary", required=N_("Say what changed."))
    if upload is None:
        raise invalid("file", N_("Choose the file of the new version."))
    if any(v.label == label for v in document.versions):
        raise invalid("label", N_("The document already has a version %(label)s."), label=label)
    evidence = stored_minutes(session, actor, settings, upload, f"{document.title} {label}",
                              today, [c.key for c in document.controls])
    number = max((v.number for v in document.versions), default=0) + 1
    row = DocumentVersion(number=number, label=label, change=change, summary=summary,
                          evidence=evidence, status=VersionStatus.PROPOSED.value,
                          created_by_id=getattr(actor, "id", None))
    with unit_of_work(session):
        document.versions.insert(0, row)
        session.flush()
        append(session, actor, "document.version_added", document, {
            "version": label, "change": change, "evidence": evidence.id,
            "sha256": evidence.current_version.sha256})
    return row


def _approving_review(document: GoverningDocument, version: DocumentVersion,
                      needed: str) -> DocumentReview | None:
    return next((r for r in document.reviews if r.version_id == version.id and r.is_approved
                 and rules.outranks(r.approval_body, needed)), None)


def _make_current(session: Session, actor, document: GoverningDocument,
                  version: DocumentVersion, on: date) -> None:
    in_scope = document.in_handbook or document.kind == DocumentKind.POLICY
    needed = rules.approval_needed(document.kind, version.change) if in_scope else None
    if needed is not None and _approving_review(document, version, needed) is None:
        if needed == rules.Body.TOP_MANAGEMENT:
            raise conflict(N_("Version %(label)s must be approved by top management before it "
                              "can become current. Record that approval as a review of this "
                              "version first."), label=version.label)
        raise conflict(N_("Version %(label)s is a major change: it must be approved by the "
                          "security committee before it can become current. Record that "
                          "approval as a review of this version first."), label=version.label)
    for other in document.versions:
        if other.status == VersionStatus.CURRENT:
            other.status = VersionStatus.SUPERSEDED.value
    version.status = VersionStatus.CURRENT.value
    version.effective_on = on
    append(session, actor, "document.version_current", document, {
        "version": version.label, "change": version.change, "effective_on": on})


def make_current(session: Session, actor, document: GoverningDocument, version_id: int,
                 version: int | None, *, today: date) -> DocumentVersion:
    """Put a proposed version in force, if its change needs no approval or has one."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(document, version)
    row = next((v for v in document.versions if v.id == version_id), None)
    if row is None:
        raise NotFound("No such version of this document.")
    if row.status != VersionStatus.PROPOSED:
        raise Conflict(f"Version {row.label} is already {row.status}.")
    with unit_of_work(session):
        _make_current(session, actor, document, row, today)
        document.updated_at = utcnow()  # bumps the optimistic-lock version
    return row


def _check_review(session: Session, actor, document: GoverningDocument,
                  details: ReviewDetails, today: date):
    if not can_review(actor, document):
        raise Forbidden("Only the document's owner, a coordinator or an administrator may "
                        "record its reviews.")
    if document.status != DocumentStatus.ACTIVE:
        raise Conflict("The document is withdrawn.")
    kind = choice(details.kind, "kind", ReviewKind, N_("Choose a review or a security-level "
                                                       "decision."))
    reviewed_on = day(details.reviewed_on, "reviewed_on", required=N_("Give the date of the "
                                                                      "review."),
                      not_after=today)
    outcome = choice(details.outcome, "outcome", Outcome, N_("Choose the outcome."))
    reviewer = person(session, details.reviewer_id, "reviewer_id", required=False)
    approval = _approval(details, reviewed_on, today)
    if approval is not None and not can(actor, Permission.MANAGE_GOVERNANCE):
        raise Forbidden("Approvals are recorded by a coordinator, with the minutes.")
    required_body = document.approving_body
    if kind == ReviewKind.SECURITY_LEVEL:
        if document.kind != DocumentKind.POLICY:
            raise invalid("kind", N_("The security level is decided on the information "
                                     "security policy."))
        required_body = rules.Body.TOP_MANAGEMENT
        if approval is None:
            raise invalid("approval_body", N_("The security level is decided by top "
                                              "management: record the decision."))
    if approval is not None and not rules.outranks(approval.body, required_body):
        raise invalid("approval_body", N_("This needs approval by a body at least as high as "
                                          "the one that approves the document."))
    version = None
    if details.version_id:
        version = next((v for v in document.versions if v.id == details.version_id), None)
        if version is None or version.status != VersionStatus.PROPOSED:
            raise invalid("version_id", N_("Choose a proposed version of this document."))
        if outcome != Outcome.UPDATED:
            raise invalid("outcome", N_("A review that approves a new version has the outcome "
                                        "“updated”."))
    return kind, reviewed_on, outcome, reviewer, approval, version


def _apply_approval(session: Session, actor, document: GoverningDocument,
                    review: DocumentReview, approval: _Approval, minutes) -> None:
    review.approval_body, review.approved_by, review.approved_on = (
        approval.body, approval.by, approval.on)
    review.minutes = minutes
    if review.kind == ReviewKind.SECURITY_LEVEL:
        document.security_level_due = rules.add_months(approval.on, 12)
    elif review.outcome != Outcome.WITHDRAWN:
        document.last_approved_on = approval.on
        document.next_review_due = rules.next_review_due(approval.on,
                                                         document.review_interval_months)
    version = review.version
    if version is not None and version.status == VersionStatus.PROPOSED:
        needed = rules.approval_needed(document.kind, version.change)
        if needed is None or rules.outranks(approval.body, needed):
            session.flush()
            _make_current(session, actor, document, version, approval.on)


def record_review(session: Session, actor, settings: Settings, document: GoverningDocument,
                  details: ReviewDetails, *, today: date, minutes: Upload | None = None
                  ) -> DocumentReview:
    """Record a review, and with an approval move the next due date.

    An approved new version becomes current; "withdrawn" takes the document out of force.
    """
    require(actor, Permission.REVIEW_DOCUMENTS)
    kind, reviewed_on, outcome, reviewer, approval, version = _check_review(
        session, actor, document, details, today)
    if minutes is not None and approval is None:
        raise invalid("approval_body", N_("Minutes belong to an approval: record who approved "
                                          "and when."))
    stored = stored_minutes(session, actor, settings, minutes,
                            f"Minutes: {document.title} ({approval.on if approval else ''})",
                            approval.on if approval else reviewed_on,
                            [c.key for c in document.controls])
    review = DocumentReview(kind=kind, reviewed_on=reviewed_on, outcome=outcome,
                            reviewer_id=reviewer.id if reviewer else getattr(actor, "id", None),
                            notes=text(details.notes, "notes"), version=version,
                            created_by_id=getattr(actor, "id", None))
    with unit_of_work(session):
        document.reviews.insert(0, review)
        if outcome == Outcome.WITHDRAWN:
            document.status = DocumentStatus.WITHDRAWN.value
            document.withdrawn_on = reviewed_on
            document.next_review_due = document.security_level_due = None
        if approval is not None:
            _apply_approval(session, actor, document, review, approval, stored)
        document.updated_at = utcnow()
        session.flush()
        append(session, actor, "document.reviewed", document, {
            "review": review.id, "kind": kind, "reviewed_on": reviewed_on, "outcome": outcome,
            "version": version.label if version else None,
            "approval": [approval.body, approval.by, approval.on] if approval else None,
            "minutes": stored.id if stored else None,
            "next_review_due": document.next_review_due})
    return review


def approve_review(session: Session, actor, settings: Settings, review: DocumentReview,
                   details: ReviewDetails, *, today: date, minutes: Upload | None = None
                   ) -> DocumentReview:
    """Record the approval of a review made earlier (body, by whom, date, minutes)."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    document = review.document
    if review.is_approved:
        raise Conflict("This review is already approved.")
    approval = _approval(details, review.reviewed_on, today)
    if approval is None:
        raise invalid("approval_body", N_("Choose the body that approved."))
    required_body = (rules.Body.TOP_MANAGEMENT if review.kind == ReviewKind.SECURITY_LEVEL
                     else document.approving_body)
    if not rules.outranks(approval.body, required_body):
        raise invalid("approval_body", N_("This needs approval by a body at least as high as "
                                          "the one that approves the document."))
    stored = stored_minutes(session, actor, settings, minutes,
                            f"Minutes: {document.title} ({approval.on})", approval.on,
                            [c.key for c in document.controls])
    with unit_of_work(session):
        _apply_approval(session, actor, document, review, approval, stored)
        document.updated_at = utcnow()
        session.flush()
        append(session, actor, "document.review_approved", document, {
            "review": review.id, "approval": [approval.body, approval.by, approval.on],
            "minutes": stored.id if stored else None,
            "next_review_due": document.next_review_due})
    return review


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


def visible_reviews(session: Session, actor, document: GoverningDocument) -> list:
    """The document's reviews the actor may see (external auditors: in their periods)."""
    periods = scope.engagement_periods(session, actor)
    return [r for r in document.reviews if scope.touches(periods, r.reviewed_on)]


def get_review(session: Session, actor, review_id: int) -> DocumentReview:
    """One review with its document, or NotFound."""
    require(actor, Permission.VIEW_GOVERNANCE)
    review = session.get(DocumentReview, review_id)
    if review is None:
        raise NotFound("No such review.")
    periods = scope.engagement_periods(session, actor)
    visible(periods, review.reviewed_on)
    return review


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
    from ..auth.models import User
    from .common import OWNER_ROLES

    return list(session.scalars(select(User).where(
        User.active, User.role.in_([r.value for r in OWNER_ROLES])).order_by(User.name)))
