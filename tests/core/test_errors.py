from __future__ import annotations

import warnings

import pytest

from ipsstats import (
    InsufficientDataError,
    InvalidInputError,
    IpsStatsError,
    IpsStatsWarning,
    SmallExpectedCountWarning,
)


@pytest.mark.parametrize("cls", [InvalidInputError, InsufficientDataError])
def test_input_errors_are_ipsstats_and_value_errors(cls: type[IpsStatsError]) -> None:
    assert issubclass(cls, IpsStatsError)
    assert issubclass(cls, ValueError)
    with pytest.raises(ValueError, match="boom"):
        raise cls("boom")


def test_error_carries_argument_and_positions() -> None:
    err = InvalidInputError("`counts` is wrong", argument="counts", positions=(2, 5))
    assert err.argument == "counts"
    assert err.positions == (2, 5)
    assert str(err) == "`counts` is wrong"


def test_root_error_defaults() -> None:
    err = IpsStatsError("plain")
    assert err.argument is None
    assert err.positions == ()


def test_warning_family() -> None:
    assert issubclass(SmallExpectedCountWarning, IpsStatsWarning)
    assert issubclass(IpsStatsWarning, UserWarning)
    with pytest.warns(SmallExpectedCountWarning):
        warnings.warn("small", SmallExpectedCountWarning, stacklevel=1)


@pytest.mark.parametrize(
    "cls",
    [
        IpsStatsError,
        InvalidInputError,
        InsufficientDataError,
        IpsStatsWarning,
        SmallExpectedCountWarning,
    ],
)
def test_every_error_class_is_documented(cls: type) -> None:
    assert cls.__doc__
    assert cls.__module__ == "ipsstats.errors"
