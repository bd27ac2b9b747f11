"""Catalogue YAML schema: a gallery of broken files, the valid shape, cross-file checks."""

from pathlib import Path

import pytest

from app.catalogue.schema import (
    FREQUENCIES,
    KINDS,
    CatalogueDef,
    CatalogueError,
    ControlDef,
    GroupDef,
    Text,
    check_mappings,
    load_paths,
    parse_catalogue,
)

GALLERY = Path(__file__).parent / "catalogue_gallery"
SHIPPED = Path(__file__).parents[2] / "controls"

HEADER = """\
catalogue:
  id: {cat_id}
  kind: standard
  title: Demo
groups:
  - id: A
    title: Access
controls:
"""

# file -> every error it must produce, in order: (line, fragment of the message)
BROKEN = {
    "syntax_error.yaml": [(11, "YAML syntax error: mapping values are not allowed here")],
    "empty.yaml": [(None, "the file is empty; expected the keys catalogue, groups, controls")],
    "not_a_mapping.yaml": [(1, "top level: expected a mapping, got a list")],
    "missing_sections.yaml": [
        (1, "top level: missing 'controls'"),
        (5, "top level: 'groups' must be a non-empty list, got an empty list"),
    ],
    "duplicate_id.yaml": [(15, "duplicate control id 'A.1' (first at line 9)")],
    "duplicate_group.yaml": [(8, "duplicate group id 'A' (first at line 6)")],
    "duplicate_key.yaml": [(13, "control A.1: key 'title' appears twice (first at line 11)")],
    "unknown_field.yaml": [
        (12, "control A.1: unknown key 'owner'; allowed: id, group, title, description, "),
    ],
    "missing_title.yaml": [(9, "control A.1: missing 'title'")],
    "unknown_group.yaml": [(15, "control C.1: group 'C' is not in 'groups' (defined: A, B)")],
    "bad_frequency.yaml": [
        (12, "control A.1: 'frequency' must be one of annual, semi-annual, quarterly"),
    ],
    "bad_mapping.yaml": [
        (
            13,
            "mapping must look like <catalogue id>:<control id> (e.g. iso27001-2022:A.8.15), "
            "got 'iso27001-2022 A.5.15'",
        ),
        (14, "control A.1: maps to itself ('demo:A.1')"),
        (16, "mapping 'iso27001-2022:A.5.18' listed twice (first at line 15)"),
    ],
    "bad_header.yaml": [
        (2, "catalogue: 'id' must be lowercase letters, digits and '-'"),
        (3, "catalogue: 'kind' must be one of standard, extension, assurance, got 'law'"),
        (4, "catalogue: 'version' must be a string, got a number (2022); put it in quotes"),
    ],
    "wrong_types.yaml": [
        (10, "control A.5.1: 'group' must be a string, got a number (5); put it in quotes"),
        (12, "control A.5.1: 'evidence' must be a list, got a string"),
        (13, "control A.5.1: 'mappings' must be a list, got a string"),
        (14, "control #2: expected a mapping, got a string"),
    ],
    "bad_text.yaml": [
        (7, "group A 'title': missing 'en'"),
        (11, "control A.1 'title': unknown language 'de'; allowed: en, da"),
        (12, "control A.1: 'description' is empty"),
        (13, "control A.1: 'test_procedure' is empty"),
        (15, "control A.1 'evidence' item 1: 'en' is empty"),
    ],
    "many_errors.yaml": [
        (2, "catalogue: 'id' must be lowercase letters, digits and '-'"),
        (5, "catalogue: unknown key 'colour'; allowed: id, kind, version, title, description"),
        (9, "duplicate group id 'A' (first at line 7)"),
        (15, "control A.1: 'frequency' must be one of annual"),
        (17, "control A.1: mapping must look like <catalogue id>:<control id>"),
        (18, "duplicate control id 'A.1' (first at line 12)"),
        (19, "control A.1: group 'Z' is not in 'groups' (defined: A)"),
        (21, "control A.1: key 'title' appears twice (first at line 20)"),
        (22, "control A.3: missing 'title'"),
        (26, "control A.4 'title': unknown language 'dk'; allowed: en, da"),
        (27, "control A.4: unknown key 'owner'"),
    ],
}


def parse_file(name):
    path = GALLERY / name
    return parse_catalogue(path.read_text(encoding="utf-8"), str(path))


def write_catalogue(directory, cat_id, controls):
    path = directory / f"{cat_id}.yaml"
    path.write_text(HEADER.format(cat_id=cat_id) + controls, encoding="utf-8")
    return path


def test_every_gallery_file_has_expectations():
    assert sorted(p.name for p in GALLERY.glob("*.yaml")) == sorted([*BROKEN, "valid.yaml"])


