"""Pages of the document register: list, due list, detail, register, edit, versions, reviews."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..errors import DomainError
from ..extensions import db
from . import documents as service
from . import reviews
from .forms import (
    BODY_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    REVIEW_KIND_LABELS,
    DocumentForm,
    EmptyForm,
    NewDocumentForm,
    ReviewForm,
    VersionForm,
)
from .models.documents import DocumentStatus
from .views import (
    bp,
    control_choices,
    failed,
    form_version,
    local_today,
    localised,
    owner_choices,
    page_args,
    settings,
    text_arg,
    upload,
)

LABELS = {"kinds": KIND_LABELS, "bodies": BODY_LABELS, "outcomes": OUTCOME_LABELS,
          "review_kinds": REVIEW_KIND_LABELS}


def _status(form) -> int:
    return 422 if request.method == "POST" else 200


def _details(form, approved_on=None) -> service.DocumentDetails:
    return service.DocumentDetails(
        title=form.title.data, kind=form.kind.data, owner_id=form.owner_id.data,
        approving_body=form.approving_body.data,
        review_interval_months=form.review_interval_months.data,
        controls=form.controls.data or [], description=form.description.data,
        in_handbook=form.in_handbook.data, approved_on=approved_on)


@bp.get("/documents")
@requires(Permission.VIEW_GOVERNANCE)
def list_documents():
    """Governing documents, filtered, sorted and paged."""
    filters = service.DocumentFilter(
        kind=text_arg("kind", KIND_LABELS), body=text_arg("body", BODY_LABELS),
        status=text_arg("status", DocumentStatus), due=text_arg("due", ("overdue", "due_soon")),
        control=text_arg("control"), q=text_arg("q"))
    page = page_args(service.SORTS)
    items, total = service.list_documents(db.session, current_actor(), filters, page,
                                          today=local_today(),
                                          warning_days=settings().warning_days)
    return render_template("governance/documents.html", items=items, total=total, page=page,
                           filters=filters, today=local_today(),
                           warning_days=settings().warning_days, **LABELS)


@bp.get("/documents/due")
@requires(Permission.VIEW_GOVERNANCE)
def due_documents():
    """Reviews and security-level decisions overdue or due soon."""
    config = settings()
    items = service.due_items(db.session, current_actor(), today=local_today(),
                              warning_days=config.warning_days)
    return render_template("governance/due.html", items=items, today=local_today(),
                           warning_days=config.warning_days, **LABELS)


@bp.route("/documents/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def create_document():
    """Register a document with its version in force."""
    form = NewDocumentForm()
    form.owner_id.choices = owner_choices()
    form.controls.choices = control_choices()
    if form.validate_on_submit():
        try:
            document = service.create_document(
                db.session, current_actor(), settings(),
                _details(form, form.approved_on.data), today=local_today(),
                upload=upload(form.file.data), label=form.label.data)
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Document “%(title)s” registered.", title=document.title), "success")
            return redirect(url_for("governance.show_document", document_id=document.id))
    return render_template("governance/document_form.html", form=form, document=None), (
        _status(form))


@bp.get("/documents/<int:document_id>")
@requires(Permission.VIEW_GOVERNANCE)
def show_document(document_id: int):
    """One document: facts, versions (evidence), reviews and approvals."""
    actor = current_actor()
    document = service.get_document(db.session, actor, document_id)
    return render_template(
        "governance/document.html", document=document, today=local_today(),
        reviews=reviews.visible_reviews(db.session, actor, document),
        can_review=reviews.can_review(actor, document), button=EmptyForm(
            version=document.version), warning_days=settings().warning_days, **LABELS)


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def edit_document(document_id: int):
    """Change a document's title, kind, owner, approver, interval or controls."""
    document = service.get_document(db.session, current_actor(), document_id)
    form = DocumentForm(data={
        "title": document.title, "kind": document.kind, "owner_id": document.owner_id,
        "approving_body": document.approving_body,
        "review_interval_months": document.review_interval_months,
        "controls": [c.key for c in document.controls], "in_handbook": document.in_handbook,
        "description": document.description, "version": document.version})
    form.owner_id.choices = owner_choices()
    form.controls.choices = control_choices(document.controls)
    if form.validate_on_submit():
        try:
            service.update_document(db.session, current_actor(), document, _details(form),
                                    form_version(form) or 0, today=local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Document saved."), "success")
            return redirect(url_for("governance.show_document", document_id=document.id))
    return render_template("governance/document_form.html", form=form, document=document), (
        _status(form))


@bp.route("/documents/<int:document_id>/versions/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def add_version(document_id: int):
    """Propose a new version; a major change waits for its approval."""
    document = service.get_document(db.session, current_actor(), document_id)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            row = reviews.add_version(db.session, current_actor(), settings(), document,
                                      upload(form.file.data), label=form.label.data,
                                      change=form.change.data, summary=form.summary.data,
                                      today=local_today())
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Version %(label)s added as proposed.", label=row.label), "success")
            return redirect(url_for("governance.show_document", document_id=document.id))
    return render_template("governance/version_form.html", form=form, document=document), (
        _status(form))


@bp.post("/documents/<int:document_id>/versions/<int:version_id>/current")
@requires(Permission.MANAGE_GOVERNANCE)
def make_current(document_id: int, version_id: int):
    """Put a proposed version in force (refused for a change still awaiting approval)."""
    document = service.get_document(db.session, current_actor(), document_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            row = reviews.make_current(db.session, current_actor(), document, version_id,
                                       form_version(form), today=local_today())
        except DomainError as error:
            flash(localised(error), "error")
        else:
            flash(_("Version %(label)s is now current.", label=row.label), "success")
    return redirect(url_for("governance.show_document", document_id=document_id))


def _review_form(document, **data) -> ReviewForm:
    form = ReviewForm(data=data or None)
    form.reviewer_id.choices = owner_choices("—")
    form.version_id.choices = [("", "—")] + [(v.id, v.label) for v in document.versions
                                            if v.status == "proposed"]
    return form


def _review_details(form) -> reviews.ReviewDetails:
    return reviews.ReviewDetails(
        reviewed_on=form.reviewed_on.data, outcome=form.outcome.data, kind=form.kind.data,
        reviewer_id=form.reviewer_id.data, notes=form.notes.data,
        version_id=form.version_id.data, approval_body=form.approval_body.data or None,
        approved_by=form.approved_by.data, approved_on=form.approved_on.data)


@bp.route("/documents/<int:document_id>/reviews/new", methods=["GET", "POST"])
@requires(Permission.REVIEW_DOCUMENTS)
def record_review(document_id: int):
    """Record a review (and its approval, with the minutes, when it is given)."""
    actor = current_actor()
    document = service.get_document(db.session, actor, document_id)
    if not reviews.can_review(actor, document):
        abort(403)
    form = _review_form(document, reviewed_on=local_today(), reviewer_id=actor.id,
                        kind=request.args.get("kind") or "review") if request.method == "GET" \
        else _review_form(document)
    if form.validate_on_submit():
        try:
            reviews.record_review(db.session, actor, settings(), document,
                                  _review_details(form), today=local_today(),
                                  minutes=upload(form.minutes.data))
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Review recorded."), "success")
            return redirect(url_for("governance.show_document", document_id=document.id))
    return render_template("governance/review_form.html", form=form, document=document,
                           review=None), _status(form)


@bp.route("/reviews/<int:review_id>/approve", methods=["GET", "POST"])
@requires(Permission.MANAGE_GOVERNANCE)
def approve_review(review_id: int):
    """Record the approval of an earlier review."""
    review = reviews.get_review(db.session, current_actor(), review_id)
    document = service.get_document(db.session, current_actor(), review.document_id)
    form = _review_form(document)
    if form.validate_on_submit():
        try:
            reviews.approve_review(db.session, current_actor(), settings(), review,
                                   _review_details(form), today=local_today(),
                                   minutes=upload(form.minutes.data))
        except DomainError as error:
            failed(form, error)
        else:
            flash(_("Approval recorded."), "success")
            return redirect(url_for("governance.show_document", document_id=document.id))
    return render_template("governance/review_form.html", form=form, document=document,
                           review=review, **LABELS), _status(form)
