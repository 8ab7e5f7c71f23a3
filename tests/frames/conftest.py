"""Data frames of every engine the frames wing reads, built from one Arrow table.

Each engine's package is optional: a test of an engine that is not installed is skipped,
with the reason shown in pytest's summary. PySpark also needs Java.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable
from typing import Any, cast

import pytest

ENGINES = ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb", "ibis", "dask", "pyspark"]
#: Engines used by the slower whole-report tests (PySpark starts a JVM).
MakeFrame = Callable[[Any], Any]


def _spark() -> Any:
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install pyspark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("PySpark needs Java, which is not installed")
    from pyspark.sql import SparkSession  # noqa: PLC0415  # optional, after the skip checks

    return (
        SparkSession.builder.master("local[1]")
        .appName("ipsstats-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


@pytest.fixture(scope="session")
def spark() -> Any:
    session = _spark()
    session.sparkContext.setLogLevel("ERROR")
    return session


def maker(engine: str, request: pytest.FixtureRequest) -> MakeFrame:
    """A function turning a pyarrow Table into a frame of `engine`."""
    pytest.importorskip("narwhals", reason="narwhals is not installed (ipsstats[frames])")
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    del pa
    if engine == "pandas":
        pytest.importorskip("pandas", reason="pandas is not installed")
        return lambda table: table.to_pandas()
    if engine in ("polars", "polars-lazy"):
        pl = pytest.importorskip("polars", reason="polars is not installed")
        if engine == "polars":
            return cast("MakeFrame", pl.from_arrow)
        return lambda table: pl.from_arrow(table).lazy()
    if engine == "pyarrow":
        return lambda table: table
    if engine == "duckdb":
        duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed")
        connection = duckdb.connect()
        return cast("MakeFrame", connection.from_arrow)
    if engine == "ibis":
        ibis = pytest.importorskip("ibis", reason="ibis-framework is not installed")
        pytest.importorskip("duckdb", reason="ibis's duckdb backend is not installed")
        return cast("MakeFrame", ibis.memtable)
    if engine == "dask":
        dd = pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")

        def to_dask(table: Any) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return dd.from_pandas(table.to_pandas(), npartitions=2)

        return to_dask
    if engine == "pyspark":
        session = request.getfixturevalue("spark")
        return lambda table: session.createDataFrame(table.to_pandas())
    raise AssertionError(engine)


@pytest.fixture(params=ENGINES)
def make_frame(request: pytest.FixtureRequest) -> MakeFrame:
    return maker(request.param, request)
