"""Evidence services: adding files, links and notes, versions, validation, integrity, crashes."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, IntegrityError, Invalid
from app.evidence import service
from app.evidence.models import Evidence, EvidenceVersion
from app.ledger.models import LedgerEntry
from tests.evidence.support import details, stored_files, temp_files, upload
from tests.factories import SYSTEM, make_user


def evidence_count(session) -> int:
    return session.scalar(select(func.count(Evidence.id)))


def ledger_actions(session, entity_id) -> list[str]:
    return list(session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.entity_type == "evidence", LedgerEntry.entity_id == str(entity_id))
        .order_by(LedgerEntry.seq)))


def test_file_evidence_is_stored_under_its_hash(db_session, settings, coordinator, controls):
    data = b"user,decision\nanna,keep\nbo,remove\n"
    evidence = service.add_file_evidence(
        db_session, coordinator, settings,
        details(controls=["testcat:C.1", "testcat:C.2"], valid_until=date(2027, 3, 31),
                tags="access review, Quarterly, access review"), upload(data))
    version = evidence.current_version
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert (version.number, version.size, version.filename) == (1, len(data), "review.csv")
    assert version.content_type == "text/csv"
    assert [c.key for c in evidence.controls] == ["testcat:C.1", "testcat:C.2"]
    assert evidence.tags == ["access review", "Quarterly"]
    assert evidence.owner_id == coordinator.id and evidence.created_by_id == coordinator.id
    assert settings.store.path_for(version.sha256).read_bytes() == data
    assert ledger_actions(db_session, evidence.id) == ["evidence.uploaded"]


def test_a_single_date_is_a_period_of_one_day(db_session, settings, coordinator, controls):
    evidence = service.add_file_evidence(
        db_session, coordinator, settings,
        details(period_start=date(2026, 5, 4), period_end=None), upload())
    assert evidence.period_start == evidence.period_end == date(2026, 5, 4)


def test_link_and_note_evidence(db_session, coordinator, controls):
    link = service.add_link_evidence(db_session, coordinator, details(title="Ticket"),
                                     "https://jira.example.org/browse/SEC-12")
    note = service.add_note_evidence(db_session, coordinator, details(
        title="Walkthrough", description="Observed the quarterly review meeting."))
    assert (link.kind, link.url, link.versions) == ("link", "https://jira.example.org/browse/SEC-12",
                                                    [])
    assert (note.kind, note.description) == ("note", "Observed the quarterly review meeting.")
    assert ledger_actions(db_session, link.id) == ["evidence.added"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/x",
                                 "file:///etc/passwd", "www.example.org", "https://",
                                 "https://exa mple.org", ""])
def test_links_must_be_http_or_https(db_session, coordinator, controls, url):
    with pytest.raises(Invalid) as excinfo:
        service.add_link_evidence(db_session, coordinator, details(), url)
    assert excinfo.value.field == "url"
    assert evidence_count(db_session) == 0


def test_a_note_needs_text(db_session, coordinator, controls):
    with pytest.raises(Invalid) as excinfo:
        service.add_note_evidence(db_session, coordinator, details(description="  "))
    assert excinfo.value.field == "description"


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"controls": []}, "controls", "Choose at least one control."),
    ({"controls": ["testcat:C.1", "testcat:NOPE"]}, "controls",
     "No control with key testcat:NOPE."),
    ({"period_start": None}, "period_start", "Give the date the evidence speaks for"),
    ({"period_start": date(2026, 3, 1), "period_end": date(2026, 2, 28)}, "period_end",
     "The period ends before it starts."),
    ({"valid_until": date(2025, 12, 31)}, "valid_until", "cannot expire before"),
    ({"title": "   "}, "title", "Give the evidence a title."),
    ({"title": "x" * 301}, "title", "Keep the title under 300 characters."),
    ({"tags": ["t" * 41]}, "tags", "at most 40 characters"),
])
def test_bad_input_gets_a_clear_message_and_stores_nothing(db_session, settings, coordinator,
                                                           controls, fields, field, message):
    with pytest.raises(Invalid) as excinfo:
        service.add_file_evidence(db_session, coordinator, settings, details(**fields), upload())
    assert excinfo.value.field == field
    assert message in excinfo.value.message
    assert evidence_count(db_session) == 0
    assert stored_files(settings.store.root) == [] and temp_files(settings.store.root) == []


def test_empty_file_stores_nothing(db_session, settings, coordinator, controls):
    with pytest.raises(Invalid, match="The file is empty."):
        service.add_file_evidence(db_session, coordinator, settings, details(), upload(b""))
    assert evidence_count(db_session) == 0
    assert stored_files(settings.store.root) == [] and temp_files(settings.store.root) == []


def test_oversize_file_is_refused_while_streaming(db_session, settings, coordinator, controls):
    with pytest.raises(Invalid) as excinfo:
        service.add_file_evidence(db_session, coordinator, settings, details(),
                                  upload(b"x" * ((1 << 20) + 1)))
    assert excinfo.value.field == "file"
    assert excinfo.value.message == "The file is larger than the limit of 1 MB."
    assert excinfo.value.template == "The file is larger than the limit of %(limit)s MB."
    assert evidence_count(db_session) == 0
    assert stored_files(settings.store.root) == [] and temp_files(settings.store.root) == []


def test_retired_control_takes_no_evidence(db_session, settings, coordinator, controls):
    from app.db import utcnow

    controls["C.3"].retired_at = utcnow()
    db_session.commit()
    with pytest.raises(Invalid, match="retired"):
        service.add_file_evidence(db_session, coordinator, settings,
                                  details(controls=["testcat:C.3"]), upload())


def test_traversal_filename_is_sanitised(db_session, settings, coordinator, controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(name="../../etc/passwd\x00.csv"))
    assert evidence.current_version.filename == "passwd.csv"
    assert stored_files(settings.store.root) == [
        settings.store.path_for(evidence.current_version.sha256)]


def test_crash_after_storing_leaves_no_row_and_an_orphan_that_verify_reports(
        db_session, settings, coordinator, controls, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("power failure")

    monkeypatch.setattr(service, "append", crash)
    data = b"written to disk, never committed"
    with pytest.raises(RuntimeError, match="power failure"):
        service.add_file_evidence(db_session, coordinator, settings, details(), upload(data))
    monkeypatch.undo()
    assert evidence_count(db_session) == 0
    assert db_session.scalar(select(func.count(EvidenceVersion.id))) == 0
    report = service.verify_store(db_session, settings.store)
    assert report.orphaned == (hashlib.sha256(data).hexdigest(),)
    assert not report.ok


def test_new_versions_keep_the_history(db_session, settings, coordinator, controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"first"))
    second = service.add_version(db_session, coordinator, settings, evidence,
                                 upload(b"second", name="review-v2.csv"), evidence.version)
    assert second.number == 2
    assert [(v.number, v.filename) for v in evidence.versions] == [
        (2, "review-v2.csv"), (1, "review.csv")]
    assert evidence.current_version is second
    for version, data in zip(evidence.versions, (b"second", b"first"), strict=True):
        _row, handle = service.open_download(db_session, coordinator, settings, evidence,
                                             version.number)
        with handle:
            assert handle.read() == data
    assert ledger_actions(db_session, evidence.id) == ["evidence.uploaded",
                                                       "evidence.version_uploaded"]


def test_a_stale_version_upload_is_refused_before_storing(db_session, settings, coordinator,
                                                          controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"first"))
    stale = evidence.version
    service.add_version(db_session, coordinator, settings, evidence, upload(b"second"), stale)
    with pytest.raises(Conflict):
        service.add_version(db_session, coordinator, settings, evidence, upload(b"third"), stale)
    assert len(stored_files(settings.store.root)) == 2


def test_links_and_notes_have_no_versions(db_session, settings, coordinator, controls):
    note = service.add_note_evidence(db_session, coordinator, details(description="Seen."))
    with pytest.raises(Invalid):
        service.add_version(db_session, coordinator, settings, note, upload())


def test_identical_files_are_stored_once(db_session, settings, coordinator, controls):
    first = service.add_file_evidence(db_session, coordinator, settings, details(title="A"),
                                      upload(b"same bytes"))
    second = service.add_file_evidence(db_session, coordinator, settings, details(title="B"),
                                       upload(b"same bytes"))
    assert first.current_version.sha256 == second.current_version.sha256
    assert len(stored_files(settings.store.root)) == 1
    assert service.verify_store(db_session, settings.store).ok


def test_tampered_file_is_refused_and_recorded(db_session, settings, coordinator, controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"original evidence"))
    path = settings.store.path_for(evidence.current_version.sha256)
    path.chmod(0o640)
    path.write_bytes(b"forged evidence!!")
    with pytest.raises(IntegrityError, match="no longer matches the SHA-256"):
        service.open_download(db_session, coordinator, settings, evidence)
    entry = db_session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "evidence.integrity_failed", "evidence", str(evidence.id))
    assert '"problem":"changed"' in entry.changes
    assert settings.store.verify({evidence.current_version.sha256: 17}).changed


def test_missing_file_is_an_integrity_error_too(db_session, settings, coordinator, controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"soon gone"))
    settings.store.path_for(evidence.current_version.sha256).unlink()
    with pytest.raises(IntegrityError, match="is missing from the evidence store"):
        service.open_download(db_session, coordinator, settings, evidence)
    assert ledger_actions(db_session, evidence.id)[-1] == "evidence.integrity_failed"


def test_update_records_what_changed(db_session, settings, coordinator, controls):
    evidence = service.add_link_evidence(db_session, coordinator, details(),
                                         "https://wiki.example.org/a")
    service.update_evidence(db_session, coordinator, evidence, details(
        title="Renamed", controls=["testcat:C.2"], valid_until=date(2026, 12, 31)),
        evidence.version, url="https://wiki.example.org/b")
    assert (evidence.title, evidence.url) == ("Renamed", "https://wiki.example.org/b")
    assert [c.key for c in evidence.controls] == ["testcat:C.2"]
    entry = db_session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
    assert entry.action == "evidence.updated"
    assert '"controls":[["testcat:C.1"],["testcat:C.2"]]' in entry.changes


def test_stale_edit_is_refused(db_session, coordinator, controls):
    evidence = service.add_note_evidence(db_session, coordinator, details(description="x"))
    stale = evidence.version
    service.update_evidence(db_session, coordinator, evidence, details(description="y"), stale)
    with pytest.raises(Conflict):
        service.update_evidence(db_session, coordinator, evidence, details(description="z"),
                                stale)
    assert evidence.description == "y"


@pytest.mark.parametrize(("role", "own", "allowed"), [
    ("admin", False, True),
    ("coordinator", False, True),
    ("control_owner", True, True),
    ("control_owner", False, False),
    ("internal_auditor", False, False),
    ("external_auditor", False, False),
    ("viewer", False, False),
])
def test_who_may_add_evidence(db_session, settings, controls, owner, role, own, allowed):
    actor = owner if own else make_user(db_session, role=role)
    key = "testcat:C.1" if own else "testcat:C.3"
    if allowed:
        evidence = service.add_file_evidence(db_session, actor, settings,
                                             details(controls=[key]), upload())
        assert evidence.id
    else:
        with pytest.raises(Forbidden):
            service.add_file_evidence(db_session, actor, settings, details(controls=[key]),
                                      upload())
        assert stored_files(settings.store.root) == []


def test_owner_may_not_mix_in_a_control_of_someone_else(db_session, settings, owner, controls):
    with pytest.raises(Forbidden, match="testcat:C.3"):
        service.add_file_evidence(db_session, owner, settings,
                                  details(controls=["testcat:C.1", "testcat:C.3"]), upload())
    assert evidence_count(db_session) == 0


def test_owner_edits_and_versions_evidence_of_their_controls_only(db_session, settings, owner,
                                                                  coordinator, controls):
    theirs = service.add_file_evidence(db_session, coordinator, settings, details(), upload())
    other = service.add_file_evidence(db_session, coordinator, settings,
                                      details(controls=["testcat:C.3"]), upload(b"other"))
    assert service.can_edit_evidence(owner, theirs)
    assert not service.can_edit_evidence(owner, other)
    service.add_version(db_session, owner, settings, theirs, upload(b"v2"))
    with pytest.raises(Forbidden):
        service.add_version(db_session, owner, settings, other, upload(b"v2"))


@pytest.mark.parametrize("role", ["admin", "coordinator", "control_owner", "internal_auditor",
                                  "viewer"])
def test_every_internal_role_reads_and_downloads(db_session, settings, coordinator, controls,
                                                 role):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"readable"))
    reader = make_user(db_session, role=role)
    assert service.can_read_evidence(reader, evidence)
    _version, handle = service.open_download(db_session, reader, settings, evidence)
    with handle:
        assert handle.read() == b"readable"


def test_changing_only_the_controls_bumps_the_version(db_session, coordinator, controls):
    evidence = service.add_note_evidence(db_session, coordinator, details(description="x"))
    before = evidence.version
    service.update_evidence(db_session, coordinator, evidence,
                            details(controls=["testcat:C.2"], description="x"), before)
    assert evidence.version == before + 1


def test_external_auditors_read_only_their_engagements_scope(db_session, settings, coordinator,
                                                             controls):
    from app.audits.service import EngagementPlan, create_engagement

    in_scope = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"q1"))
    other_control = service.add_note_evidence(db_session, coordinator, details(
        title="Other control", controls=["testcat:C.3"], description="x"))
    other_period = service.add_note_evidence(db_session, coordinator, details(
        title="Last year", period_start=date(2025, 1, 1), period_end=date(2025, 3, 31),
        description="x"))
    from app.firms import service as firms

    external = make_user(db_session, role="external_auditor")
    assert not service.can_read_evidence(external, in_scope)
    firm = firms.save_firm(db_session, SYSTEM, None, firms.FirmDetails(
        "Revision A/S", "12345678", "Vej 1, 8000 Aarhus C", "Aarhus"))
    firms.add_member(db_session, SYSTEM, firm, external.id, "mne12345")
    create_engagement(db_session, SYSTEM, EngagementPlan(
        name="H1 2026", kind="isae3000_type2", period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30), control_keys=["testcat:C.1"], firm_id=firm.id,
        partner_id=external.id))
    assert service.can_read_evidence(external, in_scope)
    assert not service.can_read_evidence(external, other_control)
    assert not service.can_read_evidence(external, other_period)
    listed = db_session.scalars(service.readable_evidence(select(Evidence), external)).all()
    assert listed == [in_scope]
