from __future__ import annotations

import calendar as std_calendar
import contextlib
import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import InvalidInputError, IpsStatsError
from ipsstats._dateparse import (  # fast path vs naive
    _DAY_BEFORE_MONTH,
    _MONTH_LENGTH,
    _from_parts,
    _parse_fixed,
    _text_matrix,
    _tokenise,
    date_width,
    parse_full_width,
)
from ipsstats.calendar import (
    DAYS_PER_MONTH,
    FIRST_DATE,
    LAST_DATE,
    MAX_MONTHS,
    add_months,
    as_dates,
    days_to_months,
    describe_date_format,
    months_between,
    parse_date_strings,
)
from tests.strategies import junk_values

FIRST = dt.date(1999, 1, 1)
LAST = dt.date(2030, 12, 31)
ALL_DAYS = np.arange(
    np.datetime64(FIRST, "D"), np.datetime64(LAST, "D") + 1, dtype="datetime64[D]"
)
SHIFTS = (-25, -13, -12, -7, -6, -1, 0, 1, 2, 5, 6, 11, 12, 24, 61)


def naive_add_months(date: dt.date, n: int) -> dt.date:
    """Obviously correct month addition: count months, then clamp the day."""
    index = date.year * 12 + (date.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    last_day = std_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(date.day, last_day))


def naive_months_between(a: dt.date, b: dt.date) -> int:
    """Search for the largest m with add_months(a, m) <= b."""
    m = (b.year - a.year) * 12 + (b.month - a.month) - 2
    while naive_add_months(a, m + 1) <= b:
        m += 1
    return m


def as_python(dates: NDArray[np.datetime64]) -> list[dt.date]:
    return [dt.date.fromisoformat(str(d)) for d in dates]


@pytest.mark.parametrize("shift", SHIFTS)
def test_add_months_every_day_1999_to_2030(shift: int) -> None:
    got = add_months(ALL_DAYS, shift)
    expected = [naive_add_months(day, shift) for day in as_python(ALL_DAYS)]
    assert as_python(got) == expected


def test_add_months_scalar_equals_vectorised() -> None:
    sample = ALL_DAYS[::97]
    vectorised = add_months(sample, 6)
    for day, vec in zip(as_python(sample), as_python(vectorised), strict=True):
        assert add_months(day, 6) == vec
        assert add_months(day.isoformat(), 6) == vec
        assert add_months(np.datetime64(day, "D"), 6) == vec


@pytest.mark.parametrize("offset", [-400, -366, -31, -29, -1, 0, 1, 27, 28, 30, 31, 61, 183, 366])
def test_months_between_every_day_1999_to_2030(offset: int) -> None:
    ends = ALL_DAYS + np.timedelta64(offset, "D")
    got = months_between(ALL_DAYS, ends)
    starts_py, ends_py = as_python(ALL_DAYS), as_python(ends)
    expected = [
        naive_months_between(a, b) for a, b in zip(starts_py[::7], ends_py[::7], strict=True)
    ]
    assert got[::7].tolist() == expected
    # Every day: the defining inequality add_months(a, m) <= b < add_months(a, m + 1).
    assert (add_months(ALL_DAYS, got) <= ends).all()
    assert (add_months(ALL_DAYS, got + 1) > ends).all()


def test_scalar_equals_vectorised_for_every_day_1999_to_2030() -> None:
    # Every day once, each with a different shift and offset, through the scalar path.
    shifts = np.resize(np.array(SHIFTS), ALL_DAYS.size)
    offsets = np.resize(np.array([-400, -31, -1, 0, 27, 30, 31, 183]), ALL_DAYS.size)
    ends = ALL_DAYS + offsets.astype("timedelta64[D]")
    added = as_python(add_months(ALL_DAYS, shifts))
    counted = months_between(ALL_DAYS, ends).tolist()
    for k, (day, end) in enumerate(zip(as_python(ALL_DAYS), as_python(ends), strict=True)):
        assert add_months(day, int(shifts[k])) == added[k]
        assert months_between(day, end) == counted[k]


