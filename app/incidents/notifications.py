"""Notifying a breach: whom (the controllers, as processor), what (Art. 33(3)), when (33(4)).

Also the Art. 34 decision about the data subjects.

As controller we notify the supervisory authority within 72 hours of becoming aware; as
processor each controller within the hours agreed with it. The first submission to a recipient
is the notification; one made after the deadline must give the reasons for the delay
(Art. 33(1)), and is refused without them. Later submissions add information in phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..auth.permissions import Permission
from ..db import utcnow
from ..ledger.service import append
from . import checks, clocks
from .checks import N_, conflict, invalid
from .models import (
    AUTHORITY,
    Incident,
    IncidentController,
    Phase,
    SubjectsDecision,
    Submission,
)
from .models import Role as IncidentRole
from .service import commit, require

BILINGUAL_CONTENT = ("nature", "subject_categories", "record_categories", "consequences",
                     "measures")


@dataclass(frozen=True)
class NotificationContent:
    """Art. 33(3): (a) nature, categories and numbers, (b) contact, (c) consequences, (d) measures.

    Texts in English and Danish (either may be empty; the print falls back).
    """

    nature_en: str | None = None
    nature_da: str | None = None
    subject_categories_en: str | None = None
    subject_categories_da: str | None = None
    subjects_approx: int | None = None
    record_categories_en: str | None = None
    record_categories_da: str | None = None
    records_approx: int | None = None
    contact_point: str | None = None
    consequences_en: str | None = None
    consequences_da: str | None = None
    measures_en: str | None = None
    measures_da: str | None = None


def _require_breach(incident: Incident) -> None:
    if not incident.is_breach:
        raise conflict(N_("Only a personal-data breach is notified. Decide that it is one "
                          "first."))


def save_content(session: Session, actor, incident: Incident, content: NotificationContent,
                 version: int | None) -> Incident:
    """Store what the notification says; both languages are kept side by side."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    _require_breach(incident)
    values = {}
    for name in BILINGUAL_CONTENT:
        for lang in ("en", "da"):
            column = f"{name}_{lang}"
            values[column] = checks.text(getattr(content, column), column)
    values["subjects_approx"] = checks.approx(content.subjects_approx, "subjects_approx")
    values["records_approx"] = checks.approx(content.records_approx, "records_approx")
    values["contact_point"] = checks.text(content.contact_point, "contact_point", limit=1000)
    if not (values["nature_en"] or values["nature_da"]):
        raise invalid("nature_en", N_("Describe the nature of the breach, in at least one "
                                      "language."))
    changes = {name: [getattr(incident, name), value] for name, value in values.items()
               if getattr(incident, name) != value}
    if not changes:
        return incident
    for name, value in values.items():
        setattr(incident, name, value)
    try:
        append(session, actor, "incident.content_saved", incident, changes)
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


@dataclass(frozen=True)
class SubmissionDetails:
    """One submission: to whom ("authority" or a controller's id), when, which phase."""

    recipient: str
    submitted_at: datetime | None
    phase: str = Phase.INITIAL.value
    reference: str | None = None
    summary: str | None = None
    delay_reason_en: str | None = None
    delay_reason_da: str | None = None


def first_submissions(incident: Incident) -> dict[int | None, Submission]:
    """The earliest submission per recipient (None: the authority)."""
    first: dict[int | None, Submission] = {}
    for submission in sorted(incident.submissions, key=lambda s: (s.submitted_at, s.id or 0)):
        first.setdefault(submission.controller_id, submission)
    return first


def _clock_for(incident: Incident, recipient: str):
    """(controller or None, clock) for the recipient, or Invalid on the recipient field."""
    if recipient == AUTHORITY:
        clock = incident.authority_clock()
        if clock is None:
            raise invalid("recipient", N_("As processor we notify the controllers, not the "
                                          "authority."))
        return None, clock
    if not str(recipient).isdigit():
        raise invalid("recipient", N_("Choose who the notification went to."))
    for controller, clock in incident.controller_clocks():
        if controller is not None and controller.id == int(recipient):
            return controller, clock
    raise invalid("recipient", N_("List the controllers first, then record the notification "
                                  "to each.") if incident.role == "processor" and not
                  incident.controllers else N_("Choose who the notification went to."))


