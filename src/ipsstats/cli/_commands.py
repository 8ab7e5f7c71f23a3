"""The subcommands of the ``ipsstats`` command: demo, report, validate and reproduce.

``summarise`` and ``combine`` live in ``ipsstats.cli._combine``; all are dispatched here.
"""

from __future__ import annotations

import argparse
import hashlib
import pathlib
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ipsstats._arrays import fail
from ipsstats._version import __version__
from ipsstats.calendar import describe_date_format, suggest_date_format
from ipsstats.categorical import Counts
from ipsstats.cli._combine import run_combine, run_summarise
from ipsstats.cli._io import (
    _load,
    _Loading,
    _loading,
    _names,
    _option_date,
    _Progress,
    _read_caseload,
    _render_document,
    _render_report,
    _write,
)
from ipsstats.cli._parser import (
    _DEMO_BY,
    _DEMO_MONTHS,
    _EXIT_FAILED_CHECK,
    _EXIT_OK,
    _MAX_BY,
    _OPTION_WORDING,
    _PROG,
    _REPORT_FORMATS,
    _REPRODUCE_FORMATS,
    _VALIDATE_FORMATS,
    _format,
)
from ipsstats.cli._report_options import eligible_for_report, needed_attributes
from ipsstats.cohort import Cohort
from ipsstats.datasets import (
    SYNTHETIC_OBSERVED_UNTIL,
    reproduce_perkins2022,
    synthetic_caseload,
    synthetic_cohort,
)
from ipsstats.errors import InvalidInputError
from ipsstats.factor import Factor
from ipsstats.report import equity_report
from ipsstats.report.render import Document, KeyValues, Paragraph, Table

__all__ = []


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
        service="SYNTHETIC demonstration service",
        source="bundled synthetic cohort (ipsstats.datasets.synthetic_cohort)",
        time_unit=args.time_unit,
    )
    _write(_render_report(report, _format(args, _REPORT_FORMATS)), args.output)
    return _EXIT_OK


def _sha256(path: str) -> str:
    """Return the SHA-256 checksum of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with pathlib.Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _categorical_names(cohort: Cohort) -> tuple[str, ...]:
    return tuple(k for k, v in cohort.attributes.items() if isinstance(v, Factor))


def _report_dates(args: argparse.Namespace) -> tuple[np.datetime64, np.datetime64]:
    """Read the study end and the extraction date (by default the study end)."""
    study_end = _option_date(args.study_end, "--study-end")
    today = np.datetime64("today", "D")
    if study_end > today:
        raise fail(
            "--study-end",
            f"not be after today ({today}): no outcome after it is known yet",
            str(study_end),
            hint="pass the date up to which outcomes were recorded, e.g. the extraction date.",
        )
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


def _check_few_attributes(cohort: Cohort, by: Sequence[str]) -> None:
    """Refuse to compare groups by every attribute of a file with very many of them."""
    names = _categorical_names(cohort)
    if by or len(names) <= _MAX_BY:
        return
    shown = ", ".join(repr(name) for name in names[:5])
    raise fail(
        "--by",
        f"name the attributes to compare when the file has more than {_MAX_BY} categorical "
        "attributes",
        f"{len(names)} categorical attributes ({shown}, ...)",
        hint="pass e.g. --by ethnicity,gender; only those columns are then read.",
    )


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
    read = needed_attributes(by, _names(args.standardise), args.by_service)
    try:
        cohort = _load(
            options, "exclude" if args.errors == "exclude" else "raise", progress, attributes=read
        )
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
    _check_few_attributes(cohort, by)
    if cohort.validation.n_excluded:
        print(
            f"{_PROG}: note: {cohort.validation.n_excluded} of {cohort.validation.n_read} "
            "records excluded as invalid; the report's data completeness section lists them",
            file=sys.stderr,
        )
    groups = by or _categorical_names(cohort)
    eligible = eligible_for_report(
        args,
        lambda: _eligible(args, options, groups),
        groups=groups,
        delimiter=options.delimiter,
        encoding=options.encoding,
    )
    progress.step("running the equity analyses...")
    report = equity_report(
        cohort,
        eligible=eligible or None,
        study_end=study_end,
        min_followup_months=args.min_followup_months,
        by=by or None,
        suppress=args.suppress,
        missing_labels=options.missing_labels,
        service=args.service,
        source=pathlib.Path(options.path).name,
        source_sha256=_sha256(options.path),
        time_unit=args.time_unit,
        standardise=_names(args.standardise) or None,
        by_service=args.by_service,
        funnel_overdispersion=args.funnel_overdispersion,
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
    """Suggest a --date-format when excluded records have dates in another format.

    No hint when --date-format was given: the user chose the format, and the problem
    records are listed.
    """
    if date_format is not None:
        return ""
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


def _run_reproduce(args: argparse.Namespace) -> int:
    result = reproduce_perkins2022()
    doc = result.to_document()
    _write(_render_document(doc, _format(args, _REPRODUCE_FORMATS), result.to_dict()), args.output)
    return _EXIT_OK if result.matched else _EXIT_FAILED_CHECK


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


#: The function that runs each subcommand, by the name the parser records.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _run_demo,
    "report": _run_report,
    "validate": _run_validate,
    "reproduce": _run_reproduce,
    "summarise": run_summarise,
    "combine": run_combine,
}
