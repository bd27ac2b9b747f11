"""Engagements and control tests: planning, scope, team, sizing, conclusions and comments.

Every public function is one unit of work: permission → validation → write → ledger → commit.
Issued engagements are read-only for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth.models import User
from ..auth.permissions import Permission, Role, can, require
from ..catalogue.models import Catalogue, Control, ControlGroup
from ..db import utcnow
from ..errors import N_, Conflict, Invalid, NotFound, invalid
from ..ledger.service import append
from . import sampling
from .models import (
    Conclusion,
    ControlTest,
    Deviation,
    Engagement,
    EngagementComment,
    EngagementKind,
    EngagementMember,
    EngagementStatus,
    ItemResult,
    MemberRole,
    ObjectiveExclusion,
    Sample,
    SizingMethod,
    TestMethod,
)

RESULT_TEXT = {
    "en": "No material deviations noted.",
    "da": "Ingen væsentlige afvigelser konstateret.",
}
STATUS_ORDER = [s.value for s in EngagementStatus]


# --- access ---------------------------------------------------------------------------------

def is_member(actor, engagement: Engagement, role: MemberRole | None = None) -> bool:
    """Whether the actor is on the engagement (in the given role)."""
    return any(m.user_id == getattr(actor, "id", None) and (role is None or m.role == role)
               for m in engagement.members)


def can_view_engagement(actor, engagement: Engagement) -> bool:
    """External auditors see only the engagements they are assigned to."""
    if not can(actor, Permission.VIEW_AUDITS):
        return False
    if Role(actor.role) == Role.EXTERNAL_AUDITOR:
        return is_member(actor, engagement, MemberRole.EXTERNAL)
    return True


def require_view(actor, engagement: Engagement) -> None:
    """Raise NotFound (not Forbidden: do not reveal it exists) unless the actor may see it."""
    if not can_view_engagement(actor, engagement):
        raise NotFound("No such engagement.")


def require_edit(actor, engagement: Engagement) -> None:
    """Only the audit function edits, and never an issued engagement."""
    require(actor, Permission.PERFORM_TESTS)
    if engagement.is_issued:
        raise Conflict("This engagement has been issued and is read-only.")


# --- reading --------------------------------------------------------------------------------

def list_engagements(session: Session, actor) -> list[Engagement]:
    """The engagements the actor may see, newest period first."""
    query = select(Engagement).options(selectinload(Engagement.members)).order_by(
        Engagement.period_end.desc(), Engagement.id.desc())
    if Role(actor.role) == Role.EXTERNAL_AUDITOR:
        query = query.join(EngagementMember).where(EngagementMember.user_id == actor.id,
                                                   EngagementMember.role == MemberRole.EXTERNAL)
    return list(session.scalars(query).unique())


def test_progress(session: Session, engagement_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per engagement: number of tests and of concluded tests (one query)."""
    rows = session.execute(
        select(ControlTest.engagement_id, ControlTest.conclusion, func.count(ControlTest.id))
        .where(ControlTest.engagement_id.in_(engagement_ids))
        .group_by(ControlTest.engagement_id, ControlTest.conclusion)).all()
    progress: dict[int, dict[str, int]] = {}
    for engagement_id, conclusion, count in rows:
        entry = progress.setdefault(engagement_id, {"tests": 0, "concluded": 0, "deviations": 0})
        entry["tests"] += count
        if conclusion != Conclusion.OPEN:
            entry["concluded"] += count
        if conclusion in (Conclusion.NOT_MATERIAL, Conclusion.MATERIAL):
            entry["deviations"] += count
    return progress


def get_engagement(session: Session, actor, engagement_id: int) -> Engagement:
    """An engagement the actor may see, with members and exclusions loaded."""
    engagement = session.scalar(select(Engagement).where(Engagement.id == engagement_id).options(
        selectinload(Engagement.members).joinedload(EngagementMember.user),
        selectinload(Engagement.exclusions).joinedload(ObjectiveExclusion.group)))
    if engagement is None:
        raise NotFound("No such engagement.")
    require_view(actor, engagement)
    return engagement


