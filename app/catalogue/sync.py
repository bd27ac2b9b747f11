"""Loading catalogues into the database: validated, one transaction, idempotent.

A control that disappears from its YAML is deleted only when nothing hangs on it; when
evidence, tests or an SoA decision refer to it, it is marked retired instead (and revived if it
comes back). Loading the same files twice changes nothing and writes no ledger entry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..auth.permissions import Permission, require
from ..db import utcnow
from ..errors import Invalid
from ..ledger.service import append
from .models import Catalogue, Control, ControlGroup, ControlMapping, SoAEntry
from .schema import CatalogueDef, CatalogueError, ControlDef, check_mappings, load_paths

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "controls"

# Domains register (session, control_ids) -> set of ids that have something attached.
ATTACHMENT_CHECKS: list[Callable[[Session, Collection[int]], set[int]]] = []


class CatalogueInvalid(Invalid):
    """The catalogue files have errors; `errors` lists every one with file and line."""

    def __init__(self, errors: Sequence[CatalogueError]):
        super().__init__(None, f"{len(errors)} error(s) in the catalogue files; nothing loaded.")
        self.errors = list(errors)


@dataclass
class CatalogueChanges:
    """What loading one catalogue changed."""

    slug: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    mappings_added: int = 0
    mappings_removed: int = 0
    catalogue_changed: bool = False

    @property
    def any(self) -> bool:
        """Whether anything changed."""
        return bool(self.catalogue_changed or self.added or self.updated or self.retired
                    or self.revived or self.deleted or self.mappings_added
                    or self.mappings_removed)

    def summary(self) -> str:
        """One line for the CLI."""
        if not self.any:
            return f"{self.slug}: unchanged"
        parts = [f"{len(getattr(self, name))} {name}" for name in
                 ("added", "updated", "retired", "revived", "deleted") if getattr(self, name)]
        if self.mappings_added or self.mappings_removed:
            parts.append(f"mappings +{self.mappings_added}/-{self.mappings_removed}")
        return f"{self.slug}: " + (", ".join(parts) or "catalogue details updated")


def check_catalogues(session: Session, paths: Sequence[str | Path]) -> list[CatalogueDef]:
    """Validate without writing; raises CatalogueInvalid with every error."""
    definitions, errors = _read(session, paths)
    if errors:
        raise CatalogueInvalid(errors)
    return definitions


def load_catalogues(session: Session, actor, paths: Sequence[str | Path] = ()
                    ) -> list[CatalogueChanges]:
    """Validate and load catalogue files (default: controls/) in one transaction."""
    require(actor, Permission.LOAD_CATALOGUE)
    definitions = check_catalogues(session, paths or [DEFAULT_DIRECTORY])
    try:
        results = [_sync(session, actor, definition) for definition in definitions]
        by_key = {c.key: c for c in session.scalars(select(Control))}
        for definition, result in zip(definitions, results, strict=True):
            _sync_mappings(session, definition, by_key, result)
            if result.any:
                append(session, actor, "catalogue.loaded", None, {
                    k: v for k, v in vars(result).items() if v and k != "slug"},
                    entity_type="catalogue", entity_id=definition.id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return results


def _read(session: Session, paths):
    loaded = set(session.scalars(select(Control.key).where(Control.retired_at.is_(None))))
    definitions, errors = load_paths(paths, known_keys=loaded)
    if errors:
        return definitions, errors
    # Keys of catalogues not being reloaded stay valid mapping targets; the reloaded ones'
    # keys must come from the files themselves.
    reloading = {definition.id for definition in definitions}
    others = {key for key in loaded if key.split(":", 1)[0] not in reloading}
    imported = dict(session.execute(select(Catalogue.slug, Catalogue.library_urn).where(
        Catalogue.slug.in_(reloading), Catalogue.library_urn.is_not(None))).all())
    clashes = [CatalogueError(d.path, None, f"catalogue id '{d.id}' is already used by the "
                              f"catalogue imported from the library {imported[d.id]}")
               for d in definitions if d.id in imported]
    return definitions, clashes + check_mappings(definitions, known_keys=others)


def _texts(target, field: str, text) -> bool:
    en, da = (text.en, text.da) if text is not None else (None, None)
    changed = False
    for column, value in ((f"{field}_en", en), (f"{field}_da", da)):
        if getattr(target, column) != value:
            setattr(target, column, value)
            changed = True
    return changed


def _sync(session: Session, actor, definition: CatalogueDef) -> CatalogueChanges:
    result = CatalogueChanges(definition.id)
    catalogue = session.scalar(select(Catalogue).where(Catalogue.slug == definition.id))
    if catalogue is None:
        catalogue = Catalogue(slug=definition.id, kind=definition.kind, title_en="")
        session.add(catalogue)
        result.catalogue_changed = True
    library = definition.library
    for column, value in (("kind", definition.kind), ("version", definition.version),
                          ("source_path", Path(definition.path).name),
                          ("library_urn", library and library.urn),
                          ("provider", library and library.provider),
                          ("copyright", library and library.copyright),
                          ("licence", library and library.licence)):
        if getattr(catalogue, column) != value:
            setattr(catalogue, column, value)
            result.catalogue_changed = True
    result.catalogue_changed |= _texts(catalogue, "title", definition.title)
    result.catalogue_changed |= _texts(catalogue, "description", definition.description)
    if result.catalogue_changed or catalogue.loaded_at is None:
        catalogue.loaded_at = utcnow()
    session.flush()

    groups = {g.code: g for g in session.scalars(
        select(ControlGroup).where(ControlGroup.catalogue_id == catalogue.id))}
    for group_def in definition.groups:
        group = groups.get(group_def.id)
        if group is None:
            group = groups[group_def.id] = ControlGroup(catalogue=catalogue, code=group_def.id,
                                                        title_en="")
            session.add(group)
        changed = _texts(group, "title", group_def.title)
        changed |= _texts(group, "description", group_def.description)
        if group.position != group_def.position:
            group.position, changed = group_def.position, True
        result.catalogue_changed |= changed
    session.flush()
    for group_def in definition.groups:  # nesting, once every group has its id
        group = groups[group_def.id]
        parent_id = groups[group_def.parent].id if group_def.parent else None
        if group.parent_id != parent_id:
            group.parent_id = parent_id
            result.catalogue_changed = True

    existing = {c.key: c for c in session.scalars(
        select(Control).where(Control.catalogue_id == catalogue.id))}
    for control_def in definition.controls:
        control = existing.pop(control_def.key, None)
        if control is None:
            control = Control(key=control_def.key, catalogue=catalogue, title_en="")
            session.add(control)
            _apply(control, control_def, groups)
            result.added.append(control_def.key)
        else:
            if _apply(control, control_def, groups):
                result.updated.append(control_def.key)
            if control.retired_at is not None:
                control.retired_at = None
                result.revived.append(control_def.key)
        if catalogue.has_soa and control.soa_entry is None:
            control.soa_entry = SoAEntry()
    session.flush()
    _retire_or_delete(session, list(existing.values()), result)
    return result


def _apply(control: Control, definition: ControlDef, groups: dict) -> bool:
    changed = False
    for column, value in (("code", definition.id), ("group_id", groups[definition.group].id),
                          ("frequency", definition.frequency), ("position", definition.position),
                          ("typical_evidence", [{"en": t.en, "da": t.da}
                                                for t in definition.evidence]),
                          ("urn", definition.urn)):
        if getattr(control, column) != value:
            setattr(control, column, value)
            changed = True
    for name in ("title", "description", "test_procedure", "test_performed"):
        changed |= _texts(control, name, getattr(definition, name))
    return changed


def _retire_or_delete(session: Session, gone: list[Control], result: CatalogueChanges) -> None:
    if not gone:
        return
    ids = [c.id for c in gone]
    attached: set[int] = set(session.scalars(
        select(SoAEntry.control_id).where(SoAEntry.control_id.in_(ids),
                                          SoAEntry.applicable.is_not(None))))
    for check in ATTACHMENT_CHECKS:
        attached |= check(session, ids)
    for control in gone:
        if control.id in attached:
            if control.retired_at is None:
                control.retired_at = utcnow()
                result.retired.append(control.key)
        else:
            session.execute(delete(ControlMapping).where(
                (ControlMapping.source_id == control.id)
                | (ControlMapping.target_id == control.id)))
            session.execute(delete(SoAEntry).where(SoAEntry.control_id == control.id))
            session.delete(control)
            result.deleted.append(control.key)
    session.flush()


def _sync_mappings(session: Session, definition: CatalogueDef, by_key: dict,
                   result: CatalogueChanges) -> None:
    wanted = {(by_key[c.key].id, by_key[target].id): (None, None)
              for c in definition.controls for target in c.mappings}
    source_ids = [by_key[c.key].id for c in definition.controls]
    added, removed, _ = sync_mapping_rows(session, None, source_ids, wanted)
    result.mappings_added += added
    result.mappings_removed += removed


def sync_mapping_rows(session: Session, mapping_set: str | None, source_ids: Collection[int],
                      wanted: dict[tuple[int, int], tuple[str | None, str | None]]
                      ) -> tuple[int, int, int]:
    """Make the mappings of one origin from `source_ids` exactly `wanted`; flushes.

    The origin is a catalogue file (`mapping_set` None) or an imported mapping set (its urn);
    `wanted` maps (source id, target id) to (relation, rationale). A pair another origin
    already maps is left to it. Returns (added, removed, updated).
    """
    rows = list(session.scalars(select(ControlMapping).where(
        ControlMapping.source_id.in_(source_ids))))
    current = {(m.source_id, m.target_id): m for m in rows if m.mapping_set == mapping_set}
    elsewhere = {(m.source_id, m.target_id) for m in rows if m.mapping_set != mapping_set}
    added = removed = updated = 0
    for pair, (relation, rationale) in wanted.items():
        mapping = current.get(pair)
        if mapping is None and pair not in elsewhere:
            session.add(ControlMapping(source_id=pair[0], target_id=pair[1],
                                       mapping_set=mapping_set, relation=relation,
                                       rationale=rationale))
            added += 1
        elif mapping is not None and (mapping.relation, mapping.rationale) != (relation,
                                                                                rationale):
            mapping.relation, mapping.rationale = relation, rationale
            updated += 1
    for pair in current.keys() - wanted.keys():
        session.delete(current[pair])
        removed += 1
    session.flush()
    return added, removed, updated
