"""Unit tests for app.audits.sampling: AICPA tables, Clopper–Pearson limits, seeded selection."""

from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest

from app.audits.sampling import (
    FREQUENCY_RANGES,
    MAX_STATISTICAL_SAMPLE,
    RISKS,
    SampleEvaluation,
    Work,
    attribute_sample_size,
    evaluate_sample,
    expand_sample,
    frequency_sample_size,
    new_seed,
    parse_rate,
    population_fingerprint,
    select_sample,
    upper_deviation_limit,
)
from app.errors import Invalid

# Published cells of AICPA Audit Sampling Tables A-1 (5 % risk) and A-2 (10 % risk):
# (tolerable, expected, sample size, expected deviations shown in parentheses).
TABLE_A1 = [
    ("0.02", "0", 149, 0),
    ("0.03", "0", 99, 0),
    ("0.05", "0", 59, 0),
    ("0.10", "0", 29, 0),
    ("0.20", "0", 14, 0),
    ("0.02", "0.0025", 236, 1),
    ("0.03", "0.0075", 208, 2),
    ("0.04", "0.01", 156, 2),
    ("0.05", "0.01", 93, 1),
    ("0.05", "0.02", 181, 4),
    ("0.06", "0.01", 78, 1),
    ("0.06", "0.03", 195, 6),
    ("0.07", "0.03", 129, 4),
    ("0.08", "0.04", 146, 6),
    ("0.10", "0.02", 46, 1),
    ("0.10", "0.05", 116, 6),
    ("0.10", "0.06", 179, 11),
    ("0.15", "0.05", 40, 2),
    ("0.15", "0.07", 68, 5),
    ("0.20", "0.07", 37, 3),
]
TABLE_A2 = [
    ("0.02", "0", 114, 0),
    ("0.03", "0", 76, 0),
    ("0.05", "0", 45, 0),
    ("0.10", "0", 22, 0),
    ("0.20", "0", 11, 0),
    ("0.02", "0.0075", 265, 2),
    ("0.03", "0.01", 176, 2),
    ("0.04", "0.01", 96, 1),
    ("0.05", "0.02", 132, 3),
    ("0.06", "0.03", 132, 4),
    ("0.07", "0.03", 94, 3),
    ("0.08", "0.04", 98, 4),
    ("0.09", "0.06", 182, 11),
    ("0.10", "0.01", 38, 1),
    ("0.10", "0.05", 78, 4),
    ("0.15", "0.07", 52, 4),
    ("0.20", "0.06", 25, 2),
]
PUBLISHED_CELLS = [("0.05", *cell) for cell in TABLE_A1] + [("0.10", *cell) for cell in TABLE_A2]


@pytest.mark.parametrize(("risk", "tolerable", "expected", "size", "deviations"), PUBLISHED_CELLS)
def test_attribute_sample_size_matches_published_tables(
    risk, tolerable, expected, size, deviations
):
    assert attribute_sample_size(Decimal(risk), Decimal(tolerable), Decimal(expected)) == (
        size,
        deviations,
    )


@pytest.mark.parametrize(("risk", "tolerable", "expected", "size", "deviations"), PUBLISHED_CELLS)
def test_published_sample_without_excess_deviations_supports_reliance(
    risk, tolerable, expected, size, deviations
):
    assert evaluate_sample(size, deviations, risk, tolerable).supports_reliance


def test_expected_deviations_are_rounded_up_not_to_nearest():
    # 93 × 0.25 % = 0.23: rounding to nearest would allow 0 deviations and give 59 (0); the
    # published cell is 93 (1), which only ceil(n × expected) reproduces.
    assert attribute_sample_size("0.05", "0.05", "0.0025") == (93, 1)


def test_rates_accept_decimal_fraction_and_string_alike():
    assert attribute_sample_size(RISKS[0], Fraction(1, 20), "0.01") == (93, 1)
    assert attribute_sample_size("0.10", "0.05", Fraction(0)) == (45, 0)
    assert attribute_sample_size(Fraction(1, 10), Decimal("0.10"), 0) == (22, 0)


