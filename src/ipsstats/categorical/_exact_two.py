r"""Exact conditional test of independence for tables with two columns (internal).

Fisher's exact test (2 x 2) and the Fisher-Freeman-Halton test of r x 2 tables (2 x c tables
are transposed first). Given the margins, the first column ``x`` of the table has probability
proportional to :math:`\prod_i \binom{r_i}{x_i}` with :math:`\sum_i x_i = c`. Rows are
placed one at a time, smallest total first; the state after placing some rows (a node) is
the count ``m`` still to be placed in the first column, and a path is a partial table with
its log-probability relative to the observed table. For every node the engine tabulates

- the exact log of the total mass of its completions (Vandermonde's identity),
- the exact most probable completion,
- the exact least probable completion (or, for very large problems, a lower bound),

so that a path is summed whole, dropped, or expanded, as in the network algorithm of Mehta
and Patel [1]_. When two rows remain, the completions of a node are a hypergeometric
distribution, log-concave in the count of the first remaining row: the completions at most
as probable as observed are its two tails, found by bisection and summed outward from the cut
points until the rest is provably negligible.

Every log-probability is relative to the observed table and built from accurate walks over
consecutive binomial ratios (:func:`ipsstats.categorical._exact_common.log_binomial_walks`), so the
p-value keeps about 13 significant digits at any sample size.

References
----------
.. [1] Mehta, C. R. and Patel, N. R. (1983). A network algorithm for performing Fisher's
   exact test in r x c contingency tables. Journal of the American Statistical Association
   78(382), 427-434.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ipsstats.categorical._exact_common import (
    LOG_TOLERANCE,
    MARGIN,
    STEP_WORK,
    Budget,
    concave_tails,
    count_at_most,
    log_binomial_walks,
    logsumexp,
    segment_logsumexp,
)

__all__ = ["two_column_pvalue", "two_column_work_estimate"]

Paths = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]
#: Largest number of (path, count) pairs evaluated at once in the final stage; beyond it
#: the engine finds the cut points by bisection and sums windows of the tails.
_MATERIALISE = 200_000
#: A window of a 2 x 2 support is used only if the mass beyond it is below this (relative
#: to the observed table's probability).
_TAIL_LOG_EPS = math.log(1e-20)
#: Largest array used to tabulate the most and least probable completions by recursion.
_TABLE_LIMIT = 2_000_000
#: Half-width, in standard deviations, of the window of a large 2 x 2 support.
_WINDOW_SDS = 12.0
#: The root's children are kept without classification when there are fewer than this.
_ROOT_CHILDREN = 256


class _Problem:
    """The tables of one r x 2 problem (rows in ascending order of their totals)."""

    def __init__(self, totals: NDArray[np.int64], observed: NDArray[np.int64]) -> None:
        self.totals = totals
        self.observed = observed
        self.n = int(totals.sum())
        self.c = int(observed.sum())
        self.r = len(totals)
        self.lo = np.maximum(0, self.c - (self.n - totals))
        self.hi = np.minimum(totals, self.c)
        pooled = np.cumsum(totals[::-1])[::-1]
        self.pooled = pooled
        self.m_obs = np.cumsum(observed[::-1])[::-1]
        # nodes of stage k: counts left for rows k.., given what rows before can hold
        placed_hi = np.concatenate([[0], np.cumsum(self.hi)[:-1]])
        placed_lo = np.concatenate([[0], np.cumsum(self.lo)[:-1]])
        self.m_lo = np.maximum(np.maximum(0, self.c - (self.n - pooled)), self.c - placed_hi)
        self.m_hi = np.minimum(np.minimum(pooled, self.c), self.c - placed_lo)
        self.m_lo[-1], self.m_hi[-1] = self.lo[-1], self.hi[-1]
        self.repeated = len(set(totals.tolist())) < self.r  # permuted paths can coincide
        self.rows: list[NDArray[np.float64]] = []
        self.mass: dict[int, NDArray[np.float64]] = {}

    def narrow(self, lo: NDArray[np.int64], hi: NDArray[np.int64]) -> None:
        """Restrict the tabulated counts of a 2 x 2 table to a window of its support."""
        self.lo, self.hi = lo, hi
        self.m_lo[-1], self.m_hi[-1] = lo[-1], hi[-1]

    def table_size(self) -> int:
        """Count the entries of the row and pooled tables."""
        inner = slice(1, self.r - 1)
        return int((self.hi - self.lo + 1).sum() + (self.m_hi[inner] - self.m_lo[inner] + 1).sum())

    def tabulate(self) -> None:
        """Walk every row table and every pooled table."""
        r = self.r
        inner = np.arange(1, r - 1)
        lengths = np.concatenate([self.hi - self.lo + 1, self.m_hi[inner] - self.m_lo[inner] + 1])
        walks = log_binomial_walks(
            np.concatenate([self.totals, self.pooled[inner]]),
            np.concatenate([self.lo, self.m_lo[inner]]),
            lengths,
            np.concatenate([self.observed - self.lo, self.m_obs[inner] - self.m_lo[inner]]),
        )
        starts = np.cumsum(lengths) - lengths
        pieces = np.split(walks, starts[1:])
        self.walks = walks
        self.rows = pieces[:r]
        self.mass = {int(k): pieces[r + j] for j, k in enumerate(inner)}
        self.mass[r - 1] = self.rows[r - 1]
        # flat offsets: row tables by row, pooled tables by stage (stage r-1 is the last row)
        self.row_offset = starts[:r] - self.lo
        self.mass_offset = np.concatenate([[0], starts[r:], starts[r - 1 : r]]) - self.m_lo

    def flat_d(self, i: NDArray[np.int64], x: NDArray[np.int64]) -> NDArray[np.float64]:
        """Row tables at rows `i` and counts `x` (elementwise)."""
        return np.asarray(self.walks[self.row_offset[i] + x])

    def flat_mass(self, k: NDArray[np.int64], m: NDArray[np.int64]) -> NDArray[np.float64]:
        """Pooled walks of stages `k` (1 .. r-1) at nodes `m`, relative to the observed."""
        return np.asarray(self.walks[self.mass_offset[k] + m])

    def d(self, i: int, x: NDArray[np.int64]) -> NDArray[np.float64]:
        """Row `i`'s log-binomial at counts `x`, relative to its observed count."""
        return np.asarray(self.rows[i][x - self.lo[i]])

    def x_range_all(self, m: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Feasible counts of row `k` at node ``m[k]`` of stage `k`, for every k."""
        return (
            np.maximum(self.lo[:-1], m - self.m_hi[1:]),
            np.minimum(self.hi[:-1], m - self.m_lo[1:]),
        )

    def x_range(self, k: int, m: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Feasible counts of row `k` at nodes `m` of stage `k`."""
        return (
            np.maximum(self.lo[k], m - self.m_hi[k + 1]),
            np.minimum(self.hi[k], m - self.m_lo[k + 1]),
        )


def two_column_pvalue(counts: NDArray[np.int64], work_limit: int) -> tuple[float, int]:
    """Exact p-value of a validated r x 2 or 2 x c table without empty rows or columns.

    Returns the p-value and the work spent (elements of the vectorised passes).
    """
    if counts.shape[1] != 2:
        counts = counts.T
    col = int(np.argmin(counts.sum(axis=0)))
    totals = counts.sum(axis=1)
    order = np.argsort(totals, kind="stable")
    budget = Budget(work_limit)
    log_p = _log_pvalue(
        totals[order].astype(np.int64), counts[order, col].astype(np.int64), budget
    )
    return min(1.0, math.exp(log_p)), budget.used


def two_column_work_estimate(counts: NDArray[np.int64]) -> int:
    """Work of the row tables built before the first stage (a lower bound on the total)."""
    if counts.shape[1] != 2:
        counts = counts.T
    totals = counts.sum(axis=1)
    n, c = int(totals.sum()), int(counts.sum(axis=0).min())
    width = np.minimum(totals, c) - np.maximum(0, c - (n - totals)) + 1
    if len(totals) == 2:  # a large 2 x 2 support is narrowed to a window (about 25 sd)
        r0 = int(totals[0])
        sd = math.sqrt(c * r0 * (n - r0) * (n - c) / (n * n * (n - 1.0)))
        width = np.minimum(width, 4 * math.ceil(_WINDOW_SDS * sd + 50))
    return STEP_WORK // 5 + int(width.sum()) * 24


def _log_pvalue(
    totals: NDArray[np.int64],
    observed: NDArray[np.int64],
    budget: Budget,
    *,
    window: bool = True,
) -> float:
    """Log p-value for row totals `totals` (ascending) and the observed first column."""
    problem = _Problem(totals, observed)
    r, c = problem.r, problem.c
    support = (problem.lo.copy(), problem.hi.copy())
    bounds = _two_by_two_window(problem) if r == 2 and window else None
    if bounds is not None:
        problem.narrow(*bounds)
    budget.spend(STEP_WORK // 5 + problem.table_size() * 24)
    problem.tabulate()
    if bounds is not None and not _window_is_enough(problem, support):
        return _log_pvalue(totals, observed, budget, window=False)
    anchors = _anchor_masses(problem)
    # with few children, the root's are all kept: classifying them costs more than it saves
    first = 1 if r >= 4 and problem.hi[0] - problem.lo[0] < _ROOT_CHILDREN else 0
    best: dict[int, NDArray[np.float64]] = {}
    worst: dict[int, NDArray[np.float64]] = {}
    for k in range(r - 2, first, -1):
        best[k], worst[k] = _node_bounds(problem, k, best.get(k + 1), worst.get(k + 1), budget)
    found: list[float] = []
    paths: Paths = (np.array([c], dtype=np.int64), np.zeros(1), np.zeros(1))
    if first:
        low, high = problem.x_range(0, paths[0])
        x = np.arange(int(low[0]), int(high[0]) + 1)
        paths = (c - x, problem.d(0, x), np.zeros(len(x)))
    for k in range(first, r - 2):
        nxt = k + 1
        mass = problem.mass[nxt] + anchors[nxt]
        paths, mass_found = _expand(problem, k, paths, (best[nxt], worst[nxt], mass), budget)
        found.append(mass_found)
        if paths[0].size == 0:
            break
    else:
        found.append(_final_pair(problem, paths, budget))
    return logsumexp(np.array(found)) - float(anchors[0])


def _anchor_masses(problem: _Problem) -> NDArray[np.float64]:
    r"""Log total mass of the completions of each stage's observed node.

    Entry `k` is :math:`V_k(m^{obs}_k) = \log \sum \prod_{i \ge k} \binom{r_i}{x_i} /
    \binom{r_i}{x^{obs}_i}` over the completions of the observed node of stage `k`. It is
    :math:`V_{k+1}(m^{obs}_{k+1})` plus :math:`\log \sum_x \exp(D_k(x) + W_{k+1}(m^{obs}_k
    - x))`, a sum of positive terms each relative to the observed table (:math:`W` is the
    pooled walk, zero at the observed node). Entry 0 is minus the log probability of the
    observed table; the pooled walks shifted by entry `k` give the mass of every node of
    stage `k`.
    """
    r = problem.r
    stage = np.arange(r - 1)
    low, high = problem.x_range_all(problem.m_obs[:-1])
    sizes = high - low + 1
    which = np.repeat(stage, sizes)
    x = np.arange(int(sizes.sum())) + np.repeat(low - (np.cumsum(sizes) - sizes), sizes)
    child = problem.m_obs[which] - x
    values = problem.flat_d(which, x) + problem.flat_mass(which + 1, child)
    steps = segment_logsumexp(values, np.cumsum(sizes) - sizes)
    return np.concatenate([np.cumsum(steps[::-1])[::-1], [0.0]])


def _node_bounds(
    problem: _Problem,
    k: int,
    best_next: NDArray[np.float64] | None,
    worst_next: NDArray[np.float64] | None,
    budget: Budget,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Most and least probable completion of every node of stage `k` (1 <= k <= r - 2).

    With two rows left the most probable completion is at the hypergeometric mode and the
    least probable at an end of the support (the log-probability is concave in the count).
    Otherwise a max-plus and a min-plus recursion over the next stage's tables, or, when
    those would be too large, the greedy allocation of the largest consecutive ratios
    (exact: the log-binomials are concave) and the vertex enumeration of
    :func:`_least_probable`.
    """
    m = np.arange(int(problem.m_lo[k]), int(problem.m_hi[k]) + 1)
    low, high = problem.x_range(k, m)
    if k == problem.r - 2:
        budget.spend(len(m) * 30)
        a, b = k, k + 1
        ra, rb = int(problem.totals[a]), int(problem.totals[b])
        mode = np.clip((m + 1) * (ra + 1) // (ra + rb + 2), low, high)
        best = problem.d(a, mode) + problem.d(b, m - mode)
        at_low = problem.d(a, low) + problem.d(b, m - low)
        at_high = problem.d(a, high) + problem.d(b, m - high)
        return best, np.minimum(at_low, at_high)
    assert best_next is not None  # internal invariant: built backwards
    assert worst_next is not None
    x = np.arange(int(problem.lo[k]), int(problem.hi[k]) + 1)
    size = len(m) * len(x)
    if size <= _TABLE_LIMIT:
        budget.spend(size * 12)
        child = m[:, None] - x[None, :] - problem.m_lo[k + 1]
        ok = (child >= 0) & (child <= problem.m_hi[k + 1] - problem.m_lo[k + 1])
        child = np.where(ok, child, 0)
        edge = problem.d(k, x)[None, :]
        best = np.where(ok, edge + best_next[child], -np.inf).max(axis=1)
        worst = np.where(ok, edge + worst_next[child], np.inf).min(axis=1)
        return best, worst
    best = _most_probable(problem, k, m, budget)
    worst = _least_probable(problem, np.arange(k, problem.r), m, budget)
    return best, worst


def _most_probable(
    problem: _Problem, k: int, m: NDArray[np.int64], budget: Budget
) -> NDArray[np.float64]:
    """Most probable completion of rows k.. at nodes `m`, by the greedy allocation."""
    members = np.arange(k, problem.r)
    totals = problem.totals[members]
    caps = np.minimum(totals, problem.c)  # no row takes more than min(r_i, c)
    budget.spend(int(caps.sum()) * (40 + len(members) * 2) + len(members) * len(m) * 4)
    label = np.repeat(np.arange(len(members)), caps)
    x = np.arange(int(caps.sum())) - np.repeat(np.cumsum(caps) - caps, caps)
    gain = np.log1p((totals[label] - 2 * x - 1) / (x + 1.0))
    ranked = label[np.argsort(-gain, kind="stable")]
    best = np.zeros(len(m))
    for j, i in enumerate(members):
        taken = np.concatenate([[0], np.cumsum(ranked == j)])
        best += problem.d(int(i), taken[m])
    return best


def _least_probable(
    problem: _Problem, members: NDArray[np.int64], m: NDArray[np.int64], budget: Budget
) -> NDArray[np.float64]:
    r"""Least probable completion of rows `members` at nodes `m`: a vertex enumeration.

    The log-probability is a concave function of the counts, so its minimum over
    :math:`\{\sum x = m,\ lo \le x \le hi\}` is at a vertex: every row but one at a
    bound. When there are too many vertices, the constraint on the sum is dropped (every
    row at its own least probable count), which still bounds the minimum from below.
    """
    lows, highs = problem.lo[members], problem.hi[members]
    n_rows = len(members)
    ends = np.minimum(
        [float(problem.d(int(i), lows[j : j + 1])[0]) for j, i in enumerate(members)],
        [float(problem.d(int(i), highs[j : j + 1])[0]) for j, i in enumerate(members)],
    )
    size = n_rows * 2 ** (n_rows - 1) * len(m)
    if size > _TABLE_LIMIT:
        return np.full(len(m), float(ends.sum()))
    budget.spend(size * 6)
    masks = np.arange(2 ** (n_rows - 1))
    worst = np.full(len(m), np.inf)
    for free in range(n_rows):
        others = np.delete(np.arange(n_rows), free)
        up = ((masks[:, None] >> np.arange(n_rows - 1)[None, :]) & 1) == 1
        chosen = np.where(up, highs[others][None, :], lows[others][None, :])
        base = np.zeros(len(masks))
        for j, o in enumerate(others):
            base += problem.d(int(members[o]), chosen[:, j])
        rest = m[None, :] - chosen.sum(axis=1)[:, None]
        ok = (rest >= lows[free]) & (rest <= highs[free])
        values = base[:, None] + problem.d(
            int(members[free]), np.clip(rest, lows[free], highs[free])
        )
        worst = np.minimum(worst, np.where(ok, values, np.inf).min(axis=0))
    return worst


def _expand(
    problem: _Problem,
    k: int,
    paths: Paths,
    node: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
    budget: Budget,
) -> tuple[Paths, float]:
    """Place row `k` on every path: sum, drop or keep each child; merge the kept ones."""
    m, past, weight = paths
    best, worst, mass = node
    low, high = problem.x_range(k, m)
    sizes = high - low + 1
    size = int(sizes.sum())
    budget.spend(STEP_WORK // 5 + size * 25)
    path = np.repeat(np.arange(len(m)), sizes)
    x = np.arange(size) + np.repeat(low - (np.cumsum(sizes) - sizes), sizes)
    child = m[path] - x
    value = past[path] + problem.d(k, x)
    index = child - problem.m_lo[k + 1]
    whole = value + best[index] <= LOG_TOLERANCE - MARGIN
    found = logsumexp((weight[path] + value + mass[index])[whole])
    keep = (value + worst[index] <= LOG_TOLERANCE + MARGIN) & ~whole
    kept: Paths = (child[keep], value[keep], weight[path][keep])
    if problem.repeated:
        kept = _merge(*kept)
    return kept, found


def _merge(m: NDArray[np.int64], past: NDArray[np.float64], weight: NDArray[np.float64]) -> Paths:
    """Merge paths reaching the same node with the same past (to 1e-9 on the log scale)."""
    if len(m) <= 1:
        return m, past, weight
    grid = np.round(past * 1e9).astype(np.int64)
    low = int(grid.min())
    span = int(grid.max()) - low + 1
    key = m * span + (grid - low) if (int(m.max()) + 1) * span < 2**62 else None
    order = np.argsort(key) if key is not None else np.lexsort((grid, m))
    m_s, grid_s = m[order], grid[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    new[1:] = (m_s[1:] != m_s[:-1]) | (grid_s[1:] != grid_s[:-1])
    if new.all():
        return m, past, weight
    starts = np.flatnonzero(new)
    weight_s = weight[order]
    top = np.maximum.reduceat(weight_s, starts)
    sizes = np.diff(np.append(starts, len(order)))
    summed = np.add.reduceat(np.exp(weight_s - np.repeat(top, sizes)), starts)
    first = order[starts]
    return m[first], past[first], top + np.log(summed)


def _final_pair(problem: _Problem, paths: Paths, budget: Budget) -> float:
    """Sum the completions at most as probable as observed when two rows remain."""
    m = paths[0]
    a = problem.r - 2
    low, high = problem.x_range(a, m)
    sizes = high - low + 1
    size = int(sizes.sum())
    if size <= _MATERIALISE:
        budget.spend(size * 6)
        found = _final_pair_by_node(problem, paths)
        if found is not None:
            return found
    return _final_pair_windowed(problem, paths, (low, high), budget)


def _final_pair_by_node(problem: _Problem, paths: Paths) -> float | None:
    """:func:`_final_pair` from one sorted table of completions per node.

    Each node's completion values are sorted once and their exponentials summed
    cumulatively, scaled by the largest threshold of all paths; a path then only counts
    its completions at most its threshold. Returns None when a path's threshold is so far
    below that scale that its terms could underflow.
    """
    m, past, weight = paths
    limit = LOG_TOLERANCE - past
    scale = float(limit.max())
    if scale - float(limit.min()) > 600.0:
        return None
    a = problem.r - 2
    nodes, inverse = np.unique(m, return_inverse=True)
    low, high = problem.x_range(a, nodes)
    xs = low[:, None] + np.arange(int((high - low).max()) + 1)[None, :]
    xs = np.minimum(xs, high[:, None])  # repeats the last count: counted once, see below
    values = problem.d(a, xs) + problem.d(a + 1, nodes[:, None] - xs)
    values[:, 1:][xs[:, 1:] == xs[:, :-1]] = np.inf
    values.sort(axis=1)
    count = count_at_most(values, inverse, limit)
    cumulative = np.cumsum(np.exp(np.minimum(values - scale, 0.0)), axis=1)
    hit = count > 0
    sums = cumulative[inverse[hit], count[hit] - 1]
    return logsumexp(weight[hit] + past[hit] + scale + np.log(sums))


def _final_pair_windowed(
    problem: _Problem,
    paths: Paths,
    support: tuple[NDArray[np.int64], NDArray[np.int64]],
    budget: Budget,
) -> float:
    """:func:`_final_pair` by bisection for the cut points and windowed tail sums."""
    m, past, weight = paths
    low, high = support
    a = problem.r - 2

    def value(p: NDArray[np.intp], x: NDArray[np.int64]) -> NDArray[np.float64]:
        return past[p] + problem.d(a, x) + problem.d(a + 1, m[p] - x)

    ra, rb = int(problem.totals[a]), int(problem.totals[a + 1])
    mode = np.clip((m + 1) * (ra + 1) // (ra + rb + 2), low, high)
    return concave_tails(
        value, support, mode, weight=weight, threshold=LOG_TOLERANCE, budget=budget
    )


def _two_by_two_window(problem: _Problem) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Find a window of a large 2 x 2 support holding every count that matters, or None.

    Covers the mode, the observed count, its mirror image about the mode and
    ``12 sd + 50`` beyond them; :func:`_window_is_enough` checks afterwards that the
    probability outside is negligible, else the whole support is used.
    """
    lo, hi = problem.lo, problem.hi
    support = int(hi[0] - lo[0]) + 1
    if support <= _MATERIALISE:
        return None
    n, c, r0 = problem.n, problem.c, int(problem.totals[0])
    mode = (c + 1) * (r0 + 1) // (n + 2)
    sd = math.sqrt(c * r0 * (n - r0) * (n - c) / (n * n * (n - 1.0)))
    reach = math.ceil(_WINDOW_SDS * sd) + 50
    x_obs = int(problem.observed[0])
    mirror = 2 * mode - x_obs
    first = max(int(lo[0]), min(x_obs, mirror, mode) - reach)
    last = min(int(hi[0]), max(x_obs, mirror, mode) + reach)
    if last - first + 1 >= support // 2:
        return None
    return np.array([first, c - last]), np.array([last, c - first])


def _window_is_enough(
    problem: _Problem, support: tuple[NDArray[np.int64], NDArray[np.int64]]
) -> bool:
    """Whether the probability outside a 2 x 2 window is provably negligible.

    At each window edge inside the support the values must decrease outward, and the
    geometric bound on the mass beyond (see :func:`_tail_sums`) must be below 1e-20 of the
    observed table's probability (which is at most the mode's).
    """
    c = problem.c
    for edge, inner, limit in (
        (int(problem.lo[0]), int(problem.lo[0]) + 1, int(support[0][0])),
        (int(problem.hi[0]), int(problem.hi[0]) - 1, int(support[1][0])),
    ):
        if edge == limit:
            continue
        xs = np.array([edge, inner])
        v = problem.d(0, xs) + problem.d(1, c - xs)
        step = float(v[1] - v[0])
        if step <= 0 or float(v[0]) - step - math.log(-math.expm1(-step)) >= _TAIL_LOG_EPS:
            return False
    return True
