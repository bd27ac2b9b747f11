"""Catalogue API: /api/v1/catalogues, /api/v1/controls, /api/v1/controls/{key}."""

from __future__ import annotations

from flask import jsonify, request

from ..api import openapi
from ..api.views import bp
from ..auth.permissions import Permission, requires
from ..extensions import db
from . import service


def control_summary(control) -> dict:
    """The fields every control listing carries."""
    return {"key": control.key, "id": control.code, "catalogue": control.catalogue.slug,
            "group": control.group.code, "title": control.title_en,
            "title_da": control.title_da, "frequency": control.frequency,
            "retired": control.is_retired}


def soa_json(entry) -> dict | None:
    """An SoA entry as JSON (None for assurance activities, which have none)."""
    if entry is None:
        return None
    return {"applicable": entry.applicable, "justification": entry.justification,
            "status": entry.status, "last_reviewed_on":
                entry.last_reviewed_on.isoformat() if entry.last_reviewed_on else None,
            "version": entry.version}


@bp.get("/catalogues")
@requires(Permission.VIEW_CATALOGUE)
def list_catalogues():
    """Every loaded catalogue with its groups and number of controls."""
    counts = service.control_counts(db.session)
    return jsonify([{
        "id": c.slug, "kind": c.kind, "version": c.version, "title": c.title_en,
        "title_da": c.title_da, "controls": counts.get(c.id, 0),
        "groups": [{"id": g.code, "title": g.title_en, "title_da": g.title_da}
                   for g in c.groups],
    } for c in service.list_catalogues(db.session)])


@bp.get("/controls")
@requires(Permission.VIEW_CATALOGUE)
def list_controls():
    """Controls, optionally of one catalogue and group, or matching a search."""
    filters = service.ControlFilter(
        catalogue=request.args.get("catalogue") or None, group=request.args.get("group") or None,
        q=request.args.get("q") or None, include_retired=request.args.get("retired") == "1")
    controls, _total = service.list_controls(db.session, filters, per_page=None)
    return jsonify([control_summary(c) for c in controls])


@bp.get("/controls/<key>")
@requires(Permission.VIEW_CATALOGUE)
def show_control(key: str):
    """One control with its texts, mappings (both directions), owner and SoA entry."""
    control = service.get_control(db.session, key)
    return jsonify({
        **control_summary(control),
        "description": control.description_en, "description_da": control.description_da,
        "test_procedure": control.test_procedure_en,
        "test_procedure_da": control.test_procedure_da,
        "typical_evidence": control.typical_evidence,
        "mappings": [c.key for c in service.mapped_controls(control)],
        "owner": control.owner.email if control.owner else None,
        "soa": soa_json(control.soa_entry),
    })


_CONTROL = {"type": "object", "properties": {
    "key": {"type": "string", "examples": ["iso27001-2022:A.5.1"]}, "id": {"type": "string"},
    "catalogue": {"type": "string"}, "group": {"type": "string"}, "title": {"type": "string"},
    "title_da": {"type": ["string", "null"]}, "frequency": {"type": ["string", "null"]},
    "retired": {"type": "boolean"}}}
openapi.SCHEMAS["ControlSummary"] = _CONTROL
openapi.document("/catalogues", "get", "Loaded catalogues with groups and control counts",
                 tag="catalogue")
openapi.document(
    "/controls", "get", "Controls (filter by catalogue, group, search)", tag="catalogue",
    parameters=[{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                 "description": text} for name, text in (
        ("catalogue", "catalogue id, e.g. isae3000-gdpr"), ("group", "group id, e.g. B"),
        ("q", "search in ids, titles and descriptions"), ("retired", "1 to include retired"))],
    responses={"200": {"description": "Controls", "content": {"application/json": {
        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ControlSummary"}}}}}})
openapi.document(
    "/controls/{key}", "get", "One control with mappings and SoA entry", tag="catalogue",
    parameters=[{"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "stable key <catalogue>:<control id>"}],
    responses={"200": {"description": "The control"},
               "404": {"description": "No such control"}})
