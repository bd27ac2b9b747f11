"""Importing CISO Assistant libraries: frameworks become catalogues, mapping sets mappings."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.catalogue import libraries
from app.catalogue.ciso import parse_library, read_libraries
from app.catalogue.models import Catalogue, Control, ControlGroup, ControlMapping, SoAEntry
from app.catalogue.sync import CatalogueInvalid, load_catalogues
from app.ledger.models import LedgerEntry
from tests import factories

HERE = Path(__file__).parent / "ciso_libraries"
SLUG = "secure-basics-1.0"


def _files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (HERE / name).read_bytes()) for name in names]


def _import(session, *names: str, kind=None):
    return libraries.import_libraries(session, factories.SYSTEM, _files(*names), kind)


def _control(session, code: str) -> Control:
    return session.scalar(select(Control).where(Control.key == f"{SLUG}:{code}"))


def test_framework_becomes_a_catalogue_with_nested_groups_and_translations(db_session):
    result = _import(db_session, "secure-1.yaml")
    assert result.lines()[0] == f"{SLUG}: 5 added"
    assert "skipped what Kontrol does not use: reference_controls" in result.lines()[-1]

    catalogue = db_session.scalar(select(Catalogue).where(Catalogue.slug == SLUG))
    assert (catalogue.kind, catalogue.version, catalogue.provider, catalogue.licence) == (
        "assurance", "1", "Kontrol tests", "CC0-1.0")
    assert catalogue.library_urn == "urn:kontrol-test:risk:library:secure-basics-1.0"
    assert catalogue.copyright.startswith("Written for Kontrol")
    assert catalogue.text("title", "da") == "Sikre grundprincipper 1.0"

    groups = {g.code: g for g in db_session.scalars(
        select(ControlGroup).where(ControlGroup.catalogue_id == catalogue.id))}
    assert groups["GV.PO"].parent is groups["GV"]
    assert groups["GV"].parent is None and groups["GV"].text("title", "da") == "Styring"

    policy = _control(db_session, "GV.PO-01")
    assert policy.group.code == "GV.PO"
    assert policy.urn == "urn:kontrol-test:risk:req_node:secure-basics-1.0:gv.po-01"
    assert policy.text("title", "da") == "Sikkerhedspolitik"
    assert policy.text("title", "en") == "Security policy"
    # The non-assessable clause under the requirement is part of its text.
    assert policy.description_en.endswith("a) It is reviewed every year.")
    assert policy.evidence_texts("en") == ["The approved policy and the board minutes."]
    # No ref_id: the urn's last segment; no name: the description is the title.
    access = _control(db_session, "pr.ac-1")
    assert access.title_en.startswith("Access rights are reviewed")
    # A ref_id with a space cannot be an id: the urn's last segment is used.
    assert _control(db_session, "pr.logging").title_en == "Logging"
    # A top-level requirement goes to a group named after the framework.
    assert _control(db_session, "S1").group.code == SLUG
    assert policy.soa_entry is None  # an assurance catalogue has no SoA entries


def test_reimport_is_idempotent_and_a_new_version_updates_and_retires(db_session):
    _import(db_session, "secure-1.yaml")
    entries = db_session.scalar(select(func.count(LedgerEntry.seq)))
    assert _import(db_session, "secure-1.yaml").lines()[0] == f"{SLUG}: unchanged"
    assert db_session.scalar(select(func.count(LedgerEntry.seq))) == entries

    # Something hangs on GV.PO-02: a removed requirement is retired, not deleted.
    exceptions = _control(db_session, "GV.PO-02")
    exceptions.owner = factories.make_user(db_session, role="control_owner")
    db_session.add(SoAEntry(control=exceptions, applicable=True))
    db_session.flush()
    result = _import(db_session, "secure-2.yaml")
    assert result.catalogues[0].added == [f"{SLUG}:PR.3"]
    assert f"{SLUG}:GV.PO-01" in result.catalogues[0].updated  # (others moved up a place)
    assert result.catalogues[0].retired == [f"{SLUG}:GV.PO-02"]
    assert _control(db_session, "GV.PO-01").description_en.startswith(
        "A security policy is approved by top management.")
    assert _control(db_session, "GV.PO-02").is_retired
    catalogue = db_session.scalar(select(Catalogue).where(Catalogue.slug == SLUG))
    assert catalogue.version == "2"


def test_kind_is_chosen_once_and_kept_on_reimport(db_session):
    _import(db_session, "secure-1.yaml", kind="standard")
    assert _control(db_session, "GV.PO-01").soa_entry is not None
    _import(db_session, "secure-2.yaml")
    catalogue = db_session.scalar(select(Catalogue).where(Catalogue.slug == SLUG))
    assert catalogue.kind == "standard"
    assert _control(db_session, "PR.3").soa_entry is not None


def test_mapping_set_maps_to_a_loaded_catalogue_with_relation_and_rationale(
        db_session, loaded_catalogue):
    result = _import(db_session, "secure-1.yaml", "mapping-secure-to-iso.yaml")
    forward, backward = result.mapping_sets
    assert (forward.added, backward.added) == (2, 1)
    # GV is a heading, not a control: the mapping is skipped and said so.
    assert forward.unresolved == ["urn:kontrol-test:risk:req_node:secure-basics-1.0:gv"]
    assert "1 skipped" in forward.summary()

    policy = _control(db_session, "GV.PO-01")
    iso = db_session.scalar(select(Control).where(Control.key == "iso27001-2022:A.5.1"))
    mapping = db_session.scalar(select(ControlMapping).where(
        ControlMapping.source_id == policy.id, ControlMapping.target_id == iso.id))
    assert (mapping.relation, mapping.rationale) == ("equal", "semantic")
    assert mapping.mapping_set.endswith("secure-basics-1.0-to-iso27001-2022")

    # Re-importing changes nothing; reloading the YAML catalogues keeps imported mappings.
    again = _import(db_session, "secure-1.yaml", "mapping-secure-to-iso.yaml")
    assert [m.added + m.removed + m.updated for m in again.mapping_sets] == [0, 0]
    load_catalogues(db_session, factories.SYSTEM)
    assert db_session.get(ControlMapping, mapping.id) is not None


def test_mapped_controls_show_on_both_control_pages(client, login_as, db_session,
                                                    loaded_catalogue):
    _import(db_session, "secure-1.yaml", "mapping-secure-to-iso.yaml")
    login_as("viewer")
    page = client.get("/controls/iso27001-2022:A.8.15").get_data(as_text=True)
    assert "pr.logging" in page and "Logging" in page and "Covers" in page
    page = client.get(f"/controls/{SLUG}:GV.PO-01").get_data(as_text=True)
    assert "A.5.1" in page


def test_missing_dependency_is_named(db_session, loaded_catalogue):
    with pytest.raises(CatalogueInvalid) as caught:
        _import(db_session, "mapping-secure-to-iso.yaml")
    error = caught.value.errors[0]  # once per mapping set that needs it
    assert len(caught.value.errors) == 2
    assert error.path == "mapping-secure-to-iso.yaml"
    assert "needs the framework 'secure-basics-1.0'" in error.message
    assert "urn:kontrol-test:risk:library:secure-basics-1.0" in error.message
    assert db_session.scalar(select(func.count(ControlMapping.id)).where(
        ControlMapping.mapping_set.is_not(None))) == 0


def test_a_catalogue_id_taken_by_a_yaml_catalogue_is_refused(db_session, loaded_catalogue):
    text = (HERE / "secure-1.yaml").read_text().replace("secure-basics-1.0", "iso27001-2022")
    with pytest.raises(CatalogueInvalid) as caught:
        libraries.import_libraries(db_session, factories.SYSTEM, [("iso.yaml", text.encode())])
    assert "already used by the catalogue file iso27001-2022.yaml" in str(caught.value.errors[0])


def test_yaml_load_refuses_an_id_taken_by_an_imported_catalogue(db_session, tmp_path):
    text = (HERE / "secure-1.yaml").read_text().replace("secure-basics-1.0", "secure-basics")
    libraries.import_libraries(db_session, factories.SYSTEM, [("s.yaml", text.encode())])
    (tmp_path / "clash.yaml").write_text(
        "catalogue: {id: secure-basics, kind: extension, title: Clash}\n"
        "groups: [{id: G, title: G}]\ncontrols: [{id: C1, group: G, title: C}]\n")
    with pytest.raises(CatalogueInvalid) as caught:
        load_catalogues(db_session, factories.SYSTEM, [tmp_path / "clash.yaml"])
    assert "already used by the catalogue imported from the library" in str(
        caught.value.errors[0])


BROKEN = """
urn: urn:test:risk:library:broken
locale: en
objects:
  framework:
    urn: urn:test:risk:framework:broken
    name: Broken
    requirement_nodes:
    - urn: urn:test:risk:req_node:broken:a
      assessable: maybe
    - urn: urn:test:risk:req_node:broken:b
      assessable: true
      parent_urn: urn:test:risk:req_node:broken:nowhere
      name: B
    - urn: urn:test:risk:req_node:broken:a
      assessable: false
  requirement_mapping_sets:
  - urn: urn:test:risk:req_mapping_set:x
    source_framework_urn: urn:test:risk:framework:broken
    target_framework_urn: urn:test:risk:framework:other
    requirement_mappings:
    - source_requirement_urn: urn:test:risk:req_node:broken:a
      target_requirement_urn: urn:test:risk:req_node:other:a
      relationship: related
