"""Evidence in the JSON API: push a file with its metadata, list evidence, download a file.

Routes join the "api" blueprint (bearer tokens, no cookies, no CSRF); `register_blueprints`
imports this module before registering that blueprint.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from flask import jsonify, request, url_for
from pydantic import BeforeValidator, Field
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..api.spec import (
    ApiModel,
    Binary,
    IsoDate,
    OptionalIsoDate,
    Page,
    QueryModel,
    RequestBody,
    json_part,
    operation,
)
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission
from ..catalogue.models import Control
from ..errors import Invalid, NotFound
from ..extensions import db
from ..time import local_today
from . import queries, rules, service
from .models import EvidenceKind
from .views import file_response, settings

METADATA_HELP = ("Send a 'metadata' part holding a JSON object with title, controls (a list of "
                 "control keys), period_start, period_end and optionally valid_until, "
                 "description and tags.")
CONTROLS_HELP = "Give controls as a list of control keys, e.g. [\"iso27001-2022:A.5.15\"]."
TAGS_HELP = (f"Give tags as a list of at most {rules.MAX_TAGS} texts of at most "
             f"{rules.MAX_TAG_LENGTH} characters, or as one text separated by commas.")
MAX_KEY = 160  # Control.key
MAX_KEYS = 1000
MAX_KEY_TEXT = 16_000
MAX_TAG_TEXT = 1000  # the form's limit


def _control_keys(value):
    """Refuse anything but control keys in a list or one text, with one clear message."""
    if isinstance(value, str):
        if not 0 < len(value) <= MAX_KEY_TEXT:
            raise ValueError(CONTROLS_HELP)
    elif not isinstance(value, list) or not 0 < len(value) <= MAX_KEYS or not all(
            isinstance(k, str) and 0 < len(k) <= MAX_KEY for k in value):
        raise ValueError(CONTROLS_HELP)
    return value


def _tags(value):
    """Refuse anything but tags in a list or one text, with one clear message."""
    if isinstance(value, str):
        if len(value) > MAX_TAG_TEXT:
            raise ValueError(TAGS_HELP)
    elif not isinstance(value, list) or len(value) > rules.MAX_TAGS or not all(
            isinstance(t, str) and len(t) <= rules.MAX_TAG_LENGTH for t in value):
        raise ValueError(TAGS_HELP)
    return value


ControlKeys = Annotated[
    Annotated[list[Annotated[str, Field(min_length=1, max_length=MAX_KEY)]],
              Field(min_length=1, max_length=MAX_KEYS)]
    | Annotated[str, Field(min_length=1, max_length=MAX_KEY_TEXT)],
    BeforeValidator(_control_keys)]
Tags = Annotated[
    Annotated[list[Annotated[str, Field(max_length=rules.MAX_TAG_LENGTH)]],
              Field(max_length=rules.MAX_TAGS)]
    | Annotated[str, Field(max_length=MAX_TAG_TEXT)],
    BeforeValidator(_tags)]


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error):
    """A body over the size limit: a JSON problem that gives the limit."""
    detail = service.too_large(settings()).message
    return jsonify({"status": 413, "title": "Payload Too Large", "detail": detail,
                    "field": "file"}), 413


class EvidenceMetadata(ApiModel):
    """What is said about an uploaded file (the multipart part 'metadata', a JSON object)."""

    title: str = Field(min_length=1, max_length=service.MAX_TITLE,
                       examples=["Weekly access review export"])
    controls: ControlKeys = Field(
        description="Control keys (a list, or one text separated by commas or spaces)",
        examples=[["iso27001-2022:A.5.15", "isae3000-gdpr:B.1"]])
    period_start: IsoDate = Field(description="The date the evidence speaks for, or the first "
                                              "day of the period it covers (1990–2100)",
                                  examples=["2026-03-02"])
    period_end: OptionalIsoDate = Field(None, description="Empty: a single date",
                                        examples=["2026-03-08"])
    valid_until: OptionalIsoDate = Field(None, description="For evidence that expires")
    description: str | None = Field(None, max_length=service.MAX_TEXT)
    tags: Tags = Field([], description="A list, or one text separated by commas",
                       examples=[["ci", "weekly"]])

    def details(self) -> service.EvidenceDetails:
        """The details the service checks and stores."""
        return service.EvidenceDetails(
            title=self.title, controls=self.controls, period_start=self.period_start,
            period_end=self.period_end, valid_until=self.valid_until,
            description=self.description, tags=self.tags)


UPLOAD = RequestBody({"multipart/form-data": {
    "schema": {"type": "object", "required": ["file", "metadata"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "The file, with a filename"},
        "metadata": EvidenceMetadata}},
    "encoding": {"metadata": {"contentType": "application/json"}}}})


class EvidenceCreated(ApiModel):
    """The stored evidence item: its id, the file's SHA-256 and where to see it."""

    id: int
    sha256: str
    size: int
    filename: str
    controls: list[str]
    url: str = Field(description="The evidence page")


