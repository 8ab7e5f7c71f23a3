"""The exact engines: enumeration at full precision, large-n accuracy, properties, work limits.

The private engines and their helpers are checked here against naive references (fast path
vs naive) and against each other:

- exact enumeration of every table with the observed margins, in floating point with
  ``math.fsum`` (small tables, relative error about 1e-14) or in integer arithmetic
  (2 x 2 and 3 x 2 tables, where the decision "at most as probable as observed" is made
  exactly);
- the engines' alternative code paths, forced by lowering their internal limits.

R's ``fisher.test`` values are checked in ``tests/reference/test_categorical.py``. For r x c
tables R's FEXACT merges partial tables whose log-probabilities differ by less than 3.45e-7
and compares with the same absolute slack, so its p-values can be off by a few 1e-7 in
relative terms: the one R value below is compared with ``rel=1e-6``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import special

import ipsstats.categorical._exact_network as network_module
import ipsstats.categorical._exact_two as two_module
from ipsstats import InvalidInputError, independence
from ipsstats.categorical._exact_common import (
    Budget,
    WorkLimitError,
    concave_tails,
    log_binomial_walks,
)
from ipsstats.categorical._exact_network import network_pvalue
from ipsstats.categorical._exact_two import two_column_pvalue
from ipsstats.categorical.exact import (
    DEFAULT_EXACT_WORK_LIMIT,
    WORK_SECONDS,
    _exact_pvalue,
    _exact_work_estimate,
    fisher_exact_pvalue,
)
from ipsstats.datasets import perkins2022
from tests.strategies import count_tables

UNLIMITED = 10**15

# --- reference implementations ----------------------------------------------------------------


def _splits(total: int, caps: list[int]) -> Iterator[tuple[int, ...]]:
    if len(caps) == 1:
        if total <= caps[0]:
            yield (total,)
        return
    for first in range(min(total, caps[0]) + 1):
        for rest in _splits(total - first, caps[1:]):
            yield (first, *rest)


def _tables(rows: list[int], cols: list[int]) -> Iterator[list[tuple[int, ...]]]:
    if len(rows) == 1:
        yield [tuple(cols)]
        return
    for row in _splits(rows[0], cols):
        left = [c - x for c, x in zip(cols, row, strict=True)]
        for rest in _tables(rows[1:], left):
            yield [row, *rest]


def enumerated_pvalue(table: NDArray[np.int64]) -> float:
    """Every table with the observed margins, summed with ``math.fsum`` (R's 1e-7 rule)."""
    rows, cols = table.sum(axis=1).tolist(), table.sum(axis=0).tolist()
    n = int(table.sum())
    const = sum(math.lgamma(v + 1) for v in rows + cols) - math.lgamma(n + 1)

    def logp(cells: list[tuple[int, ...]]) -> float:
        return const - sum(math.lgamma(v + 1) for row in cells for v in row)

    observed = logp([tuple(row) for row in table.tolist()])
    slack = math.log1p(1e-7)
    terms = (logp(t) for t in _tables(rows, cols))
    return math.fsum(math.exp(v) for v in terms if v <= observed + slack)


def rational_two_by_k(rows: list[int], c: int, observed: list[int]) -> float:
    """Exact p-value of an r x 2 table (r <= 3) in integer arithmetic.

    ``rows`` are the row totals, ``c`` the first column's total and ``observed`` the first
    column. A table's probability is proportional to the product of binomials
    :math:`\\prod_i C(r_i, x_i)`; the rule ``P <= P_obs (1 + 1e-7)`` is decided exactly.
    """
    weight_obs = math.prod(math.comb(r, x) for r, x in zip(rows, observed, strict=True))
    total = 0
    counted = 0
    for head in itertools.product(*(range(min(r, c) + 1) for r in rows[:-1])):
        last = c - sum(head)
        if not 0 <= last <= rows[-1]:
            continue
        weight = math.prod(math.comb(r, x) for r, x in zip(rows, (*head, last), strict=True))
        total += weight
        if weight * 10**7 <= weight_obs * (10**7 + 1):
            counted += weight
    return float(Fraction(counted, total))


def fixed_point_two_by_two(r0: int, r1: int, c: int, x_obs: int, bits: int = 320) -> float:
    """Exact-to-about-1e-90 p-value of a 2 x 2 table by integer fixed-point arithmetic.

    The hypergeometric terms relative to the mode are walked outward with the ratio
    :math:`p(x+1)/p(x) = (r_0 - x)(c - x) / ((x+1)(r_1 - c + x + 1))` on integers scaled by
    2**bits (each step truncates by less than one unit, so after L steps a term is off by
    at most L units). A walk stops when the terms reach 0, i.e. below 2**-bits of the
    mode: the dropped terms weigh less than (support size) * 2**-bits of the total.
    """
    one = 1 << bits
    low, high = max(0, c - r1), min(r0, c)
    mode = (c + 1) * (r0 + 1) // (r0 + r1 + 2)
    terms = {mode: one}
    value, x = one, mode
    while x < high and value:
        value = value * (r0 - x) * (c - x) // ((x + 1) * (r1 - c + x + 1))
        x += 1
        terms[x] = value
    value, x = one, mode
    while x > low and value:
        value = value * x * (r1 - c + x) // ((r0 - x + 1) * (c - x + 1))
        x -= 1
        terms[x] = value
    observed = terms[x_obs]
    assert observed > 0  # the observed table must not be beyond the walk
    counted = sum(v for v in terms.values() if v * 10**7 <= observed * (10**7 + 1))
    return float(Fraction(counted, sum(terms.values())))


# --- the paper's tables -----------------------------------------------------------------------


def enumerated_r_by_2(counts: NDArray[np.int64]) -> float:
    """Every r x 2 table with the observed margins, vectorised over all but the first row.

    Log-probabilities from ``scipy.special.gammaln`` (relative error of the p-value about
    1e-12 for a few hundred observations), summed with numpy's pairwise summation.
    """
    rows = counts.sum(axis=1)
    c = int(counts[:, 0].sum())
    lf = special.gammaln(np.arange(int(rows.max()) + 2) + 1.0)

    def logw(x: NDArray[np.int64], r: int) -> NDArray[np.float64]:
        return np.asarray(lf[r] - lf[x] - lf[r - x])

    observed = sum(
        float(logw(np.array([x]), int(r))[0]) for x, r in zip(counts[:, 0], rows, strict=True)
    )
    grids = np.meshgrid(*(np.arange(int(r) + 1) for r in rows[1:-1]), indexing="ij")
    middle = [g.ravel() for g in grids]
    partial = sum((logw(x, int(r)) for x, r in zip(middle, rows[1:-1], strict=True)), np.zeros(1))
    used = sum(middle, np.zeros(1, dtype=np.int64))
    total = np.zeros(0)
    kept = np.zeros(0)
    for x0 in range(int(rows[0]) + 1):
        last = c - x0 - used
        ok = (last >= 0) & (last <= rows[-1])
        values = logw(np.array([x0]), int(rows[0]))[0] + partial[ok]
        values = values + logw(last[ok], int(rows[-1]))
        if values.size == 0:
            continue
        total = np.append(total, special.logsumexp(values))
        keep = values <= observed + math.log1p(1e-7)
        if keep.any():
            kept = np.append(kept, special.logsumexp(values[keep]))
    return float(np.exp(special.logsumexp(kept) - special.logsumexp(total)))


@pytest.mark.parametrize(
    ("subset", "service"),
    [
        ("jobs_all", "CNWL"),
        ("jobs_all", "WWT"),
        ("jobs_six_month", "CNWL"),
        ("jobs_six_month", "WWT"),
        ("jobs_six_month", "total"),
    ],
)
def test_paper_tables_match_enumeration(subset: str, service: str) -> None:
    # R's FEXACT values for these tables (R_REFERENCES) differ from the enumeration by up
    # to 1.6e-12 here; FEXACT's documented slack allows up to a few 1e-7.
    counts = getattr(perkins2022(), subset)[service].counts
    assert fisher_exact_pvalue(counts) == pytest.approx(enumerated_r_by_2(counts), rel=1e-10)


# --- 2 x 2 and r x 2 accuracy at large n --------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        [[120, 80], [95, 105]],
        [[2510, 2490], [2440, 2560]],
        [[25100, 24900], [24800, 25200]],
        [[251000, 249000], [249500, 250500]],
        [[5, 99_995], [30, 99_970]],  # a skewed support near its end
        [[2502000, 2498000], [2497000, 2503000]],  # the example of the 2x2 precision issue
        [[4_999_000, 1_000], [4_998_000, 2_000]],  # far in the tail: p about 1e-73
    ],
)
def test_two_by_two_is_exact_at_large_n(table: list[list[int]]) -> None:
    counts = np.array(table)
    r0, r1 = (int(v) for v in counts.sum(axis=1))
    reference = fixed_point_two_by_two(r0, r1, int(counts[:, 0].sum()), int(counts[0, 0]))
    # relative error below 1e-12: the probabilities are relative to the observed table and
    # built from compensated sums of log ratios, not from log-factorials of size 1e8
    assert fisher_exact_pvalue(counts) == pytest.approx(reference, rel=1e-12)


