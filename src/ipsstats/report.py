"""One-call equity report: completeness, access, outcomes and durations, ready to publish.

:func:`equity_report` runs every equity analysis on a cohort and gathers the results, the
data-completeness record and a plain-language summary in an :class:`EquityReport`. The
report renders to text, Markdown, self-contained HTML and JSON; the JSON form follows
:data:`REPORT_SCHEMA` (a JSON Schema, versioned by ``schema_version``) so that a downstream
tool can audit it.

Disclosure control (``suppress=``) protects what is published: every statistic is
computed on the unsuppressed data, and every rendering shows counts as the disclosure rules
allow. The JSON form is protected too: suppressed counts are ``null`` with their reason,
values derived from them are withheld, and tables of counts are left out, unless an
unsuppressed audit copy is asked for with ``to_dict(include_unsuppressed=True)`` (its
``disclosure`` entry records which form it is). Figures are drawn from exact counts, so a
report under disclosure control shows none, and says why.
"""

from __future__ import annotations

import numbers
import re
import types
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats._version import __version__
from ipsstats.calendar import DAYS_PER_MONTH, as_date
from ipsstats.cohort import Cohort
from ipsstats.contingency import Counts
from ipsstats.disclosure import SuppressedTable, suppress_small_counts
from ipsstats.equity import (
    AccessEquity,
    AccessMethod,
    Adjustment,
    DurationEquity,
    Measure,
    MissingRule,
    OutcomeEquity,
    ReportedTest,
    _as_group_counts,
    access_equity,
    duration_equity,
    outcome_equity,
)
from ipsstats.errors import InsufficientDataError, IpsStatsError
from ipsstats.factor import Factor
from ipsstats.plot import (
    OptionalDependencyError,
    figure_to_svg,
    plot_cumulative_incidence,
    plot_outcomes,
    plot_representation,
    plot_survival,
)
from ipsstats.render import (
    BulletList,
    Document,
    Figure,
    KeyValues,
    Note,
    Paragraph,
    Section,
    Table,
    format_number,
    format_pvalue,
    to_csv,
    to_html,
    to_json,
    to_markdown,
    to_text,
)
from ipsstats.results import Estimate, TestResult, json_safe

__all__ = ["REPORT_SCHEMA", "REPORT_SCHEMA_VERSION", "EquityReport", "equity_report"]

REPORT_SCHEMA_VERSION = "1.1"
"""Version of the JSON form of :class:`EquityReport` described by :data:`REPORT_SCHEMA`."""

_MEASURES: tuple[Measure, ...] = ("time_to_job", "in_work_support")
_ACCESS_METHODS: tuple[AccessMethod, ...] = ("homogeneity", "goodness-of-fit", "subset")
_MISSING_RULES: tuple[MissingRule, ...] = ("exclude", "include", "sensitivity")
_ADJUSTMENTS: tuple[Adjustment, ...] = ("holm", "bonferroni", "hochberg", "bh", "by", "none")
_DASH = "-"
_HIDDEN = "*"
_NO_MATPLOTLIB = 'matplotlib is not installed: pip install "ipsstats[plot]"'
_FIGURES_WITHHELD = (
    "omitted under disclosure control: figures are drawn from the exact counts (curve "
    "steps, numbers at risk, exact positions of rates and shares), so they could reveal "
    "suppressed or rounded counts"
)

# --------------------------------------------------------------------------------------
# JSON schema of EquityReport.to_dict()
# --------------------------------------------------------------------------------------

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
_INT = {"type": "integer", "minimum": 0}
# A count: null where disclosure control suppresses it (the reason is under "suppressed").
_COUNT: dict[str, Any] = {"type": ["integer", "null"], "minimum": 0}
_SHARE: dict[str, Any] = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
# Field name to reason, for every value withheld under disclosure control.
_SUPPRESSED: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
_LABEL: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}


def _object(
    properties: dict[str, Any], *, extra: bool = True, protected: bool = True
) -> dict[str, Any]:
    """Return the schema of an object requiring `properties` (``suppressed`` optional)."""
    optional = {"suppressed": _SUPPRESSED} if protected else {}
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": {**properties, **optional},
        "additionalProperties": extra,
    }


def _nullable(ref: str) -> dict[str, Any]:
    return {"anyOf": [{"$ref": ref}, {"type": "null"}]}


