"""Aligning and pooling the counts of several site summaries (internal to the sites wing).

Levels are aligned by label. Each site's groups (merged levels under disclosure control)
and withheld levels constrain the pooled groups: two levels that one site counts together
are counted together everywhere, and a level that one site withholds is counted as not
known everywhere. The pooled groups are the finest grouping that every site's counts can
be added into, so every pooled count is a sum of published counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats.sites._safe import merged_label
from ipsstats.sites.summary import AttributeSummary, GroupExits, SiteSummary
from ipsstats.sites.tables import JOB_KINDS_CENSORED, KINDS, ExitTable

__all__ = ["Partition", "PooledExits", "align_levels", "pooled_exits", "pooled_outcomes"]


class Partition:
    """Groups of levels, joined as sites require (union-find over level positions).

    Position ``len(levels)`` stands for "not known": a level joined to it is withheld.
    """

    def __init__(self, levels: Sequence[object]) -> None:
        self.levels = tuple(levels)
        self.index = {level: k for k, level in enumerate(self.levels)}
        self.parent = list(range(len(self.levels) + 1))

    @property
    def not_known(self) -> int:
        """The position standing for "not known"."""
        return len(self.levels)

    def find(self, k: int) -> int:
        """Return the representative of position `k`'s group."""
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def join(self, positions: Iterable[int]) -> None:
        """Put the positions in one group."""
        found = [self.find(k) for k in positions]
        for k in found[1:]:
            self.parent[k] = found[0]

    def join_levels(self, levels: Iterable[object], *, not_known: bool = False) -> None:
        """Put levels in one group (with "not known" when `not_known`)."""
        positions = [self.index[level] for level in levels]
        self.join([*positions, self.not_known] if not_known else positions)

    def copy(self) -> Partition:
        """Return an independent copy."""
        other = Partition(self.levels)
        other.parent = list(self.parent)
        return other

    def groups(self) -> list[tuple[object, ...]]:
        """Return the groups other than "not known", in level order."""
        unknown = self.find(self.not_known)
        found: dict[int, list[object]] = {}
        for k, level in enumerate(self.levels):
            root = self.find(k)
            if root != unknown:
                found.setdefault(root, []).append(level)
        return [tuple(g) for g in found.values()]

    def withheld(self) -> tuple[object, ...]:
        """Return the levels counted as not known."""
        unknown = self.find(self.not_known)
        return tuple(level for k, level in enumerate(self.levels) if self.find(k) == unknown)


def _sorted(levels: Sequence[object]) -> bool:
    try:
        return list(levels) == sorted(levels)  # type: ignore[type-var]  # labels may not sort
    except TypeError:
        return False


def align_levels(
    name: str, attributes: Sequence[tuple[str, AttributeSummary]]
) -> tuple[tuple[object, ...], list[str]]:
    """Align the levels of one attribute across sites by label.

    Returns the pooled levels (the sites' own order when they agree, sorted when every
    site's levels are sorted, else in order of first appearance) and notes naming the
    levels a site lacks (it has nobody in them).
    """
    orders = [a.levels for _, a in attributes]
    union: list[object] = []
    for levels in orders:
        union += [level for level in levels if level not in union]
    pooled = tuple(union)
    if all(levels == orders[0] for levels in orders):
        pooled = tuple(orders[0])
    elif all(_sorted(levels) for levels in orders):
        try:
            pooled = tuple(sorted(union))  # type: ignore[type-var]  # labels may not sort
        except TypeError:
            pooled = tuple(union)
    notes = []
    for site, attribute in attributes:
        absent = [level for level in pooled if level not in attribute.levels]
        if absent:
            shown = ", ".join(repr(level) for level in absent)
            notes.append(
                f"{name}: levels aligned by label; site {site!r} has no level {shown} "
                "(counted as 0 people there)"
            )
    return pooled, notes


def outcome_partition(
    levels: Sequence[object], attributes: Sequence[AttributeSummary]
) -> Partition:
    """Join the levels into the pooled groups of the outcome tables."""
    partition = Partition(levels)
    for attribute in attributes:
        for group in attribute.groups:
            partition.join_levels(group)
        partition.join_levels(attribute.withheld, not_known=True)
    return partition


@attrs.frozen(kw_only=True)
class PooledOutcome:
    """The outcome counts of every site over the pooled groups."""

    groups: tuple[tuple[object, ...], ...]
    withheld: tuple[object, ...]
    all: NDArray[np.int64]  # sites x (groups + 1) x 2, the last row: not known
    window: NDArray[np.int64]

    @property
    def labels(self) -> tuple[object, ...]:
        """The label of each pooled group."""
        return tuple(merged_label(g) for g in self.groups)


def _rows(partition: Partition, groups: Sequence[tuple[object, ...]]) -> list[int]:
    """Find the pooled row (the last: not known) of each of a site's groups."""
    pooled = {partition.find(partition.index[g[0]]): k for k, g in enumerate(partition.groups())}
    unknown = len(pooled)
    return [pooled.get(partition.find(partition.index[group[0]]), unknown) for group in groups]


