"""Tests of independence: method choice, caveats, bookkeeping, errors and properties.

The references (R's ``chisq.test``, the 2022 paper, scipy, statsmodels) are in
``tests/reference/test_categorical.py``.
"""

from __future__ import annotations

import importlib
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import (
    ContingencyTable,
    InsufficientDataError,
    InvalidInputError,
    SmallExpectedCountWarning,
    adjusted_residuals,
    cramers_v,
    independence,
    pearson_residuals,
)
from ipsstats.categorical.exact import fisher_exact_pvalue
from ipsstats.datasets import perkins2022
from tests.strategies import count_tables

# R: M <- as.table(rbind(c(762, 327, 468), c(484, 239, 477))); chisq.test(M)
# X-squared = 30.07, df = 2, p-value = 2.954e-07  (R documentation of chisq.test, Examples)
R_PARTY = np.array([[762, 327, 468], [484, 239, 477]])


# --- the paper's outcome tables -------------------------------------------------------------


def test_paper_outcome_tables_auto_choice() -> None:
    data = perkins2022()
    res = independence(data.jobs_six_month["WWT"])
    assert res.method == "fisher-freeman-halton"
    assert res.requested == "auto"
    assert "Cochran's rule fails" in res.reason
    assert res.dof is None
    assert res.pvalue == pytest.approx(fisher_exact_pvalue(data.jobs_six_month["WWT"].counts))
    assert not res.caveats  # the exact test needs no small-count caveat


# --- Cressie-Read ---------------------------------------------------------------------------


@pytest.mark.parametrize("lambda_", [-1.0, -1.5, -2.0])
def test_cressie_read_refuses_zero_count_at_or_below_minus_one(lambda_: float) -> None:
    table = ContingencyTable.from_counts([[5, 0], [4, 6]], rows=["a", "b"], cols=["x", "y"])
    with pytest.raises(
        InvalidInputError,
        match=r"`lambda_` must be greater than -1 when a count is zero .*; got "
        r"-[12].?5? with a zero count at row 'a', column 'y'\. Hint: use the default",
    ):
        independence(table, method="cressie-read", lambda_=lambda_)
    ok = independence([[15, 10], [14, 16]], method="cressie-read", lambda_=lambda_)
    assert math.isfinite(ok.statistic)


def test_adjusted_residuals_naive() -> None:
    table = np.array([[10, 4, 7], [3, 12, 9]])
    n = table.sum()
    out = adjusted_residuals(table)
    for i in range(2):
        for j in range(3):
            r, c = table[i].sum(), table[:, j].sum()
            e = r * c / n
            naive = (table[i, j] - e) / math.sqrt(e * (1 - r / n) * (1 - c / n))
            assert out[i, j] == pytest.approx(naive, rel=1e-12)


# --- method choice, caveats and bookkeeping -------------------------------------------------


