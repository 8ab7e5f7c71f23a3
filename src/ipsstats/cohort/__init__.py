"""The cohort wing: people, their dates and attributes, validated and selected.

A :class:`Cohort` is built from a CSV file, records or columns; every rejected record is
described in its :class:`ValidationReport`. Selection windows (access periods, minimum
follow-up) return masks that the cohort applies, recording each step as
:class:`Exclusions`. Durations for the survival wing come from :meth:`Cohort.time_to_job`,
:meth:`Cohort.in_work_support` and :meth:`Cohort.job_or_discharge`.
"""

from ipsstats.cohort._roles import ROLE_SYNONYMS
from ipsstats.cohort.codes import (
    IMD_QUINTILES,
    NHS_ETHNIC_CATEGORY,
    NHS_ETHNIC_GROUPS,
    NHS_ETHNIC_NOT_RECORDED,
    CodedAttribute,
    imd_quintile,
    nhs_ethnicity,
)
from ipsstats.cohort.cohort import Cohort
from ipsstats.cohort.durations import CAUSE_LABELS, CompetingDurations, Durations, age_band
from ipsstats.cohort.validation import REASONS, ROLES, ValidationReport
from ipsstats.cohort.windows import MAX_MONTHS, Exclusions, as_months, followup_cutoff

__all__ = [
    "CAUSE_LABELS",
    "IMD_QUINTILES",
    "MAX_MONTHS",
    "NHS_ETHNIC_CATEGORY",
    "NHS_ETHNIC_GROUPS",
    "NHS_ETHNIC_NOT_RECORDED",
    "REASONS",
    "ROLES",
    "ROLE_SYNONYMS",
    "CodedAttribute",
    "Cohort",
    "CompetingDurations",
    "Durations",
    "Exclusions",
    "ValidationReport",
    "age_band",
    "as_months",
    "followup_cutoff",
    "imd_quintile",
    "nhs_ethnicity",
]
