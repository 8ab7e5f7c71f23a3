"""Coercion and validation of array-like user input (internal).

Every public function validates its arguments here, once, at the boundary. Accepted input:
lists, tuples, numpy arrays, and anything exposing ``to_numpy()`` or ``__array__`` (pandas
and polars columns, Arrow arrays), without importing those libraries. Errors are
:class:`~ipsstats.errors.InvalidInputError` naming the user's argument, the rule, what was
received and where.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from ipsstats.errors import InvalidInputError

__all__ = [
    "MAX_TOTAL_COUNT",
    "as_amounts",
    "as_array",
    "as_confidence_level",
    "as_counts",
    "as_durations",
    "as_events",
    "as_labels",
    "as_missing_labels",
    "as_option",
    "as_rng",
    "bool_array",
    "check_same_length",
    "fail",
    "float_array",
    "frozen_array",
    "int_array",
    "is_missing_scalar",
    "object_array",
    "optional_float_array",
    "readonly",
    "str_array",
]

_MAX_SHOWN = 5
_S = TypeVar("_S", bound=str)

#: Largest total that counts may add up to: 2**53, up to which every whole number (and so
#: every count, margin and total) is exact in float64, the arithmetic of every test.
MAX_TOTAL_COUNT = 2**53
_SMALL_COUNTS = 64  # arrays up to this size are checked with Python integers (no overflow)


def fail(
    name: str,
    rule: str,
    got: str,
    *,
    hint: str | None = None,
    positions: tuple[object, ...] = (),
) -> InvalidInputError:
    """Build (not raise) an :class:`InvalidInputError` with the house message format.

    The message reads "`name` must <rule>; got <got>. Hint: <hint>".
    """
    message = f"`{name}` must {rule}; got {got}."
    if hint:
        message += f" Hint: {hint}"
    return InvalidInputError(message, argument=name, positions=positions)


def _where(
    bad: NDArray[np.bool_], values: NDArray[Any], labels: Sequence[object] | None
) -> tuple[str, tuple[object, ...]]:
    """Describe the first offending positions of a boolean mask, e.g. "-3 at index 2"."""
    flat = np.flatnonzero(bad.ravel())
    shown = flat[:_MAX_SHOWN]
    positions: list[object] = []
    pieces: list[str] = []
    for k in shown:
        pos: object
        if values.ndim == 0:
            positions.append(())
            pieces.append(repr(values.item()))
            continue
        if values.ndim == 1 and labels is not None:
            pos = labels[int(k)]
            where = f"label {pos!r}"
        elif values.ndim == 1:
            pos = int(k)
            where = f"index {pos}"
        else:
            pos = tuple(int(i) for i in np.unravel_index(int(k), values.shape))
            where = f"index {pos}"
        positions.append(pos)
        pieces.append(f"{values.ravel()[k : k + 1].tolist()[0]!r} at {where}")
    text = ", ".join(pieces)
    if flat.size > _MAX_SHOWN:
        text += f" and {flat.size - _MAX_SHOWN} more"
    return text, tuple(positions)


def readonly(array: NDArray[Any], dtype: Any = None) -> NDArray[Any]:
    """Return a read-only copy of `array` (converted to `dtype` when given)."""
    out = np.array(array, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out


def frozen_array(dtype: Any) -> Any:
    """Make an attrs converter that stores a read-only copy with a fixed dtype.

    mypy's attrs plugin only understands named converters: for typed fields prefer
    :func:`float_array`, :func:`int_array`, :func:`bool_array` and :func:`object_array`.
    """

    def convert(value: Any) -> NDArray[Any]:
        return readonly(np.asarray(value), dtype=dtype)

    return convert


def float_array(value: Any) -> NDArray[np.float64]:
    """Attrs converter: a read-only float64 copy."""
    return readonly(np.asarray(value), dtype=np.float64)


def int_array(value: Any) -> NDArray[np.int64]:
    """Attrs converter: a read-only int64 copy."""
    return readonly(np.asarray(value), dtype=np.int64)


def bool_array(value: Any) -> NDArray[np.bool_]:
    """Attrs converter: a read-only boolean copy."""
    return readonly(np.asarray(value), dtype=np.bool_)


def object_array(value: Any) -> NDArray[np.object_]:
    """Attrs converter: a read-only object copy (labels)."""
    return readonly(np.asarray(value, dtype=object), dtype=object)


def str_array(value: Any) -> NDArray[np.str_]:
    """Attrs converter: a read-only unicode string copy."""
    return readonly(np.asarray(value), dtype=str)


def optional_float_array(value: Any) -> NDArray[np.float64] | None:
    """Attrs converter: ``None`` kept as it is, otherwise as :func:`float_array`."""
    return None if value is None else float_array(value)


def as_array(value: object, name: str) -> NDArray[Any]:
    """Turn array-like input into a numpy array without copying when possible.

    Duck-typed: objects with ``to_numpy()`` (pandas, polars) or ``__array__`` are converted
    through those; strings, bytes, mappings and ``None`` are refused.

    Raises
    ------
    InvalidInputError
        If `value` is not array-like.
    """
    if isinstance(value, np.ndarray):
        return value
    if value is None or isinstance(value, (str, bytes, Mapping)):
        raise fail(
            name,
            "be array-like (a list, tuple, numpy array or dataframe column)",
            f"{type(value).__name__}",
        )
    to_numpy = getattr(value, "to_numpy", None)
    try:
        if callable(to_numpy):
            return np.asarray(to_numpy())
        return np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise fail(
            name,
            "be array-like with a regular (rectangular) shape",
            f"{type(value).__name__} that numpy cannot convert ({exc})",
        ) from None


def _check_ndim(array: NDArray[Any], name: str, ndim: int | None) -> None:
    if ndim is not None and array.ndim != ndim:
        raise fail(name, f"be {ndim}-dimensional", f"an array of shape {array.shape}")


def _as_float(array: NDArray[Any], name: str, what: str) -> NDArray[np.float64]:
    """Convert to float64, naming the first non-numeric element on failure."""
    if array.dtype.kind == "b":
        raise fail(name, f"hold {what}", "booleans", hint="convert them with `.astype(int)`.")
    if array.dtype.kind in "iuf":
        return array.astype(np.float64, copy=False)
    if array.dtype.kind == "O":
        flat = array.ravel()
        bad = np.fromiter(
            (isinstance(v, bool) or not isinstance(v, numbers.Real) for v in flat),
            dtype=bool,
            count=flat.size,
        )
        if not bad.any():
            return array.astype(np.float64)
        text, positions = _where(bad.reshape(array.shape), array, None)
        raise fail(name, f"hold {what}", f"non-numeric {text}", positions=positions)
    if array.dtype.kind in "US":
        text, positions = _where(np.ones(array.shape, dtype=bool), array, None)
        raise fail(
            name,
            f"hold {what}",
            f"non-numeric text {text}",
            hint="convert text holding numbers with `.astype(float)` first.",
            positions=positions,
        )
    got = "complex numbers" if array.dtype.kind == "c" else "an array"
    raise fail(name, f"hold {what}", f"{got} of dtype {array.dtype}")


def _total_too_large(name: str, total: int | str) -> InvalidInputError:
    if isinstance(total, int):
        total = f"{total:,}"
    return fail(
        name,
        f"add up to at most 2**53 = {MAX_TOTAL_COUNT:,} (beyond it float64 arithmetic is "
        "no longer exact)",
        f"a total of {total}",
        hint="counts are numbers of records; check that these are not amounts, "
        "identifiers or values in the wrong unit.",
    )


def _checked_int_counts(
    array: NDArray[Any], name: str, labels: Sequence[object] | None, *, fresh: bool
) -> NDArray[np.int64]:
    """Refuse negative integers and a total past :data:`MAX_TOTAL_COUNT`; int64 copy.

    `fresh` says that `array` was just built from a list or tuple, so that nothing else
    refers to it and it can be frozen in place rather than copied.
    """
    if array.size <= _SMALL_COUNTS:
        # Python integers: exact whatever the values (no int64 wrap-around), and faster
        # than numpy reductions on a small table.
        flat = array.ravel().tolist()
        if flat and min(flat) < 0:
            text, pos = _where(array < 0, array, labels)
            raise fail(name, "hold non-negative counts", text, positions=pos)
        total = sum(flat)
        if total > MAX_TOTAL_COUNT:
            raise _total_too_large(name, total)
    else:
        if array.min() < 0:
            text, pos = _where(array < 0, array, labels)
            raise fail(name, "hold non-negative counts", text, positions=pos)
        _check_total(array, name)
    if fresh and array.dtype == np.int64:
        array.flags.writeable = False
        return array
    return readonly(array, dtype=np.int64)


def _check_total(array: NDArray[Any], name: str) -> None:
    """Refuse non-negative counts (integers or whole floats) adding up past the bound.

    The float64 sum bounds the exact total closely: when it is at most 2**62, the int64 sum
    cannot wrap around and is exact.
    """
    with np.errstate(over="ignore"):  # an infinite sum is refused below, as too large
        approximate = float(array.sum(dtype=np.float64))
    if approximate > 2.0**62:
        raise _total_too_large(name, f"about {approximate:.3g}")
    total = int(array.sum(dtype=np.int64))
    if total > MAX_TOTAL_COUNT:
        raise _total_too_large(name, total)


def as_counts(
    value: object,
    name: str,
    *,
    ndim: int | None = 1,
    labels: Sequence[object] | None = None,
) -> NDArray[np.int64]:
    """Validate counts: finite, non-negative whole numbers; return a read-only int64 copy.

    The counts must add up to at most :data:`MAX_TOTAL_COUNT` (2**53): up to it every
    count, margin and total is exact in float64, and int64 sums cannot wrap around, so no
    statistic is silently wrong because of overflow.

    Parameters
    ----------
    value : array-like
        The counts.
    name : str
        The user's argument name, used in error messages.
    ndim : int or None
        Required number of dimensions; ``None`` accepts any.
    labels : sequence, optional
        Labels of a 1-D input, so that errors name the offending label, not the index.
    """
    array = as_array(value, name)
    _check_ndim(array, name, ndim)
    if array.dtype.kind in "iu":
        fresh = type(value) in (list, tuple)  # numpy built a new array
        return _checked_int_counts(array, name, labels, fresh=fresh)
    floats = _as_float(array, name, "counts (non-negative whole numbers)")
    if floats.size and not (np.isfinite(floats).all() and floats.min() >= 0):
        for bad, rule in (
            (~np.isfinite(floats), "hold finite counts"),
            (floats < 0, "hold non-negative counts"),
        ):
            if bad.any():
                text, pos = _where(bad, floats, labels)
                raise fail(name, rule, text, positions=pos)
    _check_total(floats, name)  # before the cast: past 2**63 it would wrap around
    whole = floats.astype(np.int64)
    fractional = whole != floats
    if fractional.any():
        text, pos = _where(fractional, floats, labels)
        raise fail(name, "hold whole-number counts", text, positions=pos)
    whole.flags.writeable = False
    return whole


def _timedelta_days(array: NDArray[Any]) -> NDArray[np.float64] | None:
    """Convert time spans to float days; ``None`` when `array` does not hold time spans.

    Time spans are timedelta64 of any unit, or objects that are all
    :class:`datetime.timedelta` (pandas ``Timedelta`` included).
    """
    if array.dtype.kind == "m":
        days: NDArray[np.float64] = array / np.timedelta64(1, "D")
        return days
    if array.dtype.kind == "O" and array.size:
        flat = array.ravel()
        spans = np.fromiter((isinstance(v, dt.timedelta) for v in flat), bool, flat.size)
        if spans.all():
            micro = np.array(flat.tolist(), dtype="timedelta64[us]").reshape(array.shape)
            return micro / np.timedelta64(1, "D")
    return None


def as_amounts(
    value: object, name: str, *, what: str = "numbers", ndim: int | None = 1
) -> NDArray[np.float64]:
    """Validate finite, non-negative real numbers; return a read-only float64 copy.

    Populations, rates, counts that may be fractional, case weights. `what` names them in
    the message ("`weights` must hold non-negative case weights; got -1.0 at index 1").
    """
    array = as_array(value, name)
    if ndim is not None:
        _check_ndim(array, name, ndim)
    return _finite_nonnegative(_as_float(array, name, what), name, what)


def _finite_nonnegative(floats: NDArray[np.float64], name: str, what: str) -> NDArray[np.float64]:
    for bad, rule in ((~np.isfinite(floats), "finite"), (floats < 0, "non-negative")):
        if bad.any():
            text, pos = _where(bad, floats, None)
            raise fail(name, f"hold {rule} {what}", text, positions=pos)
    return readonly(floats, dtype=np.float64)


def as_durations(value: object, name: str) -> NDArray[np.float64]:
    """Validate durations: a 1-D array of finite, non-negative numbers (float64 copy).

    Numbers are days. Time spans (numpy ``timedelta64`` of any unit, Python
    :class:`datetime.timedelta` or pandas ``Timedelta`` values) are converted to days,
    fractions of a day kept: 36 hours are 1.5 days.
    """
    array = as_array(value, name)
    _check_ndim(array, name, 1)
    spans = _timedelta_days(array)
    floats = (
        spans if spans is not None else _as_float(array, name, "durations (non-negative numbers)")
    )
    return _finite_nonnegative(floats, name, "durations")


def as_events(value: object, name: str) -> NDArray[np.bool_]:
    """Validate event indicators: 1-D booleans or the numbers 0 and 1 only."""
    array = as_array(value, name)
    _check_ndim(array, name, 1)
    if array.dtype.kind == "b":
        return readonly(array, dtype=np.bool_)
    if array.dtype.kind == "O":
        flat = array.ravel()
        ok = np.fromiter(
            (
                isinstance(v, (bool, np.bool_)) or (isinstance(v, numbers.Real) and v in (0, 1))
                for v in flat
            ),
            dtype=bool,
            count=flat.size,
        )
    elif array.dtype.kind in "iuf":
        ok = (array == 0) | (array == 1)
    else:
        raise fail(
            name, "hold event indicators (0/1 or booleans)", f"an array of dtype {array.dtype}"
        )
    if not ok.all():
        text, pos = _where(~ok, array, None)
        raise fail(
            name,
            "hold event indicators: 0 or False (censored), 1 or True (event)",
            text,
            positions=pos,
        )
    return readonly(array.astype(np.float64) == 1, dtype=np.bool_)


def is_missing_scalar(value: object, missing_labels: Collection[object] = ()) -> bool:
    """Whether one label counts as missing: None, NaN, NA, blank text or a configured label."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and bool(np.isnan(value)):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas NA / NaT, without pandas
        return True
    return bool(missing_labels) and isinstance(value, Hashable) and value in missing_labels


