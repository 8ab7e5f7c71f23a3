"""Strict JSON serialisation of results, reports and documents."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from ipsstats._arrays import as_option, fail

__all__ = ["to_json"]

_NonFinite = Literal["null", "error"]
_NONFINITE: tuple[_NonFinite, ...] = ("null", "error")


def _plain(value: object, path: str, nonfinite: _NonFinite) -> Any:
    """Convert `value` to plain JSON types, refusing anything without a JSON meaning."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (np.timedelta64, dt.timedelta)):
        raise fail(
            "obj",
            "hold durations as numbers with a stated unit",
            f"{type(value).__name__} at {path}",
            hint="convert to days first, e.g. value / numpy.timedelta64(1, 'D').",
        )
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isfinite(number):
            return number
        if nonfinite == "error":
            raise fail("obj", "hold only finite numbers", f"{number!r} at {path}")
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(np.datetime_as_string(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return _plain(value.tolist() if value.dtype.kind != "M" else list(value), path, nonfinite)
    if isinstance(value, Mapping):
        return _mapping(value, path, nonfinite)
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{k}]", nonfinite) for k, item in enumerate(value)]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _plain(to_dict(), path, nonfinite)
    raise fail(
        "obj",
        "hold only JSON-representable values (numbers, text, lists, mappings, dates, "
        "objects with to_dict())",
        f"{type(value).__name__} at {path}",
    )


def _mapping(value: Mapping[Any, Any], path: str, nonfinite: _NonFinite) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(key, bool) or not isinstance(key, (str, int, np.integer)):
            raise fail("obj", "have text or integer mapping keys", f"{key!r} at {path}")
        name = str(key)
        if name in out:
            raise fail("obj", "have distinct mapping keys as text", f"{key!r} twice at {path}")
        out[name] = _plain(item, f"{path}.{name}", nonfinite)
    return out


def to_json(
    obj: object,
    indent: int | None = 2,
    *,
    sort_keys: bool = False,
    nonfinite: _NonFinite = "null",
) -> str:
    """Serialise a result, report, document or plain data as strict JSON.

    Parameters
    ----------
    obj : object
        Anything with a ``to_dict()`` method (results, reports, documents), or plain data:
        ``None``, booleans, numbers (Python or numpy), strings, dates and datetimes
        (Python or numpy; ``NaT`` becomes ``null``), numpy arrays, lists, tuples and
        mappings with text or integer keys, nested in any way.
    indent : int or None, default 2
        Indentation; ``None`` writes a single line.
    sort_keys : bool, default False
        Sort mapping keys (the default keeps the order the object gives).
    nonfinite : {"null", "error"}, default "null"
        What to do with NaN and infinities: write ``null``, as every ``to_dict()`` of
        ipsstats does, or raise.

    Returns
    -------
    str
        Standard JSON (RFC 8259): never ``NaN`` or ``Infinity``, non-ASCII text kept as
        UTF-8 characters; dates as ISO 8601 strings.

    Raises
    ------
    InvalidInputError
        If `obj` holds a value with no JSON meaning (for example a set, an arbitrary
        object, or a duration without a unit), a mapping key that is not text or an
        integer, two keys with the same text, a non-finite number with
        ``nonfinite="error"``, or `nonfinite` is not a valid option. The message gives
        the path of the value, such as ``$.groups[2]``.

    Examples
    --------
    >>> import math
    >>> print(to_json({"pvalue": 0.64, "median": math.nan}, indent=None))
    {"pvalue": 0.64, "median": null}
    """
    option = as_option(nonfinite, "nonfinite", _NONFINITE)
    plain = _plain(obj, "$", option)
    return json.dumps(
        plain, indent=indent, sort_keys=sort_keys, allow_nan=False, ensure_ascii=False
    )
