"""Cohorts of IPS service users: one record per person, loaded, validated and summarised.

A :class:`Cohort` is immutable and columnar. Each person has an id, the date they first had
contact with the IPS service (`accessed`), the date they started their first job
(`job_start`, ``NaT`` when none) and the date they were discharged (`discharged`, ``NaT``
when still supported), plus categorical attributes (ethnicity, gender, diagnosis, service,
...) held as :class:`~ipsstats.factor.Factor` and numeric ones (age) held as float arrays.
The extraction date `observed_until` censors everyone still waiting or still supported.

Loading never loses a record silently. The builders :meth:`Cohort.from_csv`,
:meth:`Cohort.from_records` and :meth:`Cohort.from_columns` either raise
:class:`~ipsstats.errors.InvalidInputError` naming the first invalid rows, or, with
``errors="exclude"``, drop them and describe every one in the cohort's
:attr:`Cohort.validation` report. Valid plus excluded records always equal the records read.

Columns are found by role, not by fixed names: pass ``columns={role: header}`` for the roles
``"id"``, ``"accessed"``, ``"job_start"``, ``"discharged"`` and ``"age"``; any other key
renames an attribute, and every other column is kept as an attribute under its own header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import pathlib
import types
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, TextIO

import attrs
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from ipsstats import windows
from ipsstats._arrays import (
    as_array,
    as_option,
    bool_array,
    fail,
    float_array,
    int_array,
    is_missing_scalar,
    object_array,
    str_array,
)
from ipsstats.calendar import (
    as_date,
    describe_date_format,
    parse_date_strings,
    suggest_date_format,
)
from ipsstats.contingency import ContingencyTable, Counts, StratifiedTable, crosstab, tally
from ipsstats.errors import InvalidInputError
from ipsstats.factor import Factor
from ipsstats.results import json_safe
from ipsstats.windows import Exclusions, _frozen_mapping

__all__ = [
    "CAUSE_LABELS",
    "REASONS",
    "ROLES",
    "Cohort",
    "CompetingDurations",
    "Durations",
    "ValidationReport",
    "age_band",
]

ROLES = ("id", "accessed", "job_start", "discharged", "age")
"""The column roles a cohort understands; every other column is an attribute."""

Attribute = Factor | NDArray[np.float64]
Errors = Literal["raise", "exclude"]

_DATE_ROLES = ("accessed", "job_start", "discharged")
_MAX_SHOWN = 5
_NAT = np.datetime64("NaT", "D")
_JOB_LEVELS = ("job", "no job")

# Rules in the order they are checked; an excluded row is counted under its first broken rule.
_RULES = (
    ("wrong number of fields", "record"),
    ("missing id", "id"),
    ("duplicate id", "id"),
    ("missing access date", "accessed"),
    ("unparseable access date", "accessed"),
    ("unparseable job start date", "job_start"),
    ("unparseable discharge date", "discharged"),
    ("unparseable number", ""),
    ("age outside range", "age"),
    ("job start before access", "job_start"),
    ("discharge before access", "discharged"),
    ("discharge before job start", "discharged"),
    ("access after observed_until", "accessed"),
    ("job start after observed_until", "job_start"),
    ("discharge after observed_until", "discharged"),
)
REASONS = tuple(reason for reason, _field in _RULES)
"""Why a builder excludes a record, in the order the rules are checked."""


# --------------------------------------------------------------------------------------
# Validation report
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class ValidationReport:
    r"""Every record a builder read, and every one it excluded with the reason.

    Parameters
    ----------
    n_read : int
        Records read (for a CSV file: data lines, not counting the header or blank lines).
    rows : array-like of int
        Where each excluded record is in the input: its line number in a CSV file (the
        header is line 1), or its 0-based position for columns and records. Sorted.
    fields : array-like of str
        The field at fault for each excluded record (e.g. ``"job_start"``).
    values : array-like of str
        The offending value as text (for a duplicate id, also the other row).
    reasons : array-like of str
        Why each record was excluded; one of :data:`REASONS`. A record breaking several
        rules is listed once, under the first rule in that order.
    row_kind : {"line", "index"}
        How `rows` count: file lines or 0-based positions.
    source : str
        Where the records came from, e.g. the file name.

    Notes
    -----
    Always :math:`n_{valid} + n_{excluded} = n_{read}`.

    Examples
    --------
    >>> import io
    >>> from ipsstats import Cohort
    >>> text = "id,accessed,job_start\nA,2019-01-05,2019-03-01\nB,2019-02-01,2019-01-01\n"
    >>> cohort = Cohort.from_csv(io.StringIO(text), observed_until="2019-12-31",
    ...                          errors="exclude")
    >>> report = cohort.validation
    >>> report.n_read, report.n_valid, report.n_excluded
    (2, 1, 1)
    >>> dict(report.counts)
    {'job start before access': 1}
    >>> report.issues()
    [(3, 'job_start', '2019-01-01', 'job start before access')]
    """

    n_read: int
    rows: NDArray[np.int64] = attrs.field(converter=int_array)
    fields: NDArray[np.object_] = attrs.field(converter=object_array)
    values: NDArray[np.object_] = attrs.field(converter=object_array)
    reasons: NDArray[np.object_] = attrs.field(converter=object_array)
    row_kind: Literal["line", "index"] = "index"
    source: str = "columns"

    @classmethod
    def empty(cls, n_read: int, *, source: str = "columns") -> ValidationReport:
        """Build a report with nothing excluded."""
        return cls(n_read=n_read, rows=[], fields=[], values=[], reasons=[], source=source)

    @property
    def n_excluded(self) -> int:
        """Number of records excluded."""
        return int(self.rows.shape[0])

    @property
    def n_valid(self) -> int:
        """Number of records kept."""
        return self.n_read - self.n_excluded

    @property
    def counts(self) -> Mapping[str, int]:
        """Excluded records by reason, in rule order (only reasons that occurred)."""
        found, counts = np.unique(self.reasons.astype(str), return_counts=True)
        by_reason = dict(zip(found.tolist(), counts.tolist(), strict=True))
        ordered = {r: int(by_reason[r]) for r in REASONS if r in by_reason}
        return types.MappingProxyType(ordered)

    def issues(self, limit: int | None = None) -> list[tuple[int, str, str, str]]:
        """List excluded records as ``(row, field, value, reason)`` tuples, in row order."""
        stop = self.n_excluded if limit is None else min(limit, self.n_excluded)
        return [
            (int(self.rows[k]), str(self.fields[k]), str(self.values[k]), str(self.reasons[k]))
            for k in range(stop)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-safe Python objects."""
        return {
            "source": self.source,
            "n_read": self.n_read,
            "n_valid": self.n_valid,
            "n_excluded": self.n_excluded,
            "counts": json_safe(self.counts),
            "row_kind": self.row_kind,
            "issues": [
                {"row": r, "field": f, "value": v, "reason": why} for r, f, v, why in self.issues()
            ],
        }

    def __str__(self) -> str:
        text = (
            f"{self.source}: {self.n_read} records read, {self.n_valid} valid, "
            f"{self.n_excluded} excluded"
        )
        for reason, count in self.counts.items():
            text += f"\n  {reason}: {count}"
        for row, field, value, reason in self.issues(limit=10):
            text += f"\n  {self.row_kind} {row}: `{field}` {value!r} ({reason})"
        if self.n_excluded > 10:
            text += f"\n  ... and {self.n_excluded - 10} more"
        return text


# --------------------------------------------------------------------------------------
# Duration results
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class Durations:
    """Censored durations in days, one per person, ready for survival analysis.

    Parameters
    ----------
    durations : array-like of float
        Days from the start of the interval to its end or to censoring; never negative.
    events : array-like of bool
        ``True`` where the interval ended with the event (a job, a discharge), ``False``
        where it was censored.
    ids : array-like of str
        The person each duration belongs to.
    attributes : Mapping[str, Factor or ndarray]
        The cohort's attributes, aligned with `durations`, for grouping.
    measure : str
        What was measured, e.g. ``"time_to_job"``.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-01", "2019-02-01"], "job_start": ["2019-01-31", None]},
    ...     observed_until="2019-03-01")
    >>> d = cohort.time_to_job()
    >>> d.durations.tolist(), d.events.tolist()
    ([30.0, 28.0], [True, False])
    """

    durations: NDArray[np.float64] = attrs.field(converter=float_array)
    events: NDArray[np.bool_] = attrs.field(converter=bool_array)
    ids: NDArray[np.str_] = attrs.field(converter=str_array)
    attributes: Mapping[str, Attribute] = attrs.field(factory=dict, converter=_frozen_mapping)
    measure: str = ""

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.durations.shape[0])

    @property
    def n_events(self) -> int:
        """Number of uncensored durations."""
        return int(np.count_nonzero(self.events))

    @property
    def n_censored(self) -> int:
        """Number of censored durations."""
        return self.n - self.n_events

    def group(self, name: str) -> Attribute:
        """Return the attribute `name`, aligned with the durations, for grouping."""
        return _get_attribute(self.attributes, name)

    def __len__(self) -> int:
        return self.n


CAUSE_LABELS: Mapping[int, str] = types.MappingProxyType(
    {0: "censored", 1: "job", 2: "discharged without a job"}
)


