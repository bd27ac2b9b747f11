"""Actors that are not people: the CLI and the scheduler act through a SystemActor."""

from __future__ import annotations

from dataclasses import dataclass

from .permissions import Role


@dataclass(frozen=True)
class SystemActor:
    """An actor for operator commands and jobs; holds the admin role, has no user row."""

    label: str = "system"
    role: str = Role.ADMIN.value
    id: None = None
    is_active: bool = True


CLI = SystemActor("system:cli")
SCHEDULER = SystemActor("system:scheduler")
