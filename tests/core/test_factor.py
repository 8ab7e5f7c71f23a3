from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Factor, InvalidInputError
from ipsstats._arrays import is_missing_scalar  # fast path vs naive: naive_factor's missing rule
from tests.strategies import labels_with_missing

ETHNICITY = ["White", "Asian", None, "White", "Not known", "Black", ""]


def naive_factor(values: list[Any], missing_labels: tuple[object, ...] = ()) -> Factor:
    """Obviously-correct factorisation: sorted distinct non-missing labels, -1 for missing."""
    wanted = frozenset(missing_labels)
    kept = sorted({v for v in values if not is_missing_scalar(v, wanted)})
    position = {v: k for k, v in enumerate(kept)}
    codes = [-1 if is_missing_scalar(v, wanted) else position[v] for v in values]
    return Factor(codes=np.asarray(codes, dtype=np.int64), levels=kept)


def assert_same(a: Factor, b: Factor) -> None:
    assert a.levels == b.levels
    assert a.codes.tolist() == b.codes.tolist()


# --- construction ---------------------------------------------------------------------------


def test_from_values_strings_with_missing_labels() -> None:
    f = Factor.from_values(ETHNICITY, missing_labels=["Not known"], name="ethnicity")
    assert f.levels == ("Asian", "Black", "White")
    assert f.codes.tolist() == [2, 0, -1, 2, -1, 1, -1]
    assert (f.n, f.n_missing, len(f)) == (7, 3, 7)
    assert f.missing.tolist() == [False, False, True, False, True, False, True]
    assert f.name == "ethnicity"
    assert repr(f) == (
        "Factor(name='ethnicity', n=7, n_missing=3, levels=('Asian', 'Black', 'White'))"
    )


def test_explicit_levels_fix_order_and_keep_empty_levels() -> None:
    f = Factor.from_values(["b", "a", "b"], levels=["b", "c", "a"])
    assert f.levels == ("b", "c", "a")
    assert f.codes.tolist() == [0, 2, 0]


def test_integer_values_are_their_own_codes() -> None:
    f = Factor.from_values(np.array([3, 1, 3, 9, 1]), missing_labels=[9])
    assert f.levels == (1, 3)
    assert f.codes.tolist() == [1, 0, 1, -1, 0]
    assert all(type(level) is int for level in f.levels)


def test_negative_and_offset_integers() -> None:
    f = Factor.from_values(np.array([2021, 2019, -5, 2021]))
    assert f.levels == (-5, 2019, 2021)
    assert f.codes.tolist() == [2, 1, 0, 2]
    g = Factor.from_values(np.array([2021, 2019, 2021]))
    assert g.levels == (2019, 2021)


def test_very_wide_integers_use_their_ranks() -> None:
    values = np.array([10**15, 3, 10**15, -(10**14)])
    f = Factor.from_values(values, missing_labels=[3])
    assert f.levels == (-(10**14), 10**15)
    assert f.codes.tolist() == [1, -1, 1, 0]


def test_booleans_keep_boolean_labels() -> None:
    f = Factor.from_values(np.array([True, False, True]))
    assert f.levels == (False, True)
    assert all(type(level) is bool for level in f.levels)
    assert f.codes.tolist() == [1, 0, 1]


def test_floats_nan_is_missing_and_integral_floats_stay_floats() -> None:
    f = Factor.from_values(np.array([1.0, 2.0, 1.0]))
    assert f.levels == (1.0, 2.0)
    assert all(type(level) is float for level in f.levels)
    g = Factor.from_values(np.array([0.5, math.nan, 0.25, 0.5]))
    assert g.levels == (0.25, 0.5)
    assert g.codes.tolist() == [1, -1, 0, 1]


def test_numpy_unicode_and_tuple_inputs() -> None:
    f = Factor.from_values(np.array(["b", "a", "", "b"]))
    assert f.levels == ("a", "b")
    assert f.codes.tolist() == [1, 0, -1, 1]
    assert Factor.from_values(("x", "y", "x")).codes.tolist() == [0, 1, 0]


def test_unorderable_labels_keep_first_seen_order() -> None:
    f = Factor.from_values([2, "a", 2, (1, 2)])
    assert f.levels == (2, "a", (1, 2))
    assert f.codes.tolist() == [0, 1, 0, 2]


