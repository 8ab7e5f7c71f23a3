"""Category counts computed inside a data frame's engine: :func:`category_counts`.

The engine groups the records by the raw values of the columns (missing values included)
and counts them; only the distinct values and their counts come back. They are then coded
here with the same rules as :func:`ipsstats.tally` and :func:`ipsstats.crosstab` use on
records in memory (the same missing values, the same order of levels), so a table counted
by DuckDB, Spark or polars is the table counted in memory.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_option, fail, int_array, is_missing_scalar
from ipsstats._encoding import check_levels, factorise
from ipsstats.frames._backend import (
    collect,
    engine_name,
    lazy,
    narwhals_module,
    require_columns,
)
from ipsstats.results import json_safe

__all__ = ["CategoryCounts", "category_counts"]

MissingRule = Literal["report", "drop", "error"]
_MISSING_RULES: tuple[MissingRule, ...] = ("report", "drop", "error")
_COUNT = "__ipsstats_n"


def _levels_tuple(value: object) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(axis) for axis in value)  # type: ignore[attr-defined]  # a sequence


def _names_tuple(value: object) -> tuple[str, ...]:
    return tuple(str(name) for name in value)  # type: ignore[attr-defined]  # a sequence


def _check_shape(instance: CategoryCounts, _attribute: Any, counts: NDArray[np.int64]) -> None:
    expected = tuple(len(axis) + 1 for axis in instance.levels)
    if counts.shape != expected or len(instance.names) != len(instance.levels):
        raise fail(
            "counts",
            f"have shape {expected} (a leading missing slot on each of "
            f"{len(instance.names)} named axes)",
            f"shape {counts.shape}",
        )


@attrs.frozen(kw_only=True, eq=False, repr=False)
class CategoryCounts:
    r"""Counts of records by the levels of one or more columns, with missing slots.

    Parameters
    ----------
    names : tuple of str
        The column of each axis.
    levels : tuple of tuples
        The ordered, non-missing levels of each axis.
    counts : array of int
        Shape ``(len(levels[0]) + 1, len(levels[1]) + 1, ...)``: index 0 on an axis
        counts the records whose value there is missing, index ``k + 1`` level ``k``.

    Notes
    -----
    Counts are additive: ``a + b`` aligns the levels by label (levels of ``b`` that ``a``
    lacks are appended in ``b``'s order), so counts of several partitions or sites add up
    to the counts of all their records.

    Examples
    --------
    >>> import numpy as np
    >>> from ipsstats.frames import CategoryCounts
    >>> a = CategoryCounts(names=("group",), levels=(("a", "b"),), counts=[1, 4, 2])
    >>> b = CategoryCounts(names=("group",), levels=(("b", "c"),), counts=[0, 1, 5])
    >>> total = a + b
    >>> total.levels, total.counts.tolist()
    ((('a', 'b', 'c'),), [1, 4, 3, 5])
    """

    names: tuple[str, ...] = attrs.field(converter=_names_tuple)
    levels: tuple[tuple[object, ...], ...] = attrs.field(converter=_levels_tuple)
    counts: NDArray[np.int64] = attrs.field(converter=int_array, validator=_check_shape)

    @property
    def n(self) -> int:
        """Number of records, missing values included."""
        return int(self.counts.sum())

    @property
    def inner(self) -> NDArray[np.int64]:
        """The counts of records with every value known (the missing slots dropped)."""
        inner: NDArray[np.int64] = self.counts[(slice(1, None),) * self.counts.ndim]
        return inner

    def __add__(self, other: object) -> CategoryCounts:
        if not isinstance(other, CategoryCounts):
            return NotImplemented
        if other.names != self.names:
            raise fail(
                "other",
                f"count the same columns ({list(self.names)})",
                f"counts of {list(other.names)}",
            )
        levels = tuple(
            (*mine, *(label for label in theirs if label not in set(mine)))
            for mine, theirs in zip(self.levels, other.levels, strict=True)
        )
        total = np.zeros([len(axis) + 1 for axis in levels], dtype=np.int64)
        for part in (self, other):
            index = []
            for axis, own in zip(levels, part.levels, strict=True):
                where = {label: k + 1 for k, label in enumerate(axis)}
                index.append(np.array([0, *(where[label] for label in own)], dtype=np.intp))
            total[np.ix_(*index)] += part.counts
        return CategoryCounts(names=self.names, levels=levels, counts=total)

    def __radd__(self, other: object) -> CategoryCounts:
        if isinstance(other, int) and other == 0:  # the start value of sum()
            return self
        return self.__add__(other)

    def to_dict(self) -> dict[str, Any]:
        """Return the counts as JSON-safe Python objects (see :meth:`from_dict`)."""
        return {
            "names": list(self.names),
            "levels": json_safe([list(axis) for axis in self.levels]),
            "counts": self.counts.tolist(),
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> CategoryCounts:
        """Rebuild counts written by :meth:`to_dict`."""
        return cls(names=value["names"], levels=value["levels"], counts=value["counts"])

    def __repr__(self) -> str:
        shape = " x ".join(str(len(axis)) for axis in self.levels)
        return f"CategoryCounts(names={list(self.names)!r}, levels: {shape}, n={self.n})"


def _declared_levels(
    data: object, column: str, dtype: Any, missing_labels: Collection[object]
) -> tuple[object, ...] | None:
    """Levels fixed by the column's type: a pandas ``Categorical`` or a polars ``Enum``.

    As for columns in memory, the categories keep their order, unused ones included, and
    categories that are missing labels are left out.
    """
    categories: list[object] | None = None
    if engine_name(data) == "pandas":
        series = data[column]  # type: ignore[index]  # a pandas frame
        if str(series.dtype) == "category":
            categories = list(series.cat.categories)
    elif type(dtype).__name__ == "Enum" and hasattr(dtype, "categories"):
        categories = list(dtype.categories)
    if categories is None:
        return None
    labels = frozenset(m for m in missing_labels if not isinstance(m, (list, dict, set)))
    return tuple(c for c in categories if not is_missing_scalar(c, labels))


def _distinct(values: NDArray[Any]) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Distinct raw values (first-seen order) and the index of each value among them."""
    index: dict[object, int] = {}
    nan_slot = -1
    where = np.empty(values.size, dtype=np.intp)
    for k, value in enumerate(values.tolist()):
        if isinstance(value, float) and math.isnan(value):  # NaN: one slot, as missing
            if nan_slot < 0:
                nan_slot = len(index)
                index[("__nan__",)] = nan_slot
            where[k] = nan_slot
            continue
        where[k] = index.setdefault(value, len(index))
    distinct = np.empty(len(index), dtype=object)
    distinct[:] = [float("nan") if key == ("__nan__",) else key for key in index]
    return distinct, where


def _code_axis(
    values: NDArray[Any],
    counts: NDArray[np.int64],
    *,
    argument: str,
    column: str,
    given: tuple[object, ...] | None,
    levels_name: str,
    declared: tuple[object, ...] | None,
    missing_labels: Collection[object],
    rule: MissingRule,
) -> tuple[NDArray[np.intp], tuple[object, ...]]:
    """Level codes (-1 for missing) of the aggregated rows of one axis, and the levels."""
    distinct, where = _distinct(values)
    codes, found = factorise(distinct, argument, missing_labels=missing_labels)
    per_value = np.bincount(where, weights=counts, minlength=distinct.size)
    target = given if given is not None else declared
    if target is not None:
        position = {label: k for k, label in enumerate(target)}
        unknown = [
            (label, int(per_value[codes == k].sum()))
            for k, label in enumerate(found)
            if label not in position
        ]
        if unknown:
            shown = ", ".join(f"{label!r} ({n} records)" for label, n in unknown[:5])
            raise fail(
                argument,
                f"hold only labels listed in `{levels_name}` (or missing values)",
                f"{shown} in column {column!r}",
                hint=f"add the label to `{levels_name}`, or list it in `missing_labels` "
                "if it means the value is not known.",
            )
        remap = np.array([position[label] for label in found] + [-1], dtype=np.intp)
        codes = remap[codes]
        found = target
    if rule == "error" and bool((per_value[codes < 0] > 0).any()):
        n_missing = int(per_value[codes < 0].sum())
        raise fail(
            argument,
            "have no missing values when `missing='error'`",
            f"{n_missing} missing values in column {column!r}",
            hint="pass missing='report' to count them apart, or missing='drop'.",
        )
    return codes[where].astype(np.intp), tuple(found)


def category_counts(
    data: object,
    columns: Sequence[str],
    *,
    levels: Sequence[Sequence[object] | None] | None = None,
    missing_labels: Collection[object] = (),
    missing: MissingRule = "report",
    arguments: Sequence[str] | None = None,
    level_arguments: Sequence[str] | None = None,
) -> CategoryCounts:
    r"""Count the records of a data frame by the values of some columns, in its engine.

    Parameters
    ----------
    data : data frame
        pandas, polars (eager or lazy), pyarrow, DuckDB, Ibis, PySpark or Dask.
    columns : sequence of str
        The columns to count by, one axis each.
    levels : sequence of (sequence or None), optional
        Levels of each axis in order (empty levels kept); a value outside them is an
        error. Default: the categories of a pandas ``Categorical`` or polars ``Enum``,
        else the distinct values, sorted when they can be.
    missing_labels : collection, optional
        Labels meaning "not known"; ``None``, NaN and blank strings are always missing.
    missing : {"report", "drop", "error"}
        ``"error"`` raises if a value is missing; otherwise missing values are counted in
        the missing slots.
    arguments, level_arguments : sequence of str, optional
        The caller's argument names for the columns and their levels, for messages.

    Returns
    -------
    CategoryCounts
        Levels per axis and counts with a leading missing slot on each axis.

    Raises
    ------
    InvalidInputError
        If `data` is not a data frame, a column does not exist, a value is outside the
        given levels, or (with ``missing="error"``) a value is missing.

    Notes
    -----
    The engine runs ``SELECT c1, ..., ck, count(*) ... GROUP BY c1, ..., ck`` (nulls are a
    group of their own); the :math:`m` distinct combinations come back and are coded
    here, with :math:`n_{j_1 \dots j_k} = \sum` of the counts of the combinations whose
    values code to those levels.

    Examples
    --------
    >>> import polars as pl
    >>> from ipsstats.frames import category_counts
    >>> df = pl.LazyFrame({"group": ["b", "a", None, "a"], "job": [1, 0, 1, 1]})
    >>> counts = category_counts(df, ["group", "job"])
    >>> counts.levels
    (('a', 'b'), (0, 1))
    >>> counts.counts.tolist()
    [[0, 0, 1], [0, 1, 1], [0, 0, 1]]
    """
    rule = as_option(missing, "missing", _MISSING_RULES)
    names = (
        list(arguments)
        if arguments is not None
        else [f"columns[{k}]" for k in range(len(columns))]
    )
    level_names = (
        list(level_arguments) if level_arguments is not None else ["levels"] * len(columns)
    )
    given = list(levels) if levels is not None else [None] * len(columns)
    frame = lazy(data)
    dtypes = require_columns(frame, list(zip(names, columns, strict=True)))
    checked = [
        None if g is None else check_levels(g, lv, missing_labels)
        for g, lv in zip(given, level_names, strict=True)
    ]
    nw = narwhals_module()
    keys = [f"__ipsstats_{k}" for k in range(len(columns))]
    query = (
        frame.select(*(nw.col(c).alias(key) for c, key in zip(columns, keys, strict=True)))
        .group_by(*keys, drop_null_keys=False)
        .agg(nw.len().alias(_COUNT))
    )
    rows = collect(query)
    counts = np.asarray(rows[_COUNT], dtype=np.int64)
    coded = []
    all_levels = []
    for k, column in enumerate(columns):
        codes, found = _code_axis(
            rows[keys[k]],
            counts,
            argument=names[k],
            column=column,
            given=checked[k],
            levels_name=level_names[k],
            declared=_declared_levels(data, column, dtypes[column], missing_labels),
            missing_labels=missing_labels,
            rule=rule,
        )
        coded.append(codes + 1)
        all_levels.append(found)
    table = np.zeros([len(axis) + 1 for axis in all_levels], dtype=np.int64)
    np.add.at(table, tuple(coded), counts)
    return CategoryCounts(names=tuple(columns), levels=tuple(all_levels), counts=table)
