"""Deviations (findings): raised, answered by management, closed with evidence, reopened.

A finding comes from a control test or is raised on its own; it stays open until closed with
evidence that the remediation works, and is reopened when that evidence does not hold.

Every public writer is one unit of work: permission → validation → write → ledger → commit.
Messages meant for people are built with `_error(…, N_("… %(x)s"), x=…)`: the English text is
the message (API and CLI show it); views translate the template with its parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..auth.models import User
from ..auth.people import active_users
from ..auth.permissions import Permission, Role, can
from ..catalogue.models import Catalogue, Control
from ..db import utcnow
from ..errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ..ledger.service import LedgerFilter, append, list_entries
from ..time import local_today
from . import access
from .access import can_perform
from .models import ControlTest, Deviation, DeviationStatus, Engagement, Severity
from .service import can_view_engagement, require_view

MAX_TITLE = 200
MAX_TEXT = 20_000
# Who may be made responsible for remediating a finding.
OWNER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CONTROL_OWNER)
SEVERITIES = tuple(s.value for s in Severity)
STATUSES = tuple(s.value for s in DeviationStatus)
UNRESOLVED = (DeviationStatus.OPEN.value, DeviationStatus.IN_PROGRESS.value)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it (views translate it on display)."""
    return message


def _error(kind: type[DomainError], template: str, field_name: str | None = None,
           **params) -> DomainError:
    message = template % params if params else template
    error = kind(field_name, message) if kind is Invalid else kind(message)
    error.template, error.params = template, params
    return error


def _role(actor) -> Role | None:
    return Role(actor.role) if getattr(actor, "role", None) in Role._value2member_map_ else None


# --- object-level permissions ---------------------------------------------------------------

# Who may read a finding is decided with the engagement rules in `access.py`.
is_involved = access.is_involved
can_view_deviation = access.can_view_finding


def can_respond(actor, deviation: Deviation) -> bool:
    """Management answers: coordinators and admins for any finding, control owners for theirs."""
    if not can(actor, Permission.RESPOND_DEVIATION):
        return False
    return _role(actor) != Role.CONTROL_OWNER or is_involved(actor, deviation)


def can_raise(actor, engagement: Engagement | None) -> bool:
    """Whether the actor may raise a finding (external auditors: from their engagement's tests)."""
    if not can(actor, Permission.RAISE_DEVIATIONS):
        return False
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        return engagement is not None and can_perform(actor, engagement)
    return True


def can_close(actor, deviation: Deviation) -> bool:
    """Whoever manages findings (the auditor, the coordinator), unless they own its remediation.

    The owner answers a finding and shows the fix; someone else judges that it works and
    closes it (segregation of duties), so the owner is never offered "Close the finding".
    """
    owner = deviation.owner_id is not None and deviation.owner_id == getattr(actor, "id", None)
    return can(actor, Permission.MANAGE_DEVIATIONS) and not owner


_visible = access.visible_findings


def _require(allowed: bool, template: str) -> None:
    if not allowed:
        raise _error(Forbidden, template)


# --- reading --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviationFilter:
    """Filters for the findings list; all optional."""

    status: str | None = None  # a DeviationStatus, or "unresolved" (open or in progress)
    severity: str | None = None
    control: str | None = None  # control key
    engagement_id: int | None = None
    mine: bool = False  # I own the remediation or the control
    overdue: bool = False
    q: str | None = None  # words in the title or description


def _with_page_details(query):
    return query.options(joinedload(Deviation.control).joinedload(Control.catalogue),
                         joinedload(Deviation.owner), joinedload(Deviation.engagement))


