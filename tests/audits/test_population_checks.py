"""Broken population files are refused with the line at fault and leave no stored file; what the
auditor must judge (duplicates, values over several lines) is imported with a visible warning;
rows are never merged silently."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import refresh
from openpyxl import Workbook

from app.audits import populations
from app.audits.population_checks import RowChecks
from app.evidence import service as evidence
from tests.audits.conftest import find_test
from tests.factories import SYSTEM


@pytest.fixture
def leavers(engagement):
    return find_test(engagement, "isae3000-gdpr:C.5")


def _upload(db_session, people, test, store, body: bytes, name="leavers.csv"):
    return populations.upload_population(db_session, people["auditor"], test, io.BytesIO(body),
                                         name, store, 10 << 20)


@pytest.mark.parametrize("body,message", [
    # An opening quote never closed would swallow every later row into one value.
    (b'employee,name\nE1,Anna\nE2,"Bo\nE3,Cecilie\nE4,Dorte\n',
     "Line 3: a quoted value is never closed"),
    # Closed mid-value: the rows in between would have merged into one.
    (b'employee,name\nE1,"Anna\nE2,Bo\nE3,"Cecilie" Holm\n',
     "Line 2: a quote ends in the middle of a value"),
    (b"employee,name\nE1,Anna\nE2\nE3,Cecilie\n",
     "Line 3: the row has 1 values but the header has 2 columns"),
    (b"employee,name\nE1,Anna\nE2,Bo,Extra\n",
     "Line 3: the row has 3 values but the header has 2 columns"),
    (b"employee,name\nE1,Anna\nE2,B\x00o\n", "Line 3: it holds a NUL byte"),
    ("employee;name\nE1;Anna\nE2;Soren\n".encode("utf-16-le"), "Line 1: it holds a NUL byte"),
    ("employee;name\nE1;Anna\n".encode("utf-16"), "Line 1: the file is not UTF-8 text"),
    (b"employee,name\nE1,Anna\nE2,S\xf8ren\n", "Line 3: the file is not UTF-8 text"),
])
def test_broken_files_are_refused_with_the_line_and_leave_no_file(db_session, people, leavers,
                                                                   store, body, message):
    population = _upload(db_session, people, leavers, store, body)
    assert population.status == "failed"
    assert message in population.error
    assert not store.exists(population.file_sha256)
    assert (population.file_sha256, population.file_size) not in set(
        populations.population_files(db_session))
    assert population.row_count is None


def test_the_refusal_is_shown_on_the_test_page(client, db_session, people, leavers, store):
    _upload(db_session, people, leavers, store, b"a,b\n1,2\n3\n")
    client.post("/login", data={"email": people["auditor"].email,
                                "password": "correct horse battery"})
    page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert "Import failed:" in page and "Line 3: the row has 1 values" in page


def test_a_refused_file_that_is_also_evidence_stays_stored(db_session, people, leavers, store,
                                                           app):
    body = b"a,b\n1,2\n3\n"
    settings = evidence.EvidenceSettings(store=store)
    kept = evidence.add_file_evidence(db_session, SYSTEM, settings, evidence.EvidenceDetails(
        title="Export", controls=["isae3000-gdpr:C.5"], period_start=date(2025, 1, 1)),
        evidence.Upload(io.BytesIO(body), "export.csv", "text/csv"))
    population = _upload(db_session, people, leavers, store, body)
    assert population.status == "failed"
    assert store.exists(kept.current_version.sha256)


def test_duplicates_are_imported_with_a_visible_warning(client, db_session, people, leavers,
                                                        store):
    body = b"employee,last_day\nE1,2025-01-31\nE2,2025-02-28\nE1,2025-01-31\n\nE1,2025-01-31\n"
    population = _upload(db_session, people, leavers, store, body)
    assert population.status == "ready" and population.row_count == 4
    assert population.warnings == [{"code": "duplicates", "count": 2,
                                     "lines": [[4, 2], [6, 2]]}]
    client.post("/login", data={"email": people["auditor"].email,
                                "password": "correct horse battery"})
    page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert "2 rows repeat an earlier row exactly." in page
    assert "line 4 repeats line 2; line 6 repeats line 2" in page
    client.post("/language", data={"language": "da"})
    refresh()  # the test's app context outlives requests, and Flask-Babel caches the locale there
    page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert "række 4 gentager række 2" in page


def test_a_value_over_several_lines_is_kept_whole_and_flagged(db_session, people, leavers,
                                                              store):
    body = b'employee,comment\nE1,"left in March,\nreturned in May"\nE2,ok\n'
    population = _upload(db_session, people, leavers, store, body)
    assert population.status == "ready" and population.row_count == 2
    assert population.preview[0] == ["E1", "left in March,\nreturned in May"]
    assert population.warnings == [{"code": "multiline", "count": 1, "lines": [[2, 3]]}]


def test_clean_files_import_without_warnings(db_session, people, leavers, store):
    # Trailing delimiters (as spreadsheets write them) and quoted commas are fine.
    body = b'employee,name,\nE1,"Holm, Anna",\nE2,Bo,\n'
    population = _upload(db_session, people, leavers, store, body)
    assert population.status == "ready" and population.warnings is None
    assert population.columns == ["employee", "name"]
    assert population.preview == [["E1", "Holm, Anna", ""], ["E2", "Bo", ""]]


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_rows_may_end_early_but_not_run_past_the_header(db_session, people, leavers,
                                                             store):
    ok = _upload(db_session, people, leavers, store,
                 _xlsx([["change", "date", "note"], ["C1", "2025-01-01"], ["C2", "2025-01-02",
                                                                           "urgent"]]),
                 "changes.xlsx")
    assert ok.status == "ready" and ok.row_count == 2
    bad = _upload(db_session, people, leavers, store,
                  _xlsx([["change", "date"], ["C1", "2025-01-01"], ["C2", "2025-01-02", "?"]]),
                  "changes.xlsx")
    assert bad.status == "failed"
    assert "Line 3: the row has 3 values but the header has 2 columns" in bad.error


def test_a_typed_list_keeps_commas_and_quotes_in_one_item(db_session, people, leavers, store):
    population = populations.enter_population(
        db_session, people["auditor"], leavers, 'Holm, Anna\nBo "the boss" Nielsen\n', store)
    assert population.status == "ready" and population.columns == ["item"]
    assert population.preview == [["Holm, Anna"], ['Bo "the boss" Nielsen']]


def test_duplicate_search_reports_every_repeat_but_lists_twenty():
    checks = RowChecks(1, ragged_short=True)
    try:
        for line in range(2, 102):
            checks.check(line, line, ["same"], '["same"]')
        [warning] = checks.warnings()
    finally:
        checks.close()
    assert warning["count"] == 99 and len(warning["lines"]) == 20
    assert warning["lines"][0] == [3, 2]



@pytest.mark.parametrize("cells", [[], [""], ["E1", "2025-01-01"], ['say "hi"', "back\\slash"],
                                   ["æøå", "tab\there", "nul\x00", "\u2028", "🔐"]])
def test_rows_are_fingerprinted_as_compact_json(cells):
    import json

    cleaned = populations.clean_cells(cells)
    assert populations.canonical_row(cells) == json.dumps(cleaned, ensure_ascii=False,
                                                          separators=(",", ":"))


def test_duplicate_search_is_exact_when_the_filter_is_crowded():
    from app.audits.population_checks import DuplicateRows

    class Crowded(DuplicateRows):
        BITS = 8  # nearly every row becomes a candidate

    rows = Crowded()
    try:
        for line, text in enumerate(["a", "b", "c", "a", "d", "c", "a"], start=2):
            rows.add(text, line)
        assert rows.repeats(10) == (3, [[5, 2], [7, 4], [8, 2]])
    finally:
        rows.close()
