"""Equity of access.

Do the groups reach IPS in proportion to their share of the eligible caseload?
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_missing_labels, as_option, fail
from ipsstats._scipy import stats
from ipsstats.categorical import (
    Counts,
    GoodnessOfFitResult,
    goodness_of_fit,
    homogeneity,
    proportion,
    to_counts,
)
from ipsstats.equity._common import (
    _MISSING_LEVEL,
    ACCESS_METHODS,
    MISSING_GROUP_RULES,
    AccessMethod,
    Flag,
    MissingGroupRule,
    _fmt,
    _percent,
    _str_tuple,
    _undefined,
)
from ipsstats.errors import SmallExpectedCountWarning
from ipsstats.results import Estimate, TestResult, ToDict

__all__ = ["AccessEquity", "AccessGroup", "access_equity"]

# --------------------------------------------------------------------------------------
# access equity
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AccessGroup(ToDict):
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
class AccessEquity(ToDict):
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
    missing: MissingGroupRule
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
    missing: MissingGroupRule = "exclude",
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
    how = as_option(method, "method", ACCESS_METHODS)
    rule = as_option(missing, "missing", MISSING_GROUP_RULES)
    level = as_confidence_level(confidence_level)
    as_missing_labels(missing_labels)
    ips = to_counts(ips_counts, "ips_counts", missing_labels)
    eligible = to_counts(eligible_counts, "eligible_counts", missing_labels)
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
    ips: Counts, eligible: Counts, how: AccessMethod, rule: MissingGroupRule, level: float
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
