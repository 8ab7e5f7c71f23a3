"""Hazard increments and variances of survival and cumulative hazard curves.

Model-based variances (Greenwood for Kaplan-Meier, Aalen's Poisson-type and Klein's
Greenwood-type for the Nelson-Aalen cumulative hazard), the Fleming-Harrington correction
for tied events, and the infinitesimal jackknife ("robust") variance of R's ``survfit``
for case weights, all as array arithmetic over the distinct times.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.survival._records import Records

__all__ = [
    "Ties",
    "Variance",
    "choose_variance",
    "greenwood_terms",
    "hazard_steps",
    "kaplan_meier_loadings",
    "product_limit",
    "robust_variance",
]

Ties = Literal["nelson-aalen", "fleming-harrington"]
Variance = Literal["auto", "greenwood", "aalen", "robust"]
# Tied events are split into this many terms at most per block (the Fleming-Harrington
# correction makes one term per tied event).
_SPLIT_BLOCK = 1 << 22


def greenwood_terms(
    at_risk: NDArray[np.float64], events: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Greenwood increments d / (n (n - d)); infinite where everyone at risk has the event."""
    denominator = at_risk * np.maximum(at_risk - events, 0.0)
    terms = np.divide(events, denominator, out=np.zeros_like(events), where=denominator > 0)
    return np.where((events > 0) & (denominator <= 0), np.inf, terms)


def choose_variance(
    requested: str,
    *,
    estimator: Literal["kaplan-meier", "nelson-aalen"],
    weights: NDArray[np.float64] | None,
    has_records: bool,
) -> tuple[Literal["greenwood", "aalen", "robust"], str]:
    """Choose the variance to compute and say why, following R's ``survfit`` for ``"auto"``.

    R's rule: the robust (infinitesimal jackknife) variance when some case weight is not
    a whole number, the model-based variance otherwise (Greenwood for Kaplan-Meier,
    Aalen's for the cumulative hazard).
    """
    model: Literal["greenwood", "aalen"] = "greenwood" if estimator == "kaplan-meier" else "aalen"
    if requested == "robust":
        if not has_records:
            raise fail(
                "variance",
                "not be 'robust' when `durations` is a LifeTable",
                "'robust'",
                hint="the robust (infinitesimal jackknife) variance needs one record per "
                "subject; pass the records.",
            )
        return "robust", ""
    if requested in ("greenwood", "aalen"):
        return requested, ""  # type: ignore[return-value]  # the two literals just tested
    fractional = weights is not None and bool((weights != np.floor(weights)).any())
    if fractional:
        return "robust", (
            "some case weights are not whole numbers, so they are not frequencies and the "
            f"{model} variance would treat them as counts of subjects: the robust "
            "(infinitesimal jackknife) variance is used, as R's survfit does by default"
        )
    if weights is not None:
        why = "the case weights are whole numbers, taken as frequencies"
    elif has_records:
        why = "no case weights"
    else:
        why = "a life table holds counts, not the records a robust variance needs"
    return model, f"{why}: the model-based {model} variance, as R's survfit by default"


@attrs.frozen(kw_only=True, eq=False)
class HazardSteps:
    """Per-time increments of a cumulative hazard and of its variances.

    ``jump`` is the hazard increment, ``aalen`` and ``greenwood`` the increments of the
    Poisson-type and Greenwood-type variances, and ``at_risk_loading`` /
    ``event_loading`` the derivatives that make up the robust variance (see
    :func:`robust_variance`).
    """

    jump: NDArray[np.float64]
    aalen: NDArray[np.float64]
    greenwood: NDArray[np.float64]
    at_risk_loading: NDArray[np.float64]
    event_loading: NDArray[np.float64]


