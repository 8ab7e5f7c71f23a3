"""Columns of a data frame brought into memory: :func:`read_columns`.

Only the columns asked for are read (the engine prunes the others), and date and datetime
columns travel as whole day numbers computed in the engine, which become numpy
``datetime64[D]`` without a Python object per record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats.frames._backend import (
    collect,
    column_kind,
    day_number,
    lazy,
    narwhals_module,
    require_columns,
)

__all__ = ["column_names", "read_columns"]


def column_names(data: object) -> list[str]:
    """List the column names of a data frame of any engine (its schema; no data is read).

    Examples
    --------
    >>> import polars as pl
    >>> from ipsstats.frames import column_names
    >>> column_names(pl.LazyFrame({"a": [1], "b": [2]}))
    ['a', 'b']
    """
    return [str(name) for name in lazy(data).collect_schema()]


def read_columns(
    data: object, columns: Sequence[str] | None = None, *, argument: str = "columns"
) -> dict[str, NDArray[Any]]:
    """Read columns of a data frame of any engine into numpy arrays.

    Parameters
    ----------
    data : data frame
        pandas, polars (eager or lazy), pyarrow, DuckDB, Ibis, PySpark or Dask.
    columns : sequence of str, optional
        The columns to read, in order; default every column.
    argument : str
        The caller's argument name for the columns, for messages.

    Returns
    -------
    dict of str to ndarray
        One array per column: ``datetime64[D]`` for date and datetime columns (``NaT``
        for missing; datetimes keep their calendar date), numbers as numeric arrays when
        none is missing, everything else as object arrays with ``None`` for missing.

    Raises
    ------
    InvalidInputError
        If `data` is not a data frame or a column does not exist.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from ipsstats.frames import read_columns
    >>> df = pl.LazyFrame({"accessed": [dt.date(2024, 1, 5), None], "group": ["a", "b"]})
    >>> read_columns(df)["accessed"]
    array(['2024-01-05',        'NaT'], dtype='datetime64[D]')
    """
    frame = lazy(data)
    names = list(frame.collect_schema()) if columns is None else list(columns)
    dtypes = require_columns(frame, [(argument, name) for name in names])
    nw = narwhals_module()
    keys = [f"__ipsstats_{k}" for k in range(len(names))]
    dated = {name for name in names if column_kind(dtypes[name]) in ("date", "datetime")}
    numbered = {name: day_number(frame, name) for name in dated}
    exprs = [
        (nw.col(name) if numbered.get(name) is None else numbered[name]).alias(key)
        for name, key in zip(names, keys, strict=True)
    ]
    found = collect(frame.select(*exprs))
    out: dict[str, NDArray[Any]] = {}
    for name, key in zip(names, keys, strict=True):
        values = found[key]
        if name in dated and numbered[name] is None:  # the engine's own datetimes
            out[name] = np.array(
                [
                    np.datetime64("NaT") if v is None else np.datetime64(v, "D")
                    for v in values.tolist()
                ],
                dtype="datetime64[D]",
            )
        elif name in dated:
            days = np.array(
                [np.iinfo(np.int64).min if v is None else int(v) for v in values.tolist()]
            )
            out[name] = days.astype(np.int64).view("datetime64[D]")
        else:
            out[name] = values
    return out
