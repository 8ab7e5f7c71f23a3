"""The fast paths of loading agree with the plain ones.

Dates parsed in place in a file's bytes against the same column copied out; work shared
between threads against the calling thread alone; chunked byte searches against whole
ones; a large file through both engines against its records.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Cohort, _parallel
from ipsstats._keys import text_keys
from ipsstats._parallel import Tasks
from ipsstats.cohort import _csv, validation
from ipsstats.cohort._columns import _lenient_dates  # fast path vs naive
from ipsstats.cohort._csv import (  # fast path vs naive
    _bytes_at_most,
    _bytes_equal_to,
    _count,
    _find,
    _read_file,
    _split_plain_csv,
)
from ipsstats.cohort.validation import _all_distinct  # fast path vs naive
from tests.cohort.test_cohort import assert_same_cohort
from tests.strategies import cohort_csv_texts

END = "2020-06-30"
ENGINES: tuple[Literal["numpy", "pyarrow"], ...] = ("numpy", "pyarrow")
OPTIONS: dict[str, Any] = {
    "observed_until": END,
    "missing_labels": ["Not known"],
    "age_range": (18, 65),
    "errors": "exclude",
}


def threads(monkeypatch: pytest.MonkeyPatch, count: int = 2) -> None:
    """Share work between `count` threads however short the input."""
    monkeypatch.setattr(_parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(_parallel, "workers", lambda: count)


def assert_same(first: Cohort, second: Cohort) -> None:
    assert_same_cohort(first, second)
    assert first.rows.tolist() == second.rows.tolist()
    assert list(first.attributes) == list(second.attributes)
    assert first.validation.to_dict() == second.validation.to_dict()


# ---- dates parsed in place ------------------------------------------------------------------

DATE_TEXTS = st.one_of(
    st.dates().map(str),
    st.dates().map(lambda day: day.strftime("%d/%m/%Y")),
    st.sampled_from(["", " ", "2019-02-29", "2020-02-29", "2019-1-5", " 2019-01-05 "]),
    st.sampled_from(["Not known", "2019-13-01", "2019-01-05T10:00", "05 Jan 2019", "19-01-05"]),
    st.text(st.sampled_from('0123456789-/ ,"x\u00e9'), max_size=12),
)


def csv_field(value: str) -> str:
    """Write a value as a CSV field, quoted (quotes doubled) when it needs it."""
    if any(char in value for char in ',"\n') or value.startswith(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


@pytest.mark.parametrize("date_format", [None, "%d/%m/%Y", "%Y%m%d", "%d %b %Y"])
@given(st.lists(DATE_TEXTS, min_size=1, max_size=40))
def test_dates_parsed_in_place_match_the_column_copied_out(
    date_format: str | None, values: list[str]
) -> None:
    text = "id,d\n" + "".join(f"{k},{csv_field(v)}\n" for k, v in enumerate(values))
    split = _split_plain_csv(text.encode(), ",", "csv")
    assert split is not None
    columns, _lines = split
    in_place = _lenient_dates(columns.deferred("d"), "d", date_format, ["Not known"])
    copied = _lenient_dates(columns["d"], "d", date_format, ["Not known"])
    for fast, plain in zip(in_place, copied, strict=True):
        np.testing.assert_array_equal(fast, plain)


def test_fields_with_doubled_quotes_are_not_read_in_place() -> None:
    # As written, '2019""0105' fits the layout of '%Y""%m%d'; its text '2019"0105' does not.
    text = 'id,d\n1,"2019""0105"\n2,"2019""""0105"\n'
    split = _split_plain_csv(text.encode(), ",", "csv")
    assert split is not None
    columns, _lines = split
    dates, missing, bad = _lenient_dates(columns.deferred("d"), "d", '%Y""%m%d', [])
    assert bad.tolist() == [True, False]
    assert str(dates[1]) == "2019-01-05"
    assert not missing.any()


def test_dates_in_place_report_the_values_as_written() -> None:
    text = 'id,accessed,job_start\n1,2019-01-05,"20""9-01-05"\n2,2019-01-06,2019-02-30\n3,x,\n'
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END, errors="exclude")
    assert cohort.validation.issues() == [
        (2, "job_start", '20"9-01-05', "unparseable job start date"),
        (3, "job_start", "2019-02-30", "unparseable job start date"),
        (4, "accessed", "x", "unparseable access date"),
    ]


