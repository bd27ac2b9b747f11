"""The governance blueprint: shared view helpers, and the sections other pages show.

Routes live beside this module by register: `document_views`, `risk_views`,
`adoption_views` and `dispensation_views` add theirs to `bp` (imported at the end).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import get_locale

from .. import params
from ..auth.permissions import Permission, can, requires
from ..db import utcnow
from ..errors import DomainError
from ..evidence import queries as evidence_queries
from ..evidence.service import EvidenceSettings, Upload
from ..evidence.storage import EvidenceStore
from ..evidence.views import localised, show_error
from ..extensions import db
from ..time import local_today, zone
from . import documents, rules
from .common import Page, Settings

bp = Blueprint("governance", __name__, url_prefix="/governance")

__all__ = ["bp", "localised", "show_error"]
PER_PAGE = 25


def settings(app=None) -> Settings:
    """The registers' settings from the app's configuration."""
    config = (app or current_app).config
    return Settings(
        evidence=EvidenceSettings(store=EvidenceStore(config["KONTROL_EVIDENCE_DIR"]),
                                  max_bytes=int(config["KONTROL_MAX_UPLOAD_MB"]) << 20),
        warning_days=int(config.get("KONTROL_REVIEW_WARNING_DAYS", 30)),
        emergency_report_days=int(config.get("KONTROL_EMERGENCY_REPORT_DAYS",
                                             rules.DEFAULT_EMERGENCY_REPORT_DAYS)),
        risk_scale=int(config.get("KONTROL_RISK_SCALE", rules.DEFAULT_SCALE)),
        zone=zone(app or current_app))



def local_moment(value: datetime | None) -> datetime | None:
    """A naive local date-time from a form, as an aware instant in the configured zone."""
    return value.replace(tzinfo=zone(current_app)) if value is not None else None


def page_args(sorts) -> Page:
    """The page number and sort order from the query string, bounded."""
    args = request.args
    sort = args.get("sort") if args.get("sort") in sorts else None
    return Page(number=params.page_number(args), per_page=PER_PAGE, sort=sort,
                descending=args.get("dir") == "desc")


def text_arg(name: str, allowed=None, limit: int = 200) -> str | None:
    """A query-string value, or None when empty, too long or not one of `allowed`."""
    value = (request.args.get(name) or "").strip()
    if not value or len(value) > limit:
        return None
    if allowed is not None and value not in {str(a) for a in allowed}:
        return None
    return value


def upload(storage) -> Upload | None:
    """The uploaded file of a form field, or None when nothing was chosen."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.stream, storage.filename, storage.mimetype)


def form_version(form) -> int | None:
    """The optimistic-lock version the form was opened with."""
    value = (form.version.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def control_choices(selected=()) -> dict:
    """Active controls grouped by catalogue, for a multiple choice (plus those `selected`)."""
    lang = str(get_locale())
    grouped: dict = {}
    controls = evidence_queries.active_controls(db.session)
    known = {c.id for c in controls}
    for control in [*controls, *[c for c in selected if c.id not in known]]:
        grouped.setdefault(control.catalogue.text("title", lang), []).append(
            (control.key, f"{control.code} — {control.text('title', lang)}"))
    return grouped


def owner_choices(blank: str | None = None) -> list:
    """People who may own register entries."""
    people = [(u.id, u.name) for u in documents.possible_owners(db.session)]
    return ([("", blank)] if blank is not None else []) + people


def failed(form, error: DomainError) -> None:
    """Put a service error on its field (translated), or flash it."""
    show_error(form, error)


@bp.get("/")
@requires(Permission.VIEW_GOVERNANCE)
def index():
    """The registers start at the governing documents."""
    return redirect(url_for("governance.list_documents"))


# -- sections other pages show --------------------------------------------------------------

def control_section(session, actor, control) -> dict | None:
    """The control page's governance section: documents, dispensations, risks.

    Documents with their latest review, the dispensations in force, the risks it treats.
    """
    if not can(actor, Permission.VIEW_GOVERNANCE):
        return None
    from . import dispensations, risks

    today = local_today()
    linked = documents.documents_for_control(session, actor, control.id)
    active = dispensations.active_for_controls(session, actor, [control.id], today=today)
    treated = risks.risks_for_control(session, actor, control.id)
    if not (linked or active or treated):
        return None
    return {"template": "governance/_control_section.html", "control": control,
            "documents": linked, "dispensations": active.get(control.id, []),
            "risks": treated, "today": today, "warning_days": settings().warning_days}


def dashboard_section(session, actor, overview) -> None:
    """The dashboard's governance card: reviews due, risks, adoptions, dispensations."""
    if not can(actor, Permission.VIEW_GOVERNANCE):
        return
    from . import adoptions, dispensations, risks

    today, config = local_today(), settings()
    due = documents.due_items(session, actor, today=today, warning_days=config.warning_days)
    overview.sections["governance"] = {
        "template": "governance/_dashboard.html", "warning_days": config.warning_days,
        "overdue": sum(1 for item in due if item.state == rules.DueState.OVERDUE),
        "due_soon": sum(1 for item in due if item.state == rules.DueState.DUE_SOON),
        "risks": risks.summary(session, actor, today=today),
        "adoptions": adoptions.waiting(session, actor),
        "dispensations": dispensations.summary(session, actor, today=today, now=utcnow())}


def soa_notes(session, actor, control_ids, lang: str) -> dict[int, list[str]]:
    """Active dispensations per control, as short texts for the SoA page and exports."""
    from . import dispensations

    if actor is not None and not can(actor, Permission.VIEW_GOVERNANCE):
        return {}
    today = local_today()
    active = dispensations.active_for_controls(session, actor, control_ids, today=today)
    word = {"da": ("Dispensation #{id} gyldig til {until}", "Nøddispensation #{id}"),
            "en": ("Dispensation #{id} valid until {until}", "Emergency deviation #{id}")}
    label, emergency = word["da" if str(lang).startswith("da") else "en"]
    return {control_id: [(emergency if row.emergency and row.status == "emergency"
                          else label).format(id=row.id, until=row.valid_until or "—")
                         + f": {row.compensating_measures}" for row in rows]
            for control_id, rows in active.items()}


from . import (  # noqa: E402  (the route modules add their routes to bp)
    adoption_views,  # noqa: F401
    dispensation_views,  # noqa: F401
    document_views,  # noqa: F401
    risk_views,  # noqa: F401
)
