"""Export of figures as inline SVG for HTML pages."""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from ipsstats._arrays import fail

if TYPE_CHECKING:
    from matplotlib.figure import Figure
from ipsstats.plot._mpl import _matplotlib

__all__ = ["figure_to_svg"]

_MISSING_GLYPH = r"Glyph \d+ .* missing from font"

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
    ``svg.hashsalt``), through :func:`matplotlib.rc_context`. matplotlib's warnings that
    a glyph is missing from its font are not passed on: the browser draws the text in its
    own fonts.

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
    with (
        mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ipsstats"}),
        warnings.catch_warnings(),
    ):
        # text is written as text, drawn by the browser in its own fonts: a glyph missing
        # from matplotlib's font only affects the layout estimate, not what is shown
        warnings.filterwarnings("ignore", _MISSING_GLYPH, UserWarning)
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    markup = buffer.getvalue()
    return markup[markup.index("<svg") :]
