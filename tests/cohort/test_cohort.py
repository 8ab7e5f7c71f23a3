from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from ipsstats import (
    Cohort,
    ContingencyTable,
    Factor,
    InvalidInputError,
    StratifiedTable,
    age_band,
)
from ipsstats.cohort import REASONS, ValidationReport
from ipsstats.cohort._arrow import split_with_arrow  # fast path vs naive
from ipsstats.cohort._csv import _read_csv, _split_plain_csv  # fast path vs naive
from tests.strategies import cohort_csv_texts, cohort_records

END = "2020-06-30"

CSV = (
    "Client,First contact,Job,Discharge,Age,Ethnicity,Service\n"
    "A1,2019-01-05,2019-03-01,2019-09-01,34,White,CNWL\n"
    "A2,2019-02-10,,2019-04-01,51,Asian,WWT\n"
    "A3,2019-06-30,2019-06-30,,22,Not known,CNWL\n"
    "A4,2019-07-01,,,60,Black,WWT\n"
)
ROLES = {
    "id": "Client",
    "accessed": "First contact",
    "job_start": "Job",
    "discharged": "Discharge",
    "age": "Age",
}


def load(text: str = CSV, **options: Any) -> Cohort:
    options.setdefault("observed_until", "2019-12-31")
    options.setdefault("columns", ROLES)
    return Cohort.from_csv(io.StringIO(text), **options)


def dates(*values: str | None) -> NDArray[np.datetime64]:
    return np.array(["NaT" if v is None else v for v in values], dtype="datetime64[D]")


# ---- loading --------------------------------------------------------------------------


def test_from_csv_roles_attributes_and_missing_labels() -> None:
    cohort = load(missing_labels=["Not known"])
    assert cohort.ids.tolist() == ["A1", "A2", "A3", "A4"]
    np.testing.assert_array_equal(
        cohort.accessed, dates("2019-01-05", "2019-02-10", "2019-06-30", "2019-07-01")
    )
    np.testing.assert_array_equal(cohort.job_start, dates("2019-03-01", None, "2019-06-30", None))
    np.testing.assert_array_equal(cohort.discharged, dates("2019-09-01", "2019-04-01", None, None))
    assert cohort.observed_until == dt.date(2019, 12, 31)
    assert cohort.attribute_names == ("age", "Ethnicity", "Service")
    np.testing.assert_array_equal(cohort["age"], [34, 51, 22, 60])
    ethnicity = cohort["Ethnicity"]
    assert isinstance(ethnicity, Factor)
    assert ethnicity.levels == ("Asian", "Black", "White")
    assert ethnicity.codes.tolist() == [2, 0, -1, 1]
    assert cohort.rows.tolist() == [2, 3, 4, 5]
    assert cohort.validation.n_read == 4
    assert cohort.validation.n_excluded == 0
    assert cohort.validation.row_kind == "line"


