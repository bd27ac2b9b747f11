"""Demo sub-processors for Nordlys Statistik A/S, idempotent (matched by name).

Five sub-processors: hosting in Denmark, e-mail in Ireland, a US support tool under standard
contractual clauses with a transfer impact assessment, a backup provider being added on only
20 days' notice, and a payroll bureau. Dates follow today: the statements for the year before
last are in (one with observations, one late), last year's are due by 31 December.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.actors import CLI
from ..catalogue.models import Control
from ..evidence.service import Upload
from ..evidence.views import settings as evidence_settings
from ..time import local_today
from . import follow_up, notices, service
from .checks import ISAE_CATALOGUE, VendorContext
from .models import SubProcessor

TIA = """Transfer impact assessment — HelpDesk Cloud Inc. (United States)
Data: support tickets (name, e-mail, ticket text); no special categories.
Basis: standard contractual clauses 2021/914, module 3; the importer is also certified under
the EU-US Data Privacy Framework.
Laws assessed: FISA 702, EO 12333 as limited by EO 14086. Likelihood of access: low.
Supplementary measures: encryption at rest with keys held in the EU; pseudonymised user ids.
Conclusion: the transfer may proceed. Review yearly.
"""

STATEMENT = """ISAE 3402 type 2 statement — Nordic Hosting ApS, {year}
Opinion: unqualified. Observations: 2 (see the list attached to the statement).
"""


def _entries(today: date) -> list[dict]:
    first = today.year - 2  # the year before last: its statements are in
    return [
        {"name": "Nordic Hosting ApS", "registration_number": "87654321",
         "address": "Datavej 1, 8000 Aarhus C", "country": "DK", "countries": ["DK"],
         "processing_en": "Operation of the data centre: servers, storage and network for the "
                          "statistics production and the research environment.",
         "processing_da": "Drift af datacentret: servere, lager og netværk til "
                          "statistikproduktionen og forskningsmiljøet.",
         "data_categories": ["All data held in the production systems"],
         "approval": "general", "start_date": date(first, 1, 1), "risk_rating": "high",
         "contact": "Lars Bech, security@nordichosting.example",
         "statement": {"year": first, "received_on": date(first + 1, 3, 14),
                       "statement_type": "isae3402", "opinion": "unqualified", "observations": [
                           {"description": "Two leavers kept access to the backup console for "
                                           "up to 21 days.", "significance": "medium",
                            "comment": "Leaver process now removes console access the same "
                                       "day.", "remediation_due": date(first + 1, 6, 30)},
                           {"description": "Restore tests were not documented for one quarter.",
                            "significance": "low", "comment": "Template introduced.",
                            "remediation_due": date(first + 1, 4, 30)}],
                       "file": True},
         "follow_up": {"kind": "inspection", "days_ago": 200,
                       "conclusion": "Visited the Aarhus data centre: access control, logging "
                                     "and environmental controls as described. No remarks."}},
        {"name": "Mailsikker Ireland Ltd", "registration_number": "654321",
         "address": "12 Harbour Road, Dublin 2", "country": "IE", "countries": ["IE"],
         "processing_en": "Secure e-mail: sending and storing e-mail to and from researchers "
                          "and data suppliers.",
         "processing_da": "Sikker e-mail: afsendelse og opbevaring af e-mail til og fra "
                          "forskere og dataleverandører.",
         "data_categories": ["Names and e-mail addresses", "Content of e-mails"],
         "approval": "general", "start_date": date(first, 1, 1), "risk_rating": "medium",
         "contact": "privacy@mailsikker.example",
         "statement": {"year": first, "received_on": date(first + 2, 2, 10),  # late
                       "statement_type": "isae3000", "opinion": "unqualified",
                       "observations": []},
         "follow_up": {"kind": "questionnaire", "days_ago": 380,
                       "conclusion": "Security questionnaire answered in full; no gaps."}},
        {"name": "HelpDesk Cloud Inc.", "registration_number": "EIN 12-3456789",
         "address": "500 Market Street, San Francisco, CA 94105", "country": "US",
         "countries": ["US", "IE"],
         "processing_en": "Support tool: tickets from researchers about access to the research "
                          "environment.",
         "processing_da": "Supportværktøj: henvendelser fra forskere om adgang til "
                          "forskningsmiljøet.",
         "data_categories": ["Names and e-mail addresses", "Ticket text"],
         "approval": "specific", "controllers": ["Danish Research Council"],
         "start_date": date(first, 6, 1), "risk_rating": "high",
         "contact": "dpo@helpdeskcloud.example",
         "basis": service.TransferBasis("scc", "2021/914-m3", None), "tia": True,
         "statement": {"year": first, "received_on": date(first + 1, 6, 30),
                       "statement_type": "soc2", "opinion": "unqualified", "observations": []},
         "follow_up": {"kind": "meeting", "days_ago": 150,
                       "conclusion": "Yearly meeting: reviewed SOC 2 bridge letter and the "
                                     "Data Privacy Framework certification."}},
        {"name": "Lønservice Danmark A/S", "registration_number": "11223344",
         "address": "Lønvej 5, 5000 Odense C", "country": "DK", "countries": ["DK"],
         "processing_en": "Payroll for the organisation's own staff.",
         "processing_da": "Lønadministration for organisationens egne medarbejdere.",
         "data_categories": ["Employees' names and personal identification numbers",
                             "Salary and bank account data"],
         "approval": "general", "start_date": date(first, 1, 1), "risk_rating": "medium",
         "statement": {"year": first, "received_on": date(first + 1, 9, 30),
                       "statement_type": "isae3402", "opinion": "unqualified",
                       "observations": []},
         "follow_up": {"kind": "questionnaire", "days_ago": 60,
                       "conclusion": "Questionnaire answered; payroll data deleted after five "
                                     "years as agreed."}},
        {"name": "Arktis Backup AS", "registration_number": "NO 923 456 789",
         "address": "Havnegata 3, 9008 Tromsø", "country": "NO", "countries": ["NO"],
         "processing_en": "Off-site backup copies of the production databases, encrypted "
                          "before they leave Nordlys.",
         "processing_da": "Eksterne sikkerhedskopier af produktionsdatabaserne, krypteret før "
                          "de forlader Nordlys.",
         "data_categories": ["All data held in the production systems (encrypted)"],
         "approval": "general", "start_date": today + timedelta(days=10), "status": "proposed",
         "risk_rating": "low", "contact": "kontakt@arktisbackup.example",
         "notice": {"kind": "add", "notified_on": today - timedelta(days=10),
                    "effective_on": today + timedelta(days=10),
                    "controllers": ["Danish Research Council", "Ministry of Employment"]}},
    ]


def _file_upload(name: str, body: str) -> Upload:
    return Upload(io.BytesIO(body.encode()), name, "text/plain")


def seed_subprocessors(session: Session, users: dict) -> list[str]:
    """Add the demo sub-processors unless they exist; returns what was done."""
    from .views import policy

    today = local_today()
    ctx = VendorContext(today=today, policy=policy(current_app),
                        evidence=evidence_settings(current_app))
    files = session.scalar(select(Control.id).where(
        Control.key == f"{ISAE_CATALOGUE}:F.6")) is not None
    actor = users.get("coordinator") or CLI
    lines = []
    for entry in _entries(today):
        if session.scalar(select(SubProcessor.id).where(SubProcessor.name == entry["name"])):
            continue
        fields = {k: v for k, v in entry.items()
                  if k in service.SubProcessorDetails.__annotations__}
        sp = service.create_subprocessor(session, actor, service.SubProcessorDetails(**fields),
                                         entry.get("basis"), ctx)
        if entry.get("tia") and files:
            transfer = next(t for t in sp.transfers if t.country == "US")
            service.update_transfer(session, actor, transfer, service.TransferDetails(
                transfer.recipient, service.TransferBasis(transfer.basis, transfer.scc_version,
                                                          transfer.note)),
                transfer.version, ctx, tia=_file_upload("tia-helpdesk-cloud.txt", TIA),
                tia_date=entry["start_date"] - timedelta(days=20))
        if "statement" in entry:
            item = dict(entry["statement"])
            body = STATEMENT.format(year=item["year"]) if item.pop("file", False) else None
            item["observations"] = [follow_up.ObservationDetails(**o)
                                    for o in item["observations"]]
            follow_up.record_statement(
                session, actor, sp, follow_up.StatementDetails(
                    **item, no_observations=not item["observations"]), ctx,
                _file_upload(f"statement-{item['year']}.txt", body) if body and files else None)
        if "follow_up" in entry:
            item = entry["follow_up"]
            follow_up.record_follow_up(session, actor, sp, follow_up.FollowUpDetails(
                kind=item["kind"], performed_on=today - timedelta(days=item["days_ago"]),
                conclusion=item["conclusion"]), ctx)
        if "notice" in entry:
            notices.record_change(session, actor, sp, notices.NoticeDetails(**entry["notice"]),
                                  ctx)
        lines.append(f"Sub-processor: {sp.name}")
    return lines
