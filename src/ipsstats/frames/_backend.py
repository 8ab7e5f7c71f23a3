"""Reaching a data frame of any engine through narwhals (internal to the frames wing).

Every function here imports narwhals (and only narwhals) inside its body, so importing
:mod:`ipsstats.frames` stays as cheap as importing the core. A frame is turned into a
narwhals ``LazyFrame`` once: lazy engines (polars ``LazyFrame``, DuckDB relations, Ibis
tables, PySpark and Dask data frames) stay lazy, so the queries built here run inside the
engine; eager frames (pandas, polars ``DataFrame``, pyarrow ``Table``) are wrapped as they
are (pandas through Arrow, whose null handling is exact for integers with missing values).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.errors import InvalidInputError

__all__ = [
    "ENGINES",
    "collect",
    "column_kind",
    "day_number",
    "engine_name",
    "is_frame",
    "lazy",
    "narwhals_module",
    "require_columns",
]

#: Modules whose data frames ipsstats reads (through narwhals).
ENGINES = (
    "pandas",
    "polars",
    "pyarrow",
    "duckdb",
    "ibis",
    "pyspark",
    "dask",
    "narwhals",
    "modin",
    "cudf",
    "sqlframe",
)
_INSTALL_HINT = 'install the optional dependency with `pip install "ipsstats[frames]"`.'


def is_frame(value: object) -> bool:
    """Whether `value` is a data frame of a supported engine (judged by its type only).

    Columns (pandas or polars series, Arrow arrays) are not frames. Nothing is imported
    and no property of `value` is evaluated (a polars ``LazyFrame`` would resolve its
    schema).
    """
    kind = type(value)
    root = kind.__module__.split(".", 1)[0]
    if root not in ENGINES:
        return False
    return hasattr(kind, "columns") or hasattr(kind, "column_names")


def narwhals_module() -> Any:
    """Return the narwhals module (its stable API), or raise saying how to install it."""
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415  # optional dependency, imported lazily
    except ImportError:
        raise InvalidInputError(
            "`data` must be a data frame that ipsstats can read, which needs the optional "
            f"package narwhals (2.0 or later); it is not installed. Hint: {_INSTALL_HINT}",
            argument="data",
        ) from None
    return nw


def engine_name(frame: object) -> str:
    """Return the engine of a frame: its top-level module's name (``"duckdb"``, ...)."""
    return type(frame).__module__.split(".", 1)[0]


def lazy(frame: object, name: str = "data") -> Any:
    """Return `frame` as a narwhals ``LazyFrame`` (lazy engines stay in their engine).

    Raises
    ------
    InvalidInputError
        If `frame` is not a data frame narwhals can read, or narwhals is not installed.
    """
    if not is_frame(frame):
        raise fail(
            name,
            "be a data frame (pandas, polars, pyarrow, DuckDB, Ibis, PySpark or Dask)",
            type(frame).__name__,
            hint="pass column names as the other arguments and the frame as `data`.",
        )
    nw = narwhals_module()
    native: Any = frame
    if engine_name(frame) == "pandas":
        native = _pandas_to_arrow(frame, name)
    with warnings.catch_warnings():
        # narwhals announces that Dask support moves to a separate package; the support
        # used here is unchanged.
        warnings.filterwarnings("ignore", message=".*Dask support is moving.*")
        try:
            wrapped = nw.from_native(native)
        except TypeError as exc:
            raise fail(
                name,
                "be a data frame that narwhals can read",
                f"{type(frame).__name__} ({exc})",
                hint=_INSTALL_HINT,
            ) from None
    if isinstance(wrapped, nw.DataFrame):
        wrapped = wrapped.lazy()
    return wrapped


def _pandas_to_arrow(frame: Any, name: str) -> Any:
    """Convert a pandas frame to Arrow: exact nulls for integers, dates from objects."""
    try:
        import pyarrow as pa  # noqa: PLC0415  # pandas support goes through Arrow
    except ImportError:
        raise InvalidInputError(
            f"`{name}` is a pandas data frame, which ipsstats reads through pyarrow; it is "
            f"not installed. Hint: {_INSTALL_HINT}",
            argument=name,
        ) from None
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise fail(
            name,
            "have columns of one type each (Arrow could not convert it)",
            str(exc).splitlines()[0],
            hint="convert mixed object columns with `.astype(str)` first.",
        ) from None


def require_columns(frame: Any, wanted: Sequence[tuple[str, object]]) -> dict[str, Any]:
    """Check that named columns exist; return the schema's dtypes of the columns used.

    `wanted` holds (argument name, column name) pairs; a column name must be a string.
    """
    schema = dict(frame.collect_schema())
    found = ", ".join(repr(c) for c in schema) or "none"
    used: dict[str, Any] = {}
    for argument, column in wanted:
        if not isinstance(column, str):
            raise fail(
                argument,
                "name a column of `data` (a string) when `data` is given",
                type(column).__name__,
                hint="with `data`, pass column names instead of arrays.",
            )
        if column not in schema:
            raise fail(
                argument,
                "name a column of `data`",
                repr(column),
                hint=f"the columns are: {found}.",
            )
        used[column] = schema[column]
    return used


def column_kind(dtype: Any) -> str:
    """Classify a narwhals dtype as the frames wing uses it.

    Returns ``"date"``, ``"datetime"``, ``"integer"``, ``"float"``, ``"boolean"``,
    ``"string"``, ``"categorical"`` or ``"other"``.
    """
    nw = narwhals_module()
    if dtype == nw.Date:
        return "date"
    if isinstance(dtype, nw.Datetime) or dtype == nw.Datetime:
        return "datetime"
    if dtype == nw.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if dtype == nw.String:
        return "string"
    if dtype == nw.Categorical or isinstance(dtype, nw.Enum) or dtype == nw.Enum:
        return "categorical"
    return "other"


def day_number(frame: Any, column: str) -> Any:
    """Expression: days from 1970-01-01 to the date of a date or datetime column.

    Built from the calendar fields with integer arithmetic only (the "days from civil"
    algorithm of H. Hinnant, *chrono-Compatible Low-Level Date Algorithms*), so that every
    engine computes the same whole number, with no engine-specific date difference.
    Missing dates give missing numbers. pandas-like engines (Dask) hold the fields of
    missing dates as NaN floats, which cannot be cast to integers there: their dates are
    read as they are instead (``None`` is returned).
    """
    nw = narwhals_module()
    if frame.implementation.is_pandas_like() or frame.implementation.is_dask():
        return None
    col = nw.col(column)
    year, month, day = (
        field.cast(nw.Int64) for field in (col.dt.year(), col.dt.month(), col.dt.day())
    )
    shifted = year - (month <= 2).cast(nw.Int64)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def collect(query: Any) -> dict[str, NDArray[Any]]:
    """Run a narwhals query in its engine and return its (small) result as numpy arrays.

    Columns come back through Arrow: numbers as numeric arrays when they have no missing
    values, otherwise (and for labels) as object arrays holding ``None`` for missing.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Dask support is moving.*")
        table = query.collect(backend="pyarrow").to_native()
    out: dict[str, NDArray[Any]] = {}
    for name in table.column_names:
        column = table.column(name)
        if column.null_count == 0 and _is_numeric(column.type):
            out[name] = np.asarray(column.to_numpy())
        else:
            values = np.empty(len(column), dtype=object)
            values[:] = column.to_pylist()
            out[name] = values
    return out


def _is_numeric(arrow_type: Any) -> bool:
    text = str(arrow_type)
    return text.startswith(("int", "uint", "double", "float", "bool"))