def test_auto_falls_back_to_monte_carlo_with_recorded_seed() -> None:
    table = [[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]
    res = independence(table, exact_work_limit=50, n_resamples=2000, rng=3)
    assert res.method == "monte-carlo"
    assert res.details["statistic"] == "pearson"
    assert "work limit" in res.reason
    assert res.details["seed"] == 3
    assert res.details["n_resamples"] == 2000
    again = independence(table, exact_work_limit=50, n_resamples=2000, rng=3)
    assert again.pvalue == res.pvalue
    assert abs(res.pvalue - 0.7827) < 0.05


def test_monte_carlo_without_rng_records_a_seed() -> None:
    res = independence([[5, 1], [2, 6]], method="monte-carlo", n_resamples=300)
    seed = res.details["seed"]
    assert isinstance(seed, int)
    again = independence([[5, 1], [2, 6]], method="monte-carlo", n_resamples=300, rng=seed)
    assert again.pvalue == res.pvalue


def test_forced_asymptotic_test_warns_and_records() -> None:
    with pytest.warns(SmallExpectedCountWarning) as record:
        res = independence([[3, 1], [1, 3]], method="g")
    assert len(record) == 1
    assert res.caveats == (str(record[0].message),)
    assert res.details["cochran_rule_holds"] is False
    assert res.details["n_expected_below_5"] == 4


def test_labelled_table_keeps_labels_and_exclusions() -> None:
    table = ContingencyTable.from_counts(
        [[20, 5], [0, 0], [7, 19]], rows=["a", "b", "c"], cols=["yes", "no"], n_missing=4
    )
    res = independence(table, method="pearson")
    assert res.row_levels == ("a", "c")
    assert res.col_levels == ("yes", "no")
    assert res.n == 51
    assert res.n_excluded == 4
    assert any("dropped" in caveat for caveat in res.caveats)
    payload = json.dumps(res.to_dict())
    assert '"method": "pearson"' in payload
    assert res.to_dict()["adjusted_residuals"] == res.adjusted_residuals.tolist()


def test_result_arrays_are_read_only() -> None:
    res = independence(R_PARTY)
    with pytest.raises(ValueError, match="read-only"):
        res.expected[0, 0] = 1.0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[3, -1], [2, 2]], "`table` must hold non-negative counts"),
        ([[3, 1.5], [2, 2]], "`table` must hold whole-number counts"),
        ([[3, math.nan], [2, 2]], "`table` must hold finite counts"),
        ([[3, math.inf], [2, 2]], "`table` must hold finite counts"),
        ([1, 2, 3], "`table` must be 2-dimensional"),
    ],
)
def test_bad_counts(table: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        independence(table)


def test_too_few_nonempty_rows_names_them() -> None:
    table = ContingencyTable.from_counts([[4, 5], [0, 0]], rows=["White", "Other"])
    with pytest.raises(InsufficientDataError, match=r"empty rows: \['Other'\]"):
        independence(table)
    with pytest.raises(InsufficientDataError, match=r"empty columns: \['1'\]"):
        independence([[4, 0], [3, 0]])
    with pytest.raises(InsufficientDataError, match="at least two non-empty rows"):
        independence([[4, 5]])


def test_unknown_method_and_options() -> None:
    with pytest.raises(InvalidInputError, match="`method` must be one of"):
        independence(R_PARTY, method="fisher")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`correction` must be False unless"):
        independence(R_PARTY, method="pearson", correction=True)
    with pytest.raises(InvalidInputError, match="`correction` must be False unless"):
        independence([[3, 4], [5, 6]], method="g", correction=True)
    with pytest.raises(InvalidInputError, match="`correction` must be True or False"):
        independence(R_PARTY, correction="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`lambda_` must be None or 1"):
        independence(R_PARTY, method="pearson", lambda_=0.5)
    with pytest.raises(InvalidInputError, match="`lambda_` must be None or 0"):
        independence(R_PARTY, method="g", lambda_=0.5)
    with pytest.raises(InvalidInputError, match="`lambda_` must be None unless method"):
        independence(R_PARTY, lambda_=0.5)
    with pytest.raises(InvalidInputError, match="`lambda_` must be a finite real"):
        independence(R_PARTY, method="cressie-read", lambda_=math.inf)
    with pytest.raises(InvalidInputError, match="`n_resamples` must be a positive integer"):
        independence(R_PARTY, method="monte-carlo", n_resamples=-1)
    with pytest.raises(InvalidInputError, match="`exact_work_limit` must be large enough"):
        independence([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9]], method="exact",
                     exact_work_limit=10)  # fmt: skip
    with pytest.raises(InvalidInputError, match="`bias_correction` must be True or False"):
        cramers_v(R_PARTY, bias_correction=1)  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError, match="no empty row or column"):
        pearson_residuals([[1, 0], [2, 0], [3, 0]])


# --- properties -----------------------------------------------------------------------------

