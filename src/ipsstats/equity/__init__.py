"""The equity wing: equity of access, outcome and duration between groups of people using IPS.

Three questions, one function each, every one returning a frozen result holding all the
numbers a paper or a commissioner's report prints, with the small-count and missing-data
decisions recorded on it:

- :func:`access_equity`: do the groups reach IPS in proportion to their share of the
  eligible caseload?
- :func:`outcome_equity`: do the groups gain jobs at the same rate?
- :func:`duration_equity`: do the groups wait as long for a job, and are they supported
  in work as long?

Public-health indicator methods answer the same questions allowing for case mix and
comparing many units:

- standardisation for age, gender or other strata: :func:`direct_standardise`,
  :func:`indirect_standardise`, :func:`mantel_haenszel_comparison`, and from a cohort
  :func:`standardised_access` and :func:`standardised_outcomes`;
- funnel plots of services or teams: :func:`funnel`, :func:`outcome_funnel`;
- inequality across ordered groups: :func:`slope_index`, :func:`concentration_index`,
  :func:`proportion_inequality`, :func:`outcome_inequality`.

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
from ipsstats.equity.adjusted import AdjustedComparison, AdjustedGroup, mantel_haenszel_comparison
from ipsstats.equity.casemix import (
    StandardisedOutcomes,
    standardised_access,
    standardised_outcomes,
)
from ipsstats.equity.concentration import (
    ConcentrationIndex,
    InequalityIndices,
    concentration_index,
    outcome_inequality,
    proportion_inequality,
)
from ipsstats.equity.duration import DurationEquity, DurationGroup, Landmark, duration_equity
from ipsstats.equity.funnel import (
    FUNNEL_KINDS,
    OVERDISPERSION,
    Funnel,
    FunnelFlag,
    FunnelKind,
    FunnelUnit,
    Overdispersion,
    funnel,
    outcome_funnel,
)
from ipsstats.equity.inequality import (
    INEQUALITY_TRANSFORMS,
    SLOPE_METHODS,
    InequalityTransform,
    SlopeIndex,
    SlopeMethod,
    slope_index,
)
from ipsstats.equity.outcome import OutcomeEquity, OutcomeGroup, outcome_equity
from ipsstats.equity.standardise import (
    COUNT_LIMITS,
    DSR_METHODS,
    RATIO_METHODS,
    CountLimits,
    DirectStandardisation,
    DsrMethod,
    IndirectStandardisation,
    RatioMethod,
    StandardisedRate,
    StandardisedRatio,
    direct_standardise,
    indirect_standardise,
)

__all__ = [
    "ACCESS_METHODS",
    "COUNT_LIMITS",
    "DSR_METHODS",
    "FUNNEL_KINDS",
    "INEQUALITY_TRANSFORMS",
    "MEASURES",
    "MISSING_GROUP_RULES",
    "OVERDISPERSION",
    "RATIO_METHODS",
    "SLOPE_METHODS",
    "AccessEquity",
    "AccessGroup",
    "AccessMethod",
    "AdjustedComparison",
    "AdjustedGroup",
    "ConcentrationIndex",
    "CountLimits",
    "DirectStandardisation",
    "DsrMethod",
    "DurationEquity",
    "DurationGroup",
    "Flag",
    "Funnel",
    "FunnelFlag",
    "FunnelKind",
    "FunnelUnit",
    "IndirectStandardisation",
    "InequalityIndices",
    "InequalityTransform",
    "Landmark",
    "Measure",
    "MissingGroupRule",
    "OutcomeEquity",
    "OutcomeGroup",
    "Overdispersion",
    "RatioMethod",
    "ReportedTest",
    "SlopeIndex",
    "SlopeMethod",
    "StandardisedOutcomes",
    "StandardisedRate",
    "StandardisedRatio",
    "access_equity",
    "concentration_index",
    "direct_standardise",
    "duration_equity",
    "funnel",
    "indirect_standardise",
    "mantel_haenszel_comparison",
    "outcome_equity",
    "outcome_funnel",
    "outcome_inequality",
    "proportion_inequality",
    "slope_index",
    "standardised_access",
    "standardised_outcomes",
]
