"""Tests of ipsstats.audit_counts: the recoverability audit of published counts.

The integer programmes are checked against a naive audit that enumerates every table of
counts and keeps those agreeing with everything published, on small random tables with
random rules; and on hand-worked cases, including the leak that motivated the audit.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import AuditedCount, DisclosureAudit, InvalidInputError, audit_counts

# ---- a naive audit, by enumeration --------------------------------------------------------


def _round(x: NDArray[np.int64], r: int) -> NDArray[np.int64]:
    out: NDArray[np.int64] = ((x + r // 2) // r) * r
    return out


@functools.lru_cache(maxsize=4)
def _grid(cells: int, limit: int) -> NDArray[np.int64]:
    """Every vector of `cells` counts in 0..limit, one per row."""
    axes = np.meshgrid(*[np.arange(limit + 1, dtype=np.int64)] * cells, indexing="ij")
    return np.stack(axes, axis=-1).reshape(-1, cells)


def _naive_bounds(
    cells: int,
    limit: int,
    published: dict[str, Any],
) -> dict[str, tuple[int, int]]:
    """Enumerate every vector of `cells` counts in 0..limit; keep those consistent.

    `published` holds: "values" (the true values of the named quantities as functions of
    the cell vector), "shown" (name -> published value), "suppressed" (name -> reason),
    "shares" (numerator, denominator, value, half-width), "threshold", "round_to",
    "keep" (names whose zeros are shown).
    """
    grid = _grid(cells, limit)
    values = {name: f(grid) for name, f in published["values"].items()}
    t, r, keep = published["threshold"], published["round_to"], published["keep"]
    ok = np.ones(len(grid), dtype=bool)
    for name, shown in published["shown"].items():
        x = values[name]
        rule = (x >= t) | ((x == 0) & (name in keep))
        ok &= (_round(x, r) == shown) & rule
    for name, reason in published["suppressed"].items():
        x = values[name]
        if reason.startswith("primary"):
            ok &= (x < t) & ((x >= 1) | (name not in keep))
        elif reason.startswith("secondary"):
            ok &= x >= t
    for numerator, denominator, value, half in published["shares"]:
        top, bottom = values[numerator], values[denominator]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(bottom > 0, top / np.maximum(bottom, 1), np.nan)
        ok &= (bottom > 0) & (np.abs(ratio - value) <= half + 1e-12)
    return {
        name: (int(values[name][ok].min()), int(values[name][ok].max()))
        for name in published["suppressed"]
    }


# A table of 2 x 2 counts with margins, or one row of 3 counts with its total; the names of
# its cells and margins, and how each is computed from the vector of interior counts.
_Quantity = Callable[[NDArray[np.int64]], NDArray[np.int64]]
_TWO_BY_TWO: dict[str, _Quantity] = {
    "a": lambda g: g[:, 0],
    "b": lambda g: g[:, 1],
    "c": lambda g: g[:, 2],
    "d": lambda g: g[:, 3],
    "a+b": lambda g: g[:, 0] + g[:, 1],
    "c+d": lambda g: g[:, 2] + g[:, 3],
    "a+c": lambda g: g[:, 0] + g[:, 2],
    "b+d": lambda g: g[:, 1] + g[:, 3],
    "all": lambda g: g.sum(axis=1),
}
_TWO_BY_TWO_SUMS = [
    ("a+b", ["a", "b"]),
    ("c+d", ["c", "d"]),
    ("a+c", ["a", "c"]),
    ("b+d", ["b", "d"]),
    ("all", ["a+b", "c+d"]),
    ("all", ["a+c", "b+d"]),
]
_ONE_ROW: dict[str, _Quantity] = {
    "a": lambda g: g[:, 0],
    "b": lambda g: g[:, 1],
    "c": lambda g: g[:, 2],
    "all": lambda g: g.sum(axis=1),
}
_ONE_ROW_SUMS = [("all", ["a", "b", "c"])]


@st.composite
def published_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A small table published under random rules, with its true values."""
    square = draw(st.booleans())
    functions, sums = (_TWO_BY_TWO, _TWO_BY_TWO_SUMS) if square else (_ONE_ROW, _ONE_ROW_SUMS)
    cells = 4 if square else 3
    top = 5 if square else 9
    counts = np.array([draw(st.lists(st.integers(0, top), min_size=cells, max_size=cells))])
    threshold = draw(st.integers(2, 6))
    round_to = draw(st.sampled_from([1, 2, 3, 5]))
    keep = set(draw(st.sets(st.sampled_from(sorted(functions)))))
    values = {name: int(f(counts)[0]) for name, f in functions.items()}
    shown, suppressed = {}, {}
    for name, value in values.items():
        if value < threshold and not (value == 0 and name in keep):
            suppressed[name] = "primary: count below the threshold"
        elif value >= threshold and name != "all" and draw(st.integers(0, 5)) == 0:
            # (the grand total stays shown, so that the enumeration bounds every count)
            suppressed[name] = "secondary: protects another count"
        else:
            shown[name] = int(_round(np.array([value]), round_to)[0])
    shares = []
    if draw(st.booleans()):  # a share of the exact counts, printed to 0.1%
        numerator = draw(st.sampled_from(["a", "b"]))
        denominator = "all"
        if values[denominator] > 0:
            exact = values[numerator] / values[denominator]
            shares.append((numerator, denominator, round(exact, 3), 0.0005))
    return {
        "values": functions,
        "sums": sums,
        "shown": shown,
        "suppressed": suppressed,
        "shares": shares,
        "threshold": threshold,
        "round_to": round_to,
        "keep": keep,
        "limit": 4 * top + 4 if square else 3 * top + 4,
        "cells": cells,
    }


