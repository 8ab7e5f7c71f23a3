"""Tests of the variances of survival curves with case weights: Greenwood and robust."""

from __future__ import annotations

import math
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import InvalidInputError, LifeTable, kaplan_meier, nelson_aalen
from tests.strategies import weighted_censored_samples

T = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
S = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
W = [0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1]
E = [0, 0, 2, 0, 6, 0, 10, 0, 4, 20, 0, 30]
WHOLE = [1, 2, 1, 3, 1, 1, 2, 1, 1, 1, 2, 1]
R_TIMES = [5, 8, 12, 16, 23, 27, 30, 33, 43, 45]

# --- R reference values (survival 3.5-3, R 4.2.2), printed with formatC(x, digits = 17) ----
# t <- c(5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45)
# s <- c(1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1)
# w <- c(0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1)
# fr <- survfit(Surv(t, s) ~ 1, weights = w)   # robust by default: non-integer weights
R_KM_ROBUST_SE = [  # fr$std.err (fr$logse is FALSE: the standard error of S itself)
    0.10289820542521545, 0.15558100837703076, 0.15892708491993482, 0.15892708491993482,
    0.15652810591451127, 0.14691281731350184, 0.135049732748837, 0.13353276317580542,
    0.074440692803713959, 0,
]  # fmt: skip
R_KM_ROBUST_LOWER_LOG = [  # fr$lower (conf.type = "log"); NA where S = 0
    0.68224594287259988, 0.39553007553666736, 0.32909621745610929, 0.32909621745610929,
    0.16894043064060105, 0.11748437716290633, 0.07112833648587287, 0.057077723190934321,
    0.011085914531763908, math.nan,
]  # fmt: skip
R_KM_ROBUST_UPPER_LOG = [  # fr$upper
    1, 1, 0.98366903853255061, 0.98366903853255061, 0.85163946337570706, 0.7837710710759529,
    0.72819756694081261, 0.73503878090931418, 0.51913204735966823, math.nan,
]  # fmt: skip
# fg <- survfit(Surv(t, s) ~ 1, weights = w, robust = FALSE)
R_KM_GREENWOOD_SE_LOG = [  # fg$std.err (fg$logse is TRUE)
    0.10504514628777804, 0.19784486565672812, 0.2285751604412472, 0.2285751604412472,
    0.34483803536937246, 0.4109905967749245, 0.50224157929301505, 0.53785094683172119,
    0.95859964043254697, math.inf,
]  # fmt: skip
# fn <- survfit(Surv(t, s) ~ 1, weights = w, stype = 2, ctype = 1)
R_NA_ROBUST = [  # fn$std.chaz
    0.10289820542521545, 0.18773072401876509, 0.22249885338021799, 0.22249885338021799,
    0.29386996468052196, 0.35595616118102441, 0.43920079636616016, 0.49408108966934211,
    0.52944217469326382, 0.52944217469326371,
]  # fmt: skip
# fh <- survfit(Surv(t, s) ~ 1, weights = w, stype = 2, ctype = 2)
R_FH_ROBUST = [  # fh$std.chaz (= fh$std.err, fh$logse is TRUE)
    0.11080259431933352, 0.21345927438692919, 0.24547918949821487, 0.24547918949821487,
    0.30782217028282566, 0.36799305165008195, 0.44956660488405464, 0.50414762144653902,
    0.53761384376747789, 0.53761384376747789,
]  # fmt: skip
R_FH_ROBUST_LOWER_LOG = [  # fh$lower
    0.69753074627652623, 0.43134917388933863, 0.36359911264558931, 0.36359911264558931,
    0.23056402543299917, 0.16777030824267192, 0.11135403216126717, 0.09053511422532616,
    0.045173722531702203, 0.016618483800596402,
]  # fmt: skip
# e <- c(0, 0, 2, 0, 6, 0, 10, 0, 4, 20, 0, 30)
# fe <- survfit(Surv(e, t, s) ~ 1, weights = w)   # robust by default, each row a cluster
R_ENTRY_N_RISK = [  # fe$n.risk
    9.6999999999999993, 8.6999999999999993, 7.9500000000000002, 6.9500000000000002, 6.5, 4,
    3, 3, 2.7000000000000002, 1,
]  # fmt: skip
R_ENTRY_SURV = [  # fe$surv
    0.79381443298969068, 0.4972745585969901, 0.43472429965397247, 0.43472429965397247,
    0.26752264594090613, 0.2006419844556796, 0.13376132297045309, 0.12038519067340779,
    0.044587107656817712, 0,
]  # fmt: skip
R_ENTRY_ROBUST_SE = [  # fe$std.err (fe$logse is FALSE)
    0.14737683811992219, 0.17514260649188909, 0.16569404937951018, 0.16569404937951018,
    0.1715273407369961, 0.14658763623250914, 0.12112125971662045, 0.11502205322284857,
    0.03701741194260972, 0,
]  # fmt: skip
# fe2 <- survfit(Surv(e, t, s) ~ 1, weights = w, stype = 2, ctype = 2)
R_ENTRY_FH_CUMHAZ = [  # fe2$cumhaz
    0.21803531224078684, 0.63449890023477573, 0.76028506375678828, 0.76028506375678828,
    1.144900448372173, 1.394900448372173, 1.7282337817055062, 1.8282337817055063,
    2.4578634113351359, 3.4578634113351359,
]  # fmt: skip
R_ENTRY_FH_ROBUST = [  # fe2$std.chaz
    0.16529026011362394, 0.285698340189186, 0.31337333090381975, 0.31337333090381975,
    0.45508079084468711, 0.524845336085491, 0.63768633936282515, 0.68511163170416167,
    0.55541172357318569, 0.5554117235731858,
]  # fmt: skip
# iw <- c(1, 2, 1, 3, 1, 1, 2, 1, 1, 1, 2, 1)
# fi <- survfit(Surv(t, s) ~ 1, weights = iw)   # whole-number weights: fi$logse is TRUE
R_WHOLE_GREENWOOD = [  # fi$std.err
    0.11227217828476796, 0.20291986247835694, 0.2286647801900118, 0.2286647801900118,
    0.30651957256595064, 0.35677385232013065, 0.42105531904887078, 0.5105104455666698,
    0.96295772581113148, math.inf,
]  # fmt: skip
# fir <- survfit(Surv(t, s) ~ 1, weights = iw, robust = TRUE)
R_WHOLE_ROBUST_SE = [  # fir$std.err (standard error of S)
    0.11966516585322202, 0.16178089588319666, 0.15962024352485529, 0.15962024352485529,
    0.1537109543641216, 0.14721390249543678, 0.13966972225317928, 0.13089748725839584,
    0.065381469656809216, 0,
]  # fmt: skip


