"""Evidence: the only code that writes evidence items, file versions and evidence requests.

Files are stored (temp file, fsync, rename) before the row commits; a failure after that leaves
at most an orphaned blob, which `flask evidence verify` reports. Validation happens before a
single byte is stored, so a refused upload stores nothing.

Messages meant for people are built with `invalid(field, N_("… %(x)s"), x=…)`: the English text
is the message (the API and CLI show it); views translate the template with its parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from .. import params
from ..auth.models import User
from ..auth.permissions import Permission, Role, can, require
from ..catalogue.models import Control
from ..db import committed, utcnow, writing
from ..errors import Conflict, Forbidden, IntegrityError, Invalid, NotFound
from ..ledger.service import append
from . import rules
from .models import (
    Evidence,
    EvidenceKind,
    EvidenceRequest,
    EvidenceVersion,
    RequestStatus,
    evidence_control,
)
from .storage import EvidenceStore, StoredBlob, VerifyReport, sanitise_filename

MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_URL = 2000
# Who may hold evidence or be asked for it (the catalogue's owner roles, auditors excluded).
EVIDENCE_OWNER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER, Role.INTERNAL_AUDITOR)
_KEY_SPLIT = re.compile(r"[\s,;]+")


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it (views translate it on display)."""
    return message


def invalid(field_name: str | None, template: str, **params) -> Invalid:
    """An `Invalid` whose English message is `template % params`, kept translatable."""
    error = Invalid(field_name, template % params if params else template)
    error.template, error.params = template, params
    return error


@dataclass(frozen=True)
class EvidenceSettings:
    """Where files go and the limits that apply: built from the app config by the caller."""

    store: EvidenceStore
    max_bytes: int = 50 << 20
    warning_days: int = 30

    @property
    def max_mb(self) -> str:
        """The upload limit in MB, for messages."""
        return f"{self.max_bytes / (1 << 20):g}"


@dataclass(frozen=True)
class Upload:
    """A file to store: a readable binary stream with the name and type the client gave."""

    stream: BinaryIO
    filename: str
    content_type: str | None = None


@dataclass(frozen=True)
class EvidenceDetails:
    """What is said about a piece of evidence, by a form or an API client."""

    title: str
    controls: Sequence[str] | str = ()  # control keys
    period_start: date | None = None
    period_end: date | None = None  # empty: the same as period_start (a single date)
    valid_until: date | None = None
    description: str | None = None
    tags: Sequence[str] | str = ()
    owner_id: int | None = None  # empty: the actor
    request_id: int | None = None  # an open evidence request this answers


@dataclass
class _Checked:
    title: str
    controls: list[Control]
    period_start: date
    period_end: date
    valid_until: date | None
    description: str | None
    tags: list[str]
    owner_id: int | None
    request: EvidenceRequest | None = None
    changes: dict = field(default_factory=dict)


# -- object-level permissions ---------------------------------------------------------------

def role_of(actor) -> Role | None:
    """The actor's role, or None for something without one."""
    return Role(actor.role) if getattr(actor, "role", None) in Role._value2member_map_ else None


def _role(actor) -> Role | None:
    role = getattr(actor, "role", None)
    return Role(role) if role in Role._value2member_map_ else None


def can_read_evidence(actor, evidence: Evidence) -> bool:
    """Whether `actor` may see `evidence` and download its files.

    The one object-level read rule: external auditors read only evidence for a control tested
    in an engagement they are assigned to, speaking for that engagement's period (type 1: its
    date). `readable_evidence` is its SQL twin for lists and must change with it.
    """
    if not can(actor, Permission.VIEW_EVIDENCE):
        return False
    if _role(actor) != Role.EXTERNAL_AUDITOR:
        return True
    session = object_session(evidence)
    return session is not None and session.scalar(
        select(Evidence.id).where(Evidence.id == evidence.id, _external_scope(actor))) is not None


