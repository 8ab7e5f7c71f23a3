"""Site summaries: counts checked against the cohort, files, schema, disclosure control."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ipsstats as ips
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.datasets import synthetic_cohort
from ipsstats.errors import InsufficientDataError, InvalidInputError
from ipsstats.sites import (
    KINDS,
    SUMMARY_SCHEMA,
    AttributeSummary,
    ExitTable,
    GroupExits,
    SiteSummary,
    site_summary,
)
from tests.strategies import SITE_OBSERVED_UNTIL, site_cohort_columns

STUDY_END = "2024-02-27"


@pytest.fixture(scope="module")
def north() -> ips.Cohort:
    return synthetic_cohort().where("team", ["North"])


@pytest.fixture(scope="module")
def exact(north: ips.Cohort) -> SiteSummary:
    return site_summary(north, site="North", study_end=STUDY_END)


@pytest.fixture(scope="module")
def safe(north: ips.Cohort) -> SiteSummary:
    return site_summary(north, site="North", study_end=STUDY_END, suppress=True)


def _labels(factor: object) -> list[object]:
    assert isinstance(factor, ips.Factor)
    return [None if c < 0 else factor.levels[c] for c in factor.codes.tolist()]


# --------------------------------------------------------------------------------------
# the counts, against the cohort
# --------------------------------------------------------------------------------------


@settings(max_examples=30)
@given(site_cohort_columns(min_size=1))
def test_exact_counts_are_the_cohort_tables(columns: dict[str, list[object]]) -> None:
    cohort = ips.Cohort.from_columns(columns, observed_until=SITE_OBSERVED_UNTIL)
    summary = site_summary(cohort, site="A", by=["ethnicity", "gender"], min_followup_months=3)
    window = cohort.with_minimum_followup(3)
    assert (summary.n, summary.n_window) == (cohort.n, window.n)
    assert summary.threshold is None
    assert summary.time_unit == "day"
    for name, attribute in summary.attributes.items():
        assert attribute.groups == tuple((level,) for level in attribute.levels)
        assert attribute.withheld == ()
        for table, people in ((attribute.outcome_all, cohort), (attribute.outcome_window, window)):
            reference = people.crosstab(name, "job_by_end")
            assert isinstance(reference, ips.ContingencyTable)
            assert table[:-1].tolist() == reference.counts.tolist()
            jobs = int(people.tally("job_by_end").counts[0])
            assert table[-1].tolist() == [
                jobs - int(reference.counts[:, 0].sum()),
                reference.n_missing - (jobs - int(reference.counts[:, 0].sum())),
            ]
        assert attribute.outcome_table().counts.tolist() == attribute.outcome_all[:-1].tolist()
        assert attribute.outcome_table(window=True).n_missing == int(
            attribute.outcome_window[-1].sum()
        )
        _check_exits(cohort, name, attribute)


def _check_exits(cohort: ips.Cohort, name: str, attribute: AttributeSummary) -> None:
    """Exit tables against counting (group, day, kind) triples of the cohort's durations."""
    competing = cohort.job_or_discharge()
    ttj = Counter(
        zip(
            _labels(competing.attributes[name]),
            competing.durations.tolist(),
            competing.causes.tolist(),
            strict=True,
        )
    )
    iws_data = cohort.in_work_support()
    iws = Counter(
        zip(
            _labels(iws_data.group(name)),
            iws_data.durations.tolist(),
            iws_data.events.astype(int).tolist(),
            strict=True,
        )
    )
    for exits, counted in ((attribute.time_to_job, ttj), (attribute.in_work_support, iws)):
        assert exits is not None
        assert exits.kinds == KINDS[exits.measure]
        for (level,), table in zip(exits.groups, exits.tables, strict=True):
            mine = {
                (t, k): int(c)
                for t, row in zip(table.times.tolist(), table.counts, strict=True)
                for k, c in enumerate(row)
                if c
            }
            theirs = {(t, k): c for (g, t, k), c in counted.items() if g == level}
            assert mine == theirs


