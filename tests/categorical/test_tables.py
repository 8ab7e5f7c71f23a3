from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import (
    ContingencyTable,
    Counts,
    Factor,
    InvalidInputError,
    StratifiedTable,
    crosstab,
    tally,
)
from tests.strategies import (
    count_tables,
    count_vectors,
    labels_with_missing,
    stratified_tables,
)

# Perkins et al. (2022), BJPsych Bulletin, Table 1: people accessing IPS in 2019 by ethnicity.
# Erratum (checked against the column sums, the total 278, 41.3% and Table 2): WWT White is
# 144, not the printed 114. "Missing (not known/prefer not to say)": CNWL 47, WWT 18.
ETHNIC_GROUPS = ["White", "Asian/Asian British", "Black/Black British", "Mixed", "Other"]
TABLE1 = {"CNWL": [134, 77, 64, 38, 52], "WWT": [144, 114, 63, 21, 7]}
TABLE1_MISSING = {"CNWL": 47, "WWT": 18}
MISSING_LABELS = ("Not known", "Prefer not to say")
NOT_AN_INT: Any = 1.5
NOT_A_MAPPING: Any = [1, 2]


def table1_records() -> tuple[list[str], list[str]]:
    """Records (ethnicity, service) reproducing Table 1, missing ones labelled "Not known"."""
    ethnicity: list[str] = []
    service: list[str] = []
    for name, counts in TABLE1.items():
        for group, count in zip(ETHNIC_GROUPS, counts, strict=True):
            ethnicity += [group] * count
            service += [name] * count
        ethnicity += ["Not known"] * TABLE1_MISSING[name]
        service += [name] * TABLE1_MISSING[name]
    return ethnicity, service


def cells(table: ContingencyTable) -> dict[tuple[object, object], int]:
    return {
        (r, c): int(table.counts[i, j])
        for i, r in enumerate(table.row_levels)
        for j, c in enumerate(table.col_levels)
        if table.counts[i, j]
    }


