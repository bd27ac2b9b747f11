"""Demo organisation profile for Nordlys Statistik A/S (fictional)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..auth.actors import CLI
from .models import OrganisationProfile
from .service import update_profile

PROFILE = {
    "name": "Nordlys Statistik A/S",
    "registration_no": "12345678",
    "city": "Aalborg",
    "service_en": "statistics production and the research service for microdata",
    "service_da": "statistikproduktion og forskerservice for mikrodata",
    "processing_en": (
        "# Nature of the processing\n"
        "Nordlys Statistik A/S receives register data from public authorities and businesses, "
        "which it processes to produce official statistics, and gives approved researchers "
        "pseudonymised access to microdata in a secure research environment.\n\n"
        "# Categories of data\n"
        "- identification data (personal identification numbers, pseudonymised on arrival)\n"
        "- income, education and employment data\n"
        "- health data for approved research projects\n\n"
        "# Organisation of security\n"
        "Information security is managed in an ISMS certified to ISO/IEC 27001:2022. The "
        "security committee, chaired by the managing director, approves the policy yearly."),
    "processing_da": (
        "# Behandlingens karakter\n"
        "Nordlys Statistik A/S modtager registerdata fra myndigheder og virksomheder og "
        "behandler dem for at udarbejde officiel statistik. Godkendte forskere får "
        "pseudonymiseret adgang til mikrodata i et sikkert analysemiljø.\n\n"
        "# Kategorier af oplysninger\n"
        "- identifikationsoplysninger (CPR-numre, pseudonymiseret ved modtagelsen)\n"
        "- oplysninger om indkomst, uddannelse og beskæftigelse\n"
        "- helbredsoplysninger til godkendte forskningsprojekter\n\n"
        "# Organisering af sikkerheden\n"
        "Informationssikkerheden styres i et ISMS, der er certificeret efter ISO/IEC "
        "27001:2022. Sikkerhedsudvalget med direktøren som formand godkender politikken "
        "årligt."),
    "sub_processors_en": ("Nordic Hosting ApS, CVR 87654321, Datavej 1, 8000 Aarhus C: operation "
                          "of the data centre\nMailsikker A/S, CVR 11223344, Postgade 5, 5000 "
                          "Odense C: secure e-mail"),
    "sub_processors_da": ("Nordic Hosting ApS, CVR 87654321, Datavej 1, 8000 Aarhus C: drift af "
                          "datacentret\nMailsikker A/S, CVR 11223344, Postgade 5, 5000 "
                          "Odense C: sikker e-mail"),
    "complementary_controls_en": (
        "The data controller ensures that instructions for the processing are lawful.\n"
        "The data controller informs the data subjects.\n"
        "The data controller reviews users it has authorised at least yearly."),
    "complementary_controls_da": (
        "Den dataansvarlige sikrer, at instrukserne for behandlingen er lovlige.\n"
        "Den dataansvarlige oplyser de registrerede.\n"
        "Den dataansvarlige gennemgår mindst årligt de brugere, den har autoriseret."),
    "signatory_name": "Anne Nordlys",
    "signatory_title_en": "Managing Director",
    "signatory_title_da": "administrerende direktør",
}


def seed_profile(session: Session, users: dict) -> list[str]:
    """Write the demo profile unless a profile exists."""
    if session.get(OrganisationProfile, 1) is not None:
        return []
    update_profile(session, CLI, PROFILE, 0)
    return ["Organisation profile: Nordlys Statistik A/S"]


NOT_RELEVANT_DA = "Nordlys Statistik A/S overfører ikke personoplysninger til tredjelande."


def seed_reports(session: Session, users: dict) -> list[str]:
    """The demo engagements' reports: last year's in review, the year before's issued.

    Management signs its statement and the engagement partner signs and issues the older
    report in the spring after its period; its opinion is qualified on objective B.
    """
    from datetime import date

    from flask import current_app
    from sqlalchemy import select

    from ..audits.models import Engagement, EngagementStatus
    from ..evidence.storage import EvidenceStore
    from .signing import (
        StatementSignature,
        issue_engagement,
        save_exclusion_reason,
        sign_auditor_report,
        sign_statement,
    )

    partner = users.get("partner@revision.example")
    coordinator = users.get("coordinator")
    lines = []
    engagements = session.scalars(select(Engagement).where(
        Engagement.name.like("ISAE 3000 GDPR % (type 2)"), Engagement.firm_id.is_not(None),
        Engagement.status == EngagementStatus.REVIEW).order_by(Engagement.period_end))
    organisation = current_app.config["KONTROL_ORGANISATION"]
    today = date.today()
    for engagement in list(engagements):
        for exclusion in engagement.exclusions:
            if not exclusion.reason_da:
                save_exclusion_reason(session, coordinator, engagement, exclusion.id,
                                      exclusion.reason_en, NOT_RELEVANT_DA)
        if engagement.period_end.year != today.year - 2 or partner is None:
            continue
        signed_on = date(engagement.period_end.year + 1, 3, 14)
        sign_statement(session, coordinator, engagement, StatementSignature(
            PROFILE["signatory_name"], PROFILE["signatory_title_en"],
            PROFILE["signatory_title_da"], PROFILE["city"], signed_on), today)
        sign_auditor_report(session, partner, engagement, engagement.firm.city, signed_on,
                            today, organisation)
        issued = issue_engagement(session, partner, engagement,
                                  EvidenceStore(current_app.config["KONTROL_EVIDENCE_DIR"]),
                                  organisation)
        lines.append(f"Issued '{engagement.name}' (qualified opinion) dated {signed_on}: "
                     + ", ".join(f"{r.lang} {r.sha256[:12]}…" for r in issued))
    return lines