def _by_attribute(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": schema}


_DEFS: dict[str, Any] = {
    "estimate": _object(
        {
            "value": _NUMBER_OR_NULL,
            "lower": _NUMBER_OR_NULL,
            "upper": _NUMBER_OR_NULL,
            "confidence_level": _NUMBER_OR_NULL,
            "method": {"type": "string"},
            "std_err": _NUMBER_OR_NULL,
            "note": {"type": "string"},
        }
    ),
    "test": _object(
        {
            "statistic": _NUMBER_OR_NULL,
            "pvalue": {
                "anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]
            },
            "dof": _NUMBER_OR_NULL,
            "method": {"type": "string"},
            "n": _COUNT,
            "n_excluded": _COUNT,
            "exclusions": {"type": "object", "additionalProperties": _COUNT},
            "caveats": _STRINGS,
            "details": {"type": "object"},
        }
    ),
    "reported_test": _object(
        {
            "label": {"type": "string"},
            "result": {"$ref": "#/$defs/test"},
            "adjusted_pvalue": {"type": "number", "minimum": 0, "maximum": 1},
            "adjust": {"type": "string"},
            "min_expected": _NUMBER_OR_NULL,
            "small_expected": {"type": "boolean"},
            "asymptotic": _nullable("#/$defs/test"),
            "exact": _nullable("#/$defs/test"),
        }
    ),
    "access_group": _object(
        {
            "group": _LABEL,
            "ips_n": _COUNT,
            "ips_share": _SHARE,
            "eligible_n": _COUNT,
            "eligible_share": _SHARE,
            "reach": _nullable("#/$defs/estimate"),
            "representation_ratio": _nullable("#/$defs/estimate"),
            "adjusted_residual": _NUMBER_OR_NULL,
            "flag": {"enum": ["over", "under", "none"]},
        }
    ),
    "access": _object(
        {
            "name": {"type": ["string", "null"]},
            "method": {"enum": list(_ACCESS_METHODS)},
            "missing": {"enum": list(_MISSING_RULES)},
            "confidence_level": {"type": "number"},
            "groups": {"type": "array", "items": {"$ref": "#/$defs/access_group"}},
            "test": {"$ref": "#/$defs/test"},
            "ips_n": _COUNT,
            "eligible_n": _COUNT,
            "ips_missing": _COUNT,
            "eligible_missing": _COUNT,
            "ips_missing_share": _NUMBER_OR_NULL,
            "eligible_missing_share": _NUMBER_OR_NULL,
            "missing_reach": _nullable("#/$defs/estimate"),
            "overall_reach": _nullable("#/$defs/estimate"),
            "caveats": _STRINGS,
            "sensitivity": _nullable("#/$defs/access"),
        }
    ),
    "outcome_group": _object(
        {
            "group": _LABEL,
            "n": _COUNT,
            "jobs": _COUNT,
            "rate": _nullable("#/$defs/estimate"),
            "rate_ratio": _nullable("#/$defs/estimate"),
            "rate_difference": _nullable("#/$defs/estimate"),
        }
    ),
    "outcome": _object(
        {
            "name": {"type": "string"},
            "window": {"type": "string"},
            "end": {"type": ["string", "null"]},
            "min_followup_months": {"type": ["integer", "null"]},
            "reference": _LABEL,
            "confidence_level": {"type": "number"},
            "adjust": {"enum": list(_ADJUSTMENTS)},
            "n": _COUNT,
            "n_missing": _COUNT,
            "n_window_excluded": _COUNT,
            "groups": {"type": "array", "items": {"$ref": "#/$defs/outcome_group"}},
            "overall": _nullable("#/$defs/reported_test"),
            "cramers_v": _NUMBER_OR_NULL,
            "stratum_tests": {"type": "array", "items": {"$ref": "#/$defs/reported_test"}},
            "cmh_tests": {"type": "array", "items": {"$ref": "#/$defs/reported_test"}},
            "caveats": _STRINGS,
        }
    ),
    "landmark": _object(
        {
            "months": {"type": "number"},
            "days": {"type": "number"},
            "remaining": {"$ref": "#/$defs/estimate"},
            "incidence": _nullable("#/$defs/estimate"),
        }
    ),
    "duration_group": _object(
        {
            "group": _LABEL,
            "n": _COUNT,
            "n_events": _COUNT,
            "median": _nullable("#/$defs/estimate"),
            "naive_median": _NUMBER_OR_NULL,
            "naive_median_label": {"type": "string"},
            "landmarks": {"type": "array", "items": {"$ref": "#/$defs/landmark"}},
        }
    ),
    "duration": _object(
        {
            "name": {"type": "string"},
            "measure": {"enum": list(_MEASURES)},
            "unit": {"const": "days"},
            "confidence_level": {"type": "number"},
            "landmark_months": {"type": "array", "items": {"type": "number"}},
            "n": _COUNT,
            "n_missing": _COUNT,
            "groups": {"type": "array", "items": {"$ref": "#/$defs/duration_group"}},
            "logrank": _nullable("#/$defs/test"),
            "gray": _nullable("#/$defs/test"),
            "caveats": _STRINGS,
        }
    ),
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"urn:ipsstats:equity-report:{REPORT_SCHEMA_VERSION}",
    "title": "ipsstats equity report",
    "description": (
        "The JSON form of ipsstats.EquityReport (EquityReport.to_dict() / to_json()). "
        "Numbers that are undefined or not finite are null. Under disclosure control "
        "(disclosure.applied) counts are as published, rounded or null where suppressed, "
        "with the reason in the enclosing object's 'suppressed' mapping, unless "
        "disclosure.unsuppressed_included says this is an unsuppressed audit copy."
    ),
    "schema_version": REPORT_SCHEMA_VERSION,
    "$defs": _DEFS,
    **_object(
        {
            "schema_version": {"const": REPORT_SCHEMA_VERSION},
            "ipsstats_version": {"type": "string"},
            "title": {"type": "string"},
            "inputs": _object(
                {
                    "source": {"type": "string"},
                    "rows_read": _COUNT,
                    "rows_valid": _COUNT,
                    "rows_excluded": _COUNT,
                    "people": _COUNT,
                    "observed_until": {"type": "string"},
                    "eligible": _by_attribute(
                        _object({"total": _COUNT, "n": _COUNT, "n_missing": _COUNT})
                    ),
                },
                extra=False,
            ),
            "options": _object(
                {
                    "study_end": {"type": "string"},
                    "min_followup_months": _INT,
                    "by": _STRINGS,
                    "confidence_level": {"type": "number"},
                    "significance_level": {"type": "number"},
                    "adjust": {"enum": list(_ADJUSTMENTS)},
                    "access_method": {"enum": list(_ACCESS_METHODS)},
                    "missing": {"enum": list(_MISSING_RULES)},
                    "landmarks_months": {"type": "array", "items": {"type": "number"}},
                    "rng": {"type": "integer"},
                },
                extra=False,
                protected=False,
            ),
            "methods": _STRINGS,
            "seeds": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
            "completeness": _object(
                {
                    "validation": {"type": "object"},
                    "selection_steps": {"type": "array", "items": {"type": "object"}},
                    "missing_by_attribute": _by_attribute(
                        _object({"n_missing": _COUNT, "share": _NUMBER_OR_NULL})
                    ),
                },
                extra=False,
                protected=False,
            ),
            "access": _by_attribute({"$ref": "#/$defs/access"}),
            "outcome": _by_attribute(
                _object(
                    {
                        "all": _nullable("#/$defs/outcome"),
                        "window": _nullable("#/$defs/outcome"),
                    },
                    extra=False,
                    protected=False,
                )
            ),
            "durations": _by_attribute(
                _object(
                    {m: _nullable("#/$defs/duration") for m in _MEASURES},
                    extra=False,
                    protected=False,
                )
            ),
            "summary": _STRINGS,
            "caveats": _STRINGS,
            "disclosure": _object(
                {
                    "applied": {"type": "boolean"},
                    "unsuppressed_included": {"type": "boolean"},
                    "threshold": {"type": ["integer", "null"]},
                    "round_to": {"type": ["integer", "null"]},
                    "note": {"type": "string"},
                },
                extra=False,
                protected=False,
            ),
        },
        extra=False,
        protected=False,
    ),
}
"""JSON Schema (draft 2020-12) of :meth:`EquityReport.to_dict`; see ``schema_version``."""


# --------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Disclosure:
    """Display suppression settings of a report (see :func:`equity_report`).

    Parameters
    ----------
    threshold : int
        Counts below this are shown as ``*``.
    round_to : int
        Other counts are rounded to a multiple of this.
    """

    threshold: int = 5
    round_to: int = 5


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return types.MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, eq=False, repr=False)
class EquityReport:
    """Everything :func:`equity_report` computed, with a summary; renders to four formats.

    Parameters
    ----------
    title : str
        The report's title.
    cohort_source : str
        Where the cohort's records came from.
    observed_until : str
        The cohort's extraction date (ISO 8601).
    n_people : int
        People in the cohort analysed.
    validation : Mapping[str, object]
        The loader's record of rows read and excluded, with reasons (as
        :meth:`ValidationReport.to_dict`).
    selection_steps : tuple of Mapping
        Selection steps applied to the cohort before the report (windows, filters).
    missing_by_attribute : Mapping[str, Mapping[str, object]]
        People with a missing value, per attribute: ``n_missing`` and ``share``.
    eligible_sizes : Mapping[str, Mapping[str, int]]
        Per attribute with an eligible caseload: its ``total``, ``n`` and ``n_missing``.
    options : Mapping[str, object]
        The options the report was made with.
    access : Mapping[str, AccessEquity]
        Access equity per attribute with an eligible caseload.
    outcome_all : Mapping[str, OutcomeEquity or None]
        Job outcomes of everyone, per attribute.
    outcome_window : Mapping[str, OutcomeEquity or None]
        Job outcomes of the people with the minimum follow-up, per attribute (``None``
        with a caveat when the window leaves no one).
    durations : Mapping[str, Mapping[str, DurationEquity or None]]
        Per attribute, ``"time_to_job"`` and ``"in_work_support"``.
    summary : tuple of str
        Plain-language findings, in order.
    caveats : tuple of str
        Analyses that could not be run, and why.
    disclosure : Disclosure or None
        Display suppression settings; ``None`` shows counts as they are.
    """

    title: str
    cohort_source: str
    observed_until: str
    n_people: int
    validation: Mapping[str, Any] = attrs.field(converter=_frozen)
    selection_steps: tuple[Mapping[str, Any], ...]
    missing_by_attribute: Mapping[str, Mapping[str, Any]] = attrs.field(converter=_frozen)
    eligible_sizes: Mapping[str, Mapping[str, int]] = attrs.field(converter=_frozen)
    options: Mapping[str, Any] = attrs.field(converter=_frozen)
    access: Mapping[str, AccessEquity] = attrs.field(converter=_frozen)
    outcome_all: Mapping[str, OutcomeEquity | None] = attrs.field(converter=_frozen)
    outcome_window: Mapping[str, OutcomeEquity | None] = attrs.field(converter=_frozen)
    durations: Mapping[str, Mapping[str, DurationEquity | None]] = attrs.field(converter=_frozen)
    summary: tuple[str, ...]
    caveats: tuple[str, ...]
    disclosure: Disclosure | None = None

    def __repr__(self) -> str:
        return (
            f"EquityReport(title={self.title!r}, people={self.n_people}, "
            f"by={list(self.options['by'])!r}, access={list(self.access)!r}, "
            f"summary={len(self.summary)} findings, caveats={len(self.caveats)}, "
            f"suppressed={self.disclosure is not None})"
        )

    # ---- JSON ------------------------------------------------------------------------

    def to_dict(self, *, include_unsuppressed: bool = False) -> dict[str, Any]:
        """Return the report as JSON-safe objects following :data:`REPORT_SCHEMA`.

        Parameters
        ----------
        include_unsuppressed : bool, default False
            Only matters for a report made with ``suppress``. By default the JSON form is
            as safe to publish as the rendered report: every count is shown as displayed
            (rounded) or ``null`` where the disclosure rules suppress it, with the reason
            in the enclosing object's ``"suppressed"`` mapping (field name to reason);
            shares, rates, ratios, medians and landmark estimates derived from a
            suppressed count are ``null`` too; and the fields that could recover a
            suppressed count are left out (the tables of counts, expected counts and
            residuals held by test results, the smallest expected count, and the
            record-level loading issues). ``True`` writes every number unsuppressed, for
            an audit copy that must not be published; ``disclosure.unsuppressed_included``
            records which form this is.

        Returns
        -------
        dict
            The report: schema and ipsstats versions, inputs, options, methods, seeds,
            completeness, access, outcome and duration results, summary, caveats and the
            ``disclosure`` record (``applied``, ``unsuppressed_included``, ``threshold``,
            ``round_to``, ``note``).

        Raises
        ------
        InvalidInputError
            If `include_unsuppressed` is not a bool.
        """
        if not isinstance(include_unsuppressed, bool):
            raise fail("include_unsuppressed", "be True or False", repr(include_unsuppressed))
        shield = None if include_unsuppressed else self.disclosure
        by = list(self.options["by"])
        out: dict[str, Any] = {
            "schema_version": REPORT_SCHEMA_VERSION,
            "ipsstats_version": __version__,
            "title": self.title,
            "inputs": self._inputs_dict(shield),
            "options": dict(self.options),
            "methods": self._methods(),
            "seeds": {"rng": int(self.options["rng"])},
            "completeness": self._completeness_dict(shield),
            "access": {k: _access_dict(v, shield) for k, v in self.access.items()},
            "outcome": {
                k: {
                    "all": _outcome_dict(self.outcome_all.get(k), shield),
                    "window": _outcome_dict(self.outcome_window.get(k), shield),
                }
                for k in by
            },
            "durations": {
                k: {m: _duration_dict(self.durations.get(k, {}).get(m), shield) for m in _MEASURES}
                for k in by
            },
            "summary": list(self.summary),
            "caveats": list(self.caveats),
            "disclosure": self._disclosure_dict(shield is not None),
        }
        safe: dict[str, Any] = json_safe(out)
        return safe

    def _inputs_dict(self, shield: Disclosure | None) -> dict[str, Any]:
        v = self.validation
        n_read, n_valid, n_excluded = (int(v[k]) for k in ("n_read", "n_valid", "n_excluded"))
        out: dict[str, Any] = {"source": self.cohort_source}
        loading = _loading_table(n_valid, n_excluded, shield)
        _put_cell(out, "rows_read", loading, (0, 2), n_read)
        _put_cell(out, "rows_valid", loading, (0, 0), n_valid)
        _put_cell(out, "rows_excluded", loading, (0, 1), n_excluded)
        _put_count(out, "people", self.n_people, shield)
        out["observed_until"] = self.observed_until
        eligible: dict[str, Any] = {}
        for name, sizes in self.eligible_sizes.items():
            eligible[name] = {}
            for key in ("total", "n", "n_missing"):
                _put_count(eligible[name], key, int(sizes[key]), shield)
        out["eligible"] = eligible
        return out

    def _completeness_dict(self, shield: Disclosure | None) -> dict[str, Any]:
        missing: dict[str, Any] = {}
        if shield is None:
            return {
                "validation": dict(self.validation),
                "selection_steps": [dict(step) for step in self.selection_steps],
                "missing_by_attribute": {k: dict(v) for k, v in self.missing_by_attribute.items()},
            }
        v = self.validation
        validation = {k: v[k] for k in ("source", "row_kind") if k in v}
        loading = _loading_table(int(v["n_valid"]), int(v["n_excluded"]), shield)
        for key, cell in (("n_read", (0, 2)), ("n_valid", (0, 0)), ("n_excluded", (0, 1))):
            _put_cell(validation, key, loading, cell, int(v[key]))
        validation["counts"] = _counts_dict(validation, "counts", dict(v["counts"]), shield)
        _reasons(validation)["issues"] = _RECORD_LEVEL
        steps = []
        for step in self.selection_steps:
            safe_step = {k: step[k] for k in ("step", "description", "parameters") if k in step}
            for key in ("n_before", "n_after", "n_excluded"):
                _put_count(safe_step, key, int(step[key]), shield)
            safe_step["counts"] = _counts_dict(safe_step, "counts", dict(step["counts"]), shield)
            steps.append(safe_step)
        counts = np.array(
            [int(m["n_missing"]) for m in self.missing_by_attribute.values()], dtype=np.int64
        )
        table = _suppressed(counts, shield, secondary=False, keep_zeros=True)  # as rendered
        for k, (name, m) in enumerate(self.missing_by_attribute.items()):
            missing[name] = {}
            _put_cell(missing[name], "n_missing", table, (0, k), int(m["n_missing"]))
            missing[name]["share"] = m["share"]
            if _hidden(table, 0, k):
                _withhold(missing[name], ("share",), _DERIVED)
        return {
            "validation": validation,
            "selection_steps": steps,
            "missing_by_attribute": missing,
        }

    def _disclosure_dict(self, protected: bool) -> dict[str, Any]:
        if self.disclosure is None:
            return {
                "applied": False,
                "unsuppressed_included": True,
                "threshold": None,
                "round_to": None,
                "note": "no disclosure control was applied",
            }
        if protected:
            note = (
                "counts are shown as published: those below the threshold, and those that "
                "would let a suppressed count be recovered from totals, are null with their "
                "reason under 'suppressed'; the others are rounded. Values derived from a "
                "suppressed count are null, and tables of counts are left out. Statistics "
                "were computed on the unsuppressed data"
            )
        else:
            note = (
                "audit copy: every number is unsuppressed, as computed; small counts are "
                "suppressed in the text, Markdown and HTML renderings only. "
                "Not for publication"
            )
        return {
            "applied": True,
            "unsuppressed_included": not protected,
            "threshold": self.disclosure.threshold,
            "round_to": self.disclosure.round_to,
            "note": note,
        }

    def _tests(self) -> list[TestResult]:
        found: list[TestResult] = [a.test for a in self.access.values()]
        for outcome in (*self.outcome_all.values(), *self.outcome_window.values()):
            if outcome is not None:
                for t in outcome.tests:
                    found += [x for x in (t.result, t.asymptotic, t.exact) if x is not None]
        for by_measure in self.durations.values():
            for d in by_measure.values():
                if d is not None:
                    found += [x for x in (d.logrank, d.gray) if x is not None]
        return found

    def _methods(self) -> list[str]:
        names = {t.method for t in self._tests()}
        return sorted(names)

    def to_json(self, indent: int | None = 2, *, include_unsuppressed: bool = False) -> str:
        """Return :meth:`to_dict` as strict JSON text (no NaN or infinity).

        Under disclosure control the numbers are protected unless `include_unsuppressed`
        is true (an audit copy, not for publication); see :meth:`to_dict`.
        """
        return to_json(self.to_dict(include_unsuppressed=include_unsuppressed), indent=indent)

    # ---- documents ---------------------------------------------------------------------

    def to_document(self, *, figures: bool = False) -> Document:
        """Describe the report as a :class:`~ipsstats.render.Document` for the renderers.

        Parameters
        ----------
        figures : bool, default False
            Also draw the figures (needs matplotlib): the representation chart per
            access attribute, the job-rate forest plot per outcome analysis, and per
            duration analysis the Kaplan-Meier curves by group and, for time to a job,
            the cumulative incidence of a job with discharge as a competing risk. Each
            becomes a :class:`~ipsstats.render.Figure` holding SVG, or, without
            matplotlib or under disclosure control, the reason it is not shown: figures
            are drawn from exact counts, so a report made with ``suppress`` never
            includes them.

        Returns
        -------
        Document
            The report's sections, tables and notes, with provenance as metadata.

        Raises
        ------
        InvalidInputError
            If `figures` is not a bool.
        """
        if not isinstance(figures, bool):
            raise fail("figures", "be True or False", repr(figures))
        blocks: list[Any] = [
            Section(title="Summary", blocks=[BulletList(items=self.summary)]),
            self._completeness_section(),
        ]
        if self.access:
            blocks.append(
                Section(
                    title="Access and reach",
                    blocks=[
                        _access_section(k, v, self.disclosure, figures)
                        for k, v in self.access.items()
                    ],
                )
            )
        outcome_blocks = [
            _outcome_section(res, self.disclosure, figures)
            for name in self.options["by"]
            for res in (self.outcome_all.get(name), self.outcome_window.get(name))
            if res is not None
        ]
        blocks.append(Section(title="Job outcomes", blocks=outcome_blocks))
        duration_blocks = [
            _duration_section(d, self.disclosure, figures)
            for by_measure in self.durations.values()
            for d in by_measure.values()
            if d is not None
        ]
        blocks.append(Section(title="Durations", blocks=duration_blocks))
        if self.caveats:
            blocks.append(
                Section(
                    title="Analyses not run",
                    blocks=[Note(text=c, kind="caveat") for c in self.caveats],
                )
            )
        return Document(title=self.title, blocks=blocks, metadata=self._metadata())

    def _metadata(self) -> list[tuple[str, str]]:
        pairs = [
            ("Generated by", f"ipsstats {__version__}"),
            ("Report schema", REPORT_SCHEMA_VERSION),
            ("Study end", str(self.options["study_end"])),
            ("Confidence level", f"{100 * float(self.options['confidence_level']):g}%"),
            ("Multiple testing", str(self.options["adjust"])),
        ]
        if self.disclosure is not None:
            pairs.append(
                (
                    "Disclosure control",
                    (
                        f"counts below {self.disclosure.threshold} shown as *, others rounded "
                        f"to the nearest {self.disclosure.round_to}"
                    ),
                )
            )
        return pairs

    def _completeness_section(self) -> Section:
        v = self.validation
        n_read, n_valid, n_excluded = (int(v[k]) for k in ("n_read", "n_valid", "n_excluded"))
        loading = _loading_table(n_valid, n_excluded, self.disclosure)
        facts = KeyValues(
            items=[
                ("Records read", _cell(loading, 0, 2, n_read)),
                ("Records kept", _cell(loading, 0, 0, n_valid)),
                ("Records excluded", _cell(loading, 0, 1, n_excluded)),
                ("People analysed", _count_text(self.n_people, self.disclosure)),
                ("Data extracted", self.observed_until),
            ]
        )
        blocks: list[Any] = [facts]
        reasons = dict(v.get("counts", {}))
        if reasons:
            blocks.append(
                _counts_table(
                    "Records excluded on loading, by reason", "Reason", reasons, self.disclosure
                )
            )
        for step in self.selection_steps:
            blocks.append(Paragraph(text=f"{step['step']}: {step['description']}"))
            blocks.append(
                _counts_table(
                    f"Excluded by {step['step']}", "Rule", dict(step["counts"]), self.disclosure
                )
            )
        missing = {k: int(m["n_missing"]) for k, m in self.missing_by_attribute.items()}
        if missing:
            blocks.append(
                _counts_table(
                    "Missing values by attribute",
                    "Attribute",
                    missing,
                    self.disclosure,
                    secondary=False,  # each row is a different variable: no shared total
                    keep_zeros=True,  # nobody missing describes nobody
                )
            )
        return Section(title="Data completeness", blocks=blocks)

    def to_csv(self) -> dict[str, str]:
        """Write every displayed table as CSV text, keyed by where it appears.

        Returns
        -------
        dict of str to str
            ``{"<section> / <caption>": csv_text}`` in document order. Cells that a
            spreadsheet could read as a formula are neutralised, and counts are suppressed
            as in the other renderings when the report was made with ``suppress``.
        """
        out: dict[str, str] = {}
        for path, table in _tables(self.to_document().blocks, ()):
            key = " / ".join(p for p in (*path, table.caption) if p)
            unique, k = key, 2
            while unique in out:
                unique, k = f"{key} ({k})", k + 1
            out[unique] = to_csv(table)
        return out

    def to_text(self, width: int = 100) -> str:
        """Render for a terminal."""
        return to_text(self.to_document(), width=width)

    def to_markdown(self) -> str:
        """Render as GitHub-flavoured Markdown."""
        return to_markdown(self.to_document())

    def to_html(self, *, figures: bool = True) -> str:
        """Render as one self-contained HTML page (labels from the data are escaped).

        Parameters
        ----------
        figures : bool, default True
            Embed the figures as inline SVG (see :meth:`to_document`). Without
            matplotlib, and always under disclosure control, each figure's place says
            why it is not shown. ``False`` leaves them out (faster).

        Returns
        -------
        str
            The page.

        Raises
        ------
        InvalidInputError
            If `figures` is not a bool.
        """
        return to_html(self.to_document(figures=figures))

    def __str__(self) -> str:
        return self.to_text()


