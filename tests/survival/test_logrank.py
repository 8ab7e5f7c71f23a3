from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats

from ipsstats import (
    Factor,
    InsufficientDataError,
    InvalidInputError,
    LifeTable,
    LogrankResult,
    logrank,
)
from ipsstats.survival.logrank import Weighting
from tests.strategies import competing_samples

# R's `aml` data (survival package): maintained vs non-maintained chemotherapy.
AML_TIME = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161]
AML_TIME += [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
AML_STATUS = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]
AML_STATUS += [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
AML_GROUP = ["Maintained"] * 11 + ["Nonmaintained"] * 12

WEIGHTS: list[Weighting] = [
    "logrank",
    "gehan-breslow",
    "tarone-ware",
    "peto-peto",
    "fleming-harrington",
]


def tied_data(
    seed: int, n: int = 400, k: int = 4, max_time: int = 25, low: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64]]:
    """Heavily tied integer durations (zeros unless `low` > 0), ~40% censored."""
    rng = np.random.default_rng(seed)
    durations = rng.integers(low, max_time, n).astype(np.float64)
    events = rng.random(n) < 0.6
    groups = rng.integers(0, k, n)
    strata = rng.integers(0, 3, n)
    return durations, events, groups, strata


# --- naive reference: one Python loop per stratum and distinct time -------------------------


