"""The log-rank family of tests comparing censored durations between groups.

One vectorised pass builds a groups x distinct-times table of events and risk sets (one
:func:`numpy.bincount`); every weighting, the stratified sum and the trend test are then
array arithmetic on that table. Groups may also arrive pre-aggregated as life tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ipsstats._arrays import (
    as_array,
    as_events,
    as_option,
    check_same_length,
    fail,
    float_array,
    optional_float_array,
)
from ipsstats.errors import InsufficientDataError, InvalidInputError
from ipsstats.factor import Factor
from ipsstats.results import TestResult
from ipsstats.survival.lifetable import _DENSE_SPAN, LifeTable, _as_time, _as_times, _encode

__all__ = ["LogrankResult", "logrank"]

Weights = Literal["logrank", "gehan-breslow", "tarone-ware", "peto-peto", "fleming-harrington"]
_WEIGHTS: tuple[Weights, ...] = (
    "logrank",
    "gehan-breslow",
    "tarone-ware",
    "peto-peto",
    "fleming-harrington",
)
# Eigenvalues of the variance matrix below this fraction of the largest are taken as zero.
_RANK_TOLERANCE = 1e-10


def _tuple(value: Iterable[object]) -> tuple[object, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True, eq=False)
class LogrankResult(TestResult):
    """The outcome of a log-rank-family test, with its per-group ingredients.

    Parameters
    ----------
    groups : tuple
        Group labels, in the order of every per-group array.
    observed : array of float
        Observed events per group, weighted by the test's weights (as R's ``survdiff``
        reports them; plain counts for the log-rank weights).
    expected : array of float
        Expected events per group under the null hypothesis, weighted likewise.
    variance : array of float, shape (k, k)
        Variance matrix of ``observed - expected``, summed over strata.
    n_subjects : array of float
        Subjects per group.
    n_events : array of float
        Unweighted events per group.
    weights : str
        The weighting used.
    p, q : float or None
        Fleming-Harrington exponents (``None`` for other weights).
    scores : array of float or None
        Scores of the trend test, or ``None`` for the k-sample test.
    n_strata : int
        Number of strata summed over.
    """

    groups: tuple[object, ...] = attrs.field(converter=_tuple)
    observed: NDArray[np.float64] = attrs.field(converter=float_array)
    expected: NDArray[np.float64] = attrs.field(converter=float_array)
    variance: NDArray[np.float64] = attrs.field(converter=float_array)
    n_subjects: NDArray[np.float64] = attrs.field(converter=float_array)
    n_events: NDArray[np.float64] = attrs.field(converter=float_array)
    weights: str
    p: float | None = None
    q: float | None = None
    scores: NDArray[np.float64] | None = attrs.field(default=None, converter=optional_float_array)
    n_strata: int = 1

    @property
    def o_minus_e(self) -> NDArray[np.float64]:
        """Observed minus expected events per group (weighted); sums to zero."""
        return self.observed - self.expected


@attrs.frozen(kw_only=True, eq=False)
class _Table:
    """Events and risk sets of k groups at the distinct event times of one stratum."""

    deaths: NDArray[np.float64]  # (k, T)
    at_risk: NDArray[np.float64]  # (k, T)
    n_subjects: NDArray[np.float64]  # (k,)

    def select(self, rows: NDArray[np.bool_]) -> _Table:
        """Keep some groups (rows) only."""
        return _Table(
            deaths=self.deaths[rows], at_risk=self.at_risk[rows], n_subjects=self.n_subjects[rows]
        )


@attrs.frozen(kw_only=True, eq=False)
class _Scores:
    """Per-stratum ingredients of the statistic, summed over strata."""

    observed: NDArray[np.float64]
    expected: NDArray[np.float64]
    variance: NDArray[np.float64]

    def __add__(self, other: _Scores) -> _Scores:
        return _Scores(
            observed=self.observed + other.observed,
            expected=self.expected + other.expected,
            variance=self.variance + other.variance,
        )


# ---------------------------------------------------------------------------------------
# labels -> integer codes


def _factorize(
    value: object, name: str, levels: Sequence[object] | None = None
) -> tuple[NDArray[np.intp], tuple[object, ...], NDArray[np.bool_]]:
    """Code labels as integers 0..k-1; return (codes, labels, missing mask).

    Labels are sorted when they can be compared and kept in first-seen order otherwise
    (see :meth:`ipsstats.Factor.from_values`, which also takes categorical columns as they
    are); explicit `levels` fix the order and every level must occur. Missing labels
    (``None``, NaN, blanks) get code -1.
    """
    array = value if isinstance(value, np.ndarray) else None
    if levels is None and array is not None and array.dtype.kind in "iu" and array.ndim == 1:
        fast = _factorize_integers(array)
        if fast is not None:
            return fast
    try:
        factor = Factor.from_values(value, levels=levels)
    except InvalidInputError as error:
        if error.argument != "values":
            raise
        message = str(error).replace("`values`", f"`{name}`", 1)
        raise InvalidInputError(message, argument=name, positions=error.positions) from None
    codes = factor.codes.astype(np.intp, copy=False)
    if levels is not None:
        counts = np.bincount(codes + 1, minlength=len(factor.levels) + 1)[1:]
        if not counts.all():
            absent = factor.levels[int(np.argmin(counts > 0))]
            raise fail(
                name,
                "have at least one subject in every level",
                f"no subject in level {absent!r}",
                hint="drop empty levels from `levels`, or check the labels.",
                positions=(absent,),
            )
    return codes, factor.levels, codes < 0


def _factorize_integers(
    array: NDArray[Any],
) -> tuple[NDArray[np.intp], tuple[object, ...], NDArray[np.bool_]] | None:
    """Integer labels over a modest span: one bincount finds the levels (no sort)."""
    if array.size == 0:
        return None
    low, high = int(array.min()), int(array.max())
    if high - low > max(_DENSE_SPAN, 4 * array.size):
        return None
    shifted = (array if low == 0 else array - low).astype(np.intp, copy=False)
    present = np.flatnonzero(np.bincount(shifted, minlength=high - low + 1))
    labels = tuple(int(v) + low for v in present)
    no_missing = np.zeros(array.shape, dtype=bool)
    if present.size == high - low + 1:  # codes 0..k-1 already
        return shifted, labels, no_missing
    lookup = np.full(high - low + 1, -1, dtype=np.intp)
    lookup[present] = np.arange(present.size)
    return lookup[shifted], labels, no_missing


# ---------------------------------------------------------------------------------------
# records -> per-group table


def _tables_from_records(
    durations: NDArray[Any],
    events: NDArray[np.bool_],
    groups: NDArray[np.intp],
    k: int,
    strata: NDArray[np.intp] | None,
) -> tuple[_Table, ...]:
    """Tally events and exits per (stratum, group, time) and derive the risk sets.

    One :func:`numpy.bincount` over all strata when the cells fit in memory (whole-day
    durations), otherwise one per stratum.
    """
    m = 1 if strata is None or strata.size == 0 else int(strata.max()) + 1
    time_codes, candidates = _encode(durations, k * m)
    size = candidates.size
    if strata is not None and m > 1 and m * k * size > max(_DENSE_SPAN, 4 * durations.size):
        return tuple(
            table
            for inside in (strata == s for s in range(m))
            for table in _tables_from_records(
                durations[inside], events[inside], groups[inside], k, None
            )
        )
    layers = groups if strata is None else strata * k + groups
    cells = layers * (2 * size)
    cells += time_codes  # twice: the time code counts in steps of 2 (censored, event)
    cells += time_codes
    cells += events
    counts = np.bincount(cells, minlength=2 * m * k * size).reshape(m, k, size, 2)
    return tuple(_table_from_counts(counts[s]) for s in range(m))


def _table_from_counts(counts: NDArray[np.int64]) -> _Table:
    """One stratum's table from counts shaped (group, time, censored/event)."""
    deaths = counts[:, :, 1].astype(np.float64)
    exits = deaths + counts[:, :, 0]
    at_risk = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1]
    used = deaths.any(axis=0)
    return _Table(deaths=deaths[:, used], at_risk=at_risk[:, used], n_subjects=exits.sum(axis=1))