def _tables(blocks: Sequence[Any], path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Table]]:
    found: list[tuple[tuple[str, ...], Table]] = []
    for block in blocks:
        if isinstance(block, Table):
            found.append((path, block))
        elif isinstance(block, Section):
            found += _tables(block.blocks, (*path, block.title))
    return found


def _maybe_dict(value: Any) -> dict[str, Any] | None:
    return None if value is None else dict(value.to_dict())


# --------------------------------------------------------------------------------------
# the JSON form under disclosure control: counts as displayed, the rest withheld
# --------------------------------------------------------------------------------------

_DERIVED = "withheld: derived from a suppressed count"
_REFERENCE = "withheld: the reference group's counts are suppressed"
_RECORD_LEVEL = "omitted under disclosure control: record-level detail"
_TABLES = (
    "omitted under disclosure control: the test's tables of counts, expected counts, "
    "residuals and other details"
)
_MARGINS = "omitted under disclosure control: the smallest expected count reveals margins"
# Fields of a test result kept under disclosure control (its subclass fields hold tables).
_TEST_FIELDS = ("statistic", "pvalue", "dof", "method")


def _reasons(out: dict[str, Any]) -> dict[str, str]:
    """Return the ``"suppressed"`` mapping (field name to reason) of a JSON object."""
    found: dict[str, str] = out.setdefault("suppressed", {})
    return found


