"""Encoding of category columns as integer codes.

The engine behind :class:`~ipsstats.factor.Factor`, :func:`~ipsstats.tally` and
:func:`~ipsstats.crosstab`.

Categorical columns (pandas ``Categorical``, polars ``Categorical``/``Enum``, Arrow
dictionary arrays, a :class:`~ipsstats.factor.Factor`) are used through their own codes;
integer arrays are counted directly (a value is its own code); strings and other objects are
factorised once, then only the distinct values are inspected:

- numpy text arrays (``<U``, ``S``) without creating a Python string per record: each row of
  the fixed-width buffer becomes a 64-bit key (the characters packed side by side when they
  fit, else a hash checked against the text), and keys are looked up in a small hash table
  built from a sample (see :mod:`ipsstats._keys`);
- object arrays through the identity of their objects when few distinct objects recur (a
  column of repeated labels), else through Arrow's hash kernel when pyarrow is installed,
  else through a Python dict.

A core module: every wing may use its names.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Collection, Hashable, Sequence
from itertools import repeat
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, fail, is_missing_scalar
from ipsstats._keys import (
    char_matrix,
    factorise_few_keys,
    factorise_keys,
    first_rows,
    object_addresses,
    row_keys,
)

__all__ = [
    "MISSING",
    "UNKNOWN",
    "Coded",
    "RawIntegers",
    "check_levels",
    "complete",
    "encode",
    "factorise",
    "unknown_error",
]

#: Level index of a slot holding missing values.
MISSING = -1
#: Level index of a slot whose value is not among the given levels.
UNKNOWN = -2

_MAX_SHOWN = 5
#: Largest integer range counted directly with ``bincount`` before falling back to a sort of
#: the integers (never of Python objects).
_DENSE_INT_WIDTH = 1 << 22
#: Values sampled (from the start, and evenly spread) to seed the hash table of labels.
_SAMPLE = 1 << 12
#: Records handled at a time when checking hashed text.
_CHUNK = 1 << 16
#: Fewest records of an object column worth handing to Arrow (and importing pyarrow for).
_ARROW_MIN = 1 << 16


def check_levels(
    levels: object, name: str, missing_labels: Collection[object]
) -> tuple[object, ...]:
    """Validate user-given levels: a sequence of distinct, hashable, non-missing labels."""
    if (
        levels is None
        or isinstance(levels, (str, bytes))
        or not isinstance(levels, Collection)
        or (isinstance(levels, np.ndarray) and levels.ndim == 0)  # a Collection, not iterable
    ):
        raise fail(name, "be a sequence of labels", type(levels).__name__)
    out = tuple(levels)
    seen: set[object] = set()
    for label in out:
        if not isinstance(label, Hashable):
            raise fail(name, "hold hashable labels", f"unhashable {label!r}")
        if is_missing_scalar(label, frozenset(missing_labels)):
            raise fail(
                name,
                "not contain a missing-value label",
                repr(label),
                hint="missing values are kept apart from the levels; leave it out.",
            )
        if label in seen:
            raise fail(name, "hold distinct labels", f"{label!r} twice")
        seen.add(label)
    return out


def _sorted_if_possible(labels: list[object]) -> list[object]:
    """Sort labels when they are mutually orderable, else keep first-seen order."""
    try:
        return sorted(labels)  # type: ignore[type-var]  # TypeError handled below
    except TypeError:
        return labels


def _to_python(value: object) -> object:
    """Turn a numpy scalar label into the matching Python scalar."""
    return value.item() if isinstance(value, np.generic) else value


@attrs.frozen(kw_only=True, eq=False)
class Coded:
    """Records as integer slot codes, counted without re-encoding (internal).

    ``slot = codes - offset`` lies in ``[0, width)``. Each slot stands for one distinct raw
    value (a category, an integer, a distinct object); :meth:`resolve` maps slots to levels.
    """

    codes: NDArray[Any]
    offset: int
    width: int
    slot_missing: NDArray[np.bool_]
    label_of: Callable[[NDArray[np.intp]], list[object]]
    declared: tuple[object, ...] | None = None
    declared_slots: NDArray[np.int64] | None = None
    name: str = "values"

    @property
    def size(self) -> int:
        """Number of records."""
        return int(self.codes.shape[0])

    def slots(self) -> NDArray[np.intp]:
        """Slot codes as a fresh ``intp`` array (one pass over the records)."""
        if self.offset == 0:
            return np.array(self.codes, dtype=np.intp)
        out: NDArray[np.intp] = np.subtract(self.codes, self.offset, dtype=np.intp)
        return out

    def slot_counts(self) -> NDArray[np.int64]:
        """Count the records in each slot."""
        if self.offset == 0 and np.can_cast(self.codes.dtype, np.intp):
            counts = np.bincount(self.codes, minlength=self.width)
        else:
            counts = np.bincount(self.slots(), minlength=self.width)
        return counts.astype(np.int64, copy=False)

    def resolve(
        self, present: NDArray[np.bool_], levels: tuple[object, ...] | None
    ) -> tuple[NDArray[np.int64], tuple[object, ...]]:
        """Map slots to level indices (``MISSING``/``UNKNOWN`` for the rest).

        Parameters
        ----------
        present : ndarray of bool
            Which slots hold at least one record; absent slots are never inspected unless the
            levels were declared by a categorical column.
        levels : tuple or None
            Levels given by the user (fixing order, including empty levels), or ``None``.
        """
        slot_level = np.full(self.width, UNKNOWN, dtype=np.int64)
        slot_level[self.slot_missing] = MISSING
        wanted = np.flatnonzero(present & ~self.slot_missing)
        if levels is not None:
            index = {label: k for k, label in enumerate(levels)}
            labels = self.label_of(wanted)
            slot_level[wanted] = [index.get(label, UNKNOWN) for label in labels]
            return slot_level, levels
        if self.declared is not None and self.declared_slots is not None:
            return self.declared_slots, self.declared
        labels = self.label_of(wanted)
        ordered = _sorted_if_possible(list(dict.fromkeys(labels)))
        index = {label: k for k, label in enumerate(ordered)}
        slot_level[wanted] = [index[label] for label in labels]
        return slot_level, tuple(ordered)

    def positions(self, slot_mask: NDArray[np.bool_]) -> NDArray[np.intp]:
        """Return the indices of the first records whose slot is flagged in `slot_mask`."""
        flagged = slot_mask[self.slots()]
        return np.flatnonzero(flagged)[:_MAX_SHOWN]

    def describe(self, slot_mask: NDArray[np.bool_]) -> tuple[str, tuple[object, ...]]:
        """Describe the first records in flagged slots, e.g. "'Other' at index 3"."""
        where = self.positions(slot_mask)
        labels = self.label_of(self.slots()[where])
        pieces = [f"{label!r} at index {int(i)}" for label, i in zip(labels, where, strict=True)]
        total = int(self.slot_counts()[slot_mask].sum())
        text = ", ".join(pieces)
        if total > len(pieces):
            text += f" and {total - len(pieces)} more"
        return text, tuple(int(i) for i in where)


def _missing_mask(
    labels: Sequence[object], missing_labels: frozenset[object]
) -> NDArray[np.bool_]:
    return np.fromiter(
        (is_missing_scalar(label, missing_labels) for label in labels),
        dtype=bool,
        count=len(labels),
    )


def _from_categories(
    codes: NDArray[Any],
    categories: Sequence[object],
    *,
    offset: int,
    declared: bool,
    missing_labels: frozenset[object],
    name: str,
) -> Coded:
    """Wrap category codes; slot ``code - offset``; the slot past the categories is missing.

    With ``offset=-1`` (pandas, a factor) slot 0 holds the code ``-1`` (missing) and
    category ``k`` is slot ``k + 1``; with ``offset=0`` (polars, Arrow, nulls filled with the
    number of categories) category ``k`` is slot ``k`` and the last slot is missing.
    """
    cats = [_to_python(c) for c in categories]
    cat_missing = _missing_mask(cats, missing_labels)
    if offset == -1:
        slot_missing = np.concatenate([[True], cat_missing])
        first = 1
    else:
        slot_missing = np.concatenate([cat_missing, [True]])
        first = 0
    labels: list[object] = [None] * (len(cats) + 1)
    labels[first : first + len(cats)] = cats

    def label_of(slots: NDArray[np.intp]) -> list[object]:
        return [labels[int(s)] for s in slots]

    declared_levels = None
    declared_slots = None
    if declared:
        kept = [c for c, m in zip(cats, cat_missing, strict=True) if not m]
        declared_levels = tuple(kept)
        declared_slots = np.full(len(cats) + 1, MISSING, dtype=np.int64)
        declared_slots[first : first + len(cats)][~cat_missing] = np.arange(len(kept))
    return Coded(
        codes=codes,
        offset=offset,
        width=len(cats) + 1,
        slot_missing=slot_missing,
        label_of=label_of,
        declared=declared_levels,
        declared_slots=declared_slots,
        name=name,
    )


@attrs.frozen(kw_only=True, eq=False)
class RawIntegers:
    """Integer values whose range is found while counting (internal).

    Counting in chunks finds each chunk's range while the chunk is in cache, which saves
    separate passes over the records for the minimum and maximum.
    """

    codes: NDArray[Any]
    build: Callable[[int, int], Coded]
    missing_labels: frozenset[object]
    name: str

    @property
    def size(self) -> int:
        """Number of records."""
        return int(self.codes.shape[0])

    def complete(self) -> Coded:
        """Find the range now and return the slot codes."""
        return _finish_integers(self.codes, self.build, self.missing_labels, self.name)


def _integer_builder(
    *, is_bool: bool, missing_labels: frozenset[object], name: str, codes: NDArray[Any]
) -> Callable[[int, int], Coded]:
    """Make the function that wraps integer values with slots ``value - lo``, ``lo..hi``."""
    int_missing = np.asarray(
        [
            int(m)
            for m in missing_labels
            if isinstance(m, numbers.Integral) or (isinstance(m, float) and m.is_integer())
        ],
        dtype=object,
    )

    def build(lo: int, hi: int) -> Coded:
        width = max(hi - lo + 1, 0)
        values = np.arange(width, dtype=np.int64) + lo if width else np.zeros(0, np.int64)
        slot_missing = (
            np.isin(values, int_missing.astype(np.int64))
            if int_missing.size
            else np.zeros(width, dtype=bool)
        )

        def label_of(slots: NDArray[np.intp]) -> list[object]:
            labels = [lo + int(s) for s in slots]
            return [bool(v) for v in labels] if is_bool else list(labels)

        return Coded(
            codes=codes,
            offset=lo,
            width=width,
            slot_missing=slot_missing,
            label_of=label_of,
            name=name,
        )

    return build


def _finish_integers(
    array: NDArray[Any],
    build: Callable[[int, int], Coded],
    missing_labels: frozenset[object],
    name: str,
) -> Coded:
    """Slot codes of integers: their own values, or ranks when the range is very wide."""
    if array.size == 0:
        return build(0, -1)
    lo, hi = int(array.min()), int(array.max())
    if hi - lo + 1 > max(_DENSE_INT_WIDTH, 2 * array.size):
        uniques, inverse = np.unique(array, return_inverse=True)
        labels: list[object] = [int(u) for u in uniques]
        return _from_uniques(labels, inverse.reshape(-1), missing_labels, name)
    if 0 <= lo <= 1024:  # slot = value: counted without subtracting an offset
        lo = 0
    return build(lo, hi)


def _from_integers(
    array: NDArray[Any], missing_labels: frozenset[object], name: str, *, lazy: bool = False
) -> Coded | RawIntegers:
    """Integer (or boolean) values are their own codes: slot ``value - offset``."""
    is_bool = array.dtype.kind == "b"
    if is_bool:
        array = array.view(np.uint8)
    build = _integer_builder(
        is_bool=is_bool, missing_labels=missing_labels, name=name, codes=array
    )
    if lazy and array.size:
        return RawIntegers(codes=array, build=build, missing_labels=missing_labels, name=name)
    return _finish_integers(array, build, missing_labels, name)


def _from_uniques(
    uniques: list[object], codes: NDArray[Any], missing_labels: frozenset[object], name: str
) -> Coded:
    """Wrap codes into a list of distinct values (slot ``k`` is ``uniques[k]``)."""

    def label_of(slots: NDArray[np.intp]) -> list[object]:
        return [uniques[int(s)] for s in slots]

    return Coded(
        codes=codes,
        offset=0,
        width=len(uniques),
        slot_missing=_missing_mask(uniques, missing_labels),
        label_of=label_of,
        name=name,
    )


def _from_objects(values: Sequence[object], missing_labels: frozenset[object], name: str) -> Coded:
    """Hash-based factorisation: a dict of distinct values, then one lookup per value.

    The dict starts from a sample of the values (the first and every so many), so usually a
    single pass of C-level lookups (``map`` over ``dict.get``) codes every record; values the
    sample missed are factorised afterwards from that remainder alone. Nothing is sorted but
    the distinct values.
    """
    n = len(values)
    step = max(n // _SAMPLE, 1)
    sample = list(values[:_SAMPLE]) + list(values[::step])
    try:
        index = {value: k for k, value in enumerate(dict.fromkeys(sample))}
        codes = np.fromiter(map(index.get, values, repeat(-1)), dtype=np.intp, count=n)
    except TypeError:
        raise _unhashable(values, name) from None
    rest = np.flatnonzero(codes < 0)
    if rest.size:
        others = list(map(values.__getitem__, rest.tolist()))
        more = {value: k + len(index) for k, value in enumerate(dict.fromkeys(others))}
        codes[rest] = np.fromiter(map(more.__getitem__, others), dtype=np.intp, count=rest.size)
        index.update(more)
    uniques = [_to_python(v) for v in index]
    return _from_uniques(uniques, codes, missing_labels, name)


def _from_text(array: NDArray[Any], missing_labels: frozenset[object], name: str) -> Coded:
    """Factorise a numpy ``S``/``<U`` array without a Python string per record.

    Each record's characters become a 64-bit key (see :mod:`ipsstats._keys`). Hashed keys
    (text too wide to pack) are checked against the text: records whose text differs from
    the representative of their key are factorised again by sorting their text. Only the
    distinct values become Python strings (``str`` for ``<U``, ``bytes`` for ``S``).
    """
    n = array.shape[0]
    matrix = char_matrix(array)
    keys_of, exact = row_keys(matrix)
    codes, representatives = factorise_keys(keys_of, n)
    if not exact:
        codes, representatives = _check_hashed(array, codes, representatives)
    labels: list[object] = array[representatives].tolist()
    return _from_uniques(labels, codes, missing_labels, name)


def _check_hashed(
    array: NDArray[Any], codes: NDArray[np.intp], representatives: NDArray[np.intp]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Split records whose text differs from their key's representative (hash collisions).

    Equal texts have equal keys, so a record that differs from its representative differs
    from every representative; such records are factorised among themselves.
    """
    canonical = array[representatives]
    bad = [
        np.flatnonzero(canonical[codes[start : start + _CHUNK]] != array[start : start + _CHUNK])
        + start
        for start in range(0, array.shape[0], _CHUNK)
    ]
    rows = np.concatenate(bad) if bad else np.zeros(0, dtype=np.intp)
    if rows.size:
        _, first, inverse = np.unique(array[rows], return_index=True, return_inverse=True)
        codes[rows] = inverse.reshape(-1) + representatives.size
        representatives = np.concatenate([representatives, rows[first]])
    return codes, representatives


