"""Adoptions of new technology through the gate of policy §10.

Draft → risk assessed → impact analysed (a DPIA when personal data are processed) → presented
to top management (date and minutes as evidence) → approved or rejected → in use. Each step is
recorded by its own function and moves the status as far as the recorded steps allow
(`rules.reached_status`); "in use" is asked for explicitly and refused, naming every missing
step, until all of them exist (`GateRefused`, a 409 problem with `missing` in the API).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from ..auth import scope
from ..auth.permissions import Permission, require
from ..db import utcnow
from ..errors import Conflict, NotFound
from ..ledger.service import append
from . import rules
from .common import (
    MAX_NAME,
    MAX_TITLE,
    N_,
    Page,
    Settings,
    Upload,
    choice,
    day,
    fresh,
    invalid,
    paged,
    person,
    stored_minutes,
    text,
    unit_of_work,
)
from .models.adoptions import Category, TechnologyAdoption
from .models.risks import RiskAssessment
from .rules import AdoptionStatus, Step

SORTS = {"title": TechnologyAdoption.title, "status": TechnologyAdoption.status,
         "started": TechnologyAdoption.started_on, "updated": TechnologyAdoption.updated_at}
STEP_TEXT = {
    Step.RISK_ASSESSMENT: "a risk assessment",
    Step.IMPACT_ANALYSIS: "an impact analysis",
    Step.DPIA: "a DPIA (personal data are processed)",
    Step.MANAGEMENT_PRESENTATION: "the presentation to top management, with minutes",
    Step.MANAGEMENT_APPROVAL: "top management's approval",
}


class GateRefused(Conflict):
    """The adoption may not move to the status asked for: `missing` names the absent steps."""

    def __init__(self, target: str, missing: list[Step]):
        self.target = target
        self.missing = [step.value for step in missing]
        super().__init__(f"“{target}” needs {', '.join(STEP_TEXT[s] for s in missing)} first.")


@dataclass(frozen=True)
class AdoptionDetails:
    """What is said about an adoption."""

    title: str
    categories: Sequence[str]
    personal_data: bool
    owner_id: int | None
    description: str | None = None


def _check(session: Session, details: AdoptionDetails) -> dict:
    categories = [str(c) for c in details.categories or ()]
    if not categories:
        raise invalid("categories", N_("Choose at least one category."))
    unknown = [c for c in categories if c not in Category._value2member_map_]
    if unknown:
        raise invalid("categories", N_("Unknown category %(items)s."), items=", ".join(unknown))
    return {"title": text(details.title, "title", required=N_("Name the technology."),
                          limit=MAX_TITLE, single_line=True),
            "categories": [c.value for c in Category if c.value in categories],
            "personal_data": bool(details.personal_data),
            "owner_id": person(session, details.owner_id, "owner_id").id,
            "description": text(details.description, "description")}


def create_adoption(session: Session, actor, details: AdoptionDetails, *, today: date
                    ) -> TechnologyAdoption:
    """Register new technology someone wants to use; it starts as a draft."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    values = _check(session, details)
    adoption = TechnologyAdoption(**values, started_on=today,
                                  status=AdoptionStatus.DRAFT.value)
    with unit_of_work(session):
        session.add(adoption)
        append(session, actor, "adoption.created", adoption, {**values, "status": "draft"})
    return adoption


def update_adoption(session: Session, actor, adoption: TechnologyAdoption,
                    details: AdoptionDetails, version: int) -> TechnologyAdoption:
    """Change an adoption's description; turning on personal data may require a DPIA."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(adoption, version)
    _open(adoption)
    values = _check(session, details)
    changes = {k: [getattr(adoption, k), v] for k, v in values.items()
               if getattr(adoption, k) != v}
    if changes:
        with unit_of_work(session):
            for name, value in values.items():
                setattr(adoption, name, value)
            _advance(adoption, changes)
            append(session, actor, "adoption.updated", adoption, changes)
    return adoption


def _open(adoption: TechnologyAdoption) -> None:
    if adoption.status in (AdoptionStatus.IN_USE, AdoptionStatus.REJECTED):
        raise Conflict(f"The adoption is {adoption.status.replace('_', ' ')}; its steps are "
                       "closed.")


def _advance(adoption: TechnologyAdoption, changes: dict) -> None:
    """Set the status the recorded steps support (never "in use", which is asked for)."""
    status = rules.reached_status(adoption.facts).value
    if status != adoption.status:
        changes["status"] = [adoption.status, status]
        adoption.status = status
    adoption.closed_on = adoption.decided_on if status == AdoptionStatus.REJECTED else None
    adoption.updated_at = utcnow()


def _assessment(session: Session, assessment_id: int | None, name: str) -> RiskAssessment:
    assessment = session.get(RiskAssessment, assessment_id) if assessment_id else None
    if assessment is None:
        raise invalid(name, N_("Choose a risk assessment."))
    return assessment


def record_risk_assessment(session: Session, actor, adoption: TechnologyAdoption,
                           assessment_id: int | None, version: int | None = None
                           ) -> TechnologyAdoption:
    """Link the risk assessment of the technology (step 1)."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(adoption, version)
    _open(adoption)
    assessment = _assessment(session, assessment_id, "risk_assessment_id")
    changes = {"risk_assessment": [adoption.risk_assessment_id, assessment.id]}
    with unit_of_work(session):
        adoption.risk_assessment = assessment
        session.flush()
        _advance(adoption, changes)
        append(session, actor, "adoption.risk_assessed", adoption, changes)
    return adoption


