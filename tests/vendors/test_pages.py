"""The register's pages as a user meets them: list, forms, errors at fields, export, tile."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.vendors import follow_up, notices, service
from app.vendors.models import SubProcessor
from tests.factories import SYSTEM
from tests.vendors.conftest import details

FORM = {"name": "HelpDesk Cloud Inc.", "registration_number": "EIN 12-3456789",
        "address": "500 Market Street, San Francisco", "country": "US",
        "countries": ["US", "IE"], "processing_en": "Support tickets.",
        "processing_da": "Supporthenvendelser.", "data_categories": "Names\nTicket text",
        "approval": "general", "controllers": "", "start_date": "2025-02-01",
        "status": "active", "risk_rating": "high", "contact": "", "transfer_basis": "",
        "scc_version": "", "transfer_note": ""}


def test_empty_register_says_what_to_do(client, login_as):
    login_as("coordinator")
    page = client.get("/subprocessors/").get_data(as_text=True)
    assert "The register is empty" in page and "Register the first sub-processor" in page
    client.post("/logout")
    login_as("viewer")
    assert "The coordinator keeps the register." in client.get("/subprocessors/").get_data(
        as_text=True)


def test_register_form_refuses_a_third_country_at_the_field_and_keeps_the_input(
        client, login_as, db_session):
    login_as("coordinator")
    response = client.post("/subprocessors/new", data=FORM)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index('id="transfer_basis"'):]
    assert "United States is outside the EU/EEA" in field[:1500]
    assert 'value="HelpDesk Cloud Inc."' in page and "Supporthenvendelser." in page
    assert db_session.query(SubProcessor).count() == 0

    response = client.post("/subprocessors/new", data={
        **FORM, "transfer_basis": "scc", "scc_version": "2021/914-m3"})
    assert response.status_code == 302
    assert db_session.query(SubProcessor).one().transfers[0].country == "US"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Standard contractual clauses" in page and "2021/914, module 3" in page
    assert "Missing" in page  # the transfer impact assessment


def test_danish_messages_name_the_country_in_danish(client, login_as):
    login_as("coordinator")
    client.post("/language", data={"language": "da", "next": "/"})
    page = client.post("/subprocessors/new", data=FORM).get_data(as_text=True)
    assert "USA ligger uden for EU/EØS" in page


def test_edit_form_opens_with_the_stored_values(client, login_as, make_sp):
    sp = make_sp(controllers=["Ministry A", "Ministry B"], contact="Lars Bech")
    login_as("coordinator")
    page = client.get(f"/subprocessors/{sp.id}/edit").get_data(as_text=True)
    for text in ('value="Nordic Hosting ApS"', 'value="87654321"', "Drift af datacentret.",
                 "Ministry A\nMinistry B", 'value="2024-01-01"', 'value="Lars Bech"'):
        assert text in page, text
    assert '<option selected value="high">' in page or 'value="high" selected' in page


def test_list_filters_searches_sorts_and_flags(client, login_as, make_sp):
    make_sp(name="Alpha Mail", countries=["IE"], risk_rating="low", start_date=date(2026, 1, 1))
    make_sp(name="Zulu Support", countries=["US"], risk_rating="high",
            basis=service.TransferBasis("scc", "2021/914-m3"), start_date=date(2022, 1, 1))
    login_as("viewer")
    page = client.get("/subprocessors/?sort=risk").get_data(as_text=True)
    assert page.index("Zulu Support") < page.index("Alpha Mail")
    page = client.get("/subprocessors/?country=US").get_data(as_text=True)
    assert "Zulu Support" in page and "Alpha Mail" not in page
    page = client.get("/subprocessors/?overdue=1").get_data(as_text=True)
    assert "Zulu Support" in page and "Alpha Mail" not in page and "Overdue" in page
    page = client.get("/subprocessors/?q=alpha").get_data(as_text=True)
    assert "Alpha Mail" in page and "Zulu Support" not in page
    assert "No sub-processor matches" in client.get("/subprocessors/?q=nothing").get_data(
        as_text=True)


def test_list_pages_keep_a_constant_query_count(client, login_as, db_session, ctx,
                                                count_queries):
    login_as("viewer")

    def add(count):
        for number in range(count):
            service.create_subprocessor(db_session, SYSTEM, details(
                name=f"Vendor {number:03d}", countries=["DK", "US"]),
                service.TransferBasis("scc", "2021/914-m3"), ctx)

    def measure(url):
        client.get(url)  # warm caches (the session's user, translations)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add(4)
    small = {url: measure(url) for url in ("/subprocessors/", "/subprocessors/export.xlsx", "/")}
    add(36)
    large = {url: measure(url) for url in small}
    assert large == small


def test_export_matches_the_filtered_list(client, login_as, make_sp):
    make_sp(name="=HYPERLINK(\"http://evil\")", countries=["US"],
            basis=service.TransferBasis("scc", "2021/914-m3"))
    make_sp(name="Alpha Mail", countries=["IE"])
    login_as("viewer")
    response = client.get("/subprocessors/export.xlsx?country=US")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert len(rows) == 1
    assert rows[0][0] == '=HYPERLINK("http://evil")'  # text, not a formula
    assert sheet.cell(5, 1).data_type == "s" and sheet.cell(5, 1).quotePrefix
    assert rows[0][14] == "United States: SCC 2021/914-m3 (no transfer impact assessment)"
    assert rows[0][9] == date(2024, 1, 1) or rows[0][9].date() == date(2024, 1, 1)
    danish = load_workbook(io.BytesIO(client.get(
        "/subprocessors/export.xlsx?lang=da").data)).active
    assert danish.cell(4, 1).value in ("Name", "Navn")


def test_statement_form_records_observations_and_opens_with_them(client, login_as, make_sp,
                                                                  db_session):
    sp = make_sp()
    login_as("coordinator")
    page = client.get(f"/subprocessors/{sp.id}/statements/new?year=2024").get_data(as_text=True)
    assert 'value="2024"' in page and "observations-2-description" in page
    bad = client.post(f"/subprocessors/{sp.id}/statements/new", data={
        "year": "2024", "received_on": "2025-03-01", "opinion": "qualified",
        "observations-0-description": "Access not revoked", "observations-0-significance": ""})
    assert bad.status_code == 422
    assert "Choose the observation&#39;s significance." in bad.get_data(as_text=True)
    ok = client.post(f"/subprocessors/{sp.id}/statements/new", data={
        "year": "2024", "received_on": "2026-01-05", "opinion": "qualified",
        "observations-0-description": "Access not revoked",
        "observations-0-significance": "high", "observations-0-comment": "Fixed in May",
        "observations-0-remediation_due": "2026-05-31", "observations-1-description": ""})
    assert ok.status_code == 302
    page = client.get(f"/subprocessors/{sp.id}").get_data(as_text=True)
    assert "Access not revoked" in page and "Late" in page and "Missing: overdue" not in page
    statement = sp.statements[0]
    edit = client.get(f"/subprocessors/statements/{statement.id}/edit").get_data(as_text=True)
    assert "Access not revoked" in edit and 'value="2026-05-31"' in edit


def test_viewers_and_owners_without_f_or_g_cannot_record(client, login_as, make_sp):
    sp = make_sp()
    login_as("viewer")
    assert client.get("/subprocessors/new").status_code == 403
    login_as("control_owner")
    assert client.get(f"/subprocessors/{sp.id}/follow-ups/new").status_code == 403
    assert client.post(f"/subprocessors/{sp.id}/changes/new", data={
        "kind": "add", "notified_on": "2026-01-01", "effective_on": "2026-02-01"}
    ).status_code == 403


def test_detail_page_in_danish_with_notice_and_follow_up(client, login_as, make_sp, ctx,
                                                         db_session):
    sp = make_sp(status="proposed", start_date=date(2026, 7, 1))
    notice = notices.record_change(db_session, SYSTEM, sp, notices.NoticeDetails(
        kind="add", notified_on=date(2026, 6, 10), effective_on=date(2026, 6, 30)), ctx)
    follow_up.record_follow_up(db_session, SYSTEM, sp, follow_up.FollowUpDetails(
        kind="inspection", performed_on=date(2026, 6, 1), conclusion="Visited the site."), ctx)
    login_as("coordinator")
    client.post("/language", data={"language": "da", "next": "/"})
    page = client.get(f"/subprocessors/{sp.id}").get_data(as_text=True)
    assert "Kort varsel" in page and "20 dage" in page and "Drift af datacentret." in page
    assert "Visited the site." in page and f"{notice.objection_deadline:%d.%m.%Y}" in page
    edit = client.get(f"/subprocessors/changes/{notice.id}/edit").get_data(as_text=True)
    assert 'value="2026-06-10"' in edit and 'value="2026-06-30"' in edit


def test_dashboard_tile(client, login_as, make_sp):
    make_sp(start_date=date(2020, 1, 1))
    login_as("viewer")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="subprocessors-dashboard"' in page
    assert "with an auditor's statement overdue" in page


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_transfer_form_stores_the_tia_as_g3_evidence(client, login_as, make_sp, db_session,
                                                     loaded_catalogue, role):
    sp = make_sp(countries=["US"], basis=service.TransferBasis("scc", "2021/914-m3"))
    transfer = sp.transfers[0]
    login_as(role)
    page = client.get(f"/subprocessors/transfers/{transfer.id}/edit").get_data(as_text=True)
    assert 'value="Nordic Hosting ApS"' in page and 'value="2021/914-m3" selected' in page \
        or 'selected value="2021/914-m3"' in page
    response = client.post(f"/subprocessors/transfers/{transfer.id}/edit", data={
        "recipient": "Nordic Hosting ApS", "transfer_basis": "scc",
        "scc_version": "2021/914-m3", "transfer_note": "", "version": transfer.version,
        "tia_date": "2026-01-10",
        "tia_file": (io.BytesIO(b"TIA text"), "tia.txt")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.refresh(transfer)
    assert transfer.tia_evidence.controls[0].key == "isae3000-gdpr:G.3"


def test_objection_and_follow_up_forms_round_trip(client, login_as, make_sp, ctx, db_session):
    sp = make_sp(status="proposed", start_date=date(2026, 7, 1))
    notice = notices.record_change(db_session, SYSTEM, sp, notices.NoticeDetails(
        kind="add", notified_on=date(2026, 5, 31), effective_on=date(2026, 7, 1)), ctx)
    login_as("coordinator")
    page = client.get(f"/subprocessors/changes/{notice.id}/objections/new").get_data(as_text=True)
    assert "2026-06-30" in page  # the objection deadline, end-of-month clamped
    bad = client.post(f"/subprocessors/changes/{notice.id}/objections/new", data={
        "controller": "Ministry A", "received_on": "2026-06-02", "reason": "Data must stay.",
        "outcome": "rejected"})
    assert bad.status_code == 422 and "Give the date the outcome was decided." in bad.get_data(
        as_text=True)
    assert client.post(f"/subprocessors/changes/{notice.id}/objections/new", data={
        "controller": "Ministry A", "received_on": "2026-06-02", "reason": "Data must stay.",
        "outcome": "pending"}).status_code == 302
    objection = notice.objections[0]
    edit = client.get(f"/subprocessors/objections/{objection.id}/edit").get_data(as_text=True)
    assert 'value="Ministry A"' in edit and "Data must stay." in edit
    assert client.post(f"/subprocessors/{sp.id}/follow-ups/new", data={
        "kind": "meeting", "performed_on": "2026-06-01", "conclusion": "Agreed the plan.",
        "performed_by_id": ""}).status_code == 302
    follow = sp.follow_ups[0]
    edit = client.get(f"/subprocessors/follow-ups/{follow.id}/edit").get_data(as_text=True)
    assert "Agreed the plan." in edit and 'value="2026-06-01"' in edit
