"""Life tables: the additive sufficient statistics of censored durations.

A :class:`LifeTable` holds, for each distinct time, the (weighted) number of events,
censorings and delayed entries. Life tables built from several services or data partitions
add up exactly with ``+``, so a large extract can be reduced where it lives and only the
small table analysed here.
"""

from __future__ import annotations

import numbers
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_amounts,
    as_array,
    as_durations,
    as_events,
    check_same_length,
    fail,
    float_array,
)

__all__ = ["LifeTable"]

# Relative tolerance for sums of case weights: a risk set smaller than the exits at a time
# by less than this (relative to the total) is rounding, not inconsistent input.
_RELATIVE_TOLERANCE = 1e-9
# Integer-valued times spanning at most this many values (or a few times the number of
# records) are tallied with one `np.bincount` instead of sorting.
_DENSE_SPAN = 1 << 16
# Records per block when summing weights per time.
_BLOCK = 1 << 16
# Times x 2 cells at most for counting events and censorings in one integer bincount.
_BLOCK_CELLS = 1 << 24


def _float_array(value: object) -> NDArray[np.float64]:
    """Attrs converter: a read-only float64 copy.

    An array that is already float64, read-only and owns its memory (as the arrays built
    inside this module are) is kept as it is: nobody else holds a writable view of it.
    """
    if (
        isinstance(value, np.ndarray)
        and value.dtype == np.float64
        and not value.flags.writeable
        and value.base is None
    ):
        return value
    return float_array(value)


