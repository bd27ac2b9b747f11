"""Audit API: sampling plans, engagements and their tests (so scripts can check a report)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, RootModel
from pydantic_core import PydanticCustomError

from ..api.spec import ApiModel, QueryModel, operation
from ..api.views import bp
from ..auth.current import current_actor
from ..auth.permissions import Permission
from ..errors import Invalid
from ..extensions import db
from . import sampling, service
from .models import Conclusion, EngagementKind, EngagementStatus, TestMethod

_RATE = re.compile(sampling.RATE_PATTERN)


def _rate_text(value):
    """Refuse what is not written like a rate, with a message that shows how to write one."""
    if isinstance(value, str) and len(value) <= 40 and _RATE.fullmatch(value):
        return value
    raise PydanticCustomError("rate", "Write the rate as 0.05, 5 % or 0,05.")


#: A rate as people write it: "0.05", "5 %", "5%" or "0,05" (at most four decimals as a fraction).
Rate = Annotated[str, BeforeValidator(_rate_text),
                 Field(max_length=40, pattern=sampling.RATE_PATTERN,
                       examples=["0.05", "5 %", "0,01"])]
# The calculator's parameter names for the fields attribute_sample_size names.
_FIELDS = {"tolerable_rate": "tolerable", "expected_rate": "expected"}


class SamplingQuery(QueryModel):
    """A statistical sampling plan."""

    risk: Literal["0.05", "0.10"] = Field(description="Risk of overreliance: 0.05 or 0.10")
    tolerable: Rate = Field(description="Tolerable deviation rate, 0.5 %–50 %, e.g. 0.05 or 5 %")
    expected: Rate = Field("0", description="Expected deviation rate, below the tolerable "
                                            "(default 0)")


class SamplingPlan(ApiModel):
    """The sample size (AICPA Audit Sampling, Appendix A) and the deviations it tolerates."""

    risk: str
    tolerable: str = Field(description="The tolerable rate as a decimal fraction")
    expected: str = Field(description="The expected rate as a decimal fraction")
    sample_size: int
    tolerable_deviations: int
    upper_deviation_limit: str = Field(description="With that many deviations found, rounded "
                                                   "up to 0.001")


class EngagementOut(ApiModel):
    """An engagement: what is audited, over which period, and how far it has come."""

    id: int
    name: str
    kind: EngagementKind
    period_start: date | None = Field(description="None for a type 1 report (at a date)")
    period_end: date
    status: EngagementStatus
    issued_at: datetime | None

    @classmethod
    def fields_of(cls, engagement) -> dict:
        """The members of `engagement` this model has."""
        return {"id": engagement.id, "name": engagement.name, "kind": engagement.kind,
                "period_start": engagement.period_start, "period_end": engagement.period_end,
                "status": engagement.status, "issued_at": engagement.issued_at}


class EngagementProgress(EngagementOut):
    """An engagement in a list, with how many of its tests are concluded."""

    tests: int
    concluded: int


class EngagementList(RootModel[list[EngagementProgress]]):
    """The engagements the token's user may see."""


class SampleOut(ApiModel):
    """A drawn sample: reproducible from its seed and the population's fingerprint."""

    seed: str
    population_fingerprint: str
    population_size: int
    size: int


class TestOut(ApiModel):
    """A test of one control: plan, sample, results and conclusion."""

    id: int
    control: str = Field(description="The control's key")
    methods: list[TestMethod]
    planned_size: int | None
    sampled: int
    deviations: int
    conclusion: Conclusion
    result: str | None = Field(description="The result as the report states it, in English")
    result_da: str | None
    management_comment: str | None = Field(description="Management's comment, in English")
    management_comment_da: str | None
    prepared_at: datetime | None = Field(description="When the test was concluded")
    reviewed_at: datetime | None
    sample: list[SampleOut]


class EngagementTests(ApiModel):
    """An engagement with every test."""

    engagement: EngagementOut
    tests: list[TestOut]


@operation(bp, "GET", "/sampling/plan", Permission.VIEW_AUDITS, tag="audits",
           summary="Attribute sample size (AICPA Appendix A)", query=SamplingQuery,
           responses={200: SamplingPlan})
def sampling_plan(query: SamplingQuery):
    """Attribute sample size for a risk, tolerable rate and expected rate.

    The rates are parsed and bounded before any arithmetic, and the search is bounded in
    steps, so every plan answers in milliseconds. 422 names the parameter at fault.
    """
    try:
        tolerable = sampling.parse_rate(query.tolerable, "tolerable_rate")
        expected = sampling.parse_rate(query.expected, "expected_rate")
        n, k = sampling.attribute_sample_size(query.risk, tolerable, expected)
    except Invalid as error:
        raise Invalid(_FIELDS.get(error.field, error.field), error.message) from None
    return SamplingPlan(risk=query.risk, tolerable=str(tolerable), expected=str(expected),
                        sample_size=n, tolerable_deviations=k,
                        upper_deviation_limit=str(sampling.upper_deviation_limit(n, k,
                                                                                 query.risk)))


@operation(bp, "GET", "/engagements", Permission.VIEW_AUDITS, tag="audits",
           summary="Engagements visible to the token's user", responses={200: EngagementList})
def list_engagements():
    """The engagements the token's user may see."""
    engagements = service.list_engagements(db.session, current_actor())
    progress = service.test_progress(db.session, [e.id for e in engagements])
    return EngagementList([EngagementProgress(
        **EngagementOut.fields_of(e), tests=progress.get(e.id, {}).get("tests", 0),
        concluded=progress.get(e.id, {}).get("concluded", 0)) for e in engagements])


@operation(bp, "GET", "/engagements/<int:engagement_id>/tests", Permission.VIEW_AUDITS,
           tag="audits", summary="Tests of an engagement with control keys and conclusions",
           responses={200: EngagementTests}, errors=(404,))
def list_tests(engagement_id: int):
    """Every test of an engagement with its control key, sample and conclusion.

    404 when there is no such engagement or the token's user may not see it.
    """
    engagement = service.get_engagement(db.session, current_actor(), engagement_id)
    tests = []
    for test in service.engagement_tests(db.session, engagement):
        counts = service.result_counts(test)
        tests.append(TestOut(
            id=test.id, control=test.control.key, methods=test.methods,
            planned_size=test.planned_size, sampled=counts.sampled,
            deviations=counts.deviations, conclusion=test.conclusion,
            result=test.result_text_en, result_da=test.result_text_da,
            management_comment=test.management_comment_en,
            management_comment_da=test.management_comment_da,
            prepared_at=test.concluded_at, reviewed_at=test.reviewed_at,
            sample=[SampleOut(seed=s.seed, population_fingerprint=s.population_fingerprint,
                              population_size=s.population_size, size=s.size)
                    for s in test.samples]))
    return EngagementTests(engagement=EngagementOut(**EngagementOut.fields_of(engagement)),
                           tests=tests)