# ---- threads ------------------------------------------------------------------------------


@pytest.mark.parametrize("plain", [False, True])
@given(data=st.data())
def test_threads_give_the_same_cohort_and_report(plain: bool, data: st.DataObject) -> None:
    text, _records, _lines, _ragged = data.draw(cohort_csv_texts(plain=plain))
    alone = {
        engine: Cohort.from_csv(io.StringIO(text), engine=engine, **OPTIONS) for engine in ENGINES
    }
    with pytest.MonkeyPatch.context() as patch:
        threads(patch, count=3)
        for engine, cohort in alone.items():
            assert_same(Cohort.from_csv(io.StringIO(text), engine=engine, **OPTIONS), cohort)
        assert_same(alone["numpy"], alone["pyarrow"])


def test_threads_raise_the_first_error_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "id,accessed,job_start\n1,2019-01-05,\n1,2019-01-06,\n2,2019-01-07,2019-13-01\n"
    messages = []
    for count in (1, 2):
        with pytest.MonkeyPatch.context() as patch:
            threads(patch, count)
            with pytest.raises(Exception) as raised:  # noqa: PT011  # any error, compared
                Cohort.from_csv(io.StringIO(text), observed_until=END)
        messages.append((type(raised.value), str(raised.value)))
    assert messages[0] == messages[1]
    assert "duplicate id" in messages[0][1]
    assert "unparseable job start date" in messages[0][1]


def test_tasks_run_each_task_once_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def task(k: int) -> int:
        calls.append(k)
        if k == 2:
            raise ValueError(k)
        return k * k

    with Tasks(10) as tasks:  # short: deferred to the calling thread
        assert tasks.count == 1
        pending = [tasks.start(functools.partial(task, k)) for k in range(4)]
        assert calls == []  # nothing runs before its result is asked for
        assert [pending[k].result() for k in (3, 0, 0)] == [9, 0, 0]
        with pytest.raises(ValueError, match="2"):
            pending[2].result()
    assert calls == [3, 0, 2]
    threads(monkeypatch, count=2)
    with Tasks(10) as tasks:
        assert tasks.count == 2
        pending = [tasks.start(functools.partial(task, k)) for k in range(4)]
        assert [pending[k].result() for k in (0, 1, 3)] == [0, 1, 9]
        with pytest.raises(ValueError, match="2"):
            pending[2].result()


def test_threads_are_used_for_long_inputs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_parallel, "workers", lambda: 4)
    seen: set[str] = set()

    def where() -> None:
        seen.add(threading.current_thread().name)

    for size in (_parallel.PARALLEL_MIN - 1, _parallel.PARALLEL_MIN):
        seen.clear()
        with Tasks(size) as tasks:
            tasks.start(where).result()
        assert (threading.current_thread().name in seen) == (size < _parallel.PARALLEL_MIN)
    assert 1 <= _parallel.workers() <= 8


# ---- searching bytes ----------------------------------------------------------------------

BYTES = st.binary(max_size=200).map(lambda raw: raw.replace(b"\x00", b""))


