"""`flask evidence verify`, the catalogue keeping controls with evidence, and the demo data."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import func, select

from app.catalogue import sync
from app.catalogue.models import Control
from app.evidence import service
from app.evidence.demo import seed_evidence
from app.evidence.models import Evidence, EvidenceRequest
from tests.evidence.support import details, upload
from tests.factories import SYSTEM, make_user

ASSURANCE = """catalogue:
  id: kept
  kind: assurance
  title: Kept
groups:
  - id: K
    title: Group K
controls:
  - id: K.1
    group: K
    title: Evidence hangs on me
  - id: K.2
    group: K
    title: Nothing hangs on me
"""


def test_verify_passes_on_an_intact_store(runner, db_session, settings, coordinator, controls):
    service.add_file_evidence(db_session, coordinator, settings, details(), upload(b"intact"))
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 0, result.output
    assert "Evidence store intact. 1 file(s) checked" in result.output


def test_verify_lists_missing_changed_and_orphaned_and_fails(runner, db_session, settings,
                                                             coordinator, controls):
    changed = service.add_file_evidence(db_session, coordinator, settings, details(title="a"),
                                        upload(b"will change"))
    missing = service.add_file_evidence(db_session, coordinator, settings, details(title="b"),
                                        upload(b"will vanish"))
    path = settings.store.path_for(changed.current_version.sha256)
    path.chmod(0o640)
    path.write_bytes(b"changed!!!!")
    settings.store.path_for(missing.current_version.sha256).unlink()
    orphan = settings.store.store(io.BytesIO(b"nobody's"), 1024).sha256
    (settings.store.temp_dir / "upload-abandoned").write_bytes(b"half")
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 1
    output = result.output
    assert f"CHANGED   {path}" in output
    assert f"MISSING   {settings.store.path_for(missing.current_version.sha256)}" in output
    assert f"ORPHANED  {settings.store.path_for(orphan)}" in output
    assert "STALE" in output and "upload-abandoned" in output
    assert "1 missing, 1 changed, 1 orphaned, 1 stale temp" in output


def test_stale_temp_files_alone_do_not_fail_verify(runner, settings):
    settings.store.temp_dir.mkdir(parents=True)
    (settings.store.temp_dir / "upload-in-progress").write_bytes(b"...")
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 0 and "STALE" in result.output


def test_catalogue_reload_retires_a_control_with_evidence(db_session, settings, tmp_path):
    path = tmp_path / "kept.yaml"
    path.write_text(ASSURANCE)
    sync.load_catalogues(db_session, SYSTEM, [path])
    coordinator = make_user(db_session, role="coordinator")
    service.add_file_evidence(db_session, coordinator, settings,
                              details(controls=["kept:K.1"]), upload(b"keep me"))
    path.write_text(ASSURANCE.split("  - id: K.1")[0] + "  - id: K.3\n    group: K\n"
                    "    title: New\n")
    [result] = sync.load_catalogues(db_session, SYSTEM, [path])
    assert result.retired == ["kept:K.1"] and result.deleted == ["kept:K.2"]
    control = db_session.scalar(select(Control).where(Control.key == "kept:K.1"))
    assert control.is_retired
    assert [c.key for c in db_session.scalar(select(Evidence)).controls] == ["kept:K.1"]


def test_demo_evidence_is_realistic_and_idempotent(db_session, loaded_catalogue, evidence_dir):
    users = {role: make_user(db_session, role=role) for role in (
        "coordinator", "control_owner", "internal_auditor", "external_auditor", "viewer")}
    lines = seed_evidence(db_session, users)
    assert lines[0].startswith("evidence: 7 demo item(s) added")
    assert "overdue evidence request" in lines[-1]
    kinds = dict(db_session.execute(
        select(Evidence.kind, func.count()).group_by(Evidence.kind)).all())
    assert kinds == {"file": 3, "link": 2, "note": 2}
    request = db_session.scalar(select(EvidenceRequest))
    assert request.status == "open" and request.due_on < request.created_at.date()
    assert seed_evidence(db_session, users) == []
    assert db_session.scalar(select(func.count(Evidence.id))) == 7
    stored = [p for p in evidence_dir.rglob("*") if p.is_file()]
    assert len(stored) == 3
    assert all(p.name == hashlib.sha256(p.read_bytes()).hexdigest() for p in stored)


def test_other_domains_files_in_the_store_are_not_orphans(db_session, settings, monkeypatch):
    blob = settings.store.store(io.BytesIO(b"a population file"), 1024)
    assert service.verify_store(db_session, settings.store).orphaned == (blob.sha256,)
    monkeypatch.setattr(service, "STORED_FILE_SOURCES", [
        *service.STORED_FILE_SOURCES, lambda session: [(blob.sha256, blob.size)]])
    report = service.verify_store(db_session, settings.store)
    assert report.ok and report.checked == 1
