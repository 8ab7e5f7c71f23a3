"""Survival analyses of a data frame counted in its engine (the ``data=`` form).

The frames wing returns exits by outcome and delayed entries per distinct time, group and
stratum (:class:`ipsstats.frames.EventCounts`). This module builds the wing's life tables
and log-rank tables from them, so that :func:`kaplan_meier`, :func:`logrank` and
:func:`cumulative_incidence` give, from counts computed by any engine, the numbers they
give from the same records in memory.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, fail
from ipsstats.errors import InsufficientDataError
from ipsstats.survival.lifetable import LifeTable

__all__: list[str] = []


def _columns(**named: object) -> None:
    """Check that every argument naming a column is a string (or None)."""
    for argument, value in named.items():
        if value is not None and not isinstance(value, str):
            raise fail(
                argument,
                "name a column of `data` (a string) when `data` is given",
                type(value).__name__,
                hint="with `data`, pass column names instead of arrays.",
            )


def _life_table(exits: NDArray[np.float64], entered: NDArray[np.float64], times: Any) -> LifeTable:
    """Build a life table from exits shaped (time, censored/event) and entries per time."""
    return LifeTable.from_counts(times, events=exits[:, 1], censored=exits[:, 0], entered=entered)


def life_tables(
    data: object,
    durations: object,
    events: object,
    *,
    entry: object,
    weights: object,
    by: object,
) -> LifeTable | Mapping[object, LifeTable]:
    """Count a frame's life table, or one per group of `by` (in level order)."""
    from ipsstats.frames import event_counts  # noqa: PLC0415  # optional wing, lazily

    _columns(durations=durations, events=events, entry=entry, weights=weights, by=by)
    counts = event_counts(
        data,
        duration=str(durations),
        event=None if events is None else str(events),
        entry=None if entry is None else str(entry),
        weights=None if weights is None else str(weights),
        by=None if by is None else str(by),
        arguments={"duration": "durations", "event": "events"},
    )
    exits = counts.exits.sum(axis=0)  # no strata: pooled
    entered = counts.entered.sum(axis=0)
    if by is None:
        return _life_table(exits[0], entered[0], counts.times)
    return types.MappingProxyType(
        {
            level: _life_table(exits[k + 1], entered[k + 1], counts.times)
            for k, level in enumerate(counts.groups)
            if exits[k + 1].sum() > 0
        }
    )


def grouped_life_tables(
    durations: object, events: object, *, entry: object, weights: object, by: object
) -> Mapping[object, LifeTable]:
    """One life table per group of the labels `by` (records in memory), in level order."""
    from ipsstats.factor import Factor  # noqa: PLC0415  # core; only for grouping

    factor = Factor.from_values(by)
    codes = factor.codes
    columns = {"durations": durations, "events": events, "entry": entry, "weights": weights}
    arrays = {k: None if v is None else np.asarray(as_array(v, k)) for k, v in columns.items()}
    for name, array in arrays.items():
        if array is not None and array.shape != codes.shape:
            raise fail(
                name,
                "have one value per record of `by`",
                f"{array.shape[0] if array.ndim else 0} values for {codes.size} labels",
            )
    out: dict[object, LifeTable] = {}
    for k, level in enumerate(factor.levels):
        mask = codes == k
        if mask.any():
            picked = {n: None if a is None else a[mask] for n, a in arrays.items()}
            out[level] = LifeTable.from_records(
                picked["durations"],
                picked["events"],
                entry=picked["entry"],
                weights=picked["weights"],
            )
    return types.MappingProxyType(out)


