"""Reference checks of the survival wing: numbers from R, cmprsk's tests and peer libraries.

Each test compares ipsstats with numbers from outside the package: R's survival and cmprsk
packages (values printed by R and recorded here, or a live ``Rscript`` call when R is
installed), the saved output of cmprsk's own regression test, and the survival routines of
lifelines, statsmodels and scipy. The source of each number is named beside it, in the
test's docstring or in the comment above the values. Tests are grouped by estimator, one
class each, so that tests of the same name from different estimators keep their names.

Checks against naive re-implementations, properties and input validation stay in
``tests/survival/``; the data shared with them are imported from there.
"""

from __future__ import annotations

import importlib
import json
import math
import shutil
import subprocess
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter, NelsonAalenFitter
from lifelines.datasets import load_lung
from lifelines.statistics import multivariate_logrank_test
from numpy.typing import NDArray
from scipy import stats
from statsmodels.duration.survfunc import CumIncidenceRight, survdiff

from ipsstats import (
    InsufficientDataError,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank,
    nelson_aalen,
)
from ipsstats.survival.logrank import Weighting
from tests.survival.test_competing import tied_data as tied_causes
from tests.survival.test_kaplan_meier import (
    AML_MAINTAINED,
    AML_NONMAINTAINED,
    CONF_TYPES,
    _sample,
)
from tests.survival.test_logrank import AML_GROUP, AML_STATUS, AML_TIME, tied_data
from tests.survival.test_nelson_aalen import (
    AML_S,
    AML_T,
    R_FH2_CUMHAZ,
    R_NA_CUMHAZ,
    R_NA_STD_CHAZ,
)

# The same case weights `w` as in the R calls of tests/survival/test_nelson_aalen.py.
from tests.survival.test_variance import S, T, W

# --- Kaplan-Meier: R's survfit, lifelines, statsmodels ------------------------------------

_STATSMODELS_TRANSFORM = {
    "log-log": "cloglog",
    "log": "log",
    "plain": "linear",
    "logit": "logit",
    "arcsine": "asinsqrt",
}


