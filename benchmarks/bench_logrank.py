"""The log-rank test beside statsmodels, lifelines, scipy, R and a numpy floor.

Data: `n` integer-day durations (0 to 999 days, heavy ties) or continuous (float)
durations with about 40% censored, in 5 groups (2 groups for the comparison with scipy,
which is two-sample only). ``python benchmarks/bench_logrank.py`` prints, at 1e4 and 1e6
records, the best CPU time of interleaved rounds (see ``_timing.py``) of ipsstats, of the
numpy floor, of statsmodels and lifelines, and of R's ``survdiff`` timed inside R; then
the scaling of ipsstats to 1e7 rows and its peak memory.

The floor is the numpy work of the test: one bincount of (group, time, event) cells (a
sort first for float durations), the risk sets, observed minus expected, the variance
matrix, one solve and the chi-squared p-value -- without validation or result objects.
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
_R_SCRIPT = """
cases <- list(survdiff = function() survdiff(Surv(time, status) ~ group, data = d))
"""
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


def floor(durations: Any, events: Any, groups: Any, k: int = 5) -> object:
    """The numpy work of the k-sample log-rank test (no checks, no result object)."""
    from scipy import special  # noqa: PLC0415

    if durations.dtype.kind in "iu":
        codes, size = durations, int(durations.max()) + 1
    else:
        _, codes = np.unique(durations, return_inverse=True)
        size = int(codes.max()) + 1
    cells = groups * size + codes + events * (k * size)
    counts = np.bincount(cells, minlength=2 * k * size).reshape(2, k, size)
    deaths = counts[1].astype(np.float64)
    at_risk = np.cumsum((counts[0] + counts[1])[:, ::-1], axis=1)[:, ::-1]
    used = deaths.any(axis=0)
    deaths, at_risk = deaths[:, used], at_risk[:, used]
    n, d = at_risk.sum(axis=0), deaths.sum(axis=0)
    share = at_risk / n
    u = deaths.sum(axis=1) - share @ d
    weighted = share * (d * (n - d) / np.maximum(n - 1.0, 1.0))
    variance = np.diag(weighted.sum(axis=1)) - weighted @ share.T
    statistic = u[:-1] @ np.linalg.solve(variance[:-1, :-1], u[:-1])
    return statistic, special.chdtrc(k - 1, statistic)


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
        (CASE, "numpy floor (same output)", lambda: floor(durations, events, groups)),
        (
            CASE_STRATA,
            "ipsstats",
            lambda: logrank(durations, events, groups, strata=strata, weighting="tarone-ware"),
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


def cpu_table(sizes: tuple[int, ...] = (10**4, 10**6)) -> str:
    """Markdown table: best CPU time of interleaved rounds, R timed inside R."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _timing import best_cpu_seconds, format_seconds, r_cpu_seconds  # noqa: PLC0415

    rows = [
        (
            "| records | durations | ipsstats | numpy floor | ipsstats / floor | statsmodels "
            "| lifelines | R survdiff | statsmodels / ipsstats |"
        ),
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in sizes:
        durations, events, groups, _ = _data(n, 5)
        floats = np.random.default_rng(1).exponential(200.0, size=n)
        for label, times in (("integer days", durations), ("float", floats)):
            functions = [
                functools.partial(f, times, events, groups)
                for f in (logrank, floor, _statsmodels, _lifelines)
            ]
            ours, low, statsmodels, lifelines = best_cpu_seconds(
                functions, rounds=7 if n <= 10**5 else 3
            )
            r = r_cpu_seconds(
                _R_SCRIPT, {"time": times, "status": events, "group": groups}, repeat=3
            )
            rows.append(
                f"| {n:,} | {label} | {format_seconds(ours)} | {format_seconds(low)} | "
                f"{ours / low:.2f} | {format_seconds(statsmodels)} | "
                f"{format_seconds(lifelines)} | {format_seconds(r.get('survdiff', np.nan))} | "
                f"{statsmodels / ours:.2f} |"
            )
    return "\n".join(rows)


if __name__ == "__main__":
    print("### logrank (5 groups): best CPU time of interleaved rounds\n")
    print(cpu_table())
    print("\n### logrank scaling (5 groups, wall clock)\n")
    print(scaling())
