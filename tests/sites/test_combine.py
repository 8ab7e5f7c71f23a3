"""Pooling site summaries gives exactly the analysis of the pooled records.

The reference is ipsstats's own analysis of the whole cohort, with ``site`` as an
attribute: ``outcome_equity(cohort, by, strata=["site"])`` (pooled, per site and CMH
across sites), ``duration_equity`` and ``logrank``/``gray_test`` with ``strata=site``.
Those functions are checked against R in their own wings; here the pooled numbers must
equal them exactly (``==`` on every field of ``to_dict()`` and on the curves' arrays), for
any split of a cohort into sites. The check of the pooled CMH and stratified log-rank
tests against a live R session is in ``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import ipsstats as ips
from ipsstats.datasets import synthetic_cohort
from ipsstats.errors import InvalidInputError
from ipsstats.sites import PooledAnalysis, SiteSummary, combine_sites, site_summary
from tests.strategies import SITE_OBSERVED_UNTIL, site_cohort_columns

STUDY_END = "2024-02-27"


def _labels(factor: object) -> np.ndarray[Any, np.dtype[np.object_]]:
    assert isinstance(factor, ips.Factor)
    out: np.ndarray[Any, np.dtype[np.object_]] = np.array([*factor.levels, None], dtype=object)[
        factor.codes
    ]
    return out


def _synthetic() -> ips.Cohort:
    cohort = synthetic_cohort()
    return cohort.with_attribute("site", _labels(cohort["team"]))


def _split(cohort: ips.Cohort, by: list[str], **options: Any) -> list[SiteSummary]:
    site = cohort["site"]
    assert isinstance(site, ips.Factor)
    return [
        site_summary(cohort.where("site", [s]), site=str(s), by=by, **options)
        for s in site.levels
        if np.any(_labels(site) == s)
    ]


def assert_identical(cohort: ips.Cohort, pooled: PooledAnalysis, months: int = 6) -> None:
    """Every number of the pooled analysis is that of the whole cohort's records."""
    for by in pooled.by:
        everyone = ips.outcome_equity(cohort, by, strata=["site"])
        assert pooled.outcome_all[by] is not None
        assert pooled.outcome_all[by].to_dict() == everyone.to_dict()  # type: ignore[union-attr]
        try:
            window = ips.outcome_equity(cohort, by, strata=["site"], min_followup_months=months)
        except ips.InsufficientDataError:
            assert pooled.outcome_window[by] is None
        else:
            result = pooled.outcome_window[by]
            assert result is not None
            assert result.to_dict() == window.to_dict()
        for measure in ("time_to_job", "in_work_support"):
            _assert_durations(cohort, pooled, by, measure)


def _assert_durations(cohort: ips.Cohort, pooled: PooledAnalysis, by: str, measure: str) -> None:
    try:
        reference = ips.duration_equity(cohort, by, measure=measure)  # type: ignore[arg-type]
    except ips.InsufficientDataError:
        assert pooled.durations[by][measure] is None or not pooled.durations[by][measure].groups  # type: ignore[union-attr]
        return
    result = pooled.durations[by][measure]
    assert result is not None
    assert result.to_dict() == reference.to_dict()
    for mine, theirs in zip(result.groups, reference.groups, strict=True):
        assert mine.curve is not None
        assert theirs.curve is not None
        for field in ("times", "survival", "n_at_risk", "n_events", "lower", "upper"):
            np.testing.assert_array_equal(getattr(mine.curve, field), getattr(theirs.curve, field))
        if theirs.incidence_curve is not None:
            assert mine.incidence_curve is not None
            assert mine.incidence_curve.to_dict() == theirs.incidence_curve.to_dict()
    data = cohort.time_to_job() if measure == "time_to_job" else cohort.in_work_support()
    groups, sites = _labels(data.group(by)), _labels(data.group("site"))
    try:
        stratified = ips.logrank(data.durations, data.events, groups, strata=sites)
    except ips.InsufficientDataError:
        assert pooled.logrank_by_site[by][measure] is None
    else:
        mine_lr = pooled.logrank_by_site[by][measure]
        assert mine_lr is not None
        assert mine_lr.to_dict() == stratified.to_dict()
    if measure == "time_to_job":
        causes = cohort.job_or_discharge().causes
        try:
            gray = ips.gray_test(data.durations, causes, groups, cause=1, strata=sites)
        except ips.InsufficientDataError:
            assert pooled.gray_by_site[by] is None
        else:
            mine_gray = pooled.gray_by_site[by]
            assert mine_gray is not None
            assert mine_gray.to_dict() == gray.to_dict()


