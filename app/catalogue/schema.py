"""Catalogue YAML schema: turns catalogue files into frozen dataclasses or a list of errors.

Pure module (stdlib and PyYAML only). The format is the "catalogue YAML format (v1)" contract.
We walk the node tree from `yaml.compose` (safe loader, nothing is ever constructed) instead of
the loaded Python objects, so every error carries the line of the node at fault and duplicate
keys, which PyYAML would silently merge, are caught. All errors are collected, not just the first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import partialmethod
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FREQUENCIES = tuple(
    "annual semi-annual quarterly monthly semi-monthly weekly daily multiple-daily automated"
    " event-driven".split()
)
KINDS = ("standard", "extension", "assurance")
LANGUAGES = ("en", "da")

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_CONTROL_ID = re.compile(r"[^\s:]+")
# Imported catalogues' ids may also hold '.' and '_' (nist-csf-2.0), so keys may name them.
_CONTROL_KEY = re.compile(r"[a-z0-9][a-z0-9._-]*:[^\s:]+")
_SLUG_RULE = "must be lowercase letters, digits and '-' (e.g. iso27001-2022)"
_CONTROL_KEY_RULE = "must look like <catalogue id>:<control id> (e.g. iso27001-2022:A.8.15)"
_STR_TAG, _SEQ_TAG, _MAP_TAG = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
_TOP_KEYS = ("catalogue", "groups", "controls")
# What each mapping may hold: key -> (reader method of _Parser, required?)
_CATALOGUE_SPEC = dict(
    id=("slug", True), kind=("kind", True), version=("string", False),
    title=("text", True), description=("text", False),
)  # fmt: skip
_GROUP_SPEC = dict(id=("string", True), title=("text", True), description=("text", False))
_CONTROL_SPEC = dict(
    id=("control_id", True), group=("string", True), title=("text", True),
    description=("text", False), frequency=("frequency", False), test_procedure=("text", False),
    test_performed=("text", False),
    evidence=("texts", False), mappings=("keys", False),
)  # fmt: skip


@dataclass(frozen=True)
class Text:
    """A text in English and Danish; Danish falls back to English when not given."""

    en: str
    da: str

    def get(self, lang: str) -> str:
        """Return the text in `lang` ("da", "da-DK"... give Danish, anything else English)."""
        return self.da if lang.lower().startswith("da") else self.en


@dataclass(frozen=True)
class GroupDef:
    """A group of controls: an ISO theme or an ISAE control objective."""

    id: str
    title: Text
    description: Text | None
    position: int  # 0-based order in the file
    parent: str | None = None  # the id of the enclosing group (CISO Assistant libraries nest)


@dataclass(frozen=True)
class ControlDef:
    """One control of a catalogue, as written in its YAML file."""

    catalogue_id: str
    id: str
    group: str
    title: Text
    description: Text | None
    frequency: str | None
    test_procedure: Text | None
    evidence: tuple[Text, ...]
    mappings: tuple[str, ...]
    position: int  # 0-based order in the file
    line: int
    test_performed: Text | None = None  # the test as the report prints it, in the past tense
    urn: str | None = None  # the requirement's urn, for controls from a CISO Assistant library

    @property
    def key(self) -> str:
        """The stable key `<catalogue id>:<control id>` used by mappings and the database."""
        return f"{self.catalogue_id}:{self.id}"


@dataclass(frozen=True)
class CatalogueDef:
    """A whole catalogue file: header, groups and controls."""

    id: str
    kind: str
    version: str | None
    title: Text
    description: Text | None
    groups: tuple[GroupDef, ...]
    controls: tuple[ControlDef, ...]
    path: str
    library: LibraryInfo | None = None  # where an imported catalogue came from


@dataclass(frozen=True)
class LibraryInfo:
    """The provenance of a catalogue imported from an open library (CISO Assistant)."""

    urn: str
    provider: str | None = None
    copyright: str | None = None
    licence: str | None = None


@dataclass(frozen=True)
class CatalogueError:
    """A problem in a catalogue file, with the 1-based line where known."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe(node: Node) -> str:
    """Say what a node is, for "expected X, got Y" messages."""
    kind = node.tag.removeprefix("tag:yaml.org,2002:")
    if kind in ("bool", "int", "float", "timestamp"):
        shown = {"bool": "true/false", "timestamp": "a date"}.get(kind, "a number")
        return f"{shown} ({node.value}); put it in quotes"
    names = {"seq": "a list", "map": "a mapping", "str": "a string", "null": "nothing"}
    return names.get(kind, f"a value tagged {node.tag}")


