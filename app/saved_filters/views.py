"""Save the filters of a list under a name, and remove a saved filter."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..auth.current import current_actor
from ..auth.forms import EmptyForm
from ..auth.permissions import Permission, requires
from ..errors import Conflict, Invalid
from ..extensions import db
from . import service

bp = Blueprint("saved_filters", __name__, url_prefix="/filters")

# Where each list lives.
LIST_ENDPOINTS = {"controls": "catalogue.list_controls", "soa": "catalogue.soa",
                  "evidence": "evidence.list_evidence"}


@bp.post("/<list_name>")
@requires(Permission.SIGNED_IN)
def save(list_name: str):
    """Save the list's current filters under the name given."""
    if list_name not in service.LISTS or not EmptyForm().validate_on_submit():
        abort(404 if list_name not in service.LISTS else 400)
    query = service.filter_query(list_name, request.form)
    try:
        saved = service.save_filter(db.session, current_actor(), list_name,
                                    request.form.get("name", "")[:200], request.form)
    except (Invalid, Conflict) as error:
        flash(_(error.message), "error")
    else:
        flash(_("Filter “%(name)s” saved.", name=saved.name), "success")
    return redirect(url_for(LIST_ENDPOINTS[list_name]) + (f"?{query}" if query else ""))


@bp.post("/<int:filter_id>/remove")
@requires(Permission.SIGNED_IN)
def remove(filter_id: int):
    """Remove one of your saved filters."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    saved = service.remove_filter(db.session, current_actor(), filter_id)
    flash(_("Filter “%(name)s” removed.", name=saved.name), "success")
    return redirect(url_for(LIST_ENDPOINTS[saved.list_name]))