class TestKaplanMeier:
    """kaplan_meier against R's `survfit`, lifelines and statsmodels."""

    def test_aml_summary_matches_r_printed_output(self) -> None:
        """R's printed `summary(survfit(...))` on the `aml` data (survival package)."""
        # R: summary(survfit(Surv(time, status) ~ x, data = aml))  (conf.type = "log", default)
        # Maintained: time, n.risk, survival, std.err, lower 95% CI, upper 95% CI
        maintained = [
            (9, 11, 0.909, 0.0867, 0.7541, 1.000),
            (13, 10, 0.818, 0.1163, 0.6192, 1.000),
            (18, 8, 0.716, 0.1397, 0.4884, 1.000),
            (23, 7, 0.614, 0.1526, 0.3769, 0.999),
            (31, 5, 0.491, 0.1642, 0.2549, 0.946),
            (34, 4, 0.368, 0.1627, 0.1549, 0.875),
            (48, 2, 0.184, 0.1535, 0.0359, 0.944),
        ]
        curve = kaplan_meier(*AML_MAINTAINED, conf_type="log")
        rows = curve.n_events > 0
        got = np.column_stack(
            [curve.times, curve.n_at_risk, curve.survival, curve.std_err, curve.lower, curve.upper]
        )[rows]
        # R prints 3-4 significant digits: compare at that precision.
        np.testing.assert_allclose(got, np.array(maintained), atol=6e-4)
        # Nonmaintained; the last row is 45, n.risk 1, survival 0, std.err NaN, limits NA.
        nonmaintained = kaplan_meier(*AML_NONMAINTAINED, conf_type="log")
        np.testing.assert_allclose(
            nonmaintained.survival[nonmaintained.n_events > 0][:4],
            [0.8333, 0.6667, 0.5833, 0.4861],
            atol=6e-5,
        )
        assert nonmaintained.survival[-1] == 0
        assert math.isnan(nonmaintained.std_err[-1])
        assert math.isnan(nonmaintained.lower[-1])
        assert math.isnan(nonmaintained.upper[-1])

    def test_aml_medians_match_r(self) -> None:
        """R's printed `survfit(...)` medians on the `aml` data."""
        # R: survfit(Surv(time, status) ~ x, data = aml)
        #   Maintained     median 31, 0.95LCL 18, 0.95UCL NA
        #   Nonmaintained  median 23, 0.95LCL  8, 0.95UCL NA
        for data, expected in ((AML_MAINTAINED, (31, 18)), (AML_NONMAINTAINED, (23, 8))):
            median = kaplan_meier(*data, conf_type="log").median()
            assert (median.value, median.lower, median.upper) == (*expected, None)
            assert "upper confidence limit not reached" in median.note
            assert median.to_dict()["upper"] is None
            json.dumps(median.to_dict())

    def test_median_midpoint_rule_as_r(self) -> None:
        """R's `quantile.survfit` medians (survival 3.5-3, R 4.2.2)."""
        # R: quantile(survfit(Surv(1:4) ~ 1), 0.5) gives 2.5 (S = 0.5 exactly on [2, 3)).
        assert kaplan_meier([1, 2, 3, 4]).median().value == 2.5
        # survfit(Surv(1:100) ~ 1): S(50) = 0.5 + 1e-16 by rounding; the median is 50.5.
        assert kaplan_meier(np.arange(1, 101)).median().value == 50.5
        # quantile(survfit(Surv(1:4, c(1, 1, 0, 0)) ~ 1), 0.5) gives 3: a curve ending flat at
        # 0.5 averages with the last time.
        assert kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).median().value == 3.0

    @pytest.mark.parametrize("seed", range(4))
    @pytest.mark.parametrize("with_entry", [False, True])
    def test_matches_lifelines(self, seed: int, with_entry: bool) -> None:
        """lifelines `KaplanMeierFitter`: survival and confidence interval, with and without
        delayed entry and case weights.
        """
        lifelines = pytest.importorskip("lifelines")
        durations, events, entry = _sample(seed, with_entry=with_entry)
        weights = np.random.default_rng(seed + 100).uniform(0.5, 3.0, durations.size)
        for w in (None, weights):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # lifelines warns about non-integer weights
                fitter = lifelines.KaplanMeierFitter().fit(
                    durations, events, entry=entry, weights=w
                )
            curve = kaplan_meier(durations, events, entry=entry, weights=w)
            survival = fitter.survival_function_.iloc[:, 0].loc[curve.times].to_numpy()
            if w is not None:
                # With weights lifelines leaves S > 0 where everyone left at risk has the event,
                # and its variance is not R's weighted Greenwood formula: compare S before that.
                alive = curve.survival > 0
                np.testing.assert_allclose(curve.survival[alive], survival[alive], rtol=1e-10)
                continue
            np.testing.assert_allclose(curve.survival, survival, rtol=1e-10, atol=1e-12)
            # lifelines' "exponential Greenwood" interval is R's log-log one; lifelines fills
            # the undefined limits at S = 1 with 1, R (and ipsstats) leave them undefined.
            bounds = fitter.confidence_interval_.loc[curve.times].to_numpy()
            defined = np.isfinite(curve.lower)
            np.testing.assert_allclose(curve.lower[defined], bounds[defined, 0], rtol=1e-10)
            np.testing.assert_allclose(curve.upper[defined], bounds[defined, 1], rtol=1e-10)

    @pytest.mark.parametrize("seed", range(4))
    @pytest.mark.parametrize("with_entry", [False, True])
    def test_matches_statsmodels_greenwood(self, seed: int, with_entry: bool) -> None:
        """statsmodels `SurvfuncRight`: `surv_prob`, `surv_prob_se` (Greenwood) and `n_risk`."""
        survfunc = pytest.importorskip("statsmodels.duration.survfunc")
        durations, events, entry = _sample(seed, with_entry=with_entry)
        fit = survfunc.SurvfuncRight(durations, events.astype(float), entry=entry)
        curve = kaplan_meier(durations, events, entry=entry)
        at = np.searchsorted(curve.times, fit.surv_times)
        np.testing.assert_allclose(curve.survival[at], fit.surv_prob, rtol=1e-10)
        np.testing.assert_allclose(curve.std_err[at], fit.surv_prob_se, rtol=1e-10)
        np.testing.assert_allclose(curve.n_at_risk[at], fit.n_risk, rtol=1e-12)

    @pytest.mark.parametrize("conf_type", CONF_TYPES)
    def test_quantile_ci_matches_statsmodels(self, conf_type: Any) -> None:
        """statsmodels `SurvfuncRight.quantile` and `quantile_ci(method=...)`, the method named
        in `_STATSMODELS_TRANSFORM` for each `conf_type`.
        """
        survfunc = pytest.importorskip("statsmodels.duration.survfunc")
        compared = 0
        for seed in range(30):
            durations, events, _ = _sample(seed, n=60, max_time=25)
            fit = survfunc.SurvfuncRight(durations, events.astype(float))
            curve = kaplan_meier(durations, events, conf_type=conf_type)
            for q in (0.25, 0.5, 0.75):
                ours = curve.quantile(q)
                lower, upper = fit.quantile_ci(q, method=_STATSMODELS_TRANSFORM[conf_type])
                # statsmodels caps an unreached upper limit at the last time (or inf) and scans
                # non-monotone bands in time order; R (and ipsstats) say "not reached" and order
                # band points by value. Compare where both conventions coincide.
                band = 1 - curve.upper[np.isfinite(curve.upper)]
                if ours.upper is None or (np.diff(band) < 0).any():
                    continue
                assert (ours.lower, ours.upper) == (float(lower), float(upper))
                assert ours.value == float(fit.quantile(q))
                compared += 1
        assert compared > 20

    @pytest.mark.parametrize("tau", [0.0, 7.5, 20.0, 39.0, 60.0])
    def test_rmst_value_matches_lifelines(self, tau: float) -> None:
        """lifelines `utils.restricted_mean_survival_time` of a `KaplanMeierFitter`."""
        lifelines = pytest.importorskip("lifelines")
        from lifelines.utils import restricted_mean_survival_time  # noqa: PLC0415

        durations, events, _ = _sample(11)
        fitter = lifelines.KaplanMeierFitter().fit(durations, events)
        # lifelines' variance is another estimator (of the integral of S^2); compare the area.
        area = restricted_mean_survival_time(fitter, t=tau)
        assert kaplan_meier(durations, events).rmst(tau).value == pytest.approx(area, rel=1e-10)

    def test_bands_at_s_one_and_zero_follow_r(self) -> None:
        """R 4.2.2, survival 3.5-3: `survfit(Surv(c(1, 2, 3, 3), c(0, 1, 1, 1)) ~ 1,
        conf.type = ...)`, one call per type (R spells arcsine "arcsin").

        `$lower` and `$upper` are 1 at the first time for "plain" and "log", NA or NaN there for
        the other three, and NA or NaN at the last time, where S = 0.
        """
        # First time censored only: S = 1 there. R gives NA for log-log, logit and arcsine.
        for conf_type in CONF_TYPES:
            curve = kaplan_meier([1, 2, 3, 3], [0, 1, 1, 1], conf_type=conf_type)
            undefined_at_one = conf_type in ("log-log", "logit", "arcsine")
            assert math.isnan(curve.lower[0]) == undefined_at_one
            assert math.isnan(curve.lower[-1])  # S = 0
            if not undefined_at_one:
                assert (curve.lower[0], curve.upper[0]) == (1.0, 1.0)
            json.dumps(curve.to_dict())

    def test_quantile_interval_follows_r_on_a_non_monotone_band(self) -> None:
        """R 4.2.2, survival 3.5-3: `quantile(survfit(Surv(durations, events) ~ 1,
        conf.type = "log", conf.int = level), 0.25)` gives 4 with limits 3 and 14, and 4 with
        limits 3 and 10 at `conf.int = (1 + level) / 2`.
        """
        # The log band is clipped at 1 and rises between 10 and 14 (the variance grows faster
        # than the curve falls). Following R's findq, the upper limit of the first quartile is
        # the time whose band value is nearest below 0.75 (14 at the 87.6% level), not the
        # first crossing (10): a wider level can then give a shorter interval.
        durations = [0, 12, 7, 5, 8, 5, 5, 4, 0, 3, 1, 1, 10, 10, 14, 1, 8, 4, 1, 10, 7, 14, 10, 7]
        events = [1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1]
        level = 0.8761550950122134
        curve = kaplan_meier(durations, events, conf_type="log", confidence_level=level)
        assert curve.upper[curve.times == 10] < curve.upper[curve.times == 14] < 0.75
        first = curve.quantile(0.25)
        assert (first.value, first.lower, first.upper) == (4.0, 3.0, 14.0)
        wider = curve.with_bands(confidence_level=(1 + level) / 2).quantile(0.25)
        assert (wider.value, wider.lower, wider.upper) == (4.0, 3.0, 10.0)

    def test_at_is_survival_at_and_recomputes_at_another_level(self) -> None:
        """R's `summary(survfit(...), times = 20)` limits at the 90% level (call below)."""
        curve = kaplan_meier(*AML_MAINTAINED, conf_type="log")
        est = curve.at(20)
        assert est == curve.survival_at(20)
        # R: s <- summary(survfit(Surv(time, status) ~ 1, data = aml[aml$x == "Maintained", ],
        #    conf.int = 0.9), times = 20); s$lower, s$upper
        low, high = est.confidence_interval(0.9)
        again = curve.with_bands(confidence_level=0.9).at(20)
        assert (low, high) == (again.lower, again.upper)
        assert low == pytest.approx(0.51939396541209504, rel=1e-14)
        assert high == pytest.approx(0.98677662925797593, rel=1e-14)
        assert est.confidence_interval() == (est.lower, est.upper)
        before = curve.at(1)
        assert before.confidence_interval(0.5) == (1.0, 1.0)


