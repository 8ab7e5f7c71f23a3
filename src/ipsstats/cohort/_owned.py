"""Columns a builder hands to the cohort without a defensive copy (internal).

A :class:`~ipsstats.cohort.Cohort` stores read-only copies of the columns it is given, so
that nobody else can change them. The builders parse every column into new arrays that
nothing else refers to; copying those again only costs time (a few tens of milliseconds
on a million records). A builder wraps such an array in :class:`Owned`, which freezes it
in place, and the cohort's converters keep it as it is.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = []


@attrs.frozen(eq=False)
class Owned:
    """An array made for the cohort alone, frozen in place (with the arrays it views)."""

    array: NDArray[Any]

    def __attrs_post_init__(self) -> None:
        base: object = self.array
        while isinstance(base, np.ndarray):  # a view: its base is frozen too
            base.flags.writeable = False
            base = base.base


def adopted(value: object, dtype: np.dtype[Any]) -> NDArray[Any] | None:
    """Return the array of an :class:`Owned` `value` of `dtype` (kind, for text), else None."""
    if not isinstance(value, Owned):
        return None
    array = value.array
    same = array.dtype.kind == "U" if dtype.kind == "U" else array.dtype == dtype
    return array if same else None


def unwrapped(value: object) -> object:
    """Return the array of an :class:`Owned` `value`; any other value as it is."""
    return value.array if isinstance(value, Owned) else value
