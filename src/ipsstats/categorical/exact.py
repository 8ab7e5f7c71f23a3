"""Exact conditional tests and Monte Carlo engines for count data.

This module holds the computational engines behind the exact and resampling methods of
:func:`ipsstats.independence`, :func:`ipsstats.homogeneity` and
:func:`ipsstats.goodness_of_fit`:

- :func:`fisher_exact_pvalue`: Fisher's exact test for 2 x 2 tables and the
  Fisher-Freeman-Halton test for r x c tables, computed exactly with a network algorithm;
- :func:`multinomial_exact_pvalue`: the exact multinomial goodness-of-fit test;
- :func:`table_probability`: the hypergeometric probability of a table given its margins;
- :func:`monte_carlo_independence_pvalue` and :func:`monte_carlo_gof_pvalue`: seeded Monte
  Carlo p-values (Patefield's algorithm for tables with fixed margins).

All exact p-values follow R's convention: the p-value is the total probability of the
outcomes whose probability is at most the observed one times :math:`1 + 10^{-7}`, so that
outcomes tied with the observed one in exact arithmetic are never lost to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from ipsstats._arrays import as_counts, as_option, fail
from ipsstats.errors import InsufficientDataError

__all__ = [
    "DEFAULT_EXACT_WORK_LIMIT",
    "RELATIVE_TOLERANCE",
    "fisher_exact_pvalue",
    "monte_carlo_gof_pvalue",
    "monte_carlo_independence_pvalue",
    "multinomial_exact_pvalue",
    "table_probability",
]

#: Relative tolerance of R's exact tests: outcomes with probability up to
#: ``p_observed * (1 + RELATIVE_TOLERANCE)`` count as "at most as probable as observed".
RELATIVE_TOLERANCE = 1e-7

#: Default largest number of network edges (partial tables) an exact test may generate
#: before it stops with an error (about a second of work).
DEFAULT_EXACT_WORK_LIMIT = 5_000_000

_LOG_THRESHOLD_SLACK = math.log1p(RELATIVE_TOLERANCE)
_MERGE_GRID = 1e-9  # past log-probabilities equal to this absolute precision are merged
_CHUNK_PAIRS = 2_000_000  # largest number of candidate edges held in memory at once
_MAX_VERTEX_PARTS = 8  # exact two-stage bounds enumerate parts * 2**(parts - 1) vertices
_ALMOST_ONE = 1.0 - 64.0 * np.finfo(np.float64).eps  # R's tolerance in simulated p-values

Statistic = Literal["pearson", "g"]
RngLike = int | np.random.Generator | None


def _lfact(x: NDArray[np.int64] | NDArray[np.float64] | int) -> NDArray[np.float64]:
    """Log factorial, elementwise."""
    return np.asarray(special.gammaln(np.asarray(x, dtype=np.float64) + 1.0))


def _logsumexp(values: NDArray[np.float64]) -> float:
    if values.size == 0:
        return -math.inf
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).sum()))


def _work_error(work: int, limit: int, what: str) -> Exception:
    return fail(
        "exact_work_limit",
        f"be large enough for the exact {what}",
        f"{limit:,} (the computation needed more than {work:,} steps)",
        hint="use method='monte-carlo' for a seeded Monte Carlo p-value, or raise "
        "`exact_work_limit` if the wait is acceptable.",
    )


def table_probability(table: object) -> float:
    r"""Probability of a table under independence, conditional on its margins.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts.

    Returns
    -------
    float
        The multivariate hypergeometric probability of `table`.

    Raises
    ------
    InvalidInputError
        If `table` is not a 2-D array of non-negative whole numbers.

    Notes
    -----
    With row totals :math:`r_i`, column totals :math:`c_j` and total :math:`n`,

    .. math::

        P(\{n_{ij}\}) = \frac{\prod_i r_i! \, \prod_j c_j!}{n! \, \prod_{ij} n_{ij}!}.

    Examples
    --------
    >>> print(round(table_probability([[3, 1], [1, 3]]), 4))
    0.2286
    """
    counts = as_counts(table, "table", ndim=2)
    return math.exp(_log_table_probability(counts))


def _log_table_probability(counts: NDArray[np.int64]) -> float:
    n = int(counts.sum())
    return float(
        _lfact(counts.sum(axis=1)).sum()
        + _lfact(counts.sum(axis=0)).sum()
        - _lfact(n)
        - _lfact(counts).sum()
    )


# --- Fisher's exact test, 2 x 2 -------------------------------------------------------------


def _fisher_2x2(counts: NDArray[np.int64]) -> float:
    """Two-sided Fisher p-value of a 2 x 2 table with non-zero margins."""
    row1 = int(counts[0].sum())
    col1 = int(counts[:, 0].sum())
    n = int(counts.sum())
    low, high = max(0, col1 - (n - row1)), min(row1, col1)
    support = np.arange(low, high + 1)
    logp = stats.hypergeom.logpmf(support, n, row1, col1)
    observed = logp[int(counts[0, 0]) - low]
    keep = logp <= observed + _LOG_THRESHOLD_SLACK
    return float(min(1.0, np.exp(logp[keep]).sum()))


# --- Fisher-Freeman-Halton test, r x c: network algorithm -----------------------------------


def _even_split_lfact(total: NDArray[np.int64], parts: int) -> NDArray[np.float64]:
    """Smallest sum of log-factorials of `parts` integers summing to `total` (even split)."""
    base, extra = np.divmod(total, parts)
    return np.asarray((parts - extra) * _lfact(base) + extra * _lfact(base + 1))


def _greedy_lfact(totals: NDArray[np.int64], caps: NDArray[np.int64]) -> NDArray[np.float64]:
    """Largest sum of log-factorials when each total is poured into the caps, largest first.

    `totals` has shape (p, k); `caps` has shape (p, m) sorted in decreasing order. Returns,
    per row, the sum over the k totals of the concentrated split's log-factorials.
    """
    before = np.cumsum(caps, axis=-1) - caps
    poured = np.clip(totals[:, :, None] - before[:, None, :], 0, caps[:, None, :])
    return np.asarray(_lfact(poured).sum(axis=(1, 2)))


class _Bounds:
    """Bounds on the remaining log-weight q = -sum log(x!) over completions of a node.

    A node is the sorted vector of remaining margins of the short side; the remaining
    stages have totals ``totals[stage:]``. ``upper`` bounds the most probable completion
    from above, ``lower`` bounds the least probable completion from below and ``log_total``
    is the exact log of the sum of exp(q) over all completions.
    """

    def __init__(self, totals: NDArray[np.int64], parts: int) -> None:
        self.totals = totals
        self.parts = parts
        self.two_parts = parts == 2
        if self.two_parts:
            self._q_max, self._q_min = _two_part_paths(totals)

    def log_total(self, keys: NDArray[np.int64], stage: int) -> NDArray[np.float64]:
        rest = self.totals[stage:]
        n_rest = int(rest.sum())
        return np.asarray(_lfact(n_rest) - _lfact(keys).sum(axis=1) - _lfact(rest).sum())

    def paths(
        self, keys: NDArray[np.int64], stage: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(upper bound of the longest path, lower bound of the shortest path)."""
        if stage == len(self.totals) - 1:
            exact = -_lfact(keys).sum(axis=1)
            return exact, exact
        if self.two_parts:
            index = keys[:, 0]
            return self._q_max[stage][index], self._q_min[stage][index]
        if stage == len(self.totals) - 2 and self.parts <= _MAX_VERTEX_PARTS:
            return _two_stage_paths(keys, int(self.totals[stage]))
        rest = self.totals[stage:]
        # most probable completion: relax one set of margins and split evenly
        by_stage = _even_split_lfact(rest, self.parts).sum()
        by_node = _even_split_lfact(keys, len(rest)).sum(axis=1)
        upper = -np.maximum(by_stage, by_node)
        # least probable completion: relax one set of margins and concentrate
        caps_node = keys[:, ::-1]
        rest_desc = np.sort(rest)[::-1]
        into_nodes = _greedy_lfact(np.broadcast_to(rest, (len(keys), len(rest))), caps_node)
        into_stages = _greedy_lfact(keys, np.broadcast_to(rest_desc, (len(keys), len(rest))))
        lower = -np.minimum(into_nodes, into_stages)
        return upper, lower