# --- log-rank tests: R's survdiff, lifelines, statsmodels, scipy --------------------------

LIFELINES_OPTIONS: list[tuple[Weighting, dict[str, Any], dict[str, Any]]] = [
    ("logrank", {}, {}),
    ("gehan-breslow", {}, {"weightings": "wilcoxon"}),
    ("tarone-ware", {}, {"weightings": "tarone-ware"}),
    ("peto-peto", {}, {"weightings": "peto"}),
    (
        "fleming-harrington",
        {"p": 1.5, "q": 0.7},
        {"weightings": "fleming-harrington", "p": 1.5, "q": 0.7},
    ),
    (
        "fleming-harrington",
        {"p": 0.0, "q": 1.0},
        {"weightings": "fleming-harrington", "p": 0, "q": 1},
    ),
]


STATSMODELS_OPTIONS: list[tuple[Weighting, dict[str, Any], dict[str, Any]]] = [
    ("logrank", {}, {}),
    ("gehan-breslow", {}, {"weight_type": "gb"}),
    ("tarone-ware", {}, {"weight_type": "tw"}),
    ("fleming-harrington", {"p": 1.0}, {"weight_type": "fh", "fh_p": 1.0}),
    ("fleming-harrington", {"p": 2.5}, {"weight_type": "fh", "fh_p": 2.5}),
]


