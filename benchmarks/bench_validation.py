"""Input validation overhead: count validation beside plain numpy conversion, and the
cohort's record rules (plausibility included) beside the bare numpy comparisons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ipsstats import Cohort
from ipsstats._arrays import as_counts

DEFAULT_N = 1_000_000


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Validate `n` integer counts; the numpy baseline only converts them."""
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 1000, size=n)
    as_float = counts.astype(float)
    accessed = np.datetime64("2022-01-01") + rng.integers(0, 365, n)
    job = np.where(rng.random(n) < 0.4, accessed + rng.integers(0, 200, n), np.datetime64("NaT"))
    ages = rng.integers(16, 80, n).astype(float)
    columns = {"accessed": accessed, "job_start": job, "age": ages}

    def bare_rules() -> object:
        return (
            (job < accessed)
            | (accessed > np.datetime64("2023-06-30"))
            | (job > np.datetime64("2023-06-30"))
            | (accessed < np.datetime64("1900-01-01"))
            | (ages < 16)
            | (ages > 120)
        )

    return [
        (
            "cohort rules, datetime64 columns",
            "ipsstats",
            lambda: Cohort.from_columns(columns, observed_until="2023-06-30", errors="exclude"),
        ),
        ("cohort rules, datetime64 columns", "numpy comparisons", bare_rules),
        ("validate int counts", "ipsstats", lambda: as_counts(counts, "counts")),
        ("validate int counts", "numpy asarray+copy", lambda: np.array(counts, dtype=np.int64)),
        ("validate float counts", "ipsstats", lambda: as_counts(as_float, "counts")),
        ("validate float counts", "numpy astype", lambda: as_float.astype(np.int64)),
    ]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from run import main

    raise SystemExit(main(["validation", *sys.argv[1:]]))
