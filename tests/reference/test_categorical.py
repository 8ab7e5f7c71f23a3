"""Reference checks of the categorical wing: ipsstats against numbers from outside it.

Each test compares ipsstats with R (values recorded from R 4.x with the call written beside
them, or computed live through ``Rscript`` where R is installed), a published paper or worked
example, or another library (scipy, statsmodels, pandas). The source of every number is named
beside it. The tests are grouped in classes, one for each test module of
``tests/categorical/`` whose helpers they share; the properties, enumerations and input checks
of each function stay there.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import contingency
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio
from statsmodels.stats.contingency_tables import StratifiedTable as SmStratifiedTable
from statsmodels.stats.contingency_tables import Table, Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from ipsstats import (
    ContingencyTable,
    Counts,
    ProportionTestResult,
    SmallExpectedCountWarning,
    TrendResult,
    UnconditionalResult,
    adjust_pvalues,
    adjusted_residuals,
    barnard,
    boschloo,
    cmh,
    cramers_v,
    crosstab,
    goodness_of_fit,
    homogeneity,
    independence,
    odds_ratio,
    pearson_residuals,
    proportion,
    proportion_test,
    risk_difference,
    risk_ratio,
    trend,
)
from ipsstats.categorical.exact import (
    fisher_exact_pvalue,
    multinomial_exact_pvalue,
    table_probability,
)
from ipsstats.categorical.proportions import ProportionMethod
from ipsstats.datasets import perkins2022
from tests.categorical.rscript import r_numbers, r_vector, requires_r
from tests.categorical.test_cmh_exact import UCB, _random_strata, cmh_informative
from tests.categorical.test_exact import JOB, TEA
from tests.categorical.test_exact_engine import UNLIMITED
from tests.categorical.test_exact_one_sided import _TABLES
from tests.categorical.test_independence import R_PARTY
from tests.categorical.test_proportions import (
    METHODS,
    _random_counts,
    _random_pvalues,
    _random_tables,
)
from tests.categorical.test_stratified import (
    PATIENTS,
    RABBITS,
    SATISFACTION,
    SMOKERS,
    _random_stratified,
    _trend_table,
)
from tests.categorical.test_tables import (
    ETHNIC_GROUPS,
    MISSING_LABELS,
    TABLE1,
    table1_records,
)
from tests.strategies import stratified_tables

# R 4.2.2. p: mantelhaen.test(x, exact = TRUE, alternative = a)$p.value (exact sums).
# Estimate and limits: R's own equations solved to full precision, by the R function
# mh_tight written out in MH_TIGHT below (R's mantelhaen.test
# stops uniroot at its default tolerance, about 1e-4 in psi; its printed values follow).
RABBITS_EXACT = {
    # alternative: (p-value, estimate, lower, upper)
    "two-sided": (
        0.039944903581267226,
        10.361046349488722,
        1.0773877635180331,
        531.51278288993876,
    ),
    "less": (0.99862258953168037, 10.361046349488722, 0.0, 261.48787850166462),
    "greater": (0.019972451790633616, 10.361046349488722, 1.3842219231931132, math.inf),
}


# R 4.2.2: mantelhaen.test(Rabbits, exact = TRUE) as R prints it (loose root search)
RABBITS_R_LOOSE = (10.361024081374909, 1.0774014301889798, 529.8373990233523)


# R: the conditional estimate and limits of mantelhaen.test(x, exact = TRUE), with R's own
# equations (stats:::C_d2x2xk) solved by uniroot to tol = 1e-14
MH_TIGHT = r"""
mh_tight <- function(x, alternative = "two.sided", conf.level = 0.95) {
  K <- dim(x)[3L]
  mn <- apply(x, c(2L, 3L), sum); m <- mn[1L, ]; n <- mn[2L, ]
  t <- apply(x, c(1L, 3L), sum)[1L, ]; s <- sum(x[1L, 1L, ])
  lo <- sum(pmax(0, t - n)); hi <- sum(pmin(m, t)); support <- lo:hi
  dc <- .Call(stats:::C_d2x2xk, K, m, n, t, hi - lo + 1L); logdc <- log(dc)
  dn <- function(lp) { d <- logdc + lp * support; d <- exp(d - max(d)); d / sum(d) }
  mean_ <- function(lp) sum(support * dn(lp))
  pn <- function(q, lp, upper = FALSE) {
    d <- dn(lp); sum(d[if (upper) support >= q else support <= q])
  }
  root <- function(f) uniroot(f, c(-5, 5), extendInt = "upX", tol = 1e-14,
                              maxiter = 10000)$root
  mle <- if (s == lo) 0 else if (s == hi) Inf else exp(root(function(lp) mean_(lp) - s))
  L <- function(a) if (s == lo) 0 else exp(root(function(lp) pn(s, lp, TRUE) - a))
  U <- function(a) if (s == hi) Inf else exp(root(function(lp) a - pn(s, lp)))
  ci <- switch(alternative, less = c(0, U(1 - conf.level)),
               greater = c(L(1 - conf.level), Inf),
               two.sided = c(L((1 - conf.level) / 2), U((1 - conf.level) / 2)))
  c(mle, ci)
}
"""


def _r_array(tables: NDArray[np.int64]) -> str:
    """R's array(..., dim = c(2, 2, K)) holding counts[k] as x[, , k]."""
    values = ", ".join(str(int(v)) for v in np.transpose(tables, (0, 2, 1)).ravel())
    return f"array(c({values}), dim = c(2, 2, {tables.shape[0]}))"


# R 4.2.2: mantelhaen.test(Rabbits, alternative = a, correct = c, conf.level = 0.9):
# (X-squared, p-value, estimate, lower, upper)
RABBITS_ONE_SIDED = {
    ("less", True): (3.9285714285714288, 0.97626387242854085, 7, 0, 24.55793777079429),
    ("less", False): (5.6571428571428575, 0.99130778982396694, 7, 0, 24.55793777079429),
    ("greater", True): (3.9285714285714288, 0.023736127571459098, 7, 1.9952815442945546, math.inf),
    ("greater", False): (
        5.6571428571428575,
        0.0086922101760330932,
        7,
        1.9952815442945546,
        math.inf,
    ),
}


class TestCMHExact:
    """``cmh``: exact conditional test of 2 x 2 x K tables and one-sided Mantel-Haenszel.

    Sources: R 4.2.2 ``mantelhaen.test`` on R's ``Rabbits`` and ``UCBAdmissions`` data
    (recorded above, or live through ``Rscript``), and scipy.stats ``fisher_exact``.
    """

    @pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
    def test_exact_rabbits_matches_r(self, alternative: str) -> None:
        # R 4.2.2: mantelhaen.test(Rabbits, exact = TRUE, alternative = a); RABBITS_EXACT
        pvalue, value, lower, upper = RABBITS_EXACT[alternative]
        res = cmh(RABBITS, method="exact", alternative=alternative)  # type: ignore[arg-type]
        assert (res.method, res.requested, res.dof, res.statistic) == (
            "exact-conditional",
            "exact",
            None,
            16.0,
        )
        assert res.pvalue == pytest.approx(pvalue, rel=1e-12)
        odds = res.common_odds_ratio
        assert odds is not None
        assert odds.method == "conditional"
        # root finding to xtol 1e-14 in log psi on both sides
        assert odds.value == pytest.approx(value, rel=1e-10)
        assert odds.lower == pytest.approx(lower, rel=1e-10)
        assert odds.upper == pytest.approx(upper, rel=1e-10)

    def test_exact_rabbits_agrees_with_rs_printed_values_to_its_tolerance(self) -> None:
        # R 4.2.2: mantelhaen.test(Rabbits, exact = TRUE) as printed; RABBITS_R_LOOSE
        odds = cmh(RABBITS, method="exact").common_odds_ratio
        assert odds is not None
        # R's uniroot stops at tol = .Machine$double.eps^0.25 on psi in (0, 1) or 1/psi:
        # agreement to about 4 significant digits is all R's printed numbers support
        for ours, r in zip((odds.value, odds.lower, odds.upper), RABBITS_R_LOOSE, strict=True):
            assert ours == pytest.approx(r, rel=5e-3)

    def test_exact_ucb_admissions_matches_r(self) -> None:
        # R 4.2.2: mantelhaen.test(UCBAdmissions, exact = TRUE)$p.value; estimate and limits
        # by mh_tight (MH_TIGHT)
        res = cmh(UCB, method="exact")
        assert res.pvalue == pytest.approx(0.22776252679820608, rel=1e-10)  # sums of 1.5k terms
        odds = res.common_odds_ratio
        assert odds is not None
        assert odds.value == pytest.approx(0.9050699613409714, rel=1e-10)
        assert odds.lower == pytest.approx(0.7697303585258306, rel=1e-10)
        assert odds.upper == pytest.approx(1.063429228089821, rel=1e-10)
        # alternative = "less", conf.level = 0.9
        res = cmh(UCB, method="exact", alternative="less", confidence_level=0.9)
        assert res.pvalue == pytest.approx(0.11599366896025352, rel=1e-10)
        odds = res.common_odds_ratio
        assert odds is not None
        assert odds.lower == 0.0
        assert odds.upper == pytest.approx(1.0069698098227773, rel=1e-10)

    @requires_r
    def test_exact_matches_r_live_on_random_strata(self) -> None:
        # R, live: mantelhaen.test(x, exact = TRUE, alternative = a, conf.level = 0.9)$p.value
        # and mh_tight(x, a, 0.9) (MH_TIGHT) on seeded random strata
        rng = np.random.default_rng(20)
        cases = [_random_strata(rng) for _ in range(12)]
        alternatives = {"two-sided": "two.sided", "less": "less", "greater": "greater"}
        code = MH_TIGHT
        for tables in cases:
            for r_name in alternatives.values():
                code += (
                    f"x <- {_r_array(tables)}; "
                    f'r <- mantelhaen.test(x, exact = TRUE, alternative = "{r_name}", '
                    "conf.level = 0.9); "
                    f'cat(sprintf("%.17g", c(r$p.value, mh_tight(x, "{r_name}", 0.9))), "\\n");'
                )
        expected = np.array(r_numbers(code)).reshape(len(cases), 3, 4)
        for tables, rows in zip(cases, expected, strict=True):
            for side, row in zip(alternatives, rows, strict=True):
                res = cmh(tables, method="exact", alternative=side, confidence_level=0.9)  # type: ignore[arg-type]
                odds = res.common_odds_ratio
                assert odds is not None
                assert res.pvalue == pytest.approx(row[0], rel=1e-10)
                # both solve the same equations to ~1e-14 in log psi
                for ours, r in zip((odds.value, odds.lower, odds.upper), row[1:], strict=True):
                    assert ours == pytest.approx(r, rel=1e-10)

    @pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
    def test_one_stratum_is_fishers_test(self, alternative: str) -> None:
        # scipy.stats fisher_exact(table, alternative=a); the two-sided estimate and limits are
        # those of ipsstats' conditional odds_ratio
        rng = np.random.default_rng(8)
        for _ in range(20):
            table = rng.integers(0, 15, size=(2, 2))
            if not cmh_informative(table[None]):
                continue
            res = cmh(table[None], method="exact", alternative=alternative)  # type: ignore[arg-type]
            assert res.pvalue == pytest.approx(
                stats.fisher_exact(table, alternative=alternative).pvalue, rel=1e-10
            )
            if alternative == "two-sided":
                conditional = odds_ratio(table, method="conditional")
                odds = res.common_odds_ratio
                assert odds is not None
                assert (odds.value, odds.lower, odds.upper) == (
                    conditional.value,
                    conditional.lower,
                    conditional.upper,
                )

    @pytest.mark.parametrize(("alternative", "correction"), list(RABBITS_ONE_SIDED))
    def test_one_sided_mantel_haenszel_matches_r(self, alternative: str, correction: bool) -> None:
        # R 4.2.2: mantelhaen.test(Rabbits, alternative = a, correct = c, conf.level = 0.9);
        # RABBITS_ONE_SIDED
        statistic, pvalue, value, lower, upper = RABBITS_ONE_SIDED[(alternative, correction)]
        res = cmh(RABBITS, alternative=alternative, correction=correction, confidence_level=0.9)  # type: ignore[arg-type]
        assert (res.method, res.alternative) == ("mantel-haenszel", alternative)
        assert res.statistic == pytest.approx(statistic, rel=1e-13)
        assert res.pvalue == pytest.approx(pvalue, rel=1e-12)
        odds = res.common_odds_ratio
        assert odds is not None
        assert odds.value == value
        assert odds.lower == pytest.approx(lower, rel=1e-13)
        assert odds.upper == pytest.approx(upper, rel=1e-13)
        assert "one-sided" in odds.note