class VersionOut(ApiModel):
    """One stored version of an evidence file."""

    number: int
    sha256: str
    size: int
    filename: str
    content_type: str
    uploaded_at: datetime
    download: str


class EvidenceOut(ApiModel):
    """One evidence item as the API shows it."""

    id: int
    kind: EvidenceKind
    title: str
    description: str | None
    url: str | None
    controls: list[str]
    period_start: date
    period_end: date
    valid_until: date | None
    freshness: rules.Freshness
    tags: list[str]
    owner: str | None = Field(description="The owner's e-mail address")
    created_at: datetime
    sha256: str | None = Field(description="The current version's SHA-256 (files only)")
    versions: list[VersionOut]

    @classmethod
    def of(cls, evidence, today: date, warning_days: int) -> EvidenceOut:
        """`evidence` with its freshness on `today`."""
        current = evidence.current_version
        return cls(
            id=evidence.id, kind=evidence.kind, title=evidence.title,
            description=evidence.description, url=evidence.url,
            controls=[c.key for c in evidence.controls], period_start=evidence.period_start,
            period_end=evidence.period_end, valid_until=evidence.valid_until,
            freshness=rules.item_freshness(evidence.valid_until, today, warning_days),
            tags=list(evidence.tags or []),
            owner=evidence.owner.email if evidence.owner else None,
            created_at=evidence.created_at, sha256=current.sha256 if current else None,
            versions=[VersionOut(
                number=v.number, sha256=v.sha256, size=v.size, filename=v.filename,
                content_type=v.content_type, uploaded_at=v.uploaded_at,
                download=url_for("api.download_evidence", evidence_id=evidence.id,
                                 version=v.number)) for v in evidence.versions])


class EvidencePage(ApiModel):
    """One page of evidence, newest first."""

    items: list[EvidenceOut]
    total: int
    page: int
    per_page: int


class EvidenceQuery(QueryModel):
    """Which evidence to list."""

    control: str | None = Field(None, max_length=MAX_KEY,
                                description="Only evidence for this control key")
    page: Page = 1
    per_page: int = Field(50, ge=1, le=200)


class DownloadQuery(QueryModel):
    """Which version to download."""

    version: int | None = Field(None, ge=1, le=1_000_000,
                                description="A version number; the newest by default")


@operation(bp, "POST", "/evidence", Permission.ADD_EVIDENCE, tag="evidence",
           summary="Add a file as evidence for one or more controls", body=UPLOAD,
           responses={201: EvidenceCreated}, errors=(413,))
def add_evidence():
    """Store an uploaded file as evidence for the controls named in the metadata.

    403 when the token's user may not add evidence to one of the controls.
    """
    details = json_part("metadata", EvidenceMetadata, METADATA_HELP).details()
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        raise Invalid("file", "Send the file as a multipart part named 'file' with a filename.")
    evidence = service.add_file_evidence(
        db.session, current_actor(), settings(), details,
        service.Upload(storage.stream, storage.filename, storage.mimetype))
    current = evidence.current_version
    body = EvidenceCreated(
        id=evidence.id, sha256=current.sha256, size=current.size, filename=current.filename,
        controls=[c.key for c in evidence.controls],
        url=url_for("evidence.show_evidence", evidence_id=evidence.id, _external=True))
    return body, 201, {"Location": url_for("api.download_evidence", evidence_id=evidence.id)}


@operation(bp, "GET", "/evidence", Permission.VIEW_EVIDENCE, tag="evidence",
           summary="List evidence, newest first", query=EvidenceQuery,
           responses={200: EvidencePage}, errors=(404,))
def list_evidence(query: EvidenceQuery):
    """Evidence newest first, optionally for one control; paged. 404: no such control."""
    key = query.control or None
    if key and db.session.scalar(select(Control.id).where(Control.key == key)) is None:
        raise NotFound(f"No control with key '{key}'.")
    config, today = settings(), local_today()
    items, total = queries.list_evidence(
        db.session, current_actor(), queries.EvidenceFilter(control=key), today=today,
        warning_days=config.warning_days, page=query.page, per_page=query.per_page)
    return EvidencePage(items=[EvidenceOut.of(e, today, config.warning_days) for e in items],
                        total=total, page=query.page, per_page=query.per_page)


@operation(bp, "GET", "/evidence/<int:evidence_id>/download", Permission.VIEW_EVIDENCE,
           tag="evidence", summary="Download an evidence file (checked against its SHA-256 "
                                   "first)", query=DownloadQuery,
           responses={200: Binary("The file as stored, as an attachment", media_type="*/*"),
                      500: "Integrity error: the stored bytes no longer match; not served"},
           errors=(404,))
def download_evidence(evidence_id: int, query: DownloadQuery):
    """The file of an evidence item (newest version, or ?version=N), re-hashed before sending."""
    evidence = queries.get_evidence(db.session, current_actor(), evidence_id)
    version, handle = service.open_download(db.session, current_actor(), settings(), evidence,
                                            query.version)
    return file_response(version, handle)