def _table_from_life_tables(tables: Sequence[LifeTable]) -> _Table:
    """Put the groups' life tables on their common times and derive the risk sets."""
    times = np.unique(np.concatenate([table.times for table in tables]))
    k = len(tables)
    exits = np.zeros((k, times.size))
    deaths = np.zeros((k, times.size))
    entered = np.zeros((k, times.size))
    for j, table in enumerate(tables):
        where = np.searchsorted(times, table.times)
        deaths[j, where] = table.n_events
        exits[j, where] = table.n_events + table.n_censored
        entered[j, where] = table.n_entered
    # at risk just before t: exits at or after t minus entries at or after t (see LifeTable)
    at_risk = np.cumsum((exits - entered)[:, ::-1], axis=1)[:, ::-1]
    used = deaths.any(axis=0)
    n_subjects = np.array([table.n for table in tables])
    return _Table(deaths=deaths[:, used], at_risk=at_risk[:, used], n_subjects=n_subjects)


# ---------------------------------------------------------------------------------------
# weights and statistic


def _weights(table: _Table, weights: Weights, p: float, q: float) -> NDArray[np.float64] | None:
    """Weight of each event time of one stratum (``None`` means all ones)."""
    if weights == "logrank":
        return None
    n: NDArray[np.float64] = table.at_risk.sum(axis=0)
    if weights == "gehan-breslow":
        return n
    if weights == "tarone-ware":
        return np.sqrt(n)
    d: NDArray[np.float64] = table.deaths.sum(axis=0)
    if weights == "peto-peto":
        modified: NDArray[np.float64] = np.cumprod(1.0 - d / (n + 1.0), dtype=np.float64)
        return modified
    survival = np.cumprod(1.0 - d / n)
    before = np.concatenate([[1.0], survival])[:-1]  # left-continuous: S(t-)
    result: NDArray[np.float64] = before**p * (1.0 - before) ** q
    return result


