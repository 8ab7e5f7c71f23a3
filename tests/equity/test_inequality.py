"""Tests of the slope and relative indices of inequality and the concentration index.

References: weighted least squares and its sandwich variance by numpy linear algebra;
the OHID's simulation positions replayed with numpy; the concentration index's standard
error against a seeded Monte Carlo simulation of the sampling distribution; properties on
random groups. The checks against R's ``lm`` (the OHID regression on the example of
PHEindicatormethods' ``phe_sii`` documentation) and statsmodels are in
``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ipsstats import (
    Cohort,
    InsufficientDataError,
    InvalidInputError,
    concentration_index,
    outcome_inequality,
    proportion_inequality,
    slope_index,
)
from ipsstats.datasets import synthetic_cohort


def num(value: float | None) -> float:
    """A defined number of a result."""
    assert value is not None
    return value


# phe_sii documentation example (life expectancy by deprivation decile), first area; the
# second area is in tests/reference/test_equity.py.
LE1 = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
POP1 = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
SE1 = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57]
JOBS, USERS = [20, 25, 30, 33, 40], [80, 75, 70, 66, 72]


def wls_sandwich(
    values: np.ndarray, pop: np.ndarray, variances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of y on (1, rank) and the exact variance of the coefficients."""
    a = pop / pop.sum()
    ranks = np.cumsum(a) - a / 2
    design = np.column_stack([np.ones_like(ranks), ranks])
    weights = np.diag(a)
    bread = np.linalg.inv(design.T @ weights @ design)
    hat = bread @ design.T @ weights
    return hat @ values, hat @ np.diag(variances) @ hat.T


def test_simulation_agrees_with_the_analytic_interval() -> None:
    # transform "none": the simulated SII is exactly normal, with the analytic variance
    sim = slope_index(LE1, POP1, std_err=SE1, rng=2024, n_simulations=200_000)
    ana = slope_index(LE1, POP1, std_err=SE1, method="analytic")
    # Monte Carlo error of a 2.5% quantile from 200 000 draws is about 0.5% of the width
    assert sim.sii.lower == pytest.approx(ana.sii.lower, rel=0.02)
    assert sim.sii.upper == pytest.approx(ana.sii.upper, rel=0.02)
    assert sim.rii.lower == pytest.approx(ana.rii.lower, rel=0.005)
    assert sim.rii.upper == pytest.approx(ana.rii.upper, rel=0.005)
    assert sim.details["seed"] == 2024
    assert sim.n_simulations == 200_000
    assert ana.n_simulations is None


def test_simulation_positions_follow_the_ohid() -> None:
    res = slope_index(LE1, POP1, std_err=SE1, rng=7, n_simulations=1000)
    # the same draws, sorted, at positions round(1000 * 0.025) = 25 and 975 (1-based)
    generator = np.random.default_rng(7)
    draws = generator.standard_normal((1000, 10))
    sims = np.array(LE1) + draws * np.array(SE1)
    a = np.array(POP1) / sum(POP1)
    ranks = np.cumsum(a) - a / 2
    slopes = [np.polyfit(ranks, row, 1, w=np.sqrt(a))[0] for row in sims]
    ordered = np.sort(slopes)
    assert res.sii.lower == pytest.approx(ordered[24], rel=1e-9)
    assert res.sii.upper == pytest.approx(ordered[974], rel=1e-9)
    again = slope_index(LE1, POP1, std_err=SE1, rng=7, n_simulations=1000)
    assert again.sii == res.sii
    assert res.sii.confidence_interval(0.9) == pytest.approx((ordered[49], ordered[949]), rel=1e-9)


def test_limits_give_the_standard_errors_on_the_transformed_scale() -> None:
    rates = np.array([120.0, 100.0, 90.0, 80.0, 60.0])
    low, high = rates * 0.8, rates * 1.25
    res = slope_index(
        rates, [1, 2, 3, 2, 1], lower=low, upper=high, transform="log", method="analytic"
    )
    z = 1.959963984540054
    assert res.std_err == pytest.approx(np.full(5, np.log(1.25 / 0.8) / (2 * z)), rel=1e-12)
    logit = slope_index(
        [0.2, 0.3, 0.4],
        [5, 5, 5],
        lower=[0.1, 0.2, 0.3],
        upper=[0.3, 0.4, 0.5],
        transform="logit",
        method="analytic",
    )
    expected = (np.log(0.3 / 0.7) - np.log(0.1 / 0.9)) / (2 * z)
    assert logit.std_err[0] == pytest.approx(expected, rel=1e-12)
    at_90 = slope_index(
        rates,
        [1, 2, 3, 2, 1],
        lower=low,
        upper=high,
        limits_level=0.9,
        transform="log",
        method="analytic",
    )
    assert at_90.std_err[0] == pytest.approx(
        np.log(1.25 / 0.8) / (2 * 1.6448536269514722), rel=1e-12
    )


