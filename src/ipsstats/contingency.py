"""Labelled counts: one-way :class:`Counts`, two-way and stratified contingency tables.

Tables are frozen and their arrays read-only. Missing values are never a level inside
``counts``: they are kept beside it (``n_missing``, and where known the missing row and
column of a table) so they are shown, counted, and excluded from tests only by an explicit,
recorded rule (``missing``). Tables are additive: ``a + b`` aligns the levels by label, so
tables from several services or data partitions combine exactly.

:func:`tally` and :func:`crosstab` build tables from records. Categorical columns and integer
codes are counted through their own codes with one :func:`numpy.bincount` over combined
codes; strings are factorised once with a hash table (see :mod:`ipsstats.factor`).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_counts,
    as_option,
    check_same_length,
    fail,
    is_missing_scalar,
    readonly,
)
from ipsstats.factor import (
    _MISSING,
    _UNKNOWN,
    _check_levels,
    _Coded,
    _complete,
    _encode,
    _RawIntegers,
    _unknown_error,
)
from ipsstats.results import json_safe

__all__ = ["ContingencyTable", "Counts", "StratifiedTable", "crosstab", "tally"]

MissingRule = Literal["report", "drop", "error"]
Margin = Literal["row", "col", "total"]
_MISSING_RULES: tuple[MissingRule, ...] = ("report", "drop", "error")
_MARGINS: tuple[Margin, ...] = ("row", "col", "total")
_MISSING_LABEL = "Missing"
_CHUNK = 1 << 16  # records per chunk when combining codes (temporaries stay in cache)
_SMALL_START = 1 << 12  # integer columns below this are counted from 0
_MAX_CELLS = 1 << 28  # largest table (levels plus missing on every axis) that is built

_T = TypeVar("_T", bound="_Labelled")


# --- validation helpers ---------------------------------------------------------------------


def _default_levels(size: int) -> tuple[object, ...]:
    return tuple(str(k) for k in range(size))


def _levels_for(value: object, name: str, size: int) -> tuple[object, ...]:
    """Validate the labels of one axis of `size` levels (default "0", "1", ...)."""
    if value is None:
        return _default_levels(size)
    levels = _check_levels(value, name, ())
    if len(levels) != size:
        raise fail(
            name,
            f"hold one label per level ({size})",
            f"{len(levels)} labels",
        )
    return levels


def _count_int(value: object, name: str) -> int:
    """Validate one non-negative whole number (e.g. `n_missing`)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer() and value >= 0:
            return int(value)
        raise fail(name, "be a non-negative whole number", repr(value))
    if value < 0:
        raise fail(name, "be a non-negative whole number", repr(value))
    return int(value)


def _n_missing(value: object) -> int:
    return _count_int(value, "n_missing")


def _n_dropped(value: object) -> int:
    return _count_int(value, "n_dropped")


def _rule(value: object) -> Literal["report", "drop"]:
    return as_option(value, "missing", ("report", "drop"))


def _int_array(value: object) -> NDArray[np.int64]:
    """Attrs converter: a read-only int64 copy (validated as counts)."""
    return as_counts(value, "counts", ndim=None)


def _optional_int_array(value: object) -> NDArray[np.int64] | None:
    return None if value is None else as_counts(value, "with_missing", ndim=None)


