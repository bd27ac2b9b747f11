"""Catalogues, controls and the Statement of Applicability in the activity feed.

See ledger/describe.py. Sentences about a control name it by its code (A.5.15) and link the
control's page; `control_ref` is what other domains use for that.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..ledger.describe import Ref, Thing, code, known, now_value, person, phrase, text


def control_ref(key) -> Ref | None:
    """The control with this key (as changes record it), named by its code."""
    key = text(key)
    return Ref("control", key, known(name=code(key))) if key else None


def _changed(changes) -> int:
    return sum(len(changes.get(name) or ()) for name in
               ("added", "updated", "retired", "revived", "deleted"))


def _counted(one, many):
    return lambda c: (one,) if _changed(c) == 1 else (many,)


THINGS = {
    "control": Thing(nouns=("%(name)s", _l("control %(id)s")),
                     endpoint="catalogue.show_control",
                     link=lambda key, facts: {"key": key} if ":" in key else None),
    "catalogue": Thing(nouns=(_l("the catalogue %(id)s"),), endpoint="catalogue.list_controls",
                       link=lambda slug, facts: {"catalogue": slug}),
}

PHRASES = {
    "catalogue.loaded": phrase(
        _counted(_l("%(actor)s loaded %(thing)s: %(count)s control added, changed or retired"),
                 _l("%(actor)s loaded %(thing)s: %(count)s controls added, changed or retired")),
        values=lambda c: {"count": str(_changed(c))}),
    "catalogue.imported": phrase(
        _counted(_l("%(actor)s imported %(thing)s from a library: %(count)s control added, "
                    "changed or retired"),
                 _l("%(actor)s imported %(thing)s from a library: %(count)s controls added, "
                    "changed or retired")),
        values=lambda c: {"count": str(_changed(c))}),
    "catalogue.mappings_imported": phrase(
        _l("%(actor)s imported the mappings from %(source)s to %(target)s"),
        _l("%(actor)s imported mappings between catalogues"),
        values=lambda c: known(source=text(c.get("source")), target=text(c.get("target")))),
    "control.owner_assigned": phrase(
        lambda c: (_l("%(actor)s made %(owner)s the owner of %(thing)s"),)
        if now_value(c.get("owner")) else (_l("%(actor)s removed the owner of %(thing)s"),),
        values=lambda c: known(owner=person(c.get("owner"))),
        about=lambda c, entity_id: control_ref(c.get("control"))),
    "soa.updated": phrase(_l("%(actor)s updated the Statement of Applicability for %(thing)s"),
                          about=lambda c, entity_id: control_ref(c.get("control"))),
}
