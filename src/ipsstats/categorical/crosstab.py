"""Counting records into tables: :func:`tally` and :func:`crosstab`.

Categorical columns and integer codes are counted through their own codes with one
:func:`numpy.bincount` over combined codes; strings are factorised once with a hash table
(see :mod:`ipsstats.factor`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_option,
    check_same_length,
    fail,
)
from ipsstats._encoding import (
    MISSING,
    UNKNOWN,
    Coded,
    RawIntegers,
    check_levels,
    complete,
    encode,
    unknown_error,
)
from ipsstats.categorical._labelled import (
    _CHUNK,
    _MAX_CELLS,
    _MISSING_RULES,
    _SMALL_START,
    MissingRule,
)
from ipsstats.categorical.counts import Counts
from ipsstats.categorical.tables import ContingencyTable, StratifiedTable

__all__ = ["crosstab", "tally"]

# --- counting records ------------------------------------------------------------------------


class _TooWideError(Exception):
    """Integer columns span too many values to count directly (internal signal)."""


def _chunk_bounds(chunk: NDArray[Any]) -> tuple[int, int]:
    """Smallest and largest value of a chunk of integers (0 as the start when small).

    One reduction usually suffices: viewed as unsigned, negative values exceed the signed
    maximum, so an unsigned maximum that is small and within the signed range proves every
    value lies in ``[0, max]``.
    """
    if chunk.dtype.kind == "i":
        high = int(chunk.view(chunk.dtype.str.replace("i", "u")).max())
        # in a narrow dtype (int8) negative values view as small unsigned ones too
        if high < _SMALL_START and high <= np.iinfo(chunk.dtype).max:
            return 0, high
    elif int(chunk.max()) < _SMALL_START:
        return 0, int(chunk.max())
    return int(chunk.min()), int(chunk.max())


def _accumulate(
    total: NDArray[np.int64] | None,
    origin: list[int],
    part: NDArray[np.int64],
    lows: list[int],
) -> tuple[NDArray[np.int64], list[int]]:
    """Add a chunk's table `part` (starting at values `lows`) into the running `total`."""
    if total is None:
        return part.astype(np.int64, copy=True), lows
    start = [min(a, b) for a, b in zip(origin, lows, strict=True)]
    stop = [
        max(a + m, b + k) for a, m, b, k in zip(origin, total.shape, lows, part.shape, strict=True)
    ]
    if start != origin or stop != [a + m for a, m in zip(origin, total.shape, strict=True)]:
        grown = np.zeros([b - a for a, b in zip(start, stop, strict=True)], dtype=np.int64)
        grown[_window(origin, total.shape, start)] = total
        total, origin = grown, start
    total[_window(lows, part.shape, origin)] += part
    return total, origin


def _window(lows: Sequence[int], shape: Sequence[int], origin: Sequence[int]) -> tuple[slice, ...]:
    return tuple(slice(lo - o, lo - o + m) for lo, m, o in zip(lows, shape, origin, strict=True))


