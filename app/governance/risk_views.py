"""Pages of the risk register: assessments, risks, the heat maps and the XLSX export."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import params
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..db import utcnow
from ..errors import DomainError
from ..extensions import db
from ..reports.risk_register import RiskRow, risk_register_workbook
from ..templating import organisation_name
from ..time import zone
from . import risks as service
from .forms import (
    ASSESSMENT_KIND_LABELS,
    ASSESSMENT_STATUS_LABELS,
    TOPIC_LABELS,
    TREATMENT_LABELS,
    AssessmentForm,
    RiskForm,
)
from .views import (
    bp,
    control_choices,
    failed,
    form_version,
    local_today,
    owner_choices,
    page_args,
    settings,
    text_arg,
)

LABELS = {"kinds": ASSESSMENT_KIND_LABELS, "statuses": ASSESSMENT_STATUS_LABELS,
          "topics": TOPIC_LABELS, "treatments": TREATMENT_LABELS}
LEVELS = ("low", "medium", "high", "critical")


def _status() -> int:
    return 422 if request.method == "POST" else 200


def _assessment_details(form) -> service.AssessmentDetails:
    return service.AssessmentDetails(
        title=form.title.data, kind=form.kind.data, owner_id=form.owner_id.data,
        assessed_on=form.assessed_on.data, status=form.status.data, scope=form.scope.data,
        topics=form.topics.data or [])


@bp.get("/assessments")
@requires(Permission.VIEW_GOVERNANCE)
def list_assessments():
    """Risk assessments, newest first, filtered and paged."""
    filters = service.AssessmentFilter(kind=text_arg("kind", ASSESSMENT_KIND_LABELS),
                                       status=text_arg("status", ASSESSMENT_STATUS_LABELS),
                                       q=text_arg("q"))
    page = page_args(service.ASSESSMENT_SORTS)
    items, total = service.list_assessments(db.session, current_actor(), filters, page)
    return render_template("governance/assessments.html", items=items, total=total,
                           page=page, filters=filters, **LABELS)


@bp.route("/assessments/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def create_assessment():
    """Start a risk assessment."""
    form = AssessmentForm(data=None if request.method == "POST" else {
        "assessed_on": local_today(), "owner_id": current_actor().id, "status": "in_progress",
        "kind": request.args.get("kind") or "periodic"})
    form.owner_id.choices = owner_choices()
    if form.validate_on_submit():
        try:
            assessment = service.create_assessment(
                db.session, current_actor(), _assessment_details(form), today=local_today(),
                scale=settings().risk_scale)
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Risk assessment “%(title)s” created.", title=assessment.title), "success")
            return redirect(url_for("governance.show_assessment",
                                    assessment_id=assessment.id))
    return render_template("governance/assessment_form.html", form=form, assessment=None), (
        _status())


@bp.get("/assessments/<int:assessment_id>")
@requires(Permission.VIEW_GOVERNANCE)
def show_assessment(assessment_id: int):
    """One assessment: scope, topics checklist, its risks and their heat maps."""
    actor = current_actor()
    assessment = service.get_assessment(db.session, actor, assessment_id)
    heat = service.heat_map(db.session, actor, service.RiskFilter(assessment_id=assessment.id),
                            today=local_today(), scale=assessment.scale)
    return render_template("governance/assessment.html", assessment=assessment, heat=heat,
                           today=local_today(), **LABELS)


@bp.route("/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def edit_assessment(assessment_id: int):
    """Change an assessment."""
    assessment = service.get_assessment(db.session, current_actor(), assessment_id)
    form = AssessmentForm(data={name: getattr(assessment, name) for name in (
        "title", "kind", "owner_id", "assessed_on", "status", "scope", "topics", "version")})
    form.owner_id.choices = owner_choices()
    if form.validate_on_submit():
        try:
            service.update_assessment(db.session, current_actor(), assessment,
                                      _assessment_details(form), form_version(form) or 0,
                                      today=local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Risk assessment saved."), "success")
            return redirect(url_for("governance.show_assessment",
                                    assessment_id=assessment.id))
    return render_template("governance/assessment_form.html", form=form,
                           assessment=assessment), _status()


def _risk_form(assessment, risk=None) -> RiskForm:
    data = None
    if request.method == "GET" and risk is not None:
        data = {name: getattr(risk, name) for name in (
            "title", "threat", "vulnerability", "assets", "likelihood", "consequence",
            "treatment", "treatment_plan", "residual_likelihood", "residual_consequence",
            "owner_id", "due_on", "accepted_by", "accepted_on", "accepted_until", "version")}
        data["controls"] = [c.key for c in risk.controls]
    form = RiskForm(data=data)
    scale = [("", "—")] + [(n, str(n)) for n in range(1, assessment.scale + 1)]
    for name in ("likelihood", "consequence", "residual_likelihood", "residual_consequence"):
        getattr(form, name).choices = scale
    form.owner_id.choices = owner_choices("—")
    form.controls.choices = control_choices(risk.controls if risk else ())
    return form


def _risk_details(form) -> service.RiskDetails:
    return service.RiskDetails(**{name: getattr(form, name).data for name in (
        "title", "threat", "likelihood", "consequence", "treatment", "vulnerability", "assets",
        "treatment_plan", "residual_likelihood", "residual_consequence", "owner_id", "due_on",
        "accepted_by", "accepted_on", "accepted_until")}, controls=form.controls.data or [])


@bp.route("/assessments/<int:assessment_id>/risks/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def add_risk(assessment_id: int):
    """Add a risk to an assessment."""
    assessment = service.get_assessment(db.session, current_actor(), assessment_id)
    form = _risk_form(assessment)
    if form.validate_on_submit():
        try:
            risk = service.add_risk(db.session, current_actor(), assessment,
                                    _risk_details(form), today=local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Risk “%(title)s” added.", title=risk.title), "success")
            return redirect(url_for("governance.show_assessment", assessment_id=assessment.id))
    return render_template("governance/risk_form.html", form=form, assessment=assessment,
                           risk=None), _status()


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def edit_risk(risk_id: int):
    """Change a risk, its treatment or its acceptance."""
    risk = service.get_risk(db.session, current_actor(), risk_id)
    form = _risk_form(risk.assessment, risk)
    if form.validate_on_submit():
        try:
            service.update_risk(db.session, current_actor(), risk, _risk_details(form),
                                form_version(form) or 0, today=local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Risk saved."), "success")
            return redirect(url_for("governance.show_risk", risk_id=risk.id))
    return render_template("governance/risk_form.html", form=form, assessment=risk.assessment,
                           risk=risk), _status()


@bp.get("/risks/<int:risk_id>")
@requires(Permission.VIEW_GOVERNANCE)
def show_risk(risk_id: int):
    """One risk: ratings before and after treatment, acceptance, controls."""
    risk = service.get_risk(db.session, current_actor(), risk_id)
    return render_template("governance/risk.html", risk=risk, today=local_today(), **LABELS)


def _cell(name: str):
    value = text_arg(name, limit=5) or ""
    left, _sep, right = value.partition("-")
    if left.isdigit() and right.isdigit() and 0 < int(left) <= 10 and 0 < int(right) <= 10:
        return int(left), int(right)
    return None


def _risk_filter() -> service.RiskFilter:
    return service.RiskFilter(
        assessment_id=params.optional_id(request.args, "assessment"),
        treatment=text_arg("treatment", TREATMENT_LABELS), level=text_arg("level", LEVELS),
        acceptance=text_arg("acceptance", ("expired", "active")), inherent=_cell("inherent"),
        residual=_cell("residual"), control=text_arg("control"), q=text_arg("q"))


@bp.get("/risks")
@requires(Permission.VIEW_GOVERNANCE)
def list_risks():
    """The risk register with the inherent and residual heat maps."""
    actor, filters, today = current_actor(), _risk_filter(), local_today()
    page = page_args(service.RISK_SORTS)
    items, total = service.list_risks(db.session, actor, filters, page, today=today)
    scale = settings().risk_scale
    heat = service.heat_map(db.session, actor, service.RiskFilter(
        assessment_id=filters.assessment_id), today=today, scale=scale)
    return render_template("governance/risks.html", items=items, total=total, page=page,
                           filters=filters, heat=heat, today=today, levels=LEVELS, **LABELS)


@bp.get("/risks/export.xlsx")
@requires(Permission.VIEW_GOVERNANCE)
def export_risks():
    """The (filtered) risk register as an XLSX workbook."""
    lang = "da" if str(get_locale()).startswith("da") else "en"
    today = local_today()
    rows = [_row(risk, today, lang) for risk in service.all_risks(
        db.session, current_actor(), _risk_filter(), today=today)]
    now = utcnow().astimezone(zone(current_app))
    data = risk_register_workbook(rows, lang, organisation_name(current_app), now)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f'attachment; filename="risk-register-{now:%Y-%m-%d}.xlsx"'})


def _row(risk, today, lang: str) -> RiskRow:
    from flask_babel import force_locale

    with force_locale(lang):
        treatment = str(TREATMENT_LABELS.get(risk.treatment, risk.treatment))
    return RiskRow(
        assessment=risk.assessment.title, assessed_on=risk.assessment.assessed_on,
        risk_id=risk.id, title=risk.title, threat=risk.threat,
        vulnerability=risk.vulnerability or "", assets=risk.assets or "",
        likelihood=risk.likelihood, consequence=risk.consequence,
        inherent_level=risk.inherent_level.value, treatment=treatment,
        treatment_plan=risk.treatment_plan or "",
        controls=", ".join(c.code for c in risk.controls),
        residual_likelihood=risk.residual_likelihood,
        residual_consequence=risk.residual_consequence,
        residual_level=risk.residual_level.value if risk.residual_level else "",
        owner=risk.owner.name if risk.owner else "", due_on=risk.due_on,
        accepted_by=risk.accepted_by or "", accepted_until=risk.accepted_until,
        acceptance_expired=bool(risk.accepted_until and risk.accepted_until < today))
