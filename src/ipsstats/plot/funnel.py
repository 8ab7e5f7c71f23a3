"""Funnel plots of services, teams or groups against a target, from a funnel result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from ipsstats._arrays import as_option, fail
from ipsstats.equity import Funnel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
from ipsstats.plot._mpl import _WIDTH, _as_text, _matplotlib, _target

__all__ = ["plot_funnel"]

UnitLabels = Literal["flagged", "all", "none"]
_UNIT_LABELS: tuple[UnitLabels, ...] = ("flagged", "all", "none")
_XLABEL = {"proportion": "People", "rate": "Person-time", "ratio": "Expected events"}
_YLABEL = {"proportion": "Proportion", "rate": "Rate", "ratio": "Observed / expected"}
_FLAG_COLOURS = {"within": "0.45", "above": "tab:red", "below": "tab:blue"}
_LIMIT_STYLES = ("--", "-", ":", "-.")


def _escape(text: str) -> str:
    """Escape matplotlib's mathtext marker, so a label from the data is drawn as typed."""
    return text.replace("$", r"\$")


def plot_funnel(
    result: Funnel,
    /,
    *,
    ax: Axes | None = None,
    unit_labels: UnitLabels = "flagged",
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    r"""Funnel plot: each unit's value against its precision, within control limits.

    Parameters
    ----------
    result : Funnel
        The result of :func:`ipsstats.funnel` or :func:`ipsstats.outcome_funnel`
        (positional only).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.
    unit_labels : {"flagged", "all", "none"}
        Which units to name beside their point: those outside a limit (default), all,
        or none. Labels taken from the data are drawn as typed (``$`` is escaped).
    title, xlabel, ylabel : str or None
        Texts of the axes; the axis labels default (``None``) to the result's kind
        (e.g. ``"People"`` and ``"Proportion"``); pass ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the target as a horizontal line, the limits of each level as a pair
        of curves, and one point per unit, coloured by its flag (red above, blue below,
        grey within).

    Raises
    ------
    InvalidInputError
        If `result` is not a :class:`~ipsstats.Funnel`, `unit_labels` is unknown, a
        text is not a string, or `ax` is not a matplotlib axes.
    OptionalDependencyError
        If matplotlib is not installed.

    See Also
    --------
    ipsstats.funnel : the limits and flags as data.

    Notes
    -----
    The curves are the result's ``curve_lower`` and ``curve_upper`` along its
    ``precision`` grid; exact limits of a discrete distribution are step-like and are
    drawn as computed, interpolated as Spiegelhalter describes [1]_. Proportions are
    shown as percentages.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional
       performance. Statistics in Medicine 24(8), 1185-1202.

    Examples
    --------
    >>> from ipsstats import funnel
    >>> from ipsstats.plot import plot_funnel
    >>> res = funnel([12, 30, 9, 40, 5], [40, 60, 30, 70, 35],
    ...              labels=["North", "South", "East", "West", "Central"])
    >>> fig = plot_funnel(res)
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['Central', 'West']
    """
    if not isinstance(result, Funnel):
        raise fail(
            "result",
            "be a Funnel",
            type(result).__name__,
            hint="compute one with ipsstats.funnel(...) or ipsstats.outcome_funnel(...).",
        )
    which = as_option(unit_labels, "unit_labels", _UNIT_LABELS)
    heading = _as_text(title, "title")
    label_x = _as_text(xlabel, "xlabel")
    label_y = _as_text(ylabel, "ylabel")
    mpl = _matplotlib()
    figure, axes = _target(mpl, ax, 4.8, width=_WIDTH + 1.5)
    grid = np.asarray(result.precision)
    axes.axhline(
        result.target,
        color="0.2",
        linewidth=1.2,
        label=f"Target {_value_text(result, result.target)}",
    )
    for k, level in enumerate(result.confidence_levels):
        style = _LIMIT_STYLES[k % len(_LIMIT_STYLES)]
        (line,) = axes.plot(
            grid,
            result.curve_upper[k],
            linestyle=style,
            color="0.35",
            linewidth=1.0,
            label=f"{100 * level:g}% limits",
        )
        axes.plot(
            grid,
            result.curve_lower[k],
            linestyle=style,
            color=line.get_color(),
            linewidth=1.0,
            label=f"_{level} lower",
        )
    for flag, colour in _FLAG_COLOURS.items():
        chosen = [u for u in result.units if u.flag == flag]
        if not chosen:
            continue
        axes.plot(
            [u.denominator for u in chosen],
            [u.value for u in chosen],
            linestyle="none",
            marker="o",
            color=colour,
            label=_flag_legend(flag),
            zorder=3,
        )
    for unit in result.units:
        if which == "all" or (which == "flagged" and unit.flag != "within"):
            axes.annotate(
                _escape(str(unit.label)),
                (unit.denominator, unit.value),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize="small",
            )
    if result.kind == "proportion":
        axes.yaxis.set_major_formatter(mpl.percent_formatter(xmax=1.0, decimals=0))
    axes.set_xlim(0.0, float(grid.max()))
    axes.set_xlabel(_XLABEL[result.kind] if label_x is None else label_x)
    axes.set_ylabel(_YLABEL[result.kind] if label_y is None else label_y)
    if heading:
        axes.set_title(heading)
    axes.grid(visible=True, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def _value_text(result: Funnel, value: float) -> str:
    if result.kind == "proportion":
        return f"{100 * value:.1f}%"
    return f"{value:.3g}"


def _flag_legend(flag: str) -> str:
    return {"within": "Within limits", "above": "Above", "below": "Below"}[flag]
