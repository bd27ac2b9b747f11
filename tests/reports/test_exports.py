"""The auditor's bundle carries the evidence version the audit rests on, with its SHA-256 and the
ledger's anchor; no export lets text become a spreadsheet formula."""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audits import samples
from app.audits.models import ItemResult
from app.catalogue.models import Control
from app.catalogue.service import update_soa_entry
from app.evidence import service as evidence
from app.evidence.storage import EvidenceStore
from app.ledger import service as ledger
from app.ledger.anchor import parse_anchors
from app.reports.bundle import version_for_audit
from app.reports.spreadsheet import inert, is_formula_like
from tests.audits.conftest import find_test
from tests.factories import SYSTEM, make_user

HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1", "  =1+1")


def _signed_in(client, user):
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})


def _file_with_versions(db_session, app, title="Leaver list 2025", count=3):
    coordinator = make_user(db_session, role="coordinator")
    settings = evidence.EvidenceSettings(store=EvidenceStore(app.config["KONTROL_EVIDENCE_DIR"]))
    item = evidence.add_file_evidence(
        db_session, coordinator, settings,
        evidence.EvidenceDetails(title=title, controls=["isae3000-gdpr:C.5"],
                                 period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)),
        evidence.Upload(io.BytesIO(b"employee,last_day\nE1,2025-03-01\n"), "leavers.csv",
                        "text/csv"))
    for number in range(2, count + 1):
        evidence.add_version(db_session, coordinator, settings, item, evidence.Upload(
            io.BytesIO(f"employee,last_day\nE1,2025-03-0{number}\n".encode()), "leavers.csv",
            "text/csv"))
    return item


def _bundle(client, engagement, include_files: bool) -> zipfile.ZipFile:
    data = {"lang": "en", **({"include_files": "y"} if include_files else {})}
    response = client.post(f"/reports/engagements/{engagement.id}/bundles", data=data)
    bundle_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    download = client.get(f"/reports/bundles/{bundle_id}/download", buffered=True)
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(download.data))


def _index(archive) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO(archive.read("evidence-index.csv").decode()))
    return {row["evidence_id"]: row for row in rows}


def test_bundle_ships_the_current_version_of_each_file(client, db_session, engagement,
                                                       people, app):
    item = _file_with_versions(db_session, app)
    latest = item.current_version
    assert latest.number == 3
    _signed_in(client, people["external"])
    archive = _bundle(client, engagement, include_files=True)
    names = [name for name in archive.namelist() if name.startswith("evidence/")]
    assert names == [f"evidence/{item.id}-v3-leavers.csv"]
    assert hashlib.sha256(archive.read(names[0])).hexdigest() == latest.sha256
    row = _index(archive)[str(item.id)]
    assert (row["version"], row["sha256"]) == ("3", latest.sha256)
    manifest = archive.read("MANIFEST.sha256").decode()
    assert f"{latest.sha256}  {names[0]}" in manifest.splitlines()
    for line in manifest.splitlines():  # what `sha256sum -c` checks; it skips '#' lines
        if not line.startswith("#"):
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_bundle_without_files_names_the_current_version_in_index_and_manifest(
        client, db_session, engagement, people, app):
    item = _file_with_versions(db_session, app)
    _signed_in(client, people["external"])
    archive = _bundle(client, engagement, include_files=False)
    assert not [name for name in archive.namelist() if name.startswith("evidence/")]
    assert _index(archive)[str(item.id)]["sha256"] == item.current_version.sha256
    manifest = archive.read("MANIFEST.sha256").decode()
    assert (f"# evidence {item.id} version 3 sha256 {item.current_version.sha256} "
            "(file not included)") in manifest


def test_bundle_manifest_is_a_ledger_anchor(client, db_session, engagement, people, app):
    _signed_in(client, people["external"])
    manifest = _bundle(client, engagement, include_files=False).read("MANIFEST.sha256").decode()
    anchors = parse_anchors(manifest)
    assert len(anchors) == 1
    assert ledger.verify(db_session, anchors).ok
    assert anchors[0].seq > 0


