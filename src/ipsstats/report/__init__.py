"""The report wing: one-call equity reports, disclosure control and renderers.

:func:`equity_report` runs every equity analysis on a cohort and gathers the results in an
:class:`EquityReport`, which renders to text, Markdown, HTML, CSV and JSON (the JSON form
follows :data:`REPORT_SCHEMA`). :func:`suppress_small_counts` protects tables for
publication. The renderers live in :mod:`ipsstats.report.render`.
"""

from ipsstats.report.disclosure import Disclosure, SuppressedTable, suppress_small_counts
from ipsstats.report.report import EquityReport, equity_report
from ipsstats.report.schema import REPORT_SCHEMA, REPORT_SCHEMA_VERSION

__all__ = [
    "REPORT_SCHEMA",
    "REPORT_SCHEMA_VERSION",
    "Disclosure",
    "EquityReport",
    "SuppressedTable",
    "equity_report",
    "suppress_small_counts",
]
