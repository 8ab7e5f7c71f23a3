"""Exact conditional tests and Monte Carlo engines for count data.

This module holds the computational engines behind the exact and resampling methods of
:func:`ipsstats.independence`, :func:`ipsstats.homogeneity` and
:func:`ipsstats.goodness_of_fit`:

- :func:`fisher_exact_pvalue`: Fisher's exact test for 2 x 2 tables and the
  Fisher-Freeman-Halton test for r x c tables, computed exactly (no sampling);
- :func:`multinomial_exact_pvalue`: the exact multinomial goodness-of-fit test;
- :func:`table_probability`: the hypergeometric probability of a table given its margins;
- :func:`monte_carlo_independence_pvalue` and :func:`monte_carlo_gof_pvalue`: seeded Monte
  Carlo p-values (Patefield's algorithm for tables with fixed margins).

All exact p-values follow R's convention: the p-value is the total probability of the
outcomes whose probability is at most the observed one times :math:`1 + 10^{-7}`, so that
outcomes tied with the observed one in exact arithmetic are never lost to rounding.

Exact computations are bounded by a work limit, counted in work units (one element of a
vectorised pass, about :data:`WORK_SECONDS` seconds each on a current laptop core), not in
wall-clock time, so that results and decisions are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_counts, as_option, as_rng, fail
from ipsstats.categorical._common import Alternative, as_alternative
from ipsstats.categorical._exact_common import (
    LOG_TOLERANCE,
    MARGIN,
    RELATIVE_TOLERANCE,
    WORK_SECONDS,
    Budget,
    as_work_limit,
    lfact,
    logsumexp,
)
from ipsstats.categorical._exact_network import network_pvalue, network_work_estimate
from ipsstats.categorical._exact_one_sided import one_sided_pvalue
from ipsstats.categorical._exact_two import two_column_pvalue, two_column_work_estimate
from ipsstats.errors import InsufficientDataError

__all__ = [
    "DEFAULT_EXACT_WORK_LIMIT",
    "RELATIVE_TOLERANCE",
    "WORK_SECONDS",
    "fisher_exact_pvalue",
    "monte_carlo_gof_pvalue",
    "monte_carlo_independence_pvalue",
    "multinomial_exact_pvalue",
    "table_probability",
]

#: Default work limit of the exact tests: about 0.2 s of computation (see
#: :data:`WORK_SECONDS`). ``method="auto"`` falls back to a Monte Carlo p-value, and
#: ``method="exact"`` stops with an error, when an exact test would need more.
DEFAULT_EXACT_WORK_LIMIT = 40_000_000

_ALMOST_ONE = 1.0 - 64.0 * np.finfo(np.float64).eps  # R's tolerance in simulated p-values

Statistic = Literal["pearson", "g"]
RngLike = int | np.random.Generator | None


def table_probability(table: object) -> float:
    r"""Probability of a table under independence, conditional on its margins.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts.

    Returns
    -------
    float
        The multivariate hypergeometric probability of `table`.

    Raises
    ------
    InvalidInputError
        If `table` is not a 2-D array of non-negative whole numbers.

    Notes
    -----
    With row totals :math:`r_i`, column totals :math:`c_j` and total :math:`n`,

    .. math::

        P(\{n_{ij}\}) = \frac{\prod_i r_i! \, \prod_j c_j!}{n! \, \prod_{ij} n_{ij}!}.

    Examples
    --------
    >>> print(round(table_probability([[3, 1], [1, 3]]), 4))
    0.2286
    """
    counts = as_counts(table, "table", ndim=2)
    return math.exp(_log_table_probability(counts))


def _log_table_probability(counts: NDArray[np.int64]) -> float:
    n = int(counts.sum())
    return float(
        lfact(counts.sum(axis=1)).sum()
        + lfact(counts.sum(axis=0)).sum()
        - lfact(n)
        - lfact(counts).sum()
    )


def _nonempty(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Drop empty rows and columns (they do not change the conditional distribution)."""
    return np.asarray(counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0])