def _external_scope(actor):
    """SQL condition: the evidence lies in the scope of one of the actor's engagements.

    That is evidence for a control tested in the engagement speaking for its period, and
    whatever the engagement's work rests on whatever its dates: evidence delivered for its PBC
    list, attached to one of its sampled items, or closing one of its findings.
    """
    from ..audits.access import visible_engagement_ids, visible_engagements_clause
    from ..audits.models import ControlTest, Deviation, Engagement, Sample, SampleItem

    theirs = visible_engagement_ids(actor)
    in_period = exists().where(
        visible_engagements_clause(actor),
        ControlTest.engagement_id == Engagement.id,
        ControlTest.control_id == evidence_control.c.control_id,
        evidence_control.c.evidence_id == Evidence.id,
        Evidence.period_start <= Engagement.period_end,
        Evidence.period_end >= case(
            (Engagement.kind == "isae3000_type1", Engagement.period_end),
            else_=func.coalesce(Engagement.period_start, Engagement.period_end)))
    delivered = exists().where(EvidenceRequest.answered_by_evidence_id == Evidence.id,
                               EvidenceRequest.engagement_id.in_(theirs))
    attached = exists().where(SampleItem.evidence_id == Evidence.id,
                              Sample.id == SampleItem.sample_id,
                              ControlTest.id == Sample.test_id,
                              ControlTest.engagement_id.in_(theirs))
    closing = exists().where(Deviation.closing_evidence_id == Evidence.id,
                             Deviation.engagement_id.in_(theirs))
    return or_(in_period, delivered, attached, closing)


def readable_evidence(query, actor):
    """Narrow a `select(Evidence…)` to what `can_read_evidence` allows."""
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        return query.where(_external_scope(actor))
    return query


def can_add_evidence_to(actor, control: Control) -> bool:
    """Coordinators and admins add evidence to any control; control owners to their own."""
    if not can(actor, Permission.ADD_EVIDENCE) or control.retired_at is not None:
        return False
    if role_of(actor) == Role.CONTROL_OWNER:
        return control.owner_id is not None and control.owner_id == actor.id
    return True


def can_edit_evidence(actor, evidence: Evidence) -> bool:
    """Whether `actor` may edit `evidence` or add versions to it.

    Coordinators and admins: any evidence; control owners: evidence they own or that belongs to
    a control they own.
    """
    if not can(actor, Permission.ADD_EVIDENCE):
        return False
    if role_of(actor) == Role.CONTROL_OWNER:
        return evidence.owner_id == actor.id or any(
            c.owner_id == actor.id for c in evidence.controls)
    return True


def can_answer_request(actor, request: EvidenceRequest) -> bool:
    """The person asked, or a coordinator or admin, while the request is open."""
    if not can(actor, Permission.ADD_EVIDENCE) or request.status != RequestStatus.OPEN:
        return False
    return role_of(actor) in (Role.ADMIN, Role.COORDINATOR) or (
        getattr(actor, "id", None) == request.assignee_id)


# -- validation -----------------------------------------------------------------------------

def split_keys(value: Sequence[str] | str) -> list[str]:
    """Control keys from a list or from text separated by commas, semicolons or spaces."""
    items = _KEY_SPLIT.split(value) if isinstance(value, str) else list(value or ())
    keys: list[str] = []
    for item in items:
        key = str(item).strip()
        if key and key not in keys:
            keys.append(key)
    return keys


def _controls(session: Session, keys: Sequence[str] | str) -> list[Control]:
    wanted = split_keys(keys)
    if not wanted:
        raise invalid("controls", N_("Choose at least one control."))
    found = {c.key: c for c in session.scalars(select(Control).where(Control.key.in_(wanted)))}
    unknown = [key for key in wanted if key not in found]
    if unknown:
        raise invalid("controls", N_("No control with key %(keys)s."), keys=", ".join(unknown))
    retired = [key for key in wanted if found[key].retired_at is not None]
    if retired:
        raise invalid("controls", N_("Control %(keys)s is retired; evidence cannot be added to "
                                     "it."), keys=", ".join(retired))
    return [found[key] for key in wanted]


def _owner(session: Session, actor, owner_id: int | None) -> int | None:
    if not owner_id:
        return actor.id if isinstance(actor, User) else None
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or role_of(owner) not in EVIDENCE_OWNER_ROLES:
        raise invalid("owner_id", N_("Choose an active user who may hold evidence."))
    return owner.id


def _request_answered(session: Session, actor, request_id: int | None,
                      controls: list[Control]) -> EvidenceRequest | None:
    if not request_id:
        return None
    request = session.get(EvidenceRequest, request_id)
    if request is None:
        raise NotFound("No such evidence request.")
    if request.status != RequestStatus.OPEN:
        raise Conflict(f"Evidence request #{request.id} is already {request.status}.")
    if not can_answer_request(actor, request):
        raise Forbidden("Only the person asked, a coordinator or an administrator may answer "
                        "this request.")
    if request.control_id not in {c.id for c in controls}:
        raise invalid("controls", N_("The evidence must include control %(key)s, which the "
                                     "request is about."), key=request.control.key)
    return request


