"""Tests of ipsstats.survival: LifeTable, kaplan_meier and SurvivalCurve."""

from __future__ import annotations

import json
import math
from typing import Any, Literal, cast
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import (
    InsufficientDataError,
    InvalidInputError,
    LifeTable,
    SurvivalCurve,
    kaplan_meier,
)

# Private, fast path vs naive: the fast paths of the quantile search are checked against the
# general one, and the general one against R's rule on bands no fitted curve yields exactly.
from ipsstats.survival._bands import (
    first_reaching,
    first_reaching_general,
    first_reaching_monotone,
    first_reaching_sorted,
    first_reaching_unflat,
    step_reaching,
)

# Private: the counting path's encoder, checked against the values it encodes. Its codes are
# not visible through the public API: a rewrite through LifeTable would check the times only.
from ipsstats.survival.lifetable import _encode
from tests.strategies import censored_samples

# R's `aml` data (survival package): time to relapse, status 1 = relapse.
AML_MAINTAINED = ([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161], [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
AML_NONMAINTAINED = (
    [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
)
# The values of kaplan_meier's `conf_type`.
ConfType = Literal["plain", "log", "log-log", "logit", "arcsine"]
CONF_TYPES: tuple[ConfType, ...] = ("plain", "log", "log-log", "logit", "arcsine")


def _sample(
    seed: int, n: int = 300, max_time: int = 40, *, with_entry: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64] | None]:
    """Seeded data with heavy ties, zero durations and ~40% censoring."""
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, max_time, n).astype(np.float64)
    events = rng.random(n) < 0.6
    if not with_entry:
        return durations, events, None
    entry = np.where(rng.random(n) < 0.5, 0.0, np.floor(durations * rng.random(n)))
    keep = entry < durations
    return durations[keep], events[keep], entry[keep]


def _naive_km(
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    entry: NDArray[np.float64] | None = None,
    weights: NDArray[np.float64] | None = None,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Obviously correct KM: loop over distinct exit times, count the risk set record by record."""
    n = len(durations)
    start = [-math.inf] * n if entry is None else [float(e) for e in entry]
    w = [1.0] * n if weights is None else [float(x) for x in weights]
    times, survival, greenwood, at_risk_list = [], [], [], []
    s, v = 1.0, 0.0
    for t in sorted({float(x) for x in durations}):
        at_risk = sum(w[i] for i in range(n) if start[i] < t <= durations[i])
        died = sum(w[i] for i in range(n) if durations[i] == t and events[i])
        if died > 0:
            s *= 1 - died / at_risk
            v += died / (at_risk * (at_risk - died)) if at_risk > died else math.inf
        times.append(t)
        survival.append(s)
        greenwood.append(v)
        at_risk_list.append(at_risk)
    return times, survival, greenwood, at_risk_list


def _old(**kwargs: Any) -> dict[str, Any]:
    """Deprecated keyword arguments, which the typed signatures no longer list."""
    return kwargs


# --- R's quantile rule (checks against R's output: tests/reference) -----------------------


def test_findq_orders_band_points_by_value_as_r() -> None:
    # R's findq hands a non-monotone band to approx(), which orders the points by value.
    # The private search is called directly: a band with holes and a dip, as here, cannot be
    # built exactly through a fitted curve's quantile().
    times = np.array([0.0, 1.0, 2.0, 3.0])
    cdf = np.array([0.0, 0.3, 0.55, 0.52])
    assert first_reaching(times, cdf, 0.5, 3.0) == 3.0
    assert first_reaching(times, np.array([0.0, np.nan, 0.3, 0.6]), 0.5, 3.0) == 3.0
    assert math.isnan(first_reaching(times, np.array([0.0, 0.1, 0.2, 0.3]), 0.5, 3.0))


# --- naive implementation -----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("with_entry", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_naive_loop(seed: int, with_entry: bool, weighted: bool) -> None:
    durations, events, entry = _sample(seed, n=80, max_time=15, with_entry=with_entry)
    weights = np.random.default_rng(seed).uniform(0.2, 2.0, durations.size) if weighted else None
    times, survival, greenwood, at_risk = _naive_km(durations, events, entry, weights)
    curve = kaplan_meier(durations, events, entry=entry, weights=weights, variance="greenwood")
    at = np.searchsorted(curve.times, times)
    np.testing.assert_array_equal(curve.times[at], times)
    np.testing.assert_allclose(curve.survival[at], survival, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(curve.n_at_risk[at], at_risk, rtol=1e-12)
    np.testing.assert_allclose(curve.std_err_log[at] ** 2, greenwood, rtol=1e-12)


def test_float_durations_use_sorting_path() -> None:
    rng = np.random.default_rng(5)
    durations = rng.exponential(10.0, 200)
    events = rng.random(200) < 0.7
    times, survival, _, _ = _naive_km(durations, events)
    curve = kaplan_meier(durations, events)
    np.testing.assert_array_equal(curve.times, times)
    np.testing.assert_allclose(curve.survival, survival, rtol=1e-12)
    # Negative zero is zero; the sort on bit patterns must not place it after 0.5.
    signed = kaplan_meier([-0.0, 0.5, 0.0, 0.25], [1, 0, 1, 1])
    assert signed.times.tolist() == [0.0, 0.25, 0.5]
    assert signed.n_events.tolist() == [2.0, 1.0, 0.0]
    # Integers spread over a huge span also take the sorting path.
    spread = kaplan_meier([0, 10**12, 5, 10**12], [1, 1, 0, 1])
    assert spread.times.tolist() == [0.0, 5.0, 1e12]


def _naive_rmst(curve: SurvivalCurve, tau: float) -> tuple[float, float]:
    """Area under the step curve and Miller's variance, by explicit loops."""
    grid = [0.0] + [float(t) for t in curve.times if t <= tau] + [tau]
    level = [1.0] + [
        float(s) for t, s in zip(curve.times, curve.survival, strict=True) if t <= tau
    ]
    area = sum((grid[i + 1] - grid[i]) * level[i] for i in range(len(level)))
    variance = 0.0
    for t, n, d in zip(curve.times, curve.n_at_risk, curve.n_events, strict=True):
        if t > tau or d in (0, n):
            continue
        rest = sum((grid[i + 1] - grid[i]) * level[i] for i in range(len(level)) if grid[i] >= t)
        variance += d / (n * (n - d)) * rest**2
    return area, math.sqrt(variance)


@pytest.mark.parametrize("tau", [0.0, 3.5, 20.0, 39.0, 60.0])
def test_rmst_matches_naive(tau: float) -> None:
    durations, events, _ = _sample(7, n=120)
    curve = kaplan_meier(durations, events)
    area, std_err = _naive_rmst(curve, tau)
    estimate = curve.rmst(tau)
    assert estimate.value == pytest.approx(area, rel=1e-12, abs=1e-12)
    assert estimate.std_err == pytest.approx(std_err, rel=1e-10, abs=1e-12)
    assert ("carried forward" in estimate.note) == (tau > curve.times[-1])


def test_rmst_aml_by_hand() -> None:
    # Nonmaintained arm up to 45: sum of the step areas, computed by hand.
    curve = kaplan_meier(*AML_NONMAINTAINED)
    s = [1, 10 / 12, 8 / 12, 7 / 12, 7 / 12, 7 / 12 * 5 / 6]
    widths = [5, 3, 4, 4, 7]
    partial = sum(w * h for w, h in zip(widths, s[:5], strict=True))
    assert curve.rmst(23).value == pytest.approx(partial, rel=1e-12)
    # R's survmean: sum over event times t_i <= tau of (area from t_i to tau)^2 d/(n(n-d)),
    # with events at 5 (n 12, d 2), 8 (10, 2), 12 (8, 1) and 23 (area 0 beyond it).
    beyond = {5: 139 / 12, 8: 109 / 12, 12: 77 / 12}
    variance = (
        beyond[5] ** 2 * 2 / (12 * 10) + beyond[8] ** 2 * 2 / (10 * 8) + beyond[12] ** 2 / (8 * 7)
    )
    assert curve.rmst(23).std_err == pytest.approx(math.sqrt(variance), rel=1e-12)


# --- survival_at, table, bands ------------------------------------------------------------


def test_survival_at_and_table() -> None:
    curve = kaplan_meier(*AML_MAINTAINED, conf_type="log")
    before = curve.survival_at(5)
    assert (before.value, before.lower, before.upper, before.std_err) == (1.0, 1.0, 1.0, 0.0)
    at_20 = curve.survival_at(20)
    assert at_20.value == pytest.approx(10 / 11 * 9 / 10 * 7 / 8, rel=1e-12)
    assert at_20.lower == curve.lower[2]
    rows = curve.table([0, 10, 30, 161])
    assert rows.n_at_risk.tolist() == [11, 10, 5, 1]
    assert rows.n_events.tolist() == [0, 1, 3, 3]
    assert rows.n_censored.tolist() == [0, 0, 2, 2]
    assert rows.survival[0] == 1.0
    assert rows.to_dict()["times"] == [0.0, 10.0, 30.0, 161.0]
    undefined = kaplan_meier(*AML_NONMAINTAINED).survival_at(45)
    assert undefined.lower is None
    assert "undefined" in undefined.note


@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_bands_widen_with_level(conf_type: Any) -> None:
    durations, events, _ = _sample(3, n=100)
    narrow = kaplan_meier(durations, events, confidence_level=0.8, conf_type=conf_type)
    wide = narrow.with_bands(confidence_level=0.99)
    defined = np.isfinite(narrow.lower)
    assert (wide.lower[defined] <= narrow.lower[defined] + 1e-15).all()
    assert (wide.upper[defined] >= narrow.upper[defined] - 1e-15).all()
    assert (narrow.lower[defined] <= narrow.survival[defined] + 1e-15).all()
    assert (narrow.upper[defined] >= narrow.survival[defined] - 1e-15).all()


def test_arrays_are_read_only_and_repr() -> None:
    curve = kaplan_meier(*AML_MAINTAINED)
    with pytest.raises(ValueError, match="read-only"):
        curve.survival[0] = 0.5
    for derived in (curve.std_err, curve.lower, curve.upper):
        with pytest.raises(ValueError, match="read-only"):
            derived[0] = 0.5
    assert "SurvivalCurve(method: 'kaplan-meier', times: 10" in repr(curve)
    assert "LifeTable(times: 10" in repr(LifeTable.from_records(*AML_MAINTAINED))


def test_all_censored_median_not_reached() -> None:
    median = kaplan_meier([3, 5, 8], [0, 0, 0]).median()
    assert (median.value, median.lower, median.upper) is not None
    assert median.value is None
    assert median.upper is None
    assert "median not reached" in median.note
    assert median.to_dict()["value"] is None


# --- LifeTable ----------------------------------------------------------------------------


def test_life_table_from_counts_and_addition() -> None:
    a = LifeTable.from_records(*AML_MAINTAINED)
    b = LifeTable.from_records(*AML_NONMAINTAINED)
    both = LifeTable.from_records(
        AML_MAINTAINED[0] + AML_NONMAINTAINED[0], AML_MAINTAINED[1] + AML_NONMAINTAINED[1]
    )
    total = a + b
    for name in ("times", "n_events", "n_censored", "n_entered", "n_at_risk"):
        np.testing.assert_array_equal(getattr(total, name), getattr(both, name))
    assert sum([a, b]).n == 23  # type: ignore[union-attr]  # sum() of tables is a table
    assert total.n_initial == 23
    rebuilt = LifeTable.from_counts(
        list(both.times[::-1]), both.n_events[::-1], both.n_censored[::-1]
    )
    np.testing.assert_array_equal(rebuilt.n_events, both.n_events)
    curve = kaplan_meier(total)
    np.testing.assert_array_equal(curve.survival, kaplan_meier(*both_records()).survival)
    assert a.__add__(3) is NotImplemented


def both_records() -> tuple[list[int], list[int]]:
    return AML_MAINTAINED[0] + AML_NONMAINTAINED[0], AML_MAINTAINED[1] + AML_NONMAINTAINED[1]


def test_life_table_with_entry() -> None:
    table = LifeTable.from_records([3, 1, 3, 2], [1, 0, 0, 1], entry=[0, 0, 1, 0])
    assert table.n_at_risk.tolist() == [0.0, 3.0, 3.0, 2.0]
    assert table.n_initial == 0
    merged = LifeTable.from_counts(
        [0, 1, 2, 3, 0], [0, 0, 1, 1, 0], [0, 1, 0, 1, 0], [3, 1, 0, 0, 0]
    )
    np.testing.assert_array_equal(merged.n_at_risk, table.n_at_risk)
    mixed = table + LifeTable.from_records([5], [1])
    assert mixed.n_initial == 1
    assert mixed.n_at_risk.tolist() == [1.0, 4.0, 4.0, 3.0, 1.0]


def test_zero_weights_drop_records() -> None:
    curve = kaplan_meier([1, 2, 3], [1, 1, 1], weights=[1, 0, 1])
    assert curve.times.tolist() == [1.0, 3.0]


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"durations": [1, -2]},
            r"`durations` must hold non-negative durations; got -2.0 at index 1",
        ),
        (
            {"durations": [1, math.nan]},
            r"`durations` must hold finite durations; got nan at index 1",
        ),
        ({"durations": [1, math.inf]}, r"`durations` must hold finite durations"),
        (
            {"durations": [1, 2], "events": [1, 2]},
            r"`events` must hold event indicators.*2 at index 1",
        ),
        (
            {"durations": [1, 2], "events": [1]},
            r"`durations` must have the same length as `events`",
        ),
        (
            {"durations": [1, 2, 3], "events": [1, 1, 1], "entry": [0, 2, 1]},
            r"`entry` must be strictly before the duration.*index 1",
        ),
        (
            {"durations": [1, 2], "weights": [1, -1]},
            r"`weights` must hold non-negative case weights; got -1.0 at index 1",
        ),
        (
            {"durations": [1, 2], "weights": [1, math.nan]},
            r"`weights` must hold finite case weights",
        ),
        ({"durations": [1, 2], "weights": [True, False]}, r"`weights` must hold case weights"),
        (
            {"durations": [1, 2], "weights": ["a", "b"]},
            r"`weights` must hold case weights; got non-numeric",
        ),
        ({"durations": [1, 2], "weights": [[1, 2]]}, r"`weights` must be 1-dimensional"),
        ({"durations": [1, 2], "conf_type": "loglog"}, r"`conf_type` must be one of 'plain'"),
        ({"durations": [1, 2], "confidence_level": 95}, r"`confidence_level` must be a number"),
    ],
)
def test_bad_records(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        kaplan_meier(**kwargs)


def test_life_table_with_record_arguments_refused() -> None:
    table = LifeTable.from_records([1, 2])
    with pytest.raises(
        InvalidInputError, match=r"`events` must be omitted when `durations` is a LifeTable"
    ):
        kaplan_meier(table, [1, 1])


def test_empty_input() -> None:
    with pytest.raises(InsufficientDataError, match=r"`durations` holds no subjects"):
        kaplan_meier([])
    with pytest.raises(InsufficientDataError, match="no subjects"):
        kaplan_meier([1, 2], weights=[0, 0])
    assert LifeTable.from_records([]).n == 0


def test_requests_after_follow_up() -> None:
    curve = kaplan_meier(*AML_MAINTAINED)
    with pytest.raises(
        InsufficientDataError, match=r"`t` = 200 is after the last observed time 161"
    ):
        curve.survival_at(200)
    with pytest.raises(InsufficientDataError, match=r"`times` = 170"):
        curve.table([10, 170])
    with pytest.raises(InvalidInputError, match=r"`t` must be a finite, non-negative number"):
        curve.survival_at(-1)
    with pytest.raises(InvalidInputError, match=r"`t` must be a finite, non-negative number"):
        curve.survival_at("5")
    with pytest.raises(InvalidInputError, match=r"`tau` must be a finite, non-negative number"):
        curve.rmst(math.inf)
    with pytest.raises(InvalidInputError, match=r"`times` must hold non-negative"):
        curve.table([-1])


def test_requests_inside_a_gap_of_the_risk_set() -> None:
    # Subject 0 is followed on (0, 3], subject 1 on (5, 8]: nobody is at risk on (3, 5].
    curve = kaplan_meier([3, 8], [0, 1], entry=[0, 5])
    assert curve.n_at_risk.tolist() == [0.0, 1.0, 0.0, 1.0]
    for t in (3.5, 5):
        with pytest.raises(
            InsufficientDataError,
            match=rf"`t` = {t:g} falls where nobody is under observation: every subject "
            r"seen before has left by time 3 and the next enters at time 5",
        ):
            curve.survival_at(t)
    with pytest.raises(InsufficientDataError, match=r"`times` = 4 falls where nobody"):
        curve.table([1, 4, 8])
    # Times covered by follow-up, and times before the first exit (curve 1), are accepted.
    assert curve.survival_at(0).value == 1.0
    assert curve.survival_at(3).value == 1.0
    assert curve.survival_at(6).value == 1.0
    assert curve.survival_at(8).value == 0.0
    assert curve.table([0, 3, 7, 8]).n_at_risk.tolist() == [0.0, 1.0, 1.0, 1.0]
    # Entries after a time with everyone gone, from a life table with weights.
    table = LifeTable.from_counts(
        [2, 4, 6], events=[0.5, 0, 1.5], censored=[0, 0, 0], entered=[0, 1.5, 0]
    )
    weighted = kaplan_meier(table)
    with pytest.raises(InsufficientDataError, match=r"`t` = 3 falls where nobody"):
        weighted.survival_at(3)
    assert weighted.survival_at(5).value == 0.0


@pytest.mark.parametrize("q", [0, 1, -0.5, 50, math.nan, True, "0.5"])
def test_quantile_outside_unit_interval(q: Any) -> None:
    curve = kaplan_meier(*AML_MAINTAINED)
    with pytest.raises(
        InvalidInputError, match=r"`q` must be a probability strictly between 0 and 1"
    ):
        curve.quantile(q)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"times": [1, 2], "events": [1, 1], "censored": [0]},
            r"`times` must have the same length",
        ),
        (
            {"times": [1, 2], "events": [1, -1], "censored": [0, 0]},
            r"`events` must hold non-negative event counts",
        ),
        (
            {"times": [1, 2], "events": [1, 1], "censored": [0, math.inf]},
            r"`censored` must hold finite",
        ),
        (
            {"times": [1, 2], "events": [1, 1], "censored": [0, 0], "entered": [0, 5]},
            r"`entered` must leave every exit .* inside the risk set",
        ),
        (
            {"times": [-1, 2], "events": [1, 1], "censored": [0, 0]},
            r"`times` must hold non-negative",
        ),
    ],
)
def test_bad_counts(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        LifeTable.from_counts(**kwargs)


def test_bad_direct_construction() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`times` must be a 1-D array of finite, strictly increasing"
    ):
        LifeTable(times=[2, 1], n_events=[1, 1], n_censored=[0, 0], n_entered=[0, 0])
    with pytest.raises(InvalidInputError, match=r"`n_events` must have one value per time"):
        LifeTable(times=[1, 2], n_events=[1], n_censored=[0, 0], n_entered=[0, 0])
    with pytest.raises(
        InvalidInputError, match=r"`n_censored` must hold finite, non-negative counts"
    ):
        LifeTable(times=[1, 2], n_events=[1, 1], n_censored=[0, -1], n_entered=[0, 0])
    with pytest.raises(InvalidInputError, match=r"`n_entered` must leave every exit"):
        LifeTable(times=[1, 2], n_events=[1, 1], n_censored=[0, 0], n_entered=[0, 1])


