"""Benchmark: load a CSV of service records into a Cohort and derive time to first job.

Compares :meth:`ipsstats.Cohort.from_csv` followed by :meth:`~ipsstats.Cohort.time_to_job`
(numpy splitting, and pyarrow's reader when installed) with ``polars.read_csv`` and
``pandas.read_csv(..., parse_dates=...)`` followed by the same day arithmetic, on one
generated file, in the same run. Three more ipsstats rows read the same data with every
field quoted and with one line break inside a quoted field (both split by the same
vectorised byte search), and with one record short of a field (which sends the file
through the standard library ``csv`` reader, so that the record is reported with its line
number). Target: within 2x of polars.

Run ``python benchmarks/bench_cohort.py [n_rows]`` (default 1,000,000) to print a Markdown
table. ``python benchmarks/bench_cohort.py --wide 1000,2000,10000`` instead times files of
1,000 records with that many categorical attributes: loading, loading two attributes only
(``attributes=``, as the command's ``--by``) and the equity report by those two.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ipsstats import Cohort

OBSERVED_UNTIL = "2024-02-27"
DATE_COLUMNS = ["accessed", "job_start", "discharged"]


def write_csv(path: Path, n: int, seed: int = 2024) -> None:
    """Write `n` synthetic records with ISO dates, blanks for no job / not discharged."""
    rng = np.random.default_rng(seed)
    accessed = np.datetime64("2022-04-01") + rng.integers(0, 365, n)
    job = accessed + rng.integers(0, 300, n)
    has_job = (rng.random(n) < 0.45) & (job <= np.datetime64(OBSERVED_UNTIL))
    start = np.where(has_job, job, accessed)
    leave = start + rng.integers(0, 400, n)
    discharged = (rng.random(n) < 0.6) & (leave <= np.datetime64(OBSERVED_UNTIL))
    ethnicity = np.array(["White", "Asian", "Black", "Mixed", "Other", "Not known"])
    gender = np.array(["Female", "Male", "Other"])
    columns = {
        "id": np.char.add("P", np.arange(n).astype(str)),
        "accessed": accessed.astype(str),
        "job_start": np.where(has_job, job.astype(str), ""),
        "discharged": np.where(discharged, leave.astype(str), ""),
        "age": rng.integers(18, 70, n).astype(str),
        "ethnicity": ethnicity[rng.integers(0, ethnicity.size, n)],
        "gender": gender[rng.integers(0, gender.size, n)],
    }
    lines = [",".join(columns)]
    rows = zip(*(c.tolist() for c in columns.values()), strict=True)
    lines.extend(",".join(row) for row in rows)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ipsstats_case(path: Path, engine: str = "numpy") -> object:
    """Cohort.from_csv + time_to_job."""
    cohort = Cohort.from_csv(
        path,
        observed_until=OBSERVED_UNTIL,
        missing_labels=["Not known"],
        numeric=["age"],
        engine=engine,  # type: ignore[arg-type]  # one of the engines
    )
    return cohort.time_to_job()


def polars_case(path: Path) -> object:
    """polars.read_csv parsing dates + the same durations."""
    import polars as pl  # noqa: PLC0415  # optional benchmark dependency

    frame = pl.read_csv(path, try_parse_dates=True, schema_overrides={"id": pl.String})
    end = pl.lit(np.datetime64(OBSERVED_UNTIL)).cast(pl.Date)
    stop = pl.coalesce("job_start", "discharged", end)
    out = frame.select(
        (stop - pl.col("accessed")).dt.total_days().alias("days"),
        pl.col("job_start").is_not_null().alias("event"),
    )
    return out["days"].to_numpy(), out["event"].to_numpy()


def short_case(path: Path) -> object:
    """Cohort.from_csv excluding the short record + time_to_job."""
    cohort = Cohort.from_csv(
        path,
        observed_until=OBSERVED_UNTIL,
        missing_labels=["Not known"],
        numeric=["age"],
        errors="exclude",
    )
    return cohort.time_to_job()


def pandas_case(path: Path) -> object:
    """pandas.read_csv with parse_dates + the same durations."""
    import pandas as pd  # noqa: PLC0415  # optional benchmark dependency

    frame = pd.read_csv(path, parse_dates=DATE_COLUMNS, dtype={"id": str})
    end = pd.Timestamp(OBSERVED_UNTIL)
    stop = frame["job_start"].fillna(frame["discharged"]).fillna(end)
    durations = (stop - frame["accessed"]).dt.days.to_numpy(dtype=np.float64)
    events = frame["job_start"].notna().to_numpy()
    return durations, events


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Benchmark cases on an `n`-row file: (name, library, callable).

    The file is written once into a temporary directory that lives as long as the process.
    """
    folder = Path(tempfile.mkdtemp(prefix="ipsstats-bench-"))
    path = folder / f"cohort_{n}.csv"
    write_csv(path, n)
    text = path.read_text(encoding="utf-8")
    # Every field quoted, as R's write.csv writes text: read by the same vectorised splitter.
    quoted = folder / f"cohort_{n}_quoted.csv"
    quoted.write_text(
        "\n".join('"' + line.replace(",", '","') + '"' for line in text.splitlines()) + "\n",
        encoding="utf-8",
    )
    # One line break inside a quoted field: still the vectorised splitter.
    header, first, rest = text.split("\n", 2)
    broken = folder / f"cohort_{n}_line_break.csv"
    broken.write_text(f'{header}\n{first[: first.rindex(",")]},"two\nlines"\n{rest}', "utf-8")
    # A record short of a field sends the file through the csv module instead.
    short = folder / f"cohort_{n}_short_record.csv"
    short.write_text(f"{header}\n{first[: first.rindex(',')]}\n{rest}", "utf-8")
    out: list[tuple[str, str, Callable[[], object]]] = [
        ("load CSV + time_to_job", "ipsstats", lambda: ipsstats_case(path)),
        (
            "load CSV + time_to_job",
            "ipsstats engine=pyarrow",
            lambda: ipsstats_case(path, "pyarrow"),
        ),
        ("all fields quoted", "ipsstats", lambda: ipsstats_case(quoted)),
        ("a line break in a quoted field", "ipsstats", lambda: ipsstats_case(broken)),
        ("a record short of a field (csv module)", "ipsstats", lambda: short_case(short)),
    ]
    out.append(("load CSV + time_to_job", "polars read_csv", lambda: polars_case(path)))
    out.append(
        ("load CSV + time_to_job", "pandas read_csv(parse_dates)", lambda: pandas_case(path))
    )
    return out


