"""Validation of binomial counts and the Wilson score limits (private to the wing).

Shared by :mod:`~ipsstats.categorical.proportions`, :mod:`~ipsstats.categorical.comparisons`,
:mod:`~ipsstats.categorical.proportion_tests` and :mod:`~ipsstats.categorical.unconditional`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_counts, fail
from ipsstats.errors import InsufficientDataError

__all__ = [
    "as_bool",
    "count",
    "successes_and_trials",
    "two_by_two",
    "two_by_two_table",
    "wilson_limits",
]


def as_bool(value: object, name: str) -> bool:
    """Validate a flag: ``True`` or ``False`` (numpy booleans too), nothing else."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, "be True or False", repr(value))
    return bool(value)


def count(value: object, name: str) -> int:
    """Validate one count: a non-negative whole number."""
    if value is None or isinstance(value, (str, bytes)):
        raise fail(name, "be a non-negative whole number", repr(value))
    return int(as_counts(value, name, ndim=0))


def successes_and_trials(k: object, n: object, k_name: str, n_name: str) -> tuple[int, int]:
    """Validate a number with the outcome and a number of trials, ``k <= n``."""
    k_ = count(k, k_name)
    n_ = count(n, n_name)
    if k_ > n_:
        raise fail(
            k_name,
            f"not exceed `{n_name}` (the number of trials)",
            f"{k_name}={k_} and {n_name}={n_}",
            hint="pass the number with the outcome first, then the group size.",
        )
    return k_, n_


def two_by_two_table(source: object) -> NDArray[np.int64]:
    """Validate a 2 x 2 table given as an array-like or a :class:`ContingencyTable`."""
    source = getattr(source, "counts", source)  # a ContingencyTable
    table = as_counts(source, "table", ndim=None)
    if table.shape != (2, 2):
        raise fail(
            "table",
            "be a 2 x 2 table (rows: group 1, group 2; columns: outcome, no outcome)",
            f"an array of shape {table.shape}",
            hint="pass a 2 x 2 table or the four numbers (k1, n1, k2, n2).",
        )
    return table


def two_by_two(counts: tuple[object, ...]) -> tuple[int, int, int, int]:
    """Read ``(table,)`` or ``(k1, n1, k2, n2)`` into validated ``(k1, n1, k2, n2)``."""
    if len(counts) == 1:
        a, b, c, d = (int(x) for x in two_by_two_table(counts[0]).ravel().tolist())
        k1, n1, k2, n2 = a, a + b, c, c + d
    elif len(counts) == 4:
        k1, n1 = successes_and_trials(counts[0], counts[1], "k1", "n1")
        k2, n2 = successes_and_trials(counts[2], counts[3], "k2", "n2")
        if n1 + n2 > 2**53:
            raise fail("n1", "add up with `n2` to at most 2**53", f"{n1 + n2:,}")
    else:
        raise fail(
            "counts",
            "be one 2 x 2 table or four numbers (k1, n1, k2, n2)",
            f"{len(counts)} positional arguments",
        )
    for n, name in ((n1, "group 1 (row 0)"), (n2, "group 2 (row 1)")):
        if n == 0:
            raise InsufficientDataError(
                f"{name} has no observations, so its proportion is undefined. "
                "Hint: drop the empty group or compare other groups."
            )
    return k1, n1, k2, n2


def wilson_limits(k: int, n: int, z: float, shift: float = 0.0) -> tuple[float, float]:
    r"""Wilson score limits for ``k / n``, optionally continuity-corrected.

    `shift` moves :math:`\hat p` by :math:`\pm` `shift` before each limit is computed
    (``0.5 / n`` is the continuity correction of R's ``prop.test``). A limit is exactly 0
    (1) when the shifted proportion reaches 0 (1), in particular when `k` is 0 (`n`).
    """
    p = k / n
    z22n = z * z / (2 * n)
    denominator = 1 + 2 * z22n
    p_low, p_high = p - shift, p + shift
    if k == 0 or p_low <= 0:
        lower = 0.0
    else:
        root = math.sqrt(p_low * (1 - p_low) / n + z22n / (2 * n))
        lower = max((p_low + z22n - z * root) / denominator, 0.0)
    if k == n or p_high >= 1:
        upper = 1.0
    else:
        root = math.sqrt(p_high * (1 - p_high) / n + z22n / (2 * n))
        upper = min((p_high + z22n + z * root) / denominator, 1.0)
    return lower, upper