def test_synthetic_cohort_split_by_team_is_the_whole_cohort() -> None:
    cohort = _synthetic().with_study_end("2024-01-31")
    summaries = _split(cohort, ["ethnicity", "gender", "diagnosis"])
    pooled = combine_sites(summaries)
    assert pooled.exact
    assert pooled.n == cohort.n == 539
    assert_identical(cohort, pooled)


@settings(max_examples=25)
@given(site_cohort_columns())
def test_any_split_into_sites_gives_the_pooled_records_analysis(
    columns: dict[str, list[object]],
) -> None:
    cohort = ips.Cohort.from_columns(columns, observed_until=SITE_OBSERVED_UNTIL)
    summaries = _split(cohort, ["ethnicity", "gender"], min_followup_months=3)
    pooled = combine_sites(summaries, landmarks=(2, 5))
    assert pooled.exact
    assert_identical_landmarks(cohort, pooled)


def assert_identical_landmarks(cohort: ips.Cohort, pooled: PooledAnalysis) -> None:
    for by in pooled.by:
        for measure in ("time_to_job", "in_work_support"):
            result = pooled.durations[by][measure]
            try:
                reference = ips.duration_equity(
                    cohort,
                    by,
                    measure=measure,
                    landmarks=(2, 5),
                )
            except ips.InsufficientDataError:
                continue
            assert result is not None
            assert result.to_dict() == reference.to_dict()
    _assert_outcomes(cohort, pooled, 3)


def _assert_outcomes(cohort: ips.Cohort, pooled: PooledAnalysis, months: int) -> None:
    for by in pooled.by:
        for result, options in (
            (pooled.outcome_all[by], {}),
            (pooled.outcome_window[by], {"min_followup_months": months}),
        ):
            if len(cohort.tally(by).levels) < 2:  # nothing to compare (and ips.cmh refuses)
                assert result is None
                continue
            try:
                reference = ips.outcome_equity(cohort, by, strata=["site"], **options)  # type: ignore[arg-type]
            except ips.InsufficientDataError:
                assert result is None
                continue
            assert result is not None
            assert result.to_dict() == reference.to_dict()
        for measure in ("time_to_job", "in_work_support"):
            data = cohort.time_to_job() if measure == "time_to_job" else cohort.in_work_support()
            try:
                reference_lr = ips.logrank(
                    data.durations,
                    data.events,
                    _labels(data.group(by)),
                    strata=_labels(data.group("site")),
                )
            except ips.InsufficientDataError:
                assert pooled.logrank_by_site[by][measure] is None
                continue
            mine = pooled.logrank_by_site[by][measure]
            assert mine is not None
            assert mine.to_dict() == reference_lr.to_dict()


@settings(max_examples=15)
@given(site_cohort_columns(min_size=4))
def test_sites_loaded_apart_align_levels_by_label(columns: dict[str, list[object]]) -> None:
    # Each site's records loaded on their own: a site lacks the levels nobody there has.
    sites = sorted({str(s) for s in columns["site"]})
    summaries = []
    for name in sites:
        keep = [k for k, s in enumerate(columns["site"]) if s == name]
        part = {k: [v[i] for i in keep] for k, v in columns.items()}
        cohort = ips.Cohort.from_columns(part, observed_until=SITE_OBSERVED_UNTIL)
        summaries.append(site_summary(cohort, site=name, by=["ethnicity", "gender"]))
    whole = ips.Cohort.from_columns(columns, observed_until=SITE_OBSERVED_UNTIL)
    pooled = combine_sites(summaries)
    _assert_outcomes(whole, pooled, 6)
    every = set(ips.tally(columns["ethnicity"]).levels)
    for summary in summaries:
        absent = every - set(summary.attributes["ethnicity"].levels)
        for level in absent:
            assert any(repr(level) in note and summary.site in note for note in pooled.notes)


