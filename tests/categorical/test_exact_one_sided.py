"""One-sided Fisher exact test of 2 x 2 tables, against R, scipy and exact enumeration."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ipsstats import InsufficientDataError, InvalidInputError
from ipsstats.categorical.exact import fisher_exact_pvalue

# R 4.x, stats::fisher.test; each value printed with sprintf("%.17g", fisher.test(x,
# alternative = alt)$p.value), x <- matrix(c(a, b, c, d), 2, byrow = TRUE).
R_VALUES = [
    # TeaTasting (R's documentation): matrix(c(3, 1, 1, 3), 2, byrow = TRUE)
    ([[3, 1], [1, 3]], "less", 0.98571428571428577),
    ([[3, 1], [1, 3]], "greater", 0.24285714285714288),
    # matrix(c(10, 2, 3, 15), 2, byrow = TRUE)
    ([[10, 2], [3, 15]], "less", 0.99998451901868612),
    ([[10, 2], [3, 15]], "greater", 0.00046518094336290585),
    # matrix(c(0, 5, 5, 0), 2, byrow = TRUE)
    ([[0, 5], [5, 0]], "less", 0.003968253968253968),
    ([[0, 5], [5, 0]], "greater", 1.0),
    # matrix(c(100, 200, 300, 50), 2, byrow = TRUE)
    ([[100, 200], [300, 50]], "less", 1.5398079234252075e-44),
    ([[100, 200], [300, 50]], "greater", 1.0),
    # matrix(c(51234, 48766, 49012, 50988), 2, byrow = TRUE)
    ([[51234, 48766], [49012, 50988]], "less", 1.0),
    ([[51234, 48766], [49012, 50988]], "greater", 1.4948665294148702e-23),
    # matrix(c(2, 40, 17, 9), 2, byrow = TRUE)
    ([[2, 40], [17, 9]], "less", 8.2243445922406442e-08),
    ([[2, 40], [17, 9]], "greater", 0.99999999802266382),
]


@pytest.mark.parametrize(("table", "alternative", "expected"), R_VALUES)
def test_matches_r_fisher_test(table: list[list[int]], alternative: str, expected: float) -> None:
    # rtol 1e-12: R's dhyper (Loader's saddle-point form) and the walks over binomial
    # ratios agree to about 13 significant digits, the accuracy both claim
    got = fisher_exact_pvalue(table, alternative=alternative)  # type: ignore[arg-type]
    assert got == pytest.approx(expected, rel=1e-12, abs=0)


def _enumerated(table: list[list[int]], alternative: str) -> float:
    """The tail of the hypergeometric law of the top-left count, in exact fractions."""
    (a, b), (c, d) = table
    r0, r1, col = a + b, c + d, a + c
    ks = range(max(0, col - r1), min(r0, col) + 1)
    mass = {k: comb(r0, k) * comb(r1, col - k) for k in ks}
    tail = [k for k in ks if (k <= a if alternative == "less" else k >= a)]
    return float(Fraction(sum(mass[k] for k in tail), sum(mass.values())))


_TABLES = st.lists(st.integers(0, 40), min_size=4, max_size=4).filter(
    lambda v: min(v[0] + v[1], v[2] + v[3], v[0] + v[2], v[1] + v[3]) > 0
)


@given(_TABLES, st.sampled_from(["less", "greater"]))
def test_matches_exact_enumeration_and_scipy(values: list[int], alternative: str) -> None:
    table = [values[:2], values[2:]]
    got = fisher_exact_pvalue(table, alternative=alternative)  # type: ignore[arg-type]
    assert got == pytest.approx(_enumerated(table, alternative), rel=1e-12)
    # scipy sums hypergeometric pmfs: agreement to 1e-10 only
    expected = stats.fisher_exact(table, alternative=alternative).pvalue
    assert got == pytest.approx(expected, rel=1e-10, abs=1e-300)


@given(_TABLES)
def test_tails_overlap_in_the_observed_table(values: list[int]) -> None:
    table = [values[:2], values[2:]]
    less = fisher_exact_pvalue(table, alternative="less")
    greater = fisher_exact_pvalue(table, alternative="greater")
    (a, b), (c, d) = table
    r0, r1, col = a + b, c + d, a + c
    observed = comb(r0, a) * comb(r1, col - a) / comb(r0 + r1, col)
    assert 0 <= less <= 1
    assert 0 <= greater <= 1
    # P(X <= x) + P(X >= x) = 1 + P(X = x)
    assert less + greater == pytest.approx(1 + observed, rel=1e-12)
    # swapping the rows swaps the tails
    swapped = fisher_exact_pvalue([table[1], table[0]], alternative="greater")
    assert swapped == pytest.approx(less, rel=1e-12)
    # the two-sided p-value holds the smaller tail
    two = fisher_exact_pvalue(table)
    assert two >= min(less, greater) * (1 - 1e-12)


def test_large_tables_stay_accurate_in_the_far_tail() -> None:
    # a support of 2 000 001 counts is narrowed to a window around the mode and the count
    table = np.array([[1_000_900, 999_100], [999_100, 1_000_900]])
    got = fisher_exact_pvalue(table, alternative="greater")
    expected = stats.hypergeom.sf(1_000_900 - 1, 4_000_000, 2_000_000, 2_000_000)
    # scipy's survival function loses about 1e-9 at this size
    assert got == pytest.approx(expected, rel=1e-7)


def test_one_sided_needs_a_two_by_two_table() -> None:
    with pytest.raises(InvalidInputError, match=r"`alternative` must be 'two-sided' unless"):
        fisher_exact_pvalue([[1, 2, 3], [4, 5, 6]], alternative="less")


def test_alternative_is_checked() -> None:
    with pytest.raises(InvalidInputError, match=r"`alternative` must be one of"):
        fisher_exact_pvalue([[1, 2], [3, 4]], alternative="lower")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"spells R's 'two.sided'"):
        fisher_exact_pvalue([[1, 2], [3, 4]], alternative="two.sided")  # type: ignore[arg-type]


def test_an_empty_row_is_insufficient_as_for_the_two_sided_test() -> None:
    with pytest.raises(InsufficientDataError, match=r"`table` must have at least two"):
        fisher_exact_pvalue([[0, 0], [3, 4]], alternative="greater")
