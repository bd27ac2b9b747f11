"""Open governance deadlines, for the deadline engine to come (issue 14) and the CLI.

`open_deadlines(session, today)` yields one `Deadline` per open obligation: reviews and
security-level decisions of governing documents, risk acceptances running out, dispensations
expiring, and emergency deviations not yet reported to the chair. The rules deciding each due
instant are the pure ones in `rules`; this module only reads the registers (four queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from . import rules
from .models.dispensations import Dispensation
from .models.documents import DocumentStatus, GoverningDocument
from .models.risks import Risk, RiskAssessment

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Deadline:
    """One open obligation: what, which object, when it falls due, who answers for it, where."""

    kind: str  # document_review, security_level, risk_acceptance, dispensation_expiry,
    #            emergency_report
    object_type: str
    object_id: int
    title: str
    due_at: datetime
    responsible: tuple[int, ...]
    endpoint: str
    values: dict = field(default_factory=dict)

    def overdue(self, now: datetime) -> bool:
        """Past its due instant."""
        return now >= self.due_at


def open_deadlines(session: Session, today: date, zone: tzinfo = COPENHAGEN,
                   horizon_days: int = 366) -> list[Deadline]:
    """Every open governance deadline up to `horizon_days` ahead (and all overdue), by due."""
    until = today + timedelta(days=horizon_days)
    result: list[Deadline] = []
    documents = session.scalars(select(GoverningDocument).where(
        GoverningDocument.status == DocumentStatus.ACTIVE))
    for document in documents:
        for kind, due in (("document_review", document.next_review_due),
                          ("security_level", document.security_level_due)):
            if due is not None and due <= until:
                result.append(Deadline(kind, "governing_document", document.id, document.title,
                                       rules.end_of_day(due, zone), (document.owner_id,),
                                       "governance.show_document",
                                       {"document_id": document.id}))
    risks = session.scalars(select(Risk).join(RiskAssessment).where(
        Risk.accepted_until.is_not(None), Risk.accepted_until <= until).options(
        joinedload(Risk.assessment)))
    for risk in risks:
        owners = tuple(i for i in (risk.owner_id, risk.assessment.owner_id) if i)
        result.append(Deadline("risk_acceptance", "risk", risk.id, risk.title,
                               rules.end_of_day(risk.accepted_until, zone), owners,
                               "governance.show_risk", {"risk_id": risk.id}))
    for row in session.scalars(select(Dispensation).where(
            Dispensation.status.in_(["approved", "emergency"]),
            Dispensation.valid_until.is_not(None), Dispensation.valid_until <= until)):
        result.append(Deadline("dispensation_expiry", "dispensation", row.id, row.title,
                               rules.end_of_day(row.valid_until, zone),
                               tuple(i for i in (row.requested_by_id,) if i),
                               "governance.show_dispensation", {"dispensation_id": row.id}))
    for row in session.scalars(select(Dispensation).where(
            Dispensation.emergency, Dispensation.reported_at.is_(None))):
        result.append(Deadline("emergency_report", "dispensation", row.id, row.title,
                               row.report_due_at, tuple(i for i in (row.requested_by_id,) if i),
                               "governance.show_dispensation", {"dispensation_id": row.id}))
    return sorted(result, key=lambda item: (item.due_at, item.kind, item.object_id))