def _scores(table: _Table, w: NDArray[np.float64] | None) -> _Scores:
    """Weighted observed, expected and variance matrix of one stratum."""
    n = table.at_risk.sum(axis=0)
    d = table.deaths.sum(axis=0)
    share = table.at_risk / n
    expected = share * d
    spread = np.zeros_like(n)
    tied = n > 1
    spread[tied] = d[tied] * (n[tied] - d[tied]) / (n[tied] - 1.0)
    if w is None:
        observed_sum = table.deaths.sum(axis=1)
        expected_sum = expected.sum(axis=1)
        scale = spread
    else:
        observed_sum = table.deaths @ w
        expected_sum = expected @ w
        scale = w * w * spread
    weighted_share = share * scale
    variance = np.diag(weighted_share.sum(axis=1)) - weighted_share @ share.T
    return _Scores(observed=observed_sum, expected=expected_sum, variance=variance)


def _quadratic_form(u: NDArray[np.float64], v: NDArray[np.float64]) -> tuple[float, int]:
    """``u' V^- u`` and the rank of V (the scores sum to zero, so V is singular).

    When V has the expected rank (one less than the groups carrying information), one
    group is dropped and the reduced system solved, as R's ``survdiff`` does after leaving
    out groups with no information. Otherwise the Moore-Penrose inverse of the whole
    matrix is used, which does not depend on the order of the groups.
    """
    values, vectors = np.linalg.eigh(v)
    largest = float(values.max()) if values.size else 0.0
    if largest <= 0:
        return 0.0, 0
    positive = values > _RANK_TOLERANCE * largest
    rank = int(positive.sum())
    diagonal = np.diag(v)
    informative = np.flatnonzero(diagonal > _RANK_TOLERANCE * float(diagonal.max()))
    if rank == informative.size - 1:
        keep = informative[:-1]
        statistic = float(u[keep] @ np.linalg.solve(v[np.ix_(keep, keep)], u[keep]))
    else:
        projected = vectors[:, positive].T @ u
        statistic = float(np.sum(projected**2 / values[positive]))
    return max(statistic, 0.0), rank


# ---------------------------------------------------------------------------------------
# validation


