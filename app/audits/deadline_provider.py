"""The findings' deadline provider: remediation due dates in the engine's common shape."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from ..notifications.deadlines import Deadline, end_of_day
from .models import Deviation, DeviationStatus

UNRESOLVED = (DeviationStatus.OPEN.value, DeviationStatus.IN_PROGRESS.value)


def finding_deadlines(session, context) -> list[Deadline]:
    """Unresolved findings with a due date, and those closed recently (one query).

    Responsible: the finding's owner, else whoever raised it.
    """
    rows = session.execute(select(
        Deviation.id, Deviation.title, Deviation.due_on, Deviation.owner_id,
        Deviation.raised_by_id, Deviation.closed_at).where(
        Deviation.due_on.is_not(None), or_(
            Deviation.status.in_(UNRESOLVED),
            and_(Deviation.status == DeviationStatus.CLOSED.value,
                 Deviation.closed_at >= context.done_since))))
    return [Deadline("finding_response", "deviation", finding_id, title,
                     end_of_day(due_on, context.zone),
                     tuple(i for i in (owner_id or raised_by_id,) if i),
                     "deviations.show_deviation", {"deviation_id": finding_id},
                     done_at=closed_at)
            for finding_id, title, due_on, owner_id, raised_by_id, closed_at in rows]


def kinds() -> dict:
    """The kinds this provider yields, with their names."""
    from flask_babel import lazy_gettext as _l

    return {"finding_response": _l("Finding to remediate")}
