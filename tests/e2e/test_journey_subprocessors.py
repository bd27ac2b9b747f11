"""Journey: the coordinator registers a US support tool (refused without a transfer basis, then
under SCCs), attaches the transfer impact assessment, records a late auditor's statement with
an observation and its file, and finds it all on the page, in the list and in the export."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.catalogue.sync import load_catalogues
from app.extensions import db
from tests.e2e.test_journey_evidence import sign_in
from tests.factories import SYSTEM, make_user

pytestmark = pytest.mark.browser


def test_register_a_transfer_and_record_a_statement(fresh_app, page, tmp_path):
    fresh_app.config["KONTROL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    with fresh_app.app_context():
        load_catalogues(db.session, SYSTEM)
        email = make_user(db.session, role="coordinator", name="Signe Holm").email
        db.session.remove()

    sign_in(page, email)
    page.get_by_role("link", name="Sub-processors").click()
    page.get_by_test_id("empty-register").wait_for()
    page.get_by_role("link", name="Register the first sub-processor").click()
    page.get_by_label("Name", exact=True).fill("HelpDesk Cloud Inc.")
    page.get_by_label("Company registration number").fill("EIN 12-3456789")
    page.get_by_label("Address").fill("500 Market Street, San Francisco")
    page.get_by_label("Established in").select_option("US")
    page.get_by_label("Countries of processing").select_option(["US", "IE"])
    page.get_by_label("Description of the processing (English)").fill("Support tickets.")
    page.get_by_label("Description of the processing (Danish)").fill("Supporthenvendelser.")
    page.get_by_label("Categories of personal data").fill("Names\nTicket text")
    page.get_by_label("Processing starts").fill("2024-03-01")
    page.get_by_label("Risk rating").select_option("high")
    page.get_by_role("button", name="Register").click()

    error = page.locator(".field.has-error", has=page.get_by_label("Transfer basis"))
    assert "United States is outside the EU/EEA" in error.inner_text()
    assert page.get_by_label("Name", exact=True).input_value() == "HelpDesk Cloud Inc."
    page.get_by_label("Transfer basis").select_option("scc")
    page.get_by_label("Version of the standard contractual clauses").select_option(
        "2021/914-m3")
    page.get_by_role("button", name="Register").click()
    page.get_by_text("Sub-processor registered.").wait_for()
    transfers = page.get_by_test_id("transfers")
    assert "Standard contractual clauses" in transfers.inner_text()
    assert "Missing" in transfers.inner_text()

    transfers.get_by_role("link", name="Edit").click()
    page.get_by_label("Transfer impact assessment").set_input_files(files=[{
        "name": "tia.txt", "mimeType": "text/plain", "buffer": b"Transfer impact assessment"}])
    page.get_by_label("Date of the assessment").fill("2024-02-10")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Transfer saved.").wait_for()
    assert "2024-02-10" in page.get_by_test_id("transfers").inner_text()

    statements = page.get_by_test_id("statements")
    assert "Missing: overdue" in statements.inner_text()  # 2024 was due by 31 December 2025
    page.get_by_role("link", name="Record a statement").click()
    page.get_by_label("Year of processing covered").fill("2024")
    page.get_by_label("Received").fill("2026-01-20")
    page.get_by_label("Type").select_option("soc2")
    page.get_by_label("Auditor's opinion").select_option("qualified")
    page.get_by_label("Statement file").set_input_files(files=[{
        "name": "soc2-2024.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 test"}])
    page.locator("#observations-0-description").fill("Access reviews were not performed.")
    page.locator("#observations-0-significance").select_option("high")
    page.locator("#observations-0-remediation_due").fill("2026-06-30")
    page.get_by_role("button", name="Record statement").click()
    page.get_by_text("Statement recorded.").wait_for()
    row = page.get_by_test_id("statements").get_by_role("row").filter(has_text="2024")
    assert "Late" in row.inner_text() and "Access reviews were not performed." in row.inner_text()
    row.get_by_role("link", name="File").click()
    assert "soc2-2024.pdf" in page.get_by_test_id("versions").inner_text()

    page.goto("/subprocessors/?country=US")
    assert "HelpDesk Cloud Inc." in page.get_by_test_id("subprocessor-list").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.cell(5, 1).value == "HelpDesk Cloud Inc."
    assert "Standard contractual clauses" not in (sheet.cell(5, 15).value or "")  # short form
    assert sheet.cell(5, 15).value == "United States: SCC 2021/914-m3"
