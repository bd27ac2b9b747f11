"""Demo PBC list: what the firm asked for in last year's engagement, delivered or not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..evidence.models import EvidenceRequest
from ..evidence.service import EvidenceDetails, add_note_evidence
from ..time import local_today
from .demo import PARTNER_EMAIL
from .models import Engagement
from .pbc import request_evidence

# (who asks, control, what, days until due; None: delivered at once)
ASKED = (
    ("senior", "isae3000-gdpr:C.5", "The HR system's list of everyone who left in the year, "
                                    "with their last working day.", None),
    ("senior", "isae3000-gdpr:B.13", "The sign-offs of the four quarterly access reviews.", 14),
    ("partner", "isae3000-gdpr:I.2", "An extract of the incident register for the year, with "
                                     "the breach assessments.", -5),
)


def seed_pbc(session: Session, users: dict) -> list[str]:
    """Three requests on the latest ISAE engagement: one delivered, one open, one overdue.

    They are asked of the coordinator, who answers the first at once.
    """
    engagement = session.scalar(select(Engagement).where(
        Engagement.name == f"ISAE 3000 GDPR {local_today().year - 1} (type 2)"))
    people = {"senior": users.get("external_auditor"), "partner": users.get(PARTNER_EMAIL)}
    coordinator = users.get("coordinator")  # the demo's owners may not be assigned yet
    if engagement is None or None in people.values() or coordinator is None or session.scalar(
            select(EvidenceRequest.id).where(EvidenceRequest.engagement_id == engagement.id)):
        return []
    today = local_today()
    for who, key, what, days in ASKED:
        # The overdue one was asked for a month ago, due five days ago.
        asked_on = today - timedelta(days=30) if days is not None and days < 0 else today
        made = request_evidence(session, people[who], engagement, key,
                                assignee_id=coordinator.id,
                                due_on=today + timedelta(days=days if days is not None else 7),
                                description=what, today=asked_on)
        if days is None:
            add_note_evidence(session, made.assignee, EvidenceDetails(
                title=f"HR leaver list {engagement.period_end.year}", controls=[key],
                period_start=engagement.period_end, request_id=made.id,
                description="Exported from the HR system: 31 leavers, each with the last "
                            "working day and the date the account was closed."))
    return [f"PBC list of '{engagement.name}': 3 requests (delivered, open, overdue)"]
