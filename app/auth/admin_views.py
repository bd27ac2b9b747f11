"""User administration and the security page (two-factor policy, security log): admins only."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..errors import Conflict, Invalid
from ..extensions import db
from . import login, service, two_factor
from .account_views import show_error
from .current import current_actor
from .forms import EmptyForm, TwoFactorPolicyForm, UserCreateForm, UserEditForm
from .permissions import Permission, requires
from .views import bp, password_policy


@bp.get("/admin/users")
@requires(Permission.MANAGE_USERS)
def list_users():
    """Every account with its role and state."""
    return render_template("auth/users.html", users=service.list_users(db.session),
                           form=UserCreateForm())


@bp.post("/admin/users")
@requires(Permission.MANAGE_USERS)
def create_user():
    """Create an account from the administration page."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(db.session, current_actor(), form.email.data,
                                       form.name.data, form.role.data, form.password.data,
                                       password_policy())
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/users.html", users=service.list_users(db.session),
                           form=form), 422


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    """Change an account's name, role or active flag."""
    user = service.get_user(db.session, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            service.update_user(db.session, current_actor(), user, name=form.name.data,
                                role=form.role.data, active=form.active.data,
                                version=int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            show_error(form, error)
        else:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/user_edit.html", user=user, form=form,
                           reset_form=EmptyForm(prefix="reset"))


@bp.post("/admin/users/<int:user_id>/two-factor/reset")
@requires(Permission.MANAGE_USERS)
def reset_two_factor(user_id: int):
    """Clear a user's second factor (lost device); they enrol again at their next sign-in."""
    user = service.get_user(db.session, user_id)
    if EmptyForm(prefix="reset").validate_on_submit():
        try:
            two_factor.reset_two_factor(db.session, current_actor(), user)
        except Invalid as error:
            show_error(None, error)
        else:
            flash(_("Two-factor sign-in of %(email)s was reset and the account signed out "
                    "everywhere.", email=user.email), "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))


@bp.route("/admin/security", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def security():
    """Which roles must use two-factor sign-in, and the latest failed sign-ins and codes."""
    form = TwoFactorPolicyForm()
    if form.validate_on_submit():
        try:
            two_factor.set_two_factor_policy(db.session, current_actor(),
                                             set(form.roles.data or ()))
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Two-factor policy saved. It applies from each user's next sign-in."),
                  "success")
            return redirect(url_for("auth.security"))
    elif not form.is_submitted():
        form.roles.data = sorted(two_factor.required_roles(db.session))
    return render_template("auth/security.html", form=form,
                           events=login.list_security_events(db.session),
                           retention_days=password_policy().security_log_days
                           ), 422 if form.errors else 200
