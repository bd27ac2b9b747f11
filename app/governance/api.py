"""Governance in the JSON API: documents and reviews, adoptions, risks, dispensations.

Routes join the "api" blueprint (bearer tokens, no cookies, no CSRF) through typed operations
(`api.spec.operation`): the pydantic models below parse requests, shape responses and make the
OpenAPI document. Dates are ISO dates; instants carry their offset (shown in
KONTROL_TIMEZONE). `register_blueprints` imports this module before registering that blueprint.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from ..api.spec import ApiModel, Id, QueryModel, operation
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission
from ..db import utcnow
from ..errors import Conflict
from ..extensions import db
from ..time import local_today
from . import adoptions, dispensations, documents, reviews, risks, rules
from .common import Page, person_by_email
from .views import settings

Kind = Literal["policy", "guideline", "procedure", "plan"]
BodyName = Literal["top_management", "security_committee", "it_security_group"]
OutcomeName = Literal["no_change", "updated", "withdrawn"]
StatusName = Literal["draft", "risk_assessed", "impact_analysed", "presented", "approved",
                     "rejected", "in_use"]
CategoryName = Literal["cloud_service", "ai_solution", "internet_service", "data_sharing",
                       "new_method"]
Email = Field(min_length=3, max_length=254, description="The owner's e-mail address")


def _instant(value: datetime | None) -> datetime | None:
    return value.astimezone(settings().zone) if value is not None else None


# -- documents --------------------------------------------------------------------------------

class DocumentIn(ApiModel):
    """A governing document to register."""

    title: str = Field(min_length=1, max_length=300)
    kind: Kind
    owner: str = Email
    approving_body: BodyName
    review_interval_months: int = Field(12, ge=1, le=60)
    controls: list[Annotated[str, Field(max_length=160)]] = Field(
        min_length=1, max_length=200, description="Control keys, e.g. iso27001-2022:A.5.1")
    description: str | None = Field(None, max_length=20_000)
    in_handbook: bool = True
    approved_on: date | None = Field(None, description="When the version in force was last "
                                                       "approved (default: today)")


class ReviewIn(ApiModel):
    """A review and, optionally, its approval."""

    reviewed_on: date
    outcome: OutcomeName
    approved_by: str | None = Field(None, max_length=200)
    approved_on: date | None = None
    approval_body: BodyName | None = Field(
        None, description="Default: the document's approving body, when approved_by is given")
    kind: Literal["review", "security_level"] = "review"
    notes: str | None = Field(None, max_length=20_000)


class ReviewOut(ApiModel):
    """A recorded review."""

    id: int
    kind: str
    reviewed_on: date
    outcome: str
    approval_body: str | None
    approved_by: str | None
    approved_on: date | None

    @classmethod
    def of(cls, review) -> ReviewOut:
        """The API's view of a review."""
        return cls(id=review.id, kind=review.kind, reviewed_on=review.reviewed_on,
                   outcome=review.outcome, approval_body=review.approval_body,
                   approved_by=review.approved_by, approved_on=review.approved_on)


class ReviewCreated(ReviewOut):
    """The new review and where it leaves the document's cycle."""

    next_review_due: date | None


class VersionOut(ApiModel):
    """The version in force; its file is evidence (download it there, SHA-256 checked)."""

    label: str
    evidence_id: int
    effective_on: date | None


class DocumentOut(ApiModel):
    """A governing document with its review cycle and reviews, newest first."""

    id: int
    title: str
    kind: str
    owner: str
    approving_body: str
    review_interval_months: int
    controls: list[str]
    status: str
    last_approved_on: date | None
    next_review_due: date | None
    security_level_due: date | None
    current_version: VersionOut | None
    reviews: list[ReviewOut]

    @classmethod
    def of(cls, document, reviews=None) -> DocumentOut:
        """The API's view of a document."""
        current = document.current_version
        return cls(
            id=document.id, title=document.title, kind=document.kind,
            owner=document.owner.email, approving_body=document.approving_body,
            review_interval_months=document.review_interval_months,
            controls=[c.key for c in document.controls], status=document.status,
            last_approved_on=document.last_approved_on,
            next_review_due=document.next_review_due,
            security_level_due=document.security_level_due,
            current_version=VersionOut(label=current.label, evidence_id=current.evidence_id,
                                       effective_on=current.effective_on) if current else None,
            reviews=[ReviewOut.of(r) for r in (document.reviews if reviews is None
                                               else reviews)])


