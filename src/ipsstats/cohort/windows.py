"""Selection windows: access periods, the study end and minimum follow-up, fully accounted for.

Each window is a pure function of the columns it needs that returns a :class:`Selection`:
who is kept (a boolean mask) and an :class:`Exclusions` record of how many people the step
started with, kept, and excluded under each rule. :class:`~ipsstats.cohort.Cohort` applies
selections (:meth:`~ipsstats.cohort.Cohort.accessed_between`,
:meth:`~ipsstats.cohort.Cohort.with_study_end`,
:meth:`~ipsstats.cohort.Cohort.with_minimum_followup`,
:meth:`~ipsstats.cohort.Cohort.where`), so chained steps leave a complete audit trail from
the records read to the analysis set, and this module never needs the cohort itself.

Two dates bound every analysis. The *extraction date* (``observed_until``) is when the data
were taken: nothing after it was recorded. The *study end* (``study_end``, at most the
extraction date) is when the analysis judges outcomes: a job counts if it started on or
before it, durations are censored at it, and the minimum-follow-up window ends on it.

The minimum-follow-up rule is exact calendar arithmetic: a person who first had contact on
date :math:`a` has had at least :math:`k` months' opportunity of support by :math:`e` when
``add_months(a, k) <= e`` (see :func:`ipsstats.calendar.add_months`). With :math:`e` = 31
December 2019 and :math:`k = 6` that is everyone who accessed on or before 30 June 2019, the
rule of the 2022 study of equality of access and outcome (Perkins, Patel, Willett, Chisholm
and Rinaldi, BJPsych Bulletin 2022, Table 3).
"""

from __future__ import annotations

import datetime as dt
import numbers
import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import bool_array, fail
from ipsstats._deprecation import renamed_keywords
from ipsstats.calendar import add_months, as_date
from ipsstats.factor import Factor
from ipsstats.results import frozen_mapping, json_safe

__all__ = [
    "MAX_MONTHS",
    "Exclusions",
    "Selection",
    "access_window",
    "as_months",
    "followup_cutoff",
    "level_filter",
    "minimum_followup",
    "sensitivity_months",
    "study_end_window",
]


@attrs.frozen(kw_only=True)
class Exclusions:
    """What one selection step did: people before and after, and exclusions by rule.

    Parameters
    ----------
    step : str
        The kind of step, e.g. ``"minimum follow-up"``.
    description : str
        The rule kept, in words, e.g. ``"accessed on or before 2019-06-30"``.
    n_before, n_after : int
        People before and after the step.
    counts : Mapping[str, int]
        People excluded under each rule (rules with no exclusions are listed with 0).
        Sums to `n_excluded`.
    parameters : Mapping[str, object]
        The step's settings (dates, months, levels).

    Examples
    --------
    >>> from ipsstats.cohort import Exclusions
    >>> rec = Exclusions(step="access window", description="accessed 2019-01-01 to 2019-12-31",
    ...                  n_before=10, n_after=8, counts={"accessed before 2019-01-01": 2})
    >>> rec.n_excluded
    2
    """

    step: str
    description: str
    n_before: int
    n_after: int
    counts: Mapping[str, int] = attrs.field(factory=dict, converter=frozen_mapping)
    parameters: Mapping[str, Any] = attrs.field(factory=dict, converter=frozen_mapping)

    @property
    def n_excluded(self) -> int:
        """People excluded by this step."""
        return self.n_before - self.n_after

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-safe Python objects."""
        out: dict[str, Any] = json_safe(
            {f.name: getattr(self, f.name) for f in attrs.fields(Exclusions)}
        )
        out["n_excluded"] = self.n_excluded
        return out

    def __str__(self) -> str:
        text = f"{self.step}: {self.n_before} -> {self.n_after} ({self.n_excluded} excluded)"
        for rule, count in self.counts.items():
            text += f"\n  {rule}: {count}"
        return text


@attrs.frozen(kw_only=True, eq=False)
class Selection:
    """Who a selection step keeps, with the record of what it excluded and why.

    Parameters
    ----------
    keep : ndarray of bool
        One flag per person (read-only).
    record : Exclusions
        The step's record.
    study_end : datetime.date or None
        The study end the step sets (minimum follow-up and study-end windows), else ``None``.
    """

    keep: NDArray[np.bool_] = attrs.field(converter=bool_array)
    record: Exclusions
    study_end: dt.date | None = None


def _day(value: object, name: str) -> np.datetime64:
    return as_date(value, name)


def _iso(day: np.datetime64) -> str:
    return str(day.astype("datetime64[D]"))


def _date(day: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(_iso(day))


#: The longest follow-up window accepted, in months (beyond it dates leave numpy's range).
MAX_MONTHS = 120_000


def as_months(value: object, name: str = "months") -> int:
    """Validate a follow-up window length: a whole number of months in [0, MAX_MONTHS]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise fail(name, "be a whole number of months (an integer >= 0)", repr(value))
    if not 0 <= int(value) <= MAX_MONTHS:
        raise fail(
            name,
            f"be a whole number of months between 0 and {MAX_MONTHS}",
            repr(value),
            hint="a follow-up window is a few months or years long.",
        )
    return int(value)


