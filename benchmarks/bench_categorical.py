"""Benchmark: categorical tests of ipsstats beside scipy, in one run.

Cases:

- Pearson's test of a 5 x 2 table (the 2022 paper's outcome table), repeated `calls` times,
  beside the floor (the minimal numpy computation of the statistic and p-value, with no
  validation and no result object; target: ipsstats within 1.5x of it),
  ``statsmodels`` ``Table(t).test_nominal_association()`` (target: ipsstats at least 5x
  faster) and ``scipy.stats.chi2_contingency`` (target: at least 10x faster);
- a Monte Carlo p-value with 100,000 resamples on a 5 x 2 table, against
  ``scipy.stats.random_table(...).rvs(100_000)`` plus a vectorised Pearson statistic
  (target: no slower);
- the exact Fisher-Freeman-Halton test on the 2022 paper's 5 x 2 outcome tables (target:
  under 50 ms each) and on R's 4 x 4 job-satisfaction table (figure reported). No Python
  peer computes this test exactly; ``scipy.stats.fisher_exact`` with r x c input samples.

Run ``python benchmarks/bench_categorical.py [--n 100000] [--repeat 7]`` to print a Markdown
table of medians and the ratio peer / ipsstats (above 1 means ipsstats is faster). A common
runner can import :func:`cases`, which returns (case, implementation, callable).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from scipy import special, stats

import ipsstats
from ipsstats.datasets import perkins2022

DEFAULT_N = 100_000  # Monte Carlo resamples when run through benchmarks/run.py
CALLS = 200  # Pearson tests per timed call: one call takes tens of microseconds
JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]).T
UCB = np.array(
    [
        [[512, 89], [313, 19]],
        [[353, 17], [207, 8]],
        [[120, 202], [205, 391]],
        [[138, 131], [279, 244]],
        [[53, 94], [138, 299]],
        [[22, 24], [351, 317]],
    ]
)


def _repeat(func: Callable[[], object], times: int) -> Callable[[], object]:
    def run() -> object:
        out = None
        for _ in range(times):
            out = func()
        return out

    return run


def _pearson_floor(table: np.ndarray) -> tuple[float, float]:
    """The minimal numpy computation of Pearson's statistic and p-value (no validation)."""
    counts = np.asarray(table)
    rows = counts.sum(axis=1, keepdims=True)
    cols = counts.sum(axis=0, keepdims=True)
    expected = rows * cols / rows.sum()
    diff = counts - expected
    statistic = float((diff * diff / expected).sum())
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    return statistic, float(special.chdtrc(dof, statistic))


def _statsmodels_pearson(table: np.ndarray) -> object:
    from statsmodels.stats.contingency_tables import Table  # noqa: PLC0415  # optional peer

    return Table(table).test_nominal_association()


def _scipy_monte_carlo(table: np.ndarray, n_resamples: int, seed: int) -> float:
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(rows, cols) / table.sum()
    observed = ((table - expected) ** 2 / expected).sum()
    draws = stats.random_table(rows, cols, seed=seed).rvs(n_resamples)
    simulated = ((draws - expected) ** 2 / expected).sum(axis=(1, 2))
    return float((1 + np.count_nonzero(simulated >= observed)) / (n_resamples + 1))


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Build the cases; `n` is the number of Monte Carlo resamples (e.g. 100,000)."""
    data = perkins2022()
    table = data.jobs_all["total"].counts
    exact_cases: list[tuple[str, str, Callable[[], object]]] = []
    for subset, tables in (("all", data.jobs_all), ("six-month", data.jobs_six_month)):
        for service, labelled in tables.items():
            counts = labelled.counts
            name = f"exact test, 2022 paper {service} {subset} (5 x 2, n = {counts.sum()})"
            exact_cases.append(
                (name, "ipsstats", lambda c=counts: ipsstats.independence(c, method="exact"))
            )
    return [
        (
            f"Pearson test, 5 x 2 table ({CALLS} calls)",
            "ipsstats",
            _repeat(lambda: ipsstats.independence(table, method="pearson"), CALLS),
        ),
        (
            f"Pearson test, 5 x 2 table ({CALLS} calls)",
            "floor: minimal numpy",
            _repeat(lambda: _pearson_floor(table), CALLS),
        ),
        (
            f"Pearson test, 5 x 2 table ({CALLS} calls)",
            "statsmodels Table.test_nominal_association",
            _repeat(lambda: _statsmodels_pearson(table), CALLS),
        ),
        (
            f"Pearson test, 5 x 2 table ({CALLS} calls)",
            "scipy.chi2_contingency",
            _repeat(lambda: stats.chi2_contingency(table, correction=False), CALLS),
        ),
        (
            f"Monte Carlo p, 5 x 2 table, {n:,} resamples",
            "ipsstats",
            lambda: ipsstats.independence(table, method="monte-carlo", n_resamples=n, rng=1),
        ),
        (
            f"Monte Carlo p, 5 x 2 table, {n:,} resamples",
            "scipy.random_table + numpy",
            lambda: _scipy_monte_carlo(table, n, 1),
        ),
        *exact_cases,
        (
            "exact test, R job satisfaction (4 x 4, n = 96)",
            "ipsstats",
            lambda: ipsstats.independence(JOB, method="exact"),
        ),
        (
            "exact 2 x 2 x K test, R's UCBAdmissions (n = 4,526)",
            "ipsstats",
            lambda: ipsstats.cmh(UCB, method="exact"),
        ),
        (
            "Barnard's test, 2 x 2 (n = 30)",
            "ipsstats",
            lambda: ipsstats.barnard(7, 15, 12, 15, alternative="less"),
        ),
        (
            "Barnard's test, 2 x 2 (n = 30)",
            "scipy.barnard_exact",
            lambda: stats.barnard_exact([[7, 12], [8, 3]], alternative="less"),
        ),
    ]


def _time_once(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="Monte Carlo resamples")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case")
    args = parser.parse_args()
    all_cases = cases(args.n)
    for _, _, func in all_cases:  # warm up (imports, caches)
        func()
    # interleave the repeats so that load on the machine affects every case alike
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for case, impl, func in all_cases:
            times.setdefault((case, impl), []).append(_time_once(func))
    medians = {key: statistics.median(values) for key, values in times.items()}
    print(f"categorical tests, median of {args.repeat} runs\n")
    print("| case | implementation | median (ms) | per call (us) | peer / ipsstats |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case, impl, _ in all_cases:
        ours = medians[(case, "ipsstats")]
        value = medians[(case, impl)]
        ratio = "1.00" if impl == "ipsstats" else f"{value / ours:.2f}"
        per_call = value / CALLS * 1e6 if f"({CALLS} calls)" in case else value * 1e6
        print(f"| {case} | {impl} | {value * 1000:.2f} | {per_call:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
