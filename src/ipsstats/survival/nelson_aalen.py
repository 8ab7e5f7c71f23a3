"""Nelson-Aalen estimation of the cumulative hazard of censored durations."""

from __future__ import annotations

import functools
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_option
from ipsstats._deprecation import renamed_keywords
from ipsstats.errors import InsufficientDataError
from ipsstats.results import ConfidenceInterval, Estimate, json_safe
from ipsstats.survival._bands import HAZARD_CONF_TYPES, HazardConfType, hazard_bands
from ipsstats.survival._records import check_observed, records_and_table
from ipsstats.survival._variance import Ties, Variance, choose_variance, hazard_curve
from ipsstats.survival.lifetable import _as_time, _float_array, _sealed

__all__ = ["CumulativeHazard", "HazardConfType", "nelson_aalen"]

_TIES: tuple[Ties, ...] = ("nelson-aalen", "fleming-harrington")
_VARIANCES: tuple[Variance, ...] = ("auto", "aalen", "greenwood", "robust")


@attrs.frozen(kw_only=True, eq=False, slots=False)
class CumulativeHazard:
    r"""A Nelson-Aalen cumulative hazard curve with standard errors and pointwise limits.

    Returned by :func:`nelson_aalen`; all arrays have one value per distinct time of an
    event, a censoring or a delayed entry, and are read-only. The limits are computed on
    first use (and kept).

    Parameters
    ----------
    times : array of float
        Distinct times, increasing.
    n_at_risk : array of float
        Risk set just before each time.
    n_events, n_censored, n_entered : array of float
        Events, censorings and delayed entries at each time (weighted sums with weights).
    cumhaz : array of float
        The estimate :math:`\hat H(t)` just after each time.
    std_err : array of float
        Standard error of :math:`\hat H(t)` (R's ``fit$std.chaz``).
    confidence_level : float
        Coverage of the pointwise limits.
    conf_type : {"log", "plain"}
        Scale on which the limits are symmetric (see :func:`nelson_aalen`).
    n : float
        Number (or total weight) of subjects.
    method : str
        ``"nelson-aalen"``.
    ties : {"nelson-aalen", "fleming-harrington"}
        How tied events enter the hazard jumps.
    variance : {"aalen", "greenwood", "robust"}
        The variance computed.
    variance_requested : str
        The variance asked for (``"auto"`` when ipsstats chose; see `reason`).
    reason : str
        Why `variance` was chosen, when it was chosen automatically; empty otherwise.

    Attributes
    ----------
    lower, upper : array of float
        Pointwise confidence limits of :math:`H(t)`; 0 where :math:`\hat H = 0`.
    """

    times: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_at_risk: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_entered: NDArray[np.float64] = attrs.field(converter=_float_array)
    cumhaz: NDArray[np.float64] = attrs.field(converter=_float_array)
    std_err: NDArray[np.float64] = attrs.field(converter=_float_array)
    confidence_level: float
    conf_type: HazardConfType
    n: float
    method: Literal["nelson-aalen"] = "nelson-aalen"
    ties: Ties = "nelson-aalen"
    variance: Literal["aalen", "greenwood", "robust"] = "aalen"
    variance_requested: str = attrs.field(
        default=attrs.Factory(lambda self: self.variance, takes_self=True)
    )
    reason: str = ""

    @functools.cached_property
    def _limits(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lower, upper = hazard_bands(
            self.cumhaz, self.std_err, self.confidence_level, self.conf_type
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
    ) -> CumulativeHazard:
        """Return the same curve with limits at another level or on another scale.

        Parameters
        ----------
        confidence_level : float, optional
            New coverage; default: keep the current one. (``conf_level`` is the deprecated
            spelling.)
        conf_type : {"log", "plain"}, optional
            New scale; default: keep the current one.

        Returns
        -------
        CumulativeHazard
            A new curve; the estimate and standard errors are unchanged.

        Raises
        ------
        InvalidInputError
            If `confidence_level` is not in (0, 1) or `conf_type` is unknown.

        Examples
        --------
        >>> from ipsstats import nelson_aalen
        >>> curve = nelson_aalen([9, 13, 13, 18, 23], [1, 1, 0, 1, 1])
        >>> bool(curve.with_bands(confidence_level=0.99).upper[0] > curve.upper[0])
        True
        """
        level = (
            self.confidence_level
            if confidence_level is None
            else as_confidence_level(confidence_level)
        )
        scale = (
            self.conf_type
            if conf_type is None
            else as_option(conf_type, "conf_type", HAZARD_CONF_TYPES)
        )
        return attrs.evolve(self, confidence_level=level, conf_type=scale)

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
        >>> from ipsstats import nelson_aalen
        >>> curve = nelson_aalen([9, 13, 13, 18, 23], [1, 1, 0, 1, 1])
        >>> low, high = curve.confidence_interval()
        >>> bool((low <= curve.cumhaz).all() and (curve.cumhaz <= high).all())
        True
        """
        curve = (
            self
            if confidence_level is None
            else self.with_bands(confidence_level=confidence_level)
        )
        return ConfidenceInterval._make((curve.lower, curve.upper))

    def _at_level(self, t: float, level: float) -> Estimate:
        return self.with_bands(confidence_level=level).at(t)

    def at(self, t: object) -> Estimate:
        r"""Cumulative hazard at time `t`, with its pointwise confidence interval.

        Parameters
        ----------
        t : float
            A finite, non-negative time, at most the last observed time.

        Returns
        -------
        Estimate
            ``value`` is :math:`\hat H(t)`, ``std_err`` its standard error,
            ``lower``/``upper`` the pointwise limits (0 before the first time).
            ``confidence_interval(level)`` recomputes the limits at another level.

        Raises
        ------
        InvalidInputError
            If `t` is negative, non-finite or not a number.
        InsufficientDataError
            If nobody is at risk at `t`: after the last observed time or, with delayed
            entry, between the exit of every earlier subject and the next entry.

        Examples
        --------
        >>> from ipsstats import nelson_aalen
        >>> curve = nelson_aalen([9, 13, 13, 18, 23], [1, 1, 0, 1, 1])
        >>> print(round(curve.at(15).value, 4))
        0.45
        """
        time = _as_time(t, "t")
        check_observed(self, np.array([time]), "t")
        k = int(np.searchsorted(self.times, time, side="right")) - 1
        at_level = functools.partial(self._at_level, time)
        method = f"{self.method}, {self.variance}, {self.conf_type}"
        if k < 0:
            return Estimate(
                value=0.0,
                lower=0.0,
                upper=0.0,
                confidence_level=self.confidence_level,
                method=method,
                std_err=0.0,
                note="before the first observed time",
                at_level=at_level,
            )
        return Estimate(
            value=float(self.cumhaz[k]),
            lower=float(self.lower[k]),
            upper=float(self.upper[k]),
            confidence_level=self.confidence_level,
            method=method,
            std_err=float(self.std_err[k]),
            at_level=at_level,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the curve as JSON-safe Python objects, with ``lower`` and ``upper``."""
        names = [f.name for f in attrs.fields(CumulativeHazard)]
        at = names.index("confidence_level")
        names[at:at] = ["lower", "upper"]
        return {name: json_safe(getattr(self, name)) for name in names}

    def __repr__(self) -> str:
        return (
            f"CumulativeHazard(times: {self.times.size}, n: {self.n:g}, "
            f"events: {float(self.n_events.sum()):g}, ties: {self.ties!r}, "
            f"variance: {self.variance!r}, conf_type: {self.conf_type!r}, "
            f"confidence_level: {self.confidence_level:g})"
        )


@renamed_keywords(conf_level="confidence_level")
def nelson_aalen(
    durations: object,
    events: object = None,
    *,
    entry: object = None,
    weights: object = None,
    confidence_level: object = 0.95,
    conf_type: HazardConfType = "log",
    ties: Ties = "nelson-aalen",
    variance: Variance = "auto",
) -> CumulativeHazard:
    r"""Nelson-Aalen estimate of the cumulative hazard, with its variance and limits.

    Parameters
    ----------
    durations : array-like of float, or LifeTable
        Time to the event or to censoring per subject (finite, non-negative), or a
        :class:`LifeTable` of counts (then `events`, `entry` and `weights` are omitted).
    events : array-like of bool or {0, 1}, optional
        1 or ``True`` for an event, 0 or ``False`` for censoring. Default: all events.
    entry : array-like of float, optional
        Delayed entry: subject i is at risk on (entry[i], durations[i]].
    weights : array-like of float, optional
        Non-negative, finite case weights, one per record; zero weights drop a record.
    confidence_level : float, default 0.95
        Coverage of the pointwise limits. (``conf_level`` is the deprecated spelling.)
    conf_type : {"log", "plain"}, default "log"
        ``"log"``: limits :math:`\hat H e^{\pm z\,\mathrm{se} / \hat H}`, as lifelines'
        ``NelsonAalenFitter``; ``"plain"``: :math:`\hat H \pm z\,\mathrm{se}`, clipped
        at 0.
    ties : {"nelson-aalen", "fleming-harrington"}, default "nelson-aalen"
        Tied events: one jump :math:`d / n` (R's ``ctype = 1``; lifelines
        ``nelson_aalen_smoothing=False``), or the Fleming-Harrington correction that lets
        them leave one after another (R's ``ctype = 2``; lifelines' default smoothing).
    variance : {"auto", "aalen", "greenwood", "robust"}, default "auto"
        ``"aalen"``: the Poisson-type :math:`\sum d / n^2` (R's ``std.chaz``);
        ``"greenwood"``: Klein's Greenwood-type :math:`\sum (n - d) d / n^3` (lifelines
        without smoothing); ``"robust"``: R's infinitesimal jackknife (needs records).
        ``"auto"`` follows R: robust when some weight is not a whole number, Aalen's
        otherwise. The choice and the reason are recorded on the curve.

    Returns
    -------
    CumulativeHazard
        ``times``, ``n_at_risk``, ``n_events``, ``n_censored``, ``n_entered``,
        ``cumhaz``, ``std_err``, ``lower``, ``upper``; ``at(t)`` gives an
        :class:`~ipsstats.Estimate`.

    Raises
    ------
    InvalidInputError
        For invalid durations, events, entries or weights (as :func:`kaplan_meier`); an
        unknown `conf_type`, `ties` or `variance`; a `confidence_level` outside (0, 1);
        record arguments with a life table; a robust variance asked of a life table; or
        the tie correction asked of a life table of non-whole (weighted) event counts.
    InsufficientDataError
        If there are no subjects.

    See Also
    --------
    kaplan_meier : ``method="fleming-harrington"`` gives the survival curve
        :math:`e^{-\hat H}` with quantiles and intervals.

    Notes
    -----
    With :math:`n_i` at risk and :math:`d_i` events at the distinct times :math:`t_i`
    [1]_, [2]_,

    .. math::

        \hat H(t) = \sum_{t_i \le t} \frac{d_i}{n_i}, \qquad
        \widehat{\mathrm{Var}}_{\mathrm{Aalen}} = \sum_{t_i \le t} \frac{d_i}{n_i^2},
        \qquad
        \widehat{\mathrm{Var}}_{\mathrm{Greenwood}} = \sum_{t_i \le t}
        \frac{(n_i - d_i)\, d_i}{n_i^3} .

    Klein [3]_ compares the two variances; R's ``survfit`` reports Aalen's. The
    Fleming-Harrington correction for ties [4]_ replaces :math:`d_i / n_i` by
    :math:`\sum_{l=0}^{m_i - 1} \delta_i / (n_i - l \delta_i)` for :math:`m_i` tied
    event records of total weight :math:`d_i`, :math:`\delta_i = d_i / m_i`, and each
    variance by the sum of its single-event terms over these steps (R's ``ctype = 2``
    for Aalen's). With case weights the counts are weighted sums, as in R. The robust
    variance is :math:`\sum_k (w_k\,\partial \hat H(t) / \partial w_k)^2` over records.

    References
    ----------
    .. [1] Nelson, W. (1972). Theory and applications of hazard plotting for censored
       failure data. *Technometrics* 14(4), 945-966.
    .. [2] Aalen, O. (1978). Nonparametric inference for a family of counting processes.
       *Annals of Statistics* 6(4), 701-726.
    .. [3] Klein, J. P. (1991). Small sample moments of some estimators of the variance
       of the Kaplan-Meier and Nelson-Aalen estimators. *Scandinavian Journal of
       Statistics* 18(4), 333-340; Klein, J. P. and Moeschberger, M. L. (2003).
       *Survival Analysis*, 2nd ed., Springer, section 4.2.
    .. [4] Fleming, T. R. and Harrington, D. P. (1984). Nonparametric estimation of the
       survival distribution in censored data. *Communications in Statistics - Theory
       and Methods* 13(20), 2469-2486.

    Examples
    --------
    R's ``aml`` data, non-maintained arm (``survfit(Surv(time, status) ~ 1, data =
    aml[aml$x == "Nonmaintained", ], ctype = 1)``; ``fit$cumhaz``, ``fit$std.chaz``):

    >>> from ipsstats import nelson_aalen
    >>> days = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
    >>> relapse = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    >>> curve = nelson_aalen(days, relapse)
    >>> curve.cumhaz[:3].round(4).tolist(), curve.std_err[:3].round(4).tolist()
    ([0.1667, 0.3667, 0.4917], [0.1179, 0.1841, 0.2225])
    >>> tied = nelson_aalen(days, relapse, ties="fleming-harrington")
    >>> tied.cumhaz[:3].round(4).tolist()
    [0.1742, 0.3854, 0.5104]
    """
    level = as_confidence_level(confidence_level)
    scale = as_option(conf_type, "conf_type", HAZARD_CONF_TYPES)
    tie_rule = as_option(ties, "ties", _TIES)
    requested = as_option(variance, "variance", _VARIANCES)
    raw, table = records_and_table(durations, events, entry, weights)
    if table.times.size == 0:
        raise InsufficientDataError(
            "`durations` holds no subjects (or only subjects of weight 0), so there is no "
            "hazard to estimate.",
            argument="durations",
        )
    chosen, reason = choose_variance(
        requested,
        estimator="nelson-aalen",
        weights=None if raw is None else raw.weights,
        has_records=raw is not None,
    )
    needs_records = chosen == "robust" or (
        tie_rule == "fleming-harrington" and raw is not None and raw.weights is not None
    )
    records = raw.code(table.times) if needs_records and raw is not None else None
    at_risk = table.n_at_risk
    cumhaz, std_err = hazard_curve(
        at_risk, table.n_events, ties=tie_rule, variance=chosen, records=records
    )
    return CumulativeHazard(
        times=table.times,
        n_at_risk=_sealed(at_risk),
        n_events=table.n_events,
        n_censored=table.n_censored,
        n_entered=table.n_entered,
        cumhaz=_sealed(cumhaz),
        std_err=_sealed(std_err),
        confidence_level=level,
        conf_type=scale,
        n=table.n,
        ties=tie_rule,
        variance=chosen,
        variance_requested=requested,
        reason=reason,
    )