def _withhold(out: dict[str, Any], keys: Sequence[str], reason: str) -> None:
    for key in keys:
        out[key] = None
        _reasons(out)[key] = reason


def _put_cell(
    out: dict[str, Any],
    key: str,
    safe: SuppressedTable | None,
    cell: tuple[int, int],
    raw: int,
) -> None:
    """Write a count as displayed: rounded, or null with its reason when suppressed."""
    if safe is None:
        out[key] = raw
    elif bool(safe.suppressed[cell]):
        _withhold(out, (key,), safe.reasons[cell[0]][cell[1]])
    else:
        out[key] = int(safe.shown[cell])


def _put_count(out: dict[str, Any], key: str, n: int, shield: Disclosure | None) -> None:
    """Write a count that stands alone (shown like :func:`_count_text`)."""
    if shield is None:
        out[key] = n
        return
    safe = suppress_small_counts(
        np.array([n]),
        threshold=shield.threshold,
        round_to=shield.round_to,
        secondary=False,
        keep_zeros=True,
    )
    _put_cell(out, key, safe, (0, 0), n)


def _counts_dict(
    parent: dict[str, Any], key: str, counts: Mapping[str, int], shield: Disclosure | None
) -> dict[str, int | None]:
    """Protect a mapping of counts as one table (as rendered); reasons go to `parent`."""
    if not counts:
        return {}
    values = np.array([int(n) for n in counts.values()], dtype=np.int64)
    safe = _suppressed(values, shield)
    out: dict[str, Any] = {}
    for k, (label, n) in enumerate(counts.items()):
        _put_cell(out, label, safe, (0, k), int(n))
    for label, reason in out.pop("suppressed", {}).items():
        _reasons(parent)[f"{key}.{label}"] = reason
    return out


