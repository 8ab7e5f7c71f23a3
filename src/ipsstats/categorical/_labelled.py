"""Shared behaviour of labelled count tables: levels, the missing slot, validation and arithmetic.

Private to the categorical wing: :class:`Counts`, :class:`ContingencyTable` and
:class:`StratifiedTable` derive from :class:`_Labelled`.
"""

from __future__ import annotations

import decimal
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_counts,
    as_option,
    fail,
    is_missing_scalar,
    readonly,
)
from ipsstats._encoding import (
    check_levels,
)
from ipsstats.results import json_safe

__all__ = []

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
    levels = check_levels(value, name, ())
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
    return check_levels(value, "row_levels", ())


def _col_levels(value: object) -> tuple[object, ...]:
    return check_levels(value, "col_levels", ())


def _strata_levels(value: object) -> tuple[object, ...]:
    return check_levels(value, "strata_levels", ())


def _plain_levels(value: object) -> tuple[object, ...]:
    return check_levels(value, "levels", ())


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


def _label(value: object) -> str:
    return str(value)
