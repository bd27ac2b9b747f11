"""Loading catalogues: counts, idempotence, updates, retirement, and all-or-nothing errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.catalogue import sync
from app.catalogue.models import Catalogue, Control, ControlGroup, SoAEntry
from app.catalogue.service import update_soa_entry
from app.ledger.models import LedgerEntry
from tests.factories import SYSTEM

CONTROLS = Path(__file__).resolve().parents[2] / "controls"
ANNEX_A = (Path(__file__).resolve().parents[2].parent / "shared" / "reference"
           / "iso27001-2022-annex-a.tsv")


def _count(session, *where):
    return session.scalar(select(func.count(Control.id)).join(Catalogue).where(*where))


def test_shipped_catalogues_load_completely(db_session, loaded_catalogue):
    assert _count(db_session, Catalogue.slug == "iso27001-2022") == 93
    assert _count(db_session, Catalogue.slug == "isae3000-gdpr") == 45
    assert _count(db_session, Catalogue.slug == "soa-extensions") >= 10
    themes = dict(db_session.execute(
        select(ControlGroup.code, func.count(Control.id)).join(Control.group).join(Catalogue)
        .where(Catalogue.slug == "iso27001-2022").group_by(ControlGroup.code)).all())
    assert themes == {"5": 37, "6": 8, "7": 14, "8": 34}
    activities = db_session.scalars(
        select(Control.code).join(Catalogue).where(Catalogue.slug == "isae3000-gdpr")
        .order_by(Control.position)).all()
    expected = [f"{letter}.{n}" for letter, count in zip("ABCDEFGHI", (3, 15, 7, 3, 2, 6, 3, 2, 4),
                                                          strict=True)
                for n in range(1, count + 1)]
    assert activities == expected
    # SoA entries for standard and extension controls only.
    soa = db_session.scalar(select(func.count(SoAEntry.id)))
    assert soa == _count(db_session, Catalogue.kind.in_(["standard", "extension"]))


@pytest.mark.skipif(not ANNEX_A.exists(), reason="reference list not beside the repository")
def test_annex_a_ids_and_titles_match_the_reference(db_session, loaded_catalogue):
    rows = [line.split("\t") for line in ANNEX_A.read_text().splitlines()[1:] if line]
    loaded = dict(db_session.execute(
        select(Control.code, Control.title_en).join(Catalogue)
        .where(Catalogue.slug == "iso27001-2022")).all())
    assert loaded == {row[0]: row[1] for row in rows}


def test_every_isae_activity_maps_to_annex_a(db_session, loaded_catalogue):
    from app.catalogue.service import get_control, mapped_controls

    b9 = get_control(db_session, "isae3000-gdpr:B.9")
    assert {"iso27001-2022:A.8.15", "iso27001-2022:A.8.16"} <= {
        c.key for c in mapped_controls(b9)}
    logging = get_control(db_session, "iso27001-2022:A.8.15")
    assert "isae3000-gdpr:B.9" in {c.key for c in mapped_controls(logging)}  # both directions
    for control in db_session.scalars(select(Control).join(Catalogue)
                                      .where(Catalogue.slug == "isae3000-gdpr")):
        assert control.outgoing, control.key


def test_loading_twice_changes_nothing(db_session, loaded_catalogue):
    entries = db_session.scalar(select(func.count(LedgerEntry.seq)))
    results = sync.load_catalogues(db_session, SYSTEM)
    assert all(not result.any for result in results)
    assert db_session.scalar(select(func.count(LedgerEntry.seq))) == entries


def _write(tmp_path: Path, controls: str, name="mini.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"""catalogue:
  id: mini
  kind: extension
  title: {{en: Mini, da: Mini}}
groups:
  - id: "M"
    title: Mini group
controls:
{controls}""", encoding="utf-8")
    return path


TWO = """  - id: M.1
    group: "M"
    title: {en: First, da: Første}
    mappings: [iso27001-2022:A.5.1]
  - id: M.2
    group: "M"
    title: Second