def _rank_caveats(dof: int, k: int) -> list[str]:
    """Say when a statistic over `k` groups uses a variance matrix of rank `dof` < k - 1."""
    if dof >= k - 1:
        return []
    message = (
        f"the variance matrix has rank {dof} < {k - 1}: the statistic uses a "
        f"generalised inverse on {dof} degrees of freedom"
    )
    return [message]


def _check_exponents(weights: Weights, p: object, q: object) -> tuple[float, float]:
    if weights != "fleming-harrington":
        for name, value in (("p", p), ("q", q)):
            if value is not None:
                raise fail(
                    name,
                    'be None unless `weights="fleming-harrington"`',
                    f"{value!r} with weights={weights!r}",
                    hint='pass weights="fleming-harrington" to use the G(p, q) family.',
                )
        return 0.0, 0.0
    if p is None:
        raise fail(
            "p",
            'be given with `weights="fleming-harrington"`',
            "None",
            hint="p=1, q=0 is the Peto-Peto-Prentice weight S(t-); p=0, q=1 weighs late "
            "differences.",
        )
    return _as_time(p, "p"), 0.0 if q is None else _as_time(q, "q")


def _check_scores(scores: object, k: int) -> NDArray[np.float64]:
    if scores is None:
        return np.arange(1.0, k + 1.0)
    array = as_array(scores, "scores")
    if array.ndim != 1 or array.size != k or array.dtype.kind not in "iuf":
        raise fail("scores", f"hold one number per group ({k})", repr(scores))
    values = array.astype(np.float64)
    if not np.isfinite(values).all():
        raise fail("scores", "hold finite numbers", repr(scores))
    if np.ptp(values) == 0:
        raise fail("scores", "not all be equal", repr(scores))
    return values


def _groups_and_strata(
    columns: dict[str, NDArray[Any]],
    groups: object,
    strata: object,
    levels: Sequence[object] | None = None,
) -> tuple[
    NDArray[np.intp],
    tuple[object, ...],
    NDArray[np.intp] | None,
    NDArray[np.bool_],
    dict[str, int],
]:
    """Code group and stratum labels and count the records they exclude.

    `columns` holds the per-subject arrays validated so far; the codes are checked to
    have their length. Returns group codes, group labels, stratum codes (``None``
    without strata), the mask of records with a missing label and the exclusion counts.
    """
    codes, labels, missing = _factorize(groups, "groups", levels)
    columns = {**columns, "groups": codes}
    stratum_codes: NDArray[np.intp] | None = None
    exclusions: dict[str, int] = {}
    if missing.any():
        exclusions["missing group"] = int(missing.sum())
    if strata is not None:
        stratum_codes, _, stratum_missing = _factorize(strata, "strata")
        columns["strata"] = stratum_codes
        check_same_length(columns)
        only_stratum = int((stratum_missing & ~missing).sum())
        if only_stratum:
            exclusions["missing stratum"] = only_stratum
        missing = missing | stratum_missing
    check_same_length(columns)
    return codes, labels, stratum_codes, missing, exclusions


@attrs.frozen(kw_only=True)
class _Prepared:
    """Validated input: one table per stratum plus bookkeeping."""

    tables: tuple[_Table, ...]
    groups: tuple[object, ...]
    n_subjects: NDArray[np.float64]
    n: int
    exclusions: dict[str, int]


def _prepare_records(
    durations: object,
    events: object,
    groups: object,
    strata: object,
    levels: Sequence[object] | None,
) -> _Prepared:
    times = _as_times(durations, "durations")
    flags = as_events(events, "events")
    codes, labels, stratum_codes, missing, exclusions = _groups_and_strata(
        {"durations": times, "events": flags}, groups, strata, levels
    )
    if exclusions:
        kept = ~missing
        times, flags, codes = times[kept], flags[kept], codes[kept]
        if stratum_codes is not None:
            stratum_codes = stratum_codes[kept]
    k = len(labels)
    tables = _tables_from_records(times, flags, codes, k, stratum_codes)
    n_subjects = np.sum([table.n_subjects for table in tables], axis=0)
    if levels is None and not (n_subjects > 0).all():  # groups of excluded records only
        present = n_subjects > 0
        tables = tuple(table.select(present) for table in tables)
        labels = tuple(label for label, ok in zip(labels, present, strict=True) if ok)
        n_subjects = n_subjects[present]
        k = len(labels)
    if k < 2:
        raise InsufficientDataError(
            f"`groups` must hold at least 2 groups with subjects; got {k} "
            f"({list(labels)!r}). Hint: the log-rank test compares groups."
        )
    return _Prepared(
        tables=tables,
        groups=labels,
        n_subjects=n_subjects,
        n=int(times.size),
        exclusions=exclusions,
    )