# R's fisher.test documentation, "6th example in Mehta & Patel's JASA paper":
# fisher.test(MP6) gives p-value = 0.03929
MP6 = np.array(
    [
        [1, 2, 2, 1, 1, 0, 1],
        [2, 0, 0, 2, 3, 0, 0],
        [0, 1, 1, 1, 2, 7, 3],
        [1, 1, 2, 0, 0, 0, 1],
        [0, 1, 1, 1, 1, 0, 0],
    ]
)


class TestFisherExact:
    """Fisher's exact test: the examples of R's ``fisher.test`` documentation, and scipy.stats."""

    def test_job_satisfaction_matches_r(self) -> None:
        # R documentation of fisher.test, Examples (Agresti 2002, p. 57, job satisfaction):
        # fisher.test(Job) prints p-value = 0.7827
        assert round(fisher_exact_pvalue(JOB), 4) == 0.7827
        assert fisher_exact_pvalue(JOB) == pytest.approx(fisher_exact_pvalue(JOB.T), rel=1e-12)

    def test_mehta_patel_example_matches_r(self) -> None:
        # R documentation of fisher.test, Examples: fisher.test(MP6) prints p-value = 0.03929
        assert round(fisher_exact_pvalue(MP6), 5) == 0.03929

    def test_tea_tasting_matches_r(self) -> None:
        # R documentation of fisher.test, Examples: fisher.test(TeaTasting) prints
        # p-value = 0.4857
        assert round(fisher_exact_pvalue(TEA), 4) == 0.4857

    def test_two_by_two_matches_scipy(self) -> None:
        # scipy.stats fisher_exact(table).pvalue on seeded random 2 x 2 tables
        rng = np.random.default_rng(20220101)
        for _ in range(50):
            table = rng.integers(0, 30, size=(2, 2))
            if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
                continue
            expected = stats.fisher_exact(table).pvalue
            assert fisher_exact_pvalue(table) == pytest.approx(expected, rel=1e-10)

    def test_empty_rows_and_columns_are_dropped(self) -> None:
        # scipy.stats fisher_exact of the table without its empty row and column
        table = np.array([[3, 0, 1], [0, 0, 0], [1, 0, 4]])
        assert fisher_exact_pvalue(table) == pytest.approx(
            stats.fisher_exact([[3, 1], [1, 4]]).pvalue, rel=1e-10
        )

    def test_table_probability_is_hypergeometric(self) -> None:
        # scipy.stats hypergeom.pmf(3, 8, 4, 4): the TeaTasting table's probability
        expected = stats.hypergeom.pmf(3, 8, 4, 4)
        assert table_probability(TEA) == pytest.approx(expected, rel=1e-12)

    def test_multinomial_binomial_case_matches_scipy_binomtest(self) -> None:
        # two categories: the exact multinomial test is the two-sided exact binomial test,
        # scipy.stats binomtest(k, n, p).pvalue
        for k, n, prob in [(7, 20, 0.3), (0, 5, 0.5), (12, 40, 0.1)]:
            expected = stats.binomtest(k, n, prob).pvalue
            assert multinomial_exact_pvalue([k, n - k], [prob, 1 - prob]) == pytest.approx(
                expected, rel=1e-10
            )


# (table, R's p-value, rel tolerance: 1e-12 for 2 x 2 where R sums exact hypergeometric
# terms, 1e-6 for FEXACT's tables, see TestFisherExactEngine)
# R 4.2.2: fisher.test(...)$p.value printed with format(p, digits = 17); the call is
# written beside each value (workspace raised where FEXACT needed it)
R_REFERENCES = [
    # fisher.test(matrix(c(3,1,1,3),2))
    ([[3, 1], [1, 3]], 0.48571428571428582, 1e-12),
    # fisher.test(matrix(c(12,3,5,10),2))
    ([[12, 5], [3, 10]], 0.025327687033676136, 1e-12),
    # fisher.test(matrix(c(250,200,240,310),2))
    ([[250, 240], [200, 310]], 0.00022292437278284127, 1e-12),
    # fisher.test(matrix(c(25100,24800,24900,25200),2))
    ([[25100, 24900], [24800, 25200]], 0.058617685760135679, 1e-11),
    # fisher.test(matrix(c(2502000,2497000,2498000,2503000),2))
    ([[2502000, 2498000], [2497000, 2503000]], 0.001568804189419795, 1e-12),
    # fisher.test(matrix(c(47,35,23,15,21,87,42,41,23,31),5))
    ([[47, 87], [35, 42], [23, 41], [15, 23], [21, 31]], 0.64339907740855551, 1e-6),
    # fisher.test(matrix(c(46,37,18,5,1,98,77,45,16,6),5))
    ([[46, 98], [37, 77], [18, 45], [5, 16], [1, 6]], 0.84700978387521253, 1e-6),
    # fisher.test(matrix(c(93,72,41,20,22,185,119,86,39,37),5))
    ([[93, 185], [72, 119], [41, 86], [20, 39], [22, 37]], 0.83097860580115501, 1e-6),
    # fisher.test(matrix(c(18,8,6,10,13,28,12,14,5,13),5))
    ([[18, 28], [8, 12], [6, 14], [10, 5], [13, 13]], 0.24018900236185059, 1e-6),
    # fisher.test(matrix(c(29,13,10,2,0,34,20,12,7,1),5))
    ([[29, 34], [13, 20], [10, 12], [2, 7], [0, 1]], 0.64348245143908667, 1e-6),
    # fisher.test(matrix(c(47,21,16,12,13,62,32,26,12,14),5))
    ([[47, 62], [21, 32], [16, 26], [12, 12], [13, 14]], 0.83992684060373457, 1e-6),
    # fisher.test(matrix(c(1660,1160,1180,2340,1840,1820),3), workspace=2e7)
    ([[1660, 2340], [1160, 1840], [1180, 1820]], 0.038397104198103368, 1e-6),
    # fisher.test(matrix(c(4830,3555,3615,7170,5445,5385),3), workspace=2e7)
    ([[4830, 7170], [3555, 5445], [3615, 5385]], 0.50756973818958429, 1e-6),
    # Job <- matrix(c(1,2,1,0, 3,3,6,1, 10,10,14,9, 6,7,12,11), 4, 4); fisher.test(Job)
    ([[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]], 0.78268493896563884, 1e-6),
    # MP6 <- rbind(c(1,2,2,1,1,0,1), c(2,0,0,2,3,0,0), c(0,1,1,1,2,7,3),
    #              c(1,1,2,0,0,0,1), c(0,1,1,1,1,0,0)); fisher.test(MP6)
    (
        [
            [1, 2, 2, 1, 1, 0, 1],
            [2, 0, 0, 2, 3, 0, 0],
            [0, 1, 1, 1, 2, 7, 3],
            [1, 1, 2, 0, 0, 0, 1],
            [0, 1, 1, 1, 1, 0, 0],
        ],
        0.039289643655332343,
        1e-6,
    ),
    # fisher.test(rbind(c(205,118,77),c(172,108,70),c(123,74,53)), workspace=2e7)
    ([[205, 118, 77], [172, 108, 70], [123, 74, 53]], 0.95844441874222897, 1e-6),
    # fisher.test(rbind(c(215,113,72),c(167,110,73),c(118,77,55)), workspace=2e7)
    ([[215, 113, 72], [167, 110, 73], [118, 77, 55]], 0.40135778971068287, 1e-6),
    # fisher.test(rbind(c(5,3,8,4),c(6,7,2,5),c(3,9,4,4)))
    ([[5, 3, 8, 4], [6, 7, 2, 5], [3, 9, 4, 4]], 0.24268298045937992, 1e-6),
    # fisher.test(rbind(c(2,1,3,0,2),c(1,3,0,2,1),c(0,2,2,1,3),c(3,0,1,2,1),c(1,2,2,2,1)),
    #             workspace=2e7)
    (
        [[2, 1, 3, 0, 2], [1, 3, 0, 2, 1], [0, 2, 2, 1, 3], [3, 0, 1, 2, 1], [1, 2, 2, 2, 1]],
        0.60843114164590584,
        1e-6,
    ),
    # fisher.test(rbind(c(10,15,17,1),c(6,6,9,0),c(3,8,5,0),c(6,6,7,1),c(3,7,5,0),
    #                   c(1,3,0,1)), workspace=5e7)
    (
        [[10, 15, 17, 1], [6, 6, 9, 0], [3, 8, 5, 0], [6, 6, 7, 1], [3, 7, 5, 0], [1, 3, 0, 1]],
        0.7411640566148856,
        1e-6,
    ),
]