# --- properties ---------------------------------------------------------------------------


@given(censored_samples())
def test_survival_non_increasing_in_unit_interval(sample: Any) -> None:
    durations, events = sample
    curve = kaplan_meier(durations, events)
    assert (np.diff(curve.survival) <= 0).all()
    assert ((curve.survival >= 0) & (curve.survival <= 1)).all()


@given(censored_samples())
def test_without_censoring_equals_one_minus_ecdf(sample: Any) -> None:
    durations, _ = sample
    curve = kaplan_meier(durations)
    ecdf = np.searchsorted(np.sort(durations), curve.times, side="right") / durations.size
    np.testing.assert_allclose(curve.survival, 1 - ecdf, atol=1e-12)


@given(censored_samples(), st.randoms(use_true_random=False))
def test_invariant_to_input_order(sample: Any, random: Any) -> None:
    durations, events = sample
    order = np.arange(durations.size)
    random.shuffle(order)
    a = kaplan_meier(durations, events)
    b = kaplan_meier(durations[order], events[order])
    np.testing.assert_array_equal(a.survival, b.survival)
    np.testing.assert_array_equal(a.std_err_log, b.std_err_log)


@given(censored_samples())
def test_life_table_round_trip(sample: Any) -> None:
    durations, events = sample
    table = LifeTable.from_records(durations, events)
    rebuilt = LifeTable.from_counts(table.times, table.n_events, table.n_censored)
    a = kaplan_meier(durations, events)
    b = kaplan_meier(rebuilt)
    np.testing.assert_array_equal(a.survival, b.survival)
    np.testing.assert_array_equal(a.times, b.times)