def _combined_counts(
    columns: Sequence[Coded | RawIntegers], limit: int
) -> tuple[NDArray[np.int64], list[Coded]]:
    r"""Count records by slot on every axis with ``bincount`` over combined codes.

    The records are taken in chunks. In each, the combined code of record :math:`i` is
    :math:`\sum_a (x_{ia} - \ell_a) s_a`, with :math:`\ell_a` the chunk's smallest value on
    axis :math:`a` (known up front for categorical codes) and strides
    :math:`s_a = \prod_{b > a} w_b`. Integer columns thus have their range found while the
    chunk is in cache. Chunks with the same ranges share one running count.

    Raises
    ------
    _TooWideError
        If a chunk's table would exceed `limit` cells.
    """
    n = columns[0].size
    fixed = [(c.offset, c.offset + c.width - 1) if isinstance(c, Coded) else None for c in columns]
    running: dict[tuple[tuple[int, int], ...], NDArray[np.int64]] = {}
    step = _CHUNK
    buffers = [np.empty(min(step, n), dtype=np.intp) for _ in range(2)]
    previous: tuple[tuple[int, int], ...] = ()
    layout: tuple[list[int], list[int], int] = ([], [], 0)
    start = 0
    while start < n:
        stop = min(start + step, n)
        chunks = [c.codes[start:stop] for c in columns]
        bounds = tuple(
            f if f is not None else _chunk_bounds(x) for f, x in zip(fixed, chunks, strict=True)
        )
        if bounds != previous:
            layout = _layout(bounds, limit)
            previous = bounds
            if layout[2] > _CHUNK // 4:  # a large table: count the rest at once
                step = n
                stop = n
                chunks = [c.codes[start:stop] for c in columns]
                bounds = tuple(
                    f if f is not None else _chunk_bounds(x)
                    for f, x in zip(fixed, chunks, strict=True)
                )
                layout = _layout(bounds, limit)
        lows, strides, size = layout
        if stop - start > buffers[0].size:
            buffers = [np.empty(stop - start, dtype=np.intp) for _ in range(2)]
        combined = buffers[0][: stop - start]
        scratch = buffers[1][: stop - start]
        for a, x in enumerate(chunks):
            _add_axis(combined, scratch, x, lows[a], strides[a], first=a == 0)
        part = np.bincount(combined, minlength=size)
        if bounds in running:
            running[bounds] += part
        else:
            running[bounds] = part.astype(np.int64)
        start = stop
    total: NDArray[np.int64] | None = None
    origin: list[int] = []
    for bounds, flat in running.items():
        spans = [hi - lo + 1 for lo, hi in bounds]
        total, origin = _accumulate(total, origin, flat.reshape(spans), [lo for lo, _ in bounds])
    done = [_finished(c, total, origin, axis) for axis, c in enumerate(columns)]
    if total is None:
        total = np.zeros([c.width for c in done], dtype=np.int64)
    return total, done


def _layout(bounds: tuple[tuple[int, int], ...], limit: int) -> tuple[list[int], list[int], int]:
    """Compute the starts, strides and cell count of the combined codes for given ranges."""
    spans = [hi - lo + 1 for lo, hi in bounds]
    size = math.prod(spans)
    if size > limit:
        raise _TooWideError
    strides = [math.prod(spans[a + 1 :]) for a in range(len(spans))]
    return [lo for lo, _ in bounds], strides, size


def _add_axis(
    combined: NDArray[np.intp],
    scratch: NDArray[np.intp],
    x: NDArray[Any],
    lo: int,
    stride: int,
    *,
    first: bool,
) -> None:
    """Add ``(x - lo) * stride`` into `combined` (or set it, for the first axis)."""
    if not lo and stride == 1:
        if first:
            np.copyto(combined, x, casting="unsafe")
        else:
            np.add(combined, x, out=combined, casting="unsafe")
        return
    target = combined if first else scratch
    if lo:
        # in intp: in a narrow dtype (int8) x - lo can wrap around
        np.subtract(x, lo, out=target, dtype=np.intp, casting="unsafe")
        if stride != 1:
            np.multiply(target, stride, out=target)
    else:
        np.multiply(x, stride, out=target, casting="unsafe")
    if not first:
        np.add(combined, scratch, out=combined)


def _finished(
    column: Coded | RawIntegers, total: NDArray[np.int64] | None, origin: list[int], axis: int
) -> Coded:
    """Slot codes of a column once its range (the table's extent) is known."""
    if isinstance(column, Coded):
        return column
    if total is None:
        return column.build(0, -1)
    return column.build(origin[axis], origin[axis] + total.shape[axis] - 1)


