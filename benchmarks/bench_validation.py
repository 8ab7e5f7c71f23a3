"""Input validation overhead: ipsstats' count validation beside plain numpy conversion."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ipsstats._arrays import as_counts

DEFAULT_N = 1_000_000


def cases(n: int) -> list[tuple[str, str, Callable[[], object]]]:
    """Validate `n` integer counts; the numpy baseline only converts them."""
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 1000, size=n)
    as_float = counts.astype(float)
    return [
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