def test_summaries_read_back_from_files_give_the_same_analysis(tmp_path: Any) -> None:
    cohort = _synthetic()
    summaries = _split(cohort, ["gender"], study_end=STUDY_END)
    paths = []
    for k, summary in enumerate(summaries):
        path = tmp_path / f"site{k}.json"
        summary.write(path)
        paths.append(path)
    from_files = combine_sites(paths)
    direct = combine_sites(summaries)
    assert from_files.to_dict() == direct.to_dict()


def test_cmh_across_sites_is_ips_cmh_of_the_stratified_table() -> None:
    pooled = combine_sites(_split(_synthetic(), ["gender"], study_end=STUDY_END))
    table = pooled.tables_all["gender"]
    assert table.strata_name == "site"
    assert table.strata_levels == ("Central", "East", "North", "South", "West")
    result = pooled.outcome_all["gender"]
    assert result is not None
    assert result.cmh_tests[0].result.to_dict() == ips.cmh(table).to_dict()
    # the pooled table is the whole cohort's table
    whole = _synthetic().crosstab("gender", "job_by_end")
    assert isinstance(whole, ips.ContingencyTable)
    np.testing.assert_array_equal(table.counts.sum(axis=0), whole.counts)
    assert table.n_missing == whole.n_missing


# --------------------------------------------------------------------------------------
# safe summaries pooled
# --------------------------------------------------------------------------------------


def test_safe_summaries_pool_exact_outcomes_for_the_merged_groups() -> None:
    cohort = _synthetic().where("site", ["North", "South", "West"])
    summaries = _split(cohort, ["ethnicity"], study_end=STUDY_END, suppress=True)
    pooled = combine_sites(summaries)
    assert pooled.tables_all["ethnicity"].row_levels == (
        "Black/Black British + Mixed + Other",
        "White",
    )
    assert not pooled.exact
    assert any("bands of whole months" in text for text in pooled.approximate)
    result = pooled.outcome_all["ethnicity"]
    assert result is not None
    # Each pooled group's counts are the whole cohort's counts of its levels.
    whole = cohort.crosstab("ethnicity", "job_by_end")
    assert isinstance(whole, ips.ContingencyTable)
    counts = dict(zip(whole.row_levels, whole.counts.tolist(), strict=True))
    withheld = pooled.tables_all["ethnicity"]
    for group, row in zip(withheld.row_levels, withheld.counts.sum(axis=0), strict=True):
        levels = str(group).split(" + ")
        assert row.tolist() == np.sum([counts[level] for level in levels], axis=0).tolist()
    for group in result.groups:
        assert group.n >= 5
    assert any("withheld" in note or "merged" in note for note in pooled.notes)


def test_a_level_withheld_at_one_site_is_not_known_everywhere() -> None:
    cohort = _synthetic()
    exact = _split(cohort.where("site", ["North", "South"]), ["ethnicity"], study_end=STUDY_END)
    safe = site_summary(
        cohort.where("site", ["North"]),
        site="North safe",
        by=["ethnicity"],
        study_end=STUDY_END,
        suppress=True,
    )
    assert safe.attributes["ethnicity"].withheld == ("Asian/Asian British",)
    pooled = combine_sites([safe, exact[1]])
    result = pooled.outcome_all["ethnicity"]
    assert result is not None
    assert "Asian/Asian British" not in [g.group for g in result.groups]
    south = cohort.where("site", ["South"]).tally("ethnicity")
    north = cohort.where("site", ["North"]).tally("ethnicity")
    asian = dict(zip(south.levels, south.counts.tolist(), strict=True))["Asian/Asian British"]
    assert result.n_missing == north.n_missing + south.n_missing + 7 + 4 + asian


def test_withheld_durations_are_a_caveat() -> None:
    cohort = _synthetic()
    safe = _split(cohort, ["gender"], study_end=STUDY_END, suppress=True)
    pooled = combine_sites(safe)
    assert pooled.durations["gender"]["in_work_support"] is None
    assert any("in-work support by gender: not computed" in c for c in pooled.caveats)
    time_to_job = pooled.durations["gender"]["time_to_job"]
    assert time_to_job is not None
    assert time_to_job.gray is None
    assert any("counted as censored" in c for c in time_to_job.caveats)


# --------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------


