"""Tests of ipsstats.plot.plot_funnel: the funnel figure drawn from a funnel result."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D

from ipsstats import InvalidInputError, funnel, outcome_funnel
from ipsstats.datasets import synthetic_cohort
from ipsstats.plot import plot_funnel

TEAMS = ["North", "South", "East", "West", "Central"]


def teams_funnel() -> object:
    return funnel([12, 30, 9, 40, 5], [40, 60, 30, 70, 35], labels=TEAMS, name="team")


def legend_texts(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_funnel_figure_draws_limits_points_and_flags() -> None:
    res = teams_funnel()
    fig = plot_funnel(res)  # type: ignore[arg-type]
    ax = fig.axes[0]
    assert legend_texts(fig) == [
        "Target 40.9%",
        "95% limits",
        "99.8% limits",
        "Within limits",
        "Above",
        "Below",
    ]
    points = {line.get_label(): line for line in ax.lines if line.get_marker() == "o"}
    above = np.asarray(points["Above"].get_xydata())
    assert above.tolist() == [[70.0, 40 / 70]]
    below = np.asarray(points["Below"].get_xydata())
    assert below.tolist() == [[35.0, 5 / 35]]
    curves = [
        line
        for line in ax.lines
        if line.get_linestyle() in ("--", "-") and line.get_marker() in ("None", "", None)
    ]
    upper_95 = next(line for line in curves if line.get_label() == "95% limits")
    assert np.array_equal(upper_95.get_xdata(), res.precision)  # type: ignore[attr-defined]
    assert np.array_equal(upper_95.get_ydata(), res.curve_upper[0])  # type: ignore[attr-defined]
    assert sorted(t.get_text() for t in ax.texts) == ["Central", "West"]
    assert ax.get_xlabel() == "People"
    assert ax.get_ylabel() == "Proportion"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    buffer.seek(0)
    pixels = imread(buffer, format="png")
    assert np.ptp(np.asarray(pixels)[..., :3], axis=-1).max() > 0.2  # coloured points


def test_unit_labels_options_and_escaping() -> None:
    res = funnel(
        [12, 30, 9, 40, 5],
        [40, 60, 30, 70, 35],
        labels=["$N$", "South", "East", "West", "Central"],
    )
    everyone = plot_funnel(res, unit_labels="all")
    texts = [t.get_text() for t in everyone.axes[0].texts]
    assert texts[0] == r"\$N\$"  # drawn as typed, not as mathtext
    assert len(texts) == 5
    assert len(plot_funnel(res, unit_labels="none").axes[0].texts) == 0


def test_ratio_funnel_axes_and_caller_axes() -> None:
    res = outcome_funnel(
        synthetic_cohort().with_age_band((35, 50)), "team", strata=["age_band", "gender"]
    )
    fig = Figure()
    ax = fig.add_subplot()
    out = plot_funnel(res, ax=ax, title="Teams", xlabel="", ylabel="O/E")
    assert out is fig
    assert ax.get_title() == "Teams"
    assert ax.get_xlabel() == ""
    assert ax.get_ylabel() == "O/E"
    target = next(line for line in ax.lines if isinstance(line, Line2D))
    assert np.asarray(target.get_ydata())[0] == pytest.approx(1.0)
    assert legend_texts(fig)[0] == "Target 1"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"unit_labels": "some"}, r"`unit_labels` must be one of 'flagged', 'all', 'none'"),
        ({"title": 3}, r"`title` must be a string or None"),
        ({"ax": "axes"}, r"`ax` must be a matplotlib Axes or None"),
    ],
)
def test_plot_funnel_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        plot_funnel(teams_funnel(), **kwargs)  # type: ignore[arg-type]


def test_plot_funnel_needs_a_funnel() -> None:
    with pytest.raises(InvalidInputError, match=r"`result` must be a Funnel; got dict"):
        plot_funnel({"units": []})  # type: ignore[arg-type]
