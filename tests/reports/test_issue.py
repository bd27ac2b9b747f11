"""The ISAE 3000 report as an auditor signs it: what is missing, signatures, the qualified
opinion, issue and the frozen PDFs."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.audits import conclusions
from app.errors import Forbidden, Invalid
from app.evidence.storage import EvidenceStore
from app.ledger.models import LedgerEntry
from app.reports import service as reports
from app.reports import signing
from app.reports.assurance import load_context
from app.reports.pdf import build_isae_report
from app.reports.pdf_layout import format_date
from tests.factories import make_user
from tests.reports.conftest import SIGNED_ON, TODAY, conclude_and_review, find_test, sign_both


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(re.sub(r"(\w)-\n(\w)", r"\1\2", text).split())


def _login(client, user):
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})


def _missing(db_session, engagement):
    return [m.message for m in signing.readiness(load_context(db_session, engagement, "Kontrol"))]


def test_issue_is_refused_with_the_list_of_what_is_missing_then_succeeds(
        db_session, reviewed, people, app):
    store = EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])
    with pytest.raises(signing.NotReady) as refused:
        signing.issue_engagement(db_session, people["senior"], reviewed, store, "Kontrol")
    messages = [m.message for m in refused.value.missing]
    assert messages == [
        "Management's statement is not signed (name, title, place and date).",
        "The auditor's report is not signed by the engagement partner (place and date)."]
    assert not reviewed.is_issued and signing.issued_reports(db_session, reviewed) == {}
    sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))
    issued = signing.issue_engagement(db_session, people["senior"], reviewed, store, "Kontrol")
    assert sorted(r.lang for r in issued) == ["da", "en"]
    assert reviewed.is_issued and reviewed.status == "issued"


def test_everything_the_issue_needs_is_listed(db_session, engagement, people):
    test = find_test(engagement, "isae3000-gdpr:A.1")
    conclusions.conclude_test(db_session, people["auditor"], test, judgement=None,
                              texts=conclusions.TestTexts(test_performed_da=""),
                              version=test.version)
    missing = " | ".join(_missing(db_session, engagement))
    assert "Move the engagement to review first" in missing
    assert "41 test(s) not concluded: A.2, A.3, B.1" in missing
    assert "1 test(s) not reviewed by the audit firm: A.1." in missing
    assert "Organisation profile, service: no Danish text." in missing
    assert "Objective G, reason it is not relevant: no Danish text." in missing
    assert "Test A.1, test performed: no Danish text." in missing
    # Internal audit prepared A.1; only the firm reviews it.
    assert not conclusions.can_review(people["auditor"], test)
    conclusions.review_test(db_session, people["senior"], test, test.version)
    assert "not reviewed" not in " | ".join(_missing(db_session, engagement))


def test_cli_issue_lists_what_is_missing_and_exits_non_zero_then_issues(
        runner, db_session, reviewed, people):
    result = runner.invoke(args=["engagements", "issue", str(reviewed.id)])
    assert result.exit_code == 1
    assert "cannot be issued yet" in result.output
    assert "- Management's statement is not signed" in result.output
    sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))
    result = runner.invoke(args=["engagements", "issue", str(reviewed.id)])
    assert result.exit_code == 0, result.output
    assert result.output.count("Issued isae3000-") == 2


def test_issued_report_downloads_the_same_bytes_with_the_ledgered_sha256(
        client, db_session, reviewed, people, app):
    sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))
    _login(client, people["senior"])
    page = client.get(f"/reports/engagements/{reviewed.id}").get_data(as_text=True)
    assert "Ready to issue" in page
    response = client.post(f"/reports/engagements/{reviewed.id}/issue",
                           data={"langs": ["da", "en"]})
    assert response.status_code == 302
    entry = db_session.scalar(select(LedgerEntry).where(LedgerEntry.action == "engagement.issued"))
    ledgered = json.loads(entry.changes)["reports"]
    for lang in ("da", "en"):
        first = client.get(f"/reports/engagements/{reviewed.id}/isae3000.pdf?lang={lang}")
        second = client.get(f"/reports/engagements/{reviewed.id}/isae3000.pdf?lang={lang}")
        assert first.data == second.data
        assert hashlib.sha256(first.data).hexdigest() == ledgered[lang]
        assert first.headers["X-Content-SHA256"] == ledgered[lang]
        text = pdf_text(first.data)
        # The report date is the signing date, never the date of the download.
        signed = format_date(SIGNED_ON, lang)
        assert (f"Afgivet den {signed}" if lang == "da" else f"Issued on {signed}") in text
        assert "UDKAST" not in text and "DRAFT" not in text
    page = client.get(f"/reports/engagements/{reviewed.id}").get_data(as_text=True)
    assert ledgered["da"] in page and ledgered["en"] in page


def test_material_conclusion_gives_a_qualified_opinion_in_both_languages(
        db_session, engagement, people, store):
    from app.audits import samples
    from tests.audits.conftest import csv_population

    test = find_test(engagement, "isae3000-gdpr:B.9")
    conclusions_texts = conclusions.TestTexts(
        result_text_en="The daily log review was suspended from May to July.",
        result_text_da="Den daglige loggennemgang var indstillet fra maj til juli.")
    population = csv_population(db_session, people["senior"], test, store, 60)
    sample = samples.draw_sample(db_session, people["senior"], test, population, store, 20)
    for position, item in enumerate(sample.items):
        samples.record_result(db_session, people["senior"], item,
                              "deviation" if position < 5 else "no_deviation",
                              "No follow-up documented" if position < 5 else None, None,
                              item.version)
    conclusions.conclude_test(db_session, people["senior"], test, judgement="material",
                              texts=conclusions_texts, version=test.version)
    danish = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["senior"], engagement, "da", "Kontrol", TODAY)))
    english = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["senior"], engagement, "en", "Kontrol", TODAY)))
    assert "Grundlag for konklusion med forbehold" in danish
    assert "Konklusion med forbehold" in danish
    assert ("Kontrolmål B (Tekniske sikkerhedsforanstaltninger). Kontrolaktivitet B.9: Den "
            "daglige loggennemgang var indstillet fra maj til juli.") in danish
    assert ("bortset fra virkningen af det forhold, der er beskrevet i afsnittet »Grundlag for "
            "konklusion med forbehold«, har fungeret effektivt") in danish
    assert "VÆSENTLIG AFVIGELSE" in danish
    assert "Basis for qualified opinion" in english and "Qualified opinion" in english
    assert "Control activity B.9: The daily log review was suspended from May to July." \
        in english
    assert ("c) except for the effects of the matter described in the \"Basis for qualified "
            "opinion\" paragraph, the controls tested") in english
    assert "b) except for" not in english  # design (criterion b) is not qualified


def test_an_objective_marked_not_achieved_qualifies_the_design_criterion(
        db_session, reviewed, people):
    group = find_test(reviewed, "isae3000-gdpr:D.1").control.group
    with pytest.raises(Invalid) as caught:
        signing.set_objective_opinion(db_session, people["senior"], reviewed, group.id, False,
                                      "b", None, None, "Kontrol")
    assert caught.value.field == "reason_en"
    signing.set_objective_opinion(
        db_session, people["senior"], reviewed, group.id, False, "b",
        "The deletion procedure did not cover backups.",
        "Sletningsproceduren omfattede ikke sikkerhedskopier.", "Kontrol")
    english = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["senior"], reviewed, "en", "Kontrol", TODAY)))
    assert "b) except for the effects of the matter" in english
    assert "The deletion procedure did not cover backups." in english
    with pytest.raises(Forbidden):  # the firm judges objectives, not internal audit
        signing.set_objective_opinion(db_session, people["auditor"], reviewed, group.id, True,
                                      "c", None, None, "Kontrol")


def test_a_missing_translation_shows_in_the_draft_and_blocks_issue(
        db_session, reviewed, people, app):
    test = find_test(reviewed, "isae3000-gdpr:C.5")
    conclusions.update_test_texts(db_session, people["senior"], test, conclusions.TestTexts(
        test_performed_en="Inspected the leaver checklist for every leaver.",
        test_performed_da=""), test.version)
    danish = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["senior"], reviewed, "da", "Kontrol", TODAY)))
    assert "C.5" in danish and "[mangler dansk tekst]" in danish
    assert "Inspected the leaver checklist" not in danish  # never the other language
    signing.save_report_text(db_session, people["senior"], reviewed, "emphasis",
                             "We draw attention to the new log platform.", None, 0, "Kontrol")
    english = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["senior"], reviewed, "en", "Kontrol", TODAY)))
    assert "Emphasis of matter We draw attention to the new log platform." in english
    missing = _missing(db_session, reviewed)
    assert "Test C.5, test performed: no Danish text." in missing
    assert "Report section 'Emphasis of matter': no Danish text." in missing
    with pytest.raises(signing.NotReady):
        sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))


def test_only_the_engagement_partner_signs_the_auditors_report(
        client, db_session, reviewed, people):
    coordinator = make_user(db_session, "coordinator")
    signing.sign_statement(db_session, coordinator, reviewed, signing.StatementSignature(
        "Åse Østergaard", "CEO", "direktør", "Vejle", SIGNED_ON), TODAY)
    for who in ("auditor", "senior", "stranger"):
        with pytest.raises(Forbidden):
            signing.sign_auditor_report(db_session, people[who], reviewed, "Aarhus", SIGNED_ON,
                                        TODAY, "Kontrol")
    _login(client, people["auditor"])  # an internal auditor: no route, no form
    assert client.post(f"/reports/engagements/{reviewed.id}/auditor-signature",
                       data={"place": "Aarhus", "signed_on": "2026-03-02"}).status_code == 403
    page = client.get(f"/reports/engagements/{reviewed.id}").get_data(as_text=True)
    assert "Sign the auditor&#39;s report" not in page
    signing.sign_auditor_report(db_session, people["external"], reviewed, "Aarhus", SIGNED_ON,
                                TODAY, "Kontrol")
    with pytest.raises(Forbidden):  # management's statement is not the firm's to sign
        signing.sign_statement(db_session, people["external"], reviewed,
                               signing.StatementSignature("X", "Y", "Z", "Vejle", SIGNED_ON),
                               TODAY)


def test_a_change_after_signing_withdraws_the_signature_and_a_review(db_session, reviewed,
                                                                     people):
    sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))
    test = find_test(reviewed, "isae3000-gdpr:A.2")
    conclusions.update_test_texts(db_session, people["senior"], test, conclusions.TestTexts(
        test_performed_en="Inspected the instructions of every controller."), test.version)
    assert test.reviewed_at is None  # a change after review clears the review
    missing = _missing(db_session, reviewed)
    assert "The auditor's report is not signed by the engagement partner (place and date)." \
        in missing and "1 test(s) not reviewed by the audit firm: A.2." in missing
    actions = list(db_session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.seq)))
    assert actions[-3:] == ["test.texts", "test.review_cleared", "report.signature_withdrawn"]


def test_signing_dates_are_checked(db_session, reviewed, people):
    coordinator = make_user(db_session, "coordinator")
    from datetime import date, timedelta

    for day, message in ((date(2025, 12, 30), "after the period"),
                         (TODAY + timedelta(days=1), "future")):
        with pytest.raises(Invalid) as caught:
            signing.sign_statement(db_session, coordinator, reviewed, signing.StatementSignature(
                "Åse", "CEO", "direktør", "Vejle", day), TODAY)
        assert message in caught.value.message
    signing.sign_statement(db_session, coordinator, reviewed, signing.StatementSignature(
        "Åse", "CEO", "direktør", "Vejle", date(2026, 1, 2)), TODAY)
    with pytest.raises(Invalid) as caught:  # the evidence was reviewed today
        signing.sign_auditor_report(db_session, people["external"], reviewed, "Aarhus",
                                    date(2026, 1, 2), TODAY, "Kontrol")
    assert "before the evidence was reviewed" in caught.value.message


def test_issued_engagement_is_reported_by_the_api(client, db_session, reviewed, people, app):
    from app.auth import service as accounts

    sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))
    signing.issue_engagement(db_session, people["senior"], reviewed,
                             EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"]), "Kontrol")
    _row, token = accounts.create_token(db_session, people["senior"], people["senior"], "x")
    listing = client.get("/api/v1/engagements",
                         headers={"Authorization": f"Bearer {token}"}).json
    assert [(e["name"], e["status"]) for e in listing] == [("ISAE 3000 GDPR 2025", "issued")]


def test_section_texts_are_edited_per_language_and_reset_to_the_default(
        client, db_session, reviewed, people):
    _login(client, people["senior"])
    page = client.get(f"/reports/engagements/{reviewed.id}").get_data(as_text=True)
    assert "Vi er uafhængige af Søhøj Data A/S" in page  # defaults from profile and firm
    client.post(f"/reports/engagements/{reviewed.id}/sections", data={
        "key": "intended_users", "version": 0, "text_en": "Only for the controllers.",
        "text_da": "Kun til de dataansvarlige."})
    danish = pdf_text(build_isae_report(reports.isae_report(
        db_session, people["senior"], reviewed, "da", "Kontrol", TODAY)))
    assert "Tiltænkte brugere og formål Kun til de dataansvarlige." in danish
    row = load_context(db_session, reviewed, "Kontrol").texts["intended_users"]
    client.post(f"/reports/engagements/{reviewed.id}/sections", data={
        "key": "intended_users", "version": row.version, "text_en": "", "text_da": ""})
    assert "intended_users" not in load_context(db_session, reviewed, "Kontrol").texts
    client.post("/logout")
    _login(client, people["auditor"])
    client.post(f"/reports/engagements/{reviewed.id}/sections", data={
        "key": "scope", "version": 0, "text_en": "Internal words", "text_da": "Interne ord"})
    assert "scope" not in load_context(db_session, reviewed, "Kontrol").texts


def test_report_page_query_count_is_constant(client, db_session, reviewed, people,
                                             count_queries):
    _login(client, people["senior"])
    client.get("/")
    db_session.expire_all()
    with count_queries() as few:
        client.get(f"/reports/engagements/{reviewed.id}")
    test = find_test(reviewed, "isae3000-gdpr:C.5")
    conclusions.reopen_test(db_session, people["senior"], test, "More", test.version)
    conclude_and_review(db_session, people, test, None, None)
    signing.save_report_text(db_session, people["senior"], reviewed, "emphasis", "A", "B", 0,
                             "Kontrol")
    db_session.expire_all()
    with count_queries() as more:
        client.get(f"/reports/engagements/{reviewed.id}")
    assert len(more) == len(few)


def test_the_bundle_of_an_issued_engagement_carries_the_issued_pdf(client, db_session, reviewed,
                                                                    people, app):
    import zipfile

    sign_both(db_session, people, reviewed, make_user(db_session, "coordinator"))
    issued = {r.lang: r for r in signing.issue_engagement(
        db_session, people["senior"], reviewed,
        EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"]), "Kontrol")}
    _login(client, people["senior"])
    response = client.post(f"/reports/engagements/{reviewed.id}/bundles", data={"lang": "da"})
    bundle_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    archive = zipfile.ZipFile(io.BytesIO(
        client.get(f"/reports/bundles/{bundle_id}/download", buffered=True).data))
    pdf = archive.read("isae3000-report-da.pdf")
    assert hashlib.sha256(pdf).hexdigest() == issued["da"].sha256


@pytest.mark.parametrize("group_id", ["99999999999999999999", "x1", "-3"])
def test_an_objective_id_beyond_what_the_database_holds_changes_nothing(
        client, db_session, reviewed, people, group_id):
    _login(client, people["senior"])
    before = db_session.scalar(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()))
    for url, data in ((f"/reports/engagements/{reviewed.id}/objectives",
                       {"group_id": group_id, "achieved": "yes", "criterion": "c"}),
                      (f"/reports/engagements/{reviewed.id}/exclusions",
                       {"exclusion_id": group_id, "reason_en": "x", "reason_da": "x"})):
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "invalid literal" not in response.get_data(as_text=True)  # no Python in the UI
    assert db_session.scalar(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc())) == before
