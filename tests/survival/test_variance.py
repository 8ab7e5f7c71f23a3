"""Tests of the variances of survival curves with case weights: Greenwood and robust."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import InvalidInputError, LifeTable, kaplan_meier, nelson_aalen
from tests.strategies import weighted_censored_samples

# R's `aml` data, non-maintained arm, with case weights: the data of the R reference values
# in tests/reference/test_survival.py, which holds the tests against R.
T = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
S = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
W = [0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1]


# --- naive implementations ------------------------------------------------------------------


def _naive_influence(
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    entry: NDArray[np.float64] | None,
    weights: NDArray[np.float64],
    kind: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-record derivatives of the curve, updated time by time (R's algorithm in loops).

    `kind` "km" tracks S(t) (Kaplan-Meier), "na" the Nelson-Aalen hazard H(t). Returns the
    times and the robust variance sum_k (w_k dQ/dw_k)^2 at each.
    """
    n = len(durations)
    start = [-math.inf] * n if entry is None else list(entry)
    times = sorted(set(durations.tolist()) | {s for s in start if s > -math.inf})
    influence = [0.0] * n
    km = 1.0
    variances = []
    for t in times:
        at_risk = [start[k] < t <= durations[k] for k in range(n)]
        n_t = sum(weights[k] for k in range(n) if at_risk[k])
        d_t = sum(weights[k] for k in range(n) if durations[k] == t and events[k])
        if d_t > 0:
            hazard = d_t / n_t
            for k in range(n):
                died = durations[k] == t and events[k]
                if kind == "km":
                    influence[k] *= 1 - hazard
                    influence[k] += (km * hazard / n_t if at_risk[k] else 0.0) - (
                        km / n_t if died else 0.0
                    )
                else:
                    influence[k] += (1 / n_t if died else 0.0) - (
                        hazard / n_t if at_risk[k] else 0.0
                    )
            km *= 1 - hazard
        variances.append(sum((weights[k] * influence[k]) ** 2 for k in range(n)))
    return np.array(times), np.array(variances)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("with_entry", [False, True])
def test_robust_matches_naive_recursion(seed: int, with_entry: bool) -> None:
    rng = np.random.default_rng(seed)
    durations = rng.integers(1, 15, 50).astype(np.float64)
    events = rng.random(50) < 0.7
    weights = rng.uniform(0.2, 3.0, 50)
    entry = np.floor(durations * rng.choice([0.0, 0.5], 50)) if with_entry else None
    times, km_variance = _naive_influence(durations, events, entry, weights, "km")
    curve = kaplan_meier(durations, events, entry=entry, weights=weights)
    np.testing.assert_array_equal(curve.times, times)
    alive = curve.survival > 0
    np.testing.assert_allclose(curve.std_err[alive] ** 2, km_variance[alive], rtol=1e-10)
    _, na_variance = _naive_influence(durations, events, entry, weights, "na")
    hazard = nelson_aalen(durations, events, entry=entry, weights=weights)
    np.testing.assert_allclose(hazard.std_err**2, na_variance, rtol=1e-10)


def test_robust_is_the_variance_of_the_numerical_derivative() -> None:
    # dS/dw_k by central differences of the estimator itself: no formula involved
    rng = np.random.default_rng(11)
    durations = rng.integers(1, 10, 25).astype(np.float64)
    events = rng.random(25) < 0.7
    weights = rng.uniform(0.5, 2.0, 25)
    curve = kaplan_meier(durations, events, weights=weights)
    step = 1e-6
    derivatives = []
    for k in range(25):
        up, down = weights.copy(), weights.copy()
        up[k] += step
        down[k] -= step
        plus = kaplan_meier(durations, events, weights=up).survival
        minus = kaplan_meier(durations, events, weights=down).survival
        derivatives.append((plus - minus) / (2 * step))
    variance = np.sum((weights[:, None] * np.array(derivatives)) ** 2, axis=0)
    # central differences are exact to O(step^2) ~ 1e-12 relative, plus rounding ~ 1e-10
    np.testing.assert_allclose(curve.std_err**2, variance, rtol=1e-7, atol=1e-14)


# --- properties ---------------------------------------------------------------------------


@given(weighted_censored_samples(), st.floats(0.01, 100.0))
def test_robust_does_not_depend_on_the_scale_of_the_weights(sample: Any, scale: float) -> None:
    durations, events, entry, weights = sample
    for kind in ("kaplan-meier", "fleming-harrington"):
        a = kaplan_meier(
            durations, events, entry=entry, weights=weights, variance="robust", method=kind
        )
        b = kaplan_meier(
            durations, events, entry=entry, weights=weights * scale, variance="robust", method=kind
        )
        # with delayed entry the risk set is a difference of sums: a curve that is 0 can
        # be 1e-15 once the weights are scaled
        np.testing.assert_allclose(a.survival, b.survival, rtol=1e-10, atol=1e-12)
        alive = (a.survival > 1e-12) & (b.survival > 1e-12)
        # variances, not their roots: a derivative that cancels to 0 leaves rounding of
        # order 1e-17, whose square root would be of order 1e-9
        np.testing.assert_allclose(
            a.std_err_log[alive] ** 2, b.std_err_log[alive] ** 2, rtol=1e-8, atol=1e-14
        )


@given(weighted_censored_samples(), st.randoms(use_true_random=False))
def test_robust_does_not_depend_on_record_order(sample: Any, random: Any) -> None:
    durations, events, entry, weights = sample
    order = list(range(durations.size))
    random.shuffle(order)
    a = nelson_aalen(durations, events, entry=entry, weights=weights, variance="robust")
    b = nelson_aalen(
        durations[order],
        events[order],
        entry=None if entry is None else entry[order],
        weights=weights[order],
        variance="robust",
    )
    # variances: see test_robust_does_not_depend_on_the_scale_of_the_weights
    np.testing.assert_allclose(a.std_err**2, b.std_err**2, rtol=1e-9, atol=1e-14)


@given(weighted_censored_samples(whole=True, entry=False))
def test_greenwood_with_whole_weights_equals_repeated_records(sample: Any) -> None:
    durations, events, _, weights = sample
    repeat = weights.astype(np.int64)
    weighted = kaplan_meier(durations, events, weights=weights)
    repeated = kaplan_meier(np.repeat(durations, repeat), np.repeat(events, repeat))
    assert weighted.variance == "greenwood"
    np.testing.assert_allclose(weighted.std_err_log, repeated.std_err_log, rtol=1e-12)


def test_robust_needs_records() -> None:
    table = LifeTable.from_records(T, S, weights=W)
    with pytest.raises(InvalidInputError, match=r"`variance` must not be 'robust' when"):
        kaplan_meier(table, variance="robust")
    auto = kaplan_meier(table)
    assert auto.variance == "greenwood"
    assert "life table holds counts" in auto.reason
    with pytest.raises(InvalidInputError, match=r"`variance` must be one of 'auto', 'greenwood'"):
        kaplan_meier(T, S, variance="aalen")
