"""Evidence requests: a coordinator or auditor asks for evidence; the owner answers it.

Answering happens when evidence is added with `EvidenceDetails.request_id` (see service.py).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..auth.models import User
from ..auth.permissions import Permission, Role, can, require
from ..catalogue.models import Control
from ..errors import Conflict, Forbidden, NotFound
from ..ledger.service import append
from .models import EvidenceRequest, RequestStatus
from .service import MAX_TEXT, N_, can_add_evidence_to, invalid, role_of


def can_cancel_request(actor, request: EvidenceRequest) -> bool:
    """The person who asked, or a coordinator or admin."""
    if not can(actor, Permission.REQUEST_EVIDENCE):
        return False
    return role_of(actor) in (Role.ADMIN, Role.COORDINATOR) or (
        request.requested_by_id is not None and request.requested_by_id == actor.id)


LAST_DUE = date(2100, 12, 31)


def build_request(session: Session, actor, control: Control | None, *, assignee_id: int | None,
                  due_on: date | None, description: str, today: date,
                  engagement_id: int | None = None) -> EvidenceRequest:
    """Check and add a request for evidence on `control` (flushes only; the caller commits).

    The caller has checked that the actor may ask. The request goes to `assignee_id`, else the
    control's owner; whoever is asked must be able to add evidence to the control.
    """
    if control is None or control.retired_at is not None:
        raise invalid("control", N_("Choose the control the evidence is for."))
    assignee = session.get(User, assignee_id or control.owner_id or 0)
    if assignee is None:
        raise invalid("assignee_id", N_("The control has no owner: choose who should answer."))
    if not assignee.active or not can_add_evidence_to(assignee, control):
        raise invalid("assignee_id", N_("%(name)s cannot add evidence to this control: choose "
                                        "its owner or a coordinator."), name=assignee.name)
    if due_on is None:
        raise invalid("due_on", N_("Give a due date."))
    if due_on < today:
        raise invalid("due_on", N_("The due date is in the past."))
    if due_on > LAST_DUE:
        raise invalid("due_on", N_("Give a due date before 2101."))
    description = (description or "").strip()
    if not description:
        raise invalid("description", N_("Say what evidence you need."))
    if len(description) > MAX_TEXT:
        raise invalid("description", N_("Keep the text under %(max)d characters."),
                      max=MAX_TEXT)
    request = EvidenceRequest(control=control, assignee=assignee, due_on=due_on,
                              description=description, status=RequestStatus.OPEN.value,
                              requested_by_id=getattr(actor, "id", None),
                              engagement_id=engagement_id)
    session.add(request)
    session.flush()
    append(session, actor, "evidence_request.created", request, {
        "control": control.key, "assignee": assignee.email, "due_on": due_on,
        "description": description, "engagement": engagement_id})
    return request


def create_request(session: Session, actor, control_key: str, *, assignee_id: int | None,
                   due_on: date | None, description: str, today: date) -> EvidenceRequest:
    """Ask a control's owner (or another user who may add its evidence) for evidence by a date."""
    require(actor, Permission.REQUEST_EVIDENCE)
    control = session.scalar(select(Control).where(Control.key == (control_key or "").strip()))
    if control is None or control.retired_at is not None:
        raise invalid("control", N_("No control with key %(keys)s."), keys=control_key or "—")
    try:
        request = build_request(session, actor, control, assignee_id=assignee_id,
                                due_on=due_on, description=description, today=today)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return request


def withdraw_request(session: Session, actor, request: EvidenceRequest) -> EvidenceRequest:
    """Mark an open request cancelled (flushes only; the caller checked who may)."""
    if request.status != RequestStatus.OPEN:
        raise Conflict(f"Evidence request #{request.id} is already {request.status}.")
    request.status = RequestStatus.CANCELLED.value
    append(session, actor, "evidence_request.cancelled", request, {
        "control": request.control.key, "engagement": request.engagement_id})
    return request


def cancel_request(session: Session, actor, request_id: int) -> EvidenceRequest:
    """Withdraw an open request; the person who asked, a coordinator or an admin may."""
    require(actor, Permission.REQUEST_EVIDENCE)
    request = get_request(session, actor, request_id)
    if not can_cancel_request(actor, request):
        raise Forbidden("Only the person who asked, a coordinator or an administrator may "
                        "cancel this request.")
    withdraw_request(session, actor, request)
    session.commit()
    return request


def get_request(session: Session, actor, request_id: int) -> EvidenceRequest:
    """An evidence request with its control and people, or NotFound."""
    require(actor, Permission.VIEW_EVIDENCE)
    request = session.scalar(select(EvidenceRequest).where(EvidenceRequest.id == request_id)
                             .options(selectinload(EvidenceRequest.control),
                                      selectinload(EvidenceRequest.assignee)))
    if request is None:
        raise NotFound("No such evidence request.")
    return request
