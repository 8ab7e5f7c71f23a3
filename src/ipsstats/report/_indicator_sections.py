"""Sections, summary lines and JSON of the report's indicator options.

"Access standardised for ..." (``standardise=``): per attribute, the indirectly
standardised access ratio of each group beside its crude ratio, and the job outcomes
adjusted for the same strata (standardised job ratios and Mantel-Haenszel comparisons);
"Job rates by ..." (``by_service=``): the funnel of the services' job rates, as a table
and a figure. Under disclosure control every count is shown as the report's ledger
decides and every ratio, rate and limit is computed from the published numbers.
"""

from __future__ import annotations

from typing import Any

from ipsstats.equity import Funnel, IndirectStandardisation, StandardisedOutcomes
from ipsstats.plot import plot_funnel
from ipsstats.report._indicators import (
    AGE_BAND,
    DERIVED,
    FunnelTable,
    RatioRow,
    access_rows,
    funnel_table,
    outcome_rows,
)
from ipsstats.report._json import _put, _withhold
from ipsstats.report._ledger import Protection
from ipsstats.report._published import Count
from ipsstats.report.render._document import Note, Paragraph, Section, Table
from ipsstats.report.render._format import format_number
from ipsstats.report.sections import (
    _HIDDEN,
    _PUBLISHED_NOTE,
    _figure,
    _interval,
    _redact,
)
from ipsstats.results import Estimate

__all__: list[str] = []

_MH_WITHHELD = (
    "withheld under disclosure control: Mantel-Haenszel estimates are computed from the "
    "counts of every group in every stratum, which the report does not publish"
)


def strata_words(strata: tuple[str, ...]) -> str:
    """``"age_band and gender"`` -> ``"age and gender"`` (the age band named as age)."""
    names = ["age" if s == AGE_BAND else s for s in strata]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _bands_note(report: Any, strata: tuple[str, ...]) -> list[Note]:
    """Name the age bands standardised for, as the analyses used them."""
    if AGE_BAND not in strata:
        return []
    at = strata.index(AGE_BAND)
    results = [*report.standardised_access.values()]
    results += [r.indirect for r in report.standardised_outcomes.values() if r is not None]
    bands: list[str] = []
    for res in results:
        for stratum in res.strata:
            label = str(stratum[at] if isinstance(stratum, tuple) else stratum)
            if label not in bands:
                bands.append(label)
    if not bands:
        return []
    return [Note(text=f"Age is standardised for in the bands {', '.join(bands)} (years).")]


def _expected_text(e: Count | float) -> str:
    return e.text if isinstance(e, Count) else format_number(e, 1)


def _ratio_cells(row: RatioRow) -> tuple[str, str, str]:
    def cell(est: Estimate | None) -> str:
        return _HIDDEN if est is None else _interval(est)

    return cell(row.ratio), cell(row.crude_ratio), _HIDDEN if row.flag is None else row.flag


def _access_table(
    attr: str, res: IndirectStandardisation, protection: Protection | None
) -> tuple[Table, Count, Count]:
    rows, users, people = access_rows(attr, res, protection)
    level = f"{100 * res.confidence_level:g}%"
    notes = [
        (
            "Expected: the IPS users the access rates of the strata (all groups together) "
            "predict from the group's own eligible people. Standardised ratio: IPS users over "
            f"expected, with exact Poisson {level} limits; crude ratio: the same against the "
            "overall access rate. Flag: 'over' or 'under' when the whole interval of the "
            "standardised ratio lies above or below 1."
        )
    ]
    if protection is not None:
        notes.append(_PUBLISHED_NOTE)
    table = Table(
        header=(
            attr,
            "IPS users, n",
            "Eligible, n",
            "Expected IPS users",
            f"Standardised access ratio ({level} CI)",
            f"Crude ratio ({level} CI)",
            "Flag",
        ),
        rows=[
            (
                str(r.label),
                r.observed.text,
                r.population.text,
                _expected_text(r.expected),
                *_ratio_cells(r),
            )
            for r in rows
        ],
        caption=f"Access by {attr}, standardised for {strata_words(res.strata_names)}",
        notes=notes,
    )
    return table, users, people


