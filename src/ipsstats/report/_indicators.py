"""The report's indicator options: access and outcomes standardised for strata, service funnels.

``equity_report(..., standardise=("age", "gender"))`` adds the indirectly standardised
access ratio of each group (IPS users against the number that the access rates of the
age bands and genders predict from the group's own eligible people) and the job outcomes
of each group adjusted for the same strata; ``by_service="team"`` adds a funnel of the
job rate of each service. This module reads the options, runs the analyses, names their
counts in the report's ledger and gives, per table, what is published: the counts as the
disclosure rules show them and every ratio, rate and limit computed from those published
numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs

from ipsstats._arrays import as_option, fail
from ipsstats.cohort import Cohort
from ipsstats.equity import (
    OVERDISPERSION,
    Funnel,
    IndirectStandardisation,
    Overdispersion,
    StandardisedOutcomes,
    funnel,
    indirect_standardise,
    outcome_funnel,
    standardised_access,
    standardised_outcomes,
)
from ipsstats.errors import InsufficientDataError, IpsStatsError
from ipsstats.factor import Factor
from ipsstats.report import _ledger as keys
from ipsstats.report._ledger import Key, Ledger, Protection
from ipsstats.report._published import Count, count
from ipsstats.results import Estimate

__all__: list[str] = []

#: The name of the age band standardised for when `standardise` names ``"age"``.
AGE_BAND = "age_band"
#: Upper ends of the age bands: ``"<=25"``, ``"26-40"``, ``"41-55"``, ``">55"``.
AGE_EDGES = (25, 40, 55)

DERIVED = "withheld: derived from a suppressed count"


# --------------------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------------------


def _categorical(cohort: Cohort) -> list[str]:
    return [k for k, v in cohort.attributes.items() if isinstance(v, Factor)]


def standardise_option(value: object, cohort: Cohort) -> tuple[tuple[str, ...], Cohort]:
    """Return the strata to standardise for, and the cohort holding them.

    ``"age"`` means the age band of :meth:`Cohort.with_age_band` (edges
    :data:`AGE_EDGES`) when the cohort has a numeric ``age`` and no categorical
    ``age_band``; the band is added to the returned cohort only.
    """
    if value is None:
        return (), cohort
    names = (value,) if isinstance(value, str) else value
    if (
        not isinstance(names, (tuple, list))
        or not names
        or not all(isinstance(n, str) for n in names)
    ):
        raise fail(
            "standardise",
            "be None or a non-empty sequence of attribute names",
            repr(value),
            hint="e.g. standardise=('age', 'gender').",
        )
    categorical = _categorical(cohort)
    banded = cohort
    strata: list[str] = []
    for name in names:
        if name in categorical:
            strata.append(name)
        elif name == "age" and AGE_BAND in categorical:
            strata.append(AGE_BAND)
        elif name == "age" and "age" in cohort.attributes:
            banded = banded.with_age_band(AGE_EDGES, name=AGE_BAND)
            strata.append(AGE_BAND)
        else:
            raise fail(
                "standardise",
                "name categorical attributes of the cohort, or 'age' for the bands of a "
                "numeric age",
                repr(name),
                hint=f"the cohort has the categorical attributes {categorical}.",
            )
    if len(set(strata)) != len(strata):
        raise fail("standardise", "name each stratum once", repr(value))
    return tuple(strata), banded


def by_service_option(value: object, cohort: Cohort) -> str | None:
    """Return the attribute naming each person's service, or ``None``."""
    if value is None:
        return None
    categorical = _categorical(cohort)
    if not isinstance(value, str) or value not in categorical:
        raise fail(
            "by_service",
            "name a categorical attribute of the cohort (each person's service or team)",
            repr(value),
            hint=f"the cohort has the categorical attributes {categorical}.",
        )
    return value


def _is_stratified(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(k, tuple) and len(k) >= 2 for k in value)
    )


