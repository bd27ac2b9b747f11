"""Following up sub-processors: yearly auditor's statements and risk-based follow-ups (F.6).

A statement covers one year of processing and is due by 31 December of the following year; it
lists observations (significance, the sub-processor's comment, a remediation deadline) or says
explicitly that there were none. Other follow-ups (inspection, meeting, questionnaire, review of
the statement) fall due by the sub-processor's risk rating (rules.FollowUpRule).

Files are stored as evidence for activity F.6 after every other check passed (checks.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..auth.models import User
from ..auth.permissions import Role
from ..db import utcnow
from ..ledger.service import append
from . import rules
from .checks import (
    N_,
    Upload,
    VendorContext,
    check_version,
    choice,
    day,
    existing_evidence,
    invalid,
    not_future,
    optional_text,
    require_follow_up,
    store_file,
    text,
    unit_of_work,
)
from .models import (
    AuditorStatement,
    FollowUp,
    FollowUpKind,
    Opinion,
    Significance,
    StatementObservation,
    StatementType,
    SubProcessor,
)
from .service import refresh_due_dates

FOLLOW_UP_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER, Role.INTERNAL_AUDITOR)


@dataclass(frozen=True)
class ObservationDetails:
    """One observation listed with a statement."""

    description: str
    significance: str
    comment: str | None = None
    remediation_due: date | None = None


@dataclass(frozen=True)
class StatementDetails:
    """What is recorded about an auditor's statement."""

    year: int | None
    received_on: date | None
    opinion: str | None
    observations: Sequence[ObservationDetails] = ()
    no_observations: bool = False
    statement_type: str | None = None
    period_start: date | None = None  # default: 1 January of `year`
    period_end: date | None = None  # default: 31 December of `year`
    evidence_id: int | None = None  # an evidence item already stored (the API)


@dataclass(frozen=True)
class FollowUpDetails:
    """What is recorded about a follow-up."""

    kind: str | None
    performed_on: date | None
    conclusion: str | None
    performed_by_id: int | None = None  # default: the actor
    controllers_informed_on: date | None = None
    evidence_id: int | None = None


def _check_statement(sp: SubProcessor, details: StatementDetails, today: date,
                     existing: AuditorStatement | None) -> dict:
    year = details.year
    last = sp.end_date.year if sp.end_date else today.year
    if year is None or not rules.FIRST_YEAR <= year <= rules.LAST_YEAR:
        raise invalid("year", N_("Give the year of processing the statement covers."))
    if not sp.start_date.year <= year <= last:
        raise invalid("year", N_("Choose a year of processing, from %(first)d to %(last)d."),
                      first=sp.start_date.year, last=last)
    if any(s.year == year and s is not existing for s in sp.statements):
        raise invalid("year", N_("A statement for %(year)d is already recorded; edit it "
                                 "instead."), year=year)
    received = day("received_on", details.received_on,
                   N_("Give the date the statement was received."))
    not_future("received_on", received, today)
    start = day("period_start", details.period_start) or date(year, 1, 1)
    end = day("period_end", details.period_end) or date(year, 12, 31)
    if end < start:
        raise invalid("period_end", N_("The period ends before it starts."))
    if start.year > year or end.year < year:
        raise invalid("period_start", N_("The period covered must include %(year)d."),
                      year=year)
    if received < start:
        raise invalid("received_on", N_("The statement cannot be received before the period "
                                        "it covers begins."))
    opinion = choice("opinion", details.opinion, Opinion,
                     N_("Choose the auditor's opinion: unqualified or qualified."))
    kind = None
    if details.statement_type:
        kind = choice("statement_type", details.statement_type, StatementType,
                      N_("Choose the type of statement."))
    observations = [_check_observation(index, item)
                    for index, item in enumerate(details.observations)]
    if details.no_observations and observations:
        raise invalid("no_observations", N_("You stated there were no observations but listed "
                                            "some; keep one or the other."))
    if not details.no_observations and not observations:
        raise invalid("observations", N_("List the statement's observations, or record that it "
                                         "states explicitly there were none."))
    return {"year": year, "received_on": received, "statement_type": kind,
            "period_start": start, "period_end": end, "opinion": opinion,
            "no_observations": bool(details.no_observations), "observations": observations}


