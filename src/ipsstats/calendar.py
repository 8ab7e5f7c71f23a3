"""Calendar arithmetic on dates: whole months with month-end clamping, and date parsing.

Date strings are parsed by :mod:`ipsstats._dateparse` (:func:`parse_date_strings` and its
helpers are re-exported here).

Every function works on a single date (a :class:`datetime.date`, a
:class:`numpy.datetime64` or an ISO 8601 string such as ``"2019-06-30"``) and, without a
Python loop per element, on arrays of dates (numpy ``datetime64`` of any unit, lists of
dates or of strings, pandas or polars date columns).

The rules:

- ``add_months(date, n)`` moves to the same day of the month `n` months later (or earlier
  when `n` is negative); when that month is shorter, the result is clamped to its last
  day: 31 August 2019 plus 6 months is 29 February 2020, and 31 August 2018 plus 6 months
  is 28 February 2019.
- ``months_between(a, b)`` is the number of whole calendar months from `a` to `b`: the
  largest integer `m` with ``add_months(a, m) <= b``. It is negative when `b` is before
  `a`. Because of clamping it is not antisymmetric: from 31 March to 28 February it is -1,
  from 28 February to 31 March it is 1; from 31 January to 28 February 2019 it is 1.
  It does invert month addition: ``months_between(a, add_months(a, n)) == n`` for every
  date `a` and every whole `n`, negative or not, because ``add_months(a, n)`` is strictly
  increasing in `n`.
- ``days_to_months(days)`` converts a duration in days to months of 365.25 / 12 days,
  for display only.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Collection
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail, is_missing_scalar
from ipsstats._dateparse import (
    DateArray,
    date_error,
    describe_date_format,
    parse_date_strings,
    suggest_date_format,
)

__all__ = [
    "DAYS_PER_MONTH",
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_MONTHS",
    "add_months",
    "as_date",
    "as_dates",
    "date_error",
    "days_to_months",
    "describe_date_format",
    "months_between",
    "parse_date_strings",
    "suggest_date_format",
]

DAYS_PER_MONTH = 365.25 / 12
"""Mean length of a month in days (365.25 / 12 = 30.4375), used for display only."""

DateScalar = dt.date | np.datetime64 | str
_MAX_SHOWN = 5


def _object_dates(values: NDArray[Any], name: str, date_format: str | None) -> DateArray:
    """Convert an object array (dates, datetimes, strings, missing values) to dates."""
    flat = values.ravel()
    is_text = np.fromiter((isinstance(v, str) for v in flat), dtype=bool, count=flat.size)
    missing = np.fromiter((is_missing_scalar(v) for v in flat), dtype=bool, count=flat.size)
    out = np.full(flat.size, np.datetime64("NaT", "D"))
    if is_text.any():
        out[is_text] = _parse_or_raise(flat[is_text].astype(str), name, date_format, is_text)
    others = ~is_text & ~missing
    if others.any():
        items = flat[others]
        converted = np.fromiter(
            (_scalar_date(item, name) for item in items), dtype="datetime64[D]", count=items.size
        )
        out[others] = converted
    return out.reshape(values.shape)


def _scalar_date(item: object, name: str) -> Any:
    """One non-text, non-missing date-like object as datetime64[D]."""
    if isinstance(item, dt.datetime):
        return np.datetime64(item.date(), "D")
    if isinstance(item, dt.date):
        return np.datetime64(item, "D")
    if isinstance(item, np.datetime64):
        return item.astype("datetime64[D]")
    raise fail(
        name,
        "hold dates (datetime.date, numpy.datetime64 or ISO 8601 strings)",
        f"{item!r} of type {type(item).__name__}",
    )


def _parse_or_raise(
    text: NDArray[np.str_],
    name: str,
    date_format: str | None,
    mask: NDArray[np.bool_] | None = None,
) -> DateArray:
    """Parse strings to dates, raising on the first unparseable ones (by index)."""
    dates, _blank, bad = parse_date_strings(text, date_format)
    if bad.any():
        index = np.flatnonzero(mask) if mask is not None else np.arange(text.size)
        first = np.flatnonzero(bad)[:_MAX_SHOWN]
        raise date_error(
            name,
            [str(text[k]) for k in first],
            [f"index {int(index[k])}" for k in first],
            date_format,
            n_bad=int(bad.sum()),
            positions=tuple(int(index[k]) for k in first),
        )
    return dates


#: The dates every function accepts and returns: those of :class:`datetime.date`.
FIRST_DATE = np.datetime64("0001-01-01", "D")
LAST_DATE = np.datetime64("9999-12-31", "D")
_DATE_RANGE = f"between {FIRST_DATE} and {LAST_DATE}"


def _date_array(value: object, name: str) -> NDArray[Any]:
    """Convert the dates given to an array, refusing ragged nesting with the house error."""
    to_numpy = getattr(value, "to_numpy", None)
    try:
        array = np.asarray(to_numpy() if callable(to_numpy) else value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise fail(
            name,
            "be a date or an array of dates with a regular (rectangular) shape",
            f"{type(value).__name__} that numpy cannot convert ({exc})",
            hint="pass a flat list or 1-D array of dates.",
        ) from None
    return array


def _in_range(dates: DateArray, name: str) -> DateArray:
    """Refuse dates outside ``0001-01-01 .. 9999-12-31`` (those of :class:`datetime.date`)."""
    days = dates.view(np.int64)
    known = days != np.iinfo(np.int64).min  # NaT
    outside = known & ((dates < FIRST_DATE) | (dates > LAST_DATE))
    if outside.any():
        first = int(np.flatnonzero(outside.ravel())[0])
        raise fail(
            name,
            f"hold dates {_DATE_RANGE}",
            f"{dates.ravel()[first]} at index {first}",
            hint="a date this far off is a typing or conversion error.",
            positions=(first,),
        )
    return dates


def as_dates(
    value: object,
    name: str,
    *,
    date_format: str | None = None,
    missing_labels: Collection[str] = (),
) -> DateArray:
    """Convert dates given in any supported form to a ``datetime64[D]`` array.

    Parameters
    ----------
    value : date-like or array-like of dates
        A :class:`datetime.date` or :class:`datetime.datetime` (the time of day is
        dropped), a :class:`numpy.datetime64`, a date string, or an array-like of these
        (numpy ``datetime64`` of any unit, pandas or polars date columns, lists). Missing
        values (``None``, ``NaT``, NaN, blank strings, `missing_labels`) become ``NaT``.
    name : str
        The user's argument name, used in error messages.
    date_format : str or None
        How strings are written; ``None`` means ISO 8601 (see :func:`parse_date_strings`).
    missing_labels : collection of str
        Extra strings that mean "no date", such as ``"NA"``.

    Returns
    -------
    numpy.ndarray of datetime64[D]
        Zero-dimensional for a single date, otherwise the input's shape.

    Raises
    ------
    InvalidInputError
        If a value is not a date or a string does not follow `date_format`; the message
        gives the first offending values, their indices and a format hint.

    Examples
    --------
    >>> import datetime as dt
    >>> as_dates(["2019-01-31", None, dt.date(2019, 2, 1)], "accessed")
    array(['2019-01-31', 'NaT', '2019-02-01'], dtype='datetime64[D]')
    """
    if isinstance(value, (str, dt.date, np.datetime64)):
        single = np.empty(1, dtype=object)
        single[0] = value
        one = as_dates(single, name, date_format=date_format, missing_labels=missing_labels)
        return one.reshape(())
    if isinstance(value, (numbers.Number, bytes)) or value is None:
        raise fail(
            name,
            "be a date or an array of dates (datetime.date, numpy.datetime64 or ISO strings)",
            f"{value!r} of type {type(value).__name__}",
        )
    array = _date_array(value, name)
    if array.dtype.kind == "M":
        return _in_range(array.astype("datetime64[D]"), name)
    if array.dtype.kind in "US":
        text = (
            np.char.decode(array, "utf-8", errors="replace") if array.dtype.kind == "S" else array
        ).ravel()
        if missing_labels:
            text = np.where(np.isin(text, list(missing_labels)), "", text)
        return _in_range(_parse_or_raise(text, name, date_format).reshape(array.shape), name)
    if array.dtype.kind == "O":
        if missing_labels:
            labels = frozenset(missing_labels)
            array = np.array(
                [None if isinstance(v, str) and v in labels else v for v in array.ravel()],
                dtype=object,
            ).reshape(array.shape)
        return _in_range(_object_dates(array, name, date_format), name)
    raise fail(
        name,
        "hold dates (datetime.date, numpy.datetime64 or ISO 8601 strings)",
        f"an array of dtype {array.dtype}",
        hint="numbers are not dates; convert day counts with "
        "numpy.datetime64('1970-01-01') + days.",
    )


def as_date(value: object, name: str) -> np.datetime64:
    """Convert one date (a date, a ``datetime64`` or an ISO string) to ``datetime64[D]``.

    Parameters
    ----------
    value : date-like
        A single date; missing values are refused.
    name : str
        The user's argument name, used in error messages.

    Returns
    -------
    numpy.datetime64
        The date with day precision.

    Raises
    ------
    InvalidInputError
        If `value` is not a single, non-missing date.

    Examples
    --------
    >>> print(as_date("2019-12-31", "end"))
    2019-12-31
    """
    array = as_dates(value, name)
    if array.ndim != 0 or np.isnat(array):
        raise fail(name, "be a single date", repr(value))
    return np.datetime64(dt.date.fromisoformat(str(array)), "D")


# --------------------------------------------------------------------------------------
# Month arithmetic
# --------------------------------------------------------------------------------------


#: Most months added at once: the whole span of :data:`FIRST_DATE` to :data:`LAST_DATE`.
MAX_MONTHS = 12 * 10_000


def _as_months(n: object, name: str) -> NDArray[np.int64]:
    """Validate a whole number of months (scalar or array) within +-:data:`MAX_MONTHS`."""
    try:
        array = np.asarray(n)
    except (TypeError, ValueError, OverflowError):
        array = np.asarray(None)
    rule = "be a whole number of months (an integer or an array of integers)"
    if array.dtype.kind == "f" and (np.isfinite(array) & (array == np.round(array))).all():
        array = np.clip(array, -2.0 * MAX_MONTHS, 2.0 * MAX_MONTHS).astype(np.int64)
    if array.dtype.kind not in "iu":
        raise fail(name, rule, repr(n))
    if array.size and (array.min() < -MAX_MONTHS or array.max() > MAX_MONTHS):
        raise fail(
            name,
            f"lie between -{MAX_MONTHS} and {MAX_MONTHS} months (dates stay {_DATE_RANGE})",
            repr(n),
        )
    return array.astype(np.int64)


def _add_months(dates: DateArray, n: NDArray[np.int64]) -> DateArray:
    """Vectorised month addition with clamping to the month end (NaT stays NaT)."""
    missing = np.isnat(dates) | np.zeros(np.shape(n), dtype=bool)
    dates = np.where(np.isnat(dates), np.datetime64(0, "D"), dates)
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + n.astype("timedelta64[M]")
    start = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - start).astype(np.int64)
    offset = np.minimum(day, length - 1).astype("timedelta64[D]")
    return np.where(missing, np.datetime64("NaT", "D"), start + offset)


def _months_between(a: DateArray, b: DateArray) -> NDArray[np.int64]:
    """Vectorised whole calendar months: the largest m with add_months(a, m) <= b."""
    guess = (b.astype("datetime64[M]") - a.astype("datetime64[M]")).astype(np.int64)
    months: NDArray[np.int64] = guess - (_add_months(a, guess) > b)
    return months


def _scalar_out(array: DateArray) -> dt.date:
    return dt.date.fromisoformat(str(array.astype("datetime64[D]")))


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, dt.date, np.datetime64))


# A single date or number gives a single value; mypy cannot tell str from a sequence.
@overload
def add_months(date: DateScalar, n: int) -> dt.date: ...  # type: ignore[overload-overlap]
@overload
def add_months(date: object, n: object) -> DateArray: ...
def add_months(date: object, n: object) -> dt.date | DateArray:
    r"""Add whole calendar months to dates, clamping to the end of shorter months.

    Parameters
    ----------
    date : date-like or array-like of dates
        A :class:`datetime.date`, :class:`numpy.datetime64` or ISO 8601 string, or an
        array-like of dates (see :func:`as_dates`). ``NaT`` stays ``NaT``.
    n : int or array-like of int
        Months to add; negative moves back. Broadcast against `date`.

    Returns
    -------
    datetime.date or numpy.ndarray of datetime64[D]
        A :class:`datetime.date` when `date` and `n` are single values, otherwise an
        array.

    Raises
    ------
    InvalidInputError
        If `date` holds something other than dates, or `n` is not a whole number.

    See Also
    --------
    months_between : The inverse question: how many whole months lie between two dates.

    Notes
    -----
    For a date on day :math:`d` of month :math:`M`, the result is day
    :math:`\min(d, L(M + n))` of month :math:`M + n`, where :math:`L` is the number of
    days of a month. The operation is monotone (later dates and larger :math:`n` never
    give an earlier result) but not invertible: 29, 30 and 31 August plus 6 months are
    all the last day of February.

    References
    ----------
    1. Perkins R, Patel R, Willett A, Chisholm L, Rinaldi M. Individual placement and
       support: cross-sectional study of equality of access and outcome for Black, Asian
       and minority ethnic communities. BJPsych Bulletin 2022; Table 3 (the
       "opportunity of at least 6 months' support" window).

    Examples
    --------
    >>> add_months("2019-08-31", 6)
    datetime.date(2020, 2, 29)
    >>> import numpy as np
    >>> add_months(np.array(["2019-01-31", "2019-06-30"], dtype="datetime64[D]"), 1)
    array(['2019-02-28', '2019-07-30'], dtype='datetime64[D]')
    """
    dates = as_dates(date, "date")
    months = _as_months(n, "n")
    try:
        result = _add_months(dates, months)
    except ValueError as exc:  # shapes that do not broadcast
        raise fail(
            "n",
            "broadcast against `date` (one number, or one per date)",
            f"shapes {dates.shape} and {months.shape}",
        ) from exc
    days = result.view(np.int64)
    outside = (days != np.iinfo(np.int64).min) & ((result < FIRST_DATE) | (result > LAST_DATE))
    if outside.any():
        first = int(np.flatnonzero(outside.ravel())[0])
        raise fail(
            "n",
            f"keep the dates {_DATE_RANGE}",
            f"a result of {result.ravel()[first]} at index {first}",
            positions=(first,),
        )
    if _is_scalar(date) and months.ndim == 0:
        if np.isnat(result):
            raise fail("date", "be a date", repr(date))
        return _scalar_out(result)
    return result


# A single date or number gives a single value; mypy cannot tell str from a sequence.
@overload
def months_between(a: DateScalar, b: DateScalar) -> int: ...  # type: ignore[overload-overlap]
@overload
def months_between(a: object, b: object) -> NDArray[np.int64]: ...
def months_between(a: object, b: object) -> int | NDArray[np.int64]:
    r"""Count whole calendar months from `a` to `b`.

    Parameters
    ----------
    a, b : date-like or array-like of dates
        Start and end dates (single values or arrays, broadcast together). ``NaT`` is
        refused because the count would be undefined.

    Returns
    -------
    int or numpy.ndarray of int64
        The largest integer :math:`m` with ``add_months(a, m) <= b``; negative when `b` is
        before `a`. An ``int`` when both are single dates.

    Raises
    ------
    InvalidInputError
        If an argument holds something other than dates, or a missing date.

    See Also
    --------
    add_months : Month addition with month-end clamping.

    Notes
    -----
    .. math::

        \operatorname{months\_between}(a, b) = \max\{m \in \mathbb{Z} :
        \operatorname{add\_months}(a, m) \le b\}

    It is computed as the difference :math:`g` of the calendar months of `b` and `a`,
    minus one when ``add_months(a, g)`` falls after `b`. Hence someone who first had
    contact on `a` has had at least :math:`k` whole months of follow-up by `b` exactly
    when ``months_between(a, b) >= k``, i.e. when ``add_months(a, k) <= b``.
    Since ``add_months(a, n)`` is strictly increasing in :math:`n`,
    ``months_between(a, add_months(a, n)) == n`` for every date and every whole
    :math:`n` (31 January plus one month is 28 February 2019, and from 31 January to
    28 February 2019 is one month).
    The count is not antisymmetric because of clamping: ``months_between`` from 31 March
    to 28 February is -1 and from 28 February to 31 March is 1, yet from 31 January to
    28 February 2019 it is 1 while from 28 February back to 31 January it is -1.

    References
    ----------
    1. Perkins R, et al. BJPsych Bulletin 2022; Table 3 (minimum-follow-up window).

    Examples
    --------
    >>> months_between("2019-06-30", "2019-12-31")
    6
    >>> months_between("2019-07-01", "2019-12-31")
    5
    >>> months_between("2019-03-31", "2019-02-28")
    -1
    >>> months_between("2019-08-31", add_months("2019-08-31", 6))
    6
    """
    start = as_dates(a, "a")
    stop = as_dates(b, "b")
    try:
        np.broadcast_shapes(start.shape, stop.shape)
    except ValueError:
        raise fail(
            "b",
            "broadcast against `a` (one date, or one per date of `a`)",
            f"shapes {start.shape} and {stop.shape}",
        ) from None
    for name, dates in (("a", start), ("b", stop)):
        missing = np.isnat(dates)
        if missing.any():
            first = int(np.flatnonzero(missing.ravel())[0])
            raise fail(
                name,
                "hold dates, not missing values",
                f"NaT at index {first}",
                hint="drop or fill missing dates before counting months.",
                positions=(first,),
            )
    months = _months_between(start, stop)
    if _is_scalar(a) and _is_scalar(b):
        return int(months)
    return months


# A single date or number gives a single value; mypy cannot tell str from a sequence.
@overload
def days_to_months(days: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def days_to_months(days: object) -> NDArray[np.float64]: ...
def days_to_months(days: object) -> float | NDArray[np.float64]:
    r"""Convert durations in days to months of 365.25 / 12 days, for display.

    Parameters
    ----------
    days : float or array-like of float
        Durations in days. NaN stays NaN (for example a median that was not reached).

    Returns
    -------
    float or numpy.ndarray of float64
        Durations in months; a ``float`` for a single number.

    Raises
    ------
    InvalidInputError
        If `days` is not numeric.

    Notes
    -----
    .. math::

        \text{months} = \frac{\text{days}}{365.25 / 12} = \frac{\text{days}}{30.4375}

    Estimation always stays in days; this conversion is for reporting only.

    References
    ----------
    1. Rinaldi M, Perkins R, Baxter R, Dorrington P, Saville K. Individual placement and
       support (IPS): duration of employment support and equity of access and outcome in
       routine clinical practice. BJPsych Bulletin 2024; abstract (132 days = 4.3 months,
       146 days = 4.8 months).

    Examples
    --------
    >>> round(days_to_months(132), 1), round(days_to_months(146), 1)
    (4.3, 4.8)
    """
    if isinstance(days, (bool, np.bool_)):
        raise fail("days", "be a number of days", repr(days))
    if isinstance(days, numbers.Real):
        return float(days) / DAYS_PER_MONTH
    try:
        array = np.asarray(days)
    except (TypeError, ValueError, OverflowError):
        array = np.asarray(None)
    if array.dtype.kind not in "iuf":
        raise fail("days", "be a number or an array of numbers of days", repr(days))
    return array.astype(np.float64) / DAYS_PER_MONTH
