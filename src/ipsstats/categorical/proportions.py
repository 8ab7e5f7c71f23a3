"""Proportions and two-group comparisons: risk difference, risk ratio and odds ratio.

One proportion with its confidence interval (:func:`proportion`); the risk difference, risk
ratio and odds ratio of a 2 x 2 table (:func:`risk_difference`, :func:`risk_ratio`,
:func:`odds_ratio`); and adjustment of a family of p-values (:func:`adjust_pvalues`).

Layout of a 2 x 2 table
-----------------------
Rows are the two groups compared (row 0 is the index group, row 1 the reference group) and
columns are the outcome (column 0 has the outcome, column 1 does not)::

                 outcome   no outcome
    group 1         a          b         n1 = a + b, k1 = a
    group 2         c          d         n2 = c + d, k2 = c

The comparison functions take either that table or the four numbers ``(k1, n1, k2, n2)``.

Zero cells
----------
No value is ever added to a cell unless asked. Where a zero cell makes a log-scale interval
undefined, the limits are ``None`` and ``note`` says why; pass ``correction=0.5`` to add 0.5
to every cell (Haldane-Anscombe) instead, which is recorded on the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, overload

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

from ipsstats._arrays import as_confidence_level, as_counts, as_option, fail
from ipsstats.categorical.multiplicity import PValueAdjustment
from ipsstats.errors import InsufficientDataError
from ipsstats.results import Estimate

__all__ = [
    "PVALUE_ADJUSTMENTS",
    "ComparisonEstimate",
    "OddsRatioMethod",
    "PValueAdjustment",
    "ProportionMethod",
    "odds_ratio",
    "proportion",
    "risk_difference",
    "risk_ratio",
]

ProportionMethod = Literal["wilson", "clopper-pearson", "agresti-coull", "jeffreys", "wald"]
OddsRatioMethod = Literal["woolf", "conditional"]

_PROPORTION_METHODS: tuple[ProportionMethod, ...] = (
    "wilson",
    "clopper-pearson",
    "agresti-coull",
    "jeffreys",
    "wald",
)
_ODDS_RATIO_METHODS: tuple[OddsRatioMethod, ...] = ("woolf", "conditional")
PVALUE_ADJUSTMENTS: tuple[PValueAdjustment, ...] = (
    "bonferroni",
    "holm",
    "hochberg",
    "bh",
    "by",
    "none",
)
"""The methods of :func:`adjust_pvalues`."""


@attrs.frozen(kw_only=True)
class ComparisonEstimate(Estimate):
    """An estimate comparing two groups of a 2 x 2 table, with its interval.

    Has every field of :class:`~ipsstats.results.Estimate` plus the correction applied.

    Parameters
    ----------
    correction : float
        The amount added to cells because of a zero cell (see the module notes): 0 when the
        table was used as given.

    Examples
    --------
    >>> from ipsstats import risk_ratio
    >>> est = risk_ratio(0, 20, 5, 20, correction=0.5)
    >>> est.correction
    0.5
    """

    correction: float = attrs.field(default=0.0, converter=float)


# --------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------


def _count(value: object, name: str) -> int:
    """Validate one count: a non-negative whole number."""
    if value is None or isinstance(value, (str, bytes)):
        raise fail(name, "be a non-negative whole number", repr(value))
    return int(as_counts(value, name, ndim=0))


def _successes_and_trials(k: object, n: object, k_name: str, n_name: str) -> tuple[int, int]:
    k_ = _count(k, k_name)
    n_ = _count(n, n_name)
    if k_ > n_:
        raise fail(
            k_name,
            f"not exceed `{n_name}` (the number of trials)",
            f"{k_name}={k_} and {n_name}={n_}",
            hint="pass the number with the outcome first, then the group size.",
        )
    return k_, n_


def _two_by_two(counts: tuple[object, ...]) -> tuple[int, int, int, int]:
    """Read ``(table,)`` or ``(k1, n1, k2, n2)`` into validated ``(k1, n1, k2, n2)``."""
    if len(counts) == 1:
        source = counts[0]
        source = getattr(source, "counts", source)  # a ContingencyTable
        table = as_counts(source, "table", ndim=None)
        if table.shape != (2, 2):
            raise fail(
                "table",
                "be a 2 x 2 table (rows: group 1, group 2; columns: outcome, no outcome)",
                f"an array of shape {table.shape}",
                hint="pass a 2 x 2 table or the four numbers (k1, n1, k2, n2).",
            )
        a, b, c, d = (int(x) for x in table.ravel())
        k1, n1, k2, n2 = a, a + b, c, c + d
    elif len(counts) == 4:
        k1, n1 = _successes_and_trials(counts[0], counts[1], "k1", "n1")
        k2, n2 = _successes_and_trials(counts[2], counts[3], "k2", "n2")
    else:
        raise fail(
            "counts",
            "be one 2 x 2 table or four numbers (k1, n1, k2, n2)",
            f"{len(counts)} positional arguments",
        )
    for n, name in ((n1, "group 1 (row 0)"), (n2, "group 2 (row 1)")):
        if n == 0:
            raise InsufficientDataError(
                f"{name} has no observations, so its proportion is undefined. "
                "Hint: drop the empty group or compare other groups."
            )
    return k1, n1, k2, n2


def _as_correction(value: object) -> float:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not math.isfinite(float(value))
        or float(value) < 0
    ):
        raise fail(
            "correction",
            "be a finite number >= 0 (the amount added to every cell when a cell is zero)",
            repr(value),
            hint="0.5 is the usual Haldane-Anscombe choice; 0 uses the table as given.",
        )
    return float(value)


def _z(confidence_level: float) -> float:
    """Two-sided standard-normal critical value for `confidence_level`."""
    return float(stats.norm.isf((1.0 - confidence_level) / 2.0))


# --------------------------------------------------------------------------------------
# one proportion
# --------------------------------------------------------------------------------------


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score limits; exactly 0 (1) when k is 0 (n), where the formula rounds."""
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lower = 0.0 if k == 0 else max(centre - half, 0.0)
    upper = 1.0 if k == n else min(centre + half, 1.0)
    return lower, upper