class DocumentQuery(QueryModel):
    """Filters of the document list."""

    due_before: date | None = Field(None, description="Only documents whose next review is "
                                                      "due before this date")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class DocumentList(ApiModel):
    """One page of documents."""

    items: list[DocumentOut]
    total: int
    page: int
    per_page: int


@operation(bp, "POST", "/documents", Permission.MANAGE_GOVERNANCE, tag="governance",
           summary="Register a governing document", body=DocumentIn,
           responses={201: DocumentOut})
def create_document(body: DocumentIn):
    """Register a document; its next review is due the interval after its last approval."""
    owner = person_by_email(db.session, body.owner)
    document = documents.create_document(
        db.session, current_actor(), settings(), documents.DocumentDetails(
            title=body.title, kind=body.kind, owner_id=owner.id,
            approving_body=body.approving_body,
            review_interval_months=body.review_interval_months, controls=body.controls,
            description=body.description, in_handbook=body.in_handbook,
            approved_on=body.approved_on), today=local_today())
    return DocumentOut.of(document), 201


@operation(bp, "POST", "/documents/<int:document_id>/reviews", Permission.REVIEW_DOCUMENTS,
           tag="governance", summary="Record a review of a document", body=ReviewIn,
           responses={201: ReviewCreated}, errors=(404, 409))
def create_review(document_id: int, body: ReviewIn):
    """Record a review; with an approval, the document's next_review_due moves."""
    actor = current_actor()
    document = documents.get_document(db.session, actor, document_id)
    body_name = body.approval_body or (document.approving_body if (
        body.approved_by or body.approved_on) else None)
    review = reviews.record_review(db.session, actor, settings(), document,
                                     reviews.ReviewDetails(
                                         reviewed_on=body.reviewed_on, outcome=body.outcome,
                                         kind=body.kind, notes=body.notes,
                                         approval_body=body_name, approved_by=body.approved_by,
                                         approved_on=body.approved_on), today=local_today())
    return ReviewCreated(**ReviewOut.of(review).model_dump(),
                         next_review_due=document.next_review_due), 201


@operation(bp, "GET", "/documents/<int:document_id>", Permission.VIEW_GOVERNANCE,
           tag="governance", summary="One governing document with its reviews",
           responses={200: DocumentOut}, errors=(404,))
def show_document(document_id: int):
    """A document, its next_review_due and its reviews."""
    actor = current_actor()
    document = documents.get_document(db.session, actor, document_id)
    return DocumentOut.of(document, reviews.visible_reviews(db.session, actor, document))


@operation(bp, "GET", "/documents", Permission.VIEW_GOVERNANCE, tag="governance",
           summary="Governing documents, the next review due first", query=DocumentQuery,
           responses={200: DocumentList})
def list_documents(query: DocumentQuery):
    """Documents, optionally only those due before a date."""
    items, total = documents.list_documents(
        db.session, current_actor(), documents.DocumentFilter(due_before=query.due_before),
        Page(query.page, query.per_page), today=local_today(),
        warning_days=settings().warning_days)
    return DocumentList(items=[DocumentOut.of(d) for d in items], total=total,
                        page=query.page, per_page=query.per_page)


# -- technology adoptions ---------------------------------------------------------------------

class AdoptionIn(ApiModel):
    """New technology someone wants to take into use."""

    title: str = Field(min_length=1, max_length=300)
    categories: list[CategoryName] = Field(min_length=1, max_length=5)
    personal_data: bool = False
    owner: str = Email
    description: str | None = Field(None, max_length=20_000)


class AdoptionOut(ApiModel):
    """An adoption, where it stands in the gate and what is still missing before use."""

    id: int
    title: str
    categories: list[str]
    personal_data: bool
    owner: str
    status: str
    missing: list[str]

    @classmethod
    def of(cls, adoption) -> AdoptionOut:
        """The API's view of an adoption."""
        return cls(id=adoption.id, title=adoption.title, categories=adoption.categories,
                   personal_data=adoption.personal_data, owner=adoption.owner.email,
                   status=adoption.status, missing=[s.value for s in rules.missing_steps(
                       adoption.facts, rules.AdoptionStatus.IN_USE)])