def split_eligible(
    given: Mapping[str, object], strata: tuple[str, ...]
) -> tuple[dict[str, object], dict[str, Mapping[Any, Any]]]:
    """Separate stratified caseload counts from the crude counts of each attribute.

    A caseload keyed ``(group, level of each stratum, ...)`` gives the crude count of each
    group (its sum over the strata, for the access section) and is kept for the
    standardised access ratio. Under `standardise` the caseload of every attribute that
    is not itself a stratum must be stratified.
    """
    crude: dict[str, object] = {}
    stratified: dict[str, Mapping[Any, Any]] = {}
    for attr, value in given.items():
        if not _is_stratified(value):
            if strata and attr not in strata:
                raise fail(
                    "standardise",
                    "come with the eligible caseload by group and stratum",
                    f"unstratified caseload counts for {attr!r}",
                    hint=f"key the counts of `eligible[{attr!r}]` by ({attr}, "
                    f"{', '.join(strata)}), e.g. {{('White', '26-40', 'Female'): 120, ...}}; "
                    "on the command line pass --eligible-records with one row per eligible "
                    "person.",
                )
            crude[attr] = value
            continue
        value = cast("Mapping[Any, Any]", value)  # narrowed by _is_stratified
        if strata and attr not in strata and any(len(k) != 1 + len(strata) for k in value):
            bad = next(k for k in value if len(k) != 1 + len(strata))
            raise fail(
                "eligible",
                f"key each count of {attr!r} by ({attr}, {', '.join(strata)})",
                repr(bad),
                hint="one label for the group, then one per stratum of `standardise`.",
            )
        sums: dict[Any, int] = {}
        for k, n in value.items():
            sums[k[0]] = sums.get(k[0], 0) + n
        crude[attr] = sums
        if strata and attr not in strata:
            stratified[attr] = value
    return crude, stratified


# --------------------------------------------------------------------------------------
# the counts in the report's ledger
# --------------------------------------------------------------------------------------


def _known(ledger: Ledger, key: Key) -> bool:
    return key in ledger.values or key in ledger.aliases


def _part_of(ledger: Ledger, whole: Key, part: Key, tag: str) -> None:
    """Declare `part` a part of `whole` (when `whole` is in the report): the rest is hidden."""
    if _known(ledger, whole):
        rest = ledger.aux(("outside", tag, *whole), ledger.value(whole) - ledger.value(part))
        ledger.total(whole, [part, rest])


def std_access_key(attr: str, *parts: object) -> Key:
    """Key of a count of the standardised access of `attr`."""
    return ("std_access", attr, *(str(p) for p in parts))


def std_outcome_key(attr: str, *parts: object) -> Key:
    """Key of a count of the standardised outcomes of `attr`."""
    return ("std_outcome", attr, *(str(p) for p in parts))


def funnel_key(attr: str, *parts: object) -> Key:
    """Key of a count of the service funnel by `attr`."""
    return ("funnel", attr, *(str(p) for p in parts))


def _register_access(ledger: Ledger, attr: str, res: IndirectStandardisation) -> None:
    users, people = [], []
    for g in res.groups:
        ledger.label(attr, g.group)
        o = ledger.count(
            std_access_key(attr, "observed", g.group),
            g.observed,
            same_as=keys.group(attr, g.group),
        )
        e = ledger.count(
            std_access_key(attr, "population", g.group),
            round(g.population),
            same_as=keys.eligible(attr, g.group),
        )
        _part_of(ledger, keys.group(attr, g.group), o, "std_access")
        _part_of(ledger, keys.eligible(attr, g.group), e, "std_access")
        # expected users are a published number like a count (rounded, or suppressed)
        ledger.count(std_access_key(attr, "expected", g.group), round(g.expected))
        users.append(o)
        people.append(e)
    total = ledger.count(
        std_access_key(attr, "observed"),
        sum(g.observed for g in res.groups),
        same_as=keys.known(attr),
    )
    ledger.total(total, users)
    _part_of(ledger, keys.known(attr), total, "std_access")
    pop = ledger.count(
        std_access_key(attr, "population"), round(sum(g.population for g in res.groups))
    )
    ledger.total(pop, people)
    _part_of(ledger, ("eligible_known", attr), pop, "std_access")


