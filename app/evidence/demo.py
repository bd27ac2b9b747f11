"""Demo evidence for Nordlys Statistik A/S, idempotent (items are matched by title).

Notes, links and small files across the catalogues, some expiring or expired, and one overdue
evidence request.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalogue.models import Control
from ..time import local_today
from . import evidence_requests, service
from .models import Evidence, EvidenceRequest

ACCESS_REVIEW_CSV = """user,group,manager,decision,reviewed_on
anna.berg,FINANCE-READ,Mads Krogh,keep,{day}
bo.nielsen,MICRODATA-ADMIN,Mads Krogh,remove,{day}
carla.dahl,HR-ALL,Signe Holm,keep,{day}
dennis.lund,MICRODATA-READ,Mads Krogh,keep,{day}
"""

RESTORE_TEST = """Backup restore test — Nordlys Statistik A/S
Date: {day}
System: statistics production database (PostgreSQL 16)
Restored snapshot: nightly backup of the previous day
Result: restored in 47 minutes; row counts and checksums match the source.
Tested by: Mads Krogh. Witnessed by: Signe Holm.
"""

PENTEST_SUMMARY = """Penetration test summary — externally facing systems
Period: {start} to {end}
Scope: www.nordlys.example, api.nordlys.example, remote access gateway
Findings: 0 critical, 1 high (fixed), 3 medium, 5 low
Retest: all high findings verified fixed.
"""


def _items(today: date) -> list[dict]:
    year_start = date(today.year, 1, 1)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    last_month_start = last_month_end.replace(day=1)
    last_year = today.year - 1
    return [
        {"kind": "note", "title": "Quarterly access review signed off",
         "controls": ["iso27001-2022:A.5.18", "iso27001-2022:A.8.2"],
         "start": last_month_start, "end": last_month_end,
         "text": "All access rights in the finance and microdata systems were reviewed by the "
                 "system owners. Two accounts removed; see the export attached to the review.",
         "tags": ["access review", "quarterly"]},
        {"kind": "file", "title": "User access review export",
         "controls": ["iso27001-2022:A.5.18"], "start": last_month_start,
         "end": last_month_end, "filename": "access-review-export.csv",
         "content_type": "text/csv",
         "body": ACCESS_REVIEW_CSV.format(day=last_month_end.isoformat()),
         "tags": ["access review"]},
        {"kind": "link", "title": "Weekly vulnerability scan dashboard",
         "controls": ["iso27001-2022:A.8.8"], "start": today - timedelta(days=7),
         "end": today - timedelta(days=1),
         "url": "https://scanner.nordlys.example/reports/weekly", "tags": ["scan", "weekly"]},
        {"kind": "file", "title": "Backup restore test report",
         "controls": ["iso27001-2022:A.8.13", "soa-extensions:X.11"],
         "start": year_start + timedelta(days=40), "end": year_start + timedelta(days=40),
         "filename": "restore-test.txt", "content_type": "text/plain",
         "body": RESTORE_TEST.format(day=(year_start + timedelta(days=40)).isoformat()),
         "tags": ["backup"]},
        {"kind": "file", "title": "Penetration test report (externally facing systems)",
         "controls": ["soa-extensions:X.12", "iso27001-2022:A.8.8"],
         "start": date(last_year, 9, 1), "end": date(last_year, 9, 30),
         "valid_until": today - timedelta(days=10), "filename": "pentest-summary.txt",
         "content_type": "text/plain",
         "body": PENTEST_SUMMARY.format(start=date(last_year, 9, 1), end=date(last_year, 9, 30)),
         "tags": ["pentest", "annual"]},
        {"kind": "link", "title": "Sub-processor auditor's statement (hosting provider)",
         "controls": ["isae3000-gdpr:F.5"], "start": date(last_year, 1, 1),
         "end": date(last_year, 12, 31), "valid_until": today + timedelta(days=20),
         "url": "https://vendors.nordlys.example/hosting/isae3402-statement",
         "tags": ["sub-processor"]},
        {"kind": "note", "title": "Information security policy approved by management",
         "controls": ["iso27001-2022:A.5.1", "isae3000-gdpr:C.1"],
         "start": year_start + timedelta(days=20), "end": year_start + timedelta(days=20),
         "valid_until": year_start + timedelta(days=385),
         "text": "The board approved version 7 of the information security policy at its "
                 "meeting; minutes item 4.", "tags": ["policy", "annual"]},
    ]


def seed_evidence(session: Session, users_by_role: dict) -> list[str]:
    """Add the demo evidence and one overdue request; skips what already exists."""
    from .views import settings

    coordinator = users_by_role.get("coordinator")
    owner = users_by_role.get("control_owner")
    if coordinator is None or session.scalar(select(Control.id).limit(1)) is None:
        return ["evidence: no catalogue loaded; demo evidence skipped"]
    config = settings(current_app)
    today = local_today()
    known = set(session.scalars(select(Control.key)))
    existing = set(session.scalars(select(Evidence.title)))
    added = 0
    for item in _items(today):
        if item["title"] in existing or not set(item["controls"]) <= known:
            continue
        details = service.EvidenceDetails(
            title=item["title"], controls=item["controls"], period_start=item["start"],
            period_end=item["end"], valid_until=item.get("valid_until"),
            description=item.get("text"), tags=item["tags"],
            owner_id=owner.id if owner else None)
        if item["kind"] == "file":
            upload = service.Upload(io.BytesIO(item["body"].encode("utf-8")), item["filename"],
                                    item["content_type"])
            service.add_file_evidence(session, coordinator, config, details, upload)
        elif item["kind"] == "link":
            service.add_link_evidence(session, coordinator, details, item["url"])
        else:
            service.add_note_evidence(session, coordinator, details)
        added += 1
    lines = [f"evidence: {added} demo item(s) added"] if added else []
    return lines + _overdue_request(session, coordinator, today)


def _overdue_request(session: Session, coordinator, today: date) -> list[str]:
    key = "iso27001-2022:A.8.15"
    control = session.scalar(select(Control).where(Control.key == key))
    if control is None or session.scalar(select(EvidenceRequest.id).where(
            EvidenceRequest.control_id == control.id)) is not None:
        return []
    # Asked three weeks ago, due five days ago: overdue today. The catalogue's demo step (run
    # first) makes the demo control owner the owner of A.8.15; without it the coordinator is asked.
    evidence_requests.create_request(
        session, coordinator, key, assignee_id=control.owner_id or coordinator.id,
        due_on=today - timedelta(days=5), today=today - timedelta(days=21),
        description="Please upload last month's log review for the statistics production "
                    "servers (who reviewed, what was found, follow-up).")
    return [f"evidence: 1 overdue evidence request for {key}"]