def _check_digits(value: object) -> int:
    """Validate the number of decimal places of a percentage (0 to 10)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise fail("digits", "be a whole number from 0 to 10", repr(value))
    if not 0 <= value <= 10:
        raise fail("digits", "be a whole number from 0 to 10", repr(value))
    return int(value)


def _percent(count: int, total: int, digits: int) -> str:
    """Percentage rounded half up from exact integers, as printed in papers."""
    if total == 0:
        return "-"
    exact = decimal.Decimal(100 * count) / decimal.Decimal(total)
    quantum = decimal.Decimal(1).scaleb(-digits)
    return str(exact.quantize(quantum, rounding=decimal.ROUND_HALF_UP))


def _grid(rows: list[list[str]]) -> str:
    """Align a grid of strings: first column left, the others right."""
    widths = [max(len(row[j]) for row in rows) for j in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


# --- level operations on arrays with a leading missing slot -----------------------------------


def _take(array: NDArray[np.int64], axis: int, index: Sequence[int], lead: int) -> NDArray[Any]:
    """Select levels along `axis`; with ``lead=1`` slot 0 (missing) is kept first."""
    positions = [0] * lead + [k + lead for k in index]
    return np.take(array, positions, axis=axis)


def _regroup(
    array: NDArray[np.int64], axis: int, assign: Sequence[int], size: int, lead: int
) -> NDArray[np.int64]:
    """Sum levels along `axis` into `size` groups (``assign[old] = new``)."""
    moved = np.moveaxis(array, axis, 0)
    out = np.zeros((size + lead, *moved.shape[1:]), dtype=np.int64)
    index = np.asarray([0] * lead + [k + lead for k in assign], dtype=np.intp)
    np.add.at(out, index, moved)
    return np.moveaxis(out, 0, axis)


def _union(first: tuple[object, ...], second: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(dict.fromkeys(first + second))


def _embed(
    array: NDArray[np.int64],
    axis: int,
    old: tuple[object, ...],
    new: tuple[object, ...],
    lead: int,
) -> NDArray[np.int64]:
    """Place the levels `old` of `array` at their positions among `new` (others zero)."""
    position = {label: k for k, label in enumerate(new)}
    return _regroup(array, axis, [position[label] for label in old], len(new), lead)


def _assignment(
    levels: tuple[object, ...], mapping: object, name: str
) -> tuple[list[int], tuple[object, ...]]:
    """Decode a collapse mapping into (old level -> new index, new levels).

    `mapping` is ``{old: new}`` or ``{new: [old, ...]}``; unmentioned levels stay.
    """
    if not isinstance(mapping, Mapping) or not mapping:
        raise fail(
            name,
            "be a non-empty mapping {old: new} or {new: [old, ...]}",
            type(mapping).__name__ if not isinstance(mapping, Mapping) else "an empty mapping",
        )
    grouped = all(
        isinstance(v, Iterable) and not isinstance(v, (str, bytes)) for v in mapping.values()
    )
    target: dict[object, object] = {}
    if grouped:
        for new, olds in mapping.items():
            for old in olds:
                if old in target:
                    raise fail(name, "list each old level once", f"{old!r} twice")
                target[old] = new
    else:
        target = dict(mapping)
    unknown = [old for old in target if old not in levels]
    if unknown:
        raise fail(
            name,
            f"map existing levels ({', '.join(repr(v) for v in levels)})",
            f"unknown level {unknown[0]!r}",
        )
    for new in target.values():
        if not isinstance(new, Hashable) or is_missing_scalar(new):
            raise fail(name, "map to hashable, non-missing labels", repr(new))
    renamed = [target.get(old, old) for old in levels]
    new_levels = tuple(dict.fromkeys(renamed))
    index = {label: k for k, label in enumerate(new_levels)}
    return [index[label] for label in renamed], new_levels


def _positions(levels: tuple[object, ...], wanted: object, name: str) -> list[int]:
    """Find the indices of the labels `wanted` among `levels`, naming any unknown label."""
    if isinstance(wanted, (str, bytes)) or not isinstance(wanted, Iterable):
        wanted = [wanted]
    index = {label: k for k, label in enumerate(levels)}
    out = []
    for label in wanted:
        if not isinstance(label, Hashable) or label not in index:
            raise fail(
                name,
                f"name existing levels ({', '.join(repr(v) for v in levels)})",
                f"unknown level {label!r}",
            )
        out.append(index[label])
    return out


# --- shared behaviour ---------------------------------------------------------------------


class _Labelled:
    """Behaviour shared by :class:`Counts` and the tables (level operations, ``+``)."""

    _AXES: tuple[str, ...] = ()  # the choices of `axis`, in the order of the array's axes
    _LEVEL_FIELDS: tuple[str, ...] = ()  # the field holding each axis's labels
    _NAME_FIELDS: tuple[str, ...] = ()  # the field holding each axis's variable name
    counts: NDArray[np.int64]
    n_missing: int
    n_dropped: int
    missing: Literal["report", "drop"]

    def _levels(self) -> list[tuple[object, ...]]:
        return [getattr(self, field) for field in self._LEVEL_FIELDS]

    def _names(self) -> list[str | None]:
        return [getattr(self, field) for field in self._NAME_FIELDS]

    def _with_missing(self) -> NDArray[np.int64] | None:
        """Return the counts with a leading missing slot on every axis (``None`` if unknown)."""
        with_missing: NDArray[np.int64] | None = getattr(self, "with_missing", None)
        return with_missing

    def _rebuild(
        self: _T,
        *,
        counts: NDArray[np.int64],
        levels: list[tuple[object, ...]],
        names: list[str | None],
        with_missing: NDArray[np.int64] | None,
        n_missing: int,
        n_dropped: int,
        missing: Literal["report", "drop"],
    ) -> _T:
        """Return an object of the same class with new counts, labels and exclusions."""
        changes: dict[str, object] = dict(zip(self._LEVEL_FIELDS, levels, strict=True))
        changes.update(zip(self._NAME_FIELDS, names, strict=True))
        if hasattr(self, "with_missing"):  # a one-way count keeps only `n_missing`
            changes["with_missing"] = with_missing
        return attrs.evolve(  # type: ignore[misc]  # every subclass is an attrs class
            self,
            counts=counts,
            n_missing=n_missing,
            n_dropped=n_dropped,
            missing=missing,
            **changes,
        )

    def _axis(self, axis: object) -> int:
        if len(self._AXES) == 1 and axis is None:
            return 0
        choice = as_option(axis, "axis", self._AXES)
        return self._AXES.index(choice)

    @property
    def n(self) -> int:
        """Number of records counted in the table (missing values excluded)."""
        return int(self.counts.sum())

    @property
    def total(self) -> int:
        """All records: `n` plus `n_missing`."""
        return self.n + self.n_missing

    @property
    def n_excluded(self) -> int:
        """Records left out of `counts`: `n_missing` plus `n_dropped`."""
        return self.n_missing + self.n_dropped

    @property
    def exclusions(self) -> dict[str, int]:
        """Records left out of `counts`, by reason (non-zero reasons only).

        The keys are ``"missing value"`` (`n_missing`) and ``"dropped level"``
        (`n_dropped`); the mapping suits :attr:`ipsstats.TestResult.exclusions`.
        """
        reasons = {"missing value": self.n_missing, "dropped level": self.n_dropped}
        return {reason: count for reason, count in reasons.items() if count}

    def _apply(
        self: _T,
        axis: int,
        counts: NDArray[np.int64],
        with_missing: NDArray[np.int64] | None,
        new_levels: tuple[object, ...],
    ) -> _T:
        """Rebuild after a level operation along `axis`; records removed become `n_dropped`."""
        levels = self._levels()
        levels[axis] = new_levels
        old = self._with_missing()
        if with_missing is None or old is None:
            n_missing = self.n_missing
            removed = self.n - int(counts.sum())
        else:
            n_missing = int(with_missing.sum()) - int(counts.sum())
            removed = int(old.sum()) - int(with_missing.sum())
        return self._rebuild(
            counts=counts,
            levels=levels,
            names=self._names(),
            with_missing=with_missing,
            n_missing=n_missing,
            n_dropped=self.n_dropped + removed,
            missing=self.missing,
        )

    def _select(self: _T, axis: int, index: Sequence[int]) -> _T:
        levels = self._levels()[axis]
        old = self._with_missing()
        return self._apply(
            axis,
            _take(self.counts, axis, index, 0),
            None if old is None else _take(old, axis, index, 1),
            tuple(levels[k] for k in index),
        )

    def _drop(self: _T, levels: object, axis: object) -> _T:
        k = self._axis(axis)
        gone = set(_positions(self._levels()[k], levels, "levels"))
        kept = [j for j in range(len(self._levels()[k])) if j not in gone]
        return self._select(k, kept)

    def _reorder(self: _T, levels: object, axis: object) -> _T:
        k = self._axis(axis)
        current = self._levels()[k]
        index = _positions(current, levels, "levels")
        left_out = [label for j, label in enumerate(current) if j not in set(index)]
        if left_out or len(index) != len(current):
            got = f"{left_out[0]!r} left out" if left_out else "a level listed twice"
            raise fail("levels", "list every existing level exactly once", got)
        return self._select(k, index)

    def _collapse(self: _T, mapping: object, axis: object) -> _T:
        k = self._axis(axis)
        assign, new_levels = _assignment(self._levels()[k], mapping, "mapping")
        old = self._with_missing()
        return self._apply(
            k,
            _regroup(self.counts, k, assign, len(new_levels), 0),
            None if old is None else _regroup(old, k, assign, len(new_levels), 1),
            new_levels,
        )

    def __add__(self: _T, other: object) -> _T:
        if not isinstance(other, type(self)):
            return NotImplemented
        if other.missing != self.missing:
            raise fail(
                "other",
                f"use the same missing-value rule as the left table ({self.missing!r})",
                repr(other.missing),
                hint="build both tables with the same `missing` option.",
            )
        mine, theirs = self._levels(), other._levels()
        union = [_union(a, b) for a, b in zip(mine, theirs, strict=True)]
        left, right = self.counts, other.counts
        left_m, right_m = self._with_missing(), other._with_missing()
        for axis, new in enumerate(union):
            left = _embed(left, axis, mine[axis], new, 0)
            right = _embed(right, axis, theirs[axis], new, 0)
            if left_m is not None and right_m is not None:
                left_m = _embed(left_m, axis, mine[axis], new, 1)
                right_m = _embed(right_m, axis, theirs[axis], new, 1)
        names = [a if a == b else None for a, b in zip(self._names(), other._names(), strict=True)]
        return self._rebuild(
            counts=left + right,
            levels=union,
            names=names,
            with_missing=None if left_m is None or right_m is None else left_m + right_m,
            n_missing=self.n_missing + other.n_missing,
            n_dropped=self.n_dropped + other.n_dropped,
            missing=self.missing,
        )

    def __radd__(self: _T, other: object) -> _T:
        """Return the object itself for ``0 + self``, so ``sum([a, b, ...])`` adds objects."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def to_text(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.to_text()

    def _to_dict(self) -> dict[str, Any]:
        """Return the names, labels, counts and exclusions as JSON-safe Python objects."""
        out: dict[str, Any] = {field: getattr(self, field) for field in self._NAME_FIELDS}
        out.update({field: json_safe(list(getattr(self, field))) for field in self._LEVEL_FIELDS})
        out.update(
            counts=json_safe(self.counts),
            n=self.n,
            n_missing=self.n_missing,
            missing=self.missing,
            n_dropped=self.n_dropped,
        )
        return out

    def _missing_note(self) -> str:
        """Return the line "Missing: n" when missing records are reported but not placed."""
        if self.missing == "report" and self.n_missing and self._with_missing() is None:
            return f"{_MISSING_LABEL}: {self.n_missing}"
        return ""

    def _proportions(self, margin: object) -> NDArray[np.float64]:
        """Divide the counts by their row, column or grand totals; NaN where a total is 0."""
        choice = as_option(margin, "margin", _MARGINS)
        counts = self.counts.astype(np.float64)
        if choice == "total" or counts.ndim == 1:
            totals = counts.sum(axis=tuple(range(-min(counts.ndim, 2), 0)), keepdims=True)
        elif choice == "row":
            totals = counts.sum(axis=-1, keepdims=True)
        else:
            totals = counts.sum(axis=-2, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), np.nan)
        return readonly(out, np.float64)


