"""Kaplan-Meier estimation of censored durations, from records or from life tables."""

from __future__ import annotations

import numbers
import types
from collections.abc import Mapping
from typing import Any, Literal, overload

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy import special

from ipsstats._arrays import (
    as_confidence_level,
    as_durations,
    as_option,
    fail,
)
from ipsstats.errors import InsufficientDataError
from ipsstats.results import Estimate, json_safe
from ipsstats.survival.lifetable import (
    _RELATIVE_TOLERANCE,
    LifeTable,
    _as_time,
    _float_array,
    _sealed,
)

__all__ = ["ConfType", "SurvivalCurve", "SurvivalTable", "kaplan_meier"]

ConfType = Literal["plain", "log", "log-log", "logit", "arcsine"]
_CONF_TYPES: tuple[ConfType, ...] = ("plain", "log", "log-log", "logit", "arcsine")
# R's `sqrt(.Machine$double.eps)`: survival probabilities this close to a requested level
# are taken as equal to it (the midpoint rule of `quantile.survfit`).
_QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))


def _greenwood_terms(
    at_risk: NDArray[np.float64], events: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Greenwood increments d / (n (n - d)); infinite where everyone at risk has the event."""
    denominator = at_risk * np.maximum(at_risk - events, 0.0)
    terms = np.divide(events, denominator, out=np.zeros_like(events), where=denominator > 0)
    return np.where((events > 0) & (denominator <= 0), np.inf, terms)


def _bands(
    survival: NDArray[np.float64],
    std_err_log: NDArray[np.float64],
    confidence_level: float,
    conf_type: ConfType,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pointwise confidence limits of S(t) on the transformed scale, as R's `survfit`.

    NaN where the transform is undefined: S = 0 for every transform (the Greenwood
    variance is infinite there), and S = 1 for log-log, logit and arcsine.
    """
    z = float(special.ndtri(0.5 + confidence_level / 2))
    s, sigma = survival, std_err_log
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = z * sigma * s
            lower, upper = np.maximum(s - half, 0.0), np.minimum(s + half, 1.0)
        elif conf_type == "log":
            lower = s * np.exp(-z * sigma)
            upper = np.minimum(s * np.exp(z * sigma), 1.0)
        elif conf_type == "log-log":
            log_cumhaz = np.log(-np.log(s))
            half = z * sigma / np.log(s)
            lower = np.exp(-np.exp(log_cumhaz - half))
            upper = np.exp(-np.exp(log_cumhaz + half))
        elif conf_type == "logit":
            logit = np.log(s / (1.0 - s))
            half = z * sigma / (1.0 - s)
            lower = 1.0 - 1.0 / (1.0 + np.exp(logit - half))
            upper = 1.0 - 1.0 / (1.0 + np.exp(logit + half))
        else:  # arcsine
            angle = np.arcsin(np.sqrt(s))
            half = 0.5 * z * sigma * np.sqrt(s / (1.0 - s))
            lower = np.sin(np.maximum(angle - half, 0.0)) ** 2
            upper = np.sin(np.minimum(angle + half, np.pi / 2)) ** 2
    undefined = s == 0
    if conf_type in ("log-log", "logit", "arcsine"):
        undefined |= s == 1
    return np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)


def _first_reaching_monotone(
    times: NDArray[np.float64],
    cdf: NDArray[np.float64],
    defined: NDArray[np.bool_],
    p: float,
    last_time: float,
) -> float:
    """:func:`_first_reaching` when the defined values never decrease: no sorting needed.

    Ordering the points by value is then ordering them by time, and a binary search on the
    values finds the first occurrence of each level.
    """
    tol = _QUANTILE_TOLERANCE
    positions = np.flatnonzero(defined)
    values = cdf[positions]
    k1 = int(np.searchsorted(values + tol, p, side="left"))
    if p < values[0] + tol or k1 == values.size:
        return float("nan")
    first_time = float(times[positions[k1]])
    last = float(values[-1])
    # The last point kept by R's duplicate removal is the first occurrence of the last
    # level, unless the first undefined point comes after it.
    start_of_last = int(positions[np.searchsorted(values, last, side="left")])
    undefined = np.flatnonzero(~defined)
    last_is_undefined = undefined.size > 0 and int(undefined[0]) > start_of_last
    if not last_is_undefined and abs(p - last) < tol:
        return (first_time + last_time) / 2
    k2 = int(np.searchsorted(values - tol, p, side="left"))
    if k2 == values.size:
        return float("nan")
    return (first_time + float(times[positions[k2]])) / 2


