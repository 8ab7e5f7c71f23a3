"""Tests of ipsstats.plot: the optional matplotlib figures and their SVG export."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D
from numpy.typing import NDArray

import ipsstats
from ipsstats import (
    IncidenceCurve,
    InvalidInputError,
    IpsStatsError,
    SurvivalCurve,
    cumulative_incidence,
    kaplan_meier,
)
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.datasets import perkins2022
from ipsstats.equity import AccessEquity, OutcomeEquity, access_equity, outcome_equity
from ipsstats.plot import (
    OptionalDependencyError,
    figure_to_svg,
    plot_cumulative_incidence,
    plot_outcomes,
    plot_representation,
    plot_survival,
)
from ipsstats.report.render import sanitize_svg
from tests.strategies import censored_samples

GROUPS = ("White", "Black", "Asian")


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _sample(seed: int, n: int = 40) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Durations in whole days and causes (0 censored, 1 job, 2 discharge)."""
    rng = np.random.default_rng(seed)
    time = rng.exponential(150.0, n).round()
    censor = rng.uniform(0.0, 400.0, n).round()
    cause = np.where(time <= censor, rng.integers(1, 3, n), 0)
    return np.minimum(time, censor), cause


def _km_curves() -> dict[str, SurvivalCurve]:
    curves = {}
    for seed, group in enumerate(GROUPS):
        durations, causes = _sample(seed)
        curves[group] = kaplan_meier(durations, causes == 1)
    return curves


def _incidence_curves() -> dict[str, IncidenceCurve]:
    curves = {}
    for seed, group in enumerate(GROUPS):
        durations, causes = _sample(seed + 10)
        curves[group] = cumulative_incidence(durations, causes, cause=1)
    return curves


def _png_pixels(fig: Figure) -> NDArray[np.float64]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    buffer.seek(0)
    pixels: NDArray[np.float64] = np.asarray(imread(buffer, format="png"), dtype=np.float64)
    return pixels


def _assert_drawn(fig: Figure) -> None:
    pixels = _png_pixels(fig)
    rgb = pixels[..., :3]
    assert rgb.var() > 0
    assert (rgb < 0.99).any()  # not all white
    # coloured ink, not only black text and grey grid lines
    assert (np.ptp(rgb, axis=-1) > 0.2).any()


def _legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def _labelled_lines(ax: Axes, labels: tuple[str, ...]) -> list[Line2D]:
    return [line for line in ax.lines if line.get_label() in labels]


def _censor_lines(ax: Axes) -> list[Line2D]:
    return [line for line in ax.lines if line.get_marker() == "+"]


def _bands(ax: Axes) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _table_numbers(fig: Figure) -> list[list[str]]:
    """The at-risk table's texts, one list per row (group), left to right."""
    table = fig.axes[1]
    rows: dict[float, list[tuple[float, str]]] = {}
    for text in table.texts:
        x, y = text.get_position()
        rows.setdefault(float(y), []).append((float(x), text.get_text()))
    return [[t for _, t in sorted(rows[y])] for y in sorted(rows)]


def _segments(ax: Axes) -> list[NDArray[np.float64]]:
    collections = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(collections) <= 1
    return [np.asarray(s) for c in collections for s in c.get_segments()]


# --------------------------------------------------------------------------------------
# optional dependency
# --------------------------------------------------------------------------------------


