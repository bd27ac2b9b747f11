"""Audit pages: engagements, tests, populations, samples, results, conclusions, calculator."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from ..auth.current import current_actor
from ..auth.models import User
from ..auth.people import active_users
from ..auth.permissions import Permission, Role, requires
from ..catalogue.service import list_catalogues
from ..errors import Conflict, DomainError, Forbidden, Invalid
from ..evidence.views import localised
from ..extensions import db
from ..firms.service import firm_auditors, list_firms
from ..forms import put_error
from . import access, conclusions, results, sampling, service
from .forms import (
    FREQUENCY_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    RESULT_LABELS,
    CommentForm,
    ConclusionForm,
    DrawForm,
    EngagementForm,
    ExpandForm,
    NoOccurrencesForm,
    PopulationListForm,
    PopulationUploadForm,
    ReasonForm,
    SamplingCalculatorForm,
    StatusForm,
    TestPlanForm,
    TestTextsForm,
    VersionForm,
)

bp = Blueprint("audits", __name__, url_prefix="/audits")


@bp.app_context_processor
def labels() -> dict:
    """Labels the audit templates share."""
    return {"kind_labels": KIND_LABELS, "method_labels": METHOD_LABELS,
            "result_labels": RESULT_LABELS, "frequency_labels": FREQUENCY_LABELS}


def _users(*roles: Role) -> list[User]:
    return active_users(db.session, roles)


def _test_or_404(test_id: int):
    return service.get_test(db.session, current_actor(), test_id)


def _back_to_test(test_id: int, anchor: str = ""):
    return redirect(url_for("audits.show_test", test_id=test_id) + anchor)


def _flash_error(error: DomainError) -> None:
    flash(error.message, "error")


STATUS_WORDS = {"planning": _l("planning"), "fieldwork": _l("fieldwork"),
                "review": _l("review"), "issued": _l("issued")}


@bp.get("/")
@requires(Permission.VIEW_AUDITS)
def list_engagements():
    """Engagements the user may see, with progress."""
    engagements = service.list_engagements(db.session, current_actor())
    progress = service.test_progress(db.session, [e.id for e in engagements])
    return render_template("audits/engagements.html", engagements=engagements,
                           progress=progress)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_ENGAGEMENTS)
def create_engagement():
    """Plan a new engagement; a test is proposed for every in-scope control."""
    # The auditor planning the engagement is ticked in its team to start with.
    form = EngagementForm(team=[current_actor().id] if request.method == "GET" else None)
    catalogues = list_catalogues(db.session)
    form.catalogues.choices = [SelectChoice(c.slug, c.text("title", str(get_locale())))
                               for c in catalogues]
    form.team.choices = [SelectChoice(u.id, u.name)
                         for u in _users(Role.INTERNAL_AUDITOR, Role.ADMIN)]
    auditors = firm_auditors(db.session)
    form.firm_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(f.id, f.name) for f in list_firms(db.session)]
    form.partner_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(m.user_id, f"{m.user.name} ({m.firm.name}, {m.mne})")
        for m in auditors if m.is_state_authorised]
    form.externals.choices = [SelectChoice(m.user_id, f"{m.user.name} ({m.firm.name})")
                              for m in auditors]
    if form.validate_on_submit():
        excluded = {key.removeprefix("exclude__").replace("__", ":"): value
                    for key, value in request.form.items()
                    if key.startswith("exclude__") and value.strip()}
        plan = service.EngagementPlan(
            name=form.name.data, kind=form.kind.data, period_start=form.period_start.data,
            period_end=form.period_end.data, catalogues=form.catalogues.data or [],
            control_keys=[k.strip() for k in (form.controls.data or "").split(",") if k.strip()],
            excluded_groups=excluded, team_ids=form.team.data or [],
            external_ids=form.externals.data or [], description=form.description.data,
            firm_id=form.firm_id.data, partner_id=form.partner_id.data,
            lang=str(get_locale()))
        try:
            engagement = service.create_engagement(db.session, current_actor(), plan)
        except Invalid as error:
            put_error(form, error)
        else:
            flash(_("Engagement created with a proposed test for every control in scope."),
                  "success")
            return redirect(url_for("audits.show_engagement", engagement_id=engagement.id))
    return render_template("audits/new.html", form=form, catalogues=catalogues), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:engagement_id>")
@requires(Permission.VIEW_AUDITS)
def show_engagement(engagement_id: int):
    """The engagement: scope, team, tests by objective, status, comments."""
    actor = current_actor()
    engagement = service.get_engagement(db.session, actor, engagement_id)
    tests = service.engagement_tests(db.session, engagement)
    return render_template(
        "audits/engagement.html", engagement=engagement, tests=tests,
        counts={t.id: service.result_counts(t) for t in tests},
        comments=service.list_comments(db.session, engagement),
        status_form=StatusForm(version=engagement.version),
        may_status=access.can_change_status(actor, engagement),
        comment_form=CommentForm())


@bp.post("/<int:engagement_id>/status")
@requires(Permission.PERFORM_TESTS)
def set_status(engagement_id: int):
    """Move the engagement to the next (or a previous) status."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            service.set_engagement_status(db.session, current_actor(), engagement,
                                          form.status.data, int(form.version.data or 0),
                                          form.reason.data)
        except (Invalid, Conflict, Forbidden) as error:
            _flash_error(error)
        else:
            flash(_("The engagement is now in %(status)s.",
                    status=STATUS_WORDS.get(engagement.status, engagement.status)), "success")
    return redirect(url_for("audits.show_engagement", engagement_id=engagement_id))