def fisher_exact_pvalue(
    table: object,
    *,
    alternative: Alternative = "two-sided",
    exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT,
) -> float:
    r"""Exact conditional test of independence in an r x c table.

    Fisher's exact test for 2 x 2 tables (two-sided or one-sided); the
    Fisher-Freeman-Halton test for larger tables, computed exactly (no sampling).

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts. Empty rows and columns are dropped first.
    alternative : {"two-sided", "less", "greater"}, optional
        ``"two-sided"`` (default): the tables at most as probable as the observed one.
        ``"less"`` and ``"greater"`` (2 x 2 tables only, as R's ``fisher.test``): the
        probability that the top-left count is at most, or at least, the observed one,
        that is, evidence that the odds ratio is below, or above, 1.
    exact_work_limit : int, optional
        Largest number of work units (elements of vectorised passes, about
        :data:`WORK_SECONDS` seconds each) to spend before stopping with an error. The
        default, :data:`DEFAULT_EXACT_WORK_LIMIT`, is about 0.2 s.

    Returns
    -------
    float
        The p-value: the total probability, given both margins, of the tables at most as
        probable as the observed one (with R's relative tolerance :math:`10^{-7}`), or
        for a one-sided `alternative` the tail probability of the top-left count.

    Raises
    ------
    InvalidInputError
        If `table` does not hold non-negative whole numbers, the computation would
        exceed `exact_work_limit`, `alternative` is unknown, or a one-sided
        `alternative` is asked of a table that is not 2 x 2.
    InsufficientDataError
        If fewer than two rows or columns are non-empty.

    Notes
    -----
    Under independence and given the margins, a table has the multivariate hypergeometric
    probability :math:`P(T)` (see :func:`table_probability`) and

    .. math::

        p = \sum_{T:\, P(T) \le P(T_{obs})(1 + 10^{-7})} P(T).

    Both engines are network algorithms [1]_ [2]_: the table is built one cell at a time;
    partial tables reaching the same state (the remaining margins) with the same
    probability are merged, and a state is summed whole, dropped or expanded according to
    the exact total probability of its completions and bounds on its most and least
    probable completion. The completions of the last free cell form a hypergeometric
    distribution, log-concave in that cell, so the tables at most as probable as observed
    are its two tails, found by bisection and summed outward until the rest is provably
    below :math:`10^{-20}` of the observed table's probability.

    One-sided tests of a 2 x 2 table with row totals :math:`r_0, r_1`, first-column total
    :math:`c` and top-left count :math:`x` sum one tail of the hypergeometric law of that
    count [3]_:

    .. math::

        p_{\text{less}} = \sum_{k \le x} \frac{\binom{r_0}{k}\binom{r_1}{c-k}}
        {\binom{r_0+r_1}{c}}, \qquad
        p_{\text{greater}} = \sum_{k \ge x} \frac{\binom{r_0}{k}\binom{r_1}{c-k}}
        {\binom{r_0+r_1}{c}},

    each term relative to the observed table (walks over consecutive binomial ratios, as
    below), divided by the total mass.

    Tables with two rows or two columns (including 2 x 2) have their own engine, in which
    every probability is computed relative to the observed table from accurate sums of
    logarithms of ratios of consecutive binomial coefficients: the p-value keeps about 13
    significant digits at any sample size (summing ``exp(logpmf)`` loses about
    :math:`10^{-16} \log n!` in relative terms). Other tables use log-factorials, accurate
    to about :math:`10^{-16} \log n!` in relative terms.

    References
    ----------
    .. [1] Mehta, C. R. and Patel, N. R. (1983). A network algorithm for performing
       Fisher's exact test in r x c contingency tables. Journal of the American
       Statistical Association 78(382), 427-434.
    .. [2] Clarkson, D. B., Fan, Y. and Joe, H. (1993). A remark on algorithm 643:
       FEXACT: an algorithm for performing Fisher's exact test in r x c contingency
       tables. ACM Transactions on Mathematical Software 19(4), 484-488.
    .. [3] R Core Team. ``fisher.test``, R package stats (documentation, Examples:
       "Job satisfaction" table, p-value 0.7827).

    Examples
    --------
    R's job satisfaction example (``fisher.test(Job)``):

    >>> job = [[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]
    >>> print(round(fisher_exact_pvalue(job), 4))
    0.7827

    R's tea-tasting example, one-sided (``fisher.test(TeaTasting, alternative =
    "greater")``):

    >>> print(round(fisher_exact_pvalue([[3, 1], [1, 3]], alternative="greater"), 4))
    0.2429
    """
    counts = as_counts(table, "table", ndim=2)
    side = as_alternative(alternative)
    limit = _as_work_limit(exact_work_limit)
    if side != "two-sided" and counts.shape != (2, 2):
        raise fail(
            "alternative",
            "be 'two-sided' unless `table` is 2 x 2 (a one-sided test needs one odds ratio)",
            f"{side!r} with a {counts.shape[0]} x {counts.shape[1]} table",
            hint="use alternative='two-sided', or collapse the table to 2 x 2.",
        )
    kept = _nonempty(counts)
    if kept.shape[0] < 2 or kept.shape[1] < 2:
        raise InsufficientDataError(
            "`table` must have at least two non-empty rows and two non-empty columns for an "
            f"exact test; got {kept.shape[0]} non-empty row(s) and {kept.shape[1]} "
            "non-empty column(s).",
            argument="table",
        )
    if side != "two-sided":
        return one_sided_pvalue(kept, side)
    return _exact_pvalue(kept, limit)[0]


