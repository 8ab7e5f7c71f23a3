"""Tests of proportions, as R's ``prop.test``: one proportion, two or more compared.

:func:`proportion_test` tests one proportion against a hypothesised value, or the
proportions of several groups for equality (or against given values), with one-sided
alternatives and the intervals R reports beside them: the score (Wilson) interval of one
proportion and the Wald interval of a difference of two.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_array,
    as_confidence_level,
    as_counts,
    fail,
    float_array,
    optional_float_array,
)
from ipsstats._deprecation import renamed_keywords
from ipsstats.categorical._binomial import as_bool, wilson_limits
from ipsstats.categorical._common import (
    Alternative,
    as_alternative,
    chi2_sf,
    critical_z,
    normal_pvalue,
)
from ipsstats.errors import InsufficientDataError, SmallExpectedCountWarning
from ipsstats.results import Estimate, TestResult

__all__ = ["ProportionTestResult", "proportion_test"]

ProportionTestMethod = Literal["one-proportion", "equal-proportions", "given-proportions"]


@attrs.frozen(kw_only=True, eq=False)
class ProportionTestResult(TestResult):
    """Result of :func:`proportion_test`: a :class:`~ipsstats.TestResult` and the estimates.

    Parameters
    ----------
    proportions : numpy.ndarray
        The observed proportion of each group, ``k / n`` (read-only).
    null_value : numpy.ndarray or None
        The hypothesised proportions (``None`` for a test of equality).
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    correction : bool
        Whether the continuity correction was asked for. The amount applied (R reduces
        it where the data are closer than 1/2 to the null) is ``details["yates"]``.
    estimate : Estimate or None
        One group: the proportion with its score interval; two groups tested for
        equality: the difference ``p1 - p2`` with its Wald interval; otherwise ``None``.
        A one-sided alternative gives a one-sided interval (the other limit is the end of
        the range, as in R).

    Examples
    --------
    >>> from ipsstats import proportion_test
    >>> res = proportion_test(81, 263, p=0.25, alternative="greater")
    >>> res.method, res.alternative, res.estimate.upper
    ('one-proportion', 'greater', 1.0)
    """

    proportions: NDArray[np.float64] = attrs.field(converter=float_array)
    null_value: NDArray[np.float64] | None = attrs.field(converter=optional_float_array)
    alternative: str
    correction: bool = attrs.field(converter=bool)
    estimate: Estimate | None = None


def _groups(k: object, n: object) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Validate the successes and trials of one or more groups."""
    successes = as_counts(k, "k", ndim=None)
    trials = as_counts(n, "n", ndim=None)
    for array, name in ((successes, "k"), (trials, "n")):
        if array.ndim > 1:
            raise fail(name, "be a number or 1-dimensional", f"an array of shape {array.shape}")
    successes, trials = successes.reshape(-1), trials.reshape(-1)
    if successes.size != trials.size:
        raise fail(
            "n",
            "hold one number of trials per group of `k`",
            f"{trials.size} for {successes.size} groups",
        )
    if successes.size == 0:
        raise InsufficientDataError("`k` must hold at least one group; got none.", argument="k")
    if (trials == 0).any():
        first = int(np.flatnonzero(trials == 0)[0])
        raise InsufficientDataError(
            f"`n` must be positive in every group; got 0 at index {first}. Hint: drop the "
            "empty group.",
            argument="n",
            positions=(first,),
        )
    if (successes > trials).any():
        first = int(np.flatnonzero(successes > trials)[0])
        raise fail(
            "k",
            "not exceed `n` in any group",
            f"k={int(successes[first])} and n={int(trials[first])} at index {first}",
            positions=(first,),
        )
    if int(trials.sum()) > 2**53:
        raise fail("n", "add up to at most 2**53", f"{int(trials.sum()):,}")
    return successes, trials


def _null_proportions(p: object, size: int) -> NDArray[np.float64] | None:
    if p is None:
        return None
    array = as_array(p, "p")
    if array.ndim > 1 or array.dtype.kind not in "iuf":
        raise fail("p", "be a number or a 1-D array of numbers", f"{array.dtype} {array.shape}")
    values = array.astype(np.float64).reshape(-1)
    if values.size != size:
        raise fail("p", "hold one hypothesised proportion per group", f"{values.size} for {size}")
    bad = ~((values > 0) & (values < 1))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise fail(
            "p",
            "hold proportions strictly between 0 and 1",
            f"{float(values[first])!r} at index {first}",
            positions=(first,),
        )
    return values


def _score_interval(  # internal: the validated data, then the level
    k: int, n: int, shift: float, alternative: Alternative, level: float
) -> Estimate:
    """R's one-sample interval: Wilson limits at ``k/n -+ shift``, one- or two-sided."""
    lower, upper = wilson_limits(k, n, critical_z(level, alternative), shift)
    if alternative == "less":
        lower = 0.0
    elif alternative == "greater":
        upper = 1.0
    return Estimate(
        value=k / n,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="wilson-cc" if shift else "wilson",
        note="" if alternative == "two-sided" else f"one-sided interval ({alternative})",
        at_level=functools.partial(_score_interval, k, n, shift, alternative),
    )


