"""Tests of ipsstats.equity: access, outcome and duration equity.

References: naive recomputations written here (Wilson and Katz intervals, Holm's
procedure, Fisher-Freeman-Halton by enumeration) on the counts of Perkins et al. (2022),
and ipsstats' own per-group estimates. The reproductions of the paper's Tables 2 and 3 and
the checks against scipy and lifelines are in ``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ipsstats import (
    Cohort,
    ContingencyTable,
    Counts,
    InsufficientDataError,
    InvalidInputError,
    StratifiedTable,
    cumulative_incidence,
    independence,
    kaplan_meier,
    logrank,
)
from ipsstats.calendar import DAYS_PER_MONTH
from ipsstats.datasets import perkins2022
from ipsstats.equity import (
    AccessEquity,
    OutcomeEquity,
    ReportedTest,
    access_equity,
    duration_equity,
    outcome_equity,
)

# ---- access ---------------------------------------------------------------------------------


def test_access_reach_is_wilson_interval() -> None:
    res = access_equity({"a": 10, "b": 20}, {"a": 100, "b": 100})
    reach = res.groups[0].reach
    assert reach is not None
    # Wilson interval written out (Wilson 1927): centre and half-width
    z, n, p = stats.norm.isf(0.025), 100, 0.1
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert reach.lower == pytest.approx(centre - half, rel=1e-12)
    assert reach.upper == pytest.approx(centre + half, rel=1e-12)
    assert res.overall_reach is not None
    assert res.overall_reach.value == pytest.approx(30 / 200, rel=1e-15)


def test_access_homogeneity_ratio_is_katz() -> None:
    res = access_equity({"a": 30, "b": 70}, {"a": 200, "b": 800})
    ratio = res.groups[0].representation_ratio
    a, n_a, b, n_b = 30, 100, 200, 1000
    se = math.sqrt(1 / a - 1 / n_a + 1 / b - 1 / n_b)
    z = stats.norm.isf(0.025)
    assert ratio.value == pytest.approx(1.5, rel=1e-12)
    assert ratio.lower == pytest.approx(1.5 * math.exp(-z * se), rel=1e-10)
    assert ratio.upper == pytest.approx(1.5 * math.exp(z * se), rel=1e-10)


def test_access_missing_include_and_sensitivity() -> None:
    data = perkins2022()
    ips, case = data.ips_ethnicity["WWT"], data.caseload_ethnicity["WWT"]
    included = access_equity(ips, case, missing="include")
    assert included.groups[-1].group == "Missing"
    assert (included.groups[-1].ips_n, included.groups[-1].eligible_n) == (18, 90)
    assert included.test.n_excluded == 0
    assert included.test.dof == 5
    both = access_equity(ips, case, missing="sensitivity")
    assert both.missing == "sensitivity"
    assert both.test.statistic == pytest.approx(34.2242, abs=1e-4)
    assert both.sensitivity is not None
    assert both.sensitivity.test.statistic == pytest.approx(included.test.statistic, rel=1e-15)
    none_missing = access_equity({"a": 1, "b": 9}, {"a": 50, "b": 50}, missing="sensitivity")
    assert none_missing.sensitivity is None
    assert any("not needed" in c for c in none_missing.caveats)


def test_access_reach_withheld_when_users_exceed_caseload() -> None:
    res = access_equity({"a": 30, "b": 10}, {"a": 20, "b": 100})
    assert all(g.reach is None for g in res.groups)
    assert res.overall_reach is None
    assert any("reach is not computed" in c and "'a'" in c for c in res.caveats)


@given(
    st.lists(st.integers(1, 50), min_size=2, max_size=6).flatmap(
        lambda ips: st.tuples(
            st.just(ips), st.lists(st.integers(0, 200), min_size=len(ips), max_size=len(ips))
        )
    )
)
def test_access_properties(pair: tuple[list[int], list[int]]) -> None:
    ips, extra = pair
    eligible = [a + x for a, x in zip(ips, extra, strict=True)]
    labels = [f"g{k}" for k in range(len(ips))]
    res = access_equity(
        dict(zip(labels, ips, strict=True)), dict(zip(labels, eligible, strict=True))
    )
    assert math.fsum(g.ips_share for g in res.groups) == pytest.approx(1.0)
    overall = sum(ips) / sum(eligible)
    for g in res.groups:
        assert g.reach is not None
        assert g.reach.value is not None
        rr = g.representation_ratio
        assert rr.value == pytest.approx(g.reach.value / overall, rel=1e-12)
        if g.flag == "over":
            assert rr.lower is not None
            assert rr.lower > 1
        elif g.flag == "under":
            assert rr.upper is not None
            assert rr.upper < 1
    assert 0.0 <= res.test.pvalue <= 1.0


# ---- access: bad input ----------------------------------------------------------------------


def test_access_rejects_different_groups() -> None:
    with pytest.raises(InvalidInputError, match=r"only in `ips_counts`: \['c'\].*\['d'\]"):
        access_equity({"a": 1, "b": 2, "c": 3}, {"a": 10, "b": 20, "d": 5})


def test_access_subset_rejects_more_users_than_eligible() -> None:
    with pytest.raises(InvalidInputError, match=r"`eligible_counts` must .*'Mixed' \(30 IPS"):
        access_equity({"White": 10, "Mixed": 30}, {"White": 100, "Mixed": 20}, method="subset")


def test_access_rejects_bad_inputs_and_options() -> None:
    with pytest.raises(InvalidInputError, match="`ips_counts` must be Counts or a mapping"):
        access_equity([1, 2], {"a": 1, "b": 2})
    with pytest.raises(InvalidInputError, match="`method`"):
        access_equity({"a": 1, "b": 2}, {"a": 1, "b": 2}, method="chi")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`missing`"):
        access_equity({"a": 1, "b": 2}, {"a": 1, "b": 2}, missing="drop")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="confidence_level"):
        access_equity({"a": 1, "b": 2}, {"a": 1, "b": 2}, confidence_level=95)


def test_access_missing_labels_in_mappings() -> None:
    res = access_equity(
        {"a": 5, "b": 5, "Not known": 2},
        {"a": 50, "b": 50, "Not known": 10},
        missing_labels=["Not known"],
    )
    assert (res.ips_missing, res.eligible_missing) == (2, 10)
    assert isinstance(res, AccessEquity)
    assert "reach" in res.to_text()


# ---- outcome --------------------------------------------------------------------------------


def _overall(res: OutcomeEquity) -> ReportedTest:
    assert res.overall is not None
    return res.overall


def _by_service(window: str) -> StratifiedTable:
    data = perkins2022()
    jobs = data.jobs_all if window == "all" else data.jobs_six_month
    return StratifiedTable.from_tables(
        {"CNWL": jobs["CNWL"], "WWT": jobs["WWT"]}, strata_name="service"
    )


def test_outcome_flags_the_two_small_expected_tests() -> None:
    flagged = []
    for window in ("all", "six"):
        res = outcome_equity(_by_service(window), "ethnicity")
        for test in (_overall(res), *res.stratum_tests):
            if test.small_expected:
                flagged.append((window, test.label))
                assert test.min_expected is not None
                assert test.min_expected < 5
                assert test.exact is not None
                assert test.asymptotic is not None
                assert test.exact.method == "fisher-freeman-halton"
                assert test.exact.pvalue != test.asymptotic.pvalue
                assert "exact p" in str(test)
            else:
                assert test.exact is None
    assert flagged == [("all", "service = WWT"), ("six", "service = WWT")]


def _naive_exact_2xk(jobs: tuple[int, ...], people: tuple[int, ...]) -> float:
    """Fisher-Freeman-Halton p-value of a k x 2 table by enumerating every table."""
    total = sum(jobs)
    log_fact = [math.lgamma(i + 1) for i in range(sum(people) + 1)]

    def log_p(x: tuple[int, ...]) -> float:
        return sum(
            log_fact[n] - log_fact[k] - log_fact[n - k] for k, n in zip(x, people, strict=True)
        ) - (log_fact[sum(people)] - log_fact[total] - log_fact[sum(people) - total])

    observed = log_p(jobs)
    p = 0.0
    for x in itertools.product(*(range(n + 1) for n in people)):
        if sum(x) == total:
            lp = log_p(x)
            if lp <= observed + 1e-7:
                p += math.exp(lp)
    return p


def test_outcome_exact_pvalue_of_wwt_six_month_against_enumeration() -> None:
    res = outcome_equity(perkins2022().jobs_six_month["WWT"], "ethnicity")
    exact = _overall(res).exact
    assert exact is not None
    expected = _naive_exact_2xk((29, 13, 10, 2, 0), (63, 33, 22, 9, 1))
    assert exact.pvalue == pytest.approx(expected, rel=1e-9)
    # auto chose the exact test here (Cochran's rule fails) and says why
    assert _overall(res).result.method == "fisher-freeman-halton"
    assert "Cochran" in getattr(_overall(res).result, "reason", "")


def test_outcome_holm_across_the_family() -> None:
    res = outcome_equity(_by_service("six"), "ethnicity")
    raw = [t.result.pvalue for t in res.tests]
    m = len(raw)
    order = np.argsort(raw)
    naive = np.empty(m)
    running = 0.0
    for rank, k in enumerate(order):  # Holm (1979) step-down, written out
        running = max(running, min(1.0, (m - rank) * raw[k]))
        naive[k] = running
    assert [t.adjusted_pvalue for t in res.tests] == pytest.approx(naive.tolist(), rel=1e-12)
    assert all(t.adjust == "holm" for t in res.tests)
    assert res.cmh_tests[0].label == "CMH across service"
    assert res.cmh_tests[0].result.dof == 4
    unadjusted = outcome_equity(_by_service("six"), "ethnicity", adjust="none")
    assert [t.adjusted_pvalue for t in unadjusted.tests] == raw


def test_outcome_rates_ratios_and_differences() -> None:
    res = outcome_equity(perkins2022().jobs_all["CNWL"], "ethnicity")
    assert res.reference == "White"  # the largest group by default
    white, asian = res.groups[0], res.groups[1]
    assert white.rate_ratio is None
    assert asian.rate_ratio is not None
    assert asian.rate_difference is not None
    assert asian.rate_ratio.value == pytest.approx((35 / 77) / (47 / 134), rel=1e-12)
    assert asian.rate_difference.value == pytest.approx(35 / 77 - 47 / 134, rel=1e-12)
    assert res.cramers_v == pytest.approx(math.sqrt(_overall(res).result.statistic / 365), 1e-12)
    other = outcome_equity(perkins2022().jobs_all["CNWL"], "ethnicity", reference="Other")
    assert other.reference == "Other"
    assert other.groups[4].rate_ratio is None


# ---- outcome from a cohort -----------------------------------------------------------------


def _cohort() -> Cohort:
    records = []
    rng = np.random.default_rng(7)
    groups = ["A", "B", "C", None]
    for k in range(120):
        month = int(rng.integers(1, 13))
        job = rng.random() < 0.4
        records.append(
            {
                "id": f"p{k}",
                "accessed": f"2019-{month:02d}-15",
                "job_start": (
                    (f"2019-{month:02d}-28" if k % 3 else f"2020-0{int(rng.integers(1, 6))}-01")
                    if job
                    else None
                ),
                "discharged": "2020-06-01" if (not job and rng.random() < 0.5) else None,
                "group": groups[k % 4],
                "gender": ["F", "M"][int(rng.integers(0, 2))],
            }
        )
    return Cohort.from_records(records, observed_until="2020-06-30")


def test_outcome_from_cohort_matches_naive_counts() -> None:
    cohort = _cohort()
    res = outcome_equity(cohort, "group", study_end="2020-03-31")
    labels = cohort.to_columns()["group"]
    job = ~np.isnat(cohort.job_start) & (cohort.job_start <= np.datetime64("2020-03-31"))
    for g in res.groups:
        mask = labels == g.group
        assert g.n == int(mask.sum())
        assert g.jobs == int((mask & job).sum())
    assert res.n_missing == int(sum(v is None for v in labels))
    assert res.n == cohort.n - res.n_missing
    assert res.study_end == dt.date(2020, 3, 31)


def test_outcome_window_and_strata_from_cohort() -> None:
    cohort = _cohort()
    res = outcome_equity(
        cohort, "group", min_followup_months=6, study_end="2019-12-31", strata=("gender",)
    )
    kept = cohort.with_minimum_followup(6, study_end="2019-12-31")
    assert res.n + res.n_missing == kept.n
    assert res.n_window_excluded == cohort.n - kept.n
    assert res.min_followup_months == 6
    assert "6 months" in res.window
    assert [t.label for t in res.stratum_tests] == ["gender = F", "gender = M"]
    assert len(res.cmh_tests) == 1
    assert isinstance(res, OutcomeEquity)
    assert "overall" in res.to_text()


def test_outcome_bad_by_lists_the_attributes() -> None:
    with pytest.raises(InvalidInputError, match=r"`by` must name an attribute.*'group', 'gender'"):
        outcome_equity(_cohort(), "ethnicity")
    with pytest.raises(InvalidInputError, match=r"`strata` must name an attribute"):
        outcome_equity(_cohort(), "group", strata=("age",))
    with_age = _cohort().with_attribute("age", np.arange(120.0))
    with pytest.raises(InvalidInputError, match=r"`by` must name a categorical attribute"):
        outcome_equity(with_age, "age")


def test_outcome_window_leaving_no_one() -> None:
    with pytest.raises(InsufficientDataError, match=r"`min_followup_months=12` ending 2019-12-31"):
        outcome_equity(_cohort(), "group", min_followup_months=12, study_end="2019-12-31")


def test_outcome_other_bad_inputs() -> None:
    table = perkins2022().jobs_all["CNWL"]
    with pytest.raises(InvalidInputError, match="`reference` must be one of the groups"):
        outcome_equity(table, "ethnicity", reference="Martian")
    with pytest.raises(InvalidInputError, match="`min_followup_months` must be None when a"):
        outcome_equity(table, "ethnicity", min_followup_months=6)
    with pytest.raises(InvalidInputError, match="`strata` must be empty when a table"):
        outcome_equity(table, "ethnicity", strata=("gender",))
    with pytest.raises(InvalidInputError, match="two outcome columns"):
        outcome_equity(ContingencyTable.from_counts([[1, 2, 3], [4, 5, 6]]), "g")
    with pytest.raises(InvalidInputError, match="`cohort_or_table` must be a Cohort"):
        outcome_equity([[1, 2], [3, 4]], "g")
    with pytest.raises(InvalidInputError, match="`adjust`"):
        outcome_equity(table, "ethnicity", adjust="sidak")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError, match="`min_followup_months` must be a whole number of months"
    ):
        outcome_equity(_cohort(), "group", min_followup_months=-1)
    with pytest.raises(InvalidInputError, match="`strata` must be a sequence"):
        outcome_equity(_cohort(), "group", strata=3)  # type: ignore[arg-type]


def test_outcome_untestable_overall_is_recorded_not_raised() -> None:
    cohort = _cohort()
    res = outcome_equity(cohort, "group", study_end="2019-01-31")  # no job yet, one outcome only
    assert res.overall is None
    assert res.cramers_v is None
    assert any("overall test not computed" in c for c in res.caveats)
    assert all(g.jobs == 0 for g in res.groups)


def test_outcome_nobody_with_a_known_group() -> None:
    cohort = Cohort.from_columns(
        {"accessed": ["2019-01-01", "2019-02-01"], "group": [None, None]},
        observed_until="2019-12-31",
    )
    with pytest.raises(InsufficientDataError, match="nobody in everyone"):
        outcome_equity(cohort, "group")


# ---- durations -----------------------------------------------------------------------------


def test_duration_groups_match_per_group_estimates() -> None:
    cohort = _cohort()
    res = duration_equity(cohort, "group", landmarks=(3, 6))
    d = cohort.time_to_job()
    labels = cohort.to_columns()["group"]
    for g in res.groups:
        mask = labels == g.group
        curve = kaplan_meier(d.durations[mask], d.events[mask])
        assert g.n == int(mask.sum())
        assert g.median == curve.median()
        assert g.naive_median == pytest.approx(float(np.median(d.durations[mask & d.events])))
        assert "ignores censoring" in g.naive_median_label
        for mark in g.landmarks:
            assert mark.days == pytest.approx(mark.months * DAYS_PER_MONTH)
            assert mark.remaining == curve.survival_at(mark.days)
            assert mark.incidence is not None
    known = np.array([v is not None for v in labels])
    ref = logrank(d.durations[known], d.events[known], labels[known])
    assert res.logrank is not None
    assert res.logrank.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.gray is not None
    assert res.n_missing == int((~known).sum())
    assert "log-rank" in res.to_text()


def test_duration_groups_keep_their_curves_outside_the_json() -> None:
    cohort = _cohort()
    res = duration_equity(cohort, "group", landmarks=(3,))
    d = cohort.time_to_job()
    causes = cohort.job_or_discharge().causes
    labels = cohort.to_columns()["group"]
    for g in res.groups:
        mask = labels == g.group
        assert g.curve is not None
        assert g.incidence_curve is not None
        naive = kaplan_meier(d.durations[mask], d.events[mask])
        np.testing.assert_array_equal(g.curve.times, naive.times)
        np.testing.assert_allclose(g.curve.survival, naive.survival, rtol=1e-15, atol=0)
        cif = cumulative_incidence(d.durations[mask], causes[mask], cause=1)
        np.testing.assert_allclose(g.incidence_curve.incidence, cif.incidence, rtol=1e-15)
        row = g.to_dict()
        assert "curve" not in row
        assert "incidence_curve" not in row
        assert "curve" not in repr(g)
    assert duration_equity(cohort, "group", landmarks=(3,)) == res  # curves not compared
    support = duration_equity(cohort, "group", measure="in_work_support", landmarks=(1,))
    assert all(g.curve is not None and g.incidence_curve is None for g in support.groups)


def test_duration_in_work_support_has_no_competing_risk() -> None:
    res = duration_equity(_cohort(), "group", measure="in_work_support", landmarks=(1,))
    assert res.measure == "in_work_support"
    assert res.gray is None
    assert all(m.incidence is None for g in res.groups for m in g.landmarks)


def test_duration_landmark_past_follow_up_is_undefined() -> None:
    res = duration_equity(_cohort(), "group", landmarks=(60,))
    mark = res.groups[0].landmarks[0]
    assert mark.remaining.value is None
    assert "after the group's last follow-up" in mark.remaining.note


def test_duration_bad_inputs() -> None:
    cohort = _cohort()
    with pytest.raises(InvalidInputError, match=r"`by` must name an attribute.*'group'"):
        duration_equity(cohort, "ethnicity")
    with pytest.raises(InvalidInputError, match="`measure`"):
        duration_equity(cohort, "group", measure="wait")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`landmarks` must hold positive"):
        duration_equity(cohort, "group", landmarks=(0,))
    with pytest.raises(InvalidInputError, match="`landmarks` must hold numbers"):
        duration_equity(cohort, "group", landmarks=("6",))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`landmarks` must be a sequence"):
        duration_equity(cohort, "group", landmarks=6)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`cohort` must be a Cohort"):
        duration_equity(perkins2022().jobs_all["CNWL"], "g")  # type: ignore[arg-type]
    empty = Cohort.from_columns(
        {"accessed": ["2019-01-01"], "group": [None]}, observed_until="2019-12-31"
    )
    with pytest.raises(InsufficientDataError, match="nobody has both a known group"):
        duration_equity(empty, "group")


def test_results_are_json_safe() -> None:
    data = perkins2022()
    res = access_equity(
        data.ips_ethnicity["WWT"], data.caseload_ethnicity["WWT"], missing="sensitivity"
    )
    out = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert out["groups"][0]["group"] == "White"
    assert out["sensitivity"]["groups"][-1]["group"] == "Missing"
    outcome = outcome_equity(_by_service("six"), "ethnicity")
    json.dumps(outcome.to_dict(), allow_nan=False)
    json.dumps(duration_equity(_cohort(), "group").to_dict(), allow_nan=False)


def test_counts_input_is_accepted_as_is() -> None:
    ips = Counts.from_counts([5, 5], ["a", "b"], name="grp")
    res = access_equity(ips, {"a": 20, "b": 40})
    assert res.name == "grp"
    assert independence([[5, 5], [20, 40]]).statistic == pytest.approx(res.test.statistic)


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), min_size=2, max_size=5).filter(
        lambda rows: 0 < sum(j for j, _ in rows) < sum(j + r for j, r in rows)
    ),
    st.randoms(use_true_random=False),
)
def test_outcome_invariant_to_group_order(rows: list[tuple[int, int]], rnd: Any) -> None:
    labels = [f"g{k}" for k in range(len(rows))]
    order = list(range(len(rows)))
    rnd.shuffle(order)
    table = ContingencyTable.from_counts(rows, rows=labels, cols=("job", "no job"))
    shuffled = ContingencyTable.from_counts(
        [rows[k] for k in order], rows=[labels[k] for k in order], cols=("job", "no job")
    )
    first = outcome_equity(table, "g", reference="g0")
    second = outcome_equity(shuffled, "g", reference="g0")
    assert _overall(first).result.statistic == pytest.approx(
        _overall(second).result.statistic, rel=1e-9, abs=1e-12
    )
    assert _overall(first).result.pvalue == pytest.approx(_overall(second).result.pvalue, 1e-9)
    by_label = {g.group: g for g in second.groups}
    for g in first.groups:
        other = by_label[g.group]
        assert (g.n, g.jobs) == (other.n, other.jobs)
        assert g.rate == other.rate
        assert g.rate_ratio == other.rate_ratio
        if g.rate.value is not None:
            assert g.rate.lower is not None
            assert g.rate.upper is not None
            assert g.rate.lower <= g.rate.value <= g.rate.upper


def test_outcome_window_options_must_be_whole_months() -> None:
    with pytest.raises(InvalidInputError, match="`min_followup_months` must be a whole"):
        outcome_equity(_cohort(), "group", min_followup_months=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`study_end` must be None when a table"):
        outcome_equity(perkins2022().jobs_all["CNWL"], "ethnicity", study_end="2019-12-31")
    with (
        pytest.warns(DeprecationWarning, match="`end` is deprecated"),
        pytest.raises(InvalidInputError, match="`study_end` must be None when a table"),
    ):
        outcome_equity(perkins2022().jobs_all["CNWL"], "ethnicity", end="2019-12-31")  # type: ignore[call-arg]
