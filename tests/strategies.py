"""Hypothesis strategies shared by the test modules.

Each strategy draws the kind of input users give ipsstats: count vectors and tables,
censored samples, labels with missing values. Keep them here, not in test modules, so every
module is tested on the same shapes of data.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

__all__ = [
    "censored_samples",
    "count_tables",
    "count_vectors",
    "labels_with_missing",
    "non_count_values",
]


def count_vectors(
    *, min_size: int = 1, max_size: int = 8, max_count: int = 1000
) -> st.SearchStrategy[NDArray[np.int64]]:
    """1-D arrays of non-negative integer counts."""
    return hnp.arrays(
        np.int64,
        st.integers(min_size, max_size),
        elements=st.integers(0, max_count),
    )


def count_tables(
    *,
    min_rows: int = 2,
    max_rows: int = 5,
    min_cols: int = 2,
    max_cols: int = 5,
    max_count: int = 200,
) -> st.SearchStrategy[NDArray[np.int64]]:
    """2-D arrays of non-negative integer counts."""
    shapes = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    return hnp.arrays(np.int64, shapes, elements=st.integers(0, max_count))


@st.composite
def censored_samples(
    draw: st.DrawFn, *, min_size: int = 1, max_size: int = 60, max_time: int = 30
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(durations, events) with heavy ties, zero durations and some censoring."""
    n = draw(st.integers(min_size, max_size))
    times = draw(hnp.arrays(np.int64, n, elements=st.integers(0, max_time)))
    events = draw(hnp.arrays(np.bool_, n))
    return times.astype(np.float64), events


def labels_with_missing() -> st.SearchStrategy[list[object]]:
    """Lists of category labels mixing strings, None, NaN and blanks."""
    label = st.one_of(
        st.sampled_from(["White", "Asian", "Black", "Mixed", "Other"]),
        st.none(),
        st.just(math.nan),
        st.sampled_from(["", "  "]),
    )
    return st.lists(label, min_size=0, max_size=40)


def non_count_values() -> st.SearchStrategy[float]:
    """Single values that are not valid counts: negative, fractional or non-finite."""
    return st.one_of(
        st.integers(max_value=-1).map(float),
        st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != math.floor(x)),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )
