"""The ``ipsstats`` command: equity reports, data validation and the 2022 paper reproduced.

Run ``ipsstats --help`` (or ``python -m ipsstats --help``) for the subcommands:

``demo``
    The full equity report of the bundled SYNTHETIC cohort (no input needed).
``report COHORT.csv``
    The full equity report of a cohort file, optionally against an eligible caseload file
    (long format: ``attribute,level,count``), as text, Markdown, HTML or JSON.
``validate COHORT.csv``
    The data-quality check only: records read, excluded and why, one line per problem.
``reproduce perkins2022``
    Tables 2 and 3 of Perkins et al. (2022) recomputed from the published counts, beside
    the published values.

Invalid records. ``report`` stops at invalid records by default, naming the first ones
(line, field, value, reason), so that nothing is dropped without the analyst deciding it;
``--errors exclude`` drops them instead and the report's completeness section lists
every one. ``validate`` always reads in the excluding mode and lists what it dropped.

Exit status: 0 on success; 1 when ``validate --strict`` finds invalid records or
``reproduce`` does not match every published value; 2 for a usage error or an input that
cannot be used (a missing or malformed file, a wrong column mapping, an unparseable
date, an invalid option), reported as one line on standard error starting
``ipsstats: error:``.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import math
import os
import pathlib
import re
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NoReturn, TextIO

import attrs
import numpy as np

from ipsstats._arrays import fail
from ipsstats._version import __version__
from ipsstats.calendar import as_date, describe_date_format, suggest_date_format
from ipsstats.cohort import Cohort, Errors
from ipsstats.contingency import ContingencyTable, Counts
from ipsstats.datasets import (
    SYNTHETIC_OBSERVED_UNTIL,
    Perkins2022,
    perkins2022,
    synthetic_caseload,
    synthetic_cohort,
)
from ipsstats.equity import access_equity, outcome_equity
from ipsstats.errors import InvalidInputError, IpsStatsError
from ipsstats.factor import Factor
from ipsstats.render import (
    BulletList,
    Document,
    KeyValues,
    Paragraph,
    Section,
    Table,
    clean_text,
    to_json,
    to_markdown,
    to_text,
)
from ipsstats.report import EquityReport, equity_report

__all__ = ["main"]

_PROG = "ipsstats"
_REPORT_FORMATS = ("text", "markdown", "html", "json")
_VALIDATE_FORMATS = ("text", "markdown", "json")
_REPRODUCE_FORMATS = ("text", "markdown", "json")
_PROGRESS_BYTES = 20_000_000  # about 250,000 records: reading and analysing take seconds
_DEMO_BY: tuple[Literal["ethnicity", "gender"], ...] = ("ethnicity", "gender")
_DEMO_MONTHS = 6
_TAB_NAMES = {"tab": "\t", "\\t": "\t"}
_EXIT_OK, _EXIT_FAILED_CHECK, _EXIT_ERROR = 0, 1, 2
_EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
_HANDLED = (IpsStatsError, OSError, UnicodeError, csv.Error)

# Library messages name Python arguments; on the command line they are options.
_OPTIONS = (
    "by",
    "columns",
    "date_format",
    "delimiter",
    "eligible",
    "encoding",
    "min_followup_months",
    "missing_labels",
    "observed_until",
    "study_end",
    "suppress",
)
_OPTION_WORDING = (
    (re.compile(r'\bdate_format="([^"]*)"'), r'--date-format "\1"'),
    (re.compile(r'\berrors="exclude"'), "--errors exclude"),
    (re.compile(r"\bencoding=\.\.\."), "--encoding ..."),
    (re.compile(r'\bcolumns=\{"([^"]*)": "([^"]*)"\}'), r'--columns "\1=\2"'),
    (re.compile(r"the cohort's `validation` report"), "the report"),
    (re.compile(r"`path`"), "the cohort file"),
    (re.compile(r"`(" + "|".join(_OPTIONS) + r")`"), lambda m: f"`--{m[1].replace('_', '-')}`"),
    (re.compile(r"(?<![`\w-])observed_until\b"), "--observed-until"),
)

_EPILOG = """\
examples:
  ipsstats demo
  ipsstats demo --format html -o demo.html
  ipsstats report cohort.csv --eligible caseload.csv --study-end 2024-02-27 \\
      --by ethnicity,gender --missing-labels "Not known,Prefer not to say" \\
      --format markdown -o report.md
  ipsstats report extract.csv --study-end 2024-02-27 --date-format %d/%m/%Y \\
      --columns "id=Client,accessed=First contact,job_start=Job" --errors exclude
  ipsstats validate extract.csv --observed-until 2024-02-27 --date-format %d/%m/%Y
  ipsstats reproduce perkins2022 --format markdown