# ---- properties -----------------------------------------------------------------------------

values_strategy = hnp.arrays(np.float64, st.integers(2, 10), elements=st.floats(0.5, 100.0))


@given(values_strategy, st.data())
def test_sii_flips_and_rii_inverts_when_the_order_is_reversed(
    values: np.ndarray, data: st.DataObject
) -> None:
    pop = data.draw(hnp.arrays(np.float64, values.size, elements=st.floats(1.0, 1e4)))
    se = np.full(values.size, 0.5)
    one = slope_index(values, pop, std_err=se, method="analytic")
    two = slope_index(values[::-1], pop[::-1], std_err=se, method="analytic")
    assert two.sii.value == pytest.approx(-num(one.sii.value), rel=1e-9, abs=1e-9)
    assert two.sii.std_err == pytest.approx(one.sii.std_err, rel=1e-9)
    if one.rii.value is not None and two.rii.value is not None:
        assert two.rii.value == pytest.approx(1 / one.rii.value, rel=1e-9)


@given(st.floats(0.01, 100.0), st.integers(2, 10), st.data())
def test_equal_values_have_no_inequality(value: float, k: int, data: st.DataObject) -> None:
    pop = data.draw(hnp.arrays(np.float64, k, elements=st.floats(1.0, 1e4)))
    res = slope_index(np.full(k, value), pop, std_err=np.full(k, 0.1), method="analytic")
    assert res.sii.value == pytest.approx(0.0, abs=1e-9 * value)
    assert res.rii.value == pytest.approx(1.0, rel=1e-9)
    even = proportion_inequality(np.full(k, 5), np.full(k, 20), method="analytic")
    assert even.slope.sii.value == pytest.approx(0.0, abs=1e-12)
    assert even.concentration.index.value == pytest.approx(0.0, abs=1e-12)


@given(values_strategy, st.floats(0.01, 1e3), st.data())
def test_sii_of_rates_is_invariant_to_scaling_the_counts(
    values: np.ndarray, scale: float, data: st.DataObject
) -> None:
    pop = data.draw(hnp.arrays(np.float64, values.size, elements=st.floats(1.0, 1e4)))
    events = values * pop  # rates = events / pop, unchanged when both scale
    one = slope_index(
        events / pop, pop, std_err=np.full(values.size, 0.1), transform="log", method="analytic"
    )
    two = slope_index(
        (events * scale) / (pop * scale),
        pop * scale,
        std_err=np.full(values.size, 0.1),
        transform="log",
        method="analytic",
    )
    assert two.sii.value == pytest.approx(one.sii.value, rel=1e-9, abs=1e-9)
    if one.rii.value is None:  # a fitted end at or below 0
        assert two.rii.value is None
    else:
        assert two.rii.value == pytest.approx(one.rii.value, rel=1e-9)


@given(values_strategy, st.sampled_from(["analytic", "simulation"]))
def test_intervals_contain_the_estimate_and_widen(values: np.ndarray, method: str) -> None:
    pop = np.arange(1, values.size + 1, dtype=float) * 100
    res = slope_index(
        values,
        pop,
        std_err=np.full(values.size, 1.0),
        method=method,  # type: ignore[arg-type]
        n_simulations=2000,
        rng=1,
    )
    for est in (res.sii, res.rii):
        if est.value is None:
            continue
        assert est.lower <= est.value <= est.upper  # type: ignore[operator]
        wide, narrow = est.confidence_interval(0.99), est.confidence_interval(0.8)
        assert wide.low <= narrow.low  # type: ignore[operator]
        assert wide.high >= narrow.high  # type: ignore[operator]


def test_rii_undefined_when_a_fitted_end_is_not_positive() -> None:
    res = slope_index([-5.0, 5.0], [1, 1], std_err=[1, 1], method="analytic")
    assert res.rii.value is None
    assert "not positive" in res.rii.note
    sim = slope_index([-5.0, 5.0], [1, 1], std_err=[1, 1], rng=1, n_simulations=1000)
    assert sim.rii.value is None


def test_rii_interval_beyond_floating_point_is_not_reached() -> None:
    # the fitted bottom end is close to 0: the log-scale interval overflows a float
    res = slope_index([1.0, 0.5], [1, 162], std_err=[0.5, 0.5], method="analytic")
    rii = res.rii
    assert rii.value == pytest.approx(0.003058103975532042, rel=1e-12)
    assert (rii.lower, rii.upper) == (0.0, None)
    assert "not finite" in rii.note


