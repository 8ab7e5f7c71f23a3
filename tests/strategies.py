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
    "hostile_arrays",
    "hostile_scalars",
    "junk_values",
    "labels_with_missing",
    "non_count_values",
    "report_inputs",
    "report_option_inputs",
    "site_cohort_columns",
    "stratified_tables",
    "weighted_censored_samples",
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


@st.composite
def weighted_censored_samples(
    draw: st.DrawFn,
    *,
    min_size: int = 1,
    max_size: int = 40,
    max_time: int = 20,
    entry: bool | None = None,
    whole: bool = False,
) -> tuple[
    NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64] | None, NDArray[np.float64]
]:
    """(durations, events, entry, weights): ties, zeros, some delayed entries, case weights.

    `entry` None draws with or without delayed entry; weights are whole numbers 1..4 with
    ``whole=True``, otherwise positive reals in [0.1, 5] (some whole).
    """
    durations, events = draw(
        censored_samples(min_size=min_size, max_size=max_size, max_time=max_time)
    )
    n = durations.size
    if whole:
        weights = draw(hnp.arrays(np.int64, n, elements=st.integers(1, 4))).astype(np.float64)
    else:
        weights = draw(
            hnp.arrays(
                np.float64,
                n,
                elements=st.one_of(
                    st.integers(1, 3).map(float),
                    st.floats(0.1, 5.0, allow_nan=False, allow_infinity=False),
                ),
            )
        )
    with_entry = draw(st.booleans()) if entry is None else entry
    if not with_entry or not (durations > 0).any():
        return durations, events, None, weights
    # subjects enter strictly before they leave: durations of 0 are dropped
    keep = durations > 0
    durations, events, weights = durations[keep], events[keep], weights[keep]
    fractions = draw(
        hnp.arrays(np.float64, durations.size, elements=st.sampled_from([0.0, 0.0, 0.3, 0.6]))
    )
    return durations, events, np.floor(durations * fractions), weights


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
    draw: st.DrawFn, *, max_size: int = 30, plain: bool = False
) -> tuple[str, list[dict[str, object]], list[int], list[bool]]:
    """CSV files of service records as spreadsheets export them, with their quirks.

    Returns ``(text, records, lines, ragged)``: the file, the records written (as
    :func:`cohort_records` draws them), the file line on which each record starts (the
    header is line 1) and whether the record was written with a field missing. Files vary:
    CRLF or LF line ends, a byte-order mark, spaces around values, quoted fields (some with
    a comma or a line break inside), blank lines between and after records. With
    ``plain=True`` none of the quirks that change how a file must be split (no quotes, no
    blank line between records, no short record): spaces, line ends, a byte-order mark and
    blank lines at the end only.
    """
    records = draw(cohort_records(max_size=max_size))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = draw(st.sampled_from(["", "\ufeff"])) + ",".join(_CSV_FIELDS) + newline
    line = 2
    lines: list[int] = []
    ragged: list[bool] = []
    for record in records:
        blank = not plain and draw(st.integers(0, 9)) == 0
        text += newline if blank else ""
        line += blank
        fields = [str(record[name]) for name in _CSV_FIELDS]
        for k, field in enumerate(fields):
            style = draw(st.integers(0, 11))
            if style == 0:
                fields[k] = f" {field} "
            elif style == 1 and not plain:
                fields[k] = '"' + field + '"'
        if not plain and draw(st.integers(0, 14)) == 0 and record["ethnicity"] == "Mixed":
            record["ethnicity"] = draw(st.sampled_from(["Mixed, other", "Mixed\nother"]))
            fields[4] = '"' + str(record["ethnicity"]) + '"'
        short = not plain and draw(st.integers(0, 19)) == 0
        if short:
            fields.pop()
        lines.append(line)
        ragged.append(short)
        text += ",".join(fields) + newline
        line += 1 + str(record["ethnicity"]).count("\n")
    text += newline * draw(st.integers(0, 2))
    return text, records, lines, ragged


