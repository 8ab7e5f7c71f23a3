"""From raw named columns to the validated fields of a :class:`~ipsstats.cohort.Cohort`."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from typing_extensions import Self

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_option,
    fail,
)
from ipsstats.calendar import (
    as_date,
    parse_date_strings,
)
from ipsstats.cohort._columns import _column_array, _factor
from ipsstats.cohort._csv import (
    _check_header,
    _check_text,
    _csv_columns,
    _fit_records,
    _read_csv,
    _read_text,
    _rejoined_columns,
    _split_plain_csv,
)
from ipsstats.cohort.durations import _take_attribute
from ipsstats.cohort.validation import (
    _DATE_ROLES,
    ROLES,
    Attribute,
    Errors,
    _Options,
    _parse,
    _report,
)

__all__ = []

# --------------------------------------------------------------------------------------
# Building a cohort from raw columns
# --------------------------------------------------------------------------------------


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


def _build(
    raw: Mapping[str, object],
    n: int,
    row_numbers: NDArray[np.int64],
    options: _Options,
    *,
    ragged: NDArray[np.bool_] | None = None,
) -> dict[str, Any]:
    """Validate raw columns (already mapped to roles and attribute names).

    Returns the keyword arguments of :class:`~ipsstats.cohort.Cohort` (the builder
    constructs the cohort, so this module does not import it).
    """
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
    return {
        "ids": parsed.ids[keep],
        "accessed": parsed.dates["accessed"][keep],
        "job_start": parsed.dates["job_start"][keep],
        "discharged": parsed.dates["discharged"][keep],
        "observed_until": options.observed_until,
        "attributes": attributes,
        "rows": row_numbers[keep],
        "validation": report,
    }


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
        age_range: tuple[float, float] | None = None,
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
        return cls(**_build_named(named, columns, options))

    @classmethod
    def from_frame(
        cls,
        data: object,
        *,
        observed_until: object,
        columns: Mapping[str, str] | None = None,
        attributes: Sequence[str] | None = None,
        date_format: str | None = None,
        missing_labels: Collection[object] = (),
        numeric: Collection[str] = (),
        age_range: tuple[float, float] | None = None,
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
        attributes : sequence of str, optional
            The attribute columns to read besides the roles; default every column. The
            engine reads no other column.
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

        names = column_names(data)
        if attributes is not None:
            if isinstance(attributes, str):
                attributes = [attributes]
            mapped = dict(columns or {}) if isinstance(columns, Mapping) else {}
            roles = [mapped.get(role, role) for role in ROLES]
            wanted = [*(c for c in roles if c in names), *attributes]
            names = list(dict.fromkeys(wanted))
        named = read_columns(data, names, argument="attributes")
        options = _options(
            observed_until,
            date_format,
            missing_labels,
            numeric,
            age_range,
            errors,
            str(source),
            "index",
        )
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
        age_range: tuple[float, float] | None = None,
        errors: Errors = "raise",
    ) -> Self:
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
        age_range: tuple[float, float] | None = None,
        errors: Errors = "raise",
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
    ) -> Self:
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
        return cls(**_build_named(raw, columns, options, n=n, rows=lines, ragged=ragged))
