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

import datetime as dt
import types
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_array,
    fail,
    int_array,
    str_array,
)
from ipsstats._deprecation import renamed_keywords
from ipsstats.calendar import (
    as_date,
)
from ipsstats.categorical import ContingencyTable, Counts, StratifiedTable, crosstab, tally
from ipsstats.cohort import windows
from ipsstats.cohort._build import CohortBuilders
from ipsstats.cohort._editing import CohortEditing
from ipsstats.cohort._owned import adopted, unwrapped
from ipsstats.cohort.durations import (
    CompetingDurations,
    Durations,
    _get_attribute,
    _select,
    _Selected,
)
from ipsstats.cohort.validation import (
    _DATE_ROLES,
    _JOB_LEVELS,
    Attribute,
    ValidationReport,
)
from ipsstats.cohort.windows import Exclusions
from ipsstats.factor import Factor

__all__ = ["Cohort"]

# --------------------------------------------------------------------------------------
# Cohort
# --------------------------------------------------------------------------------------


_DAYS = np.dtype("datetime64[D]")


def _id_column(value: object) -> NDArray[np.str_]:
    kept = adopted(value, np.dtype(str))
    return str_array(unwrapped(value)) if kept is None else kept


def _row_column(value: object) -> NDArray[np.int64]:
    kept = adopted(value, np.dtype(np.int64))
    return int_array(unwrapped(value)) if kept is None else kept


def _date_column(value: object) -> NDArray[np.datetime64]:
    kept = adopted(value, _DAYS)
    if kept is not None:
        return kept
    array = np.array(unwrapped(value), dtype=_DAYS)
    array.flags.writeable = False
    return array


def _date_scalar(value: object) -> dt.date:
    return dt.date.fromisoformat(str(as_date(value, "observed_until")))


def _study_end_date(value: object) -> dt.date:
    return dt.date.fromisoformat(str(as_date(value, "study_end")))


def _check_accessed(
    _instance: Cohort, _attribute: attrs.Attribute[Any], value: NDArray[np.datetime64]
) -> None:
    unknown = np.flatnonzero(np.isnat(value))
    if unknown.size:
        raise fail(
            "accessed",
            "hold a date of first contact for every person",
            f"no date (NaT) for {unknown.size} of {value.size} people",
            hint="the builders (from_csv, from_columns, from_frame) exclude and count such "
            "records.",
            positions=tuple(int(k) for k in unknown[:5]),
        )


def _check_study_end(instance: Cohort, _attribute: attrs.Attribute[Any], value: dt.date) -> None:
    if value > instance.observed_until:
        raise fail(
            "study_end",
            f"be on or before the extraction date observed_until ({instance.observed_until})",
            str(value),
            hint="outcomes after the data were extracted are not observed.",
        )
    late = np.flatnonzero(instance.accessed > np.datetime64(value, "D"))
    if late.size:
        raise fail(
            "study_end",
            "be on or after every access date (people who had not yet arrived cannot be "
            "analysed at it)",
            f"{value}, before the access date of {late.size} people",
            hint="select them first with cohort.with_study_end(...).",
            positions=tuple(int(k) for k in late[:5]),
        )


