"""The incident register's writers: report, register, qualify and edit.

Anyone who may report records what happened and when it was noticed; the coordinator
qualifies it (decides whether it is a personal-data breach, who decided and why, when we
became aware, our role). The controllers to tell and the notifications live in
`notifications.py`; informing the chair, corrective actions, the outage report, closing and
reopening in `followup.py`.

Every public writer is one unit of work: permission → validation → write → ledger → commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..auth.permissions import Permission, Role, can
from ..catalogue.models import Control
from ..db import committed, utcnow
from ..ledger.service import append
from . import checks, clocks
from .checks import N_, conflict, forbidden, invalid
from .models import Category, Incident, IncidentController, Severity, Status
from .models import Role as IncidentRole

DECIDER_ROLES = (Role.ADMIN.value, Role.COORDINATOR.value, Role.INTERNAL_AUDITOR.value,
                 Role.CONTROL_OWNER.value)


def require(actor, permission: Permission, template: str) -> None:
    """Raise a translatable Forbidden unless the actor holds `permission`."""
    if not can(actor, permission):
        raise forbidden(template)


def commit(session: Session) -> None:
    """Commit, turning a concurrent edit into a Conflict; roll back on any error."""
    with committed(session, lambda: conflict(N_("Someone else changed this incident at the "
                                                "same time. Reload and try again."))):
        pass


# --- reporting ---------------------------------------------------------------------------

@dataclass(frozen=True)
class IncidentReport:
    """The short report anyone may make: what happened and when it was noticed."""

    title: str
    description: str
    detected_at: datetime | None
    personal_data: bool | None = None


def report_incident(session: Session, actor, report: IncidentReport, *, tz: ZoneInfo,
                    now: datetime | None = None) -> Incident:
    """Register a reported incident; the coordinator qualifies it afterwards."""
    require(actor, Permission.REPORT_INCIDENT, N_("You may not report incidents."))
    now = now or utcnow()
    incident = Incident(
        title=checks.title(report.title),
        description=checks.text(report.description, "description",
                                N_("Describe what happened and what you noticed.")),
        detected_at=checks.instant(report.detected_at, "detected_at", now,
                                   required=N_("Say when it was noticed.")),
        personal_data=report.personal_data, status=Status.REPORTED.value,
        reported_by_id=getattr(actor, "id", None))
    incident.detected_on = clocks.in_zone(incident.detected_at, tz).date()
    try:
        session.add(incident)
        append(session, actor, "incident.reported", incident, {
            "title": incident.title, "detected_at": incident.detected_at,
            "personal_data": incident.personal_data})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


# --- qualifying and editing ----------------------------------------------------------------

@dataclass(frozen=True)
class IncidentDetails:
    """Everything the coordinator records about an incident (the edit form, the API)."""

    title: str
    description: str
    detected_at: datetime | None
    severity: str | None = None
    category: str | None = None
    occurred_at: datetime | None = None
    became_aware_at: datetime | None = None
    personal_data: bool | None = None
    personal_data_breach: bool | None = None
    breach_decided_by_id: int | None = None  # empty: the actor
    breach_reason: str | None = None
    role: str = IncidentRole.CONTROLLER.value
    controller_notice_hours: int | None = None
    affected_systems: str | None = None
    affected_processing: str | None = None
    root_cause: str | None = None
    controls: Sequence[str] = ()
    major_outage: bool = False
    microdata_users: str | None = None
    microdata_project: str | None = None


def _controls(session: Session, keys: Sequence[str]) -> list[Control]:
    wanted = list(dict.fromkeys(k.strip() for k in keys if k and k.strip()))[:100]
    if not wanted:
        return []
    found = {c.key: c for c in session.scalars(select(Control).where(Control.key.in_(wanted)))}
    unknown = [key for key in wanted if key not in found]
    if unknown:
        raise invalid("controls", N_("No control with key %(keys)s."), keys=", ".join(unknown))
    return [found[key] for key in wanted]


def _decider(session: Session, actor, user_id: int | None) -> int | None:
    if not user_id:
        return getattr(actor, "id", None)
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in DECIDER_ROLES:
        raise invalid("breach_decided_by_id", N_("Choose an active user of the organisation."))
    return user.id


def _checked(session: Session, actor, details: IncidentDetails, now: datetime) -> dict:
    """The validated column values (and controls) of `details`."""
    values = {
        "title": checks.title(details.title),
        "description": checks.text(details.description, "description",
                                   N_("Describe what happened.")),
        "became_aware_at": checks.instant(details.became_aware_at, "became_aware_at", now),
        "detected_at": checks.instant(details.detected_at, "detected_at", now,
                                      required=N_("Say when it was noticed.")),
        "occurred_at": checks.instant(details.occurred_at, "occurred_at", now),
        "personal_data": details.personal_data,
        "personal_data_breach": details.personal_data_breach,
        "breach_reason": checks.text(details.breach_reason, "breach_reason"),
        "affected_systems": checks.text(details.affected_systems, "affected_systems"),
        "affected_processing": checks.text(details.affected_processing, "affected_processing"),
        "root_cause": checks.text(details.root_cause, "root_cause"),
        "major_outage": bool(details.major_outage),
        "microdata_users": checks.text(details.microdata_users, "microdata_users"),
        "microdata_project": checks.text(details.microdata_project, "microdata_project",
                                         limit=100),
        "controller_notice_hours": checks.notice_hours(details.controller_notice_hours,
                                                       "controller_notice_hours"),
    }
    if details.severity not in (None, "", *Severity):
        raise invalid("severity", N_("Choose the severity: low, medium, high or critical."))
    values["severity"] = details.severity or None
    if details.category not in (None, "", *Category):
        raise invalid("category", N_("Choose what the incident hit."))
    values["category"] = details.category or None
    if details.role not in tuple(IncidentRole):
        raise invalid("role", N_("Choose our role: controller or processor."))
    values["role"] = details.role
    if values["occurred_at"] and values["occurred_at"] > values["detected_at"]:
        raise invalid("occurred_at", N_("It cannot have happened after it was noticed."))
    if values["became_aware_at"] and values["became_aware_at"] < values["detected_at"]:
        raise invalid("became_aware_at", N_("We cannot have become aware of it before it was "
                                            "noticed."))
    if details.personal_data_breach:
        if details.personal_data is False:
            raise invalid("personal_data_breach", N_("A personal-data breach involves personal "
                                                     "data: tick that personal data are "
                                                     "involved, or decide it is not a breach."))
        if values["became_aware_at"] is None:
            raise invalid("became_aware_at", N_("Say when we became aware of the breach: the "
                                                "notification clock starts then."))
    if values["category"] == Category.MICRODATA:
        if not values["microdata_users"]:
            raise invalid("microdata_users", N_("A microdata breach is reported with the "
                                                "names and user ids involved."))
        if values["occurred_at"] is None:
            raise invalid("occurred_at", N_("A microdata breach is reported with the date and "
                                            "time it happened."))
    values["controls"] = _controls(session, details.controls)
    return values


def register_incident(session: Session, actor, details: IncidentDetails,
                      controllers: Sequence[tuple[str, int | None]] = (), *, tz: ZoneInfo,
                      now: datetime | None = None) -> Incident:
    """Register an incident already qualified (the API): decision, awareness, role at once.

    `controllers` are (name, agreed hours) pairs for a processor; hours default to the
    incident's `controller_notice_hours`.
    """
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not register incidents."))
    now = now or utcnow()
    values = _checked(session, actor, details, now)
    if controllers and values["role"] != IncidentRole.PROCESSOR:
        raise invalid("controllers", N_("Controllers are listed only where we are the "
                                        "processor."))
    listed = []
    for index, (name, hours) in enumerate(controllers):
        name = checks.text(name, f"controllers.{index}.name", N_("Name the controller."),
                           limit=checks.MAX_SHORT)
        if any(c.name.casefold() == name.casefold() for c in listed):
            raise invalid(f"controllers.{index}.name", N_("This controller is already listed."))
        listed.append(IncidentController(name=name, notice_hours=values[
            "controller_notice_hours"] if hours is None else checks.notice_hours(
                hours, f"controllers.{index}.notice_hours")))
    controls = values.pop("controls")
    incident = Incident(**values, controls=controls, controllers=listed,
                        status=Status.INVESTIGATING.value,
                        reported_by_id=getattr(actor, "id", None))
    incident.detected_on = clocks.in_zone(incident.detected_at, tz).date()
    if incident.personal_data_breach is not None:
        incident.breach_decided_by_id = _decider(session, actor, details.breach_decided_by_id)
        incident.breach_decided_at = now
    try:
        session.add(incident)
        append(session, actor, "incident.registered", incident, {
            **{name: value for name, value in values.items() if value is not None},
            "controls": [c.key for c in controls],
            "controllers": [[c.name, c.notice_hours] for c in listed]})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


def _late_without_reasons(incident: Incident) -> str | None:
    """The recipient of a first notification that is late and gives no reasons, if any."""
    from .notifications import first_submissions

    for controller, clock in incident.clocks():
        first = first_submissions(incident).get(controller.id if controller else None)
        if first is not None and clocks.is_late(clock.due, first.submitted_at) and not (
                first.delay_reason_en or first.delay_reason_da):
            return controller.name if controller else "authority"
    return None


def update_incident(session: Session, actor, incident: Incident, details: IncidentDetails,
                    version: int | None, *, tz: ZoneInfo,
                    now: datetime | None = None) -> Incident:
    """Qualify or edit an incident: the breach decision, awareness, role and the rest.

    A reported incident becomes "investigating". Deciding (or changing) whether it is a
    breach records who decided and when. Moving the awareness time so that a notification
    already recorded turns late without reasons for the delay is refused.
    """
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not qualify or edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    now = now or utcnow()
    values = _checked(session, actor, details, now)
    if incident.submissions and values["personal_data_breach"] is not True:
        raise invalid("personal_data_breach", N_("Notifications have been recorded for this "
                                                 "breach, so it stays a breach."))
    if incident.submissions and values["role"] != incident.role:
        raise invalid("role", N_("Notifications have been recorded, so our role can no longer "
                                 "change."))
    decided = values["personal_data_breach"] != incident.personal_data_breach
    chosen = details.breach_decided_by_id
    decider = _decider(session, actor, chosen) if (
        decided or (chosen and chosen != incident.breach_decided_by_id)) \
        else incident.breach_decided_by_id
    controls = values.pop("controls")
    changes = {name: [getattr(incident, name), value] for name, value in values.items()
               if getattr(incident, name) != value}
    before = [c.key for c in incident.controls]
    if sorted(before) != sorted(c.key for c in controls):
        changes["controls"] = [before, [c.key for c in controls]]
    if decider != incident.breach_decided_by_id:
        changes["breach_decided_by_id"] = [incident.breach_decided_by_id, decider]
    qualified = incident.status == Status.REPORTED
    if not changes and not qualified:
        return incident
    for name, value in values.items():
        setattr(incident, name, value)
    incident.controls = controls
    incident.breach_decided_by_id = decider
    if decided:
        incident.breach_decided_at = now
    incident.detected_on = clocks.in_zone(incident.detected_at, tz).date()
    if qualified:
        incident.status = Status.INVESTIGATING.value
        changes["status"] = [Status.REPORTED.value, Status.INVESTIGATING.value]
    incident.updated_at = now  # a change of controls alone must bump the version too
    late = _late_without_reasons(incident)
    if late:
        session.rollback()
        raise invalid("became_aware_at", N_("With this time the first notification to %(who)s "
                                            "was late, and it gives no reasons for the delay."),
                      who=late)
    try:
        append(session, actor, "incident.qualified" if qualified else "incident.updated",
               incident, changes)
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


def detail_fields() -> tuple[str, ...]:
    """The names of `IncidentDetails`, for forms that fill it."""
    return tuple(f.name for f in fields(IncidentDetails))
