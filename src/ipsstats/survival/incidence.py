"""The cumulative incidence curve of one cause among competing causes.

:class:`IncidenceCurve` is what :func:`ipsstats.cumulative_incidence` returns; it shares
the vocabulary of :class:`ipsstats.SurvivalCurve` (``at``, ``quantile``, ``median``,
``with_bands``, ``confidence_interval``, ``method``).
"""

from __future__ import annotations

import functools
import numbers
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_option, fail, float_array
from ipsstats._deprecation import renamed_keywords
from ipsstats.errors import InsufficientDataError
from ipsstats.results import ConfidenceInterval, Estimate, json_safe
from ipsstats.survival._bands import (
    CONF_TYPES,
    ConfType,
    incidence_bands,
    step_reaching,
)
from ipsstats.survival.lifetable import _as_time, _sealed

__all__ = ["IncidenceCurve"]


def _empty_intervals() -> NDArray[np.float64]:
    return np.zeros((0, 2))


@attrs.frozen(kw_only=True, eq=False, slots=False)
class IncidenceCurve:
    r"""Aalen-Johansen cumulative incidence of one cause, with variance and limits.

    A right-continuous step function over the distinct observed times. The limits are
    computed on first use (and kept).

    Parameters
    ----------
    times : array of float
        Distinct times at which a subject leaves observation (any cause or censoring).
    n_at_risk : array of float
        Subjects at risk just before each time.
    n_events : array of float
        Events of the cause of interest at each time.
    n_competing : array of float
        Events of any other cause at each time.
    n_censored : array of float
        Censorings at each time.
    incidence : array of float
        Cumulative incidence :math:`\hat F(t)` of the cause.
    std_err : array of float
        Standard error of the incidence (the variance of R's ``cmprsk::cuminc``).
    cause : int
        The cause code of interest.
    confidence_level : float
        Coverage of the limits.
    conf_type : {"log-log", "plain", "log", "logit", "arcsine"}
        Scale on which the limits are symmetric (see :func:`cumulative_incidence`).
    method : str
        ``"aalen-johansen"``.
    unobserved : array of float, shape (m, 2)
        With delayed entry, the intervals :math:`(a, b]` between the first and the last
        observed time in which nobody is at risk (every earlier subject has left and the
        next has not yet entered); empty otherwise. The incidence is not estimated there.

    Attributes
    ----------
    lower, upper : array of float
        Pointwise confidence limits of :math:`F(t)` on the `conf_type` scale, clipped to
        [0, 1]; equal to the estimate where it is 0 or 1.
    """

    times: NDArray[np.float64] = attrs.field(converter=float_array)
    n_at_risk: NDArray[np.float64] = attrs.field(converter=float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=float_array)
    n_competing: NDArray[np.float64] = attrs.field(converter=float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=float_array)
    incidence: NDArray[np.float64] = attrs.field(converter=float_array)
    std_err: NDArray[np.float64] = attrs.field(converter=float_array)
    cause: int
    confidence_level: float
    conf_type: ConfType = "log-log"
    method: str = "aalen-johansen"
    unobserved: NDArray[np.float64] = attrs.field(converter=float_array, factory=_empty_intervals)

    @functools.cached_property
    def _limits(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lower, upper = incidence_bands(
            self.incidence, self.std_err, self.confidence_level, self.conf_type
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

    @renamed_keywords(conf_level="confidence_level")
    def with_bands(
        self, *, confidence_level: object = None, conf_type: object = None
    ) -> IncidenceCurve:
        """Return the same curve with limits at another level or on another transform.

        Parameters
        ----------
        confidence_level : float, optional
            New coverage; default: keep the current one. (``conf_level`` is the deprecated
            spelling.)
        conf_type : {"log-log", "plain", "log", "logit", "arcsine"}, optional
            New transform; default: keep the current one.

        Returns
        -------
        IncidenceCurve
            A new curve; the estimate and standard errors are unchanged.

        Raises
        ------
        InvalidInputError
            If `confidence_level` is not in (0, 1) or `conf_type` is unknown.

        Examples
        --------
        >>> from ipsstats import cumulative_incidence
        >>> curve = cumulative_incidence([10, 20, 20, 35, 40], [1, 2, 1, 0, 1])
        >>> plain = curve.with_bands(conf_type="plain")
        >>> plain.conf_type, bool(plain.lower[0] <= curve.incidence[0])
        ('plain', True)
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
            ``(low, high)``: read-only arrays, one value per time.

        Raises
        ------
        InvalidInputError
            If `confidence_level` is not in (0, 1).

        Examples
        --------
        >>> from ipsstats import cumulative_incidence
        >>> curve = cumulative_incidence([10, 20, 20, 35, 40], [1, 2, 1, 0, 1])
        >>> low, high = curve.confidence_interval(0.9)
        >>> bool((low <= curve.incidence).all() and (curve.incidence <= high).all())
        True
        """
        curve = (
            self
            if confidence_level is None
            else self.with_bands(confidence_level=confidence_level)
        )
        return ConfidenceInterval._make((curve.lower, curve.upper))

    def _at_level(self, name: str, argument: float, level: float) -> Estimate:
        """Recompute an estimate of this curve at another confidence level."""
        result: Estimate = getattr(self.with_bands(confidence_level=level), name)(argument)
        return result

    @renamed_keywords(time="t")
    def at(self, t: object) -> Estimate:
        """Cumulative incidence at time `t`, with its confidence interval.

        Parameters
        ----------
        t : float
            A time between 0 and the last observed time. (``time`` is the deprecated
            spelling.)

        Returns
        -------
        Estimate
            The incidence, limits and standard error (all 0 before the first event).
            ``confidence_interval(level)`` recomputes the limits at another level.

        Raises
        ------
        InvalidInputError
            If `t` is negative or not a finite number.
        InsufficientDataError
            If nobody is at risk at `t` (empty risk set): it is after the last observed
            time, or, with delayed entry, in one of the `unobserved` intervals.

        Examples
        --------
        >>> from ipsstats import cumulative_incidence
        >>> curve = cumulative_incidence([10, 20, 20, 35, 40], [1, 2, 1, 0, 1])
        >>> print(round(curve.at(25).value, 4))
        0.4
        """
        value = _as_time(t, "t")
        if self.times.size == 0 or value > self.times[-1]:
            last = f"{self.times[-1]:g}" if self.times.size else "none"
            raise InsufficientDataError(
                f"`t` must not be after the last observed time ({last}); got {value:g}. "
                "Hint: no one is under observation then, so the incidence is unknown.",
                argument="t",
            )
        inside = (self.unobserved[:, 0] < value) & (value <= self.unobserved[:, 1])
        if inside.any():
            start, end = self.unobserved[int(np.argmax(inside))]
            raise InsufficientDataError(
                f"`t` = {value:g} falls where nobody is under observation: every subject "
                f"seen before has left by time {start:g} and the next enters at time {end:g}, "
                "so the incidence is not estimated there. Hint: with delayed entry, ask for "
                "times covered by follow-up.",
                argument="t",
            )
        index = int(np.searchsorted(self.times, value, side="right")) - 1
        at_level = functools.partial(self._at_level, "at", value)
        if index < 0:
            return Estimate(
                value=0.0,
                lower=0.0,
                upper=0.0,
                confidence_level=self.confidence_level,
                method=self.method,
                std_err=0.0,
                note="before the first observed time",
                at_level=at_level,
            )
        return Estimate(
            value=float(self.incidence[index]),
            lower=float(self.lower[index]),
            upper=float(self.upper[index]),
            confidence_level=self.confidence_level,
            method=f"{self.method}, {self.conf_type}",
            std_err=float(self.std_err[index]),
            at_level=at_level,
        )

    def quantile(self, q: object) -> Estimate:
        r"""Time by which a fraction `q` has had the cause, with its confidence interval.

        The estimate is the smallest time with :math:`\hat F(t) \ge q`; where
        :math:`\hat F` equals :math:`q` (within :math:`\sqrt{\epsilon}`) over an
        interval, the midpoint of that interval (to the last time when the curve ends flat
        there). The interval inverts the pointwise band as R's ``quantile.survfit`` does
        for a survival curve [1]_, [2]_: the lower limit is where the upper limit of the
        band reaches :math:`q`, the upper limit where its lower limit does.

        Parameters
        ----------
        q : float
            Probability strictly between 0 and 1 (0.5 for the median).

        Returns
        -------
        Estimate
            ``value``, ``lower`` and ``upper`` are times; a quantity not reached within
            follow-up is ``None`` and ``note`` says so. With competing causes the
            incidence of one cause often never reaches 0.5.

        Raises
        ------
        InvalidInputError
            If `q` is not a number strictly between 0 and 1.

        References
        ----------
        .. [1] Brookmeyer, R. and Crowley, J. (1982). A confidence interval for the median
           survival time. *Biometrics* 38(1), 29-41.
        .. [2] Therneau, T. M. survival: Survival Analysis. R package version 3,
           ``quantile.survfit``.

        Examples
        --------
        >>> from ipsstats import cumulative_incidence
        >>> days = [10, 20, 20, 35, 40, 50, 60, 75]
        >>> curve = cumulative_incidence(days, [1, 2, 1, 0, 1, 2, 0, 1])
        >>> print(curve.quantile(0.25).value)
        30.0
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
        last_time = float(self.times[-1]) if self.times.size else 0.0
        if self.times.size == 0:
            value = lower = upper = float("nan")
        else:
            value = step_reaching(self.times, self.incidence, p, flip=False, monotone=True)
            lower, upper = (
                step_reaching(self.times, band, p, flip=False) for band in (self.upper, self.lower)
            )
        notes = []
        if np.isnan(value):
            what = "median" if p == 0.5 else f"quantile {p:g}"
            notes.append(
                f"{what} not reached: the incidence stays below {p:g} "
                f"(highest {float(self.incidence[-1]):.4g}, at time {last_time:g})"
            )
        for limit, side in ((lower, "lower"), (upper, "upper")):
            if np.isnan(limit):
                notes.append(f"{side} confidence limit not reached")
        return Estimate(
            value=value,
            lower=lower,
            upper=upper,
            confidence_level=self.confidence_level,
            method=f"{self.method}, {self.conf_type}, brookmeyer-crowley",
            note="; ".join(notes),
            at_level=functools.partial(self._at_level, "quantile", p),
        )

    def median(self) -> Estimate:
        """Time by which half have had the cause: ``quantile(0.5)`` (see :meth:`quantile`).

        Returns
        -------
        Estimate
            The median and its limits, ``None`` with a note where not reached.

        Examples
        --------
        >>> from ipsstats import cumulative_incidence
        >>> curve = cumulative_incidence([10, 20, 20, 35, 40], [1, 1, 1, 0, 1])
        >>> print(curve.median().value)
        20.0
        """
        return self.quantile(0.5)

    def to_dict(self) -> dict[str, Any]:
        """Return the curve as JSON-safe Python objects, with ``lower`` and ``upper``."""
        names = [f.name for f in attrs.fields(IncidenceCurve)]
        at = names.index("cause")
        names[at:at] = ["lower", "upper"]
        return {name: json_safe(getattr(self, name)) for name in names}

    def __repr__(self) -> str:
        return (
            f"IncidenceCurve(cause: {self.cause}, times: {self.times.size}, "
            f"events: {float(self.n_events.sum()):g}, method: {self.method!r}, "
            f"conf_type: {self.conf_type!r}, confidence_level: {self.confidence_level:g})"
        )
