"""Sample sizes, sample evaluation and reproducible selection for tests of controls.

Pure: stdlib only, exact rational arithmetic, no floats in any decision.

Sources and conventions:

- Statistical sample sizes follow the AICPA Audit Guide *Audit Sampling*, Appendix A, Tables A-1
  (5 % risk of overreliance) and A-2 (10 %): the smallest n such that, allowing
  k = ceil(n × expected rate) deviations, P(X ≤ k | n, tolerable rate) ≤ risk. Rounding n × expected
  *up* reproduces every published cell we checked; rounding to nearest does not (5 % risk,
  tolerable 5 %, expected 0.25 % would give 59 (0) instead of the published 93 (1)). No cell lies
  on the boundary (the nearest is about 2e-4 relative away), so "≤ risk" and "< risk" give the same
  tables; we use "≤" because the risk is the most the auditor accepts.
- The upper deviation limit is the one-sided Clopper–Pearson bound: the p with
  P(X ≤ deviations | n, p) = risk, rounded UP to 0.001 (0.1 %, as in Tables A-3 and A-4). It is
  found exactly: the smallest m with P(X ≤ deviations | n, m/1000) ≤ risk, by bisection on m.
- Sizes by control frequency are common practice, not a single authority; see FREQUENCY_RANGES.
- Selection draws a partial Fisher–Yates shuffle from HMAC-SHA256(seed, counter) words with
  rejection sampling, so a draw depends only on the seed and this code, never on `random`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import islice

from app.errors import Invalid

RISKS = (Decimal("0.05"), Decimal("0.10"))
MAX_STATISTICAL_SAMPLE = 5000

# Common-practice sample sizes per control frequency (low end, high end). An event-driven control
# is treated like one operating many times a day unless the population is small: the population
# cap in frequency_sample_size then takes over.
FREQUENCY_RANGES: dict[str, tuple[int, int]] = {
    "annual": (1, 1),
    "semi-annual": (1, 2),
    "quarterly": (2, 2),
    "monthly": (2, 5),
    "semi-monthly": (3, 8),
    "weekly": (5, 15),
    "daily": (20, 40),
    "multiple-daily": (25, 60),
    "automated": (1, 1),
    "event-driven": (25, 60),
}
RISK_LEVELS = ("low", "moderate", "high")

_STREAM_TAG = b"kontrol/sample/v1:"


@dataclass(frozen=True)
class SampleEvaluation:
    """The outcome of a test of controls: sample rate, upper limit and whether reliance holds."""

    n: int
    deviations: int
    sample_rate: Decimal
    upper_limit: Decimal
    tolerable_rate: Decimal
    supports_reliance: bool
    allowance: Decimal


def _rate(value: Decimal | Fraction | str | int, field: str) -> Fraction:
    """Parse a rate exactly; floats are refused because they are not the number the user typed."""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | Fraction | str | int):
        raise Invalid(field, "give the rate as a decimal string, Decimal or Fraction")
    try:
        return Fraction(value)
    except (ValueError, OverflowError, ZeroDivisionError, TypeError):
        raise Invalid(field, f"{value!r} is not a number") from None


def _risk(value: Decimal | Fraction | str) -> Fraction:
    risk = _rate(value, "risk")
    if risk not in {Fraction(r) for r in RISKS}:
        raise Invalid("risk", "risk of overreliance must be 0.05 or 0.10")
    return risk


def _count(value: int, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Invalid(field, f"must be a whole number of at least {minimum}")
    return value


def _at_most_risk(k: int, n: int, p: Fraction, risk: Fraction) -> bool:
    """Whether P(X ≤ k | n, p) ≤ risk, in integers: terms are C(n, i)·a^i·c^(n−i) over b^n."""
    if k >= n:
        return False  # the probability is 1
    a, b = p.numerator, p.denominator
    c = b - a
    if c == 0:
        return True  # p = 1: no sample can show fewer than n deviations
    term = c**n
    total = term
    for i in range(k):
        term = term * (n - i) * a // ((i + 1) * c)  # exact: the next term is an integer
        total += term
    return total * risk.denominator <= risk.numerator * b**n


def attribute_sample_size(
    risk: Decimal | Fraction | str,
    tolerable_rate: Decimal | Fraction | str,
    expected_rate: Decimal | Fraction | str,
) -> tuple[int, int]:
    """Return (n, k): the AICPA Table A-1/A-2 sample size and the deviations it allows.

    n is the smallest sample for which k = ceil(n × expected_rate) deviations still give
    P(X ≤ k | n, tolerable_rate) ≤ risk. Raises Invalid beyond MAX_STATISTICAL_SAMPLE.
    """
    r = _risk(risk)
    t = _rate(tolerable_rate, "tolerable_rate")
    e = _rate(expected_rate, "expected_rate")
    if not 0 < t < 1:
        raise Invalid("tolerable_rate", "tolerable rate must lie strictly between 0 and 1")
    if not 0 <= e < t:
        raise Invalid("expected_rate", "expected rate must be at least 0 and below the tolerable")
    a, b = t.numerator, t.denominator
    c = b - a
    # Walk n upwards keeping, scaled by b^n, the CDF at k (cdf) and the point mass at k (mass).
    n, k, cdf, mass, scale = 0, 0, 1, 1, 1
    while n < MAX_STATISTICAL_SAMPLE:
        cdf = b * cdf - a * mass  # P(X ≤ k | n+1) = P(X ≤ k | n) − t·P(X = k | n)
        mass = mass * c * (n + 1) // (n + 1 - k)
        n += 1
        scale *= b
        allowed = -((-n * e.numerator) // e.denominator)  # ceil(n × e)
        while k < allowed:
            mass = mass * (n - k) * a // ((k + 1) * c)
            k += 1
            cdf += mass
        if cdf * r.denominator <= r.numerator * scale:
            return n, k
    raise Invalid(
        "expected_rate",
        f"the sample would exceed {MAX_STATISTICAL_SAMPLE} items; "
        "lower the expected rate or raise the tolerable rate",
    )


def upper_deviation_limit(n: int, deviations: int, risk: Decimal | Fraction | str) -> Decimal:
    """Return the one-sided Clopper–Pearson upper deviation limit, rounded up to 0.001."""
    r = _risk(risk)
    _count(n, "n", minimum=1)
    _count(deviations, "deviations")
    if deviations > n:
        raise Invalid("deviations", "cannot exceed the sample size")
    if deviations == n:
        return Decimal("1.000")
    low, high = 0, 1000  # invariant: the answer m lies in (low, high]
    while high - low > 1:
        mid = (low + high) // 2
        if _at_most_risk(deviations, n, Fraction(mid, 1000), r):
            high = mid
        else:
            low = mid
    return Decimal(high).scaleb(-3)


def _decimal(value: Fraction, field: str) -> Decimal:
    den = value.denominator
    for factor in (2, 5):
        while den % factor == 0:
            den //= factor
    if den != 1:
        raise Invalid(field, "must be a terminating decimal")
    return Decimal(value.numerator) / Decimal(value.denominator)


def evaluate_sample(
    n: int,
    deviations: int,
    risk: Decimal | Fraction | str,
    tolerable_rate: Decimal | Fraction | str,
) -> SampleEvaluation:
    """Evaluate a tested sample against the tolerable rate.

    Reliance is supported when upper_limit ≤ tolerable_rate. sample_rate is deviations / n rounded
    half up to 0.001 (for display); allowance is the allowance for sampling risk as the AICPA guide
    defines it, upper_limit − sample_rate.
    """
    upper = upper_deviation_limit(n, deviations, risk)
    t = _rate(tolerable_rate, "tolerable_rate")
    if not 0 < t < 1:
        raise Invalid("tolerable_rate", "tolerable rate must lie strictly between 0 and 1")
    sample_rate = Decimal((2000 * deviations + n) // (2 * n)).scaleb(-3)
    return SampleEvaluation(
        n=n,
        deviations=deviations,
        sample_rate=sample_rate,
        upper_limit=upper,
        tolerable_rate=_decimal(t, "tolerable_rate"),
        supports_reliance=Fraction(upper) <= t,
        allowance=upper - sample_rate,
    )


def frequency_sample_size(
    frequency: str, risk_level: str = "moderate", population_size: int | None = None
) -> int:
    """Return the common-practice sample size for a control operating at `frequency`.

    low takes the low end of the range, high the high end, moderate the midpoint rounded up; the
    result never exceeds population_size (0 for an empty population).
    """
    if frequency not in FREQUENCY_RANGES:
        raise Invalid("frequency", f"unknown control frequency {frequency!r}")
    if risk_level not in RISK_LEVELS:
        raise Invalid("risk_level", "risk level must be low, moderate or high")
    low, high = FREQUENCY_RANGES[frequency]
    size = {"low": low, "moderate": (low + high + 1) // 2, "high": high}[risk_level]
    if population_size is not None:
        size = min(size, _count(population_size, "population_size"))
    return size


# How often each frequency row occurs in a year, to size an event-driven control from the number
# of times it actually operated: the row nearest (on a ratio scale) to that number is used.
FREQUENCY_OCCURRENCES: dict[str, int] = {
    "annual": 1,
    "semi-annual": 2,
    "quarterly": 4,
    "monthly": 12,
    "semi-monthly": 24,
    "weekly": 52,
    "daily": 365,
}


def frequency_for_occurrences(occurrences: int, period_days: int = 365) -> str | None:
    """The frequency row nearest to `occurrences` in a period of `period_days` (None if 0).

    The count is scaled to a year; more than once a day is "multiple-daily". Between two rows
    the nearer one on a ratio scale wins (the geometric mean is the boundary), a tie going to
    the more frequent row, which gives the larger sample.
    """
    _count(occurrences, "occurrences")
    _count(period_days, "period_days", minimum=1)
    if occurrences == 0:
        return None
    yearly = Fraction(occurrences * 365, period_days)
    if yearly > FREQUENCY_OCCURRENCES["daily"]:
        return "multiple-daily"
    rows = list(FREQUENCY_OCCURRENCES.items())
    for (name, count), (_next_name, next_count) in zip(rows, rows[1:], strict=False):
        if yearly * yearly < count * next_count:  # below the geometric mean of the two rows
            return name
    return "daily"


def extension_for_reliance(n: int, deviations: int, risk: Decimal | Fraction | str,
                           tolerable_rate: Decimal | Fraction | str,
                           population_size: int) -> int | None:
    """How many items to add (with no further deviations) so the sample supports reliance.

    The smallest total m ≥ n with upper_deviation_limit(m, deviations) ≤ tolerable_rate, minus
    n; None when even the whole population (or MAX_STATISTICAL_SAMPLE) would not do.
    """
    t = _rate(tolerable_rate, "tolerable_rate")
    _count(n, "n", minimum=1)
    if Fraction(upper_deviation_limit(n, deviations, risk)) <= t:
        return 0
    high = min(population_size, MAX_STATISTICAL_SAMPLE)
    if high <= n or Fraction(upper_deviation_limit(high, deviations, risk)) > t:
        return None
    low = n  # invariant: low does not support reliance, high does
    while high - low > 1:
        mid = (low + high) // 2
        if Fraction(upper_deviation_limit(mid, deviations, risk)) <= t:
            high = mid
        else:
            low = mid
    return high - n


def new_seed() -> str:
    """Return a fresh random seed (32 hex digits) to store with a drawn sample."""
    return secrets.token_hex(16)


def population_fingerprint(rows: Iterable[bytes | str]) -> str:
    """Return the SHA-256 hex digest of the rows in order; each row is length-prefixed."""
    digest = hashlib.sha256()
    for row in rows:
        data = row.encode("utf-8") if isinstance(row, str) else bytes(row)
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _words(seed: str) -> Iterator[int]:
    """Yield 64-bit words from HMAC-SHA256(seed, tag + counter), four per digest."""
    key = seed.encode("utf-8")
    counter = 0
    while True:
        block = hmac.new(key, _STREAM_TAG + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        for start in range(0, 32, 8):
            yield int.from_bytes(block[start : start + 8], "big")
        counter += 1


def _below(words: Iterator[int], bound: int) -> int:
    """Return a uniform integer in [0, bound) by rejection sampling (no modulo bias)."""
    limit = (1 << 64) - (1 << 64) % bound
    while True:
        word = next(words)
        if word < limit:
            return word % bound


def _draw_order(population_size: int, seed: str) -> Iterator[int]:
    """Yield the population indices in the order a seeded partial Fisher–Yates shuffle picks them.

    Step i consumes the stream only for itself, so the first m picks never depend on how many more
    are taken: a larger draw always extends a smaller one.
    """
    words = _words(seed)
    moved: dict[int, int] = {}  # sparse shuffle: position -> index that now sits there
    for i in range(population_size):
        j = i + _below(words, population_size - i)
        picked = moved.get(j, j)
        moved[j] = moved.pop(i, i)
        yield picked


def _seed(seed: str) -> str:
    if not isinstance(seed, str) or not seed:
        raise Invalid("seed", "a non-empty seed is required")
    return seed


def select_sample(population_size: int, n: int, seed: str) -> list[int]:
    """Return n distinct 0-based indices, sorted, drawn reproducibly from the seed.

    select_sample(size, m, seed) is a subset of select_sample(size, m + x, seed).
    """
    _count(population_size, "population_size")
    _count(n, "n")
    if n > population_size:
        raise Invalid("n", "the sample cannot be larger than the population")
    return sorted(islice(_draw_order(population_size, _seed(seed)), n))


def expand_sample(
    population_size: int, existing: Sequence[int], extra: int, seed: str
) -> list[int]:
    """Return existing plus `extra` new indices, sorted, continuing the seeded draw order.

    When `existing` came from select_sample with the same seed, the result equals
    select_sample(population_size, len(existing) + extra, seed).
    """
    _count(population_size, "population_size")
    _count(extra, "extra")
    kept = set(existing)
    if len(kept) != len(existing) or any(
        isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < population_size for i in kept
    ):
        raise Invalid("existing", "existing items must be distinct indices within the population")
    if len(kept) + extra > population_size:
        raise Invalid("extra", "the sample cannot be larger than the population")
    added: list[int] = []
    for index in _draw_order(population_size, _seed(seed)):
        if len(added) == extra:
            break
        if index not in kept:
            added.append(index)
    return sorted(kept.union(added))