def _outcome_tables(
    attr: str, res: StandardisedOutcomes, protection: Protection | None
) -> list[Any]:
    rows, n, jobs = outcome_rows(attr, res, protection)
    level = f"{100 * res.indirect.confidence_level:g}%"
    notes = [
        (
            "Expected: the jobs the job rates of the strata (all groups together) predict for "
            "the group's own people; standardised job ratio: jobs over expected, with exact "
            f"Poisson {level} limits."
        )
    ]
    if protection is not None:
        notes.append(_PUBLISHED_NOTE)
    blocks: list[Any] = [
        Table(
            header=(
                attr,
                "People, n",
                "Gained a job, n",
                "Expected jobs",
                f"Standardised job ratio ({level} CI)",
                f"Crude ratio ({level} CI)",
                "Flag",
            ),
            rows=[
                (
                    str(r.label),
                    r.population.text,
                    r.observed.text,
                    _expected_text(r.expected),
                    *_ratio_cells(r),
                )
                for r in rows
            ],
            caption=f"Job outcomes by {attr} ({res.window}), standardised for "
            f"{strata_words(res.strata_names)}",
            notes=notes,
        )
    ]
    blocks.append(Paragraph(text=f"People analysed: {n.text}, of whom {jobs.text} gained a job."))
    comparison = res.comparison
    if protection is not None:
        blocks.append(Note(text=f"Mantel-Haenszel comparisons {_MH_WITHHELD}.", kind="caveat"))
        return blocks
    blocks.append(
        Table(
            header=(
                attr,
                f"Risk ratio, Mantel-Haenszel ({level} CI)",
                f"Difference, points, Mantel-Haenszel ({level} CI)",
                f"Crude risk ratio ({level} CI)",
            ),
            rows=[
                (
                    str(g.group),
                    "reference" if g.risk_ratio is None else _interval(g.risk_ratio),
                    "reference"
                    if g.risk_difference is None
                    else _interval(g.risk_difference, 100.0, 1),
                    "reference" if g.crude_risk_ratio is None else _interval(g.crude_risk_ratio),
                )
                for g in comparison.groups
            ],
            caption=f"Job rates against {comparison.reference}, adjusted for "
            f"{strata_words(res.strata_names)}",
        )
    )
    blocks += [Note(text=c, kind="caveat") for c in comparison.caveats]
    return blocks


def standardised_section(report: Any, protection: Protection | None) -> Section | None:
    """Return the section "Access standardised for ...", or ``None`` without `standardise`."""
    strata = tuple(report.options.get("standardise") or ())
    if not strata:
        return None
    blocks: list[Any] = []
    for attr, res in report.standardised_access.items():
        table, users, people = _access_table(attr, res, protection)
        blocks.append(table)
        blocks.append(
            Paragraph(
                text=f"Analysed for {attr}: {users.text} IPS users and {people.text} eligible "
                f"people with {strata_words((attr, *strata))} known."
            )
        )
        blocks += [Note(text=_redact(c, protection), kind="caveat") for c in res.caveats]
    if not report.standardised_access:
        blocks.append(
            Note(
                text="No eligible caseload by group and stratum was given, so access is not "
                "standardised; job outcomes are.",
                kind="caveat",
            )
        )
    for attr, outcomes in report.standardised_outcomes.items():
        if outcomes is not None:
            blocks += _outcome_tables(attr, outcomes, protection)
    blocks += _bands_note(report, strata)
    return Section(title=f"Access standardised for {strata_words(strata)}", blocks=blocks)


def _flag_text(flag: str | None, level: float | None) -> str:
    if flag is None:
        return _HIDDEN
    if level is None:
        return "within"
    return f"{flag} {100 * level:g}%"


def _limits_cells(
    lower: tuple[float, ...] | None, upper: tuple[float, ...] | None, levels: int
) -> list[str]:
    """Lower and upper limit of each level, in %, one cell each (``*`` when withheld)."""
    if lower is None or upper is None:
        return [_HIDDEN] * (2 * levels)
    cells = []
    for lo, hi in zip(lower, upper, strict=True):
        cells += [format_number(100 * lo, 1), format_number(100 * hi, 1)]
    return cells


