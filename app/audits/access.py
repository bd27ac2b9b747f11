"""Who may see and do what in an engagement: the one place for engagement object rules.

- Internal engagements belong to the organisation's audit function (admin, internal auditors).
- ISAE 3000 engagements belong to an audit firm. Its auditors who are assigned to the engagement
  see it (and nothing else), perform and review its tests, write the auditor's report; its
  engagement partner signs it. Internal auditors may prepare tests there (a pre-audit), which
  the firm reviews; they never review or sign.
- Fieldwork (populations, draws, results) is locked on a concluded test and in review.
- Findings: external auditors read those of the engagements they see, and nothing else;
  control owners those they own or that concern controls they own; the other roles all.
- Evidence requests of an engagement (its PBC list): the firm's auditors on it and the
  internal audit function ask for evidence; whoever may see the engagement reads the list.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from ..auth.actors import SystemActor
from ..auth.permissions import Permission, Role, can, require
from ..catalogue.models import Control
from ..errors import Conflict, Forbidden, NotFound
from ..firms.models import AuditFirmMember
from .models import ControlTest, Deviation, Engagement, EngagementMember, MemberRole


def _role(actor) -> Role | None:
    role = getattr(actor, "role", None)
    return Role(role) if role in Role._value2member_map_ else None


def is_member(actor, engagement: Engagement, role: MemberRole | None = None) -> bool:
    """Whether the actor is on the engagement (in the given role)."""
    actor_id = getattr(actor, "id", None)
    return actor_id is not None and any(
        m.user_id == actor_id and (role is None or m.role == role) for m in engagement.members)


def is_firm_auditor(actor, engagement: Engagement) -> bool:
    """An external auditor of the engagement's firm who is assigned to the engagement."""
    return (_role(actor) == Role.EXTERNAL_AUDITOR and engagement.firm is not None
            and getattr(actor, "id", None) in engagement.firm.member_ids()
            and is_member(actor, engagement, MemberRole.EXTERNAL))


def is_partner(actor, engagement: Engagement) -> bool:
    """The engagement partner: the firm's state-authorised auditor who signs the report."""
    return (is_firm_auditor(actor, engagement) and engagement.partner_id is not None
            and engagement.partner_id == actor.id)


def visible_engagements_clause(actor):
    """SQL condition on Engagement: the engagements an external auditor may see.

    `can_view_engagement` is its Python twin and must change with it.
    """
    return exists().where(
        EngagementMember.engagement_id == Engagement.id,
        EngagementMember.user_id == actor.id, EngagementMember.role == MemberRole.EXTERNAL,
        AuditFirmMember.user_id == actor.id, AuditFirmMember.firm_id == Engagement.firm_id)


def visible_engagement_ids(actor):
    """A select of the ids of the engagements an external auditor may see."""
    return select(Engagement.id).where(visible_engagements_clause(actor))


def can_view_engagement(actor, engagement: Engagement) -> bool:
    """External auditors see exactly their firm's engagements they are assigned to."""
    if not can(actor, Permission.VIEW_AUDITS):
        return False
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        return is_firm_auditor(actor, engagement)
    return True


def require_view(actor, engagement: Engagement) -> None:
    """Raise NotFound (not Forbidden: do not reveal it exists) unless the actor may see it."""
    if not can_view_engagement(actor, engagement):
        raise NotFound("No such engagement.")


def can_perform(actor, engagement: Engagement) -> bool:
    """Whether the actor may do the audit work: plan, sample, record results, conclude."""
    if not can(actor, Permission.PERFORM_TESTS) or engagement.is_issued:
        return False
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        return engagement.is_assurance and is_firm_auditor(actor, engagement)
    return True


def require_edit(actor, engagement: Engagement) -> None:
    """Only the audit function (and, on ISAE work, the firm) edits; never an issued engagement."""
    require(actor, Permission.PERFORM_TESTS)
    require_view(actor, engagement)
    if engagement.is_issued:
        raise Conflict("This engagement has been issued and is read-only.")
    if not can_perform(actor, engagement):
        raise Forbidden("Only the audit firm's auditors on this engagement may do its work.")


def require_fieldwork(actor, test: ControlTest) -> None:
    """Populations, draws and results: only while the test is open and not in review."""
    require_edit(actor, test.engagement)
    if test.engagement.fieldwork_locked:
        raise Conflict("The engagement is in review: its fieldwork is locked. Move it back to "
                       "fieldwork (with a reason) to change populations, samples or results.")
    if test.is_concluded:
        raise Conflict("The test is concluded: its fieldwork is locked. Reopen it (with a "
                       "reason) to change populations, samples or results.")


