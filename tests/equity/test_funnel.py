"""Tests of funnel-plot limits, over-dispersion and flags (ipsstats.equity.funnel).

References: a naive Python implementation of Spiegelhalter's limits by enumeration of the
binomial distribution; the expansion for large counts against the exact quantile it stands
in for (a fast path against a naive one); properties on random units. The checks against
R (exact limits, over-dispersion, SHMI-style ratios) are in
``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ipsstats import (
    Cohort,
    InsufficientDataError,
    InvalidInputError,
    funnel,
    indirect_standardise,
    outcome_funnel,
)
from ipsstats.datasets import synthetic_cohort
from tests.strategies import funnel_units

# Five teams: events and people (their limits from R are in tests/reference/test_equity.py).
X, N = [12, 30, 9, 40, 5], [40, 60, 30, 70, 35]  # theta <- sum(x) / sum(n)


def naive_limit(p: float, n: int, theta: float) -> float:
    """Spiegelhalter's limit by walking up the binomial distribution function."""
    cdf = 0.0
    for r in range(n + 1):
        mass = stats.binom.pmf(r, n, theta)
        if cdf + mass >= p:
            alpha = (cdf + mass - p) / mass
            return max(float((r - alpha) / n), 0.0)
        cdf += mass
    return 1.0


@given(funnel_units(max_n=200), st.sampled_from([0.8, 0.95, 0.998]))
def test_exact_limits_meet_a_naive_enumeration(
    units: tuple[np.ndarray, np.ndarray], level: float
) -> None:
    events, people = units
    res = funnel(events, people, confidence_levels=[level])
    theta = res.target
    tail = (1 - level) / 2
    for unit, n in zip(res.units, people.tolist(), strict=True):
        assert unit.lower[0] == pytest.approx(naive_limit(tail, n, theta), rel=1e-9, abs=1e-12)
        assert unit.upper[0] == pytest.approx(naive_limit(1 - tail, n, theta), rel=1e-9)


@pytest.mark.parametrize("kind", ["proportion", "rate"])
@pytest.mark.parametrize("target", [0.02, 0.12, 0.5, 0.9])
@pytest.mark.parametrize("tail", [0.001, 0.025, 0.975, 0.999])
def test_large_counts_take_the_expansion_that_meets_the_exact_quantile(
    kind: str, target: float, tail: float
) -> None:
    # Fast path vs naive: where the count's variance passes the limit the expansion takes
    # over; there it agrees with the exact interpolated quantile (computed by SciPy) to
    # 1e-12 with SciPy 1.17, 1e-11 with SciPy 1.11 (whose binomial distribution function
    # is good to about that at these sizes). The private names stay: the public `limits`
    # gives only one of the two at a denominator, and the limit itself
    # (`_EXACT_VARIANCE_LIMIT`) places the denominators.
    module = importlib.import_module("ipsstats.equity.funnel")

    variance = module._EXACT_VARIANCE_LIMIT * np.array([0.5, 1.0, 4.0])
    spread = target * (1 - target) if kind == "proportion" else target
    rho = np.round(variance / spread)
    exact = module._interpolated_quantile(tail, rho, target, kind)
    mean = rho * target
    expanded = module._expanded_quantile(
        tail,
        mean,
        mean * (1 - target) if kind == "proportion" else mean,
        target,
        kind,
    )
    np.testing.assert_allclose(expanded, exact, rtol=1e-11)


def test_limits_at_denominators_past_any_population_are_finite_and_ordered() -> None:
    # SciPy's binomial quantile stalls at 2**62 people and its Poisson quantile is NaN
    # past a mean of about 1e11: the limits there come from the expansion, at once
    res = funnel([5, 9, 12, 3], [50, 60, 80, 40])
    rate = funnel([5, 9, 12, 3], [50.0, 60.0, 80.0, 40.0], kind="rate")
    for fitted in (res, rate):
        lower, upper = fitted.limits([1e6, 1e12, 2.0**62, 1e300])
        assert np.isfinite(lower).all()
        assert np.isfinite(upper).all()
        assert np.all(lower <= fitted.target)
        assert np.all(upper >= fitted.target)
        assert np.all(np.diff(upper - lower, axis=1) <= 0)  # narrowing with the denominator


