"""Evidence pages: list, add, detail with versions, download, coverage and requests.

Also the evidence sections other pages show (the control page, the dashboard).
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from .. import params
from ..auth.current import current_actor
from ..auth.forms import EmptyForm
from ..auth.permissions import Permission, can, requires
from ..catalogue.service import find_controls
from ..errors import DomainError, IntegrityError, Invalid
from ..extensions import db
from ..forms import put_error
from ..saved_filters.service import saved_filters
from ..time import local_today
from . import evidence_requests, queries, rules, service
from .forms import FORMS, EvidenceEditForm, RequestForm, VersionForm
from .storage import EvidenceStore

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


# -- shared with the API, the CLI and the demo ----------------------------------------------

def settings(app=None) -> service.EvidenceSettings:
    """The evidence store and limits from the app's configuration."""
    config = (app or current_app).config
    return service.EvidenceSettings(
        store=EvidenceStore(config["KONTROL_EVIDENCE_DIR"]),
        max_bytes=int(config["KONTROL_MAX_UPLOAD_MB"]) << 20,
        warning_days=int(config.get("KONTROL_EXPIRY_WARNING_DAYS", 30)))



def localised(error: DomainError) -> str:
    """A service message in the interface language, when the service made it translatable."""
    template = getattr(error, "template", None)
    return _(template, **error.params) if template else error.message


def show_error(form, error: DomainError) -> None:
    """Put a service error on the field it names (translated), or flash it."""
    error.message = localised(error)
    put_error(form, error)


