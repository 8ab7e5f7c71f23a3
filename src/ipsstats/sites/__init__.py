"""The sites wing: several services analysed together from the counts they share.

Services that may share counts but not records export a *site summary* each
(:func:`site_summary`, a :class:`SiteSummary` written as versioned JSON or Parquet, with
an optional disclosure-safe form), and a coordinating analyst pools them
(:func:`combine_sites`): pooled tables and tests, tests per site and across sites
(Cochran-Mantel-Haenszel), Kaplan-Meier curves and log-rank tests from the pooled exit
tables, stratified by site. Exact summaries give exactly the numbers of the pooled records.

The wing sits above the equity wing: it uses the cohort, categorical, survival and equity
wings through their public names, and nothing but the command line uses it.
"""

from ipsstats.sites.combine import PooledAnalysis, combine_sites
from ipsstats.sites.export import site_summary
from ipsstats.sites.schema import SUMMARY_FORMAT, SUMMARY_SCHEMA, SUMMARY_SCHEMA_VERSION
from ipsstats.sites.summary import AttributeSummary, GroupExits, SiteSummary
from ipsstats.sites.tables import JOB_KINDS_CENSORED, KINDS, MEASURE_EVENTS, ExitTable

__all__ = [
    "JOB_KINDS_CENSORED",
    "KINDS",
    "MEASURE_EVENTS",
    "SUMMARY_FORMAT",
    "SUMMARY_SCHEMA",
    "SUMMARY_SCHEMA_VERSION",
    "AttributeSummary",
    "ExitTable",
    "GroupExits",
    "PooledAnalysis",
    "SiteSummary",
    "combine_sites",
    "site_summary",
]