# ---- properties -----------------------------------------------------------------------------


@given(
    st.floats(0.05, 0.95),
    st.sampled_from(["none", "multiplicative", "additive"]),
    st.sampled_from(["proportion", "rate", "ratio"]),
)
def test_limits_widen_as_the_denominator_falls(target: float, spread: str, kind: str) -> None:
    people = np.array([40, 100, 150, 90])
    events = np.round(target * people) + np.array([1, -1, 0, 2])  # a little dispersion
    res = funnel(
        np.clip(events, 0, people),
        people,
        kind=kind,  # type: ignore[arg-type]  # a Literal, from sampled_from
        target=target,
        overdispersion=spread,  # type: ignore[arg-type]  # a Literal, from sampled_from
    )
    grid = np.array([20.0, 50.0, 200.0, 1000.0, 5000.0])
    lower, upper = res.limits(grid)
    for k in range(len(res.confidence_levels)):
        width = upper[k] - lower[k]
        # exact limits of discrete counts wobble slightly; the trend is monotone over
        # these widely spaced denominators (where a proportion's limits are cut at 0 and
        # 1 the width stays 1)
        assert np.all(np.diff(width) <= 1e-12)
        assert width[-1] < width[0]
        assert np.all(lower[k] <= target + 1e-12)
        assert np.all(upper[k] >= target - 1e-12)
    if len(res.confidence_levels) == 2:
        assert np.all(lower[1] <= lower[0] + 1e-12)
        assert np.all(upper[1] >= upper[0] - 1e-12)


@given(funnel_units(), st.sampled_from(["none", "multiplicative", "additive"]))
def test_flags_are_consistent_with_the_limits(
    units: tuple[np.ndarray, np.ndarray], spread: str
) -> None:
    events, people = units
    res = funnel(events, people, overdispersion=spread)  # type: ignore[arg-type]
    for unit in res.units:
        outside = [
            level
            for level, lo, hi in zip(res.confidence_levels, unit.lower, unit.upper, strict=True)
            if unit.value < lo or unit.value > hi
        ]
        assert unit.flag_level == (max(outside) if outside else None)
        if unit.flag == "above":
            assert unit.value > unit.upper[res.confidence_levels.index(unit.flag_level)]
        elif unit.flag == "below":
            assert unit.value < unit.lower[res.confidence_levels.index(unit.flag_level)]
        else:
            assert not outside
    low = res.flagged(0.95)
    high = res.flagged(0.998)
    assert set(map(id, high)) <= set(map(id, low))
    # the curves are the same limits
    lower, upper = res.limits(res.precision[:5])
    assert np.allclose(lower, res.curve_lower[:, :5], rtol=1e-14)
    assert np.allclose(upper, res.curve_upper[:, :5], rtol=1e-14)


@given(funnel_units(min_units=3), st.randoms(use_true_random=False))
def test_units_order_does_not_matter(units: tuple[np.ndarray, np.ndarray], random: object) -> None:
    events, people = units
    order = list(range(events.size))
    random.shuffle(order)  # type: ignore[attr-defined]
    one = funnel(events, people, overdispersion="additive", labels=list(range(events.size)))
    two = funnel(events[order], people[order], overdispersion="additive", labels=order)
    assert two.tau2 == pytest.approx(one.tau2, rel=1e-9, abs=1e-15)
    by_label = {u.label: u for u in one.units}
    for unit in two.units:
        assert unit.flag == by_label[unit.label].flag
        assert unit.lower == pytest.approx(by_label[unit.label].lower, rel=1e-12)