@settings(max_examples=max(20, settings().max_examples))
@given(published_tables())
def test_integer_programmes_agree_with_enumeration(table: dict[str, Any]) -> None:
    audit = audit_counts(
        table["shown"],
        table["suppressed"],
        sums=table["sums"],
        shares=table["shares"],
        threshold=table["threshold"],
        round_to=table["round_to"],
        keep_zeros=table["keep"],
    )
    expected = _naive_bounds(table["cells"], table["limit"], table)
    assert [c.name for c in audit.counts] == list(table["suppressed"])
    for count in audit.counts:
        low, high = expected[count.name]
        assert count.low == low, count
        if count.high is not None:
            assert count.high == high, count
        else:  # unbounded: cannot be, with the grand total shown or below the threshold
            pytest.fail(f"{count} has no upper bound")
        assert count.recoverable == (count.high is not None and low == high)
    assert audit.n_recoverable == sum(c.recoverable for c in audit.counts)
    assert audit.recoverable == tuple(c.name for c in audit.counts if c.recoverable)


# ---- hand-worked cases ----------------------------------------------------------------------


def test_the_leak_of_the_issue_is_found() -> None:
    # Female 150 and Male 128 (shown 130) with their shares of the 278 people whose gender
    # is known computed exactly, and 2 whose gender is not known (suppressed); the
    # ethnicity table's shares fix everyone at 280: the 2 is recovered
    shown = {"female": 150, "male": 130, "everyone": 280, "white": 160, "other": 120}
    suppressed = {"gender not known": "primary: count below 5"}
    sums = [
        ("everyone", ["known gender", "gender not known"]),
        ("known gender", ["female", "male"]),
        ("everyone", ["white", "other"]),
    ]
    gender = [
        ("female", "known gender", 150 / 278, 1e-12),
        ("male", "known gender", 128 / 278, 1e-12),
    ]
    ethnicity = [("white", "everyone", 161 / 280, 1e-12)]
    leak = audit_counts(shown, suppressed, sums=sums, shares=[*gender, *ethnicity])
    assert leak.recoverable == ("gender not known",)
    assert (leak.counts[0].low, leak.counts[0].high) == (2, 2)
    assert leak.n_shares == 3
    # printed to one decimal as in the text, 54.0 and 57.5, they still pin it: only 161
    # of 280 is within 57.45-57.55% among 278-282 people, and then only 150 of 278 is
    # within 53.95-54.05% among the knowns
    printed = [("female", "known gender", 0.540, 0.0005), ("white", "everyone", 0.575, 0.0005)]
    text = audit_counts(shown, suppressed, sums=sums, shares=printed)
    assert text.recoverable == ("gender not known",)
    # and shares of the published counts add nothing: rounding alone leaves 0 to 4
    rounded = audit_counts(shown, suppressed, sums=sums)
    assert (rounded.counts[0].low, rounded.counts[0].high) == (0, 4)


def test_a_table_suppressed_cell_by_cell_is_recovered_through_its_total() -> None:
    # 12, 3 (hidden) and 40 with the row total 55, published exactly
    audit = audit_counts(
        {"a": 12, "c": 40, "row": 55},
        {"b": "primary: count below 5"},
        sums={"row": ["a", "b", "c"]},
        round_to=1,
    )
    assert audit.recoverable == ("b",)
    assert (audit.counts[0].low, audit.counts[0].high) == (3, 3)
    # a second suppressed cell protects it
    protected = audit_counts(
        {"c": 40, "row": 55},
        {"a": "secondary: protects b", "b": "primary: count below 5"},
        sums={"row": ["a", "b", "c"]},
        round_to=1,
    )
    assert protected.n_recoverable == 0
    assert [(c.low, c.high) for c in protected.counts] == [(11, 15), (0, 4)]


