"""Loading options: plausibility rules, loose column matching, attributes kept, laziness."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Cohort, Factor, InvalidInputError, equity_report, followup_cutoff
from ipsstats.cohort import ROLE_SYNONYMS

END = "2019-12-31"


def frame(**columns: list[object]) -> Cohort:
    data: dict[str, Any] = {"accessed": ["2019-01-01"] * len(next(iter(columns.values())))}
    data.update(columns)
    return Cohort.from_columns(data, observed_until=END, errors="exclude")


# ---- plausibility -------------------------------------------------------------------------


def test_default_age_range_is_adult() -> None:
    cohort = frame(age=[16, 120, 15.9, 120.5, -5, 1e308, None])
    assert cohort["age"].tolist()[:2] == [16.0, 120.0]  # type: ignore[union-attr]
    assert dict(cohort.validation.counts) == {"age outside range": 4}
    assert [issue[2] for issue in cohort.validation.issues()] == ["15.9", "120.5", "-5", "1e+308"]
    assert np.isnan(cohort["age"][2])  # type: ignore[index]  # missing stays
    anything = Cohort.from_columns(
        {"accessed": ["2019-01-01"] * 2, "age": [-5, 200]}, observed_until=END, age_range=None
    )
    assert anything["age"].tolist() == [-5.0, 200.0]  # type: ignore[union-attr]


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 100), st.integers(0, 100))
def test_age_rule_matches_naive(age: float, low: int, width: int) -> None:
    high = low + width
    cohort = Cohort.from_columns(
        {"accessed": ["2019-01-01"], "age": [age]},
        observed_until=END,
        age_range=(low, high),
        errors="exclude",
    )
    assert cohort.n == int(low <= age <= high)


def test_earliest_date_rule() -> None:
    cohort = Cohort.from_columns(
        {
            "accessed": ["0001-01-01", "1899-12-31", "1900-01-01", "2019-01-01", "2019-01-01"],
            "job_start": [None, None, None, "1000-06-01", None],
            "discharged": [None, None, None, None, "1899-01-01"],
        },
        observed_until=END,
        errors="exclude",
    )
    assert cohort.n == 1
    assert dict(cohort.validation.counts) == {  # listed under the first rule broken
        "access before earliest_date": 2,
        "job start before earliest_date": 1,
        "discharge before earliest_date": 1,
    }
    custom = Cohort.from_columns(
        {"accessed": ["1950-01-01", "1960-01-01"]},
        observed_until=END,
        earliest_date="1955-01-01",
        errors="exclude",
    )
    assert custom.validation.issues() == [
        (0, "accessed", "1950-01-01", "access before earliest_date")
    ]
    old = Cohort.from_columns({"accessed": ["0001-01-01"]}, observed_until=END, earliest_date=None)
    assert str(old.accessed[0]) == "0001-01-01"


def test_plausibility_hints_in_the_error() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"access before earliest_date.*Hint: .*Dates before earliest_date \(1900-01-01\)"
        r" are implausible; pass earliest_date=\.\.\. \(or None\).*Ages must lie in age_range "
        r"\(16, 120\); pass age_range=\(lowest, highest\), or None",
    ):
        Cohort.from_columns(
            {"accessed": ["0001-01-01", "2019-01-01"], "age": [30, 200]}, observed_until=END
        )


def test_extraction_date_must_be_plausible() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(InvalidInputError, match=r"`observed_until` must not be after today"):
        Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until=tomorrow)
    with pytest.raises(InvalidInputError, match=r"`observed_until` must not be after today"):
        Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until="9999-12-31")
    with pytest.raises(
        InvalidInputError, match=r"`observed_until` must be on or after earliest_date"
    ):
        Cohort.from_columns({"accessed": ["1850-01-01"]}, observed_until="1899-01-01")
    with pytest.raises(InvalidInputError, match=r"`earliest_date` must be a single date"):
        Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until=END, earliest_date="")
    today = Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until=dt.date.today())
    assert today.observed_until == dt.date.today()


def test_followup_cutoff_stays_in_the_calendar() -> None:
    assert followup_cutoff(24227, END) == dt.date(1, 1, 31)
    with pytest.raises(InvalidInputError, match=r"`months` must be at most 24227 for a study"):
        followup_cutoff(24228, END)


# ---- column matching --------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLE_SYNONYMS))
def test_every_synonym_is_recognised(role: str) -> None:
    values = {
        "id": ["a"],
        "accessed": ["2019-01-01"],
        "job_start": ["2019-02-01"],
        "discharged": ["2019-03-01"],
        "age": [30],
    }
    for synonym in ROLE_SYNONYMS[role]:
        for spelling in (synonym, synonym.upper(), synonym.replace("_", " ").title()):
            data = {
                ("accessed" if r == "accessed" and role != "accessed" else r): v
                for r, v in values.items()
                if r != role
            }
            data[spelling] = values[role]
            cohort = Cohort.from_columns(data, observed_until=END)
            assert cohort.validation.columns[role] == spelling
            assert spelling == "age" or spelling not in cohort.attribute_names
            if spelling != role:
                assert f"column {spelling!r} read as role {role!r}" in cohort.validation.notes


def test_loose_matching_in_a_file_and_notes() -> None:
    text = "Client ID,Date of first contact,AGE,Ethnicity\nA,2019-01-05,34,White\n"
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END)
    assert cohort.validation.columns == {
        "id": "Client ID",
        "accessed": "Date of first contact",
        "age": "AGE",
        "Ethnicity": "Ethnicity",
    }
    assert cohort.attribute_names == ("age", "Ethnicity")
    notes = cohort.validation.notes
    assert "column 'Date of first contact' read as role 'accessed'" in notes
    assert any(
        n.startswith("no column for role 'job_start': looked for job_start,") for n in notes
    )
    text_report = str(cohort.validation)
    assert "note: no column for role 'discharged'" in text_report
    assert cohort.validation.to_dict()["columns"]["accessed"] == "Date of first contact"


def test_explicit_mapping_wins_and_ambiguity_is_an_error() -> None:
    data = {"accessed": ["2019-01-01"], "Access date": ["2019-02-01"]}
    with pytest.raises(
        InvalidInputError,
        match=r"`columns` must leave one column for role 'accessed'; got several that match "
        r"it: 'access_date', 'Access date'",
    ):
        Cohort.from_columns(
            {"access_date": ["2019-01-01"], "Access date": ["2019-02-01"]}, observed_until=END
        )
    exact = Cohort.from_columns(data, observed_until=END)  # the role's own name wins
    assert str(exact.accessed[0]) == "2019-01-01"
    assert exact.attribute_names == ("Access date",)
    mapped = Cohort.from_columns(data, observed_until=END, columns={"accessed": "Access date"})
    assert str(mapped.accessed[0]) == "2019-02-01"
    assert mapped.attribute_names == ()
    assert "column 'accessed' not read: 'accessed' is mapped to column 'Access date'" in (
        mapped.validation.notes
    )


# ---- attributes kept --------------------------------------------------------------------


def test_attributes_limit_what_is_loaded() -> None:
    text = "id,accessed,age,ethnicity,gender,team\n1,2019-01-01,30,White,F,A\n"
    cohort = Cohort.from_csv(
        io.StringIO(text), observed_until=END, attributes=["gender", "ethnicity"]
    )
    assert cohort.attribute_names == ("age", "ethnicity", "gender")  # roles always kept
    renamed = Cohort.from_csv(
        io.StringIO(text), observed_until=END, columns={"group": "team"}, attributes="group"
    )
    assert renamed.attribute_names == ("group", "age")
    with pytest.raises(
        InvalidInputError,
        match=r"`attributes` must name attribute columns of the data \(after `columns` renames"
        r" them\); got 'service'.*found are: 'id', 'accessed'",
    ):
        Cohort.from_csv(io.StringIO(text), observed_until=END, attributes=["service"])
    with pytest.raises(InvalidInputError, match=r"`attributes` must name attribute columns"):
        Cohort.from_csv(io.StringIO(text), observed_until=END, attributes=["age"])
    with pytest.raises(InvalidInputError, match=r"`attributes` must be a collection of column"):
        Cohort.from_csv(io.StringIO(text), observed_until=END, attributes=[3])  # type: ignore[list-item]


# ---- laziness ---------------------------------------------------------------------------


def test_selections_take_attributes_when_used() -> None:
    rng = np.random.default_rng(5)
    n = 200
    columns: dict[str, Any] = {
        "accessed": (np.datetime64("2019-01-01") + rng.integers(0, 300, n)).astype(str),
        "job_start": np.where(rng.random(n) < 0.5, "2019-11-01", ""),
        "score": rng.random(n),
    }
    for k in range(30):
        columns[f"a{k}"] = rng.choice(["x", "y", "z", ""], n)
    cohort = Cohort.from_columns(columns, observed_until=END, numeric=["score"])
    chosen = (
        cohort.with_minimum_followup(3)
        .where("a0", ["x", "y"])
        .accessed_between("2019-02-01", "2019-12-31")
    )
    keep = np.isin(cohort.rows, chosen.rows)
    for name in ("a0", "a17", "score"):  # nested selections compose their masks
        full = cohort[name]
        part = chosen[name]
        if isinstance(full, Factor):
            assert isinstance(part, Factor)
            assert part.levels == full.levels
            np.testing.assert_array_equal(part.codes, full.codes[keep])
        else:
            np.testing.assert_array_equal(part, full[keep])
    assert chosen.attribute_names == cohort.attribute_names
    assert chosen["a3"] is chosen["a3"]  # taken once
    support = chosen.in_work_support()
    has_job = ~np.isnat(chosen.job_start)
    np.testing.assert_array_equal(
        support.group("a5").codes,  # type: ignore[union-attr]
        chosen["a5"].codes[has_job],  # type: ignore[union-attr]
    )
    report = equity_report(chosen, by=["a0"], min_followup_months=1)
    assert report.to_dict()["options"]["by"] == ["a0"]
