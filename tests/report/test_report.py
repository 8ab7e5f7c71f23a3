"""Tests of ipsstats.report: the one-call equity report, its renderings and its JSON schema.

The end-to-end reference is a cohort rebuilt record by record from the published counts of
Perkins et al. (2022), Tables 1-3 (six-month denominators as reconstructed in the dataset
notes), so that the report must reproduce the paper's chi-squared values.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Cohort, Counts, InvalidInputError
from ipsstats.report import REPORT_SCHEMA, REPORT_SCHEMA_VERSION, EquityReport, equity_report
from ipsstats.report import sections as sections_module
from ipsstats.report.render import Figure, Section
from tests.strategies import cohort_records

# what a report publishes for every suppressed count, whichever rule hid it
HIDDEN = "suppressed: a count below {threshold}, or a count that would reveal one"

ETHNICITY = ("White", "Asian/Asian British", "Black/Black British", "Mixed", "Other")
# Perkins et al. (2022): people and jobs by ethnicity, everyone and six-month subset.
PEOPLE_ALL = {"CNWL": (134, 77, 64, 38, 52), "WWT": (144, 114, 63, 21, 7)}
JOBS_ALL = {"CNWL": (47, 35, 23, 15, 21), "WWT": (46, 37, 18, 5, 1)}
PEOPLE_SIX = {"CNWL": (46, 20, 20, 15, 26), "WWT": (63, 33, 22, 9, 1)}
JOBS_SIX = {"CNWL": (18, 8, 6, 10, 13), "WWT": (29, 13, 10, 2, 0)}
MISSING = {"CNWL": (47, 12), "WWT": (18, 7)}  # ethnicity not known: everyone, six-month
CASELOAD: dict[str, dict[object, object]] = {
    "CNWL": {"White": 2774, "Asian/Asian British": 1158, "Black/Black British": 810,
             "Mixed": 936, "Other": 1335, "Not known": 1350},
    "WWT": {"White": 900, "Asian/Asian British": 805, "Black/Black British": 259,
            "Mixed": 61, "Other": 167, "Not known": 90},
}  # fmt: skip


def _records(service: str) -> list[dict[str, object]]:
    """One record per person, consistent with the paper's Tables 1-3."""
    out: list[dict[str, object]] = []

    def add(n: int, jobs: int, accessed: str, job_day: str, ethnicity: str | None) -> None:
        for k in range(n):
            out.append(
                {
                    "id": f"{service}-{len(out)}",
                    "accessed": accessed,
                    "job_start": job_day if k < jobs else None,
                    "ethnicity": ethnicity,
                    "service": service,
                }
            )

    for g, name in enumerate(ETHNICITY):
        six, late = PEOPLE_SIX[service][g], PEOPLE_ALL[service][g] - PEOPLE_SIX[service][g]
        jobs_six = JOBS_SIX[service][g]
        add(six, jobs_six, "2019-03-01", "2019-08-01", name)
        add(late, JOBS_ALL[service][g] - jobs_six, "2019-09-01", "2019-11-01", name)
    all_missing, six_missing = MISSING[service]
    add(six_missing, 0, "2019-03-01", "", None)
    add(all_missing - six_missing, 0, "2019-09-01", "", None)
    return out


def _cohort(service: str) -> Cohort:
    return Cohort.from_records(_records(service), observed_until="2019-12-31")


def _report(service: str, **options: Any) -> EquityReport:
    return equity_report(
        _cohort(service),
        eligible={"ethnicity": CASELOAD[service]},
        missing_labels=["Not known"],
        study_end="2019-12-31",
        by=["ethnicity"],
        **options,
    )


@pytest.fixture(scope="module")
def wwt() -> EquityReport:
    return _report("WWT")


