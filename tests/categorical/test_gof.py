"""Goodness of fit and homogeneity: methods, per-category fields, labels, errors, properties.

The references (the 2022 paper, R's ``chisq.test``, scipy) are in
``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats

from ipsstats import (
    Counts,
    InsufficientDataError,
    InvalidInputError,
    SmallExpectedCountWarning,
    goodness_of_fit,
    homogeneity,
)
from ipsstats.categorical.exact import fisher_exact_pvalue
from ipsstats.datasets import perkins2022
from tests.strategies import count_vectors

# --- Cressie-Read and the exact homogeneity test --------------------------------------------


@pytest.mark.parametrize("lambda_", [-1.0, -2.0])
def test_cressie_read_refuses_zero_count_at_or_below_minus_one(lambda_: float) -> None:
    rule = r"`lambda_` must be greater than -1 when a count is zero"
    with pytest.raises(InvalidInputError, match=rule + r".*zero count at label 'y'\."):
        goodness_of_fit(
            {"x": 5, "y": 0, "z": 9},
            {"x": 0.2, "y": 0.3, "z": 0.5},
            method="cressie-read",
            lambda_=lambda_,
        )
    with pytest.raises(InvalidInputError, match=rule + r".*zero count at label 'z' of `b`\."):
        homogeneity(
            {"x": 5, "y": 1, "z": 9},
            {"x": 4, "y": 3, "z": 0},
            method="cressie-read",
            lambda_=lambda_,
        )


def test_homogeneity_exact_is_fisher_freeman_halton() -> None:
    a, b = [5, 2, 0, 3], [1, 6, 4, 2]
    res = homogeneity(a, b, method="exact")
    assert res.method == "fisher-freeman-halton"
    assert res.pvalue == pytest.approx(fisher_exact_pvalue([a, b]), rel=1e-12)
    assert any("0.5 was added" in caveat for caveat in res.caveats)


def test_homogeneity_auto_uses_exact_on_small_counts() -> None:
    res = homogeneity([3, 1, 0], [1, 4, 2], method="auto")
    assert res.method == "fisher-freeman-halton"
    assert "Cochran's rule fails" in res.reason
    assert res.requested == "auto"
    assert res.pvalue == pytest.approx(fisher_exact_pvalue([[3, 1, 0], [1, 4, 2]]), rel=1e-12)


def test_homogeneity_auto_and_monte_carlo() -> None:
    data = perkins2022()
    ips, caseload = data.ips_ethnicity["WWT"], data.caseload_ethnicity["WWT"]
    assert homogeneity(ips, caseload, method="auto").method == "pearson"
    res = homogeneity(ips, caseload, method="monte-carlo", n_resamples=2000, rng=5)
    assert res.details["seed"] == 5
    assert res.pvalue == pytest.approx(1 / 2001, rel=1e-12)  # far beyond every draw


# --- per-category fields --------------------------------------------------------------------


def test_homogeneity_katz_interval_naive() -> None:
    a, b = np.array([30, 12, 8]), np.array([200, 150, 50])
    res = homogeneity(a, b)
    z = stats.norm.ppf(0.975)
    for j in range(3):
        ratio = (a[j] / a.sum()) / (b[j] / b.sum())
        se = math.sqrt(1 / a[j] - 1 / a.sum() + 1 / b[j] - 1 / b.sum())
        assert res.ratio[j] == pytest.approx(ratio, rel=1e-12)
        assert res.ratio_lower[j] == pytest.approx(ratio * math.exp(-z * se), rel=1e-10)
        assert res.ratio_upper[j] == pytest.approx(ratio * math.exp(z * se), rel=1e-10)
    assert res.scale == pytest.approx(50 / 400, rel=1e-15)


@pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
def test_homogeneity_zero_count_interval_holds_the_ratio() -> None:
    a, b = np.array([0, 40, 20]), np.array([60, 0, 90])
    res = homogeneity(a, b, method="pearson")
    assert res.ratio[0] == 0.0
    assert res.ratio_lower[0] == 0.0
    assert res.ratio[1] == math.inf
    assert res.ratio_upper[1] == math.inf
    # the other ends come from the 0.5-corrected counts, as Katz's interval does
    z = stats.norm.ppf(0.975)
    se = math.sqrt(1 / 0.5 - 1 / 60 + 1 / 60.5 - 1 / 150)
    assert res.ratio_upper[0] == pytest.approx(
        (0.5 / 60) / (60.5 / 150) * math.exp(z * se), rel=1e-12
    )
    assert any("0.5 was added" in caveat for caveat in res.caveats)


@pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
@given(count_vectors(min_size=2, max_size=6, max_count=50), st.data())
@settings(max_examples=60)
def test_homogeneity_interval_always_holds_the_ratio(
    a: NDArray[np.int64], data: st.DataObject
) -> None:
    b = data.draw(count_vectors(min_size=a.size, max_size=a.size, max_count=50))
    keep = (a + b) > 0
    a, b = a[keep], b[keep]
    if a.size < 2 or a.sum() == 0 or b.sum() == 0:
        return
    res = homogeneity(a, b, method="pearson")
    assert np.all(res.ratio_lower <= res.ratio)
    assert np.all(res.ratio <= res.ratio_upper)


# --- exact and Monte Carlo goodness of fit --------------------------------------------------


def _multinomial_brute_force(counts: list[int], probs: list[float]) -> float:
    n = sum(counts)

    def pmf(x: tuple[int, ...]) -> float:
        return float(stats.multinomial.pmf(x, n, probs))

    observed = pmf(tuple(counts))
    return sum(
        pmf(x)
        for x in itertools.product(range(n + 1), repeat=len(counts))
        if sum(x) == n and pmf(x) <= observed * (1 + 1e-7)
    )


def test_exact_multinomial_matches_brute_force() -> None:
    rng = np.random.default_rng(4)
    for _ in range(15):
        k = int(rng.integers(2, 5))
        probs = rng.dirichlet(np.ones(k))
        observed = rng.multinomial(int(rng.integers(1, 9)), probs)
        res = goodness_of_fit(observed, probs, method="exact")
        assert res.method == "exact-multinomial"
        assert res.dof is None
        assert res.pvalue == pytest.approx(
            _multinomial_brute_force(list(observed), list(probs)), rel=1e-9
        )


def test_exact_multinomial_work_limit() -> None:
    with pytest.raises(InvalidInputError, match="`exact_work_limit` must be large enough"):
        goodness_of_fit([300, 200, 100], [0.5, 0.3, 0.2], method="exact", exact_work_limit=1000)


def test_monte_carlo_gof_reproducible() -> None:
    observed, probs = [12, 3, 5], [0.5, 0.25, 0.25]
    first = goodness_of_fit(observed, probs, method="monte-carlo", n_resamples=5000, rng=2)
    second = goodness_of_fit(observed, probs, method="monte-carlo", n_resamples=5000, rng=2)
    assert first.pvalue == second.pvalue
    assert first.details["seed"] == 2
    assert abs(first.pvalue - stats.chisquare(observed, np.array(probs) * 20).pvalue) < 0.05


def test_small_expected_counts_warn_and_are_recorded() -> None:
    with pytest.warns(SmallExpectedCountWarning) as record:
        res = goodness_of_fit([3, 1, 1], [0.6, 0.2, 0.2])
    assert res.caveats == (str(record[0].message),)
    assert res.details["n_expected_below_5"] == 3


# --- labels, kinds and exclusions -----------------------------------------------------------


def test_labels_align_by_name() -> None:
    observed = Counts.from_mapping({"a": 10, "b": 20, "c": 30, "Not known": 4},
                                   missing_labels=["Not known"])  # fmt: skip
    reference = {"c": 0.5, "a": 0.2, "b": 0.3}
    res = goodness_of_fit(observed, reference)
    assert res.levels == ("a", "b", "c")
    np.testing.assert_allclose(res.reference_share, [0.2, 0.3, 0.5], rtol=1e-15)
    assert res.n == 60
    assert res.n_excluded == 4
    assert res.exclusions == {"missing value in `observed`": 4}
    json.dumps(res.to_dict())


def test_label_mismatch_names_the_labels() -> None:
    observed = Counts.from_mapping({"a": 10, "b": 20})
    with pytest.raises(InvalidInputError, match=r"labels only in `observed`: \['b'\]"):
        goodness_of_fit(observed, {"a": 0.5, "z": 0.5})
    with pytest.raises(InvalidInputError, match=r"labels only in `b`: \['z'\]"):
        homogeneity(observed, Counts.from_mapping({"a": 1, "b": 2, "z": 3}))


def test_expected_kind_rule() -> None:
    with pytest.raises(InvalidInputError, match="`expected` must sum to 1"):
        goodness_of_fit([10, 20, 30], [0.2, 0.3, 0.4])
    with pytest.raises(InvalidInputError, match="expected_kind='counts'"):
        goodness_of_fit([10, 20, 30], [1, 0, 1])
    res = goodness_of_fit([10, 20, 30], [1, 0.5, 1], expected_kind="counts")
    assert res.expected_kind == "counts"
    assert res.scale == pytest.approx(60 / 2.5, rel=1e-15)
    with pytest.raises(InvalidInputError, match="`expected` must sum to 1"):
        goodness_of_fit([10, 20, 30], [10, 20, 30], expected_kind="proportions")
    assert goodness_of_fit([10, 20, 30], [0.2, 0.3, 0.5 + 5e-9]).expected_kind == "proportions"


def test_zero_reference_categories() -> None:
    with pytest.raises(InvalidInputError, match="0 for label '1', where 5 were observed"):
        goodness_of_fit([10, 5, 3], [0.5, 0.0, 0.5])
    res = goodness_of_fit([10, 0, 3], [0.5, 0.0, 0.5])
    assert res.dof == 1
    assert res.levels == ("0", "2")
    assert any("zero reference" in caveat for caveat in res.caveats)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("observed", "message"),
    [
        ([3, -1, 2], "`observed` must hold non-negative counts"),
        ([3, 1.5, 2], "`observed` must hold whole-number counts"),
        ([3, math.nan, 2], "`observed` must hold finite counts"),
        ([3, math.inf, 2], "`observed` must hold finite counts"),
    ],
)
def test_bad_observed_counts(observed: list[float], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        goodness_of_fit(observed, [0.2, 0.3, 0.5])
    with pytest.raises(InvalidInputError, match=message.replace("`observed`", "`a`")):
        homogeneity(observed, [1, 2, 3])


def test_bad_reference_values() -> None:
    with pytest.raises(InvalidInputError, match="`expected` must hold finite values"):
        goodness_of_fit([1, 2], [0.5, math.nan])
    with pytest.raises(InvalidInputError, match="`expected` must hold non-negative values"):
        goodness_of_fit([1, 2], [-0.5, 1.5])
    with pytest.raises(InvalidInputError, match="`expected` must have one value per"):
        goodness_of_fit([1, 2], [0.2, 0.3, 0.5])
    with pytest.raises(InvalidInputError, match="`expected` must be 1-dimensional"):
        goodness_of_fit([1, 2], [[0.5, 0.5]])
    with pytest.raises(InvalidInputError, match="`expected` must hold numbers"):
        goodness_of_fit([1, 2], ["a", "b"])
    with pytest.raises(InvalidInputError, match="`expected` must have a positive total"):
        goodness_of_fit([1, 2], [0, 0], expected_kind="counts")


def test_bad_options() -> None:
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        goodness_of_fit([1, 2], [0.5, 0.5], method="auto")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        homogeneity([1, 2], [3, 4], method="fisher")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`lambda_` must be None unless method"):
        goodness_of_fit([1, 2], [0.5, 0.5], method="exact", lambda_=1.0)
    with pytest.raises(InvalidInputError, match="`expected_kind` must be one of"):
        goodness_of_fit([1, 2], [0.5, 0.5], expected_kind="shares")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`confidence_level` must be a number"):
        goodness_of_fit([1, 2], [0.5, 0.5], confidence_level=95)
    with pytest.raises(InvalidInputError, match="`confidence_level` must be a number"):
        homogeneity([1, 2], [3, 4], confidence_level=0)


def test_insufficient_data() -> None:
    with pytest.raises(InsufficientDataError, match="at least one observation"):
        goodness_of_fit([0, 0], [0.5, 0.5])
    with pytest.raises(InsufficientDataError, match="at least two categories"):
        goodness_of_fit([4, 0], [1.0, 0.0])
    with pytest.raises(InsufficientDataError, match="`b` must hold at least one observation"):
        homogeneity([1, 2], [0, 0])
    with pytest.raises(InsufficientDataError, match="at least two non-empty categories"):
        homogeneity([1, 0, 0], [2, 0, 0])
    with pytest.raises(InvalidInputError, match="`b` must have one count per category"):
        homogeneity([1, 2], [1, 2, 3])


def test_homogeneity_drops_categories_empty_in_both() -> None:
    res = homogeneity([25, 0, 14], [37, 0, 19])
    assert res.levels == ("0", "2")
    assert res.dof == 1


def test_unlabelled_inputs_must_be_as_long_and_are_numbered() -> None:
    message = "`expected` must have one value per category of `observed`; got 3 values for 2 "
    with pytest.raises(InvalidInputError, match=f"^{message}categories"):
        goodness_of_fit([1, 2], [0.2, 0.3, 0.5])
    with pytest.raises(InvalidInputError, match=r"^`b` must have one count per category of `a`"):
        homogeneity([1, 2], [1, 2, 3])
    assert goodness_of_fit([50, 60, 70], [0.2, 0.3, 0.5]).levels == ("0", "1", "2")
    assert homogeneity([5, 6], [7, 8]).levels == ("0", "1")


def test_labels_from_either_input_name_the_categories() -> None:
    labelled = Counts.from_mapping({"x": 10, "y": 20})
    assert goodness_of_fit(labelled, [0.5, 0.5]).levels == ("x", "y")
    assert goodness_of_fit([10, 20], {"x": 0.5, "y": 0.5}).levels == ("x", "y")
    assert homogeneity([10, 20], labelled).levels == ("x", "y")
    aligned = homogeneity(labelled, Counts.from_mapping({"y": 35, "x": 15}))
    assert aligned.levels == ("x", "y")
    assert aligned.statistic == pytest.approx(homogeneity([10, 20], [15, 35]).statistic, rel=1e-12)


def test_empty_samples_and_dropped_categories_are_named() -> None:
    with pytest.raises(
        InsufficientDataError,
        match=r"^`observed` must hold at least one observation after exclusions; got none\.$",
    ):
        goodness_of_fit([0, 0], [0.5, 0.5])
    with pytest.raises(InsufficientDataError, match=r"^`a` must hold at least one observation"):
        homogeneity([0, 0], [0, 0])
    fit = goodness_of_fit([10, 0, 20], [0.5, 0.0, 0.5])
    assert fit.caveats[0] == "categories with a zero reference and no observation dropped: ['1']"
    assert goodness_of_fit([10, 20], [0.5, 0.5]).caveats == ()
    same = homogeneity([25, 0, 14], [37, 0, 19])
    assert same.caveats[0] == "categories empty in both samples dropped: ['1']"


# --- properties -----------------------------------------------------------------------------

_vectors = count_vectors(min_size=2, max_size=6, max_count=200).filter(lambda v: v.sum() > 0)


@pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
@given(_vectors, st.integers(2, 4), st.randoms(use_true_random=False))
@settings(max_examples=40)
def test_gof_properties(observed: NDArray[np.int64], k: int, random: object) -> None:
    probs = np.linspace(1.0, 2.0, len(observed))
    probs /= probs.sum()
    res = goodness_of_fit(observed, probs)
    assert 0.0 <= res.pvalue <= 1.0
    assert goodness_of_fit(observed * k, probs).statistic == pytest.approx(
        k * res.statistic, rel=1e-9, abs=1e-9
    )
    order = list(range(len(observed)))
    random.shuffle(order)  # type: ignore[attr-defined]
    permuted = goodness_of_fit(observed[order], probs[order])
    assert permuted.statistic == pytest.approx(res.statistic, rel=1e-9, abs=1e-9)


@pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
@given(_vectors, st.data())
@settings(max_examples=40)
def test_homogeneity_symmetric(a: NDArray[np.int64], data: st.DataObject) -> None:
    b = data.draw(
        count_vectors(min_size=len(a), max_size=len(a), max_count=200).filter(
            lambda v: v.sum() > 0 and bool(((a + v) > 0).sum() >= 2)
        )
    )
    if ((a + b) > 0).sum() < 2:
        return
    first, second = homogeneity(a, b), homogeneity(b, a)
    assert first.statistic == pytest.approx(second.statistic, rel=1e-9, abs=1e-9)
    assert 0.0 <= first.pvalue <= 1.0
    np.testing.assert_allclose(first.adjusted_residuals, -second.adjusted_residuals, atol=1e-9)