class TestLogrank:
    """logrank against R's `survdiff`, lifelines, statsmodels and scipy."""

    def test_aml_matches_r_survdiff(self) -> None:
        """R's printed `survdiff(...)` on the `aml` data."""
        # R: survdiff(Surv(time, status) ~ x, data = aml)
        #   x=Maintained    N=11 Observed=7  Expected=10.69 (O-E)^2/V=3.4
        #   x=Nonmaintained N=12 Observed=11 Expected=7.31
        #   Chisq= 3.4 on 1 degrees of freedom, p= 0.07 (3.396, p 0.0653 at more digits)
        res = logrank(AML_TIME, AML_STATUS, AML_GROUP)
        assert res.groups == ("Maintained", "Nonmaintained")
        assert res.statistic == pytest.approx(3.396, abs=5e-4)
        assert res.pvalue == pytest.approx(0.0653, abs=5e-5)
        assert res.dof == 1
        assert res.observed.tolist() == [7.0, 11.0]
        np.testing.assert_allclose(res.expected, [10.69, 7.31], atol=5e-3)
        np.testing.assert_allclose(res.n_subjects, [11, 12], rtol=0)
        assert res.method == "logrank"
        assert res.n == 23

    def test_lung_matches_r_survdiff(self) -> None:
        """R's printed `survdiff(...)` on the `lung` data."""
        # R: survdiff(Surv(time, status) ~ sex, data = lung) prints
        #   sex=1 N=138 Observed=112 Expected=91.5817 (O-E)^2/V=10.3267
        #   sex=2 N=90  Observed=53  Expected=73.4183
        #   Chisq= 10.3 on 1 degrees of freedom, p= 0.00131116
        # (lifelines ships R's `lung` data with status recoded 0/1)
        lung = load_lung()
        res = logrank(lung["time"], lung["status"], lung["sex"])
        assert res.statistic == pytest.approx(10.3267, abs=5e-5)
        assert res.pvalue == pytest.approx(0.00131116, abs=5e-9)
        np.testing.assert_allclose(res.expected, [91.5817, 73.4183], atol=5e-5)
        np.testing.assert_array_equal(res.observed, [112, 53])
        np.testing.assert_array_equal(res.n_subjects, [138, 90])

    @pytest.mark.parametrize(("weights", "ours", "theirs"), LIFELINES_OPTIONS)
    @pytest.mark.parametrize("seed", [1, 2])
    def test_matches_lifelines(
        self, weights: Weighting, ours: dict[str, Any], theirs: dict[str, Any], seed: int
    ) -> None:
        """lifelines `statistics.multivariate_logrank_test(weightings=...)`, options paired in
        LIFELINES_OPTIONS.
        """
        # lifelines' Fleming-Harrington weights break on a duration of 0: start at 1 here.
        durations, events, groups, _ = tied_data(seed, low=1)
        res = logrank(durations, events, groups, weighting=weights, **ours)
        peer = multivariate_logrank_test(durations, groups, events, **theirs)
        assert res.statistic == pytest.approx(peer.test_statistic, rel=1e-10)
        assert res.pvalue == pytest.approx(peer.p_value, rel=1e-10)
        assert res.dof == peer.degrees_of_freedom

    @pytest.mark.parametrize("zero", [True, False])
    def test_matches_lifelines_logrank_with_zero_durations(self, zero: bool) -> None:
        """lifelines `statistics.multivariate_logrank_test`, with and without zero durations."""
        durations, events, groups, _ = tied_data(3, low=0 if zero else 1)
        res = logrank(durations, events, groups)
        peer = multivariate_logrank_test(durations, groups, events)
        assert res.statistic == pytest.approx(peer.test_statistic, rel=1e-10)

    @pytest.mark.parametrize(("weights", "ours", "theirs"), STATSMODELS_OPTIONS)
    @pytest.mark.parametrize("stratified", [False, True])
    def test_matches_statsmodels(
        self, weights: Weighting, ours: dict[str, Any], theirs: dict[str, Any], stratified: bool
    ) -> None:
        """statsmodels `duration.survfunc.survdiff(weight_type=..., fh_p=..., strata=...)`,
        options paired in STATSMODELS_OPTIONS.
        """
        durations, events, groups, strata = tied_data(4)
        layer = strata if stratified else None
        res = logrank(durations, events, groups, strata=layer, weighting=weights, **ours)
        chisq, pvalue = survdiff(durations, events.astype(int), groups, strata=layer, **theirs)
        assert res.statistic == pytest.approx(chisq, rel=1e-10)
        # statsmodels computes 1 - cdf, which loses relative precision in small p-values
        assert res.pvalue == pytest.approx(pvalue, rel=1e-8)
        assert res.n_strata == (3 if stratified else 1)

    def test_matches_scipy_for_two_groups(self) -> None:
        """scipy.stats `logrank` of `CensoredData.right_censored` samples (its statistic is the
        signed square root of the chi-squared one).
        """
        durations, events, groups, _ = tied_data(5, k=2)
        res = logrank(durations, events, groups)
        x = stats.CensoredData.right_censored(durations[groups == 0], ~events[groups == 0])
        y = stats.CensoredData.right_censored(durations[groups == 1], ~events[groups == 1])
        peer = stats.logrank(x, y)
        assert res.statistic == pytest.approx(peer.statistic**2, rel=1e-10)
        assert res.pvalue == pytest.approx(peer.pvalue, rel=1e-10)

    def test_matches_statsmodels_at_a_million_rows(self) -> None:
        """statsmodels `duration.survfunc.survdiff` on a million rows."""
        rng = np.random.default_rng(6)
        n = 1_000_000
        durations = rng.integers(0, 1000, n).astype(np.float64)
        events = rng.random(n) < 0.6
        groups = rng.integers(0, 5, n)
        res = logrank(durations, events, groups)
        chisq, _ = survdiff(durations, events.astype(int), groups)
        assert res.statistic == pytest.approx(chisq, rel=1e-9)  # sums over 1e6 rows
        assert np.isfinite(res.variance).all()

    @pytest.mark.parametrize("dense_span", [None, 1])
    def test_integer_float_and_continuous_durations(
        self, dense_span: int | None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """statsmodels `duration.survfunc.survdiff` (and `weight_type="gb"`) on whole-number,
        float and continuous durations, by the dense tally and by the sorting path.
        """
        # Private: `_DENSE_SPAN` forces the sorting path and the per-stratum tally (fast path vs
        # the general one), both checked against statsmodels; the public API has no switch.
        if dense_span is not None:  # force the sorting path and the per-stratum tally
            module = importlib.import_module("ipsstats.survival.logrank")
            monkeypatch.setattr(module, "_DENSE_SPAN", dense_span)
        durations, events, groups, strata = tied_data(15, n=300, k=3)
        as_int = logrank(durations.astype(np.int32), events, groups, strata=strata)
        as_float = logrank(durations, events, groups, strata=strata)
        assert as_int.statistic == pytest.approx(as_float.statistic, rel=1e-14)
        chisq, _ = survdiff(durations, events.astype(int), groups, strata=strata)
        assert as_float.statistic == pytest.approx(chisq, rel=1e-10)
        continuous = durations + np.random.default_rng(15).random(durations.size)
        res = logrank(continuous, events, groups, strata=strata, weighting="gehan-breslow")
        chisq, _ = survdiff(
            continuous, events.astype(int), groups, strata=strata, weight_type="gb"
        )
        assert res.statistic == pytest.approx(chisq, rel=1e-10)


# --- competing risks: cmprsk's regression test, statsmodels, lifelines --------------------
#
# cmprsk's tests/test.R (saved output tests/test.Rout.save, R 3.6.1, cmprsk 2.2-9) draws its
# data with RNGversion("1.6.2"); set.seed(2): Marsaglia-Multicarry uniforms, R's exp_rand()
# for rexp() and sample() by rounding. The generator below re-implements those documented
# algorithms, so the data here are the data R used and the printed values are references.


class MulticarryR:
    """R's "Marsaglia-Multicarry" generator with R's `set.seed` scrambling."""

    def __init__(self, seed: int) -> None:
        mask = 0xFFFFFFFF
        state = seed & mask
        for _ in range(50):  # initial scrambling of set.seed
            state = (69069 * state + 1) & mask
        words = []
        for _ in range(2):
            state = (69069 * state + 1) & mask
            words.append(state or 1)
        self.i1, self.i2 = words

    def unif(self) -> float:
        """unif_rand(): in (0, 1)."""
        mask = 0xFFFFFFFF
        scale = 2.328306437080797e-10  # 1 / (2^32 - 1)
        self.i1 = (36969 * (self.i1 & 0xFFFF) + (self.i1 >> 16)) & mask
        self.i2 = (18000 * (self.i2 & 0xFFFF) + (self.i2 >> 16)) & mask
        x = (((self.i1 << 16) & mask) ^ (self.i2 & 0xFFFF)) * scale
        return min(max(x, 0.5 * scale), 1.0 - 0.5 * scale)

    def exp(self) -> float:
        """exp_rand(): Ahrens and Dieter (1972), algorithm SA."""
        q = np.cumsum([math.log(2) ** k / math.factorial(k) for k in range(1, 17)])
        shift = 0.0
        u = self.unif()
        while True:
            u += u
            if u > 1.0:
                break
            shift += q[0]
        u -= 1.0
        if u <= q[0]:
            return shift + u
        i = 0
        smallest = self.unif()
        while True:
            smallest = min(smallest, self.unif())
            i += 1
            if u <= q[i]:
                return float(shift + smallest * q[0])

    def sample(self, values: Sequence[int], n: int) -> NDArray[np.int64]:
        """sample(values, n, replace = TRUE) with sample.kind = "Rounding"."""
        return np.array([values[int(len(values) * self.unif())] for _ in range(n)])


def cmprsk_test_data() -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], Any]:
    rng = MulticarryR(2)
    ss = np.array([rng.exp() for _ in range(100)])
    gg = rng.sample([1, 2, 3], 100)
    cc = rng.sample([0, 1, 2], 100)
    strt = rng.sample([1, 2], 100)
    return ss, cc, gg, strt