# ---- a small JSON Schema validator (the subset REPORT_SCHEMA uses) ----------------------------

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: object, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def _errors(value: object, schema: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return _errors(value, root["$defs"][name], root, path)
    found: list[str] = []
    if "anyOf" in schema and all(_errors(value, s, root, path) for s in schema["anyOf"]):
        found.append(f"{path}: matches none of anyOf")
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            return [f"{path}: {value!r} is not {names}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: {value!r} != {schema['const']!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{path}: {value} < minimum")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{path}: {value} > maximum")
    if isinstance(value, dict):
        found += [f"{path}: missing {k!r}" for k in schema.get("required", ()) if k not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found += _errors(item, properties[key], root, f"{path}.{key}")
            elif extra is False:
                found.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                found += _errors(item, extra, root, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for k, item in enumerate(value):
            found += _errors(item, schema["items"], root, f"{path}[{k}]")
    return found


def _validate(document: object) -> list[str]:
    return _errors(document, REPORT_SCHEMA, REPORT_SCHEMA, "$")


# ---- the paper, end to end -------------------------------------------------------------------


def test_report_reproduces_the_paper_for_cnwl() -> None:
    out = _report("CNWL").to_dict()
    access = out["access"]["ethnicity"]
    assert round(access["test"]["statistic"], 2) == 22.05  # Table 2
    assert [g["ips_n"] for g in access["groups"]] == list(PEOPLE_ALL["CNWL"])
    reach = [round(100 * g["reach"]["value"], 1) for g in access["groups"]]
    assert reach == [4.8, 6.6, 7.9, 4.1, 3.9]
    outcome = out["outcome"]["ethnicity"]
    assert round(outcome["all"]["overall"]["asymptotic"]["statistic"], 2) == 2.50  # Table 3
    assert round(outcome["all"]["overall"]["asymptotic"]["pvalue"], 2) == 0.64
    # Table 3 prints 5.66 (truncated); the reconstructed counts give 5.667
    assert outcome["window"]["overall"]["asymptotic"]["statistic"] == pytest.approx(
        5.667, abs=5e-4
    )
    assert outcome["window"]["n"] == 127
    assert outcome["window"]["n_missing"] == 12
    assert outcome["all"]["n"] == 365
    assert not outcome["all"]["overall"]["small_expected"]


def test_report_flags_small_expected_counts_for_wwt(wwt: EquityReport) -> None:
    out = wwt.to_dict()
    assert round(out["access"]["ethnicity"]["test"]["statistic"], 2) == 34.22  # Table 2
    for window, chi2, p in (("all", 1.76, 0.78), ("window", 2.78, 0.59)):
        test = out["outcome"]["ethnicity"][window]["overall"]
        assert test["small_expected"] is True
        assert round(test["asymptotic"]["statistic"], 2) == chi2
        assert round(test["asymptotic"]["pvalue"], 2) == p
        assert test["exact"]["method"] == "fisher-freeman-halton"
    flagged = [s for s in wwt.summary if "expected counts below 5" in s]
    assert len(flagged) == 2
    assert all("exact P = " in s and "asymptotic P = " in s for s in flagged)
    assert "exact P = 0.85" in flagged[0]  # beside the published asymptotic 0.78
    assert "asymptotic P = 0.78" in flagged[0]


def test_summary_wording_is_neutral(wwt: EquityReport) -> None:
    text = " ".join(wwt.summary)
    assert "no evidence of a difference in the share gaining a job" in text
    assert "differed from that of the eligible caseload" in text  # Table 2: P < 0.01
    # "equal" only ever appears negated
    for sentence in wwt.summary:
        if re.search(r"\bequal", sentence):
            assert "does not show that" in sentence
    assert "Black/Black British" in text  # over-represented, as the paper found


# ---- JSON ------------------------------------------------------------------------------------


def test_json_round_trips_and_validates(wwt: EquityReport) -> None:
    text = wwt.to_json()
    loaded = json.loads(text)
    assert loaded == json.loads(json.dumps(wwt.to_dict()))
    assert _validate(loaded) == []
    assert loaded["schema_version"] == REPORT_SCHEMA_VERSION == REPORT_SCHEMA["schema_version"]
    assert loaded["inputs"]["rows_read"] == 367
    assert loaded["inputs"]["eligible"]["ethnicity"] == {"total": 2282, "n": 2192, "n_missing": 90}
    assert loaded["options"]["min_followup_months"] == 6
    assert "pearson" in loaded["methods"]
    assert "fisher-freeman-halton" in loaded["methods"]
    assert loaded["seeds"] == {"rng": 0}
    assert loaded["disclosure"]["applied"] is False
    assert loaded["disclosure"]["unsuppressed_included"] is True
    assert "NaN" not in text
    assert "Infinity" not in text


def test_json_validates_with_jsonschema(wwt: EquityReport) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator
    validator.check_schema(REPORT_SCHEMA)
    validator(REPORT_SCHEMA).validate(json.loads(wwt.to_json()))


@pytest.mark.parametrize(
    "options",
    [
        {"suppress": True},
        {"missing": "sensitivity"},
        {"missing": "include", "access_method": "subset"},
        {"access_method": "goodness-of-fit", "adjust": "none", "landmarks": (3,)},
    ],
)
def test_json_validates_for_every_option(options: dict[str, Any]) -> None:
    report = _report("CNWL", **options)
    loaded = json.loads(report.to_json(indent=None))
    assert _validate(loaded) == []
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(loaded)


def test_validator_rejects_broken_documents(wwt: EquityReport) -> None:
    good = json.loads(wwt.to_json())
    broken = dict(good, schema_version="0.0")
    assert any("schema_version" in e for e in _validate(broken))
    missing = {k: v for k, v in good.items() if k != "summary"}
    assert any("missing 'summary'" in e for e in _validate(missing))
    extra = dict(good, surprise=1)
    assert any("unexpected key 'surprise'" in e for e in _validate(extra))
    bad_p = json.loads(wwt.to_json())
    bad_p["access"]["ethnicity"]["test"]["pvalue"] = 2.0
    assert _validate(bad_p) != []


# ---- rendering and output safety -------------------------------------------------------------


def _hostile_cohort() -> Cohort:
    groups = ["<script>alert(1)</script>", "a|b", "=cmd()", "plain"]
    return Cohort.from_columns(
        {
            "accessed": ["2019-01-05"] * 40,
            "job_start": (["2019-03-01"] * 3 + [None] * 7) * 4,
            "group": [g for g in groups for _ in range(10)],
        },
        observed_until="2019-12-31",
    )


def test_html_escapes_labels_from_the_data() -> None:
    report = equity_report(
        _hostile_cohort(),
        study_end="2019-12-31",
        eligible={
            "group": {"<script>alert(1)</script>": 50, "a|b": 60, "=cmd()": 70, "plain": 80}
        },
    )
    html = report.to_html()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    markdown = report.to_markdown()
    assert "a\\|b" in markdown
    assert "| a|b |" not in markdown
    assert "<script>alert(1)</script>" in report.to_text()  # plain text shows it as text
    tables = report.to_csv()
    access = next(v for k, v in tables.items() if k.startswith("Access and reach"))
    assert "'=cmd()" in access
    assert "\n=cmd()" not in access.replace("\r\n", "\n")
    assert all(text.endswith("\r\n") for text in tables.values())


def test_text_markdown_html_hold_the_main_numbers(wwt: EquityReport) -> None:
    for rendered in (wwt.to_text(), wwt.to_markdown(), wwt.to_html()):
        assert "Access by ethnicity" in rendered
        assert "144 (41.3)" in rendered  # Table 2: WWT White
        assert "34.22" in rendered
        assert "Reach: 367 of 2282 eligible people used IPS (16.1%, 95% CI 14.6 to 17.6)" in (
            " ".join(rendered.split())
        )
        assert "expected counts below 5" in rendered
    assert str(wwt) == wwt.to_text()
    document = wwt.to_document()
    assert document.title == "IPS equity report"
    assert ("Report schema", REPORT_SCHEMA_VERSION) in document.metadata


# ---- disclosure control ----------------------------------------------------------------------


def test_suppression_protects_what_is_shown(wwt: EquityReport) -> None:
    safe = _report("WWT", suppress=True)
    plain, audit = wwt.to_dict(), safe.to_dict(include_unsuppressed=True)
    # statistics are computed on the unsuppressed data: the audit copy holds them all
    for key in ("access", "outcome", "durations", "inputs", "completeness"):
        assert audit[key] == plain[key]
    assert audit["disclosure"]["applied"] is True
    assert audit["disclosure"]["unsuppressed_included"] is True
    assert "Not for publication" in audit["disclosure"]["note"]
    hidden = safe.to_dict()
    assert hidden["disclosure"]["applied"] is True
    assert hidden["disclosure"]["unsuppressed_included"] is False
    assert (hidden["disclosure"]["threshold"], hidden["disclosure"]["round_to"]) == (5, 5)
    text = safe.to_text()
    # WWT "Other": 7 IPS users of 349, shown rounded to 5 of 350 with the percentage of the
    # published counts (1.4, not 2.0 from the true counts, which would undo the rounding),
    # and 1 job (suppressed, with its percentage and rates)
    other = [line for line in text.splitlines() if line.startswith("Other")]
    assert "7 (2.0)" not in text
    assert "5 (2.0)" not in text
    assert "5 (1.4)" in other[0]
    assert any(re.search(r"\* \(\*\)\s+\*\s+\*\s+\*$", line) for line in other[1:])
    assert "144 (41.3)" not in text  # rounded to 145, of 350
    assert "145 (41.4)" in text
    assert "Disclosure control" in text
    checked = safe.disclosure_audit()
    assert checked is not None
    assert checked.n_suppressed > 0
    assert checked.n_recoverable == 0


def test_suppression_settings_are_configurable() -> None:
    safe = _report("WWT", suppress={"threshold": 8, "round_to": 1})
    assert safe.disclosure is not None
    assert (safe.disclosure.threshold, safe.disclosure.round_to) == (8, 1)
    text = safe.to_text()
    white = next(line for line in text.splitlines() if line.startswith("White"))
    assert "144 (" in white  # no rounding
    other = next(line for line in text.splitlines() if line.startswith("Other"))
    assert re.match(r"Other\s+\* \(\*\)", other)  # 7 < 8 is suppressed
    # without rounding, the linked tables need more suppression, and get it
    audit = safe.disclosure_audit()
    assert audit is not None
    assert audit.n_recoverable == 0
    # the report publishes one reason for every suppressed count; it knows which rule hid it
    protection = safe._protection
    assert protection is not None
    primary = [r for r in protection.suppressed.values() if r.startswith("primary")]
    assert audit.n_suppressed > len(primary) > 0
    assert {c.reason for c in audit.counts} == {HIDDEN.format(threshold=8)}


# ---- completeness and robustness -------------------------------------------------------------


def test_completeness_records_exclusions_and_missing_values() -> None:
    records = _records("WWT")
    records.append({"id": "bad", "accessed": "not a date", "ethnicity": "White", "service": "WWT"})
    records.append({"id": "late", "accessed": "2019-05-01", "job_start": "2019-04-01"})
    cohort = Cohort.from_records(records, observed_until="2019-12-31", errors="exclude")
    report = equity_report(cohort, study_end="2019-12-31", by="ethnicity")
    out = report.to_dict()
    assert out["inputs"]["rows_read"] == 369
    assert out["inputs"]["rows_excluded"] == 2
    assert sum(out["completeness"]["validation"]["counts"].values()) == 2
    assert out["completeness"]["missing_by_attribute"]["ethnicity"]["n_missing"] == 18
    assert out["access"] == {}
    assert "2 excluded on loading" in report.summary[0]
    assert _validate(out) == []


def test_window_leaving_no_one_is_a_caveat_not_a_crash() -> None:
    report = equity_report(
        _cohort("CNWL"), study_end="2019-12-31", min_followup_months=11, by=["ethnicity"]
    )
    assert report.outcome_window["ethnicity"] is None
    assert any(
        "at least 11 months' follow-up" in c and "leaves no one" in c
        for c in report.caveat_details
    )
    # the caveat a reader sees says the same in plain words
    assert (
        "job outcomes by ethnicity, at least 11 months' follow-up not computed: No one had "
        "the minimum follow-up; a shorter window or a later study end would include people."
    ) in report.caveats
    assert "`min_followup_months" not in report.to_text()
    assert "Analyses not run" in report.to_text()
    assert _validate(json.loads(report.to_json())) == []


def test_default_by_is_every_categorical_attribute() -> None:
    report = equity_report(_cohort("WWT"), study_end="2019-12-31")
    assert report.options["by"] == ["ethnicity", "service"]
    by_service = report.outcome_all["service"]
    assert by_service is not None
    assert by_service.overall is None  # one service: nothing to compare
    assert any("overall test not computed" in c for c in by_service.caveats)
    assert any("Job outcomes by service" in s and "could not be run" in s for s in report.summary)


def test_eligible_as_counts_named_after_the_attribute() -> None:
    counts = Counts.from_mapping(CASELOAD["WWT"], name="ethnicity", missing_labels=["Not known"])
    report = equity_report(_cohort("WWT"), study_end="2019-12-31", by="ethnicity", eligible=counts)
    assert math.isclose(report.access["ethnicity"].test.statistic, 34.2242, abs_tol=1e-4)


# ---- bad input ---------------------------------------------------------------------------------


def test_bad_inputs() -> None:
    cohort = _cohort("WWT")
    end = "2019-12-31"
    with pytest.raises(InvalidInputError, match=r"`by` must name categorical.*'ethnicity'"):
        equity_report(cohort, study_end=end, by=["gender"])
    with pytest.raises(InvalidInputError, match="`by` must be a non-empty sequence"):
        equity_report(cohort, study_end=end, by=[])
    with pytest.raises(InvalidInputError, match=r"`eligible` must have keys among .*\['age'\]"):
        equity_report(cohort, study_end=end, by=["ethnicity"], eligible={"age": {"a": 1}})
    with pytest.raises(
        InvalidInputError,
        match=r"`eligible` must give a count for every ethnicity group of the cohort; got no "
        r"count in `eligible\['ethnicity'\]` for \['Asian/Asian British', .*\]\. Hint: the "
        r"eligible caseload has the groups \['White', 'x'\]",
    ):
        equity_report(
            cohort, study_end=end, by="ethnicity", eligible={"ethnicity": {"White": 9, "x": 5}}
        )
    with pytest.raises(InvalidInputError, match="`eligible` must be named after"):
        equity_report(cohort, study_end=end, eligible=Counts.from_mapping({"a": 1}, name="x"))
    with pytest.raises(InvalidInputError, match="`eligible` must be None, Counts or a mapping"):
        equity_report(cohort, study_end=end, eligible=[1, 2])
    with pytest.raises(InvalidInputError, match="`suppress` must be True, False or a mapping"):
        equity_report(cohort, study_end=end, suppress="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`suppress` must have only the keys"):
        equity_report(cohort, study_end=end, suppress={"limit": 5})
    with pytest.raises(InvalidInputError, match="`suppress` must have a positive integer"):
        equity_report(cohort, study_end=end, suppress={"threshold": 0})
    with pytest.raises(InvalidInputError, match="`min_followup_months` must be a whole"):
        equity_report(cohort, study_end=end, min_followup_months=-2)
    with pytest.raises(InvalidInputError, match="`cohort` must be a Cohort"):
        equity_report([], study_end=end)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError,
        match=r"`study_end` must be on or before the extraction date observed_until "
        r"\(2019-12-31\); got 2020-06-30",
    ):
        equity_report(cohort, study_end="2020-06-30", by="ethnicity")
    with pytest.raises(InvalidInputError, match="`adjust`"):
        equity_report(cohort, study_end=end, adjust="sidak")  # type: ignore[arg-type]
    no_factor = Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until="2019-12-31")
    with pytest.raises(InvalidInputError, match="`cohort` must have at least one categorical"):
        equity_report(no_factor, study_end=end)


def test_caseload_group_without_ips_users_counts_zero() -> None:
    records = [r for r in _records("WWT") if r["ethnicity"] != "Other"]
    cohort = Cohort.from_records(records, observed_until="2019-12-31")
    report = equity_report(
        cohort,
        eligible={"ethnicity": CASELOAD["WWT"]},
        missing_labels=["Not known"],
        study_end="2019-12-31",
        by="ethnicity",
    )
    access = report.access["ethnicity"]
    assert [g.group for g in access.groups] == list(ETHNICITY)  # the caseload's order
    other = access.groups[-1]
    assert (other.ips_n, other.eligible_n) == (0, 167)
    assert other.reach is not None
    assert other.reach.value == 0.0
    assert other.adjusted_residual is not None
    assert other.adjusted_residual < -1.96
    assert access.ips_n == 342
    assert "| Other | 0 (0.0) | 167 (7.6) |" in report.to_markdown()


def test_report_is_immutable_and_has_a_short_repr(wwt: EquityReport) -> None:
    with pytest.raises(TypeError):
        wwt.options["adjust"] = "none"  # type: ignore[index]
    assert wwt.options["confidence_level"] == 0.95
    text = repr(wwt)
    assert text.startswith("EquityReport(title='IPS equity report', people=367")
    assert len(text) < 300


# ---- disclosure control of the JSON form -----------------------------------------------------

# Fields of the JSON form that hold a count of people or records, and mappings of counts.
_COUNT_KEYS = frozenset(
    {
        "n",
        "jobs",
        "ips_n",
        "eligible_n",
        "n_events",
        "n_missing",
        "ips_missing",
        "eligible_missing",
        "n_excluded",
        "n_window_excluded",
        "rows_read",
        "rows_valid",
        "rows_excluded",
        "people",
        "total",
        "n_read",
        "n_valid",
        "n_before",
        "n_after",
    }
)
_COUNT_MAPS = frozenset({"exclusions", "counts"})
# Fields that hold tables of counts (or values they can be recovered from), or records.
_TABLE_KEYS = frozenset(
    {
        "observed",
        "expected",
        "residuals",
        "adjusted_residuals",
        "contributions",
        "observed_share",
        "reference_share",
        "n_subjects",
        "variance",
        "score",
        "issues",
    }
)


def _count_fields(tree: object, path: str = "$") -> list[tuple[str, object, str | None]]:
    """Every count in a JSON tree: (path, value, reason recorded when it is null)."""
    found: list[tuple[str, object, str | None]] = []
    if isinstance(tree, list):
        for k, item in enumerate(tree):
            found += _count_fields(item, f"{path}[{k}]")
    if not isinstance(tree, dict):
        return found
    reasons = tree.get("suppressed", {})
    for key, value in tree.items():
        if key in _COUNT_KEYS and not isinstance(value, (dict, list)):
            found.append((f"{path}.{key}", value, reasons.get(key)))
        elif key in _COUNT_MAPS and isinstance(value, dict):
            found += [
                (f"{path}.{key}.{label}", n, reasons.get(f"{key}.{label}"))
                for label, n in value.items()
            ]
        elif key != "suppressed":
            found += _count_fields(value, f"{path}.{key}")
    return found


def _keys(tree: object) -> set[str]:
    if isinstance(tree, list):
        return set().union(*(_keys(item) for item in tree)) if tree else set()
    if isinstance(tree, dict):
        return set(tree).union(*(_keys(v) for k, v in tree.items() if k != "suppressed"))
    return set()


def _values(tree: object, key: str) -> list[object]:
    if isinstance(tree, list):
        return [v for item in tree for v in _values(item, key)]
    if isinstance(tree, dict):
        here = [tree[key]] if key in tree else []
        inner = (item for k, item in tree.items() if k != "suppressed")
        return here + [v for item in inner for v in _values(item, key)]
    return []


@pytest.mark.parametrize("service", ["WWT", "CNWL"])
@pytest.mark.parametrize(
    "suppress",
    [True, {"threshold": 8, "round_to": 1}, {"threshold": 10, "round_to": 10}],
)
def test_suppressed_json_holds_no_small_count(service: str, suppress: Any) -> None:
    report = _report(service, suppress=suppress, missing="sensitivity")
    assert report.disclosure is not None
    threshold, round_to = report.disclosure.threshold, report.disclosure.round_to
    audit = json.loads(report.to_json(include_unsuppressed=True))
    small = [v for _, v, _ in _count_fields(audit) if isinstance(v, int) and 0 < v < threshold]
    if service == "WWT" or threshold > 5:  # CNWL has no count below 5
        assert small, "the unsuppressed data must hold small counts for this test to bite"
    loaded = json.loads(report.to_json())
    counts = _count_fields(loaded)
    # nothing is dropped silently: a test's exclusions are the analysis' missing counts,
    # left out of the test with a reason
    kept = [c for c in _count_fields(audit) if ".exclusions." not in c[0]]
    assert len(counts) == len(kept)
    tests: list[Any] = [
        *_values(loaded, "test"),
        *_values(loaded, "result"),
        *_values(loaded, "logrank"),
    ]
    for test in tests:
        if test is not None:
            assert test["exclusions"] == {}
            assert test["n_excluded"] is None
            assert test["suppressed"]["exclusions"].startswith("omitted under disclosure")
    n_null = 0
    for path, value, reason in counts:
        if value is None:
            n_null += 1
            assert reason, f"{path} is suppressed without a reason"
            assert reason.startswith(("suppressed: a count below", "omitted")), (path, reason)
        else:
            assert isinstance(value, int), path
            assert value == 0 or value >= threshold, (path, value)
            assert value % round_to == 0, (path, value)
    assert n_null > 0
    assert not _keys(loaded) & _TABLE_KEYS
    assert set(_values(loaded, "min_expected")) == {None}
    assert all(details == {} for details in _values(loaded, "details"))
    assert _validate(loaded) == []
    assert _validate(audit) == []
    jsonschema = pytest.importorskip("jsonschema")
    for document in (loaded, audit):
        jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)


