"""``ipsstats report`` with --standardise, --eligible-records, --by-service and the funnel's."""

from __future__ import annotations

import csv
import functools
import json
import pathlib

import numpy as np
import pytest

from ipsstats import age_band, cli, equity_report, standardised_access
from ipsstats.datasets import synthetic_cohort

STUDY_END = "2024-02-27"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@functools.cache
def _people_rows() -> list[list[str]]:
    """The synthetic cohort's people as caseload records, 8 to 12 eligible per person."""
    columns = synthetic_cohort().to_columns()
    rows = []
    for k, (e, a, g) in enumerate(
        zip(columns["ethnicity"], columns["age"], columns["gender"], strict=True)
    ):
        age = "" if np.isnan(a) else str(int(a))
        rows.append(
            ["" if e is None else str(e), age, "" if g is None else str(g), str(8 + k % 5)]
        )
    return rows


@pytest.fixture
def files(tmp_path: pathlib.Path) -> tuple[str, str]:
    cohort = tmp_path / "cohort.csv"
    synthetic_cohort().to_csv(cohort)
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ethnicity", "age", "gender", "count"])
        writer.writerows(_people_rows())
    return str(cohort), str(people)


def _caseload() -> dict[tuple[object, ...], int]:
    """The same caseload as the records file, keyed (ethnicity, age band, gender)."""
    rows = _people_rows()
    ages = np.array([float(r[1]) if r[1] else np.nan for r in rows])
    bands = age_band(ages)
    labels = np.array([*bands.levels, None], dtype=object)[bands.codes]
    cells: dict[tuple[object, ...], int] = {}
    for row, band in zip(rows, labels, strict=True):
        key = (row[0] or None, band, row[2] or None)
        cells[key] = cells.get(key, 0) + int(row[3])
    return cells


