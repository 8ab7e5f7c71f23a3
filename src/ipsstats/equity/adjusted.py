"""Group comparisons adjusted for age, gender or other strata (Mantel-Haenszel).

:func:`mantel_haenszel_comparison` compares each group's outcome with a reference group
within strata: the Mantel-Haenszel risk ratio and risk difference, beside the crude ones.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, fail
from ipsstats._deprecation import renamed_keywords
from ipsstats.categorical import proportion, risk_difference, risk_ratio
from ipsstats.equity._common import _str_tuple, _undefined
from ipsstats.equity._limits import z_value
from ipsstats.equity._strata import (
    as_labels_for,
    as_table,
    reference_index,
    same_shape,
)
from ipsstats.equity.standardise import (
    _estimate_text,
    _table_lines,
    _tuple,
)
from ipsstats.errors import InsufficientDataError
from ipsstats.results import Estimate, ToDict

__all__ = ["AdjustedComparison", "AdjustedGroup", "mantel_haenszel_comparison"]


# --------------------------------------------------------------------------------------
# Mantel-Haenszel risk ratio and risk difference
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AdjustedGroup(ToDict):
    """One group's outcome, compared with the reference group crude and within strata.

    Parameters
    ----------
    group : object
        The group's label.
    events, n : int
        People with the outcome, and people, summed over strata.
    rate : Estimate
        ``events / n`` with its Wilson interval.
    risk_ratio, risk_difference : Estimate or None
        The Mantel-Haenszel risk ratio (Greenland-Robins interval) and risk difference
        (Sato's interval) against the reference group, adjusted for the strata; ``None``
        for the reference group.
    crude_risk_ratio, crude_risk_difference : Estimate or None
        The same comparisons ignoring the strata (Katz and Newcombe intervals).
    """

    group: object
    events: int
    n: int
    rate: Estimate
    risk_ratio: Estimate | None
    risk_difference: Estimate | None
    crude_risk_ratio: Estimate | None
    crude_risk_difference: Estimate | None


@attrs.frozen(kw_only=True)
class AdjustedComparison(ToDict):
    """Result of :func:`mantel_haenszel_comparison`.

    Parameters
    ----------
    reference : object
        The reference group.
    confidence_level : float
        Coverage of every interval.
    strata : tuple
        The stratum labels.
    groups : tuple of AdjustedGroup
        One row per group, the reference included.
    name : str or None
        The grouping variable, when known.
    strata_names : tuple of str
        The stratifying variables, when known.
    caveats : tuple of str
        Anything a reader must know, in words.
    """

    reference: object
    confidence_level: float
    strata: tuple[object, ...] = attrs.field(converter=_tuple)
    groups: tuple[AdjustedGroup, ...]
    name: str | None = None
    strata_names: tuple[str, ...] = ()
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def to_text(self) -> str:
        """Render as a plain-text table: crude and adjusted ratio and difference."""
        rows = [("group", "events/n", "RR (crude)", "RR (MH)", "RD (crude)", "RD (MH)")]
        for g in self.groups:
            if g.risk_ratio is None:
                rows.append((str(g.group), f"{g.events}/{g.n}", "reference", "", "", ""))
                continue
            rows.append(
                (
                    str(g.group),
                    f"{g.events}/{g.n}",
                    _estimate_text(g.crude_risk_ratio or g.risk_ratio),
                    _estimate_text(g.risk_ratio),
                    _estimate_text(g.crude_risk_difference or g.risk_ratio),
                    _estimate_text(g.risk_difference or g.risk_ratio),
                )
            )
        by = ", ".join(self.strata_names) or f"{len(self.strata)} strata"
        lines = [f"Mantel-Haenszel comparisons with {self.reference!r} (adjusted for {by})"]
        lines += _table_lines(rows)
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _mh_ratio(
    a: NDArray[np.float64],
    n1: NDArray[np.float64],
    c: NDArray[np.float64],
    n0: NDArray[np.float64],
    level: float,
) -> Estimate:
    """Mantel-Haenszel risk ratio with the Greenland-Robins variance of its log."""
    method = "mantel-haenszel"
    total = n1 + n0
    safe = np.where(total > 0, total, 1.0)
    r = float(np.sum(a * n0 / safe))
    s = float(np.sum(c * n1 / safe))
    again = functools.partial(_mh_ratio, a, n1, c, n0)
    if not np.any((n1 > 0) & (n0 > 0)):
        return _undefined(method, "no stratum holds both groups")
    if s == 0:
        return _undefined(method, "no events in the reference group within shared strata")
    value = r / s
    if r == 0:
        return Estimate(
            value=0.0,
            lower=None,
            upper=None,
            confidence_level=level,
            method=method,
            note="no events in the group within shared strata: the log-scale interval is "
            "undefined",
            at_level=again,
        )
    var = float(np.sum(((a + c) * n1 * n0 - a * c * safe) / (safe * safe))) / (r * s)
    se = math.sqrt(max(var, 0.0))
    z = z_value(level)
    return Estimate(
        value=value,
        lower=value * math.exp(-z * se),
        upper=value * math.exp(z * se),
        confidence_level=level,
        method=method,
        std_err=se,
        at_level=again,
    )


def _mh_difference(
    a: NDArray[np.float64],
    n1: NDArray[np.float64],
    c: NDArray[np.float64],
    n0: NDArray[np.float64],
    level: float,
) -> Estimate:
    """Mantel-Haenszel risk difference with Sato's variance."""
    method = "mantel-haenszel"
    total = n1 + n0
    safe = np.where(total > 0, total, 1.0)
    w = float(np.sum(n1 * n0 / safe))
    if w == 0:
        return _undefined(method, "no stratum holds both groups")
    value = float(np.sum((a * n0 - c * n1) / safe)) / w
    p = float(np.sum((n1 * n1 * c - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2.0) / (safe * safe)))
    q = float(np.sum((a * (n0 - c) + c * (n1 - a)) / (2.0 * safe)))
    se = math.sqrt(max((value * p + q) / (w * w), 0.0))
    z = z_value(level)
    return Estimate(
        value=value,
        lower=value - z * se,
        upper=value + z * se,
        confidence_level=level,
        method=method,
        std_err=se,
        at_level=functools.partial(_mh_difference, a, n1, c, n0),
    )


def _crude_group(k: int, n: int, level: float) -> Estimate:
    if n == 0:
        return _undefined("wilson", "no one in the group")
    return proportion(k, n, method="wilson", confidence_level=level)


def _comparison(
    events: NDArray[np.float64],
    totals: NDArray[np.float64],
    *,
    labels: tuple[object, ...],
    strata: tuple[object, ...],
    reference: object,
    level: float,
    **extra: Any,
) -> AdjustedComparison:
    people = totals.sum(axis=1)
    if people.sum() == 0:
        raise InsufficientDataError(
            "`totals` hold nobody, so there is nothing to compare. Hint: check the counts.",
            argument="totals",
        )
    ref = reference_index(labels, people, reference)
    c, n0 = events[ref], totals[ref]
    k_ref, n_ref = int(c.sum()), int(n0.sum())
    rows = []
    for k, label in enumerate(labels):
        k_g, n_g = int(events[k].sum()), int(people[k])
        crude_rr = crude_rd = rr = rd = None
        if k != ref:
            rr = _mh_ratio(events[k], totals[k], c, n0, level)
            rd = _mh_difference(events[k], totals[k], c, n0, level)
            if n_g == 0 or n_ref == 0:
                crude_rr = _undefined("katz-log", "a group with no one in it")
                crude_rd = _undefined("newcombe-hybrid-score", "a group with no one in it")
            else:
                crude_rr = risk_ratio(k_g, n_g, k_ref, n_ref, confidence_level=level)
                crude_rd = risk_difference(k_g, n_g, k_ref, n_ref, confidence_level=level)
        rows.append(
            AdjustedGroup(
                group=label,
                events=k_g,
                n=n_g,
                rate=_crude_group(k_g, n_g, level),
                risk_ratio=rr,
                risk_difference=rd,
                crude_risk_ratio=crude_rr,
                crude_risk_difference=crude_rd,
            )
        )
    return AdjustedComparison(
        reference=labels[ref], confidence_level=level, strata=strata, groups=tuple(rows), **extra
    )


@renamed_keywords(conf_level="confidence_level")
def mantel_haenszel_comparison(
    events: object,
    totals: object,
    *,
    groups: Sequence[object] | None = None,
    strata: Sequence[object] | None = None,
    reference: object = None,
    confidence_level: float = 0.95,
) -> AdjustedComparison:
    r"""Compare each group's outcome with a reference group, adjusted for strata.

    Parameters
    ----------
    events : array-like of int
        People with the outcome (e.g. a job), one row per group and one column per
        stratum (e.g. age band and gender).
    totals : array-like of int
        People in each group and stratum, the same shape; at least `events`.
    groups, strata : sequence, optional
        Labels of the rows and columns; default ``1, 2, ...``.
    reference : object, optional
        The group the others are compared with; default the largest.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1. (``conf_level`` is
        accepted with a deprecation warning.)

    Returns
    -------
    AdjustedComparison
        ``groups`` (per group: ``events``, ``n``, ``rate``, the Mantel-Haenszel
        ``risk_ratio`` and ``risk_difference``, and the crude ones) and the
        ``reference``.

    Raises
    ------
    InvalidInputError
        If a table is not 2-D counts, shapes differ, `events` exceed `totals`, labels
        are not one per row or column, or `reference` is not a group.
    InsufficientDataError
        If `totals` hold nobody.

    See Also
    --------
    ipsstats.cmh : the Cochran-Mantel-Haenszel test and common odds ratio.
    standardised_outcomes : the same from a cohort, with standardised rates.

    Notes
    -----
    In stratum :math:`k` the group has :math:`a_k` events among :math:`n_{1k}` people,
    the reference group :math:`c_k` among :math:`n_{0k}`, :math:`N_k = n_{1k} + n_{0k}`.
    The Mantel-Haenszel estimators [1]_ are

    .. math::

        \widehat{\text{RR}} = \frac{\sum_k a_k n_{0k} / N_k}{\sum_k c_k n_{1k} / N_k},
        \qquad
        \widehat{\text{RD}} = \frac{\sum_k (a_k n_{0k} - c_k n_{1k}) / N_k}
                                   {\sum_k n_{1k} n_{0k} / N_k},

    with the Greenland-Robins variance [1]_ of :math:`\log \widehat{\text{RR}}`,

    .. math::

        \frac{\sum_k \left((a_k + c_k) n_{1k} n_{0k} / N_k^2 - a_k c_k / N_k\right)}
             {\left(\sum_k a_k n_{0k} / N_k\right)\left(\sum_k c_k n_{1k} / N_k\right)},

    and Sato's variance [2]_ of :math:`\widehat{\text{RD}}`,
    :math:`(\widehat{\text{RD}}\, P + Q) / W^2` with :math:`W = \sum_k n_{1k} n_{0k} /
    N_k`, :math:`P = \sum_k (n_{1k}^2 c_k - n_{0k}^2 a_k + n_{1k} n_{0k} (n_{0k} -
    n_{1k}) / 2) / N_k^2` and :math:`Q = \sum_k (a_k (n_{0k} - c_k) + c_k (n_{1k} -
    a_k)) / (2 N_k)`; both are consistent with many small strata as well as few large
    ones. Strata holding only one of the two groups carry no information and drop out.
    These are R's ``epiR::epi.2by2`` ``RR.mh.wald`` and ``ARisk.mh.sato``.

    References
    ----------
    .. [1] Greenland, S. and Robins, J. M. (1985). Estimation of a common effect
       parameter from sparse follow-up data. Biometrics 41(1), 55-68.
    .. [2] Sato, T. (1989). On the variance estimator for the Mantel-Haenszel risk
       difference. Biometrics 45(4), 1323-1324.

    Examples
    --------
    Jobs by group (rows) within two age bands (columns):

    >>> res = mantel_haenszel_comparison([[20, 5], [12, 1]], [[50, 50], [20, 10]],
    ...                                  groups=["White", "Black"], strata=["<40", "40+"])
    >>> black = res.groups[1]
    >>> print(f"{black.crude_risk_ratio.value:.3f} {black.risk_ratio.value:.3f}")
    1.733 1.436
    """
    level = as_confidence_level(confidence_level)
    a = as_table(events, "events", whole=True)
    n = as_table(totals, "totals", whole=True)
    same_shape({"events": a, "totals": n})
    over = a > n
    if over.any():
        row, col = (int(i) for i in np.argwhere(over)[0])
        raise fail(
            "events",
            "be at most `totals` in every cell",
            f"{int(a[row, col])} events among {int(n[row, col])} at row {row}, column {col}",
            positions=((row, col),),
        )
    labels = as_labels_for(groups, "groups", a.shape[0])
    strata_labels = as_labels_for(strata, "strata", a.shape[1])
    return _comparison(a, n, labels=labels, strata=strata_labels, reference=reference, level=level)
