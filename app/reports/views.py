"""Report downloads (ISAE 3000, internal audit, SoA, workpapers), profile, export bundles."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from ..audits import service as audits
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..catalogue.views import _filters as soa_filters
from ..db import utcnow
from ..errors import Conflict, Invalid
from ..evidence.views import settings as evidence_settings
from ..extensions import db
from ..forms import put_error
from ..time import local_today, zone
from . import bundle as bundles
from . import service
from .forms import BundleForm, ProfileForm
from .internal_pdf import build_internal_report
from .pdf import build_isae_report
from .soa_pdf import build_soa_pdf
from .workpapers import build_workpapers

bp = Blueprint("reports", __name__, url_prefix="/reports")

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def settings() -> dict:
    """Paths and names the report jobs need (plain data: jobs run outside the request)."""
    config = current_app.config
    return {"exports_dir": config.get("KONTROL_EXPORTS_DIR")
            or f"{current_app.instance_path}/exports",
            "evidence_dir": config["KONTROL_EVIDENCE_DIR"],
            "organisation": config["KONTROL_ORGANISATION"]}


def _lang() -> str:
    lang = request.args.get("lang") or str(get_locale())
    return "da" if lang.startswith("da") else "en"



def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/engagements/<int:engagement_id>/isae3000.pdf")
@requires(Permission.VIEW_REPORTS)
def isae_report(engagement_id: int):
    """The ISAE 3000 report: the PDF frozen at issue, or a draft rendered now."""
    engagement = audits.get_engagement(db.session, current_actor(), engagement_id)
    lang = _lang()
    if engagement.is_issued and engagement.is_assurance:
        from .signing import issued_pdf

        data, issued = issued_pdf(db.session, engagement, lang, evidence_settings().store)
        response = _download(data, PDF, issued.filename)
        response.headers["X-Content-SHA256"] = issued.sha256
        return response
    report = service.isae_report(db.session, current_actor(), engagement, lang,
                                 current_app.config["KONTROL_ORGANISATION"], local_today())
    suffix = "-draft" if report.draft else ""
    return _download(build_isae_report(report), PDF,
                     f"isae3000-{engagement.id}-{lang}{suffix}.pdf")


@bp.get("/engagements/<int:engagement_id>/internal.pdf")
@requires(Permission.VIEW_REPORTS)
def internal_report(engagement_id: int):
    """The internal audit report for the security committee."""
    engagement = audits.get_engagement(db.session, current_actor(), engagement_id)
    lang = _lang()
    report = service.internal_report(db.session, current_actor(), engagement, lang,
                                     current_app.config["KONTROL_ORGANISATION"], local_today())
    return _download(build_internal_report(report), PDF,
                     f"internal-audit-{engagement.id}-{lang}.pdf")


@bp.get("/engagements/<int:engagement_id>/workpapers.xlsx")
@requires(Permission.VIEW_REPORTS)
def workpapers(engagement_id: int):
    """Workpapers: tests, populations, seeds and sampled items, one sheet per objective."""
    engagement = audits.get_engagement(db.session, current_actor(), engagement_id)
    lang = _lang()
    tests = service.workpapers(db.session, current_actor(), engagement, lang)
    period = (f"{engagement.period_start} – {engagement.period_end}" if engagement.period_start
              else str(engagement.period_end))
    return _download(build_workpapers(engagement.name, period, lang, tests, utcnow()), XLSX,
                     f"workpapers-{engagement.id}-{lang}.xlsx")


@bp.get("/soa.pdf")
@requires(Permission.VIEW_SOA)
def soa_pdf():
    """The Statement of Applicability as PDF (same filters as the SoA page)."""
    lang = _lang()
    rows = service.soa_rows(db.session, soa_filters(soa_only=True), lang, current_actor())
    now = utcnow().astimezone(zone(current_app))
    profile = service.get_profile(db.session, current_app.config["KONTROL_ORGANISATION"])
    return _download(build_soa_pdf(rows, lang, profile.name, now), PDF,
                     f"statement-of-applicability-{now:%Y-%m-%d}-{lang}.pdf")


@bp.route("/profile", methods=["GET", "POST"])
@requires(Permission.MANAGE_PROFILE)
def edit_profile():
    """The organisation profile that fills the report texts."""
    profile = service.get_profile(db.session, current_app.config["KONTROL_ORGANISATION"])
    form = ProfileForm(obj=profile)
    if form.validate_on_submit():
        try:
            service.update_profile(db.session, current_actor(), form.data,
                                   int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            put_error(form, error)
        else:
            flash(_("The organisation profile is saved."), "success")
            return redirect(url_for("reports.edit_profile"))
    return render_template("reports/profile.html", form=form)


@bp.post("/engagements/<int:engagement_id>/bundles")
@requires(Permission.EXPORT_BUNDLE)
def request_bundle(engagement_id: int):
    """Start building an export bundle in the background."""
    engagement = audits.get_engagement(db.session, current_actor(), engagement_id)
    form = BundleForm()
    if not form.validate_on_submit():
        flash(_("Choose the language of the bundle."), "error")
        return redirect(url_for("audits.show_engagement", engagement_id=engagement_id))
    bundle = bundles.request_bundle(db.session, current_actor(), engagement, form.lang.data,
                                    form.include_files.data, settings())
    return redirect(url_for("reports.show_bundle", bundle_id=bundle.id))


@bp.get("/bundles/<int:bundle_id>")
@requires(Permission.EXPORT_BUNDLE)
def show_bundle(bundle_id: int):
    """A bundle's progress (HTML, or JSON for the progress bar)."""
    bundle = bundles.get_bundle(db.session, current_actor(), bundle_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"status": bundle.status, "percent": bundle.percent, "step": bundle.step,
                        "sha256": bundle.sha256, "error": bundle.error})
    return render_template("reports/bundle.html", bundle=bundle)


