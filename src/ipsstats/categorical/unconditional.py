r"""Exact unconditional tests of two proportions: Barnard's and Boschloo's.

Both compare the proportions with an outcome in two independent groups of fixed sizes
(the rows of a 2 x 2 table) without conditioning on the number with the outcome, as
Fisher's test does. The p-value is the largest, over the unknown common proportion
:math:`\\pi`, of the probability of the tables at least as extreme as the one observed.
The computation is scipy's (:func:`scipy.stats.barnard_exact` and
:func:`scipy.stats.boschloo_exact`); ipsstats validates the input, orients the table as
its other two-group functions do (rows are the groups, column 0 the outcome) and records
what ran.
"""

from __future__ import annotations

from typing import Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail, float_array, int_array
from ipsstats.categorical._binomial import as_bool, two_by_two
from ipsstats.categorical._common import Alternative, as_alternative
from ipsstats.results import TestResult

__all__ = ["UnconditionalResult", "barnard", "boschloo"]

UnconditionalMethod = Literal["barnard", "boschloo"]


@attrs.frozen(kw_only=True, eq=False)
class UnconditionalResult(TestResult):
    """Result of :func:`barnard` and :func:`boschloo`.

    Parameters
    ----------
    observed : numpy.ndarray
        The 2 x 2 table tested (rows: groups; columns: outcome, no outcome), read-only.
    proportions : numpy.ndarray
        The proportion with the outcome in each group (read-only).
    alternative : str
        ``"two-sided"``, ``"less"`` (group 1's proportion is smaller) or ``"greater"``.

    Notes
    -----
    ``statistic`` is the Wald statistic of the difference of proportions (Barnard) or
    Fisher's one-sided p-value (Boschloo); ``dof`` is ``None``. ``details`` holds
    ``sampling_points`` (points of the nuisance-parameter search) and, for Barnard,
    ``pooled``.
    """

    observed: NDArray[np.int64] = attrs.field(converter=int_array)
    proportions: NDArray[np.float64] = attrs.field(converter=float_array)
    alternative: str


def _as_sampling_points(value: object) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise fail("sampling_points", "be a positive whole number", repr(value))
    if not 1 <= value <= 2**16:
        raise fail(
            "sampling_points",
            "be from 1 to 65536",
            repr(value),
            hint="scipy's default of 32 is enough in most cases.",
        )
    return int(value)


def _table(counts: tuple[object, ...]) -> NDArray[np.int64]:
    """Return the validated 2 x 2 table of ``(table,)`` or ``(k1, n1, k2, n2)``."""
    k1, n1, k2, n2 = two_by_two(counts)
    return np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=np.int64)


def _run(
    method: UnconditionalMethod,
    counts: tuple[object, ...],
    alternative: object,
    sampling_points: object,
    pooled: bool,
) -> UnconditionalResult:
    from scipy import stats  # noqa: PLC0415  # scipy.stats is slow to import; needed here only

    table = _table(counts)
    side: Alternative = as_alternative(alternative)
    points = _as_sampling_points(sampling_points)
    sizes = table.sum(axis=1)
    # scipy puts the two groups in the columns, with the outcome in row 0
    if method == "barnard":
        found = stats.barnard_exact(table.T, alternative=side, pooled=pooled, n=points)
        details = {"sampling_points": points, "pooled": pooled}
    else:
        found = stats.boschloo_exact(table.T, alternative=side, n=points)
        details = {"sampling_points": points}
    # both groups are non-empty (checked above), so scipy returns numbers, not NaN
    statistic, pvalue = float(found.statistic), float(found.pvalue)
    return UnconditionalResult(
        statistic=statistic,
        pvalue=pvalue,
        dof=None,
        method=method,
        n=int(sizes.sum()),
        details=details,
        observed=table,
        proportions=table[:, 0] / sizes,
        alternative=side,
    )


