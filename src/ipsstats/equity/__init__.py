"""The equity wing: equity of access, outcome and duration between groups of people using IPS.

Three questions, one function each, every one returning a frozen result holding all the
numbers a paper or a commissioner's report prints, with the small-count and missing-data
decisions recorded on it:

- :func:`access_equity`: do the groups reach IPS in proportion to their share of the
  eligible caseload?
- :func:`outcome_equity`: do the groups gain jobs at the same rate?
- :func:`duration_equity`: do the groups wait as long for a job, and are they supported
  in work as long?

The statistics themselves come from the categorical and survival wings; this wing
assembles them.
"""

from ipsstats.equity._common import (
    ACCESS_METHODS,
    MEASURES,
    MISSING_GROUP_RULES,
    AccessMethod,
    Flag,
    Measure,
    MissingGroupRule,
    ReportedTest,
)
from ipsstats.equity.access import AccessEquity, AccessGroup, access_equity
from ipsstats.equity.duration import DurationEquity, DurationGroup, Landmark, duration_equity
from ipsstats.equity.outcome import OutcomeEquity, OutcomeGroup, outcome_equity

__all__ = [
    "ACCESS_METHODS",
    "MEASURES",
    "MISSING_GROUP_RULES",
    "AccessEquity",
    "AccessGroup",
    "AccessMethod",
    "DurationEquity",
    "DurationGroup",
    "Flag",
    "Landmark",
    "Measure",
    "MissingGroupRule",
    "OutcomeEquity",
    "OutcomeGroup",
    "ReportedTest",
    "access_equity",
    "duration_equity",
    "outcome_equity",
]
