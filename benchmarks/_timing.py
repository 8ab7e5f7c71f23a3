"""Shared timing helpers of the survival benchmarks: interleaved CPU time, and R's own timing.

On a shared machine wall-clock times move with the other processes; the benchmarks of the
survival wing therefore also report the best CPU time (``time.process_time``) of several
interleaved rounds, where every implementation of a case runs once per round. R is timed
inside R (``proc.time`` around each repeat), so its start-up and the transfer of the data
do not count.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def best_cpu_seconds(
    functions: Sequence[Callable[[], object]], rounds: int = 7, budget: float = 0.05
) -> list[float]:
    """Best CPU seconds per call of each function over interleaved rounds.

    Each round runs every function a number of times chosen once so that a batch takes
    about `budget` seconds; the result is the best per-call time over the rounds.
    """
    inner = []
    for function in functions:
        function()  # warm-up
        start = time.process_time()
        function()
        once = max(time.process_time() - start, 1e-6)
        inner.append(max(1, min(1000, int(budget / once))))
    best = [float("inf")] * len(functions)
    for _ in range(rounds):
        for k, function in enumerate(functions):
            start = time.process_time()
            for _ in range(inner[k]):
                function()
            best[k] = min(best[k], (time.process_time() - start) / inner[k])
    return best


def r_cpu_seconds(script: str, columns: dict[str, Any], repeat: int = 7) -> dict[str, float]:
    """Run `script` in R on `columns` and return the CPU seconds R measured per case.

    The data are written to a CSV file read by R as ``d``; `script` defines
    ``cases <- list(name = function() ...)``. Each case runs in batches of at least 50 ms
    of CPU time (``proc.time`` counts in milliseconds), `repeat` batches; the best user +
    system time per call is reported. Returns an
    empty mapping when R (``Rscript``) or its survival package is not installed.
    """
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        names = list(columns)
        table = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in names])
        np.savetxt(path, table, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
        program = f"""
suppressPackageStartupMessages(library(survival))
d <- read.csv("{path.as_posix()}")
{script}
cpu <- function(f, inner) {{
  t0 <- proc.time()
  for (j in seq_len(inner)) invisible(f())
  t1 <- proc.time() - t0
  t1[["user.self"]] + t1[["sys.self"]]
}}
for (name in names(cases)) {{
  f <- cases[[name]]
  inner <- 1
  while (cpu(f, inner) < 0.05) inner <- inner * 2  # batches of at least 50 ms
  best <- Inf
  for (i in seq_len({repeat})) best <- min(best, cpu(f, inner) / inner)
  cat(name, best, "\\n")
}}
"""
        result = subprocess.run(
            ["Rscript", "-e", program], capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        return {}
    times = {}
    for line in result.stdout.splitlines():
        name, value = line.rsplit(maxsplit=1)
        times[name] = float(value)
    return times


def format_seconds(seconds: float) -> str:
    """Human units: µs, ms or s ("n/a" when not measured)."""
    if not np.isfinite(seconds):
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"
