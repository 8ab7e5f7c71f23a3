"""Kaplan-Meier with the median and its confidence interval, beside its peers and a floor.

Data: `n` integer-day durations (0 to 999 days, heavy ties) or continuous (float)
durations, with about 40% censored. ``python benchmarks/bench_survival.py`` prints, at 1e4
and 1e6 records, the best CPU time of interleaved rounds (see ``_timing.py``) of ipsstats,
of the numpy floor, of lifelines and statsmodels, and of R's ``survfit`` timed inside R;
then the scaling of ipsstats to 1e7 records and its peak memory.

The floor is the numpy work any implementation has to do for the same output: tally the
records (a bincount of whole days, a sort of float durations), the risk sets and the
product (cumulative sums and product), Greenwood's variance, the log-log band, and the
searches of R's ``quantile.survfit`` for the median and its two limits -- without input
validation, result objects or the checks of a non-monotone band.
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

from ipsstats import kaplan_meier

DEFAULT_N = 1_000_000
CASE = "KM + median CI"
FLOAT_CASE = "KM + median CI, float durations"
_TOL = float(np.sqrt(np.finfo(np.float64).eps))
_Z = 1.959963984540054  # qnorm(0.975)

_R_SCRIPT = """
cases <- list(
  survfit = function() {
    fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = "log-log")
    quantile(fit, 0.5)
  }
)
"""


def _data(n: int, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, 1000, size=n)
    events = rng.random(n) < 0.6
    return durations, events


def _floats(n: int) -> np.ndarray[Any, Any]:
    return np.random.default_rng(1).exponential(200.0, size=n)


def _ipsstats(durations: Any, events: Any) -> object:
    return kaplan_meier(durations, events).median()


def _first_reaching(cdf: Any, p: float) -> tuple[int, int]:
    """R's two searches (within and beyond the tolerance) on a non-decreasing CDF."""
    return int(np.searchsorted(cdf + _TOL, p)), int(np.searchsorted(cdf - _TOL, p))


def floor(durations: Any, events: Any) -> object:
    """The numpy work of KM + Greenwood + log-log band + median limits (no checks)."""
    if durations.dtype.kind in "iu":
        cells = np.bincount(2 * durations + events)
        exits = (cells[0::2] + cells[1::2]).astype(np.float64)
        used = exits > 0
        exits, deaths = exits[used], cells[1::2][used].astype(np.float64)
    else:
        keys = np.sort(durations.view(np.uint64) << np.uint64(1) | events)
        deaths = (keys & np.uint64(1)).astype(np.float64)  # continuous: times distinct
        exits = np.ones(deaths.size)
    at_risk = np.cumsum(exits[::-1])[::-1]
    survivors = at_risk - deaths
    survival = np.cumprod(survivors / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(np.cumsum(deaths / (at_risk * survivors)))
        log_s = np.log(survival)
        spread = np.exp(_Z * sigma / log_s)
        lower, upper = np.exp(log_s / spread), np.exp(log_s * spread)
    return [_first_reaching(1.0 - curve, 0.5) for curve in (survival, lower, upper)]


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
    """Kaplan-Meier plus median with CI on `n` integer-day and `n` float durations."""
    durations, events = _data(n)
    floats = _floats(n)
    rows: list[tuple[str, str, Callable[[], object]]] = []
    for case, times in ((CASE, durations), (FLOAT_CASE, floats)):
        rows += [
            (case, "ipsstats", lambda t=times: _ipsstats(t, events)),
            (case, "numpy floor (same output)", lambda t=times: floor(t, events)),
            (case, "lifelines KaplanMeierFitter", lambda t=times: _lifelines(t, events)),
            (case, "statsmodels SurvfuncRight", lambda t=times: _statsmodels(t, events)),
        ]
    return rows


def cpu_table(sizes: tuple[int, ...] = (10**4, 10**6)) -> str:
    """Markdown table: best CPU time of interleaved rounds, R timed inside R."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _timing import best_cpu_seconds, format_seconds, r_cpu_seconds  # noqa: PLC0415

    rows = [
        (
            "| records | durations | ipsstats | numpy floor | ipsstats / floor | lifelines "
            "| statsmodels | R survfit | statsmodels / ipsstats |"
        ),
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in sizes:
        durations, events = _data(n)
        for label, times in (("integer days", durations), ("float", _floats(n))):
            functions = [
                functools.partial(f, times, events)
                for f in (_ipsstats, floor, _lifelines, _statsmodels)
            ]
            ours, low, lifelines, statsmodels = best_cpu_seconds(
                functions, rounds=7 if n <= 10**5 else 3
            )
            r = r_cpu_seconds(_R_SCRIPT, {"time": times, "status": events}, repeat=3)
            rows.append(
                f"| {n:,} | {label} | {format_seconds(ours)} | {format_seconds(low)} | "
                f"{ours / low:.2f} | {format_seconds(lifelines)} | "
                f"{format_seconds(statsmodels)} | {format_seconds(r.get('survfit', np.nan))} | "
                f"{statsmodels / ours:.2f} |"
            )
    return "\n".join(rows)


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
    print("### survival: best CPU time of interleaved rounds\n")
    print(cpu_table())
    print("\n### survival scaling (wall clock)\n")
    print(scaling())
    print()
    print(peak_memory())
