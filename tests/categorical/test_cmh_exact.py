"""The exact conditional test of 2 x 2 x K tables and one-sided Mantel-Haenszel tests."""

from __future__ import annotations

import math
import warnings
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from numpy.typing import NDArray
from scipy import stats

from ipsstats import (
    InsufficientDataError,
    InvalidInputError,
    StratifiedTable,
    cmh,
    odds_ratio,
)
from tests.categorical.rscript import r_numbers, requires_r
from tests.strategies import stratified_tables

RABBITS = [
    [[0, 6], [0, 5]],
    [[3, 3], [0, 6]],
    [[6, 0], [2, 4]],
    [[5, 1], [6, 0]],
    [[2, 0], [5, 0]],
]
# R's UCBAdmissions, counts[k] = UCBAdmissions[, , k] (rows Admit, columns Gender)
UCB = [
    [[512, 89], [313, 19]],
    [[353, 17], [207, 8]],
    [[120, 202], [205, 391]],
    [[138, 131], [279, 244]],
    [[53, 94], [138, 299]],
    [[22, 24], [351, 317]],
]
SATISFACTION = np.ones((2, 3, 3), dtype=np.int64)

# R 4.2.2. p: mantelhaen.test(x, exact = TRUE, alternative = a)$p.value (exact sums).
# Estimate and limits: R's own equations solved to full precision, by the R function
# mh_tight written out in test_exact_limits_match_r_solved_tightly (R's mantelhaen.test
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
# mantelhaen.test(Rabbits, exact = TRUE) as R prints it (loose root search)
RABBITS_R_LOOSE = (10.361024081374909, 1.0774014301889798, 529.8373990233523)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_exact_rabbits_matches_r(alternative: str) -> None:
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


def test_exact_rabbits_agrees_with_rs_printed_values_to_its_tolerance() -> None:
    odds = cmh(RABBITS, method="exact").common_odds_ratio
    assert odds is not None
    # R's uniroot stops at tol = .Machine$double.eps^0.25 on psi in (0, 1) or 1/psi:
    # agreement to about 4 significant digits is all R's printed numbers support
    for ours, r in zip((odds.value, odds.lower, odds.upper), RABBITS_R_LOOSE, strict=True):
        assert ours == pytest.approx(r, rel=5e-3)


def test_exact_ucb_admissions_matches_r() -> None:
    # mantelhaen.test(UCBAdmissions, exact = TRUE)$p.value; estimate and limits by mh_tight
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


def _random_strata(rng: np.random.Generator) -> NDArray[np.int64]:
    while True:
        k = int(rng.integers(2, 5))  # R needs two strata or more
        tables = rng.integers(0, 12, size=(k, 2, 2))
        tables[:, 0, 0] += rng.integers(0, 6, size=k)  # some association
        if (tables.sum(axis=(1, 2)) >= 2).all() and cmh_informative(tables):
            return tables


def cmh_informative(tables: NDArray[np.int64]) -> bool:
    rows, cols = tables.sum(axis=2), tables.sum(axis=1)
    return bool(((rows > 0).all(axis=1) & (cols > 0).all(axis=1)).any())


@requires_r
def test_exact_matches_r_live_on_random_strata() -> None:
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


def _brute_force_law(tables: NDArray[np.int64]) -> dict[int, float]:
    """The null law of S by enumerating every joint value of the (0, 0) cells."""
    supports = []
    for t in tables.tolist():
        n1, n2, m1 = t[0][0] + t[0][1], t[1][0] + t[1][1], t[0][0] + t[1][0]
        lo, hi = max(0, m1 - n2), min(n1, m1)
        total = math.comb(n1 + n2, m1)
        supports.append(
            [(x, math.comb(n1, x) * math.comb(n2, m1 - x) / total) for x in range(lo, hi + 1)]
        )
    law: dict[int, float] = defaultdict(float)
    for combination in np.array(np.meshgrid(*[range(len(s)) for s in supports])).T.reshape(
        -1, len(supports)
    ):
        s = sum(supports[k][i][0] for k, i in enumerate(combination))
        law[s] += math.prod(supports[k][i][1] for k, i in enumerate(combination))
    return dict(law)


def test_exact_pvalues_match_brute_force_enumeration() -> None:
    rng = np.random.default_rng(5)
    for _ in range(15):
        tables = _random_strata(rng)
        law = _brute_force_law(tables)
        observed = int(tables[:, 0, 0].sum())
        values = np.array(sorted(law))
        probs = np.array([law[v] for v in values])
        at = probs[values == observed][0]
        expected = {
            "two-sided": probs[probs <= at * (1 + 1e-7)].sum(),
            "less": probs[values <= observed].sum(),
            "greater": probs[values >= observed].sum(),
        }
        for side, p in expected.items():
            res = cmh(tables, method="exact", alternative=side)  # type: ignore[arg-type]
            assert res.pvalue == pytest.approx(min(1.0, p), rel=1e-10)
        # the estimate makes the observed S the conditional mean
        odds = cmh(tables, method="exact").common_odds_ratio
        assert odds is not None
        if odds.value is not None and 0 < odds.value < math.inf:
            weights = probs * odds.value ** (values - values.min())
            mean = float((weights * values).sum() / weights.sum())
            assert mean == pytest.approx(observed, rel=1e-9)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_one_stratum_is_fishers_test(alternative: str) -> None:
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


