"""Run the ipsstats benchmarks beside peer libraries and print a Markdown table.

Usage::

    python benchmarks/run.py                 # every benchmarks/bench_*.py module
    python benchmarks/run.py survival logrank --n 1000000 --repeat 5

Each ``bench_<topic>.py`` module defines ``cases(n) -> list[(case, implementation, fn)]``,
where ``fn`` is a zero-argument callable doing the whole job once. Within a case every
implementation runs on the same data in the same process; the table reports the median
wall-clock time of ``--repeat`` runs (after one warm-up run) and the ratio
``peer / ipsstats`` (above 1 means ipsstats is faster). Peers that are not installed are
reported as missing rather than failing the run.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
Case = tuple[str, str, Callable[[], object]]


def load(topic: str) -> ModuleType:
    """Import ``bench_<topic>.py`` from this folder."""
    path = HERE / f"bench_{topic}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{topic}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"no benchmark module {path.name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def time_call(fn: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of `repeat` calls after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def format_seconds(seconds: float) -> str:
    """Human units: µs, ms or s."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def table(cases: list[Case], repeat: int) -> str:
    """Time every case and render the Markdown table."""
    rows = ["| case | implementation | median | peer / ipsstats |", "| --- | --- | ---: | ---: |"]
    baseline: dict[str, float] = {}
    timed: list[tuple[str, str, float | None, str]] = []
    for case, impl, fn in cases:
        try:
            seconds: float | None = time_call(fn, repeat)
            note = ""
        except ImportError as exc:
            seconds, note = None, f"not installed ({exc.name})"
        if impl == "ipsstats" and seconds is not None:
            baseline[case] = seconds
        timed.append((case, impl, seconds, note))
    for case, impl, seconds, note in timed:
        if seconds is None:
            rows.append(f"| {case} | {impl} | {note} | |")
            continue
        ratio = "1.00" if impl == "ipsstats" else ""
        if impl != "ipsstats" and case in baseline:
            ratio = f"{seconds / baseline[case]:.2f}"
        rows.append(f"| {case} | {impl} | {format_seconds(seconds)} | {ratio} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topics", nargs="*", help="bench_<topic>.py modules to run (default all)")
    parser.add_argument("--n", type=int, default=None, help="problem size passed to cases()")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per implementation")
    args = parser.parse_args(argv)
    topics = args.topics or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    import numpy as np  # noqa: PLC0415  # keep --help instant
    import scipy  # noqa: PLC0415

    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}")
    for topic in topics:
        module = load(topic)
        n = args.n if args.n is not None else getattr(module, "DEFAULT_N", 1_000_000)
        print(f"\n### {topic} (n = {n:,})\n")
        print(table(module.cases(n), args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
