"""Audit fixtures: an ISAE engagement on the shipped catalogue, and a store for populations."""

from __future__ import annotations

import io
from datetime import date

import pytest

from app.audits import populations, service
from app.evidence.storage import EvidenceStore
from app.firms import service as firms
from tests.factories import SYSTEM, make_user


@pytest.fixture
def store(app):
    """The evidence store the app is configured with."""
    return EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"])


def make_firm(session, name="Revision & Partnere, Statsautoriseret Revisionspartnerselskab",
              cvr="39874512"):
    """An audit firm (through the service)."""
    return firms.save_firm(session, SYSTEM, None, firms.FirmDetails(
        name=name, cvr=cvr, address="Havnegade 12, 8000 Aarhus C", city="Aarhus"))


@pytest.fixture
def people(db_session):
    """An internal auditor; the firm's partner (MNE) and senior auditor, both on the
    engagement; a colleague of theirs who is not on it; an auditor of another firm."""
    firm, other = make_firm(db_session), make_firm(db_session, "Andet Revisionsfirma", "11223344")
    found = {
        "auditor": make_user(db_session, role="internal_auditor", name="Ida Auditor"),
        "external": make_user(db_session, role="external_auditor", name="Lene Partner"),
        "senior": make_user(db_session, role="external_auditor", name="Peter Senior"),
        "colleague": make_user(db_session, role="external_auditor", name="Nina Colleague"),
        "stranger": make_user(db_session, role="external_auditor", name="Other Firm"),
    }
    firms.add_member(db_session, SYSTEM, firm, found["external"].id, "mne45871")
    firms.add_member(db_session, SYSTEM, firm, found["senior"].id, None)
    firms.add_member(db_session, SYSTEM, firm, found["colleague"].id, None)
    firms.add_member(db_session, SYSTEM, other, found["stranger"].id, "mne11111")
    found["firm"], found["other_firm"] = firm, other
    return found


@pytest.fixture
def engagement(db_session, loaded_catalogue, people):
    """An ISAE 3000 type 2 engagement for 2025 over all 45 activities, G not relevant.

    The firm's partner ("external") and senior auditor are on it.
    """
    return service.create_engagement(db_session, people["auditor"], service.EngagementPlan(
        name="ISAE 3000 GDPR 2025", kind="isae3000_type2", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), catalogues=["isae3000-gdpr"],
        excluded_groups={"isae3000-gdpr:G": "Nothing is transferred to third countries."},
        team_ids=[people["auditor"].id], firm_id=people["firm"].id,
        partner_id=people["external"].id, external_ids=[people["senior"].id]))


def find_test(engagement, key: str):
    """The engagement's test of the control with `key`."""
    return next(t for t in engagement.tests if t.control.key == key)


def csv_population(db_session, actor, test, store, rows: int, name="leavers.csv"):
    """Upload a CSV population of `rows` leavers and import it (jobs run inline in tests)."""
    body = "employee;last_day\n" + "".join(f"E{i:05d};2025-{i % 12 + 1:02d}-15\n"
                                            for i in range(rows))
    return populations.upload_population(db_session, actor, test, io.BytesIO(body.encode()),
                                         name, store, 10 << 20)