def pooled_outcomes(partition: Partition, attributes: Sequence[AttributeSummary]) -> PooledOutcome:
    """Add each site's outcome rows into the pooled groups."""
    groups = partition.groups()
    tables = []
    for which in ("outcome_all", "outcome_window"):
        per_site = np.zeros((len(attributes), len(groups) + 1, 2), dtype=np.int64)
        for s, attribute in enumerate(attributes):
            rows = [*_rows(partition, attribute.groups), len(groups)]
            np.add.at(per_site[s], rows, getattr(attribute, which))
        tables.append(per_site)
    return PooledOutcome(
        groups=tuple(groups), withheld=partition.withheld(), all=tables[0], window=tables[1]
    )


@attrs.frozen(kw_only=True)
class PooledExits:
    """The exit tables of one duration of every site over the pooled groups."""

    measure: str
    kinds: tuple[str, ...]
    groups: tuple[tuple[object, ...], ...]
    tables: tuple[tuple[ExitTable, ...], ...]  # sites x groups
    n_not_known: tuple[int, ...]  # per site: people of the duration in no pooled group
    censored_by: tuple[str, ...]  # sites counting discharges without a job as censored

    @property
    def labels(self) -> tuple[object, ...]:
        """The label of each pooled group."""
        return tuple(merged_label(g) for g in self.groups)

    def records(
        self, sites: Sequence[str]
    ) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.object_], NDArray[np.object_]]:
        """Durations, kind codes, group labels (``None``: not known) and sites, one per person.

        Records that give the pooled tables: the functions without an aggregated input
        (log-rank with strata, cumulative incidence, Gray's test) take them. People in no
        pooled group enter with a placeholder duration of 0 and a missing group, so that
        every test excludes and counts them as it does with the sites' own records.
        """
        durations: list[NDArray[np.float64]] = []
        codes: list[NDArray[np.intp]] = []
        labels: list[NDArray[np.object_]] = []
        strata: list[NDArray[np.object_]] = []
        for s, site in enumerate(sites):
            for label, table in zip(self.labels, self.tables[s], strict=True):
                d, c = table.records()
                durations.append(d)
                codes.append(c)
                labels.append(np.full(d.size, label, dtype=object))
                strata.append(np.full(d.size, site, dtype=object))
            k = self.n_not_known[s]
            durations.append(np.zeros(k))
            codes.append(np.zeros(k, dtype=np.intp))
            labels.append(np.full(k, None, dtype=object))
            strata.append(np.full(k, site, dtype=object))
        return (
            np.concatenate(durations),
            np.concatenate(codes),
            np.concatenate(labels),
            np.concatenate(strata),
        )


def _censored(table: ExitTable) -> ExitTable:
    if table.kinds == JOB_KINDS_CENSORED:
        return table
    counts = table.counts
    return ExitTable(
        times=table.times,
        kinds=JOB_KINDS_CENSORED,
        counts=np.column_stack([counts[:, 0] + counts[:, 2], counts[:, 1]]),
    )


def pooled_exits(
    measure: str,
    outcome: Partition,
    summaries: Sequence[SiteSummary],
    attributes: Sequence[AttributeSummary],
) -> PooledExits:
    """Add each site's exit tables of `measure` into pooled groups.

    Every site must publish the duration (``GroupExits`` not ``None``).
    """
    partition = outcome.copy()
    found: list[GroupExits] = []
    for attribute in attributes:
        exits = getattr(attribute, measure)
        assert isinstance(exits, GroupExits)  # checked by the caller
        found.append(exits)
        covered = {level for g in exits.groups for level in g}
        for group in exits.groups:
            partition.join_levels(group)
        for group in attribute.groups:
            partition.join_levels(
                [level for level in group if level not in covered], not_known=True
            )
    censored_by = tuple(
        s.site for s, exits in zip(summaries, found, strict=True) if not _competing(exits)
    )
    kinds = JOB_KINDS_CENSORED if censored_by else KINDS[measure]
    groups = partition.groups()
    tables: list[tuple[ExitTable, ...]] = []
    not_known: list[int] = []
    for summary_, attribute, exits in zip(summaries, attributes, found, strict=True):
        rows = _rows(partition, exits.groups)
        summed = [ExitTable.empty(kinds) for _ in groups]
        for row, table in zip(rows, exits.tables, strict=True):
            if row < len(groups):
                summed[row] = summed[row] + (_censored(table) if censored_by else table)
        tables.append(tuple(summed))
        people = summary_.n if measure == "time_to_job" else int(attribute.outcome_all[:, 0].sum())
        not_known.append(people - sum(t.n for t in summed))
    return PooledExits(
        measure=measure,
        kinds=kinds,
        groups=tuple(groups),
        tables=tuple(tables),
        n_not_known=tuple(not_known),
        censored_by=censored_by if measure == "time_to_job" else (),
    )


def _competing(exits: GroupExits) -> bool:
    return exits.kinds == KINDS[exits.measure]
