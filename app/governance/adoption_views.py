"""Pages of the new-technology gate: adoptions, their steps and the move into use."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import DomainError
from ..extensions import db
from . import adoptions as service
from . import risks
from .forms import (
    ADOPTION_STATUS_LABELS,
    CATEGORY_LABELS,
    STEP_LABELS,
    AdoptionForm,
    DecisionStepForm,
    EmptyForm,
    ImpactStepForm,
    PresentationStepForm,
    RiskStepForm,
)
from .rules import AdoptionStatus, Step
from .views import (
    bp,
    failed,
    form_version,
    local_today,
    localised,
    owner_choices,
    page_args,
    settings,
    text_arg,
    upload,
)

STEP_FORMS = {"risk": RiskStepForm, "impact": ImpactStepForm,
              "presentation": PresentationStepForm, "decision": DecisionStepForm}


def refusal(error: service.GateRefused) -> str:
    """The gate's refusal in the interface language, naming every missing step."""
    return _("Not yet “%(status)s”: first record %(steps)s.",
             status=ADOPTION_STATUS_LABELS.get(error.target, error.target),
             steps=", ".join(str(STEP_LABELS[Step(s)]) for s in error.missing))


def _details(form) -> service.AdoptionDetails:
    return service.AdoptionDetails(
        title=form.title.data, categories=form.categories.data or [],
        personal_data=form.personal_data.data, owner_id=form.owner_id.data,
        description=form.description.data)


@bp.get("/technology")
@requires(Permission.VIEW_GOVERNANCE)
def list_adoptions():
    """Adoptions of new technology and where each stands in the gate."""
    filters = service.AdoptionFilter(status=text_arg("status", AdoptionStatus),
                                     category=text_arg("category", CATEGORY_LABELS),
                                     q=text_arg("q"))
    page = page_args(service.SORTS)
    items, total = service.list_adoptions(db.session, current_actor(), filters, page)
    return render_template("governance/adoptions.html", items=items, total=total, page=page,
                           filters=filters, categories=CATEGORY_LABELS,
                           statuses=ADOPTION_STATUS_LABELS)