def record_impact_analysis(session: Session, actor, adoption: TechnologyAdoption, *,
                           assessment_id: int | None, summary: str | None,
                           version: int | None = None) -> TechnologyAdoption:
    """Record the impact analysis (step 2).

    A DPIA assessment when personal data are processed, otherwise an assessment or a written
    analysis.
    """
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(adoption, version)
    _open(adoption)
    summary = text(summary, "impact_summary")
    assessment = _assessment(session, assessment_id, "impact_assessment_id") if (
        assessment_id or adoption.personal_data or not summary) else None
    if adoption.personal_data and assessment.kind != "dpia":
        raise invalid("impact_assessment_id", N_("Personal data are processed: choose a DPIA "
                                                 "(an assessment of the kind DPIA)."))
    changes = {"impact_assessment": [adoption.impact_assessment_id,
                                     assessment.id if assessment else None],
               "impact_summary": summary}
    with unit_of_work(session):
        adoption.impact_assessment = assessment
        adoption.impact_summary = summary
        session.flush()
        _advance(adoption, changes)
        append(session, actor, "adoption.impact_analysed", adoption, changes)
    return adoption


def record_presentation(session: Session, actor, settings: Settings,
                        adoption: TechnologyAdoption, *, presented_on: date | None,
                        minutes: Upload | None, today: date, version: int | None = None
                        ) -> TechnologyAdoption:
    """Record the presentation to top management (step 3), with its minutes as evidence.

    The minutes are evidence of extension control X.13 (or ISO A.5.8 without the extensions).
    """
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(adoption, version)
    _open(adoption)
    presented_on = day(presented_on, "presented_on", required=N_("Give the date of the "
                                                                 "presentation."),
                       not_after=today)
    if minutes is None and adoption.minutes_evidence_id is None:
        raise invalid("minutes", N_("Attach the minutes of the meeting."))
    missing = [s for s in rules.missing_steps(adoption.facts, AdoptionStatus.PRESENTED)
               if s != Step.MANAGEMENT_PRESENTATION]
    if missing:
        raise GateRefused(AdoptionStatus.PRESENTED.value, missing)
    stored = stored_minutes(session, actor, settings, minutes,
                            f"Minutes: top management on {adoption.title}", presented_on,
                            _gate_controls(session))
    changes = {"presented_on": presented_on, "minutes": stored.id if stored else None}
    with unit_of_work(session):
        adoption.presented_on = presented_on
        if stored is not None:
            adoption.minutes = stored
        session.flush()
        _advance(adoption, changes)
        append(session, actor, "adoption.presented", adoption, changes)
    return adoption


GATE_CONTROL_KEYS = ("soa-extensions:X.13", "iso27001-2022:A.5.8")


def _gate_controls(session: Session) -> list[str]:
    from ..catalogue.models import Control

    found = set(session.scalars(select(Control.key).where(Control.key.in_(GATE_CONTROL_KEYS),
                                                          Control.retired_at.is_(None))))
    return [key for key in GATE_CONTROL_KEYS if key in found][:1]


def record_decision(session: Session, actor, adoption: TechnologyAdoption, *, decision: str,
                    decided_on: date | None, decided_by: str | None, notes: str | None,
                    today: date, version: int | None = None) -> TechnologyAdoption:
    """Record top management's decision (step 4): approved or rejected."""
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(adoption, version)
    _open(adoption)
    decision = choice(decision, "decision", ("approved", "rejected"),
                      N_("Choose approved or rejected."))
    decided_on = day(decided_on, "decided_on", required=N_("Give the date of the decision."),
                     not_after=today)
    decided_by = text(decided_by, "decided_by", required=N_("Give who decided."),
                      limit=MAX_NAME, single_line=True)
    missing = [s for s in rules.missing_steps(adoption.facts, AdoptionStatus.APPROVED)
               if s != Step.MANAGEMENT_APPROVAL]
    if missing:
        raise GateRefused(decision, missing)
    if adoption.presented_on and decided_on < adoption.presented_on:
        raise invalid("decided_on", N_("The decision cannot come before the presentation."))
    changes = {"decision": decision, "decided_on": decided_on, "decided_by": decided_by}
    with unit_of_work(session):
        adoption.decision, adoption.decided_on, adoption.decided_by = (
            decision, decided_on, decided_by)
        adoption.decision_notes = text(notes, "decision_notes")
        _advance(adoption, changes)
        append(session, actor, "adoption.decided", adoption, changes)
    return adoption


