"""Typesetting for the ISAE 3000 report PDF: fonts, words, styles, text markup and page chrome.

Nothing here knows about engagements or the database; `pdf.py` composes these pieces.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20 * mm, 24 * mm, 22 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

NAVY = colors.HexColor("#1F3864")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#5F6B7A")
RULE = colors.HexColor("#B4C0D3")
ZEBRA = colors.HexColor("#F1F4F9")
PASS_GREEN = colors.HexColor("#1E7B34")
FLAG_INK = colors.HexColor("#8A4B08")
FLAG_FILL = colors.HexColor("#FFF4E0")
MATERIAL_FILL = colors.HexColor("#FDECEC")
MATERIAL_INK = colors.HexColor("#9B1C1C")

MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}

# Every fixed word the report prints, per language. Long passages are written for Kontrol,
# following the structure of published Danish ISAE 3000 GDPR reports.
LABELS = {
    "da": {
        "title": "ISAE 3000-erklæring med sikkerhed om informationssikkerhed og "
                 "foranstaltninger ved databehandling",
        "short_title": "ISAE 3000-erklæring",
        "footer": "ISAE 3000-erklæring, type {n}",
        "type": "Type {n}-erklæring",
        "period": "i hele perioden fra {start} til {end}",
        "period_cover": "for perioden fra {start} til {end}",
        "at_date": "pr. {date}",
        "range": "{start} – {end}",
        "service": "Ydelse", "auditor": "Uafhængig revisor", "report_type": "Erklæringstype",
        "period_label": "Periode", "date_label": "Dato", "status": "Status",
        "draft_status": "Udkast – ikke afgivet",
        "generated": "Udkast dannet i Kontrol den {date}",
        "issued": "Afgivet den {date}",
        "report_date": "Erklæringsdato",
        "qualified_status": "Konklusion med forbehold", "conclusion_label": "Konklusion",
        "unsigned": "Udkast – ikke underskrevet.",
        "flag_deviation": "Afvigelse", "flag_material": "Væsentlig afvigelse",
        "contents": "Indhold",
        "sections": ("Ledelsens udtalelse", "Uafhængig revisors erklæring",
                     "Beskrivelse af behandling",
                     "Kontrolmål, kontrolaktivitet, test og resultat heraf"),
        "sub_processors": "Underdatabehandlere",
        "sub_processors_intro": "Databehandleren anvender følgende underdatabehandlere. "
                                "Erklæringen anvender partielmetoden: de kontroller, som "
                                "underdatabehandlerne varetager, er ikke omfattet.",
        "complementary": "Komplementerende kontroller hos de dataansvarlige",
        "complementary_intro": "Enkelte kontrolmål kan kun nås, hvis følgende kontroller hos "
                               "de dataansvarlige er hensigtsmæssigt udformet og fungerer "
                               "effektivt sammen med databehandlerens kontroller:",
        "empty": "Afsnittet er endnu ikke udfyldt.",
        "objective": "Kontrolmål {code}",
        "columns": ("Nr.", "Kontrolaktivitet", "Revisors udførte test", "Resultat af test"),
        "not_relevant": "Ikke relevant",
        "no_activities": "Der er ikke registreret kontrolaktiviteter for dette kontrolmål.",
        "no_deviations": "Ingen væsentlige afvigelser konstateret.",
        "page": "Side {n} af {m}",
        "watermark": "UDKAST",
        "methods_heading": "Testmetoder",
        "methods_columns": ("Metode", "Beskrivelse"),
        "intro_2": "Revisors handlinger er tilrettelagt for at opnå høj grad af sikkerhed for, "
                   "at de kontroller, der knytter sig til kontrolmålene, var hensigtsmæssigt "
                   "udformet og fungerede effektivt {period}.",
        "intro_1": "Revisors handlinger er tilrettelagt for at opnå høj grad af sikkerhed for, "
                   "at de kontroller, der knytter sig til kontrolmålene, var hensigtsmæssigt "
                   "udformet og implementeret {period}.",
        "intro_rest": "For hvert kontrolmål nedenfor er databehandlerens kontrolaktiviteter "
                      "anført sammen med den test, revisor har udført, og resultatet heraf. "
                      "Testene er gennemført ved en eller flere af metoderne i oversigten. "
                      "Testkolonnen angiver også testens omfang: stikprøvens størrelse i "
                      "forhold til populationen, hele populationen, eller at der ikke har været "
                      "forekomster i perioden. Er der konstateret afvigelser, er rækken "
                      "markeret, og resultatkolonnen beskriver afvigelsernes art og omfang, "
                      "ledelsens kommentar og revisors vurdering.",
        "methods": (
            ("Forespørgsel", "Interview af relevante medarbejdere om, hvordan kontrollen er "
                             "udformet og udføres, og om deres kendskab til procedurer og ansvar."),
            ("Inspektion", "Gennemgang af dokumenter, rapporter og systemopsætninger, der viser "
                           "kontrollens udformning og udførelse, herunder ved stikprøver."),
            ("Observation", "Iagttagelse af, at kontrollen faktisk udføres som beskrevet."),
            ("Genudførelse", "Revisor udfører selv kontrollen igen for at efterprøve, at den "
                             "giver det forventede resultat."),
        ),
    },
    "en": {
        "title": "ISAE 3000 assurance report on information security and measures for the "
                 "processing of personal data",
        "short_title": "ISAE 3000 assurance report",
        "footer": "ISAE 3000 assurance report, type {n}",
        "type": "Type {n} report",
        "period": "throughout the period from {start} to {end}",
        "period_cover": "for the period from {start} to {end}",
        "at_date": "as at {date}",
        "range": "{start} – {end}",
        "service": "Service", "auditor": "Independent auditor", "report_type": "Report type",
        "period_label": "Period", "date_label": "Date", "status": "Status",
        "draft_status": "Draft – not issued",
        "generated": "Draft generated by Kontrol on {date}",
        "issued": "Issued on {date}",
        "report_date": "Report date",
        "qualified_status": "Qualified opinion", "conclusion_label": "Opinion",
        "unsigned": "Draft – not signed.",
        "flag_deviation": "Deviation", "flag_material": "Material deviation",
        "contents": "Contents",
        "sections": ("Management's statement", "Independent auditor's report",
                     "Description of the processing",
                     "Control objectives, control activities, tests and results"),
        "sub_processors": "Sub-processors",
        "sub_processors_intro": "The processor uses the following sub-processors. The report "
                                "applies the carve-out method: the controls the "
                                "sub-processors perform are not included.",
        "complementary": "Complementary controls at the data controllers",
        "complementary_intro": "Some control objectives can be achieved only if the following "
                               "controls at the data controllers are suitably designed and "
                               "operate effectively together with the processor's controls:",
        "empty": "This section has not been completed yet.",
        "objective": "Control objective {code}",
        "columns": ("No.", "Control activity", "Test performed by the auditor",
                    "Result of test"),
        "not_relevant": "Not relevant",
        "no_activities": "No control activities are recorded for this control objective.",
        "no_deviations": "No material deviations noted.",
        "page": "Page {n} of {m}",
        "watermark": "DRAFT",
        "methods_heading": "Test methods",
        "methods_columns": ("Method", "Description"),
        "intro_2": "The auditor's procedures were planned to obtain reasonable assurance that "
                   "the controls related to the control objectives were suitably designed and "
                   "operated effectively {period}.",
        "intro_1": "The auditor's procedures were planned to obtain reasonable assurance that "
                   "the controls related to the control objectives were suitably designed and "
                   "implemented {period}.",
        "intro_rest": "For each control objective below, the processor's control activities "
                      "are listed with the test the auditor performed and its result. Tests "
                      "used one or more of the methods in the overview. The test column also "
                      "states the extent of the test: the sample size against the population, "
                      "the whole population, or that there were no occurrences in the period. "
                      "Where deviations were found, the row is marked and the result column "
                      "describes their nature and extent, management's comment and the "
                      "auditor's assessment.",
        "methods": (
            ("Inquiry", "Interviews with relevant staff about how the control is designed and "
                        "performed, and about their knowledge of procedures and duties."),
            ("Inspection", "Reading documents, reports and system settings that show the "
                           "control's design and operation, including by sampling."),
            ("Observation", "Watching the control being performed as described."),
            ("Re-performance", "The auditor performs the control again to confirm that it "
                               "gives the expected result."),
        ),
    },
}


def format_date(value: date, lang: str) -> str:
    """A date as a reader writes it: "1. januar 2025" (da) or "1 January 2025" (en)."""
    month = MONTHS[lang][value.month - 1]
    return f"{value.day}. {month} {value.year}" if lang == "da" else \
        f"{value.day} {month} {value.year}"


@dataclass(frozen=True)
class FontSet:
    """Names of the four faces the report uses, and whether they are embedded TrueType."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    embedded: bool


