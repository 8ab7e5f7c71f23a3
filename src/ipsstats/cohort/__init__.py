"""The cohort wing: people, their dates and attributes, validated and selected.

A :class:`Cohort` is built from a CSV file, records or columns; every rejected record is
described in its :class:`ValidationReport`. Selection windows (access periods, minimum
follow-up) return masks that the cohort applies, recording each step as
:class:`Exclusions`. Durations for the survival wing come from :meth:`Cohort.time_to_job`,
:meth:`Cohort.in_work_support` and :meth:`Cohort.job_or_discharge`.
"""

from ipsstats.cohort.cohort import Cohort
from ipsstats.cohort.durations import CAUSE_LABELS, CompetingDurations, Durations, age_band
from ipsstats.cohort.validation import REASONS, ROLES, ValidationReport
from ipsstats.cohort.windows import MAX_MONTHS, Exclusions, as_months, followup_cutoff

__all__ = [
    "CAUSE_LABELS",
    "MAX_MONTHS",
    "REASONS",
    "ROLES",
    "Cohort",
    "CompetingDurations",
    "Durations",
    "Exclusions",
    "ValidationReport",
    "age_band",
    "as_months",
    "followup_cutoff",
]