class StatusIn(ApiModel):
    """The status asked for."""

    status: StatusName


class GateProblem(ApiModel):
    """The gate refused: `missing` lists the steps that must exist first (in order)."""

    status: int
    title: str
    detail: str
    missing: list[str]


@operation(bp, "POST", "/technology-adoptions", Permission.MANAGE_GOVERNANCE,
           tag="governance", summary="Register an adoption of new technology", body=AdoptionIn,
           responses={201: AdoptionOut})
def create_adoption(body: AdoptionIn):
    """Register new technology; it starts as a draft."""
    owner = person_by_email(db.session, body.owner)
    adoption = adoptions.create_adoption(db.session, current_actor(), adoptions.AdoptionDetails(
        title=body.title, categories=body.categories, personal_data=body.personal_data,
        owner_id=owner.id, description=body.description), today=local_today())
    return AdoptionOut.of(adoption), 201


@operation(bp, "POST", "/technology-adoptions/<int:adoption_id>/status",
           Permission.MANAGE_GOVERNANCE, tag="governance",
           summary="Move an adoption through the gate (e.g. to in_use)", body=StatusIn,
           responses={200: AdoptionOut, 409: GateProblem}, errors=(404,))
def set_adoption_status(adoption_id: int, body: StatusIn):
    """Refused with 409 and the missing steps until every earlier step exists."""
    adoption = adoptions.get_adoption(db.session, current_actor(), adoption_id)
    try:
        adoptions.set_status(db.session, current_actor(), adoption, body.status,
                             today=local_today())
    except Conflict as error:
        db.session.rollback()
        return GateProblem(status=409, title="Conflict", detail=error.message,
                           missing=list(getattr(error, "missing", []))), 409
    return AdoptionOut.of(adoption)


# -- risks ------------------------------------------------------------------------------------

class RiskQuery(QueryModel):
    """Filters of the risk register."""

    assessment: Id | None = None
    treatment: Literal["reduce", "accept", "transfer", "avoid"] | None = None
    level: Literal["low", "medium", "high", "critical"] | None = None
    acceptance: Literal["expired", "active"] | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class RiskOut(ApiModel):
    """A risk with its ratings before and after treatment."""

    id: int
    assessment_id: int
    assessment: str
    title: str
    threat: str
    vulnerability: str | None
    assets: str | None
    scale: int
    likelihood: int
    consequence: int
    inherent_level: str
    treatment: str
    residual_likelihood: int | None
    residual_consequence: int | None
    residual_level: str | None
    owner: str | None
    due_on: date | None
    controls: list[str]
    accepted_by: str | None
    accepted_on: date | None
    accepted_until: date | None
    acceptance_expired: bool


class RiskList(ApiModel):
    """One page of the risk register."""

    items: list[RiskOut]
    total: int
    page: int
    per_page: int


@operation(bp, "GET", "/risks", Permission.VIEW_GOVERNANCE, tag="governance",
           summary="The risk register, highest inherent score first", query=RiskQuery,
           responses={200: RiskList})
def list_risks(query: RiskQuery):
    """Risks of every assessment the token's user may see."""
    today = local_today()
    items, total = risks.list_risks(db.session, current_actor(), risks.RiskFilter(
        assessment_id=query.assessment, treatment=query.treatment, level=query.level,
        acceptance=query.acceptance), Page(query.page, query.per_page), today=today)
    return RiskList(items=[RiskOut(
        id=r.id, assessment_id=r.assessment_id, assessment=r.assessment.title, title=r.title,
        threat=r.threat, vulnerability=r.vulnerability, assets=r.assets,
        scale=r.assessment.scale, likelihood=r.likelihood, consequence=r.consequence,
        inherent_level=r.inherent_level.value, treatment=r.treatment,
        residual_likelihood=r.residual_likelihood,
        residual_consequence=r.residual_consequence,
        residual_level=r.residual_level.value if r.residual_level else None,
        owner=r.owner.email if r.owner else None, due_on=r.due_on,
        controls=[c.key for c in r.controls], accepted_by=r.accepted_by,
        accepted_on=r.accepted_on, accepted_until=r.accepted_until,
        acceptance_expired=rules.acceptance_expired(r.accepted_until, today))
        for r in items], total=total, page=query.page, per_page=query.per_page)


