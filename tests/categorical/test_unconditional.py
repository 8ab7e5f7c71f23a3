"""Barnard's and Boschloo's exact unconditional tests: enumeration, properties, bad input.

The published values are in ``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import optimize, stats

from ipsstats import (
    ContingencyTable,
    InsufficientDataError,
    InvalidInputError,
    barnard,
    boschloo,
    independence,
)


def _log_weights(
    n1: int, n2: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    y1, y2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    log_comb = np.vectorize(lambda n, k: math.log(math.comb(n, k)))
    return y1, y2, log_comb(n1, y1) + log_comb(n2, y2)


def _max_over_nuisance(region: NDArray[np.bool_], n1: int, n2: int) -> float:
    """Largest null probability of `region` over the common proportion, searched naively."""
    y1, y2, log_comb = _log_weights(n1, n2)
    successes = (y1 + y2)[region]
    weights = log_comb[region]
    total = n1 + n2

    def prob(pi: float) -> float:
        if pi in (0.0, 1.0):
            edge = 0 if pi == 0.0 else total
            return float(np.exp(weights[successes == edge]).sum())
        return float(
            np.exp(
                weights + successes * math.log(pi) + (total - successes) * math.log1p(-pi)
            ).sum()
        )

    grid = np.linspace(0.0, 1.0, 2001)
    values = np.array([prob(pi) for pi in grid])
    best = int(values.argmax())
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    refined = optimize.minimize_scalar(
        lambda pi: -prob(pi), bounds=(low, high), method="bounded", options={"xatol": 1e-12}
    )
    return max(float(values.max()), -float(refined.fun))


def _barnard_region(table: NDArray[np.int64], alternative: str, pooled: bool) -> NDArray[np.bool_]:
    (a, b), (c, d) = table.tolist()
    n1, n2 = a + b, c + d
    y1, y2, _ = _log_weights(n1, n2)
    p1, p2 = y1 / n1, y2 / n2
    if pooled:
        p = (y1 + y2) / (n1 + n2)
        variance = p * (1 - p) * (1 / n1 + 1 / n2)
    else:
        variance = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(p1 == p2, 0.0, (p1 - p2) / np.sqrt(variance))
    observed = t[a, c]
    if alternative == "less":
        return np.asarray(t <= observed)
    if alternative == "greater":
        return np.asarray(t >= observed)
    return np.asarray(np.abs(t) >= abs(observed))


def _fisher_one_sided(y1: int, y2: int, n1: int, n2: int, alternative: str) -> float:
    """Fisher's one-sided p-value of the table with y1 of n1 and y2 of n2 (a sum)."""
    m = y1 + y2
    support = range(max(0, m - n2), min(n1, m) + 1)
    probs = {x: math.comb(n1, x) * math.comb(n2, m - x) / math.comb(n1 + n2, m) for x in support}
    if alternative == "less":
        return sum(p for x, p in probs.items() if x <= y1)
    return sum(p for x, p in probs.items() if x >= y1)


def _boschloo_one_sided(table: NDArray[np.int64], alternative: str) -> float:
    (a, b), (c, d) = table.tolist()
    n1, n2 = a + b, c + d
    stat = np.array(
        [
            [_fisher_one_sided(y1, y2, n1, n2, alternative) for y2 in range(n2 + 1)]
            for y1 in range(n1 + 1)
        ]
    )
    return _max_over_nuisance(stat <= stat[a, c] * (1 + 1e-13), n1, n2)


tables_2x2 = st.tuples(st.integers(1, 12), st.integers(1, 12)).flatmap(
    lambda n: st.tuples(st.integers(0, n[0]), st.just(n[0]), st.integers(0, n[1]), st.just(n[1]))
)


@settings(max_examples=15)
@given(tables_2x2, st.sampled_from(["two-sided", "less", "greater"]), st.booleans())
def test_barnard_matches_enumeration_over_the_nuisance_parameter(
    counts: tuple[int, int, int, int], alternative: str, pooled: bool
) -> None:
    k1, n1, k2, n2 = counts
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]])
    expected = _max_over_nuisance(_barnard_region(table, alternative, pooled), n1, n2)
    res = barnard(table, alternative=alternative, pooled=pooled, sampling_points=64)  # type: ignore[arg-type]
    # scipy maximises with shgo and sums with gammaln weights; the brute force maximises
    # on a grid refined by a bounded search (to 1e-12 in pi): two numerical maximisations,
    # so 1e-9 rather than 1e-10
    assert res.pvalue == pytest.approx(min(1.0, expected), rel=1e-9)