def test_suppressed_json_shows_counts_as_displayed(wwt: EquityReport) -> None:
    safe = _report("WWT", suppress=True)
    out = safe.to_dict()
    groups = {g["group"]: g for g in out["access"]["ethnicity"]["groups"]}
    assert groups["White"]["ips_n"] == 145  # 144 rounded, as in the text
    assert groups["Other"]["ips_n"] == 5  # 7 rounded
    # the share of the published counts (5 of 350), not of the true ones (7 of 349)
    assert groups["Other"]["ips_share"] == pytest.approx(5 / 350, rel=1e-12)
    assert out["access"]["ethnicity"]["ips_n"] == 350
    jobs = {g["group"]: g for g in out["outcome"]["ethnicity"]["all"]["groups"]}
    other = jobs["Other"]  # 1 job of 7
    assert other["jobs"] is None
    assert other["suppressed"]["jobs"] == HIDDEN.format(threshold=5)
    assert other["rate"] is None
    assert other["suppressed"]["rate"] == "withheld: derived from a suppressed count"
    assert jobs["White"]["rate"] is not None
    # the rate of the published counts, 45 of 145 (46 of 144 exactly)
    assert jobs["White"]["rate"]["value"] == pytest.approx(45 / 145, rel=1e-12)
    exact = wwt.to_dict()["outcome"]["ethnicity"]["all"]["groups"][4]["rate"]
    assert exact["value"] == pytest.approx(46 / 144, rel=1e-12)
    window = out["outcome"]["ethnicity"]["window"]["overall"]
    assert window["min_expected"] is None
    assert "smallest expected count" in window["suppressed"]["min_expected"]
    caveat = window["asymptotic"]["caveats"][0]
    assert "smallest expected count is *" in caveat
    assert "0.422" in wwt.outcome_window["ethnicity"].overall.asymptotic.caveats[0]  # type: ignore[union-attr]
    assert window["result"]["details"] == {}
    durations = {g["group"]: g for g in out["durations"]["ethnicity"]["time_to_job"]["groups"]}
    assert durations["Other"]["n_events"] is None
    assert durations["Other"]["median"] is None
    assert durations["Other"]["landmarks"] == []
    assert durations["White"]["median"] is not None
    assert durations["White"]["landmarks"] == []  # Kaplan-Meier shares are left out
    assert "withheld under disclosure" in durations["White"]["suppressed"]["landmarks"]
    assert "expected counts below 5;" in safe.to_text()  # no smallest value printed
    assert "(smallest" not in " ".join(safe.summary)


