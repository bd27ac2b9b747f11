"""Demo organisation profile for Nordlys Statistik A/S (fictional)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..auth.actors import CLI
from ..time import local_today
from .models import OrganisationProfile
from .service import update_profile

PROFILE = {
    "name": "Nordlys Statistik A/S",
    "registration_no": "12345678",
    "city": "Aalborg",
    "service_en": "statistics production and the research service for microdata",
    "service_da": "statistikproduktion og forskerservice for mikrodata",
    "processing_en": (
        "# Introduction and scope\n"
        "Nordlys Statistik A/S produces official statistics and runs a research service that "
        "gives approved researchers access to microdata. For the public authorities and "
        "businesses that deliver register data, Nordlys is a data processor: it processes the "
        "data only to produce the statistics and research datasets they have ordered.\n\n"
        "# Categories of data\n"
        "- identification data (personal identification numbers, pseudonymised on arrival)\n"
        "- income, education and employment data\n"
        "- health data for approved research projects\n\n"
        "# How we process the data\n"
        "We process personal data only on the documented instructions of the controller set "
        "out in the data processing agreement. If we consider an instruction unlawful, our DPO "
        "tells the controller before any processing takes place. Only staff whose work requires "
        "it are authorised; their access is closed on the day the authorisation ends, and every "
        "employee is bound by a duty of confidentiality that continues after they leave.\n\n"
        "Researchers work only on pseudonymised data in a secure analysis environment, and every "
        "result they take home is checked for disclosure risk first.\n\n"
        "# Security of processing\n"
        "Information security is managed in an ISMS certified to ISO/IEC 27001:2022. Measures "
        "follow a yearly risk assessment of the processing and cover encryption, network "
        "segmentation, two-factor authentication, logging with daily follow-up, vulnerability "
        "scanning and a yearly penetration test of externally facing systems.\n\n"
        "# Sub-processors and transfers\n"
        "The controllers have given a general approval of the sub-processors listed below. We "
        "tell the controllers at least 30 days before a sub-processor is added or replaced, and "
        "they may object within one month. Each sub-processor must send us its auditor's "
        "statement for the previous year by 31 December, with a list of observations, their "
        "significance, its comments and its deadlines, or an explicit statement that there "
        "were none. One sub-processor, the helpdesk service, keeps support tickets in the "
        "United States; the transfer rests on the EU standard contractual clauses and a "
        "transfer impact assessment.\n\n"
        "# Organisation and responsibility\n"
        "The security committee, chaired by the managing director, approves the information "
        "security policy every year and follows up on the controls each quarter. A data "
        "protection working group of the DPO, the head of IT and the head of statistics "
        "production meets monthly and keeps the record of processing activities up to date.\n\n"
        "# Personal data breaches\n"
        "Suspected breaches are reported at once to the security team, assessed the same day "
        "and recorded in the incident register, whether they are notified or not. Affected "
        "controllers are told within 24 hours, so that they can notify the Danish Data "
        "Protection Agency and, where needed, the data subjects.\n\n"
        "# The data subjects' rights\n"
        "We help the controllers answer requests from data subjects for access, rectification, "
        "erasure and restriction; requests that reach us are passed on to the controller "
        "within two working days."),
    "processing_da": (
        "# Indledning og omfang\n"
        "Nordlys Statistik A/S udarbejder officiel statistik og driver en forskerservice, der "
        "giver godkendte forskere adgang til mikrodata. For de myndigheder og virksomheder, "
        "der leverer registerdata, er Nordlys databehandler: oplysningerne behandles kun for at "
        "udarbejde de statistikker og forskningsdatasæt, de har bestilt.\n\n"
        "# Kategorier af oplysninger\n"
        "- identifikationsoplysninger (CPR-numre, pseudonymiseret ved modtagelsen)\n"
        "- oplysninger om indkomst, uddannelse og beskæftigelse\n"
        "- helbredsoplysninger til godkendte forskningsprojekter\n\n"
        "# Sådan behandler vi oplysningerne\n"
        "Vi behandler kun personoplysninger efter den dataansvarliges dokumenterede instruks i "
        "databehandleraftalen. Vurderer vi, at en instruks er ulovlig, underretter vores DPO den "
        "dataansvarlige, før behandlingen går i gang. Kun medarbejdere, hvis arbejde kræver "
        "det, bliver autoriseret; deres adgang lukkes samme dag, autorisationen ophører, og alle "
        "medarbejdere har tavshedspligt, som også gælder efter fratrædelsen.\n\n"
        "Forskere arbejder kun med pseudonymiserede data i et sikkert analysemiljø, og alle "
        "resultater, de tager med sig, kontrolleres først for risiko for røbelse.\n\n"
        "# Behandlingssikkerhed\n"
        "Informationssikkerheden styres i et ISMS, der er certificeret efter ISO/IEC 27001:2022. "
        "Foranstaltningerne bygger på en årlig risikovurdering af behandlingen og omfatter "
        "kryptering, netværkssegmentering, tofaktorautentifikation, logning med daglig "
        "opfølgning, sårbarhedsscanning og en årlig penetrationstest af eksternt vendte "
        "systemer.\n\n"
        "# Underdatabehandlere og overførsler\n"
        "De dataansvarlige har givet en generel godkendelse af de underdatabehandlere, der er "
        "anført nedenfor. Vi underretter de dataansvarlige mindst 30 dage før, en "
        "underdatabehandler tilføjes eller udskiftes, og de kan gøre indsigelse inden for en "
        "måned. Hver underdatabehandler skal senest 31. december sende os revisors erklæring "
        "for det foregående år med en liste over observationer, deres betydning, "
        "underdatabehandlerens kommentarer og frister, eller en udtrykkelig oplysning om, at "
        "der ikke har været nogen. Én underdatabehandler, helpdesktjenesten, opbevarer "
        "supporthenvendelser i USA; overførslen sker på grundlag af EU's "
        "standardkontraktbestemmelser og en vurdering af overførslens virkning.\n\n"
        "# Organisering og ansvar\n"
        "Sikkerhedsudvalget med den administrerende direktør som formand godkender hvert år "
        "informationssikkerhedspolitikken og følger kvartalsvis op på kontrollerne. En "
        "arbejdsgruppe for databeskyttelse med DPO'en, it-chefen og chefen for "
        "statistikproduktionen mødes månedligt og holder fortegnelsen over "
        "behandlingsaktiviteter ajour.\n\n"
        "# Brud på persondatasikkerheden\n"
        "Formodede brud meldes straks til sikkerhedsteamet, vurderes samme dag og registreres "
        "i hændelsesregistret, uanset om de anmeldes. Berørte dataansvarlige underrettes inden "
        "24 timer, så de kan anmelde bruddet til Datatilsynet og om nødvendigt underrette de "
        "registrerede.\n\n"
        "# De registreredes rettigheder\n"
        "Vi hjælper de dataansvarlige med at besvare anmodninger fra registrerede om indsigt, "
        "berigtigelse, sletning og begrænsning; anmodninger, der når os, sendes videre til den "
        "dataansvarlige inden for to arbejdsdage."),
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


def seed_reports(session: Session, users: dict) -> list[str]:
    """The demo engagements' reports: last year's in review, the year before's issued.

    Management signs its statement and the engagement partner signs and issues the older
    report today (a report is dated no earlier than the review of its evidence, which the
    demo performs now); its opinion is qualified on objective B.
    """
    from flask import current_app
    from sqlalchemy import select

    from ..audits.models import Engagement, EngagementStatus
    from ..evidence.storage import EvidenceStore
    from ..vendors.demo import seed_subprocessors
    from .signing import (
        StatementSignature,
        issue_engagement,
        sign_auditor_report,
        sign_statement,
    )

    partner = users.get("partner@revision.example")
    coordinator = users.get("coordinator")
    # The report lists the register's sub-processors: seed them (idempotent) before issuing.
    lines = seed_subprocessors(session, users)
    engagements = session.scalars(select(Engagement).where(
        Engagement.name.like("ISAE 3000 GDPR % (type 2)"), Engagement.firm_id.is_not(None),
        Engagement.status == EngagementStatus.REVIEW).order_by(Engagement.period_end))
    organisation = current_app.config["KONTROL_ORGANISATION"]
    today = local_today()
    for engagement in list(engagements):
        if engagement.period_end.year != today.year - 2 or partner is None:
            continue
        signed_on = today
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