class TestCompetingRisks:
    """cumulative_incidence and gray_test against cmprsk, statsmodels and lifelines."""

    def test_gray_matches_cmprsk_reference(self) -> None:
        """cmprsk's tests/test.Rout.save (R 3.6.1, cmprsk 2.2-9): `cuminc(...)$Tests`, calls
        below.
        """
        ss, cc, gg, strt = cmprsk_test_data()
        assert ss.max() == pytest.approx(5.24864987, abs=5e-9)  # last uft of predict.crr there
        # print(xx <- cuminc(ss,cc,gg,strt))$Tests
        for cause, stat, pv in ((1, 3.393977, 0.1832345), (2, 1.989511, 0.3698139)):
            res = gray_test(ss, cc, gg, strata=strt, cause=cause)
            assert res.statistic == pytest.approx(stat, abs=5e-7)
            assert res.pvalue == pytest.approx(pv, abs=5e-8)
            assert res.dof == 2
        # print(xx <- cuminc(ssd,ccd,gg2,strtd,subset=gg != 'b'))$Tests
        keep = gg != 2
        for cause, stat, pv in ((1, 3.5151549, 0.06080997), (2, 0.1400145, 0.70826655)):
            res = gray_test(ss[keep], cc[keep], gg[keep], strata=strt[keep], cause=cause)
            assert res.statistic == pytest.approx(stat, abs=5e-8)
            assert res.pvalue == pytest.approx(pv, abs=5e-9)
            assert res.dof == 1
        # gg2 <- gg; gg2[c(5,10,50)] <- NA; cuminc(ss,cc,gg2,strt,subset=d2$X == 1)$Tests
        labels = np.array(["a", "b", "c"], dtype=object)[gg - 1]
        labels[[4, 9, 49]] = None
        for cause, stat, pv in ((1, 4.716769, 0.0945729), (2, 2.696396, 0.2597078)):
            res = gray_test(ss[:80], cc[:80], labels[:80], strata=strt[:80], cause=cause)
            assert res.statistic == pytest.approx(stat, abs=5e-7)
            assert res.pvalue == pytest.approx(pv, abs=5e-8)
            assert res.n_excluded == 3

    def test_incidence_matches_cmprsk_reference(self) -> None:
        """cmprsk's tests/test.Rout.save (R 3.6.1, cmprsk 2.2-9): printed `cuminc(...)`, calls
        below.
        """
        ss, cc, gg, _ = cmprsk_test_data()
        # print(xx <- cuminc(ss,cc)): estimates and variances at times 1, ..., 5
        reference = {
            1: (
                [0.2352861, 0.3287068, 0.4247898, 0.4247898, 0.4247898],
                [0.002062112, 0.002957844, 0.004170634, 0.004170634, 0.004170634],
            ),
            2: (
                [0.2567862, 0.3931580, 0.4631781, 0.4911861, 0.4911861],
                [0.002190305, 0.003273248, 0.004004514, 0.004369940, 0.004369940],
            ),
        }
        for cause, (estimates, variances) in reference.items():
            curve = cumulative_incidence(ss, cc, cause=cause)
            for t, estimate, variance in zip(range(1, 6), estimates, variances, strict=True):
                at = curve.at(t)
                assert at.value == pytest.approx(estimate, abs=5e-8)
                assert at.std_err is not None
                assert at.std_err**2 == pytest.approx(variance, abs=5e-10)
        # print(xx <- cuminc(ss,cc,gg,strt)): per group; NA after a group's last follow-up
        by_group = {
            (1, 1): ([0.1311269, 0.2699184, 0.3420625], [0.003922836, 0.009113464, 0.012507959]),
            (2, 1): ([0.2176471, 0.2615686], [0.005528913, 0.006916070]),
            (3, 1): ([0.3816280, 0.4889137, 0.5723581], [0.009854126, 0.012351948, 0.015575726]),
            (1, 2): ([0.2257601, 0.2972171, 0.4415053], [0.005947601, 0.007356628, 0.014479506]),
            (2, 2): ([0.3117647, 0.5878431], [0.007033454, 0.010927780]),
            (3, 2): ([0.2160508, 0.2607532, 0.2607532], [0.006497566, 0.007867543, 0.007867543]),
        }
        for (group, cause), (estimates, variances) in by_group.items():
            inside = gg == group
            curve = cumulative_incidence(ss[inside], cc[inside], cause=cause)
            for t, estimate, variance in zip(range(1, 4), estimates, variances, strict=False):
                at = curve.at(t)
                assert at.value == pytest.approx(estimate, abs=5e-8)
                assert at.std_err is not None
                assert at.std_err**2 == pytest.approx(variance, abs=5e-10)
            if len(estimates) < 3:
                with pytest.raises(InsufficientDataError, match="after the last observed time"):
                    curve.at(3)

    def test_incidence_matches_statsmodels(self) -> None:
        """statsmodels `duration.survfunc.CumIncidenceRight`: `times` and `cinc`."""
        durations, causes, _, _ = tied_causes(2, n=500)
        peer = CumIncidenceRight(durations, causes)
        for cause in (1, 2):
            curve = cumulative_incidence(durations, causes, cause=cause)
            np.testing.assert_array_equal(curve.times, peer.times)
            np.testing.assert_allclose(curve.incidence, peer.cinc[cause - 1], rtol=1e-12)

    def test_incidence_matches_lifelines_on_untied_data(self) -> None:
        """lifelines `AalenJohansenFitter(calculate_variance=False)`: `cumulative_density_`."""
        # lifelines jitters tied times, so compare on continuous durations only
        rng = np.random.default_rng(3)
        durations = rng.exponential(10.0, 200)
        causes = rng.choice([0, 1, 2], size=200)
        curve = cumulative_incidence(durations, causes, cause=1)
        peer = AalenJohansenFitter(calculate_variance=False).fit(
            durations, causes, event_of_interest=1
        )
        theirs = peer.cumulative_density_.iloc[:, 0]
        np.testing.assert_allclose(curve.incidence, theirs.loc[curve.times].to_numpy(), rtol=1e-12)

    def test_incidences_and_survival_sum_to_one(self) -> None:
        """lifelines `KaplanMeierFitter` survival from any cause, plus the two incidences, is 1."""
        durations, causes, _, _ = tied_causes(4)
        total = sum(cumulative_incidence(durations, causes, cause=c).incidence for c in (1, 2))
        km = KaplanMeierFitter().fit(durations, causes > 0)
        survival = km.survival_function_.iloc[:, 0].loc[np.unique(durations)].to_numpy()
        np.testing.assert_allclose(total + survival, 1.0, rtol=1e-12)