def _two_stage_paths(
    keys: NDArray[np.int64], total: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact longest and shortest paths when two stages remain.

    The completion is fixed by the split ``x`` of the stage total over the node's margins
    ``r``, with weight ``-sum(log x! + log (r - x)!)``. The cost is convex and separable in
    ``x``: its minimum takes the `total` smallest marginal costs
    ``log(k + 1) - log(r_i - k)``; its maximum is at a vertex of the polytope
    ``{0 <= x <= r, sum x = total}`` (every margin but one at a bound).
    """
    p, parts = keys.shape
    base = _lfact(keys).sum(axis=1)  # cost of x = 0 (log 0! + log r!)
    width = int(keys.max()) if keys.size else 0
    step = np.arange(width)[None, None, :]
    with np.errstate(divide="ignore"):
        marginal = np.where(
            step < keys[:, :, None],
            np.log(step + 1.0) - np.log(np.maximum(keys[:, :, None] - step, 1)),
            np.inf,
        ).reshape(p, -1)
    smallest = np.sort(marginal, axis=1)[:, :total].sum(axis=1)
    longest = -(base + smallest)
    # vertices: a subset of margins full, one free margin taking the rest
    subsets = np.array(
        [[(mask >> i) & 1 for i in range(parts)] for mask in range(2**parts)], dtype=np.int64
    )
    full = keys @ subsets.T  # (p, 2**parts): total taken by the full margins
    worst = np.full(p, -np.inf)
    for free in range(parts):
        allowed = subsets[:, free] == 0
        rest = total - full[:, allowed]
        ok = (rest >= 0) & (rest <= keys[:, free, None])
        x = subsets[allowed][None, :, :] * keys[:, None, :]
        x[:, :, free] = np.clip(rest, 0, keys[:, free, None])
        cost = (_lfact(x) + _lfact(keys[:, None, :] - x)).sum(axis=2)
        worst = np.maximum(worst, np.where(ok, cost, -np.inf).max(axis=1))
    return longest, -worst


def _two_part_paths(
    totals: NDArray[np.int64],
) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]]]:
    """Exact longest and shortest remaining paths when the short side has two margins.

    Backward dynamic programme over stages; ``q[stage][a]`` is indexed by the first
    remaining margin ``a`` (the second is the remaining total minus ``a``).
    """
    n_stages = len(totals)
    remaining = np.concatenate([np.cumsum(totals[::-1])[::-1], [0]])
    q_max: list[NDArray[np.float64]] = [np.zeros(1)] * (n_stages + 1)
    q_min: list[NDArray[np.float64]] = [np.zeros(1)] * (n_stages + 1)
    for stage in range(n_stages - 1, -1, -1):
        total, n_here, n_next = (
            int(totals[stage]),
            int(remaining[stage]),
            int(remaining[stage + 1]),
        )
        a = np.arange(n_here + 1)[:, None]
        x = np.arange(total + 1)[None, :]
        a_next = a - x
        ok = (a_next >= 0) & (a_next <= n_next)
        edge = -(_lfact(x) + _lfact(total - x))
        index = np.clip(a_next, 0, n_next)
        q_max[stage] = np.where(ok, edge + q_max[stage + 1][index], -np.inf).max(axis=1)
        q_min[stage] = np.where(ok, edge + q_min[stage + 1][index], np.inf).min(axis=1)
    return q_max, q_min


def _node_codes(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """One integer per node (mixed radix), or a lexicographic rank when that overflows."""
    base = int(keys.max()) + 1 if keys.size else 1
    if base ** keys.shape[1] < 2**62:
        return np.asarray(keys @ (base ** np.arange(keys.shape[1], dtype=np.int64)))
    return np.asarray(np.unique(keys, axis=0, return_inverse=True)[1].ravel().astype(np.int64))


def _merge(
    keys: NDArray[np.int64], past: NDArray[np.float64], weight: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Merge paths that reach the same node with the same past probability.

    `weight` is the log number of merged paths; merged weights add (in log space).
    """
    if len(past) <= 1:
        return keys, past, weight
    grid = np.round(past / _MERGE_GRID).astype(np.int64)
    code = _node_codes(keys)
    order = np.lexsort((grid, code))
    code_s, grid_s = code[order], grid[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    new[1:] = (grid_s[1:] != grid_s[:-1]) | (code_s[1:] != code_s[:-1])
    starts = np.flatnonzero(new)
    weight_s = weight[order]
    top = np.maximum.reduceat(weight_s, starts)
    group = np.cumsum(new) - 1
    summed = np.add.reduceat(np.exp(weight_s - top[group]), starts)
    first = order[starts]
    return keys[first], past[first], top + np.log(summed)


def _unique_nodes(
    keys: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """Find the distinct rows of `keys` and, for each row, the index of its node."""
    _, first, inverse = np.unique(_node_codes(keys), return_index=True, return_inverse=True)
    return keys[first], inverse.ravel()


def _splits(total: int, caps: NDArray[np.int64], limit: int = 2**62) -> NDArray[np.int64]:
    """Every vector x with ``sum(x) == total`` and ``0 <= x <= caps`` (one per row).

    Built part by part, keeping only prefixes the remaining caps can complete. Raises the
    work-limit error if more than `limit` prefixes would be held.
    """
    after = np.concatenate([np.cumsum(caps[::-1])[::-1][1:], [0]])
    prefix = np.zeros((1, 0), dtype=np.int64)
    used = np.zeros(1, dtype=np.int64)
    for part in range(len(caps) - 1):
        left = total - used
        low = np.maximum(0, left - after[part])
        high = np.minimum(caps[part], left)
        size = high - low + 1
        if int(size.sum()) > limit:
            raise _work_error(int(size.sum()), limit, "test of this table")
        parent = np.repeat(np.arange(len(used)), size)
        offset = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
        value = low[parent] + offset
        prefix = np.column_stack([prefix[parent], value])
        used = used[parent] + value
    return np.column_stack([prefix, total - used])


def _groups(keys: NDArray[np.int64]) -> list[tuple[NDArray[np.int64], NDArray[np.intp]]]:
    """Group the paths by node: each distinct node with the positions of its paths."""
    nodes, inverse = _unique_nodes(keys)
    order = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(nodes)))])
    return [(nodes[u], order[bounds[u] : bounds[u + 1]]) for u in range(len(nodes))]