def test_from_csv_file_with_and_without_bom(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text(CSV, encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + CSV.replace("\n", "\r\n").encode("utf-8"))
    first = Cohort.from_csv(plain, observed_until="2019-12-31", columns=ROLES)
    second = Cohort.from_csv(str(bom), observed_until="2019-12-31", columns=ROLES)
    assert_same_cohort(first, second)
    assert first.validation.source == "plain.csv"


def test_day_first_dates_on_request() -> None:
    text = CSV.replace("2019-01-05", "05/01/2019").replace("2019-03-01", "1/3/2019")
    text = text.replace("2019-09-01", "01/09/2019").replace("2019-02-10", "10/02/2019")
    text = text.replace("2019-04-01", "01/04/2019").replace("2019-06-30", "30/06/2019")
    text = text.replace("2019-07-01", "01/07/2019")
    assert_same_cohort(load(text, date_format="%d/%m/%Y"), load())


def test_attribute_renaming_and_numeric_attributes() -> None:
    columns = {**ROLES, "ethnicity": "Ethnicity"}
    cohort = load(
        CSV.replace("CNWL", "1").replace("WWT", "2"), columns=columns, numeric=["Service"]
    )
    assert cohort.attribute_names == ("age", "ethnicity", "Service")
    np.testing.assert_array_equal(cohort["Service"], [1, 2, 1, 2])


def test_csv_line_numbers_with_blank_lines_and_quoted_newlines() -> None:
    text = 'id,accessed,note\n1,2019-01-01,"two\nlines"\n\n2,2019-02-01,x\n3,2019-01-01,y\n'
    cohort = Cohort.from_csv(io.StringIO(text), observed_until="2019-12-31")
    assert cohort.rows.tolist() == [2, 5, 6]
    note = cohort["note"]
    assert isinstance(note, Factor)
    assert note.levels == ("two\nlines", "x", "y")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_plain_and_quoted_files_read_alike(newline: str, final_newline: bool) -> None:
    # Files without quotes are split with vectorised byte searches; files with quotes go
    # through the csv module. Both must give the same cohort and report.
    rows = [
        "id,accessed,job_start,discharged,age,ethnicity,note",
        " P1 ,2019-01-05,2019-03-01,,34,Black,café",
        "P2,2019-02-10,,2019-04-01,,Not known,  ",
        "P3, 2019-06-30,30/06/2019,,x,White,a longer free-text note",
        "P4,2019-07-01,,,60,,NA",
        "P1,2019-07-02,,,61,Asian,",
    ]
    plain = newline.join(rows) + (newline if final_newline else "")
    quoted = plain.replace("id,accessed", '"id",accessed', 1)
    options: dict[str, Any] = {
        "observed_until": "2019-12-31",
        "missing_labels": ["Not known", "NA"],
        "errors": "exclude",
    }
    fast = Cohort.from_csv(io.StringIO(plain), **options)
    slow = Cohort.from_csv(io.StringIO(quoted), **options)
    assert_same_cohort(fast, slow)
    assert fast.validation.issues() == slow.validation.issues()
    assert fast.validation.issues() == [
        (2, "id", "P1 (also line 6)", "duplicate id"),
        (4, "job_start", "30/06/2019", "unparseable job start date"),
        (6, "id", "P1 (also line 2)", "duplicate id"),
    ]
    note = fast["note"]
    assert isinstance(note, Factor)
    # Levels come from every record read, so excluded records leave empty levels behind.
    assert note.levels == ("a longer free-text note", "café")
    assert note.codes.tolist() == [-1, -1]
    eth = fast["ethnicity"]
    assert isinstance(eth, Factor)
    assert eth.levels == ("Asian", "Black", "White")
    assert fast.ids.tolist() == ["P2", "P4"]


@given(
    st.lists(st.text(alphabet='ab,"; é\n', max_size=6), min_size=1, max_size=12),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_quoted_fields_read_like_the_csv_module(
    notes: list[str], quoting: Any, terminator: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator=terminator)
    writer.writerow(["id", "accessed", "note"])
    writer.writerows([str(k), "2019-01-01", note] for k, note in enumerate(notes))
    from_file = Cohort.from_csv(io.StringIO(buffer.getvalue()), observed_until=END)
    records = [{"id": str(k), "accessed": "2019-01-01", "note": n} for k, n in enumerate(notes)]
    from_records = Cohort.from_records(records, observed_until=END)
    assert_same_cohort(from_file, from_records)
    assert from_file.rows[0] == 2


def test_separators_inside_quotes() -> None:
    text = 'id,accessed,note\n1,2019-01-01,"a, ""quoted"" note"\n"2","2019-01-02",plain\n'
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END)
    note = cohort["note"]
    assert isinstance(note, Factor)
    assert note.levels == ('a, "quoted" note', "plain")
    assert cohort.ids.tolist() == ["1", "2"]
    odd = 'id,accessed,note\n1,2019-01-01,ab"c\n'
    quirky = Cohort.from_csv(io.StringIO(odd), observed_until=END)
    assert quirky["note"].levels == ('ab"c',)  # type: ignore[union-attr]  # as csv reads it
    with pytest.raises(InvalidInputError, match=r"well-formed CSV.*expected after"):
        Cohort.from_csv(io.StringIO(odd + '2,2019-01-02,"x"y\n'), observed_until=END)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_keep_line_numbers(newline: str) -> None:
    rows = ["id,accessed,note", "", "1,2019-01-01,a", "", "", "2,2019-01-02,b", "", ""]
    plain = newline.join(rows)
    quoted = plain.replace("01,a", '01,"a"')  # quotes send files with blank lines to csv
    for text in (plain, quoted):
        cohort = Cohort.from_csv(io.StringIO(text), observed_until=END)
        assert cohort.rows.tolist() == [3, 6]
        assert cohort.ids.tolist() == ["1", "2"]
        assert cohort["note"].levels == ("a", "b")  # type: ignore[union-attr]
        assert cohort.validation.n_read == 2


@pytest.mark.parametrize("inner", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("odd", ["", "\x1e", "\x1f"])
def test_line_breaks_inside_fields_keep_line_numbers(inner: str, odd: str) -> None:
    text = (
        "id,accessed,note\r\n"
        f'1,2019-01-01,"two{inner}lines{odd}"\r\n'
        "\r\n"
        f'2,2019-01-02,"three{inner}{inner}lines"\r\n'
        "3,2019-01-03,x\r\n"
    )
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END)
    assert cohort.rows.tolist() == [2, 5, 8]
    assert cohort["note"].levels == (  # type: ignore[union-attr]
        f"three{inner}{inner}lines",
        f"two{inner}lines{odd}",
        "x",
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_breaks_and_blank_lines_stay_on_the_vectorised_path(newline: str) -> None:
    text = newline.join(
        [
            "id,accessed,note",
            '1,2019-01-01,"two' + newline + 'lines, one comma"',
            '2,2019-01-02,"three' + newline + newline + 'more"',
            "",
            "3,2019-13-01,x",
            '"4","2019-01-04","say ""hi"""',
            "",
        ]
    )
    for tail in ("", newline * 5000):  # blank lines at the end hold no records
        fast = _split_plain_csv((text + tail).encode(), ",", "csv")
        assert fast is not None  # no fall back to the csv module
        columns, lines = fast
        _header, body, by_module = _read_csv(text + tail, ",", "csv")
        assert lines.tolist() == by_module.tolist() == [2, 4, 8, 9]
        assert [value.decode() for value in columns["note"]] == [row[2] for row in body]
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END, errors="exclude")
    assert cohort.rows.tolist() == [2, 4, 9]
    assert cohort.validation.issues() == [(8, "accessed", "2019-13-01", "unparseable access date")]


def test_header_only_file_gives_an_empty_cohort() -> None:
    cohort = Cohort.from_csv(io.StringIO("id,accessed\n"), observed_until="2019-12-31")
    assert cohort.n == 0
    assert cohort.validation.n_read == 0
    assert cohort.time_to_job().n == 0


def test_from_records_and_columns_agree() -> None:
    records = [
        {"id": "a", "accessed": "2019-01-01", "job_start": dt.date(2019, 2, 1), "sex": "F"},
        {"id": "b", "accessed": dt.datetime(2019, 1, 2, 9, 30), "discharged": None},
        {"id": "c", "accessed": np.datetime64("2019-01-03"), "age": 41, "sex": "M"},
    ]
    from_records = Cohort.from_records(iter(records), observed_until="2019-12-31")
    columns = {
        "id": ["a", "b", "c"],
        "accessed": dates("2019-01-01", "2019-01-02", "2019-01-03"),
        "job_start": ["2019-02-01", "", None],
        "sex": ["F", None, "M"],
        "discharged": [None, None, None],
        "age": [np.nan, np.nan, 41.0],
    }
    from_columns = Cohort.from_columns(columns, observed_until="2019-12-31")
    assert_same_cohort(from_records, from_columns)
    assert from_records.validation.row_kind == "index"


def test_pandas_and_polars_data_frames() -> None:
    frame = {
        "id": [10, 11, 12],
        "accessed": pd.to_datetime(["2019-01-01", "2019-01-02", "2019-01-03"]),
        "job_start": pd.to_datetime(["2019-02-01", None, None]),
        "gender": pd.Categorical(["F", None, "M"], categories=["M", "F"]),
        "age": [30.0, np.nan, 45.0],
    }
    from_pandas = Cohort.from_columns(pd.DataFrame(frame), observed_until="2019-12-31")
    assert from_pandas.ids.tolist() == ["10", "11", "12"]
    gender = from_pandas["gender"]
    assert isinstance(gender, Factor)
    assert gender.levels == ("M", "F")
    assert gender.codes.tolist() == [1, -1, 0]
    polars_frame = pl.DataFrame(
        {
            "id": [10, 11, 12],
            "accessed": [dt.date(2019, 1, 1), dt.date(2019, 1, 2), dt.date(2019, 1, 3)],
            "job_start": [dt.date(2019, 2, 1), None, None],
            "gender": ["F", None, "M"],
            "age": [30.0, None, 45.0],
        }
    )
    from_polars = Cohort.from_columns(polars_frame, observed_until="2019-12-31")
    np.testing.assert_array_equal(from_polars.job_start, from_pandas.job_start)
    np.testing.assert_array_equal(from_polars.accessed, from_pandas.accessed)
    np.testing.assert_array_equal(from_polars["age"], from_pandas["age"])


def test_float_ids_from_data_frames_are_whole_numbers() -> None:
    cohort = Cohort.from_columns(
        {"id": pd.Series([1.0, 2.0, None]), "accessed": ["2019-01-01"] * 3},
        observed_until="2019-12-31",
        errors="exclude",
    )
    assert cohort.ids.tolist() == ["1", "2"]
    assert dict(cohort.validation.counts) == {"missing id": 1}


def assert_same_cohort(first: Cohort, second: Cohort) -> None:
    assert first.ids.tolist() == second.ids.tolist()
    for role in ("accessed", "job_start", "discharged"):
        np.testing.assert_array_equal(getattr(first, role), getattr(second, role))
    assert first.observed_until == second.observed_until
    assert set(first.attributes) == set(second.attributes)
    for name, column in first.attributes.items():
        other = second.attributes[name]
        if isinstance(column, Factor):
            assert isinstance(other, Factor)
            assert column.levels == other.levels
            np.testing.assert_array_equal(column.codes, other.codes)
        else:
            assert not isinstance(other, Factor)
            np.testing.assert_array_equal(column, other)


# ---- validation -------------------------------------------------------------------------

BAD = (
    "id,accessed,job_start,discharged,age\n"
    "1,2019-01-01,2018-12-01,,30\n"  # line 2: job start before access
    "2,,,,30\n"  # line 3: missing access date
    "3,2019-13-01,,,30\n"  # line 4: unparseable access date
    "4,2019-01-01,soon,,30\n"  # line 5: unparseable job start
    "5,2019-01-01,,later,30\n"  # line 6: unparseable discharge
    "6,2019-01-01,,,old\n"  # line 7: unparseable number
    "7,2019-01-01,,,130\n"  # line 8: age outside range
    "8,2019-02-01,,2019-01-01,30\n"  # line 9: discharge before access
    "9,2019-01-01,2019-03-01,2019-02-01,30\n"  # line 10: discharge before job start
    "10,2020-01-01,,,30\n"  # line 11: access after observed_until
    "11,2019-01-01,2020-01-01,,30\n"  # line 12: job start after observed_until
    "12,2019-01-01,,2020-01-01,30\n"  # line 13: discharge after observed_until
    "13,2019-01-01,,,30\n"  # line 14: duplicate id (with line 15)
    "13,2019-01-02,,,30\n"  # line 15
    ",2019-01-01,,,30\n"  # line 16: missing id
    "16,2019-01-01,,\n"  # line 17: wrong number of fields
    "17,2019-01-01,2019-01-01,2019-01-01,16\n"  # line 18: valid (same-day job and discharge)
    "18,0001-01-01,,,30\n"  # line 19: access before earliest_date
    "19,2019-01-01,1899-12-31,,30\n"  # line 20: job start before earliest_date
    "20,2019-01-01,,1000-01-01,30\n"  # line 21: discharge before earliest_date
)
EXPECTED = [
    (2, "job_start", "2018-12-01", "job start before access"),
    (3, "accessed", "", "missing access date"),
    (4, "accessed", "2019-13-01", "unparseable access date"),
    (5, "job_start", "soon", "unparseable job start date"),
    (6, "discharged", "later", "unparseable discharge date"),
    (7, "age", "old", "unparseable number"),
    (8, "age", "130", "age outside range"),
    (9, "discharged", "2019-01-01", "discharge before access"),
    (10, "discharged", "2019-02-01", "discharge before job start"),
    (11, "accessed", "2020-01-01", "access after observed_until"),
    (12, "job_start", "2020-01-01", "job start after observed_until"),
    (13, "discharged", "2020-01-01", "discharge after observed_until"),
    (14, "id", "13 (also line 15)", "duplicate id"),
    (15, "id", "13 (also line 14)", "duplicate id"),
    (16, "id", "", "missing id"),
    (17, "record", "(a different number of fields from the header)", "wrong number of fields"),
    (19, "accessed", "0001-01-01", "access before earliest_date"),
    (20, "job_start", "1899-12-31", "job start before earliest_date"),
    (21, "discharged", "1000-01-01", "discharge before earliest_date"),
]


def test_every_rule_is_reported_with_line_field_value_and_reason() -> None:
    cohort = Cohort.from_csv(
        io.StringIO(BAD), observed_until="2019-12-31", age_range=(16, 100), errors="exclude"
    )
    report = cohort.validation
    assert report.issues() == EXPECTED
    assert cohort.ids.tolist() == ["17"]
    assert cohort.rows.tolist() == [18]
    assert report.n_read == 20
    assert report.n_valid + report.n_excluded == report.n_read
    assert sum(report.counts.values()) == report.n_excluded
    assert set(report.counts) == set(REASONS)
    assert list(report.counts) == list(REASONS)
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["n_excluded"] == 19
    assert as_json["issues"][0] == {
        "row": 2,
        "field": "job_start",
        "value": "2018-12-01",
        "reason": "job start before access",
    }
    text = str(report)
    assert "20 records read, 1 valid, 19 excluded" in text
    assert "... and 9 more" in text


def test_raise_lists_the_first_offending_rows() -> None:
    pattern = (
        r"`path` must hold valid records; got 19 invalid of 20 in 'csv': "
        r"line 2, `job_start` '2018-12-01': job start before access; "
        r"line 3, `accessed` '': missing access date; .*and 14 more.*errors=\"exclude\""
    )
    with pytest.raises(InvalidInputError, match=pattern) as info:
        Cohort.from_csv(io.StringIO(BAD), observed_until="2019-12-31", age_range=(16, 100))
    assert info.value.positions == (2, 3, 4, 5, 6)
    assert info.value.argument == "job_start"


def test_duplicate_ids_report_both_rows() -> None:
    with pytest.raises(InvalidInputError, match=r"index 0, `id` 'x \(also index 2\)'"):
        Cohort.from_columns(
            {"id": ["x", "y", "x"], "accessed": ["2019-01-01"] * 3},
            observed_until="2019-12-31",
        )
    cohort = Cohort.from_columns(
        {"id": ["x", "y", "x", "x"], "accessed": ["2019-01-01"] * 4},
        observed_until="2019-12-31",
        errors="exclude",
    )
    assert cohort.validation.issues() == [
        (0, "id", "x (also index 2)", "duplicate id"),
        (2, "id", "x (also index 0)", "duplicate id"),
        (3, "id", "x (also index 0)", "duplicate id"),
    ]


def test_day_first_date_read_as_iso_gets_a_hint() -> None:
    text = "id,accessed\n1,2019-01-01\n2,31/12/2019\n"
    pattern = r"line 3, `accessed` '31/12/2019'.*day-first.*date_format=\"%d/%m/%Y\""
    with pytest.raises(InvalidInputError, match=pattern):
        Cohort.from_csv(io.StringIO(text), observed_until="2019-12-31")


def test_unparseable_date_says_the_expected_format() -> None:
    text = "id,accessed\n1,01/13/2019\n"
    with pytest.raises(InvalidInputError, match=r"read as DD/MM/YYYY.*%m/%d/%Y"):
        Cohort.from_csv(io.StringIO(text), observed_until="2019-12-31", date_format="%d/%m/%Y")
    with pytest.raises(InvalidInputError, match="Numbers must be finite plain decimals"):
        Cohort.from_csv(io.StringIO("accessed,age\n2019-01-01,x\n"), observed_until=END)


def test_unparseable_dates_in_objects() -> None:
    cohort = Cohort.from_records(
        [{"accessed": 3.5}, {"accessed": dt.date(2019, 1, 1), "job_start": object()}],
        observed_until=END,
        errors="exclude",
    )
    assert [issue[3] for issue in cohort.validation.issues()] == [
        "unparseable access date",
        "unparseable job start date",
    ]


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "got an empty file"),
        (b"  \n\n", "got an empty file"),
        (b"PK\x03\x04\x00\x00binary", "holds binary data"),
        (b"id,accessed\n1,caf\xe9\n", "whose byte 17 is not UTF-8"),
        (b"2019-01-01,2019-02-01\n", "start with a header line"),
        (b"id;accessed\n1;2019-01-01\n", "pass delimiter=';'"),
        (b"id,,accessed\n", "an empty name for column 2"),
        (b"id,id,accessed\n", "'id' twice"),
        (
            b"id,start\n1,2019-01-01\n",
            (
                r"no column for role 'accessed': looked for accessed, access_date, .*"
                r"found are: 'id', 'start'"
            ),
        ),
        (b'id,accessed\n1,"2019-01-01\n', "well-formed CSV"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, pattern: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=pattern):
        Cohort.from_csv(path, observed_until=END)