@pytest.mark.parametrize(
    ("risk", "tolerable", "expected", "field"),
    [
        ("0.01", "0.05", "0", "risk"),
        ("0.20", "0.05", "0", "risk"),
        (0.05, "0.05", "0", "risk"),
        ("0.05", "0", "0", "tolerable_rate"),
        ("0.05", "1", "0", "tolerable_rate"),
        ("0.05", 0.05, "0", "tolerable_rate"),
        ("0.05", "five percent", "0", "tolerable_rate"),
        ("0.05", "0.05", "-0.01", "expected_rate"),
        ("0.05", "0.05", "0.05", "expected_rate"),
        ("0.05", "0.05", "0.06", "expected_rate"),
        ("0.05", "0.05", Decimal("NaN"), "expected_rate"),
    ],
)
def test_attribute_sample_size_rejects_bad_input(risk, tolerable, expected, field):
    with pytest.raises(Invalid) as caught:
        attribute_sample_size(risk, tolerable, expected)
    assert caught.value.field == field


def test_attribute_sample_size_refuses_samples_beyond_the_cap():
    with pytest.raises(Invalid) as caught:
        attribute_sample_size("0.05", "0.02", "0.0175")
    assert caught.value.field == "expected_rate"
    assert str(MAX_STATISTICAL_SAMPLE) in caught.value.message


# Upper limits from Tables A-3 / A-4 (percent rounded up to 0.1 %). The exact bound is given in
# the comment where it helps; the rounded-up value is what we pin.
UPPER_LIMITS = [
    ("0.05", 59, 0, "0.050"),  # 4.951 %
    ("0.05", 93, 1, "0.050"),  # 4.9994 %
    ("0.05", 100, 0, "0.030"),  # 2.951 %
    ("0.05", 100, 1, "0.047"),  # 4.656 %
    ("0.05", 50, 1, "0.092"),  # 9.140 %
    ("0.05", 20, 0, "0.140"),  # 13.911 %
    ("0.05", 25, 2, "0.232"),  # 23.104 %
    ("0.05", 150, 3, "0.051"),  # 5.088 %
    ("0.05", 150, 6, "0.078"),  # 7.742 %: 7.8 in textbook use of the table, so rounded UP
    ("0.10", 100, 0, "0.023"),  # 2.276 %
    ("0.10", 100, 1, "0.039"),  # 3.834 %
    ("0.10", 45, 0, "0.050"),  # 4.988 %
    ("0.10", 22, 0, "0.100"),  # 9.937 %
    ("0.10", 38, 1, "0.099"),  # 9.855 %
    ("0.10", 20, 0, "0.109"),  # 10.875 %
    ("0.10", 60, 1, "0.064"),  # 6.329 %
    # Some printings recalled as 9.5 %, 3.1 %, 4.5 % (round to nearest); rounding up is the rule.
    ("0.05", 30, 0, "0.096"),  # 9.503 %
    ("0.05", 200, 2, "0.032"),  # 3.114 %
    ("0.10", 50, 0, "0.046"),  # 4.5007 %
]


@pytest.mark.parametrize(("risk", "n", "deviations", "limit"), UPPER_LIMITS)
def test_upper_deviation_limit_is_clopper_pearson_rounded_up(risk, n, deviations, limit):
    assert upper_deviation_limit(n, deviations, risk) == Decimal(limit)
    assert str(upper_deviation_limit(n, deviations, risk)) == limit


@pytest.mark.parametrize(
    ("n", "deviations", "risk", "limit"),
    [
        (1, 0, "0.05", "0.950"),  # 1 − p = 0.05
        (1, 0, "0.10", "0.900"),
        (2, 1, "0.05", "0.975"),  # 1 − p² = 0.05: p = 0.97468
        (1, 1, "0.05", "1.000"),
        (40, 40, "0.10", "1.000"),
    ],
)
def test_upper_deviation_limit_edge_cases(n, deviations, risk, limit):
    assert upper_deviation_limit(n, deviations, risk) == Decimal(limit)


def test_upper_deviation_limit_grows_with_deviations_and_shrinks_with_n():
    limits = [upper_deviation_limit(60, k, "0.05") for k in range(8)]
    assert limits == sorted(limits) and len(set(limits)) == len(limits)
    assert upper_deviation_limit(200, 0, "0.05") < upper_deviation_limit(100, 0, "0.05")
    assert upper_deviation_limit(100, 0, "0.10") < upper_deviation_limit(100, 0, "0.05")


@pytest.mark.parametrize(
    ("n", "deviations", "risk", "field"),
    [
        (0, 0, "0.05", "n"),
        (-5, 0, "0.05", "n"),
        (True, 0, "0.05", "n"),
        (10, -1, "0.05", "deviations"),
        (10, 11, "0.05", "deviations"),
        (10, 0, "0.025", "risk"),
    ],
)
def test_upper_deviation_limit_rejects_bad_input(n, deviations, risk, field):
    with pytest.raises(Invalid) as caught:
        upper_deviation_limit(n, deviations, risk)
    assert caught.value.field == field


