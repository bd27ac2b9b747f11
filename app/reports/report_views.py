"""The ISAE 3000 report page: sections 1 and 2 in both languages, judgements, signatures, issue."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..audits import access
from ..audits import service as audits
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..evidence.views import settings as evidence_settings
from ..extensions import db
from ..time import local_today
from . import signing, texts
from .assurance import facts, load_context
from .forms import (
    AuditorSignatureForm,
    ExclusionForm,
    IssueForm,
    ObjectiveForm,
    SectionForm,
    StatementSignatureForm,
)
from .views import bp

FAILURES = (Invalid, Conflict, Forbidden, NotFound)


def _organisation() -> str:
    return current_app.config["KONTROL_ORGANISATION"]


def _engagement(engagement_id: int):
    engagement = audits.get_engagement(db.session, current_actor(), engagement_id)
    if not engagement.is_assurance:
        raise NotFound("Only ISAE 3000 engagements have an ISAE 3000 report.")
    return engagement


def _back(engagement_id: int, anchor: str = ""):
    return redirect(url_for("reports.show_report", engagement_id=engagement_id) + anchor)


def _missing_messages(missing) -> list[str]:
    return [item.render(_) for item in missing]


@bp.get("/engagements/<int:engagement_id>")
@requires(Permission.VIEW_REPORTS)
def show_report(engagement_id: int):
    """The report page: what is missing, sections 1 and 2, objectives, signatures, issue."""
    actor, engagement = current_actor(), _engagement(engagement_id)
    ctx = load_context(db.session, engagement, _organisation())
    lang = "da" if str(get_locale()).startswith("da") else "en"
    wording = facts(ctx, lang)
    defaults = signing.section_defaults(ctx)
    sections = []
    for key in texts.EDITABLE_KEYS:
        row = ctx.texts.get(key)
        edited = row is not None and bool(row.text_en or row.text_da)
        sections.append({
            "key": key, "heading": texts.heading(key, wording), "edited": edited,
            "statement": key in texts.STATEMENT_KEYS,
            "form": SectionForm(
                key=key, version=row.version if row else 0,
                text_en=(row.text_en or "") if edited else defaults["en"][key],
                text_da=(row.text_da or "") if edited else defaults["da"][key])})
    statement = ctx.signatures.get("management")
    profile = ctx.profile
    return render_template(
        "reports/report.html", engagement=engagement, ctx=ctx, sections=sections,
        missing=_missing_messages(signing.readiness(ctx)),
        signing_missing=_missing_messages(signing.readiness(ctx, signing=True)),
        opinion=texts.opinion(wording), qualified=wording.qualified,
        opinion_heading=texts.heading("opinion_qualified" if wording.qualified else "opinion",
                                      wording),
        objective_forms={g.group.id: ObjectiveForm(
            group_id=g.group.id, achieved="yes" if g.opinion is None or g.opinion.achieved
            else "no", criterion=g.opinion.criterion if g.opinion else ctx.default_criterion(),
            reason_en=g.opinion.reason_en if g.opinion else "",
            reason_da=g.opinion.reason_da if g.opinion else "") for g in ctx.groups},
        exclusion_forms={g.exclusion.id: ExclusionForm(
            exclusion_id=g.exclusion.id, reason_en=g.exclusion.reason_en or "",
            reason_da=g.exclusion.reason_da or "") for g in ctx.groups if g.exclusion},
        statement_form=StatementSignatureForm(
            name=statement.name if statement else profile.signatory_name,
            title_en=statement.title_en if statement else profile.signatory_title_en,
            title_da=statement.title_da if statement else profile.signatory_title_da,
            place=statement.place if statement else profile.city,
            signed_on=statement.signed_on if statement else local_today()),
        auditor_form=AuditorSignatureForm(
            place=engagement.firm.city if engagement.firm else "", signed_on=local_today()),
        issue_form=IssueForm(), issued=signing.issued_reports(db.session, engagement),
        may_statement=access.can_manage_statement(actor, engagement),
        may_write=access.can_write_report(actor, engagement),
        may_sign=access.can_sign_report(actor, engagement),
        may_issue=access.can_issue(actor, engagement),
        may_scope=access.can_perform(actor, engagement)
        or access.can_manage_statement(actor, engagement))


@bp.post("/engagements/<int:engagement_id>/sections")
@requires(Permission.VIEW_REPORTS)
def save_section(engagement_id: int):
    """Save one section in both languages (empty or unchanged: the default)."""
    engagement = _engagement(engagement_id)
    form = SectionForm()
    if form.validate_on_submit():
        try:
            signing.save_report_text(db.session, current_actor(), engagement, form.key.data,
                                     form.text_en.data, form.text_da.data,
                                     int(form.version.data or 0), _organisation())
        except FAILURES as error:
            flash(error.message, "error")
        else:
            flash(_("The section is saved."), "success")
    else:
        flash(_("The section is too long."), "error")
    return _back(engagement_id, f"#section-{form.key.data or ''}")


@bp.post("/engagements/<int:engagement_id>/objectives")
@requires(Permission.WRITE_AUDITOR_REPORT)
def judge_objective(engagement_id: int):
    """Mark a control objective achieved or not (with the criterion and why)."""
    engagement = _engagement(engagement_id)
    form = ObjectiveForm()
    if form.validate_on_submit():
        try:
            signing.set_objective_opinion(
                db.session, current_actor(), engagement, form.group_id.data,
                form.achieved.data != "no", form.criterion.data, form.reason_en.data,
                form.reason_da.data, _organisation())
        except FAILURES as error:
            flash(error.message, "error")
        else:
            flash(_("The objective's judgement is saved."), "success")
    return _back(engagement_id, "#objectives")


@bp.post("/engagements/<int:engagement_id>/exclusions")
@requires(Permission.VIEW_REPORTS)
def save_exclusion(engagement_id: int):
    """Why an objective is not relevant, in both languages."""
    engagement = _engagement(engagement_id)
    form = ExclusionForm()
    if form.validate_on_submit():
        try:
            signing.save_exclusion_reason(db.session, current_actor(), engagement,
                                          form.exclusion_id.data, form.reason_en.data,
                                          form.reason_da.data)
        except FAILURES as error:
            flash(error.message, "error")
        else:
            flash(_("The reason is saved."), "success")
    return _back(engagement_id, "#objectives")


@bp.post("/engagements/<int:engagement_id>/statement-signature")
@requires(Permission.SIGN_MANAGEMENT_STATEMENT)
def sign_statement(engagement_id: int):
    """Record management's signature on its statement."""
    engagement = _engagement(engagement_id)
    form = StatementSignatureForm()
    if form.validate_on_submit():
        try:
            signing.sign_statement(db.session, current_actor(), engagement,
                                   signing.StatementSignature(
                                       form.name.data, form.title_en.data, form.title_da.data,
                                       form.place.data, form.signed_on.data), local_today())
        except FAILURES as error:
            flash(error.message, "error")
        else:
            flash(_("Management's signature is recorded."), "success")
    else:
        flash(_("Give the date as YYYY-MM-DD."), "error")
    return _back(engagement_id, "#statement")