def _exact_pvalue(counts: NDArray[np.int64], work_limit: int) -> tuple[float, int]:
    """Exact p-value of a validated table without empty rows or columns; (p, work).

    Raises the work-limit error as soon as the work would exceed `work_limit`, without
    starting when the up-front estimate (:func:`_exact_work_estimate`) already does.
    """
    estimate = _exact_work_estimate(counts)
    if estimate > work_limit:
        Budget(work_limit).spend(estimate)
    if min(counts.shape) == 2:
        return two_column_pvalue(counts, work_limit)
    return network_pvalue(counts, work_limit)


def _exact_work_estimate(counts: NDArray[np.int64]) -> int:
    """Bound from below, cheaply, the work of the exact test of a validated table.

    The tables every engine builds before its first step, computed from the margins.
    """
    if min(counts.shape) == 2:
        return two_column_work_estimate(counts)
    return network_work_estimate(counts)


def _as_work_limit(value: object) -> int:
    return as_work_limit(value)


# --- exact multinomial goodness of fit ------------------------------------------------------
def multinomial_exact_pvalue(
    observed: object,
    probabilities: object,
    *,
    exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT,
) -> float:
    r"""Exact multinomial goodness-of-fit p-value.

    Parameters
    ----------
    observed : array-like of int, shape (k,)
        Observed counts.
    probabilities : array-like of float, shape (k,)
        Hypothesised category probabilities, summing to 1.
    exact_work_limit : int, optional
        Largest number of work units (elements of vectorised passes, about
        :data:`WORK_SECONDS` seconds each) to spend before stopping with an error.

    Returns
    -------
    float
        The total probability of the outcomes (with the same total) at most as probable as
        the observed one, with R's relative tolerance :math:`10^{-7}`.

    Raises
    ------
    InvalidInputError
        If the inputs are not valid counts and probabilities of equal length, or the
        computation would exceed `exact_work_limit`.

    Notes
    -----
    The outcome :math:`x` has probability
    :math:`P(x) = n! \prod_i p_i^{x_i} / x_i!` and

    .. math::

        p = \sum_{x:\, P(x) \le P(x_{obs})(1 + 10^{-7})} P(x).

    The sum is computed with the network algorithm of :func:`fisher_exact_pvalue`
    specialised to one margin: a stage is a category, a node the number of observations
    not yet allocated, and the longest and shortest remaining paths are exact (a dynamic
    programme). The sum of every completion of a node with :math:`n'` observations left
    over categories with total probability :math:`s` is :math:`s^{n'} / n'!`. Categories
    with probability 0 must have count 0 and are dropped. The work counted against
    `exact_work_limit` is the :math:`k (n + 1)^2` steps of the dynamic programme plus the
    partial outcomes generated; with the default limit, samples of a few hundred
    observations take milliseconds.

    Examples
    --------
    >>> print(round(multinomial_exact_pvalue([3, 0, 1], [0.25, 0.5, 0.25]), 4))
    0.0391
    """
    counts = as_counts(observed, "observed", ndim=1)
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.shape != counts.shape:
        raise fail(
            "probabilities",
            "have one value per category of `observed`",
            f"{probs.size} values for {counts.size} categories",
        )
    if not (np.isfinite(probs).all() and (probs >= 0).all()) or abs(probs.sum() - 1) > 1e-8:
        raise fail("probabilities", "hold non-negative numbers summing to 1", repr(probs))
    impossible = (probs == 0) & (counts > 0)
    if impossible.any():
        raise fail(
            "observed",
            "be zero where the probability is zero",
            f"{int(counts[impossible][0])} at index {int(np.flatnonzero(impossible)[0])}",
        )
    limit = _as_work_limit(exact_work_limit)
    keep = probs > 0
    return _multinomial_pvalue(counts[keep], probs[keep], limit)