def _row_levels(value: object) -> tuple[object, ...]:
    return _check_levels(value, "row_levels", ())


def _col_levels(value: object) -> tuple[object, ...]:
    return _check_levels(value, "col_levels", ())


def _strata_levels(value: object) -> tuple[object, ...]:
    return _check_levels(value, "strata_levels", ())


def _plain_levels(value: object) -> tuple[object, ...]:
    return _check_levels(value, "levels", ())


def _check_shape(
    counts: NDArray[np.int64], levels: Sequence[tuple[object, ...]], names: Sequence[str]
) -> None:
    """Check that `counts` has one axis per level tuple, of matching length."""
    if counts.ndim != len(levels):
        raise fail("counts", f"be {len(levels)}-dimensional", f"an array of shape {counts.shape}")
    for size, labels, name in zip(counts.shape, levels, names, strict=True):
        if size != len(labels):
            raise fail(
                name,
                f"hold one label per entry of axis of length {size}",
                f"{len(labels)} labels",
            )


def _check_with_missing(
    with_missing: NDArray[np.int64] | None, counts: NDArray[np.int64], n_missing: int
) -> None:
    """Check the counts-with-missing array against `counts` and `n_missing`."""
    if with_missing is None:
        return
    expected = tuple(size + 1 for size in counts.shape)
    if with_missing.shape != expected:
        raise fail("with_missing", f"have shape {expected}", f"shape {with_missing.shape}")
    inner = with_missing[(slice(1, None),) * counts.ndim]
    if not np.array_equal(inner, counts):
        raise fail("with_missing", "hold `counts` after its leading missing slots", "other counts")
    if int(with_missing.sum()) - int(counts.sum()) != n_missing:
        raise fail(
            "n_missing",
            "equal the records in the missing slots of `with_missing`",
            f"{n_missing} (the missing slots hold {int(with_missing.sum()) - int(counts.sum())})",
        )


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


