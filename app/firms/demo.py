"""Demo audit firm (fictional): Revision & Partnere, with a partner and a senior auditor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.actors import CLI
from .models import AuditFirm
from .service import FirmDetails, add_member, save_firm

FIRM = FirmDetails(name="Revision & Partnere, Statsautoriseret Revisionspartnerselskab",
                   cvr="39874512", address="Havnegade 12, 8000 Aarhus C", city="Aarhus")
PARTNER_EMAIL = "partner@revision.example"
PARTNER_MNE = "mne45871"


def seed_firm(session: Session, users: dict) -> list[str]:
    """The firm with the demo's external auditors as members (idempotent)."""
    if session.scalar(select(AuditFirm.id).where(AuditFirm.name == FIRM.name)):
        return []
    firm = save_firm(session, CLI, None, FIRM)
    partner = users.get(PARTNER_EMAIL)
    if partner is not None:
        add_member(session, CLI, firm, partner.id, PARTNER_MNE)
    senior = users.get("external_auditor")
    if senior is not None and senior is not partner:
        add_member(session, CLI, firm, senior.id, None)
    return [f"Audit firm: {FIRM.name}"]
