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


def make_firm(session, *members, name: str | None = None):
    """An audit firm whose members are `members` (external auditors; the first has an MNE
    number, so it may be an engagement partner)."""
    from app.firms import service as firms

    number = next(_numbers)
    firm = firms.save_firm(session, SYSTEM, None, firms.FirmDetails(
        name or f"Revision {number}", f"{number:08d}", "Havnegade 1, 8000 Aarhus C", "Aarhus"))
    for position, user in enumerate(members):
        firms.add_member(session, SYSTEM, firm, user.id,
                         f"mne{10000 + number}" if position == 0 else None)
    return firm
