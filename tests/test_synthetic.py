from __future__ import annotations

import csv
import datetime as dt
import math
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import Cohort, Counts, Factor, InvalidInputError
from ipsstats.datasets import (
    SYNTHETIC_MISSING_LABELS,
    SYNTHETIC_OBSERVED_UNTIL,
    example_path,
    synthetic_caseload,
    synthetic_cohort,
    write_example_files,
)
from ipsstats.datasets._synthetic import _stratified  # no public route: fed chosen uniforms

END = np.datetime64("2024-02-27", "D")
FIRST = np.datetime64("2022-04-01", "D")
LAST = np.datetime64("2023-03-31", "D")
ETHNICITY = ("Asian/Asian British", "Black/Black British", "Mixed", "Other", "White")
DATA = Path(__file__).resolve().parents[1] / "src" / "ipsstats" / "datasets" / "data"


def columns_of(cohort: Cohort) -> dict[str, Any]:
    """Every column as plain bytes or tuples, for byte-for-byte comparison."""
    out: dict[str, Any] = {
        "ids": cohort.ids.tolist(),
        "accessed": cohort.accessed.tobytes(),
        "job_start": cohort.job_start.tobytes(),
        "discharged": cohort.discharged.tobytes(),
        "observed_until": cohort.observed_until,
    }
    for name, column in cohort.attributes.items():
        if isinstance(column, Factor):
            out[name] = (column.levels, column.codes.tobytes(), column.name)
        else:
            out[name] = column.tobytes()
    return out


def headline(cohort: Cohort) -> dict[str, float]:
    """The paper's naive figures, computed straight from the dates."""
    has_job = ~np.isnat(cohort.job_start)
    to_job = (cohort.job_start[has_job] - cohort.accessed[has_job]).astype(np.int64)
    left = has_job & ~np.isnat(cohort.discharged)
    support_done = (cohort.discharged[left] - cohort.job_start[left]).astype(np.int64)
    support_end = np.where(np.isnat(cohort.discharged), END, cohort.discharged)
    support_all = (support_end[has_job] - cohort.job_start[has_job]).astype(np.int64)
    return {
        "job_rate": float(has_job.mean()),
        "median_to_job": float(np.median(to_job)),
        "median_support": float(np.median(support_done)),
        "over_year": float(np.mean(support_all > 365)),
    }


# ---------------------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_cohort_byte_for_byte() -> None:
    assert columns_of(synthetic_cohort()) == columns_of(synthetic_cohort(539, seed=2024))
    assert columns_of(synthetic_cohort(80, seed=7)) == columns_of(synthetic_cohort(80, seed=7))


def test_integer_seed_equals_a_fresh_generator_with_that_seed() -> None:
    by_int = synthetic_cohort(120, seed=11)
    by_generator = synthetic_cohort(120, seed=np.random.default_rng(11))
    assert columns_of(by_int) == columns_of(by_generator)
    numpy_ints = synthetic_cohort(np.int64(120), seed=np.uint32(11))
    assert columns_of(numpy_ints) == columns_of(by_int)


def test_a_generator_is_used_as_is_so_its_state_advances() -> None:
    rng = np.random.default_rng(3)
    first, second = synthetic_cohort(60, seed=rng), synthetic_cohort(60, seed=rng)
    assert columns_of(first) != columns_of(second)


def test_different_seeds_give_different_cohorts() -> None:
    assert columns_of(synthetic_cohort(200, seed=1)) != columns_of(synthetic_cohort(200, seed=2))


def test_caseload_is_reproducible_and_matches_the_cohort_seed() -> None:
    first = synthetic_caseload(300, seed=5, by="gender")
    second = synthetic_caseload(300, seed=np.random.default_rng(5), by="gender")
    assert first.counts.tolist() == second.counts.tolist()
    assert first.levels == second.levels == ("Female", "Male")
    assert first.n_missing == second.n_missing


# ---------------------------------------------------------------------------------------
# Shape of the data
# ---------------------------------------------------------------------------------------


