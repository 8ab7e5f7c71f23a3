"""The report's indicator options: access standardised for strata, and the service funnel."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import numpy as np
import pytest
from scipy import stats

from ipsstats import (
    Cohort,
    EquityReport,
    InvalidInputError,
    age_band,
    equity_report,
    funnel,
    outcome_funnel,
    standardised_access,
    standardised_outcomes,
)
from ipsstats.datasets import synthetic_cohort
from ipsstats.report import REPORT_SCHEMA

STUDY_END = "2024-02-27"
STRATA = ("age_band", "gender")


@functools.cache
def _cohort() -> Cohort:
    return synthetic_cohort()


@functools.cache
def _caseload() -> dict[tuple[object, ...], int]:
    """The synthetic cohort's people by (ethnicity, age band, gender), 8 to 12 per person."""
    columns = _cohort().to_columns()
    bands = age_band(np.asarray(columns["age"], dtype=float))
    labels = np.array([*bands.levels, None], dtype=object)[bands.codes]
    cells: dict[tuple[object, ...], int] = {}
    for k, key in enumerate(zip(columns["ethnicity"], labels, columns["gender"], strict=True)):
        cells[key] = cells.get(key, 0) + 8 + k % 5
    return cells


def _report(**options: Any) -> EquityReport:
    settings: dict[str, Any] = {
        "eligible": {"ethnicity": _caseload()},
        "study_end": STUDY_END,
        "by": ["ethnicity", "gender"],
        "standardise": ("age", "gender"),
        "by_service": "team",
    }
    settings.update(options)
    return equity_report(_cohort(), **settings)


@functools.cache
def _plain() -> EquityReport:
    return _report()


@functools.cache
def _suppressed() -> EquityReport:
    return _report(suppress=True)


# ---- the numbers are those of the direct calls --------------------------------------------


def test_standardised_access_equals_the_direct_call() -> None:
    direct = standardised_access(
        _cohort().with_age_band(), "ethnicity", _caseload(), strata=STRATA
    )
    got = _plain().standardised_access["ethnicity"]
    assert [g.group for g in got.groups] == [g.group for g in direct.groups]
    for mine, theirs in zip(got.groups, direct.groups, strict=True):
        assert mine.observed == theirs.observed
        assert mine.expected == pytest.approx(theirs.expected, rel=1e-12)
        assert mine.ratio.value == pytest.approx(theirs.ratio.value, rel=1e-12)
        assert mine.ratio.lower == pytest.approx(theirs.ratio.lower, rel=1e-12)
        assert mine.ratio.upper == pytest.approx(theirs.ratio.upper, rel=1e-12)
    doc = _plain().to_dict()["standardised"]
    assert doc["strata"] == list(STRATA)
    for item, theirs in zip(doc["access"]["ethnicity"]["groups"], direct.groups, strict=True):
        assert item["ips_n"] == theirs.observed
        assert item["expected"] == pytest.approx(theirs.expected, rel=1e-12)
        assert item["ratio"]["value"] == pytest.approx(theirs.ratio.value, rel=1e-12)


def test_standardised_ratio_has_exact_poisson_limits() -> None:
    # the limits from the chi-squared quantiles (Breslow and Day, volume II, 2.10)
    for g in _plain().standardised_access["ethnicity"].groups:
        o, e = g.observed, g.expected
        low = stats.chi2.ppf(0.025, 2 * o) / 2 / e if o else 0.0
        high = stats.chi2.ppf(0.975, 2 * o + 2) / 2 / e
        assert g.ratio.lower == pytest.approx(low, rel=1e-9)  # scipy's ppf: 1e-9
        assert g.ratio.upper == pytest.approx(high, rel=1e-9)
    # the expected users add up to the observed ones (pooled reference rates)
    groups = _plain().standardised_access["ethnicity"].groups
    assert sum(g.expected for g in groups) == pytest.approx(sum(g.observed for g in groups))