def _clopper_pearson(k: int, n: int, tail: float) -> tuple[float, float]:
    lower = 0.0 if k == 0 else float(stats.beta.ppf(tail, k, n - k + 1))
    upper = 1.0 if k == n else float(stats.beta.isf(tail, k + 1, n - k))
    return lower, upper


def _jeffreys(k: int, n: int, tail: float) -> tuple[float, float]:
    lower = 0.0 if k == 0 else float(stats.beta.ppf(tail, k + 0.5, n - k + 0.5))
    upper = 1.0 if k == n else float(stats.beta.isf(tail, k + 0.5, n - k + 0.5))
    return lower, upper


def _agresti_coull(k: int, n: int, z: float) -> tuple[float, float]:
    n_tilde = n + z * z
    p_tilde = (k + z * z / 2) / n_tilde
    half = z * math.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    return max(p_tilde - half, 0.0), min(p_tilde + half, 1.0)


def proportion(
    k: int,
    n: int,
    *,
    method: ProportionMethod = "wilson",
    confidence_level: float = 0.95,
) -> Estimate:
    r"""Estimate a binomial proportion ``k / n`` with a confidence interval.

    Parameters
    ----------
    k : int
        Number of observations with the outcome (e.g. people who started a job).
    n : int
        Number of observations (trials); at least 1 and at least `k`.
    method : {"wilson", "clopper-pearson", "agresti-coull", "jeffreys", "wald"}
        How the interval is computed (see Notes). ``"wilson"`` (the default) has close to
        nominal coverage even for small `n` or extreme proportions [1]_.
    confidence_level : float
        Coverage of the interval, strictly between 0 and 1.

    Returns
    -------
    Estimate
        ``value`` is ``k / n``; ``lower`` and ``upper`` are the confidence limits, within
        [0, 1]; ``method`` is the method used; ``std_err`` is the Wald standard error
        :math:`\sqrt{\hat p (1 - \hat p) / n}` for ``"wald"`` and ``None`` otherwise.

    Raises
    ------
    InvalidInputError
        If `k` or `n` is not a non-negative whole number, `k` exceeds `n`, `method` is
        unknown or `confidence_level` is not strictly between 0 and 1.
    InsufficientDataError
        If `n` is 0.

    See Also
    --------
    risk_difference, risk_ratio, odds_ratio : compare two proportions.

    Notes
    -----
    With :math:`\hat p = k / n`, :math:`z = \Phi^{-1}(1 - \alpha / 2)` and
    :math:`\alpha = 1 -` `confidence_level`:

    - ``"wilson"`` (score interval):

      .. math::

          \frac{\hat p + z^2 / (2n)}{1 + z^2 / n} \pm
          \frac{z}{1 + z^2 / n} \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4 n^2}}

    - ``"clopper-pearson"`` (exact): the :math:`\alpha / 2` quantile of
      :math:`\mathrm{Beta}(k, n - k + 1)` and the :math:`1 - \alpha / 2` quantile of
      :math:`\mathrm{Beta}(k + 1, n - k)`, with limits 0 when :math:`k = 0` and 1 when
      :math:`k = n`.
    - ``"jeffreys"``: the equal-tailed interval of the
      :math:`\mathrm{Beta}(k + 1/2, n - k + 1/2)` posterior, with the lower limit set to
      0 when :math:`k = 0` and the upper to 1 when :math:`k = n`, as Brown, Cai and
      DasGupta recommend [1]_, so that the interval always contains
      :math:`\hat p`.
    - ``"agresti-coull"``: with :math:`\tilde n = n + z^2` and
      :math:`\tilde p = (k + z^2 / 2) / \tilde n`, the interval
      :math:`\tilde p \pm z \sqrt{\tilde p (1 - \tilde p) / \tilde n}` [2]_, clipped to
      [0, 1].
    - ``"wald"``: :math:`\hat p \pm z \sqrt{\hat p (1 - \hat p) / n}`, clipped to [0, 1].
      Its coverage is poor for small `n` or extreme proportions [1]_; it has zero width
      when `k` is 0 or `n`, which the result's ``note`` says.

    References
    ----------
    .. [1] Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
       binomial proportion. Statistical Science 16(2), 101-133.
    .. [2] Agresti, A. and Coull, B. A. (1998). Approximate is better than "exact" for
       interval estimation of binomial proportions. The American Statistician 52(2),
       119-126.

    Examples
    --------
    The Wilson interval for 81 job starts among 263 people:

    >>> from ipsstats import proportion
    >>> est = proportion(81, 263)
    >>> print(round(est.value, 4), round(est.lower, 4), round(est.upper, 4))
    0.308 0.2553 0.3662
    >>> est = proportion(0, 12, method="clopper-pearson")
    >>> print(est.lower, round(est.upper, 4))
    0.0 0.2646
    """
    k_, n_ = _successes_and_trials(k, n, "k", "n")
    method_ = as_option(method, "method", _PROPORTION_METHODS)
    level = as_confidence_level(confidence_level)
    if n_ == 0:
        raise InsufficientDataError(
            "`n` is 0, so the proportion is undefined. Hint: a proportion needs at least "
            "one observation."
        )
    p = k_ / n_
    z = _z(level)
    tail = (1.0 - level) / 2.0
    std_err: float | None = None
    note = ""
    if method_ == "wilson":
        lower, upper = _wilson(k_, n_, z)
    elif method_ == "clopper-pearson":
        lower, upper = _clopper_pearson(k_, n_, tail)
    elif method_ == "jeffreys":
        lower, upper = _jeffreys(k_, n_, tail)
    elif method_ == "agresti-coull":
        lower, upper = _agresti_coull(k_, n_, z)
    else:
        std_err = math.sqrt(p * (1 - p) / n_)
        lower, upper = max(p - z * std_err, 0.0), min(p + z * std_err, 1.0)
        if k_ in (0, n_):
            note = "the Wald interval has zero width when k is 0 or n; prefer 'wilson'"
    return Estimate(
        value=p,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method=method_,
        std_err=std_err,
        note=note,
    )


