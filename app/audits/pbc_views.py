"""The engagement's PBC list page: what its auditors asked for, of whom, by when, delivered."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, can, requires
from ..errors import DomainError
from ..evidence.queries import possible_holders
from ..evidence.service import can_answer_request
from ..extensions import db
from ..forms import put_error
from ..time import local_today
from . import access, pbc, service
from .fieldwork_forms import PbcRequestForm
from .forms import VersionForm
from .views import bp


def _localised(error: DomainError) -> DomainError:
    template = getattr(error, "template", None)
    if template:
        error.message = _(template, **error.params)
    return error


def _choices(form: PbcRequestForm, engagement) -> None:
    lang = str(get_locale())
    form.control.choices = [("", "—")] + [
        (c.key, f"{c.code} — {c.text('title', lang)}"
                + (f" ({c.owner.name})" if c.owner else ""))
        for c in pbc.scope_controls(db.session, engagement)]
    form.assignee_id.choices = [("", _("The control's owner"))] + [
        (u.id, u.name) for u in possible_holders(db.session) if can(u, Permission.ADD_EVIDENCE)]


def _page(engagement, form: PbcRequestForm | None = None, status: int = 200):
    actor = current_actor()
    listing = pbc.pbc_list(db.session, actor, engagement, today=local_today())
    may_request = access.can_request_evidence(actor, engagement)
    if may_request and form is None:
        form = PbcRequestForm(control=request.args.get("control"))
    if form is not None:
        _choices(form, engagement)
    return render_template(
        "audits/pbc.html", engagement=engagement, listing=listing, form=form,
        may_request=may_request, withdraw_form=VersionForm(formdata=None),
        answerable={r.id for r in listing.requests if can_answer_request(actor, r)}), status


@bp.get("/<int:engagement_id>/pbc")
@requires(Permission.VIEW_AUDITS)
def pbc_list(engagement_id: int):
    """The engagement's PBC list, and the form to add to it (for its auditors)."""
    return _page(service.get_engagement(db.session, current_actor(), engagement_id))


@bp.post("/<int:engagement_id>/pbc")
@requires(Permission.REQUEST_ENGAGEMENT_EVIDENCE)
def request_evidence(engagement_id: int):
    """Ask for evidence within the engagement; errors stay at their field."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    form = PbcRequestForm()
    _choices(form, engagement)
    if form.validate_on_submit():
        try:
            made = pbc.request_evidence(
                db.session, current_actor(), engagement, form.control.data,
                assignee_id=form.assignee_id.data, due_on=form.due_on.data,
                description=form.description.data, today=local_today())
        except DomainError as error:
            put_error(form, _localised(error))
        else:
            flash(_("Request #%(id)s sent to %(name)s, due %(date)s.", id=made.id,
                    name=made.assignee.name, date=made.due_on.isoformat()), "success")
            return redirect(url_for("audits.pbc_list", engagement_id=engagement.id))
    return _page(engagement, form, 422)


@bp.post("/<int:engagement_id>/pbc/<int:request_id>/withdraw")
@requires(Permission.REQUEST_ENGAGEMENT_EVIDENCE)
def withdraw_request(engagement_id: int, request_id: int):
    """Withdraw an open request from the PBC list."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    if VersionForm().validate_on_submit():
        try:
            pbc.withdraw(db.session, current_actor(), engagement, request_id)
        except DomainError as error:
            flash(_localised(error).message, "error")
        else:
            flash(_("Request #%(id)s withdrawn.", id=request_id), "success")
    return redirect(url_for("audits.pbc_list", engagement_id=engagement.id))
