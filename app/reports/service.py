"""Gathers the data reports need, in plain rows, with a fixed number of queries."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..catalogue.service import ControlFilter, list_controls
from .xlsx import SoARow

STATUS_LABELS = {
    "en": {"planned": "Planned", "partial": "Partially implemented",
           "implemented": "Implemented"},
    "da": {"planned": "Planlagt", "partial": "Delvist implementeret",
           "implemented": "Implementeret"},
}


def soa_rows(session: Session, filters: ControlFilter, lang: str) -> list[SoARow]:
    """Every SoA control matching `filters`, as plain rows in catalogue order."""
    lang = "da" if lang.startswith("da") else "en"
    yes, no, undecided = ("Ja", "Nej", "Ikke afgjort") if lang == "da" else (
        "Yes", "No", "Not decided")
    controls, _total = list_controls(session, ControlFilter(**{**vars(filters), "soa_only": True}),
                                     per_page=None)
    rows = []
    for control in controls:
        entry = control.soa_entry
        applicable = {True: yes, False: no, None: undecided}[entry.applicable]
        rows.append(SoARow(
            catalogue=control.catalogue.text("title", lang),
            group=control.group.text("title", lang),
            control_id=control.code,
            title=control.text("title", lang),
            applicable=applicable,
            justification=entry.justification or "",
            status=STATUS_LABELS[lang].get(entry.status or "", ""),
            owner=control.owner.name if control.owner else "",
            last_reviewed=entry.last_reviewed_on,
        ))
    return rows