def _check_observation(index: int, item: ObservationDetails) -> dict:
    name = f"observations.{index}"
    return {
        "position": index,
        "description": text(f"{name}.description", item.description,
                            N_("Describe the observation.")),
        "significance": choice(f"{name}.significance", item.significance, Significance,
                               N_("Choose the observation's significance.")),
        "comment": optional_text(f"{name}.comment", item.comment),
        "remediation_due": day(f"{name}.remediation_due", item.remediation_due),
    }


def _statement_file(session, actor, ctx, sp, values, upload, evidence_id):
    if upload is not None:
        return store_file(session, actor, ctx, upload, code="F.6",
                          period=(values["period_start"], values["period_end"]),
                          title=f"Auditor's statement {values['year']}: {sp.name}")
    return existing_evidence(session, actor, evidence_id)


def _facts(values: dict) -> dict:
    return {**{k: v for k, v in values.items() if k != "observations"},
            "observations": [{k: v for k, v in o.items() if k != "position"}
                             for o in values["observations"]]}


def record_statement(session: Session, actor, sp: SubProcessor, details: StatementDetails,
                     ctx: VendorContext, upload: Upload | None = None) -> AuditorStatement:
    """Record a year's auditor's statement (and store its file as F.6 evidence)."""
    require_follow_up(session, actor)
    values = _check_statement(sp, details, ctx.today, None)
    evidence = _statement_file(session, actor, ctx, sp, values, upload, details.evidence_id)
    observations = values.pop("observations")
    statement = AuditorStatement(
        **values, evidence_id=evidence.id if evidence else None,
        recorded_by_id=actor.id if isinstance(actor, User) else None,
        observations=[StatementObservation(**o) for o in observations])
    with unit_of_work(session):
        sp.statements.append(statement)
        refresh_due_dates(sp, ctx)
        session.flush()
        append(session, actor, "subprocessor_statement.recorded", statement, {
            "subprocessor": sp.id, **_facts({**values, "observations": observations}),
            "evidence": statement.evidence_id, "late": statement.is_late})
    return statement


def update_statement(session: Session, actor, statement: AuditorStatement,
                     details: StatementDetails, version: int, ctx: VendorContext,
                     upload: Upload | None = None) -> AuditorStatement:
    """Correct a recorded statement; its observations are replaced by the ones given."""
    require_follow_up(session, actor)
    check_version(statement, version, "statement")
    sp = statement.subprocessor
    values = _check_statement(sp, details, ctx.today, statement)
    evidence = _statement_file(session, actor, ctx, sp, values, upload,
                               details.evidence_id or statement.evidence_id)
    observations = values.pop("observations")
    before = _facts({**{k: getattr(statement, k) for k in values}, "observations": [
        {"description": o.description, "significance": o.significance, "comment": o.comment,
         "remediation_due": o.remediation_due} for o in statement.observations]})
    after = _facts({**values, "observations": observations})
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if evidence is not None and evidence.id != statement.evidence_id:
        changes["evidence"] = [statement.evidence_id, evidence.id]
    if not changes:
        return statement
    with unit_of_work(session, "statement"):
        for name, value in values.items():
            setattr(statement, name, value)
        statement.evidence_id = evidence.id if evidence else None
        if "observations" in changes:
            statement.observations = [StatementObservation(**o) for o in observations]
        statement.updated_at = utcnow()  # bumps the version when only observations change
        refresh_due_dates(sp, ctx)
        append(session, actor, "subprocessor_statement.updated", statement,
               {"subprocessor": sp.id, **changes})
    return statement


