"""The report wing: one-call equity reports, disclosure control and renderers.

:func:`equity_report` runs every equity analysis on a cohort and gathers the results in an
:class:`EquityReport`, which renders to text, Markdown, HTML, CSV and JSON (the JSON form
follows :data:`REPORT_SCHEMA`). Under disclosure control every count of a report is
protected once, wherever it appears, and :func:`audit_counts` checks that no suppressed
count can be recovered from what is published; :func:`suppress_small_counts` protects a
single table. The renderers live in :mod:`ipsstats.report.render`.
"""

from ipsstats.report.audit import AuditedCount, DisclosureAudit, audit_counts
from ipsstats.report.disclosure import Disclosure, SuppressedTable, suppress_small_counts
from ipsstats.report.report import EquityReport, equity_report
from ipsstats.report.schema import REPORT_SCHEMA, REPORT_SCHEMA_VERSION

__all__ = [
    "REPORT_SCHEMA",
    "REPORT_SCHEMA_VERSION",
    "AuditedCount",
    "Disclosure",
    "DisclosureAudit",
    "EquityReport",
    "SuppressedTable",
    "audit_counts",
    "equity_report",
    "suppress_small_counts",
]
