"""Disclosure control for publishable tables: small-count suppression and rounding.

Tests and estimates are always computed on the unsuppressed data; only what is displayed is
protected. :func:`suppress_small_counts` applies the rules that England's published mental
health statistics use by default, with every threshold configurable, and records the reason
for every suppressed cell.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_counts, bool_array, fail, float_array, int_array
from ipsstats.results import json_safe

__all__ = ["Disclosure", "SuppressedTable", "suppress_small_counts"]


def _suppressed(
    counts: NDArray[np.int64],
    disclosure: Disclosure | None,
    *,
    secondary: bool = True,
    keep_zeros: bool = False,
) -> SuppressedTable | None:
    if disclosure is None:
        return None
    return suppress_small_counts(
        counts,
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        secondary=secondary,
        keep_zeros=keep_zeros,
    )


@attrs.frozen(kw_only=True)
class Disclosure:
    """Display suppression settings of a report (see :func:`equity_report`).

    Parameters
    ----------
    threshold : int
        Counts below this are shown as ``*``.
    round_to : int
        Other counts are rounded to a multiple of this.
    """

    threshold: int = 5
    round_to: int = 5


_PRIMARY = "primary: count below {threshold}"
_SECONDARY = "secondary: protects a suppressed cell from recovery through totals"
_MARK = "*"


def _labels(obj: object, attr: str, size: int) -> tuple[str, ...]:
    found = getattr(obj, attr, None)
    if found is None:
        return tuple(str(i) for i in range(size))
    return tuple(str(label) for label in found)


def _coerce(table: object) -> tuple[NDArray[np.int64], tuple[str, ...], tuple[str, ...], bool]:
    """Return the counts as a 2-D array with row and column labels (1-D: one row)."""
    counts = getattr(table, "counts", table)
    array = as_counts(counts, "table", ndim=None)
    if array.ndim == 1:
        cols = _labels(table, "levels", array.size)
        return array.reshape(1, -1), ("n",), cols, True
    if array.ndim != 2:
        raise fail("table", "be 1- or 2-dimensional", f"an array of shape {array.shape}")
    rows = _labels(table, "row_levels", array.shape[0])
    cols = _labels(table, "col_levels", array.shape[1])
    return array, rows, cols, False


def _round(values: NDArray[np.int64], round_to: int) -> NDArray[np.int64]:
    """Round half up to the nearest multiple of `round_to` (1 leaves values unchanged)."""
    if round_to == 1:
        return np.array(values, dtype=np.int64)
    rounded: NDArray[np.int64] = ((values + round_to // 2) // round_to) * round_to
    return rounded


def _with_margins(counts: NDArray[np.int64], one_row: bool) -> NDArray[np.int64]:
    """Append a total column and, for 2-D tables, a total row."""
    with_total = np.column_stack([counts, counts.sum(axis=1)])
    if one_row:
        return with_total
    return np.vstack([with_total, with_total.sum(axis=0)])


def _system(
    full: NDArray[np.int64], hidden: NDArray[np.bool_], one_row: bool
) -> NDArray[np.float64]:
    """Coefficients of the linear constraints on the hidden cells of a table with margins.

    `full` and `hidden` are (r + 1) x (c + 1): interior cells, row totals in the last column,
    column totals in the last row, the grand total in the corner (1 x (c + 1) for a single
    row of counts). Each row and each column of the full table gives one equation
    "cells - total = 0"; only hidden cells are unknowns.
    """
    nrow, ncol = full.shape
    index = -np.ones(full.shape, dtype=np.int64)
    index[hidden] = np.arange(int(hidden.sum()))
    equations: list[NDArray[np.float64]] = []
    lines: list[tuple[int | slice, int | slice]] = [(i, slice(None)) for i in range(nrow)]
    if not one_row:
        lines += [(slice(None), j) for j in range(ncol)]
    for line in lines:
        coef = np.zeros(int(hidden.sum()))
        sign = np.ones(full[line].shape)
        sign[-1] = -1.0
        cells = index[line]
        known = cells >= 0
        coef[cells[known]] = sign[known]
        equations.append(coef)
    return np.array(equations).reshape(len(equations), int(hidden.sum()))


def _recoverable(
    full: NDArray[np.int64], hidden: NDArray[np.bool_], one_row: bool
) -> NDArray[np.bool_]:
    """Which hidden cells the shown cells and totals determine exactly (linear algebra).

    A hidden cell is determined when its unit vector lies in the row space of the constraint
    matrix, i.e. when adding it as an equation does not raise the rank.
    """
    out = np.zeros(full.shape, dtype=bool)
    n_hidden = int(hidden.sum())
    if n_hidden == 0:
        return out
    system = _system(full, hidden, one_row)
    rank = np.linalg.matrix_rank(system) if system.size else 0
    unit = np.eye(n_hidden)
    determined = np.array(
        [np.linalg.matrix_rank(np.vstack([system, unit[k]])) == rank for k in range(n_hidden)]
    )
    out[hidden] = determined
    return out


def _secondary(
    full: NDArray[np.int64], hidden: NDArray[np.bool_], one_row: bool
) -> NDArray[np.bool_]:
    """Hide more cells, smallest first, until no hidden cell can be recovered.

    For the first recoverable cell, the first shown cell that alone protects it is
    hidden, trying cells that share its row or column first, then the smallest. Margins
    are candidates: a suppressed row total is protected by hiding another row total, not
    by hiding interior cells, which never protect it (trying only interior cells ends with
    every one of them hidden). When no single cell protects it, the first interior
    candidate is hidden and the search repeats.
    """
    extra = np.zeros(full.shape, dtype=bool)
    interior = np.zeros(full.shape, dtype=bool)
    interior[: full.shape[0] - (0 if one_row else 1), :-1] = True
    while True:
        current = hidden | extra
        exposed = _recoverable(full, current, one_row)
        if not exposed.any():
            return extra
        i, j = (int(k) for k in np.argwhere(exposed)[0])
        candidates = ~current
        if not candidates.any():  # pragma: no cover - everything is already hidden
            return extra
        order = np.lexsort(
            (
                full[candidates],
                ~((np.argwhere(candidates)[:, 0] == i) | (np.argwhere(candidates)[:, 1] == j)),
            )
        )
        cells = np.argwhere(candidates)[order]
        inside = cells[interior[tuple(cells.T)]]
        chosen = inside[0] if inside.size else cells[0]
        for cell in cells:
            trial = current.copy()
            trial[tuple(cell)] = True
            if not _recoverable(full, trial, one_row)[i, j]:
                chosen = cell
                break
        extra[tuple(chosen)] = True


@attrs.frozen(kw_only=True, eq=False)
class SuppressedTable:
    """A table made safe to publish, with the reason for every suppressed cell.

    The arrays include the margins: shape ``(rows + 1, cols + 1)``, with row totals in the
    last column, column totals in the last row and the grand total in the corner. For 1-D
    counts the shape is ``(1, levels + 1)``: the counts and their total.

    Attributes
    ----------
    row_levels, col_levels : tuple of str
        Labels, without the ``"Total"`` margin label.
    shown : ndarray of int64
        Displayed values (rounded); meaningless where `suppressed` is true.
    suppressed : ndarray of bool
        Cells shown as ``*``.
    reasons : tuple of tuple of str
        Why each cell is suppressed (``""`` where it is not).
    percent : ndarray of float64
        Column percentages computed from the shown (rounded) counts, so that a percentage
        agrees with the count beside it and does not undo the rounding; meaningful only
        where `percent_suppressed` is false.
    percent_suppressed : ndarray of bool
        Percentages withheld because their numerator or denominator is suppressed.
    threshold, round_to : int
        The rules applied.
    """

    row_levels: tuple[str, ...]
    col_levels: tuple[str, ...]
    shown: NDArray[np.int64] = attrs.field(converter=int_array)
    suppressed: NDArray[np.bool_] = attrs.field(converter=bool_array)
    reasons: tuple[tuple[str, ...], ...]
    percent: NDArray[np.float64] = attrs.field(converter=float_array)
    percent_suppressed: NDArray[np.bool_] = attrs.field(converter=bool_array)
    threshold: int
    round_to: int

    def cells(self) -> list[list[str]]:
        """Return the displayed text of every cell, margins included (``*`` if suppressed)."""
        return [
            [_MARK if hidden else str(value) for value, hidden in zip(row, mask, strict=True)]
            for row, mask in zip(self.shown.tolist(), self.suppressed.tolist(), strict=True)
        ]

    def to_text(self) -> str:
        """Render as an aligned plain-text table with a ``Total`` row and column."""
        header = ["", *self.col_levels, "Total"]
        labels = [*self.row_levels, "Total"][: self.shown.shape[0]]
        body = [[label, *cells] for label, cells in zip(labels, self.cells(), strict=True)]
        widths = [max(len(row[k]) for row in [header, *body]) for k in range(len(header))]
        lines = [
            "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True))
            for row in [header, *body]
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: displayed cells as text, reasons, and the rules applied."""
        return {
            "row_levels": list(self.row_levels),
            "col_levels": list(self.col_levels),
            "cells": self.cells(),
            "reasons": json_safe(self.reasons),
            "percent": [
                [
                    None if hide else json_safe(round(p, 1))
                    for p, hide in zip(row, mask, strict=True)
                ]
                for row, mask in zip(
                    self.percent.tolist(), self.percent_suppressed.tolist(), strict=True
                )
            ],
            "threshold": self.threshold,
            "round_to": self.round_to,
        }


