"""Result types shared by every test and estimator.

Results are frozen :mod:`attrs` classes: they cannot change after construction, arrays on
them are read-only copies, and each offers ``to_dict()`` returning only JSON-safe values.

JSON conventions of ``to_dict()``
---------------------------------
- numpy scalars become Python ``int``/``float``/``bool``; arrays become (nested) lists;
- non-finite floats (NaN, +inf, -inf) become ``None`` (JSON ``null``). ipsstats never stores
  a NaN silently: where a value is undefined (for example a median survival time that is not
  reached) the field is ``None`` and the result's ``note`` says why;
- dates become ISO 8601 strings; mappings keep their keys as strings; nested results are
  converted recursively.
"""

from __future__ import annotations

import datetime as dt
import math
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, NamedTuple

import attrs
import numpy as np

from ipsstats._arrays import as_confidence_level, fail

__all__ = [
    "NOT_IN_DICT",
    "ConfidenceInterval",
    "Estimate",
    "TestResult",
    "ToDict",
    "frozen_mapping",
    "json_safe",
]

#: Field metadata that leaves a field out of ``to_dict()`` (internal or derived state).
NOT_IN_DICT = types.MappingProxyType({"to_dict": False})


def json_safe(value: object) -> Any:
    """Convert a value held by a result into plain JSON-safe Python objects.

    Parameters
    ----------
    value : object
        A scalar, array, mapping, sequence, date or result object.

    Returns
    -------
    object
        ``None``, ``bool``, ``int``, ``float`` (finite), ``str``, ``list`` or ``dict``.

    Examples
    --------
    >>> import numpy as np
    >>> json_safe({"a": np.arange(3), "b": float("nan"), "c": np.float64(0.5)})
    {'a': [0, 1, 2], 'b': None, 'c': 0.5}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return [json_safe(item) for item in value.astype(object).ravel()]
        return json_safe(value.tolist())
    if isinstance(value, np.datetime64):
        return json_safe(value.astype(object))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item) for item in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return json_safe(to_dict())
    return str(value)


def frozen_mapping(value: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    """Return a read-only copy of a mapping (``None`` gives an empty one).

    The converter of every mapping field of a frozen result.
    """
    return types.MappingProxyType(dict(value or {}))


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(item) for item in value)


def _optional_float(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]  # callers pass real numbers
    return None if math.isnan(number) else number


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "not reached"
    return format(value, f".{digits}g")


class ToDict:
    """Mixin giving attrs result classes a JSON-safe ``to_dict()``.

    Every field is included except those whose metadata is :data:`NOT_IN_DICT`.
    """

    def to_dict(self) -> dict[str, Any]:
        """Return the result's fields as JSON-safe Python objects.

        Non-finite floats become ``None``; arrays become lists (see the module notes).
        """
        return {
            field.name: json_safe(getattr(self, field.name))
            for field in attrs.fields(type(self))  # type: ignore[arg-type]  # attrs subclasses only
            if field.metadata.get("to_dict", True)
        }


class ConfidenceInterval(NamedTuple):
    """Lower and upper confidence limits (``None`` where a limit is not reached)."""

    low: float | None
    high: float | None


@attrs.frozen(kw_only=True)
class Estimate(ToDict):
    """A point estimate with its confidence interval.

    Parameters
    ----------
    value : float or None
        The estimate; ``None`` when it is undefined (for example a median survival time that
        is not reached), with the reason in `note`.
    lower, upper : float or None
        Confidence limits; ``None`` when a limit is not reached or undefined.
    confidence_level : float or None
        Coverage of the interval, e.g. 0.95; ``None`` when no interval was computed.
    method : str
        How the estimate and interval were computed, e.g. ``"wilson"``.
    std_err : float or None
        Standard error of `value` on its own scale, when the method provides one.
    note : str
        Plain-language caveat, e.g. ``"upper limit not reached"``; empty when none.

    Examples
    --------
    >>> from ipsstats import Estimate
    >>> est = Estimate(value=0.386, lower=0.338, upper=0.436,
    ...                confidence_level=0.95, method="wilson")
    >>> print(est)
    0.386 (95% CI 0.338 to 0.436; wilson)
    >>> est.to_dict()["upper"]
    0.436
    """

    value: float | None = attrs.field(converter=_optional_float)
    lower: float | None = attrs.field(converter=_optional_float)
    upper: float | None = attrs.field(converter=_optional_float)
    confidence_level: float | None = attrs.field(converter=_optional_float)
    method: str
    std_err: float | None = attrs.field(default=None, converter=_optional_float)
    note: str = ""
    at_level: Callable[[float], Estimate] | None = attrs.field(
        default=None, eq=False, repr=False, metadata=NOT_IN_DICT
    )

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Return the confidence interval, at the estimate's level or another one.

        Parameters
        ----------
        confidence_level : float, optional
            The coverage, in (0, 1). Default: the estimate's own :attr:`confidence_level`.
            Another level is available when the estimate knows how to recompute its
            interval (every estimator of ipsstats does); a hand-built estimate offers only
            its own.

        Returns
        -------
        ConfidenceInterval
            ``(low, high)``; a limit is ``None`` when it is not reached or undefined.

        Raises
        ------
        InvalidInputError
            If `confidence_level` is not in (0, 1), or differs from the estimate's own and
            the estimate cannot recompute its interval.

        Examples
        --------
        >>> from ipsstats import Estimate
        >>> est = Estimate(value=0.386, lower=0.338, upper=0.436,
        ...                confidence_level=0.95, method="wilson")
        >>> est.confidence_interval()
        ConfidenceInterval(low=0.338, high=0.436)
        """
        if confidence_level is None or (
            self.confidence_level is not None
            and math.isclose(
                float(confidence_level), self.confidence_level, rel_tol=0, abs_tol=1e-15
            )
        ):
            return ConfidenceInterval(self.lower, self.upper)
        level = as_confidence_level(confidence_level)
        if self.at_level is None:
            raise fail(
                "confidence_level",
                f"be the estimate's own level ({self.confidence_level}) for an estimate that "
                "cannot recompute its interval",
                repr(confidence_level),
                hint="call the estimator again with confidence_level=... instead.",
            )
        other = self.at_level(level)
        return ConfidenceInterval(other.lower, other.upper)

    def __str__(self) -> str:
        text = _fmt(self.value)
        if self.confidence_level is not None:
            level = format(100 * self.confidence_level, "g")
            text += f" ({level}% CI {_fmt(self.lower)} to {_fmt(self.upper)}; {self.method})"
        else:
            text += f" ({self.method})"
        if self.note:
            text += f" [{self.note}]"
        return text