def is_missing(value: object, wanted: frozenset[object]) -> bool:
    """The documented rule: None, NaN, blank text or one of the missing labels."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return value in wanted


def naive_crosstab(
    rows: list[Any], cols: list[Any], missing_labels: tuple[object, ...] = ()
) -> tuple[Counter[tuple[Any, Any]], int]:
    """Obviously-correct counting of complete records, and the number with a missing value."""
    wanted = frozenset(missing_labels)
    complete: Counter[tuple[Any, Any]] = Counter()
    n_missing = 0
    for r, c in zip(rows, cols, strict=True):
        if is_missing(r, wanted) or is_missing(c, wanted):
            n_missing += 1
        else:
            complete[(r, c)] += 1
    return complete, n_missing


# --- builders and validation ----------------------------------------------------------------


def test_counts_from_counts_defaults_and_identity() -> None:
    c = Counts.from_counts([3, 5])
    assert c.levels == ("0", "1")
    assert Counts.from_counts(c) is c
    assert Counts.from_counts(c, ["a", "b"]).levels == ("a", "b")
    assert Counts.from_counts(np.array([2.0, 0.0])).counts.dtype == np.int64


def test_table_from_counts_identity_and_relabel() -> None:
    t = ContingencyTable.from_counts([[1, 2], [3, 4]])
    assert (t.row_levels, t.col_levels) == (("0", "1"), ("0", "1"))
    assert ContingencyTable.from_counts(t) is t
    relabelled = ContingencyTable.from_counts(t, rows=["a", "b"])
    assert relabelled.row_levels == ("a", "b")
    s = StratifiedTable.from_counts(np.ones((2, 2, 3), dtype=int))
    assert StratifiedTable.from_counts(s) is s
    assert StratifiedTable.from_counts(s, strata=["x", "y"]).strata_levels == ("x", "y")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Counts.from_counts([1, -3], ["a", "b"]), r"got -3 at label 'b'"),
        (lambda: Counts.from_counts([1.5]), "`counts` must hold whole-number counts"),
        (lambda: Counts.from_counts([[1]]), "`counts` must be 1-dimensional"),
        (
            lambda: Counts.from_counts([1, 2], ["a"]),
            r"`levels` must hold one label per level \(2\)",
        ),
        (lambda: Counts.from_counts([1], n_missing=-1), "`n_missing` must be a non-negative"),
        (
            lambda: Counts.from_counts([1], n_missing=NOT_AN_INT),
            "`n_missing` must be a non-negative",
        ),
        (lambda: Counts.from_counts([1], n_missing=True), "`n_missing` must be a non-negative"),
        (lambda: Counts(counts=[1], levels=["a"], n_dropped=-1), "`n_dropped` must be"),
        (lambda: Counts(counts=[1], levels=["a"], missing="error"), "`missing` must be one of"),
        (lambda: Counts(counts=[1, 2], levels=["a"]), "`levels` must hold one label per entry"),
        (lambda: Counts(counts=[[1]], levels=["a"]), "`counts` must be 1-dimensional"),
        (
            lambda: Counts.from_mapping(NOT_A_MAPPING),
            r"`mapping` must be a mapping \{label: count\}",
        ),
        (lambda: Counts.from_mapping({"a": 1, "b": -2}), r"`mapping` .* -2 at label 'b'"),
        (lambda: ContingencyTable.from_counts([1, 2]), "`counts` must be 2-dimensional"),
        (lambda: ContingencyTable.from_counts([[1, 2]], cols=["a"]), "`cols` must hold one"),
        (
            lambda: ContingencyTable.from_counts([[1]], rows=["a", "a"]),
            "`rows` must hold distinct",
        ),
        (lambda: ContingencyTable.from_counts([[np.nan]]), "`counts` must hold finite counts"),
        (
            lambda: ContingencyTable(counts=[[1]], row_levels=["a"], col_levels=["b", "c"]),
            "`col_levels` must hold one label per entry",
        ),
        (
            lambda: ContingencyTable(
                counts=[[1]], row_levels=["a"], col_levels=["b"], with_missing=[[0, 0]]
            ),
            r"`with_missing` must have shape \(2, 2\); got shape \(1, 2\)",
        ),
        (
            lambda: ContingencyTable(
                counts=[[1]], row_levels=["a"], col_levels=["b"], with_missing=[[0, 0], [0, 2]]
            ),
            "`with_missing` must hold `counts` after its leading missing slots",
        ),
        (
            lambda: ContingencyTable(
                counts=[[1]], row_levels=["a"], col_levels=["b"], with_missing=[[3, 0], [0, 1]]
            ),
            r"`n_missing` must equal .*; got 0 \(the missing slots hold 3\)",
        ),
        (lambda: StratifiedTable.from_counts([[1, 2]]), "`counts` must be 3-dimensional"),
        (lambda: StratifiedTable.from_counts([[[1]]], strata=[]), "`strata` must hold one"),
        (lambda: StratifiedTable.from_tables({}), "`tables` must be a non-empty mapping"),
    ],
)
def test_builder_validation(build: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()


def test_from_mapping_missing_keys_and_empty() -> None:
    c = Counts.from_mapping(
        {"a": 2, None: 1, "": 4, "Prefer not to say": 3}, missing_labels=MISSING_LABELS
    )
    assert (c.levels, c.counts.tolist(), c.n_missing) == (("a",), [2], 8)
    empty = Counts.from_mapping({})
    assert (empty.levels, empty.n, empty.n_missing) == ((), 0, 0)


def test_stratified_from_tables_aligns_levels() -> None:
    a = ContingencyTable.from_counts([[1, 2]], rows=["x"], cols=["yes", "no"], n_missing=2)
    b = ContingencyTable.from_counts([[3], [4]], rows=["y", "x"], cols=["no"])
    s = StratifiedTable.from_tables({"A": a, "B": b}, strata_name="service")
    assert s.row_levels == ("x", "y")
    assert s.col_levels == ("yes", "no")
    assert s.counts.tolist() == [[[1, 2], [0, 0]], [[0, 4], [0, 3]]]
    assert (s.n_missing, s.strata_name) == (2, "service")


# --- tally and crosstab ---------------------------------------------------------------------


def test_tally_missing_rules() -> None:
    values = ["b", "a", None, "Not known", "b"]
    report = tally(values, missing_labels=MISSING_LABELS, name="x")
    assert (report.levels, report.counts.tolist(), report.n_missing) == (("a", "b"), [1, 2], 2)
    assert report.missing == "report"
    assert "Missing" in report.to_text()
    dropped = tally(values, missing="drop", missing_labels=MISSING_LABELS)
    assert (dropped.n_missing, dropped.missing) == (2, "drop")
    assert "Missing" not in dropped.to_text()
    with pytest.raises(
        InvalidInputError,
        match=r"`values` must have no missing values when `missing='error'`; "
        r"got None at index 2, 'Not known' at index 3\. Hint: pass missing='report'",
    ) as info:
        tally(values, missing="error", missing_labels=MISSING_LABELS)
    assert info.value.positions == (2, 3)
    assert tally(["a"], missing="error").n == 1


def test_tally_levels_and_names() -> None:
    c = tally(pd.Series(["b", "b"], name="ethnicity"), levels=["a", "b"])
    assert (c.levels, c.counts.tolist(), c.name) == (("a", "b"), [0, 2], "ethnicity")
    with pytest.raises(
        InvalidInputError, match=r"`values` must hold only labels listed in `levels`"
    ):
        tally(["a", "c"], levels=["a"])
    with pytest.raises(
        InvalidInputError, match="`missing` must be one of 'report', 'drop', 'error'"
    ):
        tally(["a"], missing="ignore")  # type: ignore[arg-type]


def test_crosstab_missing_row_and_column() -> None:
    rows = ["a", None, "b", "a", None, "a"]
    cols = [1, 1, None, 2, None, 2]
    t = crosstab(rows, cols)
    assert isinstance(t, ContingencyTable)
    # "b" is a level (it was seen) although its only record lacks a column value
    assert t.counts.tolist() == [[1, 2], [0, 0]]
    assert t.row_levels == ("a", "b")
    assert t.col_levels == (1, 2)
    assert t.n_missing == 3
    assert t.missing_row is not None
    assert t.missing_col is not None
    assert t.missing_row.tolist() == [1, 0]
    assert t.missing_col.tolist() == [0, 1]
    assert t.with_missing is not None
    assert t.with_missing[0, 0] == 1
    assert "Missing" in t.format_percent()


def test_crosstab_missing_error_names_argument() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`cols` must have no missing values.*got nan at index 1"
    ):
        crosstab(["a", "b"], [1.0, float("nan")], missing="error")


def test_crosstab_unknown_values_name_levels_argument() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"`rows` must hold only labels listed in `row_levels`.*'c' at index 2",
    ):
        crosstab(["a", "b", "c"], [1, 1, 1], row_levels=["a", "b"])
    with pytest.raises(
        InvalidInputError, match=r"`cols` must hold only labels listed in `col_levels`"
    ):
        crosstab(["a"], [5], col_levels=[1])
    with pytest.raises(InvalidInputError, match=r"`strata` must hold only labels listed in"):
        crosstab(["a"], [5], strata=["s"], strata_levels=["t"])
    with pytest.raises(InvalidInputError, match="`col_levels` must hold distinct labels"):
        crosstab(["a"], [5], col_levels=[5, 5])


def test_crosstab_lengths_must_match() -> None:
    with pytest.raises(InvalidInputError, match=r"`rows` must have the same length as `cols`"):
        crosstab(["a", "b"], [1])


def test_crosstab_refuses_identifier_sized_tables() -> None:
    ids = np.arange(20_000).astype(str).astype(object)
    with pytest.raises(InvalidInputError, match=r"`rows` must make a table of at most"):
        crosstab(ids, ids[::-1].copy())


def test_crosstab_many_distinct_values_still_counts() -> None:
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 3000, 5000)
    other = rng.integers(0, 3000, 5000).astype(str).astype(object)
    t = crosstab(ids, other)
    assert isinstance(t, ContingencyTable)
    assert t.n == 5000
    expected, _ = naive_crosstab(ids.tolist(), other.tolist())
    assert cells(t) == dict(expected)


def test_crosstab_strata_returns_stratified_table() -> None:
    rows = ["a", "b", "a", None, "b"]
    cols = ["y", "n", "n", "y", "y"]
    strata = ["s1", "s1", "s2", "s2", None]
    s = crosstab(rows, cols, strata=strata, strata_name="service")
    assert isinstance(s, StratifiedTable)
    assert s.strata_levels == ("s1", "s2")
    assert s.counts.sum() == 3
    assert s.n_missing == 2
    first, second = s.tables()
    assert cells(first) == {("a", "y"): 1, ("b", "n"): 1}
    assert (second.n, second.n_missing) == (1, 1)
    text = s.format_percent()
    assert "service = s1" in text
    assert "Missing service: 1" in text
    assert "StratifiedTable(strata_name='service'" in repr(s)


@given(labels_with_missing(), st.data())
def test_tables_from_records_sum_to_n_plus_missing(
    rows: list[object], data: st.DataObject
) -> None:
    cols = data.draw(
        st.lists(st.sampled_from([1, 2, 3, None]), min_size=len(rows), max_size=len(rows))
    )
    t = crosstab(rows, cols, missing_labels=MISSING_LABELS)
    assert isinstance(t, ContingencyTable)
    assert t.n + t.n_missing == len(rows)
    expected, n_missing = naive_crosstab(rows, cols)
    assert cells(t) == dict(expected)
    assert t.n_missing == n_missing
    c = tally(rows)
    assert c.n + c.n_missing == len(rows) == c.total


@given(labels_with_missing(), labels_with_missing(), st.data())
def test_sum_of_tables_equals_table_of_concatenated_records(
    first: list[object], second: list[object], data: st.DataObject
) -> None:
    labels = st.sampled_from(["CNWL", "WWT", "Not known"])
    cols_a = data.draw(st.lists(labels, min_size=len(first), max_size=len(first)))
    cols_b = data.draw(st.lists(labels, min_size=len(second), max_size=len(second)))
    a = crosstab(first, cols_a, missing_labels=MISSING_LABELS)
    b = crosstab(second, cols_b, missing_labels=MISSING_LABELS)
    whole = crosstab(first + second, cols_a + cols_b, missing_labels=MISSING_LABELS)
    assert isinstance(a, ContingencyTable)
    assert isinstance(b, ContingencyTable)
    assert isinstance(whole, ContingencyTable)
    combined = a + b
    assert cells(combined) == cells(whole)
    assert set(combined.row_levels) == set(whole.row_levels)
    assert combined.n_missing == whole.n_missing
    assert combined.with_missing is not None
    assert whole.with_missing is not None
    aligned = combined.reorder(whole.row_levels).reorder(whole.col_levels, axis="cols")
    assert aligned.with_missing is not None
    assert aligned.with_missing.tolist() == whole.with_missing.tolist()
    one = tally(first, missing_labels=MISSING_LABELS) + tally(
        second, missing_labels=MISSING_LABELS
    )
    together = tally(first + second, missing_labels=MISSING_LABELS)
    assert dict(zip(one.levels, one.counts.tolist(), strict=True)) == dict(
        zip(together.levels, together.counts.tolist(), strict=True)
    )
    assert one.n_missing == together.n_missing


@given(
    st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=30),
    st.data(),
)
def test_categorical_inputs_agree_with_plain_strings(
    rows: list[str | None], data: st.DataObject
) -> None:
    cols = data.draw(st.lists(st.sampled_from(["x", "y"]), min_size=len(rows), max_size=len(rows)))
    expected = crosstab(rows, cols)
    variants: list[tuple[object, object]] = [
        (pd.Series(rows, dtype="category"), pd.Categorical(cols)),
        (pl.Series(rows, dtype=pl.Categorical), pl.Series(cols, dtype=pl.Categorical)),
        (pa.array(rows, pa.string()).dictionary_encode(), pa.array(cols).dictionary_encode()),
        (Factor.from_values(rows), Factor.from_values(cols)),
    ]
    for r, c in variants:
        got = crosstab(r, c)
        assert got.row_levels == expected.row_levels
        assert got.col_levels == expected.col_levels
        np.testing.assert_array_equal(got.counts, expected.counts)
        assert got.n_missing == expected.n_missing


def test_integer_codes_large_input_in_chunks() -> None:
    rng = np.random.default_rng(3)
    n = 300_000  # several chunks, with ranges growing from chunk to chunk
    rows = rng.integers(0, 4, n)
    rows[-5:] = [7, -3, 7, 9, 4096]
    cols = rng.integers(2019, 2023, n).astype(np.int32)
    cols[-1] = 2030
    t = crosstab(rows, cols, missing_labels=[9])
    assert isinstance(t, ContingencyTable)
    expected, n_missing = naive_crosstab(rows.tolist(), cols.tolist(), (9,))
    assert cells(t) == dict(expected)
    assert t.n_missing == n_missing == 1
    assert t.row_levels in ((-3, 0, 1, 2, 3, 4096, 7), (-3, 0, 1, 2, 3, 7, 4096))


# --- table operations -----------------------------------------------------------------------


@pytest.fixture
def table() -> ContingencyTable:
    ethnicity, service = table1_records()
    t = crosstab(ethnicity, service, row_levels=ETHNIC_GROUPS, missing_labels=MISSING_LABELS)
    assert isinstance(t, ContingencyTable)
    return t


def test_arrays_are_read_only(table: ContingencyTable) -> None:
    arrays = [
        table.counts,
        table.row_totals,
        table.col_totals,
        table.proportions(),
        table.missing_row,
        table.missing_col,
        table.with_missing,
        tally(["a"]).counts,
        tally(["a"]).proportions(),
        crosstab(["a"], ["b"], strata=["c"]).counts,
    ]
    for array in arrays:
        assert array is not None
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1


def test_proportions(table: ContingencyTable) -> None:
    counts = table.counts.astype(float)
    np.testing.assert_allclose(table.proportions(), counts / 714, rtol=1e-15)
    np.testing.assert_allclose(table.proportions("col"), counts / [365, 349], rtol=1e-15)
    np.testing.assert_allclose(
        table.proportions("row"), counts / counts.sum(axis=1, keepdims=True), rtol=1e-15
    )
    empty = ContingencyTable.from_counts([[0, 1], [0, 3]])
    assert np.isnan(empty.proportions("col")[:, 0]).all()
    assert "0 (-)" in empty.format_percent()
    with pytest.raises(InvalidInputError, match="`margin` must be one of 'row', 'col', 'total'"):
        table.proportions("cols")  # type: ignore[arg-type]
    assert Counts.from_counts([1, 3]).proportions().tolist() == [0.25, 0.75]


def test_drop_counts_removed_records(table: ContingencyTable) -> None:
    dropped = table.drop(["Mixed", "Other"])
    assert dropped.row_levels == tuple(ETHNIC_GROUPS[:3])
    assert dropped.n == 714 - 118
    assert (dropped.n_dropped, dropped.n_missing) == (118, 65)
    assert dropped.exclusions == {"missing value": 65, "dropped level": 118}
    assert dropped.n_excluded == 183
    assert tally(["a"]).exclusions == {}
    no_wwt = table.drop("WWT", axis="cols")
    assert no_wwt.n == 365
    assert (no_wwt.n_missing, no_wwt.n_dropped) == (47, 349 + 18)
    counts = Counts.from_counts([1, 2, 3], ["a", "b", "c"], n_missing=4).drop("b")
    assert (counts.levels, counts.n_dropped, counts.n_missing) == (("a", "c"), 2, 4)
    with pytest.raises(InvalidInputError, match=r"`levels` must name existing levels .*'Polish'"):
        table.drop("Polish")
    with pytest.raises(InvalidInputError, match="`axis` must be one of 'rows', 'cols'"):
        table.drop("White", axis="columns")  # type: ignore[arg-type]


def test_collapse_merges_levels(table: ContingencyTable) -> None:
    grouped = table.collapse({"BAME": ETHNIC_GROUPS[1:]})
    assert grouped.row_levels == ("White", "BAME")
    assert grouped.counts.tolist() == [[134, 144], [231, 205]]
    assert (grouped.n, grouped.n_missing, grouped.n_dropped) == (714, 65, 0)
    assert grouped.missing_row is not None
    assert grouped.missing_row.tolist() == [47, 18]
    renamed = table.collapse({"Mixed": "Other"})
    assert renamed.row_levels == (*tuple(ETHNIC_GROUPS[:3]), "Other")
    assert renamed.counts[-1].tolist() == [90, 28]
    both = table.collapse({"all": ["CNWL", "WWT"]}, axis="cols")
    assert both.counts[:, 0].tolist() == [278, 191, 127, 59, 59]
    counts = Counts.from_counts([1, 2, 3], ["a", "b", "c"]).collapse({"a": "c"})
    assert (counts.levels, counts.counts.tolist()) == (("c", "b"), [4, 2])


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({}, "`mapping` must be a non-empty mapping"),
        (["White"], "`mapping` must be a non-empty mapping .* got list"),
        ({"x": ["White", "White"]}, "`mapping` must list each old level once; got 'White' twice"),
        ({"Polish": "White"}, r"`mapping` must map existing levels .*unknown level 'Polish'"),
        ({"White": None}, "`mapping` must map to hashable, non-missing labels; got None"),
    ],
)
def test_collapse_validation(table: ContingencyTable, mapping: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        table.collapse(mapping)


def test_reorder(table: ContingencyTable) -> None:
    order = list(reversed(ETHNIC_GROUPS))
    flipped = table.reorder(order)
    assert flipped.row_levels == tuple(order)
    assert flipped.counts.tolist() == table.counts[::-1].tolist()
    assert flipped.reorder(["WWT", "CNWL"], axis="cols").counts[0].tolist() == [7, 52]
    with pytest.raises(
        InvalidInputError,
        match="`levels` must list every existing level exactly once; got 'Other' left out",
    ):
        table.reorder(ETHNIC_GROUPS[:4])
    with pytest.raises(InvalidInputError, match="got a level listed twice"):
        table.reorder([*ETHNIC_GROUPS, "White"])
    c = Counts.from_counts([1, 2], ["a", "b"]).reorder(["b", "a"])
    assert c.counts.tolist() == [2, 1]


def test_transpose(table: ContingencyTable) -> None:
    t = table.transpose()
    assert t.counts.tolist() == table.counts.T.tolist()
    assert (t.row_levels, t.col_levels) == (table.col_levels, table.row_levels)
    assert t.missing_col is not None
    assert t.missing_col.tolist() == [47, 18]
    assert t.T.counts.tolist() == table.counts.tolist()


def test_addition_aligns_by_label() -> None:
    a = ContingencyTable.from_counts([[1, 2]], rows=["x"], cols=["p", "q"], n_missing=1)
    b = ContingencyTable.from_counts([[5], [7]], rows=["y", "x"], cols=["q"], n_missing=2)
    total = a + b
    assert total.row_levels == ("x", "y")
    assert total.col_levels == ("p", "q")
    assert total.counts.tolist() == [[1, 9], [0, 5]]
    assert total.n_missing == 3
    assert total.with_missing is None
    c = Counts.from_counts([1, 2], ["a", "b"], n_missing=1) + Counts.from_counts([3], ["c"])
    assert (c.levels, c.counts.tolist(), c.n_missing) == (("a", "b", "c"), [1, 2, 3], 1)
    s = crosstab(["a"], ["b"], strata=["s"]) + crosstab(["a", "z"], ["b", "b"], strata=["t", "t"])
    assert isinstance(s, StratifiedTable)
    assert s.counts.tolist() == [[[1], [0]], [[1], [1]]]
    with pytest.raises(TypeError):
        _ = a + c
    dropped = ContingencyTable(counts=[[1]], row_levels=["a"], col_levels=["b"], missing="drop")
    with pytest.raises(
        InvalidInputError, match="`other` must use the same missing-value rule as the left table"
    ):
        _ = a + dropped


def test_names_kept_when_equal() -> None:
    a = ContingencyTable.from_counts([[1]], row_name="eth", col_name="svc")
    b = ContingencyTable.from_counts([[1]], row_name="eth", col_name="other")
    total = a + b
    assert (total.row_name, total.col_name) == ("eth", None)


def test_stratified_operations() -> None:
    s = crosstab(
        ["a", "b", "a", "b", None], ["y", "n", "n", "y", "y"], strata=["s", "s", "t", "t", "t"]
    )
    assert isinstance(s, StratifiedTable)
    assert s.drop("s").n == 2
    assert s.reorder(["n", "y"], axis="cols").col_levels == ("n", "y")
    assert s.collapse({"all": ["s", "t"]}).counts.shape == (1, 2, 2)
    np.testing.assert_allclose(s.proportions().sum(axis=(1, 2)), [1.0, 1.0], rtol=1e-15)
    assert s.proportions("row").shape == (2, 2, 2)
    assert s.proportions("col").shape == (2, 2, 2)
    assert "stratum = s" in s.to_text()
    assert str(s) == s.to_text()
    d = s.to_dict()
    assert json.loads(json.dumps(d))["strata_levels"] == ["s", "t"]
    plain = StratifiedTable.from_counts(np.ones((1, 2, 2), dtype=int), n_missing=3)
    assert plain.tables()[0].n_missing == 0
    assert "Missing: 3" in plain.format_percent()


def test_reprs_and_dicts(table: ContingencyTable) -> None:
    text = repr(table)
    assert text.startswith("ContingencyTable(row_name=None, col_name=None, n=714, n_missing=65")
    assert "Missing" in text
    d = table.to_dict()
    assert json.loads(json.dumps(d))["counts"][0] == [134, 144]
    assert d["missing_row"] == [47, 18]
    c = tally(["a", "b", "a"], name="x")
    assert (
        repr(c) == "Counts(name='x', n=3, n_missing=0, missing='report', counts={'a': 2, 'b': 1})"
    )
    assert c.to_dict()["levels"] == ["a", "b"]
    assert str(c) == c.to_text()
    assert str(table) == table.to_text()
    with_margins = table.format_percent(margin="row", totals=True, digits=2)
    assert "134 (48.20)" in with_margins
    assert "Total" in with_margins
    assert "134 (18.8)" in table.format_percent(margin="total")


@pytest.mark.parametrize("digits", [-1, 11, 1.5, True])
def test_digits_validation(table: ContingencyTable, digits: Any) -> None:
    with pytest.raises(InvalidInputError, match="`digits` must be a whole number from 0 to 10"):
        table.format_percent(digits=digits)
    with pytest.raises(InvalidInputError, match="`digits` must be a whole number from 0 to 10"):
        Counts.from_counts([1]).format_percent(digits=digits)


def test_zero_digits(table: ContingencyTable) -> None:
    assert "134 (37)" in table.format_percent(digits=0)


def test_missing_column_is_shown() -> None:
    t = crosstab(["a", "a", "b"], ["x", None, "x"], row_name="r")
    assert isinstance(t, ContingencyTable)
    lines = t.format_percent(totals=True).splitlines()
    assert lines[0].split() == ["r", "x", "Missing", "Total"]
    assert lines[1].split() == ["a", "1", "(50.0)", "1", "1", "(50.0)"]
    dropped = crosstab(["a", "a", "b"], ["x", None, "x"], missing="drop")
    assert "Missing" not in dropped.format_percent()


@given(count_tables())
def test_from_counts_round_trip_and_margins(counts: np.ndarray[Any, Any]) -> None:
    t = ContingencyTable.from_counts(counts)
    assert t.n == int(counts.sum())
    assert t.row_totals.tolist() == counts.sum(axis=1).tolist()
    assert t.col_totals.tolist() == counts.sum(axis=0).tolist()
    assert (t + t).counts.tolist() == (2 * counts).tolist()
    assert t.transpose().transpose().counts.tolist() == counts.tolist()


@given(count_vectors())
def test_counts_addition_doubles(counts: np.ndarray[Any, Any]) -> None:
    c = Counts.from_counts(counts, n_missing=2)
    doubled = c + c
    assert doubled.counts.tolist() == (2 * counts).tolist()
    assert doubled.n_missing == 4


def test_relabelling_a_table_with_new_n_missing_drops_the_breakdown(
    table: ContingencyTable,
) -> None:
    relabelled = ContingencyTable.from_counts(table, n_missing=70, col_name="service")
    assert (relabelled.n_missing, relabelled.col_name, relabelled.with_missing) == (
        70,
        "service",
        None,
    )
    assert relabelled.counts.tolist() == table.counts.tolist()


def test_crosstab_very_wide_integer_labels() -> None:
    rows = np.array([10**12, 5, 10**12, -(10**12)])
    cols = np.array([0, 1, 1, 0])
    t = crosstab(rows, cols)
    assert isinstance(t, ContingencyTable)
    assert t.row_levels == (-(10**12), 5, 10**12)
    assert t.counts.tolist() == [[1, 0], [0, 1], [1, 1]]


def _records_table(records: list[tuple[Any, Any, Any]], levels: list[list[str]]) -> Any:
    """Cross-tabulate (stratum, row, column) records over fixed levels; None is missing."""
    strata, rows, cols = ([r[k] for r in records] for k in range(3))
    return crosstab(
        rows,
        cols,
        strata=strata,
        strata_levels=levels[0],
        row_levels=levels[1],
        col_levels=levels[2],
        strata_name="service",
        row_name="ethnicity",
        col_name="outcome",
    )


_RECORD = st.tuples(
    st.sampled_from(["s", "t", None]),
    st.sampled_from(["a", "b", "c", None]),
    st.sampled_from(["y", "n", None]),
)
_LEVELS = [["s", "t"], ["a", "b", "c"], ["y", "n"]]
_AXIS_NAMES: tuple[Literal["strata", "rows", "cols"], ...] = ("strata", "rows", "cols")


def _merged(record: tuple[Any, Any, Any], axis: int) -> tuple[Any, Any, Any]:
    """The record with its non-missing value on `axis` renamed "all"."""
    values = list(record)
    if values[axis] is not None:
        values[axis] = "all"
    return (values[0], values[1], values[2])


@given(st.lists(_RECORD, max_size=30), st.integers(0, 2), st.data())
def test_drop_equals_counting_the_records_left(
    records: list[tuple[Any, Any, Any]], axis: int, data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(_LEVELS[axis]))
    s = _records_table(records, _LEVELS)
    assert isinstance(s, StratifiedTable)
    dropped = s.drop(gone, axis=_AXIS_NAMES[axis])
    kept = [r for r in records if r[axis] != gone]
    expected = _records_table(kept, [[v for v in lv if v != gone] for lv in _LEVELS])
    assert dropped.counts.tolist() == expected.counts.tolist()
    assert dropped.with_missing is not None
    assert dropped.with_missing.tolist() == expected.with_missing.tolist()
    assert (dropped.n_missing, dropped.n_dropped) == (expected.n_missing, len(records) - len(kept))
    assert dropped._levels() == expected._levels()
    assert dropped._names() == ["service", "ethnicity", "outcome"]


@given(st.lists(_RECORD, max_size=30), st.integers(0, 2))
def test_collapse_and_reorder_equal_counting_relabelled_records(
    records: list[tuple[Any, Any, Any]], axis: int
) -> None:
    s = _records_table(records, _LEVELS)
    assert isinstance(s, StratifiedTable)
    name = _AXIS_NAMES[axis]
    first, *others = _LEVELS[axis]
    merged = s.collapse({"all": [first, *others]}, axis=name)
    relabelled = [_merged(r, axis) for r in records]
    levels = [["all"] if k == axis else lv for k, lv in enumerate(_LEVELS)]
    expected = _records_table(relabelled, levels)
    assert merged.counts.tolist() == expected.counts.tolist()
    assert merged.with_missing is not None
    assert merged.with_missing.tolist() == expected.with_missing.tolist()
    assert (merged.n_missing, merged.n_dropped) == (expected.n_missing, 0)
    assert merged._names() == ["service", "ethnicity", "outcome"]
    backwards = s.reorder(_LEVELS[axis][::-1], axis=name)
    levels = [lv[::-1] if k == axis else lv for k, lv in enumerate(_LEVELS)]
    assert backwards.with_missing is not None
    assert backwards.with_missing.tolist() == _records_table(records, levels).with_missing.tolist()


def test_level_operations_keep_the_class_and_names() -> None:
    c = Counts.from_counts([1, 2, 3], ["a", "b", "c"], name="eth", n_missing=4)
    t = ContingencyTable.from_counts([[1, 2], [3, 4]], row_name="eth", col_name="svc")
    for changed in (c.drop("a"), c.reorder(["c", "b", "a"]), c.collapse({"a": "b"})):
        assert isinstance(changed, Counts)
        assert (changed.name, changed.n_missing) == ("eth", 4)
    for table in (t.drop("0", axis="cols"), t.reorder(["1", "0"]), t.collapse({"0": "1"})):
        assert isinstance(table, ContingencyTable)
        assert (table.row_name, table.col_name, table.with_missing) == ("eth", "svc", None)
    assert str(c) == c.to_text()
    assert str(t) == t.to_text()


def test_sum_of_a_list_adds_each_kind() -> None:
    rows = ["a", "b", None, "a", "c", "b"]
    cols = ["y", None, "n", "n", "y", "y"]
    strata = ["s", "s", "t", "t", None, "t"]
    parts = [slice(0, 2), slice(2, 4), slice(4, 6)]
    counts = [tally(rows[p], name="eth") for p in parts]
    tables = [crosstab(rows[p], cols[p]) for p in parts]
    stacks = [crosstab(rows[p], cols[p], strata=strata[p]) for p in parts]
    for items in (counts, tables, stacks):
        pairwise = items[0] + items[1] + items[2]
        total = sum(items)
        assert type(total) is type(items[0])
        assert total.counts.tolist() == pairwise.counts.tolist()
        assert total._levels() == pairwise._levels()
        assert total._names() == pairwise._names()
        assert (total.n_missing, total.n_dropped) == (pairwise.n_missing, pairwise.n_dropped)
        assert repr(total) == repr(pairwise)
        assert sum(items[:1]) is items[0]
    whole = crosstab(rows, cols)
    assert isinstance(whole, ContingencyTable)
    total_table = sum(tables)
    assert isinstance(total_table, ContingencyTable)
    assert cells(total_table) == cells(whole)
    assert total_table.n_missing == whole.n_missing
    total_counts = sum(counts)
    assert isinstance(total_counts, Counts)
    assert total_counts.n_missing == tally(rows).n_missing == 1


@pytest.mark.parametrize("start", [1, -1, False, True, 0.0, None, "0", np.int64(1)])
def test_radd_accepts_only_zero(start: Any) -> None:
    c = Counts.from_counts([1, 2])
    t = ContingencyTable.from_counts([[1, 2]])
    s = StratifiedTable.from_counts([[[1, 2]]])
    for item in (c, t, s):
        assert item.__radd__(start) is NotImplemented
        with pytest.raises(TypeError):
            sum([item, item], start)
    assert (0 + c) is c
    assert c.__radd__(0) is c


@given(st.lists(count_vectors(), min_size=1, max_size=4))
def test_sum_of_counts_equals_naive_sum(vectors: list[np.ndarray[Any, Any]]) -> None:
    items = [
        Counts.from_counts(v, [f"L{k}" for k in range(len(v))], n_missing=j)
        for j, v in enumerate(vectors)
    ]
    total = sum(items)
    assert isinstance(total, Counts)
    expected: Counter[object] = Counter()
    for item in items:
        expected.update(dict(zip(item.levels, item.counts.tolist(), strict=True)))
    assert dict(zip(total.levels, total.counts.tolist(), strict=True)) == dict(expected)
    assert total.n_missing == sum(range(len(items)))


@given(st.lists(stratified_tables(max_strata=3), min_size=1, max_size=3))
def test_sum_of_stratified_tables_equals_naive_sum(arrays: list[np.ndarray[Any, Any]]) -> None:
    items = [StratifiedTable.from_counts(a) for a in arrays]
    total = sum(items)
    assert isinstance(total, StratifiedTable)
    shape = tuple(max(a.shape[k] for a in arrays) for k in range(3))
    expected = np.zeros(shape, dtype=np.int64)
    for a in arrays:
        expected[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    assert total.counts.tolist() == expected.tolist()


def test_crosstab_pairs_pandas_series_by_index_or_refuses() -> None:
    frame = pd.DataFrame(
        {"group": ["a", "b", "a", "b"], "job": ["yes", "no", "no", "no"]}, index=[10, 11, 12, 13]
    )
    same = crosstab(frame["group"], frame["job"])
    assert same.counts.tolist() == [[1, 1], [2, 0]]
    shuffled = frame["job"].sort_values()  # same records, another order: pairing by position
    with pytest.raises(
        InvalidInputError,
        match=r"`cols` must have the same row index as `rows` \(records are paired by "
        r"position\); got Series whose indexes differ\. Hint: align them first, e\.g\. "
        r"cols\.reindex\(rows\.index\)",
    ):
        crosstab(frame["group"], shuffled)
    aligned = crosstab(frame["group"], shuffled.reindex(frame.index))
    assert aligned.counts.tolist() == same.counts.tolist()
    with pytest.raises(
        InvalidInputError, match=r"`rows` must have the same row index as `strata`"
    ):
        crosstab(frame["group"].reset_index(drop=True), frame["job"], strata=frame["group"])
    # positions on purpose, lists and numpy arrays (no index) pair by position as before
    assert crosstab(frame["group"].to_numpy(), shuffled.to_numpy()).n == 4
    assert crosstab(["a", "b"], ["x", "y"]).n == 2
