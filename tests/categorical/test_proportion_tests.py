"""R's prop.test (proportion_test), the corrected Wilson interval and one-sided trend tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ipsstats import (
    InsufficientDataError,
    InvalidInputError,
    ProportionTestResult,
    SmallExpectedCountWarning,
    independence,
    proportion,
    proportion_test,
    trend,
)
from tests.categorical.rscript import r_numbers, r_vector, requires_r

# --- the continuity-corrected Wilson interval ----------------------------------------------

# R 4.2.2: prop.test(x, n, p = p0, conf.level = level)$conf.int (correct = TRUE), with
# p0 = 0.5, or 0.1 where x = n / 2 (prop.test drops the correction when |x - n p0| < 1/2)
WILSON_CC = {
    (81, 263, 0.95): (0.25350868229518525, 0.36817620104300364),
    (81, 263, 0.8): (0.27096102277204026, 0.34751560340840026),
    (81, 263, 0.999): (0.22178793708548369, 0.4096678162824649),
    (0, 12, 0.95): (0.0, 0.30125403908221782),
    (0, 12, 0.999): (0.0, 0.51635901423978892),
    (12, 12, 0.95): (0.69874596091778218, 1.0),
    (12, 12, 0.8): (0.81454564878570701, 1.0),
    (1, 2, 0.95): (0.026677342008984584, 0.97332265799101547),
    (1, 2, 0.999): (0.010692527582567009, 0.98930747241743289),
    (5, 10, 0.95): (0.20142296959860717, 0.79857703040139294),
    (3, 7, 0.8): (0.17365378234893392, 0.71796639990795241),
    (150, 300, 0.95): (0.44213422947396974, 0.55786577052603026),
    (1, 1000, 0.95): (5.2202355442703901e-05, 0.0064687850468254787),
    (1, 1000, 0.8): (9.8272747698597396e-05, 0.0040848497030334515),
}


@pytest.mark.parametrize(("k", "n", "level"), list(WILSON_CC))
def test_corrected_wilson_matches_prop_test(k: int, n: int, level: float) -> None:
    lower, upper = WILSON_CC[(k, n, level)]
    est = proportion(k, n, correction=True, confidence_level=level)
    assert est.method == "wilson"
    assert est.lower == pytest.approx(lower, rel=1e-13, abs=1e-300)
    assert est.upper == pytest.approx(upper, rel=1e-13)


@requires_r
def test_corrected_wilson_matches_r_live() -> None:
    rng = np.random.default_rng(11)
    n = rng.integers(1, 500, size=30)
    k = rng.integers(0, n + 1)
    level = rng.uniform(0.5, 0.999, size=30)
    code = "".join(
        f"x <- {a}; n <- {b}; p0 <- if (x == n / 2) 0.1 else 0.5; "
        f'cat(sprintf("%.17g", prop.test(x, n, p = p0, conf.level = {c!r})$conf.int), "\\n");'
        for a, b, c in zip(k.tolist(), n.tolist(), level.tolist(), strict=True)
    )
    expected = np.array(r_numbers("suppressWarnings({" + code + "})")).reshape(-1, 2)
    for a, b, c, (lower, upper) in zip(
        k.tolist(), n.tolist(), level.tolist(), expected, strict=True
    ):
        est = proportion(a, b, correction=True, confidence_level=c)
        assert est.lower == pytest.approx(lower, rel=1e-12, abs=1e-300)
        assert est.upper == pytest.approx(upper, rel=1e-12)


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

# R 4.2.2, r <- prop.test(...); c(r$statistic, r$parameter, r$p.value, r$conf.int)
PROP_TEST = [
    # prop.test(81, 263, p = 0.25, alternative = "greater")
    (
        (81, 263),
        {"p": 0.25, "alternative": "greater", "correction": True},
        (4.4119138149556401, 1, 0.017844390306306183, 0.26151120218134272, 1),
    ),
    # prop.test(81, 263, p = 0.25, alternative = "less", correct = FALSE)
    (
        (81, 263),
        {"p": 0.25, "alternative": "less"},
        (4.7160963244613434, 1, 0.98505924701272674, 0, 0.35656634960848815),
    ),
    # prop.test(81, 263, conf.level = 0.9)
    (
        (81, 263),
        {"confidence_level": 0.9, "correction": True},
        (38.022813688212928, 1, 6.9922238835674563e-10, 0.26151120218134272, 0.3585265844571276),
    ),
    # prop.test(131, 263): |x - n/2| = 1/2, all of it taken by the correction
    ((131, 263), {"correction": True}, (0, 1, 1, 0.43626242833353718, 0.5599917377657524)),
    # prop.test(3, 10, p = 0.3): x = n p, no correction left
    ((3, 10), {"p": 0.3, "correction": True}, (0, 1, 1, 0.10779126740630104, 0.60322185253885452)),
    # prop.test(c(15, 25), c(50, 50), alternative = "less")
    (
        ([15, 25], [50, 50]),
        {"alternative": "less", "correction": True},
        (3.375, 1, 0.033096289861096716, -1, -0.022231182492617491),
    ),
    # prop.test(c(15, 25), c(50, 50), alternative = "greater", correct = FALSE,
    #           conf.level = 0.8)
    (
        ([15, 25], [50, 50]),
        {"alternative": "greater", "confidence_level": 0.8},
        (4.166666666666667, 1, 0.97938658333141815, -0.2807254728531664, 1),
    ),
    # prop.test(c(15, 25), c(50, 50))
    (
        ([15, 25], [50, 50]),
        {"correction": True},
        (3.375, 1, 0.06619257972219339, -0.40799314123229585, 0.0079931412322958306),
    ),
    # prop.test(c(20, 20), c(50, 50))
    (
        ([20, 20], [50, 50]),
        {"correction": True},
        (0, 1, 1, -0.19203646705421232, 0.19203646705421232),
    ),
    # prop.test(c(83, 90, 129, 70), c(86, 93, 136, 82))
    (
        ([83, 90, 129, 70], [86, 93, 136, 82]),
        {},
        (12.600411297127639, 3, 0.0055854766616270247, math.nan, math.nan),
    ),
    # prop.test(c(83, 90, 129, 70), c(86, 93, 136, 82), p = c(0.95, 0.95, 0.9, 0.85))
    (
        ([83, 90, 129, 70], [86, 93, 136, 82]),
        {"p": [0.95, 0.95, 0.9, 0.85]},
        (4.5974393526645674, 4, 0.33114952779361523, math.nan, math.nan),
    ),
    # prop.test(c(15, 25), c(50, 50), p = c(0.3, 0.4))
    (
        ([15, 25], [50, 50]),
        {"p": [0.3, 0.4], "correction": True},
        (1.7113095238095237, 2, 0.4250048229923733, math.nan, math.nan),
    ),
    # prop.test(c(15, 25), c(50, 50), p = c(0.3, 0.4), correct = FALSE)
    (
        ([15, 25], [50, 50]),
        {"p": [0.3, 0.4]},
        (2.0833333333333335, 2, 0.3528660814588489, math.nan, math.nan),
    ),
]


@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
@pytest.mark.parametrize(("data", "kwargs", "expected"), PROP_TEST)
def test_proportion_test_matches_r(
    data: tuple[object, object], kwargs: dict[str, object], expected: tuple[float, ...]
) -> None:
    statistic, dof, pvalue, lower, upper = expected
    res = proportion_test(*data, **kwargs)  # type: ignore[arg-type]
    assert isinstance(res, ProportionTestResult)
    assert res.statistic == pytest.approx(statistic, rel=1e-12, abs=1e-12)
    assert res.dof == dof
    assert res.pvalue == pytest.approx(pvalue, rel=1e-12)
    if math.isnan(lower):
        assert res.estimate is None
    else:
        assert res.estimate is not None
        assert res.estimate.lower == pytest.approx(lower, rel=1e-12, abs=1e-15)
        assert res.estimate.upper == pytest.approx(upper, rel=1e-12)
    assert res.requested == res.method
    assert res.reason == ""


@requires_r
@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
def test_proportion_test_matches_r_live() -> None:
    rng = np.random.default_rng(4)
    cases = []
    for _ in range(24):
        groups = int(rng.choice([1, 2]))
        n = rng.integers(5, 200, size=groups)
        k = rng.integers(0, n + 1)
        side = str(rng.choice(["two-sided", "less", "greater"]))
        correct = bool(rng.integers(0, 2))
        cases.append((k, n, side, correct))
    code = "".join(
        f"r <- prop.test({r_vector(k)}, {r_vector(n)}, "
        f'alternative = "{side.replace("-", ".")}", correct = {str(correct).upper()}, '
        "conf.level = 0.9); "
        'cat(sprintf("%.17g", c(r$statistic, r$p.value, r$conf.int)), "\\n");'
        for k, n, side, correct in cases
    )
    expected = np.array(r_numbers("suppressWarnings({" + code + "})")).reshape(-1, 4)
    for (k, n, side, correct), row in zip(cases, expected, strict=True):
        res = proportion_test(k, n, alternative=side, correction=correct, confidence_level=0.9)  # type: ignore[arg-type]
        assert res.estimate is not None
        got = [res.statistic, res.pvalue, res.estimate.lower, res.estimate.upper]
        np.testing.assert_allclose(np.array(got, dtype=float), row, rtol=1e-11, atol=1e-14)


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

# R 4.2.2: X2 <- prop.trend.test(x, n, score)$statistic; the sign of the trend from
# coef(lm(I(x / n) ~ score, weights = n))[2]; z <- sign(slope) * sqrt(X2);
# c(X2, z, pnorm(z), pnorm(z, lower.tail = FALSE))
TREND = [
    # x = c(83, 90, 129, 70), n = c(86, 93, 136, 82)
    (
        [83, 90, 129, 70],
        [86, 93, 136, 82],
        None,
        (8.2249222851977102, -2.8679125309530815, 0.0020659487388207452, 0.99793405126117929),
    ),
    # x = c(5, 8, 12), n = c(20, 20, 20)
    (
        [5, 8, 12],
        [20, 20, 20],
        None,
        (5.04, 2.2449944320643649, 0.98761575499534049, 0.012384245004659528),
    ),
    # x = c(5, 8, 12, 9), n = c(20, 20, 20, 30), score = c(0, 1, 3, 7)
    (
        [5, 8, 12, 9],
        [20, 20, 20, 30],
        [0, 1, 3, 7],
        (0.037772284140242557, -0.19435093038172613, 0.42295055456895603, 0.57704944543104397),
    ),
]


@pytest.mark.parametrize(("x", "n", "scores", "expected"), TREND)
def test_one_sided_trend_matches_r_derivation(
    x: list[int], n: list[int], scores: list[float] | None, expected: tuple[float, ...]
) -> None:
    statistic, z, p_less, p_greater = expected
    table = [[a, b - a] for a, b in zip(x, n, strict=True)]
    for side, pvalue in (("less", p_less), ("greater", p_greater)):
        res = trend(table, scores=scores, alternative=side)  # type: ignore[arg-type]
        assert res.statistic == pytest.approx(statistic, rel=1e-12)
        assert res.details["z"] == pytest.approx(z, rel=1e-12)
        assert res.pvalue == pytest.approx(pvalue, rel=1e-12)
        assert res.alternative == side
        assert math.copysign(1.0, res.slope) == math.copysign(1.0, z)


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