def test_default_cohort_has_the_documented_columns() -> None:
    cohort = synthetic_cohort()
    assert cohort.n == 539
    assert cohort.observed_until == SYNTHETIC_OBSERVED_UNTIL == dt.date(2024, 2, 27)
    assert cohort.attribute_names == ("ethnicity", "gender", "age", "diagnosis", "team")
    assert cohort.ids[:2].tolist() == ["S0001", "S0002"]
    assert len(set(cohort.ids.tolist())) == 539
    assert cohort.tally("ethnicity").levels == ETHNICITY
    assert cohort.tally("diagnosis").levels == (
        "Bipolar",
        "Depression/anxiety",
        "Other",
        "Personality disorder",
        "Psychosis/schizophrenia",
    )
    assert cohort.tally("gender").levels == ("Female", "Male")
    assert cohort.tally("team").levels == ("Central", "East", "North", "South", "West")
    # "Not known" is an explicit missing value, present in the data
    assert cohort.tally("ethnicity").n_missing > 0
    assert cohort.tally("diagnosis").n_missing > 0
    assert cohort.validation.n_excluded == 0
    assert SYNTHETIC_MISSING_LABELS == ("Not known",)


def check_consistent(cohort: Cohort) -> None:
    access, job, leave = cohort.accessed, cohort.job_start, cohort.discharged
    assert (access >= FIRST).all()
    assert (access <= LAST).all()
    has_job, left = ~np.isnat(job), ~np.isnat(leave)
    assert (job[has_job] >= access[has_job]).all()
    assert (job[has_job] <= END).all()
    assert (leave[left] >= access[left]).all()
    assert (leave[left] <= END).all()
    both = has_job & left
    assert (leave[both] >= job[both]).all()
    assert (np.diff(access.astype(np.int64)) >= 0).all()  # ids follow the access order
    age = cohort["age"]
    assert isinstance(age, np.ndarray)
    assert (age >= 17).all()
    assert (age <= 69).all()
    assert (age == np.floor(age)).all()


@pytest.mark.parametrize(("n", "seed"), [(539, 2024), (1, 0), (2, 9), (5000, 17)])
def test_dates_are_internally_consistent(n: int, seed: int) -> None:
    cohort = synthetic_cohort(n, seed=seed)
    assert cohort.n == n
    check_consistent(cohort)


@given(n=st.integers(1, 400), seed=st.integers(0, 2**63))
def test_dates_are_consistent_for_any_seed(n: int, seed: int) -> None:
    check_consistent(synthetic_cohort(n, seed=seed))


def test_some_people_are_still_on_the_caseload_at_the_end() -> None:
    cohort = synthetic_cohort()
    still_here = np.isnat(cohort.discharged)
    waiting = still_here & np.isnat(cohort.job_start)
    in_work = still_here & ~np.isnat(cohort.job_start)
    assert 0.10 < still_here.mean() < 0.30
    assert waiting.any()
    assert in_work.any()
    support = cohort.in_work_support()
    assert support.n_censored == int(in_work.sum())
    # job starts on the day of access are possible but not required; no negative durations
    assert (cohort.time_to_job().durations >= 0).all()


# ---------------------------------------------------------------------------------------
# Headline figures (Rinaldi et al. 2024: 46% job, 132 days to job, 146 days support, 6.2%)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [2024, 0, 1, 2, 3])
def test_headline_figures_resemble_the_paper(seed: int) -> None:
    figures = headline(synthetic_cohort(seed=seed))
    assert 0.40 <= figures["job_rate"] <= 0.52
    assert 100 <= figures["median_to_job"] <= 165
    assert 115 <= figures["median_support"] <= 180
    assert 0.02 <= figures["over_year"] <= 0.12


def test_default_headline_figures_are_the_documented_ones() -> None:
    cohort = synthetic_cohort()
    figures = headline(cohort)
    assert figures == {
        "job_rate": pytest.approx(250 / 539, rel=1e-12),
        "median_to_job": 132.5,
        "median_support": 147.5,
        "over_year": pytest.approx(15 / 250, rel=1e-12),
    }
    # the same figures through the cohort's own duration methods
    to_job = cohort.time_to_job()
    assert float(np.median(to_job.durations[to_job.events])) == figures["median_to_job"]
    support = cohort.in_work_support()
    assert float(np.median(support.durations[support.events])) == figures["median_support"]


def test_large_sample_matches_the_calibration() -> None:
    # with many people the figures settle near the paper's (sampling error about 1%)
    figures = headline(synthetic_cohort(40_000, seed=99))
    assert figures["job_rate"] == pytest.approx(0.46, abs=0.01)
    assert figures["median_to_job"] == pytest.approx(132, abs=4)
    assert figures["median_support"] == pytest.approx(146, abs=5)
    assert figures["over_year"] == pytest.approx(0.062, abs=0.01)


