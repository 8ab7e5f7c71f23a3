"""Equity of access, outcome and duration between groups of people using IPS.

Three questions, one function each, every one returning a frozen result holding all the
numbers a paper or a commissioner's report prints, with the small-count and missing-data
decisions recorded on it:

- :func:`access_equity`: do the groups reach IPS in proportion to their share of the
  eligible caseload?
- :func:`outcome_equity`: do the groups gain jobs at the same rate?
- :func:`duration_equity`: do the groups wait as long for a job, and are they supported
  in work as long?

The statistics themselves come from the modules that own them (:mod:`ipsstats.independence`,
:mod:`ipsstats.proportions`, :mod:`ipsstats.stratified`, :mod:`ipsstats.survival`,
:mod:`ipsstats.logrank`, :mod:`ipsstats.competing`); this module assembles them.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats.calendar import DAYS_PER_MONTH, as_date
from ipsstats.cohort import Cohort
from ipsstats.competing import GrayTestResult, IncidenceCurve, cumulative_incidence, gray_test
from ipsstats.contingency import ContingencyTable, Counts, StratifiedTable
from ipsstats.errors import InsufficientDataError, SmallExpectedCountWarning
from ipsstats.factor import Factor
from ipsstats.gof import GoodnessOfFitResult, goodness_of_fit, homogeneity
from ipsstats.independence import IndependenceResult, independence
from ipsstats.logrank import LogrankResult, logrank
from ipsstats.proportions import adjust_pvalues, proportion, risk_difference, risk_ratio
from ipsstats.results import Estimate, TestResult, json_safe
from ipsstats.stratified import cmh
from ipsstats.survival import SurvivalCurve, kaplan_meier

__all__ = [
    "AccessEquity",
    "AccessGroup",
    "DurationEquity",
    "DurationGroup",
    "Landmark",
    "OutcomeEquity",
    "OutcomeGroup",
    "ReportedTest",
    "access_equity",
    "duration_equity",
    "outcome_equity",
]

AccessMethod = Literal["homogeneity", "goodness-of-fit", "subset"]
MissingRule = Literal["exclude", "include", "sensitivity"]
Adjustment = Literal["holm", "bonferroni", "hochberg", "bh", "by", "none"]
Measure = Literal["time_to_job", "in_work_support"]
Flag = Literal["over", "under", "none"]

_ACCESS_METHODS: tuple[AccessMethod, ...] = ("homogeneity", "goodness-of-fit", "subset")
_MISSING_RULES: tuple[MissingRule, ...] = ("exclude", "include", "sensitivity")
_ADJUSTMENTS: tuple[Adjustment, ...] = ("holm", "bonferroni", "hochberg", "bh", "by", "none")
_MEASURES: tuple[Measure, ...] = ("time_to_job", "in_work_support")
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
_NOT_IN_DICT = {"to_dict": False}


class _Dict:
    """Mixin: a JSON-safe ``to_dict()`` over the attrs fields."""

    def to_dict(self) -> dict[str, Any]:
        """Return every field as JSON-safe Python objects (non-finite floats become None)."""
        return {
            field.name: json_safe(getattr(self, field.name))
            for field in attrs.fields(type(self))  # type: ignore[arg-type]  # attrs classes only
            if field.metadata.get("to_dict", True)
        }


@attrs.frozen(kw_only=True)
class ReportedTest(_Dict):
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


def _adjust_family(tests: list[ReportedTest], how: Adjustment) -> list[ReportedTest]:
    """Adjust the p-values of a family of reported tests together."""
    if not tests:
        return tests
    raw = np.array([t.result.pvalue for t in tests], dtype=np.float64)
    adjusted = raw if how == "none" else adjust_pvalues(raw, method=how)
    return [
        attrs.evolve(t, adjusted_pvalue=float(p), adjust=how)
        for t, p in zip(tests, adjusted, strict=True)
    ]


# --------------------------------------------------------------------------------------
# access equity
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AccessGroup(_Dict):
    """One group's access to IPS: counts, shares, reach and representation.

    Parameters
    ----------
    group : object
        The group's label.
    ips_n, eligible_n : int
        People in the group among IPS users and in the eligible caseload.
    ips_share, eligible_share : float
        The group's share of each, among people whose group is known (or, with
        ``missing="include"``, of everyone).
    reach : Estimate or None
        ``ips_n / eligible_n`` with its Wilson interval: the share of the group's eligible
        people who used IPS (the 2022 paper's "accessing IPS, %"). ``None`` when IPS users
        are not a subset of the caseload (see :func:`access_equity`).
    representation_ratio : Estimate
        ``ips_share / eligible_share`` with its interval; 1 means represented in
        proportion.
    adjusted_residual : float or None
        The group's adjusted (standardised) residual in the overall test: beyond about
        +-1.96 the group contributes notably to a significant result.
    flag : {"over", "under", "none"}
        ``"over"`` when the whole interval of `representation_ratio` lies above 1,
        ``"under"`` when it lies below 1, ``"none"`` otherwise (no evidence of over- or
        under-representation, which is not evidence of equal representation).
    """

    group: object
    ips_n: int
    ips_share: float
    eligible_n: int
    eligible_share: float
    reach: Estimate | None
    representation_ratio: Estimate
    adjusted_residual: float | None
    flag: Flag


@attrs.frozen(kw_only=True)
class AccessEquity(_Dict):
    """Result of :func:`access_equity`.

    Parameters
    ----------
    name : str or None
        The grouping variable, e.g. ``"ethnicity"``.
    method : {"homogeneity", "goodness-of-fit", "subset"}
        The comparison made (see :func:`access_equity`).
    missing : {"exclude", "include", "sensitivity"}
        The rule applied to people whose group is not known.
    confidence_level : float
        Coverage of every interval.
    groups : tuple of AccessGroup
        One row per group, in the input order (plus ``"Missing"`` when included).
    test : TestResult
        The overall test that IPS users are distributed over the groups as the eligible
        caseload is.
    ips_n, eligible_n : int
        People tested in each input.
    ips_missing, eligible_missing : int
        People whose group is not known in each input.
    ips_missing_share, eligible_missing_share : float or None
        Those as shares of everyone in the input.
    missing_reach : Estimate or None
        Reach among people whose group is not known.
    overall_reach : Estimate or None
        Reach over everyone (missing included).
    caveats : tuple of str
        Anything a reader must know, in words.
    sensitivity : AccessEquity or None
        With ``missing="sensitivity"``: the same analysis with "Missing" as a group.
    """

    name: str | None
    method: AccessMethod
    missing: MissingRule
    confidence_level: float
    groups: tuple[AccessGroup, ...]
    test: TestResult
    ips_n: int
    eligible_n: int
    ips_missing: int
    eligible_missing: int
    ips_missing_share: float | None
    eligible_missing_share: float | None
    missing_reach: Estimate | None
    overall_reach: Estimate | None
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    sensitivity: AccessEquity | None = None

    def to_text(self) -> str:
        """Render as a plain-text table in the style of the 2022 paper's Table 2."""
        header = ("group", "IPS n (%)", "eligible n (%)", "reach %", "ratio (CI)", "flag")
        rows = [header]
        for g in self.groups:
            rr = g.representation_ratio
            rows.append(
                (
                    str(g.group),
                    f"{g.ips_n} ({_percent(g.ips_share)})",
                    f"{g.eligible_n} ({_percent(g.eligible_share)})",
                    _percent(g.reach.value if g.reach else None),
                    f"{_fmt(rr.value)} ({_fmt(rr.lower)} to {_fmt(rr.upper)})",
                    g.flag,
                )
            )
        widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        lines.append(
            f"{self.test.method}: statistic = {self.test.statistic:.2f}, "
            f"p = {self.test.pvalue:.3g}"
        )
        lines.extend(f"caveat: {c}" for c in self.caveats)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _as_group_counts(value: object, name: str, missing_labels: Collection[object]) -> Counts:
    if isinstance(value, Counts):
        return value
    if isinstance(value, Mapping):
        counts = Counts.from_mapping(value, missing_labels=missing_labels)
        return attrs.evolve(counts, name=None)
    raise fail(
        name,
        "be Counts or a mapping {group: count}",
        type(value).__name__,
        hint="build one with Counts.from_mapping({...}, missing_labels=[...]).",
    )


def _check_same_groups(ips: Counts, eligible: Counts) -> None:
    only_ips = [level for level in ips.levels if level not in eligible.levels]
    only_eligible = [level for level in eligible.levels if level not in ips.levels]
    if only_ips or only_eligible:
        raise fail(
            "eligible_counts",
            "have the same groups as `ips_counts`",
            f"groups only in `ips_counts`: {only_ips}; only in `eligible_counts`: {only_eligible}",
            hint="give both inputs the same groups (a group with nobody is a count of 0).",
            positions=tuple(only_ips + only_eligible),
        )


def _subset_violations(
    levels: Sequence[object], ips: NDArray[np.int64], eligible: NDArray[np.int64]
) -> list[str]:
    return [
        f"{level!r} ({int(a)} IPS users, {int(e)} eligible)"
        for level, a, e in zip(levels, ips, eligible, strict=True)
        if a > e
    ]


def _reach(k: int, n: int, level: float) -> Estimate:
    if n == 0:
        return _undefined("wilson", "no eligible people in the group")
    return proportion(k, n, method="wilson", confidence_level=level)


def _flag(ratio: Estimate) -> Flag:
    if ratio.lower is not None and ratio.lower > 1.0:
        return "over"
    if ratio.upper is not None and ratio.upper < 1.0:
        return "under"
    return "none"


def _subset_ratio(a: int, n_ips: int, e: int, n_eligible: int, level: float) -> Estimate:
    """Representation ratio when IPS users are a subset of the eligible caseload."""
    method = "delta-log, ips users within the caseload"
    if a == 0 or e == 0:
        what = "no IPS users in the group" if a == 0 else "no eligible people in the group"
        return Estimate(
            value=0.0 if a == 0 and e > 0 else None,
            lower=None,
            upper=None,
            confidence_level=level,
            method=method,
            note=f"{what}: the log-scale interval is undefined",
        )
    b, n_other = e - a, n_eligible - n_ips
    ratio = (a / n_ips) / (e / n_eligible)
    variance = (b * b * (n_ips - a) / (a * n_ips)) / (e * e)
    if n_other > 0:
        variance += (b * (n_other - b) / n_other) / (e * e)
    se = math.sqrt(variance)
    z = float(stats.norm.isf((1.0 - level) / 2.0))
    return Estimate(
        value=ratio,
        lower=ratio * math.exp(-z * se),
        upper=ratio * math.exp(z * se),
        confidence_level=level,
        method=method,
        std_err=se,
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _gof_ratios(result: GoodnessOfFitResult) -> dict[object, Estimate]:
    """Read the representation ratio of each level tested from the test's result."""
    out: dict[object, Estimate] = {}
    for k, level in enumerate(result.levels):
        value = float(result.ratio[k])
        note = "" if math.isfinite(value) else "the group's reference share is 0"
        out[level] = Estimate(
            value=_finite(value),
            lower=_finite(float(result.ratio_lower[k])),
            upper=_finite(float(result.ratio_upper[k])),
            confidence_level=result.confidence_level,
            method=result.ratio_method,
            note=note,
        )
    return out


def _access_test(
    method: AccessMethod,
    levels: tuple[object, ...],
    counts: tuple[NDArray[np.int64], NDArray[np.int64]],
    missing: tuple[int, int],
    level: float,
) -> tuple[GoodnessOfFitResult, dict[object, Estimate]]:
    """Run the overall test and compute each group's representation ratio."""
    ips, eligible = counts
    first = Counts.from_counts(ips, levels, name="IPS users", n_missing=missing[0])
    if method == "goodness-of-fit":
        reference = Counts.from_counts(eligible, levels, n_missing=missing[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallExpectedCountWarning)  # kept in caveats
            result = goodness_of_fit(first, reference, confidence_level=level)
        return result, _gof_ratios(result)
    if method == "homogeneity":
        second = Counts.from_counts(eligible, levels, n_missing=missing[1])
        result = homogeneity(first, second, method="auto", confidence_level=level)
        return result, _gof_ratios(result)
    others = Counts.from_counts(eligible - ips, levels, n_missing=max(0, missing[1] - missing[0]))
    result = homogeneity(first, others, method="auto", confidence_level=level)
    n_ips, n_eligible = int(ips.sum()), int(eligible.sum())
    ratios = {
        lv: _subset_ratio(int(a), n_ips, int(e), n_eligible, level)
        for lv, a, e in zip(levels, ips, eligible, strict=True)
    }
    return result, ratios


def access_equity(
    ips_counts: object,
    eligible_counts: object,
    *,
    method: AccessMethod = "homogeneity",
    missing: MissingRule = "exclude",
    missing_labels: Collection[object] = (),
    confidence_level: float = 0.95,
) -> AccessEquity:
    r"""Compare who uses IPS with who is eligible for it, group by group.

    Parameters
    ----------
    ips_counts : Counts or Mapping[object, int]
        People using IPS, by group (e.g. ethnicity). People whose group is not known go in
        ``n_missing`` (or under a label listed in `missing_labels`).
    eligible_counts : Counts or Mapping[object, int]
        The eligible caseload (e.g. people on the community mental health teams' caseload),
        by the same groups.
    method : {"homogeneity", "goodness-of-fit", "subset"}
        The comparison (see Notes): ``"homogeneity"`` (default) tests IPS users against
        the whole caseload as two samples; ``"goodness-of-fit"`` takes the caseload's
        shares as known; ``"subset"`` tests IPS users against the eligible people not
        using IPS.
    missing : {"exclude", "include", "sensitivity"}
        People whose group is not known: left out of the test (``"exclude"``, default,
        as the 2022 paper did), counted as a group of their own (``"include"``), or both
        (``"sensitivity"``: the main result excludes them and ``sensitivity`` holds the
        analysis including them). Their counts and reach are reported in every case.
    missing_labels : collection, optional
        Labels in mapping inputs that mean "not known", e.g. ``("Not known",)``.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1.

    Returns
    -------
    AccessEquity
        ``groups`` (per group: ``ips_n``, ``ips_share``, ``eligible_n``,
        ``eligible_share``, ``reach``, ``representation_ratio``, ``adjusted_residual``,
        ``flag``), the overall ``test``, missing-value counts and shares, ``caveats``
        and, for ``missing="sensitivity"``, ``sensitivity``.

    Raises
    ------
    InvalidInputError
        If an input is not counts by group, the two inputs have different groups (the
        message lists them), an option is unknown, or, with ``method="subset"``, a group
        has more IPS users than eligible people (the message names the group).
    InsufficientDataError
        If fewer than two groups have anyone in them.

    See Also
    --------
    ipsstats.independence : the test behind ``"homogeneity"`` and ``"subset"``.
    ipsstats.proportion : the Wilson interval of each reach.

    Notes
    -----
    With :math:`a_j` IPS users and :math:`e_j` eligible people in group :math:`j`,
    :math:`A = \sum_j a_j` and :math:`E = \sum_j e_j`:

    .. math::

        \text{reach}_j = \frac{a_j}{e_j}, \qquad
        \text{RR}_j = \frac{a_j / A}{e_j / E}.

    The three methods answer slightly different questions.

    - ``"homogeneity"``: Pearson's test of the :math:`2 \times k` table of IPS users
      against the whole caseload, as two independent samples of one factor. This is
      what the 2022 paper computed (it reproduces its chi-squared values 22.05 and
      34.22) and the conventional framing when the caseload is a reference population;
      because IPS users are also part of the caseload the two rows overlap, which makes
      the test and the Katz interval of :math:`\text{RR}_j` conservative.
    - ``"goodness-of-fit"``: the caseload shares :math:`e_j / E` are taken as known
      population proportions (right when the caseload is a census far larger than the
      IPS sample); :math:`\text{RR}_j` has the Wilson interval of :math:`a_j / A`
      divided by :math:`e_j / E`.
    - ``"subset"``: IPS users against eligible people not using IPS,
      :math:`e_j - a_j`, two disjoint samples, so the rows of the table are
      independent. :math:`\text{RR}_j` keeps its definition and its log-scale interval
      accounts for the overlap by the delta method, with :math:`b_j = e_j - a_j` and
      :math:`B = E - A`:

      .. math::

          \operatorname{Var}(\log \text{RR}_j) = \frac{1}{e_j^2}\left(
          \frac{b_j^2 (A - a_j)}{a_j A} + \frac{b_j (B - b_j)}{B}\right).

    The tests of ``"homogeneity"`` and ``"subset"`` are chosen as
    :func:`~ipsstats.independence` does with ``method="auto"`` (Pearson's chi-squared
    when Cochran's rule holds, as it does for the paper's counts, otherwise the exact
    test; the reason is in ``test.details``); ``"goodness-of-fit"`` uses Pearson's
    statistic, with any small-count caveat recorded in ``test.caveats``.

    A group is flagged ``"over"`` (``"under"``) represented when the whole confidence
    interval of :math:`\text{RR}_j` lies above (below) 1; the intervals are not
    adjusted for multiplicity. Reach is computed only when no group has more IPS users
    than eligible people; otherwise it is ``None`` and a caveat says why (with
    ``"subset"`` that is an error).

    References
    ----------
    .. [1] Perkins, R. et al. (2022). Individual placement and support: cross-sectional
       study of equality of access and outcome for Black, Asian and minority ethnic
       communities. BJPsych Bulletin 46, Table 2.
    .. [2] Agresti, A. (2013). Categorical Data Analysis, 3rd edition. Wiley, sections
       2.4 and 3.3 (homogeneity tests and adjusted residuals).

    Examples
    --------
    Table 2 of the 2022 paper, CNWL (chi-squared 22.05, P < 0.01):

    >>> from ipsstats.datasets import perkins2022
    >>> data = perkins2022()
    >>> res = access_equity(data.ips_ethnicity["CNWL"], data.caseload_ethnicity["CNWL"])
    >>> print(round(res.test.statistic, 2), res.test.pvalue < 0.01)
    22.05 True
    >>> black = res.groups[2]
    >>> print(black.group, round(100 * black.reach.value, 1), black.flag)
    Black/Black British 7.9 over
    """
    how = as_option(method, "method", _ACCESS_METHODS)
    rule = as_option(missing, "missing", _MISSING_RULES)
    level = as_confidence_level(confidence_level)
    ips = _as_group_counts(ips_counts, "ips_counts", missing_labels)
    eligible = _as_group_counts(eligible_counts, "eligible_counts", missing_labels)
    _check_same_groups(ips, eligible)
    eligible = eligible.reorder(list(ips.levels))
    main = _access(ips, eligible, how, "exclude" if rule == "sensitivity" else rule, level)
    if rule != "sensitivity":
        return main
    if ips.n_missing == 0 and eligible.n_missing == 0:
        note = "no missing values, so the sensitivity analysis including them is not needed"
        return attrs.evolve(main, missing=rule, caveats=(*main.caveats, note))
    return attrs.evolve(
        main, missing=rule, sensitivity=_access(ips, eligible, how, "include", level)
    )


def _access_group(
    label: object,
    *,
    counts: tuple[int, int],
    totals: tuple[int, int],
    ratio: Estimate,
    residual: float | None,
    reach: Estimate | None,
) -> AccessGroup:
    (a, e), (n_ips, n_eligible) = counts, totals
    return AccessGroup(
        group=label,
        ips_n=a,
        ips_share=a / n_ips,
        eligible_n=e,
        eligible_share=e / n_eligible,
        reach=reach,
        representation_ratio=ratio,
        adjusted_residual=residual,
        flag=_flag(ratio),
    )


def _access(
    ips: Counts, eligible: Counts, how: AccessMethod, rule: MissingRule, level: float
) -> AccessEquity:
    levels: tuple[object, ...] = tuple(ips.levels)
    a = np.asarray(ips.counts, dtype=np.int64)
    e = np.asarray(eligible.counts, dtype=np.int64)
    missing = (ips.n_missing, eligible.n_missing)
    if rule == "include":
        levels = (*levels, _MISSING_LEVEL)
        a = np.append(a, ips.n_missing)
        e = np.append(e, eligible.n_missing)
        missing = (0, 0)
    violations = _subset_violations(levels, a, e)
    caveats: list[str] = []
    if violations and how == "subset":
        raise fail(
            "eligible_counts",
            "be at least `ips_counts` in every group when IPS users are a subset of the "
            "eligible caseload (method='subset')",
            "fewer eligible people than IPS users in " + ", ".join(violations),
            hint="check that both inputs cover the same period and area, or use "
            "method='homogeneity' for two separate samples.",
            positions=tuple(lv for lv, x, y in zip(levels, a, e, strict=True) if x > y),
        )
    if violations:
        caveats.append(
            "reach is not computed: IPS users cannot be a subset of the eligible caseload "
            "because " + ", ".join(violations) + " has more IPS users than eligible people"
        )
    test, ratios = _access_test(how, levels, (a, e), missing, level)
    residuals = dict(zip(test.levels, test.adjusted_residuals.tolist(), strict=True))
    totals = (int(a.sum()), int(e.sum()))
    groups = tuple(
        _access_group(
            lv,
            counts=(int(x), int(y)),
            totals=totals,
            ratio=ratios.get(lv) or _undefined(test.ratio_method, "group not tested (empty)"),
            residual=residuals.get(lv),
            reach=None if violations else _reach(int(x), int(y), level),
        )
        for lv, x, y in zip(levels, a, e, strict=True)
    )
    n_ips, n_eligible = totals
    ok = not violations and not (ips.n_missing > eligible.n_missing)
    return AccessEquity(
        name=ips.name or eligible.name,
        method=how,
        missing=rule,
        confidence_level=level,
        groups=groups,
        test=test,
        ips_n=n_ips,
        eligible_n=n_eligible,
        ips_missing=ips.n_missing,
        eligible_missing=eligible.n_missing,
        ips_missing_share=ips.n_missing / ips.total if ips.total else None,
        eligible_missing_share=eligible.n_missing / eligible.total if eligible.total else None,
        missing_reach=_reach(ips.n_missing, eligible.n_missing, level)
        if ok and eligible.n_missing
        else None,
        overall_reach=_reach(ips.total, eligible.total, level)
        if not violations and ips.total <= eligible.total
        else None,
        caveats=tuple(caveats) + tuple(test.caveats),
    )


# --------------------------------------------------------------------------------------
# outcome equity
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OutcomeGroup(_Dict):
    """One group's job outcome, and its comparison with the reference group.

    Parameters
    ----------
    group : object
        The group's label.
    n : int
        People in the group.
    jobs : int
        People in the group who started a job by the outcome date.
    rate : Estimate
        ``jobs / n`` with its Wilson interval (undefined, with a note, for an empty group).
    rate_ratio : Estimate or None
        The rate divided by the reference group's rate (Katz log interval); ``None`` for
        the reference group itself.
    rate_difference : Estimate or None
        The rate minus the reference group's rate (Newcombe's hybrid score interval);
        ``None`` for the reference group.
    """

    group: object
    n: int
    jobs: int
    rate: Estimate
    rate_ratio: Estimate | None
    rate_difference: Estimate | None


@attrs.frozen(kw_only=True)
class OutcomeEquity(_Dict):
    """Result of :func:`outcome_equity`.

    Parameters
    ----------
    name : str
        The grouping variable, e.g. ``"ethnicity"``.
    window : str
        Who was analysed, in words (everyone, or the minimum-follow-up window).
    end : str or None
        The date at which job outcomes were judged (ISO 8601), when known.
    min_followup_months : int or None
        The minimum follow-up applied, if any.
    reference : object
        The reference group of the rate ratios and differences.
    confidence_level : float
        Coverage of every interval.
    adjust : str
        The multiple-testing adjustment applied across `tests`.
    n : int
        People analysed (group known).
    n_missing : int
        People left out because their group (or a stratum) was not known.
    n_window_excluded : int
        People left out by the follow-up window.
    groups : tuple of OutcomeGroup
        One row per group.
    overall : ReportedTest or None
        The test of equal job rates across groups (pooled over strata); ``None`` (with a
        caveat) when it cannot be computed, e.g. when nobody, or everybody, got a job.
    cramers_v : float or None
        Cramér's V of the pooled table (``None`` with `overall`).
    stratum_tests : tuple of ReportedTest
        The same test within each stratum of each stratifying variable.
    cmh_tests : tuple of ReportedTest
        The Cochran-Mantel-Haenszel test across the strata of each stratifying variable.
    caveats : tuple of str
        Anything a reader must know (strata that could not be tested, ...).
    """

    name: str
    window: str
    end: str | None
    min_followup_months: int | None
    reference: object
    confidence_level: float
    adjust: str
    n: int
    n_missing: int
    n_window_excluded: int
    groups: tuple[OutcomeGroup, ...]
    overall: ReportedTest | None
    cramers_v: float | None
    stratum_tests: tuple[ReportedTest, ...] = ()
    cmh_tests: tuple[ReportedTest, ...] = ()
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    @property
    def tests(self) -> tuple[ReportedTest, ...]:
        """Every reported test, in order: overall, per stratum, then CMH."""
        first = () if self.overall is None else (self.overall,)
        return (*first, *self.stratum_tests, *self.cmh_tests)

    def to_text(self) -> str:
        """Render as a plain-text table in the style of the 2022 paper's Table 3."""
        rows = [("group", "n", "jobs (%)", "rate (CI)", "ratio (CI)")]
        for g in self.groups:
            rr = g.rate_ratio
            rows.append(
                (
                    str(g.group),
                    str(g.n),
                    f"{g.jobs} ({_percent(g.rate.value)})",
                    _rate_text(g.rate),
                    "reference"
                    if rr is None
                    else f"{_fmt(rr.value)} ({_fmt(rr.lower)} to {_fmt(rr.upper)})",
                )
            )
        widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
        lines = [f"{self.name}: {self.window}"]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        lines += [str(t) for t in self.tests]
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _rate_text(rate: Estimate) -> str:
    return f"{_percent(rate.value)} ({_percent(rate.lower)} to {_percent(rate.upper)})"


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


def _strata_names(strata: object) -> tuple[str, ...]:
    if isinstance(strata, str):
        return (strata,)
    if not isinstance(strata, (tuple, list)):
        raise fail("strata", "be a sequence of attribute names", type(strata).__name__)
    return tuple(strata)


def _months_option(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise fail("min_followup_months", "be None or a whole number of months", repr(value))
    if int(value) < 0:
        raise fail("min_followup_months", "be None or a whole number of months >= 0", repr(value))
    return int(value)


@attrs.frozen(kw_only=True)
class _Tables:
    """The pooled table and the stratified tables an outcome analysis works on."""

    name: str
    pooled: ContingencyTable
    stratified: tuple[StratifiedTable, ...]
    window: str
    end: str | None
    n_window_excluded: int


def _window(
    cohort: Cohort, months: int | None, end: object
) -> tuple[Cohort, str, str | None, int]:
    if months is None:
        when = as_date(
            end if end is not None else cohort.outcome_end or cohort.observed_until, "end"
        )
        return cohort, f"everyone, outcome by {when}", str(when), 0
    last = end if end is not None else cohort.observed_until
    selected = cohort.with_minimum_followup(months, end=last)
    step = selected.exclusions[-1]
    label = (
        f"at least {months} months' follow-up (accessed on or before "
        f"{step.parameters['latest_access']}), outcome by {step.parameters['end']}"
    )
    if selected.n == 0:
        raise InsufficientDataError(
            f"the window `min_followup_months={months}` ending {step.parameters['end']} "
            f"({step.description}) leaves no one: all {cohort.n} people were excluded. "
            "Hint: use a shorter window or a later end date.",
            argument="min_followup_months",
        )
    return selected, label, str(step.parameters["end"]), step.n_excluded


def _cohort_tables(
    cohort: Cohort, by: object, months: int | None, end: object, strata: tuple[str, ...]
) -> _Tables:
    _categorical(cohort, by, "by")
    for name in strata:
        _categorical(cohort, name, "strata")
    selected, label, when, n_out = _window(cohort, months, end)
    pooled = selected.crosstab(str(by), "job_by_end", end=when)
    assert isinstance(pooled, ContingencyTable)  # crosstab without strata
    stratified = []
    for name in strata:
        table = selected.crosstab(str(by), "job_by_end", strata=name, end=when)
        if isinstance(table, StratifiedTable):
            stratified.append(table)
    return _Tables(
        name=str(by),
        pooled=pooled,
        stratified=tuple(stratified),
        window=label,
        end=when,
        n_window_excluded=n_out,
    )


def _given_tables(table: ContingencyTable | StratifiedTable, by: object) -> _Tables:
    counts = np.asarray(table.counts)
    if counts.shape[-1] != 2:
        raise fail(
            "cohort_or_table",
            "have two outcome columns (job, no job)",
            f"a table of shape {counts.shape}",
            hint="rows are the groups; column 0 counts people with a job.",
        )
    name = by if isinstance(by, str) else str(table.row_name or "group")
    if isinstance(table, ContingencyTable):
        return _Tables(
            name=name,
            pooled=table,
            stratified=(),
            window="as tabulated",
            end=None,
            n_window_excluded=0,
        )
    pooled = ContingencyTable.from_counts(
        counts.sum(axis=0),
        rows=table.row_levels,
        cols=table.col_levels,
        row_name=table.row_name,
        col_name=table.col_name,
        n_missing=table.n_missing,
    )
    return _Tables(
        name=name,
        pooled=pooled,
        stratified=(table,),
        window="as tabulated",
        end=None,
        n_window_excluded=0,
    )


def _reference(levels: tuple[object, ...], n: NDArray[np.int64], reference: object) -> int:
    if reference is None:
        return int(np.argmax(n))
    for k, level in enumerate(levels):
        if level == reference:
            return k
    raise fail(
        "reference",
        "be one of the groups",
        repr(reference),
        hint=f"the groups are {list(levels)}.",
    )


def _outcome_group(
    label: object, counts: tuple[int, int], ref: tuple[int, int] | None, level: float
) -> OutcomeGroup:
    jobs, n = counts
    if n == 0:
        rate = _undefined("wilson", "no one in the group")
    else:
        rate = proportion(jobs, n, method="wilson", confidence_level=level)
    ratio: Estimate | None = None
    difference: Estimate | None = None
    if ref is not None:
        if n == 0 or ref[1] == 0:
            ratio = _undefined("katz-log", "a group with no one in it")
            difference = _undefined("newcombe-hybrid-score", "a group with no one in it")
        else:
            ratio = risk_ratio(jobs, n, ref[0], ref[1], confidence_level=level)
            difference = risk_difference(jobs, n, ref[0], ref[1], confidence_level=level)
    return OutcomeGroup(
        group=label, n=n, jobs=jobs, rate=rate, rate_ratio=ratio, rate_difference=difference
    )


def _stratum_label(name: str | None, level: object) -> str:
    return f"{name or 'stratum'} = {level}"


def _try_test(
    label: str, table: ContingencyTable, rng: int
) -> tuple[list[ReportedTest], list[str]]:
    """Test a table, or explain in a caveat why it cannot be tested."""
    try:
        return [_table_test(label, table, rng=rng)], []
    except InsufficientDataError as exc:
        return [], [f"{label} test not computed: {exc}"]


def _stratified_tests(
    tables: tuple[StratifiedTable, ...], rng: int
) -> tuple[list[ReportedTest], list[ReportedTest], list[str]]:
    per_stratum: list[ReportedTest] = []
    across: list[ReportedTest] = []
    caveats: list[str] = []
    for table in tables:
        for level, sub in zip(table.strata_levels, table.tables(), strict=True):
            found, why = _try_test(_stratum_label(table.strata_name, level), sub, rng)
            per_stratum += found
            caveats += why
        label = f"CMH across {table.strata_name or 'strata'}"
        try:
            result = cmh(table)
        except InsufficientDataError as exc:
            caveats.append(f"{label} not computed: {exc}")
            continue
        across.append(
            ReportedTest(label=label, result=result, adjusted_pvalue=result.pvalue, adjust="none")
        )
    return per_stratum, across, caveats


def outcome_equity(
    cohort_or_table: object,
    by: str,
    *,
    min_followup_months: int | None = None,
    end: object = None,
    strata: Sequence[str] = (),
    reference: object = None,
    confidence_level: float = 0.95,
    adjust: Adjustment = "holm",
    rng: int = 0,
) -> OutcomeEquity:
    r"""Compare the share of people gaining a job across groups.

    Parameters
    ----------
    cohort_or_table : Cohort, ContingencyTable or StratifiedTable
        People using IPS (a :class:`~ipsstats.Cohort`), or counts already tabulated:
        groups as rows and the columns job, no job (a
        :class:`~ipsstats.ContingencyTable`), optionally within strata (a
        :class:`~ipsstats.StratifiedTable`).
    by : str
        The grouping attribute of the cohort (e.g. ``"ethnicity"``); for a table, the
        name shown for its rows.
    min_followup_months : int or None
        Cohort only: keep the people with at least this many whole months between first
        contact and `end` (the 2022 paper's "opportunity for at least 6 months'
        support"). ``None`` analyses everyone.
    end : date, optional
        Cohort only: the date at which a job counts as gained and the window ends;
        defaults to the cohort's ``outcome_end``, else its ``observed_until``.
    strata : sequence of str
        Cohort only: categorical attributes to stratify by (e.g. ``("gender",)``); each
        gives one test per stratum and a Cochran-Mantel-Haenszel test across strata.
    reference : object, optional
        The group the others are compared with; default: the largest group.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1.
    adjust : {"holm", "bonferroni", "hochberg", "bh", "by", "none"}
        Adjustment of the p-values of all the tests reported together (overall, per
        stratum and CMH), as :func:`~ipsstats.adjust_pvalues`.
    rng : int
        Seed for a Monte Carlo test, should the exact test be too large (recorded).

    Returns
    -------
    OutcomeEquity
        ``groups`` (per group: ``n``, ``jobs``, ``rate``, ``rate_ratio``,
        ``rate_difference``), ``overall`` (a :class:`ReportedTest`), ``cramers_v``,
        ``stratum_tests``, ``cmh_tests``, the counts left out and why, and ``caveats``.

    Raises
    ------
    InvalidInputError
        If `by` or a stratum is not a categorical attribute of the cohort (the message
        lists the attributes it has), a table does not have two outcome columns, window
        options are given with a table, `reference` is not a group, or an option is
        unknown.
    InsufficientDataError
        If the follow-up window leaves no one (the message names the window), or fewer
        than two groups or outcomes have anyone.

    See Also
    --------
    ipsstats.independence : the overall and per-stratum tests.
    ipsstats.cmh : the test across strata.

    Notes
    -----
    The overall test is chosen by ``independence(method="auto")``: Pearson's
    chi-squared when Cochran's rule holds, otherwise the exact conditional test; its
    ``reason`` is recorded. Whenever an expected count is below 5, the result is
    flagged (``small_expected``) and both Pearson's asymptotic p-value and the exact
    one are given, so a published asymptotic value can be checked. For group
    :math:`g` with :math:`k_g` jobs among :math:`n_g` people and reference group
    :math:`r`:

    .. math::

        \hat p_g = \frac{k_g}{n_g}, \qquad
        \text{RR}_g = \frac{\hat p_g}{\hat p_r}, \qquad
        \text{RD}_g = \hat p_g - \hat p_r,

    with Wilson, Katz and Newcombe intervals. Cramér's V is
    :math:`\sqrt{X^2 / (n (\min(r, c) - 1))}` of the pooled table.

    References
    ----------
    .. [1] Perkins, R. et al. (2022). Individual placement and support: cross-sectional
       study of equality of access and outcome for Black, Asian and minority ethnic
       communities. BJPsych Bulletin 46, Table 3.
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics 6(2), 65-70.

    Examples
    --------
    Table 3 of the 2022 paper, everyone accessing IPS in 2019, by service:

    >>> from ipsstats import StratifiedTable
    >>> from ipsstats.datasets import perkins2022
    >>> jobs = perkins2022().jobs_all
    >>> table = StratifiedTable.from_tables({"CNWL": jobs["CNWL"], "WWT": jobs["WWT"]},
    ...                                     strata_name="service")
    >>> res = outcome_equity(table, "ethnicity")
    >>> print(round(res.overall.result.statistic, 2), round(res.overall.result.pvalue, 2))
    1.46 0.83
    >>> for t in res.stratum_tests:
    ...     print(t.label, round(t.asymptotic.statistic, 2), round(t.asymptotic.pvalue, 2),
    ...           t.small_expected)
    service = CNWL 2.5 0.64 False
    service = WWT 1.76 0.78 True
    """
    how = as_option(adjust, "adjust", _ADJUSTMENTS)
    level = as_confidence_level(confidence_level)
    months = _months_option(min_followup_months)
    names = _strata_names(strata)
    if isinstance(cohort_or_table, Cohort):
        tables = _cohort_tables(cohort_or_table, by, months, end, names)
    elif isinstance(cohort_or_table, (ContingencyTable, StratifiedTable)):
        for given, option in ((months, "min_followup_months"), (end, "end")):
            if given is not None:
                raise fail(
                    option,
                    "be None when a table is given",
                    repr(given),
                    hint="windows apply to a Cohort; tabulate the window yourself.",
                )
        if names:
            raise fail(
                "strata",
                "be empty when a table is given",
                repr(names),
                hint="pass a StratifiedTable instead.",
            )
        tables = _given_tables(cohort_or_table, by)
    else:
        raise fail(
            "cohort_or_table",
            "be a Cohort, ContingencyTable or StratifiedTable",
            type(cohort_or_table).__name__,
        )
    return _outcome(tables, months=months, reference=reference, level=level, how=how, rng=rng)


def _outcome(
    tables: _Tables,
    *,
    months: int | None,
    reference: object,
    level: float,
    how: Adjustment,
    rng: int,
) -> OutcomeEquity:
    pooled = tables.pooled
    counts = np.asarray(pooled.counts, dtype=np.int64)
    n_by_group = counts.sum(axis=1)
    if int(n_by_group.sum()) == 0:
        raise InsufficientDataError(
            f"`by` = {tables.name!r}: nobody in {tables.window} has a known value, so "
            "there is nothing to compare.",
            argument="by",
        )
    ref = _reference(tuple(pooled.row_levels), n_by_group, reference)
    ref_counts = (int(counts[ref, 0]), int(n_by_group[ref]))
    groups = tuple(
        _outcome_group(
            level_,
            (int(counts[k, 0]), int(n_by_group[k])),
            None if k == ref else ref_counts,
            level,
        )
        for k, level_ in enumerate(pooled.row_levels)
    )
    tests, caveats = _try_test("overall", pooled, rng)
    per_stratum, across, more = _stratified_tests(tables.stratified, rng)
    family = _adjust_family([*tests, *per_stratum, *across], how)
    overall = family[0] if tests else None
    rest = family[len(tests) :]
    result = overall.result if overall is not None else None
    v = result.cramers_v if isinstance(result, IndependenceResult) else None
    return OutcomeEquity(
        name=tables.name,
        window=tables.window,
        end=tables.end,
        min_followup_months=months,
        reference=pooled.row_levels[ref],
        confidence_level=level,
        adjust=how,
        n=int(counts.sum()),
        n_missing=pooled.n_missing,
        n_window_excluded=tables.n_window_excluded,
        groups=groups,
        overall=overall,
        cramers_v=v,
        stratum_tests=tuple(rest[: len(per_stratum)]),
        cmh_tests=tuple(rest[len(per_stratum) :]),
        caveats=(*caveats, *more, *(result.caveats if result is not None else ())),
    )


# --------------------------------------------------------------------------------------
# duration equity
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Landmark(_Dict):
    """Estimates at one landmark time.

    Parameters
    ----------
    months : float
        The landmark in months.
    days : float
        The same in days (``months * 365.25 / 12``).
    remaining : Estimate
        Kaplan-Meier share still waiting for a job (``time_to_job``) or still supported in
        work (``in_work_support``) at the landmark, with its interval; undefined (with a
        note) past the group's follow-up.
    incidence : Estimate or None
        ``time_to_job`` only: cumulative incidence of a job by the landmark, with discharge
        without a job as a competing risk (Aalen-Johansen).
    """

    months: float
    days: float
    remaining: Estimate
    incidence: Estimate | None = None


@attrs.frozen(kw_only=True)
class DurationGroup(_Dict):
    """One group's durations.

    Parameters
    ----------
    group : object
        The group's label.
    n : int
        People in the group.
    n_events : int
        People whose duration ended with the event (a job, a discharge).
    median : Estimate
        Kaplan-Meier median in days with the Brookmeyer-Crowley interval (``None`` with a
        note when not reached).
    naive_median : float or None
        The median duration in days among the people with the event only, ignoring
        everyone censored: what papers usually print, biased downwards under censoring.
        ``None`` when nobody had the event.
    landmarks : tuple of Landmark
        Estimates at each landmark.
    naive_median_label : str
        How `naive_median` is labelled in reports.
    curve : SurvivalCurve or None
        The group's Kaplan-Meier curve, for figures (:func:`ipsstats.plot.plot_survival`).
        Not part of ``to_dict()``: it has one row per distinct time, and the JSON form
        keeps to the summaries above. Not compared by ``==``.
    incidence_curve : IncidenceCurve or None
        ``time_to_job`` only: the group's cumulative incidence of a job with discharge as
        a competing risk, for figures. Not part of ``to_dict()`` and not compared.
    """

    group: object
    n: int
    n_events: int
    median: Estimate
    naive_median: float | None
    landmarks: tuple[Landmark, ...]
    naive_median_label: str = _NAIVE_LABEL
    curve: SurvivalCurve | None = attrs.field(
        default=None, eq=False, repr=False, metadata=_NOT_IN_DICT
    )
    incidence_curve: IncidenceCurve | None = attrs.field(
        default=None, eq=False, repr=False, metadata=_NOT_IN_DICT
    )


@attrs.frozen(kw_only=True)
class DurationEquity(_Dict):
    """Result of :func:`duration_equity`.

    Parameters
    ----------
    name : str
        The grouping attribute.
    measure : {"time_to_job", "in_work_support"}
        What was measured.
    unit : str
        ``"days"``.
    confidence_level : float
        Coverage of every interval.
    landmark_months : tuple of float
        The landmarks.
    n : int
        People analysed (group known).
    n_missing : int
        People left out because their group was not known.
    groups : tuple of DurationGroup
        One row per group with anyone in it.
    logrank : LogrankResult or None
        The log-rank test of equal survival curves across groups (``None`` with a caveat
        when it cannot be computed).
    gray : GrayTestResult or None
        ``time_to_job`` only: Gray's test of equal cumulative incidence of a job.
    caveats : tuple of str
        Anything a reader must know.
    """

    name: str
    measure: Measure
    unit: str
    confidence_level: float
    landmark_months: tuple[float, ...]
    n: int
    n_missing: int
    groups: tuple[DurationGroup, ...]
    logrank: LogrankResult | None
    gray: GrayTestResult | None
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def to_text(self) -> str:
        """Render as plain text: medians (in months) and landmark shares per group."""
        lines = [f"{self.name}: {self.measure.replace('_', ' ')}"]
        for g in self.groups:
            m = g.median
            text = (
                f"  {g.group}: n = {g.n}, events = {g.n_events}, KM median "
                f"{_months_text(m.value)} months ({_months_text(m.lower)} to "
                f"{_months_text(m.upper)}); {g.naive_median_label}: "
                f"{_months_text(g.naive_median)} months"
            )
            lines.append(text)
        for name, test in (("log-rank", self.logrank), ("Gray", self.gray)):
            if test is not None:
                lines.append(f"{name}: statistic = {test.statistic:.3f}, p = {test.pvalue:.3g}")
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _months_text(days: float | None) -> str:
    return "not reached" if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def _landmark_months(value: object) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise fail("landmarks", "be a sequence of months", type(value).__name__)
    out: list[float] = []
    for item in value:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            raise fail("landmarks", "hold numbers of months", repr(item))
        if not (math.isfinite(float(item)) and float(item) > 0):
            raise fail("landmarks", "hold positive, finite numbers of months", repr(item))
        out.append(float(item))
    return tuple(out)


def _at_landmark(estimate: Any, days: float, method: str) -> Estimate:
    """Evaluate a curve at a landmark; undefined (with a note) past its follow-up."""
    try:
        result: Estimate = estimate(days)
    except InsufficientDataError:
        return _undefined(method, "after the group's last follow-up time")
    return result


def _labels(column: Factor) -> NDArray[np.object_]:
    labels = np.empty(len(column.levels) + 1, dtype=object)
    labels[:-1] = column.levels
    labels[-1] = None
    out: NDArray[np.object_] = labels[column.codes]
    return out


def _duration_group(
    label: object,
    *,
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    causes: NDArray[np.int64] | None,
    landmarks: tuple[float, ...],
    level: float,
) -> DurationGroup:
    curve = kaplan_meier(durations, events, confidence_level=level)
    incidence = (
        None
        if causes is None
        else cumulative_incidence(durations, causes, cause=1, confidence_level=level)
    )
    marks = []
    for months in landmarks:
        days = months * DAYS_PER_MONTH
        marks.append(
            Landmark(
                months=months,
                days=days,
                remaining=_at_landmark(curve.survival_at, days, "kaplan-meier"),
                incidence=None
                if incidence is None
                else _at_landmark(incidence.at, days, "aalen-johansen"),
            )
        )
    with_event = durations[events]
    return DurationGroup(
        group=label,
        n=int(durations.size),
        n_events=int(with_event.size),
        median=curve.median(),
        naive_median=float(np.median(with_event)) if with_event.size else None,
        landmarks=tuple(marks),
        curve=curve,
        incidence_curve=incidence,
    )


def duration_equity(
    cohort: Cohort,
    by: str,
    *,
    measure: Measure = "time_to_job",
    landmarks: Sequence[float] = (6, 12),
    confidence_level: float = 0.95,
) -> DurationEquity:
    r"""Compare how long groups wait for a job, or how long they are supported in work.

    Parameters
    ----------
    cohort : Cohort
        People using IPS.
    by : str
        The grouping attribute (categorical), e.g. ``"ethnicity"``.
    measure : {"time_to_job", "in_work_support"}
        ``"time_to_job"``: days from first contact to the first job, censored at
        discharge without a job or at extraction (:meth:`~ipsstats.Cohort.time_to_job`);
        ``"in_work_support"``: days from job start to discharge, for people with a job
        (:meth:`~ipsstats.Cohort.in_work_support`).
    landmarks : sequence of float
        Times in months at which to report the share still waiting or still supported.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1.

    Returns
    -------
    DurationEquity
        Per group (``groups``): ``n``, ``n_events``, Kaplan-Meier ``median`` with its
        interval, ``naive_median`` among those with the event (labelled as such) and
        ``landmarks``; the ``logrank`` test across groups; for ``"time_to_job"`` the
        cumulative incidence of a job at each landmark with discharge as a competing
        risk, and Gray's test (``gray``).

    Raises
    ------
    InvalidInputError
        If `by` is not a categorical attribute of the cohort (the message lists those it
        has), `measure` is unknown, or `landmarks` are not positive numbers of months.
    InsufficientDataError
        If nobody with a known group is left.

    See Also
    --------
    ipsstats.kaplan_meier, ipsstats.logrank, ipsstats.cumulative_incidence,
    ipsstats.gray_test

    Notes
    -----
    The share still waiting at landmark :math:`t` is the Kaplan-Meier estimate

    .. math::

        \hat S(t) = \prod_{t_i \le t} \left(1 - \frac{d_i}{n_i}\right),

    and the cumulative incidence of a job is the Aalen-Johansen estimate
    :math:`\hat F_1(t) = \sum_{t_i \le t} \hat S(t_{i-1}) d_{1i} / n_i`, which, unlike
    :math:`1 - \hat S(t)`, does not treat people discharged without a job as if they
    could still get one. Medians published in papers are usually the median among
    those with a job (`naive_median`); under censoring it understates the typical
    wait, so both are reported. Months are days divided by 365.25 / 12.

    References
    ----------
    .. [1] Rinaldi, M. et al. (2024). Individual placement and support (IPS): duration
       of employment support and equity of access and outcome in routine clinical
       practice. BJPsych Bulletin, doi 10.1192/bjb.2024.68 (median 132 days to a job).
    .. [2] Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative
       incidence of a competing risk. Annals of Statistics 16(3), 1141-1154.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2023-01-01"] * 6,
    ...      "job_start": ["2023-02-01", "2023-04-01", None, "2023-03-01", None, None],
    ...      "discharged": [None, None, "2023-05-01", None, None, "2023-06-01"],
    ...      "group": ["a", "a", "a", "b", "b", "b"]},
    ...     observed_until="2023-12-31")
    >>> res = duration_equity(cohort, "group", landmarks=(3,))
    >>> [g.n_events for g in res.groups]
    [2, 1]
    >>> print(res.groups[0].median.value, res.groups[0].naive_median)
    90.0 60.5
    """
    how = as_option(measure, "measure", _MEASURES)
    level = as_confidence_level(confidence_level)
    marks = _landmark_months(landmarks)
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    column = _categorical(cohort, by, "by")
    data = cohort.time_to_job() if how == "time_to_job" else cohort.in_work_support()
    factor = data.group(by)
    assert isinstance(factor, Factor)  # checked on the cohort above
    causes = cohort.job_or_discharge().causes if how == "time_to_job" else None
    known = factor.codes >= 0
    if not known.any():
        raise InsufficientDataError(
            f"`by` = {by!r}: nobody has both a known {by} and a {how.replace('_', ' ')} "
            "duration, so there is nothing to compare.",
            argument="by",
        )
    groups = []
    caveats: list[str] = []
    for code, label in enumerate(column.levels):
        mask = factor.codes == code
        if not mask.any():
            caveats.append(f"group {label!r} has nobody with a duration and is not shown")
            continue
        groups.append(
            _duration_group(
                label,
                durations=data.durations[mask],
                events=data.events[mask],
                causes=None if causes is None else causes[mask],
                landmarks=marks,
                level=level,
            )
        )
    labels = _labels(factor)
    test, gray, more = _duration_tests(data.durations, data.events, labels, causes)
    return DurationEquity(
        name=by,
        measure=how,
        unit="days",
        confidence_level=level,
        landmark_months=marks,
        n=int(known.sum()),
        n_missing=int((~known).sum()),
        groups=tuple(groups),
        logrank=test,
        gray=gray,
        caveats=(*caveats, *more),
    )


def _duration_tests(
    durations: NDArray[np.float64],
    events: NDArray[np.bool_],
    labels: NDArray[np.object_],
    causes: NDArray[np.int64] | None,
) -> tuple[LogrankResult | None, GrayTestResult | None, list[str]]:
    caveats: list[str] = []
    test: LogrankResult | None = None
    gray: GrayTestResult | None = None
    try:
        test = logrank(durations, events, labels)
    except InsufficientDataError as exc:
        caveats.append(f"log-rank test not computed: {exc}")
    if causes is not None:
        try:
            gray = gray_test(durations, causes, labels, cause=1)
        except InsufficientDataError as exc:
            caveats.append(f"Gray's test not computed: {exc}")
    return test, gray, caveats