def _multinomial_pvalue(
    counts: NDArray[np.int64], probs: NDArray[np.float64], work_limit: int
) -> float:
    """Exact multinomial p-value on validated input with positive probabilities."""
    n = int(counts.sum())
    k = len(counts)
    if k <= 1 or n == 0:
        return 1.0
    budget = Budget(work_limit, "multinomial test")
    budget.spend(k * (n + 1) ** 2 * 6)  # the dynamic programme for the path bounds
    log_p = np.log(probs)
    threshold = float((counts * log_p - lfact(counts)).sum()) + LOG_TOLERANCE
    # suffix sums of probabilities, and exact longest/shortest remaining paths over nodes
    tail = np.concatenate([np.cumsum(probs[::-1])[::-1], [0.0]])
    nodes = np.arange(n + 1)
    q_max = [np.zeros(n + 1)] * (k + 1)
    q_min = [np.zeros(n + 1)] * (k + 1)
    q_max[k - 1] = q_min[k - 1] = nodes * log_p[k - 1] - lfact(nodes)
    for stage in range(k - 2, -1, -1):
        x = nodes[None, :]
        left = nodes[:, None] - x
        ok = left >= 0
        edge = x * log_p[stage] - lfact(x)
        index = np.clip(left, 0, n)
        q_max[stage] = np.where(ok, edge + q_max[stage + 1][index], -np.inf).max(axis=1)
        q_min[stage] = np.where(ok, edge + q_min[stage + 1][index], np.inf).min(axis=1)
    node = np.array([n])
    past = np.zeros(1)
    weight = np.zeros(1)
    found: list[NDArray[np.float64]] = []
    for stage in range(k):
        margin = 0.0 if stage == k - 1 else MARGIN  # the last stage's paths are exact
        every = past + q_max[stage][node] <= threshold - margin
        log_total = node * math.log(tail[stage]) - lfact(node) if tail[stage] > 0 else 0.0
        found.append((weight + past + log_total)[every])
        expand = ~every & (past + q_min[stage][node] <= threshold + margin)
        if not expand.any() or stage == k - 1:
            break
        node, past, weight = node[expand], past[expand], weight[expand]
        budget.spend(int((node + 1).sum()) * 20)
        x = np.arange(n + 1)
        rows, taken = np.nonzero(x[None, :] <= node[:, None])
        child = node[rows] - x[taken]
        new_past = past[rows] + taken * log_p[stage] - lfact(taken)
        node, past, weight = _merge_outcomes(child, new_past, weight[rows])
    log_pvalue = logsumexp(np.concatenate(found)) + float(lfact(n))
    return min(1.0, math.exp(log_pvalue))