exit status:
  0  success
  1  validate --strict found invalid records, or reproduce did not match every value
  2  usage error, or an input that cannot be used (one line on standard error)
"""

_REPORT_EPILOG = """\
The cohort file has one row per person and a header line. Columns are found by role:
id, accessed (date of first contact; required), job_start, discharged and age; map
other headers with --columns role=header. Every other column is an attribute
(ethnicity, gender, ...). Dates are ISO 8601 (YYYY-MM-DD) unless --date-format is given.

The eligible caseload file is in long format with the header attribute,level,count,
one row per group, e.g. "ethnicity,White,3236".

By default the command stops at invalid records and names them; --errors exclude
drops them instead, and the report lists every one with its reason.

examples:
  ipsstats report cohort.csv --eligible caseload.csv --study-end 2024-02-27 \\
      --missing-labels "Not known" --by ethnicity,gender
  ipsstats report cohort.csv --study-end 2024-02-27 --format json -o report.json
"""

_VALIDATE_EPILOG = """\
Reads the file excluding invalid records, and lists records read, excluded and why,
the first problems one per line, and missing values by attribute. Records dated after
--observed-until (default: today) are invalid.

examples:
  ipsstats validate cohort.csv --observed-until 2024-02-27
  ipsstats validate extract.csv --date-format %d/%m/%Y --format json
"""

_REPRODUCE_EPILOG = """\
Recomputes Tables 2 (access: IPS users against the community caseload) and 3 (job
outcomes, everyone and the six-month subset) of Perkins et al. (2022) from the
published counts, with the paper's known errata applied (they are listed in the
output), and compares every published value at its printed precision. Exit status 0
only when every value matches.

example:
  ipsstats reproduce perkins2022 --format markdown
"""


# --------------------------------------------------------------------------------------
# Argument parsing
# --------------------------------------------------------------------------------------


def _add_output(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument(
        "--format",
        choices=formats,
        help=(
            "output format (default: from the -o file's extension, .md, .html or .json; else text)"
        ),
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (UTF-8) instead of standard output",
    )


_SUFFIX_FORMATS = {
    ".htm": "html",
    ".html": "html",
    ".json": "json",
    ".markdown": "markdown",
    ".md": "markdown",
}


def _format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    """Choose the output format: --format, else the -o file's extension, else text."""
    if args.format is not None:
        return str(args.format)
    if args.output is not None:
        guess = _SUFFIX_FORMATS.get(pathlib.Path(args.output).suffix.lower())
        if guess in formats:
            return guess
    return "text"


def _add_loading(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT.csv", help="the cohort file, one row per person")
    parser.add_argument(
        "--observed-until",
        metavar="DATE",
        help="date the data were extracted, YYYY-MM-DD",
    )
    parser.add_argument(
        "--columns",
        metavar="ROLE=HEADER,...",
        action="append",
        help=(
            "map roles (id, accessed, job_start, discharged, age) or attribute names to the "
            "file's headers; may be repeated"
        ),
    )
    parser.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="how dates are written, e.g. %%d/%%m/%%Y (default: ISO 8601, YYYY-MM-DD)",
    )
    parser.add_argument(
        "--missing-labels",
        metavar="LABEL,...",
        help='values meaning "not known", e.g. "Not known,Prefer not to say" (blanks always are)',
    )
    parser.add_argument(
        "--delimiter",
        default=",",
        help="field separator: one character, or tab (default: a comma)",
    )
    parser.add_argument(
        "--encoding",
        default="utf-8-sig",
        help="text encoding of the files (default: UTF-8, with or without a byte-order mark)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="report progress on standard error (automatic for large files on a terminal)",
    )