class TestFisherExactEngine:
    """Fisher's exact test of r x c tables at full precision: R 4.2.2 ``fisher.test``.

    For r x c tables R's FEXACT merges partial tables whose log-probabilities differ by less
    than 3.45e-7 and compares with the same absolute slack, so its p-values can be off by a
    few 1e-7 in relative terms: those comparisons use ``rel=1e-6`` (the exact values are
    checked against enumeration in ``tests/categorical/test_exact_engine.py``).
    """

    @pytest.mark.parametrize(("table", "expected", "rel"), R_REFERENCES)
    def test_matches_r_fisher_test(
        self, table: list[list[int]], expected: float, rel: float
    ) -> None:
        # R 4.2.2: fisher.test(x)$p.value, the call beside each row of R_REFERENCES
        assert fisher_exact_pvalue(table, exact_work_limit=UNLIMITED) == pytest.approx(
            expected, rel=rel
        )


# R 4.x, stats::fisher.test; each value printed with sprintf("%.17g", fisher.test(x,
# alternative = alt)$p.value), x <- matrix(c(a, b, c, d), 2, byrow = TRUE).
R_VALUES = [
    # TeaTasting (R's documentation): matrix(c(3, 1, 1, 3), 2, byrow = TRUE)
    ([[3, 1], [1, 3]], "less", 0.98571428571428577),
    ([[3, 1], [1, 3]], "greater", 0.24285714285714288),
    # matrix(c(10, 2, 3, 15), 2, byrow = TRUE)
    ([[10, 2], [3, 15]], "less", 0.99998451901868612),
    ([[10, 2], [3, 15]], "greater", 0.00046518094336290585),
    # matrix(c(0, 5, 5, 0), 2, byrow = TRUE)
    ([[0, 5], [5, 0]], "less", 0.003968253968253968),
    ([[0, 5], [5, 0]], "greater", 1.0),
    # matrix(c(100, 200, 300, 50), 2, byrow = TRUE)
    ([[100, 200], [300, 50]], "less", 1.5398079234252075e-44),
    ([[100, 200], [300, 50]], "greater", 1.0),
    # matrix(c(51234, 48766, 49012, 50988), 2, byrow = TRUE)
    ([[51234, 48766], [49012, 50988]], "less", 1.0),
    ([[51234, 48766], [49012, 50988]], "greater", 1.4948665294148702e-23),
    # matrix(c(2, 40, 17, 9), 2, byrow = TRUE)
    ([[2, 40], [17, 9]], "less", 8.2243445922406442e-08),
    ([[2, 40], [17, 9]], "greater", 0.99999999802266382),
]


def _enumerated(table: list[list[int]], alternative: str) -> float:
    """The tail of the hypergeometric law of the top-left count, in exact fractions."""
    (a, b), (c, d) = table
    r0, r1, col = a + b, c + d, a + c
    ks = range(max(0, col - r1), min(r0, col) + 1)
    mass = {k: comb(r0, k) * comb(r1, col - k) for k in ks}
    tail = [k for k in ks if (k <= a if alternative == "less" else k >= a)]
    return float(Fraction(sum(mass[k] for k in tail), sum(mass.values())))


class TestFisherExactOneSided:
    """One-sided Fisher exact test of 2 x 2 tables: R ``fisher.test`` and scipy.stats."""

    @pytest.mark.parametrize(("table", "alternative", "expected"), R_VALUES)
    def test_matches_r_fisher_test(
        self, table: list[list[int]], alternative: str, expected: float
    ) -> None:
        # R 4.x: fisher.test(x, alternative = alt)$p.value; R_VALUES
        # rtol 1e-12: R's dhyper (Loader's saddle-point form) and the walks over binomial
        # ratios agree to about 13 significant digits, the accuracy both claim
        got = fisher_exact_pvalue(table, alternative=alternative)  # type: ignore[arg-type]
        assert got == pytest.approx(expected, rel=1e-12, abs=0)

    @given(_TABLES, st.sampled_from(["less", "greater"]))
    def test_matches_exact_enumeration_and_scipy(
        self, values: list[int], alternative: str
    ) -> None:
        # scipy.stats fisher_exact(table, alternative=a), and the hypergeometric tail summed in
        # exact fractions
        table = [values[:2], values[2:]]
        got = fisher_exact_pvalue(table, alternative=alternative)  # type: ignore[arg-type]
        assert got == pytest.approx(_enumerated(table, alternative), rel=1e-12)
        # scipy sums hypergeometric pmfs: agreement to 1e-10 only
        expected = stats.fisher_exact(table, alternative=alternative).pvalue
        assert got == pytest.approx(expected, rel=1e-10, abs=1e-300)

    def test_large_tables_stay_accurate_in_the_far_tail(self) -> None:
        # a support of 2 000 001 counts is narrowed to a window around the mode and the count
        table = np.array([[1_000_900, 999_100], [999_100, 1_000_900]])
        got = fisher_exact_pvalue(table, alternative="greater")
        expected = stats.hypergeom.sf(1_000_900 - 1, 4_000_000, 2_000_000, 2_000_000)
        # scipy.stats hypergeom.sf; scipy's survival function loses about 1e-9 at this size
        assert got == pytest.approx(expected, rel=1e-7)


