"""Tests of direct and indirect standardisation (ipsstats.equity.standardise).

References: Dobson's interval written out term by term with scipy's chi-squared
quantiles; Byar's limits written out; properties on random tables. The checks against Fay
and Feuer (1997) Table 1, the OHID's DSR vignette, R 4.2.2 ``epitools::ageadjust.direct``
/ ``ageadjust.indirect`` (epitools 0.5-10.1), ``epiR::epi.indirectadj`` (epiR 2.0.57),
``poisson.test`` and Dobson's method computed by hand in R are in
``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ipsstats import (
    DirectStandardisation,
    Estimate,
    IndirectStandardisation,
    InvalidInputError,
    direct_standardise,
    indirect_standardise,
)
from tests.strategies import group_strata_tables

# ---- Fleiss (1981) p. 249: Down syndrome cases and births by maternal age (rows of the
# R matrices) and birth order 1, 2, 3, 4, 5+ (columns), as in epitools' documentation
# (the numbers R gives for them are in tests/reference/test_equity.py).
BIRTHS = np.array(
    [
        [230061, 329449, 114920, 39487, 14208, 3052],
        [72202, 326701, 208667, 83228, 28466, 5375],
        [15050, 175702, 207081, 117300, 45026, 8660],
        [2293, 68800, 132424, 98301, 46075, 9834],
        [327, 30666, 123419, 149919, 104088, 34392],
    ]
)
CASES = np.array(
    [
        [107, 141, 60, 40, 39, 25],
        [25, 150, 110, 84, 82, 39],
        [3, 71, 114, 103, 108, 75],
        [1, 26, 64, 89, 137, 96],
        [0, 8, 63, 112, 262, 295],
    ]
)
STANDARD = BIRTHS.mean(axis=0)  # R: standard <- apply(population[,-6], 1, mean)


def known(estimate: Estimate | None) -> Estimate:
    """The estimate of a compared group (never the reference's ``None``)."""
    assert estimate is not None
    return estimate


def same_estimate(a: object, b: object, rel: float = 1e-12) -> None:
    """Two estimates agree: value and limits equal to `rel`, or both undefined."""
    for field in ("value", "lower", "upper"):
        x, y = getattr(a, field), getattr(b, field)
        if x is None or y is None:
            assert x is None
            assert y is None
        else:
            assert y == pytest.approx(x, rel=rel, abs=1e-15)


def both(estimate: object) -> tuple[float, float]:
    low, high = estimate.lower, estimate.upper  # type: ignore[attr-defined]
    assert low is not None
    assert high is not None
    return low, high


# ---- direct standardisation: a naive implementation ---------------------------------------


def naive_dobson(
    x: list[float], n: list[float], std: list[float], level: float
) -> tuple[float, float, float]:
    """Dobson's interval written out term by term, with scipy's chi-squared quantiles."""
    total_std = sum(std)
    y = sum(s / total_std * xi / ni for xi, ni, s in zip(x, n, std, strict=True))
    v = sum((s / total_std / ni) ** 2 * xi for xi, ni, s in zip(x, n, std, strict=True))
    big = sum(x)
    alpha = 1 - level
    low = stats.chi2.ppf(alpha / 2, 2 * big) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * big + 2) / 2
    scale = math.sqrt(v / big)
    return y, y + scale * (low - big), y + scale * (high - big)


@given(group_strata_tables(groups=(1, 1)), st.sampled_from([0.8, 0.95, 0.99]))
def test_dobson_meets_a_naive_implementation(
    tables: tuple[np.ndarray, np.ndarray], level: float
) -> None:
    events, population = tables
    if events.sum() == 0:
        events[0, 0] = population[0, 0]
    std = population[0][::-1] + 1.0
    res = direct_standardise(events, population, std, confidence_level=level)
    value, low, high = naive_dobson(
        events[0].tolist(), population[0].tolist(), std.tolist(), level
    )
    rate = res.groups[0].rate
    assert rate.value == pytest.approx(value, rel=1e-12)
    lo, hi = both(rate)
    assert lo == pytest.approx(max(low, 0.0), rel=1e-9, abs=1e-15)
    assert hi == pytest.approx(high, rel=1e-9)


# ---- direct standardisation: properties ---------------------------------------------------