def _add_suppress(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--suppress",
        action="store_true",
        help="show counts below 5 as * and round the others to the nearest 5",
    )


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a usage error as one line on standard error."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message> (see <prog> --help)`` and exit with status 2."""
        self.exit(_EXIT_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=_PROG,
        description=(
            "Equity of access and outcome in Individual Placement and Support (IPS) services."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{_PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="the full equity report of the bundled synthetic cohort",
        description=(
            "Run the full equity report on the bundled SYNTHETIC cohort (539 invented people "
            "using IPS, observed until 2024-02-27) and its eligible caseload: study end "
            "2024-02-27, six months' minimum follow-up, by ethnicity and gender."
        ),
        epilog="example:\n  ipsstats demo --format html -o demo.html\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_output(demo, _REPORT_FORMATS)
    _add_suppress(demo)
    demo.set_defaults(run=_run_demo)

    report = commands.add_parser(
        "report",
        help="the full equity report of a cohort file",
        description="Run the full equity report on a cohort CSV file.",
        epilog=_REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_loading(report)
    report.add_argument(
        "--eligible",
        metavar="CASELOAD.csv",
        help="eligible caseload counts, header attribute,level,count",
    )
    report.add_argument(
        "--study-end",
        metavar="DATE",
        required=True,
        help="end of follow-up, YYYY-MM-DD (also the default --observed-until)",
    )
    report.add_argument(
        "--min-followup-months",
        metavar="MONTHS",
        type=int,
        default=_DEMO_MONTHS,
        help="minimum follow-up of the window analysis (default: 6)",
    )
    report.add_argument(
        "--by",
        metavar="ATTRIBUTE,...",
        help="attributes to compare groups by (default: every categorical attribute)",
    )
    report.add_argument(
        "--errors",
        choices=("raise", "exclude"),
        default="raise",
        help="stop at invalid records (default), or exclude them and list them in the report",
    )
    _add_suppress(report)
    _add_output(report, _REPORT_FORMATS)
    report.set_defaults(run=_run_report)

    validate = commands.add_parser(
        "validate",
        help="check a cohort file: records read, excluded and why",
        description="Check a cohort CSV file without analysing it.",
        epilog=_VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_loading(validate)
    validate.add_argument(
        "--max-issues",
        metavar="N",
        type=int,
        default=20,
        help="list at most N problem records in text and Markdown (default: 20)",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when any record is invalid",
    )
    _add_output(validate, _VALIDATE_FORMATS)
    validate.set_defaults(run=_run_validate)

    reproduce = commands.add_parser(
        "reproduce",
        help="recompute a source paper's tables beside the published values",
        description="Recompute a source paper's tables from its published counts.",
        epilog=_REPRODUCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reproduce.add_argument("paper", choices=("perkins2022",), help="the paper")
    _add_output(reproduce, _REPRODUCE_FORMATS)
    reproduce.set_defaults(run=_run_reproduce)
    return parser


# --------------------------------------------------------------------------------------
# Option values
# --------------------------------------------------------------------------------------


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


def _encoding(name: str) -> str:
    try:
        codecs.lookup(name)
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
    )


def _load(options: _Loading, errors: Errors, progress: _Progress) -> Cohort:
    progress.step(f"reading {options.path!r} ({progress.size / 1e6:.1f} MB)...")
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


def _render_report(report: EquityReport, fmt: str) -> str:
    renderers: dict[str, Callable[[], str]] = {
        "text": report.to_text,
        "markdown": report.to_markdown,
        "html": report.to_html,
        "json": report.to_json,
    }
    return renderers[fmt]()


def _render_document(doc: Document, fmt: str, data: Mapping[str, Any]) -> str:
    if fmt == "json":
        return to_json(data)
    if fmt == "markdown":
        return to_markdown(doc)
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


def _run_demo(args: argparse.Namespace) -> int:
    cohort = synthetic_cohort()
    eligible = {name: synthetic_caseload(by=name) for name in _DEMO_BY}
    report = equity_report(
        cohort,
        eligible=eligible,
        study_end=SYNTHETIC_OBSERVED_UNTIL,
        min_followup_months=_DEMO_MONTHS,
        by=_DEMO_BY,
        suppress=args.suppress,
        title="IPS equity report: SYNTHETIC demonstration cohort",
    )
    _write(_render_report(report, _format(args, _REPORT_FORMATS)), args.output)
    return _EXIT_OK


def _categorical_names(cohort: Cohort) -> tuple[str, ...]:
    return tuple(k for k, v in cohort.attributes.items() if isinstance(v, Factor))


def _report_dates(args: argparse.Namespace) -> tuple[np.datetime64, np.datetime64]:
    """Read the study end and the extraction date (by default the study end)."""
    study_end = _option_date(args.study_end, "--study-end")
    if args.observed_until is None:
        return study_end, study_end
    observed = _option_date(args.observed_until, "--observed-until")
    if study_end > observed:
        raise fail(
            "--study-end",
            "be on or before --observed-until (the date the data were extracted)",
            f"{study_end} after {observed}",
            hint="outcomes after the extraction date are not observed.",
        )
    return study_end, observed


def _check_some_valid(cohort: Cohort) -> None:
    if cohort.n:
        return
    first = cohort.validation.issues(limit=1)
    got = "no records"
    if first:
        line, field, value, reason = first[0]
        got = (
            f"{cohort.validation.n_read} records, all excluded (first: line {line}, "
            f"`{field}` {value!r}: {reason})"
        )
    raise fail(
        "COHORT.csv",
        "hold at least one valid record",
        got,
        hint=f"run `{_PROG} validate` to list the problems.",
    )


def _eligible(
    args: argparse.Namespace, options: _Loading, wanted: Sequence[str]
) -> dict[str, Counts]:
    """Read the eligible counts of the attributes compared (none without --eligible)."""
    if args.eligible is None:
        return {}
    eligible = _read_caseload(
        args.eligible,
        missing_labels=options.missing_labels,
        delimiter=options.delimiter,
        encoding=options.encoding,
    )
    for name in eligible:  # a caseload file may hold attributes not compared this time
        if name not in wanted:
            print(
                f"{_PROG}: note: eligible counts for {name!r} not used (not in --by)",
                file=sys.stderr,
            )
    return {k: v for k, v in eligible.items() if k in wanted}


_MISSING_LIKE = re.compile(
    r"(not known|unknown|not stated|not recorded|not specified|prefer not to say|"
    r"missing|refused|declined|n/?a)",
    re.IGNORECASE,
)


def _note_missing_like_levels(cohort: Cohort, by: Sequence[str]) -> None:
    """Note on standard error the levels that look like missing values but are groups."""
    for name in by or _categorical_names(cohort):
        column = cohort.attributes.get(name)
        if not isinstance(column, Factor):
            continue
        for level in column.levels:
            if _MISSING_LIKE.fullmatch(str(level).strip()):
                print(
                    f"{_PROG}: note: {name!r} level {str(level)!r} is analysed as a group; "
                    f'pass --missing-labels "{level}" to count it as missing instead',
                    file=sys.stderr,
                )


def _run_report(args: argparse.Namespace) -> int:
    study_end, observed = _report_dates(args)
    options = _loading(args, observed)
    by = _names(args.by)
    progress = _Progress.for_file(options.path, requested=args.progress)
    try:
        cohort = _load(options, "exclude" if args.errors == "exclude" else "raise", progress)
    except InvalidInputError as exc:
        if args.observed_until is None and "observed_until" in str(exc):
            raise InvalidInputError(
                f"{exc} The extraction date --observed-until defaults to --study-end "
                f"({study_end}); pass --observed-until with the date the data were "
                "extracted to analyse up to an earlier study end.",
                argument=exc.argument,
                positions=exc.positions,
            ) from None
        raise
    _check_some_valid(cohort)
    if cohort.validation.n_excluded:
        print(
            f"{_PROG}: note: {cohort.validation.n_excluded} of {cohort.validation.n_read} "
            "records excluded as invalid; the report's data completeness section lists them",
            file=sys.stderr,
        )
    eligible = _eligible(args, options, by or _categorical_names(cohort))
    progress.step("running the equity analyses...")
    report = equity_report(
        cohort,
        eligible=eligible or None,
        study_end=study_end,
        min_followup_months=args.min_followup_months,
        by=by or None,
        suppress=args.suppress,
        missing_labels=options.missing_labels,
    )
    fmt = _format(args, _REPORT_FORMATS)
    progress.step(f"writing the {fmt} report...")
    _write(_render_report(report, fmt), args.output)
    _note_missing_like_levels(cohort, by)
    progress.step("done")
    return _EXIT_OK


# --------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------


def _missing_counts(cohort: Cohort) -> dict[str, int]:
    return {
        name: column.n_missing if isinstance(column, Factor) else int(np.isnan(column).sum())
        for name, column in cohort.attributes.items()
    }


def _date_hint(cohort: Cohort, date_format: str | None) -> str:
    """Suggest a --date-format when excluded records have dates in another format."""
    v = cohort.validation
    samples = [
        str(value)
        for value, reason in zip(v.values.tolist(), v.reasons.tolist(), strict=True)
        if str(reason).startswith("unparseable") and str(reason).endswith("date")
    ]
    if not samples:
        return ""
    suggestion = suggest_date_format(samples[:50], date_format).rstrip(".")
    text = f"dates are read as {describe_date_format(date_format)}; {suggestion}."
    for pattern, replacement in _OPTION_WORDING:
        text = pattern.sub(replacement, text)
    return text


def _validation_document(cohort: Cohort, limit: int, hint: str) -> Document:
    v = cohort.validation
    blocks: list[Any] = [
        KeyValues(
            items=[
                ("File", v.source),
                ("Records read", str(v.n_read)),
                ("Records valid", str(v.n_valid)),
                ("Records excluded", str(v.n_excluded)),
                ("Observed until", cohort.observed_until.isoformat()),
                ("Attributes", ", ".join(cohort.attribute_names) or "none"),
            ]
        )
    ]
    if v.n_excluded:
        blocks.append(
            Table(
                header=("Reason", "Records"),
                rows=[(reason, str(n)) for reason, n in v.counts.items()],
                caption="Excluded records by reason",
            )
        )
        shown = v.issues(limit=max(limit, 0))
        notes = [] if len(shown) == v.n_excluded else [f"first {len(shown)} of {v.n_excluded}"]
        blocks.append(
            Table(
                header=(v.row_kind.capitalize(), "Field", "Value", "Reason"),
                rows=[(str(row), field, value, why) for row, field, value, why in shown],
                caption="Problem records",
                notes=notes,
                align=("right", "left", "left", "left"),
            )
        )
        if hint:
            blocks.append(Paragraph(text=f"Hint: {hint}"))
    else:
        blocks.append(Paragraph(text="No record was excluded."))
    missing = _missing_counts(cohort)
    if missing:
        blocks.append(
            Table(
                header=("Attribute", "Missing", "Share, %"),
                rows=[
                    (name, str(n), f"{100 * n / cohort.n:.1f}" if cohort.n else "-")
                    for name, n in missing.items()
                ],
                caption="Missing values by attribute (valid records)",
            )
        )
    return Document(
        title="Data validation",
        blocks=blocks,
        metadata=[("Generated by", f"{_PROG} {__version__}")],
    )


def _run_validate(args: argparse.Namespace) -> int:
    observed = (
        np.datetime64("today", "D")
        if args.observed_until is None
        else _option_date(args.observed_until, "--observed-until")
    )
    options = _loading(args, observed)
    progress = _Progress.for_file(options.path, requested=args.progress)
    cohort = _load(options, "exclude", progress)
    data = {
        **cohort.validation.to_dict(),
        "observed_until": cohort.observed_until.isoformat(),
        "attributes": list(cohort.attribute_names),
        "missing_by_attribute": _missing_counts(cohort),
    }
    hint = _date_hint(cohort, options.date_format)
    if hint:
        data["hint"] = hint
    doc = _validation_document(cohort, args.max_issues, hint)
    _write(_render_document(doc, _format(args, _VALIDATE_FORMATS), data), args.output)
    if args.strict and cohort.validation.n_excluded:
        return _EXIT_FAILED_CHECK
    return _EXIT_OK


# --------------------------------------------------------------------------------------
# reproduce perkins2022
# --------------------------------------------------------------------------------------

# Cells whose published value in ipsstats.datasets.perkins2022() is the corrected one:
# what the paper printed (see Perkins2022.errata).
_CORRECTED = {
    ("table2_ips_percent", "WWT", "Black/Black British"): "18.0",
    ("table2_caseload_percent", "WWT", "Mixed"): "2.3",
    ("table2_reach_percent", "WWT", "White"): "1.6",
}
# Cells the paper printed truncated rather than rounded (see Perkins2022.errata).
_TRUNCATED = {("table3_six_month_chi2", "CNWL", ""), ("table3_six_month_p", "CNWL", "")}
# Cells the paper misprinted: the value its own counts give, and to how many decimals.
_MISPRINTED = {("table3_all_p", "total", ""): (0.833, 3)}
_TOLERANCE = 1e-9  # floating-point slack when comparing at printed precision


@attrs.frozen(kw_only=True)
class _Check:
    """One published value beside its recomputation."""

    table: str
    service: str
    quantity: str
    group: str
    published: str
    recomputed: str
    match: str
    matched: bool

    def row(self) -> tuple[str, ...]:
        return (
            self.service,
            self.quantity,
            self.group,
            self.published,
            self.recomputed,
            self.match,
        )


def _compare(key: tuple[str, str, str], published: float, computed: float, digits: int) -> str:
    """Return how `computed` matches `published` printed with `digits` decimals."""
    half = 0.5 * 10.0**-digits + _TOLERANCE
    if abs(computed - published) <= half:
        printed = _CORRECTED.get(key)
        return "yes" if printed is None else f"yes (erratum: printed {printed})"
    if key in _TRUNCATED:
        scale = 10.0**digits
        if math.isclose(math.floor(computed * scale + _TOLERANCE) / scale, published):
            return "yes (printed truncated)"
    if key in _MISPRINTED:
        value, places = _MISPRINTED[key]
        if abs(computed - value) <= 0.5 * 10.0**-places + _TOLERANCE:
            return f"erratum: the counts give {value:.{places}f}"
    return "NO"


def _number(
    table: str,
    where: tuple[str, str, str],
    *,
    quantity: str,
    published: float,
    computed: float | None,
    digits: int,
) -> _Check:
    """Compare one published number with its recomputation (``None``: not computed)."""
    value = math.nan if computed is None else float(computed)
    match = _compare(where, float(published), value, digits)
    return _Check(
        table=table,
        service=where[1],
        quantity=quantity,
        group=where[2],
        published=f"{published:.{digits}f}",
        recomputed=f"{value:.{digits + 1}f}" if digits else f"{value:.0f}",
        match=match,
        matched=match != "NO",
    )


def _below(table: str, service: str, limit: float, pvalue: float) -> _Check:
    """Compare a p-value published as "< limit" with its recomputation."""
    ok = pvalue < limit
    return _Check(
        table=table,
        service=service,
        quantity="P",
        group="",
        published=f"< {limit:g}",
        recomputed=f"{pvalue:.1e}",
        match="yes" if ok else "NO",
        matched=ok,
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


def _table2_checks(data: Perkins2022, service: str) -> list[_Check]:
    """Table 2 of one service: shares, reach, and the test of homogeneity."""
    pub = data.published
    res = access_equity(data.ips_ethnicity[service], data.caseload_ethnicity[service])
    groups = {str(g.group): g for g in res.groups}
    found: list[_Check] = []
    for k, level in enumerate(data.ethnicity):
        g = groups[level]
        for key, quantity, share in (
            ("table2_ips_percent", "IPS users, %", g.ips_share),
            ("table2_caseload_percent", "caseload, %", g.eligible_share),
            ("table2_reach_percent", "accessing IPS, %", g.reach.value if g.reach else None),
        ):
            found.append(
                _number(
                    "Table 2",
                    (key, service, level),
                    quantity=quantity,
                    published=pub[key][service][k],
                    computed=_percent(share),
                    digits=1,
                )
            )
    ips_nk, caseload_nk = pub["table2_not_known_percent"][service]
    reach_nk = pub["table2_reach_percent"][service][len(data.ethnicity)]
    for key, quantity, published, share in (
        ("table2_not_known_percent", "IPS users, %", ips_nk, res.ips_missing_share),
        ("table2_not_known_percent", "caseload, %", caseload_nk, res.eligible_missing_share),
        (
            "table2_reach_percent",
            "accessing IPS, %",
            reach_nk,
            res.missing_reach.value if res.missing_reach else None,
        ),
    ):
        found.append(
            _number(
                "Table 2",
                (key, service, "Not known"),
                quantity=quantity,
                published=published,
                computed=_percent(share),
                digits=1,
            )
        )
    found.append(
        _number(
            "Table 2",
            ("table2_chi2", service, ""),
            quantity="chi-squared (df 4)",
            published=pub["table2_chi2"][service],
            computed=res.test.statistic,
            digits=2,
        )
    )
    found.append(_below("Table 2", service, 0.01, res.test.pvalue))
    return found


def _table3_checks(
    data: Perkins2022, prefix: str, title: str, service: str, table: ContingencyTable
) -> tuple[list[_Check], list[str]]:
    """Table 3 of one service and subset: counts, job rates and the test; small-count notes."""
    pub = data.published
    res = outcome_equity(table, "ethnicity")
    groups = {str(g.group): g for g in res.groups}
    people, known = pub[f"{prefix}_people"][service]
    jobs, job_percent = pub[f"{prefix}_overall"][service]
    n_jobs = sum(g.jobs for g in res.groups)
    test = res.overall
    pearson = None if test is None else test.asymptotic
    rows: list[tuple[str, str, str, float, float | None, int]] = [
        (f"{prefix}_people", "all", "people", people, res.n + res.n_missing, 0),
        (f"{prefix}_people", "all", "ethnicity known", known, res.n, 0),
        (f"{prefix}_overall", "all", "gained a job", jobs, n_jobs, 0),
        (f"{prefix}_overall", "all", "gained a job, %", job_percent, 100 * n_jobs / res.n, 1),
    ]
    rows += [
        (
            f"{prefix}_job_percent",
            level,
            "gained a job, %",
            pub[f"{prefix}_job_percent"][service][k],
            _percent(groups[level].rate.value),
            1,
        )
        for k, level in enumerate(data.ethnicity)
    ]
    rows += [
        (
            f"{prefix}_chi2",
            "",
            "chi-squared (df 4)",
            pub[f"{prefix}_chi2"][service],
            None if pearson is None else pearson.statistic,
            2,
        ),
        (
            f"{prefix}_p",
            "",
            "P",
            pub[f"{prefix}_p"][service],
            None if pearson is None else pearson.pvalue,
            2,
        ),
    ]
    found = [
        _number(
            title,
            (key, service, group),
            quantity=quantity,
            published=published,
            computed=computed,
            digits=digits,
        )
        for key, group, quantity, published, computed, digits in rows
    ]
    notes: list[str] = []
    if test is not None and pearson is not None and test.small_expected:
        exact = (
            f"the exact test gives P = {test.exact.pvalue:.2f}"
            if test.exact is not None
            else "the exact test was beyond its work limit"
        )
        notes.append(
            f"{title}, {service}: expected counts below 5 (smallest "
            f"{test.min_expected:.2f}), so the published chi-squared P is doubtful; "
            f"{exact} beside Pearson's {pearson.pvalue:.2f}."
        )
    return found, notes


def _perkins2022_checks(data: Perkins2022) -> tuple[list[_Check], list[str]]:
    """Every published value of Tables 2 and 3 beside its recomputation, and notes."""
    checks = [c for service in ("CNWL", "WWT") for c in _table2_checks(data, service)]
    notes: list[str] = []
    for prefix, title, tables in (
        ("table3_all", "Table 3, everyone", data.jobs_all),
        ("table3_six_month", "Table 3, six months", data.jobs_six_month),
    ):
        for service in ("CNWL", "WWT", "total"):
            found, found_notes = _table3_checks(data, prefix, title, service, tables[service])
            checks += found
            notes += found_notes
    return checks, notes


def _reproduction_document(
    checks: list[_Check], errata: Sequence[str], notes: list[str]
) -> Document:
    header = ("Service", "Quantity", "Group", "Published", "Recomputed", "Match")
    align = ("left", "left", "left", "right", "right", "left")
    sections: list[Any] = []
    for title in dict.fromkeys(c.table for c in checks):
        rows = [c.row() for c in checks if c.table == title]
        table_notes = [n for n in notes if n.startswith(title + ",")]
        sections.append(
            Section(
                title=title,
                blocks=[Table(header=header, rows=rows, align=align, notes=table_notes)],
            )
        )
    n_ok = sum(c.matched for c in checks)
    n_errata = sum(c.matched and c.match != "yes" for c in checks)
    verdict = (
        f"All {len(checks)} published values matched at their printed precision "
        f"({n_errata} through the documented errata below)."
        if n_ok == len(checks)
        else f"{len(checks) - n_ok} of {len(checks)} published values were NOT matched."
    )
    return Document(
        title="Perkins et al. (2022), Tables 2 and 3, recomputed",
        blocks=[
            Paragraph(text=verdict, emphasis=True),
            Paragraph(
                text=(
                    "Recomputed values are shown to one more decimal than printed. Table 2: "
                    "Pearson's chi-squared test of homogeneity of IPS users against the "
                    "community caseload, ethnicity not known excluded. Table 3: Pearson's "
                    "chi-squared test of equal job rates across ethnic groups."
                )
            ),
            *sections,
            Section(
                title="Errata applied",
                blocks=[
                    BulletList(items=errata),
                    Paragraph(
                        text=(
                            "Source: Perkins R, Patel R, Willett A, Chisholm L, Rinaldi M. "
                            "BJPsych Bulletin 2022; 46, Tables 2 and 3."
                        )
                    ),
                ],
            ),
        ],
        metadata=[("Generated by", f"{_PROG} {__version__}")],
    )


def _run_reproduce(args: argparse.Namespace) -> int:
    data = perkins2022()
    checks, notes = _perkins2022_checks(data)
    matched = all(c.matched for c in checks)
    summary = {
        "paper": args.paper,
        "matched": matched,
        "n_values": len(checks),
        "n_matched": sum(c.matched for c in checks),
        "errata": list(data.errata),
        "notes": notes,
        "values": [attrs.asdict(c) for c in checks],
    }
    doc = _reproduction_document(checks, data.errata, notes)
    _write(_render_document(doc, _format(args, _REPRODUCE_FORMATS), summary), args.output)
    return _EXIT_OK if matched else _EXIT_FAILED_CHECK


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def _message(exc: BaseException) -> str:
    """One line describing an error, in the command's own terms."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"cannot use {os.fspath(exc.filename)!r}: {exc.strerror}"
    elif isinstance(exc, UnicodeError):
        text = f"text that is not valid in the chosen encoding ({exc})"
    elif isinstance(exc, csv.Error):
        text = f"malformed CSV ({exc})"
    else:
        text = str(exc)
    for pattern, replacement in _OPTION_WORDING:
        text = pattern.sub(replacement, text)
    return clean_text(text).strip()


def _silence_stdout() -> None:
    """Point standard output at the null device so that closing it cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (e.g. captured output)
        return


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ipsstats`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success; 1 when ``validate --strict`` finds invalid records
        or ``reproduce`` does not match every published value; 2 for a usage error or an
        input that cannot be used, which is described in one line on standard error;
        130 when interrupted.

    See Also
    --------
    ipsstats.equity_report : what ``demo`` and ``report`` run.
    ipsstats.Cohort.from_csv : how ``report`` and ``validate`` read a cohort file.

    Notes
    -----
    Errors of ipsstats (:class:`~ipsstats.errors.IpsStatsError`), of the operating system
    (a missing or unreadable file), of text decoding and of the :mod:`csv` module are
    reported as ``ipsstats: error: <message>`` with no traceback; library messages that
    name a Python argument (``date_format="%d/%m/%Y"``) are reworded to name the option
    (``--date-format "%d/%m/%Y"``). Warnings are printed as ``ipsstats: warning:`` lines
    after the output. Dates given as options are always ISO 8601.

    Examples
    --------
    >>> from ipsstats.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    ipsstats ...
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else _EXIT_ERROR
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            status = run(args)
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return _EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (e.g. piped into head)
        _silence_stdout()
        return _EXIT_OK
    except _HANDLED as exc:
        print(f"{_PROG}: error: {_message(exc)}", file=sys.stderr)
        return _EXIT_ERROR
    for item in caught:
        print(f"{_PROG}: warning: {clean_text(item.message)}", file=sys.stderr)
    return status
