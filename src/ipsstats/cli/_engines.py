"""Reading a cohort file with DuckDB: Parquet files, and large CSV files out of Python.

DuckDB reads the file (in parallel, Parquet natively), keeps only the columns the cohort
uses and hands them to :meth:`ipsstats.Cohort.from_frame`, which validates the records with
the same rules as the in-memory CSV reader. CSV fields are read as text, so dates, numbers
and missing values are parsed by ipsstats exactly as for the in-memory reader.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

from ipsstats._arrays import fail
from ipsstats.cli._parser import _PROGRESS_BYTES
from ipsstats.cohort import Cohort
from ipsstats.cohort.validation import Errors

__all__: list[str] = []

_PARQUET = (".parquet", ".pq")
_INSTALL = 'install it with `pip install "ipsstats[duckdb]"`, or pass --engine memory.'


def _duckdb() -> Any:
    try:
        import duckdb  # noqa: PLC0415  # optional dependency
    except ImportError:
        return None
    return duckdb


def engine_for(path: str, requested: str | None) -> str:
    """Choose the engine reading `path`: as requested, else DuckDB for Parquet and big CSVs."""
    parquet = pathlib.Path(path).suffix.lower() in _PARQUET
    if requested == "memory" and parquet:
        raise fail(
            "--engine",
            "be duckdb for a Parquet file",
            "memory",
            hint="the in-memory reader reads CSV files only.",
        )
    if requested is not None:
        return requested
    if parquet:
        return "duckdb"
    try:
        large = pathlib.Path(path).stat().st_size >= _PROGRESS_BYTES
    except OSError:  # reported by the reader, with the file name
        return "memory"
    return "duckdb" if large and _duckdb() is not None else "memory"


def load_with_duckdb(
    path_text: str,
    *,
    observed_until: object,
    columns: Mapping[str, str] | None,
    date_format: str | None,
    missing_labels: Sequence[str],
    delimiter: str,
    encoding: str,
    errors: Errors,
    progress_bar: bool,
) -> Cohort:
    """Read the cohort file with DuckDB and validate it into a cohort."""
    duckdb = _duckdb()
    if duckdb is None:
        raise fail("--engine", "name an installed engine", "duckdb (not installed)", hint=_INSTALL)
    path = pathlib.Path(path_text)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path_text!r}")
    connection = duckdb.connect()
    if progress_bar:
        connection.execute("SET enable_progress_bar = true")
    if path.suffix.lower() in _PARQUET:
        relation = connection.read_parquet(str(path))
    else:
        encoding = encoding.lower().replace("_", "-")
        relation = connection.read_csv(
            str(path),
            header=True,
            delimiter=delimiter,
            all_varchar=True,
            encoding="utf-8" if encoding in ("utf-8", "utf-8-sig", "utf8") else encoding,
        )
    return Cohort.from_frame(
        relation,
        observed_until=observed_until,
        columns=columns,
        date_format=date_format,
        missing_labels=missing_labels,
        errors=errors,
        source=path.name,
    )
