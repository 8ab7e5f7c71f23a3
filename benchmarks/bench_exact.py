"""Benchmark: exact conditional tests of ipsstats beside R's ``fisher.test`` and scipy.

Cases (the tables are realistic shapes for equity-of-access analyses):

- the 2022 paper's 5 x 2 outcome table for CNWL (``perkins2022().jobs_all["CNWL"]``,
  n = 365; target: under 1 ms);
- a 3 x 2 table of three areas by job outcome, n = 10,000, a small effect (p = 0.038):
  ``[[1660, 2340], [1160, 1840], [1180, 1820]]``;
- the same shape with n = 30,000 and p = 0.51 (target: under 0.2 s):
  ``[[4830, 7170], [3555, 5445], [3615, 5385]]``;
- a 3 x 3 table, n = 1,000, near independence (p = 0.40):
  ``[[215, 113, 72], [167, 110, 73], [118, 77, 55]]``;
- a sparse 6 x 4 table, n = 120, six ethnic groups by four outcomes (p = 0.46, R needs its
  workspace raised; the work limit is lifted here too):
  ``[[15, 7, 9, 16], [4, 2, 5, 9], [4, 2, 2, 5], [3, 6, 2, 7], [7, 1, 2, 3], [0, 3, 2, 4]]``;
- ``independence(..., method="auto")`` on that 6 x 4 table: the exact test stops at the
  default work limit and a Monte Carlo p-value with `n` resamples is computed (ipsstats
  only: the row shows how long the decision and the fallback take);
- 2 x 2 tables with n = 100,000 and n = 10,000,000, beside ``scipy.stats.fisher_exact``.

R runs in one persistent ``Rscript`` session, so its start-up is excluded. Run as a script
(``python benchmarks/bench_exact.py [--repeat 5]``), R is timed inside R with
``system.time`` over repeated calls and the table shows every p-value, checked equal
(to R's tolerance, about 1e-7 relative for r x c tables) before timing. Through
``benchmarks/run.py exact`` each R call goes through the session's pipe, which adds about
0.05 ms per call. R rows are reported missing when ``Rscript`` is not on the PATH.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

import ipsstats
from ipsstats.categorical.exact import fisher_exact_pvalue
from ipsstats.datasets import perkins2022

DEFAULT_N = 10_000  # Monte Carlo resamples of the method="auto" case
UNLIMITED = 10**13  # work limit for the slow exact cases

SPARSE = [[15, 7, 9, 16], [4, 2, 5, 9], [4, 2, 2, 5], [3, 6, 2, 7], [7, 1, 2, 3], [0, 3, 2, 4]]
TABLES: dict[str, tuple[list[list[int]], int]] = {
    # name: (table, R workspace)
    "paper 5 x 2 (CNWL, n = 365)": (perkins2022().jobs_all["CNWL"].counts.tolist(), 200_000),
    "3 x 2, n = 10,000": ([[1660, 2340], [1160, 1840], [1180, 1820]], 20_000_000),
    "3 x 2, n = 30,000": ([[4830, 7170], [3555, 5445], [3615, 5385]], 20_000_000),
    "3 x 3, n = 1,000": ([[215, 113, 72], [167, 110, 73], [118, 77, 55]], 20_000_000),
    "sparse 6 x 4, n = 120 (work limit lifted)": (SPARSE, 50_000_000),
    "2 x 2, n = 100,000": ([[25100, 24900], [24800, 25200]], 200_000),
    "2 x 2, n = 10,000,000": ([[2502000, 2498000], [2497000, 2503000]], 200_000),
}

_LOOP = (
    'con <- file("stdin", open = "r"); repeat { line <- readLines(con, n = 1); '
    "if (length(line) == 0) break; "
    "tryCatch(eval(parse(text = line), envir = globalenv()), "
    'error = function(e) cat("ERROR:", conditionMessage(e), "\\n")); '
    'cat("<<done>>\\n"); flush(stdout()) }'
)


class RSession:
    """One ``Rscript`` process evaluating lines of R code sent over a pipe."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["Rscript", "-e", _LOOP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, code: str) -> str:
        """Evaluate one line of R code; return what it printed."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(code + "\n")
        self.process.stdin.flush()
        out = []
        while (line := self.process.stdout.readline()) != "<<done>>\n":
            if not line:
                raise RuntimeError("the R session ended")
            out.append(line)
        text = "".join(out)
        if text.startswith("ERROR:"):
            raise RuntimeError(text)
        return text

    def load(self, name: str, table: list[list[int]]) -> None:
        """Define the integer matrix `name` in the session."""
        values = ",".join(str(v) for v in np.asarray(table).T.ravel())
        self.run(f"{name} <- matrix(as.integer(c({values})), nrow = {len(table)})")

    def seconds_per_call(self, call: str) -> float:
        """Mean seconds of `call`, timed inside R over enough repetitions (about 0.5 s)."""
        once = float(self.run(f'cat(system.time({call})[["elapsed"]], "\\n")'))
        reps = max(1, min(2000, int(0.5 / max(once, 1e-4))))
        total = float(
            self.run(f'cat(system.time(for (i in seq_len({reps})) {call})[["elapsed"]], "\\n")')
        )
        return total / reps


_session: RSession | None = None


def r_session() -> RSession | None:
    """The shared R session, or None when Rscript is not installed."""
    global _session  # noqa: PLW0603  # one process for the whole run
    if _session is None and shutil.which("Rscript"):
        _session = RSession()
    return _session


def _r_call(name: str, workspace: int) -> str:
    return f"fisher.test({name}, workspace = {workspace}, conf.int = FALSE)$p.value"


def _missing_r() -> object:
    raise ImportError("Rscript not found", name="Rscript")


def _ipsstats(table: list[list[int]], *, limit: int = UNLIMITED) -> Callable[[], object]:
    return lambda: ipsstats.independence(table, method="exact", exact_work_limit=limit)


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Build the cases; `n` is the number of Monte Carlo resamples of the auto case."""
    session = r_session()
    out: list[tuple[str, str, Callable[[], object]]] = []
    for index, (name, (table, workspace)) in enumerate(TABLES.items()):
        out.append((name, "ipsstats", _ipsstats(table)))
        out.append(
            (
                name,
                "ipsstats.fisher_exact_pvalue",
                lambda t=table: fisher_exact_pvalue(t, exact_work_limit=UNLIMITED),
            )
        )
        if session is not None:
            r_name = f"t{index}"
            session.load(r_name, table)
            call = f"invisible({_r_call(r_name, workspace)})"
            out.append((name, "R fisher.test", lambda c=call: session.run(c)))
        else:
            out.append((name, "R fisher.test", _missing_r))
        if np.shape(table) == (2, 2):
            out.append((name, "scipy.fisher_exact", lambda t=table: stats.fisher_exact(t)))
    auto = f"sparse 6 x 4, method='auto' (exact up to the limit, then {n:,} resamples)"
    out.append((auto, "ipsstats", lambda: ipsstats.independence(SPARSE, n_resamples=n, rng=1)))
    return out


