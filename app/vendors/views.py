"""Sub-processor pages: the register list and export, an entry's page, its form and transfers.

Statements, follow-ups and change notices are in follow_up_views.py on the same blueprint.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import params
from ..auth.current import current_actor
from ..auth.permissions import Permission, can, requires
from ..db import utcnow
from ..errors import DomainError, Invalid
from ..evidence.views import settings as evidence_settings
from ..extensions import db
from ..forms import put_error
from ..time import local_today, zone
from . import countries, queries, rules, service
from .checks import VendorContext, can_follow_up
from .export import register_workbook, rows_for_export
from .forms import LABELS, SubProcessorForm, TransferForm, choices
from .models import Approval, Risk, Status, Transfer

bp = Blueprint("vendors", __name__, url_prefix="/subprocessors")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- shared with follow_up_views, the API and the CLI ----------------------------------------

def policy(app=None) -> dict:
    """The follow-up policy: KONTROL_SUBPROCESSOR_FOLLOW_UP over the defaults."""
    return rules.follow_up_policy((app or current_app).config.get(
        "KONTROL_SUBPROCESSOR_FOLLOW_UP"))


def context() -> VendorContext:
    """Today (local), the follow-up policy and the evidence store, for the services."""
    return VendorContext(today=local_today(), policy=policy(), evidence=evidence_settings())


def lang() -> str:
    """The interface language, "da" or "en"."""
    return "da" if str(get_locale()).startswith("da") else "en"


def localised(error: DomainError) -> str:
    """A service message in the interface language (country names too)."""
    template = getattr(error, "template", None)
    if not template:
        return error.message
    params = dict(error.params)
    if "country_code" in params:
        params["country"] = countries.name(params["country_code"], lang())
    return _(template, **params)


def show_error(form, error: DomainError) -> None:
    """Put a service error at its field (dotted names reach sub-forms), or flash it."""
    error.message = localised(error)
    target = form
    if isinstance(error, Invalid) and error.field and "." in error.field:
        for part in error.field.split("."):
            target = target[int(part)] if part.isdigit() else getattr(target, part, None)
            if target is None:
                break
        if target is not None and hasattr(target, "errors"):
            target.errors = [*(target.errors or []), error.message]
            return
    put_error(form, error)


def handle(form, save, message, target, template: str, **page):
    """Validate, call `save()`, then flash and redirect to `target(result)`, or re-render."""
    if form.validate_on_submit():
        try:
            result = save()
        except DomainError as error:
            show_error(form, error)
        else:
            flash(message, "success")
            return redirect(target(result))
    return render_template(template, form=form, labels=LABELS, **page), (
        422 if request.method == "POST" else 200)


def upload(storage):
    """An evidence Upload from a file field, or None when no file was chosen."""
    from ..evidence.service import Upload

    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.stream, storage.filename, storage.mimetype)


# -- the register ---------------------------------------------------------------------------

def _filters() -> queries.RegisterFilter:
    args = request.args
    return queries.RegisterFilter(
        status=args.get("status") if args.get("status") in Status._value2member_map_ else None,
        risk=args.get("risk") if args.get("risk") in Risk._value2member_map_ else None,
        approval=args.get("approval") if args.get("approval") in Approval._value2member_map_
        else None,
        country=(args.get("country") or "").upper()[:2] or None,
        overdue=args.get("overdue") == "1", q=(args.get("q") or "").strip()[:100] or None,
        sort=args.get("sort") if args.get("sort") in queries.SORTS else "name")


@bp.get("/")
@requires(Permission.VIEW_SUBPROCESSORS)
def list_subprocessors():
    """The register: filter, search, sort and page."""
    filters, today = _filters(), local_today()
    page = params.page_number(request.args)
    items, total = queries.list_subprocessors(db.session, current_actor(), filters,
                                              today=today, page=page)
    return render_template("vendors/list.html", items=items, total=total, page=page,
                           per_page=queries.PER_PAGE, filters=filters, today=today,
                           labels=LABELS, countries=countries, lang=lang())


@bp.get("/export.xlsx")
@requires(Permission.VIEW_SUBPROCESSORS)
def export_register():
    """The register as filtered on the list page, as an XLSX workbook."""
    filters, today = _filters(), local_today()
    items, _total = queries.list_subprocessors(db.session, current_actor(), filters,
                                               today=today, per_page=None)
    data = register_workbook(rows_for_export(items, lang(), today), lang(),
                             utcnow().astimezone(zone(current_app)))
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="subprocessors-{today.isoformat()}.xlsx"'})


def _scc_choices() -> list:
    return choices([(scc.id, scc.label(lang()) + ("" if scc.valid_until is None else " — "
                                                  + _("no longer valid")))
                    for scc in countries.data().scc_versions.values()], "—")


def _form_choices(form) -> None:
    form.country.choices = choices(countries.choices(lang()))
    form.countries.choices = choices(countries.choices(lang()))
    form.scc_version.choices = _scc_choices()


def _details(form) -> service.SubProcessorDetails:
    return service.SubProcessorDetails(
        name=form.name.data, registration_number=form.registration_number.data,
        address=form.address.data, country=form.country.data,
        countries=form.countries.data or [], processing_en=form.processing_en.data,
        processing_da=form.processing_da.data, data_categories=form.data_categories.data,
        approval=form.approval.data, controllers=form.controllers.data,
        start_date=form.start_date.data, end_date=form.end_date.data,
        status=form.status.data, contact=form.contact.data, risk_rating=form.risk_rating.data)


def _basis(form) -> service.TransferBasis:
    return service.TransferBasis(form.transfer_basis.data or None, form.scc_version.data or None,
                                 form.transfer_note.data)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_SUBPROCESSORS)
def create_subprocessor():
    """Register a sub-processor (and the transfers its third countries need)."""
    form = SubProcessorForm(status="active", risk_rating="medium", approval="general",
                            country="DK", countries=["DK"])
    _form_choices(form)
    return handle(form, lambda: service.create_subprocessor(
        db.session, current_actor(), _details(form), _basis(form), context()),
        _("Sub-processor registered."), lambda sp: url_for(
            "vendors.show_subprocessor", subprocessor_id=sp.id),
        "vendors/form.html", subprocessor=None)


@bp.get("/<int:subprocessor_id>")
@requires(Permission.VIEW_SUBPROCESSORS)
def show_subprocessor(subprocessor_id: int):
    """One sub-processor: facts, processing, transfers, statements, follow-ups, notices."""
    today, actor = local_today(), current_actor()
    detail = queries.get_subprocessor(db.session, actor, subprocessor_id, today=today)
    sp, rule = detail.subprocessor, policy()[detail.subprocessor.risk_rating]
    return render_template(
        "vendors/show.html", detail=detail, sp=sp, today=today, labels=LABELS,
        countries=countries, lang=lang(), rule=rule,
        rule_kinds=[str(LABELS["follow_up"][kind]) for kind in rule.kinds],
        by_year={s.year: s for s in detail.statements},
        may_follow_up=can_follow_up(db.session, actor),
        statement_years=list(rules.processing_years(sp.start_date, sp.end_date,
                                                    until=today.year))[::-1])


@bp.route("/<int:subprocessor_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_SUBPROCESSORS)
def edit_subprocessor(subprocessor_id: int):
    """Change a register entry; the form opens with what is stored."""
    sp = queries.get_subprocessor(db.session, current_actor(), subprocessor_id,
                                  today=local_today()).subprocessor
    form = SubProcessorForm(data={
        **{name: getattr(sp, name) for name in (
            "name", "registration_number", "address", "country", "countries",
            "processing_en", "processing_da", "approval", "start_date", "end_date", "status",
            "contact", "risk_rating", "version")},
        "data_categories": "\n".join(sp.data_categories or []),
        "controllers": "\n".join(sp.controllers or [])})
    _form_choices(form)
    return handle(form, lambda: service.update_subprocessor(
        db.session, current_actor(), sp, _details(form), int(form.version.data or 0),
        _basis(form), context()), _("Sub-processor saved."), lambda sp: url_for(
        "vendors.show_subprocessor", subprocessor_id=sp.id),
        "vendors/form.html", subprocessor=sp)


@bp.route("/transfers/<int:transfer_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_SUBPROCESSORS)
def edit_transfer(transfer_id: int):
    """Change a transfer's recipient or basis, or attach its transfer impact assessment."""
    transfer = queries.get_child(db.session, current_actor(), Transfer, transfer_id,
                                 "No such transfer.")
    form = TransferForm(data={"recipient": transfer.recipient,
                              "transfer_basis": transfer.basis,
                              "scc_version": transfer.scc_version,
                              "transfer_note": transfer.note, "version": transfer.version})
    form.scc_version.choices = _scc_choices()
    return handle(form, lambda: service.update_transfer(
        db.session, current_actor(), transfer, service.TransferDetails(
            form.recipient.data, _basis(form)), int(form.version.data or 0), context(),
        tia=upload(form.tia_file.data), tia_date=form.tia_date.data),
        _("Transfer saved."), lambda t: url_for(
            "vendors.show_subprocessor", subprocessor_id=t.subprocessor_id, _anchor="transfers"),
        "vendors/transfer.html", transfer=transfer, countries=countries, lang=lang())


# -- sections other pages show --------------------------------------------------------------

def dashboard_section(session, actor, overview) -> None:
    """The dashboard tile: sub-processors in use, overdue statements and follow-ups, notices."""
    if not can(actor, Permission.VIEW_SUBPROCESSORS):
        return
    overview.sections["subprocessors"] = {
        "template": "vendors/_dashboard.html",
        "summary": queries.summary(session, actor, local_today())}
