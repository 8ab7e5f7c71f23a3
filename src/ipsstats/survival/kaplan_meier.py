"""Kaplan-Meier and Fleming-Harrington survival curves, from records or from life tables."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Mapping
from typing import Any, Literal, overload

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_durations, as_option, fail
from ipsstats._deprecation import renamed_keywords
from ipsstats.errors import InsufficientDataError
from ipsstats.results import ConfidenceInterval, Estimate, json_safe
from ipsstats.survival._bands import (
    CONF_TYPES,
    ConfType,
    normal_quantile,
    step_reaching,
    survival_bands,
)
from ipsstats.survival._records import check_observed, records_and_table
from ipsstats.survival._table import SurvivalTable, tabulate
from ipsstats.survival._variance import (
    Ties,
    Variance,
    choose_variance,
    greenwood_terms,
    hazard_curve,
    product_limit,
)
from ipsstats.survival.lifetable import _as_time, _float_array, _sealed

__all__ = ["ConfType", "SurvivalCurve", "SurvivalTable", "kaplan_meier"]

Method = Literal["kaplan-meier", "fleming-harrington"]
_METHODS: tuple[Method, ...] = ("kaplan-meier", "fleming-harrington")
_TIES: tuple[Ties, ...] = ("nelson-aalen", "fleming-harrington")
_VARIANCES: dict[Method, tuple[Variance, ...]] = {
    "kaplan-meier": ("auto", "greenwood", "robust"),
    "fleming-harrington": ("auto", "aalen", "greenwood", "robust"),
}


@attrs.frozen(kw_only=True, eq=False, slots=False)
class SurvivalCurve:
    r"""A survival curve with standard errors and pointwise confidence limits.

    Returned by :func:`kaplan_meier`; all arrays have one value per distinct time of an
    event, a censoring or a delayed entry, and are read-only. The standard error of
    :math:`\hat S` and the limits are computed on first use (and kept).

    Parameters
    ----------
    times : array of float
        Distinct times, increasing.
    n_at_risk : array of float
        Risk set just before each time.
    n_events, n_censored, n_entered : array of float
        Events, censorings and delayed entries at each time (weighted sums with weights).
    survival : array of float
        The estimate :math:`\hat S(t)` just after each time: Kaplan-Meier, or
        :math:`e^{-\hat H(t)}` for the Fleming-Harrington method.
    std_err_log : array of float
        Standard error of :math:`\log \hat S(t)` (the value R stores as ``fit$std.err``
        when ``fit$logse`` is true); infinite from the time :math:`\hat S` reaches 0.
    confidence_level : float
        Coverage of the pointwise limits.
    conf_type : {"plain", "log", "log-log", "logit", "arcsine"}
        Transform on which the limits are symmetric (see :func:`kaplan_meier`).
    n : float
        Number (or total weight) of subjects.
    method : {"kaplan-meier", "fleming-harrington"}
        The estimator of :math:`S`.
    ties : {"nelson-aalen", "fleming-harrington"} or None
        Tie handling of the cumulative hazard of the Fleming-Harrington method; ``None``
        for Kaplan-Meier.
    variance : {"greenwood", "aalen", "robust"}
        The variance computed.
    variance_requested : str
        The variance asked for (``"auto"`` when ipsstats chose; see `reason`).
    reason : str
        Why `variance` was chosen, when it was chosen automatically; empty otherwise.

    Attributes
    ----------
    std_err : array of float
        Standard error of :math:`\hat S(t)` itself (the value R reports as
        ``summary(fit)$std.err``). Where :math:`\hat S = 0` it is NaN for the Greenwood
        variance (as R) and 0 for the robust one (as R).
    lower, upper : array of float
        Pointwise confidence limits for :math:`S(t)` on the `conf_type` scale, clipped to
        [0, 1]. NaN (``None`` in :meth:`to_dict`) where the transform is undefined, as R
        gives ``NA``: where :math:`\hat S = 0` for every type, and where
        :math:`\hat S = 1` for ``"log-log"``, ``"logit"`` and ``"arcsine"``.
    """

    times: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_at_risk: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_entered: NDArray[np.float64] = attrs.field(converter=_float_array)
    survival: NDArray[np.float64] = attrs.field(converter=_float_array)
    std_err_log: NDArray[np.float64] = attrs.field(converter=_float_array)
    confidence_level: float
    conf_type: ConfType
    n: float
    method: Method = "kaplan-meier"
    ties: Ties | None = None
    variance: Literal["greenwood", "aalen", "robust"] = "greenwood"
    variance_requested: str = attrs.field(
        default=attrs.Factory(lambda self: self.variance, takes_self=True)
    )
    reason: str = ""

    @functools.cached_property
    def std_err(self) -> NDArray[np.float64]:
        r"""Standard error of :math:`\hat S(t)` (read-only; computed on first use)."""
        at_zero = 0.0 if self.variance == "robust" else np.nan
        out = np.multiply(
            self.survival,
            self.std_err_log,
            out=np.full_like(self.survival, at_zero),
            where=self.survival > 0,
        )
        return _sealed(out)

    @functools.cached_property
    def _limits(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lower, upper = survival_bands(
            self.survival, self.std_err_log, self.confidence_level, self.conf_type
        )
        return _sealed(lower), _sealed(upper)

    @property
    def lower(self) -> NDArray[np.float64]:
        """Lower pointwise confidence limits (read-only; computed on first use)."""
        return self._limits[0]

    @property
    def upper(self) -> NDArray[np.float64]:
        """Upper pointwise confidence limits (read-only; computed on first use)."""
        return self._limits[1]

    @property
    def _method(self) -> str:
        return f"{self.method}, {self.variance}, {self.conf_type}"

    @renamed_keywords(conf_level="confidence_level")
    def with_bands(
        self, *, confidence_level: object = None, conf_type: object = None
    ) -> SurvivalCurve:
        """Return the same curve with limits at another level or on another transform.

        Parameters
        ----------
        confidence_level : float, optional
            New coverage; default: keep the current one. (``conf_level`` is the deprecated
            spelling.)
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
            self.conf_type if conf_type is None else as_option(conf_type, "conf_type", CONF_TYPES)
        )
        return attrs.evolve(self, confidence_level=level, conf_type=transform)

    def confidence_interval(self, confidence_level: object = None) -> ConfidenceInterval:
        """Pointwise confidence limits of the curve, at its level or another one.

        Parameters
        ----------
        confidence_level : float, optional
            Coverage in (0, 1); default: the curve's own :attr:`confidence_level`.

        Returns
        -------
        ConfidenceInterval
            ``(low, high)``: read-only arrays, one value per time (the ``lower`` and
            ``upper`` of :meth:`with_bands` at that level).

        Raises
        ------
        InvalidInputError
            If `confidence_level` is not in (0, 1).

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([9, 13, 13, 18, 23], [1, 1, 0, 1, 0], conf_type="log")
        >>> low, high = curve.confidence_interval(0.9)
        >>> low.round(4).tolist()
        [0.5538, 0.3291, 0.081, 0.081]
        """
        curve = (
            self
            if confidence_level is None
            else self.with_bands(confidence_level=confidence_level)
        )
        return ConfidenceInterval._make((curve.lower, curve.upper))

    def _check_observed(self, wanted: NDArray[np.float64], name: str) -> None:
        check_observed(self, wanted, name)

    def _defined_limits(self) -> tuple[int, int]:
        """Find where the limits are defined, by binary searches on the curve.

        After the leading S = 1 (for the transforms undefined there) and before the
        closing S = 0 (see :func:`survival_bands`).
        """
        backwards = self.survival[::-1]  # non-decreasing
        size = backwards.size
        stop = size - int(backwards.searchsorted(0.0, side="right"))
        start = 0
        if self.conf_type in ("log-log", "logit", "arcsine"):
            start = size - int(backwards.searchsorted(1.0, side="left"))
        return start, stop

    def _index_at(self, t: float, name: str) -> int:
        """Index of the last curve time at or before `t` (-1 before the first time)."""
        self._check_observed(np.array([t]), name)
        return int(np.searchsorted(self.times, t, side="right")) - 1

    def _at_level(self, name: str, argument: object, level: float) -> Estimate:
        """Recompute an estimate of this curve at another confidence level."""
        curve = self.with_bands(confidence_level=level)
        result: Estimate = getattr(curve, name)(argument)
        return result

    def at(self, t: object) -> Estimate:
        r"""Estimate survival at time `t` with its pointwise confidence interval.

        Parameters
        ----------
        t : float
            A finite, non-negative time, at most the last observed time.

        Returns
        -------
        Estimate
            ``value`` is :math:`\hat S(t)`, ``std_err`` its standard error,
            ``lower``/``upper`` the pointwise limits (``None`` where the transform is
            undefined, with a note). Before the first time the estimate is 1 with limits 1.
            ``confidence_interval(level)`` recomputes the limits at another level.

        Raises
        ------
        InvalidInputError
            If `t` is negative, non-finite or not a number.
        InsufficientDataError
            If nobody is at risk at `t` (empty risk set): `t` is after the last observed
            time, or, with delayed entry, between the exit of every earlier subject and the
            next entry.

        See Also
        --------
        survival_at : The same (the name used before ipsstats 0.2).

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([9, 13, 13, 18, 23], [1, 1, 0, 1, 1], conf_type="log")
        >>> print(curve.at(15).value)
        0.6
        """
        time = _as_time(t, "t")
        k = self._index_at(time, "t")
        at_level = functools.partial(self._at_level, "at", time)
        if k < 0:
            return Estimate(
                value=1.0,
                lower=1.0,
                upper=1.0,
                confidence_level=self.confidence_level,
                method=self._method,
                std_err=0.0,
                note="before the first observed time",
                at_level=at_level,
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
            at_level=at_level,
        )

    def survival_at(self, t: object) -> Estimate:
        """Estimate survival at time `t`: the same as :meth:`at`.

        Parameters
        ----------
        t : float
            A finite, non-negative time, at most the last observed time.

        Returns
        -------
        Estimate
            See :meth:`at`.

        Examples
        --------
        >>> from ipsstats import kaplan_meier
        >>> curve = kaplan_meier([9, 13, 13, 18, 23], [1, 1, 0, 1, 1], conf_type="log")
        >>> curve.survival_at(15) == curve.at(15)
        True
        """
        return self.at(t)

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
            ``confidence_interval(level)`` recomputes the limits at another level.

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
        last_time = float(self.times[-1])
        value = step_reaching(self.times, self.survival, p, flip=True, monotone=True)
        start, stop = self._defined_limits()
        lower, upper = (
            step_reaching(self.times, band, p, flip=True, start=start, stop=stop)
            for band in (self.lower, self.upper)
        )
        notes = []
        what = "median" if p == 0.5 else f"quantile {p:g}"
        if np.isnan(value):
            lowest = float(self.survival[-1])
            notes.append(
                f"{what} not reached: survival stays above {1 - p:g} "
                f"(lowest {lowest:.4g}, at time {last_time:g})"
            )
        for limit, side in ((lower, "lower"), (upper, "upper")):
            if np.isnan(limit):
                notes.append(f"{side} confidence limit not reached")
        return Estimate(
            value=value,
            lower=lower,
            upper=upper,
            confidence_level=self.confidence_level,
            method=f"{self._method}, brookmeyer-crowley",
            note="; ".join(notes),
            at_level=functools.partial(self._at_level, "quantile", p),
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
        terms = greenwood_terms(at_risk, events)
        terms[~np.isfinite(terms)] = 0.0
        variance = float(np.sum(terms * tail[1:] ** 2))
        value = float(tail[0]) if tail.size else 0.0
        std_err = float(np.sqrt(variance))
        z = normal_quantile(self.confidence_level)
        notes = []
        if self.times.size and limit > self.times[-1]:
            notes.append(
                f"tau is after the last observed time {self.times[-1]:g}; curve carried forward"
            )
        if self.method != "kaplan-meier" or self.variance != "greenwood":
            notes.append(
                "standard error from the Greenwood-type formula of Kaplan-Meier, not from the "
                f"curve's {self.variance} variance"
            )
        return Estimate(
            value=value,
            lower=value - z * std_err,
            upper=value + z * std_err,
            confidence_level=self.confidence_level,
            method="restricted mean, miller variance, normal interval",
            std_err=std_err,
            note="; ".join(notes),
            at_level=functools.partial(self._at_level, "rmst", limit),
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
        return tabulate(self, wanted)

    def to_dict(self) -> dict[str, Any]:
        """Return the curve as JSON-safe Python objects (NaN becomes ``None``).

        Holds every field and the derived ``std_err``, ``lower`` and ``upper``.
        """
        names = [f.name for f in attrs.fields(SurvivalCurve)]
        names[names.index("std_err_log") : names.index("std_err_log")] = ["std_err"]
        names[names.index("confidence_level") : names.index("confidence_level")] = [
            "lower",
            "upper",
        ]
        return {name: json_safe(getattr(self, name)) for name in names}

    def __repr__(self) -> str:
        return (
            f"SurvivalCurve(method: {self.method!r}, times: {self.times.size}, n: {self.n:g}, "
            f"events: {float(self.n_events.sum()):g}, variance: {self.variance!r}, "
            f"conf_type: {self.conf_type!r}, confidence_level: {self.confidence_level:g})"
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
    method: Method = "kaplan-meier",
    ties: Ties | None = None,
    variance: Variance = "auto",
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
    method: Method = "kaplan-meier",
    ties: Ties | None = None,
    variance: Variance = "auto",
) -> Mapping[object, SurvivalCurve]: ...


@renamed_keywords(conf_level="confidence_level")
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
    method: Method = "kaplan-meier",
    ties: Ties | None = None,
    variance: Variance = "auto",
) -> SurvivalCurve | Mapping[object, SurvivalCurve]:
    r"""Kaplan-Meier (or Fleming-Harrington) estimate of a survival curve.

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
        Non-negative, finite case weights, one per record; the counts use the weighted
        numbers, as R's ``survfit(..., weights=)``. Zero weights drop a record.
    confidence_level : float, default 0.95
        Coverage of the pointwise limits and of the quantile intervals. (``conf_level``
        is the deprecated spelling.)
    conf_type : {"log-log", "plain", "log", "logit", "arcsine"}, default "log-log"
        Scale on which the pointwise limits are symmetric, as R's ``survfit``
        ``conf.type`` (R's default is ``"log"``; ``"arcsine"`` is R's ``"arcsin"``).
    by : array-like, optional
        Group labels (a column name with `data`): one curve per group is returned, as a
        mapping ``{group: SurvivalCurve}`` in the order of the levels.
    data : data frame, optional
        A data frame of any engine; `durations`, `events`, `entry`, `weights` and `by`
        then name its columns and the engine counts them (:mod:`ipsstats.frames`).
    method : {"kaplan-meier", "fleming-harrington"}, default "kaplan-meier"
        The product-limit estimate, or :math:`e^{-\hat H}` with :math:`\hat H` the
        Nelson-Aalen cumulative hazard (the Fleming-Harrington or Breslow estimate; R's
        ``survfit(..., stype = 2)``).
    ties : {"nelson-aalen", "fleming-harrington"}, optional
        Only with ``method="fleming-harrington"``: the hazard jump :math:`d / n` at tied
        events (default; R's ``ctype = 1``) or the Fleming-Harrington correction for
        ties (R's ``ctype = 2``; see :func:`nelson_aalen`).
    variance : {"auto", "greenwood", "aalen", "robust"}, default "auto"
        ``"greenwood"`` (Kaplan-Meier: Greenwood's formula; Fleming-Harrington: Klein's
        Greenwood-type variance of :math:`\hat H`), ``"aalen"`` (Fleming-Harrington
        only: Aalen's :math:`\sum d / n^2`), or ``"robust"``: the infinitesimal
        jackknife of R's ``survfit(..., robust = TRUE)``, which needs records.
        ``"auto"`` follows R: robust when some weight is not a whole number, otherwise
        Greenwood (Kaplan-Meier) or Aalen (Fleming-Harrington). The choice and the
        reason are recorded on the curve.

    Returns
    -------
    SurvivalCurve
        Per distinct time: ``times``, ``n_at_risk``, ``n_events``, ``n_censored``,
        ``n_entered``, ``survival``, ``std_err`` (of :math:`\hat S`), ``std_err_log``,
        ``lower``, ``upper``; with :meth:`~SurvivalCurve.at`,
        :meth:`~SurvivalCurve.median`, :meth:`~SurvivalCurve.quantile`,
        :meth:`~SurvivalCurve.rmst`, :meth:`~SurvivalCurve.table`,
        :meth:`~SurvivalCurve.confidence_interval` and ``to_dict()``.

    Raises
    ------
    InvalidInputError
        For negative, NaN or infinite durations; event indicators other than 0/1 or
        booleans; arguments of different lengths; an entry not before its duration;
        negative, non-finite or non-numeric (boolean, complex, text) weights; an unknown
        `conf_type`, `method`, `ties` or `variance` (or one the method does not use); a
        `confidence_level` outside (0, 1); record arguments given with a life table; a
        robust variance asked of a life table; or the tie correction asked of a life
        table of non-whole (weighted) event counts.
    InsufficientDataError
        If there are no subjects.

    See Also
    --------
    LifeTable : aggregated input, addable across services or data partitions.
    nelson_aalen : the cumulative hazard itself.

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

    The Fleming-Harrington estimate is :math:`\tilde S(t) = e^{-\hat H(t)}` with
    :math:`\hat H` the Nelson-Aalen estimate (:func:`nelson_aalen`) and :math:`\sigma`
    the standard error of :math:`\hat H` [3]_; :math:`\tilde S \ge \hat S` at every time.

    Case weights enter the counts. Greenwood's formula then treats them as frequencies:
    it agrees with R, and with the records repeated, for whole-number weights only. For
    other weights (sampling or inverse-probability weights) the robust variance is the
    sandwich (infinitesimal jackknife) estimate [4]_

    .. math::

        \widehat{\mathrm{Var}}\,\log \hat S(t) = \sum_k \Bigl(w_k \sum_{t_i \le t}
        \frac{dN_k(t_i) - Y_k(t_i)\,d_i / n_i}{n_i - d_i}\Bigr)^2 ,

    with :math:`Y_k` and :math:`dN_k` the at-risk and event indicators of record
    :math:`k`: R's ``survfit(..., robust = TRUE)``, its default for non-integer weights
    (with or without delayed entry, each record its own cluster).

    References
    ----------
    .. [1] Kalbfleisch, J. D. and Prentice, R. L. (2002). *The Statistical Analysis of
       Failure Time Data*, 2nd ed. Wiley, section 1.4.1, eq. (1.13)-(1.14).
    .. [2] Therneau, T. M. and Grambsch, P. M. (2000). *Modeling Survival Data*.
       Springer, section 2.1.1; R survival package, ``survfit.formula`` documentation.
    .. [3] Fleming, T. R. and Harrington, D. P. (1984). Nonparametric estimation of the
       survival distribution in censored data. *Communications in Statistics - Theory
       and Methods* 13(20), 2469-2486.
    .. [4] Therneau, T. M. *The survfit function*, methods vignette of the R survival
       package version 3, section "Robust variance" (infinitesimal jackknife).

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

    The Fleming-Harrington estimate (``survfit(..., stype = 2)``) lies above it:

    >>> fh = kaplan_meier([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
    ...                   [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0], method="fleming-harrington")
    >>> fh.survival[:4].round(4).tolist(), fh.variance
    ([0.9131, 0.8262, 0.7291, 0.6321], 'aalen')
    """
    level = as_confidence_level(confidence_level)
    transform = as_option(conf_type, "conf_type", CONF_TYPES)
    estimator = as_option(method, "method", _METHODS)
    tie_rule: Ties | None = None
    if estimator == "fleming-harrington":
        tie_rule = "nelson-aalen" if ties is None else as_option(ties, "ties", _TIES)
    elif ties is not None:
        raise fail(
            "ties",
            "be None unless `method='fleming-harrington'`",
            repr(ties),
            hint="the Kaplan-Meier product does not depend on how tied events are ordered.",
        )
    requested = as_option(variance, "variance", _VARIANCES[estimator])
    if data is not None or by is not None:  # columns of a frame, or one curve per group
        from ipsstats.survival._frames import curves  # noqa: PLC0415  # rarely used paths

        options: dict[str, Any] = {
            "confidence_level": level,
            "conf_type": conf_type,
            "method": method,
            "ties": ties,
            "variance": variance,
        }
        _, reason = choose_variance(
            requested,
            estimator="kaplan-meier" if estimator == "kaplan-meier" else "nelson-aalen",
            weights=None,
            has_records=True,
        )
        found: SurvivalCurve | Mapping[object, SurvivalCurve] = curves(
            kaplan_meier,
            data,
            {"durations": durations, "events": events, "entry": entry, "weights": weights},
            by=by,
            options=options,
            records_needed=weights is not None or requested == "robust",
            reason=reason,
        )
        return found
    raw, table = records_and_table(durations, events, entry, weights)
    if table.times.size == 0:
        raise InsufficientDataError(
            "`durations` holds no subjects (or only subjects of weight 0), so there is no "
            "curve to estimate.",
            argument="durations",
        )
    chosen, reason = choose_variance(
        requested,
        estimator="kaplan-meier" if estimator == "kaplan-meier" else "nelson-aalen",
        weights=None if raw is None else raw.weights,
        has_records=raw is not None,
    )
    needs_records = chosen == "robust" or (
        tie_rule == "fleming-harrington" and raw is not None and raw.weights is not None
    )
    records = raw.code(table.times) if needs_records and raw is not None else None
    at_risk = table.n_at_risk
    if estimator == "kaplan-meier":
        survival, std_err_log = product_limit(at_risk, table.n_events, chosen, records)
    else:
        cumhaz, std_err_log = hazard_curve(
            at_risk,
            table.n_events,
            ties=tie_rule or "nelson-aalen",
            variance=chosen,
            records=records,
        )
        survival = np.exp(-cumhaz)
    return SurvivalCurve(
        times=table.times,
        n_at_risk=_sealed(at_risk),
        n_events=table.n_events,
        n_censored=table.n_censored,
        n_entered=table.n_entered,
        survival=_sealed(survival),
        std_err_log=_sealed(std_err_log),
        confidence_level=level,
        conf_type=transform,
        n=table.n,
        method=estimator,
        ties=tie_rule,
        variance=chosen,
        variance_requested=requested,
        reason=reason,
    )