def test_import_ipsstats_and_plot_module_do_not_import_matplotlib() -> None:
    code = (
        "import sys, ipsstats, ipsstats.plot; "
        "print(any(m == 'matplotlib' or m.startswith('matplotlib.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "False"


def test_plot_names_are_not_exported_from_the_package() -> None:
    assert not any(name.startswith("plot_") for name in ipsstats.__all__)
    assert "figure_to_svg" not in ipsstats.__all__


@pytest.mark.parametrize(
    "call",
    [
        lambda: plot_survival(_km_curves()),
        lambda: plot_cumulative_incidence(_incidence_curves()),
        lambda: plot_representation(labels=["a"], ips_share=[0.5], eligible_share=[0.5]),
        lambda: plot_outcomes(labels=["a"], rate=[0.5]),
        lambda: figure_to_svg(object()),  # type: ignore[arg-type]  # checked after import
    ],
)
def test_missing_matplotlib_raises_install_hint(
    monkeypatch: pytest.MonkeyPatch, call: Any
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(OptionalDependencyError, match=r'pip install "ipsstats\[plot\]"') as info:
        call()
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, IpsStatsError)
    assert info.value.name == "matplotlib"


# --------------------------------------------------------------------------------------
# Kaplan-Meier curves
# --------------------------------------------------------------------------------------


def test_survival_figure_is_drawn_with_one_series_per_group() -> None:
    curves = _km_curves()
    fig = plot_survival(curves, title="Time to job")
    _assert_drawn(fig)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert _legend_texts(ax) == list(GROUPS)
    assert len(_labelled_lines(ax, GROUPS)) == len(GROUPS)
    assert len(_bands(ax)) == len(GROUPS)
    assert len(_censor_lines(ax)) == sum(bool((c.n_censored > 0).any()) for c in curves.values())
    assert ax.get_title() == "Time to job"
    assert ax.get_xlabel() == "Days since first contact"


def test_survival_step_lines_trace_the_estimate_exactly() -> None:
    curves = _km_curves()
    ax = plot_survival(curves).axes[0]
    for line, curve in zip(_labelled_lines(ax, GROUPS), curves.values(), strict=True):
        x, y = (np.asarray(v, dtype=np.float64) for v in line.get_data())
        np.testing.assert_array_equal(x, np.concatenate([[0.0], curve.times]))
        np.testing.assert_array_equal(y, np.concatenate([[1.0], curve.survival]))
        assert line.get_drawstyle() == "steps-post"


def test_censor_marks_sit_on_the_curve_at_censoring_times() -> None:
    curves = _km_curves()
    ax = plot_survival(curves).axes[0]
    for marks, curve in zip(_censor_lines(ax), curves.values(), strict=True):
        censored = curve.n_censored > 0
        x, y = (np.asarray(v, dtype=np.float64) for v in marks.get_data())
        np.testing.assert_array_equal(x, curve.times[censored])
        np.testing.assert_array_equal(y, curve.survival[censored])


def test_bands_stay_within_the_confidence_limits() -> None:
    curves = _km_curves()
    ax = plot_survival(curves).axes[0]
    for band, curve in zip(_bands(ax), curves.values(), strict=True):
        y = np.concatenate([np.asarray(path.vertices)[:, 1] for path in band.get_paths()])
        finite_low = curve.lower[np.isfinite(curve.lower)]
        assert y.min() >= min(float(finite_low.min()), float(curve.survival.min())) - 1e-12
        assert y.max() <= 1.0 + 1e-12


def test_options_turn_off_bands_marks_and_table() -> None:
    fig = plot_survival(_km_curves(), ci=False, censor_marks=False, at_risk_table=False)
    _assert_drawn(fig)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert _bands(ax) == []
    assert _censor_lines(ax) == []
    assert len(_labelled_lines(ax, GROUPS)) == len(GROUPS)


def test_at_risk_table_matches_curve_table_and_is_zero_after_follow_up() -> None:
    curves = _km_curves()
    last = min(float(c.times[-1]) for c in curves.values())
    times = [0.0, 50.0, 100.0, last, 1000.0]
    fig = plot_survival(curves, at_risk_times=times)
    table = fig.axes[1]
    assert [t.get_text() for t in table.get_yticklabels()] == list(GROUPS)
    expected = []
    for curve in curves.values():
        inside = [t for t in times if t <= curve.times[-1]]
        counts = curve.table(inside).n_at_risk.tolist() + [0.0] * (len(times) - len(inside))
        expected.append([f"{c:.0f}" for c in counts])
    assert _table_numbers(fig) == expected
    assert expected[0][0] == "40"  # everyone is at risk at time 0
    np.testing.assert_array_equal(fig.axes[0].get_xticks(), times)


def test_default_at_risk_times_are_the_time_axis_ticks() -> None:
    curves = _km_curves()
    fig = plot_survival(curves)
    ticks = fig.axes[0].get_xticks()
    assert ticks[0] == 0.0
    assert ticks[-1] <= max(float(c.times[-1]) for c in curves.values())
    assert len(_table_numbers(fig)[0]) == ticks.size


def test_at_risk_counts_of_a_hand_checked_example() -> None:
    # Counted by hand (the rule of R's summary(survfit(...), times = c(0, 10, 20, 30))$n.risk):
    # at risk at 0: all 7; at 10: 6 (the 9 has left); at 20: 3 (23, 28, 31); at 30: 1 (31).
    curve = kaplan_meier([9, 13, 13, 18, 23, 28, 31], [1, 1, 0, 1, 1, 0, 1])
    fig = plot_survival({"Maintained": curve}, at_risk_times=[30, 0, 20, 10, 10])
    assert _table_numbers(fig) == [["7", "6", "3", "1"]]


def test_weighted_counts_show_one_decimal() -> None:
    curve = kaplan_meier([1, 2, 3], [1, 1, 0], weights=[0.5, 1.0, 1.25])
    fig = plot_survival({"w": curve}, at_risk_times=[0, 2])
    assert _table_numbers(fig) == [["2.8", "2.2"]]


def test_curve_with_event_at_time_zero_and_survival_reaching_zero() -> None:
    curve = kaplan_meier([0, 0, 1, 2], [1, 1, 1, 1])
    fig = plot_survival({1: curve}, at_risk_times=[0, 1, 2])
    _assert_drawn(fig)
    assert _legend_texts(fig.axes[0]) == ["1"]
    assert _table_numbers(fig) == [["4", "2", "1"]]


def test_draws_into_given_axes_and_splits_it_for_the_table() -> None:
    fig = Figure(layout="constrained")
    left, right = fig.subplots(1, 2)
    out = plot_survival(_km_curves(), ax=left)
    assert out is fig
    assert len(fig.axes) == 3  # the table took the lower part of `left`
    assert right in fig.axes
    _assert_drawn(fig)


def test_draws_into_freely_placed_axes_with_an_inset_table() -> None:
    fig = Figure()
    ax = fig.add_axes((0.1, 0.4, 0.8, 0.5))
    assert plot_survival(_km_curves(), ax=ax, at_risk_times=[0, 100]) is fig
    assert len(ax.child_axes) == 1
    assert len(ax.child_axes[0].texts) == 2 * len(GROUPS)


def test_draws_into_subfigure_axes_and_returns_the_top_figure() -> None:
    fig = Figure()
    sub = fig.add_subfigure(fig.add_gridspec(1, 2)[0])
    ax = sub.add_subplot()
    assert plot_survival(_km_curves(), ax=ax, at_risk_table=False) is fig


@settings(max_examples=10)
@given(censored_samples(max_size=25))
def test_at_risk_table_property(sample: tuple[NDArray[np.float64], NDArray[np.bool_]]) -> None:
    durations, events = sample
    curve = kaplan_meier(durations, events)
    fig = plot_survival({"g": curve})
    ticks = fig.axes[0].get_xticks()
    inside = ticks[ticks <= curve.times[-1]]
    expected = curve.table(inside).n_at_risk.tolist() + [0.0] * (ticks.size - inside.size)
    assert _table_numbers(fig) == [[f"{c:.0f}" for c in expected]]
    assert _table_numbers(fig)[0][0] == f"{durations.size}"


# --------------------------------------------------------------------------------------
# cumulative incidence
# --------------------------------------------------------------------------------------


def test_incidence_figure_is_drawn_with_one_series_per_group() -> None:
    curves = _incidence_curves()
    fig = plot_cumulative_incidence(curves, at_risk_times=[0, 100, 200])
    _assert_drawn(fig)
    ax = fig.axes[0]
    assert _legend_texts(ax) == list(GROUPS)
    assert ax.get_ylabel() == "Cumulative incidence"
    assert len(_bands(ax)) == len(GROUPS)
    for line, curve in zip(_labelled_lines(ax, GROUPS), curves.values(), strict=True):
        x, y = (np.asarray(v, dtype=np.float64) for v in line.get_data())
        np.testing.assert_array_equal(x, np.concatenate([[0.0], curve.times]))
        np.testing.assert_array_equal(y, np.concatenate([[0.0], curve.incidence]))
    expected = [
        [f"{np.append(c.n_at_risk, 0.0)[np.searchsorted(c.times, t)]:.0f}" for t in (0, 100, 200)]
        for c in curves.values()
    ]
    assert _table_numbers(fig) == expected


def test_incidence_at_risk_hand_checked() -> None:
    job = cumulative_incidence([3, 5, 5, 8, 9, 12], [1, 2, 1, 0, 1, 2], cause=1)
    fig = plot_cumulative_incidence({"All": job}, at_risk_times=[0, 5, 10, 13])
    assert _table_numbers(fig) == [["6", "5", "1", "0"]]


def test_incidence_without_table_or_bands() -> None:
    fig = plot_cumulative_incidence(
        _incidence_curves(), ci=False, censor_marks=False, at_risk_table=False, ylabel=None
    )
    assert len(fig.axes) == 1
    assert _bands(fig.axes[0]) == []
    assert fig.axes[0].get_ylabel() == ""


# --------------------------------------------------------------------------------------
# representation
# --------------------------------------------------------------------------------------


def _access_result() -> AccessEquity:
    data = perkins2022()
    return access_equity(data.ips_ethnicity["CNWL"], data.caseload_ethnicity["CNWL"])


def test_representation_from_arrays() -> None:
    fig = plot_representation(
        labels=GROUPS,
        ips_share=[0.70, 0.18, 0.12],
        eligible_share=[0.62, 0.22, 0.16],
        lower=[0.64, 0.13, float("nan")],
        upper=[0.75, 0.24, float("nan")],
        title="Access",
    )
    _assert_drawn(fig)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == list(GROUPS)
    assert _legend_texts(ax) == ["Eligible caseload", "IPS users", "IPS users, 95% CI"]
    eligible, ips = ax.lines
    np.testing.assert_array_equal(eligible.get_xdata(), [0.62, 0.22, 0.16])
    np.testing.assert_array_equal(ips.get_xdata(), [0.70, 0.18, 0.12])
    segments = _segments(ax)
    assert len(segments) == 2  # no bar where the interval is undefined
    np.testing.assert_array_equal(segments[1], [[0.13, 1.0], [0.24, 1.0]])


def test_representation_without_intervals() -> None:
    fig = plot_representation(labels=["a", "b"], ips_share=[0.4, 0.6], eligible_share=[0.5, 0.5])
    assert _segments(fig.axes[0]) == []
    assert _legend_texts(fig.axes[0]) == ["Eligible caseload", "IPS users"]


def test_representation_from_access_result_agrees_with_flags() -> None:
    result = _access_result()
    fig = plot_representation(result, confidence_level=0.9)
    _assert_drawn(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(g.group) for g in result.groups]
    assert _legend_texts(ax)[-1] == "IPS users, 90% CI"
    segments = _segments(ax)
    assert len(segments) == len(result.groups)
    for group, segment in zip(result.groups, segments, strict=True):
        ratio = group.representation_ratio
        assert ratio.lower is not None
        assert ratio.upper is not None
        low, high = segment[0, 0], segment[1, 0]
        np.testing.assert_allclose(low, ratio.lower * group.eligible_share, rtol=1e-12)
        np.testing.assert_allclose(high, ratio.upper * group.eligible_share, rtol=1e-12)
        excludes = not low <= group.eligible_share <= high
        assert excludes == (group.flag != "none")
    assert {g.flag for g in result.groups} == {"over", "under", "none"}


@attrs.frozen
class _Estimate:
    value: float | None
    lower: float | None
    upper: float | None


@attrs.frozen
class _AccessGroup:
    group: object
    ips_share: float
    eligible_share: float
    representation_ratio: _Estimate


@attrs.frozen
class _Access:
    groups: tuple[_AccessGroup, ...]


def test_representation_duck_typed_result_with_undefined_and_wide_intervals() -> None:
    result = _Access(
        groups=(
            _AccessGroup("none used IPS", 0.0, 0.2, _Estimate(0.0, None, None)),
            _AccessGroup("wide", 0.5, 0.4, _Estimate(1.25, 0.5, 4.0)),
        )
    )
    ax = plot_representation(result).axes[0]
    assert _legend_texts(ax)[-1] == "IPS users, 95% CI"
    segments = _segments(ax)
    assert len(segments) == 1
    np.testing.assert_allclose(segments[0], [[0.2, 1.0], [1.0, 1.0]], rtol=1e-12)  # clipped


# --------------------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------------------


def test_outcomes_from_arrays() -> None:
    fig = plot_outcomes(
        labels=GROUPS,
        rate=[0.46, 0.38, 0.52],
        lower=[0.41, 0.28, 0.39],
        upper=[0.51, 0.49, 0.65],
        reference=0.45,
        confidence_level=0.9,
    )
    _assert_drawn(fig)
    ax = fig.axes[0]
    assert _legend_texts(ax) == ["Job rate", "Job rate, 90% CI", "Overall: 45%"]
    dots, reference = ax.lines
    np.testing.assert_array_equal(dots.get_xdata(), [0.46, 0.38, 0.52])
    np.testing.assert_array_equal(reference.get_xdata(), [0.45, 0.45])
    assert len(_segments(ax)) == 3


def test_outcomes_without_reference_or_intervals() -> None:
    ax = plot_outcomes(labels=["a"], rate=[0.5], xlabel=None).axes[0]
    assert len(ax.lines) == 1
    assert _legend_texts(ax) == ["Job rate"]
    assert ax.get_xlabel() == ""


def test_outcomes_from_outcome_result() -> None:
    table = perkins2022().jobs_all["CNWL"]
    result: OutcomeEquity = outcome_equity(table, "ethnicity")
    fig = plot_outcomes(result)
    _assert_drawn(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{g.group} ({g.jobs}/{g.n})" for g in result.groups]
    overall = sum(g.jobs for g in result.groups) / sum(g.n for g in result.groups)
    reference = np.asarray(ax.lines[1].get_xdata(), dtype=np.float64)
    np.testing.assert_allclose(reference, [overall, overall], rtol=1e-15)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [g.rate.value for g in result.groups])
    for group, segment in zip(result.groups, _segments(ax), strict=True):
        np.testing.assert_array_equal(segment[:, 0], [group.rate.lower, group.rate.upper])


@attrs.frozen
class _OutcomeGroup:
    group: object
    n: int
    jobs: int
    rate: _Estimate


@attrs.frozen
class _Outcome:
    groups: tuple[_OutcomeGroup, ...]
    confidence_level: float = 0.99


def test_outcomes_marks_groups_without_a_rate() -> None:
    result = _Outcome(
        groups=(
            _OutcomeGroup("empty", 0, 0, _Estimate(None, None, None)),
            _OutcomeGroup("some", 10, 4, _Estimate(0.4, 0.17, 0.69)),
        )
    )
    ax = plot_outcomes(result).axes[0]
    assert [t.get_text() for t in ax.texts] == ["not estimable"]
    assert _legend_texts(ax) == ["Job rate", "Job rate, 99% CI", "Overall: 40%"]
    assert len(_segments(ax)) == 1


def test_outcomes_result_with_nobody_has_no_reference_line() -> None:
    result = _Outcome(groups=(_OutcomeGroup("empty", 0, 0, _Estimate(None, None, None)),))
    ax = plot_outcomes(result).axes[0]
    assert _legend_texts(ax) == ["Job rate"]


# --------------------------------------------------------------------------------------
# SVG export
# --------------------------------------------------------------------------------------


def test_figure_to_svg_is_embeddable_and_reproducible() -> None:
    svg = figure_to_svg(plot_survival(_km_curves()))
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    for group in GROUPS:
        assert f">{group}<" in svg  # text stays text
    assert figure_to_svg(plot_survival(_km_curves())) == svg  # no date, stable ids


def test_figure_to_svg_is_accepted_by_the_html_renderer() -> None:
    svg = figure_to_svg(plot_survival(_km_curves()))
    cleaned = sanitize_svg(svg)
    assert cleaned is not None
    assert sanitize_svg(cleaned) == cleaned  # nothing left to remove
    # only the metadata goes: every drawn element and every text stays
    tree = ET.fromstring(svg)
    drawn = [e for e in tree.iter() if "metadata" not in _ancestry(tree, e)]
    kept = list(ET.fromstring(cleaned).iter())
    assert [e.tag for e in kept] == [e.tag for e in drawn]
    assert _texts(cleaned) == _texts(svg)


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------


def test_curves_must_be_a_non_empty_mapping_of_curves() -> None:
    curve = _km_curves()["White"]
    with pytest.raises(InvalidInputError, match=r"`curves` must be a mapping .*; got list"):
        plot_survival([curve])  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(InvalidInputError, match=r"`curves` must .* at least one curve"):
        plot_survival({})
    with pytest.raises(InvalidInputError, match=r"hold SurvivalCurve values; got Incidence"):
        plot_survival({"a": _incidence_curves()["White"]})  # type: ignore[dict-item]
    with pytest.raises(InvalidInputError, match=r"hold IncidenceCurve values; got Survival"):
        plot_cumulative_incidence({"a": curve})  # type: ignore[dict-item]


@pytest.mark.parametrize("name", ["ci", "censor_marks", "at_risk_table"])
def test_flags_must_be_booleans(name: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"`{name}` must be True or False; got 1"):
        plot_survival(_km_curves(), **{name: 1})  # type: ignore[arg-type]  # wrong on purpose


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ([], r"`at_risk_times` must hold at least one time; got an empty sequence"),
        ([0, -1], r"`at_risk_times` must hold non-negative durations"),
        ([0, float("nan")], r"`at_risk_times` must hold finite durations"),
        ("0, 10", r"`at_risk_times` must be array-like"),
    ],
)
def test_at_risk_times_are_validated(times: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        plot_survival(_km_curves(), at_risk_times=times)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["title", "xlabel", "ylabel"])
def test_texts_must_be_strings(name: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"`{name}` must be a string or None; got int"):
        plot_survival(_km_curves(), **{name: 3})  # type: ignore[arg-type]  # wrong on purpose
    if name != "ylabel":
        with pytest.raises(InvalidInputError, match=rf"`{name}` must be a string or None"):
            plot_outcomes(labels=["a"], rate=[0.5], **{name: 3})  # type: ignore[arg-type]


