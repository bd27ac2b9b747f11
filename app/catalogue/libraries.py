"""Importing CISO Assistant libraries: frameworks become catalogues, mapping sets mappings.

`ciso.py` turns each file into the loader's intermediate form; this module checks what needs
the database (catalogue ids taken by a YAML catalogue, mapping sets whose frameworks are not
loaded), then writes everything in one transaction with `sync.py`'s own upsert, so a
re-import behaves like `flask catalogue load`: unchanged files change nothing, changed texts
update, removed requirements are retired when something hangs on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.permissions import Permission, require
from ..ledger.service import append
from . import ciso
from .models import Catalogue, CatalogueKind, Control
from .schema import CatalogueError
from .sync import CatalogueChanges, CatalogueInvalid, _sync, sync_mapping_rows

DEFAULT_KIND = CatalogueKind.ASSURANCE.value


@dataclass
class MappingSetChanges:
    """What importing one mapping set changed."""

    urn: str
    source: str
    target: str
    added: int = 0
    removed: int = 0
    updated: int = 0
    unresolved: list[str] = field(default_factory=list)  # requirement urns with no control

    def summary(self) -> str:
        """One line for the CLI and the page."""
        changes = (f"+{self.added}/-{self.removed}, {self.updated} updated"
                   if self.added or self.removed or self.updated else "unchanged")
        line = f"mappings {self.source} → {self.target}: {changes}"
        if self.unresolved:
            shown = ", ".join(self.unresolved[:3]) + (" …" if len(self.unresolved) > 3 else "")
            line += (f"; {len(self.unresolved)} skipped, naming requirements that are not "
                     f"controls here ({shown})")
        return line


@dataclass
class ImportResult:
    """What one import did: per catalogue, per mapping set, and notes on skipped content."""

    catalogues: list[CatalogueChanges]
    mapping_sets: list[MappingSetChanges]
    notes: list[str]

    def lines(self) -> list[str]:
        """Summary lines, catalogues first."""
        return ([c.summary() for c in self.catalogues]
                + [m.summary() for m in self.mapping_sets] + self.notes)


def check_libraries(session: Session, files: Sequence[tuple[str, bytes]],
                    kind: str | None = None) -> list[ciso.LibraryDef]:
    """Parse and check library files without writing; raises CatalogueInvalid with every error.

    `kind` sets the kind of every framework; without it a re-imported catalogue keeps its
    kind and a new one is an assurance catalogue.
    """
    if kind is not None and kind not in {k.value for k in CatalogueKind}:
        raise CatalogueInvalid([CatalogueError("kind", None, f"unknown kind '{kind}'")])
    existing = {c.slug: c for c in session.scalars(select(Catalogue))}
    kinds = {slug: kind or catalogue.kind for slug, catalogue in existing.items()}
    libraries, errors = ciso.read_libraries(files, kinds, kind or DEFAULT_KIND)
    if errors:
        raise CatalogueInvalid(errors)
    importing = {c.id for library in libraries for c in library.catalogues}
    for library in libraries:
        for definition in library.catalogues:
            other = existing.get(definition.id)
            if other is not None and other.library_urn != definition.library.urn:
                origin = (f"the library {other.library_urn}" if other.library_urn
                          else f"the catalogue file {other.source_path}")
                errors.append(CatalogueError(library.path, None, (
                    f"framework {definition.library.urn}: catalogue id '{definition.id}' is "
                    f"already used by {origin}")))
        for mapping_set in library.mapping_sets:
            for slug in (mapping_set.source_catalogue, mapping_set.target_catalogue):
                if slug not in existing and slug not in importing:
                    needed = next((d for d in library.dependencies
                                   if ciso.last_segment(d) == slug), f"the framework '{slug}'")
                    errors.append(CatalogueError(library.path, None, (
                        f"{mapping_set.where}: needs the framework '{slug}', which is not "
                        f"loaded: import its library ({needed}) first, or with this one")))
    if errors:
        raise CatalogueInvalid(errors)
    return libraries


def import_libraries(session: Session, actor, files: Sequence[tuple[str, bytes]],
                     kind: str | None = None) -> ImportResult:
    """Check and import CISO Assistant library files in one transaction."""
    require(actor, Permission.LOAD_CATALOGUE)
    libraries = check_libraries(session, files, kind)
    notes = [f"{library.path}: {note}" for library in libraries for note in library.notes]
    try:
        results = []
        for library in libraries:
            for definition in library.catalogues:
                result = _sync(session, actor, definition)
                results.append(result)
                if result.any:
                    append(session, actor, "catalogue.imported", None, {
                        "library": library.urn, **{k: v for k, v in vars(result).items()
                                                   if v and k != "slug"}},
                        entity_type="catalogue", entity_id=definition.id)
        sets = [_import_mapping_set(session, actor, library, mapping_set)
                for library in libraries for mapping_set in library.mapping_sets]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ImportResult(results, sets, notes)


def _resolver(session: Session, slug: str):
    """Look requirement urns up as control ids in one catalogue.

    By the stored urn; in a catalogue without urns (a YAML one) by the urn's last segment
    matched to the control id, so a mapping set reaches the shipped ISO 27001 catalogue.
    """
    rows = session.execute(select(Control.id, Control.urn, func.lower(Control.code))
                           .join(Catalogue, Control.catalogue_id == Catalogue.id)
                           .where(Catalogue.slug == slug)).all()
    by_urn = {urn: id_ for id_, urn, _ in rows if urn}
    by_code = {code: id_ for id_, urn, code in rows}

    def resolve(urn: str) -> int | None:
        return by_urn.get(urn) or (None if by_urn else by_code.get(ciso.last_segment(urn)))

    return resolve, [id_ for id_, _, _ in rows]


def _import_mapping_set(session: Session, actor, library: ciso.LibraryDef,
                        mapping_set: ciso.MappingSetDef) -> MappingSetChanges:
    changes = MappingSetChanges(mapping_set.urn, mapping_set.source_catalogue,
                                mapping_set.target_catalogue)
    source, source_ids = _resolver(session, mapping_set.source_catalogue)
    target, _ = _resolver(session, mapping_set.target_catalogue)
    wanted = {}
    for mapping in mapping_set.mappings:
        pair = (source(mapping.source_urn), target(mapping.target_urn))
        if None in pair:
            changes.unresolved.append(mapping.source_urn if pair[0] is None
                                      else mapping.target_urn)
        elif pair[0] != pair[1]:
            wanted[pair] = (mapping.relation, mapping.rationale)
    changes.added, changes.removed, changes.updated = sync_mapping_rows(
        session, mapping_set.urn, source_ids, wanted)
    if changes.added or changes.removed or changes.updated:
        append(session, actor, "catalogue.mappings_imported", None, {
            "library": library.urn, "source": changes.source, "target": changes.target,
            "added": changes.added, "removed": changes.removed, "updated": changes.updated},
            entity_type="mapping_set", entity_id=mapping_set.urn[:128])
    return changes