def barnard(
    *counts: object,
    alternative: Alternative = "two-sided",
    pooled: bool = True,
    sampling_points: int = 32,
) -> UnconditionalResult:
    r"""Barnard's exact unconditional test that two proportions are equal.

    Call as ``barnard(table)`` with a 2 x 2 table (rows: group 1, group 2; columns:
    outcome, no outcome) or ``barnard(k1, n1, k2, n2)``.

    Parameters
    ----------
    *counts : table or (k1, n1, k2, n2)
        A 2 x 2 table (array-like or :class:`~ipsstats.ContingencyTable`), or the number
        with the outcome and the size of group 1, then of group 2.
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: group 1's proportion :math:`p_1` is smaller than :math:`p_2`;
        ``"greater"``: larger; ``"two-sided"``: different.
    pooled : bool
        Standardise the difference with the pooled variance (the score statistic, the
        default) or the unpooled one (the Wald statistic).
    sampling_points : int
        Points of the search over the nuisance parameter, rounded up to a power of 2 by
        scipy (default 32).

    Returns
    -------
    UnconditionalResult
        ``statistic`` (the standardised difference :math:`T`), ``pvalue``, ``dof`` =
        ``None``, ``method`` = ``"barnard"``, ``n``, ``observed``, ``proportions``,
        ``alternative`` and ``details``.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, `alternative` is unknown, `pooled` is not a bool or
        `sampling_points` is not a whole number from 1 to 65536.
    InsufficientDataError
        If a group has no observations.

    See Also
    --------
    boschloo : uses Fisher's p-value as the statistic; uniformly more powerful than
        Fisher's test.
    independence : with ``method="exact"``, Fisher's (conditional) test.
    proportion_test : the asymptotic test.

    Notes
    -----
    With :math:`\hat p_i = x_i / n_i` and :math:`\hat p = (x_1 + x_2)/(n_1 + n_2)`,

    .. math::

        T = \frac{\hat p_1 - \hat p_2}{\sqrt{\hat p (1 - \hat p)(1/n_1 + 1/n_2)}}

    (pooled; unpooled: :math:`\sqrt{\hat p_1 (1 - \hat p_1)/n_1 +
    \hat p_2 (1 - \hat p_2)/n_2}`), and the p-value [1]_ [2]_

    .. math::

        \max_{0 \le \pi \le 1} \sum_{(y_1, y_2):\, T(y) \text{ as extreme}}
        \binom{n_1}{y_1} \binom{n_2}{y_2} \pi^{y_1 + y_2} (1 - \pi)^{n_1 + n_2 - y_1 - y_2},

    "as extreme" meaning :math:`T(y) \le T(x)` (less), :math:`\ge T(x)` (greater) or
    :math:`|T(y)| \ge |T(x)|` (two-sided). scipy searches :math:`\pi` from
    `sampling_points` starting points. Tables where :math:`\hat p_1 = \hat p_2` have
    :math:`T = 0`.

    References
    ----------
    .. [1] Barnard, G. A. (1947). Significance tests for 2 x 2 tables. Biometrika 34,
       123-138.
    .. [2] Mehta, C. R. and Senchaudhuri, P. (2003). Conditional versus unconditional
       exact tests for comparing two binomials. Cytel Software Corporation.

    Examples
    --------
    The vaccine trial of reference [2]_: 7 of 15 vaccinated and 12 of 15 given a placebo
    were infected; the one-sided p-value is 0.0341 (Fisher's: 0.0641):

    >>> from ipsstats import barnard
    >>> res = barnard(7, 15, 12, 15, alternative="less")
    >>> print(round(res.statistic, 3), round(res.pvalue, 4))
    -1.894 0.0341
    """
    return _run("barnard", counts, alternative, sampling_points, as_bool(pooled, "pooled"))


def boschloo(
    *counts: object,
    alternative: Alternative = "two-sided",
    sampling_points: int = 32,
) -> UnconditionalResult:
    r"""Boschloo's exact unconditional test that two proportions are equal.

    Call as ``boschloo(table)`` with a 2 x 2 table (rows: group 1, group 2; columns:
    outcome, no outcome) or ``boschloo(k1, n1, k2, n2)``.

    Parameters
    ----------
    *counts : table or (k1, n1, k2, n2)
        A 2 x 2 table (array-like or :class:`~ipsstats.ContingencyTable`), or the number
        with the outcome and the size of group 1, then of group 2.
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: group 1's proportion :math:`p_1` is smaller than :math:`p_2`;
        ``"greater"``: larger; ``"two-sided"``: different.
    sampling_points : int
        Points of the search over the nuisance parameter, rounded up to a power of 2 by
        scipy (default 32).

    Returns
    -------
    UnconditionalResult
        ``statistic`` (Fisher's p-value of the table, the test statistic), ``pvalue``,
        ``dof`` = ``None``, ``method`` = ``"boschloo"``, ``n``, ``observed``,
        ``proportions``, ``alternative`` and ``details``.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, `alternative` is unknown or `sampling_points` is not a whole
        number from 1 to 65536.
    InsufficientDataError
        If a group has no observations.

    See Also
    --------
    barnard : the standardised difference as the statistic.

    Notes
    -----
    The statistic is Fisher's one-sided p-value :math:`F(x)` (the hypergeometric tail in
    the direction of the alternative), and the p-value [1]_ is

    .. math::

        \max_{0 \le \pi \le 1} \sum_{(y_1, y_2):\, F(y) \le F(x)}
        \binom{n_1}{y_1} \binom{n_2}{y_2} \pi^{y_1 + y_2} (1 - \pi)^{n_1 + n_2 - y_1 - y_2}.

    Two-sided, it is twice the smaller one-sided p-value (capped at 1), scipy's
    convention; the two-sided ``statistic`` is then twice the smaller of Fisher's
    one-sided p-values, which can differ from Fisher's two-sided p-value.

    References
    ----------
    .. [1] Boschloo, R. D. (1970). Raised conditional level of significance for the
       2 x 2-table when testing the equality of two probabilities. Statistica
       Neerlandica 24(1), 1-9.

    Examples
    --------
    Very satisfied with their jobs: 74 of 117 college professors and 31 of 63 scientists
    (the example of scipy's ``boschloo_exact``):

    >>> from ipsstats import boschloo
    >>> res = boschloo(74, 117, 31, 63, alternative="greater")
    >>> print(round(res.statistic, 4), round(res.pvalue, 4))
    0.0483 0.0356
    """
    return _run("boschloo", counts, alternative, sampling_points, pooled=False)
