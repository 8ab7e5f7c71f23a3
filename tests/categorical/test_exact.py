"""Fisher's exact test, the exact multinomial test and Monte Carlo p-values: enumeration,
reproducibility, errors and properties. The references (R's ``fisher.test`` examples,
scipy) are in ``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats

from ipsstats import InsufficientDataError, InvalidInputError
from ipsstats.categorical._exact_network import _bounded_splits, _codes
from ipsstats.categorical.exact import (
    fisher_exact_pvalue,
    monte_carlo_gof_pvalue,
    monte_carlo_independence_pvalue,
    multinomial_exact_pvalue,
    table_probability,
)
from tests.strategies import count_tables

# R's fisher.test documentation, Examples (Agresti 2002, p. 57, Job satisfaction):
# Job <- matrix(c(1,2,1,0, 3,3,6,1, 10,10,14,9, 6,7,12,11), 4, 4); fisher.test(Job) # 0.7827
JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]).T
# TeaTasting <- matrix(c(3, 1, 1, 3), nrow = 2); fisher.test(TeaTasting)  # p-value = 0.4857
TEA = np.array([[3, 1], [1, 3]])


# --- naive references -----------------------------------------------------------------------


def _splits(total: int, caps: list[int]) -> Iterator[tuple[int, ...]]:
    """Every vector x with sum `total` and 0 <= x_i <= caps_i."""
    if len(caps) == 1:
        if total <= caps[0]:
            yield (total,)
        return
    for first in range(min(total, caps[0]) + 1):
        for rest in _splits(total - first, caps[1:]):
            yield (first, *rest)


def _tables(rows: list[int], cols: list[int]) -> Iterator[list[tuple[int, ...]]]:
    """Every table with the given margins, row by row."""
    if len(rows) == 1:
        yield [tuple(cols)]
        return
    for row in _splits(rows[0], cols):
        left = [c - x for c, x in zip(cols, row, strict=True)]
        for rest in _tables(rows[1:], left):
            yield [row, *rest]


def _log_prob(table: NDArray[np.int64]) -> float:
    lf = [math.lgamma(v + 1) for v in table.ravel()]
    rows = [math.lgamma(v + 1) for v in table.sum(axis=1)]
    cols = [math.lgamma(v + 1) for v in table.sum(axis=0)]
    return sum(rows) + sum(cols) - math.lgamma(int(table.sum()) + 1) - sum(lf)


def brute_force_pvalue(table: NDArray[np.int64]) -> float:
    """Enumerate every table with the observed margins (R's tolerance 1e-7)."""
    observed = _log_prob(table)
    total = 0.0
    for candidate in _tables(list(table.sum(axis=1)), list(table.sum(axis=0))):
        logp = _log_prob(np.array(candidate))
        if logp <= observed + math.log1p(1e-7):
            total += math.exp(logp)
    return total


def brute_force_multinomial(counts: list[int], probs: list[float]) -> float:
    n = sum(counts)

    def logp(x: tuple[int, ...]) -> float:
        return math.lgamma(n + 1) + sum(
            v * math.log(p) - math.lgamma(v + 1) for v, p in zip(x, probs, strict=True)
        )

    observed = logp(tuple(counts))
    return sum(
        math.exp(logp(x))
        for x in itertools.product(range(n + 1), repeat=len(counts))
        if sum(x) == n and logp(x) <= observed + math.log1p(1e-7)
    )


def rational_pvalue(table: NDArray[np.int64]) -> Fraction:
    """Enumerate every table with the observed margins in exact rational arithmetic.

    Ties with the observed table are decided exactly, so this checks that the relative
    tolerance 1e-7 keeps every table whose probability equals the observed one.
    """

    def prob(cells: NDArray[np.int64]) -> Fraction:
        top = math.prod(math.factorial(int(v)) for v in cells.sum(axis=1))
        top *= math.prod(math.factorial(int(v)) for v in cells.sum(axis=0))
        bottom = math.factorial(int(cells.sum()))
        bottom *= math.prod(math.factorial(int(v)) for v in cells.ravel())
        return Fraction(top, bottom)

    observed = prob(table)
    candidates = _tables(list(table.sum(axis=1)), list(table.sum(axis=0)))
    return sum((p for p in (prob(np.array(c)) for c in candidates) if p <= observed), Fraction(0))


# --- exact arithmetic, enumeration and helpers ----------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        [[1, 2], [2, 1]],
        [[5, 0], [0, 5]],
        [[2, 3, 4], [4, 3, 2]],
        [[3, 1, 2], [1, 3, 2]],
        [[2, 2, 1], [1, 2, 2], [2, 1, 2]],
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        [[4, 0, 2], [0, 4, 2]],
    ],
)
def test_tied_tables_are_kept_as_in_exact_arithmetic(table: list[list[int]]) -> None:
    # Each table has mirror images of exactly equal probability, which floating point may
    # compute a few ulps apart; R's relative tolerance keeps all of them.
    counts = np.array(table)
    expected = float(rational_pvalue(counts))
    assert fisher_exact_pvalue(counts) == pytest.approx(expected, rel=1e-12)


