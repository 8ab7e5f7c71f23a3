"""R's prop.test (proportion_test), the corrected Wilson interval and one-sided trend tests.

Newcombe's closed form, properties and bad input; the references (R's ``prop.test`` and
``prop.trend.test``) are in ``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ipsstats import (
    InsufficientDataError,
    InvalidInputError,
    SmallExpectedCountWarning,
    independence,
    proportion,
    proportion_test,
    trend,
)

# --- the continuity-corrected Wilson interval ----------------------------------------------


def _newcombe_method_4(k: int, n: int, z: float) -> tuple[float, float]:
    """Newcombe's (1998) closed form of the corrected score interval, written out."""
    p = k / n
    lower = 0.0
    if k > 0:
        root = math.sqrt(z * z - 2 - 1 / n + 4 * p * (n * (1 - p) + 1))
        lower = (2 * n * p + z * z - 1 - z * root) / (2 * (n + z * z))
    upper = 1.0
    if k < n:
        root = math.sqrt(z * z + 2 - 1 / n + 4 * p * (n * (1 - p) - 1))
        upper = (2 * n * p + z * z + 1 + z * root) / (2 * (n + z * z))
    return max(lower, 0.0), min(upper, 1.0)


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_corrected_wilson_is_newcombes_closed_form(kn: tuple[int, int]) -> None:
    k, n = kn
    est = proportion(k, n, correction=True)
    lower, upper = _newcombe_method_4(k, n, 1.959963984540054)
    assert est.lower == pytest.approx(lower, rel=1e-9, abs=1e-12)  # two algebraic routes
    assert est.upper == pytest.approx(upper, rel=1e-9, abs=1e-12)
    plain = proportion(k, n)
    assert est.lower is not None
    assert est.upper is not None
    assert plain.lower is not None
    assert plain.upper is not None
    assert est.lower <= plain.lower + 1e-15  # wider
    assert est.upper >= plain.upper - 1e-15
    assert est.lower <= k / n <= est.upper


def test_correction_is_wilson_only() -> None:
    with pytest.raises(InvalidInputError, match=r"`correction` must be False unless method='wil"):
        proportion(3, 10, method="jeffreys", correction=True)
    with pytest.raises(InvalidInputError, match=r"`correction` must be True or False; got 0.5"):
        proportion(3, 10, correction=0.5)  # type: ignore[arg-type]


# --- proportion_test --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
def test_two_groups_equal_pearsons_test_of_the_table() -> None:
    rng = np.random.default_rng(9)
    for _ in range(20):
        k, n = rng.integers(5, 40, size=2), rng.integers(40, 80, size=2)
        table = np.column_stack([k, n - k])
        for correct in (False, True):
            res = proportion_test(k, n, correction=correct)
            ref = independence(table, method="pearson", correction=correct)
            if correct and abs(k[0] / n[0] - k[1] / n[1]) / (1 / n[0] + 1 / n[1]) < 0.5:
                continue  # prop.test shrinks the correction there; Yates does not
            assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
            assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-10)


@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.booleans(),
)
def test_one_sided_pvalues_halve_the_two_sided_one(
    a: tuple[int, int], b: tuple[int, int], correct: bool
) -> None:
    k, n = [a[0], b[0]], [a[1], b[1]]
    assume(0 < sum(k) < sum(n))  # otherwise undefined (tested separately)
    two = proportion_test(k, n, correction=correct)
    less = proportion_test(k, n, correction=correct, alternative="less")
    greater = proportion_test(k, n, correction=correct, alternative="greater")
    assert less.pvalue + greater.pvalue == pytest.approx(1.0, abs=1e-12)
    if two.statistic > 0:
        assert min(less.pvalue, greater.pvalue) == pytest.approx(two.pvalue / 2, rel=1e-9)
    assert less.estimate is not None
    assert greater.estimate is not None
    assert (less.estimate.lower, greater.estimate.upper) == (-1.0, 1.0)
    # a one-sided 95% limit is the two-sided 90% one
    ninety = proportion_test(k, n, correction=correct, confidence_level=0.9).estimate
    assert ninety is not None
    # (1 - 0.95 and (1 - 0.9) / 2 differ in the last bits)
    assert less.estimate.upper == pytest.approx(ninety.upper, rel=1e-12, abs=1e-15)
    assert greater.estimate.lower == pytest.approx(ninety.lower, rel=1e-12, abs=1e-15)