"""


def test_errors_name_the_file_and_the_node():
    library, errors = parse_library(BROKEN, "broken.yaml")
    assert library is None
    messages = [str(error) for error in errors]
    assert messages == [
        "broken.yaml: requirement node #1 (urn:test:risk:req_node:broken:a): 'assessable' must "
        "be true or false, got 'maybe'",
        "broken.yaml: requirement node #3 (urn:test:risk:req_node:broken:a): this urn is used "
        "by an earlier node too",
        "broken.yaml: requirement node #2 (urn:test:risk:req_node:broken:b): parent_urn "
        "'urn:test:risk:req_node:broken:nowhere' names no node of this framework",
        "broken.yaml: mapping set #1 (urn:test:risk:req_mapping_set:x) mapping #1: "
        "relationship 'related' is not one of equal, subset, superset, intersect, not_related",
    ]


def test_a_library_in_another_language_takes_english_from_its_translations():
    text = """
urn: urn:test:risk:library:fr
locale: fr
objects:
  framework:
    urn: urn:test:risk:framework:fr-1
    name: Référentiel
    translations: {en: {name: Framework}}
    requirement_nodes:
    - urn: urn:test:risk:req_node:fr-1:1
      ref_id: 1
      assessable: true
      name: Exigence
      translations: {en: {name: Requirement}, da: {name: Krav}}
    - urn: urn:test:risk:req_node:fr-1:2
      ref_id: 2
      assessable: true
      name: Seulement en français
