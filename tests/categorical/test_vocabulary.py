"""One vocabulary across the categorical wing: deprecated spellings, requested and reason,
recomputable intervals, seeds and the stored form of independence results."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import (
    ComparisonEstimate,
    Estimate,
    IndependenceResult,
    InvalidInputError,
    cmh,
    goodness_of_fit,
    homogeneity,
    independence,
    odds_ratio,
    proportion,
    proportion_test,
    risk_difference,
    risk_ratio,
)
from ipsstats.categorical import ContingencyTable
from tests.strategies import count_tables

# the private constructor of the fast path is checked against the converting one
_independence = importlib.import_module("ipsstats.categorical.independence")

RABBITS = [
    [[0, 6], [0, 5]],
    [[3, 3], [0, 6]],
    [[6, 0], [2, 4]],
    [[5, 1], [6, 0]],
    [[2, 0], [5, 0]],
]

# every public function of the wing that takes confidence_level, called at 0.9
LEVELLED: dict[str, Callable[..., Any]] = {
    "goodness_of_fit": lambda **kw: goodness_of_fit([10, 20, 30], [1 / 3] * 3, **kw),
    "homogeneity": lambda **kw: homogeneity([10, 20, 30], [30, 20, 10], **kw),
    "proportion": lambda **kw: proportion(3, 10, **kw),
    "risk_difference": lambda **kw: risk_difference(3, 10, 5, 10, **kw),
    "risk_ratio": lambda **kw: risk_ratio(3, 10, 5, 10, **kw),
    "odds_ratio": lambda **kw: odds_ratio(3, 10, 5, 10, **kw),
    "cmh": lambda **kw: cmh(RABBITS, **kw),
    "proportion_test": lambda **kw: proportion_test([30, 50], [100, 100], **kw),
}


@pytest.mark.parametrize("name", list(LEVELLED))
def test_conf_level_is_a_deprecated_spelling(name: str) -> None:
    call = LEVELLED[name]
    with pytest.warns(DeprecationWarning, match="`conf_level` is deprecated since ipsstats 0.2"):
        old = call(conf_level=0.9)
    new = call(confidence_level=0.9)
    assert _as_comparable(old) == _as_comparable(new)
    with pytest.raises(InvalidInputError, match="`conf_level` must not be given with"):
        call(conf_level=0.9, confidence_level=0.9)


def _as_comparable(result: Any) -> Any:
    return result.to_dict()


@pytest.mark.parametrize("function", [risk_ratio, odds_ratio])
def test_zero_cell_correction_keeps_its_old_name(function: Callable[..., Any]) -> None:
    with pytest.warns(DeprecationWarning, match="`correction` is deprecated.*zero_cell_correc"):
        old = function(0, 20, 5, 20, correction=0.5)
    new = function(0, 20, 5, 20, zero_cell_correction=0.5)
    assert old.to_dict() == new.to_dict()
    assert new.zero_cell_correction == 0.5
    with pytest.warns(DeprecationWarning, match="`ComparisonEstimate.correction` is deprecated"):
        assert new.correction == 0.5


def test_comparison_estimate_constructor_accepts_the_old_keyword() -> None:
    fields = {"value": 1.0, "lower": 0.5, "upper": 2.0, "confidence_level": 0.95, "method": "x"}
    with pytest.warns(DeprecationWarning, match="`correction` is deprecated"):
        old = ComparisonEstimate(correction=0.5, **fields)
    assert old == ComparisonEstimate(zero_cell_correction=0.5, **fields)
    assert "zero_cell_correction" in old.to_dict()


# --- intervals at another level ------------------------------------------------------------

ESTIMATORS: dict[str, Callable[[float], Estimate]] = {
    "wilson": lambda level: proportion(7, 40, confidence_level=level),
    "wilson-cc": lambda level: proportion(7, 40, correction=True, confidence_level=level),
    "clopper-pearson": lambda level: proportion(
        7, 40, method="clopper-pearson", confidence_level=level
    ),
    "jeffreys": lambda level: proportion(0, 40, method="jeffreys", confidence_level=level),
    "agresti-coull": lambda level: proportion(
        7, 40, method="agresti-coull", confidence_level=level
    ),
    "wald": lambda level: proportion(7, 40, method="wald", confidence_level=level),
    "risk_difference": lambda level: risk_difference(7, 40, 15, 42, confidence_level=level),
    "risk_ratio": lambda level: risk_ratio(7, 40, 15, 42, confidence_level=level),
    "risk_ratio-zero": lambda level: risk_ratio(0, 40, 15, 42, confidence_level=level),
    "risk_ratio-corrected": lambda level: risk_ratio(
        0, 40, 15, 42, confidence_level=level, zero_cell_correction=0.5
    ),
    "odds_ratio": lambda level: odds_ratio(7, 40, 15, 42, confidence_level=level),
    "odds_ratio-conditional": lambda level: odds_ratio(
        7, 40, 15, 42, method="conditional", confidence_level=level
    ),
    "odds_ratio-undefined": lambda level: odds_ratio(
        0, 4, 0, 5, method="conditional", confidence_level=level
    ),
    "cmh": lambda level: _common(cmh(RABBITS, confidence_level=level)),
    "cmh-exact": lambda level: _common(cmh(RABBITS, method="exact", confidence_level=level)),
    "cmh-one-sided": lambda level: _common(
        cmh(RABBITS, alternative="greater", confidence_level=level)
    ),
    "proportion_test-one": lambda level: _estimate(proportion_test(7, 40, confidence_level=level)),
    "proportion_test-two": lambda level: _estimate(
        proportion_test([7, 15], [40, 42], alternative="less", confidence_level=level)
    ),
}


def _common(result: Any) -> Estimate:
    assert result.common_odds_ratio is not None
    return result.common_odds_ratio  # type: ignore[no-any-return]


def _estimate(result: Any) -> Estimate:
    assert result.estimate is not None
    return result.estimate  # type: ignore[no-any-return]


@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
@pytest.mark.parametrize("name", list(ESTIMATORS))
@given(level=st.floats(0.5, 0.999))
def test_every_estimate_recomputes_its_interval(name: str, level: float) -> None:
    estimate = ESTIMATORS[name](0.95)
    assert estimate.at_level is not None
    direct = ESTIMATORS[name](level)
    assert estimate.confidence_interval(level) == (direct.lower, direct.upper)
    assert estimate.confidence_interval() == (estimate.lower, estimate.upper)
    assert estimate.at_level(level).confidence_level == level


def test_recomputing_refuses_a_bad_level() -> None:
    with pytest.raises(InvalidInputError, match="`confidence_level` must be a number strictly"):
        proportion(3, 10).confidence_interval(95)


# --- requested, method, reason ---------------------------------------------------------------


def test_requested_and_reason_use_the_base_fields() -> None:
    own = {field.name for field in attrs.fields(IndependenceResult)}
    assert {"requested", "reason"} <= own
    base = {f.name: f for f in attrs.fields(type(independence([[10, 20], [20, 10]])))}
    assert base["requested"].default is not attrs.NOTHING  # inherited: defaults to method
    auto = independence([[1, 2], [3, 1]])
    assert (auto.requested, auto.method) == ("auto", "fisher-exact")
    assert "Cochran's rule fails" in auto.reason
    fit = goodness_of_fit([10, 20, 30], [1 / 3] * 3, method="exact")
    assert (fit.requested, fit.method, fit.reason) == ("exact", "exact-multinomial", "")
    both = homogeneity([10, 20, 30], [30, 20, 10], method="auto")
    assert (both.requested, both.method) == ("auto", "pearson")
    assert "Cochran's rule holds" in both.reason
    assert "reason" not in both.details
    assert "requested" not in both.details


@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
def test_method_tokens_are_short_and_details_carry_the_parameters() -> None:
    table = [[10, 20, 5], [20, 10, 7]]
    cressie = independence(table, method="cressie-read", lambda_=0.5)
    assert (cressie.method, cressie.details["lambda"]) == ("cressie-read", 0.5)
    fit = goodness_of_fit([10, 20, 30], [1 / 3] * 3, method="cressie-read")
    assert (fit.method, fit.details["lambda"]) == ("cressie-read", pytest.approx(2 / 3))
    carlo = independence(table, method="monte-carlo", n_resamples=99, rng=1)
    assert (carlo.method, carlo.details["statistic"], carlo.details["seed"]) == (
        "monte-carlo",
        "pearson",
        1,
    )
    yates = independence([[10, 20], [20, 10]], method="pearson", correction=True)
    assert (yates.method, yates.correction) == ("pearson", True)
    assert independence([[10, 20], [20, 10]]).correction is False
    for result in (cressie, fit, carlo, yates):
        assert result.method == result.method.lower()
        assert " " not in result.method


# --- seeds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda rng: independence([[10, 20], [20, 10]], rng=rng),
        lambda rng: homogeneity([10, 20], [20, 10], rng=rng),
        lambda rng: goodness_of_fit([10, 20], [0.5, 0.5], rng=rng),
    ],
)
@pytest.mark.parametrize("bad", [-1, 1.5, "seed", True])
def test_rng_is_validated_even_when_unused(call: Callable[[object], object], bad: object) -> None:
    with pytest.raises(InvalidInputError, match="`rng` must be a non-negative integer seed"):
        call(bad)


def test_rng_accepts_seeds_and_generators_and_records_the_seed() -> None:
    table = [[3, 1, 4], [1, 5, 9]]
    seeded = independence(table, method="monte-carlo", n_resamples=500, rng=7)
    again = independence(table, method="monte-carlo", n_resamples=500, rng=np.int64(7))
    assert seeded.pvalue == again.pvalue
    assert seeded.details["seed"] == 7
    generator = independence(
        table, method="monte-carlo", n_resamples=500, rng=np.random.default_rng(7)
    )
    assert generator.details["seed"] is None
    fresh = goodness_of_fit([3, 1, 4], [1 / 3] * 3, method="monte-carlo", n_resamples=200)
    assert isinstance(fresh.details["seed"], int)
    replay = goodness_of_fit(
        [3, 1, 4], [1 / 3] * 3, method="monte-carlo", n_resamples=200, rng=fresh.details["seed"]
    )
    assert replay.pvalue == fresh.pvalue


# --- the stored form of independence results --------------------------------------------------


def test_stored_fields_are_every_field_in_order() -> None:
    # fast path vs naive: the fast path's private list of stored fields against the class
    fields = tuple(field.name for field in attrs.fields(IndependenceResult))
    assert fields == _independence._STORED_FIELDS


def _rebuilt(result: IndependenceResult) -> IndependenceResult:
    return IndependenceResult(
        **{field.name: getattr(result, field.name) for field in attrs.fields(IndependenceResult)}
    )


def _same_stored_form(a: Any, b: Any) -> None:
    for field in attrs.fields(IndependenceResult):
        x, y = getattr(a, field.name), getattr(b, field.name)
        assert type(x) is type(y), field.name
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype
            assert not x.flags.writeable
            assert x.base is None
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, field.name


@pytest.mark.filterwarnings("ignore::ipsstats.SmallExpectedCountWarning")
@given(
    count_tables(max_count=40),
    st.sampled_from(["auto", "pearson", "g", "cressie-read", "exact"]),
)
def test_fast_path_stores_what_the_converting_constructor_stores(
    table: NDArray[np.int64], method: str
) -> None:
    try:
        result = independence(table, method=method, rng=0)  # type: ignore[arg-type]
    except (InvalidInputError, ValueError):
        return  # e.g. empty rows: refused, tested elsewhere
    _same_stored_form(result, _rebuilt(result))
    assert result.to_dict() == _rebuilt(result).to_dict()
    assert repr(result) == repr(_rebuilt(result))


def test_fast_path_with_a_labelled_table_and_dropped_rows() -> None:
    table = ContingencyTable.from_counts(
        [[10, 0, 5], [0, 0, 0], [7, 0, 9]], rows=["a", "b", "c"], n_missing=3
    )
    result = independence(table)
    _same_stored_form(result, _rebuilt(result))
    assert result.row_levels == ("a", "c")
    assert result.exclusions == {"missing value": 3}
    with pytest.raises((TypeError, AttributeError)):
        result.exclusions["x"] = 1  # type: ignore[index]
    assert math.isfinite(result.cramers_v)
