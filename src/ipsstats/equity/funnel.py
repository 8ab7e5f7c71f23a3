"""Funnel plots: many services, teams or groups compared with a target, as data.

:func:`funnel` computes control limits around a target for proportions, rates or
standardised ratios (exact with Spiegelhalter's interpolation, or allowing for
over-dispersion) and flags each unit; :func:`outcome_funnel` does it for the job rates of
the units of a cohort, optionally standardised for age and gender. Draw the result with
:func:`ipsstats.plot.plot_funnel`.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_amounts,
    as_confidence_level,
    as_counts,
    as_option,
    fail,
    float_array,
)
from ipsstats._deprecation import renamed_keywords
from ipsstats._scipy import special, stats
from ipsstats.cohort import Cohort
from ipsstats.equity._common import _str_tuple
from ipsstats.equity._limits import z_value
from ipsstats.equity._strata import (
    as_labels_for,
    as_strata_names,
    cohort_grid,
    layout_of,
    occupied,
)
from ipsstats.equity.outcome import _months_option, _window
from ipsstats.errors import InsufficientDataError
from ipsstats.results import TestResult, ToDict

__all__ = [
    "FUNNEL_KINDS",
    "OVERDISPERSION",
    "Funnel",
    "FunnelFlag",
    "FunnelKind",
    "FunnelUnit",
    "Overdispersion",
    "funnel",
    "outcome_funnel",
]

FunnelKind = Literal["proportion", "rate", "ratio"]
Overdispersion = Literal["none", "multiplicative", "additive"]
FunnelFlag = Literal["above", "below", "within"]
FUNNEL_KINDS: tuple[FunnelKind, ...] = ("proportion", "rate", "ratio")
OVERDISPERSION: tuple[Overdispersion, ...] = ("none", "multiplicative", "additive")
_GRID = 200


def _float_tuple(value: Sequence[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


@attrs.frozen(kw_only=True)
class FunnelUnit(ToDict):
    """One unit (service, team, group) on a funnel plot.

    Parameters
    ----------
    label : object
        The unit's label.
    numerator : float
        Events (people with the outcome, or observed events of a ratio).
    denominator : float
        People (proportion), person-time or population (rate), or expected events
        (ratio): the precision axis of the plot.
    value : float
        ``numerator / denominator``.
    z : float
        The unit's standardised difference from the target (before winsorising), on the
        scale of the chosen method (see :func:`funnel`).
    lower, upper : tuple of float
        The control limits at the unit's denominator, one per level.
    flag : {"above", "below", "within"}
        Where the unit lies against the widest limits it falls outside.
    flag_level : float or None
        The highest level whose limits the unit lies outside (e.g. 0.998); ``None`` when
        within all of them.
    """

    label: object
    numerator: float
    denominator: float
    value: float
    z: float
    lower: tuple[float, ...] = attrs.field(converter=_float_tuple)
    upper: tuple[float, ...] = attrs.field(converter=_float_tuple)
    flag: FunnelFlag
    flag_level: float | None


@attrs.frozen(kw_only=True, eq=False)
class Funnel(ToDict):
    r"""Result of :func:`funnel`: control limits, flagged units and the curves to draw.

    Parameters
    ----------
    kind : {"proportion", "rate", "ratio"}
        What is compared.
    target : float
        The target the limits surround.
    target_given : bool
        Whether the caller gave the target (otherwise it is the pooled value).
    confidence_levels : tuple of float
        The control levels, e.g. ``(0.95, 0.998)``.
    overdispersion : {"none", "multiplicative", "additive"}
        How the limits allow for over-dispersion.
    method : str
        How the limits were computed, e.g. ``"exact-binomial"``, ``"normal-phi"``,
        ``"random-effects-sqrt"``.
    phi : float or None
        The winsorised dispersion estimate :math:`\hat\phi` (with over-dispersion).
    phi_used : float or None
        The factor applied to the variance: :math:`\max(1, \hat\phi)`
        (multiplicative only).
    tau2 : float or None
        The between-unit variance :math:`\hat\tau^2` on the transformed scale
        (additive only).
    dispersion_test : TestResult or None
        :math:`I\hat\phi` against :math:`\chi^2` (with over-dispersion): a small
        p-value says the units vary more than chance alone.
    winsorise : float
        The share of z-scores pulled in at each end before estimating dispersion.
    units : tuple of FunnelUnit
        One per unit, in input order.
    precision : numpy.ndarray
        Denominators at which the curves are given (read-only).
    curve_lower, curve_upper : numpy.ndarray
        The limits along `precision`, one row per level (read-only).
    name : str or None
        What the units are (e.g. ``"team"``), when known.
    caveats : tuple of str
        Anything a reader must know, in words.
    """

    kind: FunnelKind
    target: float
    target_given: bool
    confidence_levels: tuple[float, ...] = attrs.field(converter=_float_tuple)
    overdispersion: Overdispersion
    method: str
    phi: float | None
    phi_used: float | None
    tau2: float | None
    dispersion_test: TestResult | None
    winsorise: float
    units: tuple[FunnelUnit, ...]
    precision: NDArray[np.float64] = attrs.field(converter=float_array)
    curve_lower: NDArray[np.float64] = attrs.field(converter=float_array)
    curve_upper: NDArray[np.float64] = attrs.field(converter=float_array)
    name: str | None = None
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def limits(
        self, denominators: Sequence[float] | NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the lower and upper limits at other denominators, one row per level.

        Parameters
        ----------
        denominators : array-like of float
            Positive denominators (whole numbers for proportions with exact limits).

        Returns
        -------
        tuple of numpy.ndarray
            ``(lower, upper)``, each of shape ``(len(confidence_levels), len(denominators))``.

        Raises
        ------
        InvalidInputError
            If a denominator is not positive and finite (or not whole, where needed).
        """
        rho = _as_denominators(denominators, "denominators", self.kind, self.overdispersion)
        return _limits(
            self.kind,
            self.target,
            rho,
            levels=self.confidence_levels,
            overdispersion=self.overdispersion,
            phi=self.phi_used or 1.0,
            tau2=self.tau2 or 0.0,
        )

    def flagged(self, level: float | None = None) -> tuple[FunnelUnit, ...]:
        """Return the units outside the limits of `level` (default: the lowest level)."""
        levels = self.confidence_levels
        chosen = min(levels) if level is None else as_confidence_level(level, "level")
        if not any(math.isclose(chosen, lv) for lv in levels):
            raise fail("level", f"be one of the funnel's levels {levels}", repr(level))
        return tuple(
            u for u in self.units if u.flag_level is not None and u.flag_level >= chosen - 1e-12
        )

    def to_text(self) -> str:
        """Render as a plain-text table: value, limits and flag per unit."""
        head = ["unit", "numerator", "denominator", "value"]
        head += [f"{100 * lv:g}% limits" for lv in self.confidence_levels]
        rows = [(*head, "flag")]
        for u in self.units:
            limits = [f"{lo:.3g} to {hi:.3g}" for lo, hi in zip(u.lower, u.upper, strict=True)]
            flag = "within" if u.flag_level is None else f"{u.flag} {100 * u.flag_level:g}%"
            rows.append(
                (
                    str(u.label),
                    f"{u.numerator:g}",
                    f"{u.denominator:.4g}",
                    f"{u.value:.3g}",
                    *limits,
                    flag,
                )
            )
        widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
        what = self.name or "units"
        lines = [f"funnel of {what}: {self.kind}, target {self.target:.4g} ({self.method})"]
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        if self.dispersion_test is not None:
            lines.append(
                f"dispersion: phi = {self.phi:.3g}, test p = {self.dispersion_test.pvalue:.3g}"
                + (f", tau2 = {self.tau2:.3g}" if self.tau2 is not None else "")
            )
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


