"""Hypothesis strategies shared by the test modules.

Each strategy draws the kind of input users give ipsstats: count vectors and tables,
censored samples, labels with missing values. Keep them here, not in test modules, so every
module is tested on the same shapes of data.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

__all__ = [
    "SITE_OBSERVED_UNTIL",
    "censored_samples",
    "cohort_csv_texts",
    "cohort_records",
    "competing_samples",
    "count_tables",
    "count_vectors",
    "funnel_units",
    "group_strata_tables",
    "labels_with_missing",
    "non_count_values",
    "site_cohort_columns",
    "stratified_tables",
]


def count_vectors(
    *, min_size: int = 1, max_size: int = 8, max_count: int = 1000
) -> st.SearchStrategy[NDArray[np.int64]]:
    """1-D arrays of non-negative integer counts."""
    return hnp.arrays(
        np.int64,
        st.integers(min_size, max_size),
        elements=st.integers(0, max_count),
    )


def count_tables(
    *,
    min_rows: int = 2,
    max_rows: int = 5,
    min_cols: int = 2,
    max_cols: int = 5,
    max_count: int = 200,
) -> st.SearchStrategy[NDArray[np.int64]]:
    """2-D arrays of non-negative integer counts."""
    shapes = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    return hnp.arrays(np.int64, shapes, elements=st.integers(0, max_count))


@st.composite
def censored_samples(
    draw: st.DrawFn, *, min_size: int = 1, max_size: int = 60, max_time: int = 30
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(durations, events) with heavy ties, zero durations and some censoring."""
    n = draw(st.integers(min_size, max_size))
    times = draw(hnp.arrays(np.int64, n, elements=st.integers(0, max_time)))
    events = draw(hnp.arrays(np.bool_, n))
    return times.astype(np.float64), events


def labels_with_missing() -> st.SearchStrategy[list[object]]:
    """Lists of category labels mixing strings, None, NaN and blanks."""
    label = st.one_of(
        st.sampled_from(["White", "Asian", "Black", "Mixed", "Other"]),
        st.none(),
        st.just(math.nan),
        st.sampled_from(["", "  "]),
    )
    return st.lists(label, min_size=0, max_size=40)


def non_count_values() -> st.SearchStrategy[float]:
    """Single values that are not valid counts: negative, fractional or non-finite."""
    return st.one_of(
        st.integers(max_value=-1).map(float),
        st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != math.floor(x)),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )


@st.composite
def competing_samples(
    draw: st.DrawFn,
    *,
    min_size: int = 1,
    max_size: int = 60,
    max_time: int = 30,
    n_causes: int = 2,
    n_groups: int = 3,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """(durations, causes, groups): heavy ties, zero durations, cause codes 0..n_causes.

    Cause 0 means censored; `groups` holds codes 0..n_groups-1 (not all need occur).
    """
    n = draw(st.integers(min_size, max_size))
    times = draw(hnp.arrays(np.int64, n, elements=st.integers(0, max_time)))
    causes = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_causes)))
    groups = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_groups - 1)))
    return times.astype(np.float64), causes, groups


def stratified_tables(
    *,
    min_strata: int = 1,
    max_strata: int = 5,
    rows: tuple[int, int] = (2, 4),
    cols: tuple[int, int] = (2, 4),
    max_count: int = 30,
) -> st.SearchStrategy[NDArray[np.int64]]:
    """3-D arrays of counts, shape (strata, rows, cols); empty strata and cells occur."""
    shapes = st.tuples(st.integers(min_strata, max_strata), st.integers(*rows), st.integers(*cols))
    return hnp.arrays(np.int64, shapes, elements=st.integers(0, max_count))


_YEAR_START = dt.date(2019, 1, 1)


@st.composite
def cohort_records(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 30, valid: bool = False
) -> list[dict[str, object]]:
    """Service records as users give them: ISO date strings, blanks, repeated ids, odd ages.

    Dates fall in 2019-2020 (observe them until 2020-06-30). With ``valid=True`` every record
    passes cohort validation (distinct ids, dates in order, none after 2020-06-30); otherwise
    some records break a rule (job before access, duplicate id, missing access date, ...).
    """
    n = draw(st.integers(min_size, max_size))
    records: list[dict[str, object]] = []
    for k in range(n):
        access = draw(st.integers(0, 500))
        job = draw(st.one_of(st.none(), st.integers(-30 if not valid else 0, 120)))
        leave = draw(st.one_of(st.none(), st.integers(-30 if not valid else 0, 200)))
        if valid:
            if job is not None and leave is not None:
                leave = max(leave, job)
            last = 546 - access  # days from access to 2020-06-30
            job = None if job is None or job > last else job
            leave = None if leave is None or leave > last else leave
        ident = str(k) if valid else str(draw(st.integers(0, max(n, 1))))
        record: dict[str, object] = {
            "id": ident,
            "accessed": (_YEAR_START + dt.timedelta(days=access)).isoformat(),
            "job_start": ""
            if job is None
            else (_YEAR_START + dt.timedelta(days=access + job)).isoformat(),
            "discharged": ""
            if leave is None
            else (_YEAR_START + dt.timedelta(days=access + leave)).isoformat(),
            "ethnicity": draw(st.sampled_from(["White", "Asian", "Black", "Mixed", "Not known"])),
            "age": draw(st.one_of(st.integers(16, 80), st.just(""))),
        }
        if not valid and draw(st.integers(0, 9)) == 0:
            record["accessed"] = draw(st.sampled_from(["", "31/12/2019", "2019-02-30"]))
        records.append(record)
    return records


_CSV_FIELDS = ("id", "accessed", "job_start", "discharged", "ethnicity", "age")


