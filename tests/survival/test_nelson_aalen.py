"""Tests of nelson_aalen, CumulativeHazard and the Fleming-Harrington survival curve."""

from __future__ import annotations

import json
import math
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifelines import NelsonAalenFitter
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
R_TIMES = [5, 8, 12, 16, 23, 27, 30, 33, 43, 45]
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
R_FH_SURV = [  # f1$surv
    0.84648172489061413, 0.69304062008644152, 0.61160620059159199, 0.61160620059159199,
    0.51771347163056569, 0.4238679405067094, 0.33010868398548893, 0.23653320796791125,
    0.14346464267272274, 0.052777692574301906,
]  # fmt: skip
R_FH_LOWER_LOG = [  # f1$lower (conf.type = "log", R's default)
    0.67189672225431873, 0.48312726898979086, 0.39542573010491794, 0.39542573010491794,
    0.30022282013058849, 0.21662678953182102, 0.14379102164978014, 0.082185108502527804,
    0.033940591241412847, 0.0046326286954255624,
]  # fmt: skip
R_FH_UPPER_LOG = [  # f1$upper
    1, 0.99415895545309996, 0.94597320336952562, 0.94597320336952562, 0.89276104525028521,
    0.82937124894706482, 0.75784803524134381, 0.68075542505209841, 0.6064155910194815,
    0.6012752190172328,
]  # fmt: skip
# f2 <- survfit(Surv(t, s) ~ 1, stype = 2, ctype = 2, conf.type = "log-log")
R_FH2_CUMHAZ = [  # f2$cumhaz
    0.17424242424242425, 0.38535353535353539, 0.51035353535353534, 0.51035353535353534,
    0.67702020202020197, 0.87702020202020203, 1.127020202020202, 1.4603535353535353,
    1.9603535353535353, 2.9603535353535353,
]  # fmt: skip
R_FH2_STD_CHAZ = [  # f2$std.chaz
    0.1233243984553008, 0.19379005719259046, 0.23060699526837314, 0.23060699526837314,
    0.28453007581710099, 0.34778925234182445, 0.42831923146700435, 0.54274162836067441,
    0.7379488296322424, 1.2428066925936616,
]  # fmt: skip
R_FH2_SURV = [  # f2$surv
    0.84009321400952985, 0.68021011536716847, 0.60028331991823647, 0.60028331991823647,
    0.50812886006745317, 0.41602072426368236, 0.32399726583048882, 0.23215418550784456,
    0.14080863129112206, 0.051800600591493648,
]  # fmt: skip
R_FH2_LOWER_LOGLOG = [  # f2$lower
    0.49777338884518318, 0.35609084698557913, 0.2901519069761293, 0.2901519069761293,
    0.21376272149818934, 0.14838865102935347, 0.09313477649743257, 0.048529956587741625,
    0.016576749472169767, 0.0011820499152032189,
]  # fmt: skip
R_FH2_UPPER_LOGLOG = [  # f2$upper
    0.9574128291321522, 0.86604931083638881, 0.81018009377987055, 0.81018009377987055,
    0.7429869830022896, 0.66821665304572631, 0.58560984158108798, 0.49417345024126541,
    0.39165659704295863, 0.27248989324929906,
]  # fmt: skip
# w <- c(0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1)
# fn2 <- survfit(Surv(t, s) ~ 1, weights = w, stype = 2, ctype = 1, robust = FALSE)
R_NA_W_CUMHAZ = [  # fn2$cumhaz
    0.13793103448275862, 0.39793103448275863, 0.5060391425908668, 0.5060391425908668,
    0.83937247592420006, 1.0393724759242, 1.2893724759242, 1.3893724759242001,
    2.0190021055538296, 3.0190021055538296,
]  # fmt: skip
R_NA_W_AALEN = [  # fn2$std.chaz
    0.097531969818834136, 0.17410481078000681, 0.20493864490489919, 0.20493864490489919,
    0.29401410275682494, 0.35559006260004061, 0.43467722808987913, 0.4714632816595945,
    0.67488797964945202, 1.2064301824288546,
]  # fmt: skip
# fh2 <- survfit(Surv(t, s) ~ 1, weights = w, stype = 2, ctype = 2, robust = FALSE)
R_FH_W_CUMHAZ = [  # fh2$cumhaz: d0 = number of tied records, as R splits weighted ties
    0.14303959131545338, 0.42246487867177529, 0.5305729867798834, 0.5305729867798834,
    0.86390632011321666, 1.0639063201132166, 1.3139063201132166, 1.4139063201132167,
    2.0435359497428465, 3.0435359497428465,
]  # fmt: skip
R_FH_W_AALEN = [  # fh2$std.chaz
    0.10120874971217854, 0.18542779545399793, 0.21464116652134577, 0.21464116652134577,
    0.30085756565206823, 0.36126897847737843, 0.4393350370845564, 0.47576108304843712,
    0.67789731321602598, 1.2081162060271797,
]  # fmt: skip


