"""The concentration index, and inequality of proportions across ordered groups.

:func:`concentration_index` gives Kakwani, Wagstaff and van Doorslaer's concentration index
of a binary outcome with its standard error; :func:`proportion_inequality` and
:func:`outcome_inequality` give it beside the slope and relative indices of inequality,
for proportions from counts or the job rates of a cohort.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_counts, as_option, fail, float_array
from ipsstats._deprecation import renamed_keywords
from ipsstats._encoding import check_levels
from ipsstats.categorical import proportion
from ipsstats.cohort import Cohort
from ipsstats.equity._common import _categorical, _fmt, _str_tuple
from ipsstats.equity._limits import z_value
from ipsstats.equity._strata import as_labels_for
from ipsstats.equity.inequality import (
    SLOPE_METHODS,
    SlopeIndex,
    SlopeMethod,
    _ranks,
    _slope,
    _to_scale,
    _tuple,
)
from ipsstats.equity.outcome import _months_option, _window
from ipsstats.errors import InsufficientDataError
from ipsstats.results import Estimate, ToDict

__all__ = [
    "ConcentrationIndex",
    "InequalityIndices",
    "concentration_index",
    "outcome_inequality",
    "proportion_inequality",
]


# --------------------------------------------------------------------------------------
# concentration index
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class ConcentrationIndex(ToDict):
    """Result of :func:`concentration_index`.

    Parameters
    ----------
    index : Estimate
        The concentration index, in [-1, 1], with its interval (Kakwani et al.'s
        standard error): negative when the outcome concentrates at the bottom of the
        order (the first groups), positive at the top.
    labels : tuple
        The groups, in order.
    events, population : numpy.ndarray
        Each group's people with the outcome, and people.
    ranks : numpy.ndarray
        Each group's relative rank (midpoint of its cumulative population share).
    curve : numpy.ndarray
        The concentration curve at the end of each group: the cumulative share of the
        outcome.
    confidence_level : float
        Coverage of the interval.
    """

    index: Estimate
    labels: tuple[object, ...] = attrs.field(converter=_tuple)
    events: NDArray[np.float64] = attrs.field(converter=float_array)
    population: NDArray[np.float64] = attrs.field(converter=float_array)
    ranks: NDArray[np.float64] = attrs.field(converter=float_array)
    curve: NDArray[np.float64] = attrs.field(converter=float_array)
    confidence_level: float

    def __str__(self) -> str:
        return f"concentration index {self.index}"


def _concentration(
    events: NDArray[np.float64], population: NDArray[np.float64], level: float
) -> Estimate:
    n = float(population.sum())
    shares, ranks = _ranks(population)
    means = events / population
    mu = float(events.sum()) / n
    c = 2.0 / mu * float(np.sum(shares * means * ranks)) - 1.0
    q = np.cumsum(shares * means) / mu
    q_before = np.concatenate([[0.0], q[:-1]])
    a = means / mu * (2.0 * ranks - 1.0 - c) + 2.0 - q_before - q
    within = means * (1.0 - means)
    var = (float(np.sum(shares * a * a)) - (1.0 + c) ** 2) / n
    var += float(np.sum(shares * within * (2.0 * ranks - 1.0 - c) ** 2)) / (n * mu * mu)
    se = math.sqrt(max(var, 0.0))
    z = z_value(level)
    return Estimate(
        value=c,
        lower=c - z * se,
        upper=c + z * se,
        confidence_level=level,
        method="kakwani",
        std_err=se,
        at_level=functools.partial(_concentration, events, population),
    )


def _as_group_counts(
    events: object, population: object, labels: Sequence[object] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[object, ...]]:
    x = as_counts(events, "events").astype(np.float64)
    n = as_counts(population, "population").astype(np.float64)
    if x.shape != n.shape:
        raise fail(
            "events", f"hold one count per group, as `population` ({n.size})", f"{x.size} counts"
        )
    if x.size < 2:
        raise fail("events", "hold at least two groups", f"{x.size}")
    if (n <= 0).any():
        k = int(np.argmax(n <= 0))
        raise fail(
            "population",
            "be positive in every group",
            f"{n[k]:g} at index {k}",
            hint="leave out or merge empty groups.",
            positions=(k,),
        )
    if (x > n).any():
        k = int(np.argmax(x > n))
        raise fail(
            "events",
            "be at most `population` in every group",
            f"{x[k]:g} of {n[k]:g} at index {k}",
            positions=(k,),
        )
    if x.sum() == 0:
        raise InsufficientDataError(
            "`events` are all 0: an outcome nobody has has no concentration. "
            "Hint: check the counts.",
            argument="events",
        )
    return x, n, as_labels_for(labels, "labels", x.size)


@renamed_keywords(conf_level="confidence_level")
def concentration_index(
    events: object,
    population: object,
    *,
    labels: Sequence[object] | None = None,
    confidence_level: float = 0.95,
) -> ConcentrationIndex:
    r"""Concentration index of a binary outcome across ordered groups, with its SE.

    Parameters
    ----------
    events : array-like of int
        People with the outcome (e.g. a job) in each group, groups in their order
        (e.g. from the most to the least deprived).
    population : array-like of int
        People in each group (positive), at least `events`.
    labels : sequence, optional
        The groups' labels; default ``1, 2, ...``.
    confidence_level : float
        Coverage of the interval, strictly between 0 and 1. (``conf_level`` is accepted
        with a deprecation warning.)

    Returns
    -------
    ConcentrationIndex
        The ``index`` (an :class:`~ipsstats.Estimate` with its standard error), the
        groups' ranks and the concentration curve.

    Raises
    ------
    InvalidInputError
        If counts are not whole and non-negative, differ in length, fewer than two
        groups are given, a population is 0, or events exceed the population.
    InsufficientDataError
        If nobody has the outcome.

    See Also
    --------
    slope_index : the slope and relative index of inequality.

    Notes
    -----
    With group shares :math:`f_t`, outcome rates :math:`\mu_t`, overall rate
    :math:`\mu = \sum_t f_t \mu_t`, relative ranks :math:`R_t = \sum_{s<t} f_s +
    f_t/2` and concentration-curve ordinates :math:`q_t = \mu^{-1} \sum_{s \le t}
    f_s \mu_s` (:math:`q_0 = 0`), Kakwani, Wagstaff and van Doorslaer's grouped-data
    estimator and variance [1]_ are

    .. math::

        C = \frac{2}{\mu} \sum_t f_t \mu_t R_t - 1,

    .. math::

        \operatorname{Var}(C) = \frac{1}{n}\left[\sum_t f_t a_t^2 - (1 + C)^2\right]
        + \frac{1}{n\mu^2} \sum_t f_t \sigma_t^2 (2R_t - 1 - C)^2,

    with :math:`a_t = (\mu_t/\mu)(2R_t - 1 - C) + 2 - q_{t-1} - q_t`, the
    within-group variance :math:`\sigma_t^2 = \mu_t(1 - \mu_t)` of a binary outcome
    and :math:`n` people in all. The interval is :math:`C \pm z\,\text{SE}`. With
    these ranks :math:`C` equals the index computed person by person with tied ranks
    within a group [2]_.

    References
    ----------
    .. [1] Kakwani, N., Wagstaff, A. and van Doorslaer, E. (1997). Socioeconomic
       inequalities in health: measurement, computation, and statistical inference.
       Journal of Econometrics 77(1), 87-103.
    .. [2] O'Donnell, O., van Doorslaer, E., Wagstaff, A. and Lindelow, M. (2008).
       Analyzing Health Equity Using Household Survey Data. World Bank, chapter 8.

    Examples
    --------
    Jobs among IPS users by deprivation quintile, most deprived first:

    >>> res = concentration_index([20, 25, 30, 33, 40], [80, 75, 70, 66, 72])
    >>> print(f"{res.index.value:.4f} (SE {res.index.std_err:.4f})")
    0.1552 (SE 0.0348)
    """
    level = as_confidence_level(confidence_level)
    x, n, names = _as_group_counts(events, population, labels)
    _, ranks = _ranks(n)
    curve = np.cumsum(x) / x.sum()
    return ConcentrationIndex(
        index=_concentration(x, n, level),
        labels=names,
        events=x,
        population=n,
        ranks=ranks,
        curve=curve,
        confidence_level=level,
    )


# --------------------------------------------------------------------------------------
# proportions: counts and cohorts
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class InequalityIndices(ToDict):
    """Result of :func:`proportion_inequality` and :func:`outcome_inequality`.

    Parameters
    ----------
    rates : tuple of Estimate
        Each group's proportion with its Wilson interval, in order.
    slope : SlopeIndex
        The slope and relative index of inequality.
    concentration : ConcentrationIndex
        The concentration index.
    name : str or None
        The ordered grouping variable, when known.
    caveats : tuple of str
        Anything a reader must know, in words.
    """

    rates: tuple[Estimate, ...]
    slope: SlopeIndex
    concentration: ConcentrationIndex
    name: str | None = None
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def to_text(self) -> str:
        """Render as plain text: the rate per group, then the three indices."""
        rows = [("group", "events/n", "rate (CI)")]
        for label, x, n, rate in zip(
            self.concentration.labels,
            self.concentration.events,
            self.concentration.population,
            self.rates,
            strict=True,
        ):
            rows.append(
                (
                    str(label),
                    f"{x:g}/{n:g}",
                    f"{_fmt(rate.value)} ({_fmt(rate.lower)} to {_fmt(rate.upper)})",
                )
            )
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        lines = [f"inequality across {self.name or 'ordered groups'} (first = rank 0)"]
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        lines += [f"SII {self.slope.sii}", f"RII {self.slope.rii}", str(self.concentration)]
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _indices(
    x: NDArray[np.float64],
    n: NDArray[np.float64],
    names: tuple[object, ...],
    *,
    how: SlopeMethod,
    n_simulations: object,
    rng: object,
    level: float,
    name: str | None = None,
    caveats: Sequence[str] = (),
) -> InequalityIndices:
    p = x / n
    rates = tuple(
        proportion(int(k), int(m), method="wilson", confidence_level=level)
        for k, m in zip(x, n, strict=True)
    )
    if how == "analytic":
        slope = _slope(
            p,
            n,
            np.sqrt(p * (1.0 - p) / n),
            scale="none",
            how=how,
            n_simulations=n_simulations,
            rng=rng,
            names=names,
            level=level,
        )
    else:
        edge = (x == 0) | (x == n)
        if edge.any():
            k = int(np.argmax(edge))
            raise fail(
                "events",
                "be strictly between 0 and the population in every group for the "
                "simulation (it works on the logit scale)",
                f"{x[k]:g} of {n[k]:g} in group {names[k]!r}",
                hint="use method='analytic', or merge small groups.",
                positions=(k,),
            )
        wilson = [
            proportion(int(k), int(m), method="wilson", confidence_level=0.95)
            for k, m in zip(x, n, strict=True)
        ]
        low = np.array([w.lower for w in wilson], dtype=np.float64)
        high = np.array([w.upper for w in wilson], dtype=np.float64)
        se = (_to_scale(high, "logit") - _to_scale(low, "logit")) / (2.0 * z_value(0.95))
        slope = _slope(
            p,
            n,
            se,
            scale="logit",
            how=how,
            n_simulations=n_simulations,
            rng=rng,
            names=names,
            level=level,
        )
    _, ranks = _ranks(n)
    concentration = ConcentrationIndex(
        index=_concentration(x, n, level),
        labels=names,
        events=x,
        population=n,
        ranks=ranks,
        curve=np.cumsum(x) / x.sum(),
        confidence_level=level,
    )
    notes = list(caveats)
    if x.size < 5:
        notes.append(
            f"only {x.size} groups: the OHID compute the SII over 5 to 100 ordered groups"
        )
    return InequalityIndices(
        rates=rates, slope=slope, concentration=concentration, name=name, caveats=notes
    )


@renamed_keywords(conf_level="confidence_level")
def proportion_inequality(
    events: object,
    population: object,
    *,
    labels: Sequence[object] | None = None,
    method: SlopeMethod = "simulation",
    n_simulations: int = 100_000,
    rng: object = None,
    confidence_level: float = 0.95,
) -> InequalityIndices:
    r"""SII, RII and concentration index of a proportion across ordered groups.

    Parameters
    ----------
    events : array-like of int
        People with the outcome in each group, groups in their order.
    population : array-like of int
        People in each group (positive).
    labels : sequence, optional
        The groups' labels; default ``1, 2, ...``.
    method : {"simulation", "analytic"}
        The SII and RII intervals: the OHID's simulation on the logit scale, with each
        group's standard error from its 95% Wilson interval (default; needs every group
        to have some but not all people with the outcome), or the delta method with
        binomial variances :math:`p(1-p)/n`.
    n_simulations, rng
        As :func:`slope_index`.
    confidence_level : float
        Coverage of every interval. (``conf_level`` is accepted with a deprecation
        warning.)

    Returns
    -------
    InequalityIndices
        ``rates`` (Wilson), ``slope`` (:class:`SlopeIndex`) and ``concentration``
        (:class:`ConcentrationIndex`).

    Raises
    ------
    InvalidInputError
        As :func:`concentration_index`; also if, for the simulation, a group has none
        or all of its people with the outcome.
    InsufficientDataError
        If nobody has the outcome.

    See Also
    --------
    slope_index, concentration_index : the indices.
    outcome_inequality : job rates across the ordered groups of a cohort.

    Notes
    -----
    See :func:`slope_index` and :func:`concentration_index` for the formulas [1]_ [2]_.

    References
    ----------
    .. [1] Low, A. and Low, A. (2004). Measuring the gap: quantifying and comparing local
       health inequalities. Journal of Public Health 26(4), 388-395.
    .. [2] Kakwani, N., Wagstaff, A. and van Doorslaer, E. (1997). Socioeconomic
       inequalities in health: measurement, computation, and statistical inference.
       Journal of Econometrics 77(1), 87-103.

    Examples
    --------
    >>> res = proportion_inequality([20, 25, 30, 33, 40], [80, 75, 70, 66, 72], rng=1)
    >>> print(f"SII {res.slope.sii.value:.3f}, RII {res.slope.rii.value:.2f}")
    SII 0.396, RII 2.89
    """
    how = as_option(method, "method", SLOPE_METHODS)
    level = as_confidence_level(confidence_level)
    x, n, names = _as_group_counts(events, population, labels)
    return _indices(x, n, names, how=how, n_simulations=n_simulations, rng=rng, level=level)


@renamed_keywords(conf_level="confidence_level")
def outcome_inequality(
    cohort: Cohort,
    by: str,
    *,
    order: Sequence[object] | None = None,
    min_followup_months: int | None = None,
    study_end: object = None,
    method: SlopeMethod = "simulation",
    n_simulations: int = 100_000,
    rng: object = None,
    confidence_level: float = 0.95,
) -> InequalityIndices:
    r"""Inequality of job rates across the ordered groups of a cohort.

    Parameters
    ----------
    cohort : Cohort
        People using IPS.
    by : str
        An ordered categorical attribute, e.g. ``"age_band"`` or a deprivation quintile.
    order : sequence, optional
        The levels of `by` from the bottom to the top of the order; default the
        attribute's own level order (right for age bands; check it for other
        attributes). Levels with nobody are left out.
    min_followup_months : int or None
        Keep the people with at least this many whole months of follow-up.
    study_end : date, optional
        The date at which a job counts as gained; default the cohort's study end.
    method, n_simulations, rng, confidence_level
        As :func:`proportion_inequality`.

    Returns
    -------
    InequalityIndices
        As :func:`proportion_inequality`, named after `by`.

    Raises
    ------
    InvalidInputError
        If `cohort` is not a cohort, `by` is not a categorical attribute, `order` does
        not list its levels, or an option is unknown.
    InsufficientDataError
        If the window leaves no one, fewer than two levels have people, or nobody has a
        job.

    See Also
    --------
    proportion_inequality : the same from counts.

    Notes
    -----
    People whose level of `by` is not known are left out (a caveat counts them) [1]_.

    References
    ----------
    .. [1] Low, A. and Low, A. (2004). Measuring the gap: quantifying and comparing local
       health inequalities. Journal of Public Health 26(4), 388-395.

    Examples
    --------
    >>> from ipsstats.datasets import synthetic_cohort
    >>> cohort = synthetic_cohort().with_age_band((30, 40, 50))
    >>> res = outcome_inequality(cohort, "age_band", method="analytic")
    >>> res.concentration.labels
    ('<=30', '31-40', '41-50', '>50')
    """
    how = as_option(method, "method", SLOPE_METHODS)
    level = as_confidence_level(confidence_level)
    months = _months_option(min_followup_months)
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    selected, _, _, _ = _window(cohort, months, study_end)
    groups = _categorical(selected, by, "by")
    levels = tuple(groups.levels)
    if order is not None:
        wanted = check_levels(order, "order", ())
        if sorted(map(repr, wanted)) != sorted(map(repr, levels)):
            raise fail(
                "order",
                f"list the levels of {by!r} once each",
                repr(wanted),
                hint=f"the levels are {list(levels)}.",
            )
        position = {level_: k for k, level_ in enumerate(levels)}
        index = np.array([position[w] for w in wanted], dtype=np.int64)
    else:
        wanted, index = levels, np.arange(len(levels))
    known = groups.codes >= 0
    got = (selected.job_by().codes == 0)[known].astype(np.float64)
    counted = np.asarray(np.bincount(groups.codes[known], minlength=len(levels)), dtype=np.float64)
    hits = np.asarray(
        np.bincount(groups.codes[known], weights=got, minlength=len(levels)), dtype=np.float64
    )
    people, jobs = counted[index], hits[index]
    present = people > 0
    notes = []
    if not present.all():
        empty = [repr(w) for w, p in zip(wanted, present, strict=True) if not p]
        notes.append("levels with nobody are left out: " + ", ".join(empty))
    missing = int(np.count_nonzero(~known))
    if missing:
        notes.append(f"{missing} people with {by} not known are left out")
    if int(present.sum()) < 2:
        raise InsufficientDataError(
            f"`by` = {by!r} has people in fewer than two levels, so there is no gradient. "
            "Hint: choose an attribute with more levels.",
            argument="by",
        )
    names = tuple(w for w, p in zip(wanted, present, strict=True) if p)
    x, n = jobs[present], people[present]
    if x.sum() == 0:
        raise InsufficientDataError(
            "nobody in the cohort has a job, so there is no inequality to measure.",
            argument="cohort",
        )
    return _indices(
        x,
        n,
        names,
        how=how,
        n_simulations=n_simulations,
        rng=rng,
        level=level,
        name=str(by),
        caveats=notes,
    )