def hazard_steps(
    at_risk: NDArray[np.float64],
    events: NDArray[np.float64],
    ties: Ties,
    event_counts: NDArray[np.float64] | None = None,
) -> HazardSteps:
    r"""Nelson-Aalen increments, or their Fleming-Harrington split of tied events.

    Without the correction the increment at a time with :math:`d` events among :math:`n`
    at risk is :math:`d / n`. The Fleming-Harrington correction treats the :math:`m`
    tied event records (weight :math:`d` in all, :math:`\delta = d / m` each) as leaving
    one after another: the increment is :math:`\sum_{l < m} \delta / (n - l \delta)`,
    and each variance sums its single-event term over the :math:`m` steps, as R's
    ``survfit(ctype = 2)``. `event_counts` gives :math:`m` (default: :math:`d`).
    """
    size = events.size
    has_event = events > 0
    safe = np.where(has_event, at_risk, 1.0)
    if ties == "nelson-aalen":
        jump = np.where(has_event, events / safe, 0.0)
        aalen = np.where(has_event, events / safe**2, 0.0)
        greenwood = np.where(has_event, (safe - events) * events / safe**3, 0.0)
        return HazardSteps(
            jump=jump,
            aalen=aalen,
            greenwood=greenwood,
            at_risk_loading=aalen,
            event_loading=np.where(has_event, 1.0 / safe, 0.0),
        )
    counts = events if event_counts is None else event_counts
    jump, aalen, greenwood, squares = (np.zeros(size) for _ in range(4))
    where = np.flatnonzero(has_event)
    split = counts[where].astype(np.int64)
    ends = np.cumsum(split)
    start = 0
    while start < where.size:
        # times start..stop-1 hold at most _SPLIT_BLOCK tied events (at least one time)
        base = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, base + _SPLIT_BLOCK, side="right")), start + 1)
        block = where[start:stop]
        sizes = split[start:stop]
        firsts = np.cumsum(sizes) - sizes
        step = np.repeat(events[block] / sizes, sizes)
        rank = np.arange(int(sizes.sum())) - np.repeat(firsts, sizes)
        left = np.repeat(at_risk[block], sizes) - rank * step
        jump[block] = np.add.reduceat(step / left, firsts)
        aalen[block] = np.add.reduceat(step / left**2, firsts)
        greenwood[block] = np.add.reduceat((left - step) * step / left**3, firsts)
        squares[block] = np.add.reduceat(1.0 / left**2, firsts)
        start = stop
    safe_counts = np.where(has_event, counts, 1.0)
    return HazardSteps(
        jump=jump,
        aalen=aalen,
        greenwood=greenwood,
        at_risk_loading=aalen,
        event_loading=np.where(has_event, at_risk * squares / safe_counts, 0.0),
    )


