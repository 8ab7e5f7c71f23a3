"""One analysis of several sites from their summaries: :func:`~ipsstats.sites.combine_sites`.

The sites' counts are aligned by label and added. Job outcomes are tested pooled, within
each site and across sites (Cochran-Mantel-Haenszel, site as the stratum) by
:func:`~ipsstats.outcome_equity` on a :class:`~ipsstats.StratifiedTable`; durations give
Kaplan-Meier curves from the pooled life tables, the log-rank test pooled and stratified by
site, and for the time to a first job the cumulative incidence with discharge as a
competing risk and Gray's test.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats._version import __version__
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.categorical import PVALUE_ADJUSTMENTS, PValueAdjustment, StratifiedTable
from ipsstats.equity import (
    DurationEquity,
    DurationGroup,
    Landmark,
    OutcomeEquity,
    outcome_equity,
)
from ipsstats.errors import InsufficientDataError
from ipsstats.report.render import Document
from ipsstats.results import NOT_IN_DICT, Estimate, frozen_mapping, json_safe
from ipsstats.sites._document import document
from ipsstats.sites._pool import (
    PooledExits,
    PooledOutcome,
    align_levels,
    outcome_partition,
    pooled_exits,
    pooled_outcomes,
)
from ipsstats.sites.summary import SiteSummary
from ipsstats.sites.tables import KINDS, MEASURE_EVENTS, ExitTable
from ipsstats.survival import (
    GrayTestResult,
    LogrankResult,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank,
)

__all__ = ["PooledAnalysis", "combine_sites"]

_MEASURES = tuple(KINDS)
_NAIVE_LABEL = "median among those with the event (ignores censoring)"
_WHAT = {"time_to_job": "time to a first job", "in_work_support": "in-work support"}


def _mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return frozen_mapping(value)


def _texts(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@attrs.frozen(kw_only=True, eq=False)
class PooledAnalysis:
    """The pooled equity analysis of several sites (:func:`~ipsstats.sites.combine_sites`).

    Parameters
    ----------
    title : str
        The analysis's title.
    summaries : tuple of SiteSummary
        The sites, in the order given (not part of ``to_dict()``, which lists each site's
        name, sizes, dates and versions).
    study_end : datetime.date
        The study end every site used.
    min_followup_months : int
        The minimum follow-up of the window analyses.
    latest_access : datetime.date
        The last access date in the window.
    by : tuple of str
        The attributes analysed.
    confidence_level : float
        Coverage of every interval.
    adjust : str
        The multiple-testing adjustment of each outcome analysis.
    landmark_months : tuple of float
        The landmarks of the duration analyses.
    rng : int
        Seed of any Monte Carlo test.
    outcome_all, outcome_window : Mapping[str, OutcomeEquity or None]
        Per attribute, job outcomes of everyone and of the window: pooled over sites
        (``overall``), within each site (``stratum_tests``, labelled ``"site = ..."``) and
        across sites (``cmh_tests``). ``None`` (with a caveat) when not computable.
    durations : Mapping[str, Mapping[str, DurationEquity or None]]
        Per attribute, ``"time_to_job"`` and ``"in_work_support"``, from the pooled exit
        tables: Kaplan-Meier curves, medians and landmarks per group, and the pooled
        log-rank (and for a first job, Gray's) test.
    logrank_by_site : Mapping[str, Mapping[str, LogrankResult or None]]
        The log-rank test stratified by site, per attribute and duration.
    gray_by_site : Mapping[str, GrayTestResult or None]
        Gray's test of the cumulative incidence of a job stratified by site, per attribute.
    tables_all, tables_window : Mapping[str, StratifiedTable]
        The pooled groups by job, with site as the stratum (not part of ``to_dict()``).
    notes : tuple of str
        How levels were aligned and groups merged across sites.
    approximate : tuple of str
        What is approximate, and why (durations banded by disclosure control).
    caveats : tuple of str
        Analyses that could not be run, and why.
    """

    title: str
    summaries: tuple[SiteSummary, ...] = attrs.field(repr=False, metadata=NOT_IN_DICT)
    study_end: dt.date
    min_followup_months: int
    latest_access: dt.date
    by: tuple[str, ...]
    confidence_level: float
    adjust: str
    landmark_months: tuple[float, ...]
    rng: int
    outcome_all: Mapping[str, OutcomeEquity | None] = attrs.field(converter=_mapping)
    outcome_window: Mapping[str, OutcomeEquity | None] = attrs.field(converter=_mapping)
    durations: Mapping[str, Mapping[str, DurationEquity | None]] = attrs.field(converter=_mapping)
    logrank_by_site: Mapping[str, Mapping[str, LogrankResult | None]] = attrs.field(
        converter=_mapping
    )
    gray_by_site: Mapping[str, GrayTestResult | None] = attrs.field(converter=_mapping)
    tables_all: Mapping[str, StratifiedTable] = attrs.field(
        converter=_mapping, repr=False, metadata=NOT_IN_DICT
    )
    tables_window: Mapping[str, StratifiedTable] = attrs.field(
        converter=_mapping, repr=False, metadata=NOT_IN_DICT
    )
    notes: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    approximate: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_texts)

    @property
    def sites(self) -> tuple[str, ...]:
        """The sites' names, in order."""
        return tuple(s.site for s in self.summaries)

    @property
    def n(self) -> int:
        """People analysed at all sites."""
        return sum(s.n for s in self.summaries)

    @property
    def exact(self) -> bool:
        """Whether every number is what the pooled records would give (nothing approximate)."""
        return not self.approximate

    def to_dict(self) -> dict[str, Any]:
        """Return the analysis as JSON-safe objects."""
        out: dict[str, Any] = {
            "title": self.title,
            "ipsstats_version": __version__,
            "sites": [
                {
                    "site": s.site,
                    "n": s.n,
                    "n_window": s.n_window,
                    "n_after_study_end": s.n_after_study_end,
                    "observed_until": s.observed_until.isoformat(),
                    "ipsstats_version": s.ipsstats_version,
                    "schema_version": s.schema_version,
                    "threshold": s.threshold,
                    "time_unit": s.time_unit,
                    "selection": list(s.selection),
                }
                for s in self.summaries
            ],
            "n": self.n,
            "options": {
                "study_end": self.study_end.isoformat(),
                "min_followup_months": self.min_followup_months,
                "latest_access": self.latest_access.isoformat(),
                "by": list(self.by),
                "confidence_level": self.confidence_level,
                "adjust": self.adjust,
                "landmark_months": list(self.landmark_months),
                "rng": self.rng,
            },
            "outcome": {
                k: {"all": self.outcome_all.get(k), "window": self.outcome_window.get(k)}
                for k in self.by
            },
            "durations": {k: dict(self.durations[k]) for k in self.by},
            "logrank_by_site": {k: dict(self.logrank_by_site[k]) for k in self.by},
            "gray_by_site": dict(self.gray_by_site),
            "exact": self.exact,
            "notes": list(self.notes),
            "approximate": list(self.approximate),
            "caveats": list(self.caveats),
        }
        safe: dict[str, Any] = json_safe(out)
        return safe

    def to_json(self, indent: int | None = 2) -> str:
        """Return :meth:`to_dict` as strict JSON text (no NaN or infinity)."""
        from ipsstats.report.render import to_json  # noqa: PLC0415  # the report's JSON writer

        return to_json(self.to_dict(), indent=indent)

    def to_document(self, *, figures: bool = False) -> Document:
        """Describe the analysis as a :class:`~ipsstats.report.render.Document`.

        Parameters
        ----------
        figures : bool, default False
            Also draw the Kaplan-Meier curves of each duration (needs matplotlib; without
            it, each figure's place says why it is not shown).

        Returns
        -------
        Document
            Summary, sites, job outcomes, durations, notes and caveats.

        Raises
        ------
        InvalidInputError
            If `figures` is not a bool.
        """
        if not isinstance(figures, bool):
            raise fail("figures", "be True or False", repr(figures))
        return document(self, figures=figures)

    def to_text(self, width: int = 100) -> str:
        """Render for a terminal."""
        from ipsstats.report.render import to_text  # noqa: PLC0415  # renderers on demand

        return to_text(self.to_document(), width=width)

    def to_markdown(self) -> str:
        """Render as GitHub-flavoured Markdown."""
        from ipsstats.report.render import to_markdown  # noqa: PLC0415  # renderers on demand

        return to_markdown(self.to_document())

    def to_html(self, *, figures: bool = True) -> str:
        """Render as one self-contained HTML page (labels from the data are escaped).

        Parameters
        ----------
        figures : bool, default True
            Embed the Kaplan-Meier curves as inline SVG (needs matplotlib).

        Returns
        -------
        str
            The page.
        """
        from ipsstats.report.render import to_html  # noqa: PLC0415  # renderers on demand

        return to_html(self.to_document(figures=figures))

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (
            f"PooledAnalysis(sites={list(self.sites)!r}, n={self.n}, "
            f"study_end={self.study_end}, by={list(self.by)!r}, exact={self.exact}, "
            f"caveats={len(self.caveats)})"
        )


# --------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------


def _summaries(value: object) -> tuple[SiteSummary, ...]:
    if isinstance(value, (str, bytes, os.PathLike)) or not isinstance(value, Sequence):
        raise fail(
            "summaries",
            "be a sequence of SiteSummary objects or summary file paths",
            type(value).__name__,
        )
    found: list[SiteSummary] = []
    for item in value:
        if isinstance(item, SiteSummary):
            found.append(item)
        elif isinstance(item, (str, os.PathLike)):
            found.append(SiteSummary.read(item))
        else:
            raise fail(
                "summaries",
                "hold SiteSummary objects or summary file paths",
                type(item).__name__,
            )
    if len(found) < 2:
        raise fail(
            "summaries",
            "hold at least two site summaries",
            f"{len(found)}",
            hint="a single site's analysis is ipsstats.equity_report of its records.",
        )
    names = [s.site for s in found]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise fail(
            "summaries",
            "come from differently named sites",
            f"the site {repeated[0]!r} more than once",
            hint="give each site its own name when exporting (site_summary(..., site=...)).",
        )
    for label, attribute in (
        ("schema version", "schema_version"),
        ("study end", "study_end"),
        ("minimum follow-up (months)", "min_followup_months"),
        ("window's last access date", "latest_access"),
    ):
        values = {str(getattr(s, attribute)) for s in found}
        if len(values) > 1:
            listed = ", ".join(f"{s.site!r}: {getattr(s, attribute)}" for s in found)
            raise fail(
                "summaries",
                f"share one {label}",
                listed,
                hint="export every site's summary with the same study end and window, "
                "and the same version of ipsstats.",
            )
    return tuple(found)


def _by(summaries: Sequence[SiteSummary], by: object) -> tuple[tuple[str, ...], list[str]]:
    common = [n for n in summaries[0].attributes if all(n in s.attributes for s in summaries)]
    if by is None:
        notes = []
        for s in summaries:
            left = [n for n in s.attributes if n not in common]
            if left:
                notes.append(
                    f"site {s.site!r} also summarises {left}, which not every site has: "
                    "not analysed"
                )
        return tuple(common), notes
    names = (by,) if isinstance(by, str) else by
    if not isinstance(names, (tuple, list)) or not names:
        raise fail("by", "be a non-empty sequence of attribute names", repr(by))
    for name in names:
        lacking = [s.site for s in summaries if name not in s.attributes]
        if lacking:
            raise fail(
                "by",
                "name attributes every site summarises",
                f"{name!r}, not in the summaries of {lacking}",
                hint=f"every site summarises {common}.",
            )
    return tuple(str(n) for n in names), []


def _landmarks(value: object) -> tuple[float, ...]:
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


# --------------------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------------------


def _stratified(
    name: str, sites: Sequence[str], pooled: PooledOutcome, which: str
) -> StratifiedTable:
    """Stack the sites' tables, site as the stratum, with the people not known per site."""
    counts = getattr(pooled, which)
    with_missing = np.zeros((len(sites) + 1, len(pooled.groups) + 1, 3), dtype=np.int64)
    with_missing[1:, 1:, 1:] = counts[:, :-1]
    with_missing[1:, 0, 1:] = counts[:, -1]
    return StratifiedTable(
        counts=counts[:, :-1],
        strata_levels=list(sites),
        row_levels=list(pooled.labels),
        col_levels=["job", "no job"],
        strata_name="site",
        row_name=name,
        col_name="job_by_end",
        n_missing=int(counts[:, -1].sum()),
        with_missing=with_missing,
    )


def _outcome(  # noqa: PLR0917  # internal, called in two places
    table: StratifiedTable,
    name: str,
    window: tuple[str, int | None, int],
    study_end: dt.date,
    settings: _Settings,
    caveats: list[str],
) -> OutcomeEquity | None:
    """Test one table; `window` is (its description, minimum follow-up, people left out)."""
    label, months, n_out = window
    if len(table.row_levels) < 2:
        caveats.append(
            f"job outcomes by {name}, {label}: not computed (fewer than two groups: "
            f"{list(table.row_levels)})"
        )
        return None
    try:
        result = outcome_equity(table, name, **settings.options)
    except InsufficientDataError as exc:
        caveats.append(f"job outcomes by {name}, {label}: not computed ({exc})")
        return None
    return attrs.evolve(
        result,
        window=label,
        study_end=study_end,
        min_followup_months=months,
        n_window_excluded=n_out,
    )


# --------------------------------------------------------------------------------------
# durations
# --------------------------------------------------------------------------------------


def _undefined(method: str, note: str) -> Estimate:
    return Estimate(
        value=None, lower=None, upper=None, confidence_level=None, method=method, note=note
    )


def _at_landmark(estimate: Any, days: float, method: str) -> Estimate:
    try:
        result: Estimate = estimate(days)
    except InsufficientDataError:
        return _undefined(method, "after the group's last follow-up time")
    return result


def _duration_group(
    label: object,
    pooled: PooledExits,
    records: tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.object_]],
    marks: tuple[float, ...],
    level: float,
) -> DurationGroup:
    event = MEASURE_EVENTS[pooled.measure]
    k = pooled.labels.index(label)
    table = sum((site[k] for site in pooled.tables), ExitTable.empty(pooled.kinds))
    curve = kaplan_meier(table.life_table(event), confidence_level=level)
    durations, codes, labels = records
    mask = labels == label
    incidence = None
    if pooled.kinds == KINDS["time_to_job"] and pooled.measure == "time_to_job":
        # codes follow KINDS: 0 censored, 1 job, 2 discharged: the cohort's cause codes
        incidence = cumulative_incidence(
            durations[mask], codes[mask], cause=1, confidence_level=level
        )
    landmarks = []
    for months in marks:
        days = months * DAYS_PER_MONTH
        landmarks.append(
            Landmark(
                months=months,
                days=days,
                remaining=_at_landmark(curve.survival_at, days, "kaplan-meier"),
                incidence=None
                if incidence is None
                else _at_landmark(incidence.at, days, "aalen-johansen"),
            )
        )
    with_event = np.repeat(table.times, table.column(event))
    return DurationGroup(
        group=label,
        n=table.n,
        n_events=int(with_event.size),
        median=curve.median(),
        naive_median=float(np.median(with_event)) if with_event.size else None,
        landmarks=tuple(landmarks),
        naive_median_label=_NAIVE_LABEL,
        curve=curve,
        incidence_curve=incidence,
    )