def test_job_rates_by_ethnicity_are_close_to_the_common_rate() -> None:
    table = synthetic_cohort(20_000, seed=4).crosstab("ethnicity")
    assert table.row_levels == ETHNICITY
    rates = table.counts[:, 0] / table.counts.sum(axis=1)
    # outcomes do not depend on ethnicity: every group is within sampling error of 46%
    assert np.all(np.abs(rates - 0.46) < 0.04)


# ---------------------------------------------------------------------------------------
# Caseload and access
# ---------------------------------------------------------------------------------------


def test_caseload_size_gives_the_papers_reach() -> None:
    caseload = synthetic_caseload()
    assert caseload.name == "ethnicity"
    assert caseload.levels == ETHNICITY
    assert caseload.total == round(539 / 0.087) == 6195
    gender = synthetic_caseload(by="gender")
    assert gender.total == 6195
    assert 539 / caseload.total == pytest.approx(0.087, abs=1e-4)


@pytest.mark.parametrize(("n", "seed"), [(539, 2024), (100, 1), (3000, 8)])
def test_ips_users_are_a_subset_of_the_caseload(n: int, seed: int) -> None:
    cohort = synthetic_cohort(n, seed=seed)
    for by in ("ethnicity", "gender"):
        caseload = synthetic_caseload(n, seed=seed, by=by)
        users = cohort.tally(by)
        assert users.levels == caseload.levels
        assert (users.counts <= caseload.counts).all()
        assert users.n_missing <= caseload.n_missing


def test_black_and_asian_people_are_over_represented_among_users() -> None:
    for n, seed in ((539, 2024), (20_000, 6)):
        users = synthetic_cohort(n, seed=seed).tally("ethnicity").proportions()
        caseload = synthetic_caseload(n, seed=seed).proportions()
        asian, black, white = 0, 1, 4
        assert users[asian] > caseload[asian]
        assert users[black] > caseload[black]
        assert users[white] < caseload[white]


def test_caseload_shares_match_the_documented_distribution() -> None:
    caseload = synthetic_caseload(50_000, seed=12)
    shares = np.append(caseload.counts, caseload.n_missing) / caseload.total
    expected = [0.09, 0.12, 0.04, 0.07, 0.52, 0.16]
    np.testing.assert_allclose(shares, expected, atol=0.005)  # sampling error ~ 0.0016


# ---------------------------------------------------------------------------------------
# Stratified outcome uniforms
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 539])
def test_stratified_uniforms_use_each_slice_once_in_key_order(n: int) -> None:
    rng = np.random.default_rng(n)
    u, keys = rng.random((4, n)), rng.random((4, n))
    stratified = _stratified(u, keys)
    assert stratified.shape == (4, n)
    assert ((stratified >= 0) & (stratified < 1)).all()
    slices = np.floor(stratified * n).astype(np.int64)
    for row in range(4):
        # the person with the k-th smallest key has the k-th slice, at the position u
        by_key = np.argsort(keys[row])
        assert slices[row, by_key].tolist() == list(range(n))
        np.testing.assert_allclose(stratified[row] * n - slices[row], u[row], atol=1e-9)


def test_stratified_uniforms_stay_below_one() -> None:
    # (n - 1 + u) / n rounds to 1 for u just below 1; 1 would be an infinite duration
    largest = np.nextafter(1.0, 0.0)
    u = np.full((1, 539), largest)
    stratified = _stratified(u, np.arange(539.0)[np.newaxis])
    assert stratified.max() == largest
    assert (np.diff(stratified[0]) > 0).all()


def test_stratification_steadies_the_job_rate_across_seeds() -> None:
    # with independent draws the job rate of 539 people varies with a standard deviation
    # of about 2.2 percentage points; stratified, about 1.1
    rates = [headline(synthetic_cohort(seed=seed))["job_rate"] for seed in range(30)]
    assert np.std(rates, ddof=1) < 0.016
    assert np.mean(rates) == pytest.approx(0.46, abs=0.005)


# ---------------------------------------------------------------------------------------
# A naive, per-person re-implementation of the documented generator
# ---------------------------------------------------------------------------------------

