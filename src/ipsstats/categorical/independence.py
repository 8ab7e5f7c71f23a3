"""Tests of independence in two-way tables, residuals and Cramér's V.

:func:`independence` asks whether two factors are associated (for example ethnic group and
gaining a job). It chooses and records its test: Pearson's chi-squared when the expected
counts are large enough, otherwise an exact conditional test, otherwise a seeded Monte
Carlo test. Every result carries the expected counts, Pearson and adjusted residuals, the
cell contributions and Cramér's V, so a significant result can be read cell by cell.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, NamedTuple

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_option, as_rng, fail, readonly
from ipsstats._scipy import special
from ipsstats.categorical._exact_common import WorkLimitError, describe_work
from ipsstats.categorical.exact import (
    DEFAULT_EXACT_WORK_LIMIT,
    _as_resamples,
    _as_work_limit,
    _exact_pvalue,
    _monte_carlo_independence,
)
from ipsstats.categorical.residuals import (
    _SMALL_TABLE,
    _adjusted,
    _cramers_v,
    _margins,
    _validated_table,
    adjusted_residuals,
    cramers_v,
    pearson_residuals,
)
from ipsstats.errors import SmallExpectedCountWarning
from ipsstats.results import TestResult, frozen_mapping, json_safe

# the residual functions lived here in 0.1 and are still importable from this module
__all__ = [
    "IndependenceResult",
    "adjusted_residuals",
    "cramers_v",
    "independence",
    "pearson_residuals",
]

IndependenceMethod = Literal["auto", "pearson", "g", "cressie-read", "exact", "monte-carlo"]
_METHODS: tuple[IndependenceMethod, ...] = (
    "auto",
    "pearson",
    "g",
    "cressie-read",
    "exact",
    "monte-carlo",
)
_ASYMPTOTIC = ("pearson", "g", "cressie-read")
_DEFAULT_RESAMPLES = 10_000
_CRESSIE_READ_LAMBDA = 2.0 / 3.0


def _is_frozen(value: object, dtype: type[np.generic]) -> bool:
    """Whether `value` is a read-only array of `dtype` owning its data (safe to share)."""
    return (
        isinstance(value, np.ndarray)
        and value.dtype == dtype
        and not value.flags.writeable
        and value.base is None
    )


def _float_array(value: object) -> NDArray[np.float64]:
    """Store a read-only float64 copy (attrs converter); frozen arrays are kept as they are."""
    if _is_frozen(value, np.float64):
        return value  # type: ignore[return-value]  # checked by _is_frozen
    return readonly(np.asarray(value), np.float64)


def _int_array(value: object) -> NDArray[np.int64]:
    """Store a read-only int64 copy (attrs converter); frozen arrays are kept as they are."""
    if _is_frozen(value, np.int64):
        return value  # type: ignore[return-value]  # checked by _is_frozen
    return readonly(np.asarray(value), np.int64)


def _tuple(value: Iterable[object]) -> tuple[object, ...]:
    """Store labels as a tuple (attrs converter)."""
    return tuple(value)


# --- shared internals (also used by the goodness-of-fit tests) ----------------------------


def _power_divergence(
    observed: NDArray[Any], expected: NDArray[np.float64], lambda_: float
) -> NDArray[np.float64]:
    r"""Per-cell terms of the Cressie-Read power divergence (they sum to the statistic).

    ``lambda_ = 1`` gives Pearson's terms, ``0`` the likelihood-ratio (G) terms and
    ``-1`` the modified likelihood-ratio terms. A zero count contributes its limit,
    :math:`\lim_{O \to 0} O [(O/E)^\lambda - 1] = 0` when ``lambda_ > -1`` (as for G),
    and :math:`+\infty` when ``lambda_ <= -1``, which callers refuse with
    :func:`_check_zero_counts`.
    """
    obs = observed.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if lambda_ == 1.0:
            diff = obs - expected
            return np.asarray(diff * diff / expected)
        if lambda_ == 0.0:
            return np.asarray(2.0 * np.where(obs > 0, obs * np.log(obs / expected), 0.0))
        if lambda_ == -1.0:
            return np.asarray(2.0 * expected * np.log(expected / obs))
        ratio = (obs / expected) ** lambda_
        terms = 2.0 / (lambda_ * (lambda_ + 1.0)) * obs * (ratio - 1.0)
        return np.asarray(np.where(obs > 0, terms, 0.0 if lambda_ > -1.0 else np.inf))


def _check_zero_counts(
    counts: NDArray[np.int64], lambda_: float, describe: Callable[[int], str]
) -> None:
    """Refuse a power divergence with ``lambda_ <= -1`` on counts that include a zero.

    Such a statistic is infinite whatever the other counts are, so its p-value of 0 would
    say nothing about the data. `describe` names the cell at a flat index.
    """
    if lambda_ > -1.0 or counts.all():
        return
    first = int(np.flatnonzero(counts.ravel() == 0)[0])
    raise fail(
        "lambda_",
        "be greater than -1 when a count is zero (the power divergence is then infinite)",
        f"{lambda_:g} with a zero count at {describe(first)}",
        hint="use the default lambda_ (2/3), method='g', or method='exact'.",
    )


def _chi2_sf(statistic: float, dof: float) -> float:
    """Upper tail of the chi-squared distribution (survival function, not 1 - cdf)."""
    return float(special.chdtrc(dof, statistic))


def _cochran(expected: NDArray[np.float64], smallest: float | None = None) -> dict[str, Any]:
    """Expected-count diagnostics and whether Cochran's rule holds.

    `smallest` is the smallest expected count when the caller knows it already.
    """
    size = expected.size
    if smallest is None:
        smallest = float(expected.min())
    below_1 = int(np.count_nonzero(expected < 1.0)) if smallest < 1.0 else 0
    below_5 = int(np.count_nonzero(expected < 5.0)) if smallest < 5.0 else 0
    return {
        "min_expected": smallest,
        "n_cells": size,
        "n_expected_below_1": below_1,
        "n_expected_below_5": below_5,
        "share_expected_below_5": below_5 / size,
        "cochran_rule_holds": below_1 == 0 and below_5 <= 0.2 * size,
    }


def _small_count_caveat(diagnostics: Mapping[str, Any], test: str) -> str:
    return (
        f"{test} used although Cochran's rule fails: the smallest expected count is "
        f"{diagnostics['min_expected']:.3g} and {diagnostics['n_expected_below_5']} of "
        f"{diagnostics['n_cells']} expected counts are below 5; the chi-squared "
        "approximation may be poor (an exact or Monte Carlo test is safer)"
    )


def _warn_small(caveat: str) -> None:
    warnings.warn(caveat, SmallExpectedCountWarning, stacklevel=4)


def _lambda_for(method: str, lambda_: object) -> float:
    """Return the power-divergence parameter of a method (1 unless Cressie-Read is asked)."""
    if method not in _ASYMPTOTIC:
        if lambda_ is not None:
            raise fail(
                "lambda_",
                "be None unless method is 'cressie-read', 'pearson' or 'g'",
                f"{lambda_!r} with method={method!r}",
            )
        return 1.0
    if method == "pearson":
        value = 1.0 if lambda_ is None else lambda_
        if value != 1.0:
            raise fail("lambda_", "be None or 1 with method='pearson'", repr(lambda_))
        return 1.0
    if method == "g":
        if lambda_ not in (None, 0, 0.0):
            raise fail("lambda_", "be None or 0 with method='g'", repr(lambda_))
        return 0.0
    if lambda_ is None:
        return _CRESSIE_READ_LAMBDA
    if (
        isinstance(lambda_, bool)
        or not isinstance(lambda_, (int, float, np.integer, np.floating))
        or not math.isfinite(float(lambda_))
    ):
        raise fail("lambda_", "be a finite real number", repr(lambda_))
    return float(lambda_)


# --- the test -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class IndependenceResult(TestResult):
    r"""Result of :func:`independence`: the test plus the table read cell by cell.

    Parameters
    ----------
    observed : numpy.ndarray
        The counts tested (rows x columns; empty rows and columns removed).
    expected : numpy.ndarray
        Expected counts under independence, :math:`r_i c_j / n`.
    contributions : numpy.ndarray
        Per-cell terms of `statistic` (they sum to it).
    row_levels, col_levels : tuple
        Labels of the rows and columns of `observed`.
    cramers_v : float
        Cramér's V (without bias correction; see :func:`cramers_v`).
    correction : bool
        Whether Yates' continuity correction was applied (Pearson's test of a 2 x 2
        table only).

    Attributes
    ----------
    residuals : numpy.ndarray
        Pearson residuals :math:`(O - E) / \sqrt{E}` (computed on first access).
    adjusted_residuals : numpy.ndarray
        Adjusted (Haberman) residuals, approximately standard normal under independence
        (computed on first access). Both are included by ``to_dict()``.

    Notes
    -----
    The inherited fields are described on :class:`~ipsstats.TestResult`; ``requested``
    is the `method` asked for (e.g. ``"auto"``) and ``reason`` says why the test in
    ``method`` ran. ``details`` holds the expected-count diagnostics (``min_expected``,
    ``n_cells``, ``n_expected_below_1``, ``n_expected_below_5``,
    ``share_expected_below_5``, ``cochran_rule_holds``), ``lambda`` for the Cressie-Read
    statistic, and, for resampling, ``statistic`` (the statistic simulated),
    ``n_resamples`` and ``seed``.
    """

    observed: NDArray[np.int64] = attrs.field(converter=_int_array)
    expected: NDArray[np.float64] = attrs.field(converter=_float_array)
    contributions: NDArray[np.float64] = attrs.field(converter=_float_array)
    row_levels: tuple[object, ...] = attrs.field(converter=_tuple)
    col_levels: tuple[object, ...] = attrs.field(converter=_tuple)
    cramers_v: float = attrs.field(converter=float)
    correction: bool = attrs.field(default=False, converter=bool)

    @functools.cached_property
    def residuals(self) -> NDArray[np.float64]:
        r"""Pearson residuals :math:`(O - E) / \sqrt{E}` (read-only; computed on first use)."""
        out = (self.observed - self.expected) / np.sqrt(self.expected)
        out.flags.writeable = False
        return np.asarray(out)

    @functools.cached_property
    def adjusted_residuals(self) -> NDArray[np.float64]:
        """Adjusted (Haberman) residuals (read-only; computed on first use)."""
        out = _adjusted(self.observed, self.expected)
        out.flags.writeable = False
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the fields and the residuals as JSON-safe Python objects."""
        out = super().to_dict()
        out["residuals"] = json_safe(self.residuals)
        out["adjusted_residuals"] = json_safe(self.adjusted_residuals)
        return out


