"""Risk assessments and risks: the register, treatment, acceptance and the heat map (§10).

An assessment keeps the scale it was made on (`KONTROL_RISK_SCALE` when created, 5 × 5 by
default), so changing the setting never re-rates old risks. Scores are stored with the ratings
so lists filter and sort in the database; levels are bands of the score (`rules.level`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth import scope
from ..auth.permissions import Permission, require
from ..catalogue.models import Control
from ..errors import NotFound
from ..ledger.service import append
from . import rules
from .common import (
    MAX_NAME,
    MAX_TITLE,
    N_,
    Page,
    choice,
    controls,
    day,
    fresh,
    invalid,
    paged,
    person,
    text,
    unit_of_work,
)
from .models.risks import (
    AssessmentKind,
    AssessmentStatus,
    Risk,
    RiskAssessment,
    Topic,
    Treatment,
    risk_control,
)

ASSESSMENT_SORTS = {"title": RiskAssessment.title, "date": RiskAssessment.assessed_on,
                    "kind": RiskAssessment.kind, "status": RiskAssessment.status}
RISK_SORTS = {"title": Risk.title, "inherent": Risk.inherent_score,
              "residual": Risk.residual_score, "due": Risk.due_on,
              "accepted_until": Risk.accepted_until}


@dataclass(frozen=True)
class AssessmentDetails:
    """What is said about an assessment."""

    title: str
    kind: str
    owner_id: int | None
    assessed_on: date | None
    status: str = AssessmentStatus.IN_PROGRESS.value
    scope: str | None = None
    topics: Sequence[str] = ()


@dataclass(frozen=True)
class RiskDetails:
    """What is said about a risk, its treatment and any acceptance."""

    title: str
    threat: str
    likelihood: int | None
    consequence: int | None
    treatment: str
    vulnerability: str | None = None
    assets: str | None = None
    treatment_plan: str | None = None
    residual_likelihood: int | None = None
    residual_consequence: int | None = None
    owner_id: int | None = None
    due_on: date | None = None
    controls: Sequence[str] | str = ()
    accepted_by: str | None = None
    accepted_on: date | None = None
    accepted_until: date | None = None


# -- assessments ------------------------------------------------------------------------------

def _check_assessment(session: Session, details: AssessmentDetails, today: date) -> dict:
    topics = [str(t) for t in details.topics or ()]
    unknown = [t for t in topics if t not in Topic._value2member_map_]
    if unknown:
        raise invalid("topics", N_("Unknown topic %(topics)s."), topics=", ".join(unknown))
    return {
        "title": text(details.title, "title", required=N_("Give the assessment a title."),
                      limit=MAX_TITLE, single_line=True),
        "kind": choice(details.kind, "kind", AssessmentKind, N_("Choose the kind of "
                                                                "assessment.")),
        "owner_id": person(session, details.owner_id, "owner_id").id,
        "assessed_on": day(details.assessed_on, "assessed_on",
                           required=N_("Give the date of the assessment.")),
        "status": choice(details.status, "status", AssessmentStatus, N_("Choose a status.")),
        "scope": text(details.scope, "scope"),
        "topics": [t.value for t in Topic if t.value in topics],
    }


def create_assessment(session: Session, actor, details: AssessmentDetails, *, today: date,
                      scale: int = rules.DEFAULT_SCALE) -> RiskAssessment:
    """Start a risk assessment on a `scale` × `scale` matrix."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    values = _check_assessment(session, details, today)
    if not rules.MIN_SCALE <= scale <= rules.MAX_SCALE:
        raise invalid("scale", N_("The scale must be %(low)d to %(high)d."),
                      low=rules.MIN_SCALE, high=rules.MAX_SCALE)
    assessment = RiskAssessment(**values, scale=scale, created_by_id=getattr(actor, "id", None))
    with unit_of_work(session):
        session.add(assessment)
        append(session, actor, "risk_assessment.created", assessment, {
            **values, "scale": scale})
    return assessment


