r"""One-sided exact conditional test of a 2 x 2 table (internal).

Given both margins, the top-left cell :math:`x` of a 2 x 2 table with row totals
:math:`r_0, r_1` and first-column total :math:`c` has the hypergeometric distribution

.. math::

    P(X = k) = \binom{r_0}{k} \binom{r_1}{c - k} \Big/ \binom{r_0 + r_1}{c},

and the one-sided p-values are its tails, :math:`P(X \le x)` (``"less"``) and
:math:`P(X \ge x)` (``"greater"``), as R's ``fisher.test`` defines them [1]_. Every
probability is computed relative to the observed table, from accurate walks over
consecutive binomial ratios (:func:`~ipsstats.categorical._exact_common.log_binomial_walks`),
and the tail is divided by the total mass, so that the p-value keeps about 13
significant digits at any sample size.

References
----------
.. [1] R Core Team. ``fisher.test``, R package stats: ``pnhyper(x, 1)`` (``"less"``) and
   ``pnhyper(x, 1, upper.tail = TRUE)`` (``"greater"``).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ipsstats.categorical._exact_common import log_binomial_walks, logsumexp

__all__ = ["one_sided_pvalue"]

#: Largest support summed whole; a larger one is narrowed to a window around the mode and
#: the observed count, beyond which the mass is below about exp(-70) of the mode's.
_WHOLE = 1_000_000
_WINDOW_SDS = 12.0


def _support(r0: int, r1: int, c: int) -> tuple[int, int]:
    return max(0, c - r1), min(r0, c)


def _window(r0: int, r1: int, c: int, x: int) -> tuple[int, int]:
    """Return the counts summed: the whole support, or a window holding the mode and `x`."""
    lo, hi = _support(r0, r1, c)
    if hi - lo + 1 <= _WHOLE:
        return lo, hi
    n = r0 + r1
    mode = (c + 1) * (r0 + 1) // (n + 2)
    sd = math.sqrt(c * r0 * (n - r0) * (n - c) / (n * n * (n - 1.0)))
    reach = math.ceil(_WINDOW_SDS * sd + 50)
    return max(lo, min(x, mode) - reach), min(hi, max(x, mode) + reach)


def one_sided_pvalue(counts: NDArray[np.int64], alternative: Literal["less", "greater"]) -> float:
    """``P(X <= x)`` or ``P(X >= x)`` of the top-left cell of a validated 2 x 2 table."""
    r0, r1 = (int(v) for v in counts.sum(axis=1))
    c = int(counts[:, 0].sum())
    x = int(counts[0, 0])
    lo, hi = _window(r0, r1, c, x)
    length = hi - lo + 1
    # log C(r0, k) - log C(r0, x) for k in [lo, hi], and log C(r1, c - k) - log C(r1, c - x)
    # for c - k in [c - hi, c - lo] (reversed below)
    walks = log_binomial_walks(
        np.array([r0, r1], dtype=np.int64),
        np.array([lo, c - hi], dtype=np.int64),
        np.array([length, length], dtype=np.int64),
        np.array([x - lo, hi - x], dtype=np.int64),
    )
    log_w = walks[:length] + walks[length:][::-1]
    k = x - lo
    tail = log_w[: k + 1] if alternative == "less" else log_w[k:]
    return min(1.0, math.exp(logsumexp(tail) - logsumexp(log_w)))
