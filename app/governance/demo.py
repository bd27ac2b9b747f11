"""Demo governance for Nordlys Statistik A/S, through the services (so the ledger has it all).

The policy, the handbook, four guidelines and the IT contingency plan, with a year of reviews
(the contingency plan overdue); the annual risk assessment with 12 risks; an AI adoption taken
through the gate and approved, a cloud adoption stuck before the presentation to top
management; two dispensations (one expired) and an emergency deviation reported late.
Seeded once: skipped when any governing document exists.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalogue.models import Control
from ..db import utcnow
from . import adoptions, dispensations, documents, reviews, risks
from .common import Upload
from .models.documents import GoverningDocument
from .rules import add_months

CONTROLS = {
    "Information security policy": ("iso27001-2022:A.5.1", "soa-extensions:X.14",
                                    "isae3000-gdpr:C.1"),
    "Information security handbook": ("iso27001-2022:A.5.1", "iso27001-2022:A.5.37",
                                      "isae3000-gdpr:A.1", "isae3000-gdpr:B.1"),
    "Guideline for access control": ("iso27001-2022:A.5.15", "iso27001-2022:A.5.17",
                                     "isae3000-gdpr:H.1"),
    "Guideline for cloud services and AI": ("iso27001-2022:A.5.23", "soa-extensions:X.13",
                                            "isae3000-gdpr:F.1", "isae3000-gdpr:G.1"),
    "Guideline for handling confidential data": ("iso27001-2022:A.5.12", "isae3000-gdpr:D.1",
                                                 "isae3000-gdpr:E.1"),
    "Guideline for security incidents and breaches": ("iso27001-2022:A.5.24",
                                                      "isae3000-gdpr:I.1"),
    "IT contingency plan": ("iso27001-2022:A.5.29", "iso27001-2022:A.5.30",
                            "soa-extensions:X.10"),
}
KIND = {"Information security policy": ("policy", "top_management"),
        "IT contingency plan": ("plan", "security_committee")}


def _file(title: str, label: str) -> Upload:
    body = (f"{title}\nNordlys Statistik A/S\nVersion {label}\n\n"
            "Demo document: the text of the version in force.\n").encode()
    name = title.lower().replace(" ", "-") + f"-{label}.txt"
    return Upload(io.BytesIO(body), name, "text/plain")


def _minutes(what: str, on: date) -> Upload:
    body = f"Minutes {on.isoformat()}\n\nItem 3: {what}. Approved.\n".encode()
    return Upload(io.BytesIO(body), f"minutes-{on.isoformat()}.txt", "text/plain")


def _review(session, actor, config, document, today, on, body, by, **extra):
    reviews.record_review(session, actor, config, document, reviews.ReviewDetails(
        reviewed_on=extra.pop("reviewed_on", on), outcome=extra.pop("outcome", "no_change"),
        approval_body=body, approved_by=by, approved_on=on, **extra), today=today,
        minutes=_minutes(f"{document.title} reviewed", on) if body else None)


def _documents(session, coordinator, owner, config, today) -> None:
    for title, keys in CONTROLS.items():
        kind, body = KIND.get(title, ("guideline", "security_committee"))
        is_plan = kind == "plan"
        document = documents.create_document(
            session, coordinator, config, documents.DocumentDetails(
                title=title, kind=kind, owner_id=(owner if title.startswith("Guideline")
                                                  else coordinator).id,
                approving_body=body, controls=list(keys),
                approved_on=add_months(today, -14 if is_plan else -12)),
            today=today, upload=_file(title, "1.0"), label="1.0")
        if is_plan:  # reviewed last month, but the committee has not approved it: overdue
            reviews.record_review(session, coordinator, config, document,
                                    reviews.ReviewDetails(
                                        reviewed_on=today - timedelta(days=25),
                                        outcome="no_change",
                                        notes="Contact lists checked; awaiting the committee."),
                                    today=today)
            continue
        if kind == "policy":
            _review(session, coordinator, config, document, today, add_months(today, -10),
                    "top_management", "Top management", kind="security_level",
                    notes="High security level maintained; no change.")
            _review(session, coordinator, config, document, today, add_months(today, -3),
                    "top_management", "Top management",
                    notes="Reassessed; approved by the committee and top management.")
        elif title == "Information security handbook":
            proposed = reviews.add_version(
                session, coordinator, config, document, _file(title, "2.0"), label="2.0",
                change="major", summary="New chapter on AI and cloud services.",
                today=add_months(today, -5))
            _review(session, coordinator, config, document, today, add_months(today, -5),
                    "security_committee", "Security committee", outcome="updated",
                    version_id=proposed.id, notes="Major change approved before use.")
        else:
            _review(session, coordinator, config, document, today,
                    add_months(today, -(len(title) % 9 + 1)), "security_committee",
                    "Security committee")


RISKS = (
    ("Ransomware on the statistics production", "Encryption of servers by malware",
     "Flat network between office and production", 3, 5, "reduce", 2, 4),
    ("Disclosure of microdata", "Researcher takes home unchecked output",
     "Manual output checking", 2, 5, "reduce", 1, 4),
    ("Phishing of staff credentials", "Credential theft by e-mail", "Users click links", 4, 3,
     "reduce", 2, 3),
    ("Unpatched legacy SFTP server", "Exploitation of known flaws", "Vendor support ended",
     3, 4, "accept", 3, 4),
    ("Loss of the primary data centre", "Fire or long power failure", "One site", 1, 5,
     "transfer", 1, 3),
    ("Insider misuse of register data", "Look-ups without a work need",
     "Broad read access", 2, 4, "reduce", 1, 3),
    ("Sub-processor breach", "Breach at the hosting provider", "Shared platform", 2, 4,
     "transfer", 2, 3),
    ("Technical debt in the survey platform", "Outdated frameworks", "No budget for rewrite",
     3, 3, "accept", 3, 3),
    ("Insufficient logging of searches", "Misuse not detected", "Logs kept 30 days only", 3, 3,
     "reduce", 2, 2),
    ("Unapproved AI tools", "Confidential data pasted into public AI services",
     "No technical block", 4, 4, "reduce", 2, 3),
    ("DDoS on the public statistics bank", "Service unavailable", "Single internet link", 3, 2,
     "avoid", 1, 2),
    ("Error in published statistics", "Wrong figures released", "Manual steps", 2, 3,
     "reduce", 1, 2),
)


def _risks(session, coordinator, owner, today) -> None:
    annual = risks.create_assessment(session, coordinator, risks.AssessmentDetails(
        title=f"Annual risk assessment {today.year}", kind="periodic", owner_id=coordinator.id,
        assessed_on=add_months(today, -2), status="completed",
        scope="The statistics production, the research service and their IT systems.",
        topics=["gdpr", "technical_debt", "breaches", "vulnerabilities", "logging",
                "new_technology"]), today=today)
    for index, (title, threat, weakness, lik, con, treat, r_lik, r_con) in enumerate(RISKS):
        accepted = treat == "accept"
        expired = accepted and index == 3  # the legacy server's acceptance has run out
        risks.add_risk(session, coordinator, annual, risks.RiskDetails(
            title=title, threat=threat, vulnerability=weakness, likelihood=lik,
            consequence=con, treatment=treat, residual_likelihood=r_lik,
            residual_consequence=r_con, owner_id=owner.id,
            due_on=today + timedelta(days=30 * (index % 6 + 1)) if treat == "reduce" else None,
            accepted_by="Top management" if accepted else None,
            accepted_on=add_months(today, -14 if expired else -2) if accepted else None,
            accepted_until=(today - timedelta(days=45) if expired else add_months(today, 10))
            if accepted else None,
            assets="Statistics production" if index % 2 else "Research service"), today=today)


def _assessment(session, coordinator, today, title, kind, lines) -> int:
    made = risks.create_assessment(session, coordinator, risks.AssessmentDetails(
        title=title, kind=kind, owner_id=coordinator.id, assessed_on=today - timedelta(days=40),
        status="completed", topics=["gdpr", "new_technology", "logging"]), today=today)
    for title_, threat, lik, con in lines:
        risks.add_risk(session, coordinator, made, risks.RiskDetails(
            title=title_, threat=threat, likelihood=lik, consequence=con, treatment="reduce",
            residual_likelihood=max(1, lik - 1), residual_consequence=con), today=today)
    return made.id


def _adoptions(session, coordinator, config, today) -> None:
    ai = adoptions.create_adoption(session, coordinator, adoptions.AdoptionDetails(
        title="AI assistant for coding occupations (DISCO)",
        categories=["ai_solution", "cloud_service"], personal_data=True,
        owner_id=coordinator.id,
        description="A language model suggests occupation codes for free-text survey answers."),
        today=today - timedelta(days=60))
    adoptions.record_risk_assessment(session, coordinator, ai, _assessment(
        session, coordinator, today, "Risk assessment: AI coding assistant", "ai",
        [("Answers leave the EU", "Model hosted abroad", 2, 4),
         ("Wrong codes published", "Model errors", 3, 3)]))
    adoptions.record_impact_analysis(session, coordinator, ai, summary=None, assessment_id=(
        _assessment(session, coordinator, today, "DPIA: AI coding assistant", "dpia",
                    [("Identification of respondents", "Free text names people", 2, 4)])))
    adoptions.record_presentation(session, coordinator, config, ai,
                                  presented_on=today - timedelta(days=20),
                                  minutes=_minutes("AI coding assistant presented",
                                                   today - timedelta(days=20)), today=today)
    adoptions.record_decision(session, coordinator, ai, decision="approved",
                              decided_on=today - timedelta(days=20),
                              decided_by="Top management", today=today,
                              notes="Approved with EU hosting and pseudonymised input only.")
    cloud = adoptions.create_adoption(session, coordinator, adoptions.AdoptionDetails(
        title="Cloud backup of the statistics production database",
        categories=["cloud_service", "data_sharing"], personal_data=True,
        owner_id=coordinator.id), today=today - timedelta(days=30))
    adoptions.record_risk_assessment(session, coordinator, cloud, _assessment(
        session, coordinator, today, "Risk assessment: cloud backup", "cloud",
        [("Provider staff access backups", "Insider at provider", 2, 5)]))
    adoptions.record_impact_analysis(session, coordinator, cloud, summary=None, assessment_id=(
        _assessment(session, coordinator, today, "DPIA: cloud backup", "dpia",
                    [("Backups restored abroad", "Third-country transfer", 2, 4)])))


def _dispensations(session, coordinator, today) -> None:
    def request(days_ago, requirement, title, reason, measures):
        return dispensations.request_dispensation(
            session, coordinator, dispensations.DispensationDetails(
                requirement=requirement, title=title, reason=reason,
                compensating_measures=measures), today=today - timedelta(days=days_ago))

    active = request(60, "iso27001-2022:A.8.5", "Legacy SFTP server without MFA",
                     "The vendor's SFTP server supports passwords only until its replacement.",
                     "IP allow-list for the two senders; weekly review of the access log.")
    dispensations.decide(session, coordinator, active, outcome="approved",
                         decided_by="Chair of the security committee",
                         decided_on=today - timedelta(days=55), valid_from=None,
                         valid_until=today + timedelta(days=120),
                         conditions="Replace the server before the validity ends.", today=today)
    expired = request(200, "iso27001-2022:A.5.16", "Shared service account on the HR system",
                      "The HR system's batch interface accepts one account only.",
                      "Password in the vault; use logged and reviewed monthly.")
    dispensations.decide(session, coordinator, expired, outcome="approved",
                         decided_by="Chair of the security committee",
                         decided_on=today - timedelta(days=195), valid_from=None,
                         valid_until=today - timedelta(days=20), conditions=None, today=today)
    zone = ZoneInfo(current_app.config["KONTROL_TIMEZONE"])
    decided = datetime.combine(today - timedelta(days=18), time(2, 40), tzinfo=zone)
    emergency = dispensations.request_dispensation(
        session, coordinator, dispensations.DispensationDetails(
            requirement="iso27001-2022:A.8.20", emergency=True, decided_at=decided,
            decided_by="On-call IT operations manager",
            title="Firewall opened for the vendor during the outage",
            reason="The storage vendor needed direct access to restore production at night.",
            compensating_measures="Access limited to one vendor address and monitored live.",
            desired_until=today - timedelta(days=16)), today=today,
        report_days=int(current_app.config.get("KONTROL_EMERGENCY_REPORT_DAYS", 3)))
    dispensations.record_report(session, coordinator, emergency,
                                reported_at=decided + timedelta(days=5, hours=6))
    dispensations.decide(session, coordinator, emergency, outcome="approved",
                         decided_by="Chair of the security committee",
                         decided_on=(decided + timedelta(days=6)).date(), valid_from=None,
                         valid_until=today + timedelta(days=14),
                         conditions="Close the rule when the vendor's fix is installed.",
                         today=today)


def seed_governance(session: Session, users_by_role: dict) -> list[str]:
    """Add the demo registers once; returns what it did."""
    from .views import settings

    coordinator = users_by_role.get("coordinator")
    owner = users_by_role.get("control_owner") or coordinator
    if coordinator is None or session.scalar(select(Control.id).where(
            Control.key == "iso27001-2022:A.5.1")) is None:
        return ["governance: no catalogue loaded; demo registers skipped"]
    if session.scalar(select(GoverningDocument.id).limit(1)) is not None:
        return []
    config = settings(current_app)
    today = utcnow().astimezone(config.zone).date()
    _documents(session, coordinator, owner, config, today)
    _risks(session, coordinator, owner, today)
    _adoptions(session, coordinator, config, today)
    _dispensations(session, coordinator, today)
    return ["governance: 7 documents with a year of reviews, the annual risk assessment "
            "(12 risks), 2 technology adoptions, 2 dispensations and 1 emergency deviation"]
