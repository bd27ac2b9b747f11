"""Unit tests for app.reports.pdf: the ISAE 3000 report read back with pypdf."""

from __future__ import annotations

import functools
import io
import re
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.rl_accel import fp_str

from app.reports import pdf_layout
from app.reports.pdf import (
    NO_DEVIATIONS,
    IsaeReport,
    ReportObjective,
    ReportTest,
    build_isae_report,
)
from tests.unit.report_fixtures import ACTIVITIES, sample_report

HEADERS = {
    "da": ("Nr.", "Kontrolaktivitet", "Revisors udførte test", "Resultat af test"),
    "en": ("No.", "Control activity", "Test performed by the auditor", "Result of test"),
}
GREEN_FILL = fp_str(*pdf_layout.PASS_GREEN.rgb()) + " rg"


def flat(text: str) -> str:
    """Whitespace collapsed and words hyphenated at a line end joined again, so phrases
    wrapped across lines still match."""
    return " ".join(re.sub(r"(\w)-\n(\w)", r"\1\2", text).split())


def page_texts(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@functools.cache
def built(lang: str, draft: bool = False) -> bytes:
    return build_isae_report(sample_report(lang, draft=draft))


def one_objective(lang: str, tests: tuple[ReportTest, ...], **changes) -> IsaeReport:
    objective = ReportObjective(code="B", title="Tekniske foranstaltninger",
                                objective="Tekniske foranstaltninger sikrer behandlingen.",
                                not_relevant_reason=None, tests=tests)
    return sample_report(lang, objectives=(objective,), **changes)


@pytest.mark.parametrize("lang, title, period", [
    ("da", "ISAE 3000-erklæring med sikkerhed om informationssikkerhed og foranstaltninger ved "
           "databehandling",
     "Type 2-erklæring for perioden fra 1. januar 2025 til 31. december 2025"),
    ("en", "ISAE 3000 assurance report on information security and measures for the processing "
           "of personal data",
     "Type 2 report for the period from 1 January 2025 to 31 December 2025"),
])
def test_cover_shows_title_period_service_and_auditor(lang, title, period):
    cover = page_texts(built(lang))[0]
    assert "Søhøj Løn & Data A/S" in cover
    assert title in cover
    assert period in cover
    assert ("Lønbehandling og HR-portal" if lang == "da" else "Payroll and HR portal") in cover
    assert "Revisionsfirmaet Å & Ø" in cover


@pytest.mark.parametrize("lang, expected", [
    ("da", "Type 1-erklæring pr. 30. september 2025"),
    ("en", "Type 1 report as at 30 September 2025"),
])
def test_type_1_report_is_dated_at_a_single_date(lang, expected):
    report = sample_report(lang, report_type=1, period_start=None, period_end=date(2025, 9, 30))
    assert expected in page_texts(build_isae_report(report))[0]


@pytest.mark.parametrize("lang, sections", [
    ("da", ("1. Ledelsens udtalelse", "2. Uafhængig revisors erklæring",
            "3. Beskrivelse af behandling",
            "4. Kontrolmål, kontrolaktivitet, test og resultat heraf",
            "Kontrolmål A: Instruks vedrørende behandling", "forespørgsel")),
    ("en", ("1. Management's statement", "2. Independent auditor's report",
            "3. Description of the processing",
            "4. Control objectives, control activities, tests and results",
            "Control objective A: Instructions for processing", "inquiry")),
])
def test_sections_and_table_headers_in_the_report_language(lang, sections):
    texts = page_texts(built(lang))
    body = " ".join(texts[2:])
    for heading in sections[:-1]:
        assert heading in body
    assert sections[-1] in body.lower()  # the test methods are explained before the tables
    table_pages = [text for text in texts if "A.1" in text]
    assert table_pages and all(column in table_pages[0] for column in HEADERS[lang])


@pytest.mark.parametrize("lang", ["da", "en"])
def test_passing_tests_show_the_no_deviation_phrase_and_failing_ones_the_finding(lang):
    text = " ".join(page_texts(built(lang)))
    assert text.count(NO_DEVIATIONS[lang]) == len(ACTIVITIES) - 1
    finding = ("adgangen for 2 først blev lukket henholdsvis 9 og 14 dage efter fratrædelsen"
               if lang == "da" else "access for 2 was removed only 9 and 14 days after they left")
    assert finding in text
    assert ("Ledelsens kommentar" if lang == "da" else "Management's comment") in text


def test_no_deviation_results_are_green_and_deviations_are_not():
    def green_ops(report: IsaeReport) -> int:
        reader = PdfReader(io.BytesIO(build_isae_report(report)))
        return sum(page.get_contents().get_data().decode("latin-1").count(GREEN_FILL)
                   for page in reader.pages)

    passing = one_objective("da", (ReportTest("B.1", "Aktivitet", "Test", NO_DEVIATIONS["da"]),))
    failing = one_objective("da", (ReportTest("B.1", "Aktivitet", "Test", "2 af 25 afvigede."),))
    assert green_ops(passing) >= 1
    assert green_ops(failing) == 0


def test_danish_letters_survive_with_the_embedded_font():
    text = " ".join(page_texts(built("da")))
    assert "Åse Ærø Østergaard" in text
    assert "Søhøj Løn & Data A/S" in text
    assert b"DejaVuSans" in built("da")


def test_danish_letters_survive_with_the_helvetica_fallback(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_layout, "DEJAVU_DIR", tmp_path)
    data = build_isae_report(sample_report("da"))
    text = " ".join(page_texts(data))
    assert b"/Helvetica" in data and b"DejaVuSans" not in data
    assert "Åse Ærø Østergaard" in text
    assert "Ingen væsentlige afvigelser konstateret." in text
    assert "1. januar 2025 – 31. december 2025" in text


@pytest.mark.parametrize("lang, mark", [("da", "UDKAST"), ("en", "DRAFT")])
def test_draft_watermark_on_every_page_only_when_draft(lang, mark):
    draft = page_texts(built(lang, draft=True))
    final = page_texts(built(lang))
    assert all(mark in text for text in draft)
    assert not any(mark in text for text in final)


@pytest.mark.parametrize("lang, footer", [("da", "Side {n} af {m}"), ("en", "Page {n} of {m}")])
def test_every_page_is_numbered_n_of_total(lang, footer):
    texts = page_texts(built(lang))
    total = len(texts)
    assert footer.format(n=1, m=total) in texts[0]
    for number, text in enumerate(texts, 1):
        assert footer.format(n=number, m=total) in text


def test_running_header_with_organisation_and_period_after_the_cover():
    texts = page_texts(built("da"))
    header = "Søhøj Løn & Data A/S · 1. januar 2025 – 31. december 2025"
    assert header not in texts[0]
    assert all(header in text for text in texts[1:])


@pytest.mark.parametrize("lang", ["da", "en"])
def test_contents_page_numbers_point_at_the_headings(lang):
    reader = PdfReader(io.BytesIO(built(lang)))
    contents = reader.pages[1].extract_text(extraction_mode="layout")
    entries = re.findall(r"^\s*((?:\d\. |Kontrolmål |Control objective ).*?)\s{2,}(\d+)\s*$",
                         contents, flags=re.MULTILINE)
    assert len(entries) == 4 + 9
    texts = [flat(page.extract_text()) for page in reader.pages]
    for title, number in entries:
        first = next(index for index, text in enumerate(texts[2:], 3) if flat(title) in text)
        assert first == int(number), title


def test_contents_longer_than_a_page_continues_with_right_numbers():
    objectives = tuple(
        ReportObjective(f"X{n}", f"Mål nummer {n}", "Formål.", None,
                        (ReportTest(f"X{n}.1", "Aktivitet.", "Test.", NO_DEVIATIONS["da"]),))
        for n in range(1, 61))
    reader = PdfReader(io.BytesIO(build_isae_report(sample_report("da", objectives=objectives))))
    contents = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages[1:3])
    number = int(re.search(r"Kontrolmål X60: Mål nummer 60\s+(\d+)", contents).group(1))
    assert "Kontrolmål X60: Mål nummer 60" in flat(reader.pages[number - 1].extract_text())
    assert "Kontrolmål X1: Mål nummer 1" in flat(reader.pages[1].extract_text())
    assert "Kontrolmål X60: Mål nummer 60" in flat(reader.pages[2].extract_text())  # overflow