def test_bad_files_strict_csv_error(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b'id,accessed\n1,"2019-01-01\n')
    with pytest.raises(InvalidInputError, match="well-formed CSV"):
        Cohort.from_csv(path, observed_until=END)


def test_missing_file_and_binary_handle(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Cohort.from_csv(tmp_path / "absent.csv", observed_until=END)
    with pytest.raises(InvalidInputError, match="opened in text mode"):
        Cohort.from_csv(io.BytesIO(b"id,accessed\n"), observed_until=END)  # type: ignore[arg-type]


def test_mapped_column_missing_lists_headers() -> None:
    with pytest.raises(InvalidInputError, match=r"'accessed' mapped to 'Referral'.*'Client'"):
        load(columns={"accessed": "Referral"})
    with pytest.raises(InvalidInputError, match="map each column once"):
        load(columns={"accessed": "First contact", "job_start": "First contact"})
    with pytest.raises(InvalidInputError, match="map role names to column headers"):
        load(columns={"accessed": 3})
    with pytest.raises(InvalidInputError, match="`columns` must be a mapping"):
        load(columns=["accessed"])


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"observed_until": "soon"}, "`observed_until` must hold dates"),
        ({"observed_until": ["2019-01-01"]}, "`observed_until` must be a single date"),
        ({"errors": "ignore"}, "`errors` must be one of 'raise', 'exclude'"),
        ({"age_range": (100, 16)}, "`age_range` must be a"),
        ({"age_range": (16,)}, "`age_range` must be a"),
        ({"age_range": ("young", "old")}, "`age_range` must be a"),
        ({"date_format": "%d/%m"}, "`date_format` must contain a year"),
        ({"missing_labels": "NA"}, "`missing_labels` must be a collection"),
    ],
)
def test_bad_options(options: dict[str, Any], pattern: str) -> None:
    options.setdefault("observed_until", END)
    with pytest.raises(InvalidInputError, match=pattern):
        Cohort.from_columns({"accessed": ["2019-01-01"]}, **options)


