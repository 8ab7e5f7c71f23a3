from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ipsstats import InvalidInputError
from ipsstats._arrays import (  # no public route: every branch of core's shared validators
    MAX_TOTAL_COUNT,
    as_array,
    as_confidence_level,
    as_counts,
    as_durations,
    as_events,
    as_labels,
    as_option,
    bool_array,
    check_same_length,
    float_array,
    frozen_array,
    int_array,
    is_missing_scalar,
    object_array,
    optional_float_array,
    readonly,
    str_array,
)
from tests.strategies import count_vectors, labels_with_missing, non_count_values

# --- as_array -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, "abc", b"abc", {"a": 1}])
def test_as_array_refuses_non_arrays(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="`x` must be array-like"):
        as_array(bad, "x")


def test_as_array_refuses_ragged() -> None:
    with pytest.raises(InvalidInputError, match="`x` must be array-like with a regular"):
        as_array([[1, 2], [3]], "x")


def test_as_array_duck_types_dataframe_columns() -> None:
    assert as_array(pd.Series([1, 2, 3]), "x").tolist() == [1, 2, 3]
    assert as_array(pl.Series([1, 2, 3]), "x").tolist() == [1, 2, 3]

    class OnlyArray:
        def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
            return np.array([4, 5])

    assert as_array(OnlyArray(), "x").tolist() == [4, 5]


# --- as_counts ------------------------------------------------------------------------------


def test_counts_accepts_integral_floats_and_returns_readonly_int64() -> None:
    source = np.array([1.0, 2.0, 0.0])
    out = as_counts(source, "counts")
    assert out.dtype == np.int64
    assert out.tolist() == [1, 2, 0]
    with pytest.raises(ValueError, match="read-only"):
        out[0] = 5
    source[0] = 9.0
    assert out[0] == 1  # a copy, not a view


def test_counts_negative_names_label() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"`counts` must hold non-negative counts; got -3 "
        r"at label 'Mixed'",
    ) as info:
        as_counts([1, -3], "counts", labels=["White", "Mixed"])
    assert info.value.argument == "counts"
    assert info.value.positions == ("Mixed",)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.5, 2.0], r"must hold whole-number counts; got 1\.5 at index 0"),
        ([1.0, math.nan], r"must hold finite counts; got nan at index 1"),
        ([math.inf], r"must hold finite counts; got inf at index 0"),
        ([-1.0], r"must hold non-negative counts; got -1\.0 at index 0"),
        ([True, False], r"must hold counts .*; got booleans"),
        (["a", 1], r"must hold counts .*; got non-numeric text 'a' at index 0"),
        (np.array(["2019-01-01"], dtype="datetime64[D]"), r"got an array of dtype"),
    ],
)
def test_counts_rejections(values: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        as_counts(values, "counts")


def test_counts_dimension_and_position_in_2d() -> None:
    with pytest.raises(InvalidInputError, match=r"must be 1-dimensional; got an array of shape"):
        as_counts([[1, 2]], "observed")
    with pytest.raises(InvalidInputError, match=r"got -1 at index \(1, 0\)"):
        as_counts([[1, 2], [-1, 3]], "table", ndim=2)


def test_counts_lists_first_five_and_how_many_more() -> None:
    with pytest.raises(InvalidInputError, match="and 2 more"):
        as_counts([-1] * 7, "counts")


def test_counts_object_numbers_ok() -> None:
    assert as_counts(np.array([1, 2.0], dtype=object), "c").tolist() == [1, 2]


@given(count_vectors())
def test_counts_round_trip(values: np.ndarray[Any, Any]) -> None:
    for form in (values, values.tolist(), tuple(values.tolist()), values.astype(float)):
        assert np.array_equal(as_counts(form, "counts"), values)


@given(count_vectors(), non_count_values(), st.data())
def test_counts_rejects_with_invalid_input_error_only(
    values: np.ndarray[Any, Any], bad: float, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(values) - 1))
    spoiled = values.astype(float)
    spoiled[position] = bad
    with pytest.raises(InvalidInputError, match="`counts` must"):
        as_counts(spoiled, "counts")


