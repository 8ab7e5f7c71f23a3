from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats

from ipsstats import (
    Estimate,
    GrayTestResult,
    IncidenceCurve,
    InsufficientDataError,
    InvalidInputError,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank,
)
from tests.strategies import competing_samples


def tied_data(
    seed: int, n: int = 300, k: int = 3, max_time: int = 20
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Heavily tied integer durations with zeros; causes 0 (censored), 1, 2."""
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, max_time, n).astype(np.float64)
    causes = rng.choice([0, 1, 2], size=n, p=[0.35, 0.4, 0.25])
    groups = rng.integers(0, k, n)
    strata = rng.integers(0, 2, n)
    return durations, causes, groups, strata


def tie_factor(d: float, n: float) -> float:
    return 1.0 - (d - 1.0) / (n - 1.0) if d > 1 else 1.0


def _old(**kwargs: Any) -> dict[str, Any]:
    """Deprecated keyword arguments, which the typed signatures no longer list."""
    return kwargs


# --- naive cumulative incidence: explicit double sum for the variance ---------------------


def naive_incidence(
    durations: Sequence[float], causes: Sequence[int], cause: int
) -> tuple[list[float], list[float], list[float]]:
    """(times, incidence, variance) with the variance written as the O(T^2) double sum."""
    times = sorted(set(durations))
    rows = []
    survival = 1.0
    incidence = 0.0
    for t in times:
        n = sum(1 for x in durations if x >= t)
        d1 = sum(1 for x, c in zip(durations, causes, strict=True) if x == t and c == cause)
        d_all = sum(1 for x, c in zip(durations, causes, strict=True) if x == t and c > 0)
        before = survival
        survival *= 1.0 - d_all / n
        incidence += before * d1 / n
        rows.append((n, d1, d_all - d1, before, survival, incidence))
    variances = []
    for j in range(len(rows)):
        f_t = rows[j][5]
        total = 0.0
        for n, d1, d2, before, after, f_i in rows[: j + 1]:
            scale = before**2 / n**2
            gap = (f_i - f_t) / after if after > 0 else 0.0
            if d1:
                total += scale * tie_factor(d1, n) * d1 * (1.0 + gap) ** 2
            if d2 and after > 0:
                total += scale * tie_factor(d2, n) * d2 * gap**2
        variances.append(total)
    return times, [r[5] for r in rows], variances


def test_incidence_matches_naive_with_ties_and_zeros() -> None:
    durations, causes, _, _ = tied_data(1, n=120, max_time=10)
    for cause in (1, 2):
        curve = cumulative_incidence(durations, causes, cause=cause)
        times, incidence, variance = naive_incidence(durations.tolist(), causes.tolist(), cause)
        np.testing.assert_array_equal(curve.times, times)
        np.testing.assert_allclose(curve.incidence, incidence, rtol=1e-13)
        # cumulative sums expanded in F(t) versus the direct double sum
        np.testing.assert_allclose(curve.std_err**2, variance, rtol=1e-9, atol=1e-15)


def test_curve_fields_and_at() -> None:
    days = [10, 20, 20, 35, 40, 50, 60, 75]
    cause = [1, 2, 1, 0, 1, 2, 0, 1]
    curve = cumulative_incidence(days, cause, cause=1, confidence_level=0.9)
    assert isinstance(curve, IncidenceCurve)
    np.testing.assert_array_equal(curve.n_at_risk, [8, 7, 5, 4, 3, 2, 1])
    np.testing.assert_array_equal(curve.n_events, [1, 1, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(curve.n_competing, [0, 1, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(curve.n_censored, [0, 0, 1, 0, 0, 1, 0])
    assert not curve.incidence.flags.writeable
    at = curve.at(45)
    assert isinstance(at, Estimate)
    assert at.value == pytest.approx(curve.incidence[3])
    assert at.std_err == pytest.approx(curve.std_err[3])
    assert at.confidence_level == 0.9
    assert curve.at(0).value == 0.0
    assert curve.at(0).note == "before the first observed time"
    assert curve.at(75).value == pytest.approx(curve.incidence[-1])
    json.dumps(curve.to_dict())
    absent = cumulative_incidence(days, cause, cause=3)
    assert not absent.incidence.any()
    assert not absent.upper.any()


def test_loglog_bounds_formula() -> None:
    durations, causes, _, _ = tied_data(5)
    curve = cumulative_incidence(durations, causes, confidence_level=0.95)
    z = stats.norm.ppf(0.975)
    f, se = curve.incidence, curve.std_err
    inside = (f > 0) & (f < 1)
    lower = f[inside] ** np.exp(-z * se[inside] / (f[inside] * np.log(f[inside])))
    upper = f[inside] ** np.exp(z * se[inside] / (f[inside] * np.log(f[inside])))
    np.testing.assert_allclose(curve.lower[inside], lower, rtol=1e-12)
    np.testing.assert_allclose(curve.upper[inside], upper, rtol=1e-12)
    np.testing.assert_array_equal(curve.lower[~inside], f[~inside])


def test_delayed_entry_uses_counting_process_risk_sets() -> None:
    durations = np.array([5.0, 6, 7, 8, 9, 10])
    entry = np.array([0.0, 0, 6, 6, 0, 2])
    causes = np.array([1, 2, 1, 0, 1, 2])
    curve = cumulative_incidence(durations, causes, entry=entry)
    # at risk on (entry, exit]: at 7 the subjects entering at 6 count, at 6 they do not
    np.testing.assert_array_equal(curve.n_at_risk, [4, 3, 4, 3, 2, 1])
    plain = cumulative_incidence(durations, causes)
    assert not np.allclose(curve.incidence, plain.incidence)


def test_delayed_entry_gap_is_not_estimated() -> None:
    # A leaves at 5; B and C enter at 10: nobody is under observation on (5, 10]
    curve = cumulative_incidence([5.0, 15, 20], [1, 2, 1], entry=[0.0, 10, 10])
    np.testing.assert_array_equal(curve.unobserved, [[5.0, 10.0]])
    assert curve.at(5).value == 1.0
    for t in (5.5, 7, 10):
        with pytest.raises(InsufficientDataError, match=r"nobody is under observation") as info:
            curve.at(t)
        assert info.value.argument == "t"
    assert curve.at(10.5).value == 1.0
    assert cumulative_incidence([5.0, 15], [1, 2]).unobserved.shape == (0, 2)


@given(
    competing_samples(min_size=1, max_size=30, max_time=12),
    st.data(),
)
def test_at_refuses_exactly_the_empty_risk_sets(sample: tuple[Any, Any, Any], data: Any) -> None:
    durations, causes, _ = sample
    durations = durations + 1.0
    entry = np.array([data.draw(st.integers(0, int(d) - 1)) for d in durations], dtype=float)
    curve = cumulative_incidence(durations, causes, entry=entry)
    first, last = curve.times[0], curve.times[-1]
    for t in np.arange(0.0, last + 0.25, 0.25):
        at_risk = int(np.sum((entry < t) & (t <= durations)))
        if t > first and at_risk == 0:
            with pytest.raises(InsufficientDataError):
                curve.at(t)
        else:
            curve.at(t)


@given(competing_samples(min_size=1, max_size=50, n_causes=3), st.floats(0.5, 0.99))
def test_incidence_properties(sample: tuple[Any, Any, Any], level: float) -> None:
    durations, causes, _ = sample
    curves = [
        cumulative_incidence(durations, causes, cause=c, confidence_level=level) for c in (1, 2, 3)
    ]
    total = sum(curve.incidence for curve in curves)
    events = causes > 0
    n_at_risk = curves[0].n_at_risk
    deaths = np.bincount(
        np.searchsorted(curves[0].times, durations[events]), minlength=n_at_risk.size
    )
    survival = np.cumprod(1.0 - deaths / n_at_risk)
    np.testing.assert_allclose(total + survival, 1.0, rtol=1e-12, atol=1e-12)
    wider = cumulative_incidence(
        durations, causes, cause=1, confidence_level=min(level + 0.009, 0.999)
    )
    for curve in curves:
        assert (np.diff(curve.incidence) >= -1e-15).all()
        assert (curve.lower <= curve.incidence + 1e-12).all()
        assert (curve.incidence <= curve.upper + 1e-12).all()
        assert (curve.lower >= 0).all()
        assert (curve.upper <= 1).all()
    assert (wider.lower <= curves[0].lower + 1e-12).all()
    assert (wider.upper >= curves[0].upper - 1e-12).all()
    order = np.argsort(-durations, kind="stable")
    reordered = cumulative_incidence(
        durations[order], causes[order], cause=1, confidence_level=level
    )
    np.testing.assert_allclose(reordered.incidence, curves[0].incidence, rtol=1e-12)


# --- naive Gray test: one loop per time and group ----------------------------------------


def naive_counts(
    durations: Sequence[float], causes: Sequence[int], groups: Sequence[int], t: float, cause: int
) -> tuple[list[int], list[int], list[int]]:
    """At-risk, cause and other-cause counts per group at time t."""
    labels = sorted(set(groups))
    rows = list(zip(durations, causes, groups, strict=True))
    risk = [sum(1 for x, _, g in rows if g == label and x >= t) for label in labels]
    own = [sum(1 for x, c, g in rows if g == label and x == t and c == cause) for label in labels]
    other = [
        sum(1 for x, c, g in rows if g == label and x == t and c not in (0, cause))
        for label in labels
    ]
    return risk, own, other


def naive_gray(
    durations: Sequence[float],
    causes: Sequence[int],
    groups: Sequence[int],
    *,
    cause: int = 1,
    rho: float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gray's score and variance for one stratum, following the paper's quantities."""
    labels = sorted(set(groups))
    k = len(labels)
    surv = [1.0] * k  # group Kaplan-Meier, left limit
    inc = [0.0] * k  # group incidence of the cause, left limit
    pooled = 0.0  # pooled incidence under the null, left limit
    score = np.zeros(k)
    c = np.zeros((k, k))
    var = np.zeros((k, k))
    v2 = np.zeros((k, k))
    v3 = np.zeros(k)
    for t in sorted(set(durations)):
        risk, own, other = naive_counts(durations, causes, groups, t, cause)
        d1 = sum(own)
        if d1 == 0 and sum(other) == 0:
            continue
        h = [risk[g] / surv[g] if risk[g] > 0 else 0.0 for g in range(k)]
        big_r = [risk[g] * (1 - inc[g]) / surv[g] if risk[g] > 0 else 0.0 for g in range(k)]
        total_h, total_r = sum(h), sum(big_r)
        surv_after = [
            surv[g] * (1 - (own[g] + other[g]) / risk[g]) if risk[g] > 0 else surv[g]
            for g in range(k)
        ]
        pooled_after = pooled + d1 / total_h
        weight = (1 - pooled) ** rho
        for g in range(k):
            if risk[g] > 0:
                score[g] += weight * (own[g] - d1 * big_r[g] / total_r)
        a = np.zeros((k, k))
        for i in range(k):
            for j in range(k):
                a[i, j] = weight * h[i] * ((i == j) - h[j] / total_h)
        if d1 > 0:
            c += a * d1 / (total_h * (1 - pooled))
            for g in range(k):
                if risk[g] == 0:
                    continue
                t4 = 1 - (1 - pooled_after) / surv_after[g] if surv_after[g] > 0 else 1.0
                t5 = 1 - (d1 - 1) / (total_h * surv[g] - 1) if d1 > 1 else 1.0
                t3 = t5 * surv[g] * d1 / (total_h * risk[g])
                v3[g] += t4 * t4 * t3
                for i in range(k):
                    b_i = a[i, g] - t4 * c[i, g]
                    v2[i, g] += b_i * t4 * t3
                    for j in range(k):
                        var[i, j] += b_i * (a[j, g] - t4 * c[j, g]) * t3
        for g in range(k):
            if other[g] == 0 or surv_after[g] <= 0:
                continue
            t4 = (1 - pooled_after) / surv_after[g]
            t3 = tie_factor(other[g], risk[g]) * surv[g] ** 2 * other[g] / risk[g] ** 2
            v3[g] += t4 * t4 * t3
            for i in range(k):
                v2[i, g] -= t4 * c[i, g] * t4 * t3
                for j in range(k):
                    var[i, j] += t4 * c[i, g] * t4 * c[j, g] * t3
        for g in range(k):
            if risk[g] > 0:
                inc[g] += surv[g] * own[g] / risk[g]
        surv = surv_after
        pooled = pooled_after
    for i in range(k):
        for j in range(k):
            for g in range(k):
                var[i, j] += c[i, g] * c[j, g] * v3[g] + c[i, g] * v2[j, g] + c[j, g] * v2[i, g]
    return score, var


def naive_statistic(score: NDArray[np.float64], var: NDArray[np.float64]) -> float:
    return float(score[:-1] @ np.linalg.solve(var[:-1, :-1], score[:-1]))


@pytest.mark.parametrize("rho", [0.0, 1.0])
@pytest.mark.parametrize("cause", [1, 2])
def test_gray_matches_naive(rho: float, cause: int) -> None:
    durations, causes, groups, _ = tied_data(6, n=150, max_time=12)
    res = gray_test(durations, causes, groups, cause=cause, rho=rho)
    score, var = naive_gray(
        durations.tolist(), causes.tolist(), groups.tolist(), cause=cause, rho=rho
    )
    np.testing.assert_allclose(res.score, score, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.variance, var, rtol=1e-10, atol=1e-12)
    assert res.statistic == pytest.approx(naive_statistic(score, var), rel=1e-10)
    assert res.dof == 2
    assert res.pvalue == pytest.approx(stats.chi2.sf(res.statistic, 2), rel=1e-12)


def test_gray_stratified_sums_strata() -> None:
    durations, causes, groups, strata = tied_data(7, n=160, max_time=10)
    res = gray_test(durations, causes, groups, strata=strata)
    score = np.zeros(3)
    var = np.zeros((3, 3))
    for s in (0, 1):
        inside = strata == s
        part = naive_gray(
            durations[inside].tolist(), causes[inside].tolist(), groups[inside].tolist()
        )
        score += part[0]
        var += part[1]
    np.testing.assert_allclose(res.score, score, rtol=1e-10, atol=1e-12)
    assert res.statistic == pytest.approx(naive_statistic(score, var), rel=1e-10)
    assert res.details["strata"] == 2


def test_gray_score_is_logrank_score_without_competing_events() -> None:
    # with no competing cause, the subdistribution hazard is the hazard: Gray's score is
    # the log-rank observed minus expected
    durations, causes, groups, _ = tied_data(8)
    single = np.where(causes == 2, 0, causes)
    res = gray_test(durations, single, groups)
    lr = logrank(durations, single > 0, groups)
    np.testing.assert_allclose(res.score, lr.o_minus_e, rtol=1e-12, atol=1e-12)


def test_gray_result_fields() -> None:
    durations, causes, groups, _ = tied_data(9)
    labels = np.array(["c", "a", "b"], dtype=object)[groups]
    res = gray_test(durations, causes, labels, cause=2)
    assert isinstance(res, GrayTestResult)
    assert res.groups == ("a", "b", "c")
    assert res.cause == 2
    assert res.method == "gray"
    assert res.score.sum() == pytest.approx(0.0, abs=1e-10)
    np.testing.assert_allclose(res.n_subjects.sum(), durations.size)
    assert res.n_events.sum() == (causes == 2).sum()
    json.dumps(res.to_dict())


def test_gray_missing_labels_are_excluded() -> None:
    durations, causes, groups, strata = tied_data(10, n=100)
    labels = groups.astype(object)
    labels[:3] = None
    layer = strata.astype(object)
    layer[3] = None
    res = gray_test(durations, causes, labels, strata=layer)
    assert dict(res.exclusions) == {"missing group": 3, "missing stratum": 1}
    assert res.n == 96


@given(competing_samples(min_size=4, max_size=40, n_groups=3), st.randoms(use_true_random=False))
def test_gray_properties(sample: tuple[Any, Any, Any], random: Any) -> None:
    durations, causes, groups = sample
    try:
        res = gray_test(durations, causes, groups)
    except InsufficientDataError:
        return
    assert 0.0 <= res.pvalue <= 1.0
    assert res.score.sum() == pytest.approx(0.0, abs=1e-9)
    order = list(range(durations.size))
    random.shuffle(order)
    shuffled = gray_test(durations[order], causes[order], groups[order])
    assert shuffled.statistic == pytest.approx(res.statistic, rel=1e-7, abs=1e-9)
    relabelled = gray_test(durations, causes, 10 - groups)
    assert relabelled.statistic == pytest.approx(res.statistic, rel=1e-7, abs=1e-9)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("causes", "match"),
    [
        ([1, -1, 0], "`causes` must hold cause codes: whole numbers.*-1 at index 1"),
        ([1, 1.5, 0], r"`causes` must hold cause codes: whole numbers.*1\.5 at index 1"),
        ([1, math.nan, 0], "`causes` must hold cause codes.*nan at index 1"),
        ([True, False, True], "`causes` must hold cause codes.*booleans"),
        (["a", "b", "c"], "`causes` must hold cause codes.*non-numeric"),
        ([[1, 2, 0]], "`causes` must be 1-dimensional"),
        (np.array([1, 2j, 0]), "`causes` must hold cause codes.*complex numbers"),
        (np.array([1, True, 0], dtype=object), "`causes` must hold cause codes.*True at index 1"),
        (np.array([1, "2", 0], dtype=object), "`causes` must hold cause codes.*'2' at index 1"),
    ],
)
def test_bad_causes(causes: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        cumulative_incidence([1, 2, 3], causes)


@pytest.mark.parametrize("cause", [0, -1, 1.0, True, "1"])
def test_bad_cause(cause: object) -> None:
    with pytest.raises(InvalidInputError, match="`cause` must be a positive whole number"):
        cumulative_incidence([1, 2, 3], [1, 2, 0], cause=cause)  # type: ignore[arg-type]


def test_bad_durations_and_lengths() -> None:
    with pytest.raises(InvalidInputError, match="`durations` must hold non-negative durations"):
        cumulative_incidence([1, -2, 3], [1, 2, 0])
    with pytest.raises(InvalidInputError, match="`durations` must hold finite durations"):
        cumulative_incidence([1, math.inf, 3], [1, 2, 0])
    with pytest.raises(InvalidInputError, match="`durations` must have the same length"):
        cumulative_incidence([1, 2, 3], [1, 2])
    with pytest.raises(InvalidInputError, match="`durations` must have the same length"):
        gray_test([1, 2, 3], [1, 2, 0], [0, 1])


def test_entry_after_exit() -> None:
    with pytest.raises(InvalidInputError, match="`entry` must be strictly before the duration"):
        cumulative_incidence([1, 2, 3], [1, 2, 0], entry=[0, 2, 1])


def test_bad_confidence_level() -> None:
    with pytest.raises(InvalidInputError, match="`confidence_level` must be a number"):
        cumulative_incidence([1, 2, 3], [1, 2, 0], confidence_level=95)


def test_empty_input() -> None:
    with pytest.raises(InsufficientDataError, match="at least one subject"):
        cumulative_incidence([], [])


@pytest.mark.parametrize("time", [-1.0, math.nan, "5", True])
def test_bad_time(time: object) -> None:
    curve = cumulative_incidence([1, 2, 3], [1, 2, 0])
    with pytest.raises(InvalidInputError, match="`t` must be a finite, non-negative number"):
        curve.at(time)


def test_time_after_follow_up() -> None:
    curve = cumulative_incidence([1, 2, 3], [1, 2, 0])
    with pytest.raises(InsufficientDataError, match="after the last observed time"):
        curve.at(3.5)


def test_gray_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="`rho` must be a finite number"):
        gray_test([1, 2, 3], [1, 2, 0], [0, 1, 0], rho=math.inf)
    with pytest.raises(InvalidInputError, match="`rho` must be a finite number"):
        gray_test([1, 2, 3], [1, 2, 0], [0, 1, 0], rho="0")  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError, match="at least 2 groups"):
        gray_test([1, 2, 3], [1, 2, 0], [0, 0, 0])
    with pytest.raises(InsufficientDataError, match="zero variance"):
        gray_test([1, 2, 3, 4], [2, 2, 0, 0], [0, 1, 0, 1])
    with pytest.raises(InsufficientDataError, match="not positive semi-definite"):
        # every subject has the cause by time 1: the pooled incidence reaches 1
        gray_test([0, 1, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 1, 2, 2])
    with pytest.raises(InvalidInputError, match="`strata` must be 1-dimensional"):
        gray_test([1, 2, 3], [1, 2, 0], [0, 1, 0], strata=[[1, 2, 3]])


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint64])
def test_integer_durations_agree_with_floats_and_are_left_unchanged(dtype: Any) -> None:
    rng = np.random.default_rng(20261123)
    durations = rng.integers(0, 30, size=50).astype(dtype)
    causes = rng.integers(0, 3, size=50)
    groups = rng.integers(0, 2, size=50)
    before = durations.copy()
    curve = cumulative_incidence(durations, causes)
    test = gray_test(durations, causes, groups)
    np.testing.assert_array_equal(durations, before)
    reference = cumulative_incidence(durations.astype(np.float64), causes)
    np.testing.assert_array_equal(curve.times, reference.times)
    np.testing.assert_allclose(curve.incidence, reference.incidence, rtol=1e-12)
    other = gray_test(durations.astype(np.float64), causes, groups)
    assert test.statistic == pytest.approx(other.statistic, rel=1e-12)