@given(stratified_tables(max_strata=4, max_count=12))
def test_exact_properties(tables: NDArray[np.int64]) -> None:
    tables = tables[:, :2, :2]
    if not cmh_informative(tables) or (tables.sum(axis=(1, 2)) < 2).all():
        return
    res = cmh(tables, method="exact")
    assert 0.0 <= res.pvalue <= 1.0
    odds = res.common_odds_ratio
    assert odds is not None
    assert odds.lower is not None
    assert odds.upper is not None
    assert odds.value is not None
    assert odds.lower <= odds.value <= odds.upper
    wider = odds.confidence_interval(0.99)
    assert wider.low is not None
    assert wider.high is not None
    assert wider.low <= odds.lower * (1 + 1e-9)
    assert wider.high >= odds.upper * (1 - 1e-9)
    # recomputing at another level is calling again at that level
    again = cmh(tables, method="exact", confidence_level=0.99).common_odds_ratio
    assert again is not None
    assert (wider.low, wider.high) == (again.lower, again.upper)
    # order of strata is irrelevant; swapping the rows inverts the odds ratio
    shuffled = cmh(tables[::-1], method="exact")
    assert shuffled.pvalue == pytest.approx(res.pvalue, rel=1e-9)
    swapped = cmh(tables[:, ::-1, :], method="exact")
    assert swapped.pvalue == pytest.approx(res.pvalue, rel=1e-9)
    other = swapped.common_odds_ratio
    assert other is not None
    assert other.value is not None
    if 0 < odds.value < math.inf:
        assert other.value == pytest.approx(1 / odds.value, rel=1e-8)
    less = cmh(tables, method="exact", alternative="less").pvalue
    greater = cmh(tables, method="exact", alternative="greater").pvalue
    assert less + greater >= 1.0 - 1e-12  # the observed S is in both tails


# --- one-sided Mantel-Haenszel ---------------------------------------------------------------

# mantelhaen.test(Rabbits, alternative = a, correct = c, conf.level = 0.9):
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


@pytest.mark.parametrize(("alternative", "correction"), list(RABBITS_ONE_SIDED))
def test_one_sided_mantel_haenszel_matches_r(alternative: str, correction: bool) -> None:
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


def test_one_sided_pvalues_split_the_two_sided_one() -> None:
    two = cmh(UCB).pvalue
    less, greater = (cmh(UCB, alternative=a).pvalue for a in ("less", "greater"))
    assert min(less, greater) == pytest.approx(two / 2, rel=1e-12)
    assert less + greater == pytest.approx(1.0, rel=1e-12)


def test_estimates_recompute_at_another_level() -> None:
    res = cmh(RABBITS, correction=True)
    odds = res.common_odds_ratio
    assert odds is not None
    at_99 = cmh(RABBITS, correction=True, confidence_level=0.99).common_odds_ratio
    assert at_99 is not None
    assert odds.confidence_interval(0.99) == (at_99.lower, at_99.upper)
    assert odds.confidence_interval() == (odds.lower, odds.upper)


def test_cmh_records_the_request() -> None:
    assert cmh(RABBITS).requested == "asymptotic"
    assert "Mantel-Haenszel" in cmh(RABBITS).reason
    general = cmh(SATISFACTION)
    assert (general.method, general.requested) == ("generalized-cmh", "asymptotic")
    assert "generalised" in general.reason
    assert cmh(RABBITS, method="exact").reason == ""


def test_cmh_conf_level_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated"):
        res = cmh(RABBITS, conf_level=0.9)  # type: ignore[call-arg]
    assert res.common_odds_ratio is not None
    assert res.common_odds_ratio.confidence_level == 0.9


def test_exact_accepts_a_stratified_table() -> None:
    table = StratifiedTable.from_counts(RABBITS, strata=list("abcde"))
    assert cmh(table, method="exact").pvalue == cmh(RABBITS, method="exact").pvalue


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "exact", "stratified": SATISFACTION}, r"`method` must not be 'exact' for"),
        ({"alternative": "less", "stratified": SATISFACTION}, r"`alternative` must not be 'less'"),
        ({"method": "exact", "correction": True}, r"`correction` must be False with method='exac"),
        ({"method": "mid-p"}, r"`method` must be one of 'asymptotic', 'exact'; got 'mid-p'"),
        ({"alternative": "two.sided"}, r"`alternative` must be one of .*Hint: ipsstats spells"),
        (
            {"alternative": "bigger"},
            r"`alternative` must be one of 'two-sided', 'less', 'greater'",
        ),
    ],
)
def test_cmh_rejects_bad_options(kwargs: dict[str, object], match: str) -> None:
    stratified = kwargs.pop("stratified", RABBITS)
    with pytest.raises(InvalidInputError, match=match):
        cmh(stratified, **kwargs)  # type: ignore[arg-type]


def test_exact_without_information_is_refused() -> None:
    # every stratum has a zero margin: S is fixed
    tables = [[[3, 0], [2, 0]], [[0, 0], [4, 5]]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InsufficientDataError, match="no stratum has both groups"):
            cmh(tables, method="exact")
        with pytest.raises(InsufficientDataError, match="no stratum has both groups"):
            cmh(tables)


def test_exact_at_the_end_of_the_support() -> None:
    # the largest possible S: estimate and upper limit infinite, lower limit finite
    tables = [[[4, 0], [0, 3]], [[2, 0], [0, 5]]]
    odds = cmh(tables, method="exact").common_odds_ratio
    assert odds is not None
    assert odds.lower is not None
    assert (odds.value, odds.upper) == (math.inf, math.inf)
    assert 0 < odds.lower < math.inf
    smallest = cmh([[[0, 4], [3, 0]], [[0, 2], [5, 0]]], method="exact").common_odds_ratio
    assert smallest is not None
    assert (smallest.value, smallest.lower) == (0.0, 0.0)
