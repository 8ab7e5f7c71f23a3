"""Tests of Mantel-Haenszel comparisons and case-mix adjustment of a cohort.

References: a naive Mantel-Haenszel implementation (Rothman's formulas); crude
comparisons against ipsstats' own ``risk_ratio`` and ``risk_difference`` (themselves
checked against statsmodels); the cohort functions against tallies of the same cohort fed
to the counts functions, and a hand computation. The checks against R's
``epiR::epi.2by2`` are in ``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import (
    AdjustedComparison,
    Cohort,
    Estimate,
    InsufficientDataError,
    InvalidInputError,
    StandardisedOutcomes,
    direct_standardise,
    indirect_standardise,
    mantel_haenszel_comparison,
    risk_difference,
    risk_ratio,
    standardised_access,
    standardised_outcomes,
)
from ipsstats.datasets import synthetic_cohort
from tests.strategies import group_strata_tables

# R 4.2.2, epiR 2.0.57 (the other numbers of this call are in tests/reference/test_equity.py):
#   a <- c(12, 1, 7); n1 <- c(20, 10, 15); c0 <- c(20, 5, 30); n0 <- c(50, 50, 45)
#   dat <- array(0, dim = c(2, 2, 3))
#   for (k in 1:3) dat[, , k] <- matrix(c(a[k], c0[k], n1[k] - a[k], n0[k] - c0[k]), 2, 2)
#   epi.2by2(dat, method = "cohort.count", conf.level = 0.95)$massoc.detail
#   -> RR.mh.wald (RR_MH)
GROUP_EVENTS, GROUP_N = [12, 1, 7], [20, 10, 15]
REF_EVENTS, REF_N = [20, 5, 30], [50, 50, 45]
RR_MH = (1.0432203389830508, 0.72144320578254961, 1.508516078528209)


def known(estimate: Estimate | None) -> Estimate:
    """The estimate of a compared group (never the reference's ``None``)."""
    assert estimate is not None
    return estimate


def num(value: float | None) -> float:
    """A defined number of a result."""
    assert value is not None
    return value


def same_estimate(a: object, b: object, rel: float = 1e-12) -> None:
    """Two estimates agree: value and limits equal to `rel`, or both undefined."""
    for field in ("value", "lower", "upper"):
        x, y = getattr(a, field), getattr(b, field)
        if x is None or y is None:
            assert x is None
            assert y is None
        else:
            assert y == pytest.approx(x, rel=rel, abs=1e-15)
    assert getattr(a, "method") == getattr(b, "method")  # noqa: B009  # typed as object


def test_crude_comparisons_are_ipsstats_own() -> None:
    res = mantel_haenszel_comparison(
        [REF_EVENTS, GROUP_EVENTS], [REF_N, GROUP_N], groups=["ref", "g"]
    )
    group, ref = res.groups[1], res.groups[0]
    assert group.crude_risk_ratio == risk_ratio(20, 45, 55, 145)
    assert group.crude_risk_difference == risk_difference(20, 45, 55, 145)
    assert (ref.risk_ratio, ref.crude_risk_difference) == (None, None)
    assert group.rate.value == pytest.approx(20 / 45, rel=1e-14)
    assert (group.events, group.n) == (20, 45)


def naive_mh(
    a: list[int], n1: list[int], c: list[int], n0: list[int]
) -> tuple[float, float, float, float]:
    """Mantel-Haenszel RR and RD with their variances, term by term (Rothman's formulas)."""
    r = s = num = w = p = q = gr = 0.0
    for ak, n1k, ck, n0k in zip(a, n1, c, n0, strict=True):
        big = n1k + n0k
        if big == 0:
            continue
        r += ak * n0k / big
        s += ck * n1k / big
        gr += ((ak + ck) * n1k * n0k / big**2) - ak * ck / big
        num += (ak * n0k - ck * n1k) / big
        w += n1k * n0k / big
        p += (n1k**2 * ck - n0k**2 * ak + n1k * n0k * (n0k - n1k) / 2) / big**2
        q += (ak * (n0k - ck) + ck * (n1k - ak)) / (2 * big)
    rd = num / w
    return r / s, gr / (r * s), rd, (rd * p + q) / w**2


@given(group_strata_tables(groups=(2, 2), strata=(1, 6), max_population=60))
def test_mantel_haenszel_meets_a_naive_implementation(
    tables: tuple[np.ndarray, np.ndarray],
) -> None:
    events, totals = tables
    res = mantel_haenszel_comparison(events, totals, groups=["g", "ref"], reference="ref")
    group = res.groups[0]
    a, n1, c, n0 = events[0], totals[0], events[1], totals[1]
    if c.sum() == 0 or a.sum() == 0:
        return  # undefined ratio: covered by test_undefined_comparisons_say_why
    rr, var_log, rd, var_rd = naive_mh(a.tolist(), n1.tolist(), c.tolist(), n0.tolist())
    assert known(group.risk_ratio).value == pytest.approx(rr, rel=1e-12)
    assert known(group.risk_ratio).std_err == pytest.approx(
        math.sqrt(max(var_log, 0)), rel=1e-9, abs=1e-12
    )
    assert known(group.risk_difference).value == pytest.approx(rd, rel=1e-12, abs=1e-14)
    assert known(group.risk_difference).std_err == pytest.approx(
        math.sqrt(max(var_rd, 0)), rel=1e-9, abs=1e-12
    )


@given(st.integers(1, 40), st.integers(0, 40), st.integers(1, 40), st.integers(0, 40))
def test_one_stratum_is_the_crude_comparison(n1: int, a: int, n0: int, c: int) -> None:
    a, c = min(a, n1), min(c, n0)
    res = mantel_haenszel_comparison(
        [[c], [a]], [[n0], [n1]], groups=["ref", "g"], reference="ref"
    )
    group = res.groups[1]
    if c > 0:
        assert known(group.risk_ratio).value == pytest.approx((a / n1) / (c / n0), rel=1e-12)
    assert known(group.risk_difference).value == pytest.approx(
        a / n1 - c / n0, rel=1e-12, abs=1e-15
    )


@given(group_strata_tables(groups=(2, 3), strata=(2, 5)), st.randoms(use_true_random=False))
def test_mantel_haenszel_is_invariant_to_the_order_of_strata(
    tables: tuple[np.ndarray, np.ndarray], random: object
) -> None:
    events, totals = tables
    order = list(range(events.shape[1]))
    random.shuffle(order)  # type: ignore[attr-defined]
    one = mantel_haenszel_comparison(events, totals, reference=1)
    two = mantel_haenszel_comparison(events[:, order], totals[:, order], reference=1)
    assert one.reference == two.reference == 1  # default labels are 1, 2, ...
    for a, b in zip(one.groups, two.groups, strict=True):
        for x, y in ((a.risk_ratio, b.risk_ratio), (a.risk_difference, b.risk_difference)):
            if x is None:
                assert y is None
                continue
            for field in ("value", "lower", "upper"):
                u, v = getattr(x, field), getattr(y, field)
                assert (u is None) == (v is None)
                if u is not None:
                    assert v == pytest.approx(u, rel=1e-10, abs=1e-14)


def test_undefined_comparisons_say_why() -> None:
    # no stratum holds both groups
    res = mantel_haenszel_comparison([[3, 0], [0, 2]], [[10, 0], [0, 8]], reference=1)
    assert known(res.groups[1].risk_ratio).value is None
    assert "both groups" in known(res.groups[1].risk_ratio).note
    assert "both groups" in known(res.groups[1].risk_difference).note
    # no reference events
    res = mantel_haenszel_comparison([[0, 0], [3, 2]], [[10, 9], [9, 8]], reference=1)
    assert "reference group" in known(res.groups[1].risk_ratio).note
    # no events in the group
    res = mantel_haenszel_comparison([[3, 2], [0, 0]], [[10, 9], [9, 8]], reference=1)
    rr = known(res.groups[1].risk_ratio)
    assert (rr.value, rr.lower, rr.upper) == (0.0, None, None)
    # an empty group has no crude comparison
    res = mantel_haenszel_comparison([[3, 2], [0, 0]], [[10, 9], [0, 0]], reference=1)
    assert known(res.groups[1].crude_risk_ratio).value is None
    assert res.groups[1].rate.value is None


def test_reference_defaults_to_the_largest_group() -> None:
    res = mantel_haenszel_comparison([[1, 2], [3, 4]], [[10, 10], [30, 30]], groups=["x", "y"])
    assert res.reference == "y"
    assert res.groups[1].risk_ratio is None


def test_adjusted_comparison_is_readable_and_json_safe() -> None:
    res = mantel_haenszel_comparison(
        [REF_EVENTS, GROUP_EVENTS], [REF_N, GROUP_N], groups=["ref", "g"], strata=["a", "b", "c"]
    )
    assert isinstance(res, AdjustedComparison)
    lines = str(res).splitlines()
    assert lines[0] == "Mantel-Haenszel comparisons with 'ref' (adjusted for 3 strata)"
    assert lines[2].split()[:3] == ["ref", "55/145", "reference"]
    assert lines[3].split()[:2] == ["g", "20/45"]
    assert res.to_dict()["groups"][1]["risk_ratio"]["value"] == pytest.approx(RR_MH[0])


def test_mantel_haenszel_deprecated_conf_level() -> None:
    with pytest.warns(DeprecationWarning, match="conf_level"):
        res = mantel_haenszel_comparison([[1, 2], [3, 4]], [[9, 9], [9, 9]], conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
    assert res.confidence_level == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"events": [[1, 2]]}, r"`events` must have the same shape as `totals`"),
        ({"events": [[1, 20], [3, 4]]}, r"`events` must be at most `totals` in every cell"),
        ({"totals": [[9, 9.5], [9, 9]]}, r"`totals` must hold whole-number counts"),
        ({"reference": "z"}, r"`reference` must be one of the groups; got 'z'"),
        ({"groups": ["a"]}, r"`groups` must hold one label per row or column \(2\)"),
    ],
)
def test_mantel_haenszel_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"events": [[1, 2], [3, 4]], "totals": [[9, 9], [9, 9]]}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        mantel_haenszel_comparison(**args)  # type: ignore[arg-type]


