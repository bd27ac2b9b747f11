"""Reading the incident register: who may see what, lists, one incident, clocks to watch.

The read rule is decided once here: every role holding VIEW_INCIDENTS reads the register,
except that control owners see the incidents they reported and external auditors see those
whose dates touch their engagements' periods (`app/auth/scope.py`). `can_view_incident` and
`_visible` are twins and change together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..audits.models import Deviation
from ..auth import scope
from ..auth.models import User
from ..auth.people import active_users
from ..auth.permissions import Permission, Role, can
from . import clocks
from .checks import N_, forbidden, not_found
from .models import (
    CorrectiveAction,
    Incident,
    IncidentController,
    Severity,
    Status,
    Submission,
)

PER_PAGE = 25
SORTS = ("detected_desc", "detected_asc", "aware_desc", "severity", "title")
BREACH_FILTERS = ("yes", "no", "undecided")


def _role(actor) -> str | None:
    return getattr(actor, "role", None)


def can_view_incident(actor, incident: Incident, periods) -> bool:
    """Whether `actor` may see `incident`; `periods` from `scope.engagement_periods`."""
    if not can(actor, Permission.VIEW_INCIDENTS):
        return False
    if _role(actor) == Role.CONTROL_OWNER.value:
        return incident.reported_by_id is not None and incident.reported_by_id == actor.id
    return scope.touches(periods, incident.detected_on, incident.closed_on, open_ended=True)


def _visible(query, actor, periods):
    """Narrow a `select(Incident…)` to what `can_view_incident` allows."""
    if _role(actor) == Role.CONTROL_OWNER.value:
        return query.where(Incident.reported_by_id == actor.id)
    return query.where(scope.in_periods(periods, Incident.detected_on, Incident.closed_on))


@dataclass(frozen=True)
class IncidentFilter:
    """Filters and order of the register list; all optional."""

    q: str | None = None
    status: str | None = None  # a Status, or "open" (not closed)
    breach: str | None = None  # yes, no, undecided
    role: str | None = None
    severity: str | None = None
    sort: str = "detected_desc"


def _filtered(query, filters: IncidentFilter):
    if filters.q and filters.q.replace("\x00", "").strip():
        pattern = f"%{filters.q.replace(chr(0), '').strip().lower()[:200]}%"
        query = query.where(or_(func.lower(Incident.title).like(pattern),
                                func.lower(Incident.description).like(pattern)))
    if filters.status == "open":
        query = query.where(Incident.status != Status.CLOSED.value)
    elif filters.status in tuple(Status):
        query = query.where(Incident.status == filters.status)
    if filters.breach == "yes":
        query = query.where(Incident.personal_data_breach.is_(True))
    elif filters.breach == "no":
        query = query.where(Incident.personal_data_breach.is_(False))
    elif filters.breach == "undecided":
        query = query.where(Incident.personal_data_breach.is_(None))
    if filters.role in ("controller", "processor"):
        query = query.where(Incident.role == filters.role)
    if filters.severity in tuple(Severity):
        query = query.where(Incident.severity == filters.severity)
    return query


def _ordered(query, sort: str):
    rank = case({s.value: i for i, s in enumerate(reversed(Severity))},
                value=Incident.severity, else_=len(Severity))
    orders = {
        "detected_asc": (Incident.detected_at.asc(), Incident.id.asc()),
        "aware_desc": (Incident.became_aware_at.is_(None), Incident.became_aware_at.desc(),
                       Incident.id.desc()),
        "severity": (rank, Incident.detected_at.desc(), Incident.id.desc()),
        "title": (func.lower(Incident.title), Incident.id),
    }
    return query.order_by(*orders.get(sort, (Incident.detected_at.desc(), Incident.id.desc())))


def list_incidents(session: Session, actor, filters: IncidentFilter, *, page: int = 1,
                   per_page: int = PER_PAGE) -> tuple[list[Incident], int]:
    """One page of the register the actor may see, and how many match.

    Three queries whatever the page holds: the scope, the count, the page (with its
    reporters and controllers for the clocks).
    """
    if not can(actor, Permission.VIEW_INCIDENTS):
        raise forbidden(N_("You may not see the incident register."))
    periods = scope.engagement_periods(session, actor)
    query = _filtered(_visible(select(Incident), actor, periods), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = _ordered(query, filters.sort).options(
        joinedload(Incident.reported_by), selectinload(Incident.controllers))
    page = max(1, min(page, 100_000))
    rows = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique()
    return list(rows), total


def get_incident(session: Session, actor, incident_id: int) -> Incident:
    """An incident with what its page shows, if the actor may see it (else NotFound)."""
    incident = session.scalar(select(Incident).where(Incident.id == incident_id).options(
        joinedload(Incident.reported_by), joinedload(Incident.breach_decided_by),
        joinedload(Incident.chair_informed_by), selectinload(Incident.controls),
        selectinload(Incident.controllers),
        selectinload(Incident.submissions).joinedload(Submission.recorded_by),
        selectinload(Incident.actions).joinedload(CorrectiveAction.owner),
        selectinload(Incident.actions).joinedload(CorrectiveAction.deviation)))
    if incident is None or not can_view_incident(
            actor, incident, scope.engagement_periods(session, actor)):
        raise not_found()
    return incident


def control_incidents(session: Session, actor, control, limit: int = 10) -> list[Incident]:
    """The newest incidents linked to a control that the actor may see (two queries)."""
    if not can(actor, Permission.VIEW_INCIDENTS):
        return []
    from .models import incident_control

    query = _visible(select(Incident), actor, scope.engagement_periods(session, actor)).where(
        Incident.id.in_(select(incident_control.c.incident_id).where(
            incident_control.c.control_id == control.id)))
    return list(session.scalars(query.order_by(Incident.detected_at.desc(), Incident.id.desc())
                                .limit(limit)))


def incident_history(session: Session, incident: Incident, tz, limit: int = 100) -> list:
    """(instant, actor, action) of the incident's ledger entries, oldest first (two queries)."""
    from ..ledger.service import LedgerFilter, list_entries

    entries, _total = list_entries(session, LedgerFilter(
        entity_type="incident", entity_id=str(incident.id)), tz, per_page=limit)
    return [(e.at, e.actor, e.action.removeprefix("incident.")) for e in reversed(entries)]