def _label(value: object) -> str:
    return str(value)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Counts(_Labelled):
    r"""Labelled one-way counts, with missing values kept beside them.

    Parameters
    ----------
    counts : array-like of int
        One count per level (non-missing values only); stored as a read-only ``int64`` copy.
    levels : sequence
        The ordered, distinct labels of the counts.
    name : str or None
        The variable's name, e.g. ``"ethnicity"``.
    n_missing : int
        Records whose value was missing (shown as a separate "Missing" line).
    missing : {"report", "drop"}
        The rule applied to missing values: ``"report"`` shows them in displays, ``"drop"``
        leaves them out of displays (they are still counted in `n_missing`). Tests exclude
        them either way and record how many.
    n_dropped : int
        Records removed afterwards by :meth:`drop` (or :meth:`ContingencyTable.drop`).

    Raises
    ------
    InvalidInputError
        If a count is negative, fractional or not finite, labels repeat, or their number
        differs from the number of counts.

    See Also
    --------
    tally : count records by level.
    Counts.from_mapping : build from ``{label: count}``.

    Notes
    -----
    With counts :math:`n_1, \dots, n_k` and :math:`m` missing records,
    :math:`n = \sum_j n_j` and ``total`` is :math:`n + m`. Proportions are
    :math:`p_j = n_j / n`.

    Counts add level by level (``a + b``), so ``sum([a, b, c])`` combines several.

    Examples
    --------
    >>> from ipsstats import Counts
    >>> c = Counts.from_mapping({"White": 134, "Asian": 77, "Black": 64, "Mixed": 38,
    ...                          "Other": 52, "Not known": 47},
    ...                         missing_labels=["Not known"], name="ethnicity")
    >>> c.n, c.n_missing, c.total
    (365, 47, 412)
    >>> print(c.format_percent())
    ethnicity  n (%)
    White      134 (36.7)
    Asian      77 (21.1)
    Black      64 (17.5)
    Mixed      38 (10.4)
    Other      52 (14.2)
    Missing    47
    """

    _AXES = ("levels",)
    _LEVEL_FIELDS = ("levels",)
    _NAME_FIELDS = ("name",)

    counts: NDArray[np.int64] = attrs.field(converter=_int_array)
    levels: tuple[object, ...] = attrs.field(converter=_plain_levels)
    name: str | None = None
    n_missing: int = attrs.field(default=0, converter=_n_missing)
    missing: Literal["report", "drop"] = attrs.field(default="report", converter=_rule)
    n_dropped: int = attrs.field(default=0, converter=_n_dropped)

    def __attrs_post_init__(self) -> None:
        _check_shape(self.counts, [self.levels], ["levels"])

    @classmethod
    def from_counts(
        cls,
        counts: object,
        levels: Sequence[object] | None = None,
        *,
        name: str | None = None,
        n_missing: int = 0,
    ) -> Counts:
        """Build from an array of counts.

        Parameters
        ----------
        counts : array-like of int or Counts
            Non-negative whole numbers, one per level. A :class:`Counts` is returned as is
            when no other argument is given.
        levels : sequence, optional
            Labels of the counts; default ``"0", "1", ...``.
        name : str or None
            The variable's name.
        n_missing : int
            Records whose value was missing.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If `counts` is not 1-D, holds a negative, fractional or non-finite count, or
            `levels` does not give one distinct label per count.

        Examples
        --------
        >>> from ipsstats import Counts
        >>> Counts.from_counts([3, 5], ["yes", "no"]).proportions().tolist()
        [0.375, 0.625]
        """
        if isinstance(counts, Counts):
            changes: dict[str, Any] = {"name": name} if name is not None else {}
            if levels is not None:
                changes["levels"] = _levels_for(levels, "levels", counts.counts.shape[0])
            if n_missing:
                changes["n_missing"] = n_missing
            return attrs.evolve(counts, **changes) if changes else counts
        array = as_counts(
            counts, "counts", ndim=1, labels=None if levels is None else list(levels)
        )
        return cls(
            counts=array,
            levels=_levels_for(levels, "levels", array.shape[0]),
            name=name,
            n_missing=n_missing,
        )

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[object, object],
        *,
        name: str | None = None,
        missing_labels: Collection[object] = (),
    ) -> Counts:
        """Build from ``{label: count}``, summing missing labels into `n_missing`.

        Parameters
        ----------
        mapping : mapping
            Label to count, in display order.
        name : str or None
            The variable's name.
        missing_labels : collection, optional
            Labels meaning "not known", e.g. ``("Not known",)``; their counts are summed
            into `n_missing`. ``None``, NaN and blank labels always count as missing.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If `mapping` is not a mapping or a count is negative, fractional or not finite
            (the message names the label).

        Examples
        --------
        >>> from ipsstats import Counts
        >>> c = Counts.from_mapping({"yes": 3, "no": 5, "Prefer not to say": 2},
        ...                         missing_labels=["Prefer not to say"])
        >>> c.levels, c.counts.tolist(), c.n_missing
        (('yes', 'no'), [3, 5], 2)
        """
        if not isinstance(mapping, Mapping):
            raise fail("mapping", "be a mapping {label: count}", type(mapping).__name__)
        labels = list(mapping)
        counts = as_counts(list(mapping.values()), "mapping", ndim=1, labels=labels)
        wanted = frozenset(m for m in missing_labels if isinstance(m, Hashable))
        is_missing = np.array([is_missing_scalar(label, wanted) for label in labels], dtype=bool)
        levels = [label for label, gone in zip(labels, is_missing, strict=True) if not gone]
        return cls(
            counts=counts[~is_missing] if labels else counts,
            levels=levels,
            name=name,
            n_missing=int(counts[is_missing].sum()) if labels else 0,
        )

    def _with_missing(self) -> NDArray[np.int64]:
        return np.concatenate([[self.n_missing], self.counts]).astype(np.int64)

    def proportions(self) -> NDArray[np.float64]:
        """Share of each level among the non-missing records (NaN if there are none).

        Returns
        -------
        ndarray of float
            :math:`n_j / n`, read-only.
        """
        return self._proportions("total")

    def drop(self, levels: object) -> Counts:
        """Remove levels; their records are counted in `n_dropped`.

        Parameters
        ----------
        levels : label or sequence of labels
            Existing levels to remove.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If a label is not a level.
        """
        return self._drop(levels, None)

    def reorder(self, levels: Sequence[object]) -> Counts:
        """Put the levels in a new order.

        Parameters
        ----------
        levels : sequence
            Every existing level exactly once.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If a label is unknown, repeated or left out.
        """
        return self._reorder(levels, None)

    def collapse(self, mapping: Mapping[Any, Any]) -> Counts:
        """Merge levels, e.g. every minority group into one.

        Parameters
        ----------
        mapping : mapping
            ``{old: new}`` or ``{new: [old, ...]}``. Unmentioned levels stay; a merged level
            takes the place of the first of its old levels.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If `mapping` names an unknown level or maps to a missing label.

        Examples
        --------
        >>> from ipsstats import Counts
        >>> c = Counts.from_mapping({"White": 134, "Asian": 77, "Black": 64})
        >>> c.collapse({"BAME": ["Asian", "Black"]}).counts.tolist()
        [134, 141]
        """
        return self._collapse(mapping, None)

    def format_percent(self, *, digits: int = 1) -> str:
        """Paper-style table of ``n (%)``: percent of the non-missing records.

        Parameters
        ----------
        digits : int
            Decimal places of the percentages (rounded half up).

        Returns
        -------
        str
            One line per level, then a "Missing" line with the count only (when the rule
            is ``"report"`` and there are missing records).

        Raises
        ------
        InvalidInputError
            If `digits` is not a whole number from 0 to 10.
        """
        places = _check_digits(digits)
        rows = [[self.name or "", "n (%)"]]
        rows += [
            [_label(level), f"{c} ({_percent(int(c), self.n, places)})"]
            for level, c in zip(self.levels, self.counts, strict=True)
        ]
        if self.missing == "report" and self.n_missing:
            rows.append([_MISSING_LABEL, str(self.n_missing)])
        return _grid(rows)

    def to_text(self) -> str:
        """Paper-style ``n (%)`` text (see :meth:`format_percent`)."""
        return self.format_percent()

    def to_dict(self) -> dict[str, Any]:
        """Return the counts as JSON-safe Python objects."""
        return self._to_dict()

    def __repr__(self) -> str:
        body = ", ".join(
            f"{level!r}: {int(c)}" for level, c in zip(self.levels, self.counts, strict=True)
        )
        return (
            f"Counts(name={self.name!r}, n={self.n}, n_missing={self.n_missing}, "
            f"missing={self.missing!r}, counts={{{body}}})"
        )


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


