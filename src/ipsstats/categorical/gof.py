"""Goodness of fit and homogeneity: whether the mix of people matches a reference.

:func:`goodness_of_fit` compares observed counts with a known reference (expected counts
or proportions, e.g. the ethnic mix of the eligible caseload treated as fixed).
:func:`homogeneity` compares two samples of one factor (e.g. people reaching IPS against
the caseload they come from) as a 2 x k table. Both report, per category, the observed and
expected counts and shares, Pearson and adjusted residuals and the representation ratio
(observed share over reference share) with a confidence interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_array,
    as_confidence_level,
    as_counts,
    as_option,
    as_rng,
    fail,
    readonly,
)
from ipsstats._deprecation import renamed_keywords
from ipsstats._scipy import special
from ipsstats.categorical.counts import Counts
from ipsstats.categorical.exact import (
    DEFAULT_EXACT_WORK_LIMIT,
    _as_resamples,
    _as_work_limit,
    _monte_carlo_gof,
    _multinomial_pvalue,
)
from ipsstats.categorical.independence import (
    _DEFAULT_RESAMPLES,
    _check_zero_counts,
    _chi2_sf,
    _cochran,
    _lambda_for,
    _power_divergence,
    _run_table,
    _small_count_caveat,
    _warn_small,
)
from ipsstats.categorical.residuals import _adjusted
from ipsstats.errors import InsufficientDataError
from ipsstats.results import TestResult

__all__ = ["GoodnessOfFitResult", "goodness_of_fit", "homogeneity"]

GofMethod = Literal["pearson", "g", "cressie-read", "exact", "monte-carlo"]
HomogeneityMethod = Literal["auto", "pearson", "g", "cressie-read", "exact", "monte-carlo"]
ExpectedKind = Literal["auto", "counts", "proportions"]
_GOF_METHODS: tuple[GofMethod, ...] = ("pearson", "g", "cressie-read", "exact", "monte-carlo")
_HOMOGENEITY_METHODS: tuple[HomogeneityMethod, ...] = (
    "auto",
    "pearson",
    "g",
    "cressie-read",
    "exact",
    "monte-carlo",
)
_KINDS: tuple[ExpectedKind, ...] = ("auto", "counts", "proportions")
_PROPORTION_TOLERANCE = 1e-8
_Values = TypeVar("_Values", NDArray[np.int64], NDArray[np.float64])


def _float_array(value: object) -> NDArray[np.float64]:
    """Store a read-only float64 copy (attrs converter)."""
    return readonly(np.asarray(value), np.float64)


def _int_array(value: object) -> NDArray[np.int64]:
    """Store a read-only int64 copy (attrs converter)."""
    return readonly(np.asarray(value), np.int64)


def _tuple(value: Iterable[object]) -> tuple[object, ...]:
    """Store labels as a tuple (attrs converter)."""
    return tuple(value)


@attrs.frozen(kw_only=True, eq=False)
class GoodnessOfFitResult(TestResult):
    r"""Result of :func:`goodness_of_fit` and :func:`homogeneity`, category by category.

    Parameters
    ----------
    levels : tuple
        The categories tested, in order.
    observed : numpy.ndarray
        Observed counts (for :func:`homogeneity`, those of the first sample `a`).
    expected : numpy.ndarray
        Expected counts of `observed` under the null hypothesis.
    observed_share : numpy.ndarray
        ``observed / observed.sum()``.
    reference_share : numpy.ndarray
        The share each category is compared with: the hypothesised proportion
        (goodness of fit) or the second sample's share (homogeneity).
    residuals : numpy.ndarray
        Pearson residuals of `observed`, :math:`(O - E) / \sqrt{E}`.
    adjusted_residuals : numpy.ndarray
        Adjusted residuals of `observed` (approximately standard normal under the null).
    contributions : numpy.ndarray
        Per-category terms of `statistic` (they sum to it; for homogeneity each is the sum
        over both samples).
    ratio, ratio_lower, ratio_upper : numpy.ndarray
        Representation ratio ``observed_share / reference_share`` and its confidence
        limits (``inf`` where the reference share is zero).
    ratio_method : str
        How the ratio's interval was computed.
    confidence_level : float
        Coverage of the ratio intervals.
    expected_kind : str
        ``"proportions"``, ``"counts"`` (reference counts rescaled) or ``"sample"``
        (homogeneity).
    scale : float
        Factor the reference counts were multiplied by to sum to the observed total (1.0
        for proportions; for homogeneity, ``n_a / n_b``).

    Notes
    -----
    The inherited fields are described on :class:`~ipsstats.TestResult`.
    """

    levels: tuple[object, ...] = attrs.field(converter=_tuple)
    observed: NDArray[np.int64] = attrs.field(converter=_int_array)
    expected: NDArray[np.float64] = attrs.field(converter=_float_array)
    observed_share: NDArray[np.float64] = attrs.field(converter=_float_array)
    reference_share: NDArray[np.float64] = attrs.field(converter=_float_array)
    residuals: NDArray[np.float64] = attrs.field(converter=_float_array)
    adjusted_residuals: NDArray[np.float64] = attrs.field(converter=_float_array)
    contributions: NDArray[np.float64] = attrs.field(converter=_float_array)
    ratio: NDArray[np.float64] = attrs.field(converter=_float_array)
    ratio_lower: NDArray[np.float64] = attrs.field(converter=_float_array)
    ratio_upper: NDArray[np.float64] = attrs.field(converter=_float_array)
    ratio_method: str
    confidence_level: float = attrs.field(converter=float)
    expected_kind: str
    scale: float = attrs.field(converter=float)


# --- input handling -------------------------------------------------------------------------


def _labelled(value: object, name: str) -> tuple[NDArray[np.int64], tuple[object, ...] | None]:
    """Observed counts and their labels (``None`` for unlabelled array-likes)."""
    if isinstance(value, Counts):
        return value.counts, tuple(value.levels)
    if isinstance(value, Mapping):
        labels = tuple(value)
        return as_counts(list(value.values()), name, labels=labels), labels
    return as_counts(value, name), None


def _missing(value: object, name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    if isinstance(value, Counts):
        if value.n_missing:
            out[f"missing value in `{name}`"] = int(value.n_missing)
        if value.n_dropped:
            out[f"level dropped from `{name}`"] = int(value.n_dropped)
    return out


def _align(
    first: tuple[object, ...], second: tuple[object, ...], names: tuple[str, str]
) -> NDArray[np.intp]:
    """Positions in `second` of the labels of `first`; the label sets must match."""
    only_first = [level for level in first if level not in second]
    only_second = [level for level in second if level not in first]
    if only_first or only_second:
        raise fail(
            names[1],
            f"have the same category labels as `{names[0]}`",
            f"labels only in `{names[0]}`: {only_first}; labels only in `{names[1]}`: "
            f"{only_second}",
            hint="rename, collapse or drop categories so that both name the same ones.",
            positions=tuple(only_first + only_second),
        )
    index = {level: k for k, level in enumerate(second)}
    return np.array([index[level] for level in first], dtype=np.intp)


def _match_categories(
    second: _Values,
    n_first: int,
    labels: tuple[tuple[object, ...] | None, tuple[object, ...] | None],
    *,
    names: tuple[str, str],
    noun: str,
) -> tuple[_Values, tuple[object, ...]]:
    """Put the second input's values in the order of the first's categories.

    Labelled inputs are aligned by label, unlabelled ones must be as long. Returns the
    values and the category labels (numbered ``"0"``, ``"1"``, ... when neither has any).
    """
    first_labels, second_labels = labels
    if first_labels is not None and second_labels is not None:
        second = second[_align(first_labels, second_labels, names)]
    elif len(second) != n_first:
        raise fail(
            names[1],
            f"have one {noun} per category of `{names[0]}`",
            f"{len(second)} {noun}s for {n_first} categories",
        )
    return second, first_labels or second_labels or tuple(str(k) for k in range(n_first))


def _reference_values(expected: object) -> tuple[NDArray[np.float64], tuple[object, ...] | None]:
    """Validate reference values (counts or proportions, finite and >= 0); return labels."""
    if isinstance(expected, Counts):
        return expected.counts.astype(np.float64), tuple(expected.levels)
    labels: tuple[object, ...] | None = None
    if isinstance(expected, Mapping):
        labels = tuple(expected)
        expected = list(expected.values())
    array = as_array(expected, "expected")
    if array.ndim != 1:
        raise fail("expected", "be 1-dimensional", f"an array of shape {array.shape}")
    if array.dtype.kind not in "iuf":
        raise fail("expected", "hold numbers", f"an array of dtype {array.dtype}")
    values = array.astype(np.float64)
    for bad, rule in ((~np.isfinite(values), "finite"), (values < 0, "non-negative")):
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            where = f"label {labels[k]!r}" if labels else f"index {k}"
            raise fail("expected", f"hold {rule} values", f"{values[k]!r} at {where}")
    return values, labels


def _kind(
    expected: object, values: NDArray[np.float64], requested: ExpectedKind
) -> Literal["counts", "proportions"]:
    """Decide whether `expected` holds counts or proportions (the documented rule)."""
    if requested != "auto":
        kind: Literal["counts", "proportions"] = requested
    elif isinstance(expected, Counts) or (values > 1.0).any():
        kind = "counts"
    else:
        kind = "proportions"
    if kind == "proportions" and abs(float(values.sum()) - 1.0) > _PROPORTION_TOLERANCE:
        raise fail(
            "expected",
            "sum to 1 (within 1e-8) when it holds proportions",
            f"values summing to {float(values.sum())!r}",
            hint="every value is at most 1, so `expected` was read as proportions; pass "
            "expected_kind='counts' if these are reference counts.",
        )
    if kind == "counts" and values.sum() <= 0:
        raise fail("expected", "have a positive total", "all zeros")
    return kind


# --- representation ratios ------------------------------------------------------------------


def _z(confidence_level: float) -> float:
    return float(special.ndtri(0.5 + confidence_level / 2.0))


def _wilson_ratio(
    observed: NDArray[np.int64], shares: NDArray[np.float64], confidence_level: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Observed share over a known share, with the Wilson interval of the observed share."""
    n = float(observed.sum())
    z = _z(confidence_level)
    p = observed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    with np.errstate(divide="ignore"):
        return p / shares, np.maximum(centre - half, 0.0) / shares, (centre + half) / shares