HELVETICA = FontSet("Helvetica", "Helvetica-Bold", "Helvetica-Oblique",
                    "Helvetica-BoldOblique", embedded=False)
_DEJAVU_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                 "DejaVuSans-BoldOblique.ttf")


def register_fonts(directory: Path | None = None) -> FontSet:
    """DejaVu Sans (full Unicode) when its files are in `directory`, else built-in Helvetica."""
    return _register(Path(directory or DEJAVU_DIR))


@functools.lru_cache(maxsize=4)
def _register(directory: Path) -> FontSet:
    paths = [directory / name for name in _DEJAVU_FILES]
    if not all(path.is_file() for path in paths):
        return HELVETICA
    names = FontSet("KontrolSans", "KontrolSans-Bold", "KontrolSans-Oblique",
                    "KontrolSans-BoldOblique", embedded=True)
    faces = (names.regular, names.bold, names.italic, names.bold_italic)
    for name, path in zip(faces, paths, strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(names.regular, normal=names.regular, bold=names.bold,
                                  italic=names.italic, boldItalic=names.bold_italic)
    return names


HYPHENATION = {"da": "da_DK", "en": "en_GB"}
# Danish compounds join words; pyphen's syllable patterns know nothing of the joint and move a
# consonant across it ("perso-noplysninger", "kontro-laktivitet"). Where one of these
# vowel-initial parts follows another word, break at the joint and never just beside it.
DANISH_PARTS = ("oplysning", "aktivitet", "autentifikation", "erklæring", "ansvar", "aftale",
                "adgang", "anvend", "overvåg", "overfør", "opbevar", "udform", "udfør",
                "opfølg", "omfang", "ændring", "afvigelse", "område", "instruks", "analyse",
                "arbejd", "opdater", "organisation", "indhold", "alarm", "ophør", "oversigt",
                "anmeld", "identifi", "opgave", "ejer", "udstyr", "eksemplar", "indsigelse")


class DanishHyphenator:
    """pyphen's da_DK patterns, corrected at the joints of compound words.

    A ReportLab hyphenator: called with a word, it yields (head, tail) pairs from the right.
    """

    def __init__(self) -> None:
        import pyphen

        self._pyphen = pyphen.Pyphen(lang="da_DK")

    def positions(self, word: str) -> list[int]:
        """Where `word` may be broken, left to right."""
        allowed = set(self._pyphen.positions(word))
        lower = word.lower()
        for part in DANISH_PARTS:
            start = lower.find(part, 2)
            while start != -1:
                if len(word) - start >= 3:
                    allowed -= {start - 2, start - 1, start + 1, start + 2}
                    allowed.add(start)
                start = lower.find(part, start + 1)
        return sorted(p for p in allowed if 2 <= p <= len(word) - 2)

    def __call__(self, word: str):
        """The possible breaks of `word`, rightmost first."""
        for position in reversed(self.positions(word)):
            yield word[:position], word[position:]


@functools.lru_cache(maxsize=2)
def _hyphenator(lang: str):
    try:
        import pyphen
    except ImportError:  # pragma: no cover - pyphen is a dependency; degrade to no hyphens
        return ""
    if lang == "da":
        return DanishHyphenator()
    name = HYPHENATION.get(lang, "")
    return name if name in pyphen.LANGUAGES else ""


def hyphenation_language(lang: str | None):
    """ReportLab's hyphenator for `lang` ("" when none: ReportLab then does not hyphenate)."""
    return _hyphenator(lang[:2]) if lang else ""


def make_styles(fonts: FontSet, lang: str | None = None) -> dict[str, ParagraphStyle]:
    """The paragraph styles of the report, keyed by role; hyphenated in `lang` when given.

    Ragged right: Danish compounds are long, and hyphenation (pyphen's da_DK patterns) keeps
    narrow table cells from leaving big gaps or overflowing.
    """
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=13.5,
                          textColor=INK, alignment=TA_LEFT, spaceAfter=6,
                          hyphenationLang=hyphenation_language(lang), embeddedHyphenation=1,
                          uriWasteReduce=0.3)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10.6, alignment=TA_LEFT,
                          spaceAfter=3)

    def derive(name: str, parent: ParagraphStyle = base, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, parent=parent, **kw)

    return {
        "body": base,
        "bullet": derive("bullet", leftIndent=12, bulletIndent=2, spaceAfter=3,
                         bulletFontName=fonts.regular),
        "h1": derive("h1", fontName=fonts.bold, fontSize=15, leading=19, textColor=NAVY,
                     alignment=TA_LEFT, spaceAfter=10),
        "h2": derive("h2", fontName=fonts.bold, fontSize=11.5, leading=15, textColor=NAVY,
                     alignment=TA_LEFT, spaceBefore=10, spaceAfter=4, keepWithNext=1),
        "h3": derive("h3", fontName=fonts.bold, fontSize=9.5, alignment=TA_LEFT,
                     spaceBefore=6, spaceAfter=3, keepWithNext=1),
        "objective": derive("objective", fontName=fonts.italic, textColor=MUTED,
                            alignment=TA_LEFT, spaceAfter=8),
        "note": derive("note", fontName=fonts.italic, textColor=MUTED, alignment=TA_LEFT),
        "cell": cell,
        "cell_bullet": derive("cell_bullet", parent=cell, leftIndent=9, bulletIndent=1,
                              bulletFontName=fonts.regular),
        "cell_id": derive("cell_id", parent=cell, fontName=fonts.bold),
        "cell_pass": derive("cell_pass", parent=cell, textColor=PASS_GREEN),
        "cell_head": derive("cell_head", parent=cell, fontName=fonts.bold,
                            textColor=colors.white, spaceAfter=0, hyphenationLang=""),
        "cover_org": derive("cover_org", fontName=fonts.bold, fontSize=24, leading=29,
                            textColor=NAVY, alignment=TA_LEFT, spaceAfter=14),
        "cover_title": derive("cover_title", fontSize=16, leading=21, alignment=TA_LEFT,
                              spaceAfter=10),
        "cover_period": derive("cover_period", fontSize=12, leading=16, textColor=NAVY,
                               alignment=TA_LEFT, spaceAfter=6),
        "cover_key": derive("cover_key", fontName=fonts.bold, fontSize=9, textColor=MUTED,
                            alignment=TA_LEFT, spaceAfter=0),
        "cover_value": derive("cover_value", fontSize=9.5, alignment=TA_LEFT, spaceAfter=0),
        "toc0": derive("toc0", fontName=fonts.bold, fontSize=10.5, leading=15, spaceBefore=7,
                       alignment=TA_LEFT, leftIndent=0, firstLineIndent=0),
        "toc1": derive("toc1", fontSize=9.5, leading=13, alignment=TA_LEFT, leftIndent=14,
                       firstLineIndent=0),
        "report_title": derive("report_title", fontName=fonts.bold, fontSize=11.5, leading=15,
                               textColor=INK, spaceAfter=8),
        "lettered": derive("lettered", leftIndent=16, bulletIndent=0, spaceAfter=4,
                           bulletFontName=fonts.regular),
        "numbered": derive("numbered", leftIndent=36, bulletIndent=16, spaceAfter=3,
                           bulletFontName=fonts.regular),
        "sub_bullet": derive("sub_bullet", leftIndent=48, bulletIndent=38, spaceAfter=2,
                             bulletFontName=fonts.regular),
        "signature": derive("signature", spaceAfter=0, leading=13),
        "cell_note": derive("cell_note", parent=cell, fontName=fonts.italic, textColor=MUTED),
        "cell_flag": derive("cell_flag", parent=cell, fontName=fonts.bold, textColor=FLAG_INK,
                            spaceAfter=2),
    }


