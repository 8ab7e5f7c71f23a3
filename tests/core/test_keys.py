"""The 64-bit key factoriser against a naive one (private fast paths, checked directly)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

# fast path vs naive: the factoriser against np.unique; its helpers have no public route.
from ipsstats import _parallel
from ipsstats._keys import (
    CHUNK,
    TABLE_LIMIT,
    KeyTable,
    factorise_few_keys,
    factorise_keys,
    first_rows,
    object_addresses,
    row_keys,
)


def same_partition(codes: NDArray[np.intp], keys: NDArray[np.uint64]) -> bool:
    """Whether equal codes mean equal keys and vice versa."""
    _, naive = np.unique(keys, return_inverse=True)
    pairs = np.unique(np.stack([codes, naive.reshape(-1)]), axis=1)
    return bool(pairs.shape[1] == np.unique(codes).size == np.unique(naive).size)


def check(keys: NDArray[np.uint64]) -> None:
    codes, representatives = factorise_keys(lambda rows: keys[rows], keys.size)
    assert codes.shape == keys.shape
    assert same_partition(codes, keys)
    assert np.array_equal(keys[representatives][codes], keys)
    assert np.unique(codes).size == representatives.size or keys.size == 0


@given(
    st.integers(1, 3000),
    st.integers(1, 2000),
    st.integers(0, 2**32),
)
def test_factorise_keys_matches_unique(n: int, distinct: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pool = rng.integers(0, 2**64, distinct, dtype=np.uint64, endpoint=False)
    check(pool[rng.integers(0, distinct, n)])


@given(hnp.arrays(np.uint64, st.integers(0, 200), elements=st.integers(0, 20)))
def test_factorise_small_keys(keys: NDArray[np.uint64]) -> None:
    check(keys)


@pytest.mark.parametrize("distinct", [1, 5, 300, 1000, 1500])
def test_large_inputs_and_late_keys(distinct: int) -> None:
    # 200,000 records: keys beyond the sample occur late; tables hashed, searched or sorted
    rng = np.random.default_rng(distinct)
    keys = rng.integers(0, 2**63, distinct, dtype=np.uint64)[rng.integers(0, distinct, 200_000)]
    keys[150_001] = 2**64 - 1
    keys[199_999] = 12345
    check(keys)


def test_table_gives_up_on_crowded_keys() -> None:
    # 1024 random keys rarely fit a 65536-slot table without a collision (about 1 in 3000
    # for each multiplier): the table gives up and keys are found by binary search instead
    keys = np.random.default_rng(1).integers(0, 2**63, TABLE_LIMIT, dtype=np.uint64)
    assert KeyTable.build(keys) is None
    check(np.concatenate([keys, keys[::-1], np.array([7], dtype=np.uint64)]))
    small = KeyTable.build(np.array([3, 9, 2**63], dtype=np.uint64))
    assert small is not None
    found = small.lookup(np.array([9, 4, 2**63, 3], dtype=np.uint64))
    assert found.tolist() == [1, -1, 2, 0]


def test_few_only_declines_many_distinct_keys() -> None:
    keys = np.arange(50_000, dtype=np.uint64)
    assert factorise_few_keys(lambda rows: keys[rows], keys.size) is None
    few = np.arange(50_000, dtype=np.uint64) % 7
    found = factorise_few_keys(lambda rows: few[rows], few.size)
    assert found is not None
    assert same_partition(found[0], few)


def test_first_rows() -> None:
    codes = np.array([2, 2, 0, 1, 0], dtype=np.intp)
    assert first_rows(codes, 3).tolist() == [2, 3, 0]
    late = np.zeros(100_000, dtype=np.intp)
    late[99_000] = 1
    assert first_rows(late, 2).tolist() == [0, 99_000]


@pytest.mark.parametrize(
    ("values", "exact"),
    [
        (np.array(["ab", "b", "", "ab"]), True),  # 8 bits a character
        (np.array(["Ω", "ΩΩ", "", "Ω"]), True),  # 16 bits
        (np.array(["\U0001f600", "a", "\U0001f600"]), True),  # 32 bits, one character
        (np.array(["Ωabcd", "Ωabce", "Ωabcd"]), False),  # 5 x 16 bits: hashed
        (np.array(["x" * 20, "x" * 19 + "y", "x" * 20]), False),
        (np.array([b"ab", b"a\x00b", b""], dtype="S3"), True),
        (np.array([b"abcdefghi", b"abcdefghj", b"abcdefghi"], dtype="S9"), False),
    ],
)
def test_row_keys_separate_distinct_rows(values: NDArray[np.str_], exact: bool) -> None:
    size = 1 if values.dtype.kind == "S" else 4
    width = values.dtype.itemsize // size
    matrix = values.view(np.uint8 if size == 1 else np.uint32).reshape(values.size, width)
    keys_of, packed = row_keys(matrix)
    keys = keys_of(slice(None))
    assert packed == exact
    # equal text always gives equal keys; these distinct texts also get distinct keys
    _, by_text = np.unique(values, return_inverse=True)
    assert same_partition(by_text.reshape(-1).astype(np.intp), keys)
    assert np.array_equal(keys_of(np.array([2, 0])), keys[[2, 0]])


def test_object_addresses_need_contiguous_arrays() -> None:
    shared = "label"
    column = np.array([shared, "other", shared], dtype=object)
    keys = object_addresses(column)(slice(None))
    assert keys[0] == keys[2] != keys[1]
    assert object_addresses(np.zeros(0, dtype=object))(slice(None)).size == 0
    with pytest.raises(ValueError, match="C-contiguous 1-D"):
        object_addresses(column[::2])


@pytest.mark.parametrize("distinct", [3, 700, 5000])
def test_threads_factorise_as_one_thread(distinct: int) -> None:
    # the lookup (few keys) and the keys of a full sort (many keys) split between 4 threads
    rng = np.random.default_rng(distinct)
    keys = rng.integers(0, 2**63, distinct, dtype=np.uint64)[rng.integers(0, distinct, 300_000)]
    keys[299_999] = 2**64 - 1  # late, past the sample
    serial = factorise_keys(lambda rows: keys[rows], keys.size)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parallel, "workers", lambda: 4)
        patch.setattr(_parallel, "RANGE_MIN", CHUNK)
        threaded = factorise_keys(lambda rows: keys[rows], keys.size)
    np.testing.assert_array_equal(threaded[0], serial[0])
    np.testing.assert_array_equal(threaded[1], serial[1])
    check(keys)