# --- Nelson-Aalen and Fleming-Harrington: R's survfit, lifelines --------------------------
#
# R reference values (survival 3.5-3, R 4.2.2), printed with formatC(x, digits = 17), on
# R's `aml` data, non-maintained arm (AML_T, AML_S; the same as T, S):
# t <- c(5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45)
# s <- c(1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1)
# f1 <- survfit(Surv(t, s) ~ 1, stype = 2, ctype = 1)
# f1$cumhaz and f1$std.chaz are R_NA_CUMHAZ and R_NA_STD_CHAZ, and f2$cumhaz below is
# R_FH2_CUMHAZ, in tests/survival/test_nelson_aalen.py, whose tests use them too.
R_TIMES = [5, 8, 12, 16, 23, 27, 30, 33, 43, 45]  # f1$time, and the times of every fit below
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
# w <- c(0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1)   # W
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


def _tied_sample(seed: int, n: int = 200) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    rng = np.random.default_rng(seed)
    return rng.integers(1, 30, n).astype(np.float64), rng.random(n) < 0.7


class TestNelsonAalen:
    """nelson_aalen and the Fleming-Harrington curve against R's `survfit` and lifelines."""

    def test_nelson_aalen_matches_r_ctype_1(self) -> None:
        """R `f1` above: `f1$time`, `f1$cumhaz`, `f1$std.chaz`."""
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

    def test_fleming_harrington_survival_matches_r_stype_2(self) -> None:
        """R `f1` above: `f1$surv`, `f1$std.err`, `f1$lower`, `f1$upper`, `quantile(f1, 0.5)`."""
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

    def test_tie_correction_matches_r_ctype_2(self) -> None:
        """R `f2` above: `f2$cumhaz`, `f2$std.chaz`, `f2$surv`, `f2$lower`, `f2$upper`."""
        hazard = nelson_aalen(AML_T, AML_S, ties="fleming-harrington")
        np.testing.assert_allclose(hazard.cumhaz, R_FH2_CUMHAZ, rtol=1e-14)
        np.testing.assert_allclose(hazard.std_err, R_FH2_STD_CHAZ, rtol=1e-14)
        curve = kaplan_meier(AML_T, AML_S, method="fleming-harrington", ties="fleming-harrington")
        np.testing.assert_allclose(curve.survival, R_FH2_SURV, rtol=1e-14)
        np.testing.assert_allclose(curve.lower, R_FH2_LOWER_LOGLOG, rtol=1e-13)
        np.testing.assert_allclose(curve.upper, R_FH2_UPPER_LOGLOG, rtol=1e-13)

    def test_weighted_model_variances_match_r(self) -> None:
        """R `fn2` and `fh2` above: `$cumhaz` and `$std.chaz` with case weights."""
        plain = nelson_aalen(AML_T, AML_S, weights=W, variance="aalen")
        np.testing.assert_allclose(plain.cumhaz, R_NA_W_CUMHAZ, rtol=1e-14)
        np.testing.assert_allclose(plain.std_err, R_NA_W_AALEN, rtol=1e-14)
        tied = nelson_aalen(AML_T, AML_S, weights=W, variance="aalen", ties="fleming-harrington")
        np.testing.assert_allclose(tied.cumhaz, R_FH_W_CUMHAZ, rtol=1e-14)
        np.testing.assert_allclose(tied.std_err, R_FH_W_AALEN, rtol=1e-14)

    @pytest.mark.parametrize("seed", range(3))
    @pytest.mark.parametrize("smoothing", [False, True])
    def test_matches_lifelines(self, seed: int, smoothing: bool) -> None:
        """lifelines `NelsonAalenFitter(nelson_aalen_smoothing=...)`: `cumulative_hazard_` and
        `confidence_interval_`.
        """
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


