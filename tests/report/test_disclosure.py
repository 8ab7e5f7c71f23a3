from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ipsstats import InvalidInputError
from ipsstats.report.disclosure import suppress_small_counts


def _with_margins(counts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    full = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=np.int64)
    full[:-1, :-1] = counts
    full[:-1, -1] = counts.sum(axis=1)
    full[-1, :-1] = counts.sum(axis=0)
    full[-1, -1] = counts.sum()
    return full


def _determined_cells(
    full: np.ndarray[Any, Any], hidden: np.ndarray[Any, Any], *, one_row: bool = False
) -> list[Any]:
    """Hidden cells fixed by the row and column equations: zero in every null-space vector.

    A hidden cell is determined exactly when every solution of the homogeneous system
    (the equations on the hidden cells, shown values moved to the right-hand side) leaves
    it unchanged, i.e. when its coordinate vanishes in every null-space vector. For one
    row of counts with its total (`one_row`) there is only the row equation.
    """
    cells = [tuple(c) for c in np.argwhere(hidden)]
    if not cells:
        return []
    nrow, ncol = full.shape
    equations = [
        [(1.0 if c[1] < ncol - 1 else -1.0) if c[0] == i else 0.0 for c in cells]
        for i in range(nrow)
    ]
    if not one_row:
        equations += [
            [(1.0 if c[0] < nrow - 1 else -1.0) if c[1] == j else 0.0 for c in cells]
            for j in range(ncol)
        ]
    null = scipy.linalg.null_space(np.array(equations))
    return [cell for k, cell in enumerate(cells) if np.allclose(null[k], 0.0, atol=1e-9)]


def test_primary_rounding_and_reasons() -> None:
    safe = suppress_small_counts([[12, 3, 40], [25, 9, 31]])
    assert safe.cells() == [
        ["*", "*", "40", "55"],
        ["*", "*", "30", "65"],
        ["35", "10", "70", "120"],
    ]
    assert safe.reasons[0][1] == "primary: count below 5"
    assert safe.reasons[0][0].startswith("secondary")
    assert safe.reasons[0][2] == ""
    assert safe.percent_suppressed[0, 0]
    assert not safe.percent_suppressed[0, 2]
    assert safe.percent[0, 2] == pytest.approx(100 * 40 / 70, rel=1e-12)  # as shown


def test_rounding_half_up_to_nearest_five() -> None:
    safe = suppress_small_counts([[5, 7, 8], [12, 13, 100]], secondary=False)
    assert safe.shown[0, :3].tolist() == [5, 5, 10]
    assert safe.shown[1, :3].tolist() == [10, 15, 100]


def test_threshold_and_round_to_configurable() -> None:
    safe = suppress_small_counts([[7, 8], [20, 30]], threshold=8, round_to=1, secondary=False)
    assert safe.cells()[0][:2] == ["*", "8"]
    assert safe.threshold == 8
    assert safe.round_to == 1


def test_keep_zeros() -> None:
    safe = suppress_small_counts([[0, 10], [10, 10]], keep_zeros=True)
    assert safe.cells()[0][0] == "0"
    hidden = suppress_small_counts([[0, 10], [10, 10]])
    assert hidden.cells()[0][0] == "*"


def test_one_dimensional_counts_protect_the_total() -> None:
    safe = suppress_small_counts([134, 77, 64, 38, 3])
    assert safe.shown.shape == (1, 6)
    assert safe.cells()[0] == ["135", "75", "65", "*", "*", "315"]
    assert safe.reasons[0][3].startswith("secondary")


def test_labels_come_from_table_objects() -> None:
    class Table:
        counts = np.array([[10, 20], [30, 40]])
        row_levels = ("job", "no job")
        col_levels = ("White", "Black")

    safe = suppress_small_counts(Table())
    assert safe.row_levels == ("job", "no job")
    assert "White" in safe.to_text()


