"""The new-technology gate, risks with acceptances, dispensations and emergency deviations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.errors import Conflict, Invalid
from app.governance import adoptions, dispensations, risks
from app.governance.adoptions import AdoptionDetails, GateRefused
from app.governance.common import Page
from app.governance.dispensations import DispensationDetails, DispensationFilter
from app.governance.risks import AssessmentDetails, RiskDetails, RiskFilter
from tests.governance.conftest import TODAY, pdf


def assessment(session, actor, kind="ai", title="AI assistant risk assessment"):
    return risks.create_assessment(session, actor, AssessmentDetails(
        title=title, kind=kind, owner_id=actor.id, assessed_on=TODAY,
        topics=["gdpr", "new_technology"]), today=TODAY)


def test_gate_refuses_in_use_naming_every_missing_step(db_session, settings, controls,
                                                       coordinator):
    adoption = adoptions.create_adoption(db_session, coordinator, AdoptionDetails(
        title="AI assistant for coding", categories=["ai_solution"], personal_data=True,
        owner_id=coordinator.id), today=TODAY)
    assert adoption.status == "draft"
    with pytest.raises(GateRefused) as refused:
        adoptions.set_status(db_session, coordinator, adoption, "in_use", today=TODAY)
    assert refused.value.missing == ["risk_assessment", "dpia", "management_presentation",
                                     "management_approval"]
    adoptions.record_risk_assessment(db_session, coordinator, adoption,
                                     assessment(db_session, coordinator).id)
    assert adoption.status == "risk_assessed"
    with pytest.raises(Invalid) as error:  # personal data: only a DPIA will do
        adoptions.record_impact_analysis(db_session, coordinator, adoption,
                                         assessment_id=adoption.risk_assessment_id,
                                         summary=None)
    assert error.value.field == "impact_assessment_id"
    dpia = assessment(db_session, coordinator, kind="dpia", title="DPIA AI assistant")
    adoptions.record_impact_analysis(db_session, coordinator, adoption, assessment_id=dpia.id,
                                     summary=None)
    with pytest.raises(GateRefused) as refused:
        adoptions.set_status(db_session, coordinator, adoption, "in_use", today=TODAY)
    assert refused.value.missing == ["management_presentation", "management_approval"]
    with pytest.raises(Invalid):  # minutes are required
        adoptions.record_presentation(db_session, coordinator, settings, adoption,
                                      presented_on=TODAY, minutes=None, today=TODAY)
    adoptions.record_presentation(db_session, coordinator, settings, adoption,
                                  presented_on=TODAY, minutes=pdf(b"minutes"), today=TODAY)
    assert adoption.status == "presented"
    assert [c.key for c in adoption.minutes.controls] == ["soa-extensions:X.13"]
    adoptions.record_decision(db_session, coordinator, adoption, decision="approved",
                              decided_on=TODAY, decided_by="Top management", notes=None,
                              today=TODAY)
    assert adoption.status == "approved"
    adoptions.set_status(db_session, coordinator, adoption, "in_use", today=TODAY)
    assert adoption.status == "in_use" and adoption.in_use_from == TODAY


def test_presentation_before_the_analyses_is_refused(db_session, settings, controls,
                                                     coordinator):
    adoption = adoptions.create_adoption(db_session, coordinator, AdoptionDetails(
        title="Cloud storage", categories=["cloud_service"], personal_data=False,
        owner_id=coordinator.id), today=TODAY)
    with pytest.raises(GateRefused) as refused:
        adoptions.record_presentation(db_session, coordinator, settings, adoption,
                                      presented_on=TODAY, minutes=pdf(), today=TODAY)
    assert refused.value.missing == ["risk_assessment", "impact_analysis"]
    assert adoption.minutes is None


def test_rejected_technology_never_goes_into_use(db_session, settings, controls, coordinator):
    adoption = adoptions.create_adoption(db_session, coordinator, AdoptionDetails(
        title="Chat service", categories=["internet_service"], personal_data=False,
        owner_id=coordinator.id), today=TODAY)
    adoptions.record_risk_assessment(db_session, coordinator, adoption,
                                     assessment(db_session, coordinator).id)
    adoptions.record_impact_analysis(db_session, coordinator, adoption, assessment_id=None,
                                     summary="No personal data; public data only.")
    adoptions.record_presentation(db_session, coordinator, settings, adoption,
                                  presented_on=TODAY, minutes=pdf(), today=TODAY)
    adoptions.record_decision(db_session, coordinator, adoption, decision="rejected",
                              decided_on=TODAY, decided_by="Top management", notes=None,
                              today=TODAY)
    assert adoption.status == "rejected" and adoption.closed_on == TODAY
    with pytest.raises(Conflict):
        adoptions.set_status(db_session, coordinator, adoption, "in_use", today=TODAY)


def test_risk_levels_and_expired_acceptances(db_session, controls, coordinator):
    made = assessment(db_session, coordinator, kind="periodic", title="Annual")
    accepted = risks.add_risk(db_session, coordinator, made, RiskDetails(
        title="Legacy system", threat="Unpatched server", likelihood=4, consequence=5,
        treatment="accept", residual_likelihood=3, residual_consequence=3,
        accepted_by="Top management", accepted_on=date(2025, 6, 1),
        accepted_until=date(2026, 6, 1), controls=["iso27001-2022:A.5.8"]), today=TODAY)
    risks.add_risk(db_session, coordinator, made, RiskDetails(
        title="Phishing", threat="Credential theft", likelihood=2, consequence=2,
        treatment="reduce"), today=TODAY)
    assert accepted.inherent_level == "critical" and accepted.residual_level == "medium"
    found, total = risks.list_risks(db_session, coordinator, RiskFilter(acceptance="expired"),
                                    Page(), today=TODAY)
    assert [r.id for r in found] == [accepted.id] and total == 1
    found, _ = risks.list_risks(db_session, coordinator, RiskFilter(level="critical"), Page(),
                                today=TODAY)
    assert [r.id for r in found] == [accepted.id]
    figures = risks.summary(db_session, coordinator, today=TODAY)
    assert figures.expired_acceptances == 1
    heat = risks.heat_map(db_session, coordinator, RiskFilter(), today=TODAY, scale=5)
    assert heat.inherent == {(4, 5): 1, (2, 2): 1} and heat.residual == {(3, 3): 1}
    with pytest.raises(Invalid) as error:
        risks.add_risk(db_session, coordinator, made, RiskDetails(
            title="X", threat="Y", likelihood=6, consequence=1, treatment="reduce"),
            today=TODAY)
    assert error.value.field == "likelihood"
    with pytest.raises(Invalid) as error:
        risks.add_risk(db_session, coordinator, made, RiskDetails(
            title="X", threat="Y", likelihood=1, consequence=1, treatment="accept",
            accepted_by="Board", accepted_on=TODAY, accepted_until=TODAY - timedelta(days=1)),
            today=TODAY)
    assert error.value.field == "accepted_until"


def request(session, actor, today=TODAY, **fields):
    values = {"requirement": "iso27001-2022:A.5.8", "reason": "Supplier cannot do MFA yet.",
              "compensating_measures": "IP allow-list and weekly log review."}
    values.update(fields)
    return dispensations.request_dispensation(session, actor, DispensationDetails(**values),
                                              today=today)


def test_dispensation_expiry_and_renewal_keep_history(db_session, controls, coordinator):
    item = request(db_session, coordinator, today=date(2026, 1, 5))
    assert item.status == "requested" and item.addressed_to.startswith("Chair")
    dispensations.decide(db_session, coordinator, item, outcome="approved", decided_by="Chair",
                         decided_on=date(2026, 1, 10), valid_from=None,
                         valid_until=date(2026, 6, 14), conditions="Review monthly.",
                         today=TODAY)
    state = DispensationFilter(state="expired")
    found, _ = dispensations.list_dispensations(db_session, coordinator, state, Page(),
                                                today=TODAY, now=datetime.now(UTC))
    assert [d.id for d in found] == [item.id]
    control_id = controls["iso27001-2022:A.5.8"].id
    assert dispensations.active_for_controls(db_session, coordinator, [control_id],
                                             today=TODAY) == {}
    dispensations.decide(db_session, coordinator, item, outcome="approved", decided_by="Chair",
                         decided_on=TODAY, valid_from=None, valid_until=date(2026, 12, 31),
                         conditions=None, today=TODAY)
    assert [d.renewal for d in item.decisions] == [True, False]
    assert item.valid_until == date(2026, 12, 31)
    assert dispensations.active_for_controls(db_session, coordinator, [control_id],
                                             today=TODAY)[control_id] == [item]
    with pytest.raises(Invalid) as error:
        dispensations.decide(db_session, coordinator, item, outcome="approved",
                             decided_by="Chair", decided_on=TODAY, valid_from=None,
                             valid_until=None, conditions=None, today=TODAY)
    assert error.value.field == "valid_until"


def test_emergency_deviation_report_deadline(db_session, controls, coordinator):
    decided = datetime.now(UTC) - timedelta(days=5)
    item = request(db_session, coordinator, emergency=True, decided_at=decided,
                   decided_by="On-call IT manager")
    assert item.report_due_at == decided + timedelta(days=3)
    found, _ = dispensations.list_dispensations(
        db_session, coordinator, DispensationFilter(late=True), Page(), today=TODAY,
        now=datetime.now(UTC))
    assert [d.id for d in found] == [item.id]
    dispensations.record_report(db_session, coordinator, item,
                                reported_at=decided + timedelta(days=2))
    found, _ = dispensations.list_dispensations(
        db_session, coordinator, DispensationFilter(late=True), Page(), today=TODAY,
        now=datetime.now(UTC))
    assert found == []
    with pytest.raises(Invalid) as error:
        request(db_session, coordinator, emergency=True, decided_at=None)
    assert error.value.field == "decided_at"


def test_emergency_report_days_are_configurable(db_session, controls, coordinator):
    decided = datetime.now(UTC) - timedelta(hours=30)
    item = dispensations.request_dispensation(db_session, coordinator, DispensationDetails(
        requirement="iso27001-2022:A.5.8", reason="Fire", compensating_measures="Guard",
        emergency=True, decided_at=decided, decided_by="Duty officer"), today=TODAY,
        report_days=1)
    assert item.report_due_at == decided + timedelta(days=1)
    assert dispensations.summary(db_session, coordinator, today=TODAY,
                                 now=datetime.now(UTC)).late_reports == 1


def test_level_filter_agrees_with_the_rule_on_any_scale(db_session, controls, coordinator):
    made = risks.create_assessment(db_session, coordinator, AssessmentDetails(
        title="Seven", kind="periodic", owner_id=coordinator.id, assessed_on=TODAY),
        today=TODAY, scale=7)
    for likelihood in range(1, 8):
        for consequence in range(1, 8):
            risks.add_risk(db_session, coordinator, made, RiskDetails(
                title=f"{likelihood}x{consequence}", threat="T", likelihood=likelihood,
                consequence=consequence, treatment="reduce"), today=TODAY)
    for band in ("low", "medium", "high", "critical"):
        found, _ = risks.list_risks(db_session, coordinator, RiskFilter(level=band),
                                    Page(per_page=100), today=TODAY)
        assert found and all(r.inherent_level == band for r in found)
        assert len(found) == sum(1 for r in made.risks if r.inherent_level == band)