def _register_outcomes(ledger: Ledger, attr: str, res: StandardisedOutcomes) -> None:
    ns, jobs = [], []
    for g in res.indirect.groups:
        label = str(g.group)
        ledger.label(attr, label)
        n = ledger.count(
            std_outcome_key(attr, "n", label), round(g.population), same_as=keys.group(attr, label)
        )
        j = ledger.count(
            std_outcome_key(attr, "jobs", label), g.observed, same_as=keys.jobs(attr, label)
        )
        others = ledger.count(
            std_outcome_key(attr, "no_job", label),
            round(g.population) - g.observed,
            same_as=("no_job", attr, label),
            displayed=False,
        )
        ledger.total(n, [j, others])
        whole = (keys.group(attr, label), keys.jobs(attr, label), ("no_job", attr, label))
        if all(_known(ledger, k) for k in whole):
            rests = []
            for key, part in zip(whole, (n, j, others), strict=True):
                rest = ledger.aux(
                    ("outside", "std_outcome", *key), ledger.value(key) - ledger.value(part)
                )
                ledger.total(key, [part, rest])
                rests.append(rest)
            ledger.total(rests[0], rests[1:])
        ledger.count(std_outcome_key(attr, "expected", label), round(g.expected))
        ns.append(n)
        jobs.append(j)
    total = ledger.count(std_outcome_key(attr, "n"), res.n, same_as=keys.known(attr))
    ledger.total(total, ns)
    _part_of(ledger, keys.known(attr), total, "std_outcome")
    all_jobs = ledger.count(
        std_outcome_key(attr, "jobs"), sum(g.observed for g in res.indirect.groups)
    )
    ledger.total(all_jobs, jobs)


def _register_funnel(ledger: Ledger, attr: str, res: Funnel, levels: Sequence[str]) -> None:
    found = {str(u.label): u for u in res.units}
    ns, jobs = [], []
    for label in levels:
        unit = found.get(label)
        size = 0 if unit is None else round(unit.denominator)
        events = 0 if unit is None else round(unit.numerator)
        ledger.label(attr, label)
        n = ledger.count(funnel_key(attr, "n", label), size, same_as=keys.group(attr, label))
        j = ledger.count(funnel_key(attr, "jobs", label), events, same_as=keys.jobs(attr, label))
        others = ledger.count(
            funnel_key(attr, "no_job", label),
            size - events,
            same_as=("no_job", attr, label),
            displayed=False,
        )
        ledger.total(n, [j, others])
        ns.append(n)
        jobs.append(j)
    # everyone whose service is known, at the study end
    total = ledger.count(
        funnel_key(attr, "n"), sum(ledger.value(k) for k in ns), same_as=keys.known(attr)
    )
    ledger.total(total, ns)
    _part_of(ledger, keys.known(attr), total, "funnel")
    all_jobs = ledger.count(funnel_key(attr, "jobs"), sum(ledger.value(k) for k in jobs))
    ledger.total(all_jobs, jobs)


def register(ledger: Ledger, report: Any) -> None:
    """Name the counts of the indicator sections in the report's ledger."""
    for attr, res in report.standardised_access.items():
        _register_access(ledger, attr, res)
    for attr, outcomes in report.standardised_outcomes.items():
        if outcomes is not None:
            _register_outcomes(ledger, attr, outcomes)
    if report.service_funnel is not None:
        attr = str(report.options["by_service"])
        _register_funnel(ledger, attr, report.service_funnel, report.service_levels)


