"""SciPy's submodules, imported on first use so that ``import ipsstats`` stays light.

``from ipsstats._scipy import special`` gives a stand-in for :mod:`scipy.special` that
imports it when one of its attributes is first read; each attribute read is then kept on
the stand-in, so later calls cost a plain attribute look-up. Importing ``scipy.stats``
alone takes several tenths of a second, most of the time ``import ipsstats`` used to take.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["optimize", "special", "stats"]


class _OnFirstUse:
    """Stand-in for a module, imported when one of its attributes is first read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)  # found without __getattr__ from now on
        return value

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"


special: Any = _OnFirstUse("scipy.special")
stats: Any = _OnFirstUse("scipy.stats")
optimize: Any = _OnFirstUse("scipy.optimize")