def test_an_issued_engagement_keeps_the_version_current_at_issue():
    issued = datetime(2026, 2, 1, tzinfo=UTC)
    versions = [SimpleNamespace(number=n, uploaded_at=issued + timedelta(days=d))
                for n, d in ((3, 10), (2, -1), (1, -30))]  # newest first, like the model
    item = SimpleNamespace(versions=versions)
    in_progress = SimpleNamespace(is_issued=False, issued_at=None)
    assert version_for_audit(item, in_progress).number == 3
    done = SimpleNamespace(is_issued=True, issued_at=issued)
    assert version_for_audit(item, done).number == 2
    assert version_for_audit(SimpleNamespace(versions=versions[:1]), done) is None
    assert version_for_audit(SimpleNamespace(versions=[]), in_progress) is None


# --- formula injection ----------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_recognised(text):
    assert is_formula_like(text)
    assert inert(text) == "'" + text


@pytest.mark.parametrize("text", ["Plain", "1-2", "a=b", "", "e-mail"])
def test_ordinary_text_is_left_alone(text):
    assert inert(text) == text


def _formula_cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [f"{sheet.title}!{cell.coordinate}={cell.value!r}" for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_soa_xlsx_keeps_hostile_text_as_text(client, login_as, db_session, loaded_catalogue):
    login_as("coordinator")
    controls = db_session.scalars(select(Control).where(Control.key.like("iso27001-2022:A.5.%"))
                                  .order_by(Control.id).limit(len(HOSTILE))).all()
    for control, text in zip(controls, HOSTILE, strict=True):
        entry = control.soa_entry
        update_soa_entry(db_session, SYSTEM, entry, applicable=False, justification=text,
                         status=None, owner_id=None, last_reviewed_on=None,
                         version=entry.version)
    data = client.get("/soa/export.xlsx?catalogue=iso27001-2022").data
    assert _formula_cells(data) == []
    sheet = load_workbook(io.BytesIO(data)).active
    shown = {cell.value: cell for row in sheet.iter_rows(min_row=5) for cell in row}
    for control in controls:  # the text exactly as stored (the form strips outer blanks)
        assert shown[control.soa_entry.justification].quotePrefix


def test_workpapers_keep_hostile_population_rows_as_text(client, db_session, engagement,
                                                         people, store):
    from app.audits import populations

    test = find_test(engagement, "isae3000-gdpr:C.5")
    body = "item\n" + "".join('"' + f"{text.strip()}{i}".replace('"', '""') + '"\n'
                               for i in range(4) for text in HOSTILE[:4])
    population = populations.upload_population(db_session, people["auditor"], test,
                                               io.BytesIO(body.encode()), "p.csv", store, 1 << 20)
    sample = samples.draw_sample(db_session, people["auditor"], test, population, store, 16)
    item = sample.items[0]
    samples.record_result(db_session, people["auditor"], item, ItemResult.NO_DEVIATION,
                          "=1+1", None, item.version)
    _signed_in(client, people["external"])
    data = client.get(f"/reports/engagements/{engagement.id}/workpapers.xlsx?lang=en").data
    assert _formula_cells(data) == []
    cells = [c for s in load_workbook(io.BytesIO(data)).worksheets for r in s.iter_rows()
             for c in r if isinstance(c.value, str) and is_formula_like(c.value)]
    assert cells and all(cell.quotePrefix for cell in cells)


def test_bundle_evidence_index_defuses_hostile_titles(client, db_session, engagement, people,
                                                      app):
    item = _file_with_versions(db_session, app, title="=cmd|' /C calc'!A0", count=1)
    _signed_in(client, people["external"])
    archive = _bundle(client, engagement, include_files=False)
    assert _index(archive)[str(item.id)]["title"] == "'=cmd|' /C calc'!A0"
    assert _formula_cells(archive.read("workpapers-en.xlsx")) == []


# Every download a spreadsheet could open, with the test that fills it with formula-like text;
# a new export must be added here, with such a test.
SPREADSHEET_EXPORTS = {
    "catalogue.export_soa": "tests/reports/test_exports.py::"
                            "test_soa_xlsx_keeps_hostile_text_as_text",
    "reports.workpapers": "tests/reports/test_exports.py::"
                          "test_workpapers_keep_hostile_population_rows_as_text",
    "vendors.export_register": "tests/vendors/test_pages.py::"
                               "test_export_matches_the_filtered_list",
    "governance.export_risks": "tests/governance/test_forms_and_scope.py::"
                               "test_risk_register_export_matches_the_page",
    "reports.export_pbc": "tests/audits/test_pbc.py::test_the_export_is_the_page_cell_by_cell",
}


def test_every_spreadsheet_export_is_checked_for_formulas(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.rule.endswith((".xlsx", ".csv", ".tsv", ".xls", ".ods"))}
    assert endpoints == set(SPREADSHEET_EXPORTS)


APP = Path(__file__).resolve().parents[2] / "app"
# Writers of CSV that are not exports: the demo's population file is read back by the importer.
CSV_WRITERS_ALLOWED = {"reports/spreadsheet.py", "audits/demo.py"}


def test_exports_write_cells_only_through_the_shared_escaping():
    offenders = []
    for path in APP.rglob("*.py"):
        name = path.relative_to(APP).as_posix()
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter")
                    and isinstance(node.value, ast.Name) and node.value.id == "csv"
                    and name not in CSV_WRITERS_ALLOWED):
                offenders.append(f"{name}:{node.lineno} csv.{node.attr}")
            if name == "reports/spreadsheet.py":
                continue
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and t.attr == "value" for t in node.targets):
                offenders.append(f"{name}:{node.lineno} assigns a cell's value directly")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "append" and isinstance(node.func.value, ast.Name)
                    and ("sheet" in node.func.value.id or node.func.value.id == "ws")):
                offenders.append(f"{name}:{node.lineno} appends a row without put_text")
    assert offenders == []


