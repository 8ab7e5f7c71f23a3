"""Exporting a site's summary: :func:`~ipsstats.sites.site_summary` reduces a cohort to its counts.

The counts of every attribute are taken per level from the cohort (job by the study end,
in the minimum-follow-up window or not, and the exits per day of the two durations), then
published as they are, or under disclosure control merged and banded until no count is
between 1 and the threshold (``ipsstats.sites._safe``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.cohort import Cohort, as_months
from ipsstats.errors import InsufficientDataError
from ipsstats.factor import Factor
from ipsstats.sites._safe import band, is_safe, merge_groups, safe_count
from ipsstats.sites.summary import AttributeSummary, GroupExits, SiteSummary
from ipsstats.sites.tables import JOB_KINDS_CENSORED, KINDS, ExitTable

__all__ = ["site_summary"]

_MEASURES = tuple(KINDS)
_DEFAULT_THRESHOLD = 5


def _threshold(suppress: object) -> int | None:
    if suppress is False or suppress is None:
        return None
    if suppress is True:
        return _DEFAULT_THRESHOLD
    if isinstance(suppress, Mapping):
        unknown = [k for k in suppress if k != "threshold"]
        if unknown:
            raise fail(
                "suppress",
                "have only the key 'threshold'",
                repr(unknown),
                hint="summaries are not rounded: rounded counts would not add up across sites.",
            )
        value = suppress.get("threshold", _DEFAULT_THRESHOLD)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise fail("suppress", "have a whole-number 'threshold' of at least 2", repr(value))
        return int(value)
    raise fail("suppress", "be True, False or a mapping {'threshold': int}", repr(suppress))


def _names(cohort: Cohort, by: object) -> tuple[str, ...]:
    categorical = tuple(k for k, v in cohort.attributes.items() if isinstance(v, Factor))
    if by is None:
        return categorical
    names = (by,) if isinstance(by, str) else by
    if not isinstance(names, (tuple, list)):
        raise fail("by", "be a sequence of attribute names", repr(by))
    for name in names:
        if name not in categorical:
            raise fail(
                "by",
                "name categorical attributes of the cohort",
                repr(name),
                hint=f"the cohort has the categorical attributes {list(categorical)}.",
            )
    return tuple(str(n) for n in names)


def _outcome_rows(
    codes: NDArray[np.int64], job: NDArray[np.bool_], size: int
) -> NDArray[np.int64]:
    """Per level (the last row: not known), the people with a job and without one."""
    rows = np.where(codes < 0, size, codes)
    cells = np.bincount(rows * 2 + np.where(job, 0, 1), minlength=2 * (size + 1))
    return cells.reshape(size + 1, 2).astype(np.int64)


def _exit_tables(
    durations: NDArray[np.float64],
    kinds: NDArray[np.intp],
    codes: NDArray[np.int64],
    size: int,
    measure: str,
) -> list[ExitTable]:
    """One exit table per level, then one for the people not known."""
    rows = np.where(codes < 0, size, codes)
    return [
        ExitTable.from_records(durations[rows == k], kinds[rows == k], kinds=KINDS[measure])
        for k in range(size + 1)
    ]


def _censor_discharges(table: ExitTable) -> ExitTable:
    """Count the discharges without a job of a time-to-job table as censored."""
    counts = table.counts
    return ExitTable(
        times=table.times,
        kinds=JOB_KINDS_CENSORED,
        counts=np.column_stack([counts[:, 0] + counts[:, 2], counts[:, 1]]),
    )


@attrs.frozen(kw_only=True)
class _Counts:
    """One attribute's counts per level; the last row or table: the people not known."""

    levels: tuple[object, ...]
    outcome_all: NDArray[np.int64]
    outcome_window: NDArray[np.int64]
    exits: dict[str, list[ExitTable]]

    def cells(self) -> NDArray[np.int64]:
        """Each row's outcome cells (see ``ipsstats.sites._safe.CELLS``)."""
        outside = self.outcome_all - self.outcome_window
        return np.column_stack(
            [self.outcome_window[:, 0], outside[:, 0], self.outcome_window[:, 1], outside[:, 1]]
        ).astype(np.int64)


