"""The JSON form of a report under disclosure control: counts as displayed, the rest withheld."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ipsstats.equity import (
    AccessEquity,
    DurationEquity,
    OutcomeEquity,
    ReportedTest,
)
from ipsstats.report.disclosure import (
    Disclosure,
    SuppressedTable,
    _suppressed,
    suppress_small_counts,
)
from ipsstats.report.sections import (
    _access_table,
    _events_table,
    _hidden,
    _redact,
    _reference_row,
    _row_hidden,
)
from ipsstats.results import TestResult

__all__: list[str] = []


def _maybe_dict(value: Any) -> dict[str, Any] | None:
    return None if value is None else dict(value.to_dict())


_DERIVED = "withheld: derived from a suppressed count"
_REFERENCE = "withheld: the reference group's counts are suppressed"
_RECORD_LEVEL = "omitted under disclosure control: record-level detail"
_TABLES = (
    "omitted under disclosure control: the test's tables of counts, expected counts, "
    "residuals and other details"
)
_MARGINS = "omitted under disclosure control: the smallest expected count reveals margins"
# Fields of a test result kept under disclosure control (its subclass fields hold tables).
_TEST_FIELDS = ("statistic", "pvalue", "dof", "method")


def _reasons(out: dict[str, Any]) -> dict[str, str]:
    """Return the ``"suppressed"`` mapping (field name to reason) of a JSON object."""
    found: dict[str, str] = out.setdefault("suppressed", {})
    return found


def _withhold(out: dict[str, Any], keys: Sequence[str], reason: str) -> None:
    for key in keys:
        out[key] = None
        _reasons(out)[key] = reason


def _put_cell(
    out: dict[str, Any],
    key: str,
    safe: SuppressedTable | None,
    cell: tuple[int, int],
    raw: int,
) -> None:
    """Write a count as displayed: rounded, or null with its reason when suppressed."""
    if safe is None:
        out[key] = raw
    elif bool(safe.suppressed[cell]):
        _withhold(out, (key,), safe.reasons[cell[0]][cell[1]])
    else:
        out[key] = int(safe.shown[cell])


def _put_count(out: dict[str, Any], key: str, n: int, shield: Disclosure | None) -> None:
    """Write a count that stands alone (shown like :func:`_count_text`)."""
    if shield is None:
        out[key] = n
        return
    safe = suppress_small_counts(
        np.array([n]),
        threshold=shield.threshold,
        round_to=shield.round_to,
        secondary=False,
        keep_zeros=True,
    )
    _put_cell(out, key, safe, (0, 0), n)


def _counts_dict(
    parent: dict[str, Any], key: str, counts: Mapping[str, int], shield: Disclosure | None
) -> dict[str, int | None]:
    """Protect a mapping of counts as one table (as rendered); reasons go to `parent`."""
    if not counts:
        return {}
    values = np.array([int(n) for n in counts.values()], dtype=np.int64)
    safe = _suppressed(values, shield)
    out: dict[str, Any] = {}
    for k, (label, n) in enumerate(counts.items()):
        _put_cell(out, label, safe, (0, k), int(n))
    for label, reason in out.pop("suppressed", {}).items():
        _reasons(parent)[f"{key}.{label}"] = reason
    return out


def _test_dict(test: TestResult | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if test is None or shield is None:
        return _maybe_dict(test)
    full = test.to_dict()
    out: dict[str, Any] = {k: full[k] for k in _TEST_FIELDS}
    _put_count(out, "n", test.n, shield)
    _put_count(out, "n_excluded", test.n_excluded, shield)
    out["exclusions"] = _counts_dict(out, "exclusions", dict(test.exclusions), shield)
    out["caveats"] = [_redact(c, shield) for c in test.caveats]
    out["details"] = {}
    _reasons(out)["details"] = _TABLES
    return out


def _reported_dict(t: ReportedTest | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if t is None or shield is None:
        return _maybe_dict(t)
    out: dict[str, Any] = {
        "label": t.label,
        "result": _test_dict(t.result, shield),
        "adjusted_pvalue": t.adjusted_pvalue,
        "adjust": t.adjust,
        "small_expected": t.small_expected,
        "asymptotic": _test_dict(t.asymptotic, shield),
        "exact": _test_dict(t.exact, shield),
    }
    _withhold(out, ("min_expected",), _MARGINS)
    return out


def _access_dict(res: AccessEquity, shield: Disclosure | None) -> dict[str, Any]:
    out = res.to_dict()
    if shield is None:
        return out
    safe = _access_table(res, shield)
    last = len(res.groups)
    groups = []
    for k, g in enumerate(res.groups):
        row = g.to_dict()
        _put_cell(row, "ips_n", safe, (k, 0), g.ips_n)
        _put_cell(row, "eligible_n", safe, (k, 1), g.eligible_n)
        for j, key in enumerate(("ips_share", "eligible_share")):
            if safe is not None and bool(safe.percent_suppressed[k, j]):
                _withhold(row, (key,), _DERIVED)
        if _hidden(safe, k, 0) or _hidden(safe, k, 1):
            _withhold(row, ("reach", "representation_ratio", "adjusted_residual"), _DERIVED)
        groups.append(row)
    out["groups"] = groups
    _put_cell(out, "ips_n", safe, (last, 0), res.ips_n)
    _put_cell(out, "eligible_n", safe, (last, 1), res.eligible_n)
    if _hidden(safe, last, 0) or _hidden(safe, last, 1):
        _withhold(out, ("overall_reach",), _DERIVED)
    for key, share in (
        ("ips_missing", "ips_missing_share"),
        ("eligible_missing", "eligible_missing_share"),
    ):
        _put_count(out, key, int(getattr(res, key)), shield)
        if out[key] is None:
            _withhold(out, (share, "missing_reach"), _DERIVED)
    out["test"] = _test_dict(res.test, shield)
    out["caveats"] = [_redact(c, shield) for c in res.caveats]
    out["sensitivity"] = None if res.sensitivity is None else _access_dict(res.sensitivity, shield)
    return out


def _outcome_dict(res: OutcomeEquity | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if res is None or shield is None:
        return _maybe_dict(res)
    out = res.to_dict()
    safe, last = _events_table(((g.jobs, g.n) for g in res.groups), shield)
    reference_hidden = _row_hidden(safe, _reference_row(res), last)
    groups = []
    for k, g in enumerate(res.groups):
        row = g.to_dict()
        _put_cell(row, "n", safe, (k, last), g.n)
        _put_cell(row, "jobs", safe, (k, 0), g.jobs)
        compared = [key for key in ("rate_ratio", "rate_difference") if row[key] is not None]
        if _row_hidden(safe, k, last):
            _withhold(row, ("rate", *compared), _DERIVED)
        elif reference_hidden:
            _withhold(row, compared, _REFERENCE)
        groups.append(row)
    out["groups"] = groups
    _put_cell(out, "n", safe, (len(res.groups), last), res.n)
    _put_count(out, "n_missing", res.n_missing, shield)
    _put_count(out, "n_window_excluded", res.n_window_excluded, shield)
    out["overall"] = _reported_dict(res.overall, shield)
    out["stratum_tests"] = [_reported_dict(t, shield) for t in res.stratum_tests]
    out["cmh_tests"] = [_reported_dict(t, shield) for t in res.cmh_tests]
    out["caveats"] = [_redact(c, shield) for c in res.caveats]
    return out


def _duration_dict(res: DurationEquity | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if res is None or shield is None:
        return _maybe_dict(res)
    out = res.to_dict()
    safe, last = _events_table(((g.n_events, g.n) for g in res.groups), shield)
    groups = []
    for k, g in enumerate(res.groups):
        row = g.to_dict()
        _put_cell(row, "n", safe, (k, last), g.n)
        _put_cell(row, "n_events", safe, (k, 0), g.n_events)
        if _row_hidden(safe, k, last):
            _withhold(row, ("median", "naive_median"), _DERIVED)
            row["landmarks"] = []
            _reasons(row)["landmarks"] = _DERIVED
        groups.append(row)
    out["groups"] = groups
    _put_cell(out, "n", safe, (len(res.groups), last), res.n)
    _put_count(out, "n_missing", res.n_missing, shield)
    _put_count(out, "n_window_excluded", res.n_window_excluded, shield)
    out["logrank"] = _test_dict(res.logrank, shield)
    out["gray"] = _test_dict(res.gray, shield)
    out["caveats"] = [_redact(c, shield) for c in res.caveats]
    return out


# --------------------------------------------------------------------------------------
# display helpers (suppression applies here only)
# --------------------------------------------------------------------------------------
