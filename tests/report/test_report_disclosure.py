"""Disclosure control of whole reports: no suppressed count recoverable across its tables.

The checks read what a report publishes, its JSON form, with an auditor written here,
independently of the report's own ledger: every count of the JSON form becomes a variable
named by what it counts, the totals that tie them are written out from their definitions
(people analysed are the sum over the groups of each attribute and those whose value is
missing; the six-month window is part of everyone; ...), and every share must be a ratio of
published counts. :func:`ipsstats.audit_counts` then bounds each suppressed count.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import pathlib
import re
import xml.etree.ElementTree as ET
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsstats import Cohort, DisclosureAudit, EquityReport, audit_counts, cli, equity_report
from tests.strategies import report_inputs, report_option_inputs

STUDY_END = "2024-02-27"

# ---- the reproducer of the issue: 280 people, gender not known for 2 --------------------------

GENDER = {"Female": 150, "Male": 128, None: 2}
ETHNICITY = {"White": 161, "Asian/Asian British": 50, "Black/Black British": 40, "Mixed": 12,
             "Other": 17}  # fmt: skip
CASELOAD = {
    "gender": {"Female": 1702, "Male": 1598, "Not known": 61},
    "ethnicity": {"White": 2003, "Asian/Asian British": 498, "Black/Black British": 402,
                  "Mixed": 151, "Other": 229, "Not known": 118},
}  # fmt: skip


def _expand(counts: dict[Any, int]) -> list[Any]:
    return [level for level, n in counts.items() for _ in range(n)]


def _reproducer_columns() -> dict[str, list[object]]:
    """A cohort with the issue's counts: jobs, discharges and dates spread over a year."""
    gender = _expand(GENDER)
    ethnicity = _expand(ETHNICITY)
    ethnicity = ethnicity[1::2] + ethnicity[::2]  # not aligned with gender
    accessed: list[object] = []
    job: list[object] = []
    left: list[object] = []
    for k in range(len(gender)):
        start = dt.date(2022, 4, 1) + dt.timedelta(days=(k * 37) % 365)
        accessed.append(start.isoformat())
        found = k % 9 in (0, 2, 5, 7)
        job.append((start + dt.timedelta(days=30 + (k * 13) % 200)).isoformat() if found else None)
        leave = start + dt.timedelta(days=240 + (k * 29) % 300)  # after any job
        left.append(leave.isoformat() if k % 4 == 1 and leave.isoformat() < STUDY_END else None)
    return {
        "id": [f"P{k:03d}" for k in range(len(gender))],
        "accessed": accessed,
        "job_start": job,
        "discharged": left,
        "gender": gender,
        "ethnicity": ethnicity,
    }


def _reproducer(**options: Any) -> EquityReport:
    cohort = Cohort.from_columns(_reproducer_columns(), observed_until=STUDY_END)
    return equity_report(
        cohort,
        eligible=CASELOAD,
        study_end=STUDY_END,
        missing_labels=["Not known"],
        by=["gender", "ethnicity"],
        **options,
    )


# ---- an auditor of the JSON form ---------------------------------------------------------------