def test_multiplicative_never_narrows() -> None:
    # barely varying units: phi below 1 is not applied
    res = funnel([20, 21, 19, 20], [50, 50, 50, 50], overdispersion="multiplicative")
    assert res.phi is not None
    assert res.phi < 1
    assert res.phi_used == 1.0
    additive = funnel([20, 21, 19, 20], [50, 50, 50, 50], overdispersion="additive")
    assert additive.tau2 == 0.0


def test_flags_of_the_five_teams() -> None:
    res = funnel(X, N, labels=["North", "South", "East", "West", "Central"], name="team")
    assert [(u.label, u.flag, u.flag_level) for u in res.units] == [
        ("North", "within", None),
        ("South", "within", None),
        ("East", "within", None),
        ("West", "above", 0.95),
        ("Central", "below", 0.998),
    ]
    assert [u.label for u in res.flagged()] == ["West", "Central"]
    assert [u.label for u in res.flagged(0.998)] == ["Central"]
    text = str(res)
    assert text.splitlines()[0] == "funnel of team: proportion, target 0.4085 (exact-binomial)"
    assert "below 99.8%" in text
    data = res.to_dict()
    assert data["units"][3]["flag"] == "above"
    assert len(data["precision"]) == len(data["curve_lower"][0])
    with pytest.raises(ValueError, match="read-only"):
        res.curve_upper[0, 0] = 1.0


def test_a_ratio_funnel_of_standardised_counts() -> None:
    std = indirect_standardise([[30, 5], [12, 20], [8, 9]], [[100, 50], [60, 80], [40, 60]])
    res = funnel([g.observed for g in std.groups], [g.expected for g in std.groups], kind="ratio")
    assert res.target == pytest.approx(1.0, rel=1e-12)
    assert [u.value for u in res.units] == pytest.approx([g.ratio.value for g in std.groups])


def test_small_numbers_of_units_are_a_caveat() -> None:
    res = funnel(X, N, overdispersion="additive")
    assert "5 units only" in res.caveats[0]
    with pytest.raises(InsufficientDataError, match="at least two units"):
        funnel([3], [10], overdispersion="additive")
    one = funnel([3], [10], target=0.2, overdispersion="additive")
    assert one.dispersion_test is not None
    assert one.dispersion_test.dof == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"numerators": [1, 2]}, r"`numerators` must have one value per unit"),
        ({"numerators": []}, r"`numerators` must have one value per unit"),
        ({"numerators": [1.5, 2, 3]}, r"`numerators` must hold whole-number counts"),
        ({"numerators": [20, 2, 3]}, r"`numerators` must be at most `denominators`"),
        ({"denominators": [10, 0, 10]}, r"`denominators` must be positive; got 0 at index 1"),
        ({"denominators": [10, 2.5, 10]}, r"`denominators` must hold whole numbers of people"),
        ({"kind": "mean"}, r"`kind` must be one of 'proportion', 'rate', 'ratio'"),
        ({"overdispersion": "beta"}, r"`overdispersion` must be one of 'none'"),
        ({"target": 1.5}, r"`target` must be a proportion strictly between 0 and 1"),
        ({"target": "half"}, r"`target` must be a proportion strictly between 0 and 1"),
        ({"kind": "rate", "target": -1.0}, r"`target` must be a positive number"),
        ({"confidence_levels": []}, r"`confidence_levels` must be a non-empty sequence"),
        (
            {"confidence_levels": [0.95, 99.8]},
            r"`confidence_levels` must be a number strictly between 0 and 1",
        ),
        ({"winsorise": 0.5}, r"`winsorise` must be a share in \[0, 0.5\)"),
        ({"winsorise": True}, r"`winsorise` must be a share in \[0, 0.5\)"),
        ({"labels": ["a"]}, r"`labels` must hold one label per row or column \(3\)"),
    ],
)
def test_funnel_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"numerators": [3, 4, 5], "denominators": [10, 10, 10]}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        funnel(**args)  # type: ignore[arg-type]


