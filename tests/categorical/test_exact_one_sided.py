"""One-sided Fisher exact test of 2 x 2 tables: the tails' identities and bad input.

The references (R's ``fisher.test``, scipy, exact enumeration) are in
``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import InsufficientDataError, InvalidInputError
from ipsstats.categorical.exact import fisher_exact_pvalue

_TABLES = st.lists(st.integers(0, 40), min_size=4, max_size=4).filter(
    lambda v: min(v[0] + v[1], v[2] + v[3], v[0] + v[2], v[1] + v[3]) > 0
)


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
