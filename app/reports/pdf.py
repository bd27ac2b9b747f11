"""The ISAE 3000 assurance report as a PDF: plain report data in, A4 PDF bytes out.

The layout follows published Danish ISAE 3000 GDPR reports for data processors: a cover, contents,
1 management's statement with its criteria and signature, 2 the independent auditor's report in
its headed sections with the firm's signature, 3 the description of the processing with the
sub-processors and complementary controls, and 4 per control objective a table of control
activities, the auditor's tests with their extent, and their results (rows with deviations
tinted and labelled). No Flask and no database here (STYLE habit 8); `assurance.py` gathers it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .pdf_layout import (
    FLAG_FILL,
    FLAG_INK,
    FRAME_WIDTH,
    INK,
    LABELS,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MATERIAL_FILL,
    MATERIAL_INK,
    MUTED,
    NAVY,
    RULE,
    ZEBRA,
    NumberedCanvas,
    PageChrome,
    ResultsTable,
    format_date,
    make_styles,
    markup,
    register_fonts,
    structured_flowables,
    text_flowables,
)

NO_DEVIATIONS = {lang: words["no_deviations"] for lang, words in LABELS.items()}
TEST_COLUMNS = (13 * mm, 46 * mm, 58 * mm, FRAME_WIDTH - 117 * mm)


@dataclass(frozen=True)
class ReportTest:
    """One row of a section 4 table: the activity, the auditor's test and its final result.

    `coverage` is the test's extent ("Stikprøve: 25 af 83"); `flag` marks a row with
    deviations: "deviation" (not material) or "material".
    """

    activity_id: str
    activity: str
    test_performed: str
    result: str
    coverage: str = ""
    flag: str = ""


@dataclass(frozen=True)
class ReportObjective:
    """A control objective (A–I) with its tests, or the reason it is not relevant."""

    code: str
    title: str
    objective: str
    not_relevant_reason: str | None
    tests: tuple[ReportTest, ...]


@dataclass(frozen=True)
class ReportSection:
    """A headed part of section 1 or 2; an empty text is left out of the report."""

    heading: str
    text: str


@dataclass(frozen=True)
class Signature:
    """Place and date, the firm's lines (auditor only), then the signatory's lines."""

    place_date: str
    signatory: tuple[str, ...]
    firm: tuple[str, ...] = ()


@dataclass(frozen=True)
class IsaeReport:
    """Everything the ISAE 3000 report prints, already worded in the report's language.

    `report_date` is the date the auditor signed (for a draft: the day it was generated).
    """

    lang: Literal["da", "en"]
    organisation: str
    service: str
    report_type: int  # 1: design at a date; 2: design and operation over a period
    period_start: date | None
    period_end: date
    auditor_firm: str
    statement: tuple[ReportSection, ...]
    auditor_title: str
    auditor_sections: tuple[ReportSection, ...]
    processing_description: str
    objectives: tuple[ReportObjective, ...]
    draft: bool
    report_date: date
    statement_signature: Signature | None = None
    auditor_signature: Signature | None = None
    qualified: bool = False
    sub_processors: tuple[str, ...] = ()
    complementary_controls: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.lang not in LABELS:
            raise ValueError(f"unsupported report language {self.lang!r}")
        if self.report_type not in (1, 2):
            raise ValueError("report_type must be 1 or 2")
        if self.report_type == 2 and (self.period_start is None
                                      or self.period_start > self.period_end):
            raise ValueError("a type 2 report needs a period_start on or before period_end")


def phrase_for(lang: str, report_type: int, start: date | None, end: date,
               key: str = "period") -> str:
    """The period as the report words it: "i hele perioden fra 1. januar 2025 til …" / "pr. …".

    `key` "period_cover" gives the cover's "for perioden fra … til …".
    """
    words = LABELS[lang]
    if report_type == 1:
        return words["at_date"].format(date=format_date(end, lang))
    return words[key].format(start=format_date(start, lang), end=format_date(end, lang))


def period_phrase(report: IsaeReport, key: str = "period") -> str:
    """`phrase_for` the report's own period."""
    return phrase_for(report.lang, report.report_type, report.period_start, report.period_end,
                      key)


def _period_short(report: IsaeReport) -> str:
    words = LABELS[report.lang]
    if report.report_type == 1:
        return period_phrase(report)
    return words["range"].format(start=format_date(report.period_start, report.lang),
                                 end=format_date(report.period_end, report.lang))


