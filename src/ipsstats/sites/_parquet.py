"""Site summaries as Parquet files (needs pyarrow): one long table of counts, and a header.

The table has one row per count: ``attribute``, ``table`` (``"outcome_all"``,
``"outcome_window"``, ``"time_to_job"``, ``"in_work_support"``), ``group`` (the position of
the group in the attribute's groups, or of the duration's groups; -1 for the people not
known), ``time`` (days; null for outcome tables), ``kind`` (``"job"``, ``"no job"``, or a
kind of exit) and ``count``. Everything else of the JSON form (site, dates, versions,
levels, groups, kinds, disclosure settings) is the file's key-value metadata
``ipsstats.site_summary``, as JSON. Reading rebuilds the JSON form, which is then checked
as any summary is.
"""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.errors import InvalidInputError

__all__ = ["read_parquet", "write_parquet"]

_KEY = b"ipsstats.site_summary"
_OUTCOME_KINDS = {"job": "job", "no_job": "no job"}
_MEASURES = ("time_to_job", "in_work_support")
_HINT = 'install pyarrow (pip install pyarrow, or "ipsstats[duckdb]") or use JSON.'


def _pyarrow(argument: str) -> tuple[Any, Any]:
    try:
        import pyarrow as pa  # noqa: PLC0415  # optional dependency
        import pyarrow.parquet as pq  # noqa: PLC0415  # optional dependency
    except ImportError:
        raise fail(
            argument,
            "be JSON unless pyarrow is installed (Parquet needs it)",
            "a Parquet file",
            hint=_HINT,
        ) from None
    return pa, pq


def write_parquet(value: dict[str, Any], path: pathlib.Path) -> None:
    """Write the JSON form of a summary (as ``SiteSummary.to_dict`` returns it)."""
    pa, pq = _pyarrow("format")
    header = copy.deepcopy(value)
    columns: dict[str, list[NDArray[Any]]] = {
        k: [] for k in ("attribute", "table", "group", "time", "kind", "count")
    }

    def add(  # noqa: PLR0917  # one column of the long table per argument
        name: str,
        table: str,
        group: NDArray[Any],
        time: NDArray[Any] | float,
        kind: NDArray[Any],
        count: NDArray[Any],
    ) -> None:
        size = count.size
        columns["attribute"].append(np.full(size, name, dtype=object))
        columns["table"].append(np.full(size, table, dtype=object))
        columns["group"].append(np.broadcast_to(group, size).astype(np.int32))
        columns["time"].append(np.broadcast_to(time, size).astype(np.float64))
        columns["kind"].append(np.broadcast_to(kind, size).astype(object))
        columns["count"].append(np.asarray(count, dtype=np.int64))

    for name, attribute in value["attributes"].items():
        saved = header["attributes"][name]
        del saved["outcome"]
        for key in ("all", "window"):
            outcome = attribute["outcome"][key]
            for field, kind in _OUTCOME_KINDS.items():
                counts = np.asarray(outcome[field], dtype=np.int64)
                add(name, f"outcome_{key}", np.arange(counts.size), np.nan, np.array(kind), counts)
            add(
                name,
                f"outcome_{key}",
                np.array(-1),
                np.nan,
                np.array(list(_OUTCOME_KINDS.values()), dtype=object),
                np.asarray(outcome["not_known"], dtype=np.int64),
            )
        for measure in _MEASURES:
            exits = attribute[measure]
            if exits is None:
                continue
            del saved[measure]["tables"]
            kinds = np.array(exits["kinds"], dtype=object)
            for g, table in enumerate(exits["tables"]):
                times = np.asarray(table["times"], dtype=np.float64)
                counts = np.column_stack(
                    [np.asarray(table[k], dtype=np.int64) for k in exits["kinds"]]
                ).reshape(times.size, kinds.size)
                add(
                    name,
                    measure,
                    np.array(g),
                    np.repeat(times, kinds.size),
                    np.tile(kinds, times.size),
                    counts.ravel(),
                )
    arrays = {k: np.concatenate(v) if v else np.zeros(0, dtype=object) for k, v in columns.items()}
    table = pa.table(
        {
            "attribute": pa.array(arrays["attribute"].astype(str), pa.string()),
            "table": pa.array(arrays["table"].astype(str), pa.string()),
            "group": pa.array(arrays["group"].astype(np.int32), pa.int32()),
            "time": pa.array(arrays["time"].astype(np.float64), pa.float64(), from_pandas=True),
            "kind": pa.array(arrays["kind"].astype(str), pa.string()),
            "count": pa.array(arrays["count"].astype(np.int64), pa.int64()),
        }
    )
    metadata = {_KEY: json.dumps(header, ensure_ascii=False).encode("utf-8")}
    pq.write_table(table.replace_schema_metadata(metadata), str(path))


def read_parquet(path: pathlib.Path) -> dict[str, Any]:
    """Read a summary's Parquet file back into its JSON form (checked by the caller)."""
    pa, pq = _pyarrow("path")
    try:
        table = pq.read_table(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise fail("path", "be a readable Parquet file", f"{path.name!r} ({exc})") from None
    raw = (table.schema.metadata or {}).get(_KEY)
    wanted = {"attribute", "table", "group", "time", "kind", "count"}
    if raw is None or not wanted <= set(table.column_names):
        raise fail(
            "path",
            "be a site summary (a Parquet file written by SiteSummary.write)",
            f"{path.name!r}, a Parquet file without its header or columns",
        )
    try:
        value: dict[str, Any] = json.loads(raw.decode("utf-8"))
        columns = {k: table.column(k).to_numpy(zero_copy_only=False) for k in wanted}
        _fill(value, columns)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InvalidInputError(
            f"`path` must be a site summary written by SiteSummary.write; got {path.name!r}, "
            f"whose counts do not match its header ({type(exc).__name__}: {exc}).",
            argument="path",
        ) from None
    return value


def _fill(value: dict[str, Any], columns: dict[str, NDArray[Any]]) -> None:
    """Put the counts of the long table back into the header's attributes."""
    attribute, where, group = columns["attribute"], columns["table"], columns["group"]
    kind, count, time = columns["kind"], columns["count"], columns["time"]
    for name, saved in value["attributes"].items():
        mine = attribute == name
        size = len(saved["groups"])
        saved["outcome"] = {}
        for key in ("all", "window"):
            rows = mine & (where == f"outcome_{key}")
            part: dict[str, Any] = {}
            for field, label in _OUTCOME_KINDS.items():
                cells = np.zeros(size, dtype=np.int64)
                pick = rows & (kind == label) & (group >= 0)
                cells[group[pick]] = count[pick]
                part[field] = cells.tolist()
            unknown = rows & (group == -1)
            part["not_known"] = [
                int(count[unknown & (kind == label)].sum()) for label in _OUTCOME_KINDS.values()
            ]
            saved["outcome"][key] = part
        for measure in _MEASURES:
            exits = saved.get(measure)
            if exits is None:
                continue
            rows = mine & (where == measure)
            exits["tables"] = []
            for g in range(len(exits["groups"])):
                pick = rows & (group == g)
                times = np.unique(time[pick])
                out: dict[str, Any] = {"times": times.tolist()}
                for k in exits["kinds"]:
                    cells = np.zeros(times.size, dtype=np.int64)
                    chosen = pick & (kind == k)
                    cells[np.searchsorted(times, time[chosen])] = count[chosen]
                    out[k] = cells.tolist()
                exits["tables"].append(out)
