"""One proportion with its confidence interval (:func:`proportion`).

The two-group comparisons (risk difference, risk ratio, odds ratio) live in
:mod:`ipsstats.categorical.comparisons` and the tests of proportions in
:mod:`ipsstats.categorical.proportion_tests`; their names are also importable from here,
the module that held them in ipsstats 0.1.
"""

from __future__ import annotations

import functools
import math
from typing import Literal

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats._deprecation import renamed_keywords
from ipsstats._scipy import special
from ipsstats.categorical._binomial import as_bool, successes_and_trials, wilson_limits
from ipsstats.categorical._common import critical_z
from ipsstats.categorical.comparisons import (
    ComparisonEstimate,
    OddsRatioMethod,
    odds_ratio,
    risk_difference,
    risk_ratio,
)
from ipsstats.categorical.multiplicity import PVALUE_ADJUSTMENTS, PValueAdjustment
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

_PROPORTION_METHODS: tuple[ProportionMethod, ...] = (
    "wilson",
    "clopper-pearson",
    "agresti-coull",
    "jeffreys",
    "wald",
)


def _beta_upper_quantile(a: float, b: float, tail: float) -> float:
    """Return the ``x`` with ``P(Beta(a, b) > x) = tail``, accurate in both tails.

    ``scipy.special.betainccinv`` (SciPy 1.12+) when present; on older SciPy the same
    quantile by the reflection ``1 - I^{-1}(b, a, tail)`` when the answer is above 1/2 (no
    cancellation there) and by ``I^{-1}(a, b, 1 - tail)`` otherwise.
    """
    direct = getattr(special, "betainccinv", None)
    if direct is not None:
        return float(direct(a, b, tail))
    reflected = 1.0 - float(special.betaincinv(b, a, tail))
    return reflected if reflected > 0.5 else float(special.betaincinv(a, b, 1.0 - tail))


def _clopper_pearson(k: int, n: int, tail: float) -> tuple[float, float]:
    lower = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, tail))
    upper = 1.0 if k == n else _beta_upper_quantile(k + 1, n - k, tail)
    return lower, upper


def _jeffreys(k: int, n: int, tail: float) -> tuple[float, float]:
    lower = 0.0 if k == 0 else float(special.betaincinv(k + 0.5, n - k + 0.5, tail))
    upper = 1.0 if k == n else _beta_upper_quantile(k + 0.5, n - k + 0.5, tail)
    return lower, upper


def _agresti_coull(k: int, n: int, z: float) -> tuple[float, float]:
    n_tilde = n + z * z
    p_tilde = (k + z * z / 2) / n_tilde
    half = z * math.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    return max(p_tilde - half, 0.0), min(p_tilde + half, 1.0)


def _proportion(
    k: int, n: int, method: ProportionMethod, correction: bool, level: float
) -> Estimate:
    """Estimate from validated input (also recomputes it at another level)."""
    p = k / n
    z = critical_z(level)
    tail = (1.0 - level) / 2.0
    std_err: float | None = None
    note = ""
    if method == "wilson":
        lower, upper = wilson_limits(k, n, z, 0.5 / n if correction else 0.0)
    elif method == "clopper-pearson":
        lower, upper = _clopper_pearson(k, n, tail)
    elif method == "jeffreys":
        lower, upper = _jeffreys(k, n, tail)
    elif method == "agresti-coull":
        lower, upper = _agresti_coull(k, n, z)
    else:
        std_err = math.sqrt(p * (1 - p) / n)
        lower, upper = max(p - z * std_err, 0.0), min(p + z * std_err, 1.0)
        if k in (0, n):
            note = "the Wald interval has zero width when k is 0 or n; prefer 'wilson'"
    return Estimate(
        value=p,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method=method,
        std_err=std_err,
        note=note,
        at_level=functools.partial(_proportion, k, n, method, correction),
    )