def _from_object_array(
    array: NDArray[np.object_], missing_labels: frozenset[object], name: str
) -> Coded:
    """Factorise an object array: by object identity, Arrow's hash kernel, or a dict.

    A column of repeated labels usually holds a few objects many times (labels taken from a
    list, a category table or an interned value): their addresses are factorised like
    integer keys and only the distinct objects are inspected; equal but distinct objects
    become separate slots with equal labels, which :meth:`Coded.resolve` merges. Otherwise,
    for many records of text, Arrow's dictionary encoding is used when pyarrow is installed,
    else a Python dict (:func:`_from_objects`).
    """
    array = np.ascontiguousarray(array, dtype=object)
    n = array.shape[0]
    factorised = factorise_few_keys(object_addresses(array), n)
    if factorised is not None:
        codes, representatives = factorised
        labels = array[representatives].tolist()
        _check_hashable(labels, array, name)
        first = first_rows(codes, len(labels))
        order = np.argsort(first, kind="stable")  # slots in first-seen order
        rank = np.empty(order.size, dtype=np.intp)
        rank[order] = np.arange(order.size)
        uniques = [_to_python(labels[k]) for k in order.tolist()]
        return _from_uniques(uniques, rank[codes], missing_labels, name)
    if n >= _ARROW_MIN:
        arrow = _arrow_text_codes(array)
        if arrow is not None:
            codes, uniques = arrow
            return _from_uniques(uniques, codes, missing_labels, name)
    return _from_objects(array, missing_labels, name)  # type: ignore[arg-type]  # a sequence


