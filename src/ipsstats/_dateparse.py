"""Vectorised parsing of date strings in fixed formats (``%Y-%m-%d``, ``%d/%m/%Y``, ...).

Text arrays are viewed as (records x characters) matrices of codes. Rows laid out at full
field widths are parsed by column arithmetic (byte strings through a record type whose
pairs of digits are looked up in a table, also in place in a file's bytes:
:func:`parse_full_width`); the others (spaces around, one-digit days, month names, a time
of day) by a general parser that walks the format one token at a time; no Python loop per
string. A core module (internal): :mod:`ipsstats.calendar` re-exports its public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail

__all__ = [
    "DateArray",
    "date_error",
    "date_width",
    "describe_date_format",
    "parse_date_strings",
    "parse_full_width",
    "suggest_date_format",
]

DateArray = NDArray[np.datetime64]

_ISO = "%Y-%m-%d"
_DIRECTIVE_WIDTH = {"Y": (4, 4), "m": (1, 2), "d": (1, 2), "b": (3, 3)}
_MONTH_ABBREVIATIONS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_CANDIDATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y")
_SPACE = ord(" ")
_MAX_SHOWN = 5


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------


def describe_date_format(date_format: str | None) -> str:
    """Describe a date format for messages, e.g. ``"YYYY-MM-DD (ISO 8601)"``.

    Parameters
    ----------
    date_format : str or None
        A format made of ``%Y``, ``%m``, ``%d``, ``%b`` and literal characters; ``None``
        means ISO 8601.

    Returns
    -------
    str
        The format spelled out for people.

    Examples
    --------
    >>> describe_date_format(None)
    'YYYY-MM-DD (ISO 8601)'
    >>> describe_date_format("%d/%m/%Y")
    'DD/MM/YYYY (date_format="%d/%m/%Y")'
    """
    if date_format is None:
        return "YYYY-MM-DD (ISO 8601)"
    spelled = (
        date_format.replace("%Y", "YYYY")
        .replace("%m", "MM")
        .replace("%d", "DD")
        .replace("%b", "Mon")
    )
    return f'{spelled} (date_format="{date_format}")'


def _tokenise(date_format: str) -> list[tuple[str, str]]:
    """Split a format into ("field", directive) and ("literal", character) tokens."""
    if not isinstance(date_format, str):
        raise fail(
            "date_format",
            "be a format string such as '%d/%m/%Y' (or None for ISO 8601)",
            f"{type(date_format).__name__} {date_format!r}",
        )
    tokens: list[tuple[str, str]] = []
    k = 0
    while k < len(date_format):
        char = date_format[k]
        if char == "%":
            directive = date_format[k + 1 : k + 2]
            if directive not in _DIRECTIVE_WIDTH and directive != "%":
                raise fail(
                    "date_format",
                    "use only the directives %Y, %m, %d and %b with literal characters",
                    repr(date_format),
                    hint='for example date_format="%d/%m/%Y".',
                )
            tokens.append(("literal", "%") if directive == "%" else ("field", directive))
            k += 2
        else:
            tokens.append(("literal", char))
            k += 1
    fields = [value for kind, value in tokens if kind == "field"]
    if sorted(f if f != "b" else "m" for f in fields) != ["Y", "d", "m"]:
        raise fail(
            "date_format",
            "contain a year (%Y), a month (%m or %b) and a day (%d), once each",
            repr(date_format),
            hint='for example date_format="%d/%m/%Y".',
        )
    return tokens


def _char_at(codes: NDArray[Any], pos: NDArray[np.intp]) -> NDArray[np.uint32]:
    """Return the character code at column `pos` of each row (0 beyond the end)."""
    width = codes.shape[1]
    inside = pos < width
    picked = codes[np.arange(codes.shape[0]), np.minimum(pos, width - 1)]
    out: NDArray[np.uint32] = np.where(inside, picked.astype(np.uint32), np.uint32(0))
    return out


def _read_digits(
    codes: NDArray[Any],
    pos: NDArray[np.intp],
    end: NDArray[np.intp],
    widths: tuple[int, int],
) -> tuple[NDArray[np.int64], NDArray[np.intp], NDArray[np.bool_]]:
    """Read up to max-width digits from `pos`; return (value, new pos, ok)."""
    low, high = widths
    value = np.zeros(codes.shape[0], dtype=np.int64)
    count = np.zeros(codes.shape[0], dtype=np.intp)
    running = np.ones(codes.shape[0], dtype=bool)
    for k in range(high):
        char = _char_at(codes, pos + k).astype(np.int64)
        running &= (pos + k < end) & (char >= ord("0")) & (char <= ord("9"))
        value = np.where(running, value * 10 + (char - ord("0")), value)
        count += running
    return value, pos + count, count >= low


def _read_month_name(
    codes: NDArray[Any], pos: NDArray[np.intp], end: NDArray[np.intp]
) -> tuple[NDArray[np.int64], NDArray[np.intp], NDArray[np.bool_]]:
    """Read an English three-letter month abbreviation, in any case."""
    key = np.zeros(codes.shape[0], dtype=np.int64)
    for k in range(3):
        char = _char_at(codes, pos + k).astype(np.int64)
        lower = np.where((char >= ord("A")) & (char <= ord("Z")), char + 32, char)
        key = key * 0x10000 + np.where(pos + k < end, lower, 0)
    month = np.zeros(codes.shape[0], dtype=np.int64)
    for number, name in enumerate(_MONTH_ABBREVIATIONS, start=1):
        name_key = (ord(name[0]) * 0x10000 + ord(name[1])) * 0x10000 + ord(name[2])
        month = np.where(key == name_key, number, month)
    return month, pos + 3, month > 0


def _text_matrix(text: NDArray[Any]) -> NDArray[Any]:
    """View a 1-D text array as a (rows x characters) matrix of codes.

    Unicode arrays give code points (``uint32``); byte strings give bytes (``uint8``).
    """
    if text.dtype.kind == "S":
        width = max(text.dtype.itemsize, 1)
        fixed = np.ascontiguousarray(text, dtype=f"S{width}")
        return fixed.view(np.uint8).reshape(text.shape[0], width)
    width = max(text.dtype.itemsize // 4, 1)
    fixed = np.ascontiguousarray(text, dtype=f"<U{width}")
    return fixed.view(np.uint32).reshape(text.shape[0], width)


# Tables for turning (year, month, day) into days since 1970-01-01, for years 0 to 9999 of
# the proleptic Gregorian calendar (four-digit years: all a date string can hold). Index 0
# and 13 of the month tables are impossible months, with no days.
_YEARS = np.arange(10_000)
_LEAP = (_YEARS % 4 == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))
_YEAR_START = (_YEARS - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int32)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0], dtype=np.int32)
_MONTH_START = np.concatenate([[0], np.cumsum(_MONTH_DAYS[:-1])]).astype(np.int32)
_NAT_INT = np.iinfo(np.int64).min  # the integer behind NaT
_NOT_A_PAIR = 128  # what a pair of bytes that is not two digits reads as


def _month_tables() -> tuple[NDArray[np.int64], NDArray[np.uint8]]:
    """Tables by ``16 * year + month``: the day before the month starts, and its length.

    Days count from 1970-01-01. Months 0 and 13 to 15 are impossible, with no days, so
    that a month number clipped to 15 indexes its year's entries; the first entry (month
    0 of year 0) is NaT, the date of every row not parsed.
    """
    month = np.arange(16)
    clipped = np.minimum(month, 13)
    before = (_YEAR_START[:, None] + _MONTH_START[clipped] - 1).astype(np.int64)
    before += _LEAP[:, None] & (month > 2)
    length = _MONTH_DAYS[clipped] + (_LEAP[:, None] & (month == 2))
    before[0, 0] = _NAT_INT
    return before.ravel(), length.astype(np.uint8).ravel()


def _pair_values() -> NDArray[np.uint8]:
    """Tabulate the number each pair of bytes writes, by the pair as a little-endian ``uint16``.

    ``b"07"`` is 7 and ``b"31"`` is 31; a pair that is not two ASCII digits is 128, a bit
    no two-digit number sets.
    """
    pair = np.arange(1 << 16)
    first, second = pair % 256, pair // 256  # little-endian: the first byte is the low one
    digits = (first >= ord("0")) & (first <= ord("9")) & (second >= ord("0"))
    digits &= second <= ord("9")
    value = 10 * (first - ord("0")) + (second - ord("0"))
    return np.where(digits, value, _NOT_A_PAIR).astype(np.uint8)


_DAY_BEFORE_MONTH, _MONTH_LENGTH = _month_tables()
_PAIR_VALUE = _pair_values()


def _from_parts(
    year: NDArray[Any], month: NDArray[Any], day: NDArray[Any]
) -> tuple[DateArray, NDArray[np.bool_]]:
    """Build dates from year, month and day numbers; flag impossible ones.

    `year` holds four-digit years (0 to 9999) and `month` and `day` numbers, as the parsers
    read them from digits; values out of range (from rows the caller finds bad anyway) are
    clipped into the tables, never used as dates. Days since 1970-01-01 are the start of
    the year plus the days before the month (one more after February in a leap year) plus
    the day, from precomputed tables: a handful of int32 operations per date.
    """
    year = np.asarray(year, dtype=np.intp)  # out of range only in rows found bad anyway
    month = np.clip(np.asarray(month, dtype=np.intp), 0, 13)
    day = np.asarray(day, dtype=np.int32)
    leap = _LEAP.take(year, mode="clip")
    ok = (day >= 1) & (day <= _MONTH_DAYS[month] + (leap & (month == 2)))
    days = _YEAR_START.take(year, mode="clip") + _MONTH_START[month]
    days += leap & (month > 2)
    days += day - 1
    out = np.where(ok, days.astype(np.int64), _NAT_INT)
    return out.view("datetime64[D]"), ok


def parse_date_strings(
    text: NDArray[np.str_], date_format: str | None = None
) -> tuple[DateArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """Parse an array of date strings without a Python loop per string.

    Parameters
    ----------
    text : numpy.ndarray of str or bytes
        1-D text array (unicode, or UTF-8 byte strings). Leading and trailing spaces are
        ignored.
    date_format : str or None
        ``None`` (the default) reads ISO 8601 dates ``YYYY-MM-DD``, optionally followed by
        ``T`` or a space and a time of day, which is ignored. Otherwise a format built from
        ``%Y`` (four-digit year), ``%m`` (month number, one or two digits), ``%d`` (day,
        one or two digits), ``%b`` (English month abbreviation such as ``Jan``) and
        literal characters, such as ``"%d/%m/%Y"``.

    Returns
    -------
    dates : numpy.ndarray of datetime64[D]
        The dates; ``NaT`` where the string is blank or not a valid date.
    blank : numpy.ndarray of bool
        Where the string is empty or only spaces.
    bad : numpy.ndarray of bool
        Where a non-blank string does not follow the format or is not a real date (such as
        30 February).

    Raises
    ------
    InvalidInputError
        If `date_format` is not a supported format.

    Examples
    --------
    >>> import numpy as np
    >>> dates, blank, bad = parse_date_strings(
    ...     np.array(["31/12/2019", "1/7/2019", "", "30/02/2019"]), "%d/%m/%Y")
    >>> dates
    array(['2019-12-31', '2019-07-01', 'NaT', 'NaT'], dtype='datetime64[D]')
    >>> bad
    array([False, False, False,  True])
    """
    tokens = _tokenise(_ISO if date_format is None else date_format)
    array = np.asarray(text).ravel()
    if array.dtype.kind not in "US":
        array = array.astype(str)
    n = array.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        return np.zeros(0, dtype="datetime64[D]"), empty, empty.copy()
    codes = _text_matrix(array)
    dates, done = _parse_fixed(codes, tokens)
    blank = codes[:, 0] == 0
    bad = np.zeros(n, dtype=bool)
    rest = np.flatnonzero(~done & ~blank)
    if rest.size:
        rest_dates, blank[rest], bad[rest] = _parse_general(codes[rest], tokens, date_format)
        dates[rest] = rest_dates
    return dates, blank, bad


def _parse_fixed(
    codes: NDArray[Any], tokens: list[tuple[str, str]]
) -> tuple[DateArray, NDArray[np.bool_]]:
    """Parse rows laid out at full field widths (e.g. ``2019-01-05``) by column arithmetic.

    Each field's number is combined from its digit columns in int32; literal characters and
    digits are checked column by column. Returns the dates and which rows were parsed; the
    others go to the general parser. Byte strings are read in place by
    :func:`_parse_byte_layout`.
    """
    n, width = codes.shape
    nat = np.full(n, np.datetime64("NaT", "D"))
    length = _full_width(tokens)
    if length is None or length > width:
        return nat, np.zeros(n, dtype=bool)
    done = codes[:, length] == 0 if length < width else np.ones(n, dtype=bool)
    if codes.dtype == np.uint8 and _byte_literals(tokens):
        rows = np.ascontiguousarray(codes).view(_byte_layout(tokens, width)).reshape(n)
        return _parse_byte_layout(rows, tokens, done)
    # Unsigned arithmetic: characters below "0" wrap to large values, so "digit" is <= 9.
    shifted = codes[:, :length] - codes.dtype.type(ord("0"))
    digit_columns: list[int] = []
    parts: dict[str, NDArray[np.int32]] = {}
    column = 0
    for kind, value in tokens:
        if kind == "literal":
            done &= codes[:, column] == ord(value)
            column += 1
            continue
        size = _DIRECTIVE_WIDTH[value][1]
        number = np.multiply(shifted[:, column], 10 ** (size - 1), dtype=np.int32)
        for k in range(1, size):
            number += np.multiply(shifted[:, column + k], 10 ** (size - 1 - k), dtype=np.int32)
        parts[value] = number
        digit_columns.extend(range(column, column + size))
        column += size
    done &= (shifted[:, digit_columns] <= 9).all(axis=1)
    found, real = _from_parts(parts["Y"], parts["m"], parts["d"])
    done &= real
    found[~done] = nat[0]
    return found, done


def _full_width(tokens: list[tuple[str, str]]) -> int | None:
    """Return the length of a date at full field widths; ``None`` with ``%b``."""
    if any(kind == "field" and value == "b" for kind, value in tokens):
        return None
    return sum(_DIRECTIVE_WIDTH[v][1] if k == "field" else 1 for k, v in tokens)


def _byte_literals(tokens: list[tuple[str, str]]) -> bool:
    """Whether every literal character of a format is one byte's value (below 256)."""
    return all(ord(value) < 256 for kind, value in tokens if kind == "literal")