def test_bad_column_inputs() -> None:
    with pytest.raises(InvalidInputError, match="`data` must be a mapping of column names"):
        Cohort.from_columns([1, 2], observed_until=END)
    with pytest.raises(
        InvalidInputError, match=r"`records` must hold one mapping.*list at index 1"
    ):
        Cohort.from_records([{"accessed": "2019-01-01"}, ["x"]], observed_until=END)  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match=r"`id` must have one value per person.*2 values"):
        Cohort.from_columns({"accessed": ["2019-01-01"] * 3, "id": [1, 2]}, observed_until=END)
    with pytest.raises(InvalidInputError, match=r"`accessed` must hold dates.*dtype int64"):
        Cohort.from_columns({"accessed": np.array([20190101])}, observed_until=END)
    with pytest.raises(InvalidInputError, match="index 0, `accessed` '20190101': unparseable"):
        Cohort.from_columns({"accessed": [20190101]}, observed_until=END)
    with pytest.raises(InvalidInputError, match="identify the access date column"):
        Cohort.from_columns({"start": ["2019-01-01"]}, observed_until=END)
    with pytest.raises(InvalidInputError, match=r"hashable labels; got unhashable \[1\]"):
        Cohort.from_records([{"accessed": "2019-01-01", "x": [1]}], observed_until=END)
    cohort = Cohort.from_columns(
        {"accessed": ["2019-01-01"], "job_start": [np.nan]}, observed_until=END
    )
    assert np.isnat(cohort.job_start).all()