def kaplan_meier_loadings(
    at_risk: NDArray[np.float64], events: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Return the derivative loadings of :math:`-\log \hat S` for the robust variance.

    :math:`h / (n - d)` for each subject at risk and :math:`1 / (n - d)` for each event,
    with :math:`h = d / n`; zero where everyone at risk has the event (the curve is 0
    from there on and its variance is reported as such).
    """
    alive = (events > 0) & (at_risk > events)
    survivors = np.where(alive, at_risk - events, 1.0)
    event_loading = np.where(alive, 1.0 / survivors, 0.0)
    at_risk_loading = np.where(alive, events / np.where(alive, at_risk, 1.0), 0.0)
    return at_risk_loading * event_loading, event_loading


def _from_end(codes: NDArray[np.intp], values: NDArray[np.float64], size: int) -> Any:
    """``out[i]`` = sum of `values` over records whose code is at least `i` (size + 1)."""
    totals = np.bincount(codes, weights=values, minlength=size)
    out = np.zeros(size + 1)
    out[:size] = np.cumsum(totals[::-1])[::-1]
    return out


def robust_variance(
    records: Records, at_risk_loading: NDArray[np.float64], event_loading: NDArray[np.float64]
) -> NDArray[np.float64]:
    r"""Infinitesimal jackknife variance of a curve at each time, summed over records.

    With :math:`Y_k(t_j)` and :math:`dN_k(t_j)` the at-risk and event indicators of record
    :math:`k` and the loadings :math:`a_j` (at risk) and :math:`c_j` (event), the
    derivative of the curve with respect to the weight :math:`w_k` is
    :math:`q_k(t) = \sum_{t_j \le t} (c_j\,dN_k(t_j) - a_j Y_k(t_j))` and

    .. math::

        \widehat{\mathrm{Var}}(t) = \sum_k \bigl(w_k\,q_k(t)\bigr)^2 .

    With :math:`B(t) = \sum_{t_j \le t} a_j`, a record that has left by :math:`t` keeps
    :math:`q_k = \delta_k c(T_k) - B(T_k) + B(E_k)`, and a record still at risk after
    :math:`t` has :math:`q_k = -(B(t) - B(E_k))`; both sums are cumulative sums over the
    records' exit and entry times, so no loop runs over records or times.
    """
    size = at_risk_loading.size
    cumulative = np.cumsum(at_risk_loading)
    exits = records.exit_codes
    squared = np.ones(exits.size) if records.weights is None else records.weights**2
    entered = (
        np.zeros(exits.size) if records.entry_codes is None else cumulative[records.entry_codes]
    )
    own = np.where(records.events, event_loading[exits], 0.0) - cumulative[exits] + entered
    left = np.cumsum(np.bincount(exits, weights=squared * own**2, minlength=size))
    # records still at risk just after time i: exit code above i (entry code below i)
    if records.entry_codes is None:
        still = _from_end(exits, squared, size)[1:]
        staying = still * cumulative**2
    else:
        # Running sums from the start over the records that have entered (entry code below
        # i) and not left (exit code above i): a record contributes nothing before it
        # enters, so early times, where the variance is small, carry no rounding from the
        # records to come.
        enters = np.minimum(records.entry_codes + 1, size)
        positions = np.concatenate([enters, exits])

        def remaining(values: NDArray[np.float64]) -> Any:
            net = np.bincount(
                positions, weights=np.concatenate([values, -values]), minlength=size + 1
            )
            return np.cumsum(net[:size])

        weighted = squared * entered
        terms = (
            remaining(squared) * cumulative**2,
            2.0 * cumulative * remaining(weighted),
            remaining(weighted * entered),
        )
        staying = terms[0] - terms[1] + terms[2]
        # The expanded square cancels where every record at risk entered when the running
        # sum B was about B(t): what is left below the rounding error of the three terms
        # is rounding, and a variance of exactly 0 stays 0.
        noise = 8.0 * np.finfo(np.float64).eps * (terms[0] + np.abs(terms[1]) + terms[2])
        staying = np.where(np.abs(staying) <= noise, 0.0, staying)
    variance: NDArray[np.float64] = np.maximum(left + staying, 0.0)
    return variance


def _tie_counts(events: NDArray[np.float64], records: Records | None) -> NDArray[np.float64]:
    """Count the tied event records at each time, for the Fleming-Harrington split."""
    if records is not None and records.weights is not None:
        return records.event_counts(events.size)
    if records is None and not (events == np.floor(events)).all():
        raise fail(
            "ties",
            "be 'nelson-aalen' for a life table of weighted (non-whole) event counts",
            "'fleming-harrington'",
            hint="the Fleming-Harrington correction splits the tied event records, whose "
            "number a weighted life table does not hold; pass the records.",
        )
    return events


def hazard_curve(
    at_risk: NDArray[np.float64],
    events: NDArray[np.float64],
    *,
    ties: Ties,
    variance: Literal["greenwood", "aalen", "robust"],
    records: Records | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cumulative hazard and its standard error at each time of a life table.

    `records` (coded on the table's times) is needed for the robust variance and for the
    tie correction with case weights.
    """
    counts = _tie_counts(events, records) if ties == "fleming-harrington" else None
    steps = hazard_steps(at_risk, events, ties, counts)
    cumhaz: NDArray[np.float64] = np.cumsum(steps.jump)
    if variance == "robust":
        if records is None:  # pragma: no cover  # choose_variance refuses it first
            raise ValueError("the robust variance needs the records")
        squared = robust_variance(records, steps.at_risk_loading, steps.event_loading)
    else:
        squared = np.cumsum(steps.aalen if variance == "aalen" else steps.greenwood)
    return cumhaz, np.sqrt(squared)


def product_limit(
    at_risk: NDArray[np.float64],
    events: NDArray[np.float64],
    variance: str,
    records: Records | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Kaplan-Meier estimate and the standard error of its logarithm."""
    survivors = np.subtract(at_risk, events)
    np.maximum(survivors, 0.0, out=survivors)
    if at_risk.min() > 0:
        # n / n is exactly 1 where nobody has the event, and d / (n (n - d)) exactly 0:
        # no masks needed (a risk set of 0 occurs only with delayed entry). In place, to
        # allocate as few arrays as possible on large curves.
        survival = np.divide(survivors, at_risk)
        if variance != "robust":
            terms = np.multiply(at_risk, survivors, out=survivors)
            with np.errstate(divide="ignore"):  # n = d: an infinite Greenwood term
                np.divide(events, terms, out=terms)
    else:
        survival = np.divide(survivors, at_risk, out=np.ones_like(events), where=events > 0)
        terms = greenwood_terms(at_risk, events)
    np.cumprod(survival, out=survival)
    if variance == "robust" and records is not None:
        at_risk_loading, event_loading = kaplan_meier_loadings(at_risk, events)
        squared = robust_variance(records, at_risk_loading, event_loading)
        std_err_log = np.where(survival > 0, np.sqrt(squared), np.inf)
    else:
        std_err_log = np.cumsum(terms, out=terms)
        np.sqrt(std_err_log, out=std_err_log)
    return survival, std_err_log
