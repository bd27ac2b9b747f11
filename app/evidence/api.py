"""Evidence in the JSON API: push a file with its metadata, list evidence, download a file.

Routes join the "api" blueprint (bearer tokens, no cookies, no CSRF); `register_blueprints`
imports this module before registering that blueprint.
"""

from __future__ import annotations

import json
from datetime import date

from flask import jsonify, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..api import openapi
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..catalogue.models import Control
from ..errors import Invalid, NotFound
from ..extensions import db
from . import queries, rules, service
from .views import file_response, local_today, settings

MAX_METADATA_BYTES = 64 * 1024
METADATA_HELP = ("Send a 'metadata' part holding a JSON object with title, controls (a list of "
                 "control keys), period_start, period_end and optionally valid_until, "
                 "description and tags.")


def problem(error: Invalid):
    """A 422 JSON problem naming the member at fault."""
    body = {"status": 422, "title": "Invalid", "detail": error.message, "field": error.field}
    return jsonify(body), 422


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error):
    """A body over the size limit: a JSON problem that gives the limit."""
    detail = service.too_large(settings()).message
    return jsonify({"status": 413, "title": "Payload Too Large", "detail": detail,
                    "field": "file"}), 413


def _date(data: dict, name: str, required: bool = False) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise Invalid(name, f"Give {name} as a date such as 2026-03-31.")
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(name, f"'{value}' is not a date; use the form 2026-03-31.") from None


