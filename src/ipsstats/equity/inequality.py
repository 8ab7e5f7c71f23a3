"""Inequality across ordered groups: the slope and relative indices of inequality.

Groups with a natural order (deprivation quintiles or deciles, age bands) call for a
summary of the gradient, not only of the differences between pairs of groups.
:func:`slope_index` fits the OHID's population-weighted regression on the groups'
relative ranks: the slope index of inequality (SII) and the relative index (RII), with
intervals by the OHID's simulation or the delta method.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_amounts,
    as_array,
    as_confidence_level,
    as_option,
    as_rng,
    fail,
    float_array,
)
from ipsstats._deprecation import renamed_keywords
from ipsstats.equity._common import _str_tuple
from ipsstats.equity._limits import z_value
from ipsstats.equity._strata import as_labels_for
from ipsstats.results import Estimate, ToDict, frozen_mapping

__all__ = [
    "INEQUALITY_TRANSFORMS",
    "SLOPE_METHODS",
    "InequalityTransform",
    "SlopeIndex",
    "SlopeMethod",
    "slope_index",
]

InequalityTransform = Literal["none", "log", "logit"]
SlopeMethod = Literal["simulation", "analytic"]
INEQUALITY_TRANSFORMS: tuple[InequalityTransform, ...] = ("none", "log", "logit")
SLOPE_METHODS: tuple[SlopeMethod, ...] = ("simulation", "analytic")
_MIN_SIMULATIONS = 1000
_MAX_SIMULATIONS = 10_000_000  # the draws are held in memory: 80 MB a group at the most
_LOG_LIMIT = 700.0  # exp() of more overflows a float


def _tuple(value: Sequence[object]) -> tuple[object, ...]:
    return tuple(value)


def _ranks(population: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return population shares and the midpoints of their cumulative distribution."""
    shares = population / population.sum()
    ranks = np.cumsum(shares) - shares / 2.0
    return shares, ranks


# --------------------------------------------------------------------------------------
# slope and relative index of inequality
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class SlopeIndex(ToDict):
    """Result of :func:`slope_index`: the SII and RII with their intervals.

    Parameters
    ----------
    sii : Estimate
        The slope index of inequality: the fitted difference between the top (rank 1)
        and the bottom (rank 0) of the order, on the scale of `values`.
    rii : Estimate
        The relative index: the fitted value at rank 1 over that at rank 0; ``None``
        value (with a note) when a fitted end value is not positive.
    method : {"simulation", "analytic"}
        How the intervals were computed.
    transform : {"none", "log", "logit"}
        The scale on which each group's value is taken as normal.
    labels : tuple
        The groups, in order (the first is at the bottom of the order, rank near 0).
    values, population, std_err : numpy.ndarray
        Each group's value, population and standard error (on the `transform` scale).
    ranks : numpy.ndarray
        Each group's relative rank: the midpoint of its share of the cumulative
        population.
    fitted : numpy.ndarray
        The regression line at each group's rank.
    confidence_level : float
        Coverage of the intervals.
    n_simulations : int or None
        The number of simulated samples (simulation only).
    details : Mapping
        The seed used (simulation only), so the intervals can be reproduced.
    caveats : tuple of str
        Anything a reader must know, in words.
    """

    sii: Estimate
    rii: Estimate
    method: SlopeMethod
    transform: InequalityTransform
    labels: tuple[object, ...] = attrs.field(converter=_tuple)
    values: NDArray[np.float64] = attrs.field(converter=float_array)
    population: NDArray[np.float64] = attrs.field(converter=float_array)
    std_err: NDArray[np.float64] = attrs.field(converter=float_array)
    ranks: NDArray[np.float64] = attrs.field(converter=float_array)
    fitted: NDArray[np.float64] = attrs.field(converter=float_array)
    confidence_level: float
    n_simulations: int | None = None
    details: Mapping[str, Any] = attrs.field(factory=dict, converter=frozen_mapping)
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def __str__(self) -> str:
        lines = [f"SII {self.sii}", f"RII {self.rii}"]
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)