@given(censored_samples(), censored_samples())
def test_adding_tables_equals_concatenating_records(first: Any, second: Any) -> None:
    total = LifeTable.from_records(*first) + LifeTable.from_records(*second)
    together = LifeTable.from_records(
        np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]])
    )
    np.testing.assert_array_equal(total.times, together.times)
    np.testing.assert_array_equal(total.n_events, together.n_events)
    np.testing.assert_array_equal(total.n_censored, together.n_censored)


@given(censored_samples(), st.sampled_from(CONF_TYPES), st.floats(0.5, 0.95))
def test_intervals_contain_estimate_and_widen(sample: Any, conf_type: Any, level: float) -> None:
    durations, events = sample
    curve = kaplan_meier(durations, events, confidence_level=level, conf_type=conf_type)
    wider = curve.with_bands(confidence_level=(1 + level) / 2)
    defined = np.isfinite(curve.lower)
    assert (curve.lower[defined] <= curve.survival[defined] + 1e-12).all()
    assert (curve.upper[defined] >= curve.survival[defined] - 1e-12).all()
    assert (wider.lower[defined] <= curve.lower[defined] + 1e-12).all()
    assert (wider.upper[defined] >= curve.upper[defined] - 1e-12).all()
    median, wide_median = curve.median(), wider.median()
    if median.value is not None and median.lower is not None and wide_median.lower is not None:
        assert wide_median.lower <= median.lower <= median.value