"""


def test_changed_title_updates_and_is_ledgered(db_session, loaded_catalogue, tmp_path):
    sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, TWO)])
    changed = TWO.replace("title: Second", "title: Second, renamed")
    [result] = sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, changed)])
    assert result.updated == ["mini:M.2"]
    control = db_session.scalar(select(Control).where(Control.key == "mini:M.2"))
    assert control.title_en == "Second, renamed"
    entry = db_session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
    assert entry.action == "catalogue.loaded" and "mini:M.2" in entry.changes


def test_removed_control_with_a_decision_is_retired_not_deleted(db_session, loaded_catalogue,
                                                                tmp_path):
    sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, TWO)])
    first = db_session.scalar(select(Control).where(Control.key == "mini:M.1"))
    update_soa_entry(db_session, SYSTEM, first.soa_entry, applicable=True, justification=None,
                     status="implemented", owner_id=None, last_reviewed_on=None,
                     version=first.soa_entry.version)
    only_second = TWO.split("  - id: M.2")[0].replace("M.1", "M.2").replace(
        "    mappings: [iso27001-2022:A.5.1]\n", "")
    [result] = sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, only_second)])
    assert result.retired == ["mini:M.1"]
    assert db_session.get(Control, first.id).is_retired
    assert first.soa_entry.status == "implemented"  # the decision survives

    [result] = sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, TWO)])
    assert result.revived == ["mini:M.1"]


def test_removed_control_without_anything_attached_is_deleted(db_session, loaded_catalogue,
                                                              tmp_path):
    sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, TWO)])
    only_first = TWO.split("  - id: M.2")[0]
    [result] = sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, only_first)])
    assert result.deleted == ["mini:M.2"]
    assert db_session.scalar(select(Control).where(Control.key == "mini:M.2")) is None


def test_invalid_files_write_nothing_and_report_every_error(db_session, tmp_path):
    broken = TWO.replace('group: "M"\n    title: Second', 'group: "Z"\n    title: Second') \
        .replace("iso27001-2022:A.5.1", "iso27001-2022:A.99.9") + """  - id: M.1
    group: "M"
    title: Duplicate
"""
    with pytest.raises(sync.CatalogueInvalid) as caught:
        sync.load_catalogues(db_session, SYSTEM, [_write(tmp_path, broken)])
    messages = "\n".join(str(error) for error in caught.value.errors)
    assert "mini.yaml:" in messages
    assert "'Z'" in messages  # unknown group, with its line
    assert "M.1" in messages and "duplicate" in messages.lower()
    assert db_session.scalar(select(func.count(Catalogue.id))) == 0
    assert db_session.scalar(select(func.count(LedgerEntry.seq))) == 0


def test_mapping_to_an_unknown_control_is_refused(db_session, loaded_catalogue, tmp_path):
    with pytest.raises(sync.CatalogueInvalid) as caught:
        sync.load_catalogues(db_session, SYSTEM, [
            _write(tmp_path, TWO.replace("A.5.1", "A.5.99"))])
    [error] = caught.value.errors
    assert error.line == 9 and "A.5.99" in error.message  # the control that maps


def test_cli_check_and_load(runner, db_session, tmp_path):
    ok = runner.invoke(args=["catalogue", "check", str(CONTROLS)])
    assert ok.exit_code == 0, ok.output
    assert "iso27001-2022, 93 controls, OK" in ok.output
    assert db_session.scalar(select(func.count(Catalogue.id))) == 0  # check writes nothing

    bad = _write(tmp_path, TWO.replace("title: Second", "titel: Second"))
    failed = runner.invoke(args=["catalogue", "check", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:" in failed.output and "titel" in failed.output

    loaded = runner.invoke(args=["catalogue", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "iso27001-2022: 93 added" in loaded.output
    again = runner.invoke(args=["catalogue", "load"])
    assert "iso27001-2022: unchanged" in again.output
