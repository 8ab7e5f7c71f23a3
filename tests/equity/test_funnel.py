"""Tests of funnel-plot limits, over-dispersion and flags (ipsstats.equity.funnel).

References: Spiegelhalter's interpolated exact limits computed in R 4.2.2 with
``qbinom``/``pbinom``/``dbinom`` (``qpois``/``ppois``/``dpois``); the winsorised dispersion
and the DerSimonian-Laird random-effects limits computed in R with ``quantile(type = 7)``
(the functions are written out below); a naive Python implementation by enumeration of
the binomial distribution; properties on random units.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ipsstats import (
    Cohort,
    Funnel,
    InsufficientDataError,
    InvalidInputError,
    funnel,
    indirect_standardise,
    outcome_funnel,
)
from ipsstats.datasets import synthetic_cohort
from tests.strategies import funnel_units

# R:
#   lim_binom <- function(p, n, theta) { r <- qbinom(p, n, theta)
#     a <- (pbinom(r, n, theta) - p) / dbinom(r, n, theta); pmax((r - a) / n, 0) }
#   lim_pois <- function(p, e, theta) { r <- qpois(p, e * theta)
#     a <- (ppois(r, e * theta) - p) / dpois(r, e * theta); pmax((r - a) / e, 0) }
X, N = [12, 30, 9, 40, 5], [40, 60, 30, 70, 35]  # theta <- sum(x) / sum(n)
BINOM = {  # lim_binom(p, n, theta)
    0.025: [0.24580518316009808, 0.27675250211988600, 0.21724801542125169,
            0.28746481740151825, 0.23348077940083778],
    0.975: [0.54970187943692594, 0.52653676283737649, 0.57020804986415563,
            0.51796351143836172, 0.56071845743588389],
    0.001: [0.16395974108124614, 0.20925168371701555, 0.12874505113886148,
            0.22450052891925085, 0.14780696933873549],
    0.999: [0.64134246114697291, 0.59881593727838733, 0.67380497167927145,
            0.58506506997518981, 0.65468147950942068],
}  # fmt: skip
OBSERVED = [32, 42, 70, 66, 39, 3]
EXPECTED = [36.5, 41.9, 62.6, 61.2, 46.7, 2.1]
POISSON = {  # lim_pois(p, e, 1)
    0.025: [0.67452116281376873, 0.69658549838779626, 0.75203850762481217,
            0.74910942567132288, 0.71248173413902838, 0.0],
    0.975: [1.3238914418556071, 1.3024401878092622, 1.2471068062870363,
            1.2502727574902506, 1.2859044205096082, 2.3289548068801547],
    0.001: [0.51529913966031127, 0.54617067966810540, 0.62490841874016889,
            0.62118734316224078, 0.56798949490814998, 0.0],
    0.999: [1.5349902189181353, 1.4987196421577289, 1.4046383656232684,
            1.4097392458108398, 1.4715219651350204, 3.5348113079366148],
}  # fmt: skip
# Multiplicative, R:
#   z <- (x/n - theta) / sqrt(theta * (1 - theta) / n)
#   q <- quantile(z, c(0.1, 0.9), type = 7); zw <- pmin(pmax(z, q[1]), q[2]); phi <- mean(zw^2)
#   pchisq(length(z) * phi, length(z) - 1, lower.tail = FALSE)
#   h <- qnorm(1 - (1 - lv)/2) * sqrt(max(phi, 1) * theta * (1 - theta) / n)
PHI, PHI_P = 3.3287320091854204, 0.0022666074991029403
MULT = {
    0.95: ([0.13058240558683953, 0.18158318654602865, 0.08758675835564883,
            0.19841664227584957, 0.11139285975036861],
           [0.68643887100890510, 0.63543809004971596, 0.72943451824009586,
            0.61860463431989510, 0.70562841684537603]),
    0.998: ([0.0, 0.050719093100448753, 0.0, 0.077260034225418273, 0.0],
            [0.84671399830568883, 0.76630218349529589, 0.91450429401849487,
             0.73976124237032637, 0.87696973512141729]),
}  # fmt: skip
# Additive (arcsine scale), R:
#   t0 <- asin(sqrt(theta)); zt <- (asin(sqrt(x/n)) - t0) * 2 * sqrt(n)
#   (winsorised as above) w <- 4*n
#   tau2 <- max(0, (length(zt)*phi - (length(zt)-1)) / (sum(w) - sum(w^2)/sum(w)))
#   h <- qnorm(1 - (1 - lv)/2) * sqrt(1/(4*n) + tau2)
#   c(sin(pmax(t0 - h, 0))^2, sin(pmin(t0 + h, pi/2))^2)
ADD_PHI, ADD_TAU2 = 3.6194600120630014, 0.01926084601263969
ADD = {
    0.95: ([0.13781818734380072, 0.14694072678730757, 0.12929330693357938,
            0.14966703769234954, 0.13409533881493324],
           [0.71391017990592898, 0.70203897825718609, 0.72516870048238591,
            0.69852456933211615, 0.71880642510411430]),
    0.998: ([0.039397477965044628, 0.047793819407957426, 0.032071534577207843,
             0.050407044179021927, 0.036133489169151968],
            [0.85976852200815890, 0.84517381609022679, 0.87320535249553166,
             0.84077346232688421, 0.86566213218668819]),
}  # fmt: skip
# SHMI-style ratios on the square-root scale, R:
#   o <- c(120, 95, 210, 60, 150, 80, 300, 45); e <- c(100, 110, 180, 70, 140, 60, 310, 50)
#   zt <- 2 * (sqrt(o) - sqrt(e)); (winsorised, tau2 as above with w <- 4*e)
#   h <- qnorm(1 - (1 - lv)/2) * sqrt(1/(4*e) + tau2); c(pmax(1 - h, 0)^2, (1 + h)^2)
SHMI_O = [120, 95, 210, 60, 150, 80, 300, 45]
SHMI_E = [100, 110, 180, 70, 140, 60, 310, 50]
SHMI_PHI, SHMI_TAU2 = 2.2528669255812086, 0.0032714717506816403
SHMI_95 = (
    [0.72437314733268832, 0.72942241251030038, 0.75030151109332199, 0.70202312454911420,
     0.74066562661430746, 0.69050051480945251, 0.76534398360130762, 0.67526635205727115],
    [1.3199685947973976, 1.3131732119740154, 1.2855036558796658, 1.3505503150538876,
     1.2981883172005009, 1.3666460900562805, 1.2659863657490078, 1.3882826841762852],
)  # fmt: skip


def unit_limits(res: Funnel, k: int) -> tuple[list[float], list[float]]:
    return [u.lower[k] for u in res.units], [u.upper[k] for u in res.units]


def test_exact_binomial_limits_match_r() -> None:
    res = funnel(X, N)
    assert res.target == pytest.approx(96 / 235, rel=1e-15)
    assert res.method == "exact-binomial"
    for k, (low, high) in enumerate(((0.025, 0.975), (0.001, 0.999))):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(BINOM[low], rel=1e-12)
        assert upper == pytest.approx(BINOM[high], rel=1e-12)


def test_exact_poisson_limits_match_r() -> None:
    res = funnel(OBSERVED, EXPECTED, kind="ratio", target=1.0)
    assert res.method == "exact-poisson"
    for k, (low, high) in enumerate(((0.025, 0.975), (0.001, 0.999))):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(POISSON[low], rel=1e-12, abs=1e-15)
        assert upper == pytest.approx(POISSON[high], rel=1e-12)
    # a rate is the same distribution: events over person-time
    rate = funnel(OBSERVED, EXPECTED, kind="rate", target=1.0)
    assert unit_limits(rate, 1) == unit_limits(res, 1)


def test_multiplicative_overdispersion_matches_r() -> None:
    res = funnel(X, N, overdispersion="multiplicative")
    assert res.phi == pytest.approx(PHI, rel=1e-12)
    assert res.phi_used == res.phi
    assert res.dispersion_test is not None
    assert res.dispersion_test.statistic == pytest.approx(5 * PHI, rel=1e-12)
    assert res.dispersion_test.dof == 4
    assert res.dispersion_test.pvalue == pytest.approx(PHI_P, rel=1e-10)
    for k, level in enumerate((0.95, 0.998)):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(MULT[level][0], rel=1e-12, abs=1e-15)
        assert upper == pytest.approx(MULT[level][1], rel=1e-12)
    assert res.tau2 is None
    assert res.method == "normal-phi"


def test_additive_overdispersion_matches_r() -> None:
    res = funnel(X, N, overdispersion="additive")
    assert res.phi == pytest.approx(ADD_PHI, rel=1e-12)
    assert res.tau2 == pytest.approx(ADD_TAU2, rel=1e-12)
    assert res.phi_used is None
    for k, level in enumerate((0.95, 0.998)):
        lower, upper = unit_limits(res, k)
        assert lower == pytest.approx(ADD[level][0], rel=1e-12)
        assert upper == pytest.approx(ADD[level][1], rel=1e-12)
    assert res.method == "random-effects-arcsine"


def test_shmi_style_ratio_limits_match_r() -> None:
    res = funnel(SHMI_O, SHMI_E, kind="ratio", target=1.0, overdispersion="additive")
    assert res.phi == pytest.approx(SHMI_PHI, rel=1e-12)
    assert res.tau2 == pytest.approx(SHMI_TAU2, rel=1e-12)
    lower, upper = unit_limits(res, 0)
    assert lower == pytest.approx(SHMI_95[0], rel=1e-12)
    assert upper == pytest.approx(SHMI_95[1], rel=1e-12)
    assert res.dispersion_test is not None
    assert res.dispersion_test.dof == 8  # the target was given
    # the z-scores are the SHMI's 2 (sqrt(O) - sqrt(E))
    z = [u.z for u in res.units]
    assert z == pytest.approx(
        [2 * (math.sqrt(o) - math.sqrt(e)) for o, e in zip(SHMI_O, SHMI_E, strict=True)]
    )


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
    res = funnel(events, people, levels=[level])
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
    # where the count's variance passes the limit the expansion takes over; there it
    # agrees with the exact interpolated quantile (computed by SciPy) to 1e-12
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
    np.testing.assert_allclose(expanded, exact, rtol=1e-12)


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
    for k in range(len(res.levels)):
        width = upper[k] - lower[k]
        # exact limits of discrete counts wobble slightly; the trend is monotone over
        # these widely spaced denominators (where a proportion's limits are cut at 0 and
        # 1 the width stays 1)
        assert np.all(np.diff(width) <= 1e-12)
        assert width[-1] < width[0]
        assert np.all(lower[k] <= target + 1e-12)
        assert np.all(upper[k] >= target - 1e-12)
    if len(res.levels) == 2:
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
            for level, lo, hi in zip(res.levels, unit.lower, unit.upper, strict=True)
            if unit.value < lo or unit.value > hi
        ]
        assert unit.flag_level == (max(outside) if outside else None)
        if unit.flag == "above":
            assert unit.value > unit.upper[res.levels.index(unit.flag_level)]
        elif unit.flag == "below":
            assert unit.value < unit.lower[res.levels.index(unit.flag_level)]
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
        ({"levels": []}, r"`levels` must be a non-empty sequence of levels"),
        ({"levels": [0.95, 99.8]}, r"`levels` must be a number strictly between 0 and 1"),
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
    single = funnel(X, N, levels=0.9)
    assert single.levels == (0.9,)


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
