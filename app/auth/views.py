"""Signing in (password, then the second factor), signing out and the language choice.

The account pages are in account_views.py, user administration in admin_views.py; all three
add their routes to the one `auth` blueprint defined here.
"""

from __future__ import annotations

import time
from datetime import timedelta

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

from ..extensions import db
from . import login as signing_in
from . import sessions
from .current import current_actor
from .forms import CodeForm, EmptyForm, LoginForm
from .permissions import Permission, public, requires
from .redirects import safe_next
from .two_factor import two_factor_required

bp = Blueprint("auth", __name__)

PENDING = "pending_sign_in"  # the password was right; the second factor is still to come
PENDING_SECONDS = 300


def password_policy() -> signing_in.PasswordPolicy:
    """Hashing method, session lifetimes and security-log retention from the configuration."""
    config = current_app.config
    return signing_in.PasswordPolicy(
        hash_method=config["PASSWORD_HASH_METHOD"],
        sessions=sessions.SessionSettings(
            lifetime=timedelta(hours=config["KONTROL_SESSION_HOURS"]),
            remember_lifetime=timedelta(days=config["KONTROL_REMEMBER_DAYS"])),
        security_log_days=config["KONTROL_SECURITY_LOG_DAYS"],
    )


def next_url() -> str:
    """Where to go after signing in or switching language: a local path, else the overview."""
    return safe_next(request.values.get("next"), url_for("dashboard.index"))


def _throttled(form, error: signing_in.LoginThrottled, template: str):
    flash(_("Too many failed attempts. Try again in %(seconds)s seconds.",
            seconds=error.seconds), "error")
    response = current_app.make_response((render_template(template, form=form), 429))
    response.headers["Retry-After"] = str(error.seconds)
    return response


# What a user who must enrol a second factor may still reach before doing so.
ENROL_ENDPOINTS = frozenset({"auth.two_factor_setup", "auth.logout", "auth.set_language",
                             "static", "health"})


def enrolment_redirect():
    """Send a signed-in user whose role requires two factors to enrolment until they enrol."""
    if request.endpoint in ENROL_ENDPOINTS:
        return None
    actor = current_actor()
    sign_in = getattr(actor, "sign_in", None)
    if (sign_in is not None and sign_in.must_enrol and not actor.two_factor_enabled):
        return redirect(url_for("auth.two_factor_setup"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; check the password, then ask for the second factor if enrolled."""
    if current_actor() is not None:
        return redirect(next_url())
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.args["lang"]
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    try:
        user = signing_in.check_password(db.session, form.email.data, form.password.data,
                                         request.remote_addr, password_policy())
    except signing_in.LoginThrottled as error:
        return _throttled(form, error, "auth/login.html")
    if user is None:
        flash(_("Wrong e-mail address or password."), "error")
        return render_template("auth/login.html", form=form), 401
    if user.two_factor_enabled:
        session[PENDING] = {"user": user.id, "remember": bool(form.remember.data),
                            "next": next_url(), "until": int(time.time()) + PENDING_SECONDS}
        return redirect(url_for("auth.login_code"))
    return _finish(user, bool(form.remember.data), next_url())


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        session.pop(PENDING, None)
        flash(_("Sign in again: the sign-in took too long."), "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/login_code.html", form=form)
    try:
        user = signing_in.check_code(db.session, int(pending["user"]), form.code.data,
                                     request.remote_addr, password_policy())
    except signing_in.LoginThrottled as error:
        return _throttled(form, error, "auth/login_code.html")
    if user is None:
        form.code.errors = [_("That code is not valid. Type the code the app shows now, or an "
                              "unused recovery code.")]
        return render_template("auth/login_code.html", form=form), 401
    return _finish(user, bool(pending.get("remember")), pending.get("next"))


def _finish(user, remember: bool, target: str | None):
    """Start the server-side sign-in and its cookie; send enrolment-bound users to enrol."""
    must_enrol = not user.two_factor_enabled and two_factor_required(db.session, user.role)
    signing_in.complete_sign_in(db.session, user, remember=remember, must_enrol=must_enrol,
                                remote_addr=request.remote_addr,
                                user_agent=request.user_agent.string, policy=password_policy())
    lang = user.language or session.get("lang")
    session.clear()  # nothing from before the sign-in carries over (session fixation)
    login_user(user, remember=remember,
               duration=timedelta(days=current_app.config["KONTROL_REMEMBER_DAYS"]))
    if lang:
        session["lang"] = lang
    if must_enrol:
        flash(_("Your role requires two-factor sign-in. Set up an authenticator app to "
                "continue."), "info")
        return redirect(url_for("auth.two_factor_setup"))
    return redirect(safe_next(target, url_for("dashboard.index")))


@bp.post("/logout")
@requires(Permission.SIGNED_IN)
def logout():
    """Sign out: end this sign-in on the server, so copies of its cookies stop working too."""
    if EmptyForm().validate_on_submit():
        sessions.end_session(db.session, current_actor())
        logout_user()
        lang = session.get("lang")
        session.clear()
        session["_remember"] = "clear"  # Flask-Login then deletes the remember-me cookie
        if lang:
            session["lang"] = lang
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@requires(Permission.SIGNED_IN)
def set_language():
    """Switch the interface language for this browser (and the signed-in user's account)."""
    from . import service

    form = EmptyForm()
    language = request.form.get("language", "")
    if form.validate_on_submit() and language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        service.set_language(db.session, current_actor(), language)
    return redirect(next_url())


from . import account_views, admin_views  # noqa: E402,F401  (add their routes to bp)