def build_isae_report(report: IsaeReport) -> bytes:
    """The report as PDF bytes: the same `report` always gives the same bytes."""
    fonts = register_fonts()
    styles = make_styles(fonts, report.lang)
    words = LABELS[report.lang]
    chrome = PageChrome(
        fonts=fonts,
        header_left=f"{report.organisation} · {_period_short(report)}",
        header_right=words["short_title"],
        footer_left=words["footer"].format(n=report.report_type),
        page_format=words["page"],
        watermark=words["watermark"] if report.draft else None,
    )
    buffer = io.BytesIO()
    doc = _ReportDocument(
        buffer, chrome,
        title=f"{words['title']} – {report.organisation}",
        author=report.auditor_firm,
        subject=f"{report.service} · {period_phrase(report, 'period_cover')}",
        lang="da-DK" if report.lang == "da" else "en-GB",
        initialFontName=fonts.regular,
    )
    entries = [(0, f"{number}. {title}", f"s{number}")
               for number, title in enumerate(words["sections"], 1)]
    entries += [(1, _objective_title(objective, words), f"obj{index}")
                for index, objective in enumerate(report.objectives)]
    story = [*_cover(report, styles), Paragraph(markup(words["contents"]), styles["h1"]),
             Spacer(1, 4 * mm), ContentsList(entries, styles), PageBreak()]
    story.append(_heading(*entries[0][1:], styles["h1"], 0))
    story.extend(_statement(report, words, styles))
    story.append(PageBreak())
    story.append(_heading(*entries[1][1:], styles["h1"], 0))
    story.extend(_auditor_report(report, words, styles))
    story.append(PageBreak())
    story.append(_heading(*entries[2][1:], styles["h1"], 0))
    story.extend(_body_text(report.processing_description, words, styles))
    story.extend(_carve_outs(report, words, styles))
    story.append(PageBreak())
    story.extend(_section_four(report, words, styles))
    doc.build(story, canvasmaker=partial(NumberedCanvas, chrome=chrome))
    return buffer.getvalue()


class _ReportDocument(BaseDocTemplate):
    """A4 document with a cover template and a body template; feeds the contents list."""

    def __init__(self, buffer: io.BytesIO, chrome: PageChrome, **meta):
        super().__init__(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1,
                         creator="Kontrol", **meta)

        def frame(name: str) -> Frame:
            return Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id=name,
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

        self.addPageTemplates([
            PageTemplate("cover", [frame("cover")], onPage=chrome.draw_band),
            PageTemplate("body", [frame("body")], onPage=chrome.draw_header),
        ])

    def afterFlowable(self, flowable: Flowable) -> None:
        """Record each heading's page for the contents list, and add it to the PDF outline."""
        entry = getattr(flowable, "toc_entry", None)
        if entry is None:
            return
        level, text, key = entry
        self.canv.anchors[key] = self.page
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)


