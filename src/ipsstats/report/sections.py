"""The sections of an equity report: tables, figures and plain-language summaries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.cohort import Cohort
from ipsstats.equity import (
    AccessEquity,
    DurationEquity,
    OutcomeEquity,
    ReportedTest,
)
from ipsstats.errors import IpsStatsError
from ipsstats.plot import (
    OptionalDependencyError,
    figure_to_svg,
    plot_cumulative_incidence,
    plot_outcomes,
    plot_representation,
    plot_survival,
)
from ipsstats.report.disclosure import (
    Disclosure,
    SuppressedTable,
    _suppressed,
    suppress_small_counts,
)
from ipsstats.report.render._document import Figure, Note, Paragraph, Section, Table
from ipsstats.report.render._format import format_number, format_pvalue
from ipsstats.results import Estimate, TestResult

__all__ = []


_DASH = "-"


_HIDDEN = "*"


_NO_MATPLOTLIB = 'matplotlib is not installed: pip install "ipsstats[plot]"'


_FIGURES_WITHHELD = (
    "omitted under disclosure control: figures are drawn from the exact counts (curve "
    "steps, numbers at risk, exact positions of rates and shares), so they could reveal "
    "suppressed or rounded counts"
)


def _count_text(n: int, disclosure: Disclosure | None) -> str:
    if disclosure is None:
        return str(n)
    safe = suppress_small_counts(
        np.array([n]),
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        secondary=False,
        keep_zeros=True,
    )
    return _HIDDEN if bool(safe.suppressed[0, 0]) else str(int(safe.shown[0, 0]))


def _loading_table(
    n_valid: int, n_excluded: int, disclosure: Disclosure | None
) -> SuppressedTable | None:
    """Protect records kept and excluded on loading together with their total (read).

    Protecting the three as one table means no suppressed number follows from the others.
    """
    if disclosure is None:
        return None
    return suppress_small_counts(
        np.array([n_valid, n_excluded]),
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        keep_zeros=True,
    )


def _access_table(res: AccessEquity, disclosure: Disclosure | None) -> SuppressedTable | None:
    counts = np.array([[g.ips_n, g.eligible_n] for g in res.groups], dtype=np.int64)
    return _suppressed(counts, disclosure)


def _events_table(
    groups: Iterable[tuple[int, int]], disclosure: Disclosure | None
) -> tuple[SuppressedTable | None, int]:
    """Protect a table of ``[events, others]`` per group, from ``(events, n)`` pairs.

    Returns the protected table and the column of its row totals.
    """
    counts = np.array([[events, n - events] for events, n in groups], dtype=np.int64)
    return _suppressed(counts, disclosure), counts.shape[1]


def _access_rows_hidden(res: AccessEquity, disclosure: Disclosure | None) -> list[bool]:
    safe = _access_table(res, disclosure)
    return [_hidden(safe, k, 0) or _hidden(safe, k, 1) for k in range(len(res.groups))]


def _counts_table(
    caption: str,
    heading: str,
    counts: Mapping[str, int],
    disclosure: Disclosure | None,
    *,
    secondary: bool = True,
    keep_zeros: bool = False,
) -> Table:
    values = np.array(list(counts.values()), dtype=np.int64)
    safe = _suppressed(values, disclosure, secondary=secondary, keep_zeros=keep_zeros)
    rows = []
    for k, label in enumerate(counts):
        rows.append((label, _cell(safe, 0, k, int(values[k]))))
    return Table(header=(heading, "n"), rows=rows, caption=caption)


def _cell(safe: SuppressedTable | None, i: int, j: int, raw: int) -> str:
    if safe is None:
        return str(raw)
    return _HIDDEN if bool(safe.suppressed[i, j]) else str(int(safe.shown[i, j]))


def _hidden(safe: SuppressedTable | None, i: int, j: int) -> bool:
    return safe is not None and bool(safe.suppressed[i, j])


def _row_hidden(safe: SuppressedTable | None, i: int | None, last: int) -> bool:
    """Whether row `i` of a table of ``[events, others]`` has its events or total hidden."""
    return i is not None and (_hidden(safe, i, 0) or _hidden(safe, i, last))


def _reference_row(res: OutcomeEquity) -> int | None:
    """Position of the reference group: the one without a rate ratio."""
    return next((k for k, g in enumerate(res.groups) if g.rate_ratio is None), None)


# Numbers in free text that could be (or reveal) a small count: decimals such as expected
# counts and shares, and whole numbers; ISO dates (digits joined by "-") are kept.
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-]|\.\d)")


def _redact(text: str, disclosure: Disclosure | None) -> str:
    """Under disclosure control, replace decimals and counts below the threshold by ``*``."""
    if disclosure is None:
        return text

    def hide(match: re.Match[str]) -> str:
        number = match.group(0)
        if "." not in number and int(number) >= disclosure.threshold:
            return number
        return _HIDDEN

    return _NUMBER.sub(hide, text)


def _n_pct(safe: SuppressedTable | None, i: int, j: int, n: int, share: float) -> str:
    """Write ``n (%)``, both hidden when the count is suppressed."""
    hidden = _hidden(safe, i, j)
    return f"{_cell(safe, i, j, n)} ({_HIDDEN if hidden else _pct(share)})"


def _pct(x: float | None) -> str:
    return _DASH if x is None else f"{100 * x:.1f}"


def _num(x: float | None) -> str:
    return format_number(x, 2, missing=_DASH)


def _interval(est: Estimate | None, scale: float = 1.0, digits: int = 2) -> str:
    if est is None:
        return _DASH
    if est.value is None:
        return "not reached" if "not reached" in est.note else _DASH

    def text(x: float | None) -> str:
        return "not reached" if x is None else format_number(x * scale, digits)

    return f"{text(est.value)} ({text(est.lower)} to {text(est.upper)})"


def _percent_ci(est: Estimate) -> str:
    """Write a proportion as ``"4.9%, 95% CI 4.5 to 5.4"``."""
    level = 100 * (est.confidence_level or 0.95)
    return (
        f"{format_number(100 * (est.value or 0.0), 1)}%, {level:g}% CI "
        f"{format_number(None if est.lower is None else 100 * est.lower, 1)} to "
        f"{format_number(None if est.upper is None else 100 * est.upper, 1)}"
    )


def _ptext(p: float | None) -> str:
    return _DASH if p is None else format_pvalue(p, prefix="")


def _test_line(name: str, test: TestResult, disclosure: Disclosure | None) -> str:
    dof = "" if test.dof is None else f", df = {format_number(test.dof, 0)}"
    return (
        f"{name}: {test.method}, statistic = {format_number(test.statistic, 2)}{dof}, "
        f"{format_pvalue(test.pvalue)} (n = {_count_text(test.n, disclosure)})"
    )


def _access_section(
    name: str, res: AccessEquity, disclosure: Disclosure | None, figures: bool
) -> Section:
    safe = _access_table(res, disclosure)
    rows = []
    for k, g in enumerate(res.groups):
        hidden = _hidden(safe, k, 0) or _hidden(safe, k, 1)
        rows.append(
            (
                str(g.group),
                _n_pct(safe, k, 0, g.ips_n, g.ips_share),
                _n_pct(safe, k, 1, g.eligible_n, g.eligible_share),
                _HIDDEN if hidden else _pct(g.reach.value if g.reach else None),
                _HIDDEN if hidden else _interval(g.representation_ratio),
                _HIDDEN if hidden else _num(g.adjusted_residual),
                g.flag,
            )
        )
    table = Table(
        header=(
            name,
            "IPS users, n (%)",
            "Eligible, n (%)",
            "Accessing IPS, %",
            "Representation ratio (CI)",
            "Adjusted residual",
            "Flag",
        ),
        rows=rows,
        caption=f"Comparison: {res.method}",
        notes=(
            (
                "Flag: 'over' or 'under' when the whole confidence interval of the "
                "representation ratio lies above or below 1; 'none' means no evidence of "
                "over- or under-representation."
            ),
        ),
    )
    blocks: list[Any] = [table]
    if figures:
        level = f"{100 * res.confidence_level:g}%"
        blocks.append(
            _figure(
                f"Share of IPS users beside share of the eligible caseload, by {name}, with "
                f"{level} confidence intervals for the IPS share",
                lambda: plot_representation(res),
                disclosure,
            )
        )
    blocks.append(Paragraph(text=_test_line("Overall test", res.test, disclosure)))
    reach = res.overall_reach
    if reach is not None and reach.value is not None:
        users = _count_text(res.ips_n + res.ips_missing, disclosure)
        everyone = _count_text(res.eligible_n + res.eligible_missing, disclosure)
        if res.missing == "include":
            users, everyone = (
                _count_text(res.ips_n, disclosure),
                _count_text(res.eligible_n, disclosure),
            )
        blocks.append(
            Paragraph(
                text=f"Reach: {users} of {everyone} eligible people used IPS "
                f"({_percent_ci(reach)})."
            )
        )
    if res.ips_missing or res.eligible_missing:
        blocks.append(
            Paragraph(
                text=f"{name} not known: {_count_text(res.ips_missing, disclosure)} IPS users, "
                f"{_count_text(res.eligible_missing, disclosure)} eligible (rule: {res.missing})."
            )
        )
    if res.sensitivity is not None:
        blocks.append(
            Paragraph(
                text=_test_line(
                    "Sensitivity, not known as a group", res.sensitivity.test, disclosure
                )
            )
        )
    blocks += [Note(text=_redact(c, disclosure), kind="caveat") for c in res.caveats]
    return Section(title=f"Access by {name}", blocks=blocks)


def _smallest(t: ReportedTest, disclosure: Disclosure | None) -> str:
    """``" (smallest 1.23)"``, left out under disclosure control (it reveals margins)."""
    if disclosure is not None or t.min_expected is None:
        return ""
    return f" (smallest {t.min_expected:.2f})"


def _reported_row(t: ReportedTest, disclosure: Disclosure | None) -> tuple[str, ...]:
    note = ""
    if t.small_expected and t.exact is not None and t.asymptotic is not None:
        note = (
            f"expected counts below 5{_smallest(t, disclosure)}; exact "
            f"{format_pvalue(t.exact.pvalue)}, asymptotic {format_pvalue(t.asymptotic.pvalue)}"
        )
    dof = _DASH if t.result.dof is None else format_number(t.result.dof, 0)
    return (
        t.label,
        t.result.method,
        format_number(t.result.statistic, 2),
        dof,
        _ptext(t.result.pvalue),
        _ptext(t.adjusted_pvalue),
        note,
    )


def _outcome_section(res: OutcomeEquity, disclosure: Disclosure | None, figures: bool) -> Section:
    safe, last = _events_table(((g.jobs, g.n) for g in res.groups), disclosure)
    reference_hidden = _row_hidden(safe, _reference_row(res), last)
    rows = []
    for k, g in enumerate(res.groups):
        hidden = _row_hidden(safe, k, last)
        compared = hidden or reference_hidden
        rows.append(
            (
                str(g.group),
                _cell(safe, k, last, g.n),
                f"{_cell(safe, k, 0, g.jobs)} ({_HIDDEN if hidden else _pct(g.rate.value)})",
                _HIDDEN if hidden else _interval(g.rate, 100.0, 1),
                "reference"
                if g.rate_ratio is None
                else (_HIDDEN if compared else _interval(g.rate_ratio)),
                "reference"
                if g.rate_difference is None
                else (_HIDDEN if compared else _interval(g.rate_difference, 100.0, 1)),
            )
        )
    table = Table(
        header=(
            res.name,
            "People, n",
            "Gained a job, n (%)",
            "Job rate, % (CI)",
            "Rate ratio (CI)",
            "Difference, points (CI)",
        ),
        rows=rows,
    )
    blocks: list[Any] = [table]
    if figures:
        blocks.append(
            _figure(
                f"Job rate by {res.name} ({res.window}), with "
                f"{100 * res.confidence_level:g}% confidence intervals; the line marks the "
                "overall rate",
                lambda: plot_outcomes(res),
                disclosure,
            )
        )
    if res.tests:
        blocks.append(
            Table(
                header=("Test", "Method", "Statistic", "df", "P", f"P ({res.adjust})", "Note"),
                rows=[_reported_row(t, disclosure) for t in res.tests],
                caption="Tests of equal job rates",
                align=("left", "left", "right", "right", "right", "right", "left"),
            )
        )
    if res.cramers_v is not None:
        blocks.append(Paragraph(text=f"Cramér's V = {res.cramers_v:.3f}."))
    blocks += [Note(text=_redact(c, disclosure), kind="caveat") for c in res.caveats]
    return Section(title=f"Job outcomes by {res.name}: {res.window}", blocks=blocks)


def _figure(caption: str, draw: Callable[[], Any], disclosure: Disclosure | None) -> Figure:
    """Draw a figure as SVG, or say why it is not shown."""
    if disclosure is not None:
        return Figure(svg=None, caption=caption, unavailable_reason=_FIGURES_WITHHELD)
    try:
        svg = figure_to_svg(draw())
    except OptionalDependencyError:
        return Figure(svg=None, caption=caption, unavailable_reason=_NO_MATPLOTLIB)
    except IpsStatsError as exc:  # data a figure cannot show must not stop the report
        return Figure(svg=None, caption=caption, unavailable_reason=f"not drawn: {exc}")
    return Figure(svg=svg, caption=caption)


def _duration_figures(res: DurationEquity, disclosure: Disclosure | None) -> list[Figure]:
    """Kaplan-Meier curves by group, and for time to job the cumulative incidence."""
    survival = {str(g.group): g.curve for g in res.groups if g.curve is not None}
    incidence = {
        str(g.group): g.incidence_curve for g in res.groups if g.incidence_curve is not None
    }
    level = f"{100 * res.confidence_level:g}%"
    if res.measure == "time_to_job":
        what, ylabel, xlabel = (
            "not yet in work",
            "Proportion not yet in work",
            "Days since first contact",
        )
    else:
        what, ylabel, xlabel = (
            "still supported in work",
            "Proportion still supported",
            "Days since job start",
        )
    found: list[Figure] = []
    if survival:
        found.append(
            _figure(
                f"Kaplan-Meier estimate of the share {what} by {res.name}, with {level} "
                "confidence bands, censoring marks (+) and the numbers at risk",
                lambda: plot_survival(survival, xlabel=xlabel, ylabel=ylabel),
                disclosure,
            )
        )
    if incidence:
        found.append(
            _figure(
                f"Cumulative incidence of a first job by {res.name}, with discharge without a "
                f"job as a competing risk, {level} confidence bands and the numbers at risk",
                lambda: plot_cumulative_incidence(
                    incidence, ylabel="Cumulative incidence of a job"
                ),
                disclosure,
            )
        )
    return found


def _months(days: float | None) -> str:
    return "not reached" if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def _median_text(est: Estimate) -> str:
    return f"{_months(est.value)} ({_months(est.lower)} to {_months(est.upper)})"


def _duration_section(
    res: DurationEquity, disclosure: Disclosure | None, figures: bool
) -> Section:
    safe, last = _events_table(((g.n_events, g.n) for g in res.groups), disclosure)
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
    for k, g in enumerate(res.groups):
        hidden = _row_hidden(safe, k, last)
        row = [
            str(g.group),
            _cell(safe, k, last, g.n),
            _cell(safe, k, 0, g.n_events),
            _HIDDEN if hidden else _median_text(g.median),
            _HIDDEN if hidden else _months(g.naive_median),
        ]
        row += [_HIDDEN if hidden else _interval(m.remaining, 100.0, 1) for m in g.landmarks]
        rows.append(tuple(row))
    label = "Time to first job" if res.measure == "time_to_job" else "In-work support"
    blocks: list[Any] = [
        Table(
            header=header,
            rows=rows,
            notes=(
                (
                    "Medians are Kaplan-Meier estimates (censoring accounted for); the median "
                    "among those with the event ignores censoring, as papers often print it."
                ),
            ),
        )
    ]
    if figures:
        blocks += _duration_figures(res, disclosure)
    for name, test in (("Log-rank test", res.logrank), ("Gray's test (job)", res.gray)):
        if test is not None:
            blocks.append(Paragraph(text=_test_line(name, test, disclosure)))
    blocks += [Note(text=_redact(c, disclosure), kind="caveat") for c in res.caveats]
    return Section(title=f"{label} by {res.name}", blocks=blocks)


# --------------------------------------------------------------------------------------
# plain-language summary
# --------------------------------------------------------------------------------------


def _ratio_text(est: Estimate, level: float) -> str:
    return (
        f"ratio {format_number(est.value, 2)}, {100 * level:g}% CI "
        f"{format_number(est.lower, 2)} to {format_number(est.upper, 2)}"
    )


def _access_summary(
    name: str, res: AccessEquity, alpha: float, disclosure: Disclosure | None
) -> list[str]:
    p = format_pvalue(res.test.pvalue)
    if res.test.pvalue < alpha:
        lines = [
            (
                f"Access by {name}: the make-up of IPS users differed from that of the eligible "
                f"caseload ({res.test.method}, {p})."
            )
        ]
    else:
        lines = [
            (
                f"Access by {name}: no evidence that the make-up of IPS users differed from that "
                f"of the eligible caseload ({res.test.method}, {p}); this does not show that "
                "access was equal."
            )
        ]
    for flag, words in (("over", "more"), ("under", "less")):
        hidden = _access_rows_hidden(res, disclosure)
        groups = [(k, g) for k, g in enumerate(res.groups) if g.flag == flag]
        if groups:
            listed = "; ".join(
                f"{g.group} (ratio withheld: counts suppressed)"
                if hidden[k]
                else f"{g.group} ({_ratio_text(g.representation_ratio, res.confidence_level)})"
                for k, g in groups
            )
            lines.append(
                f"Represented {words} among IPS users than in the eligible caseload "
                f"(confidence interval excluding 1, not adjusted for multiple groups): {listed}."
            )
    return lines


def _outcome_summary(res: OutcomeEquity, alpha: float, disclosure: Disclosure | None) -> list[str]:
    if res.overall is None:
        return [f"Job outcomes by {res.name} ({res.window}): the overall test could not be run."]
    t = res.overall
    several = len(res.tests) > 1
    p = format_pvalue(t.result.pvalue)
    if several:
        p += f", {res.adjust}-adjusted {format_pvalue(t.adjusted_pvalue)}"
    decisive = t.adjusted_pvalue if several else t.result.pvalue
    if decisive < alpha:
        lines = [
            (
                f"Job outcomes by {res.name} ({res.window}): the share gaining a job differed "
                f"between groups ({t.result.method}, {p})."
            )
        ]
    else:
        lines = [
            (
                f"Job outcomes by {res.name} ({res.window}): no evidence of a difference in the "
                f"share gaining a job between groups ({t.result.method}, {p})."
            )
        ]
    significant = [
        s.label for s in (*res.stratum_tests, *res.cmh_tests) if s.adjusted_pvalue < alpha
    ]
    if significant:
        lines.append(f"Significant after adjustment: {', '.join(significant)}.")
    for s in res.tests:
        if s.small_expected and s.exact is not None and s.asymptotic is not None:
            lines.append(
                f"Job outcomes by {res.name} ({res.window}), test '{s.label}': expected "
                f"counts below 5{_smallest(s, disclosure)}, so the chi-squared "
                f"approximation is doubtful; exact {format_pvalue(s.exact.pvalue)} beside "
                f"asymptotic {format_pvalue(s.asymptotic.pvalue)}."
            )
    return lines


def _duration_summary(res: DurationEquity, alpha: float) -> list[str]:
    label = "Time to first job" if res.measure == "time_to_job" else "In-work support"
    if res.logrank is None:
        return [f"{label} by {res.name}: the log-rank test could not be run."]
    p = format_pvalue(res.logrank.pvalue)
    if res.logrank.pvalue < alpha:
        return [f"{label} by {res.name}: durations differed between groups (log-rank, {p})."]
    return [
        (
            f"{label} by {res.name}: no evidence of a difference in durations between groups "
            f"(log-rank, {p})."
        )
    ]


def _completeness_summary(cohort: Cohort, disclosure: Disclosure | None) -> str:
    v = cohort.validation
    loading = _loading_table(v.n_valid, v.n_excluded, disclosure)
    read = _cell(loading, 0, 2, v.n_read)
    text = f"{read} records read, {_cell(loading, 0, 1, v.n_excluded)} excluded on loading"
    if v.n_excluded:
        values = np.array(list(v.counts.values()), dtype=np.int64)
        safe = _suppressed(values, disclosure)
        reasons = ", ".join(
            f"{r}: {_cell(safe, 0, k, n)}" for k, (r, n) in enumerate(v.counts.items())
        )
        text += f" ({reasons})"
    return text + f"; {_count_text(cohort.n, disclosure)} people analysed."
