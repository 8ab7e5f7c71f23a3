"""Categorical data: integer codes with ordered levels and explicit missing values.

A :class:`Factor` stores one category per record as an integer code into an ordered tuple of
levels, with ``-1`` marking a missing value. Building one is fast for every common input (see
:mod:`ipsstats._encoding`): categorical columns are used through their own codes, integer
arrays are counted directly, and strings and other objects are factorised once with a hash
table.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, fail, readonly
from ipsstats._encoding import check_levels, factorise

__all__ = ["Factor"]


def _validate_codes(
    instance: Factor, _attribute: attrs.Attribute[Any], codes: NDArray[Any]
) -> None:
    if codes.ndim != 1:
        raise fail("codes", "be 1-dimensional", f"an array of shape {codes.shape}")
    bad = (codes < -1) | (codes >= len(instance.levels))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise fail(
            "codes",
            f"lie in [-1, {len(instance.levels) - 1}] (one per level, -1 for missing)",
            f"{int(codes[first])} at index {first}",
            positions=(first,),
        )


def _code_array(value: object) -> NDArray[np.int64]:
    """Attrs converter: a read-only int64 copy of integer codes."""
    array = as_array(value, "codes")
    if array.dtype.kind not in "iu" and array.size:
        raise fail("codes", "hold integers", f"an array of dtype {array.dtype}")
    return readonly(array, dtype=np.int64)


def _levels_tuple(value: object) -> tuple[object, ...]:
    return check_levels(value, "levels", ())


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Factor:
    r"""Categorical data: integer codes into ordered levels, with explicit missing values.

    Parameters
    ----------
    codes : array-like of int
        One code per record: ``k`` means ``levels[k]``; ``-1`` marks a missing value. Stored
        as a read-only ``int64`` copy.
    levels : sequence
        The ordered, distinct, hashable labels. Missing values are never a level.
    name : str or None
        The variable's name, e.g. ``"ethnicity"``.

    Raises
    ------
    InvalidInputError
        If a code lies outside ``[-1, len(levels) - 1]``, or levels repeat or are missing
        labels such as ``None``.

    See Also
    --------
    Factor.from_values : build a factor from labels or a categorical column.
    ipsstats.tally : count the records in each level.

    Notes
    -----
    For labels :math:`\ell_0, \dots, \ell_{k-1}` the code of record :math:`i` is
    :math:`c_i = j` when its value is :math:`\ell_j` and :math:`c_i = -1` when missing.

    Examples
    --------
    >>> from ipsstats import Factor
    >>> f = Factor.from_values(["White", "Asian", None, "White", "Not known"],
    ...                        missing_labels=["Not known"], name="ethnicity")
    >>> f.levels
    ('Asian', 'White')
    >>> f.codes.tolist()
    [1, 0, -1, 1, -1]
    >>> f.n, f.n_missing
    (5, 2)
    """

    #: Marks the class for the encoder, which recognises factors without importing this module.
    ipsstats_factor: ClassVar[bool] = True

    levels: tuple[object, ...] = attrs.field(converter=_levels_tuple)
    codes: NDArray[np.int64] = attrs.field(converter=_code_array, validator=_validate_codes)
    name: str | None = None

    @classmethod
    def from_values(
        cls,
        values: object,
        *,
        levels: Sequence[object] | None = None,
        missing_labels: Collection[object] = (),
        name: str | None = None,
    ) -> Factor:
        """Build a factor from labels, integer codes or a categorical column.

        Parameters
        ----------
        values : array-like
            Labels of any hashable type (list, numpy array, pandas or polars column), or a
            categorical column (pandas ``Categorical``, polars ``Categorical``/``Enum``,
            Arrow dictionary array), whose codes are used as they are.
        levels : sequence, optional
            The levels in order. Empty levels are kept. Without it, the levels are the
            categories of a pandas ``Categorical`` or polars ``Enum``, otherwise the distinct
            non-missing values, sorted when they can be.
        missing_labels : collection, optional
            Labels meaning "not known", e.g. ``("Not known", "Prefer not to say")``;
            ``None``, NaN, NA and blank strings are always missing.
        name : str or None
            The variable's name.

        Returns
        -------
        Factor
            Codes (``-1`` for missing) and levels.

        Raises
        ------
        InvalidInputError
            If `values` is not a 1-D array-like of hashable labels, `levels` repeats a label,
            or a value is neither in `levels` nor missing (the message names it and its
            index).

        Examples
        --------
        >>> from ipsstats import Factor
        >>> f = Factor.from_values([2, 0, 2], levels=[0, 1, 2])
        >>> f.codes.tolist(), f.levels
        ([2, 0, 2], (0, 1, 2))
        """
        codes, out_levels = factorise(
            values, "values", levels=levels, missing_labels=missing_labels
        )
        return cls(codes=codes, levels=out_levels, name=name)

    @property
    def n(self) -> int:
        """Number of records, missing ones included."""
        return int(self.codes.shape[0])

    @property
    def missing(self) -> NDArray[np.bool_]:
        """Boolean mask of the records whose value is missing."""
        return self.codes < 0

    @property
    def n_missing(self) -> int:
        """Number of records whose value is missing."""
        return int(np.count_nonzero(self.codes < 0))

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        shown = ", ".join(repr(level) for level in self.levels[:8])
        if len(self.levels) > 8:
            shown += ", ..."
        return (
            f"Factor(name={self.name!r}, n={self.n}, n_missing={self.n_missing}, levels=({shown}))"
        )
