"""Audit pages: engagements, tests, populations, samples, results, conclusions, calculator."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from ..auth.current import current_actor
from ..auth.models import User
from ..auth.permissions import Permission, Role, can, requires
from ..catalogue.service import list_catalogues
from ..errors import Conflict, DomainError, Invalid
from ..evidence.views import settings as evidence_settings
from ..extensions import db
from ..forms import put_error
from . import populations, samples, sampling, service
from .forms import (
    KIND_LABELS,
    METHOD_LABELS,
    RESULT_LABELS,
    AuditorReportForm,
    CommentForm,
    ConclusionForm,
    DrawForm,
    EngagementForm,
    ExpandForm,
    ItemResultForm,
    PopulationListForm,
    PopulationUploadForm,
    StatusForm,
    TestPlanForm,
    VersionForm,
)
from .models import Population, Sample, SampleItem

bp = Blueprint("audits", __name__, url_prefix="/audits")


@bp.app_context_processor
def labels() -> dict:
    """Labels the audit templates share."""
    return {"kind_labels": KIND_LABELS, "method_labels": METHOD_LABELS,
            "result_labels": RESULT_LABELS}


def _users(*roles: Role) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.active, User.role.in_([r.value for r in roles])).order_by(User.name)))


def _test_or_404(test_id: int):
    return service.get_test(db.session, current_actor(), test_id)


def _back_to_test(test_id: int, anchor: str = ""):
    return redirect(url_for("audits.show_test", test_id=test_id) + anchor)


def _flash_error(error: DomainError) -> None:
    flash(error.message, "error")


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
    actor = current_actor()
    # The auditor planning the engagement is ticked in its team to start with.
    form = EngagementForm(team=[actor.id] if request.method == "GET" else None)
    catalogues = list_catalogues(db.session)
    form.catalogues.choices = [SelectChoice(c.slug, c.text("title", str(get_locale())))
                               for c in catalogues]
    form.team.choices = [SelectChoice(u.id, u.name)
                         for u in _users(Role.INTERNAL_AUDITOR, Role.ADMIN)]
    form.externals.choices = [SelectChoice(u.id, u.name) for u in _users(Role.EXTERNAL_AUDITOR)]
    if form.validate_on_submit():
        excluded = {key.removeprefix("exclude__").replace("__", ":"): value
                    for key, value in request.form.items()
                    if key.startswith("exclude__") and value.strip()}
        plan = service.EngagementPlan(
            name=form.name.data, kind=form.kind.data, period_start=form.period_start.data,
            period_end=form.period_end.data, catalogues=form.catalogues.data or [],
            control_keys=[k.strip() for k in (form.controls.data or "").split(",") if k.strip()],
            excluded_groups=excluded, team_ids=form.team.data or [],
            external_ids=form.externals.data or [], description=form.description.data)
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
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    tests = service.engagement_tests(db.session, engagement)
    return render_template(
        "audits/engagement.html", engagement=engagement, tests=tests,
        counts={t.id: service.result_counts(t) for t in tests},
        comments=service.list_comments(db.session, engagement),
        status_form=StatusForm(version=engagement.version),
        report_form=AuditorReportForm(text=engagement.auditor_report,
                                      version=engagement.version),
        comment_form=CommentForm())


@bp.post("/<int:engagement_id>/status")
@requires(Permission.MANAGE_ENGAGEMENTS)
def set_status(engagement_id: int):
    """Move the engagement to the next (or a previous) status."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            service.set_engagement_status(db.session, current_actor(), engagement,
                                          form.status.data, int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(_("Engagement status saved."), "success")
    return redirect(url_for("audits.show_engagement", engagement_id=engagement_id))


@bp.post("/<int:engagement_id>/report")
@requires(Permission.PERFORM_TESTS)
def save_auditor_report(engagement_id: int):
    """Save the independent auditor's report text."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    form = AuditorReportForm()
    if form.validate_on_submit():
        try:
            service.save_auditor_report(db.session, current_actor(), engagement, form.text.data,
                                        int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(_("The auditor's report text is saved."), "success")
    return redirect(url_for("audits.show_engagement", engagement_id=engagement_id) + "#report")


@bp.post("/<int:engagement_id>/comments")
@requires(Permission.COMMENT_ENGAGEMENT)
def comment_engagement(engagement_id: int):
    """Comment on the engagement (external auditors too)."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            service.add_comment(db.session, current_actor(), engagement, form.body.data)
        except Invalid as error:
            _flash_error(error)
        else:
            flash(_("Comment added."), "success")
    else:
        flash(_("Write the comment."), "error")
    return redirect(url_for("audits.show_engagement", engagement_id=engagement_id) + "#comments")


