"""Validated survival records and the checks shared by the curves of the survival wing.

The estimators reduce records to a :class:`~ipsstats.LifeTable`; the robust variance and
the Fleming-Harrington tie correction also need the records themselves, coded on the
table's times. The curves share the rule that refuses times where nobody is observed.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.errors import InsufficientDataError
from ipsstats.survival.lifetable import (
    _RELATIVE_TOLERANCE,
    LifeTable,
    _tally,
    _validate_records,
)

__all__ = ["Records", "check_observed", "records_and_table"]


@attrs.frozen(kw_only=True, eq=False)
class Records:
    """Validated records coded on the times of their life table (for the robust variance).

    ``exit_codes`` and ``entry_codes`` are positions in the table's times; ``weights`` is
    ``None`` for unit weights.
    """

    exit_codes: NDArray[np.intp]
    entry_codes: NDArray[np.intp] | None
    events: NDArray[np.bool_]
    weights: NDArray[np.float64] | None

    def event_counts(self, size: int) -> NDArray[np.float64]:
        """Count the event records (not their weight) at each of `size` times."""
        return np.bincount(self.exit_codes[self.events], minlength=size).astype(np.float64)


@attrs.frozen(kw_only=True, eq=False)
class _Raw:
    """Records validated but not yet coded (coding costs a search, done on demand)."""

    exits: NDArray[Any]
    events: NDArray[np.bool_]
    entry: NDArray[Any] | None
    weights: NDArray[np.float64] | None

    def code(self, times: NDArray[np.float64]) -> Records:
        return Records(
            exit_codes=np.searchsorted(times, self.exits).astype(np.intp, copy=False),
            entry_codes=None
            if self.entry is None
            else np.searchsorted(times, self.entry).astype(np.intp, copy=False),
            events=self.events,
            weights=self.weights,
        )


def records_and_table(
    durations: object, events: object, entry: object, weights: object
) -> tuple[_Raw | None, LifeTable]:
    """Validate per-subject records (zero weights dropped) and tally their life table.

    `durations` may be a :class:`LifeTable` already (then the records are ``None`` and
    the other arguments must be omitted).
    """
    if isinstance(durations, LifeTable):
        for name, value in (("events", events), ("entry", entry), ("weights", weights)):
            if value is not None:
                raise fail(
                    name,
                    "be omitted when `durations` is a LifeTable",
                    f"{type(value).__name__}",
                    hint="a life table already holds the events, entries and weights.",
                )
        return None, durations
    exits, flags, starts, case_weights = _validate_records(durations, events, entry, weights)
    raw = _Raw(exits=exits, events=flags, entry=starts, weights=case_weights)
    return raw, _tally(exits, flags, starts, case_weights)


def check_observed(table: Any, wanted: NDArray[np.float64], name: str) -> None:
    """Refuse sorted requested times at which nobody is under observation.

    `table` is a curve with ``times``, ``n_at_risk``, ``n_events``, ``n_censored``,
    ``n_entered`` and ``n``. Refused: every time after the last observed time and, with
    delayed entry, every time in a gap between the last exit of earlier subjects and the
    next entry. Before the first exit nothing can have been observed and the curve is at
    its starting value by definition, so those times are accepted.
    """
    times = table.times
    if not wanted.size or not times.size:
        return
    last = float(wanted[-1])
    if last > times[-1]:
        raise InsufficientDataError(
            f"`{name}` = {last:g} is after the last observed time {times[-1]:g}: "
            "nobody is at risk there, so the curve is not estimated. Hint: ask for "
            "times up to the end of follow-up.",
            argument=name,
        )
    if not table.n_entered.any():
        return  # without delayed entry the risk set only shrinks
    # risk set at t (subjects with entry < t <= exit): the one just before the first
    # curve time at or after t
    following = np.searchsorted(times, wanted, side="left")
    at_risk = table.n_at_risk[following]
    first_exit = times[int(np.argmax(table.n_events + table.n_censored > 0))]
    empty = (wanted > first_exit) & (at_risk <= _RELATIVE_TOLERANCE * max(table.n, 1.0))
    if empty.any():
        first = int(np.argmax(empty))
        t, after = float(wanted[first]), int(following[first])
        raise InsufficientDataError(
            f"`{name}` = {t:g} falls where nobody is under observation: every subject "
            f"seen before has left by time {times[after - 1]:g} and the next enters "
            f"at time {times[after]:g}, so the curve is not estimated there. Hint: "
            "with delayed entry, ask for times covered by follow-up.",
            argument=name,
        )