def test_months_between_inverts_add_months_for_every_day() -> None:
    # add_months(a, n) is strictly increasing in n, so months_between(a, add_months(a, n))
    # is exactly n for every date and every n, negative ones included, despite clamping.
    for n in range(-25, 26):
        assert (months_between(ALL_DAYS, add_months(ALL_DAYS, n)) == n).all()
        # One day earlier is one month fewer (the clamped month end is not reached).
        assert (months_between(ALL_DAYS, add_months(ALL_DAYS, n) - 1) == n - 1).all()


def test_month_end_clamping_examples() -> None:
    assert add_months("2019-08-31", 6) == dt.date(2020, 2, 29)
    assert add_months("2018-08-31", 6) == dt.date(2019, 2, 28)
    assert add_months(dt.date(2019, 6, 30), 6) == dt.date(2019, 12, 30)
    assert add_months(dt.date(2019, 7, 1), 6) == dt.date(2020, 1, 1)
    assert add_months(dt.datetime(2019, 1, 31, 23, 59), 1) == dt.date(2019, 2, 28)
    assert add_months("2020-02-29", -12) == dt.date(2019, 2, 28)


def test_months_between_examples_and_asymmetry() -> None:
    assert months_between("2019-06-30", "2019-12-31") == 6
    assert months_between("2019-07-01", "2019-12-31") == 5
    assert months_between("2019-03-31", "2019-02-28") == -1
    assert months_between("2019-02-28", "2019-03-31") == 1
    assert months_between("2019-01-31", "2019-02-28") == 1
    assert months_between("2019-02-28", "2019-01-31") == -1
    assert months_between("2019-03-01", "2019-02-28") == -1
    assert months_between("2019-05-05", "2019-05-05") == 0
    assert isinstance(months_between("2019-05-05", "2019-05-05"), int)


@given(
    st.dates(min_value=FIRST, max_value=LAST),
    st.dates(min_value=FIRST, max_value=LAST),
    st.integers(-40, 40),
)
def test_followup_rule_equivalence(a: dt.date, b: dt.date, k: int) -> None:
    # add_months(a, k) <= b exactly when months_between(a, b) >= k.
    assert (add_months(a, k) <= b) == (months_between(a, b) >= k)
    assert months_between(a, b) == naive_months_between(a, b)


@given(st.dates(min_value=FIRST, max_value=LAST), st.integers(-30, 30), st.integers(-30, 30))
def test_add_months_monotone_in_n(a: dt.date, m: int, k: int) -> None:
    low, high = sorted((m, k))
    assert add_months(a, low) <= add_months(a, high)


def test_broadcasting_and_nat() -> None:
    dates = np.array(["2019-01-31", "NaT"], dtype="datetime64[D]")
    got = add_months(dates, np.array([1, 2]))
    assert str(got[0]) == "2019-02-28"
    assert np.isnat(got[1])
    grid = add_months(np.array(["2019-01-31"], dtype="datetime64[D]"), np.arange(3))
    assert [str(d) for d in grid] == ["2019-01-31", "2019-02-28", "2019-03-31"]


def test_inputs_of_every_kind() -> None:
    expected = np.array(["2019-01-01", "NaT"], dtype="datetime64[D]")
    pandas_dates = pd.Series(pd.to_datetime(["2019-01-01 10:30", None]))
    polars_dates = pl.Series([dt.date(2019, 1, 1), None])
    ns = np.array(["2019-01-01T23:59:59", "NaT"], dtype="datetime64[ns]")
    for value in (
        pandas_dates,
        polars_dates,
        ns,
        ["2019-01-01", None],
        [dt.date(2019, 1, 1), ""],
        (dt.datetime(2019, 1, 1, 5), float("nan")),
        pd.Series(["2019-01-01", None]),
    ):
        np.testing.assert_array_equal(as_dates(value, "x"), expected)
    np.testing.assert_array_equal(
        as_dates(["2019-01-01", "NA"], "x", missing_labels=["NA"]), expected
    )
    assert as_dates("NA", "x", missing_labels=["NA"]).shape == ()


