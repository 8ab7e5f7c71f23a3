"""The categorical wing: who, and how many.

Labelled counts and contingency tables built from records (:func:`tally`,
:func:`crosstab`), the chi-squared family of goodness-of-fit, homogeneity and independence
tests with their exact and Monte Carlo engines, stratified tests (Cochran-Mantel-Haenszel,
trend) and proportions with their comparisons.
"""

from ipsstats.categorical.comparisons import (
    ComparisonEstimate,
    odds_ratio,
    risk_difference,
    risk_ratio,
)
from ipsstats.categorical.counts import Counts, to_counts
from ipsstats.categorical.crosstab import crosstab, tally
from ipsstats.categorical.gof import GoodnessOfFitResult, goodness_of_fit, homogeneity
from ipsstats.categorical.independence import IndependenceResult, independence
from ipsstats.categorical.multiplicity import PVALUE_ADJUSTMENTS, PValueAdjustment, adjust_pvalues
from ipsstats.categorical.proportion_tests import ProportionTestResult, proportion_test
from ipsstats.categorical.proportions import proportion
from ipsstats.categorical.residuals import adjusted_residuals, cramers_v, pearson_residuals
from ipsstats.categorical.stratified import CMHResult, TrendResult, cmh, trend
from ipsstats.categorical.tables import ContingencyTable, StratifiedTable
from ipsstats.categorical.unconditional import UnconditionalResult, barnard, boschloo

__all__ = [
    "PVALUE_ADJUSTMENTS",
    "CMHResult",
    "ComparisonEstimate",
    "ContingencyTable",
    "Counts",
    "GoodnessOfFitResult",
    "IndependenceResult",
    "PValueAdjustment",
    "ProportionTestResult",
    "StratifiedTable",
    "TrendResult",
    "UnconditionalResult",
    "adjust_pvalues",
    "adjusted_residuals",
    "barnard",
    "boschloo",
    "cmh",
    "cramers_v",
    "crosstab",
    "goodness_of_fit",
    "homogeneity",
    "independence",
    "odds_ratio",
    "pearson_residuals",
    "proportion",
    "proportion_test",
    "risk_difference",
    "risk_ratio",
    "tally",
    "to_counts",
    "trend",
]
