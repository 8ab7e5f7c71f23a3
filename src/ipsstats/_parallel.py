"""Independent work on long inputs, shared between threads (a core module, internal).

numpy releases the interpreter lock inside its loops, so passes over separate columns, or
over separate ranges of one column, run at the same time on several CPUs:

- :class:`Tasks` runs independent tasks (loading a cohort copies, parses and factorises
  each of its columns on its own);
- :func:`in_parallel` splits one pass over many records into contiguous ranges.

Short inputs run in the calling thread, so that small ones pay nothing, and work started
from a thread of either runs in that thread (no pool inside a pool). Either way every
result (or error) is the one the work gives alone, asked for in the order the code needs
it.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import os
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from types import TracebackType
from typing import Generic, Protocol, TypeVar

import numpy as np

from ipsstats._arrays import fail

__all__ = []

#: Records from which the tasks of a load are shared between threads.
PARALLEL_MIN = 1 << 16
#: Records from which a single pass is split, each thread taking at least this many.
RANGE_MIN = 1 << 19
_MAX_WORKERS = 8
#: Set inside the threads started here, so that work they start stays in them.
_IN_THREAD: contextvars.ContextVar[bool] = contextvars.ContextVar("in_thread", default=False)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Pending(Protocol[T_co]):
    """A task's result, computed now or later; ``result()`` returns it or raises its error."""

    def result(self) -> T_co:
        """Wait for the task and return its result (or raise its error)."""
        ...


class _Deferred(Generic[T]):
    """A task run in the calling thread when its result is first asked for."""

    def __init__(self, task: Callable[[], T]) -> None:
        self._task: Callable[[], T] | None = task
        self._value: T | None = None

    def result(self) -> T:
        """Run the task the first time (again if it raised) and return its result."""
        if self._task is not None:
            self._value, self._task = self._task(), None
        return self._value  # type: ignore[return-value]  # set by the task just run


#: Environment variable capping the threads (a positive whole number; 1: no threads).
THREADS_VARIABLE = "IPSSTATS_MAX_THREADS"


def workers() -> int:
    """Threads to share work between: the CPUs this process may use, at most 8.

    The environment variable :data:`THREADS_VARIABLE` (``IPSSTATS_MAX_THREADS``) lowers
    the cap, for example on a shared server or inside a cluster's worker processes.
    """
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover  # platforms without affinity (macOS, Windows)
        available = os.cpu_count() or 1
    return max(1, min(available, _thread_cap()))


def _thread_cap() -> int:
    """Return the most threads allowed: :data:`THREADS_VARIABLE` if set, else 8."""
    given = os.environ.get(THREADS_VARIABLE, "").strip()
    if not given:
        return _MAX_WORKERS
    if not given.isdigit() or int(given) < 1:
        raise fail(
            THREADS_VARIABLE,
            "be a positive whole number of threads (1: work in the calling thread only)",
            repr(given),
            hint=f"unset it, or set for example {THREADS_VARIABLE}=1.",
        )
    return int(given)


def _in_thread(task: Callable[..., T]) -> Callable[..., T]:
    """Wrap `task` to run in a thread as in the caller: its context and numpy's error state.

    The context is copied and marked as inside a thread. numpy's error state is carried
    explicitly: before numpy 2 it is per thread, not part of the context.
    """
    context = contextvars.copy_context()
    context.run(_IN_THREAD.set, True)  # noqa: FBT003  # a context variable's value
    errors = np.geterr()

    def run(*args: object) -> T:
        with np.errstate(**errors):
            return task(*args)

    return functools.partial(context.run, run)


def in_parallel(work: Callable[[int, int], None], n: int, *, chunk: int) -> None:
    """Run ``work(start, stop)`` over ``0 .. n``, split between threads when `n` is large.

    The ranges are contiguous, and all but the last are whole multiples of `chunk`;
    `work` must write only its own range. From :data:`RANGE_MIN` records each thread takes
    at least that many; below it, on one CPU, or inside a thread started here, `work`
    runs once in the calling thread.
    """
    count = 1 if _IN_THREAD.get() else min(workers(), n // RANGE_MIN)
    if count <= 1:
        work(0, n)
        return
    chunks = -(-n // chunk)
    bounds = [min(n, (chunks * k // count) * chunk) for k in range(count + 1)]
    with ThreadPoolExecutor(max_workers=count) as pool:
        done = [
            pool.submit(_in_thread(work), start, stop)
            for start, stop in itertools.pairwise(bounds)
        ]
        for future in done:
            future.result()  # re-raises an error from its thread


class Tasks:
    """Start column tasks: on threads for long inputs, else deferred in the calling thread.

    Use as a context manager; leaving it lets running tasks finish in the background and
    drops those not started (their results are no longer wanted).

    Parameters
    ----------
    size : int
        The number of records the tasks work on; threads are used from
        :data:`PARALLEL_MIN` records when more than one CPU is available.

    Attributes
    ----------
    count : int
        The threads used (1: the calling thread), for work split into ranges.
    """

    def __init__(self, size: int) -> None:
        allowed = 1 if _IN_THREAD.get() else workers()  # checks the variable every time
        self.count = allowed if size >= PARALLEL_MIN else 1
        self._pool: Executor | None = ThreadPoolExecutor(self.count) if self.count > 1 else None

    def start(self, task: Callable[[], T]) -> Pending[T]:
        """Start `task` (or defer it); its result is asked for with ``result()``.

        A thread runs the task in a copy of the caller's context, so that settings such
        as :func:`numpy.errstate` apply there too.
        """
        if self._pool is None:
            return _Deferred(task)
        return self._pool.submit(_in_thread(task))

    def __enter__(self) -> Tasks:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
