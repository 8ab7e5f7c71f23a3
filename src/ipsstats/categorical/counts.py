"""One-way labelled counts (:class:`Counts`).

Missing values are never a level inside ``counts``: they are kept beside it (``n_missing``)
so they are shown, counted, and excluded from tests only by an explicit, recorded rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    as_counts,
    as_missing_labels,
    fail,
    is_missing_scalar,
)
from ipsstats.categorical._labelled import (
    _MISSING_LABEL,
    _check_digits,
    _check_shape,
    _grid,
    _int_array,
    _label,
    _Labelled,
    _levels_for,
    _n_dropped,
    _n_missing,
    _percent,
    _plain_levels,
    _rule,
)

__all__ = ["Counts", "to_counts"]


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Counts(_Labelled):
    r"""Labelled one-way counts, with missing values kept beside them.

    Parameters
    ----------
    counts : array-like of int
        One count per level (non-missing values only); stored as a read-only ``int64`` copy.
    levels : sequence
        The ordered, distinct labels of the counts.
    name : str or None
        The variable's name, e.g. ``"ethnicity"``.
    n_missing : int
        Records whose value was missing (shown as a separate "Missing" line).
    missing : {"report", "drop"}
        The rule applied to missing values: ``"report"`` shows them in displays, ``"drop"``
        leaves them out of displays (they are still counted in `n_missing`). Tests exclude
        them either way and record how many.
    n_dropped : int
        Records removed afterwards by :meth:`drop` (or :meth:`ContingencyTable.drop`).

    Raises
    ------
    InvalidInputError
        If a count is negative, fractional or not finite, labels repeat, or their number
        differs from the number of counts.

    See Also
    --------
    tally : count records by level.
    Counts.from_mapping : build from ``{label: count}``.

    Notes
    -----
    With counts :math:`n_1, \dots, n_k` and :math:`m` missing records,
    :math:`n = \sum_j n_j` and ``total`` is :math:`n + m`. Proportions are
    :math:`p_j = n_j / n`.

    Counts add level by level (``a + b``), so ``sum([a, b, c])`` combines several.

    Examples
    --------
    >>> from ipsstats import Counts
    >>> c = Counts.from_mapping({"White": 134, "Asian": 77, "Black": 64, "Mixed": 38,
    ...                          "Other": 52, "Not known": 47},
    ...                         missing_labels=["Not known"], name="ethnicity")
    >>> c.n, c.n_missing, c.total
    (365, 47, 412)
    >>> print(c.format_percent())
    ethnicity  n (%)
    White      134 (36.7)
    Asian      77 (21.1)
    Black      64 (17.5)
    Mixed      38 (10.4)
    Other      52 (14.2)
    Missing    47
    """

    _AXES = ("levels",)
    _LEVEL_FIELDS = ("levels",)
    _NAME_FIELDS = ("name",)

    counts: NDArray[np.int64] = attrs.field(converter=_int_array)
    levels: tuple[object, ...] = attrs.field(converter=_plain_levels)
    name: str | None = None
    n_missing: int = attrs.field(default=0, converter=_n_missing)
    missing: Literal["report", "drop"] = attrs.field(default="report", converter=_rule)
    n_dropped: int = attrs.field(default=0, converter=_n_dropped)

    def __attrs_post_init__(self) -> None:
        _check_shape(self.counts, [self.levels], ["levels"])

    @classmethod
    def from_counts(
        cls,
        counts: object,
        levels: Sequence[object] | None = None,
        *,
        name: str | None = None,
        n_missing: int = 0,
    ) -> Counts:
        """Build from an array of counts.

        Parameters
        ----------
        counts : array-like of int or Counts
            Non-negative whole numbers, one per level. A :class:`Counts` is returned as is
            when no other argument is given.
        levels : sequence, optional
            Labels of the counts; default ``"0", "1", ...``.
        name : str or None
            The variable's name.
        n_missing : int
            Records whose value was missing.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If `counts` is not 1-D, holds a negative, fractional or non-finite count, or
            `levels` does not give one distinct label per count.

        Examples
        --------
        >>> from ipsstats import Counts
        >>> Counts.from_counts([3, 5], ["yes", "no"]).proportions().tolist()
        [0.375, 0.625]
        """
        if isinstance(counts, Counts):
            changes: dict[str, Any] = {"name": name} if name is not None else {}
            if levels is not None:
                changes["levels"] = _levels_for(levels, "levels", counts.counts.shape[0])
            if n_missing:
                changes["n_missing"] = n_missing
            return attrs.evolve(counts, **changes) if changes else counts
        array = as_counts(
            counts, "counts", ndim=1, labels=None if levels is None else list(levels)
        )
        return cls(
            counts=array,
            levels=_levels_for(levels, "levels", array.shape[0]),
            name=name,
            n_missing=n_missing,
        )

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[object, object],
        *,
        name: str | None = None,
        missing_labels: Collection[object] = (),
    ) -> Counts:
        """Build from ``{label: count}``, summing missing labels into `n_missing`.

        Parameters
        ----------
        mapping : mapping
            Label to count, in display order.
        name : str or None
            The variable's name.
        missing_labels : collection, optional
            Labels meaning "not known", e.g. ``("Not known",)``; their counts are summed
            into `n_missing`. ``None``, NaN and blank labels always count as missing.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If `mapping` is not a mapping or a count is negative, fractional or not finite
            (the message names the label).

        Examples
        --------
        >>> from ipsstats import Counts
        >>> c = Counts.from_mapping({"yes": 3, "no": 5, "Prefer not to say": 2},
        ...                         missing_labels=["Prefer not to say"])
        >>> c.levels, c.counts.tolist(), c.n_missing
        (('yes', 'no'), [3, 5], 2)
        """
        if not isinstance(mapping, Mapping):
            raise fail("mapping", "be a mapping {label: count}", type(mapping).__name__)
        labels = list(mapping)
        counts = as_counts(list(mapping.values()), "mapping", ndim=1, labels=labels)
        wanted = as_missing_labels(missing_labels)
        is_missing = np.array([is_missing_scalar(label, wanted) for label in labels], dtype=bool)
        levels = [label for label, gone in zip(labels, is_missing, strict=True) if not gone]
        return cls(
            counts=counts[~is_missing] if labels else counts,
            levels=levels,
            name=name,
            n_missing=int(counts[is_missing].sum()) if labels else 0,
        )

    def _with_missing(self) -> NDArray[np.int64]:
        return np.concatenate([[self.n_missing], self.counts]).astype(np.int64)

    def proportions(self) -> NDArray[np.float64]:
        """Share of each level among the non-missing records (NaN if there are none).

        Returns
        -------
        ndarray of float
            :math:`n_j / n`, read-only.
        """
        return self._proportions("total")

    def drop(self, levels: object) -> Counts:
        """Remove levels; their records are counted in `n_dropped`.

        Parameters
        ----------
        levels : label or sequence of labels
            Existing levels to remove.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If a label is not a level.
        """
        return self._drop(levels, None)

    def reorder(self, levels: Sequence[object]) -> Counts:
        """Put the levels in a new order.

        Parameters
        ----------
        levels : sequence
            Every existing level exactly once.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If a label is unknown, repeated or left out.
        """
        return self._reorder(levels, None)

    def collapse(self, mapping: Mapping[Any, Any]) -> Counts:
        """Merge levels, e.g. every minority group into one.

        Parameters
        ----------
        mapping : mapping
            ``{old: new}`` or ``{new: [old, ...]}``. Unmentioned levels stay; a merged level
            takes the place of the first of its old levels.

        Returns
        -------
        Counts

        Raises
        ------
        InvalidInputError
            If `mapping` names an unknown level or maps to a missing label.

        Examples
        --------
        >>> from ipsstats import Counts
        >>> c = Counts.from_mapping({"White": 134, "Asian": 77, "Black": 64})
        >>> c.collapse({"BAME": ["Asian", "Black"]}).counts.tolist()
        [134, 141]
        """
        return self._collapse(mapping, None)

    def format_percent(self, *, digits: int = 1) -> str:
        """Paper-style table of ``n (%)``: percent of the non-missing records.

        Parameters
        ----------
        digits : int
            Decimal places of the percentages (rounded half up).

        Returns
        -------
        str
            One line per level, then a "Missing" line with the count only (when the rule
            is ``"report"`` and there are missing records).

        Raises
        ------
        InvalidInputError
            If `digits` is not a whole number from 0 to 10.
        """
        places = _check_digits(digits)
        rows = [[self.name or "", "n (%)"]]
        rows += [
            [_label(level), f"{c} ({_percent(int(c), self.n, places)})"]
            for level, c in zip(self.levels, self.counts, strict=True)
        ]
        if self.missing == "report" and self.n_missing:
            rows.append([_MISSING_LABEL, str(self.n_missing)])
        return _grid(rows)

    def to_text(self) -> str:
        """Paper-style ``n (%)`` text (see :meth:`format_percent`)."""
        return self.format_percent()

    def to_dict(self) -> dict[str, Any]:
        """Return the counts as JSON-safe Python objects."""
        return self._to_dict()

    def __repr__(self) -> str:
        body = ", ".join(
            f"{level!r}: {int(c)}" for level, c in zip(self.levels, self.counts, strict=True)
        )
        return (
            f"Counts(name={self.name!r}, n={self.n}, n_missing={self.n_missing}, "
            f"missing={self.missing!r}, counts={{{body}}})"
        )


def to_counts(value: object, name: str, missing_labels: Collection[object] = ()) -> Counts:
    """Return `value` as :class:`Counts`: itself, or built from a mapping ``{level: count}``.

    `name` is the user's argument, named in the error; `missing_labels` are the keys of a
    mapping that count missing values.
    """
    if isinstance(value, Counts):
        return value
    if isinstance(value, Mapping):
        counts = Counts.from_mapping(value, missing_labels=missing_labels)
        return attrs.evolve(counts, name=None)
    raise fail(
        name,
        "be Counts or a mapping {group: count}",
        type(value).__name__,
        hint="build one with Counts.from_mapping({...}, missing_labels=[...]).",
    )
