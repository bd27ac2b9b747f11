"""Reports reuse the audit fixtures (an engagement, its people, the store), and add an
engagement whose report is complete but for the signatures."""

from __future__ import annotations

from datetime import date

import pytest

from app.audits import conclusions, service
from app.reports import service as reports
from app.reports import signing
from tests.audits.conftest import engagement, find_test, people, store  # noqa: F401
from tests.factories import SYSTEM

PROFILE = {
    "name": "Søhøj Data A/S", "registration_no": "12345678", "city": "Vejle",
    "service_en": "payroll processing", "service_da": "lønbehandling",
    "processing_en": "Søhøj Data A/S runs payroll for Danish employers.",
    "processing_da": "Søhøj Data A/S afvikler løn for danske arbejdsgivere.",
    "complementary_controls_en": "The controller keeps its data up to date.",
    "complementary_controls_da": "Den dataansvarlige holder sine oplysninger ajour.",
    "signatory_name": "Åse Østergaard", "signatory_title_en": "Chief Executive Officer",
    "signatory_title_da": "administrerende direktør",
}
SIGNED_ON = TODAY = date.today()  # after the 2025 period, and after the reviews


def conclude_and_review(db_session, people, test, judgement=None, texts=None):
    """The senior auditor concludes `test` (no sample: inspection), the partner reviews it."""
    conclusions.conclude_test(db_session, people["senior"], test, judgement=judgement,
                              texts=texts, version=test.version)
    conclusions.review_test(db_session, people["external"], test, test.version)


@pytest.fixture
def reviewed(db_session, engagement, people):
    """Every test concluded by the firm and reviewed; the profile complete in both languages;
    G's reason in Danish too; the engagement in review. Only the signatures are missing."""
    reports.update_profile(db_session, SYSTEM, PROFILE, 0)
    for test in engagement.tests:
        conclude_and_review(db_session, people, test)
    exclusion = engagement.exclusions[0]
    signing.save_exclusion_reason(db_session, people["senior"], engagement, exclusion.id,
                                  exclusion.reason_en,
                                  "Der overføres intet til tredjelande.")
    service.set_engagement_status(db_session, people["senior"], engagement, "review",
                                  engagement.version)
    return engagement


def sign_both(db_session, people, engagement, coordinator):
    """Management signs its statement, then the partner signs the auditor's report."""
    signing.sign_statement(db_session, coordinator, engagement, signing.StatementSignature(
        "Åse Østergaard", "Chief Executive Officer", "administrerende direktør", "Vejle",
        SIGNED_ON), TODAY)
    signing.sign_auditor_report(db_session, people["external"], engagement, "Aarhus",
                                SIGNED_ON, TODAY, "Kontrol")


__all__ = ["engagement", "find_test", "people", "store"]