@bp.get("/tests/<int:test_id>")
@requires(Permission.VIEW_AUDITS)
def show_test(test_id: int):
    """A test: plan, population, sample with results, conclusion, findings, comments."""
    test = _test_or_404(test_id)
    locale = str(get_locale())
    plan_form = TestPlanForm(obj=test, version=test.version,
                             override_size=test.planned_size if test.size_override_reason
                             else None, override_reason=test.size_override_reason)
    counts = service.result_counts(test)
    conclusion_form = ConclusionForm(
        version=test.version, judgement=test.conclusion if test.is_concluded else None,
        result_text=test.result_text or service.suggested_result_text(test, locale),
        management_comment=test.management_comment)
    sample = test.samples[-1] if test.samples else None
    return render_template(
        "audits/test.html", test=test, engagement=test.engagement, sample=sample,
        counts=counts, plan_form=plan_form, conclusion_form=conclusion_form,
        upload_form=PopulationUploadForm(), list_form=PopulationListForm(),
        draw_form=DrawForm(), expand_form=ExpandForm(), comment_form=CommentForm(),
        item_forms={i.id: ItemResultForm(prefix=f"i{i.id}", obj=i, version=i.version)
                    for i in (sample.items if sample else [])},
        reopen_form=VersionForm(version=test.version),
        evaluation=service.evaluation(test),
        deviations=service.test_deviations(db.session, test),
        comments=service.list_comments(db.session, test.engagement, test),
        result_text_en=service.RESULT_TEXT["en"], result_text_da=service.RESULT_TEXT["da"],
        may_edit=can(current_actor(), Permission.PERFORM_TESTS)
        and not test.engagement.is_issued)