def _half_up(value: float, digits: int) -> float:
    """Round as printed tables do (half away from zero)."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _seeded_vectors(
    seed: int, count: int = 25
) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        k = int(rng.integers(2, 8))
        probs = rng.dirichlet(np.ones(k))
        out.append((rng.multinomial(int(rng.integers(50, 500)), probs), probs))
    return out


class TestGoodnessOfFit:
    """``goodness_of_fit`` and ``homogeneity``: the 2022 paper, R ``chisq.test`` and scipy.stats.

    The paper is Perkins et al. (2022), BJPsych Bulletin; its printed numbers are held by
    ``ipsstats.datasets.perkins2022().published`` (errata listed there).
    """

    @pytest.mark.parametrize(("service", "chi2"), [("CNWL", 22.05), ("WWT", 34.22)])
    def test_paper_table2_homogeneity(self, service: str, chi2: float) -> None:
        # Perkins et al. (2022), Table 2: chi-squared 22.05 (CNWL) and 34.22 (WWT), df 4,
        # P < 0.01, and the printed percentages
        data = perkins2022()
        ips, caseload = data.ips_ethnicity[service], data.caseload_ethnicity[service]
        res = homogeneity(ips, caseload)
        assert _half_up(res.statistic, 2) == chi2
        assert res.dof == 4
        assert res.pvalue < 0.01  # printed "P < 0.01"
        assert res.method == "pearson"
        assert res.n == ips.n + caseload.n
        assert res.n_excluded == ips.n_missing + caseload.n_missing
        assert res.exclusions == {
            "missing value in `a`": ips.n_missing,
            "missing value in `b`": caseload.n_missing,
        }
        assert res.levels == data.ethnicity
        printed = data.published
        assert [_half_up(100 * s, 1) for s in res.observed_share] == list(
            printed["table2_ips_percent"][service]
        )
        assert [_half_up(100 * s, 1) for s in res.reference_share] == list(
            printed["table2_caseload_percent"][service]
        )

    def test_paper_table2_reach_and_not_known(self) -> None:
        # Perkins et al. (2022), Table 2: printed reach and "not known" percentages
        data = perkins2022()
        for service in ("CNWL", "WWT"):
            ips, caseload = data.ips_ethnicity[service], data.caseload_ethnicity[service]
            reach = [*(ips.counts / caseload.counts), ips.n_missing / caseload.n_missing]
            printed = data.published["table2_reach_percent"][service]
            assert [_half_up(100 * r, 1) for r in reach] == list(printed)
            not_known = (ips.n_missing / ips.total, caseload.n_missing / caseload.total)
            assert [_half_up(100 * v, 1) for v in not_known] == list(
                data.published["table2_not_known_percent"][service]
            )

    def test_paper_table1_percentages(self) -> None:
        # Perkins et al. (2022), Table 1: printed percentages and numbers of people
        data = perkins2022()
        for service, counts in data.ips_ethnicity.items():
            shares = counts.counts / counts.n
            printed = data.published["table1_ethnicity_percent"][service]
            assert [_half_up(100 * s, 1) for s in shares] == list(printed)
            assert counts.total == data.published["table1_people"][service]

    def test_paper_black_representation_ratio(self) -> None:
        # Perkins et al. (2022), text: the proportion of Black/Black British clients was "52%
        # greater" (17.5 v. 11.5%)
        data = perkins2022()
        res = homogeneity(data.ips_ethnicity["CNWL"], data.caseload_ethnicity["CNWL"])
        black = res.levels.index("Black/Black British")
        assert _half_up(res.ratio[black], 2) == 1.52
        assert res.ratio_lower[black] < res.ratio[black] < res.ratio_upper[black]
        assert res.ratio_lower[black] > 1  # over-represented at the 95% level

    def test_r_chisq_test_uniform_example(self) -> None:
        # R: x <- c(A = 20, B = 15, C = 25); chisq.test(x) prints X-squared = 2.5, df = 2,
        # p-value = 0.2865
        res = goodness_of_fit([20, 15, 25], [1 / 3, 1 / 3, 1 / 3])
        assert res.statistic == pytest.approx(2.5, rel=1e-12)
        assert res.dof == 2
        assert round(res.pvalue, 4) == 0.2865
        assert res.expected_kind == "proportions"

    @pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
    def test_pearson_and_g_match_scipy(self) -> None:
        # scipy.stats chisquare and power_divergence(lambda_="log-likelihood")
        for observed, probs in _seeded_vectors(1):
            n = observed.sum()
            reference = stats.chisquare(observed, n * probs)
            res = goodness_of_fit(observed, probs)
            assert res.statistic == pytest.approx(reference.statistic, rel=1e-10)
            assert res.pvalue == pytest.approx(reference.pvalue, rel=1e-10)
            g = stats.power_divergence(observed, n * probs, lambda_="log-likelihood")
            res_g = goodness_of_fit(observed, probs, method="g")
            assert res_g.statistic == pytest.approx(g.statistic, rel=1e-10)
            assert res_g.pvalue == pytest.approx(g.pvalue, rel=1e-10)

    @pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
    @pytest.mark.parametrize("lambda_", [2 / 3, -0.5, 2.0])
    def test_cressie_read_matches_scipy(self, lambda_: float) -> None:
        for observed, probs in _seeded_vectors(2, count=10):
            # scipy.stats power_divergence(observed, expected, lambda_=lambda_)
            n = observed.sum()
            reference = stats.power_divergence(observed, n * probs, lambda_=lambda_)
            res = goodness_of_fit(observed, probs, method="cressie-read", lambda_=lambda_)
            assert res.statistic == pytest.approx(reference.statistic, rel=1e-10)
            assert res.pvalue == pytest.approx(reference.pvalue, rel=1e-10)

    @pytest.mark.parametrize("lambda_", [-0.5, -0.9, 0.5])
    def test_cressie_read_zero_count_contributes_its_limit(self, lambda_: float) -> None:
        # scipy.stats power_divergence. The limit of O [(O/E)^lambda - 1] as O -> 0 is 0 for
        # lambda > -1; scipy returns nan for -1 < lambda < 0, so compare with a count of
        # 1e-300 in place of the zero
        observed = np.array([0, 50, 50])
        ref = stats.power_divergence([1e-300, 50, 50], [100 / 3] * 3, lambda_=lambda_)
        res = goodness_of_fit(observed, [1 / 3] * 3, method="cressie-read", lambda_=lambda_)
        assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
        both = homogeneity([0, 50, 50], [10, 40, 60], method="cressie-read", lambda_=lambda_)
        assert math.isfinite(both.statistic)
        assert 0 < both.pvalue < 1

    def test_reference_counts_are_rescaled_and_recorded(self) -> None:
        # scipy.stats chisquare on the rescaled reference counts
        observed = np.array([30, 50, 20])
        reference = np.array([300, 400, 300])
        res = goodness_of_fit(observed, reference)
        assert res.expected_kind == "counts"
        assert res.scale == pytest.approx(100 / 1000, rel=1e-15)
        np.testing.assert_allclose(res.expected, [30, 40, 30], rtol=1e-12)
        expected = stats.chisquare(observed, reference * res.scale)
        assert res.statistic == pytest.approx(expected.statistic, rel=1e-10)

    def test_homogeneity_matches_independence_and_scipy(self) -> None:
        # scipy.stats chi2_contingency(correction=False) of the 2 x k table; residuals and
        # contributions as ipsstats' independence gives them
        rng = np.random.default_rng(8)
        for _ in range(20):
            k = int(rng.integers(2, 7))
            a, b = rng.integers(1, 80, size=k), rng.integers(1, 400, size=k)
            table = np.vstack([a, b])
            chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
            res = homogeneity(a, b)
            assert res.statistic == pytest.approx(chi2, rel=1e-10)
            assert res.pvalue == pytest.approx(p, rel=1e-10)
            assert res.dof == dof
            np.testing.assert_allclose(res.expected, expected[0], rtol=1e-10)
            full = independence(table, method="pearson")
            np.testing.assert_allclose(res.adjusted_residuals, full.adjusted_residuals[0], 1e-12)
            np.testing.assert_allclose(res.contributions, full.contributions.sum(axis=0), 1e-12)

    def test_gof_residuals_and_wilson_ratio_naive(self) -> None:
        # ratio limits: scipy.stats binomtest(k, n).proportion_ci(0.9, method="wilson");
        # residuals written out from their definitions
        observed = np.array([18, 40, 12, 30])
        probs = np.array([0.25, 0.35, 0.15, 0.25])
        res = goodness_of_fit(observed, probs, confidence_level=0.9)
        n = observed.sum()
        for i in range(4):
            e = n * probs[i]
            assert res.residuals[i] == pytest.approx((observed[i] - e) / math.sqrt(e), rel=1e-12)
            assert res.adjusted_residuals[i] == pytest.approx(
                (observed[i] - e) / math.sqrt(n * probs[i] * (1 - probs[i])), rel=1e-12
            )
            ci = stats.binomtest(int(observed[i]), int(n)).proportion_ci(0.9, method="wilson")
            assert res.ratio[i] == pytest.approx(observed[i] / n / probs[i], rel=1e-12)
            assert res.ratio_lower[i] == pytest.approx(ci.low / probs[i], rel=1e-10)
            assert res.ratio_upper[i] == pytest.approx(ci.high / probs[i], rel=1e-10)
        assert res.contributions.sum() == pytest.approx(res.statistic, rel=1e-12)


def _seeded_tables(seed: int, count: int = 25) -> list[NDArray[np.int64]]:
    rng = np.random.default_rng(seed)
    out: list[NDArray[np.int64]] = []
    while len(out) < count:
        shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
        table = rng.integers(1, 60, size=shape)
        out.append(table)
    return out


# Perkins et al. (2022), Table 3
PAPER_ROWS = [
    # (subset, service, printed chi-squared, printed P)
    ("all", "CNWL", 2.50, 0.64),
    ("all", "WWT", 1.76, 0.78),
    ("all", "total", 1.46, 0.84),
    ("six_month", "CNWL", 5.66, 0.22),
    ("six_month", "WWT", 2.78, 0.59),
    ("six_month", "total", 1.43, 0.84),
]


class TestIndependence:
    """``independence`` and its residuals: R ``chisq.test``, the 2022 paper, scipy and statsmodels.

    The paper is Perkins et al. (2022), BJPsych Bulletin; its printed numbers are held by
    ``ipsstats.datasets.perkins2022().published`` (errata listed there).
    """

    def test_r_chisq_test_example(self) -> None:
        # R documentation of chisq.test, Examples: chisq.test(M) on R_PARTY prints
        # X-squared = 30.07, df = 2, p-value = 2.954e-07
        res = independence(R_PARTY)
        assert res.method == "pearson"
        assert round(res.statistic, 3) == 30.070
        assert res.dof == 2
        assert f"{res.pvalue:.3e}" == "2.954e-07"
        assert "Cochran's rule holds" in res.reason

    @pytest.mark.parametrize(("subset", "service", "chi2", "p"), PAPER_ROWS)
    def test_paper_table3_chi_squared(
        self, subset: str, service: str, chi2: float, p: float
    ) -> None:
        # Perkins et al. (2022), Table 3: printed chi-squared and P (PAPER_ROWS), with errata
        data = perkins2022()
        table = (data.jobs_all if subset == "all" else data.jobs_six_month)[service]
        if (subset, service) == ("six_month", "WWT"):
            # one person of Other ethnicity: expected counts as low as 0.42
            with pytest.warns(SmallExpectedCountWarning, match="Cochran's rule fails"):
                res = independence(table, method="pearson")
            assert res.caveats
            assert res.details["min_expected"] == pytest.approx(54 / 128, rel=1e-12)
        else:
            res = independence(table, method="pearson")
        assert res.dof == 4
        if (subset, service) == ("six_month", "CNWL"):
            assert _half_up(res.statistic, 3) == 5.667  # erratum: printed 5.66 (truncated)
        else:
            assert _half_up(res.statistic, 2) == chi2
        if (subset, service) == ("all", "total"):
            assert _half_up(res.pvalue, 3) == 0.833  # erratum: printed 0.84
        elif (subset, service) == ("six_month", "CNWL"):
            # printed truncated, like its chi-squared: 0.2255 -> 0.22
            assert math.floor(100 * res.pvalue) / 100 == p
        else:
            assert _half_up(res.pvalue, 2) == p
        assert res.n == table.n
        assert res.n_excluded == table.n_missing
        assert res.exclusions == {"missing value": table.n_missing}

    @pytest.mark.parametrize("subset", ["all", "six_month"])
    def test_paper_table3_percentages(self, subset: str) -> None:
        # Perkins et al. (2022), Table 3: printed job percentages and overall numbers
        data = perkins2022()
        tables = data.jobs_all if subset == "all" else data.jobs_six_month
        for service, table in tables.items():
            share = table.counts[:, 0] / table.counts.sum(axis=1)
            printed = data.published[f"table3_{subset}_job_percent"][service]
            assert [_half_up(100 * s, 1) for s in share] == list(printed)
            jobs, percent = data.published[f"table3_{subset}_overall"][service]
            assert int(table.counts[:, 0].sum()) == jobs
            assert _half_up(100 * jobs / table.n, 1) == percent

    def test_pearson_and_g_match_scipy_chi2_contingency(self) -> None:
        # scipy.stats chi2_contingency(correction=False), with lambda_="log-likelihood" for G
        for table in _seeded_tables(1):
            chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
            res = independence(table, method="pearson")
            assert res.statistic == pytest.approx(chi2, rel=1e-10)
            assert res.pvalue == pytest.approx(p, rel=1e-10)
            assert res.dof == dof
            np.testing.assert_allclose(res.expected, expected, rtol=1e-10)
            g, p_g, _, _ = stats.chi2_contingency(
                table, correction=False, lambda_="log-likelihood"
            )
            res_g = independence(table, method="g")
            assert res_g.statistic == pytest.approx(g, rel=1e-10)
            assert res_g.pvalue == pytest.approx(p_g, rel=1e-10)

    @pytest.mark.parametrize("lambda_", [2 / 3, -0.5, 3.0, -1.0])
    def test_cressie_read_matches_scipy(self, lambda_: float) -> None:
        for table in _seeded_tables(2, count=10):
            # scipy.stats chi2_contingency(correction=False, lambda_=lambda_)
            stat, p, _, _ = stats.chi2_contingency(table, correction=False, lambda_=lambda_)
            res = independence(table, method="cressie-read", lambda_=lambda_)
            assert res.statistic == pytest.approx(stat, rel=1e-10)
            assert res.pvalue == pytest.approx(p, rel=1e-10)
            assert res.method.startswith("cressie-read")

    @pytest.mark.parametrize("lambda_", [-0.5, -0.9, 0.5, 2.0])
    def test_cressie_read_zero_count_contributes_its_limit(self, lambda_: float) -> None:
        # scipy.stats power_divergence with contingency.expected_freq. O [(O/E)^lambda - 1]
        # -> 0 as O -> 0 when lambda > -1 (scipy returns nan for -1 < lambda < 0); compare
        # with scipy on a count of 1e-300 in place of the zero
        table = np.array([[0, 50, 50], [30, 40, 60]])
        tiny = table.astype(np.float64)
        tiny[0, 0] = 1e-300
        ref = stats.power_divergence(
            tiny, contingency.expected_freq(table), lambda_=lambda_, axis=None
        ).statistic
        res = independence(table, method="cressie-read", lambda_=lambda_)
        assert res.statistic == pytest.approx(ref, rel=1e-12)
        assert res.pvalue == pytest.approx(stats.chi2.sf(ref, 2), rel=1e-10)
        assert 0 < res.pvalue < 1

    def test_cressie_read_default_lambda_is_two_thirds(self) -> None:
        # scipy.stats chi2_contingency(lambda_="cressie-read"), whose lambda is 2/3
        stat = stats.chi2_contingency(R_PARTY, correction=False, lambda_="cressie-read")[0]
        assert independence(R_PARTY, method="cressie-read").statistic == pytest.approx(stat, 1e-10)

    @pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
    def test_yates_matches_scipy(self) -> None:
        # scipy.stats chi2_contingency(correction=True)
        rng = np.random.default_rng(7)
        for _ in range(20):
            table = rng.integers(1, 40, size=(2, 2))
            chi2, p, _, _ = stats.chi2_contingency(table, correction=True)
            res = independence(table, method="pearson", correction=True)
            assert (res.method, res.correction) == ("pearson", True)
            assert res.statistic == pytest.approx(chi2, rel=1e-10, abs=1e-14)
            assert res.pvalue == pytest.approx(p, rel=1e-10)

    def test_residuals_match_statsmodels(self) -> None:
        # statsmodels Table(shift_zeros=False): resid_pearson, standardized_resids, chi2_contribs
        for table in _seeded_tables(3):
            reference = Table(table, shift_zeros=False)
            res = independence(table, method="pearson")
            np.testing.assert_allclose(res.residuals, reference.resid_pearson, rtol=1e-10)
            np.testing.assert_allclose(
                res.adjusted_residuals, reference.standardized_resids, rtol=1e-10
            )
            np.testing.assert_allclose(res.contributions, reference.chi2_contribs, rtol=1e-10)
            np.testing.assert_allclose(pearson_residuals(table), reference.resid_pearson, 1e-10)
            np.testing.assert_allclose(
                adjusted_residuals(table), reference.standardized_resids, rtol=1e-10
            )

    def test_cramers_v_matches_scipy_and_bergsma(self) -> None:
        # scipy.stats.contingency association(method="cramer"); the bias-corrected value from
        # Bergsma (2013)
        for table in _seeded_tables(4):
            reference = contingency.association(table, method="cramer")
            assert cramers_v(table) == pytest.approx(reference, rel=1e-10)
            assert independence(table, method="pearson").cramers_v == pytest.approx(
                reference, 1e-10
            )
            # Bergsma (2013), equations for phi2 and the corrected r and c
            chi2 = stats.chi2_contingency(table, correction=False)[0]
            n = table.sum()
            r, c = table.shape
            phi2 = max(0.0, chi2 / n - (r - 1) * (c - 1) / (n - 1))
            r_c = r - (r - 1) ** 2 / (n - 1)
            c_c = c - (c - 1) ** 2 / (n - 1)
            naive = math.sqrt(phi2 / min(r_c - 1, c_c - 1))
            assert cramers_v(table, bias_correction=True) == pytest.approx(naive, rel=1e-10)

    def test_exact_two_by_two_is_fisher(self) -> None:
        # R documentation of fisher.test: fisher.test(TeaTasting) prints p-value = 0.4857
        res = independence([[3, 1], [1, 3]], method="exact")
        assert res.method == "fisher-exact"
        assert round(res.pvalue, 4) == 0.4857


# R 4.2.2, p.adjust(p, "hommel"), printed with sprintf("%.17g")
R_HOMMEL = [
    # p.adjust(c(0.01, 0.04, 0.03, 0.005), "hommel")
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.04, 0.04, 0.02]),
    # p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216),
    #          "hommel")
    (
        [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
        [0.01, 0.072000000000000008, 0.185, 0.185, 0.185, 0.216, 0.216, 0.216, 0.216, 0.216],
    ),
    # p.adjust(c(0.02, 0.02, 0.02, 0.5, 1, 0.03, 0.0001), "hommel")  (ties, a 1)
    (
        [0.02, 0.02, 0.02, 0.5, 1, 0.03, 0.0001],
        [0.06, 0.06, 0.06, 1, 1, 0.09, 0.0007],
    ),
    # p.adjust(c(0.04, 0.01), "hommel")  (R switches to Hochberg for two)
    ([0.04, 0.01], [0.04, 0.02]),
    # p.adjust(0.3, "hommel")
    ([0.3], [0.3]),
    # p.adjust(c(0.01, 0.02, 0.03), "hommel")
    ([0.01, 0.02, 0.03], [0.03, 0.03, 0.03]),
]


class TestHommel:
    """Hommel's adjustment (``adjust_pvalues``): R ``p.adjust`` and statsmodels."""

    @pytest.mark.parametrize(("raw", "expected"), R_HOMMEL)
    def test_hommel_matches_r(self, raw: list[float], expected: list[float]) -> None:
        # R 4.2.2: p.adjust(p, "hommel"); R_HOMMEL
        np.testing.assert_allclose(adjust_pvalues(raw, "hommel"), expected, rtol=1e-13)

    @requires_r
    def test_hommel_matches_r_live_on_random_families(self) -> None:
        # R, live: p.adjust(p, "hommel") on seeded random families
        rng = np.random.default_rng(15)
        families = [rng.uniform(size=int(rng.integers(3, 60))) ** 4 for _ in range(8)]
        families[0][::3] = families[0][0]  # ties
        code = "".join(
            f'cat(sprintf("%.17g", p.adjust({r_vector(p)}, "hommel")), "\\n");' for p in families
        )
        expected = r_numbers(code)
        got = np.concatenate([adjust_pvalues(p, "hommel") for p in families])
        np.testing.assert_allclose(got, expected, rtol=1e-13)

    def test_hommel_matches_statsmodels(self) -> None:
        # statsmodels multipletests(p, method="hommel")
        rng = np.random.default_rng(3)
        for _ in range(20):
            p = rng.uniform(size=int(rng.integers(1, 50))) ** 3
            # statsmodels computes the same adjustment by another route (its own loop)
            np.testing.assert_allclose(
                adjust_pvalues(p, "hommel"), multipletests(p, method="hommel")[1], rtol=1e-10
            )


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