def test_two_by_two_large_n_window_matches_whole_support(monkeypatch: pytest.MonkeyPatch) -> None:
    # fast path vs naive: the window around the mode against the whole support
    counts = np.array([[251000, 249000], [249500, 250500]])
    windowed = fisher_exact_pvalue(counts)
    monkeypatch.setattr(two_module, "_MATERIALISE", 10**9)  # no window: the whole support
    assert fisher_exact_pvalue(counts) == pytest.approx(windowed, rel=1e-13)


@pytest.mark.parametrize(
    ("rows", "first"),
    [([40, 70, 95], [12, 30, 41]), ([150, 160, 170], [60, 80, 95]), ([90, 90, 120], [20, 45, 40])],
)
def test_three_by_two_is_exact(rows: list[int], first: list[int]) -> None:
    counts = np.column_stack([first, np.subtract(rows, first)])
    reference = rational_two_by_k(rows, sum(first), first)
    assert fisher_exact_pvalue(counts) == pytest.approx(reference, rel=1e-12)


def test_three_by_two_large_n_final_windows_match_materialised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # fast path vs naive: windowed final sums against materialised ones
    counts = np.array([[1660, 2340], [1160, 1840], [1180, 1820]])
    windowed = fisher_exact_pvalue(counts)
    monkeypatch.setattr(two_module, "_MATERIALISE", 10**9)
    assert fisher_exact_pvalue(counts) == pytest.approx(windowed, rel=1e-12)
    # R: fisher.test(matrix(c(1660,1160,1180,2340,1840,1820),3), workspace=2e7)
    assert windowed == pytest.approx(0.038397104198103368, rel=1e-6)


