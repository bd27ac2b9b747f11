"""Reading the catalogue for pages and the API, and editing the Statement of Applicability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth.models import User
from ..auth.people import active_users
from ..auth.permissions import Permission, Role, require
from ..errors import Conflict, Invalid, NotFound
from ..ledger.service import append
from ..time import local_today
from .models import (
    Catalogue,
    CatalogueKind,
    Control,
    ControlGroup,
    ControlMapping,
    ImplementationStatus,
    SoAEntry,
)

# Who may own a control. Not internal auditors: they test controls, and would test their own.
OWNER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER)
# Standard controls first, then the organisation's extensions, then assurance activities.
KIND_ORDER = case({CatalogueKind.STANDARD.value: 0, CatalogueKind.EXTENSION.value: 1},
                  value=Catalogue.kind, else_=2)


# Other domains add remarks to SoA rows (the page and its exports): functions
# (session, actor, control_ids, lang) -> {control_id: [text, …]}, e.g. dispensations in force.
SOA_NOTES: list = []


def soa_notes(session: Session, actor, control_ids, lang: str) -> dict[int, list[str]]:
    """Every registered remark per control id, in `lang`: one query per source."""
    notes: dict[int, list[str]] = {}
    for source in SOA_NOTES:
        for control_id, texts in source(session, actor, list(control_ids), lang).items():
            notes.setdefault(control_id, []).extend(texts)
    return notes


@dataclass(frozen=True)
class ControlFilter:
    """Filters shared by the control list, the SoA page, its export and the API."""

    catalogue: str | None = None
    group: str | None = None
    q: str | None = None
    status: str | None = None  # an ImplementationStatus, or "undecided"
    applicable: str | None = None  # "yes", "no", "undecided"
    owner_id: int | None = None
    include_retired: bool = False
    soa_only: bool = False


def list_catalogues(session: Session) -> list[Catalogue]:
    """Every catalogue with its groups, by kind then slug."""
    order = {CatalogueKind.STANDARD: 0, CatalogueKind.EXTENSION: 1, CatalogueKind.ASSURANCE: 2}
    catalogues = session.scalars(select(Catalogue).options(selectinload(Catalogue.groups))).all()
    return sorted(catalogues, key=lambda c: (order.get(c.kind, 9), c.slug))


def control_counts(session: Session) -> dict[int, int]:
    """Active controls per catalogue id."""
    rows = session.execute(select(Control.catalogue_id, func.count(Control.id))
                           .where(Control.retired_at.is_(None)).group_by(Control.catalogue_id))
    return dict(rows.all())


def _filtered(query, filters: ControlFilter):
    if filters.catalogue:
        query = query.where(Catalogue.slug == filters.catalogue)
    if filters.group:  # the group and the groups nested in it
        chosen = select(ControlGroup.id).where(ControlGroup.code == filters.group)
        if filters.catalogue:
            chosen = chosen.join(Catalogue, ControlGroup.catalogue_id == Catalogue.id).where(
                Catalogue.slug == filters.catalogue)
        tree = chosen.cte("chosen_groups", recursive=True)
        tree = tree.union_all(select(ControlGroup.id).where(ControlGroup.parent_id == tree.c.id))
        query = query.where(Control.group_id.in_(select(tree.c.id)))
    if not filters.include_retired:
        query = query.where(Control.retired_at.is_(None))
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        query = query.where(or_(Control.code.ilike(pattern), Control.key.ilike(pattern),
                                Control.title_en.ilike(pattern), Control.title_da.ilike(pattern),
                                Control.description_en.ilike(pattern),
                                Control.description_da.ilike(pattern)))
    if filters.owner_id:
        query = query.where(Control.owner_id == filters.owner_id)
    if filters.soa_only or filters.status or filters.applicable:
        query = query.join(SoAEntry, SoAEntry.control_id == Control.id)
    if filters.status == "undecided":
        query = query.where(SoAEntry.status.is_(None))
    elif filters.status:
        query = query.where(SoAEntry.status == filters.status)
    if filters.applicable == "yes":
        query = query.where(SoAEntry.applicable.is_(True))
    elif filters.applicable == "no":
        query = query.where(SoAEntry.applicable.is_(False))
    elif filters.applicable == "undecided":
        query = query.where(SoAEntry.applicable.is_(None))
    return query


def _base_query():
    return (select(Control).join(Catalogue, Control.catalogue_id == Catalogue.id)
            .join(ControlGroup, Control.group_id == ControlGroup.id))


def list_controls(session: Session, filters: ControlFilter, page: int = 1,
                  per_page: int | None = 50) -> tuple[list[Control], int]:
    """Controls matching `filters` in catalogue order, with what a list shows eager-loaded."""
    query = _filtered(_base_query(), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.options(
        joinedload(Control.catalogue), joinedload(Control.group),
        joinedload(Control.soa_entry), joinedload(Control.owner),
    ).order_by(KIND_ORDER, Catalogue.slug, ControlGroup.position, Control.position)
    if per_page:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(query).unique()), total


def get_control(session: Session, key: str) -> Control:
    """A control by key with its mappings, SoA entry and owner, or NotFound."""
    control = session.scalar(
        select(Control).where(Control.key == key).options(
            joinedload(Control.catalogue), joinedload(Control.group),
            joinedload(Control.soa_entry), joinedload(Control.owner),
            selectinload(Control.outgoing).joinedload(ControlMapping.target)
            .joinedload(Control.catalogue),
            selectinload(Control.incoming).joinedload(ControlMapping.source)
            .joinedload(Control.catalogue)))
    if control is None:
        raise NotFound(f"No control with key '{key}'.")
    return control


def find_controls(session: Session, text: str, catalogue: str | None = None) -> list[Control]:
    """The controls `text` names.

    A full key ("iso27001-2022:A.5.15"), or the code people see ("A.5.15", any case) in any
    catalogue, or only in `catalogue` when given. More than one means the code is ambiguous;
    none means no control has it.
    """
    text = (text or "").strip()
    if not text:
        return []
    query = select(Control).join(Catalogue, Control.catalogue_id == Catalogue.id).options(
        joinedload(Control.catalogue)).order_by(KIND_ORDER, Catalogue.slug, Control.position)
    exact = session.scalars(query.where(Control.key == text)).all()
    if exact:
        return list(exact)
    query = query.where(func.lower(Control.code) == text.lower(), Control.retired_at.is_(None))
    if catalogue:
        query = query.where(Catalogue.slug == catalogue)
    return list(session.scalars(query))


def mapped_controls(control: Control) -> list[Control]:
    """Controls related to `control` in either direction, by key."""
    related = {m.target for m in control.outgoing} | {m.source for m in control.incoming}
    return sorted(related, key=lambda c: (c.catalogue.slug, c.position))


_INVERSE = {"subset": "superset", "superset": "subset"}


def mapping_relations(control: Control) -> dict[int, str]:
    """How each mapped control relates, seen from `control` (imported mappings say it)."""
    relations = {m.target_id: m.relation for m in control.outgoing if m.relation}
    for m in control.incoming:
        if m.relation and m.source_id not in relations:
            relations[m.source_id] = _INVERSE.get(m.relation, m.relation)
    return relations


def get_soa_entry(session: Session, entry_id: int) -> SoAEntry:
    """An SoA entry with its control, or NotFound."""
    entry = session.scalar(select(SoAEntry).where(SoAEntry.id == entry_id).options(
        joinedload(SoAEntry.control).joinedload(Control.catalogue),
        joinedload(SoAEntry.control).joinedload(Control.owner)))
    if entry is None:
        raise NotFound("No such Statement-of-Applicability entry.")
    return entry


def possible_owners(session: Session) -> list[User]:
    """Active users who may own a control."""
    return active_users(session, OWNER_ROLES)


def _owner(session: Session, owner_id: int | None) -> User | None:
    if not owner_id:
        return None
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or Role(owner.role) not in OWNER_ROLES:
        raise Invalid("owner_id", "Choose an active user who may own controls.")
    return owner


def assign_owner(session: Session, actor, control: Control, owner_id: int | None,
                 version: int) -> Control:
    """Make a user the owner of a control (they then keep its evidence current)."""
    require(actor, Permission.EDIT_SOA)
    if version != control.version:
        raise Conflict("Someone else changed this control since you opened it. Reload and retry.")
    owner = _owner(session, owner_id)
    new_id = owner.id if owner else None
    if control.owner_id != new_id:
        append(session, actor, "control.owner_assigned", control,
               {"control": control.key, "owner": [control.owner.email if control.owner else None,
                                                  owner.email if owner else None]})
        control.owner = owner
    session.commit()
    return control


def update_soa_entry(session: Session, actor, entry: SoAEntry, *, applicable: bool | None,
                     justification: str | None, status: str | None, owner_id: int | None,
                     last_reviewed_on: date | None, version: int) -> SoAEntry:
    """Record an SoA decision; a control that is not applicable needs a justification."""
    require(actor, Permission.EDIT_SOA)
    if version != entry.version:
        raise Conflict("Someone else changed this entry since you opened it. "
                       "Reload the page to see their change, then edit again.")
    _apply_decision(session, actor, entry, applicable=applicable, justification=justification,
                    status=status, owner_id=owner_id, last_reviewed_on=last_reviewed_on)
    session.commit()
    return entry


def _apply_decision(session: Session, actor, entry: SoAEntry, *, applicable: bool | None,
                    justification: str | None, status: str | None, owner_id: int | None,
                    last_reviewed_on: date | None) -> bool:
    """Check and write one entry's decision and its ledger entry (flush only).

    True when anything changed.
    """
    justification = (justification or "").strip() or None
    if applicable is False and not justification:
        raise Invalid("justification", "Say why the control is not applicable.")
    if applicable is None and status:
        raise Invalid("applicable", "Decide whether the control is applicable before giving "
                                    "its implementation status.")
    if status and status not in {s.value for s in ImplementationStatus}:
        raise Invalid("status", f"Unknown status '{status}'.")
    if applicable is False:
        status = None
    if last_reviewed_on and last_reviewed_on > local_today():
        raise Invalid("last_reviewed_on", "The review date cannot be in the future.")
    if last_reviewed_on and last_reviewed_on < date(1990, 1, 1):
        raise Invalid("last_reviewed_on", "Give a review date after 1990.")
    owner = _owner(session, owner_id)
    changes = {}
    for target, column, value in (
        (entry, "applicable", applicable), (entry, "justification", justification),
        (entry, "status", status), (entry, "last_reviewed_on", last_reviewed_on),
        (entry.control, "owner_id", owner.id if owner else None),
    ):
        if getattr(target, column) != value:
            changes[column] = [getattr(target, column), value]
            setattr(target, column, value)
    if changes:
        append(session, actor, "soa.updated", entry,
               {"control": entry.control.key, **changes})
        session.flush()
    return bool(changes)


MAX_BULK = 500  # entries one bulk edit may touch (the SoA holds a few hundred at most)


def bulk_update_soa(session: Session, actor, versions: Mapping[int, int], *,
                    status: str | None = None, owner_id: int | None = None,
                    last_reviewed_on: date | None = None) -> int:
    """Set the status, owner and/or review date of several SoA entries at once.

    `versions` maps each chosen entry's id to the version the user saw; None leaves a field
    as it is. Each changed entry gets its own ledger entry. All or nothing: a stale version,
    or an entry the change does not fit (a status for a control not applicable or not yet
    decided), refuses the whole edit, naming those controls, and writes nothing.
    Returns how many entries changed.
    """
    require(actor, Permission.EDIT_SOA)
    if not versions:
        raise Invalid("entry", "Choose the controls to change.")
    if len(versions) > MAX_BULK:
        raise Invalid("entry", f"Change at most {MAX_BULK} controls at once.")
    if status is None and owner_id is None and last_reviewed_on is None:
        raise Invalid("status", "Choose what to set: a status, an owner or a review date.")
    entries = session.scalars(select(SoAEntry).where(SoAEntry.id.in_(list(versions))).options(
        joinedload(SoAEntry.control).joinedload(Control.owner))).unique().all()
    if len(entries) != len(versions):
        raise Invalid("entry", "Some of the chosen controls are not in the SoA any more.")
    stale = sorted(e.control.code for e in entries if versions[e.id] != e.version)
    if stale:
        raise Conflict("Someone else changed " + ", ".join(stale) + " since you opened the "
                       "page. Reload it to see their changes, then try again.")
    changed, refused = 0, []
    try:
        for entry in sorted(entries, key=lambda e: e.control.key):
            if status is not None and entry.applicable is not True:
                refused.append(entry.control.code)
                continue
            changed += _apply_decision(
                session, actor, entry, applicable=entry.applicable,
                justification=entry.justification,
                status=status if status is not None else entry.status,
                owner_id=owner_id if owner_id is not None else entry.control.owner_id,
                last_reviewed_on=last_reviewed_on or entry.last_reviewed_on)
        if refused:
            raise Invalid("status", "A status is only for applicable controls; leave out "
                                    + ", ".join(refused) + ".")
    except (Invalid, Conflict):
        session.rollback()
        raise
    session.commit()
    return changed


@dataclass(frozen=True)
class SoASummary:
    """Counts for the dashboard and the SoA page header."""

    total: int
    undecided: int
    not_applicable: int
    planned: int
    partial: int
    implemented: int


def soa_summary(session: Session) -> SoASummary:
    """How far the Statement of Applicability has come, in one query."""
    rows = session.execute(
        select(SoAEntry.applicable, SoAEntry.status, func.count(SoAEntry.id))
        .join(Control, SoAEntry.control_id == Control.id)
        .where(Control.retired_at.is_(None))
        .group_by(SoAEntry.applicable, SoAEntry.status)).all()
    counts = {"total": 0, "undecided": 0, "not_applicable": 0, "planned": 0, "partial": 0,
              "implemented": 0}
    for applicable, status, count in rows:
        counts["total"] += count
        if applicable is None:
            counts["undecided"] += count
        elif applicable is False:
            counts["not_applicable"] += count
        elif status in counts:
            counts[status] += count
        else:
            counts["undecided"] += count
    return SoASummary(**counts)