# --------------------------------------------------------------------------------------
# what is published
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RatioRow:
    """One group of a standardised table, as shown (ratios ``None`` when withheld)."""

    label: object
    observed: Count
    expected: Count | float
    population: Count
    ratio: Estimate | None
    crude_ratio: Estimate | None
    flag: str | None


def _ratios(
    observed: Sequence[Count],
    expected: Sequence[float | None],
    level: float,
) -> list[tuple[Estimate, str] | None]:
    """Observed over expected with exact Poisson limits, from published numbers.

    A ratio is withheld where a number is suppressed, or where the published expected
    number is 0 (a small expected number rounded down): no ratio of the published numbers.
    """
    usable = [
        k
        for k, (o, e) in enumerate(zip(observed, expected, strict=True))
        if o.value is not None and e is not None and e > 0
    ]
    found: list[tuple[Estimate, str] | None] = [None] * len(observed)
    if not usable:
        return found
    res = indirect_standardise(
        [[observed[k].value] for k in usable],
        [[expected[k]] for k in usable],
        [1.0],
        confidence_level=level,
    )
    for k, g in zip(usable, res.groups, strict=True):
        found[k] = (g.ratio, g.flag)
    return found


def access_rows(
    attr: str, res: IndirectStandardisation, protection: Protection | None
) -> tuple[list[RatioRow], Count, Count]:
    """Return the standardised access table: rows, IPS users and eligible people analysed."""
    users = count(
        protection, std_access_key(attr, "observed"), sum(g.observed for g in res.groups)
    )
    people = count(
        protection,
        std_access_key(attr, "population"),
        round(sum(g.population for g in res.groups)),
    )
    if protection is None:
        rows = [
            RatioRow(
                label=g.group,
                observed=Count(value=g.observed),
                expected=g.expected,
                population=Count(value=round(g.population)),
                ratio=g.ratio,
                crude_ratio=g.crude_ratio,
                flag=g.flag,
            )
            for g in res.groups
        ]
        return rows, users, people
    observed = [
        count(protection, std_access_key(attr, "observed", g.group), g.observed)
        for g in res.groups
    ]
    expected = [
        count(protection, std_access_key(attr, "expected", g.group), round(g.expected))
        for g in res.groups
    ]
    population = [
        count(protection, std_access_key(attr, "population", g.group), round(g.population))
        for g in res.groups
    ]
    level = res.confidence_level
    standard = _ratios(observed, [e.value for e in expected], level)
    rate = None if users.value is None or not people.value else users.value / people.value
    crude_expected = [
        None if p.value is None or rate is None else p.value * rate for p in population
    ]
    crude = _ratios(observed, crude_expected, level)
    rows = [
        RatioRow(
            label=g.group,
            observed=observed[k],
            expected=expected[k],
            population=population[k],
            ratio=None if standard[k] is None else standard[k][0],  # type: ignore[index]
            crude_ratio=None if crude[k] is None else crude[k][0],  # type: ignore[index]
            flag=None if standard[k] is None else standard[k][1],  # type: ignore[index]
        )
        for k, g in enumerate(res.groups)
    ]
    return rows, users, people