def _duration(
    name: str,
    pooled: PooledExits,
    sites: Sequence[str],
    settings: tuple[dt.date, tuple[float, ...], float],
    site_caveats: list[str],
) -> tuple[DurationEquity, LogrankResult | None, GrayTestResult | None]:
    """Analyse one duration of one attribute pooled, and test it stratified by site."""
    study_end, marks, level = settings
    durations, codes, labels, strata = pooled.records(sites)
    event = pooled.kinds.index(MEASURE_EVENTS[pooled.measure])
    events = codes == event
    caveats: list[str] = []
    groups = []
    for label in pooled.labels:
        if not np.any(labels == label):
            caveats.append(f"group {label!r} has nobody with a duration and is not shown")
            continue
        groups.append(_duration_group(label, pooled, (durations, codes, labels), marks, level))
    competing = pooled.measure == "time_to_job" and pooled.kinds == KINDS["time_to_job"]
    if pooled.censored_by:
        caveats.append(
            "cumulative incidence and Gray's test not computed: discharges without a job "
            f"are counted as censored in the summaries of {list(pooled.censored_by)} "
            "(disclosure control)"
        )
    stratified: list[str] = []  # reported with the analysis, not with the pooled result
    tests = {
        "logrank": _attempt(caveats, "log-rank test", lambda: logrank(durations, events, labels)),
        "gray": _attempt(
            caveats,
            "Gray's test",
            lambda: gray_test(durations, codes, labels, cause=1) if competing else None,
        ),
        "by_site": _attempt(
            stratified,
            "log-rank test stratified by site",
            lambda: logrank(durations, events, labels, strata=strata),
        ),
        "gray_by_site": _attempt(
            stratified,
            "Gray's test stratified by site",
            lambda: (
                gray_test(durations, codes, labels, cause=1, strata=strata) if competing else None
            ),
        ),
    }
    what = f"{_WHAT[pooled.measure]} by {name}"
    site_caveats += [f"{what}: {text}" for text in stratified]
    known = labels != None  # noqa: E711  # an object array: compare element-wise with None
    result = DurationEquity(
        study_end=study_end,
        n_window_excluded=0,
        name=name,
        measure=pooled.measure,  # type: ignore[arg-type]  # one of MEASURES
        unit="days",
        confidence_level=level,
        landmark_months=marks,
        n=int(known.sum()),
        n_missing=int((~known).sum()),
        groups=tuple(groups),
        logrank=tests["logrank"],
        gray=tests["gray"],
        caveats=tuple(caveats),
    )
    return result, tests["by_site"], tests["gray_by_site"]


