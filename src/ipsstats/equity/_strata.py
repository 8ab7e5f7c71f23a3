"""Group-by-stratum tables for standardisation: validation of counts and cohort tabulation.

Private helpers of the equity wing. A *table* here is a 2-D array with one row per group
(e.g. ethnicity) and one column per stratum (e.g. each age band and gender combination);
a 1-D input is one group. Cohort tabulation combines several stratifying attributes into
one stratum per combination of their levels, leaving out people with a missing value.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_amounts, as_array, as_counts, fail, readonly
from ipsstats.cohort import Cohort
from ipsstats.equity._common import _categorical
from ipsstats.factor import Factor

__all__ = [
    "Layout",
    "as_labels_for",
    "as_strata_names",
    "as_table",
    "cohort_grid",
    "layout_of",
    "mapping_entries",
    "mapping_grid",
    "occupied",
    "reference_index",
    "same_shape",
    "stratum_text",
]

_SHOWN = 5


def as_table(value: object, name: str, *, whole: bool) -> NDArray[np.float64]:
    """Validate a 1-D (one group) or 2-D (groups x strata) table as float64.

    With `whole`, entries must be whole-number counts; otherwise any finite non-negative
    amounts (populations, person-time).
    """
    array = as_counts(value, name, ndim=None) if whole else as_amounts(value, name, ndim=None)
    if array.ndim not in (1, 2):
        raise fail(
            name,
            "be 1-dimensional (one group) or 2-dimensional (groups x strata)",
            f"an array of shape {array.shape}",
        )
    if array.size == 0:
        raise fail(name, "hold at least one stratum", f"an array of shape {array.shape}")
    table = np.atleast_2d(np.asarray(array, dtype=np.float64))
    return readonly(table, dtype=np.float64)


def same_shape(tables: Mapping[str, NDArray[Any]]) -> None:
    """Check that named tables have one shape."""
    shapes = {name: table.shape for name, table in tables.items()}
    if len(set(shapes.values())) > 1:
        names = list(shapes)
        listed = ", ".join(f"`{k}` {v}" for k, v in shapes.items())
        raise fail(
            names[0],
            "have the same shape as " + ", ".join(f"`{k}`" for k in names[1:]),
            f"different shapes ({listed})",
            hint="give one row per group and one column per stratum in every table.",
        )


def as_labels_for(value: object, name: str, n: int) -> tuple[object, ...]:
    """Validate `n` distinct labels (default ``1, 2, ..., n``)."""
    if value is None:
        return tuple(range(1, n + 1))
    array = as_array(value, name)
    if array.ndim != 1:
        raise fail(name, "be 1-dimensional", f"an array of shape {array.shape}")
    labels = tuple(array.tolist())
    if len(labels) != n:
        raise fail(name, f"hold one label per row or column ({n})", f"{len(labels)} labels")
    seen: set[object] = set()
    for label in labels:
        try:
            repeated = label in seen
        except TypeError:
            raise fail(name, "hold hashable labels", repr(label)) from None
        if repeated:
            raise fail(name, "hold distinct labels", f"{label!r} twice", positions=(label,))
        seen.add(label)
    return labels


def stratum_text(label: object) -> str:
    """Write a stratum label as text: a tuple of levels joined by commas."""
    if isinstance(label, tuple):
        return ", ".join(str(part) for part in label)
    return str(label)


def as_strata_names(value: object, argument: str = "strata") -> tuple[str, ...]:
    """Validate the names of stratifying attributes: a string or a sequence of strings."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
        raise fail(
            argument,
            "be an attribute name or a sequence of attribute names",
            repr(value),
            hint="pass e.g. strata=('age_band', 'gender').",
        )
    if len(set(value)) != len(value):
        raise fail(argument, "name each attribute once", repr(value))
    return tuple(value)


@attrs.frozen(kw_only=True)
class Layout:
    """The grid of a stratified table: group levels, and the levels of each stratifier."""

    groups: tuple[object, ...]
    levels: tuple[tuple[object, ...], ...]

    @property
    def strata(self) -> list[object]:
        """One label per stratum: a level, a tuple of levels, or ``"all"`` without strata."""
        if not self.levels:
            return ["all"]
        if len(self.levels) == 1:
            return list(self.levels[0])
        return list(itertools.product(*self.levels))

    def extended(self, groups: Sequence[object], levels: Sequence[Sequence[object]]) -> Layout:
        """Return the layout with more groups and levels appended (in first-seen order)."""
        return Layout(
            groups=_union(self.groups, groups),
            levels=tuple(
                _union(mine, more) for mine, more in zip(self.levels, levels, strict=True)
            ),
        )


def _union(first: Sequence[object], more: Sequence[object]) -> tuple[object, ...]:
    out = list(first)
    out.extend(item for item in dict.fromkeys(more) if item not in out)
    return tuple(out)


def layout_of(cohort: Cohort, by: object, strata_names: tuple[str, ...]) -> Layout:
    """Return the levels of the grouping and stratifying attributes of a cohort."""
    names = cohort.attribute_names
    for name in strata_names:
        if name == "age_band" and name not in names and "age" in names:
            raise fail(
                "strata",
                "name attributes of the cohort",
                "'age_band', which it does not have",
                hint="band the ages first: cohort.with_age_band() adds 'age_band'.",
            )
    groups = _categorical(cohort, by, "by")
    levels = tuple(tuple(_categorical(cohort, n, "strata").levels) for n in strata_names)
    return Layout(groups=tuple(groups.levels), levels=levels)