@bp.post("/<int:engagement_id>/comments")
@requires(Permission.COMMENT_ENGAGEMENT)
def comment_engagement(engagement_id: int):
    """Comment on the engagement (external auditors too)."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    _add_comment(engagement)
    return redirect(url_for("audits.show_engagement", engagement_id=engagement_id) + "#comments")


@bp.get("/tests/<int:test_id>")
@requires(Permission.VIEW_AUDITS)
def show_test(test_id: int):
    """A test: plan, population, sample with results, conclusion, sign-offs, findings."""
    return _render_test(_test_or_404(test_id))


def _render_test(test, plan_form: TestPlanForm | None = None, status: int = 200):
    actor = current_actor()
    texts = {f: getattr(test, f) for f in (
        "test_performed_en", "test_performed_da", "result_text_en", "result_text_da",
        "management_comment_en", "management_comment_da")}
    sample = test.samples[-1] if test.samples else None
    may_edit = access.can_perform(actor, test.engagement)
    may_fieldwork = may_edit and not test.is_concluded and not test.engagement.fieldwork_locked
    population = service.latest_population(test)
    return render_template(
        "audits/test.html", test=test, engagement=test.engagement, sample=sample,
        counts=service.result_counts(test),
        plan_form=plan_form or TestPlanForm(
            obj=test, version=test.version,
            override_size=test.planned_size if test.size_override_reason else None,
            override_reason=test.size_override_reason),
        conclusion_form=ConclusionForm(version=test.version,
                                       judgement=test.conclusion if test.is_concluded else None,
                                       justification=test.judgement_justification, **texts),
        texts_form=TestTextsForm(version=test.version, **texts),
        upload_form=PopulationUploadForm(), list_form=PopulationListForm(),
        draw_form=DrawForm(), expand_form=ExpandForm(), comment_form=CommentForm(),
        none_form=NoOccurrencesForm(version=test.version),
        reopen_form=ReasonForm(version=test.version), review_form=VersionForm(
            version=test.version),
        suggested={p.id: service.suggested_size(test, p) for p in test.populations
                   if p.is_ready},
        sizing=service.sizing_note(test, population),
        drawn_from={s.population_id for s in test.samples},
        evaluation=conclusions.evaluation(test),
        attached=results.attached_evidence(db.session, sample.items if sample else []),
        deviations=conclusions.test_deviations(db.session, test),
        comments=service.list_comments(db.session, test.engagement, test),
        no_deviations=conclusions.NO_DEVIATIONS,
        may_edit=may_edit, may_plan=may_edit and not test.is_concluded,
        may_fieldwork=may_fieldwork, may_review=access.can_review(actor, test),
        may_raise=may_edit and not test.engagement.is_issued,
        percent=lambda value, digits=1: format_percent(
            value, "#,##0" + ("." + "0" * digits if digits else "") + " %")), status


@bp.post("/tests/<int:test_id>/plan")
@requires(Permission.PERFORM_TESTS)
def update_plan(test_id: int):
    """Save the test design and sample size; a refused plan is shown again at its fields."""
    test = _test_or_404(test_id)
    form = TestPlanForm()
    if form.validate_on_submit():
        plan = service.TestPlan(
            methods=form.methods.data or [], procedure=form.procedure.data,
            frequency=form.frequency.data, risk_level=form.risk_level.data,
            sizing_method=form.sizing_method.data, risk=form.risk.data or None,
            tolerable_rate=form.tolerable_rate.data, expected_rate=form.expected_rate.data,
            override_size=form.override_size.data, override_reason=form.override_reason.data)
        try:
            service.update_test_plan(db.session, current_actor(), test, plan,
                                     int(form.version.data or 0))
        except (Invalid, Conflict, Forbidden) as error:
            error.message = localised(error)
            put_error(form, error)
        else:
            flash(_("Test plan saved: sample size %(size)s.", size=test.planned_size),
                  "success")
            return _back_to_test(test_id, "#plan")
    return _render_test(test, plan_form=form, status=422)


def _texts(form: TestTextsForm) -> conclusions.TestTexts:
    return conclusions.TestTexts(**{name: form[name].data for name in (
        "test_performed_en", "test_performed_da", "result_text_en", "result_text_da",
        "management_comment_en", "management_comment_da")})


@bp.post("/tests/<int:test_id>/conclude")
@requires(Permission.PERFORM_TESTS)
def conclude_test(test_id: int):
    """Conclude the test from its results (the preparer's sign-off)."""
    test = _test_or_404(test_id)
    form = ConclusionForm()
    if form.validate_on_submit():
        try:
            conclusions.conclude_test(db.session, current_actor(), test,
                                      judgement=form.judgement.data, texts=_texts(form),
                                      justification=form.justification.data,
                                      version=int(form.version.data or 0))
        except (Invalid, Conflict, Forbidden) as error:
            _flash_error(error)
        else:
            flash(_("Test concluded."), "success")
    return _back_to_test(test_id, "#conclusion")


@bp.post("/tests/<int:test_id>/texts")
@requires(Permission.PERFORM_TESTS)
def update_texts(test_id: int):
    """Change the texts the report prints for the test (clears a review)."""
    test = _test_or_404(test_id)
    form = TestTextsForm()
    if form.validate_on_submit():
        was_reviewed = test.reviewed_at is not None
        try:
            conclusions.update_test_texts(db.session, current_actor(), test, _texts(form),
                                          int(form.version.data or 0))
        except (Invalid, Conflict, Forbidden) as error:
            _flash_error(error)
        else:
            flash(_("The report texts are saved; the review was cleared.") if was_reviewed
                  and test.reviewed_at is None else _("The report texts are saved."), "success")
    return _back_to_test(test_id, "#texts")


@bp.post("/tests/<int:test_id>/reopen")
@requires(Permission.PERFORM_TESTS)
def reopen_test(test_id: int):
    """Reopen a concluded test (with a reason)."""
    test = _test_or_404(test_id)
    form = ReasonForm()
    if form.validate_on_submit():
        reviewer = test.reviewed_by.name if test.reviewed_at and test.reviewed_by else None
        try:
            conclusions.reopen_test(db.session, current_actor(), test, form.reason.data,
                                    int(form.version.data or 0))
        except (Invalid, Conflict, Forbidden) as error:
            _flash_error(error)
        else:
            flash(_("The test is reopened; the review by %(name)s is cleared.", name=reviewer)
                  if reviewer else _("The test is reopened."), "success")
    return _back_to_test(test_id, "#conclusion")


@bp.post("/tests/<int:test_id>/review")
@requires(Permission.REVIEW_TESTS)
def review_test(test_id: int):
    """Sign the concluded test off as reviewer."""
    test = _test_or_404(test_id)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            conclusions.review_test(db.session, current_actor(), test,
                                    int(form.version.data or 0))
        except (Conflict, Forbidden) as error:
            _flash_error(error)
        else:
            flash(_("Review signed off."), "success")
    return _back_to_test(test_id, "#conclusion")


@bp.post("/tests/<int:test_id>/comments")
@requires(Permission.COMMENT_ENGAGEMENT)
def comment_test(test_id: int):
    """Comment on a test (external auditors too)."""
    test = _test_or_404(test_id)
    _add_comment(test.engagement, test)
    return _back_to_test(test_id, "#comments")


def _add_comment(engagement, test=None) -> None:
    """Post the comment form's text on the engagement (or one of its tests), saying how it went."""
    form = CommentForm()
    if not form.validate_on_submit():
        flash(_("Write the comment."), "error")
        return
    try:
        service.add_comment(db.session, current_actor(), engagement, form.body.data, test)
    except Invalid as error:
        _flash_error(error)
    else:
        flash(_("Comment added."), "success")


@bp.get("/sampling")
@requires(Permission.VIEW_AUDITS)
def sampling_calculator():
    """Plan a statistical sample, and see the frequency-based sizes."""
    form = SamplingCalculatorForm(formdata=request.args or None)
    plan = None
    if form.validate():
        try:
            n, k = sampling.attribute_sample_size(form.risk.data, form.tolerable.data,
                                                  form.expected.data or "0")
            plan = {"n": n, "k": k, "upper": sampling.upper_deviation_limit(n, k, form.risk.data)}
        except Invalid as error:
            error.message = localised(error)
            error.field = {"tolerable_rate": "tolerable",
                           "expected_rate": "expected"}.get(error.field, error.field)
            put_error(form, error)
    return render_template("audits/sampling.html", form=form, plan=plan,
                           frequencies=sampling.FREQUENCY_RANGES,
                           sizes={f: {level: sampling.frequency_sample_size(f, level)
                                      for level in sampling.RISK_LEVELS}
                                  for f in sampling.FREQUENCY_RANGES})


def register() -> None:
    """Navigation entry and demo data for audits."""
    from ..demo import DEMO_STEPS
    from ..evidence.service import STORED_FILE_SOURCES
    from ..templating import NAVIGATION, NavItem
    from .demo import seed_engagement
    from .pbc_demo import seed_pbc
    from .populations import population_files

    NAVIGATION.append(NavItem(_l("Audits"), "audits.list_engagements", Permission.VIEW_AUDITS,
                              "/audits"))
    DEMO_STEPS.extend((seed_engagement, seed_pbc))
    STORED_FILE_SOURCES.append(population_files)


register()

from . import pbc_views, results_views, sample_views  # noqa: E402,F401  (routes join bp)
