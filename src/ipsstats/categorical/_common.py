"""Helpers shared by the tests and estimators of the categorical wing (private).

Normal and chi-squared tails and quantiles through :mod:`scipy.special` (importing
:mod:`scipy.stats` costs a large share of the library's import time), and the one set of
alternative hypotheses, named as R names them.
"""

from __future__ import annotations

from typing import Literal

from ipsstats._arrays import as_option, fail
from ipsstats._scipy import special

__all__ = [
    "ALTERNATIVES",
    "Alternative",
    "as_alternative",
    "chi2_sf",
    "critical_z",
    "normal_pvalue",
]

Alternative = Literal["two-sided", "less", "greater"]
ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "less", "greater")


def as_alternative(value: object, name: str = "alternative") -> Alternative:
    """Validate an alternative hypothesis (R's names, with a hint for R's spelling)."""
    if value == "two.sided":
        raise fail(
            name,
            "be one of 'two-sided', 'less', 'greater'",
            repr(value),
            hint="ipsstats spells R's 'two.sided' as 'two-sided'.",
        )
    return as_option(value, name, ALTERNATIVES)


def chi2_sf(statistic: float, dof: float) -> float:
    """Upper tail of the chi-squared distribution (survival function, not 1 - cdf)."""
    return float(special.chdtrc(dof, statistic))


def critical_z(confidence_level: float, alternative: Alternative = "two-sided") -> float:
    r"""Standard-normal quantile for an interval at `confidence_level`.

    :math:`\Phi^{-1}((1 + \gamma) / 2)` for a two-sided interval, :math:`\Phi^{-1}(\gamma)`
    for a one-sided one (as R's ``prop.test`` and ``mantelhaen.test``), computed from the
    upper tail so that levels close to 1 keep their precision.
    """
    tail = 1.0 - confidence_level
    if alternative == "two-sided":
        tail /= 2.0
    return float(-special.ndtri(tail))


def normal_pvalue(z: float, alternative: Alternative) -> float:
    """P-value of a standard-normal statistic: lower tail, upper tail or both."""
    if alternative == "less":
        return float(special.ndtr(z))
    if alternative == "greater":
        return float(special.ndtr(-z))
    return float(min(1.0, 2.0 * special.ndtr(-abs(z))))
