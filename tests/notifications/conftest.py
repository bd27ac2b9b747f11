"""Deadline-engine fixtures: a small catalogue, people, duties due at pinned dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.catalogue.models import Catalogue, Control, ControlGroup
from app.evidence.service import EvidenceSettings
from app.evidence.storage import EvidenceStore
from app.notifications import wheel
from app.notifications.deadlines import Policy
from tests.factories import SYSTEM, make_user

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path) -> Path:
    """Point the app's evidence store at a folder of this test's own."""
    previous = app.config["KONTROL_EVIDENCE_DIR"]
    app.config["KONTROL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield tmp_path / "evidence"
    app.config["KONTROL_EVIDENCE_DIR"] = previous


@pytest.fixture
def settings(evidence_dir) -> EvidenceSettings:
    """The evidence store as the services take it."""
    return EvidenceSettings(store=EvidenceStore(evidence_dir), max_bytes=1 << 20)


def make_controls(session) -> dict[str, Control]:
    """A small catalogue W.1–W.3, keyed by code."""
    catalogue = Catalogue(slug="wheelcat", kind="standard", title_en="Wheel catalogue")
    group = ControlGroup(catalogue=catalogue, code="G", title_en="Group", position=0)
    session.add_all([catalogue, group])
    made = {}
    for position, code in enumerate(("W.1", "W.2", "W.3")):
        made[code] = Control(key=f"wheelcat:{code}", catalogue=catalogue, group=group,
                             code=code, title_en=f"Control {code}", title_da=f"Kontrol {code}",
                             position=position)
        session.add(made[code])
    session.commit()
    return made


@pytest.fixture
def controls(db_session):
    return make_controls(db_session)


@pytest.fixture
def coordinator(db_session):
    return make_user(db_session, role="coordinator", name="Signe Holm")


@pytest.fixture
def owner(db_session):
    return make_user(db_session, role="control_owner", name="Mads Krogh")


def make_duty(session, owner, due: date, *, title="Penetration test", rule="FREQ=YEARLY",
              controls=(), actor=SYSTEM, title_da=None):
    """A duty whose first occurrence is `due` (a yearly rule starting that day)."""
    return wheel.create_duty(session, actor, wheel.DutyDetails(
        title_en=title, title_da=title_da or f"{title} (da)", rrule=rule, starts_on=due,
        owner_id=owner.id, controls=[c.key for c in controls]))


@pytest.fixture
def policy() -> Policy:
    return Policy()