def _sealed(array: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mark an array built here read-only, so the attrs converters need not copy it."""
    array.flags.writeable = False
    return array


def _trusted_table(
    times: NDArray[np.float64],
    n_events: NDArray[np.float64],
    n_censored: NDArray[np.float64],
    n_entered: NDArray[np.float64],
) -> LifeTable:
    """Build a LifeTable from columns derived here from validated input, skipping the checks.

    The columns must already be what the converters would make of them: float64 arrays,
    sealed by :func:`_sealed`.
    """
    table = object.__new__(LifeTable)
    for name, column in (
        ("times", times),
        ("n_events", n_events),
        ("n_censored", n_censored),
        ("n_entered", n_entered),
    ):
        object.__setattr__(table, name, _float_array(_sealed(column)))
    return table


def _count(
    codes: NDArray[np.intp], size: int, weights: NDArray[Any] | None = None
) -> NDArray[np.float64]:
    """Sum `weights` (default 1) per code as floats with :func:`numpy.bincount`.

    Weighted counts over few codes go through blocks of records, which bounds the
    temporary float copy of the weights that bincount makes and keeps it in cache.
    """
    if weights is None:
        return np.bincount(codes, minlength=size).astype(np.float64, copy=False)
    if size > _BLOCK or codes.size <= _BLOCK:
        return np.bincount(codes, weights=weights, minlength=size).astype(np.float64, copy=False)
    total = np.zeros(size)
    for start in range(0, codes.size, _BLOCK):
        stop = start + _BLOCK
        total += np.bincount(codes[start:stop], weights=weights[start:stop], minlength=size)
    return total


def _check_table(
    times: NDArray[np.float64],
    exits: NDArray[np.float64],
    entered: NDArray[np.float64],
    names: tuple[str, str],
) -> None:
    """Check that every exit at a time comes from the risk set just before it.

    `names` are the argument names of the times and of the entries, for the message.
    """
    at_risk = _at_risk(exits, entered)
    slack = _RELATIVE_TOLERANCE * max(float(exits.sum()), 1.0)
    bad = at_risk < exits - slack
    if bad.any():
        first = int(np.argmax(bad))
        raise fail(
            names[1],
            "leave every exit (event or censoring) inside the risk set",
            f"{exits[first]:g} exits but {at_risk[first]:g} at risk at time "
            f"{times[first]:g} (index {first})",
            hint="a subject entering at time e is at risk only at times after e; entries "
            "must not outnumber the later exits.",
            positions=(first,),
        )


def _at_risk(exits: NDArray[np.float64], entered: NDArray[np.float64]) -> NDArray[np.float64]:
    """Risk set just before each time: exits at or after it minus entries at or after it.

    Summed from the end, so the small risk sets of the tail carry no cancellation error.
    """
    at_risk = np.empty(exits.shape)  # owns its memory: no copy when a result seals it
    np.cumsum(exits[::-1], out=at_risk[::-1])
    if entered.any():
        at_risk -= np.cumsum(entered[::-1])[::-1]
    return at_risk


def _as_times(value: object, name: str) -> NDArray[Any]:
    """Validate times like :func:`as_durations`, keeping integer input as integers.

    Integer arrays (days) are neither copied nor converted: they only need a check for
    negative values, and they are then tallied by counting.
    """
    array = as_array(value, name)
    if array.ndim == 1 and array.dtype.kind in "iu" and array.dtype.itemsize <= 8:
        if array.dtype.kind == "i" and array.size and array.min() < 0:
            return as_durations(array, name)  # raises, naming the first negative value
        if array.dtype.kind == "i" or array.dtype.itemsize < 8:
            return array
    # min and max propagate NaN: two passes check the rule without a copy (the records
    # are tallied at once, never kept)
    if (
        array.ndim == 1
        and array.dtype == np.float64
        and array.size
        and array.min() >= 0
        and array.max() < np.inf
    ):
        return array
    return as_durations(array, name)


def _check_entry(starts: NDArray[Any], exits: NDArray[Any], hint: str) -> None:
    """Check that each subject enters strictly before its duration (same-length arrays)."""
    late = starts >= exits
    if late.any():
        first = int(np.argmax(late))
        raise fail(
            "entry",
            "be strictly before the duration of each subject",
            f"entry {starts[first]:g} and duration {exits[first]:g} at index {first}",
            hint=hint,
            positions=(first,),
        )


def _validate_records(
    durations: object, events: object, entry: object, weights: object
) -> tuple[
    NDArray[Any],
    NDArray[np.bool_],
    NDArray[Any] | None,
    NDArray[np.float64] | None,
]:
    """Validate per-subject records; drop records of zero weight.

    Durations and entries are returned as given when they are integer arrays, as float64
    otherwise.
    """
    exits = _as_times(durations, "durations")
    columns: dict[str, NDArray[Any]] = {"durations": exits}
    flags = np.ones(exits.shape, dtype=bool) if events is None else as_events(events, "events")
    columns["events"] = flags
    starts = None if entry is None else _as_times(entry, "entry")
    if starts is not None:
        columns["entry"] = starts
    case_weights = None if weights is None else as_amounts(weights, "weights", what="case weights")
    if case_weights is not None:
        columns["weights"] = case_weights
    check_same_length(columns)
    if starts is not None:
        _check_entry(
            starts,
            exits,
            "a subject is at risk on (entry, duration]; drop records that leave before they "
            "enter.",
        )
    if case_weights is not None and not case_weights.all():
        kept = case_weights > 0
        exits, flags, case_weights = exits[kept], flags[kept], case_weights[kept]
        starts = None if starts is None else starts[kept]
    return exits, flags, starts, case_weights


def _encode_dense(
    values: NDArray[Any], cells: int = 1
) -> tuple[NDArray[np.intp], NDArray[np.float64]] | None:
    """Code integer-valued times over a modest span by subtraction (no sort).

    Returns codes into the candidate times ``low, low + 1, ..., high`` (a superset of the
    distinct values), or ``None`` when the values are not such integers or the span times
    `cells` (the cells a caller tallies per candidate time) is too large.
    """
    if values.size == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    low, high = values.min(), values.max()
    if cells * (float(high) - float(low) + 1) > max(_DENSE_SPAN, 4 * values.size):
        return None
    if values.dtype.kind in "iu":
        codes = values if low == 0 and values.dtype == np.intp else values - low
        return codes.astype(np.intp, copy=False), _candidates(low, high)
    head = values[:64]
    if float(high) < 2.0**53 and (head == np.floor(head)).all():  # cheap test first
        codes = values.astype(np.intp)
        if (codes == values).all():
            codes -= int(low)
            return codes, _candidates(low, high)
    return None


def _candidates(low: Any, high: Any) -> NDArray[np.float64]:
    """Every whole number from `low` to `high`, as floats."""
    return np.arange(int(low), int(high) + 1, dtype=np.float64)


def _encode(values: NDArray[Any], cells: int = 1) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Map values to codes into sorted candidate times (a superset of the distinct values).

    Whole numbers over a modest span (times `cells` tallied per time) are coded by a
    shift, others by a sort. The codes may be `values` itself: do not modify them.
    """
    dense = _encode_dense(values, cells)
    if dense is not None:
        return dense
    times, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.intp, copy=False), times.astype(np.float64, copy=False)