def test_study_end_and_selection_are_recorded() -> None:
    cohort = synthetic_cohort().accessed_between("2022-06-01", "2023-03-31")
    summary = site_summary(cohort, site="A", by=["gender"], study_end="2022-12-31")
    assert summary.study_end.isoformat() == "2022-12-31"
    assert summary.n_after_study_end == cohort.n - cohort.with_study_end("2022-12-31").n > 0
    assert summary.selection == ("access window: accessed 2022-06-01 to 2023-03-31",)
    assert summary.latest_access.isoformat() == "2022-06-30"
    assert summary.observed_until.isoformat() == "2024-02-27"
    assert "SiteSummary(site='A'" in repr(summary)
    assert "AttributeSummary(name='gender'" in repr(summary.attributes["gender"])
    assert "GroupExits(measure='time_to_job'" in repr(summary.attributes["gender"].time_to_job)


# --------------------------------------------------------------------------------------
# files and schema
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["exact", "safe"])
def test_json_round_trip_and_schema(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    summary: SiteSummary = request.getfixturevalue(which)
    jsonschema.Draft202012Validator.check_schema(SUMMARY_SCHEMA)
    data = json.loads(summary.to_json())
    jsonschema.validate(data, SUMMARY_SCHEMA)
    assert SiteSummary.from_dict(data).to_dict() == summary.to_dict()
    path = tmp_path / "site.json"
    summary.write(path)
    assert SiteSummary.read(path).to_dict() == summary.to_dict()
    assert json.loads(path.read_text(encoding="utf-8")) == data


@pytest.mark.parametrize("which", ["exact", "safe"])
def test_parquet_round_trip(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed")
    summary: SiteSummary = request.getfixturevalue(which)
    path = tmp_path / "site.parquet"
    summary.write(path)
    assert SiteSummary.read(path).to_dict() == summary.to_dict()
    table = pq.read_table(path)
    assert table.column_names == ["attribute", "table", "group", "time", "kind", "count"]
    counts = table.column("count").to_numpy()
    assert int(counts[np.asarray(table.column("table")) == "outcome_all"].sum()) == (
        summary.n * len(summary.attributes)
    )
    other = tmp_path / "site.bin"
    summary.write(other, format="parquet")
    assert SiteSummary.read(other).to_dict() == summary.to_dict()


@settings(max_examples=20)
@given(site_cohort_columns(min_size=1), st.booleans())
def test_any_summary_survives_json_and_parquet(
    columns: dict[str, list[object]], suppress: bool
) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    import tempfile  # noqa: PLC0415  # hypothesis tests cannot take tmp_path

    cohort = ips.Cohort.from_columns(columns, observed_until=SITE_OBSERVED_UNTIL)
    try:
        summary = site_summary(cohort, site="A", suppress={"threshold": 2} if suppress else False)
    except InsufficientDataError:
        return
    with tempfile.TemporaryDirectory() as folder:
        for name in ("s.json", "s.parquet"):
            summary.write(Path(folder) / name)
            assert SiteSummary.read(Path(folder) / name).to_dict() == summary.to_dict()


def test_write_refuses_an_unknown_format(exact: SiteSummary, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="`format` must be 'json' or 'parquet'"):
        exact.write(tmp_path / "s.json", format="csv")  # type: ignore[arg-type]


def test_read_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("id,accessed\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="`path` must be a site summary in JSON or Parq"):
        SiteSummary.read(path)
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="site summary that is an object; got list in"):
        SiteSummary.read(path)


def test_read_refuses_a_parquet_file_of_something_else(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    import pyarrow.parquet as pq  # noqa: PLC0415  # after the skip

    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1]}), path)
    with pytest.raises(InvalidInputError, match="a Parquet file without its header or columns"):
        SiteSummary.read(path)


def test_read_refuses_a_parquet_file_whose_counts_do_not_fit(
    exact: SiteSummary, tmp_path: Path
) -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    import pyarrow.parquet as pq  # noqa: PLC0415  # after the skip

    path = tmp_path / "site.parquet"
    exact.write(path)
    table = pq.read_table(path)
    broken = table.set_column(2, "group", pa.array([99] * table.num_rows, pa.int32()))
    pq.write_table(broken.replace_schema_metadata(table.schema.metadata), path)
    with pytest.raises(InvalidInputError, match="whose counts do not match its header"):
        SiteSummary.read(path)


# --------------------------------------------------------------------------------------
# malformed summaries
# --------------------------------------------------------------------------------------


def _broken(data: dict[str, Any], path: tuple[object, ...], value: object) -> dict[str, Any]:
    out = copy.deepcopy(data)
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


