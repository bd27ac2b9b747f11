"""Imports every domain's models so the metadata (and Alembic) knows all tables."""

from .auth.models import ApiToken, LoginAttempt, User  # noqa: F401
from .catalogue.models import Catalogue, Control, ControlGroup, ControlMapping, SoAEntry  # noqa: F401
from .ledger.models import LedgerEntry, LedgerHead  # noqa: F401
