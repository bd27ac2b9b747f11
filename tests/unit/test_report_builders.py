"""Unit tests for the SoA PDF, internal audit PDF and workpapers XLSX builders, read back."""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.reports.internal_pdf import (
    InternalAuditReport,
    InternalFinding,
    InternalTest,
    build_internal_report,
)
from app.reports.soa_pdf import build_soa_pdf
from app.reports.workpapers import (
    WorkpaperItem,
    WorkpaperTest,
    build_workpapers,
    sheet_title,
)
from app.reports.xlsx import SoARow

ORG = "Søhøj Løn & Data A/S"
GENERATED = datetime(2025, 3, 14, 10, 30, tzinfo=UTC)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def flat(text: str) -> str:
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


# --- Statement of Applicability --------------------------------------------------------------

APPLICABLE = {"da": ("Ja", "Nej", "Ikke afgjort"), "en": ("Yes", "No", "Not decided")}
STATUS = {"da": ("Implementeret", "Delvist implementeret", "Planlagt"),
          "en": ("Implemented", "Partially implemented", "Planned")}
# (applicable, status) per row: 3 implemented, 2 partial, 1 planned, 3 not applicable, 1 open.
PATTERN = ((0, 0), (0, 0), (0, 0), (0, 1), (0, 1), (0, 2), (1, None), (1, None), (1, None),
           (2, None))


def soa_rows(lang: str, count: int = 10, catalogue: str = "ISO/IEC 27001:2022 Annex A"):
    rows = []
    for n in range(count):
        applicable, status = PATTERN[n % len(PATTERN)]
        rows.append(SoARow(
            catalogue=catalogue, group="Organisatoriske" if n < count // 2 else "Teknologiske",
            control_id=f"A.5.{n + 1}", title=f"Styring af adgang nr. {n + 1} & <logning>",
            applicable=APPLICABLE[lang][applicable],
            justification="Relevant på grund af behandling af løndata for kunder; æøå ÆØÅ.",
            status="" if status is None else STATUS[lang][status],
            owner="Åse Ødegård", last_reviewed=date(2025, 2, 1) if status is not None else None))
    return rows


@functools.cache
def soa(lang: str, count: int = 10) -> bytes:
    return build_soa_pdf(soa_rows(lang, count), lang, ORG, GENERATED)


@pytest.mark.parametrize("lang, title, stamp", [
    ("da", "Anvendelseserklæring (Statement of Applicability)", "14. marts 2025 kl. 10:30 UTC"),
    ("en", "Statement of Applicability", "14 March 2025 at 10:30 UTC"),
])
def test_soa_first_page_shows_title_organisation_and_time(lang, title, stamp):
    first = page_texts(soa(lang))[0]
    assert title in first and ORG in first and stamp in first


@pytest.mark.parametrize("lang, summary", [
    ("da", "10 kontroller: 6 relevante (3 implementeret, 2 delvist implementeret, 1 planlagt), "
           "3 ikke relevante, 1 ikke afgjort."),
    ("en", "10 controls: 6 applicable (3 implemented, 2 partially implemented, 1 planned), "
           "3 not applicable, 1 not decided."),
])
def test_soa_summary_counts_applicability_and_status(lang, summary):
    assert summary in page_texts(soa(lang))[0]


def test_soa_summary_counts_applicable_controls_without_status():
    rows = [replace(row, status="") if row.control_id == "A.5.1" else row
            for row in soa_rows("en")]
    text = page_texts(build_soa_pdf(rows, "en", ORG, GENERATED))[0]
    assert "6 applicable (2 implemented, 2 partially implemented, 1 planned, 1 without status)" \
        in text


@pytest.mark.parametrize("lang, header", [
    ("da", "Kontrol Titel Relevant Status Begrundelse Ejer Senest gennemgået"),
    ("en", "Control Title Applicable Status Justification Owner Last reviewed"),
])
def test_soa_header_is_repeated_on_every_page_of_a_long_table(lang, header):
    texts = page_texts(soa(lang, 120))
    assert len(texts) > 3
    assert all(header in text for text in texts)
    assert "A.5.1 " in texts[0] and "A.5.120 " in texts[-1]


def test_soa_pages_are_landscape_and_numbered():
    reader = PdfReader(io.BytesIO(soa("da", 120)))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        assert page.mediabox.width > page.mediabox.height
        assert f"Side {number} af {total}" in flat(page.extract_text())


def test_soa_one_table_per_catalogue_in_the_given_order():
    rows = soa_rows("en", 4, "Kontrol – own controls") + soa_rows("en", 6)
    text = " ".join(page_texts(build_soa_pdf(rows, "en", ORG, GENERATED)))
    own, annex = text.index("Kontrol – own controls (4 controls)"), \
        text.index("ISO/IEC 27001:2022 Annex A (6 controls)")
    assert own < annex
    assert text.count("Control Title Applicable") == 2