class _System:
    """What a reader of the JSON form knows: counts, their reasons, totals and shares."""

    def __init__(self, doc: dict[str, Any]) -> None:
        disclosure = doc["disclosure"]
        self.threshold = int(disclosure["threshold"])
        self.round_to = int(disclosure["round_to"])
        self.shown: dict[str, int] = {}
        self.suppressed: dict[str, str] = {}
        self.sums: list[tuple[str, list[str]]] = []
        self.shares: list[tuple[str, str, float, float]] = []
        self.conflicts: list[str] = []
        self.exact_shares: list[str] = []
        # counts whose zeros a report shows (records, people, missing values, steps)
        self.keep: set[str] = set()
        self._read(doc)

    # -- recording
    def put(self, name: str, obj: dict[str, Any], key: str, *, keep: bool = False) -> None:
        value = obj.get(key)
        if keep:
            self.keep.add(name)
        if value is None:
            reason = obj.get("suppressed", {}).get(key, "")
            if name in self.shown:
                self.conflicts.append(f"{name}: shown {self.shown[name]} and suppressed")
            self.suppressed.setdefault(name, reason)
            return
        if name in self.suppressed or self.shown.get(name, value) != value:
            self.conflicts.append(f"{name}: published as {value} and otherwise")
        self.shown[name] = int(value)
        if value == 0:
            self.keep.add(name)

    def total(self, whole: str, parts: list[str]) -> None:
        if parts:
            self.sums.append((whole, parts))

    def share(self, value: float | None, numerator: str, denominator: str) -> None:
        """A published share: a ratio of published counts adds nothing; else it is a clue."""
        if value is None:
            return
        top, bottom = self.shown.get(numerator), self.shown.get(denominator)
        if top is not None and bottom and math.isclose(value, top / bottom, rel_tol=1e-12):
            return
        self.exact_shares.append(f"{numerator}/{denominator} = {value!r}")
        self.shares.append((numerator, denominator, float(value), 1e-9))

    # -- reading
    def _read(self, doc: dict[str, Any]) -> None:
        inputs, completeness = doc["inputs"], doc["completeness"]
        for name, key in (
            ("read", "rows_read"),
            ("valid", "rows_valid"),
            ("excl", "rows_excluded"),
        ):
            self.put(name, inputs, key, keep=True)
        self.put("people", inputs, "people", keep=True)
        validation = completeness["validation"]
        for name, key in (("read", "n_read"), ("valid", "n_valid"), ("excl", "n_excluded")):
            self.put(name, validation, key, keep=True)
        self.total("read", ["valid", "excl"])
        reasons = validation.get("counts", {})
        for reason in reasons:
            self.put(f"reason {reason}", {**validation, **reasons, "suppressed": {
                k.removeprefix("counts."): v for k, v in validation.get("suppressed", {}).items()
            }}, reason, keep=True)  # fmt: skip
        self.total("excl", [f"reason {r}" for r in reasons])
        previous = "valid"
        for k, step in enumerate(completeness["selection_steps"]):
            before, after, excluded = (f"step {k} {w}" for w in ("before", "after", "excluded"))
            for name, key in ((before, "n_before"), (after, "n_after"), (excluded, "n_excluded")):
                self.put(name, step, key, keep=True)
            self.total(before, [previous])
            self.total(before, [after, excluded])
            rules = step.get("counts", {})
            mapped = {
                k2.removeprefix("counts."): v for k2, v in step.get("suppressed", {}).items()
            }
            for rule in rules:
                self.put(f"step {k} rule {rule}", {**rules, "suppressed": mapped}, rule, keep=True)
            self.total(excluded, [f"step {k} rule {r}" for r in rules])
            previous = after
        self.total("people", [previous])
        by = doc["options"]["by"]
        for attr, record in completeness["missing_by_attribute"].items():
            self.put(f"missing {attr}", record, "n_missing", keep=True)
            self.total("people", [f"known {attr}", f"missing {attr}"])
            self.share(record["share"], f"missing {attr}", "people")
        for attr, sizes in inputs["eligible"].items():
            for name, key in (("elig total", "total"), ("elig known", "n")):
                self.put(f"{name} {attr}", sizes, key)
            self.put(f"elig missing {attr}", sizes, "n_missing", keep=True)
            self.total(f"elig total {attr}", [f"elig known {attr}", f"elig missing {attr}"])
        for attr, res in doc["access"].items():
            self._access(attr, res, doc["options"]["access_method"])
        for attr in by:
            self._outcome(attr, doc["outcome"][attr]["all"], doc["outcome"][attr]["window"])
            self._durations(attr, doc["durations"][attr])
        if doc.get("standardised") is not None:
            self._standardised(doc["standardised"])
        if doc.get("service_funnel") is not None:
            self._funnel(doc["service_funnel"])

    def _standardised(self, doc: dict[str, Any]) -> None:
        """Standardised sections: parts of the groups (people with strata known)."""
        for attr, res in doc["access"].items():
            users, people = [], []
            for g in res["groups"]:
                label = g["group"]
                a, e = f"std users {attr} {label}", f"std eligible {attr} {label}"
                self.put(a, g, "ips_n")
                self.put(e, g, "eligible_n")
                self.put(f"std expected users {attr} {label}", g, "expected")
                self.total(f"group {attr} {label}", [a, f"std outside users {attr} {label}"])
                self.total(f"elig {attr} {label}", [e, f"std outside elig {attr} {label}"])
                users.append(a)
                people.append(e)
            self.put(f"std users {attr}", res, "ips_n")
            self.put(f"std eligible {attr}", res, "eligible_n")
            self.total(f"std users {attr}", users)
            self.total(f"std eligible {attr}", people)
            self.total(f"known {attr}", [f"std users {attr}", f"std outside users {attr}"])
            self.total(f"elig known {attr}", [f"std eligible {attr}", f"std outside elig {attr}"])
        for attr, res in doc["outcomes"].items():
            if res is None:
                continue
            ns, jobs = [], []
            for g in res["groups"]:
                label = g["group"]
                n, j = f"std people {attr} {label}", f"std jobs {attr} {label}"
                self.put(n, g, "n")
                self.put(j, g, "jobs")
                self.put(f"std expected jobs {attr} {label}", g, "expected")
                self.total(n, [j, f"std no job {attr} {label}"])
                for what, part in (
                    ("group", n),
                    ("jobs", j),
                    ("no job", f"std no job {attr} {label}"),
                ):
                    self.total(
                        f"{what} {attr} {label}", [part, f"std outside {what} {attr} {label}"]
                    )
                ns.append(n)
                jobs.append(j)
            self.put(f"std people {attr}", res, "n")
            self.put(f"std jobs {attr}", res, "jobs")
            self.total(f"std people {attr}", ns)
            self.total(f"std jobs {attr}", jobs)
            self.total(f"known {attr}", [f"std people {attr}", f"std outside people {attr}"])

    def _funnel(self, doc: dict[str, Any]) -> None:
        """The services' funnel: the job outcomes of everyone by the service attribute."""
        attr = doc["by"]
        ns, jobs = [], []
        for u in doc["units"]:
            n, j = f"group {attr} {u['unit']}", f"jobs {attr} {u['unit']}"
            self.put(n, u, "n")
            self.put(j, u, "jobs")
            self.total(n, [j, f"no job {attr} {u['unit']}"])
            self.share(u["rate"], j, n)
            ns.append(n)
            jobs.append(j)
        self.put(f"known {attr}", doc, "n")
        self.put(f"funnel jobs {attr}", doc, "jobs")
        self.total(f"known {attr}", ns)
        self.total(f"funnel jobs {attr}", jobs)
        self.share(doc["target"], f"funnel jobs {attr}", f"known {attr}")

    def _access(self, attr: str, res: dict[str, Any], method: str) -> None:
        include = res["missing"] == "include"
        ips_total = "people" if include else f"known {attr}"
        elig_total = f"elig total {attr}" if include else f"elig known {attr}"
        groups, elig = [], []
        for k, g in enumerate(res["groups"]):
            missing = include and k == len(res["groups"]) - 1
            a = f"missing {attr}" if missing else f"group {attr} {g['group']}"
            e = f"elig missing {attr}" if missing else f"elig {attr} {g['group']}"
            self.put(a, g, "ips_n")
            self.put(e, g, "eligible_n")
            groups.append(a)
            elig.append(e)
        self.put(ips_total, res, "ips_n")
        self.put(elig_total, res, "eligible_n")
        self.total(ips_total, groups)
        self.total(elig_total, elig)
        for g, a, e in zip(res["groups"], groups, elig, strict=True):
            self.share(g["ips_share"], a, ips_total)
            self.share(g["eligible_share"], e, elig_total)
            if g["reach"] is not None:
                self.share(g["reach"]["value"], a, e)
        self.put(f"missing {attr}", res, "ips_missing", keep=True)
        self.put(f"elig missing {attr}", res, "eligible_missing", keep=True)
        self.share(res["ips_missing_share"], f"missing {attr}", "people")
        self.share(res["eligible_missing_share"], f"elig missing {attr}", f"elig total {attr}")
        for key, numerator, denominator in (
            ("overall_reach", "people", f"elig total {attr}"),
            ("missing_reach", f"missing {attr}", f"elig missing {attr}"),
        ):
            if res[key] is not None:
                self.share(res[key]["value"], numerator, denominator)
        test = f"access test {attr} {'include' if include else 'main'}"
        self.put(test, res["test"], "n")
        self.total(test, {"homogeneity": [ips_total, elig_total], "subset": [elig_total]}.get(
            method, [ips_total]))  # fmt: skip
        if res.get("sensitivity") is not None:
            self._access(attr, res["sensitivity"], method)

    def _outcome(self, attr: str, every: dict[str, Any] | None, window: dict[str, Any]) -> None:
        for res, w in ((every, ""), (window, "window ")):
            if res is None:
                continue
            names = []
            for g in res["groups"]:
                n, j = f"{w}group {attr} {g['group']}", f"{w}jobs {attr} {g['group']}"
                self.put(n, g, "n")
                self.put(j, g, "jobs")
                self.total(n, [j, f"{w}no job {attr} {g['group']}"])
                if g["rate"] is not None:
                    self.share(g["rate"]["value"], j, n)
                if w:
                    for what in ("group", "jobs", "no job"):
                        whole = f"{what} {attr} {g['group']}"
                        self.total(whole, [f"window {whole}", f"outside {whole}"])
                    self.total(
                        f"outside group {attr} {g['group']}",
                        [
                            f"outside jobs {attr} {g['group']}",
                            f"outside no job {attr} {g['group']}",
                        ],
                    )
                names.append(n)
            total = f"known {attr}" if not w else f"window known {attr}"
            missing = f"missing {attr}" if not w else f"window missing {attr}"
            self.put(total, res, "n")
            self.put(missing, res, "n_missing", keep=True)
            self.total(total, names)
            excluded = "excluded at the study end" if not w else "window excluded"
            self.put(excluded, res, "n_window_excluded", keep=True)
            if w:
                self.total("window people", [total, missing])
                self.total("people", ["window people", excluded])
                self.total(f"missing {attr}", [missing, f"outside missing {attr}"])
            for test in [res["overall"]] if res["overall"] is not None else []:
                for part in ("result", "asymptotic", "exact"):
                    if test[part] is not None:
                        self.put(total, test[part], "n")

    def _durations(self, attr: str, durations: dict[str, Any]) -> None:
        for measure, res in durations.items():
            if res is None:
                continue
            first = measure == "time_to_job"
            names, events = [], []
            for g in res["groups"]:
                label = g["group"]
                n = f"group {attr} {label}" if first else f"jobs {attr} {label}"
                e = f"jobs {attr} {label}" if first else f"left work {attr} {label}"
                self.put(n, g, "n")
                self.put(e, g, "n_events")
                names.append(n)
                events.append(e)
            total = f"known {attr}" if first else f"jobs known {attr}"
            missing = f"missing {attr}" if first else f"jobs missing {attr}"
            self.put(total, res, "n")
            self.put(missing, res, "n_missing", keep=True)
            self.total(total, names)
            if not first:
                self.total("jobs total", [total, missing])
            self.put("excluded at the study end", res, "n_window_excluded", keep=True)
            for test in ("logrank", "gray"):
                if res[test] is not None:
                    self.put(total, res[test], "n")

    def audit(self) -> DisclosureAudit:
        """Bound every suppressed count; one both shown and suppressed is bound by both."""
        both = set(self.shown) & set(self.suppressed)
        shown = {(f"{k} as shown" if k in both else k): v for k, v in self.shown.items()}
        sums = [*self.sums, *((k, [f"{k} as shown"]) for k in sorted(both))]
        return audit_counts(
            shown,
            self.suppressed,
            sums=sums,
            shares=self.shares,
            threshold=self.threshold,
            round_to=self.round_to,
            keep_zeros=self.keep,
        )


