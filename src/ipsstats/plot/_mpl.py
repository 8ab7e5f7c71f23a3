"""The lazily imported matplotlib, and validation shared by the figures."""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, as_confidence_level, as_durations, check_same_length, fail
from ipsstats.errors import IpsStatsError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import ColorType

__all__ = ["OptionalDependencyError"]

_INSTALL = 'pip install "ipsstats[plot]"'
# Tolerance when checking that an interval contains its estimate (rounding of shares).
_CONTAINS_TOLERANCE = 1e-9
# Width of the figures in inches; heights grow with the number of groups.
_WIDTH = 7.0
_BAND_ALPHA = 0.2
# Characters a figure cannot show as text, nor an SVG file hold: C0 and C1 controls, DEL,
# bidirectional embedding, override and isolate controls, surrogates and the
# noncharacters U+FFFE and U+FFFF. Line breaks and tabs are handled apart.
_UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_LINE_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


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


def _literal(text: object, *, one_line: bool = True) -> str:
    r"""Return text that matplotlib draws exactly as written, in any SVG it saves.

    Line breaks become spaces (or, with ``one_line=False``, ``"\n"``, which matplotlib
    draws as a new line), tabs become spaces, other control characters, bidirectional
    controls and characters no XML file can hold become U+FFFD (the replacement
    character), and every ``$`` is escaped as ``\$`` so that no part of the text is read
    as mathtext (outside mathtext matplotlib draws a backslash as it is, and ``\$`` as
    ``$``).
    """
    one = _LINE_BREAKS.sub(" " if one_line else "\n", str(text)).replace("\t", " ")
    return _UNSHOWABLE.sub("\N{REPLACEMENT CHARACTER}", one).replace("$", "\\$")


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
    if isinstance(value, (list, tuple)) and not any(
        isinstance(item, (list, tuple, np.ndarray)) for item in value
    ):
        # as written: numpy's fixed-width strings would drop trailing NUL characters
        if not value:
            raise fail("labels", "name at least one group", "an empty sequence")
        return [str(item) for item in value]
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
    axes.set_yticks(range(len(labels)), labels=[_literal(label) for label in labels])
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.xaxis.set_major_formatter(mpl.percent_formatter(xmax=1.0, decimals=0))
    axes.grid(visible=True, axis="x", alpha=0.3)
    if heading:
        axes.set_title(_literal(heading, one_line=False))
    axes.set_xlabel(_literal(label_x or "", one_line=False))
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