@bp.route("/technology/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def create_adoption():
    """Register new technology someone wants to take into use."""
    form = AdoptionForm(data=None if request.method == "POST" else {
        "owner_id": current_actor().id})
    form.owner_id.choices = owner_choices()
    if form.validate_on_submit():
        try:
            adoption = service.create_adoption(db.session, current_actor(), _details(form),
                                               today=local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("“%(title)s” registered as a draft.", title=adoption.title), "success")
            return redirect(url_for("governance.show_adoption", adoption_id=adoption.id))
    return render_template("governance/adoption_form.html", form=form, adoption=None), (
        422 if request.method == "POST" else 200)


@bp.route("/technology/<int:adoption_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def edit_adoption(adoption_id: int):
    """Change what is said about an adoption."""
    adoption = service.get_adoption(db.session, current_actor(), adoption_id)
    form = AdoptionForm(data={name: getattr(adoption, name) for name in (
        "title", "categories", "personal_data", "owner_id", "description", "version")})
    form.owner_id.choices = owner_choices()
    if form.validate_on_submit():
        try:
            service.update_adoption(db.session, current_actor(), adoption, _details(form),
                                    form_version(form) or 0)
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Adoption saved."), "success")
            return redirect(url_for("governance.show_adoption", adoption_id=adoption.id))
    return render_template("governance/adoption_form.html", form=form, adoption=adoption), (
        422 if request.method == "POST" else 200)


def _step_forms(adoption, posted: str | None = None) -> dict:
    forms = {}
    for name, form_class in STEP_FORMS.items():
        if name == posted:
            form = form_class()
        else:
            form = form_class(formdata=None, data={"version": adoption.version})
        forms[name] = form
    choices = [("", "—")] + [(a.id, f"{a.title} ({a.assessed_on})") for a in
                             risks.all_assessments(db.session, current_actor())]
    forms["risk"].risk_assessment_id.choices = choices
    forms["impact"].impact_assessment_id.choices = choices
    if posted != "risk":
        forms["risk"].risk_assessment_id.data = adoption.risk_assessment_id
    if posted != "impact":
        forms["impact"].impact_assessment_id.data = adoption.impact_assessment_id
        forms["impact"].impact_summary.data = adoption.impact_summary
    if posted != "presentation":
        forms["presentation"].presented_on.data = adoption.presented_on or local_today()
    if posted != "decision":
        forms["decision"].decided_on.data = adoption.decided_on or local_today()
        forms["decision"].decided_by.data = adoption.decided_by or ""
    return forms


def _render(adoption, forms, status: int = 200):
    missing = service.rules.missing_steps(adoption.facts, AdoptionStatus.IN_USE)
    return render_template("governance/adoption.html", adoption=adoption, forms=forms,
                           missing=missing, step_labels=STEP_LABELS,
                           statuses=ADOPTION_STATUS_LABELS,
                           button=EmptyForm(version=adoption.version),
                           categories=CATEGORY_LABELS), status


@bp.get("/technology/<int:adoption_id>")
@requires(Permission.VIEW_GOVERNANCE)
def show_adoption(adoption_id: int):
    """One adoption: the gate's steps, what is recorded and what is missing."""
    adoption = service.get_adoption(db.session, current_actor(), adoption_id)
    return _render(adoption, _step_forms(adoption))


def _record(step: str, adoption, form):
    actor, version = current_actor(), form_version(form)
    if step == "risk":
        return service.record_risk_assessment(db.session, actor, adoption,
                                              form.risk_assessment_id.data, version)
    if step == "impact":
        return service.record_impact_analysis(
            db.session, actor, adoption, assessment_id=form.impact_assessment_id.data,
            summary=form.impact_summary.data, version=version)
    if step == "presentation":
        return service.record_presentation(
            db.session, actor, settings(), adoption, presented_on=form.presented_on.data,
            minutes=upload(form.minutes.data), today=local_today(), version=version)
    return service.record_decision(
        db.session, actor, adoption, decision=form.decision.data,
        decided_on=form.decided_on.data, decided_by=form.decided_by.data,
        notes=form.notes.data, today=local_today(), version=version)


@bp.post("/technology/<int:adoption_id>/steps/<step>")
@requires(Permission.MANAGE_GOVERNANCE)
def record_step(adoption_id: int, step: str):
    """Record one step of the gate; errors stay at the step's fields."""
    if step not in STEP_FORMS:
        return redirect(url_for("governance.show_adoption", adoption_id=adoption_id))
    adoption = service.get_adoption(db.session, current_actor(), adoption_id)
    forms = _step_forms(adoption, posted=step)
    if forms[step].validate_on_submit():
        try:
            _record(step, adoption, forms[step])
        except service.GateRefused as error:
            db.session.rollback()
            flash(refusal(error), "error")
        except DomainError as error:
            db.session.rollback()
            failed(forms[step], error)
        else:
            flash(_("Step recorded. Status: %(status)s.",
                    status=ADOPTION_STATUS_LABELS[adoption.status]), "success")
            return redirect(url_for("governance.show_adoption", adoption_id=adoption_id))
    adoption = service.get_adoption(db.session, current_actor(), adoption_id)
    return _render(adoption, forms, 422)


@bp.post("/technology/<int:adoption_id>/status")
@requires(Permission.MANAGE_GOVERNANCE)
def set_status(adoption_id: int):
    """Ask for a status (in practice: "in use"); the gate says what is missing."""
    adoption = service.get_adoption(db.session, current_actor(), adoption_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            service.set_status(db.session, current_actor(), adoption,
                               request.form.get("status", ""), today=local_today(),
                               version=form_version(form))
        except service.GateRefused as error:
            flash(refusal(error), "error")
        except DomainError as error:
            flash(localised(error), "error")
        else:
            flash(_("The technology is now in use."), "success")
    return redirect(url_for("governance.show_adoption", adoption_id=adoption_id))
