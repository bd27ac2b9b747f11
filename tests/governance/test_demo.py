"""The demo registers are what the issue's Demo section says, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.governance import dispensations, documents
from app.governance.common import Page
from app.governance.demo import seed_governance
from app.governance.models import (
    Dispensation,
    GoverningDocument,
    RiskAssessment,
    TechnologyAdoption,
)
from app.governance.views import local_today
from tests.factories import make_user


def test_demo_registers(app, db_session, loaded_catalogue):
    users = {role: make_user(db_session, role=role) for role in ("coordinator",
                                                                 "control_owner")}
    assert seed_governance(db_session, users)
    assert seed_governance(db_session, users) == []
    today = local_today()
    titles = db_session.scalars(select(GoverningDocument.title)).all()
    assert len(titles) == 7
    kinds = db_session.scalars(select(GoverningDocument.kind)).all()
    assert kinds.count("policy") == 1 and kinds.count("plan") == 1
    due = documents.due_items(db_session, users["coordinator"], today=today, warning_days=30)
    assert [(i.document.title, i.state) for i in due] == [("IT contingency plan", "overdue")]
    handbook = db_session.scalar(select(GoverningDocument).where(
        GoverningDocument.title == "Information security handbook"))
    assert handbook.current_version.label == "2.0"
    annual = db_session.scalar(select(RiskAssessment).where(
        RiskAssessment.kind == "periodic"))
    assert len(annual.risks) == 12
    assert sum(1 for r in annual.risks if r.accepted_until and r.accepted_until < today) == 1
    statuses = dict(db_session.execute(select(TechnologyAdoption.title,
                                              TechnologyAdoption.status)).all())
    assert sorted(statuses.values()) == ["approved", "impact_analysed"]
    assert db_session.scalar(select(func.count(Dispensation.id)).where(
        Dispensation.emergency.is_(False))) == 2
    figures = dispensations.summary(db_session, users["coordinator"], today=today,
                                    now=datetime.now(UTC))
    assert figures.expired == 1 and figures.late_reports == 1
    items, total = dispensations.list_dispensations(
        db_session, users["coordinator"], dispensations.DispensationFilter(state="expired"),
        Page(), today=today, now=datetime.now(UTC))
    assert total == 1 and items[0].title == "Shared service account on the HR system"


def test_open_deadlines_for_the_engine_to_come(app, db_session, settings, controls,
                                               coordinator, owner, runner):
    from datetime import timedelta

    from app.governance.deadlines import open_deadlines
    from tests.governance.builders import TODAY, fill

    fill(db_session, settings, coordinator, owner, 2)
    items = open_deadlines(db_session, TODAY, horizon_days=400)
    kinds = {item.kind for item in items}
    assert {"document_review", "risk_acceptance", "dispensation_expiry",
            "emergency_report"} <= kinds
    assert items == sorted(items, key=lambda i: (i.due_at, i.kind, i.object_id))
    review = next(i for i in items if i.kind == "document_review")
    assert review.responsible == (owner.id,) and review.endpoint == "governance.show_document"
    assert review.due_at.utcoffset() is not None
    late = [i for i in items if i.kind == "emergency_report"]
    assert all(i.overdue(datetime.now(UTC)) for i in late)
    soon = open_deadlines(db_session, TODAY, horizon_days=0)
    assert all(i.due_at.date() <= TODAY + timedelta(days=1) for i in soon)
    result = runner.invoke(args=["governance", "deadlines", "--days", "400"])
    assert result.exit_code == 0 and "OVERDUE" in result.output
    assert f"{len(items)} open governance deadline(s)" in result.output