def _wald_difference(  # internal: the validated data, then the level
    k: tuple[int, int], n: tuple[int, int], yates: float, alternative: Alternative, level: float
) -> Estimate:
    """R's two-sample interval: Wald limits of ``p1 - p2`` widened by the correction."""
    p1, p2 = k[0] / n[0], k[1] / n[1]
    delta = p1 - p2
    inverse = 1 / n[0] + 1 / n[1]
    width = (
        critical_z(level, alternative) * math.sqrt(p1 * (1 - p1) / n[0] + p2 * (1 - p2) / n[1])
        + yates * inverse
    )
    lower = -1.0 if alternative == "less" else max(delta - width, -1.0)
    upper = 1.0 if alternative == "greater" else min(delta + width, 1.0)
    return Estimate(
        value=delta,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="wald-cc" if yates else "wald",
        std_err=math.sqrt(p1 * (1 - p1) / n[0] + p2 * (1 - p2) / n[1]),
        note="" if alternative == "two-sided" else f"one-sided interval ({alternative})",
        at_level=functools.partial(_wald_difference, k, n, yates, alternative),
    )


@renamed_keywords(conf_level="confidence_level")
def proportion_test(
    k: object,
    n: object,
    *,
    p: object = None,
    alternative: Alternative = "two-sided",
    correction: bool = False,
    confidence_level: float = 0.95,
) -> ProportionTestResult:
    r"""Test one proportion, or compare the proportions of groups (R's ``prop.test``).

    Parameters
    ----------
    k : int or array-like of int
        Number with the outcome, per group (one number for one group).
    n : int or array-like of int
        Number of trials per group; positive, at least `k`.
    p : float or array-like, optional
        Hypothesised proportion of each group, strictly between 0 and 1. Default: 0.5
        for one group; for several, a test that the proportions are equal.
    alternative : {"two-sided", "less", "greater"}
        The alternative hypothesis: the proportion (one group) or the difference
        ``p1 - p2`` (two groups, no `p`) is less or greater than under the null. A
        one-sided test needs one group, or two compared for equality.
    correction : bool
        Yates' continuity correction (R's default ``correct = TRUE``; off by default
        here). One or two groups only.
    confidence_level : float
        Coverage of the interval in ``estimate``, strictly between 0 and 1 (old spelling
        ``conf_level`` accepted with a :class:`DeprecationWarning`).

    Returns
    -------
    ProportionTestResult
        ``statistic`` (Pearson's :math:`X^2`, as R's X-squared, whatever the
        alternative), ``pvalue``, ``dof``, ``method`` (``"one-proportion"``,
        ``"equal-proportions"`` or ``"given-proportions"``), ``n`` (all trials),
        ``proportions``, ``null_value``, ``alternative``, ``correction``, ``estimate``
        and ``details`` (``z`` for one-sided tests, ``yates`` the correction applied).

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, `k` exceeds `n`, the groups
        differ in number, `p` is not one proportion in (0, 1) per group, `alternative`
        is unknown or one-sided for a test with more than one degree of freedom,
        `correction` is not a bool or is asked for with more than two groups, or
        `confidence_level` is not strictly between 0 and 1.
    InsufficientDataError
        If there is no group or a group has no trials, or (a test of equality) everyone
        or no one had the outcome.

    Warns
    -----
    SmallExpectedCountWarning
        When an expected count is below 5, as R warns; recorded in ``caveats`` too.

    See Also
    --------
    proportion : intervals for one proportion.
    risk_difference : Newcombe's interval for a difference of proportions.
    barnard, boschloo : exact unconditional tests of two proportions.

    Notes
    -----
    With :math:`x_i` of :math:`n_i` with the outcome in group :math:`i`, the null
    proportions :math:`\pi_i` (given, or all equal to the pooled
    :math:`\sum x_i / \sum n_i`) and expected counts :math:`n_i \pi_i` and
    :math:`n_i (1 - \pi_i)`,

    .. math::

        X^2 = \sum_{i} \sum_{O \in \{x_i, n_i - x_i\}} \frac{(|O - E| - \delta)^2}{E},

    on :math:`g - 1` degrees of freedom for :math:`g` groups tested for equality, or
    :math:`g` against given proportions. Under the continuity correction
    :math:`\delta = 1/2`, reduced as R does to :math:`|x - n \pi|` for one group and to
    :math:`|\hat p_1 - \hat p_2| / (1/n_1 + 1/n_2)` for two groups tested for equality
    (so the correction never overshoots); otherwise :math:`\delta = 0`. A one-sided
    p-value is the normal tail of :math:`z = \operatorname{sign}(d) \sqrt{X^2}`, with
    :math:`d = \hat p - \pi` (one group) or :math:`\hat p_1 - \hat p_2` (two).

    The interval of one proportion is the score interval: the Wilson limits computed at
    :math:`\hat p - \delta/n` (lower) and :math:`\hat p + \delta/n` (upper) [1]_ [2]_. The
    interval of :math:`p_1 - p_2` is
    :math:`\hat p_1 - \hat p_2 \pm (z \sqrt{\sum_i \hat p_i (1 - \hat p_i)/n_i} + \delta
    \sum_i 1/n_i)`, clipped to [-1, 1]. One-sided intervals use
    :math:`z = \Phi^{-1}(\gamma)` and run to the end of the range.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. Journal of the American Statistical Association 22, 209-212.
    .. [2] Newcombe, R. G. (1998). Two-sided confidence intervals for the single
       proportion: comparison of seven methods. Statistics in Medicine 17(8), 857-872.
    .. [3] R Core Team. ``prop.test``, R package stats (R 4.2).

    Examples
    --------
    R's example, smokers among lung cancer patients in four groups,
    ``prop.test(c(83, 90, 129, 70), c(86, 93, 136, 82))``: X-squared = 12.6,
    df = 3, p-value = 0.005585:

    >>> from ipsstats import proportion_test
    >>> res = proportion_test([83, 90, 129, 70], [86, 93, 136, 82])
    >>> print(round(res.statistic, 4), res.dof, round(res.pvalue, 6))
    12.6 3.0 0.005585

    One-sided, two groups, as ``prop.test(c(15, 25), c(50, 50), alternative = "less",
    correct = FALSE)`` (p-value = 0.02061, 95 percent interval -1 to -0.04223):

    >>> res = proportion_test([15, 25], [50, 50], alternative="less")
    >>> print(round(res.pvalue, 5), res.estimate.lower, round(res.estimate.upper, 5))
    0.02061 -1.0 -0.04223
    """
    successes, trials = _groups(k, n)
    groups = successes.size
    null = _null_proportions(0.5 if p is None and groups == 1 else p, groups)
    side = as_alternative(alternative)
    yates_requested = as_bool(correction, "correction")
    level = as_confidence_level(confidence_level)
    if groups > 2 and yates_requested:
        raise fail(
            "correction",
            "be False with more than two groups (the continuity correction is defined for "
            "one or two)",
            f"True with {groups} groups",
        )
    if side != "two-sided" and (groups > 2 or (groups == 2 and null is not None)):
        raise fail(
            "alternative",
            "be 'two-sided' for a test with more than one degree of freedom",
            f"{side!r} with {groups} groups"
            + (" and given proportions" if null is not None else ""),
            hint="a one-sided test needs one group, or two groups tested for equality.",
        )
    x, m = successes.astype(np.float64), trials.astype(np.float64)
    estimates = x / m
    yates = 0.5 if yates_requested else 0.0
    estimate: Estimate | None = None
    k_list, n_list = successes.tolist(), trials.tolist()
    if groups == 1:
        p0 = 0.5 if null is None else float(null[0])  # null is set above for one group
        yates = min(yates, abs(float(x[0]) - float(m[0]) * p0))
        estimate = _score_interval(k_list[0], n_list[0], yates / n_list[0], side, level)
        method: ProportionTestMethod = "one-proportion"
    elif null is None:
        delta = float(estimates[0] - estimates[1]) if groups == 2 else 0.0
        if groups == 2:
            yates = min(yates, abs(delta) / float((1 / m).sum()))
            estimate = _wald_difference(
                (k_list[0], k_list[1]), (n_list[0], n_list[1]), yates, side, level
            )
        method = "equal-proportions"
    else:
        method = "given-proportions"
    if null is None and float(x.sum()) in (0.0, float(m.sum())):
        raise InsufficientDataError(
            "everyone or no one had the outcome, so a test of equal proportions is "
            f"undefined; got {int(x.sum())} of {int(m.sum())}.",
            argument="k",
        )
    shares = np.full(groups, x.sum() / m.sum()) if null is None else null
    dof = float(groups - 1 if null is None else groups)
    observed = np.column_stack([x, m - x])
    expected = np.column_stack([m * shares, m * (1 - shares)])
    statistic = float((((np.abs(observed - expected) - yates) ** 2) / expected).sum())
    details: dict[str, Any] = {"yates": yates, "min_expected": float(expected.min())}
    if side == "two-sided":
        pvalue = chi2_sf(statistic, dof)
    else:
        direction = estimates[0] - (float(shares[0]) if groups == 1 else estimates[1])
        z = math.copysign(math.sqrt(statistic), float(direction))
        pvalue = normal_pvalue(z, side)
        details["z"] = z
    caveats: tuple[str, ...] = ()
    if (expected < 5).any():
        caveat = (
            f"an expected count is below 5 (smallest {float(expected.min()):.3g}); the "
            "chi-squared approximation may be poor (exact alternatives: barnard, boschloo, "
            "or independence(method='exact'))"
        )
        caveats = (caveat,)
        warnings.warn(caveat, SmallExpectedCountWarning, stacklevel=3)
    return ProportionTestResult(
        statistic=statistic,
        pvalue=pvalue,
        dof=dof,
        method=method,
        n=int(trials.sum()),
        caveats=caveats,
        details=details,
        proportions=estimates,
        null_value=None if p is None and groups > 1 else null,
        alternative=side,
        correction=yates_requested,
        estimate=estimate,
    )
