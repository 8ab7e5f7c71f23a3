"""Exceptions and warnings raised by ipsstats.

Every error ipsstats raises on purpose is an :class:`IpsStatsError`. Errors about the
caller's input are also :class:`ValueError`, so code written against numpy or scipy
conventions keeps working. Every warning is an :class:`IpsStatsWarning`.
"""

from __future__ import annotations

__all__ = [
    "InsufficientDataError",
    "InvalidInputError",
    "IpsStatsError",
    "IpsStatsWarning",
    "SmallExpectedCountWarning",
]


class IpsStatsError(Exception):
    """Root of every error raised on purpose by ipsstats.

    Catch this to handle any ipsstats failure without catching unrelated errors.

    Parameters
    ----------
    message : str
        The full, human-readable explanation.
    argument : str or None, optional
        Name of the user's argument (or record field) at fault, when there is one.
    positions : tuple, optional
        The first offending positions (indices, labels or row numbers), when known.
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        positions: tuple[object, ...] = (),
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.positions = positions


class InvalidInputError(IpsStatsError, ValueError):
    """The caller's input breaks a documented rule.

    Raised for wrong types, shapes, values or options. The message names the argument, the
    rule, what was received, where (index, label or row number), and usually a hint.
    """


class InsufficientDataError(IpsStatsError, ValueError):
    """The input is valid but holds too little information for the requested analysis.

    For example a contingency table left with one non-empty row after exclusions, or an
    empty risk set at a requested time.
    """


class IpsStatsWarning(UserWarning):
    """Root of every warning emitted by ipsstats."""


class SmallExpectedCountWarning(IpsStatsWarning):
    """An asymptotic chi-squared approximation was used on small expected counts.

    Emitted when a large-sample test is run on a table that fails Cochran's rule (an
    expected count below 1, or more than 20% of expected counts below 5). The same caveat
    is recorded on the result, so it is not lost when warnings are filtered.
    """