@bp.post("/tests/<int:test_id>/plan")
@requires(Permission.PERFORM_TESTS)
def update_plan(test_id: int):
    """Save the test design and sample size."""
    test = _test_or_404(test_id)
    form = TestPlanForm()
    if form.validate_on_submit():
        plan = service.TestPlan(
            methods=form.methods.data or [], procedure=form.procedure.data,
            frequency=form.frequency.data, risk_level=form.risk_level.data,
            sizing_method=form.sizing_method.data, risk=form.risk.data or None,
            tolerable_rate=(form.tolerable_rate.data or "").strip() or None,
            expected_rate=(form.expected_rate.data or "").strip() or None,
            override_size=form.override_size.data, override_reason=form.override_reason.data)
        try:
            service.update_test_plan(db.session, current_actor(), test, plan,
                                     int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(_("Test plan saved: sample size %(size)s.", size=test.planned_size),
                  "success")
    else:
        flash(_("Check the test plan: %(errors)s", errors="; ".join(
            f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())),
            "error")
    return _back_to_test(test_id, "#plan")


@bp.post("/tests/<int:test_id>/population")
@requires(Permission.PERFORM_TESTS)
def upload_population(test_id: int):
    """Upload a population file; it is imported in the background."""
    test = _test_or_404(test_id)
    try:
        form = PopulationUploadForm()
        if not form.validate_on_submit():
            flash(_("Choose a CSV or XLSX file."), "error")
            return _back_to_test(test_id, "#population")
        config = evidence_settings()
        upload = form.file.data
        populations.upload_population(db.session, current_actor(), test, upload.stream,
                                      upload.filename, config.store, config.max_bytes)
        flash(_("Population %(file)s uploaded.", file=upload.filename), "success")
    except RequestEntityTooLarge:
        flash(_("The file is larger than the upload limit."), "error")
    except (Invalid, Conflict) as error:
        _flash_error(error)
    return _back_to_test(test_id, "#population")


@bp.post("/tests/<int:test_id>/population/list")
@requires(Permission.PERFORM_TESTS)
def enter_population(test_id: int):
    """Type the population as a list."""
    test = _test_or_404(test_id)
    form = PopulationListForm()
    if form.validate_on_submit():
        try:
            populations.enter_population(db.session, current_actor(), test, form.items.data,
                                         evidence_settings().store)
        except (Invalid, Conflict) as error:
            _flash_error(error)
    else:
        flash(_("Enter the items, one per line."), "error")
    return _back_to_test(test_id, "#population")


@bp.get("/populations/<int:population_id>/progress")
@requires(Permission.VIEW_AUDITS)
def population_progress(population_id: int):
    """Import progress as JSON, polled by the progress bar."""
    population = populations.get_population(db.session, population_id)
    service.get_test(db.session, current_actor(), population.test_id)  # access check
    return jsonify({"status": population.status, "rows_read": population.rows_read,
                    "row_count": population.row_count, "error": population.error})


@bp.post("/tests/<int:test_id>/sample")
@requires(Permission.PERFORM_TESTS)
def draw_sample(test_id: int):
    """Draw the sample from the chosen population."""
    test = _test_or_404(test_id)
    form = DrawForm()
    if form.validate_on_submit():
        population = db.session.get(Population, int(form.population_id.data))
        if population is None:
            abort(404)
        try:
            sample = samples.draw_sample(db.session, current_actor(), test, population,
                                         evidence_settings().store, form.size.data)
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(ngettext("Sample drawn: %(num)s item.", "Sample drawn: %(num)s items.",
                           len(sample.items)), "success")
    return _back_to_test(test_id, "#sample")


def _sample_or_404(sample_id: int) -> Sample:
    sample = db.session.get(Sample, sample_id)
    if sample is None:
        abort(404)
    service.get_test(db.session, current_actor(), sample.test_id)  # access check
    return sample


@bp.post("/samples/<int:sample_id>/expand")
@requires(Permission.PERFORM_TESTS)
def expand_sample(sample_id: int):
    """Add items to the sample, keeping the first ones."""
    sample = _sample_or_404(sample_id)
    form = ExpandForm()
    if form.validate_on_submit():
        try:
            samples.expand_sample(db.session, current_actor(), sample, form.extra.data,
                                  evidence_settings().store)
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(ngettext("Sample expanded by %(num)s item.", "Sample expanded by %(num)s items.",
                           form.extra.data), "success")
    return _back_to_test(sample.test_id, "#sample")


@bp.post("/samples/<int:sample_id>/redraw")
@requires(Permission.REDRAW_SAMPLE)
def redraw_sample(sample_id: int):
    """Re-perform the selection from the stored seed."""
    sample = _sample_or_404(sample_id)
    if VersionForm().validate_on_submit():
        result = samples.redraw_sample(db.session, current_actor(), sample,
                                       evidence_settings().store)
        flash(result.message, "success" if result.identical else "error")
    return _back_to_test(sample.test_id, "#sample")


@bp.post("/items/<int:item_id>")
@requires(Permission.PERFORM_TESTS)
def record_result(item_id: int):
    """Record the result for one sampled item."""
    item = db.session.get(SampleItem, item_id)
    if item is None:
        abort(404)
    test = service.get_test(db.session, current_actor(), item.sample.test_id)
    form = ItemResultForm(prefix=f"i{item.id}")
    if form.validate_on_submit():
        try:
            samples.record_result(db.session, current_actor(), item, form.result.data,
                                  form.note.data, form.evidence_id.data,
                                  int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(_("Result saved for item %(number)s.", number=item.population_index + 1),
                  "success")
    return _back_to_test(test.id, f"#item-{item.id}")


@bp.post("/tests/<int:test_id>/conclude")
@requires(Permission.PERFORM_TESTS)
def conclude_test(test_id: int):
    """Conclude the test from its results."""
    test = _test_or_404(test_id)
    form = ConclusionForm()
    if form.validate_on_submit():
        try:
            service.conclude_test(db.session, current_actor(), test,
                                  judgement=form.judgement.data,
                                  result_text=form.result_text.data,
                                  management_comment=form.management_comment.data,
                                  version=int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(_("Test concluded."), "success")
    return _back_to_test(test_id, "#conclusion")


@bp.post("/tests/<int:test_id>/reopen")
@requires(Permission.PERFORM_TESTS)
def reopen_test(test_id: int):
    """Reopen a concluded test."""
    test = _test_or_404(test_id)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            service.reopen_test(db.session, current_actor(), test, int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            _flash_error(error)
        else:
            flash(_("Test reopened: record results again, then conclude."), "success")
    return _back_to_test(test_id, "#conclusion")


@bp.post("/tests/<int:test_id>/comments")
@requires(Permission.COMMENT_ENGAGEMENT)
def comment_test(test_id: int):
    """Comment on a test (external auditors too)."""
    test = _test_or_404(test_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            service.add_comment(db.session, current_actor(), test.engagement, form.body.data,
                                test)
        except Invalid as error:
            _flash_error(error)
        else:
            flash(_("Comment added."), "success")
    return _back_to_test(test_id, "#comments")


@bp.get("/sampling")
@requires(Permission.VIEW_AUDITS)
def sampling_calculator():
    """Plan a statistical sample, and see the frequency-based sizes."""
    args = request.args
    risk, tolerable, expected = (args.get("risk", "0.05"), args.get("tolerable", "0.05"),
                                 args.get("expected", "0"))
    plan = error = None
    try:
        n, k = sampling.attribute_sample_size(risk, tolerable, expected)
        plan = {"n": n, "k": k,
                "upper": sampling.upper_deviation_limit(n, k, risk) if n else None}
    except Invalid as problem:
        error = problem
    return render_template("audits/sampling.html", risk=risk, tolerable=tolerable,
                           expected=expected, plan=plan, error=error,
                           frequencies=sampling.FREQUENCY_RANGES,
                           sizes={f: {level: sampling.frequency_sample_size(f, level)
                                      for level in sampling.RISK_LEVELS}
                                  for f in sampling.FREQUENCY_RANGES})


def register() -> None:
    """Navigation entry and demo data for audits."""
    from flask_babel import lazy_gettext as _l

    from ..demo import DEMO_STEPS
    from ..evidence.service import STORED_FILE_SOURCES
    from ..templating import NAVIGATION, NavItem
    from .demo import seed_engagement
    from .populations import population_files

    NAVIGATION.append(NavItem(_l("Audits"), "audits.list_engagements", Permission.VIEW_AUDITS,
                              "/audits"))
    DEMO_STEPS.append(seed_engagement)
    STORED_FILE_SOURCES.append(population_files)


register()
