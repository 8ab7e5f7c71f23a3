"""From raw named columns to the validated fields of a :class:`~ipsstats.cohort.Cohort`."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from typing_extensions import Self

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_missing_labels,
    as_option,
    fail,
)
from ipsstats._parallel import Tasks
from ipsstats.calendar import (
    as_date,
    parse_date_strings,
)
from ipsstats.cohort._arrow import arrow_available, split_with_arrow
from ipsstats.cohort._columns import _column_array, _factor
from ipsstats.cohort._csv import TextColumn, TextColumns, read_table
from ipsstats.cohort._owned import Owned
from ipsstats.cohort._roles import Roles, resolve_roles
from ipsstats.cohort.durations import _take_attribute
from ipsstats.cohort.validation import (
    _DATE_ROLES,
    ROLES,
    Attribute,
    Errors,
    _is_number_column,
    _Options,
    _parse,
    _report,
)

__all__ = []

#: Ages outside this range are implausible for an adult employment service.
DEFAULT_AGE_RANGE = (16.0, 120.0)
#: Dates before this are implausible for IPS records (typing errors such as 0001-01-01).
DEFAULT_EARLIEST_DATE = "1900-01-01"

# --------------------------------------------------------------------------------------
# Building a cohort from raw columns
# --------------------------------------------------------------------------------------


def _build(
    raw: Mapping[str, object],
    n: int,
    row_numbers: NDArray[np.int64],
    options: _Options,
    *,
    roles: Roles,
    ragged: NDArray[np.bool_] | None = None,
) -> dict[str, Any]:
    """Validate raw columns (already mapped to roles and attribute names).

    Returns the keyword arguments of :class:`~ipsstats.cohort.Cohort` (the builder
    constructs the cohort, so this module does not import it).
    """
    with Tasks(n) as tasks:
        factors = {
            name: tasks.start(functools.partial(_factor, column, options.missing_labels, name))
            for name, column in raw.items()
            if name not in ("id", *_DATE_ROLES) and not _is_number_column(name, options)
        }
        parsed = _parse(raw, n, row_numbers, options, ragged, tasks=tasks)
        report, keep = _report(
            parsed, n, row_numbers, options, columns=roles.sources, notes=roles.notes
        )
        kept = None if bool(keep.all()) else keep
        attributes: dict[str, Attribute | Owned] = {}
        for name in raw:
            if name in parsed.numbers and name not in ("id", *_DATE_ROLES):
                attributes[name] = _valid(parsed.numbers[name], kept)
            elif name in factors:
                factor = factors[name].result()
                attributes[name] = factor if kept is None else _take_attribute(factor, kept)
    return {
        "ids": _valid(parsed.ids, kept),
        "accessed": _valid(parsed.dates["accessed"], kept),
        "job_start": _valid(parsed.dates["job_start"], kept),
        "discharged": _valid(parsed.dates["discharged"], kept),
        "observed_until": options.observed_until,
        "attributes": attributes,
        # the row numbers may be the caller's: copied by the cohort unless selected here
        "rows": row_numbers if kept is None else Owned(row_numbers[kept]),
        "validation": report,
    }


def _valid(parsed: NDArray[Any], kept: NDArray[np.bool_] | None) -> Owned:
    """Hand the valid records of a column parsed here (`kept`; ``None``: all) to the cohort.

    Parsing made the column a new array that nothing else refers to, so the cohort keeps
    it (or its selection) without another copy.
    """
    return Owned(parsed if kept is None else parsed[kept])


def _plausible_dates(observed_until: object, earliest_date: object) -> tuple[Any, Any]:
    """Check the extraction date against today and the earliest plausible date."""
    nat = np.datetime64("NaT", "D")
    first = nat if earliest_date is None else as_date(earliest_date, "earliest_date")
    end = as_date(observed_until, "observed_until")
    today = np.datetime64(dt.date.today(), "D")
    if end > today:
        raise fail(
            "observed_until",
            f"not be after today ({today}): it is the date the data were extracted",
            str(end),
            hint="pass the extraction date; a study end in the future has no outcomes yet.",
        )
    if end < first:
        raise fail(
            "observed_until",
            f"be on or after earliest_date ({first})",
            str(end),
            hint="pass earliest_date=... (or None) if records are dated that early.",
        )
    return end, first


def _options(  # noqa: PLR0917  # one positional per builder option, called in one place
    observed_until: object,
    date_format: str | None,
    missing_labels: Collection[object],
    numeric: Collection[str],
    age_range: tuple[float, float] | None,
    errors: str,
    source: str,
    row_kind: Literal["line", "index"],
    earliest_date: object = DEFAULT_EARLIEST_DATE,
    attributes: Collection[str] | None = None,
) -> _Options:
    end, first = _plausible_dates(observed_until, earliest_date)
    if age_range is not None:
        bounds: NDArray[np.float64] | None
        try:
            given = np.asarray(age_range)
            bounds = given.astype(np.float64) if given.dtype.kind in "iuf" else None
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
    as_missing_labels(missing_labels)
    if isinstance(numeric, str):
        numeric = (numeric,)
    if not isinstance(numeric, Collection) or not all(isinstance(v, str) for v in numeric):
        raise fail(
            "numeric",
            "be a collection of column names",
            repr(numeric),
            hint='for example numeric=["age"].',
        )
    return _Options(
        observed_until=end,
        date_format=date_format,
        missing_labels=tuple(missing_labels),
        numeric=tuple(numeric),
        age_range=age_range,
        earliest_date=first,
        attributes=None if attributes is None else _attribute_names(attributes),
        errors=as_option(errors, "errors", ("raise", "exclude")),
        source=source,
        row_kind=row_kind,
        argument={"line": "path"}.get(row_kind, source),
    )


Engine = Literal["auto", "numpy", "pyarrow"]
#: Files at least this large are split by Arrow under ``engine="auto"`` (when installed).
_ARROW_BYTES = 64 << 20


def _splitter(
    engine: object,
) -> Callable[[NDArray[np.uint8], str, str], tuple[TextColumns, NDArray[np.int64]] | None] | None:
    """Choose the splitter tried before the numpy one for `engine` (``None``: none)."""
    chosen = as_option(engine, "engine", ("auto", "numpy", "pyarrow"))
    if chosen == "numpy":
        return None
    if chosen == "pyarrow":
        if not arrow_available():
            raise fail(
                "engine",
                "name an installed engine",
                "'pyarrow', which is not installed",
                hint='pip install pyarrow, or pass engine="numpy".',
            )
        return split_with_arrow
    if not arrow_available():
        return None

    def large_only(
        data: NDArray[np.uint8], delimiter: str, name: str
    ) -> tuple[TextColumns, NDArray[np.int64]] | None:
        return split_with_arrow(data, delimiter, name) if len(data) >= _ARROW_BYTES else None

    return large_only


def _attribute_names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Collection) or not all(isinstance(v, str) for v in value):
        raise fail(
            "attributes",
            "be a collection of column names",
            repr(value),
            hint='for example attributes=["ethnicity", "gender"].',
        )
    return tuple(value)


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
) -> dict[str, Any]:
    if columns is not None and not isinstance(columns, Mapping):
        raise fail("columns", "be a mapping {role: column name}", type(columns).__name__)
    roles = resolve_roles(list(named), columns, options.attributes)
    raw = {target: _deferred(named, source) for target, source in roles.sources.items()}
    shapes = {target: _column_shape(value) for target, value in raw.items()}
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
    return _build(raw, n, row_numbers, options, roles=roles, ragged=ragged)


def _deferred(named: Mapping[str, object], name: str) -> object:
    """Return a column by name; a split file's is copied out by the task parsing it."""
    return named.deferred(name) if isinstance(named, TextColumns) else named[name]


