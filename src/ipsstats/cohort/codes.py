"""NHS code lists: ethnic category codes to named groups, and deprivation deciles to quintiles.

English NHS records hold ethnicity as the one-letter codes of the NHS Data Dictionary's
ETHNIC CATEGORY [1]_ and area deprivation as Index of Multiple Deprivation deciles [2]_.
These functions turn such columns into factors with named, ordered levels; codes meaning
"not stated" or "not known" become missing values by rule, and are counted; codes outside
the list are reported (an error by default), never guessed.

References
----------
.. [1] NHS England. NHS Data Dictionary: ETHNIC CATEGORY (data element), national codes
   A-S and Z, default code 99; the 16+1 categories of the 2001 census.
   https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html
.. [2] Ministry of Housing, Communities and Local Government. The English Indices of
   Deprivation 2019: technical report (deciles of the Index of Multiple Deprivation,
   1 = most deprived 10% of areas).
"""

from __future__ import annotations

import math
import numbers
import types
from collections.abc import Mapping
from typing import Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import as_option, fail
from ipsstats.factor import Factor
from ipsstats.results import NOT_IN_DICT, ToDict, frozen_mapping

__all__ = [
    "IMD_QUINTILES",
    "NHS_ETHNIC_CATEGORY",
    "NHS_ETHNIC_GROUPS",
    "NHS_ETHNIC_NOT_RECORDED",
    "CodedAttribute",
    "imd_quintile",
    "nhs_ethnicity",
]

NHS_ETHNIC_GROUPS = (
    "White",
    "Mixed",
    "Asian or Asian British",
    "Black or Black British",
    "Other ethnic groups",
)
"""The five broad groups of the NHS ETHNIC CATEGORY codes, in the Data Dictionary's order."""

NHS_ETHNIC_CATEGORY: Mapping[str, tuple[str, str]] = types.MappingProxyType(
    {
        "A": ("White", "British"),
        "B": ("White", "Irish"),
        "C": ("White", "Any other White background"),
        "D": ("Mixed", "White and Black Caribbean"),
        "E": ("Mixed", "White and Black African"),
        "F": ("Mixed", "White and Asian"),
        "G": ("Mixed", "Any other mixed background"),
        "H": ("Asian or Asian British", "Indian"),
        "J": ("Asian or Asian British", "Pakistani"),
        "K": ("Asian or Asian British", "Bangladeshi"),
        "L": ("Asian or Asian British", "Any other Asian background"),
        "M": ("Black or Black British", "Caribbean"),
        "N": ("Black or Black British", "African"),
        "P": ("Black or Black British", "Any other Black background"),
        "R": ("Other ethnic groups", "Chinese"),
        "S": ("Other ethnic groups", "Any other ethnic group"),
    }
)
"""National ETHNIC CATEGORY codes: ``code -> (broad group, detailed group)``."""

NHS_ETHNIC_NOT_RECORDED: Mapping[str, str] = types.MappingProxyType(
    {"Z": "Not stated", "99": "Not known"}
)
"""Codes meaning no ethnicity was recorded: asked but not stated (Z), not known (99)."""

IMD_QUINTILES = (1, 2, 3, 4, 5)
"""Deprivation quintiles: 1 the most deprived fifth of areas, 5 the least deprived."""

Level = Literal["broad", "detailed"]
Unknown = Literal["raise", "missing"]
_MAX_SHOWN = 5


@attrs.frozen(kw_only=True, eq=False)
class CodedAttribute(ToDict):
    """A column of codes turned into a factor, with what was counted as missing and why.

    Parameters
    ----------
    factor : Factor
        The named groups, one per record, in the code list's order; missing where the
        code was blank, meant "not recorded", or (with ``unknown="missing"``) was unknown.
    scheme : str
        The code list, e.g. ``"nhs-ethnic-category"``.
    level : str
        ``"broad"`` or ``"detailed"`` for ethnicity; ``"quintile"`` for deprivation.
    n : int
        Records.
    n_blank : int
        Records with no code at all (blank, ``None``, NaN).
    not_recorded : Mapping[str, int]
        Records whose code says no value was recorded, by code (e.g. ``{"Z": 12, "99":
        3}``); missing by rule.
    unknown : Mapping[str, int]
        Records whose code is not in the list, by code (only with ``unknown="missing"``;
        otherwise they are an error).
    """

    factor: Factor = attrs.field(metadata=NOT_IN_DICT)
    scheme: str
    level: str
    n: int
    n_blank: int
    not_recorded: Mapping[str, int] = attrs.field(converter=frozen_mapping)
    unknown: Mapping[str, int] = attrs.field(converter=frozen_mapping)

    @property
    def n_missing(self) -> int:
        """Records missing in `factor`: blank, not recorded and unknown codes."""
        return self.factor.n_missing

    @property
    def n_unknown(self) -> int:
        """Records with a code outside the list."""
        return sum(self.unknown.values())

    def __str__(self) -> str:
        text = (
            f"{self.scheme} ({self.level}): {self.n} records, "
            f"{self.n - self.n_missing} coded, {self.n_missing} missing"
        )
        if self.n_blank:
            text += f"\n  blank: {self.n_blank}"
        for code, count in self.not_recorded.items():
            text += f"\n  {code}: {count}"
        for code, count in self.unknown.items():
            text += f"\n  unknown code {code!r}: {count}"
        return text


