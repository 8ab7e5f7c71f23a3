"""Residuals and Cramér's V of two-way tables, and the validation of the tables tested.

:func:`pearson_residuals` and :func:`adjusted_residuals` read a table cell by cell;
:func:`cramers_v` measures the strength of association. The validation of a two-way
table (counts, labels, exclusions, empty rows and columns) is shared with
:func:`~ipsstats.categorical.independence.independence`.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_counts, fail, readonly
from ipsstats.categorical.tables import ContingencyTable
from ipsstats.errors import InsufficientDataError

__all__ = ["adjusted_residuals", "cramers_v", "pearson_residuals"]


def _exclusions(table: object) -> dict[str, int]:
    """Count the records a labelled table excludes from tests, by reason."""
    out: dict[str, int] = {}
    n_missing = int(getattr(table, "n_missing", 0))
    n_dropped = int(getattr(table, "n_dropped", 0))
    if n_missing:
        out["missing value"] = n_missing
    if n_dropped:
        out["level dropped from the table"] = n_dropped
    return out


# --- validation of a two-way table -----------------------------------------------------


@functools.lru_cache(maxsize=64)
def _default_levels(size: int) -> tuple[object, ...]:
    return tuple(str(k) for k in range(size))


class _Table(NamedTuple):
    """A validated two-way table (internal): counts, labels, margins and exclusions."""

    counts: NDArray[np.int64]
    rows: tuple[object, ...]
    cols: tuple[object, ...]
    exclusions: dict[str, int]
    dropped: bool
    row_totals: list[int]
    col_totals: list[int]


#: Tables with at most this many cells have their margins added up in Python integers,
#: which is faster than numpy's per-call overhead at that size.
_SMALL_TABLE = 16


def _margins(counts: NDArray[np.int64]) -> tuple[list[int], list[int]]:
    """Row and column totals of a table, as Python integers."""
    if 0 < counts.size <= _SMALL_TABLE:
        nested = counts.tolist()
        return [sum(row) for row in nested], [sum(col) for col in zip(*nested, strict=True)]
    return np.add.reduce(counts, 1).tolist(), np.add.reduce(counts, 0).tolist()


def _validated_table(table: object, *, need_full: bool, name: str = "table") -> _Table:
    """Validate a table; drop empty rows/columns (unless `need_full`, which refuses them).

    The margins computed here are returned for the tests to reuse.
    """
    if isinstance(table, ContingencyTable):
        counts = table.counts
        rows, cols = table.row_levels, table.col_levels
        exclusions = _exclusions(table)
    else:
        counts = as_counts(table, name, ndim=2)
        rows, cols = _default_levels(counts.shape[0]), _default_levels(counts.shape[1])
        exclusions = {}
    row_totals, col_totals = _margins(counts)
    # the common case, decided on the margins as (few) Python integers: nothing to drop
    if len(rows) >= 2 and len(cols) >= 2 and 0 not in row_totals and 0 not in col_totals:
        return _Table(counts, rows, cols, exclusions, False, row_totals, col_totals)  # noqa: FBT003  # positional: cheaper
    row_ok: NDArray[np.bool_] = np.array(row_totals) > 0
    col_ok: NDArray[np.bool_] = np.array(col_totals) > 0
    dropped = not (bool(row_ok.all()) and bool(col_ok.all()))
    if dropped and (need_full or row_ok.sum() < 2 or col_ok.sum() < 2):
        raise _insufficient(name, rows, cols, row_ok, col_ok, need_full=need_full)
    if len(rows) < 2 or len(cols) < 2:
        raise _insufficient(name, rows, cols, row_ok, col_ok, need_full=need_full)
    if dropped:
        counts = readonly(counts[row_ok][:, col_ok], np.int64)
        rows = tuple(level for level, ok in zip(rows, row_ok, strict=True) if ok)
        cols = tuple(level for level, ok in zip(cols, col_ok, strict=True) if ok)
        row_totals = [total for total in row_totals if total]
        col_totals = [total for total in col_totals if total]
    return _Table(counts, rows, cols, exclusions, dropped, row_totals, col_totals)


def _table_counts(
    table: object, *, need_full: bool, name: str = "table"
) -> tuple[NDArray[np.int64], tuple[object, ...], tuple[object, ...], dict[str, int], bool]:
    """Validate a table (see :func:`_validated_table`): counts, labels, exclusions, dropped."""
    valid = _validated_table(table, need_full=need_full, name=name)
    return valid.counts, valid.rows, valid.cols, valid.exclusions, valid.dropped


def _insufficient(
    name: str,
    rows: tuple[object, ...],
    cols: tuple[object, ...],
    row_ok: NDArray[np.bool_],
    col_ok: NDArray[np.bool_],
    *,
    need_full: bool,
) -> InsufficientDataError:
    empty_rows = [level for level, ok in zip(rows, row_ok, strict=True) if not ok]
    empty_cols = [level for level, ok in zip(cols, col_ok, strict=True) if not ok]
    rule = (
        "have no empty row or column"
        if need_full
        else "have at least two non-empty rows and two non-empty columns"
    )
    return InsufficientDataError(
        f"`{name}` must {rule} after exclusions; got {int(row_ok.sum())} non-empty of "
        f"{len(rows)} rows and {int(col_ok.sum())} non-empty of {len(cols)} columns "
        f"(empty rows: {empty_rows}; empty columns: {empty_cols}).",
        argument=name,
        positions=tuple(empty_rows + empty_cols),
    )


# --- residuals ------------------------------------------------------------------------------


def _expected(counts: NDArray[np.int64]) -> NDArray[np.float64]:
    rows = counts.sum(axis=1, keepdims=True)
    cols = counts.sum(axis=0, keepdims=True)
    return np.asarray(rows * (cols / float(rows.sum())))


def _adjusted(counts: NDArray[np.int64], expected: NDArray[np.float64]) -> NDArray[np.float64]:
    n = float(expected.sum())
    row_share = expected.sum(axis=1, keepdims=True) / n
    col_share = expected.sum(axis=0, keepdims=True) / n
    return np.asarray(
        (counts - expected) / np.sqrt(expected * ((1.0 - row_share) * (1.0 - col_share)))
    )


def pearson_residuals(table: object) -> NDArray[np.float64]:
    r"""Compute Pearson residuals of a two-way table under independence.

    Parameters
    ----------
    table : ContingencyTable or array-like of int, shape (r, c)
        Counts with no empty row or column.

    Returns
    -------
    numpy.ndarray
        :math:`(O_{ij} - E_{ij}) / \sqrt{E_{ij}}`, read-only.

    Raises
    ------
    InvalidInputError
        If `table` is not a valid table of counts.
    InsufficientDataError
        If a row or column is empty (its expected counts are zero).

    See Also
    --------
    adjusted_residuals : residuals with unit variance under independence.

    Notes
    -----
    :math:`E_{ij} = r_i c_j / n`. The squared residuals sum to Pearson's statistic.

    Examples
    --------
    >>> print(pearson_residuals([[10, 20], [20, 10]]).round(3))
    [[-1.291  1.291]
     [ 1.291 -1.291]]
    """
    counts, *_ = _table_counts(table, need_full=True)
    out = (counts - _expected(counts)) / np.sqrt(_expected(counts))
    out.flags.writeable = False
    return np.asarray(out)


def adjusted_residuals(table: object) -> NDArray[np.float64]:
    r"""Compute adjusted (Haberman standardised) residuals of a two-way table.

    Parameters
    ----------
    table : ContingencyTable or array-like of int, shape (r, c)
        Counts with at least two non-empty rows and columns and no empty row or column.

    Returns
    -------
    numpy.ndarray
        The residuals, read-only; approximately standard normal under independence, so
        values beyond about 2 in absolute value point at the cells that depart from it.

    Raises
    ------
    InvalidInputError
        If `table` is not a valid table of counts.
    InsufficientDataError
        If a row or column is empty.

    Notes
    -----
    .. math::

        d_{ij} = \frac{O_{ij} - E_{ij}}
                      {\sqrt{E_{ij} (1 - r_i / n) (1 - c_j / n)}}

    (Haberman [1]_; Agresti [2]_, section 2.4.5).

    References
    ----------
    .. [1] Haberman, S. J. (1973). The analysis of residuals in cross-classified tables.
       Biometrics 29(1), 205-220.
    .. [2] Agresti, A. (2013). Categorical Data Analysis, 3rd edition. Wiley, p. 80-81.

    Examples
    --------
    >>> print(adjusted_residuals([[10, 20], [20, 10]]).round(3))
    [[-2.582  2.582]
     [ 2.582 -2.582]]
    """
    counts, *_ = _table_counts(table, need_full=True)
    out = _adjusted(counts, _expected(counts))
    out.flags.writeable = False
    return out


# --- Cramér's V -----------------------------------------------------------------------------


def _cramers_v(
    statistic: float, n: int, shape: tuple[int, int], *, bias_correction: bool
) -> float:
    r, c = shape
    phi2 = statistic / n
    if not bias_correction:
        return math.sqrt(phi2 / (min(r, c) - 1))
    if n <= 1:
        return 0.0
    phi2 = max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
    r_c = r - (r - 1) ** 2 / (n - 1)
    c_c = c - (c - 1) ** 2 / (n - 1)
    denominator = min(r_c, c_c) - 1
    return math.sqrt(phi2 / denominator) if denominator > 0 else 0.0


def cramers_v(table: object, *, bias_correction: bool = False) -> float:
    r"""Cramér's V: the strength of association in a two-way table, from 0 to 1.

    Parameters
    ----------
    table : ContingencyTable or array-like of int, shape (r, c)
        Counts. Empty rows and columns are dropped; at least two of each must remain.
    bias_correction : bool, optional
        Apply Bergsma's bias correction [2]_ (recommended for small samples).

    Returns
    -------
    float
        V, in [0, 1]. A plain float: no confidence interval is computed.

    Raises
    ------
    InvalidInputError
        If `table` is not a valid table of counts or `bias_correction` is not a bool.
    InsufficientDataError
        If fewer than two rows or columns are non-empty.

    Notes
    -----
    With Pearson's statistic :math:`X^2` and :math:`\phi^2 = X^2 / n`,

    .. math::

        V = \sqrt{\frac{\phi^2}{\min(r, c) - 1}}.

    Bergsma's corrected version replaces :math:`\phi^2` by
    :math:`\max(0, \phi^2 - (r-1)(c-1)/(n-1))` and :math:`r, c` by
    :math:`r - (r-1)^2/(n-1)` and :math:`c - (c-1)^2/(n-1)`.

    References
    ----------
    .. [1] Cramér, H. (1946). Mathematical Methods of Statistics. Princeton University
       Press, p. 282.
    .. [2] Bergsma, W. (2013). A bias-correction for Cramér's V and Tschuprow's T. Journal
       of the Korean Statistical Society 42(3), 323-328.

    Examples
    --------
    >>> print(round(cramers_v([[762, 327, 468], [484, 239, 477]]), 4))
    0.1045
    >>> print(round(cramers_v([[762, 327, 468], [484, 239, 477]], bias_correction=True), 4))
    0.1009
    """
    if not isinstance(bias_correction, (bool, np.bool_)):
        raise fail("bias_correction", "be True or False", repr(bias_correction))
    counts, *_ = _table_counts(table, need_full=False)
    expected = _expected(counts)
    statistic = float((np.square(counts - expected) / expected).sum())
    return _cramers_v(
        statistic, int(counts.sum()), counts.shape, bias_correction=bool(bias_correction)
    )