@renamed_keywords(conf_level="confidence_level")
def proportion(
    k: int,
    n: int,
    *,
    method: ProportionMethod = "wilson",
    confidence_level: float = 0.95,
    correction: bool = False,
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
        Coverage of the interval, strictly between 0 and 1. The old spelling
        ``conf_level`` is accepted with a :class:`DeprecationWarning`.
    correction : bool
        ``"wilson"`` only: apply the continuity correction (Newcombe's method 4 [3]_,
        the interval of R's ``prop.test(k, n, correct = TRUE)``). Off by default.

    Returns
    -------
    Estimate
        ``value`` is ``k / n``; ``lower`` and ``upper`` are the confidence limits, within
        [0, 1]; ``method`` is the method used; ``std_err`` is the Wald standard error
        :math:`\sqrt{\hat p (1 - \hat p) / n}` for ``"wald"`` and ``None`` otherwise.
        ``confidence_interval(level)`` recomputes the interval at another level.

    Raises
    ------
    InvalidInputError
        If `k` or `n` is not a non-negative whole number, `k` exceeds `n`, `method` is
        unknown, `correction` is not a bool or is asked for with another method than
        ``"wilson"``, or `confidence_level` is not strictly between 0 and 1.
    InsufficientDataError
        If `n` is 0.

    See Also
    --------
    risk_difference, risk_ratio, odds_ratio : compare two proportions.
    proportion_test : test a proportion against a hypothesised value.

    Notes
    -----
    With :math:`\hat p = k / n`, :math:`z = \Phi^{-1}(1 - \alpha / 2)` and
    :math:`\alpha = 1 -` `confidence_level`:

    - ``"wilson"`` (score interval):

      .. math::

          \frac{\hat p + z^2 / (2n)}{1 + z^2 / n} \pm
          \frac{z}{1 + z^2 / n} \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4 n^2}}

      With the continuity correction each limit is the Wilson limit computed at
      :math:`\hat p \mp 1/(2n)` (lower limit at :math:`\hat p - 1/(2n)`, upper at
      :math:`\hat p + 1/(2n)`), set to 0 (1) when that shifted proportion is at most 0
      (at least 1); this is Newcombe's closed form [3]_.
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

    R's ``prop.test`` drops the continuity correction when :math:`|k - n p_0| < 1/2`
    (:math:`p_0` the hypothesised proportion, 0.5 by default), so that with an even `n`
    and :math:`k = n / 2` it reports the uncorrected interval; ``correction=True`` here
    always corrects (see :func:`proportion_test` for R's test).

    References
    ----------
    .. [1] Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
       binomial proportion. Statistical Science 16(2), 101-133.
    .. [2] Agresti, A. and Coull, B. A. (1998). Approximate is better than "exact" for
       interval estimation of binomial proportions. The American Statistician 52(2),
       119-126.
    .. [3] Newcombe, R. G. (1998). Two-sided confidence intervals for the single
       proportion: comparison of seven methods. Statistics in Medicine 17(8), 857-872
       (method 4).

    Examples
    --------
    The Wilson interval for 81 job starts among 263 people:

    >>> from ipsstats import proportion
    >>> est = proportion(81, 263)
    >>> print(round(est.value, 4), round(est.lower, 4), round(est.upper, 4))
    0.308 0.2553 0.3662
    >>> [round(limit, 4) for limit in est.confidence_interval(0.99)]
    [0.2401, 0.3853]
    >>> est = proportion(0, 12, method="clopper-pearson")
    >>> print(est.lower, round(est.upper, 4))
    0.0 0.2646

    With the continuity correction, as ``prop.test(81, 263)$conf.int`` in R
    (0.2535087 to 0.3681762):

    >>> est = proportion(81, 263, correction=True)
    >>> print(round(est.lower, 7), round(est.upper, 7))
    0.2535087 0.3681762
    """
    k_, n_ = successes_and_trials(k, n, "k", "n")
    method_ = as_option(method, "method", _PROPORTION_METHODS)
    level = as_confidence_level(confidence_level)
    yates = as_bool(correction, "correction")
    if yates and method_ != "wilson":
        raise fail(
            "correction",
            "be False unless method='wilson' (the continuity-corrected score interval)",
            f"correction=True with method={method_!r}",
            hint="the Clopper-Pearson and Jeffreys intervals need no correction.",
        )
    if n_ == 0:
        raise InsufficientDataError(
            "`n` is 0, so the proportion is undefined. Hint: a proportion needs at least "
            "one observation.",
            argument="n",
        )
    return _proportion(k_, n_, method_, yates, level)