def outcome_rows(
    attr: str, res: StandardisedOutcomes, protection: Protection | None
) -> tuple[list[RatioRow], Count, Count]:
    """Return the standardised job ratios: rows (population: people), people and jobs analysed."""
    groups = res.indirect.groups
    n = count(protection, std_outcome_key(attr, "n"), res.n)
    jobs = count(protection, std_outcome_key(attr, "jobs"), sum(g.observed for g in groups))
    if protection is None:
        rows = [
            RatioRow(
                label=g.group,
                observed=Count(value=g.observed),
                expected=g.expected,
                population=Count(value=round(g.population)),
                ratio=g.ratio,
                crude_ratio=g.crude_ratio,
                flag=g.flag,
            )
            for g in groups
        ]
        return rows, n, jobs
    observed = [
        count(protection, std_outcome_key(attr, "jobs", g.group), g.observed) for g in groups
    ]
    expected = [
        count(protection, std_outcome_key(attr, "expected", g.group), round(g.expected))
        for g in groups
    ]
    people = [
        count(protection, std_outcome_key(attr, "n", g.group), round(g.population)) for g in groups
    ]
    level = res.indirect.confidence_level
    standard = _ratios(observed, [e.value for e in expected], level)
    rate = None if jobs.value is None or not n.value else jobs.value / n.value
    crude = _ratios(
        observed,
        [None if p.value is None or rate is None else p.value * rate for p in people],
        level,
    )
    rows = [
        RatioRow(
            label=g.group,
            observed=observed[k],
            expected=expected[k],
            population=people[k],
            ratio=None if standard[k] is None else standard[k][0],  # type: ignore[index]
            crude_ratio=None if crude[k] is None else crude[k][0],  # type: ignore[index]
            flag=None if standard[k] is None else standard[k][1],  # type: ignore[index]
        )
        for k, g in enumerate(groups)
    ]
    return rows, n, jobs


@attrs.frozen(kw_only=True)
class FunnelRow:
    """One unit of the service funnel, as shown (rate and limits ``None`` when withheld)."""

    label: str
    n: Count
    jobs: Count
    rate: float | None
    lower: tuple[float, ...] | None
    upper: tuple[float, ...] | None
    flag: str | None
    flag_level: float | None


@attrs.frozen(kw_only=True)
class FunnelTable:
    """The service funnel as shown: units, totals, and the funnel drawn from them."""

    rows: tuple[FunnelRow, ...]
    n: Count
    jobs: Count
    target: float | None
    published: Funnel | None
    note: str = ""


def funnel_table(
    attr: str,
    res: Funnel,
    levels: Sequence[str],
    protection: Protection | None,
) -> FunnelTable:
    """Return the funnel of job rates by service: exact, or from the published counts."""
    found = {str(u.label): u for u in res.units}
    sizes = {
        label: (0, 0)
        if label not in found
        else (round(found[label].denominator), round(found[label].numerator))
        for label in levels
    }
    n_all = count(protection, funnel_key(attr, "n"), sum(n for n, _ in sizes.values()))
    jobs_all = count(protection, funnel_key(attr, "jobs"), sum(j for _, j in sizes.values()))
    if protection is None:
        rows = []
        for label in levels:
            n, j = sizes[label]
            unit = found.get(label)
            rows.append(
                FunnelRow(
                    label=label,
                    n=Count(value=n),
                    jobs=Count(value=j),
                    rate=None if unit is None else unit.value,
                    lower=None if unit is None else unit.lower,
                    upper=None if unit is None else unit.upper,
                    flag=None if unit is None else unit.flag,
                    flag_level=None if unit is None else unit.flag_level,
                )
            )
        return FunnelTable(
            rows=tuple(rows), n=n_all, jobs=jobs_all, target=res.target, published=res
        )
    shown = {
        label: (
            count(protection, funnel_key(attr, "n", label), n),
            count(protection, funnel_key(attr, "jobs", label), j),
        )
        for label, (n, j) in sizes.items()
    }
    usable = [label for label, (n, j) in shown.items() if n.value and j.value is not None]
    target = None if jobs_all.value is None or not n_all.value else jobs_all.value / n_all.value
    published: Funnel | None = None
    note = ""
    if target is not None and usable:
        try:
            published = funnel(
                [shown[label][1].value for label in usable],
                [shown[label][0].value for label in usable],
                kind="proportion",
                labels=usable,
                target=target,
                confidence_levels=res.confidence_levels,
                overdispersion=res.overdispersion,
                winsorise=res.winsorise,
                name=attr,
            )
        except IpsStatsError as exc:  # the published counts may not support the limits
            note = f"limits not computed from the published counts ({exc})"
    units = {} if published is None else {str(u.label): u for u in published.units}
    rows = []
    for label in levels:
        n_shown, j_shown = shown[label]
        unit = units.get(label)
        rows.append(
            FunnelRow(
                label=label,
                n=n_shown,
                jobs=j_shown,
                rate=None if unit is None else unit.value,
                lower=None if unit is None else unit.lower,
                upper=None if unit is None else unit.upper,
                flag=None if unit is None else unit.flag,
                flag_level=None if unit is None else unit.flag_level,
            )
        )
    return FunnelTable(
        rows=tuple(rows), n=n_all, jobs=jobs_all, target=target, published=published, note=note
    )