def _merge_parts(
    keys: list[NDArray[np.int64]],
    past: list[NDArray[np.float64]],
    weight: list[NDArray[np.float64]],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`_merge` of paths collected in parts."""
    return _merge(np.concatenate(keys), np.concatenate(past), np.concatenate(weight))


def _expand(
    keys: NDArray[np.int64],
    past: NDArray[np.float64],
    weight: NDArray[np.float64],
    total: int,
    budget: tuple[int, int],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], int]:
    """All children of the given paths for one stage; returns merged children and work.

    `budget` is (work done so far, work limit); the work-limit error is raised as soon as
    the edges generated would exceed it.
    """
    if keys.shape[1] == 2:
        return _expand_two(keys, past, weight, total, budget)
    out_k, out_p, out_w = [], [], []
    work = pending = 0
    for node, members in _groups(keys):
        comps = _splits(total, node, budget[1])
        work += len(comps) * len(members)
        if work > budget[1] - budget[0]:
            raise _work_error(budget[0] + work, budget[1], "test of this table")
        edge = -_lfact(comps).sum(axis=1)
        child = np.sort(node - comps, axis=1)
        out_k.append(np.tile(child, (len(members), 1)))
        out_p.append((past[members][:, None] + edge[None, :]).ravel())
        out_w.append(np.repeat(weight[members], len(comps)))
        pending += len(comps) * len(members)
        if pending > _CHUNK_PAIRS:  # merge as we go to bound memory
            merged = _merge_parts(out_k, out_p, out_w)
            out_k, out_p, out_w = [merged[0]], [merged[1]], [merged[2]]
            pending = len(merged[1])
    return (*_merge_parts(out_k, out_p, out_w), work)


def _expand_two(
    keys: NDArray[np.int64],
    past: NDArray[np.float64],
    weight: NDArray[np.float64],
    total: int,
    budget: tuple[int, int],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], int]:
    """:func:`_expand` for nodes of two margins, vectorised over all paths at once."""
    first = np.arange(total + 1)
    comps = np.column_stack([first, total - first])
    edge = -_lfact(comps).sum(axis=1)
    nodes, inverse = _unique_nodes(keys)
    feasible: NDArray[np.bool_] = np.asarray((comps[None, :, :] <= nodes[:, None, :]).all(axis=2))
    work = int(feasible.sum(axis=1)[inverse].sum())
    if work > budget[1] - budget[0]:
        raise _work_error(budget[0] + work, budget[1], "test of this table")
    chunk = max(1, _CHUNK_PAIRS // max(1, len(comps)))
    out_k, out_p, out_w = [], [], []
    for start in range(0, len(keys), chunk):
        rows, cols = np.nonzero(feasible[inverse[start : start + chunk]])
        rows += start
        child = np.sort(keys[rows] - comps[cols], axis=1)
        merged = _merge(child, past[rows] + edge[cols], weight[rows])
        out_k.append(merged[0])
        out_p.append(merged[1])
        out_w.append(merged[2])
    return (*_merge_parts(out_k, out_p, out_w), work)


def _finish(  # noqa: PLR0917  # internal: the state of the paths plus the stage
    keys: NDArray[np.int64],
    past: NDArray[np.float64],
    weight: NDArray[np.float64],
    total: int,
    threshold: float,
    budget: tuple[int, int],
) -> tuple[NDArray[np.float64], int]:
    """Log-contributions of paths when two stages remain (the last stage is forced).

    Each node's completions are its splits of the stage total; their log-weights are
    sorted once per node, and every path takes the prefix at most its threshold.
    """
    out: list[NDArray[np.float64]] = []
    work = 0
    for node, members in _groups(keys):
        comps = _splits(total, node, budget[1])
        work += len(comps) + len(members)
        if work > budget[1] - budget[0]:
            raise _work_error(budget[0] + work, budget[1], "test of this table")
        values = np.sort(-(_lfact(comps) + _lfact(node - comps)).sum(axis=1))
        cumulative = np.logaddexp.accumulate(values)
        taken = np.searchsorted(values, threshold - past[members], side="right")
        hit = taken > 0
        rows = members[hit]
        out.append(weight[rows] + past[rows] + cumulative[taken[hit] - 1])
    return np.concatenate(out) if out else np.zeros(0), work


def _network_pvalue(counts: NDArray[np.int64], work_limit: int) -> tuple[float, int]:
    """Fisher-Freeman-Halton p-value by the network algorithm; returns (p, work)."""
    if counts.shape[0] > counts.shape[1]:
        counts = counts.T
    node_margins = np.sort(counts.sum(axis=1))
    totals = np.sort(counts.sum(axis=0))  # largest stage last: it is forced
    log_const = float(
        _lfact(node_margins).sum() + _lfact(totals).sum() - _lfact(int(counts.sum()))
    )
    threshold = float(-_lfact(counts).sum()) + _LOG_THRESHOLD_SLACK
    bounds = _Bounds(totals, len(node_margins))
    keys = node_margins[None, :].astype(np.int64)
    past = np.zeros(1)
    weight = np.zeros(1)
    found: list[NDArray[np.float64]] = []
    work = 0
    for stage, total in enumerate(totals):
        nodes, inverse = _unique_nodes(keys)
        upper, lower = bounds.paths(nodes, stage)
        log_total = bounds.log_total(nodes, stage)
        every = past + upper[inverse] <= threshold
        found.append(weight[every] + past[every] + log_total[inverse[every]])
        expand = ~every & (past + lower[inverse] <= threshold)
        if not expand.any():
            break
        budget = (work, work_limit)
        if stage == len(totals) - 2:
            finished, step = _finish(
                keys[expand], past[expand], weight[expand], total, threshold, budget
            )
            found.append(finished)
            work += step
            break
        keys, past, weight, step = _expand(
            keys[expand], past[expand], weight[expand], total, budget
        )
        work += step
    log_p = _logsumexp(np.concatenate(found)) + log_const
    return min(1.0, math.exp(log_p)), work


def _nonempty(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Drop empty rows and columns (they do not change the conditional distribution)."""
    return np.asarray(counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0])