# R 4.2.2: r <- prop.test(...); c(r$statistic, r$parameter, r$p.value, r$conf.int)
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


class TestProportionTests:
    """``proportion_test``, the corrected Wilson interval and one-sided trend tests: R 4.2.2."""

    @pytest.mark.parametrize(("k", "n", "level"), list(WILSON_CC))
    def test_corrected_wilson_matches_prop_test(self, k: int, n: int, level: float) -> None:
        # R 4.2.2: prop.test(x, n, p = p0, conf.level = level)$conf.int; WILSON_CC
        lower, upper = WILSON_CC[(k, n, level)]
        est = proportion(k, n, correction=True, confidence_level=level)
        assert est.method == "wilson"
        assert est.lower == pytest.approx(lower, rel=1e-13, abs=1e-300)
        assert est.upper == pytest.approx(upper, rel=1e-13)

    @requires_r
    def test_corrected_wilson_matches_r_live(self) -> None:
        # R, live: prop.test(x, n, p = p0, conf.level = level)$conf.int on seeded counts
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

    @pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
    @pytest.mark.parametrize(("data", "kwargs", "expected"), PROP_TEST)
    def test_proportion_test_matches_r(
        self, data: tuple[object, object], kwargs: dict[str, object], expected: tuple[float, ...]
    ) -> None:
        # R 4.2.2: prop.test, the call beside each row of PROP_TEST
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
    def test_proportion_test_matches_r_live(self) -> None:
        # R, live: prop.test(x, n, alternative = a, correct = c, conf.level = 0.9) on seeded
        # counts
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

    @pytest.mark.parametrize(("x", "n", "scores", "expected"), TREND)
    def test_one_sided_trend_matches_r_derivation(
        self, x: list[int], n: list[int], scores: list[float] | None, expected: tuple[float, ...]
    ) -> None:
        # R 4.2.2: prop.trend.test and lm, as written above TREND
        statistic, z, p_less, p_greater = expected
        table = [[a, b - a] for a, b in zip(x, n, strict=True)]
        for side, pvalue in (("less", p_less), ("greater", p_greater)):
            res = trend(table, scores=scores, alternative=side)  # type: ignore[arg-type]
            assert res.statistic == pytest.approx(statistic, rel=1e-12)
            assert res.details["z"] == pytest.approx(z, rel=1e-12)
            assert res.pvalue == pytest.approx(pvalue, rel=1e-12)
            assert res.alternative == side
            assert math.copysign(1.0, res.slope) == math.copysign(1.0, z)


