"""From raw named columns to the validated fields of a :class:`~ipsstats.cohort.Cohort`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_option,
    fail,
)
from ipsstats.calendar import (
    as_date,
    parse_date_strings,
)
from ipsstats.cohort._columns import _column_array, _factor
from ipsstats.cohort.durations import _take_attribute
from ipsstats.cohort.validation import _DATE_ROLES, Attribute, _Options, _parse, _report

__all__ = []

# --------------------------------------------------------------------------------------
# Building a cohort from raw columns
# --------------------------------------------------------------------------------------


def _resolve_roles(available: Sequence[str], columns: Mapping[str, str] | None) -> dict[str, str]:
    """Map each target name (role or attribute) to a source column name."""
    mapping = dict(columns or {})
    found = ", ".join(repr(h) for h in available) or "none"
    for target, source in mapping.items():
        if not isinstance(target, str) or not isinstance(source, str):
            raise fail("columns", "map role names to column headers (strings)", repr(mapping))
        if source not in available:
            raise fail(
                "columns",
                "name columns that exist in the data",
                f"{target!r} mapped to {source!r}",
                hint=f"the columns found are: {found}.",
            )
    sources = list(mapping.values())
    repeated = {s for s in sources if sources.count(s) > 1}
    if repeated:
        raise fail("columns", "map each column once", f"{sorted(repeated)!r} used twice")
    out = dict(mapping)
    used = set(sources)
    for header in available:
        if header in used or header in out:
            continue
        out[header] = header
    if "accessed" not in out:
        raise fail(
            "columns",
            "identify the access date column (role 'accessed')",
            f"no column named 'accessed' and no mapping for it; the columns found are: {found}",
            hint='pass columns={"accessed": "<your header>"}; the first line must be a header.',
        )
    return out


def _build(
    raw: Mapping[str, object],
    n: int,
    row_numbers: NDArray[np.int64],
    options: _Options,
    *,
    ragged: NDArray[np.bool_] | None = None,
) -> dict[str, Any]:
    """Validate raw columns (already mapped to roles and attribute names).

    Returns the keyword arguments of :class:`~ipsstats.cohort.Cohort` (the builder
    constructs the cohort, so this module does not import it).
    """
    parsed = _parse(raw, n, row_numbers, options, ragged)
    report, keep = _report(parsed, n, row_numbers, options)
    attributes: dict[str, Attribute] = {}
    for name, column in raw.items():
        if name in ("id", *_DATE_ROLES):
            continue
        if name in parsed.numbers:
            attributes[name] = parsed.numbers[name][keep]
        else:
            factor = _factor(column, options.missing_labels, name)
            attributes[name] = _take_attribute(factor, keep)
    return {
        "ids": parsed.ids[keep],
        "accessed": parsed.dates["accessed"][keep],
        "job_start": parsed.dates["job_start"][keep],
        "discharged": parsed.dates["discharged"][keep],
        "observed_until": options.observed_until,
        "attributes": attributes,
        "rows": row_numbers[keep],
        "validation": report,
    }


def _options(  # noqa: PLR0917  # one positional per builder option, called in one place
    observed_until: object,
    date_format: str | None,
    missing_labels: Collection[object],
    numeric: Collection[str],
    age_range: tuple[float, float] | None,
    errors: str,
    source: str,
    row_kind: Literal["line", "index"],
) -> _Options:
    end = as_date(observed_until, "observed_until")
    if age_range is not None:
        try:
            bounds = np.asarray(age_range, dtype=np.float64)
        except (TypeError, ValueError):
            bounds = None
        if (
            bounds is None
            or bounds.shape != (2,)
            or not np.isfinite(bounds).all()
            or bounds[0] > bounds[1]
        ):
            raise fail("age_range", "be a (lowest, highest) pair of numbers", repr(age_range))
        age_range = (float(bounds[0]), float(bounds[1]))
    if date_format is not None:
        parse_date_strings(np.zeros(0, dtype=str), date_format)  # validates the format
    if isinstance(missing_labels, str):
        raise fail("missing_labels", "be a collection of labels", repr(missing_labels))
    if isinstance(numeric, str):
        numeric = (numeric,)
    return _Options(
        observed_until=end,
        date_format=date_format,
        missing_labels=tuple(missing_labels),
        numeric=tuple(numeric),
        age_range=age_range,
        errors=as_option(errors, "errors", ("raise", "exclude")),
        source=source,
        row_kind=row_kind,
        argument={"line": "path"}.get(row_kind, source),
    )


def _named_columns(data: object) -> dict[str, object]:
    """Columns by name from a mapping or a duck-typed data frame."""
    if isinstance(data, Mapping):
        return {str(k): v for k, v in data.items()}
    names = getattr(data, "columns", None)
    if names is not None and hasattr(data, "__getitem__"):
        return {str(k): data[k] for k in list(names)}
    raise fail(
        "data",
        "be a mapping of column names to arrays, or a pandas or polars data frame",
        type(data).__name__,
    )


def _build_named(
    named: Mapping[str, object],
    columns: Mapping[str, str] | None,
    options: _Options,
    *,
    n: int | None = None,
    rows: NDArray[np.int64] | None = None,
    ragged: NDArray[np.bool_] | None = None,
) -> dict[str, Any]:
    if columns is not None and not isinstance(columns, Mapping):
        raise fail("columns", "be a mapping {role: column name}", type(columns).__name__)
    roles = _resolve_roles(list(named), columns)
    raw = {target: named[source] for target, source in roles.items()}
    shapes = {target: _column_array(value).shape for target, value in raw.items()}
    for target, shape in shapes.items():
        if len(shape) != 1:
            raise fail(
                target,
                "be a 1-dimensional column (one value per person)",
                f"an array of shape {shape}",
                hint="pass a list or 1-D array per column, e.g. {'accessed': [...]}.",
            )
    lengths = {target: shape[0] for target, shape in shapes.items()}
    if n is None:
        n = lengths.get("accessed", 0)
    wrong = {k: v for k, v in lengths.items() if v != n}
    if wrong:
        name, length = next(iter(wrong.items()))
        raise fail(
            name,
            f"have one value per person (the `accessed` column has {n})",
            f"{length} values",
        )
    row_numbers = np.arange(n, dtype=np.int64) if rows is None else rows
    return _build(raw, n, row_numbers, options, ragged=ragged)
