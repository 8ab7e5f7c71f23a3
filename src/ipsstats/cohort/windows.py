"""Selection windows on a cohort: access periods and minimum follow-up, fully accounted for.

Each selection returns a new :class:`~ipsstats.cohort.Cohort` whose
:attr:`~ipsstats.cohort.Cohort.exclusions` gains one :class:`Exclusions` record: how many
people the step started with, kept, and excluded under each rule. Chained steps therefore
leave a complete audit trail from the records read to the analysis set.

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
import types
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.calendar import add_months, as_date
from ipsstats.factor import Factor
from ipsstats.results import frozen_mapping, json_safe

if TYPE_CHECKING:
    from ipsstats.cohort.cohort import Cohort

__all__ = [
    "Exclusions",
    "accessed_between",
    "followup_cutoff",
    "followup_sensitivity",
    "where",
    "with_minimum_followup",
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


def _day(value: object, name: str) -> np.datetime64:
    return as_date(value, name)


def _iso(day: np.datetime64) -> str:
    return str(day.astype("datetime64[D]"))


def _months(value: object, name: str = "months") -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise fail(name, "be a whole number of months (an integer >= 0)", repr(value))
    if int(value) < 0:
        raise fail(name, "be a whole number of months (an integer >= 0)", repr(value))
    return int(value)


def _select(
    cohort: Cohort,
    keep: NDArray[np.bool_],
    *,
    step: str,
    description: str,
    excluded: Mapping[str, NDArray[np.bool_]],
    parameters: Mapping[str, Any],
    outcome_end: object = None,
) -> Cohort:
    """Keep the people where `keep` is true, recording the step and who it excluded.

    `excluded` maps each reason to the mask of the people it excludes; the record
    counts them.
    """
    record = Exclusions(
        step=step,
        description=description,
        n_before=cohort.n,
        n_after=int(np.count_nonzero(keep)),
        counts={reason: int(np.count_nonzero(mask)) for reason, mask in excluded.items()},
        parameters=parameters,
    )
    return cohort.take(keep, record=record, outcome_end=outcome_end)


def followup_cutoff(months: int, end: object) -> dt.date:
    """Find the latest access date giving `months` whole months of follow-up by `end`.

    Parameters
    ----------
    months : int
        Minimum follow-up in whole calendar months (>= 0).
    end : date
        The end of follow-up.

    Returns
    -------
    datetime.date
        The largest date :math:`a` with ``add_months(a, months) <= end``.

    Raises
    ------
    InvalidInputError
        If `months` is not a non-negative integer or `end` is not a date.

    Notes
    -----
    When `end` is the last day of its month, every day of the month `months` earlier
    qualifies (clamping maps 29-31 August onto the end of February), so the cut-off is
    that month's last day; otherwise it is ``add_months(end, -months)``.

    Examples
    --------
    >>> followup_cutoff(6, "2019-12-31")
    datetime.date(2019, 6, 30)
    >>> followup_cutoff(6, "2019-02-28")
    datetime.date(2018, 8, 31)
    >>> followup_cutoff(1, "2019-03-15")
    datetime.date(2019, 2, 15)
    """
    k = _months(months)
    day = _day(end, "end")
    month = day.astype("datetime64[M]")
    last_of_month = (month + 1).astype("datetime64[D]") - 1
    if day == last_of_month:
        cutoff = (month - k + 1).astype("datetime64[D]") - 1
    else:
        cutoff = add_months(day, -k)
    return dt.date.fromisoformat(_iso(np.datetime64(cutoff, "D")))


def accessed_between(cohort: Cohort, start: object, end: object) -> Cohort:
    """Keep the people who first had contact on or after `start` and on or before `end`.

    Parameters
    ----------
    cohort : Cohort
        The people to select from.
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
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise fail(
            "end",
            "be on or after `start`",
            f"end {_iso(last)} before start {_iso(first)}",
            hint="the window runs from `start` to `end`; swap them.",
        )
    before = cohort.accessed < first
    after = cohort.accessed > last
    keep = ~before & ~after
    return _select(
        cohort,
        keep,
        step="access window",
        description=f"accessed {_iso(first)} to {_iso(last)}",
        excluded={
            f"accessed before {_iso(first)}": before,
            f"accessed after {_iso(last)}": after,
        },
        parameters={"start": _iso(first), "end": _iso(last)},
    )