# statsmodels proportion_confint's name of each method
STATSMODELS_NAME = {
    "wilson": "wilson",
    "clopper-pearson": "beta",
    "agresti-coull": "agresti_coull",
    "jeffreys": "jeffreys",
    "wald": "normal",
}


# statsmodels multipletests' name of each method
MULTIPLETESTS_NAME = {
    "bonferroni": "bonferroni",
    "holm": "holm",
    "hochberg": "simes-hochberg",
    "bh": "fdr_bh",
    "by": "fdr_by",
}


class TestProportions:
    """``proportion``, the two-group comparisons and ``adjust_pvalues``.

    Sources: statsmodels, scipy.stats, R ``fisher.test`` and Newcombe (1998), Table II.
    """

    @pytest.mark.parametrize("method", METHODS)
    def test_proportion_matches_statsmodels(self, method: ProportionMethod) -> None:
        # statsmodels proportion_confint(k, n, alpha, method=STATSMODELS_NAME[method])
        for k, n, level in _random_counts(1):
            if method == "jeffreys" and k in (0, n):
                continue  # statsmodels has no boundary modification; tested separately
            est = proportion(k, n, method=method, confidence_level=level)
            low, high = proportion_confint(k, n, alpha=1 - level, method=STATSMODELS_NAME[method])
            assert est.value == k / n
            assert est.lower == pytest.approx(low, rel=1e-10, abs=1e-15)
            assert est.upper == pytest.approx(high, rel=1e-10, abs=1e-15)
            assert est.confidence_level == level
            assert est.method == method

    @pytest.mark.parametrize(
        ("method", "scipy_name"), [("wilson", "wilson"), ("clopper-pearson", "exact")]
    )
    def test_proportion_matches_scipy_binomtest(
        self, method: ProportionMethod, scipy_name: str
    ) -> None:
        # scipy.stats binomtest(k, n).proportion_ci(method="wilson" or "exact")
        for k, n, level in _random_counts(2):
            est = proportion(k, n, method=method, confidence_level=level)
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method=scipy_name)
            # scipy finds the exact limits by root finding, hence rel=1e-8 for them
            rel = 1e-10 if method == "wilson" else 1e-8
            assert est.lower == pytest.approx(ci.low, rel=rel, abs=1e-14)
            assert est.upper == pytest.approx(ci.high, rel=rel, abs=1e-14)

    def test_jeffreys_boundaries_are_zero_and_one(self) -> None:
        # statsmodels proportion_confint(method="jeffreys"), which has no boundary modification
        low, high = proportion_confint(0, 20, alpha=0.05, method="jeffreys")
        est = proportion(0, 20, method="jeffreys")
        assert est.lower == 0.0
        assert low > 0.0  # the unmodified interval excludes the estimate 0
        assert est.upper == pytest.approx(high, rel=1e-12)
        est = proportion(20, 20, method="jeffreys")
        assert est.upper == 1.0
        assert est.lower == pytest.approx(proportion_confint(20, 20, method="jeffreys")[0])

    def test_risk_difference_matches_statsmodels_newcombe(self) -> None:
        # statsmodels confint_proportions_2indep(method="newcomb", compare="diff")
        rng = np.random.default_rng(4)
        for _ in range(40):
            n1, n2 = (int(x) for x in rng.integers(1, 200, size=2))
            k1, k2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
            level = float(rng.uniform(0.5, 0.99))
            est = risk_difference(k1, n1, k2, n2, confidence_level=level)
            low, high = confint_proportions_2indep(
                k1, n1, k2, n2, method="newcomb", compare="diff", alpha=1 - level
            )
            assert est.value == pytest.approx(k1 / n1 - k2 / n2, rel=1e-12, abs=1e-15)
            assert est.lower == pytest.approx(low, rel=1e-10, abs=1e-14)
            assert est.upper == pytest.approx(high, rel=1e-10, abs=1e-14)

    @pytest.mark.parametrize(
        ("counts", "published"),
        [
            # Newcombe (1998), Table II, method 10, 95% limits
            ((56, 70, 48, 80), (0.0524, 0.3339)),
            ((9, 10, 3, 10), (0.1705, 0.8090)),
            ((5, 56, 0, 29), (-0.0381, 0.1926)),
            ((0, 10, 0, 20), (-0.1611, 0.2775)),
            ((0, 10, 0, 10), (-0.2775, 0.2775)),
            ((10, 10, 0, 20), (0.6791, 1.0000)),
            ((10, 10, 0, 10), (0.6075, 1.0000)),
        ],
    )
    def test_risk_difference_reproduces_newcombe_table_ii(
        self, counts: tuple[int, int, int, int], published: tuple[float, float]
    ) -> None:
        est = risk_difference(*counts)
        assert est.lower == pytest.approx(published[0], abs=5e-5)
        assert est.upper == pytest.approx(published[1], abs=5e-5)

    def test_risk_ratio_and_woolf_match_statsmodels_table2x2(self) -> None:
        # statsmodels Table2x2(shift_zeros=False): riskratio, oddsratio, their intervals and SEs
        for table in _random_tables(5):
            level = 0.9
            ref = Table2x2(table, shift_zeros=False)
            rr = risk_ratio(table, confidence_level=level)
            assert rr.value == pytest.approx(ref.riskratio, rel=1e-12)
            assert (rr.lower, rr.upper) == pytest.approx(
                ref.riskratio_confint(alpha=0.1), rel=1e-10
            )
            assert rr.std_err == pytest.approx(ref.log_riskratio_se, rel=1e-10)
            orr = odds_ratio(table, confidence_level=level)
            assert orr.value == pytest.approx(ref.oddsratio, rel=1e-12)
            assert (orr.lower, orr.upper) == pytest.approx(
                ref.oddsratio_confint(alpha=0.1), rel=1e-10
            )
            assert orr.std_err == pytest.approx(ref.log_oddsratio_se, rel=1e-10)

    def test_explicit_correction_is_applied_and_recorded(self) -> None:
        # statsmodels Table2x2 of the table plus 0.5 in every cell
        table = np.array([[0, 10], [5, 5]])
        shifted = Table2x2(table + 0.5, shift_zeros=False)
        orr = odds_ratio(table, zero_cell_correction=0.5)
        assert orr.zero_cell_correction == 0.5
        assert "0.5 added" in orr.note
        assert orr.value == pytest.approx(shifted.oddsratio, rel=1e-12)
        assert (orr.lower, orr.upper) == pytest.approx(shifted.oddsratio_confint(), rel=1e-10)
        rr = risk_ratio(table, zero_cell_correction=0.5)
        assert rr.zero_cell_correction == 0.5
        assert rr.value == pytest.approx(shifted.riskratio, rel=1e-12)
        assert (rr.lower, rr.upper) == pytest.approx(shifted.riskratio_confint(), rel=1e-10)
        # no zero cell: the correction is not needed and not applied
        plain = odds_ratio([[3, 10], [5, 5]], zero_cell_correction=0.5)
        assert plain.zero_cell_correction == 0.0
        assert plain.note == ""

    def test_conditional_odds_ratio_matches_scipy(self) -> None:
        # scipy.stats.contingency odds_ratio(kind="conditional") and its confidence_interval
        rng = np.random.default_rng(7)
        tables = [rng.integers(0, 25, size=(2, 2)) for _ in range(30)]
        tables += [np.array([[0, 5], [4, 3]]), np.array([[6, 0], [2, 9]])]
        for table in tables:
            if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
                continue
            level = 0.9
            est = odds_ratio(table, method="conditional", confidence_level=level)
            ref = scipy_odds_ratio(table, kind="conditional")
            ci = ref.confidence_interval(confidence_level=level)
            assert est.value == pytest.approx(ref.statistic, rel=1e-10)
            assert est.lower == pytest.approx(ci.low, rel=1e-10)
            assert est.upper == pytest.approx(ci.high, rel=1e-10)

    @pytest.mark.parametrize(
        ("table", "r_values"),
        [
            # fisher.test(matrix(c(3, 1, 1, 3), 2)): 6.408309, 0.2117329 621.9337505
            ([[3, 1], [1, 3]], (6.408309, 0.2117329, 621.9337505)),
            # fisher.test(matrix(c(5, 2, 2, 8), 2)): 8.432004, 0.7302472 162.8048756
            ([[5, 2], [2, 8]], (8.432004, 0.7302472, 162.8048756)),
        ],
    )
    def test_conditional_odds_ratio_agrees_with_r_fisher_test(
        self, table: list[list[int]], r_values: tuple[float, float, float]
    ) -> None:
        est = odds_ratio(table, method="conditional")
        # R's uniroot stops at its default tolerance (about 1e-4 on its own scale), which
        # leaves R's printed estimate within 1e-4 and its upper limit within 1% of the exact
        # solutions; scipy agrees with ipsstats to 1e-10 (test above)
        assert est.value == pytest.approx(r_values[0], rel=1e-4)
        assert est.lower == pytest.approx(r_values[1], rel=1e-4)
        assert est.upper == pytest.approx(r_values[2], rel=1e-2)

    def test_conditional_odds_ratio_ninety_percent_agrees_with_r(self) -> None:
        # fisher.test(TeaTasting, conf.level = 0.9): 0.3135693 308.5568338; the lower limit is
        # also the one-sided limit of fisher.test(TeaTasting, alternative = "greater")
        # (0.3135693 Inf). Solved to full precision (as scipy does): 0.31357377 and 306.23681;
        # R's uniroot tolerance leaves its upper limit 0.8% away.
        est = odds_ratio([[3, 1], [1, 3]], method="conditional", confidence_level=0.9)
        assert est.lower == pytest.approx(0.3135693, rel=1e-4)
        assert est.upper == pytest.approx(308.5568338, rel=1e-2)
        assert est.lower == pytest.approx(0.3135737675049858, rel=1e-9)
        assert est.upper == pytest.approx(306.23680785863934, rel=1e-9)

    @pytest.mark.parametrize("method", list(MULTIPLETESTS_NAME))
    def test_adjust_pvalues_matches_statsmodels(self, method: str) -> None:
        # statsmodels multipletests(p, method=MULTIPLETESTS_NAME[method])
        for seed in range(20):
            p = _random_pvalues(seed)
            expected = multipletests(p, method=MULTIPLETESTS_NAME[method])[1]
            np.testing.assert_allclose(adjust_pvalues(p, method), expected, rtol=1e-10)  # type: ignore[arg-type]

    @pytest.mark.parametrize("method", ["bh", "by"])
    def test_adjust_pvalues_matches_scipy_fdr(self, method: str) -> None:
        # scipy.stats false_discovery_control(p, method="bh" or "by")
        for seed in range(20):
            p = _random_pvalues(seed)
            expected = stats.false_discovery_control(p, method=method)
            np.testing.assert_allclose(adjust_pvalues(p, method), expected, rtol=1e-10)  # type: ignore[arg-type]