def _attribute_counts(cohort: Cohort, window: Cohort, name: str) -> _Counts:
    factor = cohort[name]
    in_window = window[name]
    assert isinstance(factor, Factor)  # checked by _names
    assert isinstance(in_window, Factor)
    size = len(factor.levels)
    ttj = cohort.job_or_discharge()
    iws = cohort.in_work_support()
    iws_factor = iws.group(name)
    assert isinstance(iws_factor, Factor)  # the cohort's attribute, for people with a job
    return _Counts(
        levels=tuple(factor.levels),
        outcome_all=_outcome_rows(factor.codes, cohort.job_by().codes == 0, size),
        outcome_window=_outcome_rows(in_window.codes, window.job_by().codes == 0, size),
        exits={
            "time_to_job": _exit_tables(
                ttj.durations, ttj.causes.astype(np.intp), factor.codes, size, "time_to_job"
            ),
            "in_work_support": _exit_tables(
                iws.durations,
                iws.events.astype(np.intp),
                iws_factor.codes,
                size,
                "in_work_support",
            ),
        },
    )


def _safe_exits(
    tables: list[ExitTable], groups: list[list[int]], remainder: list[int], threshold: int
) -> tuple[list[list[int]], list[int]]:
    """Merge or withhold duration groups until their totals and the remainder's are safe.

    `tables` has one table per level and a last one for the people not known; `remainder`
    lists the levels withheld from the outcome tables.
    """
    totals = np.array([t.counts.sum(axis=0) for t in tables], dtype=np.int64).reshape(
        len(tables), len(tables[0].kinds)
    )
    left = totals[[*remainder, len(tables) - 1]].sum(axis=0)
    return merge_groups(totals[:-1], threshold, start=groups, not_known=left)


def _publish_exits(
    measure: str,
    counts: _Counts,
    groups: list[list[int]],
    withheld: list[int],
    threshold: int | None,
) -> GroupExits | None:
    tables = counts.exits[measure]
    kinds = KINDS[measure]
    exit_groups = groups
    if threshold is not None:
        exit_groups, dropped = _safe_exits(tables, groups, withheld, threshold)
        if measure == "time_to_job" and (exit_groups != groups or dropped):
            # Keeping discharges apart would cost merged groups: count them as censored,
            # which leaves the Kaplan-Meier curves and log-rank tests of a first job as they
            # are (discharge without a job censors the wait for one).
            tables = [_censor_discharges(t) for t in tables]
            kinds = JOB_KINDS_CENSORED
            exit_groups, dropped = _safe_exits(tables, groups, withheld, threshold)
        if not exit_groups:
            return None
    summed = [sum((tables[k] for k in g), ExitTable.empty(kinds)) for g in exit_groups]
    if threshold is not None:
        summed = [band(t, threshold) for t in summed]
    return GroupExits(
        measure=measure,
        kinds=kinds,
        groups=[[counts.levels[k] for k in g] for g in exit_groups],
        tables=summed,
    )