# -- dispensations ----------------------------------------------------------------------------

class DispensationIn(ApiModel):
    """A request for dispensation, or an emergency deviation decided on the spot."""

    requirement: str = Field(min_length=1, max_length=160,
                             description="A control key, or document:<id>")
    reason: str = Field(min_length=1, max_length=20_000)
    compensating_measures: str = Field(min_length=1, max_length=20_000)
    emergency: bool = False
    decided_at: AwareDatetime | None = Field(
        None, description="For an emergency: when it was decided (ISO 8601 with offset)")
    decided_by: str | None = Field(None, max_length=200,
                                   description="For an emergency: who decided (default: you)")
    valid_until: date | None = None
    title: str | None = Field(None, max_length=300)


class DecisionOut(ApiModel):
    """One decision of the chair."""

    outcome: str
    renewal: bool
    decided_by: str
    decided_on: date
    valid_from: date | None
    valid_until: date | None
    conditions: str | None


class DispensationOut(ApiModel):
    """A dispensation or emergency deviation and its decisions, newest first."""

    id: int
    requirement: str
    title: str
    status: str
    emergency: bool
    requested_on: date
    valid_from: date | None
    valid_until: date | None
    active: bool
    expired: bool
    decided_at: datetime | None
    report_due: datetime | None
    reported_at: datetime | None
    report_late: bool
    decisions: list[DecisionOut]

    @classmethod
    def of(cls, item, today: date, now: datetime) -> DispensationOut:
        """The API's view of a dispensation."""
        return cls(
            id=item.id, requirement=item.requirement, title=item.title, status=item.status,
            emergency=item.emergency, requested_on=item.requested_on,
            valid_from=item.valid_from, valid_until=item.valid_until,
            active=rules.is_active(item.status, item.valid_from, item.valid_until, today),
            expired=rules.is_expired(item.status, item.valid_until, today),
            decided_at=_instant(item.decided_at), report_due=_instant(item.report_due_at),
            reported_at=_instant(item.reported_at),
            report_late=rules.report_late(item.report_due_at, item.reported_at, now),
            decisions=[DecisionOut(outcome=d.outcome, renewal=d.renewal,
                                   decided_by=d.decided_by, decided_on=d.decided_on,
                                   valid_from=d.valid_from, valid_until=d.valid_until,
                                   conditions=d.conditions) for d in item.decisions])


class DispensationQuery(QueryModel):
    """Filters of the dispensation list."""

    expired: bool | None = Field(None, description="1: only those whose validity has run out")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class DispensationList(ApiModel):
    """One page of dispensations."""

    items: list[DispensationOut]
    total: int
    page: int
    per_page: int


@operation(bp, "POST", "/dispensations", Permission.MANAGE_GOVERNANCE, tag="governance",
           summary="Record a request for dispensation or an emergency deviation",
           body=DispensationIn, responses={201: DispensationOut})
def create_dispensation(body: DispensationIn):
    """An emergency deviation gets `report_due`: when it must have reached the chair."""
    actor = current_actor()
    item = dispensations.request_dispensation(db.session, actor, dispensations.DispensationDetails(
        requirement=body.requirement, reason=body.reason,
        compensating_measures=body.compensating_measures, title=body.title,
        desired_until=body.valid_until, emergency=body.emergency, decided_at=body.decided_at,
        decided_by=body.decided_by or getattr(actor, "name", None)), today=local_today(),
        report_days=settings().emergency_report_days)
    return DispensationOut.of(item, local_today(), utcnow()), 201


@operation(bp, "GET", "/dispensations", Permission.VIEW_GOVERNANCE, tag="governance",
           summary="Dispensations and emergency deviations", query=DispensationQuery,
           responses={200: DispensationList})
def list_dispensations(query: DispensationQuery):
    """Newest first; ?expired=1 for those whose validity has run out."""
    today, now = local_today(), utcnow()
    state = "expired" if query.expired else None
    items, total = dispensations.list_dispensations(
        db.session, current_actor(), dispensations.DispensationFilter(state=state),
        Page(query.page, query.per_page), today=today, now=now)
    return DispensationList(items=[DispensationOut.of(d, today, now) for d in items],
                            total=total, page=query.page, per_page=query.per_page)
