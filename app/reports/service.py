"""Gathers the data reports need, in plain rows, with a fixed number of queries.

Also keeps the organisation profile whose texts fill the ISAE 3000 report.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, selectinload

from ..audits import service as audits
from ..audits.conclusions import evaluation
from ..audits.models import Conclusion, ControlTest, Engagement, EngagementKind, Sample
from ..auth.permissions import Permission, require
from ..catalogue.service import ControlFilter, list_controls, soa_notes
from ..errors import Conflict, Invalid
from ..ledger.service import append
from . import texts
from .assurance import build_report, load_context, local
from .models import OrganisationProfile
from .pdf import NO_DEVIATIONS, IsaeReport
from .xlsx import SoARow

PROFILE_FIELDS = ("name", "registration_no", "city", "service_en", "service_da",
                  "processing_en", "processing_da", "complementary_controls_en",
                  "complementary_controls_da", "signatory_name", "signatory_title_en",
                  "signatory_title_da")

# The SoA's implementation statuses in words (named apart from the engagement's STATUS_LABELS
# below: one name for both once made every exported status empty).
SOA_STATUS_LABELS = {
    "en": {"planned": "Planned", "partial": "Partially implemented",
           "implemented": "Implemented"},
    "da": {"planned": "Planlagt", "partial": "Delvist implementeret",
           "implemented": "Implementeret"},
}


def soa_rows(session: Session, filters: ControlFilter, lang: str, actor=None) -> list[SoARow]:
    """Every SoA control matching `filters`, as plain rows in catalogue order.

    `notes` carry what other domains say of a control (dispensations in force), as `actor` may
    see them (everything when no actor is given, as for the CLI).
    """
    lang = "da" if lang.startswith("da") else "en"
    yes, no, undecided = ("Ja", "Nej", "Ikke afgjort") if lang == "da" else (
        "Yes", "No", "Not decided")
    controls, _total = list_controls(session, ControlFilter(**{**vars(filters), "soa_only": True}),
                                     per_page=None)
    notes = soa_notes(session, actor, [c.id for c in controls], lang)
    rows = []
    for control in controls:
        entry = control.soa_entry
        applicable = {True: yes, False: no, None: undecided}[entry.applicable]
        rows.append(SoARow(
            catalogue=control.catalogue.text("title", lang),
            group=control.group.text("title", lang),
            control_id=control.code,
            title=control.text("title", lang),
            applicable=applicable,
            justification=entry.justification or "",
            status=SOA_STATUS_LABELS[lang].get(entry.status or "", ""),
            owner=control.owner.name if control.owner else "",
            last_reviewed=entry.last_reviewed_on,
            notes="\n".join(notes.get(control.id, ())),
        ))
    return rows



def get_profile(session: Session, default_name: str = "Kontrol") -> OrganisationProfile:
    """The organisation profile; an unsaved default when none has been written yet."""
    return session.get(OrganisationProfile, 1) or OrganisationProfile(id=1, name=default_name,
                                                                      version=0)


def update_profile(session: Session, actor, values: dict, version: int) -> OrganisationProfile:
    """Save the organisation profile (name required); every change is in the ledger."""
    require(actor, Permission.MANAGE_PROFILE)
    profile = session.get(OrganisationProfile, 1)
    if profile is None:
        profile = OrganisationProfile(id=1, name="")
        session.add(profile)
    elif version != profile.version:
        raise Conflict("Someone else changed the profile. Reload and retry.")
    if not (values.get("name") or "").strip():
        raise Invalid("name", "Give the organisation's name.")
    changes = {}
    for field in PROFILE_FIELDS:
        value = (values.get(field) or "").strip() or None
        if getattr(profile, field) != value:
            changes[field] = value
            setattr(profile, field, value)
    session.flush()
    if changes:
        append(session, actor, "profile.updated", profile, changes)
    session.commit()
    return profile


def _lang(lang: str) -> str:
    return "da" if str(lang).startswith("da") else "en"


def isae_report(session: Session, actor, engagement: Engagement, lang: str,
                organisation: str, today: date) -> IsaeReport:
    """The ISAE 3000 report's content for an engagement in `lang` (a draft until issued)."""
    audits.require_view(actor, engagement)
    ctx = load_context(session, engagement, organisation)
    return build_report(ctx, _lang(lang), draft=not engagement.is_issued, today=today)


