"""Splitting CSV files with Arrow's multi-threaded reader, when pyarrow is installed.

Arrow splits the records into fields; everything after (dates, numbers, categories, the
validation rules) is the same code as for the numpy splitter, working on the same
:class:`~ipsstats.cohort._csv.Fields`: each Arrow column's data buffer and offsets locate
its fields without a copy. Only files whose splitting cannot differ are given to Arrow:
no quote character, every record on its own line (no blank lines), and line ends that are
line feeds or carriage return and line feed pairs. Anything else (and any record with the
wrong number of fields, which Arrow refuses) is split by the numpy splitter or the
:mod:`csv` module, which report it with its line number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats.cohort._csv import (
    Fields,
    TextColumns,
    _byte_array,
    _count,
    _find,
    _header_and_body,
)

__all__ = []


def arrow_available() -> bool:
    """Whether pyarrow (with its CSV reader) can be imported."""
    try:
        import pyarrow.csv  # noqa: F401, PLC0415  # optional dependency, imported lazily
    except ImportError:
        return False
    return True


def split_with_arrow(
    data: bytes | NDArray[np.uint8], delimiter: str, name: str
) -> tuple[TextColumns, NDArray[np.int64]] | None:
    """Split a CSV file's UTF-8 bytes with Arrow; ``None`` when Arrow is not suitable.

    Returns the columns and each record's line number, as
    :func:`~ipsstats.cohort._csv._split_plain_csv` does for the same file.
    """
    try:
        import pyarrow as pa  # noqa: PLC0415  # optional dependency, imported lazily
        import pyarrow.csv as pacsv  # noqa: PLC0415
    except ImportError:
        return None
    buf = _byte_array(data)
    found = _header_and_body(buf, delimiter, name)
    if found is None:
        return None
    header, body, start, _carriage = found
    if _find(buf, b'"', start) >= 0:
        return None  # quoting rules differ between readers: the numpy splitter validates them
    names = [f"f{k}" for k in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_binary()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
    except (pa.ArrowException, ValueError):  # e.g. a record with the wrong number of fields
        return None
    n = table.num_rows
    if n == 0 or _count(body, ord("\n")) != n:
        return None  # blank lines between records: the numpy splitter numbers the lines
    located = {
        title: (_fields(table.column(k).combine_chunks()), 0) for k, title in enumerate(header)
    }
    return TextColumns(located), np.arange(2, n + 2, dtype=np.int64)


def _fields(column: Any) -> Fields:
    """Locate the fields of one Arrow ``large_binary`` column: data buffer and offsets."""
    _validity, offsets, values = column.buffers()
    n = len(column)
    bounds = np.frombuffer(offsets, dtype=np.int64)[column.offset : column.offset + n + 1]
    buf = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, np.uint8)
    starts = bounds[:-1].astype(np.intp, copy=False).reshape(n, 1)
    ends = bounds[1:].astype(np.intp, copy=False).reshape(n, 1)
    return Fields(buf=buf, starts=starts, ends=ends)