def _katz_ratio(
    a: NDArray[np.int64], b: NDArray[np.int64], confidence_level: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], bool]:
    """Ratio of two independent shares with Katz's log interval.

    Where a category count is zero in either sample, 0.5 is added to both of its counts
    for the interval only (the ratio itself stays 0 or infinite); the flag says so. The
    interval is then widened to hold the ratio: its lower end is 0 when the category is
    absent from `a`, its upper end infinite when absent from `b`.
    """
    n_a, n_b = float(a.sum()), float(b.sum())
    with np.errstate(divide="ignore"):
        ratio = (a / n_a) / (b / n_b)
    zero = (a == 0) | (b == 0)
    x_a = np.where(zero, a + 0.5, a).astype(np.float64)
    x_b = np.where(zero, b + 0.5, b).astype(np.float64)
    se = np.sqrt(1 / x_a - 1 / n_a + 1 / x_b - 1 / n_b)
    centre = np.log((x_a / n_a) / (x_b / n_b))
    z = _z(confidence_level)
    lower = np.where(a == 0, 0.0, np.exp(centre - z * se))
    upper = np.where(b == 0, np.inf, np.exp(centre + z * se))
    return ratio, lower, upper, bool(zero.any())


def _require_observations(counts: NDArray[np.int64], name: str) -> None:
    """Refuse a sample with no observation left after exclusions."""
    if counts.sum() == 0:
        raise InsufficientDataError(
            f"`{name}` must hold at least one observation after exclusions; got none.",
            argument=name,
        )


