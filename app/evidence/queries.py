"""Reading evidence for pages and the API: lists, freshness, coverage and requests.

Every function issues a fixed number of queries whatever the amount of evidence, and loads
what its page shows; templates never query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth.models import User
from ..auth.people import active_users
from ..auth.permissions import Permission, Role, can, require
from ..catalogue.models import Catalogue, Control, ControlGroup
from ..errors import Invalid, NotFound
from . import rules
from .models import Evidence, EvidenceKind, EvidenceRequest, EvidenceVersion, RequestStatus
from .models import evidence_control as link
from .rules import Freshness
from .service import (
    EVIDENCE_OWNER_ROLES,
    N_,
    can_add_evidence_to,
    can_read_evidence,
    invalid,
    readable_evidence,
)


@dataclass(frozen=True)
class EvidenceFilter:
    """Filters of the evidence list and the API; all optional."""

    control: str | None = None  # a control key
    catalogue: str | None = None  # a catalogue slug
    kind: str | None = None
    freshness: str | None = None  # current, expiring or expired
    q: str | None = None


def _with_page_details(query):
    return query.options(
        selectinload(Evidence.controls).joinedload(Control.catalogue),
        selectinload(Evidence.versions).joinedload(EvidenceVersion.uploaded_by),
        joinedload(Evidence.owner))


def _freshness_clause(freshness: str, today: date, warning_days: int):
    warn_until = today + timedelta(days=warning_days)
    if freshness == Freshness.CURRENT:
        return or_(Evidence.valid_until.is_(None), Evidence.valid_until > warn_until)
    if freshness == Freshness.EXPIRING:
        return and_(Evidence.valid_until >= today, Evidence.valid_until <= warn_until)
    if freshness == Freshness.EXPIRED:
        return Evidence.valid_until < today
    raise Invalid("freshness", "Choose current, expiring or expired.")


def list_evidence(session: Session, actor, filters: EvidenceFilter, *, today: date,
                  warning_days: int, page: int = 1, per_page: int = 50
                  ) -> tuple[list[Evidence], int]:
    """One page of evidence, newest first, and how many match: four queries."""
    require(actor, Permission.VIEW_EVIDENCE)
    query = readable_evidence(select(Evidence), actor)
    if filters.control or filters.catalogue:
        linked = select(link.c.evidence_id).join(Control, Control.id == link.c.control_id)
        if filters.control:
            linked = linked.where(Control.key == filters.control)
        if filters.catalogue:
            linked = linked.join(Catalogue, Catalogue.id == Control.catalogue_id).where(
                Catalogue.slug == filters.catalogue)
        query = query.where(Evidence.id.in_(linked))
    if filters.kind:
        query = query.where(Evidence.kind == filters.kind)
    if filters.freshness:
        query = query.where(_freshness_clause(filters.freshness, today, warning_days))
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        query = query.where(or_(Evidence.title.ilike(pattern), Evidence.description.ilike(pattern),
                                Evidence.url.ilike(pattern),
                                cast(Evidence.tags, String).ilike(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = _with_page_details(query).order_by(Evidence.created_at.desc(), Evidence.id.desc())
    if per_page:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(query).unique()), total


def get_evidence(session: Session, actor, evidence_id: int) -> Evidence:
    """One evidence item with its controls, versions and people, or NotFound."""
    require(actor, Permission.VIEW_EVIDENCE)
    evidence = session.scalar(_with_page_details(
        select(Evidence).where(Evidence.id == evidence_id)).options(
        joinedload(Evidence.created_by)))
    if evidence is None or not can_read_evidence(actor, evidence):
        raise NotFound("No such evidence.")
    return evidence


def requests_answered_by(session: Session, evidence_id: int) -> list[EvidenceRequest]:
    """Requests this evidence answered."""
    return list(session.scalars(
        select(EvidenceRequest).where(EvidenceRequest.answered_by_evidence_id == evidence_id)
        .options(joinedload(EvidenceRequest.control), joinedload(EvidenceRequest.assignee))))


def evidence_for_control(session: Session, actor, control_id: int) -> list[Evidence]:
    """A control's evidence, the newest period first."""
    require(actor, Permission.VIEW_EVIDENCE)
    query = readable_evidence(select(Evidence), actor).where(
        Evidence.id.in_(select(link.c.evidence_id).where(link.c.control_id == control_id)))
    return list(session.scalars(_with_page_details(query).order_by(
        Evidence.period_end.desc(), Evidence.created_at.desc(), Evidence.id.desc())).unique())