def test_standardised_outcomes_equal_the_direct_call() -> None:
    direct = standardised_outcomes(_cohort().with_age_band(), "ethnicity", strata=STRATA)
    got = _plain().standardised_outcomes["ethnicity"]
    assert got is not None
    assert got.n == direct.n
    for mine, theirs in zip(got.indirect.groups, direct.indirect.groups, strict=True):
        assert mine.observed == theirs.observed
        assert mine.expected == pytest.approx(theirs.expected, rel=1e-12)
    for mine2, theirs2 in zip(got.comparison.groups, direct.comparison.groups, strict=True):
        if theirs2.risk_ratio is None:
            assert mine2.risk_ratio is None
        else:
            assert mine2.risk_ratio is not None
            assert mine2.risk_ratio.value == pytest.approx(theirs2.risk_ratio.value, rel=1e-12)
    # gender is a stratum: not standardised for itself
    assert "gender" not in _plain().standardised_outcomes


def test_funnel_equals_the_direct_call() -> None:
    cohort = _cohort().with_study_end(STUDY_END)
    direct = outcome_funnel(cohort, "team")
    got = _plain().service_funnel
    assert got is not None
    assert got.target == pytest.approx(direct.target, rel=1e-12)
    doc = _plain().to_dict()["service_funnel"]
    assert doc["confidence_levels"] == [0.95, 0.998]
    assert doc["overdispersion"] == "none"
    for item, unit in zip(doc["units"], direct.units, strict=True):
        assert item["unit"] == unit.label
        assert item["n"] == unit.denominator
        assert item["jobs"] == unit.numerator
        assert item["rate"] == pytest.approx(unit.value, rel=1e-12)
        assert item["lower"] == pytest.approx(list(unit.lower), rel=1e-12)
        assert item["flag"] == unit.flag


def test_funnel_overdispersion_option() -> None:
    report = _report(funnel_overdispersion="multiplicative", standardise=None, eligible=None)
    assert report.service_funnel is not None
    assert report.service_funnel.overdispersion == "multiplicative"
    assert report.to_dict()["options"]["funnel_overdispersion"] == "multiplicative"
    assert "over-dispersion (multiplicative)" in report.to_text()


# ---- under disclosure control: from the published numbers ---------------------------------


def test_suppressed_ratios_come_from_the_published_counts() -> None:
    doc = _suppressed().to_dict()["standardised"]["access"]["ethnicity"]
    for g in doc["groups"]:
        o, e = g["ips_n"], g["expected"]
        assert o % 5 == 0
        assert e % 5 == 0
        assert g["ratio"]["value"] == pytest.approx(o / e, rel=1e-12)
        assert g["ratio"]["upper"] == pytest.approx(
            stats.chi2.ppf(0.975, 2 * o + 2) / 2 / e, rel=1e-9
        )
        # the crude ratio: against the published overall rate
        rate = doc["ips_n"] / doc["eligible_n"]
        assert g["crude_ratio"]["value"] == pytest.approx(o / (g["eligible_n"] * rate), rel=1e-12)


def test_suppressed_funnel_comes_from_the_published_counts() -> None:
    doc = _suppressed().to_dict()["service_funnel"]
    target = doc["jobs"] / doc["n"]
    assert doc["target"] == pytest.approx(target, rel=1e-15)
    again = funnel(
        [u["jobs"] for u in doc["units"]],
        [u["n"] for u in doc["units"]],
        target=target,
        labels=[u["unit"] for u in doc["units"]],
    )
    for item, unit in zip(doc["units"], again.units, strict=True):
        assert item["rate"] == pytest.approx(item["jobs"] / item["n"], rel=1e-15)
        assert item["upper"] == pytest.approx(list(unit.upper), rel=1e-12)
        assert item["flag"] == unit.flag


def test_suppressed_report_withholds_mantel_haenszel_and_the_figure() -> None:
    report = _suppressed()
    outcomes = report.to_dict()["standardised"]["outcomes"]["ethnicity"]
    assert outcomes["comparison"] is None
    assert "Mantel-Haenszel" in outcomes["suppressed"]["comparison"]
    assert report.to_dict(include_unsuppressed=True)["standardised"]["outcomes"]["ethnicity"][
        "comparison"
    ]["groups"]
    page = report.to_html()
    assert "Funnel plot of the job rate by team" in page
    assert "omitted under disclosure control" in page


