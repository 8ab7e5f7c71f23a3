"""The layout rules of ipsstats, enforced (see docs/contributing.rst).

- Core modules sit at the top of the package; every other module belongs to a wing (a
  subpackage). Any wing may use core.
- A private name (``_x``) or a private module (``_x.py``) is shared only inside its wing;
  a wing uses another wing through its public names.
- No import cycles between modules, nor between wings.
- No module over 900 lines; the command line's modules under 500.
- The contributor page lists every module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ipsstats"
CONTRIBUTING = ROOT / "docs" / "contributing.rst"
CORE = "core"
# The top-level package re-exports every wing and ``python -m ipsstats`` runs the command:
# they depend on everything and nothing depends on them.
FACADE = ("ipsstats", "ipsstats.__main__")
MAX_LINES = 900
MAX_CLI_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def wing_of(module: str) -> str:
    """The wing of a module: the subpackage under ipsstats, or core for top-level modules."""
    parts = module.split(".")
    if (
        len(parts) >= 2
        and f"ipsstats.{parts[1]}" in MODULES
        and (MODULES[f"ipsstats.{parts[1]}"].name == "__init__.py")
    ):
        return parts[1]
    return CORE


def imports(module: str, text: str | None = None) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every ipsstats import, lazy ones too."""
    if text is None:
        text = MODULES[module].read_text(encoding="utf-8")
    tree = ast.parse(text)
    is_package = module in MODULES and MODULES[module].name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ipsstats"):
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("ipsstats"):
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                if child in MODULES:
                    yield child, None, node.lineno
                else:
                    yield base, alias.name, node.lineno


def is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def violations(sources: dict[str, str | None] | None = None) -> list[str]:
    """Cross-wing private imports of the package's modules (or of the given sources)."""
    found = []
    for module, text in (sources or dict.fromkeys(MODULES)).items():
        mine = wing_of(module)
        for target, name, line in imports(module, text):
            theirs = wing_of(target)
            if theirs in (mine, CORE):
                if theirs == CORE and mine != CORE and name is not None and is_private(name):
                    found.append(f"{module}:{line} imports private {name} from core {target}")
                continue
            private_part = next((p for p in target.split(".")[2:] if is_private(p)), None)
            if private_part:
                found.append(f"{module}:{line} imports private module {target} of wing {theirs}")
            if name is not None and is_private(name):
                found.append(f"{module}:{line} imports private {name} from wing {theirs}")
    return found


def graph(level: str) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module in MODULES:
        if module in FACADE:
            continue
        source = module if level == "module" else wing_of(module)
        for target, _, _ in imports(module):
            node = target if level == "module" else wing_of(target)
            if target not in MODULES or node == source:
                continue
            if level == "module" and MODULES[target].name == "__init__.py":
                continue  # importing a package's public names is checked at the wing level
            edges.setdefault(source, set()).add(node)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_private_name_crosses_a_wing() -> None:
    assert violations() == []


@pytest.mark.parametrize("level", ["module", "wing"])
def test_no_import_cycle(level: str) -> None:
    assert find_cycle(graph(level)) is None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_private_imports_are_detected() -> None:
    # The checker itself, on a made-up module of the equity wing.
    source = (
        "from ipsstats.cohort._csv import read\n"  # a private module of another wing
        "from ipsstats.cohort.cohort import _take\n"  # a private name of another wing
        "from ipsstats.factor import _hidden\n"  # a private name of core
        "from ipsstats.equity._common import _fine\n"  # private, but the same wing
        "from ipsstats.categorical import crosstab\n"  # public: fine
    )
    found = violations({"ipsstats.equity.made_up": source})
    assert found == [
        "ipsstats.equity.made_up:1 imports private module ipsstats.cohort._csv of wing cohort",
        "ipsstats.equity.made_up:2 imports private _take from wing cohort",
        "ipsstats.equity.made_up:3 imports private _hidden from core ipsstats.factor",
    ]
    assert wing_of("ipsstats.errors") == CORE


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    limit = MAX_CLI_LINES if wing_of(module) == "cli" else MAX_LINES
    assert lines <= limit, f"{module} has {lines} lines (limit {limit}): split it by concern"


def test_contributor_page_maps_every_module() -> None:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    missing = [m for m in MODULES if f"``{m}``" not in text and m != "ipsstats"]
    assert missing == [], f"docs/contributing.rst does not list {missing}"