def test_rxc_matches_brute_force_on_seeded_tables() -> None:
    rng = np.random.default_rng(3)
    checked = 0
    while checked < 40:
        shape = (int(rng.integers(2, 4)), int(rng.integers(2, 5)))
        table = rng.integers(0, 5, size=shape)
        if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
            continue
        assert fisher_exact_pvalue(table) == pytest.approx(brute_force_pvalue(table), rel=1e-10)
        checked += 1


def test_r_by_2_matches_brute_force() -> None:
    # small versions of the paper's ethnicity x job tables (five rows, two columns)
    rng = np.random.default_rng(11)
    for _ in range(10):
        table = rng.integers(1, 9, size=(5, 2))
        assert fisher_exact_pvalue(table) == pytest.approx(brute_force_pvalue(table), rel=1e-10)


def test_multinomial_matches_brute_force() -> None:
    rng = np.random.default_rng(5)
    for _ in range(40):
        k = int(rng.integers(2, 5))
        n = int(rng.integers(0, 10))
        probs = rng.dirichlet(np.ones(k))
        counts = rng.multinomial(n, probs)
        assert multinomial_exact_pvalue(counts, probs) == pytest.approx(
            brute_force_multinomial(list(counts), list(probs)), rel=1e-10, abs=1e-14
        )


def test_multinomial_with_zero_probability_category() -> None:
    p = multinomial_exact_pvalue([3, 0, 1], [0.5, 0.0, 0.5])
    assert p == pytest.approx(brute_force_multinomial([3, 1], [0.5, 0.5]), rel=1e-12)


def test_bounded_splits_enumerate_bounded_compositions() -> None:
    # private helper vs naive enumeration (itertools.product)
    caps = np.array([[3, 0, 2, 4], [1, 1, 1, 1]])
    for total in range(10):
        owner, splits = _bounded_splits(total, caps)
        for row, cap in enumerate(caps):
            expected = sorted(
                x for x in itertools.product(*(range(c + 1) for c in cap)) if sum(x) == total
            )
            assert sorted(map(tuple, splits[owner == row].tolist())) == expected


def test_node_codes_identify_equal_rows_even_when_large() -> None:
    # private helper kept: no public function shows the node codes, and a collision would
    # only show as a wrong p-value on tables too large to enumerate
    small = np.array([[1, 2, 3], [3, 2, 1], [1, 2, 3]])
    large = np.array([[2**40, 1, 2**41, 5], [7, 7, 7, 7], [2**40, 1, 2**41, 5]])
    for keys in (small, large):
        ids, _ = _codes(keys)
        assert ids[0] == ids[2]
        assert ids[0] != ids[1]


# --- Monte Carlo ----------------------------------------------------------------------------


def test_monte_carlo_is_reproducible_and_close_to_exact() -> None:
    table = np.array([[18, 28], [8, 12], [6, 14], [10, 5], [13, 13]])
    first = monte_carlo_independence_pvalue(table, n_resamples=20_000, rng=42)
    second = monte_carlo_independence_pvalue(table, n_resamples=20_000, rng=42)
    assert first == second
    assert first[1] == 42
    exact_chi2 = stats.chi2_contingency(table)[1]  # large-sample reference
    assert abs(first[0] - exact_chi2) < 0.03  # Monte Carlo error, sd about 0.004


def test_monte_carlo_two_row_tables_are_sampled_transposed() -> None:
    table = np.array([[18, 8, 6, 10, 13], [28, 12, 14, 5, 13]])
    wide = monte_carlo_independence_pvalue(table, n_resamples=3000, rng=8)
    tall = monte_carlo_independence_pvalue(table.T, n_resamples=3000, rng=8)
    assert wide == tall
    three = np.vstack([table, [5, 5, 5, 5, 5]])  # general Patefield path
    p, _ = monte_carlo_independence_pvalue(three, n_resamples=3000, rng=8)
    assert abs(p - stats.chi2_contingency(three)[1]) < 0.05


def test_monte_carlo_g_statistic_and_generator() -> None:
    rng = np.random.default_rng(1)
    p, seed = monte_carlo_independence_pvalue([[5, 1], [1, 5]], statistic="g", rng=rng)
    assert seed is None
    assert 1 / 10_001 <= p <= 1


def test_monte_carlo_without_seed_records_one() -> None:
    p, seed = monte_carlo_independence_pvalue([[5, 1], [1, 5]], n_resamples=500)
    assert isinstance(seed, int)
    assert monte_carlo_independence_pvalue([[5, 1], [1, 5]], n_resamples=500, rng=seed)[0] == p