# --- variances with case weights: R's survfit, recorded and live --------------------------

# The delayed entries `e` and the whole-number weights `iw` of the R calls below.
E = [0, 0, 2, 0, 6, 0, 10, 0, 4, 20, 0, 30]
WHOLE = [1, 2, 1, 3, 1, 1, 2, 1, 1, 1, 2, 1]

# R reference values (survival 3.5-3, R 4.2.2), printed with formatC(x, digits = 17); the
# times are R_TIMES above.
# t <- c(5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45)   # T
# s <- c(1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1)   # S
# w <- c(0.5, 1.5, 2, 1.25, 1, 0.75, 2.5, 1, 1, 0.3, 1.7, 1)   # W
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
# e <- c(0, 0, 2, 0, 6, 0, 10, 0, 4, 20, 0, 30)   # E
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
# iw <- c(1, 2, 1, 3, 1, 1, 2, 1, 1, 1, 2, 1)   # WHOLE
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


class TestWeightedVariance:
    """Greenwood and robust variances with case weights against R's `survfit`."""

    def test_non_integer_weights_default_to_robust_as_r(self) -> None:
        """R `fr` and `fg` above: robust and Greenwood standard errors, and `fr`'s limits."""
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

    def test_whole_weights_default_to_greenwood_as_r(self) -> None:
        """R `fi` and `fir` above: Greenwood and robust standard errors with whole weights."""
        curve = kaplan_meier(T, S, weights=WHOLE)
        assert curve.variance == "greenwood"
        assert "whole numbers, taken as frequencies" in curve.reason
        np.testing.assert_allclose(curve.std_err_log, R_WHOLE_GREENWOOD, rtol=1e-14)
        robust = kaplan_meier(T, S, weights=WHOLE, variance="robust")
        np.testing.assert_allclose(robust.std_err, R_WHOLE_ROBUST_SE, rtol=1e-13, atol=0)

    def test_robust_hazards_match_r(self) -> None:
        """R `fn` and `fh` above: robust `$std.chaz`, and `fh$lower`."""
        plain = nelson_aalen(T, S, weights=W)
        assert plain.variance == "robust"
        np.testing.assert_allclose(plain.std_err, R_NA_ROBUST, rtol=1e-13)
        tied = nelson_aalen(T, S, weights=W, ties="fleming-harrington")
        np.testing.assert_allclose(tied.std_err, R_FH_ROBUST, rtol=1e-13)
        curve = kaplan_meier(
            T,
            S,
            weights=W,
            method="fleming-harrington",
            ties="fleming-harrington",
            conf_type="log",
        )
        np.testing.assert_allclose(curve.std_err_log, R_FH_ROBUST, rtol=1e-13)
        np.testing.assert_allclose(curve.lower, R_FH_ROBUST_LOWER_LOG, rtol=1e-13)
        # R 3.5-3 marks the robust curve of stype = 2, ctype = 1 with logse = FALSE although
        # its std.err holds the standard error of H, so its limits treat that as the standard
        # error of S; here both tie rules use it as the standard error of log S = -H.
        untied = kaplan_meier(T, S, weights=W, method="fleming-harrington")
        np.testing.assert_allclose(untied.std_err_log, R_NA_ROBUST, rtol=1e-13)

    def test_robust_with_delayed_entry_matches_r(self) -> None:
        """R `fe` and `fe2` above: delayed entry with case weights, robust variances."""
        curve = kaplan_meier(T, S, entry=E, weights=W)
        at = np.searchsorted(curve.times, R_TIMES)
        np.testing.assert_allclose(curve.n_at_risk[at], R_ENTRY_N_RISK, rtol=1e-14)
        np.testing.assert_allclose(curve.survival[at], R_ENTRY_SURV, rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(curve.std_err[at], R_ENTRY_ROBUST_SE, rtol=1e-12, atol=0)
        tied = nelson_aalen(T, S, entry=E, weights=W, ties="fleming-harrington")
        np.testing.assert_allclose(tied.cumhaz[at], R_ENTRY_FH_CUMHAZ, rtol=1e-14)
        np.testing.assert_allclose(tied.std_err[at], R_ENTRY_FH_ROBUST, rtol=1e-12)

    @pytest.mark.skipif(shutil.which("Rscript") is None, reason="R (Rscript) is not installed")
    @pytest.mark.parametrize("seed", range(3))
    def test_robust_matches_r_on_random_data(self, seed: int) -> None:
        """Live R: `Rscript` running `_R_SCRIPT` (survival's `survfit(..., robust = TRUE)`, one
        cluster per row) on seeded data; skipped where R is not installed.
        """
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
            time,
            status,
            entry=entry,
            weights=weights,
            ties="fleming-harrington",
            variance="robust",
        )
        np.testing.assert_allclose(hazard.cumhaz[at], r_cumhaz, rtol=1e-13)
        # the expanded sum of squares with delayed entry loses a few digits to cancellation
        np.testing.assert_allclose(hazard.std_err[at], r_std_chaz, rtol=1e-11)
