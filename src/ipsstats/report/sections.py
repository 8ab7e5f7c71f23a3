"""The sections of an equity report: tables, figures and plain-language summaries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from ipsstats.calendar import DAYS_PER_MONTH
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
from ipsstats.report import _ledger as keys
from ipsstats.report._ledger import Protection
from ipsstats.report._plain import plain_caveat, plain_reason
from ipsstats.report._published import (
    Count,
    access_table,
    count,
    duration_table,
    outcome_table,
)
from ipsstats.report.disclosure import Disclosure
from ipsstats.report.render._document import (
    Figure,
    KeyValues,
    Note,
    Paragraph,
    Section,
    Table,
)
from ipsstats.report.render._format import format_number, format_pvalue
from ipsstats.results import Estimate, TestResult

__all__ = []


_DASH = "-"


_HIDDEN = "*"


_NO_MATPLOTLIB = 'matplotlib is not installed: pip install "ipsstats[plot]"'


_FIGURES_WITHHELD = "omitted under disclosure control (see 'About this report')"


def figures_withheld_note() -> str:
    """Say once why a report under disclosure control shows no figures."""
    return (
        "Figures are omitted under disclosure control: they are drawn from the exact counts "
        "(curve steps, numbers at risk, exact positions of rates and shares), so they could "
        "reveal suppressed or rounded counts."
    )


GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Eligible caseload",
        (
            "People who could have been offered IPS (for example everyone on the caseload of "
            "the referring teams), counted by group."
        ),
    ),
    ("Reach", "The share of the eligible caseload who used IPS."),
    (
        "Representation ratio",
        (
            "A group's share of IPS users divided by its share of the eligible caseload: 1 "
            "means represented in proportion, below 1 under-represented, above 1 "
            "over-represented."
        ),
    ),
    (
        "Adjusted residual",
        (
            "How far a group's count is from what equal access would give, in standard "
            "errors; beyond about 2 (or -2) is unusual by chance alone."
        ),
    ),
    (
        "Job rate",
        "The share of people who started a job by the study end.",
    ),
    (
        "Rate ratio, difference",
        "A group's job rate divided by (or minus) the reference group's rate.",
    ),
    (
        "Confidence interval (CI)",
        "The range of values compatible with the data at the stated confidence level.",
    ),
    (
        "P-value (P)",
        (
            "How surprising the differences seen would be if the groups were alike; small "
            "values (below the significance level) are evidence of a difference. A large "
            "P-value does not show that groups are equal."
        ),
    ),
    (
        "Holm adjustment",
        (
            "A correction of P-values when several tests are reported together, so that the "
            "chance of any false finding stays at the significance level."
        ),
    ),
    (
        "Cramer's V",
        "The size of the association between group and outcome, from 0 (none) to 1.",
    ),
    (
        "Kaplan-Meier median",
        (
            "The time by which half of the people had the event, allowing for people still "
            "waiting at the study end (censored)."
        ),
    ),
    ("Log-rank test", "A test of whether durations differ between groups."),
    (
        "Minimum follow-up",
        "Only people who had been with the service for at least that long by the study end.",
    ),
)


CELL_KEY: tuple[tuple[str, str], ...] = (
    ("-", "Does not apply (for example no degrees of freedom for an exact test)."),
    ("*", "Withheld under disclosure control (a small or protected count, or derived from one)."),
    (
        "not estimable",
        (
            "The number cannot be computed from the data (for example a rate ratio when "
            "nobody in the group had a job)."
        ),
    ),
    (
        "not reached",
        (
            "The curve did not fall that far during follow-up (for example fewer than half had "
            "the event, so there is no median yet)."
        ),
    ),
    ("reference", "The group the others are compared with."),
    ("none, over, under", "No evidence of, or evidence of, over- or under-representation."),
)


def _glossary_section() -> Section:
    return Section(title="Glossary", blocks=[KeyValues(items=GLOSSARY)])


def _cell_key_section() -> Section:
    return Section(title="Reading the tables", blocks=[KeyValues(items=CELL_KEY)])


# Numbers in free text that could be (or reveal) a count: decimals such as expected counts
# and shares, and whole numbers. Kept: ISO dates (digits joined by "-"), durations ("6
# months"), option values in code spans (`min_followup_months=6`) and rule thresholds
# ("below 5").
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-]|\.\d)")
_TIME_UNIT = re.compile(r"\s*-?\s*(?:months?|days?|weeks?|years?)\b", re.IGNORECASE)
_RULE = re.compile(r"(?:below|above|under|at least|at most)\s+$", re.IGNORECASE)
_CODE = re.compile(r"`[^`]*`")


def _redact(text: str, disclosure: Disclosure | Protection | None) -> str:
    """Under disclosure control, replace numbers that could be counts by ``*``."""
    if disclosure is None:
        return text
    code = [m.span() for m in _CODE.finditer(text)]

    def hide(match: re.Match[str]) -> str:
        start, end = match.span()
        if any(a <= start < b for a, b in code):
            return match.group(0)
        if _TIME_UNIT.match(text, end) or _RULE.search(text, 0, start):
            return match.group(0)
        return _HIDDEN

    return _NUMBER.sub(hide, text)


def _with_pct(n: Count, share: float | None) -> str:
    """Write ``n (%)``; the percentage ``*`` when withheld."""
    return f"{n.text} ({_HIDDEN if share is None else _pct(share)})"


def _pct(x: float | None) -> str:
    return _DASH if x is None else f"{100 * x:.1f}"


def _num(x: float | None) -> str:
    return format_number(x, 2, missing=_DASH)


NOT_ESTIMABLE = "not estimable"
NOT_REACHED = "not reached"


def _interval(est: Estimate | None, scale: float = 1.0, digits: int = 2) -> str:
    """Write ``"value (lower to upper)"``.

    A value or limit that cannot be computed (no events, an empty group, a zero
    denominator) is "not estimable"; "not reached" is kept for an estimate whose note
    says a curve does not fall that far.
    """
    if est is None:
        return _DASH
    if est.value is None:
        return NOT_REACHED if "not reached" in est.note else NOT_ESTIMABLE

    def text(x: float | None) -> str:
        return NOT_ESTIMABLE if x is None else format_number(x * scale, digits)

    if est.lower is None and est.upper is None:
        return f"{text(est.value)} (CI {NOT_ESTIMABLE})"

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


# Names of the tests a report runs, for readers; other methods are shown as named.
_METHOD_WORDS = {
    "pearson": "Pearson's chi-squared test",
    "fisher": "Fisher's exact test",
    "exact": "exact test",
    "monte-carlo": "Monte Carlo exact test",
    "logrank": "log-rank test",
    "gray": "Gray's test",
    "mantel-haenszel": "Cochran-Mantel-Haenszel test",
    "generalized-cmh": "generalised Cochran-Mantel-Haenszel test",
    "cochran-armitage": "Cochran-Armitage trend test",
}


# The access comparisons, for readers.
_COMPARISONS = {
    "homogeneity": "IPS users against the eligible caseload (test of homogeneity)",
    "goodness-of-fit": "IPS users against the make-up of the eligible caseload (goodness of fit)",
    "subset": "IPS users as a subset of the eligible caseload",
}


def method_words(method: str) -> str:
    """Return a test's name for readers (``"pearson"``: Pearson's chi-squared test)."""
    return _METHOD_WORDS.get(method, method)


def _test_line(name: str, test: TestResult, n: Count) -> str:
    dof = "" if test.dof is None else f", df = {format_number(test.dof, 0)}"
    return (
        f"{name}: {method_words(test.method)}, "
        f"statistic = {format_number(test.statistic, 2)}{dof}, "
        f"{format_pvalue(test.pvalue)} (n = {n.text})"
    )


# --------------------------------------------------------------------------------------
# data completeness
# --------------------------------------------------------------------------------------


def _counts_table(caption: str, heading: str, cells: list[tuple[str, Count]]) -> Table:
    return Table(
        header=(heading, "n"), rows=[(label, c.text) for label, c in cells], caption=caption
    )


def _completeness_section(report: Any, protection: Protection | None) -> Section:
    """Describe records read, kept and excluded, selection steps and missing values."""
    v = report.validation
    facts = KeyValues(
        items=[
            ("Records read", count(protection, keys.READ, int(v["n_read"])).text),
            ("Records kept", count(protection, keys.VALID, int(v["n_valid"])).text),
            ("Records excluded", count(protection, keys.EXCLUDED, int(v["n_excluded"])).text),
            ("People analysed", count(protection, keys.PEOPLE, report.n_people).text),
            ("Data extracted", report.observed_until),
        ]
    )
    blocks: list[Any] = [facts]
    reasons = dict(v.get("counts", {}))
    if reasons:
        cells = [(r, count(protection, keys.reason(r), int(n))) for r, n in reasons.items()]
        blocks.append(_counts_table("Records excluded on loading, by reason", "Reason", cells))
    for k, step in enumerate(report.selection_steps):
        blocks.append(Paragraph(text=f"{step['step']}: {step['description']}"))
        cells = [
            (rule, count(protection, keys.step(k, "rule", rule), int(n)))
            for rule, n in dict(step["counts"]).items()
        ]
        blocks.append(_counts_table(f"Excluded by {step['step']}", "Rule", cells))
    missing = [
        (attr, count(protection, keys.missing(attr), int(m["n_missing"])))
        for attr, m in report.missing_by_attribute.items()
    ]
    if missing:
        blocks.append(_counts_table("Missing values by attribute", "Attribute", missing))
    return Section(title="Data completeness", blocks=blocks)


# --------------------------------------------------------------------------------------
# access
# --------------------------------------------------------------------------------------


def _access_section(
    name: str, res: AccessEquity, protection: Protection | None, figures: bool
) -> Section:
    shown = access_table(name, res, protection)
    rows = []
    for row in shown.rows:
        est = row.estimates
        rows.append(
            (
                str(row.label),
                _with_pct(row.ips, row.ips_share),
                _with_pct(row.eligible, row.eligible_share),
                _HIDDEN if est is None else _pct(est.reach.value if est.reach else None),
                _HIDDEN if est is None else _interval(est.representation_ratio),
                _HIDDEN if est is None else _num(est.adjusted_residual),
                _HIDDEN if est is None else est.flag,
            )
        )
    notes = [
        (
            "Flag: 'over' or 'under' when the whole confidence interval of the representation "
            "ratio lies above or below 1; 'none' means no evidence of over- or "
            "under-representation."
        )
    ]
    if protection is not None:
        notes.append(_PUBLISHED_NOTE)
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
        caption=f"Comparison: {_COMPARISONS.get(res.method, res.method)}",
        notes=notes,
    )
    blocks: list[Any] = [table]
    if figures:
        level = f"{100 * res.confidence_level:g}%"
        blocks.append(
            _figure(
                f"Share of IPS users beside share of the eligible caseload, by {name}, with "
                f"{level} confidence intervals for the IPS share",
                lambda: plot_representation(res),
                protection,
            )
        )
    blocks.append(Paragraph(text=_test_line("Overall test", res.test, shown.test_n)))
    if res.overall_reach is not None and res.overall_reach.value is not None:
        reach = shown.overall_reach
        words = _DERIVED_TEXT if reach is None else _percent_ci(reach)
        blocks.append(
            Paragraph(
                text=f"Reach: {shown.users.text} of {shown.everyone.text} eligible people used "
                f"IPS ({words})."
            )
        )
    if res.ips_missing or res.eligible_missing:
        blocks.append(
            Paragraph(
                text=f"{name} not known: {shown.ips_missing.text} IPS users, "
                f"{shown.eligible_missing.text} eligible (rule: {res.missing})."
            )
        )
    if res.sensitivity is not None:
        other = access_table(name, res.sensitivity, protection, "sensitivity")
        blocks.append(
            Paragraph(
                text=_test_line(
                    "Sensitivity, not known as a group", res.sensitivity.test, other.test_n
                )
            )
        )
    blocks += [Note(text=_redact(plain_caveat(c), protection), kind="caveat") for c in res.caveats]
    return Section(title=f"Access by {name}", blocks=blocks)


_DERIVED_TEXT = "withheld: derived from a suppressed count"
_PUBLISHED_NOTE = (
    "Under disclosure control every percentage, rate, ratio, interval and flag is computed "
    "from the published (rounded) counts; the tests use the exact counts."
)


# --------------------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------------------


def _smallest(t: ReportedTest, protection: Protection | None) -> str:
    """``" (smallest 1.23)"``, left out under disclosure control (it reveals margins)."""
    if protection is not None or t.min_expected is None:
        return ""
    return f" (smallest {t.min_expected:.2f})"


def _reported_row(t: ReportedTest, protection: Protection | None) -> tuple[str, ...]:
    note = ""
    if t.small_expected and t.exact is not None and t.asymptotic is not None:
        note = (
            f"expected counts below 5{_smallest(t, protection)}; exact "
            f"{format_pvalue(t.exact.pvalue)}, asymptotic {format_pvalue(t.asymptotic.pvalue)}"
        )
    dof = _DASH if t.result.dof is None else format_number(t.result.dof, 0)
    return (
        t.label,
        method_words(t.result.method),
        format_number(t.result.statistic, 2),
        dof,
        _ptext(t.result.pvalue),
        _ptext(t.adjusted_pvalue),
        note,
    )


def _outcome_section(
    res: OutcomeEquity, window: str, protection: Protection | None, figures: bool
) -> Section:
    shown = outcome_table(res.name, window, res, protection)
    rows = []
    for row in shown.rows:
        rate = row.rate
        rows.append(
            (
                str(row.label),
                row.n.text,
                _with_pct(row.jobs, None if rate is None else rate.value),
                _HIDDEN if rate is None else _interval(rate, 100.0, 1),
                "reference"
                if row.reference
                else (_HIDDEN if row.comparison_withheld else _interval(row.rate_ratio)),
                "reference"
                if row.reference
                else (
                    _HIDDEN
                    if row.comparison_withheld
                    else _interval(row.rate_difference, 100.0, 1)
                ),
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
        notes=() if protection is None else (_PUBLISHED_NOTE,),
    )
    blocks: list[Any] = [table]
    if figures:
        blocks.append(
            _figure(
                f"Job rate by {res.name} ({res.window}), with "
                f"{100 * res.confidence_level:g}% confidence intervals; the line marks the "
                "overall rate",
                lambda: plot_outcomes(res),
                protection,
            )
        )
    if res.tests:
        blocks.append(
            Table(
                header=("Test", "Method", "Statistic", "df", "P", f"P ({res.adjust})", "Note"),
                rows=[_reported_row(t, protection) for t in res.tests],
                caption="Tests of equal job rates",
                align=("left", "left", "right", "right", "right", "right", "left"),
            )
        )
    if res.cramers_v is not None:
        blocks.append(Paragraph(text=f"Cramér's V = {res.cramers_v:.3f}."))
    blocks += [Note(text=_redact(plain_caveat(c), protection), kind="caveat") for c in res.caveats]
    return Section(title=f"Job outcomes by {res.name}: {res.window}", blocks=blocks)


def _figure(caption: str, draw: Callable[[], Any], protection: Protection | None) -> Figure:
    """Draw a figure as SVG, or say why it is not shown."""
    if protection is not None:
        return Figure(svg=None, caption=caption, unavailable_reason=_FIGURES_WITHHELD)
    try:
        svg = figure_to_svg(draw())
    except OptionalDependencyError:
        return Figure(svg=None, caption=caption, unavailable_reason=_NO_MATPLOTLIB)
    except IpsStatsError as exc:  # data a figure cannot show must not stop the report
        return Figure(
            svg=None, caption=caption, unavailable_reason=f"not drawn: {plain_reason(str(exc))}"
        )
    return Figure(svg=svg, caption=caption)


# --------------------------------------------------------------------------------------
# durations
# --------------------------------------------------------------------------------------


# More groups than this are drawn as small multiples (one panel per group).
_MOST_OVERLAID = 3


def _duration_figures(
    res: DurationEquity, protection: Protection | None, time_unit: str = "months"
) -> list[Figure]:
    """Kaplan-Meier curves by group, and for time to job the cumulative incidence.

    Times are drawn in `time_unit`, as in the tables; with more than three groups each
    group gets a panel of its own, the other groups in grey behind it.
    """
    survival = {str(g.group): g.curve for g in res.groups if g.curve is not None}
    incidence = {
        str(g.group): g.incidence_curve for g in res.groups if g.incidence_curve is not None
    }
    level = f"{100 * res.confidence_level:g}%"
    unit = "Days" if time_unit == "days" else "Months"
    scale = 1.0 if time_unit == "days" else DAYS_PER_MONTH
    if res.measure == "time_to_job":
        what, ylabel, xlabel = (
            "not yet in work",
            "Proportion not yet in work",
            f"{unit} since first contact",
        )
    else:
        what, ylabel, xlabel = (
            "still supported in work",
            "Proportion still supported",
            f"{unit} since job start",
        )
    found: list[Figure] = []
    many = len(survival) > _MOST_OVERLAID
    layout: Literal["overlay", "panels"] = "panels" if many else "overlay"
    arrangement = "one panel per group, the other groups in grey behind it, " if many else ""
    if survival:
        found.append(
            _figure(
                f"Kaplan-Meier estimate of the share {what} by {res.name} ({arrangement}"
                f"{level} confidence bands, censoring marks (+) and the numbers at risk)",
                lambda: plot_survival(
                    survival, xlabel=xlabel, ylabel=ylabel, time_scale=scale, layout=layout
                ),
                protection,
            )
        )
    if incidence:
        found.append(
            _figure(
                f"Cumulative incidence of a first job by {res.name}, with discharge without a "
                f"job as a competing risk ({arrangement}{level} confidence bands and the "
                "numbers at risk)",
                lambda: plot_cumulative_incidence(
                    incidence,
                    ylabel="Cumulative incidence of a job",
                    xlabel=xlabel,
                    time_scale=scale,
                    layout=layout,
                ),
                protection,
            )
        )
    return found


def _in_unit(days: float | None, time_unit: str = "months") -> str:
    """Write a duration in days in `time_unit` (``None``: the curve does not fall so far)."""
    if days is None:
        return NOT_REACHED
    return f"{days:.0f}" if time_unit == "days" else f"{days / DAYS_PER_MONTH:.1f}"


def _months(days: float | None) -> str:
    return _in_unit(days, "months")


def _median_text(est: Estimate, time_unit: str = "months") -> str:
    return (
        f"{_in_unit(est.value, time_unit)} ({_in_unit(est.lower, time_unit)} to "
        f"{_in_unit(est.upper, time_unit)})"
    )


def _landmark_text(months: float, time_unit: str) -> str:
    if time_unit == "days":
        return f"{months * DAYS_PER_MONTH:.0f} days"
    return f"{months:g} months"


LANDMARKS_WITHHELD = (
    "withheld under disclosure control: a Kaplan-Meier share is a ratio of exact counts "
    "(people at risk and events), so it could reveal rounded or suppressed counts"
)


def _duration_section(
    res: DurationEquity, protection: Protection | None, figures: bool, time_unit: str = "months"
) -> Section:
    shown = duration_table(res.name, res, protection)
    what = "waiting for a job" if res.measure == "time_to_job" else "still supported"
    landmarks = protection is None
    header = [
        res.name,
        "People, n",
        "Events, n",
        f"Median, {time_unit} (CI)",
        f"Median among those with the event, {time_unit}",
    ]
    if landmarks:
        header += [
            f"{what} at {_landmark_text(m, time_unit)}, % (CI)" for m in res.landmark_months
        ]
    rows = []
    by_label = {str(g.group): g for g in res.groups}
    for row in shown.rows:
        g = by_label.get(str(row.label))
        line = [
            str(row.label),
            row.n.text,
            row.events.text,
            _HIDDEN if row.hidden or g is None else _median_text(g.median, time_unit),
            _HIDDEN if row.hidden or g is None else _in_unit(g.naive_median, time_unit),
        ]
        if landmarks and g is not None:
            line += [_interval(m.remaining, 100.0, 1) for m in g.landmarks]
        rows.append(tuple(line))
    notes = [
        (
            "Medians are Kaplan-Meier estimates (censoring accounted for); the median among "
            "those with the event ignores censoring, as papers often print it."
        )
    ]
    if not landmarks:
        notes.append(f"The share {what} at each landmark is {LANDMARKS_WITHHELD}.")
    label = "Time to first job" if res.measure == "time_to_job" else "In-work support"
    blocks: list[Any] = [Table(header=header, rows=rows, notes=notes)]
    if figures:
        blocks += _duration_figures(res, protection, time_unit)
    for name, test, n in (
        ("Log-rank test", res.logrank, shown.logrank_n),
        ("Gray's test (job)", res.gray, shown.gray_n),
    ):
        if test is not None and n is not None:
            blocks.append(Paragraph(text=_test_line(name, test, n)))
    blocks += [
        Note(text=_redact(plain_caveat(c), protection), kind="caveat")
        for c in duration_caveats(res, protection)
    ]
    return Section(title=f"{label} by {res.name}", blocks=blocks)


# A caveat of a duration analysis that names a group with nobody in it: under disclosure
# control the group is shown with its counts protected instead.
_EMPTY_GROUP = "has nobody with a duration and is not shown"


def duration_caveats(res: DurationEquity, protection: Protection | None) -> list[str]:
    """Return the caveats of a duration analysis as the report shows them."""
    if protection is None:
        return list(res.caveats)
    return [c for c in res.caveats if _EMPTY_GROUP not in c]


# --------------------------------------------------------------------------------------
# plain-language summary
# --------------------------------------------------------------------------------------


def _ratio_text(est: Estimate, level: float) -> str:
    return (
        f"ratio {format_number(est.value, 2)}, {100 * level:g}% CI "
        f"{format_number(est.lower, 2)} to {format_number(est.upper, 2)}"
    )


def _access_summary(
    name: str, res: AccessEquity, alpha: float, protection: Protection | None
) -> list[str]:
    p = format_pvalue(res.test.pvalue)
    if res.test.pvalue < alpha:
        lines = [
            (
                f"Access by {name}: the make-up of IPS users differed from that of the eligible "
                f"caseload ({method_words(res.test.method)}, {p})."
            )
        ]
    else:
        lines = [
            (
                f"Access by {name}: no evidence that the make-up of IPS users differed from that "
                f"of the eligible caseload ({method_words(res.test.method)}, {p}); this does not "
                "show that access was equal."
            )
        ]
    shown = access_table(name, res, protection)
    for flag, words in (("over", "more"), ("under", "less")):
        groups = [
            row.estimates
            for row in shown.rows
            if row.estimates is not None and row.estimates.flag == flag
        ]
        if groups:
            listed = "; ".join(
                f"{g.group} ({_ratio_text(g.representation_ratio, res.confidence_level)})"
                for g in groups
            )
            lines.append(
                f"Represented {words} among IPS users than in the eligible caseload "
                f"(confidence interval excluding 1, not adjusted for multiple groups): {listed}."
            )
    return lines


def _outcome_summary(res: OutcomeEquity, alpha: float, protection: Protection | None) -> list[str]:
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
                f"between groups ({method_words(t.result.method)}, {p})."
            )
        ]
    else:
        lines = [
            (
                f"Job outcomes by {res.name} ({res.window}): no evidence of a difference in the "
                f"share gaining a job between groups ({method_words(t.result.method)}, {p})."
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
                f"counts below 5{_smallest(s, protection)}, so the chi-squared "
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


def _completeness_summary(report: Any, protection: Protection | None) -> str:
    v = report.validation
    read = count(protection, keys.READ, int(v["n_read"])).text
    excluded = count(protection, keys.EXCLUDED, int(v["n_excluded"])).text
    text = f"{read} records read, {excluded} excluded on loading"
    reasons = dict(v.get("counts", {}))
    if int(v["n_excluded"]):
        listed = ", ".join(
            f"{r}: {count(protection, keys.reason(r), int(n)).text}" for r, n in reasons.items()
        )
        text += f" ({listed})"
    return text + f"; {count(protection, keys.PEOPLE, report.n_people).text} people analysed."
