"""The encoder's fast paths for text and object columns, against a naive factorisation.

Numpy text arrays are factorised through 64-bit row keys (packed characters or a hash),
object arrays through object identity, Arrow or a dict; every path must give the factor a
plain Python factorisation gives (sorted levels, blanks and listed labels missing).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Factor, InvalidInputError, crosstab, tally
from tests.core.test_factor import assert_same, naive_factor

# Alphabets that exercise each key: one byte per character, two, and beyond the BMP.
ASCII = "abcXYZ -_0"
LATIN = "éüßÅ"
WIDE = "ŁΩЖ中"
ASTRAL = "\U0001f600\U00010348"


def text_labels(alphabet: str, max_len: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=max_len)


@st.composite
def text_columns(draw: st.DrawFn) -> tuple[list[str], tuple[str, ...]]:
    """Label lists with few distinct values (some blank), short or long, narrow or wide."""
    alphabet = draw(st.sampled_from([ASCII, ASCII + LATIN, ASCII + WIDE, ASCII + ASTRAL]))
    max_len = draw(st.sampled_from([1, 2, 4, 8, 9, 24]))
    pool = draw(st.lists(text_labels(alphabet, max_len), min_size=1, max_size=12))
    values = draw(st.lists(st.sampled_from(pool), max_size=60))
    missing = tuple(draw(st.lists(st.sampled_from(pool), max_size=2)))
    return values, missing


@given(text_columns())
def test_numpy_text_matches_naive(column: tuple[list[str], tuple[str, ...]]) -> None:
    values, missing = column
    expected = naive_factor(values, missing)
    unicode = np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")
    assert_same(Factor.from_values(unicode, missing_labels=missing), expected)
    # the same labels as an object array of distinct objects, and of shared objects
    distinct = np.array([str(v) + "" for v in values], dtype=object)
    assert_same(Factor.from_values(distinct, missing_labels=missing), expected)


@given(text_columns())
def test_byte_strings_match_naive(column: tuple[list[str], tuple[str, ...]]) -> None:
    values, missing = column
    encoded = [v.encode("utf-8") for v in values]
    missing_bytes = tuple(m.encode("utf-8") for m in missing)
    array = np.array(encoded, dtype=bytes) if encoded else np.zeros(0, dtype="S1")
    got = Factor.from_values(array, missing_labels=missing_bytes)
    assert all(type(level) is bytes for level in got.levels)
    # numpy byte strings drop trailing NUL bytes; none of these labels has one
    assert_same(got, naive_factor(encoded, missing_bytes))


@pytest.mark.parametrize("kind", ["U", "S", "shared objects", "distinct objects"])
@pytest.mark.parametrize("width", [3, 12])
def test_large_columns_with_rare_labels_after_the_sample(kind: str, width: int) -> None:
    # 100,000 records: the sample sees the common labels; rare ones occur only later, and
    # more than a thousand distinct labels appear in one column (a sorted, not hashed, table)
    rng = np.random.default_rng(7)
    common = [f"{k:0{width}d}" for k in range(4)]
    many = [f"{k:0{width}d}" for k in range(100, 1600)]
    values = [common[i] for i in rng.integers(0, 4, 100_000)]
    values[70_000] = "rare"
    values[99_999] = "rarer"
    column: Any
    if kind == "U":
        column = np.array(values)
    elif kind == "S":
        column = np.array(values).astype("S")
    elif kind == "shared objects":
        column = np.array(values, dtype=object)
    else:
        column = np.array([v + "" for v in values], dtype=object)
    for labels in (values, [many[k % len(many)] for k in range(50_000)]):
        if labels is not values:
            column = np.array(labels) if kind == "U" else np.array(labels, dtype=object)
        f = Factor.from_values(column)
        expected = naive_factor(list(labels))
        decoded = tuple(x.decode() if isinstance(x, bytes) else x for x in f.levels)
        assert decoded == expected.levels
        assert np.array_equal(f.codes, expected.codes)


def test_long_text_is_hashed_and_checked() -> None:
    # 30 characters do not pack into 64 bits: keys are hashes, checked against the text
    labels = ["x" * 29 + c for c in "abc"] + ["y" * 30, ""]
    values = [labels[k % 5] for k in range(20_000)]
    f = Factor.from_values(np.array(values))
    assert f.levels == tuple(sorted(set(labels) - {""}))
    assert f.n_missing == 4_000
    assert_same(f, naive_factor(values))


def test_hash_collisions_are_split() -> None:
    # Check the collision branch directly (a private fast-path helper against the naive
    # answer): pretend every record hashed to one key whose representative is record 0.
    from ipsstats._encoding import _check_hashed  # noqa: PLC0415  # fast path vs naive

    array = np.array(["b", "a", "b", "c", "a"])
    codes = np.zeros(5, dtype=np.intp)
    codes, representatives = _check_hashed(array, codes, np.array([0], dtype=np.intp))
    labels = array[representatives]
    assert labels[codes].tolist() == array.tolist()
    assert sorted(labels.tolist()) == ["a", "b", "c"]


def test_object_columns_without_pyarrow_use_a_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    values = [f"id{k}" for k in range(70_000)] + [None, "id3"]
    column = np.array(values, dtype=object)
    assert_same(Factor.from_values(column), naive_factor(values))


def test_object_columns_that_arrow_does_not_read_as_text() -> None:
    # many distinct objects: not text (integers) or mixed types go to the dict
    ints = np.array([10**12 + k for k in range(70_000)], dtype=object)
    f = Factor.from_values(ints)
    assert f.levels[:2] == (10**12, 10**12 + 1)
    mixed = np.array([str(k) if k % 2 else k for k in range(70_000)], dtype=object)
    g = Factor.from_values(mixed)
    assert g.levels[:3] == (0, "1", 2)  # unorderable: first-seen order
    assert g.n == 70_000


def test_distinct_text_objects_with_missing_values_through_arrow() -> None:
    values: list[object] = [f"g{k % 7}" + "" for k in range(70_000)]
    values[5] = None
    values[9] = float("nan")
    values[11] = "  "
    f = Factor.from_values(np.array(values, dtype=object), missing_labels=["g3"])
    assert f.levels == ("g0", "g1", "g2", "g4", "g5", "g6")
    assert f.n_missing == 3 + 10_000 - int(values[3] != "g3")
    assert_same(f, naive_factor(values, ("g3",)))


def test_shared_objects_keep_first_seen_order_when_unorderable() -> None:
    labels: list[object] = [(1, 2), "a", 3]
    values = [labels[k % 3] for k in range(9_000)]
    f = Factor.from_values(np.array([*values, None], dtype=object))
    assert f.levels == ((1, 2), "a", 3)
    assert f.codes[:4].tolist() == [0, 1, 2, 0]


def test_equal_but_distinct_objects_are_one_level() -> None:
    values = np.array([1, 1.0, True, 2, 2.0], dtype=object)
    f = Factor.from_values(values)
    assert f.levels == (1, 2)
    assert f.codes.tolist() == [0, 0, 0, 1, 1]


def test_unhashable_object_among_repeated_objects() -> None:
    bad = [1]
    column = np.empty(6, dtype=object)
    column[:] = ["a", "b", "a", bad, "b", bad]
    with pytest.raises(
        InvalidInputError, match=r"`values` must hold hashable labels; got unhashable \[1\] at "
    ):
        Factor.from_values(column)
    with pytest.raises(InvalidInputError, match=r"hashable labels; got unhashable \(1, \[2\]\)"):
        Factor.from_values(np.array([(1, [2]), "a"] + ["a"] * 10, dtype=object))


def test_large_lists_take_the_array_paths() -> None:
    values = ["b", "a", None] * 3_000
    assert_same(Factor.from_values(values), naive_factor(values))
    assert tally(values).counts.tolist() == [3_000, 3_000]


def test_crosstab_of_text_columns_matches_object_columns() -> None:
    rng = np.random.default_rng(3)
    rows = np.array(["White", "Asian", "Black", "Mixed", "Other", ""])[rng.integers(0, 6, 50_000)]
    cols = np.array(["CNWL", "WWT"])[rng.integers(0, 2, 50_000)]
    a = crosstab(rows, cols)
    b = crosstab(rows.astype(object), cols.astype(object))
    c = crosstab(rows.astype("S"), cols.astype("S"), missing_labels=[b""])
    assert a.row_levels == b.row_levels == ("Asian", "Black", "Mixed", "Other", "White")
    assert c.row_levels == (b"Asian", b"Black", b"Mixed", b"Other", b"White")
    assert np.array_equal(a.counts, b.counts)
    assert np.array_equal(a.counts, c.counts)
    assert a.n_missing == b.n_missing == c.n_missing == int((rows == "").sum())
