"""The indicator options of ``ipsstats report``: standardisation and the service funnel.

``--standardise age,gender`` needs the eligible caseload by group and stratum, read with
``--eligible-records CASELOAD.csv``: one row per eligible person (or per cell, with a
``count`` column), a column per compared attribute and per stratum (``age`` in years,
banded as the report bands it, or a categorical column). ``--by-service COLUMN`` adds the
funnel of the services' job rates.
"""

from __future__ import annotations

import argparse
import csv
import math
import pathlib
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ipsstats._arrays import fail
from ipsstats.cohort import age_band
from ipsstats.equity import OVERDISPERSION

__all__: list[str] = []

_WHOLE = re.compile(r"\d+")
_OPTION = "--eligible-records"


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--standardise``, ``--eligible-records``, ``--by-service`` and the funnel's."""
    parser.add_argument(
        "--standardise",
        metavar="STRATUM,...",
        help=(
            "add access and job outcomes standardised for these strata, e.g. age,gender "
            "('age': the bands <=25, 26-40, 41-55, >55); needs --eligible-records"
        ),
    )
    parser.add_argument(
        "--eligible-records",
        metavar="CASELOAD.csv",
        help=(
            "the eligible caseload as records: one row per eligible person (or per cell, "
            "with a 'count' column), a column per compared attribute and per stratum"
        ),
    )
    parser.add_argument(
        "--by-service",
        metavar="COLUMN",
        help="add a funnel of the job rate of each service or team named in COLUMN",
    )
    parser.add_argument(
        "--funnel-overdispersion",
        choices=OVERDISPERSION,
        default="none",
        help="how the funnel's limits allow for over-dispersion (default: none)",
    )


def needed_attributes(by: Sequence[str], strata: Sequence[str], service: str | None) -> list[str]:
    """Return the cohort columns to read: `by` alone, or every column with the options.

    With ``--standardise`` or ``--by-service`` every column is read, so that a stratum or
    service the file lacks is reported against its own option.
    """
    return [] if strata or service is not None else list(by)


def _rows(path: str, delimiter: str, encoding: str) -> list[tuple[int, list[str]]]:
    name = pathlib.Path(path).name
    try:
        with pathlib.Path(path).open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            return [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except FileNotFoundError:
        raise fail(_OPTION, "name an existing file", repr(path)) from None
    except UnicodeDecodeError as exc:
        raise fail(
            _OPTION,
            "be a CSV text file encoded as UTF-8",
            f"{name!r}, whose byte {exc.start} is not UTF-8",
            hint="save the file as 'CSV UTF-8', or pass --encoding ... (e.g. cp1252).",
        ) from None
    except csv.Error as exc:
        raise fail(_OPTION, "be a well-formed CSV file", f"{name!r}: {exc}") from None


def _age_bands(cells: list[str], name: str, lines: list[int]) -> list[object]:
    """Band ages in years as the report does; a blank age is not known."""
    ages = np.full(len(cells), np.nan)
    for k, cell in enumerate(cells):
        if not cell:
            continue
        try:
            ages[k] = float(cell)
        except ValueError:
            raise fail(
                _OPTION,
                "hold ages in years (or blanks) in the column 'age'",
                f"{cell!r} at line {lines[k]} of {name!r}",
            ) from None
        if not math.isfinite(ages[k]):
            raise fail(_OPTION, "hold finite ages", f"{cell!r} at line {lines[k]} of {name!r}")
    bands = age_band(ages)
    labels = np.array([*bands.levels, None], dtype=object)
    return list(labels[bands.codes])


def read_eligible_records(
    path: str,
    *,
    groups: Sequence[str],
    strata: Sequence[str],
    delimiter: str,
    encoding: str,
) -> dict[str, dict[tuple[object, ...], int]]:
    """Count the caseload by ``(group, stratum, ...)`` for each attribute of `groups`.

    Attributes of `groups` that the file does not have are left out (their access is not
    analysed); blank cells are "not known" (as are the labels of ``--missing-labels``,
    which the report applies).
    """
    name = pathlib.Path(path).name
    rows = _rows(path, delimiter, encoding)
    if len(rows) < 2:
        raise fail(_OPTION, "hold a header line and at least one record", f"{name!r}")
    header = [cell.strip() for cell in rows[0][1]]
    records = rows[1:]
    width = len(header)
    for line, row in records:
        if len(row) != width:
            raise fail(
                _OPTION,
                f"have {width} fields in every row, as the header",
                f"{len(row)} fields at line {line} of {name!r}",
            )
    lines = [line for line, _ in records]
    column = {h: [row[k].strip() for _, row in records] for k, h in enumerate(header)}
    parts: list[list[object]] = []
    for stratum in strata:
        if stratum == "age" and "age_band" not in column and "age" in column:
            parts.append(_age_bands(column["age"], name, lines))
        elif stratum == "age" and "age_band" in column:
            parts.append([c or None for c in column["age_band"]])
        elif stratum in column:
            parts.append([c or None for c in column[stratum]])
        else:
            raise fail(
                _OPTION,
                f"have a column for every stratum of --standardise ({', '.join(strata)})",
                f"no column {stratum!r} in {name!r} (columns {header})",
                hint="'age' may be ages in years or a column 'age_band'.",
            )
    counts = [1] * len(records)
    if "count" in column:
        for k, cell in enumerate(column["count"]):
            if not _WHOLE.fullmatch(cell):
                raise fail(
                    _OPTION,
                    "hold whole numbers in the column 'count'",
                    f"{cell!r} at line {lines[k]} of {name!r}",
                )
            counts[k] = int(cell)
    found = [g for g in groups if g in column and g not in strata]
    if not found:
        raise fail(
            _OPTION,
            "have a column for at least one attribute the report compares",
            f"columns {header} in {name!r}",
            hint=f"the report compares {list(groups)}.",
        )
    out: dict[str, dict[tuple[object, ...], int]] = {}
    for attr in found:
        cells: dict[tuple[object, ...], int] = {}
        for k, group in enumerate(column[attr]):
            key = (group or None, *(p[k] for p in parts))
            cells[key] = cells.get(key, 0) + counts[k]
        out[attr] = cells
    return out


def eligible_for_report(
    args: argparse.Namespace,
    crude: Callable[[], Mapping[str, object]],
    *,
    groups: Sequence[str],
    delimiter: str,
    encoding: str,
) -> dict[str, object]:
    """Return the caseload to report: the ``--eligible`` counts or ``--eligible-records``."""
    if args.eligible_records is None:
        return dict(crude())
    if args.eligible is not None:
        raise fail(
            _OPTION,
            "not be given with --eligible",
            "both",
            hint="--eligible-records holds the caseload by group and stratum; use one file.",
        )
    strata = [s.strip() for s in (args.standardise or "").split(",") if s.strip()]
    found = read_eligible_records(
        args.eligible_records,
        groups=groups,
        strata=strata,
        delimiter=delimiter,
        encoding=encoding,
    )
    if strata:
        return dict(found)
    out: dict[str, object] = {}
    for attr, cells in found.items():
        sums: dict[object, int] = {}
        for key, n in cells.items():
            sums[key[0]] = sums.get(key[0], 0) + n
        out[attr] = sums
    return out


def add_presentation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-unit",
        choices=("months", "days"),
        default="months",
        help="unit of every duration in the report's tables and figures (default: months)",
    )


def add_suppress(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--suppress",
        action="store_true",
        help="show counts below 5 as * and round the others to the nearest 5",
    )