def _drop_categories(
    keep: NDArray[np.bool_], levels: tuple[object, ...], what: str
) -> tuple[tuple[object, ...], list[str]]:
    """Labels of the categories kept, and a caveat naming the ones dropped (if any)."""
    if keep.all():
        return levels, []
    dropped = [levels[k] for k in np.flatnonzero(~keep)]
    return tuple(levels[k] for k in np.flatnonzero(keep)), [f"{what} dropped: {dropped}"]


# --- goodness of fit ------------------------------------------------------------------------


def _gof_inputs(
    observed: object, expected: object, requested_kind: ExpectedKind
) -> tuple[NDArray[np.int64], NDArray[np.float64], tuple[object, ...], str, list[str]]:
    """Validate and align observed counts and reference values.

    Returns the counts and reference values of the categories kept, their labels, the kind
    of reference and the caveats about dropped categories.
    """
    counts, labels = _labelled(observed, "observed")
    values, ref_labels = _reference_values(expected)
    values, levels = _match_categories(
        values, len(counts), (labels, ref_labels), names=("observed", "expected"), noun="value"
    )
    kind = _kind(expected, values, requested_kind)
    _require_observations(counts, "observed")
    impossible = (values == 0) & (counts > 0)
    if impossible.any():
        k = int(np.flatnonzero(impossible)[0])
        raise fail(
            "expected",
            "be positive wherever a count is observed",
            f"0 for label {levels[k]!r}, where {int(counts[k])} were observed",
            positions=(levels[k],),
        )
    keep = values > 0
    levels, caveats = _drop_categories(
        keep, levels, "categories with a zero reference and no observation"
    )
    counts, values = counts[keep], values[keep]
    if len(counts) < 2:
        raise InsufficientDataError(
            "`expected` must give a positive reference to at least two categories; got "
            f"{len(counts)} ({list(levels)}).",
            argument="expected",
        )
    return counts, values, levels, kind, caveats


