"""Benchmark: ipsstats on 1e6 to 1e8 records, in memory and pushed into engines.

DuckDB generates synthetic records into a Parquet file (5 ethnic groups with missing
values, whole-day durations, job events, access dates); each job then runs in a fresh
Python process, which reports its wall time and its peak resident memory:

- ``crosstab``: ethnicity by job;
- ``km-logrank``: Kaplan-Meier curves of the 5 groups and the log-rank test between them;
- ``report``: the full equity report (cohort built from the columns, then every analysis).

Engines: ``memory`` (columns read with pyarrow into numpy, then the array functions),
``duckdb`` (a relation over the Parquet file), ``polars`` (a lazy scan of it) and
``pyspark`` (local mode, ``local[2]``; the JVM start-up is part of the time). Targets on a
2-core machine: 1e8 records through DuckDB under 60 s for ``km-logrank`` with a peak RSS
under 2 GB.

Run ``python benchmarks/bench_scale.py`` for 1e6 and 1e7 records (``--sizes 1e6 1e7 1e8``
for the opt-in 1e8 run, ``--engines``/``--jobs`` to choose); it prints a Markdown table.
Files are kept in ``--folder`` (default a temporary folder) and re-used when present.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

ENGINES = ("memory", "duckdb", "polars", "pyspark")
JOBS = ("crosstab", "km-logrank", "report")
OBSERVED_UNTIL = "2024-02-27"


def generate(path: pathlib.Path, n: int) -> None:
    """Write `n` synthetic records to a Parquet file with DuckDB."""
    import duckdb  # noqa: PLC0415  # optional engines, imported when benchmarked

    connection = duckdb.connect()
    connection.execute("SELECT setseed(0.2024)")
    connection.execute(
        f"""
        COPY (
          WITH base AS (
            SELECT i,
              random() AS u1, random() AS u2, random() AS u3, random() AS u4
            FROM range({n}) t(i)
          )
          SELECT
            i AS id,
            CASE WHEN u1 < 0.05 THEN NULL
                 ELSE ['White', 'Asian', 'Black', 'Mixed', 'Other']
                      [1 + CAST(floor(u1 * 5) AS INTEGER) % 5]
            END AS ethnicity,
            ['F', 'M'][1 + CAST(floor(u4 * 2) AS INTEGER)] AS gender,
            DATE '2022-04-01' + CAST(floor(u2 * 365) AS INTEGER) AS accessed,
            CAST(least(floor(-ln(1 - u3) * (150 + 10 * floor(u1 * 5))), 600) AS INTEGER) AS days,
            CAST(u4 < 0.55 AS INTEGER) AS job
          FROM base
        ) TO '{path}' (FORMAT PARQUET)
        """
    )
    connection.execute(
        f"""
        COPY (
          SELECT id, ethnicity, gender, accessed,
            CASE WHEN job = 1 AND accessed + days <= DATE '{OBSERVED_UNTIL}'
                 THEN accessed + days END AS job_start,
            days, job
          FROM read_parquet('{path}')
        ) TO '{path}.tmp' (FORMAT PARQUET)
        """
    )
    pathlib.Path(f"{path}.tmp").replace(path)


def _frame(engine: str, path: pathlib.Path) -> Any:
    if engine == "duckdb":
        import duckdb  # noqa: PLC0415  # optional engines, imported when benchmarked

        return duckdb.connect().read_parquet(str(path))
    if engine == "polars":
        import polars as pl  # noqa: PLC0415  # optional engines, imported when benchmarked

        return pl.scan_parquet(path)
    if engine == "pyspark":
        from pyspark.sql import SparkSession  # noqa: PLC0415  # optional engines, imported when benchmarked

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        return spark.read.parquet(str(path))
    raise AssertionError(engine)


def _columns(path: pathlib.Path, names: list[str]) -> dict[str, Any]:
    import numpy as np  # noqa: PLC0415  # optional engines, imported when benchmarked
    import pyarrow.parquet as pq  # noqa: PLC0415  # optional engines, imported when benchmarked

    table = pq.read_table(path, columns=names)
    out: dict[str, Any] = {}
    for name in names:
        column = table.column(name)
        if str(column.type).startswith("date"):
            out[name] = column.to_numpy(zero_copy_only=False).astype("datetime64[D]")
        elif column.null_count or str(column.type) in ("string", "large_string"):
            out[name] = np.asarray(column.to_pylist(), dtype=object)
        else:
            out[name] = column.to_numpy()
    return out


def work(job: str, engine: str, path: pathlib.Path) -> str:
    """Run one job once; return a short fingerprint of the result (to compare engines)."""
    import ipsstats as ips  # noqa: PLC0415  # optional engines, imported when benchmarked

    if job == "crosstab":
        if engine == "memory":
            cols = _columns(path, ["ethnicity", "job"])
            table = ips.crosstab(cols["ethnicity"], cols["job"])
        else:
            table = ips.crosstab("ethnicity", "job", data=_frame(engine, path))
        return json.dumps(table.with_missing.tolist() if table.with_missing is not None else [])
    if job == "km-logrank":
        if engine == "memory":
            cols = _columns(path, ["days", "job", "ethnicity"])
            curves = ips.kaplan_meier(cols["days"], cols["job"], by=cols["ethnicity"])
            test = ips.logrank(cols["days"], cols["job"], cols["ethnicity"])
        else:
            frame = _frame(engine, path)
            curves = ips.kaplan_meier("days", "job", by="ethnicity", data=frame)
            test = ips.logrank("days", "job", "ethnicity", data=frame)
        medians = [curves[k].median().value for k in curves]
        return json.dumps([test.statistic, medians])
    if job == "report":
        wanted = ["id", "accessed", "job_start", "ethnicity", "gender"]
        if engine == "memory":
            cohort = ips.Cohort.from_columns(_columns(path, wanted), observed_until=OBSERVED_UNTIL)
        else:
            cohort = ips.Cohort.from_frame(
                _frame(engine, path), observed_until=OBSERVED_UNTIL, attributes=wanted[3:]
            )
        report = ips.equity_report(cohort, study_end=OBSERVED_UNTIL, by=["ethnicity"])
        return hashlib.sha256(report.to_json().encode()).hexdigest()[:16]
    raise AssertionError(job)


def _peak_mib() -> float:
    """Peak resident memory of this process in MiB.

    Read from ``VmHWM`` in ``/proc/self/status`` where it exists: unlike ``ru_maxrss``, it
    starts afresh when a process starts a program, so it does not include the memory of
    the process that launched the worker (the one that generated the data).
    """
    status = pathlib.Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _worker(job: str, engine: str, path: str) -> None:
    # imports are not timed: a long-running service pays them once
    for module in (
        "ipsstats",
        "pyarrow.parquet",
        "narwhals",
        {"pyspark": "pyspark.sql"}.get(engine, engine),
    ):
        if module != "memory":
            importlib.import_module(module)
    start = time.perf_counter()
    fingerprint = work(job, engine, pathlib.Path(path))
    seconds = time.perf_counter() - start
    peak = _peak_mib()
    if engine == "pyspark":  # the JVM is a child process
        peak += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "result": fingerprint}))


def measure(job: str, engine: str, path: pathlib.Path, timeout: float) -> dict[str, Any]:
    """Run one job in a fresh process; return its time, peak memory and result."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", job, engine, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1][:80]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1e6", "1e7"])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=JOBS)
    parser.add_argument("--folder", default=None)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return
    folder = pathlib.Path(args.folder or tempfile.mkdtemp(prefix="ipsstats-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    print("| records | job | engine | seconds | peak RSS (MiB) | same result as memory |")
    print("| ---: | --- | --- | ---: | ---: | --- |")
    for size in args.sizes:
        n = int(float(size))
        path = folder / f"records_{n}.parquet"
        if not path.exists():
            generate(path, n)
        for job in args.jobs:
            reference = None
            for engine in args.engines:
                found = measure(job, engine, path, args.timeout)
                if "error" in found:
                    print(f"| {n:.0e} | {job} | {engine} | - | - | {found['error']} |")
                    continue
                if engine == "memory" or reference is None:
                    reference = found["result"]
                same = "yes" if found["result"] == reference else "NO"
                print(
                    f"| {n:.0e} | {job} | {engine} | {found['seconds']:.2f} | "
                    f"{found['peak_mib']:.0f} | {same} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