def _to_levels(
    table: NDArray[np.int64], axis: int, slot_level: NDArray[np.int64], size: int
) -> NDArray[np.int64]:
    """Sum the slots of `axis` into levels: index 0 missing, level ``k`` at ``k + 1``."""
    moved = np.moveaxis(table, axis, 0)
    index = np.maximum(slot_level, MISSING) + 1
    out = np.zeros((size + 1, *moved.shape[1:]), dtype=np.int64)
    np.add.at(out, index, moved)
    return np.moveaxis(out, 0, axis)


def _dense(coded: Coded, slot_level: NDArray[np.int64], levels: tuple[object, ...]) -> Coded:
    """Re-encode records as level codes (0 missing, ``k + 1`` for level ``k``)."""
    lookup = (np.maximum(slot_level, MISSING) + 1).astype(np.intp)
    codes = lookup[coded.slots()]
    slot_missing = np.zeros(len(levels) + 1, dtype=bool)
    slot_missing[0] = True
    labels: list[object] = [None, *levels]
    return Coded(
        codes=codes,
        offset=0,
        width=len(levels) + 1,
        slot_missing=slot_missing,
        label_of=lambda slots: [labels[int(s)] for s in slots],
        declared=levels,
        declared_slots=np.arange(-1, len(levels), dtype=np.int64),
        name=coded.name,
    )


def _resolve(
    coded: Coded,
    present: NDArray[np.bool_],
    given: tuple[object, ...] | None,
    levels_name: str,
    missing: MissingRule,
) -> tuple[NDArray[np.int64], tuple[object, ...]]:
    """Map the slots of one axis to levels, raising for unknown or (if asked) missing values."""
    slot_level, levels = coded.resolve(present, given)
    unknown = (slot_level == UNKNOWN) & present
    if unknown.any():
        raise unknown_error(coded, unknown, levels_name)
    if missing == "error":
        flagged = (slot_level == MISSING) & present
        if flagged.any():
            text, positions = coded.describe(flagged)
            raise fail(
                coded.name,
                "have no missing values when `missing='error'`",
                text,
                hint="pass missing='report' to count them apart, or missing='drop'.",
                positions=positions,
            )
    return slot_level, levels


def _count_records(
    columns: Sequence[tuple[object, str, object, str]],
    *,
    missing: MissingRule,
    missing_labels: Collection[object],
) -> tuple[NDArray[np.int64], list[tuple[object, ...]]]:
    """Count records with a leading missing slot on each axis; return the levels too.

    `columns` holds (values, argument name, given levels, levels argument name).
    """
    given = [
        None if lv is None else check_levels(lv, lv_name, missing_labels)
        for _, _, lv, lv_name in columns
    ]
    lazy = len(columns) > 1
    encoded = [
        encode(v, name, missing_labels=missing_labels, lazy=lazy) for v, name, _, _ in columns
    ]
    check_same_length({c.name: c.codes for c in encoded})
    n = encoded[0].size
    limit = max(_CHUNK, 2 * n)
    try:
        table, coded = _combined_counts(encoded, limit)
    except _TooWideError:
        coded = [complete(c) for c in encoded]
        if math.prod(c.width for c in coded) > limit:
            dense = []
            for c, g, (_, _, _, lv_name) in zip(coded, given, columns, strict=True):
                slot_level, levels = _resolve(c, c.slot_counts() > 0, g, lv_name, missing)
                dense.append(_dense(c, slot_level, levels))
            coded, given = dense, [d.declared for d in dense]
        size = math.prod(c.width for c in coded)
        if size > _MAX_CELLS:
            raise fail(
                columns[0][1],
                f"make a table of at most {_MAX_CELLS} cells",
                f"{size} cells ({' x '.join(str(c.width) for c in coded)} distinct values)",
                hint="a contingency table needs few categories; is an identifier a column?",
            ) from None
        table, coded = _combined_counts(coded, _MAX_CELLS)
    all_levels = []
    for axis, (c, g, (_, _, _, lv_name)) in enumerate(zip(coded, given, columns, strict=True)):
        others = tuple(a for a in range(table.ndim) if a != axis)
        present = table.sum(axis=others) > 0 if others else table > 0
        slot_level, levels = _resolve(c, present, g, lv_name, missing)
        table = _to_levels(table, axis, slot_level, len(levels))
        all_levels.append(levels)
    return table, all_levels


