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


def create_request(session: Session, actor, control_key: str, *, assignee_id: int | None,
                   due_on: date | None, description: str, today: date) -> EvidenceRequest:
    """Ask a control's owner (or another user who may add its evidence) for evidence by a date."""
    require(actor, Permission.REQUEST_EVIDENCE)
    control = session.scalar(select(Control).where(Control.key == (control_key or "").strip()))
    if control is None or control.retired_at is not None:
        raise invalid("control", N_("No control with key %(keys)s."), keys=control_key or "—")
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
    description = (description or "").strip()
    if not description:
        raise invalid("description", N_("Say what evidence you need."))
    if len(description) > MAX_TEXT:
        raise invalid("description", N_("Keep the text under %(max)d characters."),
                      max=MAX_TEXT)
    request = EvidenceRequest(control=control, assignee=assignee, due_on=due_on,
                              description=description, status=RequestStatus.OPEN.value,
                              requested_by_id=getattr(actor, "id", None))
    session.add(request)
    append(session, actor, "evidence_request.created", request, {
        "control": control.key, "assignee": assignee.email, "due_on": due_on,
        "description": description})
    session.commit()
    return request


def cancel_request(session: Session, actor, request_id: int) -> EvidenceRequest:
    """Withdraw an open request; the person who asked, a coordinator or an admin may."""
    require(actor, Permission.REQUEST_EVIDENCE)
    request = get_request(session, actor, request_id)
    if not can_cancel_request(actor, request):
        raise Forbidden("Only the person who asked, a coordinator or an administrator may "
                        "cancel this request.")
    if request.status != RequestStatus.OPEN:
        raise Conflict(f"Evidence request #{request.id} is already {request.status}.")
    request.status = RequestStatus.CANCELLED.value
    append(session, actor, "evidence_request.cancelled", request, {"control": request.control.key})
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
