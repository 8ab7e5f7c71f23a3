"""Formatting of numbers, percentages and p-values for tables and text."""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np

from ipsstats._arrays import fail

__all__ = ["format_number", "format_pvalue", "percent_cell"]


def _real(value: object, name: str, rule: str) -> float:
    """Return `value` as a float if it is a real number (not a bool), else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise fail(name, rule, repr(value))
    return float(value)


def _as_int(value: object) -> int | None:
    """Return `value` as an int if it has an integer type (Python or numpy, not bool)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return None
    return operator.index(value)


def _count(value: object, name: str) -> int:
    rule = "be a non-negative integer count"
    number = _as_int(value)
    if number is None:
        real = _real(value, name, rule)
        if not (math.isfinite(real) and real.is_integer()):
            raise fail(name, rule, repr(value))
        number = int(real)
    if number < 0:
        raise fail(name, rule, repr(value))
    return number


def _digits(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise fail("digits", "be a non-negative integer", repr(value))
    return int(value)


def _decimal_text(scaled: int, digits: int) -> str:
    """Write the integer ``scaled`` / 10**digits with `digits` decimals, e.g. 367 -> 36.7."""
    if digits == 0:
        return str(scaled)
    whole, fraction = divmod(scaled, 10**digits)
    return f"{whole}.{fraction:0{digits}d}"


def percent_cell(n: int, denominator: int, digits: int = 1) -> str:
    """Format a count with its percentage of a denominator, as ``"n (%)"``.

    Parameters
    ----------
    n : int
        The count.
    denominator : int
        The total the percentage is taken of; at least `n`.
    digits : int, default 1
        Decimal places of the percentage.

    Returns
    -------
    str
        For example ``"134 (36.7)"``. A zero count prints as ``"0 (0)"``, as the source
        paper prints it [1]_, and a zero denominator as ``"0 (NA)"``.

    Raises
    ------
    InvalidInputError
        If `n` or `denominator` is not a non-negative integer, `n` exceeds `denominator`,
        or `digits` is not a non-negative integer.

    Notes
    -----
    The percentage :math:`100 n / d` is rounded half up (away from zero) in exact integer
    arithmetic, so 1 of 8 with ``digits=0`` gives 13, not the 12 that binary floating point
    rounding to even would print.

    References
    ----------
    .. [1] Perkins, R. et al. (2022). Individual placement and support: cross-sectional
       study of equality of access and outcome for Black, Asian and minority ethnic
       communities. *BJPsych Bulletin*, Tables 1 to 3 (``n (%)`` cells, ``0 (0)``).

    Examples
    --------
    >>> percent_cell(134, 365)
    '134 (36.7)'
    >>> percent_cell(0, 7)
    '0 (0)'
    >>> percent_cell(1, 8, digits=0)
    '1 (13)'
    """
    count = _count(n, "n")
    total = _count(denominator, "denominator")
    places = _digits(digits)
    if count > total:
        raise fail(
            "n",
            "not exceed `denominator`",
            f"n={count} and denominator={total}",
            hint="a percentage of a whole needs the whole as denominator.",
        )
    if total == 0:
        return "0 (NA)"
    if count == 0:
        return "0 (0)"
    quotient, remainder = divmod(100 * count * 10**places, total)
    if 2 * remainder >= total:
        quotient += 1
    return f"{count} ({_decimal_text(quotient, places)})"


def format_pvalue(p: float, *, prefix: str = "P") -> str:
    """Format a p-value for display, e.g. ``"P = 0.64"`` or ``"P < 0.001"``.

    Parameters
    ----------
    p : float
        The p-value, in [0, 1].
    prefix : str, default "P"
        Text before the relation sign. With ``""`` the result suits a table column headed
        P: ``"0.64"`` or ``"< 0.001"``.

    Returns
    -------
    str
        ``"<prefix> < 0.001"`` when :math:`p < 0.001`; otherwise ``"<prefix> = "`` and `p`
        to two significant digits, keeping a trailing zero (``0.60``, ``0.050``).

    Raises
    ------
    InvalidInputError
        If `p` is not a real number in [0, 1].

    Notes
    -----
    The text is for reading only: a value just below 0.05, such as 0.0496, prints as
    ``0.050``; decisions use the unrounded p-value held on the result.

    Examples
    --------
    >>> format_pvalue(0.6374)
    'P = 0.64'
    >>> format_pvalue(0.6)
    'P = 0.60'
    >>> format_pvalue(0.00042)
    'P < 0.001'
    >>> format_pvalue(0.0123, prefix="")
    '0.012'
    """
    value = _real(p, "p", "be a real number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise fail("p", "be a real number in [0, 1]", repr(p))
    if value < 0.001:
        return f"{prefix} < 0.001" if prefix else "< 0.001"
    return f"{prefix} = {value:#.2g}" if prefix else f"{value:#.2g}"


def format_number(
    value: float | None,
    digits: int = 2,
    *,
    missing: str = "NA",
    thousands: bool = False,
) -> str:
    """Format a number for a table cell.

    Parameters
    ----------
    value : int, float or None
        The number. Integers print without decimals; other reals with `digits` decimals.
    digits : int, default 2
        Decimal places for non-integers.
    missing : str, default "NA"
        Text for ``None`` and NaN.
    thousands : bool, default False
        Group thousands with commas (``12,345``).

    Returns
    -------
    str
        The formatted number. Infinities print as ``"Inf"`` and ``"-Inf"``; a value that
        rounds to zero prints without a minus sign.

    Raises
    ------
    InvalidInputError
        If `value` is not a real number or ``None``, or `digits` is not a non-negative
        integer.

    Examples
    --------
    >>> format_number(4.3456)
    '4.35'
    >>> format_number(539)
    '539'
    >>> format_number(None)
    'NA'
    >>> format_number(-0.001)
    '0.00'
    >>> format_number(12345.678, 1, thousands=True)
    '12,345.7'
    """
    places = _digits(digits)
    if value is None:
        return missing
    number = _real(value, "value", "be a real number or None")
    group = "," if thousands else ""
    whole = _as_int(value)
    if whole is not None:
        return format(whole, group)
    if math.isnan(number):
        return missing
    if math.isinf(number):
        return "Inf" if number > 0 else "-Inf"
    text = format(number, f"{group}.{places}f")
    if text.startswith("-") and not any(char in "123456789" for char in text):
        text = text[1:]
    return text