class _Parser:
    """Walks one file's node tree, collecting errors as it goes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[CatalogueError] = []

    def error(self, node: Node, message: str) -> None:
        self.errors.append(CatalogueError(self.path, _line(node), message))

    def fields(
        self, node: Node, where: str, allowed: Sequence[str], required: Sequence[str], noun="key"
    ) -> dict[str, Node] | None:
        """Check a mapping's keys; return the allowed ones with their value nodes."""
        if not isinstance(node, MappingNode) or node.tag != _MAP_TAG:
            self.error(node, f"{where}: expected a mapping, got {_describe(node)}")
            return None
        found: dict[str, Node] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR_TAG):
                self.error(key_node, f"{where}: a key must be a name, got {_describe(key_node)}")
            elif key in seen:
                message = f"{where}: {noun} '{key}' appears twice (first at line {seen[key]})"
                self.error(key_node, message)
            elif key not in allowed:
                message = f"{where}: unknown {noun} '{key}'; allowed: {', '.join(allowed)}"
                self.error(key_node, message)
            else:
                found[key] = value_node
            if isinstance(key, str):
                seen.setdefault(key, _line(key_node))
        for key in required:
            if key not in seen:
                self.error(node, f"{where}: missing '{key}'")
        return found

    def record(self, node: Node | None, where: str, spec: dict) -> tuple[dict[str, Any], dict]:
        """Check a mapping against a spec; return the values that could be read, and the nodes."""
        if node is None:  # a missing section, already reported
            return {}, {}
        required = [key for key, (_, needed) in spec.items() if needed]
        found = self.fields(node, where, tuple(spec), required) or {}
        read = {key: getattr(self, spec[key][0])(n, where, f"'{key}'") for key, n in found.items()}
        return {key: value for key, value in read.items() if value is not None}, found

    def string(self, node: Node, where: str, what: str) -> str | None:
        """Return a non-empty, stripped string, or report why the node is not one."""
        if isinstance(node, ScalarNode) and (
            node.tag.endswith(":null") or (node.tag == _STR_TAG and not node.value.strip())
        ):
            self.error(node, f"{where}: {what} is empty")
        elif not isinstance(node, ScalarNode) or node.tag != _STR_TAG:
            self.error(node, f"{where}: {what} must be a string, got {_describe(node)}")
        else:
            return node.value.strip()
        return None

    def matching(self, node: Node, where: str, what: str, pattern: re.Pattern, rule: str):
        """Return a string that must match `pattern`; `rule` tells the reader what that means."""
        value = self.string(node, where, what)
        if value is not None and not pattern.fullmatch(value):
            self.error(node, f"{where}: {what} {rule}, got '{value}'")
            return None
        return value

    def choice(self, node: Node, where: str, what: str, allowed: Sequence[str]) -> str | None:
        """Return a string that must be one of `allowed`."""
        value = self.string(node, where, what)
        if value is not None and value not in allowed:
            self.error(node, f"{where}: {what} must be one of {', '.join(allowed)}, got '{value}'")
            return None
        return value

    slug = partialmethod(matching, pattern=_SLUG, rule=_SLUG_RULE)
    control_id = partialmethod(matching, pattern=_CONTROL_ID, rule="must not contain spaces or ':'")
    control_key = partialmethod(matching, pattern=_CONTROL_KEY, rule=_CONTROL_KEY_RULE)
    kind = partialmethod(choice, allowed=KINDS)
    frequency = partialmethod(choice, allowed=FREQUENCIES)

    def text(self, node: Node, where: str, what: str) -> Text | None:
        """Return a Text from a plain string or an {en, da} mapping."""
        if not isinstance(node, MappingNode):
            value = self.string(node, where, what)
            return None if value is None else Text(value, value)
        where = f"{where} {what}"
        langs = self.fields(node, where, LANGUAGES, ("en",), noun="language") or {}
        values = {lang: self.string(n, where, f"'{lang}'") for lang, n in langs.items()}
        if values.get("en") is None or None in values.values():
            return None
        return Text(values["en"], values.get("da", values["en"]))

    def items(self, node: Node, where: str, what: str, non_empty: bool = False) -> list[Node]:
        """Return a list's item nodes, or report why the node is not a (non-empty) list."""
        is_list = isinstance(node, SequenceNode) and node.tag == _SEQ_TAG
        if is_list and (node.value or not non_empty):
            return node.value
        need = "a non-empty list" if non_empty else "a list"
        got = "an empty list" if is_list else _describe(node)
        self.error(node, f"{where}: {what} must be {need}, got {got}")
        return []

    def texts(self, node: Node, where: str, what: str) -> tuple[Text | None, ...]:
        """Return a list of texts (such as evidence)."""
        items = self.items(node, where, what)
        return tuple(self.text(n, where, f"{what} item {i}") for i, n in enumerate(items, 1))

    def keys(self, node: Node, where: str, what: str) -> list[tuple[str, Node]]:
        """Return well-formed control keys (such as mappings) with their nodes."""
        pairs = [
            (self.control_key(item, where, "mapping"), item)
            for item in self.items(node, where, what)
        ]
        return [(key, item) for key, item in pairs if key is not None]

    def catalogue(self, root: Node) -> CatalogueDef | None:
        """Parse a whole file; None when anything is wrong (see self.errors)."""
        if root is None:
            message = f"the file is empty; expected the keys {', '.join(_TOP_KEYS)}"
            self.errors.append(CatalogueError(self.path, None, message))
            return None
        top = self.fields(root, "top level", _TOP_KEYS, _TOP_KEYS)
        if top is None:
            return None
        head, _ = self.record(top.get("catalogue"), "catalogue", _CATALOGUE_SPEC)
        groups = [
            GroupDef(values["id"], values.get("title"), values.get("description"), position)
            for position, _, _, values, _ in self.entries(top.get("groups"), "group", _GROUP_SPEC)
            if "id" in values
        ]
        # Without any readable group, "unknown group" on every control would only be noise.
        group_ids = list(dict.fromkeys(group.id for group in groups)) or None
        controls = self.controls(top.get("controls"), head.get("id"), group_ids)
        if self.errors:
            return None
        return CatalogueDef(
            id=head["id"], kind=head["kind"], version=head.get("version"), title=head["title"],
            description=head.get("description"), groups=tuple(groups), controls=tuple(controls),
            path=self.path,
        )  # fmt: skip

    def entries(self, node: Node | None, noun: str, spec: dict) -> Iterator[tuple]:
        """Yield (position, node, label, values, value nodes) per list entry; ids must be unique."""
        first: dict[str, int] = {}
        items = [] if node is None else self.items(node, "top level", f"'{noun}s'", True)
        for position, item in enumerate(items):
            where = _label(noun, item, position)
            values, nodes = self.record(item, where, spec)
            entry_id = values.get("id")
            if entry_id in first:
                message = f"duplicate {noun} id '{entry_id}' (first at line {first[entry_id]})"
                self.error(nodes["id"], message)
            elif entry_id is not None:
                first[entry_id] = _line(item)
            yield position, item, where, values, nodes

    def controls(
        self, node: Node | None, cat_id: str | None, group_ids: list[str] | None
    ) -> list[ControlDef]:
        """Parse the controls; group_ids None means the groups could not be read.

        Controls are built even when something is wrong; the caller discards them then.
        """
        result = []
        for position, item, where, values, nodes in self.entries(node, "control", _CONTROL_SPEC):
            group = values.get("group")
            if group is not None and group_ids is not None and group not in group_ids:
                message = f"{where}: group '{group}' is not in 'groups'"
                self.error(nodes["group"], f"{message} (defined: {', '.join(group_ids)})")
            own_key = f"{cat_id}:{values.get('id')}"  # never a valid key if either is unknown
            values["mappings"] = self.check_own_mappings(values.get("mappings", ()), where, own_key)
            values = {key: values.get(key) for key in _CONTROL_SPEC} | {
                "evidence": values.get("evidence", ()), "mappings": values["mappings"]
            }  # fmt: skip
            result.append(ControlDef(cat_id, position=position, line=_line(item), **values))
        return result

    def check_own_mappings(
        self, keys: Sequence[tuple[str, Node]], where: str, own_key: str
    ) -> tuple[str, ...]:
        """Check a control's mappings do not point at the control itself or repeat."""
        first: dict[str, int] = {}
        for key, node in keys:
            if key == own_key:
                self.error(node, f"{where}: maps to itself ('{key}')")
            elif key in first:
                message = f"{where}: mapping '{key}' listed twice (first at line {first[key]})"
                self.error(node, message)
            else:
                first[key] = _line(node)
        return tuple(first)