@given(
    censored_samples(),
    st.sampled_from(CONF_TYPES),
    st.floats(0.5, 0.97),
    st.sampled_from([0.25, 0.5, 0.75]),
)
def test_quantile_intervals_contain_estimate_and_widen_on_monotone_bands(
    sample: Any, conf_type: Any, level: float, q: float
) -> None:
    durations, events = sample
    curve = kaplan_meier(durations, events, confidence_level=level, conf_type=conf_type)
    wider = curve.with_bands(confidence_level=(1 + level) / 2)
    narrow, wide = curve.quantile(q), wider.quantile(q)
    if narrow.value is None:
        return
    # A limit is None where its band never reaches 1 - q or is undefined (S = 0).
    assert narrow.lower is None or narrow.lower <= narrow.value
    assert narrow.upper is None or narrow.value <= narrow.upper
    monotone = all(
        bool((np.diff(band[np.isfinite(band)]) <= 0).all())
        for band in (curve.lower, curve.upper, wider.lower, wider.upper)
    )
    if monotone:  # R's search takes the first crossing only on monotone limits
        if narrow.lower is not None and wide.lower is not None:
            assert wide.lower <= narrow.lower
        if narrow.upper is not None and wide.upper is not None:
            assert wide.upper >= narrow.upper


@given(censored_samples(), st.floats(0, 40))
def test_rmst_equals_area_under_steps(sample: Any, tau: float) -> None:
    durations, events = sample
    curve = kaplan_meier(durations, events)
    area, std_err = _naive_rmst(curve, tau)
    estimate = curve.rmst(tau)
    assert estimate.value == pytest.approx(area, rel=1e-10, abs=1e-10)
    assert estimate.std_err == pytest.approx(std_err, rel=1e-8, abs=1e-10)


