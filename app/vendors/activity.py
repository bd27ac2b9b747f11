"""Sub-processors, statements, follow-ups, change notices and objections in the activity feed.

See ledger/describe.py. All of them link the sub-processor's page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..ledger.describe import (
    Ref,
    Thing,
    by_fact,
    by_id,
    int_id,
    known,
    label,
    name_lookup,
    phrase,
    rows_lookup,
    text,
)
from .forms import FOLLOW_UP_LABELS
from .models import ChangeNotice, SubProcessor


def _subprocessor(changes, entity_id=None) -> Ref | None:
    found = int_id(changes.get("subprocessor"))
    return Ref("subprocessor", found) if found else None


def _notice(changes, entity_id=None) -> Ref | None:
    found = int_id(changes.get("notice"))
    return Ref("subprocessor_change", found) if found else None


def _change_kind(add, replace, other):
    return lambda c: {"add": (add,), "replace": (replace,)}.get(c.get("kind"), (other,))


THINGS = {
    "subprocessor": Thing(nouns=(_l("the sub-processor %(name)s"), _l("sub-processor %(id)s")),
                          facts=lambda c: known(name=text(c.get("name"))),
                          lookup=name_lookup(SubProcessor.name, SubProcessor.id),
                          endpoint="vendors.show_subprocessor", link=by_id("subprocessor_id")),
    "subprocessor_change": Thing(
        nouns=(_l("the change notice for %(name)s"), _l("change notice %(id)s")),
        lookup=rows_lookup(lambda ids: select(ChangeNotice.id, ChangeNotice.subprocessor_id,
                                              SubProcessor.name)
                           .join(SubProcessor, SubProcessor.id == ChangeNotice.subprocessor_id)
                           .where(ChangeNotice.id.in_(ids)), "subprocessor", "name"),
        endpoint="vendors.show_subprocessor", link=by_fact("subprocessor_id", "subprocessor")),
}

PHRASES = {
    "subprocessor.created": phrase(_l("%(actor)s registered %(thing)s")),
    "subprocessor.updated": phrase(_l("%(actor)s edited %(thing)s")),
    "subprocessor.due_dates_refreshed": phrase(_l("%(actor)s recalculated the due dates of "
                                                  "%(thing)s")),
    "subprocessor_transfer.updated": phrase(
        _l("%(actor)s updated the transfer to %(country)s by %(thing)s"),
        _l("%(actor)s updated a transfer by %(thing)s"),
        values=lambda c: known(country=text(c.get("country"))), about=_subprocessor),
    "subprocessor_statement.recorded": phrase(
        lambda c: (_l("%(actor)s recorded the auditor's statement of %(thing)s, received "
                      "late"),) if c.get("late") else
        (_l("%(actor)s recorded the auditor's statement of %(thing)s"),),
        about=_subprocessor),
    "subprocessor_statement.updated": phrase(
        _l("%(actor)s edited the auditor's statement of %(thing)s"), about=_subprocessor),
    "subprocessor_follow_up.recorded": phrase(
        _l("%(actor)s recorded a follow-up of %(thing)s (%(kind)s)"),
        _l("%(actor)s recorded a follow-up of %(thing)s"),
        values=lambda c: known(kind=label(FOLLOW_UP_LABELS, c.get("kind"))),
        about=_subprocessor),
    "subprocessor_follow_up.updated": phrase(
        _l("%(actor)s edited a follow-up of %(thing)s"), about=_subprocessor),
    "subprocessor_change.notified": phrase(
        _change_kind(_l("%(actor)s told the controllers that %(thing)s is to be added"),
                     _l("%(actor)s told the controllers that %(thing)s is to replace another "
                        "sub-processor"),
                     _l("%(actor)s told the controllers of a change concerning %(thing)s")),
        about=_subprocessor),
    "subprocessor_change.updated": phrase(
        _l("%(actor)s edited the change notice for %(thing)s"), about=_subprocessor),
    "subprocessor_objection.recorded": phrase(
        lambda c: (_l("%(actor)s recorded a controller's objection to %(thing)s, received "
                      "late"),) if c.get("late") else
        (_l("%(actor)s recorded a controller's objection to %(thing)s"),),
        about=_notice),
    "subprocessor_objection.updated": phrase(
        _l("%(actor)s edited a controller's objection to %(thing)s"), about=_notice),
}