def test_ax_must_be_a_matplotlib_axes() -> None:
    with pytest.raises(InvalidInputError, match=r"`ax` must be a matplotlib Axes or None; got"):
        plot_survival(_km_curves(), ax=Figure())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"`ax` must be a matplotlib Axes"):
        plot_outcomes(labels=["a"], rate=[0.5], ax="left")  # type: ignore[arg-type]


def test_result_or_arrays_but_not_both_nor_neither() -> None:
    result = _access_result()
    with pytest.raises(InvalidInputError, match=r"`result` must be given alone.*; got neither"):
        plot_representation()
    with pytest.raises(InvalidInputError, match=r"`result` must be given alone.*; got both"):
        plot_representation(result, labels=["a"])
    with pytest.raises(InvalidInputError, match=r"`result` must be given alone.*; got neither"):
        plot_outcomes()
    with pytest.raises(InvalidInputError, match=r"`result` must be given alone.*; got both"):
        plot_outcomes(result, reference=0.5)


def test_arrays_must_come_together() -> None:
    with pytest.raises(InvalidInputError, match=r"`eligible_share` must be given with the"):
        plot_representation(labels=["a"], ips_share=[0.5])
    with pytest.raises(InvalidInputError, match=r"`labels` must be given with the other"):
        plot_outcomes(rate=[0.5])
    with pytest.raises(InvalidInputError, match=r"`upper` must be given together"):
        plot_outcomes(labels=["a"], rate=[0.5], lower=[0.4])
    with pytest.raises(InvalidInputError, match=r"`lower` must be given together"):
        plot_outcomes(labels=["a"], rate=[0.5], upper=[0.6])
    with pytest.raises(InvalidInputError, match=r"^`rate` must be given with the other arrays"):
        plot_outcomes(labels=["a"], reference=0.5)
    with pytest.raises(InvalidInputError, match=r"^`ips_share` must be given with the other"):
        plot_representation(labels=["a"], eligible_share=[0.5], lower=[0.4], upper=[0.6])


