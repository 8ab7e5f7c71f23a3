from __future__ import annotations

import importlib.metadata
import importlib.resources
import re
import subprocess
import sys

import pytest

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


def _modules_after(code: str) -> set[str]:
    script = f"import sys; {code}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


def test_import_loads_no_scipy_and_no_wing() -> None:
    # the package imports a name's wing on first use: `import ipsstats` stays light
    loaded = _modules_after("import ipsstats")
    assert not {m for m in loaded if m == "scipy" or m.startswith("scipy.")}
    assert not {m for m in loaded if m.startswith(("ipsstats.categorical", "ipsstats.survival"))}


def test_a_name_imports_its_wing_and_no_scipy_until_a_test_runs() -> None:
    loaded = _modules_after("import ipsstats as ips; ips.crosstab; ips.kaplan_meier")
    assert "ipsstats.categorical" in loaded
    assert "ipsstats.survival" in loaded
    assert "scipy.stats" not in loaded
    used = _modules_after(
        "import ipsstats as ips; ips.independence([[10, 20], [20, 10]]); "
        "ips.kaplan_meier([1, 2, 3], [1, 0, 1]).median()"
    )
    assert "scipy.special" in used


def test_names_resolve_once_and_unknown_names_raise() -> None:
    first = ipsstats.crosstab
    assert ipsstats.crosstab is first
    assert "crosstab" in dir(ipsstats)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = ipsstats.no_such_name  # type: ignore[attr-defined]
