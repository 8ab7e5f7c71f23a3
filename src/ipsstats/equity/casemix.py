"""Case-mix adjustment of a cohort: access and job rates standardised for age and gender.

:func:`standardised_access` and :func:`standardised_outcomes` take a cohort and the names
of its stratifying attributes (e.g. ``("age_band", "gender")``) and return the
standardised access ratios, the standardised job rates and the adjusted comparisons that a
report prints beside the crude ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_confidence_level,
    as_missing_labels,
    as_option,
    fail,
    is_missing_scalar,
)
from ipsstats._deprecation import renamed_keywords
from ipsstats.cohort import Cohort
from ipsstats.equity._limits import CountLimits
from ipsstats.equity._strata import (
    Layout,
    as_strata_names,
    cohort_grid,
    layout_of,
    mapping_entries,
    mapping_grid,
    occupied,
    stratum_text,
)
from ipsstats.equity.adjusted import AdjustedComparison, _comparison
from ipsstats.equity.outcome import _months_option, _window
from ipsstats.equity.standardise import (
    COUNT_LIMITS,
    DSR_METHODS,
    RATIO_METHODS,
    DirectStandardisation,
    DsrMethod,
    IndirectStandardisation,
    RatioMethod,
    _direct,
    _indirect,
    _pooled_rates,
)
from ipsstats.errors import InsufficientDataError
from ipsstats.results import ToDict

__all__ = ["StandardisedOutcomes", "standardised_access", "standardised_outcomes"]

_DEFAULT_STRATA = ("age_band", "gender")


def _as_cohort(value: object) -> Cohort:
    if not isinstance(value, Cohort):
        raise fail(
            "cohort",
            "be a Cohort",
            type(value).__name__,
            hint="build one with Cohort.from_csv(...) or Cohort.from_records(...).",
        )
    return value


def _eligible_grid(
    eligible: object,
    cohort: Cohort,
    by: object,
    names: tuple[str, ...],
    missing_labels: Sequence[object],
) -> tuple[Layout, NDArray[np.float64], int]:
    """Place the eligible caseload on a grid holding the cohort's and its own levels."""
    layout = layout_of(cohort, by, names)
    if isinstance(eligible, Cohort):
        other = layout_of(eligible, by, names)
        layout = layout.extended(other.groups, other.levels)
        grid, _, n_missing = cohort_grid(eligible, by, names, layout)
        return layout, grid, n_missing
    if not isinstance(eligible, Mapping):
        raise fail(
            "eligible",
            "be a Cohort or a mapping {(group, level, ...): count}",
            type(eligible).__name__,
            hint="key the caseload counts like ('Black', '26-40', 'Female').",
        )
    entries, counts = mapping_entries(eligible, "eligible", names)
    labels = as_missing_labels(missing_labels)
    known = [
        not any(is_missing_scalar(part, labels) for part in (group, *parts))
        for group, parts in entries
    ]
    n_missing = int(sum(c for c, ok in zip(counts, known, strict=True) if not ok))
    entries = [e for e, ok in zip(entries, known, strict=True) if ok]
    counts = [c for c, ok in zip(counts, known, strict=True) if ok]
    layout = layout.extended(
        [group for group, _ in entries],
        [[parts[k] for _, parts in entries] for k in range(len(names))],
    )
    return layout, mapping_grid(entries, counts, layout), n_missing


def _check_covered(
    layout: Layout, ips: NDArray[np.float64], eligible: NDArray[np.float64]
) -> list[str]:
    """Refuse IPS users with no eligible people in their cell; describe excess cells."""
    strata = layout.strata
    uncovered = (ips > 0) & (eligible <= 0)
    if uncovered.any():
        known = [g for g, n in zip(layout.groups, eligible.sum(axis=1), strict=True) if n > 0]
        cells = [
            f"{layout.groups[g]!r} in {stratum_text(strata[s])!r}"
            for g, s in np.argwhere(uncovered)[:5]
        ]
        raise fail(
            "eligible",
            "count eligible people wherever the cohort has IPS users",
            "none for " + "; ".join(cells),
            hint=f"the caseload's groups are {known}; check that both inputs use the same "
            "labels, period and area.",
        )
    excess = np.argwhere(ips > eligible)
    if excess.size == 0:
        return []
    cells = [f"{layout.groups[g]!r} in {stratum_text(strata[s])!r}" for g, s in excess[:5]]
    return [
        "more IPS users than eligible people in " + "; ".join(cells) + ": IPS users are not "
        "a subset of the caseload, so check that both cover the same period and area"
    ]


