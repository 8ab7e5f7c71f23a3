"""Pointwise confidence bands of survival, incidence and hazard curves, and their quantiles.

Shared by the curves of the survival wing: the transforms on which a pointwise interval is
symmetric, the normal quantile of a confidence level, and the search for the time at which
a step function first reaches a level (R's ``quantile.survfit``), used both for quantiles
of the estimate and for their Brookmeyer-Crowley intervals by inverting the band.
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CONF_TYPES",
    "HAZARD_CONF_TYPES",
    "ConfType",
    "HazardConfType",
    "first_reaching",
    "first_reaching_general",
    "first_reaching_monotone",
    "first_reaching_sorted",
    "first_reaching_unflat",
    "hazard_bands",
    "incidence_bands",
    "normal_quantile",
    "survival_bands",
]

ConfType = Literal["plain", "log", "log-log", "logit", "arcsine"]
CONF_TYPES: tuple[ConfType, ...] = ("plain", "log", "log-log", "logit", "arcsine")
HazardConfType = Literal["log", "plain"]
HAZARD_CONF_TYPES: tuple[HazardConfType, ...] = ("log", "plain")
# R's `sqrt(.Machine$double.eps)`: values this close to a requested level are taken as
# equal to it (the midpoint rule of `quantile.survfit`).
QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))


@functools.lru_cache(maxsize=64)
def normal_quantile(confidence_level: float) -> float:
    r"""Return the normal quantile :math:`z_{(1 + \text{level}) / 2}` (validated level).

    scipy is imported here, on first use, so that importing ipsstats does not load it.
    """
    from scipy import special  # noqa: PLC0415  # lazy: keeps `import ipsstats` light

    return float(special.ndtri(0.5 + confidence_level / 2))


def survival_bands(
    survival: NDArray[np.float64],
    std_err_log: NDArray[np.float64],
    confidence_level: float,
    conf_type: ConfType,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Pointwise confidence limits of S(t) on the transformed scale, as R's `survfit`.

    `std_err_log` is the standard error of :math:`\log \hat S` (of :math:`\hat H` for
    a curve :math:`e^{-\hat H}`). NaN where the transform is undefined: S = 0 for every
    transform (the Greenwood variance is infinite there), and S = 1 for log-log, logit
    and arcsine.
    """
    z = normal_quantile(confidence_level)
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
    if undefined.any():
        lower = np.where(undefined, np.nan, lower)
        upper = np.where(undefined, np.nan, upper)
    return lower, upper


def incidence_bands(
    incidence: NDArray[np.float64],
    std_err: NDArray[np.float64],
    confidence_level: float,
    conf_type: ConfType,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Pointwise limits of a cumulative incidence F(t) from the standard error of F.

    Delta-method intervals symmetric on the `conf_type` scale of F, clipped to [0, 1];
    where F is 0 or 1 both limits equal the estimate. ``"log-log"`` is
    :math:`F^{\exp(\pm z\,\mathrm{se} / (F \log F))}` (Choudhury 2002).
    """
    z = normal_quantile(confidence_level)
    inside = (incidence > 0) & (incidence < 1)
    f = np.where(inside, incidence, 0.5)
    se = np.where(inside, std_err, 0.0)
    with np.errstate(over="ignore"):  # exp overflows to inf: the limit is then 0 or 1
        if conf_type == "log-log":
            spread = z * se / (f * np.log(f))
            first, second = f ** np.exp(spread), f ** np.exp(-spread)
            lower, upper = np.minimum(first, second), np.maximum(first, second)
        elif conf_type == "plain":
            lower, upper = np.maximum(f - z * se, 0.0), np.minimum(f + z * se, 1.0)
        elif conf_type == "log":
            lower, upper = f * np.exp(-z * se / f), np.minimum(f * np.exp(z * se / f), 1.0)
        elif conf_type == "logit":
            logit = np.log(f / (1.0 - f))
            half = z * se / (f * (1.0 - f))
            lower = 1.0 / (1.0 + np.exp(half - logit))
            upper = 1.0 / (1.0 + np.exp(-half - logit))
        else:  # arcsine
            angle = np.arcsin(np.sqrt(f))
            half = 0.5 * z * se / np.sqrt(f * (1.0 - f))
            lower = np.sin(np.maximum(angle - half, 0.0)) ** 2
            upper = np.sin(np.minimum(angle + half, np.pi / 2)) ** 2
    return np.where(inside, lower, incidence), np.where(inside, upper, incidence)


def hazard_bands(
    cumhaz: NDArray[np.float64],
    std_err: NDArray[np.float64],
    confidence_level: float,
    conf_type: HazardConfType,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Pointwise limits of a cumulative hazard H(t) from the standard error of H.

    ``"log"``: :math:`H e^{\pm z\,\mathrm{se} / H}` (as lifelines'
    ``NelsonAalenFitter``); ``"plain"``: :math:`H \pm z\,\mathrm{se}`, the lower limit
    clipped at 0. Both limits are 0 where H is 0.
    """
    z = normal_quantile(confidence_level)
    if conf_type == "plain":
        return np.maximum(cumhaz - z * std_err, 0.0), cumhaz + z * std_err
    positive = cumhaz > 0
    spread = z * std_err / np.where(positive, cumhaz, 1.0)
    with np.errstate(over="ignore"):
        return cumhaz * np.exp(-spread), cumhaz * np.exp(spread)


def first_reaching_monotone(
    times: NDArray[np.float64],
    cdf: NDArray[np.float64],
    defined: NDArray[np.bool_],
    p: float,
    last_time: float,
) -> float:
    """:func:`first_reaching` when the defined values never decrease: no sorting needed.

    Ordering the points by value is then ordering them by time, and a binary search on the
    values finds the first occurrence of each level.
    """
    tol = QUANTILE_TOLERANCE
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


def first_reaching(
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
        return first_reaching_monotone(times, cdf, defined, p, last_time)
    if not (defined & (np.abs(p - cdf) < QUANTILE_TOLERANCE)).any():
        return first_reaching_unflat(times, cdf, defined, p)
    return first_reaching_general(times, cdf, p, last_time)


def first_reaching_unflat(
    times: NDArray[np.float64], cdf: NDArray[np.float64], defined: NDArray[np.bool_], p: float
) -> float:
    """:func:`first_reaching` when no value is within the tolerance of `p`: no sorting.

    The point found is then the first occurrence of the smallest value above `p`, and the
    midpoint and end-of-curve rules cannot apply.
    """
    tol = QUANTILE_TOLERANCE
    if p < float(cdf[defined].min()) + tol:
        return float("nan")
    above = defined & (cdf + tol >= p)
    if not above.any():
        return float("nan")
    level = cdf[above].min()
    return float(times[int(np.argmax(defined & (cdf == level)))])


def first_reaching_general(
    times: NDArray[np.float64], cdf: NDArray[np.float64], p: float, last_time: float
) -> float:
    """:func:`first_reaching` for any sequence: sort the distinct values (R's `approx`)."""
    tol = QUANTILE_TOLERANCE
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


def first_reaching_sorted(
    times: NDArray[np.float64], cdf: NDArray[np.float64], p: float, last_time: float
) -> float:
    """:func:`first_reaching` for a curve known to be complete and non-decreasing.

    The estimate of a curve (not its band) is such a sequence: no check, no mask, two
    binary searches. Gives the same answer as :func:`first_reaching_monotone`.
    """
    tol = QUANTILE_TOLERANCE
    last = float(cdf[-1])
    if last < p:
        return float("nan")
    k1 = int(np.searchsorted(cdf + tol, p, side="left"))
    if p < cdf[0] + tol or k1 == cdf.size:
        return float("nan")
    first_time = float(times[k1])
    if abs(p - last) < tol:
        return (first_time + last_time) / 2
    k2 = int(np.searchsorted(cdf - tol, p, side="left"))
    if k2 == cdf.size:
        return float("nan")
    return (first_time + float(times[k2])) / 2
