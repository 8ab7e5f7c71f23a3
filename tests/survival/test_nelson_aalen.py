"""Tests of nelson_aalen, CumulativeHazard and the Fleming-Harrington survival curve."""

from __future__ import annotations

import json
import math
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import (
    CumulativeHazard,
    InsufficientDataError,
    InvalidInputError,
    LifeTable,
    kaplan_meier,
    nelson_aalen,
)
from tests.strategies import censored_samples, weighted_censored_samples

# R's `aml` data, non-maintained arm: tied relapses at 5 and at 8.
AML_T = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
AML_S = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
# Case weights used with the same times (R: w <- c(...)).
W = [0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1]


def _old(**kwargs: Any) -> dict[str, Any]:
    """Deprecated keyword arguments, which the typed signatures no longer list."""
    return kwargs


# --- R reference values (survival 3.5-3, R 4.2.2), printed with formatC(x, digits = 17) ----
# t <- c(5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45)
# s <- c(1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1)
# f1 <- survfit(Surv(t, s) ~ 1, stype = 2, ctype = 1)
R_NA_CUMHAZ = [  # f1$cumhaz
    0.16666666666666666, 0.3666666666666667, 0.4916666666666667, 0.4916666666666667,
    0.65833333333333333, 0.85833333333333339, 1.1083333333333334, 1.4416666666666667,
    1.9416666666666667, 2.9416666666666664,
]  # fmt: skip
R_NA_STD_CHAZ = [  # f1$std.chaz (= f1$std.err, the standard error of -log S)
    0.11785113019775792, 0.18408935028645435, 0.22251716538031147, 0.22251716538031147,
    0.27801378862687126, 0.34247870980057527, 0.42401847444028501, 0.53935403750948019,
    0.73546092879076708, 1.2413310508392907,
]  # fmt: skip
# f2 <- survfit(Surv(t, s) ~ 1, stype = 2, ctype = 2, conf.type = "log-log")
R_FH2_CUMHAZ = [  # f2$cumhaz
    0.17424242424242425, 0.38535353535353539, 0.51035353535353534, 0.51035353535353534,
    0.67702020202020197, 0.87702020202020203, 1.127020202020202, 1.4603535353535353,
    1.9603535353535353, 2.9603535353535353,
]  # fmt: skip
# The tests against R and lifelines, with the other values of these fits and of fits with
# case weights, are in tests/reference/test_survival.py.


# --- naive implementations ------------------------------------------------------------------