def test_nobody_is_insufficient() -> None:
    with pytest.raises(InsufficientDataError, match="`totals` hold nobody"):
        mantel_haenszel_comparison([[0], [0]], [[0], [0]])


# ---- case mix from a cohort ---------------------------------------------------------------


def small_cohort() -> Cohort:
    return Cohort.from_columns(
        {
            "accessed": ["2022-05-01"] * 8,
            "job_start": ["2022-07-01", None, "2022-09-01", None, "2022-06-01", None,
                          "2022-08-01", None],
            "ethnicity": ["A", "A", "A", "B", "B", "B", "B", None],
            "age_band": ["young", "young", "old", "young", "young", "old", "old", "old"],
            "gender": ["F", "M", "F", "F", "M", "M", "F", "F"],
        },
        observed_until="2023-03-31",
    )  # fmt: skip


ELIGIBLE = {
    ("A", "young", "F"): 10, ("A", "young", "M"): 12, ("A", "old", "F"): 30,
    ("A", "old", "M"): 25, ("B", "young", "F"): 20, ("B", "young", "M"): 15,
    ("B", "old", "F"): 6, ("B", "old", "M"): 9, ("C", "old", "M"): 4,
    ("Not known", "old", "F"): 7,
}  # fmt: skip


def test_standardised_access_by_hand() -> None:
    res = standardised_access(small_cohort(), "ethnicity", ELIGIBLE, missing_labels=["Not known"])
    # IPS users (A: young F, young M, old F; B: young F, young M, old M, old F) over the
    # eligible of each stratum, all groups together:
    rate = {
        ("young", "F"): 2 / 30, ("young", "M"): 2 / 27, ("old", "F"): 2 / 36,
        ("old", "M"): 1 / 38,
    }  # fmt: skip
    expected_a = (
        10 * rate["young", "F"]
        + 12 * rate["young", "M"]
        + 30 * rate["old", "F"]
        + 25 * rate["old", "M"]
    )
    expected_c = 4 * rate["old", "M"]
    groups = {g.group: g for g in res.groups}
    assert list(groups) == ["A", "B", "C"]
    assert groups["A"].observed == 3
    assert groups["A"].expected == pytest.approx(expected_a, rel=1e-12)
    assert groups["C"].observed == 0
    assert groups["C"].expected == pytest.approx(expected_c, rel=1e-12)
    crude = known(groups["A"].crude_ratio).value
    assert crude == pytest.approx((3 / 7) / (77 / 131), rel=1e-12)
    assert res.n_missing == 1
    assert res.strata_names == ("age_band", "gender")
    assert res.strata == (("old", "F"), ("old", "M"), ("young", "F"), ("young", "M"))
    assert any("1 IPS users" in c for c in res.caveats)
    assert any("7 eligible people" in c for c in res.caveats)
    assert str(res).splitlines()[0].startswith("standardised access ratios (exact interval")


