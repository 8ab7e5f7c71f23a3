"""Recoverability audit of published counts: can a suppressed count be worked out exactly.

:func:`audit_counts` takes what a reader sees (rounded counts, suppressed counts with their
reason, the totals that tie them together, and percentages computed from exact counts)
and finds, for every suppressed count, the smallest and the largest value it can take in
any table of non-negative whole numbers consistent with all of it, by integer linear
programming (:func:`scipy.optimize.milp`). A count whose smallest and largest values are
equal is recoverable: the publication discloses it. :meth:`EquityReport.disclosure_audit
<ipsstats.EquityReport.disclosure_audit>` runs the same audit over every count of a report.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats._scipy import optimize
from ipsstats.results import ToDict

__all__ = ["AuditedCount", "DisclosureAudit", "audit_counts"]

_PRIMARY = "primary"
_SECONDARY = "secondary"
# milp status codes (scipy.optimize.milp)
_OPTIMAL, _INFEASIBLE, _UNBOUNDED = 0, 2, 3
# A solution of the linear relaxation within this of whole numbers is taken as integral
# (HiGHS's own integrality tolerance is 1e-6).
_INTEGRAL = 1e-7
# Nodes of the branch and bound before handing over to HiGHS's branch and cut.
_NODES = 5000


@attrs.frozen(kw_only=True)
class AuditedCount(ToDict):
    """The values a suppressed count can take, given everything published.

    Parameters
    ----------
    name : str
        The count's name.
    reason : str
        Why it is suppressed, as given.
    low, high : int or None
        Its smallest and largest possible values; `high` is ``None`` when nothing
        published bounds it from above.
    recoverable : bool
        Whether ``low == high``: the published numbers determine the count exactly.
    """

    name: str
    reason: str
    low: int
    high: int | None
    recoverable: bool


@attrs.frozen(kw_only=True, repr=False)
class DisclosureAudit(ToDict):
    """Result of :func:`audit_counts` (and of :meth:`EquityReport.disclosure_audit`).

    Parameters
    ----------
    counts : tuple of AuditedCount
        One entry per suppressed count, in the order given.
    n_suppressed : int
        Suppressed counts audited.
    n_recoverable : int
        Those that the published numbers determine exactly.
    recoverable : tuple of str
        Their names.
    n_published : int
        Counts published (rounded) that constrain them.
    n_sums : int
        Totals that tie counts together.
    n_shares : int
        Percentages computed from exact counts, used as constraints.
    threshold, round_to : int
        The disclosure rules the published counts follow.
    method : str
        ``"milp"``: each bound is an integer linear programme.
    """

    counts: tuple[AuditedCount, ...]
    n_suppressed: int
    n_recoverable: int
    recoverable: tuple[str, ...]
    n_published: int
    n_sums: int
    n_shares: int
    threshold: int
    round_to: int
    method: str = "milp"

    def __repr__(self) -> str:
        return (
            f"DisclosureAudit(suppressed={self.n_suppressed}, "
            f"recoverable={self.n_recoverable}, published={self.n_published}, "
            f"sums={self.n_sums}, shares={self.n_shares}, threshold={self.threshold}, "
            f"round_to={self.round_to})"
        )


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise fail(name, "be a positive integer", repr(value))
    return int(value)


def _count(value: object, name: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise fail(
            name,
            "hold non-negative whole numbers",
            f"{value!r} for {key!r}",
            positions=(key,),
        )
    return int(value)


def _text_key(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise fail(name, "name counts with strings", f"{value!r}")
    return value


@attrs.frozen(kw_only=True, eq=False)
class _Problem:
    """The integer programme: variables, their bounds and the linear constraints."""

    names: tuple[str, ...]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    matrix: NDArray[np.float64]
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]

    def solve(self, index: int, sense: float) -> tuple[int, float | None]:
        """Minimise (sense 1) or maximise (sense -1) one variable; (status, value)."""
        cost = np.zeros(self.lower.size)
        cost[index] = sense
        result = _integer_optimum(
            cost,
            optimize.Bounds(self.lower, self.upper),
            [optimize.LinearConstraint(self.matrix, self.row_lower, self.row_upper)]
            if self.matrix.shape[0]
            else [],
        )
        if result.status != _OPTIMAL or result.x is None:
            return int(result.status), None
        return _OPTIMAL, float(result.x[index])


@attrs.frozen(kw_only=True, eq=False)
class _Solution:
    """The outcome of an integer programme: milp's status code, solution and objective."""

    status: int
    x: NDArray[np.float64] | None = None
    fun: float | None = None


