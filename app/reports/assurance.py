"""The ISAE 3000 report's content for an engagement in one language, in a fixed number of queries.

Texts the report prints are read per language and never fall back to the other: a missing
translation prints as "[mangler dansk tekst]" / "[English text missing]" in the draft and is
listed by `missing_texts`, which blocks issue. Sections 1 and 2 print the organisation's or
auditor's edited text where there is one, else the default worded in `texts.py`. The opinion
is qualified for the criterion an objective not achieved affects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audits import service as audits
from ..audits.models import Conclusion, ControlTest, Engagement, EngagementKind
from ..catalogue.models import ControlGroup
from ..errors import Invalid
from ..firms.models import AuditFirmMember
from ..vendors.report import subprocessors_for_report
from . import texts
from .models import ObjectiveOpinion, OrganisationProfile, ReportSignature, ReportText
from .pdf import (
    IsaeReport,
    ReportObjective,
    ReportSection,
    ReportTest,
    Signature,
    phrase_for,
)
from .pdf_layout import format_date

LANGS = ("da", "en")


def local(obj, field_name: str, lang: str) -> str | None:
    """The field's text in `lang` only (no fallback), stripped; None when empty."""
    value = getattr(obj, f"{field_name}_{lang}", None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def lines_of(text: str | None) -> tuple[str, ...]:
    """The non-empty lines of a one-per-line field."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


@dataclass
class GroupTests:
    """A control objective with its tests, exclusion reason and the auditor's judgement."""

    group: ControlGroup
    tests: list[ControlTest] = field(default_factory=list)
    exclusion: object | None = None
    opinion: ObjectiveOpinion | None = None

    def material(self) -> list[ControlTest]:
        """Its tests concluded material."""
        return [t for t in self.tests if t.conclusion == Conclusion.MATERIAL]

    @property
    def achieved(self) -> bool:
        """Not achieved when a test is material or the auditor marked it so."""
        return not self.material() and (self.opinion is None or self.opinion.achieved)


@dataclass
class ReportContext:
    """Everything the report rests on, loaded once."""

    engagement: Engagement
    profile: OrganisationProfile
    tests: list[ControlTest]
    groups: list[GroupTests]
    texts: dict[str, ReportText]
    signatures: dict[str, ReportSignature]
    partner: AuditFirmMember | None
    sub_processors: dict[str, list] = field(default_factory=dict)  # lang -> register entries

    @property
    def report_type(self) -> int:
        """1 (at a date) or 2 (over a period)."""
        return 1 if self.engagement.kind == EngagementKind.ISAE3000_TYPE1 else 2

    def default_criterion(self) -> str:
        """The criterion a deviation affects unless the auditor says otherwise."""
        return "c" if self.report_type == 2 else "b"


def load_context(session: Session, engagement: Engagement, organisation: str) -> ReportContext:
    """Load the engagement's tests, texts, signatures and judgements (a fixed number of queries)."""
    from .service import get_profile

    if not engagement.is_assurance:
        raise Invalid("kind", "Only ISAE 3000 engagements have an ISAE 3000 report; use the "
                              "internal audit report.")
    tests = audits.engagement_tests(session, engagement)
    opinions = {o.group_id: o for o in session.scalars(
        select(ObjectiveOpinion).where(ObjectiveOpinion.engagement_id == engagement.id))}
    groups: dict[int, GroupTests] = {}
    for test in tests:
        groups.setdefault(test.control.group_id, GroupTests(test.control.group)).tests \
            .append(test)
    for exclusion in engagement.exclusions:
        groups.setdefault(exclusion.group_id, GroupTests(exclusion.group)).exclusion = exclusion
    for group_id, entry in groups.items():
        entry.opinion = opinions.get(group_id)
    partner = None
    if engagement.firm is not None and engagement.partner_id is not None:
        partner = next((m for m in engagement.firm.members
                        if m.user_id == engagement.partner_id), None)
    return ReportContext(
        engagement=engagement, profile=get_profile(session, organisation), tests=tests,
        groups=sorted(groups.values(), key=lambda g: (g.group.catalogue_id, g.group.position)),
        texts={t.key: t for t in session.scalars(
            select(ReportText).where(ReportText.engagement_id == engagement.id))},
        signatures={s.party: s for s in session.scalars(
            select(ReportSignature).where(ReportSignature.engagement_id == engagement.id))},
        partner=partner,
        sub_processors={lang: subprocessors_for_report(session, engagement.period_start,
                                                       engagement.period_end, lang)
                        for lang in LANGS})


# --- wording of one test --------------------------------------------------------------------

def _or_missing(value: str | None, lang: str) -> str:
    return value if value else texts.MISSING[lang]


def coverage_text(test: ControlTest, lang: str) -> str:
    """The test's extent: "Stikprøve: 25 af 83", "Hele populationen (38)", one occurrence, none."""
    da = lang == "da"
    if test.no_occurrences:
        return "Ingen forekomster i perioden" if da else "No occurrences in the period"
    if not test.samples:
        return ""
    sample = test.samples[-1]
    population, size = sample.population_size, len(sample.items)
    if population == 1:
        return ("Inspiceret den ene forekomst i perioden" if da
                else "Inspected the one occurrence in the period")
    if size >= population:
        return f"Hele populationen ({population})" if da else f"Whole population ({population})"
    return f"Stikprøve: {size} af {population}" if da else f"Sample: {size} of {population}"


def _count_sentence(deviations: int, tested: int, lang: str) -> str:
    if lang == "da":
        if deviations == 1:
            return f"Vi har konstateret en afvigelse i 1 af {tested} testede elementer."
        return f"Vi har konstateret afvigelser i {deviations} af {tested} testede elementer."
    if deviations == 1:
        return f"We noted a deviation in 1 of {tested} items tested."
    return f"We noted deviations in {deviations} of {tested} items tested."


def result_text(test: ControlTest, lang: str) -> str:
    """The result column: the standard phrase, or the deviations with comment and assessment."""
    if test.conclusion == Conclusion.OPEN:
        return texts.NOT_CONCLUDED[lang]
    if test.conclusion == Conclusion.NO_DEVIATIONS:
        if test.no_occurrences:
            return f"{texts.NO_OCCURRENCES_RESULT[lang]}\n\n{texts.NO_DEVIATIONS[lang]}"
        return texts.NO_DEVIATIONS[lang]
    counts = audits.result_counts(test)
    parts = [_count_sentence(counts.deviations, counts.tested, lang)]
    parts.append(_or_missing(local(test, "result_text", lang), lang))
    if test.management_comment_en or test.management_comment_da:
        parts.append(f"{texts.MANAGEMENT_COMMENT[lang]} "
                     f"{_or_missing(local(test, 'management_comment', lang), lang)}")
    parts.append(texts.MATERIAL_NOTE[lang] if test.conclusion == Conclusion.MATERIAL
                 else texts.NO_FURTHER[lang])
    return "\n\n".join(parts)


def report_test(test: ControlTest, lang: str) -> ReportTest:
    """A section 4 row for the test."""
    control = test.control
    flag = {Conclusion.MATERIAL: "material", Conclusion.NOT_MATERIAL: "deviation"}.get(
        Conclusion(test.conclusion), "")
    return ReportTest(
        activity_id=control.code,
        activity=local(control, "description", lang) or local(control, "title", lang)
        or texts.MISSING[lang],
        test_performed=_or_missing(local(test, "test_performed", lang), lang),
        result=result_text(test, lang), coverage=coverage_text(test, lang), flag=flag)


# --- sections 1 and 2 -----------------------------------------------------------------------

def qualified_objectives(ctx: ReportContext, lang: str) -> tuple[texts.QualifiedObjective, ...]:
    """The objectives not achieved, with the deviations that say why."""
    result = []
    label = "Kontrolaktivitet" if lang == "da" else "Control activity"
    for entry in ctx.groups:
        if entry.exclusion is not None or entry.achieved:
            continue
        found = [f"{label} {t.control.code}: "
                 f"{_or_missing(local(t, 'result_text', lang), lang).rstrip('.')}."
                 for t in entry.material()]
        criterion = ctx.default_criterion()
        if entry.opinion is not None:
            criterion = entry.opinion.criterion if ctx.report_type == 2 else "b"
            if not entry.opinion.achieved and (entry.opinion.reason_en or entry.opinion.reason_da):
                found.append(_or_missing(local(entry.opinion, "reason", lang), lang))
        result.append(texts.QualifiedObjective(
            code=entry.group.code, title=local(entry.group, "title", lang) or entry.group.code,
            criterion=criterion, deviations=tuple(found)))
    return tuple(result)


def facts(ctx: ReportContext, lang: str) -> texts.ReportFacts:
    """What the default wording needs, in `lang`."""
    engagement, profile = ctx.engagement, ctx.profile
    return texts.ReportFacts(
        lang=lang, organisation=profile.name,
        service=local(profile, "service", lang) or texts.DEFAULT_SERVICE[lang],
        report_type=ctx.report_type,
        period=phrase_for(lang, ctx.report_type, engagement.period_start, engagement.period_end),
        firm=engagement.firm.name if engagement.firm else texts.MISSING[lang],
        sub_processors=tuple(entry.name for entry in ctx.sub_processors.get(lang, ())),
        not_relevant=tuple(e.group.code for e in ctx.groups if e.exclusion is not None),
        qualified=qualified_objectives(ctx, lang))


def section_text(ctx: ReportContext, key: str, lang: str, default: str) -> str:
    """The edited text of a section in `lang` (or the missing marker), else the default."""
    row = ctx.texts.get(key)
    if row is not None and (row.text_en or row.text_da):
        return _or_missing(local(row, "text", lang), lang)
    return default


def _place_date(place: str, day: date, lang: str) -> str:
    return f"{place}, den {format_date(day, lang)}" if lang == "da" else \
        f"{place}, {format_date(day, lang)}"


def statement_signature(ctx: ReportContext, lang: str) -> Signature | None:
    """Management's signature block, or None before it is signed."""
    signed = ctx.signatures.get("management")
    if signed is None:
        return None
    return Signature(place_date=_place_date(signed.place, signed.signed_on, lang),
                     signatory=(signed.name, _or_missing(local(signed, "title", lang), lang)))


def auditor_signature(ctx: ReportContext, lang: str) -> Signature | None:
    """The firm's signature block: place and date, firm, CVR, partner, title, MNE."""
    signed = ctx.signatures.get("auditor")
    firm = ctx.engagement.firm
    if signed is None or firm is None:
        return None
    name_lines = tuple(part.strip() for part in firm.name.split(",") if part.strip())
    cvr = f"CVR-nr. {firm.cvr_display}" if lang == "da" else f"CVR no. {firm.cvr_display}"
    mne = (ctx.partner.mne,) if ctx.partner and ctx.partner.mne else ()
    return Signature(place_date=_place_date(signed.place, signed.signed_on, lang),
                     firm=(*name_lines, cvr),
                     signatory=(signed.name, texts.STATE_AUTHORISED[lang], *mne))


def statement_sections(ctx: ReportContext, wording: texts.ReportFacts,
                       defaults: dict[str, str]) -> tuple[ReportSection, ...]:
    """Section 1: the (editable) introduction and the criteria."""
    lang = wording.lang
    return (ReportSection("", section_text(ctx, "statement_intro", lang,
                                           defaults["statement_intro"])),
            ReportSection("", texts.statement_criteria(wording)))


def auditor_sections(ctx: ReportContext, wording: texts.ReportFacts,
                     defaults: dict[str, str]) -> tuple[ReportSection, ...]:
    """Section 2 in order; the basis only when qualified, the opinion worded from the tests."""
    lang, qualified = wording.lang, bool(wording.qualified)
    sections = [ReportSection("", section_text(ctx, "addressees", lang,
                                               defaults["addressees"]))]
    for key in ("scope", "responsibility", "independence", "auditor_responsibility",
                "limitations"):
        sections.append(ReportSection(texts.heading(key, wording),
                                      section_text(ctx, key, lang, defaults[key])))
    if qualified:
        sections.append(ReportSection(texts.heading("basis", wording),
                                      section_text(ctx, "basis", lang, defaults["basis"])))
    sections.append(ReportSection(
        texts.heading("opinion_qualified" if qualified else "opinion", wording),
        texts.opinion(wording)))
    for key in ("emphasis", "tests", "intended_users"):
        sections.append(ReportSection(texts.heading(key, wording),
                                      section_text(ctx, key, lang, defaults[key])))
    return tuple(sections)


def build_report(ctx: ReportContext, lang: str, *, draft: bool, today: date) -> IsaeReport:
    """The whole report in `lang`; dated the auditor's signing date, or `today` for a draft."""
    lang = "da" if str(lang).startswith("da") else "en"
    engagement, profile = ctx.engagement, ctx.profile
    wording = facts(ctx, lang)
    defaults = texts.defaults(wording)
    objectives = tuple(
        ReportObjective(code=entry.group.code,
                        title=local(entry.group, "title", lang) or entry.group.code,
                        objective=local(entry.group, "description", lang) or "",
                        not_relevant_reason=_or_missing(local(entry.exclusion, "reason", lang),
                                                        lang) if entry.exclusion else None,
                        tests=tuple(report_test(t, lang) for t in entry.tests))
        for entry in ctx.groups)
    signed = ctx.signatures.get("auditor")
    return IsaeReport(
        lang=lang, organisation=profile.name, service=wording.service,
        report_type=ctx.report_type, period_start=engagement.period_start,
        period_end=engagement.period_end, auditor_firm=wording.firm,
        statement=statement_sections(ctx, wording, defaults),
        statement_signature=statement_signature(ctx, lang),
        auditor_title=texts.auditor_title(wording),
        auditor_sections=auditor_sections(ctx, wording, defaults),
        auditor_signature=auditor_signature(ctx, lang),
        processing_description=_or_missing(local(profile, "processing", lang), lang),
        objectives=objectives, draft=draft,
        report_date=signed.signed_on if (signed and not draft) else today,
        qualified=bool(wording.qualified),
        sub_processors=tuple(entry.line if entry.processing else
                             f"{entry.line}{texts.MISSING[lang]}"
                             for entry in ctx.sub_processors.get(lang, ())),
        complementary_controls=lines_of(getattr(profile, f"complementary_controls_{lang}"))
        or ((texts.MISSING[lang],) if (profile.complementary_controls_en
                                       or profile.complementary_controls_da) else ()))


# --- what is missing in a language ----------------------------------------------------------

def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction; pages translate it when they show it."""
    return message


@dataclass(frozen=True)
class Missing:
    """One thing that keeps a report from being issued.

    `template % params` is the English message; a param may itself be a Missing (a name to
    translate), so pages can show the whole message in the user's language.
    """

    template: str
    params: dict = field(default_factory=dict)

    def render(self, translate=lambda text: text) -> str:
        """The message, each template passed through `translate` (gettext on pages)."""
        params = {key: value.render(translate) if isinstance(value, Missing) else value
                  for key, value in self.params.items()}
        text = translate(self.template)
        return text % params if params else text

    @property
    def message(self) -> str:
        """The English message (the CLI and API show it)."""
        return self.render()


LANG_NAMES = {"da": Missing(N_("Danish")), "en": Missing(N_("English"))}
SECTION_NAMES = {
    "statement_intro": N_("Management's statement, introduction"),
    "addressees": N_("Title and addressees"), "scope": N_("Scope"),
    "responsibility": N_("The data processor's responsibilities"),
    "independence": N_("Auditor's independence and quality management"),
    "auditor_responsibility": N_("Auditor's responsibilities"),
    "limitations": N_("Inherent limitations of controls at a data processor"),
    "basis": N_("Basis for qualified opinion"), "emphasis": N_("Emphasis of matter"),
    "tests": N_("Description of tests of controls"),
    "intended_users": N_("Intended users and purpose"),
}


def _needs(obj, field_name: str, langs) -> Iterator[str]:
    """The languages a bilingual field lacks, when it has text in any language."""
    if not any(getattr(obj, f"{field_name}_{lang}", None) for lang in LANGS):
        return
    for lang in langs:
        if not local(obj, field_name, lang):
            yield lang


def missing_texts(ctx: ReportContext, langs=LANGS) -> list[Missing]:
    """Every text the report prints that does not exist in one of `langs`."""
    found: list[Missing] = []

    def add(what: Missing, lang: str) -> None:
        found.append(Missing(N_("%(what)s: no %(lang)s text."),
                             {"what": what, "lang": LANG_NAMES[lang]}))

    profile = ctx.profile
    for lang in langs:
        if not local(profile, "service", lang):
            add(Missing(N_("Organisation profile, service")), lang)
        if not local(profile, "processing", lang):
            add(Missing(N_("Organisation profile, description of the processing")), lang)
    for lang in _needs(profile, "complementary_controls", langs):
        add(Missing(N_("Organisation profile, complementary controls")), lang)
    for lang in langs:
        for entry in ctx.sub_processors.get(lang, ()):
            if not entry.processing:
                add(Missing(N_("Sub-processor %(name)s, what it processes"),
                            {"name": entry.name}), lang)
    for key, row in sorted(ctx.texts.items()):
        if key == "basis" and all(g.achieved for g in ctx.groups):
            continue
        for lang in _needs(row, "text", langs):
            add(Missing(N_("Report section '%(name)s'"),
                        {"name": Missing(SECTION_NAMES.get(key, key))}), lang)
    for entry in ctx.groups:
        code = {"code": entry.group.code}
        if entry.exclusion is not None:
            for lang in langs:
                if not local(entry.exclusion, "reason", lang):
                    add(Missing(N_("Objective %(code)s, reason it is not relevant"), code), lang)
        if entry.opinion is not None and not entry.opinion.achieved and not entry.material():
            for lang in langs:
                if not local(entry.opinion, "reason", lang):
                    add(Missing(N_("Objective %(code)s, why it was not achieved"), code), lang)
    for test in ctx.tests:
        code = {"code": test.control.code}
        for lang in langs:
            if not local(test, "test_performed", lang):
                add(Missing(N_("Test %(code)s, test performed"), code), lang)
            if test.has_deviations and not local(test, "result_text", lang):
                add(Missing(N_("Test %(code)s, deviations found"), code), lang)
        for lang in _needs(test, "management_comment", langs):
            add(Missing(N_("Test %(code)s, management's comment"), code), lang)
    management = ctx.signatures.get("management")
    if management is not None:
        for lang in langs:
            if not local(management, "title", lang):
                add(Missing(N_("Management's statement, the signatory's title")), lang)
    return found