def test_slope_index_is_readable_and_json_safe() -> None:
    res = slope_index(
        LE1, POP1, std_err=SE1, rng=5, n_simulations=1000, labels=[f"D{k}" for k in range(1, 11)]
    )
    assert str(res).splitlines()[0].startswith("SII 7 (95% CI")
    data = res.to_dict()
    assert data["labels"][0] == "D1"
    assert data["details"] == {"seed": 5}
    with pytest.raises(ValueError, match="read-only"):
        res.ranks[0] = 0.0


def test_slope_index_deprecated_conf_level() -> None:
    with pytest.warns(DeprecationWarning, match="conf_level"):
        res = slope_index(LE1, POP1, std_err=SE1, method="analytic", conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
    assert res.confidence_level == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"values": [80.0]}, r"`population` must hold one value per group \(1\)"),
        ({"values": [1.0], "population": [2]}, r"`values` must hold at least two groups"),
        ({"values": ["a", "b"]}, r"`values` must be a 1-D array of numbers"),
        ({"values": [1.0, np.nan]}, r"`values` must hold finite numbers"),
        ({"population": [0, 3]}, r"`population` must be positive in every group"),
        ({"std_err": [1.0]}, r"`std_err` must hold one value per group \(2\)"),
        ({"std_err": None}, r"`std_err` must be given, or else both `lower` and `upper`"),
        ({"std_err": None, "lower": [1, 2]}, r"got only one limit"),
        ({"lower": [1, 2], "upper": [3, 4]}, r"`std_err` must be given alone"),
        ({"std_err": None, "lower": [1], "upper": [3, 4]}, r"`lower` must hold one value per"),
        ({"std_err": None, "lower": [81, 79], "upper": [85, 85]}, r"`lower` must and `upper`"),
        ({"transform": "log", "values": [-1.0, 2.0]}, r"`values` must hold non-negative"),
        ({"transform": "log", "values": [0.0, 2.0]}, r"`values` must be positive with"),
        ({"transform": "logit", "values": [0.5, 1.0]}, r"`values` must lie strictly between"),
        ({"transform": "sqrt"}, r"`transform` must be one of 'none', 'log', 'logit'"),
        ({"method": "bootstrap"}, r"`method` must be one of 'simulation', 'analytic'"),
        ({"n_simulations": 999}, r"`n_simulations` must be a whole number of at least 1000"),
        ({"n_simulations": 5000.0}, r"`n_simulations` must be a whole number"),
        ({"rng": -1}, r"`rng` must be a non-negative integer seed or a numpy Generator"),
        ({"limits_level": 2}, r"`limits_level` must be a number strictly between 0 and 1"),
    ],
)
def test_slope_index_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"values": [80.0, 82.0], "population": [3, 4], "std_err": [1, 1]}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        slope_index(**args)  # type: ignore[arg-type]


def test_logit_limits_at_the_boundary_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="`lower` must lie strictly between 0 and 1"):
        slope_index([0.2, 0.5], [3, 4], lower=[0.0, 0.4], upper=[0.4, 0.6], transform="logit")


# ---- concentration index ----------------------------------------------------------------


def test_concentration_standard_error_meets_the_sampling_distribution() -> None:
    generator = np.random.default_rng(20240601)
    shares = np.array(USERS) / sum(USERS)
    rates = np.array(JOBS) / np.array(USERS)
    values: list[float] = []
    for _ in range(3000):
        people = np.maximum(generator.multinomial(sum(USERS), shares), 1)
        index = concentration_index(generator.binomial(people, rates), people).index
        values.append(num(index.value))
    # Monte Carlo error of a standard deviation from 3000 draws: about 1.3%
    se = concentration_index(JOBS, USERS).index.std_err
    assert np.std(values) == pytest.approx(se, rel=0.05)


def test_concentration_validation() -> None:
    with pytest.raises(InvalidInputError, match=r"`events` must hold one count per group"):
        concentration_index([1, 2], [3, 4, 5])
    with pytest.raises(InvalidInputError, match=r"`events` must hold at least two groups"):
        concentration_index([1], [3])
    with pytest.raises(InvalidInputError, match=r"`population` must be positive in every"):
        concentration_index([0, 2], [0, 4])
    with pytest.raises(InvalidInputError, match=r"`events` must be at most `population`"):
        concentration_index([5, 2], [3, 4])
    with pytest.raises(InsufficientDataError, match=r"`events` are all 0"):
        concentration_index([0, 0], [3, 4])
    with pytest.warns(DeprecationWarning, match="conf_level"):
        assert concentration_index([1, 2], [3, 4], conf_level=0.9).confidence_level == 0.9  # type: ignore[call-arg]  # the deprecated spelling