def test_entry_at_or_after_duration_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"`entry` must be strictly before the duration"):
        cumulative_incidence([3.0, 5.0], [1, 0], entry=[1.0, 5.0])


# --- one vocabulary: quantile, with_bands, confidence_interval, deprecated spellings --------


def _naive_first_reaching(
    times: NDArray[np.float64], values: NDArray[np.float64], p: float
) -> float:
    """First time the step function reaches `p` (no flat exactly at p in these data)."""
    reached = np.flatnonzero(values >= p)
    return float(times[reached[0]]) if reached.size else math.nan


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("q", [0.05, 0.1, 0.2, 0.3])
def test_quantile_inverts_the_curve_and_its_band(seed: int, q: float) -> None:
    rng = np.random.default_rng(seed)
    durations = rng.exponential(20.0, 200)  # continuous: no flat exactly at q
    causes = rng.choice([0, 1, 2], size=200, p=[0.3, 0.45, 0.25])
    curve = cumulative_incidence(durations, causes)
    est = curve.quantile(q)
    assert est.value == _naive_first_reaching(curve.times, curve.incidence, q)
    # the lower time limit is where the upper band reaches q, the upper where the lower does
    expected_lower = _naive_first_reaching(curve.times, curve.upper, q)
    expected_upper = _naive_first_reaching(curve.times, curve.lower, q)
    assert est.lower == (None if math.isnan(expected_lower) else expected_lower)
    assert est.upper == (None if math.isnan(expected_upper) else expected_upper)
    low, high = est.confidence_interval(0.8)
    narrow = curve.with_bands(confidence_level=0.8).quantile(q)
    assert (low, high) == (narrow.lower, narrow.upper)