def _selection(
    keep: NDArray[np.bool_],
    *,
    step: str,
    description: str,
    excluded: Mapping[str, NDArray[np.bool_]],
    parameters: Mapping[str, Any],
    study_end: dt.date | None = None,
) -> Selection:
    """Record a step that keeps the people where `keep` is true.

    `excluded` maps each reason to the mask of the people it excludes; the record counts
    them.
    """
    record = Exclusions(
        step=step,
        description=description,
        n_before=keep.size,
        n_after=int(np.count_nonzero(keep)),
        counts={reason: int(np.count_nonzero(mask)) for reason, mask in excluded.items()},
        parameters=parameters,
    )
    return Selection(keep=keep, record=record, study_end=study_end)


def _check_study_end(study_end: np.datetime64, observed_until: object) -> None:
    observed = _day(observed_until, "observed_until")
    if study_end > observed:
        raise fail(
            "study_end",
            f"be on or before the extraction date observed_until ({_iso(observed)})",
            _iso(study_end),
            hint="outcomes after the data were extracted are not observed.",
        )


@renamed_keywords(end="study_end")
def followup_cutoff(months: int, study_end: object) -> dt.date:
    """Find the latest access date giving `months` whole months of follow-up by `study_end`.

    Parameters
    ----------
    months : int
        Minimum follow-up in whole calendar months (0 to :data:`MAX_MONTHS`).
    study_end : date
        The end of follow-up. (``end``, its name before 0.2, is deprecated.)

    Returns
    -------
    datetime.date
        The largest date :math:`a` with ``add_months(a, months) <= study_end``.

    Raises
    ------
    InvalidInputError
        If `months` is not a whole number in range or `study_end` is not a date.

    Notes
    -----
    When `study_end` is the last day of its month, every day of the month `months` earlier
    qualifies (clamping maps 29-31 August onto the end of February), so the cut-off is
    that month's last day; otherwise it is ``add_months(study_end, -months)``.

    Examples
    --------
    >>> followup_cutoff(6, "2019-12-31")
    datetime.date(2019, 6, 30)
    >>> followup_cutoff(6, "2019-02-28")
    datetime.date(2018, 8, 31)
    >>> followup_cutoff(1, "2019-03-15")
    datetime.date(2019, 2, 15)
    """
    k = as_months(months)
    day = _day(study_end, "study_end")
    month = day.astype("datetime64[M]")
    last_of_month = (month + 1).astype("datetime64[D]") - 1
    if day == last_of_month:
        cutoff = (month - k + 1).astype("datetime64[D]") - 1
    else:
        cutoff = add_months(day, -k)
    return _date(np.datetime64(cutoff, "D"))


def access_window(accessed: NDArray[np.datetime64], start: object, end: object) -> Selection:
    """Select the people who first had contact on or after `start` and on or before `end`.

    Parameters
    ----------
    accessed : ndarray of datetime64[D]
        Date of first contact, one per person.
    start, end : date
        The first and last access dates kept (both inclusive).

    Returns
    -------
    Selection
        The mask and a record counting those who accessed before `start` and after `end`.

    Raises
    ------
    InvalidInputError
        If `start` or `end` is not a date, or `end` is before `start`.
    """
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise fail(
            "end",
            "be on or after `start`",
            f"end {_iso(last)} before start {_iso(first)}",
            hint="the window runs from `start` to `end`; swap them.",
        )
    before = accessed < first
    after = accessed > last
    return _selection(
        ~before & ~after,
        step="access window",
        description=f"accessed {_iso(first)} to {_iso(last)}",
        excluded={
            f"accessed before {_iso(first)}": before,
            f"accessed after {_iso(last)}": after,
        },
        parameters={"start": _iso(first), "end": _iso(last)},
    )


def study_end_window(
    accessed: NDArray[np.datetime64], study_end: object, observed_until: object
) -> Selection:
    """Select the people who had first contact by the study end, and set the study end.

    Parameters
    ----------
    accessed : ndarray of datetime64[D]
        Date of first contact, one per person.
    study_end : date
        The date at which outcomes are judged; at most `observed_until`.
    observed_until : date
        The extraction date.

    Returns
    -------
    Selection
        The mask (accessed on or before `study_end`), a record counting the others, and
        the study end.

    Raises
    ------
    InvalidInputError
        If `study_end` is not a date or is after `observed_until`.
    """
    last = _day(study_end, "study_end")
    _check_study_end(last, observed_until)
    after = accessed > last
    return _selection(
        ~after,
        step="study end",
        description=f"outcomes judged at {_iso(last)}; accessed on or before it",
        excluded={f"accessed after {_iso(last)} (the study end)": after},
        parameters={"study_end": _iso(last)},
        study_end=_date(last),
    )