@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=12),
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from([0.25, 0.5, 0.75, 1 / 3]),
)
def test_quantile_search_paths_agree(
    steps: list[int], nan_head: int, nan_tail: int, p: float
) -> None:
    # Fast path vs naive: the binary search against the general search.
    # Monotone step CDFs (levels k/6, repeated), undefined at the start and the end as a band
    # is at S = 1 and S = 0: the binary search must match R's sort-based rule.
    levels = np.cumsum(steps) / max(sum(steps), 1)
    cdf = np.concatenate([[0.0], np.full(nan_head, np.nan), levels, np.full(nan_tail, np.nan)])
    times = np.arange(cdf.size, dtype=np.float64)
    defined = ~np.isnan(cdf)
    general = first_reaching_general(times, cdf, p, float(times[-1]))
    if float(cdf[defined].max()) >= p:
        fast = first_reaching_monotone(times, cdf, defined, p, float(times[-1]))
        assert fast == general or (math.isnan(fast) and math.isnan(general))
    else:
        assert math.isnan(general)


@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=12),
    st.sampled_from([0.25, 0.5, 0.75, 1 / 3, 0.4]),
    st.booleans(),
)
def test_quantile_search_on_wandering_band(levels: list[int], p: float, holes: bool) -> None:
    # Fast path vs naive: the linear scan and the search without flats against the general one.
    # Non-monotone bands (levels k/12, some NaN): the linear scan matches R's sorted rule.
    cdf = np.concatenate([[0.0], np.array(levels, dtype=np.float64) / 12])
    if holes:
        cdf[1::4] = np.nan
    times = np.arange(cdf.size, dtype=np.float64)
    defined = ~np.isnan(cdf)
    general = first_reaching_general(times, cdf, p, float(times[-1]))
    got = first_reaching(times, cdf, p, float(times[-1]))
    assert got == general or (math.isnan(got) and math.isnan(general))
    if not (defined & (np.abs(p - cdf) < 1e-8)).any():
        unflat = first_reaching_unflat(times, cdf, defined, p)
        assert unflat == general or (math.isnan(unflat) and math.isnan(general))


