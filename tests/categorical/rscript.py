"""Run R from a test, when it is installed, and read back numbers at full precision.

Reference values are written into the tests beside the R call that produced them; the
tests marked ``requires_r`` also recompute references live on random input. They are
skipped, with the reason, where ``Rscript`` is not on the path (CI installs R).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

__all__ = ["r_numbers", "r_vector", "requires_r"]

RSCRIPT = shutil.which("Rscript")

requires_r = pytest.mark.skipif(RSCRIPT is None, reason="Rscript is not installed")


def r_numbers(code: str) -> list[float]:
    """Run R `code`, which must ``cat`` numbers; return them (NA and Inf understood)."""
    assert RSCRIPT is not None
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "reference.R"  # R truncates long -e arguments
        script.write_text(code, encoding="utf-8")
        done = subprocess.run(
            [RSCRIPT, "--vanilla", str(script)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    try:
        return [float(token.replace("NA", "nan")) for token in done.stdout.split()]
    except ValueError:
        raise AssertionError(f"R printed more than numbers:\n{done.stdout}") from None


def r_vector(values: Iterable[float]) -> str:
    """Write an R ``c(...)`` literal of numbers at full precision."""
    return "c(" + ", ".join(format(float(v), ".17g") for v in values) + ")"