def _raw_codes(values: object) -> tuple[NDArray[np.int64], list[object]]:
    """Codes (``-1`` blank) and distinct raw values of a column, factorised once."""
    raw = Factor.from_values(values)
    return raw.codes, list(raw.levels)


def _clean(value: object) -> str | None:
    """Write a code as text without surrounding spaces (whole numbers such as 99 too)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return str(int(number)) if math.isfinite(number) and number.is_integer() else None
    return value.strip() if isinstance(value, str) else None


def _nhs_label(code: str | None, level: Level) -> str | None:
    """Name the group of one code (a local two-character code: by its first character)."""
    if code is None:
        return None
    found = NHS_ETHNIC_CATEGORY.get(code)
    if found is None and len(code) == 2 and code not in NHS_ETHNIC_NOT_RECORDED:
        found = NHS_ETHNIC_CATEGORY.get(code[0])
    if found is None:
        return None
    return found[0] if level == "broad" else found[1]


def _unknown_error(  # noqa: PLR0917  # internal, two callers, read in one place
    name: str,
    codes: NDArray[np.int64],
    raw: list[object],
    unknown_levels: list[int],
    what: str,
    hint: str,
) -> Exception:
    flagged = np.isin(codes, unknown_levels)
    rows = np.flatnonzero(flagged)
    shown = ", ".join(f"{raw[int(codes[k])]!r} at index {int(k)}" for k in rows[:_MAX_SHOWN])
    if rows.size > _MAX_SHOWN:
        shown += f" and {rows.size - _MAX_SHOWN} more"
    return fail(
        name,
        f"hold {what}",
        shown,
        hint=hint,
        positions=tuple(int(k) for k in rows[:_MAX_SHOWN]),
    )


def _recode(codes: NDArray[np.int64], targets: list[int]) -> NDArray[np.int64]:
    """Map raw level codes to target level codes (``-1``, blank, stays missing)."""
    lookup = np.asarray([*targets, -1], dtype=np.int64)  # index -1 picks the last entry
    out: NDArray[np.int64] = lookup[codes]
    return out


def _counts(codes: NDArray[np.int64], raw: list[object], which: list[int]) -> dict[str, int]:
    """Count the records holding each of the raw values `which`, by the value as text."""
    counts = np.bincount(codes[codes >= 0], minlength=len(raw))
    out: dict[str, int] = {}
    for k in which:  # "99" and 99 are one code
        key = str(_clean(raw[k]) or raw[k])
        out[key] = out.get(key, 0) + int(counts[k])
    return out


def nhs_ethnicity(
    values: object,
    *,
    level: Level = "broad",
    unknown: Unknown = "raise",
    name: str | None = None,
) -> CodedAttribute:
    """Turn NHS ETHNIC CATEGORY codes into named ethnic groups.

    Parameters
    ----------
    values : array-like
        One code per record: the letters A-H, J-N, P, R, S and Z of the NHS Data
        Dictionary [1]_, or the default code 99 (text or a number). Surrounding spaces
        are ignored; a two-character code whose first character is a national code (a
        local sub-code such as ``"A1"``) belongs to that code's group, as the Data
        Dictionary prescribes. Blanks, ``None`` and NaN are missing.
    level : {"broad", "detailed"}
        ``"broad"``: the five groups White, Mixed, Asian or Asian British, Black or Black
        British, Other ethnic groups. ``"detailed"``: the sixteen categories (British,
        Irish, ..., Any other ethnic group).
    unknown : {"raise", "missing"}
        What to do with codes outside the list (say ``"X"``, or a label instead of a
        code): raise (default), or count them in ``unknown`` and treat them as missing.
    name : str or None
        The factor's name.

    Returns
    -------
    CodedAttribute
        ``factor`` with the groups as levels in the Data Dictionary's order (all of them,
        even those nobody is in), ``not_recorded`` counting Z (not stated) and 99 (not
        known), ``n_blank`` and ``unknown``.

    Raises
    ------
    InvalidInputError
        If `values` is not a 1-D column, `level` or `unknown` is not an option, or (with
        ``unknown="raise"``) a code is not in the list (the message names the first codes
        and their indices).

    See Also
    --------
    Cohort.with_nhs_ethnicity : add the groups to a cohort.

    Notes
    -----
    Z means the person was asked and chose not to state an ethnic category; 99 that it
    is not known (not asked). Both are missing by rule and counted apart, so that the
    share of records without ethnicity can be reported and is never analysed as a group.

    References
    ----------
    .. [1] NHS England. NHS Data Dictionary: ETHNIC CATEGORY.
       https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html

    Examples
    --------
    >>> from ipsstats.cohort import nhs_ethnicity
    >>> coded = nhs_ethnicity(["A", "N", "Z", "H", "99", "C", ""])
    >>> coded.factor.levels[:2], coded.factor.codes.tolist()
    (('White', 'Mixed'), [0, 3, -1, 2, -1, 0, -1])
    >>> dict(coded.not_recorded), coded.n_blank
    ({'Z': 1, '99': 1}, 1)
    >>> nhs_ethnicity(["A", "B"], level="detailed").factor.codes.tolist()
    [0, 1]
    """
    chosen: Level = as_option(level, "level", ("broad", "detailed"))
    rule = as_option(unknown, "unknown", ("raise", "missing"))
    codes, raw = _raw_codes(values)
    cleaned = [_clean(v) for v in raw]
    levels = (
        NHS_ETHNIC_GROUPS
        if chosen == "broad"
        else tuple(detail for _, detail in NHS_ETHNIC_CATEGORY.values())
    )
    position = {label: k for k, label in enumerate(levels)}
    targets: list[int] = []
    not_recorded: list[int] = []
    unknown_levels: list[int] = []
    for k, code in enumerate(cleaned):
        label = _nhs_label(code, chosen)
        if label is not None:
            targets.append(position[label])
            continue
        targets.append(-1)
        if code in NHS_ETHNIC_NOT_RECORDED:
            not_recorded.append(k)
        else:
            unknown_levels.append(k)
    if unknown_levels and rule == "raise":
        raise _unknown_error(
            "values",
            codes,
            raw,
            unknown_levels,
            "NHS ETHNIC CATEGORY codes (A-H, J-N, P, R, S; Z not stated; 99 not known)",
            'pass unknown="missing" to count them and treat them as missing, or correct '
            "the codes.",
        )
    by_code = _counts(codes, raw, not_recorded)
    ordered = {code: by_code[code] for code in NHS_ETHNIC_NOT_RECORDED if code in by_code}
    return CodedAttribute(
        factor=Factor(codes=_recode(codes, targets), levels=levels, name=name),
        scheme="nhs-ethnic-category",
        level=chosen,
        n=int(codes.size),
        n_blank=int(np.count_nonzero(codes < 0)),
        not_recorded=ordered,
        unknown=_counts(codes, raw, unknown_levels),
    )


def _decile(value: object) -> int | None:
    code = _clean(value)
    if code is None or not code.isdigit():
        return None
    number = int(code)
    return number if 1 <= number <= 10 else None


def imd_quintile(
    deciles: object, *, unknown: Unknown = "raise", name: str | None = None
) -> CodedAttribute:
    r"""Turn Index of Multiple Deprivation deciles into quintiles.

    Parameters
    ----------
    deciles : array-like
        One decile per record, 1 (the most deprived tenth of areas) to 10 (the least
        deprived), as numbers or text; blanks, ``None`` and NaN are missing.
    unknown : {"raise", "missing"}
        What to do with values that are not a decile (0, 11, 2.5, text): raise (default),
        or count them in ``unknown`` and treat them as missing.
    name : str or None
        The factor's name.

    Returns
    -------
    CodedAttribute
        ``factor`` with the levels 1 to 5 (1 the most deprived fifth).

    Raises
    ------
    InvalidInputError
        If `deciles` is not a 1-D column, or (with ``unknown="raise"``) a value is not a
        whole number from 1 to 10.

    Notes
    -----
    .. math::

        q = \lceil d / 2 \rceil

    so deciles 1-2 are quintile 1 and deciles 9-10 quintile 5 [2]_.

    References
    ----------
    .. [2] Ministry of Housing, Communities and Local Government. The English Indices of
       Deprivation 2019: technical report.

    Examples
    --------
    >>> from ipsstats.cohort import imd_quintile
    >>> imd_quintile([1, 2, 3, 10, None]).factor.codes.tolist()
    [0, 0, 1, 4, -1]
    """
    rule = as_option(unknown, "unknown", ("raise", "missing"))
    codes, raw = _raw_codes(deciles)
    targets: list[int] = []
    unknown_levels: list[int] = []
    for k, value in enumerate(raw):
        decile = _decile(value)
        targets.append(-1 if decile is None else (decile + 1) // 2 - 1)
        if decile is None:
            unknown_levels.append(k)
    if unknown_levels and rule == "raise":
        raise _unknown_error(
            "deciles",
            codes,
            raw,
            unknown_levels,
            "deprivation deciles (whole numbers from 1 to 10)",
            'pass unknown="missing" to count them and treat them as missing.',
        )
    return CodedAttribute(
        factor=Factor(codes=_recode(codes, targets), levels=IMD_QUINTILES, name=name),
        scheme="imd-decile",
        level="quintile",
        n=int(codes.size),
        n_blank=int(np.count_nonzero(codes < 0)),
        not_recorded={},
        unknown=_counts(codes, raw, unknown_levels),
    )