def test_days_to_months() -> None:
    assert DAYS_PER_MONTH == 365.25 / 12
    assert round(days_to_months(132), 1) == 4.3
    assert round(days_to_months(146), 1) == 4.8
    assert days_to_months(30.4375) == 1.0
    np.testing.assert_allclose(days_to_months([0, 365.25, np.nan]), [0, 12, np.nan], rtol=1e-15)
    with pytest.raises(InvalidInputError, match="`days` must be a number"):
        days_to_months(["a"])
    with pytest.raises(InvalidInputError, match="`days` must be a number"):
        days_to_months(np.True_)


def test_parse_formats() -> None:
    text = np.array(["31/12/2019", "1/7/2019", " 05/03/2020 ", "", "30/02/2019", "5/3/20"])
    dates, blank, bad = parse_date_strings(text, "%d/%m/%Y")
    assert [str(d) for d in dates[:3]] == ["2019-12-31", "2019-07-01", "2020-03-05"]
    assert blank.tolist() == [False, False, False, True, False, False]
    assert bad.tolist() == [False, False, False, False, True, True]
    dates, _, bad = parse_date_strings(np.array(["20191231", "201912"]), "%Y%m%d")
    assert str(dates[0]) == "2019-12-31"
    assert bad.tolist() == [False, True]
    dates, _, bad = parse_date_strings(
        np.array(["01-Jan-2019", "9-sep-2021", "1-Foo-2019"]), "%d-%b-%Y"
    )
    assert [str(d) for d in dates[:2]] == ["2019-01-01", "2021-09-09"]
    assert bad.tolist() == [False, False, True]
    iso = np.array(["2019-12-31T10:00:00", "2019-12-31 10:00", "2019-12-31x", "2019-13-01"])
    dates, _, bad = parse_date_strings(iso)
    assert bad.tolist() == [False, False, True, True]
    dates, blank, bad = parse_date_strings(np.array([], dtype=str))
    assert dates.size == blank.size == bad.size == 0


def test_parse_every_day_matches_strftime() -> None:
    days = as_python(ALL_DAYS[::3])
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%m.%d.%Y", "%d %b %Y", "%Y%m%d"):
        text = np.array([d.strftime(fmt) for d in days])
        dates, _, bad = parse_date_strings(text, None if fmt == "%Y-%m-%d" else fmt)
        assert not bad.any()
        assert as_python(dates) == days


def test_describe_date_format() -> None:
    assert describe_date_format(None) == "YYYY-MM-DD (ISO 8601)"
    assert describe_date_format("%d %b %Y") == 'DD Mon YYYY (date_format="%d %b %Y")'


def test_day_first_date_read_as_iso_gets_a_hint() -> None:
    with pytest.raises(
        InvalidInputError, match=r"'31/12/2019' at index 1.*date_format=\"%d/%m/%Y\""
    ):
        as_dates(["2019-01-01", "31/12/2019"], "accessed")
    with pytest.raises(InvalidInputError, match="day-first or month-first"):
        as_dates(["01/02/2019"], "accessed")
    with pytest.raises(InvalidInputError, match=r"date_format=\"%m/%d/%Y\""):
        as_dates(["12/31/2019"], "accessed")
    with pytest.raises(InvalidInputError, match="look like ISO 8601"):
        as_dates(["2019-12-31"], "accessed", date_format="%d/%m/%Y")
    with pytest.raises(InvalidInputError, match="real calendar dates"):
        as_dates(["soon"], "accessed")
    with pytest.raises(InvalidInputError, match="and 1 more"):
        as_dates(["a", "b", "c", "d", "e", "f"], "accessed")