def _prepare_life_tables(
    mapping: Mapping[Any, Any], events: object, groups: object, strata: object
) -> _Prepared:
    for name, value in (("events", events), ("groups", groups), ("strata", strata)):
        if value is not None:
            raise fail(
                name,
                "be None when `durations` is a mapping of life tables",
                type(value).__name__,
                hint="a mapping {group: LifeTable} already holds events and groups.",
            )
    labels = tuple(mapping)
    tables = []
    for label in labels:
        table = mapping[label]
        if not isinstance(table, LifeTable):
            raise fail(
                "durations",
                "map each group label to a LifeTable",
                f"{type(table).__name__} for group {label!r}",
                positions=(label,),
            )
        tables.append(table)
    empty = [label for label, table in zip(labels, tables, strict=True) if table.n <= 0]
    if empty:
        raise fail(
            "durations",
            "have at least one subject in every group",
            f"an empty life table for group {empty[0]!r}",
            positions=(empty[0],),
        )
    if len(labels) < 2:
        raise InsufficientDataError(
            f"`durations` must hold at least 2 groups; got {len(labels)} ({list(labels)!r}). "
            "Hint: the log-rank test compares groups."
        )
    n_subjects = np.array([table.n for table in tables])
    return _Prepared(
        tables=(_table_from_life_tables(tables),),
        groups=labels,
        n_subjects=n_subjects,
        n=round(float(n_subjects.sum())),
        exclusions={},
    )


def _method(weights: Weights, p: float, q: float, trend: bool) -> str:
    name = f"fleming-harrington({p:g}, {q:g})" if weights == "fleming-harrington" else weights
    return f"{name} trend" if trend else name


# ---------------------------------------------------------------------------------------
# public