@attrs.frozen(kw_only=True, eq=False)
class CompetingDurations:
    """Durations in days to the first of competing events, with the cause.

    Parameters
    ----------
    durations : array-like of float
        Days from first contact to a job, to discharge without a job, or to censoring.
    causes : array-like of int
        0 censored, 1 job, 2 discharged without a job (see `cause_labels`).
    ids : array-like of str
        The person each duration belongs to.
    attributes : Mapping[str, Factor or ndarray]
        The cohort's attributes, aligned with `durations`.
    cause_labels : Mapping[int, str]
        The meaning of each cause code.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-01", "2019-02-01", "2019-02-01"],
    ...      "job_start": ["2019-01-31", None, None],
    ...      "discharged": [None, "2019-02-11", None]},
    ...     observed_until="2019-03-01")
    >>> c = cohort.job_or_discharge()
    >>> c.durations.tolist(), c.causes.tolist()
    ([30.0, 10.0, 28.0], [1, 2, 0])
    """

    durations: NDArray[np.float64] = attrs.field(converter=float_array)
    causes: NDArray[np.int64] = attrs.field(converter=int_array)
    ids: NDArray[np.str_] = attrs.field(converter=str_array)
    attributes: Mapping[str, Attribute] = attrs.field(factory=dict, converter=_frozen_mapping)
    cause_labels: Mapping[int, str] = attrs.field(default=CAUSE_LABELS, converter=_frozen_mapping)

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.durations.shape[0])

    def group(self, name: str) -> Attribute:
        """Return the attribute `name`, aligned with the durations, for grouping."""
        return _get_attribute(self.attributes, name)

    def __len__(self) -> int:
        return self.n


def _get_attribute(attributes: Mapping[str, Attribute], name: str) -> Attribute:
    if name not in attributes:
        listed = ", ".join(repr(k) for k in attributes) or "none"
        raise fail("name", "name an attribute", repr(name), hint=f"attributes: {listed}.")
    return attributes[name]


def _take_attribute(value: Attribute, keep: NDArray[Any]) -> Attribute:
    if isinstance(value, Factor):
        return Factor(codes=value.codes[keep], levels=value.levels, name=value.name)
    out = np.array(value[keep], dtype=np.float64)
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------
# Age bands
# --------------------------------------------------------------------------------------


def _band_labels(edges: NDArray[np.float64]) -> tuple[str, ...]:
    whole = bool(np.all(edges == np.round(edges)))

    def text(x: float) -> str:
        return f"{x:g}"

    labels = [f"<={text(edges[0])}"]
    for low, high in itertools.pairwise(edges):
        labels.append(f"{text(low + 1)}-{text(high)}" if whole else f"{text(low)}<x<={text(high)}")
    labels.append(f">{text(edges[-1])}")
    return tuple(labels)


def age_band(
    ages: object, edges: Sequence[float] = (25, 40, 55), *, name: str | None = "age_band"
) -> Factor:
    r"""Group ages into ordered bands such as ``"<=25"``, ``"26-40"``, ``"41-55"``, ``">55"``.

    Parameters
    ----------
    ages : array-like of float
        Ages in years; NaN (or a blank) means not known. Fractional ages are allowed.
    edges : sequence of float
        Strictly increasing upper limits of all bands but the last, e.g. ``(25, 40, 55)``.
    name : str or None
        The name of the resulting factor.

    Returns
    -------
    Factor
        Ordered levels, one per band; missing ages have code -1.

    Raises
    ------
    InvalidInputError
        If `ages` is not numeric or holds an infinite value, or `edges` is empty, not
        finite or not increasing.

    Notes
    -----
    With edges :math:`e_1 < \dots < e_k`, band 0 holds ages :math:`x \le e_1`, band
    :math:`j` holds :math:`e_j < x \le e_{j+1}` and band :math:`k` holds
    :math:`x > e_k`; an age exactly on an edge belongs to the band below it (25 is in
    ``"<=25"``).

    With whole-number edges the labels are whole years (``"26-40"``), so ages are
    compared in completed years, :math:`\lfloor x \rfloor`: 25.9 is in ``"<=25"`` and
    40.5 in ``"26-40"``, as a person aged 40 and a half is 40. With fractional edges the
    ages are compared as given and the labels say so (``"17.5<x<=25"``).

    References
    ----------
    1. Rinaldi M, et al. BJPsych Bulletin 2024 (age groups of IPS users).

    Examples
    --------
    >>> band = age_band([19, 25, 25.9, 26, 40.5, 41, 70, float("nan")])
    >>> band.levels
    ('<=25', '26-40', '41-55', '>55')
    >>> band.codes.tolist()
    [0, 0, 0, 1, 1, 2, 3, -1]
    """
    values = _as_float_column(as_array(ages, "ages"), "ages")
    if np.isinf(values).any():
        first = int(np.flatnonzero(np.isinf(values))[0])
        raise fail("ages", "hold finite numbers", f"{values[first]} at index {first}")
    try:
        limits = np.asarray(edges, dtype=np.float64)
    except (TypeError, ValueError):
        raise fail("edges", "be a non-empty sequence of finite numbers", repr(edges)) from None
    if limits.ndim != 1 or limits.size == 0 or not np.isfinite(limits).all():
        raise fail("edges", "be a non-empty sequence of finite numbers", repr(edges))
    if (np.diff(limits) <= 0).any():
        raise fail("edges", "be strictly increasing", repr(tuple(edges)))
    whole = bool(np.all(limits == np.round(limits)))
    compared = np.floor(values) if whole else values
    codes = np.searchsorted(limits, compared, side="left").astype(np.int64)
    codes[np.isnan(values)] = -1
    return Factor(codes=codes, levels=_band_labels(limits), name=name)


def _as_float_column(array: NDArray[Any], name: str) -> NDArray[np.float64]:
    if array.ndim != 1:
        raise fail(name, "be 1-dimensional", f"an array of shape {array.shape}")
    if array.dtype.kind in "iuf":
        return array.astype(np.float64)
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
    """Text arrays as unicode; UTF-8 byte strings are decoded."""
    if array.dtype.kind != "S":
        return array.astype(str)
    try:
        return array.astype(str)
    except UnicodeDecodeError:
        return np.array([b.decode("utf-8", "replace") for b in array.tolist()], dtype=str)


def _missing_text(array: NDArray[Any], labels: Collection[str]) -> NDArray[np.bool_]:
    """Blank (empty or only spaces) or labelled-missing entries of a text array."""
    strip = getattr(np, "strings", np.char).strip
    stripped = strip(array)
    missing: NDArray[np.bool_] = stripped == array.dtype.type()
    if labels:
        wanted = [
            m.strip().encode("utf-8") if array.dtype.kind == "S" else m.strip() for m in labels
        ]
        missing |= np.isin(stripped, np.array(wanted, dtype=array.dtype.kind))
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
    array = _column_array(value)
    labels = [m for m in missing_labels if isinstance(m, str)]
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
    if array.size and not np.isnan(array.astype(np.float64)).all():
        raise fail(
            name,
            "hold dates (text, datetime.date or numpy.datetime64)",
            f"a column of dtype {array.dtype}",
            hint="numbers are not dates; convert them before loading.",
        )
    missing = np.ones(array.shape, dtype=bool)
    return np.full(array.shape, _NAT), missing, np.zeros(array.shape, dtype=bool)


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
        return stripped, _missing_text(stripped, labels)
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


# --------------------------------------------------------------------------------------
# Building a cohort from raw columns
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Options:
    observed_until: np.datetime64
    date_format: str | None
    missing_labels: tuple[object, ...]
    numeric: tuple[str, ...]
    age_range: tuple[float, float] | None
    errors: Errors
    source: str
    row_kind: Literal["line", "index"]
    argument: str


def _resolve_roles(available: Sequence[str], columns: Mapping[str, str] | None) -> dict[str, str]:
    """Map each target name (role or attribute) to a source column name."""
    mapping = dict(columns or {})
    found = ", ".join(repr(h) for h in available) or "none"
    for target, source in mapping.items():
        if not isinstance(target, str) or not isinstance(source, str):
            raise fail("columns", "map role names to column headers (strings)", repr(mapping))
        if source not in available:
            raise fail(
                "columns",
                "name columns that exist in the data",
                f"{target!r} mapped to {source!r}",
                hint=f"the columns found are: {found}.",
            )
    sources = list(mapping.values())
    repeated = {s for s in sources if sources.count(s) > 1}
    if repeated:
        raise fail("columns", "map each column once", f"{sorted(repeated)!r} used twice")
    out = dict(mapping)
    used = set(sources)
    for header in available:
        if header in used or header in out:
            continue
        out[header] = header
    if "accessed" not in out:
        raise fail(
            "columns",
            "identify the access date column (role 'accessed')",
            f"no column named 'accessed' and no mapping for it; the columns found are: {found}",
            hint='pass columns={"accessed": "<your header>"}; the first line must be a header.',
        )
    return out


