"""Sub-processors in the JSON API: the register, statements and change notices.

Typed operations (app/api/spec.py) on the "api" blueprint; `register_blueprints` imports this
module before registering that blueprint. Rule violations come from the services as `Invalid`
and answer 422 naming the member (`transfer_basis`, `year`, `effective_on`…).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ..api.spec import ApiModel, Id, QueryModel, operation
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission
from ..extensions import db
from ..time import local_today
from . import follow_up, notices, queries, service
from .models import SubProcessor
from .views import context

Day = Field(description="An ISO date, e.g. 2026-03-31")
Code = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$",
             description="ISO 3166-1 alpha-2 country code, e.g. DK")


class SubProcessorIn(ApiModel):
    """A sub-processor to register; `transfer_basis` is needed for third countries."""

    name: str = Field(min_length=1, max_length=200)
    registration_number: str = Field(min_length=1, max_length=40)
    address: str | None = Field(None, max_length=500)
    country: str = Code
    countries: list[str] = Field(min_length=1, max_length=30)
    processing_da: str = Field(min_length=1, max_length=20_000)
    processing_en: str = Field(min_length=1, max_length=20_000)
    data_categories: list[str] = Field(min_length=1, max_length=30)
    approval: Literal["general", "specific"]
    controllers: list[str] = Field([], max_length=30)
    risk_rating: Literal["low", "medium", "high"]
    start_date: date
    end_date: date | None = None
    status: Literal["proposed", "active", "ended"] = "active"
    contact: str | None = Field(None, max_length=300)
    transfer_basis: Literal["adequacy", "scc", "bcr", "derogation"] | None = None
    scc_version: str | None = Field(None, max_length=32)
    transfer_note: str | None = Field(None, max_length=2000)


class TransferOut(ApiModel):
    """A transfer to a third country."""

    id: int
    country: str
    recipient: str
    basis: str
    scc_version: str | None
    note: str | None
    tia_evidence_id: int | None


class SubProcessorOut(ApiModel):
    """A register entry with its derived due dates."""

    id: int
    name: str
    registration_number: str
    address: str | None
    country: str
    countries: list[str]
    processing_da: str
    processing_en: str
    data_categories: list[str]
    approval: str
    controllers: list[str]
    risk_rating: str
    start_date: date
    end_date: date | None
    status: str
    contact: str | None
    transfers: list[TransferOut]
    next_statement_due: date | None = Field(description="31 December of the year after the "
                                            "earliest year of processing without a statement")
    next_follow_up_due: date | None
    statement_overdue: bool
    follow_up_overdue: bool

    @classmethod
    def of(cls, sp: SubProcessor, today: date) -> SubProcessorOut:
        """The API shape of `sp` (transfers loaded)."""
        return cls(**{name: getattr(sp, name) for name in (
            "id", "name", "registration_number", "address", "country", "countries",
            "processing_da", "processing_en", "data_categories", "approval", "controllers",
            "risk_rating", "start_date", "end_date", "status", "contact", "next_statement_due",
            "next_follow_up_due")},
            transfers=[TransferOut(id=t.id, country=t.country, recipient=t.recipient,
                                   basis=t.basis, scc_version=t.scc_version, note=t.note,
                                   tia_evidence_id=t.tia_evidence_id) for t in sp.transfers],
            statement_overdue=sp.statement_overdue(today),
            follow_up_overdue=sp.follow_up_overdue(today))


class SubProcessorList(ApiModel):
    """One page of the register."""

    items: list[SubProcessorOut]
    total: int
    page: int
    per_page: int


class RegisterQuery(QueryModel):
    """Filters of the register list."""

    status: Literal["proposed", "active", "ended"] | None = None
    overdue: bool = False
    risk: Literal["low", "medium", "high"] | None = None
    q: str | None = Field(None, max_length=100)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class ObservationIn(ApiModel):
    """An observation listed with a statement."""

    description: str = Field(min_length=1, max_length=20_000)
    significance: Literal["low", "medium", "high"]
    comment: str | None = Field(None, max_length=20_000)
    remediation_due: date | None = None


class StatementIn(ApiModel):
    """A year's auditor's statement; `observations: []` states explicitly there were none."""

    year: int = Field(ge=1990, le=2100)
    received_on: date
    opinion: Literal["unqualified", "qualified"]
    observations: list[ObservationIn] = Field(max_length=200)
    statement_type: Literal["isae3000", "isae3402", "soc2", "soc1", "iso27001",
                            "other"] | None = None
    period_start: date | None = None
    period_end: date | None = None
    evidence_id: Id | None = Field(None, description="The statement file, uploaded as evidence")


class ObservationOut(ApiModel):
    """An observation of a statement."""

    description: str
    significance: str
    comment: str | None
    remediation_due: date | None


class StatementOut(ApiModel):
    """A recorded statement and the sub-processor's next due date."""

    id: int
    year: int
    received_on: date
    due_on: date
    late: bool
    opinion: str
    statement_type: str | None
    period_start: date
    period_end: date
    no_observations: bool
    observations: list[ObservationOut]
    evidence_id: int | None
    next_statement_due: date | None