@given(censored_samples(max_size=30), st.data())
def test_integer_weights_equal_replicated_records(sample: Any, data: st.DataObject) -> None:
    durations, events = sample
    repeats = np.array(
        data.draw(st.lists(st.integers(1, 4), min_size=len(durations), max_size=len(durations)))
    )
    weighted = kaplan_meier(durations, events, weights=repeats)
    replicated = kaplan_meier(np.repeat(durations, repeats), np.repeat(events, repeats))
    np.testing.assert_allclose(weighted.survival, replicated.survival, rtol=1e-12)
    np.testing.assert_allclose(weighted.std_err_log, replicated.std_err_log, rtol=1e-12)
    np.testing.assert_array_equal(weighted.n_at_risk, replicated.n_at_risk)


@given(censored_samples())
def test_entry_before_every_duration_changes_nothing(sample: Any) -> None:
    durations, events = sample
    durations = durations + 1
    plain = kaplan_meier(durations, events)
    entered = kaplan_meier(durations, events, entry=np.zeros(durations.size))
    np.testing.assert_array_equal(plain.survival, entered.survival[1:])
    assert entered.n_entered[0] == durations.size


def test_large_weighted_input_in_blocks() -> None:
    durations, events, _ = _sample(11, n=150_000, max_time=500)
    unweighted = kaplan_meier(durations, events)
    weighted = kaplan_meier(durations, events, weights=np.ones(durations.size))
    np.testing.assert_array_equal(weighted.n_events, unweighted.n_events)
    np.testing.assert_allclose(weighted.survival, unweighted.survival, rtol=1e-12)
    # Float durations holding whole numbers take the counting path too.
    np.testing.assert_array_equal(
        kaplan_meier(durations.astype(np.int32), events).survival, unweighted.survival
    )


