"""Censored durations derived from a cohort, and age bands."""

from __future__ import annotations

import itertools
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_array,
    bool_array,
    fail,
    float_array,
    int_array,
    str_array,
)
from ipsstats.cohort._columns import _as_float_column
from ipsstats.cohort.validation import Attribute
from ipsstats.factor import Factor
from ipsstats.results import frozen_mapping

__all__ = ["CAUSE_LABELS", "CompetingDurations", "Durations", "age_band"]


def _take_attribute(value: Attribute, keep: NDArray[Any]) -> Attribute:
    if isinstance(value, Factor):
        return Factor(codes=value.codes[keep], levels=value.levels, name=value.name)
    out = np.array(value[keep], dtype=np.float64)
    out.flags.writeable = False
    return out


class _Selected(Mapping[str, Attribute]):
    """The attributes of selected people, each taken only when it is used.

    A selection (a window, a filter, the people with a job) keeps its mask and takes an
    attribute's values on first access, so that selecting from a cohort with thousands of
    attributes costs as much as selecting from one with a few: an analysis by one
    attribute never copies the others. Selections of selections compose their masks.
    """

    source: Mapping[str, Attribute]
    keep: NDArray[np.bool_]

    def __init__(self, source: Mapping[str, Attribute], keep: NDArray[np.bool_]) -> None:
        mask = np.array(keep, dtype=np.bool_)
        if isinstance(source, _Selected):  # select from the original columns at once
            positions = np.flatnonzero(source.keep)[mask]
            mask = np.zeros(source.keep.shape[0], dtype=np.bool_)
            mask[positions] = True
            source = source.source
        mask.flags.writeable = False
        self.source = source
        self.keep = mask
        self.n = int(np.count_nonzero(self.keep))
        self._taken: dict[str, Attribute] = {}

    def __getitem__(self, name: str) -> Attribute:
        if name not in self._taken:
            self._taken[name] = _take_attribute(self.source[name], self.keep)
        return self._taken[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.source)

    def __len__(self) -> int:
        return len(self.source)

    def __contains__(self, name: object) -> bool:
        return name in self.source


def _select(
    attributes: Mapping[str, Attribute], keep: NDArray[np.bool_]
) -> Mapping[str, Attribute]:
    """Select people from every attribute, lazily (see :class:`_Selected`)."""
    return _Selected(attributes, keep)


def _attributes(value: Mapping[str, Attribute] | None) -> Mapping[str, Attribute]:
    """Attrs converter: a lazy selection as it is, any other mapping as a read-only copy."""
    if isinstance(value, _Selected):
        return value
    return frozen_mapping(value)


@attrs.frozen(kw_only=True, eq=False)
class Durations:
    """Censored durations in days, one per person, ready for survival analysis.

    Parameters
    ----------
    durations : array-like of float
        Days from the start of the interval to its end or to censoring; never negative.
    events : array-like of bool
        ``True`` where the interval ended with the event (a job, a discharge), ``False``
        where it was censored.
    ids : array-like of str
        The person each duration belongs to.
    attributes : Mapping[str, Factor or ndarray]
        The cohort's attributes, aligned with `durations`, for grouping.
    measure : str
        What was measured, e.g. ``"time_to_job"``.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-01", "2019-02-01"], "job_start": ["2019-01-31", None]},
    ...     observed_until="2019-03-01")
    >>> d = cohort.time_to_job()
    >>> d.durations.tolist(), d.events.tolist()
    ([30.0, 28.0], [True, False])
    """

    durations: NDArray[np.float64] = attrs.field(converter=float_array)
    events: NDArray[np.bool_] = attrs.field(converter=bool_array)
    ids: NDArray[np.str_] = attrs.field(converter=str_array)
    attributes: Mapping[str, Attribute] = attrs.field(factory=dict, converter=_attributes)
    measure: str = ""

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.durations.shape[0])

    @property
    def n_events(self) -> int:
        """Number of uncensored durations."""
        return int(np.count_nonzero(self.events))

    @property
    def n_censored(self) -> int:
        """Number of censored durations."""
        return self.n - self.n_events

    def group(self, name: str) -> Attribute:
        """Return the attribute `name`, aligned with the durations, for grouping."""
        return _get_attribute(self.attributes, name)

    def __len__(self) -> int:
        return self.n


CAUSE_LABELS: Mapping[int, str] = types.MappingProxyType(
    {0: "censored", 1: "job", 2: "discharged without a job"}
)