def test_result_or_arrays_messages_name_the_arrays() -> None:
    access = (
        r"^`result` must be given alone, or omitted and `labels`, `ips_share` and "
        r"`eligible_share` given; got neither\. Hint: pass an AccessEquity result, or the "
        r"arrays, not both\."
    )
    with pytest.raises(InvalidInputError, match=access):
        plot_representation()
    outcome = (
        r"^`result` must be given alone, or omitted and `labels` and `rate` given; got both\. "
        r"Hint: pass an OutcomeEquity result, or the arrays, not both\."
    )
    with pytest.raises(InvalidInputError, match=outcome):
        plot_outcomes(_access_result(), lower=[0.1])


def test_row_plots_validate_texts_and_set_them() -> None:
    with pytest.raises(InvalidInputError, match=r"^`title` must be a string or None"):
        plot_outcomes(labels=["a"], rate=[0.5], title=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^`xlabel` must be a string or None"):
        plot_representation(
            labels=["a"],
            ips_share=[0.5],
            eligible_share=[0.5],
            xlabel=2,  # type: ignore[arg-type]
        )
    fig = plot_outcomes(labels=["a"], rate=[0.5], title="Jobs", xlabel="Share")
    assert (fig.axes[0].get_title(), fig.axes[0].get_xlabel()) == ("Jobs", "Share")
    fig = plot_representation(labels=["a"], ips_share=[0.5], eligible_share=[0.5], xlabel=None)
    assert (fig.axes[0].get_title(), fig.axes[0].get_xlabel()) == ("", "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": []}, r"`labels` must name at least one group; got an empty sequence"),
        ({"labels": [["a"]]}, r"`labels` must be 1-dimensional; got an array of shape \(1, 1\)"),
        ({"rate": [float("nan")]}, r"`rate` must hold proportions between 0 and 1; got nan"),
        ({"rate": [1.5]}, r"`rate` must hold proportions between 0 and 1; got 1.5 at index 0"),
        ({"rate": [float("inf")]}, r"`rate` must hold proportions .*; got inf"),
        ({"rate": ["high"]}, r"`rate` must hold proportions .*; got an array of dtype <U4"),
        ({"rate": [True]}, r"`rate` must hold proportions .*; got an array of dtype bool"),
        ({"rate": [None]}, r"`rate` must hold proportions .*; got nan"),
        ({"rate": [object()]}, r"`rate` must hold proportions .*; got non-numeric values"),
        ({"rate": [[0.5]]}, r"`rate` must be 1-dimensional"),
        ({"rate": [0.5, 0.6]}, r"`labels` must have the same length as `rate`"),
        (
            {"lower": [0.1], "upper": [1.2]},
            r"`upper` must hold proportions between 0 and 1 \(NaN where undefined\); got 1.2",
        ),
        ({"lower": [0.6], "upper": [0.7]}, r"`lower` must and `upper` contain `rate`; got 0.6"),
        ({"lower": [0.1, 0.2], "upper": [0.7, 0.8]}, r"`rate` must have the same length"),
        ({"reference": 2.0}, r"`reference` must be a proportion between 0 and 1, or None; got 2"),
        ({"reference": True}, r"`reference` must be a proportion .*; got True"),
        ({"confidence_level": 95}, r"`confidence_level` must be .*Hint: did you mean 0.95"),
    ],
)
def test_outcome_arrays_are_validated(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"labels": ["a"], "rate": [0.5], **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        plot_outcomes(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ips_share": [float("nan")]}, r"`ips_share` must hold proportions.*Hint: leave out"),
        ({"eligible_share": [-0.1]}, r"`eligible_share` must hold proportions.*; got -0.1"),
        ({"eligible_share": [0.1, 0.2]}, r"`labels` must have the same length as `ips_share`"),
        ({"lower": [0.55], "upper": [0.6]}, r"`lower` must and `upper` contain `ips_share`"),
    ],
)
def test_representation_arrays_are_validated(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "labels": ["a"],
        "ips_share": [0.5],
        "eligible_share": [0.5],
        **kwargs,
    }
    with pytest.raises(InvalidInputError, match=message):
        plot_representation(**arguments)


