"""Governance fixtures: an evidence store of the test's own, a few controls, people."""

from __future__ import annotations

import io
from datetime import date

import pytest

from app.catalogue.models import Catalogue, Control, ControlGroup
from app.evidence.service import EvidenceSettings, Upload
from app.evidence.storage import EvidenceStore
from app.governance.common import Settings
from tests.factories import make_user

TODAY = date(2026, 6, 15)
KEYS = {"soa-extensions": ("X.13", "X.14", "X.16"), "iso27001-2022": ("A.5.1", "A.5.8"),
        "isae3000-gdpr": ("A.1", "B.1")}


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path):
    """Point the app's evidence store at a folder of this test's own."""
    previous = app.config["KONTROL_EVIDENCE_DIR"]
    app.config["KONTROL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield tmp_path / "evidence"
    app.config["KONTROL_EVIDENCE_DIR"] = previous


@pytest.fixture
def settings(evidence_dir) -> Settings:
    """The governance settings with the test's store."""
    return Settings(evidence=EvidenceSettings(store=EvidenceStore(evidence_dir),
                                              max_bytes=1 << 20))


@pytest.fixture
def controls(db_session) -> dict[str, Control]:
    """A few controls under the shipped keys, keyed by key."""
    made = {}
    for slug, codes in KEYS.items():
        catalogue = Catalogue(slug=slug, kind="standard", title_en=slug)
        group = ControlGroup(catalogue=catalogue, code="G", title_en="Group", position=0)
        db_session.add_all([catalogue, group])
        for position, code in enumerate(codes):
            key = f"{slug}:{code}"
            made[key] = Control(key=key, catalogue=catalogue, group=group, code=code,
                                title_en=f"Control {code}", position=position)
            db_session.add(made[key])
    db_session.commit()
    return made


@pytest.fixture
def coordinator(db_session):
    """An information-security coordinator."""
    return make_user(db_session, role="coordinator", name="Signe Holm")


@pytest.fixture
def owner(db_session):
    """A control owner who owns documents."""
    return make_user(db_session, role="control_owner", name="Mads Krogh")


def pdf(body: bytes = b"%PDF-1.4 policy text", name: str = "policy.pdf") -> Upload:
    """An in-memory upload."""
    return Upload(io.BytesIO(body), name, "application/pdf")