def test_the_rules_can_pin_a_count_by_themselves() -> None:
    # zeros shown and a threshold of 2: a suppressed count can only be 1
    audit = audit_counts({}, {"a": "primary"}, threshold=2, keep_zeros=True)
    assert audit.recoverable == ("a",)
    # a kept zero next to rounding to 10 with a threshold of 3: "0" is 0, 3 or 4
    rounded = audit_counts(
        {"a": 0, "t": 0},
        {"b": "primary"},
        sums={"t": ["a", "b"]},
        threshold=3,
        round_to=10,
        keep_zeros=True,
    )
    assert (rounded.counts[0].low, rounded.counts[0].high) == (1, 1)  # a = 3, t = 4
    assert rounded.recoverable == ("b",)


def test_a_count_nothing_bounds_has_no_upper_bound() -> None:
    audit = audit_counts({"a": 10}, {"b": "secondary", "c": "unknown reason"})
    assert [(c.low, c.high, c.recoverable) for c in audit.counts] == [
        (5, None, False),
        (0, None, False),
    ]


def test_audit_result_is_readable_and_json_safe() -> None:
    audit = audit_counts({"a": 10, "t": 15}, {"b": "primary"}, sums={"t": ["a", "b"]})
    assert repr(audit) == (
        "DisclosureAudit(suppressed=1, recoverable=0, published=2, sums=1, shares=0, "
        "threshold=5, round_to=5)"
    )
    out = json.loads(json.dumps(audit.to_dict()))
    assert out["counts"] == [
        {"name": "b", "reason": "primary", "low": 1, "high": 4, "recoverable": False}
    ]
    assert out["method"] == "milp"
    assert isinstance(audit, DisclosureAudit)
    assert isinstance(audit.counts[0], AuditedCount)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"shown": [1]}, r"`shown` must be a mapping of count name to published value; got list"),
        ({"suppressed": ["b"]}, r"`suppressed` must be a mapping of count name to reason"),
        ({"shown": {"a": -5}}, r"`shown` must hold non-negative whole numbers; got -5 for 'a'"),
        ({"shown": {"a": 2.5}}, r"`shown` must hold non-negative whole numbers; got 2.5"),
        ({"shown": {"a": True}}, r"`shown` must hold non-negative whole numbers; got True"),
        ({"shown": {1: 10}}, r"`shown` must name counts with strings; got 1"),
        ({"suppressed": {2: "primary"}}, r"`suppressed` must name counts with strings"),
        (
            {"shown": {"a": 10, "b": 10}},
            r"`suppressed` must name counts that are not also in `shown`; got \['b'\]",
        ),
        ({"sums": 3}, r"`sums` must be a mapping of total name .*; got int"),
        ({"sums": {"t": "a"}}, r"`sums` must map each total to a non-empty list of parts"),
        ({"sums": {"t": []}}, r"`sums` must map each total to a non-empty list of parts"),
        ({"sums": [("t", ["a"], 1)]}, r"`sums` must hold \(total, parts\) pairs"),
        ({"sums": {"t": [1]}}, r"`sums` must name counts with strings; got 1"),
        ({"shares": "x"}, r"`shares` must be a sequence of \(numerator, denominator"),
        ({"shares": [("a", "t", 0.5)]}, r"`shares` must hold \(numerator, denominator, value"),
        ({"shares": [("a", "t", -0.5, 0.1)]}, r"with a value and a half-width that are finite"),
        ({"shares": [("a", "t", 0.5, float("nan"))]}, r"that are finite and non-negative"),
        ({"shares": [(1, "t", 0.5, 0.1)]}, r"`shares` must name counts with strings"),
        ({"threshold": 0}, r"`threshold` must be a positive integer; got 0"),
        ({"round_to": 2.5}, r"`round_to` must be a positive integer; got 2.5"),
        ({"threshold": True}, r"`threshold` must be a positive integer; got True"),
        ({"keep_zeros": "a"}, r"`keep_zeros` must be True, False or a collection of count"),
        ({"keep_zeros": 3}, r"`keep_zeros` must be True, False or a collection of count"),
        (
            {"shown": {"a": 2}},
            r"`shown` must hold values that counts of at least 5 round to .*; got 2 for 'a'",
        ),
        (
            {"shown": {"a": 10, "t": 40}, "sums": {"t": ["a", "b"]}},
            r"`shown` must agree with `suppressed`, `sums` and `shares`; got numbers that no",
        ),
        (
            {"threshold": 1, "keep_zeros": True},
            r"`suppressed` must name counts that the primary rule can hide \(below 1\)",
        ),
    ],
)
def test_invalid_arguments(arguments: dict[str, Any], message: str) -> None:
    given_arguments: dict[str, Any] = {"shown": {"a": 10}, "suppressed": {"b": "primary"}}
    given_arguments.update(arguments)
    shown, suppressed = given_arguments.pop("shown"), given_arguments.pop("suppressed")
    with pytest.raises(InvalidInputError, match=message):
        audit_counts(shown, suppressed, **given_arguments)
