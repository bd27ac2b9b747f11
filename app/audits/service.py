"""Engagements and their test plans: reading, scope, team and firm, status, sizing, comments.

Every public function is one unit of work: permission → validation → write → ledger → commit.
Issued engagements are read-only for everyone. Who may do what is decided in `access.py`;
conclusions, reviews and the test texts are in `conclusions.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..auth.models import User
from ..auth.permissions import Permission, Role, require
from ..catalogue.models import Catalogue, Control, ControlGroup
from ..db import utcnow
from ..errors import N_, Conflict, Forbidden, Invalid, NotFound, invalid
from ..firms.models import AuditFirm, AuditFirmMember
from ..ledger.service import append
from . import sampling
from .access import (  # noqa: F401  (re-exported: the other audit modules import them from here)
    can_change_status,
    can_view_engagement,
    is_member,
    require_edit,
    require_fieldwork,
    require_view,
    visible_engagements_clause,
)
from .models import (
    ASSURANCE_KINDS,
    Conclusion,
    ControlTest,
    Engagement,
    EngagementComment,
    EngagementKind,
    EngagementMember,
    EngagementStatus,
    ItemResult,
    MemberRole,
    ObjectiveExclusion,
    Population,
    Sample,
    SizingMethod,
    TestMethod,
)

STATUS_ORDER = [s.value for s in EngagementStatus]
# hook(session, actor, engagement, what) runs (flushing only) after a change that the report's
# signatures rest on: a concluded test reopened or re-worded, the engagement moved back.
AFTER_CHANGE: list[Callable] = []


def changed(session: Session, actor, engagement: Engagement, what: str) -> None:
    """Tell the registered hooks that something the report rests on changed."""
    for hook in AFTER_CHANGE:
        hook(session, actor, engagement, what)


def _role(actor) -> Role | None:
    role = getattr(actor, "role", None)
    return Role(role) if role in Role._value2member_map_ else None


# --- reading --------------------------------------------------------------------------------

def list_engagements(session: Session, actor) -> list[Engagement]:
    """The engagements the actor may see, newest period first."""
    query = select(Engagement).options(
        selectinload(Engagement.members), joinedload(Engagement.firm)).order_by(
        Engagement.period_end.desc(), Engagement.id.desc())
    if _role(actor) == Role.EXTERNAL_AUDITOR:
        query = query.where(visible_engagements_clause(actor))
    return list(session.scalars(query).unique())


def test_progress(session: Session, engagement_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per engagement: tests, concluded, reviewed and with deviations (one query)."""
    rows = session.execute(
        select(ControlTest.engagement_id, ControlTest.conclusion,
               ControlTest.reviewed_at.is_not(None), func.count(ControlTest.id))
        .where(ControlTest.engagement_id.in_(engagement_ids))
        .group_by(ControlTest.engagement_id, ControlTest.conclusion,
                  ControlTest.reviewed_at.is_not(None))).all()
    progress: dict[int, dict[str, int]] = {}
    for engagement_id, conclusion, reviewed, count in rows:
        entry = progress.setdefault(engagement_id, {"tests": 0, "concluded": 0, "reviewed": 0,
                                                    "deviations": 0})
        entry["tests"] += count
        if conclusion != Conclusion.OPEN:
            entry["concluded"] += count
            entry["reviewed"] += count if reviewed else 0
        if conclusion in (Conclusion.NOT_MATERIAL, Conclusion.MATERIAL):
            entry["deviations"] += count
    return progress


def _engagement_options():
    return (selectinload(Engagement.members).joinedload(EngagementMember.user),
            selectinload(Engagement.exclusions).joinedload(ObjectiveExclusion.group),
            joinedload(Engagement.firm).selectinload(AuditFirm.members),
            joinedload(Engagement.partner))


def get_engagement(session: Session, actor, engagement_id: int) -> Engagement:
    """An engagement the actor may see, with members, exclusions, firm and partner loaded."""
    engagement = session.scalar(select(Engagement).where(Engagement.id == engagement_id)
                                .options(*_engagement_options()))
    if engagement is None:
        raise NotFound("No such engagement.")
    require_view(actor, engagement)
    return engagement


