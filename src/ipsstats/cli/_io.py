"""Reading the command's inputs (cohort and caseload files, dates) and writing its outputs."""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import pathlib
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

import attrs
import numpy as np

from ipsstats._arrays import fail
from ipsstats.calendar import as_date
from ipsstats.categorical import Counts
from ipsstats.cli._engines import engine_for, load_with_duckdb
from ipsstats.cli._parser import _PROG, _PROGRESS_BYTES, _TAB_NAMES
from ipsstats.cohort import Cohort
from ipsstats.cohort.validation import Errors
from ipsstats.errors import InvalidInputError
from ipsstats.report import EquityReport
from ipsstats.report.render import (
    Document,
    Section,
    Table,
    to_csv,
    to_html,
    to_json,
    to_markdown,
    to_text,
)

__all__ = []


def _names(text: str | None) -> tuple[str, ...]:
    """Split a comma-separated option into its non-blank items."""
    if text is None:
        return ()
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _column_map(values: Sequence[str] | None) -> dict[str, str] | None:
    """Parse ``--columns role=header,...`` (possibly repeated) into a mapping."""
    if not values:
        return None
    mapping: dict[str, str] = {}
    for item in _names(",".join(values)):
        role, sep, header = (part.strip() for part in item.partition("="))
        if not sep or not role or not header:
            raise fail(
                "--columns",
                "be ROLE=HEADER pairs separated by commas",
                repr(item),
                hint='for example --columns "id=Client,accessed=First contact".',
            )
        if role in mapping:
            raise fail("--columns", "map each role once", f"{role!r} twice")
        mapping[role] = header
    return mapping


def _option_date(value: str, option: str) -> np.datetime64:
    """Read a date given on the command line: always ISO 8601."""
    try:
        return as_date(value, option)
    except InvalidInputError:
        raise fail(
            option,
            "be a real date written as YYYY-MM-DD (ISO 8601)",
            repr(value),
            hint="dates on the command line are ISO 8601 whatever --date-format says about "
            "the file, e.g. 2024-02-27.",
        ) from None


@attrs.frozen(kw_only=True)
class _Loading:
    """The options shared by the commands that read a cohort file."""

    path: str
    observed_until: np.datetime64
    columns: dict[str, str] | None
    date_format: str | None
    missing_labels: tuple[str, ...]
    delimiter: str
    encoding: str
    engine: str = "memory"


def _encoding(name: str) -> str:
    try:
        codecs.lookup(name)
        b"a".decode(name)  # refuses bytes-to-bytes codecs (hex, base64) and rot13 too
    except UnicodeError:  # a text encoding that cannot decode one byte alone (UTF-16)
        pass
    except LookupError:
        raise fail(
            "--encoding",
            "name a text encoding",
            repr(name),
            hint="for example utf-8, cp1252 or latin-1.",
        ) from None
    return name


def _delimiter(text: str) -> str:
    delimiter = _TAB_NAMES.get(text.lower(), text)
    if len(delimiter) != 1:
        raise fail(
            "--delimiter",
            "be one character",
            repr(text),
            hint="for example ';', '|' or tab.",
        )
    return delimiter


def _loading(args: argparse.Namespace, observed_until: np.datetime64) -> _Loading:
    return _Loading(
        path=args.cohort,
        observed_until=observed_until,
        columns=_column_map(args.columns),
        date_format=args.date_format,
        missing_labels=_names(args.missing_labels),
        delimiter=_delimiter(args.delimiter),
        encoding=_encoding(args.encoding),
        engine=engine_for(args.cohort, getattr(args, "engine", None)),
    )


def _load(options: _Loading, errors: Errors, progress: _Progress) -> Cohort:
    progress.step(f"reading {options.path!r} ({progress.size / 1e6:.1f} MB)...")
    if options.engine == "duckdb":  # Parquet, and large CSV files when DuckDB is installed
        cohort = load_with_duckdb(
            options.path,
            observed_until=options.observed_until,
            columns=options.columns,
            date_format=options.date_format,
            missing_labels=options.missing_labels,
            delimiter=options.delimiter,
            encoding=options.encoding,
            errors=errors,
            progress_bar=progress.enabled,
        )
        v = cohort.validation
        progress.step(f"read {v.n_read} records with DuckDB, {v.n_excluded} excluded")
        return cohort
    cohort = Cohort.from_csv(
        options.path,
        observed_until=options.observed_until,
        columns=options.columns,
        date_format=options.date_format,
        missing_labels=options.missing_labels,
        errors=errors,
        delimiter=options.delimiter,
        encoding=options.encoding,
    )
    v = cohort.validation
    progress.step(f"read {v.n_read} records, {v.n_excluded} excluded")
    return cohort


# --------------------------------------------------------------------------------------
# Progress and output
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Progress:
    """Stage messages on standard error, for inputs large enough to take a while."""

    enabled: bool
    size: int = 0
    start: float = attrs.field(factory=time.perf_counter)

    @classmethod
    def for_file(cls, path: str, *, requested: bool) -> _Progress:
        """Enable when asked, or when `path` is large and standard error is a terminal."""
        size = pathlib.Path(path).stat().st_size
        automatic = size >= _PROGRESS_BYTES and sys.stderr.isatty()
        return cls(enabled=requested or automatic, size=size)

    def step(self, message: str) -> None:
        """Print one stage message with the time elapsed so far."""
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            print(f"{_PROG}: [{elapsed:5.1f} s] {message}", file=sys.stderr, flush=True)


