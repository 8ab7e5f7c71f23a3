"""The document of a pooled analysis: sites, job outcomes, durations (for the renderers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ipsstats._version import __version__
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.equity import DurationEquity, OutcomeEquity, ReportedTest
from ipsstats.errors import IpsStatsError
from ipsstats.report.render import (
    BulletList,
    Document,
    Figure,
    Note,
    Paragraph,
    Section,
    Table,
    format_number,
    format_pvalue,
)
from ipsstats.results import Estimate, TestResult
from ipsstats.sites.schema import SUMMARY_SCHEMA_VERSION
from ipsstats.sites.summary import SiteSummary

__all__ = ["PooledLike", "document"]


class PooledLike(Protocol):
    """What the document shows of a pooled analysis (:class:`~ipsstats.sites.PooledAnalysis`)."""

    @property
    def title(self) -> str: ...  # documented on PooledAnalysis
    @property
    def summaries(self) -> tuple[SiteSummary, ...]: ...
    @property
    def sites(self) -> tuple[str, ...]: ...
    @property
    def n(self) -> int: ...
    @property
    def exact(self) -> bool: ...
    @property
    def study_end(self) -> dt.date: ...
    @property
    def latest_access(self) -> dt.date: ...
    @property
    def min_followup_months(self) -> int: ...
    @property
    def by(self) -> tuple[str, ...]: ...
    @property
    def confidence_level(self) -> float: ...
    @property
    def adjust(self) -> str: ...
    @property
    def outcome_all(self) -> Mapping[str, OutcomeEquity | None]: ...
    @property
    def outcome_window(self) -> Mapping[str, OutcomeEquity | None]: ...
    @property
    def durations(self) -> Mapping[str, Mapping[str, DurationEquity | None]]: ...
    @property
    def logrank_by_site(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def gray_by_site(self) -> Mapping[str, Any]: ...
    @property
    def notes(self) -> tuple[str, ...]: ...
    @property
    def approximate(self) -> tuple[str, ...]: ...
    @property
    def caveats(self) -> tuple[str, ...]: ...


_DASH = "-"
_MEASURE_TITLES = {"time_to_job": "Time to first job", "in_work_support": "In-work support"}


def _pct(x: float | None) -> str:
    return _DASH if x is None else f"{100 * x:.1f}"


def _interval(est: Estimate | None, scale: float = 1.0, digits: int = 2) -> str:
    if est is None:
        return _DASH
    if est.value is None:
        return "not reached" if "not reached" in est.note else _DASH

    def text(x: float | None) -> str:
        return "not reached" if x is None else format_number(x * scale, digits)

    return f"{text(est.value)} ({text(est.lower)} to {text(est.upper)})"


def _months(days: float | None) -> str:
    return "not reached" if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def _test_line(name: str, test: TestResult) -> str:
    dof = "" if test.dof is None else f", df = {format_number(test.dof, 0)}"
    return (
        f"{name}: {test.method}, statistic = {format_number(test.statistic, 2)}{dof}, "
        f"{format_pvalue(test.pvalue)} (n = {test.n})"
    )


def _test_row(t: ReportedTest) -> tuple[str, ...]:
    note = ""
    if t.small_expected and t.exact is not None and t.asymptotic is not None:
        note = (
            f"expected counts below 5; exact {format_pvalue(t.exact.pvalue)}, "
            f"asymptotic {format_pvalue(t.asymptotic.pvalue)}"
        )
    dof = _DASH if t.result.dof is None else format_number(t.result.dof, 0)
    return (
        t.label,
        t.result.method,
        format_number(t.result.statistic, 2),
        dof,
        format_pvalue(t.result.pvalue, prefix=""),
        format_pvalue(t.adjusted_pvalue, prefix=""),
        note,
    )


def _outcome_section(res: OutcomeEquity) -> Section:
    rows = [
        (
            str(g.group),
            str(g.n),
            f"{g.jobs} ({_pct(g.rate.value)})",
            _interval(g.rate, 100.0, 1),
            "reference" if g.rate_ratio is None else _interval(g.rate_ratio),
            "reference" if g.rate_difference is None else _interval(g.rate_difference, 100.0, 1),
        )
        for g in res.groups
    ]
    blocks: list[Any] = [
        Table(
            header=(
                res.name,
                "People, n",
                "Gained a job, n (%)",
                "Job rate, % (CI)",
                "Rate ratio (CI)",
                "Difference, points (CI)",
            ),
            rows=rows,
            caption="All sites together",
        )
    ]
    if res.n_missing:
        blocks.append(Paragraph(text=f"{res.name} not known: {res.n_missing} people."))
    if res.tests:
        blocks.append(
            Table(
                header=("Test", "Method", "Statistic", "df", "P", f"P ({res.adjust})", "Note"),
                rows=[_test_row(t) for t in res.tests],
                caption="Tests of equal job rates: pooled, within each site, across sites",
                align=("left", "left", "right", "right", "right", "right", "left"),
            )
        )
    blocks += [Note(text=c, kind="caveat") for c in res.caveats]
    return Section(title=f"Job outcomes by {res.name}: {res.window}", blocks=blocks)


def _figure(caption: str, draw: Callable[[], Any]) -> Figure:
    from ipsstats.plot import OptionalDependencyError, figure_to_svg  # noqa: PLC0415  # optional

    try:
        svg = figure_to_svg(draw())
    except OptionalDependencyError:
        reason = 'matplotlib is not installed: pip install "ipsstats[plot]"'
        return Figure(svg=None, caption=caption, unavailable_reason=reason)
    except IpsStatsError as exc:  # data a figure cannot show must not stop the document
        return Figure(svg=None, caption=caption, unavailable_reason=f"not drawn: {exc}")
    return Figure(svg=svg, caption=caption)


def _duration_section(
    res: DurationEquity, by_site: TestResult | None, gray_by_site: TestResult | None, figures: bool
) -> Section:
    what = "waiting for a job" if res.measure == "time_to_job" else "still supported"
    header = [
        res.name,
        "People, n",
        "Events, n",
        "Median, months (CI)",
        "Median among those with the event, months",
    ]
    header += [f"{what} at {m:g} months, % (CI)" for m in res.landmark_months]
    rows = []
    for g in res.groups:
        m = g.median
        row = [
            str(g.group),
            str(g.n),
            str(g.n_events),
            f"{_months(m.value)} ({_months(m.lower)} to {_months(m.upper)})",
            _months(g.naive_median),
        ]
        row += [_interval(mark.remaining, 100.0, 1) for mark in g.landmarks]
        rows.append(tuple(row))
    blocks: list[Any] = [
        Table(
            header=header,
            rows=rows,
            caption="All sites together, from the pooled life tables",
            notes=(
                (
                    "Medians are Kaplan-Meier estimates (censoring accounted for); the median "
                    "among those with the event ignores censoring, as papers often print it."
                ),
            ),
        )
    ]
    if figures:
        curves = {str(g.group): g.curve for g in res.groups if g.curve is not None}
        if curves:
            from ipsstats.plot import plot_survival  # noqa: PLC0415  # optional matplotlib

            xlabel = (
                "Days since first contact"
                if res.measure == "time_to_job"
                else ("Days since job start")
            )
            blocks.append(
                _figure(
                    f"Kaplan-Meier estimate of the share {what} by {res.name}, all sites",
                    lambda: plot_survival(curves, xlabel=xlabel, ylabel=f"Proportion {what}"),
                )
            )
    for name, test in (
        ("Log-rank test, pooled", res.logrank),
        ("Log-rank test stratified by site", by_site),
        ("Gray's test (job), pooled", res.gray),
        ("Gray's test (job) stratified by site", gray_by_site),
    ):
        if test is not None:
            blocks.append(Paragraph(text=_test_line(name, test)))
    blocks += [Note(text=c, kind="caveat") for c in res.caveats]
    return Section(title=f"{_MEASURE_TITLES[res.measure]} by {res.name}", blocks=blocks)


def _summary(res: PooledLike) -> list[str]:
    lines = [
        (
            f"{len(res.sites)} sites ({', '.join(res.sites)}): {res.n} people, outcomes judged "
            f"at {res.study_end}."
        )
    ]
    lines.append(
        "Every number is what the pooled records would give."
        if res.exact
        else (
            "Outcome tables and their tests are exact; durations are approximate (see "
            "'What is exact')."
        )
    )
    for name in res.by:
        for outcome in (res.outcome_all.get(name), res.outcome_window.get(name)):
            if outcome is None or outcome.overall is None:
                continue
            text = (
                f"Job outcomes by {name} ({outcome.window}): pooled "
                f"{outcome.overall.result.method}, {format_pvalue(outcome.overall.result.pvalue)}"
            )
            for t in outcome.cmh_tests:
                text += (
                    f"; across sites (Cochran-Mantel-Haenszel) {format_pvalue(t.result.pvalue)}"
                )
            lines.append(text + ".")
        for measure, result in res.durations[name].items():
            stratified = res.logrank_by_site[name].get(measure)
            if result is None or result.logrank is None:
                continue
            text = (
                f"{_MEASURE_TITLES[measure]} by {name}: log-rank "
                f"{format_pvalue(result.logrank.pvalue)} pooled"
            )
            if stratified is not None:
                text += f", {format_pvalue(stratified.pvalue)} stratified by site"
            lines.append(text + ".")
    return lines


def _sites_table(res: PooledLike) -> Table:
    rows = [
        (
            s.site,
            str(s.n),
            str(s.n_window),
            _DASH if s.n_after_study_end is None else str(s.n_after_study_end),
            s.observed_until.isoformat(),
            s.ipsstats_version,
            _DASH if s.threshold is None else f"no count below {s.threshold}",
            "days" if s.time_unit == "day" else "bands of whole months",
        )
        for s in res.summaries
    ]
    return Table(
        header=(
            "Site",
            "People, n",
            f"At least {res.min_followup_months} months' follow-up, n",
            "Accessed after the study end, n",
            "Extracted",
            "ipsstats",
            "Disclosure control",
            "Durations in",
        ),
        rows=rows,
        caption="Site summaries pooled",
        notes=("-: withheld by disclosure control, or none.",),
    )


def document(res: PooledLike, *, figures: bool) -> Document:
    """Describe a pooled analysis as a document for the renderers."""
    blocks: list[Any] = [
        Section(title="Summary", blocks=[BulletList(items=_summary(res))]),
        Section(
            title="Sites",
            blocks=[
                _sites_table(res),
                Paragraph(
                    text=f"Window: people who accessed on or before {res.latest_access}, at "
                    f"least {res.min_followup_months} months before the study end "
                    f"{res.study_end}."
                ),
            ],
        ),
    ]
    if res.notes:
        blocks.append(
            Section(title="Groups across sites", blocks=[BulletList(items=list(res.notes))])
        )
    outcomes = [
        _outcome_section(r)
        for name in res.by
        for r in (res.outcome_all.get(name), res.outcome_window.get(name))
        if r is not None
    ]
    blocks.append(Section(title="Job outcomes", blocks=outcomes))
    durations = [
        _duration_section(
            d,
            res.logrank_by_site[name].get(measure),
            res.gray_by_site.get(name) if measure == "time_to_job" else None,
            figures,
        )
        for name in res.by
        for measure, d in res.durations[name].items()
        if d is not None
    ]
    blocks.append(Section(title="Durations", blocks=durations))
    exact: list[Any] = [
        Paragraph(text="Every table, estimate and test is exactly what the pooled records give.")
    ]
    if not res.exact:
        exact = [
            Paragraph(text="Outcome tables and their tests are exact for the groups shown."),
            BulletList(items=list(res.approximate)),
        ]
    blocks.append(Section(title="What is exact", blocks=exact))
    if res.caveats:
        blocks.append(
            Section(
                title="Analyses not run",
                blocks=[Note(text=c, kind="caveat") for c in res.caveats],
            )
        )
    metadata = [
        ("Generated by", f"ipsstats {__version__}"),
        ("Site summary format", SUMMARY_SCHEMA_VERSION),
        ("Study end", res.study_end.isoformat()),
        ("Sites", ", ".join(res.sites)),
        ("Confidence level", f"{100 * res.confidence_level:g}%"),
        ("Multiple testing", res.adjust),
    ]
    return Document(title=res.title, blocks=blocks, metadata=metadata)