@renamed_keywords(conf_level="confidence_level")
def standardised_access(
    cohort: Cohort,
    by: str,
    eligible: object,
    *,
    strata: Sequence[str] = _DEFAULT_STRATA,
    method: RatioMethod = "exact",
    missing_labels: Sequence[object] = (),
    confidence_level: float = 0.95,
) -> IndirectStandardisation:
    r"""Access to IPS by group, standardised for age, gender or other strata.

    The representation ratio of :func:`~ipsstats.access_equity` compares a group's share
    of IPS users with its share of the eligible caseload. When groups differ in age and
    gender mix, and access differs by age and gender, part of that ratio is the mix.
    Here each group's expected number of IPS users comes from the access rate of each
    stratum (all groups together) applied to the group's own eligible people: the
    indirectly standardised access ratio.

    Parameters
    ----------
    cohort : Cohort
        People using IPS.
    by : str
        The grouping attribute, e.g. ``"ethnicity"``.
    eligible : Cohort or Mapping
        The eligible caseload, by group and stratum: a :class:`~ipsstats.Cohort` of its
        records, or counts keyed ``(group, level of each stratum, ...)``, e.g.
        ``{("Black", "26-40", "Female"): 120, ...}``; missing combinations count 0.
    strata : sequence of str
        Categorical attributes to standardise for; default ``("age_band", "gender")``
        (add ``"age_band"`` with :meth:`Cohort.with_age_band
        <ipsstats.Cohort.with_age_band>`).
    method : {"exact", "byar", "wald-log"}
        The interval of each ratio (see :func:`indirect_standardise`).
    missing_labels : sequence, optional
        Labels in the keys of a mapping that mean "not known"; those counts are left out.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1. (``conf_level`` is
        accepted with a deprecation warning.)

    Returns
    -------
    IndirectStandardisation
        Per group: IPS users (``observed``), the number ``expected`` from the strata's
        access rates, eligible people (``population``), the standardised ``ratio`` with
        its interval, the ``crude_ratio`` (the unstandardised representation ratio) and
        a ``flag``; ``n_missing`` counts IPS users with a group or stratum not known.

    Raises
    ------
    InvalidInputError
        If `cohort` is not a cohort, `by` or a stratum is not a categorical attribute,
        `eligible` is neither a cohort nor a mapping with keys of the right length, the
        caseload has nobody in a cell where the cohort has IPS users, or an option is
        unknown.

    See Also
    --------
    indirect_standardise : the same from counts.
    access_equity : the crude comparison, with its tests.

    Notes
    -----
    With :math:`a_{gs}` IPS users and :math:`e_{gs}` eligible people in group :math:`g`
    and stratum :math:`s`, the access rate of stratum :math:`s` is
    :math:`r_s = \sum_g a_{gs} / \sum_g e_{gs}` and

    .. math::

        E_g = \sum_s e_{gs} r_s, \qquad \text{SAR}_g = \frac{\sum_s a_{gs}}{E_g}.

    With one stratum :math:`\text{SAR}_g` is the crude representation ratio
    :math:`(a_g / A) / (e_g / E)`. A ratio above 1 means more IPS users than the
    group's age and gender mix predicts. People with a missing group or stratum are
    left out; strata with nobody are dropped. The interval treats :math:`E_g` as fixed
    (see :func:`indirect_standardise`) [1]_.

    References
    ----------
    .. [1] Breslow, N. E. and Day, N. E. (1987). Statistical Methods in Cancer Research,
       volume II. IARC, Lyon, chapter 2.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2022-05-01"] * 6,
    ...      "ethnicity": ["A", "A", "A", "B", "B", "B"],
    ...      "age_band": ["young", "young", "old", "young", "young", "young"]},
    ...     observed_until="2023-03-31")
    >>> eligible = {("A", "young"): 20, ("A", "old"): 80,
    ...             ("B", "young"): 40, ("B", "old"): 10}
    >>> res = standardised_access(cohort, "ethnicity", eligible, strata=["age_band"])
    >>> for g in res.groups:
    ...     print(g.group, g.observed, round(g.expected, 2), round(g.ratio.value, 2),
    ...           round(g.crude_ratio.value, 2))
    A 3 2.56 1.17 0.75
    B 3 3.44 0.87 1.5
    """
    names = as_strata_names(strata)
    how = as_option(method, "method", RATIO_METHODS)
    level = as_confidence_level(confidence_level)
    people = _as_cohort(cohort)
    layout, elig, elig_missing = _eligible_grid(eligible, people, by, names, missing_labels)
    ips, _, ips_missing = cohort_grid(people, by, names, layout)
    caveats = _check_covered(layout, ips, elig)
    labels, (ips, elig) = occupied(layout.strata, ips, elig)
    if ips_missing:
        caveats.append(f"{ips_missing} IPS users with {by} or a stratum not known are left out")
    if elig_missing:
        caveats.append(f"{elig_missing} eligible people with a label not known are left out")
    return _indirect(
        ips,
        elig,
        _pooled_rates(ips, elig),
        reference="pooled",
        group_labels=layout.groups,
        strata_labels=labels,
        how=how,
        level=level,
        caveats=caveats,
        name=str(by),
        strata_names=names,
        n_missing=ips_missing,
        label="standardised access ratios",
    )


