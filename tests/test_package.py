from __future__ import annotations

import importlib.metadata
import importlib.resources
import re
import subprocess
import sys

import ipsstats


def test_version_matches_metadata() -> None:
    assert ipsstats.__version__ == importlib.metadata.version("ipsstats")
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)*", ipsstats.__version__)


def test_py_typed_is_shipped() -> None:
    assert importlib.resources.files("ipsstats").joinpath("py.typed").is_file()


def test_all_is_sorted_and_importable() -> None:
    names = list(ipsstats.__all__)
    assert names == sorted(names)
    for name in names:
        assert hasattr(ipsstats, name), name


def test_runtime_dependencies_are_exactly_numpy_scipy_attrs() -> None:
    requires = importlib.metadata.requires("ipsstats") or []
    runtime = {
        re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].lower()
        for req in requires
        if "extra ==" not in req
    }
    assert runtime == {"numpy", "scipy", "attrs"}


def test_import_does_not_pull_pandas_or_matplotlib() -> None:
    code = (
        "import sys, ipsstats; "
        "bad = [m for m in ('pandas', 'polars', 'matplotlib', 'pyarrow') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == ""
