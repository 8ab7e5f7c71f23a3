"""Shared pieces of the exact conditional engines (internal).

Constants, the work-limit error, and accurate log-binomial tables: the engines compute every
probability relative to the observed table, as sums of logarithms of ratios of consecutive
binomial coefficients accumulated with an error-free (compensated) running sum, so that
their precision does not degrade as the counts grow.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats._scipy import special
from ipsstats.errors import InvalidInputError

__all__ = [
    "LOG_TOLERANCE",
    "MARGIN",
    "RELATIVE_TOLERANCE",
    "STEP_WORK",
    "WORK_SECONDS",
    "Budget",
    "Value",
    "WorkLimitError",
    "as_work_limit",
    "concave_tails",
    "count_at_most",
    "describe_work",
    "lfact",
    "log_binomial_walks",
    "logsumexp",
    "segment_logsumexp",
    "work_error",
]

Value = Callable[[NDArray[np.intp], NDArray[np.int64]], NDArray[np.float64]]

#: Relative tolerance of R's exact tests: outcomes with probability up to
#: ``p_observed * (1 + RELATIVE_TOLERANCE)`` count as "at most as probable as observed".
RELATIVE_TOLERANCE = 1e-7

#: The same tolerance on the log scale.
LOG_TOLERANCE = math.log1p(RELATIVE_TOLERANCE)

#: Paths whose bounds are within this distance (log scale) of the threshold are expanded
#: rather than decided by the bound, so rounding in a bound never changes the answer.
MARGIN = 1e-9

#: A tail sum stops once the rest of the tail provably weighs less than this, relative to
#: the probability of the observed table (which the p-value always includes).
_TAIL_LOG_EPS = math.log(1e-20)
_MIN_BLOCK = 32
_CHUNK = 1 << 22  # largest number of elements of one block of tail sums

#: Approximate seconds one work unit costs: one element of one vectorised pass, plus a
#: fixed charge per pass for the interpreter's overhead (calibrated on a 2-core x86-64
#: machine with numpy 2 over the cases of ``benchmarks/bench_exact.py``: between 2e-9 and
#: 1e-8 s per unit, about 5e-9 on the larger problems).
WORK_SECONDS = 5e-9

#: Work charged for the fixed cost of one step of an engine (about half a millisecond).
STEP_WORK = 100_000


def lfact(x: NDArray[np.int64] | NDArray[np.float64] | int) -> NDArray[np.float64]:
    """Log factorial, elementwise."""
    return np.asarray(special.gammaln(np.asarray(x, dtype=np.float64) + 1.0))


def logsumexp(values: NDArray[np.float64]) -> float:
    """``log(sum(exp(values)))`` without overflow; ``-inf`` for no values."""
    if values.size == 0:
        return -math.inf
    top = float(values.max())
    if top == -math.inf:
        return -math.inf
    return top + math.log(float(np.exp(values - top).sum()))


def segment_logsumexp(
    values: NDArray[np.float64], starts: NDArray[np.intp]
) -> NDArray[np.float64]:
    """:func:`logsumexp` of each segment ``values[starts[g]:starts[g + 1]]`` (non-empty)."""
    top = np.maximum.reduceat(values, starts)
    lengths = np.diff(np.append(starts, len(values)))
    summed = np.add.reduceat(np.exp(values - np.repeat(top, lengths)), starts)
    return np.asarray(top + np.log(summed))


class WorkLimitError(InvalidInputError):
    """An exact computation would exceed its work limit (``work`` units > ``limit``)."""

    def __init__(self, message: str, *, work: int, limit: int) -> None:
        super().__init__(message, argument="exact_work_limit")
        self.work = work
        self.limit = limit


def describe_work(units: int) -> str:
    """Work units with their approximate time, e.g. "41,000,000 work units (about 0.2 s)"."""
    return f"{units:,} work units (about {units * WORK_SECONDS:.2g} s)"


def work_error(work: int, limit: int, what: str) -> WorkLimitError:
    """Build the error raised when an exact computation would exceed its work limit."""
    seconds = work * WORK_SECONDS
    message = str(
        fail(
            "exact_work_limit",
            f"be large enough for the exact {what}",
            f"{limit:,} (the computation needs more than {work:,} work units, about "
            f"{seconds:.2g} s)",
            hint="use method='monte-carlo' for a seeded Monte Carlo p-value, or raise "
            "`exact_work_limit` if the wait is acceptable.",
        )
    )
    return WorkLimitError(message, work=work, limit=limit)


class Budget:
    """Counts the work of an exact computation and stops it at the work limit.

    A unit is one element of a vectorised pass; callers charge the work of a step before
    doing it, so the limit is never overrun by more than one step's estimate.
    """

    def __init__(self, limit: int, what: str = "test of this table") -> None:
        self.limit = limit
        self.used = 0
        self.what = what

    def spend(self, units: float) -> None:
        """Charge `units` of work; raise the work-limit error if the total exceeds the limit."""
        self.used += math.ceil(units)
        if self.used > self.limit:
            raise work_error(self.used, self.limit, self.what)


def as_work_limit(value: object) -> int:
    """Validate a work limit: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise fail("exact_work_limit", "be a positive integer", repr(value))
    return int(value)


