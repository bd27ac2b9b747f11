"""Audit API: sampling plans, engagements and their tests (so scripts can check a report)."""

from __future__ import annotations

from flask import jsonify, request

from ..api import openapi
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..extensions import db
from . import sampling, service


@bp.get("/sampling/plan")
@requires(Permission.VIEW_AUDITS)
def sampling_plan():
    """Attribute sample size for a risk, tolerable rate and expected rate."""
    args = request.args
    risk, tolerable, expected = args.get("risk", ""), args.get("tolerable", ""), \
        args.get("expected", "0")
    n, k = sampling.attribute_sample_size(risk, tolerable, expected)
    return jsonify({"risk": risk, "tolerable": tolerable, "expected": expected,
                    "sample_size": n, "tolerable_deviations": k,
                    "upper_deviation_limit": str(sampling.upper_deviation_limit(n, k, risk))})


def engagement_json(engagement, progress: dict | None = None) -> dict:
    """An engagement as JSON."""
    return {"id": engagement.id, "name": engagement.name, "kind": engagement.kind,
            "period_start": engagement.period_start.isoformat()
            if engagement.period_start else None,
            "period_end": engagement.period_end.isoformat(), "status": engagement.status,
            "issued_at": engagement.issued_at.isoformat() if engagement.issued_at else None,
            **({"tests": progress.get("tests", 0), "concluded": progress.get("concluded", 0)}
               if progress is not None else {})}


@bp.get("/engagements")
@requires(Permission.VIEW_AUDITS)
def list_engagements():
    """The engagements the token's user may see."""
    engagements = service.list_engagements(db.session, current_actor())
    progress = service.test_progress(db.session, [e.id for e in engagements])
    return jsonify([engagement_json(e, progress.get(e.id, {})) for e in engagements])


@bp.get("/engagements/<int:engagement_id>/tests")
@requires(Permission.VIEW_AUDITS)
def list_tests(engagement_id: int):
    """Every test of an engagement with its control key, sample and conclusion."""
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    tests = service.engagement_tests(db.session, engagement)
    result = []
    for test in tests:
        counts = service.result_counts(test)
        result.append({
            "id": test.id, "control": test.control.key, "methods": test.methods,
            "planned_size": test.planned_size, "sampled": counts.sampled,
            "deviations": counts.deviations, "conclusion": test.conclusion,
            "result": test.result_text_en, "result_da": test.result_text_da,
            "management_comment": test.management_comment_en,
            "management_comment_da": test.management_comment_da,
            "prepared_at": test.concluded_at.isoformat() if test.concluded_at else None,
            "reviewed_at": test.reviewed_at.isoformat() if test.reviewed_at else None,
            "sample": [{"seed": s.seed, "population_fingerprint": s.population_fingerprint,
                        "population_size": s.population_size, "size": s.size}
                       for s in test.samples]})
    return jsonify({"engagement": engagement_json(engagement), "tests": result})


def _query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": name != "expected",
            "schema": {"type": "string"}, "description": description}


openapi.document("/sampling/plan", "get", "Attribute sample size (AICPA Appendix A)",
                 tag="audits", parameters=[
                     _query("risk", "risk of overreliance: 0.05 or 0.10"),
                     _query("tolerable", "tolerable deviation rate, e.g. 0.05"),
                     _query("expected", "expected deviation rate, e.g. 0.01 (default 0)")],
                 responses={"200": {"description": "n and the deviations it tolerates"},
                            "422": {"description": "Invalid rates"}})
openapi.document("/engagements", "get", "Engagements visible to the token's user", tag="audits")
openapi.document("/engagements/{engagement_id}/tests", "get",
                 "Tests of an engagement with control keys and conclusions", tag="audits",
                 parameters=[{"name": "engagement_id", "in": "path", "required": True,
                              "schema": {"type": "integer"}}],
                 responses={"200": {"description": "The tests"},
                            "404": {"description": "No such engagement (or not yours)"}})