def test_standardise_and_by_service_reach_the_report(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, people = files
    status, out, _ = _run(
        capsys, "report", cohort, "--eligible-records", people, "--study-end", STUDY_END,
        "--by", "ethnicity,gender", "--standardise", "age,gender", "--by-service", "team",
        "--format", "json",
    )  # fmt: skip
    assert status == 0
    doc = json.loads(out)
    assert doc["options"]["standardise"] == ["age_band", "gender"]
    assert doc["options"]["by_service"] == "team"
    assert doc["options"]["funnel_overdispersion"] == "none"
    # the records give the same numbers as the library called with the counts
    direct = standardised_access(
        synthetic_cohort().with_age_band(), "ethnicity", _caseload(), strata=("age_band", "gender")
    )
    groups = doc["standardised"]["access"]["ethnicity"]["groups"]
    assert [g["group"] for g in groups] == [g.group for g in direct.groups]
    for item, g in zip(groups, direct.groups, strict=True):
        assert item["ips_n"] == g.observed
        assert item["eligible_n"] == round(g.population)
        assert item["expected"] == pytest.approx(g.expected, rel=1e-12)
    # the crude access section is the caseload summed over the strata
    crude = {g["group"]: g["eligible_n"] for g in doc["access"]["ethnicity"]["groups"]}
    sums: dict[object, int] = {}
    for key, n in _caseload().items():
        sums[key[0]] = sums.get(key[0], 0) + n
    assert crude == {k: v for k, v in sums.items() if k is not None}
    assert [u["unit"] for u in doc["service_funnel"]["units"]] == [
        "Central", "East", "North", "South", "West"
    ]  # fmt: skip


def test_the_options_in_the_text_report_under_suppression(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, people = files
    status, out, _ = _run(
        capsys, "report", cohort, "--eligible-records", people, "--study-end", STUDY_END,
        "--by", "ethnicity", "--standardise", "age,gender", "--by-service", "team",
        "--funnel-overdispersion", "multiplicative", "--suppress",
    )  # fmt: skip
    assert status == 0
    assert "Access standardised for age and gender" in out
    assert "Job rates by team" in out
    assert "Limits allow for over-dispersion (multiplicative)." in out


def test_eligible_records_without_standardise_give_crude_access(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, people = files
    status, out, _ = _run(
        capsys, "report", cohort, "--eligible-records", people, "--study-end", STUDY_END,
        "--by", "ethnicity", "--format", "json",
    )  # fmt: skip
    assert status == 0
    doc = json.loads(out)
    assert doc["standardised"] is None
    report = equity_report(
        synthetic_cohort(),
        eligible={"ethnicity": {k[0]: 0 for k in _caseload()} | _crude()},
        study_end=STUDY_END,
        by="ethnicity",
    )
    assert doc["access"]["ethnicity"]["eligible_n"] == report.access["ethnicity"].eligible_n


def _crude() -> dict[object, int]:
    sums: dict[object, int] = {}
    for key, n in _caseload().items():
        sums[key[0]] = sums.get(key[0], 0) + n
    return sums


# ---- errors: one line on standard error, status 2 -----------------------------------------


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, _, err = _run(capsys, *args)
    assert status == 2
    assert err.count("\n") == 1
    return err


def test_standardise_with_unstratified_counts_says_what_is_needed(
    files: tuple[str, str], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, _ = files
    crude = tmp_path / "crude.csv"
    lines = ["attribute,level,count", *(f"ethnicity,{k},{n}" for k, n in _crude().items() if k)]
    crude.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _error(
        capsys, "report", cohort, "--eligible", str(crude), "--study-end", STUDY_END,
        "--by", "ethnicity", "--standardise", "age,gender",
    )  # fmt: skip
    assert "`--standardise` must come with the eligible caseload by group and stratum" in err
    assert "pass --eligible-records" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--standardise", "religion"], "`--standardise` must name categorical attributes"),
        (["--by-service", "nosuch"], "`--by-service` must name a categorical attribute"),
        (["--standardise", "age,religion", "--eligible-records", "PEOPLE"],
         "`--eligible-records` must have a column for every stratum of --standardise"),
        (["--eligible-records", "PEOPLE", "--eligible", "PEOPLE"],
         "`--eligible-records` must not be given with --eligible"),
    ],
)  # fmt: skip
def test_option_errors(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    cohort, people = files
    args = [people if a == "PEOPLE" else a for a in args]
    err = _error(capsys, "report", cohort, "--study-end", STUDY_END, "--by", "ethnicity", *args)
    assert message in err


def test_funnel_overdispersion_choices_are_checked(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, _ = files
    err = _error(
        capsys, "report", cohort, "--study-end", STUDY_END, "--by-service", "team",
        "--funnel-overdispersion", "huge",
    )  # fmt: skip
    assert "invalid choice: 'huge'" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ethnicity,age,gender\n", "must hold a header line and at least one record"),
        ("ethnicity,age,gender\nWhite,40\n", "must have 3 fields in every row, as the header"),
        ("ethnicity,age,gender\nWhite,forty,Male\n",
         "must hold ages in years (or blanks) in the column 'age'; got 'forty' at line 2"),
        ("ethnicity,age,gender\nWhite,inf,Male\n", "must hold finite ages; got 'inf' at line 2"),
        ("ethnicity,age,gender,count\nWhite,40,Male,2.5\n",
         "must hold whole numbers in the column 'count'; got '2.5' at line 2"),
        ("region,age,gender\nNorth,40,Male\n",
         "must have a column for at least one attribute the report compares"),
        ("ethnicity,age,gender\nWhite,40,Male\n\"x\n",
         "must be a well-formed CSV file"),
    ],
)  # fmt: skip
def test_records_file_errors(
    files: tuple[str, str],
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    cohort, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    err = _error(
        capsys, "report", cohort, "--study-end", STUDY_END, "--by", "ethnicity",
        "--standardise", "age,gender", "--eligible-records", str(bad),
    )  # fmt: skip
    assert f"`--eligible-records` {message}" in err


def test_records_file_must_exist_and_be_utf8(
    files: tuple[str, str], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, _ = files
    common = ["report", cohort, "--study-end", STUDY_END, "--by", "ethnicity"]
    err = _error(capsys, *common, "--eligible-records", str(tmp_path / "none.csv"))
    assert "`--eligible-records` must name an existing file" in err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ethnicity\nFran\xe7ais\n".encode("latin-1"))
    err = _error(capsys, *common, "--eligible-records", str(latin))
    assert "`--eligible-records` must be a CSV text file encoded as UTF-8" in err