_BULLET = re.compile(r"^\s*(?:[-*•\u2022])\s+")
_HEADING = re.compile(r"^\s*#{1,3}\s+")


def markup(text: str) -> str:
    """User text made safe for Paragraph markup: &, < and > escaped."""
    return escape(text)


def text_flowables(text: str, style: ParagraphStyle, bullet_style: ParagraphStyle,
                   heading_style: ParagraphStyle | None = None) -> list[Flowable]:
    """Plain text as paragraphs.

    Blank lines separate paragraphs, single newlines become line breaks, lines starting with
    "-", "*" or "•" become bullets, and (when `heading_style` is given) lines starting with "#"
    become subheadings.
    """
    flowables: list[Flowable] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip()):
        lines: list[str] = []
        for line in block.split("\n"):
            if _BULLET.match(line):
                flowables.extend(_joined(lines, style))
                flowables.append(Paragraph(markup(_BULLET.sub("", line, count=1).strip()),
                                           bullet_style, bulletText="•"))
            elif heading_style is not None and _HEADING.match(line):
                flowables.extend(_joined(lines, style))
                flowables.append(Paragraph(markup(_HEADING.sub("", line, count=1).strip()),
                                           heading_style))
            elif line.strip():
                lines.append(markup(line.strip()))
        flowables.extend(_joined(lines, style))
        if flowables and getattr(flowables[-1], "bulletText", None):
            # A list ends its block: give it the same space after as a paragraph.
            flowables.append(Spacer(1, max(0, style.spaceAfter - bullet_style.spaceAfter)))
    return flowables