# --- workpapers: a fixed number of queries ---------------------------------------------------

def _sampled(db_session, people, engagement, store, start, count):
    from app.audits import populations

    tests = engagement.tests[start:start + count]
    for test in tests:
        body = "ticket\n" + "".join(f"T-{test.id}-{n}\n" for n in range(6))
        population = populations.upload_population(
            db_session, people["auditor"], test, io.BytesIO(body.encode()), "t.csv", store,
            1 << 20)
        samples.draw_sample(db_session, people["auditor"], test, population, store, 3)
    for test in tests[: count // 2]:  # and a population not sampled yet
        populations.upload_population(db_session, people["auditor"], test,
                                      io.BytesIO(b"ticket\nX-1\nX-2\n"), "later.csv", store,
                                      1 << 20)


def test_workpapers_take_the_same_queries_for_4_or_42_tests(db_session, engagement, people,
                                                           store, count_queries):
    from app.audits import service as audits
    from app.reports import service as reports

    small = audits.create_engagement(db_session, people["auditor"], audits.EngagementPlan(
        name="Leavers only", kind="isae3000_type2", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        control_keys=[t.control.key for t in engagement.tests[:4]],
        team_ids=[people["auditor"].id], firm_id=people["firm"].id,
        partner_id=people["external"].id))
    counts = []
    for subject, sampled in ((small, 2), (engagement, 20)):
        _sampled(db_session, people, subject, store, 0, sampled)
        db_session.expire_all()
        with count_queries() as statements:
            tests = reports.workpapers(db_session, people["external"], subject, "en")
        counts.append((len(tests), len(statements)))
        assert sum(1 for t in tests if t.seed) == sampled
        assert sum(1 for t in tests if t.population_file) == sampled
    (few, few_queries), (many, many_queries) = counts
    assert (few, many) == (4, 42)  # the fixture's engagement: 45 activities, G not relevant
    # (+2 for the access check: the engagement's audit firm and its members)
    assert few_queries == many_queries <= 9, counts
