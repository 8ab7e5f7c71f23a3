"""The front of an equity report: headline, provenance, and their options.

The headline's rules are described in :mod:`ipsstats.report._headline`; this module lays
the headline out as a table, writes the "About this report" block (service, data file and
its checksum, dates, version, generation time, options), and checks the options that feed
them.
"""

from __future__ import annotations

import re
from typing import Any

from ipsstats._arrays import fail
from ipsstats._version import __version__
from ipsstats.report._headline import RULES
from ipsstats.report._ledger import Protection
from ipsstats.report.render._document import BulletList, KeyValues, Note, Paragraph, Section, Table
from ipsstats.report.sections import _outcome_section, figures_withheld_note

__all__: list[str] = []

_SHA256 = re.compile(r"[0-9a-f]{64}")


def provenance_dict(report: Any) -> dict[str, Any]:
    return {
        "service": report.service,
        "source": report.source if report.source is not None else report.cohort_source,
        "source_sha256": report.source_sha256,
        "observed_until": report.observed_until,
        "study_end": str(report.options["study_end"]),
        "ipsstats_version": __version__,
        "generated_at": report.generated_at,
    }


def outcome_blocks(report: Any, protection: Protection | None, figures: bool) -> list[Any]:
    """Return the job-outcome sections; the window's only when it leaves someone out."""
    blocks: list[Any] = []
    for name in report.options["by"]:
        everyone = report.outcome_all.get(name)
        if everyone is not None:
            blocks.append(_outcome_section(everyone, "all", protection, figures))
        window = report.outcome_window.get(name)
        if window is None:
            continue
        if window_differs(report, name):
            blocks.append(_outcome_section(window, "window", protection, figures))
        else:
            blocks.append(Paragraph(text=same_window_sentence(report, name)))
    return blocks


def with_front(report: Any, body: list[Section], figures: bool) -> list[Any]:
    """Put the headline, the contents and the provenance block before the `body`."""
    front = [headline_section(report), provenance_section(report, figures)]
    listed = [b.title for b in (*front[1:], *body)]
    contents = Section(title="Contents", blocks=[BulletList(items=listed)])
    return [front[0], contents, *front[1:], *body]


def window_differs(report: Any, name: str) -> bool:
    """Whether the minimum-follow-up window leaves out anyone the whole cohort has."""
    window, everyone = report.outcome_window.get(name), report.outcome_all.get(name)
    if window is None or everyone is None:
        return True
    return bool(window.n_window_excluded > everyone.n_window_excluded)


def same_window_sentence(report: Any, name: str) -> str:
    months = report.options["min_followup_months"]
    return (
        f"Everyone with a known {name} had at least {months} months' follow-up, so the "
        f"job outcomes of those with {months} months' follow-up are those above and are "
        "not repeated."
    )


def headline_section(report: Any) -> Section:
    level = 100 * float(report.options["confidence_level"])
    alpha = float(report.options["significance_level"])
    rows = [(item.topic, item.judgement, item.sentence) for item in report.headline]
    notes = [
        (
            f"How the lights are set (significance level {alpha:g}, {level:g}% confidence "
            "intervals):"
        ),
        *RULES,
    ]
    return Section(
        title="Headline",
        blocks=[
            Table(
                header=("Question", "Judgement", "Finding"),
                rows=rows,
                notes=notes,
                align=("left", "left", "left"),
            )
        ],
    )


def provenance_section(report: Any, figures: bool) -> Section:
    p = provenance_dict(report)
    o = report.options
    options = (
        f"confidence level {100 * float(o['confidence_level']):g}%; "
        f"multiple testing {o['adjust']}; access comparison {o['access_method']}; "
        f"missing groups {o['missing']}; minimum follow-up {o['min_followup_months']} "
        f"months; landmarks {', '.join(f'{m:g}' for m in o['landmarks_months'])} months; "
        f"durations in {o.get('time_unit', 'months')}; random seed {o['rng']}; "
        f"compared by {', '.join(o['by'])}"
    )
    disclosure = "none: counts are shown as they are"
    if report.disclosure is not None:
        disclosure = (
            f"counts below {report.disclosure.threshold} shown as *, others rounded to the "
            f"nearest {report.disclosure.round_to}"
        )
    items = [
        ("Service", p["service"] or "not given"),
        ("Data source", p["source"] or "not given"),
        ("SHA-256 of the data file", p["source_sha256"] or "not given"),
        ("Data extracted", p["observed_until"]),
        ("Study end", p["study_end"]),
        ("Made with", f"ipsstats {__version__}"),
        ("Generated (UTC)", p["generated_at"] or "not recorded"),
        ("Options", options),
        ("Disclosure control", disclosure),
    ]
    blocks: list[Any] = [KeyValues(items=items)]
    if figures and report.disclosure is not None:
        blocks.append(Note(text=figures_withheld_note()))
    return Section(title="About this report", blocks=blocks)


def metadata_option(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(name, "be None or a non-empty string", repr(value))
    return value.strip()


def checksum_option(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.fullmatch(value.strip().lower()):
        raise fail(
            "source_sha256",
            "be None or a SHA-256 checksum: 64 hexadecimal digits",
            repr(value)[:80],
            hint="e.g. hashlib.sha256(path.read_bytes()).hexdigest().",
        )
    return value.strip().lower()
