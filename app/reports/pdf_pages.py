"""Page furniture for the SoA and internal audit PDFs: the ISAE report's look on any page size.

`ResultsTable` is fixed to A4 portrait; `PagedTable` is its row-splitting rule for a page size
chosen at build time. The running header, footer and watermark are `pdf_layout.PageChrome`.
Pure: plain text in, bytes out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from .pdf import _grid_style as grid_style
from .pdf_layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    NAVY,
    RULE,
    NumberedCanvas,
    PageChrome,
    ResultsTable,
    markup,
)

ALERT = colors.HexColor("#B42318")
AMBER = colors.HexColor("#B54708")


def frame_size(page_size: tuple[float, float]) -> tuple[float, float]:
    """Width and height of the content frame on a page of `page_size`."""
    width, height = page_size
    return width - 2 * MARGIN_X, height - MARGIN_TOP - MARGIN_BOTTOM


class PagedTable(ResultsTable):
    """`ResultsTable`'s splitting rule for a frame of any height.

    Whole rows move to the next page; a row is split inside only when it (with the repeated
    header) is taller than a page.

    Subclass and set `frame_height`; ReportLab rebuilds split parts with `self.__class__`.
    """

    frame_height = frame_size(A4)[1]


def build_pdf(story: Sequence[Flowable], chrome: PageChrome, *, title: str, subject: str,
              lang: str) -> bytes:
    """Lay out `story`: band on page 1, running header after, footer and watermark on all.

    Invariant mode (fixed dates and ids) makes the same story give the same bytes.
    """
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=chrome.page_size, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1, creator="Kontrol",
        author="Kontrol", title=title, subject=subject,
        lang="da-DK" if lang == "da" else "en-GB", initialFontName=chrome.fonts.regular,
    )

    def frame(name: str) -> Frame:
        return Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    doc.addPageTemplates([
        PageTemplate("first", [frame("first")], onPage=chrome.draw_band,
                     autoNextPageTemplate="body"),
        PageTemplate("body", [frame("body")], onPage=chrome.draw_header),
    ])
    doc.build(list(story), canvasmaker=partial(NumberedCanvas, chrome=chrome))
    return buffer.getvalue()


def facts_table(rows: Sequence[tuple[str, str]], styles: dict,
                widths: tuple[float, float]) -> Table:
    """Key/value facts under a navy rule, as on the ISAE report's cover."""
    table = Table([[Paragraph(markup(key), styles["cover_key"]),
                    Paragraph(markup(value), styles["cover_value"])] for key, value in rows],
                  colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, NAVY),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def grid_table(rows: list[list], widths: Sequence[float], styles: dict,
               head: Sequence[str | Flowable], extra: Sequence[tuple] = (),
               kind: type[Table] = ResultsTable) -> Table:
    """A results grid like the ISAE report's: navy header row repeated on every page.

    Header texts are set in the white header style; a flowable is used as given.
    """
    header = [Paragraph(markup(text), styles["cell_head"]) if isinstance(text, str) else text
              for text in head]
    table = kind([header, *rows], colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*grid_style(), *extra]))
    return table