def test_results_must_have_the_documented_fields() -> None:
    with pytest.raises(InvalidInputError, match=r"`result` must be an AccessEquity result.*"):
        plot_representation(object())
    wrong = _Access(groups=(_OutcomeGroup("a", 1, 1, _Estimate(1, 1, 1)),))  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(InvalidInputError, match=r"got _OutcomeGroup without a `representation_"):
        plot_representation(wrong)
    with pytest.raises(InvalidInputError, match=r"`result` must be an OutcomeEquity result"):
        plot_outcomes(_access_result())
    with pytest.raises(InvalidInputError, match=r"`result` must hold at least one group"):
        plot_representation(_Access(groups=()))
    with pytest.raises(InvalidInputError, match=r"`result` must hold at least one group"):
        plot_outcomes(_Outcome(groups=()))


def test_figure_to_svg_needs_a_figure() -> None:
    with pytest.raises(InvalidInputError, match=r"`fig` must be a matplotlib Figure; got str"):
        figure_to_svg("<svg/>")  # type: ignore[arg-type]


@settings(max_examples=5)
@given(st.lists(st.one_of(st.integers(), st.text(max_size=8)), min_size=1, max_size=4))
def test_labels_are_shown_with_str(labels: list[object]) -> None:
    svg = figure_to_svg(plot_outcomes(labels=labels, rate=[0.5] * len(labels)))
    shown = _texts(svg)
    for label in labels:
        assert _as_shown(str(label)).strip() == "" or _as_shown(str(label)) in shown