def _as_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, "be True or False", repr(value))
    return bool(value)


def _choose(
    method: IndependenceMethod,
    counts: NDArray[np.int64],
    diagnostics: dict[str, Any],
    work_limit: int,
    n_resamples: int,
) -> tuple[str, str, float | None]:
    """Resolve ``auto``: (method to run, reason, exact p-value if already computed).

    The exact test is attempted within `work_limit` (work units, not seconds, so the
    decision is deterministic); its work, or the work it would need, goes into
    `diagnostics` as ``exact_work`` with ``exact_work_limit``.
    """
    if method != "auto":
        return method, f"method={method!r} was requested", None
    if diagnostics["cochran_rule_holds"]:
        reason = (
            "Cochran's rule holds (no expected count below 1, at most 20% below 5), so "
            "Pearson's chi-squared approximation is adequate"
        )
        return "pearson", reason, None
    failing = (
        f"Cochran's rule fails (smallest expected count {diagnostics['min_expected']:.3g}, "
        f"{diagnostics['n_expected_below_5']} of {diagnostics['n_cells']} below 5)"
    )
    diagnostics["exact_work_limit"] = work_limit
    try:
        pvalue, work = _exact_pvalue(counts, work_limit)
    except WorkLimitError as exc:
        diagnostics["exact_work"] = exc.work
        reason = (
            f"{failing}; the exact test would need more than {describe_work(exc.work)}, "
            f"above the work limit {work_limit:,}; Monte Carlo with {n_resamples:,} "
            "resamples used"
        )
        return "monte-carlo", reason, None
    diagnostics["exact_work"] = work
    return "exact", f"{failing}, so the exact conditional test was used", pvalue


def independence(
    table: object,
    *,
    method: IndependenceMethod = "auto",
    correction: bool = False,
    lambda_: float | None = None,
    n_resamples: int | None = None,
    rng: int | np.random.Generator | None = None,
    exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT,
) -> IndependenceResult:
    r"""Test whether the row and column factors of a two-way table are independent.

    Parameters
    ----------
    table : ContingencyTable or array-like of int, shape (r, c)
        Counts. Missing values recorded on a :class:`~ipsstats.ContingencyTable` are
        excluded and counted in ``n_excluded``; empty rows and columns are dropped (they
        carry no information) and named in ``caveats``.
    method : {"auto", "pearson", "g", "cressie-read", "exact", "monte-carlo"}, optional
        ``"pearson"``: Pearson's chi-squared; ``"g"``: likelihood-ratio chi-squared;
        ``"cressie-read"``: power divergence with parameter `lambda_`; ``"exact"``:
        Fisher's exact test (2 x 2) or the Fisher-Freeman-Halton test (r x c), computed
        exactly; ``"monte-carlo"``: Pearson's statistic with a simulated p-value;
        ``"auto"`` (default): Pearson when Cochran's rule holds, otherwise exact within
        `exact_work_limit`, otherwise Monte Carlo.
    correction : bool, optional
        Yates' continuity correction; only with ``method="pearson"`` on a 2 x 2 table.
    lambda_ : float or None, optional
        Power-divergence parameter for ``"cressie-read"`` (default 2/3).
    n_resamples : int or None, optional
        Simulated tables for Monte Carlo (default 10,000).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator for Monte Carlo; ``None`` draws a seed, recorded in ``details``.
        Validated whenever it is given.
    exact_work_limit : int, optional
        Largest number of work units the exact test may spend (a unit is one element of
        a vectorised pass, a few nanoseconds; the default is about 0.2 s of work).

    Returns
    -------
    IndependenceResult
        ``statistic`` (Pearson's :math:`X^2` for the exact and Monte Carlo tests, which
        have ``dof = None``), ``pvalue``, ``dof``, ``method`` (the test that ran: a short
        token, ``"pearson"``, ``"g"``, ``"cressie-read"``, ``"fisher-exact"``,
        ``"fisher-freeman-halton"`` or ``"monte-carlo"``), ``requested`` (the `method`
        asked for), ``reason`` (why), ``correction``, ``expected``, ``residuals``,
        ``adjusted_residuals``, ``contributions``, ``cramers_v``, ``n``, ``n_excluded``,
        ``exclusions``, ``caveats`` and ``details`` (expected-count diagnostics,
        ``lambda`` of the Cressie-Read statistic, the statistic, resamples and seed of a
        Monte Carlo test).

    Raises
    ------
    InvalidInputError
        For counts that are negative, fractional or not finite or add up to more than
        2**53, an unknown `method`, a `rng` that is not a seed or generator,
        `correction` on anything but a Pearson test of a 2 x 2 table, ``lambda_ <= -1``
        on a table with a zero cell (the divergence is infinite), or an exact test past
        `exact_work_limit` when ``method="exact"``.
    InsufficientDataError
        If fewer than two rows or columns are non-empty (the message names the empty ones).

    Warns
    -----
    SmallExpectedCountWarning
        When an asymptotic method is requested on a table failing Cochran's rule; the same
        text is recorded in ``caveats``.

    See Also
    --------
    homogeneity : the same test framed as two samples of one factor.
    cramers_v : strength of association.

    Notes
    -----
    With :math:`E_{ij} = r_i c_j / n` and :math:`\lambda` the power-divergence parameter
    (1 for Pearson, 0 for G),

    .. math::

        X^2 = \sum_{ij} \frac{(O_{ij} - E_{ij})^2}{E_{ij}}, \quad
        G^2 = 2 \sum_{ij} O_{ij} \log\frac{O_{ij}}{E_{ij}}, \quad
        \frac{2}{\lambda(\lambda+1)} \sum_{ij} O_{ij}
        \left[\left(\frac{O_{ij}}{E_{ij}}\right)^{\lambda} - 1\right],

    referred to :math:`\chi^2` with :math:`(r-1)(c-1)` degrees of freedom [1]_ [2]_. A zero
    cell adds its limit to the power divergence: 0 for :math:`\lambda > -1`; for
    :math:`\lambda \le -1` the statistic would be infinite and is refused.
    Yates' correction replaces :math:`|O - E|` by :math:`\max(0, |O - E| - 1/2)`. The
    exact test sums the conditional probabilities of the tables at most as probable as
    the observed one (R's convention, relative tolerance :math:`10^{-7}`); see
    the network algorithm of :mod:`ipsstats.categorical.exact`. The Monte Carlo p-value is
    :math:`(1 + \#\{X^2_b \ge X^2\}) / (B + 1)` over :math:`B` tables drawn with both
    margins fixed (Patefield's algorithm), as R's ``chisq.test(simulate.p.value = TRUE)``.

    References
    ----------
    .. [1] Agresti, A. (2013). Categorical Data Analysis, 3rd edition. Wiley, ch. 3.
    .. [2] Cressie, N. and Read, T. R. C. (1984). Multinomial goodness-of-fit tests.
       Journal of the Royal Statistical Society B 46(3), 440-464.
    .. [3] Perkins, R. et al. (2022). Individual placement and support: cross-sectional
       study of equality of access and outcome for Black, Asian and minority ethnic
       communities. BJPsych Bulletin 46, Table 3.

    Examples
    --------
    Job outcomes by ethnic group at CNWL, from the 2022 paper (Table 3: 2.50, P = 0.64):

    >>> from ipsstats.datasets import perkins2022
    >>> res = independence(perkins2022().jobs_all["CNWL"], method="pearson")
    >>> print(round(res.statistic, 2), round(res.pvalue, 2), res.dof)
    2.5 0.64 4.0

    R's ``chisq.test`` example (X-squared = 30.07, df = 2, p-value = 2.954e-07):

    >>> res = independence([[762, 327, 468], [484, 239, 477]])
    >>> print(res.method, round(res.statistic, 3), f"{res.pvalue:.3e}")
    pearson 30.07 2.954e-07
    """
    how = as_option(method, "method", _METHODS)
    yates = _as_bool(correction, "correction")
    valid = _validated_table(table, need_full=False)
    counts, rows, cols = valid.counts, valid.rows, valid.cols
    if yates and (how != "pearson" or counts.shape != (2, 2)):
        raise fail(
            "correction",
            "be False unless method='pearson' on a 2 x 2 table",
            f"correction=True with method={how!r} on a {counts.shape[0]} x {counts.shape[1]} "
            "table",
            hint="Yates' correction is defined for 2 x 2 tables only.",
        )
    lam = _lambda_for(how, lambda_)
    if lam <= -1.0:
        _check_zero_counts(
            counts, lam, lambda k: f"row {rows[k // len(cols)]!r}, column {cols[k % len(cols)]!r}"
        )
    limit = _as_work_limit(exact_work_limit)
    resamples = _DEFAULT_RESAMPLES if n_resamples is None else _as_resamples(n_resamples)
    resolved = None if rng is None else as_rng(rng, "rng")
    run = _run_table(
        counts,
        how=how,
        lam=lam,
        yates=yates,
        n_resamples=resamples,
        rng=resolved,
        limit=limit,
        margins=(valid.row_totals, valid.col_totals),
    )
    caveats = run.caveats
    if valid.dropped:
        dropped = (
            f"empty rows or columns were dropped; the test used rows {list(rows)} and "
            f"columns {list(cols)}"
        )
        caveats = (dropped, *caveats)
    exclusions = valid.exclusions
    return _stored_result(
        run.statistic,
        run.pvalue,
        run.dof,
        run.name,  # method
        run.n,
        sum(exclusions.values()),  # n_excluded
        frozen_mapping(exclusions),
        caveats,
        frozen_mapping(run.details),
        how,  # requested
        run.reason,
        counts,  # observed
        run.expected,
        run.terms,  # contributions
        rows,  # row_levels
        cols,  # col_levels
        _cramers_v(run.pearson, run.n, counts.shape, bias_correction=False),
        yates,  # correction
    )


