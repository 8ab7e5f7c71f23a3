"""The README's Python example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_one_python_example() -> None:
    assert len(_python_blocks()) == 1


def test_readme_example_runs_and_matches_its_comments() -> None:
    code = _python_blocks()[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {})
    printed = out.getvalue()
    assert "pearson: statistic = 22.05, dof = 4" in printed
    assert "fisher-freeman-halton 0.643" in printed
    assert "314 (95% CI 268 to 367" in printed
