"""Which column plays which role: explicit mappings, then headers matched loosely.

A header matches a role when, lower-cased and stripped of everything but letters and
digits, it equals the role's name or one of its documented synonyms (``"Date of first
contact"`` is ``dateoffirstcontact``, a synonym of ``accessed``). Explicit mappings
(``columns={role: header}``) always win and match headers exactly. Every other column is
an attribute under its own header, unless the caller names the attributes to keep.
"""

from __future__ import annotations

import re
import types
from collections.abc import Collection, Mapping, Sequence

import attrs

from ipsstats._arrays import fail

__all__ = ["ROLE_SYNONYMS"]

ROLE_SYNONYMS: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {
        "id": ("id", "identifier", "client_id", "person_id", "patient_id", "service_user_id"),
        "accessed": (
            "accessed",
            "access_date",
            "date_accessed",
            "first_contact",
            "first_contact_date",
            "date_of_first_contact",
        ),
        "job_start": (
            "job_start",
            "job_start_date",
            "job_started",
            "first_job",
            "first_job_date",
            "date_of_first_job",
        ),
        "discharged": (
            "discharged",
            "discharge",
            "discharge_date",
            "date_discharged",
            "date_of_discharge",
        ),
        "age": ("age", "age_years", "age_in_years", "age_at_access", "age_at_first_contact"),
    }
)
"""The headers each role is recognised by (compared lower-cased, letters and digits only)."""

_OUTCOME_ROLES = ("job_start", "discharged")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def _normalise(header: str) -> str:
    """Lower-case `header` and drop everything but letters and digits."""
    return _NOT_ALPHANUMERIC.sub("", header.lower())


@attrs.frozen(kw_only=True)
class Roles:
    """Targets (roles and attribute names) by source column, and notes for the report."""

    sources: Mapping[str, str]
    notes: tuple[str, ...]


def _check_mapping(mapping: Mapping[str, str], available: Sequence[str]) -> None:
    found = ", ".join(repr(h) for h in available) or "none"
    for target, source in mapping.items():
        if not isinstance(target, str) or not isinstance(source, str):
            raise fail("columns", "map role names to column headers (strings)", repr(mapping))
        if source not in available:
            raise fail(
                "columns",
                "name columns that exist in the data",
                f"{target!r} mapped to {source!r}",
                hint=f"the columns found are: {found}.",
            )
    sources = list(mapping.values())
    repeated = {str(s) for s in sources if sources.count(s) > 1}
    if repeated:
        raise fail("columns", "map each column once", f"{sorted(repeated)!r} used twice")


def _looked_for(role: str) -> str:
    return ", ".join(ROLE_SYNONYMS[role])


def _match_role(role: str, free: Sequence[str]) -> str | None:
    """Find the one free header matching `role` loosely (``None``: none; several: error)."""
    wanted = {_normalise(name) for name in ROLE_SYNONYMS[role]}
    matches = [h for h in free if _normalise(h) in wanted]
    if len(matches) > 1:
        exact = [h for h in matches if _normalise(h) == _normalise(role)]
        if len(exact) == 1:
            return exact[0]
        raise fail(
            "columns",
            f"leave one column for role {role!r}",
            f"several that match it: {', '.join(repr(h) for h in matches)}",
            hint=f'pick one with columns={{"{role}": "<header>"}}.',
        )
    return matches[0] if matches else None


def resolve_roles(
    available: Sequence[str],
    columns: Mapping[str, str] | None,
    attributes: Collection[str] | None = None,
) -> Roles:
    """Map each target name (role or attribute) to a source column.

    Parameters
    ----------
    available : sequence of str
        The column names found in the data.
    columns : mapping, optional
        Explicit ``{target: column}``; every other role is matched loosely.
    attributes : collection of str, optional
        The attributes to keep (by target name); ``None`` keeps every other column.

    Raises
    ------
    InvalidInputError
        If a mapping names a column that does not exist or maps one twice, two columns
        match a role, no column serves as the access date, or a listed attribute is not
        a column.
    """
    mapping = dict(columns or {})
    _check_mapping(mapping, available)
    used = set(mapping.values())
    matched: dict[str, str] = {}  # header -> role, for roles found loosely
    notes: list[str] = []
    for role in ROLE_SYNONYMS:
        if role in mapping:
            continue
        header = _match_role(role, [h for h in available if h not in used])
        if header is not None:
            matched[header] = role
            used.add(header)
            if header != role:
                notes.append(f"column {header!r} read as role {role!r}")
        elif role in _OUTCOME_ROLES:  # without them nobody has a job or a discharge
            notes.append(
                f"no column for role {role!r}: looked for {_looked_for(role)} "
                "(case, spaces and punctuation ignored)"
            )
    # explicit mappings first, then every other column in the data's order
    out = dict(mapping)
    for header in available:
        if header in matched:
            out[matched[header]] = header
        elif header in out and header not in used:
            notes.append(
                f"column {header!r} not read: {header!r} is mapped to column {out[header]!r}"
            )
        elif header not in used:
            out[header] = header
    found = ", ".join(repr(h) for h in available) or "none"
    if "accessed" not in out:
        raise fail(
            "columns",
            "identify the access date column (role 'accessed')",
            f"no column for role 'accessed': looked for {_looked_for('accessed')} (case, "
            f"spaces and punctuation ignored); the columns found are: {found}",
            hint='pass columns={"accessed": "<your header>"}; the first line must be a header.',
        )
    if attributes is not None:
        kept = tuple(attributes)
        missing = [a for a in kept if a not in out or a in ROLE_SYNONYMS]
        if missing:
            raise fail(
                "attributes",
                "name attribute columns of the data (after `columns` renames them)",
                ", ".join(repr(m) for m in missing),
                hint=f"the columns found are: {found}.",
            )
        out = {t: s for t, s in out.items() if t in ROLE_SYNONYMS or t in kept}
    return Roles(sources=out, notes=tuple(notes))