#: The fields of :class:`IndependenceResult`, in the order :func:`_stored_result` takes them.
_STORED_FIELDS = (
    "statistic",
    "pvalue",
    "dof",
    "method",
    "n",
    "n_excluded",
    "exclusions",
    "caveats",
    "details",
    "requested",
    "reason",
    "observed",
    "expected",
    "contributions",
    "row_levels",
    "col_levels",
    "cramers_v",
    "correction",
)
_SLOT_SETTERS = tuple(getattr(IndependenceResult, name).__set__ for name in _STORED_FIELDS)


def _stored_result(*values: object) -> IndependenceResult:
    """Build an :class:`IndependenceResult` from values already in their stored form.

    The values come in the order of :data:`_STORED_FIELDS`. The hot path of
    :func:`independence` (microseconds per call) skips the attrs converters, whose work
    is already done: every value is a Python scalar, a tuple, a read-only mapping or a
    read-only array of the field's dtype owning its data. The test suite checks that
    :data:`_STORED_FIELDS` lists every field and that the result equals the one the
    converting constructor builds.
    """
    result = object.__new__(IndependenceResult)
    for setter, value in zip(_SLOT_SETTERS, values, strict=True):
        setter(result, value)
    return result


class _TableRun(NamedTuple):
    """What the test of a validated table produced (internal)."""

    statistic: float
    pvalue: float
    dof: float | None
    name: str
    reason: str
    expected: NDArray[np.float64]
    terms: NDArray[np.float64]
    pearson: float
    n: int
    caveats: tuple[str, ...]
    details: dict[str, Any]