def _series_name(value: object, name: str | None) -> str | None:
    if name is not None:
        return name
    found = getattr(value, "name", None)
    return found if isinstance(found, str) and found else None


def tally(
    values: object,
    levels: Sequence[object] | None = None,
    missing: MissingRule = "report",
    missing_labels: Collection[object] = (),
    name: str | None = None,
    *,
    data: object = None,
) -> Counts:
    r"""Count records by level, keeping missing values apart.

    Parameters
    ----------
    values : array-like
        One label per record: a list, numpy array, pandas or polars column, a categorical
        column (pandas ``Categorical``, polars ``Categorical``/``Enum``, Arrow dictionary
        array; their codes are counted as they are), integer codes, or a :class:`Factor`.
    levels : sequence, optional
        The levels in order; empty levels are kept. A value that is neither a level nor
        missing is an error. Default: the categories of a pandas ``Categorical`` or polars
        ``Enum``, else the distinct values, sorted when they can be.
    missing : {"report", "drop", "error"}
        ``"report"`` (default) counts missing values apart and shows them; ``"drop"``
        counts them apart (`n_missing`) but leaves them out of displays; ``"error"`` raises
        if there is any.
    missing_labels : collection, optional
        Labels meaning "not known", e.g. ``("Not known", "Prefer not to say")``. ``None``,
        NaN, NA and blank strings are always missing.
    name : str or None
        The variable's name; default the column's ``name`` when it has one.
    data : data frame, optional
        A data frame of any engine (pandas, polars, pyarrow, DuckDB, Ibis, PySpark, Dask);
        `values` then names its column, and the engine counts it (see
        :mod:`ipsstats.frames`; needs ``ipsstats[frames]``).

    Returns
    -------
    Counts
        Counts per level, `n_missing` and the `missing` rule.

    Raises
    ------
    InvalidInputError
        If `values` is not a 1-D array-like of hashable labels, a value is not in `levels`,
        or (with ``missing="error"``) a value is missing; the message names the value and
        its index.

    See Also
    --------
    crosstab : two- and three-way tables.

    Notes
    -----
    Counting is one :func:`numpy.bincount` over the codes, :math:`n_j = \#\{i : c_i = j\}`;
    labels are factorised first only when they are not already codes.

    Examples
    --------
    >>> from ipsstats import tally
    >>> c = tally(["White", "Asian", "White", None, "Not known"],
    ...           missing_labels=["Not known"], name="ethnicity")
    >>> c.levels, c.counts.tolist(), c.n_missing
    (('Asian', 'White'), [1, 2], 2)
    """
    if data is not None:  # a column of a data frame: counted in its engine
        from ipsstats.categorical._frames import tally_frame  # noqa: PLC0415  # optional

        return tally_frame(
            data, values, levels=levels, missing=missing, missing_labels=missing_labels, name=name
        )
    rule = as_option(missing, "missing", _MISSING_RULES)
    table, (out_levels,) = _count_records(
        [(values, "values", levels, "levels")], missing=rule, missing_labels=missing_labels
    )
    return Counts(
        counts=table[1:],
        levels=out_levels,
        name=_series_name(values, name),
        n_missing=int(table[0]),
        missing="drop" if rule == "drop" else "report",
    )


