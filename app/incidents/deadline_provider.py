"""The incident register's deadline provider: running breach clocks in the common shape."""

from __future__ import annotations

from sqlalchemy import select

from ..notifications.deadlines import Deadline
from .models import Incident
from .queries import open_deadlines


def breach_deadlines(session, context) -> list[Deadline]:
    """Every breach clock still running or overdue (three queries).

    Responsible: whoever reported the incident (it has no owner) and every coordinator.
    """
    items = open_deadlines(session, context.now)
    ids = {item.incident_id for item in items}
    reporters = dict(session.execute(select(Incident.id, Incident.reported_by_id).where(
        Incident.id.in_(ids))).all()) if ids else {}
    result = []
    for item in items:
        reporter = reporters.get(item.incident_id)
        people = ((reporter,) if reporter else ()) + tuple(
            i for i in item.responsible_user_ids if i != reporter)
        result.append(Deadline(item.kind, "incident", item.incident_id, item.title, item.due,
                               people, item.endpoint, item.values,
                               qualifier=item.recipient or "", starts_at=item.starts_at))
    return result


def kinds() -> dict:
    """The kinds this provider yields, with their names."""
    from flask_babel import lazy_gettext as _l

    return {"breach.authority": _l("Breach: notify Datatilsynet"),
            "breach.controller": _l("Breach: notify the controller")}