def _check_published(doc: dict[str, Any]) -> _System:
    """Audit a protected JSON form: consistent, rounded, ratios of published counts, safe."""
    system = _System(doc)
    assert system.conflicts == [], "a count is published in two ways"
    assert system.exact_shares == [], "a share is not a ratio of published counts"
    for name, value in system.shown.items():
        assert value % system.round_to == 0, (name, value)
        assert value == 0 or value >= system.threshold, (name, value)
    audit = system.audit()
    assert audit.n_recoverable == 0, [c for c in audit.counts if c.recoverable]
    return system


# ---- the reproducer -----------------------------------------------------------------------------


def test_reproducer_text_shows_percentages_of_the_published_counts() -> None:
    report = _reproducer(suppress=True)
    text = report.to_text()
    lines = text.splitlines()
    assert any(line.startswith("gender not known: * IPS users") for line in lines)
    # 150 of 278 known and 128 shown as 130: their percentages are of the published 280,
    # not 54.0 and 46.0 of the exact 278 (which, with everyone at 280, give the 2 away)
    female = next(line for line in lines if line.startswith("Female"))
    male = next(line for line in lines if line.startswith("Male"))
    assert female.split()[1:3] == ["150", "(53.6)"]
    assert male.split()[1:3] == ["130", "(46.4)"]
    assert "(54.0)" not in text
    assert "(46.0)" not in text
    checked = report.disclosure_audit()
    assert checked is not None
    assert checked.n_recoverable == 0
    assert "missing / gender" in [c.name for c in checked.counts]


