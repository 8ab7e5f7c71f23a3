"""Benchmark: ``ipsstats.crosstab`` on many records, beside numpy, pandas and polars.

Run with ``python benchmarks/bench_crosstab.py [--n 10000000] [--repeat 5]``. Prints a
Markdown table of median times, the ratio peer / ipsstats (above 1 means ipsstats is
faster) and, for ipsstats, the peak memory traced while it runs beside the input's size.
Targets: from integer codes or categorical columns within 2x of ``numpy.bincount`` on
precomputed combined codes; from strings (numpy ``<U`` arrays, or object arrays whose
labels are shared objects or distinct objects as a file reader makes them) within 3x of
polars ``group_by`` on its own string columns, with peak memory under twice the input.
Rows "polars from these objects" time polars on the same job as ipsstats: from the same
Python objects or numpy array to the counts (building its string columns included).

A common runner can import :func:`cases`, which returns (case, implementation, callable).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
import polars as pl

import ipsstats

ROW_LABELS = ("White", "Asian", "Black", "Mixed", "Other")
COL_LABELS = ("CNWL", "WWT")


def _data(n: int, seed: int = 2022) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(ROW_LABELS), n)
    cols = rng.integers(0, len(COL_LABELS), n)
    return rows, cols


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Build the benchmark cases for `n` records: (case, implementation, zero-arg callable)."""
    rows, cols = _data(n)
    combined = rows * len(COL_LABELS) + cols
    size = len(ROW_LABELS) * len(COL_LABELS)
    row_cat = pd.Categorical.from_codes(rows.astype(np.int8), ROW_LABELS)
    col_cat = pd.Categorical.from_codes(cols.astype(np.int8), COL_LABELS)
    row_str = np.asarray(ROW_LABELS, dtype=object)[rows]
    col_str = np.asarray(COL_LABELS, dtype=object)[cols]
    frame_codes = pl.DataFrame({"r": rows, "c": cols})
    frame_cat = pl.DataFrame({"r": row_str, "c": col_str}).with_columns(
        pl.col("r").cast(pl.Enum(ROW_LABELS)), pl.col("c").cast(pl.Enum(COL_LABELS))
    )
    frame_str = pl.DataFrame({"r": row_str, "c": col_str})
    row_u = np.asarray(ROW_LABELS)[rows]  # fixed-width numpy strings, <U5 and <U4
    col_u = np.asarray(COL_LABELS)[cols]
    row_own = row_u.astype(object)  # one str object per record, as readers make them
    col_own = col_u.astype(object)
    return [
        ("integer codes", "ipsstats", lambda: ipsstats.crosstab(rows, cols)),
        ("integer codes", "numpy.bincount", lambda: np.bincount(combined, minlength=size)),
        ("integer codes", "pandas.crosstab", lambda: pd.crosstab(rows, cols)),
        ("integer codes", "polars group_by.len", lambda: frame_codes.group_by("r", "c").len()),
        ("pandas Categorical", "ipsstats", lambda: ipsstats.crosstab(row_cat, col_cat)),
        ("pandas Categorical", "numpy.bincount", lambda: np.bincount(combined, minlength=size)),
        ("pandas Categorical", "pandas.crosstab", lambda: pd.crosstab(row_cat, col_cat)),
        ("pandas Categorical", "polars group_by.len", lambda: frame_cat.group_by("r", "c").len()),
        ("Python strings", "ipsstats", lambda: ipsstats.crosstab(row_str, col_str)),
        ("Python strings", "pandas.crosstab", lambda: pd.crosstab(row_str, col_str)),
        ("Python strings", "polars group_by.len", lambda: frame_str.group_by("r", "c").len()),
        ("numpy <U strings", "ipsstats", lambda: ipsstats.crosstab(row_u, col_u)),
        ("numpy <U strings", "pandas.crosstab", lambda: pd.crosstab(row_u, col_u)),
        ("numpy <U strings", "polars group_by.len", lambda: frame_str.group_by("r", "c").len()),
        ("distinct str objects", "ipsstats", lambda: ipsstats.crosstab(row_own, col_own)),
        (
            "distinct str objects",
            "polars group_by.len",
            lambda: frame_str.group_by("r", "c").len(),
        ),
        # the same job for polars: from the same Python objects to counts
        (
            "Python strings",
            "polars from these objects",
            lambda: pl.DataFrame({"r": row_str, "c": col_str}).group_by("r", "c").len(),
        ),
        (
            "numpy <U strings",
            "polars from this array",
            lambda: pl.DataFrame({"r": row_u, "c": col_u}).group_by("r", "c").len(),
        ),
        (
            "distinct str objects",
            "polars from these objects",
            lambda: pl.DataFrame({"r": row_own, "c": col_own}).group_by("r", "c").len(),
        ),
    ]


def _input_bytes(case: str, n: int) -> int:
    """Bytes of the two input columns of a string case (object arrays: pointers + str)."""
    if case == "numpy <U strings":
        return n * 4 * (max(map(len, ROW_LABELS)) + max(map(len, COL_LABELS)))
    return 0


def _peak_memory(func: Callable[[], object]) -> int:
    """Peak bytes allocated (numpy and Python, as traced) while `func` runs."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _median_time(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of records")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case")
    args = parser.parse_args()
    all_cases = cases(args.n)
    for _, _, func in all_cases:  # warm up (imports, caches)
        func()
    # interleave the repeats so that load on the machine affects every case alike
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for case, impl, func in all_cases:
            times.setdefault((case, impl), []).append(_median_time(func, 1))
    medians = {key: statistics.median(values) for key, values in times.items()}
    peaks = {case: _peak_memory(func) for case, impl, func in all_cases if impl == "ipsstats"}
    print(f"crosstab of {args.n:,} records (5 x 2 table), median of {args.repeat} runs\n")
    print("| case | implementation | median (ms) | peer / ipsstats | peak MiB (input MiB) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case, impl, _ in all_cases:
        ours = medians[(case, "ipsstats")]
        value = medians[(case, impl)]
        ratio = "1.00" if impl == "ipsstats" else f"{value / ours:.2f}"
        memory = ""
        if impl == "ipsstats":
            given = _input_bytes(case, args.n)
            memory = f"{peaks[case] / 2**20:.0f}" + (f" ({given / 2**20:.0f})" if given else "")
        print(f"| {case} | {impl} | {value * 1000:.1f} | {ratio} | {memory} |")


if __name__ == "__main__":
    main()
