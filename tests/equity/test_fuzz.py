"""Only ipsstats errors out of the equity wing, and no silent NaN.

Every public function of the wing (the equity tests and the indicator methods:
standardisation, funnels, slope and concentration indices, Mantel-Haenszel comparisons)
and the methods of its results are fed hostile input (NaN, infinities, integers past the
int64 and float64 limits, complex numbers, booleans, objects, ragged and empty arrays,
text, dates) in one argument at a time: each must refuse with an
:class:`~ipsstats.IpsStatsError` subclass or return a result whose numbers are not NaN.
numpy's floating-point warnings (overflow, invalid value) count as failures.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsstats import (
    Cohort,
    Counts,
    InvalidInputError,
    IpsStatsError,
    IpsStatsWarning,
    access_equity,
    concentration_index,
    direct_standardise,
    duration_equity,
    funnel,
    indirect_standardise,
    mantel_haenszel_comparison,
    outcome_equity,
    outcome_funnel,
    outcome_inequality,
    proportion_inequality,
    slope_index,
    standardised_access,
    standardised_outcomes,
)
from tests.strategies import hostile_arrays, junk_values

COHORT = Cohort.from_columns(
    {
        "accessed": ["2022-05-01"] * 8,
        "job_start": ["2022-07-01", None, "2022-09-01", None, "2022-06-01", None,
                      "2022-08-01", None],
        "ethnicity": ["A", "A", "A", "B", "B", "B", "B", None],
        "deprivation": [1, 1, 2, 2, 3, 3, 1, 2],
        "age_band": ["young", "young", "old", "young", "young", "old", "old", "old"],
        "gender": ["F", "M", "F", "F", "M", "M", "F", "F"],
    },
    observed_until="2023-03-31",
)  # fmt: skip
ELIGIBLE = {
    ("A", "young", "F"): 10, ("A", "young", "M"): 12, ("A", "old", "F"): 30,
    ("A", "old", "M"): 25, ("B", "young", "F"): 20, ("B", "young", "M"): 15,
    ("B", "old", "F"): 6, ("B", "old", "M"): 9,
}  # fmt: skip
EVENTS = [[3, 5], [4, 2], [6, 1]]
POPULATION = [[30, 40], [35, 20], [50, 10]]
STANDARD = [100, 50]
RATES = [0.1, 0.08]
IPS = {"a": 10, "b": 20, "c": 7}
CASELOAD = {"a": 100, "b": 90, "c": 60}
SII_VALUES = [0.2, 0.3, 0.45]
SII_POPULATION = [100, 120, 80]
FUNNEL = funnel([5, 9, 12, 3], [50, 60, 80, 40])
FAST: dict[str, Any] = {"n_simulations": 1000, "rng": 1}


def _calls() -> dict[str, Callable[[Any], object]]:
    c = COHORT
    return {
        "access_equity-ips_counts": lambda x: access_equity(x, CASELOAD),
        "access_equity-eligible_counts": lambda x: access_equity(IPS, x),
        "access_equity-method": lambda x: access_equity(IPS, CASELOAD, method=x),
        "access_equity-missing": lambda x: access_equity(IPS, CASELOAD, missing=x),
        "access_equity-missing_labels": lambda x: access_equity(IPS, CASELOAD, missing_labels=x),
        "access_equity-confidence_level": lambda x: access_equity(
            IPS, CASELOAD, confidence_level=x
        ),
        "outcome_equity-cohort_or_table": lambda x: outcome_equity(x, "ethnicity"),
        "outcome_equity-by": lambda x: outcome_equity(c, x),
        "outcome_equity-min_followup_months": lambda x: outcome_equity(
            c, "ethnicity", min_followup_months=x
        ),
        "outcome_equity-study_end": lambda x: outcome_equity(c, "ethnicity", study_end=x),
        "outcome_equity-strata": lambda x: outcome_equity(c, "ethnicity", strata=x),
        "outcome_equity-reference": lambda x: outcome_equity(c, "ethnicity", reference=x),
        "outcome_equity-confidence_level": lambda x: outcome_equity(
            c, "ethnicity", confidence_level=x
        ),
        "outcome_equity-adjust": lambda x: outcome_equity(c, "ethnicity", adjust=x),
        "outcome_equity-rng": lambda x: outcome_equity(c, "ethnicity", rng=x),
        "duration_equity-cohort": lambda x: duration_equity(x, "ethnicity"),
        "duration_equity-by": lambda x: duration_equity(c, x),
        "duration_equity-measure": lambda x: duration_equity(c, "ethnicity", measure=x),
        "duration_equity-landmarks": lambda x: duration_equity(c, "ethnicity", landmarks=x),
        "duration_equity-confidence_level": lambda x: duration_equity(
            c, "ethnicity", confidence_level=x
        ),
        "duration_equity-study_end": lambda x: duration_equity(c, "ethnicity", study_end=x),
        "direct_standardise-events": lambda x: direct_standardise(x, POPULATION, STANDARD),
        "direct_standardise-population": lambda x: direct_standardise(EVENTS, x, STANDARD),
        "direct_standardise-standard": lambda x: direct_standardise(EVENTS, POPULATION, x),
        "direct_standardise-groups": lambda x: direct_standardise(
            EVENTS, POPULATION, STANDARD, groups=x
        ),
        "direct_standardise-strata": lambda x: direct_standardise(
            EVENTS, POPULATION, STANDARD, strata=x
        ),
        "direct_standardise-method": lambda x: direct_standardise(
            EVENTS, POPULATION, STANDARD, method=x
        ),
        "direct_standardise-count_limits": lambda x: direct_standardise(
            EVENTS, POPULATION, STANDARD, count_limits=x
        ),
        "direct_standardise-confidence_level": lambda x: direct_standardise(
            EVENTS, POPULATION, STANDARD, confidence_level=x
        ),
        "indirect_standardise-observed": lambda x: indirect_standardise(x, POPULATION, RATES),
        "indirect_standardise-population": lambda x: indirect_standardise(EVENTS, x, RATES),
        "indirect_standardise-reference_rates": lambda x: indirect_standardise(
            EVENTS, POPULATION, x
        ),
        "indirect_standardise-groups": lambda x: indirect_standardise(
            EVENTS, POPULATION, groups=x
        ),
        "indirect_standardise-strata": lambda x: indirect_standardise(
            EVENTS, POPULATION, strata=x
        ),
        "indirect_standardise-method": lambda x: indirect_standardise(
            EVENTS, POPULATION, method=x
        ),
        "indirect_standardise-confidence_level": lambda x: indirect_standardise(
            EVENTS, POPULATION, confidence_level=x
        ),
        "mantel_haenszel_comparison-events": lambda x: mantel_haenszel_comparison(x, POPULATION),
        "mantel_haenszel_comparison-totals": lambda x: mantel_haenszel_comparison(EVENTS, x),
        "mantel_haenszel_comparison-groups": lambda x: mantel_haenszel_comparison(
            EVENTS, POPULATION, groups=x
        ),
        "mantel_haenszel_comparison-strata": lambda x: mantel_haenszel_comparison(
            EVENTS, POPULATION, strata=x
        ),
        "mantel_haenszel_comparison-reference": lambda x: mantel_haenszel_comparison(
            EVENTS, POPULATION, reference=x
        ),
        "mantel_haenszel_comparison-confidence_level": lambda x: mantel_haenszel_comparison(
            EVENTS, POPULATION, confidence_level=x
        ),
        "standardised_access-cohort": lambda x: standardised_access(x, "ethnicity", ELIGIBLE),
        "standardised_access-by": lambda x: standardised_access(c, x, ELIGIBLE),
        "standardised_access-eligible": lambda x: standardised_access(c, "ethnicity", x),
        "standardised_access-strata": lambda x: standardised_access(
            c, "ethnicity", ELIGIBLE, strata=x
        ),
        "standardised_access-method": lambda x: standardised_access(
            c, "ethnicity", ELIGIBLE, method=x
        ),
        "standardised_access-missing_labels": lambda x: standardised_access(
            c, "ethnicity", ELIGIBLE, missing_labels=x
        ),
        "standardised_access-confidence_level": lambda x: standardised_access(
            c, "ethnicity", ELIGIBLE, confidence_level=x
        ),
        "standardised_outcomes-cohort": lambda x: standardised_outcomes(x, "ethnicity"),
        "standardised_outcomes-by": lambda x: standardised_outcomes(c, x),
        "standardised_outcomes-strata": lambda x: standardised_outcomes(c, "ethnicity", strata=x),
        "standardised_outcomes-min_followup_months": lambda x: standardised_outcomes(
            c, "ethnicity", min_followup_months=x
        ),
        "standardised_outcomes-study_end": lambda x: standardised_outcomes(
            c, "ethnicity", study_end=x
        ),
        "standardised_outcomes-reference": lambda x: standardised_outcomes(
            c, "ethnicity", reference=x
        ),
        "standardised_outcomes-dsr_method": lambda x: standardised_outcomes(
            c, "ethnicity", dsr_method=x
        ),
        "standardised_outcomes-count_limits": lambda x: standardised_outcomes(
            c, "ethnicity", count_limits=x
        ),
        "standardised_outcomes-ratio_method": lambda x: standardised_outcomes(
            c, "ethnicity", ratio_method=x
        ),
        "standardised_outcomes-confidence_level": lambda x: standardised_outcomes(
            c, "ethnicity", confidence_level=x
        ),
        "funnel-numerators": lambda x: funnel(x, [50, 60, 80]),
        "funnel-denominators": lambda x: funnel([5, 9, 12], x),
        "funnel-kind": lambda x: funnel([5, 9, 12], [50, 60, 80], kind=x),
        "funnel-labels": lambda x: funnel([5, 9, 12], [50, 60, 80], labels=x),
        "funnel-target": lambda x: funnel([5, 9, 12], [50, 60, 80], target=x),
        "funnel-confidence_levels": lambda x: funnel(
            [5, 9, 12], [50, 60, 80], confidence_levels=x
        ),
        "funnel-overdispersion": lambda x: funnel([5, 9, 12], [50, 60, 80], overdispersion=x),
        "funnel-winsorise": lambda x: funnel(
            [5, 9, 12, 3], [50, 60, 80, 40], overdispersion="multiplicative", winsorise=x
        ),
        "funnel-name": lambda x: funnel([5, 9, 12], [50, 60, 80], name=x),
        "Funnel.limits": FUNNEL.limits,
        "Funnel.flagged": FUNNEL.flagged,
        "outcome_funnel-cohort": lambda x: outcome_funnel(x, "ethnicity"),
        "outcome_funnel-by": lambda x: outcome_funnel(c, x),
        "outcome_funnel-strata": lambda x: outcome_funnel(c, "ethnicity", strata=x),
        "outcome_funnel-min_followup_months": lambda x: outcome_funnel(
            c, "ethnicity", min_followup_months=x
        ),
        "outcome_funnel-study_end": lambda x: outcome_funnel(c, "ethnicity", study_end=x),
        "outcome_funnel-confidence_levels": lambda x: outcome_funnel(
            c, "ethnicity", confidence_levels=x
        ),
        "outcome_funnel-overdispersion": lambda x: outcome_funnel(
            c, "ethnicity", overdispersion=x
        ),
        "outcome_funnel-winsorise": lambda x: outcome_funnel(c, "ethnicity", winsorise=x),
        "slope_index-values": lambda x: slope_index(x, SII_POPULATION, **FAST),
        "slope_index-population": lambda x: slope_index(SII_VALUES, x, **FAST),
        "slope_index-std_err": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, std_err=x, **FAST
        ),
        "slope_index-lower": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, lower=x, upper=[0.3, 0.4, 0.5], **FAST
        ),
        "slope_index-upper": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, lower=[0.1, 0.2, 0.4], upper=x, **FAST
        ),
        "slope_index-limits_level": lambda x: slope_index(
            SII_VALUES,
            SII_POPULATION,
            lower=[0.1, 0.2, 0.4],
            upper=[0.3, 0.4, 0.5],
            limits_level=x,
            **FAST,
        ),
        "slope_index-transform": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, std_err=[0.05, 0.04, 0.06], transform=x, **FAST
        ),
        "slope_index-method": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, std_err=[0.05, 0.04, 0.06], method=x, **FAST
        ),
        "slope_index-n_simulations": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, std_err=[0.05, 0.04, 0.06], n_simulations=x, rng=1
        ),
        "slope_index-rng": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, std_err=[0.05, 0.04, 0.06], n_simulations=1000, rng=x
        ),
        "slope_index-labels": lambda x: slope_index(SII_VALUES, SII_POPULATION, labels=x, **FAST),
        "slope_index-confidence_level": lambda x: slope_index(
            SII_VALUES, SII_POPULATION, std_err=[0.05, 0.04, 0.06], confidence_level=x, **FAST
        ),
        "concentration_index-events": lambda x: concentration_index(x, [100, 120, 80]),
        "concentration_index-population": lambda x: concentration_index([10, 20, 30], x),
        "concentration_index-labels": lambda x: concentration_index(
            [10, 20, 30], [100, 120, 80], labels=x
        ),
        "concentration_index-confidence_level": lambda x: concentration_index(
            [10, 20, 30], [100, 120, 80], confidence_level=x
        ),
        "proportion_inequality-events": lambda x: proportion_inequality(x, [100, 120, 80], **FAST),
        "proportion_inequality-population": lambda x: proportion_inequality(
            [10, 20, 30], x, **FAST
        ),
        "proportion_inequality-labels": lambda x: proportion_inequality(
            [10, 20, 30], [100, 120, 80], labels=x, **FAST
        ),
        "proportion_inequality-method": lambda x: proportion_inequality(
            [10, 20, 30], [100, 120, 80], method=x, **FAST
        ),
        "proportion_inequality-n_simulations": lambda x: proportion_inequality(
            [10, 20, 30], [100, 120, 80], n_simulations=x, rng=1
        ),
        "proportion_inequality-rng": lambda x: proportion_inequality(
            [10, 20, 30], [100, 120, 80], n_simulations=1000, rng=x
        ),
        "proportion_inequality-confidence_level": lambda x: proportion_inequality(
            [10, 20, 30], [100, 120, 80], confidence_level=x, **FAST
        ),
        "outcome_inequality-cohort": lambda x: outcome_inequality(x, "deprivation", **FAST),
        "outcome_inequality-by": lambda x: outcome_inequality(c, x, **FAST),
        "outcome_inequality-order": lambda x: outcome_inequality(
            c, "deprivation", order=x, **FAST
        ),
        "outcome_inequality-min_followup_months": lambda x: outcome_inequality(
            c, "deprivation", min_followup_months=x, **FAST
        ),
        "outcome_inequality-study_end": lambda x: outcome_inequality(
            c, "deprivation", study_end=x, **FAST
        ),
        "outcome_inequality-method": lambda x: outcome_inequality(
            c, "deprivation", method=x, **FAST
        ),
        "outcome_inequality-n_simulations": lambda x: outcome_inequality(
            c, "deprivation", n_simulations=x, rng=1
        ),
        "outcome_inequality-rng": lambda x: outcome_inequality(
            c, "deprivation", n_simulations=1000, rng=x
        ),
        "outcome_inequality-confidence_level": lambda x: outcome_inequality(
            c, "deprivation", confidence_level=x, **FAST
        ),
    }


TARGETS = _calls()


def _numbers(value: object, depth: int = 0) -> list[float]:
    """The floats of a result, through its ``to_dict()`` (None stands for undefined)."""
    if depth > 8:
        return []
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v, depth + 1)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v, depth + 1)]
    if isinstance(value, np.ndarray):
        return [float(v) for v in value.ravel()] if value.dtype.kind == "f" else []
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _numbers(to_dict(), depth + 1)
    return []


@pytest.mark.parametrize("name", list(TARGETS))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=st.one_of(hostile_arrays(), junk_values()))
def test_only_ipsstats_errors_escape(name: str, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings are failures here
        warnings.simplefilter("ignore", IpsStatsWarning)  # documented small-count warnings
        try:
            result = TARGETS[name](value)
        except IpsStatsError:
            return
    assert not any(math.isnan(x) for x in _numbers(result))


# --- regressions found by the fuzzing above --------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        (None, r"`missing_labels` must be a collection of labels; got None"),
        (math.nan, r"`missing_labels` must be a collection of labels; got nan"),
        ("Not known", r"`missing_labels` must be a collection of labels; got 'Not known'"),
        ([["Not known"]], r"`missing_labels` must hold hashable labels; got unhashable"),
        (np.array(0), r"`missing_labels` must be a collection of labels"),
    ],
)
def test_missing_labels_must_be_a_collection_of_labels(labels: object, match: str) -> None:
    calls: list[Callable[[], object]] = [
        lambda: access_equity(IPS, CASELOAD, missing_labels=labels),  # type: ignore[arg-type]
        lambda: standardised_access(COHORT, "ethnicity", ELIGIBLE, missing_labels=labels),  # type: ignore[arg-type]
        lambda: Counts.from_mapping({"a": 1}, missing_labels=labels),  # type: ignore[arg-type]
        lambda: Cohort.from_columns(
            {"accessed": ["2019-01-01"]},
            observed_until="2019-12-31",
            missing_labels=labels,  # type: ignore[arg-type]
        ),
    ]
    for call in calls:
        with pytest.raises(InvalidInputError, match=match) as info:
            call()
        assert info.value.argument == "missing_labels"


@pytest.mark.parametrize("reference", [np.array([]), np.array([None, None]), ["A"], {"A": 1}])
def test_an_unhashable_reference_is_refused(reference: object) -> None:
    match = r"`reference` must be one group's label; got unhashable"
    with pytest.raises(InvalidInputError, match=match):
        outcome_equity(COHORT, "ethnicity", reference=reference)
    with pytest.raises(InvalidInputError, match=match):
        mantel_haenszel_comparison(EVENTS, POPULATION, reference=reference)
    with pytest.raises(InvalidInputError, match=match):
        standardised_outcomes(COHORT, "ethnicity", reference=reference)


def test_a_reference_among_the_groups_is_still_found() -> None:
    assert mantel_haenszel_comparison(EVENTS, POPULATION, reference=2).reference == 2
    assert outcome_equity(COHORT, "ethnicity", reference="B").reference == "B"


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (math.nan, r"`population` must hold finite numbers; got nan\."),
        (-1.0, r"`population` must hold non-negative numbers; got -1\.0\."),
        (
            np.array([], dtype=complex),
            r"`population` must hold numbers; got (non-numeric|complex)",
        ),
        (np.array([1 + 1j, 2]), r"`population` must hold numbers; got (non-numeric|complex)"),
    ],
)
def test_population_scalars_and_complex_are_refused(value: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        direct_standardise(EVENTS, value, STANDARD)
    with pytest.raises(InvalidInputError, match=match):
        indirect_standardise(EVENTS, value, RATES)


def test_complex_standard_errors_and_denominators_are_refused() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`std_err` must hold numbers; got complex numbers"
    ):
        slope_index(SII_VALUES, SII_POPULATION, std_err=np.array([0.1, 0.2, 0.1j]), **FAST)
    with pytest.raises(InvalidInputError, match=r"`denominators` must hold"):
        funnel([5, 9, 12], np.array([], dtype=complex))


@pytest.mark.parametrize("n_simulations", [2**53 + 1, 10_000_001])
def test_more_simulations_than_memory_allows_are_refused(n_simulations: int) -> None:
    match = r"`n_simulations` must be a whole number of at least 1000 \(and at most 10,000,000\)"
    with pytest.raises(InvalidInputError, match=match):
        proportion_inequality([10, 20, 30], [100, 120, 80], n_simulations=n_simulations)
    with pytest.raises(InvalidInputError, match=match):
        outcome_inequality(COHORT, "deprivation", n_simulations=n_simulations)


@pytest.mark.parametrize("order", [math.nan, None, "123", np.array(1)])
def test_order_must_be_a_sequence_of_levels(order: object) -> None:
    if order is None:  # None is the default: the levels' own order
        assert len(outcome_inequality(COHORT, "deprivation", order=order, **FAST).rates) == 3
        return
    with pytest.raises(InvalidInputError, match=r"`order` must be a sequence of labels"):
        outcome_inequality(COHORT, "deprivation", order=order, **FAST)  # type: ignore[arg-type]


def test_counts_whose_float_sum_overflows_are_refused_as_too_large() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match=r"`events` must add up to at most 2\*\*53"):
            mantel_haenszel_comparison((1e308, 1e308), POPULATION)


@pytest.mark.parametrize("level", [1.175494351e-38, 1e-300])
def test_a_limits_level_too_small_for_finite_standard_errors_is_refused(level: float) -> None:
    match = r"`limits_level` must be a level at which the limits give finite standard errors"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match=match):
            slope_index(
                SII_VALUES,
                SII_POPULATION,
                lower=[0.1, 0.2, 0.4],
                upper=[0.3, 0.4, 0.5],
                limits_level=level,
                **FAST,
            )
