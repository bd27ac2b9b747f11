"""The breach notification as a PDF: plain data in, A4 bytes out, in Danish or English.

The layout of Art. 33(3): (a) nature, categories and approximate numbers, (b) contact point,
(c) likely consequences, (d) measures; then the timing (with the reasons for a late
notification, Art. 33(1)), the submissions so far (33(4)) and the Art. 34 decision. Same fonts,
colours and page chrome as the other reports; no Flask, no database. The same data always
gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from ..reports.pdf_layout import (
    FRAME_WIDTH,
    LABELS,
    format_date,
    make_styles,
    markup,
    register_fonts,
    text_flowables,
)
from ..reports.pdf_pages import PageChrome, build_pdf, facts_table, grid_table

WORDS = {
    "da": {
        "band": "BRUD PÅ PERSONDATASIKKERHEDEN",
        "title_authority": "Anmeldelse af brud på persondatasikkerheden til Datatilsynet",
        "title_controller": "Underretning af den dataansvarlige om brud på "
                            "persondatasikkerheden",
        "basis_authority": "Anmeldelse efter databeskyttelsesforordningens artikel 33, stk. 1.",
        "basis_controller": "Underretning efter databeskyttelsesforordningens artikel 33, "
                            "stk. 2.",
        "facts": ("Hændelse", "Vores rolle", "Opdaget", "Kendskab til bruddet",
                  "Frist", "Anmeldt"),
        "roles": {"controller": "Dataansvarlig", "processor": "Databehandler"},
        "recipients": "Dataansvarlige",
        "not_yet": "Endnu ikke",
        "late": "efter fristen",
        "sections": ("a) Bruddets karakter", "b) Kontaktpunkt", "c) Sandsynlige konsekvenser",
                     "d) Trufne eller foreslåede foranstaltninger"),
        "subjects": "Kategorier af registrerede", "records": "Kategorier af registreringer",
        "about": "ca. {n}", "unknown": "Ikke oplyst",
        "delay": "Begrundelse for forsinkelsen (artikel 33, stk. 1)",
        "log": "Anmeldelser og supplerende oplysninger (artikel 33, stk. 4)",
        "log_columns": ("Sendt", "Modtager", "Fase", "Reference"),
        "phases": {"initial": "Første anmeldelse", "supplementary": "Supplerende oplysninger",
                   "final": "Endelig anmeldelse"},
        "authority": "Datatilsynet",
        "no_log": "Intet er sendt endnu.",
        "art34": "Underretning af de registrerede (artikel 34)",
        "decisions": {"pending": "Ikke besluttet", "inform": "De registrerede underrettes",
                      "not_required": "Underretning er ikke påkrævet"},
        "informed": "Underrettet", "decision": "Beslutning",
        "reason": "Begrundelse",
        "times": "Tidspunkter er angivet i {zone}.",
        "generated": "Dannet i Kontrol den {date}",
        "footer": "Brud på persondatasikkerheden · hændelse {ref}",
    },
    "en": {
        "band": "PERSONAL DATA BREACH",
        "title_authority": "Notification of a personal data breach to the supervisory "
                           "authority (Datatilsynet)",
        "title_controller": "Notification of a personal data breach to the controller",
        "basis_authority": "Notification under Article 33(1) of the General Data Protection "
                           "Regulation.",
        "basis_controller": "Notification under Article 33(2) of the General Data Protection "
                            "Regulation.",
        "facts": ("Incident", "Our role", "Detected", "Became aware", "Deadline", "Notified"),
        "roles": {"controller": "Controller", "processor": "Processor"},
        "recipients": "Controllers",
        "not_yet": "Not yet",
        "late": "after the deadline",
        "sections": ("(a) Nature of the breach", "(b) Contact point",
                     "(c) Likely consequences", "(d) Measures taken or proposed"),
        "subjects": "Categories of data subjects", "records": "Categories of records",
        "about": "approximately {n}", "unknown": "Not stated",
        "delay": "Reasons for the delay (Article 33(1))",
        "log": "Submissions and further information (Article 33(4))",
        "log_columns": ("Sent", "Recipient", "Phase", "Reference"),
        "phases": {"initial": "Initial notification", "supplementary": "Supplementary "
                   "information", "final": "Final notification"},
        "authority": "Datatilsynet",
        "no_log": "Nothing has been sent yet.",
        "art34": "Communication to the data subjects (Article 34)",
        "decisions": {"pending": "Not decided", "inform": "The data subjects are informed",
                      "not_required": "Communication is not required"},
        "informed": "Informed", "decision": "Decision",
        "reason": "Reason",
        "times": "Times are given in {zone}.",
        "generated": "Generated by Kontrol on {date}",
        "footer": "Personal data breach · incident {ref}",
    },
}


@dataclass(frozen=True)
class SubmissionLine:
    """One submission: instants are already formatted with their zone."""

    sent: str
    recipient: str | None  # None: the authority
    phase: str
    reference: str


@dataclass(frozen=True)
class NotificationDocument:
    """Everything the notification prints; texts already in `lang` (with fallback)."""

    lang: Literal["da", "en"]
    organisation: str
    reference: str
    title: str
    role: str
    detected: str
    became_aware: str
    deadlines: tuple[tuple[str, str], ...]  # (recipient, formatted deadline)
    notified: str | None
    late: bool
    nature: str
    subject_categories: str
    subjects_approx: int | None
    record_categories: str
    records_approx: int | None
    contact_point: str
    consequences: str
    measures: str
    delay_reason: str
    submissions: tuple[SubmissionLine, ...]
    subjects_decision: str
    subjects_reason: str
    subjects_informed: str | None
    zone: str
    generated_on: date

    def __post_init__(self) -> None:
        if self.lang not in WORDS:
            raise ValueError(f"unsupported language {self.lang!r}")


def _count(words: dict, value: int | None) -> str:
    if value is None:
        return words["unknown"]
    number = f"{value:,}".replace(",", "." if words is WORDS["da"] else ",")
    return words["about"].format(n=number)


def _text(text: str, styles: dict, words: dict) -> list[Flowable]:
    return text_flowables(text, styles["body"], styles["bullet"]) or [
        Paragraph(markup(words["unknown"]), styles["note"])]


def build_notification(doc: NotificationDocument) -> bytes:
    """The notification as PDF bytes."""
    words, labels = WORDS[doc.lang], LABELS[doc.lang]
    fonts = register_fonts()
    styles = make_styles(fonts)
    controller = doc.role == "controller"
    title = words["title_authority"] if controller else words["title_controller"]
    chrome = PageChrome(fonts=fonts, page_size=A4, band=words["band"],
                        header_left=f"{doc.organisation} · {doc.reference}",
                        header_right=doc.title[:60],
                        footer_left=words["footer"].format(ref=doc.reference),
                        page_format=labels["page"], watermark=None)
    deadline = "; ".join(f"{who}: {when}" if who else when for who, when in doc.deadlines)
    notified = doc.notified or words["not_yet"]
    if doc.notified and doc.late:
        notified = f"{notified} ({words['late']})"
    facts = list(zip(words["facts"], (
        f"{doc.reference} · {doc.title}", words["roles"].get(doc.role, doc.role),
        doc.detected, doc.became_aware, deadline or "–", notified), strict=True))
    story: list[Flowable] = [
        Paragraph(markup(doc.organisation), styles["cover_org"]),
        Paragraph(markup(title), styles["cover_title"]),
        Paragraph(markup(words["basis_authority"] if controller else words["basis_controller"]),
                  styles["body"]),
        Spacer(1, 4 * mm),
        facts_table(facts, styles, (42 * mm, FRAME_WIDTH - 42 * mm)),
        Paragraph(markup(words["times"].format(zone=doc.zone)), styles["note"]),
    ]
    if doc.late:
        story += [Paragraph(markup(words["delay"]), styles["h2"]),
                  *_text(doc.delay_reason, styles, words)]
    nature, contact, consequences, measures = words["sections"]
    story += [Paragraph(markup(nature), styles["h2"]), *_text(doc.nature, styles, words),
              facts_table([(words["subjects"], f"{doc.subject_categories or words['unknown']}"
                                               f" – {_count(words, doc.subjects_approx)}"),
                           (words["records"], f"{doc.record_categories or words['unknown']}"
                                              f" – {_count(words, doc.records_approx)}")],
                          styles, (52 * mm, FRAME_WIDTH - 52 * mm)),
              Paragraph(markup(contact), styles["h2"]), *_text(doc.contact_point, styles, words),
              Paragraph(markup(consequences), styles["h2"]),
              *_text(doc.consequences, styles, words),
              Paragraph(markup(measures), styles["h2"]), *_text(doc.measures, styles, words),
              Paragraph(markup(words["art34"]), styles["h2"])]
    art34 = [(words["decision"], words["decisions"].get(doc.subjects_decision,
                                                        doc.subjects_decision)),
             (words["reason"], doc.subjects_reason or words["unknown"])]
    if doc.subjects_informed:
        art34.append((words["informed"], doc.subjects_informed))
    story += [facts_table(art34, styles, (42 * mm, FRAME_WIDTH - 42 * mm)),
              Paragraph(markup(words["log"]), styles["h2"])]
    if doc.submissions:
        rows = [[Paragraph(markup(line.sent), styles["cell"]),
                 Paragraph(markup(line.recipient or words["authority"]), styles["cell"]),
                 Paragraph(markup(words["phases"].get(line.phase, line.phase)), styles["cell"]),
                 Paragraph(markup(line.reference or "–"), styles["cell"])]
                for line in doc.submissions]
        story.append(grid_table(rows, (42 * mm, 48 * mm, 45 * mm, FRAME_WIDTH - 135 * mm),
                                styles, words["log_columns"]))
    else:
        story.append(Paragraph(markup(words["no_log"]), styles["note"]))
    story += [Spacer(1, 6 * mm), Paragraph(markup(words["generated"].format(
        date=format_date(doc.generated_on, doc.lang))), styles["note"])]
    return build_pdf(story, chrome, title=title, subject=f"{doc.organisation} · {doc.reference}",
                     lang=doc.lang)
