"""Ledger entries in words: "Mette Hansen uploaded evidence “Access review Q3” for A.5.15".

One registry turns an entry (action, entity type and id, changes) into a sentence in the
reader's language, with a link to the page of the thing it concerns when the reader may open
it. Domains plug in their own words (`app/<domain>/activity.py`, registered by `register()`):

- `PHRASES` maps an action to a `Phrase`: sentences tried in order, the first whose
  placeholders are all known wins, so an old entry missing a fact still reads well;
- `THINGS` maps an entity type to a `Thing`: how sentences name it ("evidence “%(name)s”") and
  which page shows it.

Names come from the entry's own `changes` first (titles and codes are recorded there); what is
missing is looked up in one query per kind of thing, and actors' names in one more, so a page
of entries costs the same few queries however long it is. An action nobody described (an old
row, another installation's) still reads as a plain sentence naming its code.

Links are offered only when the reader's role holds the permission the page's route requires;
roles whose reading is narrowed object by object (external auditors, control owners) get no
links, since proving each object would cost a query per row. They do not see the ledger today.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from ..auth.permissions import Role, can

Facts = dict  # what is known of a thing: its name, and whatever its page's address needs


@dataclass(frozen=True)
class Ref:
    """The thing a sentence is about: an entity type, its id, and facts already known."""

    kind: str
    id: str | None
    facts: Facts = field(default_factory=dict)


@dataclass(frozen=True)
class Thing:
    """How sentences name one kind of thing and where its page is.

    `nouns` are tried in order with the thing's facts plus `id` ("evidence “%(name)s”", then
    "evidence %(id)s"). `facts(changes)` picks the name (and link arguments) out of an entry about
    the thing itself; `lookup(session, ids)` fetches the facts of things whose entries did not
    record the fact `needs`, in one query. `link(id, facts)` gives the URL arguments of
    `endpoint`, or None for no link.
    """

    nouns: tuple
    facts: Callable[[Mapping], Facts] | None = None
    lookup: Callable[[Session, list[str]], dict[str, Facts]] | None = None
    endpoint: str | None = None
    link: Callable[[str, Facts], dict | None] | None = None
    needs: str = "name"


@dataclass(frozen=True)
class Phrase:
    """How one action reads: `texts` tried in order (or a function of the changes giving them).

    Every text may use `%(actor)s` and `%(thing)s` (the thing's noun, linked when allowed) and
    the placeholders `values(changes)` gives. `about(changes, entity_id)` names the thing when
    it is not the entry's own entity (a drawn sample is about its test).
    """

    texts: tuple | Callable[[Mapping], tuple]
    values: Callable[[Mapping], dict] | None = None
    about: Callable[[Mapping, str], Ref | None] | None = None


PHRASES: dict[str, Phrase] = {}  # the ledger's own entries are added below
THINGS: dict[str, Thing] = {}

# Roles whose reading is narrowed per object: the feed never links for them (see above).
_SCOPED_ROLES = frozenset({Role.EXTERNAL_AUDITOR.value, Role.CONTROL_OWNER.value})

SYSTEM = "Kontrol"  # what the system actors (the command line, the scheduler, imports) read as
FALLBACK = _l("%(actor)s recorded %(action)s on %(thing)s")
FALLBACK_NOUN = "%(kind)s %(id)s"  # an entity type nobody described: its raw code


def phrase(*texts, values=None, about=None) -> Phrase:
    """A `Phrase` from its texts, most specific first."""
    if len(texts) == 1 and callable(texts[0]):
        return Phrase(texts[0], values, about)
    return Phrase(tuple(texts), values, about)


# Written once, by migration 0007, when the chain was first sealed with the ledger key.
PHRASES["ledger.keyed"] = phrase(_l("%(actor)s sealed the ledger with its key"))


def register(module) -> None:
    """Add a domain's `PHRASES` and `THINGS` (a module or object holding them)."""
    PHRASES.update(getattr(module, "PHRASES", {}))
    THINGS.update(getattr(module, "THINGS", {}))


@dataclass(frozen=True)
class Activity:
    """One entry in words: the sentence (safe HTML) and the address of its thing, if any."""

    entry: object
    sentence: Markup
    url: str | None


# -- small helpers domains use to pick facts out of changes ------------------------------------

def now_value(value):
    """The value after a change: changes record `[before, after]` for edited fields."""
    if isinstance(value, list) and len(value) == 2:
        return value[1]
    return value


def text(value) -> str | None:
    """A non-empty string (the new one of a change), else None."""
    value = now_value(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def code(key) -> str | None:
    """A control's code from its key: `iso27001-2022:A.5.15` reads A.5.15."""
    key = text(key)
    if key is None:
        return None
    return key.partition(":")[2] or key


def codes(keys, most: int = 3) -> str | None:
    """Up to `most` control codes, then "+N" for the rest."""
    if not isinstance(keys, list):
        return None
    shown = [c for c in (code(k) for k in keys) if c]
    if not shown:
        return None
    rest = len(shown) - most
    return ", ".join(shown[:most]) + (f" +{rest}" if rest > 0 else "")


def number(value) -> str | None:
    """A whole number in the reader's locale (1,200 / 1.200), else None."""
    value = now_value(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return format_decimal(value)


def label(labels: Mapping, value, lower: bool = True) -> str | None:
    """The translated label of an enumerated value, lower-cased to sit inside a sentence."""
    value = now_value(value)
    if not isinstance(value, str) or value not in labels:
        return None
    shown = str(labels[value])
    return shown[:1].lower() + shown[1:] if lower else shown


def known(**values) -> dict:
    """The values that are present (a sentence only uses a text whose values all are)."""
    return {name: value for name, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class Person:
    """A user named in changes by id or e-mail; shown by name (looked up with the actors)."""

    id: int | None = None
    email: str | None = None

    def shown(self, people: dict) -> str:
        """The person's name, else the e-mail or id the entry recorded."""
        return people.get(self.id if self.id is not None else self.email) \
            or self.email or str(self.id)


def person(value) -> Person | None:
    """A `Person` from an id or e-mail recorded in changes (the new one of a change)."""
    value = now_value(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return Person(id=value)
    if isinstance(value, str) and "@" in value:
        return Person(email=value)
    return None


def int_id(value) -> str | None:
    """An id recorded in changes, as the string entity ids are kept as."""
    number = id_number(now_value(value))
    return None if number is None else str(number)


def id_number(value) -> int | None:
    """An id as a database id (1 to 2**31 - 1), from an int or its digits; else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 11:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None


def by_id(arg: str) -> Callable[[str, Facts], dict | None]:
    """Link arguments for a page addressed by an integer id: `{arg: int(id)}`."""

    def link(thing_id: str, facts: Facts) -> dict | None:
        number = id_number(thing_id)
        return None if number is None else {arg: number}

    return link


def by_fact(arg: str, fact: str) -> Callable[[str, Facts], dict | None]:
    """Link arguments from a fact rather than the id (a population's page is its test's)."""

    def link(thing_id: str, facts: Facts) -> dict | None:
        number = id_number(facts.get(fact))
        return None if number is None else {arg: number}

    return link


def rows_lookup(query: Callable[[list[int]], object], *keys: str):
    """A `Thing.lookup` from a query of `(id, *values)` rows for some integer ids.

    `query(ids)` builds the select; each row's values are the facts named `keys`.
    """

    def lookup(session: Session, ids: list[str]) -> dict[str, Facts]:
        numbers = sorted({n for n in map(id_number, ids) if n is not None})
        if not numbers:
            return {}
        return {str(row[0]): known(**dict(zip(keys, row[1:], strict=True)))
                for row in session.execute(query(numbers))}

    return lookup


def name_lookup(column, id_column):
    """A `Thing.lookup` reading one column (the name) of the things by id."""
    return rows_lookup(lambda ids: select(id_column, column).where(id_column.in_(ids)), "name")


# -- describing ---------------------------------------------------------------------------------

def describe(session: Session, entries: Iterable, viewer) -> list[Activity]:
    """The entries in words for `viewer`, in order; a fixed number of queries for any number."""
    drafts = [_draft(entry) for entry in entries]
    _look_up(session, [draft.ref for draft in drafts if draft.names_thing])
    people = _people(session, drafts)
    may_link = _link_rule(viewer)
    return [_sentence(draft, people, may_link) for draft in drafts]


@dataclass
class _Draft:
    entry: object
    texts: tuple
    values: dict
    ref: Ref

    @property
    def names_thing(self) -> bool:
        """Whether the sentence may name its thing ("signed in" does not: no look-up)."""
        return not self.texts or any("%(thing)s" in str(text) for text in self.texts)


def _draft(entry) -> _Draft:
    """What an entry says before anything is looked up: its texts, values and thing."""
    changes = _changes(entry)
    described = PHRASES.get(entry.action)
    texts, values = (), {}
    if described is not None:
        try:
            texts = described.texts(changes) if callable(described.texts) else described.texts
            if described.values is not None:
                values = {key: value for key, value in described.values(changes).items()
                          if value not in (None, "")}
        except (TypeError, ValueError, KeyError, AttributeError):
            texts, values = (), {}  # a row older than its phrase: read it as an unknown action
    return _Draft(entry, tuple(texts), values, _ref(entry, changes))


def _changes(entry) -> dict:
    try:
        value = json.loads(entry.changes or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _ref(entry, changes: dict) -> Ref:
    described = PHRASES.get(entry.action)
    if described is not None and described.about is not None:
        try:
            ref = described.about(changes, entry.entity_id)
        except (TypeError, ValueError, KeyError, AttributeError):
            ref = None
        if ref is not None and ref.id:
            return ref
    thing = THINGS.get(entry.entity_type)
    facts = {}
    if thing is not None and thing.facts is not None:
        try:
            facts = thing.facts(changes)
        except (TypeError, ValueError, KeyError, AttributeError):
            facts = {}
    return Ref(entry.entity_type, entry.entity_id, facts)


def _look_up(session: Session, refs: list[Ref]) -> None:
    """Fill in the facts entries did not record: one query per kind of thing."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        thing = THINGS.get(ref.kind)
        if thing is not None and thing.lookup is not None and thing.needs not in ref.facts:
            wanted[ref.kind].add(ref.id)
    found = {kind: THINGS[kind].lookup(session, sorted(ids)) for kind, ids in wanted.items()}
    for ref in refs:
        for key, value in found.get(ref.kind, {}).get(ref.id, {}).items():
            ref.facts.setdefault(key, value)


def _people(session: Session, drafts: list[_Draft]) -> dict:
    """Names of the actors and of the people values mention, by id and by e-mail: one query."""
    from ..auth.models import User

    ids = {d.entry.actor_id for d in drafts if d.entry.actor_id is not None}
    emails = set()
    for draft in drafts:
        for value in draft.values.values():
            if isinstance(value, Person):
                (ids if value.id is not None else emails).add(value.id or value.email)
    ids = sorted(n for n in map(id_number, ids) if n is not None)
    emails = sorted(e for e in emails if isinstance(e, str) and len(e) <= 254)
    if not ids and not emails:
        return {}
    rows = session.execute(select(User.id, User.email, User.name)
                           .where(or_(User.id.in_(ids), User.email.in_(emails))))
    found = {}
    for user_id, email, name in rows:
        found[user_id] = found[email] = name or email
    return found


def _link_rule(viewer) -> Callable[[str], bool]:
    if getattr(viewer, "role", None) in _SCOPED_ROLES:
        return lambda endpoint: False
    views = current_app.view_functions

    def may_link(endpoint: str) -> bool:
        view = views.get(endpoint)
        permission = getattr(view, "required_permission", False)
        return view is not None and permission is not False and (
            permission is None or can(viewer, permission))

    return may_link


def _noun(ref: Ref) -> Markup:
    """The thing's noun: the first of its nouns whose facts are known, else its raw code."""
    facts = {key: value for key, value in ref.facts.items() if value not in (None, "")}
    facts["id"] = ref.id or ""
    thing = THINGS.get(ref.kind)
    for noun in thing.nouns if thing is not None else ():
        try:
            return Markup(escape(str(noun))) % facts
        except KeyError:
            continue
    return Markup("<code>%s</code>") % (FALLBACK_NOUN % {"kind": ref.kind, "id": ref.id or ""})


def _url(ref: Ref, may_link: Callable[[str], bool]) -> str | None:
    thing = THINGS.get(ref.kind)
    if thing is None or thing.endpoint is None or not may_link(thing.endpoint):
        return None
    try:
        arguments = thing.link(ref.id or "", ref.facts) if thing.link else {}
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    try:
        return None if arguments is None else url_for(thing.endpoint, **arguments)
    except BuildError:  # an argument the route refuses (out of its bounds)
        return None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def _localised(value):
    """A date or an instant from the entry's changes in the reader's format; others as they are.

    The page's own dates are in that format too: one date format per language on a page.
    """
    if not isinstance(value, str):
        return value
    from ..templating import local_date, local_time

    try:
        if _ISO_DATE.fullmatch(value):
            return local_date(date.fromisoformat(value))
        if _ISO_INSTANT.fullmatch(value):
            return local_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:  # 2025-02-30: not a date after all
        return value
    return value


def _sentence(draft: _Draft, people: dict, may_link) -> Activity:
    entry = draft.entry
    noun = _noun(draft.ref)
    url = _url(draft.ref, may_link)
    values = {key: value.shown(people) if isinstance(value, Person) else _localised(value)
              for key, value in draft.values.items()}
    values["actor"] = people.get(entry.actor_id) or (
        SYSTEM if entry.actor_id is None and entry.actor.startswith("system") else entry.actor)
    values["thing"] = Markup('<a href="%s">%s</a>') % (url, noun) if url else noun
    for candidate in draft.texts:
        try:
            return Activity(entry, Markup(escape(str(candidate))) % values, url)
        except KeyError:
            continue
    values["action"] = Markup("<code>%s</code>") % entry.action
    return Activity(entry, Markup(escape(str(FALLBACK))) % values, url)