def test_standardised_access_equals_indirect_standardisation_of_the_tallies() -> None:
    cohort = synthetic_cohort().with_age_band((35, 50))
    eligible = {}
    users = cohort.crosstab("ethnicity", "age_band")
    for i, group in enumerate(users.row_levels):
        for j, band in enumerate(users.col_levels):
            eligible[group, band] = int(users.counts[i, j]) * 10 + 3
    res = standardised_access(cohort, "ethnicity", eligible, strata=["age_band"])
    table = np.asarray(users.counts, dtype=float)
    base = indirect_standardise(table, table * 10 + 3, groups=list(users.row_levels))
    for mine, theirs in zip(res.groups, base.groups, strict=True):
        assert mine.group == theirs.group
        assert mine.expected == pytest.approx(theirs.expected, rel=1e-12)
        same_estimate(mine.ratio, theirs.ratio)


def test_standardised_access_takes_an_eligible_cohort() -> None:
    cohort = small_cohort()
    eligible = Cohort.from_columns(
        {
            "accessed": ["2022-01-01"] * 6,
            "ethnicity": ["A", "A", "B", "B", "B", "D"],
            "age_band": ["young", "old", "young", "old", "old", "old"],
            "gender": ["F", "F", "M", "M", "F", "M"],
        },
        observed_until="2023-03-31",
    )
    with pytest.raises(InvalidInputError, match="`eligible` must count eligible people"):
        standardised_access(cohort, "ethnicity", eligible)
    res = standardised_access(cohort, "ethnicity", eligible, strata=[])
    assert [g.group for g in res.groups] == ["A", "B", "D"]
    assert [g.population for g in res.groups] == [2, 3, 1]
    assert res.groups[2].observed == 0
    assert any("not a subset" in c for c in res.caveats)  # 3 A users, 2 eligible A