def test_suppression_covers_loading_exclusions_and_records() -> None:
    records = _records("WWT")
    records.append({"id": "bad", "accessed": "not a date", "ethnicity": "White", "service": "WWT"})
    records.append({"id": "late", "accessed": "2019-05-01", "job_start": "2019-04-01"})
    cohort = Cohort.from_records(records, observed_until="2019-12-31", errors="exclude")
    report = equity_report(cohort, study_end="2019-12-31", by="ethnicity", suppress=True)
    out = report.to_dict()
    assert out["inputs"]["rows_excluded"] is None
    assert out["inputs"]["suppressed"]["rows_excluded"] == HIDDEN.format(threshold=5)
    # read (369, shown 370) minus kept (367, shown 365) leaves 1 to 9 excluded: rounding
    # protects the 2, so kept can be shown
    assert out["inputs"]["rows_valid"] == 365
    assert out["inputs"]["rows_read"] == 370
    audit_of_counts = report.disclosure_audit()
    assert audit_of_counts is not None
    assert audit_of_counts.n_recoverable == 0
    excluded = next(c for c in audit_of_counts.counts if c.name == "records / excluded")
    # at least 1 under each of the two reasons shown as *; which rule hid a count is not
    # published, so a reader cannot cap it at 4 (the primary rule's "below 5")
    assert excluded.low == 2
    assert excluded.high is None or excluded.high > 4
    validation = out["completeness"]["validation"]
    assert "issues" not in validation
    assert "record-level" in validation["suppressed"]["issues"]
    assert all(v is None for v in validation["counts"].values())
    assert report.summary[0].startswith("370 records read, * excluded on loading (")
    assert "2 excluded" not in report.to_text()
    audit = report.to_dict(include_unsuppressed=True)
    assert audit["inputs"]["rows_excluded"] == 2
    assert len(audit["completeness"]["validation"]["issues"]) == 2
    assert _validate(out) == []
    assert _validate(audit) == []