def test_reproducer_json_holds_no_unrounded_number() -> None:
    report = _reproducer(suppress=True)
    doc = json.loads(report.to_json())
    gender = {g["group"]: g for g in doc["access"]["gender"]["groups"]}
    assert gender["Female"]["ips_share"] == pytest.approx(150 / 280, rel=1e-15)
    assert doc["access"]["gender"]["ips_missing"] is None
    assert doc["completeness"]["missing_by_attribute"]["gender"]["share"] is None
    assert doc["disclosure"]["derived_from"] == "published counts"
    assert doc["disclosure"]["audit"] == {"method": "milp", "n_suppressed": 6, "n_recoverable": 0}
    assert doc["schema_version"] == "2.2"
    system = _check_published(doc)
    assert "missing gender" in system.suppressed
    # test statistics and p-values at the precision the report prints
    test = doc["access"]["ethnicity"]["test"]
    assert test["statistic"] == round(test["statistic"], 2)
    assert test["pvalue"] == float(f"{test['pvalue']:.2g}")
    exact = report.to_dict(include_unsuppressed=True)["access"]["ethnicity"]["test"]
    assert test["statistic"] == round(exact["statistic"], 2)


def test_reproducer_with_shares_of_the_exact_counts_gives_the_count_away() -> None:
    # The same publication with the shares computed from the exact counts, as before: the
    # auditor recovers the 2 people whose gender is not known, which the published form
    # protects. (This is what the checker must catch.)
    report = _reproducer(suppress=True)
    doc = json.loads(report.to_json())
    exact = report.to_dict(include_unsuppressed=True)
    for attr in ("gender", "ethnicity"):
        for published, true in zip(
            doc["access"][attr]["groups"], exact["access"][attr]["groups"], strict=True
        ):
            published["ips_share"] = true["ips_share"]
    system = _System(doc)
    assert len(system.exact_shares) == 5  # those whose count was rounded to another
    leaked = system.audit()
    # with everyone in the six-month window, its count of gender not known goes too
    assert leaked.recoverable == ("missing gender", "window missing gender")
    assert {(c.low, c.high) for c in leaked.counts if c.recoverable} == {(2, 2)}


