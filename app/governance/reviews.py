"""Versions and reviews of governing documents, and the approval rules of the policy.

A review records its date, reviewer and outcome and, once given, its approval (body, by whom,
date, minutes as evidence); an approval moves the next review to the approval date plus the
interval (`rules.next_review_due`). A new version is stored as evidence and stays proposed
until it may become current: the information security policy only with top management's
approval, a major change to the rest of the handbook only with the security committee's
(§5, §15); minor changes at once. Top management's yearly decision on the security level is a
review of its own kind. Files go through the evidence service, which commits its own unit of
work: everything is validated first, so a refused write stores nothing.
"""


from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..auth import scope
from ..auth.permissions import Permission, can, require
from ..db import utcnow
from ..errors import Conflict, Forbidden, NotFound
from ..ledger.service import append
from . import rules
from .common import (
    MAX_NAME,
    N_,
    Settings,
    Upload,
    choice,
    conflict,
    day,
    fresh,
    invalid,
    person,
    stored_minutes,
    text,
    unit_of_work,
    version_label,
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
)


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


# -- versions and reviews ------------------------------------------------------------------

def add_version(session: Session, actor, settings: Settings, document: GoverningDocument,
                upload: Upload | None, *, label: str | None, change: str,
                summary: str | None, today: date) -> DocumentVersion:
    """Store a proposed new version as evidence; it becomes current by `make_current`."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    if document.status != DocumentStatus.ACTIVE:
        raise Conflict("The document is withdrawn; it takes no new versions.")
    label = version_label(label)
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