ETHNICITY = ("attributes", "ethnicity")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("format",), "other", "whose `format` is 'ipsstats site summary'"),
        (("schema_version",), "0.1", r"whose `schema_version` is '1.0', the version"),
        (("site",), KeyError, "whose `site` is present; got no such key"),
        (("site",), " ", "whose `site` is a non-empty string"),
        (("study_end",), "27/02/2024", "whose `study_end` is a date written YYYY-MM-DD"),
        (("n",), -1, "whose `n` is a whole number >= 0"),
        (("n",), True, "whose `n` is a whole number >= 0"),
        (("window",), [], "whose `window` is an object"),
        (("disclosure", "applied"), True, "is true exactly when a threshold is given"),
        (("disclosure", "time_unit"), "week", "whose `disclosure.time_unit` is one of"),
        (("selection",), [1], "whose `selection` is a list of strings"),
        (("window", "min_followup_months"), -2, "`window.min_followup_months` is a whole"),
        ((*ETHNICITY, "levels"), "White", "`attributes.ethnicity.levels` is a list of labels"),
        ((*ETHNICITY, "levels"), [None], r"`attributes.ethnicity.levels.0` is a label"),
        ((*ETHNICITY, "levels"), ["a", "a"], "`attributes.ethnicity.levels` holds distinct"),
        ((*ETHNICITY, "groups"), {}, "`attributes.ethnicity.groups` is a list of lists"),
        ((*ETHNICITY, "outcome", "all", "job"), [1], r"outcome.all.job` holds 5 counts; got 1"),
        ((*ETHNICITY, "outcome", "all", "job"), 3, r"outcome.all.job` is a list of counts"),
        ((*ETHNICITY, "time_to_job", "kinds"), ["job"], r"time_to_job.kinds` is one of"),
        ((*ETHNICITY, "time_to_job", "tables"), [], r"time_to_job.tables` is a list of 5"),
        ((*ETHNICITY, "time_to_job", "tables", 0, "left"), [], "has the keys times"),
        ((*ETHNICITY, "time_to_job", "tables", 0, "times"), ["x"], r"times.0` is a finite"),
        ((*ETHNICITY, "time_to_job", "tables", 0, "times"), "x", "is a list of times"),
        ((*ETHNICITY, "time_to_job", "tables", 0, "times", 0), 1e9, "is strictly increasing"),
        ((*ETHNICITY, "outcome", "window", "job", 0), 99, "the window is part of everyone"),
        (("n",), 136, "count every person once per attribute"),
        ((*ETHNICITY, "withheld"), ["White"], "hold every level once"),
        ((*ETHNICITY, "time_to_job", "tables", 0, "job", 0), 0, "add up to the outcome table"),
        ((*ETHNICITY, "in_work_support", "groups", 0), ["Nowhere"], "unions of distinct outcome"),
        ((*ETHNICITY, "in_work_support", "groups"), [["Mixed"]], "is a list of 1 exit tables"),
    ],
)
def test_from_dict_names_what_is_wrong(
    exact: SiteSummary, path: tuple[object, ...], value: object, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        SiteSummary.from_dict(_broken(exact.to_dict(), path, value), argument="summary")


def test_from_dict_refuses_a_safe_summary_with_a_small_count(safe: SiteSummary) -> None:
    data = safe.to_dict()
    data["n_after_study_end"] = 2
    with pytest.raises(
        InvalidInputError, match="publishes no count from 1 to 4; got a count of 2"
    ):
        SiteSummary.from_dict(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"site": " "}, "`site` must be a non-empty name"),
        ({"n_window": 10_000}, "`n_window` must be at most `n`"),
        ({"latest_access": "2030-01-01"}, "`study_end` must lie between"),
        ({"time_unit": "week"}, "`time_unit` must be one of"),
        ({"threshold": 0}, "`threshold` must be a whole number >= 1"),
    ],
)
def test_site_summary_class_checks(
    exact: SiteSummary, change: dict[str, Any], message: str
) -> None:
    if "latest_access" in change:
        import datetime as dt  # noqa: PLC0415  # only here

        change = {"latest_access": dt.date(2030, 1, 1)}
    with pytest.raises(InvalidInputError, match=message):
        attrs.evolve(exact, **change)