def test_columns_must_be_one_dimensional() -> None:
    with pytest.raises(InvalidInputError, match=r"`accessed` must be a 1-dimensional.*\(\)"):
        Cohort.from_columns({"accessed": "2019-01-01"}, observed_until=END)
    with pytest.raises(InvalidInputError, match=r"`sex` must be a 1-dimensional.*\(1, 1\)"):
        Cohort.from_columns(
            {"accessed": ["2019-01-01"], "sex": np.array([["F"]])}, observed_until=END
        )


def test_spaces_around_values_are_ignored() -> None:
    plain = (
        "id , accessed,job_start,age,ethnicity,service\n"
        " a , 2019-01-05 , 2019-02-01 , 34 , White , CNWL\n"
        "b,2019-01-06,  , Not known ,  Not known,WWT \n"
        "c,2019-01-07, Not known,41,White,CNWL\n"
    )
    # The same file with a line break in a quoted field goes through the csv module.
    broken = plain + 'd,2019-01-08,,50,"Mixed\nother",WWT\n'
    for text in (plain, broken):
        cohort = Cohort.from_csv(
            io.StringIO(text), observed_until=END, missing_labels=["Not known"]
        )
        assert cohort.ids.tolist()[:3] == ["a", "b", "c"]
        assert str(cohort.job_start[0]) == "2019-02-01"
        assert np.isnat(cohort.job_start[1:3]).all()
        age = cohort["age"]
        assert not isinstance(age, Factor)
        np.testing.assert_array_equal(age[:3], [34.0, np.nan, 41.0])
        ethnicity = cohort["ethnicity"]
        assert isinstance(ethnicity, Factor)
        white = ethnicity.levels.index("White")
        assert ethnicity.codes.tolist()[:3] == [white, -1, white]
        service = cohort["service"]
        assert isinstance(service, Factor)
        assert service.levels == ("CNWL", "WWT")
    records = Cohort.from_records(
        [{"accessed": "2019-01-01", "sex": " F"}, {"accessed": "2019-01-01", "sex": "F "}],
        observed_until=END,
    )
    sex = records["sex"]
    assert isinstance(sex, Factor)
    assert sex.levels == ("F",)
    columns = Cohort.from_columns(
        {"accessed": ["2019-01-01"] * 3, "sex": np.array([" F", "F", "n/k "])},
        observed_until=END,
        missing_labels=["n/k"],
    )
    assert columns["sex"].codes.tolist() == [0, 0, -1]  # type: ignore[union-attr]


def test_non_finite_numbers_are_invalid() -> None:
    text = "id,accessed,age\na,2019-01-01,inf\nb,2019-01-01,nan\nc,2019-01-01,-Infinity\n"
    text += "d,2019-01-01,\ne,2019-01-01,NA\nf,2019-01-01,30\n"
    cohort = Cohort.from_csv(
        io.StringIO(text), observed_until=END, missing_labels=["NA"], errors="exclude"
    )
    assert cohort.ids.tolist() == ["d", "e", "f"]
    assert cohort.validation.issues() == [
        (2, "age", "inf", "unparseable number"),
        (3, "age", "nan", "unparseable number"),
        (4, "age", "-Infinity", "unparseable number"),
    ]
    with pytest.raises(InvalidInputError, match=r"line 2, `age` 'inf'.*finite plain decimals"):
        Cohort.from_csv(io.StringIO(text), observed_until=END, missing_labels=["NA"])
    numeric = Cohort.from_columns(
        {"accessed": ["2019-01-01"] * 3, "age": np.array([30.0, np.nan, np.inf])},
        observed_until=END,
        errors="exclude",
    )
    np.testing.assert_array_equal(numeric["age"], [30.0, np.nan])
    assert numeric.validation.issues() == [(2, "age", "inf", "unparseable number")]


def test_large_files_read_like_small_ones() -> None:
    # Past the first few thousand rows: a label seen only late, plain and decimal ages,
    # digit-only missing labels, and blanks all read as they do in a short file.
    n = 5000
    ages = np.where(np.arange(n) % 7 == 0, "", (18 + np.arange(n) % 50).astype(str))
    groups = np.where(np.arange(n) < n - 1, "A", "late")
    rows = [f"p{k},2019-01-01,{ages[k]},{groups[k]}" for k in range(n)]
    text = "id,accessed,age,group\n" + "\n".join(rows) + "\n"
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END)
    expected_age = np.where(ages == "", np.nan, np.where(ages == "", "0", ages).astype(float))
    np.testing.assert_array_equal(cohort["age"], expected_age)
    group = cohort["group"]
    assert isinstance(group, Factor)
    assert group.levels == ("A", "late")
    assert group.codes[-2:].tolist() == [0, 1]
    coded = text.replace(",18,", ",999,")
    unknown = Cohort.from_csv(io.StringIO(coded), observed_until=END, missing_labels=["999"])
    age = unknown["age"]
    assert not isinstance(age, Factor)
    assert np.isnan(age[::50]).all()
    assert np.count_nonzero(np.isnan(age)) == np.count_nonzero(np.isnan(expected_age)) + 85
    decimals = Cohort.from_csv(io.StringIO(text.replace(",18,", ",18.5,")), observed_until=END)
    assert decimals["age"][50] == 18.5  # type: ignore[index]


