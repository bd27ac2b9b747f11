"""Governance's deadline provider: its open deadlines in the engine's common shape."""

from __future__ import annotations

from ..notifications.deadlines import Deadline
from .deadlines import open_deadlines


def governance_deadlines(session, context) -> list[Deadline]:
    """Reviews, security-level decisions, risk acceptances, dispensations, emergency reports.

    Responsible: the document's or risk's owner, the dispensation's requester (four queries).
    """
    return [Deadline(item.kind, item.object_type, item.object_id, item.title, item.due_at,
                     tuple(i for i in item.responsible if i), item.endpoint, item.values)
            for item in open_deadlines(session, context.today, context.zone)]


def kinds() -> dict:
    """The kinds this provider yields, with their names."""
    from flask_babel import lazy_gettext as _l

    return {"document_review": _l("Document review"),
            "security_level": _l("Security-level decision"),
            "risk_acceptance": _l("Risk acceptance expires"),
            "dispensation_expiry": _l("Dispensation expires"),
            "emergency_report": _l("Emergency deviation to report")}