def _best_of(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU (process) time of `repeat` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def _timed_if_installed(
    library: str, function: Callable[[], object], repeat: int
) -> tuple[float, float] | None:
    """Best timings, or ``None`` (with a note) when an optional peer is not installed."""
    try:
        return _best_of(function, repeat)
    except ImportError as exc:
        print(f"skipped {library}: {exc}")
        return None


def main(n: int = 1_000_000, repeat: int = 3) -> None:
    """Print a Markdown table of the best of `repeat` timings (wall clock and CPU)."""
    rows = [
        (name, library, *timed)
        for name, library, run in cases(n)
        if (timed := _timed_if_installed(library, run, repeat)) is not None
    ]
    peers = [(wall, cpu) for _, library, wall, cpu in rows if library.startswith("polars")]
    print(f"### Cohort loading, {n:,} rows (best of {repeat})\n")
    print("| case | library | wall s | CPU s | wall vs polars | CPU vs polars |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, library, wall, cpu in rows:
        ratios = f"{wall / peers[0][0]:.2f}x | {cpu / peers[0][1]:.2f}x" if peers else "- | -"
        print(f"| {name} | {library} | {wall:.3f} | {cpu:.3f} | {ratios} |")


def write_wide_csv(path: Path, n: int, k: int, seed: int = 1) -> None:
    """Write `n` records with the roles and `k` categorical attributes ``attr0 ...``."""
    rng = np.random.default_rng(seed)
    accessed = np.datetime64("2022-01-01") + rng.integers(0, 365, n)
    job = np.where(rng.random(n) < 0.4, (accessed + rng.integers(0, 200, n)).astype(str), "")
    levels = np.array(["a", "b", "c", "Not known"])
    columns = [np.char.add("P", np.arange(n).astype(str)), accessed.astype(str), job]
    columns += [levels[rng.integers(0, levels.size, n)] for _ in range(k)]
    header = ["id", "accessed", "job_start", *[f"attr{j}" for j in range(k)]]
    lines = [",".join(header)] + [",".join(row) for row in zip(*columns, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def wide(counts: list[int], n: int = 1000) -> None:
    """Time files of `n` records with each number of attributes (load, load two, report)."""
    from ipsstats import equity_report  # noqa: PLC0415  # only for this table

    folder = Path(tempfile.mkdtemp(prefix="ipsstats-bench-wide-"))
    print(f"### Wide files, {n:,} records (one run each)\n")
    print("| attributes | load all s | load 2 (attributes=) s | report by 2 s |")
    print("| ---: | ---: | ---: | ---: |")
    for k in counts:
        path = folder / f"wide_{k}.csv"
        write_wide_csv(path, n, k)
        start = time.perf_counter()
        Cohort.from_csv(path, observed_until="2023-06-30")
        load_all = time.perf_counter() - start
        start = time.perf_counter()
        two = Cohort.from_csv(path, observed_until="2023-06-30", attributes=["attr0", "attr1"])
        load_two = time.perf_counter() - start
        start = time.perf_counter()
        equity_report(two, study_end="2023-06-30", by=["attr0", "attr1"]).to_text()
        report = time.perf_counter() - start
        print(f"| {k:,} | {load_all:.2f} | {load_two:.2f} | {report:.2f} |")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--wide":
        wide([int(k) for k in sys.argv[2].split(",")])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
