"""tally and crosstab of data frames: the engine's counts equal the counts in memory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ipsstats as ips
from ipsstats.errors import InvalidInputError
from tests.frames.conftest import MakeFrame

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
pytest.importorskip("narwhals", reason="narwhals is not installed (ipsstats[frames])")
from ipsstats.frames import CategoryCounts, category_counts  # noqa: E402

RNG = np.random.default_rng(20240227)
N = 400
GROUPS = np.array(["White", "Asian", "Black", None, "Not known", " "], dtype=object)
RECORDS = {
    "ethnicity": GROUPS[RNG.integers(0, GROUPS.size, N)],
    "job": RNG.integers(0, 2, N),
    "team": np.array(["north", "south", None], dtype=object)[RNG.integers(0, 3, N)],
    "score": RNG.choice([1.0, 2.5, np.nan], N),
}


def table() -> Any:
    return pa.table({k: list(v) if v.dtype == object else v for k, v in RECORDS.items()})


def same_counts(a: Any, b: Any) -> None:
    """Same table: levels, counts and missing breakdown (names may differ)."""
    left, right = a.to_dict(), b.to_dict()
    for key in ("row_name", "col_name", "strata_name", "name"):
        left.pop(key, None)
        right.pop(key, None)
    assert left == right


def test_tally_of_every_engine_equals_the_tally_in_memory(make_frame: MakeFrame) -> None:
    frame = make_frame(table())
    for column, labels in (("ethnicity", ["Not known"]), ("team", ()), ("score", ())):
        engine = ips.tally(column, data=frame, missing_labels=labels)
        memory = ips.tally(RECORDS[column], missing_labels=labels)
        same_counts(engine, memory)
        assert engine.name == column


def test_crosstab_of_every_engine_equals_the_crosstab_in_memory(make_frame: MakeFrame) -> None:
    frame = make_frame(table())
    engine = ips.crosstab("ethnicity", "job", data=frame, missing_labels=["Not known"])
    memory = ips.crosstab(RECORDS["ethnicity"], RECORDS["job"], missing_labels=["Not known"])
    same_counts(engine, memory)
    assert engine.row_name == "ethnicity"
    stratified = ips.crosstab("ethnicity", "job", strata="team", data=frame)
    same_counts(
        stratified, ips.crosstab(RECORDS["ethnicity"], RECORDS["job"], strata=RECORDS["team"])
    )


def test_given_levels_and_missing_rules_match_memory(make_frame: MakeFrame) -> None:
    frame = make_frame(table())
    levels = ["White", "Mixed", "Asian", "Black", "Not known"]
    engine = ips.tally("ethnicity", data=frame, levels=levels, missing="drop")
    same_counts(engine, ips.tally(RECORDS["ethnicity"], levels=levels, missing="drop"))
    assert engine.levels == tuple(levels)
    assert int(engine.counts[1]) == 0  # the empty level is kept


def test_polars_enum_and_pandas_categorical_keep_their_declared_levels() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    values = ["b", "a", None, "b"]
    enum = pl.DataFrame({"g": pl.Series(values, dtype=pl.Enum(["c", "b", "a"]))})
    same_counts(ips.tally("g", data=enum.lazy()), ips.tally(enum["g"]))
    assert ips.tally("g", data=enum.lazy()).levels == ("c", "b", "a")
    categorical = pd.DataFrame({"g": pd.Categorical(values, categories=["c", "b", "a"])})
    same_counts(ips.tally("g", data=categorical), ips.tally(categorical["g"]))


@given(
    st.lists(st.sampled_from(["a", "b", "c", None, ""]), min_size=0, max_size=40),
    st.integers(1, 39),
)
def test_counts_of_two_partitions_add_up_to_the_counts_of_all(
    values: list[str | None], cut: int
) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.DataFrame({"g": values}, schema={"g": pl.String})
    whole = category_counts(frame, ["g"])
    parts = category_counts(frame[:cut], ["g"]) + category_counts(frame[cut:], ["g"])
    assert parts.n == whole.n == len(values)
    aligned = {lv: int(parts.counts[k + 1]) for k, lv in enumerate(parts.levels[0])}
    assert aligned == {lv: int(whole.counts[k + 1]) for k, lv in enumerate(whole.levels[0])}
    assert int(parts.counts[0]) == int(whole.counts[0])


def test_category_counts_round_trip_through_a_dict() -> None:
    counts = CategoryCounts(
        names=("g", "h"), levels=(("a",), (1, 2)), counts=[[0, 1, 2], [3, 4, 5]]
    )
    again = CategoryCounts.from_dict(counts.to_dict())
    assert again.levels == counts.levels
    assert again.counts.tolist() == counts.counts.tolist()
    total = sum([counts, again])
    assert isinstance(total, CategoryCounts)
    assert total.counts.tolist() == (2 * counts.counts).tolist()
    assert "CategoryCounts" in repr(counts)


def test_errors_name_the_argument_and_the_column() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.LazyFrame({"g": ["a", None], "h": ["x", "y"]})
    with pytest.raises(
        InvalidInputError, match=r"`rows` must name a column of `data`; got 'nope'"
    ):
        ips.crosstab("nope", "h", data=frame)
    with pytest.raises(
        InvalidInputError, match=r"`cols` must name a column of `data` \(a string\)"
    ):
        ips.crosstab("g", ["x", "y"], data=frame)
    with pytest.raises(
        InvalidInputError, match=r"`values` must hold only labels listed in `levels`"
    ):
        ips.tally("h", data=frame, levels=["x"])
    with pytest.raises(InvalidInputError, match=r"`rows` must have no missing values when"):
        ips.crosstab("g", "h", data=frame, missing="error")
    with pytest.raises(InvalidInputError, match=r"`missing` must be one of"):
        ips.tally("g", data=frame, missing="keep")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"`data` must be a data frame"):
        ips.tally("g", data={"g": [1, 2]})
    with pytest.raises(InvalidInputError, match=r"`counts` must have shape"):
        CategoryCounts(names=("g",), levels=(("a",),), counts=[1, 2, 3])
    with pytest.raises(InvalidInputError, match=r"`other` must count the same columns"):
        category_counts(frame, ["g"]) + category_counts(frame, ["h"])
