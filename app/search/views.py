"""The search page the header's box leads to: results grouped by kind."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..extensions import db
from ..time import local_today
from . import service

bp = Blueprint("search", __name__)

KIND_LABELS = {
    "controls": _l("Controls"), "evidence": _l("Evidence"), "findings": _l("Findings"),
    "engagements": _l("Engagements"), "documents": _l("Documents"),
    "subprocessors": _l("Sub-processors"), "incidents": _l("Incidents"),
}


@bp.get("/search")
@requires(Permission.SIGNED_IN)
def search():
    """Everything matching the words that the user may read, grouped by kind.

    Controls (by code or words), evidence, findings, engagements, documents, sub-processors
    and incidents.
    """
    text = (request.args.get("q") or "").strip()[:service.MAX_QUERY]
    config = current_app.config
    context = service.Context(
        today=local_today(),
        lang="da" if str(get_locale()).startswith("da") else "en",
        evidence_warning_days=int(config.get("KONTROL_EXPIRY_WARNING_DAYS", 30)),
        review_warning_days=int(config.get("KONTROL_REVIEW_WARNING_DAYS", 30)))
    groups = service.search(db.session, current_actor(), text, context)
    return render_template("search/results.html", text=text, groups=groups,
                           labels=KIND_LABELS, limit=service.LIMIT)