def people(session: Session) -> list[User]:
    """Active users who may report, decide, inform the chair or own an action."""
    roles = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER, Role.INTERNAL_AUDITOR)
    return active_users(session, roles)


def finding_choices(session: Session, limit: int = 200) -> list[Deviation]:
    """Findings a corrective action may be linked to, newest first."""
    return list(session.scalars(select(Deviation).order_by(Deviation.id.desc()).limit(limit)))


# --- clocks --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunningClock:
    """A notification not yet sent: to the authority, or to one controller."""

    incident: Incident
    controller: IncidentController | None
    clock: clocks.Clock

    @property
    def kind(self) -> str:
        """breach.authority or breach.controller."""
        return "breach.authority" if self.incident.is_controller else "breach.controller"


def _open_breaches(query):
    return query.where(Incident.personal_data_breach.is_(True),
                       Incident.became_aware_at.is_not(None),
                       Incident.status != Status.CLOSED.value).options(
        selectinload(Incident.controllers))


def _running(incidents) -> list[RunningClock]:
    running = [RunningClock(incident, controller, clock) for incident in incidents
               for controller, clock in incident.clocks() if clock.is_running]
    return sorted(running, key=lambda r: (r.clock.due, r.incident.id))


@dataclass(frozen=True)
class OpenDeadline:
    """A deadline a reminder engine can watch: what, for which object, when, for whom, where."""

    kind: str
    incident_id: int
    title: str
    recipient: str | None  # the controller's name; None for the authority
    due: datetime
    responsible_user_ids: tuple[int, ...]
    endpoint: str = "incidents.show_incident"
    values: dict = field(default_factory=dict)
    starts_at: datetime | None = None  # when the clock started (awareness, or the decision)


def open_deadlines(session: Session, now: datetime) -> list[OpenDeadline]:
    """Every breach clock still running or overdue at `now`, soonest first.

    For a deadline engine (every coordinator gets every breach clock). Two queries.
    """
    clocks.require_aware(now, "now")
    coordinators = tuple(session.scalars(select(User.id).where(
        User.active, User.role == Role.COORDINATOR.value).order_by(User.id)))
    return [OpenDeadline(kind=item.kind, incident_id=item.incident.id,
                         title=item.incident.title,
                         recipient=item.controller.name if item.controller else None,
                         due=item.clock.due, responsible_user_ids=coordinators,
                         values={"incident_id": item.incident.id},
                         starts_at=item.clock.started_at)
            for item in _running(session.scalars(_open_breaches(select(Incident))))]


@dataclass
class DashboardSummary:
    """The dashboard tile: running clocks, and what waits for the coordinator."""

    running: list[RunningClock] = field(default_factory=list)
    awaiting_qualification: int = 0
    chair_not_informed: int = 0
    open_incidents: int = 0


def dashboard_summary(session: Session, actor) -> DashboardSummary:
    """The tile's figures within what the actor may see (four queries)."""
    summary = DashboardSummary()
    periods = scope.engagement_periods(session, actor)
    base = _visible(select(Incident), actor, periods)
    summary.running = _running(session.scalars(_open_breaches(base)))
    counts = _visible(select(
        func.count(Incident.id),
        func.sum(case((Incident.status == Status.REPORTED.value, 1), else_=0)),
        func.sum(case((Incident.chair_informed_on.is_(None), 1), else_=0))), actor, periods
    ).where(Incident.status != Status.CLOSED.value)
    total, reported, uninformed = session.execute(counts).one()
    summary.open_incidents = int(total or 0)
    summary.awaiting_qualification = int(reported or 0)
    summary.chair_not_informed = int(uninformed or 0)
    return summary