class ChangeIn(ApiModel):
    """A change notice given to the controllers."""

    kind: Literal["add", "replace"]
    notified_on: date
    effective_on: date
    controllers: list[str] = Field([], max_length=30)
    replaces_id: Id | None = None
    note: str | None = Field(None, max_length=20_000)


class ChangeOut(ApiModel):
    """A recorded change notice with its derived dates."""

    id: int
    kind: str
    notified_on: date
    effective_on: date
    controllers: list[str]
    replaces_id: int | None
    notice_days: int
    short_notice: bool = Field(description="Fewer than 30 days' notice")
    objection_deadline: date = Field(description="One month after the notice, clamped to "
                                     "the end of a shorter month")


def _get(subprocessor_id: int) -> SubProcessor:
    return queries.get_subprocessor(db.session, current_actor(), subprocessor_id,
                                    today=local_today()).subprocessor


@operation(bp, "POST", "/subprocessors", Permission.MANAGE_SUBPROCESSORS, tag="subprocessors",
           summary="Register a sub-processor", body=SubProcessorIn,
           responses={201: SubProcessorOut})
def create_subprocessor(body: SubProcessorIn):
    """Register a sub-processor; a third country without `transfer_basis` is refused (422)."""
    details = service.SubProcessorDetails(**body.model_dump(exclude={
        "transfer_basis", "scc_version", "transfer_note"}))
    sp = service.create_subprocessor(
        db.session, current_actor(), details,
        service.TransferBasis(body.transfer_basis, body.scc_version, body.transfer_note),
        context())
    return SubProcessorOut.of(sp, local_today()), 201


@operation(bp, "GET", "/subprocessors", Permission.VIEW_SUBPROCESSORS, tag="subprocessors",
           summary="List the register", query=RegisterQuery, responses={200: SubProcessorList})
def list_subprocessors(query: RegisterQuery):
    """The register by name, filtered by status, risk, search text and overdue."""
    today = local_today()
    items, total = queries.list_subprocessors(
        db.session, current_actor(), queries.RegisterFilter(
            status=query.status, risk=query.risk, overdue=query.overdue, q=query.q),
        today=today, page=query.page, per_page=query.per_page)
    return SubProcessorList(items=[SubProcessorOut.of(sp, today) for sp in items], total=total,
                            page=query.page, per_page=query.per_page)


@operation(bp, "GET", "/subprocessors/<int:subprocessor_id>", Permission.VIEW_SUBPROCESSORS,
           tag="subprocessors", summary="One sub-processor", responses={200: SubProcessorOut},
           errors=(404,))
def get_subprocessor(subprocessor_id: int):
    """A register entry, with `next_statement_due`."""
    return SubProcessorOut.of(_get(subprocessor_id), local_today())


@operation(bp, "POST", "/subprocessors/<int:subprocessor_id>/statements",
           Permission.RECORD_SUBPROCESSOR_FOLLOW_UP, tag="subprocessors",
           summary="Record a year's auditor's statement", body=StatementIn,
           responses={201: StatementOut}, errors=(404,))
def record_statement(subprocessor_id: int, body: StatementIn):
    """Record a statement; `observations: []` means the statement says there were none."""
    sp = _get(subprocessor_id)
    details = follow_up.StatementDetails(
        year=body.year, received_on=body.received_on, opinion=body.opinion,
        observations=[follow_up.ObservationDetails(**o.model_dump()) for o in body.observations],
        no_observations=not body.observations, statement_type=body.statement_type,
        period_start=body.period_start, period_end=body.period_end,
        evidence_id=body.evidence_id)
    statement = follow_up.record_statement(db.session, current_actor(), sp, details, context())
    return StatementOut(
        id=statement.id, year=statement.year, received_on=statement.received_on,
        due_on=statement.due_on, late=statement.is_late, opinion=statement.opinion,
        statement_type=statement.statement_type, period_start=statement.period_start,
        period_end=statement.period_end, no_observations=statement.no_observations,
        observations=[ObservationOut(description=o.description, significance=o.significance,
                                     comment=o.comment, remediation_due=o.remediation_due)
                      for o in statement.observations],
        evidence_id=statement.evidence_id, next_statement_due=sp.next_statement_due), 201


@operation(bp, "POST", "/subprocessors/<int:subprocessor_id>/changes",
           Permission.RECORD_SUBPROCESSOR_FOLLOW_UP, tag="subprocessors",
           summary="Record a change notice to the controllers", body=ChangeIn,
           responses={201: ChangeOut}, errors=(404,))
def record_change(subprocessor_id: int, body: ChangeIn):
    """Record a notice; the answer gives `notice_days`, `short_notice`, `objection_deadline`."""
    notice = notices.record_change(db.session, current_actor(), _get(subprocessor_id),
                                   notices.NoticeDetails(**body.model_dump()), context())
    return ChangeOut(id=notice.id, kind=notice.kind, notified_on=notice.notified_on,
                     effective_on=notice.effective_on, controllers=list(notice.controllers),
                     replaces_id=notice.replaces_id, notice_days=notice.notice_days,
                     short_notice=notice.short_notice,
                     objection_deadline=notice.objection_deadline), 201