# --------------------------------------------------------------------------------------
# labels from the data: drawn as written, in SVG that parses and runs nothing
# --------------------------------------------------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"
# labels that broke the regular-expression sanitiser, or that matplotlib reads as markup
HOSTILE_LABELS = (
    "Age at onset = 18-25",
    '" onmouseover="alert(1)',
    "<script>alert(1)</script>",
    "x onclick=y",
    "$x^2$",
    r"\alpha $\beta$",
    "a\\$b",
    "50% & more",
    "]]><![CDATA[",
    "<!-- -->",
)


def _as_shown(label: str) -> str:
    """The label as a figure shows it, written out character by character (naive)."""
    out = []
    for char in label.replace("\r\n", " "):
        code = ord(char)
        if char in "\t\n\r\x85\u2028\u2029":
            out.append(" ")
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or 0x202A <= code <= 0x202E
            or 0x2066 <= code <= 0x2069
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF)
        ):
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def _ancestry(tree: ET.Element, element: ET.Element) -> str:
    """Tags of `element` and its ancestors in `tree`, joined (to find metadata)."""
    parents = {child: parent for parent in tree.iter() for child in parent}
    tags: list[str] = []
    node: ET.Element | None = element
    while node is not None:
        tags.append(str(node.tag))
        node = parents.get(node)
    return " ".join(tags)


