"""Concluding, reopening and reviewing a test; its report texts; evaluating its sample.

The preparer signs a test off by concluding it; a reviewer (for ISAE work, an auditor of the
firm, never the preparer) signs it off again. Any later change clears the review, and reopening
asks for a reason; both are in the ledger. Texts the report prints (the test as performed, the
deviations found, management's comment) are stored per language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..auth.permissions import Permission, require
from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid
from ..ledger.service import append
from . import sampling
from .access import can_review, require_edit
from .models import Conclusion, ControlTest, Deviation, SizingMethod
from .service import changed, result_counts

NO_DEVIATIONS = {
    "en": "No material deviations noted.",
    "da": "Ingen væsentlige afvigelser konstateret.",
}
# Risk of overreliance and tolerable rate used to evaluate a sample sized by control frequency
# (the attribute-sampling plan's own rates are used when it has them).
FREQUENCY_RISK = "0.10"
FREQUENCY_TOLERABLE = {"low": "0.10", "moderate": "0.10", "high": "0.05"}
TEXT_FIELDS = ("test_performed", "result_text", "management_comment")
MAX_TEXT = 8000


@dataclass(frozen=True)
class TestTexts:
    """What the report prints for a test, per language; None leaves a text unchanged."""

    test_performed_en: str | None = None
    test_performed_da: str | None = None
    result_text_en: str | None = None
    result_text_da: str | None = None
    management_comment_en: str | None = None
    management_comment_da: str | None = None

    def values(self) -> dict[str, str | None]:
        """The given texts by column, stripped (empty becomes None)."""
        result = {}
        for field in TEXT_FIELDS:
            for lang in ("en", "da"):
                value = getattr(self, f"{field}_{lang}")
                if value is not None:
                    text = value.strip()
                    if len(text) > MAX_TEXT:
                        raise Invalid(f"{field}_{lang}", f"Keep the text under {MAX_TEXT} "
                                                         "characters.")
                    result[f"{field}_{lang}"] = text or None
        return result


@dataclass(frozen=True)
class Evaluation:
    """What the sample says about reliance on the control.

    `upper_limit` is None for a frequency-sized sample without deviations (its size table is
    the basis); `extend_by` is how many more items (with no further deviations) would support
    reliance, None when no extension within the population would.
    """

    method: str
    tested: int
    deviations: int
    risk: Decimal
    tolerable_rate: Decimal
    upper_limit: Decimal | None
    supports_reliance: bool
    extend_by: int | None


def evaluation(test: ControlTest) -> Evaluation | None:
    """Evaluate the test's current sample once every item has a result (None before)."""
    counts = result_counts(test)
    if not counts.tested or counts.pending:
        return None
    attribute = test.sizing_method == SizingMethod.ATTRIBUTE and test.risk and \
        test.tolerable_rate
    risk = Decimal(test.risk if attribute else FREQUENCY_RISK)
    tolerable = Decimal(test.tolerable_rate if attribute
                        else FREQUENCY_TOLERABLE.get(test.risk_level, "0.10"))
    if not attribute and counts.deviations == 0:
        return Evaluation("frequency", counts.tested, 0, risk, tolerable, None, True, 0)
    result = sampling.evaluate_sample(counts.tested, counts.deviations, risk, tolerable)
    extend_by = None if result.supports_reliance else sampling.extension_for_reliance(
        counts.tested, counts.deviations, risk, tolerable,
        (counts.population or counts.sampled) - counts.not_applicable)
    return Evaluation("attribute" if attribute else "frequency", counts.tested,
                      counts.deviations, risk, tolerable, result.upper_limit,
                      result.supports_reliance, 0 if result.supports_reliance else extend_by)


def _apply_texts(test: ControlTest, texts: TestTexts) -> dict:
    changes = {}
    for column, value in texts.values().items():
        if getattr(test, column) != value:
            changes[column] = [getattr(test, column), value]
            setattr(test, column, value)
    return changes


def _clear_review(session: Session, actor, test: ControlTest, why: str) -> None:
    """A change after review clears the review (flushes only)."""
    if test.reviewed_at is None:
        return
    append(session, actor, "test.review_cleared", test, {
        "reviewed_by": test.reviewed_by_id, "reviewed_at": test.reviewed_at, "because": why})
    test.reviewed_by_id, test.reviewed_at = None, None