def test_values_missing_from_the_hash_sample_are_coded() -> None:
    # a rare label only after the first few thousand records
    values = ["a"] * 10_000 + ["rare"] + ["b"] * 3
    f = Factor.from_values(values)
    assert f.levels == ("a", "b", "rare")
    assert f.codes[10_000] == 2
    assert np.bincount(f.codes).tolist() == [10_000, 3, 1]


def test_empty_input() -> None:
    empties: list[object] = [[], np.array([], dtype=np.int64), np.array([], dtype=object)]
    for empty in empties:
        f = Factor.from_values(empty)
        assert (f.n, f.levels) == (0, ())
    assert Factor.from_values([], levels=["a"]).levels == ("a",)


def test_codes_are_a_read_only_copy() -> None:
    source = np.array([0, 1, -1])
    f = Factor(codes=source, levels=["a", "b"])
    with pytest.raises(ValueError, match="read-only"):
        f.codes[0] = 1
    source[0] = 1
    assert f.codes[0] == 0


# --- categorical columns --------------------------------------------------------------------


@pytest.fixture
def plain() -> Factor:
    return Factor.from_values(ETHNICITY, missing_labels=["Not known"])


def test_pandas_categorical_series_and_array(plain: Factor) -> None:
    series = pd.Series(ETHNICITY, dtype="category")
    assert_same(Factor.from_values(series, missing_labels=["Not known"]), plain)
    assert_same(Factor.from_values(series.array, missing_labels=["Not known"]), plain)


def test_pandas_categories_are_the_levels_in_their_order() -> None:
    cat = pd.Categorical(["b", "a"], categories=["c", "b", "a"])
    f = Factor.from_values(cat)
    assert f.levels == ("c", "b", "a")
    assert f.codes.tolist() == [1, 2]


def test_polars_categorical_and_enum(plain: Factor) -> None:
    cat = pl.Series(ETHNICITY, dtype=pl.Categorical)
    assert_same(Factor.from_values(cat, missing_labels=["Not known"]), plain)
    enum = pl.Series(ETHNICITY, dtype=pl.Enum(["Asian", "Black", "Not known", "White", ""]))
    assert_same(Factor.from_values(enum, missing_labels=["Not known"]), plain)
    unused = pl.Series(["b"], dtype=pl.Enum(["a", "b"]))
    assert Factor.from_values(unused).levels == ("a", "b")


def test_arrow_dictionary_and_chunked_arrays(plain: Factor) -> None:
    array = pa.array(ETHNICITY).dictionary_encode()
    assert_same(Factor.from_values(array, missing_labels=["Not known"]), plain)
    chunked = pa.chunked_array(
        [pa.array(ETHNICITY[:3]).dictionary_encode(), pa.array(ETHNICITY[3:]).dictionary_encode()]
    )
    assert_same(Factor.from_values(chunked, missing_labels=["Not known"]), plain)


def test_factor_input_is_reused_and_relabelled(plain: Factor) -> None:
    assert_same(Factor.from_values(plain), plain)
    f = Factor.from_values(plain, levels=["White", "Black", "Asian", "Mixed"])
    assert f.levels == ("White", "Black", "Asian", "Mixed")
    assert f.codes.tolist() == [0, 2, -1, 0, -1, 1, -1]
    g = Factor.from_values(plain, missing_labels=["Asian"])
    assert g.levels == ("Black", "White")
    assert g.n_missing == 4


@given(labels_with_missing())
def test_matches_naive_factorisation(values: list[object]) -> None:
    assert_same(Factor.from_values(values), naive_factor(values))
    as_objects = np.array(values, dtype=object)
    assert_same(Factor.from_values(as_objects), naive_factor(values))


@given(st.lists(st.sampled_from(["a", "b", "c", None]), max_size=30))
def test_categorical_columns_agree_with_plain_strings(values: list[str | None]) -> None:
    expected = Factor.from_values(values)
    assert_same(Factor.from_values(pd.Series(values, dtype="category")), expected)
    assert_same(Factor.from_values(pl.Series(values, dtype=pl.Categorical)), expected)
    assert_same(Factor.from_values(pa.array(values, pa.string()).dictionary_encode()), expected)
    assert_same(Factor.from_values(pa.array(values, pa.string())), expected)
    assert_same(Factor.from_values(pa.chunked_array([values], pa.string())), expected)
    assert_same(Factor.from_values(pl.Series(values, dtype=pl.String)), expected)
    assert_same(Factor.from_values(pd.Series(values, dtype="string")), expected)