def fisher_exact_pvalue(
    table: object, *, exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT
) -> float:
    r"""Two-sided exact conditional test of independence in an r x c table.

    Fisher's exact test for 2 x 2 tables; the Fisher-Freeman-Halton test for larger
    tables, computed exactly by a network algorithm (no sampling).

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts. Empty rows and columns are dropped first.
    exact_work_limit : int, optional
        Largest number of network edges (partial tables) to generate before stopping with
        an error.

    Returns
    -------
    float
        The p-value: the total probability, given both margins, of the tables at most as
        probable as the observed one (with R's relative tolerance :math:`10^{-7}`).

    Raises
    ------
    InvalidInputError
        If `table` does not hold non-negative whole numbers, or the computation would
        exceed `exact_work_limit`.
    InsufficientDataError
        If fewer than two rows or columns are non-empty.

    Notes
    -----
    Under independence and given the margins, a table has the multivariate hypergeometric
    probability :math:`P(T)` (see :func:`table_probability`) and

    .. math::

        p = \sum_{T:\, P(T) \le P(T_{obs})(1 + 10^{-7})} P(T).

    The network algorithm [1]_ builds the table one column (stage) at a time, after
    transposing so that the rows are the shorter side and sorting the columns so the
    largest comes last. A node is the sorted vector of row margins not yet used: two
    partial tables reaching the same node have the same set of completions. Paths
    reaching a node with equal past probability are merged. At each node three bounds
    decide a path without expanding it: the exact sum of all completions,
    :math:`n'! / (\prod_i r'_i! \prod_j c'_j!)`; an upper bound on the most probable
    completion (if even that keeps the table at most as probable as observed, every
    completion counts); and a lower bound on the least probable completion (if even that
    is more probable than observed, none counts). With two rows the longest and shortest
    paths are exact (a dynamic programme over the stages); otherwise they come from
    relaxing one set of margins.

    References
    ----------
    .. [1] Mehta, C. R. and Patel, N. R. (1983). A network algorithm for performing
       Fisher's exact test in r x c contingency tables. Journal of the American
       Statistical Association 78(382), 427-434.
    .. [2] R Core Team. ``fisher.test``, R package stats (documentation, Examples:
       "Job satisfaction" table, p-value 0.7827).

    Examples
    --------
    R's job satisfaction example (``fisher.test(Job)``):

    >>> job = [[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]
    >>> print(round(fisher_exact_pvalue(job), 4))
    0.7827
    """
    counts = as_counts(table, "table", ndim=2)
    limit = _as_work_limit(exact_work_limit)
    kept = _nonempty(counts)
    if kept.shape[0] < 2 or kept.shape[1] < 2:
        raise InsufficientDataError(
            "`table` must have at least two non-empty rows and two non-empty columns for an "
            f"exact test; got {kept.shape[0]} non-empty row(s) and {kept.shape[1]} "
            "non-empty column(s).",
            argument="table",
        )
    return _exact_pvalue(kept, limit)[0]