# --------------------------------------------------------------------------------------
# limits
# --------------------------------------------------------------------------------------


# Past this variance of the count the interpolated quantile is computed from the
# Cornish-Fisher expansion, which agrees with the exact one to about 1e-13 relative there,
# because SciPy's discrete quantiles stall (binomial) or give NaN (Poisson) at such sizes.
_EXACT_VARIANCE_LIMIT = 1e9


def _exact_quantile(
    p: float, rho: NDArray[np.float64], target: float, kind: FunnelKind
) -> NDArray[np.float64]:
    """Spiegelhalter's interpolated p-quantile of the count, divided by the precision."""
    mean = rho * target
    variance = rho * _variance(kind, target)
    large = variance > _EXACT_VARIANCE_LIMIT
    count = np.empty_like(rho)
    count[large] = _expanded_quantile(p, mean[large], variance[large], target, kind)
    small = ~large
    if small.any():
        count[small] = _interpolated_quantile(p, rho[small], target, kind)
    return np.asarray(count / rho, dtype=np.float64)


def _interpolated_quantile(
    p: float, rho: NDArray[np.float64], target: float, kind: FunnelKind
) -> NDArray[np.float64]:
    """Return the count r - alpha where the interpolated distribution function is p."""
    dist = stats.binom(rho, target) if kind == "proportion" else stats.poisson(rho * target)
    r = np.asarray(dist.ppf(p), dtype=np.float64)
    # guard the quantile against rounding in ppf: the smallest r with F(r) >= p
    for _ in range(2):
        r = np.where(dist.cdf(r - 1) >= p, r - 1, r)
        r = np.where(dist.cdf(r) < p, r + 1, r)
    cdf = np.asarray(dist.cdf(r), dtype=np.float64)
    mass = np.asarray(dist.pmf(r), dtype=np.float64)
    alpha = np.divide(cdf - p, mass, out=np.zeros_like(cdf), where=mass > 0)
    return np.asarray(r - alpha, dtype=np.float64)


