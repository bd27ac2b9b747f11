"""Demo audit work: two ISAE 3000 type 2 engagements of the demo firm, every test performed.

The year before last (issued by `reports.demo`): log review (B.9) was suspended for three months,
a material deviation that qualifies the opinion on objective B. Last year (in review): one
leaver returned a laptop late, a deviation judged not material with a written justification;
access was closed on time for every leaver (so B.13 and C.5 agree). The firm's senior auditor
performs the tests, internal audit prepares objective A last year as a pre-audit, and the
engagement partner reviews every test.
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
from ..firms.models import AuditFirm
from ..time import local_today
from .conclusions import TestTexts, conclude_test, review_test
from .deviations import raise_deviation, respond_to_deviation
from .models import Conclusion, Engagement, ItemResult
from .populations import upload_population
from .samples import draw_sample, record_no_occurrences, record_result
from .service import (
    EngagementPlan,
    TestPlan,
    create_engagement,
    engagement_tests,
    plan_of,
    set_engagement_status,
    update_test_plan,
)

PARTNER_EMAIL = "partner@revision.example"
NO_OCCURRENCES = "A.3"
WHOLE_POPULATION = "D.3"


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
    if code in ("G.2", "G.3"):  # the helpdesk's tickets, stored in the United States
        return f"{code}-transfers.csv", _csv(["recipient", "country", "basis"], [
            ["HelpDesk Cloud Inc.", "US", "EU standard contractual clauses 2021/914"]])
    if code == WHOLE_POPULATION:
        ended = sorted(rng.sample(days, 4))
        return f"{code}-ended-agreements.csv", _csv(["agreement", "ended_on"], [
            [f"DPA-{year}-{i + 1:02d}", d.isoformat()] for i, d in enumerate(ended)])
    events = sorted(rng.sample(days, rng.randint(12, 90)))
    return f"{code}-events.csv", _csv(["reference", "date", "description"], [
        [f"{code}-{year}-{i + 1:04d}", d.isoformat(), f"Occurrence {i + 1} of {code}"]
        for i, d in enumerate(events)])


# Findings per year: control code -> what the test found, in both languages.
B9_2024 = {
    "positions": (3, 7, 11, 15, 19, 22),
    "note": "No documented follow-up on the security log for this day (review suspended).",
    "judgement": Conclusion.MATERIAL,
    "texts": TestTexts(
        result_text_en="The daily review of security logs was suspended from May to July during "
                       "the move to a new log platform; for the sampled days in that period "
                       "there was no documented follow-up on security events or on activity "
                       "by privileged users.",
        result_text_da="Den daglige gennemgang af sikkerhedslogge var indstillet fra maj til "
                       "juli under flytningen til en ny logplatform; for de udvalgte dage i "
                       "den periode var der ingen dokumenteret opfølgning på "
                       "sikkerhedshændelser eller på aktiviteter udført af privilegerede "
                       "brugere.",
        management_comment_en="Since August the log platform opens a ticket for every alert "
                              "and for privileged activity each day; the security team "
                              "reviewed the suspended months retrospectively and found no "
                              "breaches.",
        management_comment_da="Siden august opretter logplatformen hver dag en sag for hver "
                              "alarm og for privilegerede aktiviteter; sikkerhedsteamet har "
                              "efterfølgende gennemgået de indstillede måneder og har ikke "
                              "fundet brud."),
    "finding": ("Security log review suspended for three months",
                "The daily review of security logs was not performed from May to July; the "
                "suspended months were reviewed afterwards."),
}
C5_2025 = {
    "positions": (17,),
    "note": "Laptop returned 21 days after the last working day; access closed on the last day.",
    "judgement": Conclusion.NOT_MATERIAL,
    "texts": TestTexts(
        result_text_en="For one leaver the laptop was returned three weeks after the last "
                       "working day. The leaver's user access had been closed on the last "
                       "working day, and the laptop's disk is encrypted.",
        result_text_da="For én fratrådt medarbejder blev den bærbare computer afleveret tre uger "
                       "efter sidste arbejdsdag. Medarbejderens brugeradgang var lukket på "
                       "sidste arbejdsdag, og computerens disk er krypteret.",
        management_comment_en="HR now books the return of equipment with the leaver's manager "
                              "for the last working day, and the service desk follows up the "
                              "next day.",
        management_comment_da="HR aftaler nu aflevering af udstyr med lederen til sidste "
                              "arbejdsdag, og servicedesken følger op dagen efter."),
    "justification": "The deviation concerns the return of a laptop, not access to personal "
                     "data: access was closed on the last working day for every sampled "
                     "leaver (also tested under B.13), and the laptop is encrypted and was "
                     "locked remotely. The upper limit exceeds the tolerable rate only because "
                     "of this one item.",
    "finding": ("Leaver's laptop returned late",
                "One leaver returned the laptop three weeks after the last working day; "
                "access had been closed on time."),
    "override": (25, "31 leavers in the period; 25 cover every month and both HR teams."),
}


def _firm_people(session: Session, users: dict):
    firm = session.scalar(select(AuditFirm).order_by(AuditFirm.id))
    partner = users.get(PARTNER_EMAIL)
    senior = users.get("external_auditor")
    if firm is None or partner is None or senior is None:
        return None
    return firm, partner, senior


def _perform(session: Session, store: EvidenceStore, engagement: Engagement, year: int,
             people: dict, findings: dict[str, dict], prepared_internally: str = "") -> None:
    """Perform, conclude and review every test of the engagement."""
    rng = random.Random(year)
    for test in engagement_tests(session, engagement):
        code = test.control.code
        preparer = people["auditor"] if code.startswith(prepared_internally or "-") \
            else people["senior"]
        found = findings.get(code)
        if code == NO_OCCURRENCES:
            record_no_occurrences(session, preparer, test, "The register of instructions "
                                  "assessed by the DPO holds none judged unlawful in the "
                                  "period; confirmed with the DPO.", test.version)
            conclude_test(session, preparer, test, judgement=None, version=test.version)
            review_test(session, people["partner"], test, test.version)
            continue
        filename, body = population_for(test.control.key, test.frequency, year, rng)
        population = upload_population(session, preparer, test, io.BytesIO(body), filename,
                                       store, len(body) + 1)
        override = found.get("override") if found else None
        if code == WHOLE_POPULATION:
            override = (population.row_count, "Every agreement that ended in the period is "
                                              "tested.")
        if override:
            plan = plan_of(test)
            update_test_plan(session, preparer, test, TestPlan(
                **{**vars(plan), "override_size": override[0],
                   "override_reason": override[1]}), test.version)
        sample = draw_sample(session, preparer, test, population, store)
        for position, item in enumerate(sample.items):
            deviating = found is not None and position in found["positions"]
            record_result(session, preparer, item,
                          ItemResult.DEVIATION if deviating else ItemResult.NO_DEVIATION,
                          found["note"] if deviating else "Inspected; in line with the "
                                                          "procedure.", None, item.version)
        if found:
            conclude_test(session, preparer, test, judgement=found["judgement"],
                          texts=found["texts"], justification=found.get("justification"),
                          version=test.version)
            title, description = found["finding"]
            finding = raise_deviation(
                session, preparer, test.control, title, description,
                "material" if found["judgement"] == Conclusion.MATERIAL else "minor",
                people["owner"].id, None, engagement=engagement, test=test)
            respond_to_deviation(session, people["owner"], finding,
                                 description, found["texts"].management_comment_en,
                                 finding.version)
        else:
            conclude_test(session, preparer, test, judgement=None, version=test.version)
        review_test(session, people["partner"], test, test.version)


def seed_engagement(session: Session, users: dict) -> list[str]:
    """The firm's two ISAE 3000 engagements, performed and in review (idempotent)."""
    firm_people = _firm_people(session, users)
    if firm_people is None:
        return []
    firm, partner, senior = firm_people
    people = {"auditor": users["internal_auditor"], "senior": senior, "partner": partner,
              "owner": users["control_owner"]}
    store = EvidenceStore(current_app.config["KONTROL_EVIDENCE_DIR"])
    lines = []
    this_year = local_today().year
    for year, findings, internal in ((this_year - 2, {"B.9": B9_2024}, ""),
                                     (this_year - 1, {"C.5": C5_2025}, "A.")):
        name = f"ISAE 3000 GDPR {year} (type 2)"
        if session.scalar(select(Engagement.id).where(Engagement.name == name)):
            continue
        engagement = create_engagement(session, people["auditor"], EngagementPlan(
            name=name, kind="isae3000_type2", period_start=date(year, 1, 1),
            period_end=date(year, 12, 31), catalogues=["isae3000-gdpr"],
            team_ids=[people["auditor"].id], firm_id=firm.id, partner_id=partner.id,
            external_ids=[senior.id],
            description="Annual assurance report for the data controllers: processing of "
                        "personal data in the statistics production and the research service."))
        set_engagement_status(session, senior, engagement, "fieldwork", engagement.version)
        _perform(session, store, engagement, year, people, findings, internal)
        set_engagement_status(session, senior, engagement, "review", engagement.version)
        lines.append(f"Engagement '{name}' of {firm.name}: {len(engagement.tests)} tests "
                     "performed "
                     "and reviewed, in review")
    return lines