NAIVE_ETHNICITY = [
    ("Asian/Asian British", 0.09, 1.50),
    ("Black/Black British", 0.12, 1.75),
    ("Mixed", 0.04, 1.40),
    ("Other", 0.07, 1.40),
    ("White", 0.52, 1.00),
    ("Not known", 0.16, 0.60),
]
NAIVE_GENDER = [("Female", 0.46, 1.0), ("Male", 0.52, 1.0), ("Not known", 0.02, 0.6)]
NAIVE_DIAGNOSIS = [
    ("Bipolar", 0.12),
    ("Depression/anxiety", 0.30),
    ("Other", 0.08),
    ("Personality disorder", 0.14),
    ("Psychosis/schizophrenia", 0.32),
    ("Not known", 0.04),
]
NAIVE_TEAM = [("Central", 0.14), ("East", 0.20), ("North", 0.24), ("South", 0.22), ("West", 0.2)]


def pick(u: float, table: list[tuple[Any, ...]]) -> str:
    total = sum(row[1] for row in table)
    cumulative = 0.0
    for row in table:
        cumulative += row[1] / total
        if u < cumulative:
            return str(row[0])
    return str(table[-1][0])


def naive_cohort(n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    size = round(n / 0.087)
    u_case: NDArray[np.float64] = rng.random((3, size))
    u_person: NDArray[np.float64] = rng.random((12, n))
    # rows 4 to 7 (W, T, L, S) are stratified: the k-th smallest key of rows 8 to 11 gets
    # the k-th of the n slices of [0, 1)
    for row in range(4, 8):
        keys = u_person[row + 4]
        by_key = sorted(range(n), key=lambda j: (float(keys[j]), j))
        stratified = [0.0] * n
        for k, j in enumerate(by_key):
            stratified[j] = min((k + float(u_person[row, j])) / n, math.nextafter(1.0, 0.0))
        u_person[row] = stratified
    normal = statistics.NormalDist()
    people = []
    for i in range(size):
        eth = pick(float(u_case[0, i]), NAIVE_ETHNICITY)
        gen = pick(float(u_case[1, i]), NAIVE_GENDER)
        weight = {r[0]: r[2] for r in NAIVE_ETHNICITY}[eth]
        weight *= {r[0]: r[2] for r in NAIVE_GENDER}[gen]
        key = -math.log(1.0 - float(u_case[2, i])) / weight
        people.append((key, i, eth, gen))
    chosen = sorted(people)[:n]
    start = dt.date(2022, 4, 1)
    accessed = [start + dt.timedelta(days=math.floor(u * 365)) for u in u_person[0]]
    order = sorted(range(n), key=lambda j: (accessed[j], j))
    low, high = normal.cdf((17 - 38) / 12), normal.cdf((70 - 38) / 12)
    out = []
    end = dt.date(2024, 2, 27)
    for k, j in enumerate(order):
        u = [float(x) for x in u_person[:, j]]
        access = accessed[j]
        age = min(69, max(17, math.floor(38 + 12 * normal.inv_cdf(low + u[1] * (high - low)))))
        to_job = math.floor(225 * math.exp(1.00 * normal.inv_cdf(u[5])))
        to_leave = math.floor(300 * math.exp(0.50 * normal.inv_cdf(u[6])))
        support = math.floor(170 * math.exp(0.67 * normal.inv_cdf(u[7])))
        follow = (end - access).days
        job_start: dt.date | None = None
        discharged: dt.date | None = None
        if u[4] < 0.78 and to_job <= to_leave and to_job <= follow:
            job_start = access + dt.timedelta(days=to_job)
            if to_job + support <= follow:
                discharged = job_start + dt.timedelta(days=support)
        elif to_leave <= follow:
            discharged = access + dt.timedelta(days=to_leave)
        out.append(
            {
                "id": f"S{k + 1:04d}",
                "accessed": access,
                "job_start": job_start,
                "discharged": discharged,
                "ethnicity": chosen[j][2],
                "gender": chosen[j][3],
                "age": age,
                "diagnosis": pick(u[2], NAIVE_DIAGNOSIS),
                "team": pick(u[3], NAIVE_TEAM),
            }
        )
    return out


@pytest.mark.parametrize(("n", "seed"), [(60, 2024), (45, 31)])
def test_vectorised_generator_matches_a_naive_per_person_one(n: int, seed: int) -> None:
    expected = Cohort.from_records(
        naive_cohort(n, seed),
        observed_until="2024-02-27",
        missing_labels=["Not known"],
    )
    assert columns_of(synthetic_cohort(n, seed=seed)) == columns_of(expected)


# ---------------------------------------------------------------------------------------
# Example files
# ---------------------------------------------------------------------------------------


def test_shipped_files_equal_a_fresh_regeneration(tmp_path: Path) -> None:
    cohort_file, caseload_file = write_example_files(tmp_path)
    assert cohort_file == tmp_path / "synthetic_cohort.csv"
    assert caseload_file == tmp_path / "synthetic_caseload.csv"
    assert cohort_file.read_bytes() == example_path("synthetic_cohort.csv").read_bytes()
    assert caseload_file.read_bytes() == example_path("synthetic_caseload.csv").read_bytes()
    # and the installed files are the ones in the source tree
    assert (
        example_path("synthetic_cohort.csv").read_bytes()
        == (DATA / "synthetic_cohort.csv").read_bytes()
    )


def test_write_example_files_accepts_a_string_path(tmp_path: Path) -> None:
    cohort_file, _ = write_example_files(str(tmp_path))
    assert cohort_file.is_file()


def test_cohort_csv_round_trips_to_the_generated_cohort() -> None:
    path = example_path("synthetic_cohort.csv")
    loaded = Cohort.from_csv(path, observed_until="2024-02-27", missing_labels=["Not known"])
    assert loaded.validation.n_excluded == 0
    assert columns_of(loaded) == columns_of(synthetic_cohort())


def test_cohort_csv_format() -> None:
    with example_path("synthetic_cohort.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "id",
        "accessed",
        "job_start",
        "discharged",
        "ethnicity",
        "gender",
        "age",
        "diagnosis",
        "team",
    ]
    assert len(rows) == 540
    assert all(len(row) == 9 for row in rows)
    assert all(row[6].isdigit() for row in rows[1:])  # whole-year ages, no ".0"
    dates = [cell for row in rows[1:] for cell in row[1:4] if cell]
    assert all(dt.date.fromisoformat(cell).isoformat() == cell for cell in dates)


def test_caseload_csv_round_trips_to_the_generated_caseload() -> None:
    with example_path("synthetic_caseload.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["attribute", "level", "count"]
    for by in ("ethnicity", "gender"):
        mapping: dict[object, object] = {
            row["level"]: int(row["count"]) for row in rows if row["attribute"] == by
        }
        loaded = Counts.from_mapping(mapping, name=by, missing_labels=["Not known"])
        expected = synthetic_caseload(by=by)
        assert loaded.levels == expected.levels
        assert loaded.counts.tolist() == expected.counts.tolist()
        assert loaded.n_missing == expected.n_missing


def test_example_path_rejects_unknown_names() -> None:
    with pytest.raises(InvalidInputError, match=r"`name` must name an example file.*"):
        example_path("cohort.csv")
    with pytest.raises(InvalidInputError, match=r"synthetic_caseload\.csv, synthetic_cohort"):
        example_path("nope.csv")
    with pytest.raises(InvalidInputError, match=r"`name` must .* got 3"):
        example_path(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"got '\.\./_synthetic\.py'"):
        example_path("../_synthetic.py")


def test_write_example_files_rejects_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"`directory` must be an existing directory"):
        write_example_files(tmp_path / "absent")
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"`directory` must be an existing directory"):
        write_example_files(afile)