def engagement_tests(session: Session, engagement: Engagement, *options) -> list[ControlTest]:
    """The engagement's tests in catalogue order, with control, group and samples loaded.

    `options` load more with the tests (e.g. their populations), so callers keep a fixed
    number of queries.
    """
    return list(session.scalars(
        select(ControlTest).where(ControlTest.engagement_id == engagement.id)
        .join(Control, ControlTest.control_id == Control.id)
        .join(ControlGroup, Control.group_id == ControlGroup.id)
        .join(Catalogue, Control.catalogue_id == Catalogue.id)
        .options(joinedload(ControlTest.control).joinedload(Control.group),
                 joinedload(ControlTest.control).joinedload(Control.catalogue),
                 selectinload(ControlTest.samples).selectinload(Sample.items), *options)
        .order_by(Catalogue.slug, ControlGroup.position, Control.position)).unique())


def get_test(session: Session, actor, test_id: int) -> ControlTest:
    """A test with what its page shows, if the actor may see its engagement."""
    test = session.scalar(select(ControlTest).where(ControlTest.id == test_id).options(
        joinedload(ControlTest.engagement).selectinload(Engagement.members),
        joinedload(ControlTest.control).joinedload(Control.group),
        joinedload(ControlTest.control).joinedload(Control.catalogue),
        selectinload(ControlTest.populations),
        selectinload(ControlTest.samples).selectinload(Sample.items)))
    if test is None:
        raise NotFound("No such test.")
    require_view(actor, test.engagement)
    return test


def scope_groups(session: Session) -> list[Catalogue]:
    """Catalogues with their groups, for the scope picker."""
    return list(session.scalars(select(Catalogue).options(selectinload(Catalogue.groups))
                                .order_by(Catalogue.slug)))


# --- planning -------------------------------------------------------------------------------

@dataclass(frozen=True)
class EngagementPlan:
    """What a new engagement covers and who works on it."""

    name: str
    kind: str
    period_start: date | None
    period_end: date | None
    catalogues: Sequence[str] = ()
    control_keys: Sequence[str] = ()
    excluded_groups: dict[str, str] | None = None  # "catalogue:group" -> reason
    team_ids: Sequence[int] = ()
    external_ids: Sequence[int] = ()
    description: str | None = None


def _check_period(kind: str, start: date | None, end: date | None) -> tuple[date | None, date]:
    if kind not in {k.value for k in EngagementKind}:
        raise Invalid("kind", "Choose the kind of engagement.")
    if end is None:
        raise Invalid("period_end", "Give the date (type 1) or the last day of the period.")
    if kind == EngagementKind.ISAE3000_TYPE1:
        return None, end
    if start is None:
        raise Invalid("period_start", "Give the first day of the period.")
    if end < start:
        raise Invalid("period_end", "The period ends before it starts.")
    return start, end


def _members(session: Session, ids: Sequence[int], role: MemberRole) -> list[User]:
    wanted = Role.EXTERNAL_AUDITOR if role == MemberRole.EXTERNAL else None
    users = list(session.scalars(select(User).where(User.id.in_(list(ids)), User.active)))
    if len(users) != len(set(ids)):
        raise Invalid("team" if role == MemberRole.TEAM else "externals", "Unknown user chosen.")
    for user in users:
        if wanted and user.role != wanted:
            raise Invalid("externals", f"{user.name} is not an external auditor.")
        if not wanted and user.role not in (Role.ADMIN, Role.INTERNAL_AUDITOR):
            raise Invalid("team", f"{user.name} is not an internal auditor.")
    return users


