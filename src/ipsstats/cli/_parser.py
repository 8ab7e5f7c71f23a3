"""The argument parser of the ``ipsstats`` command: subcommands, options and help texts."""

from __future__ import annotations

import argparse
import csv
import pathlib
import re
from typing import Any, Literal, NoReturn

from ipsstats._arrays import fail
from ipsstats._version import __version__
from ipsstats.cli._report_options import add_presentation, add_report_options, add_suppress
from ipsstats.errors import IpsStatsError

__all__ = []

_PROG = "ipsstats"
_REPORT_FORMATS = ("text", "markdown", "html", "json", "csv")
_VALIDATE_FORMATS = ("text", "markdown", "html", "json", "csv")
_REPRODUCE_FORMATS = ("text", "markdown", "html", "json", "csv")
_COMBINE_FORMATS = ("text", "markdown", "html", "json", "csv")
_PROGRESS_BYTES = 20_000_000  # about 250,000 records: reading and analysing take seconds
_DEMO_BY: tuple[Literal["ethnicity", "gender"], ...] = ("ethnicity", "gender")
_DEMO_MONTHS = 6
#: Most categorical attributes compared when --by does not choose them.
_MAX_BY = 50
_TAB_NAMES = {"tab": "\t", "\\t": "\t"}
_EXIT_OK, _EXIT_FAILED_CHECK, _EXIT_ERROR = 0, 1, 2
_EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
_HANDLED = (IpsStatsError, OSError, UnicodeError, csv.Error)

# Library messages name Python arguments; on the command line they are options.
_OPTIONS = (
    "adjust",
    "age_range",
    "by",
    "by_service",
    "columns",
    "confidence_level",
    "date_format",
    "delimiter",
    "earliest_date",
    "eligible",
    "encoding",
    "funnel_overdispersion",
    "landmarks",
    "min_followup_months",
    "missing_labels",
    "observed_until",
    "site",
    "standardise",
    "study_end",
    "suppress",
)
_OPTION_WORDING = (
    (re.compile(r'\bdate_format="([^"]*)"'), r'--date-format "\1"'),
    (re.compile(r'\berrors="exclude"'), "--errors exclude"),
    (re.compile(r"\bdelimiter=(['\"])(.*?)\1"), r"--delimiter '\2'"),
    (re.compile(r"\bencoding=\.\.\."), "--encoding ..."),
    (re.compile(r'\bcolumns=\{"([^"]*)": "([^"]*)"\}'), r'--columns "\1=\2"'),
    (re.compile(r"the cohort's `validation` report"), "the report"),
    (re.compile(r"`path`"), "the cohort file"),
    (re.compile(r"`attributes`"), "`--by`"),
    (re.compile(r"\bage_range=\(lowest, highest\), or None"), "--age-range LO,HI, or none"),
    (re.compile(r"\bearliest_date=\.\.\. \(or None\)"), "--earliest-date DATE (or none)"),
    (re.compile(r"`summaries`"), "the SUMMARY files"),
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
  ipsstats summarise north.csv --site North --study-end 2024-02-27 --suppress -o north.json
  ipsstats combine north.json south.json --format html -o pooled.html

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

--standardise age,gender adds access and job outcomes standardised for age band and
gender; it needs the caseload by group and stratum, --eligible-records CASELOAD.csv with
one row per eligible person (or per cell, with a column count) and a column per compared
attribute and per stratum, e.g. "ethnicity,age,gender". --by-service team adds a funnel
of the job rate of each team.

examples:
  ipsstats report cohort.csv --eligible caseload.csv --study-end 2024-02-27 \\
      --missing-labels "Not known" --by ethnicity,gender
  ipsstats report cohort.csv --study-end 2024-02-27 --format json -o report.json
  ipsstats report cohort.csv --eligible-records people.csv --study-end 2024-02-27 \\
      --by ethnicity --standardise age,gender --by-service team
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
            "output format (default: from the -o file's extension, .txt, .md, .html, .json or "
            ".csv; else text). csv writes every table in long form: table,row,column,value"
        ),
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (UTF-8) instead of standard output",
    )


_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".htm": "html",
    ".html": "html",
    ".json": "json",
    ".markdown": "markdown",
    ".md": "markdown",
    ".txt": "text",
}


def _format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    """Choose the output format: --format, else the -o file's extension, else text.

    A file extension that names another format than --format is refused, so that
    ``-o report.html --format json`` cannot write JSON into an .html file.
    """
    guess = None
    if args.output is not None and args.output != "-":
        suffix = pathlib.Path(args.output).suffix.lower()
        guess = _SUFFIX_FORMATS.get(suffix)
        if guess is not None and guess not in formats:
            raise fail(
                "--output",
                f"have an extension of a format this command writes ({', '.join(formats)})",
                repr(args.output),
            )
        if args.format is not None and guess is not None and guess != args.format:
            raise fail(
                "--output",
                f"have an extension matching --format {args.format}",
                f"{args.output!r}, a {guess} file name",
                hint=f"name the file with the {args.format} extension, or drop --format.",
            )
    if args.format is not None:
        return str(args.format)
    return guess or "text"