@given(competing_samples(n_causes=1))
def test_quantile_without_competing_causes_is_the_kaplan_meier_quantile(
    sample: tuple[Any, Any, Any],
) -> None:
    durations, causes, _ = sample
    curve = cumulative_incidence(durations, causes)
    km = kaplan_meier(durations, causes == 1)
    for q in (0.1, 0.25, 0.5, 0.75):
        # R's findq refuses a curve whose highest value is below q without a tolerance:
        # where the last step sits within rounding of q (1 - 0.9 < 0.1 in binary), the two
        # scales may legitimately differ, as they do in R.
        if abs(float(curve.incidence[-1]) - q) < 1e-12:
            continue
        assert curve.quantile(q).value == km.quantile(q).value


def test_median_not_reached_with_competing_causes() -> None:
    days = [10, 20, 20, 35, 40, 50, 60, 75]
    cause = [1, 2, 2, 0, 1, 2, 0, 2]
    median = cumulative_incidence(days, cause).median()
    assert median.value is None
    assert median.note.startswith("median not reached: the incidence stays below 0.5")
    flat = cumulative_incidence([10, 20, 20, 35, 40, 50, 60, 75], [1, 2, 1, 0, 1, 2, 0, 1])
    assert flat.quantile(0.25).value == 30.0  # F = 0.25 on [20, 40): the midpoint
    with pytest.raises(InvalidInputError, match="`q` must be a probability strictly between"):
        flat.quantile(1.0)
    with pytest.raises(InvalidInputError, match=r"use 0\.5 for the median"):
        flat.quantile(50)
    with pytest.raises(InvalidInputError, match="`q` must be a probability strictly between"):
        flat.quantile("0.5")