def list_deviations(session: Session, actor, filters: DeviationFilter, *, today: date,
                    page: int = 1, per_page: int = 50) -> tuple[list[Deviation], int]:
    """One page of the findings the actor may see, newest first, and how many match.

    Two queries whatever the page holds (count, then the page with what it shows).
    """
    _require(can(actor, Permission.VIEW_DEVIATIONS), N_("You may not see findings."))
    query = _visible(select(Deviation), actor)
    if filters.status == "unresolved":
        query = query.where(Deviation.status.in_(UNRESOLVED))
    elif filters.status in STATUSES:
        query = query.where(Deviation.status == filters.status)
    if filters.severity in SEVERITIES:
        query = query.where(Deviation.severity == filters.severity)
    if filters.control:
        query = query.where(Deviation.control_id.in_(
            select(Control.id).where(Control.key == filters.control)))
    if filters.engagement_id:
        query = query.where(Deviation.engagement_id == filters.engagement_id)
    if filters.mine:
        query = query.where(_mine_clause(actor))
    if filters.overdue:
        query = query.where(Deviation.status.in_(UNRESOLVED), Deviation.due_on < today)
    text = (filters.q or "").replace("\x00", "").strip()[:200]
    if text:
        query = query.where(or_(Deviation.title.ilike(f"%{text}%"),
                                Deviation.description.ilike(f"%{text}%")))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = _with_page_details(query).order_by(Deviation.created_at.desc(), Deviation.id.desc())
    if per_page:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(query).unique()), total


def engagement_choices(session: Session, actor) -> list[tuple[int, str]]:
    """(id, name) of the engagements the actor may see, newest period first, to filter by."""
    if not can(actor, Permission.VIEW_AUDITS):
        return []
    query = select(Engagement.id, Engagement.name).order_by(Engagement.period_end.desc(),
                                                            Engagement.id.desc())
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        query = query.where(Engagement.id.in_(access.visible_engagement_ids(actor)))
    return [(row.id, row.name) for row in session.execute(query)]


def _mine_clause(actor):
    actor_id = getattr(actor, "id", None)
    return or_(Deviation.owner_id == actor_id, Deviation.control_id.in_(
        select(Control.id).where(Control.owner_id == actor_id)))


def get_deviation(session: Session, actor, deviation_id: int) -> Deviation:
    """A finding with what its page shows, if the actor may see it (else NotFound/Forbidden)."""
    deviation = session.scalar(select(Deviation).where(Deviation.id == deviation_id).options(
        joinedload(Deviation.control).joinedload(Control.catalogue),
        joinedload(Deviation.control).joinedload(Control.owner),
        joinedload(Deviation.owner), joinedload(Deviation.raised_by),
        joinedload(Deviation.engagement).selectinload(Engagement.members),
        joinedload(Deviation.engagement).joinedload(Engagement.firm),
        joinedload(Deviation.test)))
    if deviation is None:
        raise _error(NotFound, N_("No such finding."))
    _require(can_view_deviation(actor, deviation),
             N_("You may see only the findings you own or that concern controls you own.")
             if _role(actor) != Role.EXTERNAL_AUDITOR else
             N_("You may see only the findings of your engagements."))
    return deviation


def control_deviations(session: Session, actor, control: Control) -> list[Deviation]:
    """The unresolved findings on one control that the actor may see, most severe first."""
    if not can(actor, Permission.VIEW_DEVIATIONS):
        return []
    order = case({s: i for i, s in enumerate(reversed(SEVERITIES))}, value=Deviation.severity,
                 else_=len(SEVERITIES))
    query = _visible(select(Deviation), actor).where(
        Deviation.control_id == control.id, Deviation.status.in_(UNRESOLVED))
    return list(session.scalars(query.options(joinedload(Deviation.owner))
                                .order_by(order, Deviation.due_on, Deviation.id)))


@dataclass
class DeviationCounts:
    """Unresolved findings for the dashboard: by severity, overdue, awaiting my response."""

    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    overdue: int = 0
    awaiting_me: int = 0  # open (unanswered) findings I own or on controls I own

    @property
    def total(self) -> int:
        """All unresolved findings counted."""
        return sum(self.by_severity.values())


def deviation_counts(session: Session, actor, *, today: date) -> DeviationCounts:
    """The dashboard's figures in one grouped query, within what the actor may see."""
    counts = DeviationCounts()
    if not can(actor, Permission.VIEW_DEVIATIONS):
        return counts
    overdue = func.sum(case((Deviation.due_on < today, 1), else_=0))
    awaiting = func.sum(case(((Deviation.status == DeviationStatus.OPEN.value)
                              & _mine_clause(actor), 1), else_=0))
    query = _visible(select(Deviation.severity, func.count(Deviation.id), overdue, awaiting),
                     actor).where(Deviation.status.in_(UNRESOLVED)).group_by(Deviation.severity)
    for severity, number, late, mine in session.execute(query):
        counts.by_severity[severity] = counts.by_severity.get(severity, 0) + number
        counts.overdue += int(late or 0)
        counts.awaiting_me += int(mine or 0)
    return counts