def test_monte_carlo_pvalue_uses_r_formula() -> None:
    # both tables with these margins have X^2 = 2: every draw ties, (1 + B) / (B + 1) = 1
    p, _ = monte_carlo_independence_pvalue([[1, 0], [0, 1]], n_resamples=99, rng=1)
    assert p == 1.0


def test_monte_carlo_gof_close_to_exact() -> None:
    counts, probs = [12, 3, 5], [0.5, 0.25, 0.25]
    p, seed = monte_carlo_gof_pvalue(counts, probs, n_resamples=20_000, rng=9)
    assert seed == 9
    assert monte_carlo_gof_pvalue(counts, probs, n_resamples=20_000, rng=9)[0] == p
    reference = stats.chisquare(counts, np.array(probs) * 20).pvalue
    assert abs(p - reference) < 0.05


# --- errors ---------------------------------------------------------------------------------


def test_work_limit_gives_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="`exact_work_limit` must be large enough"):
        fisher_exact_pvalue(JOB, exact_work_limit=100)
    with pytest.raises(InvalidInputError, match="`exact_work_limit` must be large enough"):
        multinomial_exact_pvalue([30, 30, 30], [0.2, 0.3, 0.5], exact_work_limit=100)


@pytest.mark.parametrize("limit", [0, -5, 2.5, True, "many"])
def test_work_limit_must_be_positive_integer(limit: object) -> None:
    with pytest.raises(InvalidInputError, match="`exact_work_limit` must be a positive integer"):
        fisher_exact_pvalue(TEA, exact_work_limit=limit)  # type: ignore[arg-type]


def test_exact_needs_two_nonempty_rows_and_columns() -> None:
    with pytest.raises(InsufficientDataError, match="1 non-empty row"):
        fisher_exact_pvalue([[3, 4], [0, 0]])


def test_bad_counts_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="`table` must hold non-negative counts"):
        fisher_exact_pvalue([[3, -1], [2, 2]])
    with pytest.raises(InvalidInputError, match="`table` must hold whole-number counts"):
        table_probability([[3, 1.5], [2, 2]])


def test_multinomial_input_errors() -> None:
    with pytest.raises(InvalidInputError, match="`probabilities` must have one value"):
        multinomial_exact_pvalue([1, 2], [0.2, 0.3, 0.5])
    with pytest.raises(InvalidInputError, match="`probabilities` must hold non-negative"):
        multinomial_exact_pvalue([1, 2], [0.2, 0.3])
    with pytest.raises(InvalidInputError, match="`observed` must be zero where"):
        multinomial_exact_pvalue([1, 2], [0.0, 1.0])


def test_monte_carlo_input_errors() -> None:
    with pytest.raises(InvalidInputError, match="`n_resamples` must be a positive integer"):
        monte_carlo_independence_pvalue(TEA, n_resamples=0)
    with pytest.raises(InvalidInputError, match="`rng` must be a non-negative integer seed"):
        monte_carlo_independence_pvalue(TEA, rng="seed")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`statistic` must be one of"):
        monte_carlo_independence_pvalue(TEA, statistic="wald")  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError, match="no empty row or column"):
        monte_carlo_independence_pvalue([[1, 0], [2, 0]])
    with pytest.raises(InvalidInputError, match="`probabilities` must hold one positive"):
        monte_carlo_gof_pvalue([1, 2], [0.0, 1.0])


# --- properties -----------------------------------------------------------------------------

_small_tables = count_tables(max_rows=3, max_cols=3, max_count=4).filter(
    lambda t: bool((t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all())
)


@given(_small_tables)
@settings(max_examples=40)
def test_exact_pvalue_properties(table: NDArray[np.int64]) -> None:
    p = fisher_exact_pvalue(table)
    assert 0.0 <= p <= 1.0
    assert p >= table_probability(table) * (1 - 1e-9)
    assert p == pytest.approx(brute_force_pvalue(table), rel=1e-9)
    assert fisher_exact_pvalue(table.T) == pytest.approx(p, rel=1e-9)
    assert fisher_exact_pvalue(table[::-1, ::-1]) == pytest.approx(p, rel=1e-9)


@given(st.integers(0, 10_000), st.integers(1, 300))
@settings(max_examples=10)
def test_monte_carlo_same_seed_same_pvalue(seed: int, resamples: int) -> None:
    table = [[4, 2, 3], [1, 5, 2]]
    first = monte_carlo_independence_pvalue(table, n_resamples=resamples, rng=seed)
    assert first == monte_carlo_independence_pvalue(table, n_resamples=resamples, rng=seed)
    assert 1 / (resamples + 1) <= first[0] <= 1