def _exact_pvalue(counts: NDArray[np.int64], work_limit: int) -> tuple[float, int]:
    """Exact p-value of a validated table without empty rows or columns; (p, work)."""
    if counts.shape == (2, 2):
        return _fisher_2x2(counts), 2
    return _network_pvalue(counts, work_limit)


def _as_work_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise fail("exact_work_limit", "be a positive integer", repr(value))
    return int(value)


# --- exact multinomial goodness of fit ------------------------------------------------------


def multinomial_exact_pvalue(
    observed: object,
    probabilities: object,
    *,
    exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT,
) -> float:
    r"""Exact multinomial goodness-of-fit p-value.

    Parameters
    ----------
    observed : array-like of int, shape (k,)
        Observed counts.
    probabilities : array-like of float, shape (k,)
        Hypothesised category probabilities, summing to 1.
    exact_work_limit : int, optional
        Largest number of partial outcomes to generate before stopping with an error.

    Returns
    -------
    float
        The total probability of the outcomes (with the same total) at most as probable as
        the observed one, with R's relative tolerance :math:`10^{-7}`.

    Raises
    ------
    InvalidInputError
        If the inputs are not valid counts and probabilities of equal length, or the
        computation would exceed `exact_work_limit`.

    Notes
    -----
    The outcome :math:`x` has probability
    :math:`P(x) = n! \prod_i p_i^{x_i} / x_i!` and

    .. math::

        p = \sum_{x:\, P(x) \le P(x_{obs})(1 + 10^{-7})} P(x).

    The sum is computed with the network algorithm of :func:`fisher_exact_pvalue`
    specialised to one margin: a stage is a category, a node the number of observations
    not yet allocated, and the longest and shortest remaining paths are exact (a dynamic
    programme). The sum of every completion of a node with :math:`n'` observations left
    over categories with total probability :math:`s` is :math:`s^{n'} / n'!`. Categories
    with probability 0 must have count 0 and are dropped. The work counted against
    `exact_work_limit` is the :math:`k (n + 1)^2` steps of the dynamic programme plus the
    partial outcomes generated; with the default limit, samples of a few hundred
    observations take milliseconds.

    Examples
    --------
    >>> print(round(multinomial_exact_pvalue([3, 0, 1], [0.25, 0.5, 0.25]), 4))
    0.0391
    """
    counts = as_counts(observed, "observed", ndim=1)
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.shape != counts.shape:
        raise fail(
            "probabilities",
            "have one value per category of `observed`",
            f"{probs.size} values for {counts.size} categories",
        )
    if not (np.isfinite(probs).all() and (probs >= 0).all()) or abs(probs.sum() - 1) > 1e-8:
        raise fail("probabilities", "hold non-negative numbers summing to 1", repr(probs))
    impossible = (probs == 0) & (counts > 0)
    if impossible.any():
        raise fail(
            "observed",
            "be zero where the probability is zero",
            f"{int(counts[impossible][0])} at index {int(np.flatnonzero(impossible)[0])}",
        )
    limit = _as_work_limit(exact_work_limit)
    keep = probs > 0
    return _multinomial_pvalue(counts[keep], probs[keep], limit)