def test_ratios_against_a_suppressed_reference_are_withheld() -> None:
    # The reference (the largest group, "a") has 3 jobs: suppressed, so every ratio and
    # difference against it would reveal its rate. The other groups' jobs stay shown:
    # rounding leaves the 3 between 0 and 4 whatever the totals say.
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-05"] * 70,
            "job_start": ["2019-03-01"] * 3
            + [None] * 27
            + (["2019-03-01"] * 10 + [None] * 10) * 2,
            "group": ["a"] * 30 + ["b"] * 20 + ["c"] * 20,
        },
        observed_until="2019-12-31",
    )
    report = equity_report(cohort, study_end="2019-12-31", by="group", suppress=True)
    groups = report.to_dict()["outcome"]["group"]["all"]["groups"]
    assert groups[0]["jobs"] is None
    assert groups[0]["rate"] is None
    for row in groups[1:]:
        assert row["jobs"] == 10
        assert row["rate"] is not None
        assert row["rate_ratio"] is None
        assert row["rate_difference"] is None
        assert row["suppressed"]["rate_ratio"] == (
            "withheld: the reference group's counts are suppressed"
        )
    text = report.to_text().splitlines()
    lines = [line for line in text if line.startswith(("b ", "c ")) and "10 (50.0)" in line]
    # everyone only: the six-month window leaves nobody out, so it is not repeated
    assert len(lines) == 2
    assert "are those above and are not repeated" in report.to_text()
    assert all(re.search(r"10 \(50\.0\).*\*\s+\*$", line) for line in lines)
    plain = equity_report(cohort, study_end="2019-12-31", by="group").to_dict()
    assert plain["outcome"]["group"]["all"]["groups"][1]["rate_ratio"]["value"] == (
        pytest.approx((10 / 20) / (3 / 30), rel=1e-12)
    )