def test_evaluate_sample_without_deviations():
    assert evaluate_sample(59, 0, "0.05", "0.05") == SampleEvaluation(
        n=59,
        deviations=0,
        sample_rate=Decimal("0.000"),
        upper_limit=Decimal("0.050"),
        tolerable_rate=Decimal("0.05"),
        supports_reliance=True,
        allowance=Decimal("0.050"),
    )


def test_evaluate_sample_with_too_many_deviations():
    result = evaluate_sample(150, 6, Decimal("0.05"), Decimal("0.06"))
    assert result.sample_rate == Decimal("0.040")
    assert result.upper_limit == Decimal("0.078")
    assert result.allowance == Decimal("0.038")
    assert not result.supports_reliance


def test_evaluate_sample_rounds_sample_rate_half_up():
    assert evaluate_sample(3, 1, "0.10", "0.50").sample_rate == Decimal("0.333")
    assert evaluate_sample(2000, 1, "0.10", "0.50").sample_rate == Decimal("0.001")  # 0.0005


def test_evaluate_sample_reliance_boundary_is_inclusive():
    assert evaluate_sample(22, 0, "0.10", "0.10").supports_reliance  # upper limit exactly 0.100
    assert not evaluate_sample(21, 0, "0.10", "0.10").supports_reliance


@pytest.mark.parametrize("tolerable", ["0", "1", Fraction(1, 3), 0.05])
def test_evaluate_sample_rejects_bad_tolerable_rate(tolerable):
    with pytest.raises(Invalid) as caught:
        evaluate_sample(50, 0, "0.05", tolerable)
    assert caught.value.field == "tolerable_rate"


def test_frequency_ranges():
    assert FREQUENCY_RANGES == {
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


@pytest.mark.parametrize(
    ("frequency", "low", "moderate", "high"),
    [
        ("annual", 1, 1, 1),
        ("semi-annual", 1, 2, 2),
        ("quarterly", 2, 2, 2),
        ("monthly", 2, 4, 5),
        ("semi-monthly", 3, 6, 8),
        ("weekly", 5, 10, 15),
        ("daily", 20, 30, 40),
        ("multiple-daily", 25, 43, 60),
        ("automated", 1, 1, 1),
        ("event-driven", 25, 43, 60),
    ],
)
def test_frequency_sample_size_by_risk_level(frequency, low, moderate, high):
    assert frequency_sample_size(frequency, "low") == low
    assert frequency_sample_size(frequency) == moderate
    assert frequency_sample_size(frequency, "high") == high


@pytest.mark.parametrize(("population", "size"), [(0, 0), (1, 1), (12, 12), (30, 30), (500, 43)])
def test_frequency_sample_size_never_exceeds_population(population, size):
    assert frequency_sample_size("event-driven", "moderate", population) == size


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("hourly",), "frequency"),
        (("daily", "medium"), "risk_level"),
        (("daily", "low", -1), "population_size"),
    ],
)
def test_frequency_sample_size_rejects_bad_input(args, field):
    with pytest.raises(Invalid) as caught:
        frequency_sample_size(*args)
    assert caught.value.field == field


def test_new_seed_is_32_hex_digits_and_fresh():
    seed = new_seed()
    assert len(seed) == 32 and int(seed, 16) >= 0
    assert new_seed() != seed


def test_population_fingerprint_is_sha256_of_length_prefixed_rows():
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert population_fingerprint([]) == empty
    assert population_fingerprint(["a", "b"]) == population_fingerprint([b"a", b"b"])
    assert len(population_fingerprint(["a"])) == 64


def test_population_fingerprint_depends_on_order_and_row_boundaries():
    base = population_fingerprint(["ab", "c"])
    assert population_fingerprint(["c", "ab"]) != base
    assert population_fingerprint(["a", "bc"]) != base
    assert population_fingerprint(["abc"]) != base
    assert population_fingerprint(["ab", "c", ""]) != base
    assert population_fingerprint(["ab", "c"]) == base