def funnel_section(report: Any, protection: Protection | None, figures: bool) -> Section | None:
    """Return the section "Job rates by <service>": funnel table and figure."""
    res: Funnel | None = report.service_funnel
    if res is None:
        return None
    attr = str(report.options["by_service"])
    shown: FunnelTable = funnel_table(attr, res, report.service_levels, protection)
    header = [attr, "People, n", "Gained a job, n", "Job rate, %"]
    for lv in res.confidence_levels:
        header += [f"{100 * lv:g}% lower limit, %", f"{100 * lv:g}% upper limit, %"]
    header.append("Flag")
    rows = []
    for row in shown.rows:
        limits = _limits_cells(row.lower, row.upper, len(res.confidence_levels))
        rate = _HIDDEN if row.rate is None else format_number(100 * row.rate, 1)
        rows.append(
            (
                row.label,
                row.n.text,
                row.jobs.text,
                rate,
                *limits,
                _flag_text(row.flag, row.flag_level),
            )
        )
    notes = [
        (
            "Limits: the range of job rates expected by chance alone around the overall rate at "
            "the service's size (exact binomial limits); flag: 'above' or 'below' the widest "
            "limits the service lies outside, 'within' otherwise."
        )
    ]
    if res.overdispersion != "none":
        notes.append(f"Limits allow for over-dispersion ({res.overdispersion}).")
    if protection is not None:
        notes.append(_PUBLISHED_NOTE)
    target = _HIDDEN if shown.target is None else format_number(100 * shown.target, 1)
    blocks: list[Any] = [
        Table(
            header=tuple(header),
            rows=rows,
            caption=f"Job rate by {attr}, with funnel limits around the overall rate",
            notes=notes,
        ),
        Paragraph(
            text=f"Overall: {shown.jobs.text} of {shown.n.text} people gained a job ({target}%)."
        ),
    ]
    if figures:
        blocks.append(
            _figure(
                f"Funnel plot of the job rate by {attr}: each service's rate against its "
                "number of people, within "
                + " and ".join(f"{100 * lv:g}%" for lv in res.confidence_levels)
                + " limits around the overall rate",
                lambda: plot_funnel(res, ylabel="Job rate"),
                protection,
            )
        )
    if shown.note:
        blocks.append(Note(text=_redact(shown.note, protection), kind="caveat"))
    blocks += [Note(text=_redact(c, protection), kind="caveat") for c in res.caveats]
    return Section(title=f"Job rates by {attr}", blocks=blocks)


# --------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------


def indicator_summary(report: Any, protection: Protection | None) -> list[str]:
    """Plain-language findings of the indicator sections."""
    lines: list[str] = []
    strata = tuple(report.options.get("standardise") or ())
    for attr, res in report.standardised_access.items():
        rows, _, _ = access_rows(attr, res, protection)
        for flag, words in (("over", "more"), ("under", "fewer")):
            found = [str(r.label) for r in rows if r.flag == flag]
            if found:
                lines.append(
                    f"Access by {attr}, standardised for {strata_words(strata)}: {words} IPS "
                    f"users than their {strata_words(strata)} mix predicts in "
                    f"{', '.join(found)} (interval of the standardised access ratio "
                    "excluding 1)."
                )
    if report.service_funnel is not None:
        attr = str(report.options["by_service"])
        shown = funnel_table(attr, report.service_funnel, report.service_levels, protection)
        outside = [f"{r.label} ({r.flag})" for r in shown.rows if r.flag_level is not None]
        top = f"{100 * max(report.service_funnel.confidence_levels):g}%"
        if outside:
            lines.append(
                f"Job rates by {attr}: outside the funnel limits: {', '.join(outside)} "
                f"(the widest limits, {top}, are the ones to act on)."
            )
        else:
            lines.append(f"Job rates by {attr}: every service within the funnel limits.")
    return lines


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------


