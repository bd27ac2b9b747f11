"""The fictional demo organisation, Nordlys Statistik A/S; each domain adds its part."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth import service as accounts
from .auth.actors import CLI
from .auth.models import User

DEMO_USERS = (
    ("coordinator@nordlys.example", "Signe Holm", "coordinator"),
    ("owner@nordlys.example", "Mads Krogh", "control_owner"),
    ("auditor@nordlys.example", "Ida Winther", "internal_auditor"),
    ("external@revision.example", "Peter Lund", "external_auditor"),
    ("partner@revision.example", "Lene Bech Sørensen", "external_auditor"),
    ("viewer@nordlys.example", "Karen Juhl", "viewer"),
)

# Functions (session) -> None run by `flask setup` on every start, before accounts are
# checked, e.g. loading the catalogue. Domains append to it.
SETUP_STEPS: list = []

# Functions (session, users_by_role) -> list[str] that add a domain's demo data. Each must be
# idempotent. Domains append to it.
DEMO_STEPS: list = []


def setup_steps() -> list:
    """Steps `flask setup` runs on every start."""
    return SETUP_STEPS


def seed_demo(session: Session, password: str) -> list[str]:
    """Create the demo accounts (if missing) and every domain's demo data; returns what it did."""
    from .auth.views import password_policy

    lines, by_role = [], {}
    for email, name, role in DEMO_USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(session, CLI, email, name, role, password,
                                        password_policy())
            lines.append(f"{role:17} {email}")
        by_role.setdefault(role, user)  # the first account of each role, and every address
        by_role[email] = user
    for step in DEMO_STEPS:
        lines.extend(step(session, by_role))
    return lines