def _relaxation(
    cost: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    constraints: list[optimize.LinearConstraint],
) -> Any:
    """Solve the linear relaxation (HiGHS's simplex, through milp without integers)."""
    return optimize.milp(
        cost,
        integrality=np.zeros(cost.size),
        bounds=optimize.Bounds(lower, upper),
        constraints=constraints,
    )


def _integer_optimum(
    cost: NDArray[np.float64],
    bounds: optimize.Bounds,
    constraints: list[optimize.LinearConstraint],
) -> _Solution:
    """Solve an integer programme by branch and bound on its linear relaxation.

    The totals of a report make a nearly unimodular system, whose linear relaxation almost
    always has an integral optimum at once: that optimum is then the integer one. Otherwise
    the most fractional variable is branched on (``x <= floor(v)`` or ``x >= ceil(v)``),
    depth first, and a node is dropped when its relaxation cannot beat the best whole
    solution found. Every variable is integer. Beyond ``_NODES`` nodes (never reached on
    the programmes of a report in the tests) HiGHS's own branch and cut finishes the work.
    """
    start_lower = np.asarray(bounds.lb, dtype=np.float64) * np.ones(cost.size)
    start_upper = np.asarray(bounds.ub, dtype=np.float64) * np.ones(cost.size)
    best: _Solution | None = None
    nodes = [(start_lower, start_upper)]
    first = True
    visited = 0
    while nodes:
        visited += 1
        if visited > _NODES:
            found = optimize.milp(
                cost, integrality=np.ones(cost.size), bounds=bounds, constraints=constraints
            )
            return _Solution(status=int(found.status), x=found.x, fun=found.fun)
        lower, upper = nodes.pop()
        relaxed = _relaxation(cost, lower, upper, constraints)
        if relaxed.status == _UNBOUNDED and first:
            return _Solution(status=_UNBOUNDED)
        first = False
        if relaxed.status != _OPTIMAL:
            continue
        if best is not None and best.fun is not None and relaxed.fun >= best.fun - _INTEGRAL:
            continue
        x = np.asarray(relaxed.x, dtype=np.float64)
        fraction = np.abs(x - np.round(x))
        j = int(np.argmax(fraction))
        if fraction[j] <= _INTEGRAL:
            best = _Solution(status=_OPTIMAL, x=np.round(x), fun=float(relaxed.fun))
            continue
        below, above = upper.copy(), lower.copy()
        below[j], above[j] = math.floor(x[j]), math.ceil(x[j])
        nodes += [(lower, below), (above, upper)]
    return best if best is not None else _Solution(status=_INFEASIBLE)