def test_invalid_inputs() -> None:
    with pytest.raises(InvalidInputError, match="`date` must be a date or an array"):
        add_months(20190101, 1)
    with pytest.raises(InvalidInputError, match="`date` must hold dates"):
        add_months(np.array([1.0, 2.0]), 1)
    with pytest.raises(InvalidInputError, match="`date` must hold dates"):
        add_months([dt.date(2019, 1, 1), 3], 1)
    with pytest.raises(InvalidInputError, match="`n` must be a whole number"):
        add_months("2019-01-01", 1.5)
    with pytest.raises(InvalidInputError, match="`n` must be a whole number"):
        add_months("2019-01-01", "6")
    assert add_months("2019-01-31", 1.0) == dt.date(2019, 2, 28)
    with pytest.raises(InvalidInputError, match="`date` must be a date"):
        add_months("", 1)
    with pytest.raises(InvalidInputError, match=r"`b` must hold dates, not missing.*index 1"):
        months_between(["2019-01-01", "2019-01-01"], ["2019-01-01", None])
    with pytest.raises(InvalidInputError, match="`date_format` must use only the directives"):
        parse_date_strings(np.array(["x"]), "%d/%m/%y")
    with pytest.raises(InvalidInputError, match="`date_format` must contain a year"):
        parse_date_strings(np.array(["x"]), "%d/%m")
    assert str(parse_date_strings(np.array(["100%-2019-01-02"]), "100%%-%Y-%m-%d")[0][0]) == (
        "2019-01-02"
    )


def test_fixed_layout_fast_path_parses_padded_dates() -> None:
    # The column-arithmetic path must handle full-width dates itself (speed), leaving
    # only irregular rows to the general parser.
    text = np.array(["2019-01-05", "", "2020-02-29", " 2019-01-05", "2019-02-29"])
    for array in (text, text.astype("S")):
        dates, done = _parse_fixed(_text_matrix(array), _tokenise("%Y-%m-%d"))
        assert done.tolist() == [True, False, True, False, False]
        assert [str(d) for d in dates[[0, 2]]] == ["2019-01-05", "2020-02-29"]
    dates, done = _parse_fixed(
        _text_matrix(np.array(["05/01/2019", "5/1/2019"])), _tokenise("%d/%m/%Y")
    )
    assert done.tolist() == [True, False]
    assert str(dates[0]) == "2019-01-05"


def spelled(day: dt.date, date_format: str) -> str:
    """Write a date by hand (strftime does not pad years below 1000 on every platform)."""
    month = std_calendar.month_abbr[day.month]
    return (
        date_format.replace("%Y", f"{day.year:04d}")
        .replace("%m", f"{day.month:02d}")
        .replace("%d", f"{day.day:02d}")
        .replace("%b", month)
    )


@given(
    st.dates(),
    st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y"]),
)
def test_parse_matches_python_dates_in_every_year(day: dt.date, date_format: str) -> None:
    text = np.array([spelled(day, date_format)])
    for array in (text, text.astype("S")):
        dates, blank, bad = parse_date_strings(array, date_format)
        assert not blank[0]
        assert not bad[0]
        assert as_python(dates) == [day]


@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
def test_impossible_dates_are_flagged(year: int, month: int, day: int) -> None:
    text = np.array([f"{year:04d}-{month:02d}-{day:02d}"])
    dates, _blank, bad = parse_date_strings(text)
    try:
        expected = dt.date(year, month, day)
    except ValueError:  # not a date (or year 0, before Python's calendar)
        expected = None
    if expected is None and year == 0 and 1 <= month <= 12:
        # year 0 (1 BC) is a leap year of the proleptic Gregorian calendar numpy uses
        length = 29 if month == 2 else std_calendar.monthrange(2000, month)[1]
        assert bool(bad[0]) == (not 1 <= day <= length)
        return
    assert bool(bad[0]) == (expected is None)
    if expected is not None:
        assert as_python(dates) == [expected]


