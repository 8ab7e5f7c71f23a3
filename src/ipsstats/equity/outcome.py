"""Equity of outcome.

Do the groups gain jobs at the same rate?
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import numpy as np

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats._deprecation import renamed_keywords
from ipsstats.categorical import (
    PVALUE_ADJUSTMENTS,
    ContingencyTable,
    IndependenceResult,
    PValueAdjustment,
    StratifiedTable,
    cmh,
    proportion,
    risk_difference,
    risk_ratio,
)
from ipsstats.cohort import Cohort, as_months
from ipsstats.equity._common import (
    ReportedTest,
    _adjust_family,
    _categorical,
    _fmt,
    _percent,
    _str_tuple,
    _table_test,
    _undefined,
)
from ipsstats.equity._strata import reference_index
from ipsstats.errors import InsufficientDataError
from ipsstats.results import Estimate, ToDict

__all__ = ["OutcomeEquity", "OutcomeGroup", "outcome_equity"]

# --------------------------------------------------------------------------------------
# outcome equity
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OutcomeGroup(ToDict):
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
class OutcomeEquity(ToDict):
    """Result of :func:`outcome_equity`.

    Parameters
    ----------
    name : str
        The grouping variable, e.g. ``"ethnicity"``.
    window : str
        Who was analysed, in words (everyone, or the minimum-follow-up window).
    study_end : datetime.date or None
        The date at which job outcomes were judged (the cohort's study end); ``None`` for
        counts given as a table.
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
    study_end: dt.date | None
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


def _strata_names(strata: object) -> tuple[str, ...]:
    if isinstance(strata, str):
        return (strata,)
    if not isinstance(strata, (tuple, list)):
        raise fail("strata", "be a sequence of attribute names", type(strata).__name__)
    return tuple(strata)


def _months_option(value: object) -> int | None:
    return None if value is None else as_months(value, "min_followup_months")


@attrs.frozen(kw_only=True)
class _Tables:
    """The pooled table and the stratified tables an outcome analysis works on."""

    name: str
    pooled: ContingencyTable
    stratified: tuple[StratifiedTable, ...]
    window: str
    study_end: dt.date | None
    n_window_excluded: int


def _window(
    cohort: Cohort, months: int | None, study_end: object
) -> tuple[Cohort, str, dt.date, int]:
    """Apply the study end and the minimum-follow-up window; count who they leave out."""
    n_out = 0
    if study_end is not None:
        at_end = cohort.with_study_end(study_end)
        n_out, cohort = cohort.n - at_end.n, at_end
    when = cohort.study_end
    if months is None:
        return cohort, f"everyone, outcome by {when}", when, n_out
    selected = cohort.with_minimum_followup(months)
    step = selected.exclusions[-1]
    label = (
        f"at least {months} months' follow-up (accessed on or before "
        f"{step.parameters['latest_access']}), outcome by {when}"
    )
    if selected.n == 0:
        raise InsufficientDataError(
            f"the window `min_followup_months={months}` ending {when} "
            f"({step.description}) leaves no one: all {cohort.n} people were excluded. "
            "Hint: use a shorter window or a later study end.",
            argument="min_followup_months",
        )
    return selected, label, when, n_out + step.n_excluded


def _cohort_tables(
    cohort: Cohort, by: object, months: int | None, study_end: object, strata: tuple[str, ...]
) -> _Tables:
    _categorical(cohort, by, "by")
    for name in strata:
        _categorical(cohort, name, "strata")
    selected, label, when, n_out = _window(cohort, months, study_end)
    pooled = selected.crosstab(str(by), "job_by_end")
    assert isinstance(pooled, ContingencyTable)  # crosstab without strata
    stratified = []
    for name in strata:
        table = selected.crosstab(str(by), "job_by_end", strata=name)
        if isinstance(table, StratifiedTable):
            stratified.append(table)
    return _Tables(
        name=str(by),
        pooled=pooled,
        stratified=tuple(stratified),
        window=label,
        study_end=when,
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
            study_end=None,
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
        study_end=None,
        n_window_excluded=0,
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


@renamed_keywords(end="study_end")
def outcome_equity(
    cohort_or_table: object,
    by: str,
    *,
    min_followup_months: int | None = None,
    study_end: object = None,
    strata: Sequence[str] = (),
    reference: object = None,
    confidence_level: float = 0.95,
    adjust: PValueAdjustment = "holm",
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
        contact and the study end (the 2022 paper's "opportunity for at least 6 months'
        support"). ``None`` analyses everyone.
    study_end : date, optional
        Cohort only: the date at which a job counts as gained and the window ends
        (:meth:`Cohort.with_study_end <ipsstats.Cohort.with_study_end>`); default the
        cohort's :attr:`~ipsstats.Cohort.study_end`. People who accessed after it are left
        out and counted. (``end``, its name before 0.2, is deprecated.)
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
    how = as_option(adjust, "adjust", PVALUE_ADJUSTMENTS)
    level = as_confidence_level(confidence_level)
    months = _months_option(min_followup_months)
    names = _strata_names(strata)
    if isinstance(cohort_or_table, Cohort):
        tables = _cohort_tables(cohort_or_table, by, months, study_end, names)
    elif isinstance(cohort_or_table, (ContingencyTable, StratifiedTable)):
        for given, option in ((months, "min_followup_months"), (study_end, "study_end")):
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
    how: PValueAdjustment,
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
    ref = reference_index(tuple(pooled.row_levels), n_by_group, reference)
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
        study_end=tables.study_end,
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
