"""ipsstats: equity statistics for Individual Placement and Support (IPS) services.

Users import from ``ipsstats`` only; this module re-exports the public API.
"""

from ipsstats._version import __version__
from ipsstats.errors import (
    InsufficientDataError,
    InvalidInputError,
    IpsStatsError,
    IpsStatsWarning,
    SmallExpectedCountWarning,
)
from ipsstats.results import Estimate, TestResult

__all__ = [
    "Estimate",
    "InsufficientDataError",
    "InvalidInputError",
    "IpsStatsError",
    "IpsStatsWarning",
    "SmallExpectedCountWarning",
    "TestResult",
    "__version__",
]
