"""Work shared between threads: ranges that tile the input, errors, no pool inside a pool."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

# internal helpers with no public route: checked directly
from ipsstats import InvalidInputError, _parallel
from ipsstats._parallel import Tasks, in_parallel

CHUNK = 1 << 10


@given(st.integers(0, 60 * CHUNK), st.integers(1, 6), st.integers(1, 8))
def test_in_parallel_covers_every_record_once(n: int, threads: int, least: int) -> None:
    """The ranges given to the threads tile 0 .. n, each starting at a whole chunk."""
    ranges: list[tuple[int, int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parallel, "workers", lambda: threads)
        patch.setattr(_parallel, "RANGE_MIN", least * CHUNK)
        in_parallel(lambda start, stop: ranges.append((start, stop)), n, chunk=CHUNK)
    ranges.sort()
    assert ranges[0][0] == 0
    assert ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert all(start % CHUNK == 0 and stop > start for start, stop in ranges) or n == 0
    assert len(ranges) == max(1, min(threads, n // (least * CHUNK)))


def test_in_parallel_raises_the_error_of_a_thread() -> None:
    def work(start: int, _stop: int) -> None:
        if start:
            raise ValueError(f"range from {start}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parallel, "workers", lambda: 3)
        patch.setattr(_parallel, "RANGE_MIN", CHUNK)
        with pytest.raises(ValueError, match="range from"):
            in_parallel(work, 10 * CHUNK, chunk=CHUNK)


def test_work_started_in_a_thread_stays_in_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A split pass inside a task, or a task inside a split pass, starts no second pool."""
    monkeypatch.setattr(_parallel, "workers", lambda: 4)
    monkeypatch.setattr(_parallel, "RANGE_MIN", CHUNK)
    monkeypatch.setattr(_parallel, "PARALLEL_MIN", 1)

    def ranges_seen() -> list[str]:
        names: list[str] = []
        in_parallel(
            lambda _start, _stop: names.append(threading.current_thread().name),
            40 * CHUNK,
            chunk=CHUNK,
        )
        return names

    outside = ranges_seen()
    assert len(outside) == 4
    assert threading.current_thread().name not in outside
    with Tasks(10**6) as tasks:
        assert tasks.count == 4
        inside = tasks.start(ranges_seen).result()
    assert len(inside) == 1
    assert inside[0] != threading.current_thread().name

    counts: list[int] = []

    def count_tasks(_start: int, _stop: int) -> None:
        with Tasks(10**6) as nested:
            counts.append(nested.count)

    in_parallel(count_tasks, 40 * CHUNK, chunk=CHUNK)
    assert counts == [1, 1, 1, 1]


def test_split_passes_run_in_the_callers_numpy_settings() -> None:
    """numpy's error state reaches the threads (per thread before numpy 2)."""
    seen: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parallel, "workers", lambda: 2)
        patch.setattr(_parallel, "RANGE_MIN", CHUNK)
        with np.errstate(divide="raise"):
            in_parallel(
                lambda _start, _stop: seen.append(np.geterr()["divide"]), 4 * CHUNK, chunk=CHUNK
            )
    assert seen == ["raise", "raise"]


@pytest.mark.parametrize("cap", ["1", "2", " 3 ", "64"])
def test_the_environment_caps_the_threads(monkeypatch: pytest.MonkeyPatch, cap: str) -> None:
    monkeypatch.delenv("IPSSTATS_MAX_THREADS", raising=False)
    uncapped = _parallel.workers()  # the CPUs available, at most 8
    monkeypatch.setenv("IPSSTATS_MAX_THREADS", cap)
    assert _parallel.workers() == min(uncapped, int(cap))
    with Tasks(10**6) as tasks:
        assert tasks.count == min(uncapped, int(cap))
    ranges: list[tuple[int, int]] = []
    monkeypatch.setattr(_parallel, "RANGE_MIN", CHUNK)
    in_parallel(lambda start, stop: ranges.append((start, stop)), 40 * CHUNK, chunk=CHUNK)
    assert len(ranges) == min(uncapped, int(cap))


@pytest.mark.parametrize("cap", ["0", "-1", "two", "1.5"])
def test_a_bad_thread_cap_is_refused(monkeypatch: pytest.MonkeyPatch, cap: str) -> None:
    monkeypatch.setenv("IPSSTATS_MAX_THREADS", cap)
    with pytest.raises(InvalidInputError, match="`IPSSTATS_MAX_THREADS` must be a positive"):
        _parallel.workers()
    with pytest.raises(InvalidInputError, match="IPSSTATS_MAX_THREADS"):
        in_parallel(lambda _start, _stop: None, 10, chunk=CHUNK)
    with pytest.raises(InvalidInputError, match="IPSSTATS_MAX_THREADS"):
        Tasks(10)