def _check(session: Session, actor, details: EvidenceDetails,
           existing: Evidence | None = None) -> _Checked:
    title = " ".join((details.title or "").split())
    if not title:
        raise invalid("title", N_("Give the evidence a title."))
    if len(title) > MAX_TITLE:
        raise invalid("title", N_("Keep the title under %(max)d characters."), max=MAX_TITLE)
    controls = _controls(session, details.controls)
    already = {c.id for c in existing.controls} if existing is not None else set()
    refused = [c.key for c in controls if c.id not in already and not can_add_evidence_to(
        actor, c)]
    if refused:
        raise Forbidden("You may add evidence only to controls you own; not to "
                        + ", ".join(refused) + ".")
    if details.period_start is None:
        raise invalid("period_start", N_("Give the date the evidence speaks for, or the start "
                                         "of its period."))
    for name in ("period_start", "period_end", "valid_until"):
        value = getattr(details, name)
        if value is not None and not params.EARLIEST <= value <= params.LATEST:
            raise invalid(name, N_("Use a date between %(first)s and %(last)s."),
                          first=params.EARLIEST.isoformat(), last=params.LATEST.isoformat())
    period_end = details.period_end or details.period_start
    if period_end < details.period_start:
        raise invalid("period_end", N_("The period ends before it starts."))
    if details.valid_until is not None and details.valid_until < details.period_start:
        raise invalid("valid_until", N_("The evidence cannot expire before its period starts."))
    description = (details.description or "").strip() or None
    if description and len(description) > MAX_TEXT:
        raise invalid("description", N_("Keep the text under %(max)d characters."),
                      max=MAX_TEXT)
    tags = rules.parse_tags(details.tags)
    if len(tags) > rules.MAX_TAGS or any(len(t) > rules.MAX_TAG_LENGTH for t in tags):
        raise invalid("tags", N_("Use at most %(count)d tags of at most %(length)d characters "
                                 "each."), count=rules.MAX_TAGS, length=rules.MAX_TAG_LENGTH)
    owner_id = _owner(session, actor, details.owner_id) if (
        existing is None or details.owner_id) else existing.owner_id
    return _Checked(title, controls, details.period_start, period_end, details.valid_until,
                    description, tags, owner_id,
                    _request_answered(session, actor, details.request_id, controls))


MAX_ID = 2**31 - 1  # ids are 32-bit integers on every database we run on


def evidence_for_control(session: Session, evidence_id, control: Control,
                         field_name: str = "evidence_id") -> Evidence:
    """The evidence `evidence_id` if it exists and is linked to `control`.

    A finding is closed, and a sampled item supported, only with evidence about its own control
    (evidence uploaded for a finding is linked to the finding's control); an unknown id or
    evidence about another control is `Invalid` at `field_name`.
    """
    if type(evidence_id) is not int or not 0 < evidence_id <= MAX_ID:
        raise invalid(field_name, N_("There is no evidence #%(id)s."), id=evidence_id)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise invalid(field_name, N_("There is no evidence #%(id)s."), id=evidence_id)
    if control.id not in {linked.id for linked in evidence.controls}:
        raise invalid(field_name, N_("Evidence #%(id)s is not about control %(control)s. Choose "
                                     "evidence linked to this control, or add it there first."),
                      id=evidence_id, control=control.code)
    return evidence


def check_url(url: str | None) -> str:
    """An absolute http(s) address, or Invalid."""
    url = (url or "").strip()
    if not url:
        raise invalid("url", N_("Give the address the link points to."))
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise invalid("url", N_("Use an address starting with http:// or https://."))
    if len(url) > MAX_URL or any(ch.isspace() for ch in url):
        raise invalid("url", N_("That address is too long or contains spaces."))
    return url


def _store(settings: EvidenceSettings, upload: Upload) -> StoredBlob:
    try:
        return settings.store.store(upload.stream, settings.max_bytes)
    except Invalid as error:
        if error.message == "The file is empty.":
            raise invalid("file", N_("The file is empty.")) from None
        if "larger than the limit" in error.message:
            raise too_large(settings) from None
        raise


def too_large(settings: EvidenceSettings) -> Invalid:
    """The message for a file over the upload limit."""
    return invalid("file", N_("The file is larger than the limit of %(limit)s MB."),
                   limit=settings.max_mb)


# -- writing --------------------------------------------------------------------------------

