"""Published aggregates from the source papers, ready for the tests and estimators.

:func:`perkins2022` returns the counts of Perkins et al. (2022) (ethnicity of people
accessing two IPS services, of the community mental health caseload they serve, and job
outcomes by ethnicity) as labelled tables, with the published statistics beside them;
:func:`reproduce_perkins2022` recomputes its Tables 2 and 3 and compares them with the
printed values.
"""

from __future__ import annotations

from ipsstats.datasets._perkins2022 import Perkins2022, perkins2022
from ipsstats.datasets._reproduce import PublishedCheck, Reproduction, reproduce_perkins2022
from ipsstats.datasets._synthetic import (
    SYNTHETIC_MISSING_LABELS,
    SYNTHETIC_OBSERVED_UNTIL,
    example_path,
    synthetic_caseload,
    synthetic_cohort,
    write_example_files,
)

__all__ = [
    "SYNTHETIC_MISSING_LABELS",
    "SYNTHETIC_OBSERVED_UNTIL",
    "Perkins2022",
    "PublishedCheck",
    "Reproduction",
    "example_path",
    "perkins2022",
    "reproduce_perkins2022",
    "synthetic_caseload",
    "synthetic_cohort",
    "write_example_files",
]
