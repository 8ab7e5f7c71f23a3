"""ipsstats: equity statistics for Individual Placement and Support (IPS) services.

Users import from ``ipsstats`` only; this module re-exports the public API.
"""

from ipsstats import datasets
from ipsstats._version import __version__
from ipsstats.calendar import add_months, days_to_months, months_between
from ipsstats.cohort import (
    Cohort,
    CompetingDurations,
    Durations,
    ValidationReport,
    age_band,
)
from ipsstats.competing import (
    GrayTestResult,
    IncidenceCurve,
    cumulative_incidence,
    gray_test,
)
from ipsstats.contingency import ContingencyTable, Counts, StratifiedTable, crosstab, tally
from ipsstats.disclosure import SuppressedTable, suppress_small_counts
from ipsstats.equity import (
    AccessEquity,
    AccessGroup,
    DurationEquity,
    DurationGroup,
    Landmark,
    OutcomeEquity,
    OutcomeGroup,
    ReportedTest,
    access_equity,
    duration_equity,
    outcome_equity,
)
from ipsstats.errors import (
    InsufficientDataError,
    InvalidInputError,
    IpsStatsError,
    IpsStatsWarning,
    SmallExpectedCountWarning,
)
from ipsstats.factor import Factor
from ipsstats.gof import GoodnessOfFitResult, goodness_of_fit, homogeneity
from ipsstats.independence import (
    IndependenceResult,
    adjusted_residuals,
    cramers_v,
    independence,
    pearson_residuals,
)
from ipsstats.logrank import LogrankResult, logrank
from ipsstats.proportions import (
    ComparisonEstimate,
    adjust_pvalues,
    odds_ratio,
    proportion,
    risk_difference,
    risk_ratio,
)
from ipsstats.report import EquityReport, equity_report
from ipsstats.results import Estimate, TestResult
from ipsstats.stratified import CMHResult, TrendResult, cmh, trend
from ipsstats.survival import LifeTable, SurvivalCurve, SurvivalTable, kaplan_meier
from ipsstats.windows import Exclusions, followup_cutoff

__all__ = [
    "AccessEquity",
    "AccessGroup",
    "CMHResult",
    "Cohort",
    "ComparisonEstimate",
    "CompetingDurations",
    "ContingencyTable",
    "Counts",
    "DurationEquity",
    "DurationGroup",
    "Durations",
    "EquityReport",
    "Estimate",
    "Exclusions",
    "Factor",
    "GoodnessOfFitResult",
    "GrayTestResult",
    "IncidenceCurve",
    "IndependenceResult",
    "InsufficientDataError",
    "InvalidInputError",
    "IpsStatsError",
    "IpsStatsWarning",
    "Landmark",
    "LifeTable",
    "LogrankResult",
    "OutcomeEquity",
    "OutcomeGroup",
    "ReportedTest",
    "SmallExpectedCountWarning",
    "StratifiedTable",
    "SuppressedTable",
    "SurvivalCurve",
    "SurvivalTable",
    "TestResult",
    "TrendResult",
    "ValidationReport",
    "__version__",
    "access_equity",
    "add_months",
    "adjust_pvalues",
    "adjusted_residuals",
    "age_band",
    "cmh",
    "cramers_v",
    "crosstab",
    "cumulative_incidence",
    "datasets",
    "days_to_months",
    "duration_equity",
    "equity_report",
    "followup_cutoff",
    "goodness_of_fit",
    "gray_test",
    "homogeneity",
    "independence",
    "kaplan_meier",
    "logrank",
    "months_between",
    "odds_ratio",
    "outcome_equity",
    "pearson_residuals",
    "proportion",
    "risk_difference",
    "risk_ratio",
    "suppress_small_counts",
    "tally",
    "trend",
]