@pytest.mark.parametrize(("name", "expected"), BROKEN.items(), ids=list(BROKEN))
def test_broken_file_reports_every_error_with_its_line(name, expected):
    catalogue, errors = parse_file(name)

    assert catalogue is None
    assert [error.line for error in errors] == [line for line, _ in expected]
    for error, (_, fragment) in zip(errors, expected, strict=True):
        assert fragment in error.message
        assert error.path == str(GALLERY / name)


def test_many_errors_file_reports_all_errors_at_once():
    _, errors = parse_file("many_errors.yaml")

    assert len(errors) == len(BROKEN["many_errors.yaml"]) == 11


def test_error_reads_as_path_line_message():
    assert str(CatalogueError("controls/x.yaml", 7, "control A.1: missing 'title'")) == (
        "controls/x.yaml:7: control A.1: missing 'title'"
    )
    assert str(CatalogueError("controls/x.yaml", None, "not valid UTF-8")) == (
        "controls/x.yaml: not valid UTF-8"
    )


def test_valid_file_parses_into_dataclasses():
    catalogue, errors = parse_file("valid.yaml")

    assert errors == []
    assert catalogue == CatalogueDef(
        id="demo",
        kind="standard",
        version="1",
        title=Text("Demo catalogue", "Demokatalog"),
        description=Text("A small catalogue for tests.", "A small catalogue for tests."),
        groups=(
            GroupDef("A", Text("Access", "Adgang"), None, 0),
            GroupDef("B", Text("Backup", "Backup"), Text("Keep copies.", "Hav kopier."), 1),
        ),
        controls=(
            ControlDef(
                catalogue_id="demo",
                id="A.1",
                group="A",
                title=Text("Access policy", "Adgangspolitik"),
                description=Text("An access policy is approved.", "En adgangspolitik er godkendt."),
                frequency="annual",
                test_procedure=Text("Inspect the policy.", "Gennemgå politikken."),
                evidence=(
                    Text("Approved policy", "Godkendt politik"),
                    Text("Review minutes", "Review minutes"),
                ),
                mappings=("demo:B.1",),
                position=0,
                line=15,
            ),
            ControlDef(
                catalogue_id="demo",
                id="B.1",
                group="B",
                title=Text("Backups are restored", "Backups are restored"),
                description=None,
                frequency=None,
                test_procedure=None,
                evidence=(),
                mappings=(),
                position=1,
                line=29,
            ),
        ),
        path=str(GALLERY / "valid.yaml"),
    )
    assert catalogue.controls[0].key == "demo:A.1"


def test_plain_string_text_falls_back_to_english_for_danish():
    catalogue, _ = parse_file("valid.yaml")

    assert catalogue.groups[1].title == Text(en="Backup", da="Backup")
    assert catalogue.controls[1].title.get("da") == "Backups are restored"


def test_text_get_picks_the_language():
    text = Text(en="Access policy", da="Adgangspolitik")

    assert text.get("da") == "Adgangspolitik"
    assert text.get("da_DK") == "Adgangspolitik"
    assert text.get("en") == "Access policy"


def test_vocabularies_match_the_format():
    assert FREQUENCIES == (
        "annual", "semi-annual", "quarterly", "monthly", "semi-monthly", "weekly", "daily",
        "multiple-daily", "automated", "event-driven",
    )  # fmt: skip
    assert KINDS == ("standard", "extension", "assurance")


def test_unsafe_tags_are_reported_not_constructed():
    text = (
        (GALLERY / "valid.yaml")
        .read_text(encoding="utf-8")
        .replace("title: Backup", 'title: !!python/object/apply:os.system ["exit 3"]')
    )

    catalogue, errors = parse_catalogue(text, "evil.yaml")

    assert catalogue is None
    assert [(e.line, e.message) for e in errors] == [
        (12, "group B: 'title' must be a string, got a value tagged "
             "tag:yaml.org,2002:python/object/apply:os.system"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "line", "fragment"),
    [
        (("    title: Backup", "\ttitle: Backup"), 12, "found character '\\t' that cannot start"),
        (("title: Backup", "title: Back\x07up"), 12, "unacceptable character #x0007"),
        (("Backups are restored}", "Backups are restored}\n---\nx: 1"), 32, "a single document"),
    ],
    ids=["tab", "control-character", "two-documents"],
)
def test_yaml_level_errors_carry_the_line(change, line, fragment):
    text = (GALLERY / "valid.yaml").read_text(encoding="utf-8").replace(*change)

    catalogue, errors = parse_catalogue(text, "broken.yaml")

    assert catalogue is None
    assert [e.line for e in errors] == [line]
    assert fragment in errors[0].message