def test_bad_numbers_are_found_without_a_loop_per_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "accessed,age\n" + "2019-01-01,30\n" * 3
    text += (
        "2019-01-01,thirty\n2019-01-01, 31 \n2019-01-01,3e1\n2019-01-01,\u00c4\n2019-01-01,NA\n"
    )
    options: dict[str, Any] = {
        "observed_until": END,
        "missing_labels": ["NA"],
        "errors": "exclude",
        "age_range": None,  # numbers only: no plausibility rule
    }
    with monkeypatch.context() as patched:
        patched.setattr("ipsstats.cohort._columns._numbers_slowly", None)  # must not be needed
        cohort = Cohort.from_csv(io.StringIO(text), **options)
    np.testing.assert_array_equal(cohort["age"], [30, 30, 30, 31, 30, np.nan])
    assert cohort.validation.issues() == [
        (5, "age", "thirty", "unparseable number"),
        (8, "age", "\u00c4", "unparseable number"),
    ]
    # Only number characters, yet not a number: read one by one, still reported.
    odd = Cohort.from_csv(io.StringIO(text.replace("thirty", "1-2")), **options)
    assert [issue[2] for issue in odd.validation.issues()] == ["1-2", "\u00c4"]
    columns = Cohort.from_columns(
        {"accessed": ["2019-01-01"] * 3, "age": np.array(["30", "x", " 4 "])}, **options
    )
    np.testing.assert_array_equal(columns["age"], [30, 4])
    assert columns.validation.issues() == [(1, "age", "x", "unparseable number")]


def test_numeric_and_boolean_numbers() -> None:
    cohort = Cohort.from_records(
        [
            {"accessed": "2019-01-01", "age": "34.5"},
            {"accessed": "2019-01-01", "age": True},
            {"accessed": "2019-01-01", "age": "inf"},
            {"accessed": "2019-01-01", "age": None},
        ],
        observed_until=END,
        errors="exclude",
    )
    age = cohort["age"]
    assert not isinstance(age, Factor)
    assert age[0] == 34.5
    assert np.isnan(age[1])
    assert cohort.validation.rows.tolist() == [1, 2]
    bools = Cohort.from_columns(
        {"accessed": ["2019-01-01"], "age": np.array([True])}, observed_until=END, errors="exclude"
    )
    assert bools.validation.counts == {"unparseable number": 1}


@given(cohort_records())
def test_valid_plus_excluded_equals_read(records: list[dict[str, object]]) -> None:
    cohort = Cohort.from_records(
        records,
        observed_until=END,
        missing_labels=["Not known"],
        age_range=(18, 65),
        errors="exclude",
    )
    report = cohort.validation
    assert cohort.n + report.n_excluded == report.n_read == len(records)
    assert sum(report.counts.values()) == report.n_excluded
    kept = set(cohort.rows.tolist())
    assert kept.isdisjoint(report.rows.tolist())
    assert kept | set(report.rows.tolist()) == set(range(len(records)))


@given(cohort_csv_texts())
def test_csv_valid_plus_excluded_equals_read(
    drawn: tuple[str, list[dict[str, object]], list[int], list[bool]],
) -> None:
    text, records, lines, ragged = drawn
    options: dict[str, Any] = {
        "observed_until": END,
        "missing_labels": ["Not known"],
        "age_range": (18, 65),
        "errors": "exclude",
    }
    cohort = Cohort.from_csv(io.StringIO(text), **options)
    report = cohort.validation
    assert cohort.n + report.n_excluded == report.n_read == len(records)
    assert sum(report.counts.values()) == report.n_excluded
    kept = cohort.rows.tolist()
    assert set(kept).isdisjoint(report.rows.tolist())
    assert sorted(kept + report.rows.tolist()) == lines
    short = [line for line, cut in zip(lines, ragged, strict=True) if cut]
    assert [r for r, *_ in report.issues() if _[-1] == "wrong number of fields"] == short
    if not any(ragged):
        # The file keeps exactly the records the same data keep as records.
        same = Cohort.from_records(records, **options)
        assert cohort.ids.tolist() == same.ids.tolist()
        assert report.counts == same.validation.counts


@pytest.mark.parametrize("plain", [False, True])
@given(data=st.data())
def test_engines_give_the_same_cohort_and_report(plain: bool, data: st.DataObject) -> None:
    text, records, _lines, _ragged = data.draw(cohort_csv_texts(plain=plain))
    options: dict[str, Any] = {
        "observed_until": END,
        "missing_labels": ["Not known"],
        "age_range": (18, 65),
        "errors": "exclude",
    }
    by_numpy = Cohort.from_csv(io.StringIO(text), engine="numpy", **options)
    by_arrow = Cohort.from_csv(io.StringIO(text), engine="pyarrow", **options)
    assert_same_cohort(by_numpy, by_arrow)
    assert by_numpy.validation.to_dict() == by_arrow.validation.to_dict()
    assert by_numpy.validation.issues() == by_arrow.validation.issues()
    body = text.encode("utf-8").removeprefix(b"\xef\xbb\xbf")
    used = split_with_arrow(body, ",", "csv")  # fast path vs naive: Arrow's split is used
    if plain and records:
        assert used is not None  # such files are Arrow's to split
    if '"' in text:
        assert used is None  # quoting is left to the numpy splitter, which validates it


def test_engine_option() -> None:
    text = "id,accessed\n1,2019-01-01\n"
    with pytest.raises(InvalidInputError, match="`engine` must be one of 'auto', 'numpy'"):
        Cohort.from_csv(io.StringIO(text), observed_until=END, engine="polars")  # type: ignore[arg-type]
    for engine in ("auto", "numpy", "pyarrow"):
        assert Cohort.from_csv(io.StringIO(text), observed_until=END, engine=engine).n == 1


def test_pyarrow_engine_needs_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.csv", None)
    text = "id,accessed\n1,2019-01-01\n"
    with pytest.raises(InvalidInputError, match="`engine` must name an installed engine"):
        Cohort.from_csv(io.StringIO(text), observed_until=END, engine="pyarrow")
    assert Cohort.from_csv(io.StringIO(text), observed_until=END).n == 1  # auto: numpy


# ---- derived inputs -----------------------------------------------------------------------


def naive_time_to_job(record: dict[str, object], end: dt.date) -> tuple[int, bool]:
    access = dt.date.fromisoformat(str(record["accessed"]))
    if record["job_start"]:
        return (dt.date.fromisoformat(str(record["job_start"])) - access).days, True
    if record["discharged"]:
        return (dt.date.fromisoformat(str(record["discharged"])) - access).days, False
    return (end - access).days, False