def update_assessment(session: Session, actor, assessment: RiskAssessment,
                      details: AssessmentDetails, version: int, *, today: date
                      ) -> RiskAssessment:
    """Change an assessment's title, kind, owner, date, status, scope or topics."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(assessment, version)
    values = _check_assessment(session, details, today)
    changes = {k: [getattr(assessment, k), v] for k, v in values.items()
               if getattr(assessment, k) != v}
    if changes:
        with unit_of_work(session):
            for name, value in values.items():
                setattr(assessment, name, value)
            append(session, actor, "risk_assessment.updated", assessment, changes)
    return assessment


# -- risks ------------------------------------------------------------------------------------

def _rating(value: int | None, name: str, scale: int, required: bool) -> int | None:
    if value is None:
        if required:
            raise invalid(name, N_("Rate it from 1 to %(scale)d."), scale=scale)
        return None
    if not 1 <= int(value) <= scale:
        raise invalid(name, N_("Rate it from 1 to %(scale)d."), scale=scale)
    return int(value)


def _check_risk(session: Session, assessment: RiskAssessment, details: RiskDetails,
                today: date, existing: Risk | None = None) -> dict:
    scale = assessment.scale
    likelihood = _rating(details.likelihood, "likelihood", scale, True)
    consequence = _rating(details.consequence, "consequence", scale, True)
    residual_l = _rating(details.residual_likelihood, "residual_likelihood", scale, False)
    residual_c = _rating(details.residual_consequence, "residual_consequence", scale, False)
    if (residual_l is None) != (residual_c is None):
        raise invalid("residual_consequence" if residual_c is None else "residual_likelihood",
                      N_("Rate both residual likelihood and consequence, or neither."))
    treatment = choice(details.treatment, "treatment", Treatment, N_("Choose how the risk is "
                                                                     "treated."))
    accepted_by = text(details.accepted_by, "accepted_by", limit=MAX_NAME, single_line=True)
    accepted_on = day(details.accepted_on, "accepted_on", not_after=today)
    accepted_until = day(details.accepted_until, "accepted_until")
    if any((accepted_by, accepted_on, accepted_until)):
        if not accepted_by:
            raise invalid("accepted_by", N_("Give who accepted the risk."))
        if accepted_on is None:
            raise invalid("accepted_on", N_("Give the date of the acceptance."))
        if accepted_until is None:
            raise invalid("accepted_until", N_("Give the date the acceptance runs until."))
        if accepted_until < accepted_on:
            raise invalid("accepted_until", N_("The acceptance ends before it was given."))
    elif treatment == Treatment.ACCEPT and existing is not None and existing.is_accepted:
        raise invalid("accepted_by", N_("Keep the acceptance on record."))
    owner = person(session, details.owner_id, "owner_id", required=False)
    return {
        "title": text(details.title, "title", required=N_("Name the risk."), limit=MAX_TITLE,
                      single_line=True),
        "threat": text(details.threat, "threat", required=N_("Describe the threat.")),
        "vulnerability": text(details.vulnerability, "vulnerability"),
        "assets": text(details.assets, "assets"),
        "likelihood": likelihood, "consequence": consequence,
        "inherent_score": rules.score(likelihood, consequence),
        "treatment": treatment, "treatment_plan": text(details.treatment_plan, "treatment_plan"),
        "residual_likelihood": residual_l, "residual_consequence": residual_c,
        "residual_score": rules.score(residual_l, residual_c) if residual_l else None,
        "owner_id": owner.id if owner else None,
        "due_on": day(details.due_on, "due_on"),
        "accepted_by": accepted_by, "accepted_on": accepted_on, "accepted_until": accepted_until,
    }


def add_risk(session: Session, actor, assessment: RiskAssessment, details: RiskDetails, *,
             today: date) -> Risk:
    """Add a risk to an assessment."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    values = _check_risk(session, assessment, details, today)
    linked = controls(session, details.controls)
    risk = Risk(**values, controls=linked)
    with unit_of_work(session):
        assessment.risks.append(risk)
        session.flush()
        append(session, actor, "risk.added", risk, {
            **values, "assessment": assessment.id, "controls": [c.key for c in linked]})
    return risk