def test_suppressed_counts_are_the_same_in_every_table() -> None:
    report = _suppressed()
    doc = report.to_dict()
    exact = report.to_dict(include_unsuppressed=True)
    std = doc["standardised"]["access"]["ethnicity"]["groups"]
    std_exact = exact["standardised"]["access"]["ethnicity"]["groups"]
    crude = {g["group"]: g for g in doc["access"]["ethnicity"]["groups"]}
    crude_exact = {g["group"]: g for g in exact["access"]["ethnicity"]["groups"]}
    same = 0
    for shown, raw in zip(std, std_exact, strict=True):
        if raw["ips_n"] == crude_exact[raw["group"]]["ips_n"]:  # the same people
            assert shown["ips_n"] == crude[raw["group"]]["ips_n"]
            same += 1
    assert same >= 1
    audit = report.disclosure_audit()
    assert audit is not None
    assert audit.n_recoverable == 0
    # the new sections' counts are in the report's ledger, for the audit
    ledger = report._protection.ledger  # type: ignore[union-attr]
    named = {k[0] for k in (*ledger.values, *ledger.aliases)}
    assert {"std_access", "std_outcome", "funnel"} <= named


# ---- renderers ---------------------------------------------------------------------------


def test_every_renderer_shows_the_sections() -> None:
    report = _plain()
    for text in (report.to_text(), report.to_markdown(), report.to_html(figures=False)):
        assert "Access standardised for age and gender" in text
        assert "Job rates by team" in text
        assert "Standardised access ratio (95% CI)" in text
        assert "Age is standardised for in the bands" in text
    tables = report.to_csv()
    key = "Job rates by team / Job rate by team, with funnel limits around the overall rate"
    assert key in tables
    header = tables[key].splitlines()[0]
    assert header.startswith('team,"People, n","Gained a job, n","Job rate, %"')
    assert header.endswith('"99.8% lower limit, %","99.8% upper limit, %",Flag')
    first = tables[key].splitlines()[1].split(",")
    unit = _plain().service_funnel.units[0]  # type: ignore[union-attr]
    assert first[0] == unit.label
    assert float(first[4]) == pytest.approx(100 * unit.lower[0], abs=0.05)
    assert any(k.startswith("Access standardised for age and gender / Access by") for k in tables)
    assert json.loads(report.to_json())["service_funnel"]["by"] == "team"


def test_html_draws_the_funnel() -> None:
    pytest.importorskip("matplotlib")
    page = _plain().to_html()
    start = page.index("Funnel plot of the job rate by team")
    assert "<svg" in page[start - 20000 : start + 20000]


def test_json_follows_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for report in (_plain(), _suppressed(), _report(standardise=None, by_service=None)):
        jsonschema.validate(json.loads(report.to_json()), REPORT_SCHEMA)
    # the new fields are optional: a document without them (the 2.1 form) validates
    old = json.loads(_report(standardise=None, by_service=None).to_json())
    for key in ("standardised", "service_funnel"):
        del old[key]
    for key in ("standardise", "by_service", "funnel_overdispersion"):
        del old["options"][key]
    jsonschema.validate(old, REPORT_SCHEMA)


def test_without_the_options_the_fields_are_null() -> None:
    report = _report(standardise=None, by_service=None)
    doc = report.to_dict()
    assert doc["standardised"] is None
    assert doc["service_funnel"] is None
    assert doc["options"]["standardise"] is None
    assert doc["options"]["by_service"] is None
    assert "Access standardised" not in report.to_text()