# --- counting records ------------------------------------------------------------------------


class _TooWideError(Exception):
    """Integer columns span too many values to count directly (internal signal)."""


def _chunk_bounds(chunk: NDArray[Any]) -> tuple[int, int]:
    """Smallest and largest value of a chunk of integers (0 as the start when small).

    One reduction usually suffices: viewed as unsigned, negative values become huge, so a
    small unsigned maximum proves every value lies in ``[0, max]``.
    """
    if chunk.dtype.kind == "i":
        high = int(chunk.view(chunk.dtype.str.replace("i", "u")).max())
        if high < _SMALL_START:
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
    columns: Sequence[_Coded | _RawIntegers], limit: int
) -> tuple[NDArray[np.int64], list[_Coded]]:
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
    fixed = [
        (c.offset, c.offset + c.width - 1) if isinstance(c, _Coded) else None for c in columns
    ]
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
        np.subtract(x, lo, out=target, casting="unsafe")
        if stride != 1:
            np.multiply(target, stride, out=target)
    else:
        np.multiply(x, stride, out=target, casting="unsafe")
    if not first:
        np.add(combined, scratch, out=combined)


def _finished(
    column: _Coded | _RawIntegers, total: NDArray[np.int64] | None, origin: list[int], axis: int
) -> _Coded:
    """Slot codes of a column once its range (the table's extent) is known."""
    if isinstance(column, _Coded):
        return column
    if total is None:
        return column.build(0, -1)
    return column.build(origin[axis], origin[axis] + total.shape[axis] - 1)


