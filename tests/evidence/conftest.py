"""Evidence fixtures: a store of the test's own, a small catalogue, a control owner."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalogue.models import Catalogue, Control, ControlGroup
from app.catalogue.service import assign_owner
from app.evidence.service import EvidenceSettings
from app.evidence.storage import EvidenceStore
from tests.factories import SYSTEM, make_user


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path) -> Path:
    """Point the app's evidence store at a folder of this test's own."""
    previous = app.config["KONTROL_EVIDENCE_DIR"]
    folder = tmp_path / "evidence"
    app.config["KONTROL_EVIDENCE_DIR"] = str(folder)
    yield folder
    app.config["KONTROL_EVIDENCE_DIR"] = previous


@pytest.fixture
def store(evidence_dir) -> EvidenceStore:
    """The test's evidence store."""
    return EvidenceStore(evidence_dir)


@pytest.fixture
def settings(store) -> EvidenceSettings:
    """Store and limits as the services take them (1 MB limit, 30 warning days)."""
    return EvidenceSettings(store=store, max_bytes=1 << 20, warning_days=30)


@pytest.fixture
def controls(db_session) -> dict[str, Control]:
    """Two small catalogues: testcat C.1–C.4 and othercat O.1, keyed by code."""
    made = {}
    for slug, codes in (("testcat", ("C.1", "C.2", "C.3", "C.4")), ("othercat", ("O.1",))):
        catalogue = Catalogue(slug=slug, kind="standard", title_en=f"Catalogue {slug}")
        group = ControlGroup(catalogue=catalogue, code="G", title_en="Group", position=0)
        db_session.add_all([catalogue, group])
        for position, code in enumerate(codes):
            made[code] = Control(key=f"{slug}:{code}", catalogue=catalogue, group=group,
                                 code=code, title_en=f"Control {code}", position=position)
            db_session.add(made[code])
    db_session.commit()
    return made


@pytest.fixture
def owner(db_session, controls):
    """A control owner who owns C.1 and C.2 (not C.3, C.4 or O.1)."""
    user = make_user(db_session, role="control_owner", name="Mads Krogh")
    for code in ("C.1", "C.2"):
        assign_owner(db_session, SYSTEM, controls[code], user.id, controls[code].version)
    return user


@pytest.fixture
def coordinator(db_session):
    """An information-security coordinator."""
    return make_user(db_session, role="coordinator", name="Signe Holm")