def service_levels(cohort: Cohort, attr: str) -> tuple[str, ...]:
    """Every service of the cohort's attribute, in its order (empty ones included)."""
    column = cohort.attributes[attr]
    levels = column.levels if isinstance(column, Factor) else ()
    return tuple(str(level) for level in levels)


def _attempt(caveats: list[str], what: str, run: Callable[[], Any]) -> Any:
    """Run one analysis; record why in `caveats` if the data are insufficient for it."""
    try:
        return run()
    except InsufficientDataError as exc:
        caveats.append(f"{what}: not computed ({exc})")
        return None


@attrs.frozen(kw_only=True)
class Plan:
    """The indicator options of a report, read and checked, ready to run."""

    strata: tuple[str, ...]
    banded: Cohort
    service: str | None
    dispersion: Overdispersion
    crude: Mapping[str, object]
    stratified: Mapping[str, Mapping[Any, Any]]

    def options(self) -> dict[str, Any]:
        """Return the options as the report records them."""
        return {
            "standardise": list(self.strata) or None,
            "by_service": self.service,
            "funnel_overdispersion": self.dispersion,
        }

    def run(
        self,
        cohort: Cohort,
        names: Sequence[str],
        *,
        missing_labels: list[object],
        level: float,
        caveats: list[str],
    ) -> dict[str, Any]:
        """Run the analyses; return the report's fields for them.

        `caveats` collects the analyses the data cannot support.
        """
        strata, banded = self.strata, self.banded
        access: dict[str, IndirectStandardisation] = {}
        for name, caseload in self.stratified.items():
            found = _attempt(
                caveats,
                f"access by {name}, standardised",
                lambda name=name, caseload=caseload: standardised_access(  # type: ignore[misc]
                    banded,
                    name,
                    caseload,
                    strata=strata,
                    missing_labels=missing_labels,
                    confidence_level=level,
                ),
            )
            if found is not None:
                access[name] = found
        outcomes: dict[str, StandardisedOutcomes | None] = {
            name: _attempt(
                caveats,
                f"job outcomes by {name}, standardised",
                lambda name=name: standardised_outcomes(  # type: ignore[misc]
                    banded, name, strata=strata, confidence_level=level
                ),
            )
            for name in (names if strata else ())
            if name not in strata
        }
        service, dispersion = self.service, self.dispersion
        service_funnel: Funnel | None = None
        if service is not None:
            service_funnel = _attempt(
                caveats,
                f"job rates by {service}",
                lambda: outcome_funnel(cohort, service, overdispersion=dispersion),
            )
        return {
            "standardised_access": access,
            "standardised_outcomes": outcomes,
            "service_funnel": service_funnel,
            "service_levels": () if service is None else service_levels(cohort, service),
        }


def plan(
    cohort: Cohort,
    given: Mapping[str, object],
    standardise: object,
    by_service: object,
    overdispersion: object,
) -> Plan:
    """Read the indicator options of :func:`~ipsstats.equity_report`."""
    strata, banded = standardise_option(standardise, cohort)
    service = by_service_option(by_service, cohort)
    dispersion = as_option(overdispersion, "funnel_overdispersion", OVERDISPERSION)
    crude, stratified = split_eligible(given, strata)
    return Plan(
        strata=strata,
        banded=banded,
        service=service,
        dispersion=dispersion,
        crude=crude,
        stratified=stratified,
    )