def _to_statsmodels(t: NDArray[np.int64]) -> SmStratifiedTable:
    return SmStratifiedTable(np.transpose(t, (1, 2, 0)).astype(np.float64))


class TestStratified:
    """``cmh`` and ``trend``: the examples of R's documentation, statsmodels and scipy.stats.

    R's examples: ``mantelhaen.test`` on ``Rabbits``, ``UCBAdmissions`` and ``Satisfaction``,
    and ``prop.trend.test`` on ``smokers``/``patients``.
    """

    def test_cmh_reproduces_r_rabbits_example(self) -> None:
        # mantelhaen.test(Rabbits): Mantel-Haenszel X-squared = 3.9286, df = 1,
        # p-value = 0.04747; 95 percent CI 1.026713 47.725133; common odds ratio 7
        res = cmh(RABBITS, correction=True)
        assert res.statistic == pytest.approx(3.9286, abs=5e-5)
        assert res.pvalue == pytest.approx(0.04747, abs=5e-6)
        assert res.dof == 1
        assert res.method == "mantel-haenszel"
        assert res.correction is True
        assert res.details["continuity_correction_applied"] is True
        odds = res.common_odds_ratio
        assert odds is not None
        assert odds.value == pytest.approx(7.0, rel=1e-12)
        assert odds.lower == pytest.approx(1.026713, abs=5e-7)
        assert odds.upper == pytest.approx(47.725133, abs=5e-7)

    def test_cmh_rabbits_statistic_is_exact_rational(self) -> None:
        # By hand from the Rabbits strata: sum(a - E a) = 3 and sum(Var a) = 35/22, so
        # X^2 = 9 / (35/22) = 198/35 without the correction and (3 - 1/2)^2 / (35/22) = 55/14
        # with it (R: mantelhaen.test(Rabbits, correct = FALSE) and the default).
        plain = cmh(RABBITS)
        assert plain.statistic == pytest.approx(198 / 35, rel=1e-12)
        assert plain.pvalue == pytest.approx(stats.chi2.sf(198 / 35, 1), rel=1e-12)
        assert plain.details["variance"] == pytest.approx(35 / 22, rel=1e-12)
        assert plain.details["continuity_correction_applied"] is False
        assert cmh(RABBITS, correction=True).statistic == pytest.approx(55 / 14, rel=1e-12)

    def test_cmh_reproduces_r_ucb_admissions_example(self) -> None:
        # mantelhaen.test(UCBAdmissions): Mantel-Haenszel X-squared = 1.4269, df = 1,
        # p-value = 0.2323; 95 percent CI 0.7719074 1.0603298; common odds ratio 0.9046968
        res = cmh(UCB, correction=True)  # R's UCBAdmissions
        assert res.statistic == pytest.approx(1.4269, abs=5e-5)
        assert res.pvalue == pytest.approx(0.2323, abs=5e-5)
        odds = res.common_odds_ratio
        assert odds is not None
        assert odds.value == pytest.approx(0.9046968, abs=5e-8)
        assert odds.lower == pytest.approx(0.7719074, abs=5e-8)
        assert odds.upper == pytest.approx(1.0603298, abs=5e-8)
        assert res.n == 4526

    def test_generalized_cmh_reproduces_r_job_satisfaction_example(self) -> None:
        # mantelhaen.test(Satisfaction): Cochran-Mantel-Haenszel M^2 = 10.2001, df = 9,
        # p-value = 0.3345
        res = cmh(SATISFACTION)
        assert res.method == "generalized-cmh"
        assert res.statistic == pytest.approx(10.2001, abs=5e-5)
        assert res.dof == 9
        assert res.pvalue == pytest.approx(0.3345, abs=5e-5)
        assert res.common_odds_ratio is None
        assert res.homogeneity is None

    @pytest.mark.parametrize("correction", [False, True])
    def test_mh_statistic_matches_statsmodels(self, correction: bool) -> None:
        # statsmodels StratifiedTable.test_null_odds(correction=...)
        for seed in range(25):
            t = _random_stratified(seed)
            ref = _to_statsmodels(t).test_null_odds(correction=correction)
            res = cmh(t, correction=correction)
            delta = abs(
                float(np.sum(t[:, 0, 0] - t[:, 0].sum(1) * t[:, :, 0].sum(1) / t.sum((1, 2))))
            )
            if correction and delta < 0.5:
                continue  # statsmodels subtracts 1/2 even then; R (and ipsstats) do not
            assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
            # statsmodels computes 1 - cdf; compare against the survival function of its statistic
            assert res.pvalue == pytest.approx(stats.chi2.sf(ref.statistic, 1), rel=1e-10)
            assert res.pvalue == pytest.approx(ref.pvalue, abs=1e-12)

    def test_mh_odds_ratio_and_interval_match_statsmodels(self) -> None:
        # statsmodels StratifiedTable: oddsratio_pooled, logodds_pooled_se and
        # oddsratio_pooled_confint
        for seed in range(25):
            t = _random_stratified(seed)
            ref = _to_statsmodels(t)
            level = 0.9
            odds = cmh(t, confidence_level=level).common_odds_ratio
            assert odds is not None
            assert odds.value == pytest.approx(ref.oddsratio_pooled, rel=1e-10)
            assert odds.std_err == pytest.approx(ref.logodds_pooled_se, rel=1e-10)
            low, high = ref.oddsratio_pooled_confint(alpha=1 - level)
            assert odds.lower == pytest.approx(low, rel=1e-10)
            assert odds.upper == pytest.approx(high, rel=1e-10)
            assert odds.confidence_level == level

    def test_breslow_day_tarone_matches_statsmodels(self) -> None:
        # statsmodels StratifiedTable.test_equal_odds(adjust=True)
        for seed in range(25):
            t = _random_stratified(seed)
            ref = _to_statsmodels(t).test_equal_odds(adjust=True)
            homogeneity = cmh(t).homogeneity
            assert homogeneity is not None
            assert homogeneity.method == "breslow-day-tarone"
            assert homogeneity.statistic == pytest.approx(ref.statistic, rel=1e-10)
            assert homogeneity.dof == t.shape[0] - 1
            assert homogeneity.pvalue == pytest.approx(
                stats.chi2.sf(ref.statistic, t.shape[0] - 1), rel=1e-10
            )

    @given(stratified_tables(min_strata=1, max_strata=1, rows=(2, 2), cols=(2, 2)))
    def test_cmh_on_one_stratum_is_scaled_pearson(self, t: NDArray[np.int64]) -> None:
        # scipy.stats chi2_contingency(correction=False) times (n - 1) / n
        table = t[0]
        n = int(table.sum())
        assume((table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all() and n >= 2)
        pearson = stats.chi2_contingency(table, correction=False).statistic
        res = cmh(t)
        assert res.statistic == pytest.approx(pearson * (n - 1) / n, rel=1e-9, abs=1e-12)

    @given(stratified_tables(min_strata=1, max_strata=1, rows=(2, 4), cols=(2, 4)))
    def test_generalized_cmh_on_one_stratum_is_scaled_pearson(self, t: NDArray[np.int64]) -> None:
        # scipy.stats chi2_contingency(correction=False) times (n - 1) / n
        table = t[0]
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        n = int(table.sum())
        assume(min(table.shape) >= 2 and n >= 2)
        pearson = stats.chi2_contingency(table, correction=False).statistic
        res = cmh(t)
        assert res.statistic == pytest.approx(pearson * (n - 1) / n, rel=1e-8, abs=1e-10)
        assert res.dof == (table.shape[0] - 1) * (table.shape[1] - 1)

    def test_trend_reproduces_r_prop_trend_test_example(self) -> None:
        # smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82)
        # prop.trend.test(smokers, patients): X-squared = 8.2249, df = 1, p-value = 0.004132
        res = trend(_trend_table(SMOKERS, PATIENTS))
        assert res.statistic == pytest.approx(8.2249, abs=5e-5)
        assert res.pvalue == pytest.approx(0.004132, abs=5e-7)
        assert res.dof == 1
        assert res.method == "cochran-armitage"
        assert res.slope < 0
        np.testing.assert_allclose(res.proportions, SMOKERS / PATIENTS, rtol=1e-15)
        assert isinstance(res, TrendResult)

    def test_trend_conditional_version_matches_statsmodels_linear_by_linear(self) -> None:
        # statsmodels Table.test_ordinal_association (linear-by-linear), whose z squared is
        # the statistic times (n - 1) / n
        rng = np.random.default_rng(13)
        for _ in range(15):
            k = int(rng.integers(2, 6))
            table = rng.integers(1, 60, size=(k, 2))
            scores = np.arange(k, dtype=float) ** 1.5
            n = int(table.sum())
            res = trend(table, scores=scores)
            ref = Table(table).test_ordinal_association(
                row_scores=scores, col_scores=np.array([1.0, 0.0])
            )
            assert res.statistic * (n - 1) / n == pytest.approx(ref.zscore**2, rel=1e-10)


# Perkins et al. (2022), Table 1: the printed "n (%)" cells, column by column (CNWL, WWT,
# Total).
TABLE1_PRINTED = {
    "White": ["134 (36.7)", "144 (41.3)", "278 (38.9)"],
    "Asian/Asian British": ["77 (21.1)", "114 (32.7)", "191 (26.8)"],
    "Black/Black British": ["64 (17.5)", "63 (18.1)", "127 (17.8)"],
    "Mixed": ["38 (10.4)", "21 (6.0)", "59 (8.3)"],
    "Other": ["52 (14.2)", "7 (2.0)", "59 (8.3)"],
}


class TestTables:
    """``crosstab`` and the tables: Table 1 of the 2022 paper, and pandas.

    The paper is Perkins et al. (2022), BJPsych Bulletin (Table 1 with its erratum, see
    ``tests/categorical/test_tables.py``).
    """

    def test_table1_from_records_reproduces_printed_percentages(self) -> None:
        # Perkins et al. (2022), Table 1: counts, totals and printed cells (TABLE1_PRINTED)
        ethnicity, service = table1_records()
        table = crosstab(
            ethnicity,
            service,
            row_levels=ETHNIC_GROUPS,
            missing_labels=MISSING_LABELS,
            row_name="Ethnicity",
        )
        assert isinstance(table, ContingencyTable)
        assert table.counts.tolist() == np.column_stack(list(TABLE1.values())).tolist()
        assert (table.n, table.n_missing, table.total) == (714, 65, 779)
        assert table.missing_row is not None
        assert table.missing_row.tolist() == [47, 18]
        text = table.format_percent(totals=True)
        lines = text.splitlines()
        assert lines[0].split() == ["Ethnicity", "CNWL", "WWT", "Total"]
        for group, printed in TABLE1_PRINTED.items():
            line = next(line for line in lines if line.startswith(group))
            cells_text = [part.strip() for part in line[len(group) :].split("  ") if part.strip()]
            assert cells_text == printed
        assert lines[-1].split() == ["Missing", "47", "18", "65"]
        assert "134 (36.7)" in table.to_text()

    def test_table1_from_counts_and_mapping(self) -> None:
        # Perkins et al. (2022), Table 1: column and row totals and printed percentages
        table = ContingencyTable.from_counts(
            np.column_stack(list(TABLE1.values())),
            rows=ETHNIC_GROUPS,
            cols=list(TABLE1),
            n_missing=65,
        )
        assert table.col_totals.tolist() == [365, 349]
        assert table.row_totals.tolist() == [278, 191, 127, 59, 59]
        cnwl = Counts.from_mapping(
            {**dict(zip(ETHNIC_GROUPS, TABLE1["CNWL"], strict=True)), "Not known": 47},
            missing_labels=MISSING_LABELS,
            name="CNWL",
        )
        assert (cnwl.n, cnwl.n_missing, cnwl.total) == (365, 47, 412)
        lines = cnwl.format_percent().splitlines()
        assert lines[1].split() == ["White", "134", "(36.7)"]
        assert lines[-1].split() == ["Missing", "47"]
        # percentages round half up from the exact counts, as printed (21/349 = 6.017 -> 6.0)
        assert "21 (6.0)" in table.format_percent()

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_agrees_with_pandas_crosstab(self, seed: int) -> None:
        # pandas crosstab of the same records (pandas drops the missing ones)
        rng = np.random.default_rng(seed)
        n = 2000
        rows = rng.choice(np.array(["a", "b", "c", "d", None], dtype=object), n)
        cols = rng.choice(np.array(["x", "y", "z"], dtype=object), n)
        ours = crosstab(rows, cols)
        theirs = pd.crosstab(pd.Series(rows), pd.Series(cols))
        assert ours.row_levels == tuple(theirs.index)
        assert ours.col_levels == tuple(theirs.columns)
        np.testing.assert_array_equal(ours.counts, theirs.to_numpy())
        assert ours.n_missing == int(pd.isna(rows).sum())
        ints = crosstab(rng.integers(-2, 3, n), rng.integers(0, 4, n))
        assert ints.n == n


class TestUnconditional:
    """Barnard's and Boschloo's tests: Mehta and Senchaudhuri (2003), and scipy's example."""

    def test_barnard_vaccine_trial_matches_mehta_and_senchaudhuri(self) -> None:
        # Mehta and Senchaudhuri (2003), Table 1: 7/15 infected with the vaccine, 12/15 with
        # the placebo; one-sided exact p-values: Barnard 0.0341, Fisher 0.0641 (4 decimals)
        res = barnard(7, 15, 12, 15, alternative="less")
        assert isinstance(res, UnconditionalResult)
        assert res.pvalue == pytest.approx(0.0341, abs=5e-5)
        assert res.statistic == pytest.approx(-1.894, abs=5e-4)  # scipy's documented value
        fisher = stats.fisher_exact([[7, 8], [12, 3]], alternative="less").pvalue
        assert fisher == pytest.approx(0.0641, abs=5e-5)
        assert res.pvalue < fisher  # more powerful here, as the paper shows
        assert (res.method, res.requested, res.reason, res.dof) == ("barnard", "barnard", "", None)
        assert res.observed.tolist() == [[7, 8], [12, 3]]
        assert res.proportions.tolist() == pytest.approx([7 / 15, 12 / 15])
        assert res.details == {"sampling_points": 32, "pooled": True}

    def test_boschloo_job_satisfaction_matches_scipy_example(self) -> None:
        # scipy.stats.boschloo_exact's example (Saari et al. 2004 data): 74 of 117 college
        # professors and 31 of 63 scientists very satisfied; statistic 0.0483, p 0.0355(6)
        res = boschloo(74, 117, 31, 63, alternative="greater")
        assert res.statistic == pytest.approx(0.0483, abs=5e-5)
        assert res.pvalue == pytest.approx(0.03556, abs=5e-6)
        assert res.method == "boschloo"
