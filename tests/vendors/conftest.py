"""Vendor fixtures: a service context on a fixed day, and a factory for sub-processors."""

from __future__ import annotations

from datetime import date

import pytest

from app.evidence.service import EvidenceSettings
from app.evidence.storage import EvidenceStore
from app.vendors import service
from app.vendors.checks import VendorContext
from tests.factories import SYSTEM

TODAY = date(2026, 6, 15)


@pytest.fixture
def ctx(app):
    """Services' context on 15 June 2026, with the app's evidence store."""
    return VendorContext(today=TODAY, evidence=EvidenceSettings(
        store=EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])))


def details(**changes) -> service.SubProcessorDetails:
    """A valid Danish hosting provider, with `changes`."""
    values = {"name": "Nordic Hosting ApS", "registration_number": "87654321",
              "address": "Datavej 1, 8000 Aarhus C", "country": "DK", "countries": ["DK"],
              "processing_en": "Operation of the data centre.",
              "processing_da": "Drift af datacentret.",
              "data_categories": ["All production data"], "approval": "general",
              "start_date": date(2024, 1, 1), "risk_rating": "high"}
    values.update(changes)
    return service.SubProcessorDetails(**values)


@pytest.fixture
def make_sp(db_session, ctx):
    """Register a sub-processor through the service (as the system actor)."""

    def make(basis: service.TransferBasis | None = None, **changes):
        return service.create_subprocessor(db_session, SYSTEM, details(**changes), basis, ctx)

    return make