def naive_scores(
    durations: Sequence[float],
    events: Sequence[bool],
    groups: Sequence[Any],
    *,
    strata: Sequence[Any] | None = None,
    entry: Sequence[float] | None = None,
    weighting: str = "logrank",
    p: float = 0.0,
    q: float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Observed, expected and variance matrix straight from the textbook formulas."""
    n = len(durations)
    labels = sorted(set(groups))
    k = len(labels)
    layer = list(strata) if strata is not None else [0] * n
    start = list(entry) if entry is not None else [-math.inf] * n
    observed = np.zeros(k)
    expected = np.zeros(k)
    variance = np.zeros((k, k))
    for s in sorted(set(layer)):
        rows = [i for i in range(n) if layer[i] == s]
        km = 1.0
        peto = 1.0
        for t in sorted({durations[i] for i in rows}):
            at_risk = [
                sum(1 for i in rows if groups[i] == g and start[i] < t <= durations[i])
                for g in labels
            ]
            deaths = [
                sum(1 for i in rows if groups[i] == g and durations[i] == t and events[i])
                for g in labels
            ]
            n_t, d_t = sum(at_risk), sum(deaths)
            if d_t == 0:
                continue
            if weighting == "logrank":
                w = 1.0
            elif weighting == "gehan-breslow":
                w = float(n_t)
            elif weighting == "tarone-ware":
                w = math.sqrt(n_t)
            elif weighting == "peto-peto":
                peto *= 1 - d_t / (n_t + 1)
                w = peto
            else:
                w = km**p * (1 - km) ** q
            km *= 1 - d_t / n_t
            for j in range(k):
                observed[j] += w * deaths[j]
                expected[j] += w * at_risk[j] * d_t / n_t
                if n_t < 2:
                    continue
                for m in range(k):
                    delta = 1.0 if j == m else 0.0
                    variance[j, m] += (
                        w * w * d_t * (n_t - d_t) / (n_t - 1)
                        * at_risk[j] / n_t * (delta - at_risk[m] / n_t)
                    )  # fmt: skip
    return observed, expected, variance


def naive_statistic(
    observed: NDArray[np.float64], expected: NDArray[np.float64], variance: NDArray[np.float64]
) -> float:
    u = (observed - expected)[:-1]
    return float(u @ np.linalg.solve(variance[:-1, :-1], u))


# --- the aml data at full precision (R's printed values: tests/reference) ----------------


def test_aml_matches_naive_at_full_precision() -> None:
    res = logrank(AML_TIME, AML_STATUS, AML_GROUP)
    o, e, v = naive_scores(AML_TIME, [bool(s) for s in AML_STATUS], AML_GROUP)
    np.testing.assert_allclose(res.expected, e, rtol=1e-12)
    np.testing.assert_allclose(res.variance, v, rtol=1e-12)
    assert res.statistic == pytest.approx(naive_statistic(o, e, v), rel=1e-12)


# --- naive implementation ----------------------------------------------------------------


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("stratified", [False, True])
def test_matches_naive(weights: Weighting, stratified: bool) -> None:
    durations, events, groups, strata = tied_data(7, n=150, k=3, max_time=12)
    layer = strata if stratified else None
    extra: dict[str, float] = {"p": 0.8, "q": 1.3} if weights == "fleming-harrington" else {}
    res = logrank(durations, events, groups, strata=layer, weighting=weights, **extra)  # type: ignore[arg-type]
    o, e, v = naive_scores(
        durations.tolist(),
        events.tolist(),
        groups.tolist(),
        strata=None if layer is None else layer.tolist(),
        weighting=weights,
        p=extra.get("p", 0.0),
        q=extra.get("q", 0.0),
    )
    np.testing.assert_allclose(res.observed, o, rtol=1e-12)
    np.testing.assert_allclose(res.expected, e, rtol=1e-12)
    np.testing.assert_allclose(res.variance, v, rtol=1e-10, atol=1e-12)
    assert res.statistic == pytest.approx(naive_statistic(o, e, v), rel=1e-10)
    assert res.pvalue == pytest.approx(stats.chi2.sf(res.statistic, 2), rel=1e-12)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_stratum_without_events(weights: Weighting) -> None:
    durations = [1, 2, 3, 4, 5, 6]
    events = [1, 1, 0, 1, 0, 0]
    groups = ["a", "b", "a", "b", "a", "b"]
    p = 1.0 if weights == "fleming-harrington" else None
    res = logrank(durations, events, groups, strata=[1, 1, 1, 1, 2, 2], weighting=weights, p=p)
    alone = logrank(durations[:4], events[:4], groups[:4], weighting=weights, p=p)
    assert res.statistic == pytest.approx(alone.statistic, rel=1e-14)
    assert res.n_subjects.tolist() == [3.0, 3.0]


def test_zero_durations_with_fleming_harrington_weights() -> None:
    durations, events, groups, _ = tied_data(8, n=120, k=2, max_time=6)
    durations[:30] = 0.0
    events[:30] = True
    res = logrank(durations, events, groups, weighting="fleming-harrington", p=1.0, q=1.0)
    o, e, v = naive_scores(
        durations.tolist(),
        events.tolist(),
        groups.tolist(),
        weighting="fleming-harrington",
        p=1.0,
        q=1.0,
    )
    assert res.statistic == pytest.approx(naive_statistic(o, e, v), rel=1e-10)


def test_fleming_harrington_p1_q0_is_r_rho_1() -> None:
    # R survdiff(rho = 1) weighs by the left-continuous pooled Kaplan-Meier S(t-)
    durations, events, groups, _ = tied_data(9, n=200, k=3, max_time=15)
    res = logrank(durations, events, groups, weighting="fleming-harrington", p=1.0)
    o, e, v = naive_scores(
        durations.tolist(), events.tolist(), groups.tolist(), weighting="fleming-harrington", p=1
    )
    assert res.statistic == pytest.approx(naive_statistic(o, e, v), rel=1e-10)
    assert res.q == 0.0
    assert res.method == "fleming-harrington"
    assert (res.p, res.q) == (1.0, 0.0)


@pytest.mark.parametrize("weights", ["logrank", "tarone-ware"])
def test_trend_matches_naive(weights: Weighting) -> None:
    durations, events, groups, strata = tied_data(10, n=200, k=4, max_time=15)
    scores = np.array([0.0, 1.0, 3.0, 7.0])
    res = logrank(
        durations, events, groups, strata=strata, weighting=weights, trend=True, scores=scores
    )
    o, e, v = naive_scores(
        durations.tolist(), events.tolist(), groups.tolist(), strata=strata.tolist(),
        weighting=weights,
    )  # fmt: skip
    u = o - e
    expected = float(scores @ u) ** 2 / float(scores @ v @ scores)
    assert res.statistic == pytest.approx(expected, rel=1e-10)
    assert res.dof == 1
    assert res.method == f"{weights}-trend"
    assert res.scores is not None
    np.testing.assert_array_equal(res.scores, scores)


def test_trend_with_default_scores_and_two_groups_equals_k_sample() -> None:
    two = logrank(AML_TIME, AML_STATUS, AML_GROUP, trend=True)
    assert two.statistic == pytest.approx(logrank(AML_TIME, AML_STATUS, AML_GROUP).statistic)
    durations, events, groups, _ = tied_data(11, n=120, k=3)
    default = logrank(durations, events, groups, trend=True)
    explicit = logrank(durations, events, groups, trend=True, scores=[1, 2, 3])
    assert default.statistic == pytest.approx(explicit.statistic, rel=1e-14)


def test_levels_fix_order_for_the_trend() -> None:
    durations, events, groups, _ = tied_data(12, n=150, k=3)
    names = np.array(["low", "mid", "high"], dtype=object)[groups]
    res = logrank(durations, events, names, trend=True, levels=["low", "mid", "high"])
    codes = logrank(durations, events, groups, trend=True)
    assert res.groups == ("low", "mid", "high")
    assert res.statistic == pytest.approx(codes.statistic, rel=1e-12)
    np.testing.assert_allclose(res.observed, codes.observed)


# --- aggregated input --------------------------------------------------------------------


def test_life_tables_give_the_records_result() -> None:
    durations, events, groups, _ = tied_data(13, n=300, k=3)
    tables = {
        g: LifeTable.from_records(durations[groups == g], events[groups == g]) for g in range(3)
    }
    for weights in WEIGHTS:
        extra = {"p": 1.0, "q": 0.5} if weights == "fleming-harrington" else {}
        from_tables = logrank(tables, weighting=weights, **extra)  # type: ignore[arg-type]
        from_records = logrank(durations, events, groups, weighting=weights, **extra)  # type: ignore[arg-type]
        assert from_tables.statistic == pytest.approx(from_records.statistic, rel=1e-12)
        np.testing.assert_allclose(from_tables.variance, from_records.variance, rtol=1e-12)
        assert from_tables.groups == (0, 1, 2)
        assert from_tables.n == 300


def test_life_tables_with_delayed_entry_match_naive() -> None:
    rng = np.random.default_rng(14)
    n = 150
    entry = rng.integers(0, 8, n).astype(np.float64)
    durations = entry + rng.integers(1, 15, n)
    events = rng.random(n) < 0.6
    groups = rng.integers(0, 2, n)
    tables = {
        g: LifeTable.from_records(
            durations[groups == g], events[groups == g], entry=entry[groups == g]
        )
        for g in range(2)
    }
    res = logrank(tables)
    o, e, v = naive_scores(
        durations.tolist(), events.tolist(), groups.tolist(), entry=entry.tolist()
    )
    np.testing.assert_allclose(res.expected, e, rtol=1e-12)
    assert res.statistic == pytest.approx(naive_statistic(o, e, v), rel=1e-10)


def test_huge_aggregated_counts_do_not_overflow() -> None:
    big = 3e9  # n^2 and n^3 overflow int64 at these counts
    tables = {
        "a": LifeTable.from_counts(times=[1, 2, 3], events=[big, big, big], censored=[big, 0, 0]),
        "b": LifeTable.from_counts(
            times=[1, 2, 3], events=[2 * big, big, 0], censored=[0, 0, big]
        ),
    }
    res = logrank(tables)
    # two-group formulas written out in floating point
    n_a = np.array([4 * big, 2 * big, big])
    n_b = np.array([4 * big, 2 * big, big])
    d_a = np.array([big, big, big])
    d = np.array([3 * big, 2 * big, big])
    n = n_a + n_b
    u = float(np.sum(d_a - n_a * d / n))
    v = float(np.sum(n_a * n_b * d * (n - d) / (n**2 * (n - 1))))
    assert res.statistic == pytest.approx(u * u / v, rel=1e-12)
    assert np.isfinite(res.pvalue)


# --- groups, labels and exclusions -------------------------------------------------------


def test_missing_group_labels_are_excluded_and_recorded() -> None:
    labels: list[object] = list(AML_GROUP)
    labels[0] = None
    labels[12] = math.nan
    res = logrank(AML_TIME, AML_STATUS, labels)
    keep = [i for i in range(23) if i not in (0, 12)]
    plain = logrank(
        [AML_TIME[i] for i in keep], [AML_STATUS[i] for i in keep], [AML_GROUP[i] for i in keep]
    )
    assert res.statistic == pytest.approx(plain.statistic, rel=1e-14)
    assert res.n == 21
    assert res.n_excluded == 2
    assert dict(res.exclusions) == {"missing group": 2}


def test_missing_strata_are_excluded_and_recorded() -> None:
    strata: list[object] = ["x"] * 23
    strata[1] = None
    res = logrank(AML_TIME, AML_STATUS, AML_GROUP, strata=strata)
    assert dict(res.exclusions) == {"missing stratum": 1}
    assert res.n == 22


def test_categorical_and_factor_groups() -> None:
    categorical = pd.Series(AML_GROUP).astype(
        pd.CategoricalDtype(["Nonmaintained", "Maintained", "Unused"])
    )
    res = logrank(AML_TIME, AML_STATUS, categorical)
    assert res.groups == ("Nonmaintained", "Maintained")  # category order; empty one dropped
    factor = Factor.from_values(AML_GROUP)
    assert logrank(AML_TIME, AML_STATUS, factor).statistic == pytest.approx(res.statistic)


def test_unsortable_labels_keep_first_seen_order() -> None:
    labels = np.array([2] * 11 + ["one"] * 12, dtype=object)
    res = logrank(AML_TIME, AML_STATUS, labels)
    assert res.groups == (2, "one")


def test_sorted_label_order_and_result_types() -> None:
    res = logrank(AML_TIME, AML_STATUS, ["b"] * 11 + ["a"] * 12)
    assert res.groups == ("a", "b")
    assert isinstance(res, LogrankResult)
    assert not res.variance.flags.writeable
    payload = res.to_dict()
    json.dumps(payload)
    assert payload["groups"] == ["a", "b"]
    assert payload["scores"] is None
    np.testing.assert_allclose(res.o_minus_e.sum(), 0.0, atol=1e-12)


def test_singular_variance_uses_generalised_inverse() -> None:
    # group "c" leaves before the first event: it carries no information
    durations = [1, 2, 3, 4, 1, 2, 3, 5, 0.5, 0.5]
    events = [1, 1, 1, 0, 1, 0, 1, 1, 0, 0]
    groups = ["a"] * 4 + ["b"] * 4 + ["c"] * 2
    res = logrank(durations, events, groups)
    two = logrank(durations[:8], events[:8], groups[:8])
    assert res.statistic == pytest.approx(two.statistic, rel=1e-12)
    assert res.dof == 1
    assert res.caveats


# --- properties --------------------------------------------------------------------------


@given(competing_samples(min_size=2, max_size=40, n_groups=3), st.randoms(use_true_random=False))
def test_properties(sample: tuple[Any, Any, Any], random: Any) -> None:
    durations, causes, groups = sample
    events = causes > 0
    try:
        res = logrank(durations, events, groups)
    except InsufficientDataError:
        return
    assert 0.0 <= res.pvalue <= 1.0
    assert res.statistic >= 0.0
    assert res.observed.sum() == pytest.approx(res.expected.sum(), rel=1e-12, abs=1e-12)
    order = list(range(durations.size))
    random.shuffle(order)
    shuffled = logrank(durations[order], events[order], groups[order])
    assert shuffled.statistic == pytest.approx(res.statistic, rel=1e-9, abs=1e-12)
    relabelled = logrank(durations, events, np.array(["z", "y", "x"], dtype=object)[groups])
    assert relabelled.statistic == pytest.approx(res.statistic, rel=1e-9, abs=1e-12)


@given(
    competing_samples(min_size=2, max_size=40, n_groups=3),
    st.sampled_from(WEIGHTS),
    st.randoms(use_true_random=False),
)
def test_stratified_properties(
    sample: tuple[Any, Any, Any], weights: Weighting, random: Any
) -> None:
    durations, codes, groups = sample
    events = codes % 2 == 1
    strata = codes  # reuse the drawn codes 0..2 as strata, some without events
    p = 0.5 if weights == "fleming-harrington" else None
    try:
        res = logrank(durations, events, groups, strata=strata, weighting=weights, p=p)
    except InsufficientDataError:
        return
    assert 0.0 <= res.pvalue <= 1.0
    np.testing.assert_allclose(res.o_minus_e.sum(), 0.0, atol=1e-9)
    order = list(range(durations.size))
    random.shuffle(order)
    shuffled = logrank(
        durations[order],
        events[order],
        groups[order],
        strata=strata[order],
        weighting=weights,
        p=p,
    )
    assert shuffled.statistic == pytest.approx(res.statistic, rel=1e-9, abs=1e-12)


@given(competing_samples(min_size=1, max_size=30, n_groups=1))
def test_identical_groups_give_zero_statistic(sample: tuple[Any, Any, Any]) -> None:
    durations, causes, _ = sample
    events = causes > 0
    doubled = np.concatenate([durations, durations])
    flags = np.concatenate([events, events])
    groups = np.repeat([0, 1], durations.size)
    try:
        res = logrank(doubled, flags, groups, weighting="tarone-ware")
    except InsufficientDataError:
        return
    assert res.statistic == pytest.approx(0.0, abs=1e-20)
    assert res.pvalue == pytest.approx(1.0)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("durations", "match"),
    [
        ([-1.0, 2.0, 3.0], "`durations` must hold non-negative durations; got -1.0 at index 0"),
        ([1.0, math.nan, 3.0], "`durations` must hold finite durations; got nan at index 1"),
        ([1.0, 2.0, math.inf], "`durations` must hold finite durations; got inf at index 2"),
    ],
)
def test_bad_durations(durations: list[float], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        logrank(durations, [1, 1, 0], ["a", "b", "a"])


def test_bad_events() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`events` must hold event indicators.*2 at index 1"
    ):
        logrank([1, 2, 3], [1, 2, 0], ["a", "b", "a"])


def test_lengths_differ() -> None:
    with pytest.raises(InvalidInputError, match="`durations` must have the same length"):
        logrank([1, 2, 3], [1, 1, 0], ["a", "b"])
    with pytest.raises(InvalidInputError, match="`durations` must have the same length"):
        logrank([1, 2, 3], [1, 1, 0], ["a", "b", "a"], strata=[1, 2])


def test_level_without_subjects() -> None:
    message = "`groups` must have at least one subject in every level; got no subject in level 'c'"
    with pytest.raises(InvalidInputError, match=message):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, levels=["Maintained", "Nonmaintained", "c"])


def test_label_outside_levels() -> None:
    with pytest.raises(
        InvalidInputError, match="`groups` must hold only labels listed in `levels`"
    ):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, levels=["Maintained"])


def test_duplicate_levels() -> None:
    with pytest.raises(InvalidInputError, match="`levels` must hold distinct labels"):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, levels=["Maintained", "Maintained"])


def test_groups_not_one_dimensional() -> None:
    with pytest.raises(InvalidInputError, match="`groups` must be 1-dimensional"):
        logrank([1, 2], [1, 1], [[1, 2]])


def test_fewer_than_two_groups() -> None:
    with pytest.raises(InsufficientDataError, match="`groups` must hold at least 2 groups"):
        logrank([1, 2, 3], [1, 1, 0], ["a", "a", "a"])
    with pytest.raises(InsufficientDataError, match="at least 2 groups"):
        logrank([1, 2, 3], [1, 1, 0], ["a", None, "a"])


def test_no_events() -> None:
    with pytest.raises(InsufficientDataError, match="`events` must hold at least one event"):
        logrank([1, 2, 3], [0, 0, 0], ["a", "b", "a"])


def test_groups_never_at_risk_together() -> None:
    with pytest.raises(InsufficientDataError, match="never have subjects at risk together"):
        logrank([5, 6, 1, 2], [1, 1, 0, 0], ["a", "a", "b", "b"])
    with pytest.raises(InsufficientDataError, match="never have subjects at risk together"):
        logrank([5, 6, 1, 2], [1, 1, 0, 0], ["a", "a", "b", "b"], trend=True)


def test_unknown_weights() -> None:
    with pytest.raises(InvalidInputError, match="`weighting` must be one of 'logrank'"):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, weighting="wilcoxon")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": 1.0}, '`p` must be None unless `weighting="fleming-harrington"`'),
        ({"q": 1.0, "weighting": "peto-peto"}, "`q` must be None unless"),
        ({"weighting": "fleming-harrington"}, "`p` must be given with"),
        ({"weighting": "fleming-harrington", "p": -1}, "`p` must be a finite, non-negative"),
        ({"weighting": "fleming-harrington", "p": True}, "`p` must be a finite, non-negative"),
        ({"weighting": "fleming-harrington", "p": 1, "q": math.nan}, "`q` must be a finite"),
        ({"weighting": "fleming-harrington", "p": "1"}, "`p` must be a finite"),
        ({"trend": "yes"}, "`trend` must be True or False"),
        ({"scores": [1, 2]}, "`scores` must be None unless `trend=True`"),
        ({"trend": True, "scores": [1, 2, 3]}, r"`scores` must hold one number per group \(2\)"),
        ({"trend": True, "scores": [1, math.inf]}, "`scores` must hold finite numbers"),
        ({"trend": True, "scores": [2, 2]}, "`scores` must not all be equal"),
    ],
)
def test_bad_options(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, **kwargs)


def test_bad_life_table_mappings() -> None:
    table = LifeTable.from_records([1, 2, 3], [1, 0, 1])
    message = "`events` must be None when `durations` is a mapping"
    with pytest.raises(InvalidInputError, match=message):
        logrank({"a": table, "b": table}, [1, 0, 1])
    message = "`durations` must map each group label to a LifeTable; got list for group 'b'"
    with pytest.raises(InvalidInputError, match=message):
        logrank({"a": table, "b": [1, 2]})
    empty = LifeTable.from_counts(times=[], events=[], censored=[])
    with pytest.raises(InvalidInputError, match="an empty life table for group 'b'"):
        logrank({"a": table, "b": empty})
    with pytest.raises(InsufficientDataError, match="`durations` must hold at least 2 groups"):
        logrank({"a": table})
    with pytest.raises(InvalidInputError, match="`levels` must be None when `durations` is a"):
        logrank({"a": table, "b": table}, levels=["b", "a"])


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.uint32, np.uint64])
def test_integer_durations_agree_with_floats_and_are_left_unchanged(dtype: Any) -> None:
    rng = np.random.default_rng(20261123)
    durations = rng.integers(0, 40, size=60).astype(dtype)
    events = rng.random(60) < 0.7
    groups = rng.integers(0, 3, size=60)
    strata = rng.integers(0, 2, size=60)
    before = durations.copy()
    as_int = logrank(durations, events, groups, strata=strata)
    as_float = logrank(durations.astype(np.float64), events, groups, strata=strata)
    np.testing.assert_array_equal(durations, before)
    assert as_int.statistic == pytest.approx(as_float.statistic, rel=1e-12)
    np.testing.assert_allclose(as_int.expected, as_float.expected, rtol=1e-12)


def test_negative_exponent_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"`q` must be a finite, non-negative number"):
        logrank(
            [1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 1, 1], weighting="fleming-harrington", p=1, q=-1
        )


# --- weighting, case weights and the deprecated spellings -----------------------------------


def test_weights_string_is_the_deprecated_weighting() -> None:
    with pytest.warns(DeprecationWarning, match="use `weighting='tarone-ware'`"):
        old = logrank(AML_TIME, AML_STATUS, AML_GROUP, weights="tarone-ware")
    new = logrank(AML_TIME, AML_STATUS, AML_GROUP, weighting="tarone-ware")
    assert old.statistic == new.statistic
    assert (new.method, new.weighting, new.details["weighting"]) == ("tarone-ware",) * 3
    assert (new.requested, new.reason) == ("tarone-ware", "")
    with pytest.warns(DeprecationWarning, match="`LogrankResult.weights` is deprecated"):
        assert new.weights == "tarone-ware"
    assert "weighting" in new.to_dict()
    assert "weights" not in new.to_dict()
    with pytest.raises(InvalidInputError, match="`weights` must not be given with `weighting`"):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, weights="logrank", weighting="logrank")


def test_case_weights_are_refused() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`weights` must be None: logrank does not take case weights"
    ):
        logrank(AML_TIME, AML_STATUS, AML_GROUP, weights=np.ones(len(AML_TIME)))


def test_trend_method_token() -> None:
    res = logrank(AML_TIME, AML_STATUS, AML_GROUP, trend=True)
    assert res.method == "logrank-trend"