def _naive_hazard(
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    entry: NDArray[np.float64] | None,
    weights: NDArray[np.float64] | None,
    ties: str,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Times, H, Aalen and Greenwood-type variances, one record at a time."""
    n = len(durations)
    start = [-math.inf] * n if entry is None else list(entry)
    w = [1.0] * n if weights is None else list(weights)
    times, hazard, aalen, greenwood = [], [], [], []
    h = v1 = v2 = 0.0
    for t in sorted(set(durations.tolist()) | set(start) - {-math.inf}):
        at_risk = sum(w[i] for i in range(n) if start[i] < t <= durations[i])
        tied = [w[i] for i in range(n) if durations[i] == t and events[i]]
        d = sum(tied)
        if d > 0:
            steps = len(tied) if ties == "fleming-harrington" else 1
            delta = d / steps
            for step in range(steps):
                m = at_risk - step * delta
                h += delta / m
                v1 += delta / m**2
                v2 += (m - delta) * delta / m**3
        times.append(t)
        hazard.append(h)
        aalen.append(v1)
        greenwood.append(v2)
    return times, hazard, aalen, greenwood


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("ties", ["nelson-aalen", "fleming-harrington"])
@pytest.mark.parametrize("with_entry", [False, True])
def test_matches_naive(seed: int, ties: Any, with_entry: bool) -> None:
    rng = np.random.default_rng(seed)
    durations = rng.integers(1, 12, 60).astype(np.float64)
    events = rng.random(60) < 0.7
    weights = rng.uniform(0.2, 3.0, 60)
    entry = np.floor(durations * rng.choice([0.0, 0.5], 60)) if with_entry else None
    times, hazard, aalen, greenwood = _naive_hazard(durations, events, entry, weights, ties)
    options: tuple[tuple[Any, list[float]], ...] = (("aalen", aalen), ("greenwood", greenwood))
    for variance, expected in options:
        curve = nelson_aalen(
            durations, events, entry=entry, weights=weights, ties=ties, variance=variance
        )
        np.testing.assert_array_equal(curve.times, times)
        np.testing.assert_allclose(curve.cumhaz, hazard, rtol=1e-12)
        np.testing.assert_allclose(curve.std_err**2, expected, rtol=1e-12, atol=1e-300)


def test_many_tied_events_split_in_blocks() -> None:
    # more tied events than one block of the split: the sum runs block by block
    table = LifeTable.from_counts([1, 2, 3], events=[5_000_000, 3, 1], censored=[0, 0, 10])
    curve = nelson_aalen(table, ties="fleming-harrington")
    n = 5_000_014
    first = float(np.sum(1.0 / (n - np.arange(5_000_000, dtype=np.float64))))
    assert curve.cumhaz[0] == pytest.approx(first, rel=1e-12)
    second = 1 / 14 + 1 / 13 + 1 / 12
    assert curve.cumhaz[1] - curve.cumhaz[0] == pytest.approx(second, rel=1e-12)


# --- properties ---------------------------------------------------------------------------


@given(weighted_censored_samples())
def test_hazard_properties(sample: Any) -> None:
    durations, events, entry, weights = sample
    plain = nelson_aalen(durations, events, entry=entry, weights=weights, variance="aalen")
    tied = nelson_aalen(
        durations,
        events,
        entry=entry,
        weights=weights,
        ties="fleming-harrington",
        variance="aalen",
    )
    for curve in (plain, tied):
        assert (curve.cumhaz >= 0).all()
        assert (np.diff(curve.cumhaz) >= 0).all()
        assert (np.diff(curve.std_err) >= -1e-15).all()
        assert (curve.lower <= curve.cumhaz * (1 + 1e-12)).all()
        assert (curve.upper >= curve.cumhaz * (1 - 1e-12)).all()
    # the correction lets tied events leave one by one: the hazard can only grow
    assert (tied.cumhaz >= plain.cumhaz * (1 - 1e-12)).all()


@given(censored_samples())
def test_fleming_harrington_lies_above_kaplan_meier(sample: Any) -> None:
    durations, events = sample
    km = kaplan_meier(durations, events)
    for ties in ("nelson-aalen", "fleming-harrington"):
        fh = kaplan_meier(durations, events, method="fleming-harrington", ties=ties)
        assert (fh.survival >= km.survival * (1 - 1e-12)).all()
        # -log KM is at least the Nelson-Aalen hazard (log(1 - x) <= -x)
        hazard = nelson_aalen(durations, events, ties=ties).cumhaz
        np.testing.assert_allclose(fh.survival, np.exp(-hazard), rtol=1e-13)


@given(censored_samples(), st.randoms(use_true_random=False))
def test_tie_correction_is_jittering_the_ties(sample: Any, random: Any) -> None:
    durations, events = sample
    corrected = nelson_aalen(durations, events, ties="fleming-harrington", variance="greenwood")
    # break ties between events by tiny shifts (censorings stay after the events)
    order = list(range(durations.size))
    random.shuffle(order)
    rank = np.empty(durations.size)
    rank[order] = np.arange(durations.size)
    jittered = durations + np.where(events, rank * 1e-6, 0.5)
    split = nelson_aalen(jittered, events, variance="greenwood")
    # compare at the end of each original time (before the censorings at +0.5)
    at = np.searchsorted(split.times, corrected.times + 0.25)  # 0: before the first time
    for mine, theirs in ((corrected.cumhaz, split.cumhaz), (corrected.std_err, split.std_err)):
        np.testing.assert_allclose(np.append(0.0, theirs)[at], mine, rtol=1e-12)


@given(censored_samples())
def test_without_tied_events_the_correction_changes_nothing(sample: Any) -> None:
    durations, events = sample
    _, first = np.unique(durations, return_index=True)
    single = np.zeros(durations.size, dtype=bool)
    single[first] = events[first]  # at most one event per time
    a = nelson_aalen(durations, single)
    b = nelson_aalen(durations, single, ties="fleming-harrington")
    np.testing.assert_allclose(a.cumhaz, b.cumhaz, rtol=1e-14)
    np.testing.assert_allclose(a.std_err, b.std_err, rtol=1e-14)


@given(weighted_censored_samples(whole=True, entry=False))
def test_whole_weights_equal_repeated_records(sample: Any) -> None:
    durations, events, _, weights = sample
    repeat = weights.astype(np.int64)
    weighted = nelson_aalen(durations, events, weights=weights)
    repeated = nelson_aalen(np.repeat(durations, repeat), np.repeat(events, repeat))
    assert weighted.variance == "aalen"
    np.testing.assert_allclose(weighted.cumhaz, repeated.cumhaz, rtol=1e-12)
    np.testing.assert_allclose(weighted.std_err, repeated.std_err, rtol=1e-12)


@given(censored_samples(), st.floats(0.5, 0.99))
def test_intervals_widen_with_level(sample: Any, level: float) -> None:
    durations, events = sample
    curve = nelson_aalen(durations, events)
    for scale in ("log", "plain"):
        narrow = curve.with_bands(confidence_level=level, conf_type=scale)
        wide = narrow.with_bands(confidence_level=(1 + level) / 2)
        assert (wide.lower <= narrow.lower + 1e-15).all()
        assert (wide.upper >= narrow.upper - 1e-15).all()


# --- the curve object ---------------------------------------------------------------------


def test_curve_api() -> None:
    curve = nelson_aalen(AML_T, AML_S)
    assert isinstance(curve, CumulativeHazard)
    est = curve.at(10)
    assert est.value == pytest.approx(R_NA_CUMHAZ[1], rel=1e-14)
    assert est.std_err == pytest.approx(R_NA_STD_CHAZ[1], rel=1e-14)
    assert (est.lower, est.upper) == (curve.lower[1], curve.upper[1])
    z99 = 2.5758293035489004  # qnorm(0.995)
    low, high = est.confidence_interval(0.99)
    h, se = R_NA_CUMHAZ[1], R_NA_STD_CHAZ[1]
    assert low == pytest.approx(h * math.exp(-z99 * se / h), rel=1e-14)
    assert high == pytest.approx(h * math.exp(z99 * se / h), rel=1e-14)
    plain = curve.with_bands(conf_type="plain").at(10)
    z = 1.959963984540054  # qnorm(0.975)
    assert plain.lower == pytest.approx(h - z * se, rel=1e-14)
    before = curve.at(1)
    assert (before.value, before.lower, before.upper, before.note) == (
        0.0,
        0.0,
        0.0,
        "before the first observed time",
    )
    assert before.confidence_interval(0.9) == (0.0, 0.0)
    bands = curve.confidence_interval(0.9)
    np.testing.assert_array_equal(bands.low, curve.with_bands(confidence_level=0.9).lower)
    # the curve's band arrays themselves (ConfidenceInterval fields are typed as floats)
    low, high = cast("tuple[Any, Any]", curve.confidence_interval())
    assert low is curve.lower
    assert high is curve.upper
    data = curve.to_dict()
    assert list(data)[:9] == [
        "times", "n_at_risk", "n_events", "n_censored", "n_entered", "cumhaz", "std_err",
        "lower", "upper",
    ]  # fmt: skip
    assert data["method"] == "nelson-aalen"
    json.dumps(data)
    assert repr(curve).startswith("CumulativeHazard(times: 10, n: 12, events: 11")
    for array in (curve.cumhaz, curve.std_err, curve.lower, curve.upper):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0


def test_life_table_input_and_its_limits() -> None:
    table = LifeTable.from_records(AML_T, AML_S)
    np.testing.assert_allclose(nelson_aalen(table).cumhaz, R_NA_CUMHAZ, rtol=1e-14)
    tied = nelson_aalen(table, ties="fleming-harrington")
    np.testing.assert_allclose(tied.cumhaz, R_FH2_CUMHAZ, rtol=1e-14)
    auto = nelson_aalen(table)
    assert auto.variance == "aalen"
    assert "life table" in auto.reason
    weighted = LifeTable.from_records(AML_T, AML_S, weights=W)
    with pytest.raises(InvalidInputError, match=r"`ties` must be 'nelson-aalen' for a life"):
        nelson_aalen(weighted, ties="fleming-harrington")
    with pytest.raises(InvalidInputError, match=r"`variance` must not be 'robust' when"):
        nelson_aalen(table, variance="robust")
    with pytest.raises(InvalidInputError, match=r"`weights` must be omitted when"):
        nelson_aalen(table, weights=W)


def test_deprecated_conf_level() -> None:
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        curve = nelson_aalen(AML_T, AML_S, **_old(conf_level=0.9))
    assert curve.confidence_level == 0.9
    with pytest.raises(InvalidInputError, match="`conf_level` must not be given with"):
        nelson_aalen(AML_T, AML_S, **_old(conf_level=0.9), confidence_level=0.9)
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        assert curve.with_bands(**_old(conf_level=0.8)).confidence_level == 0.8


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ties": "efron"}, r"`ties` must be one of 'nelson-aalen', 'fleming-harrington'"),
        ({"variance": "sandwich"}, r"`variance` must be one of 'auto', 'aalen'"),
        ({"conf_type": "log-log"}, r"`conf_type` must be one of 'log', 'plain'"),
        ({"confidence_level": 95}, r"`confidence_level` must be a number strictly between"),
        ({"weights": [1, 2j] * 6}, r"`weights` must hold case weights; got complex numbers"),
        ({"weights": [True] * 12}, r"`weights` must hold case weights; got booleans"),
    ],
)
def test_bad_options(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        nelson_aalen(AML_T, AML_S, **kwargs)


def test_bad_requests() -> None:
    curve = nelson_aalen(AML_T, AML_S)
    with pytest.raises(InvalidInputError, match=r"`t` must be a finite, non-negative number"):
        curve.at(-1)
    with pytest.raises(InsufficientDataError, match=r"`t` = 50 is after the last observed"):
        curve.at(50)
    with pytest.raises(InvalidInputError, match=r"`conf_type` must be one of 'log', 'plain'"):
        curve.with_bands(conf_type="logit")
    with pytest.raises(InvalidInputError, match=r"`confidence_level` must be a number"):
        curve.confidence_interval(1.5)
    with pytest.raises(InsufficientDataError, match=r"`durations` holds no subjects"):
        nelson_aalen([], [])
    gap = nelson_aalen([5.0, 15, 20], [1, 1, 1], entry=[0.0, 10, 10])
    with pytest.raises(InsufficientDataError, match=r"nobody is under observation"):
        gap.at(7)
