"""External auditors' scope: their engagements' periods, the same in SQL and in Python."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.audits import service
from app.audits.models import Engagement
from app.auth import scope
from tests.factories import make_firm, make_user


def _engagement(session, auditor, external, kind, start, end, name):
    firm = make_firm(session, external)
    return service.create_engagement(session, auditor, service.EngagementPlan(
        name=name, kind=kind, period_start=start, period_end=end, catalogues=["isae3000-gdpr"],
        excluded_groups={}, team_ids=[auditor.id], firm_id=firm.id, partner_id=external.id))


def test_external_auditor_sees_only_their_engagements_periods(db_session, loaded_catalogue):
    auditor = make_user(db_session, role="internal_auditor")
    external = make_user(db_session, role="external_auditor")
    other = make_user(db_session, role="external_auditor")
    _engagement(db_session, auditor, external, "isae3000_type2", date(2025, 1, 1),
                date(2025, 12, 31), "Type 2")
    _engagement(db_session, auditor, other, "isae3000_type1", None, date(2024, 6, 30), "Type 1")

    assert scope.engagement_periods(db_session, auditor) is None
    mine = scope.engagement_periods(db_session, external)
    assert mine == [scope.Period(date(2025, 1, 1), date(2025, 12, 31))]
    assert scope.engagement_periods(db_session, other) == [
        scope.Period(date(2024, 6, 30), date(2024, 6, 30))]
    assert scope.engagement_periods(db_session, make_user(db_session, "external_auditor")) == []

    assert scope.touches(mine, date(2024, 12, 1), date(2025, 1, 1))
    assert not scope.touches(mine, date(2024, 12, 1), date(2024, 12, 31))
    assert scope.touches(mine, date(2020, 1, 1), None, open_ended=True)
    assert not scope.touches(mine, date(2026, 1, 1))
    assert not scope.touches([], date(2025, 5, 1))
    assert scope.touches(None, None)

    # The SQL twin agrees: narrow engagements by their own period end as a single date.
    ends = db_session.scalars(select(Engagement.name).where(
        scope.in_periods(mine, Engagement.period_end))).all()
    assert ends == ["Type 2"]
