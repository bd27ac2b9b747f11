"""Factory functions that make valid objects with sensible defaults, through the services."""

from __future__ import annotations

import itertools

from app.auth import service as accounts
from app.auth.actors import SystemActor

TEST_PASSWORD = "correct horse battery"
FAST_HASH = accounts.PasswordPolicy(hash_method="pbkdf2:sha256:1000")
SYSTEM = SystemActor("system:test")
_numbers = itertools.count(1)


def make_user(session, role: str = "viewer", email: str | None = None, name: str | None = None,
              password: str = TEST_PASSWORD):
    """A user of `role` with a unique address and the shared test password."""
    number = next(_numbers)
    return accounts.create_user(session, SYSTEM, email or f"{role}{number}@example.org",
                                name or f"{role.replace('_', ' ').title()} {number}", role,
                                password, FAST_HASH)
