"""Cohorts and equity reports from data frames: one report, byte for byte, from every engine."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import ipsstats as ips
from ipsstats.datasets import synthetic_cohort
from ipsstats.errors import InvalidInputError
from tests.frames.conftest import ENGINES, maker

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
pytest.importorskip("narwhals", reason="narwhals is not installed (ipsstats[frames])")
from ipsstats.frames import column_names, is_frame, read_columns  # noqa: E402

COHORT = synthetic_cohort(n=600, seed=7)
COLUMNS = COHORT.to_columns()


def table() -> Any:
    arrays = {}
    for name, column in COLUMNS.items():
        if column.dtype.kind == "M":
            arrays[name] = pa.array(column, type=pa.date32())
        elif column.dtype.kind in "UO":
            arrays[name] = pa.array(list(column), type=pa.string())
        else:
            arrays[name] = pa.array(column)
    return pa.table(arrays)


@pytest.fixture(scope="module")
def reference_json() -> str:
    cohort = ips.Cohort.from_columns(COLUMNS, observed_until=COHORT.observed_until)
    return _timeless(ips.equity_report(cohort, study_end="2024-02-27").to_json())


def _timeless(text: str) -> str:
    """The report's JSON without its generation time (the one field that varies)."""
    return re.sub(r'"generated_at": "[^"]*"', '"generated_at": null', text)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_report_comes_out_of_every_engine(
    engine: str, reference_json: str, request: pytest.FixtureRequest
) -> None:
    frame = maker(engine, request)(table())
    cohort = ips.Cohort.from_frame(frame, observed_until=COHORT.observed_until)
    report = ips.equity_report(cohort, study_end="2024-02-27")
    assert _timeless(report.to_json()) == reference_json  # byte-identical JSON


def test_from_frame_reads_only_the_columns_used() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.from_arrow(table()).lazy().rename({"accessed": "First contact"})
    cohort = ips.Cohort.from_frame(
        frame,
        observed_until=COHORT.observed_until,
        columns={"accessed": "First contact"},
        attributes="team",
    )
    assert cohort.attribute_names == ("age", "team")  # age is a role, read when present
    assert np.array_equal(cohort.accessed, COHORT.accessed)
    with pytest.raises(InvalidInputError, match=r"`attributes` must name attribute columns of"):
        ips.Cohort.from_frame(frame, observed_until=COHORT.observed_until, attributes=["x"])


def test_read_columns_turns_dates_and_datetimes_into_days() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    import datetime as dt  # noqa: PLC0415  # used by this test only

    frame = pl.LazyFrame(
        {
            "d": [dt.date(1969, 2, 28), None, dt.date(2000, 2, 29), dt.date(2100, 3, 1)],
            "t": [dt.datetime(1969, 12, 31, 23, 59), None, dt.datetime(2000, 2, 29, 1), None],
        }
    )
    days = read_columns(frame)
    expected = np.array(["1969-02-28", "NaT", "2000-02-29", "2100-03-01"], dtype="datetime64[D]")
    assert np.array_equal(days["d"], expected, equal_nan=True)
    assert days["t"].astype(str).tolist() == ["1969-12-31", "NaT", "2000-02-29", "NaT"]
    assert column_names(frame) == ["d", "t"]


def test_is_frame_knows_frames_from_columns() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.DataFrame({"a": [1]})
    assert is_frame(frame)
    assert is_frame(frame.lazy())
    assert not is_frame(frame["a"])
    assert not is_frame(np.zeros(2))
    assert not is_frame({"a": [1]})


def test_import_ipsstats_imports_no_engine_nor_narwhals() -> None:
    code = (
        "import sys, ipsstats, ipsstats.frames; "
        "bad = [m for m in ('narwhals', 'pandas', 'polars', 'duckdb', 'pyarrow', 'ibis', "
        "'pyspark', 'dask') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_narwhals_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = pl.DataFrame({"a": [1]})
    for name in ("narwhals", "narwhals.stable", "narwhals.stable.v2"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(InvalidInputError, match=r"optional package narwhals.*ipsstats\[frames\]"):
        ips.tally("a", data=frame)
