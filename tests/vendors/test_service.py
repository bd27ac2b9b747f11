"""The register's rules as services enforce them (and so the pages, the API and the CLI)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.catalogue.models import Control
from app.catalogue.service import assign_owner
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.evidence.models import Evidence
from app.evidence.service import Upload
from app.ledger.models import LedgerEntry
from app.vendors import follow_up, notices, queries, service
from app.vendors.models import SubProcessor
from tests.audits.conftest import engagement, people  # noqa: F401
from tests.factories import SYSTEM, make_user
from tests.vendors.conftest import TODAY, details

SCC = service.TransferBasis("scc", "2021/914-m3")


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_third_country_without_a_basis_is_refused_and_nothing_is_written(db_session, ctx):
    ledger = _count(db_session, LedgerEntry)
    with pytest.raises(Invalid) as error:
        service.create_subprocessor(db_session, SYSTEM, details(countries=["DK", "US"]), None,
                                    ctx)
    assert error.value.field == "transfer_basis"
    assert "United States is outside the EU/EEA" in error.value.message
    assert _count(db_session, SubProcessor) == 0 and _count(db_session, LedgerEntry) == ledger


def test_a_company_established_in_a_third_country_needs_a_basis(db_session, ctx):
    with pytest.raises(Invalid) as error:
        service.create_subprocessor(db_session, SYSTEM, details(country="US",
                                                                countries=["IE"]), None, ctx)
    assert error.value.field == "transfer_basis"


@pytest.mark.parametrize(("country", "basis", "field", "words"), [
    ("CN", service.TransferBasis("adequacy"), "transfer_basis", "no adequacy decision"),
    ("US", service.TransferBasis("adequacy"), "transfer_note", "covers only some recipients"),
    ("IN", service.TransferBasis("scc"), "scc_version", "version"),
    ("IN", service.TransferBasis("scc", "2010/87/EU"), "scc_version", "no longer a valid"),
    ("IN", service.TransferBasis("derogation"), "transfer_note", "Article 49"),
])
def test_an_unfit_basis_is_refused_at_its_field(db_session, ctx, country, basis, field, words):
    with pytest.raises(Invalid) as error:
        service.create_subprocessor(db_session, SYSTEM, details(countries=[country]), basis,
                                    ctx)
    assert error.value.field == field and words in error.value.message


def test_transfers_follow_the_third_countries(db_session, ctx, make_sp):
    sp = make_sp(SCC, countries=["DK", "US"])
    assert [(t.country, t.basis, t.scc_version) for t in sp.transfers] == [
        ("US", "scc", "2021/914-m3")]
    assert sp.transfers[0].needs_tia
    entry = db_session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
    assert entry.action == "subprocessor.created" and '"US"' in entry.changes

    with pytest.raises(Invalid) as error:  # a new third country needs a basis of its own
        service.update_subprocessor(db_session, SYSTEM, sp, details(countries=["US", "IN"]),
                                    sp.version, None, ctx)
    assert error.value.field == "transfer_basis" and "India" in error.value.message
    service.update_subprocessor(db_session, SYSTEM, sp, details(countries=["GB"]), sp.version,
                                service.TransferBasis("adequacy"), ctx)
    assert [(t.country, t.basis) for t in sp.transfers] == [("GB", "adequacy")]


def test_a_stale_edit_is_refused(db_session, ctx, make_sp):
    sp = make_sp()
    stale = sp.version
    service.update_subprocessor(db_session, SYSTEM, sp, details(name="New name"), stale, None,
                                ctx)
    with pytest.raises(Conflict):
        service.update_subprocessor(db_session, SYSTEM, sp, details(name="Other"), stale, None,
                                    ctx)


def _statement(year, received, observations=(), **more):
    return follow_up.StatementDetails(
        year=year, received_on=received, opinion="unqualified",
        observations=list(observations), no_observations=not observations, **more)


def test_statements_move_the_due_date_and_late_ones_are_flagged(db_session, ctx, make_sp):
    sp = make_sp(start_date=date(2023, 7, 1))
    assert sp.next_statement_due == date(2024, 12, 31)
    assert sp.statement_overdue(TODAY) and sp.missing_years(TODAY) == [2023, 2024]
    late = follow_up.record_statement(db_session, SYSTEM, sp, _statement(
        2023, date(2025, 1, 10)), ctx)
    assert late.is_late and late.due_on == date(2024, 12, 31)
    assert sp.next_statement_due == date(2025, 12, 31) and sp.statement_overdue(TODAY)
    on_time = follow_up.record_statement(db_session, SYSTEM, sp, _statement(
        2024, date(2025, 4, 1), [follow_up.ObservationDetails(
            "Leavers kept access", "medium", "Fixed", date(2025, 9, 1))]), ctx)
    assert not on_time.is_late and on_time.observations[0].significance == "medium"
    assert sp.next_statement_due == date(2026, 12, 31) and not sp.statement_overdue(TODAY)


@pytest.mark.parametrize(("change", "field"), [
    ({"no_observations": False}, "observations"),
    ({"observations": [follow_up.ObservationDetails("x", "low")]}, "no_observations"),
    ({"year": 2022}, "year"),
    ({"received_on": date(2026, 7, 1)}, "received_on"),
    ({"opinion": "adverse"}, "opinion"),
    ({"observations": [follow_up.ObservationDetails("", "low")], "no_observations": False},
     "observations.0.description"),
])
def test_statement_input_is_checked(db_session, ctx, make_sp, change, field):
    sp = make_sp()
    values = {"year": 2024, "received_on": date(2025, 3, 1), "opinion": "unqualified",
              "observations": [], "no_observations": True, **change}
    with pytest.raises(Invalid) as error:
        follow_up.record_statement(db_session, SYSTEM, sp, follow_up.StatementDetails(**values),
                                   ctx)
    assert error.value.field == field


def test_one_statement_per_year(db_session, ctx, make_sp):
    sp = make_sp()
    follow_up.record_statement(db_session, SYSTEM, sp, _statement(2024, date(2025, 3, 1)), ctx)
    with pytest.raises(Invalid) as error:
        follow_up.record_statement(db_session, SYSTEM, sp, _statement(2024, date(2025, 4, 1)),
                                   ctx)
    assert error.value.field == "year" and "already recorded" in error.value.message


def test_the_statement_file_is_kept_as_evidence_for_f6(db_session, ctx, make_sp,
                                                       loaded_catalogue):
    sp = make_sp()
    statement = follow_up.record_statement(
        db_session, SYSTEM, sp, _statement(2024, date(2025, 3, 1)), ctx,
        Upload(io.BytesIO(b"ISAE 3402 type 2"), "statement.pdf", "application/pdf"))
    evidence = db_session.get(Evidence, statement.evidence_id)
    assert [c.key for c in evidence.controls] == ["isae3000-gdpr:F.6"]
    assert (evidence.period_start, evidence.period_end) == (date(2024, 1, 1),
                                                            date(2024, 12, 31))
    assert evidence.current_version.filename == "statement.pdf"


def test_owners_of_f_and_g_activities_record_follow_ups(db_session, ctx, make_sp,
                                                        loaded_catalogue):
    sp = make_sp(risk_rating="medium", start_date=date(2024, 3, 1))
    owner = make_user(db_session, role="control_owner")
    details_ = follow_up.FollowUpDetails(kind="questionnaire", performed_on=date(2026, 2, 27),
                                         conclusion="Answered in full.")
    with pytest.raises(Forbidden):
        follow_up.record_follow_up(db_session, owner, sp, details_, ctx)
    control = db_session.scalar(select(Control).where(Control.key == "isae3000-gdpr:G.2"))
    assign_owner(db_session, SYSTEM, control, owner.id, control.version)
    row = follow_up.record_follow_up(db_session, owner, sp, details_, ctx)
    assert row.performed_by_id == owner.id
    assert sp.next_follow_up_due == date(2027, 2, 27)


def test_follow_up_due_follows_the_risk_rating(db_session, ctx, make_sp):
    sp = make_sp(risk_rating="high", start_date=date(2024, 3, 1))
    assert sp.next_follow_up_due == date(2025, 3, 1) and sp.follow_up_overdue(TODAY)
    follow_up.record_follow_up(db_session, SYSTEM, sp, follow_up.FollowUpDetails(
        kind="questionnaire", performed_on=date(2026, 1, 5), conclusion="ok"), ctx)
    assert sp.next_follow_up_due == date(2025, 3, 1)  # high risk needs a meeting or inspection
    follow_up.record_follow_up(db_session, SYSTEM, sp, follow_up.FollowUpDetails(
        kind="meeting", performed_on=date(2026, 1, 31), conclusion="ok"), ctx)
    assert sp.next_follow_up_due == date(2027, 1, 31)


def test_change_notice_with_short_notice_and_objections(db_session, ctx, make_sp):
    sp = make_sp(status="proposed", controllers=["Ministry of Employment"])
    notice = notices.record_change(db_session, SYSTEM, sp, notices.NoticeDetails(
        kind="add", notified_on=date(2026, 5, 31), effective_on=date(2026, 6, 20)), ctx)
    assert (notice.notice_days, notice.short_notice) == (20, True)
    assert notice.objection_deadline == date(2026, 6, 30)
    assert notice.controllers == ["Ministry of Employment"]
    with pytest.raises(Invalid) as error:
        notices.record_objection(db_session, SYSTEM, notice, notices.ObjectionDetails(
            "Ministry of Employment", date(2026, 6, 10), "Data must stay in Denmark.",
            outcome="change_dropped"), ctx)
    assert error.value.field == "decided_on"
    objection = notices.record_objection(db_session, SYSTEM, notice, notices.ObjectionDetails(
        "Ministry of Employment", date(2026, 6, 10), "Data must stay in Denmark."), ctx)
    assert objection.outcome == "pending" and not objection.is_late
    with pytest.raises(Invalid) as error:
        notices.record_change(db_session, SYSTEM, sp, notices.NoticeDetails(
            kind="add", notified_on=date(2026, 6, 1), effective_on=date(2026, 5, 1)), ctx)
    assert error.value.field == "effective_on"


def test_open_deadlines_for_a_deadline_provider(db_session, ctx, make_sp, loaded_catalogue):
    owner = make_user(db_session, role="control_owner")
    control = db_session.scalar(select(Control).where(Control.key == "isae3000-gdpr:F.6"))
    assign_owner(db_session, SYSTEM, control, owner.id, control.version)
    coordinator = make_user(db_session, role="coordinator")
    sp = make_sp(start_date=date(2025, 2, 1))
    notice = notices.record_change(db_session, SYSTEM, sp, notices.NoticeDetails(
        kind="add", notified_on=date(2026, 6, 1), effective_on=date(2026, 7, 15)), ctx)
    found = {(d.kind, d.due_on): d for d in queries.open_deadlines(db_session, TODAY)}
    statement = found[("subprocessor_statement", date(2026, 12, 31))]
    assert statement.responsible_user_ids == (owner.id,)
    assert statement.endpoint == "vendors.show_subprocessor"
    assert ("subprocessor_follow_up", date(2026, 2, 1)) in found  # overdue stays open
    objection = found[("subprocessor_objection", date(2026, 7, 1))]
    assert objection.object_id == notice.id and coordinator.id in objection.responsible_user_ids
    assert not [d for d in queries.open_deadlines(db_session, date(2026, 7, 2))
                if d.kind == "subprocessor_objection"]


def test_external_auditors_see_only_entries_touching_their_periods(
        db_session, ctx, make_sp, engagement, people):  # noqa: F811 - the 2025 engagement
    early = make_sp(name="Ended 2023", start_date=date(2022, 1, 1), end_date=date(2023, 6, 30),
                    status="ended")
    running = make_sp(name="Running", start_date=date(2024, 1, 1))
    follow_up.record_statement(db_session, SYSTEM, running, _statement(2024, date(2025, 3, 1)),
                               ctx)
    follow_up.record_statement(db_session, SYSTEM, running, _statement(2025, date(2026, 3, 1)),
                               ctx)
    external, stranger = people["external"], people["stranger"]
    items, total = queries.list_subprocessors(db_session, external, queries.RegisterFilter(),
                                              today=TODAY)
    assert [sp.name for sp in items] == ["Running"] and total == 1
    detail = queries.get_subprocessor(db_session, external, running.id, today=TODAY)
    assert [s.year for s in detail.statements] == [2025] and detail.scoped
    with pytest.raises(NotFound):
        queries.get_subprocessor(db_session, external, early.id, today=TODAY)
    assert queries.list_subprocessors(db_session, stranger, queries.RegisterFilter(),
                                      today=TODAY) == ([], 0)
    everyone = queries.list_subprocessors(db_session, people["auditor"],
                                          queries.RegisterFilter(), today=TODAY)[1]
    assert everyone == 2
