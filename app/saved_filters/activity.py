"""Saved filters in the activity feed (see ledger/describe.py), linking the list they filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..ledger.describe import Ref, Thing, known, phrase, text

_LISTS = {"controls": (_l("the list of controls"), "catalogue.list_controls"),
          "soa": (_l("the Statement of Applicability"), "catalogue.soa"),
          "evidence": (_l("the list of evidence"), "evidence.list_evidence")}


def _list(changes, entity_id=None) -> Ref | None:
    name = changes.get("list")
    return Ref(f"list:{name}", name) if name in _LISTS else None


THINGS = {f"list:{name}": Thing(nouns=(noun,), endpoint=endpoint, link=lambda i, f: {})
          for name, (noun, endpoint) in _LISTS.items()}

_name = {"values": lambda c: known(name=text(c.get("name"))), "about": _list}

PHRASES = {
    "saved_filter.saved": phrase(_l("%(actor)s saved the filter “%(name)s” for %(thing)s"),
                                 _l("%(actor)s saved a filter"), **_name),
    "saved_filter.removed": phrase(_l("%(actor)s removed the saved filter “%(name)s” from "
                                      "%(thing)s"),
                                   _l("%(actor)s removed a saved filter"), **_name),
}
