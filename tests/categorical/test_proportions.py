"""Proportions, two-group comparisons and p-value adjustment: naive definitions,
properties and bad input. The references (statsmodels, scipy, R, Newcombe 1998) are in
``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import optimize, stats

from ipsstats import (
    ComparisonEstimate,
    InsufficientDataError,
    InvalidInputError,
    adjust_pvalues,
    odds_ratio,
    proportion,
    risk_difference,
    risk_ratio,
)
from ipsstats.categorical import ContingencyTable
from ipsstats.categorical.proportions import ProportionMethod

METHODS: tuple[ProportionMethod, ...] = (
    "wilson",
    "clopper-pearson",
    "agresti-coull",
    "jeffreys",
    "wald",
)


def _random_counts(seed: int, size: int = 40) -> list[tuple[int, int, float]]:
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 300, size=size)
    k = rng.integers(0, n + 1)
    level = rng.uniform(0.5, 0.999, size=size)
    return [(int(a), int(b), float(c)) for a, b, c in zip(k, n, level, strict=True)]


# --------------------------------------------------------------------------------------
# proportion: references
# --------------------------------------------------------------------------------------


def _naive_wilson(k: int, n: int, level: float) -> tuple[float, float]:
    """Invert the score test: the p where (k/n - p)^2 = z^2 p (1 - p) / n."""
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p_hat = k / n

    def score(p: float) -> float:
        return float((p_hat - p) ** 2 - z * z * p * (1 - p) / n)

    inside_low, inside_high = max(p_hat, 1e-300), min(p_hat, 1 - 1e-16)
    low = 0.0 if k == 0 else optimize.brentq(score, 1e-300, inside_high, xtol=1e-15)
    high = 1.0 if k == n else optimize.brentq(score, inside_low, 1 - 1e-16, xtol=1e-15)
    return low, high


def _naive_clopper_pearson(k: int, n: int, level: float) -> tuple[float, float]:
    """Invert the two one-sided binomial tests by root finding on the binomial tails."""
    tail = (1 - level) / 2
    low = 0.0
    high = 1.0
    if k > 0:
        low = optimize.brentq(lambda p: stats.binom.sf(k - 1, n, p) - tail, 0, 1, xtol=1e-15)
    if k < n:
        high = optimize.brentq(lambda p: stats.binom.cdf(k, n, p) - tail, 0, 1, xtol=1e-15)
    return low, high


def test_proportion_matches_naive_inversions() -> None:
    for k, n, level in _random_counts(3, size=25):
        wilson = proportion(k, n, method="wilson", confidence_level=level)
        low, high = _naive_wilson(k, n, level)
        assert (wilson.lower, wilson.upper) == pytest.approx((low, high), rel=1e-9, abs=1e-14)
        exact = proportion(k, n, method="clopper-pearson", confidence_level=level)
        low, high = _naive_clopper_pearson(k, n, level)
        # root finding on binomial tails: rel=1e-7 is the naive method's own accuracy
        assert (exact.lower, exact.upper) == pytest.approx((low, high), rel=1e-7, abs=1e-12)
        wald = proportion(k, n, method="wald", confidence_level=level)
        z = stats.norm.ppf(1 - (1 - level) / 2)
        half = z * math.sqrt(k / n * (1 - k / n) / n)
        assert wald.lower == pytest.approx(max(0.0, k / n - half), rel=1e-12, abs=1e-15)
        assert wald.std_err == pytest.approx(math.sqrt(k / n * (1 - k / n) / n), rel=1e-12)


def test_wald_note_at_boundary() -> None:
    est = proportion(0, 10, method="wald")
    assert est.lower == est.upper == 0.0
    assert "zero width" in est.note
    assert proportion(3, 10, method="wald").note == ""


@given(
    n=st.integers(1, 500),
    data=st.data(),
    method=st.sampled_from(METHODS),
    level=st.floats(0.5, 0.99),
)
def test_proportion_interval_properties(
    n: int, data: st.DataObject, method: ProportionMethod, level: float
) -> None:
    k = data.draw(st.integers(0, n))
    narrow = proportion(k, n, method=method, confidence_level=level)
    wide = proportion(k, n, method=method, confidence_level=min(level + 0.009, 0.999))
    assert narrow.lower is not None
    assert narrow.upper is not None
    assert narrow.value is not None
    assert 0.0 <= narrow.lower <= narrow.value <= narrow.upper <= 1.0
    assert wide.lower is not None
    assert wide.upper is not None
    assert wide.lower <= narrow.lower + 1e-12
    assert wide.upper >= narrow.upper - 1e-12


def test_proportion_to_dict_is_json_safe() -> None:
    assert proportion(3, 10).to_dict()["method"] == "wilson"


# --------------------------------------------------------------------------------------
# proportion: bad input
# --------------------------------------------------------------------------------------


def test_proportion_rejects_k_above_n() -> None:
    with pytest.raises(InvalidInputError, match=r"`k` must not exceed `n`.*k=11 and n=10"):
        proportion(11, 10)


@pytest.mark.parametrize(
    ("k", "n", "match"),
    [
        (-1, 10, r"`k` must hold non-negative counts; got -1"),
        (2.5, 10, r"`k` must hold whole-number counts; got 2.5"),
        (2, 10.5, r"`n` must hold whole-number counts; got 10.5"),
        (math.nan, 10, r"`k` must hold finite counts"),
        ("3", 10, r"`k` must be a non-negative whole number; got '3'"),
        (None, 10, r"`k` must be a non-negative whole number; got None"),
        (True, 10, r"`k` must hold counts \(non-negative whole numbers\); got booleans"),
    ],
)
def test_proportion_rejects_bad_counts(k: object, n: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        proportion(k, n)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0.0, 1.0, 95, -0.1, "0.95"])
def test_proportion_rejects_confidence_level(level: object) -> None:
    with pytest.raises(InvalidInputError, match=r"`confidence_level` must be a number strictly"):
        proportion(3, 10, confidence_level=level)  # type: ignore[arg-type]


def test_proportion_rejects_unknown_method() -> None:
    with pytest.raises(InvalidInputError, match=r"`method` must be one of 'wilson'.*'exact'"):
        proportion(3, 10, method="exact")  # type: ignore[arg-type]


def test_proportion_of_nothing_is_insufficient() -> None:
    with pytest.raises(InsufficientDataError, match=r"`n` is 0"):
        proportion(0, 0)


# --------------------------------------------------------------------------------------
# two-group comparisons
# --------------------------------------------------------------------------------------


def _random_tables(seed: int, size: int = 30) -> list[NDArray[np.int64]]:
    rng = np.random.default_rng(seed)
    return [rng.integers(1, 60, size=(2, 2)) for _ in range(size)]


def test_risk_difference_table_and_counts_agree() -> None:
    by_table = risk_difference([[56, 14], [48, 32]])
    by_counts = risk_difference(56, 70, 48, 80)
    assert by_table == by_counts
    labelled = ContingencyTable.from_counts([[56, 14], [48, 32]], rows=["a", "b"])
    assert risk_difference(labelled) == by_counts
    assert by_counts.zero_cell_correction == 0.0


def test_log_scale_intervals_record_method_and_correction() -> None:
    rr = risk_ratio(0, 20, 5, 20, zero_cell_correction=0.5)
    assert (rr.method, rr.zero_cell_correction) == ("katz-log", 0.5)
    assert rr.note == "0.5 added to every cell (zero events)"
    se = math.sqrt(1 / 0.5 - 1 / 21 + 1 / 5.5 - 1 / 21)
    assert rr.std_err == pytest.approx(se, rel=1e-12)
    assert rr.value is not None
    assert rr.lower == pytest.approx(rr.value * math.exp(-1.959963984540054 * se), rel=1e-12)
    orr = odds_ratio([[0, 20], [5, 15]], zero_cell_correction=0.5)
    assert (orr.method, orr.zero_cell_correction) == ("woolf", 0.5)
    assert orr.note == "0.5 added to every cell (zero cell)"
    assert orr.value == pytest.approx((0.5 * 15.5) / (20.5 * 5.5), rel=1e-12)
    plain = odds_ratio([[3, 20], [5, 15]])
    assert (plain.method, plain.zero_cell_correction, plain.note) == ("woolf", 0.0, "")
    assert risk_ratio(3, 20, 5, 20).note == ""


def _naive_katz(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    rr = (k1 / n1) / (k2 / n2)
    se = math.sqrt((1 - k1 / n1) / k1 + (1 - k2 / n2) / k2)  # delta method on log scale
    return rr, rr * math.exp(-1.959963984540054 * se), rr * math.exp(1.959963984540054 * se)


def test_risk_ratio_matches_naive_delta_method() -> None:
    for table in _random_tables(6):
        a, b, c, d = (int(x) for x in table.ravel())
        rr = risk_ratio(a, a + b, c, c + d)
        assert (rr.value, rr.lower, rr.upper) == pytest.approx(
            _naive_katz(a, a + b, c, c + d), rel=1e-10
        )


def test_zero_cells_are_never_silently_corrected() -> None:
    rr = risk_ratio(0, 20, 5, 20)
    assert rr.value == 0.0
    assert rr.lower is None
    assert rr.upper is None
    assert rr.zero_cell_correction == 0.0
    assert "zero_cell_correction=0.5" in rr.note
    assert risk_ratio(5, 20, 0, 20).value == math.inf
    assert risk_ratio(0, 20, 0, 20).value is None
    orr = odds_ratio([[0, 10], [5, 5]])
    assert orr.value == 0.0
    assert orr.lower is None
    assert "method='conditional'" in orr.note
    assert odds_ratio([[5, 0], [5, 5]]).value == math.inf
    assert odds_ratio([[0, 5], [0, 5]]).value is None


def test_conditional_odds_ratio_at_the_ends_of_the_support() -> None:
    est = odds_ratio([[0, 5], [4, 3]], method="conditional")
    assert est.value == 0.0
    assert est.lower == 0.0
    assert est.upper is not None
    assert 0 < est.upper < math.inf
    est = odds_ratio([[6, 0], [2, 9]], method="conditional")
    assert est.value == math.inf
    assert est.upper == math.inf
    est = odds_ratio([[0, 5], [0, 3]], method="conditional")
    assert est.value is None
    assert (est.lower, est.upper) == (0.0, math.inf)
    assert "column total is zero" in est.note


@given(
    table=st.lists(st.integers(0, 30), min_size=4, max_size=4),
    level=st.floats(0.5, 0.98),
)
def test_conditional_interval_contains_estimate_and_widens(table: list[int], level: float) -> None:
    a, b, c, d = table
    if a + b == 0 or c + d == 0:
        return
    narrow = odds_ratio(a, a + b, c, c + d, method="conditional", confidence_level=level)
    wide = odds_ratio(a, a + b, c, c + d, method="conditional", confidence_level=level + 0.01)
    if narrow.value is None:
        return
    assert narrow.lower is not None
    assert narrow.upper is not None
    assert wide.lower is not None
    assert wide.upper is not None
    assert narrow.lower <= narrow.value * (1 + 1e-9)
    assert narrow.value <= narrow.upper * (1 + 1e-9)
    assert wide.lower <= narrow.lower * (1 + 1e-9)
    assert wide.upper >= narrow.upper * (1 - 1e-9)


@given(
    table=st.lists(st.integers(1, 60), min_size=4, max_size=4),
    level=st.floats(0.5, 0.98),
)
def test_ratio_intervals_contain_estimate(table: list[int], level: float) -> None:
    a, b, c, d = table
    for est in (
        risk_ratio(a, a + b, c, c + d, confidence_level=level),
        odds_ratio(a, a + b, c, c + d, confidence_level=level),
        risk_difference(a, a + b, c, c + d, confidence_level=level),
    ):
        assert isinstance(est, ComparisonEstimate)
        assert est.lower is not None
        assert est.upper is not None
        assert est.value is not None
        assert est.lower <= est.value <= est.upper
    for function in (risk_ratio, odds_ratio, risk_difference):
        narrow = function(a, a + b, c, c + d, confidence_level=level)
        wide = function(a, a + b, c, c + d, confidence_level=level + 0.01)
        assert wide.lower is not None
        assert wide.upper is not None
        assert narrow.lower is not None
        assert narrow.upper is not None
        assert wide.lower <= narrow.lower
        assert wide.upper >= narrow.upper


# --------------------------------------------------------------------------------------
# two-group comparisons: bad input
# --------------------------------------------------------------------------------------


def test_comparisons_report_the_shape_received() -> None:
    with pytest.raises(InvalidInputError, match=r"`table` must be a 2 x 2 table.*shape \(2, 3\)"):
        risk_ratio([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(InvalidInputError, match=r"`table` must be a 2 x 2 table.*shape \(4,\)"):
        odds_ratio([1, 2, 3, 4])


def test_comparisons_need_one_table_or_four_counts() -> None:
    with pytest.raises(InvalidInputError, match=r"`counts` must be one 2 x 2 table.*got 2"):
        risk_difference(1, 2)  # type: ignore[call-overload]


def test_comparisons_reject_k_above_n_and_bad_counts() -> None:
    with pytest.raises(InvalidInputError, match=r"`k2` must not exceed `n2`"):
        risk_difference(1, 5, 7, 6)
    with pytest.raises(InvalidInputError, match=r"`table` must hold non-negative counts"):
        odds_ratio([[1, -2], [3, 4]])
    with pytest.raises(InvalidInputError, match=r"`k1` must hold whole-number counts"):
        risk_ratio(1.5, 5, 2, 6)  # type: ignore[call-overload]


def test_comparisons_reject_empty_group() -> None:
    with pytest.raises(InsufficientDataError, match=r"group 2 \(row 1\) has no observations"):
        risk_difference([[3, 4], [0, 0]])


def test_comparisons_reject_bad_options() -> None:
    with pytest.raises(InvalidInputError, match=r"`method` must be one of 'woolf'"):
        odds_ratio([[1, 2], [3, 4]], method="exact")  # type: ignore[call-overload]
    with pytest.raises(
        InvalidInputError, match=r"`zero_cell_correction` must be 0 with method='conditional'"
    ):
        odds_ratio([[1, 2], [3, 4]], method="conditional", zero_cell_correction=0.5)
    with pytest.raises(
        InvalidInputError, match=r"`zero_cell_correction` must be a finite number >= 0"
    ):
        risk_ratio([[1, 2], [3, 4]], zero_cell_correction=-0.5)
    with pytest.raises(
        InvalidInputError, match=r"`zero_cell_correction` must be a finite number >= 0"
    ):
        odds_ratio([[1, 2], [3, 4]], zero_cell_correction=True)
    with pytest.raises(InvalidInputError, match=r"`confidence_level` must be a number"):
        risk_difference([[1, 2], [3, 4]], confidence_level=1.5)


# --------------------------------------------------------------------------------------
# adjust_pvalues
# --------------------------------------------------------------------------------------


def _random_pvalues(seed: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=int(rng.integers(1, 40))) ** 3
    p[rng.integers(0, p.size, size=p.size // 4)] = p[0]  # ties
    return p


def _naive_p_adjust(p: list[float], method: str) -> list[float]:
    """Step-by-step definitions (loops over the family, no sorting tricks)."""
    m = len(p)
    out = []
    for i in range(m):
        if method == "bonferroni":
            out.append(min(1.0, m * p[i]))
            continue
        rank = sum(1 for x in p if x < p[i]) + 1  # smallest rank among ties
        ordered = sorted(p)
        if method == "holm":
            val = max((m - j) * ordered[j] for j in range(rank))
        else:
            q = sum(1 / k for k in range(1, m + 1)) if method == "by" else 1.0
            if method == "hochberg":
                factors = [float(m - j) for j in range(m)]
            else:
                factors = [q * m / (j + 1) for j in range(m)]
            val = min(factors[j] * ordered[j] for j in range(rank - 1, m))
        out.append(min(1.0, val))
    return out


@pytest.mark.parametrize("method", ["bonferroni", "holm", "hochberg", "bh", "by"])
def test_adjust_pvalues_matches_naive_definitions(method: str) -> None:
    for seed in range(10):
        p = _random_pvalues(seed)
        expected = _naive_p_adjust(p.tolist(), method)
        np.testing.assert_allclose(adjust_pvalues(p, method), expected, rtol=1e-12)  # type: ignore[arg-type]


def test_adjust_pvalues_hand_example() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    # holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, running max
    assert adjust_pvalues(p, "holm").tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, "bonferroni").tolist() == pytest.approx([0.04, 0.16, 0.12, 0.02])
    assert adjust_pvalues(p, "hochberg").tolist() == pytest.approx([0.03, 0.04, 0.04, 0.02])
    assert adjust_pvalues(p, "bh").tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjust_pvalues([], "bh").shape == (0,)


@given(
    p=st.lists(st.floats(0, 1), min_size=1, max_size=30),
    method=st.sampled_from(["bonferroni", "holm", "hochberg", "bh", "by"]),
)
def test_adjust_pvalues_properties(p: list[float], method: str) -> None:
    raw = np.array(p)
    adjusted = adjust_pvalues(raw, method)  # type: ignore[arg-type]
    assert adjusted.shape == raw.shape
    assert np.all(adjusted >= raw)
    assert np.all(adjusted <= 1.0)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= 0)  # monotone in the raw order
    for value in np.unique(raw):
        assert np.unique(adjusted[raw == value]).size == 1  # ties adjust equally


@pytest.mark.parametrize(
    ("pvalues", "match"),
    [
        ([0.1, math.nan], r"`pvalues` must hold no NaN.*nan at index 1.*Hint: drop the tests"),
        ([0.1, 1.5], r"between 0 and 1; got 1.5 at index 1\. Hint: pass p-values, not test"),
        ([-0.1], r"`pvalues` must hold p-values between 0 and 1; got -0.1 at index 0"),
        ([[0.1, 0.2]], r"`pvalues` must be 1-dimensional; got an array of shape \(1, 2\)"),
        (["a"], r"`pvalues` must hold numbers"),
        ("0.1", r"`pvalues` must be array-like"),
    ],
)
def test_adjust_pvalues_rejects_bad_input(pvalues: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        adjust_pvalues(pvalues)


def test_adjust_pvalues_rejects_unknown_method() -> None:
    with pytest.raises(InvalidInputError, match=r"`method` must be one of 'bonferroni'.*'BH'"):
        adjust_pvalues([0.1], "BH")  # type: ignore[arg-type]