def _interval(
    shown: int, round_to: int, threshold: int, keep_zero: bool
) -> tuple[int, int, int | None]:
    """Return the true values that publish as `shown`: ``(low, high, gap)``.

    Rounded half up to `round_to`, a value ``x`` shows as `shown` when
    ``shown - round_to // 2 <= x <= shown + round_to - 1 - round_to // 2``; a shown count is
    at least the threshold unless it is a zero shown as it is. ``gap`` is not ``None`` when
    the values are 0 or ``gap..high`` (a kept zero next to rounded counts).
    """
    low = max(0, shown - round_to // 2)
    high = shown + round_to - 1 - round_to // 2
    if keep_zero and shown == 0:
        start = max(threshold, low)
        return (0, high, start) if start <= high else (0, 0, None)
    return max(threshold, low), high, None


def _bounds(reason: str, threshold: int, keep_zero: bool) -> tuple[int, float]:
    if reason.startswith(_PRIMARY):
        return (1 if keep_zero else 0), float(threshold - 1)
    if reason.startswith(_SECONDARY):
        return threshold, math.inf
    return (1 if keep_zero else 0), math.inf


def _build(
    shown: Mapping[str, int],
    suppressed: Mapping[str, str],
    sums: Sequence[tuple[str, tuple[str, ...]]],
    shares: Sequence[tuple[str, str, float, float]],
    rules: tuple[int, int, Collection[str] | bool],
) -> _Problem:
    threshold, round_to, keep = rules
    names: list[str] = list(dict.fromkeys([*shown, *suppressed]))
    seen = set(names)
    for total, parts in sums:
        for n in (total, *parts):
            if n not in seen:
                seen.add(n)
                names.append(n)
    for numerator, denominator, _, _ in shares:
        for n in (numerator, denominator):
            if n not in seen:
                seen.add(n)
                names.append(n)
    index = {name: k for k, name in enumerate(names)}
    lower = np.zeros(len(names))
    upper = np.full(len(names), math.inf)
    rows: list[tuple[dict[int, float], float, float]] = []

    def kept(name: str) -> bool:
        return keep if isinstance(keep, bool) else name in keep

    for name, value in shown.items():
        low, high, gap = _interval(value, round_to, threshold, kept(name))
        if low > high:
            raise fail(
                "shown",
                f"hold values that counts of at least {threshold} round to (nearest "
                f"{round_to}, halves up)",
                f"{value} for {name!r}",
                positions=(name,),
            )
        lower[index[name]], upper[index[name]] = low, high
        if gap is not None:  # x = 0, or gap <= x <= high: a binary switch
            names.append(f"{name} is not zero")
            lower, upper = np.append(lower, 0.0), np.append(upper, 1.0)
            switch = len(names) - 1
            rows.append(({index[name]: 1.0, switch: -float(high)}, -math.inf, 0.0))
            rows.append(({index[name]: 1.0, switch: -float(gap)}, 0.0, math.inf))
    for name, reason in suppressed.items():
        floor, ceiling = _bounds(reason, threshold, kept(name))
        lower[index[name]], upper[index[name]] = floor, ceiling
    for total, parts in sums:
        row: dict[int, float] = {index[total]: 1.0}
        for part in parts:
            row[index[part]] = row.get(index[part], 0.0) - 1.0
        rows.append((row, 0.0, 0.0))
    for numerator, denominator, ratio, half_width in shares:
        lower[index[denominator]] = max(lower[index[denominator]], 1.0)
        for bound, sense in ((ratio + half_width, "upper"), (ratio - half_width, "lower")):
            coefficients = {index[numerator]: 1.0}
            coefficients[index[denominator]] = coefficients.get(index[denominator], 0.0) - bound
            if sense == "upper":
                rows.append((coefficients, -math.inf, 0.0))
            else:
                rows.append((coefficients, 0.0, math.inf))
    matrix = np.zeros((len(rows), len(names)))
    for r, (coefficients, _, _) in enumerate(rows):
        for column, coefficient in coefficients.items():
            matrix[r, column] = coefficient
    return _Problem(
        names=tuple(names),
        lower=lower,
        upper=upper,
        matrix=matrix,
        row_lower=np.array([r[1] for r in rows]),
        row_upper=np.array([r[2] for r in rows]),
    )


def _check_inputs(
    shown: object,
    suppressed: object,
    sums: object,
    shares: object,
) -> tuple[
    dict[str, int],
    dict[str, str],
    list[tuple[str, tuple[str, ...]]],
    list[tuple[str, str, float, float]],
]:
    if not isinstance(shown, Mapping):
        raise fail("shown", "be a mapping of count name to published value", type(shown).__name__)
    if not isinstance(suppressed, Mapping):
        raise fail("suppressed", "be a mapping of count name to reason", type(suppressed).__name__)
    published = {_text_key(k, "shown"): _count(v, "shown", k) for k, v in shown.items()}
    hidden = {_text_key(k, "suppressed"): str(v) for k, v in suppressed.items()}
    both = sorted(set(published) & set(hidden))
    if both:
        raise fail(
            "suppressed",
            "name counts that are not also in `shown`",
            f"{both}",
            positions=tuple(both),
        )
    pairs: Sequence[Any]
    if isinstance(sums, Mapping):
        pairs = list(sums.items())
    elif isinstance(sums, Sequence) and not isinstance(sums, str):
        pairs = list(sums)
    else:
        raise fail(
            "sums",
            "be a mapping of total name to the names of its parts, or (total, parts) pairs",
            type(sums).__name__,
        )
    totals: list[tuple[str, tuple[str, ...]]] = []
    for pair in pairs:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise fail("sums", "hold (total, parts) pairs", f"{pair!r}")
        total, parts = pair
        if isinstance(parts, str) or not isinstance(parts, Sequence) or not parts:
            raise fail("sums", "map each total to a non-empty list of parts", f"{parts!r}")
        totals.append((_text_key(total, "sums"), tuple(_text_key(p, "sums") for p in parts)))
    if isinstance(shares, (str, Mapping)) or not isinstance(shares, Sequence):
        raise fail(
            "shares",
            "be a sequence of (numerator, denominator, value, half_width)",
            type(shares).__name__,
        )
    ratios: list[tuple[str, str, float, float]] = []
    given: Sequence[Any] = shares
    for item in given:
        ok = isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 4
        numbers_ok = ok and all(
            not isinstance(x, bool) and isinstance(x, numbers.Real) and math.isfinite(float(x))
            for x in item[2:]
        )
        if not numbers_ok or float(item[2]) < 0 or float(item[3]) < 0:
            raise fail(
                "shares",
                "hold (numerator, denominator, value, half_width) with a value and a "
                "half-width that are finite and non-negative",
                repr(item),
            )
        ratios.append(
            (
                _text_key(item[0], "shares"),
                _text_key(item[1], "shares"),
                float(item[2]),
                float(item[3]),
            )
        )
    return published, hidden, totals, ratios


def audit_counts(
    shown: Mapping[str, int],
    suppressed: Mapping[str, str],
    *,
    sums: Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]] | None = None,
    shares: Sequence[tuple[str, str, float, float]] = (),
    threshold: int = 5,
    round_to: int = 5,
    keep_zeros: bool | Collection[str] = False,
) -> DisclosureAudit:
    r"""Find the values each suppressed count can take, given everything published.

    Parameters
    ----------
    shown : Mapping[str, int]
        Published counts by name, as published: rounded half up to a multiple of
        `round_to` (see :func:`~ipsstats.suppress_small_counts`).
    suppressed : Mapping[str, str]
        Suppressed counts by name, with the reason published for each: a reason starting
        with ``"primary"`` says the count is below `threshold`, one starting with
        ``"secondary"`` that it is not; any other reason says only that it is not a
        zero kept as 0 (see `keep_zeros`).
    sums : Mapping[str, Sequence[str]] or sequence of (str, Sequence[str]), optional
        Totals and their parts, by name: ``{"everyone": ["female", "male", "not known"]}``
        says ``everyone = female + male + not known``; give ``(total, parts)`` pairs when
        a total has several breakdowns (people by gender, and by ethnicity). A name that
        is neither shown nor suppressed is an unpublished count (any non-negative whole
        number).
    shares : sequence of (str, str, float, float), optional
        Shares published as computed from the *exact* counts: ``(numerator, denominator,
        value, half_width)`` says :math:`|x_{num} / x_{den} - \text{value}| \le
        \text{half\_width}`, e.g. ``("female", "known", 0.540, 0.0005)`` for 54.0%.
        Leave out shares computed from the published counts: they add nothing.
    threshold : int, default 5
        Counts below this are suppressed (the primary rule).
    round_to : int, default 5
        Published counts are rounded to a multiple of this (1: not rounded).
    keep_zeros : bool or collection of str, default False
        Whether zero counts are shown as 0 rather than suppressed: for every count, or
        for the counts named.

    Returns
    -------
    DisclosureAudit
        Per suppressed count its smallest and largest possible values (``counts``), and
        the names of those that are ``recoverable``.

    Raises
    ------
    InvalidInputError
        If an argument is malformed, a name is both shown and suppressed, a shown value is
        not one that the rules can publish, or the published numbers contradict each other
        (no table of counts agrees with all of them).

    See Also
    --------
    ipsstats.suppress_small_counts : suppression and rounding of one table.
    ipsstats.EquityReport.disclosure_audit : this audit over a whole report.

    Notes
    -----
    Let :math:`x` be the unknown true counts. A count published as :math:`y` after
    rounding half up to :math:`r` satisfies
    :math:`y - \lfloor r/2 \rfloor \le x \le y + r - 1 - \lfloor r/2 \rfloor` and
    :math:`x \ge t` (zeros that are kept may also be 0, modelled with a binary switch); a
    count suppressed by the primary rule satisfies :math:`0 \le x \le t - 1` (:math:`1
    \le x` when zeros are kept), one suppressed by the secondary rule :math:`x \ge t`;
    each total gives an equation, each share two inequalities
    :math:`(v - h) x_{den} \le x_{num} \le (v + h) x_{den}`. For each suppressed count
    :math:`x_k` the audit solves the two integer linear programmes

    .. math::

        \ell_k = \min x_k, \qquad u_k = \max x_k
        \quad \text{subject to the constraints above}, \; x \in \mathbb{Z}_{\ge 0}^n,

    with HiGHS through :func:`scipy.optimize.milp` [2]_. The count is recoverable when
    :math:`\ell_k = u_k`. This is the interval (audit) view of cell suppression [1]_:
    it answers exact recovery from every published cell, margin and percentage at once,
    across as many linked tables as the sums describe; numbers that are not linear in
    the counts (test statistics, survival estimates) are outside it.

    References
    ----------
    .. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
       sections 4.2-4.3 (linked tables, the attacker's interval for a suppressed cell).
    .. [2] Huangfu, Q. and Hall, J. A. J. (2018). Parallelizing the dual revised simplex
       method. *Mathematical Programming Computation* 10, 119-142.

    Examples
    --------
    The reproducer of a leak: gender not known suppressed beside rounded Female and Male
    counts, with percentages of the known total computed from the exact counts and the
    number of people published (rounded) elsewhere:

    >>> audit = audit_counts(
    ...     {"female": 150, "male": 130, "everyone": 280},
    ...     {"not known": "primary: count below 5"},
    ...     sums={"everyone": ["known", "not known"], "known": ["female", "male"]},
    ...     shares=[("female", "known", 0.5395683453237411, 1e-12)],
    ... )
    >>> audit.counts[0].low, audit.counts[0].high
    (0, 4)
    >>> audit_counts(
    ...     {"female": 150, "male": 130, "everyone": 280},
    ...     {"not known": "primary: count below 5"},
    ...     sums={"everyone": ["known", "not known"], "known": ["female", "male"]},
    ...     shares=[("female", "known", 0.5395683453237411, 1e-12),
    ...             ("not known", "everyone", 0.007142857142857143, 1e-12)],
    ... ).recoverable
    ('not known',)
    """
    limit = _positive(threshold, "threshold")
    step = _positive(round_to, "round_to")
    if not isinstance(keep_zeros, bool) and (
        isinstance(keep_zeros, str) or not isinstance(keep_zeros, Collection)
    ):
        raise fail("keep_zeros", "be True, False or a collection of count names", repr(keep_zeros))
    published, hidden, totals, ratios = _check_inputs(shown, suppressed, sums or {}, shares)
    keep: bool | Collection[str] = (
        keep_zeros if isinstance(keep_zeros, bool) else frozenset(keep_zeros)
    )
    for name, reason in hidden.items():
        kept = keep if isinstance(keep, bool) else name in keep
        if reason.startswith(_PRIMARY) and limit - 1 < (1 if kept else 0):
            raise fail(
                "suppressed",
                f"name counts that the primary rule can hide (below {limit})",
                f"{name!r}",
                hint="with zeros kept, a threshold of 1 hides nothing.",
                positions=(name,),
            )
    problem = _build(published, hidden, totals, ratios, (limit, step, keep))
    audited = _bound(problem, hidden, hidden)
    recoverable = tuple(c.name for c in audited if c.recoverable)
    return DisclosureAudit(
        counts=tuple(audited),
        n_suppressed=len(audited),
        n_recoverable=len(recoverable),
        recoverable=recoverable,
        n_published=len(published),
        n_sums=len(totals),
        n_shares=len(ratios),
        threshold=limit,
        round_to=step,
    )