def _label(noun: str, node: Node, position: int) -> str:
    """Name a group or control by its id if it has a readable one, else by its position."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "id" and isinstance(value_node, ScalarNode) and value_node.value:
                return f"{noun} {value_node.value}"
    return f"{noun} #{position + 1}"


# libyaml's parser is about ten times faster and gives the same node marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_catalogue(text: str, path: str) -> tuple[CatalogueDef | None, list[CatalogueError]]:
    """Parse one catalogue file's text; return (catalogue, []) or (None, every error found).

    `path` is only used to label errors. Mappings to other controls are checked for form here
    and for existence by `check_mappings`, which needs all catalogues.
    """
    parser = _Parser(path)
    try:
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError:
            # Re-read with the pure-Python parser: its messages are the clearer ones.
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        catalogue = parser.catalogue(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = f"{exc.context}, {exc.problem}" if exc.context else exc.problem
        parser.errors = [
            CatalogueError(path, mark and mark.line + 1, f"YAML syntax error: {problem}")
        ]
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        line = text.count("\n", 0, getattr(exc, "position", 0)) + 1
        parser.errors = [CatalogueError(path, line, f"YAML error: {str(exc).splitlines()[0]}")]
    if parser.errors:
        return None, sorted(parser.errors, key=lambda error: error.line or 0)
    return catalogue, []


def check_mappings(
    catalogues: Sequence[CatalogueDef], known_keys: Collection[str] = ()
) -> list[CatalogueError]:
    """Check what needs all catalogues at once; return the errors (empty when all is well).

    Every mapping must name a control in `catalogues` or in `known_keys` (keys already in the
    database); a mapping must be written on one side only; catalogue ids must be unique.
    """
    errors = []
    first_path: dict[str, str] = {}
    for cat in catalogues:
        if cat.id in first_path:
            message = f"catalogue id '{cat.id}' is already used by {first_path[cat.id]}"
            errors.append(CatalogueError(cat.path, None, message))
        first_path.setdefault(cat.id, cat.path)
    controls = {control.key: control for cat in catalogues for control in cat.controls}
    keys = set(known_keys) | controls.keys()
    catalogue_ids = {key.split(":", 1)[0] for key in keys}
    for cat in catalogues:
        for control in cat.controls:
            for key in control.mappings:
                where = f"control {control.id}: mapping '{key}'"
                cat_id, control_id = key.split(":", 1)
                if key not in keys:
                    why = f"catalogue '{cat_id}' has no control '{control_id}'"
                    if cat_id not in catalogue_ids:
                        why = f"no catalogue '{cat_id}' is loaded"
                    message = f"{where} names no known control ({why})"
                    errors.append(CatalogueError(cat.path, control.line, message))
                # Reported once, at the first of the pair (within a file, or across files).
                elif key in controls and control.key in controls[key].mappings:
                    other = controls[key]
                    other_path = first_path[other.catalogue_id]
                    if (cat.path, control.line) < (other_path, other.line):
                        message = (
                            f"{where} is also listed the other way round at "
                            f"{other_path}:{other.line}; list it on one side only"
                        )
                        errors.append(CatalogueError(cat.path, control.line, message))
    return errors


def _catalogue_files(paths: Sequence[str | Path], errors: list[CatalogueError]) -> list[Path]:
    """Expand directories to their *.yaml / *.yml files; report paths that are neither."""
    files: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                errors.append(CatalogueError(str(path), None, "no *.yaml or *.yml files here"))
            files.update(dict.fromkeys(found))
        elif path.is_file():
            files[path] = None
        else:
            errors.append(CatalogueError(str(path), None, "no such file or directory"))
    return list(files)


def load_paths(
    paths: Sequence[str | Path], known_keys: Collection[str] = ()
) -> tuple[list[CatalogueDef], list[CatalogueError]]:
    """Read, parse and cross-check catalogue files; return (catalogues, []) or ([], errors).

    Each path is a file or a directory (all its *.yaml and *.yml files, sorted by name).
    Mappings are cross-checked only when every file parsed, to spare follow-on errors.
    """
    errors: list[CatalogueError] = []
    catalogues = []
    for path in _catalogue_files(paths, errors):
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except OSError as exc:
            errors.append(CatalogueError(str(path), None, f"cannot read: {exc.strerror}"))
            continue
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            message = f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8"
            errors.append(CatalogueError(str(path), line, message))
            continue
        catalogue, file_errors = parse_catalogue(text, str(path))
        errors.extend(file_errors)
        if catalogue is not None:
            catalogues.append(catalogue)
    if not errors:
        errors = check_mappings(catalogues, known_keys)
    return ([], errors) if errors else (catalogues, [])
