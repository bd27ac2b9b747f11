"""Reports read back as a reader would: ISAE 3000 PDF text, internal report, workpapers, SoA,
and the external auditor's bundle with its manifest."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.audits import conclusions, samples
from app.audits.models import ItemResult
from app.evidence import service as evidence
from app.evidence.storage import EvidenceStore
from tests.audits.conftest import csv_population, find_test
from tests.factories import make_user


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks folded and line-end hyphens joined, as a reader reads it."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(re.sub(r"(\w)-\n(\w)", r"\1\2", text).split())


def _conclude(db_session, auditor, test, store, deviations=()):
    population = csv_population(db_session, auditor, test, store, 40)
    sample = samples.draw_sample(db_session, auditor, test, population, store, 10)
    for position, item in enumerate(sample.items):
        bad = position in deviations
        samples.record_result(db_session, auditor, item,
                              ItemResult.DEVIATION if bad else ItemResult.NO_DEVIATION,
                              "Revoked 9 days late" if bad else None, None, item.version)
    if deviations:
        conclusions.conclude_test(
            db_session, auditor, test, judgement="not_material",
            justification="Both leavers had no access to personal data after leaving.",
            texts=conclusions.TestTexts(
                result_text_en="Two leavers kept access too long.",
                result_text_da="To fratrådte beholdt adgangen for længe.",
                management_comment_en="Automated since October.",
                management_comment_da="Automatiseret siden oktober."),
            version=test.version)
    else:
        conclusions.conclude_test(db_session, auditor, test, judgement=None,
                                  version=test.version)


@pytest.fixture
def tested(db_session, engagement, people, store):
    """B.9 passes, C.5 has two deviations judged not material; the rest are open."""
    _conclude(db_session, people["senior"], find_test(engagement, "isae3000-gdpr:B.9"), store)
    _conclude(db_session, people["senior"], find_test(engagement, "isae3000-gdpr:C.5"), store,
              deviations=(1, 6))
    return engagement


def _signed_in(client, user):
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})


def test_isae_report_in_danish_is_a_draft_with_the_results(client, db_session, tested, people):
    _signed_in(client, people["senior"])
    response = client.get(f"/reports/engagements/{tested.id}/isae3000.pdf?lang=da")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "Ingen væsentlige afvigelser konstateret." in text
    assert ("AFVIGELSE Vi har konstateret afvigelser i 2 af 10 testede elementer. "
            "To fratrådte beholdt adgangen for længe.") in text
    assert "Ledelsens kommentar: Automatiseret siden oktober." in text
    assert "Ingen yderligere væsentlige afvigelser konstateret." in text
    assert "Stikprøve: 10 af 40" in text and "ud af" not in text
    assert "Endnu ikke afsluttet." in text  # open tests
    assert "UDKAST" in text and "Udkast – ikke underskrevet." in text
    assert "Kontrolmål G" in text and "[mangler dansk tekst]" in text  # G's reason is English
    assert "i hele perioden fra 1. januar 2025 til 31. december 2025" in text
    assert "i hele perioden for perioden" not in text
    assert "Grundlag for konklusion med forbehold" not in text


def test_report_is_deterministic(db_session, tested, people):
    from app.reports import service as reports
    from app.reports.pdf import build_isae_report

    def build():
        return build_isae_report(reports.isae_report(db_session, people["external"], tested,
                                                     "en", "Kontrol", date(2026, 2, 1)))

    assert build() == build()


def test_other_firms_cannot_download(client, db_session, tested, people):
    _signed_in(client, people["stranger"])
    assert client.get(f"/reports/engagements/{tested.id}/isae3000.pdf").status_code == 404
    assert client.post(f"/reports/engagements/{tested.id}/bundles",
                       data={"lang": "da"}).status_code == 404


def test_cli_writes_the_draft_report(runner, db_session, tested, tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "isae3000", "--engagement", str(tested.id),
                                 "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "DRAFT" in result.output
    assert "No material deviations noted." in pdf_text(out.read_bytes())


def test_internal_audit_report(client, db_session, tested, people):
    from app.audits.deviations import raise_deviation

    control = find_test(tested, "isae3000-gdpr:C.5").control
    raise_deviation(db_session, people["auditor"], control, "Leavers kept access",
                    "Two leavers kept access for more than a week.", "minor", None,
                    date.today(), engagement=tested)
    _signed_in(client, people["auditor"])
    response = client.get(f"/reports/engagements/{tested.id}/internal.pdf?lang=en")
    text = pdf_text(response.data)
    assert "Leavers kept access" in text and "ISAE 3000 GDPR 2025" in text
    assert "Two leavers kept access too long." in text


def test_workpapers_let_an_auditor_reperform(client, db_session, tested, people):
    _signed_in(client, people["external"])
    response = client.get(f"/reports/engagements/{tested.id}/workpapers.xlsx?lang=en")
    book = load_workbook(io.BytesIO(response.data))
    assert {"A", "B", "C", "I"} <= set(book.sheetnames)
    sample = find_test(tested, "isae3000-gdpr:C.5").samples[-1]
    cells = [str(cell) for row in book["C"].iter_rows(values_only=True) for cell in row if cell]
    assert sample.seed in cells and sample.population_fingerprint in cells
    # The judgement and its justification, the evaluation and the preparer's sign-off.
    assert "Both leavers had no access to personal data after leaving." in cells
    assert any(cell.startswith("2 deviation(s) in 10: upper deviation limit 45.0% against a "
                               "tolerable rate of 10.0%") for cell in cells)
    assert any(cell.startswith("Peter Senior (") for cell in cells)


def test_bundle_holds_report_workpapers_index_files_and_a_manifest(
        client, db_session, tested, people, app):
    coordinator = make_user(db_session, role="coordinator")
    settings = evidence.EvidenceSettings(store=EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"]))
    evidence.add_file_evidence(
        db_session, coordinator, settings,
        evidence.EvidenceDetails(title="Leaver list 2025", controls=["isae3000-gdpr:C.5"],
                                 period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)),
        evidence.Upload(io.BytesIO(b"employee,last_day\nE1,2025-03-01\n"), "leavers.csv",
                        "text/csv"))
    evidence.add_note_evidence(db_session, coordinator, evidence.EvidenceDetails(
        title="Old note", controls=["isae3000-gdpr:C.5"], period_start=date(2023, 1, 1),
        description="Outside the period."))
    _signed_in(client, people["external"])
    response = client.post(f"/reports/engagements/{tested.id}/bundles",
                           data={"lang": "en", "include_files": "y"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Download kontrol-engagement-" in page
    bundle_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    download = client.get(f"/reports/bundles/{bundle_id}/download", buffered=True)
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = set(archive.namelist())
    assert {"isae3000-report-en.pdf", "workpapers-en.xlsx", "evidence-index.csv",
            "MANIFEST.sha256"} <= names
    assert any(name.endswith("leavers.csv") for name in names)
    index = archive.read("evidence-index.csv").decode()
    assert "Leaver list 2025" in index and "Old note" not in index  # period decides scope
    for line in archive.read("MANIFEST.sha256").decode().splitlines():
        if line.startswith("#"):  # comments, which `sha256sum -c` skips
            continue
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert hashlib.sha256(download.data).hexdigest() in page


def test_soa_pdf(client, login_as, loaded_catalogue):
    login_as("viewer")
    response = client.get("/reports/soa.pdf?lang=en&catalogue=iso27001-2022")
    text = pdf_text(response.data)
    assert "Statement of Applicability" in text and "A.8.15" in text


def test_profile_fills_the_management_statement(client, login_as, db_session, tested, people):
    login_as("coordinator")
    response = client.post("/reports/profile", data={
        "name": "Søhøj Data A/S", "service_en": "payroll processing", "version": 0})
    assert response.status_code == 302
    from app.reports import service as reports
    from app.reports.pdf import build_isae_report

    english = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["auditor"], tested, "en", "Kontrol", date(2026, 2, 1))))
    assert "Søhøj Data A/S processes personal data" in english
    assert "partial" not in english
    danish = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["auditor"], tested, "da", "Kontrol", date(2026, 2, 1))))
    assert "[mangler dansk tekst]" in danish  # no Danish service
    assert "payroll processing" not in danish