@attrs.frozen(kw_only=True)
class StandardisedOutcomes(ToDict):
    """Result of :func:`standardised_outcomes`: job rates by group, standardised.

    Parameters
    ----------
    name : str
        The grouping variable.
    strata_names : tuple of str
        The stratifying variables.
    window : str
        Who was analysed, in words.
    n : int
        People analysed (group and strata known).
    n_missing : int
        People left out because their group or a stratum was not known.
    n_window_excluded : int
        People left out by the follow-up window or study end.
    direct : DirectStandardisation
        Job rates directly standardised to the analysed people's stratum mix.
    indirect : IndirectStandardisation
        Observed against expected jobs per group (the standardised job ratio).
    comparison : AdjustedComparison
        Mantel-Haenszel risk ratios and differences against the reference group.
    """

    name: str
    strata_names: tuple[str, ...]
    window: str
    n: int
    n_missing: int
    n_window_excluded: int
    direct: DirectStandardisation
    indirect: IndirectStandardisation
    comparison: AdjustedComparison

    def to_text(self) -> str:
        """Render the three tables as plain text."""
        head = f"{self.name}: {self.window}; standardised for {', '.join(self.strata_names)}"
        parts = [head, self.direct.to_text(), self.indirect.to_text(), self.comparison.to_text()]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.to_text()