@given(group_strata_tables(groups=(1, 3)), st.sampled_from(["dobson", "fay-feuer"]))
def test_dsr_equals_the_crude_rate_when_the_group_has_the_standard_mix(
    tables: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    events, population = tables
    res = direct_standardise(events, population, population[0], method=method)  # type: ignore[arg-type]
    crude = events[0].sum() / population[0].sum()
    assert res.groups[0].rate.value == pytest.approx(crude, rel=1e-12, abs=1e-15)


@given(group_strata_tables(groups=(1, 3), strata=(2, 6)), st.randoms(use_true_random=False))
def test_dsr_is_invariant_to_the_order_of_strata(
    tables: tuple[np.ndarray, np.ndarray], random: object
) -> None:
    events, population = tables
    std = population.sum(axis=0) + 3.0
    order = list(range(events.shape[1]))
    random.shuffle(order)  # type: ignore[attr-defined]
    one = direct_standardise(events, population, std)
    two = direct_standardise(events[:, order], population[:, order], std[order])
    for a, b in zip(one.groups, two.groups, strict=True):
        same_estimate(a.rate, b.rate)


@given(group_strata_tables(groups=(1, 3)), st.sampled_from(["dobson", "fay-feuer"]))
def test_dsr_interval_contains_the_estimate_and_widens_with_the_level(
    tables: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    events, population = tables
    res = direct_standardise(events, population, population.sum(axis=0), method=method)  # type: ignore[arg-type]
    for group in res.groups:
        rate = group.rate
        assert rate.value is not None
        if rate.lower is None or rate.upper is None:
            assert group.events == 0
            continue
        assert rate.lower <= rate.value + 1e-15
        assert rate.value <= rate.upper + 1e-15
        wide = rate.confidence_interval(0.99)
        narrow = rate.confidence_interval(0.8)
        assert wide.low is not None
        assert narrow.low is not None
        assert wide.low <= narrow.low + 1e-15
        assert wide.high is not None
        assert narrow.high is not None
        assert wide.high >= narrow.high - 1e-15


def test_standard_scale_does_not_matter() -> None:
    one = direct_standardise(CASES, BIRTHS, STANDARD)
    two = direct_standardise(CASES, BIRTHS, STANDARD * 7.5)
    assert np.allclose(one.standard, two.standard, rtol=1e-14)
    same_estimate(one.groups[2].rate, two.groups[2].rate, rel=1e-14)
    assert math.isclose(float(one.standard.sum()), 1.0, rel_tol=1e-14)


def test_empty_stratum_with_weight_makes_the_rate_undefined_with_a_note() -> None:
    res = direct_standardise([[3, 0], [4, 5]], [[10, 0], [12, 9]], [1, 1], strata=["a", "b"])
    rate = res.groups[0].rate
    assert rate.value is None
    assert "'b'" in rate.note
    assert res.groups[1].rate.value is not None
    # a stratum without standard weight does not matter
    res = direct_standardise([[3, 0]], [[10, 0]], [1, 0])
    assert res.groups[0].rate.value == pytest.approx(0.3, rel=1e-14)


def test_fewer_than_ten_events_is_a_caveat() -> None:
    res = direct_standardise(
        [[3, 4], [40, 50]], [[100, 100], [100, 100]], [1, 1], groups=["small", "large"]
    )
    assert len(res.caveats) == 1
    assert "'small' (7)" in res.caveats[0]


def test_result_is_frozen_readable_and_json_safe() -> None:
    res = direct_standardise(CASES, BIRTHS, STANDARD, groups=list("ABCDE"))
    assert isinstance(res, DirectStandardisation)
    with pytest.raises(ValueError, match="read-only"):
        res.standard[0] = 1.0
    text = str(res)
    assert text.splitlines()[0].startswith("directly standardised rates (dobson")
    assert "E  " in text
    data = res.to_dict()
    assert data["groups"][4]["rate"]["method"] == "dobson-exact"
    assert data["strata"] == [1, 2, 3, 4, 5, 6]


def test_conf_level_is_a_deprecated_spelling() -> None:
    with pytest.warns(DeprecationWarning, match="confidence_level"):
        res = direct_standardise(CASES, BIRTHS, STANDARD, conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
    assert res.confidence_level == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"events": [[[1]]]}, r"`events` must be 1-dimensional \(one group\) or 2-dim"),
        ({"events": []}, r"`events` must hold at least one stratum"),
        ({"events": [1.5, 2]}, r"`events` must hold whole-number counts"),
        ({"events": [-1, 2]}, r"`events` must hold non-negative counts"),
        ({"population": [10, -1]}, r"`population` must hold non-negative numbers"),
        ({"population": [10, np.inf]}, r"`population` must hold finite numbers"),
        ({"population": ["a", "b"]}, r"`population` must hold numbers"),
        ({"population": [True, True]}, r"`population` must hold numbers; got booleans"),
        ({"population": [10, 20, 30]}, r"`events` must have the same shape as `population`"),
        ({"standard": [1, 2, 3]}, r"`standard` must hold one value per stratum \(2"),
        ({"standard": [0, 0]}, r"`standard` must have a positive total"),
        ({"standard": [[1, 2]]}, r"`standard` must be 1-dimensional"),
        ({"population": [10, 0]}, r"`population` must be positive wherever there are events"),
        ({"method": "gamma"}, r"`method` must be one of 'dobson', 'fay-feuer'"),
        ({"count_limits": "wilson"}, r"`count_limits` must be one of 'exact', 'byar'"),
        ({"confidence_level": 95}, r"`confidence_level` must be a number strictly between"),
        ({"groups": ["a", "b"]}, r"`groups` must hold one label per row or column \(1\)"),
        ({"strata": ["a", "a"]}, r"`strata` must hold distinct labels; got 'a' twice"),
        ({"strata": [["a"], ["b"]]}, r"`strata` must be 1-dimensional"),
    ],
)
def test_direct_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"events": [3, 4], "population": [10, 20], "standard": [1, 1]}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        direct_standardise(**args)  # type: ignore[arg-type]