@settings(max_examples=15)
@given(tables_2x2, st.sampled_from(["two-sided", "less", "greater"]))
def test_boschloo_matches_enumeration_over_the_nuisance_parameter(
    counts: tuple[int, int, int, int], alternative: str
) -> None:
    k1, n1, k2, n2 = counts
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]])
    res = boschloo(table, alternative=alternative, sampling_points=64)  # type: ignore[arg-type]
    if alternative == "two-sided":
        # scipy's convention: twice the smaller one-sided p-value
        one_sided = min(_boschloo_one_sided(table, side) for side in ("less", "greater"))
        expected = min(1.0, 2 * one_sided)
    else:
        expected = min(1.0, _boschloo_one_sided(table, alternative))
    assert res.pvalue == pytest.approx(expected, rel=1e-9)  # as for Barnard above


@settings(max_examples=20)
@given(tables_2x2)
def test_unconditional_properties(counts: tuple[int, int, int, int]) -> None:
    k1, n1, k2, n2 = counts
    for test in (barnard, boschloo):
        res = test(k1, n1, k2, n2)
        assert 0.0 <= res.pvalue <= 1.0
        # the groups swapped: the same two-sided p-value, one-sided ones exchanged
        assert test(k2, n2, k1, n1).pvalue == pytest.approx(res.pvalue, rel=1e-6, abs=1e-12)
        less = test(k1, n1, k2, n2, alternative="less").pvalue
        assert test(k2, n2, k1, n1, alternative="greater").pvalue == pytest.approx(
            less, rel=1e-6, abs=1e-12
        )
    # Boschloo is uniformly more powerful than Fisher's (one-sided) test
    fisher = stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="less").pvalue
    assert boschloo(k1, n1, k2, n2, alternative="less").pvalue <= fisher * (1 + 1e-6)


def test_table_and_counts_agree_and_contingency_tables_are_accepted() -> None:
    table = ContingencyTable.from_counts([[7, 8], [12, 3]], rows=["vaccine", "placebo"])
    by_table = barnard(table)
    assert by_table.pvalue == barnard(7, 15, 12, 15).pvalue
    assert boschloo([[7, 8], [12, 3]]).pvalue == boschloo(7, 15, 12, 15).pvalue
    assert by_table.to_dict()["observed"] == [[7, 8], [12, 3]]
    # both are at most the conditional test's p-value on this table
    assert by_table.pvalue <= independence([[7, 8], [12, 3]], method="exact").pvalue


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: barnard([[1, 2, 3], [4, 5, 6]]), InvalidInputError, r"`table` must be a 2 x 2"),
        (lambda: barnard([[0, 0], [4, 5]]), InsufficientDataError, r"group 1 \(row 0\) has no"),
        (lambda: boschloo(3, 2, 1, 4), InvalidInputError, r"`k1` must not exceed `n1`"),
        (
            lambda: barnard(1, 4, 1, 4, alternative="up"),  # type: ignore[arg-type]
            InvalidInputError,
            r"`alternative` must",
        ),
        (
            lambda: barnard(1, 4, 1, 4, pooled=1),  # type: ignore[arg-type]
            InvalidInputError,
            r"`pooled` must be True or",
        ),
        (lambda: boschloo(1, 4, 1, 4, sampling_points=0), InvalidInputError, r"be from 1 to"),
        (
            lambda: barnard(1, 4, 1, 4, sampling_points=2.5),  # type: ignore[arg-type]
            InvalidInputError,
            r"positive whole",
        ),
        (lambda: barnard(1, 4, 1), InvalidInputError, r"`counts` must be one 2 x 2 table or f"),
        (lambda: barnard([[1.5, 2], [3, 4]]), InvalidInputError, r"whole-number counts"),
    ],
)
def test_unconditional_rejects_bad_input(call: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
