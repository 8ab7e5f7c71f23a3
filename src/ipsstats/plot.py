"""Figures: survival and cumulative incidence curves, representation and outcome charts.

The figures need matplotlib, an optional dependency: install it with
``pip install "ipsstats[plot]"``. It is imported only when a function here is called, so
``import ipsstats`` (and this module) work without it; without it the functions raise
:class:`OptionalDependencyError`.

Every function returns a :class:`matplotlib.figure.Figure` built directly, without
``pyplot``: no figure is registered globally and no interactive backend is needed, so the
functions work on servers and in batch jobs. Display a figure in a notebook with
``display(fig)``, save it with ``fig.savefig("km.png")``, or embed it in HTML with
:func:`figure_to_svg`. Pass ``ax=`` to draw into an axes of a figure of your own instead.
"""

from __future__ import annotations

import io
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, as_confidence_level, as_durations, check_same_length, fail
from ipsstats.competing import IncidenceCurve
from ipsstats.errors import IpsStatsError
from ipsstats.survival import SurvivalCurve

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.typing import ColorType

__all__ = [
    "OptionalDependencyError",
    "figure_to_svg",
    "plot_cumulative_incidence",
    "plot_outcomes",
    "plot_representation",
    "plot_survival",
]

_INSTALL = 'pip install "ipsstats[plot]"'
# Tolerance when checking that an interval contains its estimate (rounding of shares).
_CONTAINS_TOLERANCE = 1e-9
# Width of the figures in inches; heights grow with the number of groups.
_WIDTH = 7.0
_BAND_ALPHA = 0.2


class OptionalDependencyError(IpsStatsError, ImportError):
    """An optional dependency needed for the requested feature is not installed.

    Raised by the functions of :mod:`ipsstats.plot` when matplotlib cannot be imported.
    It is also an :class:`ImportError`, so ``except ImportError`` catches it. The message
    says what to install.
    """


@attrs.frozen
class _Matplotlib:
    """The matplotlib names this module uses, imported on first use."""

    figure: type[Figure]
    axes: type[Axes]
    max_n_locator: Any
    percent_formatter: Any
    blended: Any
    rc_context: Any


def _matplotlib() -> _Matplotlib:
    """Import matplotlib lazily; raise :class:`OptionalDependencyError` when it is missing."""
    try:
        # imported here, not at module level, so that matplotlib stays optional
        from matplotlib import rc_context  # noqa: PLC0415  # optional dependency
        from matplotlib.axes import Axes  # noqa: PLC0415  # optional dependency
        from matplotlib.figure import Figure  # noqa: PLC0415  # optional dependency
        from matplotlib.ticker import (  # noqa: PLC0415  # optional dependency
            MaxNLocator,
            PercentFormatter,
        )
        from matplotlib.transforms import blended_transform_factory  # noqa: PLC0415
    except ImportError as exc:
        error = OptionalDependencyError(
            "ipsstats figures need matplotlib, which is not installed. "
            f"Hint: install it with `{_INSTALL}`."
        )
        error.name = "matplotlib"
        raise error from exc
    return _Matplotlib(
        figure=Figure,
        axes=Axes,
        max_n_locator=MaxNLocator,
        percent_formatter=PercentFormatter,
        blended=blended_transform_factory,
        rc_context=rc_context,
    )


# --------------------------------------------------------------------------------------
# validation of the shared arguments
# --------------------------------------------------------------------------------------


def _as_flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, "be True or False", repr(value))
    return bool(value)


