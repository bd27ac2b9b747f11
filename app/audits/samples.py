"""Drawing, expanding and re-drawing samples; removing unused populations (results: results.py).

A sample stores its seed and the population's fingerprint. Re-drawing re-reads the stored file,
fingerprints it again and repeats the selection from the seed, so anyone with read access (an
external auditor included) can re-perform it; a population that changed is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..auth.permissions import Permission, require
from ..errors import Conflict, IntegrityError, Invalid, NotFound
from ..evidence.storage import EvidenceStore
from ..ledger.service import append
from . import sampling
from .models import ControlTest, ItemResult, Population, Sample, SampleItem
from .populations import current_fingerprint, rows_at
from .results import record_result  # noqa: F401  (re-exported: one item's result)
from .service import require_fieldwork, require_view, suggested_size


def draw_sample(session: Session, actor, test: ControlTest, population: Population,
                store: EvidenceStore, size: int | None = None) -> Sample:
    """Select the test's sample from a ready population with a fresh secure seed.

    Without a size, the size the plan gives for this population (an event-driven control is
    sized from its number of occurrences); the population caps it.
    """
    require_fieldwork(actor, test)
    if population.test_id != test.id:
        raise Invalid("population", "That population belongs to another test.")
    if not population.is_ready:
        raise Invalid("population", "The population is not imported yet.")
    if test.samples and any(i.result != ItemResult.PENDING for i in test.samples[-1].items):
        raise Conflict("The current sample already has results; expand it instead of drawing "
                       "a new one.")
    size = size or suggested_size(test, population) or 1
    if not 1 <= size <= sampling.MAX_STATISTICAL_SAMPLE:
        raise Invalid("size", "A sample has between 1 and "
                              f"{sampling.MAX_STATISTICAL_SAMPLE} items.")
    size = min(size, population.row_count)
    seed = sampling.new_seed()
    indices = sampling.select_sample(population.row_count, size, seed)
    rows = rows_at(store, population, indices)
    sample = Sample(test=test, population=population, seed=seed,
                    population_fingerprint=population.fingerprint,
                    population_size=population.row_count, size=size,
                    created_by_id=getattr(actor, "id", None))
    sample.items = [SampleItem(population_index=i, row=rows[i], round=1) for i in indices]
    session.add(sample)
    test.no_occurrences_note = None
    append(session, actor, "sample.drawn", sample, {
        "test": test.id, "seed": seed, "population": population.id,
        "fingerprint": population.fingerprint, "population_size": population.row_count,
        "size": size, "items": indices})
    session.commit()
    return sample


def expand_sample(session: Session, actor, sample: Sample, extra: int,
                  store: EvidenceStore) -> Sample:
    """Add `extra` items (after a deviation, say); the first items and their results are kept."""
    require_fieldwork(actor, sample.test)
    if sample.test.samples[-1].id != sample.id:
        raise Conflict("Only the test's current sample can be expanded.")
    existing = [item.population_index for item in sample.items]
    room = sample.population_size - len(existing)
    if room < 1:
        raise Invalid("extra", "The sample already holds the whole population.")
    if not 1 <= extra <= room:
        raise Invalid("extra", f"Add between 1 and {room} items: the population has "
                               f"{sample.population_size}.")
    indices = sampling.expand_sample(sample.population_size, existing, extra, sample.seed)
    new = sorted(set(indices) - set(existing))
    rows = rows_at(store, sample.population, new)
    round_number = max(item.round for item in sample.items) + 1
    for index in new:
        sample.items.append(SampleItem(population_index=index, row=rows[index],
                                       round=round_number))
    sample.size = len(indices)
    append(session, actor, "sample.expanded", sample, {"added": new, "size": sample.size})
    session.commit()
    return sample


@dataclass(frozen=True)
class Redraw:
    """The outcome of re-performing a selection."""

    identical: bool
    fingerprint_matches: bool
    indices: list[int]
    message: str


def redraw_sample(session: Session, actor, sample: Sample, store: EvidenceStore) -> Redraw:
    """Re-perform the selection from the stored seed against the test's current population.

    The population file is re-read and fingerprinted again; if it is not the population the
    sample was drawn from (a newer import, or bytes that changed), re-drawing is refused.
    """
    require(actor, Permission.REDRAW_SAMPLE)
    require_view(actor, sample.test.engagement)
    # The test's population as it stands now: the latest one imported.
    ready = [p for p in sample.test.populations if p.is_ready]
    population = ready[-1] if ready else sample.population
    try:
        fingerprint, size = current_fingerprint(store, population)
    except (IntegrityError, NotFound) as error:
        fingerprint, size = "unreadable", 0
        problem = error.message
    else:
        problem = None
    if problem:
        result = Redraw(False, False, [], f"Refused: {problem}")
    elif fingerprint != sample.population_fingerprint or size != sample.population_size:
        result = Redraw(False, False, [], (
            "Refused: the population is not the one the sample was drawn from (fingerprint "
            f"{sample.population_fingerprint[:12]}… then, {fingerprint[:12]}… now; "
            f"{sample.population_size} then, {size} now). Re-drawing would select other items."))
    else:
        indices = sampling.select_sample(size, sample.size, sample.seed)
        stored = sorted(item.population_index for item in sample.items)
        identical = indices == stored
        result = Redraw(identical, True, indices, (
            f"Re-drawn with seed {sample.seed}: the same {len(indices)} items."
            if identical else "The re-drawn items differ from the stored sample."))
    append(session, actor, "sample.redrawn", sample,
           {"identical": result.identical, "fingerprint_matches": result.fingerprint_matches})
    session.commit()
    return result


def remove_population(session: Session, actor, population: Population) -> None:
    """Remove a population no sample was drawn from (the file stays in the store)."""
    test = population.test
    require_fieldwork(actor, test)
    if any(sample.population_id == population.id for sample in test.samples):
        raise Conflict("A sample was drawn from this population; it stays as evidence.")
    if population.status == "importing":
        raise Conflict("The population is still being imported.")
    append(session, actor, "population.removed", population, {
        "test": test.id, "file": population.filename, "sha256": population.file_sha256,
        "rows": population.row_count})
    session.delete(population)
    session.commit()


def record_no_occurrences(session: Session, actor, test: ControlTest, note: str | None,
                          version: int) -> ControlTest:
    """Record that the control did not operate in the period: there is nothing to sample."""
    require_fieldwork(actor, test)
    if version != test.version:
        raise Conflict("Someone else changed this test. Reload and retry.")
    if test.samples:
        raise Conflict("A sample was drawn: the control operated in the period.")
    note = (note or "").strip()
    if not note:
        raise Invalid("note", "Say how you established that there were no occurrences.")
    test.no_occurrences_note = note[:2000]
    append(session, actor, "test.no_occurrences", test, {"note": note})
    session.commit()
    return test