def _run_table(
    counts: NDArray[np.int64],
    *,
    how: IndependenceMethod,
    lam: float,
    yates: bool,
    n_resamples: int,
    rng: tuple[np.random.Generator, int | None] | None,
    limit: int,
    margins: tuple[list[int], list[int]] | None = None,
) -> _TableRun:
    """Run the requested (or automatically chosen) test on a validated table.

    `rng` is the resolved generator and seed (``None``: a fresh seed is drawn if a Monte
    Carlo test runs); `margins` the row and column totals when already computed. The
    arrays returned are read-only.
    """
    row_list, col_list = _margins(counts) if margins is None else margins
    total = sum(row_list)
    n = float(total)
    if counts.size <= _SMALL_TABLE:
        expected, pearson_terms, pearson = _pearson_cells(counts, row_list, col_list, n)
    else:
        expected, pearson_terms, pearson = _pearson_arrays(counts, row_list, col_list, n)
    # the smallest expected count from the margins, (min r / n) * min c: the smallest of
    # the products above, since rounding is monotone
    details = _cochran(expected, smallest=(min(row_list) / n) * min(col_list))
    ran, reason, exact_p = _choose(how, counts, details, limit, n_resamples)
    caveats: tuple[str, ...] = ()
    dof: float | None = float((counts.shape[0] - 1) * (counts.shape[1] - 1))
    if ran in _ASYMPTOTIC:
        terms = _asymptotic_terms(counts, expected, lam, yates, pearson_terms)
        statistic = pearson if terms is pearson_terms else float(terms.sum())
        pvalue = _chi2_sf(statistic, dof)  # type: ignore[arg-type]  # dof set above
        name = ran
        if ran == "cressie-read":
            details["lambda"] = lam
        if not details["cochran_rule_holds"] and how != "auto":
            label = "pearson chi-squared with Yates' correction" if yates else f"{ran} chi-squared"
            caveat = _small_count_caveat(details, label)
            caveats = (caveat,)
            _warn_small(caveat)
    elif ran == "exact":
        statistic, terms, dof = pearson, pearson_terms, None
        if exact_p is None:
            exact_p, details["exact_work"] = _exact_pvalue(counts, limit)
            details["exact_work_limit"] = limit
        pvalue = exact_p
        name = "fisher-exact" if counts.shape == (2, 2) else "fisher-freeman-halton"
    else:
        statistic, terms, dof = pearson, pearson_terms, None
        generator, seed = rng if rng is not None else as_rng(None, "rng")
        pvalue = _monte_carlo_independence(counts, n_resamples, "pearson", generator)
        details.update(statistic="pearson", n_resamples=n_resamples, seed=seed)
        name = "monte-carlo"
    expected.flags.writeable = False
    terms.flags.writeable = False
    # positional: a NamedTuple built from keywords costs a microsecond more
    return _TableRun(
        statistic,
        min(1.0, pvalue),
        dof,
        name,
        reason,
        expected,
        terms,
        pearson,
        total,
        caveats,
        details,
    )