def internal_report(session: Session, actor, engagement: Engagement, lang: str,
                    organisation: str, today: date):
    """The internal audit report's content: scope, tests, findings by severity, remediation."""
    from ..audits.deviations import DeviationFilter, list_deviations
    from ..audits.forms import KIND_LABELS, METHOD_LABELS
    from .internal_pdf import InternalAuditReport, InternalFinding, InternalTest

    audits.require_view(actor, engagement)
    lang = _lang(lang)
    tests = audits.engagement_tests(session, engagement)
    findings, _total = list_deviations(session, actor, DeviationFilter(
        engagement_id=engagement.id), today=today, page=1, per_page=10_000)
    with _translated(lang):
        kind = str(KIND_LABELS[EngagementKind(engagement.kind)])
        methods = {m: str(label) for m, label in METHOD_LABELS.items()}
        status = STATUS_LABELS[lang][engagement.status]
    scope = sorted({f"{t.control.catalogue.text('title', lang)}" for t in tests})
    rows = []
    for test in tests:
        counts = audits.result_counts(test)
        rows.append(InternalTest(
            control_id=test.control.code, title=test.control.text("title", lang),
            methods=", ".join(methods.get(m, m) for m in test.methods),
            sample=SAMPLE_WORDS[lang].format(sampled=counts.sampled, deviations=counts.deviations)
            if counts.sampled else "—",
            conclusion=CONCLUSION_LABELS[lang][test.conclusion],
            result=(NO_DEVIATIONS[lang] if test.conclusion == Conclusion.NO_DEVIATIONS
                    else local(test, "result_text", lang) or test.result_text_en
                    or test.result_text_da or texts.NOT_CONCLUDED[lang])))
    return InternalAuditReport(
        lang=lang, organisation=get_profile(session, organisation).name,
        engagement=engagement.name, kind=kind, period_start=engagement.period_start,
        period_end=engagement.period_end, status=status, draft=not engagement.is_issued,
        generated_on=today, purpose=engagement.description or "", scope=tuple(scope),
        team=tuple(m.user.name for m in engagement.members if m.role == "team"),
        tests=tuple(rows),
        findings=tuple(InternalFinding(
            reference=f"F-{d.id}", control_id=d.control.code, title=d.title,
            severity=d.severity, status=d.status, owner=d.owner.name if d.owner else "",
            due_on=d.due_on, overdue=d.is_overdue(today), root_cause=d.root_cause or "",
            management_response=d.management_response or "") for d in findings))