def _test_dict(test: TestResult | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if test is None or shield is None:
        return _maybe_dict(test)
    full = test.to_dict()
    out: dict[str, Any] = {k: full[k] for k in _TEST_FIELDS}
    _put_count(out, "n", test.n, shield)
    _put_count(out, "n_excluded", test.n_excluded, shield)
    out["exclusions"] = _counts_dict(out, "exclusions", dict(test.exclusions), shield)
    out["caveats"] = [_redact(c, shield) for c in test.caveats]
    out["details"] = {}
    _reasons(out)["details"] = _TABLES
    return out


def _reported_dict(t: ReportedTest | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if t is None or shield is None:
        return _maybe_dict(t)
    out: dict[str, Any] = {
        "label": t.label,
        "result": _test_dict(t.result, shield),
        "adjusted_pvalue": t.adjusted_pvalue,
        "adjust": t.adjust,
        "small_expected": t.small_expected,
        "asymptotic": _test_dict(t.asymptotic, shield),
        "exact": _test_dict(t.exact, shield),
    }
    _withhold(out, ("min_expected",), _MARGINS)
    return out


def _access_dict(res: AccessEquity, shield: Disclosure | None) -> dict[str, Any]:
    out = res.to_dict()
    if shield is None:
        return out
    safe = _access_table(res, shield)
    last = len(res.groups)
    groups = []
    for k, g in enumerate(res.groups):
        row = g.to_dict()
        _put_cell(row, "ips_n", safe, (k, 0), g.ips_n)
        _put_cell(row, "eligible_n", safe, (k, 1), g.eligible_n)
        for j, key in enumerate(("ips_share", "eligible_share")):
            if safe is not None and bool(safe.percent_suppressed[k, j]):
                _withhold(row, (key,), _DERIVED)
        if _hidden(safe, k, 0) or _hidden(safe, k, 1):
            _withhold(row, ("reach", "representation_ratio", "adjusted_residual"), _DERIVED)
        groups.append(row)
    out["groups"] = groups
    _put_cell(out, "ips_n", safe, (last, 0), res.ips_n)
    _put_cell(out, "eligible_n", safe, (last, 1), res.eligible_n)
    if _hidden(safe, last, 0) or _hidden(safe, last, 1):
        _withhold(out, ("overall_reach",), _DERIVED)
    for key, share in (
        ("ips_missing", "ips_missing_share"),
        ("eligible_missing", "eligible_missing_share"),
    ):
        _put_count(out, key, int(getattr(res, key)), shield)
        if out[key] is None:
            _withhold(out, (share, "missing_reach"), _DERIVED)
    out["test"] = _test_dict(res.test, shield)
    out["caveats"] = [_redact(c, shield) for c in res.caveats]
    out["sensitivity"] = None if res.sensitivity is None else _access_dict(res.sensitivity, shield)
    return out


def _outcome_dict(res: OutcomeEquity | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if res is None or shield is None:
        return _maybe_dict(res)
    out = res.to_dict()
    safe, last = _events_table(((g.jobs, g.n) for g in res.groups), shield)
    reference_hidden = _row_hidden(safe, _reference_row(res), last)
    groups = []
    for k, g in enumerate(res.groups):
        row = g.to_dict()
        _put_cell(row, "n", safe, (k, last), g.n)
        _put_cell(row, "jobs", safe, (k, 0), g.jobs)
        compared = [key for key in ("rate_ratio", "rate_difference") if row[key] is not None]
        if _row_hidden(safe, k, last):
            _withhold(row, ("rate", *compared), _DERIVED)
        elif reference_hidden:
            _withhold(row, compared, _REFERENCE)
        groups.append(row)
    out["groups"] = groups
    _put_cell(out, "n", safe, (len(res.groups), last), res.n)
    _put_count(out, "n_missing", res.n_missing, shield)
    _put_count(out, "n_window_excluded", res.n_window_excluded, shield)
    out["overall"] = _reported_dict(res.overall, shield)
    out["stratum_tests"] = [_reported_dict(t, shield) for t in res.stratum_tests]
    out["cmh_tests"] = [_reported_dict(t, shield) for t in res.cmh_tests]
    out["caveats"] = [_redact(c, shield) for c in res.caveats]
    return out


def _duration_dict(res: DurationEquity | None, shield: Disclosure | None) -> dict[str, Any] | None:
    if res is None or shield is None:
        return _maybe_dict(res)
    out = res.to_dict()
    safe, last = _events_table(((g.n_events, g.n) for g in res.groups), shield)
    groups = []
    for k, g in enumerate(res.groups):
        row = g.to_dict()
        _put_cell(row, "n", safe, (k, last), g.n)
        _put_cell(row, "n_events", safe, (k, 0), g.n_events)
        if _row_hidden(safe, k, last):
            _withhold(row, ("median", "naive_median"), _DERIVED)
            row["landmarks"] = []
            _reasons(row)["landmarks"] = _DERIVED
        groups.append(row)
    out["groups"] = groups
    _put_cell(out, "n", safe, (len(res.groups), last), res.n)
    _put_count(out, "n_missing", res.n_missing, shield)
    out["logrank"] = _test_dict(res.logrank, shield)
    out["gray"] = _test_dict(res.gray, shield)
    out["caveats"] = [_redact(c, shield) for c in res.caveats]
    return out


# --------------------------------------------------------------------------------------
# display helpers (suppression applies here only)
# --------------------------------------------------------------------------------------


def _suppressed(
    counts: NDArray[np.int64],
    disclosure: Disclosure | None,
    *,
    secondary: bool = True,
    keep_zeros: bool = False,
) -> SuppressedTable | None:
    if disclosure is None:
        return None
    return suppress_small_counts(
        counts,
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        secondary=secondary,
        keep_zeros=keep_zeros,
    )


def _count_text(n: int, disclosure: Disclosure | None) -> str:
    if disclosure is None:
        return str(n)
    safe = suppress_small_counts(
        np.array([n]),
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        secondary=False,
        keep_zeros=True,
    )
    return _HIDDEN if bool(safe.suppressed[0, 0]) else str(int(safe.shown[0, 0]))


def _loading_table(
    n_valid: int, n_excluded: int, disclosure: Disclosure | None
) -> SuppressedTable | None:
    """Protect records kept and excluded on loading together with their total (read).

    Protecting the three as one table means no suppressed number follows from the others.
    """
    if disclosure is None:
        return None
    return suppress_small_counts(
        np.array([n_valid, n_excluded]),
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        keep_zeros=True,
    )


def _access_table(res: AccessEquity, disclosure: Disclosure | None) -> SuppressedTable | None:
    counts = np.array([[g.ips_n, g.eligible_n] for g in res.groups], dtype=np.int64)
    return _suppressed(counts, disclosure)


def _events_table(
    groups: Iterable[tuple[int, int]], disclosure: Disclosure | None
) -> tuple[SuppressedTable | None, int]:
    """Protect a table of ``[events, others]`` per group, from ``(events, n)`` pairs.

    Returns the protected table and the column of its row totals.
    """
    counts = np.array([[events, n - events] for events, n in groups], dtype=np.int64)
    return _suppressed(counts, disclosure), counts.shape[1]


def _access_rows_hidden(res: AccessEquity, disclosure: Disclosure | None) -> list[bool]:
    safe = _access_table(res, disclosure)
    return [_hidden(safe, k, 0) or _hidden(safe, k, 1) for k in range(len(res.groups))]


def _counts_table(
    caption: str,
    heading: str,
    counts: Mapping[str, int],
    disclosure: Disclosure | None,
    *,
    secondary: bool = True,
    keep_zeros: bool = False,
) -> Table:
    values = np.array(list(counts.values()), dtype=np.int64)
    safe = _suppressed(values, disclosure, secondary=secondary, keep_zeros=keep_zeros)
    rows = []
    for k, label in enumerate(counts):
        rows.append((label, _cell(safe, 0, k, int(values[k]))))
    return Table(header=(heading, "n"), rows=rows, caption=caption)


def _cell(safe: SuppressedTable | None, i: int, j: int, raw: int) -> str:
    if safe is None:
        return str(raw)
    return _HIDDEN if bool(safe.suppressed[i, j]) else str(int(safe.shown[i, j]))


def _hidden(safe: SuppressedTable | None, i: int, j: int) -> bool:
    return safe is not None and bool(safe.suppressed[i, j])


def _row_hidden(safe: SuppressedTable | None, i: int | None, last: int) -> bool:
    """Whether row `i` of a table of ``[events, others]`` has its events or total hidden."""
    return i is not None and (_hidden(safe, i, 0) or _hidden(safe, i, last))


def _reference_row(res: OutcomeEquity) -> int | None:
    """Position of the reference group: the one without a rate ratio."""
    return next((k for k, g in enumerate(res.groups) if g.rate_ratio is None), None)


# Numbers in free text that could be (or reveal) a small count: decimals such as expected
# counts and shares, and whole numbers; ISO dates (digits joined by "-") are kept.
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-]|\.\d)")


def _redact(text: str, disclosure: Disclosure | None) -> str:
    """Under disclosure control, replace decimals and counts below the threshold by ``*``."""
    if disclosure is None:
        return text

    def hide(match: re.Match[str]) -> str:
        number = match.group(0)
        if "." not in number and int(number) >= disclosure.threshold:
            return number
        return _HIDDEN

    return _NUMBER.sub(hide, text)


def _n_pct(safe: SuppressedTable | None, i: int, j: int, n: int, share: float) -> str:
    """Write ``n (%)``, both hidden when the count is suppressed."""
    hidden = _hidden(safe, i, j)
    return f"{_cell(safe, i, j, n)} ({_HIDDEN if hidden else _pct(share)})"


def _pct(x: float | None) -> str:
    return _DASH if x is None else f"{100 * x:.1f}"


def _num(x: float | None) -> str:
    return format_number(x, 2, missing=_DASH)


def _interval(est: Estimate | None, scale: float = 1.0, digits: int = 2) -> str:
    if est is None:
        return _DASH
    if est.value is None:
        return "not reached" if "not reached" in est.note else _DASH

    def text(x: float | None) -> str:
        return "not reached" if x is None else format_number(x * scale, digits)

    return f"{text(est.value)} ({text(est.lower)} to {text(est.upper)})"


def _percent_ci(est: Estimate) -> str:
    """Write a proportion as ``"4.9%, 95% CI 4.5 to 5.4"``."""
    level = 100 * (est.confidence_level or 0.95)
    return (
        f"{format_number(100 * (est.value or 0.0), 1)}%, {level:g}% CI "
        f"{format_number(None if est.lower is None else 100 * est.lower, 1)} to "
        f"{format_number(None if est.upper is None else 100 * est.upper, 1)}"
    )


def _ptext(p: float | None) -> str:
    return _DASH if p is None else format_pvalue(p, prefix="")


def _test_line(name: str, test: TestResult, disclosure: Disclosure | None) -> str:
    dof = "" if test.dof is None else f", df = {format_number(test.dof, 0)}"
    return (
        f"{name}: {test.method}, statistic = {format_number(test.statistic, 2)}{dof}, "
        f"{format_pvalue(test.pvalue)} (n = {_count_text(test.n, disclosure)})"
    )


def _access_section(
    name: str, res: AccessEquity, disclosure: Disclosure | None, figures: bool
) -> Section:
    safe = _access_table(res, disclosure)
    rows = []
    for k, g in enumerate(res.groups):
        hidden = _hidden(safe, k, 0) or _hidden(safe, k, 1)
        rows.append(
            (
                str(g.group),
                _n_pct(safe, k, 0, g.ips_n, g.ips_share),
                _n_pct(safe, k, 1, g.eligible_n, g.eligible_share),
                _HIDDEN if hidden else _pct(g.reach.value if g.reach else None),
                _HIDDEN if hidden else _interval(g.representation_ratio),
                _HIDDEN if hidden else _num(g.adjusted_residual),
                g.flag,
            )
        )
    table = Table(
        header=(
            name,
            "IPS users, n (%)",
            "Eligible, n (%)",
            "Accessing IPS, %",
            "Representation ratio (CI)",
            "Adjusted residual",
            "Flag",
        ),
        rows=rows,
        caption=f"Comparison: {res.method}",
        notes=(
            (
                "Flag: 'over' or 'under' when the whole confidence interval of the "
                "representation ratio lies above or below 1; 'none' means no evidence of "
                "over- or under-representation."
            ),
        ),
    )
    blocks: list[Any] = [table]
    if figures:
        level = f"{100 * res.confidence_level:g}%"
        blocks.append(
            _figure(
                f"Share of IPS users beside share of the eligible caseload, by {name}, with "
                f"{level} confidence intervals for the IPS share",
                lambda: plot_representation(res),
                disclosure,
            )
        )
    blocks.append(Paragraph(text=_test_line("Overall test", res.test, disclosure)))
    reach = res.overall_reach
    if reach is not None and reach.value is not None:
        users = _count_text(res.ips_n + res.ips_missing, disclosure)
        everyone = _count_text(res.eligible_n + res.eligible_missing, disclosure)
        if res.missing == "include":
            users, everyone = (
                _count_text(res.ips_n, disclosure),
                _count_text(res.eligible_n, disclosure),
            )
        blocks.append(
            Paragraph(
                text=f"Reach: {users} of {everyone} eligible people used IPS "
                f"({_percent_ci(reach)})."
            )
        )
    if res.ips_missing or res.eligible_missing:
        blocks.append(
            Paragraph(
                text=f"{name} not known: {_count_text(res.ips_missing, disclosure)} IPS users, "
                f"{_count_text(res.eligible_missing, disclosure)} eligible (rule: {res.missing})."
            )
        )
    if res.sensitivity is not None:
        blocks.append(
            Paragraph(
                text=_test_line(
                    "Sensitivity, not known as a group", res.sensitivity.test, disclosure
                )
            )
        )
    blocks += [Note(text=_redact(c, disclosure), kind="caveat") for c in res.caveats]
    return Section(title=f"Access by {name}", blocks=blocks)


def _smallest(t: ReportedTest, disclosure: Disclosure | None) -> str:
    """``" (smallest 1.23)"``, left out under disclosure control (it reveals margins)."""
    if disclosure is not None or t.min_expected is None:
        return ""
    return f" (smallest {t.min_expected:.2f})"


def _reported_row(t: ReportedTest, disclosure: Disclosure | None) -> tuple[str, ...]:
    note = ""
    if t.small_expected and t.exact is not None and t.asymptotic is not None:
        note = (
            f"expected counts below 5{_smallest(t, disclosure)}; exact "
            f"{format_pvalue(t.exact.pvalue)}, asymptotic {format_pvalue(t.asymptotic.pvalue)}"
        )
    dof = _DASH if t.result.dof is None else format_number(t.result.dof, 0)
    return (
        t.label,
        t.result.method,
        format_number(t.result.statistic, 2),
        dof,
        _ptext(t.result.pvalue),
        _ptext(t.adjusted_pvalue),
        note,
    )


def _outcome_section(res: OutcomeEquity, disclosure: Disclosure | None, figures: bool) -> Section:
    safe, last = _events_table(((g.jobs, g.n) for g in res.groups), disclosure)
    reference_hidden = _row_hidden(safe, _reference_row(res), last)
    rows = []
    for k, g in enumerate(res.groups):
        hidden = _row_hidden(safe, k, last)
        compared = hidden or reference_hidden
        rows.append(
            (
                str(g.group),
                _cell(safe, k, last, g.n),
                f"{_cell(safe, k, 0, g.jobs)} ({_HIDDEN if hidden else _pct(g.rate.value)})",
                _HIDDEN if hidden else _interval(g.rate, 100.0, 1),
                "reference"
                if g.rate_ratio is None
                else (_HIDDEN if compared else _interval(g.rate_ratio)),
                "reference"
                if g.rate_difference is None
                else (_HIDDEN if compared else _interval(g.rate_difference, 100.0, 1)),
            )
        )
    table = Table(
        header=(
            res.name,
            "People, n",
            "Gained a job, n (%)",
            "Job rate, % (CI)",
            "Rate ratio (CI)",
            "Difference, points (CI)",
        ),
        rows=rows,
    )
    blocks: list[Any] = [table]
    if figures:
        blocks.append(
            _figure(
                f"Job rate by {res.name} ({res.window}), with "
                f"{100 * res.confidence_level:g}% confidence intervals; the line marks the "
                "overall rate",
                lambda: plot_outcomes(res),
                disclosure,
            )
        )
    if res.tests:
        blocks.append(
            Table(
                header=("Test", "Method", "Statistic", "df", "P", f"P ({res.adjust})", "Note"),
                rows=[_reported_row(t, disclosure) for t in res.tests],
                caption="Tests of equal job rates",
                align=("left", "left", "right", "right", "right", "right", "left"),
            )
        )
    if res.cramers_v is not None:
        blocks.append(Paragraph(text=f"Cramér's V = {res.cramers_v:.3f}."))
    blocks += [Note(text=_redact(c, disclosure), kind="caveat") for c in res.caveats]
    return Section(title=f"Job outcomes by {res.name}: {res.window}", blocks=blocks)


def _figure(caption: str, draw: Callable[[], Any], disclosure: Disclosure | None) -> Figure:
    """Draw a figure as SVG, or say why it is not shown."""
    if disclosure is not None:
        return Figure(svg=None, caption=caption, unavailable_reason=_FIGURES_WITHHELD)
    try:
        svg = figure_to_svg(draw())
    except OptionalDependencyError:
        return Figure(svg=None, caption=caption, unavailable_reason=_NO_MATPLOTLIB)
    except IpsStatsError as exc:  # data a figure cannot show must not stop the report
        return Figure(svg=None, caption=caption, unavailable_reason=f"not drawn: {exc}")
    return Figure(svg=svg, caption=caption)


def _duration_figures(res: DurationEquity, disclosure: Disclosure | None) -> list[Figure]:
    """Kaplan-Meier curves by group, and for time to job the cumulative incidence."""
    survival = {str(g.group): g.curve for g in res.groups if g.curve is not None}
    incidence = {
        str(g.group): g.incidence_curve for g in res.groups if g.incidence_curve is not None
    }
    level = f"{100 * res.confidence_level:g}%"
    if res.measure == "time_to_job":
        what, ylabel, xlabel = (
            "not yet in work",
            "Proportion not yet in work",
            "Days since first contact",
        )
    else:
        what, ylabel, xlabel = (
            "still supported in work",
            "Proportion still supported",
            "Days since job start",
        )
    found: list[Figure] = []
    if survival:
        found.append(
            _figure(
                f"Kaplan-Meier estimate of the share {what} by {res.name}, with {level} "
                "confidence bands, censoring marks (+) and the numbers at risk",
                lambda: plot_survival(survival, xlabel=xlabel, ylabel=ylabel),
                disclosure,
            )
        )
    if incidence:
        found.append(
            _figure(
                f"Cumulative incidence of a first job by {res.name}, with discharge without a "
                f"job as a competing risk, {level} confidence bands and the numbers at risk",
                lambda: plot_cumulative_incidence(
                    incidence, ylabel="Cumulative incidence of a job"
                ),
                disclosure,
            )
        )
    return found


def _months(days: float | None) -> str:
    return "not reached" if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def _median_text(est: Estimate) -> str:
    return f"{_months(est.value)} ({_months(est.lower)} to {_months(est.upper)})"


def _duration_section(
    res: DurationEquity, disclosure: Disclosure | None, figures: bool
) -> Section:
    safe, last = _events_table(((g.n_events, g.n) for g in res.groups), disclosure)
    what = "waiting for a job" if res.measure == "time_to_job" else "still supported"
    header = [
        res.name,
        "People, n",
        "Events, n",
        "Median, months (CI)",
        "Median among those with the event, months",
    ]
    header += [f"{what} at {m:g} months, % (CI)" for m in res.landmark_months]
    rows = []
    for k, g in enumerate(res.groups):
        hidden = _row_hidden(safe, k, last)
        row = [
            str(g.group),
            _cell(safe, k, last, g.n),
            _cell(safe, k, 0, g.n_events),
            _HIDDEN if hidden else _median_text(g.median),
            _HIDDEN if hidden else _months(g.naive_median),
        ]
        row += [_HIDDEN if hidden else _interval(m.remaining, 100.0, 1) for m in g.landmarks]
        rows.append(tuple(row))
    label = "Time to first job" if res.measure == "time_to_job" else "In-work support"
    blocks: list[Any] = [
        Table(
            header=header,
            rows=rows,
            notes=(
                (
                    "Medians are Kaplan-Meier estimates (censoring accounted for); the median "
                    "among those with the event ignores censoring, as papers often print it."
                ),
            ),
        )
    ]
    if figures:
        blocks += _duration_figures(res, disclosure)
    for name, test in (("Log-rank test", res.logrank), ("Gray's test (job)", res.gray)):
        if test is not None:
            blocks.append(Paragraph(text=_test_line(name, test, disclosure)))
    blocks += [Note(text=_redact(c, disclosure), kind="caveat") for c in res.caveats]
    return Section(title=f"{label} by {res.name}", blocks=blocks)


# --------------------------------------------------------------------------------------
# plain-language summary
# --------------------------------------------------------------------------------------


def _ratio_text(est: Estimate, level: float) -> str:
    return (
        f"ratio {format_number(est.value, 2)}, {100 * level:g}% CI "
        f"{format_number(est.lower, 2)} to {format_number(est.upper, 2)}"
    )


def _access_summary(
    name: str, res: AccessEquity, alpha: float, disclosure: Disclosure | None
) -> list[str]:
    p = format_pvalue(res.test.pvalue)
    if res.test.pvalue < alpha:
        lines = [
            (
                f"Access by {name}: the make-up of IPS users differed from that of the eligible "
                f"caseload ({res.test.method}, {p})."
            )
        ]
    else:
        lines = [
            (
                f"Access by {name}: no evidence that the make-up of IPS users differed from that "
                f"of the eligible caseload ({res.test.method}, {p}); this does not show that "
                "access was equal."
            )
        ]
    for flag, words in (("over", "more"), ("under", "less")):
        hidden = _access_rows_hidden(res, disclosure)
        groups = [(k, g) for k, g in enumerate(res.groups) if g.flag == flag]
        if groups:
            listed = "; ".join(
                f"{g.group} (ratio withheld: counts suppressed)"
                if hidden[k]
                else f"{g.group} ({_ratio_text(g.representation_ratio, res.confidence_level)})"
                for k, g in groups
            )
            lines.append(
                f"Represented {words} among IPS users than in the eligible caseload "
                f"(confidence interval excluding 1, not adjusted for multiple groups): {listed}."
            )
    return lines


def _outcome_summary(res: OutcomeEquity, alpha: float, disclosure: Disclosure | None) -> list[str]:
    if res.overall is None:
        return [f"Job outcomes by {res.name} ({res.window}): the overall test could not be run."]
    t = res.overall
    several = len(res.tests) > 1
    p = format_pvalue(t.result.pvalue)
    if several:
        p += f", {res.adjust}-adjusted {format_pvalue(t.adjusted_pvalue)}"
    decisive = t.adjusted_pvalue if several else t.result.pvalue
    if decisive < alpha:
        lines = [
            (
                f"Job outcomes by {res.name} ({res.window}): the share gaining a job differed "
                f"between groups ({t.result.method}, {p})."
            )
        ]
    else:
        lines = [
            (
                f"Job outcomes by {res.name} ({res.window}): no evidence of a difference in the "
                f"share gaining a job between groups ({t.result.method}, {p})."
            )
        ]
    significant = [
        s.label for s in (*res.stratum_tests, *res.cmh_tests) if s.adjusted_pvalue < alpha
    ]
    if significant:
        lines.append(f"Significant after adjustment: {', '.join(significant)}.")
    for s in res.tests:
        if s.small_expected and s.exact is not None and s.asymptotic is not None:
            lines.append(
                f"Job outcomes by {res.name} ({res.window}), test '{s.label}': expected "
                f"counts below 5{_smallest(s, disclosure)}, so the chi-squared "
                f"approximation is doubtful; exact {format_pvalue(s.exact.pvalue)} beside "
                f"asymptotic {format_pvalue(s.asymptotic.pvalue)}."
            )
    return lines


def _duration_summary(res: DurationEquity, alpha: float) -> list[str]:
    label = "Time to first job" if res.measure == "time_to_job" else "In-work support"
    if res.logrank is None:
        return [f"{label} by {res.name}: the log-rank test could not be run."]
    p = format_pvalue(res.logrank.pvalue)
    if res.logrank.pvalue < alpha:
        return [f"{label} by {res.name}: durations differed between groups (log-rank, {p})."]
    return [
        (
            f"{label} by {res.name}: no evidence of a difference in durations between groups "
            f"(log-rank, {p})."
        )
    ]


def _completeness_summary(cohort: Cohort, disclosure: Disclosure | None) -> str:
    v = cohort.validation
    loading = _loading_table(v.n_valid, v.n_excluded, disclosure)
    read = _cell(loading, 0, 2, v.n_read)
    text = f"{read} records read, {_cell(loading, 0, 1, v.n_excluded)} excluded on loading"
    if v.n_excluded:
        values = np.array(list(v.counts.values()), dtype=np.int64)
        safe = _suppressed(values, disclosure)
        reasons = ", ".join(
            f"{r}: {_cell(safe, 0, k, n)}" for k, (r, n) in enumerate(v.counts.items())
        )
        text += f" ({reasons})"
    return text + f"; {_count_text(cohort.n, disclosure)} people analysed."


# --------------------------------------------------------------------------------------
# equity_report
# --------------------------------------------------------------------------------------


def _by_option(cohort: Cohort, by: object) -> tuple[str, ...]:
    categorical = tuple(k for k, v in cohort.attributes.items() if isinstance(v, Factor))
    if by is None:
        if not categorical:
            raise fail(
                "cohort",
                "have at least one categorical attribute to compare groups by",
                f"attributes {list(cohort.attribute_names)}",
            )
        return categorical
    names = (by,) if isinstance(by, str) else by
    if not isinstance(names, (tuple, list)) or not names:
        raise fail("by", "be a non-empty sequence of attribute names", repr(by))
    for name in names:
        if name not in categorical:
            raise fail(
                "by",
                "name categorical attributes of the cohort",
                repr(name),
                hint=f"the cohort has the categorical attributes {list(categorical)}.",
            )
    return tuple(str(n) for n in names)


def _eligible_option(eligible: object, by: tuple[str, ...]) -> dict[str, object]:
    if eligible is None:
        return {}
    if isinstance(eligible, Counts):
        name = eligible.name if eligible.name is not None else (by[0] if len(by) == 1 else None)
        if name not in by:
            raise fail(
                "eligible",
                "be named after one of the `by` attributes (Counts.name)",
                repr(eligible.name),
                hint="pass a mapping {attribute: counts} instead.",
            )
        return {str(name): eligible}
    if not isinstance(eligible, Mapping):
        raise fail(
            "eligible", "be None, Counts or a mapping {attribute: counts}", type(eligible).__name__
        )
    unknown = [k for k in eligible if k not in by]
    if unknown:
        raise fail(
            "eligible",
            "have keys among the `by` attributes",
            f"{unknown}",
            hint=f"`by` is {list(by)}; eligible counts are given per attribute.",
        )
    return {str(k): v for k, v in eligible.items()}


def _ips_counts(ips: Counts, eligible: Counts, name: str) -> Counts:
    """IPS users per group of the eligible caseload, in its order.

    A group of the caseload that nobody in the cohort belongs to has 0 IPS users (no
    access at all is the strongest finding an access analysis can make); a group of the
    cohort that the caseload does not have cannot be compared, and is an error.
    """
    only_cohort = [level for level in ips.levels if level not in eligible.levels]
    if only_cohort:
        raise fail(
            "eligible",
            f"give a count for every {name} group of the cohort",
            f"no count in `eligible[{name!r}]` for {only_cohort}",
            hint=f"the eligible caseload has the groups {list(eligible.levels)}; add the "
            "missing groups, or list labels meaning 'not known' in `missing_labels`.",
            positions=tuple(only_cohort),
        )
    found = dict(zip(ips.levels, ips.counts.tolist(), strict=True))
    return Counts.from_counts(
        [int(found.get(level, 0)) for level in eligible.levels],
        list(eligible.levels),
        name=ips.name,
        n_missing=ips.n_missing,
    )


def _disclosure_option(suppress: object) -> Disclosure | None:
    if suppress is False or suppress is None:
        return None
    if suppress is True:
        return Disclosure()
    if isinstance(suppress, Mapping):
        unknown = [k for k in suppress if k not in ("threshold", "round_to")]
        if unknown:
            raise fail("suppress", "have only the keys 'threshold' and 'round_to'", f"{unknown}")
        settings = {k: suppress[k] for k in ("threshold", "round_to") if k in suppress}
        for key, value in settings.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise fail("suppress", f"have a positive integer {key!r}", repr(value))
        return Disclosure(**{k: int(v) for k, v in settings.items()})
    raise fail(
        "suppress",
        "be True, False or a mapping {'threshold': int, 'round_to': int}",
        repr(suppress),
    )


def _months_option(value: object) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
        raise fail("min_followup_months", "be a whole number of months >= 0", repr(value))
    return int(value)


def _missing_by_attribute(cohort: Cohort) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, column in cohort.attributes.items():
        n_missing = column.n_missing if isinstance(column, Factor) else int(np.isnan(column).sum())
        out[name] = {"n_missing": n_missing, "share": n_missing / cohort.n if cohort.n else None}
    return out


def _attempt(caveats: list[str], what: str, run: Callable[[], Any]) -> Any:
    """Run one analysis; record why in `caveats` if the data are insufficient for it."""
    try:
        return run()
    except InsufficientDataError as exc:
        caveats.append(f"{what}: not computed ({exc})")
        return None


def equity_report(
    cohort: Cohort,
    *,
    eligible: object = None,
    study_end: object,
    min_followup_months: int = 6,
    by: Sequence[str] | str | None = None,
    suppress: bool | Mapping[str, int] = False,
    access_method: AccessMethod = "homogeneity",
    missing: MissingRule = "exclude",
    missing_labels: Collection[object] = (),
    confidence_level: float = 0.95,
    adjust: Adjustment = "holm",
    landmarks: Sequence[float] = (6, 12),
    rng: int = 0,
    title: str = "IPS equity report",
) -> EquityReport:
    r"""Run every equity analysis of a cohort and gather them in one publishable report.

    Parameters
    ----------
    cohort : Cohort
        People using IPS, as loaded (its validation record feeds the completeness section).
    eligible : Counts or Mapping[str, Counts or Mapping], optional
        The eligible caseload by group, per `by` attribute (``{"ethnicity": counts}``),
        or one :class:`~ipsstats.Counts` named after an attribute. Without it, access and
        reach are not reported.
    study_end : date
        The end of follow-up: job outcomes are judged at this date and the minimum
        follow-up window ends on it. At most the cohort's ``observed_until``.
    min_followup_months : int
        The window for the second outcome analysis: people with at least this many whole
        months between first contact and `study_end`.
    by : str or sequence of str, optional
        Categorical attributes to compare groups by; default: every categorical attribute.
    suppress : bool or Mapping[str, int]
        Disclosure control of the rendered report: ``True`` shows counts below 5 as ``*``
        and rounds the others to the nearest 5, with secondary suppression and
        percentages withheld where their numerator is suppressed
        (:func:`~ipsstats.suppress_small_counts`); a mapping sets ``threshold`` and
        ``round_to``. Statistics are computed on the unsuppressed data. The JSON form
        is protected in the same way (see :meth:`EquityReport.to_dict`), free-text
        caveats have decimals and counts below the threshold replaced by ``*``, the
        smallest expected count is not printed, and figures are left out. Secondary
        suppression is checked table by table: the same counts appear in several tables
        (IPS users by group in the access table and as the group sizes of the outcome
        table), and percentages, rates and intervals are computed from exact counts, so
        rounding does not hide a shown count and a pattern chosen for one table does not
        protect another. Keep the defaults for anything published, and check linked
        tables together (see the Notes of :func:`~ipsstats.suppress_small_counts` for
        what the rules do and do not protect).
    access_method : {"homogeneity", "goodness-of-fit", "subset"}
        See :func:`~ipsstats.access_equity`.
    missing : {"exclude", "include", "sensitivity"}
        Rule for eligible and IPS counts whose group is not known (access only).
    missing_labels : collection, optional
        Labels in eligible-count mappings meaning "not known".
    confidence_level : float
        Coverage of every interval; tests are called significant at ``1 - confidence_level``.
    adjust : {"holm", "bonferroni", "hochberg", "bh", "by", "none"}
        Adjustment of the p-values reported together in each outcome analysis.
    landmarks : sequence of float
        Months at which durations report the share still waiting or still supported.
    rng : int
        Seed for any Monte Carlo test (recorded).
    title : str
        The report's title.

    Returns
    -------
    EquityReport
        The results, completeness record and plain-language ``summary``; render with
        ``to_text()``, ``to_markdown()``, ``to_html()`` or ``to_json()``.

    Raises
    ------
    InvalidInputError
        If `cohort` is not a :class:`~ipsstats.Cohort`, `by` names an attribute the cohort
        does not have as a category (the message lists those it has), `eligible` is
        malformed or lacks a group that the cohort has (the message lists them; a
        caseload group that nobody in the cohort belongs to is reported with 0 IPS
        users), `study_end` is after ``observed_until``, or an option is invalid.

    See Also
    --------
    ipsstats.access_equity, ipsstats.outcome_equity, ipsstats.duration_equity

    Notes
    -----
    A test is reported as showing a difference when its p-value (adjusted, when several
    are reported together) is below :math:`\alpha = 1 - \text{confidence level}`.
    Otherwise the summary says there is "no evidence of a difference": a non-significant
    test does not show that groups are equal. Analyses that the data cannot support
    (for example a window that leaves no one) are listed in ``caveats`` instead of
    stopping the report.

    References
    ----------
    .. [1] Perkins, R. et al. (2022). BJPsych Bulletin 46, Tables 2 and 3.
    .. [2] NHS England (2023). Mental Health Services Monthly Statistics: methodology
       (suppression of counts below 5 and rounding to the nearest 5).

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-10", "2019-02-01", "2019-03-05", "2019-09-01"] * 3,
    ...      "job_start": ["2019-04-01", None, "2019-06-01", None] * 3,
    ...      "group": ["a", "a", "b", "b"] * 3},
    ...     observed_until="2019-12-31")
    >>> report = equity_report(cohort, study_end="2019-12-31",
    ...                        eligible={"group": {"a": 60, "b": 90}})
    >>> report.summary[0]
    '12 records read, 0 excluded on loading; 12 people analysed.'
    >>> report.to_dict()["schema_version"]
    '1.1'
    """
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    level = as_confidence_level(confidence_level)
    how = as_option(adjust, "adjust", _ADJUSTMENTS)
    method = as_option(access_method, "access_method", _ACCESS_METHODS)
    rule = as_option(missing, "missing", _MISSING_RULES)
    months = _months_option(min_followup_months)
    end = as_date(study_end, "study_end")
    if end > cohort.observed_until:
        raise fail(
            "study_end",
            f"be on or before the cohort's observed_until ({cohort.observed_until})",
            str(end),
            hint="follow-up after the data were extracted is not observed.",
        )
    names = _by_option(cohort, by)
    given = _eligible_option(eligible, names)
    disclosure = _disclosure_option(suppress)
    caveats: list[str] = []
    access: dict[str, AccessEquity] = {}
    sizes: dict[str, dict[str, int]] = {}
    for name, given_counts in given.items():
        counts = _as_group_counts(given_counts, "eligible", missing_labels)
        ips = _ips_counts(cohort.tally(name), counts, name)
        result = access_equity(
            ips,
            counts,
            method=method,
            missing=rule,
            missing_labels=missing_labels,
            confidence_level=level,
        )
        access[name] = result
        sizes[name] = {
            "total": result.eligible_n + result.eligible_missing
            if rule != "include"
            else result.eligible_n,
            "n": result.eligible_n,
            "n_missing": result.eligible_missing,
        }
    outcome_all: dict[str, OutcomeEquity | None] = {}
    outcome_window: dict[str, OutcomeEquity | None] = {}
    durations: dict[str, dict[str, DurationEquity | None]] = {}
    for name in names:
        outcome_all[name] = _attempt(
            caveats,
            f"job outcomes by {name}, everyone",
            lambda name=name: outcome_equity(  # type: ignore[misc]
                cohort, name, end=end, confidence_level=level, adjust=how, rng=rng
            ),
        )
        outcome_window[name] = _attempt(
            caveats,
            f"job outcomes by {name}, at least {months} months' follow-up",
            lambda name=name: outcome_equity(  # type: ignore[misc]
                cohort,
                name,
                min_followup_months=months,
                end=end,
                confidence_level=level,
                adjust=how,
                rng=rng,
            ),
        )
        durations[name] = {
            measure: _attempt(
                caveats,
                f"{measure.replace('_', ' ')} by {name}",
                lambda name=name, measure=measure: duration_equity(  # type: ignore[misc]
                    cohort, name, measure=measure, landmarks=landmarks, confidence_level=level
                ),
            )
            for measure in _MEASURES
        }
    alpha = 1.0 - level
    summary = [_completeness_summary(cohort, disclosure)]
    for name, res in access.items():
        summary += _access_summary(name, res, alpha, disclosure)
    for name in names:
        for outcome in (outcome_all[name], outcome_window[name]):
            if outcome is not None:
                summary += _outcome_summary(outcome, alpha, disclosure)
        for d in durations[name].values():
            if d is not None:
                summary += _duration_summary(d, alpha)
    options = {
        "study_end": str(end),
        "min_followup_months": months,
        "by": list(names),
        "confidence_level": level,
        "significance_level": alpha,
        "adjust": how,
        "access_method": method,
        "missing": rule,
        "landmarks_months": [float(m) for m in landmarks],
        "rng": rng,
    }
    return EquityReport(
        title=title,
        cohort_source=cohort.validation.source,
        observed_until=cohort.observed_until.isoformat(),
        n_people=cohort.n,
        validation=cohort.validation.to_dict(),
        selection_steps=tuple(step.to_dict() for step in cohort.exclusions),
        missing_by_attribute=_missing_by_attribute(cohort),
        eligible_sizes=sizes,
        options=options,
        access=access,
        outcome_all=outcome_all,
        outcome_window=outcome_window,
        durations=durations,
        summary=tuple(summary),
        caveats=tuple(_redact(c, disclosure) for c in caveats),
        disclosure=disclosure,
    )
