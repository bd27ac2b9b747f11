"""Daily use in Chromium on the demo data: every role at phone width and with axe-core, and the
coordinator's journey (search, evidence by code, SoA edit, bulk edit, export against the page,
saved filter) at desktop in English and at phone width in Danish.

A failing step leaves a screenshot under test-artifacts/ (see tests/e2e/daily.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.daily import (
    DESKTOP,
    PHONE,
    Browser,
    axe_violations,
    horizontal_overflow,
    nav_links,
    seed_demo,
)

pytestmark = pytest.mark.browser

ROLES = ("coordinator", "control_owner", "internal_auditor", "external_auditor", "viewer",
         "admin")


def _detail_links(page, limit: int = 2) -> list[str]:
    """The first few links inside the page's main tables (detail pages)."""
    hrefs = page.eval_on_selector_all(
        "main table a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(h for h in hrefs if not re.search(r"\.(pdf|xlsx|csv|zip)", h)))[
        :limit]


@pytest.mark.markup
def test_every_role_fits_a_phone_and_passes_axe(browser, fresh_app, live_server):
    seed_demo(fresh_app)
    overflowing, inaccessible, walked = [], [], {}
    for role in ROLES:
        desk = Browser(browser, live_server, role, viewport=DESKTOP, name="axe")
        desk.sign_in()
        links = nav_links(desk.page)
        for path in links:
            desk.page.goto(path)
            found = axe_violations(desk.page)
            if found:
                shot = desk.screenshot(path)
                inaccessible += [f"{role} {path}: {line} [{shot}]" for line in found]
        desk.close()

        phone = Browser(browser, live_server, role, viewport=PHONE, locale="da-DK",
                        name="phone")
        phone.sign_in()
        page = phone.page
        with phone.step("header collapsed, menu opens"):
            assert page.locator("html").get_attribute("lang") == "da"
            header = page.locator(".topbar").bounding_box()
            assert header["height"] <= 80, f"the header takes {header['height']} px"
            expect(page.locator(".mainnav")).to_be_hidden()
            page.get_by_test_id("menu-button").click()
            expect(page.locator(".mainnav")).to_be_visible()
            assert page.get_by_test_id("menu-button").get_attribute("aria-expanded") == "true"
            phone.screenshot("menu open")
        pages = []
        for path in links:
            page.goto(path)
            pages.append(path)
            pages += [link for link in _detail_links(page) if link not in pages]
        for path in dict.fromkeys(pages):
            page.goto(path)
            extra = horizontal_overflow(page)
            if extra > 1:
                shot = phone.screenshot(path)
                overflowing.append(f"{role} {path}: {extra} px too wide [{shot}]")
        walked[role] = len(pages)
        phone.close()
    assert all(count >= 4 for count in walked.values()), walked
    assert not overflowing, "pages wider than a 390 px phone:\n" + "\n".join(overflowing)
    assert not inaccessible, "axe-core, serious or critical:\n" + "\n".join(inaccessible)


@pytest.mark.parametrize(("viewport", "locale"), [
    pytest.param(DESKTOP, "en-GB", id="desktop-en"),
    pytest.param(PHONE, "da-DK", id="phone-da", marks=pytest.mark.markup)])
def test_coordinator_journey(browser, fresh_app, live_server, viewport, locale):
    seed_demo(fresh_app)
    me = Browser(browser, live_server, "coordinator", viewport=viewport, locale=locale,
                 name=f"coordinator-{viewport['width']}")
    me.sign_in()
    page = me.page
    danish = locale.startswith("da")
    phone = viewport is PHONE

    with me.step("search a control code from the header"):
        page.get_by_test_id("global-search").fill("A.5.15")
        page.get_by_test_id("global-search").press("Enter")
        page.wait_for_url(re.compile(r".*/search\?q=A\.5\.15"))
        page.get_by_test_id("search-controls").locator("a[href='/controls/iso27001-2022:A.5.15']"
                                                        ).click()
        page.wait_for_url("**/controls/iso27001-2022:A.5.15")

    with me.step("evidence filtered by the code people see"):
        page.goto("/evidence/?control=A.5.1")
        rows = page.locator("[data-testid=evidence-list] tbody tr")
        assert rows.count() >= 1 and "A.5.1" in rows.first.inner_text()
        assert horizontal_overflow(page) <= 1

    with me.step("the SoA edit form opens with Applicable ticked and saves"):
        page.goto("/soa/?catalogue=iso27001-2022&q=A.5.1")
        row = page.locator("table.soa tbody tr", has=page.locator("a", has_text=re.compile(
            r"^A\.5\.1$")))
        row.locator("a[href^='/soa/']").click()
        expect(page.locator("input[name=applicable][value=yes]")).to_be_checked()
        page.locator("button.primary[type=submit]").click()
        page.locator(".flash-success").wait_for()
        assert "A.5.1" in page.locator(".flash-success").inner_text()

    with me.step("bulk edit: tick two rows, set the review date"):
        page.goto("/soa/?catalogue=iso27001-2022")
        boxes = page.locator("table.soa tbody input[name=entry]")
        boxes.nth(1).check()
        boxes.nth(2).check()
        page.locator("#soa-bulk input[name=last_reviewed_on]").fill("2026-02-01")
        page.get_by_test_id("soa-bulk-apply").click()
        page.locator(".flash-success").wait_for()
        assert "2" in page.locator(".flash-success").inner_text()

    with me.step("the XLSX export says what the page says"):
        page.goto("/soa/?catalogue=iso27001-2022")
        shown = {}
        for row in page.locator("table.soa tbody tr").all():
            cells = [c.inner_text().strip() for c in row.locator("td").all()]
            shown[cells[1]] = cells[3]
        with page.expect_download() as download:
            page.get_by_test_id("soa-export").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        assert "Nordlys Statistik" in sheet["A1"].value
        implemented = "Implementeret" if danish else "Implemented"
        exported = {row[2]: row[6] for row in sheet.iter_rows(min_row=5, values_only=True)}
        assert set(exported) == set(shown)
        for code, status in exported.items():
            if status:
                assert shown[code] == status, (code, shown[code], status)
        assert implemented in exported.values()

    with me.step("save the filter and apply it again"):
        page.goto("/soa/?catalogue=iso27001-2022&status=planned")
        page.locator("details.save-filter summary").click()
        page.locator("details.save-filter input[name=name]").fill("Planlagt" if danish
                                                                  else "Planned")
        page.get_by_test_id("save-filter").click()
        page.locator(".flash-success").wait_for()
        page.goto("/soa/")
        page.get_by_test_id("saved-filter").first.click()
        page.wait_for_url(re.compile(r".*status=planned.*"))

    if phone:
        with me.step("on the phone the SoA never scrolls sideways"):
            page.goto("/soa/")
            assert horizontal_overflow(page) <= 1
    me.close()
