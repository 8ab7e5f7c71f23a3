"""Two-group comparisons of a 2 x 2 table: risk difference, risk ratio and odds ratio.

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
undefined, the limits are ``None`` and ``note`` says why; pass ``zero_cell_correction=0.5``
to add 0.5 to every cell (Haldane-Anscombe) instead, which is recorded on the result. (This
is not a continuity correction: in ipsstats ``correction`` always means one, so the 0.1
keyword ``correction=`` of these functions is deprecated.)
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Literal, overload

import attrs
import numpy as np

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats._deprecation import renamed_keywords
from ipsstats.categorical._binomial import two_by_two, wilson_limits
from ipsstats.categorical._common import critical_z
from ipsstats.categorical._conditional import ConditionalLaw, ConditionalOddsRatio
from ipsstats.results import Estimate

__all__ = [
    "ComparisonEstimate",
    "OddsRatioMethod",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
]

OddsRatioMethod = Literal["woolf", "conditional"]
_ODDS_RATIO_METHODS: tuple[OddsRatioMethod, ...] = ("woolf", "conditional")


@attrs.frozen(kw_only=True, init=False)
class ComparisonEstimate(Estimate):
    """An estimate comparing two groups of a 2 x 2 table, with its interval.

    Has every field of :class:`~ipsstats.results.Estimate` plus the zero-cell correction
    applied.

    Parameters
    ----------
    zero_cell_correction : float
        The amount added to every cell because of a zero cell (see the module notes): 0
        when the table was used as given. The 0.1 name ``correction`` is accepted, and
        readable as an attribute, with a :class:`DeprecationWarning`.

    Examples
    --------
    >>> from ipsstats import risk_ratio
    >>> est = risk_ratio(0, 20, 5, 20, zero_cell_correction=0.5)
    >>> est.zero_cell_correction
    0.5
    """

    zero_cell_correction: float = attrs.field(default=0.0, converter=float)

    @renamed_keywords(correction="zero_cell_correction")
    def __init__(self, **fields: Any) -> None:
        self.__attrs_init__(**fields)

    @property
    def correction(self) -> float:
        """Deprecated name of :attr:`zero_cell_correction`."""
        warnings.warn(
            "`ComparisonEstimate.correction` is deprecated since ipsstats 0.2; use "
            "`zero_cell_correction` (in ipsstats `correction` means a continuity correction).",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.zero_cell_correction


def _as_zero_cell_correction(value: object) -> float:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not math.isfinite(float(value))
        or float(value) < 0
    ):
        raise fail(
            "zero_cell_correction",
            "be a finite number >= 0 (the amount added to every cell when a cell is zero)",
            repr(value),
            hint="0.5 is the usual Haldane-Anscombe choice; 0 uses the table as given.",
        )
    return float(value)


@overload
def risk_difference(table: object, /, *, confidence_level: float = ...) -> ComparisonEstimate: ...


@overload
def risk_difference(
    k1: int, n1: int, k2: int, n2: int, /, *, confidence_level: float = ...
) -> ComparisonEstimate: ...


@renamed_keywords(conf_level="confidence_level")
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
        Coverage of the interval, strictly between 0 and 1 (old spelling ``conf_level``
        accepted with a :class:`DeprecationWarning`).

    Returns
    -------
    ComparisonEstimate
        ``value`` is :math:`\hat p_1 - \hat p_2`; ``lower``, ``upper`` the limits;
        ``method`` is ``"newcombe-hybrid-score"``; ``zero_cell_correction`` is always 0 (no
        cell is ever adjusted: the interval is defined for zero cells).
        ``confidence_interval(level)`` recomputes the interval at another level.

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
    proportion_test : R's ``prop.test``, with one-sided alternatives.

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
    k1, n1, k2, n2 = two_by_two(counts)
    level = as_confidence_level(confidence_level)
    return _risk_difference(k1, n1, k2, n2, level)


def _risk_difference(k1: int, n1: int, k2: int, n2: int, level: float) -> ComparisonEstimate:
    z = critical_z(level)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_limits(k1, n1, z)
    l2, u2 = wilson_limits(k2, n2, z)
    diff = p1 - p2
    return ComparisonEstimate(
        value=diff,
        lower=diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        upper=diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        confidence_level=level,
        method="newcombe-hybrid-score",
        at_level=functools.partial(_risk_difference, k1, n1, k2, n2),
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    """Divide, with x/0 = inf for x > 0 and 0/0 undefined (None)."""
    if denominator == 0:
        return math.inf if numerator > 0 else None
    return numerator / denominator


def _log_scale_limits(value: float, variance: float, level: float) -> tuple[float, float]:
    """Limits of a ratio from the variance of its logarithm."""
    half = critical_z(level) * math.sqrt(variance)
    log_value = math.log(value)
    return math.exp(log_value - half), math.exp(log_value + half)


@overload
def risk_ratio(
    table: object, /, *, confidence_level: float = ..., zero_cell_correction: float = ...
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
    zero_cell_correction: float = ...,
) -> ComparisonEstimate: ...


@renamed_keywords(conf_level="confidence_level", correction="zero_cell_correction")
def risk_ratio(
    *counts: object, confidence_level: float = 0.95, zero_cell_correction: float = 0.0
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
        Coverage of the interval, strictly between 0 and 1 (old spelling ``conf_level``
        accepted with a :class:`DeprecationWarning`).
    zero_cell_correction : float
        Amount added to every cell when `k1` or `k2` is zero (0.5 is the usual choice);
        the default 0 never changes the table. The 0.1 name ``correction`` is accepted
        with a :class:`DeprecationWarning`.

    Returns
    -------
    ComparisonEstimate
        ``value`` is the risk ratio; ``lower``, ``upper`` the limits; ``std_err`` the
        standard error of its logarithm; ``method`` is ``"katz-log"``;
        ``zero_cell_correction`` the amount actually added (0 when no cell needed it).
        Without a zero-cell correction, when
        `k1` or `k2` is zero the limits are ``None`` and ``note`` says why; ``value`` is
        0 or ``inf`` where the sample ratio is, and ``None`` when both are zero.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, `zero_cell_correction` is negative, or `confidence_level` is not
        strictly between 0 and 1.
    InsufficientDataError
        If a group has no observations.

    Notes
    -----
    Katz et al. [1]_: with :math:`\widehat{RR} = (k_1 / n_1) / (k_2 / n_2)`,

    .. math::

        \widehat{RR} \exp\left(\pm z \sqrt{\frac{1}{k_1} - \frac{1}{n_1} +
        \frac{1}{k_2} - \frac{1}{n_2}}\right).

    With ``zero_cell_correction=c`` and a zero `k`, every cell gains :math:`c`, i.e.
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
    k1, n1, k2, n2 = two_by_two(counts)
    level = as_confidence_level(confidence_level)
    amount = _as_zero_cell_correction(zero_cell_correction)
    return _risk_ratio(k1, n1, k2, n2, amount, level)


def _risk_ratio(  # noqa: PLR0917  # internal: validated counts, then the options
    k1: int, n1: int, k2: int, n2: int, amount: float, level: float
) -> ComparisonEstimate:
    at_level = functools.partial(_risk_ratio, k1, n1, k2, n2, amount)
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
                "zero_cell_correction=0.5 to add 0.5 to every cell"
            ),
            at_level=at_level,
        )
    variance = 1 / a - 1 / n1_ + 1 / c - 1 / n2_
    value = (a / n1_) / (c / n2_)
    lower, upper = _log_scale_limits(value, variance, level)
    return ComparisonEstimate(
        value=value,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="katz-log",
        std_err=math.sqrt(variance),
        zero_cell_correction=applied,
        note=f"{applied:g} added to every cell (zero events)" if applied else "",
        at_level=at_level,
    )


@overload
def odds_ratio(
    table: object,
    /,
    *,
    method: OddsRatioMethod = ...,
    confidence_level: float = ...,
    zero_cell_correction: float = ...,
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
    zero_cell_correction: float = ...,
) -> ComparisonEstimate: ...


@renamed_keywords(conf_level="confidence_level", correction="zero_cell_correction")
def odds_ratio(
    *counts: object,
    method: OddsRatioMethod = "woolf",
    confidence_level: float = 0.95,
    zero_cell_correction: float = 0.0,
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
        Coverage of the interval, strictly between 0 and 1 (old spelling ``conf_level``
        accepted with a :class:`DeprecationWarning`).
    zero_cell_correction : float
        ``"woolf"`` only: amount added to every cell when a cell is zero (0.5 is the
        usual choice); the default 0 never changes the table. The 0.1 name
        ``correction`` is accepted with a :class:`DeprecationWarning`.

    Returns
    -------
    ComparisonEstimate
        ``value``, ``lower``, ``upper``; ``method`` (``"woolf"`` or ``"conditional"``);
        ``std_err`` the standard error of the log odds ratio (``"woolf"``);
        ``zero_cell_correction`` the amount actually added. An exact limit may be 0 or ``inf``
        (the interval is unbounded on that side). Woolf limits for a table with a zero
        cell, and any value that is undefined, are ``None``, with the reason in
        ``note``.

    Raises
    ------
    InvalidInputError
        If the counts are not non-negative whole numbers, a `k` exceeds its `n`, the
        table is not 2 x 2, `method` is unknown, `zero_cell_correction` is negative or used with
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
    estimate and the corresponding limit are 0 or infinity. This is the one-table case
    of the exact conditional inference of :func:`cmh` with ``method="exact"``.

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
    k1, n1, k2, n2 = two_by_two(counts)
    method_ = as_option(method, "method", _ODDS_RATIO_METHODS)
    level = as_confidence_level(confidence_level)
    amount = _as_zero_cell_correction(zero_cell_correction)
    cells = (k1, n1 - k1, k2, n2 - k2)
    if method_ == "conditional":
        if amount:
            raise fail(
                "zero_cell_correction",
                "be 0 with method='conditional' (the exact interval needs no correction)",
                repr(zero_cell_correction),
            )
        return _conditional_odds_ratio(cells, level)
    return _woolf_odds_ratio(cells, amount, level)


def _woolf_odds_ratio(
    table: tuple[int, int, int, int], amount: float, level: float
) -> ComparisonEstimate:
    at_level = functools.partial(_woolf_odds_ratio, table, amount)
    a, b, c, d = table
    applied = amount if min(a, b, c, d) == 0 else 0.0
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
                "zero_cell_correction=0.5 to add 0.5 to every cell, or use "
                "method='conditional'"
            ),
            at_level=at_level,
        )
    a_, b_, c_, d_ = cells
    variance = 1 / a_ + 1 / b_ + 1 / c_ + 1 / d_
    value = (a_ * d_) / (b_ * c_)
    lower, upper = _log_scale_limits(value, variance, level)
    return ComparisonEstimate(
        value=value,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="woolf",
        std_err=math.sqrt(variance),
        zero_cell_correction=applied,
        note=f"{applied:g} added to every cell (zero cell)" if applied else "",
        at_level=at_level,
    )


def _conditional_odds_ratio(cells: tuple[int, int, int, int], level: float) -> ComparisonEstimate:
    at_level = functools.partial(_conditional_odds_ratio, cells)
    law = ConditionalLaw(np.array(cells, dtype=np.int64).reshape(1, 2, 2))
    if law.degenerate:
        return ComparisonEstimate(
            value=None,
            lower=0.0,
            upper=math.inf,
            confidence_level=level,
            method="conditional",
            note="a row or column total is zero, so the conditional odds ratio is undefined",
            at_level=at_level,
        )
    solver = ConditionalOddsRatio(law)
    lower, upper = solver.interval(level, "two-sided")
    return ComparisonEstimate(
        value=solver.estimate(),
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="conditional",
        at_level=at_level,
    )