def minimum_followup(
    accessed: NDArray[np.datetime64], months: int, study_end: object, observed_until: object
) -> Selection:
    r"""Select the people who had at least `months` whole months' opportunity by `study_end`.

    Parameters
    ----------
    accessed : ndarray of datetime64[D]
        Date of first contact, one per person.
    months : int
        Minimum follow-up in whole calendar months.
    study_end : date
        The end of follow-up; at most `observed_until`. It becomes the study end.
    observed_until : date
        The extraction date.

    Returns
    -------
    Selection
        People with ``add_months(accessed, months) <= study_end``; the record counts those
        who accessed after `study_end` and those with less than `months` months.

    Raises
    ------
    InvalidInputError
        If `months` is not a whole number in range, `study_end` is not a date, or it is
        after `observed_until` (follow-up after extraction is not observed).

    Notes
    -----
    Person :math:`i` with access date :math:`a_i` is kept when

    .. math::

        \operatorname{add\_months}(a_i, k) \le e
        \iff \operatorname{months\_between}(a_i, e) \ge k
        \iff a_i \le \operatorname{followup\_cutoff}(k, e).

    References
    ----------
    1. Perkins R, et al. BJPsych Bulletin 2022; Table 3: "people who had opportunity for
       at least 6 months' support by 31 Dec 2019" are those who accessed IPS between 1
       January and 30 June 2019.
    """
    k = as_months(months)
    last = _day(study_end, "study_end")
    _check_study_end(last, observed_until)
    cutoff = followup_cutoff(k, last)
    keep = add_months(accessed, k) <= last
    after_end = accessed > last
    too_late = ~keep & ~after_end
    return _selection(
        keep,
        step="minimum follow-up",
        description=f"accessed on or before {cutoff} ({k} months' follow-up by {_iso(last)})",
        excluded={
            f"accessed after {_iso(last)} (the end of follow-up)": after_end,
            f"accessed after {cutoff} (less than {k} months before {_iso(last)})": too_late,
        },
        parameters={"months": k, "end": _iso(last), "latest_access": cutoff.isoformat()},
        study_end=_date(last),
    )


def level_filter(column: Factor, name: str, levels: Collection[object]) -> Selection:
    """Select the people whose categorical attribute `name` takes one of `levels`.

    Parameters
    ----------
    column : Factor
        The attribute's values.
    name : str
        The attribute's name (for the record and messages).
    levels : collection
        The levels kept; people with a missing value are excluded and counted apart.

    Returns
    -------
    Selection
        The mask and its record.

    Raises
    ------
    InvalidInputError
        If a level is not one of the attribute's levels.
    """
    if isinstance(levels, (str, bytes)) or not isinstance(levels, Collection):
        raise fail("levels", "be a collection of levels, e.g. ['White']", repr(levels))
    wanted = list(levels)
    unknown = [level for level in wanted if level not in column.levels]
    if unknown:
        raise fail(
            "levels",
            f"hold levels of {name!r}",
            repr(unknown[0]),
            hint=f"its levels are {column.levels!r}.",
        )
    codes = [column.levels.index(level) for level in wanted]
    keep = np.isin(column.codes, codes)
    missing = column.codes < 0
    shown = ", ".join(str(level) for level in wanted)
    return _selection(
        keep,
        step="attribute filter",
        description=f"{name} in {shown}",
        excluded={f"{name} not in {shown}": ~keep & ~missing, f"{name} missing": missing},
        parameters={"name": name, "levels": tuple(wanted)},
    )


def sensitivity_months(months: object) -> tuple[int, ...]:
    """Validate the window lengths of a sensitivity analysis: distinct whole months."""
    if isinstance(months, (str, bytes)) or not isinstance(months, Sequence) or not months:
        raise fail("months", "be a non-empty sequence of whole numbers", repr(months))
    lengths = tuple(as_months(m) for m in months)
    if len(set(lengths)) != len(lengths):
        raise fail("months", "hold distinct window lengths", repr(tuple(months)))
    return lengths


def _deprecated(name: str) -> None:
    warnings.warn(
        f"`ipsstats.cohort.windows.{name}(cohort, ...)` is deprecated since ipsstats 0.2; "
        f"call the method `cohort.{name}(...)`.",
        DeprecationWarning,
        stacklevel=3,
    )


def accessed_between(cohort: Any, start: object, end: object) -> Any:
    """Apply the method ``cohort.accessed_between`` (deprecated function form)."""
    _deprecated("accessed_between")
    return cohort.accessed_between(start, end)


def with_minimum_followup(cohort: Any, months: int = 6, *, end: object = None) -> Any:
    """Apply the method ``cohort.with_minimum_followup`` (deprecated function form)."""
    _deprecated("with_minimum_followup")
    return cohort.with_minimum_followup(months, study_end=end)


def followup_sensitivity(
    cohort: Any, months: Sequence[int] = (3, 6, 9, 12), *, end: object = None
) -> Any:
    """Apply the method ``cohort.followup_sensitivity`` (deprecated function form)."""
    _deprecated("followup_sensitivity")
    return cohort.followup_sensitivity(months, study_end=end)


def where(cohort: Any, name: str, levels: Collection[object]) -> Any:
    """Apply the method ``cohort.where`` (deprecated function form)."""
    _deprecated("where")
    return cohort.where(name, levels)
