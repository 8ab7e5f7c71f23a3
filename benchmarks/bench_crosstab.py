"""Benchmark: ``ipsstats.crosstab`` on many records, beside numpy, pandas and polars.

Run with ``python benchmarks/bench_crosstab.py [--n 10000000] [--repeat 5]``. Prints a
Markdown table of median times and the ratio peer / ipsstats (above 1 means ipsstats is
faster). Targets: from integer codes or categorical columns within 2x of ``numpy.bincount``
on precomputed combined codes; from plain strings no slower than ``pandas.crosstab``.

A common runner can import :func:`cases`, which returns (case, implementation, callable).
"""

from __future__ import annotations

import argparse
import statistics
import time
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
    ]


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
    print(f"crosstab of {args.n:,} records (5 x 2 table), median of {args.repeat} runs\n")
    print("| case | implementation | median (ms) | peer / ipsstats |")
    print("| --- | --- | ---: | ---: |")
    for case, impl, _ in all_cases:
        ours = medians[(case, "ipsstats")]
        value = medians[(case, impl)]
        ratio = "1.00" if impl == "ipsstats" else f"{value / ours:.2f}"
        print(f"| {case} | {impl} | {value * 1000:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