# --------------------------------------------------------------------------------------
# two-group comparisons
# --------------------------------------------------------------------------------------


@overload
def risk_difference(table: object, /, *, confidence_level: float = ...) -> ComparisonEstimate: ...


@overload
def risk_difference(
    k1: int, n1: int, k2: int, n2: int, /, *, confidence_level: float = ...
) -> ComparisonEstimate: ...


def risk_difference(*counts: object, confidence_level: float = 0.95) -> ComparisonEstimate:
    r"""Difference of two proportions, ``k1/n1 - k2/n2``, with Newcombe's hybrid score CI.

    Call as ``risk_difference(table)`` with a 2 x 2 table (rows: group 1, group 2;
    columns: outcome, no outcome) or ``risk_difference(k1, n1, k2, n2)``.

    Parameters
    ----------
    *counts : table or (k1, n1, k2, n2)
        A 2 x 2 table (array-like or :class:`~ipsstats.ContingencyTable`), or the number
        with the outcome and the size of group 1, then of group 2.
    confidence_level : float
        Coverage of the interval, strictly between 0 and 1.

    Returns
    -------
    ComparisonEstimate
        ``value`` is :math:`\hat p_1 - \hat p_2`; ``lower``, ``upper`` the limits;
        ``method`` is ``"newcombe-hybrid-score"``; ``correction`` is always 0 (no cell is
        ever adjusted: the interval is defined for zero cells).

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, or `confidence_level` is not strictly between 0 and 1.
    InsufficientDataError
        If a group has no observations.

    See Also
    --------
    proportion : the Wilson interval used for each group.

    Notes
    -----
    Method 10 of Newcombe [1]_: with :math:`(l_i, u_i)` the Wilson score interval of
    :math:`\hat p_i` (see :func:`proportion`),

    .. math::

        L = \hat p_1 - \hat p_2 - \sqrt{(\hat p_1 - l_1)^2 + (u_2 - \hat p_2)^2}, \quad
        U = \hat p_1 - \hat p_2 + \sqrt{(u_1 - \hat p_1)^2 + (\hat p_2 - l_2)^2}.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions: comparison of eleven methods. Statistics in Medicine
       17(8), 873-890 (method 10; worked examples in Table II).

    Examples
    --------
    Newcombe's example (a), 56/70 against 48/80 [1]_ (Table II gives 0.0524 to 0.3339):

    >>> from ipsstats import risk_difference
    >>> est = risk_difference(56, 70, 48, 80)
    >>> print(round(est.value, 4), round(est.lower, 4), round(est.upper, 4))
    0.2 0.0524 0.3339
    """
    k1, n1, k2, n2 = _two_by_two(counts)
    level = as_confidence_level(confidence_level)
    z = _z(level)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1, z)
    l2, u2 = _wilson(k2, n2, z)
    diff = p1 - p2
    return ComparisonEstimate(
        value=diff,
        lower=diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        upper=diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        confidence_level=level,
        method="newcombe-hybrid-score",
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    """Divide, with x/0 = inf for x > 0 and 0/0 undefined (None)."""
    if denominator == 0:
        return math.inf if numerator > 0 else None
    return numerator / denominator


def _log_scale_estimate(  # noqa: PLR0917  # internal: the estimate and how it was made
    value: float, variance: float, level: float, method: str, applied: float, zero: str
) -> ComparisonEstimate:
    """Build a ratio's estimate with its interval from the variance of its logarithm.

    `applied` is the correction added to every cell because of a `zero` (named in the note).
    """
    se = math.sqrt(variance)
    log_value, half = math.log(value), _z(level) * se
    return ComparisonEstimate(
        value=value,
        lower=math.exp(log_value - half),
        upper=math.exp(log_value + half),
        confidence_level=level,
        method=method,
        std_err=se,
        correction=applied,
        note=f"{applied:g} added to every cell ({zero})" if applied else "",
    )


@overload
def risk_ratio(
    table: object, /, *, confidence_level: float = ..., correction: float = ...
) -> ComparisonEstimate: ...


@overload
def risk_ratio(
    k1: int,
    n1: int,
    k2: int,
    n2: int,
    /,
    *,
    confidence_level: float = ...,
    correction: float = ...,
) -> ComparisonEstimate: ...


def risk_ratio(
    *counts: object, confidence_level: float = 0.95, correction: float = 0.0
) -> ComparisonEstimate:
    r"""Ratio of two proportions, ``(k1/n1) / (k2/n2)``, with the Katz log interval.

    Call as ``risk_ratio(table)`` with a 2 x 2 table (rows: group 1, group 2; columns:
    outcome, no outcome) or ``risk_ratio(k1, n1, k2, n2)``.

    Parameters
    ----------
    *counts : table or (k1, n1, k2, n2)
        A 2 x 2 table (array-like or :class:`~ipsstats.ContingencyTable`), or the number
        with the outcome and the size of group 1, then of group 2.
    confidence_level : float
        Coverage of the interval, strictly between 0 and 1.
    correction : float
        Amount added to every cell when `k1` or `k2` is zero (0.5 is the usual choice);
        the default 0 never changes the table.

    Returns
    -------
    ComparisonEstimate
        ``value`` is the risk ratio; ``lower``, ``upper`` the limits; ``std_err`` the
        standard error of its logarithm; ``method`` is ``"katz-log"``; ``correction`` the
        amount actually added (0 when no cell needed it). Without a correction, when
        `k1` or `k2` is zero the limits are ``None`` and ``note`` says why; ``value`` is
        0 or ``inf`` where the sample ratio is, and ``None`` when both are zero.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, `correction` is negative, or `confidence_level` is not
        strictly between 0 and 1.
    InsufficientDataError
        If a group has no observations.

    Notes
    -----
    Katz et al. [1]_: with :math:`\widehat{RR} = (k_1 / n_1) / (k_2 / n_2)`,

    .. math::

        \widehat{RR} \exp\left(\pm z \sqrt{\frac{1}{k_1} - \frac{1}{n_1} +
        \frac{1}{k_2} - \frac{1}{n_2}}\right).

    With ``correction=c`` and a zero `k`, every cell gains :math:`c`, i.e.
    :math:`k_i \to k_i + c` and :math:`n_i \to n_i + 2c`.

    References
    ----------
    .. [1] Katz, D., Baptista, J., Azen, S. P. and Pike, M. C. (1978). Obtaining
       confidence intervals for the risk ratio in cohort studies. Biometrics 34(3),
       469-474.

    Examples
    --------
    >>> from ipsstats import risk_ratio
    >>> est = risk_ratio([[30, 70], [15, 85]])
    >>> print(round(est.value, 3), round(est.lower, 3), round(est.upper, 3))
    2.0 1.149 3.482
    """
    k1, n1, k2, n2 = _two_by_two(counts)
    level = as_confidence_level(confidence_level)
    amount = _as_correction(correction)
    applied = amount if (k1 == 0 or k2 == 0) else 0.0
    a, n1_, c, n2_ = k1 + applied, n1 + 2 * applied, k2 + applied, n2 + 2 * applied
    if a == 0 or c == 0:
        return ComparisonEstimate(
            value=_ratio(k1 / n1, k2 / n2),
            lower=None,
            upper=None,
            confidence_level=level,
            method="katz-log",
            note=(
                "no events in a group, so the log-scale interval is undefined; pass "
                "correction=0.5 to add 0.5 to every cell"
            ),
        )
    variance = 1 / a - 1 / n1_ + 1 / c - 1 / n2_
    return _log_scale_estimate(
        (a / n1_) / (c / n2_), variance, level, "katz-log", applied, "zero events"
    )


@overload
def odds_ratio(
    table: object,
    /,
    *,
    method: OddsRatioMethod = ...,
    confidence_level: float = ...,
    correction: float = ...,
) -> ComparisonEstimate: ...


@overload
def odds_ratio(
    k1: int,
    n1: int,
    k2: int,
    n2: int,
    /,
    *,
    method: OddsRatioMethod = ...,
    confidence_level: float = ...,
    correction: float = ...,
) -> ComparisonEstimate: ...


def odds_ratio(
    *counts: object,
    method: OddsRatioMethod = "woolf",
    confidence_level: float = 0.95,
    correction: float = 0.0,
) -> ComparisonEstimate:
    r"""Odds ratio of a 2 x 2 table, ``(a d) / (b c)``, with a Woolf or exact interval.

    Call as ``odds_ratio(table)`` with a 2 x 2 table ``[[a, b], [c, d]]`` (rows: group 1,
    group 2; columns: outcome, no outcome) or ``odds_ratio(k1, n1, k2, n2)``.

    Parameters
    ----------
    *counts : table or (k1, n1, k2, n2)
        A 2 x 2 table (array-like or :class:`~ipsstats.ContingencyTable`), or the number
        with the outcome and the size of group 1, then of group 2.
    method : {"woolf", "conditional"}
        ``"woolf"``: the sample odds ratio with Woolf's log interval. ``"conditional"``:
        the conditional maximum-likelihood estimate with the exact (Fisher-type)
        interval, as R's ``fisher.test`` reports them.
    confidence_level : float
        Coverage of the interval, strictly between 0 and 1.
    correction : float
        ``"woolf"`` only: amount added to every cell when a cell is zero (0.5 is the
        usual choice); the default 0 never changes the table.

    Returns
    -------
    ComparisonEstimate
        ``value``, ``lower``, ``upper``; ``method`` (``"woolf"`` or ``"conditional"``);
        ``std_err`` the standard error of the log odds ratio (``"woolf"``);
        ``correction`` the amount actually added. An exact limit may be 0 or ``inf``
        (the interval is unbounded on that side). Woolf limits for a table with a zero
        cell, and any value that is undefined, are ``None``, with the reason in
        ``note``.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, `method` is unknown, `correction` is negative or used with
        ``"conditional"``, or `confidence_level` is not strictly between 0 and 1.
    InsufficientDataError
        If a group has no observations.

    Notes
    -----
    Woolf [1]_: :math:`\widehat{OR} = ad / (bc)` with limits

    .. math::

        \widehat{OR} \exp\left(\pm z \sqrt{1/a + 1/b + 1/c + 1/d}\right).

    Conditional [2]_: given all margins, :math:`a` follows Fisher's noncentral
    hypergeometric distribution with parameter :math:`\psi`,
    :math:`P(a = x) \propto \binom{n_1}{x} \binom{n_2}{m_1 - x} \psi^x` over
    :math:`\max(0, m_1 - n_2) \le x \le \min(n_1, m_1)`, where :math:`m_1 = a + c`. The
    estimate solves :math:`E_\psi[a] = a_{obs}`; the limits solve
    :math:`P_\psi(a \ge a_{obs}) = \alpha/2` (lower) and
    :math:`P_\psi(a \le a_{obs}) = \alpha/2` (upper). At the ends of the support the
    estimate and the corresponding limit are 0 or infinity.

    References
    ----------
    .. [1] Woolf, B. (1955). On estimating the relation between blood group and disease.
       Annals of Human Genetics 19(4), 251-253.
    .. [2] Agresti, A. (2002). Categorical Data Analysis, 2nd ed. Wiley (section 3.6,
       small-sample inference for 2 x 2 tables).

    Examples
    --------
    R's tea-tasting table: ``fisher.test(matrix(c(3, 1, 1, 3), 2))`` prints odds ratio
    6.408309 and 95% CI 0.2117329 to 621.9337505; R stops its root search at a loose
    tolerance, and the limits solved to full precision are 0.211736 and 626.24:

    >>> from ipsstats import odds_ratio
    >>> est = odds_ratio([[3, 1], [1, 3]], method="conditional")
    >>> print(round(est.value, 4), round(est.lower, 4), round(est.upper, 1))
    6.4083 0.2117 626.2
    >>> print(round(odds_ratio([[3, 1], [1, 3]]).value, 4))
    9.0
    """
    k1, n1, k2, n2 = _two_by_two(counts)
    method_ = as_option(method, "method", _ODDS_RATIO_METHODS)
    level = as_confidence_level(confidence_level)
    amount = _as_correction(correction)
    if method_ == "conditional":
        if amount:
            raise fail(
                "correction",
                "be 0 with method='conditional' (the exact interval needs no correction)",
                repr(correction),
            )
        return _conditional_odds_ratio(k1, n1 - k1, k2, n2 - k2, level)
    return _woolf_odds_ratio((k1, n1 - k1, k2, n2 - k2), level, amount)


def _woolf_odds_ratio(
    table: tuple[int, int, int, int], level: float, correction: float
) -> ComparisonEstimate:
    a, b, c, d = table
    applied = correction if min(a, b, c, d) == 0 else 0.0
    cells = [float(x) + applied for x in (a, b, c, d)]
    if min(cells) == 0:
        return ComparisonEstimate(
            value=_ratio(float(a * d), float(b * c)),
            lower=None,
            upper=None,
            confidence_level=level,
            method="woolf",
            note=(
                "a zero cell makes Woolf's log-scale interval undefined; pass "
                "correction=0.5 to add 0.5 to every cell, or use method='conditional'"
            ),
        )
    a_, b_, c_, d_ = cells
    variance = 1 / a_ + 1 / b_ + 1 / c_ + 1 / d_
    return _log_scale_estimate(
        (a_ * d_) / (b_ * c_), variance, level, "woolf", applied, "zero cell"
    )


class _NoncentralHypergeometric:
    """Fisher's noncentral hypergeometric law of cell ``a`` given a 2 x 2 table's margins."""

    def __init__(self, n1: int, n2: int, m1: int) -> None:
        self.support = np.arange(max(0, m1 - n2), min(n1, m1) + 1, dtype=np.float64)
        self._log_base = (
            special.gammaln(n1 + 1)
            - special.gammaln(self.support + 1)
            - special.gammaln(n1 - self.support + 1)
            + special.gammaln(n2 + 1)
            - special.gammaln(m1 - self.support + 1)
            - special.gammaln(n2 - m1 + self.support + 1)
        )

    def pmf(self, log_psi: float) -> NDArray[np.float64]:
        log_weights = self._log_base + self.support * log_psi
        pmf: NDArray[np.float64] = np.exp(log_weights - float(special.logsumexp(log_weights)))
        return pmf

    def mean(self, log_psi: float) -> float:
        return float(self.pmf(log_psi) @ self.support)

    def sf(self, x: float, log_psi: float) -> float:
        """P(X >= x)."""
        return float(self.pmf(log_psi)[self.support >= x].sum())

    def cdf(self, x: float, log_psi: float) -> float:
        """P(X <= x)."""
        return float(self.pmf(log_psi)[self.support <= x].sum())


def _solve_log_psi(func: Callable[[float], float]) -> float:
    """Root of an increasing function of log(psi), bracketed by doubling outwards."""
    low, high = -1.0, 1.0
    while func(low) > 0:
        low *= 2
    while func(high) < 0:
        high *= 2
    return float(optimize.brentq(func, low, high, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def _conditional_odds_ratio(a: int, b: int, c: int, d: int, level: float) -> ComparisonEstimate:
    n1, n2, m1 = a + b, c + d, a + c
    law = _NoncentralHypergeometric(n1, n2, m1)
    lo, hi = float(law.support[0]), float(law.support[-1])
    x = float(a)
    if lo == hi:
        return ComparisonEstimate(
            value=None,
            lower=0.0,
            upper=math.inf,
            confidence_level=level,
            method="conditional",
            note="a column total is zero, so the conditional odds ratio is undefined",
        )
    tail = (1.0 - level) / 2.0
    if x == lo:
        value = 0.0
    elif x == hi:
        value = math.inf
    else:
        value = math.exp(_solve_log_psi(lambda t: law.mean(t) - x))
    lower = 0.0 if x == lo else math.exp(_solve_log_psi(lambda t: law.sf(x, t) - tail))
    upper = math.inf if x == hi else math.exp(_solve_log_psi(lambda t: tail - law.cdf(x, t)))
    return ComparisonEstimate(
        value=value,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="conditional",
    )