def _tally_sorted(
    exits: NDArray[np.float64], flags: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Distinct times, events and censorings of unweighted records by one integer sort.

    The bit pattern of a non-negative float64 orders like the number, so the pattern
    shifted left by one bit with the event flag in the freed bit sorts records by time
    (censorings first within a time) in one :func:`numpy.sort` of unsigned integers.
    """
    # the shift drops the sign bit, so -0.0 (the only negative left) becomes 0.0
    keys = np.ascontiguousarray(exits).view(np.uint64) << np.uint64(1)
    keys |= flags
    keys.sort()
    new_time = np.empty(keys.size, dtype=bool)
    new_time[:1] = True
    np.greater(keys[1:] ^ keys[:-1], 1, out=new_time[1:])  # differ above the flag bit
    if new_time.all():  # every time distinct (continuous durations): no grouping
        n_events = (keys & np.uint64(1)).astype(np.float64)
        times = np.empty(keys.size)  # owns its memory: no copy when a table seals it
        np.right_shift(keys, np.uint64(1), out=times.view(np.uint64))
        return times, n_events, 1.0 - n_events
    starts = np.flatnonzero(new_time)
    times = (keys[starts] >> np.uint64(1)).view(np.float64)
    is_event = (keys & np.uint64(1)).astype(bool)
    # events per time from a running count (faster than `np.add.reduceat` on many groups)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1:] = keys.size
    running = np.cumsum(is_event, dtype=np.int64)[ends - 1]
    n_events = np.diff(running, prepend=0).astype(np.float64)
    n_censored = (ends - starts).astype(np.float64) - n_events
    return times, n_events, n_censored


def _tally(
    exits: NDArray[Any],
    flags: NDArray[np.bool_],
    starts: NDArray[Any] | None,
    case_weights: NDArray[np.float64] | None,
) -> LifeTable:
    """Count events, censorings and entries per distinct time (validated records)."""
    size = exits.size
    unweighted_float = starts is None and case_weights is None and exits.dtype == np.float64
    if unweighted_float and _encode_dense(exits) is None:
        times, n_events, n_censored = _tally_sorted(exits, flags)
        return _trusted_table(times, n_events, n_censored, np.zeros(times.size))
    codes, times = _encode(exits if starts is None else np.concatenate([exits, starts]))
    exit_codes = codes[:size]
    k = times.size
    entry_codes = codes[size:]
    if case_weights is None and starts is None and 2 * k <= _BLOCK_CELLS:
        # one integer count of (time, event) cells: censorings and events side by side
        cells = np.left_shift(exit_codes, 1)
        cells += flags
        counts = np.bincount(cells, minlength=2 * k).astype(np.float64)
        n_censored, n_events = counts[0::2], counts[1::2]
        if not (n_censored + n_events).all():
            used = (n_events > 0) | (n_censored > 0)
            times, n_events, n_censored = times[used], n_events[used], n_censored[used]
        return _trusted_table(
            times,
            np.ascontiguousarray(n_events),
            np.ascontiguousarray(n_censored),
            np.zeros(times.size),
        )
    if case_weights is None:
        n_events = _count(exit_codes, k, flags)
        n_censored = _count(exit_codes, k) - n_events
        n_entered = _count(entry_codes, k)
    else:
        event_weights = np.where(flags, case_weights, 0.0)
        n_events = _count(exit_codes, k, event_weights)
        n_censored = _count(exit_codes, k, case_weights - event_weights)
        n_entered = _count(entry_codes, k, case_weights[: entry_codes.size])
    used = (n_events > 0) | (n_censored > 0) | (n_entered > 0)
    if not used.all():
        times, n_events, n_censored, n_entered = (
            column[used] for column in (times, n_events, n_censored, n_entered)
        )
    return _trusted_table(times, n_events, n_censored, n_entered)


def _validate_table(instance: LifeTable, _attribute: Any, value: Any) -> None:
    """Attrs validator run on `n_entered` (the last field): check the whole table."""
    times = instance.times
    for name in ("n_events", "n_censored", "n_entered"):
        column = getattr(instance, name)
        if column.shape != times.shape:
            raise fail(
                name,
                "have one value per time",
                f"{column.shape[0] if column.ndim else 0} values for {times.size} times",
            )
        # min/max propagate NaN, so these two reductions also refuse NaN.
        if column.size and not (column.min() >= 0 and column.max() < np.inf):
            raise fail(name, "hold finite, non-negative counts", "other values")
    increasing = times.ndim == 1 and bool(np.all(times[1:] > times[:-1]))
    if not increasing or (times.size and not (-np.inf < times[0] and times[-1] < np.inf)):
        raise fail(
            "times",
            "be a 1-D array of finite, strictly increasing times",
            "other values",
            hint="use `LifeTable.from_counts`, which sorts and merges times.",
        )
    _check_table(times, instance.n_events + instance.n_censored, value, ("times", "n_entered"))


@attrs.frozen(kw_only=True, eq=False)
class LifeTable:
    r"""Censored durations reduced to counts per distinct time.

    The counts are floating point because case weights make them non-integer. A subject
    entering at time :math:`e` (delayed entry) and leaving at time :math:`t` is at risk on
    the counting-process interval :math:`(e, t]`; subjects without an entry time are at
    risk from the start. Life tables add exactly: ``a + b`` is the life table of the
    records of ``a`` and ``b`` together, and ``sum(tables)`` works.

    Parameters
    ----------
    times : array of float
        Distinct times, strictly increasing (read-only).
    n_events : array of float
        Number (or total weight) of events at each time.
    n_censored : array of float
        Number (or total weight) censored at each time; a censoring at the time of an event
        is taken to happen just after it.
    n_entered : array of float
        Number (or total weight) entering at each time (delayed entry); all zero without
        delayed entry.

    Attributes
    ----------
    n_at_risk : array of float
        Risk set just before each time.
    n_initial : float
        Number at risk before the first time, i.e. the subjects without delayed entry.
    n : float
        Number (or total weight) of subjects.

    Raises
    ------
    InvalidInputError
        If the arrays differ in length, times are not strictly increasing, counts are
        negative or non-finite, or some exit happens outside the risk set.

    See Also
    --------
    kaplan_meier : Kaplan-Meier estimate from records or from a life table.

    Notes
    -----
    With :math:`d_j`, :math:`c_j` and :math:`e_j` the events, censorings and entries at
    time :math:`t_j`, the risk set just before :math:`t_i` is

    .. math::

        n_i = \sum_{j \ge i} (d_j + c_j) - \sum_{j \ge i} e_j ,

    summed from the end so that the small risk sets of the tail are exact.

    Examples
    --------
    >>> from ipsstats import LifeTable
    >>> a = LifeTable.from_records([9, 13, 13, 18], [1, 1, 0, 1])
    >>> b = LifeTable.from_counts(times=[5, 13], events=[2, 1], censored=[0, 1])
    >>> total = a + b
    >>> total.times.tolist(), total.n_events.tolist(), total.n_at_risk.tolist()
    ([5.0, 9.0, 13.0, 18.0], [2.0, 1.0, 2.0, 1.0], [8.0, 6.0, 5.0, 1.0])
    """

    times: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_entered: NDArray[np.float64] = attrs.field(converter=_float_array, validator=_validate_table)

    @classmethod
    def from_records(
        cls,
        durations: object,
        events: object = None,
        *,
        entry: object = None,
        weights: object = None,
    ) -> LifeTable:
        """Tally one record per subject into a life table.

        Parameters
        ----------
        durations : array-like of float
            Time of the event or of censoring, per subject; finite and non-negative.
            Integer-valued durations (days) are tallied with a fast counting path.
        events : array-like of bool or {0, 1}, optional
            1 or ``True`` for an event, 0 or ``False`` for censoring. Default: all events.
        entry : array-like of float, optional
            Delayed entry (left truncation): the time each subject came under observation,
            finite, non-negative and strictly before its duration.
        weights : array-like of float, optional
            Non-negative, finite case weights. Records of weight 0 are ignored.

        Returns
        -------
        LifeTable
            Counts (or summed weights) per distinct time of exit or entry.

        Raises
        ------
        InvalidInputError
            If durations are negative or non-finite, events are not 0/1, lengths differ,
            weights are negative or non-finite, or an entry is not before its duration
            (the message names the first such index).

        Examples
        --------
        >>> from ipsstats import LifeTable
        >>> table = LifeTable.from_records([3, 1, 3, 2], [1, 0, 0, 1], entry=[0, 0, 1, 0])
        >>> table.times.tolist(), table.n_entered.tolist(), table.n_at_risk.tolist()
        ([0.0, 1.0, 2.0, 3.0], [3.0, 1.0, 0.0, 0.0], [0.0, 3.0, 3.0, 2.0])
        """
        exits, flags, starts, case_weights = _validate_records(durations, events, entry, weights)
        return _tally(exits, flags, starts, case_weights)

    @classmethod
    def from_counts(
        cls,
        times: object,
        events: object,
        censored: object,
        entered: object = None,
    ) -> LifeTable:
        """Build a life table from counts already aggregated per time.

        Parameters
        ----------
        times : array-like of float
            Finite, non-negative times, in any order; repeated times are summed.
        events, censored : array-like of float
            Number (or total weight) of events and of censorings at each time.
        entered : array-like of float, optional
            Number (or total weight) of delayed entries at each time; subjects not counted
            here are at risk from the start.

        Returns
        -------
        LifeTable
            The table with distinct, increasing times.

        Raises
        ------
        InvalidInputError
            If an argument is not 1-D, lengths differ, times are negative or non-finite,
            counts are negative or non-finite, or entries outnumber the exits after them.

        Examples
        --------
        >>> from ipsstats import LifeTable
        >>> table = LifeTable.from_counts([2, 1, 2], events=[1, 1, 0], censored=[0, 0, 1])
        >>> table.times.tolist(), table.n_events.tolist(), table.n_censored.tolist()
        ([1.0, 2.0], [1.0, 1.0], [0.0, 1.0])
        """
        time_values = as_durations(times, "times")
        columns = {
            "times": time_values,
            "events": as_amounts(events, "events", what="event counts"),
            "censored": as_amounts(censored, "censored", what="censoring counts"),
        }
        if entered is not None:
            columns["entered"] = as_amounts(entered, "entered", what="entry counts")
        check_same_length(columns)
        distinct, inverse = np.unique(time_values, return_inverse=True)
        codes = inverse.astype(np.intp, copy=False)
        size = distinct.size
        summed = {
            name: _count(codes, size, column)
            for name, column in columns.items()
            if name != "times"
        }
        n_entered = summed.get("entered", np.zeros(size))
        used = (summed["events"] > 0) | (summed["censored"] > 0) | (n_entered > 0)
        distinct, n_entered = distinct[used], n_entered[used]
        summed = {name: column[used] for name, column in summed.items()}
        _check_table(
            distinct, summed["events"] + summed["censored"], n_entered, ("times", "entered")
        )
        return cls(
            times=distinct,
            n_events=summed["events"],
            n_censored=summed["censored"],
            n_entered=n_entered,
        )

    @property
    def n_at_risk(self) -> NDArray[np.float64]:
        """Risk set just before each time (read-only)."""
        at_risk = _at_risk(self.n_events + self.n_censored, self.n_entered)
        at_risk.flags.writeable = False
        return at_risk

    @property
    def n(self) -> float:
        """Number (or total weight) of subjects: all exits."""
        return float(self.n_events.sum() + self.n_censored.sum())

    @property
    def n_initial(self) -> float:
        """Number at risk before the first time (the subjects without delayed entry)."""
        return float(max(self.n - float(self.n_entered.sum()), 0.0))

    def __add__(self, other: object) -> LifeTable:
        if not isinstance(other, LifeTable):
            return NotImplemented
        times = np.union1d(self.times, other.times)
        mine = np.searchsorted(times, self.times)
        theirs = np.searchsorted(times, other.times)
        index = np.concatenate([mine, theirs])

        def combine(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
            return _count(index, times.size, np.concatenate([a, b]))

        return _trusted_table(
            times,
            combine(self.n_events, other.n_events),
            combine(self.n_censored, other.n_censored),
            combine(self.n_entered, other.n_entered),
        )

    def __radd__(self, other: object) -> LifeTable:
        if isinstance(other, int) and other == 0:  # the start value of sum()
            return self
        return self.__add__(other)

    def __repr__(self) -> str:
        return (
            f"LifeTable(times: {self.times.size}, n: {self.n:g}, "
            f"events: {float(self.n_events.sum()):g}, entered: {float(self.n_entered.sum()):g})"
        )


def _as_time(value: object, name: str) -> float:
    """Validate one finite, non-negative number (a time, or an exponent of a weight)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise fail(name, "be a finite, non-negative number", repr(value))
    number = float(value)
    if not (np.isfinite(number) and number >= 0):
        raise fail(name, "be a finite, non-negative number", repr(value))
    return number
