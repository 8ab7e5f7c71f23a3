"""The JSON form of a report under disclosure control: counts as published, the rest withheld.

Every count is written as published (rounded, or ``null`` with its reason under the
enclosing object's ``"suppressed"`` mapping); every share, rate, ratio and interval is the
one the rendered report shows, computed from the published counts; test statistics and
p-values are written at the precision the report prints them; and the fields that could
recover a count (tables of counts held by test results, expected counts, record-level
issues, Kaplan-Meier shares) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ipsstats.equity import (
    AccessEquity,
    DurationEquity,
    DurationGroup,
    OutcomeEquity,
    ReportedTest,
)
from ipsstats.report import _ledger as keys
from ipsstats.report._ledger import Protection
from ipsstats.report._published import (
    DERIVED,
    Count,
    access_table,
    count,
    duration_table,
    outcome_table,
    share,
)
from ipsstats.report.sections import LANDMARKS_WITHHELD, _redact, duration_caveats
from ipsstats.results import TestResult

__all__: list[str] = []

_RECORD_LEVEL = "omitted under disclosure control: record-level detail"
_TABLES = (
    "omitted under disclosure control: the test's tables of counts, expected counts, "
    "residuals and other details"
)
_MARGINS = "omitted under disclosure control: the smallest expected count reveals margins"
_EXCLUSIONS = (
    "omitted under disclosure control: the people left out are the missing counts of the "
    "analysis, published there"
)
# Fields of a test result kept under disclosure control (its subclass fields hold tables).
_TEST_FIELDS = ("statistic", "pvalue", "dof", "method")
# Digits at which the report prints a test statistic and Cramér's V; p-values keep two
# significant digits.
_STATISTIC_DIGITS = 2
_V_DIGITS = 3
_NAIVE_LABEL = str(attrs.fields(DurationGroup).naive_median_label.default)


def _maybe_dict(value: Any) -> dict[str, Any] | None:
    return None if value is None else dict(value.to_dict())


def _reasons(out: dict[str, Any]) -> dict[str, str]:
    """Return the ``"suppressed"`` mapping (field name to reason) of a JSON object."""
    found: dict[str, str] = out.setdefault("suppressed", {})
    return found


def _withhold(out: dict[str, Any], keys_: Sequence[str], reason: str) -> None:
    for key in keys_:
        out[key] = None
        _reasons(out)[key] = reason


def _put(out: dict[str, Any], key: str, shown: Count) -> None:
    """Write a count as published: its value, or null with its reason."""
    if shown.hidden:
        _withhold(out, (key,), shown.reason)
    else:
        out[key] = shown.value


def _pvalue(p: float | None) -> float | None:
    return None if p is None else float(f"{p:.2g}")


def _statistic(x: float | None) -> float | None:
    return None if x is None else round(float(x), _STATISTIC_DIGITS)


def _test_dict(
    test: TestResult | None, protection: Protection | None, n: Count | None
) -> dict[str, Any] | None:
    if test is None or protection is None:
        return _maybe_dict(test)
    full = test.to_dict()
    out: dict[str, Any] = {k: full[k] for k in _TEST_FIELDS}
    out["statistic"] = _statistic(test.statistic)
    out["pvalue"] = _pvalue(test.pvalue)
    _put(out, "n", n if n is not None else Count(value=None, reason=_EXCLUSIONS))
    _withhold(out, ("n_excluded",), _EXCLUSIONS)
    out["exclusions"] = {}
    _reasons(out)["exclusions"] = _EXCLUSIONS
    out["caveats"] = [_redact(c, protection) for c in test.caveats]
    out["details"] = {}
    _reasons(out)["details"] = _TABLES
    return out


def _reported_dict(
    t: ReportedTest | None, protection: Protection | None, n: Count
) -> dict[str, Any] | None:
    if t is None or protection is None:
        return _maybe_dict(t)
    out: dict[str, Any] = {
        "label": t.label,
        "result": _test_dict(t.result, protection, n),
        "adjusted_pvalue": _pvalue(t.adjusted_pvalue),
        "adjust": t.adjust,
        "small_expected": t.small_expected,
        "asymptotic": _test_dict(t.asymptotic, protection, n),
        "exact": _test_dict(t.exact, protection, n),
    }
    _withhold(out, ("min_expected",), _MARGINS)
    return out


def access_dict(
    attr: str, res: AccessEquity, protection: Protection | None, which: str = "main"
) -> dict[str, Any]:
    """Write an access analysis as JSON-safe objects."""
    out = res.to_dict()
    if protection is None:
        return out
    shown = access_table(attr, res, protection, which)
    groups = []
    for g, row in zip(res.groups, shown.rows, strict=True):
        item = g.to_dict()
        _put(item, "ips_n", row.ips)
        _put(item, "eligible_n", row.eligible)
        item["ips_share"], item["eligible_share"] = row.ips_share, row.eligible_share
        for key, value in (("ips_share", row.ips_share), ("eligible_share", row.eligible_share)):
            if value is None:
                _withhold(item, (key,), DERIVED)
        est = row.estimates
        if est is None:
            _withhold(
                item, ("reach", "representation_ratio", "adjusted_residual", "flag"), row.withheld
            )
        else:
            item["reach"] = None if est.reach is None else est.reach.to_dict()
            item["representation_ratio"] = est.representation_ratio.to_dict()
            item["adjusted_residual"] = est.adjusted_residual
            item["flag"] = est.flag
        groups.append(item)
    out["groups"] = groups
    _put(out, "ips_n", shown.ips_n)
    _put(out, "eligible_n", shown.eligible_n)
    _put(out, "ips_missing", shown.ips_missing)
    _put(out, "eligible_missing", shown.eligible_missing)
    for key, value in (
        ("ips_missing_share", shown.ips_missing_share),
        ("eligible_missing_share", shown.eligible_missing_share),
    ):
        out[key] = value
        if value is None and getattr(res, key) is not None:
            _withhold(out, (key,), DERIVED)
    for key, estimate in (
        ("overall_reach", shown.overall_reach),
        ("missing_reach", shown.missing_reach),
    ):
        out[key] = None if estimate is None else estimate.to_dict()
        if estimate is None and getattr(res, key) is not None:
            _withhold(out, (key,), DERIVED)
    out["test"] = _test_dict(res.test, protection, shown.test_n)
    out["caveats"] = [_redact(c, protection) for c in res.caveats]
    out["sensitivity"] = (
        None
        if res.sensitivity is None
        else access_dict(attr, res.sensitivity, protection, "sensitivity")
    )
    return out


def outcome_dict(
    attr: str, window: str, res: OutcomeEquity | None, protection: Protection | None
) -> dict[str, Any] | None:
    """Write an outcome analysis as JSON-safe objects (`window`: ``"all"``, ``"window"``)."""
    if res is None or protection is None:
        return _maybe_dict(res)
    out = res.to_dict()
    shown = outcome_table(attr, window, res, protection)
    groups = []
    for g, row in zip(res.groups, shown.rows, strict=True):
        item = g.to_dict()
        _put(item, "n", row.n)
        _put(item, "jobs", row.jobs)
        item["rate"] = None if row.rate is None else row.rate.to_dict()
        if row.rate_withheld:
            _withhold(item, ("rate",), row.rate_withheld)
        if not row.reference:
            item["rate_ratio"] = None if row.rate_ratio is None else row.rate_ratio.to_dict()
            item["rate_difference"] = (
                None if row.rate_difference is None else row.rate_difference.to_dict()
            )
            if row.comparison_withheld:
                _withhold(item, ("rate_ratio", "rate_difference"), row.comparison_withheld)
        groups.append(item)
    out["groups"] = groups
    _put(out, "n", shown.n)
    _put(out, "n_missing", shown.n_missing)
    _put(out, "n_window_excluded", shown.n_window_excluded)
    out["overall"] = _reported_dict(res.overall, protection, shown.test_n)
    out["stratum_tests"] = [_reported_dict(t, protection, shown.test_n) for t in res.stratum_tests]
    out["cmh_tests"] = [_reported_dict(t, protection, shown.test_n) for t in res.cmh_tests]
    out["cramers_v"] = None if res.cramers_v is None else round(res.cramers_v, _V_DIGITS)
    out["caveats"] = [_redact(c, protection) for c in res.caveats]
    return out


def duration_dict(
    attr: str, res: DurationEquity | None, protection: Protection | None
) -> dict[str, Any] | None:
    """Write a duration analysis as JSON-safe objects."""
    if res is None or protection is None:
        return _maybe_dict(res)
    out = res.to_dict()
    shown = duration_table(attr, res, protection)
    groups = []
    by_label = {str(g.group): g for g in res.groups}
    for row in shown.rows:
        found = by_label.get(str(row.label))
        item: dict[str, Any] = (
            found.to_dict()
            if found is not None
            else {"group": row.label, "naive_median_label": _NAIVE_LABEL}
        )
        _put(item, "n", row.n)
        _put(item, "n_events", row.events)
        if row.hidden:
            _withhold(item, ("median", "naive_median"), DERIVED)
        item["landmarks"] = []
        _reasons(item)["landmarks"] = DERIVED if row.hidden else LANDMARKS_WITHHELD
        groups.append(item)
    out["groups"] = groups
    _put(out, "n", shown.n)
    _put(out, "n_missing", shown.n_missing)
    _put(out, "n_window_excluded", shown.n_window_excluded)
    out["logrank"] = _test_dict(res.logrank, protection, shown.logrank_n)
    out["gray"] = _test_dict(res.gray, protection, shown.gray_n)
    out["caveats"] = [_redact(c, protection) for c in duration_caveats(res, protection)]
    return out


# --------------------------------------------------------------------------------------
# inputs and completeness
# --------------------------------------------------------------------------------------


def inputs_dict(report: Any, protection: Protection | None) -> dict[str, Any]:
    """Write the report's inputs: records read, people, eligible caseload sizes."""
    v = report.validation
    out: dict[str, Any] = {"source": report.cohort_source}
    for key, name, field in (
        (keys.READ, "rows_read", "n_read"),
        (keys.VALID, "rows_valid", "n_valid"),
        (keys.EXCLUDED, "rows_excluded", "n_excluded"),
    ):
        _put(out, name, count(protection, key, int(v[field])))
    _put(out, "people", count(protection, keys.PEOPLE, report.n_people))
    out["observed_until"] = report.observed_until
    eligible: dict[str, Any] = {}
    for attr, sizes in report.eligible_sizes.items():
        eligible[attr] = {}
        for name, key in (
            ("total", ("eligible_total", attr)),
            ("n", ("eligible_known", attr)),
            ("n_missing", ("eligible_missing", attr)),
        ):
            _put(eligible[attr], name, count(protection, key, int(sizes[name])))
    out["eligible"] = eligible
    return out


