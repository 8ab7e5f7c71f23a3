"""The command line: ipsstats summarise writes site summaries, ipsstats combine pools them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipsstats.cli import main
from ipsstats.datasets import synthetic_cohort
from ipsstats.sites import SiteSummary, combine_sites, site_summary

STUDY_END = "2024-02-27"


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sites")
    cohort = synthetic_cohort()
    out = {}
    for team in ("North", "South"):
        path = folder / f"{team}.csv"
        cohort.where("team", [team]).to_csv(path)
        out[team] = path
    return out


def summarise(path: Path, site: str, *extra: str) -> int:
    return main(["summarise", str(path), "--site", site, "--study-end", STUDY_END, *extra])


def test_summarise_writes_the_library_summary(cohorts: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "north.json"
    assert summarise(cohorts["North"], "North", "--by", "ethnicity,gender", "-o", str(out)) == 0
    written = SiteSummary.read(out)
    expected = site_summary(
        synthetic_cohort().where("team", ["North"]),
        site="North",
        by=["ethnicity", "gender"],
        study_end=STUDY_END,
    )
    assert written.to_dict()["attributes"] == expected.to_dict()["attributes"]
    assert (written.n, written.n_window) == (expected.n, expected.n_window)


def test_summarise_suppressed_and_parquet(cohorts: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    out = tmp_path / "north.parquet"
    code = summarise(cohorts["North"], "North", "--suppress", "--threshold", "3", "-o", str(out))
    assert code == 0
    summary = SiteSummary.read(out)
    assert summary.threshold == 3
    assert summary.time_unit == "month"


def test_summarise_to_standard_output(
    cohorts: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert summarise(cohorts["North"], "North", "--by", "gender") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["site"] == "North"
    assert list(data["attributes"]) == ["gender"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "north.txt"], "`--output` must be a .json or .parquet file"),
        (["--format", "parquet"], "`--output` must name a file for Parquet output"),
        (["--format", "json", "-o", "n.parquet"], "must have an extension matching --format"),
        (["--threshold", "3"], "`--threshold` must be given with --suppress"),
        (["--observed-until", "2024-01-01"], "`--study-end` must be on or before"),
        (["--by", "age"], "`--by` must name categorical attributes"),
    ],
)
def test_summarise_refusals(
    cohorts: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    # every refusal comes before anything is written
    assert summarise(cohorts["North"], "North", *extra) == 2
    assert message in capsys.readouterr().err


def test_summarise_refuses_a_file_without_valid_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,accessed\n1,not a date\n", encoding="utf-8")
    assert summarise(path, "A", "--errors", "exclude") == 2
    assert "must hold at least one valid record" in capsys.readouterr().err


@pytest.fixture(scope="module")
def summaries(cohorts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("summaries")
    out = []
    for site, path in cohorts.items():
        target = folder / f"{site}.json"
        assert summarise(path, site, "--by", "gender", "-o", str(target)) == 0
        out.append(target)
    return out


@pytest.mark.parametrize(
    ("fmt", "start"), [("text", "IPS equity"), ("markdown", "# IPS"), ("html", "<!DOCTYPE")]
)
def test_combine_writes_every_format(
    summaries: list[Path], tmp_path: Path, fmt: str, start: str
) -> None:
    out = tmp_path / "pooled.out"
    code = main(["combine", *map(str, summaries), "--format", fmt, "-o", str(out)])
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith(start)


def test_combine_json_is_the_library_analysis(summaries: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "pooled.json"
    code = main(
        ["combine", *map(str, summaries), "--landmarks", "3,9", "--adjust", "none", "-o", str(out)]
    )
    assert code == 0
    expected = combine_sites(summaries, landmarks=(3, 9), adjust="none").to_dict()
    assert json.loads(out.read_text(encoding="utf-8")) == expected


def test_combine_csv_is_long_form(
    summaries: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["combine", *map(str, summaries), "--format", "csv", "--title", "T"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "table,row,column,value"
    assert any(line.startswith("Sites / Site summaries pooled,North,") for line in lines)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--landmarks", "six"], "`--landmarks` must be numbers of months"),
        (["--confidence-level", "95"], "`--confidence-level` must be a number strictly"),
        (["--by", "ethnicity"], "`--by` must name attributes every site summarises"),
    ],
)
def test_combine_refusals(
    summaries: list[Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["combine", *map(str, summaries), *extra]) == 2
    assert message in capsys.readouterr().err


def test_combine_names_a_file_that_is_not_a_summary(
    summaries: list[Path], cohorts: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["combine", str(summaries[0]), str(cohorts["North"])]) == 2
    err = capsys.readouterr().err
    assert "the summary file must be a site summary in JSON or Parquet; got 'North.csv'" in err
    assert main(["combine", str(summaries[0]), str(summaries[0])]) == 2
    assert "the SUMMARY files must come from differently named sites" in capsys.readouterr().err