def _first_reason(
    checks: list[tuple[str, str, NDArray[np.bool_]]], n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each row, the index of the first failing check (-1 if none) and that check's id."""
    first = np.full(n, -1, dtype=np.int64)
    for k, (_reason, _field, bad) in enumerate(checks):
        first[(first < 0) & bad] = k
    return first, np.flatnonzero(first >= 0).astype(np.int64)


def _all_distinct(values: NDArray[Any]) -> bool:
    """Whether all values differ: a sort of integer keys for short byte strings."""
    if values.dtype.kind == "S" and values.dtype.itemsize <= 8:
        keys = np.sort(_integer_keys(values))
        return not bool((keys[1:] == keys[:-1]).any())
    return len(dict.fromkeys(values.tolist())) == values.size


def _integer_keys(values: NDArray[np.bytes_]) -> NDArray[np.uint64]:
    """Byte strings of up to 8 bytes as order-preserving unsigned integers."""
    matrix = np.zeros((values.size, 8), dtype=np.uint8)
    width = values.dtype.itemsize
    matrix[:, :width] = np.ascontiguousarray(values).view(np.uint8).reshape(values.size, width)
    keys: NDArray[np.uint64] = matrix.view(">u8").ravel().astype(np.uint64)
    return keys


def _duplicates(
    ids: NDArray[Any], missing: NDArray[np.bool_]
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Rows whose id repeats, and for each row the position of another row with that id."""
    n = ids.shape[0]
    partner = np.full(n, -1, dtype=np.int64)
    dup = np.zeros(n, dtype=bool)
    present = np.flatnonzero(~missing)
    if present.size < 2:
        return dup, partner
    if _all_distinct(ids[present]):
        return dup, partner
    order = present[np.argsort(ids[present], kind="stable")]
    sorted_ids = ids[order]
    starts = np.concatenate([[True], sorted_ids[1:] != sorted_ids[:-1]])
    group = np.cumsum(starts) - 1
    start_index = np.flatnonzero(starts)[group]
    repeated = np.bincount(group)[group] > 1
    first = order[start_index]
    second = order[np.minimum(start_index + 1, order.size - 1)]
    mate = np.where(order == first, second, first)
    dup[order[repeated]] = True
    partner[order[repeated]] = mate[repeated]
    return dup, partner


def _raise_invalid(
    reasons: NDArray[np.object_],
    fields: NDArray[np.object_],
    values: NDArray[np.object_],
    rows: NDArray[np.int64],
    *,
    options: _Options,
    n_read: int,
) -> None:
    shown = [
        f"{options.row_kind} {int(rows[k])}, `{fields[k]}` {values[k]!r}: {reasons[k]}"
        for k in range(min(_MAX_SHOWN, rows.size))
    ]
    text = "; ".join(shown)
    if rows.size > _MAX_SHOWN:
        text += f"; and {rows.size - _MAX_SHOWN} more"
    hints = []
    unparsed = [str(v) for v, r in zip(values, reasons, strict=True) if "unparseable" in r]
    date_unparsed = [
        str(v)
        for v, r in zip(values, reasons, strict=True)
        if str(r).startswith("unparseable") and str(r).endswith("date")
    ]
    if date_unparsed:
        hints.append(
            f"Dates are read as {describe_date_format(options.date_format)}; "
            + suggest_date_format(date_unparsed[:50], options.date_format).rstrip(".")
            + "."
        )
    elif unparsed:
        hints.append(
            "Numbers must be finite plain decimals such as 34 or 34.5; list labels that "
            "mean 'not known' (such as 'NA') in `missing_labels`."
        )
    hints.append(
        'Fix these records, or pass errors="exclude" to drop them; the cohort\'s '
        "`validation` report then lists every excluded record and why."
    )
    message = (
        f"`{options.argument}` must hold valid records; got {rows.size} invalid of "
        f"{n_read} in {options.source!r}: {text}. Hint: " + " ".join(hints)
    )
    raise InvalidInputError(
        message, argument=str(fields[0]), positions=tuple(int(r) for r in rows[:_MAX_SHOWN])
    )


@attrs.define
class _Parsed:
    """Columns parsed leniently, with one (reason, field, bad-row mask) check per rule."""

    ids: NDArray[Any]
    dates: dict[str, NDArray[np.datetime64]]
    numbers: dict[str, NDArray[np.float64]]
    shown: dict[str, NDArray[Any]]
    checks: list[tuple[str, str, NDArray[np.bool_]]]
    partner: NDArray[np.int64]


def _parse_dates(
    raw: Mapping[str, object], n: int, options: _Options, shown: dict[str, NDArray[Any]]
) -> tuple[dict[str, NDArray[np.datetime64]], list[tuple[str, str, NDArray[np.bool_]]]]:
    dates: dict[str, NDArray[np.datetime64]] = {}
    missing: dict[str, NDArray[np.bool_]] = {}
    bad: dict[str, NDArray[np.bool_]] = {}
    for role in _DATE_ROLES:
        if role in raw:
            dates[role], missing[role], bad[role] = _lenient_dates(
                raw[role], role, options.date_format, options.missing_labels
            )
            shown[role] = _column_array(raw[role])
        else:
            dates[role] = np.full(n, _NAT)
            missing[role] = np.ones(n, dtype=bool)
            bad[role] = np.zeros(n, dtype=bool)
    checks = [
        ("missing access date", "accessed", missing["accessed"]),
        ("unparseable access date", "accessed", bad["accessed"]),
        ("unparseable job start date", "job_start", bad["job_start"]),
        ("unparseable discharge date", "discharged", bad["discharged"]),
    ]
    return dates, checks


def _parse_numbers(
    raw: Mapping[str, object], options: _Options, shown: dict[str, NDArray[Any]]
) -> tuple[dict[str, NDArray[np.float64]], list[tuple[str, str, NDArray[np.bool_]]]]:
    numbers: dict[str, NDArray[np.float64]] = {}
    checks: list[tuple[str, str, NDArray[np.bool_]]] = []
    for name in raw:
        if name != "age" and name not in options.numeric:
            continue
        column = _column_array(raw[name])
        numbers[name], bad = _lenient_numbers(column, options.missing_labels)
        shown[name] = column
        checks.append(("unparseable number", name, bad))
    if options.age_range is not None and "age" in numbers:
        low, high = options.age_range
        age = numbers["age"]
        with np.errstate(invalid="ignore"):
            checks.append(("age outside range", "age", (age < low) | (age > high)))
    return numbers, checks


def _parse(
    raw: Mapping[str, object],
    n: int,
    row_numbers: NDArray[np.int64],
    options: _Options,
    ragged: NDArray[np.bool_] | None,
) -> _Parsed:
    """Parse every role and numeric column and evaluate every validation rule."""
    shown: dict[str, NDArray[Any]] = {}
    checks = [
        ("wrong number of fields", "record", np.zeros(n, dtype=bool) if ragged is None else ragged)
    ]
    if "id" in raw:
        ids, id_missing = _id_text(raw["id"], options.missing_labels)
        shown["id"] = ids
        dup, partner = _duplicates(ids, id_missing)
        ids = _decoded(ids)
    else:  # row numbers are distinct
        ids, id_missing = row_numbers.astype(str), np.zeros(n, dtype=bool)
        dup, partner = np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64)
    checks += [("missing id", "id", id_missing), ("duplicate id", "id", dup)]
    dates, date_checks = _parse_dates(raw, n, options, shown)
    numbers, number_checks = _parse_numbers(raw, options, shown)
    access, job, leave = dates["accessed"], dates["job_start"], dates["discharged"]
    end = options.observed_until
    checks += [
        *date_checks,
        *number_checks,
        ("job start before access", "job_start", job < access),
        ("discharge before access", "discharged", leave < access),
        ("discharge before job start", "discharged", leave < job),
        ("access after observed_until", "accessed", access > end),
        ("job start after observed_until", "job_start", job > end),
        ("discharge after observed_until", "discharged", leave > end),
    ]
    return _Parsed(
        ids=ids, dates=dates, numbers=numbers, shown=shown, checks=checks, partner=partner
    )


def _report(
    parsed: _Parsed, n: int, row_numbers: NDArray[np.int64], options: _Options
) -> tuple[ValidationReport, NDArray[np.bool_]]:
    """Describe each invalid row under its first broken rule; raise if asked to."""
    first, bad_rows = _first_reason(parsed.checks, n)
    reasons = np.array([parsed.checks[k][0] for k in first[bad_rows]], dtype=object)
    fields = np.array([parsed.checks[k][1] for k in first[bad_rows]], dtype=object)
    values = np.empty(bad_rows.size, dtype=object)
    for j, (row, field) in enumerate(zip(bad_rows, fields, strict=True)):
        column = parsed.shown.get(str(field))
        value = "" if column is None else _text_of(column[row])
        if reasons[j] == "duplicate id":
            other = int(row_numbers[parsed.partner[row]])
            value = f"{value} (also {options.row_kind} {other})"
        if reasons[j] == "wrong number of fields":
            value = "(a different number of fields from the header)"
        values[j] = value
    if bad_rows.size and options.errors == "raise":
        _raise_invalid(reasons, fields, values, row_numbers[bad_rows], options=options, n_read=n)
    report = ValidationReport(
        n_read=n,
        rows=row_numbers[bad_rows],
        fields=fields,
        values=values,
        reasons=reasons,
        row_kind=options.row_kind,
        source=options.source,
    )
    return report, first < 0


def _build(
    raw: Mapping[str, object],
    n: int,
    row_numbers: NDArray[np.int64],
    options: _Options,
    *,
    ragged: NDArray[np.bool_] | None = None,
) -> Cohort:
    """Validate raw columns (already mapped to roles and attribute names) into a Cohort."""
    parsed = _parse(raw, n, row_numbers, options, ragged)
    report, keep = _report(parsed, n, row_numbers, options)
    attributes: dict[str, Attribute] = {}
    for name, column in raw.items():
        if name in ("id", *_DATE_ROLES):
            continue
        if name in parsed.numbers:
            attributes[name] = parsed.numbers[name][keep]
        else:
            factor = _factor(column, options.missing_labels, name)
            attributes[name] = _take_attribute(factor, keep)
    return Cohort(
        ids=parsed.ids[keep],
        accessed=parsed.dates["accessed"][keep],
        job_start=parsed.dates["job_start"][keep],
        discharged=parsed.dates["discharged"][keep],
        observed_until=options.observed_until,
        attributes=attributes,
        rows=row_numbers[keep],
        validation=report,
    )


def _is_categorical(column: object) -> bool:
    """Whether a column is a pandas or polars categorical, whose categories are the levels."""
    dtype = str(getattr(column, "dtype", ""))
    return dtype == "category" or dtype.startswith(("Categorical", "Enum"))


def _factor(column: object, missing_labels: Collection[object], name: str) -> Factor:
    """Factorise a column; labels are stripped of surrounding spaces.

    Text is factorised first and only the distinct labels are decoded and stripped, so
    ``" White "`` and ``"White"`` are one level. Categorical columns keep their categories.
    """
    if _is_categorical(column):
        return Factor.from_values(column, missing_labels=missing_labels, name=name)
    array = _column_array(column)
    if array.ndim != 1 or array.dtype.kind not in "SUO":
        return Factor.from_values(array, missing_labels=missing_labels, name=name)
    few = _few_distinct(array) if array.dtype.kind in "SU" else None
    if few is None and array.dtype.kind == "U":
        few = np.unique(array, return_inverse=True)
    raw: list[object]
    if few is not None:
        raw, codes = few[0].tolist(), few[1]
    elif array.dtype.kind == "S" and array.dtype.itemsize <= 8:
        keys, codes = np.unique(_integer_keys(array), return_inverse=True)
        raw = keys.astype(">u8").view("S8").tolist()
    else:
        values = array.tolist()
        try:
            index = {value: k for k, value in enumerate(dict.fromkeys(values))}
        except TypeError:  # unhashable labels: let the factor explain
            return Factor.from_values(array, missing_labels=missing_labels, name=name)
        codes = np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))
        raw = list(index)
    distinct = np.empty(len(raw), dtype=object)
    distinct[:] = [_stripped(value) for value in raw]
    per_value = Factor.from_values(distinct, missing_labels=missing_labels, name=name)
    return Factor(codes=per_value.codes[codes], levels=per_value.levels, name=name)


def _few_distinct(
    array: NDArray[Any], sample: int = 4096
) -> tuple[NDArray[Any], NDArray[np.intp]] | None:
    """Distinct values and codes of a text column whose values all occur in its first rows.

    Categorical columns usually hold a handful of labels that all appear early: the
    distinct values of the first `sample` rows are found by sorting those rows only, and
    every row is then looked up by binary search. Returns ``None`` when some row holds a
    value not seen in the sample (the caller then factorises the whole column).
    """
    if array.size == 0:
        return None
    distinct = np.unique(array[:sample])
    codes = np.minimum(np.searchsorted(distinct, array), distinct.size - 1)
    if not bool((distinct[codes] == array).all()):
        return None
    return distinct, codes.astype(np.intp)


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


def _options(  # noqa: PLR0917  # one positional per builder option, called in one place
    observed_until: object,
    date_format: str | None,
    missing_labels: Collection[object],
    numeric: Collection[str],
    age_range: tuple[float, float] | None,
    errors: str,
    source: str,
    row_kind: Literal["line", "index"],
) -> _Options:
    end = as_date(observed_until, "observed_until")
    if age_range is not None:
        try:
            bounds = np.asarray(age_range, dtype=np.float64)
        except (TypeError, ValueError):
            bounds = None
        if (
            bounds is None
            or bounds.shape != (2,)
            or not np.isfinite(bounds).all()
            or bounds[0] > bounds[1]
        ):
            raise fail("age_range", "be a (lowest, highest) pair of numbers", repr(age_range))
        age_range = (float(bounds[0]), float(bounds[1]))
    if date_format is not None:
        parse_date_strings(np.zeros(0, dtype=str), date_format)  # validates the format
    if isinstance(missing_labels, str):
        raise fail("missing_labels", "be a collection of labels", repr(missing_labels))
    if isinstance(numeric, str):
        numeric = (numeric,)
    return _Options(
        observed_until=end,
        date_format=date_format,
        missing_labels=tuple(missing_labels),
        numeric=tuple(numeric),
        age_range=age_range,
        errors=as_option(errors, "errors", ("raise", "exclude")),
        source=source,
        row_kind=row_kind,
        argument={"line": "path"}.get(row_kind, source),
    )


# --------------------------------------------------------------------------------------
# CSV reading (standard library csv module + numpy)
# --------------------------------------------------------------------------------------


def _read_text(path: str | os.PathLike[str] | TextIO, encoding: str) -> tuple[str, str]:
    if hasattr(path, "read"):
        text = path.read()
        name = str(getattr(path, "name", "csv"))
        if not isinstance(text, str):
            raise fail("path", "be opened in text mode", f"{type(text).__name__} content")
        return text.removeprefix("\ufeff"), name
    name = os.fspath(path)
    try:
        with open(name, encoding=encoding, newline="") as handle:  # noqa: PTH123  # accepts str paths
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise fail(
            "path",
            "be a CSV text file encoded as UTF-8",
            f"{pathlib.Path(name).name!r}, whose byte {exc.start} is not UTF-8",
            hint="save the file as 'CSV UTF-8', or pass encoding=... (e.g. 'cp1252').",
        ) from None
    return text.removeprefix("\ufeff"), pathlib.Path(name).name


def _check_text(text: str, name: str) -> None:
    """Refuse binary and empty files before parsing."""
    if "\x00" in text:
        raise fail(
            "path",
            "be a CSV text file",
            f"{name!r}, which holds binary data (NUL bytes)",
            hint="export the data as CSV; spreadsheet files (.xlsx) cannot be read directly.",
        )
    if not text.strip():
        raise fail(
            "path", "be a CSV file with a header line and records", f"an empty file {name!r}"
        )


def _split_plain_csv(
    text: str, delimiter: str, name: str
) -> tuple[dict[str, NDArray[np.bytes_]], NDArray[np.int64]] | None:
    """Split a CSV with one line per record without a Python loop per record.

    The records are located in the UTF-8 bytes with vectorised searches for delimiters,
    line ends and quotes (a delimiter counts when an even number of quotes precedes it);
    each column becomes a fixed-width byte-string array, with surrounding quotes removed
    and doubled quotes undoubled; blank lines are skipped. Line breaks inside quoted
    fields are kept in the field; both are counted in the line numbers. Returns the
    columns and each record's line number, or ``None`` (use the :mod:`csv` module) for
    lone carriage returns, quotes that do not enclose a whole field, or records whose
    number of fields differs from the header's.
    """
    first = text.find("\n")
    if len(delimiter) != 1 or ord(delimiter) > 127 or delimiter == '"' or first < 0:
        return None
    try:
        header = [cell.strip() for cell in next(csv.reader([text[:first]], strict=True))]
    except (csv.Error, StopIteration):
        return None
    _check_header(header, name, delimiter)
    encoded = text.encode("utf-8")
    start = len(text[: first + 1].encode("utf-8"))
    if encoded.find(b"\r", start) >= 0 and encoded.count(b"\r", start) != encoded.count(
        b"\r\n", start
    ):
        return None
    # Blank lines at the end hold no records: keep the data up to the first line end
    # after the last record (a view, not a copy, when the file ends with a line break).
    stop = len(encoded) - _trailing_line_ends(encoded)
    if stop <= start:
        return None
    final = encoded.find(b"\n", stop)
    data: bytes | memoryview = (
        memoryview(encoded)[start : final + 1] if final >= 0 else encoded[start:] + b"\n"
    )
    split = _split_bytes(data, header, delimiter)
    if split is None:
        return None
    columns, n, first_lines = split
    return columns, np.arange(2, n + 2, dtype=np.int64) if first_lines is None else first_lines


def _trailing_line_ends(data: bytes, chunk: int = 4096) -> int:
    """Count the carriage returns and line feeds at the end of `data`."""
    tail = data[-chunk:]
    kept = len(tail.rstrip(b"\r\n"))
    if kept == 0 and len(tail) < len(data):  # a long run of line ends: look at it all
        return len(data) - len(data.rstrip(b"\r\n"))
    return len(tail) - kept


def _split_bytes(
    data: bytes | memoryview,
    header: list[str],
    delimiter: str,
    *,
    terminator: str = "\n",
    quoting: bool = True,
) -> tuple[dict[str, NDArray[np.bytes_]], int, NDArray[np.int64] | None] | None:
    """Columns of records (each ending in `terminator`), or ``None`` if not simple.

    With ``quoting=False`` quotes are ordinary characters (fields already unquoted).
    With the line feed as `terminator`, blank lines outside quoted fields are skipped.
    Also returns the number of records and, when a quoted field holds a line break or a
    blank line was skipped, the file line on which each record starts (counting the
    header as line 1); otherwise ``None``, each record being one line.
    """
    width = len(header)
    buf = np.frombuffer(data, dtype=np.uint8)
    end_code = ord(terminator)
    # One pass finds the few bytes at or below the special characters' codes.
    candidates = np.flatnonzero(buf <= max(end_code, ord('"'), ord(delimiter)))
    found = buf[candidates]
    has_quotes = quoting and bool((found == ord('"')).any())
    separator = np.flatnonzero((found == end_code) | (found == ord(delimiter)))
    bounds = candidates[separator]
    newline = found[separator] == end_code
    quotes_before = np.zeros(0, dtype=np.int64)
    embedded = False
    if has_quotes:
        # A separator counts when an even number of quotes precedes it.
        small = np.int32 if found.size < np.iinfo(np.int32).max else np.int64
        quotes_before = np.cumsum(found == ord('"'), dtype=small)[separator].astype(np.int64)
        inside = quotes_before % 2 == 1
        embedded = bool((inside & newline).any())
        bounds, newline, quotes_before = bounds[~inside], newline[~inside], quotes_before[~inside]
    if bounds.size == 0 or (has_quotes and int(quotes_before[-1]) % 2):
        return None  # unbalanced quotes or no complete record: the csv module reports it
    starts_flat = np.concatenate([[0], bounds[:-1] + 1])
    blank = _blank_lines(buf, bounds, starts_flat, newline) if terminator == "\n" else None
    if blank is not None:
        bounds, newline, starts_flat = bounds[~blank], newline[~blank], starts_flat[~blank]
        quotes_before = quotes_before[~blank] if has_quotes else quotes_before
    if bounds.size % width:
        return None
    kinds = newline.reshape(-1, width)
    if not kinds[:, -1].all() or kinds[:, :-1].any():
        return None
    ends = bounds.reshape(-1, width).copy()
    starts = starts_flat.reshape(-1, width)
    if terminator == "\n":
        last = ends[:, -1]
        ends[:, -1] -= (last > starts[:, -1]) & (buf[np.maximum(last - 1, 0)] == ord("\r"))
    doubled = None
    if has_quotes:
        per_field = np.diff(quotes_before, prepend=0).reshape(-1, width)
        unquoted = _unquote(buf, per_field, starts, ends)
        if unquoted is None:
            return None
        starts, ends, doubled = unquoted
    widest = max(int((ends - starts).max()), 1)
    windows = sliding_window_view(np.concatenate([buf, np.zeros(widest, np.uint8)]), widest)
    columns = {}
    for k, name in enumerate(header):
        column = _gather(windows, starts[:, k], ends[:, k])
        if doubled is not None and doubled[:, k].any():
            rows = np.flatnonzero(doubled[:, k])
            column[rows] = np.char.replace(column[rows], b'""', b'"')
        columns[name] = column
    first_lines = None
    if embedded or blank is not None:  # lines before each record: every line feed counts
        feeds = candidates[found == ord("\n")]
        first_lines = 2 + np.searchsorted(feeds, starts[:, 0]).astype(np.int64)
    return columns, int(ends.shape[0]), first_lines


def _blank_lines(
    buf: NDArray[np.uint8],
    bounds: NDArray[np.intp],
    starts: NDArray[np.intp],
    newline: NDArray[np.bool_],
) -> NDArray[np.bool_] | None:
    """Flag the line ends that close an empty line (nothing, or a lone carriage return).

    A line end closes an empty line when the separator before it is also a line end (or it
    is the first one) and at most a carriage return lies between. Returns ``None`` when
    there is none.
    """
    line_ends = bounds[newline]
    if line_ends.size and line_ends[0] > 1 and (np.diff(line_ends) > 2).all():
        return None  # every line holds at least two bytes: none is empty
    after_line = np.concatenate([[True], newline[:-1]])
    size = bounds - starts
    lone_return = (size == 1) & (buf[np.maximum(bounds - 1, 0)] == ord("\r"))
    blank = newline & after_line & ((size == 0) | lone_return)
    return blank if blank.any() else None


def _unquote(
    buf: NDArray[np.uint8],
    per_field: NDArray[np.int64],
    starts: NDArray[np.intp],
    ends: NDArray[np.intp],
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]] | None:
    """Drop the quotes around quoted fields; flag fields holding doubled quotes.

    `per_field` counts the quotes in each field. Returns ``None`` when a quote does not
    enclose a whole field (e.g. ``ab"c``), leaving such files to the :mod:`csv` module.
    """
    size = ends - starts
    opens = (size > 0) & (buf[np.minimum(starts, buf.size - 1)] == ord('"'))
    closes = (size > 1) & (buf[np.maximum(ends - 1, 0)] == ord('"'))
    inner = per_field - 2 * opens
    if (opens & ~closes).any() or (inner[~opens] > 0).any() or (inner[opens] % 2).any():
        return None
    return starts + opens, ends - opens, opens & (inner > 0)


_UNIT = "\x1f"  # ASCII unit separator: joins parsed fields for the vectorised splitter
_RECORD = "\x1e"  # ASCII record separator: ends each joined record


def _rejoined_columns(
    header: list[str], body: list[list[str]]
) -> dict[str, NDArray[np.bytes_]] | None:
    """Columns of records parsed by the csv module, split without a loop per record.

    The parsed fields are joined with unit and record separators (in C), then split like
    an unquoted file. The records must have the header's width (see :func:`_fit_records`).
    Returns ``None`` when there are none or a field holds one of those separators, so that
    the caller builds columns directly.
    """
    if not body:
        return None
    joined = _RECORD.join(map(_UNIT.join, body)) + _RECORD
    width = len(header)
    if joined.count(_RECORD) != len(body) or joined.count(_UNIT) != len(body) * (width - 1):
        return None
    split = _split_bytes(joined.encode("utf-8"), header, _UNIT, terminator=_RECORD, quoting=False)
    return None if split is None else split[0]


def _record_lines(body: list[list[str]]) -> NDArray[np.int64]:
    """Find the file line on which each record starts (the header is line 1).

    A record spans one line plus one per line break inside its fields (CR LF, LF or CR,
    as the :mod:`csv` module splits lines); a blank line is an empty record. Counted on
    the joined records, without a loop per record.
    """
    if not body:
        return np.zeros(0, dtype=np.int64)
    buf = np.frombuffer(
        (_RECORD.join(map(_UNIT.join, body)) + _RECORD).encode("utf-8"), dtype=np.uint8
    )
    newline, carriage = buf == ord("\n"), buf == ord("\r")
    pair = np.zeros(buf.size, dtype=bool)
    pair[1:] = newline[1:] & carriage[:-1]
    breaks = np.cumsum(newline.astype(np.int64) + carriage - pair)
    at_end = breaks[np.flatnonzero(buf == ord(_RECORD))]
    if at_end.size != len(body):  # a field holds a record separator: count one by one
        inside = np.array(
            [sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in r) for r in body],
            dtype=np.int64,
        )
    else:
        inside = np.diff(at_end, prepend=0)
    spans = 1 + inside
    return 2 + np.concatenate([[0], np.cumsum(spans)[:-1]]).astype(np.int64)


def _gather(
    windows: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.bytes_]:
    """Copy the fields ``buf[starts[i]:ends[i]]`` into a fixed-width byte-string array.

    `windows` is a sliding-window view of the bytes (one row per start position), so each
    field is copied as one row rather than byte by byte.
    """
    lengths = ends - starts
    width = max(int(lengths.max()), 1)
    matrix = windows[starts, :width]
    short = np.flatnonzero(lengths < width)
    if short.size:
        matrix[short] *= np.arange(width) < lengths[short, None]
    out: NDArray[np.bytes_] = np.ascontiguousarray(matrix).view(f"S{width}").ravel()
    return out


def _read_csv(
    text: str, delimiter: str, name: str
) -> tuple[list[str], list[list[str]], NDArray[np.int64]]:
    """Split CSV text into a header, records (blank lines dropped) and their line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise fail("path", "be a well-formed CSV file", f"{name!r}: {exc}") from None
    header = [cell.strip() for cell in records[0]]
    body = records[1:]
    filled = np.fromiter(map(bool, body), dtype=bool, count=len(body))
    if reader.line_num == len(records):  # one line per record: blank lines are empty records
        lines = np.flatnonzero(filled).astype(np.int64) + 2
    else:
        lines = _record_lines(body)[filled]
    return header, list(itertools.compress(body, filled)), lines


def _check_header(header: list[str], name: str, delimiter: str) -> None:
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|" if sep != delimiter):
        raise fail(
            "path",
            f"be a CSV file with fields separated by {delimiter!r}",
            f"a single column {header[0]!r} in {name!r}",
            hint="pass delimiter=';' (or the separator the file uses).",
        )
    blank = [k + 1 for k, h in enumerate(header) if not h]
    if blank:
        raise fail(
            "path",
            "have a header line naming every column",
            f"an empty name for column {blank[0]} in {name!r}",
            hint="the first line of the file must be a header.",
        )
    seen = [h for k, h in enumerate(header) if h in header[:k]]
    if seen:
        raise fail("path", "have distinct column names", f"{seen[0]!r} twice in {name!r}")
    looks_like_data = (
        ~parse_date_strings(np.array(header, dtype=str))[2]
        & ~(parse_date_strings(np.array(header, dtype=str))[1])
    )
    if looks_like_data.any():
        raise fail(
            "path",
            "start with a header line naming the columns",
            f"a first line that holds data ({header[int(np.argmax(looks_like_data))]!r}) "
            f"in {name!r}",
            hint="add a header line such as 'id,accessed,job_start,discharged'.",
        )


def _fit_records(
    header: list[str], body: list[list[str]]
) -> tuple[list[list[str]], NDArray[np.bool_]]:
    """Flag records whose number of fields differs from the header's; pad or cut them."""
    width = len(header)
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=len(body))
    ragged = lengths != width
    if ragged.any():
        body = list(body)
        for k in np.flatnonzero(ragged).tolist():
            body[k] = (body[k] + [""] * width)[:width]
    return body, ragged


def _csv_columns(header: list[str], body: list[list[str]]) -> dict[str, NDArray[np.str_]]:
    """Turn records of the header's width into text columns."""
    if not body:
        return {h: np.zeros(0, dtype=str) for h in header}
    columns = zip(*body, strict=True)
    return {h: np.array(col, dtype=str) for h, col in zip(header, columns, strict=True)}


# --------------------------------------------------------------------------------------
# Cohort
# --------------------------------------------------------------------------------------


def _date_column(value: object) -> NDArray[np.datetime64]:
    array = np.array(value, dtype="datetime64[D]")
    array.flags.writeable = False
    return array


def _date_scalar(value: object) -> dt.date:
    return dt.date.fromisoformat(str(as_date(value, "observed_until")))


def _optional_date(value: object) -> dt.date | None:
    return None if value is None else _date_scalar(value)


def _attribute_map(value: Mapping[str, object] | None) -> Mapping[str, Attribute]:
    out: dict[str, Attribute] = {}
    for name, column in dict(value or {}).items():
        if isinstance(column, Factor):
            out[name] = column
        else:
            array = np.array(column, dtype=np.float64)
            array.flags.writeable = False
            out[name] = array
    return types.MappingProxyType(out)


def _steps(value: Iterable[Exclusions]) -> tuple[Exclusions, ...]:
    return tuple(value)


def _check_lengths(instance: Cohort, _attribute: attrs.Attribute[Any], _value: object) -> None:
    n = instance.ids.shape[0]
    columns: dict[str, int] = {
        "accessed": instance.accessed.shape[0],
        "job_start": instance.job_start.shape[0],
        "discharged": instance.discharged.shape[0],
        "rows": instance.rows.shape[0],
    }
    columns.update({name: len(col) for name, col in instance.attributes.items()})
    for name, length in columns.items():
        if length != n:
            raise fail(
                name,
                f"have one value per person ({n}, the length of `ids`)",
                f"{length} values",
            )


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Cohort:
    """People who used an IPS service: one record each, immutable and columnar.

    Build one with :meth:`from_csv`, :meth:`from_records` or :meth:`from_columns`; they
    validate every record. The constructor itself only checks that columns line up.

    Parameters
    ----------
    ids : array-like of str
        One identifier per person.
    accessed : array-like of dates
        Date of first contact with the IPS service.
    job_start : array-like of dates
        Date of the first job; ``NaT`` when none started.
    discharged : array-like of dates
        Date of discharge from the IPS caseload; ``NaT`` when still supported.
    observed_until : date
        The date the data were extracted; it censors everyone still waiting or supported.
    attributes : Mapping[str, Factor or array-like of float]
        Categorical attributes as :class:`~ipsstats.factor.Factor`, numeric ones as floats
        (NaN for not known).
    rows : array-like of int, optional
        Where each record came from in the input (see :class:`ValidationReport`);
        default ``0, 1, ...``.
    validation : ValidationReport, optional
        The builder's report: records read and every record excluded, with the reason;
        default a report with nothing excluded.
    exclusions : tuple of Exclusions
        The selection steps applied since loading (windows, filters), in order.
    outcome_end : date or None
        The window end set by :meth:`with_minimum_followup`: outcomes such as
        ``"job_by_end"`` are judged at this date (at `observed_until` when ``None``).

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"id": ["a", "b", "c"],
    ...      "accessed": ["2019-01-10", "2019-06-30", "2019-07-01"],
    ...      "job_start": ["2019-03-01", None, "2019-11-30"],
    ...      "ethnicity": ["White", "Asian", "Black"]},
    ...     observed_until="2019-12-31")
    >>> six = cohort.with_minimum_followup(months=6, end="2019-12-31")
    >>> six.ids.tolist()
    ['a', 'b']
    >>> print(six.exclusions[-1])
    minimum follow-up: 3 -> 2 (1 excluded)
      accessed after 2019-12-31 (the end of follow-up): 0
      accessed after 2019-06-30 (less than 6 months before 2019-12-31): 1
    """

    ids: NDArray[np.str_] = attrs.field(converter=str_array)
    accessed: NDArray[np.datetime64] = attrs.field(converter=_date_column)
    job_start: NDArray[np.datetime64] = attrs.field(converter=_date_column)
    discharged: NDArray[np.datetime64] = attrs.field(converter=_date_column)
    observed_until: dt.date = attrs.field(converter=_date_scalar)
    attributes: Mapping[str, Attribute] = attrs.field(factory=dict, converter=_attribute_map)
    rows: NDArray[np.int64] = attrs.field(
        default=attrs.Factory(lambda self: np.arange(len(self.ids)), takes_self=True),
        converter=int_array,
    )
    validation: ValidationReport = attrs.field(
        default=attrs.Factory(lambda self: ValidationReport.empty(len(self.ids)), takes_self=True)
    )
    exclusions: tuple[Exclusions, ...] = attrs.field(
        default=(), converter=_steps, validator=_check_lengths
    )
    outcome_end: dt.date | None = attrs.field(default=None, converter=_optional_date)

    # ---- builders ---------------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        data: object,
        *,
        observed_until: object,
        columns: Mapping[str, str] | None = None,
        date_format: str | None = None,
        missing_labels: Collection[object] = (),
        numeric: Collection[str] = (),
        age_range: tuple[float, float] | None = None,
        errors: Errors = "raise",
    ) -> Cohort:
        """Build a cohort from named columns: a mapping of arrays or a data frame.

        Parameters
        ----------
        data : Mapping[str, array-like] or data frame
            Columns by name. pandas and polars data frames are read by duck typing (their
            ``columns`` and ``__getitem__``), without importing those libraries. Dates may
            be ``datetime64`` columns, :class:`datetime.date` objects or strings.
        observed_until : date
            The date the data were extracted (censors people still waiting or supported).
        columns : Mapping[str, str], optional
            ``{role or attribute name: column name}``. Roles are ``"id"``, ``"accessed"``
            (required), ``"job_start"``, ``"discharged"`` and ``"age"``. Columns not
            mapped keep their own name; those that are not roles become attributes.
        date_format : str or None
            How date strings are written (see
            :func:`~ipsstats.calendar.parse_date_strings`); ``None`` means ISO 8601.
        missing_labels : collection, optional
            Values meaning "not known", such as ``"Not known"``; blanks, ``None`` and NaN
            are always missing. Text is compared after stripping surrounding spaces, and
            categorical labels are stored stripped (``" White "`` is ``"White"``).
        numeric : collection of str, optional
            Attributes to read as numbers (``"age"`` always is); the others are
            categorical. Numbers must be finite: text such as ``"inf"`` or ``"nan"`` is
            an unparseable number unless listed in `missing_labels`.
        age_range : (float, float), optional
            Lowest and highest valid age, inclusive; records outside are invalid.
        errors : {"raise", "exclude"}
            Raise on the first invalid records, or exclude them and report them in
            :attr:`validation`.

        Returns
        -------
        Cohort
            The valid records, with the :class:`ValidationReport` as `validation`.

        Raises
        ------
        InvalidInputError
            If a mapped column is missing (the message lists the columns found), columns
            differ in length, or (with ``errors="raise"``) a record is invalid; the message
            gives the first invalid records: position, field, value and reason.

        See Also
        --------
        from_csv, from_records

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"Client": [1, 2], "Referral": ["2019-01-01", "2019-01-02"], "Age": [30, 40]},
        ...     columns={"id": "Client", "accessed": "Referral", "age": "Age"},
        ...     observed_until="2019-12-31")
        >>> cohort.ids.tolist(), cohort["age"].tolist()
        (['1', '2'], [30.0, 40.0])
        """
        named = _named_columns(data)
        options = _options(
            observed_until,
            date_format,
            missing_labels,
            numeric,
            age_range,
            errors,
            "data",
            "index",
        )
        return _build_named(named, columns, options)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        observed_until: object,
        columns: Mapping[str, str] | None = None,
        date_format: str | None = None,
        missing_labels: Collection[object] = (),
        numeric: Collection[str] = (),
        age_range: tuple[float, float] | None = None,
        errors: Errors = "raise",
    ) -> Cohort:
        """Build a cohort from records: one mapping per person.

        Parameters
        ----------
        records : iterable of Mapping[str, object]
            One mapping per person; a key absent from a record is a missing value.
        observed_until, columns, date_format, missing_labels, numeric, age_range, errors
            As for :meth:`from_columns`.

        Returns
        -------
        Cohort
            The valid records, with the :class:`ValidationReport` as `validation`
            (rows are 0-based positions in `records`).

        Raises
        ------
        InvalidInputError
            If a record is not a mapping, a mapped column is missing, or (with
            ``errors="raise"``) a record is invalid.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_records(
        ...     [{"id": "a", "accessed": "2019-01-01", "gender": "F"},
        ...      {"id": "b", "accessed": "2019-02-01"}],
        ...     observed_until="2019-12-31")
        >>> cohort["gender"].codes.tolist()
        [0, -1]
        """
        rows = list(records) if not isinstance(records, list) else records
        keys: dict[str, None] = {}
        for k, record in enumerate(rows):
            if not isinstance(record, Mapping):
                raise fail(
                    "records",
                    "hold one mapping (such as a dict) per person",
                    f"{type(record).__name__} at index {k}",
                    positions=(k,),
                )
            keys.update(dict.fromkeys(record))
        if not rows:
            keys = dict.fromkeys([*ROLES[:4], *(columns or {}).values()])
        named: dict[str, object] = {}
        for key in keys:
            column = np.empty(len(rows), dtype=object)
            column[:] = [record.get(key) for record in rows]
            named[str(key)] = column
        options = _options(
            observed_until,
            date_format,
            missing_labels,
            numeric,
            age_range,
            errors,
            "records",
            "index",
        )
        return _build_named(named, columns, options, n=len(rows))

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str] | TextIO,
        *,
        observed_until: object,
        columns: Mapping[str, str] | None = None,
        date_format: str | None = None,
        missing_labels: Collection[object] = (),
        numeric: Collection[str] = (),
        age_range: tuple[float, float] | None = None,
        errors: Errors = "raise",
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
    ) -> Cohort:
        r"""Read a cohort from a CSV file with a header line.

        Uses only the standard library and numpy (no pandas, no pyarrow). Dates and
        numbers are parsed column by column after reading, without a Python loop per
        record.

        Parameters
        ----------
        path : str, path-like or text file object
            The CSV file. UTF-8 with or without a byte-order mark.
        observed_until, columns, date_format, missing_labels, numeric, age_range, errors
            As for :meth:`from_columns`; `columns` maps roles to the file's headers.
        delimiter : str
            The field separator.
        encoding : str
            The file's text encoding; the default reads UTF-8 with or without a BOM.

        Returns
        -------
        Cohort
            The valid records, with the :class:`ValidationReport` as `validation`;
            report rows are line numbers (the header is line 1).

        Raises
        ------
        InvalidInputError
            If the file is empty, binary or not UTF-8, has no header line, or a mapped
            column does not exist (the message lists the headers found); with
            ``errors="raise"``, if a record is invalid (line, field, value and reason; for
            an unparseable date, the expected format and, for a day-first date such as
            ``31/12/2019`` read as ISO, the `date_format` to pass).
        FileNotFoundError
            If `path` does not exist.

        Notes
        -----
        Files are split by vectorised searches for delimiters, line ends and quotes in the
        file's bytes (quoted fields may hold delimiters, doubled quotes and line breaks).
        Files with blank lines between quoted fields, lone carriage returns or records of
        the wrong width are read with the :mod:`csv` module (``strict=True``). Either way
        every record keeps its file line number in the :class:`ValidationReport`, and both
        give the same cohort.

        Examples
        --------
        >>> import io
        >>> from ipsstats import Cohort
        >>> text = "Client,First contact,Job\nA,05/01/2019,01/03/2019\nB,01/02/2019,\n"
        >>> cohort = Cohort.from_csv(
        ...     io.StringIO(text), observed_until="2019-12-31", date_format="%d/%m/%Y",
        ...     columns={"id": "Client", "accessed": "First contact", "job_start": "Job"})
        >>> cohort.accessed
        array(['2019-01-05', '2019-02-01'], dtype='datetime64[D]')
        >>> cohort.time_to_job().durations.tolist()
        [55.0, 333.0]
        """
        text, name = _read_text(path, encoding)
        _check_text(text, name)
        fast = _split_plain_csv(text, delimiter, name)
        raw: Mapping[str, NDArray[Any]]
        if fast is not None:
            raw, lines = fast
            n = lines.size
            ragged = None
        else:
            header, body, lines = _read_csv(text, delimiter, name)
            _check_header(header, name, delimiter)
            body, short_or_long = _fit_records(header, body)
            rejoined = _rejoined_columns(header, body)
            raw = rejoined if rejoined is not None else _csv_columns(header, body)
            ragged = short_or_long if short_or_long.any() else None
            n = len(body)
        options = _options(
            observed_until,
            date_format,
            missing_labels,
            numeric,
            age_range,
            errors,
            name,
            "line",
        )
        return _build_named(raw, columns, options, n=n, rows=lines, ragged=ragged)

    # ---- basic access -------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.ids.shape[0])

    def __len__(self) -> int:
        return self.n

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """Names of the attributes, in input order."""
        return tuple(self.attributes)

    def __getitem__(self, name: str) -> Attribute | NDArray[Any]:
        """Return a column by name: a role (``"accessed"``, ...) or an attribute."""
        if name in ("id", "ids"):
            return self.ids
        if name in _DATE_ROLES:
            return getattr(self, name)  # type: ignore[no-any-return]  # a date column
        return _get_attribute(self.attributes, name)

    def __repr__(self) -> str:
        span = f"accessed {self.accessed.min()} to {self.accessed.max()}, " if self.n else ""
        return (
            f"Cohort(n={self.n}, {span}observed_until={self.observed_until}, "
            f"attributes={list(self.attributes)!r}, "
            f"excluded_on_load={self.validation.n_excluded}, steps={len(self.exclusions)})"
        )

    # ---- selection ----------------------------------------------------------------------

    def take(
        self,
        keep: NDArray[np.bool_],
        *,
        record: Exclusions,
        outcome_end: object = None,
    ) -> Cohort:
        """Keep the people where `keep` is true, recording the step in `exclusions`.

        Parameters
        ----------
        keep : ndarray of bool
            One flag per person.
        record : Exclusions
            What the step excluded and why; appended to :attr:`exclusions`.
        outcome_end : date, optional
            A new :attr:`outcome_end` (unchanged when ``None``).

        Returns
        -------
        Cohort
            The selected people.

        Raises
        ------
        InvalidInputError
            If `keep` is not one boolean per person.
        """
        mask = as_array(keep, "keep")
        if mask.dtype.kind != "b" or mask.shape != (self.n,):
            raise fail(
                "keep",
                f"be one boolean per person ({self.n})",
                f"an array of dtype {mask.dtype} and shape {mask.shape}",
            )
        return attrs.evolve(
            self,
            ids=self.ids[mask],
            accessed=self.accessed[mask],
            job_start=self.job_start[mask],
            discharged=self.discharged[mask],
            attributes={k: _take_attribute(v, mask) for k, v in self.attributes.items()},
            rows=self.rows[mask],
            exclusions=(*self.exclusions, record),
            outcome_end=self.outcome_end if outcome_end is None else outcome_end,
        )

    def where(self, name: str, levels: Collection[object]) -> Cohort:
        """Keep the people whose categorical attribute `name` is one of `levels`.

        Parameters
        ----------
        name : str
            A categorical attribute.
        levels : collection
            The levels to keep; people with a missing value are excluded.

        Returns
        -------
        Cohort
            The selected people; the step is recorded in :attr:`exclusions`.

        Raises
        ------
        InvalidInputError
            If `name` is not a categorical attribute or a level does not exist.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01"] * 3, "gender": ["F", "M", None]},
        ...     observed_until="2019-12-31")
        >>> women = cohort.where("gender", ["F"])
        >>> women.n, dict(women.exclusions[-1].counts)
        (1, {'gender not in F': 1, 'gender missing': 1})
        """
        return windows.where(self, name, levels)

    def accessed_between(self, start: object, end: object) -> Cohort:
        """Keep the people who first had contact on or between `start` and `end`.

        See :func:`ipsstats.windows.accessed_between`.
        """
        return windows.accessed_between(self, start, end)

    def with_minimum_followup(self, months: int = 6, *, end: object) -> Cohort:
        """Keep the people with at least `months` whole months between access and `end`.

        See :func:`ipsstats.windows.with_minimum_followup`.
        """
        return windows.with_minimum_followup(self, months, end=end)

    def followup_sensitivity(
        self, months: Sequence[int] = (3, 6, 9, 12), *, end: object
    ) -> Mapping[int, Cohort]:
        """Apply several minimum-follow-up windows at once.

        See :func:`ipsstats.windows.followup_sensitivity`.
        """
        return windows.followup_sensitivity(self, months, end=end)

    def with_attribute(self, name: str, values: object) -> Cohort:
        """Return a cohort with one more (or a replaced) attribute.

        Parameters
        ----------
        name : str
            The attribute's name; it must not be a role.
        values : Factor or array-like
            A :class:`~ipsstats.factor.Factor` or numbers (one per person), or labels
            (turned into a factor).

        Returns
        -------
        Cohort
            The same people with the attribute added.

        Raises
        ------
        InvalidInputError
            If `name` is a role or `values` has the wrong length.
        """
        if name in ROLES[:4] or name == "ids":
            raise fail("name", "not be a role name", repr(name))
        if isinstance(values, Factor):
            column: Attribute = values
        else:
            array = as_array(values, "values")
            if array.dtype.kind in "iuf":
                column = array.astype(np.float64)
            else:
                column = Factor.from_values(values, name=name)
        if len(column) != self.n:
            raise fail("values", f"have one value per person ({self.n})", f"{len(column)}")
        return attrs.evolve(self, attributes={**self.attributes, name: column})

    def with_age_band(
        self,
        edges: Sequence[float] = (25, 40, 55),
        *,
        source: str = "age",
        name: str = "age_band",
    ) -> Cohort:
        """Add the categorical attribute `name` banding the numeric attribute `source`.

        See :func:`age_band`.
        """
        ages = _get_attribute(self.attributes, source)
        if isinstance(ages, Factor):
            raise fail("source", "name a numeric attribute", repr(source))
        return self.with_attribute(name, age_band(ages, edges, name=name))

    # ---- derived analysis inputs --------------------------------------------------------

    def _end(self, end: object) -> np.datetime64:
        chosen = end if end is not None else (self.outcome_end or self.observed_until)
        return as_date(chosen, "end")

    def job_by(self, end: object = None) -> Factor:
        """Whether each person started a job on or before `end`, as a factor.

        Parameters
        ----------
        end : date, optional
            Defaults to :attr:`outcome_end`, else :attr:`observed_until`.

        Returns
        -------
        Factor
            Levels ``("job", "no job")``, named ``"job_by_end"``.
        """
        day = self._end(end)
        got = ~np.isnat(self.job_start) & (self.job_start <= day)
        return Factor(codes=np.where(got, 0, 1), levels=_JOB_LEVELS, name="job_by_end")

    def _factor(self, name: str, end: object) -> Factor:
        if name == "job_by_end":
            return self.job_by(end)
        column = _get_attribute(self.attributes, name)
        if not isinstance(column, Factor):
            raise fail(
                "name",
                "name a categorical attribute",
                f"numeric attribute {name!r}",
                hint="band it first, e.g. cohort.with_age_band().",
            )
        return column

    def tally(self, name: str) -> Counts:
        """Count the people in each level of a categorical attribute.

        Parameters
        ----------
        name : str
            A categorical attribute, or ``"job_by_end"``.

        Returns
        -------
        Counts
            One count per level; people with a missing value in ``n_missing``.

        Raises
        ------
        InvalidInputError
            If `name` is not a categorical attribute.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01"] * 4, "gender": ["F", "M", "F", "Not known"]},
        ...     observed_until="2019-12-31", missing_labels=["Not known"])
        >>> counts = cohort.tally("gender")
        >>> counts.levels, counts.counts.tolist(), counts.n_missing
        (('F', 'M'), [2, 1], 1)
        """
        return tally(self._factor(name, None), name=name)

    def crosstab(
        self, row: str, col: str = "job_by_end", *, strata: str | None = None, end: object = None
    ) -> ContingencyTable | StratifiedTable:
        """Cross-tabulate two categorical attributes (optionally within strata).

        Parameters
        ----------
        row, col : str
            Categorical attributes; ``"job_by_end"`` is whether a job started on or
            before `end`.
        strata : str, optional
            A categorical attribute to stratify by.
        end : date, optional
            The date for ``"job_by_end"``; defaults to :attr:`outcome_end`, else
            :attr:`observed_until`.

        Returns
        -------
        ContingencyTable or StratifiedTable
            Counts of people with both values known; the others are in ``n_missing``.

        Raises
        ------
        InvalidInputError
            If a name is not a categorical attribute.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01", "2019-02-01", "2019-03-01"],
        ...      "job_start": ["2019-05-01", None, "2020-01-02"],
        ...      "gender": ["F", "M", "F"]},
        ...     observed_until="2020-06-30")
        >>> table = cohort.crosstab("gender", "job_by_end", end="2019-12-31")
        >>> table.counts.tolist(), table.col_levels
        ([[1, 1], [0, 1]], ('job', 'no job'))
        """
        return crosstab(
            self._factor(row, end),
            self._factor(col, end),
            strata=None if strata is None else self._factor(strata, end),
            row_name=row,
            col_name=col,
            strata_name=strata,
        )

    def _days(self, start: NDArray[np.datetime64], stop: NDArray[np.datetime64]) -> Any:
        return (stop - start).astype(np.int64).astype(np.float64)

    def time_to_job(self) -> Durations:
        r"""Days from first contact to the first job, censored when no job was seen.

        Returns
        -------
        Durations
            ``events`` is true for people who started a job; the others are censored at
            discharge (if discharged without a job) or at :attr:`observed_until`.

        Notes
        -----
        .. math::

            T_i = \begin{cases}
              J_i - A_i & \text{job start } J_i \text{ known (event)} \\
              D_i - A_i & \text{discharged at } D_i \text{ without a job (censored)} \\
              E - A_i & \text{otherwise, } E \text{ the extraction date (censored)}
            \end{cases}

        A job on the day of first contact is a duration of 0.

        References
        ----------
        1. Rinaldi M, et al. BJPsych Bulletin 2024 (median 132 days to a first job).

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01", "2019-01-01", "2019-01-01"],
        ...      "job_start": ["2019-01-01", None, None],
        ...      "discharged": [None, "2019-01-11", None]},
        ...     observed_until="2019-02-01")
        >>> d = cohort.time_to_job()
        >>> d.durations.tolist(), d.events.tolist()
        ([0.0, 10.0, 31.0], [True, False, False])
        """
        end = np.datetime64(self.observed_until, "D")
        has_job = ~np.isnat(self.job_start)
        stop = np.where(
            has_job,
            self.job_start,
            np.where(np.isnat(self.discharged), end, self.discharged),
        )
        return Durations(
            durations=self._days(self.accessed, stop),
            events=has_job,
            ids=self.ids,
            attributes=self.attributes,
            measure="time_to_job",
        )

    def in_work_support(self) -> Durations:
        r"""Days of in-work support, from job start to discharge, for people with a job.

        Returns
        -------
        Durations
            One duration per person who started a job; ``events`` is true where they were
            discharged, false (censored at :attr:`observed_until`) where still supported.

        Notes
        -----
        .. math::

            S_i = \begin{cases}
              D_i - J_i & \text{discharged (event)} \\
              E - J_i & \text{still supported at extraction } E \text{ (censored)}
            \end{cases}

        References
        ----------
        1. Rinaldi M, et al. BJPsych Bulletin 2024 (median 146 days of in-work support).

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01", "2019-01-01", "2019-01-01"],
        ...      "job_start": ["2019-02-01", "2019-03-01", None],
        ...      "discharged": ["2019-07-01", None, None]},
        ...     observed_until="2019-12-31")
        >>> d = cohort.in_work_support()
        >>> d.ids.tolist(), d.durations.tolist(), d.events.tolist()
        (['0', '1'], [150.0, 305.0], [True, False])
        """
        end = np.datetime64(self.observed_until, "D")
        has_job = ~np.isnat(self.job_start)
        left = ~np.isnat(self.discharged[has_job])
        stop = np.where(left, self.discharged[has_job], end)
        return Durations(
            durations=self._days(self.job_start[has_job], stop),
            events=left,
            ids=self.ids[has_job],
            attributes={k: _take_attribute(v, has_job) for k, v in self.attributes.items()},
            measure="in_work_support",
        )

    def job_or_discharge(self) -> CompetingDurations:
        """Days from first contact to a job or to discharge without one (competing risks).

        Returns
        -------
        CompetingDurations
            Cause 1 (job) at the job start; cause 2 (discharged without a job) at
            discharge; cause 0 (censored) at :attr:`observed_until`.

        Notes
        -----
        A job always wins: someone who started a job and was later (or the same day)
        discharged has cause 1 at the job start.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01", "2019-01-01"],
        ...      "job_start": [None, "2019-01-05"], "discharged": ["2019-01-03", None]},
        ...     observed_until="2019-02-01")
        >>> cohort.job_or_discharge().causes.tolist()
        [2, 1]
        """
        d = self.time_to_job()
        left = ~np.isnat(self.discharged)
        causes = np.where(d.events, 1, np.where(left, 2, 0))
        return CompetingDurations(
            durations=d.durations, causes=causes, ids=self.ids, attributes=self.attributes
        )

    # ---- export -------------------------------------------------------------------------

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """Return the columns as arrays: roles first, then attributes (labels, NaN)."""
        out: dict[str, NDArray[Any]] = {
            "id": self.ids,
            "accessed": self.accessed,
            "job_start": self.job_start,
            "discharged": self.discharged,
        }
        for name, column in self.attributes.items():
            if isinstance(column, Factor):
                levels = np.empty(len(column.levels) + 1, dtype=object)
                levels[:-1] = column.levels
                levels[-1] = None
                out[name] = levels[column.codes]
            else:
                out[name] = column
        return out

    def to_csv(self, path: str | os.PathLike[str] | TextIO) -> None:
        """Write the cohort as a UTF-8 CSV file with ISO dates (blank for missing).

        Parameters
        ----------
        path : str, path-like or text file object
            Where to write.
        """
        columns = self.to_columns()
        text: list[NDArray[Any]] = []
        for column in columns.values():
            if column.dtype.kind == "M":
                text.append(np.where(np.isnat(column), "", column.astype(str)))
            elif column.dtype.kind == "f":
                text.append(np.where(np.isnan(column), "", column.astype(str)))
            else:
                text.append(np.array(["" if v is None else str(v) for v in column], dtype=object))
        rows = zip(*(t.tolist() for t in text), strict=True)
        if hasattr(path, "write"):
            _write_rows(path, list(columns), rows)  # type: ignore[arg-type]  # has write()
            return
        with open(os.fspath(path), "w", encoding="utf-8", newline="") as handle:  # noqa: PTH123  # str paths
            _write_rows(handle, list(columns), rows)