def test_unhashable_labels_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="`groups` must hold hashable labels"):
        direct_standardise([[1, 2]], [[3, 4]], [1, 1], groups=[{"a": 1}])


# ---- indirect standardisation: formulas ---------------------------------------------------


def test_byar_limits_follow_the_formula() -> None:
    res = indirect_standardise([[30]], [[100.0]], [0.25], method="byar")
    z = stats.norm.ppf(0.975)
    low = 30 * (1 - 1 / 270 - z / (3 * math.sqrt(30))) ** 3 / 25
    high = 31 * (1 - 1 / 279 + z / (3 * math.sqrt(31))) ** 3 / 25
    assert both(res.groups[0].ratio) == pytest.approx((low, high), rel=1e-12)
    few = indirect_standardise([[3]], [[100.0]], [0.25], method="byar")
    assert "fewer than 10" in few.caveats[0]


def test_nothing_expected_is_undefined() -> None:
    res = indirect_standardise([[0, 0], [3, 4]], [[5, 0], [9, 8]], [0.0, 0.5])
    assert res.groups[0].ratio.value is None
    assert "nothing expected" in res.groups[0].ratio.note
    assert res.groups[0].flag == "none"


# ---- indirect standardisation: properties -------------------------------------------------


@given(group_strata_tables(groups=(2, 4), strata=(1, 5)))
def test_internal_standardisation_adds_up(tables: tuple[np.ndarray, np.ndarray]) -> None:
    events, population = tables
    res = indirect_standardise(events, population)
    observed = sum(g.observed for g in res.groups)
    expected = sum(g.expected for g in res.groups)
    assert observed == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert res.reference == "pooled"


@given(group_strata_tables(groups=(2, 4), strata=(1, 5)), st.integers(1, 5))
def test_equal_stratum_mixes_give_the_crude_ratio(
    tables: tuple[np.ndarray, np.ndarray], factor: int
) -> None:
    events, population = tables
    # every group has the same stratum mix (a multiple of the first row)
    base = population[0]
    mixed = np.array([base * (1 + (k % factor)) for k in range(population.shape[0])])
    counts = np.minimum(events, mixed)
    if counts.sum() == 0:
        counts[0, 0] = mixed[0, 0]
    res = indirect_standardise(counts, mixed)
    for g in res.groups:
        assert g.crude_ratio is not None
        assert g.ratio.value == pytest.approx(known(g.crude_ratio).value, rel=1e-12)


