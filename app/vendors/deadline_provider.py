"""The sub-processor register's deadline provider: its open deadlines in the common shape."""

from __future__ import annotations

from sqlalchemy import select

from ..notifications.deadlines import Deadline
from .models import SubProcessor
from .queries import open_deadlines


def subprocessor_deadlines(session, context) -> list[Deadline]:
    """Statements due, follow-ups due and objection windows open (five queries).

    Titled by the sub-processor's name (the kind says what is due); responsible: the owner of
    ISAE activity F.6 (statements, follow-ups) or F.3 (notices), else every coordinator.
    """
    items = open_deadlines(session, context.today)
    ids = {item.endpoint_args["subprocessor_id"] for item in items}
    names = dict(session.execute(select(SubProcessor.id, SubProcessor.name).where(
        SubProcessor.id.in_(ids))).all()) if ids else {}
    return [Deadline(item.kind, item.object_type, item.object_id,
                     names.get(item.endpoint_args["subprocessor_id"], item.label),
                     item.due_at(context.zone), item.responsible_user_ids, item.endpoint,
                     item.endpoint_args)
            for item in items]


def kinds() -> dict:
    """The kinds this provider yields, with their names."""
    from flask_babel import lazy_gettext as _l

    return {"subprocessor_statement": _l("Sub-processor's auditor's statement"),
            "subprocessor_follow_up": _l("Sub-processor follow-up"),
            "subprocessor_objection": _l("Objection window for a change notice")}
