"""Event counts computed inside a data frame's engine: :func:`event_counts`.

Every estimator and test of censored durations in ipsstats depends on the records only
through counts of exits (by outcome) and of delayed entries at each distinct time, per
group and stratum. The engine computes them with two ``GROUP BY`` queries; the survival
wing builds its life tables from them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail, float_array
from ipsstats.frames._backend import collect, column_kind, lazy, narwhals_module, require_columns
from ipsstats.frames.counts import _code_axis, _declared_levels
from ipsstats.results import json_safe

__all__ = ["EventCounts", "event_counts"]

Outcome = Literal["event", "cause"]
_COUNT = "__ipsstats_n"
_TIME = "__ipsstats_time"
_OUTCOME = "__ipsstats_outcome"
_GROUP = "__ipsstats_group"
_STRATUM = "__ipsstats_stratum"
_WEIGHT = "__ipsstats_weight"


def _tuple(value: object) -> tuple[object, ...]:
    return tuple(value)  # type: ignore[arg-type]  # a sequence


def _kinds(value: object) -> tuple[int, ...]:
    return tuple(int(k) for k in value)  # type: ignore[attr-defined]  # a sequence


def _check(instance: EventCounts, _attribute: Any, entered: NDArray[np.float64]) -> None:
    shape = (len(instance.strata) + 1, len(instance.groups) + 1, instance.times.size)
    if instance.exits.shape != (*shape, len(instance.kinds)) or entered.shape != shape:
        raise fail(
            "exits",
            f"have shape {(*shape, len(instance.kinds))} and `entered` shape {shape}",
            f"shapes {instance.exits.shape} and {entered.shape}",
        )
    if instance.kinds[:1] != (0,):
        raise fail("kinds", "start with 0 (censored)", repr(instance.kinds))


@attrs.frozen(kw_only=True, eq=False, repr=False)
class EventCounts:
    r"""Exits by outcome and delayed entries at each distinct time, per stratum and group.

    Parameters
    ----------
    times : array of float
        The distinct times (exits and entries), increasing.
    kinds : tuple of int
        The outcome codes counted on the last axis of `exits`: 0 censored, then 1 (an
        event), or the cause codes 1, 2, ... of competing risks.
    groups, strata : tuple
        The levels of the grouping and stratifying columns (empty without one).
    exits : array of float
        Shape ``(len(strata) + 1, len(groups) + 1, len(times), len(kinds))``: records (or
        summed case weights) leaving at each time with each outcome. Index 0 on the
        stratum and group axes holds the records whose stratum or group is missing (and
        every record when there is no such column); level ``k`` is at ``k + 1``.
    entered : array of float
        Shape ``(len(strata) + 1, len(groups) + 1, len(times))``: delayed entries.
    names : Mapping[str, str]
        The columns used, by role (``"duration"``, ``"event"`` or ``"cause"``,
        ``"entry"``, ``"by"``, ``"strata"``, ``"weights"``).

    Notes
    -----
    For one cell, :math:`d_{jk}` exits with outcome :math:`k` and :math:`e_j` entries at
    time :math:`t_j` give the risk set :math:`n_j = \sum_{i \ge j} (\sum_k d_{ik} - e_i)`
    of a :class:`~ipsstats.LifeTable`. Counts of several partitions or sites add.
    """

    times: NDArray[np.float64] = attrs.field(converter=float_array)
    kinds: tuple[int, ...] = attrs.field(converter=_kinds)
    groups: tuple[object, ...] = attrs.field(converter=_tuple)
    strata: tuple[object, ...] = attrs.field(converter=_tuple)
    exits: NDArray[np.float64] = attrs.field(converter=float_array)
    entered: NDArray[np.float64] = attrs.field(converter=float_array, validator=_check)
    names: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def n(self) -> float:
        """Number (or total weight) of records."""
        return float(self.exits.sum())

    def to_dict(self) -> dict[str, Any]:
        """Return the counts as JSON-safe Python objects (see :meth:`from_dict`)."""
        return {
            "times": self.times.tolist(),
            "kinds": list(self.kinds),
            "groups": json_safe(list(self.groups)),
            "strata": json_safe(list(self.strata)),
            "exits": self.exits.tolist(),
            "entered": self.entered.tolist(),
            "names": dict(self.names),
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> EventCounts:
        """Rebuild counts written by :meth:`to_dict`."""
        return cls(
            times=value["times"],
            kinds=value["kinds"],
            groups=value["groups"],
            strata=value["strata"],
            exits=np.asarray(value["exits"], dtype=np.float64).reshape(
                len(value["strata"]) + 1, len(value["groups"]) + 1, len(value["times"]), -1
            ),
            entered=np.asarray(value["entered"], dtype=np.float64).reshape(
                len(value["strata"]) + 1, len(value["groups"]) + 1, len(value["times"])
            ),
            names=value.get("names", {}),
        )

    def __repr__(self) -> str:
        return (
            f"EventCounts(times: {self.times.size}, groups: {len(self.groups)}, "
            f"strata: {len(self.strata)}, kinds: {list(self.kinds)}, n: {self.n:g})"
        )


def _records(counts: NDArray[Any], mask: NDArray[np.bool_]) -> str:
    total = float(counts[mask].sum())
    return f"{total:g} record" + ("" if total == 1 else "s")


def _numbers(
    values: NDArray[Any], counts: NDArray[Any], argument: str, column: str, what: str
) -> NDArray[np.float64]:
    """Validate aggregated values as finite, non-negative numbers (durations, entries)."""
    missing = np.array([v is None for v in values.tolist()], dtype=bool)
    if missing.any():
        raise fail(
            argument,
            f"hold {what} with no missing values",
            f"missing values ({_records(counts, missing)}) in column {column!r}",
            hint="drop or fill the records without a value first.",
        )
    try:
        numbers = np.array(values.tolist(), dtype=np.float64)
    except (TypeError, ValueError):
        raise fail(
            argument, f"hold {what} (numbers)", f"non-numeric values in column {column!r}"
        ) from None
    for bad, rule in ((~np.isfinite(numbers), "finite"), (numbers < 0, "non-negative")):
        if bad.any():
            first = numbers[np.argmax(bad)]
            raise fail(
                argument,
                f"hold {rule} {what}",
                f"{first:g} ({_records(counts, numbers == first)}) in column {column!r}",
            )
    return numbers


def _outcomes(
    values: NDArray[Any], counts: NDArray[Any], argument: str, column: str, kind: Outcome
) -> NDArray[np.int64]:
    """Validate aggregated event indicators (0/1) or cause codes (whole numbers >= 0)."""
    rule = (
        "hold event indicators: 0 or False (censored), 1 or True (event)"
        if kind == "event"
        else "hold cause codes: whole numbers, 0 for censored and 1, 2, ... for causes"
    )
    out = np.zeros(values.size, dtype=np.int64)
    for k, value in enumerate(values.tolist()):
        number = float(value) if isinstance(value, (int, float)) else math.nan
        ok = math.isfinite(number) and number >= 0 and number == math.floor(number)
        if kind == "event":
            ok = ok and number in (0.0, 1.0)
        if not ok:
            raise fail(
                argument,
                rule,
                f"{value!r} ({_records(counts, np.arange(values.size) == k)}) "
                f"in column {column!r}",
            )
        out[k] = int(number)
    return out


def _code_labels(  # noqa: PLR0917  # internal, called in one place
    data: object,
    values: NDArray[Any],
    counts: NDArray[Any],
    argument: str,
    column: str,
    dtype: Any,
) -> tuple[NDArray[np.intp], tuple[object, ...]]:
    codes, levels = _code_axis(
        values,
        np.asarray(counts, dtype=np.float64),
        argument=argument,
        column=column,
        given=None,
        levels_name="levels",
        declared=_declared_levels(data, column, dtype, ()),
        missing_labels=(),
        rule="report",
    )
    return codes + 1, levels


def event_counts(
    data: object,
    *,
    duration: str,
    event: str | None = None,
    cause: str | None = None,
    entry: str | None = None,
    by: str | None = None,
    strata: str | None = None,
    weights: str | None = None,
    arguments: Mapping[str, str] | None = None,
) -> EventCounts:
    r"""Count exits by outcome and delayed entries per time, group and stratum, in the engine.

    Parameters
    ----------
    data : data frame
        pandas, polars (eager or lazy), pyarrow, DuckDB, Ibis, PySpark or Dask.
    duration : str
        Column of times to the event or to censoring (finite, non-negative numbers).
    event : str, optional
        Column of event indicators (1 or ``True`` event, 0 or ``False`` censored).
        Without `event` and `cause` every record is an event.
    cause : str, optional
        Column of cause codes instead (0 censored, 1, 2, ... causes); not with `event`.
    entry : str, optional
        Column of delayed-entry times, strictly before each record's duration.
    by, strata : str, optional
        Columns of group and stratum labels (missing labels are counted apart).
    weights : str, optional
        Column of non-negative, finite case weights, summed instead of counting records.
    arguments : Mapping[str, str], optional
        The caller's argument name for each role, for messages.

    Returns
    -------
    EventCounts
        Times, outcome codes, levels and counts (see :class:`EventCounts`).

    Raises
    ------
    InvalidInputError
        If `data` is not a data frame, a column does not exist, durations or entries are
        missing, negative or not finite, outcomes are not valid codes, an entry is not
        before its duration, or weights are negative, missing or not finite.

    Notes
    -----
    Two queries run in the engine: ``SELECT s, g, t, outcome, count(*) ... GROUP BY s, g,
    t, outcome`` (``sum(w)`` with weights) and, with `entry`, the same by entry time.
    Labels and values are validated and coded here, on the distinct rows only.

    Examples
    --------
    >>> import polars as pl
    >>> from ipsstats.frames import event_counts
    >>> df = pl.LazyFrame({"days": [5, 8, 8, 12], "job": [1, 0, 1, 1],
    ...                    "team": ["a", "a", "b", "b"]})
    >>> counts = event_counts(df, duration="days", event="job", by="team")
    >>> counts.times.tolist(), counts.groups
    ([5.0, 8.0, 12.0], ('a', 'b'))
    >>> counts.exits[0, 1].tolist()  # team a: (censored, event) at each time
    [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
    """
    names = {"duration": "duration", "event": "event", "cause": "cause", "entry": "entry"}
    names.update({"by": "by", "strata": "strata", "weights": "weights"})
    names.update(arguments or {})
    if event is not None and cause is not None:
        raise fail(
            names["cause"],
            f"be None when `{names['event']}` is given",
            repr(cause),
            hint="give event indicators or cause codes, not both.",
        )
    frame = lazy(data)
    roles = {
        "duration": duration,
        "event": event,
        "cause": cause,
        "entry": entry,
        "by": by,
        "strata": strata,
        "weights": weights,
    }
    used = {role: column for role, column in roles.items() if column is not None}
    dtypes = require_columns(frame, [(names[role], column) for role, column in used.items()])
    for role in ("duration", "entry", "weights"):
        if role in used and column_kind(dtypes[used[role]]) not in ("integer", "float"):
            raise fail(
                names[role],
                "name a numeric column",
                f"column {used[role]!r} of type {dtypes[used[role]]}",
                hint="compute durations in days first (e.g. a date difference).",
            )
    nw = narwhals_module()
    if weights is not None:
        _check_weights(frame, weights, names["weights"], column_kind(dtypes[weights]))
    if entry is not None:
        late = collect(
            frame.filter(nw.col(entry) >= nw.col(duration)).select(nw.len().alias(_COUNT))
        )
        if int(late[_COUNT][0]):
            raise fail(
                names["entry"],
                "be strictly before the duration of each record",
                f"{int(late[_COUNT][0])} records entering at or after their duration",
                hint="a record is at risk on (entry, duration]; drop records that leave "
                "before they enter.",
            )
    # elementary aggregations only (pandas-like engines such as Dask need them)
    amount = nw.len().alias(_COUNT) if weights is None else nw.col(_WEIGHT).sum().alias(_COUNT)
    carried = [] if weights is None else [nw.col(weights).cast(nw.Float64).alias(_WEIGHT)]
    outcome = event if event is not None else cause
    keys = {_TIME: nw.col(duration)}
    keys[_OUTCOME] = nw.lit(1) if outcome is None else nw.col(outcome)
    if by is not None:
        keys[_GROUP] = nw.col(by)
    if strata is not None:
        keys[_STRATUM] = nw.col(strata)
    exits = collect(
        frame.select(*(expr.alias(key) for key, expr in keys.items()), *carried)
        .group_by(*keys, drop_null_keys=False)
        .agg(amount)
    )
    entries: dict[str, NDArray[Any]] | None = None
    if entry is not None:
        entry_keys = {_TIME: nw.col(entry)}
        entry_keys.update({k: v for k, v in keys.items() if k in (_GROUP, _STRATUM)})
        entries = collect(
            frame.select(*(expr.alias(key) for key, expr in entry_keys.items()), *carried)
            .group_by(*entry_keys, drop_null_keys=False)
            .agg(amount)
        )
    return _assemble(data, exits, entries, used, names, dtypes, "cause" if cause else "event")


def _check_weights(frame: Any, column: str, argument: str, kind: str) -> None:
    nw = narwhals_module()
    checks = [
        nw.col(column).is_null().sum().cast(nw.Int64).alias("missing"),
        nw.col(column).min().cast(nw.Float64).alias("low"),
        nw.col(column).max().cast(nw.Float64).alias("high"),
    ]
    if kind == "float":
        checks.append(nw.col(column).is_nan().sum().cast(nw.Int64).alias("nan"))
    found = collect(frame.select(*checks))
    low, high = found["low"][0], found["high"][0]
    if int(found["missing"][0]) or ("nan" in found and int(found["nan"][0])):
        raise fail(argument, "hold finite, non-negative case weights", "missing or NaN weights")
    if low is not None and (float(low) < 0 or not math.isfinite(float(high))):
        shown = float(low) if float(low) < 0 else float(high)
        raise fail(
            argument, "hold finite, non-negative case weights", f"{shown:g} in column {column!r}"
        )


def _assemble(  # noqa: PLR0917  # internal, called in one place
    data: object,
    exits: dict[str, NDArray[Any]],
    entries: dict[str, NDArray[Any]] | None,
    used: Mapping[str, str],
    names: Mapping[str, str],
    dtypes: Mapping[str, Any],
    kind: Outcome,
) -> EventCounts:
    amounts = np.asarray(exits[_COUNT], dtype=np.float64)
    times = _numbers(exits[_TIME], amounts, names["duration"], used["duration"], "durations")
    if "event" in used or "cause" in used:
        role = "event" if "event" in used else "cause"
        outcomes = _outcomes(exits[_OUTCOME], amounts, names[role], used[role], kind)
    else:
        outcomes = np.ones(amounts.size, dtype=np.int64)
    entry_times = np.zeros(0)
    if entries is not None:
        entry_amounts = np.asarray(entries[_COUNT], dtype=np.float64)
        entry_times = _numbers(
            entries[_TIME], entry_amounts, names["entry"], used["entry"], "entry times"
        )
    grid = np.unique(np.concatenate([times, entry_times]))
    kinds = (0, 1) if kind == "event" else (0, *range(1, max(int(outcomes.max(initial=0)), 1) + 1))
    axes: dict[str, tuple[NDArray[np.intp], NDArray[np.intp], tuple[object, ...]]] = {}
    for role, key in (("by", _GROUP), ("strata", _STRATUM)):
        if role not in used:
            continue
        both = exits[key] if entries is None else np.concatenate([exits[key], entries[key]])
        weights = amounts if entries is None else np.concatenate([amounts, entries[_COUNT]])
        codes, levels = _code_labels(
            data, both, weights, names[role], used[role], dtypes[used[role]]
        )
        axes[role] = (codes[: amounts.size], codes[amounts.size :], levels)
    groups = axes["by"][2] if "by" in axes else ()
    strata = axes["strata"][2] if "strata" in axes else ()
    shape = (len(strata) + 1, len(groups) + 1, grid.size)
    zero = np.zeros(amounts.size, dtype=np.intp)
    stratum_of = axes["strata"][0] if "strata" in axes else zero
    group_of = axes["by"][0] if "by" in axes else zero
    out = np.zeros((*shape, len(kinds)))
    np.add.at(out, (stratum_of, group_of, np.searchsorted(grid, times), outcomes), amounts)
    entered = np.zeros(shape)
    if entries is not None:
        entry_amounts = np.asarray(entries[_COUNT], dtype=np.float64)
        none = np.zeros(entry_amounts.size, dtype=np.intp)
        rows = axes["strata"][1] if "strata" in axes else none
        cols = axes["by"][1] if "by" in axes else none
        np.add.at(
            entered,
            (rows, cols, np.searchsorted(grid, entry_times)),
            entry_amounts,
        )
    return EventCounts(
        times=grid,
        kinds=kinds,
        groups=groups,
        strata=strata,
        exits=out,
        entered=entered,
        names=dict(used),
    )
