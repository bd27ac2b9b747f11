"""Save, list and remove a person's named filters; every write is in the ledger.

A saved filter keeps only the list's own filter parameters (never the page number, never
anything else a URL may carry), so applying it can do no more than the filter bar can.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.passwords import N_
from ..auth.permissions import Permission, require
from ..errors import Conflict, Invalid, NotFound
from ..ledger.service import append
from .models import SavedFilter

# Each list and the parameters its filter bar has.
LISTS = {
    "controls": ("catalogue", "group", "q", "status", "applicable", "owner", "retired"),
    "soa": ("catalogue", "group", "q", "status", "applicable", "owner"),
    "evidence": ("q", "control", "catalogue", "kind", "freshness"),
}
MAX_PER_LIST = 20  # the messages below say these numbers
MAX_NAME = 60
MAX_VALUE = 200


def filter_query(list_name: str, args) -> str:
    """The list's own non-empty filter parameters of `args`, url-encoded, in a fixed order."""
    return urlencode([(key, str(args.get(key)).strip()[:MAX_VALUE]) for key in LISTS[list_name]
                      if str(args.get(key) or "").strip()])


def saved_filters(session: Session, actor, list_name: str) -> list[SavedFilter]:
    """The filters `actor` saved for `list_name`, by name (one query)."""
    return list(session.scalars(select(SavedFilter).where(
        SavedFilter.user_id == actor.id, SavedFilter.list_name == list_name)
        .order_by(func.lower(SavedFilter.name))))


def save_filter(session: Session, actor, list_name: str, name: str, args) -> SavedFilter:
    """Save the list's current filters under `name`; the same name again replaces them."""
    require(actor, Permission.SIGNED_IN)
    if list_name not in LISTS:
        raise NotFound("No such list.")
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("name", N_("Give the filter a name."))
    if len(name) > MAX_NAME:
        raise Invalid("name", N_("Keep the name to 60 characters."))
    query = filter_query(list_name, args)
    if not query:
        raise Invalid("name", N_("Choose some filters first; there is nothing to save."))
    existing = {f.name.casefold(): f for f in saved_filters(session, actor, list_name)}
    saved = existing.get(name.casefold())
    if saved is None:
        if len(existing) >= MAX_PER_LIST:
            raise Conflict(N_("You have 20 saved filters here; remove one first."))
        saved = SavedFilter(user_id=actor.id, list_name=list_name, name=name, query=query)
        session.add(saved)
    else:
        saved.query = query
    session.flush()
    append(session, actor, "saved_filter.saved", saved,
           {"list": list_name, "name": name, "query": query})
    session.commit()
    return saved


def remove_filter(session: Session, actor, filter_id: int) -> SavedFilter:
    """Remove one of the actor's own saved filters (someone else's is not found)."""
    require(actor, Permission.SIGNED_IN)
    saved = session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != actor.id:
        raise NotFound("No such saved filter.")
    append(session, actor, "saved_filter.removed", saved,
           {"list": saved.list_name, "name": saved.name})
    session.delete(saved)
    session.commit()
    return saved
