"""Evidence's deadline provider: items expiring, and evidence requests, in the common shape.

An item's expiry is met ("done") once another item for one of its controls stays valid longer
(a renewal); until then it is due on `valid_until` and overdue after it, which is exactly the
list's "expiring" and "expired" (`rules.item_freshness` and this engine share one rule).
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ..catalogue.models import Control
from ..notifications.deadlines import Deadline, end_of_day
from .models import Evidence, EvidenceRequest, RequestStatus
from .models import evidence_control as link

HORIZON_DAYS = 366


def _renewed_at():
    """When an item was first outlasted by another item for one of its controls (or NULL)."""
    other, mine, theirs = aliased(Evidence), link.alias("mine"), link.alias("theirs")
    return (select(func.min(other.created_at))
            .select_from(mine.join(theirs, theirs.c.control_id == mine.c.control_id)
                         .join(other, other.id == theirs.c.evidence_id))
            .where(mine.c.evidence_id == Evidence.id, other.id != Evidence.id,
                   or_(other.valid_until.is_(None), other.valid_until > Evidence.valid_until))
            .correlate(Evidence).scalar_subquery())


def evidence_deadlines(session, context) -> list[Deadline]:
    """Expiring or expired items and evidence requests (two queries).

    Responsible: the item's owner, else whoever added it; a request's assignee.
    """
    result = []
    renewed = _renewed_at().label("renewed_at")
    rows = session.execute(select(
        Evidence.id, Evidence.title, Evidence.valid_until, Evidence.owner_id,
        Evidence.created_by_id, renewed).where(
        Evidence.valid_until.is_not(None),
        Evidence.valid_until <= context.today + timedelta(days=HORIZON_DAYS)))
    for item_id, title, valid_until, owner_id, creator_id, renewed_at in rows:
        if renewed_at is not None and renewed_at.tzinfo is None:  # SQLite: naive UTC
            renewed_at = renewed_at.replace(tzinfo=UTC)
        if renewed_at is not None and renewed_at < context.done_since:
            continue
        responsible = tuple(i for i in (owner_id or creator_id,) if i)
        result.append(Deadline("evidence_expiry", "evidence", item_id, title,
                               end_of_day(valid_until, context.zone), responsible,
                               "evidence.show_evidence", {"evidence_id": item_id},
                               done_at=renewed_at))
    requests = session.execute(select(
        EvidenceRequest.id, EvidenceRequest.due_on, EvidenceRequest.assignee_id,
        EvidenceRequest.answered_at, Control.code, Control.title_en, Control.title_da,
        Control.key).join(Control, Control.id == EvidenceRequest.control_id).where(or_(
            EvidenceRequest.status == RequestStatus.OPEN.value,
            and_(EvidenceRequest.status == RequestStatus.ANSWERED.value,
                 EvidenceRequest.answered_at >= context.done_since))))
    for request_id, due_on, assignee_id, answered_at, code, title_en, title_da, key in requests:
        result.append(Deadline("evidence_request", "evidence_request", request_id,
                               f"{code} {title_en}", end_of_day(due_on, context.zone),
                               (assignee_id,), "catalogue.show_control", {"key": key},
                               done_at=answered_at, title_da=f"{code} {title_da or title_en}"))
    return result


def kinds() -> dict:
    """The kinds this provider yields, with their names."""
    from flask_babel import lazy_gettext as _l

    return {"evidence_expiry": _l("Evidence expires"),
            "evidence_request": _l("Evidence requested")}
