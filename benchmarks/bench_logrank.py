"""The log-rank test beside statsmodels, lifelines and scipy.

Data: `n` integer-day durations (0 to 999 days, heavy ties) with about 40% censored, in 5
groups (2 groups for the comparison with scipy, which is two-sample only).
``python benchmarks/bench_logrank.py`` prints the comparison at 1e6 rows, then the scaling
of ipsstats from 1e4 to 1e7 rows and its peak memory at 1e7.
"""

from __future__ import annotations

import functools
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ipsstats import logrank

DEFAULT_N = 1_000_000
CASE = "logrank, 5 groups"
CASE_TWO = "logrank, 2 groups"
CASE_STRATA = "logrank, 5 groups, 4 strata, Tarone-Ware"


def _data(n: int, k: int, seed: int = 0) -> tuple[Any, Any, Any, Any]:
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, 1000, size=n)
    events = rng.random(n) < 0.6
    groups = rng.integers(0, k, size=n)
    strata = rng.integers(0, 4, size=n)
    return durations, events, groups, strata


def _statsmodels(durations: Any, events: Any, groups: Any, **kwargs: Any) -> object:
    from statsmodels.duration.survfunc import survdiff  # noqa: PLC0415  # optional peer

    return survdiff(durations, events.astype(float), groups, **kwargs)


def _lifelines(durations: Any, events: Any, groups: Any) -> object:
    from lifelines.statistics import multivariate_logrank_test  # noqa: PLC0415  # optional peer

    return multivariate_logrank_test(durations, groups, events)


def _scipy(durations: Any, events: Any, groups: Any) -> object:
    from scipy import stats  # noqa: PLC0415

    first, second = groups == 0, groups == 1
    x = stats.CensoredData.right_censored(durations[first], ~events[first])
    y = stats.CensoredData.right_censored(durations[second], ~events[second])
    return stats.logrank(x, y)


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Log-rank tests on `n` integer-day durations, ipsstats beside its peers."""
    durations, events, groups, strata = _data(n, 5)
    two_d, two_e, two_g, _ = _data(n, 2, seed=1)
    return [
        (CASE, "ipsstats", lambda: logrank(durations, events, groups)),
        (CASE, "statsmodels survdiff", lambda: _statsmodels(durations, events, groups)),
        (
            CASE,
            "lifelines multivariate_logrank_test",
            lambda: _lifelines(durations, events, groups),
        ),
        (CASE, "numpy bincount (floor)", lambda: np.bincount(groups * 1000 + durations)),
        (
            CASE_STRATA,
            "ipsstats",
            lambda: logrank(durations, events, groups, strata=strata, weights="tarone-ware"),
        ),
        (
            CASE_STRATA,
            "statsmodels survdiff",
            lambda: _statsmodels(durations, events, groups, strata=strata, weight_type="tw"),
        ),
        (CASE_TWO, "ipsstats", lambda: logrank(two_d, two_e, two_g)),
        (CASE_TWO, "scipy.stats.logrank", lambda: _scipy(two_d, two_e, two_g)),
        (CASE_TWO, "statsmodels survdiff", lambda: _statsmodels(two_d, two_e, two_g)),
    ]


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def scaling(sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000, 10_000_000)) -> str:
    """Markdown table of the 5-group log-rank time over sizes, and peak memory at the last."""
    rows = ["| rows | ipsstats median | per row |", "| ---: | ---: | ---: |"]
    for n in sizes:
        seconds = _median_seconds(functools.partial(logrank, *_data(n, 5)[:3]), 3)
        rows.append(f"| {n:,} | {seconds * 1e3:.2f} ms | {seconds / n * 1e9:.1f} ns |")
    durations, events, groups, _ = _data(sizes[-1], 5)
    tracemalloc.start()
    logrank(durations, events, groups)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    inputs = (durations.nbytes + events.nbytes + groups.nbytes) / 2**20
    rows.append("")
    rows.append(
        f"Peak memory allocated by `logrank` at {sizes[-1]:,} rows: {peak / 2**20:.0f} MiB "
        f"(the inputs themselves take {inputs:.0f} MiB)."
    )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    from run import main

    status = main(["logrank", *sys.argv[1:]])
    print("\n### logrank scaling (5 groups)\n")
    print(scaling())
    raise SystemExit(status)
