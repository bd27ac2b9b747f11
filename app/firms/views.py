"""Audit firm pages: the list, one firm with its members (administrators)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import Conflict, Invalid
from ..extensions import db
from ..forms import put_error
from . import service
from .forms import FirmForm, MemberForm

bp = Blueprint("firms", __name__, url_prefix="/firms")


def _member_form() -> MemberForm:
    form = MemberForm()
    form.user_id.choices = [SelectChoice(u.id, f"{u.name} ({u.email})")
                            for u in service.unattached_auditors(db.session)]
    return form


def _details(form: FirmForm) -> service.FirmDetails:
    return service.FirmDetails(form.name.data, form.cvr.data, form.address.data, form.city.data)


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.MANAGE_FIRMS)
def list_firms():
    """The audit firms, and a form for a new one."""
    form = FirmForm()
    if form.validate_on_submit():
        try:
            firm = service.save_firm(db.session, current_actor(), None, _details(form))
        except Invalid as error:
            put_error(form, error)
        else:
            flash(_("Audit firm %(name)s created.", name=firm.name), "success")
            return redirect(url_for("firms.show_firm", firm_id=firm.id))
    return render_template("firms/list.html", firms=service.list_firms(db.session),
                           form=form), 422 if request.method == "POST" else 200


@bp.route("/<int:firm_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_FIRMS)
def show_firm(firm_id: int):
    """A firm: its details (editable) and its members."""
    firm = service.get_firm(db.session, firm_id)
    form = FirmForm(obj=firm)
    if form.validate_on_submit():
        try:
            service.save_firm(db.session, current_actor(), firm, _details(form),
                              int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            put_error(form, error)
        else:
            flash(_("The firm is saved."), "success")
            return redirect(url_for("firms.show_firm", firm_id=firm.id))
    return render_template("firms/show.html", firm=firm, form=form,
                           member_form=_member_form()), 422 if request.method == "POST" else 200


@bp.post("/<int:firm_id>/members")
@requires(Permission.MANAGE_FIRMS)
def add_member(firm_id: int):
    """Add an external-auditor account to the firm."""
    firm = service.get_firm(db.session, firm_id)
    form = _member_form()
    if form.validate_on_submit():
        try:
            member = service.add_member(db.session, current_actor(), firm, form.user_id.data,
                                        form.mne.data)
        except Invalid as error:
            put_error(form, error)
        else:
            flash(_("%(name)s is now a member of %(firm)s.", name=member.user.name,
                    firm=firm.name), "success")
            return redirect(url_for("firms.show_firm", firm_id=firm.id))
    return render_template("firms/show.html", firm=firm, form=FirmForm(obj=firm),
                           member_form=form), 422


@bp.post("/members/<int:member_id>/remove")
@requires(Permission.MANAGE_FIRMS)
def remove_member(member_id: int):
    """Take an account out of its firm."""
    member = service.get_member(db.session, member_id)
    firm_id = member.firm_id
    try:
        service.remove_member(db.session, current_actor(), member)
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(_("The account was removed from the firm."), "success")
    return redirect(url_for("firms.show_firm", firm_id=firm_id))


def register() -> None:
    """The firms page in the administrator's navigation, and the demo firm."""
    from flask_babel import lazy_gettext as _l

    from ..demo import DEMO_STEPS
    from ..templating import TRAILING_NAVIGATION, NavItem
    from .demo import seed_firm

    if not any(item.endpoint == "firms.list_firms" for item in TRAILING_NAVIGATION):
        TRAILING_NAVIGATION.append(NavItem(_l("Audit firms"), "firms.list_firms",
                                           Permission.MANAGE_FIRMS, "/firms"))
    if seed_firm not in DEMO_STEPS:
        DEMO_STEPS.insert(0, seed_firm)


register()