"""
    (library,), errors = read_libraries([("fr.yaml", text.encode())])
    (catalogue,) = library.catalogues
    first, second = catalogue.controls
    assert (first.id, first.title.en, first.title.da) == ("1", "Requirement", "Krav")
    assert (second.title.en, second.title.da) == ("Seulement en français",) * 2
    assert catalogue.title.en == "Framework"


def test_not_a_library_and_nothing_to_import_are_explained():
    assert "not a CISO Assistant library" in str(parse_library("- a list", "x.yaml")[1][0])
    _, errors = parse_library("urn: urn:x\nobjects: {threats: []}\n", "t.yaml")
    assert "nothing for Kontrol to import" in str(errors[0])
    _, errors = parse_library("urn: [unclosed", "s.yaml")
    assert str(errors[0]).startswith("s.yaml:2: YAML syntax error")


def test_cli_imports_and_reports(runner, db_session):
    result = runner.invoke(args=["catalogue", "import-ciso", str(HERE / "secure-1.yaml")])
    assert result.exit_code == 0, result.output
    assert f"{SLUG}: 5 added" in result.output
    result = runner.invoke(args=["catalogue", "import-ciso", str(HERE / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml: cannot read" in result.output


def test_coordinator_uploads_libraries_and_sees_the_catalogue(client, login_as, db_session,
                                                             loaded_catalogue):
    from io import BytesIO

    login_as("coordinator")
    assert "Import a CISO Assistant library" in client.get("/controls/").get_data(as_text=True)
    files = [(BytesIO((HERE / name).read_bytes()), name)
             for name in ("secure-1.yaml", "mapping-secure-to-iso.yaml")]
    response = client.post("/controls/import", data={"files": files, "kind": ""},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert f"{SLUG}: 5 added" in page and "mappings secure-basics-1.0 → iso27001-2022" in page

    page = client.get(f"/controls/?catalogue={SLUG}").get_data(as_text=True)
    for shown in ("urn:kontrol-test:risk:library:secure-basics-1.0", "Kontrol tests",
                  "CC0-1.0", "Written for Kontrol", "secure-1.yaml"):
        assert shown in page
    # Choosing a group shows the controls of the groups nested in it too.
    page = client.get(f"/controls/?catalogue={SLUG}&group=GV").get_data(as_text=True)
    assert "GV.PO-01" in page and "pr.logging" not in page


def test_a_failed_upload_lists_every_error_and_imports_nothing(client, login_as, db_session):
    from io import BytesIO

    login_as("coordinator")
    response = client.post("/controls/import", data={
        "files": [(BytesIO(BROKEN.encode()), "broken.yaml")]},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "broken.yaml: requirement node #1" in page and "Nothing was imported" in page
    assert db_session.scalar(select(func.count(Catalogue.id)).where(
        Catalogue.slug == "broken")) == 0


def test_only_who_loads_catalogues_may_import(client, login_as):
    login_as("control_owner")
    assert client.get("/controls/import").status_code == 403
    assert "Import a CISO Assistant library" not in client.get("/controls/").get_data(
        as_text=True)
