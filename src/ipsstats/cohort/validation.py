"""The validation rules of cohort records and the :class:`ValidationReport` they produce.

Loading never loses a record silently: a builder either raises
:class:`~ipsstats.errors.InvalidInputError` naming the first invalid rows, or, with
``errors="exclude"``, drops them and describes every one in the report. Valid plus excluded
records always equal the records read.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    int_array,
    object_array,
)
from ipsstats._keys import text_keys
from ipsstats._parallel import Pending, Tasks
from ipsstats.calendar import (
    describe_date_format,
    suggest_date_format,
)
from ipsstats.cohort._columns import (
    _NAT,
    _column_array,
    _decoded,
    _id_text,
    _integer_keys,
    _lenient_dates,
    _lenient_numbers,
    _text_of,
)
from ipsstats.errors import InvalidInputError
from ipsstats.factor import Factor
from ipsstats.results import frozen_mapping, json_safe

__all__ = ["REASONS", "ROLES", "ValidationReport"]


@attrs.frozen(kw_only=True)
class _Options:
    observed_until: np.datetime64
    date_format: str | None
    missing_labels: tuple[object, ...]
    numeric: tuple[str, ...]
    age_range: tuple[float, float] | None
    earliest_date: np.datetime64
    attributes: tuple[str, ...] | None
    errors: Errors
    source: str
    row_kind: Literal["line", "index"]
    argument: str


ROLES = ("id", "accessed", "job_start", "discharged", "age")
"""The column roles a cohort understands; every other column is an attribute."""

Attribute = Factor | NDArray[np.float64]
Errors = Literal["raise", "exclude"]

_DATE_ROLES = ("accessed", "job_start", "discharged")
_MAX_SHOWN = 5
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
    ("access before earliest_date", "accessed"),
    ("job start before earliest_date", "job_start"),
    ("discharge before earliest_date", "discharged"),
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


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(item) for item in value)


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
    columns : Mapping[str, str]
        Which column of the input fed each role and attribute (``{"accessed": "Date of
        first contact", ...}``).
    notes : tuple of str
        What the builder noticed about the columns: a header read as a role under another
        name, a role no column was found for (and which names were looked for).

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
    columns: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_mapping)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

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
            "columns": dict(self.columns),
            "notes": list(self.notes),
            "issues": [
                {"row": r, "field": f, "value": v, "reason": why} for r, f, v, why in self.issues()
            ],
        }

    def __str__(self) -> str:
        text = (
            f"{self.source}: {self.n_read} records read, {self.n_valid} valid, "
            f"{self.n_excluded} excluded"
        )
        for note in self.notes:
            text += f"\n  note: {note}"
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


def _first_reason(
    checks: list[tuple[str, str, NDArray[np.bool_]]], n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each row, the index of the first failing check (-1 if none) and that check's id.

    The checks are applied last to first, each overwriting the later ones it shares rows
    with; checks no row fails are skipped.
    """
    first = np.full(n, -1, dtype=np.int64)
    for k in range(len(checks) - 1, -1, -1):
        bad = checks[k][2]
        if bad.any():
            first[bad] = k
    return first, np.flatnonzero(first >= 0).astype(np.int64)


