"""Hommel's adjustment of p-values, against R's ``p.adjust`` and the closed Simes test."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from ipsstats import adjust_pvalues
from tests.categorical.rscript import r_numbers, r_vector, requires_r

# R 4.2.2, p.adjust(p, "hommel"), printed with sprintf("%.17g")
R_HOMMEL = [
    # p.adjust(c(0.01, 0.04, 0.03, 0.005), "hommel")
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.04, 0.04, 0.02]),
    # p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216),
    #          "hommel")
    (
        [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
        [0.01, 0.072000000000000008, 0.185, 0.185, 0.185, 0.216, 0.216, 0.216, 0.216, 0.216],
    ),
    # p.adjust(c(0.02, 0.02, 0.02, 0.5, 1, 0.03, 0.0001), "hommel")  (ties, a 1)
    (
        [0.02, 0.02, 0.02, 0.5, 1, 0.03, 0.0001],
        [0.06, 0.06, 0.06, 1, 1, 0.09, 0.0007],
    ),
    # p.adjust(c(0.04, 0.01), "hommel")  (R switches to Hochberg for two)
    ([0.04, 0.01], [0.04, 0.02]),
    # p.adjust(0.3, "hommel")
    ([0.3], [0.3]),
    # p.adjust(c(0.01, 0.02, 0.03), "hommel")
    ([0.01, 0.02, 0.03], [0.03, 0.03, 0.03]),
]


@pytest.mark.parametrize(("raw", "expected"), R_HOMMEL)
def test_hommel_matches_r(raw: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(adjust_pvalues(raw, "hommel"), expected, rtol=1e-13)


@requires_r
def test_hommel_matches_r_live_on_random_families() -> None:
    rng = np.random.default_rng(15)
    families = [rng.uniform(size=int(rng.integers(3, 60))) ** 4 for _ in range(8)]
    families[0][::3] = families[0][0]  # ties
    code = "".join(
        f'cat(sprintf("%.17g", p.adjust({r_vector(p)}, "hommel")), "\\n");' for p in families
    )
    expected = r_numbers(code)
    got = np.concatenate([adjust_pvalues(p, "hommel") for p in families])
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_hommel_matches_statsmodels() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = rng.uniform(size=int(rng.integers(1, 50))) ** 3
        # statsmodels computes the same adjustment by another route (its own loop)
        np.testing.assert_allclose(
            adjust_pvalues(p, "hommel"), multipletests(p, method="hommel")[1], rtol=1e-10
        )


def _closed_simes(p: list[float]) -> list[float]:
    """Hommel's adjusted p-values by definition: closed testing with Simes' local tests.

    The adjusted p-value of hypothesis i is the largest Simes p-value over every subset
    of hypotheses that contains i (exponential: small families only).
    """
    m = len(p)
    out = [0.0] * m
    for size in range(1, m + 1):
        for subset in itertools.combinations(range(m), size):
            ordered = sorted(p[k] for k in subset)
            simes = min(size * q / (j + 1) for j, q in enumerate(ordered))
            for k in subset:
                out[k] = max(out[k], min(1.0, simes))
    return out


@given(st.lists(st.floats(0, 1), min_size=1, max_size=7))
def test_hommel_is_the_closed_simes_test(p: list[float]) -> None:
    np.testing.assert_allclose(adjust_pvalues(p, "hommel"), _closed_simes(p), rtol=1e-12)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_hommel_lies_between_hochberg_and_the_raw_values(p: list[float]) -> None:
    raw = np.array(p)
    hommel = adjust_pvalues(raw, "hommel")
    assert np.all(hommel >= raw)
    assert np.all(hommel <= adjust_pvalues(raw, "hochberg") * (1 + 1e-12))  # more powerful
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(hommel[order]) >= 0)  # monotone in the raw order
    for value in np.unique(raw):
        assert np.unique(hommel[raw == value]).size == 1  # ties adjust equally


def test_hommel_keeps_input_order_and_shape() -> None:
    p = np.array([0.2, 0.01, 0.04])
    out = adjust_pvalues(p, "hommel")
    assert out.shape == (3,)
    assert out[1] == min(out)
    assert adjust_pvalues([], "hommel").shape == (0,)
