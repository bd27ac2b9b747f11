"""An engagement's PBC list ("provided by client"): the evidence its auditors asked for.

Each entry is an evidence request (`evidence.evidence_requests`) that belongs to the engagement:
what was asked for, of whom, by when, and the evidence delivered. The firm's auditors on the
engagement and the internal audit function put requests on it and withdraw them (the rule is
`access.can_request_evidence`); the person asked, a coordinator or an administrator answers by
adding evidence, as for any request. Whoever may see the engagement reads the list, and the
evidence delivered for it is within an external auditor's evidence scope.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm import Session, joinedload

from ..auth.permissions import Permission, require
from ..catalogue.models import Catalogue, Control
from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..evidence.evidence_requests import build_request, withdraw_request
from ..evidence.models import Evidence, EvidenceRequest, RequestStatus
from ..evidence.service import N_, invalid
from .access import can_request_evidence, require_view
from .models import ControlTest, Engagement


def _refusal(kind: type[DomainError], template: str, **params) -> DomainError:
    """A Forbidden/Conflict/NotFound whose English message views can translate."""
    error = kind(template % params if params else template)
    error.template, error.params = template, params
    return error


class PbcState(enum.StrEnum):
    """Where a PBC entry stands, as the auditor reads it."""

    OPEN = "open"
    OVERDUE = "overdue"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


def state_of(request: EvidenceRequest, today: date) -> PbcState:
    """Delivered (answered), cancelled, overdue (open past its due date) or open."""
    if request.status == RequestStatus.ANSWERED:
        return PbcState.DELIVERED
    if request.status == RequestStatus.CANCELLED:
        return PbcState.CANCELLED
    return PbcState.OVERDUE if request.due_on < today else PbcState.OPEN


@dataclass(frozen=True)
class PbcList:
    """The engagement's requests (open and overdue first, by due date) and their states."""

    engagement: Engagement
    requests: list[EvidenceRequest]
    states: dict[int, PbcState]

    def count(self, state: PbcState) -> int:
        """How many entries are in `state`."""
        return sum(1 for value in self.states.values() if value == state)


def pbc_list(session: Session, actor, engagement: Engagement, *, today: date) -> PbcList:
    """The engagement's PBC list with what the page and the export show (one query)."""
    require_view(actor, engagement)
    open_first = case((EvidenceRequest.status == RequestStatus.OPEN.value, 0),
                      (EvidenceRequest.status == RequestStatus.ANSWERED.value, 1), else_=2)
    requests = list(session.scalars(
        select(EvidenceRequest).where(EvidenceRequest.engagement_id == engagement.id)
        .options(joinedload(EvidenceRequest.control).joinedload(Control.catalogue),
                 joinedload(EvidenceRequest.assignee), joinedload(EvidenceRequest.requested_by),
                 joinedload(EvidenceRequest.answered_by_evidence)
                 .selectinload(Evidence.versions))
        .order_by(open_first, EvidenceRequest.due_on, EvidenceRequest.id)).unique())
    return PbcList(engagement, requests, {r.id: state_of(r, today) for r in requests})


def scope_controls(session: Session, engagement: Engagement) -> list[Control]:
    """The controls tested in the engagement, in catalogue order: what a request may be about."""
    return list(session.scalars(
        select(Control).join(ControlTest, ControlTest.control_id == Control.id)
        .join(Catalogue, Control.catalogue_id == Catalogue.id)
        .where(ControlTest.engagement_id == engagement.id, Control.retired_at.is_(None))
        .options(joinedload(Control.owner))
        .order_by(Catalogue.slug, Control.position)))


def request_evidence(session: Session, actor, engagement: Engagement, control_key: str | None,
                     *, assignee_id: int | None, due_on: date | None, description: str,
                     today: date) -> EvidenceRequest:
    """Put a request on the engagement's PBC list.

    It asks for evidence for one of the engagement's tested controls, of the control's owner
    (or another user who may add its evidence), by a date.
    """
    require(actor, Permission.REQUEST_ENGAGEMENT_EVIDENCE)
    require_view(actor, engagement)
    if not can_request_evidence(actor, engagement):
        raise _refusal(Forbidden, N_("This engagement has been issued; its PBC list is closed.")
                       if engagement.is_issued else
                       N_("Only the engagement's auditors may ask for evidence within it."))
    control = session.scalar(
        select(Control).join(ControlTest, ControlTest.control_id == Control.id)
        .where(ControlTest.engagement_id == engagement.id,
               Control.key == (control_key or "").strip()))
    if control is None:
        raise invalid("control", N_("Choose a control tested in this engagement."))
    try:
        request = build_request(session, actor, control, assignee_id=assignee_id,
                                due_on=due_on, description=description, today=today,
                                engagement_id=engagement.id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return request


def withdraw(session: Session, actor, engagement: Engagement, request_id: int
             ) -> EvidenceRequest:
    """Withdraw an open request from the engagement's PBC list."""
    require(actor, Permission.REQUEST_ENGAGEMENT_EVIDENCE)
    require_view(actor, engagement)
    request = session.scalar(select(EvidenceRequest).where(
        EvidenceRequest.id == request_id, EvidenceRequest.engagement_id == engagement.id))
    if request is None:
        raise _refusal(NotFound, N_("No such request on this engagement's PBC list."))
    if not can_request_evidence(actor, engagement):
        raise _refusal(Forbidden, N_("Only the engagement's auditors may withdraw its "
                                     "requests."))
    if request.status != RequestStatus.OPEN:
        raise _refusal(Conflict, N_("Request #%(id)d is no longer open."), id=request.id)
    try:
        withdraw_request(session, actor, request)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return request