def set_status(session: Session, actor, adoption: TechnologyAdoption, status: str, *,
               today: date, version: int | None = None) -> TechnologyAdoption:
    """Move an adoption to `status`; refused with the missing steps until they all exist.

    "in_use" is the one status only this function sets; the others follow the recorded steps,
    so asking for them succeeds only when the steps are already there.
    """
    require(actor, Permission.MANAGE_GOVERNANCE)
    fresh(adoption, version)
    status = choice(status, "status", AdoptionStatus, N_("Choose a status of the gate."))
    if status == adoption.status:
        return adoption
    if adoption.status == AdoptionStatus.IN_USE:
        raise Conflict("The technology is already in use.")
    if adoption.decision == "rejected" and status != AdoptionStatus.REJECTED:
        raise Conflict("Top management rejected this technology; it cannot be taken into use.")
    missing = rules.missing_steps(adoption.facts, status)
    if missing:
        raise GateRefused(status, missing)
    if status != AdoptionStatus.IN_USE and status != rules.reached_status(adoption.facts):
        raise Conflict(f"The recorded steps put the adoption at “{adoption.status}”; record or "
                       "change the steps instead.")
    changes = {"status": [adoption.status, status]}
    with unit_of_work(session):
        adoption.status = status
        if status == AdoptionStatus.IN_USE:
            adoption.in_use_from = today
            changes["in_use_from"] = today
        adoption.updated_at = utcnow()
        append(session, actor, "adoption.status", adoption, changes)
    return adoption


# -- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdoptionFilter:
    """Filters of the adoption list."""

    status: str | None = None
    category: str | None = None
    q: str | None = None


def _scoped(session: Session, actor):
    periods = scope.engagement_periods(session, actor)
    return select(TechnologyAdoption).where(scope.in_periods(
        periods, TechnologyAdoption.started_on, TechnologyAdoption.closed_on))


def list_adoptions(session: Session, actor, filters: AdoptionFilter, page: Page
                   ) -> tuple[list[TechnologyAdoption], int]:
    """One page of adoptions: a fixed number of queries."""
    require(actor, Permission.VIEW_GOVERNANCE)
    query = _scoped(session, actor)
    if filters.status:
        query = query.where(TechnologyAdoption.status == filters.status)
    if filters.category in Category._value2member_map_:
        # JSON lists are stored as text on both databases; the quoted value cannot collide.
        from sqlalchemy import String, cast

        query = query.where(cast(TechnologyAdoption.categories, String).like(
            f'%"{filters.category}"%'))
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(or_(TechnologyAdoption.title.ilike(pattern),
                                TechnologyAdoption.description.ilike(pattern)))
    column = SORTS.get(page.sort or "updated", TechnologyAdoption.updated_at)
    descending = page.descending if page.sort else True
    return paged(session, query.options(joinedload(TechnologyAdoption.owner),
                                        joinedload(TechnologyAdoption.impact_assessment)), page,
                 [column.desc() if descending else column.asc(), TechnologyAdoption.id.desc()])


def get_adoption(session: Session, actor, adoption_id: int) -> TechnologyAdoption:
    """One adoption with its assessments and minutes."""
    require(actor, Permission.VIEW_GOVERNANCE)
    adoption = session.scalar(_scoped(session, actor).where(
        TechnologyAdoption.id == adoption_id).options(
        joinedload(TechnologyAdoption.owner), joinedload(TechnologyAdoption.risk_assessment),
        joinedload(TechnologyAdoption.impact_assessment),
        joinedload(TechnologyAdoption.minutes)))
    if adoption is None:
        raise NotFound("No such technology adoption.")
    return adoption


def waiting(session: Session, actor) -> int:
    """Adoptions still on their way through the gate."""
    from sqlalchemy import func

    return int(session.scalar(_scoped(session, actor).with_only_columns(func.count()).where(
        TechnologyAdoption.status.not_in(["in_use", "rejected", "approved"]))) or 0)
