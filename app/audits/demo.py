"""Demo audit work: an ISAE 3000 type 2 engagement for last year, all 45 activities tested.

Populations are realistic for each activity's frequency; one test finds deviations that the
auditor judges not material, with management's comment.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..evidence.storage import EvidenceStore
from .deviations import raise_deviation, respond_to_deviation
from .models import Conclusion, Engagement, ItemResult
from .populations import upload_population
from .samples import draw_sample, record_result
from .service import (
    EngagementPlan,
    TestPlan,
    conclude_test,
    create_engagement,
    engagement_tests,
    set_engagement_status,
    update_test_plan,
)

DEVIATING = "isae3000-gdpr:C.5"
DEVIATION_NOTES = (
    "Access to the HR system was removed 9 working days after the last working day.",
    "The laptop was returned 3 weeks late; access had been closed on time.",
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def population_for(key: str, frequency: str, year: int, rng: random.Random) -> tuple[str, bytes]:
    """A plausible population file for a control activity in `year`."""
    start = date(year, 1, 1)
    days = [start + timedelta(days=n) for n in range((date(year + 1, 1, 1) - start).days)]
    code = key.split(":")[1]
    if frequency == "daily":
        return f"{code}-days.csv", _csv(["date", "reviewed_by"], [
            [d.isoformat(), rng.choice(["SH", "MK", "JL"])] for d in days])
    if frequency == "quarterly":
        return f"{code}-quarters.csv", _csv(["quarter", "performed_on"], [
            [f"{year}-Q{q}", date(year, 3 * q, 20).isoformat()] for q in range(1, 5)])
    if frequency in ("annual", "automated", "semi-annual"):
        label = "Annual review" if frequency == "annual" else "Configuration baseline"
        return f"{code}-{frequency}.csv", _csv(["item", "date"], [
            [f"{label} {year}", date(year, 2, 15).isoformat()]])
    if code in ("C.5", "C.6"):
        people = sorted(rng.sample(days, 31))
        return f"{code}-leavers.csv", _csv(["employee", "last_day", "access_removed"], [
            [f"E{1000 + i}", d.isoformat(), d.isoformat()] for i, d in enumerate(people)])
    if code in ("C.3", "C.4"):
        people = sorted(rng.sample(days, 38))
        return f"{code}-new-hires.csv", _csv(["employee", "start_date", "department"], [
            [f"E{2000 + i}", d.isoformat(), rng.choice(["IT", "Økonomi", "Statistik", "HR"])]
            for i, d in enumerate(people)])
    events = sorted(rng.sample(days, rng.randint(12, 90)))
    return f"{code}-events.csv", _csv(["reference", "date", "description"], [
        [f"{code}-{year}-{i + 1:04d}", d.isoformat(), f"Occurrence {i + 1} of {code}"]
        for i, d in enumerate(events)])


def seed_engagement(session: Session, users: dict) -> list[str]:
    """Create the demo ISAE 3000 engagement once, tested and concluded."""
    year = date.today().year - 1
    name = f"ISAE 3000 GDPR {year} (type 2)"
    if session.scalar(select(Engagement.id).where(Engagement.name == name)):
        return []
    auditor, external = users["internal_auditor"], users["external_auditor"]
    engagement = create_engagement(session, auditor, EngagementPlan(
        name=name, kind="isae3000_type2", period_start=date(year, 1, 1),
        period_end=date(year, 12, 31), catalogues=["isae3000-gdpr"],
        team_ids=[auditor.id], external_ids=[external.id],
        description="Annual assurance report for the data controllers: processing of personal "
                    "data in the statistics production and the research service."))
    store = EvidenceStore(current_app.config["KONTROL_EVIDENCE_DIR"])
    rng = random.Random(year)
    for test in engagement_tests(session, engagement):
        filename, body = population_for(test.control.key, test.frequency, year, rng)
        population = upload_population(session, auditor, test, io.BytesIO(body), filename,
                                       store, len(body) + 1)
        if test.control.key == DEVIATING:
            update_test_plan(session, auditor, test, TestPlan(
                methods=["inquiry", "inspection"], procedure=test.procedure,
                frequency=test.frequency, risk_level="moderate", sizing_method="frequency",
                risk=None, tolerable_rate=None, expected_rate=None, override_size=25,
                override_reason="31 leavers in the period; 25 cover every month."),
                test.version)
        sample = draw_sample(session, auditor, test, population, store)
        notes = iter(DEVIATION_NOTES)
        for position, item in enumerate(sample.items):
            deviating = test.control.key == DEVIATING and position in (4, 17)
            record_result(session, auditor, item,
                          ItemResult.DEVIATION if deviating else ItemResult.NO_DEVIATION,
                          next(notes) if deviating else "Inspected; in line with the procedure.",
                          None, item.version)
        if test.control.key == DEVIATING:
            finding = raise_deviation(
                session, auditor, test.control, "Leavers' rights revoked late",
                "For 2 of 25 sampled leavers, rights were revoked or assets returned later "
                "than the leaver procedure requires.", "minor", users["control_owner"].id,
                date.today() + timedelta(days=45), engagement=engagement, test=test)
            respond_to_deviation(
                session, users["control_owner"], finding,
                "HR reported leavers to IT by e-mail, which was missed during holidays.",
                "Leavers are now reported to IT by the HR system automatically on the last "
                "working day.", finding.version)
            conclude_test(session, auditor, test, judgement=Conclusion.NOT_MATERIAL,
                          result_text="We noted that for 2 of 25 sampled leavers, rights were "
                                      "revoked or assets returned later than the procedure "
                                      "requires. No personal data was accessed after the last "
                                      "working day.",
                          management_comment="Leavers are now reported to IT by the HR system "
                                             "automatically on the last working day.",
                          version=test.version)
        else:
            conclude_test(session, auditor, test, judgement=None, result_text=None,
                          management_comment=None, version=test.version)
    set_engagement_status(session, auditor, engagement, "review", engagement.version)
    return [f"Engagement '{name}' with 45 tests concluded, in review"]


def register() -> None:
    """Add the engagement to `flask demo`."""
    from ..demo import DEMO_STEPS

    DEMO_STEPS.append(seed_engagement)
