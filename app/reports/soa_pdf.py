"""The Statement of Applicability as a PDF: `SoARow`s in, A4 landscape PDF bytes out.

One table per catalogue (rows keep the order they come in), a theme row wherever the theme
changes, the column header repeated on every page. Same fonts, colours and page chrome as the
ISAE 3000 report. No Flask and no database here (STYLE habit 8); `service.soa_rows` gathers rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from typing import Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from .pdf import _cell as cell_flowables
from .pdf_layout import (
    LABELS,
    MUTED,
    NAVY,
    ZEBRA,
    format_date,
    make_styles,
    markup,
    register_fonts,
)
from .pdf_pages import PageChrome, PagedTable, build_pdf, facts_table, frame_size, grid_table
from .xlsx import SoARow

PAGE = landscape(A4)
FRAME_WIDTH, FRAME_HEIGHT = frame_size(PAGE)
COLUMNS = (19 * mm, 52 * mm, 24 * mm, 29 * mm, None, 30 * mm, 26 * mm)
COLUMN_WIDTHS = tuple(w if w is not None else FRAME_WIDTH - sum(filter(None, COLUMNS))
                      for w in COLUMNS)

WORDS = {
    "da": {
        "title": "Anvendelseserklæring (Statement of Applicability)",
        "short": "Anvendelseserklæring",
        "band": "ANVENDELSESERKLÆRING",
        "organisation": "Organisation", "generated": "Dannet", "controls": "Kontroller",
        "stamp": "{date} kl. {time}",
        "columns": ("Kontrol", "Titel", "Relevant", "Status", "Begrundelse", "Ejer",
                    "Senest gennemgået"),
        "summary": "{total} kontroller: {applicable} relevante ({statuses}), "
                   "{not_applicable} ikke relevante, {undecided} ikke afgjort.",
        "statuses": ("{n} implementeret", "{n} delvist implementeret", "{n} planlagt",
                     "{n} uden status"),
        "catalogue_count": "{n} kontroller",
        "intro": "Erklæringen viser for hver kontrol, om den er relevant for organisationen, "
                 "begrundelsen for til- eller fravalg, hvor langt implementeringen er, hvem der "
                 "ejer kontrollen, og hvornår den senest er gennemgået.",
        "empty": "Der er ingen kontroller i anvendelseserklæringen.",
    },
    "en": {
        "title": "Statement of Applicability",
        "short": "Statement of Applicability",
        "band": "STATEMENT OF APPLICABILITY",
        "organisation": "Organisation", "generated": "Generated", "controls": "Controls",
        "stamp": "{date} at {time}",
        "columns": ("Control", "Title", "Applicable", "Status", "Justification", "Owner",
                    "Last reviewed"),
        "summary": "{total} controls: {applicable} applicable ({statuses}), "
                   "{not_applicable} not applicable, {undecided} not decided.",
        "statuses": ("{n} implemented", "{n} partially implemented", "{n} planned",
                     "{n} without status"),
        "catalogue_count": "{n} controls",
        "intro": "For each control the statement shows whether it applies to the organisation, "
                 "the justification for including or excluding it, how far implementation has "
                 "come, who owns the control and when it was last reviewed.",
        "empty": "The Statement of Applicability holds no controls.",
    },
}

# SoARow holds display words in either language; these map them back for the counts.
_APPLICABLE = {"yes": "yes", "ja": "yes", "no": "no", "nej": "no"}
_STATUS = {"implemented": "implemented", "implementeret": "implemented",
           "partial": "partial", "partially implemented": "partial",
           "delvist implementeret": "partial", "planned": "planned", "planlagt": "planned"}
_STATUS_ORDER = ("implemented", "partial", "planned", "")


def soa_counts(rows: Sequence[SoARow]) -> Counter[str]:
    """Counts for the summary line.

    Keys: "total", "yes", "no", "undecided" (applicability) and, among applicable controls only,
    "implemented", "partial", "planned" and "" (no status recorded).
    """
    counts: Counter[str] = Counter(total=len(rows))
    for row in rows:
        applicable = _APPLICABLE.get(row.applicable.strip().lower(), "undecided")
        counts[applicable] += 1
        if applicable == "yes":
            counts[_STATUS.get(row.status.strip().lower(), "")] += 1
    return counts


class _SoATable(PagedTable):
    frame_height = FRAME_HEIGHT


def build_soa_pdf(rows: Sequence[SoARow], lang: Literal["da", "en"], organisation: str,
                  generated_at: datetime) -> bytes:
    """The Statement of Applicability as PDF bytes; the same input always gives the same bytes.

    `rows` come in catalogue order with words already in `lang`; `generated_at` is printed as
    given (with its time zone name when it has one).
    """
    if lang not in WORDS:
        raise ValueError(f"unsupported report language {lang!r}")
    words = WORDS[lang]
    fonts = register_fonts()
    styles = make_styles(fonts)
    styles["cell_muted"] = ParagraphStyle("cell_muted", parent=styles["cell"], textColor=MUTED)
    # keepWithNext would bind the heading to a many-page table and push both to a new page;
    # the CondPageBreak before each heading keeps it from being orphaned instead.
    styles["catalogue"] = ParagraphStyle("catalogue", parent=styles["h2"], keepWithNext=0)
    stamp = _stamp(generated_at, lang)
    chrome = PageChrome(
        fonts=fonts, page_size=PAGE, band=words["band"],
        header_left=f"{organisation} · {words['short']}",
        header_right=f"{words['generated']} {stamp}",
        footer_left=words["title"], page_format=LABELS[lang]["page"], watermark=None,
    )
    story = [*_header_block(rows, words, organisation, stamp, styles)]
    if not rows:
        story.append(Paragraph(markup(words["empty"]), styles["note"]))
    for catalogue, part in groupby(rows, key=lambda row: row.catalogue):
        part = list(part)
        story.append(CondPageBreak(40 * mm))
        count = words["catalogue_count"].format(n=len(part))
        story.append(Paragraph(f"{markup(catalogue)} <font color='#5F6B7A' size='9'>"
                               f"({markup(count)})</font>", styles["catalogue"]))
        story.append(_catalogue_table(part, words, styles))
    return build_pdf(story, chrome, title=f"{words['title']} – {organisation}",
                     subject=f"{words['generated']} {stamp}", lang=lang)


def _stamp(moment: datetime, lang: str) -> str:
    zone = moment.tzname() or ""
    when = WORDS[lang]["stamp"].format(date=format_date(moment.date(), lang),
                                       time=f"{moment:%H:%M}")
    return f"{when} {zone}".strip()


def _header_block(rows: Sequence[SoARow], words: dict, organisation: str, stamp: str,
                  styles: dict) -> list[Flowable]:
    counts = soa_counts(rows)
    statuses = [text.format(n=counts[key])
                for text, key in zip(words["statuses"], _STATUS_ORDER, strict=True)
                if key or counts[key]]
    summary = words["summary"].format(
        total=counts["total"], applicable=counts["yes"], statuses=", ".join(statuses),
        not_applicable=counts["no"], undecided=counts["undecided"])
    facts = facts_table(((words["organisation"], organisation), (words["generated"], stamp),
                         (words["controls"], str(counts["total"]))), styles, (38 * mm, 120 * mm))
    return [
        Spacer(1, 4 * mm),
        Paragraph(markup(words["title"]), styles["h1"]),
        Paragraph(markup(organisation), styles["cover_title"]),
        facts,
        Spacer(1, 5 * mm),
        Paragraph(f"<b>{markup(summary)}</b>", styles["body"]),
        Paragraph(markup(words["intro"]), styles["note"]),
    ]


def _catalogue_table(rows: list[SoARow], words: dict, styles: dict) -> Table:
    data: list[list] = []
    # Zebra striping would fight the theme rows; plain rows with rules read better here.
    commands: list[tuple] = [("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white])]
    theme = None
    for row in rows:
        if row.group != theme and row.group.strip():
            theme = row.group
            index = len(data) + 1
            data.append([Paragraph(f"<b>{markup(theme)}</b>", styles["cell"])] + [""] * 6)
            commands += [("SPAN", (0, index), (-1, index)),
                         ("BACKGROUND", (0, index), (-1, index), ZEBRA),
                         ("LINEABOVE", (0, index), (-1, index), 0.6, NAVY)]
        muted = _APPLICABLE.get(row.applicable.strip().lower()) == "no"
        reviewed = row.last_reviewed.isoformat() if row.last_reviewed else "–"
        data.append([
            Paragraph(markup(row.control_id), styles["cell_id"]),
            cell_flowables(row.title, styles),
            Paragraph(markup(row.applicable), styles["cell_muted" if muted else "cell"]),
            cell_flowables(row.status, styles),
            cell_flowables("\n\n".join(filter(None, (row.justification, row.notes))), styles),
            cell_flowables(row.owner, styles),
            Paragraph(markup(reviewed), styles["cell"]),
        ])
    return grid_table(data, COLUMN_WIDTHS, styles, words["columns"], commands, _SoATable)