def test_select_sample_is_pinned_for_a_fixed_seed():
    # Changing the stream, the rejection rule or the shuffle must fail here: stored seeds must
    # re-draw the same items for an auditor years later.
    assert select_sample(100, 10, "kontrol-test-seed") == [32, 34, 48, 50, 56, 57, 58, 64, 75, 94]
    assert select_sample(1000, 5, "0123456789abcdef0123456789abcdef") == [121, 603, 895, 911, 916]


def test_select_sample_is_deterministic_and_seed_dependent():
    assert select_sample(500, 25, "seed-a") == select_sample(500, 25, "seed-a")
    assert select_sample(500, 25, "seed-a") != select_sample(500, 25, "seed-b")


@pytest.mark.parametrize(("size", "n"), [(1, 1), (10, 3), (60, 25), (365, 40), (10**9, 60)])
def test_select_sample_is_sorted_unique_and_in_range(size, n):
    sample = select_sample(size, n, "range-check")
    assert len(sample) == n
    assert sample == sorted(set(sample))
    assert all(0 <= index < size for index in sample)


def test_select_sample_edge_sizes():
    assert select_sample(7, 7, "all") == list(range(7))
    assert select_sample(7, 0, "none") == []
    assert select_sample(0, 0, "empty") == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((5, 6, "s"), "n"),
        ((5, -1, "s"), "n"),
        ((-1, 0, "s"), "population_size"),
        ((5, 2, ""), "seed"),
        ((5, 2, None), "seed"),
    ],
)
def test_select_sample_rejects_bad_input(args, field):
    with pytest.raises(Invalid) as caught:
        select_sample(*args)
    assert caught.value.field == field


@pytest.mark.parametrize("seed", ["prefix-1", "prefix-2", "prefix-3"])
def test_larger_draw_extends_smaller_draw(seed):
    previous: set[int] = set()
    for n in range(0, 41):
        current = set(select_sample(40, n, seed))
        assert previous <= current and len(current) == n
        previous = current


@pytest.mark.parametrize(("size", "first", "extra"), [(50, 10, 5), (25, 0, 25), (1000, 30, 15)])
def test_expand_sample_equals_the_larger_draw(size, first, extra):
    existing = select_sample(size, first, "expand")
    assert expand_sample(size, existing, extra, "expand") == select_sample(
        size, first + extra, "expand"
    )


def test_expand_sample_keeps_items_not_drawn_from_the_seed():
    existing = [0, 1, 2]
    expanded = expand_sample(20, existing, 4, "manual-start")
    assert set(existing) <= set(expanded)
    assert len(expanded) == 7 and expanded == sorted(set(expanded))
    assert expanded == expand_sample(20, existing, 4, "manual-start")
    assert expand_sample(20, existing, 0, "manual-start") == existing


@pytest.mark.parametrize(
    ("existing", "extra", "field"),
    [
        ([1, 1], 1, "existing"),
        ([10], 1, "existing"),
        ([-1], 1, "existing"),
        ([1, 2], 9, "extra"),
        ([1, 2], -1, "extra"),
    ],
)
def test_expand_sample_rejects_bad_input(existing, extra, field):
    with pytest.raises(Invalid) as caught:
        expand_sample(10, existing, extra, "s")
    assert caught.value.field == field


def test_selection_is_roughly_uniform():
    # 2,000 fixed seeds, 3 of 10: each index expected 600 times (sd ≈ 20.5); allow ±5 sd.
    counts = Counter()
    first_picks = Counter()
    for i in range(2000):
        sample = select_sample(10, 3, f"uniformity-{i}")
        counts.update(sample)
        first_picks.update(select_sample(10, 1, f"uniformity-{i}"))
    assert set(counts) == set(range(10))
    assert all(500 <= count <= 700 for count in counts.values())
    # single picks: expected 200 (sd ≈ 13.4)
    assert all(130 <= count <= 270 for count in first_picks.values())


# --- bounded input and bounded work (issue 9, item 1; issue 15, item 5) ---------------------

