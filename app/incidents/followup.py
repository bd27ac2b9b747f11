"""After the incident: the chair, corrective actions, the outage report, closing, reopening.

Policy §14: the chair of the security committee is told of every incident, and for a major
outage IT reports to top management on consequences, causes and solutions. The report is
kept as evidence through the evidence service (the one file store): a file when one is
uploaded, otherwise a note holding the three parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..audits.models import Deviation
from ..auth.models import User
from ..auth.permissions import Permission
from ..db import utcnow
from ..evidence import service as evidence_service
from ..ledger.service import append
from . import checks
from .checks import N_, conflict, invalid
from .models import CorrectiveAction, Incident, Status, SubjectsDecision
from .service import commit, require

DEFAULT_REPORT_CONTROL = "iso27001-2022:A.5.26"  # response to information security incidents


@dataclass(frozen=True)
class ActionDetails:
    """A corrective action: what, who, by when, done when, and the finding it belongs to."""

    description: str
    owner_id: int | None = None
    due_on: date | None = None
    done_on: date | None = None
    deviation_id: int | None = None


def _action_values(session: Session, details: ActionDetails, today: date) -> dict:
    values = {"description": checks.text(details.description, "description",
                                         N_("Say what will be done."), limit=5000),
              "due_on": details.due_on, "deviation_id": None, "owner_id": None}
    if details.due_on is not None and not checks.EARLIEST <= details.due_on <= checks.LATEST:
        raise invalid("due_on", N_("Give a date between 1990 and 2100."))
    values["done_on"] = checks.day(details.done_on, "done_on", today)
    if details.owner_id:
        owner = session.get(User, details.owner_id)
        if owner is None or not owner.active:
            raise invalid("owner_id", N_("Choose an active user of the organisation."))
        values["owner_id"] = owner.id
    if details.deviation_id:
        if session.get(Deviation, details.deviation_id) is None:
            raise invalid("deviation_id", N_("There is no finding #%(id)s."),
                          id=details.deviation_id)
        values["deviation_id"] = details.deviation_id
    return values


def add_action(session: Session, actor, incident: Incident, details: ActionDetails,
               version: int | None, *, today: date) -> CorrectiveAction:
    """Add a corrective action to the incident."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    values = _action_values(session, details, today)
    action = CorrectiveAction(**values)
    try:
        incident.actions.append(action)
        incident.updated_at = utcnow()
        session.flush()
        append(session, actor, "incident.action_added", incident, {"action": action.id,
                                                                   **values})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return action


def update_action(session: Session, actor, incident: Incident, action_id: int,
                  details: ActionDetails, version: int | None, *,
                  today: date) -> CorrectiveAction:
    """Change a corrective action: its text, owner, due date, finding, or mark it done."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    action = next((a for a in incident.actions if a.id == action_id), None)
    if action is None:
        raise invalid(None, N_("This action does not belong to the incident."))
    values = _action_values(session, details, today)
    changes = {name: [getattr(action, name), value] for name, value in values.items()
               if getattr(action, name) != value}
    if not changes:
        return action
    try:
        for name, value in values.items():
            setattr(action, name, value)
        incident.updated_at = utcnow()
        append(session, actor, "incident.action_updated", incident, {"action": action.id,
                                                                     **changes})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return action


@dataclass(frozen=True)
class OutageReport:
    """IT's report to top management: when, and its three parts; a file is optional."""

    reported_on: date | None
    consequences: str | None
    causes: str | None
    solutions: str | None
    upload: evidence_service.Upload | None = None


def report_text(report: OutageReport) -> str:
    """The note's text: the three parts under their headings."""
    return (f"Consequences\n{report.consequences}\n\nCauses\n{report.causes}\n\n"
            f"Solutions\n{report.solutions}")


