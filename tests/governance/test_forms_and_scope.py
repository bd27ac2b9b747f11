"""Forms keep errors at their fields and open with stored values; writes are in the ledger;
external auditors see register entries only within their engagements' periods."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audits.models import Engagement, EngagementMember
from app.governance.models import Dispensation, GoverningDocument, Risk
from app.ledger.models import LedgerEntry
from tests.evidence.support import post_multipart, sign_in
from tests.factories import make_firm, make_user
from tests.governance.builders import fill


def test_register_form_keeps_input_and_shows_field_errors(client, db_session, controls,
                                                          coordinator, owner):
    sign_in(client, coordinator)
    response = post_multipart(client, "/governance/documents/new", {
        "title": "Password guideline", "kind": "policy", "owner_id": str(owner.id),
        "approving_body": "security_committee", "review_interval_months": "12",
        "controls": ["iso27001-2022:A.5.1"], "label": "1.0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The information security policy is approved by top management." in page
    assert 'value="Password guideline"' in page
    assert db_session.scalar(select(func.count(GoverningDocument.id))) == 0
    response = post_multipart(client, "/governance/documents/new", {
        "title": "Password guideline", "kind": "guideline", "owner_id": str(owner.id),
        "approving_body": "security_committee", "review_interval_months": "12",
        "controls": ["iso27001-2022:A.5.1"], "label": "1.0", "approved_on": "2026-01-31"},
        {"file": (b"text", "guideline.txt", "text/plain")})
    assert response.status_code == 302
    document = db_session.scalar(select(GoverningDocument))
    assert document.next_review_due == date(2027, 1, 31)
    edit = client.get(f"/governance/documents/{document.id}/edit").get_data(as_text=True)
    assert 'value="Password guideline"' in edit and 'value="12"' in edit
    assert 'selected value="iso27001-2022:A.5.1"' in edit or (
        'value="iso27001-2022:A.5.1" selected' in edit)


def test_risk_and_dispensation_forms(client, db_session, settings, controls, coordinator,
                                     owner):
    fill(db_session, settings, coordinator, owner, 1)
    sign_in(client, coordinator)
    risk = db_session.scalar(select(Risk).where(Risk.accepted_on.is_not(None)))
    page = client.get(f"/governance/risks/{risk.id}/edit").get_data(as_text=True)
    assert f'value="{risk.title}"' in page and 'value="Board"' in page
    response = client.post(f"/governance/risks/{risk.id}/edit", data={
        "title": risk.title, "threat": "T", "likelihood": "3", "consequence": "4",
        "treatment": "accept", "accepted_by": "Board", "accepted_on": "2026-01-01",
        "accepted_until": "2025-12-01", "version": str(risk.version)})
    assert response.status_code == 422
    assert "The acceptance ends before it was given." in response.get_data(as_text=True)
    response = client.post("/governance/dispensations/new", data={
        "requirement": "iso27001-2022:A.5.8", "reason": "", "compensating_measures": "x"})
    assert response.status_code == 422
    assert "Say why the requirement cannot be met." in response.get_data(as_text=True)
    item = db_session.scalar(select(Dispensation).where(Dispensation.emergency.is_(False)))
    response = client.post(f"/governance/dispensations/{item.id}/decisions", data={
        "outcome": "approved", "decided_by": "Chair", "decided_on": date.today().isoformat(),
        "version": str(item.version)})
    assert response.status_code == 422
    assert "give the last day it is valid" in response.get_data(as_text=True)


def test_every_write_is_in_the_ledger(db_session, settings, controls, coordinator, owner):
    fill(db_session, settings, coordinator, owner, 1)
    actions = set(db_session.scalars(select(LedgerEntry.action)))
    assert {"document.created", "document.reviewed", "risk_assessment.created", "risk.added",
            "adoption.created", "adoption.risk_assessed", "dispensation.requested",
            "dispensation.decided", "dispensation.emergency"} <= actions


def test_external_auditors_see_only_their_periods(client, db_session, settings, controls,
                                                  coordinator, owner):
    fill(db_session, settings, coordinator, owner, 1)
    external = make_user(db_session, role="external_auditor")
    engagement = Engagement(name="ISAE 2024", kind="isae3000_type2",
                            period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
                            firm_id=make_firm(db_session, external).id)
    db_session.add(engagement)
    db_session.flush()
    db_session.add(EngagementMember(engagement_id=engagement.id, user_id=external.id,
                                    role="external"))
    db_session.commit()
    sign_in(client, external)
    document_id = db_session.scalar(select(GoverningDocument.id))
    risk_id = db_session.scalar(select(Risk.id))
    assert "Guideline 0" not in client.get("/governance/documents").get_data(as_text=True)
    assert client.get(f"/governance/documents/{document_id}").status_code == 404
    assert client.get(f"/governance/risks/{risk_id}").status_code == 404
    assert "Dispensation 0" not in client.get("/governance/dispensations").get_data(
        as_text=True)
    engagement.period_end = date(2026, 12, 31)
    db_session.commit()
    assert client.get(f"/governance/documents/{document_id}").status_code == 200
    assert client.get(f"/governance/risks/{risk_id}").status_code == 200


def test_soa_page_and_exports_show_active_dispensations(client, db_session, settings, controls,
                                                        coordinator, owner):
    from app.catalogue.models import SoAEntry

    fill(db_session, settings, coordinator, owner, 1)
    db_session.add(SoAEntry(control=controls["iso27001-2022:A.5.8"], applicable=True))
    db_session.commit()
    sign_in(client, coordinator)
    page = client.get("/soa/").get_data(as_text=True)
    assert "Dispensation #" in page and 'data-testid="soa-dispensation"' in page
    book = load_workbook(io.BytesIO(client.get("/soa/export.xlsx").data))
    sheet = book.active
    assert sheet.cell(row=4, column=10).value == "Dispensations"
    notes = [row[9] for row in sheet.iter_rows(min_row=5, values_only=True) if row[9]]
    assert notes and notes[0].startswith("Dispensation #")
    pdf = client.get("/reports/soa.pdf")
    assert pdf.status_code == 200
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Dispensation #" in text
    control_page = client.get("/controls/iso27001-2022:A.5.8").get_data(as_text=True)
    assert 'data-testid="active-dispensations"' in control_page
    reviewed = client.get("/controls/isae3000-gdpr:A.1").get_data(as_text=True)
    latest = reviewed.split('data-testid="latest-reviews"')[1].split("</ul>")[0]
    assert "Guideline 0" in latest and "Awaiting approval" in latest
    assert "last approved" in latest


def test_risk_register_export_matches_the_page(client, db_session, settings, controls,
                                               coordinator, owner):
    fill(db_session, settings, coordinator, owner, 1)
    risk = db_session.scalar(select(Risk).where(Risk.accepted_on.is_not(None)))
    risk.threat = "=HYPERLINK(\"http://evil\")"
    db_session.commit()
    sign_in(client, coordinator)
    response = client.get("/governance/risks/export.xlsx?acceptance=expired")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [r[2] for r in rows] == [risk.id]
    assert rows[0][4] == "=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=5, column=5).data_type == "s" and sheet.cell(row=5, column=5).quotePrefix
    assert rows[0][20] == "Yes"
    page = client.get("/governance/risks?acceptance=expired").get_data(as_text=True)
    assert page.count(f'href="/governance/risks/{risk.id}"') == 1