def test_one_stratum_access_is_the_crude_representation_ratio() -> None:
    res = standardised_access(small_cohort(), "ethnicity", {("A",): 40, ("B",): 60}, strata=[])
    a = res.groups[0]
    assert a.ratio.value == pytest.approx(known(a.crude_ratio).value, rel=1e-14)
    assert a.ratio.value == pytest.approx((3 / 7) / (40 / 100), rel=1e-12)


def test_standardised_access_deprecated_conf_level() -> None:
    with pytest.warns(DeprecationWarning, match="conf_level"):
        res = standardised_access(small_cohort(), "ethnicity", ELIGIBLE, conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
    assert res.confidence_level == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cohort": "people"}, r"`cohort` must be a Cohort; got str"),
        ({"by": "team"}, r"`by` must name an attribute of the cohort; got 'team'"),
        ({"strata": ["age"]}, r"`strata` must name an attribute of the cohort; got 'age'"),
        ({"strata": ["gender", "gender"]}, r"`strata` must name each attribute once"),
        ({"strata": [1]}, r"`strata` must be an attribute name or a sequence"),
        ({"eligible": [1, 2]}, r"`eligible` must be a Cohort or a mapping"),
        ({"eligible": {("A", "young"): 3}}, r"`eligible` must have keys \(group, age_band, "),
        ({"eligible": {("A", "young", "F"): -3}}, r"`eligible` must hold non-negative counts"),
        ({"eligible": {("A", "young", "F"): 3}}, r"`eligible` must count eligible people"),
        ({"method": "mid-p"}, r"`method` must be one of 'exact', 'byar', 'wald-log'"),
    ],
)
def test_standardised_access_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"cohort": small_cohort(), "by": "ethnicity", "eligible": ELIGIBLE}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        standardised_access(**args)  # type: ignore[arg-type]