def attach_management_report(session: Session, actor, incident: Incident, report: OutageReport,
                             settings: evidence_service.EvidenceSettings, version: int | None,
                             *, today: date) -> Incident:
    """Keep the outage report to top management as evidence and link it to the incident.

    Everything on the incident side is checked first; the evidence service then stores the
    file (or note) and commits it with its own ledger entry; the link follows.
    """
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    if not incident.major_outage:
        raise conflict(N_("Only a major outage is reported to top management; mark the "
                          "incident as one first."))
    reported_on = checks.day(report.reported_on, "reported_on", today,
                             required=N_("Give the date the report went to top management."),
                             not_before=incident.detected_on)
    parts = {name: checks.text(getattr(report, name), name, message)
             for name, message in (("consequences", N_("Describe the consequences.")),
                                   ("causes", N_("Describe the causes.")),
                                   ("solutions", N_("Describe the solutions.")))}
    report = OutageReport(reported_on, upload=report.upload, **parts)
    keys = [c.key for c in incident.controls] or [DEFAULT_REPORT_CONTROL]
    details = evidence_service.EvidenceDetails(
        title=f"Outage report to top management: incident #{incident.id} {incident.title}"[:300],
        controls=keys, period_start=reported_on, description=report_text(report),
        tags=["incident", "outage report"])
    incident_id, previous = incident.id, incident.management_report_id
    if report.upload is not None:
        evidence = evidence_service.add_file_evidence(session, actor, settings, details,
                                                      report.upload)
    else:
        evidence = evidence_service.add_note_evidence(session, actor, details)
    incident = session.get(Incident, incident_id)
    try:
        incident.management_report_id = evidence.id
        append(session, actor, "incident.management_report", incident, {
            "evidence": [previous, evidence.id], "reported_on": reported_on})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


# --- the chair, closing and reopening ------------------------------------------------------

def record_chair_informed(session: Session, actor, incident: Incident, informed_on: date | None,
                          informed_by_id: int | None, version: int | None, *,
                          today: date) -> Incident:
    """Record the date the chair of the security committee was told, and who told them."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    informed_on = checks.day(informed_on, "informed_on", today,
                             required=N_("Give the date the chair was informed."),
                             not_before=incident.detected_on)
    informer = session.get(User, informed_by_id) if informed_by_id else None
    if informed_by_id and (informer is None or not informer.active):
        raise invalid("informed_by_id", N_("Choose an active user of the organisation."))
    informer_id = informer.id if informer else getattr(actor, "id", None)
    changes = {}
    if incident.chair_informed_on != informed_on:
        changes["chair_informed_on"] = [incident.chair_informed_on, informed_on]
    if incident.chair_informed_by_id != informer_id:
        changes["chair_informed_by_id"] = [incident.chair_informed_by_id, informer_id]
    if not changes:
        return incident
    incident.chair_informed_on, incident.chair_informed_by_id = informed_on, informer_id
    try:
        append(session, actor, "incident.chair_informed", incident, changes)
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


def missing_for_close(incident: Incident) -> list[str]:
    """What the record still lacks before the incident can be closed (English templates)."""
    missing = []
    if incident.personal_data_breach is None:
        missing.append(N_("the decision whether it is a personal-data breach"))
    elif not incident.breach_reason:
        missing.append(N_("the reason for the breach decision"))
    if incident.chair_informed_on is None:
        missing.append(N_("the date the chair of the security committee was informed"))
    if not incident.root_cause:
        missing.append(N_("the root cause"))
    if incident.major_outage and incident.management_report_id is None:
        missing.append(N_("the report to top management on the outage"))
    if any(clock.is_running for _controller, clock in incident.clocks()):
        missing.append(N_("the notification of the breach"))
    if incident.is_breach and incident.subjects_decision == SubjectsDecision.PENDING:
        missing.append(N_("the decision whether to inform the data subjects"))
    if incident.subjects_decision == SubjectsDecision.INFORM and not (
            incident.subjects_informed_at):
        missing.append(N_("when the data subjects were informed"))
    return missing


def close_incident(session: Session, actor, incident: Incident, version: int | None, *,
                   today: date) -> Incident:
    """Close a complete record; what is missing is named if it is not."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not close incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    missing = missing_for_close(incident)
    if missing:
        error = conflict(N_("The incident cannot be closed yet. Missing: %(missing)s."),
                         missing="; ".join(missing))
        error.missing = missing
        raise error
    incident.status, incident.closed_on = Status.CLOSED.value, today
    try:
        append(session, actor, "incident.closed", incident, {"closed_on": today})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


def reopen_incident(session: Session, actor, incident: Incident, reason: str | None,
                    version: int | None) -> Incident:
    """Reopen a closed incident, saying why."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not reopen incidents."))
    checks.version(incident.version, version)
    if not incident.is_closed:
        raise conflict(N_("This incident is not closed."))
    reason = checks.text(reason, "reason", N_("Say why the incident is reopened."))
    try:
        append(session, actor, "incident.reopened", incident, {
            "closed_on": incident.closed_on, "reason": reason})
        incident.status, incident.closed_on = Status.INVESTIGATING.value, None
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident
