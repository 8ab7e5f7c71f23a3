"""Pointwise confidence bands of survival, incidence and hazard curves, and their quantiles.

Shared by the curves of the survival wing: the transforms on which a pointwise interval is
symmetric, the normal quantile of a confidence level, and the search for the time at which
a step function first reaches a level (R's ``quantile.survfit``), used both for quantiles
of the estimate and for their Brookmeyer-Crowley intervals by inverting the band.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from typing import Any, Literal

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
    "first_true",
    "hazard_bands",
    "incidence_bands",
    "normal_quantile",
    "step_reaching",
    "survival_bands",
]

ConfType = Literal["plain", "log", "log-log", "logit", "arcsine"]
CONF_TYPES: tuple[ConfType, ...] = ("plain", "log", "log-log", "logit", "arcsine")
HazardConfType = Literal["log", "plain"]
HAZARD_CONF_TYPES: tuple[HazardConfType, ...] = ("log", "plain")
# R's `sqrt(.Machine$double.eps)`: values this close to a requested level are taken as
# equal to it (the midpoint rule of `quantile.survfit`).
QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))
# Curves with more points than this are searched by bisection, shorter ones by arrays.
_BISECT_FROM = 1 << 13


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

    `survival` is non-increasing (a survival curve) and `std_err_log` the standard error
    of :math:`\log \hat S` (of :math:`\hat H` for a curve :math:`e^{-\hat H}`). NaN
    where the transform is undefined: S = 0 for every transform (the Greenwood variance is
    infinite there), and S = 1 for log-log, logit and arcsine.
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
            # exp(-exp(log(-log S) -+ h)) = S ** exp(-+h), h = z sigma / log S: written
            # as exp(log S * e) with e = exp(-+h), two fewer transcendental passes, and
            # computed in place
            log_s = np.log(s)
            spread = np.multiply(sigma, z)
            spread /= log_s
            np.exp(spread, out=spread)
            lower = np.divide(log_s, spread)
            np.exp(lower, out=lower)
            upper = np.multiply(log_s, spread, out=spread)
            np.exp(upper, out=upper)
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
    # S is non-increasing: the points at S = 1 lead and those at S = 0 close the curve
    backwards = s[::-1]
    last = s.size - int(backwards.searchsorted(0.0, side="right"))
    first = 0
    if conf_type in ("log-log", "logit", "arcsine"):
        first = s.size - int(backwards.searchsorted(1.0, side="left"))
    for limit in (lower, upper):
        limit[:first] = np.nan
        limit[last:] = np.nan
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


def _monotone(
    times: NDArray[np.float64],
    positions: NDArray[np.intp] | None,
    values: NDArray[np.float64],
    *,
    first_undefined: int,
    p: float,
    last_time: float,
) -> float:
    """Search the defined values `values` (at `positions`; all when ``None``).

    `first_undefined` is the index of the first NaN of the whole sequence (its length
    when there is none).
    """
    tol = QUANTILE_TOLERANCE
    k1 = int((values + tol).searchsorted(p, side="left"))
    if p < values[0] + tol or k1 == values.size:
        return float("nan")

    def at(k: int) -> int:
        return k if positions is None else int(positions[k])

    first_time = float(times[at(k1)])
    last = float(values[-1])
    # The last point kept by R's duplicate removal is the first occurrence of the last
    # level, unless the first undefined point comes after it.
    start_of_last = at(int(values.searchsorted(last, side="left")))
    last_is_undefined = first_undefined < len(times) and first_undefined > start_of_last
    if not last_is_undefined and abs(p - last) < tol:
        return (first_time + last_time) / 2
    k2 = int((values - tol).searchsorted(p, side="left"))
    if k2 == values.size:
        return float("nan")
    return (first_time + float(times[at(k2)])) / 2


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
    positions = np.flatnonzero(defined)
    undefined = np.flatnonzero(~defined)
    first_undefined = int(undefined[0]) if undefined.size else len(times)
    return _monotone(
        times, positions, cdf[positions], first_undefined=first_undefined, p=p, last_time=last_time
    )


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
    undefined = np.isnan(cdf)
    if undefined.any():
        first_undefined = int(np.argmax(undefined))
        positions: NDArray[np.intp] | None = np.flatnonzero(~undefined)
        values = cdf[positions]
    else:
        first_undefined, positions, values = len(cdf), None, cdf
    if values.size == 0:
        return float("nan")
    if (values[1:] >= values[:-1]).all():
        if float(values[-1]) < p:
            return float("nan")
        return _monotone(
            times, positions, values, first_undefined=first_undefined, p=p, last_time=last_time
        )
    tol = QUANTILE_TOLERANCE
    # every value at or near p and above is a candidate; the rest only bounds the search
    candidates = values[values + tol >= p]
    if candidates.size == 0 or float(candidates.max()) < p:
        return float("nan")
    if (np.abs(p - candidates) < tol).any():
        return first_reaching_general(times, cdf, p, last_time)
    # no value within the tolerance of p: the first occurrence of the smallest candidate
    if p < float(values.min()) + tol:
        return float("nan")
    k = int(np.argmax(values == candidates.min()))
    return float(times[k if positions is None else int(positions[k])])


def _unflat(
    times: NDArray[np.float64],
    positions: NDArray[np.intp] | None,
    values: NDArray[np.float64],
    p: float,
) -> float:
    """Search the defined `values` (at `positions`) when none is within the tolerance."""
    tol = QUANTILE_TOLERANCE
    if p < float(values.min()) + tol:
        return float("nan")
    above = values + tol >= p
    if not above.any():
        return float("nan")
    level = values[above].min()
    k = int(np.argmax(values == level))
    return float(times[k if positions is None else int(positions[k])])


def first_reaching_unflat(
    times: NDArray[np.float64], cdf: NDArray[np.float64], defined: NDArray[np.bool_], p: float
) -> float:
    """:func:`first_reaching` when no value is within the tolerance of `p`: no sorting.

    The point found is then the first occurrence of the smallest value above `p`, and the
    midpoint and end-of-curve rules cannot apply.
    """
    positions = np.flatnonzero(defined)
    return _unflat(times, positions, cdf[positions], p)


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
    k1 = int((ordered + tol).searchsorted(p, side="left"))
    k2 = int((ordered - tol).searchsorted(p, side="left"))
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
    if float(cdf[-1]) < p:
        return float("nan")
    return _monotone(times, None, cdf, first_undefined=len(cdf), p=p, last_time=last_time)


def first_true(size: int, predicate: Callable[[int], bool]) -> int:
    """Return the first ``k`` in ``range(size)`` where a monotone `predicate` holds.

    `predicate` is False then True along the range; `size` when it never holds. A binary
    search (:func:`bisect.bisect_left` on the range, keyed by the predicate).
    """
    return bisect.bisect_left(range(size), 1, key=lambda k: int(predicate(k)))


def _probe(values: NDArray[np.float64], start: int, flip: bool) -> Any:
    """Return the k-th point of the CDF ``[0, f(values[start]), f(values[start + 1]), ...]``.

    ``f(x) = 1 - x`` for a survival scale (`flip`), ``x`` for an incidence scale; the
    arithmetic is the same, element by element, as on the whole array.
    """

    def value(k: int) -> float:
        if k == 0:
            return 0.0
        x = float(values[start + k - 1])
        return 1.0 - x if flip else x

    return value


def step_reaching(
    times: NDArray[np.float64],
    values: NDArray[np.float64],
    p: float,
    *,
    flip: bool,
    start: int = 0,
    stop: int | None = None,
    monotone: bool = False,
) -> float:
    """:func:`first_reaching` on a curve or band, without building its CDF array.

    The CDF is the origin (time 0, value 0) followed by ``f(values[start:stop])`` at
    ``times[start:stop]``, with ``f(x) = 1 - x`` when `flip` (a survival scale) and the
    identity otherwise; the points outside ``[start, stop)`` are undefined (NaN in the
    band). When the defined values never decrease on the CDF scale, two binary searches
    (:func:`bisect.bisect_left`) give the answer in O(log n); otherwise, and on short
    curves where array arithmetic is faster than Python steps, the CDF is built and
    searched by :func:`first_reaching`. The answer is that of :func:`first_reaching`.
    `monotone` skips the check, for an estimate (not a band), which is monotone.
    """
    end = values.size if stop is None else stop
    size = end - start + 1  # defined points, origin included
    last_time = float(times[-1])
    block = values[start:end]
    increasing = size > _BISECT_FROM and (1.0 - block[0] if flip else block[0]) >= 0.0
    if increasing and not monotone:
        increasing = bool(
            (block[1:] <= block[:-1]).all() if flip else (block[1:] >= block[:-1]).all()
        )
    if not increasing:
        complete = start == 0 and end == values.size
        if complete:
            cdf = np.empty(values.size + 1)
            cdf[0] = 0.0
        else:
            cdf = np.full(values.size + 1, np.nan)
            cdf[0] = 0.0
        if flip:
            np.subtract(1.0, block, out=cdf[start + 1 : end + 1])
        else:
            cdf[start + 1 : end + 1] = block
        origin = np.empty(times.size + 1)
        origin[0] = 0.0
        origin[1:] = times
        if monotone and complete:
            return first_reaching_sorted(origin, cdf, p, last_time)
        return first_reaching(origin, cdf, p, last_time)
    value = _probe(values, start, flip)
    last = value(size - 1)
    if last < p:
        return float("nan")

    def time_at(k: int) -> float:
        return 0.0 if k == 0 else float(times[start + k - 1])

    tol = QUANTILE_TOLERANCE
    k1 = first_true(size, lambda k: value(k) + tol >= p)
    if p < value(0) + tol or k1 == size:
        return float("nan")
    first_time = time_at(k1)
    # R drops repeated values keeping the first: the first occurrence of the last level is
    # kept unless an undefined point (NaN) follows it
    start_of_last = first_true(size, lambda k: value(k) >= last)
    # (the first undefined point is the first of the band when it starts undefined)
    undefined_after = start_of_last == 0 if start > 0 else end < values.size
    if not undefined_after and abs(p - last) < tol:
        return (first_time + last_time) / 2
    k2 = first_true(size, lambda k: value(k) - tol >= p)
    if k2 == size:
        return float("nan")
    return (first_time + time_at(k2)) / 2