def conclude_test(session: Session, actor, test: ControlTest, *, judgement: str | None,
                  texts: TestTexts | None = None, justification: str | None = None,
                  version: int) -> ControlTest:
    """Conclude the test from its item results; the conclusion is the preparer's sign-off.

    No deviations gives the standard wording. With deviations the auditor judges them (not
    material / material) and describes them as the report should state them. Judging them not
    material although the sample does not support reliance needs a written justification.
    """
    require_edit(actor, test.engagement)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    if test.is_concluded:
        raise Conflict("The test is already concluded.")
    counts = result_counts(test)
    if counts.sampled and counts.pending:
        raise Invalid("judgement", f"{counts.pending} sampled item(s) have no result yet.")
    given = (texts or TestTexts()).values()
    merged = {column: given.get(column, getattr(test, column)) for column in
              ("result_text_en", "result_text_da")}
    justification = (justification or "").strip() or None
    if counts.deviations == 0:
        conclusion = Conclusion.NO_DEVIATIONS
        justification = None
    else:
        if judgement not in (Conclusion.NOT_MATERIAL, Conclusion.MATERIAL):
            raise Invalid("judgement", "Judge whether the deviations are material.")
        if not (merged["result_text_en"] or merged["result_text_da"]):
            raise Invalid("result_text_en", "Describe the deviations as the report should "
                                            "state them.")
        conclusion = Conclusion(judgement)
        assessed = evaluation(test)
        if conclusion == Conclusion.NOT_MATERIAL and assessed and not assessed.supports_reliance:
            if not justification:
                raise Invalid("justification", "The sample does not support reliance (upper "
                                               f"deviation limit {assessed.upper_limit:.1%} "
                                               f"against {assessed.tolerable_rate:.1%}); say "
                                               "why the deviations are nevertheless not "
                                               "material, or extend the sample.")
        if conclusion == Conclusion.MATERIAL:
            justification = None
    changes = _apply_texts(test, texts or TestTexts())
    test.conclusion = conclusion.value
    test.judgement_justification = justification
    test.concluded_by_id, test.concluded_at = getattr(actor, "id", None), utcnow()
    test.reviewed_by_id, test.reviewed_at = None, None
    append(session, actor, "test.concluded", test, {
        "control": test.control.key, "conclusion": conclusion.value,
        "deviations": counts.deviations, "sampled": counts.sampled,
        "justification": justification, "texts": changes})
    session.commit()
    return test


def update_test_texts(session: Session, actor, test: ControlTest, texts: TestTexts,
                      version: int) -> ControlTest:
    """Change what the report prints for the test (e.g. add a translation).

    On a reviewed test the change clears the review, and the report's signature is withdrawn.
    """
    require_edit(actor, test.engagement)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    given = texts.values()
    if test.has_deviations and not any(given.get(c, getattr(test, c))
                                       for c in ("result_text_en", "result_text_da")):
        raise Invalid("result_text_en", "Describe the deviations as the report should state "
                                        "them.")
    changes = _apply_texts(test, texts)
    if changes:
        append(session, actor, "test.texts", test, changes)
        if test.is_concluded:
            _clear_review(session, actor, test, "texts changed")
            changed(session, actor, test.engagement, f"test {test.control.code} re-worded")
    session.commit()
    return test


def reopen_test(session: Session, actor, test: ControlTest, reason: str | None,
                version: int) -> ControlTest:
    """Undo a conclusion (before the engagement is issued); the reason goes to the ledger."""
    require_edit(actor, test.engagement)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    if not test.is_concluded:
        raise Conflict("The test is not concluded.")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("reason", "Say why the test is reopened.")
    append(session, actor, "test.reopened", test, {
        "was": test.conclusion, "concluded_by": test.concluded_by_id,
        "reviewed_by": test.reviewed_by_id, "reason": reason})
    test.conclusion, test.concluded_at, test.concluded_by_id = Conclusion.OPEN.value, None, None
    test.reviewed_at, test.reviewed_by_id = None, None
    changed(session, actor, test.engagement, f"test {test.control.code} reopened")
    session.commit()
    return test


def review_test(session: Session, actor, test: ControlTest, version: int) -> ControlTest:
    """Sign the concluded test off as reviewer."""
    require(actor, Permission.REVIEW_TESTS)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    if not test.is_concluded:
        raise Conflict("Conclude the test before reviewing it.")
    if test.reviewed_at is not None:
        raise Conflict("The test is already reviewed.")
    if not can_review(actor, test):
        if test.concluded_by_id == getattr(actor, "id", None):
            raise Forbidden("The preparer cannot review their own test.")
        raise Forbidden("Only an auditor of the engagement's firm reviews its tests."
                        if test.engagement.is_assurance else "You may not review this test.")
    test.reviewed_by_id, test.reviewed_at = actor.id, utcnow()
    append(session, actor, "test.reviewed", test, {
        "control": test.control.key, "conclusion": test.conclusion,
        "prepared_by": test.concluded_by_id})
    session.commit()
    return test


def test_deviations(session: Session, test: ControlTest) -> list[Deviation]:
    """Findings raised from this test."""
    return list(session.scalars(select(Deviation).where(Deviation.test_id == test.id)
                                .options(joinedload(Deviation.owner)).order_by(Deviation.id)))