def _multinomial_pvalue(
    counts: NDArray[np.int64], probs: NDArray[np.float64], work_limit: int
) -> float:
    """Exact multinomial p-value on validated input with positive probabilities."""
    n = int(counts.sum())
    k = len(counts)
    if k <= 1 or n == 0:
        return 1.0
    work = k * (n + 1) ** 2  # the dynamic programme for the path bounds
    if work > work_limit:
        raise _work_error(work, work_limit, "multinomial test")
    log_p = np.log(probs)
    threshold = float((counts * log_p - _lfact(counts)).sum()) + _LOG_THRESHOLD_SLACK
    # suffix sums of probabilities, and exact longest/shortest remaining paths over nodes
    tail = np.concatenate([np.cumsum(probs[::-1])[::-1], [0.0]])
    nodes = np.arange(n + 1)
    q_max = [np.zeros(n + 1)] * (k + 1)
    q_min = [np.zeros(n + 1)] * (k + 1)
    q_max[k - 1] = q_min[k - 1] = nodes * log_p[k - 1] - _lfact(nodes)
    for stage in range(k - 2, -1, -1):
        x = nodes[None, :]
        left = nodes[:, None] - x
        ok = left >= 0
        edge = x * log_p[stage] - _lfact(x)
        index = np.clip(left, 0, n)
        q_max[stage] = np.where(ok, edge + q_max[stage + 1][index], -np.inf).max(axis=1)
        q_min[stage] = np.where(ok, edge + q_min[stage + 1][index], np.inf).min(axis=1)
    node = np.array([n])
    past = np.zeros(1)
    weight = np.zeros(1)
    found: list[NDArray[np.float64]] = []
    for stage in range(k):
        every = past + q_max[stage][node] <= threshold
        log_total = node * math.log(tail[stage]) - _lfact(node) if tail[stage] > 0 else 0.0
        found.append((weight + past + log_total)[every])
        expand = ~every & (past + q_min[stage][node] <= threshold)
        if not expand.any() or stage == k - 1:
            break
        node, past, weight = node[expand], past[expand], weight[expand]
        work += int((node + 1).sum())
        if work > work_limit:
            raise _work_error(work, work_limit, "multinomial test")
        x = np.arange(n + 1)
        rows, taken = np.nonzero(x[None, :] <= node[:, None])
        child = node[rows] - x[taken]
        new_past = past[rows] + taken * log_p[stage] - _lfact(taken)
        keys, past, weight = _merge(child[:, None], new_past, weight[rows])
        node = keys[:, 0]
    log_pvalue = _logsumexp(np.concatenate(found)) + float(_lfact(n))
    return min(1.0, math.exp(log_pvalue))