def completeness_dict(report: Any, protection: Protection | None) -> dict[str, Any]:
    """Write the validation record, selection steps and missing values by attribute."""
    if protection is None:
        return {
            "validation": dict(report.validation),
            "selection_steps": [dict(step) for step in report.selection_steps],
            "missing_by_attribute": {k: dict(v) for k, v in report.missing_by_attribute.items()},
        }
    v = report.validation
    validation: dict[str, Any] = {k: v[k] for k in ("source", "row_kind") if k in v}
    for key, field in (
        (keys.READ, "n_read"),
        (keys.VALID, "n_valid"),
        (keys.EXCLUDED, "n_excluded"),
    ):
        _put(validation, field, count(protection, key, int(v[field])))
    validation["counts"] = _counts(
        validation,
        "counts",
        {r: (keys.reason(r), int(n)) for r, n in dict(v["counts"]).items()},
        protection,
    )
    _reasons(validation)["issues"] = _RECORD_LEVEL
    steps = []
    for k, step in enumerate(report.selection_steps):
        safe = {name: step[name] for name in ("step", "description", "parameters") if name in step}
        for field in ("n_before", "n_after", "n_excluded"):
            _put(safe, field, count(protection, keys.step(k, field[2:]), int(step[field])))
        safe["counts"] = _counts(
            safe,
            "counts",
            {
                rule: (keys.step(k, "rule", rule), int(n))
                for rule, n in dict(step["counts"]).items()
            },
            protection,
        )
        steps.append(safe)
    people = count(protection, keys.PEOPLE, report.n_people)
    missing: dict[str, Any] = {}
    for attr, m in report.missing_by_attribute.items():
        missing[attr] = {}
        n_missing = count(protection, keys.missing(attr), int(m["n_missing"]))
        _put(missing[attr], "n_missing", n_missing)
        missing[attr]["share"] = share(n_missing, people)
        if missing[attr]["share"] is None and m["share"] is not None:
            _withhold(missing[attr], ("share",), DERIVED)
    return {"validation": validation, "selection_steps": steps, "missing_by_attribute": missing}


def _counts(
    parent: dict[str, Any],
    name: str,
    cells: dict[str, tuple[keys.Key, int]],
    protection: Protection,
) -> dict[str, int | None]:
    """Write a mapping of counts as published; reasons go to `parent` as ``name.label``."""
    out: dict[str, Any] = {}
    for label, (key, n) in cells.items():
        _put(out, label, count(protection, key, n))
    for label, why in out.pop("suppressed", {}).items():
        _reasons(parent)[f"{name}.{label}"] = why
    return out
