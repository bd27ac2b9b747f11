"""OSCAL downloads from the catalogue, SoA and engagement pages."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from ...auth.current import current_actor
from ...auth.permissions import Permission, requires
from ...extensions import db
from . import service

bp = Blueprint("oscal", __name__, url_prefix="/oscal")


def _download(document: dict, filename: str) -> Response:
    return Response(service.dumps(document), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/catalogues/<slug>.json")
@requires(Permission.VIEW_CATALOGUE)
def catalog(slug: str):
    """A catalogue as an OSCAL catalog."""
    return _download(service.export_catalog(db.session, current_actor(), slug),
                     f"catalog-{slug}.json")


@bp.get("/system-security-plan.json")
@requires(Permission.VIEW_SOA)
def ssp():
    """The Statement of Applicability as an OSCAL system security plan."""
    return _download(service.export_ssp(db.session, current_actor(),
                                        current_app.config["KONTROL_ORGANISATION"]),
                     "system-security-plan.json")


@bp.get("/engagements/<int:engagement_id>/assessment-results.json")
@requires(Permission.VIEW_REPORTS)
def assessment_results(engagement_id: int):
    """An engagement as OSCAL assessment results."""
    return _download(service.export_assessment_results(db.session, current_actor(),
                                                       engagement_id),
                     f"assessment-results-{engagement_id}.json")


@bp.get("/engagements/<int:engagement_id>/assessment-plan.json")
@requires(Permission.VIEW_REPORTS)
def assessment_plan(engagement_id: int):
    """An engagement's OSCAL assessment plan."""
    return _download(service.export_assessment_plan(db.session, current_actor(),
                                                    engagement_id),
                     f"assessment-plan-{engagement_id}.json")