def _first_reaching(
    times: NDArray[np.float64], cdf: NDArray[np.float64], p: float, last_time: float
) -> float:
    """Find when a step CDF first reaches `p`, with the midpoint rule on flats (R's `findq`).

    `times` starts with the origin and `cdf` with 0; `cdf` may hold NaN (undefined band
    points, skipped) and need not be monotone (a confidence band). Returns NaN when `p` is
    not reached. Follows `quantile.survfit` of R's survival package: repeated values are
    dropped keeping the first, the remaining points are ordered by value, the quantile is
    the first point within the tolerance of `p`, averaged with the first point above `p`
    plus the tolerance; a curve ending flat at `p` averages with the last time.
    """
    defined = ~np.isnan(cdf)
    if not defined.any() or float(cdf[defined].max()) < p:
        return float("nan")
    if (np.diff(cdf[defined]) >= 0).all():
        return _first_reaching_monotone(times, cdf, defined, p, last_time)
    if not (defined & (np.abs(p - cdf) < _QUANTILE_TOLERANCE)).any():
        return _first_reaching_unflat(times, cdf, defined, p)
    return _first_reaching_general(times, cdf, p, last_time)


def _first_reaching_unflat(
    times: NDArray[np.float64], cdf: NDArray[np.float64], defined: NDArray[np.bool_], p: float
) -> float:
    """:func:`_first_reaching` when no value is within the tolerance of `p`: no sorting.

    The point found is then the first occurrence of the smallest value above `p`, and the
    midpoint and end-of-curve rules cannot apply.
    """
    tol = _QUANTILE_TOLERANCE
    if p < float(cdf[defined].min()) + tol:
        return float("nan")
    above = defined & (cdf + tol >= p)
    if not above.any():
        return float("nan")
    level = cdf[above].min()
    return float(times[int(np.argmax(defined & (cdf == level)))])


def _first_reaching_general(
    times: NDArray[np.float64], cdf: NDArray[np.float64], p: float, last_time: float
) -> float:
    """:func:`_first_reaching` for any sequence: sort the distinct values (R's `approx`)."""
    tol = _QUANTILE_TOLERANCE
    defined = ~np.isnan(cdf)
    if not defined.any() or float(cdf[defined].max()) < p:
        return float("nan")
    # Drop repeated values, keeping first occurrences (NaN counts as one value).
    coded = np.where(defined, cdf, -1.0)
    _, first = np.unique(coded, return_index=True)
    kept = np.sort(first)
    values, at = cdf[kept], times[kept]
    order = np.flatnonzero(~np.isnan(values))
    order = order[np.argsort(values[order], kind="stable")]
    ordered = values[order]
    k1 = int(np.searchsorted(ordered + tol, p, side="left"))
    k2 = int(np.searchsorted(ordered - tol, p, side="left"))
    if p < ordered[0] + tol or k1 == ordered.size:
        return float("nan")
    first_time = float(at[order[k1]])
    last = values[-1]
    if not np.isnan(last) and abs(p - float(last)) < tol:
        return (first_time + last_time) / 2
    if k2 == ordered.size:
        return float("nan")
    return (first_time + float(at[order[k2]])) / 2


@attrs.frozen(kw_only=True, eq=False)
class SurvivalTable:
    """Numbers at risk, events and censorings at chosen times, with the survival estimate.

    Parameters
    ----------
    times : array of float
        The requested times, sorted and distinct.
    n_at_risk : array of float
        Risk set at each time (subjects still under observation just before it).
    n_events, n_censored, n_entered : array of float
        Events, censorings and delayed entries in the interval from the previous requested
        time (exclusive; the start for the first) to this time (inclusive), as R's
        ``summary(fit, times=...)``.
    survival, std_err, lower, upper : array of float
        The Kaplan-Meier estimate at each time, its standard error and confidence limits
        (see :class:`SurvivalCurve`).
    """

    times: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_at_risk: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_entered: NDArray[np.float64] = attrs.field(converter=_float_array)
    survival: NDArray[np.float64] = attrs.field(converter=_float_array)
    std_err: NDArray[np.float64] = attrs.field(converter=_float_array)
    lower: NDArray[np.float64] = attrs.field(converter=_float_array)
    upper: NDArray[np.float64] = attrs.field(converter=_float_array)

    def to_dict(self) -> dict[str, Any]:
        """Return the columns as JSON-safe lists (NaN becomes ``None``)."""
        return {f.name: json_safe(getattr(self, f.name)) for f in attrs.fields(SurvivalTable)}