def test_json_options_are_checked(wwt: EquityReport) -> None:
    with pytest.raises(InvalidInputError, match="`include_unsuppressed` must be True or False"):
        wwt.to_dict(include_unsuppressed="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`figures` must be True or False"):
        wwt.to_html(figures=1)  # type: ignore[arg-type]
    # without disclosure control both forms are the same
    assert wwt.to_dict(include_unsuppressed=True) == wwt.to_dict()


# ---- figures -----------------------------------------------------------------------------------


def _small_report(**options: Any) -> EquityReport:
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-10", "2019-02-01", "2019-03-05", "2019-04-01"] * 6,
            "job_start": ["2019-04-01", None, "2019-06-01", "2019-05-01"] * 6,
            "discharged": [None, "2019-05-01", "2019-10-01", None] * 6,
            "group": ["a", "a", "b", "b"] * 6,
        },
        observed_until="2019-12-31",
    )
    return equity_report(
        cohort, study_end="2019-12-31", eligible={"group": {"a": 60, "b": 90}}, **options
    )


def _figures(report: EquityReport) -> list[Figure]:
    def walk(blocks: Any) -> list[Figure]:
        found: list[Figure] = []
        for block in blocks:
            if isinstance(block, Figure):
                found.append(block)
            elif isinstance(block, Section):
                found += walk(block.blocks)
        return found

    return walk(report.to_document(figures=True).blocks)


