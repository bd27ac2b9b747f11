"""Populations, reproducible samples, results and conclusions: the internal audit workbench."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.audits import conclusions, populations, samples, sampling, service
from app.audits.models import Conclusion, ItemResult, Population
from app.errors import Conflict, Invalid
from app.ledger.models import LedgerEntry
from tests.audits.conftest import csv_population, find_test
from tests.factories import SYSTEM


@pytest.fixture
def leavers(engagement):
    return find_test(engagement, "isae3000-gdpr:C.5")


def test_csv_population_is_kept_fingerprinted_and_previewed(db_session, people, leavers, store):
    population = csv_population(db_session, people["auditor"], leavers, store, 120)
    assert population.status == "ready"
    assert population.row_count == 120 and population.columns == ["employee", "last_day"]
    assert population.preview[0] == ["E00000", "2025-01-15"] and len(population.preview) == 10
    assert store.exists(population.file_sha256)
    expected = sampling.population_fingerprint(
        f'["E{i:05d}","2025-{i % 12 + 1:02d}-15"]' for i in range(120))
    assert population.fingerprint == expected


def test_xlsx_population(db_session, people, leavers, store):
    book = Workbook()
    sheet = book.active
    sheet.append(["change", "date"])
    for number in range(7):
        sheet.append([f"CHG-{number}", f"2025-03-0{number + 1}"])
    buffer = io.BytesIO()
    book.save(buffer)
    population = populations.upload_population(
        db_session, people["auditor"], leavers, io.BytesIO(buffer.getvalue()), "changes.xlsx",
        store, 10 << 20)
    assert population.status == "ready" and population.row_count == 7
    assert population.preview[6] == ["CHG-6", "2025-03-07"]


def test_typed_list_population(db_session, people, leavers, store):
    population = populations.enter_population(db_session, people["auditor"], leavers,
                                              "Anna\n\nBo\nCecilie\n", store)
    assert population.row_count == 3 and population.columns == ["item"]


@pytest.mark.parametrize("name,body,message", [
    ("people.csv", b"navn;dato\n" + "Søren;2025-01-01\n".encode("latin-1"),
     "not UTF-8"),
    ("people.csv", b"header_only\n", "a header but no rows"),
    ("people.pdf", b"%PDF-1.4", "Upload the population as CSV or XLSX"),
    ("people.csv", b"", "The file is empty."),
])
def test_bad_population_files_are_explained(db_session, people, leavers, store, name, body,
                                            message):
    try:
        population = populations.upload_population(db_session, people["auditor"], leavers,
                                                   io.BytesIO(body), name, store, 10 << 20)
    except Invalid as error:
        assert message in error.message
        assert db_session.scalar(select(Population.id)) is None
    else:
        assert population.status == "failed" and message in population.error


def test_sample_is_reproducible_and_redraw_confirms_it(db_session, people, leavers, store):
    population = csv_population(db_session, people["auditor"], leavers, store, 500)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store)
    assert sample.size == leavers.planned_size == 43
    indices = [item.population_index for item in sample.items]
    assert indices == sampling.select_sample(500, 43, sample.seed)
    assert sample.items[0].row == [f"E{indices[0]:05d}", f"2025-{indices[0] % 12 + 1:02d}-15"]
    # An external auditor re-performs the selection from the stored seed.
    result = samples.redraw_sample(db_session, people["external"], sample, store)
    assert result.identical and result.indices == indices
    entry = db_session.scalars(select(LedgerEntry).where(
        LedgerEntry.action == "sample.drawn")).one()
    assert sample.seed in entry.changes


def test_redraw_against_a_changed_population_is_refused(db_session, people, leavers, store):
    population = csv_population(db_session, people["auditor"], leavers, store, 200)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store)
    csv_population(db_session, people["auditor"], leavers, store, 201, name="leavers-v2.csv")
    db_session.refresh(leavers)
    result = samples.redraw_sample(db_session, people["external"], sample, store)
    assert not result.identical and not result.fingerprint_matches
    assert "not the one the sample was drawn from" in result.message
    assert "200 then, 201 now" in result.message


def test_redraw_notices_a_tampered_population_file(db_session, people, leavers, store):
    population = csv_population(db_session, people["auditor"], leavers, store, 50)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store)
    path = store.path_for(population.file_sha256)
    path.chmod(0o640)
    path.write_bytes(path.read_bytes().replace(b"E00001", b"E99999"))
    result = samples.redraw_sample(db_session, people["external"], sample, store)
    assert not result.identical and "no longer matches" in result.message


def test_sample_is_capped_at_the_population(db_session, people, leavers, store):
    population = csv_population(db_session, people["auditor"], leavers, store, 5)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store, 10)
    assert sample.size == 5


@pytest.mark.parametrize("occurrences,frequency,size", [
    (1, "annual", 1), (3, "quarterly", 2), (12, "monthly", 4), (31, "semi-monthly", 6),
    (40, "weekly", 10), (250, "daily", 30), (2000, "multiple-daily", 43)])
def test_event_driven_controls_are_sized_from_their_occurrences(
        db_session, people, leavers, store, occurrences, frequency, size):
    population = csv_population(db_session, people["auditor"], leavers, store, occurrences)
    note = service.sizing_note(leavers, population)
    assert (note["frequency"], note["size"]) == (frequency, size)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store)
    assert sample.size == size


def _record_all(db_session, actor, sample, deviating=()):
    for position, item in enumerate(sample.items):
        result = ItemResult.DEVIATION if position in deviating else ItemResult.NO_DEVIATION
        samples.record_result(db_session, actor, item, result,
                              "Access removed late" if position in deviating else None,
                              None, item.version)


def test_no_deviations_concludes_with_the_standard_wording(db_session, people, leavers, store):
    auditor = people["auditor"]
    population = csv_population(db_session, auditor, leavers, store, 30)
    sample = samples.draw_sample(db_session, auditor, leavers, population, store, 10)
    with pytest.raises(Invalid, match="no result yet"):
        conclusions.conclude_test(db_session, auditor, leavers, judgement=None,
                                  version=leavers.version)
    _record_all(db_session, auditor, sample)
    conclusions.conclude_test(db_session, auditor, leavers, judgement=None,
                              version=leavers.version)
    assert leavers.conclusion == Conclusion.NO_DEVIATIONS
    assert (leavers.concluded_by_id, leavers.reviewed_at) == (auditor.id, None)


def test_deviations_need_a_judgement_and_wording(db_session, people, leavers, store):
    auditor = people["auditor"]
    population = csv_population(db_session, auditor, leavers, store, 40)
    sample = samples.draw_sample(db_session, auditor, leavers, population, store, 25)
    _record_all(db_session, auditor, sample, deviating=(3, 9))
    texts = conclusions.TestTexts(result_text_en="Two leavers kept access too long.",
                                  result_text_da="To fratrådte beholdt adgang for længe.",
                                  management_comment_en="Automated since October.")
    with pytest.raises(Invalid) as caught:
        conclusions.conclude_test(db_session, auditor, leavers, judgement=None, texts=texts,
                                  version=leavers.version)
    assert caught.value.field == "judgement"
    with pytest.raises(Invalid) as caught:
        conclusions.conclude_test(db_session, auditor, leavers, judgement="material",
                                  version=leavers.version)
    assert caught.value.field == "result_text_en"
    conclusions.conclude_test(db_session, auditor, leavers, judgement="material", texts=texts,
                              version=leavers.version)
    assert leavers.conclusion == Conclusion.MATERIAL
    assert leavers.result_text_da == "To fratrådte beholdt adgang for længe."
    with pytest.raises(Conflict):  # concluded tests are frozen until reopened
        item = sample.items[0]
        samples.record_result(db_session, auditor, item, ItemResult.DEVIATION, "late", None,
                              item.version)


def test_expanding_after_a_deviation_keeps_the_first_items(db_session, people, leavers, store):
    auditor = people["auditor"]
    population = csv_population(db_session, auditor, leavers, store, 300)
    sample = samples.draw_sample(db_session, auditor, leavers, population, store, 20)
    first = {item.population_index: item.id for item in sample.items}
    _record_all(db_session, auditor, sample, deviating=(0,))
    samples.expand_sample(db_session, auditor, sample, 15, store)
    assert sample.size == 35 and len(sample.items) == 35
    kept = {item.population_index: item for item in sample.items
            if item.population_index in first}
    assert {i: item.id for i, item in kept.items()} == first
    assert all(item.result != ItemResult.PENDING for item in kept.values())
    assert sorted(item.population_index for item in sample.items) == \
        sampling.select_sample(300, 35, sample.seed)
    assert samples.redraw_sample(db_session, people["external"], sample, store).identical


def test_not_applicable_needs_a_reason(db_session, people, leavers, store):
    population = csv_population(db_session, people["auditor"], leavers, store, 3)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store)
    item = sample.items[0]
    with pytest.raises(Invalid) as caught:
        samples.record_result(db_session, people["auditor"], item, "not_applicable", "", None,
                              item.version)
    assert caught.value.field == "note"


def test_item_evidence_must_exist_and_be_about_the_tested_control(client, db_session, people,
                                                                  leavers, store):
    from datetime import date

    from app.evidence.service import EvidenceDetails, add_note_evidence

    population = csv_population(db_session, people["auditor"], leavers, store, 3)
    sample = samples.draw_sample(db_session, people["auditor"], leavers, population, store)
    item = sample.items[0]

    def note(key):
        return add_note_evidence(db_session, SYSTEM, EvidenceDetails(
            title="Leaver ticket", controls=[key], period_start=date(2025, 3, 1),
            description="Ticket 123 closed the account."))

    other = note("iso27001-2022:A.5.15")
    for evidence_id in (987654, other.id, 2**63):
        with pytest.raises(Invalid) as caught:
            samples.record_result(db_session, people["auditor"], item, "no_deviation", None,
                                  evidence_id, item.version)
        assert caught.value.field == "evidence_id"
    assert item.result == "pending"
    client.post("/login", data={"email": people["auditor"].email,
                                "password": "correct horse battery"})
    client.post(f"/audits/items/{item.id}", data={
        f"i{item.id}-result": "no_deviation", f"i{item.id}-evidence_id": "987654",
        f"i{item.id}-version": item.version})
    assert db_session.get(type(item), item.id).result == "pending"
    page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert "There is no evidence #987654." in page
    own = note(leavers.control.key)
    samples.record_result(db_session, people["auditor"], item, "no_deviation", None, own.id,
                          item.version)
    assert item.evidence_id == own.id


def test_attribute_sampling_plan_and_evaluation(db_session, people, leavers):
    plan = service.TestPlan(methods=["inspection"], procedure="Inspect", frequency="daily",
                            risk_level="moderate", sizing_method="attribute", risk="0.05",
                            tolerable_rate="0.05", expected_rate="0.01", override_size=None,
                            override_reason=None)
    service.update_test_plan(db_session, people["auditor"], leavers, plan, leavers.version)
    assert leavers.planned_size == 93
    override = service.TestPlan(**{**vars(plan), "override_size": 60})
    with pytest.raises(Invalid) as caught:
        service.update_test_plan(db_session, people["auditor"], leavers, override,
                                 leavers.version)
    assert caught.value.field == "override_reason"


def test_workbench_in_the_ui(client, db_session, people, leavers, store):
    client.post("/login", data={"email": people["auditor"].email,
                                "password": "correct horse battery"})
    body = "\n".join(["employee,last_day"] + [f"E{i},2025-05-0{i % 9 + 1}" for i in range(60)])
    response = client.post(f"/audits/tests/{leavers.id}/population", data={
        "file": (io.BytesIO(body.encode()), "leavers.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    population = leavers.populations[-1]
    progress = client.get(f"/audits/populations/{population.id}/progress").json
    assert progress == {"status": "ready", "rows_read": 60, "row_count": 60, "error": None}
    client.post(f"/audits/tests/{leavers.id}/sample",
                data={"population_id": population.id, "size": "5"})
    sample = leavers.samples[-1]
    for item in sample.items:
        client.post(f"/audits/items/{item.id}", data={
            f"i{item.id}-result": "no_deviation", f"i{item.id}-note": "",
            f"i{item.id}-version": item.version})
    client.post(f"/audits/tests/{leavers.id}/conclude", data={"version": leavers.version})
    page = client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)
    assert "No material deviations noted." in page and sample.seed in page
    client.post(f"/audits/samples/{sample.id}/redraw", data={})
    assert "the same 5 items" in client.get(f"/audits/tests/{leavers.id}").get_data(as_text=True)


def test_sampling_calculator_page(client, login_as):
    login_as("viewer")
    page = client.get("/audits/sampling?risk=0.10&tolerable=0.05&expected=0").get_data(
        as_text=True)
    assert "n = 45" in page
    page = client.get("/audits/sampling?risk=0.10&tolerable=0.05&expected=0.06").get_data(
        as_text=True)
    assert 'class="error"' in page