def control_freshness(session: Session, actor, control_ids: list[int] | None, *, on: date,
                      warning_days: int, period: tuple[date, date] | None = None
                      ) -> dict[int, Freshness]:
    """Each control's freshness on `on`, in one query.

    Counts evidence whose period overlaps `period` (default: the calendar year of `on`);
    controls with none are `missing` (only those in `control_ids` are reported as such).
    """
    require(actor, Permission.VIEW_EVIDENCE)
    start, end = period or rules.year_period(on)
    warn_until = on + timedelta(days=warning_days)
    current = func.sum(case((or_(Evidence.valid_until.is_(None),
                                 Evidence.valid_until > warn_until), 1), else_=0))
    expiring = func.sum(case((and_(Evidence.valid_until >= on,
                                   Evidence.valid_until <= warn_until), 1), else_=0))
    query = readable_evidence(
        select(link.c.control_id, current, expiring, func.count())
        .join(Evidence, Evidence.id == link.c.evidence_id)
        .join(Control, Control.id == link.c.control_id)
        .where(Evidence.period_start <= end, Evidence.period_end >= start,
               Control.retired_at.is_(None))
        .group_by(link.c.control_id), actor)
    if control_ids is not None:
        query = query.where(link.c.control_id.in_(control_ids))
    result = {}
    for control_id, n_current, n_expiring, _total in session.execute(query):
        states = [Freshness.CURRENT] * bool(n_current) + [Freshness.EXPIRING] * bool(n_expiring)
        result[control_id] = rules.best_freshness(states or [Freshness.EXPIRED])
    if control_ids is not None:
        for control_id in control_ids:
            result.setdefault(control_id, Freshness.MISSING)
    return result


@dataclass(frozen=True)
class CoverageRow:
    """One control's evidence count per month of the period."""

    control: Control
    counts: list[int]

    @property
    def levels(self) -> list[int]:
        """Each month's colour step on the heat map: 0 none, 1, 2, 3–4, 5 or more."""
        return [0 if n == 0 else 1 if n == 1 else 2 if n == 2 else 3 if n <= 4 else 4
                for n in self.counts]

    @property
    def total_months(self) -> int:
        """Months with at least one item."""
        return sum(1 for count in self.counts if count)


@dataclass(frozen=True)
class Coverage:
    """Controls × months: how many evidence items speak for each control in each month."""

    months: list[date]
    rows: list[CoverageRow]
    catalogue: str | None

    @property
    def max_count(self) -> int:
        """The largest count in any cell."""
        return max((max(row.counts) for row in self.rows if row.counts), default=0)

    @property
    def covered(self) -> int:
        """Controls with evidence in at least one month."""
        return sum(1 for row in self.rows if row.total_months)


def coverage(session: Session, actor, first: date, last: date,
             catalogue: str | None = None) -> Coverage:
    """Evidence per active control and month from `first`'s month to `last`'s.

    Two queries whatever the amount of evidence: the controls, and the counts, which the
    database computes (one SUM(CASE …) column per month, grouped by control).
    """
    require(actor, Permission.VIEW_EVIDENCE)
    if last < first:
        raise invalid("last", N_("The period ends before it starts."))
    months = rules.months_between(first, last)
    if len(months) > rules.MAX_COVERAGE_MONTHS:
        raise invalid("last", N_("Choose a period of at most %(months)d months."),
                      months=rules.MAX_COVERAGE_MONTHS)
    controls_query = _active_controls()
    if catalogue:
        controls_query = controls_query.where(Catalogue.slug == catalogue)
    controls = list(session.scalars(controls_query))
    period_start, period_end = months[0], rules.month_end(months[-1])
    columns = [func.sum(case((and_(Evidence.period_start <= rules.month_end(month),
                                   Evidence.period_end >= month), 1), else_=0))
               for month in months]
    counts_query = readable_evidence(
        select(link.c.control_id, *columns).join(Evidence, Evidence.id == link.c.evidence_id)
        .where(Evidence.period_start <= period_end, Evidence.period_end >= period_start)
        .group_by(link.c.control_id), actor)
    if catalogue:
        counts_query = counts_query.join(Control, Control.id == link.c.control_id).join(
            Catalogue, Catalogue.id == Control.catalogue_id).where(Catalogue.slug == catalogue)
    counts = {row[0]: [int(n or 0) for n in row[1:]] for row in session.execute(counts_query)}
    empty = [0] * len(months)
    return Coverage(months, [CoverageRow(c, counts.get(c.id, empty)) for c in controls],
                    catalogue)


def catalogues(session: Session) -> list[Catalogue]:
    """Catalogues for filter choices, by slug."""
    return list(session.scalars(select(Catalogue).order_by(Catalogue.slug)))


def _active_controls():
    return (select(Control).join(Catalogue, Catalogue.id == Control.catalogue_id)
             .join(ControlGroup, ControlGroup.id == Control.group_id)
             .where(Control.retired_at.is_(None)).options(joinedload(Control.catalogue))
             .order_by(Catalogue.slug, ControlGroup.position, Control.position))


def active_controls(session: Session) -> list[Control]:
    """Every active control in catalogue order, for form choices."""
    return list(session.scalars(_active_controls()))