def as_missing_labels(value: object, name: str = "missing_labels") -> frozenset[object]:
    """Validate the labels that stand for a missing value: a collection of hashable labels."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Collection):
        raise fail(
            name,
            "be a collection of labels",
            repr(value),
            hint='for example missing_labels=["Not known"].',
        )
    try:
        labels = list(value)
    except TypeError:  # a 0-d array is a Collection that cannot be iterated
        raise fail(name, "be a collection of labels", repr(value)) from None
    unhashable = [label for label in labels if not isinstance(label, Hashable)]
    if unhashable:
        raise fail(
            name,
            "hold hashable labels",
            f"unhashable {unhashable[0]!r}",
            hint='for example missing_labels=["Not known"].',
        )
    try:
        return frozenset(labels)
    except TypeError:  # hashable by type, but a member is not (a tuple holding a list)
        raise fail(name, "hold hashable labels", repr(value)) from None


def as_labels(
    value: object, name: str, *, missing_labels: Collection[object] = ()
) -> tuple[NDArray[np.object_], NDArray[np.bool_]]:
    """Validate category labels: any hashable values; return (labels, missing mask).

    ``None``, NaN, pandas ``NA``, empty or blank strings and any of `missing_labels` are
    flagged as missing (they are kept in the returned labels; the mask marks them).
    """
    array = as_array(value, name)
    _check_ndim(array, name, 1)
    if array.dtype.kind in "US":
        text = array.astype(str)
        missing = np.char.strip(text) == ""
        if missing_labels:
            missing |= np.isin(text, np.asarray(list(missing_labels), dtype=object))
        return readonly(text, dtype=object), readonly(missing)
    if array.dtype.kind in "iub":
        missing = np.zeros(array.shape, dtype=bool)
        if missing_labels:
            missing = np.isin(array, np.asarray(list(missing_labels), dtype=object))
        return readonly(array, dtype=object), readonly(missing)
    if array.dtype.kind == "f":
        missing = np.isnan(array)
        if missing_labels:
            missing |= np.isin(array, np.asarray(list(missing_labels), dtype=object))
        return readonly(array, dtype=object), readonly(missing)
    objects = array.astype(object)
    unhashable = np.fromiter(
        (not isinstance(v, Hashable) for v in objects), dtype=bool, count=objects.size
    )
    if unhashable.any():
        text_, pos = _where(unhashable, objects, None)
        raise fail(name, "hold hashable labels", f"unhashable {text_}", positions=pos)
    labels = frozenset(missing_labels)
    missing = np.fromiter(
        (is_missing_scalar(v, labels) for v in objects), dtype=bool, count=objects.size
    )
    return readonly(objects, dtype=object), readonly(missing)


def as_confidence_level(value: object, name: str = "confidence_level") -> float:
    """Validate a confidence level: a real number strictly between 0 and 1."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise fail(name, "be a number strictly between 0 and 1", repr(value))
    level = float(value)
    if not 0.0 < level < 1.0:
        hint = f"did you mean {level / 100:g}?" if 1 < level < 100 else None
        raise fail(name, "be a number strictly between 0 and 1", repr(value), hint=hint)
    return level


