"""Tests of the ``ipsstats`` command (ipsstats.cli), run through ``main([...])``."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import warnings
from typing import Any

import attrs
import pytest

from ipsstats import Cohort, __version__, cli
from ipsstats.cli import (
    _commands,  # no public route: faults are injected where a command calls the library
    _io,  # no public route: the 20 MB threshold of automatic progress, lowered for a small file
    _parser,  # no public route: every command writes all five formats, so none refuses one
)
from ipsstats.datasets import _reproduce, example_path, perkins2022, reproduce_perkins2022
from ipsstats.errors import InvalidInputError, IpsStatsWarning
from ipsstats.report import equity_report

COHORT = str(example_path("synthetic_cohort.csv"))
CASELOAD = str(example_path("synthetic_caseload.csv"))
REPORT_ARGS = [
    "report",
    COHORT,
    "--eligible",
    CASELOAD,
    "--study-end",
    "2024-02-27",
    "--missing-labels",
    "Not known",
    "--by",
    "ethnicity,gender",
]
FORMATS = ("text", "markdown", "html", "json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_error_line(status: int, out: str, err: str, *fragments: str) -> None:
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ipsstats: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def write(path: pathlib.Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def cohort_rows() -> list[list[str]]:
    with pathlib.Path(COHORT).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: pathlib.Path, rows: list[list[str]]) -> str:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


@pytest.fixture(scope="module")
def demo_json() -> dict[str, Any]:
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", buffer)
        assert cli.main(["demo", "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(buffer.getvalue())
    return data


# --------------------------------------------------------------------------------------
# --version, --help, usage errors
# --------------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--version")
    assert (status, out, err) == (0, f"ipsstats {__version__}\n", "")


@pytest.mark.parametrize("command", [(), ("demo",), ("report",), ("validate",), ("reproduce",)])
def test_help_has_examples(capsys: pytest.CaptureFixture[str], command: tuple[str, ...]) -> None:
    status, out, _ = run(capsys, *command, "--help")
    assert status == 0
    assert "example" in out
    assert "ipsstats" in out


def test_main_help_lists_commands_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--help")
    for word in ("demo", "report", "validate", "reproduce", "exit status", "--date-format"):
        assert word in out


@pytest.mark.parametrize(
    "argv",
    [
        (),
        ("bogus",),
        ("report", COHORT),  # --study-end is required
        ("demo", "--format", "pdf"),
        ("report", COHORT, "--study-end", "2024-02-27", "--min-followup-months", "six"),
        ("reproduce", "perkins2099"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    prog = " ".join(["ipsstats", *argv[:1]]) if argv[:1] != ("bogus",) else "ipsstats"
    assert lines[0].startswith(f"{prog}: error: ")
    assert lines[0].endswith(f"(see '{prog} --help')")


# --------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_demo_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    status, out, err = run(capsys, "demo", "--format", fmt)
    assert (status, err) == (0, "")
    assert "SYNTHETIC" in out
    assert "Access by ethnicity" in out
    assert "Access by gender" in out
    start = {"text": "IPS equity report", "markdown": "# IPS equity report", "html": "<!DOCTYPE"}
    assert out.startswith(start[fmt])


def test_demo_json(demo_json: dict[str, Any]) -> None:
    options = demo_json["options"]
    assert options["study_end"] == "2024-02-27"
    assert options["min_followup_months"] == 6
    assert options["by"] == ["ethnicity", "gender"]
    assert sorted(demo_json["access"]) == ["ethnicity", "gender"]
    assert demo_json["inputs"]["people"] == 539
    assert demo_json["inputs"]["observed_until"] == "2024-02-27"
    assert demo_json["disclosure"]["threshold"] is None


def test_demo_suppress(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "demo", "--suppress")
    assert status == 0
    assert "Disclosure control" in out
    status, out, _ = run(capsys, "demo", "--suppress", "--format", "json")
    assert json.loads(out)["disclosure"]["threshold"] == 5


def test_demo_output_file_is_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    target = tmp_path / "demo.md"
    status, out, err = run(capsys, "demo", "--format", "markdown", "-o", str(target))
    assert (status, out, err) == (0, "", "")
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("# IPS equity report")
    assert "Cramér" in text


def test_python_m_ipsstats_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ipsstats", "demo"],
        capture_output=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert b"SYNTHETIC demonstration cohort" in done.stdout
    assert b"Job outcomes by ethnicity" in done.stdout


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_bundled_files_every_format(
    capsys: pytest.CaptureFixture[str], fmt: str, demo_json: dict[str, Any]
) -> None:
    status, out, err = run(capsys, *REPORT_ARGS, "--format", fmt)
    assert (status, err) == (0, "")
    if fmt == "json":
        data = json.loads(out)
        assert data["inputs"]["source"] == "synthetic_cohort.csv"
        assert data["inputs"]["rows_read"] == 539
        # the bundled files hold the demo's cohort and caseload: same analyses
        for key in ("options", "access", "outcome", "durations", "summary", "caveats"):
            assert data[key] == demo_json[key], key
    else:
        assert "Access by ethnicity" in out
        assert "Job outcomes by gender" in out


def test_report_without_eligible_has_no_access(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "report", COHORT, "--study-end", "2024-02-27", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["access"] == {}
    # default --by: every categorical attribute; "Not known" is a group without labels
    assert data["options"]["by"] == ["ethnicity", "gender", "diagnosis", "team"]


def test_report_options_reach_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "report",
        COHORT,
        "--eligible",
        CASELOAD,
        "--missing-labels",
        "Not known",
        "--by",
        "ethnicity",
        "--study-end",
        "2023-12-31",
        "--observed-until",
        "2024-02-27",
        "--min-followup-months",
        "12",
        "--format",
        "json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["options"]["study_end"] == "2023-12-31"
    assert data["options"]["min_followup_months"] == 12
    assert data["inputs"]["observed_until"] == "2024-02-27"
    assert data["outcome"]["ethnicity"]["window"]["min_followup_months"] == 12
    # the caseload file also holds gender, which is not compared this time
    assert err == "ipsstats: note: eligible counts for 'gender' not used (not in --by)\n"


def test_report_column_mapping_and_day_first_dates(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, demo_json: dict[str, Any]
) -> None:
    rows = cohort_rows()
    rows[0] = ["Client", "First contact", "Job", "Left", *rows[0][4:]]
    for row in rows[1:]:
        for k in (1, 2, 3):
            if row[k]:
                year, month, day = row[k].split("-")
                row[k] = f"{day}/{month}/{year}"
    path = write_rows(tmp_path / "extract.csv", rows)
    status, out, err = run(
        capsys,
        "report",
        path,
        "--eligible",
        CASELOAD,
        "--study-end",
        "2024-02-27",
        "--missing-labels",
        "Not known",
        "--by",
        "ethnicity,gender",
        "--date-format",
        "%d/%m/%Y",
        "--columns",
        "id=Client,accessed=First contact",
        "--columns",
        "job_start=Job,discharged=Left",
        "--format",
        "json",
    )
    assert (status, err) == (0, "")
    data = json.loads(out)
    for key in ("access", "outcome", "durations"):
        assert data[key] == demo_json[key]


def test_report_errors_exclude_lists_the_records(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    rows = cohort_rows()
    rows[3][1] = "31/12/2022"  # line 4
    rows[10][2] = "2021-01-01"  # line 11: job start before access
    path = write_rows(tmp_path / "cohort.csv", rows)
    args = ["report", path, "--study-end", "2024-02-27", "--by", "ethnicity"]
    args += ["--missing-labels", "Not known"]
    status, out, err = run(capsys, *args)
    assert_one_error_line(status, out, err, "line 4", "line 11", "--errors exclude")
    status, out, err = run(capsys, *args, "--errors", "exclude", "--format", "json")
    assert status == 0
    assert err == (
        "ipsstats: note: 2 of 539 records excluded as invalid; the report's data "
        "completeness section lists them\n"
    )
    data = json.loads(out)
    assert data["inputs"]["rows_excluded"] == 2
    issues = data["completeness"]["validation"]["issues"]
    assert [(i["row"], i["reason"]) for i in issues] == [
        (4, "unparseable access date"),
        (11, "job start before access"),
    ]


def test_report_non_ascii_labels_to_file(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    rows = cohort_rows()
    for row in rows[1:]:
        row[4] = row[4].replace("Mixed", "Métis")
    path = write_rows(tmp_path / "cohort.csv", rows)
    target = tmp_path / "report.md"
    status, out, err = run(
        capsys, "report", path, "--study-end", "2024-02-27", "--missing-labels", "Not known",
        "-o", str(target),
    )  # fmt: skip
    assert (status, out, err) == (0, "", "")
    assert "Métis" in target.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# one clear line on stderr, exit status 2
# --------------------------------------------------------------------------------------


def test_malformed_csv(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "bad.csv", 'id,accessed\n"A,2019-01-01\nB,2019-01-02\n')
    status, out, err = run(capsys, "report", path, "--study-end", "2024-02-27")
    assert_one_error_line(status, out, err, "well-formed CSV", "bad.csv")


def test_wrong_column_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "report", COHORT, "--study-end", "2024-02-27", "--columns", "accessed=nope"
    )
    assert_one_error_line(status, out, err, "`--columns`", "'nope'", "'accessed'")


def test_day_first_date_without_date_format(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = write(tmp_path / "dates.csv", "id,accessed,job_start\nA,31/12/2019,\nB,15/01/2020,\n")
    status, out, err = run(capsys, "report", path, "--study-end", "2024-02-27")
    assert_one_error_line(status, out, err, "line 2", "31/12/2019", '--date-format "%d/%m/%Y"')


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "absent.csv")
    status, out, err = run(capsys, "report", path, "--study-end", "2024-02-27")
    assert_one_error_line(status, out, err, "absent.csv", "No such file")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("2024-02-30", "'2024-02-30'"), ("27/02/2024", "'27/02/2024'"), ("soon", "'soon'")],
)
def test_bad_study_end(capsys: pytest.CaptureFixture[str], value: str, fragment: str) -> None:
    status, out, err = run(capsys, "report", COHORT, "--study-end", value)
    assert_one_error_line(
        status, out, err, "`--study-end` must be a real date", "YYYY-MM-DD", fragment
    )


def test_study_end_after_observed_until(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        *("report", COHORT, "--study-end", "2024-03-01", "--observed-until", "2024-02-27"),
    )
    assert_one_error_line(status, out, err, "`--study-end`", "2024-03-01 after 2024-02-27")


def test_records_after_observed_until_name_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "report", COHORT, "--study-end", "2023-06-30")
    assert_one_error_line(
        status,
        out,
        err,
        "after --observed-until",
        "--errors exclude",
        "--observed-until defaults to --study-end (2023-06-30)",
    )
    status, out, err = run(
        capsys, "report", COHORT, "--study-end", "2023-06-30", "--observed-until", "2024-01-31"
    )
    assert_one_error_line(status, out, err, "after --observed-until")
    assert "defaults to --study-end" not in err


def test_report_notes_levels_that_look_missing(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "report", COHORT, "--study-end", "2024-02-27", "--by", "ethnicity,team"
    )
    assert status == 0
    assert out
    assert err == (
        "ipsstats: note: 'ethnicity' level 'Not known' is analysed as a group; "
        'pass --missing-labels "Not known" to count it as missing instead\n'
    )
    status, _, err = run(capsys, *REPORT_ARGS)
    assert (status, err) == (0, "")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty file"),
        ("group,level,count\nethnicity,White,3\n", "the header attribute,level,count"),
        ("attribute,level,count\n", "only a header"),
        ("attribute,level,count\nethnicity,White\n", "2 fields"),
        ("attribute,level,count\nethnicity,White,many\n", "line 2"),
        ("attribute,level,count\nethnicity,White,-4\n", "whole-number count"),
        ("attribute,level,count\nethnicity,White,3\nethnicity,White,4\n", "again at line 3"),
        ('attribute,level,count\n"ethnicity,White,3\n', "well-formed CSV"),
    ],
)
def test_bad_eligible_file(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, text: str, fragment: str
) -> None:
    path = write(tmp_path / "caseload.csv", text)
    status, out, err = run(
        capsys, "report", COHORT, "--study-end", "2024-02-27", "--eligible", path
    )
    assert_one_error_line(status, out, err, "`--eligible`", fragment)


def test_eligible_file_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_bytes("attribute,level,count\nethnicity,Métis,3\n".encode("latin-1"))
    status, out, err = run(
        capsys, "report", COHORT, "--study-end", "2024-02-27", "--eligible", str(path)
    )
    assert_one_error_line(status, out, err, "`--eligible`", "not UTF-8", "--encoding")


def test_eligible_groups_differ_from_cohort(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = write(tmp_path / "caseload.csv", "attribute,level,count\nethnicity,White,30\n")
    status, out, err = run(
        capsys, *("report", COHORT, "--study-end", "2024-02-27", "--eligible", path)
    )
    assert_one_error_line(status, out, err, "`--eligible`", "ethnicity", "--missing-labels")


@pytest.mark.parametrize(
    ("contents", "extra", "fragments"),
    [
        (b"\x00\x01PK", (), ("binary data",)),
        ("id,accessed\nA,2019-01-01\n".encode("utf-16"), (), ("not UTF-8", "--encoding")),
        (
            b"id,accessed\nA,2019-01-01\n",
            ("--encoding", "no-such-codec"),
            ("`--encoding` must name a text encoding", "'no-such-codec'"),
        ),
        (
            b"id,accessed\nA,2019-01-01\n",
            ("--encoding", "rot13"),
            ("`--encoding` must name a text encoding", "'rot13'"),
        ),
        (
            b"id,accessed\nA,2019-01-01\n",
            ("--encoding", "hex"),
            ("`--encoding` must name a text encoding", "'hex'"),
        ),
        (
            b"id,accessed\nA,2019-01-01\n",
            ("--min-followup-months", "4611686018427387904"),
            ("`--min-followup-months` must be a whole number of months between 0 and",),
        ),
        (b"id,accessed\nA,2019-01-01\n", ("--delimiter", ";;"), ("`--delimiter`", "';;'")),
        (
            b"id,accessed\nA,2019-01-01\n",
            ("--delimiter", "tab"),  # one column named "id,accessed"
            ("role 'accessed'", '--columns "accessed=<your header>"'),
        ),
        (b"id,accessed\nA,2019-01-01\n", ("--columns", "accessed"), ("ROLE=HEADER",)),
        (b"id,accessed\nA,2019-01-01\n", ("--columns", "id=a,id=b"), ("'id' twice",)),
        (b"id,accessed\nA,2019-01-01\n", ("--by", "nope"), ("`--by`", "'nope'")),
        (b"id,accessed,g\nA,2019-01-01,x\n", ("--min-followup-months", "-1"), ("`--min-",)),
        (b"id,accessed\nA,2019-99-01\n", ("--errors", "exclude"), ("all excluded", "validate")),
        (b"id,accessed\n", (), ("no records",)),
    ],
)
def test_other_input_errors(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    contents: bytes,
    extra: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(contents)
    status, out, err = run(capsys, "report", str(path), "--study-end", "2024-02-27", *extra)
    assert_one_error_line(status, out, err, *fragments)


def test_output_to_missing_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    target = str(tmp_path / "no" / "such" / "report.txt")
    status, out, err = run(capsys, "reproduce", "perkins2022", "-o", target)
    assert_one_error_line(status, out, err, "report.txt", "No such file")


# --------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------


@pytest.fixture
def flawed(tmp_path: pathlib.Path) -> str:
    rows = cohort_rows()
    rows[3][1] = "2022-13-01"  # line 4
    rows[5][2] = "2021-01-01"  # line 6: job start before access
    rows[7][0] = rows[6][0]  # lines 7 and 8: duplicate id (both excluded)
    rows[9] = rows[9][:3]  # line 10: too few fields
    return write_rows(tmp_path / "flawed.csv", rows)


def test_validate_text(capsys: pytest.CaptureFixture[str], flawed: str) -> None:
    status, out, err = run(
        capsys,
        "validate",
        flawed,
        "--observed-until",
        "2024-02-27",
        "--missing-labels",
        "Not known",
    )
    assert (status, err) == (0, "")
    assert "Records read:     539" in out
    assert "Records valid:    534" in out
    assert "Records excluded: 5" in out
    for fragment in (
        "wrong number of fields",
        "duplicate id",
        "unparseable access date",
        "job start before access",
        "2022-13-01",
        "ethnicity",
    ):
        assert fragment in out
    problems = out.split("Problem records")[1].split("Missing values")[0]
    assert [line.split()[0] for line in problems.splitlines() if line[:4].strip().isdigit()] == [
        "4",
        "6",
        "7",
        "8",
        "10",
    ]


def test_validate_max_issues_and_markdown(capsys: pytest.CaptureFixture[str], flawed: str) -> None:
    status, out, _ = run(
        capsys, "validate", flawed, "--observed-until", "2024-02-27", "--max-issues", "2",
        "--format", "markdown",
    )  # fmt: skip
    assert status == 0
    assert out.startswith("# Data validation")
    assert "first 2 of 5" in out
    assert "2022-13-01" in out
    assert "| 10 |" not in out


def test_validate_json_and_strict(capsys: pytest.CaptureFixture[str], flawed: str) -> None:
    status, out, _ = run(
        capsys, "validate", flawed, "--observed-until", "2024-02-27", "--format", "json",
        "--strict", "--missing-labels", "Not known",
    )  # fmt: skip
    assert status == 1
    data = json.loads(out)
    assert (data["n_read"], data["n_valid"], data["n_excluded"]) == (539, 534, 5)
    assert [i["row"] for i in data["issues"]] == [4, 6, 7, 8, 10]
    assert data["observed_until"] == "2024-02-27"
    assert data["missing_by_attribute"]["ethnicity"] > 0


def test_validate_suggests_a_date_format(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = write(tmp_path / "dates.csv", "id,accessed\nA,31/12/2019\nB,15/01/2020\n")
    status, out, err = run(capsys, "validate", path, "--observed-until", "2024-02-27")
    assert (status, err) == (0, "")
    assert "Hint: dates are read as YYYY-MM-DD (ISO 8601)" in out
    assert '--date-format "%d/%m/%Y"' in " ".join(out.split())
    status, out, _ = run(
        capsys, "validate", path, "--observed-until", "2024-02-27", "--format", "json"
    )
    assert status == 0
    assert json.loads(out)["hint"].endswith('pass --date-format "%d/%m/%Y".')
    status, out, _ = run(
        capsys, "validate", path, "--observed-until", "2024-02-27", "--date-format", "%d/%m/%Y"
    )
    assert status == 0
    assert "No record was excluded." in out
    assert "Hint:" not in out
    # a --date-format that does not fit: the records are listed, with no second-guessing
    status, out, _ = run(
        capsys, "validate", path, "--observed-until", "2024-02-27", "--date-format", "%m/%d/%Y"
    )
    assert status == 0
    assert "unparseable access date" in out
    assert "Hint:" not in out


def test_hints_use_the_command_line_spelling(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = write(tmp_path / "semicolons.csv", "id;accessed\nA;2019-01-01\nB;2019-01-02\n")
    status, _, err = run(capsys, "validate", path, "--observed-until", "2024-02-27")
    assert status == 2
    assert "--delimiter ';'" in err
    assert "delimiter=" not in err


def test_validate_clean_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", COHORT, "--observed-until", "2024-02-27", "--strict")
    assert status == 0
    assert "No record was excluded." in out


def test_validate_default_observed_until_is_today(capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt  # noqa: PLC0415  # only this test needs it

    status, out, _ = run(capsys, "validate", COHORT, "--format", "json")
    assert status == 0
    assert json.loads(out)["observed_until"] == dt.date.today().isoformat()


def test_validate_failure_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    status, out, err = run(capsys, "validate", str(tmp_path / "absent.csv"))
    assert_one_error_line(status, out, err, "No such file")
    status, out, err = run(capsys, "validate", COHORT, "--observed-until", "31/12/2023")
    assert_one_error_line(status, out, err, "`--observed-until`", "'31/12/2023'")


# --------------------------------------------------------------------------------------
# reproduce perkins2022
# --------------------------------------------------------------------------------------


def test_reproduce_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "reproduce", "perkins2022", "--format", "markdown")
    assert status == 0
    assert out.startswith("# Perkins et al. (2022), Tables 2 and 3, recomputed")
    assert "| Service | Quantity | Group | Published | Recomputed | Match |" in out


def test_reproduce_mismatch_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = perkins2022()
    published = dict(data.published)
    published["table2_chi2"] = {"CNWL": 22.15, "WWT": 34.22}
    changed = attrs.evolve(data, published=published)
    monkeypatch.setattr(
        "ipsstats.cli._commands.reproduce_perkins2022", lambda: reproduce_perkins2022(changed)
    )
    status, out, _ = run(capsys, "reproduce", "perkins2022")
    assert status == 1
    assert "1 of 106 published values were NOT matched" in out
    assert "22.15      22.053  NO" in out


@pytest.mark.parametrize(
    ("key", "published", "computed", "digits", "expected"),
    [
        (("k", "s", "g"), 2.50, 2.5018, 2, "yes"),
        (("k", "s", "g"), 2.50, 2.506, 2, "NO"),
        (("k", "s", "g"), 0.0, 0.04, 1, "yes"),
        (("k", "s", "g"), 0.5, 0.45, 1, "yes"),  # a printed tie either way is a match
        (("k", "s", "g"), 5.66, 5.667, 2, "NO"),  # truncation only where documented
        (("table3_six_month_chi2", "CNWL", ""), 5.66, 5.667, 2, "yes (printed truncated)"),
        (("table3_six_month_chi2", "CNWL", ""), 5.66, 5.671, 2, "NO"),
        (("table3_all_p", "total", ""), 0.84, 0.833, 2, "erratum: the counts give 0.833"),
        (("table3_all_p", "total", ""), 0.84, 0.8, 2, "NO"),
        (("table2_reach_percent", "WWT", "White"), 16.0, 16.0, 1, "yes (erratum: printed 1.6)"),
        (("k", "s", "g"), 2.5, float("nan"), 2, "NO"),
    ],
)
def test_compare_at_printed_precision(
    key: tuple[str, str, str], published: float, computed: float, digits: int, expected: str
) -> None:
    # The private `_reproduce._compare` stays: the public `reproduce_perkins2022` applies the
    # rule only to the values it computes itself, so a value just off the printed digit or a
    # NaN cannot be fed to it.
    assert _reproduce._compare(key, published, computed, digits) == expected


# --------------------------------------------------------------------------------------
# progress, warnings, output streams
# --------------------------------------------------------------------------------------


def test_progress_when_requested(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, *REPORT_ARGS, "--progress")
    assert status == 0
    assert out.startswith("IPS equity report")
    stages = [line.split("] ", 1)[1] for line in err.splitlines()]
    assert stages[0].startswith("reading '")
    assert stages[1:] == [
        "read 539 records, 0 excluded",
        "running the equity analyses...",
        "writing the text report...",
        "done",
    ]
    assert all(line.startswith("ipsstats: [") for line in err.splitlines())


def test_progress_automatic_only_for_large_files_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, err = run(capsys, "validate", COHORT, "--observed-until", "2024-02-27")
    assert err == ""  # standard error is not a terminal here
    for threshold, shown in ((1000, True), (10**12, False)):
        terminal = io.StringIO()
        monkeypatch.setattr(terminal, "isatty", lambda: True)
        monkeypatch.setattr(sys, "stderr", terminal)
        monkeypatch.setattr(_io, "_PROGRESS_BYTES", threshold)
        assert cli.main(["validate", COHORT, "--observed-until", "2024-02-27"]) == 0
        assert ("read 539 records" in terminal.getvalue()) is shown
        assert (terminal.getvalue() == "") is not shown


def test_warnings_become_one_line_each(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:

    def noisy(*args: Any, **kwargs: Any) -> Any:
        warnings.warn("first\nline", IpsStatsWarning, stacklevel=1)
        return equity_report(*args, **kwargs)

    monkeypatch.setattr(_commands, "equity_report", noisy)
    status, out, err = run(capsys, "demo")
    assert status == 0
    assert out
    assert err == "ipsstats: warning: first line\n"


class FailingStdout(io.StringIO):
    """Standard output whose writes fail, as when its reader goes away or on Ctrl-C."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def write(self, _text: str) -> int:
        raise self.error