def _coefficients(
    shares: NDArray[np.float64], ranks: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weights giving the slope and the intercept of the weighted regression as sums."""
    centre = float(np.sum(shares * ranks))
    spread = float(np.sum(shares * (ranks - centre) ** 2))
    slope = shares * (ranks - centre) / spread
    intercept = shares - centre * slope
    return slope, intercept


def _natural_variance(
    values: NDArray[np.float64], std_err: NDArray[np.float64], transform: InequalityTransform
) -> NDArray[np.float64]:
    """Variance of each value on its own scale, by the delta method from the transform."""
    if transform == "log":
        return np.asarray((values * std_err) ** 2, dtype=np.float64)
    if transform == "logit":
        return np.asarray((values * (1.0 - values) * std_err) ** 2, dtype=np.float64)
    return np.asarray(std_err**2, dtype=np.float64)


def _to_scale(values: NDArray[np.float64], transform: InequalityTransform) -> NDArray[np.float64]:
    if transform == "log":
        return np.asarray(np.log(values), dtype=np.float64)
    if transform == "logit":
        return np.asarray(np.log(values / (1.0 - values)), dtype=np.float64)
    return values


def _from_scale(
    values: NDArray[np.float64], transform: InequalityTransform
) -> NDArray[np.float64]:
    if transform == "log":
        return np.asarray(np.exp(values), dtype=np.float64)
    if transform == "logit":
        return np.asarray(1.0 / (1.0 + np.exp(-values)), dtype=np.float64)
    return values


@attrs.frozen
class _Fit:
    """The validated inputs of one slope-index computation."""

    values: NDArray[np.float64]
    natural_se: NDArray[np.float64]
    scaled: NDArray[np.float64]
    std_err: NDArray[np.float64]
    slope_w: NDArray[np.float64]
    intercept_w: NDArray[np.float64]
    transform: InequalityTransform


def _analytic(fit: _Fit, level: float) -> tuple[Estimate, Estimate]:
    z = z_value(level)
    sii = float(fit.slope_w @ fit.values)
    b0 = float(fit.intercept_w @ fit.values)
    var = fit.natural_se**2
    se = math.sqrt(float(np.sum(fit.slope_w**2 * var)))
    again_sii = functools.partial(_analytic_at, fit, "sii")
    sii_est = Estimate(
        value=sii,
        lower=sii - z * se,
        upper=sii + z * se,
        confidence_level=level,
        method="analytic",
        std_err=se,
        at_level=again_sii,
    )
    top = b0 + sii
    if b0 <= 0 or top <= 0:
        rii_est = Estimate(
            value=None,
            lower=None,
            upper=None,
            confidence_level=level,
            method="analytic",
            note="a fitted end value is not positive: the relative index is undefined",
        )
        return sii_est, rii_est
    gradient = (fit.slope_w + fit.intercept_w) / top - fit.intercept_w / b0
    log_se = math.sqrt(float(np.sum(gradient**2 * var)))
    rii = top / b0
    log_rii, half = math.log(rii), z * log_se
    # a fitted end close to 0 makes the log-scale interval reach beyond floating point
    reach = _LOG_LIMIT - abs(log_rii)
    return sii_est, Estimate(
        value=rii,
        lower=math.exp(log_rii - half) if half < reach else 0.0,
        upper=math.exp(log_rii + half) if half < reach else None,
        confidence_level=level,
        method="analytic",
        std_err=log_se,
        note=""
        if half < reach
        else "the upper limit is not finite: a fitted end value is close to 0",
        at_level=functools.partial(_analytic_at, fit, "rii"),
    )


def _analytic_at(fit: _Fit, which: str, level: float) -> Estimate:
    sii, rii = _analytic(fit, level)
    return sii if which == "sii" else rii


def _simulated(fit: _Fit, draws: NDArray[np.float64], level: float) -> tuple[Estimate, Estimate]:
    """Percentile limits of simulated SIIs and RIIs, at the OHID's positions."""
    sims = _from_scale(fit.scaled + draws * fit.std_err, fit.transform)
    slopes = sims @ fit.slope_w
    bottoms = sims @ fit.intercept_w
    sii = float(fit.slope_w @ fit.values)
    b0 = float(fit.intercept_w @ fit.values)
    low, high = _positions(slopes, level)
    again = functools.partial(_simulated_at, fit, draws)
    sii_est = Estimate(
        value=sii,
        lower=low,
        upper=high,
        confidence_level=level,
        method="simulation",
        at_level=functools.partial(again, "sii"),
    )
    if b0 <= 0 or b0 + sii <= 0:
        rii_est = Estimate(
            value=None,
            lower=None,
            upper=None,
            confidence_level=level,
            method="simulation",
            note="a fitted end value is not positive: the relative index is undefined",
        )
        return sii_est, rii_est
    with np.errstate(divide="ignore", invalid="ignore"):
        riis = (bottoms + slopes) / bottoms
    r_low, r_high = _positions(riis, level)
    rii_est = Estimate(
        value=(b0 + sii) / b0,
        lower=r_low,
        upper=r_high,
        confidence_level=level,
        method="simulation",
        at_level=functools.partial(again, "rii"),
    )
    return sii_est, rii_est


def _simulated_at(fit: _Fit, draws: NDArray[np.float64], which: str, level: float) -> Estimate:
    sii, rii = _simulated(fit, draws, level)
    return sii if which == "sii" else rii


def _positions(samples: NDArray[np.float64], level: float) -> tuple[float, float]:
    """Take the OHID's limits: sorted samples at positions round(R (1 - c)), round(R c)."""
    ordered = np.sort(samples)
    count = ordered.size
    upper_p = level + (1.0 - level) / 2.0
    low = max(round(count * (1.0 - upper_p)), 1)
    high = min(max(round(count * upper_p), 1), count)
    return float(ordered[low - 1]), float(ordered[high - 1])


def _as_std_err(
    values: NDArray[np.float64],
    std_err: object,
    *,
    lower: object,
    upper: object,
    transform: InequalityTransform,
    limits_level: float,
) -> NDArray[np.float64]:
    """Return standard errors on the transform's scale, given or from confidence limits."""
    if std_err is not None:
        if lower is not None or upper is not None:
            raise fail(
                "std_err",
                "be given alone, without `lower` and `upper`",
                "both",
                hint="pass either the standard errors or the confidence limits.",
            )
        se = as_amounts(std_err, "std_err", ndim=1)
        if se.shape != values.shape:
            raise fail("std_err", f"hold one value per group ({values.size})", f"{se.size}")
        return se
    if lower is None or upper is None:
        raise fail(
            "std_err",
            "be given, or else both `lower` and `upper`",
            "neither" if lower is None and upper is None else "only one limit",
            hint="the standard errors drive the interval of the SII.",
        )
    low = as_amounts(lower, "lower", ndim=1)
    high = as_amounts(upper, "upper", ndim=1)
    for name, bound in (("lower", low), ("upper", high)):
        if bound.shape != values.shape:
            raise fail(name, f"hold one value per group ({values.size})", f"{bound.size}")
    outside = (low > values) | (high < values)
    if outside.any():
        k = int(np.argmax(outside))
        raise fail(
            "lower",
            "and `upper` contain `values`",
            f"{low[k]:g} to {high[k]:g} around {values[k]:g} at index {k}",
            positions=(k,),
        )
    _check_domain(low, "lower", transform)
    _check_domain(high, "upper", transform)
    width = _to_scale(high, transform) - _to_scale(low, transform)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        se = np.asarray(width / (2.0 * z_value(limits_level)), dtype=np.float64)
    if not np.isfinite(se).all():
        raise fail(
            "limits_level",
            "be a level at which the limits give finite standard errors",
            f"{limits_level!r}, whose normal quantile is {z_value(limits_level):.3g}",
            hint="give the level the limits were computed at, such as 0.95.",
        )
    return se


def _check_domain(values: NDArray[np.float64], name: str, transform: InequalityTransform) -> None:
    if transform == "log":
        bad = values <= 0
        rule = "be positive with transform='log'"
    elif transform == "logit":
        bad = (values <= 0) | (values >= 1)
        rule = "lie strictly between 0 and 1 with transform='logit'"
    else:
        return
    if bad.any():
        k = int(np.argmax(bad))
        raise fail(
            name,
            rule,
            f"{values[k]:g} at index {k}",
            hint="use transform='none' or method='analytic' for values at the boundary.",
            positions=(k,),
        )


@renamed_keywords(conf_level="confidence_level")
def slope_index(
    values: object,
    population: object,
    *,
    std_err: object = None,
    lower: object = None,
    upper: object = None,
    limits_level: float = 0.95,
    transform: InequalityTransform = "none",
    method: SlopeMethod = "simulation",
    n_simulations: int = 100_000,
    rng: object = None,
    labels: Sequence[object] | None = None,
    confidence_level: float = 0.95,
) -> SlopeIndex:
    r"""Slope and relative index of inequality across ordered groups (the OHID method).

    Parameters
    ----------
    values : array-like of float
        The indicator in each group (a rate, proportion or mean), groups in their order,
        e.g. from the most to the least deprived quintile.
    population : array-like of float
        Each group's population (positive), which sets its share of the order.
    std_err : array-like of float, optional
        Each value's standard error on the `transform` scale (log for rates, logit for
        proportions). Give it, or `lower` and `upper`.
    lower, upper : array-like of float, optional
        Each value's confidence limits at `limits_level`; the standard error on the
        `transform` scale is their distance there over :math:`2z`.
    limits_level : float
        The level of `lower` and `upper`; default 0.95.
    transform : {"none", "log", "logit"}
        The scale on which each value is taken as normal: ``"log"`` for rates,
        ``"logit"`` for proportions, ``"none"`` otherwise (the OHID's value types).
    method : {"simulation", "analytic"}
        The intervals: the OHID's simulation (default), or the delta method (exactly
        normal for ``transform="none"``).
    n_simulations : int
        Simulated samples, from 1000 to 10 000 000; default 100 000, as the OHID.
    rng : int, numpy.random.Generator or None
        Seed or generator of the simulation; the seed used is recorded in ``details``.
    labels : sequence, optional
        The groups' labels; default ``1, 2, ...``.
    confidence_level : float
        Coverage of the intervals, strictly between 0 and 1. (``conf_level`` is
        accepted with a deprecation warning.)

    Returns
    -------
    SlopeIndex
        ``sii`` and ``rii`` (each an :class:`~ipsstats.Estimate` that recomputes its
        interval at another level from the same draws), with the ranks, the fitted line
        and the inputs.

    Raises
    ------
    InvalidInputError
        If the inputs differ in length, hold fewer than two groups, a population is not
        positive, a value or limit lies outside the transform's domain, limits do not
        contain their value, both or neither of `std_err` and the limits are given,
        `n_simulations` is below 1000, `rng` is not a seed or generator, or an option
        is unknown.

    See Also
    --------
    proportion_inequality : SII, RII and concentration index of proportions from counts.
    concentration_index : the concentration index of a binary outcome.

    Notes
    -----
    With population shares :math:`a_i` and relative ranks
    :math:`b_i = \sum_{j<i} a_j + a_i/2`, the OHID fit the regression [1]_ [2]_

    .. math::

        y_i \sqrt{a_i} = \beta_0 \sqrt{a_i} + \beta_1 b_i \sqrt{a_i},

    that is weighted least squares of :math:`y` on :math:`b` with weights :math:`a`:

    .. math::

        \text{SII} = \beta_1 = \frac{\sum_i a_i (b_i - \bar b) y_i}
        {\sum_i a_i (b_i - \bar b)^2}, \qquad
        \text{RII} = \frac{\beta_0 + \beta_1}{\beta_0},

    with :math:`\bar b = \sum_i a_i b_i`. The SII is the fitted gap between the top and
    the bottom of the order; it changes sign, and the RII inverts, when the order is
    reversed. The simulation draws each :math:`g(y_i) \sim N(g(y_i), s_i^2)` on the
    transform's scale, transforms back and refits, :math:`R` times; the limits are the
    sorted simulated values at positions :math:`\operatorname{round}(R\alpha/2)` and
    :math:`\operatorname{round}(R(1 - \alpha/2))` [2]_. The analytic interval uses
    :math:`\operatorname{Var}(\text{SII}) = \sum_i c_i^2 \operatorname{Var}(y_i)`, with
    :math:`c_i` the weights above and the delta method from the transform's scale, and
    the delta method on :math:`\log\text{RII}`.

    References
    ----------
    .. [1] Low, A. and Low, A. (2004). Measuring the gap: quantifying and comparing local
       health inequalities. Journal of Public Health 26(4), 388-395.
    .. [2] Office for Health Improvement and Disparities. Public health indicator
       methods: slope index of inequality (PHEindicatormethods ``phe_sii``, and the
       Technical Guide to confidence intervals, appendix on simulated intervals).

    Examples
    --------
    Life expectancy by deprivation decile, most deprived first (the OHID's example):

    >>> values = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
    >>> pop = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
    >>> se = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57]
    >>> res = slope_index(values, pop, std_err=se, method="analytic")
    >>> print(f"SII {res.sii.value:.3f}, RII {res.rii.value:.4f}")
    SII 7.000, RII 1.0897
    """
    how = as_option(method, "method", SLOPE_METHODS)
    scale = as_option(transform, "transform", INEQUALITY_TRANSFORMS)
    level = as_confidence_level(confidence_level)
    limits = as_confidence_level(limits_level, "limits_level")
    y = as_amounts(values, "values", ndim=1) if scale != "none" else _as_reals(values)
    pop = as_amounts(population, "population", ndim=1)
    if pop.shape != y.shape:
        raise fail("population", f"hold one value per group ({y.size})", f"{pop.size} values")
    if y.size < 2:
        raise fail("values", "hold at least two groups", f"{y.size}")
    if (pop <= 0).any():
        k = int(np.argmax(pop <= 0))
        raise fail(
            "population", "be positive in every group", f"{pop[k]:g} at index {k}", positions=(k,)
        )
    _check_domain(y, "values", scale)
    se = _as_std_err(y, std_err, lower=lower, upper=upper, transform=scale, limits_level=limits)
    names = as_labels_for(labels, "labels", y.size)
    return _slope(
        y,
        pop,
        se,
        scale=scale,
        how=how,
        n_simulations=n_simulations,
        rng=rng,
        names=names,
        level=level,
    )


def _as_reals(value: object) -> NDArray[np.float64]:
    array = as_array(value, "values")
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise fail("values", "be a 1-D array of numbers", f"an array of dtype {array.dtype}")
    floats = array.astype(np.float64)
    if not np.isfinite(floats).all():
        k = int(np.argmax(~np.isfinite(floats)))
        raise fail("values", "hold finite numbers", f"{floats[k]!r} at index {k}", positions=(k,))
    return floats


def _slope(
    y: NDArray[np.float64],
    pop: NDArray[np.float64],
    se: NDArray[np.float64],
    *,
    scale: InequalityTransform,
    how: SlopeMethod,
    n_simulations: object,
    rng: object,
    names: tuple[object, ...],
    level: float,
) -> SlopeIndex:
    shares, ranks = _ranks(pop)
    slope_w, intercept_w = _coefficients(shares, ranks)
    fit = _Fit(
        values=y,
        natural_se=np.sqrt(_natural_variance(y, se, scale)),
        scaled=_to_scale(y, scale),
        std_err=se,
        slope_w=slope_w,
        intercept_w=intercept_w,
        transform=scale,
    )
    details: dict[str, Any] = {}
    count: int | None = None
    if how == "simulation":
        if (
            isinstance(n_simulations, bool)
            or not isinstance(n_simulations, (int, np.integer))
            or not _MIN_SIMULATIONS <= n_simulations <= _MAX_SIMULATIONS
        ):
            raise fail(
                "n_simulations",
                f"be a whole number of at least {_MIN_SIMULATIONS} "
                f"(and at most {_MAX_SIMULATIONS:,})",
                repr(n_simulations),
                hint="the OHID use 100000.",
            )
        count = int(n_simulations)
        generator, seed = as_rng(rng, "rng")
        details = {"seed": seed}
        draws = generator.standard_normal((count, y.size))
        sii, rii = _simulated(fit, draws, level)
    else:
        sii, rii = _analytic(fit, level)
    intercept = float(intercept_w @ y)
    return SlopeIndex(
        sii=sii,
        rii=rii,
        method=how,
        transform=scale,
        labels=names,
        values=y,
        population=pop,
        std_err=se,
        ranks=ranks,
        fitted=intercept + (sii.value or 0.0) * ranks,
        confidence_level=level,
        n_simulations=count,
        details=details,
    )
