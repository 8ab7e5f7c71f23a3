"""Pieces shared by the equity analyses: the reported-test record, option types and formatting."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np

from ipsstats._arrays import fail
from ipsstats.categorical import (
    ContingencyTable,
    IndependenceResult,
    PValueAdjustment,
    adjust_pvalues,
    independence,
)
from ipsstats.cohort import Cohort
from ipsstats.errors import SmallExpectedCountWarning
from ipsstats.factor import Factor
from ipsstats.results import Estimate, TestResult, ToDict

__all__ = [
    "ACCESS_METHODS",
    "MEASURES",
    "MISSING_GROUP_RULES",
    "AccessMethod",
    "Flag",
    "Measure",
    "MissingGroupRule",
    "ReportedTest",
]


def _categorical(cohort: Cohort, name: object, argument: str) -> Factor:
    """Return the categorical attribute `name`, or raise an error listing those there are."""
    have = ", ".join(repr(k) for k in cohort.attribute_names) or "none"
    if not isinstance(name, str) or name not in cohort.attribute_names:
        raise fail(
            argument,
            "name an attribute of the cohort",
            repr(name),
            hint=f"the cohort has the attributes {have}.",
        )
    column = cohort.attributes[name]
    if not isinstance(column, Factor):
        raise fail(
            argument,
            "name a categorical attribute",
            f"numeric attribute {name!r}",
            hint="band it first, e.g. cohort.with_age_band().",
        )
    return column


AccessMethod = Literal["homogeneity", "goodness-of-fit", "subset"]
MissingGroupRule = Literal["exclude", "include", "sensitivity"]
Measure = Literal["time_to_job", "in_work_support"]
Flag = Literal["over", "under", "none"]

ACCESS_METHODS: tuple[AccessMethod, ...] = ("homogeneity", "goodness-of-fit", "subset")
MISSING_GROUP_RULES: tuple[MissingGroupRule, ...] = ("exclude", "include", "sensitivity")
MEASURES: tuple[Measure, ...] = ("time_to_job", "in_work_support")
_MISSING_LEVEL = "Missing"
_SMALL_EXPECTED = 5.0
_NAIVE_LABEL = "median among those with the event (ignores censoring)"


# --------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------


def _undefined(method: str, note: str) -> Estimate:
    """Build an estimate that cannot be computed, with the reason."""
    return Estimate(
        value=None, lower=None, upper=None, confidence_level=None, method=method, note=note
    )


def _str_tuple(value: Sequence[object]) -> tuple[str, ...]:
    return tuple(str(item) for item in value)


def _tuple(value: Sequence[object]) -> tuple[object, ...]:
    return tuple(value)


def _fmt(value: float | None, spec: str = ".3g") -> str:
    return "-" if value is None else format(value, spec)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


# Field metadata marking a field left out of ``to_dict()`` (large arrays kept for figures).
@attrs.frozen(kw_only=True)
class ReportedTest(ToDict):
    """One test of a reported family, with its adjusted p-value and small-count flag.

    Parameters
    ----------
    label : str
        What was tested, e.g. ``"overall"``, ``"service = CNWL"``, ``"CMH across service"``.
    result : TestResult
        The test that ran (for a table, chosen by ``independence(method="auto")``; its
        ``reason`` says why).
    adjusted_pvalue : float
        The p-value adjusted across every test reported with it (see `adjust`); equal to
        ``result.pvalue`` when it is reported alone or `adjust` is ``"none"``.
    adjust : str
        The adjustment applied to the family.
    min_expected : float or None
        The smallest expected count of the table (``None`` for a CMH test).
    small_expected : bool
        Whether an expected count is below 5, so that an asymptotic chi-squared p-value is
        questionable; the exact p-value is then given in `exact`.
    asymptotic : TestResult or None
        Pearson's chi-squared test of the same table (what papers usually print), kept
        beside `result` for comparison; its ``caveats`` record any small-count problem.
    exact : TestResult or None
        The exact conditional test of the same table, when `small_expected`.
    """

    label: str
    result: TestResult
    adjusted_pvalue: float = attrs.field(converter=float)
    adjust: str
    min_expected: float | None = None
    small_expected: bool = False
    asymptotic: TestResult | None = None
    exact: TestResult | None = None

    def __str__(self) -> str:
        text = (
            f"{self.label}: {self.result.method}, statistic = {self.result.statistic:.3f}, "
            f"p = {self.result.pvalue:.3g}"
        )
        if self.adjust != "none":
            text += f" ({self.adjust}-adjusted {self.adjusted_pvalue:.3g})"
        if self.small_expected and self.exact is not None and self.asymptotic is not None:
            text += (
                f"; expected counts below 5 (smallest {self.min_expected:.2f}): exact "
                f"p = {self.exact.pvalue:.3g} beside asymptotic p = {self.asymptotic.pvalue:.3g}"
            )
        return text


def _quiet_pearson(table: ContingencyTable) -> IndependenceResult:
    """Pearson's chi-squared; a small-count warning is recorded in its caveats instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallExpectedCountWarning)
        return independence(table, method="pearson")


def _table_test(label: str, table: ContingencyTable, *, rng: int) -> ReportedTest:
    """Run the ``auto`` test of a table, with Pearson's and (small counts) the exact one."""
    chosen = independence(table, method="auto", rng=rng)
    minimum = float(chosen.details["min_expected"])
    small = minimum < _SMALL_EXPECTED
    asymptotic = chosen if chosen.method == "pearson" else _quiet_pearson(table)
    exact: TestResult | None = None
    if small:
        exact = chosen if chosen.method.startswith("fisher") else _exact_or_none(table)
    return ReportedTest(
        label=label,
        result=chosen,
        adjusted_pvalue=chosen.pvalue,
        adjust="none",
        min_expected=minimum,
        small_expected=small,
        asymptotic=asymptotic,
        exact=exact,
    )


def _exact_or_none(table: ContingencyTable) -> TestResult | None:
    try:
        return independence(table, method="exact")
    except ValueError:  # past the exact test's work limit: the auto result stands
        return None


def _adjust_family(tests: list[ReportedTest], how: PValueAdjustment) -> list[ReportedTest]:
    """Adjust the p-values of a family of reported tests together."""
    if not tests:
        return tests
    raw = np.array([t.result.pvalue for t in tests], dtype=np.float64)
    adjusted = adjust_pvalues(raw, method=how)
    return [
        attrs.evolve(t, adjusted_pvalue=float(p), adjust=how)
        for t, p in zip(tests, adjusted, strict=True)
    ]