@given(cohort_records(valid=True))
def test_time_to_job_against_naive(records: list[dict[str, object]]) -> None:
    cohort = Cohort.from_records(records, observed_until=END)
    result = cohort.time_to_job()
    end = dt.date.fromisoformat(END)
    expected = [naive_time_to_job(record, end) for record in records]
    assert result.durations.tolist() == [float(d) for d, _ in expected]
    assert result.events.tolist() == [e for _, e in expected]
    assert (result.durations >= 0).all()
    assert result.ids.tolist() == [r["id"] for r in records]
    assert result.n_events + result.n_censored == result.n == len(records)


@given(cohort_records(valid=True))
def test_durations_never_negative_and_flags_agree(records: list[dict[str, object]]) -> None:
    cohort = Cohort.from_records(records, observed_until=END)
    job = cohort.time_to_job()
    np.testing.assert_array_equal(job.events, ~np.isnat(cohort.job_start))
    support = cohort.in_work_support()
    has_job = ~np.isnat(cohort.job_start)
    np.testing.assert_array_equal(support.events, ~np.isnat(cohort.discharged[has_job]))
    competing = cohort.job_or_discharge()
    expected_causes = np.where(has_job, 1, np.where(np.isnat(cohort.discharged), 0, 2))
    np.testing.assert_array_equal(competing.causes, expected_causes)
    np.testing.assert_array_equal(competing.durations, job.durations)
    for durations in (job.durations, support.durations, competing.durations):
        assert (durations >= 0).all()
    end = np.datetime64(END, "D")
    censored_at_end = ~job.events & np.isnat(cohort.discharged)
    np.testing.assert_array_equal(
        job.durations[censored_at_end],
        (end - cohort.accessed[censored_at_end]).astype(np.int64),
    )


def test_in_work_support_and_competing_examples() -> None:
    cohort = load()
    support = cohort.in_work_support()
    assert support.ids.tolist() == ["A1", "A3"]
    assert support.durations.tolist() == [184.0, 184.0]
    assert support.events.tolist() == [True, False]
    assert support.measure == "in_work_support"
    service = support.group("Service")
    assert isinstance(service, Factor)
    assert service.codes.tolist() == [0, 0]
    competing = cohort.job_or_discharge()
    assert competing.causes.tolist() == [1, 2, 1, 0]
    assert competing.durations.tolist() == [55.0, 50.0, 0.0, 183.0]
    assert competing.cause_labels[2] == "discharged without a job"
    assert competing.n == len(competing) == 4
    assert competing.group("age").tolist() == [34, 51, 22, 60]  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError, match=r"`name` must name an attribute.*'Service'"):
        competing.group("service")


def test_tally_and_crosstab_against_naive_counts() -> None:
    rng = np.random.default_rng(5)
    n = 300
    labels = np.array(["White", "Asian", "Black", "Not known"])
    frame = {
        "accessed": np.datetime64("2019-01-01") + rng.integers(0, 365, n),
        "ethnicity": labels[rng.integers(0, 4, n)],
        "service": np.array(["CNWL", "WWT"])[rng.integers(0, 2, n)],
    }
    job_days = rng.integers(0, 400, n)
    job = frame["accessed"] + job_days
    frame["job_start"] = np.where(rng.random(n) < 0.5, job, np.datetime64("NaT"))
    cohort = Cohort.from_columns(
        frame, observed_until="2021-12-31", missing_labels=["Not known"]
    ).with_minimum_followup(6, study_end="2019-12-31")
    end = np.datetime64("2019-12-31")
    kept = np.flatnonzero(frame["accessed"] <= np.datetime64("2019-06-30"))
    counts = cohort.tally("ethnicity")
    assert counts.levels == ("Asian", "Black", "White")
    expected = [int(np.sum(frame["ethnicity"][kept] == level)) for level in counts.levels]
    assert counts.counts.tolist() == expected
    assert counts.n_missing == int(np.sum(frame["ethnicity"][kept] == "Not known"))
    table = cohort.crosstab("ethnicity", "job_by_end")
    assert isinstance(table, ContingencyTable)
    assert table.col_levels == ("job", "no job")
    got_job = (~np.isnat(frame["job_start"]) & (frame["job_start"] <= end))[kept]
    for i, level in enumerate(table.row_levels):
        in_level = frame["ethnicity"][kept] == level
        assert table.counts[i].tolist() == [
            int(np.sum(in_level & got_job)),
            int(np.sum(in_level & ~got_job)),
        ]
    assert table.n_missing == counts.n_missing
    with pytest.warns(DeprecationWarning, match="`end` argument is deprecated"):
        later = cohort.crosstab("ethnicity", "job_by_end", end="2020-12-31")
    assert later.counts[:, 0].sum() >= table.counts[:, 0].sum()
    layered = cohort.crosstab("ethnicity", strata="service")
    assert isinstance(layered, StratifiedTable)
    np.testing.assert_array_equal(layered.counts.sum(axis=0), table.counts)
    jobs = cohort.tally("job_by_end")
    assert jobs.counts.tolist() == [int(got_job.sum()), int((~got_job).sum())]


def test_crosstab_errors() -> None:
    cohort = load()
    with pytest.raises(InvalidInputError, match=r"`name` must name a categorical.*with_age_band"):
        cohort.tally("age")
    with pytest.raises(InvalidInputError, match="`name` must name an attribute; got 'sex'"):
        cohort.crosstab("sex")
    with (
        pytest.raises(InvalidInputError, match="`end` must"),
        pytest.warns(DeprecationWarning, match="`end` argument is deprecated"),
    ):
        cohort.crosstab("Service", end="never")


# ---- age bands, attributes, immutability -------------------------------------------------