def possible_owners(session: Session) -> list[User]:
    """Active users who may be made responsible for remediating a finding."""
    return active_users(session, OWNER_ROLES)


def raisable_controls(session: Session) -> list[Control]:
    """Controls a finding may be raised on (not retired), in catalogue order."""
    return list(session.scalars(
        select(Control).join(Catalogue, Control.catalogue_id == Catalogue.id)
        .where(Control.retired_at.is_(None)).options(joinedload(Control.catalogue))
        .order_by(Catalogue.slug, Control.position)))


def get_control(session: Session, key: str) -> Control:
    """A control by key, or Invalid on the control field."""
    control = session.scalar(select(Control).where(Control.key == key)) if key else None
    if control is None:
        raise _error(Invalid, N_("Choose the control the finding concerns."), "control")
    return control


def get_test(session: Session, actor, test_id: int) -> ControlTest:
    """A control test (with engagement and control) a finding may be raised from."""
    test = session.scalar(select(ControlTest).where(ControlTest.id == test_id).options(
        joinedload(ControlTest.engagement).selectinload(Engagement.members),
        joinedload(ControlTest.engagement).joinedload(Engagement.firm),
        joinedload(ControlTest.control)))
    if test is None:
        raise _error(NotFound, N_("No such test."))
    require_view(actor, test.engagement)
    return test


def engagement_visible(actor, engagement: Engagement | None) -> bool:
    """Whether a finding's page may link to its engagement and test for this actor."""
    return engagement is not None and can_view_engagement(actor, engagement)


def closing_evidence(session: Session, deviation: Deviation):
    """The Evidence row that closed the finding, or None (also when evidence is unavailable)."""
    if deviation.closing_evidence_id is None:
        return None
    try:
        from ..evidence.models import Evidence
    except ImportError:  # pragma: no cover - evidence is built alongside
        return None
    return session.get(Evidence, deviation.closing_evidence_id)


def evidence_choices(session: Session, control: Control, limit: int = 50) -> list:
    """Recent evidence on the finding's control, to choose the closing evidence from."""
    try:
        from ..evidence.models import Evidence, evidence_control
    except ImportError:  # pragma: no cover - evidence is built alongside
        return []
    return list(session.scalars(
        select(Evidence).join(evidence_control, evidence_control.c.evidence_id == Evidence.id)
        .where(evidence_control.c.control_id == control.id)
        .order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(limit)))


# --- validation -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Checked:
    title: str
    description: str
    severity: str
    owner: User | None


def _text(value: str | None, name: str, required_message: str, limit: int) -> str | None:
    text = (value or "").strip()
    if not text:
        if required_message:
            raise _error(Invalid, required_message, name)
        return None
    if len(text) > limit:
        raise _error(Invalid, N_("Keep this under %(max)d characters."), name, max=limit)
    return text


def _owner(session: Session, owner_id: int | None) -> User | None:
    if not owner_id:
        return None
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or _role(owner) not in OWNER_ROLES:
        raise _error(Invalid, N_("Choose an active control owner, coordinator or administrator "
                                 "as the remediation owner."), "owner_id")
    return owner


def _check(session: Session, title: str | None, description: str | None, severity: str | None,
           owner_id: int | None) -> _Checked:
    title = " ".join((title or "").split())
    if not title:
        raise _error(Invalid, N_("Give the finding a title."), "title")
    if len(title) > MAX_TITLE:
        raise _error(Invalid, N_("Keep the title under %(max)d characters."), "title",
                     max=MAX_TITLE)
    description = _text(description, "description", N_("Describe what was found."), MAX_TEXT)
    if severity not in SEVERITIES:
        raise _error(Invalid, N_("Choose the severity: observation, minor or material."),
                     "severity")
    return _Checked(title, description, severity, _owner(session, owner_id))


