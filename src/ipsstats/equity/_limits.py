"""Poisson and normal limits shared by standardisation, funnel plots and inequality indices.

Private helpers of the equity wing, taking validated arrays. Every function is vectorised
over the counts it is given.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ipsstats._scipy import special
from ipsstats.equity._common import Flag
from ipsstats.results import Estimate

__all__ = ["CountLimits", "flag_of", "poisson_limits", "z_value"]

CountLimits = Literal["exact", "byar"]


def z_value(level: float) -> float:
    r"""Return the two-sided normal quantile :math:`\Phi^{-1}(1/2 + \text{level}/2)`."""
    return float(special.ndtri(0.5 + level / 2.0))


def poisson_limits(
    counts: NDArray[np.float64], level: float, method: CountLimits
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Two-sided limits for the mean of a Poisson count, one pair per count.

    ``"exact"`` is Garwood's interval, the gamma (chi-squared) quantiles
    :math:`\Gamma^{-1}(\alpha/2; x)` and :math:`\Gamma^{-1}(1 - \alpha/2; x + 1)`, as R's
    ``poisson.test``; ``"byar"`` is Byar's approximation to it (Breslow and Day 1987),
    with a lower limit of 0 where the approximation falls below 0 (very small counts at
    high levels).
    """
    x = np.asarray(counts, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    if method == "exact":
        positive = np.where(x > 0, x, 1.0)
        low = np.where(x > 0, special.gammaincinv(positive, tail), 0.0)
        high = special.gammaincinv(x + 1.0, 1.0 - tail)
        return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    z = z_value(level)
    safe = np.where(x > 0, x, 1.0)
    low = np.where(x > 0, x * (1.0 - 1.0 / (9.0 * safe) - z / (3.0 * np.sqrt(safe))) ** 3, 0.0)
    up = x + 1.0
    high = up * (1.0 - 1.0 / (9.0 * up) + z / (3.0 * np.sqrt(up))) ** 3
    return np.maximum(low, 0.0), np.asarray(high, dtype=np.float64)


def flag_of(estimate: Estimate, null: float = 1.0) -> Flag:
    """``"over"`` when the interval lies wholly above `null`, ``"under"`` below, else none."""
    if estimate.lower is not None and estimate.lower > null:
        return "over"
    if estimate.upper is not None and estimate.upper < null:
        return "under"
    return "none"