def test_soa_keeps_danish_letters_and_markup_characters():
    text = " ".join(page_texts(soa("da")))
    assert "Åse Ødegård" in text and "æøå ÆØÅ" in text
    assert "Styring af adgang nr. 1 & <logning>" in text
    assert "Organisatoriske" in text and "2025-02-01" in text


def test_soa_without_rows_says_so():
    text = page_texts(build_soa_pdf([], "en", ORG, GENERATED))[0]
    assert "The Statement of Applicability holds no controls." in text


def test_soa_same_input_gives_identical_bytes():
    assert build_soa_pdf(soa_rows("da"), "da", ORG, GENERATED) == soa("da")


# --- Internal audit report -------------------------------------------------------------------

def finding(reference: str, severity: str, status: str, due: date | None,
            overdue: bool = False) -> InternalFinding:
    return InternalFinding(
        reference=reference, control_id="A.8.15", title=f"Logning mangler ({reference})",
        severity=severity, status=status, owner="Søren Æbelø", due_on=due, overdue=overdue,
        root_cause="Ændret driftsprocedure blev ikke fulgt af opdateret konfiguration.",
        management_response="Ledelsen er enig; logning er aktiveret på alle servere.")


TESTS = (
    InternalTest("A.5.15", "Adgangsstyring", "Inspektion", "25 af 250", "no_deviations",
                 "Ingen væsentlige afvigelser konstateret."),
    InternalTest("A.5.18", "Adgangsrettigheder", "Inspektion, forespørgsel", "25 af 180",
                 "not_material", "I 2 af 25 udtrukne brugere manglede godkendelse."),
    InternalTest("A.8.15", "Logning", "Genudførelse", "10 af 40", "material",
                 "Logning var slået fra på 4 af 10 servere."),
    InternalTest("A.8.13", "Backup", "Observation", "–", "open", ""),
)
FINDINGS = (
    finding("F-01", "observation", "closed", date(2025, 2, 1)),
    finding("F-02", "minor", "open", date(2025, 5, 31), overdue=True),
    finding("F-03", "material", "in_progress", date(2025, 9, 30)),
    finding("F-04", "material", "open", None),
)


def internal(lang: str = "en", draft: bool = False, **changes) -> InternalAuditReport:
    fields = dict(
        lang=lang, organisation=ORG, engagement="Intern revision 2025 – adgang og logning",
        kind="Intern revision" if lang == "da" else "Internal audit",
        period_start=date(2025, 1, 1), period_end=date(2025, 6, 30),
        status="Udkast" if draft else "Issued", draft=draft, generated_on=date(2025, 7, 15),
        purpose="Formålet er at vurdere adgangsstyring og logning.\n\n- Privilegerede brugere",
        scope=("A.5.15 Adgangsstyring", "A.8.15 Logning"), team=("Åse Ødegård", "Søren Æbelø"),
        tests=TESTS, findings=FINDINGS)
    return InternalAuditReport(**{**fields, **changes})


@functools.cache
def built(lang: str = "en", draft: bool = False) -> bytes:
    return build_internal_report(internal(lang, draft))


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end)]


@pytest.mark.parametrize("lang, title, addressed, period", [
    ("da", "Intern revisionsrapport", "Rapporten er stilet til sikkerhedsudvalget.",
     "1. januar 2025 – 30. juni 2025"),
    ("en", "Internal audit report", "This report is addressed to the security committee "
     "(sikkerhedsudvalget).", "1 January 2025 – 30 June 2025"),
])
def test_internal_cover_is_addressed_to_the_security_committee(lang, title, addressed, period):
    cover = page_texts(built(lang))[0]
    for expected in (ORG, title, addressed, period, "Intern revision 2025 – adgang og logning",
                     "Åse Ødegård, Søren Æbelø"):
        assert expected in cover


@pytest.mark.parametrize("lang, headings", [
    ("da", ("1. Formål og omfang", "2. Sammenfatning", "3. Test", "4. Fund efter alvorlighed",
            "5. Åben udbedring")),
    ("en", ("1. Purpose and scope", "2. Summary", "3. Tests", "4. Findings by severity",
            "5. Open remediation")),
])
def test_internal_sections_come_in_order(lang, headings):
    text = " ".join(page_texts(built(lang))[1:])
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)


