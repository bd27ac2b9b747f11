"""CISO Assistant library files → the catalogue loader's intermediate form (pure module).

A framework library becomes a `CatalogueDef`, exactly what the YAML loader produces, so
`sync.py` upserts it with the same code (idempotent, removed controls retired when something
hangs on them). Mapping-set libraries become `MappingSetDef`s, resolved against the database by
`sync.import_libraries`. The format is described in the README ("CISO Assistant libraries").

How the requirement tree becomes groups and controls:
- an assessable node is a control, in the group of its nearest non-assessable ancestor;
- a non-assessable node outside any control is a group, nested in its parent's group;
- a non-assessable node under an assessable one is part of that requirement's text: it is
  appended to the control's description;
- assessable nodes at the top level go to one group named after the framework.
A control's id is its `ref_id`, or the last segment of its urn when the `ref_id` is missing,
repeated or unusable as an id (spaces, ':'); a group's code likewise.

Texts: English from the node (or its `translations.en` when the library is in another
language), Danish from `translations.da` (or the node itself in a Danish library); Danish falls
back to English, English to the library's own language. Errors name the file and the node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .schema import (
    CatalogueDef,
    CatalogueError,
    ControlDef,
    GroupDef,
    LibraryInfo,
    Text,
)

RELATIONS = ("equal", "subset", "superset", "intersect", "not_related")
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
_ID = re.compile(r"[^\s:]+")
_MAX_CODE = 64
_MAX_CONTROL_TITLE = 500
_MAX_GROUP_TITLE = 300
_HANDLED = ("framework", "frameworks", "requirement_mapping_sets", "requirement_mapping_set")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class MappingDef:
    """One requirement mapping of a mapping set, by requirement urn."""

    source_urn: str
    target_urn: str
    relation: str
    rationale: str | None
    position: int  # 0-based order in the set, for error messages


@dataclass(frozen=True)
class MappingSetDef:
    """A mapping set: relations from one framework's requirements to another's."""

    urn: str
    name: str
    source_catalogue: str  # catalogue ids (the last segment of the framework urns)
    target_catalogue: str
    mappings: tuple[MappingDef, ...]
    path: str
    where: str  # e.g. "mapping set #1 (urn:…)" for messages


@dataclass(frozen=True)
class LibraryDef:
    """What Kontrol takes from one library file; `notes` say what it skipped."""

    path: str
    urn: str
    dependencies: tuple[str, ...]
    catalogues: tuple[CatalogueDef, ...]
    mapping_sets: tuple[MappingSetDef, ...]
    notes: tuple[str, ...] = ()


def last_segment(urn: str) -> str:
    """The part of an urn after its last ':' (a framework urn's last segment is its key)."""
    return urn.rsplit(":", 1)[-1].strip().lower()


def _lang(locale) -> str:
    return re.split(r"[-_]", str(locale or "en").lower())[0]


@dataclass
class _Reader:
    """Reads one library, collecting errors that name the file and the node."""

    path: str
    errors: list[CatalogueError] = field(default_factory=list)
    locale: str = "en"

    def error(self, where: str, message: str) -> None:
        self.errors.append(CatalogueError(self.path, None, f"{where}: {message}"))

    def string(self, record: dict, key: str, where: str, required: bool = False) -> str | None:
        """A scalar as a stripped string (numbers such as `ref_id: 1` are taken as text)."""
        value = record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(where, f"'{key}' is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(where, f"'{key}' must be text, got {type(value).__name__}")
            return None
        return str(value).strip()

    def text(self, record: dict, key: str, where: str) -> Text | None:
        """The field in English and Danish, from the record and its translations."""
        own = self.string(record, key, where)
        translations = record.get("translations")
        if not isinstance(translations, dict):
            translations = {}

        def translated(lang: str) -> str | None:
            entry = translations.get(lang)
            if isinstance(entry, dict):
                return self.string(entry, key, f"{where} translations.{lang}")
            return None

        en = own if self.locale == "en" else (translated("en") or own)
        da = own if self.locale == "da" else translated("da")
        if en is None:
            en = da
        return None if en is None else Text(en, da or en)


def _shorten(text: Text, limit: int) -> Text:
    def cut(value: str) -> str:
        value = " ".join(value.split())
        return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"

    return Text(cut(text.en), cut(text.da))


def _codes(nodes: Sequence[dict], limit: int = _MAX_CODE) -> dict[str, str]:
    """Urn -> code: the ref_id where usable and unique, else the urn's last segment."""
    ref_ids = [str(node.get("ref_id") or "").strip() for node in nodes]
    counts: dict[str, int] = {}
    for ref_id in ref_ids:
        counts[ref_id] = counts.get(ref_id, 0) + 1
    codes, taken = {}, set()
    for node, ref_id in zip(nodes, ref_ids, strict=True):
        usable = ref_id and counts[ref_id] == 1 and _ID.fullmatch(ref_id) and len(ref_id) <= limit
        code = ref_id if usable else re.sub(r"[\s:]+", "-", node["urn"].rsplit(":", 1)[-1])
        code = code[:limit] or "node"
        base, number = code, 2
        while code in taken:  # a repeated urn segment: rare, but ids must stay unique
            code = f"{base[: limit - len(str(number)) - 1]}-{number}"
            number += 1
        taken.add(code)
        codes[node["urn"]] = code
    return codes


def _framework(reader: _Reader, framework, library: dict, kind: str) -> CatalogueDef | None:
    where = "framework"
    if not isinstance(framework, dict):
        reader.error(where, "must be a mapping")
        return None
    urn = reader.string(framework, "urn", where, required=True)
    if urn is None:
        return None
    where = f"framework {urn}"
    slug = last_segment(urn)
    if not _SLUG.fullmatch(slug) or len(slug) > 64:
        reader.error(where, f"the urn's last segment '{slug}' cannot be a catalogue id "
                            "(lowercase letters, digits, '.', '_' and '-', at most 64)")
        return None
    raw_nodes = framework.get("requirement_nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        reader.error(where, "'requirement_nodes' must be a non-empty list")
        return None
    nodes = _nodes(reader, raw_nodes)
    if nodes is None:
        return None
    groups, controls = _tree(reader, nodes, slug, framework, library)
    title = reader.text(framework, "name", where) or reader.text(library, "name", "library")
    if title is None:
        reader.error(where, "'name' is missing (and the library has none)")
    if reader.errors:
        return None
    description = reader.text(framework, "description", where) or reader.text(
        library, "description", "library")
    licence = reader.string(library, "licence", "library") or reader.string(
        library, "license", "library")
    copyright_text = reader.text(library, "copyright", "library")
    info = LibraryInfo(urn=str(library["urn"]).strip(),
                       provider=reader.string(library, "provider", "library"),
                       copyright=copyright_text.en if copyright_text else None,
                       licence=licence)
    return CatalogueDef(
        id=slug, kind=kind, version=reader.string(library, "version", "library"),
        title=_shorten(title, _MAX_GROUP_TITLE), description=description,
        groups=tuple(groups), controls=tuple(controls), path=reader.path, library=info)


def _nodes(reader: _Reader, raw_nodes: list) -> list[dict] | None:
    """Check each node's urn, assessable flag and parent; None when any is wrong."""
    nodes, seen = [], set()
    for number, node in enumerate(raw_nodes, 1):
        where = f"requirement node #{number}"
        if not isinstance(node, dict):
            reader.error(where, "must be a mapping")
            continue
        urn = reader.string(node, "urn", where, required=True)
        if urn is None:
            continue
        where = f"requirement node #{number} ({urn})"
        if urn in seen:
            reader.error(where, "this urn is used by an earlier node too")
            continue
        seen.add(urn)
        assessable = node.get("assessable", False)
        if not isinstance(assessable, bool):
            reader.error(where, f"'assessable' must be true or false, got {assessable!r}")
        nodes.append({**node, "urn": urn, "_where": where, "_assessable": assessable is True})
    by_urn = {node["urn"]: node for node in nodes}
    for node in nodes:
        parent = node.get("parent_urn")
        if parent is not None and parent not in by_urn:
            reader.error(node["_where"], f"parent_urn '{parent}' names no node of this framework")
        elif parent == node["urn"]:
            reader.error(node["_where"], "the node is its own parent")
    if reader.errors:
        return None
    for node in nodes:  # a loop in the parents would never reach the top
        steps, current = 0, node
        while current.get("parent_urn") is not None and steps <= len(nodes):
            current, steps = by_urn[current["parent_urn"]], steps + 1
        if steps > len(nodes):
            reader.error(node["_where"], "its parent_urn chain loops back on itself")
            return None
    return nodes


def _ancestors(node: dict, by_urn: dict) -> Iterable[dict]:
    while node.get("parent_urn") is not None:
        node = by_urn[node["parent_urn"]]
        yield node


def _tree(reader: _Reader, nodes: list[dict], slug: str, framework: dict, library: dict):
    """Split the nodes into groups and controls (see the module docstring)."""
    by_urn = {node["urn"]: node for node in nodes}
    under_control = {node["urn"] for node in nodes if not node["_assessable"] and any(
        a["_assessable"] for a in _ancestors(node, by_urn))}
    group_nodes = [n for n in nodes if not n["_assessable"] and n["urn"] not in under_control]
    control_nodes = [n for n in nodes if n["_assessable"]]
    group_codes, control_codes = _codes(group_nodes), _codes(control_nodes)

    def group_of(node: dict) -> str | None:
        for ancestor in _ancestors(node, by_urn):
            if ancestor["urn"] in group_codes:
                return group_codes[ancestor["urn"]]
        return None

    groups = []
    for position, node in enumerate(group_nodes):
        code = group_codes[node["urn"]]
        title, description = _node_texts(reader, node) or (Text(code, code), None)
        groups.append(GroupDef(code, _shorten(title, _MAX_GROUP_TITLE),
                               description, position, parent=group_of(node)))
    extra: dict[str, list[Text]] = {}
    for node in nodes:
        if node["urn"] in under_control:
            owner = next(a for a in _ancestors(node, by_urn) if a["_assessable"])
            name = reader.text(node, "name", node["_where"])
            body = _join(name, reader.text(node, "description", node["_where"]))
            if body is not None:
                extra.setdefault(owner["urn"], []).append(_prefixed(node, body))
    top_code = None
    if any(group_of(node) is None for node in control_nodes):
        top_code = slug if slug not in group_codes.values() else f"{slug}-top"
        title = reader.text(framework, "name", "framework") or reader.text(
            library, "name", "library") or Text(slug, slug)
        groups.append(GroupDef(top_code[:_MAX_CODE], _shorten(title, _MAX_GROUP_TITLE), None,
                               len(groups)))
    controls = []
    for position, node in enumerate(control_nodes):
        code = control_codes[node["urn"]]
        title, description = _node_texts(reader, node) or (Text(code, code), None)
        for line in extra.get(node["urn"], ()):
            description = line if description is None else _join(description, line)
        evidence = reader.text(node, "typical_evidence", node["_where"])
        controls.append(ControlDef(
            catalogue_id=slug, id=code,
            group=group_of(node) or top_code[:_MAX_CODE],
            title=_shorten(title, _MAX_CONTROL_TITLE), description=description, frequency=None,
            test_procedure=None, evidence=(evidence,) if evidence else (), mappings=(),
            position=position, line=0, urn=node["urn"]))
    return groups, controls


def _node_texts(reader: _Reader, node: dict) -> tuple[Text, Text | None] | None:
    """(title, description): the name, or the description when the node has no name."""
    where = node["_where"]
    name = reader.text(node, "name", where)
    description = reader.text(node, "description", where)
    title = name or description
    if title is None:
        return None  # a node with no text at all: the caller names it by its code
    return title, description


def _prefixed(node: dict, text: Text) -> Text:
    ref_id = str(node.get("ref_id") or "").strip()
    return Text(f"{ref_id} {text.en}", f"{ref_id} {text.da}") if ref_id else text


def _join(first: Text | None, second: Text | None) -> Text | None:
    if first is None or second is None:
        return first or second
    return Text(f"{first.en}\n{second.en}", f"{first.da}\n{second.da}")


def _mapping_sets(reader: _Reader, objects: dict) -> list[MappingSetDef]:
    raw = objects.get("requirement_mapping_sets")
    if raw is None and objects.get("requirement_mapping_set") is not None:
        raw = [objects["requirement_mapping_set"]]
    if raw is None:
        return []
    if not isinstance(raw, list):
        reader.error("requirement_mapping_sets", "must be a list")
        return []
    sets = []
    for number, entry in enumerate(raw, 1):
        where = f"mapping set #{number}"
        if not isinstance(entry, dict):
            reader.error(where, "must be a mapping")
            continue
        urn = reader.string(entry, "urn", where, required=True)
        where = f"mapping set #{number} ({urn})" if urn else where
        source = reader.string(entry, "source_framework_urn", where, required=True)
        target = reader.string(entry, "target_framework_urn", where, required=True)
        items = entry.get("requirement_mappings")
        if not isinstance(items, list):
            reader.error(where, "'requirement_mappings' must be a list")
            continue
        mappings = []
        for position, item in enumerate(items):
            item_where = f"{where} mapping #{position + 1}"
            if not isinstance(item, dict):
                reader.error(item_where, "must be a mapping")
                continue
            source_urn = reader.string(item, "source_requirement_urn", item_where, True)
            target_urn = reader.string(item, "target_requirement_urn", item_where, True)
            relation = (reader.string(item, "relationship", item_where, True) or "").lower()
            if relation and relation not in RELATIONS:
                reader.error(item_where, f"relationship '{relation}' is not one of "
                                         f"{', '.join(RELATIONS)}")
            rationale = item.get("rationale")
            rationale = None if rationale is None else " ".join(str(rationale).split())[:200]
            if source_urn and target_urn and relation in RELATIONS:
                mappings.append(MappingDef(source_urn, target_urn, relation, rationale or None,
                                           position))
        if urn and source and target:
            name = reader.string(entry, "name", where) or urn
            sets.append(MappingSetDef(urn, name, last_segment(source), last_segment(target),
                                      tuple(mappings), reader.path, where))
    return sets


def parse_library(text: str, path: str, kind: str = "assurance"
                  ) -> tuple[LibraryDef | None, list[CatalogueError]]:
    """Parse one library file's text; (library, []) or (None, every error found)."""
    reader = _Reader(path)
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - the safe loader (C or Python)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [CatalogueError(path, mark.line + 1 if mark else None,
                                     f"YAML syntax error: {problem}")]
    if not isinstance(data, dict) or not isinstance(data.get("objects"), dict):
        return None, [CatalogueError(path, None, "not a CISO Assistant library: expected a "
                                                  "mapping with 'urn' and 'objects'")]
    urn = reader.string(data, "urn", "library", required=True)
    reader.locale = _lang(data.get("locale"))
    objects = data["objects"]
    frameworks = objects.get("frameworks") or []
    if objects.get("framework") is not None:
        frameworks = [objects["framework"], *frameworks]
    catalogues = [c for c in (_framework(reader, f, data, kind) for f in frameworks) if c]
    mapping_sets = _mapping_sets(reader, objects)
    dependencies = data.get("dependencies") or []
    if not isinstance(dependencies, list):
        reader.error("library", "'dependencies' must be a list of library urns")
        dependencies = []
    if not reader.errors and not catalogues and not mapping_sets:
        reader.error("library", "has neither a framework nor a requirement mapping set, so "
                                "there is nothing for Kontrol to import")
    if reader.errors:
        return None, reader.errors
    skipped = sorted(key for key in objects if key not in _HANDLED)
    notes = (f"skipped what Kontrol does not use: {', '.join(skipped)}",) if skipped else ()
    return LibraryDef(path, urn, tuple(str(d) for d in dependencies), tuple(catalogues),
                      tuple(mapping_sets), notes), []


def read_libraries(files: Sequence[tuple[str, bytes]], kinds: dict[str, str] | None = None,
                   default_kind: str = "assurance"
                   ) -> tuple[list[LibraryDef], list[CatalogueError]]:
    """Parse (name, bytes) pairs; each framework gets its kind from `kinds` (by catalogue id).

    Returns (libraries, []) or ([], errors); ids must be unique across the files.
    """
    libraries, errors = [], []
    for name, raw in files:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(CatalogueError(name, raw.count(b"\n", 0, exc.start) + 1,
                                         f"not valid UTF-8 (byte {exc.start})"))
            continue
        library, file_errors = parse_library(text, name, default_kind)
        errors.extend(file_errors)
        if library is not None:
            libraries.append(library)
    first: dict[str, str] = {}
    for library in libraries:
        for catalogue in library.catalogues:
            if catalogue.id in first:
                errors.append(CatalogueError(library.path, None, f"framework '{catalogue.id}' "
                                             f"is also in {first[catalogue.id]}"))
            first.setdefault(catalogue.id, library.path)
    if errors:
        return [], errors
    if kinds:
        libraries = [replace(library, catalogues=tuple(
            replace(c, kind=kinds.get(c.id, c.kind)) for c in library.catalogues))
            for library in libraries]
    return libraries, []


def library_files(paths: Sequence[str | Path]) -> tuple[list[tuple[str, bytes]],
                                                          list[CatalogueError]]:
    """Read library files (a folder: its *.yaml and *.yml files) as (name, bytes) pairs."""
    files, errors = [], []
    for path in map(Path, paths):
        found = (sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir()
                 else [path])
        for item in found:
            try:
                files.append((str(item), item.read_bytes()))
            except OSError as exc:
                errors.append(CatalogueError(str(item), None,
                                             f"cannot read: {exc.strerror or exc}"))
    return files, errors
