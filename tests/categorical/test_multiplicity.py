"""Hommel's adjustment of p-values, against the closed Simes test, and its properties.

The references (R's ``p.adjust``, statsmodels) are in ``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import adjust_pvalues


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