# ---------------------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "match"),
    [
        (0, r"`n` must be a whole number of people, at least 1; got 0"),
        (-5, r"`n` must be a whole number of people, at least 1; got -5"),
        (2.5, r"`n` must .*; got 2\.5 of type float\. Hint: pass an int"),
        (539.0, r"got 539\.0 of type float"),
        (True, r"got True of type bool"),
        ("539", r"got '539' of type str"),
        (None, r"got None of type NoneType"),
    ],
)
def test_invalid_n_is_rejected(n: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        synthetic_cohort(n)
    with pytest.raises(InvalidInputError, match=match):
        synthetic_caseload(n)


@pytest.mark.parametrize(
    ("seed", "match"),
    [
        (-1, r"`seed` must be a non-negative int or a numpy\.random\.Generator; got -1\.$"),
        (1.5, r"`seed` must .*; got 1\.5 of type float\. Hint: pass seed=2024"),
        (None, r"got None of type NoneType"),
        (False, r"got False of type bool"),
        ("2024", r"got '2024' of type str"),
        (np.random.RandomState(1), r"of type RandomState"),  # the legacy type is rejected
    ],
)
def test_invalid_seed_is_rejected(seed: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        synthetic_cohort(10, seed=seed)
    with pytest.raises(InvalidInputError, match=match):
        synthetic_caseload(10, seed=seed)


def test_invalid_by_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match=r"`by` must be one of 'ethnicity', 'gender'"):
        synthetic_caseload(by="age")  # type: ignore[arg-type]


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="`n`"):
        synthetic_cohort(0)