def file_response(version, handle):
    """Send a verified file: always an attachment, never sniffed, never rendered."""
    response = send_file(handle, mimetype=rules.served_content_type(version.content_type),
                         as_attachment=True, download_name=version.filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Evidence-SHA256"] = version.sha256
    return response


def _control_choices(controls) -> dict:
    lang = str(get_locale())
    grouped: dict = {}
    for control in controls:
        label = f"{control.code} — {control.text('title', lang)}"
        grouped.setdefault(control.catalogue.text("title", lang), []).append((control.key, label))
    return grouped


def _holder_choices(first_label: str) -> list:
    return [("", first_label)] + [(u.id, u.name) for u in queries.possible_holders(db.session)]


def _details(form) -> service.EvidenceDetails:
    return service.EvidenceDetails(
        title=form.title.data, controls=form.controls.data or [],
        period_start=form.period_start.data, period_end=form.period_end.data,
        valid_until=form.valid_until.data, description=form.description.data,
        tags=form.tags.data or "", owner_id=form.owner_id.data,
        request_id=params.optional_id(form.data, "request_id"))


def _upload(storage) -> service.Upload | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return service.Upload(storage.stream, storage.filename, storage.mimetype)


def _answering(read_form: bool = True):
    request_id = params.optional_id(request.args, "request") or (
        params.optional_id(request.form, "request_id") if read_form else None)
    if not request_id:
        return None
    return evidence_requests.get_request(db.session, current_actor(), request_id)


def _add_form(kind: str, formdata=True):
    answering = _answering(read_form=formdata)
    preset = [answering.control.key] if answering else request.args.getlist("control")
    options = {} if formdata else {"formdata": None}
    form = FORMS[kind](controls=preset, request_id=answering.id if answering else "", **options)
    form.controls.choices = _control_choices(queries.addable_controls(db.session, current_actor()))
    form.owner_id.choices = _holder_choices(_("Me"))
    return form, answering


# -- pages ----------------------------------------------------------------------------------

@bp.get("/")
@requires(Permission.VIEW_EVIDENCE)
def list_evidence():
    """All evidence the actor may read, filtered and paged."""
    args = request.args
    typed = (args.get("control") or "").strip()
    matches = find_controls(db.session, typed, args.get("catalogue") or None) if typed else []
    filters = queries.EvidenceFilter(
        control=matches[0].key if len(matches) == 1 else (typed or None),
        catalogue=args.get("catalogue") or None,
        kind=args.get("kind") if args.get("kind") in queries.kinds() else None,
        freshness=args.get("freshness") if args.get("freshness") in (
            "current", "expiring", "expired") else None, q=(args.get("q") or "").strip() or None)
    page, today, config = params.page_number(args), local_today(), settings()
    items, total = queries.list_evidence(db.session, current_actor(), filters, today=today,
                                         warning_days=config.warning_days, page=page)
    return render_template("evidence/list.html", items=items, total=total, page=page,
                           per_page=50, filters=filters, catalogues=queries.catalogues(db.session),
                           states=_states(items, today, config), typed_control=typed,
                           control_matches=matches,
                           saved=saved_filters(db.session, current_actor(), "evidence"))


def _states(items, today: date, config: service.EvidenceSettings) -> dict:
    return {e.id: rules.item_freshness(e.valid_until, today, config.warning_days) for e in items}


@bp.route("/new/<kind>", methods=["GET", "POST"])
@requires(Permission.ADD_EVIDENCE)
def add_evidence(kind: str):
    """Add a file, a link or a note as evidence for one or more controls."""
    if kind not in FORMS:
        abort(404)
    form, answering = _add_form(kind)
    if form.validate_on_submit():
        try:
            evidence = _create(kind, form)
        except DomainError as error:
            show_error(form, error)
        else:
            if answering is not None:
                flash(_("Evidence “%(title)s” added; request #%(id)s is answered.",
                        title=evidence.title, id=answering.id), "success")
            else:
                flash(_("Evidence “%(title)s” added.", title=evidence.title), "success")
            return redirect(url_for("evidence.show_evidence", evidence_id=evidence.id))
    return render_template("evidence/add.html", form=form, kind=kind, answering=answering,
                           limit=settings().max_mb), 422 if request.method == "POST" else 200


def _create(kind: str, form):
    actor, details = current_actor(), _details(form)
    if kind == "file":
        upload = _upload(form.file.data)
        if upload is None:
            raise service.invalid("file", service.N_("Choose a file to upload."))
        return service.add_file_evidence(db.session, actor, settings(), details, upload)
    if kind == "link":
        return service.add_link_evidence(db.session, actor, details, form.url.data)
    return service.add_note_evidence(db.session, actor, details)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """An upload over MAX_CONTENT_LENGTH: say so on the form instead of a bare 413."""
    message = localised(service.too_large(settings()))
    kind = (request.view_args or {}).get("kind")
    if request.endpoint == "evidence.add_evidence" and kind in FORMS:
        form, answering = _add_form(kind, formdata=False)
        form.file.errors = [message]
        return render_template("evidence/add.html", form=form, kind=kind, answering=answering,
                               limit=settings().max_mb), 413
    return render_template("errors/generic.html", status=413, title=_("File too large"),
                           message=message), 413


@bp.get("/<int:evidence_id>")
@requires(Permission.VIEW_EVIDENCE)
def show_evidence(evidence_id: int):
    """One piece of evidence: what it is for, its versions, and the requests it answered."""
    actor = current_actor()
    evidence = queries.get_evidence(db.session, actor, evidence_id)
    config, today = settings(), local_today()
    return render_template(
        "evidence/show.html", evidence=evidence,
        state=rules.item_freshness(evidence.valid_until, today, config.warning_days),
        can_edit=service.can_edit_evidence(actor, evidence),
        version_form=VersionForm(version=evidence.version), limit=config.max_mb,
        answered=queries.requests_answered_by(db.session, evidence.id))


@bp.route("/<int:evidence_id>/edit", methods=["GET", "POST"])
@requires(Permission.ADD_EVIDENCE)
def edit_evidence(evidence_id: int):
    """Change an item's title, controls, period, expiry, text, tags or owner."""
    evidence = queries.get_evidence(db.session, current_actor(), evidence_id)
    form = EvidenceEditForm(data={
        "title": evidence.title, "controls": [c.key for c in evidence.controls],
        "period_start": evidence.period_start, "period_end": evidence.period_end,
        "valid_until": evidence.valid_until, "tags": ", ".join(evidence.tags or []),
        "owner_id": evidence.owner_id, "description": evidence.description,
        "url": evidence.url, "version": evidence.version})
    form.controls.choices = _control_choices(
        queries.addable_controls(db.session, current_actor()) + list(evidence.controls))
    form.owner_id.choices = _holder_choices("—")
    if form.validate_on_submit():
        try:
            service.update_evidence(db.session, current_actor(), evidence, _details(form),
                                    int(form.version.data or 0), url=form.url.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Evidence saved."), "success")
            return redirect(url_for("evidence.show_evidence", evidence_id=evidence.id))
    return render_template("evidence/edit.html", form=form, evidence=evidence), (
        422 if request.method == "POST" else 200)


@bp.post("/<int:evidence_id>/versions")
@requires(Permission.ADD_EVIDENCE)
def upload_version(evidence_id: int):
    """Upload a new file version; the earlier ones stay."""
    evidence = queries.get_evidence(db.session, current_actor(), evidence_id)
    form = VersionForm()
    try:
        upload = _upload(form.file.data) if form.validate_on_submit() else None
        if upload is None:
            raise service.invalid("file", service.N_("Choose a file to upload."))
        row = service.add_version(db.session, current_actor(), settings(), evidence, upload,
                                  int(form.version.data) if form.version.data else None)
    except DomainError as error:
        flash(localised(error), "error")
    else:
        flash(_("Version %(number)d uploaded.", number=row.number), "success")
    return redirect(url_for("evidence.show_evidence", evidence_id=evidence_id))


@bp.get("/<int:evidence_id>/versions/<int:number>/download")
@requires(Permission.VIEW_EVIDENCE)
def download(evidence_id: int, number: int):
    """Send one file version as an attachment after re-hashing it; refuse a changed file."""
    evidence = queries.get_evidence(db.session, current_actor(), evidence_id)
    try:
        version, handle = service.open_download(db.session, current_actor(), settings(),
                                                evidence, number)
    except IntegrityError as error:
        return render_template("evidence/integrity_error.html", message=error.message,
                               evidence_id=evidence_id), 500
    return file_response(version, handle)


@bp.get("/coverage")
@requires(Permission.VIEW_EVIDENCE)
def coverage():
    """Controls × months for a period: where evidence exists (an SVG heat map)."""
    today = local_today()
    first = params.optional_month(request.args, "from") or date(today.year, 1, 1)
    last = params.optional_month(request.args, "to") or date(today.year, 12, 1)
    catalogue = request.args.get("catalogue") or None
    try:
        result = queries.coverage(db.session, current_actor(), first, last, catalogue)
    except Invalid as error:
        flash(localised(error), "error")
        first, last = date(today.year, 1, 1), date(today.year, 12, 1)
        result = queries.coverage(db.session, current_actor(), first, last, catalogue)
    return render_template("evidence/coverage.html", coverage=result, first=first, last=last,
                           catalogues=queries.catalogues(db.session), today=today)


@bp.get("/requests")
@requires(Permission.VIEW_EVIDENCE)
def list_requests():
    """Evidence requests: assigned to me, raised by me, or all (for those who ask)."""
    actor = current_actor()
    scope = request.args.get("scope", "assigned")
    if scope not in queries.REQUEST_SCOPES or (
            scope == "all" and not can(actor, Permission.REQUEST_EVIDENCE)):
        scope = "assigned"
    closed = request.args.get("closed") == "1"
    items = queries.list_requests(db.session, actor, scope, include_closed=closed)
    return render_template(
        "evidence/requests.html", items=items, scope=scope, closed=closed, today=local_today(),
        cancel_form=EmptyForm(),
        answerable={r.id for r in items if service.can_answer_request(actor, r)},
        cancellable={r.id for r in items
                     if r.is_open and evidence_requests.can_cancel_request(actor, r)})


@bp.route("/requests/new", methods=["GET", "POST"])
@requires(Permission.REQUEST_EVIDENCE)
def create_request():
    """Ask a control owner for evidence by a due date."""
    form = RequestForm(control=request.args.get("control"))
    form.control.choices = _control_choices(queries.active_controls(db.session))
    form.assignee_id.choices = [(u.id, u.name) for u in queries.possible_holders(db.session)
                                if can(u, Permission.ADD_EVIDENCE)]
    form.assignee_id.choices.insert(0, ("", _("The control's owner")))
    if form.validate_on_submit():
        try:
            evidence_requests.create_request(db.session, current_actor(), form.control.data,
                                   assignee_id=form.assignee_id.data, due_on=form.due_on.data,
                                   description=form.description.data, today=local_today())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Request sent."), "success")
            return redirect(url_for("evidence.list_requests", scope="raised"))
    return render_template("evidence/request_new.html", form=form), (
        422 if request.method == "POST" else 200)


@bp.post("/requests/<int:request_id>/cancel")
@requires(Permission.REQUEST_EVIDENCE)
def cancel_request(request_id: int):
    """Withdraw an open request."""
    if EmptyForm().validate_on_submit():
        try:
            evidence_requests.cancel_request(db.session, current_actor(), request_id)
        except DomainError as error:
            flash(localised(error), "error")
        else:
            flash(_("Request cancelled."), "success")
    return redirect(request.referrer or url_for("evidence.list_requests"))


# -- sections other pages show --------------------------------------------------------------

def control_section(session, actor, control) -> dict | None:
    """The control page's evidence section: items newest first, freshness, open requests."""
    if not can(actor, Permission.VIEW_EVIDENCE):
        return None
    config, today = settings(), local_today()
    items = queries.evidence_for_control(session, actor, control.id)
    freshness = queries.control_freshness(session, actor, [control.id], on=today,
                                          warning_days=config.warning_days)[control.id]
    return {"template": "evidence/_control_section.html", "control": control, "evidence": items,
            "states": _states(items, today, config), "freshness": freshness, "today": today,
            "requests": queries.open_requests_for_control(session, actor, control.id),
            "can_add": service.can_add_evidence_to(actor, control),
            "can_request": can(actor, Permission.REQUEST_EVIDENCE)
            and control.retired_at is None}


def dashboard_section(session, actor, overview) -> None:
    """The dashboard's evidence card: expiring and expired controls, my open requests."""
    if not can(actor, Permission.VIEW_EVIDENCE):
        return
    config = settings()
    overview.sections["evidence"] = {
        "template": "evidence/_dashboard.html", "warning_days": config.warning_days,
        "summary": queries.summary(session, actor, today=local_today(),
                                   warning_days=config.warning_days)}
