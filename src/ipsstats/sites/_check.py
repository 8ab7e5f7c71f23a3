"""Reading the JSON form of a site summary: every value checked, with where it was found.

The functions here take the decoded JSON (dicts, lists, numbers) and return plain Python
values or arrays, raising an :class:`~ipsstats.errors.InvalidInputError` that names the
argument, the place in the file (``attributes.ethnicity.outcome.all.job``) and the rule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail
from ipsstats.errors import InvalidInputError

__all__ = ["Where"]

_LABEL_TYPES = (str, int, float, bool)


class Where:
    """A place in a summary file, for messages: the argument and the path of keys."""

    def __init__(self, argument: str, origin: str = "", path: tuple[str, ...] = ()) -> None:
        self.argument = argument
        self.origin = origin
        self.path = path

    def __truediv__(self, key: object) -> Where:
        return Where(self.argument, self.origin, (*self.path, str(key)))

    def error(self, rule: str, got: str, hint: str | None = None) -> InvalidInputError:
        """Build the error: the value at this place breaks `rule`."""
        place = f"whose `{'.'.join(self.path)}`" if self.path else "that"
        origin = f" in {self.origin}" if self.origin else ""
        return fail(
            self.argument,
            f"be an ipsstats site summary {place} {rule}",
            f"{got}{origin}",
            hint=hint,
        )

    def mapping(self, value: object) -> Mapping[str, Any]:
        """Read a JSON object."""
        if not isinstance(value, Mapping):
            raise self.error("is an object", type(value).__name__)
        return value

    def key(self, value: Mapping[str, Any], key: str) -> Any:
        """Read a required key of an object."""
        if key not in value:
            raise (self / key).error("is present", "no such key")
        return value[key]

    def text(self, value: object) -> str:
        """Read a non-empty string."""
        if not isinstance(value, str) or not value.strip():
            raise self.error("is a non-empty string", repr(value)[:60])
        return value

    def date(self, value: object) -> dt.date:
        """Read an ISO 8601 date."""
        try:
            return dt.date.fromisoformat(self.text(value))
        except ValueError:
            raise self.error("is a date written YYYY-MM-DD", repr(value)[:60]) from None

    def count(self, value: object, *, nullable: bool = False) -> int | None:
        """Read a whole number >= 0 (or null when allowed)."""
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error("is a whole number >= 0", repr(value)[:60])
        return value

    def counts(self, value: object, size: int | None = None) -> NDArray[np.int64]:
        """Read a list of whole numbers >= 0 (of `size` items when given)."""
        if not isinstance(value, list):
            raise self.error("is a list of counts", type(value).__name__)
        for k, item in enumerate(value):
            (self / k).count(item)
        if size is not None and len(value) != size:
            raise self.error(f"holds {size} counts", f"{len(value)}")
        return np.array(value, dtype=np.int64).reshape(len(value))

    def times(self, value: object) -> NDArray[np.float64]:
        """Read a list of finite, non-negative, strictly increasing numbers."""
        if not isinstance(value, list):
            raise self.error("is a list of times", type(value).__name__)
        for k, item in enumerate(value):
            ok = isinstance(item, (int, float)) and not isinstance(item, bool)
            if not ok or not math.isfinite(item) or item < 0:
                raise (self / k).error("is a finite number of days >= 0", repr(item)[:60])
        times = np.array(value, dtype=np.float64).reshape(len(value))
        if np.any(np.diff(times) <= 0):
            raise self.error("is strictly increasing", "repeated or unsorted times")
        return times

    def labels(self, value: object) -> tuple[object, ...]:
        """Read a list of distinct labels (strings, numbers or booleans)."""
        if not isinstance(value, list):
            raise self.error("is a list of labels", type(value).__name__)
        for k, item in enumerate(value):
            if not isinstance(item, _LABEL_TYPES) or (
                isinstance(item, float) and not math.isfinite(item)
            ):
                raise (self / k).error("is a label (a string or a number)", repr(item)[:60])
        if len({(type(v).__name__, v) for v in value}) != len(value):
            raise self.error("holds distinct labels", repr(value)[:60])
        return tuple(value)

    def strings(self, value: object) -> tuple[str, ...]:
        """Read a list of strings."""
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error("is a list of strings", repr(value)[:60])
        return tuple(value)

    def choice(self, value: object, choices: Sequence[str]) -> str:
        """Read one of `choices`."""
        if value not in choices:
            raise self.error(f"is one of {list(choices)}", repr(value)[:60])
        return str(value)

    def exits(
        self, value: object, kinds: Sequence[str]
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Read an exit table: ``{"times": [...], kind: [...], ...}``, one count per time."""
        table = self.mapping(value)
        unknown = sorted(set(table) - {"times", *kinds})
        if unknown:
            raise self.error(f"has the keys times, {', '.join(kinds)}", f"also {unknown}")
        times = (self / "times").times(self.key(table, "times"))
        columns = [(self / kind).counts(self.key(table, kind), times.size) for kind in kinds]
        counts: NDArray[np.int64] = np.stack(columns, axis=1)
        return times, counts
