"""Reading the sub-processor register for pages, the API, exports and deadline providers.

Every function issues a fixed number of queries whatever the size of the register, and loads
what its page shows; templates never query. What an external auditor sees is decided by
`app/auth/scope.py`: sub-processors whose processing touches their engagements' periods, and
of those the statements, follow-ups and notices dated inside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth import scope
from ..auth.models import User
from ..auth.people import active_users
from ..auth.permissions import Permission, Role, require
from ..catalogue.models import Control
from ..errors import NotFound
from .checks import CONTROL, ISAE_CATALOGUE
from .models import (
    AuditorStatement,
    ChangeNotice,
    FollowUp,
    Risk,
    Status,
    SubProcessor,
    Transfer,
)

SORTS = {
    "name": (SubProcessor.name, SubProcessor.id),
    "risk": (case((SubProcessor.risk_rating == Risk.HIGH, 0),
                  (SubProcessor.risk_rating == Risk.MEDIUM, 1), else_=2), SubProcessor.name),
    "statement": (SubProcessor.next_statement_due.is_(None), SubProcessor.next_statement_due,
                  SubProcessor.name),
    "follow_up": (SubProcessor.next_follow_up_due.is_(None), SubProcessor.next_follow_up_due,
                  SubProcessor.name),
    "start": (SubProcessor.start_date.desc(), SubProcessor.name),
}
PER_PAGE = 50


@dataclass(frozen=True)
class RegisterFilter:
    """Filters and order of the register list, the API and the export; all optional."""

    status: str | None = None
    risk: str | None = None
    approval: str | None = None
    country: str | None = None  # a processing country (ISO code)
    overdue: bool = False
    q: str | None = None
    sort: str = "name"


def _visible(actor, periods):
    require(actor, Permission.VIEW_SUBPROCESSORS)
    return scope.in_periods(periods, SubProcessor.start_date, SubProcessor.end_date)


def _filtered(session: Session, actor, filters: RegisterFilter, today: date):
    periods = scope.engagement_periods(session, actor)
    query = select(SubProcessor).where(_visible(actor, periods))
    if filters.status:
        query = query.where(SubProcessor.status == filters.status)
    if filters.risk:
        query = query.where(SubProcessor.risk_rating == filters.risk)
    if filters.approval:
        query = query.where(SubProcessor.approval == filters.approval)
    code = (filters.country or "").upper()[:2]
    if len(code) == 2 and code.isascii() and code.isalpha():
        # countries is a JSON list of two-letter codes: match the quoted code in its text.
        query = query.where(cast(SubProcessor.countries, String).like(f'%"{code}"%'))
    if filters.overdue:
        query = query.where(or_(SubProcessor.next_statement_due < today,
                                SubProcessor.next_follow_up_due < today))
    text = CONTROL.sub("", filters.q or "").strip()[:100]
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(SubProcessor.name.ilike(pattern),
                                SubProcessor.registration_number.ilike(pattern),
                                SubProcessor.processing_en.ilike(pattern),
                                SubProcessor.processing_da.ilike(pattern)))
    return query


def list_subprocessors(session: Session, actor, filters: RegisterFilter, *, today: date,
                       page: int = 1, per_page: int | None = PER_PAGE
                       ) -> tuple[list[SubProcessor], int]:
    """One page of the register and how many entries match: three queries."""
    query = _filtered(session, actor, filters, today)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.options(selectinload(SubProcessor.transfers)).order_by(
        *SORTS.get(filters.sort, SORTS["name"]))
    if per_page:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(query)), total


@dataclass
class Detail:
    """A sub-processor with what its page shows (children narrowed to the actor's scope)."""

    subprocessor: SubProcessor
    statements: list[AuditorStatement]
    follow_ups: list[FollowUp]
    notices: list[ChangeNotice]
    missing_years: list[int]
    scoped: bool = False  # an external auditor sees only their periods


def get_subprocessor(session: Session, actor, subprocessor_id: int, *, today: date) -> Detail:
    """One sub-processor with its transfers, statements, follow-ups and notices, or NotFound."""
    require(actor, Permission.VIEW_SUBPROCESSORS)
    sp = session.scalar(select(SubProcessor).where(SubProcessor.id == subprocessor_id).options(
        selectinload(SubProcessor.transfers).joinedload(Transfer.tia_evidence),
        selectinload(SubProcessor.statements).selectinload(AuditorStatement.observations),
        selectinload(SubProcessor.statements).joinedload(AuditorStatement.evidence),
        selectinload(SubProcessor.follow_ups).joinedload(FollowUp.performed_by),
        selectinload(SubProcessor.follow_ups).joinedload(FollowUp.evidence),
        selectinload(SubProcessor.notices).selectinload(ChangeNotice.objections),
        selectinload(SubProcessor.notices).joinedload(ChangeNotice.replaces)))
    periods = scope.engagement_periods(session, actor)
    if sp is None or not scope.touches(periods, sp.start_date, sp.end_date, open_ended=True):
        raise NotFound("No such sub-processor.")
    statements = [s for s in sp.statements if scope.touches(periods, s.period_start,
                                                            s.period_end)]
    follow_ups = [f for f in sp.follow_ups if scope.touches(periods, f.performed_on)]
    notices = [n for n in sp.notices if scope.touches(periods, n.notified_on, n.effective_on)]
    return Detail(sp, statements, follow_ups, notices, sp.missing_years(today),
                  scoped=periods is not None)


def get_statement(session: Session, actor, statement_id: int) -> AuditorStatement:
    """A statement with its observations and sub-processor, or NotFound."""
    require(actor, Permission.VIEW_SUBPROCESSORS)
    statement = session.scalar(select(AuditorStatement).where(
        AuditorStatement.id == statement_id).options(
        selectinload(AuditorStatement.observations),
        joinedload(AuditorStatement.subprocessor).selectinload(SubProcessor.statements)))
    periods = scope.engagement_periods(session, actor)
    if statement is None or not scope.touches(periods, statement.period_start,
                                              statement.period_end):
        raise NotFound("No such statement.")
    return statement


def get_child(session: Session, actor, model, object_id: int, message: str):
    """A follow-up, transfer, notice or objection by id (for edit pages), or NotFound."""
    require(actor, Permission.VIEW_SUBPROCESSORS)
    row = session.get(model, object_id)
    if row is None:
        raise NotFound(message)
    owner = getattr(row, "subprocessor", None) or row.notice.subprocessor
    if not scope.touches(scope.engagement_periods(session, actor), owner.start_date,
                         owner.end_date, open_ended=True):
        raise NotFound(message)
    return row


def other_subprocessors(session: Session, exclude: int | None = None) -> list[SubProcessor]:
    """Every sub-processor but `exclude`, by name (the "replaces" choice)."""
    query = select(SubProcessor).order_by(SubProcessor.name)
    if exclude:
        query = query.where(SubProcessor.id != exclude)
    return list(session.scalars(query))


def possible_performers(session: Session) -> list[User]:
    """Active users who may have done a follow-up (auditors of the firm excluded)."""
    roles = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER, Role.INTERNAL_AUDITOR)
    return active_users(session, roles)