def test_reproducer_through_the_command_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = _reproducer_columns()
    cohort_file, caseload_file = tmp_path / "small.csv", tmp_path / "small_caseload.csv"
    with cohort_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        for row in zip(*columns.values(), strict=True):
            writer.writerow(["Not known" if v is None else v for v in row])
    with caseload_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["attribute", "level", "count"])
        writer.writerows(
            [a, level, n] for a, counts in CASELOAD.items() for level, n in counts.items()
        )
    common = [str(cohort_file), "--eligible", str(caseload_file), "--study-end", STUDY_END,
              "--missing-labels", "Not known", "--suppress"]  # fmt: skip
    assert cli.main(["report", *common]) == 0
    text = capsys.readouterr().out
    assert "gender not known: * IPS users" in text
    assert "150 (53.6)" in text
    assert cli.main(["report", *common, "--format", "json"]) == 0
    _check_published(json.loads(capsys.readouterr().out))


# ---- the synthetic demonstration ---------------------------------------------------------------


def test_demo_percentages_agree_with_the_counts_beside_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "25 (42.9)" of 65 contradicted the rounded count: every "n (%)" of an outcome table
    # is now the share of the published counts
    assert cli.main(["demo", "--suppress"]) == 0
    text = capsys.readouterr().out
    pairs = re.findall(r"^\S.*?\s(\d+)\s+(\d+) \((\d+\.\d)\)", text, flags=re.MULTILINE)
    assert len(pairs) >= 7  # five ethnic groups and two genders
    for people, jobs, percent in pairs:
        assert percent == f"{100 * int(jobs) / int(people):.1f}", (people, jobs, percent)
    assert cli.main(["demo", "--suppress", "--format", "json"]) == 0
    _check_published(json.loads(capsys.readouterr().out))