def _byte_layout(tokens: list[tuple[str, str]], width: int) -> np.dtype[np.void]:
    """Build a record type reading a full-width layout's digit pairs and literals in place.

    Field ``p<k>`` is the pair of digits at byte `k` (a ``uint16``; a year is two pairs)
    and ``c<k>`` the literal character at byte `k`, in strings `width` bytes long.
    """
    names: list[str] = []
    offsets: list[int] = []
    column = 0
    for kind, value in tokens:
        size = 1 if kind == "literal" else _DIRECTIVE_WIDTH[value][1]
        step = 1 if kind == "literal" else 2
        for offset in range(column, column + size, step):
            names.append(f"{'c' if kind == 'literal' else 'p'}{offset}")
            offsets.append(offset)
        column += size
    formats = ["<u2" if name.startswith("p") else "u1" for name in names]
    layout: np.dtype[np.void] = np.dtype(
        {"names": names, "formats": formats, "offsets": offsets, "itemsize": width}
    )
    return layout


def _parse_byte_layout(
    rows: NDArray[np.void], tokens: list[tuple[str, str]], done: NDArray[np.bool_]
) -> tuple[DateArray, NDArray[np.bool_]]:
    """Parse byte strings through a record type (:func:`_byte_layout`), in place.

    Every pair of digits is one ``uint16`` looked up in the table of the numbers pairs
    write, and a date is the day before its month starts (a table by year and month) plus
    the day. Rows not parsed index the table's first entry, NaT, and add no day, so no
    mask is applied afterwards: about fifteen operations on small integers per date.
    `done` flags the rows that may be parsed (those at the layout's length) and is
    updated in place; returns the dates and `done`.
    """
    pairs: dict[str, list[NDArray[np.uint8]]] = {"Y": [], "m": [], "d": []}
    column = 0
    for kind, value in tokens:
        if kind == "literal":
            done &= rows[f"c{column}"] == ord(value)
            column += 1
            continue
        for _pair in range(_DIRECTIVE_WIDTH[value][1] // 2):
            pairs[value].append(_PAIR_VALUE.take(rows[f"p{column}"]))
            column += 2
    (high, low), (month,), (day,) = pairs["Y"], pairs["m"], pairs["d"]
    done &= (high | low | month | day) < _NOT_A_PAIR
    year_month = np.multiply(high, 16 * 100, dtype=np.int32)
    year_month += np.multiply(low, 16, dtype=np.int32)
    year_month += np.minimum(month, 15)
    done &= day - np.uint8(1) < _MONTH_LENGTH.take(year_month, mode="clip")
    dates = _DAY_BEFORE_MONTH.take(year_month * done, mode="clip")
    dates += day * done
    return dates.view("datetime64[D]"), done


def date_width(date_format: str | None) -> int | None:
    """Return the length of dates written in a format with every field at full width.

    Parameters
    ----------
    date_format : str or None
        As for :func:`parse_date_strings`.

    Returns
    -------
    int or None
        10 for ISO 8601 and ``"%d/%m/%Y"``; ``None`` for formats with month names, which
        have no fixed width.

    Examples
    --------
    >>> date_width(None), date_width("%Y%m%d"), date_width("%d %b %Y")
    (10, 8, None)
    """
    return _full_width(_tokenise(_ISO if date_format is None else date_format))


def parse_full_width(
    text: NDArray[np.bytes_], date_format: str | None, exact: NDArray[np.bool_]
) -> tuple[DateArray, NDArray[np.bool_]]:
    """Parse the byte strings that hold a date written at full width, by arithmetic.

    For text read in place (fields of a file's bytes), where each string holds the
    :func:`date_width` bytes at which a field starts, and may run into what follows it.

    Parameters
    ----------
    text : numpy.ndarray of bytes
        1-D array of byte strings, each exactly ``date_width(date_format)`` bytes long.
    date_format : str or None
        As for :func:`parse_date_strings`; it must have a width (no month names).
    exact : numpy.ndarray of bool
        Which strings are the whole field (a field exactly that long).

    Returns
    -------
    dates : numpy.ndarray of datetime64[D]
        The dates read; NaT elsewhere.
    done : numpy.ndarray of bool
        Which strings were read: exact, in the layout, and real dates. The others are
        not dates at full width; :func:`parse_date_strings` reads them as written.

    Examples
    --------
    >>> import numpy as np
    >>> text = np.array([b"2019-12-31", b"2019-02-30", b"2019-01-0,"])
    >>> dates, done = parse_full_width(text, None, np.array([True, True, False]))
    >>> dates
    array(['2019-12-31', 'NaT', 'NaT'], dtype='datetime64[D]')
    >>> done
    array([ True, False, False])
    """
    tokens = _tokenise(_ISO if date_format is None else date_format)
    width = _full_width(tokens)
    if width is None or text.dtype != np.dtype(f"S{width}") or text.ndim != 1:
        raise fail(
            "text",
            f"hold byte strings as wide as a date in {describe_date_format(date_format)}",
            f"an array of dtype {text.dtype} and shape {text.shape}",
        )
    if not _byte_literals(tokens):  # a literal no single byte equals: nothing is read
        return np.full(text.shape[0], np.datetime64("NaT", "D")), np.zeros(text.shape, bool)
    done = np.array(exact, dtype=bool)
    rows = np.ascontiguousarray(text).view(_byte_layout(tokens, width))
    return _parse_byte_layout(rows, tokens, done)


def _parse_general(
    codes: NDArray[Any], tokens: list[tuple[str, str]], date_format: str | None
) -> tuple[DateArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """Parse rows of any layout: spaces around, one-digit days and months, names, times."""
    n, width = codes.shape
    filled = (codes != 0) & (codes != _SPACE)
    blank = ~filled.any(axis=1)
    pos = np.argmax(filled, axis=1).astype(np.intp)
    end = (width - np.argmax(filled[:, ::-1], axis=1)).astype(np.intp)
    ok = ~blank
    parts = {"Y": np.zeros(n, dtype=np.int64), "m": np.zeros(n, dtype=np.int64)}
    parts["d"] = parts["m"].copy()
    for kind, value in tokens:
        if kind == "literal":
            ok &= (pos < end) & (_char_at(codes, pos) == ord(value))
            pos = pos + 1
        elif value == "b":
            parts["m"], pos, good = _read_month_name(codes, pos, end)
            ok &= good
        else:
            parts[value], pos, good = _read_digits(codes, pos, end, _DIRECTIVE_WIDTH[value])
            ok &= good
    rest = pos < end
    if date_format is None:
        rest &= ~np.isin(_char_at(codes, pos), [ord("T"), _SPACE])
    ok &= ~rest
    dates, real = _from_parts(parts["Y"], parts["m"], parts["d"])
    ok &= real
    dates = np.where(ok, dates, np.datetime64("NaT", "D"))
    return dates, blank, ~ok & ~blank


def suggest_date_format(samples: Sequence[str], date_format: str | None) -> str:
    """Suggest a `date_format` that reads every sample, if one of the common ones does.

    Parameters
    ----------
    samples : sequence of str
        Date strings that `date_format` could not read.
    date_format : str or None
        The format that failed (``None`` for ISO 8601).

    Returns
    -------
    str
        A hint for an error message; empty when there are no samples.
    """
    if not samples:
        return ""
    text = np.array(samples, dtype=str)
    readers = [None, *_CANDIDATE_FORMATS]
    fits = [
        fmt for fmt in readers if fmt != date_format and not parse_date_strings(text, fmt)[2].any()
    ]
    if not fits:
        return "dates must be real calendar dates written in one format."
    if "%d/%m/%Y" in fits and "%m/%d/%Y" in fits:
        return (
            'the dates look day-first or month-first; pass date_format="%d/%m/%Y" '
            '(day first, as in the UK) or date_format="%m/%d/%Y" (month first).'
        )
    if fits[0] is None:
        return "the dates look like ISO 8601 (YYYY-MM-DD); pass date_format=None."
    first = fits[0]
    spelled = describe_date_format(first).split(" ")[0]
    kind = "day-first " if first.startswith("%d") else ""
    return f'the dates look {kind}({spelled}); pass date_format="{first}".'


def date_error(
    name: str,
    values: Sequence[str],
    where: Sequence[str],
    date_format: str | None,
    *,
    n_bad: int,
    positions: tuple[object, ...] = (),
) -> Exception:
    """Build the error for unparseable dates (first values, their places, a format hint)."""
    shown = ", ".join(f"{value!r} at {place}" for value, place in zip(values, where, strict=True))
    if n_bad > len(values):
        shown += f" and {n_bad - len(values)} more"
    return fail(
        name,
        f"hold dates written as {describe_date_format(date_format)}",
        shown,
        hint=suggest_date_format(list(values), date_format) or None,
        positions=positions,
    )
