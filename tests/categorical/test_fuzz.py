"""No silent overflow, and only ipsstats errors out of the categorical wing.

Every public function of the wing is fed hostile input (NaN, infinities, integers past the
int64 and float64 limits, complex numbers, booleans, objects, ragged and empty arrays):
it must either refuse with an :class:`~ipsstats.IpsStatsError` subclass or return finite
numbers. numpy's floating-point warnings (overflow, invalid value) count as failures.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from numpy.typing import NDArray

from ipsstats import (
    ContingencyTable,
    Estimate,
    InvalidInputError,
    IpsStatsError,
    IpsStatsWarning,
    StratifiedTable,
    TestResult,
    adjust_pvalues,
    adjusted_residuals,
    barnard,
    boschloo,
    cmh,
    cramers_v,
    crosstab,
    goodness_of_fit,
    homogeneity,
    independence,
    odds_ratio,
    pearson_residuals,
    proportion,
    proportion_test,
    risk_difference,
    risk_ratio,
    tally,
    trend,
)
from ipsstats.categorical import to_counts
from tests.strategies import hostile_arrays

# every public function of the categorical wing, with the hostile value in one argument
TARGETS: dict[str, Callable[[object], object]] = {
    "tally": tally,
    "crosstab-rows": lambda x: crosstab(x, ["a", "b"]),
    "to_counts": lambda x: to_counts(x, "counts"),
    "ContingencyTable.from_counts": ContingencyTable.from_counts,
    "StratifiedTable.from_counts": StratifiedTable.from_counts,
    "goodness_of_fit-observed": lambda x: goodness_of_fit(x, [0.5, 0.5]),
    "goodness_of_fit-expected": lambda x: goodness_of_fit([5, 7], x),
    "homogeneity-a": lambda x: homogeneity(x, [4, 9]),
    "homogeneity-b": lambda x: homogeneity([4, 9], x),
    "independence": independence,
    "independence-exact": lambda x: independence(x, method="exact", exact_work_limit=10_000),
    "pearson_residuals": pearson_residuals,
    "adjusted_residuals": adjusted_residuals,
    "cramers_v": cramers_v,
    "adjust_pvalues": lambda x: adjust_pvalues(x, "hommel"),
    "proportion-k": lambda x: proportion(x, 10),  # type: ignore[arg-type]
    "proportion-n": lambda x: proportion(3, x),  # type: ignore[arg-type]
    "risk_difference": risk_difference,
    "risk_ratio": risk_ratio,
    "odds_ratio": lambda x: odds_ratio(x, method="conditional"),
    "risk_ratio-k1": lambda x: risk_ratio(x, 10, 3, 10),  # type: ignore[call-overload]
    "proportion_test-k": lambda x: proportion_test(x, [10, 10]),
    "proportion_test-n": lambda x: proportion_test([1, 2], x),
    "proportion_test-p": lambda x: proportion_test([1, 2], [10, 10], p=x),
    "cmh": cmh,
    "cmh-exact": lambda x: cmh(x, method="exact"),
    "trend": trend,
    "trend-scores": lambda x: trend([[1, 2], [3, 4], [5, 1]], scores=x),
    "barnard": lambda x: barnard(x, sampling_points=4),
    "boschloo": lambda x: boschloo(x, sampling_points=4),
}


def _finite_numbers(result: object) -> None:
    """Numbers on a result are finite (or None / an infinite limit, never NaN)."""
    if isinstance(result, TestResult):
        assert math.isfinite(result.statistic) or result.statistic == math.inf
        assert 0.0 <= result.pvalue <= 1.0
    if isinstance(result, Estimate):
        for value in (result.value, result.lower, result.upper):
            assert value is None or not math.isnan(value)
    if isinstance(result, np.ndarray) and result.dtype.kind == "f":
        assert not np.isnan(result).any()
    if isinstance(result, float):
        assert not math.isnan(result)
    for name in ("common_odds_ratio", "estimate"):
        inner = getattr(result, name, None)
        if inner is not None:
            _finite_numbers(inner)


@pytest.mark.parametrize("name", list(TARGETS))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=hostile_arrays())
def test_only_ipsstats_errors_escape(name: str, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings are failures here
        warnings.simplefilter("ignore", IpsStatsWarning)  # documented small-count warnings
        try:
            result = TARGETS[name](value)
        except IpsStatsError:
            return
    _finite_numbers(result)


# --- the overflow cases of issue 13.3 ---------------------------------------------------------

BIG = 2**62
TOTAL_RULE = r"must add up to at most 2\*\*53 = 9,007,199,254,740,992"


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: goodness_of_fit([BIG, BIG, 1], [1 / 3] * 3), "observed"),
        (lambda: cramers_v([[BIG, 1], [1, BIG]]), "table"),
        (lambda: trend([[BIG, 1], [1, BIG], [3, 3]]), "table"),
        (lambda: independence([[BIG, 1], [1, BIG]]), "table"),
        (lambda: independence([[BIG, BIG], [BIG, BIG]]), "table"),
        (lambda: homogeneity([BIG, 1], [1, BIG]), "a"),
        (lambda: cmh([[[BIG, 1], [1, BIG]]]), "stratified"),
        (lambda: odds_ratio([[BIG, 1], [1, BIG]]), "table"),
        (lambda: ContingencyTable.from_counts([[BIG, BIG], [1, 1]]), "counts"),
        (lambda: independence(np.full((2, 2), 2.0**62)), "table"),
        (lambda: independence(np.full((3, 2), np.iinfo(np.uint64).max, dtype=np.uint64)), "table"),
        (lambda: independence([[2**70, 1], [1, 1]]), "table"),
    ],
)
def test_huge_counts_are_refused_naming_the_argument(
    call: Callable[[], object], argument: str
) -> None:
    with pytest.raises(InvalidInputError, match=f"`{argument}` {TOTAL_RULE}") as info:
        call()
    assert info.value.argument == argument


def test_counts_up_to_the_bound_are_exact() -> None:
    # the total is exactly 2**53: accepted, and the statistics are finite and correct
    table = [[2**52, 2**51], [2**50, 2**50]]
    res = independence(table, method="pearson")
    assert res.n == 2**53
    # X^2 = n (ad - bc)^2 / (r1 r2 c1 c2), in exact rational arithmetic
    a, b, c, d = 2**52, 2**51, 2**50, 2**50
    exact = (a + b + c + d) * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    assert res.statistic == pytest.approx(exact, rel=1e-12)
    assert math.isfinite(cramers_v(table))
    with pytest.raises(InvalidInputError, match=TOTAL_RULE):
        independence([[2**52, 2**51], [2**50, 2**50 + 1]])


def test_adding_tables_past_the_bound_is_refused() -> None:
    half = ContingencyTable.from_counts([[2**51, 2**51], [2**51, 2**51]])
    assert (half + ContingencyTable.from_counts([[0, 0], [0, 0]])).n == 2**53
    with pytest.raises(InvalidInputError, match=TOTAL_RULE):
        _ = half + ContingencyTable.from_counts([[1, 0], [0, 0]])


# --- regressions found by the fuzzing above --------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, -128, 127, 5, -1, -1], dtype=np.int8),  # x - min wrapped around in int8
        np.array([-1, -1, 3], dtype=np.int8),  # negatives viewed as small unsigned values
        np.array([9.2e18, 1.0, 9.2e18]),  # whole floats past int64
        np.array([-3, 70_000, -3], dtype=np.int32),
    ],
)
def test_tally_and_crosstab_count_narrow_and_huge_labels(labels: NDArray[Any]) -> None:
    expected = Counter(labels.tolist())
    counts = tally(labels)
    assert dict(zip(counts.levels, counts.counts.tolist(), strict=True)) == expected
    other = ["x" if k % 2 else "y" for k in range(labels.size)]
    table = crosstab(labels, other)
    pairs = Counter(zip(labels.tolist(), other, strict=True))
    for i, row in enumerate(table.row_levels):
        for j, col in enumerate(table.col_levels):
            assert table.counts[i, j] == pairs.get((row, col), 0)  # type: ignore[arg-type]
