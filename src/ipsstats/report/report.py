"""One-call equity report: completeness, access, outcomes and durations, ready to publish.

:func:`equity_report` runs every equity analysis on a cohort and gathers the results, the
data-completeness record and a plain-language summary in an :class:`EquityReport`. The
report renders to text, Markdown, self-contained HTML and JSON; the JSON form follows
:data:`REPORT_SCHEMA` (a JSON Schema, versioned by ``schema_version``) so that a downstream
tool can audit it.

Disclosure control (``suppress=``) protects what is published, as one system: every
count the report shows is decided once (suppressed, or rounded) and shown the same way
wherever it appears; shares, rates and intervals are computed from the published counts;
and an integer-programming audit checks that no suppressed count can be recovered from
all the published numbers together. The JSON form is protected too, unless an unsuppressed
audit copy is asked for with ``to_dict(include_unsuppressed=True)`` (its ``disclosure``
entry records which form it is). Figures are drawn from exact counts, so a report under
disclosure control shows none, and says why.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

import attrs

from ipsstats._arrays import as_confidence_level, as_option, fail
from ipsstats._version import __version__
from ipsstats.categorical import PVALUE_ADJUSTMENTS, PValueAdjustment, to_counts
from ipsstats.cohort import Cohort
from ipsstats.equity import (
    ACCESS_METHODS,
    MEASURES,
    MISSING_GROUP_RULES,
    AccessEquity,
    AccessMethod,
    DurationEquity,
    Funnel,
    IndirectStandardisation,
    MissingGroupRule,
    OutcomeEquity,
    Overdispersion,
    StandardisedOutcomes,
    access_equity,
    duration_equity,
    outcome_equity,
)
from ipsstats.report import _front
from ipsstats.report import _indicator_sections as indicators
from ipsstats.report._headline import HeadlineItem, headline
from ipsstats.report._indicators import plan, register
from ipsstats.report._json import (
    access_dict,
    completeness_dict,
    duration_dict,
    inputs_dict,
    outcome_dict,
)
from ipsstats.report._ledger import Protection, build_ledger, protect
from ipsstats.report._options import (
    attempt,
    by_option,
    disclosure_option,
    eligible_option,
    ips_counts,
    missing_by_attribute,
    months_option,
)
from ipsstats.report._plain import plain_caveat
from ipsstats.report.audit import DisclosureAudit, _as_audit_dict
from ipsstats.report.disclosure import Disclosure
from ipsstats.report.render._document import (
    BulletList,
    Document,
    Note,
    Section,
    Table,
)
from ipsstats.report.render.csv import to_csv
from ipsstats.report.render.html import to_html
from ipsstats.report.render.json import to_json
from ipsstats.report.render.markdown import to_markdown
from ipsstats.report.render.text import to_text
from ipsstats.report.schema import REPORT_SCHEMA_VERSION
from ipsstats.report.sections import (
    _access_section,
    _access_summary,
    _cell_key_section,
    _completeness_section,
    _completeness_summary,
    _duration_section,
    _duration_summary,
    _glossary_section,
    _outcome_summary,
    _redact,
)
from ipsstats.results import TestResult, frozen_mapping, json_safe

__all__ = ["TIME_UNITS", "EquityReport", "equity_report"]

#: Units in which a report writes durations, in its tables and figures alike.
TIME_UNITS: tuple[str, ...] = ("months", "days")


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)  # cached properties
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
    service, source, source_sha256 : str or None
        Provenance: the service's name, the data file's name and its SHA-256 checksum.
    generated_at : str or None
        When the report was made: UTC, ISO 8601 (``2024-03-01T09:30:00Z``).
    caveat_details : tuple of str
        The technical reasons behind `caveats` (written for readers), in the same order.
    standardised_access, standardised_outcomes : Mapping
        With ``standardise``: per attribute, the standardised access ratios and outcomes.
    service_funnel : Funnel or None
        With ``by_service``: the services' job rates (``service_levels``: every service).
    """

    title: str
    cohort_source: str
    observed_until: str
    n_people: int
    validation: Mapping[str, Any] = attrs.field(converter=frozen_mapping)
    selection_steps: tuple[Mapping[str, Any], ...]
    missing_by_attribute: Mapping[str, Mapping[str, Any]] = attrs.field(converter=frozen_mapping)
    eligible_sizes: Mapping[str, Mapping[str, int]] = attrs.field(converter=frozen_mapping)
    options: Mapping[str, Any] = attrs.field(converter=frozen_mapping)
    access: Mapping[str, AccessEquity] = attrs.field(converter=frozen_mapping)
    outcome_all: Mapping[str, OutcomeEquity | None] = attrs.field(converter=frozen_mapping)
    outcome_window: Mapping[str, OutcomeEquity | None] = attrs.field(converter=frozen_mapping)
    durations: Mapping[str, Mapping[str, DurationEquity | None]] = attrs.field(
        converter=frozen_mapping
    )
    summary: tuple[str, ...]
    caveats: tuple[str, ...]
    disclosure: Disclosure | None = None
    service: str | None = None
    source: str | None = None
    source_sha256: str | None = None
    generated_at: str | None = None
    caveat_details: tuple[str, ...] = ()
    standardised_access: Mapping[str, IndirectStandardisation] = attrs.field(
        factory=dict, converter=frozen_mapping
    )
    standardised_outcomes: Mapping[str, StandardisedOutcomes | None] = attrs.field(
        factory=dict, converter=frozen_mapping
    )
    service_funnel: Funnel | None = None
    service_levels: tuple[str, ...] = ()

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
            shares, rates, ratios, intervals and flags are those the rendered report
            shows, computed from the published counts (``null`` where one of them is
            suppressed); test statistics and p-values are given at the precision the
            report prints them; and the fields that could recover a count are left out
            (the tables of counts, expected counts and residuals held by test results,
            the people each test excluded, the smallest expected count, the
            Kaplan-Meier shares at the landmarks and the record-level loading issues).
            ``True`` writes every number unsuppressed, for
            an audit copy that must not be published; ``disclosure.unsuppressed_included``
            records which form this is.

        Returns
        -------
        dict
            The report: schema and ipsstats versions, inputs, options, methods, seeds,
            completeness, access, outcome and duration results, summary, caveats and the
            ``disclosure`` record (``applied``, ``unsuppressed_included``, ``threshold``,
            ``round_to``, ``derived_from``, ``audit``, ``note``).

        Raises
        ------
        InvalidInputError
            If `include_unsuppressed` is not a bool.
        """
        if not isinstance(include_unsuppressed, bool):
            raise fail("include_unsuppressed", "be True or False", repr(include_unsuppressed))
        protection = None if include_unsuppressed else self._protection
        by = list(self.options["by"])
        out: dict[str, Any] = {
            "schema_version": REPORT_SCHEMA_VERSION,
            "ipsstats_version": __version__,
            "title": self.title,
            "inputs": inputs_dict(self, protection),
            "options": dict(self.options),
            "methods": self._methods(),
            "seeds": {"rng": int(self.options["rng"])},
            "completeness": completeness_dict(self, protection),
            "access": {k: access_dict(k, v, protection) for k, v in self.access.items()},
            "outcome": {
                k: {
                    "all": outcome_dict(k, "all", self.outcome_all.get(k), protection),
                    "window": outcome_dict(k, "window", self.outcome_window.get(k), protection),
                }
                for k in by
            },
            "durations": {
                k: {
                    m: duration_dict(k, self.durations.get(k, {}).get(m), protection)
                    for m in MEASURES
                }
                for k in by
            },
            "standardised": indicators.standardised_dict(self, protection),
            "service_funnel": indicators.funnel_dict(self, protection),
            "summary": list(self.summary),
            "caveats": list(self.caveats),
            "caveat_details": list(self.caveat_details),
            "disclosure": self._disclosure_dict(protection is not None),
            "headline": [item.to_dict() for item in self.headline],
            "provenance": _front.provenance_dict(self),
        }
        safe: dict[str, Any] = json_safe(out)
        return safe

    @functools.cached_property
    def headline(self) -> tuple[HeadlineItem, ...]:
        """The headline: reach, access, job outcomes, time to a job, in-work support.

        Each item has a ``topic``, a traffic-light ``judgement`` (``"red"``, ``"amber"``,
        ``"green"``, ``"not assessed"`` or ``"for information"``, by the rules of the
        methods page, "The report's headline") and one plain ``sentence`` with its
        number, which under disclosure control comes from the published counts.
        """
        return headline(self, self._protection)

    @functools.cached_property
    def _protection(self) -> Protection | None:
        """The decision, per count, of what the report shows (``None``: no control)."""
        if self.disclosure is None:
            return None
        ledger = build_ledger(self)
        register(ledger, self)  # the counts of the indicator sections
        return protect(ledger, self.disclosure)

    def disclosure_audit(self) -> DisclosureAudit | None:
        """Check that no suppressed count can be recovered from what the report publishes.

        Every count the report publishes (in any table, sentence or JSON field) and every
        total that ties counts together (a group's people as the sum of those with and
        without a job; people analysed as the sum over the groups of each attribute and
        those whose value is missing; the minimum-follow-up window as part of everyone
        ...) enter one system; :func:`~ipsstats.audit_counts` then bounds each suppressed
        count over every table of whole numbers consistent with all of it. Percentages,
        rates and intervals are computed from the published counts, so they add no
        constraint.

        Returns
        -------
        DisclosureAudit or None
            The audit (``n_recoverable`` is 0 unless the rules themselves pin a count,
            as a threshold of 2 with zeros shown does); ``None`` for a report made
            without ``suppress``.
        """
        protection = self._protection
        return None if protection is None else protection.audit

    def _disclosure_dict(self, protected: bool) -> dict[str, Any]:
        if self.disclosure is None:
            return {
                "applied": False,
                "unsuppressed_included": True,
                "threshold": None,
                "round_to": None,
                "derived_from": "exact counts",
                "audit": None,
                "note": "no disclosure control was applied",
            }
        if protected:
            note = (
                "counts are shown as published: those below the threshold, and those that "
                "would let a suppressed count be recovered from the report's other numbers, "
                "are null with their reason under 'suppressed'; the others are rounded. "
                "Every count is protected in the same way wherever it appears. Shares, "
                "rates, ratios and intervals are computed from the published counts, and "
                "are null where one of them is suppressed; test statistics and p-values are "
                "computed on the exact data and given at the precision the report prints; "
                "tables of counts and Kaplan-Meier shares are left out"
            )
        else:
            note = (
                "audit copy: every number is unsuppressed, as computed; small counts are "
                "suppressed in the text, Markdown and HTML renderings only. "
                "Not for publication"
            )
        audit = self.disclosure_audit()
        return {
            "applied": True,
            "unsuppressed_included": not protected,
            "threshold": self.disclosure.threshold,
            "round_to": self.disclosure.round_to,
            "derived_from": "published counts" if protected else "exact counts",
            "audit": None if audit is None else _as_audit_dict(audit),
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
        """Describe the report as a :class:`~ipsstats.report.render.Document` for the renderers.

        Parameters
        ----------
        figures : bool, default False
            Also draw the figures (needs matplotlib): the representation chart per
            access attribute, the job-rate forest plot per outcome analysis, and per
            duration analysis the Kaplan-Meier curves by group and, for time to a job,
            the cumulative incidence of a job with discharge as a competing risk. Each
            becomes a :class:`~ipsstats.report.render.Figure` holding SVG, or, without
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
        protection = self._protection
        unit = str(self.options.get("time_unit", "months"))
        body: list[Section] = [
            Section(title="Summary", blocks=[BulletList(items=self.summary)]),
            _completeness_section(self, protection),
        ]
        if self.access:
            body.append(
                Section(
                    title="Access and reach",
                    blocks=[
                        _access_section(k, v, protection, figures) for k, v in self.access.items()
                    ],
                )
            )
        standardised = indicators.standardised_section(self, protection)
        if standardised is not None:
            body.append(standardised)
        outcome_blocks = _front.outcome_blocks(self, protection, figures)
        body.append(Section(title="Job outcomes", blocks=outcome_blocks))
        by_service = indicators.funnel_section(self, protection, figures)
        if by_service is not None:
            body.append(by_service)
        duration_blocks = [
            _duration_section(d, protection, figures, unit)
            for by_measure in self.durations.values()
            for d in by_measure.values()
            if d is not None
        ]
        body.append(Section(title="Durations", blocks=duration_blocks))
        if self.caveats:
            body.append(
                Section(
                    title="Analyses not run",
                    blocks=[Note(text=c, kind="caveat") for c in self.caveats],
                )
            )
        body += [_glossary_section(), _cell_key_section()]
        blocks = _front.with_front(self, body, figures)
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
                        f"to the nearest {self.disclosure.round_to}, each count protected in "
                        "the same way wherever it appears; percentages, rates and intervals "
                        "from the rounded counts"
                    ),
                )
            )
        return pairs

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