@given(group_strata_tables(groups=(2, 3), strata=(2, 6)), st.randoms(use_true_random=False))
def test_ratios_are_invariant_to_the_order_of_strata(
    tables: tuple[np.ndarray, np.ndarray], random: object
) -> None:
    events, population = tables
    order = list(range(events.shape[1]))
    random.shuffle(order)  # type: ignore[attr-defined]
    one = indirect_standardise(events, population)
    two = indirect_standardise(events[:, order], population[:, order])
    for a, b in zip(one.groups, two.groups, strict=True):
        assert b.expected == pytest.approx(a.expected, rel=1e-12, abs=1e-12)
        same_estimate(a.ratio, b.ratio)


def test_one_stratum_gives_the_representation_ratio_of_access_equity() -> None:
    from ipsstats import access_equity  # noqa: PLC0415  # the crude comparison

    ips = [134, 77, 64, 38, 52]
    caseload = [2774, 1158, 810, 936, 1335]
    res = indirect_standardise(np.array(ips)[:, None], np.array(caseload)[:, None])
    crude = access_equity(
        dict(zip("ABCDE", ips, strict=True)), dict(zip("ABCDE", caseload, strict=True))
    )
    for mine, theirs in zip(res.groups, crude.groups, strict=True):
        assert mine.ratio.value == pytest.approx(theirs.representation_ratio.value, rel=1e-12)


@given(group_strata_tables(groups=(1, 3)), st.sampled_from(["exact", "byar", "wald-log"]))
def test_ratio_interval_contains_the_estimate_and_widens(
    tables: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    events, population = tables
    rates = np.linspace(0.1, 0.5, events.shape[1])
    res = indirect_standardise(events, population, rates, method=method)  # type: ignore[arg-type]
    for g in res.groups:
        ratio = g.ratio
        assert ratio.value is not None
        if ratio.lower is None:
            assert g.observed == 0
            continue
        assert ratio.upper is not None
        assert ratio.lower <= ratio.value <= ratio.upper
        wide, narrow = ratio.confidence_interval(0.99), ratio.confidence_interval(0.8)
        assert wide.low <= narrow.low  # type: ignore[operator]
        assert wide.high >= narrow.high  # type: ignore[operator]
        assert g.flag == ("over" if ratio.lower > 1 else "under" if ratio.upper < 1 else "none")


def test_indirect_result_is_frozen_readable_and_json_safe() -> None:
    res = indirect_standardise([[40, 5], [30, 2]], [[200, 250], [150, 50]], groups=["A", "B"])
    assert isinstance(res, IndirectStandardisation)
    with pytest.raises(ValueError, match="read-only"):
        res.reference_rates[0] = 1.0
    lines = str(res).splitlines()
    assert lines[0] == "standardised ratios (exact interval; standardised for 2 strata)"
    assert lines[2].split()[:3] == ["A", "45", "45.8"]
    data = res.to_dict()
    assert "label" not in data
    assert data["groups"][1]["crude_ratio"]["method"] == "exact-poisson"


def test_indirect_conf_level_is_a_deprecated_spelling() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.warns(DeprecationWarning, match="conf_level"):
            res = indirect_standardise([[3]], [[10]], conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
    assert res.confidence_level == 0.9
    with pytest.raises(InvalidInputError, match="`conf_level` must not be given with"):
        indirect_standardise([[3]], [[10]], conf_level=0.9, confidence_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"observed": [[1, 2, 3]]}, r"`observed` must have the same shape as `population`"),
        ({"population": [[0, 5]]}, r"`population` must be positive wherever there are events"),
        ({"reference_rates": [0.1]}, r"`reference_rates` must hold one rate per stratum \(2"),
        ({"reference_rates": [0.1, -0.2]}, r"`reference_rates` must hold non-negative"),
        ({"method": "mid-p"}, r"`method` must be one of 'exact', 'byar', 'wald-log'"),
        ({"observed": [[1, 2.5]]}, r"`observed` must hold whole-number counts"),
    ],
)
def test_indirect_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"observed": [[1, 2]], "population": [[10, 20]]}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        indirect_standardise(**args)  # type: ignore[arg-type]