def test_table_counts_entries() -> None:
    curve = kaplan_meier([3, 1, 3, 2, 5], [1, 0, 0, 1, 1], entry=[0, 0, 1, 0, 2])
    rows = curve.table([1, 4])
    assert rows.n_entered.tolist() == [4.0, 1.0]
    assert rows.n_at_risk.tolist() == [3.0, 1.0]
    assert rows.n_events.tolist() == [0.0, 2.0]


@given(
    values=st.lists(st.integers(0, 200_000), min_size=0, max_size=30),
    as_float=st.booleans(),
    cells=st.integers(1, 100_000),
)
def test_encode_codes_map_back_to_the_values(
    values: list[int], as_float: bool, cells: int
) -> None:
    array = np.array(values, dtype=np.float64 if as_float else np.int32)
    before = array.copy()
    codes, times = _encode(array, cells)
    assert codes.dtype == np.intp
    assert times.dtype == np.float64
    assert np.all(np.diff(times) > 0)
    np.testing.assert_array_equal(times[codes], array.astype(np.float64))
    np.testing.assert_array_equal(array, before)


def test_encode_of_non_integers_sorts() -> None:
    codes, times = _encode(np.array([2.5, 0.5, 2.5]))
    assert times.tolist() == [0.5, 2.5]
    assert codes.tolist() == [1, 0, 1]


# --- one vocabulary: at, confidence_interval, at_level, deprecated spellings ---------------


def test_quantile_and_rmst_recompute_at_another_level() -> None:
    curve = kaplan_meier(*AML_NONMAINTAINED, conf_type="log")
    median = curve.median()
    for level in (0.8, 0.99):
        assert (
            median.confidence_interval(level)
            == curve.with_bands(confidence_level=level).median().confidence_interval()
        )
    rmst = curve.rmst(30)
    low, high = rmst.confidence_interval(0.8)
    z = 1.2815515655446004  # qnorm(0.9)
    assert rmst.std_err is not None
    assert rmst.value is not None
    assert low == pytest.approx(rmst.value - z * rmst.std_err, rel=1e-14)
    assert high == pytest.approx(rmst.value + z * rmst.std_err, rel=1e-14)


def test_curve_confidence_interval_gives_the_band() -> None:
    curve = kaplan_meier(*AML_MAINTAINED)
    # the curve's band arrays themselves (ConfidenceInterval fields are typed as floats)
    low, high = cast("tuple[Any, Any]", curve.confidence_interval())
    assert low is curve.lower
    assert high is curve.upper
    wide = curve.confidence_interval(0.99)
    np.testing.assert_array_equal(wide.low, curve.with_bands(confidence_level=0.99).lower)
    np.testing.assert_array_equal(wide.high, curve.with_bands(confidence_level=0.99).upper)
    with pytest.raises(InvalidInputError, match=r"`confidence_level` must be a number"):
        curve.confidence_interval(0)


def test_curve_records_method_and_variance() -> None:
    curve = kaplan_meier(*AML_MAINTAINED)
    assert (curve.method, curve.ties, curve.variance, curve.variance_requested) == (
        "kaplan-meier",
        None,
        "greenwood",
        "auto",
    )
    assert curve.reason == (
        "no case weights: the model-based greenwood variance, as R's survfit by default"
    )
    chosen = kaplan_meier(*AML_MAINTAINED, variance="greenwood")
    assert (chosen.variance_requested, chosen.reason) == ("greenwood", "")
    data = curve.to_dict()
    assert list(data) == [
        "times", "n_at_risk", "n_events", "n_censored", "n_entered", "survival", "std_err",
        "std_err_log", "lower", "upper", "confidence_level", "conf_type", "n", "method",
        "ties", "variance", "variance_requested", "reason",
    ]  # fmt: skip
    json.dumps(data)