@renamed_keywords(conf_level="confidence_level")
def goodness_of_fit(
    observed: object,
    expected: object,
    *,
    method: GofMethod = "pearson",
    lambda_: float | None = None,
    n_resamples: int | None = None,
    rng: int | np.random.Generator | None = None,
    expected_kind: ExpectedKind = "auto",
    confidence_level: float = 0.95,
    exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT,
) -> GoodnessOfFitResult:
    r"""Test whether observed counts follow a known reference distribution.

    Parameters
    ----------
    observed : Counts, mapping or array-like of int
        Observed counts per category. Missing values on a :class:`~ipsstats.Counts` are
        excluded and recorded.
    expected : Counts, mapping or array-like of float
        The reference: counts (rescaled to the observed total; the factor is recorded in
        ``scale``) or proportions (summing to 1 within :math:`10^{-8}`). Labelled inputs
        (``Counts`` or mappings) are aligned by label and must name the same categories.
    method : {"pearson", "g", "cressie-read", "exact", "monte-carlo"}, optional
        Pearson's chi-squared (default), likelihood-ratio G, Cressie-Read power divergence
        with `lambda_`, the exact multinomial test, or a Monte Carlo p-value (Pearson's
        statistic, multinomial samples).
    lambda_ : float or None, optional
        Power-divergence parameter for ``"cressie-read"`` (default 2/3).
    n_resamples : int or None, optional
        Simulated samples for Monte Carlo (default 10,000).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator for Monte Carlo; ``None`` draws a seed, recorded in ``details``.
    expected_kind : {"auto", "counts", "proportions"}, optional
        How to read `expected`. ``"auto"`` (default) applies this rule: a
        :class:`~ipsstats.Counts` holds counts; otherwise values that are all at most 1
        are proportions (and must sum to 1, else an error), and anything with a value
        above 1 holds counts. It never guesses silently: the kind is recorded in
        ``expected_kind``.
    confidence_level : float, optional
        Coverage of the representation-ratio intervals (old spelling ``conf_level``
        accepted with a :class:`DeprecationWarning`).
    exact_work_limit : int, optional
        Largest number of partial outcomes the exact test may generate.

    Returns
    -------
    GoodnessOfFitResult
        The test (``statistic``, ``pvalue``, ``dof``, ``method``, ``n``, ``n_excluded``,
        ``exclusions``, ``caveats``, ``details``) and the per-category fields.

    Raises
    ------
    InvalidInputError
        For counts that are negative, fractional or not finite or add up to more than
        2**53; reference values that are negative or not finite; proportions not
        summing to 1; label sets that differ; a zero expected count where a count is
        observed; ``lambda_ <= -1`` with a zero count (the divergence is infinite); an
        unknown option; a `rng` that is not a seed or generator; an exact test past
        `exact_work_limit`.
    InsufficientDataError
        If no observations remain or fewer than two categories have a positive reference.

    Warns
    -----
    SmallExpectedCountWarning
        When an asymptotic test runs on small expected counts (some below 1, or more than
        20% below 5); recorded in ``caveats`` too.

    See Also
    --------
    homogeneity : when the reference is itself a sample.

    Notes
    -----
    With :math:`n` observations and reference shares :math:`\pi_i`,
    :math:`E_i = n \pi_i` and, for :math:`k` categories with :math:`\pi_i > 0`,

    .. math::

        X^2 = \sum_i \frac{(O_i - E_i)^2}{E_i} \sim \chi^2_{k-1}.

    G and Cressie-Read use the power-divergence terms of
    :func:`~ipsstats.independence`. Categories with a zero reference and no observation
    are dropped (and named in ``caveats``). The adjusted residual is
    :math:`(O_i - E_i) / \sqrt{E_i (1 - \pi_i)}`. The representation ratio is
    :math:`(O_i / n) / \pi_i`; its interval is the Wilson interval [2]_ of
    :math:`O_i / n` divided by :math:`\pi_i` (the reference is treated as known). The
    exact test sums the multinomial probabilities of the outcomes at most as probable as
    the observed one (R's tolerance :math:`10^{-7}`).

    References
    ----------
    .. [1] Agresti, A. (2013). Categorical Data Analysis, 3rd edition. Wiley, section 1.5.
    .. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. Journal of the American Statistical Association 22, 209-212.
    .. [3] Cressie, N. and Read, T. R. C. (1984). Multinomial goodness-of-fit tests.
       Journal of the Royal Statistical Society B 46(3), 440-464.

    Examples
    --------
    IPS users at CNWL against the ethnic mix of the caseload, treated as known:

    >>> from ipsstats import goodness_of_fit
    >>> from ipsstats.datasets import perkins2022
    >>> data = perkins2022()
    >>> res = goodness_of_fit(data.ips_ethnicity["CNWL"], data.caseload_ethnicity["CNWL"])
    >>> print(res.method, round(res.statistic, 2), res.dof, res.expected_kind)
    pearson 23.46 4.0 counts
    >>> print(res.levels[2], round(res.ratio[2], 2))
    Black/Black British 1.52
    """
    how = as_option(method, "method", _GOF_METHODS)
    requested_kind = as_option(expected_kind, "expected_kind", _KINDS)
    level = as_confidence_level(confidence_level)
    lam = _lambda_for(how, lambda_)
    limit = _as_work_limit(exact_work_limit)
    resamples = _DEFAULT_RESAMPLES if n_resamples is None else _as_resamples(n_resamples)
    resolved = None if rng is None else as_rng(rng, "rng")
    counts, values, levels, kind, caveats = _gof_inputs(observed, expected, requested_kind)
    _check_zero_counts(counts, lam, lambda k: f"label {levels[k]!r}")
    exclusions = _missing(observed, "observed")
    n = int(counts.sum())
    total = float(values.sum())
    shares = values / total
    scale = n / total if kind == "counts" else 1.0
    expected_counts = n * shares
    diagnostics = _cochran(expected_counts)
    details: dict[str, Any] = dict(diagnostics)
    details["reference_total"] = total
    details["reference_n_excluded"] = sum(_missing(expected, "expected").values())
    pearson_terms = _power_divergence(counts, expected_counts, 1.0)
    dof: float | None = float(len(counts) - 1)
    name: str
    if how in ("pearson", "g", "cressie-read"):
        terms = pearson_terms if lam == 1.0 else _power_divergence(counts, expected_counts, lam)
        statistic = float(terms.sum())
        pvalue = _chi2_sf(statistic, float(len(counts) - 1))
        name = how
        if how == "cressie-read":
            details["lambda"] = lam
        if not diagnostics["cochran_rule_holds"]:
            caveat = _small_count_caveat(diagnostics, f"{name} chi-squared")
            caveats.append(caveat)
            _warn_small(caveat)
    elif how == "exact":
        terms, statistic, dof = pearson_terms, float(pearson_terms.sum()), None
        pvalue = _multinomial_pvalue(counts, shares, limit)
        name = "exact-multinomial"
    else:
        terms, statistic, dof = pearson_terms, float(pearson_terms.sum()), None
        generator, seed = resolved if resolved is not None else as_rng(None, "rng")
        pvalue = _monte_carlo_gof(counts, shares, resamples, "pearson", generator)
        details.update(statistic="pearson", n_resamples=resamples, seed=seed)
        name = "monte-carlo"
    ratio, lower, upper = _wilson_ratio(counts, shares, level)
    return GoodnessOfFitResult(
        statistic=statistic,
        pvalue=min(1.0, pvalue),
        dof=dof,
        method=name,
        n=n,
        n_excluded=sum(exclusions.values()),
        exclusions=exclusions,
        caveats=tuple(caveats),
        details=details,
        requested=how,
        reason="",
        levels=levels,
        observed=counts,
        expected=expected_counts,
        observed_share=counts / n,
        reference_share=shares,
        residuals=(counts - expected_counts) / np.sqrt(expected_counts),
        adjusted_residuals=(counts - expected_counts) / np.sqrt(expected_counts * (1 - shares)),
        contributions=terms,
        ratio=ratio,
        ratio_lower=lower,
        ratio_upper=upper,
        ratio_method="wilson interval of the observed share / known reference share",
        confidence_level=level,
        expected_kind=kind,
        scale=scale,
    )


