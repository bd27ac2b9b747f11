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
- Inputs are bounded before any arithmetic: rates are decimals of at most four places (written
  "0.05", "5 %", "5%" or "0,05"); a planned tolerable rate lies in 0.5 %–50 %. The search for n
  walks at most MAX_STATISTICAL_SAMPLE steps, each a handful of operations on integers of fixed
  width: the probabilities are carried as intervals of FIXED_BITS-bit fixed-point numbers that
  are guaranteed to contain the exact value, and only when an interval straddles the risk (which
  no published cell does) is that one n decided by the exact rational sum. The upper deviation
  limit is bisected the same way. So every answer is the exact one, and every request costs a
  bounded, small amount of work (`Work` counts it; bench/bench_sampling.py times it).
- Sizes by control frequency are common practice, not a single authority; see FREQUENCY_RANGES.
- Selection draws a partial Fisher–Yates shuffle from HMAC-SHA256(seed, counter) words with
  rejection sampling, so a draw depends only on the seed and this code, never on `random`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import islice

from app.errors import N_, Invalid
from app.errors import invalid as _invalid

RISKS = (Decimal("0.05"), Decimal("0.10"))
MAX_STATISTICAL_SAMPLE = 5000
#: The tolerable deviation rates a statistical plan may use, and the places every rate may have.
MIN_TOLERABLE = Fraction(5, 1000)
MAX_TOLERABLE = Fraction(1, 2)
RATE_PLACES = 4
#: Width of the fixed-point intervals the searches carry (the exact sum decides the rare tie).
FIXED_BITS = 160
#: How a rate may be written: "0.05", "5 %", "5%", "0,05" or ".05" (ASCII digits, either decimal
#: separator, spaces or no-break spaces around a percent sign). Also the API's schema pattern.
RATE_PATTERN = ("^[ \u00a0]*(?:([0-9]{1,3})(?:[.,]([0-9]{1,12}))?|[.,]([0-9]{1,12}))"
                "[ \u00a0]*(%?)[ \u00a0]*$")
_RATE_TEXT = re.compile(RATE_PATTERN)

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


@dataclass
class Work:
    """What a calculation cost: fixed-width steps and exact (big-integer) evaluations."""

    steps: int = 0
    exact: int = 0


def _rate(value: Decimal | Fraction | str | int, field: str) -> Fraction:
    """Parse a rate exactly and cheaply; floats are refused (they are not what the user typed).

    Text is "0.05", "5 %", "5%" or "0,05" (at most 3 digits before and 12 after the separator);
    a Decimal or Fraction must be of a similar size. Nothing larger is ever turned into a number,
    so "1e-300" or a Decimal with a huge exponent costs nothing.
    """
    if isinstance(value, bool | float) or not isinstance(value, Decimal | Fraction | str | int):
        raise Invalid(field, "give the rate as a decimal string, Decimal or Fraction")
    if isinstance(value, str):
        match = _RATE_TEXT.fullmatch(value) if len(value) <= 40 else None
        if match is None:
            raise _invalid(field, N_("“%(value)s” is not a number; write e.g. 0.05 or 5 %%."),
                           value=value[:40])
        whole, places, bare_places, percent = match.groups()
        places = places or bare_places or ""
        rate = Fraction(int((whole or "0") + places), 10 ** len(places))
        return rate / 100 if percent else rate
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        if not value.is_finite() or len(digits) > 15 or not -12 <= exponent <= 3:
            raise Invalid(field, f"{value!r} is not a rate")
    elif isinstance(value, Fraction):
        if value.numerator.bit_length() > 64 or value.denominator.bit_length() > 64:
            raise Invalid(field, f"{value!r} is not a rate")
    elif abs(value) > 1000:
        raise Invalid(field, f"{value!r} is not a rate")
    return Fraction(value)


def parse_rate(value: Decimal | Fraction | str | int, field: str) -> Decimal:
    """A rate as typed ("0.05", "5 %", "5%", "0,05"), as a Decimal of at most RATE_PLACES places.

    Raises Invalid naming `field` for anything else, or for a rate outside 0–1.
    """
    rate = _rate(value, field)
    if not 0 <= rate < 1:
        raise _invalid(field, N_("Give a rate from 0 to 1 (0 % to 100 %)."))
    return _places(rate, field)