def junk_values() -> st.SearchStrategy[object]:
    """Values no argument should accept, or only some: the inputs of fuzz tests.

    NaN and infinities, huge and negative integers, complex numbers, booleans, arbitrary
    objects, ragged and nested lists, empty and 2-D arrays, text and bytes, mappings, dates
    far outside any record, and lists mixing these.
    """
    scalars = st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 0.5, 1 + 2j, True]),
        st.integers(-(2**70), 2**70),
        st.sampled_from([2**62, -(2**62), 2**63, 0, -1, 10**6]),
        st.builds(object),
        st.text(max_size=12),
        st.binary(max_size=6),
        st.none(),
        st.dates(),
        st.sampled_from([dt.timedelta(days=1), np.datetime64(2**62, "D"), np.int8(3)]),
    )
    arrays = st.sampled_from(
        [
            np.array([]),
            np.zeros((2, 2)),
            np.array([1 + 1j]),
            np.array([np.inf]),
            np.array([2**62], dtype="datetime64[D]"),
            np.array([1], dtype="timedelta64[D]"),
            np.array(["2019-01-01", "x"], dtype=object),
        ]
    )
    ragged = st.sampled_from(
        [[["2019-01-01"], "2019-01-02"], [1, [2, 3]], [[], []], [[1], [2, 3]]]
    )
    return st.one_of(
        scalars,
        arrays,
        ragged,
        st.lists(scalars, max_size=4),
        st.tuples(scalars, scalars),
        st.dictionaries(st.text(max_size=3), scalars, max_size=2),
    )


@st.composite
def report_inputs(
    draw: st.DrawFn, *, min_size: int = 12, max_size: int = 70
) -> tuple[dict[str, list[object]], dict[str, dict[str, int]]]:
    """Columns of a small cohort and its eligible caseload, for whole-report properties.

    Two categorical attributes with small groups and missing values (``None``), dates in
    2019-2020 (observe them until 2020-06-30; some people accessed in the last six months,
    so a follow-up window leaves them out), jobs and discharges. The caseload has every
    group of the cohort with at least as many people, and a "Not known" count.
    """
    n = draw(st.integers(min_size, max_size))
    ethnicity: list[object] = draw(
        st.lists(st.sampled_from(["A", "B", "C", "D", None]), min_size=n, max_size=n)
    )
    gender: list[object] = draw(
        st.lists(st.sampled_from(["F", "M", "M", None]), min_size=n, max_size=n)
    )
    ethnicity[:2], gender[:2] = ["A", "B"], ["F", "M"]  # at least two groups to compare
    accessed: list[object] = []
    jobs: list[object] = []
    left: list[object] = []
    for _ in range(n):
        day = draw(st.integers(0, 540))
        job = draw(st.one_of(st.none(), st.integers(0, 200)))
        job = None if job is None or day + job > 546 else job
        leave = draw(st.one_of(st.none(), st.integers(0, 300)))
        if leave is not None:
            leave = leave if job is None else job + leave
            leave = None if day + leave > 546 else leave
        start = _YEAR_START + dt.timedelta(days=day)
        accessed.append(start.isoformat())
        jobs.append(None if job is None else (start + dt.timedelta(days=job)).isoformat())
        left.append(None if leave is None else (start + dt.timedelta(days=leave)).isoformat())
    columns: dict[str, list[object]] = {
        "accessed": accessed,
        "job_start": jobs,
        "discharged": left,
        "ethnicity": ethnicity,
        "gender": gender,
    }
    caseload: dict[str, dict[str, int]] = {}
    for name, values in (("ethnicity", ethnicity), ("gender", gender)):
        levels = sorted({str(v) for v in values if v is not None})
        caseload[name] = {
            str(level): values.count(level) + draw(st.integers(0, 60)) for level in levels
        }
        caseload[name]["Not known"] = values.count(None) + draw(st.integers(0, 30))
    return columns, caseload


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


# --- hostile input, for fuzzing the validation of every public function -------------------

_HUGE = [2**53 + 1, 2**62, 2**63 - 1, 2**63, 2**64, 10**30, -1, -(2**63)]