def update_risk(session: Session, actor, risk: Risk, details: RiskDetails, version: int, *,
                today: date) -> Risk:
    """Change a risk's description, ratings, treatment, owner or acceptance."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(risk, version)
    values = _check_risk(session, risk.assessment, details, today, existing=risk)
    linked = controls(session, details.controls, keep=risk.controls)
    changes = {k: [getattr(risk, k), v] for k, v in values.items() if getattr(risk, k) != v}
    before, after = [c.key for c in risk.controls], [c.key for c in linked]
    if sorted(before) != sorted(after):
        changes["controls"] = [before, after]
    if changes:
        with unit_of_work(session):
            for name, value in values.items():
                setattr(risk, name, value)
            risk.controls = linked
            action = "risk.accepted" if "accepted_on" in changes and values["accepted_on"] \
                else "risk.updated"
            append(session, actor, action, risk, changes)
    return risk


# -- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentFilter:
    """Filters of the assessment list."""

    kind: str | None = None
    status: str | None = None
    q: str | None = None


def _assessments(session: Session, actor):
    periods = scope.engagement_periods(session, actor)
    return select(RiskAssessment).where(scope.in_periods(periods, RiskAssessment.assessed_on))


def list_assessments(session: Session, actor, filters: AssessmentFilter, page: Page
                     ) -> tuple[list[RiskAssessment], int]:
    """One page of assessments with their risks: three queries."""
    require(actor, Permission.VIEW_GOVERNANCE)
    query = _assessments(session, actor)
    if filters.kind:
        query = query.where(RiskAssessment.kind == filters.kind)
    if filters.status:
        query = query.where(RiskAssessment.status == filters.status)
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(or_(RiskAssessment.title.ilike(pattern),
                                RiskAssessment.scope.ilike(pattern)))
    column = ASSESSMENT_SORTS.get(page.sort or "date", RiskAssessment.assessed_on)
    descending = page.descending if page.sort else True
    return paged(session, query.options(joinedload(RiskAssessment.owner),
                                        selectinload(RiskAssessment.risks)), page,
                 [column.desc() if descending else column.asc(), RiskAssessment.id.desc()])


def get_assessment(session: Session, actor, assessment_id: int) -> RiskAssessment:
    """One assessment with its risks, their owners and controls."""
    require(actor, Permission.VIEW_GOVERNANCE)
    assessment = session.scalar(_assessments(session, actor).where(
        RiskAssessment.id == assessment_id).options(
        joinedload(RiskAssessment.owner),
        selectinload(RiskAssessment.risks).options(
            joinedload(Risk.owner), selectinload(Risk.controls).joinedload(Control.catalogue))))
    if assessment is None:
        raise NotFound("No such risk assessment.")
    return assessment


def all_assessments(session: Session, actor) -> list[RiskAssessment]:
    """Every visible assessment, newest first, for choices."""
    require(actor, Permission.VIEW_GOVERNANCE)
    return list(session.scalars(_assessments(session, actor).order_by(
        RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())))


@dataclass(frozen=True)
class RiskFilter:
    """Filters of the risk register; `cell` is "L-C" on the inherent or residual map."""

    assessment_id: int | None = None
    treatment: str | None = None
    level: str | None = None  # inherent level
    acceptance: str | None = None  # "expired", "active"
    inherent: tuple[int, int] | None = None
    residual: tuple[int, int] | None = None
    control: str | None = None
    q: str | None = None


LEVEL_PERCENT = {"low": (0, 16), "medium": (16, 36), "high": (36, 64), "critical": (64, 100)}


def _level_clause(level: str, score_column, scale_column):
    """SQL twin of `rules.level`, in integers (no division, so no truncation on any database)."""
    low, high = LEVEL_PERCENT[level]
    area = scale_column * scale_column
    return and_(score_column * 100 > low * area, score_column * 100 <= high * area)


def _risks_query(session: Session, actor, filters: RiskFilter, today: date | None = None):
    query = select(Risk).join(RiskAssessment, RiskAssessment.id == Risk.assessment_id).where(
        scope.in_periods(scope.engagement_periods(session, actor), RiskAssessment.assessed_on))
    if filters.assessment_id:
        query = query.where(Risk.assessment_id == filters.assessment_id)
    if filters.treatment:
        query = query.where(Risk.treatment == filters.treatment)
    if filters.level in ("low", "medium", "high", "critical"):
        query = query.where(_level_clause(filters.level, Risk.inherent_score,
                                          RiskAssessment.scale))
    if filters.acceptance == "expired":
        query = query.where(Risk.accepted_until < today)
    elif filters.acceptance == "active":
        query = query.where(Risk.accepted_until >= today)
    if filters.inherent:
        query = query.where(Risk.likelihood == filters.inherent[0],
                            Risk.consequence == filters.inherent[1])
    if filters.residual:
        query = query.where(Risk.residual_likelihood == filters.residual[0],
                            Risk.residual_consequence == filters.residual[1])
    if filters.control:
        query = query.where(Risk.id.in_(select(risk_control.c.risk_id).join(
            Control, Control.id == risk_control.c.control_id).where(
            Control.key == filters.control)))
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(or_(Risk.title.ilike(pattern), Risk.threat.ilike(pattern),
                                Risk.vulnerability.ilike(pattern), Risk.assets.ilike(pattern)))
    return query


def _risk_options(query):
    return query.options(
        joinedload(Risk.assessment), joinedload(Risk.owner),
        selectinload(Risk.controls).joinedload(Control.catalogue))


def list_risks(session: Session, actor, filters: RiskFilter, page: Page, *, today: date
               ) -> tuple[list[Risk], int]:
    """One page of the risk register, highest inherent score first by default."""
    require(actor, Permission.VIEW_GOVERNANCE)
    query = _risks_query(session, actor, filters, today)
    column = RISK_SORTS.get(page.sort or "inherent", Risk.inherent_score)
    descending = page.descending if page.sort else True
    order = [column.is_(None), column.desc() if descending else column.asc(), Risk.id]
    return paged(session, _risk_options(query), page, order)


def all_risks(session: Session, actor, filters: RiskFilter, *, today: date) -> list[Risk]:
    """Every matching risk (for the XLSX export), by assessment then id."""
    require(actor, Permission.VIEW_GOVERNANCE)
    query = _risks_query(session, actor, filters, today)
    return list(session.scalars(_risk_options(query).order_by(
        RiskAssessment.assessed_on.desc(), Risk.assessment_id, Risk.id)).unique())


def get_risk(session: Session, actor, risk_id: int) -> Risk:
    """One risk with its assessment, owner and controls."""
    require(actor, Permission.VIEW_GOVERNANCE)
    risk = session.scalar(_risk_options(select(Risk).where(Risk.id == risk_id)))
    if risk is None:
        raise NotFound("No such risk.")
    get_assessment(session, actor, risk.assessment_id)  # the scope check
    return risk


@dataclass(frozen=True)
class HeatMap:
    """Counts of risks per likelihood × consequence cell, before and after treatment."""

    scale: int
    inherent: dict[tuple[int, int], int]
    residual: dict[tuple[int, int], int]

    def level(self, likelihood: int, consequence: int) -> str:
        """The band of a cell, for its colour."""
        return rules.level(likelihood, consequence, self.scale).value


def heat_map(session: Session, actor, filters: RiskFilter, *, today: date,
             scale: int) -> HeatMap:
    """Counts per cell for the risks matching `filters` on `scale`: two grouped queries.

    Risks of assessments made on another scale are left out (their cells would not fit).
    """
    require(actor, Permission.VIEW_GOVERNANCE)
    base = _risks_query(session, actor, filters, today).where(RiskAssessment.scale == scale)
    ids = base.with_only_columns(Risk.id).subquery()
    inherent = session.execute(select(Risk.likelihood, Risk.consequence, func.count())
                               .where(Risk.id.in_(select(ids.c.id)))
                               .group_by(Risk.likelihood, Risk.consequence)).all()
    residual = session.execute(select(Risk.residual_likelihood, Risk.residual_consequence,
                                      func.count())
                               .where(Risk.id.in_(select(ids.c.id)),
                                      Risk.residual_likelihood.is_not(None))
                               .group_by(Risk.residual_likelihood,
                                         Risk.residual_consequence)).all()
    return HeatMap(scale, {(l_, c): n for l_, c, n in inherent},
                   {(l_, c): n for l_, c, n in residual})


def risks_for_control(session: Session, actor, control_id: int) -> list[Risk]:
    """Risks treated by a control, highest inherent score first."""
    require(actor, Permission.VIEW_GOVERNANCE)
    return list(session.scalars(_risk_options(_risks_query(session, actor, RiskFilter()))
                                .where(Risk.id.in_(select(risk_control.c.risk_id).where(
                                    risk_control.c.control_id == control_id)))
                                .order_by(Risk.inherent_score.desc(), Risk.id)).unique())


@dataclass(frozen=True)
class RiskSummary:
    """Dashboard figures."""

    high: int  # high or critical residual (or inherent where no residual is rated)
    expired_acceptances: int
    treatments_overdue: int


def summary(session: Session, actor, *, today: date) -> RiskSummary:
    """Risk figures for the dashboard: one query."""
    query = _risks_query(session, actor, RiskFilter(), today)
    effective = func.coalesce(Risk.residual_score, Risk.inherent_score)
    high = effective * 100 > 36 * RiskAssessment.scale * RiskAssessment.scale
    subquery = query.with_only_columns(
        func.sum(_case(high)), func.sum(_case(Risk.accepted_until < today)),
        func.sum(_case(and_(Risk.due_on < today, Risk.treatment == Treatment.REDUCE,
                            Risk.residual_score.is_(None)))))
    high, expired, overdue = session.execute(subquery).one()
    return RiskSummary(int(high or 0), int(expired or 0), int(overdue or 0))


def _case(condition):
    return case((condition, 1), else_=0)