def record_submission(session: Session, actor, incident: Incident, details: SubmissionDetails,
                      version: int | None, *, now: datetime | None = None) -> Submission:
    """Record a notification or a later phase of it; late first ones need reasons."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not record notifications."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    _require_breach(incident)
    now = now or utcnow()
    controller, clock = _clock_for(incident, details.recipient)
    submitted_at = checks.instant(details.submitted_at, "submitted_at", now,
                                  required=N_("Give the date and time it was sent."))
    if submitted_at < incident.became_aware_at:
        raise invalid("submitted_at", N_("It cannot have been sent before we became aware of "
                                         "the breach."))
    if details.phase not in tuple(Phase):
        raise invalid("phase", N_("Choose the phase: initial, supplementary or final."))
    key = controller.id if controller else None
    earlier = first_submissions(incident).get(key)
    is_first = earlier is None or submitted_at < earlier.submitted_at
    if is_first and details.phase == Phase.SUPPLEMENTARY:
        raise invalid("phase", N_("The first submission to a recipient is the initial (or "
                                  "the final) one; supplementary information comes after."))
    reasons = {lang: checks.text(getattr(details, f"delay_reason_{lang}"),
                                 f"delay_reason_{lang}") for lang in ("en", "da")}
    late = is_first and clocks.is_late(clock.due, submitted_at)
    if late and not (reasons["en"] or reasons["da"]):
        _past, hours, minutes = clocks.split(submitted_at - clock.due)
        raise invalid("delay_reason_en", N_("This notification was sent %(hours)d h %(minutes)d "
                                            "min after the deadline. Give the reasons for the "
                                            "delay (GDPR Art. 33(1))."),
                      hours=hours, minutes=minutes)
    submission = Submission(
        controller_id=key, submitted_at=submitted_at, phase=details.phase,
        reference=checks.text(details.reference, "reference", limit=100),
        summary=checks.text(details.summary, "summary"),
        delay_reason_en=reasons["en"], delay_reason_da=reasons["da"],
        recorded_by_id=getattr(actor, "id", None), recorded_at=now)
    try:
        incident.submissions.append(submission)
        if is_first:
            if controller is None:
                incident.authority_notified_at = submitted_at
            else:
                controller.notified_at = submitted_at
        incident.updated_at = now
        session.flush()
        append(session, actor, "incident.notified" if is_first else "incident.submission_added",
               incident, {
                   "recipient": controller.name if controller else AUTHORITY,
                   "submitted_at": submitted_at, "phase": submission.phase,
                   "deadline": clock.due, "late": late, "reference": submission.reference,
                   "delay_reason": reasons["en"] or reasons["da"]})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return submission


def decide_subjects(session: Session, actor, incident: Incident, decision: str | None,
                    reason_en: str | None, reason_da: str | None,
                    informed_at: datetime | None, version: int | None, *,
                    now: datetime | None = None) -> Incident:
    """Art. 34: whether the data subjects are told, why, and when they were."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    _require_breach(incident)
    now = now or utcnow()
    if decision not in tuple(SubjectsDecision):
        raise invalid("decision", N_("Choose whether the data subjects are to be informed."))
    values = {"subjects_decision": decision,
              "subjects_reason_en": checks.text(reason_en, "reason_en"),
              "subjects_reason_da": checks.text(reason_da, "reason_da"),
              "subjects_informed_at": checks.instant(informed_at, "informed_at", now)}
    if decision != SubjectsDecision.PENDING and not (
            values["subjects_reason_en"] or values["subjects_reason_da"]):
        raise invalid("reason_en", N_("Give the reason for the decision, in at least one "
                                      "language."))
    if values["subjects_informed_at"] is not None:
        if decision != SubjectsDecision.INFORM:
            raise invalid("informed_at", N_("Only data subjects who are to be informed have a "
                                            "time they were informed."))
        if values["subjects_informed_at"] < incident.became_aware_at:
            raise invalid("informed_at", N_("They cannot have been informed before we became "
                                             "aware of the breach."))
    changes = {name: [getattr(incident, name), value] for name, value in values.items()
               if getattr(incident, name) != value}
    if not changes:
        return incident
    for name, value in values.items():
        setattr(incident, name, value)
    try:
        append(session, actor, "incident.subjects_decided", incident, changes)
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return incident


# --- controllers (we are processor) --------------------------------------------------------

def add_controller(session: Session, actor, incident: Incident, name: str | None,
                   notice_hours: int | None, version: int | None) -> IncidentController:
    """List a controller we must notify, with the notice hours agreed with it (default 24)."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    if incident.role != IncidentRole.PROCESSOR:
        raise conflict(N_("Controllers are listed only where we are the processor."))
    name = checks.text(name, "name", N_("Name the controller."), limit=checks.MAX_SHORT)
    if any(c.name.casefold() == name.casefold() for c in incident.controllers):
        raise invalid("name", N_("This controller is already listed."))
    controller = IncidentController(name=name, notice_hours=checks.notice_hours(
        notice_hours, "notice_hours"))
    try:
        incident.controllers.append(controller)
        incident.updated_at = utcnow()
        session.flush()
        append(session, actor, "incident.controller_added", incident, {
            "controller": controller.name, "notice_hours": controller.notice_hours})
    except BaseException:
        session.rollback()
        raise
    commit(session)
    return controller


def remove_controller(session: Session, actor, incident: Incident, controller_id: int,
                      version: int | None) -> None:
    """Take a controller off the list; not once a notification to it is recorded."""
    require(actor, Permission.MANAGE_INCIDENTS, N_("You may not edit incidents."))
    checks.version(incident.version, version)
    checks.open_for_changes(incident)
    controller = next((c for c in incident.controllers if c.id == controller_id), None)
    if controller is None:
        raise invalid(None, N_("This controller is not listed on the incident."))
    if any(s.controller_id == controller.id for s in incident.submissions):
        raise conflict(N_("A notification to this controller is recorded; it stays listed."))
    try:
        incident.controllers.remove(controller)
        incident.updated_at = utcnow()
        append(session, actor, "incident.controller_removed", incident, {
            "controller": controller.name})
    except BaseException:
        session.rollback()
        raise
    commit(session)