@attrs.frozen(kw_only=True)
class TestResult(ToDict):
    """The outcome of a hypothesis test.

    Specific tests return subclasses that add fields (expected counts, residuals, ...); the
    fields below are always present under these names.

    Parameters
    ----------
    statistic : float
        The test statistic.
    pvalue : float
        The p-value, in [0, 1].
    dof : float or None
        Degrees of freedom of the reference distribution; ``None`` for exact or resampling
        tests without one.
    method : str
        The test that ran, a short token, e.g. ``"pearson"``, ``"fisher-exact"``.
    n : int
        Number of observations the test used.
    n_excluded : int
        Number of observations excluded before testing (e.g. a missing category).
    exclusions : Mapping[str, int]
        Why observations were excluded: reason -> count. Sums to `n_excluded`.
    caveats : tuple of str
        Caveats about validity recorded as data, e.g. small expected counts.
    details : Mapping[str, object]
        Method-specific extras (seeds, number of resamples, rescaling factors, ...).
    requested : str
        The method the caller asked for (``"auto"`` when ipsstats chose); defaults to
        `method`.
    reason : str
        Why `method` ran, in plain language, when it was chosen automatically or differs
        from `requested`; empty otherwise.

    Examples
    --------
    >>> from ipsstats import TestResult
    >>> res = TestResult(statistic=3.396, pvalue=0.0653, dof=1, method="logrank", n=23)
    >>> print(res)
    logrank: statistic = 3.396, dof = 1, p-value = 0.0653 (n = 23)
    >>> res.to_dict()["pvalue"]
    0.0653
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite its name

    statistic: float = attrs.field(converter=float)
    pvalue: float = attrs.field(converter=float)
    dof: float | None = attrs.field(converter=_optional_float)
    method: str
    n: int = attrs.field(converter=int)
    n_excluded: int = attrs.field(default=0, converter=int)
    exclusions: Mapping[str, int] = attrs.field(factory=dict, converter=frozen_mapping)
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    details: Mapping[str, Any] = attrs.field(factory=dict, converter=frozen_mapping)
    requested: str = attrs.field(default=attrs.Factory(lambda self: self.method, takes_self=True))
    reason: str = ""

    def __str__(self) -> str:
        parts = [f"statistic = {_fmt(self.statistic)}"]
        if self.dof is not None:
            parts.append(f"dof = {_fmt(self.dof)}")
        parts.append(f"p-value = {_fmt(self.pvalue, 3)}")
        text = f"{self.method}: {', '.join(parts)} (n = {self.n}"
        if self.n_excluded:
            text += f", {self.n_excluded} excluded"
        text += ")"
        for caveat in self.caveats:
            text += f"\n  caveat: {caveat}"
        return text