def test_mapping_to_unknown_control_names_file_line_control_and_key(tmp_path):
    write_catalogue(tmp_path, "iso", "  - {id: A.1, group: A, title: Policy}\n")
    app_path = write_catalogue(
        tmp_path,
        "local",
        "  - id: X.1\n    group: A\n    title: Ours\n    mappings: [iso:A.1, iso:A.9, gdpr:B.1]\n",
    )

    catalogues, errors = load_paths([tmp_path])

    assert catalogues == []
    assert [str(error) for error in errors] == [
        f"{app_path}:9: control X.1: mapping 'iso:A.9' names no known control "
        "(catalogue 'iso' has no control 'A.9')",
        f"{app_path}:9: control X.1: mapping 'gdpr:B.1' names no known control "
        "(no catalogue 'gdpr' is loaded)",
    ]


def test_mapping_to_a_control_already_in_the_database_is_accepted(tmp_path):
    write_catalogue(tmp_path, "iso", "  - {id: A.1, group: A, title: Policy}\n")
    write_catalogue(tmp_path, "local", "  - {id: X.1, group: A, title: X, mappings: [gdpr:B.1]}\n")

    catalogues, errors = load_paths([tmp_path], known_keys={"gdpr:B.1"})

    assert errors == []
    assert [c.id for c in catalogues] == ["iso", "local"]
    assert catalogues[1].controls[0].mappings == ("gdpr:B.1",)


def test_mapping_listed_on_both_sides_is_reported_once(tmp_path):
    first = write_catalogue(
        tmp_path, "iso", "  - {id: A.1, group: A, title: A, mappings: [x:X.1]}\n"
    )
    write_catalogue(tmp_path, "x", "  - {id: X.1, group: A, title: X, mappings: [iso:A.1]}\n")

    _, errors = load_paths([tmp_path])

    assert [(e.path, e.line) for e in errors] == [(str(first), 9)]
    assert "also listed the other way round" in errors[0].message


def test_duplicate_catalogue_id_across_files_is_reported(tmp_path):
    first = write_catalogue(tmp_path, "iso", "  - {id: A.1, group: A, title: Policy}\n")
    second = tmp_path / "copy.yml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")

    _, errors = load_paths([tmp_path])

    assert [str(e) for e in errors] == [f"{first}: catalogue id 'iso' is already used by {second}"]


def test_check_mappings_works_on_parsed_catalogues():
    catalogue, _ = parse_file("valid.yaml")

    assert check_mappings([catalogue]) == []
    assert check_mappings([catalogue], known_keys={"other:Z.1"}) == []


def test_load_paths_accepts_files_and_directories_in_name_order(tmp_path):
    write_catalogue(tmp_path, "b", "  - {id: B.1, group: A, title: Bee}\n")
    write_catalogue(tmp_path, "a", "  - {id: A.1, group: A, title: Aye}\n")
    (tmp_path / "notes.txt").write_text("not a catalogue", encoding="utf-8")

    catalogues, errors = load_paths([tmp_path, GALLERY / "valid.yaml"])

    assert errors == []
    assert [c.id for c in catalogues] == ["a", "b", "demo"]


def test_load_paths_reports_undecodable_file_and_missing_path(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("catalogue:\n  title: Bilag Æ\n".encode("latin-1"))

    catalogues, errors = load_paths([bad, tmp_path / "missing", GALLERY / "valid.yaml"])

    assert catalogues == []
    assert [(e.path, e.line) for e in errors] == [(str(tmp_path / "missing"), None), (str(bad), 2)]
    assert "no such file or directory" in errors[0].message
    assert "not valid UTF-8" in errors[1].message


def test_load_paths_returns_nothing_when_one_file_is_broken():
    catalogues, errors = load_paths([GALLERY / "valid.yaml", GALLERY / "missing_title.yaml"])

    assert catalogues == []
    assert [str(e) for e in errors] == [
        f"{GALLERY / 'missing_title.yaml'}:9: control A.1: missing 'title'"
    ]


def test_shipped_catalogues_are_valid():
    if not any(SHIPPED.glob("*.yaml")):
        pytest.skip("no catalogue files in controls/ yet")

    catalogues, errors = load_paths([SHIPPED])

    assert [str(e) for e in errors] == []
    by_id = {c.id: c for c in catalogues}
    iso = by_id["iso27001-2022"]
    assert len(iso.controls) == 93
    per_group = {g.id: sum(c.group == g.id for c in iso.controls) for g in iso.groups}
    assert per_group == {"5": 37, "6": 8, "7": 14, "8": 34}
    isae = by_id["isae3000-gdpr"]
    assert len(isae.controls) == 45
    assert [c.id for c in isae.controls if not c.mappings] == []
    assert len(by_id["soa-extensions"].controls) >= 10
