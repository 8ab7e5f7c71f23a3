"""Deprecated module paths of ipsstats 0.1, kept working as aliases of their new homes.

ipsstats 0.2 groups its modules into wings (:mod:`ipsstats.categorical`,
:mod:`ipsstats.survival`, :mod:`ipsstats.cohort`, :mod:`ipsstats.equity`,
:mod:`ipsstats.report`). Importing one of the 0.1 flat modules (``ipsstats.contingency``,
``ipsstats.render``, ...) still works: the import returns the module that now holds its
names and emits a :class:`DeprecationWarning` naming the new path. Public names are
unchanged at the top level (``import ipsstats as ips; ips.crosstab``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Sequence

__all__ = ["MOVED_MODULES", "install"]

#: Each 0.1 module path and the module that replaces it.
MOVED_MODULES: dict[str, str] = {
    "ipsstats.contingency": "ipsstats.categorical",
    "ipsstats.gof": "ipsstats.categorical.gof",
    "ipsstats.independence": "ipsstats.categorical.independence",
    "ipsstats.exact": "ipsstats.categorical.exact",
    "ipsstats.stratified": "ipsstats.categorical.stratified",
    "ipsstats.proportions": "ipsstats.categorical.proportions",
    "ipsstats.logrank": "ipsstats.survival.logrank",
    "ipsstats.competing": "ipsstats.survival.competing",
    "ipsstats.windows": "ipsstats.cohort.windows",
    "ipsstats.disclosure": "ipsstats.report.disclosure",
    "ipsstats.render": "ipsstats.report.render",
    "ipsstats.render.csv": "ipsstats.report.render.csv",
    "ipsstats.render.html": "ipsstats.report.render.html",
    "ipsstats.render.json": "ipsstats.report.render.json",
    "ipsstats.render.markdown": "ipsstats.report.render.markdown",
    "ipsstats.render.text": "ipsstats.report.render.text",
}


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"`{old}` moved to `{new}` in ipsstats 0.2; import from `{new}` or from `ipsstats`. "
        "The old path will be removed in a future release.",
        DeprecationWarning,
        stacklevel=3,
    )


class _AliasLoader(importlib.abc.Loader):
    """Load an old module path as the module that replaced it."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        _warn(spec.name, self.new)
        return importlib.import_module(self.new)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the replacing module is already imported."""


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Find the 0.1 module paths listed in :data:`MOVED_MODULES`."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,  # noqa: ARG002  # part of the finder protocol
        target: types.ModuleType | None = None,  # noqa: ARG002  # part of the protocol
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED_MODULES.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install() -> None:
    """Register the alias finder once (idempotent)."""
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.append(_AliasFinder())