@attrs.frozen(kw_only=True, eq=False)
class SurvivalCurve:
    r"""A Kaplan-Meier survival curve with Greenwood standard errors and pointwise limits.

    Returned by :func:`kaplan_meier`; all arrays have one value per distinct time of an
    event, a censoring or a delayed entry, and are read-only.

    Parameters
    ----------
    times : array of float
        Distinct times, increasing.
    n_at_risk : array of float
        Risk set just before each time.
    n_events, n_censored, n_entered : array of float
        Events, censorings and delayed entries at each time (weighted sums with weights).
    survival : array of float
        Kaplan-Meier estimate :math:`\hat S(t)` just after each time.
    std_err : array of float
        Greenwood standard error of :math:`\hat S(t)` itself (the value R reports as
        ``summary(fit)$std.err``; NaN where :math:`\hat S = 0`, as in R).
    std_err_log : array of float
        Standard error of :math:`\log \hat S(t)` (the value R stores as ``fit$std.err``);
        infinite from the time :math:`\hat S` reaches 0.
    lower, upper : array of float
        Pointwise confidence limits for :math:`S(t)` on the `conf_type` scale, clipped to
        [0, 1]. NaN (``None`` in :meth:`to_dict`) where the transform is undefined, as R
        gives ``NA``: where :math:`\hat S = 0` for every type, and where
        :math:`\hat S = 1` for ``"log-log"``, ``"logit"`` and ``"arcsine"``.
    confidence_level : float
        Coverage of the pointwise limits.
    conf_type : {"plain", "log", "log-log", "logit", "arcsine"}
        Transform on which the limits are symmetric (see :func:`kaplan_meier`).
    n : float
        Number (or total weight) of subjects.
    """

    times: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_at_risk: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_entered: NDArray[np.float64] = attrs.field(converter=_float_array)
    survival: NDArray[np.float64] = attrs.field(converter=_float_array)
    std_err: NDArray[np.float64] = attrs.field(converter=_float_array)
    std_err_log: NDArray[np.float64] = attrs.field(converter=_float_array)
    lower: NDArray[np.float64] = attrs.field(converter=_float_array)
    upper: NDArray[np.float64] = attrs.field(converter=_float_array)
    confidence_level: float
    conf_type: ConfType
    n: float

    @property
    def _method(self) -> str:
        return f"kaplan-meier, greenwood, {self.conf_type}"

    def with_bands(
        self, *, confidence_level: object = None, conf_type: object = None
    ) -> SurvivalCurve:
        """Return the same curve with limits at another level or on another transform.

        Parameters
        ----------
        confidence_level : float, optional
            New coverage; default: keep the current one.
        conf_type : {"plain", "log", "log-log", "logit", "arcsine"}, optional
            New transform; default: keep the current one.

        Returns
        -------
        SurvivalCurve
            A new curve; the estimate and standard errors are unchanged.

        Raises
        ------
        InvalidInputError
            If `confidence_level` is not in (0, 1) or `conf_type` is unknown.

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([9, 13, 13, 18, 23], [1, 1, 0, 1, 1])
        >>> wide = curve.with_bands(confidence_level=0.99)
        >>> bool(wide.lower[0] < curve.lower[0])
        True
        """
        level = (
            self.confidence_level
            if confidence_level is None
            else as_confidence_level(confidence_level)
        )
        transform = (
            self.conf_type if conf_type is None else as_option(conf_type, "conf_type", _CONF_TYPES)
        )
        lower, upper = _bands(self.survival, self.std_err_log, level, transform)
        return attrs.evolve(
            self, lower=lower, upper=upper, confidence_level=level, conf_type=transform
        )

    def _check_observed(self, wanted: NDArray[np.float64], name: str) -> None:
        """Refuse sorted requested times at which nobody is under observation.

        That is every time after the last observed time and, with delayed entry, every
        time in a gap between the last exit of earlier subjects and the next entry. Before
        the first exit nothing can have been observed and the curve is 1 by definition, so
        those times are accepted.
        """
        if not wanted.size or not self.times.size:
            return
        last = float(wanted[-1])
        if last > self.times[-1]:
            raise InsufficientDataError(
                f"`{name}` = {last:g} is after the last observed time {self.times[-1]:g}: "
                "nobody is at risk there, so the curve is not estimated. Hint: ask for "
                "times up to the end of follow-up.",
                argument=name,
            )
        if not self.n_entered.any():
            return  # without delayed entry the risk set only shrinks
        # risk set at t (subjects with entry < t <= exit): the one just before the first
        # curve time at or after t
        following = np.searchsorted(self.times, wanted, side="left")
        at_risk = self.n_at_risk[following]
        first_exit = self.times[int(np.argmax(self.n_events + self.n_censored > 0))]
        empty = (wanted > first_exit) & (at_risk <= _RELATIVE_TOLERANCE * max(self.n, 1.0))
        if empty.any():
            first = int(np.argmax(empty))
            t, after = float(wanted[first]), int(following[first])
            raise InsufficientDataError(
                f"`{name}` = {t:g} falls where nobody is under observation: every subject "
                f"seen before has left by time {self.times[after - 1]:g} and the next enters "
                f"at time {self.times[after]:g}, so the curve is not estimated there. Hint: "
                "with delayed entry, ask for times covered by follow-up.",
                argument=name,
            )

    def _index_at(self, t: float, name: str) -> int:
        """Index of the last curve time at or before `t` (-1 before the first time)."""
        self._check_observed(np.array([t]), name)
        return int(np.searchsorted(self.times, t, side="right")) - 1

    def survival_at(self, t: object) -> Estimate:
        r"""Estimate survival at time `t` with its pointwise confidence interval.

        Parameters
        ----------
        t : float
            A finite, non-negative time, at most the last observed time.

        Returns
        -------
        Estimate
            ``value`` is :math:`\hat S(t)`, ``std_err`` its Greenwood standard error,
            ``lower``/``upper`` the pointwise limits (``None`` where the transform is
            undefined, with a note). Before the first time the estimate is 1 with limits 1.

        Raises
        ------
        InvalidInputError
            If `t` is negative, non-finite or not a number.
        InsufficientDataError
            If nobody is at risk at `t` (empty risk set): `t` is after the last observed
            time, or, with delayed entry, between the exit of every earlier subject and the
            next entry.

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([9, 13, 13, 18, 23], [1, 1, 0, 1, 1], conf_type="log")
        >>> print(curve.survival_at(15).value)
        0.6
        """
        time = _as_time(t, "t")
        k = self._index_at(time, "t")
        if k < 0:
            return Estimate(
                value=1.0,
                lower=1.0,
                upper=1.0,
                confidence_level=self.confidence_level,
                method=self._method,
                std_err=0.0,
                note="before the first observed time",
            )
        lower, upper = float(self.lower[k]), float(self.upper[k])
        note = ""
        if np.isnan(lower):
            note = (
                f"confidence limits undefined on the {self.conf_type} scale "
                f"at S = {self.survival[k]:g}"
            )
        return Estimate(
            value=float(self.survival[k]),
            lower=lower,
            upper=upper,
            confidence_level=self.confidence_level,
            method=self._method,
            std_err=float(self.std_err[k]),
            note=note,
        )

    def quantile(self, q: object) -> Estimate:
        r"""Time by which a fraction `q` has had the event, with its confidence interval.

        The estimate is the smallest time with :math:`\hat S(t) \le 1 - q`; where
        :math:`\hat S` equals :math:`1 - q` (within :math:`\sqrt{\epsilon} \approx 1.5
        \times 10^{-8}`) over an interval, the midpoint of that interval (to the last time
        when the curve ends flat there). The interval is that of Brookmeyer and Crowley:
        the times where the pointwise band contains :math:`1 - q`, i.e. the same rule
        applied to the lower and the upper limit of the band [1]_, as R's
        ``quantile.survfit`` [2]_.

        Parameters
        ----------
        q : float
            Probability strictly between 0 and 1 (0.5 for the median).

        Returns
        -------
        Estimate
            ``value``, ``lower`` and ``upper`` are times. A quantity that is not reached
            within follow-up (the curve, or a limit of its band, never falls to
            :math:`1 - q`) is ``None`` and ``note`` says so; never infinite.

        Raises
        ------
        InvalidInputError
            If `q` is not a number strictly between 0 and 1.

        Notes
        -----
        The lower limit is found on the lower limit of the band and the upper limit on its
        upper limit. The search follows R's ``findq`` [2]_ step for step: where a limit of
        the band is not monotone in time (the log band clipped at 1, or a variance that
        grows faster than the curve falls), it takes the point whose band value is the
        nearest at or beyond :math:`1 - q`, which need not be the first crossing. The
        interval then agrees with R but need not widen with the confidence level at every
        level; with monotone limits it is the first crossing and widens with the level.

        References
        ----------
        .. [1] Brookmeyer, R. and Crowley, J. (1982). A confidence interval for the median
           survival time. *Biometrics* 38(1), 29-41, section 2.
        .. [2] Therneau, T. M. survival: Survival Analysis. R package version 3,
           ``quantile.survfit`` (file ``quantile.survfit.R``).

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
        ...                      [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1], conf_type="log")
        >>> print(curve.quantile(0.25))
        8 (95% CI 5 to 30; kaplan-meier, greenwood, log, brookmeyer-crowley)
        """
        if isinstance(q, (bool, np.bool_)) or not isinstance(q, numbers.Real):
            raise fail("q", "be a probability strictly between 0 and 1", repr(q))
        p = float(q)
        if not 0.0 < p < 1.0:
            raise fail(
                "q",
                "be a probability strictly between 0 and 1",
                repr(q),
                hint="use 0.5 for the median." if p == 50 else None,
            )
        times = np.concatenate([[0.0], self.times])
        last_time = float(self.times[-1])
        found = [
            _first_reaching(times, np.concatenate([[0.0], 1.0 - curve]), p, last_time)
            for curve in (self.survival, self.lower, self.upper)
        ]
        notes = []
        what = "median" if p == 0.5 else f"quantile {p:g}"
        if np.isnan(found[0]):
            lowest = float(self.survival[-1])
            notes.append(
                f"{what} not reached: survival stays above {1 - p:g} "
                f"(lowest {lowest:.4g}, at time {last_time:g})"
            )
        for k, side in ((1, "lower"), (2, "upper")):
            if np.isnan(found[k]):
                notes.append(f"{side} confidence limit not reached")
        return Estimate(
            value=found[0],
            lower=found[1],
            upper=found[2],
            confidence_level=self.confidence_level,
            method=f"{self._method}, brookmeyer-crowley",
            note="; ".join(notes),
        )

    def median(self) -> Estimate:
        """Median time to the event with its Brookmeyer-Crowley confidence interval.

        Same as ``quantile(0.5)``; see :meth:`quantile`.

        Returns
        -------
        Estimate
            The median and its limits, ``None`` with a note where not reached.

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> maintained = kaplan_meier([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
        ...                           [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0], conf_type="log")
        >>> print(maintained.median())
        31 (95% CI 18 to not reached; kaplan-meier, greenwood, log, brookmeyer-crowley)
        [upper confidence limit not reached]
        """
        return self.quantile(0.5)

    def rmst(self, tau: object) -> Estimate:
        r"""Restricted mean survival time up to `tau`, with its standard error.

        Parameters
        ----------
        tau : float
            Finite, non-negative truncation time. Beyond the last observed time the curve
            is carried forward flat (as R does); the note then says so.

        Returns
        -------
        Estimate
            ``value`` is the area under :math:`\hat S` from 0 to `tau`, ``std_err`` its
            standard error as R's ``print(fit, rmean=tau)``, ``lower``/``upper`` a normal
            interval at the curve's confidence level.

        Raises
        ------
        InvalidInputError
            If `tau` is negative, non-finite or not a number.

        Notes
        -----
        With :math:`A_i = \int_{t_i}^{\tau} \hat S(u)\,du`,

        .. math::

            \mathrm{RMST}(\tau) = \int_0^{\tau} \hat S(u)\,du, \qquad
            \widehat{\mathrm{Var}} = \sum_{t_i \le \tau} \frac{d_i}{n_i (n_i - d_i)} A_i^2 ,

        with terms where :math:`n_i = d_i` set to 0, as R's ``survmean`` [1]_ (after
        Miller [2]_).

        References
        ----------
        .. [1] Therneau, T. M. *A Package for Survival Analysis in R*, function
           ``survmean`` (``print.survfit``), survival package version 3.
        .. [2] Miller, R. G. (1981). *Survival Analysis*. Wiley, pp. 195-196.

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([1, 2, 3], [1, 1, 1])
        >>> print(round(curve.rmst(3).value, 4))
        2.0
        """
        limit = _as_time(tau, "tau")
        kept = int(np.searchsorted(self.times, limit, side="right"))
        ends = np.append(self.times[:kept], limit)
        heights = np.concatenate([[1.0], self.survival[:kept]])
        areas = np.diff(ends, prepend=0.0) * heights
        tail = np.cumsum(areas[::-1])[::-1]  # tail[i] = area from ends[i - 1] to tau
        at_risk, events = self.n_at_risk[:kept], self.n_events[:kept]
        terms = _greenwood_terms(at_risk, events)
        terms[~np.isfinite(terms)] = 0.0
        variance = float(np.sum(terms * tail[1:] ** 2))
        value = float(tail[0]) if tail.size else 0.0
        std_err = float(np.sqrt(variance))
        z = float(special.ndtri(0.5 + self.confidence_level / 2))
        note = ""
        if self.times.size and limit > self.times[-1]:
            note = f"tau is after the last observed time {self.times[-1]:g}; curve carried forward"
        return Estimate(
            value=value,
            lower=value - z * std_err,
            upper=value + z * std_err,
            confidence_level=self.confidence_level,
            method="restricted mean, miller variance, normal interval",
            std_err=std_err,
            note=note,
        )

    def table(self, times: object) -> SurvivalTable:
        """Numbers at risk, events and censorings at chosen times, as data.

        Parameters
        ----------
        times : array-like of float
            Finite, non-negative times, at most the last observed time; sorted and made
            distinct (as R's ``summary(fit, times=...)``).

        Returns
        -------
        SurvivalTable
            One row per requested time: the risk set at that time, the events, censorings
            and entries since the previous requested time, and the survival estimate with
            its standard error and limits.

        Raises
        ------
        InvalidInputError
            If a time is negative or non-finite.
        InsufficientDataError
            If nobody is at risk at a time (empty risk set): it is after the last observed
            time, or, with delayed entry, between the exit of every earlier subject and the
            next entry.

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([9, 13, 13, 18, 23, 28, 31], [1, 1, 0, 1, 1, 0, 1])
        >>> rows = curve.table([10, 20, 30])
        >>> rows.n_at_risk.tolist(), rows.n_events.tolist(), rows.n_censored.tolist()
        ([6.0, 3.0, 1.0], [1.0, 2.0, 1.0], [0.0, 1.0, 1.0])
        """
        wanted = np.unique(as_durations(times, "times"))
        self._check_observed(wanted, "times")
        k = np.searchsorted(self.times, wanted, side="right") - 1
        at_risk = np.append(self.n_at_risk, 0.0)[np.searchsorted(self.times, wanted)]

        def since_previous(counts: NDArray[np.float64]) -> NDArray[np.float64]:
            running = np.concatenate([[0.0], np.cumsum(counts)])[k + 1]
            return np.diff(running, prepend=0.0)

        def at(values: NDArray[np.float64], initial: float) -> NDArray[np.float64]:
            return np.where(k < 0, initial, values[np.maximum(k, 0)])

        return SurvivalTable(
            times=wanted,
            n_at_risk=at_risk,
            n_events=since_previous(self.n_events),
            n_censored=since_previous(self.n_censored),
            n_entered=since_previous(self.n_entered),
            survival=at(self.survival, 1.0),
            std_err=at(self.std_err, 0.0),
            lower=at(self.lower, 1.0),
            upper=at(self.upper, 1.0),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the curve as JSON-safe Python objects (NaN becomes ``None``)."""
        return {f.name: json_safe(getattr(self, f.name)) for f in attrs.fields(SurvivalCurve)}

    def __repr__(self) -> str:
        return (
            f"SurvivalCurve(times: {self.times.size}, n: {self.n:g}, "
            f"events: {float(self.n_events.sum()):g}, conf_type: {self.conf_type!r}, "
            f"confidence_level: {self.confidence_level:g})"
        )


@overload
def kaplan_meier(
    durations: object,
    events: object = None,
    *,
    entry: object = None,
    weights: object = None,
    confidence_level: object = 0.95,
    conf_type: ConfType = "log-log",
    by: None = None,
    data: object = None,
) -> SurvivalCurve: ...


@overload
def kaplan_meier(
    durations: object,
    events: object = None,
    *,
    entry: object = None,
    weights: object = None,
    confidence_level: object = 0.95,
    conf_type: ConfType = "log-log",
    by: object,
    data: object = None,
) -> Mapping[object, SurvivalCurve]: ...


def kaplan_meier(
    durations: object,
    events: object = None,
    *,
    entry: object = None,
    weights: object = None,
    confidence_level: object = 0.95,
    conf_type: ConfType = "log-log",
    by: object = None,
    data: object = None,
) -> SurvivalCurve | Mapping[object, SurvivalCurve]:
    r"""Kaplan-Meier estimate of a survival curve from censored durations.

    Parameters
    ----------
    durations : array-like of float, or LifeTable
        Time to the event or to censoring per subject (finite, non-negative; 0 is a
        valid duration), or a :class:`LifeTable` of counts already aggregated (then
        `events`, `entry` and `weights` must be omitted). Integer-valued durations (days)
        are tallied with a fast counting path.
    events : array-like of bool or {0, 1}, optional
        1 or ``True`` for an event, 0 or ``False`` for censoring. Default: all events.
    entry : array-like of float, optional
        Delayed entry (left truncation): the time each subject came under observation,
        strictly before its duration; the subject is at risk on (entry, duration].
    weights : array-like of float, optional
        Non-negative, finite case weights; the counts and the Greenwood variance use the
        weighted numbers, as R's ``survfit(..., weights=)``. Zero weights drop a record.
    confidence_level : float, default 0.95
        Coverage of the pointwise limits and of the quantile intervals.
    conf_type : {"log-log", "plain", "log", "logit", "arcsine"}, default "log-log"
        Scale on which the pointwise limits are symmetric, as R's ``survfit``
        ``conf.type`` (R's default is ``"log"``; ``"arcsine"`` is R's ``"arcsin"``).
    by : array-like, optional
        Group labels (a column name with `data`): one curve per group is returned, as a
        mapping ``{group: SurvivalCurve}`` in the order of the levels.
    data : data frame, optional
        A data frame of any engine; `durations`, `events`, `entry`, `weights` and `by`
        then name its columns and the engine counts them (:mod:`ipsstats.frames`).

    Returns
    -------
    SurvivalCurve
        Per distinct time: ``times``, ``n_at_risk``, ``n_events``, ``n_censored``,
        ``n_entered``, ``survival``, ``std_err`` (of :math:`\hat S`), ``std_err_log``,
        ``lower``, ``upper``; with :meth:`~SurvivalCurve.median`,
        :meth:`~SurvivalCurve.quantile`, :meth:`~SurvivalCurve.survival_at`,
        :meth:`~SurvivalCurve.rmst`, :meth:`~SurvivalCurve.table` and ``to_dict()``.

    Raises
    ------
    InvalidInputError
        For negative, NaN or infinite durations; event indicators other than 0/1 or
        booleans; arguments of different lengths; an entry not before its duration;
        negative or non-finite weights; an unknown `conf_type`; a `confidence_level`
        outside (0, 1); or record arguments given with a life table.
    InsufficientDataError
        If there are no subjects.

    See Also
    --------
    LifeTable : aggregated input, addable across services or data partitions.

    Notes
    -----
    With :math:`n_i` at risk and :math:`d_i` events at time :math:`t_i` (events before
    censorings at tied times),

    .. math::

        \hat S(t) = \prod_{t_i \le t} \frac{n_i - d_i}{n_i}, \qquad
        \sigma^2(t) = \sum_{t_i \le t} \frac{d_i}{n_i (n_i - d_i)} ,

    where :math:`\sigma` is the Greenwood standard error of :math:`\log \hat S` and
    :math:`\hat S \sigma` that of :math:`\hat S` [1]_. With :math:`z` the normal quantile,
    the limits are, as R's ``survfit`` [2]_: plain :math:`\hat S \pm z \hat S \sigma`;
    log :math:`\hat S e^{\pm z \sigma}`; log-log
    :math:`\hat S^{\exp(\pm z \sigma / \log \hat S)}`; logit
    :math:`\operatorname{logit}^{-1}(\operatorname{logit} \hat S \pm z \sigma /
    (1 - \hat S))`; arcsine
    :math:`\sin^2(\arcsin \sqrt{\hat S} \pm \tfrac{z}{2} \sigma
    \sqrt{\hat S / (1 - \hat S)})`; all clipped to [0, 1].

    References
    ----------
    .. [1] Kalbfleisch, J. D. and Prentice, R. L. (2002). *The Statistical Analysis of
       Failure Time Data*, 2nd ed. Wiley, section 1.4.1, eq. (1.13)-(1.14).
    .. [2] Therneau, T. M. and Grambsch, P. M. (2000). *Modeling Survival Data*.
       Springer, section 2.1.1; R survival package, ``survfit.formula`` documentation.

    Examples
    --------
    R's ``aml`` data, maintained arm (``survfit(Surv(time, status) ~ 1, aml[aml$x ==
    "Maintained", ])``):

    >>> from ipsstats import kaplan_meier
    >>> curve = kaplan_meier([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
    ...                      [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0], conf_type="log")
    >>> curve.times[:4].tolist(), curve.survival[:4].round(4).tolist()
    ([9.0, 13.0, 18.0, 23.0], [0.9091, 0.8182, 0.7159, 0.6136])
    >>> print(curve.median())
    31 (95% CI 18 to not reached; kaplan-meier, greenwood, log, brookmeyer-crowley)
    [upper confidence limit not reached]
    """
    level = as_confidence_level(confidence_level)
    transform = as_option(conf_type, "conf_type", _CONF_TYPES)
    if data is not None or by is not None:  # columns of a frame, or one curve per group
        from ipsstats.survival import _frames  # noqa: PLC0415  # rarely used paths

        found: Any = (
            _frames.grouped_life_tables(durations, events, entry=entry, weights=weights, by=by)
            if data is None
            else _frames.life_tables(data, durations, events, entry=entry, weights=weights, by=by)
        )
        if isinstance(found, LifeTable):
            return kaplan_meier(found, confidence_level=level, conf_type=transform)
        return types.MappingProxyType(
            {
                k: kaplan_meier(t, confidence_level=level, conf_type=transform)
                for k, t in found.items()
            }
        )
    if isinstance(durations, LifeTable):
        for name, value in (("events", events), ("entry", entry), ("weights", weights)):
            if value is not None:
                raise fail(
                    name,
                    "be omitted when `durations` is a LifeTable",
                    f"{type(value).__name__}",
                    hint="a life table already holds the events, entries and weights.",
                )
        table = durations
    else:
        table = LifeTable.from_records(durations, events, entry=entry, weights=weights)
    if table.times.size == 0:
        raise InsufficientDataError(
            "`durations` holds no subjects (or only subjects of weight 0), so there is no "
            "curve to estimate.",
            argument="durations",
        )
    return _estimate(table, level, transform)


def _estimate(table: LifeTable, level: float, conf_type: ConfType) -> SurvivalCurve:
    """Kaplan-Meier curve, Greenwood errors and limits from a validated life table."""
    at_risk, events = table.n_at_risk, table.n_events
    survivors = np.maximum(at_risk - events, 0.0)
    factors = np.divide(survivors, at_risk, out=np.ones_like(events), where=events > 0)
    survival = np.asarray(np.cumprod(factors), dtype=np.float64)
    std_err_log = np.sqrt(np.cumsum(_greenwood_terms(at_risk, events)))
    std_err = np.multiply(
        survival, std_err_log, out=np.full_like(survival, np.nan), where=survival > 0
    )
    lower, upper = _bands(survival, std_err_log, level, conf_type)
    return SurvivalCurve(
        times=table.times,
        n_at_risk=at_risk,
        n_events=events,
        n_censored=table.n_censored,
        n_entered=table.n_entered,
        survival=_sealed(survival),
        std_err=_sealed(std_err),
        std_err_log=_sealed(std_err_log),
        lower=_sealed(lower),
        upper=_sealed(upper),
        confidence_level=level,
        conf_type=conf_type,
        n=table.n,
    )