def test_internal_summary_counts_tests_findings_and_remediation():
    text = " ".join(page_texts(built("en")))
    summary = section(text, "2. Summary", "3. Tests")
    for line in ("Tests in total 4", "Concluded tests 3", "of which with deviations 2",
                 "Tests not yet concluded 1",
                 "Findings open for remediation (open and in progress) 3", "of which overdue 1",
                 "Severity Open In progress Closed Total", "Material 1 1 0 2", "Minor 1 0 0 1",
                 "Observation 0 0 1 1", "Total 2 1 1 4"):
        assert line in summary


@pytest.mark.parametrize("lang, header, verdict", [
    ("da", "Nr. Kontrol Metoder Stikprøve Resultat", "Afvigelser, ikke væsentlige"),
    ("en", "No. Control Methods Sample Result", "Deviations, not material"),
])
def test_internal_tests_table_lists_every_test_with_its_conclusion(lang, header, verdict):
    text = " ".join(page_texts(built(lang)))
    tests = section(text, "3. ", "4. ")
    assert header in tests
    assert f"{verdict} I 2 af 25 udtrukne brugere manglede godkendelse." in tests
    assert all(test.control_id in tests for test in TESTS)


def test_internal_findings_are_listed_material_first():
    text = " ".join(page_texts(built("en")))
    findings = section(text, "4. Findings by severity", "5. Open remediation")
    order = [findings.index(f"{ref} · A.8.15") for ref in ("F-03", "F-04", "F-02", "F-01")]
    assert order == sorted(order)
    assert findings.index("Material findings") < findings.index("Minor findings") \
        < findings.index("Observations")
    assert "Management's response Ledelsen er enig; logning er aktiveret på alle servere." \
        in findings


@pytest.mark.parametrize("lang, flag", [("da", "31. maj 2025 OVERSKREDET"),
                                        ("en", "31 May 2025 OVERDUE")])
def test_internal_overdue_finding_is_flagged(lang, flag):
    text = " ".join(page_texts(built(lang)))
    assert flag in text
    assert text.count(flag.split()[-1]) == 2  # the finding, and its remediation row


def test_internal_open_remediation_is_sorted_by_due_date_without_closed_findings():
    text = " ".join(page_texts(built("en")))
    remediation = text[text.index("5. Open remediation"):]
    assert "Ref. Control Finding Severity Owner Due Status" in remediation
    order = [remediation.index(f"{ref} A.8.15") for ref in ("F-02", "F-03", "F-04")]
    assert order == sorted(order)
    assert "F-01" not in remediation
    assert "2025-05-31 OVERDUE" in remediation and "No due date" in remediation


@pytest.mark.parametrize("lang, mark", [("da", "UDKAST"), ("en", "DRAFT")])
def test_internal_draft_watermark_only_when_draft(lang, mark):
    assert all(mark in text for text in page_texts(built(lang, draft=True)))
    assert not any(mark in text for text in page_texts(built(lang)))


@pytest.mark.parametrize("lang, footer", [("da", "Side {n} af {m}"), ("en", "Page {n} of {m}")])
def test_internal_every_page_is_numbered(lang, footer):
    texts = page_texts(built(lang))
    for number, text in enumerate(texts, 1):
        assert footer.format(n=number, m=len(texts)) in text


def test_internal_report_without_tests_or_findings_says_so():
    text = " ".join(page_texts(build_internal_report(
        internal(tests=(), findings=(), scope=(), period_start=None))))
    for note in ("No tests are recorded.", "No findings are recorded.",
                 "There are no open findings.", "No scope has been recorded.",
                 "at 30 June 2025"):
        assert note in text


def test_internal_same_input_gives_identical_bytes():
    assert build_internal_report(internal("da", draft=True)) == built("da", draft=True)


# --- Workpapers ------------------------------------------------------------------------------

def workpaper(group: str, control: str, items: int = 3) -> WorkpaperTest:
    return WorkpaperTest(
        group_code=group, group_title="Tekniske foranstaltninger", control_id=control,
        title="Adgangsrettigheder gennemgås kvartalsvis", methods="Inspektion",
        procedure="Kontroller godkendelse mod ticket for hver udtrukken bruger.",
        frequency="Kvartalsvis", sizing="Frekvens", planned_size=items,
        population_file="brugere-2025.csv", population_sha256=SHA, population_rows=250,
        population_fingerprint="rows=250;cols=4;sha256=9f86d081", seed=f"seed-{control}",
        sample_size=items, conclusion="not_material", result="1 afvigelse af 3.",
        management_comment="Ledelsen er enig.",
        items=tuple(WorkpaperItem(index=10 * n + 1, row=f"=bruger{n};Åse Ødegård", round=1,
                                  result="deviation" if n == 1 else "no_deviation",
                                  note="Mangler godkendelse" if n == 1 else "")
                    for n in range(items)))