def test_estimate_recomputes_at_another_level() -> None:
    res = proportion_test(81, 263, p=0.3)
    assert res.estimate is not None
    again = proportion_test(81, 263, p=0.3, confidence_level=0.99).estimate
    assert again is not None
    assert res.estimate.confidence_interval(0.99) == (again.lower, again.upper)
    res2 = proportion_test([15, 25], [50, 50], alternative="less")
    assert res2.estimate is not None
    again2 = proportion_test([15, 25], [50, 50], alternative="less", confidence_level=0.8)
    assert again2.estimate is not None
    assert res2.estimate.confidence_interval(0.8) == (again2.estimate.lower, again2.estimate.upper)


def test_small_expected_counts_warn_and_are_recorded() -> None:
    with pytest.warns(SmallExpectedCountWarning, match="expected count is below 5"):
        res = proportion_test(1, 6)
    assert "below 5" in res.caveats[0]


def test_result_fields_and_deprecated_conf_level() -> None:
    res = proportion_test([15, 25], [50, 50])
    assert res.proportions.tolist() == [0.3, 0.5]
    assert res.null_value is None
    assert res.n == 100
    assert res.to_dict()["alternative"] == "two-sided"
    with pytest.raises(ValueError, match="read-only"):
        res.proportions[0] = 1.0
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        old = proportion_test(81, 263, conf_level=0.9)  # type: ignore[call-arg]
    assert old.estimate is not None
    assert old.estimate.confidence_level == 0.9


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((5, 3), {}, InvalidInputError, r"`k` must not exceed `n` in any group; got k=5 and n=3"),
        (([1, 2], [3]), {}, InvalidInputError, r"`n` must hold one number of trials per group"),
        (([], []), {}, InsufficientDataError, r"`k` must hold at least one group"),
        (([1, 0], [3, 0]), {}, InsufficientDataError, r"`n` must be positive in every group"),
        (([[1]], [[3]]), {}, InvalidInputError, r"`k` must be a number or 1-dimensional"),
        ((1, 3), {"p": 1.0}, InvalidInputError, r"`p` must hold proportions strictly between"),
        ((1, 3), {"p": [0.2, 0.3]}, InvalidInputError, r"`p` must hold one hypothesised"),
        ((1, 3), {"p": "0.2"}, InvalidInputError, r"`p` must be array-like"),
        ((1, 3), {"p": [[0.2]]}, InvalidInputError, r"`p` must be a number or a 1-D array"),
        (([1, 2, 3], [4, 5, 6]), {"correction": True}, InvalidInputError, r"`correction` must"),
        (([1, 2, 3], [4, 5, 6]), {"alternative": "less"}, InvalidInputError, r"be 'two-sided'"),
        (([1, 2], [4, 5]), {"p": [0.2, 0.3], "alternative": "less"}, InvalidInputError, r"given"),
        ((1, 3), {"alternative": "up"}, InvalidInputError, r"`alternative` must be one of"),
        ((1, 3), {"correction": "yes"}, InvalidInputError, r"`correction` must be True or Fa"),
        ((1, 3), {"confidence_level": 95}, InvalidInputError, r"`confidence_level` must be"),
        ((-1, 3), {}, InvalidInputError, r"`k` must hold non-negative counts"),
        (([1, 1], [2**52, 2**52 + 1]), {}, InvalidInputError, r"`n` must add up to at most"),
        (([0, 0], [4, 5]), {}, InsufficientDataError, r"everyone or no one had the outcome"),
        (([4, 5], [4, 5]), {}, InsufficientDataError, r"got 9 of 9"),
    ],
)
def test_proportion_test_rejects_bad_input(
    args: tuple[object, ...], kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        proportion_test(*args, **kwargs)  # type: ignore[arg-type]


# --- one-sided trend tests -----------------------------------------------------------------


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=2, max_size=6).filter(
        lambda rows: 0 < sum(a for a, _ in rows) < sum(a + b for a, b in rows)
    )
)
def test_one_sided_trend_properties(rows: list[tuple[int, int]]) -> None:
    if sum(1 for a, b in rows if a + b > 0) < 2:
        return
    two = trend(rows)
    less = trend(rows, alternative="less")
    greater = trend(rows, alternative="greater")
    assert less.pvalue + greater.pvalue == pytest.approx(1.0, abs=1e-12)
    assert min(less.pvalue, greater.pvalue) == pytest.approx(two.pvalue / 2, rel=1e-9, abs=1e-300)
    # reversing the order of the groups reverses the direction
    reverse = trend(rows[::-1], alternative="less")
    assert reverse.pvalue == pytest.approx(greater.pvalue, rel=1e-9, abs=1e-300)


def test_trend_rejects_unknown_alternative() -> None:
    with pytest.raises(InvalidInputError, match=r"`alternative` must be one of 'two-sided'"):
        trend([[1, 2], [3, 4]], alternative="increasing")  # type: ignore[arg-type]