# --- homogeneity ----------------------------------------------------------------------------


@renamed_keywords(conf_level="confidence_level")
def homogeneity(
    a: object,
    b: object,
    *,
    method: HomogeneityMethod = "pearson",
    lambda_: float | None = None,
    n_resamples: int | None = None,
    rng: int | np.random.Generator | None = None,
    confidence_level: float = 0.95,
    exact_work_limit: int = DEFAULT_EXACT_WORK_LIMIT,
) -> GoodnessOfFitResult:
    r"""Test whether two samples share one distribution over the same categories.

    For example people reaching IPS (`a`) against the caseload they are drawn from (`b`),
    by ethnic group: a test of homogeneity of the 2 x k table with rows `a` and `b`.

    Parameters
    ----------
    a, b : Counts, mapping or array-like of int
        Counts per category. Labelled inputs are aligned by label and must name the same
        categories; missing values on a :class:`~ipsstats.Counts` are excluded and
        recorded. Categories empty in both samples are dropped (named in ``caveats``).
    method : {"pearson", "g", "cressie-read", "exact", "monte-carlo", "auto"}, optional
        As in :func:`~ipsstats.independence`: ``"exact"`` is the Fisher-Freeman-Halton
        test of the 2 x k table and ``"monte-carlo"`` simulates tables with both margins
        fixed; ``"auto"`` chooses by Cochran's rule and records why.
    lambda_ : float or None, optional
        Power-divergence parameter for ``"cressie-read"`` (default 2/3).
    n_resamples : int or None, optional
        Simulated tables for Monte Carlo (default 10,000).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator for Monte Carlo; ``None`` draws a seed, recorded in ``details``.
    confidence_level : float, optional
        Coverage of the representation-ratio intervals (old spelling ``conf_level``
        accepted with a :class:`DeprecationWarning`).
    exact_work_limit : int, optional
        Largest number of network edges the exact test may generate.

    Returns
    -------
    GoodnessOfFitResult
        The test and, per category of `a`: expected counts under homogeneity, shares
        (`reference_share` is `b`'s share), residuals, contributions and the
        representation ratio with its interval. ``requested`` is the `method` asked for
        and ``reason`` says why the test in ``method`` ran.

    Raises
    ------
    InvalidInputError
        For counts that are negative, fractional or not finite or add up to more than
        2**53, label sets that differ, samples of different lengths, ``lambda_ <= -1``
        with a zero count, an unknown option, a `rng` that is not a seed or generator,
        or an exact test past `exact_work_limit`.
    InsufficientDataError
        If a sample is empty or fewer than two categories are non-empty.

    Warns
    -----
    SmallExpectedCountWarning
        When an asymptotic test runs on small expected counts; recorded in ``caveats``.

    See Also
    --------
    goodness_of_fit : when the reference is known rather than sampled.
    independence : the general r x c test.

    Notes
    -----
    With the 2 x k table :math:`O_{1j} = a_j`, :math:`O_{2j} = b_j`,
    :math:`E_{ij} = n_i (a_j + b_j) / n` and Pearson's statistic on :math:`k - 1`
    degrees of freedom. Per category, `expected`, `residuals` and `adjusted_residuals`
    are those of the row `a` (the adjusted residuals of `b` are their negatives). The
    representation ratio is :math:`(a_j / n_a) / (b_j / n_b)` with Katz's log interval
    [2]_, :math:`\exp(\log R \pm z \sqrt{1/a_j - 1/n_a + 1/b_j - 1/n_b})` (0.5 added to
    both counts of a category with a zero, for the interval only, which is then widened
    to hold the ratio: lower end 0 when :math:`a_j = 0`, upper end infinite when
    :math:`b_j = 0`).

    References
    ----------
    .. [1] Perkins, R. et al. (2022). Individual placement and support: cross-sectional
       study of equality of access and outcome for Black, Asian and minority ethnic
       communities. BJPsych Bulletin 46, Table 2.
    .. [2] Katz, D., Baptista, J., Azen, S. P. and Pike, M. C. (1978). Obtaining
       confidence intervals for the risk ratio in cohort studies. Biometrics 34, 469-474.

    Examples
    --------
    Table 2 of the 2022 paper (WWT: chi-squared 34.22), "Not known" excluded:

    >>> from ipsstats import homogeneity
    >>> from ipsstats.datasets import perkins2022
    >>> data = perkins2022()
    >>> res = homogeneity(data.ips_ethnicity["WWT"], data.caseload_ethnicity["WWT"])
    >>> print(round(res.statistic, 2), res.dof, f"{res.pvalue:.1e}", res.n_excluded)
    34.22 4.0 6.7e-07 108
    >>> print(res.levels[2], round(res.ratio[2], 2), res.ratio_method)
    Black/Black British 1.53 katz log interval of a ratio of two independent shares
    """
    how = as_option(method, "method", _HOMOGENEITY_METHODS)
    level = as_confidence_level(confidence_level)
    lam = _lambda_for(how, lambda_)
    limit = _as_work_limit(exact_work_limit)
    resamples = _DEFAULT_RESAMPLES if n_resamples is None else _as_resamples(n_resamples)
    resolved = None if rng is None else as_rng(rng, "rng")
    counts_a, labels_a = _labelled(a, "a")
    counts_b, labels_b = _labelled(b, "b")
    counts_b, levels = _match_categories(
        counts_b, len(counts_a), (labels_a, labels_b), names=("a", "b"), noun="count"
    )
    exclusions = {**_missing(a, "a"), **_missing(b, "b")}
    _require_observations(counts_a, "a")
    _require_observations(counts_b, "b")
    keep = (counts_a + counts_b) > 0
    levels, caveats = _drop_categories(keep, levels, "categories empty in both samples")
    counts_a, counts_b = counts_a[keep], counts_b[keep]
    if len(levels) < 2:
        raise InsufficientDataError(
            "`a` and `b` must have at least two non-empty categories between them; got "
            f"{len(levels)} ({list(levels)}).",
            argument="a",
        )
    table = np.vstack([counts_a, counts_b])
    _check_zero_counts(
        table, lam, lambda k: f"label {levels[k % len(levels)]!r} of `{'ab'[k // len(levels)]}`"
    )
    run = _run_table(
        table, how=how, lam=lam, yates=False, n_resamples=resamples, rng=resolved, limit=limit
    )
    ratio, lower, upper, corrected = _katz_ratio(counts_a, counts_b, level)
    if corrected:
        caveats.append(
            "0.5 was added to both counts of categories with a zero count, for the "
            "representation-ratio interval only"
        )
    expected = run.expected
    n_a, n_b = int(counts_a.sum()), int(counts_b.sum())
    return GoodnessOfFitResult(
        statistic=run.statistic,
        pvalue=run.pvalue,
        dof=run.dof,
        method=run.name,
        n=n_a + n_b,
        n_excluded=sum(exclusions.values()),
        exclusions=exclusions,
        caveats=(*caveats, *run.caveats),
        details={**run.details, "n_a": n_a, "n_b": n_b},
        requested=how,
        reason=run.reason,
        levels=levels,
        observed=counts_a,
        expected=expected[0],
        observed_share=counts_a / n_a,
        reference_share=counts_b / n_b,
        residuals=(counts_a - expected[0]) / np.sqrt(expected[0]),
        adjusted_residuals=_adjusted(table, expected)[0],
        contributions=run.terms.sum(axis=0),
        ratio=ratio,
        ratio_lower=lower,
        ratio_upper=upper,
        ratio_method="katz log interval of a ratio of two independent shares",
        confidence_level=level,
        expected_kind="sample",
        scale=n_a / n_b,
    )