def test_to_dict_is_json_safe() -> None:
    out = suppress_small_counts([[12, 3, 40], [25, 9, 31]]).to_dict()
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert out["percent"][0][0] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0}, r"`threshold` must be a positive integer; got 0"),
        ({"threshold": 2.5}, r"`threshold` must be a positive integer; got 2\.5"),
        ({"round_to": True}, r"`round_to` must be a positive integer; got True"),
    ],
)
def test_bad_options(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        suppress_small_counts([[1, 2]], **kwargs)


def test_bad_tables() -> None:
    with pytest.raises(InvalidInputError, match=r"`table` must hold non-negative counts"):
        suppress_small_counts([[1, -2]])
    with pytest.raises(InvalidInputError, match=r"`table` must be 1- or 2-dimensional"):
        suppress_small_counts(np.ones((2, 2, 2), dtype=int))


tables = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 4), st.integers(2, 5)),
    elements=st.one_of(st.integers(0, 6), st.integers(0, 60)),
)


@given(tables, st.integers(2, 8))
def test_no_suppressed_cell_is_recoverable(counts: np.ndarray[Any, Any], threshold: int) -> None:
    safe = suppress_small_counts(counts, threshold=threshold, round_to=1)
    full = _with_margins(counts)
    assert np.array_equal(safe.shown[~safe.suppressed], full[~safe.suppressed])
    assert np.all(safe.suppressed[full < threshold])
    assert _determined_cells(full, safe.suppressed) == []


@given(tables)
def test_without_secondary_only_primary_cells_hidden(counts: np.ndarray[Any, Any]) -> None:
    safe = suppress_small_counts(counts, secondary=False)
    assert np.array_equal(safe.suppressed, _with_margins(counts) < 5)


def test_recovery_check_detects_primary_only_suppression() -> None:
    counts = np.array([[12, 3, 40], [25, 9, 31]])
    safe = suppress_small_counts(counts, secondary=False)
    assert _determined_cells(_with_margins(counts), safe.suppressed) == [(0, 1)]