@given(st.lists(st.text(max_size=14), max_size=20), st.sampled_from([None, "%d/%m/%Y"]))
def test_arbitrary_text_never_raises(values: list[str], date_format: str | None) -> None:
    text = np.array(values, dtype=str) if values else np.zeros(0, dtype=str)
    dates, blank, bad = parse_date_strings(text, date_format)
    assert not (blank & bad).any()
    assert np.isnat(dates[blank | bad]).all()
    assert not np.isnat(dates[~blank & ~bad]).any()


# --- fuzz: only ipsstats errors escape -------------------------------------------------------


@given(junk_values())
def test_calendar_functions_raise_only_house_errors(value: object) -> None:
    calls: list[Callable[[], object]] = [
        lambda: add_months(value, 1),
        lambda: add_months("2019-01-31", value),
        lambda: add_months(["2019-01-31", "2019-03-31"], value),
        lambda: months_between(value, "2019-01-01"),
        lambda: months_between(["2019-01-01", "2019-02-01"], value),
        lambda: days_to_months(value),
        lambda: as_dates(value, "dates"),
        lambda: parse_date_strings(np.array(["2019-01-01"]), value),  # type: ignore[arg-type]
    ]
    for call in calls:
        with contextlib.suppress(IpsStatsError):
            call()


def test_ragged_and_absurd_calendar_inputs() -> None:
    ragged = [["2019-01-01"], "2019-01-02"]
    with pytest.raises(InvalidInputError, match=r"`date` must be a date or an array of dates"):
        add_months(ragged, 1)
    with pytest.raises(InvalidInputError, match=r"`a` must be a date or an array of dates"):
        months_between(ragged, "2019-01-01")
    with pytest.raises(InvalidInputError, match=r"`days` must be a number"):
        days_to_months([1, [2, 3]])
    with pytest.raises(InvalidInputError, match=r"`n` must lie between -120000 and 120000 months"):
        add_months("2019-01-01", 2**62)
    with pytest.raises(InvalidInputError, match=r"`n` must be a whole number of months"):
        add_months("2019-01-01", 2**70)
    with pytest.raises(
        InvalidInputError,
        match=r"`n` must keep the dates between 0001-01-01 and 9999-12-31; got a result of "
        r"10000-01-31",
    ):
        add_months(dt.date(9999, 12, 31), 1)
    with pytest.raises(
        InvalidInputError, match=r"`date` must hold dates between 0001-01-01 and 9999-12-31"
    ):
        add_months(np.array([2**40], dtype="datetime64[D]"), 1)
    with pytest.raises(InvalidInputError, match=r"`n` must broadcast against `date`"):
        add_months(["2019-01-01"] * 3, [1, 2])
    with pytest.raises(InvalidInputError, match=r"`b` must broadcast against `a`"):
        months_between(["2019-01-01"] * 3, ["2019-01-01"] * 2)
    with pytest.raises(InvalidInputError, match=r"`date_format` must be a format string"):
        parse_date_strings(np.array(["2019-01-01"]), 5)  # type: ignore[arg-type]
    assert add_months(dt.date(1, 1, 31), MAX_MONTHS - 24) == dt.date(9999, 1, 31)
    span = LAST_DATE - FIRST_DATE
    assert span == np.timedelta64(3652058, "D")


def test_month_tables_match_the_calendar_arithmetic() -> None:
    year = np.repeat(np.arange(10_000), 12)
    month = np.tile(np.arange(1, 13), 10_000)
    index = 16 * year + month
    firsts, real = _from_parts(year, month, np.ones_like(month))
    assert real.all()
    np.testing.assert_array_equal(_DAY_BEFORE_MONTH[index] + 1, firsts.astype(np.int64))
    _lasts, real = _from_parts(year, month, _MONTH_LENGTH[index].astype(np.int64))
    assert real.all()
    _beyond, real = _from_parts(year, month, _MONTH_LENGTH[index].astype(np.int64) + 1)
    assert not real.any()
    assert _DAY_BEFORE_MONTH[0] == np.iinfo(np.int64).min  # NaT: rows not parsed
    impossible = (16 * np.arange(10_000)[:, None] + np.array([0, 13, 14, 15])).ravel()
    assert not _MONTH_LENGTH[impossible].any()