def _index_of(factor: Factor, levels: tuple[object, ...]) -> NDArray[np.int64]:
    """Each record's position in `levels` (a superset of the factor's), -1 when missing."""
    where = {level: k for k, level in enumerate(levels)}
    lookup = np.array([where[level] for level in factor.levels] + [-1], dtype=np.int64)
    return lookup[factor.codes]  # code -1 picks the trailing -1


def cohort_grid(
    cohort: Cohort,
    by: object,
    strata_names: tuple[str, ...],
    layout: Layout,
    *,
    events: Factor | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """People, and people whose `events` code is 0, on the full grid of `layout`.

    Returns the two tables (groups x strata) and the number of people left out because
    their group or a stratum was not known.
    """
    group = _index_of(_categorical(cohort, by, "by"), layout.groups)
    stratum = np.zeros(cohort.n, dtype=np.int64)
    missing = group < 0
    if strata_names:
        parts = [
            _index_of(_categorical(cohort, name, "strata"), levels)
            for name, levels in zip(strata_names, layout.levels, strict=True)
        ]
        codes = np.stack(parts)
        missing |= (codes < 0).any(axis=0)
        sizes = tuple(len(levels) for levels in layout.levels)
        stratum = np.ravel_multi_index(tuple(np.where(codes < 0, 0, codes)), sizes)
    keep = ~missing
    n_strata = len(layout.strata)
    cells = group[keep] * n_strata + np.asarray(stratum, dtype=np.int64)[keep]
    size = len(layout.groups) * n_strata
    shape = (len(layout.groups), n_strata)
    counts = np.bincount(cells, minlength=size).astype(np.float64).reshape(shape)
    hits: NDArray[np.float64] = np.zeros(shape, dtype=np.float64)
    if events is not None:
        weight = (events.codes[keep] == 0).astype(np.float64)
        hits = np.asarray(np.bincount(cells, weights=weight, minlength=size), dtype=np.float64)
        hits = hits.reshape(shape)
    return counts, hits, int(np.count_nonzero(missing))


def mapping_entries(
    value: Mapping[Any, Any], name: str, strata_names: tuple[str, ...]
) -> tuple[list[tuple[object, tuple[object, ...]]], list[float]]:
    """Read ``{(group, level, ...): count}``: each key split into group and stratum levels."""
    keys = list(value)
    counts = as_counts(list(value.values()), name, labels=keys)
    width = 1 + len(strata_names)
    entries = []
    for key in keys:
        parts = key if isinstance(key, tuple) else (key,)
        if len(parts) != width:
            raise fail(
                name,
                f"have keys (group, {', '.join(strata_names) or 'nothing else'}) of "
                f"{width} part(s)",
                f"the key {key!r}",
                hint="key the counts like ('Black', '26-40', 'Female').",
                positions=(key,),
            )
        entries.append((parts[0], tuple(parts[1:])))
    return entries, [float(c) for c in counts.tolist()]


def mapping_grid(
    entries: list[tuple[object, tuple[object, ...]]], counts: list[float], layout: Layout
) -> NDArray[np.float64]:
    """Place mapping entries on the full grid of `layout` (which holds all their levels)."""
    group_index = {g: k for k, g in enumerate(layout.groups)}
    level_index = [{lv: k for k, lv in enumerate(levels)} for levels in layout.levels]
    sizes = tuple(len(levels) for levels in layout.levels)
    grid = np.zeros((len(layout.groups), len(layout.strata)), dtype=np.float64)
    for (group, parts), count in zip(entries, counts, strict=True):
        column = (
            int(
                np.ravel_multi_index(
                    tuple(ix[p] for ix, p in zip(level_index, parts, strict=True)), sizes
                )
            )
            if parts
            else 0
        )
        grid[group_index[group], column] += count
    return grid


def occupied(
    labels: list[object], *tables: NDArray[np.float64]
) -> tuple[tuple[object, ...], list[NDArray[np.float64]]]:
    """Leave out the strata with nobody in any of the tables."""
    keep = np.zeros(len(labels), dtype=bool)
    for table in tables:
        keep |= table.sum(axis=0) > 0
    kept = tuple(label for label, k in zip(labels, keep, strict=True) if k)
    return kept, [table[:, keep] for table in tables]


def reference_index(labels: tuple[object, ...], n: NDArray[Any], reference: object) -> int:
    """Position of the `reference` group among `labels`; ``None`` picks the largest group."""
    if reference is None:
        return int(np.argmax(n))
    if not isinstance(reference, Hashable):
        raise fail("reference", "be one group's label", f"unhashable {reference!r}")
    for k, label in enumerate(labels):
        same = label == reference
        if isinstance(same, (bool, np.bool_)) and same:
            return k
    raise fail(
        "reference",
        "be one of the groups",
        repr(reference),
        hint=f"the groups are {list(labels)}.",
    )
