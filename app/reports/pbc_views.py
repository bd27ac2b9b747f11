"""The PBC list export: the engagement's evidence requests as the auditor's workbook."""

from __future__ import annotations

from flask import current_app

from ..audits import pbc
from ..audits import service as audits
from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..db import utcnow
from ..extensions import db
from ..time import local_today, zone
from .pbc_export import PbcRow, pbc_workbook
from .service import get_profile
from .views import XLSX, _download, _lang, bp


def pbc_rows(listing: pbc.PbcList, lang: str, tz) -> list[PbcRow]:
    """The list's rows as the export writes them (instants as dates in `tz`)."""
    rows = []
    for request in listing.requests:
        evidence = request.answered_by_evidence
        current = evidence.current_version if evidence is not None else None
        rows.append(PbcRow(
            number=request.id, control=request.control.code,
            control_title=request.control.text("title", lang),
            description=request.description, asked_of=request.assignee.name,
            asked_by=request.requested_by.name if request.requested_by else "",
            asked_on=request.created_at.astimezone(tz).date(), due_on=request.due_on,
            state=listing.states[request.id].value,
            delivered_on=request.answered_at.astimezone(tz).date()
            if request.answered_at else None,
            evidence=f"#{evidence.id} {evidence.title}" if evidence is not None else "",
            sha256=current.sha256 if current is not None else ""))
    return rows


@bp.get("/engagements/<int:engagement_id>/pbc.xlsx")
@requires(Permission.VIEW_REPORTS)
def export_pbc(engagement_id: int):
    """The engagement's PBC list as XLSX, in the page's order (?lang=da|en)."""
    actor = current_actor()
    engagement = audits.get_engagement(db.session, actor, engagement_id)
    lang, tz = _lang(), zone(current_app)
    listing = pbc.pbc_list(db.session, actor, engagement, today=local_today())
    profile = get_profile(db.session, current_app.config["KONTROL_ORGANISATION"])
    data = pbc_workbook(pbc_rows(listing, lang, tz), lang, engagement.name, profile.name,
                        utcnow().astimezone(tz))
    return _download(data, XLSX, f"pbc-{engagement.id}-{lang}.xlsx")
