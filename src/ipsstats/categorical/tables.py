"""Two-way and stratified contingency tables (:class:`ContingencyTable`, :class:`StratifiedTable`).

Tables are frozen and their arrays read-only. Missing values are kept beside the counts (the
missing row and column where known), and tables are additive: ``a + b`` aligns the levels by
label, so tables from several services or data partitions combine exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_counts,
    as_option,
    fail,
    readonly,
)
from ipsstats.categorical._labelled import (
    _MARGINS,
    _MISSING_LABEL,
    Margin,
    _check_digits,
    _check_shape,
    _check_with_missing,
    _col_levels,
    _embed,
    _grid,
    _int_array,
    _label,
    _Labelled,
    _levels_for,
    _n_dropped,
    _n_missing,
    _optional_int_array,
    _percent,
    _row_levels,
    _rule,
    _strata_levels,
    _union,
)
from ipsstats.results import json_safe

__all__ = ["ContingencyTable", "StratifiedTable"]

_Table = TypeVar("_Table", "ContingencyTable", "StratifiedTable")


def _relabel(
    table: _Table,
    levels: Mapping[str, Sequence[object] | None],
    names: Mapping[str, str | None],
    n_missing: int,
) -> _Table:
    """Return `table` with the given labels, names and `n_missing` (others unchanged).

    A new `n_missing` replaces the missing-value breakdown, which no longer applies.
    """
    changes: dict[str, Any] = {key: value for key, value in names.items() if value is not None}
    for axis, (key, value) in enumerate(levels.items()):
        if value is not None:
            argument = {"row_levels": "rows", "col_levels": "cols"}.get(key, "strata")
            changes[key] = _levels_for(value, argument, table.counts.shape[axis])
    if n_missing:
        changes["n_missing"] = n_missing
        changes["with_missing"] = None
    return attrs.evolve(table, **changes) if changes else table


def _table_rows(
    counts: NDArray[np.int64],
    row_levels: tuple[object, ...],
    col_levels: tuple[object, ...],
    *,
    corner: str,
    with_missing: NDArray[np.int64] | None,
    show_missing: bool,
    margin: Margin | None,
    digits: int,
    totals: bool,
) -> list[list[str]]:
    """Cells of a two-way table as strings, optionally ``n (%)``, with missing and totals."""
    row_totals = counts.sum(axis=1)
    col_totals = counts.sum(axis=0)
    n = int(counts.sum())

    def cell(c: int, i: int | None, j: int | None) -> str:
        if margin is None:
            return str(c)
        if margin == "col":
            total = n if j is None else int(col_totals[j])
        elif margin == "row":
            total = n if i is None else int(row_totals[i])
        else:
            total = n
        return f"{c} ({_percent(c, total, digits)})"

    missing_col = show_missing and with_missing is not None and bool(with_missing[:, 0].any())
    missing_row = show_missing and with_missing is not None and bool(with_missing[0, :].any())
    header = [corner, *(_label(level) for level in col_levels)]
    header += [_MISSING_LABEL] * missing_col + ["Total"] * totals
    rows = [header]
    for i, level in enumerate(row_levels):
        line = [_label(level)]
        line += [cell(int(counts[i, j]), i, j) for j in range(len(col_levels))]
        if missing_col and with_missing is not None:
            line.append(str(int(with_missing[i + 1, 0])))
        if totals:
            line.append(cell(int(row_totals[i]), i if margin == "row" else None, None))
        rows.append(line)
    if totals:
        line = ["Total"]
        line += [
            cell(int(col_totals[j]), None, j if margin == "col" else None)
            for j in range(len(col_levels))
        ]
        if missing_col and with_missing is not None:
            line.append(str(int(with_missing[1:, 0].sum())))
        line.append(cell(n, None, None))
        rows.append(line)
    if missing_row and with_missing is not None:
        line = [_MISSING_LABEL, *(str(int(c)) for c in with_missing[0, 1:])]
        if missing_col:
            line.append(str(int(with_missing[0, 0])))
        if totals:
            line.append(str(int(with_missing[0, 1:].sum())))
        rows.append(line)
    return rows


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ContingencyTable(_Labelled):
    r"""Labelled two-way counts (rows x columns), with missing values kept beside them.

    Parameters
    ----------
    counts : array-like of int, 2-D
        Counts of records with a non-missing row and column value; stored read-only.
    row_levels, col_levels : sequence
        Ordered, distinct labels of the rows and columns.
    row_name, col_name : str or None
        Names of the row and column variables.
    n_missing : int
        Records excluded because their row or column value was missing.
    missing : {"report", "drop"}
        The rule applied to missing values (see :class:`Counts`).
    n_dropped : int
        Records removed afterwards by :meth:`drop`.
    with_missing : array-like of int or None
        The counts with a leading missing level on both axes, shape
        ``(rows + 1, cols + 1)``: ``with_missing[0, 1:]`` is the "Missing" row (row value
        missing, by column) and ``with_missing[1:, 0]`` the "Missing" column. ``None`` when
        only `n_missing` is known (tables built from counts).

    Raises
    ------
    InvalidInputError
        If a count is invalid, labels repeat or do not match the shape, or `with_missing`
        disagrees with `counts` and `n_missing`.

    See Also
    --------
    crosstab : count records by two (or three) factors.
    ContingencyTable.from_counts : build from a 2-D array of counts.

    Notes
    -----
    With counts :math:`n_{ij}`, the margins are :math:`n_{i+} = \sum_j n_{ij}` (`row_totals`),
    :math:`n_{+j} = \sum_i n_{ij}` (`col_totals`) and :math:`n = \sum_{ij} n_{ij}`. Column
    proportions are :math:`n_{ij} / n_{+j}`, row proportions :math:`n_{ij} / n_{i+}`.

    Tables add cell by cell, aligned by label (``a + b``): ``sum([a, b, c])`` adds several.

    References
    ----------
    1. Perkins R, Patel R, Willett A, Chisholm L, Rinaldi M. Individual placement and
       support: cross-sectional study of equality of access and outcome for Black, Asian and
       minority ethnic communities. BJPsych Bulletin 2022; Table 1.

    Examples
    --------
    The ethnicity of people accessing two IPS services (reference 1, Table 1):

    >>> from ipsstats import ContingencyTable
    >>> t = ContingencyTable.from_counts(
    ...     [[134, 144], [77, 114], [64, 63], [38, 21], [52, 7]],
    ...     rows=["White", "Asian", "Black", "Mixed", "Other"], cols=["CNWL", "WWT"],
    ...     row_name="ethnicity", n_missing=65)
    >>> t.n, t.col_totals.tolist()
    (714, [365, 349])
    >>> print(t.format_percent(totals=True))
    ethnicity  CNWL        WWT         Total
    White      134 (36.7)  144 (41.3)  278 (38.9)
    Asian      77 (21.1)   114 (32.7)  191 (26.8)
    Black      64 (17.5)   63 (18.1)   127 (17.8)
    Mixed      38 (10.4)   21 (6.0)    59 (8.3)
    Other      52 (14.2)   7 (2.0)     59 (8.3)
    Total      365 (100.0) 349 (100.0) 714 (100.0)
    Missing: 65
    """

    _AXES = ("rows", "cols")
    _LEVEL_FIELDS = ("row_levels", "col_levels")
    _NAME_FIELDS = ("row_name", "col_name")

    counts: NDArray[np.int64] = attrs.field(converter=_int_array)
    row_levels: tuple[object, ...] = attrs.field(converter=_row_levels)
    col_levels: tuple[object, ...] = attrs.field(converter=_col_levels)
    row_name: str | None = None
    col_name: str | None = None
    n_missing: int = attrs.field(default=0, converter=_n_missing)
    missing: Literal["report", "drop"] = attrs.field(default="report", converter=_rule)
    n_dropped: int = attrs.field(default=0, converter=_n_dropped)
    with_missing: NDArray[np.int64] | None = attrs.field(
        default=None, converter=_optional_int_array
    )

    def __attrs_post_init__(self) -> None:
        _check_shape(self.counts, [self.row_levels, self.col_levels], ["row_levels", "col_levels"])
        _check_with_missing(self.with_missing, self.counts, self.n_missing)

    @classmethod
    def from_counts(
        cls,
        counts: object,
        *,
        rows: Sequence[object] | None = None,
        cols: Sequence[object] | None = None,
        row_name: str | None = None,
        col_name: str | None = None,
        n_missing: int = 0,
    ) -> ContingencyTable:
        """Build from a 2-D array of counts.

        Parameters
        ----------
        counts : array-like of int or ContingencyTable
            Non-negative whole numbers, rows x columns. A :class:`ContingencyTable` is
            returned as is when no other argument is given.
        rows, cols : sequence, optional
            Row and column labels; default ``"0", "1", ...``.
        row_name, col_name : str or None
            Names of the row and column variables.
        n_missing : int
            Records excluded because a value was missing.

        Returns
        -------
        ContingencyTable

        Raises
        ------
        InvalidInputError
            If `counts` is not 2-D or holds a negative, fractional or non-finite count, or
            the labels do not match its shape.

        Examples
        --------
        >>> from ipsstats import ContingencyTable
        >>> t = ContingencyTable.from_counts([[3, 1], [1, 3]], rows=["milk", "tea"])
        >>> t.row_levels, t.col_levels, t.n
        (('milk', 'tea'), ('0', '1'), 8)
        """
        if isinstance(counts, ContingencyTable):
            return _relabel(
                counts,
                {"row_levels": rows, "col_levels": cols},
                {"row_name": row_name, "col_name": col_name},
                n_missing,
            )
        array = as_counts(counts, "counts", ndim=2)
        return cls(
            counts=array,
            row_levels=_levels_for(rows, "rows", array.shape[0]),
            col_levels=_levels_for(cols, "cols", array.shape[1]),
            row_name=row_name,
            col_name=col_name,
            n_missing=n_missing,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """Number of rows and columns."""
        return (len(self.row_levels), len(self.col_levels))

    @property
    def row_totals(self) -> NDArray[np.int64]:
        """Count of each row (over the columns), read-only."""
        return readonly(self.counts.sum(axis=1), np.int64)

    @property
    def col_totals(self) -> NDArray[np.int64]:
        """Count of each column (over the rows), read-only."""
        return readonly(self.counts.sum(axis=0), np.int64)

    @property
    def missing_row(self) -> NDArray[np.int64] | None:
        """Records whose row value is missing, by column (``None`` if not known)."""
        return None if self.with_missing is None else readonly(self.with_missing[0, 1:])

    @property
    def missing_col(self) -> NDArray[np.int64] | None:
        """Records whose column value is missing, by row (``None`` if not known)."""
        return None if self.with_missing is None else readonly(self.with_missing[1:, 0])

    def proportions(self, margin: Margin = "total") -> NDArray[np.float64]:
        """Express the counts as proportions of their row, column or grand total.

        Parameters
        ----------
        margin : {"total", "row", "col"}
            Divide by :math:`n` (``"total"``), the row totals :math:`n_{i+}` or the column
            totals :math:`n_{+j}`.

        Returns
        -------
        ndarray of float
            Read-only, the shape of `counts`. A row (or column) whose total is zero has
            undefined proportions, returned as NaN.

        Raises
        ------
        InvalidInputError
            If `margin` is not one of the choices.

        Examples
        --------
        >>> from ipsstats import ContingencyTable
        >>> t = ContingencyTable.from_counts([[1, 3], [2, 2]])
        >>> t.proportions("row").tolist()
        [[0.25, 0.75], [0.5, 0.5]]
        """
        return self._proportions(margin)

    def drop(self, levels: object, axis: Literal["rows", "cols"] = "rows") -> ContingencyTable:
        """Remove rows or columns; their records are counted in `n_dropped`.

        Parameters
        ----------
        levels : label or sequence of labels
            Existing levels of `axis` to remove.
        axis : {"rows", "cols"}
            Which variable's levels.

        Returns
        -------
        ContingencyTable

        Raises
        ------
        InvalidInputError
            If a label is not a level, or `axis` is not a choice.
        """
        return self._drop(levels, axis)

    def reorder(
        self, levels: Sequence[object], axis: Literal["rows", "cols"] = "rows"
    ) -> ContingencyTable:
        """Put the rows or columns in a new order.

        Parameters
        ----------
        levels : sequence
            Every existing level of `axis` exactly once.
        axis : {"rows", "cols"}
            Which variable's levels.

        Returns
        -------
        ContingencyTable

        Raises
        ------
        InvalidInputError
            If a label is unknown, repeated or left out, or `axis` is not a choice.
        """
        return self._reorder(levels, axis)

    def collapse(
        self, mapping: Mapping[Any, Any], axis: Literal["rows", "cols"] = "rows"
    ) -> ContingencyTable:
        """Merge rows or columns, e.g. every minority group into one.

        Parameters
        ----------
        mapping : mapping
            ``{old: new}`` or ``{new: [old, ...]}``. Unmentioned levels stay; a merged
            level takes the place of the first of its old levels.
        axis : {"rows", "cols"}
            Which variable's levels.

        Returns
        -------
        ContingencyTable

        Raises
        ------
        InvalidInputError
            If `mapping` names an unknown level, or `axis` is not a choice.

        Examples
        --------
        >>> from ipsstats import ContingencyTable
        >>> t = ContingencyTable.from_counts([[5, 1], [2, 2], [1, 3]], rows=["a", "b", "c"])
        >>> t.collapse({"b": "other", "c": "other"}).counts.tolist()
        [[5, 1], [3, 5]]
        """
        return self._collapse(mapping, axis)

    def transpose(self) -> ContingencyTable:
        """Swap rows and columns.

        Returns
        -------
        ContingencyTable
        """
        return ContingencyTable(
            counts=self.counts.T,
            row_levels=self.col_levels,
            col_levels=self.row_levels,
            row_name=self.col_name,
            col_name=self.row_name,
            n_missing=self.n_missing,
            n_dropped=self.n_dropped,
            missing=self.missing,
            with_missing=None if self.with_missing is None else self.with_missing.T,
        )

    @property
    def T(self) -> ContingencyTable:  # noqa: N802  # numpy's name for the transpose
        """The transposed table (see :meth:`transpose`)."""
        return self.transpose()

    def format_percent(
        self, *, margin: Margin = "col", digits: int = 1, totals: bool = False
    ) -> str:
        """Paper-style table of ``n (%)`` cells.

        Parameters
        ----------
        margin : {"col", "row", "total"}
            Percent of the column total (default, as in most papers), the row total or the
            grand total. Percentages are rounded half up from the exact counts.
        digits : int
            Decimal places of the percentages.
        totals : bool
            Add a "Total" column and row.

        Returns
        -------
        str
            The table; a "Missing" row (and column) of counts only, when the rule is
            ``"report"``; "-" where a percentage's total is zero.

        Raises
        ------
        InvalidInputError
            If `margin` is not one of the choices, or `digits` is not from 0 to 10.
        """
        choice = as_option(margin, "margin", _MARGINS)
        places = _check_digits(digits)
        rows = _table_rows(
            self.counts,
            self.row_levels,
            self.col_levels,
            corner=self.row_name or "",
            with_missing=self.with_missing,
            show_missing=self.missing == "report",
            margin=choice,
            digits=places,
            totals=totals,
        )
        text, note = _grid(rows), self._missing_note()
        return f"{text}\n{note}" if note else text

    def to_text(self) -> str:
        """Paper-style ``n (%)`` text (see :meth:`format_percent`)."""
        return self.format_percent()

    def to_dict(self) -> dict[str, Any]:
        """Return the table as JSON-safe Python objects."""
        return {
            **self._to_dict(),
            "missing_row": json_safe(self.missing_row),
            "missing_col": json_safe(self.missing_col),
        }

    def __repr__(self) -> str:
        rows = _table_rows(
            self.counts,
            self.row_levels,
            self.col_levels,
            corner="",
            with_missing=self.with_missing,
            show_missing=True,
            margin=None,
            digits=1,
            totals=False,
        )
        head = (
            f"ContingencyTable(row_name={self.row_name!r}, col_name={self.col_name!r}, "
            f"n={self.n}, n_missing={self.n_missing}, missing={self.missing!r})"
        )
        return head + "\n" + _grid(rows)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class StratifiedTable(_Labelled):
    r"""A stack of two-way tables, one per level of a third (stratifying) variable.

    Parameters
    ----------
    counts : array-like of int, 3-D
        Strata x rows x columns counts of records with no missing value; stored read-only.
    strata_levels, row_levels, col_levels : sequence
        Ordered, distinct labels of each axis.
    strata_name, row_name, col_name : str or None
        Names of the three variables.
    n_missing : int
        Records excluded because their stratum, row or column value was missing.
    missing : {"report", "drop"}
        The rule applied to missing values (see :class:`Counts`).
    n_dropped : int
        Records removed afterwards by :meth:`drop`.
    with_missing : array-like of int or None
        The counts with a leading missing level on every axis, shape
        ``(strata + 1, rows + 1, cols + 1)``; ``None`` when only `n_missing` is known.

    Raises
    ------
    InvalidInputError
        If a count is invalid, labels repeat or do not match the shape.

    See Also
    --------
    crosstab : with ``strata=`` builds one from records.

    Notes
    -----
    Stratum :math:`k` holds the table :math:`n_{kij}`; :meth:`tables` returns each as a
    :class:`ContingencyTable`, with the missing values recorded in that stratum.

    Tables add cell by cell, aligned by label (``a + b``): ``sum([a, b, c])`` adds several.

    Examples
    --------
    >>> from ipsstats import StratifiedTable
    >>> s = StratifiedTable.from_counts([[[2, 1], [1, 2]], [[4, 0], [1, 3]]],
    ...                                 strata=["CNWL", "WWT"], strata_name="service")
    >>> [t.n for t in s.tables()]
    [6, 8]
    """

    _AXES = ("strata", "rows", "cols")
    _LEVEL_FIELDS = ("strata_levels", "row_levels", "col_levels")
    _NAME_FIELDS = ("strata_name", "row_name", "col_name")

    counts: NDArray[np.int64] = attrs.field(converter=_int_array)
    strata_levels: tuple[object, ...] = attrs.field(converter=_strata_levels)
    row_levels: tuple[object, ...] = attrs.field(converter=_row_levels)
    col_levels: tuple[object, ...] = attrs.field(converter=_col_levels)
    strata_name: str | None = None
    row_name: str | None = None
    col_name: str | None = None
    n_missing: int = attrs.field(default=0, converter=_n_missing)
    missing: Literal["report", "drop"] = attrs.field(default="report", converter=_rule)
    n_dropped: int = attrs.field(default=0, converter=_n_dropped)
    with_missing: NDArray[np.int64] | None = attrs.field(
        default=None, converter=_optional_int_array
    )

    def __attrs_post_init__(self) -> None:
        _check_shape(
            self.counts,
            [self.strata_levels, self.row_levels, self.col_levels],
            ["strata_levels", "row_levels", "col_levels"],
        )
        _check_with_missing(self.with_missing, self.counts, self.n_missing)

    @classmethod
    def from_counts(
        cls,
        counts: object,
        *,
        strata: Sequence[object] | None = None,
        rows: Sequence[object] | None = None,
        cols: Sequence[object] | None = None,
        strata_name: str | None = None,
        row_name: str | None = None,
        col_name: str | None = None,
        n_missing: int = 0,
    ) -> StratifiedTable:
        """Build from a 3-D array of counts (strata x rows x columns).

        Parameters
        ----------
        counts : array-like of int or StratifiedTable
            Non-negative whole numbers. A :class:`StratifiedTable` is returned as is when
            no other argument is given.
        strata, rows, cols : sequence, optional
            Labels of each axis; default ``"0", "1", ...``.
        strata_name, row_name, col_name : str or None
            Names of the variables.
        n_missing : int
            Records excluded because a value was missing.

        Returns
        -------
        StratifiedTable

        Raises
        ------
        InvalidInputError
            If `counts` is not 3-D or holds an invalid count, or the labels do not match.
        """
        if isinstance(counts, StratifiedTable):
            return _relabel(
                counts,
                {"strata_levels": strata, "row_levels": rows, "col_levels": cols},
                {"strata_name": strata_name, "row_name": row_name, "col_name": col_name},
                n_missing,
            )
        array = as_counts(counts, "counts", ndim=3)
        return cls(
            counts=array,
            strata_levels=_levels_for(strata, "strata", array.shape[0]),
            row_levels=_levels_for(rows, "rows", array.shape[1]),
            col_levels=_levels_for(cols, "cols", array.shape[2]),
            strata_name=strata_name,
            row_name=row_name,
            col_name=col_name,
            n_missing=n_missing,
        )

    @classmethod
    def from_tables(
        cls,
        tables: Mapping[object, object],
        *,
        strata_name: str | None = None,
    ) -> StratifiedTable:
        """Stack two-way tables, aligning their rows and columns by label.

        Parameters
        ----------
        tables : mapping
            Stratum label to :class:`ContingencyTable` (or a 2-D array of counts, which
            then needs the same shape as the others).
        strata_name : str or None
            Name of the stratifying variable.

        Returns
        -------
        StratifiedTable
            Rows and columns are the union of the tables' levels, in first-seen order;
            `n_missing` is the sum of the tables'.

        Raises
        ------
        InvalidInputError
            If `tables` is empty or not a mapping, or a table is invalid.
        """
        if not isinstance(tables, Mapping) or not tables:
            raise fail("tables", "be a non-empty mapping {stratum: table}", repr(tables)[:60])
        parts = [ContingencyTable.from_counts(t) for t in tables.values()]
        rows: tuple[object, ...] = ()
        cols: tuple[object, ...] = ()
        for t in parts:
            rows, cols = _union(rows, t.row_levels), _union(cols, t.col_levels)
        stacked = np.stack(
            [
                _embed(_embed(t.counts, 0, t.row_levels, rows, 0), 1, t.col_levels, cols, 0)
                for t in parts
            ]
        )
        first = parts[0]
        return cls(
            counts=stacked,
            strata_levels=list(tables),
            row_levels=rows,
            col_levels=cols,
            strata_name=strata_name,
            row_name=first.row_name,
            col_name=first.col_name,
            n_missing=sum(t.n_missing for t in parts),
            n_dropped=sum(t.n_dropped for t in parts),
            missing=first.missing,
        )

    def tables(self) -> tuple[ContingencyTable, ...]:
        """Return the two-way table of each stratum, in order.

        Returns
        -------
        tuple of ContingencyTable
            Each carries the missing values recorded within its stratum (records whose
            stratum itself is missing belong to no table).
        """
        out = []
        for k in range(len(self.strata_levels)):
            block = None if self.with_missing is None else self.with_missing[k + 1]
            n_missing = 0 if block is None else int(block.sum()) - int(self.counts[k].sum())
            out.append(
                ContingencyTable(
                    counts=self.counts[k],
                    row_levels=self.row_levels,
                    col_levels=self.col_levels,
                    row_name=self.row_name,
                    col_name=self.col_name,
                    n_missing=n_missing,
                    missing=self.missing,
                    with_missing=block,
                )
            )
        return tuple(out)

    def proportions(self, margin: Margin = "total") -> NDArray[np.float64]:
        """Express the counts as proportions within each stratum.

        Parameters
        ----------
        margin : {"total", "row", "col"}
            Divide by the stratum's total, its row totals or its column totals.

        Returns
        -------
        ndarray of float
            Read-only, the shape of `counts`; NaN where the total is zero.

        Raises
        ------
        InvalidInputError
            If `margin` is not one of the choices.
        """
        return self._proportions(margin)

    def drop(
        self, levels: object, axis: Literal["strata", "rows", "cols"] = "strata"
    ) -> StratifiedTable:
        """Remove levels of one axis; their records are counted in `n_dropped`.

        Parameters
        ----------
        levels : label or sequence of labels
            Existing levels of `axis`.
        axis : {"strata", "rows", "cols"}
            Which variable's levels.

        Returns
        -------
        StratifiedTable

        Raises
        ------
        InvalidInputError
            If a label is not a level, or `axis` is not a choice.
        """
        return self._drop(levels, axis)

    def reorder(
        self, levels: Sequence[object], axis: Literal["strata", "rows", "cols"] = "strata"
    ) -> StratifiedTable:
        """Put the levels of one axis in a new order.

        Parameters
        ----------
        levels : sequence
            Every existing level of `axis` exactly once.
        axis : {"strata", "rows", "cols"}
            Which variable's levels.

        Returns
        -------
        StratifiedTable

        Raises
        ------
        InvalidInputError
            If a label is unknown, repeated or left out, or `axis` is not a choice.
        """
        return self._reorder(levels, axis)

    def collapse(
        self, mapping: Mapping[Any, Any], axis: Literal["strata", "rows", "cols"] = "strata"
    ) -> StratifiedTable:
        """Merge levels of one axis.

        Parameters
        ----------
        mapping : mapping
            ``{old: new}`` or ``{new: [old, ...]}``.
        axis : {"strata", "rows", "cols"}
            Which variable's levels.

        Returns
        -------
        StratifiedTable

        Raises
        ------
        InvalidInputError
            If `mapping` names an unknown level, or `axis` is not a choice.
        """
        return self._collapse(mapping, axis)

    def format_percent(
        self, *, margin: Margin = "col", digits: int = 1, totals: bool = False
    ) -> str:
        """Paper-style ``n (%)`` text of each stratum's table, one after another.

        Parameters
        ----------
        margin : {"col", "row", "total"}
            Percent of the column, row or grand total within the stratum.
        digits : int
            Decimal places of the percentages.
        totals : bool
            Add a "Total" column and row to each table.

        Returns
        -------
        str

        Raises
        ------
        InvalidInputError
            If `margin` is not one of the choices, or `digits` is not from 0 to 10.
        """
        name = self.strata_name or "stratum"
        blocks = [
            f"{name} = {_label(level)}\n"
            + table.format_percent(margin=margin, digits=digits, totals=totals)
            for level, table in zip(self.strata_levels, self.tables(), strict=True)
        ]
        text, note = "\n\n".join(blocks), self._missing_note()
        if self.missing == "report" and self.with_missing is not None:
            unplaced = int(self.with_missing[0].sum())
            note = f"{_MISSING_LABEL} {name}: {unplaced}" if unplaced else ""
        return f"{text}\n\n{note}" if note else text

    def to_text(self) -> str:
        """Paper-style ``n (%)`` text (see :meth:`format_percent`)."""
        return self.format_percent()

    def to_dict(self) -> dict[str, Any]:
        """Return the table as JSON-safe Python objects."""
        return self._to_dict()

    def __repr__(self) -> str:
        return (
            f"StratifiedTable(strata_name={self.strata_name!r}, row_name={self.row_name!r}, "
            f"col_name={self.col_name!r}, shape={self.counts.shape}, n={self.n}, "
            f"n_missing={self.n_missing}, missing={self.missing!r})"
        )