@bp.post("/engagements/<int:engagement_id>/auditor-signature")
@requires(Permission.SIGN_AUDITOR_REPORT)
def sign_auditor_report(engagement_id: int):
    """The engagement partner signs the auditor's report."""
    engagement = _engagement(engagement_id)
    form = AuditorSignatureForm()
    if form.validate_on_submit():
        try:
            signing.sign_auditor_report(db.session, current_actor(), engagement,
                                        form.place.data, form.signed_on.data, local_today(),
                                        _organisation())
        except signing.NotReady as error:
            flash(_("The report cannot be signed yet: %(what)s",
                    what="; ".join(_missing_messages(error.missing))), "error")
        except FAILURES as error:
            flash(error.message, "error")
        else:
            flash(_("The auditor's report is signed."), "success")
    else:
        flash(_("Give the date as YYYY-MM-DD."), "error")
    return _back(engagement_id, "#signature")


@bp.post("/engagements/<int:engagement_id>/issue")
@requires(Permission.VIEW_REPORTS)
def issue_report(engagement_id: int):
    """Issue the report: render and freeze the PDFs."""
    engagement = _engagement(engagement_id)
    form = IssueForm()
    if form.validate_on_submit():
        try:
            issued = signing.issue_engagement(db.session, current_actor(), engagement,
                                              evidence_settings().store, _organisation(),
                                              tuple(form.langs.data or ()))
        except signing.NotReady as error:
            flash(_("The report cannot be issued yet: %(what)s",
                    what="; ".join(_missing_messages(error.missing))), "error")
        except FAILURES as error:
            flash(error.message, "error")
        else:
            flash(_("The report is issued (%(langs)s). Every download now serves the issued "
                    "PDF.", langs=", ".join(r.lang for r in issued)), "success")
    return _back(engagement_id, "#issue")
