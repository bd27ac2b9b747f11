"""Sign in and out, language choice, own account, API tokens, and user administration."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ..errors import Conflict, Invalid
from ..extensions import db
from ..forms import put_error
from . import service
from .current import current_actor
from .forms import EmptyForm, LoginForm, PasswordForm, TokenForm, UserCreateForm, UserEditForm
from .permissions import Permission, public, requires

bp = Blueprint("auth", __name__)


def password_policy() -> service.PasswordPolicy:
    """The configured hashing method and throttling limits."""
    from datetime import timedelta

    config = current_app.config
    return service.PasswordPolicy(
        hash_method=config["PASSWORD_HASH_METHOD"],
        max_failures=config["LOGIN_MAX_FAILURES"],
        window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
    )


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; sign the user in on valid credentials."""
    if current_actor() is not None:
        return redirect(url_for("dashboard.index"))
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.args["lang"]
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(db.session, form.email.data, form.password.data,
                                        request.remote_addr, password_policy())
        except service.LoginThrottled as error:
            flash(_("Too many failed sign-in attempts. Try again later."), "error")
            current_app.logger.info("sign-in throttled: %s", error)
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash(_("Wrong e-mail address or password."), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        login_user(user, remember=form.remember.data)
        if user.language:
            session["lang"] = user.language
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@requires(Permission.SIGNED_IN)
def logout():
    """Sign out and forget the session."""
    if EmptyForm().validate_on_submit():
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@requires(Permission.SIGNED_IN)
def set_language():
    """Switch the interface language for this browser (and the signed-in user's account)."""
    form = EmptyForm()
    language = request.form.get("language", "")
    if form.validate_on_submit() and language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        service.set_language(db.session, current_actor(), language)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def account():
    """Own account: change password; list and create personal API tokens."""
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            service.set_password(db.session, current_actor(), current_actor(), form.password.data,
                                 form.current_password.data, password_policy())
        except Invalid as error:
            put_error(form, error)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, token_form=TokenForm(prefix="tok"),
                           revoke_form=EmptyForm(), new_token=session.pop("new_token", None))


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
            put_error(form, error)
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
            put_error(form, error)
        else:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/user_edit.html", user=user, form=form)
