"""Control list and control pages, the Statement of Applicability and its export."""

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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from wtforms import SelectChoice

from .. import params
from ..auth.current import current_actor
from ..auth.permissions import Permission, can, requires
from ..auth.redirects import safe_next
from ..db import utcnow
from ..errors import Conflict, Invalid
from ..extensions import db
from ..forms import put_error
from ..reports import service as reports
from ..reports.xlsx import soa_workbook
from ..saved_filters.service import saved_filters
from ..time import zone
from . import service
from .forms import LibraryImportForm, OwnerForm, SoABulkForm, SoAEntryForm

bp = Blueprint("catalogue", __name__)

# Other domains add sections to the control page: functions (session, actor, control) returning
# None (nothing to show) or a dict with "template" and the context that template needs. They
# gather their data in a fixed number of queries; templates never query.
CONTROL_SECTIONS: list = []


def _filters(**fixed) -> service.ControlFilter:
    args = request.args
    return service.ControlFilter(
        catalogue=args.get("catalogue") or None, group=args.get("group") or None,
        q=(args.get("q") or "").strip() or None, status=args.get("status") or None,
        applicable=args.get("applicable") or None, owner_id=params.optional_id(args, "owner"),
        include_retired=args.get("retired") == "1", **fixed)


@bp.get("/controls/")
@requires(Permission.VIEW_CATALOGUE)
def list_controls():
    """All controls, filtered and paged."""
    page = params.page_number(request.args)
    filters = _filters()
    controls, total = service.list_controls(db.session, filters, page)
    return render_template("catalogue/controls.html", controls=controls, total=total, page=page,
                           per_page=50, filters=filters,
                           catalogues=service.list_catalogues(db.session),
                           counts=service.control_counts(db.session),
                           owners=service.possible_owners(db.session),
                           saved=saved_filters(db.session, current_actor(), "controls"))


@bp.get("/controls/<key>")
@requires(Permission.VIEW_CATALOGUE)
def show_control(key: str):
    """One control: its text, SoA entry and mapped controls."""
    control = service.get_control(db.session, key)
    sections = [section for build in CONTROL_SECTIONS
                if (section := build(db.session, current_actor(), control)) is not None]
    owner_form = None
    if can(current_actor(), Permission.EDIT_SOA):
        owner_form = OwnerForm(owner_id=control.owner_id, version=control.version)
        owner_form.owner_id.choices = _owner_choices()
    return render_template("catalogue/control.html", control=control, sections=sections,
                           mapped=service.mapped_controls(control), owner_form=owner_form,
                           relations=service.mapping_relations(control))


@bp.route("/controls/import", methods=["GET", "POST"])
@requires(Permission.LOAD_CATALOGUE)
def import_library():
    """Import CISO Assistant library files (frameworks and mapping sets)."""
    from .libraries import import_libraries
    from .sync import CatalogueInvalid

    form, result, errors = LibraryImportForm(), None, []
    if form.validate_on_submit():
        files = [(f.filename or "library.yaml", f.read()) for f in form.files.data]
        try:
            result = import_libraries(db.session, current_actor(), files, form.kind.data or None)
        except CatalogueInvalid as error:
            errors = error.errors
    status = 422 if errors or form.errors else 200
    return render_template("catalogue/import.html", form=form, result=result,
                           errors=errors), status


def _owner_choices() -> list:
    return [SelectChoice("", "—")] + [SelectChoice(u.id, u.name)
                                      for u in service.possible_owners(db.session)]