def engagement_tests(session: Session, engagement: Engagement, *options) -> list[ControlTest]:
    """The engagement's tests in catalogue order, with control, samples and sign-offs loaded.

    `options` load more with the tests, so callers keep a fixed number of queries.
    """
    return list(session.scalars(
        select(ControlTest).where(ControlTest.engagement_id == engagement.id)
        .join(Control, ControlTest.control_id == Control.id)
        .join(ControlGroup, Control.group_id == ControlGroup.id)
        .join(Catalogue, Control.catalogue_id == Catalogue.id)
        .options(joinedload(ControlTest.control).joinedload(Control.group),
                 joinedload(ControlTest.control).joinedload(Control.catalogue),
                 joinedload(ControlTest.concluded_by), joinedload(ControlTest.reviewed_by),
                 selectinload(ControlTest.populations),
                 selectinload(ControlTest.samples).selectinload(Sample.items), *options)
        .order_by(Catalogue.slug, ControlGroup.position, Control.position)).unique())


def get_test(session: Session, actor, test_id: int) -> ControlTest:
    """A test with what its page shows, if the actor may see its engagement."""
    test = session.scalar(select(ControlTest).where(ControlTest.id == test_id).options(
        joinedload(ControlTest.engagement).selectinload(Engagement.members),
        joinedload(ControlTest.engagement).joinedload(Engagement.firm)
        .selectinload(AuditFirm.members),
        joinedload(ControlTest.control).joinedload(Control.group),
        joinedload(ControlTest.control).joinedload(Control.catalogue),
        joinedload(ControlTest.concluded_by), joinedload(ControlTest.reviewed_by),
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
    """What a new engagement covers and who works on it.

    ISAE 3000 engagements name the audit firm and its engagement partner; the partner and the
    firm's other auditors chosen in `external_ids` work on it. Internal engagements have neither.
    """

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
    firm_id: int | None = None
    partner_id: int | None = None
    lang: str = "en"  # the language the exclusion reasons are written in


def _check_period(kind: str, start: date | None, end: date | None) -> tuple[date | None, date]:
    if kind not in {k.value for k in EngagementKind}:
        raise Invalid("kind", "Choose the kind of engagement.")
    if end is None:
        raise Invalid("period_end", "Give the date (type 1) or the last day of the period.")
    if not date(1990, 1, 1) <= end <= date(2100, 12, 31):
        raise Invalid("period_end", "Give a date between 1990 and 2100.")
    if kind == EngagementKind.ISAE3000_TYPE1:
        return None, end
    if start is None:
        raise Invalid("period_start", "Give the first day of the period.")
    if not date(1990, 1, 1) <= start:
        raise Invalid("period_start", "Give a date between 1990 and 2100.")
    if end < start:
        raise Invalid("period_end", "The period ends before it starts.")
    return start, end


def _team(session: Session, ids: Sequence[int]) -> list[User]:
    users = list(session.scalars(select(User).where(User.id.in_(list(ids)), User.active)))
    if len(users) != len(set(ids)):
        raise Invalid("team", "Unknown user chosen.")
    for user in users:
        if user.role not in (Role.ADMIN, Role.INTERNAL_AUDITOR):
            raise Invalid("team", f"{user.name} is not an internal auditor.")
    return users


def _firm_people(session: Session, plan: EngagementPlan) -> tuple[AuditFirm | None, list[User]]:
    """The firm and its auditors for an ISAE engagement (partner first); none for internal."""
    if plan.kind not in ASSURANCE_KINDS:
        if plan.firm_id or plan.external_ids or plan.partner_id:
            raise Invalid("firm_id", "Only ISAE 3000 engagements have an audit firm; internal "
                                     "audits are performed by the internal audit team.")
        return None, []
    firm = session.scalar(select(AuditFirm).where(AuditFirm.id == plan.firm_id)
                          .options(selectinload(AuditFirm.members)
                                   .joinedload(AuditFirmMember.user))) if plan.firm_id else None
    if firm is None:
        raise Invalid("firm_id", "Choose the audit firm that performs the engagement.")
    members = {m.user_id: m for m in firm.members if m.user.active}
    partner = members.get(plan.partner_id) if plan.partner_id else None
    if partner is None or not partner.is_state_authorised:
        raise Invalid("partner_id", "Choose the engagement partner: a state-authorised auditor "
                                    f"of {firm.name} with an MNE number.")
    people = [partner.user]
    for user_id in dict.fromkeys(plan.external_ids):
        if user_id == partner.user_id:
            continue
        if user_id not in members:
            raise Invalid("externals", f"Only auditors of {firm.name} can work on its "
                                       "engagements.")
        people.append(members[user_id].user)
    return firm, people


def create_engagement(session: Session, actor, plan: EngagementPlan) -> Engagement:
    """Create an engagement and propose a test for every in-scope control activity."""
    require(actor, Permission.MANAGE_ENGAGEMENTS)
    name = (plan.name or "").strip()
    if not name:
        raise Invalid("name", "Give the engagement a name.")
    start, end = _check_period(plan.kind, plan.period_start, plan.period_end)
    controls = _scope_controls(session, plan.catalogues, plan.control_keys)
    exclusions = _exclusions(plan.excluded_groups or {}, controls)
    team = _team(session, plan.team_ids)
    firm, externals = _firm_people(session, plan)
    engagement = Engagement(name=name[:200], kind=plan.kind, period_start=start, period_end=end,
                            description=(plan.description or "").strip() or None,
                            created_by_id=getattr(actor, "id", None),
                            firm_id=firm.id if firm else None,
                            partner_id=externals[0].id if externals else None)
    session.add(engagement)
    engagement.members = [EngagementMember(user=u, role=MemberRole.TEAM) for u in team] + [
        EngagementMember(user=u, role=MemberRole.EXTERNAL) for u in externals]
    da = plan.lang.startswith("da")
    engagement.exclusions = [ObjectiveExclusion(group=group, reason_da=reason if da else None,
                                                reason_en=None if da else reason)
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
        "team": [u.email for u in team], "firm": firm.name if firm else None,
        "partner": externals[0].email if externals else None,
        "externals": [u.email for u in externals]})
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


def _exclusions(excluded: dict[str, str], controls: list[Control]):
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
        procedure=control.test_procedure_en, test_performed_en=control.test_performed_en,
        test_performed_da=control.test_performed_da, risk_level="moderate",
        sizing_method=SizingMethod.FREQUENCY.value,
        planned_size=sampling.frequency_sample_size(frequency, "moderate"))


