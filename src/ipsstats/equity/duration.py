"""Equity of duration.

Do the groups wait as long for a job, and are they supported in work as long?
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.cohort import Cohort
from ipsstats.equity._common import (
    _NAIVE_LABEL,
    MEASURES,
    Measure,
    _categorical,
    _str_tuple,
    _undefined,
)
from ipsstats.errors import InsufficientDataError
from ipsstats.factor import Factor
from ipsstats.results import NOT_IN_DICT, Estimate, ToDict
from ipsstats.survival import (
    GrayTestResult,
    IncidenceCurve,
    LogrankResult,
    SurvivalCurve,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank,
)

__all__ = ["DurationEquity", "DurationGroup", "Landmark", "duration_equity"]

# --------------------------------------------------------------------------------------
# duration equity
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Landmark(ToDict):
    """Estimates at one landmark time.

    Parameters
    ----------
    months : float
        The landmark in months.
    days : float
        The same in days (``months * 365.25 / 12``).
    remaining : Estimate
        Kaplan-Meier share still waiting for a job (``time_to_job``) or still supported in
        work (``in_work_support``) at the landmark, with its interval; undefined (with a
        note) past the group's follow-up.
    incidence : Estimate or None
        ``time_to_job`` only: cumulative incidence of a job by the landmark, with discharge
        without a job as a competing risk (Aalen-Johansen).
    """

    months: float
    days: float
    remaining: Estimate
    incidence: Estimate | None = None


@attrs.frozen(kw_only=True)
class DurationGroup(ToDict):
    """One group's durations.

    Parameters
    ----------
    group : object
        The group's label.
    n : int
        People in the group.
    n_events : int
        People whose duration ended with the event (a job, a discharge).
    median : Estimate
        Kaplan-Meier median in days with the Brookmeyer-Crowley interval (``None`` with a
        note when not reached).
    naive_median : float or None
        The median duration in days among the people with the event only, ignoring
        everyone censored: what papers usually print, biased downwards under censoring.
        ``None`` when nobody had the event.
    landmarks : tuple of Landmark
        Estimates at each landmark.
    naive_median_label : str
        How `naive_median` is labelled in reports.
    curve : SurvivalCurve or None
        The group's Kaplan-Meier curve, for figures (:func:`ipsstats.plot.plot_survival`).
        Not part of ``to_dict()``: it has one row per distinct time, and the JSON form
        keeps to the summaries above. Not compared by ``==``.
    incidence_curve : IncidenceCurve or None
        ``time_to_job`` only: the group's cumulative incidence of a job with discharge as
        a competing risk, for figures. Not part of ``to_dict()`` and not compared.
    """

    group: object
    n: int
    n_events: int
    median: Estimate
    naive_median: float | None
    landmarks: tuple[Landmark, ...]
    naive_median_label: str = _NAIVE_LABEL
    curve: SurvivalCurve | None = attrs.field(
        default=None, eq=False, repr=False, metadata=NOT_IN_DICT
    )
    incidence_curve: IncidenceCurve | None = attrs.field(
        default=None, eq=False, repr=False, metadata=NOT_IN_DICT
    )


@attrs.frozen(kw_only=True)
class DurationEquity(ToDict):
    """Result of :func:`duration_equity`.

    Parameters
    ----------
    name : str
        The grouping attribute.
    measure : {"time_to_job", "in_work_support"}
        What was measured.
    unit : str
        ``"days"``.
    confidence_level : float
        Coverage of every interval.
    landmark_months : tuple of float
        The landmarks.
    study_end : datetime.date
        The date at which durations were censored and events judged (the cohort's study
        end).
    n : int
        People analysed (group known).
    n_missing : int
        People left out because their group was not known.
    n_window_excluded : int
        People left out because they accessed after the study end.
    groups : tuple of DurationGroup
        One row per group with anyone in it.
    logrank : LogrankResult or None
        The log-rank test of equal survival curves across groups (``None`` with a caveat
        when it cannot be computed).
    gray : GrayTestResult or None
        ``time_to_job`` only: Gray's test of equal cumulative incidence of a job.
    caveats : tuple of str
        Anything a reader must know.
    """

    name: str
    measure: Measure
    unit: str
    confidence_level: float
    landmark_months: tuple[float, ...]
    study_end: dt.date
    n: int
    n_missing: int
    groups: tuple[DurationGroup, ...]
    logrank: LogrankResult | None
    gray: GrayTestResult | None
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    n_window_excluded: int = 0

    def to_text(self) -> str:
        """Render as plain text: medians (in months) and landmark shares per group."""
        lines = [f"{self.name}: {self.measure.replace('_', ' ')}"]
        for g in self.groups:
            m = g.median
            text = (
                f"  {g.group}: n = {g.n}, events = {g.n_events}, KM median "
                f"{_months_text(m.value)} months ({_months_text(m.lower)} to "
                f"{_months_text(m.upper)}); {g.naive_median_label}: "
                f"{_months_text(g.naive_median)} months"
            )
            lines.append(text)
        for name, test in (("log-rank", self.logrank), ("Gray", self.gray)):
            if test is not None:
                lines.append(f"{name}: statistic = {test.statistic:.3f}, p = {test.pvalue:.3g}")
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _months_text(days: float | None) -> str:
    return "not reached" if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def _landmark_months(value: object) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise fail("landmarks", "be a sequence of months", type(value).__name__)
    out: list[float] = []
    for item in value:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            raise fail("landmarks", "hold numbers of months", repr(item))
        if not (math.isfinite(float(item)) and float(item) > 0):
            raise fail("landmarks", "hold positive, finite numbers of months", repr(item))
        out.append(float(item))
    return tuple(out)


def _at_landmark(estimate: Any, days: float, method: str) -> Estimate:
    """Evaluate a curve at a landmark; undefined (with a note) past its follow-up."""
    try:
        result: Estimate = estimate(days)
    except InsufficientDataError:
        return _undefined(method, "after the group's last follow-up time")
    return result


def _labels(column: Factor) -> NDArray[np.object_]:
    labels = np.empty(len(column.levels) + 1, dtype=object)
    labels[:-1] = column.levels
    labels[-1] = None
    out: NDArray[np.object_] = labels[column.codes]
    return out


def _duration_group(
    label: object,
    *,
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    causes: NDArray[np.int64] | None,
    landmarks: tuple[float, ...],
    level: float,
) -> DurationGroup:
    curve = kaplan_meier(durations, events, confidence_level=level)
    incidence = (
        None
        if causes is None
        else cumulative_incidence(durations, causes, cause=1, confidence_level=level)
    )
    marks = []
    for months in landmarks:
        days = months * DAYS_PER_MONTH
        marks.append(
            Landmark(
                months=months,
                days=days,
                remaining=_at_landmark(curve.survival_at, days, "kaplan-meier"),
                incidence=None
                if incidence is None
                else _at_landmark(incidence.at, days, "aalen-johansen"),
            )
        )
    with_event = durations[events]
    return DurationGroup(
        group=label,
        n=int(durations.size),
        n_events=int(with_event.size),
        median=curve.median(),
        naive_median=float(np.median(with_event)) if with_event.size else None,
        landmarks=tuple(marks),
        curve=curve,
        incidence_curve=incidence,
    )


def duration_equity(
    cohort: Cohort,
    by: str,
    *,
    measure: Measure = "time_to_job",
    landmarks: Sequence[float] = (6, 12),
    confidence_level: float = 0.95,
    study_end: object = None,
) -> DurationEquity:
    r"""Compare how long groups wait for a job, or how long they are supported in work.

    Parameters
    ----------
    cohort : Cohort
        People using IPS.
    by : str
        The grouping attribute (categorical), e.g. ``"ethnicity"``.
    measure : {"time_to_job", "in_work_support"}
        ``"time_to_job"``: days from first contact to the first job, censored at
        discharge without a job or at extraction (:meth:`~ipsstats.Cohort.time_to_job`);
        ``"in_work_support"``: days from job start to discharge, for people with a job
        (:meth:`~ipsstats.Cohort.in_work_support`).
    landmarks : sequence of float
        Times in months at which to report the share still waiting or still supported.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1.
    study_end : date, optional
        The date at which durations are censored and events judged
        (:meth:`Cohort.with_study_end <ipsstats.Cohort.with_study_end>`); default the
        cohort's :attr:`~ipsstats.Cohort.study_end`. People who accessed after it are left
        out and counted.

    Returns
    -------
    DurationEquity
        Per group (``groups``): ``n``, ``n_events``, Kaplan-Meier ``median`` with its
        interval, ``naive_median`` among those with the event (labelled as such) and
        ``landmarks``; the ``logrank`` test across groups; for ``"time_to_job"`` the
        cumulative incidence of a job at each landmark with discharge as a competing
        risk, and Gray's test (``gray``).

    Raises
    ------
    InvalidInputError
        If `by` is not a categorical attribute of the cohort (the message lists those it
        has), `measure` is unknown, or `landmarks` are not positive numbers of months.
    InsufficientDataError
        If nobody with a known group is left.

    See Also
    --------
    ipsstats.kaplan_meier, ipsstats.logrank, ipsstats.cumulative_incidence,
    ipsstats.gray_test

    Notes
    -----
    The share still waiting at landmark :math:`t` is the Kaplan-Meier estimate

    .. math::

        \hat S(t) = \prod_{t_i \le t} \left(1 - \frac{d_i}{n_i}\right),

    and the cumulative incidence of a job is the Aalen-Johansen estimate
    :math:`\hat F_1(t) = \sum_{t_i \le t} \hat S(t_{i-1}) d_{1i} / n_i`, which, unlike
    :math:`1 - \hat S(t)`, does not treat people discharged without a job as if they
    could still get one. Medians published in papers are usually the median among
    those with a job (`naive_median`); under censoring it understates the typical
    wait, so both are reported. Months are days divided by 365.25 / 12.

    References
    ----------
    .. [1] Rinaldi, M. et al. (2024). Individual placement and support (IPS): duration
       of employment support and equity of access and outcome in routine clinical
       practice. BJPsych Bulletin, doi 10.1192/bjb.2024.68 (median 132 days to a job).
    .. [2] Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative
       incidence of a competing risk. Annals of Statistics 16(3), 1141-1154.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2023-01-01"] * 6,
    ...      "job_start": ["2023-02-01", "2023-04-01", None, "2023-03-01", None, None],
    ...      "discharged": [None, None, "2023-05-01", None, None, "2023-06-01"],
    ...      "group": ["a", "a", "a", "b", "b", "b"]},
    ...     observed_until="2023-12-31")
    >>> res = duration_equity(cohort, "group", landmarks=(3,))
    >>> [g.n_events for g in res.groups]
    [2, 1]
    >>> print(res.groups[0].median.value, res.groups[0].naive_median)
    90.0 60.5
    """
    how = as_option(measure, "measure", MEASURES)
    level = as_confidence_level(confidence_level)
    marks = _landmark_months(landmarks)
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    n_late = 0
    if study_end is not None:
        at_end = cohort.with_study_end(study_end)
        n_late, cohort = cohort.n - at_end.n, at_end
    column = _categorical(cohort, by, "by")
    data = cohort.time_to_job() if how == "time_to_job" else cohort.in_work_support()
    factor = data.group(by)
    assert isinstance(factor, Factor)  # checked on the cohort above
    causes = cohort.job_or_discharge().causes if how == "time_to_job" else None
    known = factor.codes >= 0
    if not known.any():
        raise InsufficientDataError(
            f"`by` = {by!r}: nobody has both a known {by} and a {how.replace('_', ' ')} "
            "duration, so there is nothing to compare.",
            argument="by",
        )
    groups = []
    caveats: list[str] = []
    for code, label in enumerate(column.levels):
        mask = factor.codes == code
        if not mask.any():
            caveats.append(f"group {label!r} has nobody with a duration and is not shown")
            continue
        groups.append(
            _duration_group(
                label,
                durations=data.durations[mask],
                events=data.events[mask],
                causes=None if causes is None else causes[mask],
                landmarks=marks,
                level=level,
            )
        )
    labels = _labels(factor)
    test, gray, more = _duration_tests(data.durations, data.events, labels, causes)
    return DurationEquity(
        study_end=cohort.study_end,
        n_window_excluded=n_late,
        name=by,
        measure=how,
        unit="days",
        confidence_level=level,
        landmark_months=marks,
        n=int(known.sum()),
        n_missing=int((~known).sum()),
        groups=tuple(groups),
        logrank=test,
        gray=gray,
        caveats=(*caveats, *more),
    )


def _duration_tests(
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    labels: NDArray[np.object_],
    causes: NDArray[np.int64] | None,
) -> tuple[LogrankResult | None, GrayTestResult | None, list[str]]:
    caveats: list[str] = []
    test: LogrankResult | None = None
    gray: GrayTestResult | None = None
    try:
        test = logrank(durations, events, labels)
    except InsufficientDataError as exc:
        caveats.append(f"log-rank test not computed: {exc}")
    if causes is not None:
        try:
            gray = gray_test(durations, causes, labels, cause=1)
        except InsufficientDataError as exc:
            caveats.append(f"Gray's test not computed: {exc}")
    return test, gray, caveats