def create_engagement(session: Session, actor, plan: EngagementPlan) -> Engagement:
    """Create an engagement and propose a test for every in-scope control activity."""
    require(actor, Permission.MANAGE_ENGAGEMENTS)
    name = (plan.name or "").strip()
    if not name:
        raise Invalid("name", "Give the engagement a name.")
    start, end = _check_period(plan.kind, plan.period_start, plan.period_end)
    controls = _scope_controls(session, plan.catalogues, plan.control_keys)
    exclusions = _exclusions(session, plan.excluded_groups or {}, controls)
    team = _members(session, plan.team_ids, MemberRole.TEAM)
    externals = _members(session, plan.external_ids, MemberRole.EXTERNAL)
    engagement = Engagement(name=name[:200], kind=plan.kind, period_start=start, period_end=end,
                            description=(plan.description or "").strip() or None,
                            created_by_id=getattr(actor, "id", None))
    session.add(engagement)
    engagement.members = [EngagementMember(user=u, role=MemberRole.TEAM) for u in team] + [
        EngagementMember(user=u, role=MemberRole.EXTERNAL) for u in externals]
    engagement.exclusions = [ObjectiveExclusion(group=group, reason=reason)
                             for group, reason in exclusions]
    excluded = {group.id for group, _reason in exclusions}
    for control in controls:
        if control.group_id not in excluded:
            session.add(_proposed_test(engagement, control))
    session.flush()
    append(session, actor, "engagement.created", engagement, {
        "name": name, "kind": plan.kind, "period": [start, end],
        "tests": len(controls) - sum(c.group_id in excluded for c in controls),
        "excluded": {g.code: r for g, r in exclusions},
        "team": [u.email for u in team], "externals": [u.email for u in externals]})
    session.commit()
    return engagement


def _scope_controls(session: Session, catalogues: Sequence[str], keys: Sequence[str]
                    ) -> list[Control]:
    if not catalogues and not keys:
        raise Invalid("catalogues", "Choose at least one catalogue or control for the scope.")
    found = list(session.scalars(select(Control).join(Catalogue).where(
        Control.retired_at.is_(None),
        Catalogue.slug.in_(list(catalogues)) | Control.key.in_(list(keys)))
        .options(joinedload(Control.group))))
    missing = set(keys) - {c.key for c in found}
    if missing:
        raise Invalid("controls", "Unknown control: " + ", ".join(sorted(missing)))
    unknown = set(catalogues) - set(session.scalars(
        select(Catalogue.slug).where(Catalogue.slug.in_(list(catalogues)))))
    if unknown:
        raise Invalid("catalogues", "Unknown catalogue: " + ", ".join(sorted(unknown)))
    return found


def _exclusions(session: Session, excluded: dict[str, str], controls: list[Control]):
    groups = {f"{c.catalogue.slug}:{c.group.code}": c.group for c in controls}
    result = []
    for code, reason in excluded.items():
        if code not in groups:
            raise Invalid("exclusions", f"Objective {code} is not in the scope.")
        if not (reason or "").strip():
            raise Invalid("exclusions", f"Say why objective {code} is not relevant.")
        result.append((groups[code], reason.strip()))
    return result


def _proposed_test(engagement: Engagement, control: Control) -> ControlTest:
    frequency = control.frequency or "event-driven"
    return ControlTest(
        engagement=engagement, control=control, frequency=frequency,
        methods=[TestMethod.INQUIRY.value, TestMethod.INSPECTION.value],
        procedure=control.test_procedure_en, risk_level="moderate",
        sizing_method=SizingMethod.FREQUENCY.value,
        planned_size=sampling.frequency_sample_size(frequency, "moderate"))


def set_engagement_status(session: Session, actor, engagement: Engagement, status: str,
                          version: int) -> Engagement:
    """Move the engagement through planning → fieldwork → review → issued.

    Issuing requires every test to be concluded; an issued engagement is frozen.
    """
    require(actor, Permission.MANAGE_ENGAGEMENTS)
    if engagement.is_issued:
        raise Conflict("This engagement has been issued and is read-only.")
    if version != engagement.version:
        raise Conflict("Someone else changed this engagement. Reload and retry.")
    if status not in STATUS_ORDER:
        raise Invalid("status", "Unknown status.")
    if status == EngagementStatus.ISSUED:
        open_tests = session.scalar(select(func.count(ControlTest.id)).where(
            ControlTest.engagement_id == engagement.id,
            ControlTest.conclusion == Conclusion.OPEN))
        if open_tests:
            raise Invalid("status", f"{open_tests} test(s) are not concluded yet; conclude them "
                                    "before issuing.")
        engagement.issued_at = utcnow()
    append(session, actor, "engagement.status", engagement,
           {"status": [engagement.status, status]})
    engagement.status = status
    session.commit()
    return engagement


