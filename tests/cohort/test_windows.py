from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Cohort, Exclusions, InvalidInputError, add_months, followup_cutoff
from ipsstats.calendar import months_between
from tests.strategies import cohort_records

YEAR_2019 = np.arange(np.datetime64("2019-01-01"), np.datetime64("2020-01-01"))


def year_cohort() -> Cohort:
    """Everyone accessing on each day of 2019, one person a day, half of them with a job."""
    n = YEAR_2019.size
    job = np.where(np.arange(n) % 2 == 0, YEAR_2019 + 30, np.datetime64("NaT"))
    return Cohort.from_columns(
        {
            "id": [f"p{k}" for k in range(n)],
            "accessed": YEAR_2019,
            "job_start": np.where(job <= np.datetime64("2019-12-31"), job, np.datetime64("NaT")),
            "service": np.where(np.arange(n) % 3 == 0, "CNWL", "WWT"),
        },
        observed_until="2019-12-31",
    )


def test_paper_rule_six_months_by_31_december_2019() -> None:
    cohort = year_cohort()
    six = cohort.with_minimum_followup(months=6, study_end="2019-12-31")
    assert str(six.accessed.min()) == "2019-01-01"
    assert str(six.accessed.max()) == "2019-06-30"
    np.testing.assert_array_equal(
        six.accessed, YEAR_2019[np.datetime64("2019-06-30") >= YEAR_2019]
    )
    assert six.n == 181
    assert np.datetime64("2019-07-01") not in six.accessed
    record = six.exclusions[-1]
    assert record.n_before == 365
    assert record.n_after == 181
    assert record.n_excluded == 184 == sum(record.counts.values())
    assert dict(record.counts) == {
        "accessed after 2019-12-31 (the end of follow-up)": 0,
        "accessed after 2019-06-30 (less than 6 months before 2019-12-31)": 184,
    }
    assert record.parameters["latest_access"] == "2019-06-30"
    assert (
        record.description
        == "accessed on or before 2019-06-30 (6 months' follow-up by 2019-12-31)"
    )
    assert six.study_end == dt.date(2019, 12, 31)


@pytest.mark.parametrize(
    ("end", "kept"),
    [
        # 29, 30 and 31 August plus 6 months clamp to the end of February.
        ("2020-02-29", ["2019-08-28", "2019-08-29", "2019-08-30", "2019-08-31"]),
        ("2020-02-28", ["2019-08-28"]),
        ("2019-02-28", ["2018-08-28", "2018-08-29", "2018-08-30", "2018-08-31"]),
        ("2019-02-27", []),
    ],
)
def test_month_end_clamping_in_the_window(end: str, kept: list[str]) -> None:
    year = end[:4]
    start = np.datetime64(f"{int(year) - 1}-08-28")
    cohort = Cohort.from_columns({"accessed": np.arange(start, start + 5)}, observed_until=end)
    six = cohort.with_minimum_followup(6, study_end=end)
    assert [str(d) for d in six.accessed] == kept
    assert six.exclusions[-1].n_excluded == 5 - len(kept)


@pytest.mark.parametrize("months", [0, 1, 3, 6, 9, 12, 18])
@pytest.mark.parametrize("end", ["2019-12-31", "2019-02-28", "2020-02-29", "2019-03-30"])
def test_window_equals_its_three_definitions(months: int, end: str) -> None:
    accessed = np.arange(np.datetime64("2017-06-01"), np.datetime64(end) + 1)
    cohort = Cohort.from_columns({"accessed": accessed}, observed_until=end)
    kept = cohort.with_minimum_followup(months, study_end=end)
    by_rule = accessed[add_months(accessed, months) <= np.datetime64(end)]
    by_count = accessed[
        months_between(accessed, np.full(accessed.size, np.datetime64(end))) >= months
    ]
    by_cutoff = accessed[accessed <= np.datetime64(followup_cutoff(months, end))]
    np.testing.assert_array_equal(kept.accessed, by_rule)
    np.testing.assert_array_equal(kept.accessed, by_count)
    np.testing.assert_array_equal(kept.accessed, by_cutoff)