def count_at_most(
    rows: NDArray[np.float64], node_of: NDArray[np.int64], limit: NDArray[np.float64]
) -> NDArray[np.int64]:
    """For each path, how many entries of its node's sorted row are at most its limit.

    One global ranking of the entries makes this two ``searchsorted`` calls: an entry of
    row `u` is at most `limit` exactly when its global rank is below the number of entries
    at most `limit`, and the ranks of a sorted row are increasing.
    """
    n_rows, width = rows.shape
    flat = rows.ravel()
    order = np.argsort(flat, kind="stable")
    rank = np.empty(len(flat), dtype=np.int64)
    rank[order] = np.arange(len(flat))
    stride = len(flat) + 1
    keys = np.repeat(np.arange(n_rows), width) * stride + rank
    below = np.searchsorted(flat[order], limit, side="right")
    return np.asarray(np.searchsorted(keys, node_of * stride + below) - node_of * width)


def _two_sum(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Knuth's error-free sum: ``s + e == a + b`` exactly, with ``s = fl(a + b)``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def log_binomial_walks(
    totals: NDArray[np.int64],
    lows: NDArray[np.int64],
    lengths: NDArray[np.int64],
    anchors: NDArray[np.int64],
) -> NDArray[np.float64]:
    r"""Accurate :math:`\log\binom{R_g}{x} - \log\binom{R_g}{a_g}` on ranges of `x`, concatenated.

    Segment `g` covers ``x = lows[g] + j`` for ``j < lengths[g]`` and is anchored at
    ``a_g = lows[g] + anchors[g]`` (value 0 there). Each value is the sum of the logarithms
    of the consecutive ratios :math:`\binom{R}{x+1} / \binom{R}{x} = (R - x) / (x + 1)`
    between the anchor and `x`, each computed as ``log1p`` of an exact integer difference,
    and accumulated with a compensated running sum (Knuth's two-sum applied to the partial
    sums of ``numpy.cumsum``), so the absolute error is a few units in the last place of the
    value itself, not of the (possibly much larger) log-binomial coefficients.
    """
    size = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    segment = np.repeat(np.arange(len(lengths)), lengths)
    j = np.arange(size) - starts[segment]
    x = lows[segment] + j
    total = totals[segment]
    last = j == lengths[segment] - 1
    ratio = np.where(last, 0.0, (total - 2 * x - 1) / (x + 1.0))
    step = np.log1p(ratio)
    inclusive = np.cumsum(step)
    before = np.concatenate([[0.0], inclusive[:-1]])  # exclusive partial sums (rounded)
    _, error = _two_sum(before, step)
    low = np.concatenate([[0.0], np.cumsum(error)[:-1]])  # their accumulated rounding errors
    where = (starts + anchors)[segment]
    high, rounding = _two_sum(before, -before[where])
    return np.asarray(high + (rounding + (low - low[where])))


def _bisect(
    value: Value,
    paths: NDArray[np.intp],
    left: NDArray[np.int64],
    right: NDArray[np.int64],
    *,
    threshold: float,
    rising: bool,
) -> NDArray[np.int64]:
    """Cut point of a monotone stretch of a concave sequence, for every path at once.

    With ``rising`` (values non-decreasing on ``[left, right]``): the largest ``x`` with a
    value at most `threshold`, assuming it holds at `left`. Otherwise (non-increasing): the
    smallest such ``x``, assuming it holds at `right`.
    """
    low, high = left.copy(), right.copy()
    while (high - low > 1).any():
        mid = (low + high) // 2
        ok = value(paths, mid) <= threshold
        if rising:
            low = np.where(ok, mid, low)
            high = np.where(ok, high, mid)
        else:
            high = np.where(ok, mid, high)
            low = np.where(ok, low, mid)
    return np.asarray(low if rising else high)