WORKPAPERS = (workpaper("A", "A.1"), workpaper("B", "B.1"), workpaper("A", "A.2", items=0))


@functools.cache
def book_bytes(lang: str = "en") -> bytes:
    return build_workpapers("Intern revision 2025", "1 January 2025 – 30 June 2025", lang,
                            WORKPAPERS, GENERATED)


def book(lang: str = "en"):
    return load_workbook(io.BytesIO(book_bytes(lang)))


def labelled(sheet, label: str, start: int = 1):
    """The value next to the first `label` in column A at or after row `start`, and its row."""
    for row in range(start, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == label:
            return sheet.cell(row=row, column=2).value, row
    raise AssertionError(f"{label!r} not found")


@pytest.mark.parametrize("lang, overview", [("en", "Overview"), ("da", "Oversigt")])
def test_workpapers_have_an_overview_and_one_sheet_per_group(lang, overview):
    assert book(lang).sheetnames == [overview, "A", "B"]


def test_workpapers_overview_lists_each_test_and_how_to_redraw():
    sheet = book()["Overview"]
    assert [cell.value for cell in sheet[7]] == ["Group", "Control", "Title", "Sample size",
                                                 "Deviations", "Conclusion", "Result"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=8)]
    assert [row[:2] for row in rows] == [["A", "A.1"], ["B", "B.1"], ["A", "A.2"]]
    assert rows[0][3:] == [3, 1, "Deviations, not material", "1 afvigelse af 3."]
    assert sheet["B8"].hyperlink.location == "'A'!A3"
    note, _ = labelled(sheet, "Re-draw")
    assert "select_sample(population_rows, sample_size, seed)" in note
    assert "HMAC-SHA256 Fisher–Yates; see the seed per test" in note
    assert sheet.freeze_panes == "A8"


def test_workpapers_test_block_holds_population_seed_and_items():
    sheet = book()["A"]
    assert sheet["A1"].value == "A — Tekniske foranstaltninger"
    assert (sheet["A3"].value, sheet["B3"].value) == ("A.1", WORKPAPERS[0].title)
    assert labelled(sheet, "Population SHA-256")[0] == SHA
    assert labelled(sheet, "Population rows")[0] == 250
    assert labelled(sheet, "Population fingerprint")[0] == "rows=250;cols=4;sha256=9f86d081"
    assert labelled(sheet, "Seed")[0] == "seed-A.1"
    _, header = labelled(sheet, "# in population")
    assert [cell.value for cell in sheet[header]] == ["# in population", "Row", "Round",
                                                      "Result", "Note"]
    items = [[cell.value for cell in sheet[header + n]] for n in (1, 2, 3)]
    assert items[1] == [11, "=bruger1;Åse Ødegård", 1, "Deviation", "Mangler godkendelse"]
    assert sheet.cell(row=header + 1, column=2).data_type == "s"  # text, never a formula
    assert labelled(sheet, "Seed", header)[0] == "seed-A.2"
    assert labelled(sheet, "# in population", header + 1)[1] + 1 == \
        labelled(sheet, "No items sampled.")[1]


def test_workpapers_headings_are_danish_with_lang_da():
    books = book("da")
    assert [cell.value for cell in books["Oversigt"][7]][:3] == ["Gruppe", "Kontrol", "Titel"]
    sheet = books["A"]
    assert labelled(sheet, "Populationens fingeraftryk")[0] == "rows=250;cols=4;sha256=9f86d081"
    _, header = labelled(sheet, "Nr. i population")
    assert sheet.cell(row=header + 2, column=4).value == "Afvigelse"


def test_workpapers_are_deterministic_and_dated_from_generated_at():
    data = book_bytes("da")
    assert build_workpapers("Intern revision 2025", "1 January 2025 – 30 June 2025", "da",
                            WORKPAPERS, GENERATED) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 3, 14, 10, 30, 0)}
    properties = load_workbook(io.BytesIO(data)).properties
    assert properties.created == properties.modified == datetime(2025, 3, 14, 10, 30)


@pytest.mark.parametrize("code, taken, expected", [
    ("A", set(), "A"),
    ("Objective: A/B [1]?*", set(), "Objective- A-B -1---"),
    ("X" * 40, set(), "X" * 31),
    ("a", {"A"}, "a (2)"),
    ("History", set(), "History-"),
    ("  ", set(), "-"),
    ("Y" * 31, {"Y" * 31}, "Y" * 27 + " (2)"),
])
def test_sheet_titles_follow_excel_rules(code, taken, expected):
    assert sheet_title(code, set(taken)) == expected