def test_broken_pipe_is_quiet(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", FailingStdout(BrokenPipeError(32, "Broken pipe")))
    status, out, err = run(capsys, "reproduce", "perkins2022")
    assert (status, out, err) == (0, "", "")


def test_stdout_that_cannot_encode_everything(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = run(capsys, "demo")
    assert status == 0
    assert "Cramér's V" in out
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert cli.main(["demo"]) == 0
    assert b"Cram?r's V" in raw.getvalue()
    assert raw.getvalue() == out.encode("ascii", errors="replace")


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("out.md", "# Perkins"),
        ("out.MARKDOWN", "# Perkins"),
        ("out.json", "{"),
        ("out.txt", "Perkins"),
        ("out", "Perkins"),
        ("out.html", "<!DOCTYPE html>"),
        ("out.csv", "table,row,column,value"),
    ],
)
def test_format_from_output_extension(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, name: str, start: str
) -> None:
    target = tmp_path / name
    assert run(capsys, "reproduce", "perkins2022", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith(start)


def test_a_format_and_a_mismatched_extension_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    target = tmp_path / "out.html"
    status, out, err = run(
        capsys, "reproduce", "perkins2022", "-o", str(target), "--format", "json"
    )
    assert status == 2
    assert out == ""
    assert "`--output` must have an extension matching --format json" in err
    assert not target.exists()
    # without an extension of a known format, --format decides
    plain = tmp_path / "out"
    assert run(capsys, "reproduce", "perkins2022", "-o", str(plain), "--format", "json")[0] == 0
    assert plain.read_text(encoding="utf-8").startswith("{")


def test_validate_and_reproduce_write_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    for suffix, start in ((".html", "<!DOCTYPE html>"), (".csv", "table,row,column,value")):
        target = tmp_path / f"validation{suffix}"
        status, _, _ = run(
            capsys, "validate", COHORT, "--observed-until", "2024-02-27", "-o", str(target)
        )
        assert status == 0
        assert target.read_text(encoding="utf-8").startswith(start)


def test_csv_output_is_one_long_table(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    target = tmp_path / "reproduction.csv"
    assert run(capsys, "reproduce", "perkins2022", "-o", str(target))[0] == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["table", "row", "column", "value"]
    assert all(len(row) == 4 for row in rows)
    chi2 = [r for r in rows if r[0] == "Table 2" and r[2] == "Published" and r[1] == "CNWL"]
    assert ["Table 2", "CNWL", "Published", "22.05"] in chi2


@pytest.mark.parametrize(
    ("fmt", "output", "expected"),
    [
        (None, "report.HTML", "html"),
        (None, "report.htm", "html"),
        (None, "report.md", "markdown"),
        (None, "report.json", "json"),
        (None, "report.txt", "text"),
        (None, "report.csv", "csv"),
        (None, None, "text"),
        (None, "-", "text"),
        ("json", "report", "json"),
        ("json", "report.json", "json"),
    ],
)
def test_report_format_from_extension(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    fmt: str | None,
    output: str | None,
    expected: str,
) -> None:
    starts = {
        "text": "Data validation\n",
        "markdown": "# Data validation\n",
        "html": "<!DOCTYPE html>",
        "json": "{",
        "csv": "table,row,column,value\n",
    }
    argv = ["validate", COHORT, "--observed-until", "2024-02-27"]
    target = None if output in (None, "-") else tmp_path / output
    if output is not None:
        argv += ["-o", output if target is None else str(target)]
    if fmt is not None:
        argv += ["--format", fmt]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    written = out if target is None else target.read_text(encoding="utf-8")
    assert [name for name, start in starts.items() if written.startswith(start)] == [expected]
    assert out == "" or target is None


def test_report_format_refuses_an_extension_it_cannot_write() -> None:
    args = argparse.Namespace(format=None, output="report.html")
    with pytest.raises(InvalidInputError, match="`--output` must have an extension of a format"):
        _parser._format(args, ("text", "json"))


def test_interrupt_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", FailingStdout(KeyboardInterrupt()))
    assert run(capsys, "reproduce", "perkins2022") == (130, "", "ipsstats: interrupted\n")


def test_semicolon_delimiter_and_other_encoding(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, demo_json: dict[str, Any]
) -> None:
    cohort = tmp_path / "cohort.csv"
    with cohort.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(cohort_rows())
    caseload = tmp_path / "caseload.csv"
    text = pathlib.Path(CASELOAD).read_text(encoding="utf-8").replace(",", ";")
    caseload.write_text(text, encoding="cp1252")
    status, out, err = run(
        capsys,
        *("report", str(cohort), "--eligible", str(caseload), "--study-end", "2024-02-27"),
        *("--missing-labels", "Not known", "--by", "ethnicity,gender"),
        *("--delimiter", ";", "--encoding", "cp1252", "--format", "json"),
    )
    assert (status, err) == (0, "")
    assert json.loads(out)["access"] == demo_json["access"]


def test_tab_delimiter(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "cohort.tsv", "id\taccessed\nA\t2019-01-01\nB\t2019-01-02\n")
    for name in ("tab", "\\t", "\t"):
        status, out, _ = run(
            capsys, "validate", path, "--delimiter", name, "--observed-until", "2019-12-31",
            "--format", "json",
        )  # fmt: skip
        assert status == 0
        assert json.loads(out)["n_valid"] == 2


def test_programming_errors_are_not_disguised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("missing")

    monkeypatch.setattr(_commands, "equity_report", broken)
    with pytest.raises(KeyError):
        cli.main(["demo"])


# --------------------------------------------------------------------------------------
# plausibility, attributes loaded, NHS codes
# --------------------------------------------------------------------------------------


def test_plausibility_options(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path / "odd.csv",
        "id,accessed,age\n1,2019-01-01,30\n2,0001-01-01,40\n3,2019-02-01,200\n4,2019-03-01,-5\n",
    )
    base = ["validate", path, "--observed-until", "2019-12-31", "--format", "json"]
    status, out, _ = run(capsys, *base)
    data = json.loads(out)
    assert status == 0
    assert data["counts"] == {"access before earliest_date": 1, "age outside range": 2}
    status, out, _ = run(capsys, *base, "--age-range", "none", "--earliest-date", "none")
    assert json.loads(out)["n_excluded"] == 0
    status, out, _ = run(capsys, *base, "--age-range=-10,250", "--earliest-date", "0001-01-01")
    assert json.loads(out)["n_excluded"] == 0
    status, out, err = run(capsys, *base, "--age-range", "16")
    assert_one_error_line(status, out, err, "`--age-range` must be two numbers LO,HI")
    status, out, err = run(capsys, *base, "--earliest-date", "1/1/1900")
    assert_one_error_line(status, out, err, "`--earliest-date` must be a real date")
    status, out, err = run(
        capsys, "report", path, "--study-end", "2019-12-31", "--by", "age"
    )  # age is a role, not an attribute to compare by
    assert_one_error_line(status, out, err, "`--by` must name attribute columns")
    status, out, err = run(capsys, "report", path, "--study-end", "2019-12-31")
    assert_one_error_line(status, out, err, "`age` '200': age outside range", "--age-range LO,HI")


def test_study_end_in_the_future(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "report", COHORT, "--study-end", "9999-12-31")
    assert_one_error_line(status, out, err, "`--study-end` must not be after today")


def test_by_limits_what_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["id", "accessed", "job_start", *[f"a{k}" for k in range(60)]]
    rows = [header] + [
        [str(i), "2019-01-01", "2019-02-01" if i % 2 else "", *["x" if i % 3 else "y"] * 60]
        for i in range(20)
    ]
    path = write_rows(tmp_path / "wide.csv", rows)
    status, out, err = run(capsys, "report", path, "--study-end", "2019-12-31")
    assert_one_error_line(
        status, out, err, "`--by` must name the attributes to compare", "60 categorical", "a0"
    )
    seen: list[Any] = []
    original = Cohort.from_csv

    def spy(*args: Any, **kwargs: Any) -> Any:
        cohort = original(*args, **kwargs)
        seen.append(cohort.attribute_names)
        return cohort

    monkeypatch.setattr(Cohort, "from_csv", spy)
    status, out, _ = run(capsys, "report", path, "--study-end", "2019-12-31", "--by", "a3,a7")
    assert status == 0
    assert seen == [("a3", "a7")]
    assert "a7" in out


def test_ethnicity_codes(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    lines = ["id,accessed,job_start,ethnicity"]
    codes = ["A", "B", "N", "M", "H", "J", "Z", "99", "A", "N"] * 4
    lines += [f"{k},2019-01-01,{'2019-03-01' if k % 2 else ''},{c}" for k, c in enumerate(codes)]
    path = write(tmp_path / "nhs.csv", "\n".join(lines) + "\n")
    args = ["report", path, "--study-end", "2019-12-31", "--format", "json", "--by", "ethnicity"]
    status, out, err = run(capsys, *args, "--ethnicity-codes", "nhs")
    assert status == 0
    assert "ethnicity codes counted as missing: Z (not stated): 4, 99 (not known): 4" in err
    text = json.dumps(json.loads(out))
    assert "Black or Black British" in text
    assert "Asian or Asian British" in text
    status, out, err = run(capsys, *args, "--ethnicity-codes", "nhs-detailed")
    assert status == 0
    assert "Pakistani" in out
    bad = write(tmp_path / "bad.csv", "id,accessed,ethnicity\n1,2019-01-01,White\n")
    status, out, err = run(
        capsys, "report", bad, "--study-end", "2019-12-31", "--ethnicity-codes", "nhs"
    )
    assert_one_error_line(status, out, err, "NHS ETHNIC CATEGORY codes", "'White' at index 0")
    none = write(tmp_path / "none.csv", "id,accessed,group\n1,2019-01-01,A\n")
    status, out, err = run(
        capsys, "report", none, "--study-end", "2019-12-31", "--ethnicity-codes", "nhs"
    )
    assert_one_error_line(status, out, err, "find an attribute named 'ethnicity'")


def test_report_provenance_names_the_file_its_checksum_and_the_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "report", COHORT, "--study-end", "2024-02-27", "--by", "gender",
        "--service", "North IPS", "--time-unit", "days", "--format", "json",
    )  # fmt: skip
    assert status == 0
    provenance = json.loads(out)["provenance"]
    # the checksum of the file's bytes, computed independently here
    expected = hashlib.sha256(pathlib.Path(COHORT).read_bytes()).hexdigest()
    assert provenance["source_sha256"] == expected
    assert provenance["source"] == "synthetic_cohort.csv"
    assert provenance["service"] == "North IPS"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", provenance["generated_at"])
    assert json.loads(out)["options"]["time_unit"] == "days"


def test_demo_time_unit_reaches_tables(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "demo", "--time-unit", "days")
    assert status == 0
    assert "Median, days (CI)" in out
    assert "Median, months (CI)" not in out
    assert run(capsys, "demo", "--time-unit", "weeks")[0] == 2
