r"""Exact conditional inference on a common odds ratio of 2 x 2 tables (private).

Given every margin of :math:`K` 2 x 2 tables, the (0, 0) cell :math:`a_k` of table :math:`k`
follows Fisher's noncentral hypergeometric law with the table's odds ratio :math:`\psi`,
and under a common odds ratio their sum :math:`S = \sum_k a_k` follows the convolution of
those laws:

.. math::

    P_\psi(S = s) = \frac{c(s) \psi^s}{\sum_u c(u) \psi^u},

where :math:`c` is the law of :math:`S` when :math:`\psi = 1` (the convolution of the
central hypergeometric laws). This module holds that law and what is inferred from it:
the conditional maximum-likelihood estimate of :math:`\psi`, the exact confidence limits
and the exact p-values of R's ``fisher.test`` (one table) and
``mantelhaen.test(exact = TRUE)`` (several).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ipsstats._scipy import special
from ipsstats.categorical._common import Alternative

__all__ = ["RELATIVE_TOLERANCE", "ConditionalLaw", "ConditionalOddsRatio"]

#: Outcomes whose probability is within this relative tolerance of the observed one count
#: as "at most as probable" in a two-sided exact p-value (R's convention).
RELATIVE_TOLERANCE = 1e-7


def _hypergeometric_logpmf(
    support: NDArray[np.int64], total: int, successes: int, draws: int
) -> NDArray[np.float64]:
    """Log-probabilities of the central hypergeometric law (scipy's accurate algorithm)."""
    from scipy import stats  # noqa: PLC0415  # scipy.stats is slow to import; needed here only

    return np.asarray(stats.hypergeom.logpmf(support, total, successes, draws), dtype=float)


class ConditionalLaw:
    r"""The law of :math:`S = \sum_k a_k` given the margins of 2 x 2 tables.

    Parameters
    ----------
    tables : ndarray of int, shape (K, 2, 2)
        The tables (validated counts).

    Notes
    -----
    One table keeps exact log-probabilities; several are convolved on a scale relative to
    their largest probability, so that probabilities below about :math:`10^{-308}` of the
    largest become zero, as in R's ``mantelhaen.test``.
    """

    def __init__(self, tables: NDArray[np.int64]) -> None:
        n1 = tables[:, 0, :].sum(axis=1)
        n2 = tables[:, 1, :].sum(axis=1)
        m1 = tables[:, :, 0].sum(axis=1)
        low = np.maximum(0, m1 - n2)
        high = np.minimum(n1, m1)
        self.observed = int(tables[:, 0, 0].sum())
        self.low = int(low.sum())
        self.high = int(high.sum())
        log_law = np.zeros(1)
        for lo, hi, total, successes, draws in zip(
            low.tolist(), high.tolist(), (n1 + n2).tolist(), m1.tolist(), n1.tolist(), strict=True
        ):
            if lo == hi:
                continue  # a fixed cell only shifts S
            log_pmf = _hypergeometric_logpmf(np.arange(lo, hi + 1), total, successes, draws)
            if log_law.size == 1:
                log_law = log_pmf
                continue
            top, top_k = float(log_law.max()), float(log_pmf.max())
            with np.errstate(divide="ignore"):
                log_law = (
                    np.log(np.convolve(np.exp(log_law - top), np.exp(log_pmf - top_k)))
                    + top
                    + top_k
                )
        self.support = np.arange(self.low, self.high + 1, dtype=np.float64)
        self.log_null = log_law - float(special.logsumexp(log_law))

    @property
    def degenerate(self) -> bool:
        """Whether :math:`S` can take one value only (it then says nothing about psi)."""
        return self.low == self.high

    def pmf(self, log_psi: float) -> NDArray[np.float64]:
        r"""Probabilities of the support under :math:`\log \psi` = `log_psi`."""
        log_weights = self.log_null + self.support * log_psi
        return np.asarray(np.exp(log_weights - float(special.logsumexp(log_weights))))

    def mean(self, log_psi: float) -> float:
        """Return the expected value of S."""
        return float(self.pmf(log_psi) @ self.support)

    def sf(self, x: float, log_psi: float) -> float:
        """P(S >= x)."""
        return float(self.pmf(log_psi)[self.support >= x].sum())

    def cdf(self, x: float, log_psi: float) -> float:
        """P(S <= x)."""
        return float(self.pmf(log_psi)[self.support <= x].sum())

    def pvalue(self, alternative: Alternative) -> float:
        r"""Exact p-value of :math:`\\psi = 1` against `alternative`, as R computes it.

        Two-sided: the total null probability of the values at most as probable as the
        observed one (within :data:`RELATIVE_TOLERANCE`); one-sided: a tail.
        """
        null = np.exp(self.log_null)
        if alternative == "less":
            return min(1.0, float(null[self.support <= self.observed].sum()))
        if alternative == "greater":
            return min(1.0, float(null[self.support >= self.observed].sum()))
        observed = null[self.observed - self.low]
        return min(1.0, float(null[null <= observed * (1.0 + RELATIVE_TOLERANCE)].sum()))


def _solve_log_psi(func: Callable[[float], float]) -> float:
    """Root of an increasing function of log(psi), bracketed by doubling outwards."""
    from scipy import optimize  # noqa: PLC0415  # scipy.optimize is slow to import

    low, high = -1.0, 1.0
    while func(low) > 0:
        low *= 2
    while func(high) < 0:
        high *= 2
    return float(optimize.brentq(func, low, high, xtol=1e-14, rtol=4 * np.finfo(float).eps))


class ConditionalOddsRatio:
    """Conditional maximum-likelihood estimate of psi and its exact limits (internal).

    Parameters
    ----------
    law : ConditionalLaw
        The conditional law of the tables (not degenerate).
    """

    def __init__(self, law: ConditionalLaw) -> None:
        self.law = law

    def estimate(self) -> float:
        """Return the psi whose conditional mean of S is the observed S (0 or inf at the ends)."""
        law, x = self.law, float(self.law.observed)
        if law.observed == law.low:
            return 0.0
        if law.observed == law.high:
            return math.inf
        return math.exp(_solve_log_psi(lambda t: law.mean(t) - x))

    def lower(self, tail: float) -> float:
        """Smallest psi not rejected by the upper-tail test at level `tail`."""
        law, x = self.law, float(self.law.observed)
        if law.observed == law.low:
            return 0.0
        return math.exp(_solve_log_psi(lambda t: law.sf(x, t) - tail))

    def upper(self, tail: float) -> float:
        """Largest psi not rejected by the lower-tail test at level `tail`."""
        law, x = self.law, float(self.law.observed)
        if law.observed == law.high:
            return math.inf
        return math.exp(_solve_log_psi(lambda t: tail - law.cdf(x, t)))

    def interval(self, confidence_level: float, alternative: Alternative) -> tuple[float, float]:
        """Exact limits: two tails of (1 - level) / 2, or one tail of 1 - level."""
        if alternative == "less":
            return 0.0, self.upper(1.0 - confidence_level)
        if alternative == "greater":
            return self.lower(1.0 - confidence_level), math.inf
        tail = (1.0 - confidence_level) / 2.0
        return self.lower(tail), self.upper(tail)