def test_standardised_outcomes_agree_with_the_counts_functions() -> None:
    cohort = synthetic_cohort().with_age_band((35, 50))
    res = standardised_outcomes(cohort, "ethnicity", strata=["age_band"], reference="White")
    assert isinstance(res, StandardisedOutcomes)
    people = cohort.crosstab("ethnicity", "age_band")
    jobs_table = cohort.crosstab("ethnicity", "job_by_end", strata="age_band")
    jobs = np.asarray(jobs_table.counts)[:, :, 0].T.astype(float)  # strata x rows x cols
    n = np.asarray(people.counts, dtype=float)
    groups = list(people.row_levels)
    direct = direct_standardise(jobs, n, n.sum(axis=0), groups=groups)
    indirect = indirect_standardise(jobs, n, groups=groups)
    mh = mantel_haenszel_comparison(jobs, n, groups=groups, reference="White")
    for rate, other_rate in zip(res.direct.groups, direct.groups, strict=True):
        same_estimate(rate.rate, other_rate.rate)
    for ratio, other_ratio in zip(res.indirect.groups, indirect.groups, strict=True):
        same_estimate(ratio.ratio, other_ratio.ratio)
    for row, other_row in zip(res.comparison.groups, mh.groups, strict=True):
        assert row.to_dict() == other_row.to_dict()
    assert res.n == int(n.sum())
    assert res.n + res.n_missing == cohort.n
    assert res.direct.name == res.indirect.name == res.comparison.name == "ethnicity"
    text = str(res)
    assert text.startswith("ethnicity: everyone, outcome by")
    assert "standardised job ratios" in text


def test_standardised_outcomes_window() -> None:
    cohort = synthetic_cohort().with_age_band((35, 50))
    res = standardised_outcomes(cohort, "gender", strata=["age_band"], min_followup_months=6)
    selected = cohort.with_minimum_followup(6)
    assert res.n + res.n_missing == selected.n
    assert res.n_window_excluded == cohort.n - selected.n
    assert "6 months" in res.window


def test_standardised_outcomes_deprecated_conf_level() -> None:
    cohort = synthetic_cohort().with_age_band((35, 50))
    with pytest.warns(DeprecationWarning, match="conf_level"):
        res = standardised_outcomes(cohort, "gender", strata=["age_band"], conf_level=0.9)  # type: ignore[call-arg]  # the deprecated spelling
    assert res.direct.confidence_level == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cohort": 3}, r"`cohort` must be a Cohort; got int"),
        ({"dsr_method": "beta"}, r"`dsr_method` must be one of 'dobson', 'fay-feuer'"),
        ({"count_limits": "mid-p"}, r"`count_limits` must be one of 'exact', 'byar'"),
        ({"ratio_method": "x"}, r"`ratio_method` must be one of 'exact', 'byar', 'wald-log'"),
        ({"reference": "Z"}, r"`reference` must be one of the groups"),
        ({"min_followup_months": -1}, r"`min_followup_months` must be a whole"),
    ],
)
def test_standardised_outcomes_validation(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"cohort": small_cohort(), "by": "ethnicity"}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        standardised_outcomes(**args)  # type: ignore[arg-type]


def test_a_missing_age_band_suggests_banding_the_ages() -> None:
    with pytest.raises(InvalidInputError, match=r"Hint: band the ages first"):
        standardised_outcomes(synthetic_cohort(), "ethnicity")


def test_standardised_outcomes_needs_someone_known() -> None:
    cohort = Cohort.from_columns(
        {"accessed": ["2022-05-01"] * 2, "g": [None, None], "age_band": ["a", "b"]},
        observed_until="2023-03-31",
    )
    with pytest.raises(InsufficientDataError, match="nobody in everyone"):
        standardised_outcomes(cohort, "g", strata=["age_band"])