def _places(rate: Fraction, field: str) -> Decimal:
    scaled = rate * 10**RATE_PLACES
    if scaled.denominator != 1:
        raise _invalid(field, N_("Use at most %(places)d decimals (0.0001 = 0.01 %%)."),
                       places=RATE_PLACES)
    return Decimal(scaled.numerator).scaleb(-RATE_PLACES).normalize()


def _risk(value: Decimal | Fraction | str) -> Fraction:
    risk = _rate(value, "risk")
    if risk not in {Fraction(r) for r in RISKS}:
        raise _invalid("risk", N_("The risk of overreliance must be 0.05 or 0.10."))
    return risk


def _count(value: int, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Invalid(field, f"must be a whole number of at least {minimum}")
    return value


def _at_most_risk(k: int, n: int, p: Fraction, risk: Fraction) -> bool:
    """Whether P(X ≤ k | n, p) ≤ risk, in integers: terms are C(n, i)·a^i·c^(n−i) over b^n.

    The exact reference: O(k) operations on integers of about n·log2(b) bits. The searches call
    it only for an (n, k) whose fixed-point interval straddles the risk.
    """
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


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _cdf_at_most(k: int, n: int, p: Fraction, risk: Fraction, work: Work) -> bool:
    """Whether P(X ≤ k | n, p) ≤ risk: decided from a certified interval, exactly on a tie.

    P(X ≤ k) = T_k · R with T_k = C(n, k)·a^k·c^(n−k) / b^n (computed exactly, in C) and
    R = Σ_{i ≤ k} T_i / T_k, summed downwards from k in FIXED_BITS-bit fixed point with every
    product rounded down for the lower bound and up for the upper one. Once the ratios
    T_{i−1}/T_i fall below 1 they keep falling, so the rest of the sum is bounded by a geometric
    series and the loop stops when that bound is below the precision.
    """
    if k >= n:
        return False
    a, b = p.numerator, p.denominator
    c = b - a
    if c == 0:
        return True
    one = 1 << FIXED_BITS
    q_lo = q_hi = low = high = one
    for i in range(k, 0, -1):
        work.steps += 1
        num, den = i * c, (n - i + 1) * a  # T_{i−1} / T_i
        q_lo = q_lo * num // den
        q_hi = _ceil_div(q_hi * num, den)
        low += q_lo
        high += q_hi
        next_num, next_den = (i - 1) * c, (n - i + 2) * a
        if next_num < next_den:  # every later ratio is at most next_num / next_den < 1
            tail = _ceil_div(q_hi * next_num, next_den - next_num)
            if tail <= 256:
                high += tail
                break
    weight = math.comb(n, k) * a**k * c ** (n - k) * risk.denominator
    limit = risk.numerator * b**n * one
    if weight * high <= limit:
        return True
    if weight * low > limit:
        return False
    work.exact += 1
    return _at_most_risk(k, n, p, risk)


def attribute_sample_size(
    risk: Decimal | Fraction | str,
    tolerable_rate: Decimal | Fraction | str,
    expected_rate: Decimal | Fraction | str,
    work: Work | None = None,
) -> tuple[int, int]:
    """Return (n, k): the AICPA Table A-1/A-2 sample size and the deviations it allows.

    n is the smallest sample for which k = ceil(n × expected_rate) deviations still give
    P(X ≤ k | n, tolerable_rate) ≤ risk. The tolerable rate lies in MIN_TOLERABLE–MAX_TOLERABLE,
    the expected rate in [0, tolerable), both with at most RATE_PLACES decimals. Raises Invalid
    beyond MAX_STATISTICAL_SAMPLE.
    """
    work = work if work is not None else Work()
    r = _risk(risk)
    t = _rate(tolerable_rate, "tolerable_rate")
    e = _rate(expected_rate, "expected_rate")
    if not MIN_TOLERABLE <= t <= MAX_TOLERABLE:
        raise _invalid("tolerable_rate",
                       N_("The tolerable rate must lie between 0.5 % and 50 %."))
    if not 0 <= e < t:
        raise _invalid("expected_rate",
                       N_("The expected rate must be at least 0 and below the tolerable rate."))
    _places(t, "tolerable_rate")
    _places(e, "expected_rate")
    a, b = t.numerator, t.denominator
    c = b - a
    one = 1 << FIXED_BITS
    risk_limit = r.numerator * one  # compare value·r.denominator with this
    # Walk n upwards carrying intervals around P(X ≤ k | n) (cdf) and P(X = k | n) (mass).
    n, k = 0, 0
    cdf_lo = cdf_hi = mass_lo = mass_hi = one
    while n < MAX_STATISTICAL_SAMPLE:
        work.steps += 1
        # P(X ≤ k | n+1) = P(X ≤ k | n) − t·P(X = k | n)
        cdf_lo, cdf_hi = cdf_lo - _ceil_div(a * mass_hi, b), cdf_hi - a * mass_lo // b
        # P(X = k | n+1) = P(X = k | n) · (1 − t)(n + 1)/(n + 1 − k)
        num, den = c * (n + 1), b * (n + 1 - k)
        mass_lo, mass_hi = mass_lo * num // den, _ceil_div(mass_hi * num, den)
        n += 1
        allowed = -((-n * e.numerator) // e.denominator)  # ceil(n × e)
        while k < allowed:
            num, den = (n - k) * a, (k + 1) * c  # P(X = k+1 | n) / P(X = k | n)
            mass_lo, mass_hi = mass_lo * num // den, _ceil_div(mass_hi * num, den)
            k += 1
            cdf_lo, cdf_hi = cdf_lo + mass_lo, cdf_hi + mass_hi
        if cdf_hi * r.denominator <= risk_limit:
            return n, k
        if cdf_lo * r.denominator <= risk_limit:  # the interval straddles the risk
            work.exact += 1
            if _at_most_risk(k, n, t, r):
                return n, k
    raise _invalid("expected_rate", N_("The sample would exceed %(max)d items; lower the "
                                       "expected rate or raise the tolerable rate."),
                   max=MAX_STATISTICAL_SAMPLE)


def _limit_bracket(n: int, k: int, risk: Fraction) -> tuple[int, int]:
    """(low, high) in thousandths with P(X ≤ k | n, low) > risk ≥ P(X ≤ k | n, high).

    At p = k/n the median of X is k, so P(X ≤ k) ≥ 1/2 > risk: low = floor(1000·k/n). Hoeffding's
    inequality P(X ≤ k) ≤ exp(−2n(p − k/n)²) puts the limit below k/n + sqrt(ln(1/risk)/(2n));
    two thousandths of margin cover the float in that square root.
    """
    low = 1000 * k // n
    spread = math.sqrt(math.log(risk.denominator / risk.numerator) / (2 * n))
    high = min(1000, math.ceil(1000 * (k / n + spread)) + 2)
    return low, max(high, low + 1)


def upper_deviation_limit(n: int, deviations: int, risk: Decimal | Fraction | str,
                          work: Work | None = None) -> Decimal:
    """Return the one-sided Clopper–Pearson upper deviation limit, rounded up to 0.001."""
    work = work if work is not None else Work()
    r = _risk(risk)
    _count(n, "n", minimum=1)
    _count(deviations, "deviations")
    if n > MAX_STATISTICAL_SAMPLE * 20:
        raise Invalid("n", f"must be at most {MAX_STATISTICAL_SAMPLE * 20}")
    if deviations > n:
        raise Invalid("deviations", "cannot exceed the sample size")
    if deviations == n:
        return Decimal("1.000")
    low, high = _limit_bracket(n, deviations, r)  # invariant: the answer m lies in (low, high]
    while high - low > 1:
        mid = (low + high) // 2
        if _cdf_at_most(deviations, n, Fraction(mid, 1000), r, work):
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
