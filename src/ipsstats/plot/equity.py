"""Dot charts of equity results: representation ratios and job rates by group."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, check_same_length, fail

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
from ipsstats.plot._mpl import (
    _as_bounds,
    _as_labels,
    _as_unit_values,
    _check_source,
    _field,
    _intervals,
    _level,
    _number,
    _percent,
    _right_limit,
    _rows_axes,
)

__all__ = ["plot_outcomes", "plot_representation"]

_ACCESS = "an AccessEquity result (with `groups` of `group`, `ips_share`, ...)"
_OUTCOME = "an OutcomeEquity result (with `groups` of `group`, `n`, `jobs`, `rate`)"


def _representation_rows(
    result: object,
) -> tuple[
    list[str],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    float,
]:
    groups = tuple(_field(result, "groups", "result", _ACCESS))
    if not groups:
        raise fail("result", "hold at least one group", "a result without groups")
    labels, ips, eligible, lower, upper = [], [], [], [], []
    for group in groups:
        ratio = _field(group, "representation_ratio", "result", _ACCESS)
        share = _number(_field(group, "eligible_share", "result", _ACCESS))
        labels.append(str(_field(group, "group", "result", _ACCESS)))
        ips.append(_number(_field(group, "ips_share", "result", _ACCESS)))
        eligible.append(share)
        lower.append(_number(_field(ratio, "lower", "result", _ACCESS)) * share)
        upper.append(_number(_field(ratio, "upper", "result", _ACCESS)) * share)
    level = _level(getattr(result, "confidence_level", None))
    return (
        labels,
        np.array(ips),
        np.array(eligible),
        np.array(lower),
        np.minimum(np.array(upper), 1.0),
        level,
    )


def plot_representation(
    result: object = None,
    /,
    *,
    labels: Sequence[object] | NDArray[Any] | None = None,
    ips_share: Sequence[float] | NDArray[Any] | None = None,
    eligible_share: Sequence[float] | NDArray[Any] | None = None,
    lower: Sequence[float] | NDArray[Any] | None = None,
    upper: Sequence[float] | NDArray[Any] | None = None,
    confidence_level: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = "Share of people",
) -> Figure:
    r"""IPS users' share of each group beside the group's share of the eligible caseload.

    Give either an access result or the arrays (`labels`, `ips_share`, `eligible_share`,
    and optionally `lower` and `upper`).

    Parameters
    ----------
    result : AccessEquity, optional
        The result of :func:`ipsstats.equity.access_equity` (positional only). Read
        duck-typed: its ``groups``, each with ``group``, ``ips_share``,
        ``eligible_share`` and ``representation_ratio`` (an :class:`~ipsstats.Estimate`),
        and its ``confidence_level``.
    labels : sequence, optional
        Group labels (shown with ``str``), one per row.
    ips_share, eligible_share : array-like of float, optional
        Each group's share of IPS users and of the eligible caseload, in [0, 1].
    lower, upper : array-like of float, optional
        Confidence limits of `ips_share`, in [0, 1] and around it; NaN where undefined
        (no bar is drawn).
    confidence_level : float, optional
        Coverage of the limits, for the legend; default the result's, else 0.95.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.
    title, xlabel : str or None
        Texts of the axes (``None`` for none).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, a row per group (first at the top): an open diamond at the eligible
        share, a dot at the IPS share with its interval.

    Raises
    ------
    InvalidInputError
        If both or neither of `result` and the arrays are given; `result` lacks a
        documented field or has no groups; an array is empty, not 1-D, of another
        length, NaN (shares), outside [0, 1], or an interval does not contain its share;
        one bound is given without the other; or `ax` is not a matplotlib axes.
    OptionalDependencyError
        If matplotlib is not installed.

    See Also
    --------
    plot_outcomes : the job rate per group.

    Notes
    -----
    From a result, the interval drawn around the IPS share :math:`p_g` of group
    :math:`g` is the interval of its representation ratio
    :math:`r_g = p_g / q_g` scaled by the eligible share :math:`q_g`,

    .. math::

        (r_g^{\mathrm{lower}} q_g,\; \min(1, r_g^{\mathrm{upper}} q_g)),

    so the bar misses the diamond exactly when the ratio's interval excludes 1: the
    picture agrees with the over- and under-representation flags of the result, and
    with whichever comparison (homogeneity, goodness of fit or subset) computed it [1]_.

    References
    ----------
    .. [1] Perkins, R. et al. (2022). Equity of access to Individual Placement and
       Support: an observational study. Table 2 (shares of IPS users and of the
       eligible caseload by ethnicity).

    Examples
    --------
    >>> from ipsstats.plot import plot_representation
    >>> fig = plot_representation(
    ...     labels=["White", "Black", "Asian"],
    ...     ips_share=[0.70, 0.18, 0.12],
    ...     eligible_share=[0.62, 0.22, 0.16],
    ...     lower=[0.64, 0.13, 0.08],
    ...     upper=[0.75, 0.24, 0.17],
    ... )
    >>> len(fig.axes), [t.get_text() for t in fig.axes[0].get_yticklabels()]
    (1, ['White', 'Black', 'Asian'])
    """
    _check_source(
        result,
        {"labels": labels, "ips_share": ips_share, "eligible_share": eligible_share},
        {"lower": lower, "upper": upper},
        rule="be given alone, or omitted and `labels`, `ips_share` and `eligible_share` given",
        hint="pass an AccessEquity result, or the arrays, not both.",
    )
    if result is not None:
        names, ips, eligible, low, high, level = _representation_rows(result)
    else:
        names = _as_labels(labels)
        ips = _as_unit_values(ips_share, "ips_share", undefined_ok=False)
        eligible = _as_unit_values(eligible_share, "eligible_share", undefined_ok=False)
        check_same_length(
            {"labels": np.empty(len(names)), "ips_share": ips, "eligible_share": eligible}
        )
        low, high = _as_bounds(ips, lower, upper, "ips_share")
        level = _level(confidence_level)
    if result is not None and confidence_level is not None:
        level = as_confidence_level(confidence_level)
    _, figure, axes = _rows_axes(ax, names, title, xlabel)
    rows = np.arange(len(names), dtype=np.float64)
    axes.plot(
        eligible,
        rows,
        linestyle="none",
        marker="D",
        markerfacecolor="none",
        markersize=8,
        color="0.35",
        label="Eligible caseload",
    )
    (dots,) = axes.plot(ips, rows, linestyle="none", marker="o", label="IPS users", zorder=3)
    _intervals(
        axes, rows, low, high, color=dots.get_color(), label=f"IPS users, {_percent(level)} CI"
    )
    axes.set_xlim(0.0, _right_limit(ips, eligible, high))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def _outcome_rows(
    result: object,
) -> tuple[
    list[str], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float | None, float
]:
    groups = tuple(_field(result, "groups", "result", _OUTCOME))
    if not groups:
        raise fail("result", "hold at least one group", "a result without groups")
    labels, rate, lower, upper = [], [], [], []
    jobs = people = 0
    for group in groups:
        estimate = _field(group, "rate", "result", _OUTCOME)
        n = int(_field(group, "n", "result", _OUTCOME))
        k = int(_field(group, "jobs", "result", _OUTCOME))
        jobs, people = jobs + k, people + n
        labels.append(f"{_field(group, 'group', 'result', _OUTCOME)} ({k}/{n})")
        rate.append(_number(_field(estimate, "value", "result", _OUTCOME)))
        lower.append(_number(_field(estimate, "lower", "result", _OUTCOME)))
        upper.append(_number(_field(estimate, "upper", "result", _OUTCOME)))
    overall = jobs / people if people else None
    level = _level(getattr(result, "confidence_level", None))
    return labels, np.array(rate), np.array(lower), np.array(upper), overall, level


def _as_reference(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise fail("reference", "be a proportion between 0 and 1, or None", repr(value))
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise fail("reference", "be a proportion between 0 and 1, or None", repr(value))
    return number


def plot_outcomes(
    result: object = None,
    /,
    *,
    labels: Sequence[object] | NDArray[Any] | None = None,
    rate: Sequence[float] | NDArray[Any] | None = None,
    lower: Sequence[float] | NDArray[Any] | None = None,
    upper: Sequence[float] | NDArray[Any] | None = None,
    reference: float | None = None,
    confidence_level: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = "Job rate",
) -> Figure:
    r"""Forest plot of the job rate and its confidence interval per group.

    Give either an outcome result or the arrays (`labels`, `rate`, and optionally
    `lower`, `upper` and `reference`).

    Parameters
    ----------
    result : OutcomeEquity, optional
        The result of :func:`ipsstats.equity.outcome_equity` (positional only). Read
        duck-typed: its ``groups``, each with ``group``, ``n``, ``jobs`` and ``rate`` (an
        :class:`~ipsstats.Estimate`), and its ``confidence_level``. Rows are labelled
        ``"group (jobs/n)"`` and the reference line is the overall rate; a group whose
        rate is undefined (nobody in it) is shown as "not estimable".
    labels : sequence, optional
        Group labels (shown with ``str``), one per row.
    rate : array-like of float, optional
        Job rate per group, in [0, 1] (not NaN: leave out groups without a rate).
    lower, upper : array-like of float, optional
        Confidence limits of `rate`, in [0, 1] and around it; NaN where undefined.
    reference : float, optional
        Rate at which to draw the dashed reference line (typically the overall rate);
        with a result it is computed, here it is left out when ``None``.
    confidence_level : float, optional
        Coverage of the limits, for the legend; default the result's, else 0.95.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.
    title, xlabel : str or None
        Texts of the axes (``None`` for none).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, a row per group (first at the top): the rate as a dot with its
        interval, and the reference as a dashed vertical line.

    Raises
    ------
    InvalidInputError
        If both or neither of `result` and the arrays are given; `result` lacks a
        documented field or has no groups; an array is empty, not 1-D, of another
        length, NaN (rates), outside [0, 1], or an interval does not contain its rate;
        one bound is given without the other; `reference` is not a proportion; or `ax` is
        not a matplotlib axes.
    OptionalDependencyError
        If matplotlib is not installed.

    See Also
    --------
    plot_representation : access to IPS per group.

    Notes
    -----
    From a result the reference line is the overall job rate
    :math:`\sum_g k_g / \sum_g n_g` over the groups shown, with :math:`k_g` jobs among
    :math:`n_g` people in group :math:`g`; groups whose interval lies wholly to one side
    of it differ from the service as a whole [1]_.

    References
    ----------
    .. [1] Lewis, S. and Clarke, M. (2001). Forest plots: trying to see the wood and the
       trees. *BMJ* 322(7300), 1479-1480.

    Examples
    --------
    >>> from ipsstats.plot import plot_outcomes
    >>> fig = plot_outcomes(
    ...     labels=["White", "Black", "Asian"],
    ...     rate=[0.46, 0.38, 0.52],
    ...     lower=[0.41, 0.28, 0.39],
    ...     upper=[0.51, 0.49, 0.65],
    ...     reference=0.45,
    ... )
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['Job rate', 'Job rate, 95% CI', 'Overall: 45%']
    """
    _check_source(
        result,
        {"labels": labels, "rate": rate},
        {"lower": lower, "upper": upper, "reference": reference},
        rule="be given alone, or omitted and `labels` and `rate` given",
        hint="pass an OutcomeEquity result, or the arrays, not both.",
    )
    if result is not None:
        names, rates, low, high, overall, level = _outcome_rows(result)
    else:
        names = _as_labels(labels)
        rates = _as_unit_values(rate, "rate", undefined_ok=False)
        check_same_length({"labels": np.empty(len(names)), "rate": rates})
        low, high = _as_bounds(rates, lower, upper, "rate")
        overall = _as_reference(reference)
        level = _level(confidence_level)
    if result is not None and confidence_level is not None:
        level = as_confidence_level(confidence_level)
    mpl, figure, axes = _rows_axes(ax, names, title, xlabel)
    rows = np.arange(len(names), dtype=np.float64)
    (dots,) = axes.plot(rates, rows, linestyle="none", marker="o", label="Job rate", zorder=3)
    _intervals(
        axes, rows, low, high, color=dots.get_color(), label=f"Job rate, {_percent(level)} CI"
    )
    missing = np.isnan(rates)
    if missing.any():
        place = mpl.blended(axes.transAxes, axes.transData)
        for row in rows[missing].tolist():
            axes.text(0.02, row, "not estimable", transform=place, va="center", style="italic")
    if overall is not None:
        axes.axvline(overall, color="0.35", linestyle="--", label=f"Overall: {overall:.0%}")
    axes.set_xlim(0.0, _right_limit(rates, high, np.array([overall or 0.0])))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


# --------------------------------------------------------------------------------------