def _check_version(deviation: Deviation, version: int) -> None:
    if version != deviation.version:
        raise _error(Conflict, N_("Someone else changed this finding since you opened it. "
                                  "Reload the page to see their change, then try again."))


def _check_not_closed(deviation: Deviation) -> None:
    if deviation.status == DeviationStatus.CLOSED:
        raise _error(Conflict, N_("This finding is closed. Reopen it first."))


# --- writing --------------------------------------------------------------------------------

def raise_deviation(session: Session, actor, control: Control | None, title: str,
                    description: str, severity: str, owner_id: int | None, due_on: date | None,
                    engagement: Engagement | None = None, test: ControlTest | None = None, *,
                    today: date | None = None) -> Deviation:
    """Record a finding on a control, on its own or from a test of an engagement.

    A finding from a test belongs to the test's engagement and control; no new findings are
    raised on an issued engagement. The due date may not lie in the past.
    """
    _require(can(actor, Permission.RAISE_DEVIATIONS), N_("You may not raise findings."))
    if test is not None:
        if engagement is not None and test.engagement_id != engagement.id:
            raise _error(Invalid, N_("The test belongs to another engagement."), "test_id")
        engagement = test.engagement
        if control is not None and control.id != test.control_id:
            raise _error(Invalid, N_("The test is of another control."), "control")
        control = test.control
    if control is None:
        raise _error(Invalid, N_("Choose the control the finding concerns."), "control")
    if control.retired_at is not None:
        raise _error(Invalid, N_("Control %(code)s is retired."), "control", code=control.code)
    if engagement is not None:
        require_view(actor, engagement)
        if engagement.is_issued:
            raise _error(Conflict, N_("This engagement has been issued; no new findings can be "
                                      "raised on it."))
    _require(can_raise(actor, engagement),
             N_("External auditors raise findings from the tests of their engagements."))
    checked = _check(session, title, description, severity, owner_id)
    if due_on is not None and due_on < (today or local_today()):
        raise _error(Invalid, N_("The due date is in the past."), "due_on")
    deviation = Deviation(
        control=control, engagement_id=engagement.id if engagement else None,
        test_id=test.id if test else None, title=checked.title,
        description=checked.description, severity=checked.severity, owner=checked.owner,
        due_on=due_on, status=DeviationStatus.OPEN.value,
        raised_by_id=getattr(actor, "id", None))
    session.add(deviation)
    append(session, actor, "deviation.raised", deviation, {
        "control": control.key, "title": checked.title, "severity": checked.severity,
        "owner": checked.owner.email if checked.owner else None, "due_on": due_on,
        "engagement": deviation.engagement_id, "test": deviation.test_id})
    session.commit()
    return deviation


def respond_to_deviation(session: Session, actor, deviation: Deviation, root_cause: str | None,
                         management_response: str | None, version: int) -> Deviation:
    """Record management's answer: the root cause and what will be done.

    An open finding moves to in progress. Control owners answer only the findings they own or
    that concern controls they own.
    """
    _require(can(actor, Permission.RESPOND_DEVIATION),
             N_("You may not answer findings."))
    _require(can_respond(actor, deviation),
             N_("You may answer only the findings you own or that concern controls you own."))
    _check_version(deviation, version)
    _check_not_closed(deviation)
    response = _text(management_response, "management_response",
                     N_("Write management's response: what will be done, and by when."),
                     MAX_TEXT)
    root_cause = _text(root_cause, "root_cause", "", MAX_TEXT)
    changes = {}
    for column, value in (("root_cause", root_cause), ("management_response", response)):
        if getattr(deviation, column) != value:
            changes[column] = [getattr(deviation, column), value]
            setattr(deviation, column, value)
    if deviation.status == DeviationStatus.OPEN:
        changes["status"] = [deviation.status, DeviationStatus.IN_PROGRESS.value]
        deviation.status = DeviationStatus.IN_PROGRESS.value
    if changes:
        append(session, actor, "deviation.responded", deviation, changes)
    session.commit()
    return deviation