def _publish(name: str, counts: _Counts, threshold: int | None) -> AttributeSummary:
    size = len(counts.levels)
    groups: list[list[int]] = [[k] for k in range(size)]
    withheld: list[int] = []
    if threshold is not None:
        cells = counts.cells()
        if not is_safe(cells.sum(axis=0), threshold):
            raise InsufficientDataError(
                f"`suppress`: a safe summary needs every count of the site to be 0 or at least "
                f"{threshold}; got {cells.sum(axis=0).tolist()} people by (job, in the "
                "window), (job, outside it), (no job, in it), (no job, outside it). Hint: "
                "summarise a longer period or another follow-up window, or share this site's "
                "summary without suppression under a data-sharing agreement.",
                argument="suppress",
            )
        groups, withheld = merge_groups(cells[:-1], threshold, not_known=cells[-1])
    rows = [*groups, [*withheld, size]]  # the last row: not known, with the withheld levels

    def outcome(table: NDArray[np.int64]) -> NDArray[np.int64]:
        return np.array([table[r].sum(axis=0) for r in rows], dtype=np.int64)

    return AttributeSummary(
        name=name,
        levels=counts.levels,
        groups=[[counts.levels[k] for k in g] for g in groups],
        withheld=[counts.levels[k] for k in withheld],
        outcome_all=outcome(counts.outcome_all),
        outcome_window=outcome(counts.outcome_window),
        time_to_job=_publish_exits("time_to_job", counts, groups, withheld, threshold),
        in_work_support=_publish_exits("in_work_support", counts, groups, withheld, threshold),
    )


