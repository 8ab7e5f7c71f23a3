"""Cohorts of IPS service users: one record per person, loaded, validated and summarised.

A :class:`Cohort` is immutable and columnar. Each person has an id, the date they first had
contact with the IPS service (`accessed`), the date they started their first job
(`job_start`, ``NaT`` when none) and the date they were discharged (`discharged`, ``NaT``
when still supported), plus categorical attributes (ethnicity, gender, diagnosis, service,
...) held as :class:`~ipsstats.factor.Factor` and numeric ones (age) held as float arrays.

Columns are found by role, not by fixed names: pass ``columns={role: header}`` for the roles
``"id"``, ``"accessed"``, ``"job_start"``, ``"discharged"`` and ``"age"``; any other key
renames an attribute, and every other column is kept as an attribute under its own header.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import types
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, TextIO

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_array,
    fail,
    int_array,
    str_array,
)
from ipsstats.calendar import (
    as_date,
)
from ipsstats.categorical import ContingencyTable, Counts, StratifiedTable, crosstab, tally
from ipsstats.cohort import windows
from ipsstats.cohort._build import _build_named, _named_columns, _options
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
from ipsstats.cohort.durations import (
    CompetingDurations,
    Durations,
    _get_attribute,
    _take_attribute,
    age_band,
)
from ipsstats.cohort.validation import (
    _DATE_ROLES,
    _JOB_LEVELS,
    ROLES,
    Attribute,
    Errors,
    ValidationReport,
)
from ipsstats.cohort.windows import Exclusions
from ipsstats.factor import Factor

__all__ = ["Cohort"]

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
        return cls(**_build_named(raw, columns, options, n=n, rows=lines, ragged=ragged))

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