def test_non_integer_weights_default_to_robust_as_r() -> None:
    curve = kaplan_meier(T, S, weights=W, conf_type="log")
    assert (curve.variance, curve.variance_requested) == ("robust", "auto")
    assert "not whole numbers" in curve.reason
    np.testing.assert_allclose(curve.std_err, R_KM_ROBUST_SE, rtol=1e-13, atol=0)
    np.testing.assert_allclose(curve.lower, R_KM_ROBUST_LOWER_LOG, rtol=1e-13)
    np.testing.assert_allclose(curve.upper, R_KM_ROBUST_UPPER_LOG, rtol=1e-13)
    assert curve.std_err_log[-1] == math.inf  # S = 0 from the last time
    greenwood = kaplan_meier(T, S, weights=W, variance="greenwood")
    assert (greenwood.variance, greenwood.reason) == ("greenwood", "")
    np.testing.assert_allclose(greenwood.std_err_log, R_KM_GREENWOOD_SE_LOG, rtol=1e-14)
    assert math.isnan(greenwood.std_err[-1])  # R: summary()$std.err is NaN at S = 0


def test_whole_weights_default_to_greenwood_as_r() -> None:
    curve = kaplan_meier(T, S, weights=WHOLE)
    assert curve.variance == "greenwood"
    assert "whole numbers, taken as frequencies" in curve.reason
    np.testing.assert_allclose(curve.std_err_log, R_WHOLE_GREENWOOD, rtol=1e-14)
    robust = kaplan_meier(T, S, weights=WHOLE, variance="robust")
    np.testing.assert_allclose(robust.std_err, R_WHOLE_ROBUST_SE, rtol=1e-13, atol=0)


