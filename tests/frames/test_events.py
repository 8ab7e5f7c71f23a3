"""Survival functions of data frames: the engine's counts give the in-memory numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ipsstats as ips
from ipsstats.errors import InsufficientDataError, InvalidInputError
from tests.frames.conftest import MakeFrame

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
pytest.importorskip("narwhals", reason="narwhals is not installed (ipsstats[frames])")
from ipsstats.frames import EventCounts, event_counts  # noqa: E402

RNG = np.random.default_rng(2024)
N = 500
RECORDS: dict[str, Any] = {
    "days": RNG.integers(0, 300, N),
    "job": RNG.integers(0, 2, N),
    "cause": RNG.integers(0, 3, N),
    "start": RNG.integers(0, 30, N) - 40,  # shifted below: entries before durations
    "group": np.array(["a", "b", "c", None], dtype=object)[RNG.integers(0, 4, N)],
    "site": np.array(["x", "y", None], dtype=object)[RNG.integers(0, 3, N)],
    "weight": RNG.integers(1, 4, N).astype(float),
}
RECORDS["start"] = np.minimum(RNG.integers(0, 30, N), RECORDS["days"] - 1)
RECORDS["days"] = np.where(RECORDS["start"] < 0, RECORDS["days"] + 1, RECORDS["days"])
RECORDS["start"] = np.maximum(RECORDS["start"], 0)
RECORDS["days"] = np.maximum(RECORDS["days"], RECORDS["start"] + 1)


def table() -> Any:
    return pa.table({k: list(v) if v.dtype == object else v for k, v in RECORDS.items()})


def test_kaplan_meier_of_every_engine_equals_memory(make_frame: MakeFrame) -> None:
    frame = make_frame(table())
    engine = ips.kaplan_meier("days", "job", data=frame)
    memory = ips.kaplan_meier(RECORDS["days"], RECORDS["job"])
    assert engine.to_dict() == memory.to_dict()  # identical floats, not merely close
    by_engine = ips.kaplan_meier("days", "job", by="group", data=frame)
    by_memory = ips.kaplan_meier(RECORDS["days"], RECORDS["job"], by=RECORDS["group"])
    assert list(by_engine) == list(by_memory) == ["a", "b", "c"]
    for label, curve in by_engine.items():
        assert curve.to_dict() == by_memory[label].to_dict()


def test_logrank_of_every_engine_equals_memory(make_frame: MakeFrame) -> None:
    frame = make_frame(table())
    engine = ips.logrank("days", "job", "group", strata="site", data=frame)
    memory = ips.logrank(RECORDS["days"], RECORDS["job"], RECORDS["group"], strata=RECORDS["site"])
    assert engine.to_dict() == memory.to_dict()
    no_group = np.array([v is None for v in RECORDS["group"]])
    no_site = np.array([v is None for v in RECORDS["site"]])
    assert dict(engine.exclusions) == {
        "missing group": int(no_group.sum()),
        "missing stratum": int((no_site & ~no_group).sum()),
    }
    plain = ips.logrank("days", "job", "group", data=frame, weights="tarone-ware")
    assert (
        plain.statistic
        == ips.logrank(
            RECORDS["days"], RECORDS["job"], RECORDS["group"], weights="tarone-ware"
        ).statistic
    )


def test_cumulative_incidence_of_every_engine_equals_memory(make_frame: MakeFrame) -> None:
    frame = make_frame(table())
    engine = ips.cumulative_incidence("days", "cause", cause=2, data=frame)
    memory = ips.cumulative_incidence(RECORDS["days"], RECORDS["cause"], cause=2)
    assert engine.to_dict() == memory.to_dict()


def test_delayed_entry_and_case_weights_match_memory() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed")
    for frame in (pl.from_arrow(table()).lazy(), duckdb.connect().from_arrow(table())):
        curve = ips.kaplan_meier("days", "job", entry="start", weights="weight", data=frame)
        memory = ips.kaplan_meier(
            RECORDS["days"], RECORDS["job"], entry=RECORDS["start"], weights=RECORDS["weight"]
        )
        # whole-number weights sum exactly in any order: identical numbers
        assert curve.to_dict() == memory.to_dict()
        incidence = ips.cumulative_incidence("days", "cause", entry="start", data=frame)
        assert (
            incidence.to_dict()
            == ips.cumulative_incidence(
                RECORDS["days"], RECORDS["cause"], entry=RECORDS["start"]
            ).to_dict()
        )


def test_logrank_levels_order_the_groups() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.from_arrow(table())
    levels = ["c", "a", "b"]
    engine = ips.logrank("days", "job", "group", data=frame, levels=levels, trend=True)
    memory = ips.logrank(
        RECORDS["days"], RECORDS["job"], RECORDS["group"], levels=levels, trend=True
    )
    assert engine.to_dict() == memory.to_dict()
    with pytest.raises(InvalidInputError, match=r"`groups` must have at least one subject"):
        ips.logrank("days", "job", "group", data=frame, levels=["a", "b", "c", "d"])
    with pytest.raises(InvalidInputError, match=r"`groups` must hold only labels listed"):
        ips.logrank("days", "job", "group", data=frame, levels=["a", "b"])


def test_event_counts_add_across_partitions_and_round_trip() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.from_arrow(table())
    counts = event_counts(frame, duration="days", cause="cause", by="group", entry="start")
    assert counts.n == N
    again = EventCounts.from_dict(counts.to_dict())
    assert np.array_equal(again.exits, counts.exits)
    assert again.groups == counts.groups
    assert "EventCounts" in repr(counts)
    with pytest.raises(InvalidInputError, match=r"`exits` must have shape"):
        EventCounts(
            times=[1.0],
            kinds=(0, 1),
            groups=(),
            strata=(),
            exits=np.zeros((1, 1, 2, 2)),
            entered=np.zeros((1, 1, 1)),
        )
    with pytest.raises(InvalidInputError, match=r"`kinds` must start with 0"):
        EventCounts(
            times=[1.0],
            kinds=(1, 2),
            groups=(),
            strata=(),
            exits=np.zeros((1, 1, 1, 2)),
            entered=np.zeros((1, 1, 1)),
        )


def test_errors_name_the_argument_and_the_column() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.LazyFrame(
        {
            "days": [3.0, -1.0, 5.0],
            "fine": [1.0, 2.0, 3.0],
            "gap": [3.0, None, 5.0],
            "inf": [1.0, float("inf"), 2.0],
            "job": [1, 2, 0],
            "ok": [1, 0, 1],
            "text": ["a", "b", "c"],
            "w": [1.0, -2.0, 1.0],
            "wnan": [1.0, float("nan"), 1.0],
            "late": [0.0, 0.0, 9.0],
        }
    )
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"durations": "days", "events": "ok"},
            r"`durations` must hold non-negative durations; got -1 \(1 record\) in column 'days'",
        ),
        (
            {"durations": "gap", "events": "ok"},
            r"`durations` must hold durations with no missing values",
        ),
        ({"durations": "inf", "events": "ok"}, r"`durations` must hold finite durations"),
        ({"durations": "fine", "events": "job"}, r"`events` must hold event indicators"),
        ({"durations": "text", "events": "ok"}, r"`durations` must name a numeric column"),
        (
            {"durations": "fine", "events": "ok", "weights": "w"},
            r"`weights` must hold finite, non-negative case weights; got -2",
        ),
        (
            {"durations": "fine", "events": "ok", "weights": "wnan"},
            r"`weights` must hold finite, non-negative case weights; got missing or NaN",
        ),
        (
            {"durations": "fine", "events": "ok", "entry": "late"},
            r"`entry` must be strictly before the duration",
        ),
        (
            {"durations": "nope", "events": "ok"},
            r"`durations` must name a column of `data`; got 'nope'",
        ),
        (
            {"durations": [1, 2, 3], "events": "ok"},
            r"`durations` must name a column of `data` \(a string\)",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidInputError, match=message):
            ips.kaplan_meier(data=frame, **kwargs)
    with pytest.raises(InvalidInputError, match=r"`cause` must be None when `event` is given"):
        event_counts(frame, duration="fine", event="ok", cause="job")
    with pytest.raises(InvalidInputError, match=r"`causes` must hold cause codes"):
        ips.cumulative_incidence("fine", "days", data=frame)
    with pytest.raises(InvalidInputError, match=r"`groups` must name the column of group labels"):
        ips.logrank("fine", "ok", data=frame)
    with pytest.raises(InsufficientDataError, match=r"at least 2 groups"):
        ips.logrank("fine", "ok", "text", data=frame.filter(pl.col("text") == "a"))
    with pytest.raises(InsufficientDataError, match=r"at least one subject"):
        ips.cumulative_incidence("fine", "ok", data=frame.filter(pl.col("text") == "z"))
    with pytest.raises(
        InvalidInputError, match=r"`events` must have one value per record of `by`"
    ):
        ips.kaplan_meier([1, 2, 3], [1, 0], by=["a", "b", "a"])