def save_auditor_report(session: Session, actor, engagement: Engagement, text: str,
                        version: int) -> Engagement:
    """The independent auditor's report text that goes into the ISAE report."""
    require_edit(actor, engagement)
    if version != engagement.version:
        raise Conflict("Someone else changed this engagement. Reload and retry.")
    engagement.auditor_report = (text or "").strip() or None
    append(session, actor, "engagement.auditor_report", engagement,
           {"length": len(engagement.auditor_report or "")})
    session.commit()
    return engagement


# --- tests ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestPlan:
    """The editable design of a test."""

    methods: Sequence[str]
    procedure: str | None
    frequency: str | None
    risk_level: str
    sizing_method: str
    risk: str | None
    tolerable_rate: str | None
    expected_rate: str | None
    override_size: int | None
    override_reason: str | None


def computed_size(plan: TestPlan) -> int:
    """The sample size the plan's method gives, before any override."""
    if plan.sizing_method == SizingMethod.ATTRIBUTE:
        for name in ("risk", "tolerable_rate", "expected_rate"):
            if not getattr(plan, name):
                raise invalid(name, N_("Give the risk of overreliance and the tolerable and "
                                       "expected deviation rates."))
        n, _k = sampling.attribute_sample_size(plan.risk, plan.tolerable_rate, plan.expected_rate)
        return n
    return sampling.frequency_sample_size(plan.frequency or "event-driven", plan.risk_level)


def update_test_plan(session: Session, actor, test: ControlTest, plan: TestPlan,
                     version: int) -> ControlTest:
    """Change a test's methods, procedure and sample size (an override needs a reason)."""
    require_edit(actor, test.engagement)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    methods = [m for m in plan.methods if m in {t.value for t in TestMethod}]
    if not methods:
        raise Invalid("methods", "Choose at least one test method.")
    size = computed_size(plan)
    reason = (plan.override_reason or "").strip() or None
    if plan.override_size is not None and plan.override_size != size:
        if plan.override_size < 1:
            raise Invalid("override_size", "A sample has at least one item.")
        if not reason:
            raise Invalid("override_reason", "Say why the sample size differs from the "
                                             f"computed {size}.")
        size = plan.override_size
    else:
        reason = None
    changes = {}
    for column, value in (("methods", methods), ("procedure", (plan.procedure or "").strip()),
                          ("frequency", plan.frequency), ("risk_level", plan.risk_level),
                          ("sizing_method", plan.sizing_method), ("risk", plan.risk),
                          ("tolerable_rate", plan.tolerable_rate),
                          ("expected_rate", plan.expected_rate), ("planned_size", size),
                          ("size_override_reason", reason)):
        if getattr(test, column) != value:
            changes[column] = [getattr(test, column), value]
            setattr(test, column, value)
    if changes:
        append(session, actor, "test.planned", test, changes)
    session.commit()
    return test


@dataclass(frozen=True)
class ResultCounts:
    """How the latest sample's items came out."""

    sampled: int
    pending: int
    deviations: int
    not_applicable: int

    @property
    def tested(self) -> int:
        """Items with a result that counts (not pending, not n/a)."""
        return self.sampled - self.pending - self.not_applicable


def result_counts(test: ControlTest) -> ResultCounts:
    """Counts over the test's current (latest) sample."""
    items = test.samples[-1].items if test.samples else []
    return ResultCounts(
        sampled=len(items),
        pending=sum(i.result == ItemResult.PENDING for i in items),
        deviations=sum(i.result == ItemResult.DEVIATION for i in items),
        not_applicable=sum(i.result == ItemResult.NOT_APPLICABLE for i in items))


