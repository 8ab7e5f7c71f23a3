r"""The headline of an equity report: five questions, one plain sentence and a light each.

Each headline item answers one question a commissioner asks (how many eligible people the
service reached; whether any group was under-represented; whether job rates differed;
whether time to a first job differed; whether time in supported work differed) in one
sentence with its number, and gives a traffic-light judgement by a fixed rule:

* **Reach** is given for information: no benchmark of reach is set, so it is not judged.
* **Access** (per attribute with an eligible caseload): *red* when some group's
  representation ratio has its whole confidence interval below 1 (under-represented
  among IPS users); *amber* when the overall test of the make-up of IPS users against the
  eligible caseload has :math:`p < \alpha` but no group is under-represented (only
  over-representation, or a difference spread over groups); *green* otherwise.
* **Job outcomes** (per attribute, everyone in the cohort): *red* when the overall test of
  equal job rates has :math:`p < \alpha`, the p-value being the one adjusted by the
  report's multiplicity adjustment (``adjust``) whenever the analysis reports several
  tests; *amber* when it does not, but some group's job-rate ratio against the reference
  group has its whole confidence interval on one side of 1 (evidence for one pair, not
  adjusted for the number of groups); *green* otherwise.
* **Time to a first job** and **in-work support** (per attribute): *red* when the
  log-rank test has :math:`p < \alpha`; *green* otherwise.

Here :math:`\alpha = 1 - \text{confidence level}`. With several attributes, the item
takes the worst judgement over them (red, then amber, then green) and its sentence
describes that attribute. An item is *not assessed* when its analysis could not be run,
or, under disclosure control, when the estimates it needs are withheld. Green means no
evidence of a difference, not evidence of equality.

Under disclosure control every number a sentence prints comes from the report's
published (protected) counts, exactly as in the sections: counts as published, and
shares, rates and ratios computed from them; test p-values and medians are those the
sections print.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs

from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.report._ledger import Protection
from ipsstats.report._published import access_table, duration_table, outcome_table
from ipsstats.report.render._format import format_number, format_pvalue

__all__: list[str] = []

Judgement = Literal["red", "amber", "green", "not assessed", "for information"]

JUDGEMENTS: tuple[Judgement, ...] = ("red", "amber", "green", "not assessed", "for information")

_RANK = {"red": 0, "amber": 1, "green": 2, "not assessed": 3, "for information": 4}

RULES: tuple[str, ...] = (
    "Reach is given for information (no benchmark is set).",
    (
        "Access: red when a group's representation ratio has its whole confidence interval "
        "below 1; amber when the overall test of the make-up of IPS users has P below the "
        "significance level but no group is under-represented; green otherwise."
    ),
    (
        "Job outcomes: red when the overall test of equal job rates (P adjusted for the "
        "several tests of the analysis) is below the significance level; amber when it is "
        "not, but one group's rate ratio has its whole confidence interval on one side of 1; "
        "green otherwise."
    ),
    (
        "Time to a first job and in-work support: red when the log-rank test has P below the "
        "significance level; green otherwise."
    ),
    (
        "With several attributes the worst judgement is shown. Green means no evidence of a "
        "difference, not evidence of equality; 'not assessed' means the analysis could not be "
        "run or its numbers are withheld under disclosure control."
    ),
)


@attrs.frozen(kw_only=True)
class HeadlineItem:
    """One headline answer: the question, its traffic-light judgement and one sentence."""

    topic: str
    judgement: Judgement
    sentence: str

    def to_dict(self) -> dict[str, str]:
        """Return the item as a JSON-safe dictionary."""
        return {"topic": self.topic, "judgement": self.judgement, "sentence": self.sentence}


def _worst(items: Sequence[tuple[str, Judgement, str]]) -> tuple[str, Judgement, str]:
    return min(items, key=lambda item: _RANK[item[1]])


def _pct(x: float) -> str:
    return f"{format_number(100 * x, 1)}%"


def _reach(report: Any, protection: Protection | None) -> HeadlineItem:
    for name, res in report.access.items():
        shown = access_table(name, res, protection)
        reach = shown.overall_reach
        if reach is None or reach.value is None:
            continue
        level = f"{100 * res.confidence_level:g}%"
        lower = "-" if reach.lower is None else format_number(100 * reach.lower, 1)
        upper = "-" if reach.upper is None else format_number(100 * reach.upper, 1)
        return HeadlineItem(
            topic="Reach",
            judgement="for information",
            sentence=(
                f"{_pct(reach.value)} of the eligible caseload used IPS "
                f"({shown.users.text} of {shown.everyone.text} people; {level} CI "
                f"{lower} to {upper})."
            ),
        )
    return HeadlineItem(
        topic="Reach",
        judgement="not assessed",
        sentence="Reach is not reported: no eligible caseload was given, or its counts are "
        "withheld.",
    )


def _access(report: Any, alpha: float, protection: Protection | None) -> HeadlineItem:
    found: list[tuple[str, Judgement, str]] = []
    for name, res in report.access.items():
        shown = access_table(name, res, protection)
        estimates = [row.estimates for row in shown.rows]
        under = [e for e in estimates if e is not None and e.flag == "under"]
        p = format_pvalue(res.test.pvalue)
        if under:
            worst = min(under, key=lambda e: e.representation_ratio.value or 0.0)
            ratio = worst.representation_ratio
            level = f"{100 * res.confidence_level:g}%"
            others = f" and {len(under) - 1} other group(s)" if len(under) > 1 else ""
            found.append(
                (
                    name,
                    "red",
                    (
                        f"By {name}, {worst.group}{others} used IPS less than their share of "
                        f"the eligible caseload (representation ratio "
                        f"{format_number(ratio.value, 2)}, {level} CI "
                        f"{format_number(ratio.lower, 2)} to {format_number(ratio.upper, 2)})."
                    ),
                )
            )
        elif any(e is None for e in estimates):
            found.append(
                (
                    name,
                    "not assessed",
                    (
                        f"Access by {name} is not assessed: some groups' estimates are withheld "
                        "under disclosure control."
                    ),
                )
            )
        elif res.test.pvalue < alpha:
            found.append(
                (
                    name,
                    "amber",
                    (
                        f"By {name}, the make-up of IPS users differed from the eligible "
                        f"caseload ({p}), but no group was clearly under-represented."
                    ),
                )
            )
        else:
            found.append(
                (
                    name,
                    "green",
                    (
                        f"By {name}, no group was under-represented among IPS users and there "
                        f"was no evidence that their make-up differed from the eligible caseload "
                        f"({p})."
                    ),
                )
            )
    if not found:
        return HeadlineItem(
            topic="Access",
            judgement="not assessed",
            sentence="Access is not assessed: no eligible caseload was given.",
        )
    return _item("Access", found)


def _item(topic: str, found: list[tuple[str, Judgement, str]]) -> HeadlineItem:
    name, judgement, sentence = _worst(found)
    others = [f"{n} ({j})" for n, j, _ in found if n != name]
    if others:
        sentence += f" Also judged: {', '.join(others)}."
    return HeadlineItem(topic=topic, judgement=judgement, sentence=sentence)


def _outcomes(report: Any, alpha: float, protection: Protection | None) -> HeadlineItem:
    found: list[tuple[str, Judgement, str]] = []
    for name in report.options["by"]:
        res = report.outcome_all.get(name)
        if res is None or res.overall is None:
            found.append((name, "not assessed", f"Job outcomes by {name} could not be compared."))
            continue
        shown = outcome_table(name, "all", res, protection)
        rates = [
            (row.rate.value, str(row.label))
            for row in shown.rows
            if row.rate is not None and row.rate.value is not None
        ]
        span = ""
        if len(rates) >= 2:
            low, high = min(rates), max(rates)
            span = (
                f"Job rates by {name} ranged from {_pct(low[0])} ({low[1]}) to "
                f"{_pct(high[0])} ({high[1]}); "
            )
        elif len(rates) == 1:
            span = f"Job rate by {name}: {_pct(rates[0][0])} ({rates[0][1]}); "
        t = res.overall
        several = len(res.tests) > 1
        decisive = t.adjusted_pvalue if several else t.result.pvalue
        p = format_pvalue(decisive)
        if several:
            p = f"{res.adjust}-adjusted {p}"
        one_side = [
            str(row.label)
            for row in shown.rows
            if not row.reference
            and row.rate_ratio is not None
            and row.rate_ratio.lower is not None
            and row.rate_ratio.upper is not None
            and (row.rate_ratio.lower > 1 or row.rate_ratio.upper < 1)
        ]
        lead = span or f"Job outcomes by {name}: "
        if decisive < alpha:
            found.append((name, "red", f"{lead}the rates differed between groups ({p})."))
        elif one_side:
            found.append(
                (
                    name,
                    "amber",
                    (
                        f"{lead}no overall difference ({p}), but the rate of "
                        f"{', '.join(one_side)} differed from the reference group's."
                    ),
                )
            )
        else:
            found.append(
                (name, "green", f"{lead}no evidence of a difference between groups ({p}).")
            )
    if not found:
        return HeadlineItem(
            topic="Job outcomes",
            judgement="not assessed",
            sentence="No job outcome analysis could be run.",
        )
    return _item("Job outcomes", found)


def _in_unit(days: float | None, unit: str) -> str:
    if days is None:
        return "not reached"
    if unit == "days":
        return f"{days:.0f} days"
    return f"{days / DAYS_PER_MONTH:.1f} months"


def _durations(
    report: Any, measure: str, alpha: float, protection: Protection | None
) -> HeadlineItem:
    topic, what = (
        ("Time to a first job", "Median time to a first job")
        if measure == "time_to_job"
        else ("In-work support", "Median time in work with support")
    )
    unit = str(report.options.get("time_unit", "months"))
    found: list[tuple[str, Judgement, str]] = []
    for name in report.options["by"]:
        res = report.durations.get(name, {}).get(measure)
        if res is None or res.logrank is None:
            found.append((name, "not assessed", f"{topic} by {name} could not be compared."))
            continue
        shown = duration_table(name, res, protection)
        visible = {str(row.label) for row in shown.rows if not row.hidden}
        medians = [
            (g.median.value, str(g.group))
            for g in res.groups
            if str(g.group) in visible and g.median.value is not None
        ]
        span = f"{topic} by {name}: "
        if len(medians) >= 2:
            low, high = min(medians), max(medians)
            span = (
                f"{what} by {name} ranged from {_in_unit(low[0], unit)} ({low[1]}) to "
                f"{_in_unit(high[0], unit)} ({high[1]}); "
            )
        p = format_pvalue(res.logrank.pvalue)
        if res.logrank.pvalue < alpha:
            found.append((name, "red", f"{span}the groups differed (log-rank {p})."))
        else:
            found.append(
                (
                    name,
                    "green",
                    f"{span}no evidence of a difference between groups (log-rank {p}).",
                )
            )
    if not found:
        return HeadlineItem(
            topic=topic, judgement="not assessed", sentence=f"No {topic.lower()} analysis ran."
        )
    return _item(topic, found)


def headline(report: Any, protection: Protection | None) -> tuple[HeadlineItem, ...]:
    """Return the five headline items of a report, judged by the documented rules."""
    alpha = float(report.options["significance_level"])
    return (
        _reach(report, protection),
        _access(report, alpha, protection),
        _outcomes(report, alpha, protection),
        _durations(report, "time_to_job", alpha, protection),
        _durations(report, "in_work_support", alpha, protection),
    )