def _column_shape(value: object) -> tuple[int, ...]:
    """Return the shape of a column, without copying a split file's column."""
    return value.shape if isinstance(value, TextColumn) else _column_array(value).shape


class CohortBuilders:
    """The validating builders of :class:`~ipsstats.cohort.Cohort` (a base class of it).

    Each builder validates its records into the cohort's fields and calls ``cls(...)``, so
    this module does not import the cohort.
    """

    if TYPE_CHECKING:  # the attrs-generated initialiser of Cohort takes the fields

        def __init__(self, **fields: Any) -> None: ...

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
        age_range: tuple[float, float] | None = DEFAULT_AGE_RANGE,
        earliest_date: object = DEFAULT_EARLIEST_DATE,
        attributes: Collection[str] | None = None,
        errors: Errors = "raise",
    ) -> Self:
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
            (required), ``"job_start"``, ``"discharged"`` and ``"age"``. A role not mapped
            is found by its name or a synonym, ignoring case, spaces and punctuation
            (``"Age"``, ``"AGE"``, ``"age_years"``, ``"Date of first contact"``; see
            ``ipsstats.cohort.ROLE_SYNONYMS``); the report's `notes` say which header was
            read as a role and which roles were not found. Columns not mapped keep their
            own name; those that are not roles become attributes.
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
        age_range : (float, float) or None
            Lowest and highest plausible age, inclusive; records outside are invalid
            (reason ``"age outside range"``). Default ``(16, 120)``, an adult service;
            ``None`` accepts any finite age.
        earliest_date : date or None
            The earliest plausible date: access, job start and discharge dates before it
            are invalid (reasons ``"access before earliest_date"``, ...). Default
            1900-01-01, which catches typing errors such as 0001-01-01; ``None`` accepts
            any date. `observed_until` must lie between it and today.
        attributes : collection of str, optional
            The attributes to load (names after `columns` renames them); the other
            columns are not read at all. Roles are always read. Default: every column.
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
            earliest_date=earliest_date,
            attributes=attributes,
        )
        return cls(**_build_named(named, columns, options))

    @classmethod
    def from_frame(
        cls,
        data: object,
        *,
        observed_until: object,
        columns: Mapping[str, str] | None = None,
        attributes: Collection[str] | None = None,
        date_format: str | None = None,
        missing_labels: Collection[object] = (),
        numeric: Collection[str] = (),
        age_range: tuple[float, float] | None = DEFAULT_AGE_RANGE,
        earliest_date: object = DEFAULT_EARLIEST_DATE,
        errors: Errors = "raise",
        source: str = "data",
    ) -> Self:
        """Build a cohort from a data frame of any engine, reading only the columns used.

        Parameters
        ----------
        data : data frame
            pandas, polars (eager or lazy), pyarrow, DuckDB, Ibis, PySpark or Dask (read
            through :mod:`ipsstats.frames`; needs ``ipsstats[frames]``). Date and
            datetime columns travel as day numbers computed in the engine.
        observed_until, columns, date_format, missing_labels, numeric, age_range, errors
            As for :meth:`from_columns`.
        earliest_date
            As for :meth:`from_columns`.
        attributes : collection of str, optional
            The attribute columns to read besides the roles (found as for
            :meth:`from_columns`); default every column. The engine reads no other column.
        source : str
            Where the records came from (e.g. a file name), for the validation report.

        Returns
        -------
        Cohort
            The valid records, with the :class:`ValidationReport` as `validation` (rows
            are 0-based positions in the order the engine returns the records).

        Raises
        ------
        InvalidInputError
            As :meth:`from_columns`, and if `data` is not a data frame or an attribute
            column does not exist.

        Examples
        --------
        >>> import polars as pl
        >>> from ipsstats import Cohort
        >>> frame = pl.LazyFrame({"accessed": ["2019-01-01", "2019-02-01"],
        ...                       "team": ["a", "b"], "notes": ["x", "y"]})
        >>> cohort = Cohort.from_frame(frame, observed_until="2019-12-31",
        ...                            attributes=["team"])
        >>> cohort.attribute_names
        ('team',)
        """
        from ipsstats.frames import column_names, read_columns  # noqa: PLC0415  # optional

        options = _options(
            observed_until,
            date_format,
            missing_labels,
            numeric,
            age_range,
            errors,
            str(source),
            "index",
            earliest_date=earliest_date,
            attributes=attributes,
        )
        names = column_names(data)
        if options.attributes is not None:
            if columns is not None and not isinstance(columns, Mapping):
                raise fail("columns", "be a mapping {role: column name}", type(columns).__name__)
            used = set(resolve_roles(list(names), columns, options.attributes).sources.values())
            names = [name for name in names if name in used]
        named = read_columns(data, names, argument="attributes")
        return cls(**_build_named(named, columns, options))

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
        age_range: tuple[float, float] | None = DEFAULT_AGE_RANGE,
        earliest_date: object = DEFAULT_EARLIEST_DATE,
        attributes: Collection[str] | None = None,
        errors: Errors = "raise",
    ) -> Self:
        """Build a cohort from records: one mapping per person.

        Parameters
        ----------
        records : iterable of Mapping[str, object]
            One mapping per person; a key absent from a record is a missing value.
        observed_until, columns, date_format, missing_labels, numeric, age_range, errors
            As for :meth:`from_columns`.
        earliest_date, attributes
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
        if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
            raise fail(
                "records",
                "be an iterable of mappings, one per person",
                type(records).__name__,
                hint='for example [{"id": "a", "accessed": "2019-01-01"}].',
            )
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
            earliest_date=earliest_date,
            attributes=attributes,
        )
        return cls(**_build_named(named, columns, options, n=len(rows)))

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
        age_range: tuple[float, float] | None = DEFAULT_AGE_RANGE,
        earliest_date: object = DEFAULT_EARLIEST_DATE,
        attributes: Collection[str] | None = None,
        errors: Errors = "raise",
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
        engine: Engine = "auto",
    ) -> Self:
        r"""Read a cohort from a CSV file with a header line.

        Needs only the standard library and numpy; uses pyarrow's CSV reader when asked
        (and installed). Dates and numbers are parsed column by column after reading,
        without a Python loop per record.

        Parameters
        ----------
        path : str, path-like or text file object
            The CSV file. UTF-8 with or without a byte-order mark.
        observed_until, columns, date_format, missing_labels, numeric, age_range, errors
            As for :meth:`from_columns`; `columns` maps roles to the file's headers.
        earliest_date, attributes
            As for :meth:`from_columns`; columns not listed in `attributes` are not
            copied out of the file.
        delimiter : str
            The field separator.
        encoding : str
            The file's text encoding; the default reads UTF-8 with or without a BOM.
        engine : {"auto", "numpy", "pyarrow"}
            Who splits the file into fields: ``"numpy"`` (vectorised searches in the
            file's bytes), ``"pyarrow"`` (Arrow's multi-threaded reader; pyarrow must be
            installed), or ``"auto"``: pyarrow when installed and the file is large (at
            least 64 MB), else numpy. Files Arrow could split differently from the
            :mod:`csv` module (quotes, blank lines between records, records of the wrong
            width) are always split by numpy or :mod:`csv`. Every engine gives the same
            cohort and the same validation report; only the time differs.

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
            Also if `engine` is ``"pyarrow"`` and pyarrow is not installed.
        FileNotFoundError
            If `path` does not exist.

        Notes
        -----
        Files are split by vectorised searches for delimiters, line ends and quotes in the
        file's bytes (quoted fields may hold delimiters, doubled quotes and line breaks).
        Files with blank lines between quoted fields, lone carriage returns or records of
        the wrong width are read with the :mod:`csv` module (``strict=True``). Either way
        every record keeps its file line number in the :class:`ValidationReport`, and both
        give the same cohort. Dates written at their format's full width (``2019-01-05``)
        are read in place in the file's bytes. Long files (from about 65,536 records) are
        searched, and their columns copied and parsed, on several threads (one per CPU,
        at most 8, or at most the environment variable ``IPSSTATS_MAX_THREADS``); the
        results are those of one thread.

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
        table = read_table(path, delimiter, encoding, splitter=_splitter(engine))
        options = _options(
            observed_until,
            date_format,
            missing_labels,
            numeric,
            age_range,
            errors,
            table.name,
            "line",
            earliest_date=earliest_date,
            attributes=attributes,
        )
        return cls(
            **_build_named(
                table.columns, columns, options, n=table.n, rows=table.lines, ragged=table.ragged
            )
        )
