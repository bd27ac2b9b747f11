"""Reports reuse the audit fixtures (an engagement, its people, the store)."""

from tests.audits.conftest import engagement, people, store  # noqa: F401