def _all_distinct(values: NDArray[Any]) -> bool:
    """Whether all values differ: a sort of integer keys for short byte strings.

    Other text gets the encoder's 64-bit keys (:func:`ipsstats._keys.text_keys`): packed
    characters, which decide, or a hash, where distinct keys are distinct texts and equal
    keys (a repeated value, or rarely two texts sharing a hash) send the values to be
    compared.
    """
    if values.dtype.kind == "S" and values.dtype.itemsize <= 8:
        keys = np.sort(_integer_keys(values))
        return not bool((keys[1:] == keys[:-1]).any())
    if values.dtype.kind in "SU" and values.ndim == 1:
        keys, exact = text_keys(values)
        keys.sort()
        repeated = bool((keys[1:] == keys[:-1]).any())
        if exact or not repeated:
            return not repeated
    return len(dict.fromkeys(values.tolist())) == values.size


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
    if _all_distinct(ids if present.size == n else ids[present]):
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
    found = {str(r) for r in reasons}
    if found & {r for r in REASONS if r.endswith("before earliest_date")}:
        hints.append(
            f"Dates before earliest_date ({options.earliest_date}) are implausible; pass "
            "earliest_date=... (or None) if such dates are real."
        )
    if "age outside range" in found and options.age_range is not None:
        low, high = options.age_range
        hints.append(
            f"Ages must lie in age_range ({low:g}, {high:g}); pass age_range=(lowest, "
            "highest), or None to accept any age."
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
    shown: dict[str, object]
    checks: list[tuple[str, str, NDArray[np.bool_]]]
    partner: NDArray[np.int64]


def _is_number_column(name: str, options: _Options) -> bool:
    """Whether a column is read as numbers: the age, and the columns listed as numeric."""
    return name == "age" or name in options.numeric


def _parse_ids(
    raw: Mapping[str, object], n: int, row_numbers: NDArray[np.int64], options: _Options
) -> tuple[
    NDArray[Any], NDArray[Any] | None, NDArray[np.bool_], NDArray[np.bool_], NDArray[np.int64]
]:
    """Return the ids as text and as read (``None`` without an id column), and flag them.

    Also returns which are missing, which repeat, and the position of another record with
    each repeated id (see :func:`_duplicates`).
    """
    if "id" not in raw:  # row numbers are distinct
        no = np.zeros(n, dtype=bool)
        return row_numbers.astype(str), None, no, no.copy(), np.full(n, -1, dtype=np.int64)
    ids, missing = _id_text(raw["id"], options.missing_labels)
    dup, partner = _duplicates(ids, missing)
    return _decoded(ids), ids, missing, dup, partner


def _start_dates(
    raw: Mapping[str, object], options: _Options, tasks: Tasks
) -> dict[str, Pending[tuple[NDArray[np.datetime64], NDArray[np.bool_], NDArray[np.bool_]]]]:
    """Start parsing each date column present: (dates, missing, bad) when done."""
    return {
        role: tasks.start(
            functools.partial(
                _lenient_dates, raw[role], role, options.date_format, options.missing_labels
            )
        )
        for role in _DATE_ROLES
        if role in raw
    }


def _parse_dates(
    raw: Mapping[str, object],
    n: int,
    started: Mapping[
        str, Pending[tuple[NDArray[np.datetime64], NDArray[np.bool_], NDArray[np.bool_]]]
    ],
    shown: dict[str, object],
) -> tuple[dict[str, NDArray[np.datetime64]], list[tuple[str, str, NDArray[np.bool_]]]]:
    dates: dict[str, NDArray[np.datetime64]] = {}
    missing: dict[str, NDArray[np.bool_]] = {}
    bad: dict[str, NDArray[np.bool_]] = {}
    for role in _DATE_ROLES:
        if role in started:
            dates[role], missing[role], bad[role] = started[role].result()
            shown[role] = raw[role]  # made an array only if a value is reported
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


def _start_numbers(
    raw: Mapping[str, object], options: _Options, tasks: Tasks
) -> dict[str, Pending[tuple[NDArray[Any], NDArray[np.float64], NDArray[np.bool_]]]]:
    """Start parsing each number column: (column, numbers, bad) when done."""
    return {
        name: tasks.start(functools.partial(_numbers_of, raw[name], options.missing_labels))
        for name in raw
        if _is_number_column(name, options)
    }


def _numbers_of(
    value: object, missing_labels: tuple[object, ...]
) -> tuple[NDArray[Any], NDArray[np.float64], NDArray[np.bool_]]:
    """Return a column as an array, its numbers and its bad entries."""
    column = _column_array(value)
    return column, *_lenient_numbers(column, missing_labels)


def _parse_numbers(
    started: Mapping[str, Pending[tuple[NDArray[Any], NDArray[np.float64], NDArray[np.bool_]]]],
    options: _Options,
    shown: dict[str, object],
) -> tuple[dict[str, NDArray[np.float64]], list[tuple[str, str, NDArray[np.bool_]]]]:
    numbers: dict[str, NDArray[np.float64]] = {}
    checks: list[tuple[str, str, NDArray[np.bool_]]] = []
    for name, parsing in started.items():
        shown[name], numbers[name], bad = parsing.result()
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
    *,
    tasks: Tasks,
) -> _Parsed:
    """Parse every role and numeric column and evaluate every validation rule.

    Each column is parsed on its own, as one of `tasks` (on threads for long columns).
    """
    shown: dict[str, object] = {}
    checks = [
        ("wrong number of fields", "record", np.zeros(n, dtype=bool) if ragged is None else ragged)
    ]
    identity = tasks.start(functools.partial(_parse_ids, raw, n, row_numbers, options))
    dating = _start_dates(raw, options, tasks)
    counting = _start_numbers(raw, options, tasks)
    ids, as_read, id_missing, dup, partner = identity.result()
    if as_read is not None:
        shown["id"] = as_read
    checks += [("missing id", "id", id_missing), ("duplicate id", "id", dup)]
    dates, date_checks = _parse_dates(raw, n, dating, shown)
    numbers, number_checks = _parse_numbers(counting, options, shown)
    access, job, leave = dates["accessed"], dates["job_start"], dates["discharged"]
    end, first = options.observed_until, options.earliest_date
    checks += [
        *date_checks,
        ("access before earliest_date", "accessed", access < first),
        ("job start before earliest_date", "job_start", job < first),
        ("discharge before earliest_date", "discharged", leave < first),
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
    parsed: _Parsed,
    n: int,
    row_numbers: NDArray[np.int64],
    options: _Options,
    *,
    columns: Mapping[str, str] | None = None,
    notes: tuple[str, ...] = (),
) -> tuple[ValidationReport, NDArray[np.bool_]]:
    """Describe each invalid row under its first broken rule; raise if asked to."""
    first, bad_rows = _first_reason(parsed.checks, n)
    reasons = np.array([parsed.checks[k][0] for k in first[bad_rows]], dtype=object)
    fields = np.array([parsed.checks[k][1] for k in first[bad_rows]], dtype=object)
    values = np.empty(bad_rows.size, dtype=object)
    shown: dict[str, NDArray[Any]] = {}
    for j, (row, field) in enumerate(zip(bad_rows, fields, strict=True)):
        column = parsed.shown.get(str(field))
        if column is not None and field not in shown:
            shown[field] = _column_array(column)
        value = "" if column is None else _text_of(shown[field][row])
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
        columns=columns or {},
        notes=notes,
    )
    return report, first < 0
