"""Who can be chosen: the active accounts of some roles, by name (owners, performers, …)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import User
from .permissions import Role


def active_users(session: Session, roles: Iterable[Role]) -> list[User]:
    """The active users holding one of `roles`, ordered by name (one query)."""
    return list(session.scalars(select(User).where(
        User.active, User.role.in_([role.value for role in roles])).order_by(User.name)))