# --- Monte Carlo ----------------------------------------------------------------------------


def _resolve_rng(rng: object) -> tuple[np.random.Generator, int | None]:
    """Turn `rng` into a numpy Generator; return it with the integer seed used (if any).

    ``None`` draws a fresh seed from the operating system and returns it, so the result
    can record it and be reproduced.
    """
    if isinstance(rng, np.random.Generator):
        return rng, None
    if rng is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]  # entropy is an int when not given
        return np.random.default_rng(seed), seed
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng)), int(rng)
    raise fail("rng", "be a non-negative integer seed or a numpy Generator", repr(rng))


def _table_statistics(
    tables: NDArray[np.int64], expected: NDArray[np.float64], statistic: Statistic
) -> NDArray[np.float64]:
    """Pearson or G statistic of a stack of tables or vectors (first axis) against `expected`."""
    flat = tables.reshape(len(tables), -1)
    if statistic == "pearson":
        diff = flat - expected.ravel()
        return np.asarray((diff * diff) @ (1.0 / expected.ravel()))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(flat > 0, flat * np.log(flat / expected.ravel()), 0.0)
    return np.asarray(2.0 * terms.sum(axis=1))


def _two_column_pearson(
    first: NDArray[np.int64], expected: NDArray[np.float64]
) -> NDArray[np.float64]:
    r"""Compute the Pearson statistic of r x 2 tables from their first column alone.

    The second column's deviations are the first's negated, so
    :math:`X^2 = \sum_i (x_i - E_{i1})^2 (1/E_{i1} + 1/E_{i2})`.
    """
    diff = first - expected[:, 0]
    return np.asarray((diff * diff) @ (1.0 / expected[:, 0] + 1.0 / expected[:, 1]))


def _count_at_least(
    draw: Callable[[int], NDArray[np.float64]], observed: float, n_resamples: int
) -> int:
    """Count simulated statistics at least the observed one (R's tolerance), in chunks."""
    hits = 0
    chunk = 200_000
    for start in range(0, n_resamples, chunk):
        values = draw(min(chunk, n_resamples - start))
        hits += int(np.count_nonzero(values >= _ALMOST_ONE * observed))
    return hits


def monte_carlo_independence_pvalue(
    table: object,
    *,
    n_resamples: int = 10_000,
    statistic: Statistic = "pearson",
    rng: RngLike = None,
) -> tuple[float, int | None]:
    r"""Monte Carlo p-value of a test of independence, with both margins fixed.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts; every row and column must be non-empty.
    n_resamples : int, optional
        Number of simulated tables :math:`B`.
    statistic : {"pearson", "g"}, optional
        The statistic compared.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator; ``None`` draws a seed and returns it.

    Returns
    -------
    pvalue : float
        :math:`(1 + \#\{T_b \ge T_{obs}\}) / (B + 1)`, as R's ``simulate.p.value``.
    seed : int or None
        The integer seed used, or ``None`` when a Generator was given.

    Raises
    ------
    InvalidInputError
        If an argument is invalid.
    InsufficientDataError
        If a row or column of `table` is empty.

    Notes
    -----
    Tables are drawn from the hypergeometric distribution given both margins with
    Patefield's algorithm [1]_ (``scipy.stats.random_table``; for tables with two rows or
    columns the algorithm reduces to sequential hypergeometric draws of one column, done by
    ``numpy.random.Generator.multivariate_hypergeometric(method="marginals")``), and the
    statistic is computed for all of them at once. A simulated statistic counts as "at least the
    observed" when it is at least :math:`(1 - 64\epsilon)` times it, as in R.

    References
    ----------
    .. [1] Patefield, W. M. (1981). Algorithm AS 159: an efficient method of generating
       random r x c tables with given row and column totals. Applied Statistics 30(1),
       91-97.

    Examples
    --------
    >>> p, seed = monte_carlo_independence_pvalue([[12, 5], [3, 10]], n_resamples=2000,
    ...                                           rng=1)
    >>> print(seed, 0.005 < p < 0.05)
    1 True
    """
    counts = as_counts(table, "table", ndim=2)
    if (counts.sum(axis=1) == 0).any() or (counts.sum(axis=0) == 0).any():
        raise InsufficientDataError(
            "`table` must have no empty row or column for a Monte Carlo test; drop them first.",
            argument="table",
        )
    resamples = _as_resamples(n_resamples)
    which: Statistic = as_option(statistic, "statistic", ("pearson", "g"))
    generator, seed = _resolve_rng(rng)
    return _monte_carlo_independence(counts, resamples, which, generator), seed