def _bound(
    problem: _Problem, hidden: Mapping[str, str], targets: Collection[str]
) -> list[AuditedCount]:
    """Smallest and largest value of each target (suppressed counts, in `hidden` order)."""
    audited = []
    for name, reason in hidden.items():
        if name not in targets:
            continue
        column = problem.names.index(name)
        status, low = problem.solve(column, 1.0)
        if status == _INFEASIBLE or low is None:
            raise fail(
                "shown",
                "agree with `suppressed`, `sums` and `shares`",
                "numbers that no table of non-negative whole counts satisfies",
                hint="check the totals and the rounding rules given.",
            )
        status, high = problem.solve(column, -1.0)
        top = None if status == _UNBOUNDED or high is None else round(high)
        audited.append(
            AuditedCount(
                name=name,
                reason=reason,
                low=round(low),
                high=top,
                recoverable=top is not None and round(low) == top,
            )
        )
    return audited


def _as_audit_dict(audit: DisclosureAudit) -> dict[str, Any]:
    """Return the short form of an audit kept in a report's JSON ``disclosure`` record."""
    return {
        "method": audit.method,
        "n_suppressed": audit.n_suppressed,
        "n_recoverable": audit.n_recoverable,
    }


def _cheapest_release(
    shown: Mapping[str, int],
    suppressed: Mapping[str, str],
    target: tuple[str, int],
    weights: Mapping[str, float],
    *,
    sums: Sequence[tuple[str, Sequence[str]]],
    rules: tuple[int, int, Collection[str]],
) -> list[str] | None:
    """Cheapest set of shown counts whose suppression lets `target` take another value.

    `target` is a suppressed count's name and true value; `weights` gives the cost of
    suppressing each candidate (shown counts of at least the threshold). One integer
    programme per direction finds a table consistent with everything that stays
    published in which the target is above (below) its true value, choosing which
    candidates to release (binary :math:`y_c`: a released count may move, by at most
    ``threshold + round_to`` beyond its published interval and not below the threshold,
    as a count suppressed by the secondary rule) at least total weight. Moving one count
    by one moves the others by little, so the narrow band keeps the relaxation tight; a
    release found this way is a candidate that the caller audits again. ``None`` when no
    set of candidates suffices.
    """
    threshold, round_to = rules[0], rules[1]
    band = float(threshold + round_to)
    problem = _build(shown, suppressed, [(t, tuple(p)) for t, p in sums], [], rules)
    names = list(problem.names)
    candidates = [name for name in weights if name in shown]
    n_vars = len(names) + len(candidates)
    lower = np.append(problem.lower, np.zeros(len(candidates)))
    upper = np.append(problem.upper, np.ones(len(candidates)))
    extra_rows = []
    for j, name in enumerate(candidates):
        column, switch = names.index(name), len(names) + j
        low, high = problem.lower[column], problem.upper[column]
        floor = max(float(threshold), low - band)
        lower[column], upper[column] = floor, high + band
        release = np.zeros(n_vars)
        release[column], release[switch] = 1.0, -band
        extra_rows.append((release, -math.inf, high))
        keep = np.zeros(n_vars)
        keep[column], keep[switch] = 1.0, low - floor
        extra_rows.append((keep, low, math.inf))
    base = np.hstack([problem.matrix, np.zeros((problem.matrix.shape[0], len(candidates)))])
    matrix = np.vstack([base, *[row for row, _, _ in extra_rows]]) if extra_rows else base
    row_lower = np.concatenate([problem.row_lower, [r[1] for r in extra_rows]])
    row_upper = np.concatenate([problem.row_upper, [r[2] for r in extra_rows]])
    cost = np.zeros(n_vars)
    cost[len(names) :] = [weights[name] for name in candidates]
    name, value = target
    column = names.index(name)
    best: tuple[float, list[str]] | None = None
    for low, high in ((value + 1.0, upper[column]), (lower[column], value - 1.0)):
        if low > high:
            continue
        bounds_low, bounds_high = lower.copy(), upper.copy()
        bounds_low[column], bounds_high[column] = low, high
        result = _integer_optimum(
            cost,
            optimize.Bounds(bounds_low, bounds_high),
            [optimize.LinearConstraint(matrix, row_lower, row_upper)] if matrix.shape[0] else [],
        )
        if result.status != _OPTIMAL or result.x is None or result.fun is None:
            continue
        chosen = [c for j, c in enumerate(candidates) if result.x[len(names) + j] > 0.5]
        if best is None or result.fun < best[0]:
            best = (float(result.fun), chosen)
    return None if best is None else best[1]