def _mark_answered(session: Session, actor, request: EvidenceRequest, evidence: Evidence) -> None:
    request.status = RequestStatus.ANSWERED.value
    request.answered_by_evidence = evidence
    request.answered_at = utcnow()
    append(session, actor, "evidence_request.answered", request, {"evidence": evidence.id})


def _commit_new(session: Session, actor, evidence: Evidence, checked: _Checked, action: str,
                changes: dict) -> Evidence:
    try:
        session.add(evidence)
        session.flush()
        if checked.request is not None:
            _mark_answered(session, actor, checked.request, evidence)
        append(session, actor, action, evidence, {
            "kind": evidence.kind, "title": evidence.title,
            "controls": [c.key for c in checked.controls],
            "period": [evidence.period_start, evidence.period_end],
            "valid_until": evidence.valid_until, **changes})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return evidence


def _new_evidence(actor, kind: EvidenceKind, checked: _Checked, **extra) -> Evidence:
    return Evidence(kind=kind.value, title=checked.title, description=checked.description,
                    period_start=checked.period_start, period_end=checked.period_end,
                    valid_until=checked.valid_until, tags=checked.tags,
                    owner_id=checked.owner_id, created_by_id=getattr(actor, "id", None),
                    controls=checked.controls, **extra)


def _version(actor, blob: StoredBlob, upload: Upload, number: int) -> EvidenceVersion:
    filename = sanitise_filename(upload.filename)
    return EvidenceVersion(number=number, sha256=blob.sha256, size=blob.size, filename=filename,
                           content_type=rules.stored_content_type(upload.content_type, filename),
                           uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow())


def add_file_evidence(session: Session, actor, settings: EvidenceSettings,
                      details: EvidenceDetails, upload: Upload) -> Evidence:
    """Store an uploaded file as evidence for one or more controls; returns the new item.

    Everything is checked before the first byte is read; the file is then streamed into the
    content-addressed store (size limit enforced while streaming) before the row commits.
    """
    require(actor, Permission.ADD_EVIDENCE)
    checked = _check(session, actor, details)
    blob = _store(settings, upload)
    evidence = _new_evidence(actor, EvidenceKind.FILE, checked)
    version = _version(actor, blob, upload, 1)
    evidence.versions.append(version)
    return _commit_new(session, actor, evidence, checked, "evidence.uploaded", {
        "sha256": blob.sha256, "size": blob.size, "filename": version.filename})


def add_link_evidence(session: Session, actor, details: EvidenceDetails, url: str) -> Evidence:
    """Record a link (a ticket, a wiki page) as evidence for one or more controls."""
    require(actor, Permission.ADD_EVIDENCE)
    checked = _check(session, actor, details)
    url = check_url(url)
    evidence = _new_evidence(actor, EvidenceKind.LINK, checked, url=url)
    return _commit_new(session, actor, evidence, checked, "evidence.added", {"url": url})


def add_note_evidence(session: Session, actor, details: EvidenceDetails) -> Evidence:
    """Record a written note (its text is `details.description`) as evidence."""
    require(actor, Permission.ADD_EVIDENCE)
    if not (details.description or "").strip():
        raise invalid("description", N_("Write the note."))
    checked = _check(session, actor, details)
    evidence = _new_evidence(actor, EvidenceKind.NOTE, checked)
    return _commit_new(session, actor, evidence, checked, "evidence.added", {
        "note": checked.description})


def add_version(session: Session, actor, settings: EvidenceSettings, evidence: Evidence,
                upload: Upload, version: int | None = None) -> EvidenceVersion:
    """Upload a new file version; earlier versions stay stored and downloadable."""
    require(actor, Permission.ADD_EVIDENCE)
    if evidence.kind != EvidenceKind.FILE:
        raise Invalid("file", "Only file evidence has versions.")
    if not can_edit_evidence(actor, evidence):
        raise Forbidden("You may add versions only to evidence for controls you own.")
    if version is not None and version != evidence.version:
        raise Conflict("Someone else changed this evidence since you opened it. Reload the "
                       "page and upload again.")
    blob = _store(settings, upload)
    number = max((v.number for v in evidence.versions), default=0) + 1
    row = _version(actor, blob, upload, number)
    with committed(session, lambda: Conflict("Someone else changed this evidence at the same "
                                             "time. Reload the page and upload again.")):
        evidence.versions.insert(0, row)
        evidence.updated_at = utcnow()  # bumps the optimistic-lock version
        session.flush()
        append(session, actor, "evidence.version_uploaded", evidence, {
            "version": number, "sha256": blob.sha256, "size": blob.size,
            "filename": row.filename})
    return row