def with_minimum_followup(cohort: Cohort, months: int = 6, *, end: object) -> Cohort:
    r"""Keep the people who had at least `months` whole months' opportunity by `end`.

    Parameters
    ----------
    cohort : Cohort
        The people to select from.
    months : int
        Minimum follow-up in whole calendar months (>= 0).
    end : date
        The end of follow-up: at most the cohort's ``observed_until``. It becomes the
        cohort's ``outcome_end``, the date at which ``"job_by_end"`` is judged.

    Returns
    -------
    Cohort
        People with ``add_months(accessed, months) <= end``; an :class:`Exclusions` record
        counts those who accessed after `end` and those with less than `months` months.

    Raises
    ------
    InvalidInputError
        If `months` is not a non-negative integer, `end` is not a date, or `end` is after
        the cohort's ``observed_until`` (follow-up after extraction is not observed).

    See Also
    --------
    ipsstats.calendar.add_months, followup_cutoff, followup_sensitivity

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

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-01", "2019-06-30", "2019-07-01"]},
    ...     observed_until="2019-12-31")
    >>> six = cohort.with_minimum_followup(6, end="2019-12-31")
    >>> six.accessed
    array(['2019-01-01', '2019-06-30'], dtype='datetime64[D]')
    """
    k = _months(months)
    last = _day(end, "end")
    observed = np.datetime64(cohort.observed_until, "D")
    if last > observed:
        raise fail(
            "end",
            f"be on or before the cohort's observed_until ({_iso(observed)})",
            _iso(last),
            hint="follow-up after the data were extracted is not observed.",
        )
    cutoff = followup_cutoff(k, last)
    keep = add_months(cohort.accessed, k) <= last
    after_end = cohort.accessed > last
    too_late = ~keep & ~after_end
    return _select(
        cohort,
        keep,
        step="minimum follow-up",
        description=f"accessed on or before {cutoff} ({k} months' follow-up by {_iso(last)})",
        excluded={
            f"accessed after {_iso(last)} (the end of follow-up)": after_end,
            f"accessed after {cutoff} (less than {k} months before {_iso(last)})": too_late,
        },
        parameters={"months": k, "end": _iso(last), "latest_access": cutoff.isoformat()},
        outcome_end=_iso(last),
    )


def followup_sensitivity(
    cohort: Cohort, months: Sequence[int] = (3, 6, 9, 12), *, end: object
) -> Mapping[int, Cohort]:
    """Apply several minimum-follow-up windows at once, for a sensitivity analysis.

    Parameters
    ----------
    cohort : Cohort
        The people to select from.
    months : sequence of int
        The window lengths in months, e.g. ``(3, 6, 9, 12)``; distinct.
    end : date
        The end of follow-up, as for :func:`with_minimum_followup`.

    Returns
    -------
    Mapping[int, Cohort]
        One sub-cohort per window length, in the order given.

    Raises
    ------
    InvalidInputError
        If `months` is empty or repeats a value, or as :func:`with_minimum_followup`.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-15", "2019-04-15", "2019-07-15", "2019-10-15"]},
    ...     observed_until="2019-12-31")
    >>> {k: c.n for k, c in cohort.followup_sensitivity(end="2019-12-31").items()}
    {3: 3, 6: 2, 9: 1, 12: 0}
    """
    if isinstance(months, (str, bytes)) or not isinstance(months, Sequence) or not months:
        raise fail("months", "be a non-empty sequence of whole numbers", repr(months))
    lengths = [_months(m) for m in months]
    if len(set(lengths)) != len(lengths):
        raise fail("months", "hold distinct window lengths", repr(tuple(months)))
    return types.MappingProxyType({k: with_minimum_followup(cohort, k, end=end) for k in lengths})


def where(cohort: Cohort, name: str, levels: Collection[object]) -> Cohort:
    """Keep the people whose categorical attribute `name` takes one of `levels`.

    Parameters
    ----------
    cohort : Cohort
        The people to select from.
    name : str
        A categorical attribute.
    levels : collection
        The levels kept; people with a missing value are excluded and counted apart.

    Returns
    -------
    Cohort
        The selected people, with an :class:`Exclusions` record.

    Raises
    ------
    InvalidInputError
        If `name` is not a categorical attribute or a level is not one of its levels.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-01"] * 3, "service": ["CNWL", "WWT", "CNWL"]},
    ...     observed_until="2019-12-31")
    >>> cohort.where("service", ["CNWL"]).n
    2
    """
    column = cohort[name]
    if not isinstance(column, Factor):
        raise fail("name", "name a categorical attribute", repr(name))
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
    return _select(
        cohort,
        keep,
        step="attribute filter",
        description=f"{name} in {shown}",
        excluded={f"{name} not in {shown}": ~keep & ~missing, f"{name} missing": missing},
        parameters={"name": name, "levels": tuple(wanted)},
    )