def _as_text(value: object, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise fail(name, "be a string or None", f"{type(value).__name__}")
    return value


def _target(
    mpl: _Matplotlib, ax: object, height: float, width: float = _WIDTH
) -> tuple[Figure, Axes]:
    """Return the figure and axes to draw into: a new figure, or the caller's axes."""
    if ax is None:
        figure = mpl.figure(figsize=(width, height), layout="constrained")
        return figure, figure.add_subplot()
    if not isinstance(ax, mpl.axes):
        raise fail(
            "ax",
            "be a matplotlib Axes or None",
            f"{type(ax).__name__}",
            hint="pass `ax=fig.add_subplot()`, or omit it to get a new figure.",
        )
    return _root(ax), ax


def _root(ax: Axes) -> Figure:
    """Return the top-level figure holding `ax` (through any subfigures)."""
    parent: Any = ax.figure
    while getattr(parent, "figure", parent) is not parent:
        parent = parent.figure
    root: Figure = parent
    return root


def _as_curves(curves: object, kind: type[Any]) -> list[tuple[str, Any]]:
    """Validate a non-empty mapping of group label to curve of type `kind`."""
    what = f"a mapping of group label to {kind.__name__}"
    if not isinstance(curves, Mapping):
        raise fail(
            "curves",
            f"be {what}",
            f"{type(curves).__name__}",
            hint="pass e.g. `{'All': curve}` for a single curve.",
        )
    if not curves:
        raise fail("curves", f"be {what} holding at least one curve", "an empty mapping")
    out: list[tuple[str, Any]] = []
    for label, curve in curves.items():
        if not isinstance(curve, kind):
            raise fail(
                "curves",
                f"hold {kind.__name__} values",
                f"{type(curve).__name__} for group {label!r}",
                positions=(label,),
            )
        out.append((str(label), curve))
    return out


def _as_times(value: object) -> NDArray[np.float64]:
    times = np.unique(as_durations(value, "at_risk_times"))
    if times.size == 0:
        raise fail(
            "at_risk_times",
            "hold at least one time",
            "an empty sequence",
            hint="pass `at_risk_table=False` to leave out the table of numbers at risk.",
        )
    return times


def _as_unit_values(value: object, name: str, *, undefined_ok: bool) -> NDArray[np.float64]:
    """Validate a 1-D array of proportions in [0, 1]; NaN allowed when `undefined_ok`."""
    array = as_array(value, name)
    if array.ndim != 1:
        raise fail(name, "be 1-dimensional", f"an array of shape {array.shape}")
    if array.dtype.kind == "b" or array.dtype.kind not in "iufO":
        raise fail(name, "hold proportions between 0 and 1", f"an array of dtype {array.dtype}")
    try:
        floats = np.array(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise fail(name, "hold proportions between 0 and 1", "non-numeric values") from None
    nan = np.isnan(floats)
    bad = ~np.isfinite(floats) & ~nan if undefined_ok else ~np.isfinite(floats)
    bad |= ~nan & ((floats < 0) | (floats > 1))
    if bad.any():
        first = int(np.argmax(bad))
        rule = "hold proportions between 0 and 1" + (
            " (NaN where undefined)" if undefined_ok else ""
        )
        hint = "leave out groups whose value is not estimable." if nan[first] else None
        raise fail(
            name, rule, f"{floats[first]:g} at index {first}", hint=hint, positions=(first,)
        )
    return floats


def _as_labels(value: object) -> list[str]:
    array = as_array(value, "labels")
    if array.ndim != 1:
        raise fail("labels", "be 1-dimensional", f"an array of shape {array.shape}")
    if array.size == 0:
        raise fail("labels", "name at least one group", "an empty sequence")
    return [str(item) for item in array.tolist()]


def _as_bounds(
    values: NDArray[np.float64], lower: object, upper: object, value_name: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate interval bounds around `values` (NaN bounds: interval undefined)."""
    if (lower is None) != (upper is None):
        missing = "lower" if lower is None else "upper"
        raise fail(missing, "be given together with the other bound", "None")
    if lower is None:
        nan = np.full(values.shape, np.nan)
        return nan, nan.copy()
    low = _as_unit_values(lower, "lower", undefined_ok=True)
    high = _as_unit_values(upper, "upper", undefined_ok=True)
    check_same_length({value_name: values, "lower": low, "upper": high})
    tol = _CONTAINS_TOLERANCE
    outside = (low > values + tol) | (high < values - tol)
    if outside.any():
        first = int(np.argmax(outside))
        raise fail(
            "lower",
            f"and `upper` contain `{value_name}`",
            f"{low[first]:g} to {high[first]:g} around {values[first]:g} at index {first}",
            positions=(first,),
        )
    return low, high


def _level(value: object) -> float:
    return 0.95 if value is None else as_confidence_level(value)


def _percent(level: float) -> str:
    return f"{100 * level:g}%"


# --------------------------------------------------------------------------------------
# curves: Kaplan-Meier and cumulative incidence
# --------------------------------------------------------------------------------------


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


def _steps(curve: SurvivalCurve | IncidenceCurve) -> _Steps:
    """Step coordinates of a curve, with degenerate bands where the limits are undefined."""
    if isinstance(curve, SurvivalCurve):
        start, values = 1.0, curve.survival
    else:
        start, values = 0.0, curve.incidence
    # Undefined limits (NaN: an estimate of exactly 0 or 1) collapse onto the estimate,
    # so no band is drawn there.
    lower = np.where(np.isnan(curve.lower), values, curve.lower)
    upper = np.where(np.isnan(curve.upper), values, curve.upper)
    return _Steps(
        times=np.concatenate([[0.0], curve.times]),
        values=np.concatenate([[start], values]),
        lower=np.concatenate([[start], lower]),
        upper=np.concatenate([[start], upper]),
        censored=np.concatenate([[False], curve.n_censored > 0]),
        curve_times=curve.times,
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
) -> Figure:
    """Shared body of :func:`plot_survival` and :func:`plot_cumulative_incidence`."""
    groups = _as_curves(curves, kind)
    draw_ci = _as_flag(ci, "ci")
    marks = _as_flag(censor_marks, "censor_marks")
    table_wanted = _as_flag(at_risk_table, "at_risk_table")
    chosen = None if at_risk_times is None else _as_times(at_risk_times)
    texts = {
        name: _as_text(value, name)
        for name, value in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel))
    }
    mpl = _matplotlib()
    steps = [(label, _steps(curve)) for label, curve in groups]
    last = max(float(s.times[-1]) for _, s in steps)
    times = _default_times(mpl, last) if chosen is None else chosen
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
    main.set_xlabel(texts["xlabel"] or "")
    main.set_ylabel(texts["ylabel"] or "")
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
    )


# --------------------------------------------------------------------------------------
# dot charts: representation and outcomes
# --------------------------------------------------------------------------------------


def _field(item: object, name: str, argument: str, expected: str) -> Any:
    """Read a documented field of a result, or say which result was expected."""
    try:
        return getattr(item, name)
    except AttributeError:
        raise fail(
            argument,
            f"be {expected}",
            f"{type(item).__name__} without a `{name}` field",
        ) from None


def _number(value: object) -> float:
    """Read an optional number of a result (``None`` when undefined) as a float or NaN."""
    if value is None or not isinstance(value, numbers.Real):
        return float("nan")
    return float(value)


def _check_source(
    result: object,
    arrays: Mapping[str, object],
    optional: Mapping[str, object],
    *,
    rule: str,
    hint: str,
) -> None:
    """Require either `result` alone, or every one of `arrays` (with any of `optional`)."""
    given = [name for name, value in (*arrays.items(), *optional.items()) if value is not None]
    if (result is None) == (not given):
        raise fail("result", rule, "both" if given else "neither", hint=hint)
    if result is None:
        for name, value in arrays.items():
            if value is None:
                raise fail(name, "be given with the other arrays", "None")


def _rows_axes(
    ax: object, labels: list[str], title: object, xlabel: object
) -> tuple[_Matplotlib, Figure, Axes]:
    """Prepare axes with one row per group, top to bottom, and a percent axis."""
    heading = _as_text(title, "title")
    label_x = _as_text(xlabel, "xlabel")
    mpl = _matplotlib()
    figure, axes = _target(mpl, ax, 1.6 + 0.4 * len(labels), width=_WIDTH + 1.5)
    axes.set_yticks(range(len(labels)), labels=labels)
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.xaxis.set_major_formatter(mpl.percent_formatter(xmax=1.0, decimals=0))
    axes.grid(visible=True, axis="x", alpha=0.3)
    if heading:
        axes.set_title(heading)
    axes.set_xlabel(label_x or "")
    return mpl, figure, axes


def _intervals(
    axes: Axes,
    rows: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    *,
    color: ColorType,
    label: str,
) -> None:
    """Draw horizontal interval bars where both bounds are defined."""
    defined = np.isfinite(lower) & np.isfinite(upper)
    if defined.any():
        axes.hlines(rows[defined], lower[defined], upper[defined], color=color, label=label)


def _right_limit(*arrays: NDArray[np.float64]) -> float:
    finite = [a[np.isfinite(a)] for a in arrays]
    top = max((float(a.max()) for a in finite if a.size), default=0.0)
    return min(1.0, top * 1.1) if top > 0 else 1.0


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
# export
# --------------------------------------------------------------------------------------


def figure_to_svg(fig: Figure) -> str:
    """Render a figure as inline SVG markup for an HTML page.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. from :func:`plot_survival`.

    Returns
    -------
    str
        The ``<svg ...>...</svg>`` element, without the XML prolog, doctype and leading
        comment, so it can be placed inside HTML. Text stays text (selectable and
        searchable), and the markup is reproducible: no date, and element ids that
        depend only on the figure.

    Raises
    ------
    InvalidInputError
        If `fig` is not a matplotlib figure.
    OptionalDependencyError
        If matplotlib is not installed.

    Notes
    -----
    Text is written as SVG ``<text>`` in the figure's font family (a browser without
    that font uses a similar one), which keeps the markup small. matplotlib's settings
    are changed for this save only (``svg.fonttype = "none"``, a fixed
    ``svg.hashsalt``), through :func:`matplotlib.rc_context`.

    Examples
    --------
    >>> from ipsstats.plot import figure_to_svg, plot_outcomes
    >>> svg = figure_to_svg(plot_outcomes(labels=["A", "B"], rate=[0.4, 0.5]))
    >>> svg.startswith("<svg"), svg.rstrip().endswith("</svg>")
    (True, True)
    """
    mpl = _matplotlib()
    if not isinstance(fig, mpl.figure):
        raise fail("fig", "be a matplotlib Figure", f"{type(fig).__name__}")
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ipsstats"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    markup = buffer.getvalue()
    return markup[markup.index("<svg") :]