def update_evidence(session: Session, actor, evidence: Evidence, details: EvidenceDetails,
                    version: int, url: str | None = None) -> Evidence:
    """Change what is said about evidence (title, controls, period, expiry, text, tags, owner)."""
    require(actor, Permission.ADD_EVIDENCE)
    if not can_edit_evidence(actor, evidence):
        raise Forbidden("You may edit only evidence for controls you own.")
    if version != evidence.version:
        raise Conflict("Someone else changed this evidence since you opened it. Reload the "
                       "page to see their change, then edit again.")
    if evidence.kind == EvidenceKind.NOTE and not (details.description or "").strip():
        raise invalid("description", N_("Write the note."))
    checked = _check(session, actor, details, existing=evidence)
    values = {"title": checked.title, "description": checked.description,
              "period_start": checked.period_start, "period_end": checked.period_end,
              "valid_until": checked.valid_until, "tags": checked.tags,
              "owner_id": checked.owner_id}
    if evidence.kind == EvidenceKind.LINK:
        values["url"] = check_url(url)
    changes = {name: [getattr(evidence, name), value] for name, value in values.items()
               if getattr(evidence, name) != value}
    before, after = [c.key for c in evidence.controls], [c.key for c in checked.controls]
    if sorted(before) != sorted(after):
        changes["controls"] = [before, after]
    if not changes:
        return evidence
    try:
        for name, value in values.items():
            setattr(evidence, name, value)
        evidence.controls = checked.controls
        evidence.updated_at = utcnow()  # a change of controls alone must bump the version too
        append(session, actor, "evidence.updated", evidence, changes)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict("Someone else changed this evidence at the same time. Reload and "
                       "retry.") from None
    except BaseException:
        session.rollback()
        raise
    return evidence


def open_download(session: Session, actor, settings: EvidenceSettings, evidence: Evidence,
                  number: int | None = None) -> tuple[EvidenceVersion, BinaryIO]:
    """A file version (the newest by default) and an open handle on its re-hashed bytes.

    When the stored bytes are missing or no longer match the recorded SHA-256, an
    "evidence.integrity_failed" entry is committed to the ledger in its own transaction and
    IntegrityError is raised: the file is never served.
    """
    require(actor, Permission.VIEW_EVIDENCE)
    if not can_read_evidence(actor, evidence):
        raise NotFound("No such evidence.")
    if evidence.kind != EvidenceKind.FILE:
        raise NotFound("This evidence is a link or a note; it has no file.")
    version = next((v for v in evidence.versions if number is None or v.number == number), None)
    if version is None:
        raise NotFound(f"Evidence #{evidence.id} has no version {number}.")
    try:
        return version, settings.store.open_verified(version.sha256, version.size)
    except (IntegrityError, NotFound) as error:
        problem = "missing" if isinstance(error, NotFound) else "changed"
        facts = {"version": version.number, "sha256": version.sha256, "size": version.size,
                 "filename": version.filename, "problem": problem}
        evidence_id, label = evidence.id, f"{version.filename} (version {version.number})"
    session.rollback()
    with writing():
        append(session, actor, "evidence.integrity_failed", None, facts,
               entity_type="evidence", entity_id=str(evidence_id))
        session.commit()
    what = ("is missing from the evidence store" if problem == "missing"
            else "no longer matches the SHA-256 recorded when it was uploaded")
    raise IntegrityError(f"Integrity error: the stored file of evidence #{evidence_id}, {label}, "
                         f"{what}. It will not be served. The event has been recorded in the "
                         "ledger; an administrator can run 'flask evidence verify'.")


def evidence_files(session: Session) -> Iterable[tuple[str, int]]:
    """(sha256, size) of every evidence file version."""
    return session.execute(select(EvidenceVersion.sha256, EvidenceVersion.size).distinct())


# Every domain that keeps files in the evidence store registers a function (session) ->
# iterable of (sha256, size) here, so `verify_store` checks its files and does not take them
# for orphans (audit populations, for one, are stored there too).
STORED_FILE_SOURCES: list[Callable[[Session], Iterable[tuple[str, int]]]] = [evidence_files]


def verify_store(session: Session, store: EvidenceStore) -> VerifyReport:
    """Compare the store with every recorded file: missing, changed and orphaned files."""
    known: dict[str, int] = {}
    for source in STORED_FILE_SOURCES:
        known.update((sha256, size) for sha256, size in source(session))
    return store.verify(known)
