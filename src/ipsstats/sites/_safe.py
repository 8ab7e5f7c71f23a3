"""Disclosure-safe summaries: groups merged and durations banded until every count is safe.

A count is *safe* when it is 0 or at least the threshold. The rules (documented on
:func:`ipsstats.sites.site_summary`):

1. Every person of a site falls in one of four *cells* per attribute: their group, whether
   they had a job by the study end, and whether they are in the minimum-follow-up window.
   The outcome tables are sums of cells, so once every cell of a group is safe, every
   published count and every difference of nested counts (everyone minus the window) is a
   sum of safe counts.
2. A group with a cell that is not safe is merged with its neighbour in level order (the
   smaller one; levels with nobody are skipped), until every group is safe. When the
   people whose group is not known are not safe, the smallest group is counted with them:
   its level is *withheld*.
3. The exit tables of a duration use groups merged further, in the same way, until each
   group's total of every kind of exit is safe. Times are coarsened to whole months (of
   365.25 / 12 days) and, for each kind of exit apart, months merged into bands from the
   start until every band's count is safe; a band's exits are placed at the mean of their
   months (each month at its middle).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.sites.tables import ExitTable

__all__ = ["CELLS", "band", "is_safe", "merge_groups", "merged_label", "safe_count"]

#: The cells of a group that must be safe (columns of the arrays of :func:`merge_groups`).
CELLS = (
    "job, in the window",
    "job, outside the window",
    "no job, in the window",
    "no job, outside the window",
)


def is_safe(values: NDArray[np.int64], threshold: int) -> bool:
    """Whether every count is 0 or at least `threshold`."""
    return bool(np.all((values == 0) | (values >= threshold)))


def safe_count(value: int, threshold: int) -> int | None:
    """Return the count when it is safe to publish alone, else ``None``."""
    return value if value == 0 or value >= threshold else None


def merge_groups(
    cells: NDArray[np.int64],
    threshold: int,
    *,
    start: Sequence[Sequence[int]] | None = None,
    not_known: NDArray[np.int64] | None = None,
) -> tuple[list[list[int]], list[int]]:
    """Merge groups of levels (in level order) until every group's cells are safe.

    Parameters
    ----------
    cells : ndarray of int, shape (levels, cells)
        The counts of each level that must be safe once summed over a group.
    threshold : int
        The smallest count published other than 0.
    start : sequence of sequence of int, optional
        The groups to start from (runs of consecutive levels); default one per level.
    not_known : ndarray of int, optional
        The cells of the people whose level is not known. When they are not safe, the
        smallest group is counted with them (withheld). Without it, a group that cannot be
        made safe by merging leaves the rest unchanged and is withheld.

    Returns
    -------
    groups : list of list of int
        The published groups: runs of consecutive level positions (levels with nobody
        included).
    withheld : list of int
        Level positions withheld (counted as not known).
    """
    groups: list[list[int]] = (
        [list(g) for g in start] if start is not None else [[k] for k in range(cells.shape[0])]
    )
    withheld: list[int] = []
    missing = None if not_known is None else not_known.copy()

    def total(group: list[int]) -> NDArray[np.int64]:
        out: NDArray[np.int64] = cells[group].sum(axis=0)
        return out

    def size(k: int) -> int:
        return int(total(groups[k]).sum())

    # Each pass merges two groups or withholds one, so the loop ends after at most as many
    # passes as there are levels (a handful: this is not a loop over records).
    while True:
        occupied = [k for k in range(len(groups)) if size(k) > 0]
        if missing is not None and not is_safe(missing, threshold) and occupied:
            smallest = min(occupied, key=lambda k: (size(k), -k))
            missing = missing + total(groups[smallest])
            withheld += groups.pop(smallest)
            continue
        unsafe = [k for k in occupied if not is_safe(total(groups[k]), threshold)]
        if not unsafe:
            break
        k = min(unsafe, key=lambda j: (size(j), j))
        before = [j for j in occupied if j < k]
        after = [j for j in occupied if j > k]
        neighbours = ([before[-1]] if before else []) + ([after[0]] if after else [])
        if not neighbours:
            if missing is not None:
                missing = missing + total(groups[k])
            withheld += groups.pop(k)
            continue
        partner = min(neighbours, key=lambda j: (size(j), j))
        low, high = min(k, partner), max(k, partner)
        merged = [level for g in groups[low : high + 1] for level in g]
        groups[low : high + 1] = [merged]
    return groups, sorted(withheld)


def _bands(
    months: NDArray[np.int64], counts: NDArray[np.int64], threshold: int
) -> dict[float, int]:
    """Merge months forward into bands of at least `threshold` exits (one kind of exit).

    Returns the count of each band by where its exits are placed: the mean of their months,
    each month counted at its middle (so an exit stays within its band, and a band's exits
    keep their average time). A remainder smaller than the threshold joins the band before
    it. The total must be 0 or at least `threshold`.
    """
    sums: list[list[float]] = []  # sum of month middles, count
    acc, weighted = 0, 0.0
    # One pass over the distinct months of one group and kind (at most a few hundred),
    # merging them forward; the greedy rule cannot be vectorised and runs once per export.
    for month, count in zip(months.tolist(), counts.tolist(), strict=True):
        acc += count
        weighted += count * (month + 0.5)
        if acc >= threshold:
            sums.append([weighted, acc])
            acc, weighted = 0, 0.0
    if acc:
        if sums:
            sums[-1][0] += weighted
            sums[-1][1] += acc
        else:
            sums.append([weighted, acc])
    return {total / count: int(count) for total, count in sums}


def band(table: ExitTable, threshold: int) -> ExitTable:
    """Coarsen a table to bands of whole months in which every count is safe.

    Each kind of exit has its own bands: months are merged from the start until the band
    holds at least `threshold` exits of that kind. A band's exits are counted at the mean
    of their months, each month at its middle (months of 365.25 / 12 days): the band keeps
    its exits' average time to the month, and no single person's time is published. The
    table's totals per kind must be safe.
    """
    if table.n == 0:
        return table
    months, inverse = np.unique(
        np.floor(table.times / DAYS_PER_MONTH).astype(np.int64), return_inverse=True
    )
    monthly = np.zeros((months.size, len(table.kinds)), dtype=np.int64)
    np.add.at(monthly, inverse.ravel(), table.counts)
    per_kind = [_bands(months, monthly[:, k], threshold) for k in range(len(table.kinds))]
    middles = np.array(sorted({m for bands in per_kind for m in bands}), dtype=np.float64)
    counts = np.zeros((middles.size, len(table.kinds)), dtype=np.int64)
    for k, bands in enumerate(per_kind):
        if bands:
            counts[np.searchsorted(middles, list(bands)), k] = list(bands.values())
    return ExitTable(times=middles * DAYS_PER_MONTH, kinds=table.kinds, counts=counts)


def merged_label(levels: Sequence[object]) -> object:
    """Label a published group: its level, or its levels joined by ``" + "``."""
    if len(levels) == 1:
        return levels[0]
    return " + ".join(str(level) for level in levels)