# representation; forest plot of everyone (the window leaves nobody out, so it is not
# repeated); Kaplan-Meier of time to job, cumulative incidence of a job, Kaplan-Meier of
# in-work support
_N_FIGURES = 5


def test_html_embeds_every_figure_as_svg() -> None:
    pytest.importorskip("matplotlib")
    report = _small_report()
    figures = _figures(report)
    assert len(figures) == _N_FIGURES
    assert all(f.svg is not None and f.unavailable_reason == "" for f in figures)
    captions = " ".join(f.caption for f in figures)
    for words in (
        "Share of IPS users beside share of the eligible caseload",
        "Job rate by group (everyone",
        "Kaplan-Meier estimate of the share not yet in work",
        "Cumulative incidence of a first job by group",
        "Kaplan-Meier estimate of the share still supported in work",
    ):
        assert words in captions
    page = report.to_html()
    assert page.count("<svg") == _N_FIGURES
    assert page.count("<figcaption>") == _N_FIGURES
    assert "<script" not in page.lower()
    assert "<svg" not in report.to_html(figures=False)
    # figures are built for HTML only: text, Markdown, CSV and JSON have none
    assert report.to_document().blocks == report.to_document(figures=False).blocks
    assert "Figure:" not in report.to_text()
    assert "Figure:" not in report.to_markdown()
    assert "svg" not in report.to_json()
    assert "svg" not in "".join(report.to_csv().values())