@given(BYTES, st.integers(1, 9), st.integers(1, 4))
def test_chunked_searches_match_whole_ones(raw: bytes, chunk: int, count: int) -> None:
    buf = np.frombuffer(raw + b"\n,", dtype=np.uint8)
    data = buf.tobytes()
    with pytest.MonkeyPatch.context() as patch:
        threads(patch, count)
        patch.setattr(_csv, "_CHUNK", chunk)
        patch.setattr(_csv, "_BYTES_PER_RECORD", 1)
        positions, first = _bytes_equal_to(buf, ord("\n"), ord(","))
        low, values = _bytes_at_most(buf, ord(","))
        for start in (0, len(data) // 2):
            assert _find(buf, b"\n", start) == data.find(b"\n", start)
            assert _find(buf, b"\r", start) == data.find(b"\r", start)
        assert _count(buf, ord(","), 1, len(data) - 1) == data.count(b",", 1, len(data) - 1)
    expected = [k for k, byte in enumerate(data) if byte in b"\n,"]
    assert positions.tolist() == expected
    assert first.dtype == bool
    assert first.tolist() == [data[k] == ord("\n") for k in expected]
    assert low.tolist() == [k for k, byte in enumerate(data) if byte <= ord(",")]
    assert values.dtype == np.uint8
    assert values.tolist() == [byte for byte in data if byte <= ord(",")]


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Callable[[bytes], Path]]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are a POSIX feature")
    writers: list[threading.Thread] = []

    def make(content: bytes) -> Path:
        path = tmp_path / f"pipe{len(writers)}"
        os.mkfifo(path)
        writer = threading.Thread(target=path.write_bytes, args=(content,), daemon=True)
        writer.start()
        writers.append(writer)
        return path

    yield make
    for writer in writers:
        writer.join(timeout=5)


def test_files_are_read_whole_whatever_their_reported_size(
    tmp_path: Path, fifo: Callable[[bytes], Path]
) -> None:
    content = b"id,accessed\n" + b"".join(b"%d,2019-01-01\n" % k for k in range(5000))
    path = tmp_path / "records.csv"
    path.write_bytes(content)
    assert _read_file(str(path)).tobytes() == content
    (tmp_path / "empty.csv").write_bytes(b"")
    assert _read_file(str(tmp_path / "empty.csv")).size == 0
    assert _read_file(str(fifo(content))).tobytes() == content  # a pipe reports size 0
    cohort = Cohort.from_csv(fifo(content), observed_until=END)
    assert cohort.n == 5000


# ---- a file long enough for threads ------------------------------------------------------


def long_file(n: int, seed: int = 7) -> tuple[str, dict[str, list[str]]]:
    """Records with ISO dates, blanks and some invalid values of every kind."""
    rng = np.random.default_rng(seed)
    accessed = np.datetime64("2019-01-01") + rng.integers(0, 500, n)
    job = (accessed + rng.integers(-20, 300, n)).astype(str)
    columns = {
        "id": [f"P{k}" for k in rng.permutation(n)],
        "accessed": accessed.astype(str).tolist(),
        "job_start": np.where(rng.random(n) < 0.5, job, "").tolist(),
        "discharged": np.where(rng.random(n) < 0.3, "2020-05-01", "").tolist(),
        "age": rng.integers(15, 70, n).astype(str).tolist(),
        "ethnicity": rng.choice(["White", "Asian", "Black", "Not known", ""], n).tolist(),
    }
    bad = rng.choice(n, 40, replace=False).tolist()
    for k, row in enumerate(bad):
        column = ("accessed", "job_start", "discharged", "age", "id")[k % 5]
        value = ("2019-02-30", "05/01/2019", "Not known", "x", "P1")[k % 5]
        columns[column][row] = value
    lines = [",".join(columns)]
    lines.extend(",".join(row) for row in zip(*columns.values(), strict=True))
    return "\n".join(lines) + "\n", columns


def test_a_long_file_reads_the_same_by_every_path(tmp_path: Path) -> None:
    n = _parallel.PARALLEL_MIN + 1000
    text, columns = long_file(n)
    path = tmp_path / "long.csv"
    path.write_text(text, encoding="utf-8")
    by_numpy = Cohort.from_csv(path, engine="numpy", **OPTIONS)
    by_arrow = Cohort.from_csv(path, engine="pyarrow", **OPTIONS)
    by_columns = Cohort.from_columns(columns, **OPTIONS)
    assert_same(by_numpy, by_arrow)
    assert by_numpy.validation.n_excluded >= 40
    assert by_numpy.ids.tolist() == by_columns.ids.tolist()
    assert by_numpy.validation.counts == by_columns.validation.counts
    lines = [row + 2 for row in by_columns.validation.rows.tolist()]
    assert by_numpy.validation.rows.tolist() == lines
    for (_, field, value, reason), (_, same_field, same_value, same_reason) in zip(
        by_numpy.validation.issues(), by_columns.validation.issues(), strict=True
    ):
        assert (field, reason) == (same_field, same_reason)
        if reason != "duplicate id":  # which names the other record's line or index
            assert value == same_value


