"""Direct and indirect standardisation of rates and proportions across strata.

Groups (e.g. ethnic groups) differ in their age and gender mix, so crude rates compare
mixes as well as groups. :func:`direct_standardise` weights each group's stratum-specific
rates by one standard population; :func:`indirect_standardise` compares each group's
observed count with the count expected from reference rates in its own strata.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_amounts, as_confidence_level, as_option, fail, float_array
from ipsstats._deprecation import renamed_keywords
from ipsstats._scipy import special
from ipsstats.equity._common import Flag, _fmt, _str_tuple
from ipsstats.equity._limits import CountLimits, flag_of, poisson_limits, z_value
from ipsstats.equity._strata import (
    as_labels_for,
    as_table,
    same_shape,
    stratum_text,
)
from ipsstats.results import NOT_IN_DICT, Estimate, ToDict

__all__ = [
    "COUNT_LIMITS",
    "DSR_METHODS",
    "RATIO_METHODS",
    "CountLimits",
    "DirectStandardisation",
    "DsrMethod",
    "IndirectStandardisation",
    "RatioMethod",
    "StandardisedRate",
    "StandardisedRatio",
    "direct_standardise",
    "indirect_standardise",
]

DsrMethod = Literal["dobson", "fay-feuer"]
RatioMethod = Literal["exact", "byar", "wald-log"]
DSR_METHODS: tuple[DsrMethod, ...] = ("dobson", "fay-feuer")
RATIO_METHODS: tuple[RatioMethod, ...] = ("exact", "byar", "wald-log")
COUNT_LIMITS: tuple[CountLimits, ...] = ("exact", "byar")


def _tuple(value: Sequence[object]) -> tuple[object, ...]:
    return tuple(value)


def _estimate_text(est: Estimate, spec: str = "#.3g") -> str:
    if est.value is None:
        return "-"
    return f"{est.value:{spec}} ({_fmt(est.lower, spec)} to {_fmt(est.upper, spec)})"


def _table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


# --------------------------------------------------------------------------------------
# direct standardisation
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class StandardisedRate(ToDict):
    """One group's crude and directly standardised rate.

    Parameters
    ----------
    group : object
        The group's label.
    events : int
        Events (e.g. people who started a job) summed over the strata.
    population : float
        People (or person-time) summed over the strata.
    crude_rate : Estimate
        ``events / population`` with the exact Poisson interval of the total count.
    rate : Estimate
        The directly standardised rate with its interval (``method`` says which); its
        value is ``None``, with a ``note``, when a stratum carrying standard weight has
        nobody in the group.
    """

    group: object
    events: int
    population: float
    crude_rate: Estimate
    rate: Estimate


@attrs.frozen(kw_only=True, eq=False)
class DirectStandardisation(ToDict):
    """Result of :func:`direct_standardise`: one standardised rate per group.

    Parameters
    ----------
    method : {"dobson", "fay-feuer"}
        The interval of the standardised rate.
    count_limits : {"exact", "byar"}
        The Poisson limits of the total count used by Dobson's method.
    confidence_level : float
        Coverage of every interval.
    strata : tuple
        The stratum labels, in column order.
    standard : numpy.ndarray
        The standard population's weights, scaled to sum to 1 (read-only).
    groups : tuple of StandardisedRate
        One row per group.
    name : str or None
        The grouping variable, when known.
    strata_names : tuple of str
        The stratifying variables, when known.
    n_missing : int
        People left out because their group or a stratum was not known (cohort input).
    caveats : tuple of str
        Anything a reader must know, in words.
    """

    method: DsrMethod
    count_limits: CountLimits
    confidence_level: float
    strata: tuple[object, ...] = attrs.field(converter=_tuple)
    standard: NDArray[np.float64] = attrs.field(converter=float_array)
    groups: tuple[StandardisedRate, ...]
    name: str | None = None
    strata_names: tuple[str, ...] = ()
    n_missing: int = 0
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def to_text(self) -> str:
        """Render as a plain-text table: crude and standardised rate per group."""
        level = f"{100 * self.confidence_level:g}%"
        rows = [
            ("group", "events", "population", f"crude ({level} CI)", f"standardised ({level} CI)")
        ]
        rows += [
            (
                str(g.group),
                str(g.events),
                f"{g.population:g}",
                _estimate_text(g.crude_rate),
                _estimate_text(g.rate),
            )
            for g in self.groups
        ]
        by = ", ".join(self.strata_names) or f"{len(self.strata)} strata"
        lines = [f"directly standardised rates ({self.method}; standardised for {by})"]
        lines += _table_lines(rows)
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _crude_rate(events: float, population: float, level: float) -> Estimate:
    if population <= 0:
        return Estimate(
            value=None,
            lower=None,
            upper=None,
            confidence_level=level,
            method="exact-poisson",
            note="no population in the group",
        )
    low, high = poisson_limits(np.array([events]), level, "exact")
    return Estimate(
        value=events / population,
        lower=float(low[0]) / population,
        upper=float(high[0]) / population,
        confidence_level=level,
        method="exact-poisson",
        at_level=functools.partial(_crude_rate, events, population),
    )


def _dsr(
    events: NDArray[np.float64],
    population: NDArray[np.float64],
    weights: NDArray[np.float64],
    strata: tuple[object, ...],
    level: float,
    *,
    method: DsrMethod,
    limits: CountLimits,
) -> Estimate:
    """Compute the directly standardised rate of one group, with its interval."""
    token = f"dobson-{limits}" if method == "dobson" else "fay-feuer"
    empty = (population <= 0) & (weights > 0)
    if empty.any():
        names = ", ".join(repr(stratum_text(strata[k])) for k in np.flatnonzero(empty)[:5])
        return Estimate(
            value=None,
            lower=None,
            upper=None,
            confidence_level=level,
            method=token,
            note=f"nobody in stratum {names}, which carries standard weight: the "
            "standardised rate is undefined (merge sparse strata)",
        )
    used = weights > 0
    w = np.zeros_like(weights)
    w[used] = weights[used] / population[used]  # weight per event in each stratum
    value = float(np.sum(w * events))
    variance = float(np.sum(w * w * events))
    total = float(events[used].sum())
    again = functools.partial(
        _dsr, events, population, weights, strata, method=method, limits=limits
    )
    if method == "fay-feuer":
        return _fay_feuer(value, variance, float(w.max()), level, again)
    if total == 0:
        return Estimate(
            value=0.0,
            lower=0.0,
            upper=None,
            confidence_level=level,
            method=token,
            note="no events: Dobson's upper limit is undefined (method='fay-feuer' gives one)",
            at_level=again,
        )
    low, high = poisson_limits(np.array([total]), level, limits)
    scale = math.sqrt(variance / total)
    return Estimate(
        value=value,
        lower=max(0.0, value + scale * (float(low[0]) - total)),
        upper=value + scale * (float(high[0]) - total),
        confidence_level=level,
        method=token,
        std_err=math.sqrt(variance),
        at_level=again,
    )


def _fay_feuer(value: float, variance: float, w_max: float, level: float, again: Any) -> Estimate:
    tail = (1.0 - level) / 2.0
    lower = 0.0
    if value > 0:
        lower = float(special.gammaincinv(value * value / variance, tail) * variance / value)
    shape = (value + w_max) ** 2 / (variance + w_max**2)
    scale = (variance + w_max**2) / (value + w_max)
    upper = float(special.gammaincinv(shape, 1.0 - tail) * scale)
    return Estimate(
        value=value,
        lower=lower,
        upper=upper,
        confidence_level=level,
        method="fay-feuer",
        std_err=math.sqrt(variance),
        at_level=again,
    )


@renamed_keywords(conf_level="confidence_level")
def direct_standardise(
    events: object,
    population: object,
    standard: object,
    *,
    groups: Sequence[object] | None = None,
    strata: Sequence[object] | None = None,
    method: DsrMethod = "dobson",
    count_limits: CountLimits = "exact",
    confidence_level: float = 0.95,
) -> DirectStandardisation:
    r"""Directly standardised rates: each group's stratum rates weighted by a standard.

    Parameters
    ----------
    events : array-like of int
        Events (e.g. people who started a job) per stratum: 1-D for one group, or 2-D
        with one row per group and one column per stratum.
    population : array-like of float
        People (or person-time) at risk, the same shape as `events`.
    standard : array-like of float
        The standard population per stratum (any scale: only the shares matter), e.g.
        every group's people together. A stratum with standard weight must have people
        in a group for that group's rate to be defined.
    groups, strata : sequence, optional
        Labels of the rows and columns; default ``1, 2, ...``.
    method : {"dobson", "fay-feuer"}
        The interval: Dobson et al.'s (default, the OHID method) or Fay and Feuer's
        gamma interval (as R's ``epitools::ageadjust.direct``).
    count_limits : {"exact", "byar"}
        Dobson's method only: limits for the total count, exact (Garwood, default) or
        Byar's approximation (as the OHID's ``calculate_dsr``).
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1. (``conf_level`` is
        accepted with a deprecation warning.)

    Returns
    -------
    DirectStandardisation
        ``groups`` (per group: ``events``, ``population``, ``crude_rate``, ``rate``), the
        normalised ``standard`` weights, the options and ``caveats``.

    Raises
    ------
    InvalidInputError
        If a table is not 1-D or 2-D, events are not whole non-negative counts,
        populations or the standard are negative or not finite, shapes differ, a stratum
        has events but no population, the standard has no weight, labels are not one
        per row or column, or an option is unknown.

    See Also
    --------
    indirect_standardise : observed against expected counts.
    standardised_outcomes : job rates per group of a cohort, standardised.

    Notes
    -----
    With events :math:`d_i` among :math:`n_i` people in stratum :math:`i` and standard
    shares :math:`W_i` (:math:`\sum_i W_i = 1`), let :math:`w_i = W_i / n_i`:

    .. math::

        \text{DSR} = \sum_i w_i d_i, \qquad
        \widehat{\operatorname{Var}} = \sum_i w_i^2 d_i.

    Dobson et al. [1]_ take limits :math:`(D_L, D_U)` for the total count
    :math:`D = \sum_i d_i` (exact Poisson, or Byar's approximation [3]_) and scale them:

    .. math::

        \text{DSR} + \sqrt{\widehat{\operatorname{Var}} / D}\,(D_{L,U} - D).

    The gamma interval of Fay and Feuer [2]_, with :math:`w_M = \max_i w_i`, is

    .. math::

        \left(G^{-1}_{\text{DSR}^2/V,\; V/\text{DSR}}(\alpha/2),\;
        G^{-1}_{(\text{DSR} + w_M)^2/(V + w_M^2),\; (V + w_M^2)/(\text{DSR} + w_M)}
        (1 - \alpha/2)\right)

    (shape, scale). The OHID publish no standardised rate below 10 events [4]_; a
    caveat says so when a group has fewer. Counts are treated as Poisson, so for
    proportions (jobs among IPS users) the intervals are slightly conservative.

    References
    ----------
    .. [1] Dobson, A. J., Kuulasmaa, K., Eberle, E. and Scherer, J. (1991). Confidence
       intervals for weighted sums of Poisson parameters. Statistics in Medicine 10(3),
       457-462.
    .. [2] Fay, M. P. and Feuer, E. J. (1997). Confidence intervals for directly
       standardized rates: a method based on the gamma distribution. Statistics in
       Medicine 16(7), 791-801, Table 1.
    .. [3] Breslow, N. E. and Day, N. E. (1987). Statistical Methods in Cancer Research,
       volume II. IARC, Lyon, p. 69.
    .. [4] Office for Health Improvement and Disparities. Public health indicator
       methods: directly standardised rates (PHEindicatormethods ``calculate_dsr``).

    Examples
    --------
    Down syndrome births per 100 000 by maternal age, birth order 5+, standardised to
    the average population over birth orders (Fay and Feuer 1997, Table 1: 75.5, 67.7
    to 188.3):

    >>> cases = [0, 8, 63, 112, 262, 295]
    >>> births = [327, 30666, 123419, 149919, 104088, 34392]
    >>> standard = [63986.6, 186263.6, 157302.2, 97647.0, 47572.6, 12262.6]
    >>> res = direct_standardise(cases, births, standard, method="fay-feuer")
    >>> rate = res.groups[0].rate
    >>> print(f"{1e5 * rate.value:.1f} ({1e5 * rate.lower:.1f} to {1e5 * rate.upper:.1f})")
    75.5 (67.7 to 188.3)
    >>> print(f"{1e5 * res.groups[0].crude_rate.value:.1f}")
    167.1
    """
    how = as_option(method, "method", DSR_METHODS)
    limits = as_option(count_limits, "count_limits", COUNT_LIMITS)
    level = as_confidence_level(confidence_level)
    d = as_table(events, "events", whole=True)
    n = as_table(population, "population", whole=False)
    same_shape({"events": d, "population": n})
    weights = as_amounts(standard, "standard", ndim=1)
    if weights.shape[0] != d.shape[1]:
        raise fail(
            "standard",
            f"hold one value per stratum ({d.shape[1]}, the columns of `events`)",
            f"{weights.shape[0]} values",
        )
    if weights.sum() <= 0:
        raise fail("standard", "have a positive total", "only zeros")
    bad = (n <= 0) & (d > 0)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise fail(
            "population",
            "be positive wherever there are events",
            f"{int(d[row, col])} events with population 0 at row {row}, column {col}",
            positions=((row, col),),
        )
    group_labels = as_labels_for(groups, "groups", d.shape[0])
    strata_labels = as_labels_for(strata, "strata", d.shape[1])
    return _direct(
        d,
        n,
        weights / weights.sum(),
        group_labels=group_labels,
        strata_labels=strata_labels,
        how=how,
        limits=limits,
        level=level,
    )


def _direct(
    d: NDArray[np.float64],
    n: NDArray[np.float64],
    shares: NDArray[np.float64],
    *,
    group_labels: tuple[object, ...],
    strata_labels: tuple[object, ...],
    how: DsrMethod,
    limits: CountLimits,
    level: float,
    **extra: Any,
) -> DirectStandardisation:
    rows = []
    few = []
    for k, label in enumerate(group_labels):
        total = float(d[k].sum())
        if total < 10:
            few.append(f"{label!r} ({int(total)})")
        rows.append(
            StandardisedRate(
                group=label,
                events=int(total),
                population=float(n[k].sum()),
                crude_rate=_crude_rate(total, float(n[k].sum()), level),
                rate=_dsr(d[k], n[k], shares, strata_labels, level, method=how, limits=limits),
            )
        )
    caveats = []
    if few:
        caveats.append(
            "fewer than 10 events in " + ", ".join(few) + ": standardised rates on so few "
            "events are unreliable (the OHID do not publish them)"
        )
    return DirectStandardisation(
        method=how,
        count_limits=limits,
        confidence_level=level,
        strata=strata_labels,
        standard=shares,
        groups=tuple(rows),
        caveats=tuple(caveats),
        **extra,
    )


# --------------------------------------------------------------------------------------
# indirect standardisation
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class StandardisedRatio(ToDict):
    """One group's observed count against the count expected from reference rates.

    Parameters
    ----------
    group : object
        The group's label.
    observed : int
        Observed events (or IPS users) in the group, summed over strata.
    expected : float
        Events expected from the reference rates in the group's own strata.
    population : float
        People at risk (or eligible) in the group, summed over strata.
    ratio : Estimate
        ``observed / expected`` (the standardised ratio) with its interval.
    crude_ratio : Estimate or None
        The same ratio ignoring strata, against the overall reference rate; given when
        the reference is the pooled groups (``None`` otherwise).
    flag : {"over", "under", "none"}
        ``"over"`` when the interval of `ratio` lies wholly above 1, ``"under"`` when
        wholly below, ``"none"`` otherwise.
    """

    group: object
    observed: int
    expected: float
    population: float
    ratio: Estimate
    crude_ratio: Estimate | None
    flag: Flag


@attrs.frozen(kw_only=True, eq=False)
class IndirectStandardisation(ToDict):
    """Result of :func:`indirect_standardise` (and :func:`standardised_access`).

    Parameters
    ----------
    method : {"exact", "byar", "wald-log"}
        The interval of each ratio.
    confidence_level : float
        Coverage of every interval.
    reference : {"pooled", "given"}
        Where the reference rates came from: the pooled groups, or the caller.
    strata : tuple
        The stratum labels, in column order.
    reference_rates : numpy.ndarray
        The reference rate of each stratum (read-only).
    groups : tuple of StandardisedRatio
        One row per group.
    name : str or None
        The grouping variable, when known.
    strata_names : tuple of str
        The stratifying variables, when known.
    n_missing : int
        People left out because their group or a stratum was not known (cohort input).
    caveats : tuple of str
        Anything a reader must know, in words.
    """

    method: RatioMethod
    confidence_level: float
    reference: Literal["pooled", "given"]
    strata: tuple[object, ...] = attrs.field(converter=_tuple)
    reference_rates: NDArray[np.float64] = attrs.field(converter=float_array)
    groups: tuple[StandardisedRatio, ...]
    name: str | None = None
    strata_names: tuple[str, ...] = ()
    n_missing: int = 0
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    label: str = attrs.field(default="standardised ratios", metadata=NOT_IN_DICT)

    def to_text(self) -> str:
        """Render as a plain-text table: observed, expected and ratios per group."""
        level = f"{100 * self.confidence_level:g}%"
        rows = [("group", "observed", "expected", f"ratio ({level} CI)", "crude ratio", "flag")]
        rows += [
            (
                str(g.group),
                str(g.observed),
                f"{g.expected:.1f}",
                _estimate_text(g.ratio),
                "-" if g.crude_ratio is None else _estimate_text(g.crude_ratio),
                g.flag,
            )
            for g in self.groups
        ]
        by = ", ".join(self.strata_names) or f"{len(self.strata)} strata"
        lines = [f"{self.label} ({self.method} interval; standardised for {by})"]
        lines += _table_lines(rows)
        lines += [f"caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


_RATIO_TOKENS = {"exact": "exact-poisson", "byar": "byar", "wald-log": "wald-log"}


def _ratio(observed: float, expected: float, level: float, *, method: RatioMethod) -> Estimate:
    """Observed over expected with an interval for the Poisson mean of `observed`."""
    again = functools.partial(_ratio, observed, expected, method=method)
    token = _RATIO_TOKENS[method]
    if expected <= 0:
        return Estimate(
            value=None,
            lower=None,
            upper=None,
            confidence_level=level,
            method=token,
            note="nothing expected (no population in strata with a reference rate)",
        )
    value = observed / expected
    if method == "wald-log":
        if observed == 0:
            return Estimate(
                value=0.0,
                lower=None,
                upper=None,
                confidence_level=level,
                method=token,
                note="no events: the log-scale interval is undefined",
                at_level=again,
            )
        se = 1.0 / math.sqrt(observed)
        z = z_value(level)
        return Estimate(
            value=value,
            lower=value * math.exp(-z * se),
            upper=value * math.exp(z * se),
            confidence_level=level,
            method=token,
            std_err=se,
            at_level=again,
        )
    low, high = poisson_limits(np.array([observed]), level, method)
    return Estimate(
        value=value,
        lower=float(low[0]) / expected,
        upper=float(high[0]) / expected,
        confidence_level=level,
        method=token,
        at_level=again,
    )


@renamed_keywords(conf_level="confidence_level")
def indirect_standardise(
    observed: object,
    population: object,
    reference_rates: object = None,
    *,
    groups: Sequence[object] | None = None,
    strata: Sequence[object] | None = None,
    method: RatioMethod = "exact",
    confidence_level: float = 0.95,
) -> IndirectStandardisation:
    r"""Indirectly standardised ratios: observed counts against expected ones, per group.

    Parameters
    ----------
    observed : array-like of int
        Observed events per stratum: 1-D for one group, or 2-D with one row per group
        and one column per stratum.
    population : array-like of float
        People (or person-time) at risk, the same shape as `observed`.
    reference_rates : array-like of float, optional
        The reference rate of each stratum (e.g. national rates). Default: the pooled
        rates of the groups given, :math:`\sum_g O_{gs} / \sum_g N_{gs}` (internal
        standardisation; then the crude ratio is given beside the standardised one).
    groups, strata : sequence, optional
        Labels of the rows and columns; default ``1, 2, ...``.
    method : {"exact", "byar", "wald-log"}
        The interval of each ratio: exact Poisson limits of the observed count divided
        by the expected count (default), Byar's approximation to them, or the log-scale
        Wald interval :math:`\exp(\pm z / \sqrt{O})` (as R's
        ``epitools::ageadjust.indirect``).
    confidence_level : float
        Coverage of every interval, strictly between 0 and 1. (``conf_level`` is
        accepted with a deprecation warning.)

    Returns
    -------
    IndirectStandardisation
        ``groups`` (per group: ``observed``, ``expected``, ``population``, ``ratio``,
        ``crude_ratio``, ``flag``), the ``reference_rates`` and ``caveats``.

    Raises
    ------
    InvalidInputError
        If a table is not 1-D or 2-D, counts are not whole and non-negative, populations
        or rates are negative or not finite, shapes differ, a stratum has events but no
        population, labels are not one per row or column, or an option is unknown.

    See Also
    --------
    direct_standardise : rates weighted to one standard population.
    standardised_access : access to IPS by group, standardised for age and gender.

    Notes
    -----
    With reference rates :math:`r_s`, group :math:`g` has

    .. math::

        E_g = \sum_s N_{gs}\, r_s, \qquad \text{SR}_g = \frac{O_g}{E_g},

    with :math:`O_g = \sum_s O_{gs}`. :math:`E_g` is treated as fixed and :math:`O_g`
    as Poisson, so the exact interval is :math:`(O_L / E_g, O_U / E_g)` with Garwood's
    limits [1]_ (R's ``poisson.test``); Byar's approximation [2]_ is the OHID's choice
    for counts of 10 or more. Under internal standardisation the expected counts add up
    to the observed ones, and with one stratum :math:`\text{SR}_g` is the crude ratio
    :math:`(O_g / N_g) / (\sum O / \sum N)`: the representation ratio of
    :func:`~ipsstats.access_equity` when :math:`O` are IPS users and :math:`N` the
    eligible caseload. The uncertainty of the reference rates is ignored (small when
    the reference population is large).

    References
    ----------
    .. [1] Breslow, N. E. and Day, N. E. (1987). Statistical Methods in Cancer Research,
       volume II. IARC, Lyon, chapter 2 (standardised mortality ratios).
    .. [2] Office for Health Improvement and Disparities. Public health indicator
       methods: indirectly standardised ratios (PHEindicatormethods
       ``calculate_ISRatio``).

    Examples
    --------
    IPS users and eligible caseload by age band (columns) for two groups (rows). Group
    B is younger, and the young reach IPS more often: its crude ratio (1.35) is mostly
    its age mix, and the standardised ratio is close to 1:

    >>> ips = [[40, 5], [30, 2]]
    >>> eligible = [[200, 250], [150, 50]]
    >>> res = indirect_standardise(ips, eligible, groups=["A", "B"],
    ...                            strata=["18-35", "36+"])
    >>> for g in res.groups:
    ...     print(g.group, g.observed, f"{g.expected:.1f}", f"{g.ratio.value:.3f}",
    ...           f"{g.crude_ratio.value:.3f}")
    A 45 45.8 0.982 0.844
    B 32 31.2 1.027 1.351
    """
    how = as_option(method, "method", RATIO_METHODS)
    level = as_confidence_level(confidence_level)
    o = as_table(observed, "observed", whole=True)
    n = as_table(population, "population", whole=False)
    same_shape({"observed": o, "population": n})
    bad = (n <= 0) & (o > 0)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise fail(
            "population",
            "be positive wherever there are events",
            f"{int(o[row, col])} events with population 0 at row {row}, column {col}",
            positions=((row, col),),
        )
    if reference_rates is None:
        rates = _pooled_rates(o, n)
        reference: Literal["pooled", "given"] = "pooled"
    else:
        rates = as_amounts(reference_rates, "reference_rates", ndim=1)
        if rates.shape[0] != o.shape[1]:
            raise fail(
                "reference_rates",
                f"hold one rate per stratum ({o.shape[1]}, the columns of `observed`)",
                f"{rates.shape[0]} rates",
            )
        reference = "given"
    group_labels = as_labels_for(groups, "groups", o.shape[0])
    strata_labels = as_labels_for(strata, "strata", o.shape[1])
    return _indirect(
        o,
        n,
        rates,
        reference=reference,
        group_labels=group_labels,
        strata_labels=strata_labels,
        how=how,
        level=level,
    )


def _pooled_rates(o: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    total = n.sum(axis=0)
    rates: NDArray[np.float64] = np.divide(
        o.sum(axis=0), total, out=np.zeros_like(total), where=total > 0
    )
    return rates


def _indirect(
    o: NDArray[np.float64],
    n: NDArray[np.float64],
    rates: NDArray[np.float64],
    *,
    reference: Literal["pooled", "given"],
    group_labels: tuple[object, ...],
    strata_labels: tuple[object, ...],
    how: RatioMethod,
    level: float,
    caveats: Sequence[str] = (),
    **extra: Any,
) -> IndirectStandardisation:
    expected = n @ rates
    observed = o.sum(axis=1)
    people = n.sum(axis=1)
    overall = float(o.sum() / n.sum()) if reference == "pooled" and n.sum() > 0 else None
    rows = []
    for k, label in enumerate(group_labels):
        ratio = _ratio(float(observed[k]), float(expected[k]), level, method=how)
        crude = None
        if overall is not None:
            crude = _ratio(float(observed[k]), float(people[k]) * overall, level, method=how)
        rows.append(
            StandardisedRatio(
                group=label,
                observed=int(observed[k]),
                expected=float(expected[k]),
                population=float(people[k]),
                ratio=ratio,
                crude_ratio=crude,
                flag=flag_of(ratio),
            )
        )
    caveats = list(caveats)
    if how == "byar" and (observed < 10).any():
        caveats.append(
            "Byar's approximation is used on fewer than 10 events for some groups; "
            "method='exact' is better there"
        )
    return IndirectStandardisation(
        method=how,
        confidence_level=level,
        reference=reference,
        strata=strata_labels,
        reference_rates=rates,
        groups=tuple(rows),
        caveats=tuple(caveats),
        **extra,
    )
