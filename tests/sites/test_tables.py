"""ExitTable: exits per time by kind, against naive counting and LifeTable."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ipsstats as ips
from ipsstats.errors import InvalidInputError
from ipsstats.sites import KINDS, ExitTable

KINDS_TTJ = KINDS["time_to_job"]

records = st.lists(
    st.tuples(st.sampled_from([0.0, 1.0, 2.5, 7.0, 30.0]), st.sampled_from(KINDS_TTJ)),
    max_size=40,
)


def naive(pairs: list[tuple[float, str]]) -> dict[float, list[int]]:
    """Count exits by time and kind in the most obvious way."""
    counts = Counter(pairs)
    return {t: [counts[(t, kind)] for kind in KINDS_TTJ] for t in sorted({t for t, _ in pairs})}


@given(records)
def test_from_records_counts_each_time_and_kind(pairs: list[tuple[float, str]]) -> None:
    table = ExitTable.from_records([t for t, _ in pairs], [k for _, k in pairs], kinds=KINDS_TTJ)
    expected = naive(pairs)
    assert table.times.tolist() == list(expected)
    assert table.counts.tolist() == list(expected.values())
    assert table.n == len(pairs)
    assert table == ExitTable.from_records(
        [t for t, _ in pairs], [KINDS_TTJ.index(k) for _, k in pairs], kinds=KINDS_TTJ
    )


@given(records, records)
def test_tables_add_as_their_records_do(
    a: list[tuple[float, str]], b: list[tuple[float, str]]
) -> None:
    def build(pairs: list[tuple[float, str]]) -> ExitTable:
        return ExitTable.from_records(
            [t for t, _ in pairs], [k for _, k in pairs], kinds=KINDS_TTJ
        )

    assert build(a) + build(b) == build(a + b)
    assert sum([build(a), build(b)]) == build(a + b)
    assert hash(build(a)) == hash(build(a))


@given(records)
def test_records_rebuild_the_table(pairs: list[tuple[float, str]]) -> None:
    table = ExitTable.from_records([t for t, _ in pairs], [k for _, k in pairs], kinds=KINDS_TTJ)
    durations, codes = table.records()
    assert ExitTable.from_records(durations, codes, kinds=KINDS_TTJ) == table
    assert sorted(zip(durations.tolist(), (KINDS_TTJ[c] for c in codes), strict=True)) == sorted(
        pairs
    )


@given(records.filter(bool))
def test_life_table_is_the_life_table_of_the_records(pairs: list[tuple[float, str]]) -> None:
    table = ExitTable.from_records([t for t, _ in pairs], [k for _, k in pairs], kinds=KINDS_TTJ)
    life = table.life_table("job")
    reference = ips.LifeTable.from_records([t for t, _ in pairs], [k == "job" for _, k in pairs])
    for field in ("times", "n_events", "n_censored", "n_at_risk"):
        np.testing.assert_array_equal(getattr(life, field), getattr(reference, field))
    assert table.totals() == {k: sum(1 for _, x in pairs if x == k) for k in KINDS_TTJ}
    assert table.column("job").tolist() == life.n_events.tolist()
    assert not table.column("job").flags.writeable


def test_repr_and_dict() -> None:
    table = ExitTable.from_records([3, 5], ["job", "censored"], kinds=KINDS_TTJ)
    assert repr(table) == "ExitTable(times: 2, n: 2, censored: 1, job: 1, discharged: 0)"
    assert table.to_dict() == {
        "times": [3.0, 5.0],
        "censored": [0, 1],
        "job": [1, 0],
        "discharged": [0, 0],
    }
    assert ExitTable.empty(KINDS_TTJ).n == 0
    assert table.__eq__(3) is NotImplemented
    assert table.__add__(3) is NotImplemented


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ExitTable(times=[1], kinds=[], counts=np.zeros((1, 0))), "`kinds` must be"),
        (lambda: ExitTable(times=[1], kinds=["a", "a"], counts=[[1, 1]]), "`kinds` must be"),
        (lambda: ExitTable(times=[1, 2], kinds=["a"], counts=[[1]]), "`counts` must hold one row"),
        (lambda: ExitTable(times=[-1], kinds=["a"], counts=[[1]]), "`times` must be finite"),
        (lambda: ExitTable(times=[2, 1], kinds=["a"], counts=[[1], [1]]), "strictly increasing"),
        (lambda: ExitTable(times=[1], kinds=["a"], counts=[[-1]]), "`counts` must be whole"),
        (
            lambda: ExitTable.from_records([1, 2], ["job"], kinds=KINDS_TTJ),
            "`kinds_of_exit` must hold one kind per duration",
        ),
        (
            lambda: ExitTable.from_records([1], ["left"], kinds=KINDS_TTJ),
            "`kinds_of_exit` must hold kinds of exit among",
        ),
        (
            lambda: ExitTable.from_records([1], [3], kinds=KINDS_TTJ),
            "`kinds_of_exit` must hold kinds of exit among",
        ),
        (
            lambda: ExitTable.from_records([np.inf], ["job"], kinds=KINDS_TTJ),
            "`durations` must be finite and non-negative",
        ),
        (
            lambda: ExitTable.from_records([1], ["job"], kinds=KINDS_TTJ).column("left"),
            "`kind` must be one of",
        ),
        (
            lambda: ExitTable.empty(["a"]) + ExitTable.empty(["b"]),
            "`other` must count the same kinds of exit",
        ),
    ],
)
def test_refusals(build: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()  # type: ignore[operator]