def addable_controls(session: Session, actor) -> list[Control]:
    """Active controls `actor` may add evidence to, in catalogue order, for form choices."""
    query = _active_controls()
    if getattr(actor, "role", None) == Role.CONTROL_OWNER:
        query = query.where(Control.owner_id == actor.id)
    return [c for c in session.scalars(query) if can_add_evidence_to(actor, c)]


def possible_holders(session: Session) -> list[User]:
    """Active users who may own evidence or be asked for it."""
    return active_users(session, EVIDENCE_OWNER_ROLES)


# -- requests -------------------------------------------------------------------------------

REQUEST_SCOPES = ("assigned", "raised", "all")


def list_requests(session: Session, actor, scope: str = "assigned",
                  include_closed: bool = False) -> list[EvidenceRequest]:
    """Requests assigned to `actor`, raised by them, or all (for those who may ask).

    Open ones first, by due date.
    """
    require(actor, Permission.VIEW_EVIDENCE)
    query = select(EvidenceRequest).options(
        joinedload(EvidenceRequest.control).joinedload(Control.catalogue),
        joinedload(EvidenceRequest.assignee), joinedload(EvidenceRequest.requested_by),
        joinedload(EvidenceRequest.answered_by_evidence), joinedload(EvidenceRequest.engagement))
    if scope == "raised":
        query = query.where(EvidenceRequest.requested_by_id == getattr(actor, "id", None))
    elif scope == "all":
        require(actor, Permission.REQUEST_EVIDENCE)
    else:
        query = query.where(EvidenceRequest.assignee_id == getattr(actor, "id", None))
    if not include_closed:
        query = query.where(EvidenceRequest.status == RequestStatus.OPEN)
    open_first = case((EvidenceRequest.status == RequestStatus.OPEN, 0), else_=1)
    return list(session.scalars(query.order_by(open_first, EvidenceRequest.due_on,
                                               EvidenceRequest.id)))


def open_requests_for_control(session: Session, actor, control_id: int) -> list[EvidenceRequest]:
    """A control's open requests, the earliest due first.

    An external auditor sees only those of their engagements' PBC lists.
    """
    require(actor, Permission.VIEW_EVIDENCE)
    query = select(EvidenceRequest).where(EvidenceRequest.control_id == control_id,
                                          EvidenceRequest.status == RequestStatus.OPEN)
    if getattr(actor, "role", None) == Role.EXTERNAL_AUDITOR:
        from ..audits.access import visible_engagement_ids

        query = query.where(EvidenceRequest.engagement_id.in_(visible_engagement_ids(actor)))
    return list(session.scalars(query.options(joinedload(EvidenceRequest.assignee))
                                .order_by(EvidenceRequest.due_on)))


@dataclass(frozen=True)
class EvidenceSummary:
    """The dashboard's evidence figures."""

    expiring: int
    expired: int
    my_open: int
    my_overdue: int
    overdue_all: int | None  # for those who ask: every overdue request


def summary(session: Session, actor, *, today: date, warning_days: int) -> EvidenceSummary:
    """Evidence items expiring or expired (as the list's filters count them), open requests.

    Two queries. The counts use the list's own freshness clauses, so the dashboard's figure
    is the number of items the link behind it shows.
    """
    require(actor, Permission.VIEW_EVIDENCE)
    expiring, expired = session.execute(readable_evidence(select(
        func.sum(case((_freshness_clause(Freshness.EXPIRING, today, warning_days), 1),
                      else_=0)),
        func.sum(case((_freshness_clause(Freshness.EXPIRED, today, warning_days), 1),
                      else_=0))), actor)).one()
    actor_id = getattr(actor, "id", None)
    overdue = EvidenceRequest.due_on < today
    mine_open, mine_overdue, all_overdue = session.execute(
        select(func.sum(case((EvidenceRequest.assignee_id == actor_id, 1), else_=0)),
               func.sum(case((and_(EvidenceRequest.assignee_id == actor_id, overdue), 1),
                             else_=0)),
               func.sum(case((overdue, 1), else_=0)))
        .where(EvidenceRequest.status == RequestStatus.OPEN)).one()
    return EvidenceSummary(
        expiring=int(expiring or 0), expired=int(expired or 0),
        my_open=int(mine_open or 0), my_overdue=int(mine_overdue or 0),
        overdue_all=int(all_overdue or 0) if can(actor, Permission.REQUEST_EVIDENCE) else None)


def kinds() -> list[str]:
    """The evidence kinds, in form order."""
    return [kind.value for kind in EvidenceKind]


def controls_with_evidence(session: Session, control_ids) -> set[int]:
    """Of `control_ids`, those with evidence or evidence requests attached.

    Registered in the catalogue's ATTACHMENT_CHECKS: a reload retires such controls instead of
    deleting them.
    """
    ids = list(control_ids)
    if not ids:
        return set()
    linked = set(session.scalars(select(link.c.control_id).where(link.c.control_id.in_(ids))))
    asked = set(session.scalars(select(EvidenceRequest.control_id).where(
        EvidenceRequest.control_id.in_(ids))))
    return linked | asked
