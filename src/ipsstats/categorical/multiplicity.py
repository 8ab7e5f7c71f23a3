"""Multiple testing: adjusting a family of p-values, as R's ``p.adjust`` does."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, as_option, fail

__all__ = ["PVALUE_ADJUSTMENTS", "PValueAdjustment", "adjust_pvalues"]

PValueAdjustment = Literal["bonferroni", "holm", "hochberg", "hommel", "bh", "by", "none"]
PVALUE_ADJUSTMENTS: tuple[PValueAdjustment, ...] = (
    "bonferroni",
    "holm",
    "hochberg",
    "hommel",
    "bh",
    "by",
    "none",
)
"""The methods of :func:`adjust_pvalues`."""


def _as_pvalues(value: object) -> NDArray[np.float64]:
    array = as_array(value, "pvalues")
    if array.ndim != 1:
        raise fail("pvalues", "be 1-dimensional", f"an array of shape {array.shape}")
    if array.dtype.kind not in "iuf":
        raise fail("pvalues", "hold numbers", f"an array of dtype {array.dtype}")
    pvalues = array.astype(np.float64)
    for bad, rule, hint in (
        (
            np.isnan(pvalues),
            "hold no NaN (a missing p-value cannot be adjusted)",
            "drop the tests without a p-value before adjusting the family.",
        ),
        (
            ~((pvalues >= 0) & (pvalues <= 1)),
            "hold p-values between 0 and 1",
            "pass p-values, not test statistics or percentages.",
        ),
    ):
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise fail(
                "pvalues",
                rule,
                f"{float(pvalues[first])!r} at index {first}",
                hint=hint,
                positions=(first,),
            )
    return pvalues


def adjust_pvalues(pvalues: object, method: PValueAdjustment = "holm") -> NDArray[np.float64]:
    r"""Adjust a family of p-values for multiple testing, as R's ``p.adjust`` does.

    Parameters
    ----------
    pvalues : array-like
        1-D p-values, each in [0, 1]; the whole array is one family. NaN is an error
        (drop the tests without a p-value first: R's ``p.adjust`` would shrink the
        family silently).
    method : {"holm", "bonferroni", "hochberg", "hommel", "bh", "by", "none"}
        ``"none"`` returns the p-values unchanged (as R's ``p.adjust`` does);
        ``"bonferroni"`` and ``"holm"`` [1]_ control the family-wise error rate under any
        dependence; ``"hochberg"`` [2]_ and ``"hommel"`` [5]_ (more powerful than
        Hochberg's, at a cost quadratic in the number of p-values) control it for
        independent or positively dependent tests; ``"bh"`` (Benjamini-Hochberg [3]_)
        controls the false discovery rate for independent or positively dependent
        tests, ``"by"`` (Benjamini-Yekutieli [4]_) under any dependence.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (float64), in the input order, each at least its raw value and
        at most 1. An empty input gives an empty array.

    Raises
    ------
    InvalidInputError
        If `pvalues` is not a 1-D array of numbers in [0, 1] (NaN included), or `method`
        is unknown.

    Notes
    -----
    With :math:`m` p-values sorted as :math:`p_{(1)} \le \dots \le p_{(m)}`:

    .. math::

        \text{Bonferroni: } & \min(1, m p_i) \\
        \text{Holm: } & \min\left(1, \max_{j \le i} (m - j + 1) p_{(j)}\right) \\
        \text{Hochberg: } & \min\left(1, \min_{j \ge i} (m - j + 1) p_{(j)}\right) \\
        \text{BH: } & \min\left(1, \min_{j \ge i} \tfrac{m}{j} p_{(j)}\right) \\
        \text{BY: } & \min\left(1, \min_{j \ge i} q \tfrac{m}{j} p_{(j)}\right),
        \quad q = \textstyle\sum_{k=1}^m 1/k

    Hommel's adjusted p-value is the largest, over the subset sizes :math:`j`, of the
    Simes-type bound :math:`\min\left(j p_{(i)}, \min_{2 \le l \le j}
    j p_{(m - j + l)} / l\right)` for the :math:`m - j + 1` smallest p-values (and its
    value at :math:`p_{(m - j + 1)}` for the others), and of :math:`p_i` itself, computed
    as R's ``p.adjust`` does [6]_: one vectorised pass per subset size, :math:`O(m^2)`.

    Tied p-values receive equal adjusted values (the running maximum or minimum makes
    the order among ties irrelevant); the products are formed in the same order as in R,
    so the results agree with ``p.adjust`` to the last bit in ordinary cases.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics 6(2), 65-70.
    .. [2] Hochberg, Y. (1988). A sharper Bonferroni procedure for multiple tests of
       significance. Biometrika 75(4), 800-802.
    .. [3] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate.
       Journal of the Royal Statistical Society B 57(1), 289-300.
    .. [4] Benjamini, Y. and Yekutieli, D. (2001). The control of the false discovery
       rate in multiple testing under dependency. Annals of Statistics 29(4),
       1165-1188 (Theorem 1.3).
    .. [5] Hommel, G. (1988). A stagewise rejective multiple test procedure based on a
       modified Bonferroni test. Biometrika 75(2), 383-386.
    .. [6] Wright, S. P. (1992). Adjusted p-values for simultaneous inference.
       Biometrics 48(4), 1005-1013.

    Examples
    --------
    >>> from ipsstats import adjust_pvalues
    >>> p = [0.01, 0.04, 0.03, 0.005]
    >>> adjust_pvalues(p, method="holm").round(4).tolist()
    [0.03, 0.06, 0.06, 0.02]
    >>> adjust_pvalues(p, method="bh").round(4).tolist()
    [0.02, 0.04, 0.04, 0.02]

    R's ``p.adjust(c(0.01, 0.04, 0.03, 0.005), "hommel")`` gives 0.03 0.04 0.04 0.02:

    >>> adjust_pvalues(p, method="hommel").round(4).tolist()
    [0.03, 0.04, 0.04, 0.02]
    """
    p = _as_pvalues(pvalues)
    method_ = as_option(method, "method", PVALUE_ADJUSTMENTS)
    m = p.size
    if m == 0 or method_ == "none":
        return p
    if method_ == "bonferroni":
        return np.minimum(1.0, m * p)
    if method_ == "hommel":
        return _hommel(p)
    if method_ == "holm":
        order = np.argsort(p, kind="stable")
        ranks = np.arange(1, m + 1, dtype=np.float64)
        adjusted = np.minimum(1.0, np.maximum.accumulate((m - ranks + 1) * p[order]))
    else:
        order = np.argsort(-p, kind="stable")  # decreasing, ties in input order
        ranks = np.arange(m, 0, -1, dtype=np.float64)
        if method_ == "hochberg":
            scaled = (m - ranks + 1) * p[order]
        elif method_ == "bh":
            scaled = m / ranks * p[order]
        else:
            q = float(np.sum(1.0 / np.arange(1, m + 1)))
            scaled = q * m / ranks * p[order]
        adjusted = np.minimum(1.0, np.minimum.accumulate(scaled))
    out: NDArray[np.float64] = np.empty(m, dtype=np.float64)
    out[order] = adjusted
    return out


def _hommel(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hommel's adjustment as R's ``p.adjust``: one vectorised pass per subset size."""
    m = p.size
    order = np.argsort(p, kind="stable")
    sorted_p = p[order]
    ranks = np.arange(1, m + 1, dtype=np.float64)
    q = np.full(m, float(np.min(m * sorted_p / ranks)))
    adjusted = q.copy()
    for j in range(m - 1, 1, -1):
        head, tail = slice(0, m - j + 1), slice(m - j + 1, m)
        bound = float(np.min(j * sorted_p[tail] / np.arange(2, j + 1, dtype=np.float64)))
        q[head] = np.minimum(j * sorted_p[head], bound)
        q[tail] = q[m - j]
        np.maximum(adjusted, q, out=adjusted)
    out: NDArray[np.float64] = np.empty(m, dtype=np.float64)
    out[order] = np.maximum(adjusted, sorted_p)
    return out