def test_table_header_row_repeats_where_a_long_table_continues():
    long_text = "Inspiceret ved en stikprøve, at kontrollen er udført som beskrevet. " * 6
    tests = tuple(ReportTest(f"B.{n}", long_text, long_text, NO_DEVIATIONS["da"])
                  for n in range(1, 41))
    texts = page_texts(build_isae_report(one_objective("da", tests)))
    with_rows = [text for text in texts if re.search(r"\bB\.\d+\b", text)]
    assert len(with_rows) >= 2
    assert all(text.count("Revisors udførte test") == 1 and "Resultat af test" in text
               for text in with_rows)  # once at the top of each page, never mid-page


@pytest.mark.parametrize("words", [300, 900])
def test_very_long_cells_wrap_and_split_without_losing_text(words):
    long_cell = " ".join(f"ord{n:04d}" for n in range(words))  # 2,700 and 8,100 characters
    tests = (ReportTest("B.1", "Kort aktivitet.", long_cell, "Afvigelse: se teksten."),
             ReportTest("B.2", long_cell, "Kort test.", NO_DEVIATIONS["da"]))
    texts = page_texts(build_isae_report(one_objective("da", tests)))
    found = re.findall(r"ord(\d{4})", " ".join(texts))
    assert found == [f"{n:04d}" for n in range(words)] * 2  # all of it, in order, twice
    pages_with_tokens = [text for text in texts if "ord0" in text]
    assert all("Revisors udførte test" in text for text in pages_with_tokens)