def _metadata() -> service.EvidenceDetails:
    raw = request.form.get("metadata")
    if raw is None and "metadata" in request.files:
        raw = request.files["metadata"].stream.read(MAX_METADATA_BYTES + 1)
        if len(raw) > MAX_METADATA_BYTES:
            raise Invalid("metadata", "The metadata part is larger than 64 kB.")
    if raw is None:
        raise Invalid("metadata", METADATA_HELP)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise Invalid("metadata", f"The metadata part is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise Invalid("metadata", METADATA_HELP)
    controls = data.get("controls")
    if not isinstance(controls, list | str) or not all(isinstance(k, str) for k in controls):
        raise Invalid("controls", "Give controls as a list of control keys, e.g. "
                                  "[\"iso27001-2022:A.5.15\"].")
    for name in ("title", "description"):
        if not isinstance(data.get(name) or "", str):
            raise Invalid(name, f"Give {name} as a string.")
    return service.EvidenceDetails(
        title=data.get("title") or "", controls=controls,
        period_start=_date(data, "period_start", required=True),
        period_end=_date(data, "period_end"), valid_until=_date(data, "valid_until"),
        description=data.get("description"), tags=data.get("tags") or ())


def evidence_json(evidence, today: date, warning_days: int) -> dict:
    """One evidence item as the API shows it."""
    current = evidence.current_version
    return {
        "id": evidence.id, "kind": evidence.kind, "title": evidence.title,
        "description": evidence.description, "url": evidence.url,
        "controls": [c.key for c in evidence.controls],
        "period_start": evidence.period_start.isoformat(),
        "period_end": evidence.period_end.isoformat(),
        "valid_until": evidence.valid_until.isoformat() if evidence.valid_until else None,
        "freshness": rules.item_freshness(evidence.valid_until, today, warning_days).value,
        "tags": list(evidence.tags or []),
        "owner": evidence.owner.email if evidence.owner else None,
        "created_at": evidence.created_at.isoformat(),
        "sha256": current.sha256 if current else None,
        "versions": [{
            "number": v.number, "sha256": v.sha256, "size": v.size, "filename": v.filename,
            "content_type": v.content_type, "uploaded_at": v.uploaded_at.isoformat(),
            "download": url_for("api.download_evidence", evidence_id=evidence.id,
                                version=v.number)} for v in evidence.versions],
    }


@bp.post("/evidence")
@requires(Permission.ADD_EVIDENCE)
def add_evidence():
    """Store an uploaded file as evidence for the controls named in the metadata."""
    try:
        details = _metadata()
        storage = request.files.get("file")
        if storage is None or not storage.filename:
            raise Invalid("file", "Send the file as a multipart part named 'file' with a "
                                  "filename.")
        evidence = service.add_file_evidence(
            db.session, current_actor(), settings(), details,
            service.Upload(storage.stream, storage.filename, storage.mimetype))
    except Invalid as error:
        db.session.rollback()
        return problem(error)
    body = {"id": evidence.id, "sha256": evidence.current_version.sha256,
            "size": evidence.current_version.size, "filename": evidence.current_version.filename,
            "controls": [c.key for c in evidence.controls],
            "url": url_for("evidence.show_evidence", evidence_id=evidence.id, _external=True)}
    return jsonify(body), 201, {"Location": url_for("api.download_evidence",
                                                    evidence_id=evidence.id)}


@bp.get("/evidence")
@requires(Permission.VIEW_EVIDENCE)
def list_evidence():
    """Evidence newest first, optionally for one control; paged."""
    key = request.args.get("control") or None
    if key and db.session.scalar(select(Control.id).where(Control.key == key)) is None:
        raise NotFound(f"No control with key '{key}'.")
    page = max(1, request.args.get("page", 1, type=int))
    per_page = min(200, max(1, request.args.get("per_page", 50, type=int)))
    config, today = settings(), local_today()
    items, total = queries.list_evidence(
        db.session, current_actor(), queries.EvidenceFilter(control=key), today=today,
        warning_days=config.warning_days, page=page, per_page=per_page)
    return jsonify({"items": [evidence_json(e, today, config.warning_days) for e in items],
                    "total": total, "page": page, "per_page": per_page})


@bp.get("/evidence/<int:evidence_id>/download")
@requires(Permission.VIEW_EVIDENCE)
def download_evidence(evidence_id: int):
    """The file of an evidence item (newest version, or ?version=N), re-hashed before sending."""
    evidence = queries.get_evidence(db.session, current_actor(), evidence_id)
    version, handle = service.open_download(db.session, current_actor(), settings(), evidence,
                                            request.args.get("version", type=int))
    return file_response(version, handle)


openapi.SCHEMAS["ValidationProblem"] = {
    "type": "object",
    "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                   "detail": {"type": "string"}, "field": {"type": ["string", "null"]}},
    "required": ["status", "title", "detail", "field"],
}
openapi.SCHEMAS["Evidence"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "kind": {"enum": ["file", "link", "note"]},
        "title": {"type": "string"}, "description": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]},
        "controls": {"type": "array", "items": {"type": "string"}},
        "period_start": {"type": "string", "format": "date"},
        "period_end": {"type": "string", "format": "date"},
        "valid_until": {"type": ["string", "null"], "format": "date"},
        "freshness": {"enum": ["current", "expiring", "expired"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "owner": {"type": ["string", "null"]}, "created_at": {"type": "string"},
        "sha256": {"type": ["string", "null"]},
        "versions": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "integer"}, "sha256": {"type": "string"},
            "size": {"type": "integer"}, "filename": {"type": "string"},
            "content_type": {"type": "string"}, "uploaded_at": {"type": "string"},
            "download": {"type": "string"}}}},
    },
}
_PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_INVALID = {"description": "Invalid input; `field` names the part or member at fault",
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ValidationProblem"}}}}

openapi.document(
    "/evidence", "post", "Add a file as evidence for one or more controls", tag="evidence",
    request_body={"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file", "metadata"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "metadata": {"type": "object", "required": ["title", "controls", "period_start"],
                         "properties": {
                             "title": {"type": "string"},
                             "controls": {"type": "array", "items": {"type": "string"}},
                             "period_start": {"type": "string", "format": "date"},
                             "period_end": {"type": "string", "format": "date"},
                             "valid_until": {"type": "string", "format": "date"},
                             "description": {"type": "string"},
                             "tags": {"type": "array", "items": {"type": "string"}}}}}},
        "encoding": {"metadata": {"contentType": "application/json"}}}}},
    responses={
        "201": {"description": "Stored", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "id": {"type": "integer"}, "sha256": {"type": "string"},
                "size": {"type": "integer"}, "filename": {"type": "string"},
                "controls": {"type": "array", "items": {"type": "string"}},
                "url": {"type": "string"}}}}}},
        "403": {"description": "The token's user may not add evidence to these controls",
                "content": _PROBLEM},
        "413": {"description": "The file is over the upload limit", "content": _PROBLEM},
        "422": _INVALID})
openapi.document(
    "/evidence", "get", "List evidence, newest first", tag="evidence",
    parameters=[
        {"name": "control", "in": "query", "schema": {"type": "string"},
         "description": "Only evidence for this control key"},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 200}}],
    responses={
        "200": {"description": "One page of evidence", "content": {"application/json": {
            "schema": {"type": "object", "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}},
                "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}}}}}},
        "404": {"description": "No control with that key", "content": _PROBLEM}})
openapi.document(
    "/evidence/{evidence_id}/download", "get",
    "Download an evidence file (checked against its SHA-256 first)", tag="evidence",
    parameters=[
        {"name": "evidence_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        {"name": "version", "in": "query", "schema": {"type": "integer"},
         "description": "A version number; the newest by default"}],
    responses={
        "200": {"description": "The file, as an attachment",
                "content": {"application/octet-stream": {"schema": {
                    "type": "string", "format": "binary"}}}},
        "404": {"description": "No such evidence, version or file", "content": _PROBLEM},
        "500": {"description": "Integrity error: the stored bytes no longer match; not served",
                "content": _PROBLEM}})
