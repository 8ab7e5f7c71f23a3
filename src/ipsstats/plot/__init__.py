"""Figures: survival and incidence curves, representation and outcome charts, funnel plots.

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

from ipsstats.plot._mpl import OptionalDependencyError
from ipsstats.plot.curves import plot_cumulative_incidence, plot_survival
from ipsstats.plot.equity import plot_outcomes, plot_representation
from ipsstats.plot.funnel import plot_funnel
from ipsstats.plot.svg import figure_to_svg

__all__ = [
    "OptionalDependencyError",
    "figure_to_svg",
    "plot_cumulative_incidence",
    "plot_funnel",
    "plot_outcomes",
    "plot_representation",
    "plot_survival",
]
