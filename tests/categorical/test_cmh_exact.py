"""The exact conditional test of 2 x 2 x K tables and one-sided Mantel-Haenszel tests.

Enumeration, properties and bad input; the references (R's ``mantelhaen.test``, scipy)
are in ``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from numpy.typing import NDArray

from ipsstats import (
    InsufficientDataError,
    InvalidInputError,
    StratifiedTable,
    cmh,
)
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