@st.composite
def cohort_csv_texts(
    draw: st.DrawFn, *, max_size: int = 30
) -> tuple[str, list[dict[str, object]], list[int], list[bool]]:
    """CSV files of service records as spreadsheets export them, with their quirks.

    Returns ``(text, records, lines, ragged)``: the file, the records written (as
    :func:`cohort_records` draws them), the file line on which each record starts (the
    header is line 1) and whether the record was written with a field missing. Files vary:
    CRLF or LF line ends, a byte-order mark, spaces around values, quoted fields (some with
    a comma or a line break inside), blank lines between and after records.
    """
    records = draw(cohort_records(max_size=max_size))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = draw(st.sampled_from(["", "\ufeff"])) + ",".join(_CSV_FIELDS) + newline
    line = 2
    lines: list[int] = []
    ragged: list[bool] = []
    for record in records:
        blank = draw(st.integers(0, 9)) == 0
        text += newline if blank else ""
        line += blank
        fields = [str(record[name]) for name in _CSV_FIELDS]
        for k, field in enumerate(fields):
            style = draw(st.integers(0, 11))
            if style == 0:
                fields[k] = f" {field} "
            elif style == 1:
                fields[k] = '"' + field + '"'
        if draw(st.integers(0, 14)) == 0 and record["ethnicity"] == "Mixed":
            record["ethnicity"] = draw(st.sampled_from(["Mixed, other", "Mixed\nother"]))
            fields[4] = '"' + str(record["ethnicity"]) + '"'
        short = draw(st.integers(0, 19)) == 0
        if short:
            fields.pop()
        lines.append(line)
        ragged.append(short)
        text += ",".join(fields) + newline
        line += 1 + str(record["ethnicity"]).count("\n")
    text += newline * draw(st.integers(0, 2))
    return text, records, lines, ragged


# ---- indicator methods: standardisation, funnels, ordered groups -----------------------


@st.composite
def group_strata_tables(
    draw: st.DrawFn,
    *,
    groups: tuple[int, int] = (1, 4),
    strata: tuple[int, int] = (1, 6),
    max_population: int = 400,
    positive: bool = True,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(events, population) tables of shape (groups, strata), events within population.

    With `positive`, every population is at least 1 (every stratum of every group holds
    someone); otherwise empty cells occur.
    """
    shape = (draw(st.integers(*groups)), draw(st.integers(*strata)))
    low = 1 if positive else 0
    population = draw(hnp.arrays(np.int64, shape, elements=st.integers(low, max_population)))
    share = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))
    events = np.floor(share * population).astype(np.int64)
    return events, population


@st.composite
def funnel_units(
    draw: st.DrawFn, *, min_units: int = 2, max_units: int = 12, max_n: int = 500
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(events, people) per unit for proportion funnels: not all 0, not all everyone."""
    k = draw(st.integers(min_units, max_units))
    people = draw(hnp.arrays(np.int64, k, elements=st.integers(1, max_n)))
    share = draw(hnp.arrays(np.float64, k, elements=st.floats(0.02, 0.98)))
    events = np.round(share * people).astype(np.int64)
    events[0] = max(1, min(events[0], people[0] - 1)) if people[0] > 1 else events[0]
    if events.sum() == 0:
        events[int(np.argmax(people))] = 1
    if (events == people).all():
        people[0] += 1
    return events, people


# ---- several sites: cohorts split into sites ------------------------------------------

_SITE_START = dt.date(2022, 1, 1)
#: Extraction date of the cohorts drawn by :func:`site_cohort_columns`.
SITE_OBSERVED_UNTIL = dt.date(2023, 12, 31)


@st.composite
def site_cohort_columns(
    draw: st.DrawFn, *, min_size: int = 2, max_size: int = 60, max_sites: int = 4
) -> dict[str, list[object]]:
    """Columns of a valid cohort with a ``site`` per person (2 to `max_sites` sites).

    Access dates fall in 2022-2023 (observed until 2023-12-31); jobs and discharges follow
    access or are missing; ``ethnicity`` (with missing values) and ``gender`` are the
    attributes; every site has someone. Durations tie often (a few distinct days).
    """
    n = draw(st.integers(min_size, max_size))
    sites = [f"site {k}" for k in range(draw(st.integers(2, max_sites)))]
    last = (SITE_OBSERVED_UNTIL - _SITE_START).days
    columns: dict[str, list[object]] = {
        k: [] for k in ("accessed", "job_start", "discharged", "ethnicity", "gender", "site")
    }
    for k in range(n):
        access = draw(st.integers(0, last))
        room = last - access
        job = draw(st.one_of(st.none(), st.sampled_from([0, 30, 61, 90, 200, 400])))
        job = None if job is None or job > room else job
        leave = draw(st.one_of(st.none(), st.sampled_from([10, 61, 120, 300, 500])))
        if leave is not None and job is not None:
            leave += job
        leave = None if leave is None or leave > room else leave
        day = _SITE_START + dt.timedelta(days=access)
        columns["accessed"].append(day.isoformat())
        columns["job_start"].append(
            None if job is None else (day + dt.timedelta(days=job)).isoformat()
        )
        columns["discharged"].append(
            None if leave is None else (day + dt.timedelta(days=leave)).isoformat()
        )
        columns["ethnicity"].append(
            draw(st.sampled_from(["Asian", "Black", "Mixed", "White", "White", None]))
        )
        columns["gender"].append(draw(st.sampled_from(["F", "M"])))
        columns["site"].append(
            sites[k % len(sites)] if k < len(sites) else draw(st.sampled_from(sites))
        )
    return columns