def as_option(value: object, name: str, choices: Sequence[_S]) -> _S:
    """Validate a string option against its allowed choices and return it."""
    for choice in choices:
        if isinstance(value, str) and value == choice:
            return choice
    listed = ", ".join(repr(c) for c in choices)
    raise fail(name, f"be one of {listed}", repr(value))


def check_same_length(arrays: Mapping[str, NDArray[Any]]) -> int:
    """Check that named 1-D arrays have one length; return it."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"`{name}` has {n}" for name, n in lengths.items())
        first = next(iter(lengths))
        raise fail(
            first,
            "have the same length as " + ", ".join(f"`{k}`" for k in list(lengths)[1:]),
            f"different lengths ({listed})",
            hint="pass one value per subject in every argument.",
        )
    return next(iter(lengths.values()), 0)


def as_rng(value: object, name: str = "rng") -> tuple[np.random.Generator, int | None]:
    """Turn `value` into a numpy Generator; return it with the integer seed used (if any).

    Every random method of ipsstats takes ``rng``: a non-negative integer seed, a
    :class:`numpy.random.Generator`, or ``None``. ``None`` draws a fresh seed from the
    operating system and returns it, so a result can record it and be reproduced.
    """
    if isinstance(value, np.random.Generator):
        return value, None
    if value is None:
        entropy = np.random.SeedSequence().entropy
        seed = int(entropy) % (2**63)  # type: ignore[arg-type]  # an int when not given
        return np.random.default_rng(seed), seed
    if (
        isinstance(value, (int, np.integer))
        and not isinstance(value, (bool, np.bool_))
        and value >= 0
    ):
        return np.random.default_rng(int(value)), int(value)
    raise fail(
        name,
        "be a non-negative integer seed or a numpy Generator",
        repr(value),
        hint="pass e.g. rng=2024 or rng=numpy.random.default_rng(2024).",
    )