@pytest.mark.parametrize("months", [0, 1, 6, 11, 12, 25])
def test_followup_cutoff_against_brute_force(months: int) -> None:
    ends = np.arange(np.datetime64("1999-01-01"), np.datetime64("2031-01-01"), 5)
    for end in ends[:: 7 if months > 1 else 1]:
        cutoff = np.datetime64(followup_cutoff(months, end), "D")
        # The cutoff qualifies and the next day does not (add_months is monotone).
        assert add_months(cutoff, months) <= end
        assert add_months(cutoff + 1, months) > end


def test_followup_cutoff_examples() -> None:
    assert followup_cutoff(6, "2019-12-31") == dt.date(2019, 6, 30)
    assert followup_cutoff(6, "2019-02-28") == dt.date(2018, 8, 31)
    assert followup_cutoff(6, "2020-02-29") == dt.date(2019, 8, 31)
    assert followup_cutoff(6, "2020-02-28") == dt.date(2019, 8, 28)
    assert followup_cutoff(0, "2019-05-17") == dt.date(2019, 5, 17)


def test_accessed_between_is_inclusive_and_recorded() -> None:
    cohort = year_cohort()
    spring = cohort.accessed_between("2019-03-01", dt.date(2019, 5, 31))
    assert str(spring.accessed.min()) == "2019-03-01"
    assert str(spring.accessed.max()) == "2019-05-31"
    record = spring.exclusions[-1]
    assert dict(record.counts) == {
        "accessed before 2019-03-01": 59,
        "accessed after 2019-05-31": 214,
    }
    assert record.n_after == spring.n == 92
    assert spring.study_end == spring.observed_until  # an access window keeps the study end
    one_day = cohort.accessed_between("2019-07-01", "2019-07-01")
    assert one_day.n == 1


def test_steps_chain_into_an_audit_trail() -> None:
    cohort = year_cohort()
    selected = (
        cohort.accessed_between("2019-01-01", "2019-12-31")
        .with_minimum_followup(6, study_end="2019-12-31")
        .where("service", ["CNWL"])
    )
    steps = selected.exclusions
    assert [s.step for s in steps] == ["access window", "minimum follow-up", "attribute filter"]
    assert steps[0].n_before == cohort.n
    for before, after in itertools.pairwise(steps):
        assert before.n_after == after.n_before
    assert steps[-1].n_after == selected.n
    assert all(s.n_excluded == sum(s.counts.values()) for s in steps)
    as_json = json.loads(json.dumps([s.to_dict() for s in steps]))
    assert as_json[1]["parameters"] == {
        "months": 6,
        "end": "2019-12-31",
        "latest_access": "2019-06-30",
    }
    assert as_json[2]["parameters"]["levels"] == ["CNWL"]
    assert as_json[2]["n_excluded"] == steps[2].n_excluded
    assert str(steps[2]).startswith("attribute filter: 181 -> 61 (120 excluded)")


def test_job_by_end_uses_the_window_end() -> None:
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-01", "2019-02-01"],
            "job_start": ["2019-06-01", "2020-01-15"],
            "group": ["a", "b"],
        },
        observed_until="2020-06-30",
    )
    assert cohort.crosstab("group").counts.tolist() == [[1, 0], [1, 0]]
    six = cohort.with_minimum_followup(6, study_end="2019-12-31")
    assert six.crosstab("group").counts.tolist() == [[1, 0], [0, 1]]
    # One date for every analysis: time to job is judged at the study end too, so the
    # January 2020 job is not yet seen (censored at 2019-12-31, 333 days after access).
    waiting = six.time_to_job()
    assert waiting.events.tolist() == [True, False]
    assert waiting.durations.tolist() == [151.0, 333.0]


def test_sensitivity_across_window_lengths() -> None:
    cohort = year_cohort()
    windows = cohort.followup_sensitivity((3, 6, 9, 12), study_end="2019-12-31")
    assert list(windows) == [3, 6, 9, 12]
    assert {k: str(c.accessed.max()) for k, c in windows.items() if c.n} == {
        3: "2019-09-30",
        6: "2019-06-30",
        9: "2019-03-31",
    }
    assert windows[12].n == 0
    sizes = [c.n for c in windows.values()]
    assert sizes == sorted(sizes, reverse=True)
    for k, sub in windows.items():
        assert sub.n == cohort.with_minimum_followup(k, study_end="2019-12-31").n
    assert list(cohort.followup_sensitivity(study_end="2019-12-31")) == [3, 6, 9, 12]