def _performer(session: Session, actor, performed_by_id: int | None) -> int | None:
    if not performed_by_id:
        return actor.id if isinstance(actor, User) else None
    user = session.get(User, performed_by_id)
    if user is None or not user.active or user.role not in {r.value for r in FOLLOW_UP_ROLES}:
        raise invalid("performed_by_id", N_("Choose an active user of the organisation."))
    return user.id


def _check_follow_up(session: Session, actor, sp: SubProcessor, details: FollowUpDetails,
                     today: date) -> dict:
    kind = choice("kind", details.kind, FollowUpKind, N_("Choose the kind of follow-up."))
    performed = not_future("performed_on", day("performed_on", details.performed_on, N_(
        "Give the date of the follow-up.")), today)
    if performed < sp.start_date.replace(year=max(rules.FIRST_YEAR, sp.start_date.year - 1)):
        raise invalid("performed_on", N_("The follow-up is more than a year before the "
                                         "processing started."))
    informed = day("controllers_informed_on", details.controllers_informed_on)
    if informed is not None:
        not_future("controllers_informed_on", informed, today)
        if informed < performed:
            raise invalid("controllers_informed_on", N_("The controllers cannot be told before "
                                                        "the follow-up took place."))
    return {"kind": kind, "performed_on": performed,
            "performed_by_id": _performer(session, actor, details.performed_by_id),
            "conclusion": text("conclusion", details.conclusion,
                               N_("Write the conclusion of the follow-up.")),
            "controllers_informed_on": informed}


def _follow_up_file(session, actor, ctx, sp, values, upload, evidence_id):
    if upload is not None:
        return store_file(session, actor, ctx, upload, code="F.6",
                          period=(values["performed_on"], values["performed_on"]),
                          title=f"Follow-up ({values['kind'].replace('_', ' ')}): {sp.name}")
    return existing_evidence(session, actor, evidence_id)


def record_follow_up(session: Session, actor, sp: SubProcessor, details: FollowUpDetails,
                     ctx: VendorContext, upload: Upload | None = None) -> FollowUp:
    """Record an inspection, meeting, questionnaire or statement review."""
    require_follow_up(session, actor)
    values = _check_follow_up(session, actor, sp, details, ctx.today)
    evidence = _follow_up_file(session, actor, ctx, sp, values, upload, details.evidence_id)
    follow_up = FollowUp(**values, evidence_id=evidence.id if evidence else None,
                         recorded_by_id=actor.id if isinstance(actor, User) else None)
    with unit_of_work(session):
        sp.follow_ups.append(follow_up)
        refresh_due_dates(sp, ctx)
        session.flush()
        append(session, actor, "subprocessor_follow_up.recorded", follow_up, {
            "subprocessor": sp.id, **values, "evidence": follow_up.evidence_id,
            "next_follow_up_due": sp.next_follow_up_due})
    return follow_up


def update_follow_up(session: Session, actor, follow_up: FollowUp, details: FollowUpDetails,
                     version: int, ctx: VendorContext,
                     upload: Upload | None = None) -> FollowUp:
    """Correct a recorded follow-up."""
    require_follow_up(session, actor)
    check_version(follow_up, version, "follow-up")
    sp = follow_up.subprocessor
    values = _check_follow_up(session, actor, sp, details, ctx.today)
    if not details.performed_by_id:
        values["performed_by_id"] = follow_up.performed_by_id
    evidence = _follow_up_file(session, actor, ctx, sp, values, upload,
                               details.evidence_id or follow_up.evidence_id)
    values["evidence_id"] = evidence.id if evidence else None
    changes = {k: [getattr(follow_up, k), v] for k, v in values.items()
               if getattr(follow_up, k) != v}
    if not changes:
        return follow_up
    with unit_of_work(session, "follow-up"):
        for name, value in values.items():
            setattr(follow_up, name, value)
        refresh_due_dates(sp, ctx)
        append(session, actor, "subprocessor_follow_up.updated", follow_up,
               {"subprocessor": sp.id, **changes})
    return follow_up