_tables = count_tables(max_count=60).filter(
    lambda t: bool((t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all())
)


@pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
@given(_tables, st.randoms(use_true_random=False))
@settings(max_examples=40)
def test_statistic_properties(table: NDArray[np.int64], random: object) -> None:
    res = independence(table, method="pearson")
    assert 0.0 <= res.pvalue <= 1.0
    assert res.statistic == pytest.approx(float((res.residuals**2).sum()), rel=1e-9, abs=1e-9)
    rows = list(range(table.shape[0]))
    cols = list(range(table.shape[1]))
    random.shuffle(rows)  # type: ignore[attr-defined]
    random.shuffle(cols)  # type: ignore[attr-defined]
    permuted = independence(table[rows][:, cols], method="pearson")
    assert permuted.statistic == pytest.approx(res.statistic, rel=1e-9, abs=1e-9)
    transposed = independence(table.T, method="pearson")
    assert transposed.statistic == pytest.approx(res.statistic, rel=1e-9, abs=1e-9)
    assert transposed.pvalue == pytest.approx(res.pvalue, rel=1e-9, abs=1e-12)
    assert 0.0 <= res.cramers_v <= 1.0 + 1e-12


@pytest.mark.filterwarnings("ignore::ipsstats.errors.SmallExpectedCountWarning")
@given(_tables, st.integers(2, 5))
@settings(max_examples=30)
def test_pearson_scales_by_k(table: NDArray[np.int64], k: int) -> None:
    res = independence(table, method="pearson")
    scaled = independence(table * k, method="pearson")
    assert scaled.statistic == pytest.approx(k * res.statistic, rel=1e-9, abs=1e-9)
    assert scaled.cramers_v == pytest.approx(res.cramers_v, rel=1e-9, abs=1e-9)


@given(count_tables(max_rows=3, max_cols=3, max_count=6))
@settings(max_examples=25)
def test_auto_pvalue_in_unit_interval(table: NDArray[np.int64]) -> None:
    nonempty_rows = int((table.sum(axis=1) > 0).sum())
    nonempty_cols = int((table.sum(axis=0) > 0).sum())
    if nonempty_rows < 2 or nonempty_cols < 2:
        with pytest.raises(InsufficientDataError):
            independence(table)
        return
    res = independence(table, n_resamples=200, rng=0)
    assert 0.0 <= res.pvalue <= 1.0
    assert res.method in ("pearson", "fisher-exact", "fisher-freeman-halton")


@settings(max_examples=150)
@given(count_tables(max_rows=4, max_cols=4, max_count=10**6), st.sampled_from(["pearson", "g"]))
def test_small_table_cells_agree_with_the_vectorised_path(
    table: NDArray[np.int64], method: str
) -> None:
    """Tables of up to 16 cells are computed cell by cell; the vectorised path agrees."""
    if (table.sum(axis=1) > 0).sum() < 2 or (table.sum(axis=0) > 0).sum() < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallExpectedCountWarning)
        cells = independence(table, method=method)  # type: ignore[arg-type]  # a method
        with pytest.MonkeyPatch.context() as patch:
            for module in ("independence", "residuals"):  # the modules, not the functions
                patch.setattr(
                    importlib.import_module(f"ipsstats.categorical.{module}"), "_SMALL_TABLE", 0
                )
            vectorised = independence(table, method=method)  # type: ignore[arg-type]
    np.testing.assert_array_equal(cells.expected, vectorised.expected)
    np.testing.assert_array_equal(cells.contributions, vectorised.contributions)
    assert cells.statistic == pytest.approx(vectorised.statistic, rel=1e-14, abs=1e-300)
    assert cells.pvalue == pytest.approx(vectorised.pvalue, rel=1e-12, abs=1e-300)
    assert cells.cramers_v == pytest.approx(vectorised.cramers_v, rel=1e-14)
    assert cells.details == vectorised.details