def _hashable(value: object) -> bool:
    """Whether `value` can be hashed (a tuple holding a list cannot, though a tuple)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _check_hashable(labels: list[object], values: NDArray[np.object_], name: str) -> None:
    """Raise the encoder's error when a distinct label cannot be hashed."""
    if not all(map(_hashable, labels)):
        raise _unhashable(values, name)  # type: ignore[arg-type]  # a sequence


def _arrow_text_codes(array: NDArray[np.object_]) -> tuple[NDArray[np.intp], list[object]] | None:
    """Codes and distinct values of an object array of text through Arrow, if installed.

    Returns ``None`` when pyarrow is not installed or the values are not all text (or
    missing: ``None``, NaN and NA become nulls, coded past the distinct values).
    """
    try:
        import pyarrow as pa  # noqa: PLC0415  # optional: only for large object columns
    except ImportError:
        return None
    try:
        arrow = pa.array(array, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        return None
    encoded = arrow.dictionary_encode()
    uniques: list[object] = encoded.dictionary.to_pylist()
    indices = encoded.indices
    if indices.null_count:
        indices = indices.fill_null(len(uniques))
        uniques.append(None)
    codes = np.asarray(indices.to_numpy(zero_copy_only=False)).astype(np.intp)
    return codes, uniques


def _unhashable(values: Sequence[object], name: str) -> Exception:
    """Error naming the first unhashable value."""
    bad = next(i for i, v in enumerate(values) if not _hashable(v))
    return fail(
        name,
        "hold hashable labels",
        f"unhashable {values[bad]!r} at index {bad}",
        positions=(bad,),
    )


def _from_floats(array: NDArray[Any], missing_labels: frozenset[object], name: str) -> Coded:
    """Float labels: NaN is missing; integral values go through the integer path."""
    finite = array[~np.isnan(array)].astype(np.float64)  # 2**53 overflows a half float
    exact = bool(np.all(np.abs(finite) <= 2.0**53))  # int64-safe; also refuses infinities
    if exact and finite.size == array.size and np.array_equal(finite, np.trunc(finite)):
        as_int = array.astype(np.int64)
        if np.array_equal(as_int, array):
            build = _integer_builder(
                is_bool=False, missing_labels=missing_labels, name=name, codes=as_int
            )
            coded = _finish_integers(as_int, build, missing_labels, name)
            inner = coded.label_of
            return attrs.evolve(coded, label_of=lambda s: [float(v) for v in inner(s)])  # type: ignore[arg-type]
    uniques, inverse = np.unique(array, return_inverse=True)
    return _from_uniques(uniques.tolist(), inverse.reshape(-1), missing_labels, name)


def _categorical_parts(value: object) -> tuple[NDArray[Any], list[object], int, bool] | None:
    """Duck-typed codes and categories of a categorical column, or ``None``.

    Returns (codes, categories, offset, declared); see :func:`_from_categories`.
    """
    if getattr(type(value), "ipsstats_factor", False):  # a Factor (not imported: no cycle)
        codes: NDArray[Any] = getattr(value, "codes")  # noqa: B009  # duck-typed Factor
        return codes, list(getattr(value, "levels")), -1, True  # noqa: B009
    cat = getattr(value, "cat", None)
    if cat is not None and hasattr(cat, "codes") and hasattr(cat, "categories"):  # pandas Series
        codes = cat.codes
        return (
            np.asarray(getattr(codes, "to_numpy", lambda: codes)()),
            list(cat.categories),
            -1,
            True,
        )
    if (
        hasattr(value, "codes")
        and hasattr(value, "categories")
        and not isinstance(value, np.ndarray)
    ):
        return np.asarray(value.codes), list(value.categories), -1, True  # pandas Categorical
    dtype_text = str(getattr(value, "dtype", ""))
    if hasattr(value, "to_physical") and dtype_text.startswith(("Categorical", "Enum")):
        return _polars_parts(value, declared=dtype_text.startswith("Enum"))
    if hasattr(value, "to_arrow") and _arrow_friendly(value, dtype_text):  # polars
        try:
            value = value.to_arrow()  # zero-copy; Arrow then hashes the strings in C++
        except ImportError:  # polars without pyarrow: read the strings through numpy
            return None
    arrow_type = getattr(value, "type", None)
    if hasattr(value, "dictionary_encode") and not hasattr(arrow_type, "index_type"):
        value = value.dictionary_encode()  # plain Arrow array: Arrow's hash kernel
    if hasattr(value, "chunks") and hasattr(value, "unify_dictionaries"):  # Arrow chunked
        value = value.unify_dictionaries().combine_chunks()
    if hasattr(value, "indices") and hasattr(value, "dictionary"):  # Arrow dictionary
        categories = value.dictionary.to_pylist()
        indices = value.indices
        if indices.null_count:
            indices = indices.fill_null(len(categories))
        return np.asarray(indices.to_numpy(zero_copy_only=False)), categories, 0, False
    return None


def _arrow_friendly(value: Any, dtype_text: str) -> bool:
    """Whether a polars column is best factorised by Arrow: strings, integers with nulls."""
    if dtype_text in ("String", "Utf8"):
        return True
    return dtype_text.startswith(("Int", "UInt")) and bool(value.null_count())


def _polars_parts(value: Any, *, declared: bool) -> tuple[NDArray[Any], list[object], int, bool]:
    """Physical codes and categories of a polars Categorical or Enum column."""
    categories_of: Any = getattr(value.dtype, "categories", None)
    if hasattr(categories_of, "to_series"):  # polars >= 1.32 Categorical
        categories = categories_of.to_series().to_list()
    elif hasattr(categories_of, "to_list"):  # Enum
        categories = categories_of.to_list()
    else:  # older polars
        categories = value.cat.get_categories().to_list()
    physical = value.to_physical()
    if physical.null_count():
        physical = physical.fill_null(len(categories))
    return np.asarray(physical.to_numpy()), categories, 0, declared


def encode(
    value: object, name: str, *, missing_labels: Collection[object] = (), lazy: bool = False
) -> Coded | RawIntegers:
    """Encode one column of labels as slot codes, re-using any codes it already has.

    Parameters
    ----------
    value : array-like
        A categorical column, a factor, integer codes or labels of any hashable type.
    name : str
        The user's argument name, for error messages.
    missing_labels : collection
        Labels counted as missing, beside ``None``, NaN, NA and blank strings.

    Raises
    ------
    InvalidInputError
        If `value` is not a 1-D array-like of hashable labels.
    """
    missing = frozenset(m for m in missing_labels if isinstance(m, Hashable))
    parts = _categorical_parts(value)
    if parts is not None:
        codes, categories, offset, declared = parts
        if codes.ndim != 1:
            raise fail(name, "be 1-dimensional", f"an array of shape {codes.shape}")
        return _from_categories(
            codes, categories, offset=offset, declared=declared, missing_labels=missing, name=name
        )
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in value[:1]):
            raise fail(name, "be 1-dimensional", "a nested sequence")
        if len(value) < _SAMPLE:
            return _from_objects(value, missing, name)
        return _from_object_array(
            np.fromiter(value, dtype=object, count=len(value)), missing, name
        )
    array = as_array(value, name)
    if array.ndim != 1:
        raise fail(name, "be 1-dimensional", f"an array of shape {array.shape}")
    if array.dtype.kind in "iub":
        return _from_integers(array, missing, name, lazy=lazy)
    if array.dtype.kind == "f":
        return _from_floats(array, missing, name)
    if array.dtype.kind in "US":
        return _from_text(array, missing, name)
    return _from_object_array(array, missing, name)