@renamed_keywords(conf_level="confidence_level")
def standardised_outcomes(
    cohort: Cohort,
    by: str,
    *,
    strata: Sequence[str] = _DEFAULT_STRATA,
    min_followup_months: int | None = None,
    study_end: object = None,
    reference: object = None,
    dsr_method: DsrMethod = "dobson",
    count_limits: CountLimits = "exact",
    ratio_method: RatioMethod = "exact",
    confidence_level: float = 0.95,
) -> StandardisedOutcomes:
    r"""Job rates by group, standardised for age, gender or other strata.

    Three views of the same question, "do groups gain jobs at the same rate once their
    age and gender mix is allowed for?": directly standardised job rates, the ratio of
    observed to expected jobs, and Mantel-Haenszel comparisons with a reference group.

    Parameters
    ----------
    cohort : Cohort
        People using IPS.
    by : str
        The grouping attribute, e.g. ``"ethnicity"``.
    strata : sequence of str
        Categorical attributes to standardise for; default ``("age_band", "gender")``.
    min_followup_months : int or None
        Keep the people with at least this many whole months of follow-up (as
        :func:`~ipsstats.outcome_equity`); ``None`` analyses everyone.
    study_end : date, optional
        The date at which a job counts as gained; default the cohort's study end.
    reference : object, optional
        The group the others are compared with; default the largest.
    dsr_method, count_limits : str
        The interval of the standardised rates (see :func:`direct_standardise`).
    ratio_method : {"exact", "byar", "wald-log"}
        The interval of the standardised ratios (see :func:`indirect_standardise`).
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1. (``conf_level`` is
        accepted with a deprecation warning.)

    Returns
    -------
    StandardisedOutcomes
        ``direct``, ``indirect`` and ``comparison``, with the counts analysed and left
        out.

    Raises
    ------
    InvalidInputError
        If `cohort` is not a cohort, `by` or a stratum is not a categorical attribute,
        `reference` is not a group, or an option is unknown.
    InsufficientDataError
        If the window leaves no one, or nobody has a known group and strata.

    See Also
    --------
    outcome_equity : the crude comparison, with its tests.
    direct_standardise, indirect_standardise, mantel_haenszel_comparison : the methods.

    Notes
    -----
    The standard population of the direct method is the stratum mix of everyone
    analysed, :math:`W_s = \sum_g n_{gs} / n`, so that the standardised rates are the
    rates each group would have with the service's own mix; the reference rates of the
    indirect method are the pooled job rates of the strata. The direct method needs
    people of every group in every stratum: with small groups prefer the standardised
    ratio, whose expected count needs no such thing [1]_.

    References
    ----------
    .. [1] Breslow, N. E. and Day, N. E. (1987). Statistical Methods in Cancer Research,
       volume II. IARC, Lyon, chapter 2.

    Examples
    --------
    >>> from ipsstats.datasets import synthetic_cohort
    >>> cohort = synthetic_cohort().with_age_band((35, 50))
    >>> res = standardised_outcomes(cohort, "gender", strata=["age_band"])
    >>> [g.group for g in res.indirect.groups]
    ['Female', 'Male']
    >>> sum(g.observed for g in res.indirect.groups) == round(
    ...     sum(g.expected for g in res.indirect.groups))
    True
    """
    names = as_strata_names(strata)
    dsr = as_option(dsr_method, "dsr_method", DSR_METHODS)
    limits = as_option(count_limits, "count_limits", COUNT_LIMITS)
    how = as_option(ratio_method, "ratio_method", RATIO_METHODS)
    level = as_confidence_level(confidence_level)
    months = _months_option(min_followup_months)
    selected, window, _, n_out = _window(_as_cohort(cohort), months, study_end)
    layout = layout_of(selected, by, names)
    people, jobs, n_missing = cohort_grid(selected, by, names, layout, events=selected.job_by())
    labels, (people, jobs) = occupied(layout.strata, people, jobs)
    if people.sum() == 0:
        raise InsufficientDataError(
            f"`by` = {by!r}: nobody in {window} has a known {by} and strata, so there is "
            "nothing to standardise. Hint: check the attributes' missing values.",
            argument="by",
        )
    common: dict[str, Any] = {"name": str(by), "strata_names": names}
    standard = people.sum(axis=0) / people.sum()
    return StandardisedOutcomes(
        name=str(by),
        strata_names=names,
        window=window,
        n=int(people.sum()),
        n_missing=n_missing,
        n_window_excluded=n_out,
        direct=_direct(
            jobs,
            people,
            standard,
            group_labels=layout.groups,
            strata_labels=labels,
            how=dsr,
            limits=limits,
            level=level,
            n_missing=n_missing,
            **common,
        ),
        indirect=_indirect(
            jobs,
            people,
            _pooled_rates(jobs, people),
            reference="pooled",
            group_labels=layout.groups,
            strata_labels=labels,
            how=how,
            level=level,
            n_missing=n_missing,
            label="standardised job ratios",
            **common,
        ),
        comparison=_comparison(
            jobs,
            people,
            labels=layout.groups,
            strata=labels,
            reference=reference,
            level=level,
            **common,
        ),
    )
