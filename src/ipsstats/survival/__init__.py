"""The survival wing: how long.

Life tables (the additive sufficient statistics of censored durations), Kaplan-Meier and
Fleming-Harrington survival curves, the Nelson-Aalen cumulative hazard, k-sample log-rank
tests, and competing risks (Aalen-Johansen cumulative incidence and Gray's test).
"""

from ipsstats.survival.competing import (
    GrayTestResult,
    IncidenceCurve,
    cumulative_incidence,
    gray_test,
)
from ipsstats.survival.kaplan_meier import SurvivalCurve, SurvivalTable, kaplan_meier
from ipsstats.survival.lifetable import LifeTable
from ipsstats.survival.logrank import LogrankResult, logrank
from ipsstats.survival.nelson_aalen import CumulativeHazard, nelson_aalen

__all__ = [
    "CumulativeHazard",
    "GrayTestResult",
    "IncidenceCurve",
    "LifeTable",
    "LogrankResult",
    "SurvivalCurve",
    "SurvivalTable",
    "cumulative_incidence",
    "gray_test",
    "kaplan_meier",
    "logrank",
    "nelson_aalen",
]
