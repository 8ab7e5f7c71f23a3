"""The ``summarise`` and ``combine`` subcommands: site summaries out, pooled analyses in."""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

from ipsstats._arrays import fail
from ipsstats.cli._io import (
    _load,
    _loading,
    _names,
    _option_date,
    _Progress,
    _render_document,
    _write,
)
from ipsstats.cli._parser import _COMBINE_FORMATS, _EXIT_OK, _PROG, _format
from ipsstats.errors import InvalidInputError
from ipsstats.sites import SiteSummary, combine_sites, site_summary

__all__ = ["run_combine", "run_summarise"]

_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+")


def _summary_format(args: argparse.Namespace) -> str:
    """JSON or Parquet: --format, else the -o file's extension, else JSON."""
    target = None if args.output in (None, "-") else pathlib.Path(args.output)
    guess = None
    if target is not None:
        guess = {".json": "json", ".parquet": "parquet"}.get(target.suffix.lower())
        if guess is None:
            raise fail(
                "--output",
                "be a .json or .parquet file",
                repr(args.output),
                hint="a site summary is JSON or Parquet.",
            )
    if args.format is not None and guess is not None and guess != args.format:
        raise fail(
            "--output",
            f"have an extension matching --format {args.format}",
            f"{args.output!r}, a {guess} file name",
        )
    chosen = str(args.format or guess or "json")
    if chosen == "parquet" and target is None:
        raise fail(
            "--output",
            "name a file for Parquet output",
            "standard output",
            hint="pass -o site.parquet.",
        )
    return chosen


def _suppress(args: argparse.Namespace) -> bool | dict[str, int]:
    if args.threshold is None:
        return bool(args.suppress)
    if not args.suppress:
        raise fail(
            "--threshold",
            "be given with --suppress",
            str(args.threshold),
            hint="add --suppress for a disclosure-safe summary.",
        )
    return {"threshold": args.threshold}


def run_summarise(args: argparse.Namespace) -> int:
    """Write a site summary of a cohort file."""
    study_end = _option_date(args.study_end, "--study-end")
    observed = (
        study_end
        if args.observed_until is None
        else _option_date(args.observed_until, "--observed-until")
    )
    if study_end > observed:
        raise fail(
            "--study-end",
            "be on or before --observed-until (the date the data were extracted)",
            f"{study_end} after {observed}",
        )
    fmt = _summary_format(args)
    suppress = _suppress(args)
    options = _loading(args, observed)
    progress = _Progress.for_file(options.path, requested=args.progress)
    cohort = _load(options, "exclude" if args.errors == "exclude" else "raise", progress)
    if not cohort.n:
        raise fail(
            "COHORT.csv",
            "hold at least one valid record",
            f"{cohort.validation.n_read} records, none valid",
            hint=f"run `{_PROG} validate` to list the problems.",
        )
    if cohort.validation.n_excluded:
        print(
            f"{_PROG}: note: {cohort.validation.n_excluded} of {cohort.validation.n_read} "
            "records excluded as invalid; the summary counts the others",
            file=sys.stderr,
        )
    progress.step("summarising...")
    summary = site_summary(
        cohort,
        site=args.site,
        by=_names(args.by) or None,
        min_followup_months=args.min_followup_months,
        study_end=str(study_end),
        suppress=suppress,
    )
    if args.output in (None, "-"):
        _write(summary.to_json(), None)
    else:
        summary.write(args.output, format="parquet" if fmt == "parquet" else "json")
    progress.step("done")
    return _EXIT_OK


def _read(path: str) -> SiteSummary:
    try:
        return SiteSummary.read(path)
    except InvalidInputError as exc:
        text = str(exc).replace("`path`", "the summary file")
        raise InvalidInputError(text, argument="SUMMARY", positions=exc.positions) from None


def _landmarks(text: str) -> list[float]:
    items = _names(text)
    if not all(_NUMBER.fullmatch(item) for item in items):
        raise fail("--landmarks", "be numbers of months separated by commas", repr(text))
    return [float(item) for item in items]


def run_combine(args: argparse.Namespace) -> int:
    """Pool site summary files into one analysis."""
    fmt = _format(args, _COMBINE_FORMATS)
    summaries = [_read(path) for path in args.summaries]
    options = {} if args.title is None else {"title": args.title}
    pooled = combine_sites(
        summaries,
        by=_names(args.by) or None,
        confidence_level=args.confidence_level,
        adjust=args.adjust,
        landmarks=_landmarks(args.landmarks),
        **options,
    )
    if fmt == "html":
        text = pooled.to_html()
    else:
        text = _render_document(pooled.to_document(), fmt, pooled.to_dict())
    _write(text, args.output)
    return _EXIT_OK