# ---- random cohorts ---------------------------------------------------------------------------

_RULES = [
    True,
    {"threshold": 3, "round_to": 10},
    {"threshold": 8, "round_to": 5},
    {"threshold": 5, "round_to": 1},
]


# Each example builds, protects and audits a whole report (a second or so): a quarter of
# the profile's examples (50 with the "ci" profile).
@settings(
    max_examples=max(5, settings().max_examples // 4),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(report_inputs(), st.sampled_from(_RULES), st.sampled_from(["exclude", "sensitivity"]))
def test_no_suppressed_count_is_recoverable_across_a_report(
    inputs: tuple[dict[str, list[object]], dict[str, dict[str, int]]],
    rules: Any,
    missing: Literal["exclude", "sensitivity"],
) -> None:
    columns, caseload = inputs
    cohort = Cohort.from_columns(columns, observed_until="2020-06-30")
    report = equity_report(
        cohort,
        eligible=caseload,
        study_end="2020-06-30",
        missing_labels=["Not known"],
        missing=missing,
        suppress=rules,
    )
    own = report.disclosure_audit()
    assert own is not None
    assert own.n_recoverable == 0
    doc = json.loads(report.to_json())
    _check_published(doc)
    # the text shows the same counts as the JSON form
    text = report.to_text()
    for g in doc["access"]["ethnicity"]["groups"]:
        shown = "*" if g["ips_n"] is None else str(g["ips_n"])
        assert re.search(rf"^{re.escape(str(g['group']))}\s+{re.escape(shown)} \(", text, re.M)


# The same with the indicator options on: access and outcomes standardised for age and
# gender (the standardised counts are parts of the groups), and the funnel of the teams
# (the job outcomes of everyone by team).
@settings(
    max_examples=max(5, settings().max_examples // 4),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(report_option_inputs(), st.sampled_from(_RULES))
def test_no_suppressed_count_is_recoverable_with_the_options_on(
    inputs: tuple[dict[str, list[object]], dict[str, Any]], rules: Any
) -> None:
    columns, caseload = inputs
    cohort = Cohort.from_columns(columns, observed_until="2020-06-30")
    common: dict[str, Any] = {
        "by": ["ethnicity", "gender"],
        "study_end": "2020-06-30",
        "missing_labels": ["Not known"],
        "suppress": rules,
    }
    crude: dict[str, int] = {}
    for key, n in caseload["ethnicity"].items():
        crude[key[0]] = crude.get(key[0], 0) + n
    plain = equity_report(cohort, eligible={**caseload, "ethnicity": crude}, **common)
    base = plain.disclosure_audit()
    assert base is not None
    assert base.n_recoverable == 0
    report = equity_report(
        cohort,
        eligible=caseload,
        standardise=("age", "gender"),
        by_service="team",
        **common,
    )
    own = report.disclosure_audit()
    assert own is not None
    assert own.n_recoverable == 0
    doc = json.loads(report.to_json())
    system = _check_published(doc)
    # the reader's system holds the counts of the new sections (the funnel is not drawn,
    # and says why, when nobody or everybody gained a job)
    named = {*system.shown, *system.suppressed}
    if doc["standardised"]["access"]:
        assert any(name.startswith("std users ethnicity") for name in named)
    if any(doc["standardised"]["outcomes"].values()):
        assert any(name.startswith("std people ethnicity") for name in named)
    if doc["service_funnel"] is not None:
        assert "funnel jobs team" in named
    else:
        # caveats are written for readers; the technical reason is kept beside each
        assert any(c.startswith("job rates by team: not computed") for c in doc["caveat_details"])


def _safe_report(
    columns: dict[str, Any], caseload: dict[str, dict[str, int]], **options: Any
) -> dict[str, Any]:
    """The JSON form of a report observed to 2020-06-30, after its own audit finds it safe."""
    report = equity_report(
        Cohort.from_columns(columns, observed_until="2020-06-30"),
        eligible=caseload,
        study_end="2020-06-30",
        missing_labels=["Not known"],
        **options,
    )
    audit = report.disclosure_audit()
    assert audit is not None
    assert audit.n_recoverable == 0
    doc: dict[str, Any] = json.loads(report.to_json())
    return doc


def test_which_rule_hid_a_count_is_not_published() -> None:
    # 13 people, threshold 3, rounded to 10: a reader told that the window's group B (2)
    # was hidden as small and its group (3, shown as 0 so 3 or 4) as large could pin it,
    # and the people left out of the window, whatever else was hidden. One reason for
    # every suppressed count leaves them open.
    columns = {
        "accessed": ["2019-01-01", "2019-04-07", "2019-10-07", "2019-09-25", "2019-03-25",
                     "2019-12-02", "2019-08-28", "2020-05-15", "2020-01-07", "2019-10-29",
                     "2019-07-30", "2019-03-26", "2019-02-16"],
        "job_start": ["2019-04-19", "2019-08-11", None, None, "2019-04-03", None, None, None,
                      None, None, "2019-12-15", None, None],
        "discharged": ["2019-05-20", "2020-06-05", None, "2020-02-14", "2019-07-04", None,
                       "2020-06-15", None, None, "2020-03-05", None, None, None],
        "ethnicity": ["A", "B", "C", "C", "D", None, "D", "B", "D", "B", "C", "A", "C"],
        "gender": ["F", "M", "M", "F", "M", "M", "M", "M", "F", "M", None, "M", "M"],
    }  # fmt: skip
    caseload = {
        "ethnicity": {"A": 38, "B": 6, "C": 28, "D": 9, "Not known": 7},
        "gender": {"F": 48, "M": 47, "Not known": 21},
    }
    doc = _safe_report(columns, caseload, suppress={"threshold": 3, "round_to": 10})
    system = _check_published(doc)
    assert set(system.suppressed.values()) == {
        "suppressed: a count below 3, or a count that would reveal one"
    }


def test_a_zero_that_shown_zeros_fix_is_shown() -> None:
    # nobody is left out of the six-month window and nobody's ethnicity is missing in it:
    # the people with ethnicity missing, a 0 hidden as a group count, are 0 for anyone
    columns = {
        "accessed": ["2019-01-05", "2019-01-03", "2019-01-02", "2019-01-05", "2019-01-01",
                     "2019-01-04", "2019-01-03", "2019-01-01", "2019-01-02", "2019-01-04",
                     "2019-01-01", "2019-01-03"],
        "job_start": [None] * 11 + ["2019-01-04"],
        "discharged": [None, None, "2019-01-02", "2019-01-06", None, None, None,
                       "2019-01-03", None, None, None, None],
        "ethnicity": ["A", "B", "D", "C", "B", "B", "A", "B", "C", "B", "D", "A"],
        "gender": ["F", "M", None, "F", "M", None, "M", "M", "F", "M", "M", "M"],
    }  # fmt: skip
    caseload = {
        "ethnicity": {"A": 4, "B": 6, "C": 4, "D": 4, "Not known": 2},
        "gender": {"F": 3, "M": 7, "Not known": 5},
    }
    doc = _safe_report(columns, caseload, missing="sensitivity", suppress=True)
    _check_published(doc)
    assert doc["completeness"]["missing_by_attribute"]["ethnicity"]["n_missing"] == 0


def test_the_auditor_finds_what_per_table_protection_leaves() -> None:
    # A cell suppressed in one table but shown (exactly) in another is recovered: the
    # auditor is not blind to links between tables
    doc = json.loads(_reproducer(suppress={"threshold": 5, "round_to": 1}).to_json())
    doc["completeness"]["missing_by_attribute"]["gender"]["n_missing"] = 2
    system = _System(doc)
    assert system.conflicts
    assert all(c.startswith("missing gender: ") for c in system.conflicts)


# ---- free text, empty groups, figures ----------------------------------------------------------


def test_free_text_keeps_durations_and_options_but_hides_counts() -> None:
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-11-01"] * 12,
            "job_start": [None] * 12,
            "group": ["a", "b"] * 6,
        },
        observed_until="2019-12-31",
    )
    plain = equity_report(cohort, study_end="2019-12-31")
    safe = equity_report(cohort, study_end="2019-12-31", suppress=True)
    raw = next(c for c in plain.caveat_details if "follow-up: not computed" in c)
    caveat = next(c for c in safe.caveat_details if "follow-up: not computed" in c)
    shown = next(c for c in safe.caveats if "follow-up not computed" in c)
    assert not re.search(r"\d+ people", shown)
    assert "all 12 people" in raw
    assert "all * people" in caveat
    assert "at least 6 months' follow-up" in caveat
    assert "`min_followup_months=6`" in caveat
    assert "2019-12-31" in caveat


def test_a_group_with_nobody_to_follow_is_shown_protected() -> None:
    # group "c" has nobody with a job: the in-work support analysis leaves it out, which
    # would say that nobody in it got a job; under disclosure control it is shown as *
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-05"] * 36,
            "job_start": (["2019-03-01"] * 8 + [None] * 4) * 2 + [None] * 12,
            "discharged": ([None] * 6 + ["2019-09-01"] * 6) * 3,
            "group": ["a"] * 12 + ["b"] * 12 + ["c"] * 12,
        },
        observed_until="2019-12-31",
    )
    plain = equity_report(cohort, study_end="2019-12-31")
    support = plain.durations["group"]["in_work_support"]
    assert support is not None
    assert [str(g.group) for g in support.groups] == ["a", "b"]
    assert any("'c' has nobody" in c for c in support.caveats)
    safe = equity_report(cohort, study_end="2019-12-31", suppress=True)
    section = safe.to_text().split("In-work support by group\n")[1]
    assert re.search(r"^c\s+\*\s+\*", section, re.MULTILINE)
    assert "has nobody" not in section
    groups = safe.to_dict()["durations"]["group"]["in_work_support"]["groups"]
    assert [g["group"] for g in groups] == ["a", "b", "c"]
    assert groups[2]["n"] is None
    checked = safe.disclosure_audit()
    assert checked is not None
    assert checked.n_recoverable == 0


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)