@given(
    tables,
    st.integers(2, 8),
    st.sampled_from([1, 5, 10]),
    st.booleans(),
)
def test_no_suppressed_cell_is_recoverable_with_rounding_and_zeros(
    counts: np.ndarray[Any, Any], threshold: int, round_to: int, keep_zeros: bool
) -> None:
    safe = suppress_small_counts(
        counts, threshold=threshold, round_to=round_to, keep_zeros=keep_zeros
    )
    full = _with_margins(counts)
    small = full < threshold
    if keep_zeros:
        small &= full != 0
    assert np.all(safe.suppressed[small])
    rounded = ((full + round_to // 2) // round_to) * round_to
    assert np.array_equal(safe.shown[~safe.suppressed], rounded[~safe.suppressed])
    # shown values are taken as exact (the rounding is not relied on)
    assert _determined_cells(full, safe.suppressed) == []
    # a percentage is withheld whenever its count or its column total is suppressed
    assert np.all(safe.percent_suppressed[safe.suppressed])
    assert np.all(safe.percent_suppressed[:, safe.suppressed[-1]])
    for i, j in np.argwhere(safe.suppressed):
        assert safe.reasons[i][j].startswith("primary" if small[i, j] else "secondary")
    assert all(safe.reasons[i][j] == "" for i, j in np.argwhere(~safe.suppressed))


@given(
    hnp.arrays(np.int64, st.integers(1, 7), elements=st.integers(0, 40)),
    st.integers(2, 8),
    st.booleans(),
)
def test_one_dimensional_counts_are_never_recoverable(
    counts: np.ndarray[Any, Any], threshold: int, keep_zeros: bool
) -> None:
    safe = suppress_small_counts(counts, threshold=threshold, round_to=1, keep_zeros=keep_zeros)
    full = np.append(counts, counts.sum()).reshape(1, -1)
    assert np.array_equal(safe.shown[~safe.suppressed], full[~safe.suppressed])
    assert _determined_cells(full, safe.suppressed, one_row=True) == []
    assert np.all(safe.percent_suppressed[safe.suppressed])


def test_a_row_with_one_suppressed_cell_gets_a_second() -> None:
    # 3 alone in its row and column would be 53 - 50 and 53 - 50: both lines need another
    counts = np.array([[3, 50], [40, 60]])
    assert _determined_cells(
        _with_margins(counts), suppress_small_counts(counts, secondary=False).suppressed
    ) == [(0, 0)]
    safe = suppress_small_counts(counts, round_to=1)
    assert safe.cells() == [["*", "*", "53"], ["*", "*", "100"], ["43", "110", "153"]]
    secondary = "secondary: protects a suppressed cell from recovery through totals"
    assert [r[:2] for r in safe.reasons[:2]] == [
        ("primary: count below 5", secondary),
        (secondary, secondary),
    ]


def test_a_suppressed_margin_is_protected_too() -> None:
    # the first row's total (4) is below the threshold; with the second row's total shown
    # it would be the grand total minus that, so the second row's total is hidden as well
    counts = np.array([[3, 1], [50, 60]])
    safe = suppress_small_counts(counts, round_to=1)
    assert safe.cells() == [["*", "*", "*"], ["*", "*", "*"], ["53", "61", "114"]]
    assert safe.reasons[0][2] == "primary: count below 5"
    assert safe.reasons[1][2].startswith("secondary")
    assert _determined_cells(_with_margins(counts), safe.suppressed) == []


def test_threshold_eight_suppresses_seven_or_fewer() -> None:
    safe = suppress_small_counts([7, 8, 30, 40], threshold=8, round_to=1, secondary=False)
    assert safe.cells() == [["*", "8", "30", "40", "85"]]
    assert safe.reasons[0][0] == "primary: count below 8"
    protected = suppress_small_counts([7, 8, 30, 40], threshold=8, round_to=1)
    assert protected.cells() == [["*", "*", "30", "40", "85"]]  # 7 = 85 - 8 - 30 - 40


def test_percentages_come_from_the_shown_counts() -> None:
    # 7 of 349 shows as 5 of 350, so its percentage is 5 / 350 = 1.4: the exact 2.0 beside
    # the rounded 5 would give the 7 back (7 / 349 is the only fraction near 2.0% there)
    safe = suppress_small_counts([144, 114, 63, 21, 7])
    assert safe.cells()[0] == ["145", "115", "65", "20", "5", "350"]
    assert float(safe.percent[0, 4]) == pytest.approx(100 * 5 / 350, rel=1e-12)
    assert float(safe.percent[0, 0]) == pytest.approx(100 * 145 / 350, rel=1e-12)
    table = suppress_small_counts([[12, 30], [25, 9]], round_to=5, secondary=False)
    # columns: 12 and 25 shown as 10 and 25 of 35 (37 exactly); 30 and 9 as 30 and 10 of 40
    assert table.percent[0, 0] == pytest.approx(100 * 10 / 35, rel=1e-12)
    assert table.percent[1, 1] == pytest.approx(100 * 10 / 40, rel=1e-12)


def test_a_suppressed_row_total_is_protected_by_another_row_total() -> None:
    # Table 3, WWT, everyone: jobs and no job by ethnicity, with "Other" (1 of 7) made 1 of 3.
    # Hiding the "Other" and "Mixed" rows is enough; hiding interior cells never protects
    # the suppressed row total, and trying only those used to hide every job count.
    counts = np.array([[37, 77], [18, 45], [5, 16], [1, 2], [46, 98]])
    safe = suppress_small_counts(counts, round_to=1)
    assert safe.suppressed[:, :].sum() == 6
    assert safe.suppressed[2:4].all()
    assert (
        safe.reasons[2][2] == "secondary: protects a suppressed cell from recovery through totals"
    )
    assert _determined_cells(_with_margins(counts), safe.suppressed) == []
    assert safe.cells()[-1] == ["107", "238", "345"]