# -- dashboard ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """The dashboard tile's figures."""

    active: int
    statements_overdue: int
    follow_ups_overdue: int
    open_windows: int
    short_notices: int


def summary(session: Session, actor, today: date) -> Summary:
    """Figures for the dashboard: two queries."""
    periods = scope.engagement_periods(session, actor)
    visible = _visible(actor, periods)
    active, statements, follow_ups = session.execute(select(
        func.count().filter(SubProcessor.status == Status.ACTIVE),
        func.count().filter(SubProcessor.next_statement_due < today),
        func.count().filter(SubProcessor.next_follow_up_due < today)).where(visible)).one()
    windows = [n for n in session.scalars(
        select(ChangeNotice).join(SubProcessor, SubProcessor.id == ChangeNotice.subprocessor_id)
        .where(visible, ChangeNotice.notified_on >= today - timedelta(days=31)))
        if n.objection_deadline >= today]
    return Summary(active, statements, follow_ups, len(windows),
                   sum(1 for n in windows if n.short_notice))


# -- deadlines (for the deadline engine of issue 14) ----------------------------------------

@dataclass(frozen=True)
class OpenDeadline:
    """An open deadline of the register, in the shape a deadline provider hands on."""

    kind: str  # subprocessor_statement, subprocessor_follow_up, subprocessor_objection
    object_type: str
    object_id: int
    label: str
    due_on: date
    responsible_user_ids: tuple[int, ...]
    endpoint: str
    endpoint_args: dict

    def due_at(self, zone: ZoneInfo) -> datetime:
        """The due instant: the end of `due_on` in `zone`, in UTC."""
        return datetime.combine(self.due_on + timedelta(days=1), time(), zone).astimezone(UTC)

    @property
    def overdue_on(self) -> date:
        """The first day the deadline is missed."""
        return self.due_on + timedelta(days=1)


def _responsible(session: Session) -> dict[str, tuple[int, ...]]:
    owners = dict(session.execute(
        select(Control.code, Control.owner_id).join(User, User.id == Control.owner_id)
        .where(Control.key.in_([f"{ISAE_CATALOGUE}:F.3", f"{ISAE_CATALOGUE}:F.6"]),
               User.active)).all())
    coordinators = tuple(session.scalars(select(User.id).where(
        User.active, User.role == Role.COORDINATOR.value).order_by(User.id)))
    return {code: (owners[code],) if owners.get(code) else coordinators
            for code in ("F.3", "F.6")}


def open_deadlines(session: Session, today: date) -> list[OpenDeadline]:
    """Every open deadline of the register on `today`, overdue ones included: four queries.

    Statements and follow-ups stay open until recorded; an objection window is open until its
    last day. Responsible: the owner of activity F.6 (statements, follow-ups) or F.3 (notices),
    else every active coordinator.
    """
    responsible = _responsible(session)
    result = []
    for sp in session.scalars(select(SubProcessor).where(or_(
            SubProcessor.next_statement_due.is_not(None),
            SubProcessor.next_follow_up_due.is_not(None))).order_by(SubProcessor.id)):
        link = ("vendors.show_subprocessor", {"subprocessor_id": sp.id})
        if sp.next_statement_due:
            result.append(OpenDeadline(
                "subprocessor_statement", "subprocessor", sp.id,
                f"Auditor's statement for {sp.next_statement_due.year - 1}: {sp.name}",
                sp.next_statement_due, responsible["F.6"], *link))
        if sp.next_follow_up_due:
            result.append(OpenDeadline(
                "subprocessor_follow_up", "subprocessor", sp.id,
                f"Follow-up ({sp.risk_rating} risk): {sp.name}", sp.next_follow_up_due,
                responsible["F.6"], *link))
    for notice in session.scalars(select(ChangeNotice).where(
            ChangeNotice.notified_on >= today - timedelta(days=31)).options(
            joinedload(ChangeNotice.subprocessor)).order_by(ChangeNotice.id)):
        if notice.objection_deadline >= today:
            result.append(OpenDeadline(
                "subprocessor_objection", "subprocessor_change", notice.id,
                f"Objection deadline for the change notice: {notice.subprocessor.name}",
                notice.objection_deadline, responsible["F.3"], "vendors.show_subprocessor",
                {"subprocessor_id": notice.subprocessor_id}))
    return sorted(result, key=lambda d: (d.due_on, d.kind, d.object_id))