def _write_rows(handle: TextIO, header: list[str], rows: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(header)
    writer.writerows(rows)


def _named_columns(data: object) -> dict[str, object]:
    """Columns by name from a mapping or a duck-typed data frame."""
    if isinstance(data, Mapping):
        return {str(k): v for k, v in data.items()}
    names = getattr(data, "columns", None)
    if names is not None and hasattr(data, "__getitem__"):
        return {str(k): data[k] for k in list(names)}
    raise fail(
        "data",
        "be a mapping of column names to arrays, or a pandas or polars data frame",
        type(data).__name__,
    )


def _build_named(
    named: Mapping[str, object],
    columns: Mapping[str, str] | None,
    options: _Options,
    *,
    n: int | None = None,
    rows: NDArray[np.int64] | None = None,
    ragged: NDArray[np.bool_] | None = None,
) -> Cohort:
    if columns is not None and not isinstance(columns, Mapping):
        raise fail("columns", "be a mapping {role: column name}", type(columns).__name__)
    roles = _resolve_roles(list(named), columns)
    raw = {target: named[source] for target, source in roles.items()}
    shapes = {target: _column_array(value).shape for target, value in raw.items()}
    for target, shape in shapes.items():
        if len(shape) != 1:
            raise fail(
                target,
                "be a 1-dimensional column (one value per person)",
                f"an array of shape {shape}",
                hint="pass a list or 1-D array per column, e.g. {'accessed': [...]}.",
            )
    lengths = {target: shape[0] for target, shape in shapes.items()}
    if n is None:
        n = lengths.get("accessed", 0)
    wrong = {k: v for k, v in lengths.items() if v != n}
    if wrong:
        name, length = next(iter(wrong.items()))
        raise fail(
            name,
            f"have one value per person (the `accessed` column has {n})",
            f"{length} values",
        )
    row_numbers = np.arange(n, dtype=np.int64) if rows is None else rows
    return _build(raw, n, row_numbers, options, ragged=ragged)