def _emit(text: str, stream: TextIO) -> None:
    """Write text to a stream, replacing characters its encoding cannot show."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, errors="replace").decode(encoding))
    stream.flush()


def _write(text: str, output: str | None) -> None:
    if not text.endswith("\n"):
        text += "\n"
    if output is None or output == "-":
        _emit(text, sys.stdout)
        return
    with pathlib.Path(output).open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _long_csv(tables: Mapping[str, str]) -> str:
    """Stack CSV tables in long form: one ``table,row,column,value`` line per cell.

    The first column of each table labels its rows; its header names the columns.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("table", "row", "column", "value"))
    for name, text in tables.items():
        header, *rows = list(csv.reader(io.StringIO(text)))
        writer.writerows(
            (name, row[0], column, value)
            for row in rows
            for column, value in zip(header[1:], row[1:], strict=False)
        )
    return buffer.getvalue()


def _document_tables(doc: Document) -> dict[str, str]:
    """Every table of a document as CSV text, keyed by its section and caption."""
    out: dict[str, str] = {}

    def visit(blocks: Sequence[Any], path: tuple[str, ...]) -> None:
        for block in blocks:
            if isinstance(block, Table):
                key = " / ".join(p for p in (*path, block.caption) if p) or f"table {len(out) + 1}"
                out[key if key not in out else f"{key} ({len(out) + 1})"] = to_csv(block)
            elif isinstance(block, Section):
                visit(block.blocks, (*path, block.title))

    visit(doc.blocks, ())
    return out


def _render_report(report: EquityReport, fmt: str) -> str:
    renderers: dict[str, Callable[[], str]] = {
        "text": report.to_text,
        "markdown": report.to_markdown,
        "html": report.to_html,
        "json": report.to_json,
        "csv": lambda: _long_csv(report.to_csv()),
    }
    return renderers[fmt]()


def _render_document(doc: Document, fmt: str, data: Mapping[str, Any]) -> str:
    if fmt == "json":
        return to_json(data)
    if fmt == "markdown":
        return to_markdown(doc)
    if fmt == "html":
        return to_html(doc)
    if fmt == "csv":
        return _long_csv(_document_tables(doc))
    return to_text(doc)


# --------------------------------------------------------------------------------------
# Eligible caseload file
# --------------------------------------------------------------------------------------

_CASELOAD_HEADER = ("attribute", "level", "count")

_WHOLE_NUMBER = re.compile(r"\s*\d+\s*")


def _caseload_rows(path: str, delimiter: str, encoding: str) -> list[tuple[int, list[str]]]:
    """Read the caseload file's rows with their line numbers (blank lines skipped)."""
    name = pathlib.Path(path).name
    try:
        with pathlib.Path(path).open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            return [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except UnicodeDecodeError as exc:
        raise fail(
            "--eligible",
            "be a CSV text file encoded as UTF-8",
            f"{name!r}, whose byte {exc.start} is not UTF-8",
            hint="save the file as 'CSV UTF-8', or pass --encoding ... (e.g. cp1252).",
        ) from None
    except csv.Error as exc:
        raise fail("--eligible", "be a well-formed CSV file", f"{name!r}: {exc}") from None


def _read_caseload(
    path: str, *, missing_labels: Sequence[str], delimiter: str, encoding: str
) -> dict[str, Counts]:
    """Read eligible counts in long format (``attribute,level,count``), per attribute."""
    name = pathlib.Path(path).name
    rows = _caseload_rows(path, delimiter, encoding)
    if not rows:
        raise fail("--eligible", "hold a header line and counts", f"an empty file {name!r}")
    header = tuple(cell.strip().lower() for cell in rows[0][1])
    if header != _CASELOAD_HEADER:
        raise fail(
            "--eligible",
            "have the header attribute,level,count",
            f"{list(rows[0][1])} in {name!r}",
            hint="one row per group, e.g. ethnicity,White,3236.",
        )
    by_attribute: dict[str, dict[object, object]] = {}
    for line, row in rows[1:]:
        if len(row) != len(_CASELOAD_HEADER):
            raise fail(
                "--eligible",
                "have three fields in every row (attribute, level, count)",
                f"{len(row)} fields at line {line} of {name!r}",
            )
        attribute, level, count = (cell.strip() for cell in row)
        if not attribute or not _WHOLE_NUMBER.fullmatch(count):
            raise fail(
                "--eligible",
                "have an attribute name and a whole-number count in every row",
                f"{row!r} at line {line} of {name!r}",
            )
        levels = by_attribute.setdefault(attribute, {})
        if level in levels:
            raise fail(
                "--eligible",
                "give each attribute's level once",
                f"{attribute!r} level {level!r} again at line {line} of {name!r}",
            )
        levels[level] = int(count)
    if not by_attribute:
        raise fail("--eligible", "hold at least one count", f"only a header in {name!r}")
    return {
        attribute: Counts.from_mapping(levels, name=attribute, missing_labels=missing_labels)
        for attribute, levels in by_attribute.items()
    }


# --------------------------------------------------------------------------------------
# demo and report
# --------------------------------------------------------------------------------------