def _reference_size(risk, tolerable, expected):
    """The original exact walk over big integers: the answer the bounded search must give."""
    r, t, e = Fraction(risk), Fraction(tolerable), Fraction(expected)
    a, b = t.numerator, t.denominator
    c = b - a
    n, k, cdf, mass, scale = 0, 0, 1, 1, 1
    while n < MAX_STATISTICAL_SAMPLE:
        cdf = b * cdf - a * mass
        mass = mass * c * (n + 1) // (n + 1 - k)
        n += 1
        scale *= b
        while k < -((-n * e.numerator) // e.denominator):
            mass = mass * (n - k) * a // ((k + 1) * c)
            k += 1
            cdf += mass
        if cdf * r.denominator <= r.numerator * scale:
            return n, k
    return None


@pytest.mark.parametrize("text", ["0.05", "5 %", "5%", "0,05", ".05", " 5\u00a0% ", "0.0500"])
def test_rates_are_read_as_people_write_them(text):
    assert parse_rate(text, "tolerable_rate") == Decimal("0.05")
    assert attribute_sample_size("0.05", text, "1 %") == (93, 1)


@pytest.mark.parametrize(("text", "words"), [
    ("1e-300", "not a number"), ("5.125 %", "4 decimals"), ("0.00001", "4 decimals"),
    ("abc", "not a number"), ("-0.01", "not a number"), ("", "not a number"),
    ("1" * 400, "not a number"), ("100 %", "0 to 1"), ("٠.05", "not a number"),
])
def test_unreadable_rates_are_refused_before_any_arithmetic(text, words):
    with pytest.raises(Invalid) as caught:
        parse_rate(text, "expected_rate")
    assert caught.value.field == "expected_rate" and words in caught.value.message


@pytest.mark.parametrize(("tolerable", "expected", "field"), [
    ("1e-300", "0", "tolerable_rate"), ("0.0049", "0", "tolerable_rate"),
    ("0.5001", "0", "tolerable_rate"), ("0.05", "0.00001", "expected_rate"),
    ("0.05001", "0", "tolerable_rate"), (Decimal("1E-999999999"), "0", "tolerable_rate"),
    (Fraction(1, 10**300), "0", "tolerable_rate"),
])
def test_plans_outside_the_bounds_cost_no_search(tolerable, expected, field):
    work = Work()
    with pytest.raises(Invalid) as caught:
        attribute_sample_size("0.05", tolerable, expected, work)
    assert caught.value.field == field
    assert work == Work(steps=0, exact=0)


# The hardest plans the bounds allow: expected just below tolerable, so the walk runs to the cap.
WORST_PLANS = [(risk, t, e) for risk in ("0.05", "0.10") for t, e in (
    ("0.005", "0.0049"), ("0.0073", "0.0071"), ("0.4999", "0.4998"), ("0.5", "0.4999"),
    ("0.5", "0.49"), ("0.3", "0.29"))]


@pytest.mark.parametrize(("risk", "tolerable", "expected"), WORST_PLANS)
def test_the_search_for_n_is_bounded_in_steps(risk, tolerable, expected):
    work = Work()
    try:
        n, k = attribute_sample_size(risk, tolerable, expected, work)
    except Invalid as error:
        assert str(MAX_STATISTICAL_SAMPLE) in error.message
        n = k = None
    # One fixed-width step per n and per allowed deviation, none of them exact big-integer sums.
    assert work.steps <= MAX_STATISTICAL_SAMPLE + MAX_STATISTICAL_SAMPLE // 2
    assert work.exact == 0
    if n is not None:
        limit_work = Work()
        upper_deviation_limit(n, k, risk, limit_work)
        assert limit_work.steps <= 10 * (k + 1) and limit_work.exact == 0


@pytest.mark.parametrize("seed", range(3))
def test_the_bounded_search_gives_the_exact_answer(seed):
    import random

    rng = random.Random(seed)
    for _ in range(40):
        t = Fraction(rng.randint(50, 2000), 10_000)
        e = Fraction(rng.randint(0, int(t * 10_000) - 1), 10_000)
        risk = rng.choice(["0.05", "0.10"])
        expected = _reference_size(risk, t, e)
        if expected is None or expected[0] > 800:
            continue
        assert attribute_sample_size(risk, t, e) == expected, (risk, t, e)


@pytest.mark.parametrize(("n", "deviations"), [(1, 0), (7, 3), (59, 0), (93, 1), (150, 6),
                                                (400, 12), (1200, 30), (2000, 990)])
def test_the_bounded_upper_limit_gives_the_exact_answer(n, deviations):
    from app.audits.sampling import _at_most_risk

    for risk in ("0.05", "0.10"):
        low, high = 0, 1000
        while high - low > 1:
            mid = (low + high) // 2
            if _at_most_risk(deviations, n, Fraction(mid, 1000), Fraction(risk)):
                high = mid
            else:
                low = mid
        assert upper_deviation_limit(n, deviations, risk) == Decimal(high).scaleb(-3)