def complete(coded: Coded | RawIntegers) -> Coded:
    """Slot codes with a known range."""
    return coded.complete() if isinstance(coded, RawIntegers) else coded


def factorise(
    value: object,
    name: str,
    *,
    levels: object = None,
    levels_name: str = "levels",
    missing_labels: Collection[object] = (),
) -> tuple[NDArray[np.int64], tuple[object, ...]]:
    """Level codes (``-1`` for missing) and levels of one column (internal).

    Raises
    ------
    InvalidInputError
        If a value is not among the given `levels`.
    """
    given = None if levels is None else check_levels(levels, levels_name, missing_labels)
    coded = complete(encode(value, name, missing_labels=missing_labels))
    counts = coded.slot_counts()
    slot_level, out_levels = coded.resolve(counts > 0, given)
    unknown = (slot_level == UNKNOWN) & (counts > 0)
    if unknown.any():
        raise unknown_error(coded, unknown, levels_name)
    return slot_level[coded.slots()], out_levels


def unknown_error(coded: Coded, unknown: NDArray[np.bool_], levels_name: str) -> Exception:
    """Error for values outside the given levels, naming the first ones and their indices."""
    text, positions = coded.describe(unknown)
    return fail(
        coded.name,
        f"hold only labels listed in `{levels_name}` (or missing values)",
        text,
        hint=f"add the label to `{levels_name}`, or list it in `missing_labels` "
        "if it means the value is not known.",
        positions=positions,
    )