def _add_loading(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "cohort",
        metavar="COHORT.csv",
        help="the cohort file, one row per person (CSV, or Parquet with DuckDB)",
    )
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
        "--age-range",
        metavar="LO,HI",
        help="plausible ages, inclusive; records outside are invalid (default: 16,120; "
        "'none' accepts any age)",
    )
    parser.add_argument(
        "--earliest-date",
        metavar="DATE",
        help="earliest plausible date, YYYY-MM-DD; earlier dates are invalid "
        "(default: 1900-01-01; 'none' accepts any date)",
    )
    parser.add_argument(
        "--ethnicity-codes",
        choices=("nhs", "nhs-detailed"),
        help="the ethnicity attribute holds NHS ETHNIC CATEGORY codes (A-S; Z and 99 are "
        "missing): compare the five broad groups (nhs) or the sixteen categories",
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
        "--engine",
        choices=("memory", "duckdb"),
        help=(
            "read the file in memory, or with DuckDB (ipsstats[duckdb]); default: DuckDB "
            "for Parquet files, and for large CSV files when DuckDB is installed"
        ),
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="report progress on standard error (automatic for large files on a terminal)",
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
    add_suppress(demo)
    add_presentation(demo)
    demo.set_defaults(command="demo")

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
        help=(
            "attributes to compare groups by; only these columns are read (default: every "
            f"categorical attribute, at most {_MAX_BY})"
        ),
    )
    report.add_argument(
        "--errors",
        choices=("raise", "exclude"),
        default="raise",
        help="stop at invalid records (default), or exclude them and list them in the report",
    )
    report.add_argument(
        "--service",
        metavar="NAME",
        help="the service's name, shown with the data file's name and checksum in the report",
    )
    add_suppress(report)
    add_presentation(report)
    add_report_options(report)
    _add_output(report, _REPORT_FORMATS)
    report.set_defaults(command="report")

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
    validate.set_defaults(command="validate")

    reproduce = commands.add_parser(
        "reproduce",
        help="recompute a source paper's tables beside the published values",
        description="Recompute a source paper's tables from its published counts.",
        epilog=_REPRODUCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reproduce.add_argument("paper", choices=("perkins2022",), help="the paper")
    _add_output(reproduce, _REPRODUCE_FORMATS)
    reproduce.set_defaults(command="reproduce")
    _add_site_commands(commands)
    return parser


_SUMMARISE_EPILOG = """\
Writes the counts an equity analysis needs (per attribute: groups by job, everyone and
the minimum-follow-up window; days to a first job and of in-work support, per group),
not the records, for pooling with other sites' summaries by 'ipsstats combine'. JSON by
default; Parquet for a .parquet file (needs pyarrow). --suppress makes a disclosure-safe
summary: no count between 1 and --threshold - 1 (default 5), small groups merged with a
neighbour, durations in bands of whole months.

examples:
  ipsstats summarise north.csv --site North --study-end 2024-02-27 -o north.json
  ipsstats summarise north.csv --site North --study-end 2024-02-27 --suppress \\
      --by ethnicity,gender -o north-safe.parquet
"""

_COMBINE_EPILOG = """\
Pools the summaries of several sites (same study end, window and format version):
pooled tables and tests, tests within each site and across sites (Cochran-Mantel-
Haenszel), Kaplan-Meier curves and log-rank tests from the pooled life tables, pooled
and stratified by site. Exact summaries give exactly the numbers of the pooled records.

example:
  ipsstats combine north.json south.json west.parquet --format html -o pooled.html
"""


def _add_site_commands(commands: Any) -> None:  # an argparse sub-parsers action
    summarise = commands.add_parser(
        "summarise",
        help="a site's counts for a pooled analysis (a summary file, no records)",
        description="Reduce a cohort file to a site summary (JSON or Parquet).",
        epilog=_SUMMARISE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_loading(summarise)
    summarise.add_argument("--site", required=True, help="the site's name")
    summarise.add_argument(
        "--study-end", metavar="DATE", required=True, help="end of follow-up, YYYY-MM-DD"
    )
    summarise.add_argument(
        "--min-followup-months",
        metavar="MONTHS",
        type=int,
        default=_DEMO_MONTHS,
        help="minimum follow-up of the window tables (default: 6)",
    )
    summarise.add_argument(
        "--by", metavar="ATTRIBUTE,...", help="attributes (default: every categorical one)"
    )
    summarise.add_argument(
        "--errors",
        choices=("raise", "exclude"),
        default="raise",
        help="stop at invalid records (default), or exclude them",
    )
    summarise.add_argument(
        "--suppress",
        action="store_true",
        help="disclosure-safe: no count between 1 and the threshold minus 1",
    )
    summarise.add_argument(
        "--threshold", metavar="N", type=int, help="smallest count shown with --suppress (5)"
    )
    summarise.add_argument("--format", choices=("json", "parquet"), help="default: from -o")
    summarise.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (default: JSON on standard output)"
    )
    summarise.set_defaults(command="summarise")

    combine = commands.add_parser(
        "combine",
        help="one analysis of several sites from their summary files",
        description="Pool site summaries into one equity analysis.",
        epilog=_COMBINE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    combine.add_argument(
        "summaries", metavar="SUMMARY", nargs="+", help="site summary files (JSON or Parquet)"
    )
    combine.add_argument(
        "--by", metavar="ATTRIBUTE,...", help="attributes (default: those every site has)"
    )
    combine.add_argument(
        "--confidence-level", metavar="LEVEL", type=float, default=0.95, help="default: 0.95"
    )
    combine.add_argument(
        "--adjust",
        choices=("holm", "bonferroni", "hochberg", "bh", "by", "none"),
        default="holm",
        help="adjustment of the p-values of each outcome analysis (default: holm)",
    )
    combine.add_argument("--landmarks", metavar="MONTHS,...", default="6,12", help="default: 6,12")
    combine.add_argument("--title", help="the analysis's title")
    _add_output(combine, _COMBINE_FORMATS)
    combine.set_defaults(command="combine")


# --------------------------------------------------------------------------------------
# Option values
# --------------------------------------------------------------------------------------