def suppress_small_counts(
    table: object,
    *,
    threshold: int = 5,
    round_to: int = 5,
    secondary: bool = True,
    keep_zeros: bool = False,
) -> SuppressedTable:
    r"""Suppress small counts and round the rest, so that a table can be published.

    Parameters
    ----------
    table : Counts, ContingencyTable or array-like of counts
        The unsuppressed counts (1-D or 2-D). Margins are computed from them.
    threshold : int, default 5
        Counts below this are suppressed (shown as ``*``), including row, column and grand
        totals below it. NHS England publications use 5; a rule "suppress counts of 7 or
        fewer" is ``threshold=8``.
    round_to : int, default 5
        Shown counts are rounded to the nearest multiple (halves round up); 1 disables
        rounding. Totals are rounded from the true totals, so shown cells need not add up.
    secondary : bool, default True
        Also suppress further cells, smallest first, until no suppressed cell can be derived
        from the shown cells and totals by linear equations.
    keep_zeros : bool, default False
        Show zero counts instead of suppressing them.

    Returns
    -------
    SuppressedTable
        Displayed values, suppression mask, per-cell reasons and column percentages of the
        displayed values (withheld where the numerator or the denominator is suppressed).

    Raises
    ------
    InvalidInputError
        If the counts are invalid or `threshold` or `round_to` is not a positive integer.

    Notes
    -----
    Primary suppression hides counts :math:`0 \le n < t`. Secondary suppression treats the
    table with its margins as a linear system: with hidden cells :math:`x`, every row and
    column gives an equation :math:`A x = b`. Hidden cell :math:`k` is recoverable exactly
    when the unit vector :math:`e_k` lies in the row space of :math:`A`, that is when
    :math:`\operatorname{rank}\begin{pmatrix}A \\ e_k^\top\end{pmatrix} =
    \operatorname{rank}(A)`. Cells are added, preferring those in the same row or column
    and then the smallest, until no hidden cell is recoverable [1]_.

    What this protects, and what it does not:

    - The recovery check treats every shown count and total as exact, so it holds
      whatever the rounding; rounding is a further layer, not part of the guarantee.
    - `percent` is computed from the shown (rounded) counts, as NHS England's
      publications do, so it carries nothing the shown counts do not: a percentage of
      the exact counts beside a rounded count would give the exact count back (7 of 349
      shown as 5 with 2.0%). A percentage is withheld whenever its count or its column
      total is.
    - The guarantee is against exact recovery. Bounds remain: a primary cell lies in
      :math:`[0, t - 1]` (:math:`[1, t - 1]` with `keep_zeros`), and shown totals with
      non-negativity bound the others; a row total of 6 split between two suppressed
      cells below 5 puts each between 2 and 4. Protection against such interval
      inference needs a dedicated audit [1]_.
    - The check is per table. A count published in two tables (people analysed, and a
      table's grand total) links them; protect linked tables together, as
      :func:`~ipsstats.equity_report` does, and check them with
      :func:`~ipsstats.audit_counts`, which also takes rounding into account.
    - Statistics computed on the unsuppressed data (as they must be) carry information
      too: with one or two suppressed cells, a printed chi-squared value may pin them
      down.

    References
    ----------
    .. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 4
       (cell suppression in tabular data).

    Examples
    --------
    >>> import ipsstats as ips
    >>> safe = ips.suppress_small_counts([[12, 3, 40], [25, 9, 31]])
    >>> print(safe.to_text())
            0   1   2  Total
        0   *   *  40     55
        1   *   *  30     65
    Total  35  10  70    120
    >>> safe.reasons[0][1]
    'primary: count below 5'
    >>> safe.reasons[1][1]
    'secondary: protects a suppressed cell from recovery through totals'
    """
    for name, value in (("threshold", threshold), ("round_to", round_to)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise fail(name, "be a positive integer", repr(value))
    counts, rows, cols, one_row = _coerce(table)
    full = _with_margins(counts, one_row)
    primary = full < threshold
    if keep_zeros:
        primary &= full != 0
    extra = _secondary(full, primary, one_row) if secondary else np.zeros_like(primary)
    reason_text = _PRIMARY.format(threshold=threshold)
    reasons = tuple(
        tuple(
            reason_text if p else (_SECONDARY if e else "")
            for p, e in zip(prow, erow, strict=True)
        )
        for prow, erow in zip(primary.tolist(), extra.tolist(), strict=True)
    )
    suppressed = primary | extra
    shown = _round(full, round_to)
    if one_row:
        percent = 100.0 * shown / max(int(shown[0, -1]), 1)
        percent_hidden = suppressed | suppressed[:, -1:] | (shown[0, -1] == 0)
    else:
        percent = 100.0 * shown / np.maximum(shown[-1], 1)
        percent_hidden = suppressed | suppressed[-1] | (shown[-1] == 0)
    return SuppressedTable(
        row_levels=rows,
        col_levels=cols,
        shown=shown,
        suppressed=suppressed,
        reasons=reasons,
        percent=percent,
        percent_suppressed=percent_hidden,
        threshold=int(threshold),
        round_to=int(round_to),
    )