def workpapers(session: Session, actor, engagement: Engagement, lang: str):
    """One WorkpaperTest per test, with population, seed and every sampled item."""
    from .workpapers import WorkpaperItem, WorkpaperTest

    audits.require_view(actor, engagement)
    lang = _lang(lang)
    result = []
    # Populations with the tests (a sample's population is one of its test's): a fixed number
    # of queries whatever the number of tests.
    for test in audits.engagement_tests(session, engagement,
                                        selectinload(ControlTest.populations),
                                        selectinload(ControlTest.samples)
                                        .joinedload(Sample.population)):
        sample = test.samples[-1] if test.samples else None
        population = sample.population if sample else (
            test.populations[-1] if test.populations else None)
        result.append(WorkpaperTest(
            group_code=test.control.group.code, group_title=test.control.group.text("title", lang),
            control_id=test.control.code, title=test.control.text("title", lang),
            methods=", ".join(test.methods), procedure=test.procedure or "",
            frequency=test.frequency or "", sizing=test.sizing_method
            + (f" (risk {test.risk}, tolerable {test.tolerable_rate}, expected "
               f"{test.expected_rate})" if test.sizing_method == "attribute" else ""),
            planned_size=test.planned_size,
            population_file=population.filename if population else "",
            population_sha256=population.file_sha256 if population else "",
            population_rows=population.row_count if population else None,
            population_fingerprint=(sample.population_fingerprint if sample
                                    else (population.fingerprint or "") if population else ""),
            seed=sample.seed if sample else "", sample_size=sample.size if sample else None,
            conclusion=CONCLUSION_LABELS[lang][test.conclusion],
            result=(NO_DEVIATIONS[lang] if test.conclusion == Conclusion.NO_DEVIATIONS
                    else local(test, "result_text", lang) or ""),
            management_comment=local(test, "management_comment", lang) or "",
            test_performed=local(test, "test_performed", lang) or "",
            evaluation=_evaluation_words(test, lang),
            justification=test.judgement_justification or test.no_occurrences_note or "",
            prepared=_sign_off(test.concluded_by, test.concluded_at),
            reviewed=_sign_off(test.reviewed_by, test.reviewed_at),
            items=tuple(WorkpaperItem(index=item.population_index + 1,
                                      row=" · ".join(item.row), round=item.round,
                                      result=RESULT_WORDS[lang][item.result],
                                      note=item.note or "")
                        for item in (sample.items if sample else ()))))
    return result


def _sign_off(user, at) -> str:
    return f"{user.name} ({user.email}), {at:%Y-%m-%d %H:%M} UTC" if user and at else ""


def _evaluation_words(test, lang: str) -> str:
    """The sample's evaluation as the workpapers state it."""
    result = evaluation(test)
    if result is None:
        return ""
    da = lang == "da"
    if result.upper_limit is None:
        return (f"Ingen afvigelser i {result.tested} testede elementer (størrelse efter "
                "kontrollens frekvens)." if da else
                f"No deviations in {result.tested} items tested (size from the control's "
                "frequency).")
    verdict = (("understøtter" if result.supports_reliance else "understøtter ikke")
               if da else ("supports" if result.supports_reliance else "does not support"))
    text = (f"{result.deviations} afvigelse(r) i {result.tested}: øvre afvigelsesgrænse "
            f"{result.upper_limit:.1%} mod tolerabel afvigelsesrate {result.tolerable_rate:.1%} "
            f"(risiko for overdreven tillid {result.risk:.0%}); stikprøven {verdict} tillid."
            if da else
            f"{result.deviations} deviation(s) in {result.tested}: upper deviation limit "
            f"{result.upper_limit:.1%} against a tolerable rate of {result.tolerable_rate:.1%} "
            f"(risk of overreliance {result.risk:.0%}); the sample {verdict} reliance.")
    return text


STATUS_LABELS = {
    "en": {"planning": "Planning", "fieldwork": "Fieldwork", "review": "Review",
           "issued": "Issued"},
    "da": {"planning": "Planlægning", "fieldwork": "Feltarbejde", "review": "Gennemgang",
           "issued": "Afgivet"},
}
CONCLUSION_LABELS = {
    "en": {"open": "Open", "no_deviations": "No deviations",
           "not_material": "Deviations, not material", "material": "Material deviations"},
    "da": {"open": "Åben", "no_deviations": "Ingen afvigelser",
           "not_material": "Afvigelser, ikke væsentlige", "material": "Væsentlige afvigelser"},
}
RESULT_WORDS = {
    "en": {"pending": "Not tested", "no_deviation": "No deviation", "deviation": "Deviation",
           "not_applicable": "Not applicable"},
    "da": {"pending": "Ikke testet", "no_deviation": "Ingen afvigelse", "deviation": "Afvigelse",
           "not_applicable": "Ikke relevant"},
}
SAMPLE_WORDS = {"en": "{sampled} items, {deviations} deviations",
                "da": "{sampled} stk., {deviations} afvigelser"}


def _translated(lang: str):
    """Render lazy labels in `lang` (needs an application context)."""
    from flask_babel import force_locale

    return force_locale(lang)