def _expanded_quantile(
    p: float,
    mean: NDArray[np.float64],
    variance: NDArray[np.float64],
    target: float,
    kind: FunnelKind,
) -> NDArray[np.float64]:
    r"""Return the interpolated quantile of a large count (Cornish-Fisher, corrected).

    The interpolated distribution function of the count is close to
    :math:`\Phi((x + 1/2 - \mu)/\sigma)` with a skewness correction, so its p-quantile is
    :math:`\mu - 1/2 + \sigma (z + \gamma (z^2 - 1) / 6)`, with :math:`\gamma` the
    skewness: :math:`(1 - 2\theta)/\sigma` (binomial) or :math:`1/\sigma` (Poisson).
    """
    sd = np.sqrt(variance)
    skew = (1.0 - 2.0 * target) / sd if kind == "proportion" else 1.0 / sd
    z = float(special.ndtri(p))
    return np.asarray(mean - 0.5 + sd * (z + skew * (z * z - 1.0) / 6.0), dtype=np.float64)


def _variance(kind: FunnelKind, target: float) -> float:
    return target * (1.0 - target) if kind == "proportion" else target


def _transform(kind: FunnelKind, y: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Apply the variance-stabilising transform: arcsine square root, or square root."""
    values = np.asarray(y, dtype=np.float64)
    if kind == "proportion":
        return np.asarray(np.arcsin(np.sqrt(np.clip(values, 0.0, 1.0))), dtype=np.float64)
    return np.asarray(np.sqrt(np.maximum(values, 0.0)), dtype=np.float64)


def _untransform(kind: FunnelKind, t: NDArray[np.float64]) -> NDArray[np.float64]:
    if kind == "proportion":
        return np.asarray(np.sin(np.clip(t, 0.0, math.pi / 2)) ** 2, dtype=np.float64)
    return np.asarray(np.maximum(t, 0.0) ** 2, dtype=np.float64)


def _limits(
    kind: FunnelKind,
    target: float,
    rho: NDArray[np.float64],
    *,
    levels: tuple[float, ...],
    overdispersion: Overdispersion,
    phi: float,
    tau2: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lower = np.empty((len(levels), rho.size))
    upper = np.empty((len(levels), rho.size))
    for k, level in enumerate(levels):
        tail = (1.0 - level) / 2.0
        if overdispersion == "none":
            # the interpolation can fall below 0 where the quantile is 0: cut there
            lower[k] = np.maximum(_exact_quantile(tail, rho, target, kind), 0.0)
            upper[k] = np.maximum(_exact_quantile(1.0 - tail, rho, target, kind), 0.0)
            continue
        z = z_value(level)
        if overdispersion == "multiplicative":
            half = z * np.sqrt(phi * _variance(kind, target) / rho)
            lower[k] = np.maximum(target - half, 0.0)
            upper[k] = target + half
            if kind == "proportion":
                upper[k] = np.minimum(upper[k], 1.0)
            continue
        centre = float(_transform(kind, target))
        half = z * np.sqrt(1.0 / (4.0 * rho) + tau2)
        lower[k] = _untransform(kind, centre - half)
        upper[k] = _untransform(kind, centre + half)
    return lower, upper


# --------------------------------------------------------------------------------------
# dispersion
# --------------------------------------------------------------------------------------


def _winsorised(z: NDArray[np.float64], share: float) -> NDArray[np.float64]:
    if share == 0 or z.size < 3:
        return z
    low, high = np.quantile(z, [share, 1.0 - share])
    return np.clip(z, low, high)


def _z_scores(
    kind: FunnelKind,
    overdispersion: Overdispersion,
    target: float,
    values: NDArray[np.float64],
    rho: NDArray[np.float64],
) -> NDArray[np.float64]:
    if overdispersion == "additive":
        centre = float(_transform(kind, target))
        return np.asarray((_transform(kind, values) - centre) * 2.0 * np.sqrt(rho))
    return np.asarray((values - target) / np.sqrt(_variance(kind, target) / rho))


def _dispersion(
    z: NDArray[np.float64], rho: NDArray[np.float64], share: float, dof: int
) -> tuple[float, float, TestResult]:
    """Winsorised phi, the DerSimonian-Laird tau^2 (transformed scale) and the chi2 test."""
    units = z.size
    phi = float(np.mean(_winsorised(z, share) ** 2))
    w = 4.0 * rho  # 1 / variance on the transformed scale
    spread = float(w.sum() - (w * w).sum() / w.sum())
    tau2 = max(0.0, (units * phi - (units - 1)) / spread) if spread > 0 else 0.0
    test = TestResult(
        statistic=units * phi,
        pvalue=float(stats.chi2.sf(units * phi, dof)),
        dof=dof,
        method="dispersion",
        n=units,
        details={"winsorise": share},
    )
    return phi, tau2, test


def _method_token(kind: FunnelKind, overdispersion: Overdispersion) -> str:
    if overdispersion == "none":
        return "exact-binomial" if kind == "proportion" else "exact-poisson"
    if overdispersion == "multiplicative":
        return "normal-phi"
    return "random-effects-arcsine" if kind == "proportion" else "random-effects-sqrt"


def _as_denominators(
    value: object, name: str, kind: FunnelKind, overdispersion: Overdispersion
) -> NDArray[np.float64]:
    rho = as_amounts(value, name, ndim=1)
    bad = rho <= 0
    if bad.any():
        first = int(np.argmax(bad))
        raise fail(name, "be positive", f"{rho[first]:g} at index {first}", positions=(first,))
    if kind == "proportion" and overdispersion == "none":
        fractional = rho != np.round(rho)
        if fractional.any():
            first = int(np.argmax(fractional))
            raise fail(
                name,
                "hold whole numbers of people for exact binomial limits",
                f"{rho[first]:g} at index {first}",
                hint="use kind='rate' for person-time, or an over-dispersion method.",
                positions=(first,),
            )
    return rho


def _as_levels(value: object) -> tuple[float, ...]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not value:
        raise fail(
            "confidence_levels",
            "be a non-empty sequence of levels",
            repr(value),
            hint="the usual levels are (0.95, 0.998).",
        )
    return tuple(sorted({as_confidence_level(v, "confidence_levels") for v in value}))


def _curve_grid(rho: NDArray[np.float64], *, whole: bool) -> NDArray[np.float64]:
    """Denominators along which to draw the limits: from half the smallest to past the largest."""
    low = max(float(rho.min()) * 0.5, 1.0) if whole else float(rho.min()) * 0.5
    high = max(float(rho.max()) * 1.1, low * 1.01)
    grid = np.geomspace(low, high, _GRID)
    if whole:
        grid = np.unique(np.round(grid))
    return np.asarray(grid, dtype=np.float64)


@renamed_keywords(levels="confidence_levels")
def funnel(
    numerators: object,
    denominators: object,
    *,
    kind: FunnelKind = "proportion",
    labels: Sequence[object] | None = None,
    target: float | None = None,
    confidence_levels: float | Sequence[float] = (0.95, 0.998),
    overdispersion: Overdispersion = "none",
    winsorise: float = 0.1,
    name: str | None = None,
) -> Funnel:
    r"""Funnel-plot control limits around a target, with each unit flagged.

    Parameters
    ----------
    numerators : array-like of int
        Per unit: people with the outcome (``"proportion"``), events (``"rate"``) or
        observed events (``"ratio"``).
    denominators : array-like of float
        Per unit: people (``"proportion"``), person-time or population (``"rate"``), or
        expected events, e.g. from :func:`indirect_standardise` (``"ratio"``).
    kind : {"proportion", "rate", "ratio"}
        What is compared.
    labels : sequence, optional
        The units' labels; default ``1, 2, ...``.
    target : float, optional
        The value the limits surround; default the pooled value
        :math:`\sum O_i / \sum \rho_i` (1 for a ratio with internally standardised
        expected counts).
    confidence_levels : float or sequence of float
        Control levels; default ``(0.95, 0.998)`` (about 2 and 3 standard errors).
        (``levels`` is the deprecated spelling.)
    overdispersion : {"none", "multiplicative", "additive"}
        ``"none"`` (default): exact binomial or Poisson limits. ``"multiplicative"``:
        normal limits with the variance inflated by the winsorised dispersion
        :math:`\hat\phi` when it exceeds 1 (Spiegelhalter 2005). ``"additive"``: a
        random-effects variance :math:`\hat\tau^2` on a variance-stabilising scale
        (Spiegelhalter et al. 2012, as the NHS's SHMI).
    winsorise : float
        With over-dispersion: the share of z-scores pulled in at each end before
        :math:`\hat\phi` is estimated, in [0, 0.5); default 0.1.
    name : str, optional
        What the units are, e.g. ``"team"`` (shown in text).

    Returns
    -------
    Funnel
        ``units`` (per unit: ``value``, ``z``, ``lower`` and ``upper`` per level,
        ``flag``, ``flag_level``), the ``target``, dispersion estimates, and the curves
        (``precision``, ``curve_lower``, ``curve_upper``) to draw.

    Raises
    ------
    InvalidInputError
        If counts are not whole and non-negative, denominators are not positive (or not
        whole for exact proportions), a proportion exceeds 1, the inputs differ in
        length, `target` is outside its range, a level is not in (0, 1), `winsorise` is
        outside [0, 0.5), or an option is unknown.
    InsufficientDataError
        If the pooled target is 0 (or 1 for proportions), so there is no funnel.

    See Also
    --------
    outcome_funnel : job rates of the units of a cohort.
    ipsstats.plot.plot_funnel : draw the result.

    Notes
    -----
    For a unit with precision :math:`\rho` (people, person-time or expected count) the
    count :math:`Y` is Binomial(:math:`\rho, \theta_0`) or Poisson(:math:`\rho\theta_0`)
    under the target :math:`\theta_0`. Spiegelhalter's exact limit [1]_ at probability
    :math:`p` interpolates the discrete quantile: with :math:`r_p` the smallest
    :math:`r` with :math:`F(r) \ge p`,

    .. math::

        y_p = \frac{r_p - \alpha}{\rho}, \qquad
        \alpha = \frac{F(r_p) - p}{F(r_p) - F(r_p - 1)},

    at :math:`p = (1 \mp \text{level})/2` (limits are cut at 0). With
    over-dispersion, z-scores :math:`z_i = (y_i - \theta_0) / \sqrt{V(\theta_0)/\rho_i}`
    (:math:`V = \theta_0(1-\theta_0)` or :math:`\theta_0`) are winsorised and
    :math:`\hat\phi = I^{-1}\sum z_i^2`; :math:`I\hat\phi` is referred to
    :math:`\chi^2_{I-1}` (:math:`\chi^2_I` when the target is given). The
    multiplicative limits are :math:`\theta_0 \pm z_p \sqrt{\phi V(\theta_0)/\rho}`
    with :math:`\phi = \max(1, \hat\phi)` [1]_. The additive limits work on
    :math:`g(y) = \sqrt{y}` (rates, ratios) or :math:`\arcsin\sqrt{y}` (proportions),
    where the variance is :math:`1/(4\rho)`, with the DerSimonian-Laird estimate

    .. math::

        \hat\tau^2 = \max\left(0, \frac{I\hat\phi - (I - 1)}
        {\sum_i w_i - \sum_i w_i^2 / \sum_i w_i}\right), \qquad w_i = 4\rho_i,

    and limits :math:`g^{-1}(g(\theta_0) \pm z_p \sqrt{1/(4\rho) + \hat\tau^2})` [2]_
    [3]_. A unit is flagged above (below) when its value lies above (below) a limit.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional
       performance. Statistics in Medicine 24(8), 1185-1202 (section 3 and appendix
       A.1 for the interpolation; section 6 for over-dispersion).
    .. [2] Spiegelhalter, D. J., Sherlaw-Johnson, C., Bardsley, M., Blunt, I., Wood, C.
       and Grigg, O. (2012). Statistical methods for healthcare regulation: rating,
       screening and surveillance. Journal of the Royal Statistical Society A 175(1),
       1-47.
    .. [3] NHS Digital. Summary Hospital-level Mortality Indicator (SHMI): methodology
       (banding by random-effects funnel limits on the square-root scale).

    Examples
    --------
    Job rates of five teams against their pooled rate:

    >>> res = funnel([12, 30, 9, 40, 5], [40, 60, 30, 70, 35],
    ...              labels=["North", "South", "East", "West", "Central"], name="team")
    >>> print(f"{res.target:.3f}")
    0.409
    >>> [(u.label, u.flag, u.flag_level) for u in res.units if u.flag_level]
    [('West', 'above', 0.95), ('Central', 'below', 0.998)]
    """
    how = as_option(kind, "kind", FUNNEL_KINDS)
    spread = as_option(overdispersion, "overdispersion", OVERDISPERSION)
    chosen_levels = _as_levels(confidence_levels)
    share = _as_share(winsorise)
    observed = as_counts(numerators, "numerators").astype(np.float64)
    rho = _as_denominators(denominators, "denominators", how, spread)
    if observed.shape != rho.shape:
        raise fail(
            "numerators",
            "have one value per unit, as `denominators`",
            f"{observed.shape[0]} numerators and {rho.shape[0]} denominators",
        )
    if observed.size == 0:
        raise fail("numerators", "hold at least one unit", "an empty sequence")
    if how == "proportion" and (observed > rho).any():
        first = int(np.argmax(observed > rho))
        raise fail(
            "numerators",
            "be at most `denominators` for proportions",
            f"{observed[first]:g} of {rho[first]:g} at index {first}",
            positions=(first,),
        )
    names = as_labels_for(labels, "labels", observed.size)
    theta = _target(target, how, observed, rho)
    values = observed / rho
    phi = tau2 = phi_used = None
    test = None
    z = _z_scores(how, spread, theta, values, rho)
    caveats: list[str] = []
    if spread != "none":
        dof = observed.size if target is not None else observed.size - 1
        if dof < 1:
            raise InsufficientDataError(
                "`overdispersion` needs at least two units to estimate the dispersion; "
                f"got {observed.size}. Hint: use overdispersion='none'.",
                argument="overdispersion",
            )
        phi, tau_est, test = _dispersion(z, rho, share, dof)
        if spread == "multiplicative":
            phi_used = max(1.0, phi)
        else:
            tau2 = tau_est
        if observed.size < 10:
            caveats.append(
                f"the dispersion is estimated from {observed.size} units only: it is imprecise"
            )
    limits_at = functools.partial(
        _limits,
        how,
        theta,
        levels=chosen_levels,
        overdispersion=spread,
        phi=phi_used or 1.0,
        tau2=tau2 or 0.0,
    )
    unit_low, unit_high = limits_at(rho)
    grid = _curve_grid(rho, whole=how == "proportion" and spread == "none")
    curve_low, curve_high = limits_at(grid)
    units = tuple(
        _unit(
            names[i],
            numerator=observed[i],
            denominator=rho[i],
            value=values[i],
            z=z[i],
            lower=unit_low[:, i],
            upper=unit_high[:, i],
            levels=chosen_levels,
        )
        for i in range(observed.size)
    )
    return Funnel(
        kind=how,
        target=theta,
        target_given=target is not None,
        confidence_levels=chosen_levels,
        overdispersion=spread,
        method=_method_token(how, spread),
        phi=phi,
        phi_used=phi_used,
        tau2=tau2,
        dispersion_test=test,
        winsorise=share,
        units=units,
        precision=grid,
        curve_lower=curve_low,
        curve_upper=curve_high,
        name=name,
        caveats=tuple(caveats),
    )


def _as_share(value: object) -> float:
    """Validate the winsorising share: a number in [0, 0.5)."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not 0.0 <= float(value) < 0.5
    ):
        raise fail(
            "winsorise",
            "be a share in [0, 0.5)",
            repr(value),
            hint="the usual choice is 0.1 (10% at each end).",
        )
    return float(value)


def _target(
    value: object, kind: FunnelKind, observed: NDArray[np.float64], rho: NDArray[np.float64]
) -> float:
    if value is None:
        theta = float(observed.sum() / rho.sum())
        if theta <= 0 or (kind == "proportion" and theta >= 1):
            what = "no unit has an event" if theta <= 0 else "every person has the outcome"
            raise InsufficientDataError(
                f"the pooled target is {theta:g}: {what}, so there is no funnel. "
                "Hint: give `target` if a standard is known.",
                argument="target",
            )
        return theta
    rule = (
        "be a proportion strictly between 0 and 1"
        if kind == "proportion"
        else ("be a positive number")
    )
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise fail("target", rule, repr(value))
    theta = float(value)
    if not math.isfinite(theta) or theta <= 0 or (kind == "proportion" and theta >= 1):
        raise fail("target", rule, repr(value))
    return theta


def _unit(
    label: object,
    *,
    numerator: float,
    denominator: float,
    value: float,
    z: float,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    levels: tuple[float, ...],
) -> FunnelUnit:
    flag: FunnelFlag = "within"
    flag_level = None
    for level, lo, hi in zip(levels, lower, upper, strict=True):
        if value > hi:
            flag, flag_level = "above", level
        elif value < lo:
            flag, flag_level = "below", level
    return FunnelUnit(
        label=label,
        numerator=float(numerator),
        denominator=float(denominator),
        value=float(value),
        z=float(z),
        lower=lower.tolist(),
        upper=upper.tolist(),
        flag=flag,
        flag_level=flag_level,
    )


@renamed_keywords(levels="confidence_levels")
def outcome_funnel(
    cohort: Cohort,
    by: str,
    *,
    strata: Sequence[str] = (),
    min_followup_months: int | None = None,
    study_end: object = None,
    confidence_levels: float | Sequence[float] = (0.95, 0.998),
    overdispersion: Overdispersion = "none",
    winsorise: float = 0.1,
) -> Funnel:
    r"""Funnel plot of the job rates of the units (services, teams) of a cohort.

    Parameters
    ----------
    cohort : Cohort
        People using IPS.
    by : str
        The categorical attribute naming each person's unit, e.g. ``"team"``.
    strata : sequence of str
        Attributes to standardise for (e.g. ``("age_band", "gender")``). Empty (the
        default): the job rate of each unit against the pooled rate. Given: observed
        against expected jobs of each unit, the expected count from the pooled job rate
        of each stratum (a standardised ratio, target 1).
    min_followup_months : int or None
        Keep the people with at least this many whole months of follow-up.
    study_end : date, optional
        The date at which a job counts as gained; default the cohort's study end.
    confidence_levels, overdispersion, winsorise
        As :func:`funnel`. (``levels`` is the deprecated spelling.)

    Returns
    -------
    Funnel
        As :func:`funnel`, named after `by`.

    Raises
    ------
    InvalidInputError
        If `cohort` is not a cohort, `by` or a stratum is not a categorical attribute,
        or an option is unknown.
    InsufficientDataError
        If the window leaves no one, nobody (or everybody) has a job, or too few units
        to estimate over-dispersion.

    See Also
    --------
    funnel : the same from counts.

    Notes
    -----
    People whose unit or stratum is not known are left out (a caveat counts them).
    With `strata`, :math:`E_u = \sum_s n_{us} r_s` with :math:`r_s` the pooled job rate
    of stratum :math:`s`, so the expected counts add up to the observed ones [1]_.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional
       performance. Statistics in Medicine 24(8), 1185-1202.

    Examples
    --------
    >>> from ipsstats.datasets import synthetic_cohort
    >>> res = outcome_funnel(synthetic_cohort(), "team")
    >>> res.kind, len(res.units), res.confidence_levels
    ('proportion', 5, (0.95, 0.998))
    """
    names = as_strata_names(strata)
    months = _months_option(min_followup_months)
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    selected, _, _, _ = _window(cohort, months, study_end)
    layout = layout_of(selected, by, names)
    people, jobs, n_missing = cohort_grid(selected, by, names, layout, events=selected.job_by())
    _, (people, jobs) = occupied(layout.strata, people, jobs)
    present = people.sum(axis=1) > 0
    labels = [g for g, keep in zip(layout.groups, present, strict=True) if keep]
    people, jobs = people[present], jobs[present]
    if not labels:
        raise InsufficientDataError(
            f"nobody in the cohort has a known {by!r}. Hint: check the attribute.",
            argument="by",
        )
    caveats = []
    if names:
        totals = people.sum(axis=0)
        rates = np.divide(jobs.sum(axis=0), totals, out=np.zeros_like(totals), where=totals > 0)
        expected = people @ rates
        nothing = expected <= 0
        if nothing.any() and not nothing.all():
            left = [repr(g) for g, n in zip(labels, nothing, strict=True) if n]
            caveats.append(
                "no jobs are expected in " + ", ".join(left) + " (their strata have no jobs "
                "anywhere), so they are left out"
            )
            labels = [g for g, n in zip(labels, nothing, strict=True) if not n]
            jobs, expected = jobs[~nothing], expected[~nothing]
        result = funnel(
            jobs.sum(axis=1),
            np.where(expected > 0, expected, 1.0),
            kind="ratio",
            labels=labels,
            confidence_levels=confidence_levels,
            overdispersion=overdispersion,
            winsorise=winsorise,
            name=str(by),
        )
    else:
        result = funnel(
            jobs.sum(axis=1),
            people.sum(axis=1),
            kind="proportion",
            labels=labels,
            confidence_levels=confidence_levels,
            overdispersion=overdispersion,
            winsorise=winsorise,
            name=str(by),
        )
    if n_missing:
        caveats.append(f"{n_missing} people with {by} or a stratum not known are left out")
    if caveats:
        return attrs.evolve(result, caveats=(*result.caveats, *caveats))
    return result