def test_figures_say_when_matplotlib_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    report = _small_report()
    figures = _figures(report)
    assert len(figures) == _N_FIGURES
    reason = 'matplotlib is not installed: pip install "ipsstats[plot]"'
    assert all(f.svg is None and f.unavailable_reason == reason for f in figures)
    page = report.to_html()
    assert "<svg" not in page
    assert page.count("Figure not available: matplotlib is not installed") == _N_FIGURES
    assert html.escape(reason, quote=True) in page


def test_figures_are_left_out_under_disclosure_control() -> None:
    report = _small_report(suppress=True)
    figures = _figures(report)
    assert len(figures) == _N_FIGURES
    for figure in figures:
        assert figure.svg is None
        assert figure.unavailable_reason.startswith("omitted under disclosure control")
    page = report.to_html()
    assert "<svg" not in page
    assert "Figure not available: omitted under disclosure control" in page


def test_a_figure_that_cannot_be_drawn_does_not_stop_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("matplotlib")

    def broken(*args: object, **kwargs: object) -> None:
        raise InvalidInputError("`result` must hold at least one group; got nothing.")

    monkeypatch.setattr(sections_module, "plot_outcomes", broken)
    figures = _figures(_small_report())
    failed = [f for f in figures if f.svg is None]
    assert len(failed) == 1
    # said for readers, without the library's wording
    assert [f.unavailable_reason for f in failed] == [
        "not drawn: The data were not sufficient for this analysis."
    ]


def test_suppression_covers_selection_steps() -> None:
    cohort = _cohort("WWT").accessed_between("2019-01-01", "2019-06-30")
    report = equity_report(cohort, study_end="2019-12-31", by="ethnicity", suppress=True)
    audit = report.to_dict(include_unsuppressed=True)["completeness"]["selection_steps"]
    steps = report.to_dict()["completeness"]["selection_steps"]
    assert len(steps) == len(audit) == 1
    step, raw = steps[0], audit[0]
    assert step["step"] == raw["step"]
    assert step["description"] == raw["description"]
    for key in ("n_before", "n_after", "n_excluded"):
        shown = step[key]
        assert shown is None or (shown % 5 == 0 and abs(shown - raw[key]) <= 2), key
    for rule, n in step["counts"].items():
        if n is None:
            assert step["suppressed"][f"counts.{rule}"] == HIDDEN.format(threshold=5)
        else:
            assert n == 0 or n >= 5  # a rule that excluded no one shows 0
            assert n % 5 == 0
    assert _validate(report.to_dict()) == []


# ---- one study end for every section -------------------------------------------------


def _events_by_section(report: EquityReport, name: str) -> dict[str, int]:
    """Jobs counted by each section of a report, among people whose group is known."""
    counts: dict[str, int] = {}
    outcome = report.outcome_all[name]
    if outcome is not None:
        counts["outcome"] = sum(g.jobs for g in outcome.groups)
    waiting = report.durations[name]["time_to_job"]
    if waiting is not None:
        counts["time to job"] = sum(g.n_events for g in waiting.groups)
    support = report.durations[name]["in_work_support"]
    if support is not None:
        counts["in-work support"] = sum(g.n for g in support.groups)
    return counts


def test_study_end_reproducer_counts_the_same_jobs_everywhere() -> None:
    # Jobs in September 2019 are after a study end of 30 June 2019: no section counts them.
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-10", "2019-02-01", "2019-03-05", "2019-04-01"] * 3,
            "job_start": ["2019-05-01", "2019-09-01", "2019-09-15", None] * 3,
            "group": ["a", "a", "b", "b"] * 3,
        },
        observed_until="2019-12-31",
    )
    report = equity_report(cohort, study_end="2019-06-30", by="group")
    assert _events_by_section(report, "group") == {
        "outcome": 3,
        "time to job": 3,
        "in-work support": 3,
    }
    waiting = report.durations["group"]["time_to_job"]
    assert waiting is not None
    assert waiting.study_end == dt.date(2019, 6, 30)
    outcome = report.outcome_all["group"]
    assert outcome is not None
    assert outcome.study_end == dt.date(2019, 6, 30)


@given(records=cohort_records(min_size=4, max_size=30, valid=True), day=st.integers(0, 546))
def test_every_section_of_a_report_counts_the_same_events(
    records: list[dict[str, object]], day: int
) -> None:
    cohort = Cohort.from_records(
        records, observed_until="2020-06-30", missing_labels=["Not known"]
    )
    end = dt.date(2019, 1, 1) + dt.timedelta(days=day)
    report = equity_report(cohort, study_end=end, by="ethnicity")
    at_end = cohort.with_study_end(end)
    known = at_end.attributes["ethnicity"].codes >= 0  # type: ignore[union-attr]
    jobs = int(np.count_nonzero(at_end.job_by().codes[known] == 0))
    counts = _events_by_section(report, "ethnicity")
    assert all(n == jobs for n in counts.values()), (counts, jobs)
    for section in (report.outcome_all["ethnicity"], report.durations["ethnicity"]["time_to_job"]):
        if section is not None:
            assert section.study_end == end