def test_a_pooled_target_of_zero_or_one_is_insufficient() -> None:
    with pytest.raises(InsufficientDataError, match="no unit has an event"):
        funnel([0, 0], [10, 20])
    with pytest.raises(InsufficientDataError, match="every person has the outcome"):
        funnel([10, 20], [10, 20])
    # a rate of person-time may use fractional denominators
    assert funnel([1, 2], [2.5, 3.5], kind="rate").units[0].denominator == 2.5


def test_limits_and_flagged_validation() -> None:
    res = funnel(X, N)
    with pytest.raises(InvalidInputError, match="`denominators` must be positive"):
        res.limits([0.0])
    with pytest.raises(InvalidInputError, match=r"`level` must be one of the funnel's levels"):
        res.flagged(0.9)
    single = funnel(X, N, confidence_levels=0.9)
    assert single.confidence_levels == (0.9,)
    with pytest.warns(DeprecationWarning, match=r"`levels` is deprecated"):
        old = funnel(X, N, levels=0.9)  # type: ignore[call-arg]  # the old spelling
    assert old.confidence_levels == (0.9,)


# ---- from a cohort --------------------------------------------------------------------------


def test_outcome_funnel_of_teams_is_the_funnel_of_their_tallies() -> None:
    cohort = synthetic_cohort()
    res = outcome_funnel(cohort, "team")
    table = cohort.crosstab("team", "job_by_end")
    counts = np.asarray(table.counts)
    base = funnel(counts[:, 0], counts.sum(axis=1), labels=list(table.row_levels))
    assert [u.to_dict() for u in res.units] == [u.to_dict() for u in base.units]
    assert res.name == "team"
    if table.n_missing:
        assert f"{table.n_missing} people" in res.caveats[-1]


def test_outcome_funnel_standardised_is_observed_against_expected() -> None:
    cohort = synthetic_cohort().with_age_band((35, 50))
    res = outcome_funnel(cohort, "team", strata=["age_band"], overdispersion="additive")
    assert res.kind == "ratio"
    assert res.target == pytest.approx(1.0, rel=1e-12)
    assert sum(u.numerator for u in res.units) == pytest.approx(
        sum(u.denominator for u in res.units), rel=1e-12
    )


def test_outcome_funnel_leaves_out_units_expecting_nothing() -> None:
    cohort = Cohort.from_columns(
        {
            "accessed": ["2022-05-01"] * 6,
            "job_start": ["2022-06-01", None, "2022-07-01", None, None, None],
            "team": ["A", "A", "B", "B", "C", "C"],
            "age_band": ["y", "y", "y", "y", "o", "o"],
        },
        observed_until="2023-03-31",
    )
    res = outcome_funnel(cohort, "team", strata=["age_band"])
    assert [u.label for u in res.units] == ["A", "B"]
    assert "'C'" in res.caveats[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cohort": None}, InvalidInputError, r"`cohort` must be a Cohort; got NoneType"),
        ({"by": "nope"}, InvalidInputError, r"`by` must name an attribute of the cohort"),
        ({"strata": ["nope"]}, InvalidInputError, r"`strata` must name an attribute"),
        ({"by": "ids"}, InvalidInputError, r"`by` must name an attribute of the cohort"),
        ({"min_followup_months": 1.5}, InvalidInputError, r"`min_followup_months` must be"),
    ],
)
def test_outcome_funnel_validation(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    args: dict[str, object] = {"cohort": synthetic_cohort(), "by": "team"}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        outcome_funnel(**args)  # type: ignore[arg-type]


def test_outcome_funnel_without_known_units() -> None:
    cohort = Cohort.from_columns(
        {"accessed": ["2022-05-01"] * 2, "team": [None, None]}, observed_until="2023-03-31"
    )
    with pytest.raises(InsufficientDataError, match="nobody in the cohort has a known 'team'"):
        outcome_funnel(cohort, "team")
