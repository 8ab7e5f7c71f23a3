"""Kaplan-Meier with the median and its confidence interval, beside lifelines and statsmodels.

Data: `n` integer-day durations (0 to 999 days, heavy ties) with about 40% censored.
``python benchmarks/bench_survival.py`` prints the comparison at 1e6 rows, then the scaling
of ipsstats from 1e4 to 1e7 rows and the peak memory at 1e7.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ipsstats import kaplan_meier

DEFAULT_N = 1_000_000
CASE = "KM + median CI"


def _data(n: int, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, 1000, size=n)
    events = rng.random(n) < 0.6
    return durations, events


def _ipsstats(durations: Any, events: Any) -> object:
    return kaplan_meier(durations, events).median()


def _lifelines(durations: Any, events: Any) -> object:
    from lifelines import KaplanMeierFitter  # noqa: PLC0415  # optional peer
    from lifelines.utils import median_survival_times  # noqa: PLC0415

    fitter = KaplanMeierFitter().fit(durations, events)
    # lifelines' documented recipe for a median CI (no built-in one).
    return fitter.median_survival_time_, median_survival_times(fitter.confidence_interval_)


def _statsmodels(durations: Any, events: Any) -> object:
    from statsmodels.duration.survfunc import SurvfuncRight  # noqa: PLC0415  # optional peer

    fit = SurvfuncRight(durations, events.astype(float))
    return fit.quantile(0.5), fit.quantile_ci(0.5, method="cloglog")


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Kaplan-Meier plus median with CI on `n` integer-day durations; numpy baselines.

    A second case uses continuous (float) durations, where every time is distinct.
    """
    durations, events = _data(n)
    floats = np.random.default_rng(1).exponential(200.0, size=n)
    float_case = "KM + median CI, float durations"
    return [
        (CASE, "ipsstats", lambda: _ipsstats(durations, events)),
        (CASE, "lifelines KaplanMeierFitter", lambda: _lifelines(durations, events)),
        (CASE, "statsmodels SurvfuncRight", lambda: _statsmodels(durations, events)),
        (CASE, "numpy unique(return_counts)", lambda: np.unique(durations, return_counts=True)),
        (CASE, "numpy bincount", lambda: np.bincount(durations)),
        (float_case, "ipsstats", lambda: _ipsstats(floats, events)),
        (float_case, "lifelines KaplanMeierFitter", lambda: _lifelines(floats, events)),
        (float_case, "statsmodels SurvfuncRight", lambda: _statsmodels(floats, events)),
        (float_case, "numpy unique(return_counts)", lambda: np.unique(floats, return_counts=True)),
    ]


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def scaling(sizes: tuple[int, ...] = (10**4, 10**5, 10**6, 10**7), repeat: int = 5) -> str:
    """Markdown table: ipsstats and np.unique time per size, and their ratio."""
    rows = [
        "| rows | ipsstats KM + median CI | numpy unique | ipsstats / unique |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for n in sizes:
        durations, events = _data(n)
        ours = _median_seconds(lambda: _ipsstats(durations, events), repeat)  # noqa: B023
        unique = _median_seconds(
            lambda: np.unique(durations, return_counts=True),  # noqa: B023
            repeat,
        )
        rows.append(
            f"| {n:,} | {ours * 1e3:.2f} ms | {unique * 1e3:.2f} ms | {ours / unique:.2f} |"
        )
    return "\n".join(rows)


def peak_memory(n: int = 10**7) -> str:
    """Peak memory traced while running ipsstats on `n` rows, beside the input size."""
    durations, events = _data(n)
    tracemalloc.start()
    _ipsstats(durations, events)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = durations.nbytes + events.nbytes
    return (
        f"Peak memory allocated by kaplan_meier + median on {n:,} rows: {peak / 2**20:.1f} MiB "
        f"(input arrays: {size / 2**20:.1f} MiB)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    from run import main

    status = main(["survival", *sys.argv[1:]])
    print("\n### survival scaling\n")
    print(scaling())
    print()
    print(peak_memory())
    raise SystemExit(status)