def _attribute_map(value: Mapping[str, object] | None) -> Mapping[str, Attribute]:
    if isinstance(value, _Selected):  # columns already validated: taken when used
        return value
    out: dict[str, Attribute] = {}
    for name, column in dict(value or {}).items():
        kept = adopted(column, np.dtype(np.float64))
        if isinstance(column, Factor):
            out[name] = column
        elif kept is not None:
            out[name] = kept
        else:
            array = np.array(unwrapped(column), dtype=np.float64)
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
    if isinstance(instance.attributes, _Selected):
        columns["attributes"] = instance.attributes.n
    else:
        columns.update({name: len(col) for name, col in instance.attributes.items()})
    for name, length in columns.items():
        if length != n:
            raise fail(
                name,
                f"have one value per person ({n}, the length of `ids`)",
                f"{length} values",
            )


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Cohort(CohortBuilders, CohortEditing):
    """People who used an IPS service: one record each, immutable and columnar.

    Build one with :meth:`from_csv`, :meth:`from_records` or :meth:`from_columns`; they
    validate every record. The constructor itself only checks that columns line up.

    Parameters
    ----------
    ids : array-like of str
        One identifier per person.
    accessed : array-like of dates
        Date of first contact with the IPS service; required for everyone (``NaT`` raises
        :class:`~ipsstats.InvalidInputError` naming the positions).
    job_start : array-like of dates
        Date of the first job; ``NaT`` when none started.
    discharged : array-like of dates
        Date of discharge from the IPS caseload; ``NaT`` when still supported.
    observed_until : date
        The extraction date: the data record nothing after it.
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
    study_end : date, optional
        The date at which outcomes are judged: a job counts if it started on or before it
        (``"job_by_end"``), and durations are censored at it. At most `observed_until`, and
        on or after every access date; default `observed_until`. Set it with
        :meth:`with_study_end` or :meth:`with_minimum_followup`. (``outcome_end``, its
        name before 0.2, is a deprecated read-only alias.)

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"id": ["a", "b", "c"],
    ...      "accessed": ["2019-01-10", "2019-06-30", "2019-07-01"],
    ...      "job_start": ["2019-03-01", None, "2019-11-30"],
    ...      "ethnicity": ["White", "Asian", "Black"]},
    ...     observed_until="2019-12-31")
    >>> six = cohort.with_minimum_followup(months=6, study_end="2019-12-31")
    >>> six.ids.tolist()
    ['a', 'b']
    >>> print(six.exclusions[-1])
    minimum follow-up: 3 -> 2 (1 excluded)
      accessed after 2019-12-31 (the end of follow-up): 0
      accessed after 2019-06-30 (less than 6 months before 2019-12-31): 1
    """

    ids: NDArray[np.str_] = attrs.field(converter=_id_column)
    accessed: NDArray[np.datetime64] = attrs.field(
        converter=_date_column, validator=_check_accessed
    )
    job_start: NDArray[np.datetime64] = attrs.field(converter=_date_column)
    discharged: NDArray[np.datetime64] = attrs.field(converter=_date_column)
    observed_until: dt.date = attrs.field(converter=_date_scalar)
    attributes: Mapping[str, Attribute] = attrs.field(factory=dict, converter=_attribute_map)
    rows: NDArray[np.int64] = attrs.field(
        default=attrs.Factory(lambda self: np.arange(len(self.ids)), takes_self=True),
        converter=_row_column,
    )
    validation: ValidationReport = attrs.field(
        default=attrs.Factory(lambda self: ValidationReport.empty(len(self.ids)), takes_self=True)
    )
    exclusions: tuple[Exclusions, ...] = attrs.field(
        default=(), converter=_steps, validator=_check_lengths
    )
    study_end: dt.date = attrs.field(
        default=attrs.Factory(lambda self: self.observed_until, takes_self=True),
        converter=_study_end_date,
        validator=_check_study_end,
    )

    @property
    def outcome_end(self) -> dt.date:
        """Deprecated name of :attr:`study_end` (ipsstats 0.1)."""
        warnings.warn(
            "`Cohort.outcome_end` is deprecated since ipsstats 0.2; use `Cohort.study_end`.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.study_end

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
        if not isinstance(name, str):
            raise fail("name", "be a column name (a string)", f"{type(name).__name__} {name!r}")
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
        study_end: object = None,
    ) -> Cohort:
        """Keep the people where `keep` is true, recording the step in `exclusions`.

        Parameters
        ----------
        keep : ndarray of bool
            One flag per person.
        record : Exclusions
            What the step excluded and why; appended to :attr:`exclusions`.
        study_end : date, optional
            A new :attr:`study_end` (unchanged when ``None``).

        Returns
        -------
        Cohort
            The selected people.

        Raises
        ------
        InvalidInputError
            If `keep` is not one boolean per person, or a kept person accessed after the
            new study end.
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
            attributes=_select(self.attributes, mask),
            rows=self.rows[mask],
            exclusions=(*self.exclusions, record),
            study_end=self.study_end if study_end is None else study_end,
        )

    def _apply(self, selection: windows.Selection) -> Cohort:
        return self.take(selection.keep, record=selection.record, study_end=selection.study_end)

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
        column = self[name]
        if not isinstance(column, Factor):
            raise fail("name", "name a categorical attribute", repr(name))
        return self._apply(windows.level_filter(column, name, levels))

    def accessed_between(self, start: object, end: object) -> Cohort:
        """Keep the people who first had contact on or after `start` and on or before `end`.

        Parameters
        ----------
        start, end : date
            The first and last access dates kept (both inclusive).

        Returns
        -------
        Cohort
            The selected people; an :class:`Exclusions` record counts those who accessed
            before `start` and after `end`.

        Raises
        ------
        InvalidInputError
            If `start` or `end` is not a date, or `end` is before `start`.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2018-12-31", "2019-01-01", "2019-12-31", "2020-01-01"]},
        ...     observed_until="2020-06-30")
        >>> year = cohort.accessed_between("2019-01-01", "2019-12-31")
        >>> year.n, dict(year.exclusions[-1].counts)
        (2, {'accessed before 2019-01-01': 1, 'accessed after 2019-12-31': 1})
        """
        return self._apply(windows.access_window(self.accessed, start, end))

    def with_study_end(self, study_end: object) -> Cohort:
        """Judge outcomes at `study_end`: keep the people who had first contact by then.

        Parameters
        ----------
        study_end : date
            The date at which outcomes are judged: a job counts if it started on or before
            it, and durations are censored at it. At most :attr:`observed_until`.

        Returns
        -------
        Cohort
            The people who accessed on or before `study_end`, with :attr:`study_end` set;
            an :class:`Exclusions` record counts those who accessed later. The cohort
            itself when `study_end` is already its study end (no step is recorded).

        Raises
        ------
        InvalidInputError
            If `study_end` is not a date or is after :attr:`observed_until`.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01", "2019-08-01"],
        ...      "job_start": ["2019-09-01", None]},
        ...     observed_until="2019-12-31")
        >>> june = cohort.with_study_end("2019-06-30")
        >>> june.n, june.job_by().codes.tolist()  # the September job is after the study end
        (1, [1])
        """
        selection = windows.study_end_window(self.accessed, study_end, self.observed_until)
        if selection.study_end == self.study_end:
            return self
        return self._apply(selection)

    @renamed_keywords(end="study_end")
    def with_minimum_followup(self, months: int = 6, *, study_end: object = None) -> Cohort:
        """Keep the people with at least `months` whole months between access and `study_end`.

        Parameters
        ----------
        months : int
            Minimum follow-up in whole calendar months (0 to 120000).
        study_end : date, optional
            The end of follow-up, at most :attr:`observed_until`; default the cohort's
            :attr:`study_end`. It becomes the cohort's :attr:`study_end`, the date at which
            ``"job_by_end"`` and durations are judged. (``end``, its name before 0.2, is
            deprecated.)

        Returns
        -------
        Cohort
            People with ``add_months(accessed, months) <= study_end``; an
            :class:`Exclusions` record counts those who accessed after `study_end` and
            those with less than `months` months.

        Raises
        ------
        InvalidInputError
            If `months` is not a whole number in range, `study_end` is not a date, or it
            is after :attr:`observed_until` (follow-up after extraction is not observed).

        See Also
        --------
        ipsstats.followup_cutoff : the latest access date kept.
        ipsstats.cohort.windows.minimum_followup : the rule, with its formula.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01", "2019-06-30", "2019-07-01"]},
        ...     observed_until="2019-12-31")
        >>> six = cohort.with_minimum_followup(6, study_end="2019-12-31")
        >>> six.accessed
        array(['2019-01-01', '2019-06-30'], dtype='datetime64[D]')
        """
        end = self.study_end if study_end is None else study_end
        return self._apply(
            windows.minimum_followup(self.accessed, months, end, self.observed_until)
        )

    @renamed_keywords(end="study_end")
    def followup_sensitivity(
        self, months: Sequence[int] = (3, 6, 9, 12), *, study_end: object = None
    ) -> Mapping[int, Cohort]:
        """Apply several minimum-follow-up windows at once, for a sensitivity analysis.

        Parameters
        ----------
        months : sequence of int
            The window lengths in months, e.g. ``(3, 6, 9, 12)``; distinct.
        study_end : date, optional
            The end of follow-up, as for :meth:`with_minimum_followup`.

        Returns
        -------
        Mapping[int, Cohort]
            One sub-cohort per window length, in the order given.

        Raises
        ------
        InvalidInputError
            If `months` is empty or repeats a value, or as :meth:`with_minimum_followup`.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-15", "2019-04-15", "2019-07-15", "2019-10-15"]},
        ...     observed_until="2019-12-31")
        >>> {k: c.n for k, c in cohort.followup_sensitivity().items()}
        {3: 3, 6: 2, 9: 1, 12: 0}
        """
        lengths = windows.sensitivity_months(months)
        return types.MappingProxyType(
            {k: self.with_minimum_followup(k, study_end=study_end) for k in lengths}
        )

    # ---- derived analysis inputs --------------------------------------------------------

    def _end(self, end: object) -> np.datetime64:
        if end is None:
            return np.datetime64(self.study_end, "D")
        warnings.warn(
            "the `end` argument is deprecated since ipsstats 0.2: outcomes are judged at the "
            "cohort's study end; select it with cohort.with_study_end(...)",
            DeprecationWarning,
            stacklevel=3,
        )
        return as_date(end, "end")

    def job_by(self, end: object = None) -> Factor:
        """Whether each person started a job on or before the study end, as a factor.

        Parameters
        ----------
        end : date, optional
            Deprecated: set the date with :meth:`with_study_end` instead. Default
            :attr:`study_end`.

        Returns
        -------
        Factor
            Levels ``("job", "no job")``, named ``"job_by_end"``.
        """
        day = self._end(end)
        got = ~np.isnat(self.job_start) & (self.job_start <= day)
        return Factor(codes=np.where(got, 0, 1), levels=_JOB_LEVELS, name="job_by_end")

    def _factor(self, name: str, end: object) -> Factor:
        if isinstance(name, str) and name == "job_by_end":
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
            before :attr:`study_end`.
        strata : str, optional
            A categorical attribute to stratify by.
        end : date, optional
            Deprecated: set the date with :meth:`with_study_end` instead.

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
        >>> table = cohort.with_study_end("2019-12-31").crosstab("gender", "job_by_end")
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

    def _seen(self) -> tuple[np.datetime64, NDArray[np.bool_], NDArray[np.bool_]]:
        """Return the study end, and who had started a job and who had left by then."""
        end = np.datetime64(self.study_end, "D")
        has_job = ~np.isnat(self.job_start) & (self.job_start <= end)
        left = ~np.isnat(self.discharged) & (self.discharged <= end)
        return end, has_job, left

    def _days(self, start: NDArray[np.datetime64], stop: NDArray[np.datetime64]) -> Any:
        return (stop - start).astype(np.int64).astype(np.float64)

    def time_to_job(self) -> Durations:
        r"""Days from first contact to the first job, censored when no job was seen.

        Returns
        -------
        Durations
            ``events`` is true for people who started a job by :attr:`study_end`; the
            others are censored at discharge (if discharged without a job by then) or at
            the study end.

        Notes
        -----
        .. math::

            T_i = \begin{cases}
              J_i - A_i & \text{job start } J_i \text{ known (event)} \\
              D_i - A_i & \text{discharged at } D_i \text{ without a job (censored)} \\
              E - A_i & \text{otherwise, } E \text{ the study end (censored)}
            \end{cases}

        Job starts and discharges after the study end :math:`E` are not yet seen. A job
        on the day of first contact is a duration of 0.

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
        end, has_job, left = self._seen()
        stop = np.where(has_job, self.job_start, np.where(left, self.discharged, end))
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
            One duration per person who started a job by :attr:`study_end`; ``events`` is
            true where they were discharged by then, false (censored at the study end)
            where still supported.

        Notes
        -----
        .. math::

            S_i = \begin{cases}
              D_i - J_i & \text{discharged (event)} \\
              E - J_i & \text{still supported at the study end } E \text{ (censored)}
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
        end, has_job, discharged = self._seen()
        left = discharged[has_job]
        stop = np.where(left, self.discharged[has_job], end)
        return Durations(
            durations=self._days(self.job_start[has_job], stop),
            events=left,
            ids=self.ids[has_job],
            attributes=_select(self.attributes, has_job),
            measure="in_work_support",
        )

    def job_or_discharge(self) -> CompetingDurations:
        """Days from first contact to a job or to discharge without one (competing risks).

        Returns
        -------
        CompetingDurations
            Cause 1 (job) at the job start; cause 2 (discharged without a job) at
            discharge; cause 0 (censored) at :attr:`study_end`. Events after the study
            end are not yet seen.

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
        _, _, left = self._seen()
        causes = np.where(d.events, 1, np.where(left, 2, 0))
        return CompetingDurations(
            durations=d.durations, causes=causes, ids=self.ids, attributes=self.attributes
        )
