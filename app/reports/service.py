"""Gathers the data reports need, in plain rows, with a fixed number of queries.

Also keeps the organisation profile whose texts fill the ISAE 3000 report.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session, selectinload

from ..audits import service as audits
from ..audits.models import Conclusion, ControlTest, Engagement, EngagementKind, Sample
from ..auth.permissions import Permission, require
from ..catalogue.service import ControlFilter, list_controls, soa_notes
from ..errors import Conflict, Invalid
from ..ledger.service import append
from . import texts
from .models import OrganisationProfile
from .pdf import NO_DEVIATIONS, IsaeReport, ReportObjective, ReportTest, period_phrase
from .xlsx import SoARow

PROFILE_FIELDS = ("name", "registration_no", "service_en", "service_da", "processing_en",
                  "processing_da", "complementary_controls_en",
                  "complementary_controls_da", "auditor_firm", "signatory")

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


def _test_row(test, lang: str) -> ReportTest:
    control = test.control
    procedure = test.procedure or ""
    if lang == "da" and control.test_procedure_da and procedure == control.test_procedure_en:
        procedure = control.test_procedure_da
    sample = test.samples[-1] if test.samples else None
    if sample is not None:
        procedure += "\n\n" + texts.SAMPLE[lang].format(size=sample.size,
                                                        population=sample.population_size)
    if test.conclusion == Conclusion.OPEN:
        result = texts.NOT_CONCLUDED[lang]
    elif test.conclusion == Conclusion.NO_DEVIATIONS:
        result = NO_DEVIATIONS[lang]
    else:
        result = test.result_text or ""
        if test.management_comment:
            result += f"\n\n{texts.MANAGEMENT_COMMENT[lang]} {test.management_comment}"
    return ReportTest(activity_id=control.code,
                      activity=control.text("description", lang) or control.text("title", lang),
                      test_performed=procedure.strip(), result=result)


def isae_report(session: Session, actor, engagement: Engagement, lang: str,
                organisation: str, today: date) -> IsaeReport:
    """The ISAE 3000 report's content for an engagement, in `lang`."""
    audits.require_view(actor, engagement)
    if engagement.kind not in (EngagementKind.ISAE3000_TYPE1, EngagementKind.ISAE3000_TYPE2):
        raise Invalid("kind", "Only ISAE 3000 engagements have an ISAE 3000 report; use the "
                              "internal audit report.")
    lang = _lang(lang)
    profile = get_profile(session, organisation)
    tests = audits.engagement_tests(session, engagement)
    excluded = {e.group_id: e.reason for e in engagement.exclusions}
    groups = {}
    for test in tests:
        groups.setdefault(test.control.group, []).append(test)
    for exclusion in engagement.exclusions:
        groups.setdefault(exclusion.group, [])
    objectives = tuple(
        ReportObjective(code=group.code, title=group.text("title", lang),
                        objective=group.text("description", lang) or "",
                        not_relevant_reason=excluded.get(group.id),
                        tests=tuple(_test_row(t, lang) for t in group_tests))
        for group, group_tests in sorted(groups.items(), key=lambda item: item[0].position))
    report_type = 1 if engagement.kind == EngagementKind.ISAE3000_TYPE1 else 2
    from ..vendors.report import subprocessors_for_report  # the register, not the profile

    sub_processors = tuple(entry.line for entry in subprocessors_for_report(
        session, engagement.period_start, engagement.period_end, lang))
    report = IsaeReport(
        lang=lang, organisation=profile.name, report_type=report_type,
        service=profile.text("service", lang) or texts.DEFAULT_SERVICE[lang],
        period_start=engagement.period_start, period_end=engagement.period_end,
        auditor_firm=profile.auditor_firm or "", management_statement="",
        auditor_report=engagement.auditor_report or texts.NO_AUDITOR_REPORT[lang],
        processing_description=profile.text("processing", lang), objectives=objectives,
        draft=not engagement.is_issued or any(t.conclusion == Conclusion.OPEN for t in tests),
        generated_on=today, sub_processors=sub_processors,
        complementary_controls=profile.lines(profile.text("complementary_controls", lang)))
    statement = texts.MANAGEMENT_STATEMENT[lang].format(
        name=profile.name, service=report.service, period=period_phrase(report),
        operating=texts.OPERATING[(lang, report_type)],
        carve_out=texts.CARVE_OUT[lang].format(name=profile.name) if sub_processors else "",
        place_date=today.isoformat(), signatory=profile.signatory or profile.name)
    return replace(report, management_statement=statement)


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
                    else test.result_text or texts.NOT_CONCLUDED[lang])))
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
                    else test.result_text or ""),
            management_comment=test.management_comment or "",
            items=tuple(WorkpaperItem(index=item.population_index + 1,
                                      row=" · ".join(item.row), round=item.round,
                                      result=RESULT_WORDS[lang][item.result],
                                      note=item.note or "")
                        for item in (sample.items if sample else ()))))
    return result


STATUS_LABELS = {
    "en": {"planning": "Planning", "fieldwork": "Fieldwork", "review": "Review",
           "issued": "Issued"},
    "da": {"planning": "Planlægning", "fieldwork": "Feltarbejde", "review": "Gennemgang",
           "issued": "Udstedt"},
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
