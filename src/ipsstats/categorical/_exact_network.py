r"""Network algorithm for the exact test of independence in r x c tables (internal).

The table is built one cell at a time. After transposing so that the shorter side holds the
`p` "parts" (rows) and the longer side the "stages" (columns, ascending, the largest last so
that it is forced), the state after placing some cells (a node) is

- the remaining margins of the parts already placed in the current column (sorted),
- the remaining margins of the parts still to place in it (sorted), and
- what is left of the current column's total,

and a path is a partial table reaching that node with its log-weight
:math:`-\sum \log x_{ij}!`. Paths reaching the same node with the same weight are merged.
For every node three quantities decide its paths without expanding them, as in the network
algorithm of Mehta and Patel [1]_ (and FEXACT [2]_):

- the exact log of the total weight of its completions (a product of multinomial and
  binomial coefficients),
- an upper bound on the most probable completion: a Lagrangian relaxation of the column
  totals, where each part's best split is a greedy choice of its largest marginal gains
  (tight to within a few hundredths on the log scale; exact when one column remains),
- a lower bound on the least probable completion: the larger of two relaxations (rows or
  columns poured greedily into the largest cells), exact by vertex enumeration in the
  last two columns.

A node's edges (its next cell's values) are sorted by their best completion, so a path's
completions that all count are summed from a running (log) total without being expanded;
only the edges whose fate is undecided become new paths. When the last free cell of the
second-to-last column is reached, the completions of a node are a hypergeometric
distribution in that cell: the completions at most as probable as observed are its two tails,
summed per node from sorted tables or per path by bisection and windowed tail sums
(:func:`ipsstats.categorical._exact_common.concave_tails`). When few nodes start the second-to-last
column, their completions are tabulated and sorted once instead.

References
----------
.. [1] Mehta, C. R. and Patel, N. R. (1983). A network algorithm for performing Fisher's
   exact test in r x c contingency tables. Journal of the American Statistical Association
   78(382), 427-434.
.. [2] Clarkson, D. B., Fan, Y. and Joe, H. (1993). A remark on algorithm 643: FEXACT: an
   algorithm for performing Fisher's exact test in r x c contingency tables. ACM
   Transactions on Mathematical Software 19(4), 484-488.
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
    lfact,
    logsumexp,
)

__all__ = ["network_pvalue", "network_work_estimate"]

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]

#: Largest number of completions tabulated at once when the second-to-last column starts.
_TABULATE_LIMIT = 20_000_000
#: Vertex enumeration of the least probable completion is used up to this many parts.
_VERTEX_PARTS = 5


def network_pvalue(counts: Ints, work_limit: int) -> tuple[float, int]:
    """Exact p-value of a validated table without empty rows or columns; (p, work)."""
    budget = Budget(work_limit)
    network = _Network(counts, budget)
    log_p = network.run()
    return min(1.0, math.exp(log_p)), budget.used


def network_work_estimate(counts: Ints) -> int:
    """Work of the tables built before the first step (a lower bound on the total)."""
    totals = counts.sum(axis=0) if counts.shape[0] <= counts.shape[1] else counts.sum(axis=1)
    margins = counts.sum(axis=1) if counts.shape[0] <= counts.shape[1] else counts.sum(axis=0)
    return _gain_table_work(totals, int(counts.sum()), int(margins.max()))


def _gain_table_work(totals: Ints, n: int, top: int) -> int:
    return STEP_WORK + sum(int(t) + 1 for t in totals) * (n + top + 2) * 8


class _Network:
    """The precomputed tables of one r x c problem and its cell-by-cell traversal."""

    def __init__(self, counts: Ints, budget: Budget) -> None:
        if counts.shape[0] > counts.shape[1]:
            counts = counts.T
        self.budget = budget
        self.margins = np.sort(counts.sum(axis=1))
        self.totals = np.sort(counts.sum(axis=0))
        self.n = int(counts.sum())
        self.p = len(self.margins)
        self.stages = len(self.totals)
        self.lf = lfact(np.arange(self.n + 2))
        self.threshold = float(-self.lf[counts].sum()) + LOG_TOLERANCE
        self.log_const = float(
            self.lf[self.margins].sum() + self.lf[self.totals].sum() - self.lf[self.n]
        )
        self._gain_tables()

    # --- bounds ------------------------------------------------------------------------

    def _gain_tables(self) -> None:
        r"""Per-stage tables of the Lagrangian and relaxation bounds (see :meth:`bounds`).

        With multipliers :math:`\lambda_j = \log(T_j + 1/2)` on the column totals, a part
        with margin `b` contributes at most ``P[b]``, the sum of its `b` largest gains
        :math:`\lambda_j - \log m` (:math:`m \le T_j`); ``Q[b]`` is the largest
        :math:`\sum \log x!` of `b` poured into the largest columns first. The current
        column's share depends on what is left of it, ``R``, so its tables have one row
        per ``R``.
        """
        lf, totals = self.lf, self.totals
        top = int(self.margins.max())
        v = np.arange(top + 1)
        self.p_later: list[Floats] = []
        self.q_later: list[Floats] = []
        self.p_all: list[Floats] = []
        self.q_all: list[Floats] = []
        self.lam_later: list[float] = []
        self.lam_current: list[Floats] = []
        self.budget.spend(_gain_table_work(totals, self.n, top))
        for k in range(self.stages):
            later = totals[k + 1 :]
            lam = np.log(later + 0.5)
            pieces = [lam[j] - np.log(np.arange(1.0, later[j] + 1)) for j in range(len(later))]
            gains = -np.sort(-np.concatenate([*pieces, np.zeros(0)]))
            self.p_later.append(_prefix(gains, top))
            self.lam_later.append(float(lam @ later))
            self.q_later.append(_poured(lf, np.sort(later)[::-1][None, :], v)[0])
            current = int(totals[k])
            r = np.arange(current + 1)
            lam_r = np.log(r + 0.5)
            m = np.arange(1, current + 1)
            mine = np.where(m[None, :] <= r[:, None], lam_r[:, None] - np.log(m)[None, :], -np.inf)
            both = -np.sort(-np.concatenate([np.broadcast_to(gains, (current + 1, len(gains))),
                                             mine], axis=1), axis=1)  # fmt: skip
            self.p_all.append(_prefix(both, top))
            self.lam_current.append(lam_r * r)
            caps = -np.sort(-np.concatenate([np.broadcast_to(later, (current + 1, len(later))),
                                             r[:, None]], axis=1), axis=1)  # fmt: skip
            self.q_all.append(_poured(lf, caps, v))

    def bounds(self, k: int, a: Ints, b: Ints, r: Ints) -> tuple[Floats, Floats, Floats]:
        """(upper bound of the best, lower bound of the worst, log total) of nodes.

        Nodes of stage `k` (at most the second-to-last column): parts placed in column `k`
        have remaining margins `a` (rows), parts still to place have `b`, and `r` is what
        is left of column `k`.
        """
        lf = self.lf
        later = self.totals[k + 1 :]
        b_sum = b.sum(axis=1)
        rest = a.sum(axis=1) + b_sum - r
        fixed_a = -lf[a].sum(axis=1)
        mass = (
            lf[rest] - float(lf[later].sum()) + fixed_a
            + lf[b_sum] - lf[r] - lf[b_sum - r] - lf[b].sum(axis=1)
        )  # fmt: skip
        if len(later) == 1 and b.shape[1] == 2:  # one free cell: a concave sequence
            lo, hi = np.maximum(0, r - b[:, 1]), np.minimum(b[:, 0], r)
            mode = np.clip((r + 1) * (b[:, 0] + 1) // (b_sum + 2), lo, hi)

            def cell(y: Ints) -> Floats:
                cost = lf[y] + lf[r - y] + lf[b[:, 0] - y] + lf[b[:, 1] - r + y]
                return np.asarray(fixed_a - cost)  # fmt: skip

            return cell(mode), np.minimum(cell(lo), cell(hi)), mass
        best = (
            self.p_later[k][a].sum(axis=1)
            + self.p_all[k][r[:, None], b].sum(axis=1)
            - self.lam_later[k]
            - self.lam_current[k][r]
        )
        if len(later) == 1 and b.shape[1] <= _VERTEX_PARTS:
            return best, fixed_a + _least_split(lf, b, r), mass
        by_rows = self.q_later[k][a].sum(axis=1) + self.q_all[k][r[:, None], b].sum(axis=1)
        parts = -np.sort(-np.concatenate([a, b], axis=1), axis=1)
        by_cols = _poured_many(lf, parts, later) + _poured_many(lf, b[:, ::-1], r[:, None])
        return best, -np.minimum(by_rows, by_cols), mass

    # --- traversal ---------------------------------------------------------------------

    def run(self) -> float:
        """Log p-value."""
        p, totals = self.p, self.totals
        nodes = np.concatenate([self.margins, [totals[0]]])[None, :].astype(np.int64)
        state = _State(nodes=nodes, placed=0, stage=0)
        node_of = np.zeros(1, dtype=np.int64)
        past = np.zeros(1)
        weight = np.zeros(1)
        found: list[float] = []
        while True:
            k, j = state.stage, state.placed
            if k == self.stages - 2 and j == 0 and self._tabulate_pays(state.nodes, len(past)):
                found.append(self._tabulated(state.nodes, node_of, past, weight))
                break
            if k == self.stages - 2 and p - j == 2:
                found.append(self._last_cell(state.nodes, node_of, past, weight))
                break
            step = self._step(state, node_of, past, weight)
            found.append(step.found)
            if step.past.size == 0:
                break
            state, node_of, past, weight = step.state, step.node_of, step.past, step.weight
        return logsumexp(np.array(found)) + self.log_const

    def _step(self, state: _State, node_of: Ints, past: Floats, weight: Floats) -> _Step:
        """Place the next cell on every path."""
        edges = self._edges(state, len(past))
        n_nodes, width = edges.shape
        top = np.where(edges.valid, edges.value + edges.best, np.inf)
        order = np.argsort(top.reshape(edges.shape), axis=1)
        flat = (np.arange(n_nodes)[:, None] * width + order).ravel()
        top = top[flat]
        low_worst = np.where(edges.valid, edges.value + edges.worst, np.inf)[flat]
        running = np.logaddexp.accumulate(
            np.where(edges.valid, edges.value + edges.mass, -np.inf)[flat].reshape(edges.shape),
            axis=1,
        )
        # per path: how many edges of its node count whole (sorted by their best completion)
        limit = self.threshold - past
        whole = count_at_most(top.reshape(edges.shape), node_of, limit - MARGIN)
        hit = whole > 0
        found = logsumexp((weight + past)[hit] + running[node_of[hit], whole[hit] - 1])
        # the rest of each path's edges, unless even their worst completion is too probable
        rest = edges.sizes[node_of] - whole
        total = int(rest.sum())
        self.budget.spend(total * 30)
        path = np.repeat(np.arange(len(past)), rest)
        start = node_of * width + whole - (np.cumsum(rest) - rest)
        position = np.repeat(start, rest) + np.arange(total)
        keep = past[path] + low_worst[position] <= self.threshold + MARGIN
        path, chosen = path[keep], flat[position[keep]]
        new_past = past[path] + edges.value[chosen]
        merged_id, first, new_past, new_weight = _merge(
            edges.child_id[chosen], new_past, weight[path]
        )
        # merged_id is sorted: number the new nodes in order
        fresh = np.empty(len(merged_id), dtype=bool)
        fresh[:1] = True
        fresh[1:] = merged_id[1:] != merged_id[:-1]
        return _Step(
            found=found,
            state=edges.child_state(edges.keys[chosen[first][fresh]]),
            node_of=np.cumsum(fresh) - 1,
            past=new_past,
            weight=new_weight,
        )

    def _edges(self, state: _State, n_paths: int) -> _Edges:
        """Every value of the next cell at every node, with its child's bounds."""
        lf, p = self.lf, self.p
        nodes, j, k = state.nodes, state.placed, state.stage
        a, b, r = nodes[:, :j], nodes[:, j:p], nodes[:, p]
        low = np.maximum(0, r - b[:, 1:].sum(axis=1))
        high = np.minimum(b[:, 0], r)
        sizes = high - low + 1
        width = int(sizes.max())
        n_nodes = len(nodes)
        self.budget.spend(STEP_WORK + n_nodes * width * (30 + 4 * p) + n_paths * 40)
        y = low[:, None] + np.arange(width)[None, :]
        valid = (y <= high[:, None]).ravel()
        y = np.minimum(y, high[:, None]).ravel()
        owner = np.repeat(np.arange(n_nodes), width)
        value = -lf[y]
        left = (b[owner, 0] - y)[:, None]
        if p - j == 2:  # the column's last cell is forced: move on to the next column
            last = r[owner] - y
            value = value - lf[last]
            parts = [a[owner], left, (b[owner, 1] - last)[:, None]]
            child_b = np.sort(np.concatenate(parts, axis=1), axis=1)
            child_k, child_j = k + 1, 0
            child_a = np.zeros((len(y), 0), dtype=np.int64)
            child_r = np.full(len(y), int(self.totals[child_k]), dtype=np.int64)
        else:
            child_k, child_j = k, j + 1
            child_a = np.sort(np.concatenate([a[owner], left], axis=1), axis=1)
            child_b = b[owner, 1:]
            child_r = r[owner] - y
        keys = np.concatenate([child_a, child_b, child_r[:, None]], axis=1)
        child_id, first = _codes(keys)
        bounds = self.bounds(child_k, child_a[first], child_b[first], child_r[first])
        best, worst, mass = (bound[child_id] for bound in bounds)
        return _Edges(
            shape=(n_nodes, width),
            sizes=sizes,
            valid=valid,
            value=value,
            best=best,
            worst=worst,
            mass=mass,
            keys=keys,
            child_id=child_id,
            child=(child_j, child_k),
        )

    def _last_cell(self, nodes: Ints, node_of: Ints, past: Floats, weight: Floats) -> float:
        """Sum the completions when one free cell remains (two parts, two columns)."""
        lf, p = self.lf, self.p
        fixed_a = -lf[nodes[:, : p - 2]].sum(axis=1)
        b0, b1, r = nodes[:, p - 2], nodes[:, p - 1], nodes[:, p]
        low, high = np.maximum(0, r - b1), np.minimum(b0, r)
        width = int((high - low).max()) + 1
        if self._per_node(len(nodes), width, len(past)):
            self.budget.spend(STEP_WORK + len(nodes) * width * 40 + len(past) * 60)
            y = np.minimum(low[:, None] + np.arange(width)[None, :], high[:, None])
            valid = low[:, None] + np.arange(width)[None, :] <= high[:, None]
            values = fixed_a[:, None] - (
                lf[y] + lf[r[:, None] - y] + lf[b0[:, None] - y] + lf[b1[:, None] - r[:, None] + y]
            )  # fmt: skip
            values = np.sort(np.where(valid, values, np.inf), axis=1)
            running = np.logaddexp.accumulate(np.where(valid, values, -np.inf), axis=1)
            # sorting put the padding last; the running sums over it are never read
            limit = self.threshold - past
            count = count_at_most(values, node_of, limit)
            hit = count > 0
            return logsumexp((weight + past)[hit] + running[node_of[hit], count[hit] - 1])
        node_low, node_high = low[node_of], high[node_of]
        mode = np.clip((r + 1) * (b0 + 1) // (b0 + b1 + 2), low, high)[node_of]
        extra = past + fixed_a[node_of]
        nb0, nb1, nr = b0[node_of], b1[node_of], r[node_of]

        def value(path: NDArray[np.intp], y: Ints) -> Floats:
            cost = lf[y] + lf[nr[path] - y] + lf[nb0[path] - y] + lf[nb1[path] - nr[path] + y]
            return np.asarray(extra[path] - cost)  # fmt: skip

        return concave_tails(
            value,
            (node_low, node_high),
            mode,
            weight=weight,
            threshold=self.threshold,
            budget=self.budget,
        )

    @staticmethod
    def _per_node(n_nodes: int, width: int, n_paths: int) -> bool:
        """Whether to sort each node's values once (many paths per node) or bisect per path."""
        return n_nodes * width <= 32 * n_paths

    def _tabulate_pays(self, nodes: Ints, n_paths: int) -> bool:
        """Whether tabulating every completion of the second-to-last column is cheaper."""
        r = int(nodes[0, self.p])
        size = len(nodes) * math.comb(r + self.p - 1, self.p - 1)
        return size <= min(_TABULATE_LIMIT, n_paths * (r + 1) * (self.p - 1))

    def _tabulated(self, nodes: Ints, node_of: Ints, past: Floats, weight: Floats) -> float:
        """Every completion of each node of the second-to-last column, sorted once."""
        lf, p = self.lf, self.p
        b, r = nodes[:, :p], int(nodes[0, p])
        owner, splits = _bounded_splits(r, b)
        self.budget.spend(STEP_WORK + len(owner) * (40 + 4 * p) + len(past) * 60)
        values = -(lf[splits] + lf[b[owner] - splits]).sum(axis=1)
        counts = np.bincount(owner, minlength=len(nodes))
        width = int(counts.max())
        position = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        table = np.full((len(nodes), width), np.inf)
        table[owner, position] = values
        table.sort(axis=1)
        running = np.logaddexp.accumulate(np.where(np.isfinite(table), table, -np.inf), axis=1)
        count = count_at_most(table, node_of, self.threshold - past)
        hit = count > 0
        return logsumexp((weight + past)[hit] + running[node_of[hit], count[hit] - 1])


class _State:
    """Nodes of one step: keys (a | b | r), parts placed in the column, the column."""

    def __init__(self, *, nodes: Ints, placed: int, stage: int) -> None:
        self.nodes = nodes
        self.placed = placed
        self.stage = stage


class _Edges:
    """The edges of one step, in a (node, value of the next cell) layout, row-major."""

    def __init__(
        self,
        *,
        shape: tuple[int, int],
        sizes: Ints,
        valid: NDArray[np.bool_],
        value: Floats,
        best: Floats,
        worst: Floats,
        mass: Floats,
        keys: Ints,
        child_id: Ints,
        child: tuple[int, int],
    ) -> None:
        self.shape = shape
        self.sizes = sizes  # number of valid edges of each node
        self.valid = valid
        self.value = value  # the log-weight the edge adds
        self.best = best  # bounds and total of the child's completions
        self.worst = worst
        self.mass = mass
        self.keys = keys  # the child's key
        self.child_id = child_id  # the child's class among the edges
        self.child = child  # (parts placed, column) of the children

    def child_state(self, nodes: Ints) -> _State:
        """Build the state of the children `nodes`."""
        return _State(nodes=nodes, placed=self.child[0], stage=self.child[1])


class _Step:
    """What a step produced: the mass found and the paths going on."""

    def __init__(
        self, *, found: float, state: _State, node_of: Ints, past: Floats, weight: Floats
    ) -> None:
        self.found = found
        self.state = state
        self.node_of = node_of
        self.past = past
        self.weight = weight


def _prefix(gains: Floats, top: int) -> Floats:
    """Cumulative sums of sorted gains (last axis), padded with -inf to length top + 1."""
    lead = np.zeros((*gains.shape[:-1], 1))
    with np.errstate(invalid="ignore"):
        sums = np.concatenate([lead, np.cumsum(gains, axis=-1)], axis=-1)
    sums = np.where(np.isnan(sums), -np.inf, sums)[..., : top + 1]
    pad = top + 1 - sums.shape[-1]
    if pad > 0:
        sums = np.concatenate([sums, np.full((*sums.shape[:-1], pad), -np.inf)], axis=-1)
    return np.asarray(sums)


def _poured(lf: Floats, caps: Ints, v: Ints) -> Floats:
    """``sum log x!`` of each `v` poured into `caps` (rows, descending), inf if it overflows."""
    before = np.cumsum(caps, axis=1) - caps
    poured = np.clip(v[None, :, None] - before[:, None, :], 0, caps[:, None, :])
    fits = poured.sum(axis=2) == v[None, :]
    return np.where(fits, lf[poured].sum(axis=2), np.inf)


def _poured_many(lf: Floats, caps: Ints, amounts: Ints) -> Floats:
    """Per row of `caps` (descending): ``sum log x!`` of every amount poured into it."""
    before = np.cumsum(caps, axis=1) - caps
    amounts = np.broadcast_to(amounts, (len(caps), amounts.shape[-1]))
    poured = np.clip(amounts[:, :, None] - before[:, None, :], 0, caps[:, None, :])
    return np.asarray(lf[poured].sum(axis=(1, 2)))


def _least_split(lf: Floats, b: Ints, r: Ints) -> Floats:
    r"""Least :math:`-\sum_i \log(y_i!\,(b_i - y_i)!)` over splits `y` of `r` (vertices).

    The function is concave in `y`, so its minimum over :math:`\{\sum y = r,\ 0 \le y
    \le b\}` is at a vertex: every part but one empty or full.
    """
    q = b.shape[1]
    masks = np.arange(2 ** (q - 1))
    best = np.full(len(r), np.inf)
    for free in range(q):
        others = np.delete(np.arange(q), free)
        full = ((masks[:, None] >> np.arange(q - 1)[None, :]) & 1) == 1
        y = np.where(full[None, :, :], b[:, others][:, None, :], 0)
        rest = r[:, None] - y.sum(axis=2)
        cap = b[:, free][:, None]
        ok = (rest >= 0) & (rest <= cap)
        rest = np.clip(rest, 0, cap)
        value = -(lf[y] + lf[b[:, others][:, None, :] - y]).sum(axis=2) - lf[rest] - lf[cap - rest]
        best = np.minimum(best, np.where(ok, value, np.inf).min(axis=1))
    return best


def _codes(keys: Ints) -> tuple[Ints, Ints]:
    """Classes of equal rows of `keys`: (the class of each row, the first row of each class)."""
    base = int(keys.max()) + 1 if keys.size else 1
    if keys.shape[1] * math.log2(base) < 62:
        codes = keys @ (base ** np.arange(keys.shape[1], dtype=np.int64))
        _, first, ids = np.unique(codes, return_index=True, return_inverse=True)
    else:
        _, first, ids = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return ids.ravel(), first


def _merge(ids: Ints, past: Floats, weight: Floats) -> tuple[Ints, Ints, Floats, Floats]:
    """Merge paths reaching the same node with the same past (to 1e-9 on the log scale).

    Returns the node ids (sorted), the index of each group's first path, its past and the
    log of the summed weights.
    """
    if len(ids) == 0:
        return ids, ids, past, weight
    grid = np.round(past * 1e9).astype(np.int64)
    low = int(grid.min())
    span = int(grid.max()) - low + 1
    if (int(ids.max()) + 1) * span < 2**62:
        order = np.argsort(ids * span + (grid - low))
    else:
        order = np.lexsort((grid, ids))
    ids_s, grid_s = ids[order], grid[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    new[1:] = (ids_s[1:] != ids_s[:-1]) | (grid_s[1:] != grid_s[:-1])
    starts = np.flatnonzero(new)
    weight_s = weight[order]
    top = np.maximum.reduceat(weight_s, starts)
    sizes = np.diff(np.append(starts, len(order)))
    summed = np.add.reduceat(np.exp(weight_s - np.repeat(top, sizes)), starts)
    first = order[starts]
    return ids_s[starts], first, past[first], top + np.log(summed)


def _bounded_splits(total: int, caps: Ints) -> tuple[Ints, Ints]:
    """Every split of `total` bounded by each row of `caps`: (row of each split, splits)."""
    n_rows, parts = caps.shape
    after = np.concatenate(
        [np.cumsum(caps[:, ::-1], axis=1)[:, ::-1][:, 1:], np.zeros((n_rows, 1), np.int64)],
        axis=1,
    )
    owner = np.arange(n_rows)
    used = np.zeros(n_rows, dtype=np.int64)
    columns: list[Ints] = []
    for part in range(parts - 1):
        left = total - used
        low = np.maximum(0, left - after[owner, part])
        high = np.minimum(caps[owner, part], left)
        size = np.maximum(high - low + 1, 0)
        parent = np.repeat(np.arange(len(owner)), size)
        value = np.repeat(low - (np.cumsum(size) - size), size) + np.arange(int(size.sum()))
        columns = [column[parent] for column in columns]
        columns.append(value)
        owner, used = owner[parent], used[parent] + value
    columns.append(total - used)
    return owner, np.stack(columns, axis=1)
