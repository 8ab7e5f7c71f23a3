"""Exits per distinct time, by kind: the life tables a site summary shares.

An :class:`ExitTable` holds, for one group of people, the number leaving observation at
each distinct time with each kind of exit: for the time to a first job, ``"job"``,
``"discharged"`` (without a job) and ``"censored"`` (still waiting at the study end); for
in-work support, ``"discharged"`` and ``"censored"``. It is the life table of
:class:`ipsstats.LifeTable` with the kind of each exit kept apart, which the competing-risks
analysis of a first job needs. Tables add exactly (``a + b``), so tables of several sites
give the table of all their people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail, float_array, int_array
from ipsstats.survival import LifeTable

__all__ = ["JOB_KINDS_CENSORED", "KINDS", "MEASURE_EVENTS", "ExitTable"]

#: The kinds of exit counted for each duration, in the order of an :class:`ExitTable`.
KINDS: Mapping[str, tuple[str, ...]] = {
    "time_to_job": ("censored", "job", "discharged"),
    "in_work_support": ("censored", "discharged"),
}
#: The kinds of exit of the time to a first job when disclosure control counts discharges
#: without a job as censored (see :func:`ipsstats.sites.site_summary`).
JOB_KINDS_CENSORED = ("censored", "job")
#: The kind of exit that is the event of each duration's Kaplan-Meier curve.
MEASURE_EVENTS: Mapping[str, str] = {"time_to_job": "job", "in_work_support": "discharged"}


def _kinds(value: Sequence[str]) -> tuple[str, ...]:
    kinds = tuple(str(k) for k in value)
    if not kinds or len(set(kinds)) != len(kinds):
        raise fail("kinds", "be distinct names of kinds of exit", repr(value))
    return kinds


def _check(instance: ExitTable, _attribute: attrs.Attribute[Any], counts: NDArray[Any]) -> None:
    times = instance.times
    if times.ndim != 1 or counts.shape != (times.size, len(instance.kinds)):
        raise fail(
            "counts",
            "hold one row per time and one column per kind of exit",
            f"shape {counts.shape} for {times.size} times and {len(instance.kinds)} kinds",
        )
    if times.size and not (np.isfinite(times).all() and times[0] >= 0):
        raise fail("times", "be finite and non-negative", "other values")
    if np.any(np.diff(times) <= 0):
        raise fail("times", "be strictly increasing", "repeated or unsorted times")
    if counts.size and counts.min() < 0:
        raise fail("counts", "be whole numbers >= 0", f"{int(counts.min())}")


@attrs.frozen(kw_only=True, eq=False)
class ExitTable:
    r"""Exits of one group per distinct time, by kind of exit.

    Parameters
    ----------
    times : array-like of float
        Distinct times in days, strictly increasing (read-only).
    kinds : sequence of str
        The kinds of exit, one per column of `counts` (see :data:`KINDS`).
    counts : array-like of int
        Shape ``(len(times), len(kinds))``: the number of people leaving at each time with
        each kind of exit (read-only).

    Raises
    ------
    InvalidInputError
        If the shapes do not match, times are not finite, non-negative and strictly
        increasing, or a count is negative.

    Notes
    -----
    With :math:`d_{jk}` exits of kind :math:`k` at time :math:`t_j`, the number at risk just
    before :math:`t_j` is :math:`n_j = \sum_{i \ge j} \sum_k d_{ik}` (nobody enters late:
    every duration starts at time 0). Tables of disjoint groups of people add cell by cell
    over the union of their times.

    Examples
    --------
    >>> from ipsstats.sites import ExitTable
    >>> a = ExitTable.from_records([3, 5, 5], ["job", "censored", "job"],
    ...                            kinds=("censored", "job", "discharged"))
    >>> b = ExitTable.from_records([5, 9], ["discharged", "job"], kinds=a.kinds)
    >>> total = a + b
    >>> total.times.tolist(), total.counts.tolist()
    ([3.0, 5.0, 9.0], [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    >>> total.life_table("job").n_events.tolist()
    [1.0, 1.0, 1.0]
    """

    times: NDArray[np.float64] = attrs.field(converter=float_array)
    kinds: tuple[str, ...] = attrs.field(converter=_kinds)
    counts: NDArray[np.int64] = attrs.field(converter=int_array, validator=_check)

    @classmethod
    def empty(cls, kinds: Sequence[str]) -> ExitTable:
        """Return the table of nobody."""
        return cls(times=np.zeros(0), kinds=kinds, counts=np.zeros((0, len(kinds))))

    @classmethod
    def from_records(
        cls, durations: object, kinds_of_exit: object, *, kinds: Sequence[str]
    ) -> ExitTable:
        """Tally one duration and kind of exit per person.

        Parameters
        ----------
        durations : array-like of float
            Days to each person's exit; finite and non-negative.
        kinds_of_exit : array-like
            The kind of each exit, as a name in `kinds` or as its position in `kinds`.
        kinds : sequence of str
            The kinds of exit, in column order.

        Returns
        -------
        ExitTable

        Raises
        ------
        InvalidInputError
            If the arrays differ in length, a duration is negative or not finite, or a
            kind of exit is not one of `kinds`.
        """
        names = _kinds(kinds)
        times = np.asarray(durations, dtype=np.float64).ravel()
        given = np.asarray(kinds_of_exit).ravel()
        if given.shape != times.shape:
            raise fail(
                "kinds_of_exit",
                "hold one kind per duration",
                f"{given.size} kinds for {times.size} durations",
            )
        if given.dtype.kind in "iu":
            codes = given.astype(np.intp)
            bad = (codes < 0) | (codes >= len(names))
        else:
            lookup = {name: k for k, name in enumerate(names)}
            codes = np.array([lookup.get(str(v), -1) for v in given.tolist()], dtype=np.intp)
            bad = codes < 0
        if bad.any():
            raise fail(
                "kinds_of_exit",
                f"hold kinds of exit among {list(names)}",
                repr(given[np.argmax(bad)]),
            )
        if times.size and not (np.isfinite(times).all() and times.min() >= 0):
            raise fail("durations", "be finite and non-negative", "other values")
        distinct, inverse = np.unique(times, return_inverse=True)
        counts = np.zeros((distinct.size, len(names)), dtype=np.int64)
        np.add.at(counts, (inverse.ravel(), codes), 1)
        return cls(times=distinct, kinds=names, counts=counts)

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.counts.sum())

    def totals(self) -> dict[str, int]:
        """Count the exits of each kind over all times."""
        sums = self.counts.sum(axis=0)
        return {kind: int(sums[k]) for k, kind in enumerate(self.kinds)}

    def column(self, kind: str) -> NDArray[np.int64]:
        """Return the counts of one kind of exit per time (read-only).

        Raises
        ------
        InvalidInputError
            If `kind` is not one of :attr:`kinds`.
        """
        if kind not in self.kinds:
            raise fail("kind", f"be one of {list(self.kinds)}", repr(kind))
        out = self.counts[:, self.kinds.index(kind)]
        out.flags.writeable = False
        return out

    def life_table(self, event: str) -> LifeTable:
        """Return the life table with `event` as the event and other exits as censored.

        Parameters
        ----------
        event : str
            One of :attr:`kinds`, e.g. ``"job"`` for the time to a first job.

        Returns
        -------
        LifeTable
            Events and censorings per time (no delayed entry).

        Raises
        ------
        InvalidInputError
            If `event` is not one of :attr:`kinds`.
        """
        events = self.column(event)
        return LifeTable.from_counts(
            self.times, events=events, censored=self.counts.sum(1) - events
        )

    def records(self) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
        """One duration and one kind code (position in :attr:`kinds`) per person.

        The people a table counts, in order of time and kind: records that give the same
        table, for the functions that take records.
        """
        flat = self.counts.ravel()
        durations = np.repeat(np.repeat(self.times, len(self.kinds)), flat)
        codes = np.repeat(
            np.tile(np.arange(len(self.kinds), dtype=np.intp), self.times.size), flat
        )
        return durations, codes

    def __add__(self, other: object) -> ExitTable:
        if not isinstance(other, ExitTable):
            return NotImplemented
        if other.kinds != self.kinds:
            raise fail(
                "other",
                f"count the same kinds of exit as this table ({list(self.kinds)})",
                repr(list(other.kinds)),
            )
        times, inverse = np.unique(np.concatenate([self.times, other.times]), return_inverse=True)
        counts = np.zeros((times.size, len(self.kinds)), dtype=np.int64)
        np.add.at(counts, inverse.ravel(), np.concatenate([self.counts, other.counts]))
        return ExitTable(times=times, kinds=self.kinds, counts=counts)

    def __radd__(self, other: object) -> ExitTable:
        if isinstance(other, int) and other == 0:  # the start value of sum()
            return self
        return self.__add__(other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExitTable):
            return NotImplemented
        return (
            self.kinds == other.kinds
            and np.array_equal(self.times, other.times)
            and np.array_equal(self.counts, other.counts)
        )

    def __hash__(self) -> int:
        return hash((self.kinds, self.times.tobytes(), self.counts.tobytes()))

    def to_dict(self) -> dict[str, list[Any]]:
        """Return ``{"times": [...], kind: [...], ...}`` as JSON-safe lists."""
        out: dict[str, list[Any]] = {"times": self.times.tolist()}
        for k, kind in enumerate(self.kinds):
            out[kind] = self.counts[:, k].tolist()
        return out

    def __repr__(self) -> str:
        totals = ", ".join(f"{kind}: {n}" for kind, n in self.totals().items())
        return f"ExitTable(times: {self.times.size}, n: {self.n}, {totals})"