class ContentsList(Flowable):
    """The table of contents, built in one pass.

    Titles and dot leaders are laid out at once; page numbers are drawn when the file is
    written, from the pages the headings were placed on (`NumberedCanvas.anchors`).
    """

    number_room = 14 * mm

    def __init__(self, entries: list[tuple[int, str, str]], styles: dict[str, ParagraphStyle]):
        super().__init__()
        self.entries, self.styles = entries, styles
        self._rows: list[tuple[Paragraph, ParagraphStyle, str, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Lay out every entry title; the height is the sum of the rows."""
        self._rows, self.width = [], avail_width
        for level, text, key in self.entries:
            style = self.styles[f"toc{level}"]
            paragraph = Paragraph(markup(text), style)
            _, height = paragraph.wrap(avail_width - self.number_room, avail_height)
            self._rows.append((paragraph, style, key, height + style.spaceBefore))
        self.height = sum(row[3] for row in self._rows)
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """Split between entries when the list does not fit on one page."""
        self.wrap(avail_width, avail_height)
        used, count = 0.0, 0
        for *_, height in self._rows:
            if used + height > avail_height:
                break
            used, count = used + height, count + 1
        if count == 0:
            return []
        return [ContentsList(self.entries[:count], self.styles),
                ContentsList(self.entries[count:], self.styles)]

    def draw(self) -> None:
        """Draw titles and leaders now; queue each page number for when it is known."""
        canvas, y = self.canv, self.height
        for paragraph, style, key, height in self._rows:
            y -= height
            paragraph.drawOn(canvas, 0, y)
            lines = paragraph.blPara.lines
            last = lines[-1]
            extra = last[0] if isinstance(last, tuple) else last.extraSpace
            baseline = y + paragraph.height - style.fontSize - (len(lines) - 1) * style.leading
            end = paragraph.width - style.rightIndent - extra
            right = self.width
            canvas.saveState()
            canvas.setStrokeColor(MUTED)
            canvas.setLineWidth(0.8)
            canvas.setLineCap(1)
            canvas.setDash([0.01, 3])
            canvas.line(end + 3, baseline + 1, right - self.number_room + 4 * mm, baseline + 1)
            canvas.restoreState()
            x, y_abs = canvas.absolutePosition(right, baseline)
            canvas.later(partial(_draw_page_number, key=key, x=x, y=y_abs,
                                 font=style.fontName, size=style.fontSize))


def _draw_page_number(canvas: Canvas, key: str, x: float, y: float, font: str,
                      size: float) -> None:
    canvas.saveState()
    canvas.setFont(font, size)
    canvas.setFillColor(INK)
    canvas.drawRightString(x, y, str(canvas.anchors.get(key, "?")))
    canvas.restoreState()


def _heading(text: str, key: str, style, level: int) -> Paragraph:
    paragraph = Paragraph(markup(text), style)
    paragraph.toc_entry = (level, text, key)
    return paragraph


def _body_text(text: str, words: dict, styles: dict) -> list[Flowable]:
    if not text.strip():
        return [Paragraph(markup(words["empty"]), styles["note"])]
    return text_flowables(text, styles["body"], styles["bullet"], styles["h3"])


def _signature(signature: Signature | None, words: dict, styles: dict) -> Flowable:
    """Place and date, the firm, room to sign, then the signatory; kept on one page."""
    if signature is None:
        return Paragraph(markup(words["unsigned"]), styles["note"])
    parts: list[Flowable] = [Spacer(1, 6 * mm),
                             Paragraph(markup(signature.place_date), styles["signature"])]
    parts += [Paragraph(markup(line), styles["signature"]) for line in signature.firm]
    parts.append(Spacer(1, 12 * mm))
    parts += [Paragraph(markup(line), styles["signature"]) for line in signature.signatory]
    return KeepTogether(parts)


def _statement(report: IsaeReport, words: dict, styles: dict) -> list[Flowable]:
    story: list[Flowable] = []
    for section in report.statement:
        if section.text.strip():
            story.extend(structured_flowables(section.text, styles))
    story.append(_signature(report.statement_signature, words, styles))
    return story


def _auditor_report(report: IsaeReport, words: dict, styles: dict) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(markup(report.auditor_title), styles["report_title"])]
    for section in report.auditor_sections:
        if not section.text.strip():
            continue
        if section.heading:
            story.append(Paragraph(markup(section.heading), styles["h3"]))
        story.extend(structured_flowables(section.text, styles))
    story.append(_signature(report.auditor_signature, words, styles))
    return story


def _cover(report: IsaeReport, styles: dict) -> list[Flowable]:
    words = LABELS[report.lang]
    type_label = words["type"].format(n=report.report_type)
    rows = [
        (words["service"], report.service),
        (words["report_type"], type_label),
        (words["period_label"] if report.report_type == 2 else words["date_label"],
         _period_short(report)),
        (words["auditor"], report.auditor_firm),
    ]
    if report.draft:
        rows.append((words["status"], words["draft_status"]))
    else:
        rows.append((words["report_date"], format_date(report.report_date, report.lang)))
    if report.qualified:
        rows.append((words["conclusion_label"], words["qualified_status"]))
    facts = Table([[Paragraph(markup(key), styles["cover_key"]),
                    Paragraph(markup(value), styles["cover_value"])] for key, value in rows],
                  colWidths=(42 * mm, FRAME_WIDTH - 42 * mm), hAlign="LEFT")
    facts.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, NAVY),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    generated = words["generated" if report.draft else "issued"].format(
        date=format_date(report.report_date, report.lang))
    return [
        Spacer(1, 50 * mm),
        Paragraph(markup(report.organisation), styles["cover_org"]),
        Paragraph(markup(words["title"]), styles["cover_title"]),
        Paragraph(markup(f"{type_label} {period_phrase(report, 'period_cover')}"),
                  styles["cover_period"]),
        Spacer(1, 22 * mm),
        facts,
        Spacer(1, 8 * mm),
        Paragraph(markup(generated), styles["note"]),
        NextPageTemplate("body"),
        PageBreak(),
    ]


def _carve_outs(report: IsaeReport, words: dict, styles: dict) -> list[Flowable]:
    story: list[Flowable] = []
    for items, heading, intro in (
        (report.sub_processors, "sub_processors", "sub_processors_intro"),
        (report.complementary_controls, "complementary", "complementary_intro"),
    ):
        if not items:
            continue
        story.append(Paragraph(markup(words[heading]), styles["h2"]))
        story.append(Paragraph(markup(words[intro]), styles["body"]))
        story.extend(Paragraph(markup(item), styles["bullet"], bulletText="•") for item in items)
    return story


def _grid_style(header: bool = True) -> list[tuple]:
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.6, NAVY),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("LINEBEFORE", (1, 0), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), NAVY),
                     ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA])]
    return commands


def _section_four(report: IsaeReport, words: dict, styles: dict) -> list[Flowable]:
    intro = words[f"intro_{report.report_type}"].format(period=period_phrase(report))
    methods = [[Paragraph(markup(cell), styles["cell_head"])
                for cell in words["methods_columns"]]]
    methods += [[Paragraph(markup(name), styles["cell_id"]),
                 Paragraph(markup(text), styles["cell"])] for name, text in words["methods"]]
    table = Table(methods, colWidths=(32 * mm, FRAME_WIDTH - 32 * mm), repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle(_grid_style()))
    story: list[Flowable] = [
        _heading(f"4. {words['sections'][3]}", "s4", styles["h1"], 0),
        Paragraph(markup(intro), styles["body"]),
        Paragraph(markup(words["intro_rest"]), styles["body"]),
        Paragraph(markup(words["methods_heading"]), styles["h3"]),
        table,
    ]
    for index, objective in enumerate(report.objectives):
        story.append(CondPageBreak(55 * mm))
        story.append(_heading(_objective_title(objective, words), f"obj{index}", styles["h2"], 1))
        story.extend(text_flowables(objective.objective, styles["objective"], styles["bullet"]))
        if objective.not_relevant_reason is not None:
            story.append(_not_relevant(objective.not_relevant_reason, words, styles))
        elif objective.tests:
            story.append(_tests_table(objective.tests, report.lang, styles))
        else:
            story.append(Paragraph(markup(words["no_activities"]), styles["note"]))
    return story


def _objective_title(objective: ReportObjective, words: dict) -> str:
    label = words["objective"].format(code=objective.code)
    return f"{label}: {objective.title}" if objective.title.strip() else label


def _not_relevant(reason: str, words: dict, styles: dict) -> Table:
    label = Paragraph(f"<b>{markup(words['not_relevant'])}</b>", styles["cell"])
    cell = [label, *text_flowables(reason, styles["cell"], styles["cell_bullet"])]
    box = Table([[cell]], colWidths=(FRAME_WIDTH,), hAlign="LEFT")
    box.setStyle(TableStyle([*_grid_style(header=False), ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return box


def _cell(text: str, styles: dict, style: str = "cell") -> list[Flowable]:
    flowables = text_flowables(text, styles[style], styles["cell_bullet"])
    return flowables or [Paragraph("–", styles[style])]


def _tests_table(tests: tuple[ReportTest, ...], lang: str, styles: dict) -> Table:
    """The objective's table; rows with deviations are tinted and labelled in the result."""
    words = LABELS[lang]
    passing = set(NO_DEVIATIONS.values())
    rows: list[list] = [[Paragraph(markup(column), styles["cell_head"])
                         for column in words["columns"]]]
    flags: list[tuple] = []
    for number, test in enumerate(tests, 1):
        result_style = "cell_pass" if test.result.strip() in passing else "cell"
        performed = _cell(test.test_performed, styles)
        if test.coverage:
            performed.append(Paragraph(markup(test.coverage), styles["cell_note"]))
        result = _cell(test.result, styles, result_style)
        if test.flag:
            label = words["flag_material" if test.flag == "material" else "flag_deviation"]
            result.insert(0, Paragraph(markup(label.upper()), styles["cell_flag"]))
            fill, ink = ((MATERIAL_FILL, MATERIAL_INK) if test.flag == "material"
                         else (FLAG_FILL, FLAG_INK))
            flags += [("BACKGROUND", (0, number), (-1, number), fill),
                      ("LINEBEFORE", (0, number), (0, number), 3, ink)]
        rows.append([Paragraph(markup(test.activity_id), styles["cell_id"]),
                     _cell(test.activity, styles), performed, result])
    table = ResultsTable(rows, colWidths=TEST_COLUMNS, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*_grid_style(), *flags]))
    return table