def test_log_binomial_walks_are_accurate() -> None:
    # private helper vs naive: exact big-integer binomials
    # exact value of log C(R, x) - log C(R, a) from big integers, to 1e-30
    from decimal import Decimal, getcontext  # noqa: PLC0415  # only this test needs it

    getcontext().prec = 50
    total, low, length, anchor = 20_000, 9_000, 2_001, 1_000
    walk = log_binomial_walks(
        np.array([total]), np.array([low]), np.array([length]), np.array([anchor])
    )
    base = math.comb(total, low + anchor)
    for j in (0, 1, 500, 999, 1000, 1001, 1500, 2000):
        exact = (Decimal(math.comb(total, low + j)) / Decimal(base)).ln()
        # absolute error a few ulps of the value itself (|value| up to 1e2), where
        # gammaln differences would be off by about 2e-11
        assert abs(float(Decimal(walk[j]) - exact)) <= 1e-15 * max(1.0, abs(walk[j]))


@pytest.mark.parametrize("offset", [0.0, -3000.0])
def test_concave_tails_match_direct_sums(offset: float) -> None:
    # private helper vs naive: direct sums over every value
    # offset: log-weights far from 0, as in the network engine (absolute, not relative to
    # the observed table): the tails must stop relative to the threshold
    rng = np.random.default_rng(4)
    centre = rng.integers(300, 500, size=40)
    width = rng.integers(0, 40, size=40).astype(float) + 0.5
    low, high = centre - 250, centre + 250
    weight = rng.normal(0.0, 1.0, size=40)
    threshold = offset - 3.0

    def value(path: NDArray[np.intp], x: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.asarray(offset - ((x - centre[path]) ** 2) / (2.0 * width[path] ** 2))

    got = concave_tails(
        value, (low, high), centre, weight=weight, threshold=threshold, budget=Budget(UNLIMITED)
    )
    direct = []
    for p in range(40):
        x = np.arange(low[p], high[p] + 1)
        v = value(np.full(len(x), p), x)
        direct.extend((weight[p] + v[v <= threshold]).tolist())
    expected = special.logsumexp(direct)
    assert got == pytest.approx(expected, rel=1e-13, abs=1e-13)


# --- r x c tables: enumeration and engine agreement ----------------------------------------------

ENUMERATED = [
    [[5, 3, 2], [2, 6, 1], [1, 2, 7]],
    [[3, 0, 2, 1], [1, 4, 0, 2], [0, 1, 3, 3]],
    [[2, 1, 0, 3], [0, 2, 2, 1], [1, 1, 2, 0], [2, 0, 1, 1]],
    [[4, 1, 0], [1, 3, 1], [0, 1, 4], [2, 2, 2], [1, 0, 3]],
    [[6, 2, 1, 0, 1], [1, 4, 2, 2, 0], [0, 1, 3, 2, 4]],
    [[8, 3, 1], [2, 9, 4], [1, 2, 10]],
]


@pytest.mark.parametrize("table", ENUMERATED)
def test_network_matches_enumeration(table: list[list[int]]) -> None:
    # private engine vs enumeration
    counts = np.array(table)
    expected = enumerated_pvalue(counts)
    assert network_pvalue(counts, UNLIMITED)[0] == pytest.approx(expected, rel=1e-12)
    assert fisher_exact_pvalue(counts.T) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("table", ENUMERATED[:3])
def test_network_last_cell_paths_agree(
    table: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # fast path vs naive: the engine's three ways of summing the last free cell agree.
    # The last free cell is summed per node from sorted tables, or per path by bisection
    # and windowed tails, or (second-to-last column) from tabulated completions
    counts = np.array(table)
    first = network_pvalue(counts, UNLIMITED)[0]
    monkeypatch.setattr(network_module, "_TABULATE_LIMIT", 0)
    second = network_pvalue(counts, UNLIMITED)[0]
    monkeypatch.setattr(network_module._Network, "_per_node", staticmethod(lambda *_: False))
    third = network_pvalue(counts, UNLIMITED)[0]
    assert second == pytest.approx(first, rel=1e-12)
    assert third == pytest.approx(first, rel=1e-12)


_tables_2 = count_tables(max_rows=6, max_cols=2, min_cols=2, max_count=12).filter(
    lambda t: bool((t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all())
)
_small = count_tables(max_rows=3, max_cols=4, max_count=3).filter(
    lambda t: bool((t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all())
)


@given(_tables_2)
@settings(max_examples=40)
def test_two_column_engine_agrees_with_network(table: NDArray[np.int64]) -> None:
    # fast path vs naive: the two-column engine against the general network engine
    fast = two_column_pvalue(table, UNLIMITED)[0]
    general = network_pvalue(table, UNLIMITED)[0]
    assert fast == pytest.approx(general, rel=1e-11, abs=1e-300)
    assert 0.0 <= fast <= 1.0


@given(_small, st.randoms(use_true_random=False))
@settings(max_examples=25)
def test_invariant_under_transposition_and_permutation(
    table: NDArray[np.int64], random: object
) -> None:
    p = fisher_exact_pvalue(table)
    assert 0.0 <= p <= 1.0
    rows = list(range(table.shape[0]))
    cols = list(range(table.shape[1]))
    random.shuffle(rows)  # type: ignore[attr-defined]
    random.shuffle(cols)  # type: ignore[attr-defined]
    assert fisher_exact_pvalue(table[rows][:, cols]) == pytest.approx(p, rel=1e-11)
    assert fisher_exact_pvalue(table.T) == pytest.approx(p, rel=1e-11)
    assert p == pytest.approx(enumerated_pvalue(table), rel=1e-11)


# --- work limits ---------------------------------------------------------------------------------


def test_work_is_deterministic_and_bounded() -> None:
    # private engine kept: the public calls may refuse on the up-front estimate (next test)
    # before the engine starts; this checks where the engine itself stops
    table = np.array([[15, 7, 9, 16], [4, 2, 5, 9], [4, 2, 2, 5], [3, 6, 2, 7]])
    p, work = _exact_pvalue(table, UNLIMITED)
    assert _exact_pvalue(table, UNLIMITED) == (p, work)
    with pytest.raises(WorkLimitError, match="`exact_work_limit` must be large enough") as exc:
        _exact_pvalue(table, work // 2)
    assert exc.value.limit == work // 2
    # the engine stops at the first step past the limit: it never does much more
    assert work // 2 < exc.value.work <= work
    assert _exact_pvalue(table, work) == (p, work)


def test_estimate_refuses_before_starting() -> None:
    # private estimate kept: it is internal; the refusal goes through the public function
    table = np.array([[400, 300, 200, 100], [100, 200, 300, 400], [250, 250, 250, 250]])
    estimate = _exact_work_estimate(table)
    with pytest.raises(InvalidInputError, match="needs more than") as exc:
        fisher_exact_pvalue(table, exact_work_limit=estimate - 1)
    assert isinstance(exc.value, WorkLimitError)
    assert exc.value.work == estimate


def test_auto_records_the_decision() -> None:
    # a sparse 6 x 4 table needs a few seconds exactly: over the default limit
    sparse = [[15, 7, 9, 16], [4, 2, 5, 9], [4, 2, 2, 5], [3, 6, 2, 7], [7, 1, 2, 3], [0, 3, 2, 4]]
    res = independence(sparse, n_resamples=2000, rng=5)
    assert res.method == "monte-carlo"
    assert "above the work limit 40,000,000; Monte Carlo with 2,000 resamples used" in res.reason
    assert res.details["exact_work"] > DEFAULT_EXACT_WORK_LIMIT
    assert res.details["exact_work_limit"] == DEFAULT_EXACT_WORK_LIMIT
    # the same call decides the same way, after the same work
    again = independence(sparse, n_resamples=2000, rng=5)
    assert again.details["exact_work"] == res.details["exact_work"]
    assert again.pvalue == res.pvalue
    # a small table goes exact and records its work
    small = independence([[3, 0, 2], [0, 4, 1], [2, 1, 0]])
    assert small.method == "fisher-freeman-halton"
    assert small.reason.endswith("so the exact conditional test was used")
    assert 0 < small.details["exact_work"] <= DEFAULT_EXACT_WORK_LIMIT


def test_default_limit_is_about_a_fifth_of_a_second() -> None:
    assert pytest.approx(0.2) == DEFAULT_EXACT_WORK_LIMIT * WORK_SECONDS


# --- alternative code paths give the same answer ---------------------------------------------


@pytest.mark.parametrize("limit", [0, 2000])
def test_two_column_bounds_without_recursion(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # fast path vs naive: bounds without the recursions against the default path
    # limit 0: greedy most probable completion and the crude least probable bound;
    # 2000: greedy and vertex enumeration (the recursions' tables are larger)
    counts = perkins2022().jobs_all["CNWL"].counts
    expected = fisher_exact_pvalue(counts)
    monkeypatch.setattr(two_module, "_TABLE_LIMIT", limit)
    assert fisher_exact_pvalue(counts) == pytest.approx(expected, rel=1e-12)


def test_two_by_two_too_narrow_window_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # fast path vs naive: a too narrow window falls back to the default path's answer
    counts = np.array([[251000, 249000], [249500, 250500]])
    expected = fisher_exact_pvalue(counts)
    monkeypatch.setattr(two_module, "_WINDOW_SDS", 0.01)  # far too narrow: not enough
    assert fisher_exact_pvalue(counts) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("table", ENUMERATED[:4])
def test_network_tabulated_completions_agree(
    table: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # fast path vs naive: tabulated completions against enumeration
    counts = np.array(table)
    monkeypatch.setattr(network_module._Network, "_tabulate_pays", lambda *_: True)
    assert network_pvalue(counts, UNLIMITED)[0] == pytest.approx(
        enumerated_pvalue(counts), rel=1e-12
    )


def test_merges_agree_whatever_the_key() -> None:
    # fast path vs naive: the engines' merges against each other and the lexsort branch
    rng = np.random.default_rng(9)
    ids = rng.integers(0, 5, size=200)
    past = rng.integers(0, 4, size=200) * 0.5 + rng.normal(0, 1e-13, size=200)
    weight = rng.normal(0, 1, size=200)
    merged = network_module._merge(ids, past, weight)
    huge = network_module._merge(ids * 10**11, past, weight)  # forces the lexsort branch
    assert np.array_equal(merged[0] * 10**11, huge[0])
    np.testing.assert_allclose(merged[3], huge[3], rtol=1e-14)
    # every (id, past) pair is one group, whose weights add up
    assert len(merged[0]) == len({(i, round(p, 6)) for i, p in zip(ids, past, strict=True)})
    np.testing.assert_allclose(special.logsumexp(merged[3]), special.logsumexp(weight), rtol=1e-14)
    two = two_module._merge(ids, past, weight)
    np.testing.assert_allclose(np.sort(two[2]), np.sort(merged[3]), rtol=1e-14)


def test_two_by_two_window_at_the_support_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    # fast path vs naive: windows cut by the support's end against fixed-point enumeration
    # the mode (about 6) is near 0: the window is cut by the end of the support there
    monkeypatch.setattr(two_module, "_MATERIALISE", 100)
    counts = np.array([[9, 2991], [1991, 998_009]])
    r0, r1 = (int(v) for v in counts.sum(axis=1))
    reference = fixed_point_two_by_two(r0, r1, int(counts[:, 0].sum()), int(counts[0, 0]))
    assert fisher_exact_pvalue(counts) == pytest.approx(reference, rel=1e-12)
    monkeypatch.setattr(two_module, "_WINDOW_SDS", 1e6)  # a window wider than half: none
    assert fisher_exact_pvalue(counts) == pytest.approx(reference, rel=1e-12)


def test_final_pair_by_node_declines_far_apart_thresholds() -> None:
    # fast path vs naive: the per-node final pair against the windowed one
    # paths whose thresholds differ by more than 600 (log scale) cannot share a scale
    problem = two_module._Problem(np.array([40, 50, 60]), np.array([10, 20, 30]))
    problem.tabulate()
    m = np.array([40, 40, 45])
    far = (m, np.array([0.0, -700.0, -3.0]), np.zeros(3))
    near = (m, np.array([0.0, -5.0, -3.0]), np.zeros(3))
    assert two_module._final_pair_by_node(problem, far) is None
    by_node = two_module._final_pair_by_node(problem, near)
    assert by_node is not None
    windows = two_module._final_pair_windowed(
        problem, near, problem.x_range(1, m), Budget(UNLIMITED)
    )
    assert by_node == pytest.approx(windows, rel=1e-13)
    assert two_module._final_pair(problem, far, Budget(UNLIMITED)) == pytest.approx(
        two_module._final_pair_windowed(problem, far, problem.x_range(1, m), Budget(UNLIMITED)),
        rel=1e-13,
    )


def enumerated_three_by_three(table: NDArray[np.int64]) -> float:
    """Every 3 x 3 table with the observed margins, vectorised over its four free cells."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    lf = special.gammaln(np.arange(int(table.sum()) + 2) + 1.0)
    grids = np.meshgrid(*(np.arange(int(min(rows[i], cols[j])) + 1)
                          for i in range(2) for j in range(2)), indexing="ij")  # fmt: skip
    x11, x12, x21, x22 = (g.ravel() for g in grids)
    x13, x23 = rows[0] - x11 - x12, rows[1] - x21 - x22
    x31, x32 = cols[0] - x11 - x21, cols[1] - x12 - x22
    x33 = rows[2] - x31 - x32
    cells = np.stack([x11, x12, x13, x21, x22, x23, x31, x32, x33])
    ok = (cells >= 0).all(axis=0)
    logw = -lf[np.where(ok, cells, 0)].sum(axis=0)[ok]
    observed = -lf[table].sum()
    keep = logw <= observed + math.log1p(1e-7)
    return float(np.exp(special.logsumexp(logw[keep]) - special.logsumexp(logw)))


@pytest.mark.parametrize("per_node", [True, False])
def test_network_last_cell_matches_enumeration_at_moderate_n(
    per_node: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # private engine vs enumeration; log-weights far below 0 (about -60): the tails must
    # stop relative to the observed table, not to 1
    counts = np.array([[12, 8, 5], [7, 10, 6], [4, 6, 11]])
    monkeypatch.setattr(network_module._Network, "_per_node", staticmethod(lambda *_: per_node))
    monkeypatch.setattr(network_module, "_TABULATE_LIMIT", 0)
    expected = enumerated_three_by_three(counts)
    assert network_pvalue(counts, UNLIMITED)[0] == pytest.approx(expected, rel=1e-12)
