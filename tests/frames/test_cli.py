"""The command line reads Parquet and large CSV files with DuckDB (--engine)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ipsstats.cli import _engines, main  # no public route: see test_engine_choice
from ipsstats.datasets import synthetic_cohort

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed")
pytest.importorskip("duckdb", reason="duckdb is not installed (ipsstats[duckdb])")
pytest.importorskip("narwhals", reason="narwhals is not installed (ipsstats[frames])")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("engines")
    cohort = synthetic_cohort(n=400, seed=11)
    columns = cohort.to_columns()
    arrays: dict[str, Any] = {}
    for name, column in columns.items():
        if column.dtype.kind == "M":
            arrays[name] = pa.array(column, type=pa.date32())
        elif column.dtype.kind in "UO":
            arrays[name] = pa.array(list(column), type=pa.string())
        else:
            arrays[name] = pa.array(column)
    pq.write_table(pa.table(arrays), folder / "cohort.parquet")
    cohort.to_csv(folder / "cohort.csv")
    return {"parquet": folder / "cohort.parquet", "csv": folder / "cohort.csv"}


def report(path: Path, out: Path, *extra: str) -> dict[str, Any]:
    code = main(
        [
            "report",
            str(path),
            "--study-end",
            "2024-02-27",
            "--observed-until",
            "2024-02-27",
            "--format",
            "json",
            "-o",
            str(out),
            *extra,
        ]
    )
    assert code == 0
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def test_parquet_and_duckdb_csv_give_the_in_memory_report(
    files: dict[str, Path], tmp_path: Path
) -> None:
    memory = report(files["csv"], tmp_path / "memory.json", "--engine", "memory")
    duck_csv = report(files["csv"], tmp_path / "duck.json", "--engine", "duckdb")
    parquet = report(files["parquet"], tmp_path / "parquet.json", "--progress")
    for other in (duck_csv, parquet):
        for section in ("access", "outcome", "durations", "summary", "options", "caveats"):
            assert other[section] == memory[section]
    # records are numbered by position with DuckDB, by file line in memory
    assert duck_csv["completeness"]["validation"]["row_kind"] == "index"
    assert parquet["inputs"]["source"] == "cohort.parquet"


def test_engine_choice(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def row_kind(path: Path, *engine: str) -> str:
        # records are numbered by position with DuckDB ("index"), by file line in memory
        argv = ["validate", str(path), "--observed-until", "2024-02-27", "--format", "json"]
        code = main([*argv, *engine])
        captured = capsys.readouterr()
        assert (code, captured.err) == (0, "")
        return str(json.loads(captured.out)["row_kind"])

    assert row_kind(files["parquet"]) == "index"  # DuckDB
    assert row_kind(files["csv"]) == "line"  # small: in memory
    assert row_kind(files["csv"], "--engine", "duckdb") == "index"
    # no public route: a missing file is reported by the same stat whichever engine is chosen
    assert _engines.engine_for("absent.csv", None) == "memory"
    validate = ["validate", str(files["parquet"]), "--observed-until", "2024-02-27"]
    assert main([*validate, "--engine", "memory"]) == 2
    assert "`--engine` must be duckdb for a Parquet file" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb raises ImportError
    assert main(validate) == 2
    assert "duckdb (not installed)" in capsys.readouterr().err
