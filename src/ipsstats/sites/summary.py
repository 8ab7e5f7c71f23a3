"""A site's summary: the counts of an equity analysis, shared instead of records.

A :class:`~ipsstats.sites.SiteSummary` holds the sufficient statistics of the outcome and duration
analyses of an equity report, per attribute (:class:`AttributeSummary`): group sizes with
those not known, group by job-by-the-study-end tables of everyone and of the
minimum-follow-up window, and exits per distinct time for the time to a first job and
in-work support (:class:`GroupExits`). :func:`ipsstats.sites.site_summary` builds one from a
cohort; it writes itself as versioned JSON (always) or Parquet (with pyarrow), and reads
back; :func:`ipsstats.sites.combine_sites` pools the summaries of several sites.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import fail, int_array
from ipsstats._version import __version__
from ipsstats.categorical import ContingencyTable
from ipsstats.cohort import as_months
from ipsstats.errors import InvalidInputError
from ipsstats.results import frozen_mapping, json_safe
from ipsstats.sites._check import Where
from ipsstats.sites._safe import is_safe, merged_label
from ipsstats.sites.schema import SUMMARY_FORMAT, SUMMARY_SCHEMA_VERSION
from ipsstats.sites.tables import JOB_KINDS_CENSORED, KINDS, ExitTable

__all__ = ["AttributeSummary", "GroupExits", "SiteSummary"]

TimeUnit = Literal["day", "month"]
_TIME_UNITS: tuple[TimeUnit, ...] = ("day", "month")
_OUTCOMES = ("job", "no job")
_MEASURES = tuple(KINDS)


def _labels(value: Sequence[object]) -> tuple[object, ...]:
    return tuple(value)


def _groups(value: Sequence[Sequence[object]]) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(g) for g in value)


def _tables(value: Sequence[ExitTable]) -> tuple[ExitTable, ...]:
    return tuple(value)


def _strings(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@attrs.frozen(kw_only=True, eq=False)
class GroupExits:
    """The exit tables of one duration, one per group of levels.

    Parameters
    ----------
    measure : {"time_to_job", "in_work_support"}
        The duration.
    kinds : tuple of str
        The kinds of exit counted: those of :data:`KINDS`, or for the time to a first job
        under disclosure control possibly ``("censored", "job")`` (discharges without a job
        counted as censored).
    groups : tuple of tuple
        The groups, each a tuple of levels (merged under disclosure control).
    tables : tuple of ExitTable
        One per group, with the kinds of exit `kinds`.

    Raises
    ------
    InvalidInputError
        If `measure` or `kinds` is unknown, or the groups and tables do not match.
    """

    measure: str
    kinds: tuple[str, ...] = attrs.field(converter=_strings)
    groups: tuple[tuple[object, ...], ...] = attrs.field(converter=_groups)
    tables: tuple[ExitTable, ...] = attrs.field(converter=_tables)

    def __attrs_post_init__(self) -> None:
        if self.measure not in KINDS:
            raise fail("measure", f"be one of {list(KINDS)}", repr(self.measure))
        allowed = [KINDS[self.measure]]
        if self.measure == "time_to_job":
            allowed.append(JOB_KINDS_CENSORED)
        if self.kinds not in allowed:
            raise fail("kinds", f"be one of {[list(k) for k in allowed]}", repr(list(self.kinds)))
        if len(self.tables) != len(self.groups) or any(t.kinds != self.kinds for t in self.tables):
            raise fail(
                "tables",
                f"hold one exit table of the kinds {list(self.kinds)} per group",
                f"{len(self.tables)} tables for {len(self.groups)} groups",
            )

    @property
    def competing(self) -> bool:
        """Whether discharges without a job are counted apart (time to a first job)."""
        return "discharged" in self.kinds and self.measure == "time_to_job"

    @property
    def group_labels(self) -> tuple[object, ...]:
        """The label of each group: its level, or its levels joined by ``" + "``."""
        return tuple(merged_label(g) for g in self.groups)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"kinds": [...], "groups": [[level, ...], ...], "tables": [...]}``."""
        return {
            "kinds": list(self.kinds),
            "groups": json_safe([list(g) for g in self.groups]),
            "tables": [t.to_dict() for t in self.tables],
        }

    def __repr__(self) -> str:
        return f"GroupExits(measure={self.measure!r}, groups={list(self.group_labels)!r})"


