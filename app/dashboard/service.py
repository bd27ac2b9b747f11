"""Figures for the dashboard, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..auth.permissions import Permission, can
from ..ledger.models import LedgerEntry


@dataclass
class Overview:
    """What the dashboard shows; sections are filled only where the actor may see them."""

    active_users: int | None = None
    recent_activity: list = field(default_factory=list)
    sections: dict = field(default_factory=dict)


def overview(session: Session, actor) -> Overview:
    """The dashboard figures for `actor`."""
    result = Overview()
    if can(actor, Permission.MANAGE_USERS):
        result.active_users = session.scalar(select(func.count(User.id)).where(User.active))
    if can(actor, Permission.VIEW_LEDGER):
        result.recent_activity = list(session.scalars(
            select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(8)))
    for contribute in CONTRIBUTORS:
        contribute(session, actor, result)
    return result


# Domains register functions (session, actor, overview) that add their own section.
CONTRIBUTORS: list = []
