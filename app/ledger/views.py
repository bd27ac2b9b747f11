"""The ledger page: entries newest first, with filters, and the chain's state."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .. import params
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..extensions import db
from ..time import zone
from . import service
from .describe import describe

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


@bp.get("/")
@requires(Permission.VIEW_LEDGER)
def index():
    """List entries, filtered by actor, action, entity and date range."""
    filters = service.LedgerFilter(
        actor=request.args.get("actor") or None, action=request.args.get("action") or None,
        entity_type=request.args.get("entity_type") or None,
        entity_id=request.args.get("entity_id") or None,
        since=params.optional_date(request.args, "since"),
        until=params.optional_date(request.args, "until"),
    )
    page = params.page_number(request.args)
    entries, total = service.list_entries(db.session, filters, zone(current_app), page)
    return render_template("ledger/index.html", total=total, page=page,
                           entries=describe(db.session, entries, current_actor()),
                           per_page=50, filters=filters,
                           actions=service.known_actions(db.session))