def test_group_exits_checks() -> None:
    table = ExitTable.empty(KINDS["in_work_support"])
    with pytest.raises(InvalidInputError, match="`measure` must be one of"):
        GroupExits(measure="wait", kinds=("a",), groups=[], tables=[])
    with pytest.raises(InvalidInputError, match="`kinds` must be one of"):
        GroupExits(measure="in_work_support", kinds=("censored", "job"), groups=[], tables=[])
    with pytest.raises(InvalidInputError, match="`tables` must hold one exit table"):
        GroupExits(
            measure="in_work_support", kinds=KINDS["in_work_support"], groups=[], tables=[table]
        )


def test_attribute_summary_checks(exact: SiteSummary) -> None:
    attribute = exact.attributes["gender"]
    with pytest.raises(InvalidInputError, match="`outcome_all` must hold whole numbers >= 0"):
        attrs.evolve(attribute, outcome_all=attribute.outcome_all[:-1])
    ttj = attribute.time_to_job
    assert ttj is not None
    with pytest.raises(InvalidInputError, match="`in_work_support` must hold the exits of"):
        attrs.evolve(attribute, in_work_support=ttj)


# --------------------------------------------------------------------------------------
# disclosure control
# --------------------------------------------------------------------------------------


def _published(summary: SiteSummary) -> np.ndarray[Any, np.dtype[np.int64]]:
    parts = [np.array([summary.n, summary.n_window, summary.n_after_study_end or 0])]
    parts += [a.counts() for a in summary.attributes.values()]
    return np.concatenate(parts)


@settings(max_examples=40)
@given(site_cohort_columns(min_size=1, max_size=80), st.sampled_from([2, 3, 5]))
def test_no_published_count_is_below_the_threshold(
    columns: dict[str, list[object]], threshold: int
) -> None:
    cohort = ips.Cohort.from_columns(columns, observed_until=SITE_OBSERVED_UNTIL)
    exact = site_summary(cohort, site="A", min_followup_months=3)
    try:
        safe = site_summary(
            cohort, site="A", min_followup_months=3, suppress={"threshold": threshold}
        )
    except InsufficientDataError:
        refused = True
    else:
        refused = False
    cells = exact.attributes["gender"]
    outside = cells.outcome_all - cells.outcome_window
    site = np.concatenate([cells.outcome_window.sum(0), outside.sum(0)])
    # refused exactly when the site's own cells are small
    assert refused == bool(np.any((site > 0) & (site < threshold)))
    if refused:
        return
    flat = _published(safe)
    assert np.all((flat == 0) | (flat >= threshold))
    assert (safe.n, safe.n_window, safe.threshold) == (exact.n, exact.n_window, threshold)
    everyone = {
        "time_to_job": np.bincount(cohort.job_or_discharge().causes, minlength=3),
        "in_work_support": np.bincount(cohort.in_work_support().events.astype(int), minlength=2),
    }
    for name, attribute in safe.attributes.items():
        _check_safe_attribute(attribute, exact.attributes[name], threshold, everyone)


def _check_safe_attribute(
    safe: AttributeSummary,
    exact: AttributeSummary,
    t: int,
    site: dict[str, np.ndarray[Any, np.dtype[np.int64]]],
) -> None:
    def ok(values: np.ndarray[Any, Any]) -> bool:
        return bool(np.all((values == 0) | (values >= t)))

    # nested differences are safe too: everyone minus the window
    assert ok(safe.outcome_all - safe.outcome_window)
    # each published group's counts are the sums of its levels' exact counts
    row = {level: k for k, level in enumerate(exact.levels)}
    for k, group in enumerate(safe.groups):
        rows = [row[level] for level in group]
        assert safe.outcome_all[k].tolist() == exact.outcome_all[rows].sum(0).tolist()
        assert safe.outcome_window[k].tolist() == exact.outcome_window[rows].sum(0).tolist()
    # groups are runs of neighbouring levels, but for levels withheld
    withheld = {row[level] for level in safe.withheld}
    for group in safe.groups:
        positions = [row[level] for level in group]
        between = set(range(positions[0], positions[-1] + 1)) - set(positions)
        assert positions == sorted(positions)
        assert between <= withheld
    for measure in ("time_to_job", "in_work_support"):
        exits = getattr(safe, measure)
        if exits is None:
            continue
        # each band keeps its exits' average time, to the month: sum(count x time) is that
        # of the exact exits at their months' middles, kind by kind
        exact_exits = getattr(exact, measure)
        for group, table in zip(exits.groups, exits.tables, strict=True):
            levels = [(level,) for level in group]
            parts = [
                t_
                for g, t_ in zip(exact_exits.groups, exact_exits.tables, strict=True)
                if g in levels
            ]
            reference = sum(parts, ExitTable.empty(exact_exits.kinds))
            middles = (np.floor(reference.times / DAYS_PER_MONTH) + 0.5) * DAYS_PER_MONTH
            moments = middles @ reference.counts
            if exits.kinds != exact_exits.kinds:
                moments = np.array([moments[0] + moments[2], moments[1]])
            np.testing.assert_allclose(table.times @ table.counts, moments, rtol=1e-12)
        everyone = site[measure]
        if exits.kinds != KINDS[measure]:  # discharges counted as censored
            everyone = np.array([everyone[0] + everyone[2], everyone[1]])
        published = sum((t_.counts.sum(0) for t_ in exits.tables), np.zeros_like(everyone))
        # what the published durations leave out of the site's (not known, withheld) is safe
        # (unless nothing is published: then the site's own totals are not safe, and no
        # table of the site publishes them)
        assert ok(everyone - published) or not published.any()


