"""Kontrol: an ISMS and ISAE 3000 control-evidence tracker (Flask application factory)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, jsonify, session

from .config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI, error handlers. Starts no scheduler."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    if overrides and overrides.get("INSTANCE_PATH"):
        app.instance_path = overrides["INSTANCE_PATH"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, overrides)
    from . import routing

    routing.register(app)  # before any route: every <int:…> is bounded
    register_extensions(app)
    register_blueprints(app)
    register_activity()
    register_cli(app)
    register_request_hooks(app)
    from .errors import register_error_handlers

    register_error_handlers(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions from `extensions.py`."""
    from . import models  # noqa: F401  (every model is known to the metadata)
    from .auth.sessions import load_session
    from .extensions import babel, csrf, db, login_manager, migrate
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(PROJECT_ROOT / "app" / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    if app.config.get("KONTROL_STRICT_READS"):
        from .db import refuse_writes_in_reads

        with app.app_context():
            refuse_writes_in_reads(db.engine)
    # Cookies carry a server-side sign-in's token, not the user id (app/auth/sessions.py).
    login_manager.user_loader(lambda token: load_session(db.session, token))

    @app.before_request
    def load_user_afresh() -> None:
        # Each request checks its sign-in anew, even when an app context outlives a request
        # (tests run every request of a test in one app context, and so one `g`).
        g.pop("_login_user", None)
    if app.config["KONTROL_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["KONTROL_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_blueprints(app: Flask) -> None:
    """One blueprint per domain."""
    from .api.views import bp as api_bp
    from .audits import api as audits_api  # noqa: F401  (adds its routes to api_bp)
    from .audits.deviation_views import bp as deviations_bp
    from .audits.views import bp as audits_bp
    from .auth.permissions import public
    from .auth.views import bp as auth_bp
    from .catalogue import api as catalogue_api  # noqa: F401  (adds its routes to api_bp)
    from .catalogue.views import bp as catalogue_bp
    from .dashboard.views import bp as dashboard_bp
    from .evidence import api as evidence_api  # noqa: F401  (adds its routes to api_bp)
    from .evidence import register as register_evidence
    from .evidence.views import bp as evidence_bp
    from .extensions import csrf
    from .firms.views import bp as firms_bp
    from .governance import api as governance_api  # noqa: F401  (adds its routes to api_bp)
    from .governance import register as register_governance
    from .governance.views import bp as governance_bp
    from .incidents import register as register_incidents
    from .incidents.views import bp as incidents_bp
    from .ledger.views import bp as ledger_bp
    from .notifications import register as register_notifications
    from .notifications.views import bp as notifications_bp
    from .reports.oscal.views import bp as oscal_bp
    from .reports.views import bp as reports_bp
    from .saved_filters.views import bp as saved_filters_bp
    from .search.views import bp as search_bp
    from .vendors import api as vendors_api  # noqa: F401  (adds its routes to api_bp)
    from .vendors import follow_up_views as _vendor_pages  # noqa: F401  (routes on vendors_bp)
    from .vendors import register as register_vendors
    from .vendors.views import bp as vendors_bp

    register_evidence()
    register_vendors()
    register_governance()
    register_incidents()
    register_notifications(app)
    for blueprint in (auth_bp, dashboard_bp, catalogue_bp, evidence_bp, audits_bp,
                      deviations_bp, reports_bp, oscal_bp, ledger_bp, vendors_bp, governance_bp,
                      incidents_bp, notifications_bp, api_bp, firms_bp, search_bp,
                      saved_filters_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer tokens only; the API never reads the session cookie

    @app.get("/healthz", endpoint="health")
    @public
    def health():
        from sqlalchemy import text

        from .extensions import db

        db.session.execute(text("SELECT 1"))
        return jsonify({"status": "ok"})


def register_activity() -> None:
    """Each domain's words for its ledger entries, for the activity feed (ledger/describe.py)."""
    from .audits import activity as audits
    from .auth import activity as auth
    from .catalogue import activity as catalogue
    from .evidence import activity as evidence
    from .firms import activity as firms
    from .governance import activity as governance
    from .incidents import activity as incidents
    from .ledger.describe import register
    from .notifications import activity as notifications
    from .reports import activity as reports
    from .saved_filters import activity as saved_filters
    from .vendors import activity as vendors

    for domain in (auth, catalogue, evidence, audits, reports, firms, governance, incidents,
                   vendors, notifications, saved_filters):
        register(domain)


def register_cli(app: Flask) -> None:
    """Operator commands: users, tokens, ledger, setup, demo."""
    from .auth.cli import tokens_cli, users_cli
    from .backup.cli import backup_command, restore_command
    from .catalogue.cli import catalogue_cli
    from .cli import bootstrap_command, demo_command
    from .evidence.cli import evidence_cli
    from .governance.cli import governance_cli
    from .incidents.cli import incidents_cli
    from .ledger.cli import ledger_cli
    from .notifications.cli import scheduler_cli
    from .reports.cli import engagements_cli, report_cli
    from .reports.oscal.cli import oscal_cli
    from .vendors.cli import subprocessors_cli

    for group in (users_cli, tokens_cli, ledger_cli, catalogue_cli, evidence_cli, report_cli,
                  engagements_cli, subprocessors_cli, governance_cli, incidents_cli,
                  scheduler_cli, oscal_cli):
        app.cli.add_command(group)
    app.cli.add_command(bootstrap_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def register_request_hooks(app: Flask) -> None:
    """Security headers, template helpers, and a friendly answer to an expired CSRF token."""
    from flask import flash, redirect, request
    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError

    from . import templating

    templating.register(app)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/api/") or "text/html" in response.content_type:
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if request.method == "POST" and request.referrer and request.path != "/logout":
            flash(_("Your session expired or the form was out of date. Please try again."),
                  "error")
            return redirect(request.referrer), 303
        from flask import render_template

        return render_template("errors/generic.html", status=400, title=_("Form expired"),
                               message=_("The form was out of date or its security token was "
                                         "missing. Go back, reload the page and try again.")), 400

    @app.before_request
    def declare_write_intent() -> None:
        session.permanent = True
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            from .db import _write_intent

            request.environ["kontrol.write_token"] = _write_intent.set(True)

    @app.before_request
    def require_enrolment():  # after the write intent: it reads the signed-in user
        from .auth.views import enrolment_redirect

        return enrolment_redirect()

    @app.teardown_request
    def clear_write_intent(error=None) -> None:
        token = request.environ.pop("kontrol.write_token", None)
        if token is not None:
            from .db import _write_intent

            _write_intent.reset(token)