@pytest.mark.parametrize("conf_type", ["plain", "log", "logit", "arcsine", "log-log"])
def test_band_transforms_follow_their_formulas(conf_type: Any) -> None:
    durations, causes, _, _ = tied_data(8)
    curve = cumulative_incidence(durations, causes, conf_type=conf_type, confidence_level=0.9)
    assert curve.conf_type == conf_type
    z = stats.norm.ppf(0.95)
    f, se = curve.incidence, curve.std_err
    inside = (f > 0) & (f < 1)
    f, se = f[inside], se[inside]
    if conf_type == "plain":
        lower, upper = np.maximum(f - z * se, 0), np.minimum(f + z * se, 1)
    elif conf_type == "log":
        lower, upper = f * np.exp(-z * se / f), np.minimum(f * np.exp(z * se / f), 1)
    elif conf_type == "logit":
        logit, half = np.log(f / (1 - f)), z * se / (f * (1 - f))
        lower, upper = 1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))
    elif conf_type == "arcsine":
        angle, half = np.arcsin(np.sqrt(f)), z * se / (2 * np.sqrt(f * (1 - f)))
        lower = np.sin(np.maximum(angle - half, 0)) ** 2
        upper = np.sin(np.minimum(angle + half, np.pi / 2)) ** 2
    else:
        lower = f ** np.exp(-z * se / (f * np.log(f)))
        upper = f ** np.exp(z * se / (f * np.log(f)))
    np.testing.assert_allclose(curve.lower[inside], lower, rtol=1e-12)
    np.testing.assert_allclose(curve.upper[inside], upper, rtol=1e-12)
    same = cumulative_incidence(durations, causes).with_bands(
        conf_type=conf_type, confidence_level=0.9
    )
    np.testing.assert_array_equal(same.lower, curve.lower)
    # the curve's band arrays themselves (ConfidenceInterval fields are typed as floats)
    low, high = cast("tuple[Any, Any]", same.confidence_interval())
    assert low is same.lower
    assert high is same.upper