FIXED_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%Y", "100%%-%Y-%m-%d"]
NEAR_DATES = st.one_of(
    st.binary(max_size=14).map(lambda raw: raw.replace(b"\x00", b"")),
    st.lists(st.sampled_from(list(b"0123456789-/.% T\xe9\x80")), max_size=14).map(bytes),
    st.builds(
        lambda day, fmt: spelled(day, fmt).encode(),
        st.dates(),
        st.sampled_from(FIXED_FORMATS),
    ),
    st.builds(
        lambda y, m, d: b"%04d-%02d-%02d" % (y, m, d),
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
)


@given(st.lists(NEAR_DATES, min_size=1, max_size=30), st.sampled_from(FIXED_FORMATS))
def test_byte_layout_agrees_with_code_point_arithmetic(values: list[bytes], fmt: str) -> None:
    # Latin-1 gives each byte the code point of its value: the same codes, read by the
    # column arithmetic of text (fast path vs naive).
    raw = np.array(values, dtype="S")
    text = np.array([value.decode("latin-1") for value in values], dtype=str)
    tokens = _tokenise(fmt)
    by_bytes = _parse_fixed(_text_matrix(raw), tokens)
    by_text = _parse_fixed(_text_matrix(text), tokens)
    np.testing.assert_array_equal(by_bytes[1], by_text[1])
    np.testing.assert_array_equal(by_bytes[0], by_text[0])


@given(st.lists(NEAR_DATES, min_size=1, max_size=30), st.sampled_from(FIXED_FORMATS))
def test_full_width_parse_agrees_with_the_general_parser(values: list[bytes], fmt: str) -> None:
    width = date_width(fmt)
    assert width is not None
    exact = np.array([len(value) == width for value in values])
    heads = np.array([value[:width].ljust(width, b"?") for value in values], dtype=f"S{width}")
    dates, done = parse_full_width(heads, fmt, exact)
    text = np.array([value.decode("latin-1") for value in values], dtype=str)
    general, blank, bad = parse_date_strings(text, fmt)
    assert not (done & ~exact).any()
    assert not (done & (bad | blank)).any()
    np.testing.assert_array_equal(dates[done], general[done])
    assert np.isnat(dates[~done]).all()
    written = exact & ~bad & ~blank & np.char.isdigit(np.char.replace(text, "-", "0"))
    if fmt == "%Y-%m-%d":  # every real date at full width is read in place
        assert (done == written).all()


def test_full_width_parse_needs_strings_as_wide_as_a_date() -> None:
    assert (date_width(None), date_width("%Y%m%d"), date_width("%d %b %Y")) == (10, 8, None)
    with pytest.raises(InvalidInputError, match="`text` must hold byte strings as wide"):
        parse_full_width(np.array([b"2019-01-01x"]), None, np.array([True]))
    with pytest.raises(InvalidInputError, match="`text` must hold byte strings as wide"):
        parse_full_width(np.array(["2019-01-01"]), None, np.array([True]))
    with pytest.raises(InvalidInputError, match="`text` must hold byte strings as wide"):
        parse_full_width(np.array([b"05 Jan 2019"]), "%d %b %Y", np.array([True]))
    dates, done = parse_full_width(
        np.array([b"2019-01-05"]), "%Y\u2013%m\u2013%d", np.array([True])
    )
    assert not done.any()  # a literal no single byte equals: left to the general parser
    assert np.isnat(dates).all()
