"""Reading the options of :func:`~ipsstats.equity_report`: attributes, caseloads, rules."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ipsstats._arrays import fail
from ipsstats.categorical import Counts
from ipsstats.cohort import Cohort, as_months
from ipsstats.errors import InsufficientDataError
from ipsstats.factor import Factor
from ipsstats.report.disclosure import Disclosure

__all__ = [
    "attempt",
    "by_option",
    "disclosure_option",
    "eligible_option",
    "ips_counts",
    "missing_by_attribute",
    "months_option",
]


def by_option(cohort: Cohort, by: object) -> tuple[str, ...]:
    categorical = tuple(k for k, v in cohort.attributes.items() if isinstance(v, Factor))
    if by is None:
        if not categorical:
            raise fail(
                "cohort",
                "have at least one categorical attribute to compare groups by",
                f"attributes {list(cohort.attribute_names)}",
            )
        return categorical
    names = (by,) if isinstance(by, str) else by
    if not isinstance(names, (tuple, list)) or not names:
        raise fail("by", "be a non-empty sequence of attribute names", repr(by))
    for name in names:
        if name not in categorical:
            raise fail(
                "by",
                "name categorical attributes of the cohort",
                repr(name),
                hint=f"the cohort has the categorical attributes {list(categorical)}.",
            )
    return tuple(str(n) for n in names)


def eligible_option(eligible: object, by: tuple[str, ...]) -> dict[str, object]:
    if eligible is None:
        return {}
    if isinstance(eligible, Counts):
        name = eligible.name if eligible.name is not None else (by[0] if len(by) == 1 else None)
        if name not in by:
            raise fail(
                "eligible",
                "be named after one of the `by` attributes (Counts.name)",
                repr(eligible.name),
                hint="pass a mapping {attribute: counts} instead.",
            )
        return {str(name): eligible}
    if not isinstance(eligible, Mapping):
        raise fail(
            "eligible", "be None, Counts or a mapping {attribute: counts}", type(eligible).__name__
        )
    unknown = [k for k in eligible if k not in by]
    if unknown:
        raise fail(
            "eligible",
            "have keys among the `by` attributes",
            f"{unknown}",
            hint=f"`by` is {list(by)}; eligible counts are given per attribute.",
        )
    return {str(k): v for k, v in eligible.items()}


def ips_counts(ips: Counts, eligible: Counts, name: str) -> Counts:
    """IPS users per group of the eligible caseload, in its order.

    A group of the caseload that nobody in the cohort belongs to has 0 IPS users (no
    access at all is the strongest finding an access analysis can make); a group of the
    cohort that the caseload does not have cannot be compared, and is an error.
    """
    only_cohort = [level for level in ips.levels if level not in eligible.levels]
    if only_cohort:
        raise fail(
            "eligible",
            f"give a count for every {name} group of the cohort",
            f"no count in `eligible[{name!r}]` for {only_cohort}",
            hint=f"the eligible caseload has the groups {list(eligible.levels)}; add the "
            "missing groups, or list labels meaning 'not known' in `missing_labels`.",
            positions=tuple(only_cohort),
        )
    found = dict(zip(ips.levels, ips.counts.tolist(), strict=True))
    return Counts.from_counts(
        [int(found.get(level, 0)) for level in eligible.levels],
        list(eligible.levels),
        name=ips.name,
        n_missing=ips.n_missing,
    )


def disclosure_option(suppress: object) -> Disclosure | None:
    if suppress is False or suppress is None:
        return None
    if suppress is True:
        return Disclosure()
    if isinstance(suppress, Mapping):
        unknown = [k for k in suppress if k not in ("threshold", "round_to")]
        if unknown:
            raise fail("suppress", "have only the keys 'threshold' and 'round_to'", f"{unknown}")
        settings = {k: suppress[k] for k in ("threshold", "round_to") if k in suppress}
        for key, value in settings.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise fail("suppress", f"have a positive integer {key!r}", repr(value))
        return Disclosure(**{k: int(v) for k, v in settings.items()})
    raise fail(
        "suppress",
        "be True, False or a mapping {'threshold': int, 'round_to': int}",
        repr(suppress),
    )


def months_option(value: object) -> int:
    return as_months(value, "min_followup_months")


def missing_by_attribute(cohort: Cohort) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, column in cohort.attributes.items():
        n_missing = column.n_missing if isinstance(column, Factor) else int(np.isnan(column).sum())
        out[name] = {"n_missing": n_missing, "share": n_missing / cohort.n if cohort.n else None}
    return out


def attempt(caveats: list[str], what: str, run: Callable[[], Any]) -> Any:
    """Run one analysis; record why in `caveats` if the data are insufficient for it."""
    try:
        return run()
    except InsufficientDataError as exc:
        caveats.append(f"{what}: not computed ({exc})")
        return None