@attrs.frozen(kw_only=True, eq=False)
class CompetingDurations:
    """Durations in days to the first of competing events, with the cause.

    Parameters
    ----------
    durations : array-like of float
        Days from first contact to a job, to discharge without a job, or to censoring.
    causes : array-like of int
        0 censored, 1 job, 2 discharged without a job (see `cause_labels`).
    ids : array-like of str
        The person each duration belongs to.
    attributes : Mapping[str, Factor or ndarray]
        The cohort's attributes, aligned with `durations`.
    cause_labels : Mapping[int, str]
        The meaning of each cause code.

    Examples
    --------
    >>> from ipsstats import Cohort
    >>> cohort = Cohort.from_columns(
    ...     {"accessed": ["2019-01-01", "2019-02-01", "2019-02-01"],
    ...      "job_start": ["2019-01-31", None, None],
    ...      "discharged": [None, "2019-02-11", None]},
    ...     observed_until="2019-03-01")
    >>> c = cohort.job_or_discharge()
    >>> c.durations.tolist(), c.causes.tolist()
    ([30.0, 10.0, 28.0], [1, 2, 0])
    """

    durations: NDArray[np.float64] = attrs.field(converter=float_array)
    causes: NDArray[np.int64] = attrs.field(converter=int_array)
    ids: NDArray[np.str_] = attrs.field(converter=str_array)
    attributes: Mapping[str, Attribute] = attrs.field(factory=dict, converter=_attributes)
    cause_labels: Mapping[int, str] = attrs.field(default=CAUSE_LABELS, converter=frozen_mapping)

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.durations.shape[0])

    def group(self, name: str) -> Attribute:
        """Return the attribute `name`, aligned with the durations, for grouping."""
        return _get_attribute(self.attributes, name)

    def __len__(self) -> int:
        return self.n


def _get_attribute(attributes: Mapping[str, Attribute], name: str) -> Attribute:
    if not isinstance(name, str):
        raise fail("name", "be an attribute name (a string)", f"{type(name).__name__} {name!r}")
    if name not in attributes:
        listed = ", ".join(repr(k) for k in attributes) or "none"
        raise fail("name", "name an attribute", repr(name), hint=f"attributes: {listed}.")
    return attributes[name]


# --------------------------------------------------------------------------------------
# Age bands
# --------------------------------------------------------------------------------------


def _band_labels(edges: NDArray[np.float64]) -> tuple[str, ...]:
    whole = bool(np.all(edges == np.round(edges)))

    def text(x: float) -> str:
        return f"{x:g}"

    labels = [f"<={text(edges[0])}"]
    for low, high in itertools.pairwise(edges):
        labels.append(f"{text(low + 1)}-{text(high)}" if whole else f"{text(low)}<x<={text(high)}")
    labels.append(f">{text(edges[-1])}")
    return tuple(labels)


def age_band(
    ages: object, edges: Sequence[float] = (25, 40, 55), *, name: str | None = "age_band"
) -> Factor:
    r"""Group ages into ordered bands such as ``"<=25"``, ``"26-40"``, ``"41-55"``, ``">55"``.

    Parameters
    ----------
    ages : array-like of float
        Ages in years; NaN (or a blank) means not known. Fractional ages are allowed.
    edges : sequence of float
        Strictly increasing upper limits of all bands but the last, e.g. ``(25, 40, 55)``.
    name : str or None
        The name of the resulting factor.

    Returns
    -------
    Factor
        Ordered levels, one per band; missing ages have code -1.

    Raises
    ------
    InvalidInputError
        If `ages` is not numeric or holds an infinite value, or `edges` is empty, not
        finite or not increasing.

    Notes
    -----
    With edges :math:`e_1 < \dots < e_k`, band 0 holds ages :math:`x \le e_1`, band
    :math:`j` holds :math:`e_j < x \le e_{j+1}` and band :math:`k` holds
    :math:`x > e_k`; an age exactly on an edge belongs to the band below it (25 is in
    ``"<=25"``).

    With whole-number edges the labels are whole years (``"26-40"``), so ages are
    compared in completed years, :math:`\lfloor x \rfloor`: 25.9 is in ``"<=25"`` and
    40.5 in ``"26-40"``, as a person aged 40 and a half is 40. With fractional edges the
    ages are compared as given and the labels say so (``"17.5<x<=25"``).

    References
    ----------
    1. Rinaldi M, et al. BJPsych Bulletin 2024 (age groups of IPS users).

    Examples
    --------
    >>> band = age_band([19, 25, 25.9, 26, 40.5, 41, 70, float("nan")])
    >>> band.levels
    ('<=25', '26-40', '41-55', '>55')
    >>> band.codes.tolist()
    [0, 0, 0, 1, 1, 2, 3, -1]
    """
    values = _as_float_column(as_array(ages, "ages"), "ages")
    if np.isinf(values).any():
        first = int(np.flatnonzero(np.isinf(values))[0])
        raise fail("ages", "hold finite numbers", f"{values[first]} at index {first}")
    try:
        given = np.asarray(edges)
    except (TypeError, ValueError):
        given = np.asarray(None)
    if given.dtype.kind not in "iuf":
        raise fail("edges", "be a non-empty sequence of finite numbers", repr(edges))
    limits = given.astype(np.float64)
    if limits.ndim != 1 or limits.size == 0 or not np.isfinite(limits).all():
        raise fail("edges", "be a non-empty sequence of finite numbers", repr(edges))
    if (limits[1:] <= limits[:-1]).any():  # compared, not subtracted: no overflow
        raise fail("edges", "be strictly increasing", repr(tuple(edges)))
    whole = bool(np.all(limits == np.round(limits)))
    compared = np.floor(values) if whole else values
    codes = np.searchsorted(limits, compared, side="left").astype(np.int64)
    codes[np.isnan(values)] = -1
    return Factor(codes=codes, levels=_band_labels(limits), name=name)