def test_age_band() -> None:
    band = age_band([16, 25, 25.5, 26, 40, 41, 55, 56, np.nan])
    assert band.levels == ("<=25", "26-40", "41-55", ">55")
    assert band.codes.tolist() == [0, 0, 0, 1, 1, 2, 2, 3, -1]
    # Whole-year labels: fractional ages count in completed years; edges belong below.
    fractional = age_band([25.0, 25.999, 26.0, 40.5, 40.999, 41.0, 55.5, 55.999, 56.0, 0.5])
    assert fractional.codes.tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 3, 0]
    assert age_band(np.array([30, 70], dtype=np.int64)).codes.tolist() == [1, 3]
    assert band.name == "age_band"
    half = age_band(np.array([1.0, 2.0]), edges=[1.5])
    assert half.levels == ("<=1.5", ">1.5")
    odd = age_band([20, 30], edges=[17.5, 25])
    assert odd.levels == ("<=17.5", "17.5<x<=25", ">25")
    assert age_band(["30", "", None]).codes.tolist() == [1, -1, -1]
    with pytest.raises(InvalidInputError, match="`edges` must be strictly increasing"):
        age_band([30], edges=[40, 25])
    with warnings.catch_warnings():  # the gap between these edges overflows: no warning
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match="`edges` must be strictly increasing"):
            age_band([30], edges=[1e308, -1e308])
    with pytest.raises(InvalidInputError, match="`edges` must be a non-empty sequence"):
        age_band([30], edges=[])
    with pytest.raises(InvalidInputError, match=r"`ages` must hold numbers.*'old' at index 1"):
        age_band(["30", "old"])
    with pytest.raises(InvalidInputError, match="`ages` must be 1-dimensional"):
        age_band([[30]])
    with pytest.raises(InvalidInputError, match=r"`ages` must hold finite numbers; got inf at"):
        age_band([30, np.inf])
    with pytest.raises(InvalidInputError, match="`ages` must hold numbers; got 'inf' at index 0"):
        age_band(["inf"])
    with pytest.raises(InvalidInputError, match="`edges` must be a non-empty sequence"):
        age_band([30], edges=["young", "old"])  # type: ignore[list-item]


def test_with_age_band_and_with_attribute() -> None:
    cohort = load().with_age_band()
    band = cohort["age_band"]
    assert isinstance(band, Factor)
    assert band.codes.tolist() == [1, 2, 0, 3]
    assert cohort.tally("age_band").counts.tolist() == [1, 1, 1, 1]
    flagged = cohort.with_attribute("flag", ["y", "n", "y", "n"]).with_attribute(
        "score", [1, 2, 3, 4]
    )
    assert isinstance(flagged["flag"], Factor)
    np.testing.assert_array_equal(flagged["score"], [1, 2, 3, 4])
    with pytest.raises(InvalidInputError, match="`name` must not be a role name"):
        cohort.with_attribute("accessed", [1, 2, 3, 4])
    with pytest.raises(InvalidInputError, match=r"`values` must have one value per person \(4\)"):
        cohort.with_attribute("x", [1])
    with pytest.raises(InvalidInputError, match="`source` must name a numeric attribute"):
        cohort.with_age_band(source="Service")


def test_cohort_is_immutable_and_columns_read_only() -> None:
    cohort = load()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cohort.ids = np.array(["x"])  # type: ignore[misc]
    for column in (cohort.ids, cohort.accessed, cohort.job_start, cohort.discharged, cohort.rows):
        assert not column.flags.writeable
    age = cohort["age"]
    assert isinstance(age, np.ndarray)
    assert not age.flags.writeable
    assert not cohort.validation.rows.flags.writeable
    assert not cohort.time_to_job().durations.flags.writeable
    assert "Cohort(n=4, accessed 2019-01-05 to 2019-07-01" in repr(cohort)
    np.testing.assert_array_equal(cohort["id"], cohort.ids)
    np.testing.assert_array_equal(cohort["accessed"], cohort.accessed)
    assert len(cohort) == 4


def test_direct_construction_checks_lengths() -> None:
    with pytest.raises(InvalidInputError, match="`accessed` must have one value per person"):
        Cohort(
            ids=["a"],
            accessed=dates("2019-01-01", "2019-01-02"),
            job_start=dates(None),
            discharged=dates(None),
            observed_until="2019-12-31",
            rows=[0],
            validation=ValidationReport.empty(1),
        )


def test_direct_construction_defaults() -> None:
    cohort = Cohort(
        ids=["a", "b"],
        accessed=dates("2019-01-01", "2019-01-02"),
        job_start=dates(None, "2019-03-01"),
        discharged=dates(None, None),
        observed_until=dt.date(2019, 12, 31),
    )
    assert cohort.rows.tolist() == [0, 1]
    assert cohort.validation.n_read == 2
    assert cohort.validation.n_excluded == 0
    assert cohort.time_to_job().durations.tolist() == [364.0, 58.0]


def test_take_checks_the_mask() -> None:
    cohort = load()
    record = cohort.accessed_between("2019-01-01", "2019-12-31").exclusions[-1]
    with pytest.raises(InvalidInputError, match="`keep` must be one boolean per person"):
        cohort.take(np.array([1, 0, 1, 0]), record=record)


# ---- round trip ---------------------------------------------------------------------------


@given(cohort_records(valid=True))
def test_csv_round_trip(records: list[dict[str, object]]) -> None:
    options: dict[str, Any] = {"observed_until": END, "missing_labels": ["Not known"]}
    cohort = Cohort.from_records(records, **options)
    buffer = io.StringIO()
    cohort.to_csv(buffer)
    buffer.seek(0)
    again = Cohort.from_csv(buffer, **options)
    assert_same_cohort(cohort, again)


def test_csv_round_trip_through_a_file(tmp_path: Path) -> None:
    cohort = load()
    path = tmp_path / "out.csv"
    cohort.to_csv(path)
    again = Cohort.from_csv(path, observed_until="2019-12-31", numeric=["age"])
    assert_same_cohort(cohort, again)


def test_crlf_file_with_a_line_break_in_a_quoted_field_keeps_line_numbers() -> None:
    # Found by hypothesis: with CR LF line ends, a quoted field holding a line feed shifted
    # the line numbers of the records before it by one.
    text = 'id,accessed\r\n"a",2019-01-01\r\n"b\nc",2019-01-02\r\n"d",2019-01-03\r\n'
    cohort = Cohort.from_csv(io.StringIO(text), observed_until=END)
    assert cohort.ids.tolist() == ["a", "b\nc", "d"]
    assert cohort.rows.tolist() == [2, 3, 5]


def test_every_person_needs_a_date_of_first_contact() -> None:
    """A cohort built directly refuses an unknown access date (it had given -9.2e18 days)."""
    with pytest.raises(InvalidInputError, match=r"`accessed` must hold a date of first") as info:
        Cohort(
            ids=["a", "b", "c"],
            accessed=["2019-01-01", "NaT", "2019-02-01"],
            job_start=["NaT"] * 3,
            discharged=["NaT"] * 3,
            observed_until=END,
        )
    assert "1 of 3 people" in str(info.value)
    assert info.value.positions == (1,)