def test_not_relevant_objective_shows_its_reason_instead_of_a_table():
    texts = page_texts(build_isae_report(sample_report("da", not_relevant=("G",))))
    text = " ".join(texts)
    assert "Kontrolmål G: Overførsel til tredjelande" in text
    assert "Ikke relevant" in text
    assert "Databehandleren overfører ikke personoplysninger til tredjelande." in text
    assert "G.1" not in text and "G.2" not in text


def test_user_text_is_escaped_and_line_breaks_are_kept():
    tests = (ReportTest("B.1", "Adgang <b>kun</b> for A & B, hvis x > 2.\n- første punkt\n"
                        "- andet punkt", "Linje et\nLinje to", NO_DEVIATIONS["da"]),)
    text = " ".join(page_texts(build_isae_report(one_objective("da", tests))))
    assert "Adgang <b>kun</b> for A & B, hvis x > 2." in text
    assert "• første punkt" in text and "• andet punkt" in text


def test_same_input_gives_identical_bytes():
    report = sample_report("da", draft=True)
    assert build_isae_report(report) == build_isae_report(report)
    assert build_isae_report(report) != build_isae_report(replace(report, draft=False))


def test_full_45_activity_report_renders_on_a4_within_expected_pages():
    reader = PdfReader(io.BytesIO(built("en")))
    assert 10 <= len(reader.pages) <= 20
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(flat(page.extract_text()) for page in reader.pages)
    for activity_id in ACTIVITIES:
        assert re.search(rf"\b{re.escape(activity_id)}\b", text), activity_id


def test_metadata_names_report_auditor_and_period():
    meta = PdfReader(io.BytesIO(built("en"))).metadata
    assert meta.title.startswith("ISAE 3000 assurance report")
    assert "Søhøj Løn & Data A/S" in meta.title
    assert meta.author == "Revisionsfirmaet Å & Ø"
    assert "1 January 2025 to 31 December 2025" in meta.subject


@pytest.mark.parametrize("changes", [
    {"report_type": 2, "period_start": None},
    {"report_type": 3},
    {"lang": "de"},
    {"period_start": date(2026, 1, 1)},
])
def test_inconsistent_report_data_is_refused(changes):
    with pytest.raises(ValueError):
        replace(sample_report("da"), **changes)


def test_danish_and_english_dates_are_written_out():
    assert pdf_layout.format_date(date(2025, 1, 1), "da") == "1. januar 2025"
    assert pdf_layout.format_date(date(2025, 12, 31), "en") == "31 December 2025"