def test_robust_hazards_match_r() -> None:
    plain = nelson_aalen(T, S, weights=W)
    assert plain.variance == "robust"
    np.testing.assert_allclose(plain.std_err, R_NA_ROBUST, rtol=1e-13)
    tied = nelson_aalen(T, S, weights=W, ties="fleming-harrington")
    np.testing.assert_allclose(tied.std_err, R_FH_ROBUST, rtol=1e-13)
    curve = kaplan_meier(
        T, S, weights=W, method="fleming-harrington", ties="fleming-harrington", conf_type="log"
    )
    np.testing.assert_allclose(curve.std_err_log, R_FH_ROBUST, rtol=1e-13)
    np.testing.assert_allclose(curve.lower, R_FH_ROBUST_LOWER_LOG, rtol=1e-13)
    # R 3.5-3 marks the robust curve of stype = 2, ctype = 1 with logse = FALSE although
    # its std.err holds the standard error of H, so its limits treat that as the standard
    # error of S; here both tie rules use it as the standard error of log S = -H.
    untied = kaplan_meier(T, S, weights=W, method="fleming-harrington")
    np.testing.assert_allclose(untied.std_err_log, R_NA_ROBUST, rtol=1e-13)


def test_robust_with_delayed_entry_matches_r() -> None:
    curve = kaplan_meier(T, S, entry=E, weights=W)
    at = np.searchsorted(curve.times, R_TIMES)
    np.testing.assert_allclose(curve.n_at_risk[at], R_ENTRY_N_RISK, rtol=1e-14)
    np.testing.assert_allclose(curve.survival[at], R_ENTRY_SURV, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(curve.std_err[at], R_ENTRY_ROBUST_SE, rtol=1e-12, atol=0)
    tied = nelson_aalen(T, S, entry=E, weights=W, ties="fleming-harrington")
    np.testing.assert_allclose(tied.cumhaz[at], R_ENTRY_FH_CUMHAZ, rtol=1e-14)
    np.testing.assert_allclose(tied.std_err[at], R_ENTRY_FH_ROBUST, rtol=1e-12)


# --- R on random data, when R is installed ----------------------------------------------

_R_SCRIPT = """
library(survival)
d <- read.csv(file("stdin"))
out <- function(x) cat(formatC(x, digits = 17, format = "g"), "\\n")
km <- survfit(Surv(entry, time, status) ~ 1, data = d, weights = w, robust = TRUE,
              id = seq_len(nrow(d)))
out(km$time); out(km$surv); out(km$std.err)
na <- survfit(Surv(entry, time, status) ~ 1, data = d, weights = w, robust = TRUE,
              id = seq_len(nrow(d)), stype = 2, ctype = 2)
out(na$cumhaz); out(na$std.chaz)
"""


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R (Rscript) is not installed")
@pytest.mark.parametrize("seed", range(3))
def test_robust_matches_r_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 150
    time = rng.integers(1, 40, n).astype(np.float64)
    status = rng.random(n) < 0.6
    entry = np.where(rng.random(n) < 0.3, np.floor(time * rng.random(n)), 0.0)
    weights = np.round(rng.uniform(0.2, 3.0, n), 3)
    rows = "\n".join(
        f"{e:g},{t:g},{int(s)},{w:.3f}"
        for e, t, s, w in zip(entry, time, status, weights, strict=True)
    )
    result = subprocess.run(
        ["Rscript", "-e", _R_SCRIPT],
        input="entry,time,status,w\n" + rows + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [np.array(line.split(), dtype=np.float64) for line in result.stdout.splitlines()]
    r_time, r_surv, r_se, r_cumhaz, r_std_chaz = lines
    curve = kaplan_meier(time, status, entry=entry, weights=weights, variance="robust")
    at = np.searchsorted(curve.times, r_time)
    np.testing.assert_array_equal(curve.times[at], r_time)
    np.testing.assert_allclose(curve.survival[at], r_surv, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(curve.std_err[at], r_se, rtol=1e-11, atol=1e-300)
    hazard = nelson_aalen(
        time, status, entry=entry, weights=weights, ties="fleming-harrington", variance="robust"
    )
    np.testing.assert_allclose(hazard.cumhaz[at], r_cumhaz, rtol=1e-13)
    # the expanded sum of squares with delayed entry loses a few digits to cancellation
    np.testing.assert_allclose(hazard.std_err[at], r_std_chaz, rtol=1e-11)


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