def test_renderings_show_every_site() -> None:
    pooled = combine_sites(_split(_synthetic(), ["gender"], study_end=STUDY_END))
    for text in (pooled.to_text(), pooled.to_markdown(), pooled.to_html(figures=False)):
        for site in pooled.sites:
            assert site in text
        assert "CMH across site" in text
        assert "stratified by site" in text
    data = json.loads(pooled.to_json())
    assert [s["site"] for s in data["sites"]] == list(pooled.sites)
    assert data["exact"] is True
    assert data["outcome"]["gender"]["all"]["cmh_tests"][0]["label"] == "CMH across site"
    assert "PooledAnalysis(sites=" in repr(pooled)
    assert str(pooled) == pooled.to_text()


def test_html_embeds_the_curves_when_matplotlib_is_installed() -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    pooled = combine_sites(_split(_synthetic(), ["gender"], study_end=STUDY_END))
    assert pooled.to_html().count("<svg") == 2


def test_to_document_refuses_a_non_bool_figures() -> None:
    pooled = combine_sites(_split(_synthetic(), ["gender"], study_end=STUDY_END))
    with pytest.raises(InvalidInputError, match="`figures` must be True or False; got 1"):
        pooled.to_document(figures=1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two() -> list[SiteSummary]:
    return _split(_synthetic().where("site", ["North", "South"]), ["gender"], study_end=STUDY_END)


def test_refuses_fewer_than_two_summaries(two: list[SiteSummary]) -> None:
    with pytest.raises(InvalidInputError, match="`summaries` must hold at least two site summ"):
        combine_sites(two[:1])


def test_refuses_what_is_not_a_sequence_of_summaries(two: list[SiteSummary]) -> None:
    with pytest.raises(InvalidInputError, match="`summaries` must be a sequence of SiteSummary"):
        combine_sites("north.json")
    with pytest.raises(InvalidInputError, match="`summaries` must hold SiteSummary objects or"):
        combine_sites([two[0], 3])  # type: ignore[list-item]


def test_refuses_two_sites_of_one_name(two: list[SiteSummary]) -> None:
    with pytest.raises(InvalidInputError, match="differently named sites; got the site 'North'"):
        combine_sites([two[0], two[0]])


@pytest.mark.parametrize(
    ("options", "what"),
    [
        ({"study_end": "2024-01-31"}, "share one study end"),
        ({"study_end": STUDY_END, "min_followup_months": 3}, "share one minimum follow-up"),
    ],
)
def test_refuses_summaries_of_different_windows(
    two: list[SiteSummary], options: dict[str, Any], what: str
) -> None:
    other = site_summary(
        _synthetic().where("site", ["West"]), site="West", by=["gender"], **options
    )
    with pytest.raises(InvalidInputError, match=what):
        combine_sites([*two, other])


def test_refuses_different_schema_versions(two: list[SiteSummary]) -> None:
    import attrs  # noqa: PLC0415  # only this test builds an altered summary

    older = attrs.evolve(two[1], schema_version="0.9")
    with pytest.raises(InvalidInputError, match="share one schema version"):
        combine_sites([two[0], older])


def test_by_names_attributes_every_site_has(two: list[SiteSummary]) -> None:
    other = site_summary(
        _synthetic().where("site", ["West"]),
        site="West",
        by=["gender", "ethnicity"],
        study_end=STUDY_END,
    )
    with pytest.raises(InvalidInputError, match="name attributes every site summarises"):
        combine_sites([*two, other], by=["ethnicity"])
    with pytest.raises(InvalidInputError, match="`by` must be a non-empty sequence"):
        combine_sites(two, by=[])
    pooled = combine_sites([*two, other])
    assert pooled.by == ("gender",)
    assert any("also summarises ['ethnicity']" in note for note in pooled.notes)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"landmarks": "6"}, "`landmarks` must be a sequence of months"),
        ({"landmarks": [True]}, "`landmarks` must hold numbers of months"),
        ({"landmarks": [-1]}, "`landmarks` must hold positive, finite numbers"),
        ({"rng": -1}, "`rng` must be a non-negative integer seed"),
        ({"confidence_level": 95}, "`confidence_level` must be a number strictly between"),
        ({"adjust": "sidak"}, "`adjust` must be one of"),
    ],
)
def test_refuses_invalid_options(
    two: list[SiteSummary], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        combine_sites(two, **options)