def crosstab(
    rows: object,
    cols: object,
    *,
    strata: object = None,
    row_levels: Sequence[object] | None = None,
    col_levels: Sequence[object] | None = None,
    strata_levels: Sequence[object] | None = None,
    missing: MissingRule = "report",
    missing_labels: Collection[object] = (),
    row_name: str | None = None,
    col_name: str | None = None,
    strata_name: str | None = None,
    data: object = None,
) -> ContingencyTable | StratifiedTable:
    """Count records by two factors (and optionally a stratifying third).

    Parameters
    ----------
    rows, cols : array-like
        One label per record each (see :func:`tally` for the accepted columns).
    strata : array-like, optional
        A third factor; when given the result is a :class:`StratifiedTable`.
    row_levels, col_levels, strata_levels : sequence, optional
        Levels in order, including empty ones; a value outside them is an error.
    missing : {"report", "drop", "error"}
        What to do with records having a missing value (see :func:`tally`). They are never
        counted inside the table; `n_missing` counts them and, for ``"report"``, displays
        show a "Missing" row and column.
    missing_labels : collection, optional
        Labels meaning "not known" in any of the columns.
    row_name, col_name, strata_name : str or None
        Variable names; default the columns' ``name`` when they have one.
    data : data frame, optional
        A data frame of any engine; `rows`, `cols` and `strata` then name its columns
        (``crosstab("ethnicity", "job", data=df)``) and the engine counts them (see
        :mod:`ipsstats.frames`; needs ``ipsstats[frames]``).

    Returns
    -------
    ContingencyTable or StratifiedTable
        A :class:`ContingencyTable` without `strata`, a :class:`StratifiedTable` with it.

    Raises
    ------
    InvalidInputError
        If the columns differ in length, a value is not among the given levels, or (with
        ``missing="error"``) a value is missing; the message names the argument, the value
        and its index.

    See Also
    --------
    tally : one-way counts.

    Notes
    -----
    Each column becomes integer codes (categorical columns and integers are used as they
    are); the cell of record :math:`i` is :math:`r_i w_c + c_i` and all cells are counted
    by one :func:`numpy.bincount`, with missing values in their own slot.

    Examples
    --------
    >>> from ipsstats import crosstab
    >>> t = crosstab(["a", "b", "a", "a", None], [1, 1, 2, 2, 2])
    >>> t.counts.tolist(), t.n_missing
    ([[1, 2], [1, 0]], 1)
    >>> print(t.format_percent())
            1         2
    a       1 (50.0)  2 (100.0)
    b       1 (50.0)  0 (0.0)
    Missing 0         1
    """
    if data is not None:  # columns of a data frame: counted in its engine
        from ipsstats.categorical._frames import crosstab_frame  # noqa: PLC0415  # optional

        return crosstab_frame(
            data,
            rows,
            cols,
            strata=strata,
            levels=(row_levels, col_levels, strata_levels),
            missing=missing,
            missing_labels=missing_labels,
            names=(row_name, col_name, strata_name),
        )
    rule = as_option(missing, "missing", _MISSING_RULES)
    stored: Literal["report", "drop"] = "drop" if rule == "drop" else "report"
    columns = [(rows, "rows", row_levels, "row_levels"), (cols, "cols", col_levels, "col_levels")]
    if strata is not None:
        columns.insert(0, (strata, "strata", strata_levels, "strata_levels"))
    table, levels = _count_records(columns, missing=rule, missing_labels=missing_labels)
    inner = table[(slice(1, None),) * table.ndim]
    n_missing = int(table.sum()) - int(inner.sum())
    if strata is None:
        return ContingencyTable(
            counts=inner,
            row_levels=levels[0],
            col_levels=levels[1],
            row_name=_series_name(rows, row_name),
            col_name=_series_name(cols, col_name),
            n_missing=n_missing,
            missing=stored,
            with_missing=table,
        )
    return StratifiedTable(
        counts=inner,
        strata_levels=levels[0],
        row_levels=levels[1],
        col_levels=levels[2],
        strata_name=_series_name(strata, strata_name),
        row_name=_series_name(rows, row_name),
        col_name=_series_name(cols, col_name),
        n_missing=n_missing,
        missing=stored,
        with_missing=table,
    )
