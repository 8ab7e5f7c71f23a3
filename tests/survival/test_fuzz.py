"""Only ipsstats errors out of the survival wing, and no silent NaN.

Every public function of the wing, and every method of its curves, is fed hostile input
(NaN, infinities, integers past the int64 and float64 limits, complex numbers, booleans,
objects, ragged and empty arrays, text, dates) in one argument at a time: it must either
refuse with an :class:`~ipsstats.IpsStatsError` subclass or return a result without NaN.
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
    Estimate,
    InvalidInputError,
    IpsStatsError,
    IpsStatsWarning,
    LifeTable,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank,
    nelson_aalen,
)
from ipsstats.results import ConfidenceInterval
from ipsstats.survival import CumulativeHazard, IncidenceCurve, SurvivalCurve
from tests.strategies import hostile_arrays, junk_values

DURATIONS = [1.0, 2.0, 2.0, 3.0, 5.0, 8.0]
EVENTS = [1, 0, 1, 1, 0, 1]
CAUSES = [1, 2, 1, 0, 2, 1]
GROUPS = ["a", "b", "a", "b", "a", "b"]

KM = kaplan_meier(DURATIONS, EVENTS)
assert isinstance(KM, SurvivalCurve)
NA = nelson_aalen(DURATIONS, EVENTS)
CIF = cumulative_incidence(DURATIONS, CAUSES)

# every public function of the survival wing, with the hostile value in one argument
TARGETS: dict[str, Callable[[Any], object]] = {
    "kaplan_meier-durations": kaplan_meier,
    "kaplan_meier-events": lambda x: kaplan_meier(DURATIONS, x),
    "kaplan_meier-entry": lambda x: kaplan_meier(DURATIONS, EVENTS, entry=x),
    "kaplan_meier-weights": lambda x: kaplan_meier(DURATIONS, EVENTS, weights=x),
    "kaplan_meier-confidence_level": lambda x: kaplan_meier(DURATIONS, EVENTS, confidence_level=x),
    "kaplan_meier-conf_type": lambda x: kaplan_meier(DURATIONS, EVENTS, conf_type=x),
    "kaplan_meier-by": lambda x: kaplan_meier(DURATIONS, EVENTS, by=x),
    "kaplan_meier-method": lambda x: kaplan_meier(DURATIONS, EVENTS, method=x),
    "kaplan_meier-ties": lambda x: kaplan_meier(
        DURATIONS, EVENTS, method="fleming-harrington", ties=x
    ),
    "kaplan_meier-variance": lambda x: kaplan_meier(DURATIONS, EVENTS, variance=x),
    "nelson_aalen-durations": nelson_aalen,
    "nelson_aalen-events": lambda x: nelson_aalen(DURATIONS, x),
    "nelson_aalen-entry": lambda x: nelson_aalen(DURATIONS, EVENTS, entry=x),
    "nelson_aalen-weights": lambda x: nelson_aalen(DURATIONS, EVENTS, weights=x),
    "nelson_aalen-confidence_level": lambda x: nelson_aalen(DURATIONS, EVENTS, confidence_level=x),
    "nelson_aalen-conf_type": lambda x: nelson_aalen(DURATIONS, EVENTS, conf_type=x),
    "nelson_aalen-ties": lambda x: nelson_aalen(DURATIONS, EVENTS, ties=x),
    "nelson_aalen-variance": lambda x: nelson_aalen(DURATIONS, EVENTS, variance=x),
    "logrank-durations": lambda x: logrank(x, None, GROUPS),
    "logrank-events": lambda x: logrank(DURATIONS, x, GROUPS),
    "logrank-groups": lambda x: logrank(DURATIONS, EVENTS, x),
    "logrank-strata": lambda x: logrank(DURATIONS, EVENTS, GROUPS, strata=x),
    "logrank-weighting": lambda x: logrank(DURATIONS, EVENTS, GROUPS, weighting=x),
    "logrank-weights": lambda x: logrank(DURATIONS, EVENTS, GROUPS, weights=x),
    "logrank-p": lambda x: logrank(DURATIONS, EVENTS, GROUPS, weighting="fleming-harrington", p=x),
    "logrank-q": lambda x: logrank(DURATIONS, EVENTS, GROUPS, weighting="fleming-harrington", q=x),
    "logrank-trend": lambda x: logrank(DURATIONS, EVENTS, GROUPS, trend=x),
    "logrank-scores": lambda x: logrank(DURATIONS, EVENTS, GROUPS, trend=True, scores=x),
    "logrank-levels": lambda x: logrank(DURATIONS, EVENTS, GROUPS, levels=x),
    "cumulative_incidence-durations": lambda x: cumulative_incidence(x, CAUSES),
    "cumulative_incidence-causes": lambda x: cumulative_incidence(DURATIONS, x),
    "cumulative_incidence-cause": lambda x: cumulative_incidence(DURATIONS, CAUSES, cause=x),
    "cumulative_incidence-entry": lambda x: cumulative_incidence(DURATIONS, CAUSES, entry=x),
    "cumulative_incidence-confidence_level": lambda x: cumulative_incidence(
        DURATIONS, CAUSES, confidence_level=x
    ),
    "cumulative_incidence-conf_type": lambda x: cumulative_incidence(
        DURATIONS, CAUSES, conf_type=x
    ),
    "gray_test-durations": lambda x: gray_test(x, CAUSES, GROUPS),
    "gray_test-causes": lambda x: gray_test(DURATIONS, x, GROUPS),
    "gray_test-groups": lambda x: gray_test(DURATIONS, CAUSES, x),
    "gray_test-cause": lambda x: gray_test(DURATIONS, CAUSES, GROUPS, cause=x),
    "gray_test-strata": lambda x: gray_test(DURATIONS, CAUSES, GROUPS, strata=x),
    "gray_test-rho": lambda x: gray_test(DURATIONS, CAUSES, GROUPS, rho=x),
    "LifeTable.from_records-durations": LifeTable.from_records,
    "LifeTable.from_records-events": lambda x: LifeTable.from_records(DURATIONS, x),
    "LifeTable.from_records-entry": lambda x: LifeTable.from_records(DURATIONS, entry=x),
    "LifeTable.from_records-weights": lambda x: LifeTable.from_records(DURATIONS, weights=x),
    "LifeTable.from_counts-times": lambda x: LifeTable.from_counts(x, [1, 1], [0, 1]),
    "LifeTable.from_counts-events": lambda x: LifeTable.from_counts([1, 2], x, [0, 1]),
    "LifeTable.from_counts-censored": lambda x: LifeTable.from_counts([1, 2], [1, 1], x),
    "LifeTable.from_counts-entered": lambda x: LifeTable.from_counts(
        [1, 2], [1, 1], [0, 1], entered=x
    ),
}

# every method of the curves, on a valid curve
CURVES: tuple[tuple[str, Any], ...] = (
    ("SurvivalCurve", KM),
    ("CumulativeHazard", NA),
    ("IncidenceCurve", CIF),
)


def _bands(curve: Any, keyword: str) -> Callable[[Any], object]:
    return lambda x: curve.with_bands(**{keyword: x})


for _label, _curve in CURVES:
    TARGETS[f"{_label}.at"] = _curve.at
    TARGETS[f"{_label}.with_bands-confidence_level"] = _bands(_curve, "confidence_level")
    TARGETS[f"{_label}.with_bands-conf_type"] = _bands(_curve, "conf_type")
    TARGETS[f"{_label}.confidence_interval"] = _curve.confidence_interval
for _label, _curve in (("SurvivalCurve", KM), ("IncidenceCurve", CIF)):
    TARGETS[f"{_label}.quantile"] = _curve.quantile
TARGETS["SurvivalCurve.survival_at"] = KM.survival_at
TARGETS["SurvivalCurve.rmst"] = KM.rmst
TARGETS["SurvivalCurve.table"] = KM.table


def _no_nan(result: object) -> None:
    """Numbers on a result are never NaN (None and infinite limits are allowed)."""
    if isinstance(result, Estimate):
        for value in (result.value, result.lower, result.upper):
            assert value is None or not math.isnan(value)
    elif isinstance(result, ConfidenceInterval) and not isinstance(result.low, np.ndarray):
        # a curve's pointwise band is NaN where the transform is undefined (documented)
        for bound in (result.low, result.high):
            assert bound is None or not math.isnan(bound)
    elif isinstance(result, (SurvivalCurve, CumulativeHazard, IncidenceCurve)):
        # the estimates; a standard error or band is NaN where it is undefined (documented)
        for name in ("survival", "cumulative_hazard", "incidence"):
            values = getattr(result, name, None)
            if values is not None:
                assert not np.isnan(values).any()
    pvalue = getattr(result, "pvalue", None)
    if pvalue is not None:
        assert 0.0 <= pvalue <= 1.0
    statistic = getattr(result, "statistic", None)
    if statistic is not None:
        assert not math.isnan(statistic)


@pytest.mark.parametrize("name", list(TARGETS))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=st.one_of(hostile_arrays(), junk_values()))
def test_only_ipsstats_errors_escape(name: str, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings are failures here
        warnings.simplefilter("ignore", IpsStatsWarning)  # documented warnings
        if name == "logrank-weights":  # a text there is the deprecated spelling of weighting
            warnings.simplefilter("ignore", DeprecationWarning)
        try:
            result = TARGETS[name](value)
        except IpsStatsError:
            return
    if isinstance(result, dict):
        for curve in result.values():
            _no_nan(curve)
    else:
        _no_nan(result)


# --- regressions found by the fuzzing above --------------------------------------------------


@pytest.mark.parametrize("function", [cumulative_incidence, gray_test])
@pytest.mark.parametrize(
    ("causes", "shown"),
    [
        (np.array([1, np.nan, 2, 0, 1, 2], dtype=object), "nan at index 1"),
        (np.array([1, 2, 1.5, 0, 1, 2], dtype=object), "1.5 at index 2"),
        (np.array([1, 2, 1, 0, -1, 2], dtype=object), "-1 at index 4"),
        (np.array([1, 2, 1, 0, 2**63 - 1, 2], dtype=object), "9223372036854775807 at index 4"),
        (np.array([1, 2, 1, 0, 1e19, 2]), "1e[+]19 at index 4"),
    ],
)
def test_bad_cause_codes_in_object_arrays_are_named(
    function: Callable[..., object], causes: Any, shown: str
) -> None:
    args = (DURATIONS, causes, GROUPS) if function is gray_test else (DURATIONS, causes)
    with pytest.raises(InvalidInputError, match=f"`causes` must hold cause codes.*got {shown}"):
        function(*args)


@pytest.mark.parametrize("rho", [-1e300, -(2.0**63), -2000.0])
def test_gray_rho_whose_weights_overflow_is_refused(rho: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            InvalidInputError, match=r"`rho` must give finite weights .*got rho = -"
        ) as info:
            gray_test([1.0, 2, 3, 4, 5, 6], [1, 1, 1, 1, 2, 1], GROUPS, rho=rho)
    assert info.value.argument == "rho"


@pytest.mark.parametrize("rho", [-2.0, 0.0, 3.0, 1e300])
def test_gray_rho_with_finite_weights_is_accepted(rho: float) -> None:
    result = gray_test(DURATIONS, CAUSES, GROUPS, rho=rho)
    assert 0.0 <= result.pvalue <= 1.0


def test_logrank_levels_must_be_a_sequence_not_a_bare_array_value() -> None:
    with pytest.raises(InvalidInputError, match="`levels` must be a sequence of labels; got"):
        logrank(DURATIONS, EVENTS, GROUPS, levels=np.array(0))  # type: ignore[arg-type]


def test_half_float_labels_are_coded_without_overflow() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        groups = np.array([1, 2, 1, 2, 1, 2], dtype=np.float16)
        result = logrank(DURATIONS, EVENTS, groups)
        expected = logrank(DURATIONS, EVENTS, [1, 2, 1, 2, 1, 2])
        assert result.statistic == expected.statistic
        with pytest.raises(InvalidInputError, match="`groups`"):
            logrank(DURATIONS, EVENTS, np.array([], dtype=np.float16))
