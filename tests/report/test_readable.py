"""Tests of the report's reader-facing parts: headline, provenance, units, plain messages."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ipsstats import Cohort, InvalidInputError
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.report import EquityReport, equity_report
from ipsstats.report._plain import (  # no public route: messages no report can be made to give
    plain_caveat,
    plain_reason,
)
from ipsstats.report.render import BulletList, Section, Table
from ipsstats.report.sections import _interval  # no public route: hand-made one-sided estimates
from ipsstats.results import Estimate

JUDGEMENTS = {"red", "amber", "green", "not assessed", "for information"}


def _cohort(jobs_a: int, jobs_b: int, n: int = 40, *, late: int = 0) -> Cohort:
    """Two groups of `n` people; `jobs_*` of them found a job; `late` accessed late."""
    accessed = ["2019-01-10"] * (2 * n - late) + ["2019-10-01"] * late
    job = (
        ["2019-04-01"] * jobs_a
        + [None] * (n - jobs_a)
        + ["2019-05-01"] * jobs_b
        + [None] * (n - jobs_b)
    )
    job = [None if a == "2019-10-01" else j for a, j in zip(accessed, job, strict=True)]
    return Cohort.from_columns(
        {"accessed": accessed, "job_start": job, "group": ["a"] * n + ["b"] * n},
        observed_until="2019-12-31",
    )


def _report(cohort: Cohort, **options: Any) -> EquityReport:
    return equity_report(cohort, study_end="2019-12-31", **options)


def _items(report: EquityReport) -> dict[str, tuple[str, str]]:
    return {i.topic: (i.judgement, i.sentence) for i in report.headline}


# ---- headline -----------------------------------------------------------------------------


def test_headline_red_when_job_rates_differ_green_when_equal() -> None:
    differ = _items(_report(_cohort(30, 5)))
    same = _items(_report(_cohort(20, 20)))
    assert differ["Job outcomes"][0] == "red"
    assert same["Job outcomes"][0] == "green"
    # the numbers of the sentence: rates of each group and the test's P (scipy's Pearson)
    p_same = stats.chi2_contingency([[20, 20], [20, 20]], correction=False).pvalue
    assert p_same == pytest.approx(1.0, abs=1e-12)
    assert "ranged from 50.0% (a) to 50.0% (b)" in same["Job outcomes"][1]
    assert "P = 1.0" in same["Job outcomes"][1]
    assert "12.5% (b) to 75.0% (a)" in differ["Job outcomes"][1]


def test_headline_access_red_for_an_under_represented_group() -> None:
    # a: 40 of 100 eligible, b: 40 of 900 eligible: b uses IPS far less than its share
    report = _report(_cohort(20, 20), eligible={"group": {"a": 100, "b": 900}})
    judgement, sentence = _items(report)["Access"]
    assert judgement == "red"
    assert sentence.startswith("By group, b used IPS less than their share")
    # representation ratio of b: (40/80) / (900/1000), the Katz interval of the section
    assert "representation ratio 0.56" in sentence
    reach, words = _items(report)["Reach"]
    assert reach == "for information"
    # 80 of 1000, Wilson interval: R prop.test(80, 1000, correct = FALSE)$conf.int gives
    # 0.0647480380983639 0.0984664390295024
    assert (
        words == "8.0% of the eligible caseload used IPS (80 of 1000 people; 95% CI 6.5 to 9.8)."
    )


def test_headline_access_green_and_amber() -> None:
    green = _report(_cohort(20, 20), eligible={"group": {"a": 500, "b": 500}})
    assert _items(green)["Access"][0] == "green"
    # over-representation of a only is amber: the overall test is significant, yet no
    # group's ratio lies wholly below 1 under a caseload that is mostly "c" (not in the cohort)
    amber = _report(_cohort(20, 20), eligible={"group": {"a": 100, "b": 400, "c": 500}})
    items = _items(amber)
    assert items["Access"][0] in ("red", "amber")
    flags = {str(g.group): g.flag for g in amber.access["group"].groups}
    assert (items["Access"][0] == "red") == ("under" in flags.values())


def test_headline_not_assessed_without_caseload_or_analyses() -> None:
    items = _items(_report(_cohort(0, 0)))
    assert items["Reach"][0] == "not assessed"
    assert items["Access"][0] == "not assessed"
    # nobody had a job: no outcome test, no in-work support
    assert items["Job outcomes"][0] == "not assessed"
    assert items["In-work support"][0] == "not assessed"


def test_headline_under_disclosure_control_prints_only_published_counts() -> None:
    report = _report(_cohort(23, 7, n=43), eligible={"group": {"a": 103, "b": 907}}, suppress=True)
    sentences = " ".join(i.sentence for i in report.headline)
    counts = [int(x) for x in re.findall(r"(?<![\d.])(\d+) of (\d+) people", sentences)[0]]
    assert counts == [85, 1010]  # 86 and 1010, rounded to the nearest 5
    published = report.to_dict()
    assert published["headline"] == [i.to_dict() for i in report.headline]
    # the reach percentage is the share of the published counts
    assert f"{100 * 85 / 1010:.1f}%" in sentences
    # the audit sees the same counts (the headline publishes none of its own)
    audit = report.disclosure_audit()
    assert audit is not None
    assert audit.n_recoverable == 0


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 30), st.integers(0, 30))
def test_headline_outcome_judgement_follows_its_rule(jobs_a: int, jobs_b: int) -> None:
    report = _report(_cohort(jobs_a, jobs_b, n=30))
    judgement = _items(report)["Job outcomes"][0]
    assert judgement in JUDGEMENTS
    res = report.outcome_all["group"]
    if res is None or res.overall is None:
        assert judgement == "not assessed"
        return
    alpha = report.options["significance_level"]
    decisive = res.overall.adjusted_pvalue if len(res.tests) > 1 else res.overall.result.pvalue
    assert (judgement == "red") == (decisive < alpha)
    # swapping the groups' labels changes nothing but the names
    swapped = _items(_report(_cohort(jobs_b, jobs_a, n=30)))["Job outcomes"][0]
    assert swapped == judgement


# ---- provenance and options ---------------------------------------------------------------


def test_provenance_in_json_and_every_rendering() -> None:
    digest = "ab" * 32
    report = _report(_cohort(20, 10), service="North", source="extract.csv", source_sha256=digest)
    p = report.to_dict()["provenance"]
    assert p["service"] == "North"
    assert p["source"] == "extract.csv"
    assert p["source_sha256"] == digest
    assert p["study_end"] == "2019-12-31"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["generated_at"])
    for page in (report.to_text(), report.to_markdown(), report.to_html()):
        assert "North" in page
        assert "extract.csv" in page
        assert digest in page
        assert p["generated_at"] in page


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"service": ""}, r"`service` must be None or a non-empty string; got ''"),
        ({"service": 3}, r"`service` must be None or a non-empty string; got 3"),
        ({"source": ["a"]}, r"`source` must be None or a non-empty string"),
        ({"source_sha256": "abc"}, r"`source_sha256` must be None or a SHA-256 checksum"),
        ({"source_sha256": "g" * 64}, r"`source_sha256` must be None or a SHA-256 checksum"),
        ({"time_unit": "weeks"}, r"`time_unit` must be one of"),
    ],
)
def test_new_options_are_validated(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        _report(_cohort(20, 10), **options)


def test_time_unit_days_and_months_agree() -> None:
    cohort = _cohort(20, 10)
    months = _report(cohort).to_document()
    days = _report(cohort, time_unit="days").to_document()

    def durations(doc: Any) -> list[Table]:
        found = [b for b in doc.blocks if isinstance(b, Section) and b.title == "Durations"]
        parts = [s for s in found[0].blocks if isinstance(s, Section)]
        return [t for s in parts for t in s.blocks if isinstance(t, Table)]

    for in_months, in_days in zip(durations(months), durations(days), strict=True):
        assert "Median, months (CI)" in in_months.header
        assert "Median, days (CI)" in in_days.header
        assert any(h.endswith("at 183 days, % (CI)") for h in in_days.header)
        for row_m, row_d in zip(in_months.rows, in_days.rows, strict=True):
            m = re.match(r"[\d.]+", row_m[3])
            d = re.match(r"\d+", row_d[3])
            if m and d:
                # months to 1 decimal, days to whole days
                assert float(m.group()) == pytest.approx(int(d.group()) / DAYS_PER_MONTH, abs=0.06)


def test_json_keeps_durations_in_days_whatever_the_unit() -> None:
    cohort = _cohort(20, 10)
    a = _report(cohort).to_dict()["durations"]
    b = _report(cohort, time_unit="days").to_dict()["durations"]
    assert a == b


# ---- the six-month section ----------------------------------------------------------------


def test_window_section_only_when_it_leaves_someone_out() -> None:
    same = _report(_cohort(20, 10))
    differs = _report(_cohort(20, 10, late=6))
    assert same.outcome_window["group"] is not None
    same_text, differs_text = same.to_text(), differs.to_text()
    assert "Job outcomes by group: at least 6 months' follow-up" not in same_text
    assert "are those above and are not repeated" in same_text
    assert "Job outcomes by group: at least 6 months' follow-up" in differs_text
    assert "not repeated" not in differs_text
    # the summary says each finding once
    assert sum("Job outcomes by group" in s for s in same.summary) == 1
    assert sum("Job outcomes by group" in s for s in differs.summary) == 2
    # the JSON keeps both analyses
    assert same.to_dict()["outcome"]["group"]["window"] is not None


# ---- structure shared by the renderings ---------------------------------------------------


def test_document_starts_with_headline_then_contents_of_every_section() -> None:
    doc = _report(_cohort(20, 10), eligible={"group": {"a": 100, "b": 300}}).to_document()
    titles = [b.title for b in doc.blocks if isinstance(b, Section)]
    assert titles[:3] == ["Headline", "Contents", "About this report"]
    assert titles[-2:] == ["Glossary", "Reading the tables"]
    contents = doc.blocks[1]
    assert isinstance(contents, Section)
    listed = contents.blocks[0]
    assert isinstance(listed, BulletList)
    assert list(listed.items) == titles[2:]


def test_headline_is_in_every_rendering_and_the_csv() -> None:
    report = _report(_cohort(20, 10), eligible={"group": {"a": 100, "b": 300}})
    sentences = [i.sentence for i in report.headline]
    text = " ".join(report.to_text(width=10_000).split())
    markdown = report.to_markdown()
    page = report.to_html(figures=False)
    for sentence in sentences:
        assert sentence in text
        assert sentence.split(" (")[0].replace("&", "&amp;") in page
    for sentence in sentences:
        assert sentence.split(" (")[0] in markdown.replace("\\", "")
    csv = report.to_csv()
    assert "Headline" in csv
    assert csv["Headline"].splitlines()[0] == "Question,Judgement,Finding"


def test_json_headline_validates_and_is_stable() -> None:
    report = _report(_cohort(20, 10))
    data = json.loads(report.to_json())
    assert [h["topic"] for h in data["headline"]] == [
        "Reach",
        "Access",
        "Job outcomes",
        "Time to a first job",
        "In-work support",
    ]
    assert all(h["judgement"] in JUDGEMENTS for h in data["headline"])
    assert data["caveat_details"] == list(report.caveat_details)


# ---- plain messages and intervals ---------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "plain"),
    [
        (
            (
                "`table` must have at least two non-empty rows and two non-empty columns after "
                "exclusions; got 2 non-empty of 2 rows and 1 non-empty of 2 columns (empty rows: "
                "[]; empty columns: ['job'])."
            ),
            "Not enough people had a job to compare groups.",
        ),
        (
            "`table` must have ... (empty rows: []; empty columns: ['no job']).",
            "Everybody had a job, so job rates could not be compared.",
        ),
        (
            (
                "`table` must have at least two non-empty rows ...; got 1 non-empty of 3 rows and "
                "2 non-empty of 2 columns (empty rows: ['b', 'c']; empty columns: [])."
            ),
            "Fewer than two groups had anyone in them, so there were no groups to compare.",
        ),
        ("the window ... leaves no one: all 12 people", "No one had the minimum follow-up"),
        ("`by` = 'g': nobody in x has a known value", "Nobody had a known value"),
        ("`groups` must hold at least 2 groups with subjects", "Fewer than two groups had"),
        ("`events` must hold at least one event; got none", "Nobody had the event"),
        ("the groups never have subjects at risk together at", "The groups were never followed"),
        ("something else entirely", "The data were not sufficient for this analysis."),
    ],
)
def test_plain_reasons(message: str, plain: str) -> None:
    assert plain_reason(message).startswith(plain)
    assert "`" not in plain_reason(message)


def test_plain_caveat_keeps_what_and_rewrites_why() -> None:
    assert plain_caveat("x: not computed (the window leaves no one)") == (
        "x not computed: No one had the minimum follow-up; a shorter window or a later "
        "study end would include people."
    )
    assert plain_caveat("small expected counts") == "small expected counts"


def test_report_caveats_are_plain_and_details_technical() -> None:
    report = _report(_cohort(0, 0))
    page = report.to_html(figures=False)
    assert "empty columns" not in page
    assert "`table`" not in page
    assert "Not enough people had a job to compare groups." in page


def test_not_estimable_is_not_not_reached() -> None:
    undefined = Estimate(value=0.0, lower=None, upper=None, confidence_level=0.95, method="m")
    assert _interval(undefined) == "0.00 (CI not estimable)"
    one_sided = Estimate(value=1.5, lower=1.0, upper=None, confidence_level=0.95, method="m")
    assert _interval(one_sided) == "1.50 (1.00 to not estimable)"
    nothing = Estimate(
        value=None, lower=None, upper=None, confidence_level=0.95, method="m", note=""
    )
    assert _interval(nothing) == "not estimable"
    far = Estimate(
        value=None, lower=None, upper=None, confidence_level=0.95, method="m", note="not reached"
    )
    assert _interval(far) == "not reached"
    # a report whose group has no job: its rate ratio is not estimable, never "not reached"
    doc = _report(_cohort(0, 20)).to_document()
    outcomes = next(b for b in doc.blocks if isinstance(b, Section) and b.title == "Job outcomes")
    section = outcomes.blocks[0]
    assert isinstance(section, Section)
    table = section.blocks[0]
    assert isinstance(table, Table)
    cells = [cell for row in table.rows for cell in row]
    assert not any("not reached" in cell for cell in cells)
    assert any("not estimable" in cell for cell in cells)
    assert np.isfinite(DAYS_PER_MONTH)


def test_tests_are_named_for_readers_in_text_and_by_code_in_json() -> None:
    report = _report(_cohort(20, 10), eligible={"group": {"a": 100, "b": 300}})
    text = report.to_text()
    assert "Pearson's chi-squared test, P = " in text
    assert "log-rank test, statistic = " in text
    assert "(pearson," not in text
    assert "Comparison: IPS users against the eligible caseload (test of homogeneity)" in text
    assert "pearson" in report.to_dict()["methods"]
