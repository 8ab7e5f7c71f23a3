"""Mantel-Haenszel, generalised CMH and trend tests against naive implementations, properties,
strata without information and bad input. The references (R's documented examples,
statsmodels, scipy) are in ``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import optimize

from ipsstats import (
    CMHResult,
    InsufficientDataError,
    InvalidInputError,
    cmh,
    trend,
)
from ipsstats.categorical.tables import ContingencyTable, StratifiedTable
from tests.strategies import stratified_tables

# R: Rabbits <- array(c(0, 0, 6, 5, 3, 0, 3, 6, 6, 2, 0, 4, 5, 6, 1, 0, 2, 5, 0, 0),
#                     dim = c(2, 2, 5))   (R's column-major array, strata last)
RABBITS = np.array(
    [
        [[0, 6], [0, 5]],
        [[3, 3], [0, 6]],
        [[6, 0], [2, 4]],
        [[5, 1], [6, 0]],
        [[2, 0], [5, 0]],
    ]
)
# R: Satisfaction (Income x Job Satisfaction x Gender), ?mantelhaen.test, as (Gender, ...);
# mantelhaen.test(Satisfaction) prints M^2 = 10.2001, df = 9, p-value = 0.3345
SATISFACTION = (
    np.array(
        [
            *(1, 2, 0, 0, 3, 3, 1, 2, 11, 17, 8, 4, 2, 3, 5, 2),
            *(1, 0, 0, 0, 1, 3, 0, 1, 2, 5, 7, 9, 1, 1, 3, 6),
        ]
    )
    .reshape(2, 4, 4)
    .transpose(0, 2, 1)
)


def _random_stratified(seed: int, low: int = 1) -> NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 8))
    return rng.integers(low, 50, size=(k, 2, 2))


# --------------------------------------------------------------------------------------
# naive implementations
# --------------------------------------------------------------------------------------


def _naive_mh(t: NDArray[np.int64], correction: bool) -> float:
    delta = 0.0
    variance = 0.0
    for stratum in t.astype(float):
        (a, b), (c, d) = stratum
        n = a + b + c + d
        delta += a - (a + b) * (a + c) / n
        variance += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
    shift = 0.5 if correction and abs(delta) >= 0.5 else 0.0
    return (abs(delta) - shift) ** 2 / variance


def _naive_breslow_day(t: NDArray[np.int64], ratio: float) -> float:
    total = 0.0
    residuals = 0.0
    variances = 0.0
    for stratum in t.astype(float):
        (a, b), (c, d) = stratum
        n1, n2, m1 = a + b, c + d, a + c
        lo, hi = max(0.0, m1 - n2), min(n1, m1)

        def gap(x: float, n1: float = n1, n2: float = n2, m1: float = m1) -> float:
            return x * (n2 - m1 + x) - ratio * (n1 - x) * (m1 - x)

        fitted = optimize.brentq(gap, lo, hi, xtol=1e-14, rtol=1e-15)
        v = 1 / (1 / fitted + 1 / (n1 - fitted) + 1 / (m1 - fitted) + 1 / (n2 - m1 + fitted))
        total += (a - fitted) ** 2 / v
        residuals += a - fitted
        variances += v
    return total - residuals**2 / variances


def _naive_generalized_cmh(t: NDArray[np.int64]) -> float:
    """Landis, Heyman & Koch (1978): cell-by-cell covariances, no matrix algebra tricks."""
    _, r, c = t.shape
    cells = [(i, j) for i in range(r - 1) for j in range(c - 1)]
    g = np.zeros(len(cells))
    v = np.zeros((len(cells), len(cells)))
    for stratum in t.astype(float):
        n = stratum.sum()
        rows, cols = stratum.sum(axis=1), stratum.sum(axis=0)
        for p, (i, j) in enumerate(cells):
            g[p] += stratum[i, j] - rows[i] * cols[j] / n
            for q, (i2, j2) in enumerate(cells):
                v[p, q] += (
                    rows[i]
                    * ((i == i2) * n - rows[i2])
                    * cols[j]
                    * ((j == j2) * n - cols[j2])
                    / (n * n * (n - 1))
                )
    return float(g @ np.linalg.solve(v, g))


@pytest.mark.parametrize("correction", [False, True])
def test_mh_matches_naive(correction: bool) -> None:
    for seed in range(20):
        t = _random_stratified(seed, low=0)
        if (t.sum(axis=(1, 2)) < 2).any():
            continue
        res = cmh(t, correction=correction)
        assert res.statistic == pytest.approx(_naive_mh(t, correction), rel=1e-10)


def test_breslow_day_matches_naive_root_finding() -> None:
    for seed in range(20):
        t = _random_stratified(seed)
        res = cmh(t)
        assert res.common_odds_ratio is not None
        assert res.common_odds_ratio.value is not None
        assert res.homogeneity is not None
        expected = _naive_breslow_day(t, res.common_odds_ratio.value)
        assert res.homogeneity.statistic == pytest.approx(expected, rel=1e-8, abs=1e-10)


def test_generalized_cmh_matches_naive() -> None:
    rng = np.random.default_rng(11)
    for _ in range(15):
        shape = (int(rng.integers(1, 5)), int(rng.integers(2, 5)), int(rng.integers(2, 5)))
        t = rng.integers(1, 30, size=shape)
        res = cmh(t)
        expected = _naive_generalized_cmh(t)
        assert res.statistic == pytest.approx(expected, rel=1e-10)
        assert res.dof == (shape[1] - 1) * (shape[2] - 1)


def test_generalized_statistic_equals_uncorrected_mh_on_2x2xk() -> None:
    for seed in range(10):
        t = _random_stratified(seed)
        assert cmh(t).statistic == pytest.approx(_naive_generalized_cmh(t), rel=1e-10)


# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------


@given(stratified_tables(rows=(2, 3), cols=(2, 3)))
def test_cmh_pvalues_and_invariances(t: NDArray[np.int64]) -> None:
    try:
        res = cmh(t)
    except InsufficientDataError:
        return
    assert 0.0 <= res.pvalue <= 1.0
    assert res.statistic >= -1e-9
    order = np.random.default_rng(0).permutation(t.shape[0])
    permuted = cmh(t[order])
    assert permuted.statistic == pytest.approx(res.statistic, rel=1e-8, abs=1e-9)
    transposed = cmh(np.transpose(t, (0, 2, 1)))
    assert transposed.statistic == pytest.approx(res.statistic, rel=1e-8, abs=1e-9)
    if res.homogeneity is not None:
        assert 0.0 <= res.homogeneity.pvalue <= 1.0
    odds = res.common_odds_ratio
    if odds is not None and odds.lower is not None:
        lower, value, upper = odds.lower, odds.value, odds.upper
        assert value is not None
        assert upper is not None
        assert lower <= value <= upper


# --------------------------------------------------------------------------------------
# strata without information, labels, missing values
# --------------------------------------------------------------------------------------


def test_strata_with_fewer_than_two_observations_are_skipped_and_recorded() -> None:
    base = _random_stratified(3)
    padded = np.concatenate([base, np.zeros((1, 2, 2), dtype=np.int64), [[[1, 0], [0, 0]]]])
    res = cmh(padded)
    ref = cmh(base)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.skipped_strata == (base.shape[0], base.shape[0] + 1)
    assert any("skipped" in caveat for caveat in res.caveats)
    assert res.n == int(padded.sum())
    assert ref.skipped_strata == ()


def test_skipped_strata_are_named_by_label() -> None:
    counts = np.concatenate([_random_stratified(4)[:2], np.zeros((1, 2, 2), dtype=np.int64)])
    table = StratifiedTable.from_counts(counts, strata=["North", "South", "East"])
    res = cmh(table)
    assert res.skipped_strata == ("East",)
    assert isinstance(res, CMHResult)


def test_missing_records_of_a_table_are_reported() -> None:
    table = StratifiedTable.from_counts(RABBITS, n_missing=3)
    res = cmh(table, correction=True)
    assert res.n_excluded == 3
    assert sum(res.exclusions.values()) == 3
    assert res.statistic == pytest.approx(cmh(RABBITS, correction=True).statistic)


def test_results_are_json_safe() -> None:
    payload = cmh(RABBITS, correction=True).to_dict()
    assert payload["common_odds_ratio"]["value"] == pytest.approx(7.0)
    assert payload["homogeneity"]["method"] == "breslow-day-tarone"
    assert payload["skipped_strata"] == []
    trend_payload = trend(_trend_table(SMOKERS, PATIENTS)).to_dict()
    assert trend_payload["scores"] == [1.0, 2.0, 3.0, 4.0]
    assert trend_payload["dof"] == 1


@given(st.integers(0, 40), st.floats(0.5, 0.98))
def test_common_odds_ratio_interval_widens_with_level(seed: int, level: float) -> None:
    t = _random_stratified(seed)
    narrow = cmh(t, confidence_level=level).common_odds_ratio
    wide = cmh(t, confidence_level=level + 0.01).common_odds_ratio
    assert narrow is not None
    assert wide is not None
    assert narrow.lower is not None
    assert narrow.upper is not None
    assert wide.lower is not None
    assert wide.upper is not None
    assert wide.lower < narrow.lower
    assert wide.upper > narrow.upper


def test_breslow_day_leaves_out_fixed_strata() -> None:
    # strata 1 and 5 of the rabbits data have a zero column total: their (0, 0) cell
    # is fixed, so only 3 strata inform the homogeneity test
    res = cmh(RABBITS)
    assert res.homogeneity is not None
    assert res.homogeneity.dof == 2
    assert res.homogeneity.details["strata_used"] == 3


def test_breslow_day_undefined_is_recorded() -> None:
    t = np.array([[[3, 0], [0, 4]], [[2, 0], [0, 5]]])  # common odds ratio infinite
    res = cmh(t)
    assert res.homogeneity is None
    assert res.common_odds_ratio is not None
    assert res.common_odds_ratio.value == math.inf
    assert res.common_odds_ratio.lower is None
    assert any("Breslow-Day test not computed" in c for c in res.caveats)
    one_informative = np.array([[[3, 2], [1, 4]], [[2, 0], [3, 0]]])
    res = cmh(one_informative)
    assert res.homogeneity is None
    assert any("at least 2 strata" in c for c in res.caveats)


def test_continuity_correction_is_not_applied_below_one_half() -> None:
    t = np.array([[[5, 5], [5, 5]], [[4, 6], [5, 6]]])
    res = cmh(t, correction=True)
    assert res.details["continuity_correction_applied"] is False
    assert res.statistic == pytest.approx(cmh(t).statistic)


def test_singular_generalized_covariance_uses_rank() -> None:
    # the third column only occurs in a stratum whose rows are constant: rank drops
    t = np.array(
        [
            [[5, 3, 0], [2, 6, 0]],
            [[0, 0, 4], [0, 0, 0]],
        ]
    )
    res = cmh(t)
    assert res.dof == 1
    assert any("rank" in c for c in res.caveats)
    assert res.statistic == pytest.approx(cmh(t[:1, :, :2]).statistic, rel=1e-10)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------


def test_cmh_says_which_shape_it_received() -> None:
    with pytest.raises(InvalidInputError, match=r"`stratified` must be 3-dimensional.*\(2, 2\)"):
        cmh([[1, 2], [3, 4]])
    with pytest.raises(InvalidInputError, match=r"at least 1 stratum, 2 rows.*\(3, 1, 2\)"):
        cmh(np.ones((3, 1, 2), dtype=int))
    with pytest.raises(InvalidInputError, match=r"at least 1 stratum.*\(0, 2, 2\)"):
        cmh(np.ones((0, 2, 2), dtype=int))


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        ([[[1, -2], [3, 4]]], r"`stratified` must hold non-negative counts; got -2"),
        ([[[1, 2.5], [3, 4]]], r"`stratified` must hold whole-number counts; got 2.5"),
        ([[[1, math.nan], [3, 4]]], r"`stratified` must hold finite counts"),
    ],
)
def test_cmh_rejects_bad_counts(counts: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        cmh(counts)


def test_cmh_rejects_bad_options() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`correction` must not be True for tables larger"
    ):
        cmh(SATISFACTION, correction=True)
    with pytest.raises(InvalidInputError, match=r"`correction` must be True or False; got 0.5"):
        cmh(RABBITS, correction=0.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"`confidence_level` must be a number strictly"):
        cmh(RABBITS, confidence_level=1.0)


def test_cmh_without_information_is_insufficient() -> None:
    with pytest.raises(InsufficientDataError, match=r"every stratum has fewer than 2"):
        cmh(np.zeros((3, 2, 2), dtype=int))
    with pytest.raises(InsufficientDataError, match=r"no stratum has both groups and both"):
        cmh([[[3, 4], [0, 0]], [[2, 0], [5, 0]]])
    with pytest.raises(InsufficientDataError, match=r"1 non-empty row\(s\) and 3 non-empty"):
        cmh([[[3, 4, 1], [0, 0, 0], [0, 0, 0]]])
    with pytest.raises(InsufficientDataError, match=r"generalised CMH statistic is undefined"):
        cmh([[[3, 4, 1], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [2, 5, 1], [0, 0, 0]]])


# --------------------------------------------------------------------------------------
# trend
# --------------------------------------------------------------------------------------

SMOKERS = np.array([83, 90, 129, 70])
PATIENTS = np.array([86, 93, 136, 82])


def _trend_table(events: NDArray[np.int64], sizes: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.column_stack([events, sizes - events])


def _naive_prop_trend(
    events: NDArray[np.int64], sizes: NDArray[np.int64], scores: NDArray[np.float64]
) -> float:
    """R's algorithm: the score's sum of squares in a weighted linear model of x/n."""
    p = events.sum() / sizes.sum()
    weights = sizes / p / (1 - p)
    y = events / sizes
    design = np.column_stack([np.ones_like(scores), scores])
    root_w = np.sqrt(weights)
    coef, *_ = np.linalg.lstsq(design * root_w[:, None], y * root_w, rcond=None)
    mean = np.sum(weights * y) / np.sum(weights)
    fitted = design @ coef
    return float(np.sum(weights * (fitted - mean) ** 2))


def test_trend_matches_naive_weighted_regression() -> None:
    rng = np.random.default_rng(12)
    for _ in range(20):
        k = int(rng.integers(2, 7))
        sizes = rng.integers(1, 120, size=k)
        events = rng.integers(0, sizes + 1)
        if events.sum() in (0, sizes.sum()):
            continue
        scores = rng.normal(size=k)
        res = trend(_trend_table(events, sizes), scores=scores)
        assert res.statistic == pytest.approx(_naive_prop_trend(events, sizes, scores), rel=1e-10)


@given(
    sizes=st.lists(st.integers(0, 60), min_size=2, max_size=6),
    data=st.data(),
    shift=st.floats(-10, 10),
    scale=st.floats(0.1, 10),
)
def test_trend_properties(
    sizes: list[int], data: st.DataObject, shift: float, scale: float
) -> None:
    events = [data.draw(st.integers(0, n)) for n in sizes]
    table = _trend_table(np.array(events), np.array(sizes))
    try:
        res = trend(table)
    except InsufficientDataError:
        return
    assert 0.0 <= res.pvalue <= 1.0
    scores = np.arange(1, len(sizes) + 1, dtype=float)
    affine = trend(table, scores=shift + scale * scores)
    assert affine.statistic == pytest.approx(res.statistic, rel=1e-8, abs=1e-12)
    reversed_ = trend(table, scores=-scores)
    assert reversed_.statistic == pytest.approx(res.statistic, rel=1e-8, abs=1e-12)
    assert reversed_.slope == pytest.approx(-res.slope, rel=1e-8, abs=1e-12)


def test_trend_accepts_a_contingency_table_and_skips_empty_groups() -> None:
    table = ContingencyTable.from_counts(
        [[83, 3], [0, 0], [90, 3], [129, 7], [70, 12]],
        rows=["18-24", "25-34", "35-44", "45-54", "55+"],
    )
    res = trend(table, scores=[1, 1.5, 2, 3, 4])
    assert res.details["empty_groups"] == (1,)
    assert math.isnan(res.proportions[1])
    assert res.statistic == pytest.approx(trend(_trend_table(SMOKERS, PATIENTS)).statistic)
    with pytest.raises(ValueError, match="read-only"):
        res.scores[0] = 2.0


def test_trend_rejects_bad_tables() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`table` must have shape \(groups, 2\).*transpose"
    ):
        trend([[1, 2, 3, 4], [5, 6, 7, 8]])
    with pytest.raises(InvalidInputError, match=r"shape \(3, 3\).*one ordered group per row"):
        trend(np.ones((3, 3), dtype=int))
    with pytest.raises(InvalidInputError, match=r"`table` must be 2-dimensional"):
        trend([1, 2, 3])
    with pytest.raises(InvalidInputError, match=r"`table` must hold non-negative counts"):
        trend([[1, -2], [3, 4]])


def test_trend_rejects_bad_scores() -> None:
    table = _trend_table(SMOKERS, PATIENTS)
    with pytest.raises(InvalidInputError, match=r"`scores` must hold one number per group \(4\)"):
        trend(table, scores=[1, 2, 3])
    with pytest.raises(InvalidInputError, match=r"`scores` must hold finite numbers; got inf"):
        trend(table, scores=[1, 2, 3, math.inf])
    with pytest.raises(InvalidInputError, match=r"`scores` must hold numbers"):
        trend(table, scores=["a", "b", "c", "d"])


def test_trend_without_information_is_insufficient() -> None:
    with pytest.raises(InsufficientDataError, match=r"distinct scores"):
        trend(_trend_table(SMOKERS, PATIENTS), scores=[2, 2, 2, 2])
    with pytest.raises(InsufficientDataError, match=r"distinct scores"):
        trend([[3, 4], [0, 0]])
    with pytest.raises(InsufficientDataError, match=r"everyone or no one"):
        trend([[3, 0], [5, 0]])