def _attempt(caveats: list[str], what: str, run: Callable[[], Any]) -> Any:
    """Run one test; record why in `caveats` if the data cannot support it."""
    try:
        return run()
    except InsufficientDataError as exc:
        caveats.append(f"{what} not computed: {exc}")
        return None


def _window_label(months: int, latest: dt.date, study_end: dt.date) -> str:
    return (
        f"at least {months} months' follow-up (accessed on or before {latest.isoformat()}), "
        f"outcome by {study_end}"
    )


def combine_sites(
    summaries: Sequence[SiteSummary | str | os.PathLike[str]],
    *,
    by: Sequence[str] | str | None = None,
    confidence_level: float = 0.95,
    adjust: PValueAdjustment = "holm",
    landmarks: Sequence[float] = (6, 12),
    rng: int = 0,
    title: str = "IPS equity analysis of several sites",
) -> PooledAnalysis:
    r"""Analyse several sites together from their summaries.

    Parameters
    ----------
    summaries : sequence of SiteSummary or path
        Two or more site summaries (:func:`~ipsstats.sites.site_summary`), or paths of
        summary files (JSON or Parquet), with distinct site names, one study end, one
        minimum follow-up and one schema version.
    by : str or sequence of str, optional
        Attributes to analyse; default every attribute that every site summarises.
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1.
    adjust : {"holm", "bonferroni", "hochberg", "bh", "by", "none"}
        Adjustment of the p-values of each outcome analysis (pooled, per site and CMH).
    landmarks : sequence of float
        Months at which durations report the share still waiting or still supported.
    rng : int
        Seed for a Monte Carlo test, should an exact test be too large (recorded).
    title : str
        The analysis's title.

    Returns
    -------
    PooledAnalysis
        Per attribute: job outcomes of everyone and of the window (pooled, per site, and
        Cochran-Mantel-Haenszel across sites), durations (Kaplan-Meier curves, medians and
        landmarks per group from the pooled life tables, log-rank and Gray's tests pooled
        and stratified by site), with notes on how levels were aligned, what is
        approximate, and caveats.

    Raises
    ------
    InvalidInputError
        If fewer than two summaries are given, two share a site name, they differ in
        study end, window or schema version, a file is not a valid summary, `by` names an
        attribute a site does not summarise, or an option is invalid.

    See Also
    --------
    site_summary : what each site exports.
    ipsstats.outcome_equity, ipsstats.duration_equity : the same analyses of records.

    Notes
    -----
    Counts add: the pooled table of the groups by job is
    :math:`n_{gj} = \sum_s n_{sgj}` and the pooled life table of a group has
    :math:`d_{t} = \sum_s d_{st}` events and :math:`c_t = \sum_s c_{st}` censorings at
    each time :math:`t`, so every pooled estimate and test equals that of the pooled
    records. Levels are aligned by label (a level a site lacks counts 0 people there, and
    is listed in ``notes``). Where disclosure control merged levels at one site, the
    pooled analysis merges them at every site, and a level one site withholds is counted
    as not known everywhere, so that every pooled count is a sum of published counts.

    Within sites, the test of each site's table and the Cochran-Mantel-Haenszel test
    across sites (site as the stratum) answer whether groups differ within sites; the
    log-rank test stratified by site sums each site's observed minus expected events,
    so that differences in case mix between sites do not masquerade as differences
    between groups.

    Tests without an aggregated input (the log-rank test with strata, cumulative
    incidence and Gray's test) run on records rebuilt from the counts: one per person,
    with the duration and kind of exit of its row, which gives the same tables.

    References
    ----------
    .. [1] Mantel, N. and Haenszel, W. (1959). Statistical aspects of the analysis of data
       from retrospective studies of disease. Journal of the National Cancer Institute
       22(4), 719-748.
    .. [2] Klein, J. P. and Moeschberger, M. L. (2003). Survival Analysis. 2nd ed.
       Springer, section 7.5 (stratified tests).

    Examples
    --------
    >>> from ipsstats.datasets import synthetic_cohort
    >>> from ipsstats.sites import combine_sites, site_summary
    >>> cohort = synthetic_cohort()
    >>> summaries = [site_summary(cohort.where("team", [team]), site=team, by=["gender"],
    ...                           study_end="2024-02-27") for team in ("North", "South")]
    >>> pooled = combine_sites(summaries)
    >>> pooled.n, pooled.exact
    (267, True)
    >>> [t.label for t in pooled.outcome_all["gender"].tests]
    ['overall', 'site = North', 'site = South', 'CMH across site']
    >>> round(pooled.outcome_all["gender"].cmh_tests[0].result.pvalue, 2)
    0.97
    >>> round(pooled.durations["gender"]["time_to_job"].logrank.statistic, 4)
    0.0009
    """
    found = _summaries(summaries)
    level = as_confidence_level(confidence_level)
    how = as_option(adjust, "adjust", PVALUE_ADJUSTMENTS)
    marks = _landmarks(landmarks)
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise fail("rng", "be a non-negative integer seed", repr(rng))
    names, notes = _by(found, by)
    settings = _Settings(
        study_end=found[0].study_end,
        months=found[0].min_followup_months,
        latest=found[0].latest_access,
        options={"confidence_level": level, "adjust": how, "rng": int(rng)},
        marks=marks,
        level=level,
    )
    caveats: list[str] = []
    approximate: list[str] = []
    banded = [s.site for s in found if s.time_unit != "day"]
    if banded:
        approximate.append(
            f"durations of {banded} are in bands of whole months (disclosure control): "
            "Kaplan-Meier curves, medians, landmark shares, cumulative incidence and the "
            "log-rank and Gray tests are computed with the exits of each band placed at the "
            "mean of their months"
        )
    analysed = {name: _attribute(name, found, settings, notes, caveats) for name in names}
    return PooledAnalysis(
        title=title,
        summaries=found,
        study_end=settings.study_end,
        min_followup_months=settings.months,
        latest_access=settings.latest,
        by=names,
        confidence_level=level,
        adjust=how,
        landmark_months=marks,
        rng=int(rng),
        outcome_all={k: a.outcome_all for k, a in analysed.items()},
        outcome_window={k: a.outcome_window for k, a in analysed.items()},
        durations={k: a.durations for k, a in analysed.items()},
        logrank_by_site={k: a.by_site for k, a in analysed.items()},
        gray_by_site={k: a.gray_by_site for k, a in analysed.items()},
        tables_all={k: a.table_all for k, a in analysed.items()},
        tables_window={k: a.table_window for k, a in analysed.items()},
        notes=notes,
        approximate=approximate,
        caveats=caveats,
    )