def test_summary_names_the_flagged_groups_and_units() -> None:
    # ethnicity "A" reaches IPS far less than its age mix predicts; team "T2" finds jobs
    # for everyone
    n = 200
    ethnicity = ["A", "B"] * (n // 2)
    age = [30, 50] * (n // 2)
    team = ["T1", "T2", "T3", "T4"] * (n // 4)
    job = [None if (k % 4 != 1 and k % 3) else "2020-03-01" for k in range(n)]
    cohort = Cohort.from_columns(
        {"accessed": ["2020-01-01"] * n, "job_start": job, "ethnicity": ethnicity,
         "age": age, "team": team},
        observed_until="2020-12-31",
    )  # fmt: skip
    caseload = {("A", "26-40"): 2000, ("A", "41-55"): 2000, ("B", "26-40"): 200,
                ("B", "41-55"): 200}  # fmt: skip
    report = equity_report(
        cohort, eligible={"ethnicity": caseload}, standardise="age", by_service="team"
    )
    text = " ".join(report.summary)
    assert re.search(r"fewer IPS users than their age mix predicts in A\b", text)
    assert re.search(r"more IPS users than their age mix predicts in B\b", text)
    assert re.search(r"outside the funnel limits: .*\bT2 \(above\)", text)


def test_with_standardise_and_no_caseload_only_outcomes_are_standardised() -> None:
    report = _report(eligible=None)
    assert report.standardised_access == {}
    assert report.standardised_outcomes["ethnicity"] is not None
    assert "No eligible caseload by group and stratum was given" in report.to_text()


def test_an_existing_age_band_is_used_for_age() -> None:
    cohort = _cohort().with_age_band((30, 50))
    report = equity_report(
        cohort, study_end=STUDY_END, by=["ethnicity"], standardise=["age", "gender"]
    )
    res = report.standardised_outcomes["ethnicity"]
    assert res is not None
    assert res.strata_names == STRATA
    assert set(res.indirect.strata) >= {("<=30", "Female")}


# ---- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"standardise": 5}, r"`standardise` must be None or a non-empty sequence"),
        ({"standardise": []}, r"`standardise` must be None or a non-empty sequence"),
        ({"standardise": ["religion"]}, r"`standardise` must name categorical.*got 'religion'"),
        ({"standardise": ["gender", "gender"], "eligible": None},
         r"`standardise` must name each stratum once"),
        ({"by_service": "nosuch"}, r"`by_service` must name a categorical attribute.*'nosuch'"),
        ({"by_service": 3}, r"`by_service` must name a categorical attribute.*got 3"),
        ({"funnel_overdispersion": "huge"}, r"`funnel_overdispersion` must be one of"),
    ],
)  # fmt: skip
def test_invalid_options(options: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        _report(**options)


def test_unstratified_caseload_is_refused_naming_standardise() -> None:
    crude = {"White": 3000, "Mixed": 200, "Asian/Asian British": 500,
             "Black/Black British": 700, "Other": 400}  # fmt: skip
    with pytest.raises(
        InvalidInputError,
        match=r"`standardise` must come with the eligible caseload by group and stratum; got "
        r"unstratified caseload counts for 'ethnicity'\. Hint: key the counts",
    ):
        _report(eligible={"ethnicity": crude})
    # a stratum compared by itself may have crude counts
    report = _report(eligible={"ethnicity": _caseload(), "gender": {"Female": 3000, "Male": 3000}})
    assert "gender" in report.access
    assert "gender" not in report.standardised_access


def test_caseload_keys_must_match_the_strata() -> None:
    short = {(k[0], k[1]): n for k, n in _caseload().items()}
    with pytest.raises(
        InvalidInputError, match=r"`eligible` must key each count of 'ethnicity' by \(ethnicity, "
        r"age_band, gender\)"
    ):  # fmt: skip
        _report(eligible={"ethnicity": short})


def test_age_needs_a_numeric_age() -> None:
    cohort = Cohort.from_columns(
        {"accessed": ["2020-01-01"] * 4, "g": ["a", "b"] * 2}, observed_until="2020-12-31"
    )
    with pytest.raises(InvalidInputError, match=r"`standardise` must name categorical.*'age'"):
        equity_report(cohort, standardise="age")


def test_a_funnel_the_data_cannot_support_is_a_caveat() -> None:
    cohort = Cohort.from_columns(
        {"accessed": ["2020-01-01"] * 4, "team": ["a", "b"] * 2}, observed_until="2020-12-31"
    )
    report = equity_report(cohort, by_service="team")
    assert report.service_funnel is None
    assert any(c.startswith("job rates by team: not computed") for c in report.caveat_details)
    assert report.to_dict()["service_funnel"] is None
