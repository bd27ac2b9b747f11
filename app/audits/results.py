"""Recording what the auditor found for sampled items: one item, or a whole sample at once.

Results are fieldwork: they are locked on a concluded test and while the engagement is in
review (`access.require_fieldwork`); a reviewed test is concluded, so changing a result means
reopening it, which clears the review. A batch is one unit of work: every changed row is checked
first, and if one is wrong nothing is written (the page shows each error at its row). Each
changed item gets its own ledger entry. Evidence attached to an item must be about the test's
control (`evidence_for_control`) and readable by the auditor.

Messages meant for people are English templates (`N_`) with their parameters, so the API shows
the English and the pages translate them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import committed, utcnow
from ..errors import Conflict, Invalid
from ..evidence.models import Evidence, evidence_control
from ..evidence.service import (
    N_,
    can_read_evidence,
    evidence_for_control,
    invalid,
    readable_evidence,
)
from ..ledger.service import append
from .access import require_fieldwork
from .models import ControlTest, ItemResult, SampleItem

MAX_NOTE = 2000
EVIDENCE_CHOICES = 50  # the most recent evidence for the control offered per item


@dataclass(frozen=True)
class ResultRow:
    """What the auditor entered for one item; `version` is the item's version they saw."""

    item_id: int
    result: str
    note: str | None = None
    evidence_id: int | None = None
    version: int = 0


class RowErrors(Invalid):
    """Some rows of a batch are wrong and nothing was written: `rows[item_id][field]`."""

    def __init__(self, rows: dict[int, dict[str, Invalid]]):
        template = N_("Nothing was saved: %(count)d row(s) need attention.")
        super().__init__(None, template % {"count": len(rows)})
        self.template, self.params, self.rows = template, {"count": len(rows)}, rows


@dataclass(frozen=True)
class Saved:
    """What a save did: results by kind, and how many pending items were marked."""

    by_result: dict[str, int]
    marked_rest: int = 0

    @property
    def saved(self) -> int:
        """How many items changed."""
        return sum(self.by_result.values())


def current_items(test: ControlTest) -> list[SampleItem]:
    """The items of the test's current (latest) sample, in population order."""
    return list(test.samples[-1].items) if test.samples else []


def evidence_choices(session: Session, actor, test: ControlTest) -> list[Evidence]:
    """The newest evidence about the test's control that the actor may read (one query).

    What an item of the test may be supported by (`evidence_for_control`'s rule).
    """
    query = (select(Evidence)
             .join(evidence_control, evidence_control.c.evidence_id == Evidence.id)
             .where(evidence_control.c.control_id == test.control_id)
             .order_by(Evidence.period_end.desc(), Evidence.id.desc())
             .limit(EVIDENCE_CHOICES))
    return list(session.scalars(readable_evidence(query, actor)))


def attached_evidence(session: Session, items: Sequence[SampleItem]) -> dict[int, Evidence]:
    """The evidence attached to `items`, by id (one query, also when none is attached)."""
    ids = sorted({item.evidence_id for item in items if item.evidence_id})
    return {e.id: e for e in session.scalars(select(Evidence).where(Evidence.id.in_(ids)))}


def _checked(session: Session, actor, test: ControlTest, row: ResultRow
             ) -> tuple[str, str | None, int | None]:
    """The row's result, note and evidence, or Invalid naming the field at fault."""
    if row.result not in {r.value for r in ItemResult}:
        raise invalid("result", N_("Choose a result."))
    note = (row.note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise invalid("note", N_("Keep the note under %(max)d characters."), max=MAX_NOTE)
    if row.result == ItemResult.NOT_APPLICABLE and not note:
        raise invalid("note", N_("Say why the item is not applicable."))
    if row.result == ItemResult.DEVIATION and not note:
        raise invalid("note", N_("Describe the deviation."))
    if row.evidence_id is not None:
        evidence = evidence_for_control(session, row.evidence_id, test.control)
        if not can_read_evidence(actor, evidence):  # do not reveal what they may not see
            raise invalid("evidence_id", N_("There is no evidence #%(id)s."), id=row.evidence_id)
    return row.result, note, row.evidence_id


def _write(session: Session, actor, test: ControlTest, item: SampleItem, result: str,
           note: str | None, evidence_id: int | None) -> None:
    append(session, actor, "sample.item_result", item, {
        "test": test.id, "index": item.population_index, "result": [item.result, result],
        "note": note, "evidence": evidence_id})
    item.result, item.note, item.evidence_id = result, note, evidence_id
    item.tested_by_id, item.tested_at = getattr(actor, "id", None), utcnow()


def _commit(session: Session) -> None:
    with committed(session, lambda: Conflict("Someone else recorded a result for these items "
                                             "at the same time. Reload and retry.")):
        pass


STALE = N_("Someone else recorded a result for this item. Reload and retry.")


def _stale() -> Conflict:
    error = Conflict(STALE)
    error.template, error.params = STALE, {}
    return error


def record_result(session: Session, actor, item: SampleItem, result: str, note: str | None,
                  evidence_id: int | None, version: int) -> SampleItem:
    """Record what the auditor found for one item; a deviation or 'not applicable' needs a note."""
    test = item.sample.test
    require_fieldwork(actor, test)
    if test.samples[-1].id != item.sample_id:
        raise Conflict("The item belongs to an earlier sample of the test.")
    if version != item.version:
        raise _stale()
    values = _checked(session, actor, test, ResultRow(item.id, result, note, evidence_id,
                                                      version))
    _write(session, actor, test, item, *values)
    _commit(session)
    return item


def _changes(item: SampleItem, values: tuple[str, str | None, int | None]) -> bool:
    return (item.result, item.note, item.evidence_id) != values


def record_results(session: Session, actor, test: ControlTest, rows: Sequence[ResultRow], *,
                   rest_no_deviation: bool = False) -> Saved:
    """Record the results of the current sample's items in one go.

    Only rows that differ from what is stored are written; a changed row whose item was changed
    by someone else since (its version) is refused. With `rest_no_deviation` every item still
    pending afterwards is recorded as "no deviation". All or nothing: one wrong row raises
    `RowErrors` and nothing is written.
    """
    require_fieldwork(actor, test)
    items = {item.id: item for item in current_items(test)}
    if not items:
        raise Conflict("Draw a sample before recording results.")
    errors: dict[int, dict[str, Invalid]] = {}
    planned: list[tuple[SampleItem, tuple[str, str | None, int | None]]] = []
    for row in rows:
        item = items.get(row.item_id)
        if item is None:
            raise invalid("items", N_("Item %(id)s is not in this test's current sample."),
                          id=row.item_id)
        try:
            values = _checked(session, actor, test, row)
        except Invalid as error:
            errors[item.id] = {error.field or "result": error}
            continue
        if not _changes(item, values):
            continue
        if row.version != item.version:
            errors[item.id] = {"result": _stale_invalid()}
            continue
        planned.append((item, values))
    if errors:
        raise RowErrors(errors)
    for item, values in planned:
        _write(session, actor, test, item, *values)
    marked = set()
    if rest_no_deviation:
        for item in items.values():
            if item.result == ItemResult.PENDING:  # its note and evidence, if any, stay
                _write(session, actor, test, item, ItemResult.NO_DEVIATION.value, item.note,
                       item.evidence_id)
                marked.add(item.id)
    counts = Counter(item.result for item, _values in planned if item.id not in marked)
    if planned or marked:
        _commit(session)
    return Saved(dict(counts), len(marked))


def _stale_invalid() -> Invalid:
    return invalid("result", STALE)