def _pearson_cells(
    counts: NDArray[np.int64], rows: list[int], cols: list[int], n: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Compute the expected counts, Pearson terms and statistic of a small table, by cell.

    The same floating-point operations as :func:`_pearson_arrays`, element for element:
    :math:`E = (r / n) c` and :math:`(O - E)^2 / E`; only the order of the final sum may
    differ (by rounding, about 1e-16 relative).
    """
    expected = [row / n * col for row in rows for col in cols]
    observed = counts.ravel().tolist()
    terms = [(o - e) * (o - e) / e for o, e in zip(observed, expected, strict=True)]
    expected_array = np.array(expected, dtype=np.float64)
    terms_array = np.array(terms, dtype=np.float64)
    expected_array.shape = terms_array.shape = counts.shape
    return expected_array, terms_array, sum(terms)


def _pearson_arrays(
    counts: NDArray[np.int64], rows: list[int], cols: list[int], n: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Compute the expected counts, Pearson terms and statistic of a table, vectorised."""
    row_shares = np.array(rows, dtype=np.int64) / n
    expected = row_shares[:, np.newaxis] * np.array(cols, dtype=np.int64)
    terms = np.subtract(counts, expected)
    np.multiply(terms, terms, out=terms)
    np.divide(terms, expected, out=terms)
    return expected, terms, float(np.add.reduce(terms, None))


def _asymptotic_terms(
    counts: NDArray[np.int64],
    expected: NDArray[np.float64],
    lam: float,
    yates: bool,
    pearson_terms: NDArray[np.float64],
) -> NDArray[np.float64]:
    if yates:
        gap = np.maximum(0.0, np.abs(counts - expected) - 0.5)
        return np.asarray(gap * gap / expected)
    if lam == 1.0:
        return pearson_terms
    return _power_divergence(counts, expected, lam)
