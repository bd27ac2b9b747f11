"""Build register entries for page tests through the services."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from app.evidence.service import Upload
from app.governance import adoptions, dispensations, documents, reviews, risks

TODAY = date.today()


def upload(body: bytes = b"text") -> Upload:
    """A small file."""
    return Upload(io.BytesIO(body), "file.txt", "text/plain")


def fill(session, settings, coordinator, owner, n: int, start: int = 0) -> None:
    """n documents with versions and reviews, n assessments with 3 risks each, n adoptions
    through part of the gate, n dispensations with decisions and n emergency deviations."""
    for i in range(start, start + n):
        document = documents.create_document(
            session, coordinator, settings, documents.DocumentDetails(
                title=f"Guideline {i}", kind="guideline", owner_id=owner.id,
                approving_body="security_committee",
                controls=["iso27001-2022:A.5.1", "isae3000-gdpr:A.1"],
                approved_on=TODAY - timedelta(days=300 + i)), today=TODAY, upload=upload(),
            label="1")
        reviews.record_review(session, coordinator, settings, document, reviews.ReviewDetails(
            reviewed_on=TODAY - timedelta(days=150), outcome="no_change",
            approval_body="security_committee", approved_by="Committee",
            approved_on=TODAY - timedelta(days=140)), today=TODAY,
            minutes=upload(b"minutes"))
        reviews.record_review(session, owner, settings, document, reviews.ReviewDetails(
            reviewed_on=TODAY - timedelta(days=40), outcome="no_change"), today=TODAY)
        made = risks.create_assessment(session, coordinator, risks.AssessmentDetails(
            title=f"Assessment {i}", kind="periodic", owner_id=coordinator.id,
            assessed_on=TODAY - timedelta(days=i), topics=["gdpr"]), today=TODAY)
        for k in range(3):
            risks.add_risk(session, coordinator, made, risks.RiskDetails(
                title=f"Risk {i}.{k}", threat="Threat", likelihood=1 + k, consequence=2 + k,
                treatment="accept" if k == 2 else "reduce", residual_likelihood=1,
                residual_consequence=1 + k, owner_id=owner.id,
                controls=["iso27001-2022:A.5.8"],
                accepted_by="Board" if k == 2 else None,
                accepted_on=TODAY - timedelta(days=400) if k == 2 else None,
                accepted_until=TODAY - timedelta(days=35) if k == 2 else None), today=TODAY)
        adoption = adoptions.create_adoption(session, coordinator, adoptions.AdoptionDetails(
            title=f"Tech {i}", categories=["ai_solution"], personal_data=False,
            owner_id=owner.id), today=TODAY)
        adoptions.record_risk_assessment(session, coordinator, adoption, made.id)
        item = dispensations.request_dispensation(
            session, coordinator, dispensations.DispensationDetails(
                requirement="iso27001-2022:A.5.8", reason="Reason", compensating_measures="CM",
                title=f"Dispensation {i}"), today=TODAY - timedelta(days=30))
        dispensations.decide(session, coordinator, item, outcome="approved", decided_by="Chair",
                             decided_on=TODAY - timedelta(days=20), valid_from=None,
                             valid_until=TODAY + timedelta(days=30 - 40 * (i % 2)),
                             conditions=None, today=TODAY)
        dispensations.request_dispensation(
            session, coordinator, dispensations.DispensationDetails(
                requirement="iso27001-2022:A.5.1", reason="Outage", compensating_measures="Watch",
                emergency=True, decided_at=datetime.now(UTC) - timedelta(days=4 + i),
                decided_by="On call", title=f"Emergency {i}"), today=TODAY)
