"""Pages of the annual wheel: the year as a wheel and a list, a duty, adding and completing."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, can, requires
from ..db import utcnow
from ..errors import DomainError
from ..extensions import db
from ..governance.views import (
    control_choices,
    failed,
    form_version,
    local_today,
    owner_choices,
    upload,
)
from ..governance.views import settings as register_settings
from ..time import zone
from . import recurrence, wheel
from .forms import CompleteForm, DutyForm
from .views import bp, policy, state_labels


def _details(form: DutyForm) -> wheel.DutyDetails:
    return wheel.DutyDetails(
        title_en=form.title_en.data, title_da=form.title_da.data, rrule=form.rrule.data or "",
        starts_on=form.starts_on.data, owner_id=form.owner_id.data,
        controls=form.controls.data or [], description_en=form.description_en.data,
        description_da=form.description_da.data, active=form.active.data)


@bp.get("/wheel")
@requires(Permission.VIEW_ANNUAL_WHEEL)
def show_wheel():
    """The ISMS year as a wheel and as a list, coloured by state."""
    today = local_today()
    value = (request.args.get("year") or "").strip()
    year = int(value) if value.isdigit() and len(value) == 4 else today.year
    year = min(max(year, recurrence.FIRST.year), recurrence.LAST.year)
    result = wheel.year_wheel(db.session, current_actor(), year, utcnow(), zone(current_app),
                              policy())
    return render_template("notifications/wheel.html", wheel=result, today=today,
                           picture=wheel.layout(result, today), states=state_labels(),
                           language=str(get_locale()))


def _duty_form(duty=None) -> DutyForm:
    data = None
    if duty is not None:
        data = {"title_en": duty.title_en, "title_da": duty.title_da, "rrule": duty.rrule,
                "starts_on": duty.starts_on, "owner_id": duty.owner_id,
                "controls": [c.key for c in duty.controls], "active": duty.active,
                "description_en": duty.description_en, "description_da": duty.description_da,
                "version": duty.version}
    form = DutyForm(data=data)
    form.owner_id.choices = owner_choices(_("— choose —"))
    form.controls.choices = control_choices(duty.controls if duty else ())
    return form


@bp.route("/wheel/duties/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_ANNUAL_WHEEL)
def create_duty():
    """Add a recurring duty to the wheel."""
    form = _duty_form()
    if form.validate_on_submit():
        try:
            duty = wheel.create_duty(db.session, current_actor(), _details(form))
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Duty added to the annual wheel."), "success")
            return redirect(url_for("notifications.show_duty", duty_id=duty.id))
    return render_template("notifications/duty_form.html", form=form, duty=None,
                           examples=recurrence.EXAMPLES), 422 if form.errors else 200


@bp.route("/wheel/duties/<int:duty_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_ANNUAL_WHEEL)
def edit_duty(duty_id: int):
    """Change a duty; a new rule reschedules its open occurrence."""
    duty = wheel.get_duty(db.session, current_actor(), duty_id)
    form = _duty_form(duty)
    if form.validate_on_submit():
        try:
            wheel.update_duty(db.session, current_actor(), duty, _details(form),
                              form_version(form))
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Duty saved."), "success")
            return redirect(url_for("notifications.show_duty", duty_id=duty.id))
    return render_template("notifications/duty_form.html", form=form, duty=duty,
                           examples=recurrence.EXAMPLES), 422 if form.errors else 200


def _duty_page(duty, form: CompleteForm, status: int = 200):
    today = local_today()
    return render_template(
        "notifications/duty.html", duty=duty, form=form, today=today,
        upcoming=recurrence.describe(duty.rrule, duty.next_due_on, 4) if duty.next_due_on
        else [], evidence=wheel.completion_evidence(db.session, duty),
        can_complete=wheel.can_complete(current_actor(), duty) and duty.next_due_on,
        can_manage=can(current_actor(), Permission.MANAGE_ANNUAL_WHEEL),
        language=str(get_locale())), status


@bp.get("/wheel/duties/<int:duty_id>")
@requires(Permission.VIEW_ANNUAL_WHEEL)
def show_duty(duty_id: int):
    """A duty: its rule, owner, controls, next occurrences and completions."""
    duty = wheel.get_duty(db.session, current_actor(), duty_id)
    form = CompleteForm(data={"completed_on": local_today(), "due_on": duty.next_due_on})
    return _duty_page(duty, form)


@bp.post("/wheel/duties/<int:duty_id>/complete")
@requires(Permission.COMPLETE_DUTIES)
def complete_duty(duty_id: int):
    """Record the open occurrence as done with its evidence; the next one is scheduled."""
    duty = wheel.get_duty(db.session, current_actor(), duty_id)
    form = CompleteForm()
    if form.validate_on_submit():
        from datetime import date

        try:
            due_on = date.fromisoformat(form.due_on.data or "")
        except ValueError:
            due_on = None
        try:
            wheel.complete_duty(db.session, current_actor(), duty, wheel.Completion(
                due_on=due_on, completed_on=form.completed_on.data, note=form.note.data,
                evidence_id=form.evidence_id.data, upload=upload(form.file.data)),
                register_settings().evidence, local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Duty completed; the next occurrence is %(due)s.",
                    due=duty.next_due_on.isoformat() if duty.next_due_on else "—"), "success")
            return redirect(url_for("notifications.show_duty", duty_id=duty.id))
    return _duty_page(duty, form, 422)