@bp.get("/bundles/<int:bundle_id>/download")
@requires(Permission.EXPORT_BUNDLE)
def download_bundle(bundle_id: int):
    """The finished ZIP, as an attachment."""
    bundle = bundles.get_bundle(db.session, current_actor(), bundle_id)
    if bundle.status != "ready":
        flash(_("The bundle is not ready yet."), "error")
        return redirect(url_for("reports.show_bundle", bundle_id=bundle_id))
    return send_file(bundles.bundle_path(settings(), bundle), mimetype="application/zip",
                     as_attachment=True, download_name=bundle.filename)


def register() -> None:
    """Navigation entry for the organisation profile, demo data, and the report's hooks.

    Audits tell reports when a change withdraws the auditor's signature; issued PDFs are
    stored files `flask evidence verify` checks.
    """
    from flask_babel import lazy_gettext as _l

    from ..audits.service import AFTER_CHANGE
    from ..demo import DEMO_STEPS
    from ..evidence.service import STORED_FILE_SOURCES
    from ..templating import TRAILING_NAVIGATION, NavItem
    from .demo import seed_profile, seed_reports
    from .signing import issued_files, on_audit_change

    if not any(item.endpoint == "reports.edit_profile" for item in TRAILING_NAVIGATION):
        TRAILING_NAVIGATION.insert(0, NavItem(_l("Organisation"), "reports.edit_profile",
                                              Permission.MANAGE_PROFILE, "/reports/profile"))
    if seed_profile not in DEMO_STEPS:
        DEMO_STEPS.insert(0, seed_profile)
    if seed_reports not in DEMO_STEPS:
        DEMO_STEPS.append(seed_reports)  # after the audits' engagements
    for registry, hook in ((AFTER_CHANGE, on_audit_change),
                           (STORED_FILE_SOURCES, issued_files)):
        if hook not in registry:
            registry.append(hook)


register()

from . import pbc_views, report_views  # noqa: E402,F401  (their routes join this blueprint)