def test_fleming_harrington_rmst_says_which_variance() -> None:
    curve = kaplan_meier(*AML_MAINTAINED, method="fleming-harrington")
    note = curve.rmst(40).note
    assert "Greenwood-type formula of Kaplan-Meier, not from the curve's aalen" in note


def test_deprecated_conf_level() -> None:
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated since ipsstats 0.2"):
        curve = kaplan_meier(*AML_MAINTAINED, **_old(conf_level=0.9))
    assert curve.confidence_level == 0.9
    with pytest.raises(InvalidInputError, match="`conf_level` must not be given with"):
        kaplan_meier(*AML_MAINTAINED, **_old(conf_level=0.9), confidence_level=0.8)
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        assert curve.with_bands(**_old(conf_level=0.8)).confidence_level == 0.8


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "breslow"}, r"`method` must be one of 'kaplan-meier', 'fleming-harrington'"),
        ({"ties": "fleming-harrington"}, r"`ties` must be None unless `method='fleming-harr"),
        (
            {"method": "fleming-harrington", "ties": "efron"},
            r"`ties` must be one of 'nelson-aalen', 'fleming-harrington'",
        ),
        ({"variance": "aalen"}, r"`variance` must be one of 'auto', 'greenwood', 'robust'"),
        (
            {"method": "fleming-harrington", "variance": "jackknife"},
            r"`variance` must be one of 'auto', 'aalen', 'greenwood', 'robust'",
        ),
    ],
)
def test_bad_estimator_options(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        kaplan_meier(*AML_MAINTAINED, **kwargs)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.array([1 + 1j] * 11), r"got complex numbers of dtype complex128"),
        (np.array([True] + [1] * 10, dtype=object), r"got non-numeric True at index 0"),
        (np.array([1, "2"] + [1] * 9, dtype=object), r"got non-numeric '2' at index 1"),
    ],
)
def test_complex_and_boolean_weights_are_refused(weights: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=r"`weights` must hold case weights.*" + match):
        kaplan_meier(*AML_MAINTAINED, weights=weights)


def test_object_weights_of_numbers_are_accepted() -> None:
    weights = np.array([1, 2.5, 1, 1, 1, 1, 1, 1, 1, 1, 3], dtype=object)
    curve = kaplan_meier(*AML_MAINTAINED, weights=weights)
    same = kaplan_meier(*AML_MAINTAINED, weights=weights.astype(np.float64))
    np.testing.assert_array_equal(curve.survival, same.survival)


def test_quantile_fast_path_agrees_with_the_general_search() -> None:
    # Fast path vs naive: the search on a monotone curve against the general search.
    rng = np.random.default_rng(3)
    curve = kaplan_meier(rng.integers(0, 50, 400), rng.random(400) < 0.6)
    times = np.concatenate([[0.0], curve.times])
    cdf = np.concatenate([[0.0], 1.0 - curve.survival])
    for p in (0.05, 0.25, 0.5, 0.7, 0.999):
        expected = first_reaching(times, cdf, p, float(curve.times[-1]))
        got = first_reaching_sorted(times, cdf, p, float(curve.times[-1]))
        assert got == expected or (math.isnan(got) and math.isnan(expected))


@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=14),
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from([0.25, 0.5, 0.75, 1 / 3, 0.4, 0.05]),
    st.tuples(st.booleans(), st.booleans()),
)
def test_step_search_agrees_with_the_array_search(
    levels: list[int], head: int, tail: int, p: float, mode: tuple[bool, bool]
) -> None:
    # Fast path vs naive: the binary search on a band (undefined on a head and a tail, as at
    # S = 1 and S = 0) against the search on the CDF array built from it; flats at p occur
    # (levels k/12).
    flip, ascending = mode
    cdf_levels = np.array(sorted(levels) if ascending else levels, dtype=np.float64) / 12
    defined = 1.0 - cdf_levels if flip else cdf_levels
    band = np.concatenate([np.full(head, np.nan), defined, np.full(tail, np.nan)])
    times = np.arange(1.0, band.size + 1.0)
    cdf = np.concatenate([[0.0], 1.0 - band if flip else band])
    expected = first_reaching(np.concatenate([[0.0], times]), cdf, p, float(times[-1]))
    for threshold in (0, 1 << 13):  # the binary search and the array search
        with mock.patch("ipsstats.survival._bands._BISECT_FROM", threshold):
            got = step_reaching(times, band, p, flip=flip, start=head, stop=head + defined.size)
        assert got == expected or (math.isnan(got) and math.isnan(expected))