# ---- proportions and cohorts ------------------------------------------------------------


def test_proportion_inequality_simulation_uses_wilson_limits_on_the_logit_scale() -> None:
    res = proportion_inequality(JOBS, USERS, rng=11, n_simulations=5000)
    from ipsstats import proportion  # noqa: PLC0415  # the reference interval

    z = 1.959963984540054
    for se, k, n in zip(res.slope.std_err, JOBS, USERS, strict=True):
        wilson = proportion(k, n, method="wilson")
        low, high = num(wilson.lower), num(wilson.upper)
        logit_width = np.log(high / (1 - high)) - np.log(low / (1 - low))
        assert se == pytest.approx(logit_width / (2 * z), rel=1e-12)
    assert res.slope.transform == "logit"
    assert [r.method for r in res.rates] == ["wilson"] * 5
    assert str(res).splitlines()[0] == "inequality across ordered groups (first = rank 0)"
    assert res.to_dict()["concentration"]["index"]["method"] == "kakwani"


def test_proportion_inequality_simulation_refuses_boundary_groups() -> None:
    with pytest.raises(InvalidInputError, match=r"`events` must be strictly between 0 and"):
        proportion_inequality([0, 5, 6], [10, 10, 10])
    res = proportion_inequality([0, 5, 6], [10, 10, 10], method="analytic")
    p = np.array([0.0, 0.5, 0.6])
    beta, cov = wls_sandwich(p, np.array([10.0, 10, 10]), p * (1 - p) / 10)
    assert res.slope.sii.value == pytest.approx(beta[1], rel=1e-12)
    assert res.slope.sii.std_err == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-12)
    assert res.slope.transform == "none"
    assert "only 3 groups" in res.caveats[0]


def test_outcome_inequality_is_proportion_inequality_of_the_tallies() -> None:
    cohort = synthetic_cohort().with_age_band((30, 40, 50))
    res = outcome_inequality(cohort, "age_band", method="analytic")
    table = cohort.crosstab("age_band", "job_by_end")
    counts = np.asarray(table.counts)
    base = proportion_inequality(
        counts[:, 0], counts.sum(axis=1), method="analytic", labels=list(table.row_levels)
    )
    assert res.slope.sii == base.slope.sii
    assert res.concentration.index == base.concentration.index
    assert res.name == "age_band"
    reverse = outcome_inequality(
        cohort, "age_band", method="analytic", order=list(table.row_levels)[::-1]
    )
    assert reverse.slope.sii.value == pytest.approx(-num(res.slope.sii.value), rel=1e-12)


def test_outcome_inequality_leaves_out_empty_levels_and_missing_people() -> None:
    cohort = Cohort.from_columns(
        {
            "accessed": ["2022-05-01"] * 7,
            "job_start": ["2022-06-01", None, "2022-07-01", None, "2022-08-01", None, None],
            "band": ["a", "a", "b", "b", "d", "d", None],
        },
        observed_until="2023-03-31",
    )
    res = outcome_inequality(cohort, "band", order=["a", "b", "d"], method="analytic")
    assert res.concentration.labels == ("a", "b", "d")
    assert any("1 people" in c for c in res.caveats)
    with pytest.raises(InvalidInputError, match=r"`order` must list the levels of 'band'"):
        outcome_inequality(cohort, "band", order=["a", "b"])
    with pytest.raises(InvalidInputError, match=r"`cohort` must be a Cohort"):
        outcome_inequality("cohort", "band")  # type: ignore[arg-type]


def test_outcome_inequality_needs_two_levels_and_a_job() -> None:
    one = Cohort.from_columns(
        {"accessed": ["2022-05-01"] * 2, "band": ["a", "a"], "job_start": ["2022-06-01", None]},
        observed_until="2023-03-31",
    )
    with pytest.raises(InsufficientDataError, match="fewer than two levels"):
        outcome_inequality(one, "band")
    none = Cohort.from_columns(
        {"accessed": ["2022-05-01"] * 2, "band": ["a", "b"]}, observed_until="2023-03-31"
    )
    with pytest.raises(InsufficientDataError, match="nobody in the cohort has a job"):
        outcome_inequality(none, "band", method="analytic")
    with pytest.warns(DeprecationWarning, match="conf_level"):
        outcome_inequality(
            synthetic_cohort().with_age_band(),
            "age_band",
            method="analytic",
            conf_level=0.9,  # type: ignore[call-arg]  # the deprecated spelling
        )
    with pytest.warns(DeprecationWarning, match="conf_level"):
        proportion_inequality(JOBS, USERS, method="analytic", conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
