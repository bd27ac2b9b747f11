"""Demo SoA decisions for Nordlys Statistik A/S: realistic, varied and idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..auth.actors import CLI
from ..time import local_today
from .models import Catalogue, Control, SoAEntry
from .service import assign_owner, update_soa_entry

NOT_APPLICABLE = {
    "iso27001-2022:A.7.5": "The organisation owns no premises in areas exposed to flooding or "
                           "earthquakes; physical threats are covered by A.7.1-A.7.4.",
    "iso27001-2022:A.8.28": "No software is developed in-house; all systems are bought as "
                            "standard products or services (covered by A.5.19-A.5.23).",
    "iso27001-2022:A.8.30": "No development is outsourced.",
}
PARTIAL = ("iso27001-2022:A.5.23", "iso27001-2022:A.8.11", "iso27001-2022:A.8.12",
           "soa-extensions:X.11")
PLANNED = ("iso27001-2022:A.5.7", "iso27001-2022:A.8.16")


def seed_soa(session: Session, users: dict) -> list[str]:
    """Decide every undecided SoA entry, assigning owners by theme."""
    entries = session.scalars(
        select(SoAEntry).join(Control).where(SoAEntry.applicable.is_(None))
        .options(joinedload(SoAEntry.control).joinedload(Control.group))).all()
    owner, coordinator = users["control_owner"], users["coordinator"]
    reviewed = date(local_today().year, 1, 15)
    for entry in entries:
        key = entry.control.key
        if key in NOT_APPLICABLE:
            update_soa_entry(session, CLI, entry, applicable=False,
                             justification=NOT_APPLICABLE[key], status=None, owner_id=None,
                             last_reviewed_on=reviewed, version=entry.version)
            continue
        status = ("partial" if key in PARTIAL else "planned" if key in PLANNED
                  else "implemented")
        technical = entry.control.group.code in ("7", "8", "X3")
        update_soa_entry(session, CLI, entry, applicable=True,
                         justification="Required by the risk assessment and by agreements "
                                       "with data controllers.",
                         status=status, owner_id=(owner if technical else coordinator).id,
                         last_reviewed_on=reviewed, version=entry.version)
    activities = session.scalars(
        select(Control).join(Catalogue).where(Catalogue.kind == "assurance",
                                              Control.owner_id.is_(None))).all()
    for control in activities:
        technical = control.code[0] in ("B", "H")
        assign_owner(session, CLI, control, (owner if technical else coordinator).id,
                     control.version)
    lines = [f"SoA decisions recorded for {len(entries)} controls"] if entries else []
    return lines + ([f"Owners assigned to {len(activities)} activities"] if activities else [])