# --- R ------------------------------------------------------------------------------------


def test_nelson_aalen_matches_r_ctype_1() -> None:
    curve = nelson_aalen(AML_T, AML_S)
    np.testing.assert_array_equal(curve.times, R_TIMES)
    np.testing.assert_allclose(curve.cumhaz, R_NA_CUMHAZ, rtol=1e-14)
    np.testing.assert_allclose(curve.std_err, R_NA_STD_CHAZ, rtol=1e-14)
    assert (curve.ties, curve.variance, curve.variance_requested) == (
        "nelson-aalen",
        "aalen",
        "auto",
    )
    assert "no case weights" in curve.reason


def test_fleming_harrington_survival_matches_r_stype_2() -> None:
    curve = kaplan_meier(AML_T, AML_S, method="fleming-harrington", conf_type="log")
    np.testing.assert_allclose(curve.survival, R_FH_SURV, rtol=1e-14)
    np.testing.assert_allclose(curve.std_err_log, R_NA_STD_CHAZ, rtol=1e-14)
    np.testing.assert_allclose(curve.lower, R_FH_LOWER_LOG, rtol=1e-13)
    np.testing.assert_allclose(curve.upper, R_FH_UPPER_LOG, rtol=1e-13)
    # R: quantile(f1, 0.5) gives 27 with limits 8 and NA
    median = curve.median()
    assert (median.value, median.lower, median.upper) == (27.0, 8.0, None)
    assert (curve.method, curve.ties, curve.variance) == (
        "fleming-harrington",
        "nelson-aalen",
        "aalen",
    )


def test_tie_correction_matches_r_ctype_2() -> None:
    hazard = nelson_aalen(AML_T, AML_S, ties="fleming-harrington")
    np.testing.assert_allclose(hazard.cumhaz, R_FH2_CUMHAZ, rtol=1e-14)
    np.testing.assert_allclose(hazard.std_err, R_FH2_STD_CHAZ, rtol=1e-14)
    curve = kaplan_meier(AML_T, AML_S, method="fleming-harrington", ties="fleming-harrington")
    np.testing.assert_allclose(curve.survival, R_FH2_SURV, rtol=1e-14)
    np.testing.assert_allclose(curve.lower, R_FH2_LOWER_LOGLOG, rtol=1e-13)
    np.testing.assert_allclose(curve.upper, R_FH2_UPPER_LOGLOG, rtol=1e-13)


def test_weighted_model_variances_match_r() -> None:
    plain = nelson_aalen(AML_T, AML_S, weights=W, variance="aalen")
    np.testing.assert_allclose(plain.cumhaz, R_NA_W_CUMHAZ, rtol=1e-14)
    np.testing.assert_allclose(plain.std_err, R_NA_W_AALEN, rtol=1e-14)
    tied = nelson_aalen(AML_T, AML_S, weights=W, variance="aalen", ties="fleming-harrington")
    np.testing.assert_allclose(tied.cumhaz, R_FH_W_CUMHAZ, rtol=1e-14)
    np.testing.assert_allclose(tied.std_err, R_FH_W_AALEN, rtol=1e-14)


# --- lifelines ----------------------------------------------------------------------------


def _tied_sample(seed: int, n: int = 200) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    rng = np.random.default_rng(seed)
    return rng.integers(1, 30, n).astype(np.float64), rng.random(n) < 0.7


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("smoothing", [False, True])
def test_matches_lifelines(seed: int, smoothing: bool) -> None:
    durations, events = _tied_sample(seed)
    fitter = NelsonAalenFitter(nelson_aalen_smoothing=smoothing).fit(durations, events)
    # lifelines: no smoothing = jumps d/n with Klein's variance; smoothing = the
    # Fleming-Harrington split of ties with its Aalen-type variance.
    ties: Any = "fleming-harrington" if smoothing else "nelson-aalen"
    variance: Any = "aalen" if smoothing else "greenwood"
    curve = nelson_aalen(durations, events, ties=ties, variance=variance)
    theirs = fitter.cumulative_hazard_.iloc[:, 0].loc[curve.times].to_numpy()
    np.testing.assert_allclose(curve.cumhaz, theirs, rtol=1e-12)
    bounds = fitter.confidence_interval_.loc[curve.times].to_numpy()
    np.testing.assert_allclose(curve.lower, bounds[:, 0], rtol=1e-12)
    np.testing.assert_allclose(curve.upper, bounds[:, 1], rtol=1e-12)
    # lifelines keeps its variance only inside the bounds H exp(+-z se / H)
    z = 1.959963984540054  # qnorm(0.975)
    their_se = curve.cumhaz * np.log(bounds[:, 1] / curve.cumhaz) / z
    np.testing.assert_allclose(curve.std_err, their_se, rtol=1e-10)  # through exp and log


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