# --------------------------------------------------------------------------------------
# the JSON form under disclosure control: counts as displayed, the rest withheld
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# equity_report
# --------------------------------------------------------------------------------------


def equity_report(
    cohort: Cohort,
    *,
    eligible: object = None,
    study_end: object = None,
    min_followup_months: int = 6,
    by: Sequence[str] | str | None = None,
    suppress: bool | Mapping[str, int] = False,
    access_method: AccessMethod = "homogeneity",
    missing: MissingGroupRule = "exclude",
    missing_labels: Collection[object] = (),
    confidence_level: float = 0.95,
    adjust: PValueAdjustment = "holm",
    landmarks: Sequence[float] = (6, 12),
    rng: int = 0,
    title: str = "IPS equity report",
    service: str | None = None,
    source: str | None = None,
    source_sha256: str | None = None,
    time_unit: Literal["months", "days"] = "months",
    standardise: Sequence[str] | str | None = None,
    by_service: str | None = None,
    funnel_overdispersion: Overdispersion = "none",
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
    study_end : date, optional
        The study end: job outcomes are judged at this date, durations are censored at
        it, and the minimum-follow-up window ends on it; people who accessed after it are
        left out and counted (:meth:`Cohort.with_study_end
        <ipsstats.Cohort.with_study_end>`). Every section of the report uses the same
        date. At most the cohort's ``observed_until``; default the cohort's
        :attr:`~ipsstats.Cohort.study_end`.
    min_followup_months : int
        The window for the second outcome analysis: people with at least this many whole
        months between first contact and `study_end`.
    by : str or sequence of str, optional
        Categorical attributes to compare groups by; default: every categorical attribute.
    suppress : bool or Mapping[str, int]
        Disclosure control of everything the report publishes (text, Markdown, HTML, CSV
        and JSON): ``True`` shows counts below 5 as ``*`` and rounds the others to the
        nearest 5; a mapping sets ``threshold`` and ``round_to``. Each count is decided
        once for the whole report and shown the same way wherever it appears (IPS users
        by group in the access, outcome and duration tables; people analysed in every
        sentence), and further counts are suppressed until
        :meth:`EquityReport.disclosure_audit` finds no suppressed count that the
        report's published numbers, tied by every total they share, determine exactly.
        Percentages, rates, ratios, intervals and flags are computed from the published
        (rounded) counts; tests are computed on the exact data and printed as usual; the
        Kaplan-Meier shares at the landmarks, the smallest expected count and the
        figures are left out; free-text caveats have their numbers replaced by ``*``.
        The JSON form is protected in the same way (see :meth:`EquityReport.to_dict`).
        Without rounding (``round_to=1``) linked tables need many more suppressions:
        keep the defaults for anything published.
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
    service, source, source_sha256 : str, optional
        Provenance shown in the report: the service's name, the data file's name (default:
        the cohort's record of its source) and the SHA-256 checksum of its bytes.
    time_unit : {"months", "days"}
        The unit of every duration the report shows, in tables and figures alike.
    standardise : sequence of str, optional
        Strata, e.g. ``("age", "gender")``: adds "Access standardised for age and
        gender", with per `by` attribute (not itself a stratum) the indirectly
        standardised access ratio of each group beside the crude ratio, and job outcomes
        adjusted for the strata. ``"age"`` means the bands ``<=25``, ``26-40``,
        ``41-55``, ``>55`` of a numeric ``age`` (:meth:`Cohort.with_age_band
        <ipsstats.Cohort.with_age_band>`). `eligible` must then hold, per attribute,
        counts keyed ``(group, level of each stratum, ...)``, e.g. ``{"ethnicity":
        {("White", "26-40", "Female"): 120, ...}}`` (see :doc:`/methods`).
    by_service : str, optional
        The attribute naming each person's service or team: adds "Job rates by ...", a
        funnel of the services' job rates (95% and 99.8% limits), as table and figure.
    funnel_overdispersion : {"none", "multiplicative", "additive"}
        How the funnel's limits allow for over-dispersion (:func:`~ipsstats.funnel`).

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
        users), `study_end` is after ``observed_until``, `standardise` is given with
        caseload counts that are not by group and stratum, or an option is invalid.

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
    '2.2'
    """
    if not isinstance(cohort, Cohort):
        raise fail("cohort", "be a Cohort", type(cohort).__name__)
    unit = as_option(time_unit, "time_unit", TIME_UNITS)
    service_name = _front.metadata_option(service, "service")
    source_name = _front.metadata_option(source, "source")
    checksum = _front.checksum_option(source_sha256)
    level = as_confidence_level(confidence_level)
    how = as_option(adjust, "adjust", PVALUE_ADJUSTMENTS)
    method = as_option(access_method, "access_method", ACCESS_METHODS)
    rule = as_option(missing, "missing", MISSING_GROUP_RULES)
    months = months_option(min_followup_months)
    if study_end is not None:
        cohort = cohort.with_study_end(study_end)
    end = cohort.study_end
    names = by_option(cohort, by)
    given = eligible_option(eligible, names)
    extra = plan(cohort, given, standardise, by_service, funnel_overdispersion)
    disclosure = disclosure_option(suppress)
    caveats: list[str] = []
    access: dict[str, AccessEquity] = {}
    sizes: dict[str, dict[str, int]] = {}
    for name, given_counts in extra.crude.items():
        counts = to_counts(given_counts, "eligible", missing_labels)
        ips = ips_counts(cohort.tally(name), counts, name)
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
        outcome_all[name] = attempt(
            caveats,
            f"job outcomes by {name}, everyone",
            lambda name=name: outcome_equity(  # type: ignore[misc]
                cohort, name, confidence_level=level, adjust=how, rng=rng
            ),
        )
        outcome_window[name] = attempt(
            caveats,
            f"job outcomes by {name}, at least {months} months' follow-up",
            lambda name=name: outcome_equity(  # type: ignore[misc]
                cohort,
                name,
                min_followup_months=months,
                confidence_level=level,
                adjust=how,
                rng=rng,
            ),
        )
        durations[name] = {
            measure: attempt(
                caveats,
                f"{measure.replace('_', ' ')} by {name}",
                lambda name=name, measure=measure: duration_equity(  # type: ignore[misc]
                    cohort, name, measure=measure, landmarks=landmarks, confidence_level=level
                ),
            )
            for measure in MEASURES
        }
    found = extra.run(
        cohort, names, missing_labels=list(missing_labels), level=level, caveats=caveats
    )
    alpha = 1.0 - level
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
        "time_unit": unit,
        **extra.options(),
    }
    draft = EquityReport(
        title=title,
        cohort_source=cohort.validation.source,
        observed_until=cohort.observed_until.isoformat(),
        n_people=cohort.n,
        validation=cohort.validation.to_dict(),
        selection_steps=tuple(step.to_dict() for step in cohort.exclusions),
        missing_by_attribute=missing_by_attribute(cohort),
        eligible_sizes=sizes,
        options=options,
        access=access,
        outcome_all=outcome_all,
        outcome_window=outcome_window,
        durations=durations,
        summary=(),
        caveats=tuple(_redact(plain_caveat(c), disclosure) for c in caveats),
        disclosure=disclosure,
        service=service_name,
        source=source_name,
        source_sha256=checksum,
        generated_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        caveat_details=tuple(_redact(c, disclosure) for c in caveats),
        **found,
    )
    report = attrs.evolve(draft, summary=_summary(draft, alpha))
    # the protection depends on the counts only, which the summary does not change: keep
    # the one computed for the draft rather than computing it again
    object.__setattr__(report, "_protection", draft._protection)  # own cache
    return report


def _summary(report: EquityReport, alpha: float) -> tuple[str, ...]:
    """Write the plain-language findings, with counts as the report publishes them."""
    protection = report._protection  # the report's own protection
    summary = [_completeness_summary(report, protection)]
    for name, res in report.access.items():
        summary += _access_summary(name, res, alpha, protection)
    for name in report.options["by"]:
        outcomes = [report.outcome_all[name]]
        if _front.window_differs(report, name):
            outcomes.append(report.outcome_window[name])
        for outcome in outcomes:
            if outcome is not None:
                summary += _outcome_summary(outcome, alpha, protection)
        for d in report.durations[name].values():
            if d is not None:
                summary += _duration_summary(d, alpha)
    summary += indicators.indicator_summary(report, protection)
    return tuple(summary)
