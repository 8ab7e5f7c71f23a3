"""Stratified and ordered tests: Cochran-Mantel-Haenszel and Cochran-Armitage trend.

:func:`cmh` tests whether two factors are associated after adjusting for a third (the
strata: services, periods, age bands). On a 2 x 2 x K table it gives the Mantel-Haenszel
test, the Mantel-Haenszel common odds ratio with the Robins-Breslow-Greenland interval and
the Breslow-Day test (with Tarone's correction) that the odds ratio is the same in every
stratum; on an r x c x K table it gives the generalised CMH test of general association.

:func:`trend` tests whether the proportion with an outcome changes steadily over ordered
groups, as R's ``prop.trend.test``.

Layout
------
A stratified table has shape ``(strata, rows, cols)``: ``counts[k]`` is the table of stratum
``k``. For 2 x 2 strata, rows are the groups compared (row 0 the index group) and columns
the outcome (column 0 has it), so the odds ratio of stratum ``k`` is
``counts[k, 0, 0] * counts[k, 1, 1] / (counts[k, 0, 1] * counts[k, 1, 0])``.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, as_confidence_level, as_counts, as_option, fail, readonly
from ipsstats._deprecation import renamed_keywords
from ipsstats.categorical._common import (
    Alternative,
    as_alternative,
    chi2_sf,
    critical_z,
    normal_pvalue,
)
from ipsstats.categorical._conditional import ConditionalLaw, ConditionalOddsRatio
from ipsstats.errors import InsufficientDataError
from ipsstats.results import Estimate, TestResult

__all__ = ["CMHResult", "TrendResult", "cmh", "trend"]

CMHMethod = Literal["asymptotic", "exact"]
_CMH_METHODS: tuple[CMHMethod, ...] = ("asymptotic", "exact")
_MISSING_REASON = "missing row, column or stratum value"
_SKIP_NOTE = (
    "strata with fewer than 2 observations carry no information (their terms in every "
    "Mantel-Haenszel sum are zero) and were skipped"
)


def _float_array(value: object) -> NDArray[np.float64]:
    """Attrs converter: a read-only float64 copy."""
    return readonly(np.asarray(value), dtype=np.float64)


@attrs.frozen(kw_only=True)
class CMHResult(TestResult):
    """Result of :func:`cmh`: a :class:`~ipsstats.TestResult` with the extra fields below.

    Parameters
    ----------
    common_odds_ratio : Estimate or None
        2 x 2 x K only: the Mantel-Haenszel common odds ratio with the
        Robins-Breslow-Greenland interval (``method="asymptotic"``), or the conditional
        maximum-likelihood estimate with its exact interval (``method="exact"``);
        ``None`` for larger tables. ``confidence_interval(level)`` recomputes the
        interval at another level.
    homogeneity : TestResult or None
        2 x 2 x K only: the Breslow-Day test (with Tarone's correction) that every
        stratum has the same odds ratio; ``None`` for larger tables or when it is
        undefined (the reason is in ``caveats``).
    correction : bool
        Whether the continuity correction was asked for (the Mantel-Haenszel statistic
        only; ``details["continuity_correction_applied"]`` says whether it applied).
    skipped_strata : tuple
        Labels (or indices) of strata with fewer than 2 observations, which carry no
        information and were skipped.
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"`` (common odds ratio below or above 1).

    Examples
    --------
    >>> from ipsstats import cmh
    >>> res = cmh([[[10, 20], [5, 25]], [[8, 12], [6, 14]]])
    >>> res.method, res.skipped_strata
    ('mantel-haenszel', ())
    """

    common_odds_ratio: Estimate | None = None
    homogeneity: TestResult | None = None
    correction: bool = False
    skipped_strata: tuple[object, ...] = attrs.field(default=(), converter=tuple)
    alternative: str = "two-sided"


@attrs.frozen(kw_only=True, eq=False)
class TrendResult(TestResult):
    """Result of :func:`trend`: a :class:`~ipsstats.TestResult` with the extra fields below.

    Parameters
    ----------
    scores : numpy.ndarray
        The score of each group used (read-only), in table order.
    proportions : numpy.ndarray
        The proportion with the outcome in each group (read-only); NaN for an empty group.
    slope : float
        Least-squares slope of the group proportions on the scores, weighted by group
        size: its sign gives the direction of the trend.
    alternative : str
        ``"two-sided"``, ``"less"`` (decreasing) or ``"greater"`` (increasing).

    Examples
    --------
    >>> from ipsstats import trend
    >>> res = trend([[5, 15], [8, 12], [12, 8]])
    >>> res.slope > 0
    True
    """

    scores: NDArray[np.float64] = attrs.field(converter=_float_array)
    proportions: NDArray[np.float64] = attrs.field(converter=_float_array)
    slope: float = attrs.field(converter=float)
    alternative: str = "two-sided"


# --------------------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------------------


def _table_counts(value: object, name: str, ndim: int) -> tuple[NDArray[np.int64], int]:
    """Return the counts of a table object or array, and its number of missing records."""
    counts = getattr(value, "counts", None)
    if counts is not None and not isinstance(value, np.ndarray):
        n_missing = int(getattr(value, "n_missing", 0))
        return as_counts(counts, name, ndim=ndim), n_missing
    return as_counts(value, name, ndim=ndim), 0


def _strata_labels(value: object, size: int) -> tuple[object, ...]:
    labels = getattr(value, "strata_levels", None)
    if labels is not None and len(labels) == size:
        return tuple(labels)
    return tuple(range(size))


def _exclusions(n_missing: int) -> dict[str, int]:
    return {_MISSING_REASON: n_missing} if n_missing else {}


# --------------------------------------------------------------------------------------
# Mantel-Haenszel (2 x 2 x K)
# --------------------------------------------------------------------------------------


def _mh_statistic(t: NDArray[np.float64], correction: bool) -> tuple[float, float, float, bool]:
    """(statistic, the signed difference sum_k (a_k - E a_k), sum of variances, corrected)."""
    a = t[:, 0, 0]
    n1, n2 = t[:, 0, :].sum(axis=1), t[:, 1, :].sum(axis=1)
    m1, m2 = t[:, :, 0].sum(axis=1), t[:, :, 1].sum(axis=1)
    n = n1 + n2
    delta = float(np.sum(a - n1 * m1 / n))
    variance = float(np.sum(n1 * n2 * m1 * m2 / (n * n * (n - 1))))
    if variance <= 0:
        raise _no_information()
    applied = correction and abs(delta) >= 0.5
    yates = 0.5 if applied else 0.0
    return (abs(delta) - yates) ** 2 / variance, delta, variance, applied


def _no_information() -> InsufficientDataError:
    return InsufficientDataError(
        "no stratum has both groups and both outcomes, so the Mantel-Haenszel statistic "
        "and the exact conditional test are undefined. Hint: check that every stratum has "
        "observations in both rows and both columns.",
        argument="stratified",
    )


def _one_sided_limits(value: float, half: float, alternative: Alternative) -> tuple[float, float]:
    """Limits of a ratio from the half-width of its log interval, one- or two-sided."""
    lower = 0.0 if alternative == "less" else value * math.exp(-half)
    upper = math.inf if alternative == "greater" else value * math.exp(half)
    return lower, upper


def _mh_odds_ratio(t: NDArray[np.float64], alternative: Alternative, level: float) -> Estimate:
    at_level = functools.partial(_mh_odds_ratio, t, alternative)
    a, b, c, d = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
    n = t.sum(axis=(1, 2))
    r_k, s_k = a * d / n, b * c / n
    p_k, q_k = (a + d) / n, (b + c) / n
    r, s = float(r_k.sum()), float(s_k.sum())
    if r == 0 or s == 0:
        value = None if r == s else (0.0 if r == 0 else math.inf)
        return Estimate(
            value=value,
            lower=None,
            upper=None,
            confidence_level=level,
            method="mantel-haenszel",
            note=(
                "a diagonal product (a d or b c) is zero in every stratum, so the log-scale "
                "interval is undefined"
            ),
            at_level=at_level,
        )
    variance = (
        float(np.sum(p_k * r_k)) / (2 * r * r)
        + float(np.sum(p_k * s_k + q_k * r_k)) / (2 * r * s)
        + float(np.sum(q_k * s_k)) / (2 * s * s)
    )
    se = math.sqrt(variance)
    value = r / s
    lower, upper = _one_sided_limits(value, critical_z(level, alternative) * se, alternative)
    return Estimate(
        value=value,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="mantel-haenszel",
        std_err=se,
        note="" if alternative == "two-sided" else f"one-sided interval ({alternative})",
        at_level=at_level,
    )


def _exact_odds_ratio(law: ConditionalLaw, alternative: Alternative, level: float) -> Estimate:
    solver = ConditionalOddsRatio(law)
    lower, upper = solver.interval(level, alternative)
    return Estimate(
        value=solver.estimate(),
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="conditional",
        note="" if alternative == "two-sided" else f"one-sided interval ({alternative})",
        at_level=functools.partial(_exact_odds_ratio, law, alternative),
    )


def _fitted_first_cell(t: NDArray[np.float64], ratio: float) -> NDArray[np.float64]:
    r"""Cell (0, 0) of each stratum fitted to the margins and a common odds ratio.

    Solves :math:`x (n_2 - m_1 + x) = \psi (n_1 - x)(m_1 - x)` for the root inside the
    support, with the numerically stable form of the quadratic formula.
    """
    n1, n2 = t[:, 0, :].sum(axis=1), t[:, 1, :].sum(axis=1)
    m1 = t[:, :, 0].sum(axis=1)
    qa = 1.0 - ratio
    qb = ratio * (n1 + m1) + (n2 - m1)
    qc = -ratio * n1 * m1
    root = np.sqrt(np.maximum(qb * qb - 4 * qa * qc, 0.0))
    q = -0.5 * (qb + np.copysign(root, qb))
    with np.errstate(divide="ignore", invalid="ignore"):
        fitted: NDArray[np.float64] = np.where(qb >= 0, qc / q, q / qa)
    return fitted


def _breslow_day(
    t: NDArray[np.float64], ratio: float | None
) -> tuple[TestResult | None, str | None]:
    """Breslow-Day statistic with Tarone's correction, or (None, reason)."""
    if ratio is None or not 0 < ratio < math.inf:
        return None, "Breslow-Day test not computed: the common odds ratio is 0 or infinite"
    row1, row2 = t[:, 0, :].sum(axis=1), t[:, 1, :].sum(axis=1)
    col1 = t[:, :, 0].sum(axis=1)
    informative = (np.minimum(row1, col1) - np.maximum(0.0, col1 - row2)) > 0
    if informative.sum() < 2:
        return None, (
            "Breslow-Day test not computed: it needs at least 2 strata with both groups and "
            "both outcomes"
        )
    s = t[informative]
    fitted = _fitted_first_cell(s, ratio)
    n1, n2 = s[:, 0, :].sum(axis=1), s[:, 1, :].sum(axis=1)
    m1 = s[:, :, 0].sum(axis=1)
    variance = 1.0 / (1 / fitted + 1 / (n1 - fitted) + 1 / (m1 - fitted) + 1 / (n2 - m1 + fitted))
    residual = s[:, 0, 0] - fitted
    statistic = float(np.sum(residual**2 / variance))
    tarone = float(np.sum(residual)) ** 2 / float(np.sum(variance))
    statistic = max(statistic - tarone, 0.0)  # >= 0 exactly (Cauchy-Schwarz); guard rounding
    dof = int(informative.sum()) - 1
    result = TestResult(
        statistic=statistic,
        pvalue=chi2_sf(statistic, dof),
        dof=dof,
        method="breslow-day-tarone",
        n=int(s.sum()),
        details={"tarone_adjustment": tarone, "strata_used": int(informative.sum())},
    )
    return result, None


# --------------------------------------------------------------------------------------
# generalised CMH (r x c x K)
# --------------------------------------------------------------------------------------


def _generalized_cmh(t: NDArray[np.float64]) -> tuple[float, int]:
    """General-association statistic and its degrees of freedom (the rank of V)."""
    t = t[:, t.sum(axis=(0, 2)) > 0, :]
    t = t[:, :, t.sum(axis=(0, 1)) > 0]
    _, r, c = t.shape
    if r < 2 or c < 2:
        raise InsufficientDataError(
            f"after removing empty categories the table has {r} non-empty row(s) and {c} "
            "non-empty column(s); the test needs at least 2 of each."
        )
    n = t.sum(axis=(1, 2))
    rows, cols = t.sum(axis=2) / n[:, None], t.sum(axis=1) / n[:, None]
    deviation = (t - n[:, None, None] * rows[:, :, None] * cols[:, None, :]).sum(axis=0)
    g = deviation[: r - 1, : c - 1].ravel()
    cov_rows = _multinomial_cov(rows[:, : r - 1])
    cov_cols = _multinomial_cov(cols[:, : c - 1])
    weight = n * n / (n - 1)
    size = (r - 1) * (c - 1)
    v = np.einsum("k,kij,kab->iajb", weight, cov_rows, cov_cols).reshape(size, size)
    rank = int(np.linalg.matrix_rank(v, hermitian=True))
    if rank == 0:
        raise InsufficientDataError(
            "no stratum has two non-empty rows and two non-empty columns, so the "
            "generalised CMH statistic is undefined."
        )
    if rank == size:
        statistic = float(g @ np.linalg.solve(v, g))
    else:
        statistic = float(g @ np.linalg.pinv(v, hermitian=True) @ g)
    return statistic, rank


def _multinomial_cov(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per stratum, diag(p) - p p' (leading categories only)."""
    eye = np.eye(p.shape[1])
    return eye[None, :, :] * p[:, :, None] - p[:, :, None] * p[:, None, :]


# --------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------


@renamed_keywords(conf_level="confidence_level")
def cmh(
    stratified: object,
    *,
    method: CMHMethod = "asymptotic",
    alternative: Alternative = "two-sided",
    correction: bool = False,
    confidence_level: float = 0.95,
) -> CMHResult:
    r"""Cochran-Mantel-Haenszel test of association adjusted for strata.

    Parameters
    ----------
    stratified : StratifiedTable or array-like
        Counts of shape ``(strata, rows, cols)``, each at least 2 x 2: a
        :class:`~ipsstats.StratifiedTable` or a 3-D array-like. For 2 x 2 strata, rows
        are the groups compared and column 0 is the outcome (see the module notes).
    method : {"asymptotic", "exact"}
        ``"asymptotic"`` (default): the Mantel-Haenszel chi-squared test (2 x 2 x K) or
        the generalised CMH test (larger strata). ``"exact"`` (2 x 2 x K only): the exact
        conditional test of R's ``mantelhaen.test(exact = TRUE)``, with the conditional
        maximum-likelihood common odds ratio and its exact interval.
    alternative : {"two-sided", "less", "greater"}
        2 x 2 x K only: the common odds ratio differs from 1, is below or is above it.
        One-sided tests and intervals as in R.
    correction : bool
        2 x 2 x K, asymptotic only: apply the continuity correction (subtract 1/2 from
        :math:`|\sum_k (a_k - E a_k)|` when that is at least 1/2, as R's
        ``mantelhaen.test`` does by default). Off by default.
    confidence_level : float
        Coverage of the common odds ratio's interval, strictly between 0 and 1 (old
        spelling ``conf_level`` accepted with a :class:`DeprecationWarning`).

    Returns
    -------
    CMHResult
        ``statistic`` (chi-squared; for the exact test :math:`S = \sum_k a_k`, as R),
        ``pvalue``, ``dof`` (1 for 2 x 2 x K, otherwise the rank of the covariance
        matrix, normally :math:`(r-1)(c-1)`; ``None`` for the exact test), ``method``
        (``"mantel-haenszel"``, ``"generalized-cmh"`` or ``"exact-conditional"``),
        ``requested`` (the `method` asked for), ``n``, ``n_excluded`` (records with a
        missing value, from a table object), ``alternative``, and for 2 x 2 x K
        ``common_odds_ratio`` and ``homogeneity`` (Breslow-Day-Tarone);
        ``skipped_strata`` lists strata with fewer than 2 observations.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, the table is not 3-D with at
        least 2 rows and 2 columns, `method` or `alternative` is unknown, `correction`
        is not a bool or is asked for with a table larger than 2 x 2 x K or the exact
        test, ``method="exact"`` or a one-sided `alternative` is asked for a table
        larger than 2 x 2 x K, or `confidence_level` is not strictly between 0 and 1.
    InsufficientDataError
        If no stratum has two non-empty rows and two non-empty columns.

    See Also
    --------
    odds_ratio : the odds ratio of one 2 x 2 table (``method="conditional"`` is the
        one-stratum case of the exact test).

    Notes
    -----
    2 x 2 x K [1]_ [2]_: with :math:`a_k` the (0, 0) cell, row totals
    :math:`n_{1k}, n_{2k}`, column totals :math:`m_{1k}, m_{2k}` and total :math:`n_k`,

    .. math::

        X^2_{MH} = \frac{\left(\left|\sum_k a_k - \sum_k n_{1k} m_{1k} / n_k\right|
        - \delta\right)^2}{\sum_k n_{1k} n_{2k} m_{1k} m_{2k} / (n_k^2 (n_k - 1))},

    with :math:`\delta = 1/2` under the continuity correction, else 0. The common odds
    ratio is :math:`\hat\psi = R / S` with :math:`R = \sum_k a_k d_k / n_k` and
    :math:`S = \sum_k b_k c_k / n_k`; the variance of :math:`\log\hat\psi` is that of
    Robins, Breslow and Greenland [3]_:

    .. math::

        \frac{\sum_k P_k R_k}{2R^2} + \frac{\sum_k (P_k S_k + Q_k R_k)}{2RS} +
        \frac{\sum_k Q_k S_k}{2S^2},

    :math:`P_k = (a_k + d_k)/n_k`, :math:`Q_k = (b_k + c_k)/n_k`. The Breslow-Day
    statistic [4]_ is :math:`\sum_k (a_k - \tilde a_k)^2 / \tilde v_k` where
    :math:`\tilde a_k` is the (0, 0) cell fitted to stratum :math:`k`'s margins with odds
    ratio :math:`\hat\psi` and
    :math:`\tilde v_k^{-1} = 1/\tilde a_k + 1/\tilde b_k + 1/\tilde c_k + 1/\tilde d_k`;
    Tarone's correction [5]_ subtracts
    :math:`(\sum_k a_k - \sum_k \tilde a_k)^2 / \sum_k \tilde v_k`. It has K' - 1 degrees
    of freedom, K' being the number of strata with both groups and both outcomes (the
    others have a fixed (0, 0) cell and are left out).

    r x c x K, general association [6]_: with :math:`\mathbf{n}_k` the first
    :math:`(r-1)(c-1)` cells of stratum :math:`k`, :math:`\mathbf{m}_k` their expected
    values under independence and :math:`\mathbf{p}_{r,k}, \mathbf{p}_{c,k}` the row and
    column proportions (leading categories),

    .. math::

        Q = \mathbf{G}^\top \mathbf{V}^{-1} \mathbf{G}, \quad
        \mathbf{G} = \sum_k (\mathbf{n}_k - \mathbf{m}_k), \quad
        \mathbf{V} = \sum_k \frac{n_k^2}{n_k - 1}
        \left(D_{\mathbf{p}_{r,k}} - \mathbf{p}_{r,k}\mathbf{p}_{r,k}^\top\right) \otimes
        \left(D_{\mathbf{p}_{c,k}} - \mathbf{p}_{c,k}\mathbf{p}_{c,k}^\top\right).

    Rows or columns empty in every stratum are dropped first; if :math:`\mathbf{V}` is
    still singular a generalised inverse is used and the degrees of freedom are its rank
    (recorded in ``caveats``). For 2 x 2 x K, :math:`Q` equals :math:`X^2_{MH}` without
    correction. On one stratum both equal :math:`(n - 1)/n` times Pearson's statistic.

    One-sided (2 x 2 x K): the p-value is the normal tail of
    :math:`z = \operatorname{sign}(\sum_k (a_k - E a_k)) \sqrt{X^2_{MH}}` and the
    interval :math:`(0, \hat\psi e^{z_\gamma \hat\sigma})` (less) or
    :math:`(\hat\psi e^{-z_\gamma \hat\sigma}, \infty)` (greater), with
    :math:`z_\gamma = \Phi^{-1}(\gamma)`, as R computes them.

    Exact (2 x 2 x K) [7]_: given every margin, :math:`S = \sum_k a_k` follows the
    convolution of the strata's noncentral hypergeometric laws,
    :math:`P_\psi(S = s) \propto c(s) \psi^s`. The two-sided p-value sums the null
    probabilities :math:`c(s)` at most :math:`1 + 10^{-7}` times that of the observed
    :math:`S` (R's convention); one-sided ones are its tails. The estimate solves
    :math:`E_\psi S = S_{obs}`; the limits solve :math:`P_\psi(S \ge S_{obs}) = \alpha/2`
    and :math:`P_\psi(S \le S_{obs}) = \alpha/2` (one-sided: :math:`\alpha`), to full
    precision (R stops its root search at a loose tolerance, so its estimate and limits
    agree with these to about 4 significant digits). At the ends of the support the
    estimate and a limit are 0 or infinity. The Breslow-Day test stays the one around
    the Mantel-Haenszel estimate.

    Strata with fewer than 2 observations are skipped (every term they would add is
    zero) and listed in ``skipped_strata``.

    References
    ----------
    .. [1] Mantel, N. and Haenszel, W. (1959). Statistical aspects of the analysis of data
       from retrospective studies of disease. Journal of the National Cancer Institute
       22(4), 719-748.
    .. [2] Agresti, A. (2002). Categorical Data Analysis, 2nd ed. Wiley (section 6.3 for
       2 x 2 x K; pp. 287-297 for the generalised statistics and the job-satisfaction
       example that R's ``mantelhaen.test`` reproduces).
    .. [3] Robins, J., Breslow, N. and Greenland, S. (1986). Estimators of the
       Mantel-Haenszel variance consistent in both sparse data and large-strata limiting
       models. Biometrics 42(2), 311-323.
    .. [4] Breslow, N. E. and Day, N. E. (1980). Statistical Methods in Cancer Research,
       Vol. I: The Analysis of Case-Control Studies. IARC Scientific Publications 32
       (chapter 4).
    .. [5] Tarone, R. E. (1985). On heterogeneity tests based on efficient scores.
       Biometrika 72(1), 91-95.
    .. [6] Landis, J. R., Heyman, E. R. and Koch, G. G. (1978). Average partial
       association in three-way contingency tables: a review and discussion of
       alternative tests. International Statistical Review 46(3), 237-254.
    .. [7] Mehta, C. R., Patel, N. R. and Gray, R. (1985). Computing an exact confidence
       interval for the common odds ratio in several 2 x 2 contingency tables. Journal of
       the American Statistical Association 80, 969-973.

    Examples
    --------
    R's penicillin and rabbits example, ``mantelhaen.test(Rabbits)``: Mantel-Haenszel
    X-squared = 3.9286, p-value = 0.04747, common odds ratio 7 (95% CI 1.026713 to
    47.725133):

    >>> from ipsstats import cmh
    >>> rabbits = [[[0, 6], [0, 5]], [[3, 3], [0, 6]], [[6, 0], [2, 4]],
    ...            [[5, 1], [6, 0]], [[2, 0], [5, 0]]]
    >>> res = cmh(rabbits, correction=True)
    >>> print(round(res.statistic, 4), round(res.pvalue, 5))
    3.9286 0.04747
    >>> odds = res.common_odds_ratio
    >>> print(odds.value, round(odds.lower, 6), round(odds.upper, 6))
    7.0 1.026713 47.725133

    The exact test, ``mantelhaen.test(Rabbits, exact = TRUE)``: S = 16, p-value =
    0.0399449, common odds ratio 10.36102 (R's loose root search: 10.36102408):

    >>> res = cmh(rabbits, method="exact")
    >>> print(res.method, res.statistic, round(res.pvalue, 7))
    exact-conditional 16.0 0.0399449
    >>> print(round(res.common_odds_ratio.value, 4))
    10.361
    """
    counts, n_missing = _table_counts(stratified, "stratified", ndim=3)
    how = as_option(method, "method", _CMH_METHODS)
    side = as_alternative(alternative)
    level = as_confidence_level(confidence_level)
    _check_cmh_options(counts.shape, correction, how, side)
    labels = _strata_labels(stratified, counts.shape[0])
    keep = counts.sum(axis=(1, 2)) >= 2
    if not keep.any():
        raise InsufficientDataError(
            "every stratum has fewer than 2 observations, so the test is undefined. "
            "Hint: merge small strata.",
            argument="stratified",
        )
    skipped = tuple(label for label, kept in zip(labels, keep, strict=True) if not kept)
    t = counts[keep].astype(np.float64)
    t.flags.writeable = False  # shared with the estimate, which may recompute from it
    common: dict[str, Any] = {
        "n": int(counts.sum()),
        "n_excluded": n_missing,
        "exclusions": _exclusions(n_missing),
        "skipped_strata": skipped,
        "requested": how,
        "alternative": side,
        "correction": bool(correction),
    }
    caveats = [_SKIP_NOTE] if skipped else []
    if how == "exact":
        return _exact_conditional(counts[keep], t, side, level, caveats, common)
    if counts.shape[1:] == (2, 2):
        return _mantel_haenszel(t, side, level, caveats, common)
    return _general_association(t, caveats, common)


def _check_cmh_options(
    shape: tuple[int, ...], correction: object, method: CMHMethod, alternative: Alternative
) -> None:
    if not isinstance(correction, (bool, np.bool_)):
        raise fail("correction", "be True or False", repr(correction))
    n_strata, n_rows, n_cols = shape
    if n_rows < 2 or n_cols < 2 or n_strata < 1:
        raise fail(
            "stratified",
            "have shape (strata, rows, cols) with at least 1 stratum, 2 rows and 2 columns",
            f"an array of shape {shape}",
            hint="stack one rows x cols table per stratum along the first axis.",
        )
    larger = (n_rows, n_cols) != (2, 2)
    for name, asked, what in (
        ("correction", bool(correction), "True"),
        ("method", method == "exact", "'exact'"),
        ("alternative", alternative != "two-sided", repr(alternative)),
    ):
        if asked and larger:
            raise fail(
                name,
                f"not be {what} for tables larger than 2 x 2 x K (it applies to 2 x 2 x K only)",
                f"{what} with strata of shape {n_rows} x {n_cols}",
                hint="collapse the table to 2 x 2 strata, or use the defaults.",
            )
    if correction and method == "exact":
        raise fail(
            "correction",
            "be False with method='exact' (the exact test needs no continuity correction)",
            "True",
        )


def _mantel_haenszel(
    t: NDArray[np.float64],
    alternative: Alternative,
    level: float,
    caveats: list[str],
    common: dict[str, Any],
) -> CMHResult:
    statistic, delta, variance, applied = _mh_statistic(t, common["correction"])
    odds = _mh_odds_ratio(t, alternative, level)
    homogeneity, reason = _breslow_day(t, odds.value)
    details: dict[str, Any] = {
        "strata_used": int(t.shape[0]),
        "variance": variance,
        "continuity_correction_applied": applied,
    }
    if alternative == "two-sided":
        pvalue = chi2_sf(statistic, 1)
    else:
        z = math.copysign(math.sqrt(statistic), delta)
        pvalue = normal_pvalue(z, alternative)
        details["z"] = z
    return CMHResult(
        statistic=statistic,
        pvalue=pvalue,
        dof=1,
        method="mantel-haenszel",
        reason="a 2 x 2 x K table: the Mantel-Haenszel test",
        caveats=(*caveats, reason) if reason else tuple(caveats),
        details=details,
        common_odds_ratio=odds,
        homogeneity=homogeneity,
        **common,
    )


def _exact_conditional(  # noqa: PLR0917  # internal: the tables, then the options
    counts: NDArray[np.int64],
    t: NDArray[np.float64],
    alternative: Alternative,
    level: float,
    caveats: list[str],
    common: dict[str, Any],
) -> CMHResult:
    law = ConditionalLaw(counts)
    if law.degenerate:
        raise _no_information()
    homogeneity, reason = _breslow_day(t, _mh_odds_ratio(t, "two-sided", level).value)
    return CMHResult(
        statistic=float(law.observed),
        pvalue=law.pvalue(alternative),
        dof=None,
        method="exact-conditional",
        caveats=(*caveats, reason) if reason else tuple(caveats),
        details={"strata_used": int(t.shape[0]), "support": (law.low, law.high)},
        common_odds_ratio=_exact_odds_ratio(law, alternative, level),
        homogeneity=homogeneity,
        **common,
    )


def _general_association(
    t: NDArray[np.float64], caveats: list[str], common: dict[str, Any]
) -> CMHResult:
    statistic, dof = _generalized_cmh(t)
    full = (t.shape[1] - 1) * (t.shape[2] - 1)
    if dof < full:
        note = (
            f"the covariance matrix has rank {dof}, less than (r-1)(c-1) = {full} (empty "
            "or degenerate categories); a generalised inverse was used and dof is its rank"
        )
        caveats = [*caveats, note]
    return CMHResult(
        statistic=statistic,
        pvalue=chi2_sf(statistic, dof),
        dof=dof,
        method="generalized-cmh",
        reason="strata larger than 2 x 2: the generalised CMH test of general association",
        caveats=tuple(caveats),
        details={"strata_used": int(t.shape[0])},
        **common,
    )


def _as_scores(value: object, size: int) -> NDArray[np.float64]:
    if value is None:
        return np.arange(1, size + 1, dtype=np.float64)
    array = as_array(value, "scores")
    if array.ndim != 1 or array.size != size:
        raise fail(
            "scores",
            f"hold one number per group ({size})",
            f"an array of shape {array.shape}",
        )
    if array.dtype.kind not in "iuf":
        raise fail("scores", "hold numbers", f"an array of dtype {array.dtype}")
    scores = array.astype(np.float64)
    bad = ~np.isfinite(scores)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise fail(
            "scores",
            "hold finite numbers",
            f"{float(scores[first])!r} at index {first}",
            positions=(first,),
        )
    return scores


def trend(
    table: object, *, scores: object = None, alternative: Alternative = "two-sided"
) -> TrendResult:
    r"""Cochran-Armitage test for a trend in proportions over ordered groups.

    Parameters
    ----------
    table : ContingencyTable or array-like
        Counts of shape ``(groups, 2)``: one row per ordered group (e.g. age bands, in
        order); column 0 is the number with the outcome, column 1 the number without.
    scores : array-like, optional
        One number per group (row); default ``1, 2, ..., groups``, as R.
    alternative : {"two-sided", "less", "greater"}
        ``"greater"``: the proportion increases with the score; ``"less"``: it
        decreases; ``"two-sided"`` (default, R's ``prop.trend.test``): either.

    Returns
    -------
    TrendResult
        ``statistic`` (chi-squared, 1 degree of freedom, whatever the alternative),
        ``pvalue``, ``dof`` = 1, ``method`` = ``"cochran-armitage"``, ``n``,
        ``alternative``, ``details["z"]`` (the signed statistic), ``scores``,
        ``proportions`` and the
        weighted least-squares ``slope`` of proportion on score (its sign is the
        direction of the trend). Empty groups are left out and listed in
        ``details["empty_groups"]``.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, the table does not have 2
        columns and at least 2 rows, `scores` is not one finite number per group, or
        `alternative` is unknown.
    InsufficientDataError
        If fewer than 2 non-empty groups have distinct scores, or everyone or no one had
        the outcome.

    See Also
    --------
    cmh : association adjusted for strata.

    Notes
    -----
    With :math:`x_i` of :math:`n_i` in group :math:`i` having the outcome, scores
    :math:`s_i`, :math:`N = \sum n_i`, :math:`\bar p = \sum x_i / N` and
    :math:`\bar s = \sum n_i s_i / N` [1]_ [2]_:

    .. math::

        X^2 = \frac{\left(\sum_i x_i (s_i - \bar s)\right)^2}
        {\bar p (1 - \bar p) \sum_i n_i (s_i - \bar s)^2}.

    Variance convention: the denominator uses the binomial variance
    :math:`\bar p (1 - \bar p)`, which is what R's ``prop.trend.test`` computes (as the
    regression sum of squares of a weighted linear model). The conditional
    (hypergeometric) variance, used by Mantel's extension test and by the CMH
    correlation statistic, is larger by :math:`N / (N - 1)`; multiply ``statistic`` by
    :math:`(N - 1) / N` to obtain that version.

    One-sided tests (R offers none) refer
    :math:`z = \operatorname{sign}(T) \sqrt{X^2}`, :math:`T = \sum_i x_i (s_i - \bar s)`,
    to the standard normal: the upper tail for ``"greater"``, the lower for ``"less"``.
    Two-sided, the p-value is the chi-squared tail of :math:`X^2 = z^2`.

    References
    ----------
    .. [1] Armitage, P. (1955). Tests for linear trends in proportions and frequencies.
       Biometrics 11(3), 375-386.
    .. [2] Agresti, A. (2002). Categorical Data Analysis, 2nd ed. Wiley (the
       Cochran-Armitage trend test, chapter 5).

    Examples
    --------
    R's example, ``prop.trend.test(smokers, patients)`` with
    ``smokers <- c(83, 90, 129, 70)`` and ``patients <- c(86, 93, 136, 82)``: X-squared
    = 8.2249, df = 1, p-value = 0.004132.

    >>> from ipsstats import trend
    >>> smokers, patients = [83, 90, 129, 70], [86, 93, 136, 82]
    >>> res = trend([[s, p - s] for s, p in zip(smokers, patients)])
    >>> print(round(res.statistic, 4), res.dof, round(res.pvalue, 6))
    8.2249 1.0 0.004132
    """
    counts, n_missing = _table_counts(table, "table", ndim=2)
    if counts.shape[1] != 2 or counts.shape[0] < 2:
        hint = (
            "transpose it: groups go in rows, (outcome, no outcome) in columns."
            if counts.shape[0] == 2
            else "put one ordered group per row and (outcome, no outcome) in the columns."
        )
        raise fail(
            "table",
            "have shape (groups, 2) with at least 2 groups",
            f"an array of shape {counts.shape}",
            hint=hint,
        )
    score = _as_scores(scores, counts.shape[0])
    side = as_alternative(alternative)
    sizes = counts.sum(axis=1).astype(np.float64)
    events = counts[:, 0].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportions = np.where(sizes > 0, events / sizes, np.nan)
    used = sizes > 0
    n_used, x_used, s_used = sizes[used], events[used], score[used]
    total = float(n_used.sum())
    if np.unique(s_used).size < 2:
        raise InsufficientDataError(
            "fewer than 2 non-empty groups with distinct scores, so there is no trend to "
            "test. Hint: check the table and the scores."
        )
    p_bar = float(x_used.sum()) / total
    if p_bar in (0.0, 1.0):
        raise InsufficientDataError(
            "everyone or no one had the outcome, so the trend test is undefined."
        )
    centred = s_used - float(n_used @ s_used) / total
    t_stat = float(x_used @ centred)
    spread = float(n_used @ centred**2)
    statistic = t_stat**2 / (p_bar * (1 - p_bar) * spread)
    empty = tuple(int(i) for i in np.flatnonzero(~used))
    z = math.copysign(math.sqrt(statistic), t_stat)
    return TrendResult(
        statistic=statistic,
        pvalue=chi2_sf(statistic, 1) if side == "two-sided" else normal_pvalue(z, side),
        dof=1,
        method="cochran-armitage",
        n=int(counts.sum()),
        n_excluded=n_missing,
        exclusions=_exclusions(n_missing),
        details={
            "variance": "binomial p(1-p), as R's prop.trend.test",
            "empty_groups": empty,
            "z": z,
        },
        alternative=side,
        scores=score,
        proportions=proportions,
        slope=t_stat / spread,
    )
