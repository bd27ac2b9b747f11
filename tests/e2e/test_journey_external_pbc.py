"""Journey: the audit firm's auditor opens their engagement, follows it to its findings (and
only theirs), asks the control owner for evidence on the PBC list, reads what was delivered,
exports the list, and takes the draft report and the bundle — at desktop and phone sizes."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from app.audits import conclusions, deviations, populations, samples, service
from app.auth.actors import CLI
from app.catalogue.models import Control
from app.catalogue.service import assign_owner
from app.catalogue.sync import load_catalogues
from app.evidence.storage import EvidenceStore
from app.extensions import db
from app.firms import service as firms
from app.reports import service as reports
from tests.e2e.conftest import JOURNEY_SIZES, VIEWPORTS
from tests.e2e.daily import sign_in, sign_out
from tests.factories import make_firm, make_user
from tests.reports.conftest import PROFILE

pytestmark = pytest.mark.browser
LEAVERS = "isae3000-gdpr:C.5"
ENGAGEMENT = "ISAE 3000 GDPR 2025"
DELIVERED = b"employee;last_day\nE004;2025-04-11\nE017;2025-09-30\n"


def _performed_with_a_finding(session, engagement, auditor, store, title):
    """C.5 sampled, one deviation, concluded not material, and the finding raised."""
    test = next(t for t in engagement.tests if t.control.key == LEAVERS)
    population = populations.enter_population(
        session, auditor, test, "\n".join(f"Leaver E{n:03d}" for n in range(1, 21)), store)
    sample = samples.draw_sample(session, auditor, test, population, store, 4)
    for position, item in enumerate(sample.items):
        samples.record_result(session, auditor, item,
                              "deviation" if position == 0 else "no_deviation",
                              "Laptop returned three weeks late" if position == 0 else None,
                              None, item.version)
    conclusions.conclude_test(
        session, auditor, test, judgement="not_material", version=test.version,
        justification="Access was closed on time; only the laptop came back late.",
        texts=conclusions.TestTexts(result_text_en="One laptop was returned late."))
    return deviations.raise_deviation(session, auditor, None, title, "One laptop came back "
                                      "three weeks after the last day.", "minor", None, None,
                                      test=test)


def _seed(app) -> dict:
    with app.app_context():
        session, store = db.session, EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])
        load_catalogues(session, CLI)
        reports.update_profile(session, CLI, PROFILE, 0)
        people = {"partner": make_user(session, "external_auditor", name="Lene Partner"),
                  "senior": make_user(session, "external_auditor", name="Peter Senior"),
                  "owner": make_user(session, "control_owner", name="Mads Krogh"),
                  "internal": make_user(session, "internal_auditor", name="Ida Winther")}
        control = session.query(Control).filter_by(key=LEAVERS).one()
        assign_owner(session, CLI, control, people["owner"].id, control.version)
        firm = firms.save_firm(session, CLI, None, firms.FirmDetails(
            "Revision & Partnere, Statsautoriseret Revisionspartnerselskab", "39874512",
            "Havnegade 12, 8000 Aarhus C", "Aarhus"))
        firms.add_member(session, CLI, firm, people["partner"].id, "mne45871")
        firms.add_member(session, CLI, firm, people["senior"].id, None)
        ours = service.create_engagement(session, people["internal"], service.EngagementPlan(
            name=ENGAGEMENT, kind="isae3000_type2", period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31), catalogues=["isae3000-gdpr"],
            team_ids=[people["internal"].id], firm_id=firm.id,
            partner_id=people["partner"].id, external_ids=[people["senior"].id]))
        _performed_with_a_finding(session, ours, people["senior"], store,
                                  "Laptop returned late")
        # Another firm's engagement over the same control, with a finding of its own.
        other_auditor = make_user(session, "external_auditor", name="Other Firm")
        other_firm = make_firm(session, other_auditor, name="Anden Revision")
        theirs = service.create_engagement(session, people["internal"], service.EngagementPlan(
            name="Another firm's audit", kind="isae3000_type2", period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31), control_keys=[LEAVERS], firm_id=other_firm.id,
            partner_id=other_auditor.id))
        _performed_with_a_finding(session, theirs, other_auditor, store, "Not yours to see")
        found = {role: user.email for role, user in people.items()}
        found["engagement"] = ours.id
        db.session.remove()
    return found


WIDEST = """() => Array.from(document.querySelectorAll("body *"))
  .map((e) => [Math.round(e.getBoundingClientRect().right), e.tagName + "." + e.className])
  .filter(([right]) => right > document.documentElement.clientWidth)
  .sort((a, b) => b[0] - a[0]).slice(0, 5)"""


def _fits(page, viewport):
    page.wait_for_load_state()  # measured on a page still being parsed, it may be wider
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], (
        f"{page.url} scrolls sideways: {width}px; widest: {page.evaluate(WIDEST)}")


@pytest.mark.parametrize("viewport", JOURNEY_SIZES)
def test_external_auditor_findings_pbc_report_and_bundle(fresh_app, page, step, viewport):
    seeded = _seed(fresh_app)
    due = (date.today() + timedelta(days=10)).isoformat()

    with step("the auditor sees exactly their engagement"):
        sign_in(page, seeded["senior"])
        assert page.locator("header a[href='/deviations/']").count() == 1  # Findings, in the menu
        page.goto("/audits/")
        assert page.locator("table a strong").all_inner_texts() == [ENGAGEMENT]
        page.get_by_role("link", name=ENGAGEMENT).click()
        _fits(page, viewport)

    with step("the engagement leads to its findings, and only to them"):
        page.get_by_test_id("findings-link").click()
        listed = page.get_by_test_id("deviation-list")
        expect(listed.get_by_role("link", name="Laptop returned late")).to_be_visible()
        assert "Not yours to see" not in page.content()
        _fits(page, viewport)
        listed.get_by_role("link", name="Laptop returned late").click()
        page.get_by_role("heading", name="Laptop returned late").wait_for()

    with step("from the finding to its test and back by the test page's link"):
        page.get_by_role("link", name="Test of C.5").click()
        page.get_by_role("link", name="Laptop returned late").click()
        page.get_by_role("heading", name="Laptop returned late").wait_for()
        _fits(page, viewport)

    with step("ask the control owner for evidence on the PBC list"):
        page.goto(f"/audits/{seeded['engagement']}")
        page.get_by_test_id("pbc-link").click()
        page.get_by_text("Nothing has been asked for in this engagement yet.").wait_for()
        page.get_by_label("Control").select_option(LEAVERS)
        page.get_by_label("Due").fill(due)
        page.get_by_label("What is needed").fill("The HR system's list of leavers for 2025.")
        page.get_by_role("button", name="Send request").click()
        page.get_by_text(f"Request #1 sent to Mads Krogh, due {due}.").wait_for()
        assert page.get_by_test_id("pbc-summary").inner_text().startswith("Open: 1")
        _fits(page, viewport)
        sign_out(page)

    with step("the control owner delivers"):
        sign_in(page, seeded["owner"])
        page.goto("/evidence/requests")
        assert page.get_by_test_id("request-engagement").inner_text() == (
            f"PBC list of {ENGAGEMENT}")
        page.get_by_role("link", name="Answer", exact=True).click()
        page.get_by_test_id("answering").wait_for()
        page.get_by_label("File").set_input_files(files=[{
            "name": "leavers-2025.csv", "mimeType": "text/csv", "buffer": DELIVERED}])
        page.get_by_label("Title").fill("HR leaver list 2025")
        page.get_by_label("Date or start of period").fill("2024-12-31")  # before the period
        page.get_by_role("button", name="Add evidence").click()
        page.get_by_text("Evidence “HR leaver list 2025” added; request #1 is answered.").wait_for()
        sign_out(page)

    with step("the auditor reads what was delivered"):
        sign_in(page, seeded["senior"])
        page.goto(f"/audits/{seeded['engagement']}/pbc")
        row = page.locator("tr[data-state='delivered']")
        expect(row.get_by_text("Delivered")).to_be_visible()
        row.get_by_test_id("delivered").click()
        page.get_by_role("heading", name="HR leaver list 2025").wait_for()
        with page.expect_download() as download:
            page.get_by_role("link", name="leavers-2025.csv").first.click()
        assert Path(download.value.path()).read_bytes() == DELIVERED

    with step("export the PBC list as the page shows it"):
        page.goto(f"/audits/{seeded['engagement']}/pbc")
        with page.expect_download() as download:
            page.get_by_test_id("pbc-xlsx-en").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5)]
        assert len(rows) == page.locator("tr[data-state]").count() == 1
        assert rows[0][0] == 1 and rows[0][8] == "Delivered"
        assert rows[0][10] == "#1 HR leaver list 2025"

    with step("open the draft report and download it"):
        page.goto(f"/audits/{seeded['engagement']}")
        page.get_by_test_id("report-page").click()
        page.get_by_role("heading", name="ISAE 3000 report").wait_for()
        _fits(page, viewport)
        with page.expect_download() as download:
            page.get_by_test_id("pdf-da").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    with step("build and download the bundle"):
        page.goto(f"/audits/{seeded['engagement']}")
        page.locator("details.menu summary").click()
        page.get_by_label("English").check()
        page.get_by_test_id("bundle").click()
        with page.expect_download() as download:
            page.get_by_test_id("bundle-download").click()
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert "MANIFEST.sha256" in archive.namelist()
        assert any(name.startswith("workpapers") for name in archive.namelist())
