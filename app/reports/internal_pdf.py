"""The internal audit report as a PDF: plain engagement data in, A4 PDF bytes out.

Addressed to the security committee: a cover, 1 purpose and scope, 2 summary, 3 tests,
4 findings by severity (material first) with management's responses, 5 open remediation.
Same fonts, colours and page chrome as the ISAE 3000 report; no Flask, no database (habit 8).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Literal

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .pdf import _cell as cell_flowables
from .pdf_layout import (
    FRAME_WIDTH,
    LABELS,
    NAVY,
    RULE,
    ZEBRA,
    ResultsTable,
    format_date,
    make_styles,
    markup,
    register_fonts,
    text_flowables,
)
from .pdf_pages import ALERT, AMBER, PageChrome, build_pdf, facts_table, grid_style, grid_table

# Fixed wording per language, in the manner of pdf_layout.LABELS.
WORDS = {
    "da": {
        "title": "Intern revisionsrapport", "band": "INTERN REVISION",
        "addressed": "Rapporten er stilet til sikkerhedsudvalget.",
        "footer": "Intern revisionsrapport · til sikkerhedsudvalget",
        "facts": ("Type", "Periode", "Status", "Modtager", "Revisionsteam"),
        "recipient": "Sikkerhedsudvalget",
        "sections": ("Formål og omfang", "Sammenfatning", "Test", "Fund efter alvorlighed",
                     "Åben udbedring"),
        "scope": "Omfang", "no_scope": "Omfanget er ikke angivet.",
        "summary_intro": "Tabellerne sammenfatter testenes stade og de konstaterede fund.",
        "figures": ("Test i alt", "Afsluttede test", "heraf med afvigelser",
                    "Ikke afsluttede test", "Fund til udbedring (åbne og under udbedring)",
                    "heraf med overskredet frist"),
        "severity_columns": ("Alvorlighed", "Åbne", "Under udbedring", "Lukkede", "I alt"),
        "total": "I alt",
        "severity": {"material": "Væsentlig", "minor": "Mindre væsentlig",
                     "observation": "Observation"},
        "severity_heading": {"material": "Væsentlige fund", "minor": "Mindre væsentlige fund",
                             "observation": "Observationer"},
        "status": {"open": "Åben", "in_progress": "Under udbedring", "closed": "Lukket"},
        "conclusion": {"open": "Ikke afsluttet", "no_deviations": "Ingen afvigelser",
                       "not_material": "Afvigelser, ikke væsentlige",
                       "material": "Væsentlige afvigelser"},
        "test_columns": ("Nr.", "Kontrol", "Metoder", "Stikprøve", "Resultat"),
        "finding_keys": ("Alvorlighed", "Status", "Ansvarlig", "Frist", "Rodårsag",
                         "Ledelsens kommentar"),
        "overdue": "OVERSKREDET", "no_due": "Ingen frist",
        "remediation_intro": "Fund, der endnu ikke er lukket, ordnet efter frist.",
        "remediation_columns": ("Ref.", "Kontrol", "Fund", "Alvorlighed", "Ansvarlig",
                                "Frist", "Status"),
        "no_tests": "Der er ikke registreret test.",
        "no_findings": "Der er ikke registreret fund.",
        "no_open": "Der er ingen åbne fund.",
    },
    "en": {
        "title": "Internal audit report", "band": "INTERNAL AUDIT",
        "addressed": "This report is addressed to the security committee (sikkerhedsudvalget).",
        "footer": "Internal audit report · for the security committee",
        "facts": ("Type", "Period", "Status", "Addressed to", "Audit team"),
        "recipient": "The security committee",
        "sections": ("Purpose and scope", "Summary", "Tests", "Findings by severity",
                     "Open remediation"),
        "scope": "Scope", "no_scope": "No scope has been recorded.",
        "summary_intro": "The tables summarise the state of the tests and the findings noted.",
        "figures": ("Tests in total", "Concluded tests", "of which with deviations",
                    "Tests not yet concluded", "Findings open for remediation "
                    "(open and in progress)", "of which overdue"),
        "severity_columns": ("Severity", "Open", "In progress", "Closed", "Total"),
        "total": "Total",
        "severity": {"material": "Material", "minor": "Minor", "observation": "Observation"},
        "severity_heading": {"material": "Material findings", "minor": "Minor findings",
                             "observation": "Observations"},
        "status": {"open": "Open", "in_progress": "In progress", "closed": "Closed"},
        "conclusion": {"open": "Not concluded", "no_deviations": "No deviations",
                       "not_material": "Deviations, not material",
                       "material": "Material deviations"},
        "test_columns": ("No.", "Control", "Methods", "Sample", "Result"),
        "finding_keys": ("Severity", "Status", "Owner", "Due date", "Root cause",
                         "Management's response"),
        "overdue": "OVERDUE", "no_due": "No due date",
        "remediation_intro": "Findings not yet closed, ordered by due date.",
        "remediation_columns": ("Ref.", "Control", "Finding", "Severity", "Owner", "Due",
                                "Status"),
        "no_tests": "No tests are recorded.",
        "no_findings": "No findings are recorded.",
        "no_open": "There are no open findings.",
    },
}

SEVERITIES = ("material", "minor", "observation")
STATUSES = ("open", "in_progress", "closed")


@dataclass(frozen=True)
class InternalTest:
    """One test in the engagement, with its worded result.

    `conclusion` is the code: open, no_deviations, not_material or material.
    """

    control_id: str
    title: str
    methods: str
    sample: str
    conclusion: str
    result: str


@dataclass(frozen=True)
class InternalFinding:
    """A finding (deviation). `severity` and `status` are codes; `overdue` is decided upstream."""

    reference: str
    control_id: str
    title: str
    severity: str
    status: str
    owner: str
    due_on: date | None
    overdue: bool
    root_cause: str
    management_response: str


@dataclass(frozen=True)
class InternalAuditReport:
    """Everything the internal audit report prints; `kind` and `status` are already worded."""

    lang: Literal["da", "en"]
    organisation: str
    engagement: str
    kind: str
    period_start: date | None
    period_end: date
    status: str
    draft: bool
    generated_on: date
    purpose: str
    scope: tuple[str, ...]
    team: tuple[str, ...]
    tests: tuple[InternalTest, ...]
    findings: tuple[InternalFinding, ...]

    def __post_init__(self) -> None:
        if self.lang not in WORDS:
            raise ValueError(f"unsupported report language {self.lang!r}")


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _concluded(test: InternalTest) -> bool:
    return test.conclusion.strip() not in ("", "open")


def _open(finding: InternalFinding) -> bool:
    return finding.status != "closed"


def build_internal_report(report: InternalAuditReport) -> bytes:
    """The internal audit report as PDF bytes: the same `report` always gives the same bytes."""
    words = WORDS[report.lang]
    fonts = register_fonts()
    styles = make_styles(fonts)
    styles["cell_alert"] = ParagraphStyle("cell_alert", parent=styles["cell"], textColor=ALERT)
    styles["cell_amber"] = ParagraphStyle("cell_amber", parent=styles["cell"], textColor=AMBER)
    styles["section"] = ParagraphStyle("section", parent=styles["h1"], spaceBefore=6)
    styles["cell_num"] = ParagraphStyle("cell_num", parent=styles["cell"], alignment=TA_RIGHT)
    styles["cell_total"] = ParagraphStyle("cell_total", parent=styles["cell_id"],
                                          alignment=TA_RIGHT)
    styles["head_num"] = ParagraphStyle("head_num", parent=styles["cell_head"],
                                        alignment=TA_RIGHT)
    period = _period(report)
    chrome = PageChrome(
        fonts=fonts, page_size=A4, band=words["band"],
        header_left=f"{report.organisation} · {report.engagement}",
        header_right=period, footer_left=words["footer"],
        page_format=LABELS[report.lang]["page"],
        watermark=LABELS[report.lang]["watermark"] if report.draft else None,
    )
    story = [*_cover(report, period, words, styles)]
    sections = (_purpose, _summary, _tests, _findings, _remediation)
    for number, (title, section) in enumerate(zip(words["sections"], sections, strict=True), 1):
        # A conditional break, not keepWithNext: that would push a long table to a new page.
        heading = Paragraph(markup(f"{number}. {title}"), styles["section"])
        story += [CondPageBreak(50 * mm), heading]
        story.extend(section(report, words, styles))
        story.append(Spacer(1, 4 * mm))
    return build_pdf(story, chrome, title=f"{words['title']} – {report.engagement}",
                     subject=f"{report.organisation} · {period}", lang=report.lang)


def _period(report: InternalAuditReport) -> str:
    labels = LABELS[report.lang]
    end = format_date(report.period_end, report.lang)
    if report.period_start is None:
        return labels["at_date"].format(date=end)
    return labels["range"].format(start=format_date(report.period_start, report.lang), end=end)


def _cover(report: InternalAuditReport, period: str, words: dict, styles: dict) -> list:
    labels = LABELS[report.lang]
    values = (report.kind, period, report.status, words["recipient"],
              ", ".join(report.team) or "–")
    generated = labels["generated"].format(date=format_date(report.generated_on, report.lang))
    return [
        Spacer(1, 50 * mm),
        Paragraph(markup(report.organisation), styles["cover_org"]),
        Paragraph(markup(words["title"]), styles["cover_title"]),
        Paragraph(markup(report.engagement), styles["cover_period"]),
        Spacer(1, 22 * mm),
        facts_table(list(zip(words["facts"], values, strict=True)), styles,
                    (42 * mm, FRAME_WIDTH - 42 * mm)),
        Spacer(1, 8 * mm),
        Paragraph(markup(words["addressed"]), styles["body"]),
        Paragraph(markup(generated), styles["note"]),
        PageBreak(),
    ]


def _purpose(report: InternalAuditReport, words: dict, styles: dict) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(markup(words["addressed"]), styles["body"])]
    story += text_flowables(report.purpose, styles["body"], styles["bullet"], styles["h3"]) or [
        Paragraph(markup(LABELS[report.lang]["empty"]), styles["note"])]
    story.append(Paragraph(markup(words["scope"]), styles["h3"]))
    story += [Paragraph(markup(item), styles["bullet"], bulletText="•") for item in report.scope]
    if not report.scope:
        story.append(Paragraph(markup(words["no_scope"]), styles["note"]))
    return story


def _summary(report: InternalAuditReport, words: dict, styles: dict) -> list[Flowable]:
    concluded = [test for test in report.tests if _concluded(test)]
    deviating = [t for t in concluded if t.conclusion in ("not_material", "material")]
    remediation = [finding for finding in report.findings if _open(finding)]
    figures = (len(report.tests), len(concluded), len(deviating),
               len(report.tests) - len(concluded), len(remediation),
               sum(finding.overdue for finding in remediation))
    indent = {2, 5}  # the "of which" lines
    key_rows = [[Paragraph(("&nbsp;" * 6 if i in indent else "") + markup(label),
                           styles["cell"]), Paragraph(str(value), styles["cell_total"])]
                for i, (label, value) in enumerate(zip(words["figures"], figures, strict=True))]
    key_table = Table(key_rows, colWidths=(100 * mm, 20 * mm), hAlign="LEFT")
    key_table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                                   ("LINEABOVE", (0, 0), (-1, 0), 1.2, NAVY),
                                   ("LINEABOVE", (0, 4), (-1, 4), 0.8, NAVY),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    counts = Counter((finding.severity, finding.status) for finding in report.findings)
    present = sorted({finding.severity for finding in report.findings} | set(SEVERITIES),
                     key=lambda code: (_rank(code), code))
    rows = []
    for code in [*present, None]:
        cells = [sum(n for (sev, st), n in counts.items() if st == status and code in (sev, None))
                 for status in STATUSES]
        total = sum(n for (sev, _), n in counts.items() if code in (sev, None))
        label = words["total"] if code is None else words["severity"].get(code, code)
        style, number = ("cell_id", "cell_total") if code is None else ("cell", "cell_num")
        rows.append([Paragraph(markup(label), styles[style])]
                    + [Paragraph(str(value), styles[number]) for value in (*cells, total)])
    matrix = grid_table(rows, (58 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm), styles,
                   [words["severity_columns"][0],
                    *(Paragraph(markup(text), styles["head_num"])
                      for text in words["severity_columns"][1:])],
                   [("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY)])
    return [Paragraph(markup(words["summary_intro"]), styles["body"]), key_table,
            Spacer(1, 6 * mm), matrix]


def _tests(report: InternalAuditReport, words: dict, styles: dict) -> list[Flowable]:
    if not report.tests:
        return [Paragraph(markup(words["no_tests"]), styles["note"])]
    rows = []
    for number, test in enumerate(report.tests, 1):
        code = test.conclusion.strip() or "open"
        style = {"no_deviations": "cell_pass", "material": "cell_alert",
                 "not_material": "cell_amber", "open": "note"}.get(code, "cell")
        verdict = Paragraph(f"<b>{markup(words['conclusion'].get(code, code))}</b>",
                            styles["cell" if style == "note" else style])
        result = text_flowables(test.result, styles["cell"], styles["cell_bullet"])
        rows.append([Paragraph(str(number), styles["cell"]),
                     [Paragraph(markup(test.control_id), styles["cell_id"]),
                      *cell_flowables(test.title, styles)],
                     cell_flowables(test.methods, styles), cell_flowables(test.sample, styles),
                     [verdict, *result]])
    return [grid_table(rows, (11 * mm, 46 * mm, 30 * mm, 28 * mm, FRAME_WIDTH - 115 * mm), styles,
                  words["test_columns"])]


def _due(finding: InternalFinding, words: dict, lang: str, short: bool = False) -> str:
    if finding.due_on is None:
        return markup(words["no_due"])
    text = finding.due_on.isoformat() if short else format_date(finding.due_on, lang)
    if finding.overdue:
        gap = "<br/>" if short else " "
        return f"{markup(text)}{gap}<font color='#B42318'><b>{markup(words['overdue'])}</b></font>"
    return markup(text)


def _findings(report: InternalAuditReport, words: dict, styles: dict) -> list[Flowable]:
    if not report.findings:
        return [Paragraph(markup(words["no_findings"]), styles["note"])]
    story: list[Flowable] = []
    ordered = sorted(report.findings, key=lambda f: (_rank(f.severity), f.severity, f.reference))
    heading = None
    for finding in ordered:
        if finding.severity != heading:
            heading = finding.severity
            story.append(Paragraph(markup(words["severity_heading"].get(heading, heading)),
                                   styles["h2"]))
        title = f"{finding.reference} · {finding.control_id} – {finding.title}"
        story.append(Paragraph(markup(title), styles["h3"]))
        values = [markup(words["severity"].get(finding.severity, finding.severity)),
                  markup(words["status"].get(finding.status, finding.status)),
                  markup(finding.owner or "–"), _due(finding, words, report.lang)]
        rows = [[Paragraph(markup(key), styles["cell_id"]), Paragraph(value, styles["cell"])]
                for key, value in zip(words["finding_keys"], values, strict=False)]
        rows += [[Paragraph(markup(key), styles["cell_id"]), cell_flowables(text, styles)]
                 for key, text in zip(words["finding_keys"][4:],
                                      (finding.root_cause, finding.management_response),
                                      strict=True)]
        box = ResultsTable(rows, colWidths=(40 * mm, FRAME_WIDTH - 40 * mm), hAlign="LEFT")
        box.setStyle(TableStyle([*grid_style(header=False),
                                 ("BACKGROUND", (0, 0), (0, -1), ZEBRA)]))
        story += [box, Spacer(1, 3 * mm)]
    return story


def _remediation(report: InternalAuditReport, words: dict, styles: dict) -> list[Flowable]:
    pending = sorted((f for f in report.findings if _open(f)),
                     key=lambda f: (f.due_on is None, f.due_on or date.min, f.reference))
    if not pending:
        return [Paragraph(markup(words["no_open"]), styles["note"])]
    rows = [[Paragraph(markup(f.reference), styles["cell_id"]),
             Paragraph(markup(f.control_id), styles["cell"]), cell_flowables(f.title, styles),
             Paragraph(markup(words["severity"].get(f.severity, f.severity)), styles["cell"]),
             cell_flowables(f.owner, styles),
             Paragraph(_due(f, words, report.lang, short=True), styles["cell"]),
             Paragraph(markup(words["status"].get(f.status, f.status)), styles["cell"])]
            for f in pending]
    widths = (14 * mm, 17 * mm, FRAME_WIDTH - 129 * mm, 24 * mm, 24 * mm, 28 * mm, 22 * mm)
    return [Paragraph(markup(words["remediation_intro"]), styles["body"]),
            grid_table(rows, widths, styles, words["remediation_columns"])]