def hostile_scalars() -> st.SearchStrategy[object]:
    """Single values a count or probability argument must refuse or handle cleanly.

    NaN and infinities, integers near and past the int64 and float64 limits, negatives,
    fractions, complex numbers, booleans, ``None``, text, a mapping and a bare object, mixed
    with a few ordinary small counts.
    """
    return st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, *_HUGE]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(max_magnitude=10),
        st.booleans(),
        st.none(),
        st.text(max_size=3),
        st.just({"a": 1}),
        st.builds(object),
        st.integers(0, 20),
    )


_HOSTILE_DTYPES = [np.int64, np.uint64, np.int8, np.float64, np.float16, np.complex128, np.bool_]


def hostile_arrays() -> st.SearchStrategy[object]:
    """Array-likes of every awkward kind: hostile elements, ragged, empty, 0- to 3-D.

    Python lists (regular or ragged) of :func:`hostile_scalars`, numpy arrays of integer,
    unsigned, float, half, complex and boolean dtypes with extreme values, object arrays,
    and empty arrays of several shapes.
    """
    element = hostile_scalars()
    lists = st.recursive(
        st.lists(element, max_size=5), lambda inner: st.lists(inner, max_size=4), max_leaves=20
    )
    numeric = st.sampled_from(_HOSTILE_DTYPES).flatmap(
        lambda dtype: hnp.arrays(
            dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
        )
    )
    objects = hnp.arrays(
        object, hnp.array_shapes(min_dims=1, max_dims=2, max_side=3), elements=element
    )
    empty = st.sampled_from(
        [
            [],
            [[]],
            [[], []],
            np.empty((0,)),
            np.empty((0, 3)),
            np.empty((2, 0)),
            np.empty((0, 2, 2)),
        ]
    )
    huge_tables = st.sampled_from(
        [
            [2**62, 2**62, 1],
            [[2**62, 1], [1, 2**62]],
            [[2**62, 2**62], [2**62, 2**62]],
            [[[2**62, 1], [1, 2**62]], [[1, 1], [1, 1]]],
            np.full((2, 2), 2**62, dtype=np.int64),
            np.full((3, 2), np.iinfo(np.uint64).max, dtype=np.uint64),
        ]
    )
    return st.one_of(element, lists, numeric, objects, empty, huge_tables)


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


# ---- reports with the indicator options: strata and services -----------------------------


def _band(age: object) -> str:
    """The age band of ``Cohort.with_age_band()`` (edges 25, 40, 55), "Not known" if none."""
    if age is None:
        return "Not known"
    value = float(age)  # type: ignore[arg-type]
    for edge, label in ((25, "<=25"), (40, "26-40"), (55, "41-55")):
        if value <= edge:
            return label
    return ">55"


@st.composite
def report_option_inputs(
    draw: st.DrawFn, *, min_size: int = 12, max_size: int = 60
) -> tuple[dict[str, list[object]], dict[str, object]]:
    """Columns of :func:`report_inputs` with ``age`` and ``team``, and a stratified caseload.

    The ethnicity caseload is keyed ``(ethnicity, age band, gender)`` ("Not known" for a
    missing value), at least as large as the cohort in every cell; the gender caseload is
    as in :func:`report_inputs` (gender is a stratum, compared crude).
    """
    columns, caseload = draw(report_inputs(min_size=min_size, max_size=max_size))
    n = len(columns["accessed"])
    columns["age"] = draw(
        st.lists(st.one_of(st.none(), st.integers(18, 70)), min_size=n, max_size=n)
    )
    columns["team"] = draw(st.lists(st.sampled_from(["T1", "T2", "T3"]), min_size=n, max_size=n))
    cells: dict[tuple[str, str, str], int] = {}
    for eth, age, gender in zip(
        columns["ethnicity"], columns["age"], columns["gender"], strict=True
    ):
        key = (
            "Not known" if eth is None else str(eth),
            _band(age),
            "Not known" if gender is None else str(gender),
        )
        cells[key] = cells.get(key, 0) + 1
    stratified = {key: k + draw(st.integers(0, 40)) for key, k in cells.items()}
    return columns, {"ethnicity": stratified, "gender": caseload["gender"]}