@pytest.mark.parametrize(
    "values",
    [
        [2**53],
        [2**52, 2**52],
        np.array([2**53], dtype=np.uint64),
        np.full(100, 2**46),  # the numpy path: 100 * 2**46 < 2**53
        np.array([2.0**52, 2.0**52]),
    ],
)
def test_counts_up_to_two_to_the_53_are_accepted(values: Any) -> None:
    out = as_counts(values, "counts")
    assert out.dtype == np.int64
    assert int(sum(int(v) for v in out.tolist())) <= MAX_TOTAL_COUNT == 2**53


@pytest.mark.parametrize(
    ("values", "got"),
    [
        ([2**53, 1], "a total of 9,007,199,254,740,993"),
        ([2**62, 2**62, 1], "a total of 9,223,372,036,854,775,809"),  # int64 sum would wrap
        (np.full(3, np.iinfo(np.uint64).max, dtype=np.uint64), "a total of 55,340,232,221"),
        (np.full(100, 2**60), r"a total of about 1.15e\+20"),  # the numpy path
        (np.full(2100, 2**42), "a total of 9,235,897,673,318,400"),  # exact, past the bound
        ([2.0**70, 1.0], r"a total of about 1.18e\+21"),  # floats: before the int64 cast
        ([2**70], r"a total of about 1.18e\+21"),  # Python integers past int64
        (np.array([2**63], dtype=object), r"a total of about 9.22e\+18"),
    ],
)
def test_counts_past_two_to_the_53_are_refused(values: Any, got: str) -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"`counts` must add up to at most 2\*\*53 = 9,007,199,254,740,992 \(beyond it "
        rf"float64 arithmetic is no longer exact\); got {got}.*Hint: counts are numbers",
    ) as info:
        as_counts(values, "counts", ndim=None)
    assert info.value.argument == "counts"


@given(count_vectors(max_size=64, max_count=2**60))
def test_counts_small_and_numpy_paths_agree(values: np.ndarray[Any, Any]) -> None:
    # at most 64 values are checked with Python integers, more with numpy reductions:
    # padding with zeros must not change the verdict
    padded = np.concatenate([values, np.zeros(100, dtype=np.int64)])
    total = sum(int(v) for v in values.tolist())
    for form in (values, padded):
        if total > MAX_TOTAL_COUNT:
            with pytest.raises(InvalidInputError, match="must add up to at most"):
                as_counts(form, "counts")
        else:
            assert np.array_equal(as_counts(form, "counts")[: values.size], values)


def test_counts_from_a_list_are_frozen_without_a_second_copy() -> None:
    source = [[1, 2], [3, 4]]
    out = as_counts(source, "counts", ndim=2)
    assert not out.flags.writeable
    source[0][0] = 9
    assert out[0, 0] == 1
    array = np.array([1, 2])
    frozen = as_counts(array, "counts")
    assert array.flags.writeable  # the caller's array is left alone
    assert not np.shares_memory(frozen, array)


# --- as_durations ---------------------------------------------------------------------------


def test_durations_ok_and_readonly() -> None:
    out = as_durations([0, 1.5, 3], "durations")
    assert out.dtype == np.float64
    assert not out.flags.writeable


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, -2.0], r"`durations` must hold non-negative durations; got -2\.0 at index 1"),
        ([math.nan], r"must hold finite durations; got nan at index 0"),
        ([1, math.inf], r"must hold finite durations; got inf at index 1"),
        ([[1.0]], r"must be 1-dimensional"),
        (["x"], r"non-numeric text 'x' at index 0.*Hint: convert"),
    ],
)
def test_durations_rejections(values: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        as_durations(values, "durations")


@given(hnp.arrays(np.float64, st.integers(0, 20), elements=st.floats(0, 1e9)))
def test_durations_round_trip(values: np.ndarray[Any, Any]) -> None:
    assert np.array_equal(as_durations(values, "d"), values)
    assert np.array_equal(as_durations(pd.Series(values), "d"), values)


@given(hnp.arrays(np.float64, st.integers(1, 20)))
def test_durations_accept_or_raise_invalid_input(values: np.ndarray[Any, Any]) -> None:
    valid = bool(np.all(np.isfinite(values)) and np.all(values >= 0))
    if valid:
        assert np.array_equal(as_durations(values, "d"), values)
    else:
        with pytest.raises(InvalidInputError):
            as_durations(values, "d")


# --- as_events ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [[0, 1, 1], [False, True, True], [0.0, 1.0, 1.0], np.array([0, 1, True], dtype=object)],
)
def test_events_accepts_01_and_bool(values: Any) -> None:
    assert as_events(values, "events").tolist() == [False, True, True]