def test_site_totals_too_small_are_refused() -> None:
    cohort = ips.Cohort.from_columns(
        {
            "accessed": ["2023-01-01"] * 6,
            "job_start": ["2023-02-01"] * 2 + [None] * 4,
            "group": ["a", "b"] * 3,
        },
        observed_until="2023-12-31",
    )
    with pytest.raises(InsufficientDataError, match="`suppress`: a safe summary needs every"):
        site_summary(cohort, site="A", suppress=True)
    assert site_summary(cohort, site="A", suppress={"threshold": 2}).threshold == 2


def test_discharges_are_censored_rather_than_groups_merged(safe: SiteSummary) -> None:
    ethnicity = safe.attributes["ethnicity"]
    assert ethnicity.time_to_job is not None
    assert ethnicity.time_to_job.kinds == ("censored", "job")
    assert not ethnicity.time_to_job.competing
    assert ethnicity.time_to_job.groups == ethnicity.groups
    gender = site_summary(
        synthetic_cohort().where("team", ["South"]),
        site="S",
        by=["gender"],
        suppress=True,
        study_end=STUDY_END,
    ).attributes["gender"]
    assert gender.time_to_job is not None
    assert gender.time_to_job.competing


# --------------------------------------------------------------------------------------
# arguments
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"site": ""}, "`site` must be a non-empty name"),
        ({"site": 3}, "`site` must be a non-empty name"),
        ({"by": ["age"]}, "`by` must name categorical attributes of the cohort; got 'age'"),
        ({"by": 3}, "`by` must be a sequence of attribute names"),
        ({"min_followup_months": -1}, "`min_followup_months` must be a whole number"),
        ({"study_end": "2030-01-01"}, "study_end"),
        ({"suppress": "yes"}, "`suppress` must be True, False or a mapping"),
        ({"suppress": {"round_to": 5}}, "`suppress` must have only the key 'threshold'"),
        ({"suppress": {"threshold": 1}}, "whole-number 'threshold' of at least 2"),
        ({"suppress": {"threshold": 2.5}}, "whole-number 'threshold' of at least 2"),
    ],
)
def test_site_summary_refuses_invalid_arguments(
    north: ips.Cohort, options: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"site": "North", **options}
    with pytest.raises(InvalidInputError, match=message):
        site_summary(north, **arguments)


def test_site_summary_refuses_what_is_not_a_cohort() -> None:
    with pytest.raises(InvalidInputError, match="`cohort` must be a Cohort; got dict"):
        site_summary({}, site="A")  # type: ignore[arg-type]


def test_a_frame_summarises_like_its_cohort(exact: SiteSummary, north: ips.Cohort) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    pytest.importorskip("narwhals", reason="narwhals is not installed")
    columns = north.to_columns()
    frame = pl.DataFrame({k: v.tolist() for k, v in columns.items()})
    cohort = ips.Cohort.from_frame(frame, observed_until=north.observed_until)
    by = ["ethnicity", "gender", "diagnosis"]
    from_frame = site_summary(cohort, site="North", study_end=STUDY_END, by=by)
    # the frame holds the North team only: no selection step, and `team` has one level
    assert from_frame.to_dict()["attributes"] == {
        k: v for k, v in exact.to_dict()["attributes"].items() if k in by
    }