def can_review(actor, test: ControlTest) -> bool:
    """Whether the actor may sign the test off as reviewer.

    ISAE engagements: an auditor of the firm on the engagement; internal ones: the audit
    function. Never the preparer, and only a concluded test of an engagement not issued.
    """
    engagement = test.engagement
    if not can(actor, Permission.REVIEW_TESTS) or engagement.is_issued or not test.is_concluded \
            or test.reviewed_at is not None:
        return False
    if getattr(actor, "id", None) is None or test.concluded_by_id == actor.id:
        return False
    if engagement.is_assurance:
        return is_firm_auditor(actor, engagement)
    return _role(actor) in (Role.ADMIN, Role.INTERNAL_AUDITOR)


def can_write_report(actor, engagement: Engagement) -> bool:
    """The auditor's report (section 2) is written by the firm's auditors on the engagement."""
    return (engagement.is_assurance and not engagement.is_issued
            and can(actor, Permission.WRITE_AUDITOR_REPORT)
            and is_firm_auditor(actor, engagement))


def can_sign_report(actor, engagement: Engagement) -> bool:
    """Only the engagement partner signs the auditor's report."""
    return (engagement.is_assurance and not engagement.is_issued
            and can(actor, Permission.SIGN_AUDITOR_REPORT) and is_partner(actor, engagement))


def can_issue(actor, engagement: Engagement) -> bool:
    """The firm's auditors on the engagement issue it; the operator may from the command line."""
    if engagement.is_issued:
        return False
    if isinstance(actor, SystemActor):
        return True
    if engagement.is_assurance:
        return is_firm_auditor(actor, engagement)
    return can(actor, Permission.MANAGE_ENGAGEMENTS)


def can_manage_statement(actor, engagement: Engagement) -> bool:
    """Management's statement is recorded by the organisation (admin, coordinator)."""
    return (engagement.is_assurance and not engagement.is_issued
            and can(actor, Permission.SIGN_MANAGEMENT_STATEMENT))


def can_change_status(actor, engagement: Engagement) -> bool:
    """Planning, fieldwork and review: the audit function, and the firm on its engagements."""
    if engagement.is_issued:
        return False
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        return is_firm_auditor(actor, engagement)
    return can(actor, Permission.MANAGE_ENGAGEMENTS)


# --- findings -------------------------------------------------------------------------------

def is_involved(actor, deviation: Deviation) -> bool:
    """The actor owns the finding's remediation or the control it is about."""
    actor_id = getattr(actor, "id", None)
    return actor_id is not None and (
        deviation.owner_id == actor_id or deviation.control.owner_id == actor_id)


def can_view_finding(actor, deviation: Deviation) -> bool:
    """Whether the actor may read the finding.

    External auditors: the findings of the engagements they see (a finding raised outside an
    engagement is not theirs); control owners: those they own or on controls they own; the
    other roles holding VIEW_DEVIATIONS: all (viewers read-only). `visible_findings` is its
    SQL twin and must change with it.
    """
    if not can(actor, Permission.VIEW_DEVIATIONS):
        return False
    role = _role(actor)
    if role == Role.EXTERNAL_AUDITOR:
        return deviation.engagement is not None and can_view_engagement(actor,
                                                                        deviation.engagement)
    return role != Role.CONTROL_OWNER or is_involved(actor, deviation)


def visible_findings(query, actor):
    """Narrow a `select(Deviation…)` to what `can_view_finding` allows."""
    role = _role(actor)
    if role == Role.CONTROL_OWNER:
        owned_controls = select(Control.id).where(Control.owner_id == actor.id)
        return query.where(or_(Deviation.owner_id == actor.id,
                               Deviation.control_id.in_(owned_controls)))
    if role == Role.EXTERNAL_AUDITOR:
        return query.where(Deviation.engagement_id.in_(visible_engagement_ids(actor)))
    return query


# --- evidence requests of an engagement (the PBC list) ---------------------------------------

def can_request_evidence(actor, engagement: Engagement) -> bool:
    """Whether the actor may put a request on the engagement's PBC list (or withdraw one).

    The firm's auditors on an ISAE engagement and the internal audit function (which may
    prepare the firm's tests); never on an issued engagement.
    """
    if not can(actor, Permission.REQUEST_ENGAGEMENT_EVIDENCE) or engagement.is_issued:
        return False
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        return is_firm_auditor(actor, engagement)
    return True