def _tail_sums(
    value: Value,
    paths: NDArray[np.intp],
    start: NDArray[np.int64],
    bound: NDArray[np.int64],
    *,
    direction: int,
    weight: NDArray[np.float64],
    floor: float,
) -> tuple[NDArray[np.float64], int]:
    r"""Log of :math:`\sum_x \exp(w + v(x))` from `start` outward (by `direction`) to `bound`.

    The values decrease outward and, being concave, by at least the last step seen: once
    the last two values :math:`v_p, v_e` of a block satisfy
    :math:`w + v_e - g - \log(1 - e^{-g}) <` `floor` with :math:`g = v_p - v_e > 0`, the
    geometric series bounding the rest of the tail is below ``exp(floor)`` and the sum
    stops.
    Blocks double in length, so a tail of length L takes about log2(L) passes.
    """
    total = np.full(len(paths), -np.inf)
    active = np.arange(len(paths))
    offset, block, work = 0, _MIN_BLOCK, 0
    while active.size:
        j = offset + np.arange(block)
        x = start[active, None] + direction * j[None, :]
        inside = direction * (bound[active, None] - x) >= 0
        x = np.where(inside, x, bound[active, None])
        v = np.where(inside, value(paths[active, None], x), -np.inf)
        work += v.size * 16
        top = v[:, 0]  # the values decrease outward: the first is the largest
        block_sum = top + np.log(np.exp(v - top[:, None]).sum(axis=1))
        w = weight[active]
        total[active] = np.logaddexp(total[active], w + block_sum)
        reached = ~inside[:, -1] | (x[:, -1] == bound[active])
        with np.errstate(divide="ignore", invalid="ignore"):  # ends past the bound are -inf
            step = v[:, -2] - v[:, -1]
            rest = v[:, -1] - step - np.log(-np.expm1(-step))
            small = (step > 0) & (w + rest < floor)
        active = active[~(reached | small)]
        offset += block
        block *= 2
    return total, work


def concave_tails(
    value: Value,
    support: tuple[NDArray[np.int64], NDArray[np.int64]],
    mode: NDArray[np.int64],
    *,
    weight: NDArray[np.float64],
    threshold: float,
    budget: Budget,
) -> float:
    r"""Log of :math:`\sum_p \sum_{x:\, v_p(x) \le t} \exp(w_p + v_p(x))` for concave `v_p`.

    Path `p` has values ``value(p, x)`` on ``support[0][p] <= x <= support[1][p]``,
    concave in ``x`` with a maximum at ``mode[p]``. The values at most `threshold` form
    two tails, whose cut points are found by bisection and which are summed outward by
    :func:`_tail_sums`. Work: about ``2 log2(width)`` evaluations per path plus the
    windows summed. The threshold is the observed table's value, so the relative error
    of the result is below 1e-20 times the number of tails.
    """
    low, high = support
    steps = int(np.ceil(np.log2(float(np.maximum(high - low, 1).max()) + 1.0))) + 3
    budget.spend(2 * steps * len(mode) * 12)
    sums: list[float] = []
    chunk = max(1, _CHUNK // (4 * _MIN_BLOCK))
    for first in range(0, len(mode), chunk):
        part = np.arange(first, min(first + chunk, len(mode)))
        sums.append(
            _chunk_tails(
                value,
                part,
                (low[part], high[part]),
                mode[part],
                weight=weight[part],
                threshold=threshold,
                budget=budget,
            )
        )
    return logsumexp(np.array(sums))


def _chunk_tails(
    value: Value,
    paths: NDArray[np.intp],
    support: tuple[NDArray[np.int64], NDArray[np.int64]],
    mode: NDArray[np.int64],
    *,
    weight: NDArray[np.float64],
    threshold: float,
    budget: Budget,
) -> float:
    """:func:`concave_tails` for one chunk of paths (bounding the memory used)."""
    low, high = support
    at_mode = value(paths, mode) <= threshold
    has_left = value(paths, low) <= threshold
    has_right = value(paths, high) <= threshold
    cut_left = np.where(
        at_mode, mode, _bisect(value, paths, low, mode, threshold=threshold, rising=True)
    )
    cut_right = np.where(
        at_mode, mode + 1, _bisect(value, paths, mode, high, threshold=threshold, rising=False)
    )
    has_right &= cut_right <= high
    left, work_left = _tail_sums(
        value,
        paths[has_left],
        cut_left[has_left],
        low[has_left],
        direction=-1,
        weight=weight[has_left],
        floor=threshold + _TAIL_LOG_EPS,
    )
    right, work_right = _tail_sums(
        value,
        paths[has_right],
        cut_right[has_right],
        high[has_right],
        direction=1,
        weight=weight[has_right],
        floor=threshold + _TAIL_LOG_EPS,
    )
    budget.spend(work_left + work_right)
    return logsumexp(np.concatenate([left, right]))