@attrs.frozen(kw_only=True)
class _Settings:
    """What every analysis of a pooling shares."""

    study_end: dt.date
    months: int
    latest: dt.date
    options: Mapping[str, Any]
    marks: tuple[float, ...]
    level: float


@attrs.frozen(kw_only=True)
class _Analysed:
    """The analyses of one attribute."""

    table_all: StratifiedTable
    table_window: StratifiedTable
    outcome_all: OutcomeEquity | None
    outcome_window: OutcomeEquity | None
    durations: dict[str, DurationEquity | None]
    by_site: dict[str, LogrankResult | None]
    gray_by_site: GrayTestResult | None


def _merge_note(name: str, pooled: PooledOutcome) -> list[str]:
    merged = [" + ".join(str(x) for x in g) for g in pooled.groups if len(g) > 1]
    if not merged and not pooled.withheld:
        return []
    text = f"{name}: groups as published by every site"
    if merged:
        text += f"; merged: {merged}"
    if pooled.withheld:
        text += f"; withheld (counted as not known): {list(pooled.withheld)}"
    return [text]


def _attribute(
    name: str,
    found: Sequence[SiteSummary],
    settings: _Settings,
    notes: list[str],
    caveats: list[str],
) -> _Analysed:
    """Pool one attribute's counts and run its analyses."""
    sites = [s.site for s in found]
    attributes = [s.attributes[name] for s in found]
    levels, aligned = align_levels(name, list(zip(sites, attributes, strict=True)))
    partition = outcome_partition(levels, attributes)
    pooled = pooled_outcomes(partition, attributes)
    notes += [*aligned, *_merge_note(name, pooled)]
    table_all = _stratified(name, sites, pooled, "all")
    table_window = _stratified(name, sites, pooled, "window")
    n_out = sum(s.n - s.n_window for s in found)
    end, months = settings.study_end, settings.months
    durations: dict[str, DurationEquity | None] = {}
    by_site: dict[str, LogrankResult | None] = {}
    gray_by_site: GrayTestResult | None = None
    for measure in _MEASURES:
        withheld_at = [
            s.site for s, a in zip(found, attributes, strict=True) if getattr(a, measure) is None
        ]
        if withheld_at:
            caveats.append(
                f"{_WHAT[measure]} by {name}: not computed (withheld by "
                f"disclosure control in the summaries of {withheld_at})"
            )
            durations[measure] = by_site[measure] = None
            continue
        exits = pooled_exits(measure, partition, found, attributes)
        durations[measure], by_site[measure], gray = _duration(
            name, exits, sites, (end, settings.marks, settings.level), caveats
        )
        if measure == "time_to_job":
            gray_by_site = gray
    return _Analysed(
        table_all=table_all,
        table_window=table_window,
        outcome_all=_outcome(
            table_all, name, (f"everyone, outcome by {end}", None, 0), end, settings, caveats
        ),
        outcome_window=_outcome(
            table_window,
            name,
            (_window_label(months, settings.latest, end), months, n_out),
            end,
            settings,
            caveats,
        ),
        durations=durations,
        by_site=by_site,
        gray_by_site=gray_by_site,
    )
