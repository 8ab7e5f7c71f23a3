"""Tables counted inside a data frame's engine (the ``data=`` form of tally and crosstab).

The frames wing returns the counts with a leading missing slot on each axis; this module
turns them into the wing's own :class:`Counts`, :class:`ContingencyTable` and
:class:`StratifiedTable`, exactly as :func:`tally` and :func:`crosstab` build them from
records in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

from ipsstats._arrays import as_option
from ipsstats.categorical._labelled import _MISSING_RULES, MissingRule
from ipsstats.categorical.counts import Counts
from ipsstats.categorical.tables import ContingencyTable, StratifiedTable

__all__: list[str] = []


def _stored(rule: MissingRule) -> Literal["report", "drop"]:
    return "drop" if rule == "drop" else "report"


def tally_frame(
    data: object,
    values: object,
    *,
    levels: Sequence[object] | None,
    missing: MissingRule,
    missing_labels: Collection[object],
    name: str | None,
) -> Counts:
    """:func:`~ipsstats.tally` of the column `values` of `data`, counted in its engine."""
    from ipsstats.frames import category_counts  # noqa: PLC0415  # optional wing, lazily

    rule = as_option(missing, "missing", _MISSING_RULES)
    counts = category_counts(
        data,
        [values],  # type: ignore[list-item]  # checked to be a column name
        levels=[levels],
        missing_labels=missing_labels,
        missing=rule,
        arguments=["values"],
        level_arguments=["levels"],
    )
    return Counts(
        counts=counts.counts[1:],
        levels=counts.levels[0],
        name=name if name is not None else str(values),
        n_missing=int(counts.counts[0]),
        missing=_stored(rule),
    )


def crosstab_frame(
    data: object,
    rows: object,
    cols: object,
    *,
    strata: object,
    levels: tuple[object, object, object],
    missing: MissingRule,
    missing_labels: Collection[object],
    names: tuple[str | None, str | None, str | None],
) -> ContingencyTable | StratifiedTable:
    """:func:`~ipsstats.crosstab` of columns of `data`, counted in its engine."""
    from ipsstats.frames import category_counts  # noqa: PLC0415  # optional wing, lazily

    rule = as_option(missing, "missing", _MISSING_RULES)
    columns = [rows, cols]
    arguments = ["rows", "cols"]
    given = [levels[0], levels[1]]
    level_arguments = ["row_levels", "col_levels"]
    if strata is not None:
        columns.insert(0, strata)
        arguments.insert(0, "strata")
        given.insert(0, levels[2])
        level_arguments.insert(0, "strata_levels")
    counts = category_counts(
        data,
        columns,  # type: ignore[arg-type]  # checked to be column names
        levels=given,  # type: ignore[arg-type]  # checked by category_counts
        missing_labels=missing_labels,
        missing=rule,
        arguments=arguments,
        level_arguments=level_arguments,
    )
    table = counts.counts
    inner = counts.inner
    n_missing = int(table.sum()) - int(inner.sum())
    row_name = names[0] if names[0] is not None else str(rows)
    col_name = names[1] if names[1] is not None else str(cols)
    if strata is None:
        return ContingencyTable(
            counts=inner,
            row_levels=counts.levels[0],
            col_levels=counts.levels[1],
            row_name=row_name,
            col_name=col_name,
            n_missing=n_missing,
            missing=_stored(rule),
            with_missing=table,
        )
    return StratifiedTable(
        counts=inner,
        strata_levels=counts.levels[0],
        row_levels=counts.levels[1],
        col_levels=counts.levels[2],
        strata_name=names[2] if names[2] is not None else str(strata),
        row_name=row_name,
        col_name=col_name,
        n_missing=n_missing,
        missing=_stored(rule),
        with_missing=table,
    )