def test_events_accepts_polars_and_pandas() -> None:
    assert as_events(pl.Series([True, False]), "events").tolist() == [True, False]
    assert as_events(pd.Series([1, 0]), "events").tolist() == [True, False]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0, 2], r"`events` must hold event indicators.*; got 2 at index 1"),
        ([0.5], r"got 0\.5 at index 0"),
        ([math.nan], r"got nan at index 0"),
        (np.array(["yes"], dtype=object), r"got 'yes' at index 0"),
        (np.array(["1"]), r"got an array of dtype <U1"),
        ([[1]], "must be 1-dimensional"),
    ],
)
def test_events_rejections(values: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        as_events(values, "events")


@given(st.lists(st.integers(-3, 3), min_size=1))
def test_events_accept_or_raise_invalid_input(values: list[int]) -> None:
    if set(values) <= {0, 1}:
        assert as_events(values, "e").tolist() == [v == 1 for v in values]
    else:
        with pytest.raises(InvalidInputError):
            as_events(values, "e")


# --- as_labels ------------------------------------------------------------------------------


def test_labels_flag_missing_values() -> None:
    labels, missing = as_labels(
        ["White", None, math.nan, "", " ", "Not known", pd.NA, 3],
        "ethnicity",
        missing_labels=("Not known",),
    )
    assert missing.tolist() == [False, True, True, True, True, True, True, False]
    assert labels[0] == "White"
    assert labels[7] == 3
    assert not labels.flags.writeable


def test_labels_string_arrays_fast_path() -> None:
    labels, missing = as_labels(
        np.array(["a", "", "Not known"]), "x", missing_labels=["Not known"]
    )
    assert missing.tolist() == [False, True, True]
    assert labels.dtype == object


def test_labels_numeric_arrays() -> None:
    _, missing = as_labels(np.array([1.0, math.nan]), "x")
    assert missing.tolist() == [False, True]
    _, missing = as_labels(np.array([1, 9]), "x", missing_labels=[9])
    assert missing.tolist() == [False, True]
    _, missing = as_labels(np.array([1.0, 9.0]), "x", missing_labels=[9])
    assert missing.tolist() == [False, True]
    _, missing = as_labels(np.array([1, 2]), "x")
    assert not missing.any()


def test_labels_reject_unhashable() -> None:
    with pytest.raises(InvalidInputError, match=r"`x` must hold hashable labels; got unhashable"):
        as_labels(np.array([[1], "a"], dtype=object), "x")


@given(labels_with_missing())
def test_labels_missing_mask_matches_scalar_rule(values: list[object]) -> None:
    labels, missing = as_labels(np.array(values, dtype=object), "x")
    assert missing.tolist() == [is_missing_scalar(v) for v in values]
    assert len(labels) == len(values)


def test_is_missing_scalar_numpy_nan() -> None:
    assert is_missing_scalar(np.float32("nan"))
    assert not is_missing_scalar(0)
    assert not is_missing_scalar([1], missing_labels=("x",))


# --- scalars and options --------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.5, 0.95, 0.999, np.float64(0.9)])
def test_confidence_level_ok(level: float) -> None:
    assert as_confidence_level(level) == float(level)


@pytest.mark.parametrize(
    ("level", "message"),
    [
        (
            95,
            (
                r"`confidence_level` must be a number strictly between 0 and 1; got 95\. "
                r"Hint: did you mean 0\.95\?"
            ),
        ),
        (0.0, r"strictly between 0 and 1; got 0\.0\.$"),
        (1, r"got 1\.$"),
        (math.nan, r"got nan"),
        (True, r"got True"),
        ("0.95", r"got '0\.95'"),
    ],
)
def test_confidence_level_rejections(level: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        as_confidence_level(level)


@given(st.floats())
def test_confidence_level_accepts_exactly_open_unit_interval(level: float) -> None:
    if 0 < level < 1:
        assert as_confidence_level(level) == level
    else:
        with pytest.raises(InvalidInputError):
            as_confidence_level(level)


def test_option() -> None:
    assert as_option("g", "method", ("pearson", "g")) == "g"
    with pytest.raises(
        InvalidInputError, match=r"`method` must be one of 'pearson', 'g'; got 'x'"
    ):
        as_option("x", "method", ("pearson", "g"))


def test_check_same_length() -> None:
    assert check_same_length({"a": np.zeros(3), "b": np.zeros(3)}) == 3
    assert check_same_length({}) == 0
    with pytest.raises(
        InvalidInputError,
        match=r"`durations` must have the same length as "
        r"`events`; got different lengths \(`durations` has 3, `events` has 2\)",
    ):
        check_same_length({"durations": np.zeros(3), "events": np.zeros(2)})


def test_readonly_and_frozen_array() -> None:
    source = np.arange(3)
    out = readonly(source, np.float64)
    assert out.dtype == np.float64
    assert not out.flags.writeable
    conv = frozen_array(np.int64)
    made = conv([1.0, 2.0])
    assert made.dtype == np.int64
    assert not made.flags.writeable


# --- named attrs converters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convert", "dtype"),
    [
        (float_array, np.float64),
        (int_array, np.int64),
        (bool_array, np.bool_),
        (object_array, np.object_),
        (str_array, np.str_),
    ],
)
def test_named_converters_make_read_only_copies(convert: Any, dtype: Any) -> None:
    source = np.array([1, 0, 2])
    out = convert(source)
    assert out.dtype.type is dtype
    assert not out.flags.writeable
    assert not np.shares_memory(out, source)
    source[0] = 5
    assert out[0] == convert([1])[0]


def test_optional_float_array_keeps_none() -> None:
    assert optional_float_array(None) is None
    out = optional_float_array([1, 2])
    assert out is not None
    assert out.dtype == np.float64
    assert not out.flags.writeable
    assert out.tolist() == [1.0, 2.0]


def test_durations_accept_time_spans_in_days() -> None:
    hours = np.array([36, 48, 0], dtype="timedelta64[h]")
    np.testing.assert_array_equal(as_durations(hours, "d"), [1.5, 2.0, 0.0])
    python = [dt.timedelta(days=2), dt.timedelta(hours=12), dt.timedelta(0)]
    np.testing.assert_array_equal(as_durations(python, "d"), [2.0, 0.5, 0.0])
    series = pd.Series(pd.to_timedelta(["1 day", "3 days 6 hours"]))
    np.testing.assert_array_equal(as_durations(series, "d"), [1.0, 3.25])
    objects = np.array([pd.Timedelta(days=1), pd.Timedelta(hours=6)], dtype=object)
    np.testing.assert_array_equal(as_durations(objects, "d"), [1.0, 0.25])
    with pytest.raises(InvalidInputError, match=r"`d` must hold finite durations; got nan"):
        as_durations(np.array([1, "NaT"], dtype="timedelta64[D]"), "d")
    with pytest.raises(InvalidInputError, match=r"`d` must hold non-negative durations"):
        as_durations([dt.timedelta(days=-1)], "d")
    with pytest.raises(InvalidInputError, match=r"`d` must hold durations"):
        as_durations([dt.timedelta(days=1), 2], "d")  # spans and numbers mixed
