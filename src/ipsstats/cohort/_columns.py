"""Lenient parsing of raw cohort columns: numbers, dates, identifiers and categories.

Every helper returns what it could parse plus a mask of what it could not, so the
validation rules can count and report each rejected value.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    fail,
    is_missing_scalar,
)
from ipsstats._dateparse import date_width, parse_full_width
from ipsstats._encoding import complete, encode
from ipsstats.calendar import as_date, parse_date_strings
from ipsstats.cohort._csv import TextColumn
from ipsstats.errors import InvalidInputError
from ipsstats.factor import Factor

__all__ = []


_NAT = np.datetime64("NaT", "D")


def _integer_keys(values: NDArray[np.bytes_]) -> NDArray[np.uint64]:
    """Byte strings of up to 8 bytes as order-preserving unsigned integers."""
    width = values.dtype.itemsize
    if width == 8:  # the bytes are the big-endian integer
        whole: NDArray[np.uint64] = np.ascontiguousarray(values).view(">u8").astype(np.uint64)
        return whole
    matrix = np.zeros((values.size, 8), dtype=np.uint8)
    matrix[:, :width] = np.ascontiguousarray(values).view(np.uint8).reshape(values.size, width)
    keys: NDArray[np.uint64] = matrix.view(">u8").ravel().astype(np.uint64)
    return keys


def _as_float_column(array: NDArray[Any], name: str) -> NDArray[np.float64]:
    if array.ndim != 1:
        raise fail(name, "be 1-dimensional", f"an array of shape {array.shape}")
    if array.dtype.kind in "iuf":
        return array.astype(np.float64)
    if array.dtype.kind not in "USO":
        raise fail(name, "hold real numbers", f"an array of dtype {array.dtype}")
    numbers, bad = _lenient_numbers(array, ())
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        shown = repr(_text_of(array[first]))
        raise fail(name, "hold numbers", f"{shown} at index {first}", positions=(first,))
    return numbers


# --------------------------------------------------------------------------------------
# Lenient column parsers (they flag bad values instead of raising)
# --------------------------------------------------------------------------------------


def _lenient_numbers(
    array: NDArray[Any], missing_labels: Collection[object]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Numbers from numeric, text or object arrays; NaN for missing, flag the rest.

    Infinite values, and text such as ``"nan"`` or ``"inf"``, are flagged: a missing number
    is a blank, NaN in a numeric column, or one of `missing_labels`.
    """
    if array.dtype.kind in "iuf":
        numbers = array.astype(np.float64)
        return numbers, np.isinf(numbers)
    if array.dtype.kind == "b":
        return array.astype(np.float64), np.ones(array.shape, dtype=bool)
    if array.dtype.kind not in "USO":  # complex numbers, dates, durations, raw bytes
        return np.full(array.shape, np.nan), np.ones(array.shape, dtype=bool)
    labels = frozenset(m for m in missing_labels if isinstance(m, str))
    whole = _whole_numbers(array) if not any(m.strip().isdigit() for m in labels) else None
    if whole is not None:
        return whole, np.zeros(array.shape, dtype=bool)
    if array.dtype.kind in "US":
        missing = _missing_text(array, labels)
        # Entries with a character no number has are invalid; the rest are converted at once.
        like = _number_like(array) | missing
        filled = np.where(~like | missing, array.dtype.type("nan"), array)
        try:
            numbers = filled.astype(np.float64)
        except ValueError:  # e.g. "1-2": only number characters, yet not a number
            numbers, bad = _numbers_slowly(_decoded(filled).astype(object), missing | ~like)
            return numbers, bad | ~like
        return numbers, ~missing & (~like | ~np.isfinite(numbers))
    missing = np.fromiter(
        (is_missing_scalar(v, labels) for v in array), dtype=bool, count=array.size
    )
    return _numbers_slowly(array, missing)


_NUMBER_CHARACTERS = np.zeros(256, dtype=bool)
_NUMBER_CHARACTERS[list(b"\x000123456789+-.eE \t")] = True