@bp.post("/controls/<key>/owner")
@requires(Permission.EDIT_SOA)
def assign_owner(key: str):
    """Set who owns a control."""
    control = service.get_control(db.session, key)
    form = OwnerForm()
    form.owner_id.choices = _owner_choices()
    if form.validate_on_submit():
        try:
            service.assign_owner(db.session, current_actor(), control, form.owner_id.data,
                                 int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(_("Owner of %(control)s saved.", control=control.code), "success")
    return redirect(url_for("catalogue.show_control", key=key))


@bp.get("/soa/")
@requires(Permission.VIEW_SOA)
def soa():
    """The Statement of Applicability with filters."""
    filters = _filters(soa_only=True)
    page = params.page_number(request.args)
    controls, total = service.list_controls(db.session, filters, page, per_page=100)
    notes = service.soa_notes(db.session, current_actor(), [c.id for c in controls],
                              str(get_locale()))
    bulk = None
    if can(current_actor(), Permission.EDIT_SOA):
        bulk = SoABulkForm()
        bulk.owner_id.choices = [SelectChoice("", _("Leave as it is"))] + _owner_choices()[1:]
    return render_template("catalogue/soa.html", controls=controls, total=total, page=page,
                           notes=notes, bulk=bulk,
                           per_page=100, filters=filters,
                           catalogues=[c for c in service.list_catalogues(db.session) if c.has_soa],
                           owners=service.possible_owners(db.session),
                           summary=service.soa_summary(db.session),
                           saved=saved_filters(db.session, current_actor(), "soa"))


@bp.get("/soa/export.xlsx")
@requires(Permission.VIEW_SOA)
def export_soa():
    """The (filtered) Statement of Applicability as an XLSX workbook."""
    lang = str(get_locale())
    rows = reports.soa_rows(db.session, _filters(soa_only=True), lang, current_actor())
    now = utcnow().astimezone(zone(current_app))
    organisation = reports.get_profile(db.session, current_app.config["KONTROL_ORGANISATION"])
    data = soa_workbook(rows, lang, organisation.name, now)
    filename = f"statement-of-applicability-{now:%Y-%m-%d}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/soa/bulk")
@requires(Permission.EDIT_SOA)
def bulk_edit_soa():
    """Set the status, owner or review date of the ticked SoA rows at once."""
    form = SoABulkForm()
    form.owner_id.choices = [SelectChoice("", "")] + _owner_choices()[1:]
    back = safe_next(request.form.get("next"), url_for("catalogue.soa"))
    if not form.validate_on_submit():
        flash(_("Check what to set: a status from the list, a valid review date."), "error")
        return redirect(back)
    try:
        changed = service.bulk_update_soa(
            db.session, current_actor(), form.versions(), status=form.status.data or None,
            owner_id=form.owner_id.data, last_reviewed_on=form.last_reviewed_on.data)
    except (Invalid, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(ngettext("%(num)s SoA entry updated.", "%(num)s SoA entries updated.", changed),
              "success")
    return redirect(back)


@bp.route("/soa/<int:entry_id>", methods=["GET", "POST"])
@requires(Permission.EDIT_SOA)
def edit_soa_entry(entry_id: int):
    """Edit one control's SoA decision."""
    entry = service.get_soa_entry(db.session, entry_id)
    form = SoAEntryForm(obj=entry, owner_id=entry.control.owner_id)
    form.owner_id.choices = _owner_choices()
    if form.validate_on_submit():
        try:
            service.update_soa_entry(
                db.session, current_actor(), entry,
                applicable={"yes": True, "no": False}.get(form.applicable.data),
                justification=form.justification.data, status=form.status.data or None,
                owner_id=form.owner_id.data, last_reviewed_on=form.last_reviewed_on.data,
                version=int(form.version.data or 0))
        except (Invalid, Conflict) as error:
            put_error(form, error)
        else:
            flash(_("Saved %(control)s.", control=entry.control.code), "success")
            return redirect(safe_next(request.args.get("next"), url_for(
                "catalogue.show_control", key=entry.control.key)))
    return render_template("catalogue/soa_edit.html", entry=entry, form=form), (
        422 if form.errors or request.method == "POST" else 200)


def _soa_dashboard(session, actor, overview) -> None:
    if can(actor, Permission.VIEW_SOA):
        summary = service.soa_summary(session)
        if summary.total:
            overview.sections["soa"] = {"template": "dashboard/_soa.html", "summary": summary}


def register() -> None:
    """Add the catalogue's navigation entries and dashboard section."""
    from flask_babel import lazy_gettext as _l

    from ..dashboard.service import CONTRIBUTORS
    from ..templating import NAVIGATION, NavItem

    NAVIGATION.extend([
        NavItem(_l("Controls"), "catalogue.list_controls", Permission.VIEW_CATALOGUE,
                "/controls"),
        NavItem(_l("SoA"), "catalogue.soa", Permission.VIEW_SOA, "/soa"),
    ])
    CONTRIBUTORS.append(_soa_dashboard)


register()
