"""Journey: a coordinator asks the owner for evidence; the owner uploads it from "My requests";
the coordinator finds it on the control page and in the coverage map, and downloads it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.catalogue.models import Control
from app.catalogue.service import assign_owner
from app.catalogue.sync import load_catalogues
from app.extensions import db
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser

KEY = "iso27001-2022:A.8.8"


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_request_upload_and_download(fresh_app, page, tmp_path):
    fresh_app.config["KONTROL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    with fresh_app.app_context():
        load_catalogues(db.session, SYSTEM)
        coordinator = make_user(db.session, role="coordinator", name="Signe Holm")
        owner = make_user(db.session, role="control_owner", name="Mads Krogh")
        control = db.session.scalar(select(Control).where(Control.key == KEY))
        assign_owner(db.session, SYSTEM, control, owner.id, control.version)
        emails = coordinator.email, owner.email
        db.session.remove()

    sign_in(page, emails[0])
    page.goto(f"/controls/{KEY}")
    page.get_by_role("link", name="Request evidence").click()
    page.get_by_label("Due").fill("2099-01-31")
    page.get_by_label("What is needed").fill("Last month's vulnerability scan report.")
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Request sent.").wait_for()
    page.get_by_test_id("logout").click()

    sign_in(page, emails[1])
    page.goto("/evidence/requests")
    page.get_by_role("link", name="Answer", exact=True).click()
    page.get_by_test_id("answering").wait_for()
    page.get_by_label("File").set_input_files(files=[{
        "name": "scan-report.csv", "mimeType": "text/csv",
        "buffer": b"host,critical,high\nweb01,0,1\n"}])
    page.get_by_label("Title").fill("Vulnerability scan, October")
    page.get_by_label("Date or start of period").fill("2099-01-01")
    page.get_by_label("End of period").fill("2099-01-31")
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_text(
        "Evidence “Vulnerability scan, October” added; request #1 is answered.").wait_for()
    expect(page.get_by_test_id("versions").get_by_text("scan-report.csv")).to_be_visible()
    page.get_by_test_id("logout").click()

    sign_in(page, emails[0])
    page.goto(f"/controls/{KEY}")
    section = page.get_by_test_id("evidence-section")
    section.get_by_role("link", name="Vulnerability scan, October").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="scan-report.csv").click()
    assert download.value.suggested_filename == "scan-report.csv"
    assert Path(download.value.path()).read_bytes() == b"host,critical,high\nweb01,0,1\n"
    page.goto("/evidence/coverage?from=2099-01&to=2099-03&catalogue=iso27001-2022")
    assert page.get_by_test_id("coverage-summary").inner_text() == (
        "1 of 93 controls have evidence in the period.")
    page.goto("/evidence/requests?scope=raised&closed=1")
    expect(page.get_by_test_id("requests").get_by_text("Answered")).to_be_visible()