def logrank_counts(  # noqa: PLR0917  # mirrors the positional arguments of logrank
    data: object,
    durations: object,
    events: object,
    groups: object,
    strata: object,
    levels: Sequence[object] | None,
) -> tuple[NDArray[np.float64], tuple[object, ...], dict[str, int]]:
    """Count a frame for the log-rank test, as the records path tallies its records.

    Returns the counts shaped (stratum, group, time, censored/event) of the records with a
    known group and stratum, the group labels and the exclusions. Groups without subjects
    are dropped unless `levels` names them (then it is an error).
    """
    from ipsstats.frames import event_counts  # noqa: PLC0415  # optional wing, lazily

    _columns(durations=durations, events=events, groups=groups, strata=strata)
    if groups is None:
        raise fail("groups", "name the column of group labels", "None")
    counts = event_counts(
        data,
        duration=str(durations),
        event=None if events is None else str(events),
        by=str(groups),
        strata=None if strata is None else str(strata),
        arguments={"duration": "durations", "event": "events", "by": "groups"},
    )
    exits = counts.exits
    labels = counts.groups
    exclusions: dict[str, int] = {}
    missing_group = round(float(exits[:, 0].sum()))
    if missing_group:
        exclusions["missing group"] = missing_group
    kept = exits[:, 1:]  # the one slot of "no strata", or every stratum slot
    if strata is not None:
        only_stratum = round(float(exits[0, 1:].sum()))
        if only_stratum:
            exclusions["missing stratum"] = only_stratum
        kept = exits[1:, 1:]
    if levels is not None:
        kept, labels = _ordered(kept, labels, levels)
    per_stratum = kept.sum(axis=(1, 2, 3))
    used = np.flatnonzero(per_stratum > 0)
    kept = kept[: int(used[-1]) + 1 if used.size else 1]
    if levels is None:
        present = kept.sum(axis=(0, 2, 3)) > 0
        kept = kept[:, present]
        labels = tuple(label for label, ok in zip(labels, present, strict=True) if ok)
    if len(labels) < 2:
        raise InsufficientDataError(
            f"`groups` must hold at least 2 groups with subjects; got {len(labels)} "
            f"({list(labels)!r}). Hint: the log-rank test compares groups."
        )
    return kept, labels, exclusions


def _ordered(
    kept: NDArray[np.float64], labels: tuple[object, ...], levels: Sequence[object]
) -> tuple[NDArray[np.float64], tuple[object, ...]]:
    """Put the group axis in the order of `levels`; every level must have subjects."""
    wanted = tuple(levels)
    position = {label: k for k, label in enumerate(labels)}
    stray = [label for label in labels if label not in set(wanted)]
    if stray:
        raise fail(
            "groups",
            "hold only labels listed in `levels` (or missing values)",
            f"{stray[0]!r}",
            hint="add the label to `levels`.",
        )
    totals = kept.sum(axis=(0, 2, 3))
    for label in wanted:
        if label not in position or totals[position[label]] <= 0:
            raise fail(
                "groups",
                "have at least one subject in every level",
                f"no subject in level {label!r}",
                hint="drop empty levels from `levels`, or check the labels.",
                positions=(label,),
            )
    return kept[:, [position[label] for label in wanted]], wanted


def incidence_counts(
    data: object, durations: object, causes: object, *, cause: int, entry: object
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Count a frame's times, exits (censored, cause, competing) and entries per time."""
    from ipsstats.frames import event_counts  # noqa: PLC0415  # optional wing, lazily

    _columns(durations=durations, causes=causes, entry=entry)
    counts = event_counts(
        data,
        duration=str(durations),
        cause=str(causes),
        entry=None if entry is None else str(entry),
        arguments={"duration": "durations", "cause": "causes"},
    )
    exits = counts.exits.sum(axis=(0, 1))  # (time, kind)
    if float(exits.sum()) <= 0:
        raise InsufficientDataError(
            "`durations` must hold at least one subject; got none. Hint: pass the records."
        )
    kinds = np.asarray(counts.kinds)
    table = np.column_stack(
        [
            exits[:, kinds == 0].sum(axis=1),
            exits[:, kinds == cause].sum(axis=1),
            exits[:, (kinds > 0) & (kinds != cause)].sum(axis=1),
        ]
    )
    return counts.times, table, counts.entered.sum(axis=(0, 1))
