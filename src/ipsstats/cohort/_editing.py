"""Methods of :class:`~ipsstats.cohort.Cohort` that add attributes or export it.

A base class of the cohort (as the builders are), so that the cohort's module stays about
people, dates and selections. Adding an attribute keeps the people; exporting writes the
columns out.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from typing_extensions import Self

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_array, fail
from ipsstats.cohort.codes import imd_quintile, nhs_ethnicity
from ipsstats.cohort.durations import _get_attribute, age_band
from ipsstats.cohort.validation import ROLES, Attribute
from ipsstats.factor import Factor

__all__ = []


def _codes_of(attributes: Mapping[str, Attribute], source: object) -> object:
    """Return the raw values of an attribute: labels (``None`` if missing) or numbers."""
    column = _get_attribute(attributes, source)  # type: ignore[arg-type]  # checked inside
    if isinstance(column, Factor):
        labels = np.empty(len(column.levels) + 1, dtype=object)
        labels[:-1] = column.levels
        labels[-1] = None
        return labels[column.codes]
    return column


class CohortEditing:
    """Adding attributes to a cohort and writing it out (a base class of the cohort)."""

    if TYPE_CHECKING:  # fields of the cohort this base class works on
        ids: NDArray[np.str_]
        accessed: NDArray[np.datetime64]
        job_start: NDArray[np.datetime64]
        discharged: NDArray[np.datetime64]
        attributes: Mapping[str, Attribute]

        @property
        def n(self) -> int: ...

    def with_attribute(self, name: str, values: object) -> Self:
        """Return a cohort with one more (or a replaced) attribute.

        Parameters
        ----------
        name : str
            The attribute's name; it must not be a role.
        values : Factor or array-like
            A :class:`~ipsstats.factor.Factor` or numbers (one per person), or labels
            (turned into a factor).

        Returns
        -------
        Cohort
            The same people with the attribute added.

        Raises
        ------
        InvalidInputError
            If `name` is a role or `values` has the wrong length.
        """
        if not isinstance(name, str):
            raise fail("name", "be an attribute name (a string)", f"{type(name).__name__}")
        if name in ROLES[:4] or name == "ids":
            raise fail("name", "not be a role name", repr(name))
        if isinstance(values, Factor):
            column: Attribute = values
        else:
            array = as_array(values, "values")
            if array.ndim != 1:
                raise fail("values", "be 1-dimensional", f"an array of shape {array.shape}")
            if array.dtype.kind in "iuf":
                column = array.astype(np.float64)
            else:
                column = Factor.from_values(values, name=name)
        if len(column) != self.n:
            raise fail("values", f"have one value per person ({self.n})", f"{len(column)}")
        changed: Self = attrs.evolve(self, attributes={**self.attributes, name: column})  # type: ignore[misc]  # Self is the attrs cohort
        return changed

    def with_nhs_ethnicity(
        self,
        source: str = "ethnicity",
        *,
        name: str | None = None,
        level: Literal["broad", "detailed"] = "broad",
        unknown: Literal["raise", "missing"] = "raise",
    ) -> Self:
        """Replace NHS ETHNIC CATEGORY codes by named ethnic groups (see :func:`nhs_ethnicity`).

        Parameters
        ----------
        source : str
            The attribute holding the codes (A-S, Z, 99).
        name : str or None
            The attribute to store the groups in; default `source` (the codes are
            replaced by their groups).
        level : {"broad", "detailed"}
            Five broad groups or the sixteen detailed categories.
        unknown : {"raise", "missing"}
            Codes outside the list raise (default) or become missing values.

        Returns
        -------
        Cohort
            The same people with the groups as a categorical attribute; codes Z (not
            stated) and 99 (not known) are missing values.

        Raises
        ------
        InvalidInputError
            If `source` is not an attribute or (with ``unknown="raise"``) holds a code
            outside the list.

        Examples
        --------
        >>> from ipsstats import Cohort
        >>> cohort = Cohort.from_columns(
        ...     {"accessed": ["2019-01-01"] * 4, "ethnicity": ["A", "N", "Z", "H"]},
        ...     observed_until="2019-12-31")
        >>> groups = cohort.with_nhs_ethnicity().tally("ethnicity")
        >>> groups.counts.tolist(), groups.n_missing
        ([1, 0, 1, 1, 0], 1)
        """
        coded = nhs_ethnicity(
            _codes_of(self.attributes, source), level=level, unknown=unknown, name=name or source
        )
        return self.with_attribute(name or source, coded.factor)

    def with_imd_quintile(
        self,
        source: str = "imd_decile",
        *,
        name: str = "imd_quintile",
        unknown: Literal["raise", "missing"] = "raise",
    ) -> Self:
        """Add deprivation quintiles from a decile attribute (see :func:`imd_quintile`).

        Parameters
        ----------
        source : str
            The attribute holding Index of Multiple Deprivation deciles (1 to 10), numeric
            or categorical.
        name : str
            The attribute to store the quintiles in (1 the most deprived fifth).
        unknown : {"raise", "missing"}
            Values that are not deciles raise (default) or become missing values.

        Returns
        -------
        Cohort
            The same people with the quintiles as a categorical attribute.

        Raises
        ------
        InvalidInputError
            If `source` is not an attribute or (with ``unknown="raise"``) holds a value
            that is not a decile.
        """
        coded = imd_quintile(_codes_of(self.attributes, source), unknown=unknown, name=name)
        return self.with_attribute(name, coded.factor)

    def with_age_band(
        self,
        edges: Sequence[float] = (25, 40, 55),
        *,
        source: str = "age",
        name: str = "age_band",
    ) -> Self:
        """Add the categorical attribute `name` banding the numeric attribute `source`.

        See :func:`age_band`.
        """
        ages = _get_attribute(self.attributes, source)
        if isinstance(ages, Factor):
            raise fail("source", "name a numeric attribute", repr(source))
        return self.with_attribute(name, age_band(ages, edges, name=name))

    # ---- export -------------------------------------------------------------------------

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """Return the columns as arrays: roles first, then attributes (labels, NaN)."""
        out: dict[str, NDArray[Any]] = {
            "id": self.ids,
            "accessed": self.accessed,
            "job_start": self.job_start,
            "discharged": self.discharged,
        }
        for name, column in self.attributes.items():
            if isinstance(column, Factor):
                levels = np.empty(len(column.levels) + 1, dtype=object)
                levels[:-1] = column.levels
                levels[-1] = None
                out[name] = levels[column.codes]
            else:
                out[name] = column
        return out

    def to_csv(self, path: str | os.PathLike[str] | TextIO) -> None:
        """Write the cohort as a UTF-8 CSV file with ISO dates (blank for missing).

        Parameters
        ----------
        path : str, path-like or text file object
            Where to write.
        """
        columns = self.to_columns()
        text: list[NDArray[Any]] = []
        for column in columns.values():
            if column.dtype.kind == "M":
                text.append(np.where(np.isnat(column), "", column.astype(str)))
            elif column.dtype.kind == "f":
                text.append(np.where(np.isnan(column), "", column.astype(str)))
            else:
                text.append(np.array(["" if v is None else str(v) for v in column], dtype=object))
        rows = zip(*(t.tolist() for t in text), strict=True)
        if hasattr(path, "write"):
            _write_rows(path, list(columns), rows)  # type: ignore[arg-type]  # has write()
            return
        with open(os.fspath(path), "w", encoding="utf-8", newline="") as handle:  # noqa: PTH123  # str paths
            _write_rows(handle, list(columns), rows)


def _write_rows(handle: TextIO, header: list[str], rows: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(header)
    writer.writerows(rows)