_LETTERED = re.compile(r"^([a-z])\)\s+")
_NUMBERED = re.compile(r"^\(([ivx]+)\)\s+")


def structured_flowables(text: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Statement and opinion text: paragraphs, "a) " criteria, "(i) " sub-criteria, bullets.

    A bullet after a "(i)" line is indented under it; elsewhere it is an ordinary bullet.
    """
    flowables: list[Flowable] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip()):
        lines: list[str] = []
        nested = False
        for line in block.split("\n"):
            lettered, numbered = _LETTERED.match(line), _NUMBERED.match(line)
            if lettered or numbered or _BULLET.match(line):
                flowables.extend(_joined(lines, styles["body"]))
            if lettered:
                flowables.append(Paragraph(markup(line[lettered.end():].strip()),
                                           styles["lettered"], bulletText=f"{lettered[1]})"))
                nested = False
            elif numbered:
                flowables.append(Paragraph(markup(line[numbered.end():].strip()),
                                           styles["numbered"], bulletText=f"({numbered[1]})"))
                nested = True
            elif _BULLET.match(line):
                flowables.append(Paragraph(markup(_BULLET.sub("", line, count=1).strip()),
                                           styles["sub_bullet" if nested else "bullet"],
                                           bulletText="•"))
            elif line.strip():
                lines.append(markup(line.strip()))
        flowables.extend(_joined(lines, styles["body"]))
        if flowables:
            flowables.append(Spacer(1, 3))
    return flowables


def _joined(lines: list[str], style: ParagraphStyle) -> list[Paragraph]:
    """The pending lines as one paragraph with line breaks (emptying the list)."""
    if not lines:
        return []
    paragraph = Paragraph("<br/>".join(lines), style)
    lines.clear()
    return [paragraph]


@dataclass(frozen=True)
class PageChrome:
    """What is printed around the content of every page: band, header, footer and watermark.

    Works for any page size (the ISAE report is A4 portrait, the SoA landscape).
    """

    fonts: FontSet
    header_left: str
    header_right: str
    footer_left: str
    page_format: str
    watermark: str | None
    page_size: tuple[float, float] = (PAGE_WIDTH, PAGE_HEIGHT)
    band: str = "ISAE 3000"

    def draw_band(self, canvas: Canvas, _doc=None) -> None:
        """The first page's navy band across the top, with the report's name in it."""
        width, height = self.page_size
        canvas.saveState()
        canvas.setFillColor(NAVY)
        canvas.rect(0, height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(self.fonts.bold, 10)
        canvas.drawString(MARGIN_X, height - 11 * mm, self.band)
        canvas.restoreState()

    def draw_header(self, canvas: Canvas, _doc=None) -> None:
        """Running header on the following pages: bold left text, muted right text, a rule."""
        width, height = self.page_size
        y = height - 13 * mm
        canvas.saveState()
        canvas.setFont(self.fonts.regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(width - MARGIN_X, y, self.header_right)
        room = (width - 2 * MARGIN_X - 8 * mm
                - canvas.stringWidth(self.header_right, self.fonts.regular, 7.5))
        canvas.setFont(self.fonts.bold, 7.5)
        canvas.setFillColor(NAVY)
        canvas.drawString(MARGIN_X, y, fit_text(self.header_left, self.fonts.bold, 7.5, room))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, y - 2.5 * mm, width - MARGIN_X, y - 2.5 * mm)
        canvas.restoreState()

    def draw_overlay(self, canvas: Canvas, total: int) -> None:
        """Footer with "page N of M", then the draft watermark across the page diagonal."""
        width, height = self.page_size
        y = 12 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, y + 4 * mm, width - MARGIN_X, y + 4 * mm)
        canvas.setFont(self.fonts.regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_X, y, self.footer_left)
        page = self.page_format.format(n=canvas.getPageNumber(), m=total)
        canvas.drawRightString(width - MARGIN_X, y, page)
        if self.watermark:
            canvas.setFillColor(colors.HexColor("#9AA3AE"))
            canvas.setFillAlpha(0.16)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(math.degrees(math.atan2(height, width)))
            size = 110 if len(self.watermark) <= 5 else 96
            canvas.setFont(self.fonts.bold, size)
            canvas.drawCentredString(0, -size / 3, self.watermark)
        canvas.restoreState()


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis if it is wider than `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class NumberedCanvas(Canvas):
    """A canvas that holds pages back until the end, so each page can say "of M".

    Headings record their page in `anchors`; drawing that needs a number known only at the end
    (the contents list's page numbers) is queued per page with `later`.
    """

    def __init__(self, *args, chrome: PageChrome, **kwargs):
        super().__init__(*args, **kwargs)
        self._chrome = chrome
        self._pages: list[dict] = []
        self._later: list[Callable[[Canvas], None]] = []
        self.anchors: dict[str, int] = {}

    def later(self, draw: Callable[[Canvas], None]) -> None:
        """Run `draw` on the current page when the document is written."""
        self._later.append(draw)

    def showPage(self) -> None:
        """Keep the finished page's state instead of writing it out."""
        self._pages.append(dict(self.__dict__))
        self._later = []
        self._startPage()

    def save(self) -> None:
        """Write every kept page with its late drawing, footer and watermark, then the file."""
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            for draw in self._later:
                draw(self)
            self._chrome.draw_overlay(self, total)
            super().showPage()
        super().save()


class ResultsTable(Table):
    """A table that breaks between rows, and inside a row only if that row is taller than a page.

    ReportLab's own in-row splitting also cuts rows that could have moved whole, and can repeat
    the header mid-page; this keeps ordinary rows whole and still never clips a giant one.
    Subclasses for other page sizes set `frame_height` (split parts are rebuilt from the class).
    """

    frame_height = FRAME_HEIGHT

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """Choose row or in-row splitting for the row that crosses the page end, then split."""
        self._calc(avail_width, avail_height)
        heights = self._rowHeights
        repeat = self.repeatRows
        head = sum(heights[:repeat]) if isinstance(repeat, int) else sum(
            heights[i] for i in repeat)
        used, crossing = 0.0, 0.0
        for height in heights:
            used += height
            if used > avail_height:
                crossing = height
                break
        giant = crossing + head > self.frame_height
        self.splitByRow, self.splitInRow = (0, 1) if giant else (1, 0)
        return super().split(avail_width, avail_height)