def _merge_outcomes(
    node: NDArray[np.int64], past: NDArray[np.float64], weight: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Merge partial outcomes with the same count left and past (to 1e-9, log scale)."""
    if len(node) <= 1:
        return node, past, weight
    grid = np.round(past * 1e9).astype(np.int64)
    order = np.lexsort((grid, node))
    node_s, grid_s = node[order], grid[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    new[1:] = (node_s[1:] != node_s[:-1]) | (grid_s[1:] != grid_s[:-1])
    starts = np.flatnonzero(new)
    weight_s = weight[order]
    top = np.maximum.reduceat(weight_s, starts)
    sizes = np.diff(np.append(starts, len(order)))
    summed = np.add.reduceat(np.exp(weight_s - np.repeat(top, sizes)), starts)
    first = order[starts]
    return node[first], past[first], top + np.log(summed)


# --- Monte Carlo ----------------------------------------------------------------------------


def _table_statistics(
    tables: NDArray[np.int64], expected: NDArray[np.float64], statistic: Statistic
) -> NDArray[np.float64]:
    """Pearson or G statistic of a stack of tables or vectors (first axis) against `expected`."""
    flat = tables.reshape(len(tables), -1)
    if statistic == "pearson":
        diff = flat - expected.ravel()
        return np.asarray((diff * diff) @ (1.0 / expected.ravel()))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(flat > 0, flat * np.log(flat / expected.ravel()), 0.0)
    return np.asarray(2.0 * terms.sum(axis=1))


def _two_column_pearson(
    first: NDArray[np.int64], expected: NDArray[np.float64]
) -> NDArray[np.float64]:
    r"""Compute the Pearson statistic of r x 2 tables from their first column alone.

    The second column's deviations are the first's negated, so
    :math:`X^2 = \sum_i (x_i - E_{i1})^2 (1/E_{i1} + 1/E_{i2})`.
    """
    diff = first - expected[:, 0]
    return np.asarray((diff * diff) @ (1.0 / expected[:, 0] + 1.0 / expected[:, 1]))


def _count_at_least(
    draw: Callable[[int], NDArray[np.float64]], observed: float, n_resamples: int
) -> int:
    """Count simulated statistics at least the observed one (R's tolerance), in chunks."""
    hits = 0
    chunk = 200_000
    for start in range(0, n_resamples, chunk):
        values = draw(min(chunk, n_resamples - start))
        hits += int(np.count_nonzero(values >= _ALMOST_ONE * observed))
    return hits


def monte_carlo_independence_pvalue(
    table: object,
    *,
    n_resamples: int = 10_000,
    statistic: Statistic = "pearson",
    rng: RngLike = None,
) -> tuple[float, int | None]:
    r"""Monte Carlo p-value of a test of independence, with both margins fixed.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts; every row and column must be non-empty.
    n_resamples : int, optional
        Number of simulated tables :math:`B`.
    statistic : {"pearson", "g"}, optional
        The statistic compared.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator; ``None`` draws a seed and returns it.

    Returns
    -------
    pvalue : float
        :math:`(1 + \#\{T_b \ge T_{obs}\}) / (B + 1)`, as R's ``simulate.p.value``.
    seed : int or None
        The integer seed used, or ``None`` when a Generator was given.

    Raises
    ------
    InvalidInputError
        If an argument is invalid.
    InsufficientDataError
        If a row or column of `table` is empty.

    Notes
    -----
    Tables are drawn from the hypergeometric distribution given both margins with
    Patefield's algorithm [1]_ (``scipy.stats.random_table``; for tables with two rows or
    columns the algorithm reduces to sequential hypergeometric draws of one column, done by
    ``numpy.random.Generator.multivariate_hypergeometric(method="marginals")``), and the
    statistic is computed for all of them at once. A simulated statistic counts as "at least the
    observed" when it is at least :math:`(1 - 64\epsilon)` times it, as in R.

    References
    ----------
    .. [1] Patefield, W. M. (1981). Algorithm AS 159: an efficient method of generating
       random r x c tables with given row and column totals. Applied Statistics 30(1),
       91-97.

    Examples
    --------
    >>> p, seed = monte_carlo_independence_pvalue([[12, 5], [3, 10]], n_resamples=2000,
    ...                                           rng=1)
    >>> print(seed, 0.005 < p < 0.05)
    1 True
    """
    counts = as_counts(table, "table", ndim=2)
    if (counts.sum(axis=1) == 0).any() or (counts.sum(axis=0) == 0).any():
        raise InsufficientDataError(
            "`table` must have no empty row or column for a Monte Carlo test; drop them first.",
            argument="table",
        )
    resamples = _as_resamples(n_resamples)
    which: Statistic = as_option(statistic, "statistic", ("pearson", "g"))
    generator, seed = as_rng(rng, "rng")
    return _monte_carlo_independence(counts, resamples, which, generator), seed


def _monte_carlo_independence(
    counts: NDArray[np.int64],
    n_resamples: int,
    statistic: Statistic,
    generator: np.random.Generator,
) -> float:
    """Monte Carlo independence p-value on a validated table without empty margins."""
    if counts.shape[0] == 2 and counts.shape[1] > 2:
        counts = counts.T  # the statistics are symmetric; sample the two-column form
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    expected = np.outer(rows, cols) / counts.sum()
    draw: Callable[[int], NDArray[np.float64]]
    if counts.shape[1] == 2:
        # Patefield's algorithm for two columns: sequential hypergeometric draws of the
        # first column given the row totals (numpy's "marginals" method)
        def draw_first(size: int) -> NDArray[np.int64]:
            return generator.multivariate_hypergeometric(
                rows, int(cols[0]), size=size, method="marginals"
            )

        if statistic == "pearson":
            observed = float(_two_column_pearson(counts[None, :, 0], expected)[0])

            def draw(size: int) -> NDArray[np.float64]:
                return _two_column_pearson(draw_first(size), expected)
        else:
            observed = float(_table_statistics(counts[None], expected, statistic)[0])

            def draw(size: int) -> NDArray[np.float64]:
                first = draw_first(size)
                tables = np.stack([first, rows - first], axis=2)
                return _table_statistics(tables, expected, statistic)
    else:
        observed = float(_table_statistics(counts[None], expected, statistic)[0])
        from scipy import stats  # noqa: PLC0415  # imported on first use: import time

        sampler = stats.random_table(rows, cols, seed=generator)

        def draw(size: int) -> NDArray[np.float64]:
            return _table_statistics(sampler.rvs(size), expected, statistic)

    hits = _count_at_least(draw, observed, n_resamples)
    return (1 + hits) / (n_resamples + 1)


def monte_carlo_gof_pvalue(
    observed: object,
    probabilities: object,
    *,
    n_resamples: int = 10_000,
    statistic: Statistic = "pearson",
    rng: RngLike = None,
) -> tuple[float, int | None]:
    r"""Monte Carlo goodness-of-fit p-value under a multinomial null.

    Parameters
    ----------
    observed : array-like of int, shape (k,)
        Observed counts.
    probabilities : array-like of float, shape (k,)
        Hypothesised probabilities, all positive, summing to 1.
    n_resamples : int, optional
        Number of simulated samples :math:`B`.
    statistic : {"pearson", "g"}, optional
        The statistic compared.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator; ``None`` draws a seed and returns it.

    Returns
    -------
    pvalue : float
        :math:`(1 + \#\{T_b \ge T_{obs}\}) / (B + 1)`.
    seed : int or None
        The integer seed used, or ``None`` when a Generator was given.

    Raises
    ------
    InvalidInputError
        If an argument is invalid.

    Notes
    -----
    Samples of size :math:`n` are drawn from the multinomial distribution with the given
    probabilities (``numpy.random.Generator.multinomial``), as R's
    ``chisq.test(x, p = p, simulate.p.value = TRUE)``.

    Examples
    --------
    >>> p, _ = monte_carlo_gof_pvalue([30, 10, 10], [1 / 3, 1 / 3, 1 / 3], rng=7)
    >>> print(p < 0.01)
    True
    """
    counts = as_counts(observed, "observed", ndim=1)
    probs = np.asarray(probabilities, dtype=np.float64)
    if (
        probs.shape != counts.shape
        or not np.isfinite(probs).all()
        or (probs <= 0).any()
        or abs(probs.sum() - 1) > 1e-8
    ):
        raise fail(
            "probabilities",
            "hold one positive probability per category of `observed`, summing to 1",
            repr(probs),
        )
    resamples = _as_resamples(n_resamples)
    which: Statistic = as_option(statistic, "statistic", ("pearson", "g"))
    generator, seed = as_rng(rng, "rng")
    return _monte_carlo_gof(counts, probs, resamples, which, generator), seed


def _monte_carlo_gof(
    counts: NDArray[np.int64],
    probs: NDArray[np.float64],
    n_resamples: int,
    statistic: Statistic,
    generator: np.random.Generator,
) -> float:
    """Monte Carlo goodness-of-fit p-value on validated input."""
    n = int(counts.sum())
    expected = n * probs
    observed = float(_table_statistics(counts[None], expected, statistic)[0])

    def draw(size: int) -> NDArray[np.float64]:
        return _table_statistics(generator.multinomial(n, probs, size=size), expected, statistic)

    hits = _count_at_least(draw, observed, n_resamples)
    return (1 + hits) / (n_resamples + 1)


def _as_resamples(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise fail("n_resamples", "be a positive integer", repr(value))
    return int(value)