def _number_like(array: NDArray[Any]) -> NDArray[np.bool_]:
    """Flag the entries of a text array made only of characters that numbers use."""
    width = max(array.dtype.itemsize // (4 if array.dtype.kind == "U" else 1), 1)
    kind = np.uint32 if array.dtype.kind == "U" else np.uint8
    fixed = np.ascontiguousarray(array, dtype=f"{array.dtype.kind}{width}")
    codes = fixed.view(kind).reshape(array.size, width)
    allowed = _NUMBER_CHARACTERS[np.minimum(codes, 255)] & (codes < 256)
    like: NDArray[np.bool_] = np.all(allowed, axis=1)
    return like


def _whole_numbers(array: NDArray[Any]) -> NDArray[np.float64] | None:
    """Read byte strings that are all plain digits (or blank, read as NaN) by arithmetic.

    Ages and other counts in a CSV file are usually written this way; the digits are
    combined column by column instead of converting each string. Returns ``None`` when
    any entry is something else (a sign, a decimal point, a space, a label).
    """
    if array.dtype.kind != "S" or not 0 < array.dtype.itemsize <= 15 or array.ndim != 1:
        return None
    matrix = np.ascontiguousarray(array).view(np.uint8).reshape(array.size, -1)
    digits = matrix - np.uint8(ord("0"))  # characters below "0" wrap to large values
    is_digit = digits <= 9
    if not (is_digit | (matrix == 0)).all():  # byte strings are padded with NUL at the end
        return None
    value = np.zeros(array.size, dtype=np.int64)
    for k in range(matrix.shape[1]):
        value = np.where(is_digit[:, k], value * 10 + digits[:, k], value)
    numbers: NDArray[np.float64] = np.where(is_digit[:, 0], value, np.nan)
    return numbers


def _decoded(array: NDArray[Any]) -> NDArray[np.str_]:
    """Text arrays as unicode; UTF-8 byte strings are decoded.

    ASCII byte strings are widened byte for byte to code points (numpy's own conversion
    goes through a decoder per string); others are decoded one by one.
    """
    if array.dtype.kind != "S":
        return array.astype(str)
    width = array.dtype.itemsize
    if array.ndim == 1 and width:
        matrix = np.ascontiguousarray(array).view(np.uint8).reshape(array.size, width)
        if not (matrix >= 0x80).any():
            wide: NDArray[np.str_] = matrix.astype(np.uint32).view(f"<U{width}").ravel()
            return wide
    try:
        return array.astype(str)
    except UnicodeDecodeError:
        return np.array([b.decode("utf-8", "replace") for b in array.tolist()], dtype=str)


def _missing_text(array: NDArray[Any], labels: Collection[str]) -> NDArray[np.bool_]:
    """Blank (empty or only spaces) or labelled-missing entries of a text array."""
    strip = getattr(np, "strings", np.char).strip
    return _missing_stripped(strip(array), labels)


def _missing_stripped(stripped: NDArray[Any], labels: Collection[str]) -> NDArray[np.bool_]:
    """Empty or labelled-missing entries of a text array already stripped of spaces."""
    missing: NDArray[np.bool_] = stripped == stripped.dtype.type()
    if labels:
        wanted = [
            m.strip().encode("utf-8") if stripped.dtype.kind == "S" else m.strip() for m in labels
        ]
        missing |= np.isin(stripped, np.array(wanted, dtype=stripped.dtype.kind))
    return missing


def _numbers_slowly(
    values: NDArray[Any], missing: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Parse numbers one by one: object columns, and text such as ``"1-2"``.

    Text columns reach this only when an entry uses number characters only, yet is not a
    number; other bad entries are found by the vectorised character check.
    """
    out = np.full(values.shape, np.nan)
    bad = np.zeros(values.shape, dtype=bool)
    for k in np.flatnonzero(~missing):
        value = values[k]
        try:
            if isinstance(value, (bool, np.bool_)):
                raise TypeError
            out[k] = float(value)
        except (TypeError, ValueError):
            bad[k] = True
    bad |= ~missing & ~np.isfinite(out) & ~bad
    return out, bad


def _lenient_dates(
    value: object, name: str, date_format: str | None, missing_labels: Collection[object]
) -> tuple[NDArray[np.datetime64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Dates from any column; returns (dates, missing, bad) without raising for bad rows."""
    labels = [m for m in missing_labels if isinstance(m, str)]
    width = date_width(date_format) if isinstance(value, TextColumn) else None
    if isinstance(value, TextColumn) and width is not None:
        return _dates_in_place(value, width, date_format, labels)
    array = _column_array(value)
    if array.dtype.kind == "M":
        dates = array.astype("datetime64[D]")
        return dates, np.isnat(dates), np.zeros(dates.shape, dtype=bool)
    if array.dtype.kind in "US":
        dates, missing, bad = parse_date_strings(array, date_format)
        if labels and bad.any():  # only unreadable entries can be missing labels
            rows = np.flatnonzero(bad)
            listed = _missing_text(array[rows], labels)
            missing[rows[listed]] = True
            bad[rows[listed]] = False
        return dates, missing, bad
    if array.dtype.kind == "O":
        return _lenient_object_dates(array, date_format, frozenset(labels))
    all_nan = array.dtype.kind == "f" and bool(np.isnan(array).all())
    if array.size and not all_nan:
        raise fail(
            name,
            "hold dates (text, datetime.date or numpy.datetime64)",
            f"a column of dtype {array.dtype}",
            hint="numbers are not dates; convert them before loading.",
        )
    missing = np.ones(array.shape, dtype=bool)
    return np.full(array.shape, _NAT), missing, np.zeros(array.shape, dtype=bool)


def _dates_in_place(
    column: TextColumn, width: int, date_format: str | None, labels: list[str]
) -> tuple[NDArray[np.datetime64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Dates of a split file's column, as :func:`_lenient_dates` reads them from its text.

    Fields written at the format's full `width` are parsed in place in the file's bytes
    (:func:`~ipsstats._dateparse.parse_full_width`); only the others (blank fields aside)
    are copied out and parsed as text, so the results are those of the whole column.
    """
    heads, lengths = column.heads(width)
    dates, done = parse_full_width(heads, date_format, column.verbatim(lengths, width))
    missing = lengths == 0
    bad = np.zeros(missing.shape, dtype=bool)
    rest = np.flatnonzero(~done & ~missing)
    if rest.size:
        text = column.rows(rest)
        dates[rest], missing[rest], bad[rest] = _lenient_dates(text, "text", date_format, labels)
    return dates, missing, bad


def _lenient_object_dates(
    array: NDArray[Any], date_format: str | None, labels: frozenset[str]
) -> tuple[NDArray[np.datetime64], NDArray[np.bool_], NDArray[np.bool_]]:
    missing = np.fromiter((is_missing_scalar(v, labels) for v in array), bool, array.size)
    is_text = np.fromiter((isinstance(v, str) for v in array), bool, array.size) & ~missing
    dates = np.full(array.shape, _NAT)
    bad = np.zeros(array.shape, dtype=bool)
    if is_text.any():
        parsed, _blank, text_bad = parse_date_strings(array[is_text].astype(str), date_format)
        dates[is_text] = parsed
        bad[is_text] = text_bad
    for k in np.flatnonzero(~is_text & ~missing):
        dates[k], bad[k] = _one_date(array[k])
    return dates, missing, bad


def _one_date(value: object) -> tuple[np.datetime64, bool]:
    """Convert a non-text date object to (date, False), or (NaT, True) if not a date."""
    try:
        return as_date(value, "value"), False
    except InvalidInputError:
        return _NAT, True


def _column_array(value: object) -> NDArray[Any]:
    to_numpy = getattr(value, "to_numpy", None)
    if callable(to_numpy):
        return np.asarray(to_numpy())
    if isinstance(value, (list, tuple)):
        array = np.empty(len(value), dtype=object)
        array[:] = value
        return array
    return np.asarray(value)


def _id_text(value: object, missing_labels: Collection[object]) -> tuple[NDArray[Any], Any]:
    """Ids as text and a missing mask."""
    array = _column_array(value)
    labels = frozenset(m for m in missing_labels if isinstance(m, str))
    if array.dtype.kind in "US":
        strip = getattr(np, "strings", np.char).strip
        stripped = strip(array)
        return stripped, _missing_stripped(stripped, labels)
    if array.dtype.kind in "iu":
        return array.astype(str), np.zeros(array.shape, dtype=bool)
    objects = array.astype(object)
    missing = np.fromiter((is_missing_scalar(v, labels) for v in objects), bool, objects.size)
    whole = [
        int(v) if isinstance(v, (float, np.floating)) and float(v).is_integer() else v
        for v in objects
    ]
    text = np.array([str(v) for v in whole], dtype=str) if whole else np.zeros(0, str)
    return text, missing


def _is_categorical(column: object) -> bool:
    """Whether a column is a pandas or polars categorical, whose categories are the levels."""
    dtype = str(getattr(column, "dtype", ""))
    return dtype == "category" or dtype.startswith(("Categorical", "Enum"))


def _factor(column: object, missing_labels: Collection[object], name: str) -> Factor:
    """Factorise a column; labels are stripped of surrounding spaces.

    Text is factorised first (see :mod:`ipsstats._encoding`) and only the distinct labels
    are decoded and stripped, so ``" White "`` and ``"White"`` are one level. Categorical
    columns keep their categories.
    """
    if _is_categorical(column):
        return Factor.from_values(column, missing_labels=missing_labels, name=name)
    array = _column_array(column)
    if array.ndim != 1 or array.dtype.kind not in "SUO":
        return Factor.from_values(array, missing_labels=missing_labels, name=name)
    coded = complete(encode(array, "values"))
    raw = coded.label_of(np.arange(coded.width, dtype=np.intp))
    distinct = np.empty(len(raw), dtype=object)
    distinct[:] = [_stripped(value) for value in raw]
    per_value = Factor.from_values(distinct, missing_labels=missing_labels, name=name)
    return Factor(codes=per_value.codes[coded.slots()], levels=per_value.levels, name=name)


def _stripped(value: object) -> object:
    """One distinct label: bytes decoded as UTF-8, text stripped of surrounding spaces.

    Only spaces and tabs are stripped, so line breaks inside quoted fields are kept.
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value.strip(" \t") if isinstance(value, str) else value


def _text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    return str(value)