@pytest.mark.parametrize(
    "labels",
    [
        ("Age at onset = 18-25", "Age at onset = 26-40"),
        ('a" onmouseover="alert(1)', "<script>x</script>"),
        ("$x^2$ group", r"back\slash $"),
    ],
)
def test_report_figures_parse_and_show_labels(labels: tuple[str, str]) -> None:
    pytest.importorskip("matplotlib")
    n = 24
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-10", "2019-02-01", "2019-03-05", "2019-04-01"] * (n // 4),
            "job_start": ["2019-04-01", None, "2019-06-01", "2019-05-01"] * (n // 4),
            "discharged": [None, "2019-05-01", "2019-10-01", None] * (n // 4),
            "band": [labels[0], labels[1], labels[1], labels[0]] * (n // 4),
        },
        observed_until="2019-12-31",
    )
    report = equity_report(
        cohort,
        study_end="2019-12-31",
        eligible={"band": {labels[0]: 100, labels[1]: 120}},
    )
    page = report.to_html()
    figures = page.count("<figure")
    svgs = _svgs(page)
    assert "Figure not available" not in page
    assert len(svgs) == figures >= 5
    for svg in svgs:
        tree = ET.fromstring(svg)  # every figure is well-formed
        texts = ["".join(t.itertext()) for t in tree.iter("{http://www.w3.org/2000/svg}text")]
        assert any(labels[0] in t for t in texts)
        for element in tree.iter():
            assert not any(k.lower().startswith("on") for k in element.attrib)
            assert not str(element.tag).endswith("script")
