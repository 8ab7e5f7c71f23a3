"""The rows of a survival curve at chosen times (:meth:`SurvivalCurve.table`)."""

from __future__ import annotations

from typing import Any, Protocol

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats.results import json_safe
from ipsstats.survival.lifetable import _float_array

__all__ = ["SurvivalTable", "tabulate"]


@attrs.frozen(kw_only=True, eq=False)
class SurvivalTable:
    """Numbers at risk, events and censorings at chosen times, with the survival estimate.

    Parameters
    ----------
    times : array of float
        The requested times, sorted and distinct.
    n_at_risk : array of float
        Risk set at each time (subjects still under observation just before it).
    n_events, n_censored, n_entered : array of float
        Events, censorings and delayed entries in the interval from the previous requested
        time (exclusive; the start for the first) to this time (inclusive), as R's
        ``summary(fit, times=...)``.
    survival, std_err, lower, upper : array of float
        The Kaplan-Meier estimate at each time, its standard error and confidence limits
        (see :class:`SurvivalCurve`).
    """

    times: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_at_risk: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_censored: NDArray[np.float64] = attrs.field(converter=_float_array)
    n_entered: NDArray[np.float64] = attrs.field(converter=_float_array)
    survival: NDArray[np.float64] = attrs.field(converter=_float_array)
    std_err: NDArray[np.float64] = attrs.field(converter=_float_array)
    lower: NDArray[np.float64] = attrs.field(converter=_float_array)
    upper: NDArray[np.float64] = attrs.field(converter=_float_array)

    def to_dict(self) -> dict[str, Any]:
        """Return the columns as JSON-safe lists (NaN becomes ``None``)."""
        return {f.name: json_safe(getattr(self, f.name)) for f in attrs.fields(SurvivalTable)}


class _Curve(Protocol):
    @property
    def times(self) -> NDArray[np.float64]: ...
    @property
    def n_at_risk(self) -> NDArray[np.float64]: ...
    @property
    def n_events(self) -> NDArray[np.float64]: ...
    @property
    def n_censored(self) -> NDArray[np.float64]: ...
    @property
    def n_entered(self) -> NDArray[np.float64]: ...
    @property
    def survival(self) -> NDArray[np.float64]: ...
    @property
    def std_err(self) -> NDArray[np.float64]: ...
    @property
    def lower(self) -> NDArray[np.float64]: ...
    @property
    def upper(self) -> NDArray[np.float64]: ...


def tabulate(curve: _Curve, wanted: NDArray[np.float64]) -> SurvivalTable:
    """Tabulate `curve` at the sorted, distinct, observed times `wanted`."""
    k = np.searchsorted(curve.times, wanted, side="right") - 1
    at_risk = np.append(curve.n_at_risk, 0.0)[np.searchsorted(curve.times, wanted)]

    def since_previous(counts: NDArray[np.float64]) -> NDArray[np.float64]:
        running = np.concatenate([[0.0], np.cumsum(counts)])[k + 1]
        return np.diff(running, prepend=0.0)

    def at(values: NDArray[np.float64], initial: float) -> NDArray[np.float64]:
        return np.where(k < 0, initial, values[np.maximum(k, 0)])

    return SurvivalTable(
        times=wanted,
        n_at_risk=at_risk,
        n_events=since_previous(curve.n_events),
        n_censored=since_previous(curve.n_censored),
        n_entered=since_previous(curve.n_entered),
        survival=at(curve.survival, 1.0),
        std_err=at(curve.std_err, 0.0),
        lower=at(curve.lower, 1.0),
        upper=at(curve.upper, 1.0),
    )