def set_engagement_status(session: Session, actor, engagement: Engagement, status: str,
                          version: int, reason: str | None = None) -> Engagement:
    """Move the engagement between planning, fieldwork and review (and issue internal ones).

    Moving back from review reopens the fieldwork and needs a reason. An ISAE 3000 engagement
    is issued through `reports.issue.issue_engagement`, which checks the report is complete.
    """
    if not can_change_status(actor, engagement):
        if engagement.is_issued:
            raise Conflict("This engagement has been issued and is read-only.")
        raise Forbidden("You may not change this engagement's status.")
    if version != engagement.version:
        raise Conflict("Someone else changed this engagement. Reload and retry.")
    if status not in STATUS_ORDER:
        raise Invalid("status", "Unknown status.")
    reason = (reason or "").strip() or None
    changes = {"status": [engagement.status, status]}
    if status == EngagementStatus.ISSUED:
        if engagement.is_assurance:
            raise Invalid("status", "Issue an ISAE 3000 report from its report page: it checks "
                                    "that everything the report needs is there.")
        open_tests = session.scalar(select(func.count(ControlTest.id)).where(
            ControlTest.engagement_id == engagement.id,
            ControlTest.conclusion == Conclusion.OPEN))
        if open_tests:
            raise Invalid("status", f"{open_tests} test(s) are not concluded yet; conclude them "
                                    "before issuing.")
        engagement.issued_at = utcnow()
    elif engagement.status == EngagementStatus.REVIEW and status != EngagementStatus.REVIEW:
        if not reason:
            raise Invalid("reason", "Say why the engagement goes back from review: its "
                                    "fieldwork opens again.")
        changes["reason"] = reason
        changed(session, actor, engagement, "engagement reopened")
    append(session, actor, "engagement.status", engagement, changes)
    engagement.status = status
    session.commit()
    return engagement


# --- test plans -----------------------------------------------------------------------------

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


def latest_population(test: ControlTest) -> Population | None:
    """The newest imported population of the test, if any."""
    ready = [p for p in test.populations if p.is_ready]
    return ready[-1] if ready else None