def update_deviation(session: Session, actor, deviation: Deviation, title: str,
                     description: str, severity: str, owner_id: int | None,
                     due_on: date | None, version: int, *,
                     today: date | None = None) -> Deviation:
    """Change what a finding says, its severity, remediation owner or due date.

    A due date may stay where it was, but a new one may not lie in the past.
    """
    _require(can(actor, Permission.MANAGE_DEVIATIONS), N_("You may not change findings."))
    _check_version(deviation, version)
    _check_not_closed(deviation)
    checked = _check(session, title, description, severity, owner_id)
    if due_on is not None and due_on != deviation.due_on and due_on < (today or local_today()):
        raise _error(Invalid, N_("The due date is in the past."), "due_on")
    changes = {}
    for column, value in (("title", checked.title), ("description", checked.description),
                          ("severity", checked.severity), ("due_on", due_on)):
        if getattr(deviation, column) != value:
            changes[column] = [getattr(deviation, column), value]
            setattr(deviation, column, value)
    new_owner = checked.owner.id if checked.owner else None
    if deviation.owner_id != new_owner:
        changes["owner"] = [deviation.owner.email if deviation.owner else None,
                            checked.owner.email if checked.owner else None]
        deviation.owner = checked.owner
    if changes:
        append(session, actor, "deviation.updated", deviation, changes)
    session.commit()
    return deviation


def close_deviation(session: Session, actor, deviation: Deviation, evidence_id: int | None,
                    note: str | None, version: int) -> Deviation:
    """Close a finding with evidence that the remediation works; the note goes to the ledger."""
    _require(can_close(actor, deviation),
             N_("Whoever manages findings closes them, not the finding's remediation owner."))
    _check_version(deviation, version)
    _check_not_closed(deviation)
    from ..evidence.service import evidence_for_control

    if not evidence_id:
        raise _error(Invalid, N_("Choose the evidence that shows the finding is remediated."),
                     "evidence_id")
    evidence = evidence_for_control(session, evidence_id, deviation.control)
    note = _text(note, "note", "", MAX_TEXT)
    previous = deviation.status
    deviation.status = DeviationStatus.CLOSED.value
    deviation.closing_evidence_id = evidence.id
    deviation.closed_at = utcnow()
    append(session, actor, "deviation.closed", deviation, {
        "status": [previous, deviation.status], "evidence": evidence.id,
        "evidence_title": evidence.title, "note": note})
    session.commit()
    return deviation


def reopen_deviation(session: Session, actor, deviation: Deviation, reason: str | None,
                     version: int) -> Deviation:
    """Reopen a closed finding (the remediation did not hold); the reason goes to the ledger."""
    _require(can(actor, Permission.MANAGE_DEVIATIONS), N_("You may not reopen findings."))
    _check_version(deviation, version)
    if deviation.status != DeviationStatus.CLOSED:
        raise _error(Conflict, N_("This finding is not closed."))
    reason = _text(reason, "reason", N_("Say why the finding is reopened."), MAX_TEXT)
    status = (DeviationStatus.IN_PROGRESS if deviation.management_response
              else DeviationStatus.OPEN).value
    append(session, actor, "deviation.reopened", deviation, {
        "status": [deviation.status, status], "evidence": deviation.closing_evidence_id,
        "reason": reason})
    deviation.status, deviation.closed_at, deviation.closing_evidence_id = status, None, None
    session.commit()
    return deviation


@dataclass(frozen=True)
class HistoryEntry:
    """One ledger entry about a finding, its changes decoded for display."""

    at: object
    actor: str
    action: str
    changes: dict


def deviation_history(session: Session, deviation: Deviation, tz, limit: int = 200
                      ) -> list[HistoryEntry]:
    """The finding's ledger entries, oldest first (one count and one page query)."""
    entries, _total = list_entries(
        session, LedgerFilter(entity_type="deviation", entity_id=str(deviation.id)), tz,
        per_page=limit)
    return [HistoryEntry(entry.at, entry.actor, entry.action.removeprefix("deviation."),
                         json.loads(entry.changes or "{}")) for entry in reversed(entries)]
