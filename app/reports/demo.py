"""Demo organisation profile for Nordlys Statistik A/S (fictional)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..auth.actors import CLI
from .models import OrganisationProfile
from .service import update_profile

PROFILE = {
    "name": "Nordlys Statistik A/S",
    "registration_no": "12345678",
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
    "complementary_controls_en": (
        "The data controller ensures that instructions for the processing are lawful.\n"
        "The data controller informs the data subjects.\n"
        "The data controller reviews users it has authorised at least yearly."),
    "complementary_controls_da": (
        "Den dataansvarlige sikrer, at instrukserne for behandlingen er lovlige.\n"
        "Den dataansvarlige oplyser de registrerede.\n"
        "Den dataansvarlige gennemgår mindst årligt de brugere, den har autoriseret."),
    "auditor_firm": "Revision & Partnere, statsautoriseret revisionspartnerselskab",
    "signatory": "Anne Nordlys, administrerende direktør",
}


def seed_profile(session: Session, users: dict) -> list[str]:
    """Write the demo profile unless a profile exists."""
    if session.get(OrganisationProfile, 1) is not None:
        return []
    update_profile(session, CLI, PROFILE, 0)
    return ["Organisation profile: Nordlys Statistik A/S"]
