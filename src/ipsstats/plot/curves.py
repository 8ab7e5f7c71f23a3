"""Figures of censored durations: survival and cumulative incidence curves with numbers at risk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.survival import IncidenceCurve, SurvivalCurve

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.typing import ColorType
from ipsstats.plot._mpl import (
    _BAND_ALPHA,
    _WIDTH,
    _as_curves,
    _as_flag,
    _as_text,
    _as_times,
    _literal,
    _Matplotlib,
    _matplotlib,
    _target,
)

__all__ = ["LAYOUTS", "plot_cumulative_incidence", "plot_survival"]

#: Arrangements of several curves: all in one axes, or one small panel per group.
LAYOUTS: tuple[str, ...] = ("overlay", "panels")


@attrs.frozen
class _Steps:
    """One curve as a right-continuous step function starting at time 0."""

    times: NDArray[np.float64]
    values: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    censored: NDArray[np.bool_]
    curve_times: NDArray[np.float64]
    n_at_risk: NDArray[np.float64]


def _steps(curve: SurvivalCurve | IncidenceCurve, scale: float = 1.0) -> _Steps:
    """Step coordinates of a curve, with degenerate bands where the limits are undefined.

    Times are divided by `scale` (e.g. days to months).
    """
    if isinstance(curve, SurvivalCurve):
        start, values = 1.0, curve.survival
    else:
        start, values = 0.0, curve.incidence
    # Undefined limits (NaN: an estimate of exactly 0 or 1) collapse onto the estimate,
    # so no band is drawn there.
    lower = np.where(np.isnan(curve.lower), values, curve.lower)
    upper = np.where(np.isnan(curve.upper), values, curve.upper)
    return _Steps(
        times=np.concatenate([[0.0], curve.times / scale]),
        values=np.concatenate([[start], values]),
        lower=np.concatenate([[start], lower]),
        upper=np.concatenate([[start], upper]),
        censored=np.concatenate([[False], curve.n_censored > 0]),
        curve_times=curve.times / scale,
        n_at_risk=curve.n_at_risk,
    )


def _at_risk(steps: _Steps, times: NDArray[np.float64]) -> NDArray[np.float64]:
    """Risk set at each of `times`: just before the first curve time at or after it.

    The same rule as :meth:`ipsstats.SurvivalCurve.table` (R's ``summary(fit, times=)``);
    0 after the last observed time.
    """
    padded = np.append(steps.n_at_risk, 0.0)
    return np.asarray(padded[np.searchsorted(steps.curve_times, times)], dtype=np.float64)


def _count_text(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _draw_curve(ax: Axes, label: str, steps: _Steps, *, ci: bool, marks: bool) -> Line2D:
    (line,) = ax.step(steps.times, steps.values, where="post", label=label)
    color = line.get_color()
    if ci:
        ax.fill_between(
            steps.times,
            steps.lower,
            steps.upper,
            step="post",
            color=color,
            alpha=_BAND_ALPHA,
            linewidth=0,
            label=f"_{label} confidence band",
        )
    if marks and steps.censored.any():
        ax.plot(
            steps.times[steps.censored],
            steps.values[steps.censored],
            linestyle="none",
            marker="+",
            markersize=8,
            color=color,
            label=f"_{label} censored",
        )
    return line


def _default_times(mpl: _Matplotlib, last: float) -> NDArray[np.float64]:
    """Round tick positions from 0 to `last`, used for the at-risk table and the x axis."""
    if last <= 0:
        return np.zeros(1)
    ticks = np.asarray(mpl.max_n_locator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(0, last))
    return np.asarray(ticks[(ticks >= 0) & (ticks <= last)], dtype=np.float64)


def _split_for_table(ax: Axes, groups: int) -> Axes:
    """Give the lower part of the caller's axes to the at-risk table (same time axis).

    An axes placed on a grid is split in two, so layout engines see both parts; a freely
    placed axes gets the table as an inset below it.
    """
    spec = ax.get_subplotspec()
    if spec is None:
        height = 0.07 * groups + 0.05
        return ax.inset_axes((0.0, -0.25 - height, 1.0, height), sharex=ax)
    grid = spec.subgridspec(2, 1, height_ratios=[4.0, 0.4 + 0.3 * groups])
    ax.set_subplotspec(grid[0])
    parent: Any = ax.figure
    table: Axes = parent.add_subplot(grid[1], sharex=ax)
    return table


def _draw_table(
    table: Axes,
    rows: list[tuple[str, ColorType, NDArray[np.float64]]],
    times: NDArray[np.float64],
) -> None:
    """Write the numbers at risk, one row per group, under the time axis."""
    table.set_ylim(len(rows) - 0.5, -0.5)
    table.set_yticks(range(len(rows)), labels=[label for label, _, _ in rows])
    for tick, (_, color, _) in zip(table.get_yticklabels(), rows, strict=True):
        tick.set_color(color)
    table.tick_params(axis="both", length=0)
    table.tick_params(axis="y", pad=18)  # clear of the numbers centred on time 0
    table.tick_params(axis="x", labelbottom=False)
    table.set_facecolor("none")
    for spine in table.spines.values():
        spine.set_visible(False)
    table.set_title("Number at risk", loc="left", fontsize="medium")
    for row, (_, _, counts) in enumerate(rows):
        for time, count in zip(times.tolist(), counts.tolist(), strict=True):
            table.text(time, row, _count_text(count), ha="center", va="center")


def _plot_curves(
    kind: type[Any],
    curves: object,
    *,
    ci: object,
    censor_marks: object,
    at_risk_table: object,
    at_risk_times: object,
    ax: object,
    title: object,
    xlabel: object,
    ylabel: object,
    time_scale: object = 1.0,
    layout: object = "overlay",
) -> Figure:
    """Shared body of :func:`plot_survival` and :func:`plot_cumulative_incidence`."""
    groups = _as_curves(curves, kind)
    scale = _as_scale(time_scale)
    arrangement = _literal_choice(layout, "layout", LAYOUTS)
    draw_ci = _as_flag(ci, "ci")
    marks = _as_flag(censor_marks, "censor_marks")
    table_wanted = _as_flag(at_risk_table, "at_risk_table")
    chosen = None if at_risk_times is None else _as_times(at_risk_times)
    texts = {
        name: _literal(text, one_line=False) if (text := _as_text(value, name)) else ""
        for name, value in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel))
    }
    mpl = _matplotlib()
    steps = [(_literal(label), _steps(curve, scale)) for label, curve in groups]
    last = max(float(s.times[-1]) for _, s in steps)
    times = _default_times(mpl, last) if chosen is None else chosen
    if arrangement == "panels":
        if ax is not None:
            raise fail(
                "ax",
                "be None when `layout='panels'` (the panels need a figure of their own)",
                type(ax).__name__,
                hint="omit `ax`, or draw one group per axes with `layout='overlay'`.",
            )
        return _plot_panels(
            mpl, steps, times, ci=draw_ci, marks=marks, table=table_wanted, texts=texts
        )
    table = None
    if table_wanted and ax is None:
        figure = mpl.figure(figsize=(_WIDTH, 5.1 + 0.3 * len(groups)), layout="constrained")
        grid = figure.add_gridspec(2, 1, height_ratios=[4.0, 0.4 + 0.3 * len(groups)])
        main = figure.add_subplot(grid[0])
        table = figure.add_subplot(grid[1], sharex=main)
    else:
        figure, main = _target(mpl, ax, 4.5)
        if table_wanted:
            table = _split_for_table(main, len(groups))
    lines = [_draw_curve(main, label, s, ci=draw_ci, marks=marks) for label, s in steps]
    right = max(last, float(times[-1]))
    main.set_xlim(0.0, right if right > 0 else 1.0)
    main.set_ylim(-0.02, 1.02)
    main.set_xticks(times)
    main.set_xlabel(texts["xlabel"])
    main.set_ylabel(texts["ylabel"])
    if texts["title"]:
        main.set_title(texts["title"])
    main.grid(visible=True, alpha=0.3)
    # a fixed corner the curves leave empty ("best" is slow on long curves)
    corner: Literal["upper right", "upper left"] = (
        "upper right" if kind is SurvivalCurve else "upper left"
    )
    main.legend(handles=lines, loc=corner)
    if table is not None:
        rows = [
            (label, line.get_color(), _at_risk(s, times))
            for (label, s), line in zip(steps, lines, strict=True)
        ]
        _draw_table(table, rows, times)
    return figure


def _as_scale(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
        or value <= 0
    ):
        raise fail(
            "time_scale",
            "be a positive finite number (the curve's time units per axis unit)",
            repr(value),
            hint="pass e.g. `time_scale=DAYS_PER_MONTH` to draw days as months.",
        )
    return float(value)


def _literal_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise fail(name, f"be one of {list(choices)}", repr(value))
    return value


def _panel_grid(n: int) -> tuple[int, int]:
    """Rows and columns of small multiples: at most three columns."""
    columns = 1 if n == 1 else 2 if n in (2, 4) else 3
    return -(-n // columns), columns


def _plot_panels(
    mpl: _Matplotlib,
    steps: list[tuple[str, _Steps]],
    times: NDArray[np.float64],
    *,
    ci: bool,
    marks: bool,
    table: bool,
    texts: dict[str, str],
) -> Figure:
    """Small multiples: one panel per group, the other groups in grey behind it."""
    rows, columns = _panel_grid(len(steps))
    height = rows * (2.6 + (0.45 if table else 0.0)) + 0.6
    figure = mpl.figure(figsize=(_WIDTH, height), layout="constrained")
    grid = figure.add_gridspec(rows, columns)
    last = max(float(s.times[-1]) for _, s in steps)
    right = max(last, float(times[-1]))
    first: Axes | None = None
    for position, (label, own) in enumerate(steps):
        ax = figure.add_subplot(grid[position // columns, position % columns], sharey=first)
        first = first or ax
        for other_label, other in steps:
            if other_label != label:
                ax.step(
                    other.times,
                    other.values,
                    where="post",
                    color="0.75",
                    linewidth=0.8,
                    label=f"_{other_label}",
                )
        line = _draw_curve(ax, label, own, ci=ci, marks=marks)
        ax.set_title(label, loc="left", fontsize="medium", color=line.get_color())
        ax.set_xlim(0.0, right if right > 0 else 1.0)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xticks(times)
        ax.grid(visible=True, alpha=0.3)
        if position % columns == 0:
            ax.set_ylabel(texts["ylabel"])
        if position // columns == rows - 1 or position + columns >= len(steps):
            ax.set_xlabel(texts["xlabel"])
        if table:
            below = _split_for_table(ax, 1)
            _draw_table(below, [(label, line.get_color(), _at_risk(own, times))], times)
            below.set_title("At risk", loc="left", fontsize="small")
            below.set_yticks([])
    if texts["title"]:
        figure.suptitle(texts["title"])
    return figure


def plot_survival(
    curves: Mapping[Any, SurvivalCurve],
    *,
    ci: bool = True,
    censor_marks: bool = True,
    at_risk_table: bool = True,
    at_risk_times: Sequence[float] | NDArray[Any] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = "Days since first contact",
    ylabel: str | None = "Proportion without the event",
    time_scale: float = 1.0,
    layout: Literal["overlay", "panels"] = "overlay",
) -> Figure:
    r"""Kaplan-Meier curves by group, with confidence bands, censor marks and numbers at risk.

    Parameters
    ----------
    curves : mapping of label to SurvivalCurve
        One curve per group, from :func:`ipsstats.kaplan_meier`, in the order to draw
        them (e.g. ``{"White": km_white, "Black": km_black}``). Labels are shown with
        ``str``.
    ci : bool, default True
        Shade each curve's pointwise confidence band (as a step function). Where a limit
        is undefined (an estimate of exactly 1 or 0) no band is drawn.
    censor_marks : bool, default True
        Mark the times at which subjects were censored with ``+`` on the curve.
    at_risk_table : bool, default True
        Draw the numbers at risk per group under the time axis.
    at_risk_times : sequence of float, optional
        Times (finite, non-negative) at which to show the numbers at risk; they also
        become the ticks of the time axis. Default: round values from 0 to the last
        observed time.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure. The at-risk table is then an inset
        below it: leave room (e.g. ``layout="constrained"`` or
        ``savefig(..., bbox_inches="tight")``).
    title, xlabel, ylabel : str or None
        Texts of the axes (``None`` for none). The default y label suits any event;
        for time to a job say e.g. ``"Proportion not yet in work"``.
    time_scale : float, default 1.0
        The curves' time units per unit of the time axis: ``DAYS_PER_MONTH`` (from
        :mod:`ipsstats.calendar`) draws curves in days on an axis in months. `at_risk_times`
        are in the axis' units.
    layout : {"overlay", "panels"}, default "overlay"
        ``"overlay"`` draws every group in one axes; ``"panels"`` draws small multiples,
        one panel per group with its band, censor marks and numbers at risk, and the other
        groups as thin grey lines behind it, which stays readable with many groups.
        `ax` must then be ``None``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure: one axes with a step line per group (in the legend), plus one for
        the at-risk table.

    Raises
    ------
    InvalidInputError
        If `curves` is not a non-empty mapping of :class:`~ipsstats.SurvivalCurve`, a
        flag is not a bool, `at_risk_times` is empty or holds negative or non-finite
        values, a text is not a string, or `ax` is not a matplotlib axes.
    OptionalDependencyError
        If matplotlib is not installed.

    See Also
    --------
    plot_cumulative_incidence : the same for competing risks.
    ipsstats.SurvivalCurve.table : the numbers at risk as data.

    Notes
    -----
    The curve is the right-continuous step function :math:`\hat S(t)`, equal to 1 before
    the first time. The number at risk at time :math:`t` is the risk set just before the
    first observed time at or after :math:`t` (the subjects still under observation),
    as in :meth:`~ipsstats.SurvivalCurve.table` and R's ``summary(fit, times=)`` [1]_;
    it is 0 after a group's last observed time.

    References
    ----------
    .. [1] Therneau, T. M. and Grambsch, P. M. (2000). *Modeling Survival Data*.
       Springer, section 2.1; R survival package, ``summary.survfit`` documentation.

    Examples
    --------
    >>> from ipsstats import kaplan_meier
    >>> from ipsstats.plot import plot_survival
    >>> curves = {
    ...     "Maintained": kaplan_meier([9, 13, 13, 18, 23, 28, 31], [1, 1, 0, 1, 1, 0, 1]),
    ...     "Not maintained": kaplan_meier([5, 5, 8, 8, 12, 16, 23], [1, 1, 1, 1, 1, 0, 1]),
    ... }
    >>> fig = plot_survival(curves, at_risk_times=[0, 10, 20, 30])
    >>> len(fig.axes)
    2
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['Maintained', 'Not maintained']
    >>> [text.get_text() for text in fig.axes[1].texts]
    ['7', '6', '3', '1', '7', '3', '1', '0']
    """
    return _plot_curves(
        SurvivalCurve,
        curves,
        ci=ci,
        censor_marks=censor_marks,
        at_risk_table=at_risk_table,
        at_risk_times=at_risk_times,
        ax=ax,
        title=title,
        xlabel=xlabel,
        ylabel=ylabel,
        time_scale=time_scale,
        layout=layout,
    )


def plot_cumulative_incidence(
    curves: Mapping[Any, IncidenceCurve],
    *,
    ci: bool = True,
    censor_marks: bool = True,
    at_risk_table: bool = True,
    at_risk_times: Sequence[float] | NDArray[Any] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = "Days since first contact",
    ylabel: str | None = "Cumulative incidence",
    time_scale: float = 1.0,
    layout: Literal["overlay", "panels"] = "overlay",
) -> Figure:
    r"""Cumulative incidence curves of one cause by group, with bands and numbers at risk.

    Parameters
    ----------
    curves : mapping of label to IncidenceCurve
        One curve per group, from :func:`ipsstats.cumulative_incidence`, in the order to
        draw them. Labels are shown with ``str``.
    ci : bool, default True
        Shade each curve's pointwise confidence band (as a step function).
    censor_marks : bool, default True
        Mark the censoring times with ``+`` on the curve.
    at_risk_table : bool, default True
        Draw the numbers at risk (free of every cause and uncensored) per group under the
        time axis.
    at_risk_times : sequence of float, optional
        Times (finite, non-negative) at which to show the numbers at risk; they also
        become the ticks of the time axis. Default: round values from 0 to the last
        observed time.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure (the at-risk table is then an inset
        below it; leave room for it).
    title, xlabel, ylabel : str or None
        Texts of the axes (``None`` for none).
    time_scale : float, default 1.0
        The curves' time units per unit of the time axis: ``DAYS_PER_MONTH`` (from
        :mod:`ipsstats.calendar`) draws curves in days on an axis in months. `at_risk_times`
        are in the axis' units.
    layout : {"overlay", "panels"}, default "overlay"
        ``"overlay"`` draws every group in one axes; ``"panels"`` draws small multiples,
        one panel per group with its band, censor marks and numbers at risk, and the other
        groups as thin grey lines behind it, which stays readable with many groups.
        `ax` must then be ``None``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure: one axes with a step line per group (in the legend), plus one for
        the at-risk table.

    Raises
    ------
    InvalidInputError
        If `curves` is not a non-empty mapping of :class:`~ipsstats.IncidenceCurve`, a
        flag is not a bool, `at_risk_times` is empty or holds negative or non-finite
        values, a text is not a string, or `ax` is not a matplotlib axes.
    OptionalDependencyError
        If matplotlib is not installed.

    See Also
    --------
    plot_survival : Kaplan-Meier curves.

    Notes
    -----
    The curve is the Aalen-Johansen estimate :math:`\hat F_1(t)`, a right-continuous step
    function equal to 0 before the first event of the cause [1]_. Unlike
    :math:`1 - \hat S(t)` of a Kaplan-Meier curve that censors the competing exits, it
    never exceeds the share of people who actually left for the cause.

    References
    ----------
    .. [1] Putter, H., Fiocco, M. and Geskus, R. B. (2007). Tutorial in biostatistics:
       competing risks and multi-state models. *Statistics in Medicine* 26(11),
       2389-2430, section 3.

    Examples
    --------
    >>> from ipsstats import cumulative_incidence
    >>> from ipsstats.plot import plot_cumulative_incidence
    >>> job = cumulative_incidence([3, 5, 5, 8, 9, 12], [1, 2, 1, 0, 1, 2], cause=1)
    >>> fig = plot_cumulative_incidence({"All": job}, at_risk_times=[0, 5, 10])
    >>> len(fig.axes), [text.get_text() for text in fig.axes[1].texts]
    (2, ['6', '5', '1'])
    """
    return _plot_curves(
        IncidenceCurve,
        curves,
        ci=ci,
        censor_marks=censor_marks,
        at_risk_table=at_risk_table,
        at_risk_times=at_risk_times,
        ax=ax,
        title=title,
        xlabel=xlabel,
        ylabel=ylabel,
        time_scale=time_scale,
        layout=layout,
    )
