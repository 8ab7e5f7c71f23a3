"""Reference checks of the equity wing: its numbers against sources outside ipsstats.

The equity tests (access, outcome and duration equity) against the published tables of
Perkins et al. (2022), scipy and lifelines; Mantel-Haenszel comparisons against R's epiR;
funnel-plot limits and over-dispersion against R; the slope and relative indices of
inequality against R's ``lm`` and the concentration index against statsmodels; direct and
indirect standardisation against Fay and Feuer (1997), the OHID's DSR vignette, R's epitools,
epiR and ``poisson.test``; and the pooled site analysis against a live R session. The source
of each number (the paper and its table, or the R call and package version, or the library
function) is named beside it; the other tests of these functions (properties, hand
computations, validation, rendering) stay in ``tests/equity/`` and ``tests/sites/``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from ipsstats import (
    Funnel,
    concentration_index,
    direct_standardise,
    funnel,
    indirect_standardise,
    mantel_haenszel_comparison,
    proportion_inequality,
    slope_index,
)
from ipsstats.datasets import perkins2022
from ipsstats.equity import access_equity, duration_equity, outcome_equity
from ipsstats.sites import combine_sites
from tests.equity.test_adjusted import GROUP_EVENTS, GROUP_N, REF_EVENTS, REF_N, RR_MH, known
from tests.equity.test_equity import _by_service, _cohort, _overall
from tests.equity.test_funnel import N, X
from tests.equity.test_inequality import JOBS, LE1, POP1, SE1, USERS, num, wls_sandwich
from tests.equity.test_standardise import BIRTHS, CASES, STANDARD, both
from tests.sites.test_combine import STUDY_END, _labels, _split, _synthetic

# ==== access and outcome equity: Perkins et al. (2022) ========================================

ETHNICITY = ("White", "Asian/Asian British", "Black/Black British", "Mixed", "Other")


def pct(x: float | None) -> str:
    """Percent to one decimal, as the paper prints it."""
    assert x is not None
    return f"{100 * x:.1f}"


# Printed in Perkins et al. (2022), Table 2. Errata (recomputed from the paper's counts):
# WWT White IPS n printed 114 in Table 1 and 144 in Table 2 (144 is right); WWT White reach
# printed 1.6 (144/900 = 16.0); WWT caseload Mixed printed 2.3% (61/2192 = 2.8%); WWT IPS
# Black printed 18.0% in Table 2, 18.1% in Table 1 (63/349 = 18.05...%, 18.1).
TABLE2: dict[str, dict[str, Any]] = {
    "CNWL": {
        "ips": (134, 77, 64, 38, 52),
        "ips_pct": ("36.7", "21.1", "17.5", "10.4", "14.2"),
        "caseload": (2774, 1158, 810, 936, 1335),
        "caseload_pct": ("39.6", "16.5", "11.5", "13.3", "19.0"),
        "reach": ("4.8", "6.6", "7.9", "4.1", "3.9"),
        "not_known": (47, "11.4", 1350, "16.1", "3.5"),
        "chi2": "22.05",
    },
    "WWT": {
        "ips": (144, 114, 63, 21, 7),
        "ips_pct": ("41.3", "32.7", "18.1", "6.0", "2.0"),  # Black: erratum, printed 18.0
        "caseload": (900, 805, 259, 61, 167),
        "caseload_pct": ("41.1", "36.7", "11.8", "2.8", "7.6"),  # Mixed: erratum, printed 2.3
        "reach": ("16.0", "14.2", "24.3", "34.4", "4.2"),  # White: erratum, printed 1.6
        "not_known": (18, "4.9", 90, "3.9", "20.0"),
        "chi2": "34.22",
    },
}


# Source: Perkins et al. (2022), Table 2, every printed count, percentage, reach and
# chi-squared (errata beside TABLE2); the statistic and P against scipy.stats
# ``chi2_contingency(table, correction=False)`` on the 2 x 5 table, rel 1e-10.
@pytest.mark.parametrize("service", ["CNWL", "WWT"])
def test_access_reproduces_table_2(service: str) -> None:
    data = perkins2022()
    ref = TABLE2[service]
    res = access_equity(data.ips_ethnicity[service], data.caseload_ethnicity[service])
    assert res.method == "homogeneity"
    assert [g.group for g in res.groups] == list(ETHNICITY)
    assert tuple(g.ips_n for g in res.groups) == ref["ips"]
    assert tuple(g.eligible_n for g in res.groups) == ref["caseload"]
    assert tuple(pct(g.ips_share) for g in res.groups) == ref["ips_pct"]
    assert tuple(pct(g.eligible_share) for g in res.groups) == ref["caseload_pct"]
    assert tuple(pct(g.reach.value if g.reach else None) for g in res.groups) == ref["reach"]
    ips_nk, ips_nk_pct, case_nk, case_nk_pct, reach_nk = ref["not_known"]
    assert (res.ips_missing, res.eligible_missing) == (ips_nk, case_nk)
    assert pct(res.ips_missing_share) == ips_nk_pct
    assert pct(res.eligible_missing_share) == case_nk_pct
    assert res.missing_reach is not None
    assert pct(res.missing_reach.value) == reach_nk
    assert f"{res.test.statistic:.2f}" == ref["chi2"]
    assert res.test.dof == 4
    assert res.test.pvalue < 0.01
    assert res.test.n_excluded == ips_nk + case_nk
    # the statistic is Pearson's on the 2 x 5 table (independent route: scipy)
    expected = stats.chi2_contingency(np.array([ref["ips"], ref["caseload"]]), correction=False)
    assert res.test.statistic == pytest.approx(expected.statistic, rel=1e-10)
    assert res.test.pvalue == pytest.approx(expected.pvalue, rel=1e-10)


# Source: Perkins et al. (2022), in its text: Black/Black British people were 52%
# over-represented in both services (a representation ratio of 1.52, to within 0.015).
def test_access_black_over_represented_in_both_services() -> None:
    # The paper: Black/Black British people were 52% over-represented in both services.
    data = perkins2022()
    for service in ("CNWL", "WWT"):
        res = access_equity(data.ips_ethnicity[service], data.caseload_ethnicity[service])
        black = res.groups[2]
        assert black.representation_ratio.value == pytest.approx(1.52, abs=0.015)
        assert black.flag == "over"
        assert black.adjusted_residual is not None
        assert black.adjusted_residual > 1.96


# Source: scipy.stats ``chisquare(ips, ips.sum() * caseload_share)`` on the CNWL counts of
# Perkins et al. (2022), Table 2, rel 1e-10.
def test_access_goodness_of_fit_takes_caseload_shares_as_known() -> None:
    data = perkins2022()
    res = access_equity(
        data.ips_ethnicity["CNWL"], data.caseload_ethnicity["CNWL"], method="goodness-of-fit"
    )
    ips = np.array(TABLE2["CNWL"]["ips"])
    share = np.array(TABLE2["CNWL"]["caseload"]) / sum(TABLE2["CNWL"]["caseload"])
    ref = stats.chisquare(ips, ips.sum() * share)
    assert res.method == "goodness-of-fit"
    assert res.test.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert res.test.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    ratio = res.groups[0].representation_ratio
    assert ratio.value == pytest.approx((134 / 365) / share[0], rel=1e-12)


def _naive_subset_log_se(a: int, n_a: int, e: int, n_e: int) -> float:
    """Delta method by finite differences over the two independent shares."""
    b, n_b = e - a, n_e - n_a
    p1, p2 = a / n_a, b / n_b

    def log_rr(x: float, y: float) -> float:
        return math.log(x) - math.log((n_a * x + n_b * y) / n_e)

    h = 1e-6
    d1 = (log_rr(p1 + h, p2) - log_rr(p1 - h, p2)) / (2 * h)
    d2 = (log_rr(p1, p2 + h) - log_rr(p1, p2 - h)) / (2 * h)
    return math.sqrt(d1 * d1 * p1 * (1 - p1) / n_a + d2 * d2 * p2 * (1 - p2) / n_b)


# Source: scipy.stats ``chi2_contingency([users, non_users], correction=False)`` on the WWT
# counts of Perkins et al. (2022), Table 2, rel 1e-10; the standard error against the delta
# method by central finite differences (``_naive_subset_log_se`` above), rel 1e-6.
def test_access_subset_tests_users_against_non_users() -> None:
    data = perkins2022()
    ips, case = TABLE2["WWT"]["ips"], TABLE2["WWT"]["caseload"]
    res = access_equity(data.ips_ethnicity["WWT"], data.caseload_ethnicity["WWT"], method="subset")
    non_users = np.array(case) - np.array(ips)
    ref = stats.chi2_contingency(np.array([ips, non_users]), correction=False)
    assert res.test.statistic == pytest.approx(ref.statistic, rel=1e-10)
    for k, group in enumerate(res.groups):
        ratio = group.representation_ratio
        assert ratio.value == pytest.approx((ips[k] / sum(ips)) / (case[k] / sum(case)))
        se = _naive_subset_log_se(ips[k], sum(ips), case[k], sum(case))
        assert ratio.std_err == pytest.approx(se, rel=1e-6)  # finite differences: ~1e-9
        assert ratio.lower is not None
        assert ratio.upper is not None
        assert ratio.value is not None
        assert math.log(ratio.upper / ratio.value) == pytest.approx(1.959963984540054 * se, 1e-6)


# Printed in Perkins et al. (2022), Table 3: per ethnic group "jobs (%)", and chi-squared, P
# per service and in total. Six-month denominators are not printed; the only counts that
# reproduce the printed percentages and tests are CNWL 46/20/20/15/26, WWT 63/33/22/9/1.
# Errata: total "all" P printed 0.84 (the counts give 0.833); CNWL six-month chi-squared
# printed 5.66 (the counts give 5.667) and its P printed 0.22 (the counts give 0.225): both
# truncated rather than rounded.
TABLE3: dict[str, dict[str, Any]] = {
    "all": {
        "CNWL": ((47, 35, 23, 15, 21), ("35.1", "45.5", "35.9", "39.5", "40.4"), 2.50, 0.64),
        "WWT": ((46, 37, 18, 5, 1), ("31.9", "32.5", "28.6", "23.8", "14.3"), 1.76, 0.78),
        "total": ((93, 72, 41, 20, 22), ("33.5", "37.7", "32.3", "33.9", "37.3"), 1.46, 0.84),
    },
    "six": {
        "CNWL": ((18, 8, 6, 10, 13), ("39.1", "40.0", "30.0", "66.7", "50.0"), 5.66, 0.22),
        "WWT": ((29, 13, 10, 2, 0), ("46.0", "39.4", "45.5", "22.2", "0.0"), 2.78, 0.59),
        "total": ((47, 21, 16, 12, 13), ("43.1", "39.6", "38.1", "50.0", "48.1"), 1.43, 0.84),
    },
}

ERRATA = {
    ("all", "total", "p"): 0.83,
    ("six", "CNWL", "chi2"): 5.67,
    ("six", "CNWL", "p"): 0.23,
}


# Source: Perkins et al. (2022), Table 3, chi-squared and P per service and in total (all
# people and six months' support), to the printed two decimals, errata in ERRATA.
@pytest.mark.parametrize("window", ["all", "six"])
def test_outcome_reproduces_table_3(window: str) -> None:
    res = outcome_equity(_by_service(window), "ethnicity")
    tests = {"total": _overall(res), "CNWL": res.stratum_tests[0], "WWT": res.stratum_tests[1]}
    assert [t.label for t in res.stratum_tests] == ["service = CNWL", "service = WWT"]
    for where, (jobs, percents, chi2, p) in TABLE3[window].items():
        test = tests[where]
        assert test.asymptotic is not None
        printed_chi2 = ERRATA.get((window, where, "chi2"), chi2)
        printed_p = ERRATA.get((window, where, "p"), p)
        assert round(test.asymptotic.statistic, 2) == pytest.approx(printed_chi2, abs=1e-9)
        assert round(test.asymptotic.pvalue, 2) == pytest.approx(printed_p, abs=1e-9)
        if (window, where, "chi2") in ERRATA:  # the printed value is the truncated one
            assert math.floor(100 * test.asymptotic.statistic) / 100 == chi2
            assert math.floor(100 * test.asymptotic.pvalue) / 100 == p
        assert test.asymptotic.dof == 4
        if where == "total":
            assert tuple(g.jobs for g in res.groups) == jobs
            assert tuple(pct(g.rate.value) for g in res.groups) == percents


# Source: Perkins et al. (2022), Table 3, "jobs (%)" per ethnic group in each service.
def test_outcome_per_service_groups() -> None:
    data = perkins2022()
    for window, tables in (("all", data.jobs_all), ("six", data.jobs_six_month)):
        for service in ("CNWL", "WWT"):
            res = outcome_equity(tables[service], "ethnicity")
            jobs, percents, _, _ = TABLE3[window][service]
            assert tuple(g.jobs for g in res.groups) == jobs
            assert tuple(pct(g.rate.value) for g in res.groups) == percents
            assert len(res.tests) == 1
            assert _overall(res).adjusted_pvalue == _overall(res).result.pvalue


# Source: lifelines ``KaplanMeierFitter().fit(durations, events).median_survival_time_``,
# rel 1e-12.
def test_duration_against_lifelines_median() -> None:
    lifelines = pytest.importorskip("lifelines")
    cohort = _cohort()
    res = duration_equity(cohort, "group")
    d = cohort.time_to_job()
    mask = cohort.to_columns()["group"] == res.groups[0].group
    fitter = lifelines.KaplanMeierFitter().fit(d.durations[mask], d.events[mask])
    median = fitter.median_survival_time_
    value = res.groups[0].median.value
    assert (value is None and math.isinf(median)) or value == pytest.approx(median, rel=1e-12)


# ==== Mantel-Haenszel comparisons: R's epiR ==================================================

# R 4.2.2, epiR 2.0.57 (GROUP_EVENTS, GROUP_N, REF_EVENTS, REF_N and RR_MH are in
# tests/equity/test_adjusted.py):
#   a <- c(12, 1, 7); n1 <- c(20, 10, 15); c0 <- c(20, 5, 30); n0 <- c(50, 50, 45)
#   dat <- array(0, dim = c(2, 2, 3))
#   for (k in 1:3) dat[, , k] <- matrix(c(a[k], c0[k], n1[k] - a[k], n0[k] - c0[k]), 2, 2)
#   epi.2by2(dat, method = "cohort.count", conf.level = 0.95)$massoc.detail
#   -> RR.mh.wald (RR_MH) and ARisk.mh.sato / 100 (RD_SATO)
RD_SATO = (0.017926186291739896, -0.13914234694122182, 0.17499471952470159)
RR_MH_90 = (0.76551529642179894, 1.4216680982795846)  # conf.level = 0.9
RD_SATO_90 = (-0.11388988206770659, 0.14974225465118638)
# A zero cell: a <- c(0, 3, 5); n1 <- c(8, 12, 30); c0 <- c(4, 2, 10); n0 <- c(40, 25, 33)
RR_MH_ZERO = (0.76450656501482439, 0.35152447641226675, 1.6626730915468348)
RD_SATO_ZERO = (-0.046939636977627694, -0.17906286642426828, 0.085183592469012908)


def limits(estimate: object) -> tuple[float, float, float]:
    return (estimate.value, estimate.lower, estimate.upper)  # type: ignore[attr-defined]


# Source: R 4.2.2 ``epiR::epi.2by2(dat, method = "cohort.count")$massoc.detail`` (epiR
# 2.0.57), ``RR.mh.wald`` and ``ARisk.mh.sato``, at conf.level 0.95 and 0.9, rel 1e-12.
def test_mantel_haenszel_matches_epir() -> None:
    res = mantel_haenszel_comparison(
        [REF_EVENTS, GROUP_EVENTS], [REF_N, GROUP_N], groups=["ref", "g"]
    )
    assert res.reference == "ref"
    group = res.groups[1]
    assert limits(group.risk_ratio) == pytest.approx(RR_MH, rel=1e-12)
    assert limits(group.risk_difference) == pytest.approx(RD_SATO, rel=1e-12)
    rr_90 = known(group.risk_ratio).confidence_interval(0.9)
    assert rr_90 == pytest.approx(RR_MH_90, rel=1e-12)
    assert known(group.risk_difference).confidence_interval(0.9) == pytest.approx(
        RD_SATO_90, rel=1e-12
    )
    assert (
        known(group.risk_ratio).method == known(group.risk_difference).method == "mantel-haenszel"
    )


# Source: the same epiR call on the table with a zero cell (RR_MH_ZERO, RD_SATO_ZERO).
def test_mantel_haenszel_with_a_zero_cell_matches_epir() -> None:
    res = mantel_haenszel_comparison(
        [[4, 2, 10], [0, 3, 5]], [[40, 25, 33], [8, 12, 30]], groups=["ref", "g"], reference="ref"
    )
    group = res.groups[1]
    assert limits(group.risk_ratio) == pytest.approx(RR_MH_ZERO, rel=1e-12)
    assert limits(group.risk_difference) == pytest.approx(RD_SATO_ZERO, rel=1e-12)


# ==== funnel plots: R ========================================================================

# R 4.2.2 (X and N, five teams' events and people, are in tests/equity/test_funnel.py):
#   lim_binom <- function(p, n, theta) { r <- qbinom(p, n, theta)
#     a <- (pbinom(r, n, theta) - p) / dbinom(r, n, theta); pmax((r - a) / n, 0) }
#   lim_pois <- function(p, e, theta) { r <- qpois(p, e * theta)
#     a <- (ppois(r, e * theta) - p) / dpois(r, e * theta); pmax((r - a) / e, 0) }
#   x <- c(12, 30, 9, 40, 5); n <- c(40, 60, 30, 70, 35); theta <- sum(x) / sum(n)
BINOM = {  # lim_binom(p, n, theta)
    0.025: [0.24580518316009808, 0.27675250211988600, 0.21724801542125169,
            0.28746481740151825, 0.23348077940083778],
    0.975: [0.54970187943692594, 0.52653676283737649, 0.57020804986415563,
            0.51796351143836172, 0.56071845743588389],
    0.001: [0.16395974108124614, 0.20925168371701555, 0.12874505113886148,
            0.22450052891925085, 0.14780696933873549],
    0.999: [0.64134246114697291, 0.59881593727838733, 0.67380497167927145,
            0.58506506997518981, 0.65468147950942068],
}  # fmt: skip
OBSERVED = [32, 42, 70, 66, 39, 3]
EXPECTED = [36.5, 41.9, 62.6, 61.2, 46.7, 2.1]
POISSON = {  # lim_pois(p, e, 1)
    0.025: [0.67452116281376873, 0.69658549838779626, 0.75203850762481217,
            0.74910942567132288, 0.71248173413902838, 0.0],
    0.975: [1.3238914418556071, 1.3024401878092622, 1.2471068062870363,
            1.2502727574902506, 1.2859044205096082, 2.3289548068801547],
    0.001: [0.51529913966031127, 0.54617067966810540, 0.62490841874016889,
            0.62118734316224078, 0.56798949490814998, 0.0],
    0.999: [1.5349902189181353, 1.4987196421577289, 1.4046383656232684,
            1.4097392458108398, 1.4715219651350204, 3.5348113079366148],
}  # fmt: skip
# Multiplicative, R:
#   z <- (x/n - theta) / sqrt(theta * (1 - theta) / n)
#   q <- quantile(z, c(0.1, 0.9), type = 7); zw <- pmin(pmax(z, q[1]), q[2]); phi <- mean(zw^2)
#   pchisq(length(z) * phi, length(z) - 1, lower.tail = FALSE)
#   h <- qnorm(1 - (1 - lv)/2) * sqrt(max(phi, 1) * theta * (1 - theta) / n)
PHI, PHI_P = 3.3287320091854204, 0.0022666074991029403
MULT = {
    0.95: ([0.13058240558683953, 0.18158318654602865, 0.08758675835564883,
            0.19841664227584957, 0.11139285975036861],
           [0.68643887100890510, 0.63543809004971596, 0.72943451824009586,
            0.61860463431989510, 0.70562841684537603]),
    0.998: ([0.0, 0.050719093100448753, 0.0, 0.077260034225418273, 0.0],
            [0.84671399830568883, 0.76630218349529589, 0.91450429401849487,
             0.73976124237032637, 0.87696973512141729]),
}  # fmt: skip
# Additive (arcsine scale), R:
#   t0 <- asin(sqrt(theta)); zt <- (asin(sqrt(x/n)) - t0) * 2 * sqrt(n)
#   (winsorised as above) w <- 4*n
#   tau2 <- max(0, (length(zt)*phi - (length(zt)-1)) / (sum(w) - sum(w^2)/sum(w)))
#   h <- qnorm(1 - (1 - lv)/2) * sqrt(1/(4*n) + tau2)
#   c(sin(pmax(t0 - h, 0))^2, sin(pmin(t0 + h, pi/2))^2)
ADD_PHI, ADD_TAU2 = 3.6194600120630014, 0.01926084601263969
ADD = {
    0.95: ([0.13781818734380072, 0.14694072678730757, 0.12929330693357938,
            0.14966703769234954, 0.13409533881493324],
           [0.71391017990592898, 0.70203897825718609, 0.72516870048238591,
            0.69852456933211615, 0.71880642510411430]),
    0.998: ([0.039397477965044628, 0.047793819407957426, 0.032071534577207843,
             0.050407044179021927, 0.036133489169151968],
            [0.85976852200815890, 0.84517381609022679, 0.87320535249553166,
             0.84077346232688421, 0.86566213218668819]),
}  # fmt: skip
# SHMI-style ratios on the square-root scale, R:
#   o <- c(120, 95, 210, 60, 150, 80, 300, 45); e <- c(100, 110, 180, 70, 140, 60, 310, 50)
#   zt <- 2 * (sqrt(o) - sqrt(e)); (winsorised, tau2 as above with w <- 4*e)
#   h <- qnorm(1 - (1 - lv)/2) * sqrt(1/(4*e) + tau2); c(pmax(1 - h, 0)^2, (1 + h)^2)
SHMI_O = [120, 95, 210, 60, 150, 80, 300, 45]
SHMI_E = [100, 110, 180, 70, 140, 60, 310, 50]
SHMI_PHI, SHMI_TAU2 = 2.2528669255812086, 0.0032714717506816403
SHMI_95 = (
    [0.72437314733268832, 0.72942241251030038, 0.75030151109332199, 0.70202312454911420,
     0.74066562661430746, 0.69050051480945251, 0.76534398360130762, 0.67526635205727115],
    [1.3199685947973976, 1.3131732119740154, 1.2855036558796658, 1.3505503150538876,
     1.2981883172005009, 1.3666460900562805, 1.2659863657490078, 1.3882826841762852],
)  # fmt: skip


def unit_limits(res: Funnel, k: int) -> tuple[list[float], list[float]]:
    return [u.lower[k] for u in res.units], [u.upper[k] for u in res.units]


# Source: R 4.2.2 ``lim_binom`` (``qbinom``/``pbinom``/``dbinom``) above, rel 1e-12.
def test_exact_binomial_limits_match_r() -> None:
    res = funnel(X, N)
    assert res.target == pytest.approx(96 / 235, rel=1e-15)
    assert res.method == "exact-binomial"
    for k, (low, high) in enumerate(((0.025, 0.975), (0.001, 0.999))):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(BINOM[low], rel=1e-12)
        assert upper == pytest.approx(BINOM[high], rel=1e-12)


# Source: R 4.2.2 ``lim_pois`` (``qpois``/``ppois``/``dpois``) above, rel 1e-12.
def test_exact_poisson_limits_match_r() -> None:
    res = funnel(OBSERVED, EXPECTED, kind="ratio", target=1.0)
    assert res.method == "exact-poisson"
    for k, (low, high) in enumerate(((0.025, 0.975), (0.001, 0.999))):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(POISSON[low], rel=1e-12, abs=1e-15)
        assert upper == pytest.approx(POISSON[high], rel=1e-12)
    # a rate is the same distribution: events over person-time
    rate = funnel(OBSERVED, EXPECTED, kind="rate", target=1.0)
    assert unit_limits(rate, 1) == unit_limits(res, 1)


# Source: the multiplicative R computation above (``quantile(type = 7)``, ``pchisq``,
# ``qnorm``), rel 1e-12.
def test_multiplicative_overdispersion_matches_r() -> None:
    res = funnel(X, N, overdispersion="multiplicative")
    assert res.phi == pytest.approx(PHI, rel=1e-12)
    assert res.phi_used == res.phi
    assert res.dispersion_test is not None
    assert res.dispersion_test.statistic == pytest.approx(5 * PHI, rel=1e-12)
    assert res.dispersion_test.dof == 4
    assert res.dispersion_test.pvalue == pytest.approx(PHI_P, rel=1e-10)
    for k, level in enumerate((0.95, 0.998)):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(MULT[level][0], rel=1e-12, abs=1e-15)
        assert upper == pytest.approx(MULT[level][1], rel=1e-12)
    assert res.tau2 is None
    assert res.method == "normal-phi"


# Source: the additive (arcsine, DerSimonian-Laird) R computation above, rel 1e-12.
def test_additive_overdispersion_matches_r() -> None:
    res = funnel(X, N, overdispersion="additive")
    assert res.phi == pytest.approx(ADD_PHI, rel=1e-12)
    assert res.tau2 == pytest.approx(ADD_TAU2, rel=1e-12)
    assert res.phi_used is None
    for k, level in enumerate((0.95, 0.998)):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(ADD[level][0], rel=1e-12)
        assert upper == pytest.approx(ADD[level][1], rel=1e-12)
    assert res.method == "random-effects-arcsine"


# Source: the SHMI-style square-root R computation above, rel 1e-12.
def test_shmi_style_ratio_limits_match_r() -> None:
    res = funnel(SHMI_O, SHMI_E, kind="ratio", target=1.0, overdispersion="additive")
    assert res.phi == pytest.approx(SHMI_PHI, rel=1e-12)
    assert res.tau2 == pytest.approx(SHMI_TAU2, rel=1e-12)
    lower, upper = unit_limits(res, 0)
    assert lower == pytest.approx(SHMI_95[0], rel=1e-12)
    assert upper == pytest.approx(SHMI_95[1], rel=1e-12)
    assert res.dispersion_test is not None
    assert res.dispersion_test.dof == 8  # the target was given
    # the z-scores are the SHMI's 2 (sqrt(O) - sqrt(E))
    z = [u.z for u in res.units]
    assert z == pytest.approx(
        [2 * (math.sqrt(o) - math.sqrt(e)) for o, e in zip(SHMI_O, SHMI_E, strict=True)]
    )


# ==== slope, relative and concentration indices: R and statsmodels ===========================

# PHEindicatormethods' ``phe_sii`` documentation example, second area (the first, LE1,
# POP1 and SE1, is in tests/equity/test_inequality.py, as are JOBS and USERS).
LE2 = [70.5, 71.6, 72.5, 73.5, 73.1, 76.2, 78.7, 80.6, 80.9, 80]
POP2 = [21675, 20065, 19750, 24713, 20112, 19618, 22408, 19752, 18939, 19312]
SE2 = [0.23, 0.26, 0.3, 0.16, 0.79, 0.78, 0.4, 0.28, 0.23, 0.35]
# R: fitsii <- function(y, p) { a <- p/sum(p); b <- cumsum(a) - a/2; sa <- sqrt(a)
#      cf <- coef(lm(I(y*sa) ~ sa + I(b*sa) - 1)); c(cf[2], (cf[1] + cf[2])/cf[1]) }
SII_RII_1 = (7.0002347600798958, 1.0897097049119413)  # fitsii(y1, p1)
SII_RII_2 = (12.6227385636316480, 1.1820343480014959)  # fitsii(y2, p2)
SII_RII_P = (0.39574090401365503, 2.88589000396227391)  # fitsii(x/n, n)


# Source: R 4.2.2 ``lm`` through ``fitsii`` above on the ``phe_sii`` example, rel 1e-12.
@pytest.mark.parametrize(
    ("values", "pop", "se", "expected"),
    [(LE1, POP1, SE1, SII_RII_1), (LE2, POP2, SE2, SII_RII_2)],
)
def test_sii_and_rii_match_the_ohid_regression_in_r(
    values: list[float], pop: list[int], se: list[float], expected: tuple[float, float]
) -> None:
    for method in ("analytic", "simulation"):
        res = slope_index(
            values,
            pop,
            std_err=se,
            method=method,
            n_simulations=1000,
            rng=3,
        )
        assert res.sii.value == pytest.approx(expected[0], rel=1e-12)
        assert res.rii.value == pytest.approx(expected[1], rel=1e-12)


# Source: R 4.2.2 ``fitsii(x/n, n)`` above on JOBS of USERS, rel 1e-12.
def test_proportion_sii_matches_the_regression_in_r() -> None:
    res = proportion_inequality(JOBS, USERS, method="analytic")
    assert (res.slope.sii.value, res.slope.rii.value) == pytest.approx(SII_RII_P, rel=1e-12)


# Source: numpy linear algebra (``wls_sandwich``, the weighted least squares and its exact
# variance) and statsmodels ``WLS(values, add_constant(ranks), weights=a).fit().params``.
@given(
    hnp.arrays(np.float64, 6, elements=st.floats(1.0, 100.0)),
    hnp.arrays(np.float64, 6, elements=st.floats(10.0, 1e5)),
    hnp.arrays(np.float64, 6, elements=st.floats(0.01, 5.0)),
)
def test_analytic_sii_meets_linear_algebra(
    values: np.ndarray, pop: np.ndarray, se: np.ndarray
) -> None:
    res = slope_index(values, pop, std_err=se, method="analytic")
    beta, cov = wls_sandwich(values, pop, se**2)
    assert res.sii.value == pytest.approx(beta[1], rel=1e-9, abs=1e-9)
    assert res.sii.std_err == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-9)
    fitted = beta[0] + beta[1] * res.ranks
    assert res.fitted == pytest.approx(fitted, rel=1e-9, abs=1e-9)
    # statsmodels' weighted least squares agrees on the coefficients
    wls = sm.WLS(values, sm.add_constant(res.ranks), weights=pop / pop.sum()).fit()
    assert wls.params == pytest.approx(beta, rel=1e-8, abs=1e-8)


def convenient_regression(events: list[int], population: list[int]) -> float:
    """C from the OLS of 2 var(R) y / mu on the fractional rank R, person by person."""
    y = np.concatenate(
        [np.r_[np.ones(k), np.zeros(n - k)] for k, n in zip(events, population, strict=True)]
    )
    shares = np.array(population) / sum(population)
    midpoints = np.cumsum(shares) - shares / 2
    ranks = np.repeat(midpoints, population)
    lhs = 2 * ranks.var() * y / y.mean()
    fit = sm.OLS(lhs, sm.add_constant(ranks)).fit()
    return float(fit.params[1])


# Source: statsmodels ``OLS`` "convenient regression" on person-level data (O'Donnell et
# al. 2008, chapter 8; ``convenient_regression`` above), rel 1e-10.
def test_concentration_index_meets_the_convenient_regression() -> None:
    res = concentration_index(JOBS, USERS)
    assert res.index.value == pytest.approx(convenient_regression(JOBS, USERS), rel=1e-10)
    assert res.curve[-1] == pytest.approx(1.0, rel=1e-15)
    assert res.index.method == "kakwani"


# Source: the statsmodels convenient regression above on random groups, rel 1e-9.
@given(hnp.arrays(np.int64, st.integers(2, 7), elements=st.integers(1, 60)), st.data())
def test_concentration_index_meets_the_regression_on_random_groups(
    population: np.ndarray, data: st.DataObject
) -> None:
    events = np.array([data.draw(st.integers(0, int(n))) for n in population])
    if events.sum() == 0:
        events[0] = 1
    res = concentration_index(events, population)
    assert res.index.value == pytest.approx(
        convenient_regression(events.tolist(), population.tolist()), rel=1e-9, abs=1e-12
    )
    assert -1 <= num(res.index.value) <= 1
    reverse = concentration_index(events[::-1], population[::-1])
    assert reverse.index.value == pytest.approx(-num(res.index.value), rel=1e-9, abs=1e-12)


# ==== direct and indirect standardisation: Fay and Feuer (1997), OHID, R =====================

# Fleiss (1981) p. 249 (BIRTHS, CASES and STANDARD, as in epitools' documentation, are in
# tests/equity/test_standardise.py); the R calls below take them as ``population``,
# ``count`` and ``standard``.
# Fay and Feuer (1997), Table 1: DSR per 100 000 and gamma 95% interval, birth order 1-5+.
FAY_FEUER_TABLE1 = [
    (92.3, 80.4, 105.8),
    (91.2, 82.4, 100.9),
    (85.1, 77.2, 94.2),
    (92.7, 80.0, 114.7),
    (75.5, 67.7, 188.3),
]
# R: ageadjust.direct(count[,j], population[,j], stdpop=standard) -> adj.rate, lci, uci
EPITOOLS_DIRECT = [
    (0.00092304525533199453, 0.00080441749850704248, 0.00105763345749261182),
    (0.00091174116834664086, 0.00082361211652004431, 0.00100867576317251032),
    (0.00085069221338301949, 0.00077183453402721567, 0.00094223569832206536),
    (0.00092717865055199765, 0.00080009992755399322, 0.00114669444822584443),
    (0.00075529007445256796, 0.00067702120417646684, 0.00188300172727775845),
]
# R: the same with conf.level = 0.99 -> lci, uci
EPITOOLS_DIRECT_99 = [
    (0.00076977192453490137, 0.00110044907827979615),
    (0.00079737251537550353, 0.00103937063526893074),
    (0.00074830035425442335, 0.00096995106454755256),
    (0.00076318299139468634, 0.00120478285396796139),
    (0.00065381384222984223, 0.00220442978440683803),
]
# Dobson's method by hand in R:
#   dob <- function(x, n, std, conf=0.95, lim="exact") {
#     w <- std/sum(std)/n; y <- sum(w*x); v <- sum(w^2*x); X <- sum(x)
#     if (lim == "exact") ci <- poisson.test(X, conf.level=conf)$conf.int
#     else { z <- qnorm(1-(1-conf)/2)
#            ci <- c(X*(1-1/(9*X)-z/(3*sqrt(X)))^3, (X+1)*(1-1/(9*(X+1))+z/(3*sqrt(X+1)))^3) }
#     c(y, y + sqrt(v/X)*(ci - X)) }
DOBSON_EXACT = [  # dob(count[,j], population[,j], standard)
    (0.00080329480832003316, 0.00105187005529162685),
    (0.00082337285577510860, 0.00100622887504540470),
    (0.00077173501780106006, 0.00093521210540614404),
    (0.00079858517508079479, 0.00106550429138432151),
    (0.00067632835258305002, 0.00083867031743518092),
]
DOBSON_BYAR = [  # dob(count[,j], population[,j], standard, lim="byar")
    (0.00080329221419484409, 0.00105187209208417484),
    (0.00082337126336809051, 0.00100623015100612264),
    (0.00077173354402707472, 0.00093521328188590021),
    (0.00079858239656903319, 0.00106550647359692613),
    (0.00067632743122689567, 0.00083867108708542441),
]
DOBSON_EXACT_998 = [  # dob(count[,j], population[,j], standard, conf=0.998)
    (0.00073834428133088799, 0.00112863780093169189),
    (0.00077519048858698406, 0.00106238677683356039),
    (0.00072872577165616502, 0.00098547024668423078),
    (0.00072883297345550490, 0.00114793050822780264),
    (0.00063281061201311893, 0.00088795635932291265),
]
# R: poisson.test(sum(count[,j]), sum(population[,j]))$conf.int
CRUDE_EXACT = [
    (0.00051037236050239338, 0.00062060172189910823),
    (0.00061764427096171323, 0.00073880809279181110),
    (0.00075996664656274198, 0.00091181122176176629),
    (0.0010458373860554111, 0.0012714106243852104),
    (0.0015528895983459954, 0.0017960112618821047),
]


# Source: Fay and Feuer (1997), Table 1, to the printed one decimal per 100 000.
def test_fay_feuer_reproduces_the_published_table() -> None:
    res = direct_standardise(CASES, BIRTHS, STANDARD, method="fay-feuer")
    for group, (value, low, high) in zip(res.groups, FAY_FEUER_TABLE1, strict=True):
        assert f"{1e5 * num(group.rate.value):.1f}" == f"{value:.1f}"
        lo, hi = both(group.rate)
        assert (f"{1e5 * lo:.1f}", f"{1e5 * hi:.1f}") == (f"{low:.1f}", f"{high:.1f}")


# Source: R 4.2.2 ``epitools::ageadjust.direct`` (epitools 0.5-10.1), conf.level 0.95 and
# 0.99, rel 1e-10.
def test_fay_feuer_matches_epitools_at_full_precision() -> None:
    res = direct_standardise(CASES, BIRTHS, STANDARD, method="fay-feuer")
    for group, (value, low, high) in zip(res.groups, EPITOOLS_DIRECT, strict=True):
        assert group.rate.value == pytest.approx(value, rel=1e-12)
        assert both(group.rate) == pytest.approx((low, high), rel=1e-10)
        assert group.rate.method == "fay-feuer"
    for group, (low, high) in zip(res.groups, EPITOOLS_DIRECT_99, strict=True):
        assert group.rate.confidence_interval(0.99) == pytest.approx((low, high), rel=1e-10)


# Source: Dobson's method by hand in R 4.2.2 (``dob`` above, with ``poisson.test`` or
# Byar's limits), rel 1e-10.
@pytest.mark.parametrize(
    ("limits", "level", "reference"),
    [
        ("exact", 0.95, DOBSON_EXACT),
        ("byar", 0.95, DOBSON_BYAR),
        ("exact", 0.998, DOBSON_EXACT_998),
    ],
)
def test_dobson_matches_the_hand_computation_in_r(
    limits: str, level: float, reference: list[tuple[float, float]]
) -> None:
    res = direct_standardise(
        CASES,
        BIRTHS,
        STANDARD,
        count_limits=limits,  # type: ignore[arg-type]  # a Literal, from parametrize
        confidence_level=level,
    )
    for group, expected in zip(res.groups, reference, strict=True):
        assert both(group.rate) == pytest.approx(expected, rel=1e-10)
        assert group.rate.method == f"dobson-{limits}"


# The OHID's DSR vignette (PHEindicatormethods, "DSR-vignette", 2018): a small area with
# no deaths in three age bands, standardised to the 2013 European Standard Population;
# ``phe_dsr(df3, dths, pop)`` prints 8283.016, 6570.819, 10289.65 per 100 000 (Dobson's
# method with Byar's limits for the total count).
ESP2013 = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000,
           5500, 5000, 4000, 2500, 1500, 1000]  # fmt: skip
VIGNETTE_POP = [30, 35, 35, 35, 40, 40, 45, 50, 50, 50, 60, 60, 70, 75, 70, 60, 20, 20, 15]
VIGNETTE_DEATHS = [1, 1, 0, 0, 0, 1, 1, 3, 3, 3, 3, 10, 10, 10, 10, 8, 8, 8, 8]


# Source: PHEindicatormethods' DSR vignette (2018), ``phe_dsr(df3, dths, pop)``, to the
# printed digits.
def test_dobson_byar_reproduces_the_ohid_vignette() -> None:
    res = direct_standardise(VIGNETTE_DEATHS, VIGNETTE_POP, ESP2013, count_limits="byar")
    rate = res.groups[0].rate
    assert f"{1e5 * num(rate.value):.3f}" == "8283.016"
    low, high = both(rate)
    assert (f"{1e5 * low:.3f}", f"{1e5 * high:.2f}") == ("6570.819", "10289.65")
    assert res.groups[0].events == 88


# Source: R 4.2.2 ``poisson.test(sum(count[,j]), sum(population[,j]))$conf.int``, rel 1e-10.
def test_crude_rates_have_the_exact_poisson_interval() -> None:
    res = direct_standardise(CASES, BIRTHS, STANDARD)
    for group, expected, cases, births in zip(res.groups, CRUDE_EXACT, CASES, BIRTHS, strict=True):
        assert group.events == cases.sum()
        assert group.population == births.sum()
        assert group.crude_rate.value == pytest.approx(cases.sum() / births.sum(), rel=1e-14)
        assert both(group.crude_rate) == pytest.approx(expected, rel=1e-10)


# Source: R 4.2.2 ``qgamma(0.975, shape = 1, scale = 0.05)`` (written beside the number).
def test_no_events_gives_a_zero_rate_with_limits_per_method() -> None:
    dobson = direct_standardise([0, 0], [10, 20], [1, 1]).groups[0].rate
    assert (dobson.value, dobson.lower, dobson.upper) == (0.0, 0.0, None)
    assert "fay-feuer" in dobson.note
    gamma = direct_standardise([0, 0], [10, 20], [1, 1], method="fay-feuer").groups[0].rate
    # R: qgamma(0.975, shape = 1, scale = max(c(0.5, 0.5) / c(10, 20))) = -0.05*log(0.025)
    assert gamma.value == 0.0
    assert gamma.lower == 0.0
    assert gamma.upper == pytest.approx(-0.05 * math.log(0.025), rel=1e-12)


# Selvin (2004), US deaths by age band in 1940 against 1960 rates (epitools' example).
DTH60 = [141, 926, 1253, 1080, 1869, 4891, 14956, 30888, 41725, 26501, 5928]
POP60 = [1784033, 7065148, 15658730, 10482916, 9939972, 10563872, 9114202, 6850263,
         4702482, 1874619, 330915]  # fmt: skip
DTH40 = [45, 201, 320, 670, 1126, 3160, 9723, 17935, 22179, 13461, 2238]
POP40 = [906897, 3794573, 10003544, 10629526, 9465330, 8249558, 7294330, 5022499,
         2920220, 1019504, 142532]  # fmt: skip


# Source: R 4.2.2 ``epitools::ageadjust.indirect(count = dth40, pop = pop40, stdcount =
# dth60, stdpop = pop60)$sir`` (epitools 0.5-10.1), conf.level 0.95 and 0.9, rel 1e-12.
def test_indirect_matches_epitools_ageadjust_indirect() -> None:
    rates = np.array(DTH60) / np.array(POP60)
    res = indirect_standardise(DTH40, POP40, rates, method="wald-log")
    group = res.groups[0]
    # R: ageadjust.indirect(count=dth40, pop=pop40, stdcount=dth60, stdpop=pop60)$sir
    assert group.observed == 71058
    assert group.expected == pytest.approx(85556.888844525689, rel=1e-12)
    assert group.ratio.value == pytest.approx(0.83053510897441440, rel=1e-12)
    assert both(group.ratio) == pytest.approx(
        (0.82445090204755889, 0.83666421557187121), rel=1e-12
    )
    # the same with conf.level = 0.9
    assert group.ratio.confidence_interval(0.9) == pytest.approx(
        (0.82542606614257796, 0.83567577464895992), rel=1e-12
    )
    assert res.reference == "given"
    assert group.crude_ratio is None


# Source: R 4.2.2 ``poisson.test(71058, e)$conf.int`` (written beside the numbers).
def test_indirect_exact_interval_is_poisson_test() -> None:
    rates = np.array(DTH60) / np.array(POP60)
    res = indirect_standardise(DTH40, POP40, rates)
    # R: e <- sum(pop40 * dth60/pop60); poisson.test(71058, e)$conf.int
    assert both(res.groups[0].ratio) == pytest.approx(
        (0.82443958520882232, 0.83666450470870557), rel=1e-10
    )


# Source: ``epiR::epi.indirectadj`` documentation, example 2 (epiR 2.0.57), and R 4.2.2
# ``poisson.test`` (written beside the numbers).
def test_indirect_matches_epir_epi_indirectadj() -> None:
    # epiR::epi.indirectadj documentation, example 2 (Dohoo, Martin and Stryhn 2009):
    # obs A 58, B 130; herds (beef, dairy) A 550, 450, B 500, 1500; standard risks 0.025,
    # 0.085 -> smr.strata obs, exp, est = 58, 52, 1.1153846153846154; 130, 140,
    # 0.9285714285714286 (its limits use qpois quantiles, not an exact interval).
    res = indirect_standardise(
        [[58, 0], [130, 0]], [[550, 450], [500, 1500]], [0.025, 0.085], groups=["A", "B"]
    )
    a, b = res.groups
    assert (a.observed, b.observed) == (58, 130)
    assert a.expected == pytest.approx(52.0, rel=1e-14)
    assert b.expected == pytest.approx(140.0, rel=1e-14)
    assert a.ratio.value == pytest.approx(1.1153846153846154, rel=1e-14)
    assert b.ratio.value == pytest.approx(0.9285714285714286, rel=1e-14)
    # R: poisson.test(58, 52)$conf.int; poisson.test(130, 140)$conf.int;
    #    poisson.test(58, 52, conf.level = 0.99)$conf.int
    assert both(a.ratio) == pytest.approx((0.84695830154326468, 1.44189326432104914), rel=1e-10)
    assert both(b.ratio) == pytest.approx((0.7758189907044577, 1.1026031677591213), rel=1e-10)
    assert a.ratio.confidence_interval(0.99) == pytest.approx(
        (0.77425137225829133, 1.55109701162546587), rel=1e-10
    )


# Source: R 4.2.2 ``poisson.test(0, 3.5)$conf.int`` (written beside the number).
def test_zero_observed_has_an_exact_upper_limit() -> None:
    res = indirect_standardise([0], [35.0], [0.1])
    ratio = res.groups[0].ratio
    # R: poisson.test(0, 3.5)$conf.int -> 0, 1.0539655583182672
    assert (ratio.value, ratio.lower) == (0.0, 0.0)
    assert ratio.upper == pytest.approx(1.0539655583182672, rel=1e-10)
    wald = indirect_standardise([0], [35.0], [0.1], method="wald-log").groups[0].ratio
    assert (wald.value, wald.lower, wald.upper) == (0.0, None, None)
    assert "log-scale" in wald.note


# ==== pooled site analysis: R, live ==========================================================


# R 4.x, on the synthetic cohort (ipsstats.datasets.synthetic_cohort(), written with
# Cohort.to_csv and read into R as `d`, with job = !is.na(job_start) and
# time = job_start - accessed, or discharged - accessed, or 2024-02-27 - accessed):
#   mantelhaen.test(table(d$gender, d$job, d$team), correct = FALSE)
#     Mantel-Haenszel X-squared = 0.0057530591... (checked live below when R is present)
#   survdiff(Surv(time, job) ~ gender + strata(team), data = d)
# The live check computes both in R and compares at 1e-10.
def test_against_r_when_present(tmp_path: Any) -> None:
    import shutil  # noqa: PLC0415  # only this test needs it
    import subprocess  # noqa: PLC0415  # only this test needs it

    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (Rscript not found)")
    cohort = _synthetic()
    pooled = combine_sites(_split(cohort, ["gender"], study_end=STUDY_END))
    data = cohort.time_to_job()
    frame = tmp_path / "d.csv"
    gender, team = _labels(data.group("gender")), _labels(data.group("site"))
    job = cohort.job_by().codes == 0
    rows = ["time,event,gender,team,job"]
    rows += [
        f"{t},{int(e)},{g or 'NA'},{s},{int(j)}"
        for t, e, g, s, j in zip(data.durations, data.events, gender, team, job, strict=True)
    ]
    frame.write_text("\n".join(rows) + "\n", encoding="utf-8")
    script = (
        "suppressMessages(library(survival));"
        f"d <- read.csv('{frame.as_posix()}');"
        "d <- d[!is.na(d$gender), ];"
        "m <- mantelhaen.test(table(d$gender, d$job, d$team), correct = FALSE);"
        "s <- survdiff(Surv(time, event) ~ gender + strata(team), data = d);"
        "cat(sprintf('%.17g %.17g', m$statistic, s$chisq))"
    )
    out = subprocess.run(
        ["Rscript", "-e", script], check=True, capture_output=True, text=True
    ).stdout.split()
    cmh_r, logrank_r = (float(x) for x in out)
    outcome = pooled.outcome_all["gender"]
    assert outcome is not None
    np.testing.assert_allclose(outcome.cmh_tests[0].result.statistic, cmh_r, rtol=1e-10)
    stratified = pooled.logrank_by_site["gender"]["time_to_job"]
    assert stratified is not None
    np.testing.assert_allclose(stratified.statistic, logrank_r, rtol=1e-10)