def test_at_recomputes_at_another_level_and_old_keyword() -> None:
    days = [10, 20, 20, 35, 40, 50, 60, 75]
    cause = [1, 2, 1, 0, 1, 2, 0, 1]
    curve = cumulative_incidence(days, cause)
    est = curve.at(45)
    low, high = est.confidence_interval(0.99)
    again = curve.with_bands(confidence_level=0.99).at(45)
    assert (low, high) == (again.lower, again.upper)
    assert low is not None
    assert est.lower is not None
    assert low < est.lower
    assert curve.at(5).confidence_interval(0.5) == (0.0, 0.0)
    with pytest.warns(DeprecationWarning, match="`time` is deprecated since ipsstats 0.2"):
        assert curve.at(**_old(time=45)) == est
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        assert cumulative_incidence(days, cause, **_old(conf_level=0.9)).confidence_level == 0.9
    with pytest.raises(InvalidInputError, match="`conf_level` must not be given with"):
        cumulative_incidence(days, cause, **_old(conf_level=0.9), confidence_level=0.9)
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        assert curve.with_bands(**_old(conf_level=0.8)).confidence_level == 0.8
    with pytest.raises(InvalidInputError, match="`conf_type` must be one of 'plain'"):
        cumulative_incidence(days, cause, conf_type="loglog")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`conf_type` must be one of 'plain'"):
        curve.with_bands(conf_type="cloglog")
    with pytest.raises(InvalidInputError, match="`confidence_level` must be a number"):
        curve.confidence_interval(2)
    assert repr(curve).startswith("IncidenceCurve(cause: 1, times: 7, events: 4")
    data = curve.to_dict()
    assert data["lower"] == json.loads(json.dumps(data))["lower"]
    for array in (curve.lower, curve.upper):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