def _to_levels(
    table: NDArray[np.int64], axis: int, slot_level: NDArray[np.int64], size: int
) -> NDArray[np.int64]:
    """Sum the slots of `axis` into levels: index 0 missing, level ``k`` at ``k + 1``."""
    moved = np.moveaxis(table, axis, 0)
    index = np.maximum(slot_level, _MISSING) + 1
    out = np.zeros((size + 1, *moved.shape[1:]), dtype=np.int64)
    np.add.at(out, index, moved)
    return np.moveaxis(out, 0, axis)


def _dense(coded: _Coded, slot_level: NDArray[np.int64], levels: tuple[object, ...]) -> _Coded:
    """Re-encode records as level codes (0 missing, ``k + 1`` for level ``k``)."""
    lookup = (np.maximum(slot_level, _MISSING) + 1).astype(np.intp)
    codes = lookup[coded.slots()]
    slot_missing = np.zeros(len(levels) + 1, dtype=bool)
    slot_missing[0] = True
    labels: list[object] = [None, *levels]
    return _Coded(
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
    coded: _Coded,
    present: NDArray[np.bool_],
    given: tuple[object, ...] | None,
    levels_name: str,
    missing: MissingRule,
) -> tuple[NDArray[np.int64], tuple[object, ...]]:
    """Map the slots of one axis to levels, raising for unknown or (if asked) missing values."""
    slot_level, levels = coded.resolve(present, given)
    unknown = (slot_level == _UNKNOWN) & present
    if unknown.any():
        raise _unknown_error(coded, unknown, levels_name)
    if missing == "error":
        flagged = (slot_level == _MISSING) & present
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
        None if lv is None else _check_levels(lv, lv_name, missing_labels)
        for _, _, lv, lv_name in columns
    ]
    lazy = len(columns) > 1
    encoded = [
        _encode(v, name, missing_labels=missing_labels, lazy=lazy) for v, name, _, _ in columns
    ]
    check_same_length({c.name: c.codes for c in encoded})
    n = encoded[0].size
    limit = max(_CHUNK, 2 * n)
    try:
        table, coded = _combined_counts(encoded, limit)
    except _TooWideError:
        coded = [_complete(c) for c in encoded]
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