def check_and_time(repeat: int, n: int) -> list[dict[str, Any]]:
    """Check every engine's p-value against R, then time them (R inside R)."""
    session = r_session()
    rows: list[dict[str, Any]] = []
    for index, (name, (table, workspace)) in enumerate(TABLES.items()):
        ours = fisher_exact_pvalue(table, exact_work_limit=UNLIMITED)
        row: dict[str, Any] = {"case": name, "p": ours}
        row["ipsstats"] = _median(_ipsstats(table), repeat)
        if session is not None:
            r_name = f"t{index}"
            session.load(r_name, table)
            r_p = float(
                session.run(f'cat(format({_r_call(r_name, workspace)}, digits = 17), "\\n")')
            )
            if not np.isclose(r_p, ours, rtol=1e-6, atol=0.0):
                raise AssertionError(f"{name}: R gives {r_p!r}, ipsstats {ours!r}")
            row["R p"] = r_p
            row["R fisher.test"] = statistics.median(
                session.seconds_per_call(_r_call(r_name, workspace)) for _ in range(repeat)
            )
        if np.shape(table) == (2, 2):
            scipy_p = float(stats.fisher_exact(table).pvalue)
            row["scipy p"] = scipy_p
            row["scipy.fisher_exact"] = _median(lambda t=table: stats.fisher_exact(t), repeat)
        rows.append(row)
    started = time.perf_counter()
    res = ipsstats.independence(SPARSE, n_resamples=n, rng=1)
    rows.append(
        {
            "case": f"sparse 6 x 4, method='auto' ({n:,} resamples)",
            "p": res.pvalue,
            "ipsstats": time.perf_counter() - started,
            "note": res.reason,
        }
    )
    return rows


def _median(func: Callable[[], object], repeat: int) -> float:
    """Median over `repeat` samples of the mean time of a loop lasting about 0.3 s.

    The same protocol as R's timing: a loop long enough that the clock's resolution and a
    single slow call do not matter.
    """
    started = time.perf_counter()
    func()
    once = time.perf_counter() - started
    reps = max(1, min(2000, int(0.3 / max(once, 1e-5))))
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(reps):
            func()
        samples.append((time.perf_counter() - started) / reps)
    return statistics.median(samples)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "missing"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="resamples of the auto case")
    args = parser.parse_args()
    rows = check_and_time(args.repeat, args.n)
    print(f"exact tests, median of {args.repeat} runs (R timed inside R)\n")
    print("| case | p-value | ipsstats | R fisher.test | R / ipsstats | scipy | scipy p |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        ours, theirs = row["ipsstats"], row.get("R fisher.test")
        ratio = f"{theirs / ours:.1f}" if theirs else ""
        scipy_time = _fmt(row["scipy.fisher_exact"]) if "scipy.fisher_exact" in row else ""
        scipy_p = f"{row['scipy p']:.16g}" if "scipy p" in row else ""
        r_time = _fmt(theirs) if theirs else ("" if "note" in row else "missing")
        print(
            f"| {row['case']} | {row['p']:.16g} | {_fmt(ours)} | {r_time} | {ratio} | "
            f"{scipy_time} | {scipy_p} |"
        )
    for row in rows:
        if "note" in row:
            print(f"\nauto: {row['note']}")


if __name__ == "__main__":
    main()