def suggested_result_text(test: ControlTest, lang: str) -> str:
    """What the report should say, from the results (the auditor may reword deviations)."""
    counts = result_counts(test)
    if counts.deviations == 0:
        return RESULT_TEXT["da" if lang.startswith("da") else "en"]
    if lang.startswith("da"):
        return (f"Vi har konstateret afvigelser i {counts.deviations} ud af {counts.tested} "
                "stikprøvevis udvalgte tilfælde.")
    return (f"We noted deviations in {counts.deviations} of {counts.tested} items sampled.")


def conclude_test(session: Session, actor, test: ControlTest, *, judgement: str | None,
                  result_text: str | None, management_comment: str | None,
                  version: int) -> ControlTest:
    """Conclude the test from its item results.

    No deviations gives the standard wording; with deviations the auditor judges them (not
    material / material) and words the result as the report should state it.
    """
    require_edit(actor, test.engagement)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    counts = result_counts(test)
    if counts.sampled and counts.pending:
        raise Invalid("judgement", f"{counts.pending} sampled item(s) have no result yet.")
    if counts.deviations == 0:
        conclusion = Conclusion.NO_DEVIATIONS
        text = RESULT_TEXT["en"]
    else:
        if judgement not in (Conclusion.NOT_MATERIAL, Conclusion.MATERIAL):
            raise Invalid("judgement", "Judge whether the deviations are material.")
        text = (result_text or "").strip()
        if not text:
            raise Invalid("result_text", "Describe the deviations as the report should state "
                                         "them.")
        conclusion = Conclusion(judgement)
    test.conclusion = conclusion.value
    test.result_text = text
    test.management_comment = (management_comment or "").strip() or None
    test.concluded_by_id = getattr(actor, "id", None)
    test.concluded_at = utcnow()
    append(session, actor, "test.concluded", test, {
        "control": test.control.key, "conclusion": conclusion.value,
        "deviations": counts.deviations, "sampled": counts.sampled, "result": text})
    session.commit()
    return test


def reopen_test(session: Session, actor, test: ControlTest, version: int) -> ControlTest:
    """Undo a conclusion (before the engagement is issued)."""
    require_edit(actor, test.engagement)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    append(session, actor, "test.reopened", test, {"was": test.conclusion})
    test.conclusion, test.concluded_at, test.concluded_by_id = Conclusion.OPEN.value, None, None
    session.commit()
    return test


def add_comment(session: Session, actor, engagement: Engagement, body: str,
                test: ControlTest | None = None) -> EngagementComment:
    """A remark on the engagement or a test; external auditors may comment on theirs."""
    require(actor, Permission.COMMENT_ENGAGEMENT)
    require_view(actor, engagement)
    body = (body or "").strip()
    if not body:
        raise Invalid("body", "Write the comment.")
    if len(body) > 5000:
        raise Invalid("body", "Keep the comment under 5000 characters.")
    comment = EngagementComment(engagement_id=engagement.id, test_id=test.id if test else None,
                                author_id=actor.id, body=body)
    session.add(comment)
    append(session, actor, "engagement.commented", comment,
           {"engagement": engagement.id, "test": test.id if test else None})
    session.commit()
    return comment


def list_comments(session: Session, engagement: Engagement, test: ControlTest | None = None):
    """Comments on the engagement (or on one test), oldest first."""
    query = select(EngagementComment).where(EngagementComment.engagement_id == engagement.id) \
        .options(joinedload(EngagementComment.author)).order_by(EngagementComment.id)
    if test is not None:
        query = query.where(EngagementComment.test_id == test.id)
    return list(session.scalars(query))


def test_deviations(session: Session, test: ControlTest) -> list[Deviation]:
    """Findings raised from this test."""
    return list(session.scalars(select(Deviation).where(Deviation.test_id == test.id)
                                .options(joinedload(Deviation.owner)).order_by(Deviation.id)))


def evaluation(test: ControlTest) -> sampling.SampleEvaluation | None:
    """For attribute-sampled tests with results: the upper deviation limit against tolerable."""
    counts = result_counts(test)
    if test.sizing_method != SizingMethod.ATTRIBUTE or not counts.tested or counts.pending:
        return None
    return sampling.evaluate_sample(counts.tested, counts.deviations, Decimal(test.risk),
                                    Decimal(test.tolerable_rate))