def test_threads_run_tasks_in_the_callers_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    threads(monkeypatch, count=2)
    with np.errstate(divide="raise"), Tasks(10) as tasks:
        assert tasks.count == 2
        pending = tasks.start(lambda: np.geterr()["divide"])
        assert pending.result() == "raise"


# ---- distinct ids ---------------------------------------------------------------------------

IDS = st.lists(
    st.one_of(st.sampled_from(["1234567890", "1234567891", "A", ""]), st.text(max_size=20)),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize("kind", ["S", "U"])
@given(IDS)
def test_ids_are_distinct_when_hashed_as_when_compared(kind: str, values: list[str]) -> None:
    text = np.array(values, dtype=str)
    ids = np.char.encode(text, "utf-8") if kind == "S" else text
    expected = len(set(ids.tolist())) == ids.size
    assert _all_distinct(ids) == expected
    with pytest.MonkeyPatch.context() as patch:  # every text shares one hash
        patch.setattr(validation, "text_keys", lambda v: (np.zeros(v.shape[0], np.uint64), False))
        assert _all_distinct(ids) == expected
    hashes, _exact = text_keys(ids)
    for k, value in enumerate(ids.tolist()):  # equal texts hash equally
        same = [j for j, other in enumerate(ids.tolist()) if other == value]
        assert (hashes[same] == hashes[k]).all()


def test_long_ids_are_checked_for_repeats() -> None:
    rows = [f"{9_000_000_000 + k},2019-01-0{1 + k % 9}" for k in range(30)]
    rows.append("9000000007,2019-01-09")
    text = "id,accessed\n" + "\n".join(rows) + "\n"
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END, errors="exclude")
    assert cohort.validation.issues() == [
        (9, "id", "9000000007 (also line 32)", "duplicate id"),
        (32, "id", "9000000007 (also line 9)", "duplicate id"),
    ]


def frozen_through(array: np.ndarray[Any, Any]) -> bool:
    """Whether an array and every array it views are read-only."""
    base: object = array
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return False
        base = base.base
    return True


@pytest.mark.parametrize("exclude", [False, True])
def test_columns_kept_without_a_copy_stay_read_only(tmp_path: Path, exclude: bool) -> None:
    """A cohort keeps the columns it parsed without copying them, read-only to the root."""
    path = tmp_path / "records.csv"
    lines = ["id,accessed,job_start,discharged,age,ethnicity"]
    lines += [f"P{k},2019-01-{k + 1:02d},,,{30 + k},White" for k in range(9)]
    lines += ["P9,2019-13-01,,,40,Asian" if exclude else "P9,2019-01-20,,,40,Asian"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cohort = Cohort.from_csv(path, observed_until=END, errors="exclude", numeric=["age"])
    assert cohort.n == (9 if exclude else 10)
    columns = [cohort.ids, cohort.accessed, cohort.job_start, cohort.discharged, cohort.rows]
    columns.append(cohort.attributes["age"])  # type: ignore[arg-type]  # numbers
    assert all(frozen_through(column) for column in columns)
    with pytest.raises(ValueError, match="read-only"):
        cohort.ids[0] = "changed"


def test_columns_given_by_the_caller_are_copied_not_frozen() -> None:
    """Arrays passed in stay the caller's: writeable, and not shared with the cohort."""
    ids = np.array(["a", "b"])
    accessed = np.array(["2019-01-01", "2019-02-01"], dtype="datetime64[D]")
    never = np.array(["NaT", "NaT"], dtype="datetime64[D]")
    age = np.array([30.0, 40.0])
    data = {"id": ids, "accessed": accessed, "job_start": never, "discharged": never, "age": age}
    cohort = Cohort.from_columns(data, observed_until=END, numeric=["age"])
    for given_array in (ids, accessed, never, age):
        assert given_array.flags.writeable
    for kept, given_array in ((cohort.ids, ids), (cohort.accessed, accessed)):
        assert not np.shares_memory(kept, given_array)
    assert not np.shares_memory(cohort.attributes["age"], age)
