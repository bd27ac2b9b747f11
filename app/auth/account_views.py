"""The signed-in user's own account: password, two-factor sign-in, sign-ins, API tokens."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from ..errors import Invalid
from ..extensions import db
from . import service, sessions, two_factor
from .current import current_actor
from .forms import ConfirmPasswordForm, EmptyForm, EnrolForm, PasswordForm, TokenForm
from .permissions import Permission, requires
from .views import bp, password_policy

ENROL_SECRET = "enrol_secret"  # the secret being enrolled, until the app's first code confirms it
# Functions (session, actor) -> {"template": …, …} adding a card to the account page.
ACCOUNT_SECTIONS: list = []


def show_error(form, error: Invalid) -> None:
    """Put a service's error on its field, translated (services speak English templates)."""
    template = getattr(error, "template", None)
    message = _(template, **error.params) if template else error.message
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*getattr(field, "errors", []), message]
    else:
        flash(message, "error")


def _two_factor_page(form, status: int = 200):
    actor = current_actor()
    return render_template("auth/two_factor.html", form=form,
                           codes_left=two_factor.recovery_codes_left(db.session, actor),
                           required=two_factor.two_factor_required(db.session, actor.role)
                           ), status


def _account_page(form, status: int = 200):
    actor = current_actor()
    return render_template(
        "auth/account.html", form=form, token_form=TokenForm(prefix="tok"),
        revoke_form=EmptyForm(), new_token=session.pop("new_token", None),
        sign_ins=sessions.list_sessions(db.session, actor),
        sections=[section(db.session, actor) for section in ACCOUNT_SECTIONS],
        codes_left=two_factor.recovery_codes_left(db.session, actor)
        if actor.two_factor_enabled else None), status


@bp.route("/account", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def account():
    """Own account: change password; two-factor state; sign-ins; personal API tokens."""
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            service.set_password(db.session, current_actor(), current_actor(), form.password.data,
                                 form.current_password.data, password_policy())
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Your password has been changed. You are signed out everywhere else."),
                  "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, 422 if form.errors else 200)


@bp.post("/account/sign-ins/end-others")
@requires(Permission.SIGNED_IN)
def end_other_sessions():
    """Sign out every other browser and remember-me cookie of this account."""
    if EmptyForm().validate_on_submit():
        count = service.end_other_sessions(db.session, current_actor())
        flash(_("Signed out of %(count)s other sessions.", count=count), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def two_factor_setup():
    """Enrol an authenticator app: scan the QR code, confirm a code, get recovery codes."""
    actor = current_actor()
    if actor.two_factor_enabled:
        return _two_factor_page(ConfirmPasswordForm(prefix="tf"))
    secret = session.get(ENROL_SECRET) or two_factor.new_secret()
    session[ENROL_SECRET] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable_two_factor(db.session, actor, secret, form.code.data)
        except Invalid as error:
            show_error(form, error)
        else:
            session.pop(ENROL_SECRET, None)
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
    uri = two_factor.provisioning_uri(actor, secret, current_app.config["KONTROL_ORGANISATION"])
    return render_template("auth/enrol.html", form=form, secret=secret,
                           qr=two_factor.qr_svg(uri)), 422 if form.errors else 200


@bp.post("/account/two-factor/recovery-codes")
@requires(Permission.SIGNED_IN)
def renew_recovery_codes():
    """Replace the recovery codes (after the password) and show the new ones once."""
    form = ConfirmPasswordForm(prefix="tf")
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(db.session, current_actor(),
                                                         form.password.data)
        except Invalid as error:
            show_error(form, error)
        else:
            return render_template("auth/recovery_codes.html", codes=codes, first=False)
    return _two_factor_page(form, 422)


@bp.post("/account/two-factor/disable")
@requires(Permission.SIGNED_IN)
def disable_two_factor():
    """Turn off two-factor sign-in (after the password), unless the role requires it."""
    form = ConfirmPasswordForm(prefix="tf")
    if form.validate_on_submit():
        try:
            two_factor.disable_two_factor(db.session, current_actor(), form.password.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("auth.account"))
    return _two_factor_page(form, 422)


@bp.post("/account/tokens")
@requires(Permission.MANAGE_API_TOKENS)
def create_token():
    """Create a personal API token and show it once."""
    form = TokenForm(prefix="tok")
    if form.validate_on_submit():
        try:
            _row, token = service.create_token(db.session, current_actor(), current_actor(),
                                               form.name.data)
        except Invalid as error:
            flash(error.message, "error")
        else:
            session["new_token"] = token
    else:
        flash(_("Give the token a name of at most 100 characters."), "error")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires(Permission.MANAGE_API_TOKENS)
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    if EmptyForm().validate_on_submit():
        service.revoke_token(db.session, current_actor(), token_id)
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.account"))