def _period_days(engagement: Engagement) -> int:
    start = engagement.period_start or engagement.period_end
    return (engagement.period_end - start).days + 1


def computed_size(plan: TestPlan, population_size: int | None = None,
                  period_days: int = 365) -> int:
    """The sample size the plan's method gives, before any override.

    An event-driven control is sized as the frequency row nearest to its number of
    occurrences in the period, once a population says how many there were; the population
    caps every size.
    """
    if plan.sizing_method == SizingMethod.ATTRIBUTE:
        for name in ("risk", "tolerable_rate", "expected_rate"):
            if not getattr(plan, name):
                raise invalid(name, N_("Give the risk of overreliance and the tolerable and "
                                       "expected deviation rates."))
        n, _k = sampling.attribute_sample_size(plan.risk, plan.tolerable_rate, plan.expected_rate)
        return n if population_size is None else min(n, population_size)
    frequency = plan.frequency or "event-driven"
    if frequency == "event-driven" and population_size is not None:
        frequency = sampling.frequency_for_occurrences(population_size, period_days)
        if frequency is None:
            return 0
    return sampling.frequency_sample_size(frequency, plan.risk_level, population_size)


def plan_of(test: ControlTest) -> TestPlan:
    """The test's stored design as a TestPlan."""
    return TestPlan(methods=test.methods, procedure=test.procedure, frequency=test.frequency,
                    risk_level=test.risk_level, sizing_method=test.sizing_method, risk=test.risk,
                    tolerable_rate=test.tolerable_rate, expected_rate=test.expected_rate,
                    override_size=None, override_reason=None)


def suggested_size(test: ControlTest, population: Population) -> int:
    """The size to draw from `population`: the override, or the plan sized for it."""
    if test.size_override_reason and test.planned_size:
        return min(test.planned_size, population.row_count or 0)
    return computed_size(plan_of(test), population.row_count or 0,
                         _period_days(test.engagement))


def sizing_note(test: ControlTest, population: Population | None) -> dict | None:
    """For an event-driven test with a population: the occurrences and the row they match."""
    if (population is None or test.sizing_method != SizingMethod.FREQUENCY
            or (test.frequency or "event-driven") != "event-driven" or test.size_override_reason):
        return None
    return {"occurrences": population.row_count,
            "frequency": sampling.frequency_for_occurrences(population.row_count or 0,
                                                            _period_days(test.engagement)),
            "size": suggested_size(test, population)}


def update_test_plan(session: Session, actor, test: ControlTest, plan: TestPlan,
                     version: int) -> ControlTest:
    """Change a test's methods, procedure and sample size (an override needs a reason)."""
    require_edit(actor, test.engagement)
    if test.is_concluded:
        raise Conflict("The test is concluded; reopen it (with a reason) to change its plan.")
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    methods = [m for m in plan.methods if m in {t.value for t in TestMethod}]
    if not methods:
        raise Invalid("methods", "Choose at least one test method.")
    population = latest_population(test)
    size = computed_size(plan, population.row_count if population else None,
                         _period_days(test.engagement))
    reason = (plan.override_reason or "").strip() or None
    if plan.override_size is not None and plan.override_size != size:
        if not 1 <= plan.override_size <= sampling.MAX_STATISTICAL_SAMPLE:
            raise Invalid("override_size", "A sample has between 1 and "
                                           f"{sampling.MAX_STATISTICAL_SAMPLE} items.")
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
    population: int | None = None

    @property
    def tested(self) -> int:
        """Items with a result that counts (not pending, not n/a)."""
        return self.sampled - self.pending - self.not_applicable


def result_counts(test: ControlTest) -> ResultCounts:
    """Counts over the test's current (latest) sample."""
    sample = test.samples[-1] if test.samples else None
    items = sample.items if sample else []
    return ResultCounts(
        sampled=len(items),
        pending=sum(i.result == ItemResult.PENDING for i in items),
        deviations=sum(i.result == ItemResult.DEVIATION for i in items),
        not_applicable=sum(i.result == ItemResult.NOT_APPLICABLE for i in items),
        population=sample.population_size if sample else None)


# --- comments -------------------------------------------------------------------------------

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