def _texts(svg: str) -> list[str]:
    """The text of every SVG ``<text>`` element (the figure's labels, as drawn)."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]


def _assert_safe(svg: str) -> None:
    """The markup parses and holds no script, foreign content or event handler."""
    tree = ET.fromstring(svg)
    for element in tree.iter():
        local = str(element.tag).rpartition("}")[2].lower()
        assert local not in {"script", "foreignobject", "a", "iframe", "image"}
        for name, value in element.attrib.items():
            assert not name.rpartition("}")[2].lower().startswith("on")
            assert "javascript:" not in value.lower()


def _label_svgs(labels: list[str]) -> list[str]:
    """Every figure that shows group labels, as SVG, through the HTML sanitiser."""
    curve = _km_curves()["White"]
    incidence = _incidence_curves()["White"]
    rates = [0.5] * len(labels)
    figures = [
        plot_outcomes(labels=labels, rate=rates, title=labels[0], xlabel=labels[-1]),
        plot_representation(labels=labels, ips_share=rates, eligible_share=rates),
        plot_survival(dict.fromkeys(labels, curve), ylabel=labels[0]),
        plot_cumulative_incidence(dict.fromkeys(labels, incidence), title=labels[-1]),
    ]
    out = []
    for figure in figures:
        svg = figure_to_svg(figure)
        cleaned = sanitize_svg(svg)
        assert cleaned is not None, "the sanitiser refused ipsstats' own figure"
        out += [svg, cleaned]
    return out


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_hostile_labels_are_drawn_as_written(label: str) -> None:
    for svg in _label_svgs([label, "other"]):
        _assert_safe(svg)
        assert label in _texts(svg)


@settings(max_examples=25)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=3, unique=True))
def test_any_label_gives_svg_that_parses_and_shows_it(labels: list[str]) -> None:
    # arbitrary Unicode, control characters included: every SVG parses, holds no script or
    # handler, and shows each label as written (control characters as U+FFFD, line breaks
    # as spaces); labels that differ only in such characters may coincide, so check each
    shown = [_as_shown(label) for label in labels]
    for svg in _label_svgs(labels):
        _assert_safe(svg)
        texts = _texts(svg)
        for text in shown:
            assert text.strip() == "" or text in texts


# --------------------------------------------------------------------------------------
# time scale and small multiples
# --------------------------------------------------------------------------------------


def test_time_scale_draws_days_in_months_and_keeps_the_numbers_at_risk() -> None:
    curves = _km_curves()
    in_days = plot_survival(curves, at_risk_times=[0.0, 91.3125, 182.625])
    in_months = plot_survival(curves, at_risk_times=[0.0, 3.0, 6.0], time_scale=DAYS_PER_MONTH)
    for line, curve in zip(
        _labelled_lines(in_months.axes[0], GROUPS), curves.values(), strict=True
    ):
        x = np.asarray(line.get_data()[0], dtype=np.float64)
        np.testing.assert_allclose(
            x, np.concatenate([[0.0], curve.times]) / DAYS_PER_MONTH, rtol=1e-15
        )
    # 3 months are 91.3125 days: the same risk sets (exact, as both are in the same units)
    assert _table_numbers(in_months) == _table_numbers(in_days)


@pytest.mark.parametrize("plot", [plot_survival, plot_cumulative_incidence])
def test_panels_draw_one_labelled_panel_per_group_with_the_others_in_grey(plot: Any) -> None:
    curves = _km_curves() if plot is plot_survival else _incidence_curves()
    fig = plot(curves, layout="panels")
    _assert_drawn(fig)
    # one curve axes and one at-risk axes per group
    assert len(fig.axes) == 2 * len(GROUPS)
    panels = fig.axes[0::2]
    assert [ax.get_title(loc="left") for ax in panels] == list(GROUPS)
    for ax, group in zip(panels, GROUPS, strict=True):
        own = _labelled_lines(ax, (group,))
        assert len(own) == 1
        grey = [line for line in ax.lines if line.get_color() == "0.75"]
        assert len(grey) == len(GROUPS) - 1
        assert len(_bands(ax)) == 1
    # each panel's at-risk row is the group's own
    overlay = _table_numbers(plot(curves))
    for k in range(len(GROUPS)):
        texts = [
            t.get_text()
            for t in sorted(fig.axes[2 * k + 1].texts, key=lambda t: t.get_position()[0])
        ]
        assert texts == overlay[k]


def test_panels_without_table_and_one_group() -> None:
    curves = {"All": _km_curves()["White"]}
    fig = plot_survival(curves, layout="panels", at_risk_table=False, title="t")
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title(loc="left") == "All"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layout": "grid"}, r"`layout` must be one of \['overlay', 'panels'\]"),
        ({"time_scale": 0}, r"`time_scale` must be a positive finite number"),
        ({"time_scale": float("nan")}, r"`time_scale` must be a positive finite number"),
        ({"time_scale": True}, r"`time_scale` must be a positive finite number"),
        ({"time_scale": "30"}, r"`time_scale` must be a positive finite number"),
    ],
)
def test_layout_and_time_scale_are_validated(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        plot_survival(_km_curves(), **kwargs)


def test_panels_need_a_figure_of_their_own() -> None:
    ax = Figure().add_subplot()
    with pytest.raises(InvalidInputError, match=r"`ax` must be None when `layout='panels'`"):
        plot_survival(_km_curves(), layout="panels", ax=ax)