def site_summary(
    cohort: Cohort,
    *,
    site: str,
    by: Sequence[str] | str | None = None,
    min_followup_months: int = 6,
    study_end: object = None,
    suppress: bool | Mapping[str, int] = False,
) -> SiteSummary:
    r"""Reduce a site's cohort to the counts a pooled equity analysis needs.

    Parameters
    ----------
    cohort : Cohort
        The site's people (from a file, records, or a data frame of any engine through
        :meth:`Cohort.from_frame <ipsstats.Cohort.from_frame>`).
    site : str
        The site's name, as pooled analyses show it.
    by : str or sequence of str, optional
        Categorical attributes to summarise; default every categorical attribute.
    min_followup_months : int
        The minimum-follow-up window of the second outcome table (default 6 months, the
        2022 paper's "six months' opportunity").
    study_end : date, optional
        The date at which outcomes are judged and durations censored
        (:meth:`Cohort.with_study_end <ipsstats.Cohort.with_study_end>`); default the
        cohort's :attr:`~ipsstats.Cohort.study_end`. Sites pooled together must share it.
    suppress : bool or Mapping[str, int]
        Disclosure control: ``True`` (threshold 5) or ``{"threshold": t}`` makes a *safe*
        summary in which no count is between 1 and ``t - 1`` (see Notes).

    Returns
    -------
    SiteSummary
        Per attribute (:class:`AttributeSummary`): levels, published groups, outcome tables
        of everyone and of the window, and exit tables of the time to a first job and of
        in-work support; with the site, dates, window, versions and disclosure settings.

    Raises
    ------
    InvalidInputError
        If `cohort` is not a Cohort, `site` is empty, `by` names an attribute that is not
        categorical (the message lists those that are), or an option is invalid.
    InsufficientDataError
        Under `suppress`, when the site's own totals have a count below the threshold
        (nothing could then be published safely).

    See Also
    --------
    combine_sites : pool the summaries of several sites.
    ipsstats.equity_report : the same analyses of one site's records.

    Notes
    -----
    Without `suppress` the summary holds exact counts: every table of the outcome and
    duration sections of :func:`~ipsstats.equity_report` is reproduced exactly from it,
    and pooled summaries give exactly the numbers of the pooled records. Its exit tables
    hold each group's durations to the day, which is close to record-level data: share
    such a summary only where an agreement allows it.

    With `suppress` (threshold :math:`t`), every published count :math:`c` has
    :math:`c = 0` or :math:`c \ge t`:

    1. *Groups.* Each person of a group falls in one of four cells: job by the study end
       or not, in the window or not. A group with a cell count from 1 to :math:`t - 1` is
       merged with the smaller of its neighbours in level order (shown as
       ``"25-34 + 35-44"``) until no group has one, so that every published count and
       every difference of nested counts (everyone minus the window) is a sum of safe
       cells. When the people whose value is not known have such a cell, the smallest
       group is counted with them (its level is listed as *withheld*).
    2. *Durations.* The exit tables use groups merged further in the same way, until each
       group's total of every kind of exit is safe, and so is what the groups leave out
       of the site's totals (else a group is withheld from the duration, or the duration
       altogether). For the time to a first job, discharges without a job are counted as
       censored when keeping them apart would cost merged groups (the Kaplan-Meier curve
       and log-rank test are unchanged; cumulative incidence and Gray's test then need
       the split and are not available). Times are coarsened to whole months (of
       365.25 / 12 days); for each kind of exit apart, months are merged into bands from
       the start until a band holds at least :math:`t` exits, and a band's exits are
       placed at the mean of their months (each month at its middle), so that no single
       person's time is published and each band keeps its exits' average time.
    3. *Single counts.* People who accessed after the study end are published only when
       safe (else ``null``). Labels are published; counts of records excluded on loading
       are not part of a summary.

    What stays exact: the outcome tables and every test of them (pooled, per site,
    Cochran-Mantel-Haenszel across sites) for the published groups; the number of people
    and of jobs per group. What becomes approximate: Kaplan-Meier curves, medians,
    landmark shares, cumulative incidence, and the log-rank and Gray tests, computed on the
    banded times. The rules protect each published count, differences of nested counts,
    and what each attribute's groups leave out of the site's totals; they are not an
    audit of every combination of published numbers (tables of different attributes are
    margins of a cross-classification that is not published, and cumulative counts of
    different tables may share band ends): check linked outputs together before
    publishing a summary openly. Its intended use is sharing with a coordinating analyst.

    References
    ----------
    .. [1] NHS England (2023). Mental Health Services Monthly Statistics: methodology
       (counts below 5 suppressed).
    .. [2] Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, chapter 5
       (frequency tables: the threshold rule, table redesign by merging categories).

    Examples
    --------
    >>> from ipsstats.datasets import synthetic_cohort
    >>> from ipsstats.sites import site_summary
    >>> cohort = synthetic_cohort()
    >>> north = site_summary(cohort.where("team", ["North"]), site="North",
    ...                      by=["ethnicity"], study_end="2024-02-27")
    >>> north.n, north.n_window
    (135, 135)
    >>> ethnicity = north.attributes["ethnicity"]
    >>> ethnicity.outcome_all[:, 0].tolist()  # jobs per group, then not known
    [7, 13, 6, 9, 28, 7]
    >>> safe = site_summary(cohort.where("team", ["North"]), site="North",
    ...                     by=["ethnicity"], study_end="2024-02-27", suppress=True)
    >>> safe_ethnicity = safe.attributes["ethnicity"]
    >>> safe_ethnicity.group_labels, safe_ethnicity.withheld
    (('Black/Black British', 'Mixed', 'Other', 'White'), ('Asian/Asian British',))
    >>> safe_ethnicity.outcome_all[:, 0].tolist()  # the 7 Asian people with a job: not known
    [13, 6, 9, 28, 14]
    """
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    if not isinstance(site, str) or not site.strip():
        raise fail("site", "be a non-empty name", repr(site))
    months = as_months(min_followup_months, "min_followup_months")
    threshold = _threshold(suppress)
    names = _names(cohort, by)
    if study_end is not None:
        cohort = cohort.with_study_end(study_end)
    window = cohort.with_minimum_followup(months)
    latest = dt.date.fromisoformat(str(window.exclusions[-1].parameters["latest_access"]))
    after = sum(s.n_excluded for s in cohort.exclusions if s.step == "study end")
    selection = tuple(
        f"{s.step}: {s.description}" for s in cohort.exclusions if s.step != "study end"
    )
    attributes = {
        name: _publish(name, _attribute_counts(cohort, window, name), threshold) for name in names
    }
    return SiteSummary(
        site=site.strip(),
        study_end=cohort.study_end,
        observed_until=cohort.observed_until,
        n=cohort.n,
        n_window=window.n,
        n_after_study_end=after if threshold is None else safe_count(after, threshold),
        min_followup_months=months,
        latest_access=latest,
        attributes=attributes,
        selection=selection,
        threshold=threshold,
        time_unit="day" if threshold is None else "month",
    )
