"""ipsstats: equity statistics for Individual Placement and Support (IPS) services.

Users import from ``ipsstats`` only; this module re-exports the public API. The code lives
in wings by concern: :mod:`ipsstats.categorical`, :mod:`ipsstats.survival`,
:mod:`ipsstats.cohort`, :mod:`ipsstats.equity` and :mod:`ipsstats.report`, on a core of
:mod:`ipsstats.errors`, :mod:`ipsstats.results`, :mod:`ipsstats.factor` and
:mod:`ipsstats.calendar`.
"""

from ipsstats import _compat, datasets
from ipsstats._version import __version__
from ipsstats.calendar import add_months, days_to_months, months_between
from ipsstats.categorical import (
    CMHResult,
    ComparisonEstimate,
    ContingencyTable,
    Counts,
    GoodnessOfFitResult,
    IndependenceResult,
    StratifiedTable,
    TrendResult,
    adjust_pvalues,
    adjusted_residuals,
    cmh,
    cramers_v,
    crosstab,
    goodness_of_fit,
    homogeneity,
    independence,
    odds_ratio,
    pearson_residuals,
    proportion,
    risk_difference,
    risk_ratio,
    tally,
    trend,
)
from ipsstats.cohort import (
    Cohort,
    CompetingDurations,
    Durations,
    Exclusions,
    ValidationReport,
    age_band,
    followup_cutoff,
)
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
from ipsstats.report import (
    AuditedCount,
    DisclosureAudit,
    EquityReport,
    SuppressedTable,
    audit_counts,
    equity_report,
    suppress_small_counts,
)
from ipsstats.results import Estimate, TestResult
from ipsstats.survival import (
    GrayTestResult,
    IncidenceCurve,
    LifeTable,
    LogrankResult,
    SurvivalCurve,
    SurvivalTable,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank,
)

_compat.install()

__all__ = [
    "AccessEquity",
    "AccessGroup",
    "AuditedCount",
    "CMHResult",
    "Cohort",
    "ComparisonEstimate",
    "CompetingDurations",
    "ContingencyTable",
    "Counts",
    "DisclosureAudit",
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
    "audit_counts",
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


def __getattr__(name: str) -> object:
    """Resolve the 0.1 module attributes (``ipsstats.render``, ...) with a deprecation."""
    old = f"ipsstats.{name}"
    if old in _compat.MOVED_MODULES:
        import importlib  # noqa: PLC0415  # only for the deprecated paths

        return importlib.import_module(old)
    raise AttributeError(f"module 'ipsstats' has no attribute {name!r}")