def _monte_carlo_independence(
    counts: NDArray[np.int64],
    n_resamples: int,
    statistic: Statistic,
    generator: np.random.Generator,
) -> float:
    """Monte Carlo independence p-value on a validated table without empty margins."""
    if counts.shape[0] == 2 and counts.shape[1] > 2:
        counts = counts.T  # the statistics are symmetric; sample the two-column form
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    expected = np.outer(rows, cols) / counts.sum()
    draw: Callable[[int], NDArray[np.float64]]
    if counts.shape[1] == 2:
        # Patefield's algorithm for two columns: sequential hypergeometric draws of the
        # first column given the row totals (numpy's "marginals" method)
        def draw_first(size: int) -> NDArray[np.int64]:
            return generator.multivariate_hypergeometric(
                rows, int(cols[0]), size=size, method="marginals"
            )

        if statistic == "pearson":
            observed = float(_two_column_pearson(counts[None, :, 0], expected)[0])

            def draw(size: int) -> NDArray[np.float64]:
                return _two_column_pearson(draw_first(size), expected)
        else:
            observed = float(_table_statistics(counts[None], expected, statistic)[0])

            def draw(size: int) -> NDArray[np.float64]:
                first = draw_first(size)
                tables = np.stack([first, rows - first], axis=2)
                return _table_statistics(tables, expected, statistic)
    else:
        observed = float(_table_statistics(counts[None], expected, statistic)[0])
        sampler = stats.random_table(rows, cols, seed=generator)

        def draw(size: int) -> NDArray[np.float64]:
            return _table_statistics(sampler.rvs(size), expected, statistic)

    hits = _count_at_least(draw, observed, n_resamples)
    return (1 + hits) / (n_resamples + 1)


def monte_carlo_gof_pvalue(
    observed: object,
    probabilities: object,
    *,
    n_resamples: int = 10_000,
    statistic: Statistic = "pearson",
    rng: RngLike = None,
) -> tuple[float, int | None]:
    r"""Monte Carlo goodness-of-fit p-value under a multinomial null.

    Parameters
    ----------
    observed : array-like of int, shape (k,)
        Observed counts.
    probabilities : array-like of float, shape (k,)
        Hypothesised probabilities, all positive, summing to 1.
    n_resamples : int, optional
        Number of simulated samples :math:`B`.
    statistic : {"pearson", "g"}, optional
        The statistic compared.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator; ``None`` draws a seed and returns it.

    Returns
    -------
    pvalue : float
        :math:`(1 + \#\{T_b \ge T_{obs}\}) / (B + 1)`.
    seed : int or None
        The integer seed used, or ``None`` when a Generator was given.

    Raises
    ------
    InvalidInputError
        If an argument is invalid.

    Notes
    -----
    Samples of size :math:`n` are drawn from the multinomial distribution with the given
    probabilities (``numpy.random.Generator.multinomial``), as R's
    ``chisq.test(x, p = p, simulate.p.value = TRUE)``.

    Examples
    --------
    >>> p, _ = monte_carlo_gof_pvalue([30, 10, 10], [1 / 3, 1 / 3, 1 / 3], rng=7)
    >>> print(p < 0.01)
    True
    """
    counts = as_counts(observed, "observed", ndim=1)
    probs = np.asarray(probabilities, dtype=np.float64)
    if (
        probs.shape != counts.shape
        or not np.isfinite(probs).all()
        or (probs <= 0).any()
        or abs(probs.sum() - 1) > 1e-8
    ):
        raise fail(
            "probabilities",
            "hold one positive probability per category of `observed`, summing to 1",
            repr(probs),
        )
    resamples = _as_resamples(n_resamples)
    which: Statistic = as_option(statistic, "statistic", ("pearson", "g"))
    generator, seed = _resolve_rng(rng)
    return _monte_carlo_gof(counts, probs, resamples, which, generator), seed


def _monte_carlo_gof(
    counts: NDArray[np.int64],
    probs: NDArray[np.float64],
    n_resamples: int,
    statistic: Statistic,
    generator: np.random.Generator,
) -> float:
    """Monte Carlo goodness-of-fit p-value on validated input."""
    n = int(counts.sum())
    expected = n * probs
    observed = float(_table_statistics(counts[None], expected, statistic)[0])

    def draw(size: int) -> NDArray[np.float64]:
        return _table_statistics(generator.multinomial(n, probs, size=size), expected, statistic)

    hits = _count_at_least(draw, observed, n_resamples)
    return (1 + hits) / (n_resamples + 1)


def _as_resamples(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise fail("n_resamples", "be a positive integer", repr(value))
    return int(value)