def _partition_error(what: str, where: str, got: str) -> InvalidInputError:
    return fail(
        what, "hold every level once (groups of levels that partition them)", f"{got} for {where}"
    )


@attrs.frozen(kw_only=True, eq=False)
class AttributeSummary:
    """The counts of one attribute at one site.

    Parameters
    ----------
    name : str
        The attribute, e.g. ``"ethnicity"``.
    levels : tuple
        Every level the site has, in the site's order (with or without people).
    groups : tuple of tuple
        The groups of the outcome tables, each a tuple of levels: one level each, unless
        disclosure control merged neighbouring levels.
    withheld : tuple
        Levels that disclosure control counts with the people whose value is not known.
    outcome_all, outcome_window : ndarray of int
        Shape ``(len(groups) + 1, 2)``: per group, then for the people not known, the number
        with a job by the study end and without one; everyone, and the minimum-follow-up
        window (read-only).
    time_to_job, in_work_support : GroupExits or None
        Exits per time of the time to a first job (``"censored"``, ``"job"``,
        ``"discharged"``) and of in-work support (``"censored"``, ``"discharged"``), per
        group: the groups of the outcome tables, or unions of them under disclosure
        control; a level of no group is withheld from the duration. ``None`` when
        disclosure control withholds the duration altogether.

    Raises
    ------
    InvalidInputError
        If the groups are not a partition of the levels not withheld, a duration's group is
        not a union of outcome groups, a shape does not match, the window has more people
        than everyone in a cell, or the durations do not add up to the outcome tables.
    """

    name: str
    levels: tuple[object, ...] = attrs.field(converter=_labels)
    groups: tuple[tuple[object, ...], ...] = attrs.field(converter=_groups)
    withheld: tuple[object, ...] = attrs.field(converter=_labels)
    outcome_all: NDArray[np.int64] = attrs.field(converter=int_array)
    outcome_window: NDArray[np.int64] = attrs.field(converter=int_array)
    time_to_job: GroupExits | None
    in_work_support: GroupExits | None

    def __attrs_post_init__(self) -> None:
        where = f"attribute {self.name!r}"
        placed = [level for group in self.groups for level in group] + list(self.withheld)
        if (
            any(not group for group in self.groups)
            or len(placed) != len(set(placed))
            or set(placed) != set(self.levels)
        ):
            raise _partition_error(
                "groups",
                where,
                f"groups {list(self.groups)} and withheld {list(self.withheld)} of levels "
                f"{list(self.levels)}",
            )
        rows = len(self.groups) + 1
        for field in ("outcome_all", "outcome_window"):
            table = getattr(self, field)
            if table.shape != (rows, 2) or (table.size and table.min() < 0):
                raise fail(
                    field,
                    f"hold whole numbers >= 0, {rows} rows (the groups, then not known) of 2",
                    f"shape {table.shape} for {where}",
                )
        if np.any(self.outcome_window > self.outcome_all):
            raise fail(
                "outcome_window",
                "count at most `outcome_all` in every cell (the window is part of everyone)",
                f"more people in the window for {where}",
            )
        for measure in _MEASURES:
            exits = getattr(self, measure)
            if exits is not None:
                self._check_exits(measure, exits, where)

    def _check_exits(self, measure: str, exits: GroupExits, where: str) -> None:
        if exits.measure != measure:
            raise fail(measure, f"hold the exits of {measure}", repr(exits.measure))
        position = {level: k for k, group in enumerate(self.groups) for level in group}
        used: set[int] = set()
        for group, table in zip(exits.groups, exits.tables, strict=True):
            members = {position.get(level, -1) for level in group}
            covered = {level for k in members if k >= 0 for level in self.groups[k]}
            if not group or -1 in members or covered != set(group) or members & used:
                raise fail(
                    measure,
                    "have groups that are unions of distinct outcome groups",
                    f"{list(group)} for {where}",
                )
            used |= members
            jobs, others = (int(x) for x in self.outcome_all[sorted(members)].sum(axis=0))
            totals = table.totals()
            expected = (jobs, jobs + others) if measure == "time_to_job" else (jobs, jobs)
            got = (totals["job"] if measure == "time_to_job" else table.n, table.n)
            if got != expected:
                raise fail(
                    measure,
                    "add up to the outcome table (jobs and people of each group)",
                    f"{got[1]} people with {got[0]} events against {expected[1]} people with "
                    f"{expected[0]} jobs in group {list(group)} of {where}",
                )

    @property
    def group_labels(self) -> tuple[object, ...]:
        """The label of each group: its level, or its levels joined by ``" + "``."""
        return tuple(merged_label(g) for g in self.groups)

    @property
    def n_missing(self) -> int:
        """People whose value is not known (or withheld)."""
        return int(self.outcome_all[-1].sum())

    def outcome_table(self, *, window: bool = False) -> ContingencyTable:
        """Return the groups by job by the study end, those not known as ``n_missing``.

        Parameters
        ----------
        window : bool
            The minimum-follow-up window instead of everyone.

        Returns
        -------
        ContingencyTable
            Rows the groups (:attr:`group_labels`), columns ``("job", "no job")``.
        """
        counts = self.outcome_window if window else self.outcome_all
        return ContingencyTable.from_counts(
            counts[:-1],
            rows=list(self.group_labels),
            cols=list(_OUTCOMES),
            row_name=self.name,
            col_name="job_by_end",
            n_missing=int(counts[-1].sum()),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the attribute's counts as JSON-safe objects (the summary file's form)."""

        def outcome(table: NDArray[np.int64]) -> dict[str, Any]:
            return {
                "job": table[:-1, 0].tolist(),
                "no_job": table[:-1, 1].tolist(),
                "not_known": table[-1].tolist(),
            }

        out: dict[str, Any] = json_safe(
            {
                "levels": list(self.levels),
                "groups": [list(g) for g in self.groups],
                "withheld": list(self.withheld),
            }
        )
        out["outcome"] = {
            "all": outcome(self.outcome_all),
            "window": outcome(self.outcome_window),
        }
        for measure in _MEASURES:
            exits = getattr(self, measure)
            out[measure] = None if exits is None else exits.to_dict()
        return out

    def counts(self) -> NDArray[np.int64]:
        """Every count this attribute publishes, as one flat array (for checks)."""
        parts = [self.outcome_all.ravel(), self.outcome_window.ravel()]
        for measure in _MEASURES:
            exits = getattr(self, measure)
            if exits is not None:
                parts += [t.counts.ravel() for t in exits.tables]
        return np.concatenate(parts).astype(np.int64)

    def __repr__(self) -> str:
        return (
            f"AttributeSummary(name={self.name!r}, groups={list(self.group_labels)!r}, "
            f"n={int(self.outcome_all.sum())}, not_known={self.n_missing})"
        )


def _attribute_fields(name: str, value: object, where: Where) -> dict[str, Any]:
    """Read one attribute of a summary file into the fields of an AttributeSummary."""
    item = where.mapping(value)
    levels = (where / "levels").labels(where.key(item, "levels"))
    groups = _read_groups(where / "groups", where.key(item, "groups"))
    withheld = (where / "withheld").labels(where.key(item, "withheld"))
    size = len(groups)
    outcome = (where / "outcome").mapping(where.key(item, "outcome"))
    tables = []
    for key in ("all", "window"):
        at = where / "outcome" / key
        part = at.mapping(where.key(outcome, key))
        jobs = (at / "job").counts(at.key(part, "job"), size)
        others = (at / "no_job").counts(at.key(part, "no_job"), size)
        unknown = (at / "not_known").counts(at.key(part, "not_known"), 2)
        tables.append(np.vstack([np.column_stack([jobs, others]).reshape(size, 2), unknown]))
    fields: dict[str, Any] = {
        "name": name,
        "levels": levels,
        "groups": groups,
        "withheld": withheld,
        "outcome_all": tables[0],
        "outcome_window": tables[1],
    }
    for measure in _MEASURES:
        at = where / measure
        raw = where.key(item, measure)
        if raw is None:
            fields[measure] = None
            continue
        part = at.mapping(raw)
        kinds = (at / "kinds").strings(at.key(part, "kinds"))
        allowed = (
            [KINDS[measure], JOB_KINDS_CENSORED] if measure == "time_to_job" else [KINDS[measure]]
        )
        if kinds not in allowed:
            raise (at / "kinds").error(f"is one of {[list(k) for k in allowed]}", repr(kinds))
        exit_groups = _read_groups(at / "groups", at.key(part, "groups"))
        listed = at.key(part, "tables")
        if not isinstance(listed, list) or len(listed) != len(exit_groups):
            raise (at / "tables").error(
                f"is a list of {len(exit_groups)} exit tables (one per group)", repr(listed)[:60]
            )
        exit_tables = []
        for k, table in enumerate(listed):
            times, counts = (at / "tables" / k).exits(table, kinds)
            exit_tables.append(ExitTable(times=times, kinds=kinds, counts=counts))
        fields[measure] = GroupExits(
            measure=measure, kinds=kinds, groups=exit_groups, tables=exit_tables
        )
    return fields


def _read_groups(where: Where, value: object) -> list[tuple[object, ...]]:
    if not isinstance(value, list):
        raise where.error("is a list of lists of levels", repr(value)[:60])
    return [(where / k).labels(g) for k, g in enumerate(value)]


def _attributes(value: Mapping[str, AttributeSummary]) -> Mapping[str, AttributeSummary]:
    return frozen_mapping(value)


@attrs.frozen(kw_only=True, eq=False)
class SiteSummary:
    """One site's counts for a pooled equity analysis, in a versioned, documented format.

    Build one with :func:`~ipsstats.sites.site_summary`; write it with :meth:`to_json` or
    :meth:`write`; read it with :meth:`read` or :meth:`from_dict`; pool several with
    :func:`~ipsstats.sites.combine_sites`. The JSON form follows :data:`SUMMARY_SCHEMA
    <ipsstats.sites.SUMMARY_SCHEMA>`.

    Parameters
    ----------
    site : str
        The site's name, shown in pooled analyses.
    study_end : datetime.date
        The date at which outcomes were judged and durations censored.
    observed_until : datetime.date
        The site's extraction date.
    n : int
        People analysed (accessed on or before the study end).
    n_window : int
        People in the minimum-follow-up window.
    n_after_study_end : int or None
        People left out because they accessed after the study end; ``None`` when
        disclosure control withholds a small count.
    min_followup_months : int
        The minimum follow-up of the window, in whole months.
    latest_access : datetime.date
        The last access date in the window.
    attributes : Mapping[str, AttributeSummary]
        The counts per attribute.
    selection : tuple of str
        Selection steps applied to the site's cohort before summarising (without counts).
    threshold : int or None
        Disclosure control: no count is between 1 and ``threshold - 1``; ``None`` for a
        summary without disclosure control.
    time_unit : {"day", "month"}
        ``"day"``: exact durations; ``"month"``: durations in bands of whole months, the
        exits of a band placed at the mean of their months.
    ipsstats_version : str
        The version of ipsstats that wrote the summary.
    schema_version : str
        The version of the summary format.

    Raises
    ------
    InvalidInputError
        If the counts are inconsistent (an attribute's people do not add up to `n` or
        `n_window`), dates are out of order, or a summary under disclosure control
        publishes a count below its threshold.
    """

    site: str
    study_end: dt.date
    observed_until: dt.date
    n: int
    n_window: int
    n_after_study_end: int | None
    min_followup_months: int
    latest_access: dt.date
    attributes: Mapping[str, AttributeSummary] = attrs.field(converter=_attributes)
    selection: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    threshold: int | None = None
    time_unit: TimeUnit = "day"
    ipsstats_version: str = __version__
    schema_version: str = SUMMARY_SCHEMA_VERSION

    def __attrs_post_init__(self) -> None:
        if not self.site.strip():
            raise fail("site", "be a non-empty name", repr(self.site))
        if not (self.latest_access <= self.study_end <= self.observed_until):
            raise fail(
                "study_end",
                "lie between the window's last access date and the extraction date",
                f"latest access {self.latest_access}, study end {self.study_end}, "
                f"extracted {self.observed_until}",
            )
        if self.n_window > self.n:
            raise fail("n_window", f"be at most `n` ({self.n})", str(self.n_window))
        for name, attribute in self.attributes.items():
            totals = (int(attribute.outcome_all.sum()), int(attribute.outcome_window.sum()))
            if totals != (self.n, self.n_window):
                raise fail(
                    "attributes",
                    f"count every person once per attribute ({self.n} people, "
                    f"{self.n_window} in the window)",
                    f"{totals[0]} and {totals[1]} for {name!r}",
                )
        if self.time_unit not in _TIME_UNITS:
            raise fail("time_unit", f"be one of {list(_TIME_UNITS)}", repr(self.time_unit))
        if self.threshold is not None:
            self._check_safe(self.threshold)

    def _check_safe(self, threshold: int) -> None:
        if threshold < 1:
            raise fail("threshold", "be a whole number >= 1", str(threshold))
        counts = [np.array([self.n, self.n_window, self.n_after_study_end or 0])]
        counts += [a.counts() for a in self.attributes.values()]
        flat = np.concatenate(counts)
        if not is_safe(flat, threshold):
            small = int(flat[(flat > 0) & (flat < threshold)][0])
            raise fail(
                "threshold",
                f"hold for every count: a summary under disclosure control publishes no "
                f"count from 1 to {threshold - 1}",
                f"a count of {small}",
            )

    # ---- JSON ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-safe objects, following ``SUMMARY_SCHEMA``."""
        return {
            "format": SUMMARY_FORMAT,
            "schema_version": self.schema_version,
            "ipsstats_version": self.ipsstats_version,
            "site": self.site,
            "study_end": self.study_end.isoformat(),
            "observed_until": self.observed_until.isoformat(),
            "n": self.n,
            "n_after_study_end": self.n_after_study_end,
            "window": {
                "min_followup_months": self.min_followup_months,
                "latest_access": self.latest_access.isoformat(),
                "n": self.n_window,
            },
            "selection": list(self.selection),
            "disclosure": {
                "applied": self.threshold is not None,
                "threshold": self.threshold,
                "time_unit": self.time_unit,
            },
            "attributes": {name: a.to_dict() for name, a in self.attributes.items()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Return :meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, value: object, *, argument: str = "value", origin: str = "") -> SiteSummary:
        """Rebuild a summary from its JSON form (as :meth:`to_dict` returns it).

        Parameters
        ----------
        value : Mapping
            The decoded JSON.
        argument : str
            The caller's name for `value`, for messages.
        origin : str
            Where `value` came from (a file name), for messages.

        Returns
        -------
        SiteSummary

        Raises
        ------
        InvalidInputError
            If `value` is not a site summary of a schema version this ipsstats reads, a
            value is missing or malformed (the message names where), or the counts are
            inconsistent.
        """
        where = Where(argument, origin)
        top = where.mapping(value)
        if top.get("format") != SUMMARY_FORMAT:
            raise (where / "format").error(f"is {SUMMARY_FORMAT!r}", repr(top.get("format"))[:60])
        version = (where / "schema_version").text(where.key(top, "schema_version"))
        if version != SUMMARY_SCHEMA_VERSION:
            raise (where / "schema_version").error(
                f"is {SUMMARY_SCHEMA_VERSION!r}, the version this ipsstats ({__version__}) reads",
                repr(version),
                hint="export the summary again with this version of ipsstats, or read it "
                "with the version that wrote it.",
            )
        window = (where / "window").mapping(where.key(top, "window"))
        disclosure = (where / "disclosure").mapping(where.key(top, "disclosure"))
        raw = (where / "attributes").mapping(where.key(top, "attributes"))
        parsed = [
            _attribute_fields(str(name), item, where / "attributes" / name)
            for name, item in raw.items()
        ]
        threshold = (where / "disclosure" / "threshold").count(
            where.key(disclosure, "threshold"), nullable=True
        )
        applied = where.key(disclosure, "applied")
        if applied is not (threshold is not None):
            raise (where / "disclosure" / "applied").error(
                "is true exactly when a threshold is given", repr(applied)
            )
        months = where.key(window, "min_followup_months")
        (where / "window" / "min_followup_months").count(months)
        fields: dict[str, Any] = {
            "site": (where / "site").text(where.key(top, "site")),
            "study_end": (where / "study_end").date(where.key(top, "study_end")),
            "observed_until": (where / "observed_until").date(where.key(top, "observed_until")),
            "n": (where / "n").count(where.key(top, "n")),
            "n_window": (where / "window" / "n").count(where.key(window, "n")),
            "n_after_study_end": (where / "n_after_study_end").count(
                where.key(top, "n_after_study_end"), nullable=True
            ),
            "latest_access": (where / "window" / "latest_access").date(
                where.key(window, "latest_access")
            ),
            "selection": (where / "selection").strings(where.key(top, "selection")),
            "threshold": threshold,
            "time_unit": (where / "disclosure" / "time_unit").choice(
                where.key(disclosure, "time_unit"), _TIME_UNITS
            ),
            "ipsstats_version": (where / "ipsstats_version").text(
                where.key(top, "ipsstats_version")
            ),
            "schema_version": version,
        }
        try:
            return cls(
                min_followup_months=as_months(months, "min_followup_months"),
                attributes={f["name"]: AttributeSummary(**f) for f in parsed},
                **fields,
            )
        except InvalidInputError as exc:
            raise where.error("holds consistent counts", str(exc).rstrip(".")) from None

    # ---- files ---------------------------------------------------------------------------

    def write(
        self, path: str | os.PathLike[str], *, format: Literal["json", "parquet"] | None = None
    ) -> None:
        """Write the summary to a file: JSON, or Parquet (needs pyarrow).

        Parameters
        ----------
        path : str or path-like
            Where to write.
        format : {"json", "parquet"}, optional
            Default: Parquet for a ``.parquet`` file name, JSON otherwise.

        Raises
        ------
        InvalidInputError
            If `format` is unknown, or Parquet is asked for without pyarrow installed.
        """
        target = pathlib.Path(path)
        chosen = format or ("parquet" if target.suffix.lower() == ".parquet" else "json")
        if chosen == "json":
            target.write_text(self.to_json() + "\n", encoding="utf-8")
        elif chosen == "parquet":
            from ipsstats.sites._parquet import write_parquet  # noqa: PLC0415  # optional pyarrow

            write_parquet(self.to_dict(), target)
        else:
            raise fail("format", "be 'json' or 'parquet'", repr(format))

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> SiteSummary:
        """Read a summary written by :meth:`write` (JSON or Parquet, told by its content).

        Parameters
        ----------
        path : str or path-like
            The file.

        Returns
        -------
        SiteSummary

        Raises
        ------
        InvalidInputError
            If the file is neither a site summary in JSON nor one in Parquet, or is not
            valid (the message names the file and where).
        OSError
            If the file cannot be read.
        """
        source = pathlib.Path(path)
        data = source.read_bytes()
        origin = repr(source.name)
        if data[:4] == b"PAR1":
            from ipsstats.sites._parquet import read_parquet  # noqa: PLC0415  # optional pyarrow

            return cls.from_dict(read_parquet(source), argument="path", origin=origin)
        try:
            value = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise fail(
                "path",
                "be a site summary in JSON or Parquet",
                f"{source.name!r}, which is neither ({exc})",
            ) from None
        return cls.from_dict(value, argument="path", origin=origin)

    def __repr__(self) -> str:
        return (
            f"SiteSummary(site={self.site!r}, n={self.n}, study_end={self.study_end}, "
            f"attributes={list(self.attributes)!r}, threshold={self.threshold}, "
            f"time_unit={self.time_unit!r})"
        )