def logrank(
    durations: object,
    events: object = None,
    groups: object = None,
    *,
    strata: object = None,
    weights: Weights = "logrank",
    p: float | None = None,
    q: float | None = None,
    trend: bool = False,
    scores: object = None,
    levels: Sequence[object] | None = None,
    data: object = None,
) -> LogrankResult:
    r"""Compare censored durations between k groups with a (weighted) log-rank test.

    Parameters
    ----------
    durations : array-like of float, or mapping of label to LifeTable
        Time from origin to event or censoring per subject (non-negative; 0 is allowed).
        Alternatively a mapping ``{group: LifeTable}`` of pre-aggregated groups (then
        `events`, `groups` and `strata` stay ``None``; life tables with delayed entry use
        their counting-process risk sets).
    events : array-like of bool or {0, 1}
        1 (or ``True``) for an event, 0 for a censored duration.
    groups : array-like
        Group label per subject: any hashable values. Missing labels (``None``, NaN,
        blank) exclude the subject; the exclusion is recorded on the result.
    strata : array-like, optional
        Stratum label per subject: the statistic then sums per-stratum observed minus
        expected vectors and variance matrices, as R's ``survdiff(... + strata(x))``.
        Weights are computed within each stratum.
    weights : {"logrank", "gehan-breslow", "tarone-ware", "peto-peto", "fleming-harrington"}
        Weight :math:`w_i` of event time :math:`t_i` (see Notes).
    p, q : float, optional
        Exponents of the Fleming-Harrington weights (only with that weighting; `p` is
        required, `q` defaults to 0).
    trend : bool
        Test for a trend over ordered groups (1 degree of freedom) instead of any
        difference.
    scores : array-like of float, optional
        Scores of the groups (in result order) for the trend test; default 1, 2, ..., k.
    levels : sequence, optional
        Group labels in the order wanted (e.g. ordered categories for the trend test);
        every level must have at least one subject.
    data : data frame, optional
        A data frame of any engine; `durations`, `events`, `groups` and `strata` then name
        its columns and the engine counts them (:mod:`ipsstats.frames`).

    Returns
    -------
    LogrankResult
        ``statistic``, ``pvalue`` (chi-squared survival function), ``dof``, ``method``,
        ``n``, exclusions, and per group (in the order of ``groups``: sorted labels,
        first-seen order when labels cannot be sorted, the categories of a categorical
        column, `levels`, or the order of a mapping of life tables): ``observed``,
        ``expected`` (weighted as R reports them), ``o_minus_e``, ``variance``,
        ``n_subjects`` and ``n_events``.

    Raises
    ------
    InvalidInputError
        For negative, NaN or infinite durations, event indicators other than 0/1,
        arguments of different lengths, a level without subjects, an unknown weighting,
        invalid `p`, `q` or `scores`, or a malformed mapping of life tables.
    InsufficientDataError
        With fewer than two groups, no events, or no event time at which two groups are
        at risk together.

    See Also
    --------
    ipsstats.kaplan_meier : The survival curves being compared.

    Notes
    -----
    At each distinct event time :math:`t_i` of a stratum, with :math:`n_{ij}` at risk and
    :math:`d_{ij}` events in group :math:`j`, :math:`n_i = \sum_j n_{ij}`,
    :math:`d_i = \sum_j d_{ij}`:

    .. math::

        U_j = \sum_i w_i \Bigl(d_{ij} - \frac{n_{ij} d_i}{n_i}\Bigr), \qquad
        V_{jl} = \sum_i w_i^2 \frac{d_i (n_i - d_i)}{n_i - 1}
                 \frac{n_{ij}}{n_i}\Bigl(\delta_{jl} - \frac{n_{il}}{n_i}\Bigr),

    summed over strata, and :math:`X^2 = U^\top V^- U` on :math:`k - 1` degrees of
    freedom (one group is dropped because :math:`\sum_j U_j = 0`; groups with zero
    variance are dropped first, and a singular matrix uses a generalised inverse with
    the degrees of freedom equal to its rank). The trend test is
    :math:`(c^\top U)^2 / c^\top V c` on 1 degree of freedom for scores :math:`c`.
    Variances use floating point throughout, so no count overflows.

    Weights, with :math:`\hat S` the Kaplan-Meier estimate of the pooled sample of the
    stratum and :math:`\tilde S(t) = \prod_{t_l \le t} (1 - d_l / (n_l + 1))` (SAS
    PROC LIFETEST, Table "Weight Functions for Various Tests"):

    - ``"logrank"``: :math:`w_i = 1` (R ``survdiff(rho = 0)``);
    - ``"gehan-breslow"`` (generalised Wilcoxon): :math:`w_i = n_i`;
    - ``"tarone-ware"``: :math:`w_i = \sqrt{n_i}`;
    - ``"peto-peto"``: :math:`w_i = \tilde S(t_i)`, Peto and Peto's modified survival
      estimate including :math:`t_i`, as SAS ``TEST=PETO``, lifelines ``"peto"`` and
      R ``survMisc::comp``;
    - ``"fleming-harrington"``: :math:`w_i = \hat S(t_i-)^p (1 - \hat S(t_i-))^q` with
      the left-continuous Kaplan-Meier estimate; :math:`q = 0` is R's
      ``survdiff(rho = p)``.

    References
    ----------
    1. Mantel N. Evaluation of survival data and two new rank order statistics arising in
       its consideration. Cancer Chemother Rep. 1966;50(3):163-170.
    2. Harrington DP, Fleming TR. A class of rank test procedures for censored survival
       data. Biometrika. 1982;69(3):553-566, eq. (2.2)-(2.3).
    3. Klein JP, Moeschberger ML. Survival Analysis: Techniques for Censored and Truncated
       Data. 2nd ed. Springer; 2003. Section 7.3 (weights, Table 7.3) and 7.4 (trend).
    4. Therneau T. survival: Survival Analysis. R package; ``?survdiff``.

    Examples
    --------
    R's ``aml`` data (``survdiff(Surv(time, status) ~ x, data = aml)`` gives
    chi-squared 3.4 on 1 degree of freedom, p = 0.07):

    >>> from ipsstats import logrank
    >>> time = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161,
    ...         5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
    >>> status = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0,
    ...           1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    >>> group = ["Maintained"] * 11 + ["Nonmaintained"] * 12
    >>> res = logrank(time, status, group)
    >>> print(round(res.statistic, 3), res.dof, round(res.pvalue, 4))
    3.396 1.0 0.0653
    >>> res.observed.tolist(), res.expected.round(2).tolist()
    ([7.0, 11.0], [10.69, 7.31])

    Groups reduced to life tables elsewhere (e.g. one per service) give the same test:

    >>> import numpy as np
    >>> from ipsstats import LifeTable
    >>> t, s, g = np.array(time), np.array(status), np.array(group)
    >>> tables = {k: LifeTable.from_records(t[g == k], s[g == k]) for k in sorted(set(group))}
    >>> print(round(logrank(tables).statistic, 3))
    3.396
    """
    option = as_option(weights, "weights", _WEIGHTS)
    exponent_p, exponent_q = _check_exponents(option, p, q)
    if not isinstance(trend, (bool, np.bool_)):
        raise fail("trend", "be True or False", repr(trend))
    if scores is not None and not trend:
        raise fail("scores", "be None unless `trend=True`", repr(scores))
    if data is not None:  # columns of a data frame: counted in its engine
        from ipsstats.survival._frames import logrank_counts  # noqa: PLC0415  # optional

        kept, labels, exclusions = logrank_counts(data, durations, events, groups, strata, levels)
        tables = tuple(_table_from_counts(counts) for counts in kept)
        prepared = _Prepared(
            tables=tables,
            groups=labels,
            n_subjects=np.sum([table.n_subjects for table in tables], axis=0),
            n=round(float(kept.sum())),
            exclusions=exclusions,
        )
    elif isinstance(durations, Mapping):
        if levels is not None:
            raise fail(
                "levels",
                "be None when `durations` is a mapping of life tables",
                repr(levels),
                hint="the mapping's order is the group order; build it in the order wanted.",
            )
        prepared = _prepare_life_tables(durations, events, groups, strata)
    else:
        prepared = _prepare_records(durations, events, groups, strata, levels)
    k = len(prepared.groups)
    trend_scores = _check_scores(scores, k) if trend else None
    parts = [
        _scores(table, _weights(table, option, exponent_p, exponent_q))
        for table in prepared.tables
    ]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    n_events = np.sum([table.deaths.sum(axis=1) for table in prepared.tables], axis=0)
    if float(np.sum(n_events)) <= 0:
        raise InsufficientDataError(
            "`events` must hold at least one event; got none among "
            f"{prepared.n} subjects. Hint: the log-rank test compares event rates."
        )
    u = total.observed - total.expected
    caveats: list[str] = []
    if trend_scores is not None:
        spread = float(trend_scores @ total.variance @ trend_scores)
        if spread <= 0:
            raise InsufficientDataError(_no_overlap_message())
        statistic, dof = float(trend_scores @ u) ** 2 / spread, 1
    else:
        statistic, dof = _quadratic_form(u, total.variance)
        if dof == 0:
            raise InsufficientDataError(_no_overlap_message())
        caveats = _rank_caveats(dof, k)
    return LogrankResult(
        statistic=statistic,
        pvalue=float(stats.chi2.sf(statistic, dof)),
        dof=dof,
        method=_method(option, exponent_p, exponent_q, trend),
        n=prepared.n,
        n_excluded=sum(prepared.exclusions.values()),
        exclusions=prepared.exclusions,
        caveats=tuple(caveats),
        details={"weights": option, "strata": len(prepared.tables)},
        groups=prepared.groups,
        observed=total.observed,
        expected=total.expected,
        variance=total.variance,
        n_subjects=prepared.n_subjects,
        n_events=n_events,
        weights=option,
        p=exponent_p if option == "fleming-harrington" else None,
        q=exponent_q if option == "fleming-harrington" else None,
        scores=trend_scores,
        n_strata=len(prepared.tables),
    )


def _no_overlap_message() -> str:
    return (
        "the groups never have subjects at risk together at an event time, so the test "
        "has no information (its variance is zero). Hint: check the groups and durations."
    )