@given(
    cohort_records(valid=True),
    st.integers(0, 14),
    st.dates(dt.date(2019, 1, 1), dt.date(2020, 6, 30)),
    st.sets(st.sampled_from(["White", "Asian", "Black", "Mixed"]), min_size=1),
)
def test_window_and_attribute_filter_commute(
    records: list[dict[str, object]], months: int, end: dt.date, levels: set[str]
) -> None:
    cohort = Cohort.from_records(
        records, observed_until="2020-06-30", missing_labels=["Not known"]
    )
    ethnicity = cohort.attributes.get("ethnicity")
    if ethnicity is None:
        return
    present = [level for level in sorted(levels) if level in getattr(ethnicity, "levels", ())]
    first = cohort.with_minimum_followup(months, study_end=end).where("ethnicity", present)
    second = cohort.where("ethnicity", present).with_minimum_followup(months, study_end=end)
    assert first.ids.tolist() == second.ids.tolist()
    np.testing.assert_array_equal(first.accessed, second.accessed)
    np.testing.assert_array_equal(first.job_start, second.job_start)
    assert first.study_end == second.study_end
    third = cohort.accessed_between("2019-01-01", end).where("ethnicity", present)
    fourth = cohort.where("ethnicity", present).accessed_between("2019-01-01", end)
    assert third.ids.tolist() == fourth.ids.tolist()


def test_where_records_missing_values_apart() -> None:
    cohort = Cohort.from_columns(
        {"accessed": ["2019-01-01"] * 4, "sex": ["F", "M", None, "F"]},
        observed_until="2019-12-31",
    )
    women = cohort.where("sex", ["F"])
    assert women.n == 2
    assert dict(women.exclusions[-1].counts) == {"sex not in F": 1, "sex missing": 1}


def test_window_errors() -> None:
    cohort = year_cohort()
    with pytest.raises(InvalidInputError, match=r"`end` must be on or after `start`.*swap"):
        cohort.accessed_between("2019-06-30", "2019-01-01")
    with pytest.raises(InvalidInputError, match="`start` must hold dates"):
        cohort.accessed_between("01/01/2019", "2019-06-30")
    with pytest.raises(
        InvalidInputError, match=r"`study_end` must be on or before the extraction date"
    ):
        cohort.with_minimum_followup(6, study_end="2020-01-31")
    with pytest.raises(InvalidInputError, match="`study_end` must be a single date"):
        cohort.with_minimum_followup(6, study_end=["2019-12-31", "2019-12-30"])
    for bad in (-1, 1.5, True, "6"):
        with pytest.raises(InvalidInputError, match="`months` must be a whole number"):
            cohort.with_minimum_followup(bad, study_end="2019-12-31")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`months` must be a non-empty sequence"):
        cohort.followup_sensitivity((), study_end="2019-12-31")
    with pytest.raises(InvalidInputError, match="`months` must hold distinct"):
        cohort.followup_sensitivity((6, 6), study_end="2019-12-31")
    with pytest.raises(InvalidInputError, match=r"`levels` must hold levels of 'service'.*CNWL"):
        cohort.where("service", ["NELFT"])
    with pytest.raises(InvalidInputError, match="`levels` must be a collection"):
        cohort.where("service", "CNWL")
    numeric = cohort.with_attribute("score", np.arange(cohort.n))
    with pytest.raises(InvalidInputError, match="`name` must name a categorical attribute"):
        numeric.where("score", [1])


def test_exclusions_record() -> None:
    record = Exclusions(
        step="access window",
        description="accessed 2019-01-01 to 2019-12-31",
        n_before=10,
        n_after=8,
        counts={"accessed before 2019-01-01": 2},
    )
    assert record.n_excluded == 2
    assert str(record) == ("access window: 10 -> 8 (2 excluded)\n  accessed before 2019-01-01: 2")
    assert record.to_dict()["counts"] == {"accessed before 2019-01-01": 2}
