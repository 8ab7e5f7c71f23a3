"""Deprecated spellings of keyword arguments, accepted with a :class:`DeprecationWarning`.

ipsstats 0.2 settled on one vocabulary (``confidence_level``, never ``conf_level`` or
``alpha``). Functions that documented another spelling keep accepting it for a while:
:func:`renamed_keywords` maps the old keyword onto the new one and warns, and refuses a
call that gives both.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ipsstats._arrays import fail

__all__ = ["renamed_keywords"]

_F = TypeVar("_F", bound=Callable[..., Any])


def renamed_keywords(**renamed: str) -> Callable[[_F], _F]:
    """Accept old keyword names (``old="new"``) of the decorated function, with a warning.

    Parameters
    ----------
    **renamed : str
        Each old keyword and the keyword that replaced it.

    Returns
    -------
    callable
        A decorator. The decorated function maps each old keyword to its new name and
        emits a :class:`DeprecationWarning`; giving both names raises
        :class:`~ipsstats.errors.InvalidInputError`.

    Examples
    --------
    >>> import warnings
    >>> @renamed_keywords(conf_level="confidence_level")
    ... def level(*, confidence_level=0.95):
    ...     return confidence_level
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     level(conf_level=0.9), caught[0].category.__name__
    (0.9, 'DeprecationWarning')
    """

    def decorate(function: _F) -> _F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renamed.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise fail(
                        old,
                        f"not be given with `{new}` (it is the old name of `{new}`)",
                        f"both `{old}` and `{new}`",
                        hint=f"pass `{new}` only.",
                    )
                warnings.warn(
                    f"`{old}` is deprecated since ipsstats 0.2; use `{new}`.",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return cast("_F", wrapper)

    return decorate
