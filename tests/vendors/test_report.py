"""The ISAE 3000 report takes its sub-processor list from the register, in both languages."""

from __future__ import annotations

from datetime import date

import pytest

from app.reports import service as reports
from app.reports.pdf import build_isae_report
from app.vendors.report import subprocessors_for_report
from tests.audits.conftest import engagement, people  # noqa: F401
from tests.reports.test_reports import pdf_text


@pytest.fixture
def register(make_sp):
    """In use in 2025, ended before it, and only proposed."""
    make_sp(name="Nordic Hosting ApS", start_date=date(2024, 1, 1))
    make_sp(name="Mailsikker Ireland Ltd", registration_number="654321", country="IE",
            countries=["IE"], address="12 Harbour Road, Dublin 2",
            processing_en="Secure e-mail.", processing_da="Sikker e-mail.",
            start_date=date(2025, 11, 1))
    make_sp(name="Gone Before ApS", start_date=date(2020, 1, 1), end_date=date(2024, 12, 31),
            status="ended")
    make_sp(name="Not Yet A/S", start_date=date(2025, 3, 1), status="proposed")


def test_the_list_is_the_register_for_the_period(db_session, register):
    entries = subprocessors_for_report(db_session, date(2025, 1, 1), date(2025, 12, 31), "da")
    assert [e.line for e in entries] == [
        "Mailsikker Ireland Ltd, reg.nr. 654321, 12 Harbour Road, Dublin 2, Irland: "
        "Sikker e-mail.",
        "Nordic Hosting ApS, CVR-nr. 87654321, Datavej 1, 8000 Aarhus C, Danmark: "
        "Drift af datacentret."]
    # a type 1 report at one date
    assert [e.name for e in subprocessors_for_report(db_session, None, date(2025, 6, 30),
                                                     "en")] == ["Nordic Hosting ApS"]


@pytest.mark.parametrize(("lang", "expected"), [
    ("da", ("Erklæringen anvender partielmetoden",
            "Nordic Hosting ApS, CVR-nr. 87654321, Datavej 1, 8000 Aarhus C, Danmark: Drift af "
            "datacentret.", "anvender underdatabehandlerne")),
    ("en", ("applies the carve-out method",
            "Nordic Hosting ApS, CVR no. 87654321, Datavej 1, 8000 Aarhus C, Denmark: "
            "Operation of the data centre.", "uses the sub-processors")),
])
def test_isae_report_prints_the_register(db_session, register, engagement, people,  # noqa: F811
                                         lang, expected):
    report = reports.isae_report(db_session, people["auditor"], engagement, lang, "Kontrol",
                                 date(2026, 2, 1))
    assert len(report.sub_processors) == 2
    text = pdf_text(build_isae_report(report))
    for phrase in expected:
        assert phrase in text, phrase
    assert "Mailsikker Ireland Ltd" in text
    assert "Gone Before ApS" not in text and "Not Yet A/S" not in text