def _estimate(est: Estimate | None) -> dict[str, Any] | None:
    return None if est is None else dict(est.to_dict())


def _ratio_rows_dict(rows: list[RatioRow], names: tuple[str, str, str]) -> list[dict[str, Any]]:
    observed, population, _ = names
    out = []
    for r in rows:
        item: dict[str, Any] = {"group": r.label}
        _put(item, observed, r.observed)
        _put(item, population, r.population)
        if isinstance(r.expected, Count):
            _put(item, "expected", r.expected)
        else:
            item["expected"] = float(r.expected)
        item["ratio"] = _estimate(r.ratio)
        item["crude_ratio"] = _estimate(r.crude_ratio)
        item["flag"] = r.flag
        if r.ratio is None:
            _withhold(item, ("ratio", "flag"), DERIVED)
        if r.crude_ratio is None and isinstance(r.expected, Count):
            _withhold(item, ("crude_ratio",), DERIVED)
        out.append(item)
    return out


def standardised_dict(report: Any, protection: Protection | None) -> dict[str, Any] | None:
    """Return the ``standardised`` entry of the JSON form (``None`` without `standardise`)."""
    strata = list(report.options.get("standardise") or ())
    if not strata:
        return None
    access: dict[str, Any] = {}
    for attr, res in report.standardised_access.items():
        rows, users, people = access_rows(attr, res, protection)
        item: dict[str, Any] = {
            "method": "indirect standardisation (exact Poisson limits)",
            "confidence_level": res.confidence_level,
            "groups": _ratio_rows_dict(rows, ("ips_n", "eligible_n", "expected")),
            "caveats": [_redact(c, protection) for c in res.caveats],
        }
        _put(item, "ips_n", users)
        _put(item, "eligible_n", people)
        access[attr] = item
    outcomes: dict[str, Any] = {}
    for attr, res2 in report.standardised_outcomes.items():
        if res2 is None:
            outcomes[attr] = None
            continue
        rows, n, jobs = outcome_rows(attr, res2, protection)
        entry: dict[str, Any] = {
            "window": res2.window,
            "confidence_level": res2.indirect.confidence_level,
            "groups": _ratio_rows_dict(rows, ("jobs", "n", "expected")),
        }
        _put(entry, "n", n)
        _put(entry, "jobs", jobs)
        if protection is None:
            entry["comparison"] = res2.comparison.to_dict()
        else:
            _withhold(entry, ("comparison",), _MH_WITHHELD)
        outcomes[attr] = entry
    return {"strata": strata, "access": access, "outcomes": outcomes}


def funnel_dict(report: Any, protection: Protection | None) -> dict[str, Any] | None:
    """Return the ``service_funnel`` entry of the JSON form (``None`` without `by_service`)."""
    res: Funnel | None = report.service_funnel
    if res is None:
        return None
    attr = str(report.options["by_service"])
    shown = funnel_table(attr, res, report.service_levels, protection)
    units = []
    for row in shown.rows:
        item: dict[str, Any] = {"unit": row.label}
        _put(item, "n", row.n)
        _put(item, "jobs", row.jobs)
        item.update(
            rate=row.rate,
            lower=None if row.lower is None else list(row.lower),
            upper=None if row.upper is None else list(row.upper),
            flag=row.flag,
            flag_level=row.flag_level,
        )
        if row.rate is None and (row.n.hidden or row.jobs.hidden):
            _withhold(item, ("rate", "lower", "upper", "flag", "flag_level"), DERIVED)
        units.append(item)
    out: dict[str, Any] = {
        "by": attr,
        "kind": res.kind,
        "confidence_levels": list(res.confidence_levels),
        "overdispersion": res.overdispersion,
        "method": res.method if shown.published is None else shown.published.method,
        "target": shown.target,
        "units": units,
        "caveats": [_redact(c, protection) for c in res.caveats],
    }
    _put(out, "n", shown.n)
    _put(out, "jobs", shown.jobs)
    if shown.target is None:
        _withhold(out, ("target",), DERIVED)
    return out