def test_integer_columns_with_nulls_keep_integer_labels() -> None:
    for column in (pl.Series([3, None, 1]), pa.array([3, None, 1])):
        f = Factor.from_values(column)
        assert f.levels == (1, 3)
        assert f.codes.tolist() == [1, -1, 0]


@given(st.lists(st.integers(-50, 50), max_size=40), st.sets(st.integers(-50, 50), max_size=3))
def test_integers_match_naive(values: list[int], missing: set[int]) -> None:
    got = Factor.from_values(np.asarray(values, dtype=np.int64), missing_labels=tuple(missing))
    assert_same(got, naive_factor(values, tuple(missing)))


# --- validation -----------------------------------------------------------------------------


def test_value_outside_levels_names_it_and_its_index() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"`values` must hold only labels listed in `levels` \(or missing values\); "
        r"got 'Asian' at index 1\. Hint: add the label",
    ) as info:
        Factor.from_values(["White", "Asian", "White"], levels=["White"])
    assert info.value.positions == (1,)


def test_many_values_outside_levels_are_summarised() -> None:
    with pytest.raises(InvalidInputError, match=r"got 7 at index 0, .* and 5 more"):
        Factor.from_values(np.array([7] * 10), levels=[1])


def test_categorical_value_outside_levels() -> None:
    with pytest.raises(InvalidInputError, match=r"got 'b' at index 1"):
        Factor.from_values(pd.Categorical(["a", "b"]), levels=["a"])


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ("abc", "`levels` must be a sequence of labels; got str"),
        (5, "`levels` must be a sequence of labels; got int"),
        (["a", ["b"]], r"`levels` must hold hashable labels; got unhashable \['b'\]"),
        (["a", "a"], "`levels` must hold distinct labels; got 'a' twice"),
        (["a", None], "`levels` must not contain a missing-value label; got None"),
        (["a", "Not known"], "`levels` must not contain a missing-value label; got 'Not known'"),
    ],
)
def test_bad_levels(levels: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Factor.from_values(["a"], levels=levels, missing_labels=["Not known"])


def test_constructor_levels_must_be_a_sequence() -> None:
    with pytest.raises(InvalidInputError, match="`levels` must be a sequence of labels"):
        Factor(codes=[0], levels=None)


def test_unhashable_value_names_index() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"`values` must hold hashable labels; got unhashable \{\} at index 2",
    ):
        Factor.from_values(np.array(["a", "b", {}], dtype=object))


def test_nested_and_multidimensional_values() -> None:
    with pytest.raises(InvalidInputError, match="`values` must be 1-dimensional; got a nested"):
        Factor.from_values([["a"], ["b"]])
    with pytest.raises(
        InvalidInputError, match=r"`values` must be 1-dimensional; got an array of"
    ):
        Factor.from_values(np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match="`values` must be array-like"):
        Factor.from_values("abc")


def test_categorical_with_multidimensional_codes() -> None:
    class Fake:
        codes = np.zeros((2, 2), dtype=np.int8)
        categories = ("a",)

    with pytest.raises(InvalidInputError, match=r"`values` must be 1-dimensional; got an array"):
        Factor.from_values(Fake())


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (
            [0, 2],
            r"`codes` must lie in \[-1, 1\] \(one per level, -1 for missing\); got 2 at index 1",
        ),
        ([-2], r"`codes` must lie in \[-1, 1\].*got -2 at index 0"),
        ([[0]], r"`codes` must be 1-dimensional; got an array of shape \(1, 1\)"),
        ([0.5], "`codes` must hold integers; got an array of dtype float64"),
    ],
)
def test_bad_codes(codes: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Factor(codes=codes, levels=["a", "b"])


def test_older_polars_categorical_api() -> None:
    class Physical:
        def __init__(self, values: list[int | None]) -> None:
            self.values = values

        def null_count(self) -> int:
            return sum(v is None for v in self.values)

        def fill_null(self, value: int) -> Physical:
            return Physical([value if v is None else v for v in self.values])

        def to_numpy(self) -> np.ndarray[Any, Any]:
            return np.asarray(self.values, dtype=np.uint32)

    class Categories:
        def to_list(self) -> list[str]:
            return ["b", "a"]

    class Namespace:
        def get_categories(self) -> Categories:
            return Categories()

    class OldSeries:
        dtype = "Categorical(ordering='physical')"
        cat = Namespace()

        def to_physical(self) -> Physical:
            return Physical([0, 1, None, 0])

    f = Factor.from_values(OldSeries())
    assert f.levels == ("a", "b")
    assert f.codes.tolist() == [1, 0, -1, 1]
